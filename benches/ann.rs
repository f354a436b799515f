//! The nearest-neighbour graph at scale: recall against exact search, query time, build time,
//! memory and disk, for a million vectors (not a test: minutes of both cores; see
//! BENCHMARKS.md).
//!
//!   VECTORS=vectors/FILE.sqlite3 N=1000000 QUANT=f16,i8 cargo bench --bench ann
//!
//! `M` and `EF_ADD` override the graph's connectivity and its candidate list while adding; `EF`
//! is a list of candidate lists to search with (one graph per quantization, searched with each).
//!
//! The vectors: embedding all of a million papers takes days here, so the million are made
//! around real ones: each is a real paper's vector (from `VECTORS`, a model's vectors file that
//! `embed` wrote), plus a share (0 to 0.7) of another real paper's, plus Gaussian noise (a norm
//! of 0.6), normalized: papers between two others, and none twice. Without `VECTORS`, the bases
//! are random unit vectors of 384 dimensions (a harder, less realistic set). The 1,000 queries
//! are made the same way and are not in the graph. For each query, the graph's 100 candidates
//! are ranked by their exact cosine (as `Matrix::nearest` does) and the top 10 compared with
//! the exact top 10 of a scan of all: recall@10. Query time is one thread, the graph in memory,
//! the candidates' exact cosines included.

use std::time::Instant;

use arxiv_daily::embed::ann::{self, Params};
use usearch::ScalarKind;

/// A small, fixed-seed generator (xorshift64*), so every run builds the same vectors.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn gauss(&mut self) -> f32 {
        let u = self.unit().max(1e-7);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f32::consts::PI * v).cos()
    }
}

fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= n);
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn bases(dim_default: usize, rng: &mut Rng) -> Vec<Vec<f32>> {
    if let Ok(path) = std::env::var("VECTORS") {
        let v = arxiv_daily::embed::Vectors::open_file(std::path::Path::new(&path))
            .expect("VECTORS: a vectors file")
            .expect("VECTORS: written by embed");
        let rows = v.rows_after(0, usize::MAX >> 1).expect("VECTORS: readable");
        eprintln!("{} real vectors from {path}", rows.len());
        return rows.into_iter().map(|(_, v)| v).collect();
    }
    eprintln!("no VECTORS: random bases");
    (0..10_000)
        .map(|_| {
            let mut v: Vec<f32> = (0..dim_default).map(|_| rng.gauss()).collect();
            normalize(&mut v);
            v
        })
        .collect()
}

fn made(bases: &[Vec<f32>], rng: &mut Rng) -> Vec<f32> {
    let dim = bases[0].len();
    let a = &bases[rng.below(bases.len())];
    let b = &bases[rng.below(bases.len())];
    let share = rng.unit() * 0.7;
    let sigma = 0.6 / (dim as f32).sqrt();
    let mut v: Vec<f32> = a.iter().zip(b).map(|(x, y)| x + share * y).collect();
    normalize(&mut v);
    v.iter_mut().for_each(|x| *x += sigma * rng.gauss());
    normalize(&mut v);
    v
}

