//! Ranked search: the plain words of a query rank the papers that hold some of them.
//!
//! A query is read at its top level, item by item (items are separated by spaces outside quotes):
//!
//! - a **plain word** (no sign, no `field:` prefix, no quote, no grammar character) ranks: the
//!   papers holding any of the query's plain words are the hits, by relevance;
//! - an **operator** filters exactly as in the search language: `+word` and `field:term` and
//!   `"a phrase"` must occur, `-term` must not;
//! - a query with `AND`, `OR`, `NOT` or parentheses is a boolean expression and keeps its exact
//!   meaning as a whole (its unprefixed words are required, as on arXiv), and so does every query
//!   under `--all-words`.
//!
//! Ranking runs in two phases. The first is BM25 over the whole text (`all`: title words weigh
//! double) with the plain words as optional clauses: a union of term queries, which Tantivy
//! ranks with block-max WAND when nothing else is required. Stop words (Lucene's English list,
//! the one Tantivy ships) are left out of the ranking when other words remain. The second phase
//! re-scores the best [`POOL`] of that order with what BM25 cannot see: how much of the query a
//! paper holds (the share of the query's idf it covers) and whether the query's neighbouring
//! words stand near each other in it (a phrase, or words within [`NEAR`] positions):
//!
//! `score = bm25 * (1 + COVER * cover + CLOSE * close)`
//!
//! A word that more than [`COMMON`] of the papers hold ("models", "data") finds nothing by
//! itself: the hits are the papers holding one of the query's rarer words, and the common words
//! add their BM25 to the pool's scores (Lucene's common-terms rule; without it a sentence of
//! common words costs block-max WAND a pass over most of the archive). A query of common words
//! only uses them all. The full ranking is the pool in that order, then every other hit in the
//! BM25 order of the finding words (the pool's scores are at least that, so no paper below the
//! pool scores above one in it). Ties are
//! broken as everywhere: the newer first-announced day, then the id. Every `--limit`/`--offset`
//! is a slice of that list.

use tantivy::postings::Postings;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocAddress, DocSet, Searcher, Term};

use super::stats::ContentStats;
use super::{IndexError, Result, SearchIndex};

/// How many of the first phase's best papers the second phase re-scores.
pub(crate) const POOL: usize = 40;
/// A word that more than this share of the archive's papers hold is common: it ranks only the
/// papers that hold a rarer word of the query (Lucene's common-terms rule), unless every word of
/// the query is common.
const COMMON: f64 = 0.25;
/// ... and more than this many papers (below it a word's postings cost nothing to rank, and a
/// small archive keeps every word).
const COMMON_AT_LEAST: f64 = 10_000.0;
/// Two query words count as near when their positions differ by at most this.
const NEAR: u32 = 3;
/// The weight of the query's share (by idf) that a paper holds.
const COVER: f32 = 1.0;
/// The weight of the share of neighbouring query words that stand near each other.
const CLOSE: f32 = 0.5;
/// At most this many distinct ranking words are kept (a mask of 64 bits says which a paper holds).
pub(crate) const MAX_WORDS: usize = 64;

/// Lucene's English stop words (the list Tantivy's `StopWordFilter` ships for English).
const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The ranking part of a query: its plain words as terms of `all`, and the operators that filter.
pub(crate) struct Plan {
    /// The distinct terms of the plain words, in query order, with the word the user wrote.
    pub(crate) words: Vec<(Term, String)>,
    /// The operators, each parsed on its own: `Must` or `MustNot`.
    pub(crate) clauses: Vec<(Occur, Box<dyn Query>)>,
}

/// An item of a query's top level.
enum Item<'q> {
    Word(&'q str),
    Operator(&'q str),
}

/// The top-level items of `text`; `None` when the query is a boolean expression (it has `AND`,
/// `OR`, `NOT`, `&&`, `||` or parentheses), which keeps its exact meaning as a whole.
fn items(text: &str) -> Option<Vec<Item<'_>>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut quoted = false;
        let mut end = text.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => quoted = !quoted,
                '(' | ')' if !quoted => return None,
                c if c.is_whitespace() && !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let piece = &text[start..end];
        if matches!(piece, "AND" | "OR" | "NOT" | "&&" | "||") {
            return None;
        }
        if matches!(piece, "+" | "-") {
            // A dash between words of a sentence.
            continue;
        }
        out.push(if is_operator(piece) {
            Item::Operator(piece)
        } else {
            Item::Word(piece)
        });
    }
    Some(out)
}

/// Whether a top-level item is an operator of the search language: a sign, a quote, a
/// `field:value`, or a character of the grammar (`*` `^` `~` brackets, braces, `\\`). A word that
/// merely ends a clause with a colon (`instead:`) is a word.
fn is_operator(piece: &str) -> bool {
    if piece.starts_with(['+', '-'])
        || piece.contains(['"', '*', '^', '~', '[', ']', '{', '}', '\\'])
    {
        return true;
    }
    match piece.split_once(':') {
        Some((field, value)) => {
            super::query::PREFIXES.contains(&field) || !(value.is_empty() || field.is_empty())
        }
        None => false,
    }
}

