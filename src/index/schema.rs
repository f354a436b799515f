//! The only place the index's fields are defined. Field names are the arXiv query prefixes, so
//! `ti:`, `au:`, `abs:`, `cat:`, `id:` and `all:` work in queries as they do on arXiv: `abs:` is the
//! abstract alone, `all:` the whole text (and the default field of unprefixed terms).

use tantivy::schema::{
    FAST, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{Index, schema::Field};

/// Tokenizer for titles and abstracts: words, lower-cased, ASCII-folded, English (Porter) stems
/// (cached: see `stem`).
pub(crate) const EN: &str = "arxiv_en";
/// Tokenizer for author names: no stemming (a name is not an English word).
pub(crate) const NAMES: &str = "arxiv_names";

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    /// The canonical arXiv id: one document per paper, the upsert key; the only stored field
    /// (everything a hit shows comes from SQLite, which keeps the index small); a fast field, so
    /// that tied hits are ordered by id without reading stored documents.
    pub id: Field,
    /// The title alone (`ti:`); positions for phrase queries.
    pub title: Field,
    /// `abs:` (the abstract alone, as on arXiv) for the query parser: declared, never filled.
    /// Its queries run over the abstract's part of `all` (see `abstract_query`).
    pub abs: Field,
    /// The whole text (`all:`, and the default field of unprefixed terms): the abstract first,
    /// then the title twice (a title word weighs double, BM25F-style) and the authors; positions
    /// for phrase queries; not stored (snippets take the text from SQLite).
    pub all: Field,
    /// Where the abstract's positions in `all` end: `abs:` matches below it.
    pub abs_end: Field,
    /// Authors, one string.
    pub authors: Field,
    /// Categories, untokenized (`cat:cs.IR`).
    pub cat: Field,
    /// Every day the paper was listed, as YYYYMMDD, for `--from`/`--to`.
    pub day: Field,
    /// The first listed day, as YYYYMMDD, for `--sort date`.
    pub first: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        title: b.add_text_field("ti", text(EN)),
        abs: b.add_text_field("abs", text(EN)),
        all: b.add_text_field("all", text(EN)),
        abs_end: b.add_u64_field("abs_end", FAST),
        authors: b.add_text_field("au", text(NAMES)),
        cat: b.add_text_field("cat", STRING),
        day: b.add_u64_field("day", INDEXED | FAST),
        first: b.add_u64_field("first", FAST),
    };
    (b.build(), fields)
}

pub(crate) fn fields(schema: &Schema) -> tantivy::Result<Fields> {
    let get = |name: &str| schema.get_field(name);
    Ok(Fields {
        id: get("id")?,
        title: get("ti")?,
        abs: get("abs")?,
        all: get("all")?,
        abs_end: get("abs_end")?,
        authors: get("au")?,
        cat: get("cat")?,
        day: get("day")?,
        first: get("first")?,
    })
}

/// The analyzer of `EN` fields, as registered: words, lower-cased, ASCII-folded, stemmed.
pub(crate) fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(super::stem::CachedEnglishStemmer)
        .build()
}

/// The positions the analyzer of `EN` fields gives `text` (its last token's position + 1). Only
/// the tokenizer and the long-word filter decide positions (the filters after them keep every
/// token), so this counts as they do, without building tokens: each run of `word_runs` takes the
/// next position, and one of `MAX_WORD` bytes or more is dropped.
pub(crate) fn positions_used(text: &str) -> u64 {
    let mut end = 0;
    for (position, run) in word_runs(text).enumerate() {
        if run.len() < MAX_WORD {
            end = position as u64 + 1;
        }
    }
    end
}

/// The byte ranges of the runs of alphanumeric characters in `text`: the tokens of
/// `SimpleTokenizer`, the first step of the analyzers, without building them.
pub(crate) fn word_runs(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    // Whether the character at byte `i` is alphanumeric, and its length.
    let at = move |i: usize| -> (bool, usize) {
        let b = text.as_bytes()[i];
        if b.is_ascii() {
            return (b.is_ascii_alphanumeric(), 1);
        }
        let c = text[i..].chars().next().expect("a character starts here");
        (c.is_alphanumeric(), c.len_utf8())
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            if i >= text.len() {
                return None;
            }
            let (alnum, len) = at(i);
            if alnum {
                break;
            }
            i += len;
        }
        let start = i;
        while i < text.len() {
            let (alnum, len) = at(i);
            if !alnum {
                break;
            }
            i += len;
        }
        Some(start..i)
    })
}

/// Longer words are dropped (no real word is; they are mostly URLs and formulas).
pub(crate) const MAX_WORD: usize = 40;

/// Registers the tokenizers; must run on every opened index before it is read or written.
pub(crate) fn register_tokenizers(index: &Index) {
    let en = english_analyzer();
    let names = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(EN, en);
    index.tokenizers().register(NAMES, names);
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    use super::*;

    #[test]
    fn positions_used_counts_as_the_analyzer_does() {
        let long = "x".repeat(MAX_WORD);
        for text in [
            "",
            "one",
            "Two words.",
            "Q&A: naïve 数据 über-fast, 3.5x!",
            &format!("ends with a long word {long}"),
            &format!("{long} starts it, then words"),
        ] {
            let mut analyzer = english_analyzer();
            let mut stream = analyzer.token_stream(text);
            let mut end = 0;
            while stream.advance() {
                end = (stream.token().position + stream.token().position_length) as u64;
            }
            assert_eq!(positions_used(text), end, "{text:?}");
        }
    }

    #[test]
    fn word_runs_are_the_tokenizers_tokens() {
        for text in [
            "",
            "   ",
            "one",
            "Two words.",
            "Q&A: naïve 数据 über-fast, 3.5x! ﬁne Ñandú—ok",
            "a\u{301}b c\u{200b}d 🙂x y🙂 é",
        ] {
            let mut tokenizer = SimpleTokenizer::default();
            let mut stream = tokenizer.token_stream(text);
            let mut want = Vec::new();
            while stream.advance() {
                want.push(stream.token().offset_from..stream.token().offset_to);
            }
            assert_eq!(word_runs(text).collect::<Vec<_>>(), want, "{text:?}");
        }
    }
}
