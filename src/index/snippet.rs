//! Highlighted snippets. The abstract is not stored in the index: the caller passes the text it
//! read from SQLite, and the generator marks the words the query matched.

use std::cell::RefCell;
use std::ops::Range;

use rustc_hash::FxHashMap;
use tantivy::Score;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer};

use super::query::SearchResult;
use super::schema::{MAX_WORD, word_runs};
use super::stem::with_stem;
use super::{Result, SearchIndex};

/// A fragment of text and the byte ranges in it that matched the query.
#[derive(Debug, Clone, Default)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The fragment with each match wrapped in `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut at = 0;
        for &(start, end) in &self.highlights {
            if start < at || end > self.text.len() {
                continue;
            }
            out.push_str(&self.text[at..start]);
            out.push_str(open);
            out.push_str(&self.text[start..end]);
            out.push_str(close);
            at = end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// Builds snippets for one result set: from the abstract, or from the title when the abstract
/// holds no match. The generator of whole-text and `abs:` terms serves both (titles and abstracts
/// are analysed alike); a title generator is made only for queries with `ti:` terms.
pub struct Snippets {
    text: Generator,
    title: Option<Generator>,
}

/// Tantivy's `SnippetGenerator` with the `EN` analyzer, fragment for fragment, without its
/// per-text costs: it clones the analyzer for every text, builds, lower-cases and stems every
/// token, and lowercases each again to look it up. Here the words are cut as the analyzer cuts
/// them but only those that start like a query term are built and stemmed (an English stem keeps
/// its word's first letter), with the thread's stems of earlier pages.
struct Generator {
    /// Each query term's text and weight.
    terms: FxHashMap<String, Score>,
    /// The first bytes of the terms.
    firsts: [bool; 256],
    max_chars: usize,
}

thread_local! {
    /// Lower-cases and folds a word that is not ASCII, as the `EN` analyzer does.
    static NORMALIZER: RefCell<TextAnalyzer> = RefCell::new(
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

/// A fragment of the text: its byte range, score, and the ranges of its matches.
struct Fragment {
    range: Range<usize>,
    score: Score,
    highlights: Vec<Range<usize>>,
}

impl Generator {
    /// The best fragment of `text` (the highest score, the first of equals) and its matches, as
    /// Tantivy's `SnippetGenerator::snippet` finds it: fragments are cut where a token would end
    /// more than `max_chars` bytes after the fragment's start. An empty snippet when nothing matches.
    fn snippet(&self, text: &str) -> (String, Vec<Range<usize>>) {
        let mut best: Option<Fragment> = None;
        let mut current = Fragment {
            range: 0..0,
            score: 0.0,
            highlights: Vec::new(),
        };
        let keep = |best: &mut Option<Fragment>, fragment: Fragment| {
            if fragment.score > 0.0 && best.as_ref().is_none_or(|b| fragment.score > b.score) {
                *best = Some(fragment);
            }
        };
        let mut word = String::new();
        for token in word_runs(text).filter(|w| w.len() < MAX_WORD) {
            if token.end - current.range.start > self.max_chars {
                let start = token.start;
                let done = std::mem::replace(
                    &mut current,
                    Fragment {
                        range: start..start,
                        score: 0.0,
                        highlights: Vec::new(),
                    },
                );
                keep(&mut best, done);
            }
            current.range.end = token.end;
            if let Some(score) = self.score(&text[token.clone()], &mut word) {
                current.score += score;
                current.highlights.push(token);
            }
        }
        keep(&mut best, current);
        match best {
            Some(f) => (
                text[f.range.clone()].to_string(),
                f.highlights
                    .iter()
                    .map(|h| h.start - f.range.start..h.end - f.range.start)
                    .collect(),
            ),
            None => (String::new(), Vec::new()),
        }
    }

    /// The weight of the query term that the word `raw` is (as the analyzer makes it), if any;
    /// `word` is scratch space.
    fn score(&self, raw: &str, word: &mut String) -> Option<Score> {
        let first = raw.as_bytes()[0];
        word.clear();
        if first.is_ascii() {
            // Lower-casing and folding leave an ASCII first letter lower-cased.
            if !self.firsts[usize::from(first.to_ascii_lowercase())] {
                return None;
            }
            if raw.is_ascii() {
                word.push_str(raw);
                word.make_ascii_lowercase();
            } else {
                normalize(raw, word);
            }
        } else {
            normalize(raw, word);
            if !word
                .as_bytes()
                .first()
                .is_some_and(|b| self.firsts[usize::from(*b)])
            {
                return None;
            }
        }
        with_stem(word, |stem| self.terms.get(stem).copied())
    }
}

/// `raw` (a run of alphanumeric characters) lower-cased and folded into `word`.
fn normalize(raw: &str, word: &mut String) {
    NORMALIZER.with(|analyzer| {
        let mut analyzer = analyzer.borrow_mut();
        let mut stream = analyzer.token_stream(raw);
        if stream.advance() {
            word.push_str(&stream.token().text);
        }
    });
}

const MAX_CHARS: usize = 200;

impl SearchIndex {
    pub fn snippets(&self, result: &SearchResult) -> Result<Snippets> {
        // As `SnippetGenerator::create`.
        let stats = super::stats::ContentStats::new(&result.searcher, &self.path);
        // The terms of `fields` (all analysed alike) highlight the text of the first.
        let make = |fields: &[tantivy::schema::Field]| -> Result<Generator> {
            let mut terms = std::collections::BTreeSet::new();
            // A ranked search's common words find nothing by themselves but are words of the
            // query: its every-word query holds them all.
            for query in std::iter::once(&result.query).chain(result.all_words.as_ref()) {
                query.query_terms(&mut |term, _| {
                    if fields.contains(&term.field()) {
                        terms.insert(term.clone());
                    }
                });
            }
            let mut scored = FxHashMap::default();
            let mut firsts = [false; 256];
            for term in &terms {
                let value = term.value();
                let Some(text) = value.as_str() else {
                    continue;
                };
                // The live documents' frequency, as scores use: the same snippet whatever
                // deleted documents the index still holds.
                let doc_freq = stats.doc_freq(term).map_err(self.err())?;
                if doc_freq > 0 {
                    if let Some(b) = text.as_bytes().first() {
                        firsts[usize::from(*b)] = true;
                    }
                    scored.insert(text.to_string(), 1.0 / (1.0 + doc_freq as f32));
                }
            }
            Ok(Generator {
                terms: scored,
                firsts,
                max_chars: MAX_CHARS,
            })
        };
        let mut has_title_terms = false;
        result.query.query_terms(&mut |term, _| {
            has_title_terms |= term.field() == self.fields.title;
        });
        Ok(Snippets {
            text: make(&[self.fields.all, self.fields.abs])?,
            title: if has_title_terms {
                Some(make(&[self.fields.title])?)
            } else {
                None
            },
        })
    }
}

impl Snippets {
    pub fn make(&self, title: &str, abstract_text: &str) -> Snippet {
        let (mut text, mut highlights) = self.text.snippet(abstract_text);
        if highlights.is_empty() {
            let (t, h) = self.title.as_ref().unwrap_or(&self.text).snippet(title);
            if !h.is_empty() {
                (text, highlights) = (t, h);
            }
        }
        if text.is_empty() {
            let mut end = abstract_text.len().min(MAX_CHARS);
            while !abstract_text.is_char_boundary(end) {
                end -= 1;
            }
            return Snippet {
                text: abstract_text[..end].to_string(),
                highlights: vec![],
            };
        }
        Snippet {
            text,
            highlights: highlights.into_iter().map(|h| (h.start, h.end)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator cuts and picks fragments as Tantivy's `SnippetGenerator` with the index's
    /// analyzer does.
    #[test]
    fn fragments_are_tantivys() {
        let long = "x".repeat(MAX_WORD);
        let almost = "y".repeat(MAX_WORD - 1);
        let words = [
            "retrieval",
            "Retrieval",
            "models",
            "model",
            "of",
            "the",
            "Naïve",
            "naive",
            "graphs",
            "LLM",
            "数据",
            "x-ray",
            "über",
            "Über",
            "a",
            "generative",
            "Generation",
            "3.5x",
            "Ñandú",
            "ﬁne-tuned",
            long.as_str(),
            almost.as_str(),
        ];
        let terms: Vec<(&str, Score)> = vec![
            ("retriev", 0.5),
            ("model", 0.25),
            ("naiv", 0.9),
            ("graph", 0.25),
            ("uber", 0.4),
            ("nandu", 0.3),
            ("3", 0.1),
        ];
        let mut firsts = [false; 256];
        for (t, _) in &terms {
            firsts[usize::from(t.as_bytes()[0])] = true;
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut matched = 0;
        for n in 0..300 {
            let len = 1 + n % 120;
            let text = crate::index::random_words(&mut seed, &words, len);
            let text = text.join(if n % 3 == 0 { ", " } else { " " });
            for max_chars in [20, 50, 200] {
                let theirs = tantivy::snippet::SnippetGenerator::new(
                    terms.iter().map(|(t, s)| (t.to_string(), *s)).collect(),
                    crate::index::schema::english_analyzer(),
                    tantivy::schema::Field::from_field_id(0),
                    max_chars,
                )
                .snippet(&text);
                let ours = Generator {
                    terms: terms.iter().map(|(t, s)| (t.to_string(), *s)).collect(),
                    firsts,
                    max_chars,
                }
                .snippet(&text);
                assert_eq!(ours.0, theirs.fragment(), "{text:?} {max_chars}");
                assert_eq!(ours.1, theirs.highlighted(), "{text:?} {max_chars}");
                matched += ours.1.len();
            }
        }
        assert!(matched > 1000, "the texts hold matches ({matched})");
    }
}