impl SearchIndex {
    /// The ranking plan of `text`, or `None` when the query has no plain word to rank by or is a
    /// boolean expression (then it is searched exactly, every word required).
    pub(crate) fn plan(&self, text: &str) -> Result<Option<Plan>> {
        let Some(items) = items(text) else {
            return Ok(None);
        };
        let mut words: Vec<(Term, String, bool)> = Vec::new();
        let mut clauses = Vec::new();
        let mut analyzer = super::schema::english_analyzer();
        for item in items {
            match item {
                Item::Word(word) => {
                    for run in super::schema::word_runs(word) {
                        let raw = &word[run];
                        let stop = STOP_WORDS.contains(&raw.to_lowercase().as_str());
                        for term in analyze(&mut analyzer, raw) {
                            let term = Term::from_field_text(self.fields.all, &term);
                            if !words.iter().any(|(t, _, _)| *t == term) {
                                words.push((term, raw.to_string(), stop));
                            }
                        }
                    }
                }
                Item::Operator(op) => {
                    let (occur, body) = match op.strip_prefix('-') {
                        Some(rest) => (Occur::MustNot, rest),
                        None => (Occur::Must, op.strip_prefix('+').unwrap_or(op)),
                    };
                    if body.trim().is_empty() {
                        return Err(IndexError::Query {
                            query: text.to_string(),
                            message: format!("`{op}` has nothing after its sign"),
                        });
                    }
                    clauses.push((occur, self.parse_query(body)?));
                }
            }
        }
        // Stop words rank only when nothing else would.
        if words.iter().any(|(_, _, stop)| !stop) {
            words.retain(|(_, _, stop)| !stop);
        }
        if words.is_empty() {
            return Ok(None);
        }
        words.truncate(MAX_WORDS);
        Ok(Some(Plan {
            words: words.into_iter().map(|(t, w, _)| (t, w)).collect(),
            clauses,
        }))
    }
}

/// The terms the index's English analyzer makes of `raw`.
fn analyze(analyzer: &mut TextAnalyzer, raw: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(raw);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

impl Plan {
    /// The query that finds the hits: papers holding any of the words marked in `finders`,
    /// and every operator.
    pub(crate) fn some_words(&self, finders: &[bool]) -> Box<dyn Query> {
        self.with_operators(self.union(finders), Occur::Must)
    }

    /// The union of the words marked in `which` (their BM25 sum).
    pub(crate) fn union(&self, which: &[bool]) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = (0..self.words.len())
            .filter(|&i| which[i])
            .map(|i| {
                (
                    Occur::Should,
                    Box::new(self.term_query(i)) as Box<dyn Query>,
                )
            })
            .collect();
        if clauses.len() == 1 {
            return clauses.pop().expect("one clause").1;
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The papers holding every word (and passing the operators): the count's first half.
    pub(crate) fn all_words(&self) -> Box<dyn Query> {
        let all = BooleanQuery::new(
            (0..self.words.len())
                .map(|i| (Occur::Must, Box::new(self.term_query(i)) as Box<dyn Query>))
                .collect(),
        );
        self.with_operators(Box::new(all), Occur::Must)
    }

    /// Which words find the hits: those some but at most [`COMMON`] of the papers hold, or every
    /// word when none is such.
    pub(crate) fn finders(&self, stats: &ContentStats<'_>) -> tantivy::Result<Vec<bool>> {
        use tantivy::query::Bm25StatisticsProvider;
        let n = stats.total_num_docs()? as f64;
        let mut rare = Vec::with_capacity(self.words.len());
        for (term, _) in &self.words {
            // A word no paper holds finds nothing either.
            let df = stats.doc_freq(term)? as f64;
            rare.push(df > 0.0 && (df <= COMMON * n || df <= COMMON_AT_LEAST));
        }
        if !rare.contains(&true) {
            rare.iter_mut().for_each(|r| *r = true);
        }
        Ok(rare)
    }

    fn term_query(&self, i: usize) -> TermQuery {
        TermQuery::new(self.words[i].0.clone(), IndexRecordOption::WithFreqs)
    }

    fn with_operators(&self, words: Box<dyn Query>, occur: Occur) -> Box<dyn Query> {
        if self.clauses.is_empty() {
            return words;
        }
        let mut clauses = vec![(occur, words)];
        clauses.extend(self.clauses.iter().map(|(o, q)| (*o, q.box_clone())));
        Box::new(BooleanQuery::new(clauses))
    }

    /// Which words each paper holds (a bit per word) and which pairs of neighbouring words stand
    /// near each other in it (bit `i`: words `i` and `i + 1`), read from the postings.
    pub(crate) fn features(
        &self,
        searcher: &Searcher,
        docs: &[DocAddress],
    ) -> tantivy::Result<Vec<(u64, u64)>> {
        let mut out = vec![(0u64, 0u64); docs.len()];
        // Per segment, the papers in doc order.
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| (docs[i].segment_ord, docs[i].doc_id));
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); self.words.len()];
        let mut start = 0;
        while start < order.len() {
            let segment = docs[order[start]].segment_ord;
            let end = start
                + order[start..]
                    .iter()
                    .take_while(|&&i| docs[i].segment_ord == segment)
                    .count();
            let reader = searcher.segment_reader(segment);
            let inverted = reader.inverted_index(self.words[0].0.field())?;
            let mut postings = Vec::with_capacity(self.words.len());
            for (term, _) in &self.words {
                postings
                    .push(inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?);
            }
            for &i in &order[start..end] {
                let doc = docs[i].doc_id;
                let mut held = 0u64;
                for (w, p) in postings.iter_mut().enumerate() {
                    positions[w].clear();
                    if let Some(p) = p
                        && p.doc() <= doc
                        && p.seek(doc) == doc
                    {
                        held |= 1 << w;
                        p.positions(&mut positions[w]);
                    }
                }
                let mut near = 0u64;
                for w in 0..self.words.len().saturating_sub(1) {
                    if held >> w & 3 == 3 && closest(&positions[w], &positions[w + 1]) <= NEAR {
                        near |= 1 << w;
                    }
                }
                out[i] = (held, near);
            }
            start = end;
        }
        Ok(out)
    }

    /// Each word's idf, as BM25 weighs it.
    pub(crate) fn idfs(&self, stats: &ContentStats<'_>) -> tantivy::Result<Vec<f32>> {
        use tantivy::query::Bm25StatisticsProvider;
        let n = stats.total_num_docs()? as f32;
        self.words
            .iter()
            .map(|(term, _)| {
                let df = stats.doc_freq(term)? as f32;
                Ok((1.0 + (n - df + 0.5) / (df + 0.5)).ln())
            })
            .collect()
    }

    /// The second phase's score of a paper with BM25 score `bm25` and `features`.
    pub(crate) fn rescore(bm25: f32, (held, near): (u64, u64), idfs: &[f32]) -> f32 {
        let total: f32 = idfs.iter().sum();
        let cover: f32 = idfs
            .iter()
            .enumerate()
            .filter(|(w, _)| held >> w & 1 == 1)
            .map(|(_, idf)| idf)
            .sum::<f32>()
            / total.max(f32::MIN_POSITIVE);
        let pairs: f32 = idfs.windows(2).map(|p| p[0] + p[1]).sum();
        let close = if pairs > 0.0 {
            idfs.windows(2)
                .enumerate()
                .filter(|(w, _)| near >> w & 1 == 1)
                .map(|(_, p)| p[0] + p[1])
                .sum::<f32>()
                / pairs
        } else {
            0.0
        };
        bm25 * (1.0 + COVER * cover + CLOSE * close)
    }
}

