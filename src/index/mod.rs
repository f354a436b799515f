//! Tantivy, the derived full-text index. It holds one document per paper (its latest snapshot and
//! listing days) and remembers, in its commit payload, the last SQLite write batch it reflects, so
//! it can always catch up with the store, or be rebuilt from it. It never reads SQLite itself:
//! `ingest` feeds it.

pub(crate) mod abstract_query;
pub(crate) mod conjunction;
mod filter;
pub mod query;
pub(crate) mod ranked;
pub(crate) mod schema;
pub mod similar;
pub(crate) mod snippet;
pub(crate) mod stats;
pub mod stem;

use std::path::{Path, PathBuf};

use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::model::IndexDoc;
use schema::Fields;

/// What went wrong in the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Tantivy failed; the message says what.
    #[error("search index {path}: {error}")]
    Tantivy {
        path: PathBuf,
        error: tantivy::TantivyError,
    },
    /// The user's query could not be parsed.
    #[error("bad query {query:?}: {message}")]
    Query { query: String, message: String },
    /// The index was built by an older arxiv-daily with other fields.
    #[error(
        "search index {path} was built by an older arxiv-daily; run `arxiv-daily doctor --repair` to rebuild it"
    )]
    OldLayout { path: PathBuf },
    /// The index's own bookkeeping (its commit payload) does not parse: corruption, which
    /// `doctor` reports and `doctor --repair` fixes by rebuilding the index.
    #[error(
        "search index {path}: its commit payload {payload:?} does not parse ({message}); run `arxiv-daily doctor --repair`"
    )]
    Payload {
        path: PathBuf,
        payload: String,
        message: String,
    },
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// The index folder of an archive.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    path: PathBuf,
    /// A long-lived reader (the server's), reloaded by `reload`; one-shot readers build their own.
    kept: Option<IndexReader>,
    /// Each segment's `first` and `id` columns, opened once (an open reads the column's index:
    /// a tenth of a millisecond per segment, more than the rest of a one-word search).
    columns: std::sync::Mutex<rustc_hash::FxHashMap<tantivy::index::SegmentId, HitColumns>>,
}

/// The columns a hit is read from.
#[derive(Clone)]
pub(crate) struct HitColumns {
    pub(crate) first: tantivy::columnar::Column<u64>,
    pub(crate) id: tantivy::columnar::StrColumn,
    /// With a kept reader, every id of the segment decoded once, by term ordinal: finding one
    /// in the column's dictionary decodes part of a 4 KiB block (12 µs, a fifth of a one-word
    /// search page of 25 hits); decoded, a million ids take 14 MB.
    pub(crate) decoded: Option<std::sync::Arc<DecodedIds>>,
}

/// A segment's ids in term-ordinal order, one string.
pub(crate) struct DecodedIds {
    text: String,
    ends: Vec<u32>,
}

impl DecodedIds {
    fn of(column: &tantivy::columnar::StrColumn) -> std::io::Result<DecodedIds> {
        let mut text = Vec::new();
        let mut ends = Vec::with_capacity(column.num_terms());
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            text.extend_from_slice(stream.key());
            ends.push(text.len() as u32);
        }
        // Checked once as a whole (ids are ASCII; per id the check cost more than the decoding).
        let text = String::from_utf8(text)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(DecodedIds { text, ends })
    }

    /// The id of term ordinal `ord`.
    pub(crate) fn get(&self, ord: u64) -> Option<&str> {
        let ord = usize::try_from(ord).ok()?;
        let end = *self.ends.get(ord)? as usize;
        let start = if ord == 0 {
            0
        } else {
            self.ends[ord - 1] as usize
        };
        self.text.get(start..end)
    }
}

/// The version of what a document holds. 2: the title twice in the whole-text field; 3: the
/// whole text is `all` (abstract first, `abs_end` where it ends, for `abs:`), the id a fast field.
pub const LAYOUT: u32 = 3;

/// Writer memory budget. Tantivy splits it between its indexing threads; 700 MB on 2 threads keeps
/// segments large during bulk loads (200 MB measured half the throughput; the PERF-NOTES of the
/// project's shared folder, not part of this repository).
const BULK_BUDGET: usize = 700 << 20;
const SMALL_BUDGET: usize = 64 << 20;

