//! Highlighted snippets. The abstract is not stored in the index: the caller passes the text it
//! read from SQLite, and the generator marks the words the query matched.

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
/// holds no match.
pub struct Snippets {
    abs: SnippetGenerator,
    title: SnippetGenerator,
}

const MAX_CHARS: usize = 200;

impl SearchIndex {
    pub fn snippets(&self, result: &SearchResult) -> Result<Snippets> {
        let make = |field| -> Result<SnippetGenerator> {
            let mut g = SnippetGenerator::create(&result.searcher, &*result.query, field)
                .map_err(self.err())?;
            g.set_max_num_chars(MAX_CHARS);
            Ok(g)
        };
        Ok(Snippets {
            abs: make(self.fields.abs)?,
            title: make(self.fields.title)?,
        })
    }
}

impl Snippets {
    pub fn make(&self, title: &str, abstract_text: &str) -> Snippet {
        let from_abs = self.abs.snippet(abstract_text);
        let chosen = if from_abs.highlighted().is_empty() {
            let from_title = self.title.snippet(title);
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