/// The smallest distance between a position of `a` and one of `b` (both ascending).
fn closest(a: &[u32], b: &[u32]) -> u32 {
    let (mut i, mut j, mut best) = (0, 0, u32::MAX);
    while i < a.len() && j < b.len() {
        best = best.min(a[i].abs_diff(b[j]));
        if a[i] < b[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Option<Vec<(bool, String)>> {
        items(q).map(|items| {
            items
                .into_iter()
                .map(|i| match i {
                    Item::Word(w) => (true, w.to_string()),
                    Item::Operator(o) => (false, o.to_string()),
                })
                .collect()
        })
    }

    #[test]
    fn plain_words_rank_and_operators_filter() {
        let w = |s: &str| (true, s.to_string());
        let o = |s: &str| (false, s.to_string());
        assert_eq!(
            kinds(r#"robot grasping -survey cat:cs.RO "soft gripper" +tactile multi-modal"#),
            Some(vec![
                w("robot"),
                w("grasping"),
                o("-survey"),
                o("cat:cs.RO"),
                o("\"soft gripper\""),
                o("+tactile"),
                w("multi-modal"),
            ])
        );
        assert_eq!(
            kinds(r#"ti:"a b c" x"#),
            Some(vec![o(r#"ti:"a b c""#), w("x")])
        );
        for boolean in ["a OR b", "a AND b c", "(a b) c", "x NOT y", "a || b"] {
            assert_eq!(kinds(boolean), None, "{boolean}");
        }
        // Parentheses inside a phrase are words of the phrase.
        assert_eq!(kinds(r#""f(x)" y"#), Some(vec![o("\"f(x)\""), w("y")]));
    }

    #[test]
    fn closest_positions() {
        assert_eq!(closest(&[1, 10, 20], &[15, 30]), 5);
        assert_eq!(closest(&[7], &[8]), 1);
        assert_eq!(closest(&[], &[8]), u32::MAX);
    }

    #[test]
    fn a_paper_holding_more_of_the_query_scores_more() {
        let idfs = [2.0, 2.0, 2.0];
        let all = Plan::rescore(3.0, (0b111, 0), &idfs);
        let two = Plan::rescore(3.0, (0b011, 0), &idfs);
        let phrase = Plan::rescore(3.0, (0b111, 0b11), &idfs);
        assert!(phrase > all && all > two, "{phrase} {all} {two}");
    }
}
