//! Search and report rendering on a generated archive (a real SQLite file and Tantivy index in a
//! temporary folder). `PAPERS` papers over 100 days, 3 categories, vocabulary recombined from a
//! few dozen arXiv-like sentences, so common terms match many papers as they do on arXiv.
//!
//! Run: `cargo bench --bench archive`.

use criterion::{Criterion, criterion_group, criterion_main};

use arxiv_daily::archive::{Location, Reader};
use arxiv_daily::config::Profile;
use arxiv_daily::index::query::SearchRequest;
use arxiv_daily::ingest::Writer;
use arxiv_daily::ingest::backfill::store_records;
use arxiv_daily::model::{ArxivId, Day, Provenance, Snapshot};
use arxiv_daily::report::{self, render};
use arxiv_daily::source::Record;

const PAPERS: usize = 20_000;

const SENTENCES: [&str; 12] = [
    "We propose a transformer model for graph neural network recommendation.",
    "Large language models improve retrieval augmented generation on knowledge intensive tasks.",
    "A diffusion model generates images from text with contrastive pretraining.",
    "Reinforcement learning lets a robot learn manipulation from few demonstrations.",
    "Generative retrieval maps documents to semantic IDs for recommendation.",
    "Federated learning protects privacy while training across devices.",
    "Post-training quantization reduces the memory of large language models.",
    "We study knowledge graph completion with embeddings and reasoning.",
    "A new benchmark evaluates multimodal reasoning of vision language models.",
    "Contrastive learning of sentence embeddings improves dense retrieval.",
    "Our experiments show consistent gains over strong baselines.",
    "Code and data are publicly available.",
];

fn build(dir: &std::path::Path) -> Reader {
    let loc = Location {
        dir: dir.to_path_buf(),
        config: None,
        library: None,
    };
    let mut writer = Writer::open(&loc, false).unwrap();
    let start = Day::parse("2026-01-01").unwrap();
    let records: Vec<Record> = (0..PAPERS)
        .map(|i| {
            let pick = |k: usize| SENTENCES[(i * 7 + k * 5) % SENTENCES.len()];
            let mut day = start;
            for _ in 0..(i % 100) {
                day = day.succ();
            }
            Record {
                id: ArxivId::parse(&format!("2601.{i:05}")).unwrap(),
                datestamp: None,
                snapshot: Snapshot {
                    version: Some(1),
                    title: format!("{} (part {i})", pick(0).trim_end_matches('.')),
                    abstract_text: format!("{} {} {} {}", pick(1), pick(2), pick(3), pick(4)),
                    authors: format!("Author {} , Writer {}", i % 500, i % 77),
                    categories: vec![["cs.IR", "cs.CL", "cs.AI"][i % 3].to_string()],
                    ..Snapshot::default()
                },
                versions: vec![(Some(1), day)],
            }
        })
        .collect();
    writer
        .write(true, |session| {
            for chunk in records.chunks(5000) {
                let mut w = session.batch()?;
                store_records(&mut w, chunk, None, Provenance::KaggleEstimate)?;
                w.commit()?;
            }
            Ok(())
        })
        .unwrap();
    drop(writer);
    Reader::open(&loc).unwrap().with_index(true).unwrap()
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let reader = build(dir.path());
    let index = reader.index().unwrap();
    let mut g = c.benchmark_group("search_top10");
    for q in [
        "transformer",
        "\"large language models\"",
        "retrieval augmented generation",
        "graph neural network recommendation",
        "benchmark",
    ] {
        let req = SearchRequest {
            query: q.to_string(),
            limit: 10,
            ..SearchRequest::default()
        };
        g.bench_function(q, |b| b.iter(|| index.search(&req).unwrap().hits.len()));
    }
    g.finish();
    let profile = Profile::default_profile();
    let day = Day::parse("2026-02-01").unwrap();
    reader
        .read(|reads| {
            c.bench_function("report_show_computed_day", |b| {
                b.iter(|| {
                    let r = report::find(reads, &profile, day).unwrap().unwrap();
                    render::legacy_markdown(r.day, &r.rows).len()
                })
            });
            Ok(())
        })
        .unwrap();
}

criterion_group!(archive_benches, benches);
criterion_main!(archive_benches);
