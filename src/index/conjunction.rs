//! Top-k search of conjunctions (required terms and phrases in one field) that skips what cannot
//! reach the top k, block by block.
//!
//! Tantivy ranks a single term or a union with block-max WAND, but scores every paper of a
//! conjunction: "retrieval augmented generation" visits the 107,000 papers holding "augmented" at
//! 1M to keep 25. Here the postings advance together over regions where every word is inside one
//! compressed block (128 documents); the skip list of each block records its best score, so a
//! region whose blocks together cannot beat the k-th score so far is passed over without
//! decoding a document of it (Ding and Suel's block-max AND, as Lucene's block-max conjunction).
//! A phrase is bounded the same way: it occurs in a paper at most as often as its rarest word,
//! and its positions are read only for the papers whose bound can still make the top k ("large
//! language models" holds all three words in a quarter of a million papers at 1M). Scores are
//! Tantivy's own (the same BM25 weights, phrase counts and sum), so the hits are those of the
//! plain query.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings};
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

/// A conjunction of at least two terms, or of terms and at least one phrase (slop 0), in one
/// field, whose top-k search prunes; everything else (matching, counting, explaining) is the
/// wrapped query's.
#[derive(Debug)]
pub(crate) struct PrunedConjunction {
    inner: Box<dyn Query>,
    field: Field,
    parts: Vec<Part>,
}

