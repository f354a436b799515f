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
use arxiv_daily::ingest::backfill::import_kaggle;
use arxiv_daily::model::Day;
use arxiv_daily::report::{self, render};

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
    // The papers go in as a Kaggle snapshot, through the one write path.
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const CATEGORIES: [&str; 3] = ["cs.IR", "cs.CL", "cs.AI"];
    let start = jiff::civil::date(2026, 1, 1);
    let lines: Vec<String> = (0..PAPERS)
        .map(|i| {
            let pick = |k: usize| SENTENCES[(i * 7 + k * 5) % SENTENCES.len()];
            let day = start + jiff::Span::new().days(i64::try_from(i % 100).unwrap());
            // 10:00 in New York, before the day's cutoff.
            let created = format!(
                "{} {} {} 15:00:00 GMT",
                day.day(),
                MONTHS[usize::try_from(day.month()).unwrap() - 1],
                day.year()
            );
            serde_json::json!({
                "id": format!("2601.{i:05}"),
                "title": format!("{} (part {i})", pick(0).trim_end_matches('.')),
                "abstract": format!("{} {} {} {}", pick(1), pick(2), pick(3), pick(4)),
                "authors": format!("Author {} , Writer {}", i % 500, i % 77),
                "categories": CATEGORIES[i % 3],
                "versions": [{"version": "v1", "created": created}],
            })
            .to_string()
        })
        .collect();
    let snapshot = dir.join("kaggle.json");
    std::fs::write(&snapshot, lines.join("\n") + "\n").unwrap();
    let mut writer = Writer::open(&loc, false).unwrap();
    writer
        .write(true, |session| import_kaggle(session, &snapshot, |_| {}))
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
    // A Tuesday: the papers submitted on Monday.
    let day = Day::parse("2026-02-03").unwrap();
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
