//! Text as the recommender sees it: lower-cased words (a letter first, then letters, digits or
//! `_`; two characters at least), English function words dropped, and each word and each pair
//! of neighbouring words a feature, weighted by sublinear tf-idf and normalized to unit length
//! (as arxiv-sanity-lite's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`). The
//! vocabulary and the document frequencies are those of the papers a model is trained on.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// A sparse unit vector: (feature, weight), by feature.
pub type Vector = Vec<(u32, f32)>;

/// A feature must be in at least this many of the training papers.
const MIN_DF: u32 = 2;
/// ... and in at most this share of them (a word of every paper tells none apart).
const MAX_DF: f32 = 0.5;
/// At most this many features, the most frequent kept.
const MAX_FEATURES: usize = 40_000;
/// A feature is stock phrasing ("extensive experiments", "however", "promising") when it is
/// common (in at least one text in `STOCK_SHARE`, and `STOCK_MIN_DF` texts) and spread evenly:
/// where it occurs it occurs about once (`STOCK_BURST` occurrences per text or fewer), as words
/// of no topic do; a topic's words come back within the texts that have them (Church and Gale's
/// burstiness). On the shared listings' abstracts, every word so marked is boilerplate
/// (introduce, demonstrate, outperforms, state-of-the-art) and topical words run at 1.15 and above
/// (speech recognition 1.18, retrieval 2.3). Such features still weigh in the model; they are only
/// never shown as a reason.
const STOCK_SHARE: f32 = 1.0 / 200.0;
const STOCK_MIN_DF: u32 = 10;
const STOCK_BURST: f32 = 1.06;

/// Scikit-learn's English stop words (`ENGLISH_STOP_WORDS`), the words no paper is recommended
/// for.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "afterwards",
    "again",
    "against",
    "all",
    "almost",
    "alone",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "amongst",
    "amoungst",
    "amount",
    "an",
    "and",
    "another",
    "any",
    "anyhow",
    "anyone",
    "anything",
    "anyway",
    "anywhere",
    "are",
    "around",
    "as",
    "at",
    "back",
    "be",
    "became",
    "because",
    "become",
    "becomes",
    "becoming",
    "been",
    "before",
    "beforehand",
    "behind",
    "being",
    "below",
    "beside",
    "besides",
    "between",
    "beyond",
    "bill",
    "both",
    "bottom",
    "but",
    "by",
    "call",
    "can",
    "cannot",
    "cant",
    "co",
    "con",
    "could",
    "couldnt",
    "cry",
    "de",
    "describe",
    "detail",
    "do",
    "done",
    "down",
    "due",
    "during",
    "each",
    "eg",
    "eight",
    "either",
    "eleven",
    "else",
    "elsewhere",
    "empty",
    "enough",
    "etc",
    "even",
    "ever",
    "every",
    "everyone",
    "everything",
    "everywhere",
    "except",
    "few",
    "fifteen",
    "fifty",
    "fill",
    "find",
    "fire",
    "first",
    "five",
    "for",
    "former",
    "formerly",
    "forty",
    "found",
    "four",
    "from",
    "front",
    "full",
    "further",
    "get",
    "give",
    "go",
    "had",
    "has",
    "hasnt",
    "have",
    "he",
    "hence",
    "her",
    "here",
    "hereafter",
    "hereby",
    "herein",
    "hereupon",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "hundred",
    "i",
    "ie",
    "if",
    "in",
    "inc",
    "indeed",
    "interest",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "keep",
    "last",
    "latter",
    "latterly",
    "least",
    "less",
    "ltd",
    "made",
    "many",
    "may",
    "me",
    "meanwhile",
    "might",
    "mill",
    "mine",
    "more",
    "moreover",
    "most",
    "mostly",
    "move",
    "much",
    "must",
    "my",
    "myself",
    "name",
    "namely",
    "neither",
    "never",
    "nevertheless",
    "next",
    "nine",
    "no",
    "nobody",
    "none",
    "noone",
    "nor",
    "not",
    "nothing",
    "now",
    "nowhere",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "otherwise",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "part",
    "per",
    "perhaps",
    "please",
    "put",
    "rather",
    "re",
    "same",
    "see",
    "seem",
    "seemed",
    "seeming",
    "seems",
    "serious",
    "several",
    "she",
    "should",
    "show",
    "side",
    "since",
    "sincere",
    "six",
    "sixty",
    "so",
    "some",
    "somehow",
    "someone",
    "something",
    "sometime",
    "sometimes",
    "somewhere",
    "still",
    "such",
    "system",
    "take",
    "ten",
    "than",
    "that",
    "the",
    "their",
    "them",
    "themselves",
    "then",
    "thence",
    "there",
    "thereafter",
    "thereby",
    "therefore",
    "therein",
    "thereupon",
    "these",
    "they",
    "thick",
    "thin",
    "third",
    "this",
    "those",
    "though",
    "three",
    "through",
    "throughout",
    "thru",
    "thus",
    "to",
    "together",
    "too",
    "top",
    "toward",
    "towards",
    "twelve",
    "twenty",
    "two",
    "un",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "whatever",
    "when",
    "whence",
    "whenever",
    "where",
    "whereafter",
    "whereas",
    "whereby",
    "wherein",
    "whereupon",
    "wherever",
    "whether",
    "which",
    "while",
    "whither",
    "who",
    "whoever",
    "whole",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether `word` (lower case) is a stop word: it never explains a recommendation.