impl PrunedConjunction {
    /// Wraps a phrase query, or a boolean query whose clauses are all required terms and phrases of
    /// one field, at least two of them or one a phrase. `None` for any other query (a single
    /// term is Tantivy's block-max WAND already).
    pub(crate) fn wrap(query: &dyn Query) -> Option<PrunedConjunction> {
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
        (one_field && (has_phrase || parts.len() >= 2)).then(|| PrunedConjunction {
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

impl Clone for PrunedConjunction {
    fn clone(&self) -> Self {
        PrunedConjunction {
            inner: self.inner.box_clone(),
            field: self.field,
            parts: self.parts.clone(),
        }
    }
}

impl Query for PrunedConjunction {
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
        Ok(Box::new(PrunedConjunctionWeight {
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

struct PrunedConjunctionWeight {
    inner: Box<dyn Weight>,
    /// One BM25 weight per part.
    bm25: Option<Vec<Bm25Weight>>,
    field: Field,
    parts: Vec<Part>,
}

/// One word of the conjunction: its part, its postings block by block (documents and
/// frequencies, and each block's best score from the skip list), and for a phrase word the
/// positions, read only for the papers that can make the top k.
struct Word {
    part: usize,
    blocks: BlockSegmentPostings,
    /// Where the current region starts in the loaded block, the block's last document and its
    /// best score (kept while regions stay inside the block).
    at: usize,
    last: DocId,
    max: Score,
    /// Phrase words: the shift that aligns the word's positions on the phrase's last position,
    /// and its postings with positions.
    positions: Option<(u32, SegmentPostings)>,
}

impl Word {
    /// Moves to the block that may hold `target`.
    fn load(&mut self, target: DocId, norms: &FieldNormReader, bm25: &Bm25Weight) {
        self.blocks.seek(target);
        self.at = 0;
        self.last = self.blocks.docs().last().copied().unwrap_or(TERMINATED);
        self.max = self.blocks.block_max_score(norms, bm25);
    }
}

impl Weight for PrunedConjunctionWeight {
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
        let mut words: Vec<Word> = Vec::new();
        for (part, p) in self.parts.iter().enumerate() {
            let terms: Vec<(Option<u32>, Term)> = match p {
                Part::Term(t) => vec![(None, t.clone())],
                Part::Phrase(terms) => {
                    let last = terms.iter().map(|(p, _)| *p).max().unwrap_or(0);
                    terms
                        .iter()
                        .map(|(p, t)| (Some(last - p), t.clone()))
                        .collect()
                }
            };
            for (shift, term) in terms {
                let Some(blocks) =
                    inverted.read_block_postings(&term, IndexRecordOption::WithFreqs)?
                else {
                    return Ok(());
                };
                let positions = match shift {
                    None => None,
                    Some(shift) => match inverted
                        .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)?
                    {
                        Some(postings) => Some((shift, postings)),
                        None => return Ok(()),
                    },
                };
                words.push(Word {
                    part,
                    blocks,
                    at: 0,
                    last: 0,
                    max: 0.0,
                    positions,
                });
            }
        }
        // The rarest word leads the intersection inside a region.
        words.sort_by_key(|w| w.blocks.doc_freq());
        let norms = match reader.fieldnorms_readers().get_field(self.field)? {
            Some(norms) => norms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let parts = self.parts.len();
        let mut bounds = vec![0.0 as Score; parts];
        let mut scan = Scan {
            parts: &self.parts,
            bm25,
            norms,
            freqs: vec![0u32; parts],
            found: Vec::new(),
            next: Vec::new(),
        };
        for w in &mut words {
            w.load(0, &scan.norms, &bm25[w.part]);
        }
        let mut target: DocId = 0;
        loop {
            // Every word on the block that holds `target` (most stay on theirs from the region
            // before); the region ends where the first of those blocks ends. Each part's bound
            // over the region: a term's block maximum, a phrase's the smallest of its words'
            // (scored with the phrase's weight).
            let mut up_to = TERMINATED;
            bounds.fill(Score::MAX);
            for w in &mut words {
                if w.last < target {
                    w.load(target, &scan.norms, &bm25[w.part]);
                }
                if w.last == TERMINATED || w.last < target {
                    return Ok(());
                }
                up_to = up_to.min(w.last);
                bounds[w.part] = bounds[w.part].min(w.max);
            }
            if bounds.iter().sum::<Score>() > threshold {
                for w in &mut words {
                    let docs = w.blocks.docs();
                    w.at += docs[w.at..].partition_point(|d| *d < target);
                }
                threshold = scan.region(&mut words, up_to, &bounds, threshold, callback);
            }
            if up_to == TERMINATED - 1 {
                return Ok(());
            }
            target = up_to + 1;
        }
    }
}

/// What scoring the papers of a segment needs, and its scratch space.
struct Scan<'a> {
    parts: &'a [Part],
    /// One BM25 weight per part.
    bm25: &'a [Bm25Weight],
    norms: FieldNormReader,
    /// Each part's frequency in the current paper.
    freqs: Vec<u32>,
    /// Phrase positions found so far, and those of the next word.
    found: Vec<u32>,
    next: Vec<u32>,
}

impl Scan<'_> {
    /// The papers of the region from each word's `at` to `up_to` (inclusive) that hold every
    /// part and score above the threshold, to `callback` (`bounds`: each part's most over the
    /// region); returns the last threshold.
    fn region(
        &mut self,
        words: &mut [Word],
        up_to: DocId,
        bounds: &[Score],
        mut threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> Score {
        let Scan {
            parts,
            bm25,
            norms,
            freqs,
            found,
            next,
        } = self;
        let (lead, rest) = words.split_first_mut().expect("a conjunction has words");
        // What the other parts can add over the region at most: a paper whose lead word scores
        // too little with it is passed over before the other words are looked up. (For a phrase
        // that the lead word belongs to, its frequency bounds the phrase's.)
        let others: Score = bounds
            .iter()
            .enumerate()
            .filter(|(part, _)| *part != lead.part)
            .map(|(_, b)| *b)
            .sum();
        let end = lead.at + lead.blocks.docs()[lead.at..].partition_point(|d| *d <= up_to);
        'docs: for i in lead.at..end {
            let doc = lead.blocks.docs()[i];
            let lead_freq = lead.blocks.freqs()[i];
            let norm = norms.fieldnorm_id(doc);
            if bm25[lead.part].score(norm, lead_freq) + others <= threshold {
                continue;
            }
            for w in rest.iter_mut() {
                let docs = w.blocks.docs();
                let mut at = w.at;
                // Every word's block reaches `up_to`, so this stops inside the block.
                while docs[at] < doc {
                    at += 1;
                }
                w.at = at;
                if docs[at] != doc {
                    continue 'docs;
                }
            }
            freqs.fill(u32::MAX);
            freqs[lead.part] = lead_freq;
            for w in rest.iter() {
                freqs[w.part] = freqs[w.part].min(w.blocks.freqs()[w.at]);
            }
            // Each part's frequency: exact for a term, a bound (its rarest word's) for a phrase.
            let score_of = |freqs: &[u32]| -> Score {
                bm25.iter().zip(freqs).map(|(w, f)| w.score(norm, *f)).sum()
            };
            if score_of(freqs) <= threshold {
                continue;
            }
            for (part, p) in parts.iter().enumerate() {
                if let Part::Phrase(_) = p {
                    freqs[part] = phrase_count(words_of(lead, rest, part), doc, found, next);
                    if freqs[part] == 0 {
                        continue 'docs;
                    }
                }
            }
            let score = score_of(freqs);
            if score > threshold {
                threshold = callback(doc, score);
            }
        }
        threshold
    }
}

/// The position postings of the words of phrase `part`.
fn words_of<'a>(
    lead: &'a mut Word,
    rest: &'a mut [Word],
    part: usize,
) -> impl Iterator<Item = &'a mut (u32, SegmentPostings)> {
    std::iter::once(lead)
        .chain(rest.iter_mut())
        .filter(move |w| w.part == part)
        .filter_map(|w| w.positions.as_mut())
}

/// How often a phrase occurs in `doc`, which holds all its words.
fn phrase_count<'a>(
    words: impl Iterator<Item = &'a mut (u32, SegmentPostings)>,
    doc: DocId,
    found: &mut Vec<u32>,
    next: &mut Vec<u32>,
) -> u32 {
    let mut first = true;
    for (shift, postings) in words {
        if postings.doc() < doc {
            postings.seek(doc);
        }
        debug_assert_eq!(postings.doc(), doc);
        if first {
            postings.positions_with_offset(*shift, found);
            first = false;
            continue;
        }
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
            let text = crate::index::random_words(&mut seed, &words, len);
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
        // Conjunctions of terms alone, analysed as the query parser would.
        for words in [
            &["large", "language", "models"][..],
            &["the", "of"],
            &["graph", "knowledge", "of", "the"],
        ] {
            let terms = phrase(&index, words).phrase_terms();
            queries.push(Box::new(BooleanQuery::new(
                terms
                    .into_iter()
                    .map(|t| {
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs));
                        (Occur::Must, q)
                    })
                    .collect(),
            )));
        }
        queries.push(Box::new(BooleanQuery::new(vec![
            (Occur::Must, term("of")),
            (
                Occur::Must,
                Box::new(phrase(&index, &["large", "language"])),
            ),
            (Occur::Must, Box::new(phrase(&index, &["the", "graph"]))),
        ])));
        for plain in queries {
            let pruned = PrunedConjunction::wrap(plain.as_ref()).expect("wrappable");
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
                .downcast_ref::<PrunedConjunction>()
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
        assert!(pruned("large graph"));
        assert!(!pruned("large"));
    }
}
