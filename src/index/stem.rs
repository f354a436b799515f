//! English (Porter) stemming with a per-thread cache, for the analyzer and for snippets. Word frequencies are Zipfian, so the same few
//! thousand words are stemmed over and over; the stemmer measured three quarters of
//! indexing time. The cache gives the same stems as Tantivy's `Stemmer` (same algorithm), so an index
//! built with either reads the same.

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The cache hashes with rustc's Fx hash (`rustc-hash`): its keys are words of the text being
/// indexed, so HashDoS resistance buys nothing here, and SipHash cost ~5% of a bulk import.
type Cache = rustc_hash::FxHashMap<String, String>;

/// Entries per cache; past this, words are stemmed without being remembered (the frequent ones are
/// in by then).
const CAPACITY: usize = 200_000;

#[derive(Clone, Default)]
pub struct CachedEnglishStemmer;

thread_local! {
    /// Each thread's stems: an indexing thread's, and a reader's (snippets stem the same words
    /// page after page).
    static STEMS: std::cell::RefCell<(Stemmer, Cache)> =
        std::cell::RefCell::new((Stemmer::create(Algorithm::English), Cache::default()));
}

/// `f` of the stem of `word` (lower-cased and folded, as the analyzer hands it to the stemmer),
/// from this thread's cache.
pub(crate) fn with_stem<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    STEMS.with(|cell| {
        let (stemmer, cache) = &mut *cell.borrow_mut();
        if let Some(stem) = cache.get(word) {
            return f(stem);
        }
        let stem = stemmer.stem(word).into_owned();
        let out = f(&stem);
        if cache.len() < CAPACITY {
            cache.insert(word.to_string(), stem);
        }
        out
    })
}

impl TokenFilter for CachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            buffer: String::new(),
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemStream {
            tail: self.inner.token_stream(text),
            buffer: &mut self.buffer,
        }
    }
}

pub struct CachedStemStream<'a, T> {
    tail: T,
    /// Where the stem is written before it takes the token's place.
    buffer: &'a mut String,
}

impl<T: TokenStream> TokenStream for CachedStemStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let buffer = &mut *self.buffer;
        with_stem(&token.text, |stem| {
            buffer.clear();
            buffer.push_str(stem);
        });
        std::mem::swap(&mut token.text, buffer);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{
        Language, LowerCaser, SimpleTokenizer, Stemmer as TantivyStemmer, TextAnalyzer,
    };

    use super::*;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.position));
        }
        out
    }

    #[test]
    fn same_stems_as_tantivy_with_the_cache_warm() {
        let text = "Large language models are modelling languages; the models generalize, generalizing generalization. Running runs ran.";
        let mut ours = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedEnglishStemmer)
            .build();
        let mut theirs = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(TantivyStemmer::new(Language::English))
            .build();
        let want = tokens(&mut theirs, text);
        assert_eq!(tokens(&mut ours, text), want);
        assert_eq!(tokens(&mut ours, text), want, "second pass, from the cache");
        assert!(want.iter().any(|(t, _, _)| t == "model"));
    }

    /// Snippets stem only the words that start like a query term: an English stem keeps its
    /// word's first letter, the exceptions of the algorithm included.
    #[test]
    fn a_stem_keeps_the_first_letter_of_its_word() {
        let words = [
            "dying",
            "lying",
            "tying",
            "skies",
            "skis",
            "news",
            "idly",
            "gently",
            "ugly",
            "early",
            "only",
            "singly",
            "yesterday",
            "youth",
            "yields",
            "ys",
            "y",
            "a",
            "is",
            "ies",
            "eed",
            "ied",
            "generalization",
            "communication",
            "arsenal",
            "sses",
            "aeds",
            "ingly",
            "e",
        ];
        for word in words {
            let stem = with_stem(word, str::to_string);
            assert_eq!(
                stem.as_bytes().first(),
                word.as_bytes().first(),
                "{word} -> {stem}"
            );
            let theirs = Stemmer::create(Algorithm::English).stem(word).into_owned();
            assert_eq!(stem, theirs, "the cache gives the stemmer's stem");
            assert_eq!(
                with_stem(word, str::to_string),
                theirs,
                "second time, cached"
            );
        }
    }
}
