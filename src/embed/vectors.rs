//! The vectors of one model: a SQLite file of their own, `vectors/<model>.sqlite3` in the data
//! folder, derived from the archive like the search index (never part of its tables or its
//! export; deleting the folder loses nothing that `embed` cannot make again). A row per paper:
//! its id, the hash of the text embedded ([`super::text_hash`]) and the vector as little-endian
//! f32s. The file names the model's identity inside, and refuses to be read as another's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::{EmbedError, Result};

/// The folder of the data folder that holds every model's vectors.
pub const DIR: &str = "vectors";

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE model (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE vectors (
         id TEXT PRIMARY KEY,
         text_hash INTEGER NOT NULL,
         v BLOB NOT NULL
     );",
];

/// The file of a model's vectors: a readable slug of its identity and a hash of all of it.
pub fn file_name(identity: &str) -> String {
    let slug: String = identity
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    let d = ring::digest::digest(&ring::digest::SHA256, identity.as_bytes());
    format!("{slug}-{}.sqlite3", crate::files::hex(&d.as_ref()[..4]))
}

pub struct Vectors {
    conn: Connection,
    path: PathBuf,
    dim: usize,
}

fn encode(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn decode_into(bytes: &[u8], out: &mut Vec<f32>) {
    out.extend(
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
    );
}

impl Vectors {
    fn error(&self, source: rusqlite::Error) -> EmbedError {
        EmbedError::Store {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Opens (creating when missing) the vectors of the model `identity` of dimension `dim`.
    pub fn open(data_dir: &Path, identity: &str, dim: usize) -> Result<Vectors> {
        let dir = data_dir.join(DIR);
        std::fs::create_dir_all(&dir).map_err(|e| EmbedError::Model {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        let path = dir.join(file_name(identity));
        let fail = |source| EmbedError::Store {
            path: path.display().to_string(),
            source,
        };
        let mut conn = crate::sqlite::open_writer(&path, Duration::from_secs(30)).map_err(fail)?;
        crate::sqlite::migrate(&mut conn, MIGRATIONS).map_err(|e| match e {
            crate::sqlite::MigrateError::Sqlite(e) => fail(e),
            crate::sqlite::MigrateError::TooNew { found, .. } => EmbedError::Model {
                path: path.display().to_string(),
                message: format!("written by a newer arxiv-daily (version {found})"),
            },
        })?;
        let v = Vectors { conn, path, dim };
        let tx = v.conn.unchecked_transaction().map_err(|e| v.error(e))?;
        for (key, value) in [("identity", identity.to_string()), ("dim", dim.to_string())] {
            tx.execute(
                "INSERT INTO model (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![key, value],
            )
            .map_err(|e| v.error(e))?;
        }
        tx.commit().map_err(|e| v.error(e))?;
        v.check(identity)?;
        Ok(v)
    }

    /// Opens the vectors of `identity` if `embed` made some; never creates a file.
    pub fn open_existing(data_dir: &Path, identity: &str) -> Result<Option<Vectors>> {
        let path = data_dir.join(DIR).join(file_name(identity));
        if !path.is_file() {
            return Ok(None);
        }
        let Some(v) = Vectors::open_file(&path)? else {
            return Ok(None);
        };
        v.check(identity)?;
        Ok(Some(v))
    }

    /// The model whose vectors these are.
    pub fn identity(&self) -> Result<String> {
        Ok(self.meta("identity")?.unwrap_or_default())
    }

    /// Opens a vectors file for reading, whatever model's it is.
    pub fn open_file(path: &Path) -> Result<Option<Vectors>> {
        let path = path.to_path_buf();
        let conn =
            crate::sqlite::open_reader(&path, Duration::from_secs(30)).map_err(|source| {
                EmbedError::Store {
                    path: path.display().to_string(),
                    source,
                }
            })?;
        let mut v = Vectors { conn, path, dim: 0 };
        if crate::sqlite::user_version(&v.conn).map_err(|e| v.error(e))? == 0 {
            return Ok(None);
        }
        v.dim = v.meta("dim")?.and_then(|d| d.parse().ok()).unwrap_or(0);
        Ok(Some(v))
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM model WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    fn check(&self, identity: &str) -> Result<()> {
        let found = self.meta("identity")?;
        if found.as_deref() != Some(identity) {
            return Err(EmbedError::Model {
                path: self.path.display().to_string(),
                message: format!("holds the vectors of {found:?}, not of {identity:?}"),
            });
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many papers have a vector.
    pub fn count(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT count(*) FROM vectors", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.error(e))
    }

    /// Every paper's text hash.
    pub fn hashes(&self) -> Result<HashMap<String, i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, text_hash FROM vectors")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error(e))
    }

    /// Stores (or replaces) vectors, all in one transaction.
    pub fn put(&mut self, rows: &[(&str, i64, &[f32])]) -> Result<()> {
        let path = self.path.display().to_string();
        let fail = |source| EmbedError::Store {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(fail)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    // A replaced vector gets a new rowid: a reader loads what changed since the
                    // largest rowid it read (`Matrix::refresh`).
                    "INSERT OR REPLACE INTO vectors (id, text_hash, v) VALUES (?1, ?2, ?3)",
                )
                .map_err(fail)?;
            for (id, hash, v) in rows {
                if v.len() != self.dim {
                    return Err(EmbedError::Run(format!(
                        "a vector of {} values for a model of {}",
                        v.len(),
                        self.dim
                    )));
                }
                stmt.execute(params![id, hash, encode(v)]).map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }

    /// The vector of one paper.
    pub fn get(&self, id: &str) -> Result<Option<Vec<f32>>> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT v FROM vectors WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.error(e))?;
        Ok(bytes.map(|b| {
            let mut v = Vec::with_capacity(b.len() / 4);
            decode_into(&b, &mut v);
            v
        }))
    }

    /// How many vectors have a rowid up to `rowid`.
    pub fn count_up_to(&self, rowid: i64) -> Result<usize> {
        self.conn
            .query_row(
                "SELECT count(*) FROM vectors WHERE rowid <= ?1",
                [rowid],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.error(e))
    }

    /// How many vectors have a rowid past `rowid`.
    pub fn count_after(&self, rowid: i64) -> Result<usize> {
        self.conn
            .query_row(
                "SELECT count(*) FROM vectors WHERE rowid > ?1",
                [rowid],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.error(e))
    }

    /// Up to `limit` vectors past `rowid`, in rowid order, with their rowids.
    pub fn rows_after(&self, rowid: i64, limit: usize) -> Result<Vec<(i64, Vec<f32>)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid, v FROM vectors WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")
            .map_err(|e| self.error(e))?;
        let mut rows = stmt
            .query(params![rowid, limit as i64])
            .map_err(|e| self.error(e))?;
        let mut out = Vec::with_capacity(limit.min(65_536));
        while let Some(r) = rows.next().map_err(|e| self.error(e))? {
            let rowid: i64 = r.get(0).map_err(|e| self.error(e))?;
            let bytes = r.get_ref(1).map_err(|e| self.error(e))?;
            let bytes = bytes.as_blob().map_err(|e| self.error(e.into()))?;
            let mut v = Vec::with_capacity(self.dim);
            decode_into(bytes, &mut v);
            if v.len() == self.dim {
                out.push((rowid, v));
            }
        }
        Ok(out)
    }

    /// The rows of these rowids that exist (a replaced vector's old rowid is gone): rowid, id
    /// and vector.
    pub fn rows_by_rowid(&self, rowids: &[i64]) -> Result<Vec<(i64, String, Vec<f32>)>> {
        self.rows_in("rowid", rowids)
    }

    /// The vectors of those of `ids` that have one.
    pub fn rows_by_id(&self, ids: &[&str]) -> Result<Vec<(String, Vec<f32>)>> {
        Ok(self
            .rows_in("id", ids)?
            .into_iter()
            .map(|(_, id, v)| (id, v))
            .collect())
    }

    /// The rows whose `column` (rowid or id) is one of `keys`: rowid, id and vector.
    fn rows_in<K: rusqlite::ToSql>(
        &self,
        column: &str,
        keys: &[K],
    ) -> Result<Vec<(i64, String, Vec<f32>)>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT rowid, id, v FROM vectors WHERE {column} IN ({})",
                placeholders(chunk.len())
            );
            let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.error(e))?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(chunk))
                .map_err(|e| self.error(e))?;
            while let Some(r) = rows.next().map_err(|e| self.error(e))? {
                let bytes = r.get_ref(2).map_err(|e| self.error(e))?;
                let bytes = bytes.as_blob().map_err(|e| self.error(e.into()))?;
                let mut v = Vec::with_capacity(self.dim);
                decode_into(bytes, &mut v);
                if v.len() == self.dim {
                    out.push((
                        r.get(0).map_err(|e| self.error(e))?,
                        r.get(1).map_err(|e| self.error(e))?,
                        v,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The vectors for nearest-neighbour search: every vector in memory; or, when `embed` built
    /// the nearest-neighbour graph ([`super::ann`]), the graph, the vectors stored since it in
    /// memory, and the file for the others (read as needed).
    pub fn matrix(&self) -> Result<Matrix> {
        let graph = match super::ann::Ann::open(&self.path, self.dim) {
            Ok(Some(ann)) => Vectors::open_file(&self.path)?.map(|file| Graph {
                ann,
                file: std::sync::Mutex::new(file),
            }),
            // A graph that cannot be read is only slower: the vectors are all read.
            Ok(None) | Err(_) => None,
        };
        let read_to = graph.as_ref().map_or(0, |g| g.ann.read_to());
        let n = self.count_after(read_to)?;
        let mut m = Matrix {
            dim: self.dim,
            ids: Vec::with_capacity(n),
            data: Vec::with_capacity(n * self.dim),
            rows: HashMap::with_capacity(n),
            read_to,
            graph,
        };
        self.refresh(&mut m)?;
        Ok(m)
    }

    /// Reads into `m` the vectors stored or replaced since it was read (rows past its largest
    /// rowid): a new paper's is added, a changed paper's replaces its row. Returns how many.
    pub fn refresh(&self, m: &mut Matrix) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid, id, v FROM vectors WHERE rowid > ?1 ORDER BY rowid")
            .map_err(|e| self.error(e))?;
        let mut rows = stmt.query([m.read_to]).map_err(|e| self.error(e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| self.error(e))? {
            m.read_to = r.get(0).map_err(|e| self.error(e))?;
            let bytes = r.get_ref(2).map_err(|e| self.error(e))?;
            let bytes = bytes.as_blob().map_err(|e| self.error(e.into()))?;
            if bytes.len() != self.dim * 4 {
                continue;
            }
            let id: String = r.get(1).map_err(|e| self.error(e))?;
            match m.rows.get(&id) {
                Some(&i) => {
                    let row = &mut m.data[i * self.dim..(i + 1) * self.dim];
                    for (x, b) in row.iter_mut().zip(bytes.chunks_exact(4)) {
                        *x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    }
                }
                None => {
                    m.rows.insert(id.clone(), m.ids.len());
                    m.ids.push(id);
                    decode_into(bytes, &mut m.data);
                }
            }
            n += 1;
        }
        Ok(n)
    }

    /// A number that changes when another connection commits to the file (SQLite's
    /// `data_version`): a reader refreshes its matrix when it does.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.error(e))
    }
}

/// Rowids or ids bound in one `IN (...)` at most.
const IN_CHUNK: usize = 500;

fn placeholders(n: usize) -> String {
    let mut s = String::with_capacity(n * 2);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push('?');
    }
    s
}

/// A matrix kept current with its file, for a long-running reader (`serve`): each use first
/// reads what another process (`embed`, a daily `ingest`) committed since.
pub struct LiveMatrix {
    vectors: std::sync::Mutex<(Vectors, i64)>,
    matrix: std::sync::RwLock<Matrix>,
}

impl LiveMatrix {
    pub fn new(vectors: Vectors) -> Result<LiveMatrix> {
        let version = vectors.data_version()?;
        let matrix = vectors.matrix()?;
        Ok(LiveMatrix {
            vectors: std::sync::Mutex::new((vectors, version)),
            matrix: std::sync::RwLock::new(matrix),
        })
    }

    /// The matrix, after reading what was committed to the file since the last use. A file
    /// that cannot be read now leaves the matrix as it was (the error is returned beside it).
    pub fn read(&self) -> (std::sync::RwLockReadGuard<'_, Matrix>, Option<EmbedError>) {
        let failed = {
            let mut guard = self.vectors.lock().unwrap_or_else(|e| e.into_inner());
            let (vectors, seen) = &mut *guard;
            match vectors.data_version() {
                Ok(now) if now != *seen => {
                    let mut m = self.matrix.write().unwrap_or_else(|e| e.into_inner());
                    match vectors.refresh(&mut m) {
                        Ok(_) => {
                            *seen = now;
                            None
                        }
                        Err(e) => Some(e),
                    }
                }
                Ok(_) => None,
                Err(e) => Some(e),
            }
        };
        (
            self.matrix.read().unwrap_or_else(|e| e.into_inner()),
            failed,
        )
    }
}

/// The nearest-neighbour graph of a matrix and the file of the vectors it holds.
struct Graph {
    ann: super::ann::Ann,
    file: std::sync::Mutex<Vectors>,
}

/// A filter of at most this many papers is searched exactly, its vectors read from the file:
/// the graph would have to look at most of the archive to find enough of them.
const EXACT_AT_MOST: usize = 20_000;
/// The most candidates asked of the graph for one search.
const GRAPH_AT_MOST: usize = 20_000;

/// The vectors as the readers search them: every row in memory, searched exactly; or, with the
/// nearest-neighbour graph `embed` built ([`super::ann`]), the graph and the rows stored since
/// it (in memory, searched exactly beside it), the others read from the file when asked for.
pub struct Matrix {
    dim: usize,
    ids: Vec<String>,
    data: Vec<f32>,
    /// The row of each id.
    rows: HashMap<String, usize>,
    /// The largest rowid of the file read into it.
    read_to: i64,
    graph: Option<Graph>,
}

impl Matrix {
    /// The vector of `id`, if it has one.
    pub fn row(&self, id: &str) -> Option<std::borrow::Cow<'_, [f32]>> {
        if let Some(&i) = self.rows.get(id) {
            return Some(std::borrow::Cow::Borrowed(
                &self.data[i * self.dim..(i + 1) * self.dim],
            ));
        }
        let graph = self.graph.as_ref()?;
        let file = graph.file.lock().unwrap_or_else(|e| e.into_inner());
        file.get(id).ok().flatten().map(std::borrow::Cow::Owned)
    }

    /// The vectors of those of `ids` that have one (one read of the file for those not in
    /// memory).
    pub fn rows_of(&self, ids: &[&str]) -> HashMap<String, std::borrow::Cow<'_, [f32]>> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut away = Vec::new();
        for id in ids {
            match self.rows.get(*id) {
                Some(&i) => {
                    out.insert(
                        id.to_string(),
                        std::borrow::Cow::Borrowed(&self.data[i * self.dim..(i + 1) * self.dim]),
                    );
                }
                None => away.push(*id),
            }
        }
        if let (Some(graph), false) = (&self.graph, away.is_empty()) {
            let file = graph.file.lock().unwrap_or_else(|e| e.into_inner());
            for (id, v) in file.rows_by_id(&away).unwrap_or_default() {
                out.insert(id, std::borrow::Cow::Owned(v));
            }
        }
        out
    }

    /// The cosine of `query` and the vector of `id`.
    pub fn cosine(&self, query: &[f32], id: &str) -> Option<f32> {
        self.row(id).map(|row| super::dot(&row, query))
    }

    /// The vectors' dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The largest rowid of the file read into it: it grows with every vector stored since.
    pub fn read_to(&self) -> i64 {
        self.read_to
    }

    /// How many papers have a vector.
    pub fn len(&self) -> usize {
        // Counting the file's rows would read all of it (a second at a million): the graph's
        // keys (a few may be dead) and the rows in memory.
        self.graph.as_ref().map_or(0, |g| g.ann.len()) + self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the nearest-neighbour graph answers (else every search is exact).
    pub fn has_graph(&self) -> bool {
        self.graph.is_some()
    }

    /// The `k` papers nearest `query` (by dot product: the cosine of unit vectors), best first,
    /// ties by id, among those of `filter` (all when `None`) but `except`. Exact without the
    /// graph, and for a filter of at most [`EXACT_AT_MOST`] papers; otherwise the graph proposes
    /// candidates (more the fewer papers the filter keeps) and their exact cosines rank them.
    pub fn nearest(
        &self,
        query: &[f32],
        k: usize,
        filter: Option<&std::collections::HashSet<String>>,
        except: Option<&str>,
    ) -> Vec<(String, f32)> {
        if self.dim == 0 || query.len() != self.dim || k == 0 {
            return Vec::new();
        }
        let keep = |id: &str| except != Some(id) && filter.is_none_or(|f| f.contains(id));
        let Some(graph) = &self.graph else {
            return self.scan(query, k, keep);
        };
        let mut best: Vec<(String, f32)> = match filter {
            Some(f) if f.len() <= EXACT_AT_MOST => {
                let ids: Vec<&str> = f.iter().map(String::as_str).filter(|id| keep(id)).collect();
                self.rows_of(&ids)
                    .into_iter()
                    .map(|(id, v)| {
                        let c = super::dot(&v, query);
                        (id, c)
                    })
                    .collect()
            }
            _ => {
                let share = filter.map_or(1.0, |f| f.len() as f64 / self.len().max(1) as f64);
                let want = ((k + 1) as f64 * 2.0 / share.max(1e-9))
                    .ceil()
                    .min(GRAPH_AT_MOST as f64) as usize;
                let keys = graph.ann.search(query, want.max(k + 1));
                let found = {
                    let file = graph.file.lock().unwrap_or_else(|e| e.into_inner());
                    file.rows_by_rowid(&keys).unwrap_or_default()
                };
                let mut best: Vec<(String, f32)> = found
                    .into_iter()
                    // A paper in memory is there with its newer vector.
                    .filter(|(_, id, _)| !self.rows.contains_key(id) && keep(id))
                    .map(|(_, id, v)| {
                        let c = super::dot(&v, query);
                        (id, c)
                    })
                    .collect();
                best.extend(self.scan(query, k, keep));
                best
            }
        };
        best.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        best.truncate(k);
        best
    }

    /// The `k` rows in memory nearest `query`, exactly, among those `keep` accepts.
    fn scan(
        &self,
        query: &[f32],
        k: usize,
        keep: impl Fn(&str) -> bool + Sync,
    ) -> Vec<(String, f32)> {
        use rayon::prelude::*;
        if self.ids.is_empty() {
            return Vec::new();
        }
        let best: Vec<(usize, f32)> = self
            .data
            .par_chunks(self.dim * 4096)
            .enumerate()
            .flat_map_iter(|(block, rows)| {
                let mut top: Vec<(usize, f32)> = rows
                    .chunks_exact(self.dim)
                    .enumerate()
                    .map(|(i, row)| (block * 4096 + i, super::dot(row, query)))
                    .collect();
                top.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
                let mut kept = Vec::with_capacity(k);
                for (i, score) in top {
                    if kept.len() == k {
                        break;
                    }
                    if keep(&self.ids[i]) {
                        kept.push((i, score));
                    }
                }
                kept
            })
            .collect();
        let mut best = best;
        best.sort_unstable_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.ids[a.0].cmp(&self.ids[b.0]))
        });
        best.truncate(k);
        best.into_iter()
            .map(|(i, s)| (self.ids[i].clone(), s))
            .collect()
    }
}
