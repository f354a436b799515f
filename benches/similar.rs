//! Similar papers: quality and speed over a real archive (not a test: it needs an archive built
//! from ../shared, see BENCHMARKS.md).
//!
//!   ARCHIVE=/path/to/archive cargo bench --bench similar
//!
//! Over `SAMPLE` papers drawn with a fixed seed it reports, for `similar` (our tf-idf query),
//! Tantivy's `MoreLikeThisQuery`, and a plain `search` of the paper's title (its words ORed), the
//! share of the top 10 that share the paper's primary category, and the in-process time per call
//! (a warm process that keeps one index reader, as `serve` does).

use std::time::Instant;

use arxiv_daily::archive::Location;
use arxiv_daily::index::SearchIndex;
use arxiv_daily::index::query::{Hit, SearchRequest};
use arxiv_daily::model::ArxivId;
use arxiv_daily::store::Reads;

const SAMPLE: usize = 500;

fn primary(reads: &Reads<'_>, id: &str) -> Option<String> {
    let paper = reads.paper(&ArxivId::parse(id).ok()?).ok()??;
    paper.snapshots.last()?.categories.first().cloned()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let Some(dir) = std::env::var_os("ARCHIVE") else {
        eprintln!("similar bench: set ARCHIVE to an archive folder (see BENCHMARKS.md); skipped");
        return;
    };
    let loc = Location {
        dir: dir.into(),
        config: None,
        library: None,
    };
    let store = arxiv_daily::store::Store::open_read_only(&loc.db_path()).expect("archive");
    let reads = store.read();
    let mut index = SearchIndex::open_existing(&loc.index_dir())
        .expect("index")
        .expect("index");
    // A warm process, as the server is: one reader for every call.
    index.keep_reader().expect("reader");
    let mut ids: Vec<String> = reads.paper_ids().expect("ids").into_iter().collect();
    ids.sort();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let sample: Vec<String> = (0..SAMPLE)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ids[(seed % ids.len() as u64) as usize].clone()
        })
        .collect();
    let req = SearchRequest {
        limit: 10,
        ..SearchRequest::default()
    };
    type Method<'a> = Box<dyn Fn(&str, &str, &str) -> Vec<Hit> + 'a>;
    let methods: Vec<(&str, Method<'_>)> = vec![
        (
            "similar (tf-idf query)",
            Box::new(|id, t, a| index.similar(id, t, a, &req).expect("similar").hits),
        ),
        (
            "Tantivy MoreLikeThisQuery",
            Box::new(|id, t, a| index.more_like_this(id, t, a, &req).expect("mlt")),
        ),
        (
            "search of the title",
            Box::new(|id, t, _| {
                let words: Vec<String> = t
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.len() > 2)
                    .map(str::to_lowercase)
                    .collect();
                if words.is_empty() {
                    return vec![];
                }
                let q = SearchRequest {
                    query: words.join(" OR "),
                    limit: 11,
                    ..SearchRequest::default()
                };
                let mut hits = index.search(&q).map(|r| r.hits).unwrap_or_default();
                hits.retain(|h| h.id != id);
                hits.truncate(10);
                hits
            }),
        ),
    ];
    println!("| method | same primary category in top 10 | median ms | p90 ms |");
    println!("| --- | --- | --- | --- |");
    for (name, method) in &methods {
        let (mut same, mut total, mut times) = (0usize, 0usize, Vec::new());
        for id in &sample {
            let Some((title, abs, _)) = reads.latest_text(id).expect("text") else {
                continue;
            };
            let Some(cat) = primary(&reads, id) else {
                continue;
            };
            let started = Instant::now();
            let hits = method(id, &title, &abs);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            for h in &hits {
                total += 1;
                same += usize::from(primary(&reads, &h.id).as_deref() == Some(cat.as_str()));
            }
        }
        let p90 = {
            let mut t = times.clone();
            t.sort_by(|a, b| a.total_cmp(b));
            t.get(t.len() * 9 / 10).copied().unwrap_or(0.0)
        };
        println!(
            "| {name} | {:.3} ({same}/{total}) | {:.2} | {:.2} |",
            same as f64 / total.max(1) as f64,
            median(times),
            p90
        );
    }
}
