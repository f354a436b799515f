//! Search by words, by meaning, or by both.
//!
//! **Meaning** ranks the papers by the cosine of their vector and the query's, among those the
//! query's filter lets through (its operators, days and category: see `index::filter`).
//!
//! **Both** (hybrid) fuses two candidate lists: the words' best [`POOL`] (the ranked search) and
//! the meaning's best [`POOL`]. Each paper of either list gets both signals where it can: its
//! cosine always (every paper has a vector), its BM25 when the words found it (0 otherwise).
//! Each signal is scaled to [0, 1] inside its own list (BM25 by the best score; the cosine
//! between the pool's last and its best), and the two are blended with a weight that the query
//! itself decides: how much of the query the words' best paper holds ([`SearchResult::best_cover`],
//! by the words' idf). A query whose every word stands in a paper (a title remembered, keywords
//! from the abstract) leans on the words; a description in the reader's own words, of which the
//! best paper holds only a part, leans on meaning:
//!
//! `score = w * words + (1 - w) * meaning`, with `w = WORDS_AT_MOST * cover`
//!
//! so meaning always keeps at least `1 - WORDS_AT_MOST` of the say: a fixed blend or plain
//! reciprocal-rank fusion loses to the better signal on descriptions (see BENCHMARKS.md), and
//! this weighting does not. Ties: the newer first-listed day, then the id.
//!
//! [`SearchResult::best_cover`]: crate::index::query::SearchResult::best_cover

use std::collections::{HashMap, HashSet};

use crate::index::SearchIndex;
use crate::index::query::{Hit, SearchRequest, SearchResult, SortBy};

use super::vectors::Matrix;

/// How many of each signal's best papers the fusion considers.
pub const POOL: usize = 100;
/// The most weight the words ever get.
pub const WORDS_AT_MOST: f32 = 0.7;

/// The fusion's two numbers: the most weight the words get and the power of the cover (1: the
/// share itself). `ARXIV_DAILY_HYBRID_TUNE=AT_MOST,POWER` overrides them, for
/// benches/search-quality only (to measure other choices without a rebuild).
fn tune() -> (f32, f32) {
    let mut t = (WORDS_AT_MOST, COVER_POWER);
    if let Ok(s) = std::env::var("ARXIV_DAILY_HYBRID_TUNE") {
        let v: Vec<f32> = s.split(',').filter_map(|x| x.trim().parse().ok()).collect();
        if let [at_most, power] = v[..] {
            t = (at_most, power);
        }
    }
    t
}

/// The power of the cover in the words' weight.
pub const COVER_POWER: f32 = 1.0;

/// Which signals rank a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Words,
    Meaning,
    Hybrid,
}

/// A hit of a search by meaning or by both: its fused score and each signal's.
#[derive(Debug, Clone)]
pub struct Fused {
    pub hit: Hit,
    /// BM25, when the words found the paper.
    pub words: Option<f32>,
    /// The cosine of the query's vector and the paper's.
    pub meaning: Option<f32>,
    /// Which list the paper came from: "words", "meaning" or "both".
    pub found_by: &'static str,
}

/// What a search by meaning or both gives: the fused hits (a page of them) and the words'
/// search (its parsed query and words, for snippets and counts).
pub struct Found {
    pub hits: Vec<Fused>,
    pub words: SearchResult,
}

