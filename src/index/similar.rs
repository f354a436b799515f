//! Similar papers: a tf-idf query built from one paper's title and abstract, run over the whole
//! text of every other paper with the search's own ranking and order.
//!
//! The paper's text is analysed as the index analyses it (the title counts twice, as in the
//! whole-text field); each word weighs its frequency times its idf over the live documents. The
//! strongest `TERMS` words (not those of one paper only, nor those in more than a fifth of all
//! papers, or half of a small archive) become optional clauses of which a hit needs at least one, each boosted by its weight in
//! the source, so that BM25 ranks papers that share the source's rarest and most repeated words
//! first. Measured against Tantivy's `MoreLikeThisQuery` in BENCHMARKS.md.

use std::collections::HashMap;

use tantivy::Term;
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TokenStream;

use super::query::{Hit, SearchRequest};
use super::stats::ContentStats;
use super::{Result, SearchIndex};

/// Words of the source paper that make the query.
const TERMS: usize = 12;

/// English function words (Lucene's list, which Tantivy's stop-word filter uses, and a few more
/// that papers use everywhere): never a reason two papers are alike.
const STOP_WORDS: [&str; 44] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with", "we", "our", "which", "can", "from", "has",
    "have", "been", "its", "also", "than",
];

/// One word of the source's query: its stem (as indexed), the word as the source wrote it, and
/// its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarTerm {
    pub stem: String,
    pub word: String,
    pub weight: f32,
}

/// The hits, and the words they were sought by (strongest first).
#[derive(Debug, Clone)]
pub struct SimilarResult {
    pub hits: Vec<Hit>,
    pub terms: Vec<SimilarTerm>,
}

impl SearchIndex {
    /// The papers most like the one with this id, title and abstract (never itself). `req` gives
    /// the limit, offset and filters; its query and sort are ignored.
    pub fn similar(
        &self,
        id: &str,
        title: &str,
        abstract_text: &str,
        req: &SearchRequest,
    ) -> Result<SimilarResult> {
        let reader = self.reader()?;
        let searcher = reader.searcher();
        let stats = ContentStats::new(&searcher, &self.path);
        let docs = stats.total_num_docs().map_err(self.err())?.max(1);
        let mut counts: HashMap<String, (u32, String)> = HashMap::new();
        for (text, times) in [(title, 2), (abstract_text, 1)] {
            for (stem, word) in self.words(text) {
                let e = counts.entry(stem).or_insert((0, word));
                e.0 += times;
            }
        }
        let mut terms = Vec::new();
        for (stem, (tf, word)) in counts {
            if stem.len() < 3
                || stem.bytes().all(|b| b.is_ascii_digit())
                || STOP_WORDS.contains(&word.as_str())
            {
                continue;
            }
            let df = stats
                .doc_freq(&Term::from_field_text(self.fields.all, &stem))
                .map_err(self.err())?;
            // In one paper only (itself), or too common to tell papers apart: in more than a fifth
            // of a large archive, or half of a small one.
            if df <= 1 || df * 2 > docs || (docs >= 200 && df * 20 > docs) {
                continue;
            }
            let idf = (1.0 + (docs - df) as f32 / (df as f32 + 0.5)).ln();
            terms.push(SimilarTerm {
                stem,
                word,
                weight: (1.0 + (tf as f32).ln()) * idf,
            });
        }
        // Strongest first; equal weights by stem, so the query never depends on hash order.
        terms.sort_by(|a, b| {
            b.weight
                .partial_cmp(&a.weight)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.stem.cmp(&b.stem))
        });
        terms.truncate(TERMS);
        if terms.is_empty() {
            return Ok(SimilarResult {
                hits: Vec::new(),
                terms,
            });
        }
        let max = terms[0].weight;
        let should: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| {
                let q = TermQuery::new(
                    Term::from_field_text(self.fields.all, &t.stem),
                    IndexRecordOption::WithFreqs,
                );
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), t.weight / max)) as Box<dyn Query>,
                )
            })
            .collect();
        let query: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(should)) as Box<dyn Query>,
            ),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.id, id),
                    IndexRecordOption::Basic,
                )),
            ),
        ]));
        let req = SearchRequest {
            sort: super::query::SortBy::Relevance,
            ..req.clone()
        };
        let query = self.filtered(query, &req);
        let hits = self.top_hits(&searcher, query.as_ref(), &req)?;
        Ok(SimilarResult { hits, terms })
    }

    /// The same request answered with Tantivy's `MoreLikeThisQuery` over the whole-text field
    /// (for the comparison in BENCHMARKS.md; `similar` is what the commands use).
    pub fn more_like_this(
        &self,
        id: &str,
        title: &str,
        abstract_text: &str,
        req: &SearchRequest,
    ) -> Result<Vec<Hit>> {
        let reader = self.reader()?;
        let searcher = reader.searcher();
        let text = format!("{title}\n{title}\n{abstract_text}");
        let mlt = tantivy::query::MoreLikeThisQuery::builder()
            .with_min_doc_frequency(2)
            .with_min_term_frequency(1)
            .with_max_query_terms(TERMS)
            .with_min_word_length(3)
            .with_document_fields(vec![(
                self.fields.all,
                vec![tantivy::schema::OwnedValue::Str(text)],
            )]);
        let query: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(mlt) as Box<dyn Query>),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.id, id),
                    IndexRecordOption::Basic,
                )),
            ),
        ]));
        let query = self.filtered(query, req);
        self.top_hits(&searcher, query.as_ref(), req)
    }

    /// The (stem, word as written, lower-cased) pairs of a text, as the whole-text field indexes
    /// them.
    pub fn words(&self, text: &str) -> Vec<(String, String)> {
        let mut analyzer = super::schema::english_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            let word = text
                .get(t.offset_from..t.offset_to)
                .unwrap_or(&t.text)
                .to_lowercase();
            out.push((t.text.clone(), word));
        }
        out
    }
}