impl SearchIndex {
    fn err(&self) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
        |error| IndexError::Tantivy {
            path: self.path.clone(),
            error,
        }
    }

    /// Opens the index in `dir`, creating it when absent.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex> {
        let wrap = |error| IndexError::Tantivy {
            path: dir.to_path_buf(),
            error,
        };
        let exists = dir.join("meta.json").is_file();
        let index = if exists {
            Index::open_in_dir(dir).map_err(wrap)?
        } else {
            std::fs::create_dir_all(dir).map_err(|e| wrap(e.into()))?;
            let (schema, _) = schema::build();
            Index::create_in_dir(dir, schema).map_err(wrap)?
        };
        schema::register_tokenizers(&index);
        // An index whose fields are not this version's (layout 2 had no `all`) was built by an
        // older arxiv-daily: only a rebuild helps.
        let fields = schema::fields(&index.schema()).map_err(|_| IndexError::OldLayout {
            path: dir.to_path_buf(),
        })?;
        Ok(SearchIndex {
            index,
            fields,
            path: dir.to_path_buf(),
            kept: None,
            columns: Default::default(),
        })
    }

    /// An empty index in memory with this version's schema and analyzers: saved-search profiles
    /// evaluate their query on one day's papers with it, exactly as `search` would.
    pub(crate) fn in_ram() -> SearchIndex {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        schema::register_tokenizers(&index);
        SearchIndex {
            index,
            fields,
            path: PathBuf::new(),
            kept: None,
            columns: Default::default(),
        }
    }

    /// The ids of `docs` that `query` matches, with the analyzers and semantics of `search`
    /// (the documents are indexed in memory; nothing is written to disk).
    pub(crate) fn matching(
        query: &str,
        docs: &[IndexDoc],
    ) -> Result<std::collections::HashSet<String>> {
        if docs.is_empty() {
            return Ok(Default::default());
        }
        let index = Self::in_ram();
        let mut writer: IndexWriter = index
            .index
            .writer_with_num_threads(1, 15_000_000)
            .map_err(index.err())?;
        for doc in docs {
            writer
                .add_document(index.document(doc))
                .map_err(index.err())?;
        }
        writer.commit().map_err(index.err())?;
        let result = index.search(&query::SearchRequest {
            query: query.to_string(),
            limit: docs.len(),
            // A profile is a filter: every word required.
            all_words: true,
            ..query::SearchRequest::default()
        })?;
        Ok(result.hits.into_iter().map(|h| h.id).collect())
    }

    /// Removes an index of an older layout and creates an empty one of this version's.
    pub fn recreate(dir: &Path) -> Result<SearchIndex> {
        match Self::open_or_create(dir) {
            Err(IndexError::OldLayout { .. }) => {
                std::fs::remove_dir_all(dir).map_err(|e| IndexError::Tantivy {
                    path: dir.to_path_buf(),
                    error: e.into(),
                })?;
                Self::open_or_create(dir)
            }
            other => other,
        }
    }

    /// Opens an existing index for reading; `None` when there is none yet.
    pub fn open_existing(dir: &Path) -> Result<Option<SearchIndex>> {
        if !dir.join("meta.json").is_file() {
            return Ok(None);
        }
        Self::open_or_create(dir).map(Some)
    }

    /// The last SQLite write batch this index reflects (0 for a new index).
    pub fn indexed_seq(&self) -> Result<i64> {
        Ok(self.payload()?.0)
    }

    /// The document layout the index was built with (see [`LAYOUT`]).
    pub fn layout(&self) -> Result<u32> {
        Ok(self.payload()?.1)
    }

    /// The indexed write batch and the layout, from the commit payload: `seq=N layout=L` (`seq=N` alone is layout 1; no payload is a new,
    /// empty index).
    ///
    /// Read from `meta.json` directly: Tantivy's `load_metas` also rebuilds the schema and every
    /// segment's meta, a tenth of a millisecond that a search would spend for one string.
    pub fn payload(&self) -> Result<(i64, u32)> {
        #[derive(serde::Deserialize)]
        struct Meta {
            payload: Option<String>,
        }
        let path = self.path.join("meta.json");
        let bytes = std::fs::read(&path).map_err(|e| self.err()(e.into()))?;
        let meta: Meta = serde_json::from_slice(&bytes).map_err(|e| {
            self.err()(tantivy::TantivyError::DataCorruption(
                tantivy::error::DataCorruption::new(path.clone(), e.to_string()),
            ))
        })?;
        let Some(payload) = meta.payload.as_deref() else {
            return Ok((0, LAYOUT));
        };
        parse_payload(payload).map_err(|message| IndexError::Payload {
            path: self.path.clone(),
            payload: payload.to_string(),
            message,
        })
    }

    pub fn reader(&self) -> Result<IndexReader> {
        if let Some(r) = &self.kept {
            return Ok(r.clone());
        }
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(self.err())
    }

    /// Keeps one reader for every search from now on (a server's): cheaper than opening the
    /// segments per request; `reload` brings it up to the latest commit.
    pub fn keep_reader(&mut self) -> Result<()> {
        self.kept = Some(self.reader()?);
        Ok(())
    }

    /// The hit columns of a segment of `searcher`, opened on first use; segments no longer in
    /// the searcher are forgotten.
    pub(crate) fn hit_columns(
        &self,
        searcher: &tantivy::Searcher,
        segment: &tantivy::SegmentReader,
    ) -> Result<HitColumns> {
        let key = segment.segment_id();
        if let Some(c) = self.columns.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(c);
        }
        let fast = segment.fast_fields();
        let id = fast.str("id").map_err(self.err())?.ok_or_else(|| {
            self.err()(tantivy::TantivyError::SchemaError(
                "id is not a fast field".into(),
            ))
        })?;
        // Decoding pays off over many searches only: a server's, with its kept reader.
        let decoded = match &self.kept {
            Some(_) => Some(std::sync::Arc::new(
                DecodedIds::of(&id).map_err(|e| self.err()(e.into()))?,
            )),
            None => None,
        };
        let columns = HitColumns {
            first: fast.u64("first").map_err(self.err())?,
            id,
            decoded,
        };
        if let Ok(mut map) = self.columns.lock() {
            let live: Vec<tantivy::index::SegmentId> = searcher
                .segment_readers()
                .iter()
                .map(|s| s.segment_id())
                .collect();
            map.retain(|k, _| live.contains(k));
            map.insert(key, columns.clone());
        }
        Ok(columns)
    }

    /// Picks up what writers committed since (a no-op without a kept reader).
    pub fn reload(&self) -> Result<()> {
        match &self.kept {
            Some(r) => r.reload().map_err(self.err()),
            None => Ok(()),
        }
    }

    /// Starts a write session; `bulk` picks the large memory budget and turns merging off.
    pub fn writer(&self, bulk: bool) -> Result<IndexSession<'_>> {
        let budget = if bulk { BULK_BUDGET } else { SMALL_BUDGET };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let writer: IndexWriter = self
            .index
            .writer_with_num_threads(threads, budget)
            .map_err(self.err())?;
        if bulk {
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        }
        Ok(IndexSession {
            index: self,
            writer,
            pending: 0,
            // An unreadable payload leaves the layout unknown (0, which `doctor` flags) until a
            // rebuild clears the index and writes the current one.
            layout: self.layout().unwrap_or(0),
        })
    }

    /// The Tantivy document of a paper.
    fn document(&self, doc: &IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_text(f.title, normalize(&doc.title));
        // `all` holds the whole text in separate values (Tantivy leaves a gap between values, so a
        // phrase never runs from the title into the abstract). The title goes in twice: a word of
        // the title weighs double, BM25F-style, in one field that a query can search alone.
        // The abstract first: its positions are `0..abs_end`, which is how `abs:` finds it.
        let title = normalize(&doc.title);
        let abstract_text = normalize(&doc.abstract_text);
        d.add_text(f.all, &abstract_text);
        d.add_text(f.all, &title);
        d.add_text(f.all, &title);
        d.add_text(f.all, normalize(&doc.authors));
        d.add_u64(f.abs_end, schema::positions_used(&abstract_text));
        d.add_text(f.authors, normalize(&doc.authors));
        for c in &doc.categories {
            d.add_text(f.cat, c);
        }
        for day in &doc.days {
            d.add_u64(f.day, day.number());
        }
        d.add_u64(f.first, doc.days.first().map_or(0, |d| d.number()));
        d
    }

    pub fn num_docs(&self) -> Result<u64> {
        Ok(self.reader()?.searcher().num_docs())
    }

    /// All ids in the index with how often each occurs (for `doctor`).
    pub fn all_ids(&self) -> Result<Vec<String>> {
        let reader = self.reader()?;
        let searcher = reader.searcher();
        let mut ids = Vec::new();
        for segment in searcher.segment_readers() {
            let store = segment
                .get_store_reader(64)
                .map_err(|e| self.err()(e.into()))?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let d: TantivyDocument = store.get(doc).map_err(self.err())?;
                if let Some(tantivy::schema::OwnedValue::Str(id)) =
                    d.get_first(self.fields.id).map(Into::into)
                {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }
}

/// An open index writer.
pub struct IndexSession<'a> {
    index: &'a SearchIndex,
    writer: IndexWriter,
    pending: u64,
    /// The layout the committed index will have: the current one only when every document was
    /// written by this version (a new or cleared index).
    layout: u32,
}

