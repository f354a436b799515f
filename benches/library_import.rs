//! `library import` of a BibTeX library, in process: parsing 10,000, 20,000 and 40,000
//! generated entries as Zotero exports them (8 lines and about 215 bytes each: a braced title, an
//! author with a TeX accent, an arXiv link in `url`), each entry's id and title read. The time
//! per entry must not grow with the file: a line number per entry used to rescan the file from
//! its first byte (BENCHMARKS.md, "Library import", 2026-12-02).
//!
//!   cargo bench --bench library_import
//!
//! Prints, per size, the best of `RUNS` runs (a run over 2 s is not repeated) and the time per
//! entry.

use std::time::{Duration, Instant};

use arxiv_daily::library::import;

const SIZES: [usize; 3] = [10_000, 20_000, 40_000];
const RUNS: usize = 5;

/// `n` entries as Zotero writes them.
fn library(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "@article{{key{i},\n  title = {{Generative {{Retrieval}} for Recommendation, part {i}}},\n  author = {{Wang, Wei and M{{\\\"u}}ller, Jörg}},\n  journal = {{arXiv}},\n  url = {{http://arxiv.org/abs/2509.{:05}v2}},\n  year = {{2025}},\n}}\n\n",
                i % 100_000
            )
        })
        .collect()
}

fn main() {
    println!("entries      bytes       best      per entry");
    for n in SIZES {
        let text = library(n);
        let mut best = Duration::MAX;
        for _ in 0..RUNS {
            let started = Instant::now();
            let items = import::parse(&text).expect("the generated library parses");
            let took = started.elapsed();
            assert_eq!(items.len(), n);
            assert!(items.iter().all(|i| i.id.is_some()));
            best = best.min(took);
            if took > Duration::from_secs(2) {
                break;
            }
        }
        println!(
            "{n:>7} {:>10} {:>9.3} s {:>10.2} µs",
            text.len(),
            best.as_secs_f64(),
            best.as_secs_f64() * 1e6 / n as f64
        );
    }
}
