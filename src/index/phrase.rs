//! Top-k phrase search that reads positions only where they can change the top k.
//!
//! Tantivy's phrase scorer reads the positions of every paper that holds all the words of the
//! phrase. For a phrase of common words that is most of the archive ("large language models": a
//! quarter of a million papers at 1M), although only the best ten are shown. A paper's phrase
//! frequency is at most the smallest frequency of its words, which the postings give without
//! positions; BM25 grows with the frequency, so when that bound cannot beat the current tenth
//! score, the paper is passed over unread. Scores are Tantivy's own (same BM25 weight, same
//! phrase count), so the hits are those of the plain phrase query.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// A phrase query (slop 0) whose top-k search prunes; everything else is the wrapped query's.
#[derive(Clone, Debug)]
pub struct PrunedPhraseQuery {
    phrase: PhraseQuery,
    /// The phrase's terms with their positions in the phrase.
    terms: Vec<(u32, Term)>,
}

impl PrunedPhraseQuery {
    /// Wraps `phrase`, whose terms and positions are `terms` (as the query parser made them).
    /// `None` when they do not describe the same phrase.
    pub fn new(phrase: PhraseQuery, terms: Vec<(u32, Term)>) -> Option<PrunedPhraseQuery> {
        let same =
            phrase.phrase_terms() == terms.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>();
        (same && terms.len() > 1).then_some(PrunedPhraseQuery { phrase, terms })
    }
}

impl Query for PrunedPhraseQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.phrase.weight(enable_scoring)?;
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
                Some(Bm25Weight::for_terms(statistics_provider, &terms)?)
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PrunedPhraseWeight {
            inner,
            bm25,
            terms: self.terms.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.phrase.query_terms(visitor);
    }
}

struct PrunedPhraseWeight {
    inner: Box<dyn Weight>,
    bm25: Option<Bm25Weight>,
    terms: Vec<(u32, Term)>,
}

impl Weight for PrunedPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.inner.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let Some(bm25) = &self.bm25 else {
            return self.inner.for_each_pruning(threshold, reader, callback);
        };
        let field = self.terms[0].1.field();
        let inverted = reader.inverted_index(field)?;
        // (shift, postings): positions + shift align every term on the phrase's last position.
        let last = self.terms.iter().map(|(p, _)| *p).max().unwrap_or(0);
        let mut lists: Vec<(u32, SegmentPostings)> = Vec::with_capacity(self.terms.len());
        for (position, term) in &self.terms {
            match inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(postings) => lists.push((last - position, postings)),
                None => return Ok(()),
            }
        }
        // The rarest word leads the intersection.
        lists.sort_by_key(|(_, p)| p.doc_freq());
        let norms = match reader.fieldnorms_readers().get_field(field)? {
            Some(norms) => norms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let (mut found, mut next) = (Vec::new(), Vec::new());
        let mut doc = lists[0].1.doc();
        'candidates: while doc != TERMINATED {
            for (_, postings) in &mut lists[1..] {
                // A list may already be past `doc` (`seek` wants a target ahead of it).
                let at = if postings.doc() < doc {
                    postings.seek(doc)
                } else {
                    postings.doc()
                };
                if at > doc {
                    doc = lists[0].1.seek(at);
                    continue 'candidates;
                }
            }
            let norm = norms.fieldnorm_id(doc);
            let bound = lists.iter().map(|(_, p)| p.term_freq()).min().unwrap_or(0);
            if bm25.score(norm, bound) > threshold {
                let count = phrase_count(&mut lists, &mut found, &mut next);
                if count > 0 {
                    let score = bm25.score(norm, count);
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
            doc = lists[0].1.advance();
        }
        Ok(())
    }
}

