//! Top-k search of conjunctions with phrases, reading positions only where they can change the
//! top k.
//!
//! Tantivy's phrase scorer reads the positions of every paper that holds all the words of the
//! phrase. For a phrase of common words that is most of the archive ("large language models": a
//! quarter of a million papers at 1M), although only the best ten are shown. A paper's phrase
//! frequency is at most the smallest frequency of its words, which the postings give without
//! positions, and BM25 grows with the frequency: when that bound, added to the exact scores of the
//! plain terms, cannot beat the current k-th score, the paper is passed over unread. Scores are
//! Tantivy's own (the same BM25 weights, phrase counts and sum), so the hits are those of the plain
//! query.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, EnableScoring, Explanation, Occur, PhraseQuery, Query, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// One required part of the conjunction: a term, or a phrase (its terms, each with its position
/// in the phrase).
#[derive(Clone, Debug)]
enum Part {
    Term(Term),
    Phrase(Vec<(u32, Term)>),
}

impl Part {
    fn terms(&self) -> Vec<Term> {
        match self {
            Part::Term(t) => vec![t.clone()],
            Part::Phrase(terms) => terms.iter().map(|(_, t)| t.clone()).collect(),
        }
    }
}

/// A conjunction of terms and at least one phrase (slop 0) in one field, whose top-k search
/// prunes; everything else (matching, counting, explaining) is the wrapped query's.
#[derive(Debug)]
pub(crate) struct PrunedPhraseQuery {
    inner: Box<dyn Query>,
    field: Field,
    parts: Vec<Part>,
}

impl PrunedPhraseQuery {
    /// Wraps a phrase query, or a boolean query whose clauses are all required terms and phrases of
    /// one field, at least one a phrase. `None` for any other query.
    pub(crate) fn wrap(query: &dyn Query) -> Option<PrunedPhraseQuery> {
        let parts: Vec<Part> = if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
            boolean
                .clauses()
                .iter()
                .map(|(occur, q)| match occur {
                    Occur::Must => part(q.as_ref()),
                    _ => None,
                })
                .collect::<Option<_>>()?
        } else {
            vec![part(query)?]
        };
        let field = parts.first()?.terms().first()?.field();
        let one_field = parts
            .iter()
            .flat_map(Part::terms)
            .all(|t| t.field() == field);
        let has_phrase = parts.iter().any(|p| matches!(p, Part::Phrase(_)));
        (one_field && has_phrase).then(|| PrunedPhraseQuery {
            inner: query.box_clone(),
            field,
            parts,
        })
    }
}

/// A term query, or a phrase query of consecutive words without slop. (`PhraseQuery` does not show
/// its positions or slop; its `Debug` does, and must equal that of the plain phrase of its terms.)
fn part(query: &dyn Query) -> Option<Part> {
    if let Some(term) = query.downcast_ref::<TermQuery>() {
        return Some(Part::Term(term.term().clone()));
    }
    let phrase = query.downcast_ref::<PhraseQuery>()?;
    let terms = phrase.phrase_terms();
    let plain = PhraseQuery::new(terms.clone());
    (format!("{phrase:?}") == format!("{plain:?}")).then(|| {
        Part::Phrase(
            terms
                .into_iter()
                .enumerate()
                .map(|(i, t)| (i as u32, t))
                .collect(),
        )
    })
}

impl Clone for PrunedPhraseQuery {
    fn clone(&self) -> Self {
        PrunedPhraseQuery {
            inner: self.inner.box_clone(),
            field: self.field,
            parts: self.parts.clone(),
        }
    }
}

