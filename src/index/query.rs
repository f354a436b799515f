//! User queries: arXiv-like syntax on top of Tantivy's query grammar. Terms are ANDed, `OR` and
//! `-term` and `"phrases"` work, and the field prefixes `ti:`, `au:`, `abs:`, `cat:`, `id:` are
//! the index's field names. Filters (days, category) are added as required clauses.

use std::ops::Bound;

use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Term};

use super::conjunction::PrunedConjunction;
use super::stats::ContentStats;
use super::{IndexError, Result, SearchIndex};
use crate::model::Day;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// BM25 score, title words weighing double.
    #[default]
    Relevance,
    /// Newest first listing first.
    Date,
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    /// Inclusive day bounds.
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub category: Option<String>,
    pub limit: usize,
    /// Hits to skip (for pages): with the ordering rule, page 2 continues page 1 exactly.
    pub offset: usize,
    pub sort: SortBy,
    /// Threads a ranking that prunes block by block (a conjunction or phrase) may use: its
    /// segments are then searched side by side, sharing the score to beat. 0 or 1: the calling
    /// thread alone (a server under load has no idle core to lend).
    pub threads: usize,
    /// Every plain word required (the search language's exact meaning, as saved-search profiles
    /// use it) instead of ranking the papers that hold some of them (see `ranked`).
    pub all_words: bool,
}

/// What hits are ordered by first: the BM25 score, or the first listed day (YYYYMMDD).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
enum Key {
    Score(f32),
    Day(u64),
}

/// A hit: the paper id, its score (absent when sorted by date) and its first listed day.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub score: Option<f32>,
    /// The first day the paper was listed (from the index: no SQLite query).
    pub first_listed: Option<Day>,
    /// Which of the ranking words ([`SearchResult::words`]) the paper holds, a bit each (a ranked
    /// search only).
    pub held: Option<u64>,
}

/// The result of a search, with the parsed query kept for snippets.
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub query: Box<dyn Query>,
    pub searcher: tantivy::Searcher,
    /// The words that rank, as the user wrote them (empty when every word is required).
    pub words: Vec<String>,
    /// A ranked search's query for the papers that hold every word (for the count).
    pub all_words: Option<Box<dyn Query>>,
    /// The weight of each of `words` (its idf): how much of the query a paper holding it holds.
    pub weights: Vec<f32>,
}

impl SearchResult {
    /// The share of the query (by its words' weights) that the best hit holds: 1 when a paper
    /// holds every word, near 0 when the best holds only a minor one; `None` when every word
    /// was required or nothing was found.
    pub fn best_cover(&self) -> Option<f32> {
        let held = self.hits.first()?.held?;
        let total: f32 = self.weights.iter().sum();
        if self.weights.is_empty() || total <= 0.0 {
            return None;
        }
        let covered: f32 = self
            .weights
            .iter()
            .enumerate()
            .filter(|(i, _)| held >> i & 1 == 1)
            .map(|(_, w)| w)
            .sum();
        Some(covered / total)
    }
}

/// How many papers a search matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Every match: the papers holding some of the words (a ranked search), or all of them.
    pub total: usize,
    /// The papers holding every word (and passing the operators); `None` when every word is
    /// required anyway.
    pub all_words: Option<usize>,
}

/// Deepest nesting of parentheses we parse. Tantivy's query grammar backtracks exponentially in the
/// nesting depth (found by fuzzing: 29 unclosed `(` kept the parser busy for over ten minutes;
/// 20 take 0.8 s, 8 take microseconds), and no real query nests this deep.
const MAX_DEPTH: usize = 8;
const MAX_LEN: usize = 4096;

/// A candidate hit: its score, its first listed day (YYYYMMDD, the rule's first tie-break) and
/// where it is.
type Candidate = (f32, u64, DocAddress);

/// The `k` best papers seen so far by score and then the newer first day, every paper tied with
/// the `k`-th on both, and the score to beat.
struct TopWithTies {
    k: usize,
    kept: Vec<Candidate>,
    threshold: f32,
    /// The length at which `kept` is compacted next: at least `4k + 8`, and twice what the last
    /// compaction kept, so that a compaction's cost is spread over as many pushes as it keeps.
    limit: usize,
}