/// How often the phrase occurs in the current document of every list (all on the same document).
fn phrase_count(
    lists: &mut [(u32, SegmentPostings)],
    found: &mut Vec<u32>,
    next: &mut Vec<u32>,
) -> u32 {
    let (shift, first) = &mut lists[0];
    first.positions_with_offset(*shift, found);
    for (shift, postings) in &mut lists[1..] {
        if found.is_empty() {
            break;
        }
        postings.positions_with_offset(*shift, next);
        // Both sorted: keep the positions in both.
        let (mut i, mut j, mut kept) = (0, 0, 0);
        while i < found.len() && j < next.len() {
            match found[i].cmp(&next[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    found[kept] = found[i];
                    kept += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        found.truncate(kept);
    }
    found.len() as u32
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::{Index, TantivyDocument};

    use super::*;
    use crate::index::schema;

    /// A real index (on disk) of papers made of a few common words, so that phrases occur in many
    /// papers, several times in some, in texts of different lengths.
    fn index_of_common_words(dir: &std::path::Path) -> Index {
        let (schema, fields) = schema::build();
        let index = Index::create_in_dir(dir, schema).unwrap();
        schema::register_tokenizers(&index);
        let words = [
            "large",
            "language",
            "models",
            "graph",
            "knowledge",
            "of",
            "the",
        ];
        let mut writer = index.writer_with_num_threads(1, 20_000_000).unwrap();
        let mut seed: u64 = 0x1234_5678_9abc_def1;
        for i in 0..3000 {
            let len = 3 + i % 40;
            let text: Vec<&str> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    words[(seed % words.len() as u64) as usize]
                })
                .collect();
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.abs, text.join(" "));
            writer.add_document(doc).unwrap();
            if i == 1500 {
                writer.commit().unwrap(); // two segments
            }
        }
        writer.commit().unwrap();
        index
    }

    fn phrase(index: &Index, words: &[&str]) -> (PhraseQuery, Vec<(u32, Term)>) {
        let field = index.schema().get_field("abs").unwrap();
        let mut analyzer = index.tokenizer_for_field(field).unwrap();
        let mut terms = Vec::new();
        let text = words.join(" ");
        let mut stream = analyzer.token_stream(&text);
        while stream.advance() {
            let t = stream.token();
            terms.push((t.position as u32, Term::from_field_text(field, &t.text)));
        }
        let plain = PhraseQuery::new_with_offset(
            terms
                .iter()
                .map(|(p, t)| (*p as usize, t.clone()))
                .collect(),
        );
        (plain, terms)
    }

    #[test]
    fn the_top_k_equals_the_plain_phrase_query() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_of_common_words(dir.path());
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        for words in [
            &["large", "language", "models"][..],
            &["knowledge", "graph"],
            &["the", "the"],
            &["of", "the", "large", "graph"],
        ] {
            let (plain, terms) = phrase(&index, words);
            let pruned = PrunedPhraseQuery::new(plain.clone(), terms).unwrap();
            for k in [1, 10, 50] {
                let want = searcher.search(&plain, &TopDocs::with_limit(k)).unwrap();
                let got = searcher.search(&pruned, &TopDocs::with_limit(k)).unwrap();
                assert!(!want.is_empty(), "{words:?}");
                assert_eq!(got, want, "{words:?} top {k}");
            }
            assert_eq!(
                searcher
                    .search(&pruned, &tantivy::collector::Count)
                    .unwrap(),
                searcher.search(&plain, &tantivy::collector::Count).unwrap()
            );
        }
    }

    #[test]
    fn only_a_query_that_is_one_phrase_is_pruned() {
        let dir = tempfile::tempdir().unwrap();
        index_of_common_words(dir.path());
        let index = crate::index::SearchIndex::open_or_create(dir.path()).unwrap();
        let pruned = |q: &str| {
            index
                .parse_query(q)
                .unwrap()
                .downcast_ref::<PrunedPhraseQuery>()
                .is_some()
        };
        assert!(pruned("\"large language models\""));
        assert!(pruned("  \"knowledge graph\" "));
        assert!(!pruned("\"knowledge graph\" large"));
        assert!(!pruned("\"knowledge graph\"~2"));
        assert!(!pruned("ti:\"knowledge graph\""));
        assert!(!pruned("\"graph\""));
    }
}