impl Query for PrunedPhraseQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.inner.weight(enable_scoring)?;
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(
                self.parts
                    .iter()
                    .map(|p| Bm25Weight::for_terms(statistics_provider, &p.terms()))
                    .collect::<tantivy::Result<Vec<_>>>()?,
            ),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PrunedPhraseWeight {
            inner,
            bm25,
            field: self.field,
            parts: self.parts.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct PrunedPhraseWeight {
    inner: Box<dyn Weight>,
    /// One BM25 weight per part.
    bm25: Option<Vec<Bm25Weight>>,
    field: Field,
    parts: Vec<Part>,
}

/// The postings of one word of the conjunction: which part it belongs to, and the shift that
/// aligns a phrase word's positions on the phrase's last position.
struct List {
    part: usize,
    shift: u32,
    postings: SegmentPostings,
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
        let inverted = reader.inverted_index(self.field)?;
        let mut lists: Vec<List> = Vec::new();
        for (part, p) in self.parts.iter().enumerate() {
            let words = match p {
                Part::Term(t) => vec![(0, t.clone(), IndexRecordOption::WithFreqs)],
                Part::Phrase(terms) => {
                    let last = terms.iter().map(|(p, _)| *p).max().unwrap_or(0);
                    terms
                        .iter()
                        .map(|(p, t)| {
                            (
                                last - p,
                                t.clone(),
                                IndexRecordOption::WithFreqsAndPositions,
                            )
                        })
                        .collect()
                }
            };
            for (shift, term, option) in words {
                match inverted.read_postings(&term, option)? {
                    Some(postings) => lists.push(List {
                        part,
                        shift,
                        postings,
                    }),
                    None => return Ok(()),
                }
            }
        }
        // The rarest word leads the intersection.
        lists.sort_by_key(|l| l.postings.doc_freq());
        let norms = match reader.fieldnorms_readers().get_field(self.field)? {
            Some(norms) => norms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let mut freqs = vec![0u32; self.parts.len()];
        let (mut found, mut next) = (Vec::new(), Vec::new());
        let mut doc = lists[0].postings.doc();
        'candidates: while doc != TERMINATED {
            for list in &mut lists[1..] {
                // A list may already be past `doc` (`seek` wants a target ahead of it).
                let at = if list.postings.doc() < doc {
                    list.postings.seek(doc)
                } else {
                    list.postings.doc()
                };
                if at > doc {
                    doc = lists[0].postings.seek(at);
                    continue 'candidates;
                }
            }
            // Each part's frequency: exact for a term, a bound (its rarest word's) for a phrase.
            freqs.fill(u32::MAX);
            for list in &lists {
                freqs[list.part] = freqs[list.part].min(list.postings.term_freq());
            }
            let norm = norms.fieldnorm_id(doc);
            let score_of = |freqs: &[u32]| -> Score {
                bm25.iter().zip(freqs).map(|(w, f)| w.score(norm, *f)).sum()
            };
            if score_of(&freqs) > threshold {
                let mut matches = true;
                for (part, p) in self.parts.iter().enumerate() {
                    if let Part::Phrase(_) = p {
                        freqs[part] = phrase_count(&mut lists, part, &mut found, &mut next);
                        if freqs[part] == 0 {
                            matches = false;
                            break;
                        }
                    }
                }
                if matches {
                    let score = score_of(&freqs);
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
            doc = lists[0].postings.advance();
        }
        Ok(())
    }
}

/// How often the phrase `part` occurs in the current document (all lists are on it).
fn phrase_count(lists: &mut [List], part: usize, found: &mut Vec<u32>, next: &mut Vec<u32>) -> u32 {
    let mut first = true;
    for list in lists.iter_mut().filter(|l| l.part == part) {
        if first {
            list.postings.positions_with_offset(list.shift, found);
            first = false;
            continue;
        }
        if found.is_empty() {
            break;
        }
        list.postings.positions_with_offset(list.shift, next);
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
            doc.add_text(fields.all, text.join(" "));
            writer.add_document(doc).unwrap();
            if i == 1500 {
                writer.commit().unwrap(); // two segments
            }
        }
        writer.commit().unwrap();
        index
    }

    /// The phrase query of `words`, analysed as the query parser would.
    fn phrase(index: &Index, words: &[&str]) -> PhraseQuery {
        let field = index.schema().get_field("all").unwrap();
        let mut analyzer = index.tokenizer_for_field(field).unwrap();
        let mut terms = Vec::new();
        let text = words.join(" ");
        let mut stream = analyzer.token_stream(&text);
        while stream.advance() {
            let t = stream.token();
            terms.push((t.position, Term::from_field_text(field, &t.text)));
        }
        PhraseQuery::new_with_offset(terms)
    }

    /// Hits as (score, doc) with the scores rounded: a conjunction's sum may be added in another
    /// order than Tantivy's, which changes the last bits.
    fn rounded(hits: Vec<(Score, tantivy::DocAddress)>) -> Vec<(i64, tantivy::DocAddress)> {
        hits.into_iter()
            .map(|(s, d)| ((s * 1e4).round() as i64, d))
            .collect()
    }

    #[test]
    fn the_top_k_equals_the_plain_query() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_of_common_words(dir.path());
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let field = index.schema().get_field("all").unwrap();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let mut queries: Vec<Box<dyn Query>> = Vec::new();
        for words in [
            &["large", "language", "models"][..],
            &["knowledge", "graph"],
            &["the", "the"],
            &["of", "the", "large", "graph"],
        ] {
            queries.push(Box::new(phrase(&index, words)));
        }
        queries.push(Box::new(BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(phrase(&index, &["knowledge", "graph"])),
            ),
            (Occur::Must, term("model")),
        ])));
        queries.push(Box::new(BooleanQuery::new(vec![
            (Occur::Must, term("of")),
            (
                Occur::Must,
                Box::new(phrase(&index, &["large", "language"])),
            ),
            (Occur::Must, Box::new(phrase(&index, &["the", "graph"]))),
        ])));
        for plain in queries {
            let pruned = PrunedPhraseQuery::wrap(plain.as_ref()).expect("wrappable");
            for k in [1, 10, 50] {
                let want = searcher.search(&plain, &TopDocs::with_limit(k)).unwrap();
                let got = searcher.search(&pruned, &TopDocs::with_limit(k)).unwrap();
                assert!(!want.is_empty(), "{plain:?}");
                assert_eq!(rounded(got), rounded(want), "{plain:?} top {k}");
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
    fn only_required_terms_and_phrases_are_pruned() {
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
        assert!(pruned("\"knowledge graph\" large"));
        assert!(!pruned("\"knowledge graph\" OR large"));
        assert!(!pruned("\"knowledge graph\" -large"));
        assert!(!pruned("\"knowledge graph\"~2"));
        assert!(!pruned("\"knowledge graph\" ti:large"));
        assert!(!pruned("\"graph\""));
        assert!(!pruned("large graph"));
    }
}