fn quant(name: &str) -> ScalarKind {
    match name {
        "f32" => ScalarKind::F32,
        "f16" => ScalarKind::F16,
        "bf16" => ScalarKind::BF16,
        "i8" => ScalarKind::I8,
        other => panic!("QUANT: f32, f16, bf16 or i8, not {other}"),
    }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// `ARCHIVE=DIR MODEL=DIR`: gives every paper of an archive a vector made as above, under the
/// model's identity (as if `embed` had run), then builds the graph as `embed` does
/// ([`ann::update`]), for whole-process searches at scale (`arxiv-daily search --mode hybrid`).
fn fill_archive(archive: &str, model: &str, bases: &[Vec<f32>], rng: &mut Rng) {
    let loc = arxiv_daily::archive::Location {
        dir: archive.into(),
        config: None,
        library: None,
    };
    let reader = arxiv_daily::archive::Reader::open(&loc).expect("ARCHIVE: an archive");
    let mut ids: Vec<String> = reader
        .read(|r| Ok(r.paper_ids()?))
        .expect("papers")
        .into_iter()
        .collect();
    ids.sort();
    let identity = arxiv_daily::embed::local::identity_of_folder(std::path::Path::new(model))
        .expect("MODEL: a model folder");
    let dim = bases[0].len();
    let mut vectors = arxiv_daily::embed::Vectors::open(&loc.dir, &identity, dim).expect("vectors");
    let started = Instant::now();
    for chunk in ids.chunks(10_000) {
        let made: Vec<Vec<f32>> = chunk.iter().map(|_| made(bases, rng)).collect();
        let rows: Vec<(&str, i64, &[f32])> = chunk
            .iter()
            .zip(&made)
            .map(|(id, v)| (id.as_str(), 0, v.as_slice()))
            .collect();
        vectors.put(&rows).expect("stored");
    }
    eprintln!(
        "{} vectors stored in {:.1} s ({})",
        ids.len(),
        started.elapsed().as_secs_f64(),
        vectors.path().display()
    );
    let started = Instant::now();
    let up = ann::update(&vectors, &Params::default(), &mut |_, _| {}).expect("graph");
    let secs = started.elapsed().as_secs_f64();
    let size = |p: &std::path::Path| {
        std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / (1 << 20) as f64
    };
    println!(
        "graph of {} vectors built in {secs:.0} s ({:?}); vectors file {:.0} MiB, graph file {:.0} MiB",
        ids.len(),
        up,
        size(vectors.path()),
        size(&ann::path_of(vectors.path())),
    );
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let queries: usize = std::env::var("QUERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let quants = std::env::var("QUANT").unwrap_or_else(|_| "f16,i8".into());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let bases = bases(384, &mut rng);
    if let (Ok(archive), Ok(model)) = (std::env::var("ARCHIVE"), std::env::var("MODEL")) {
        fill_archive(&archive, &model, &bases, &mut rng);
        return;
    }
    let dim = bases[0].len();
    let started = Instant::now();
    let rows: Vec<(i64, Vec<f32>)> = (0..n)
        .map(|i| (i as i64 + 1, made(&bases, &mut rng)))
        .collect();
    let qs: Vec<Vec<f32>> = (0..queries).map(|_| made(&bases, &mut rng)).collect();
    eprintln!(
        "{n} vectors of {dim} made in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The exact top 10 of each query: a scan of all, on every core.
    let started = Instant::now();
    let exact: Vec<Vec<i64>> = {
        use rayon::prelude::*;
        qs.par_iter()
            .map(|q| {
                let mut top: Vec<(f32, i64)> = Vec::with_capacity(11);
                for (key, v) in &rows {
                    let c = dot(q, v);
                    if top.len() < 10 || c > top[top.len() - 1].0 {
                        top.push((c, *key));
                        top.sort_by(|a, b| b.0.total_cmp(&a.0));
                        top.truncate(10);
                    }
                }
                top.into_iter().map(|t| t.1).collect()
            })
            .collect()
    };
    let exact_ms = started.elapsed().as_secs_f64() * 1000.0 / queries as f64;
    eprintln!("exact: {exact_ms:.1} ms per query (all cores)");

    println!(
        "| graph | build s | vectors/s | memory MiB | file MiB | recall@10 (100 candidates, exact cosines) | recall@10 (graph's own top 10) | p50 ms | p95 ms |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for q in quants.split(',') {
        let env = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(default)
        };
        let d = Params::default();
        let params = Params {
            quantization: quant(q),
            connectivity: env("M", d.connectivity),
            expansion_add: env("EF_ADD", d.expansion_add),
            expansion_search: d.expansion_search,
        };
        let started = Instant::now();
        let graph = ann::build_in_memory(dim, &params, &rows).expect("built");
        let build = started.elapsed().as_secs_f64();
        let file = std::env::temp_dir().join(format!("ann-bench-{q}.usearch"));
        graph.save(&file).expect("saved");
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let _ = std::fs::remove_file(&file);
        let efs = std::env::var("EF").unwrap_or_else(|_| params.expansion_search.to_string());
        for ef in efs
            .split(',')
            .filter_map(|e| e.trim().parse::<usize>().ok())
        {
            graph.set_expansion_search(ef);
            let (mut hit, mut hit_raw) = (0usize, 0usize);
            let mut times = Vec::with_capacity(queries);
            for (query, truth) in qs.iter().zip(&exact) {
                let started = Instant::now();
                let keys = graph.search(query, 100);
                let mut scored: Vec<(f32, i64)> = keys
                    .iter()
                    .map(|&k| (dot(query, &rows[(k - 1) as usize].1), k))
                    .collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0));
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                hit += scored
                    .iter()
                    .take(10)
                    .filter(|(_, k)| truth.contains(k))
                    .count();
                hit_raw += graph
                    .search(query, 10)
                    .iter()
                    .filter(|k| truth.contains(k))
                    .count();
            }
            let total = (queries * 10) as f64;
            println!(
                "| {q}, M={}, ef_add={}, ef={} | {build:.0} | {:.0} | {:.0} | {:.0} | {:.4} | {:.4} | {:.2} | {:.2} |",
                params.connectivity,
                params.expansion_add,
                ef,
                n as f64 / build,
                graph.memory_usage() as f64 / (1 << 20) as f64,
                size as f64 / (1 << 20) as f64,
                hit as f64 / total,
                hit_raw as f64 / total,
                percentile(&mut times, 0.5),
                percentile(&mut times, 0.95),
            );
        }
    }
    println!("\nexact scan of all {n} (f32 in memory, both cores): {exact_ms:.1} ms per query");
}
