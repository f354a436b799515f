//! BM25 statistics that depend on the archive's content only, never on how the index got there.
//!
//! Tantivy's own statistics count deleted documents until a merge (document counts, term
//! document frequencies, token totals), and a merge of segments with deletes replaces exact token
//! totals by estimates from the field norms. So the same papers indexed in one go, or after a
//! killed and resumed import (whose upserts leave deleted documents behind), or after a rebuild,
//! would score differently. Here every statistic is a function of the live documents:
//!
//! - documents: the live documents;
//! - a term's document frequency: per segment, Tantivy's count where the segment has no deletes,
//!   else the live documents of its postings;
//! - a field's tokens: the sum of the field norms (the length Tantivy records per document) of the
//!   live documents. Counting them costs a pass over every document's norm, so each writer leaves
//!   the per-segment sums in a small file beside the index (`NORMS_FILE`); a segment it does not
//!   cover (a crash before it was written) is counted on the fly.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, SegmentReader, TERMINATED, Term};

/// The per-segment token sums, beside the index's own files (Tantivy removes only files it
/// manages, so this one stays).
pub(crate) const NORMS_FILE: &str = "arxiv-daily-norms.json";

/// The token sums of one segment's live documents, per field name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SegmentNorms {
    /// The segment's deleted documents when the sums were taken.
    deleted: u32,
    tokens: BTreeMap<String, u64>,
}

/// Segment uuid -> its sums.
pub(crate) type Norms = HashMap<String, SegmentNorms>;

/// Reads the norms file; a missing or unreadable one is empty (everything is then counted).
pub(crate) fn read_norms(index_dir: &Path) -> Norms {
    if index_dir.as_os_str().is_empty() {
        // An index in memory has no file beside it.
        return Norms::new();
    }
    std::fs::read(index_dir.join(NORMS_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Writes the sums of every segment of `searcher` (reusing those still valid), through a
/// temporary file and a rename.
pub(crate) fn write_norms(index_dir: &Path, searcher: &Searcher) -> std::io::Result<()> {
    let old = read_norms(index_dir);
    let schema = searcher.schema();
    let text_fields: Vec<(Field, String)> = schema
        .fields()
        .filter(|(_, entry)| entry.is_indexed() && entry.has_fieldnorms())
        .map(|(field, entry)| (field, entry.name().to_string()))
        .collect();
    let mut norms = Norms::new();
    for segment in searcher.segment_readers() {
        let key = segment.segment_id().uuid_string();
        let deleted = segment.num_deleted_docs();
        if let Some(kept) = old.get(&key).filter(|n| n.deleted == deleted) {
            norms.insert(key, kept.clone());
            continue;
        }
        let mut tokens = BTreeMap::new();
        for (field, name) in &text_fields {
            tokens.insert(name.clone(), live_tokens(segment, *field).map_err(to_io)?);
        }
        norms.insert(key, SegmentNorms { deleted, tokens });
    }
    crate::files::write_atomic(
        &index_dir.join(NORMS_FILE),
        &serde_json::to_vec(&norms).map_err(to_io)?,
        crate::files::Mode::Default,
    )
}

fn to_io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The sum of the field norms of the segment's live documents.
fn live_tokens(segment: &SegmentReader, field: Field) -> tantivy::Result<u64> {
    let Some(norms) = segment.fieldnorms_readers().get_field(field)? else {
        return Ok(0);
    };
    let mut count = [0u64; 256];
    match segment.alive_bitset() {
        None => {
            for doc in 0..segment.max_doc() {
                count[usize::from(norms.fieldnorm_id(doc))] += 1;
            }
        }
        Some(alive) => {
            for doc in 0..segment.max_doc() {
                if alive.is_alive(doc) {
                    count[usize::from(norms.fieldnorm_id(doc))] += 1;
                }
            }
        }
    }
    Ok(count
        .iter()
        .enumerate()
        .map(|(id, n)| n * u64::from(FieldNormReader::id_to_fieldnorm(id as u8)))
        .sum())
}

/// The statistics of the live documents of one searcher (see the module doc).
pub(crate) struct ContentStats<'a> {
    searcher: &'a Searcher,
    index_dir: &'a Path,
    /// The norms file, read when a token total is first asked for (snippets ask only document
    /// frequencies).
    norms: std::sync::OnceLock<Norms>,
    /// Token totals already summed, per field (a query asks once per term).
    tokens: Mutex<HashMap<Field, u64>>,
}

impl<'a> ContentStats<'a> {
    pub(crate) fn new(searcher: &'a Searcher, index_dir: &'a Path) -> ContentStats<'a> {
        ContentStats {
            searcher,
            index_dir,
            norms: std::sync::OnceLock::new(),
            tokens: Mutex::new(HashMap::new()),
        }
    }
}

impl Bm25StatisticsProvider for ContentStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.tokens.lock().ok().and_then(|t| t.get(&field).copied()) {
            return Ok(n);
        }
        let name = self.searcher.schema().get_field_name(field);
        let mut total = 0;
        for segment in self.searcher.segment_readers() {
            let cached = self
                .norms
                .get_or_init(|| read_norms(self.index_dir))
                .get(&segment.segment_id().uuid_string())
                .filter(|n| n.deleted == segment.num_deleted_docs())
                .and_then(|n| n.tokens.get(name).copied());
            total += match cached {
                Some(n) => n,
                None => live_tokens(segment, field)?,
            };
        }
        if let Ok(mut t) = self.tokens.lock() {
            t.insert(field, total);
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.searcher.num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut total = 0u64;
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(term.field())?;
            match segment.alive_bitset() {
                None => total += u64::from(inverted.doc_freq(term)?),
                Some(alive) => {
                    if let Some(mut postings) =
                        inverted.read_postings(term, IndexRecordOption::Basic)?
                    {
                        let mut doc = postings.doc();
                        while doc != TERMINATED {
                            if alive.is_alive(doc) {
                                total += 1;
                            }
                            doc = postings.advance();
                        }
                    }
                }
            }
        }
        Ok(total)
    }
}
