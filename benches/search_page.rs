//! Where the time of one page of search results goes, in a warm process (one kept index reader
//! and one SQLite connection, as `serve` has): the ranked top 25, the total count, and the 25
//! hits' texts and snippets, for the 12 benchmark queries over a real archive (not a test: it
//! needs the archive of benches/scale.sh, see BENCHMARKS.md).
//!
//!   ARCHIVE=/path/to/archive-1000000 cargo bench --bench search_page
//!
//! `SENTENCES=1` runs the 12-word sentences of `search-quality/sentences.txt` instead (the ranked
//! search's worst case: many common words), `WORDS=all` requires every word (`--all-words`).
//! `ONLY=word` runs the queries that contain `word`, and `TOP_ONLY=1` times only their top 25, `RUNS=n`
//! repeats each n times instead of 30 (for a profiler); `THREADS=2` lets a conjunction rank its
//! segments on two threads, as `serve` does when a core is idle.

use std::time::Instant;

use arxiv_daily::archive::Location;
use arxiv_daily::index::SearchIndex;
use arxiv_daily::index::query::SearchRequest;

const QUERIES: [&str; 12] = [
    "transformer",
    "\"large language models\"",
    "retrieval augmented generation",
    "graph neural network recommendation",
    "diffusion",
    "reinforcement learning robot",
    "\"semantic IDs\"",
    "contrastive",
    "federated learning privacy",
    "quantization",
    "\"knowledge graph\" completion",
    "benchmark",
];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let Some(dir) = std::env::var_os("ARCHIVE") else {
        eprintln!(
            "search_page bench: set ARCHIVE to an archive folder (see BENCHMARKS.md); skipped"
        );
        return;
    };
    let loc = Location {
        dir: dir.into(),
        config: None,
        library: None,
    };
    let store = arxiv_daily::store::Store::open_read_only(&loc.db_path()).expect("archive");
    let mut index = SearchIndex::open_existing(&loc.index_dir())
        .expect("index")
        .expect("index");
    index.keep_reader().expect("reader");
    println!("| query | top 25 ms | total ms | texts and snippets ms | page ms | total |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let only = std::env::var("ONLY").unwrap_or_default();
    let top_only = std::env::var_os("TOP_ONLY").is_some();
    let threads: usize = std::env::var("THREADS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let queries: Vec<&str> = if std::env::var_os("SENTENCES").is_some() {
        include_str!("search-quality/sentences.txt")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    } else {
        QUERIES.to_vec()
    };
    let all_words = std::env::var("WORDS").is_ok_and(|w| w == "all");
    for q in queries.into_iter().filter(|q| q.contains(&only)) {
        let req = SearchRequest {
            query: q.to_string(),
            limit: 25,
            threads,
            all_words,
            ..SearchRequest::default()
        };
        let (mut top, mut count, mut hits, mut page) = (vec![], vec![], vec![], vec![]);
        let mut total = 0;
        for run in 0..runs + 3 {
            let t0 = Instant::now();
            let result = index.search(&req).expect("search");
            let t1 = Instant::now();
            if top_only {
                top.push((t1 - t0).as_secs_f64() * 1000.0);
                continue;
            }
            total = index.counts(&result).expect("count").total;
            let t2 = Instant::now();
            let snippets = index.snippets(&result).expect("snippets");
            let snapshot = store.snapshot().expect("read transaction");
            let reads = snapshot.read();
            for hit in &result.hits {
                let (title, abs, _) = reads.latest_text(&hit.id).expect("text").expect("paper");
                std::hint::black_box(snippets.make(&title, &abs));
            }
            let t3 = Instant::now();
            if run >= 3 {
                let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
                top.push(ms(t0, t1));
                count.push(ms(t1, t2));
                hits.push(ms(t2, t3));
                page.push(ms(t0, t3));
            }
        }
        println!(
            "| {q} | {:.2} | {:.2} | {:.2} | {:.2} | {total} |",
            median(top),
            median(count),
            median(hits),
            median(page)
        );
    }
}
