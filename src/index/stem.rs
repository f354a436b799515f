//! English (Porter) stemming with a per-thread cache. Word frequencies are Zipfian, so the same few
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

/// Words that start with one of these bytes (indexed by byte); all words when absent.
type FirstBytes = Option<std::sync::Arc<[bool; 256]>>;

#[derive(Clone, Default)]
pub struct CachedEnglishStemmer {
    only: FirstBytes,
}

impl CachedEnglishStemmer {
    /// The stemmer for snippets: only words that start like one of the query's terms can match
    /// one, so only they are stemmed (an English stem keeps the word's first letter); the others
    /// pass through as they are. A snippet of ten abstracts then stems a few dozen words instead
    /// of a thousand.
    pub fn only_words_starting_with(firsts: [bool; 256]) -> CachedEnglishStemmer {
        CachedEnglishStemmer {
            only: Some(std::sync::Arc::new(firsts)),
        }
    }
}

impl TokenFilter for CachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            cache: Cache::default(),
            only: self.only,
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    cache: Cache,
    only: FirstBytes,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            only: self.only.as_deref(),
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

pub struct CachedStemStream<'a, T> {
    tail: T,
    cache: &'a mut Cache,
    only: Option<&'a [bool; 256]>,
    stemmer: Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(only) = self.only
            && !token
                .text
                .as_bytes()
                .first()
                .is_some_and(|b| only[usize::from(*b)])
        {
            return true;
        }
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = self.stemmer.stem(&token.text).into_owned();
        if self.cache.len() < CAPACITY {
            self.cache
                .insert(std::mem::take(&mut token.text), stem.clone());
        }
        token.text = stem;
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
            .filter(CachedEnglishStemmer::default())
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

    #[test]
    fn stemming_only_the_words_that_can_match_finds_the_same_matches() {
        let text = "Dying models; the Youth of yesterday's languages: modelling, languages, skies and news.";
        let mut full = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(TantivyStemmer::new(Language::English))
            .build();
        let all = tokens(&mut full, text);
        for query in [
            &["model", "languag"][..],
            &["die", "youth"],
            &["sky", "news"],
        ] {
            let mut firsts = [false; 256];
            for t in query {
                firsts[usize::from(t.as_bytes()[0])] = true;
            }
            let mut some = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(CachedEnglishStemmer::only_words_starting_with(firsts))
                .build();
            let matching = |toks: Vec<(String, usize, usize)>| -> Vec<(String, usize, usize)> {
                toks.into_iter()
                    .filter(|(t, _, _)| query.contains(&t.as_str()))
                    .collect()
            };
            let want = matching(all.clone());
            assert!(!want.is_empty(), "{query:?}");
            assert_eq!(matching(tokens(&mut some, text)), want, "{query:?}");
        }
    }
}
