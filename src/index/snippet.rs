//! Highlighted snippets. The abstract is not stored in the index: the caller passes the text it
//! read from SQLite, and the generator marks the words the query matched.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::snippet::SnippetGenerator;

use super::query::SearchResult;
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
    text: SnippetGenerator,
    title: Option<SnippetGenerator>,
}

const MAX_CHARS: usize = 200;

impl SearchIndex {
    pub fn snippets(&self, result: &SearchResult) -> Result<Snippets> {
        // As `SnippetGenerator::create`, with an analyzer that stems only what can match.
        let stats = super::stats::ContentStats::new(&result.searcher, &self.path);
        // The terms of `fields` (all analysed alike) highlight the text of the first.
        let make = |fields: &[tantivy::schema::Field]| -> Result<SnippetGenerator> {
            let field = fields[0];
            let mut terms = std::collections::BTreeSet::new();
            result.query.query_terms(&mut |term, _| {
                if fields.contains(&term.field()) {
                    terms.insert(term.clone());
                }
            });
            let mut scored = std::collections::BTreeMap::new();
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
            Ok(SnippetGenerator::new(
                scored,
                super::schema::snippet_analyzer(firsts),
                field,
                MAX_CHARS,
            ))
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
        let from_abs = self.text.snippet(abstract_text);
        let chosen = if from_abs.highlighted().is_empty() {
            let from_title = self.title.as_ref().unwrap_or(&self.text).snippet(title);
            if from_title.highlighted().is_empty() {
                from_abs
            } else {
                from_title
            }
        } else {
            from_abs
        };
        let text = chosen.fragment().to_string();
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
        let highlights = chosen
            .highlighted()
            .iter()
            .map(|h| (h.start, h.end))
            .collect();
        Snippet { text, highlights }
    }
}