pub fn is_stop_word(word: &str) -> bool {
    stop_words().contains(word)
}

fn stop_words() -> &'static rustc_hash::FxHashSet<&'static str> {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
}

/// A word of a text and whether it follows the word before it within one phrase (nothing
/// between them but spaces or a hyphen: no punctuation, number or function word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub joined: bool,
}

/// The words of a text, as features see them (lower case, stop words dropped), in order.
pub fn words(text: &str) -> Vec<Word> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    tokens(&lower, &mut out);
    out.into_iter()
        .map(|(t, joined)| Word {
            text: t.to_string(),
            joined,
        })
        .collect()
}

/// The words of a lower-cased text into `out` (cleared first): each with whether it follows
/// the one before within a phrase.
fn tokens<'t>(lower: &'t str, out: &mut Vec<(&'t str, bool)>) {
    out.clear();
    let stop = stop_words();
    let mut start = None;
    // Whether a phrase break came since the last kept word.
    let mut gap = true;
    let flush = |s: &'t str, out: &mut Vec<(&'t str, bool)>, gap: &mut bool| {
        if s.chars().nth(1).is_some() && !stop.contains(s) {
            out.push((s, !*gap));
            *gap = false;
        } else {
            *gap = true;
        }
    };
    for (i, c) in lower.char_indices() {
        let word_char = c.is_alphanumeric() || c == '_';
        match start {
            None if c.is_alphabetic() || c == '_' => start = Some(i),
            None if !(c.is_whitespace() || c == '-') => gap = true,
            None => {}
            Some(s) if !word_char => {
                flush(&lower[s..i], out, &mut gap);
                start = None;
                if !(c.is_whitespace() || c == '-') {
                    gap = true;
                }
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        flush(&lower[s..], out, &mut gap);
    }
}

/// The vocabulary of a set of training papers and its idf.
pub struct Features {
    words: FxHashMap<String, u32>,
    pairs: FxHashMap<(u32, u32), u32>,
    /// Raw feature (word, then pair, ids) to kept feature, or `u32::MAX`.
    kept: Vec<u32>,
    idf: Vec<f32>,
    /// Each kept feature as shown: the word, or the two words.
    names: Vec<String>,
    /// Each kept feature: stock phrasing, never shown as a reason (see `STOCK_BURST`).
    stock: Vec<bool>,
}

/// (raw feature, count) of one text, by feature.
type Counts = Vec<(u32, u32)>;

/// Sorted raw ids into (id, count).
fn run_lengths(mut ids: Vec<u32>) -> Counts {
    ids.sort_unstable();
    let mut out: Counts = Vec::with_capacity(ids.len());
    for id in ids {
        match out.last_mut() {
            Some((last, n)) if *last == id => *n += 1,
            _ => out.push((id, 1)),
        }
    }
    out
}

impl Features {
    /// Learns the vocabulary of `texts` and returns it with their vectors.
    pub fn fit(texts: &[String]) -> (Features, Vec<Vector>) {
        // Lower-casing is most of the text work, and each text's own: both cores.
        let lowered: Vec<String> = texts.par_iter().map(|t| t.to_lowercase()).collect();
        let mut words: FxHashMap<String, u32> = FxHashMap::default();
        let mut pairs: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        // Words and pairs share one id space; `raw_names` maps an id back ((w, MAX) for a word).
        let mut raw_names: Vec<(u32, u32)> = Vec::new();
        let mut buf = Vec::new();
        let mut counted: Vec<Counts> = Vec::with_capacity(texts.len());
        for lower in &lowered {
            tokens(lower, &mut buf);
            let mut ids = Vec::with_capacity(buf.len() * 2);
            let mut prev: Option<u32> = None;
            for &(w, joined) in &buf {
                let id = match words.get(w) {
                    Some(&id) => id,
                    None => {
                        let id = raw_names.len() as u32;
                        raw_names.push((id, u32::MAX));
                        words.insert(w.to_string(), id);
                        id
                    }
                };
                ids.push(id);
                if let Some(p) = prev.filter(|_| joined) {
                    let pid = *pairs.entry((p, id)).or_insert_with(|| {
                        raw_names.push((p, id));
                        raw_names.len() as u32 - 1
                    });
                    ids.push(pid);
                }
                prev = Some(id);
            }
            counted.push(run_lengths(ids));
        }
        let mut df = vec![0u32; raw_names.len()];
        let mut total = vec![0u64; raw_names.len()];
        for c in &counted {
            for &(f, n) in c {
                df[f as usize] += 1;
                total[f as usize] += u64::from(n);
            }
        }
        let n = texts.len().max(1);
        let max_df = ((MAX_DF * n as f32).floor() as u32).max(MIN_DF);
        let mut candidates: Vec<u32> = (0..raw_names.len() as u32)
            .filter(|&f| df[f as usize] >= MIN_DF && df[f as usize] <= max_df)
            .collect();
        // The most frequent first; equal counts by raw id (first seen), so it is deterministic.
        candidates.sort_by(|&a, &b| total[b as usize].cmp(&total[a as usize]).then(a.cmp(&b)));
        candidates.truncate(MAX_FEATURES);
        candidates.sort_unstable();
        let mut word_of = vec![""; raw_names.len()];
        for (w, &id) in &words {
            word_of[id as usize] = w.as_str();
        }
        let mut kept = vec![u32::MAX; raw_names.len()];
        let mut idf = Vec::with_capacity(candidates.len());
        let mut names = Vec::with_capacity(candidates.len());
        let stock_df = ((STOCK_SHARE * n as f32).ceil() as u32).max(STOCK_MIN_DF);
        let stock: Vec<bool> = candidates
            .iter()
            .map(|&f| {
                let (d, t) = (df[f as usize], total[f as usize]);
                d >= stock_df && (t as f32) < STOCK_BURST * d as f32
            })
            .collect();
        for (k, &f) in candidates.iter().enumerate() {
            kept[f as usize] = k as u32;
            idf.push(((1.0 + n as f32) / (1.0 + df[f as usize] as f32)).ln() + 1.0);
            let (a, b) = raw_names[f as usize];
            names.push(if b == u32::MAX {
                word_of[a as usize].to_string()
            } else {
                format!("{} {}", word_of[a as usize], word_of[b as usize])
            });
        }
        let features = Features {
            words,
            pairs,
            kept,
            idf,
            names,
            stock,
        };
        let vectors = counted.par_iter().map(|c| features.weigh(c)).collect();
        (features, vectors)
    }

    /// The vector of a text with this vocabulary (words it does not know count for nothing).
    pub fn vector(&self, text: &str) -> Vector {
        let lower = text.to_lowercase();
        let mut buf = Vec::new();
        tokens(&lower, &mut buf);
        let mut ids = Vec::with_capacity(buf.len() * 2);
        let mut prev: Option<u32> = None;
        for &(w, joined) in &buf {
            let id = self.words.get(w).copied();
            if let Some(id) = id {
                ids.push(id);
                if let Some(p) = prev.filter(|_| joined)
                    && let Some(&pid) = self.pairs.get(&(p, id))
                {
                    ids.push(pid);
                }
            }
            prev = id;
        }
        self.weigh(&run_lengths(ids))
    }

    fn weigh(&self, counts: &Counts) -> Vector {
        // Raw ids in order map to kept ids in order (both sorted): the vector comes out sorted.
        let mut v: Vector = counts
            .iter()
            .filter_map(|&(f, n)| {
                let k = *self.kept.get(f as usize)?;
                (k != u32::MAX).then(|| (k, (1.0 + (n as f32).ln()) * self.idf[k as usize]))
            })
            .collect();
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, x) in &mut v {
                *x /= norm;
            }
        }
        v
    }

    /// How many features the vocabulary keeps.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// A feature as shown to the reader.
    pub fn name(&self, feature: u32) -> &str {
        &self.names[feature as usize]
    }

    /// Whether a kept feature is stock phrasing, spread evenly over the texts it was fit on.
    pub fn is_stock(&self, feature: u32) -> bool {
        self.stock[feature as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dot product of two sparse vectors.
    fn dot(a: &Vector, b: &Vector) -> f32 {
        let (mut i, mut j, mut s) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    #[test]
    fn stock_phrasing_is_told_from_a_topics_words_by_how_it_spreads() {
        // "extensive experiments" once in two texts of five; "locomotion" in a fifth of them,
        // twice each time, as a topic's word comes back; "zebra" in two texts only.
        let texts: Vec<String> = (0..200)
            .map(|i| {
                let topic = if i % 5 == 0 {
                    "legged locomotion policies learn locomotion"
                } else {
                    "graph data"
                };
                let stock = if i % 5 < 2 {
                    "extensive experiments on "
                } else {
                    ""
                };
                let rare = if i < 2 { " zebra" } else { "" };
                format!("we run {stock}{topic} number{i}{rare}")
            })
            .collect();
        let (f, _) = Features::fit(&texts);
        let id = |name: &str| (0..f.len() as u32).find(|&k| f.name(k) == name);
        let stock = id("extensive experiments").expect("a feature");
        assert!(f.is_stock(stock));
        assert!(!f.is_stock(id("locomotion").expect("a feature")));
        assert!(!f.is_stock(id("zebra").expect("a feature")));
    }

    #[test]
    fn stop_words_are_sorted_for_the_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_are_lower_case_letters_first_without_function_words() {
        let got = words("The LLM-based RAG of 2 x3 _id and Müller's GPT4. Dense retrieval");
        let text: Vec<&str> = got.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            text,
            vec![
                "llm",
                "based",
                "rag",
                "x3",
                "_id",
                "müller",
                "gpt4",
                "dense",
                "retrieval"
            ]
        );
        // Pairs only within a phrase: not across "of 2", "and", "'s" or the full stop.
        let joined: Vec<bool> = got.iter().map(|w| w.joined).collect();
        assert_eq!(
            joined,
            vec![false, true, true, false, true, false, false, false, true]
        );
    }

    #[test]
    fn vectors_are_unit_length_over_words_and_pairs() {
        let texts: Vec<String> = [
            "graph neural networks for recommendation",
            "graph neural networks for molecules",
            "language models for recommendation",
            "speech recognition with transformers",
            "speech synthesis with transformers",
            "a survey of retrieval",
            "retrieval with language models",
            "molecules and proteins",
            "proteins folding",
            "vision transformers",
            "survey of vision",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (f, vs) = Features::fit(&texts);
        let names: Vec<&str> = (0..f.len() as u32).map(|k| f.name(k)).collect();
        assert!(names.contains(&"graph neural"), "{names:?}");
        for v in &vs {
            let n: f32 = v.iter().map(|(_, x)| x * x).sum();
            assert!(v.is_empty() || (n - 1.0).abs() < 1e-5);
        }
        let v = f.vector("Graph neural networks, again");
        assert!((dot(&v, &vs[0]) - dot(&v, &vs[1])).abs() < 1e-6);
        assert!(dot(&v, &vs[0]) > dot(&v, &vs[2]));
    }
}