impl TopWithTies {
    fn new(k: usize) -> TopWithTies {
        TopWithTies {
            k,
            kept: Vec::with_capacity(4 * k + 8),
            threshold: f32::MIN,
            limit: 4 * k + 8,
        }
    }

    /// Keeps a paper; true when the threshold rose.
    fn push(&mut self, score: f32, first: u64, doc: DocAddress) -> bool {
        self.kept.push((score, first, doc));
        if self.kept.len() < self.limit {
            return false;
        }
        self.threshold = compact(&mut self.kept, self.k);
        self.limit = (4 * self.k + 8).max(2 * self.kept.len());
        true
    }
}

/// Keeps the `k` best of `kept` (score, then the newer first day) and those tied with the
/// `k`-th on both; returns the new threshold, one step below the `k`-th score so that papers
/// equal to it still come through. A constant-score query ties every paper on its score: the
/// day keeps what is kept to the `k` and a day's worth of ties, not every match.
fn compact(kept: &mut Vec<Candidate>, k: usize) -> f32 {
    kept.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    let (score, first, _) = kept[k - 1];
    let end = kept.partition_point(|(s, f, _)| *s > score || (*s == score && *f >= first));
    kept.truncate(end);
    just_below(score)
}

/// The highest threshold of the threads ranking segments side by side: each thread's `k`-th
/// best is at most the `k`-th best of all, so every thread may skip what does not beat it.
#[derive(Default)]
struct SharedThreshold(std::sync::atomic::AtomicU32);

impl SharedThreshold {
    /// The bits of an `f32` in an order that compares as the numbers do (0: none yet).
    fn key(x: f32) -> u32 {
        let bits = x.to_bits();
        if bits >> 31 == 1 {
            !bits
        } else {
            bits | 1 << 31
        }
    }

    fn get(&self) -> f32 {
        let key = self.0.load(std::sync::atomic::Ordering::Relaxed);
        if key == 0 {
            return f32::MIN;
        }
        f32::from_bits(if key >> 31 == 1 {
            key & !(1 << 31)
        } else {
            !key
        })
    }

    fn raise(&self, x: f32) {
        self.0
            .fetch_max(Self::key(x), std::sync::atomic::Ordering::Relaxed);
    }
}

/// The largest score below `s` (the pruning threshold that still lets `s` through).
fn just_below(s: f32) -> f32 {
    if s > 0.0 {
        f32::from_bits(s.to_bits() - 1)
    } else if s == 0.0 {
        -f32::MIN_POSITIVE
    } else {
        f32::from_bits(s.to_bits() + 1)
    }
}

thread_local! {
    /// Whether this thread is inside [`quietly`].
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err` without printing it. The process's panic hook is wrapped
/// once, for good, by one that stays silent on threads inside `quietly` and passes every other
/// panic on: swapping the hook around each call would let concurrent parses (a server's)
/// restore each other's silent hook and leave the process without its own.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static WRAPPED: std::sync::Once = std::sync::Once::new();
    WRAPPED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result
}

/// Rejects queries the grammar would take unreasonably long over.
fn check_shape(q: &str) -> Result<(), String> {
    if q.len() > MAX_LEN {
        return Err(format!(
            "the query is {} bytes long; the limit is {MAX_LEN}",
            q.len()
        ));
    }
    // Quotes are ignored on purpose: the grammar has escapes (`\"`), and a count that trusted
    // quotes was fooled by one (found by fuzzing). Parentheses inside a phrase are rare enough.
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in q.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_DEPTH {
        return Err(format!(
            "parentheses nest {deepest} deep; at most {MAX_DEPTH} are allowed"
        ));
    }
    Ok(())
}

/// The field prefixes a query may use.
pub const PREFIXES: [&str; 6] = ["ti", "au", "abs", "cat", "id", "all"];