impl IndexSession<'_> {
    /// Adds the paper's document; `may_exist` false skips the delete of an older one, for papers
    /// known not to be in the index (each queued delete holds memory until the commit: about half a
    /// kilobyte, half a gigabyte over a million-paper load).
    pub fn add(&mut self, doc: &IndexDoc, may_exist: bool) -> Result<()> {
        let f = &self.index.fields;
        if may_exist {
            self.writer
                .delete_term(Term::from_field_text(f.id, &doc.id));
        }
        let d = self.index.document(doc);
        self.writer.add_document(d).map_err(self.index.err())?;
        self.pending += 1;
        Ok(())
    }

    /// Removes every document (before a full rebuild).
    pub fn clear(&mut self) -> Result<()> {
        self.layout = LAYOUT;
        self.writer
            .delete_all_documents()
            .map_err(self.index.err())?;
        Ok(())
    }

    /// Commits, recording `seq` as the SQLite batch the index now reflects; waits for merges.
    pub fn commit(mut self, seq: i64) -> Result<u64> {
        let mut prepared = self.writer.prepare_commit().map_err(self.index.err())?;
        prepared.set_payload(&format!("seq={seq} layout={}", self.layout));
        prepared.commit().map_err(self.index.err())?;
        self.writer
            .wait_merging_threads()
            .map_err(self.index.err())?;
        // The live token sums of the final segments, for history-independent scores.
        let searcher = self.index.reader()?.searcher();
        stats::write_norms(&self.index.path, &searcher).map_err(|e| self.index.err()(e.into()))?;
        Ok(self.pending)
    }
}

