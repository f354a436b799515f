//! Recommendation speed over a real archive (not a test: it needs an archive, e.g. the 1M-paper
//! one of benches/scale.sh; see BENCHMARKS.md).
//!
//!   ARCHIVE=/path/to/archive cargo bench --bench recommend
//!
//! A library with one tag of 50 papers (papers of the 60 days before the newest whose title
//! holds "retrieval", the newest first), then five such tags; `recommend` over the newest day's
//! listing, in process (a warm reader, as `serve` keeps), median and 90th percentile of 20 runs.
//! The quality benchmark is benches/recommend/bench.py.

use std::time::Instant;

use arxiv_daily::archive::{Location, Reader};
use arxiv_daily::library::TagPapers;
use arxiv_daily::recommend::{Interests, Request, recommend};

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let Some(dir) = std::env::var_os("ARCHIVE") else {
        eprintln!("recommend bench: set ARCHIVE to an archive folder (see BENCHMARKS.md); skipped");
        return;
    };
    let loc = Location {
        dir: dir.into(),
        config: None,
        library: None,
    };
    let reader = Reader::open(&loc).expect("archive");
    let words = ["retrieval", "language", "graph", "learning", "agents"];
    let (day, tags) = reader
        .read(|r| {
            let day = r.newest_listed_day()?.expect("a listed day");
            let from = r.listed_days_back(day, 61)?.expect("days");
            let mut tags = Vec::new();
            for w in words {
                let mut saved: Vec<String> = r
                    .listed_between(from, day.pred(), None)?
                    .into_iter()
                    .filter(|p| p.title.to_lowercase().contains(w))
                    .map(|p| p.id)
                    .collect();
                saved.reverse();
                saved.truncate(50);
                tags.push((
                    w.to_string(),
                    TagPapers {
                        saved,
                        dismissed: vec![],
                        description: None,
                    },
                ));
            }
            Ok((day, tags))
        })
        .expect("library");
    let listed = reader
        .read(|r| Ok(r.listed_between(day, day, None)?.len()))
        .expect("listing");
    println!("newest day {day}: {listed} papers listed");
    for n in [1usize, 5] {
        let interests = Interests {
            tags: tags[..n].to_vec(),
            exclude: tags[..n]
                .iter()
                .flat_map(|(_, p)| p.saved.iter().cloned())
                .collect(),
        };
        let req = Request {
            from: day,
            to: day,
            category: None,
            limit: 20,
        };
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let recs = reader
                .read(|r| Ok(recommend(r, &interests, &req, None)?))
                .expect("recommend");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(!recs.is_empty());
        }
        let saved: usize = interests.tags.iter().map(|(_, p)| p.saved.len()).sum();
        println!(
            "recommend, {n} tag(s), {saved} saved papers, one day: median {:.1} ms, p90 {:.1} ms (in process)",
            percentile(times.clone(), 0.5),
            percentile(times, 0.9)
        );
    }
}