/// Searches `index` and the vectors `matrix` for `req` (whose query `vector` embeds), by `mode`
/// (meaning or hybrid; words is the index's own search).
pub fn search(
    index: &SearchIndex,
    matrix: &Matrix,
    vector: &[f32],
    req: &SearchRequest,
    mode: Mode,
) -> crate::index::Result<Found> {
    let wanted = req.offset + req.limit.max(1);
    let pool = POOL.max(wanted);
    let words = index.search(&SearchRequest {
        limit: pool,
        offset: 0,
        sort: SortBy::Relevance,
        query: req.query.clone(),
        from: req.from,
        to: req.to,
        category: req.category.clone(),
        threads: req.threads,
        all_words: req.all_words,
    })?;
    let filter: Option<HashSet<String>> = index.filter_ids(req)?;
    let near = matrix.nearest(vector, pool, filter.as_ref(), None);
    let lexical: HashMap<&str, &Hit> = words.hits.iter().map(|h| (h.id.as_str(), h)).collect();
    let semantic: HashMap<&str, f32> = near.iter().map(|(id, c)| (id.as_str(), *c)).collect();

    let mut fused: Vec<Fused> = Vec::new();
    match mode {
        Mode::Words => {
            for h in &words.hits {
                fused.push(Fused {
                    hit: h.clone(),
                    words: h.score,
                    meaning: matrix.cosine(vector, &h.id),
                    found_by: "words",
                });
            }
        }
        Mode::Meaning => {
            for (id, cosine) in &near {
                let lex = lexical.get(id.as_str());
                fused.push(Fused {
                    hit: Hit {
                        id: id.clone(),
                        score: Some(*cosine),
                        first_listed: lex.and_then(|h| h.first_listed),
                        held: lex.and_then(|h| h.held),
                    },
                    words: lex.and_then(|h| h.score),
                    meaning: Some(*cosine),
                    found_by: if lex.is_some() { "both" } else { "meaning" },
                });
            }
        }
        Mode::Hybrid => {
            let best_words = words
                .hits
                .iter()
                .filter_map(|h| h.score)
                .fold(0.0f32, f32::max);
            let (top, floor) = match (near.first(), near.last()) {
                (Some(t), Some(f)) => (t.1, f.1),
                _ => (1.0, 0.0),
            };
            let scale_meaning = |c: f32| {
                if top > floor {
                    ((c - floor) / (top - floor)).max(0.0)
                } else {
                    1.0
                }
            };
            let (at_most, power) = tune();
            let w = at_most * words.best_cover().unwrap_or(0.5).powf(power);
            let mut ids: Vec<&str> = words.hits.iter().map(|h| h.id.as_str()).collect();
            ids.extend(
                near.iter()
                    .map(|(id, _)| id.as_str())
                    .filter(|id| !lexical.contains_key(id)),
            );
            for id in ids {
                let lex = lexical.get(id);
                let bm25 = lex.and_then(|h| h.score);
                let cosine = semantic
                    .get(id)
                    .copied()
                    .or_else(|| matrix.cosine(vector, id));
                let words_part = match bm25 {
                    Some(s) if best_words > 0.0 => s / best_words,
                    _ => 0.0,
                };
                let meaning_part = cosine.map_or(0.0, scale_meaning);
                let score = w * words_part + (1.0 - w) * meaning_part;
                fused.push(Fused {
                    hit: Hit {
                        id: id.to_string(),
                        score: Some(score),
                        first_listed: lex.and_then(|h| h.first_listed),
                        held: lex.and_then(|h| h.held),
                    },
                    words: bm25,
                    meaning: cosine,
                    found_by: match (lex.is_some(), semantic.contains_key(id)) {
                        (true, true) => "both",
                        (true, false) => "words",
                        _ => "meaning",
                    },
                });
            }
        }
    }
    // First days for the tie rule (and the page) where the words' search did not give one.
    let missing: Vec<String> = fused
        .iter()
        .filter(|f| f.hit.first_listed.is_none() && !lexical.contains_key(f.hit.id.as_str()))
        .map(|f| f.hit.id.clone())
        .collect();
    if !missing.is_empty() {
        let days = index.first_days(&missing)?;
        for f in &mut fused {
            if let Some(d) = days.get(&f.hit.id) {
                f.hit.first_listed = *d;
            }
        }
    }
    fused.sort_by(|a, b| {
        b.hit
            .score
            .unwrap_or(0.0)
            .total_cmp(&a.hit.score.unwrap_or(0.0))
            .then_with(|| b.hit.first_listed.cmp(&a.hit.first_listed))
            .then_with(|| a.hit.id.cmp(&b.hit.id))
    });
    let hits = fused.into_iter().skip(req.offset).take(req.limit).collect();
    Ok(Found { hits, words })
}

/// The part of a query that carries its meaning: its words and phrases, without negated items
/// (`-term`), field prefixes (`ti:`) or the boolean grammar.
pub fn meaning_text(query: &str) -> String {
    let mut out = Vec::new();
    for item in query.split_whitespace() {
        if item.starts_with('-') || matches!(item, "AND" | "OR" | "NOT" | "&&" | "||") {
            continue;
        }
        let item = item.trim_start_matches('+');
        let item = match item.split_once(':') {
            Some((field, rest)) if field.chars().all(|c| c.is_ascii_alphabetic()) => rest,
            _ => item,
        };
        let item = item.trim_matches(|c| matches!(c, '"' | '(' | ')'));
        if !item.is_empty() {
            out.push(item);
        }
    }
    out.join(" ")
}