/// Parses `seq=N layout=L` (`seq=N` alone is layout 1). Anything else is an error, never a
/// silent 0: a sequence read as 0 would make the next writer add every paper a second time.
fn parse_payload(payload: &str) -> std::result::Result<(i64, u32), String> {
    let (mut seq, mut layout) = (None, 1);
    for part in payload.split_whitespace() {
        if let Some(v) = part.strip_prefix("seq=") {
            seq = Some(
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| format!("seq {v:?} is not a batch number"))?,
            );
        } else if let Some(v) = part.strip_prefix("layout=") {
            layout = v
                .parse()
                .map_err(|_| format!("layout {v:?} is not a number"))?;
        } else {
            return Err(format!("unknown part {part:?}"));
        }
    }
    Ok((seq.ok_or("no seq=")?, layout))
}

/// Text the legacy reports carry HTML-escaped (`Q&amp;A`) is indexed as plain text, so that search
/// sees `Q&A` either way.
pub(crate) fn normalize(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('&') {
        s.replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .into()
    } else {
        s.into()
    }
}

/// `len` words drawn from `words` by a xorshift generator (tests build texts with it).
#[cfg(test)]
pub(crate) fn random_words<'a>(seed: &mut u64, words: &[&'a str], len: usize) -> Vec<&'a str> {
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            words[(*seed % words.len() as u64) as usize]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_index_of_an_older_layout_is_recognised_and_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = tantivy::schema::Schema::builder();
        b.add_text_field("id", tantivy::schema::STRING | tantivy::schema::STORED);
        b.add_text_field("abs", tantivy::schema::TEXT);
        tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
        assert!(matches!(
            super::SearchIndex::open_existing(dir.path()),
            Err(super::IndexError::OldLayout { .. })
        ));
        let fresh = super::SearchIndex::recreate(dir.path()).unwrap();
        assert_eq!(fresh.num_docs().unwrap(), 0);
        assert!(
            super::SearchIndex::open_existing(dir.path())
                .unwrap()
                .is_some()
        );
    }

    /// An index written in `batches` commits of `per_batch` papers, `paper(batch, n)` giving
    /// each one's (pid, id, title, abstract); `bulk` as `SearchIndex::writer` takes it.
    fn index_of_batches(
        dir: &std::path::Path,
        batches: i64,
        per_batch: i64,
        bulk: bool,
        paper: impl Fn(i64, i64) -> (i64, String, String, String),
    ) -> super::SearchIndex {
        index_of_docs(dir, batches, per_batch, bulk, |batch, n| {
            let (pid, id, title, abstract_text) = paper(batch, n);
            crate::model::IndexDoc {
                pid,
                id,
                title,
                abstract_text,
                authors: "A. Author".into(),
                categories: vec!["cs.IR".into()],
                days: vec![],
            }
        })
    }

    /// As [`index_of_batches`], `doc(batch, n)` giving each paper's whole document.
    fn index_of_docs(
        dir: &std::path::Path,
        batches: i64,
        per_batch: i64,
        bulk: bool,
        doc: impl Fn(i64, i64) -> crate::model::IndexDoc,
    ) -> super::SearchIndex {
        let index = super::SearchIndex::open_or_create(dir).unwrap();
        for batch in 0..batches {
            let mut w = index.writer(bulk).unwrap();
            for n in 0..per_batch {
                // A later batch may replace a paper, as a catch-up of the writer does.
                w.add(&doc(batch, n), true).unwrap();
            }
            w.commit(batch + 1).unwrap();
        }
        index
    }

    /// Every `--limit` and `--offset` gives exactly the slice of the full ranking, whatever the
    /// segment layout and however many papers share a score: constant-score prefixes (`cat:`,
    /// `au:` of one name), single words, conjunctions, phrases, negations and filters, over
    /// indexes written in many batches (separate segments) and merged ones.
    #[test]
    fn every_top_k_is_the_head_of_the_full_ranking() {
        use crate::index::query::{SearchRequest, SortBy};
        let words = ["retrieval", "models", "paper", "graph", "of", "the"];
        let cats = [
            vec!["cs.AI"],
            vec!["cs.IR", "cs.AI"],
            vec!["cs.CL", "cs.IR", "cs.AI"],
            vec!["cs.IR"],
        ];
        let authors = ["A. Smith", "B. Jones and A. Smith", "C. Wu"];
        for (bulk, batches) in [(true, 6), (false, 4)] {
            let dir = tempfile::tempdir().unwrap();
            let mut seed: u64 = 0x5eed_1234_abcd_0042;
            let texts: Vec<(String, String)> = (0..24)
                .map(|n| {
                    (
                        crate::index::random_words(&mut seed, &words, 3).join(" "),
                        crate::index::random_words(&mut seed, &words, 4 + n * 2).join(" "),
                    )
                })
                .collect();
            let index = index_of_docs(dir.path(), batches, 200, bulk, |batch, n| {
                let pid = batch * 200 + n;
                let (title, abstract_text) = texts[(n % 24) as usize].clone();
                crate::model::IndexDoc {
                    pid,
                    // Later batches hold the lower ids, which win ties.
                    id: format!("2601.{:05}", 20_000 - pid),
                    title,
                    abstract_text,
                    authors: authors[(n % 3) as usize].into(),
                    categories: cats[(n % 4) as usize]
                        .iter()
                        .map(|c| c.to_string())
                        .collect(),
                    // Three first days, so that the day decides some ties.
                    days: vec![
                        crate::model::Day::from_number(20260101 + (pid % 3) as u64).unwrap(),
                    ],
                }
            });
            // A kept reader, as the server's (the CLI's one-shot reader gives the same hits:
            // `decoded_ids_are_the_columns_ids`), so that the thousands of searches stay quick.
            let mut index = index;
            index.keep_reader().unwrap();
            let segments = index.reader().unwrap().searcher().segment_readers().len();
            assert!(!bulk || segments >= batches as usize, "{segments} segments");
            let queries = [
                ("cat:cs.AI", None),
                ("cat:cs.IR OR cat:cs.CL", None),
                ("au:smith", None),
                ("retrieval", None),
                ("retrieval models", None),
                ("\"retrieval models\"", None),
                ("models -au:wu", None),
                ("graph OR models", None),
                ("models", Some("cs.AI")),
                // Ranked: the pool re-scored, the tail in BM25 order, ties in both.
                ("the graph of retrieval models in a study", None),
                ("graph retrieval", Some("cs.IR")),
            ];
            for (query, category) in queries {
                for sort in [SortBy::Relevance, SortBy::Date] {
                    let req = |limit: usize, offset: usize| SearchRequest {
                        query: query.into(),
                        category: category.map(Into::into),
                        limit,
                        offset,
                        sort,
                        ..Default::default()
                    };
                    let full = ids(&index, &req(100_000, 0));
                    assert!(full.len() > 100, "{query}: {} hits", full.len());
                    // Every k up to 200 (or to the last hit), and pages past the first.
                    let ks: Vec<usize> = match sort {
                        SortBy::Relevance => (1..=200).collect(),
                        SortBy::Date => (1..=200).step_by(9).collect(),
                    };
                    for k in ks {
                        let end = k.min(full.len());
                        assert_eq!(
                            ids(&index, &req(k, 0)),
                            full[..end],
                            "{query} {sort:?} k={k}"
                        );
                    }
                    for offset in [1, 13, 90] {
                        for k in [1, 2, 10, 25, 100] {
                            let end = (offset + k).min(full.len());
                            assert_eq!(
                                ids(&index, &req(k, offset)),
                                full[offset..end],
                                "{query} {sort:?} k={k} offset={offset}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// Over 10,000 papers a word more than a quarter of them hold finds nothing alone: the hits
    /// hold a rarer word, the common word adds its score to the pool's, and pages are still
    /// slices of one ranking.
    #[test]
    fn common_words_rank_only_papers_holding_a_rarer_word() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_of_batches(dir.path(), 2, 6_000, true, |batch, n| {
            let pid = batch * 6_000 + n;
            // Every paper holds "model"; one in 100 holds "stereo"; one in 7 "disparity".
            let mut text = String::from("a model of things");
            if pid % 100 == 0 {
                text.push_str(" for stereo");
            }
            if pid % 7 == 0 {
                text.push_str(" with disparity");
            }
            (pid, format!("2601.{pid:05}"), "Paper".into(), text)
        });
        let req = |limit: usize, offset: usize| crate::index::query::SearchRequest {
            query: "stereo disparity model".into(),
            limit,
            offset,
            ..Default::default()
        };
        let result = index.search(&req(100_000, 0)).unwrap();
        let counts = index.counts(&result).unwrap();
        // stereo: 120 papers; disparity: 1,715; both: 18; "model" (all 12,000) finds nothing.
        assert_eq!(counts.total, 120 + 1_715 - 18);
        assert_eq!(counts.all_words, Some(18));
        let full: Vec<String> = result.hits.iter().map(|h| h.id.clone()).collect();
        assert_eq!(full.len(), counts.total);
        let both: std::collections::HashSet<String> = (0..12_000i64)
            .filter(|p| p % 700 == 0)
            .map(|p| format!("2601.{p:05}"))
            .collect();
        assert!(
            full[..18].iter().all(|id| both.contains(id)),
            "the papers holding every word first: {:?}",
            &full[..18]
        );
        assert!(
            result
                .hits
                .iter()
                .all(|h| h.held.is_some_and(|m| m & 0b100 != 0)),
            "every hit holds the common word too, and says so"
        );
        for (k, offset) in [(10, 0), (25, 90), (7, 113), (50, 1_700)] {
            let page: Vec<String> = index
                .search(&req(k, offset))
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect();
            let end = (offset + k).min(full.len());
            assert_eq!(page, full[offset..end], "k={k} offset={offset}");
        }
    }

    /// An index of three segments, papers with few distinct texts (many equal scores).
    fn three_segments(dir: &std::path::Path) -> super::SearchIndex {
        index_of_batches(dir, 3, 400, false, |batch, n| {
            (
                n,
                format!("2601.{:05}", (n * 7919 + batch * 13) % 100_000),
                format!("Paper {} on retrieval", n % 5),
                "retrieval models ".repeat(1 + (n as usize % 9)),
            )
        })
    }

    fn ids(index: &super::SearchIndex, req: &crate::index::query::SearchRequest) -> Vec<String> {
        let hits = index.search(req).unwrap().hits;
        hits.into_iter().map(|h| h.id).collect()
    }

    /// A server's kept reader decodes each segment's ids once; its hits are the one-shot reader's.
    #[test]
    fn decoded_ids_are_the_columns_ids() {
        let dir = tempfile::tempdir().unwrap();
        let index = three_segments(dir.path());
        let req = crate::index::query::SearchRequest {
            query: "retrieval".into(),
            limit: 500,
            ..Default::default()
        };
        let plain = ids(&index, &req);
        let mut kept = super::SearchIndex::open_existing(dir.path())
            .unwrap()
            .unwrap();
        kept.keep_reader().unwrap();
        assert_eq!(plain.len(), 500);
        assert_eq!(ids(&kept, &req), plain);
        assert!(
            kept.columns
                .lock()
                .unwrap()
                .values()
                .all(|c| c.decoded.is_some())
        );
        assert!(
            index
                .columns
                .lock()
                .unwrap()
                .values()
                .all(|c| c.decoded.is_none())
        );
    }

    /// An index of four batches (four segments or more) of papers made of a few words: thirty
    /// texts, so that every score is shared by papers in every segment, the later batches with
    /// the lower ids (which win ties).
    fn segments_of_few_words(dir: &std::path::Path) -> super::SearchIndex {
        let words = ["retrieval", "models", "paper", "graph", "of", "the"];
        let mut seed: u64 = 0x0dd_ba11_cafe_f00d;
        let titles: Vec<String> = (0..3)
            .map(|_| crate::index::random_words(&mut seed, &words, 3).join(" "))
            .collect();
        let abstracts: Vec<String> = (0..10)
            .map(|n| crate::index::random_words(&mut seed, &words, 2 + n * 3).join(" "))
            .collect();
        // In bulk: no merging, so the batches stay segments of their own.
        index_of_batches(dir, 4, 500, true, |batch, n| {
            let pid = batch * 500 + n;
            (
                pid,
                format!("2601.{:05}", 10_000 - pid),
                titles[n as usize % 3].clone(),
                abstracts[n as usize % 10].clone(),
            )
        })
    }

    /// A conjunction ranked on two threads (segments side by side, one threshold shared) gives
    /// the hits, scores and order of one thread, ties included.
    #[test]
    fn a_conjunction_on_two_threads_ranks_as_on_one() {
        let dir = tempfile::tempdir().unwrap();
        let index = segments_of_few_words(dir.path());
        let hits = |query: &str, limit: usize, offset: usize, threads: usize| {
            let req = crate::index::query::SearchRequest {
                query: query.into(),
                limit,
                offset,
                threads,
                // A conjunction: every word required.
                all_words: true,
                ..Default::default()
            };
            let result = index.search(&req).unwrap();
            assert!(result.searcher.segment_readers().len() >= 4);
            assert!(
                result
                    .query
                    .downcast_ref::<super::conjunction::PrunedConjunction>()
                    .is_some()
            );
            result
                .hits
                .into_iter()
                .map(|h| (h.id, h.score))
                .collect::<Vec<_>>()
        };
        for query in ["retrieval models", "\"retrieval models\"", "paper graph of"] {
            for (limit, offset) in [(1, 0), (5, 0), (25, 0), (25, 25), (50, 300), (2000, 0)] {
                let one = hits(query, limit, offset, 1);
                assert!(!one.is_empty(), "{query}");
                assert_eq!(
                    hits(query, limit, offset, 2),
                    one,
                    "{query} {limit} {offset}"
                );
            }
        }
    }

    #[test]
    fn payloads_parse_or_fail_never_zero() {
        use super::parse_payload;
        assert_eq!(parse_payload("seq=12 layout=3"), Ok((12, 3)));
        assert_eq!(parse_payload("seq=7"), Ok((7, 1)));
        for bad in [
            "seq=x layout=3",
            "seq=-1",
            "layout=3",
            "seq=1 layout=",
            "garbage",
        ] {
            assert!(parse_payload(bad).is_err(), "{bad}");
        }
    }
}
