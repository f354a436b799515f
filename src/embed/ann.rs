//! Approximate nearest neighbours over one model's vectors: an HNSW graph (usearch) in a file
//! beside the vectors' SQLite file (`<vectors>.usearch`), memory-mapped by readers, so that a
//! search by meaning over a million papers neither reads every vector from SQLite nor compares
//! the query with each of them.
//!
//! Derived from the vectors as they are from the archive: deleting the file loses nothing, and
//! [`update`] (run by `embed`, and by `ingest` and `import` when they embed) makes it again. The
//! graph's keys are the vectors' SQLite rowids, and it holds the rows up to `read_to`, written
//! in its sidecar (`<vectors>.usearch.json`) after the graph itself: a reader searches the rows
//! stored since (a day's ingest) exactly beside the graph, and drops a key whose row is gone (a
//! paper whose text changed gets a new row, and so a new rowid). [`update`] adds the new rows to
//! the graph, and builds it again when dead keys pass a tenth of it.
//!
//! The graph's vectors are quantized ([`QUANTIZATION`]); the graph only proposes candidates,
//! and their cosines are computed again from the exact vectors of the SQLite file, so the
//! scores shown are exact. Below [`MIN_ROWS`] vectors no graph is built: an exact scan of the
//! vectors in memory is as fast.

use std::path::{Path, PathBuf};

use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

use super::vectors::Vectors;
use super::{EmbedError, Result};

/// Below this many vectors, no graph: the readers scan the vectors exactly.
pub const MIN_ROWS: usize = 20_000;

/// How the graph stores its vectors (see BENCHMARKS.md: recall against exact search at 1M).
pub const QUANTIZATION: ScalarKind = ScalarKind::F16;
/// Neighbours per node (HNSW's M).
pub const CONNECTIVITY: usize = 16;
/// The candidate list while adding (efConstruction).
pub const EXPANSION_ADD: usize = 128;
/// The candidate list while searching (ef); a search for more results widens it to as many.
pub const EXPANSION_SEARCH: usize = 128;

/// The graph's parameters, for benchmarks that compare others (`benches/ann.rs`).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub quantization: ScalarKind,
    pub connectivity: usize,
    pub expansion_add: usize,
    pub expansion_search: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            quantization: QUANTIZATION,
            connectivity: CONNECTIVITY,
            expansion_add: EXPANSION_ADD,
            expansion_search: EXPANSION_SEARCH,
        }
    }
}

/// What the sidecar says of its graph.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Meta {
    /// The largest rowid of the vectors file in the graph.
    read_to: i64,
    /// The vectors' dimension.
    dim: usize,
    /// Keys in the graph (live or dead).
    keys: usize,
}

/// The graph's file beside the vectors file `vectors`.
pub fn path_of(vectors: &Path) -> PathBuf {
    let mut p = vectors.as_os_str().to_owned();
    p.push(".usearch");
    PathBuf::from(p)
}

fn meta_path(vectors: &Path) -> PathBuf {
    let mut p = vectors.as_os_str().to_owned();
    p.push(".usearch.json");
    PathBuf::from(p)
}

fn index_error(path: &Path, e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Model {
        path: path.display().to_string(),
        message: format!("the nearest-neighbour graph: {e}"),
    }
}

fn options(dim: usize, p: &Params) -> IndexOptions {
    IndexOptions {
        dimensions: dim,
        metric: MetricKind::Cos,
        quantization: p.quantization,
        connectivity: p.connectivity,
        expansion_add: p.expansion_add,
        expansion_search: p.expansion_search,
        multi: false,
    }
}

/// A graph, memory-mapped from its file.
pub struct Ann {
    index: Index,
    read_to: i64,
}

impl Ann {
    /// The graph of the vectors file `vectors` (of dimension `dim`), if `embed` made one that
    /// agrees with its sidecar; `None` otherwise (the readers then scan exactly).
    pub fn open(vectors: &Path, dim: usize) -> Result<Option<Ann>> {
        let path = path_of(vectors);
        let Some(meta) = read_meta(vectors) else {
            return Ok(None);
        };
        if meta.dim != dim || !path.is_file() {
            return Ok(None);
        }
        let index =
            Index::new(&options(dim, &Params::default())).map_err(|e| index_error(&path, e))?;
        index
            .view(&path.to_string_lossy())
            .map_err(|e| index_error(&path, e))?;
        if index.dimensions() != dim {
            return Ok(None);
        }
        index.change_expansion_search(EXPANSION_SEARCH);
        Ok(Some(Ann {
            index,
            read_to: meta.read_to,
        }))
    }