/// Checks a query as `search` would parse it. An error gives the 1-based character column where
/// the problem is (an unknown prefix, an unclosed quote or parenthesis), or where the query ends
/// for an error the grammar reports without a place.
pub fn check_query(text: &str) -> std::result::Result<(), (usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut open_parens: Vec<usize> = Vec::new();
    let mut quote: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if quote.is_some() {
            if c == '\\' {
                i += 1;
            } else if c == '"' {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            '\\' => i += 1,
            '"' => quote = Some(i),
            '(' => open_parens.push(i),
            ')' if open_parens.pop().is_none() => {
                return Err((i + 1, "a `)` closes nothing".into()));
            }
            _ if c.is_ascii_alphabetic()
                && (i == 0 || matches!(chars[i - 1], ' ' | '(' | '+' | '-')) =>
            {
                let word: String = chars[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                let after = i + word.chars().count();
                if chars.get(after) == Some(&':') && !PREFIXES.contains(&word.as_str()) {
                    return Err((
                        i + 1,
                        format!(
                            "unknown field `{word}:` (the fields are {})",
                            PREFIXES.map(|p| format!("{p}:")).join(" ")
                        ),
                    ));
                }
                i = after;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(start) = quote {
        return Err((start + 1, "this quote is never closed".into()));
    }
    if let Some(start) = open_parens.pop() {
        return Err((start + 1, "this `(` is never closed".into()));
    }
    SearchIndex::in_ram()
        .parse_query(text)
        .map(|_| ())
        .map_err(|e| {
            let message = match e {
                IndexError::Query { message, .. } => message,
                other => other.to_string(),
            };
            (chars.len().max(1), message)
        })
}

impl SearchIndex {
    /// Parses the user's query text; errors are reported politely, never as a panic.
    ///
    /// Unprefixed terms must all occur in `all`, the paper's whole text (the abstract, the title
    /// twice, the authors): one field, so a query is one intersection of term postings, and a
    /// one-word query is one term, which Tantivy ranks with block-max WAND, skipping most of its
    /// postings. The title's double weight comes from the index, BM25F-style; `abs:` terms are
    /// rewritten to the abstract's part of `all` (`abstract_query`). (At 1M papers, requiring each term
    /// in a union of three fields spent ~40% of a multi-term query in union scorers; a separate
    /// optional title clause kept one-word queries from skipping: 1.4 ms against 0.07 ms.)
    pub fn parse_query(&self, text: &str) -> Result<Box<dyn Query>> {
        let parsed = self.parse_with(text, vec![self.fields.all], true)?;
        let parsed = super::abstract_query::rewrite(parsed, &self.fields).map_err(|message| {
            IndexError::Query {
                query: text.to_string(),
                message,
            }
        })?;
        Ok(self.prune_phrase(parsed))
    }

    /// A query of required terms and phrases searches with [`PrunedConjunction`]: the same hits,
    /// without reading the positions of papers that cannot make the top k.
    fn prune_phrase(&self, parsed: Box<dyn Query>) -> Box<dyn Query> {
        match PrunedConjunction::wrap(parsed.as_ref()) {
            Some(pruned) => Box::new(pruned),
            None => parsed,
        }
    }

    fn parse_with(
        &self,
        text: &str,
        fields: Vec<tantivy::schema::Field>,
        conjunction: bool,
    ) -> Result<Box<dyn Query>> {
        let mut parser = QueryParser::for_index(&self.index, fields);
        if conjunction {
            parser.set_conjunction_by_default();
        }
        let trimmed = text.trim();
        check_shape(trimmed).map_err(|message| IndexError::Query {
            query: text.to_string(),
            message,
        })?;
        if trimmed.is_empty() {
            return Err(IndexError::Query {
                query: text.to_string(),
                message: "the query is empty".into(),
            });
        }
        // Tantivy's grammar panics on a few malformed inputs (found by fuzzing: `x - *` reaches an
        // `expect` on an exists-query without a field). A user's typo must be an error message, so
        // a panic while parsing becomes one, and is not printed (see `quietly`).
        match quietly(|| parser.parse_query(trimmed)) {
            Ok(result) => result.map_err(|e| IndexError::Query {
                query: text.to_string(),
                message: e.to_string(),
            }),
            Err(_) => Err(IndexError::Query {
                query: text.to_string(),
                message: "the query cannot be parsed".into(),
            }),
        }
    }

    pub fn search(&self, req: &SearchRequest) -> Result<SearchResult> {
        let plan = if req.all_words {
            None
        } else {
            check_shape(req.query.trim()).map_err(|message| IndexError::Query {
                query: req.query.clone(),
                message,
            })?;
            self.plan(&req.query)?
        };
        let Some(plan) = plan else {
            let user = self.parse_query(&req.query)?;
            let reader = self.reader()?;
            let searcher = reader.searcher();
            let query = self.filtered(user, req);
            let hits = self.top_hits(&searcher, query.as_ref(), req)?;
            return Ok(SearchResult {
                hits,
                query,
                searcher,
                words: Vec::new(),
                all_words: None,
                weights: Vec::new(),
            });
        };
        let reader = self.reader()?;
        let searcher = reader.searcher();
        let finders = plan
            .finders(&ContentStats::new(&searcher, &self.path))
            .map_err(self.err())?;
        let query = self.filtered(plan.some_words(&finders), req);
        // Every word's BM25 for the pool, when common words do not find.
        let every = (!finders.iter().all(|f| *f)).then(|| plan.union(&vec![true; finders.len()]));
        let hits = self.ranked_hits(&searcher, &plan, query.as_ref(), every.as_deref(), req)?;
        let weights = plan
            .idfs(&ContentStats::new(&searcher, &self.path))
            .map_err(self.err())?;
        Ok(SearchResult {
            hits,
            query,
            searcher,
            words: plan.words.iter().map(|(_, w)| w.clone()).collect(),
            all_words: Some(self.filtered(plan.all_words(), req)),
            weights,
        })
    }

    /// The scores `query` gives `docs` (each a match of it).
    fn scores_of(
        &self,
        searcher: &tantivy::Searcher,
        stats: &ContentStats<'_>,
        query: &dyn Query,
        docs: &[DocAddress],
    ) -> Result<Vec<f32>> {
        use tantivy::DocSet;
        let weight = query
            .weight(
                tantivy::query::EnableScoring::enabled_from_statistics_provider(stats, searcher),
            )
            .map_err(self.err())?;
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| (docs[i].segment_ord, docs[i].doc_id));
        let mut scores = vec![0.0; docs.len()];
        let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
        for i in order {
            let address = docs[i];
            if current
                .as_ref()
                .is_none_or(|(s, _)| *s != address.segment_ord)
            {
                let reader = searcher.segment_reader(address.segment_ord);
                current = Some((
                    address.segment_ord,
                    weight.scorer(reader, 1.0).map_err(self.err())?,
                ));
            }
            if let Some((_, scorer)) = current.as_mut()
                && scorer.doc() <= address.doc_id
                && scorer.seek(address.doc_id) == address.doc_id
            {
                scores[i] = scorer.score();
            }
        }
        Ok(scores)
    }

    /// The counts of a search: every match, and those holding every word.
    pub fn counts(&self, result: &SearchResult) -> Result<Counts> {
        Ok(Counts {
            total: self.count_of(&result.searcher, result.query.as_ref())?,
            all_words: match &result.all_words {
                Some(all) => Some(self.count_of(&result.searcher, all.as_ref())?),
                None => None,
            },
        })
    }

    /// A ranked search's page: BM25 over the words, the best [`ranked::POOL`] re-scored by how
    /// much of the query they hold and how close its words stand (see `ranked`), the rest after
    /// them in BM25 order.
    fn ranked_hits(
        &self,
        searcher: &tantivy::Searcher,
        plan: &super::ranked::Plan,
        query: &dyn Query,
        every: Option<&dyn Query>,
        req: &SearchRequest,
    ) -> Result<Vec<Hit>> {
        let wanted = req.offset + req.limit.max(1);
        if plan.words.len() == 1 {
            // One word: every hit holds it, and the second phase would multiply every score
            // alike (nothing is near nothing); the first phase's order is the ranking.
            let mut hits = self.top_hits(searcher, query, req)?;
            hits.iter_mut().for_each(|h| h.held = Some(1));
            return Ok(hits);
        }
        let relevance = req.sort == SortBy::Relevance;
        let n = if relevance {
            wanted.max(super::ranked::POOL)
        } else {
            wanted
        };
        let mut all = self.ordered(searcher, query, req.sort, n, req.threads)?;
        // Re-scored: the pool; described (which words a hit holds): the pool and the page.
        let pool = if relevance {
            super::ranked::POOL.min(all.len())
        } else {
            0
        };
        let from = if relevance {
            0
        } else {
            req.offset.min(all.len())
        };
        let to = pool.max(wanted.min(all.len()));
        let docs: Vec<DocAddress> = all[from..to].iter().map(|(_, a)| *a).collect();
        let features = plan.features(searcher, &docs).map_err(self.err())?;
        let stats = ContentStats::new(searcher, &self.path);
        let idfs = if pool > 0 {
            plan.idfs(&stats).map_err(self.err())?
        } else {
            Vec::new()
        };
        let bm25 = match every {
            Some(every) if pool > 0 => self.scores_of(searcher, &stats, every, &docs[..pool])?,
            _ => all[..pool]
                .iter()
                .map(|(h, _)| h.score.unwrap_or(0.0))
                .collect(),
        };
        for (i, f) in features.into_iter().enumerate() {
            let (hit, _) = &mut all[from + i];
            hit.held = Some(f.0);
            if from + i < pool {
                hit.score = Some(super::ranked::Plan::rescore(bm25[i], f, &idfs));
            }
        }
        all[..pool].sort_by(|(a, _), (b, _)| by_rule(a, b));
        Ok(all
            .into_iter()
            .take(wanted)
            .skip(req.offset)
            .map(|(h, _)| h)
            .collect())
    }

    /// How many papers a parsed (and filtered) query matches on a searcher (all of them, not a
    /// page): for a page count.
    ///
    /// Each segment counts with its weight's own `count` (Tantivy's `Count` collector visits every
    /// match instead): a term in a segment without deletes is its document frequency, read from
    /// the term dictionary, so a one-word query counts in microseconds, not a pass over its postings.
    pub fn count_of(&self, searcher: &tantivy::Searcher, query: &dyn Query) -> Result<usize> {
        let weight = query
            .weight(tantivy::query::EnableScoring::disabled_from_searcher(
                searcher,
            ))
            .map_err(self.err())?;
        let mut total = 0usize;
        for reader in searcher.segment_readers() {
            total += weight.count(reader).map_err(self.err())? as usize;
        }
        Ok(total)
    }

    /// The `k` best-scoring live papers and every paper tied with the `k`-th, in one pruned pass:
    /// the threshold handed to the scorers sits one step below the `k`-th best score so far, so
    /// papers equal to it still come through (Tantivy's own top-k keeps an arbitrary few of them,
    /// depending on where the index holds them).
    fn top_with_ties(
        &self,
        searcher: &tantivy::Searcher,
        stats: &ContentStats<'_>,
        query: &dyn Query,
        k: usize,
        threads: usize,
    ) -> Result<Vec<Candidate>> {
        let weight = query
            .weight(
                tantivy::query::EnableScoring::enabled_from_statistics_provider(stats, searcher),
            )
            .map_err(self.err())?;
        let readers = searcher.segment_readers();
        // A term of a field indexed without frequencies (`cat:`, `id:`) has no block maxima:
        // Tantivy's block-max WAND takes each full block's best score as 0 there and skips the
        // block once anything is to be beaten, keeping whichever papers came first. Such
        // queries visit every match (no threshold is ever handed to the scorers).
        let exhaustive = self.has_term_without_freqs(query);
        // Side by side only where it pays: a conjunction visits thousands of papers per segment,
        // a single term's block-max WAND a few hundred (a second thread costs more than that).
        let side_by_side = threads >= 2
            && readers.len() >= 2
            && query
                .downcast_ref::<super::conjunction::PrunedConjunction>()
                .is_some();
        // Thread `t` of `n` takes every `n`-th segment from the largest on, so that the two
        // threads end together.
        let mut order: Vec<usize> = (0..readers.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(readers[i].max_doc()));
        let best = SharedThreshold::default();
        let run = |t: usize, n: usize| -> Result<Vec<Candidate>> {
            let mut top = TopWithTies::new(k);
            // What the scorers may skip: nothing that does not beat the threshold.
            let bound = |top: &TopWithTies| {
                if exhaustive {
                    f32::MIN
                } else {
                    top.threshold.max(best.get())
                }
            };
            for &ord in order.iter().skip(t).step_by(n) {
                let reader = &readers[ord];
                let alive = reader.alive_bitset();
                let first = self.hit_columns(searcher, reader)?.first;
                weight
                    .for_each_pruning(bound(&top), reader, &mut |doc, score| {
                        if alive.is_none_or(|a| a.is_alive(doc))
                            && score > top.threshold
                            && top.push(
                                score,
                                first.first(doc).unwrap_or(0),
                                DocAddress::new(ord as u32, doc),
                            )
                        {
                            best.raise(top.threshold);
                        }
                        bound(&top)
                    })
                    .map_err(self.err())?;
            }
            Ok(top.kept)
        };
        let mut kept = if side_by_side {
            let (mut a, mut b) = (Ok(Vec::new()), Ok(Vec::new()));
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| b = run(1, 2));
                a = run(0, 2);
            });
            let mut kept = a?;
            kept.extend(b?);
            kept
        } else {
            run(0, 1)?
        };
        if kept.len() > k {
            compact(&mut kept, k);
        }
        Ok(kept)
    }

    /// Whether `query` holds a term of a field indexed without term frequencies (whose postings
    /// carry no block maxima to prune by).
    fn has_term_without_freqs(&self, query: &dyn Query) -> bool {
        let schema = self.index.schema();
        let mut found = false;
        query.query_terms(&mut |term, _| {
            let entry = schema.get_field_entry(term.field());
            let freqs = match entry.field_type() {
                tantivy::schema::FieldType::Str(options) => options
                    .get_indexing_options()
                    .is_some_and(|o| o.index_option().has_freq()),
                _ => false,
            };
            found |= !freqs;
        });
        found
    }

    /// `user` with the request's day and category filters as required clauses.
    pub(crate) fn filtered(&self, user: Box<dyn Query>, req: &SearchRequest) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user.box_clone())];
        if req.from.is_some() || req.to.is_some() {
            let lower = req.from.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_u64(f.day, d.number()))
            });
            let upper = req.to.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_u64(f.day, d.number()))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        if let Some(cat) = &req.category {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.cat, cat),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if clauses.len() == 1 {
            user
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }

    /// The hits of `query` from `req.offset` on, at most `req.limit`, in the documented order
    /// (see ARCHITECTURE.md: score or day, then the newer first day, then the id).
    pub(crate) fn top_hits(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        req: &SearchRequest,
    ) -> Result<Vec<Hit>> {
        let wanted = req.offset + req.limit.max(1);
        Ok(self
            .ordered(searcher, query, req.sort, wanted, req.threads)?
            .into_iter()
            .skip(req.offset)
            .map(|(h, _)| h)
            .collect())
    }

    /// The first `wanted` hits of `query` in the documented order, with where each is.
    fn ordered(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        sort: SortBy,
        wanted: usize,
        threads: usize,
    ) -> Result<Vec<(Hit, DocAddress)>> {
        let stats = ContentStats::new(searcher, &self.path);
        // Every paper tied with the last one wanted is collected, then the ties are ordered by
        // the rule, not by where the index happens to hold them.
        let candidates: Vec<(Key, DocAddress)> = match sort {
            SortBy::Relevance => self
                .top_with_ties(searcher, &stats, query, wanted, threads)?
                .into_iter()
                .map(|(s, _, a)| (Key::Score(s), a))
                .collect(),
            // By day: collect one more than wanted; while the last one collected has the day of
            // the last one wanted, the cut runs through that day, so collect twice as many.
            SortBy::Date => {
                let mut n = wanted + 1;
                loop {
                    let found: Vec<(Key, DocAddress)> = searcher
                        .search(
                            query,
                            &TopDocs::with_limit(n)
                                .order_by_fast_field::<u64>("first", Order::Desc),
                        )
                        .map_err(self.err())?
                        .into_iter()
                        .map(|(d, a)| (Key::Day(d), a))
                        .collect();
                    if found.len() < n || found[n - 1].0 != found[wanted - 1].0 {
                        break found;
                    }
                    n = n.saturating_mul(2);
                }
            }
        };
        let mut hits = Vec::with_capacity(candidates.len());
        let mut id = String::new();
        for (key, address) in candidates {
            let super::HitColumns {
                first,
                id: ids,
                decoded,
            } = self.hit_columns(searcher, searcher.segment_reader(address.segment_ord))?;
            let first = first.first(address.doc_id).and_then(Day::from_number);
            id.clear();
            if let Some(ord) = ids.term_ords(address.doc_id).next() {
                match decoded.as_ref().and_then(|d| d.get(ord)) {
                    Some(known) => id.push_str(known),
                    None => {
                        ids.ord_to_str(ord, &mut id)
                            .map_err(|e| self.err()(e.into()))?;
                    }
                }
            }
            hits.push((
                Hit {
                    id: id.clone(),
                    score: match key {
                        Key::Score(s) => Some(s),
                        Key::Day(_) => None,
                    },
                    first_listed: first,
                    held: None,
                },
                address,
            ));
        }
        hits.sort_by(|(a, _), (b, _)| by_rule(a, b));
        hits.truncate(wanted);
        Ok(hits)
    }
}