    /// The largest rowid of the vectors file the graph holds: rows past it are searched apart.
    pub fn read_to(&self) -> i64 {
        self.read_to
    }

    /// Keys in the graph (some may be dead: see the module's text).
    pub fn len(&self) -> usize {
        self.index.size()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys (rowids) of about the `k` vectors nearest `query`, best first.
    pub fn search(&self, query: &[f32], k: usize) -> Vec<i64> {
        if k == 0 {
            return Vec::new();
        }
        match self.index.search(query, k.min(self.len())) {
            Ok(found) => found.keys.into_iter().map(|k| k as i64).collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn read_meta(vectors: &Path) -> Option<Meta> {
    let text = std::fs::read_to_string(meta_path(vectors)).ok()?;
    serde_json::from_str(&text).ok()
}

/// What [`update`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Updated {
    /// Vectors added to the graph now.
    pub added: usize,
    /// Whether the graph was built from nothing (first time, or too many dead keys).
    pub rebuilt: bool,
    /// Keys in the graph now.
    pub keys: usize,
}

/// Vectors read from SQLite at a time while building.
const READ_PAGE: usize = 20_000;

/// Brings the graph of `vectors` up to date: adds the rows stored since it was written, or
/// builds it from nothing (none yet, another dimension, a tenth of its keys dead). `None`
/// when the file has fewer than [`MIN_ROWS`] vectors. The new graph is written beside the
/// old and renamed over it, then its sidecar: a reader never sees half a graph, and a crash
/// leaves either graph with a sidecar that is at most behind it (the rows past it are then
/// searched twice, and counted once). `progress(done, todo)` as vectors are added.
pub fn update(
    vectors: &Vectors,
    params: &Params,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Option<Updated>> {
    let total = vectors.count()?;
    if total < MIN_ROWS {
        return Ok(None);
    }
    let dim = vectors.dim();
    let path = path_of(vectors.path());
    let existing = read_meta(vectors.path()).filter(|m| m.dim == dim && path.is_file());
    let (index, from, rebuilt) = match existing {
        Some(meta) => {
            let live = vectors.count_up_to(meta.read_to)?;
            let index = Index::new(&options(dim, params)).map_err(|e| index_error(&path, e))?;
            let loaded = index.load(&path.to_string_lossy());
            let dead = meta.keys.saturating_sub(live);
            if loaded.is_ok() && index.size() == meta.keys && dead * 10 <= meta.keys {
                (index, meta.read_to, false)
            } else {
                let fresh = Index::new(&options(dim, params)).map_err(|e| index_error(&path, e))?;
                (fresh, 0, true)
            }
        }
        None => {
            let index = Index::new(&options(dim, params)).map_err(|e| index_error(&path, e))?;
            (index, 0, true)
        }
    };
    let todo = vectors.count_after(from)?;
    if todo == 0 && !rebuilt {
        return Ok(Some(Updated {
            added: 0,
            rebuilt: false,
            keys: index.size(),
        }));
    }
    let threads = rayon::current_num_threads().max(1);
    index
        .reserve_capacity_and_threads(index.size() + todo, threads)
        .map_err(|e| index_error(&path, e))?;
    let mut read_to = from;
    let mut added = 0;
    progress(0, todo);
    loop {
        let page = vectors.rows_after(read_to, READ_PAGE)?;
        let Some(&(last, _)) = page.last() else {
            break;
        };
        add_all(&index, &page).map_err(|e| index_error(&path, e))?;
        read_to = last;
        added += page.len();
        progress(added, todo);
    }
    let tmp = {
        let mut p = path.as_os_str().to_owned();
        p.push(".tmp");
        PathBuf::from(p)
    };
    index
        .save(&tmp.to_string_lossy())
        .map_err(|e| index_error(&tmp, e))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| index_error(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| index_error(&path, e))?;
    let meta = Meta {
        read_to,
        dim,
        keys: index.size(),
    };
    let meta_file = meta_path(vectors.path());
    crate::files::write_atomic(
        &meta_file,
        serde_json::to_string(&meta)
            .map_err(|e| index_error(&meta_file, e))?
            .as_bytes(),
        crate::files::Mode::Default,
    )
    .map_err(|e| index_error(&meta_file, e))?;
    Ok(Some(Updated {
        added,
        rebuilt,
        keys: meta.keys,
    }))
}

/// Adds rows to the graph on every core (usearch locks what it shares; the threads were
/// reserved).
fn add_all(index: &Index, rows: &[(i64, Vec<f32>)]) -> std::result::Result<(), String> {
    use rayon::prelude::*;
    rows.par_iter()
        .try_for_each(|(rowid, v)| index.add(*rowid as u64, v).map_err(|e| e.to_string()))
}

/// Builds a graph in memory from `rows` (key, vector), for benchmarks: `benches/ann.rs`.
pub fn build_in_memory(dim: usize, params: &Params, rows: &[(i64, Vec<f32>)]) -> Result<Ann> {
    let fail = |e: &dyn std::fmt::Display| EmbedError::Run(format!("usearch: {e}"));
    let index = Index::new(&options(dim, params)).map_err(|e| fail(&e))?;
    index
        .reserve_capacity_and_threads(rows.len(), rayon::current_num_threads().max(1))
        .map_err(|e| fail(&e))?;
    add_all(&index, rows).map_err(|e| fail(&e))?;
    index.change_expansion_search(params.expansion_search);
    Ok(Ann {
        index,
        read_to: rows.iter().map(|r| r.0).max().unwrap_or(0),
    })
}

impl Ann {
    /// Bytes the graph takes in memory (its vectors and links).
    pub fn memory_usage(&self) -> usize {
        self.index.memory_usage()
    }

    /// Widens or narrows the candidate list of a search (for benchmarks).
    pub fn set_expansion_search(&self, ef: usize) {
        self.index.change_expansion_search(ef);
    }

    /// Saves the graph to `path` (for benchmarks: its size on disk).
    pub fn save(&self, path: &Path) -> Result<()> {
        self.index
            .save(&path.to_string_lossy())
            .map_err(|e| index_error(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::vectors::Vectors;

    const DIM: usize = 16;
    const EXACT_AT_MOST_FOR_TESTS: usize = 20_000;

    fn vector(seed: u64) -> Vec<f32> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let v: Vec<f32> = (0..DIM)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect();
        crate::embed::normalized(v)
    }

    fn id(i: usize) -> String {
        format!("2601.{i:05}")
    }

    fn put(v: &mut Vectors, range: std::ops::Range<usize>, salt: u64) {
        let rows: Vec<(String, Vec<f32>)> = range
            .map(|i| (id(i), vector(i as u64 * 7 + salt)))
            .collect();
        let refs: Vec<(&str, i64, &[f32])> = rows
            .iter()
            .map(|(i, v)| (i.as_str(), salt as i64, v.as_slice()))
            .collect();
        v.put(&refs).unwrap();
    }

    /// The exact `k` nearest of `query` among `rows` (id, vector).
    fn exact(rows: &[(String, Vec<f32>)], query: &[f32], k: usize) -> Vec<String> {
        let mut s: Vec<(f32, &String)> = rows
            .iter()
            .map(|(id, v)| (crate::embed::dot(v, query), id))
            .collect();
        s.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        s.into_iter().take(k).map(|(_, id)| id.clone()).collect()
    }

    fn current(v: &Vectors) -> Vec<(String, Vec<f32>)> {
        let ids: Vec<String> = v.hashes().unwrap().into_keys().collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        v.rows_by_id(&refs).unwrap()
    }

    #[test]
    fn graph_answers_like_a_scan_and_stays_true_as_vectors_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vectors::open(dir.path(), "test-model@1", DIM).unwrap();
        put(&mut v, 0..MIN_ROWS - 1, 0);
        // Too few vectors: no graph, the matrix scans.
        assert!(
            update(&v, &Params::default(), &mut |_, _| {})
                .unwrap()
                .is_none()
        );
        assert!(!v.matrix().unwrap().has_graph());

        put(&mut v, MIN_ROWS - 1..MIN_ROWS + 1000, 0);
        let mut seen = (0, 0);
        let built = update(&v, &Params::default(), &mut |d, t| seen = (d, t))
            .unwrap()
            .unwrap();
        assert!(built.rebuilt);
        assert_eq!(built.keys, MIN_ROWS + 1000);
        assert_eq!(seen, (MIN_ROWS + 1000, MIN_ROWS + 1000));
        let m = v.matrix().unwrap();
        assert!(m.has_graph());
        assert_eq!(m.len(), MIN_ROWS + 1000);

        let rows = current(&v);
        let mut same = 0;
        for q in 0..50 {
            let query = vector(1_000_000 + q);
            let want = exact(&rows, &query, 10);
            let got: Vec<String> = m
                .nearest(&query, 10, None, None)
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            same += got.iter().filter(|g| want.contains(g)).count();
            // Scores are exact cosines, whatever the graph stores.
            for (id, c) in m.nearest(&query, 3, None, None) {
                let (_, exact_v) = rows.iter().find(|(i, _)| *i == id).unwrap();
                assert_eq!(c, crate::embed::dot(exact_v, &query));
            }
        }
        assert!(same >= 490, "recall@10 {same}/500");

        // Papers whose text changed get new vectors (new rowids); new papers arrive. Without an
        // update, the matrix finds the new vectors beside the graph and never the old ones.
        let changed = 5usize;
        let old = vector(changed as u64 * 7);
        put(&mut v, changed..changed + 1, 99);
        put(&mut v, MIN_ROWS + 1000..MIN_ROWS + 1100, 0);
        let m = v.matrix().unwrap();
        assert!(m.has_graph());
        let near = m.nearest(&old, 5, None, None);
        assert!(
            near.iter()
                .all(|(found, c)| found != &id(changed) || *c < 0.999),
            "the old vector of a changed paper was found: {near:?}"
        );
        let new = vector(changed as u64 * 7 + 99);
        assert_eq!(m.nearest(&new, 1, None, None)[0].0, id(changed));
        let fresh = vector((MIN_ROWS as u64 + 1050) * 7);
        assert_eq!(m.nearest(&fresh, 1, None, None)[0].0, id(MIN_ROWS + 1050));
        assert_eq!(m.row(&id(changed)).unwrap().as_ref(), new.as_slice());

        // A filter of a few papers is searched exactly among them; `except` leaves one out.
        let filter: std::collections::HashSet<String> =
            [id(1), id(2), id(3), id(MIN_ROWS + 1050)].into();
        let got = m.nearest(&fresh, 10, Some(&filter), Some(&id(2)));
        let ids: Vec<&str> = got.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(ids.len(), 3);
        assert_eq!(ids[0], id(MIN_ROWS + 1050));
        assert!(!ids.contains(&id(2).as_str()));

        // A filter of most papers goes through the graph, and still filters.
        let most: std::collections::HashSet<String> = (0..MIN_ROWS + 1100)
            .map(id)
            .filter(|i| *i != id(MIN_ROWS + 1050) && *i != id(7))
            .collect();
        assert!(most.len() > EXACT_AT_MOST_FOR_TESTS);
        let got = m.nearest(&fresh, 20, Some(&most), Some(&id(8)));
        assert_eq!(got.len(), 20);
        assert!(got.iter().all(|(i, _)| most.contains(i) && *i != id(8)));
        let seven = vector(7 * 7);
        assert!(
            m.nearest(&seven, 5, Some(&most), None)
                .iter()
                .all(|(i, _)| *i != id(7))
        );

        // The update adds the rows stored since, the dead key stays counted.
        let up = update(&v, &Params::default(), &mut |_, _| {})
            .unwrap()
            .unwrap();
        assert!(!up.rebuilt);
        assert_eq!(up.added, 101);
        assert_eq!(up.keys, MIN_ROWS + 1101);
        let m = v.matrix().unwrap();
        assert_eq!(m.nearest(&new, 1, None, None)[0].0, id(changed));
        assert!(
            m.nearest(&old, 5, None, None)
                .iter()
                .all(|(i, c)| i != &id(changed) || *c < 0.999)
        );

        // A graph whose file is gone is only slower: every vector is read and scanned.
        std::fs::remove_file(path_of(v.path())).unwrap();
        let m = v.matrix().unwrap();
        assert!(!m.has_graph());
        assert_eq!(m.nearest(&new, 1, None, None)[0].0, id(changed));
    }

    #[test]
    fn a_tenth_of_dead_keys_rebuilds_the_graph() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vectors::open(dir.path(), "test-model@1", DIM).unwrap();
        put(&mut v, 0..MIN_ROWS, 0);
        update(&v, &Params::default(), &mut |_, _| {}).unwrap();
        // A quarter of the papers embedded again (their text changed).
        put(&mut v, 0..MIN_ROWS / 4, 5);
        let up = update(&v, &Params::default(), &mut |_, _| {})
            .unwrap()
            .unwrap();
        assert!(up.rebuilt);
        assert_eq!(up.keys, MIN_ROWS);
    }
}