/// The rule: score (or, sorted by date, the day) first, then the newer first-announced day, then
/// the id.
fn by_rule(a: &Hit, b: &Hit) -> std::cmp::Ordering {
    let key = |h: &Hit| match h.score {
        Some(s) => Key::Score(s),
        None => Key::Day(h.first_listed.map_or(0, |d| d.number())),
    };
    key(b)
        .partial_cmp(&key(a))
        .unwrap_or(std::cmp::Ordering::Equal)
        .then_with(|| b.first_listed.cmp(&a.first_listed))
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::SharedThreshold;

    /// Queries that make Tantivy's parser panic, parsed on many threads at once, are errors;
    /// afterwards a panic elsewhere still reaches the process's hook.
    #[test]
    fn concurrent_parser_panics_leave_the_process_its_panic_hook() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static PROBES: AtomicUsize = AtomicUsize::new(0);
        let previous = std::sync::Arc::new(std::panic::take_hook());
        let passed_on = std::sync::Arc::clone(&previous);
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() == Some(&"probe") {
                PROBES.fetch_add(1, Ordering::SeqCst);
            } else {
                passed_on(info);
            }
        }));
        let index = crate::index::SearchIndex::in_ram();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..300 {
                        assert!(index.parse_query("x - *").is_err());
                    }
                });
            }
        });
        let before = PROBES.load(Ordering::SeqCst);
        let _ = std::thread::spawn(|| std::panic::panic_any("probe")).join();
        let reached = PROBES.load(Ordering::SeqCst) - before;
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| previous(info)));
        assert_eq!(reached, 1, "a panic after the parses reached the hook");
    }

    #[test]
    fn the_shared_threshold_keeps_the_highest() {
        let t = SharedThreshold::default();
        assert_eq!(t.get(), f32::MIN, "nothing to beat yet");
        for (raise, want) in [
            (-3.5, -3.5),
            (-7.0, -3.5),
            (-0.0, -0.0),
            (0.0, 0.0),
            (2.25, 2.25),
            (1.0, 2.25),
            (f32::MIN, 2.25),
            (11.5, 11.5),
        ] {
            t.raise(raise);
            assert_eq!(t.get(), want, "after {raise}");
        }
    }
}
