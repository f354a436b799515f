//! The objects that `--json` prints, the JSON API serves, and the Atom and BibTeX writers write,
//! one typed struct per kind, built here from the archive's rows by `From` conversions (the rows
//! of `store` know nothing of JSON). The CLI prints them as JSON lines and the web reader serves
//! the same structs, so the two cannot drift. Each field is listed once in the README ("JSON
//! output"). A view is never a row with made-up fields: what a feed entry adds to a paper (a
//! recommendation's tag and why) is a field of its own.

use serde::Serialize;

use crate::index::query::SearchResult;
use crate::index::{SearchIndex, snippet::Snippets};
use crate::model::{AnnounceType, Day, Provenance};
use crate::report::Report;
use crate::store::{self, Reads};

/// A paper as a day's report or listing shows it (the snapshot it showed that day).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ListedPaper {
    pub id: String,
    pub version: Option<u32>,
    pub title: String,
    pub link: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: String,
    pub categories: Vec<String>,
    pub announce_type: Option<AnnounceType>,
}

impl From<&store::ShownPaper> for ListedPaper {
    fn from(p: &store::ShownPaper) -> ListedPaper {
        ListedPaper {
            id: p.id.clone(),
            version: p.version,
            title: p.title.clone(),
            link: p.link.clone(),
            abstract_text: p.abstract_text.clone(),
            authors: p.authors.clone(),
            categories: p.categories.clone(),
            announce_type: p.announce_type,
        }
    }
}

/// One stored version of a paper's metadata (`show --json`'s `snapshots`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snapshot {
    pub version: Option<u32>,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: String,
    pub categories: Vec<String>,
    pub doi: Option<String>,
    pub journal_ref: Option<String>,
    pub license: Option<String>,
    pub submitted: Option<String>,
    pub first_seen: Day,
}

impl From<store::SnapshotView> for Snapshot {
    fn from(s: store::SnapshotView) -> Snapshot {
        Snapshot {
            version: s.version,
            title: s.title,
            abstract_text: s.abstract_text,
            authors: s.authors,
            categories: s.categories,
            doi: s.doi,
            journal_ref: s.journal_ref,
            license: s.license,
            submitted: s.submitted,
            first_seen: s.first_seen,
        }
    }
}

/// One listing of a paper (`show --json`'s `listings`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Listing {
    pub date: Day,
    pub category: String,
    pub provenance: Provenance,
    pub position: i64,
    pub announce_type: Option<AnnounceType>,
    /// Index into `snapshots` of the text listed that day.
    pub snapshot: usize,
}

impl From<store::ListingView> for Listing {
    fn from(l: store::ListingView) -> Listing {
        Listing {
            date: l.date,
            category: l.category,
            provenance: l.provenance,
            position: l.position,
            announce_type: l.announce_type,
            snapshot: l.snapshot,
        }
    }
}

/// Everything known about one paper (`show --json`, `/api/paper`, the BibTeX entry).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Paper {
    pub id: String,
    pub first_announced: Option<Day>,
    pub snapshots: Vec<Snapshot>,
    pub listings: Vec<Listing>,
}

impl From<store::PaperView> for Paper {
    fn from(p: store::PaperView) -> Paper {
        Paper {
            id: p.id,
            first_announced: p.first_announced,
            snapshots: p.snapshots.into_iter().map(Snapshot::from).collect(),
            listings: p.listings.into_iter().map(Listing::from).collect(),
        }
    }
}

impl Paper {
    /// The paper as its latest snapshot shows it (a search feed's entry).
    pub(crate) fn latest(&self) -> Option<ListedPaper> {
        let s = self.snapshots.last()?;
        Some(ListedPaper {
            id: self.id.clone(),
            version: s.version,
            title: s.title.clone(),
            link: format!("https://arxiv.org/abs/{}", self.id),
            abstract_text: s.abstract_text.clone(),
            authors: s.authors.clone(),
            categories: s.categories.clone(),
            announce_type: None,
        })
    }
}

/// A line of `report list --json` (`/api/days`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportSummary {
    pub date: Day,
    pub profile: String,
    pub rows: u64,
    pub provenance: Provenance,
    pub estimated: bool,
}

impl From<store::ReportSummary> for ReportSummary {
    fn from(r: store::ReportSummary) -> ReportSummary {
        ReportSummary {
            date: r.date,
            profile: r.profile,
            rows: r.rows,
            provenance: r.provenance,
            estimated: r.estimated,
        }
    }
}

/// `stats --json` (`/api/stats`): the archive's counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub papers: u64,
    pub snapshots: u64,
    pub listings: u64,
    pub reports: u64,
    pub feeds: u64,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
}

impl From<store::Stats> for Stats {
    fn from(s: store::Stats) -> Stats {
        Stats {
            papers: s.papers,
            snapshots: s.snapshots,
            listings: s.listings,
            reports: s.reports,
            feeds: s.feeds,
            first_day: s.first_day,
            last_day: s.last_day,
        }
    }
}

/// A stored feed of the completeness ledger (`status --json`'s `ingested`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IngestedFeed {
    pub date: Day,
    pub category: String,
    pub build_time: Option<String>,
    pub fetched_at: String,
    pub items: u64,
    pub counts: serde_json::Value,
}

impl From<&store::FeedRecord> for IngestedFeed {
    fn from(f: &store::FeedRecord) -> IngestedFeed {
        IngestedFeed {
            date: f.date,
            category: f.category.clone(),
            build_time: f.build_time.clone(),
            fetched_at: f.fetched_at.clone(),
            items: f.items,
            counts: f.counts.clone(),
        }
    }
}

/// An OAI record a harvest could not read (`doctor --json`'s `rejected`; its XML stays in the
/// archive).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rejected {
    pub identifier: String,
    pub reason: String,
    /// The URL of the page it came in.
    pub source: String,
    pub rejected_at: String,
}

impl From<&store::RejectedRecord> for Rejected {
    fn from(r: &store::RejectedRecord) -> Rejected {
        Rejected {
            identifier: r.identifier.clone(),
            reason: r.reason.clone(),
            source: r.source.clone(),
            rejected_at: r.rejected_at.clone(),
        }
    }
}

/// One entry of an Atom feed: a paper as a day announced it, and what the feed adds to it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    pub day: Day,
    pub paper: ListedPaper,
    /// A line shown above the abstract (a recommendation's tag and why).
    pub note: Option<String>,
}

/// One hit of `search --json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    pub authors: String,
    /// The first day the paper was listed (`YYYY-MM-DD`).
    pub first_announced: Option<Day>,
    /// BM25 (absent when sorted by date).
    pub score: Option<f32>,
    /// Up to 200 characters of the abstract (or the title) around the matches.
    pub snippet: String,
    /// Byte ranges of the matched words in `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// A ranked search: the query's words this paper holds, and those it lacks (absent when
    /// every word was required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
    /// A search by meaning or by both signals: which found the paper (`words`, `meaning` or
    /// `both`: among the best of each), and each signal's own score (BM25; the cosine of the
    /// query's and the paper's vectors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning_score: Option<f32>,
}

impl SearchHit {
    /// The snippet with each highlight between `open` and `close` (terminal bold, say).
    pub fn marked_snippet(&self, open: &str, close: &str) -> String {
        crate::index::snippet::Snippet {
            text: self.snippet.clone(),
            highlights: self.highlights.clone(),
        }
        .marked(open, close)
    }
}

/// The line that says how many papers a search matches: "1,234 papers hold all your words;
/// 18,502 hold some", or "1,234 papers match" when every word is required.
pub fn count_line(counts: &crate::index::query::Counts) -> String {
    let papers = |n: usize| {
        if n == 1 {
            "1 paper".to_string()
        } else {
            format!("{} papers", thousands(n))
        }
    };
    match counts.all_words {
        None => format!("{} match", papers(counts.total)),
        Some(all) if all == counts.total => format!(
            "{} {} all your words",
            papers(all),
            if all == 1 { "holds" } else { "hold" }
        ),
        Some(all) => format!(
            "{} {} all your words; {} hold some",
            papers(all),
            if all == 1 { "holds" } else { "hold" },
            thousands(counts.total)
        ),
    }
}

/// `n` with a comma between thousands.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The texts and snippets of a search's hits, in the hits' order.
pub fn search_hits(
    reads: &Reads<'_>,
    index: &SearchIndex,
    result: &SearchResult,
) -> anyhow::Result<Vec<SearchHit>> {
    let mut hits = hits_of(reads, &index.snippets(result)?, &result.hits)?;
    describe(&mut hits, &result.hits, &result.words);
    Ok(hits)
}

/// Fills each hit's `matched` and `missing` words from what the search found it holds.
pub(crate) fn describe(
    hits: &mut [SearchHit],
    found: &[crate::index::query::Hit],
    words: &[String],
) {
    if words.is_empty() {
        return;
    }
    for hit in hits {
        let Some(held) = found.iter().find(|f| f.id == hit.id).and_then(|f| f.held) else {
            continue;
        };
        let (mut matched, mut missing) = (Vec::new(), Vec::new());
        for (i, w) in words.iter().enumerate() {
            let list = if held >> i & 1 == 1 {
                &mut matched
            } else {
                &mut missing
            };
            if !list.contains(w) {
                list.push(w.clone());
            }
        }
        hit.matched = Some(matched);
        hit.missing = Some(missing);
    }
}

/// The texts and snippets of `hits`, in their order.
pub(crate) fn hits_of(
    reads: &Reads<'_>,
    snippets: &Snippets,
    found: &[crate::index::query::Hit],
) -> anyhow::Result<Vec<SearchHit>> {
    hits_with(snippets, texts_of(reads, found)?)
}

/// A hit with its paper's latest title, abstract (as stored: inflating it is most of the
/// cost of a hit, and another thread may do it) and authors.
pub(crate) struct HitText<'h> {
    hit: &'h crate::index::query::Hit,
    title: String,
    abstract_text: crate::store::text::Stored,
    authors: String,
}

/// The latest texts of `found`, in their order (a paper no longer in the archive is left out).
pub(crate) fn texts_of<'h>(
    reads: &Reads<'_>,
    found: &'h [crate::index::query::Hit],
) -> anyhow::Result<Vec<HitText<'h>>> {
    let mut texts = Vec::with_capacity(found.len());
    for hit in found {
        if let Some((title, abstract_text, authors)) = reads.latest_text_stored(&hit.id)? {
            texts.push(HitText {
                hit,
                title,
                abstract_text,
                authors,
            });
        }
    }
    Ok(texts)
}

/// The hits of `texts` with their snippets (no reads: a second thread may build half).
pub(crate) fn hits_with(
    snippets: &Snippets,
    texts: Vec<HitText<'_>>,
) -> anyhow::Result<Vec<SearchHit>> {
    texts
        .into_iter()
        .map(|t| {
            let abstract_text = t.abstract_text.into_text()?;
            let snippet = snippets.make(&t.title, &abstract_text);
            Ok(SearchHit {
                id: t.hit.id.clone(),
                title: t.title,
                authors: t.authors,
                first_announced: t.hit.first_listed,
                score: t.hit.score,
                snippet: snippet.text,
                highlights: snippet.highlights,
                matched: None,
                missing: None,
                found_by: None,
                words_score: None,
                meaning_score: None,
            })
        })
        .collect()
}

/// One paper of `similar --json` (and of `show --json`'s `similar`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SimilarHit {
    pub id: String,
    pub title: String,
    pub authors: String,
    pub first_announced: Option<Day>,
    pub score: Option<f32>,
    /// The paper's words that weigh most in a model of the source paper, strongest first (at
    /// most five).
    pub why: Vec<String>,
    /// With an embedding model's vectors: which signal proposed the paper (`words`, `meaning`
    /// or `both`), the words' score (as `score` is without vectors) and the cosine of the two
    /// papers' vectors; `score` is then the fused score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning_score: Option<f32>,
}

/// Papers the index proposes for `similar` before the engine ranks them.
const SIMILAR_POOL: usize = 100;

/// The papers most like `id` (`None` when it is not in the archive): the index proposes those
/// sharing its rarest words (BM25, at least `SIMILAR_POOL`), and the recommender's engine, with
/// the paper as the one positive, ranks them and says why.
pub fn similar(
    reads: &Reads<'_>,
    index: &SearchIndex,
    id: &crate::model::ArxivId,
    req: &crate::index::query::SearchRequest,
) -> anyhow::Result<Option<Vec<SimilarHit>>> {
    similar_by(reads, index, id, req, None)
}

/// A proposal of `similar_by`: (candidate, fused score, engine score, cosine, why).
type Scored = (usize, f32, f32, Option<f32>, Vec<String>);

/// As [`similar`], with meaning beside the words when `meaning` (an embedding model's vectors)
/// holds the paper: the vectors propose the `SIMILAR_POOL` nearest papers too (within the
/// request's days and category), the engine scores every proposal of either signal, and each
/// signal, scaled to [0, 1] over the proposals (the engine's score by the best; the cosine
/// between the nearest pool's last and its best), counts half.
pub fn similar_by(
    reads: &Reads<'_>,
    index: &SearchIndex,
    id: &crate::model::ArxivId,
    req: &crate::index::query::SearchRequest,
    meaning: Option<&crate::embed::vectors::Matrix>,
) -> anyhow::Result<Option<Vec<SimilarHit>>> {
    let Some((title, abstract_text, _)) = reads.latest_text(id.as_str())? else {
        return Ok(None);
    };
    let pool = crate::index::query::SearchRequest {
        limit: SIMILAR_POOL.max(req.offset + req.limit),
        offset: 0,
        ..req.clone()
    };
    let result = index.similar(id.as_str(), &title, &abstract_text, &pool)?;
    let mut ids: Vec<String> = result.hits.iter().map(|h| h.id.clone()).collect();
    let mut first: std::collections::HashMap<String, Option<Day>> = result
        .hits
        .iter()
        .map(|h| (h.id.clone(), h.first_listed))
        .collect();
    let own = meaning.and_then(|m| Some((m, m.row(id.as_str())?)));
    let source = own.as_ref().map(|(m, v)| (*m, v.as_ref()));
    let near: Vec<(String, f32)> = match source {
        Some((m, v)) => {
            let filter = index.filter_ids(&crate::index::query::SearchRequest {
                query: String::new(),
                ..req.clone()
            })?;
            m.nearest(v, pool.limit, filter.as_ref(), Some(id.as_str()))
        }
        None => Vec::new(),
    };
    let by_words: std::collections::HashSet<String> = ids.iter().cloned().collect();
    let only_meaning: Vec<String> = near
        .iter()
        .map(|(other, _)| other.clone())
        .filter(|other| !by_words.contains(other))
        .collect();
    if !only_meaning.is_empty() {
        first.extend(index.first_days(&only_meaning)?);
        ids.extend(only_meaning);
    }
    let ranked = crate::recommend::rerank_similar(reads, id.as_str(), &ids)?;
    let mut scored: Vec<Scored> = match source {
        None => ranked
            .into_iter()
            .map(|(i, score, why)| (i, score, score, None, why))
            .collect(),
        Some((m, v)) => {
            let best = ranked.iter().map(|r| r.1).fold(f32::MIN, f32::max);
            let (top, floor) = match (near.first(), near.last()) {
                (Some(t), Some(f)) => (t.1, f.1),
                _ => (1.0, 0.0),
            };
            let mut out: Vec<_> = ranked
                .into_iter()
                .map(|(i, score, why)| {
                    let cosine = m.cosine(v, &ids[i]);
                    let words = if best > 0.0 {
                        (score / best).max(0.0)
                    } else {
                        0.0
                    };
                    let meaning = match cosine {
                        Some(c) if top > floor => ((c - floor) / (top - floor)).clamp(0.0, 1.0),
                        Some(_) => 1.0,
                        None => 0.0,
                    };
                    (i, 0.5 * words + 0.5 * meaning, score, cosine, why)
                })
                .collect();
            out.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| first.get(&ids[b.0]).cmp(&first.get(&ids[a.0])))
                    .then_with(|| ids[a.0].cmp(&ids[b.0]))
            });
            out
        }
    };
    let near_ids: std::collections::HashSet<&str> = near.iter().map(|(i, _)| i.as_str()).collect();
    let mut hits = Vec::with_capacity(req.limit);
    for (i, score, words, cosine, why) in scored.drain(..).skip(req.offset).take(req.limit) {
        let other = &ids[i];
        let Some((title, _, authors)) = reads.latest_text_stored(other)? else {
            continue;
        };
        let round = |x: f32| (x * 1000.0).round() / 1000.0;
        hits.push(SimilarHit {
            id: other.clone(),
            title,
            authors,
            first_announced: first.get(other).copied().flatten(),
            score: Some(round(score)),
            why,
            found_by: source.map(|_| {
                match (by_words.contains(other), near_ids.contains(other.as_str())) {
                    (true, true) => "both",
                    (true, false) => "words",
                    _ => "meaning",
                }
            }),
            words_score: source.map(|_| round(words)),
            meaning_score: cosine.map(round),
        });
    }
    Ok(Some(hits))
}

/// `report list --json`: every stored report, and the reports of estimated days (computed on
/// demand), by day then profile.
pub fn report_list(
    reads: &Reads<'_>,
    config: &crate::config::Config,
    profile: Option<&str>,
) -> anyhow::Result<Vec<ReportSummary>> {
    let mut rows: Vec<ReportSummary> = reads
        .report_summaries(profile)?
        .into_iter()
        .map(ReportSummary::from)
        .collect();
    for p in &config.profiles {
        if profile.is_some_and(|name| name != p.name) {
            continue;
        }
        for (day, prov) in reads.estimated_days(&p.categories)? {
            if rows.iter().any(|r| r.date == day && r.profile == p.name) {
                continue;
            }
            let n = crate::report::compute(reads, p, day)?.map_or(0, |(_, r)| r.len());
            rows.push(ReportSummary {
                date: day,
                profile: p.name.clone(),
                rows: n as u64,
                provenance: prov,
                estimated: true,
            });
        }
    }
    rows.sort_by(|a, b| (&a.date, &a.profile).cmp(&(&b.date, &b.profile)));
    Ok(rows)
}

/// `show --json`: the paper and its five most similar (none without an index); `None` when the
/// paper is not in the archive.
pub fn paper_with_similar(
    reads: &Reads<'_>,
    index: Option<&SearchIndex>,
    id: &crate::model::ArxivId,
    meaning: Option<&crate::embed::vectors::Matrix>,
) -> anyhow::Result<Option<PaperWithSimilar>> {
    let Some(paper) = reads.paper(id)? else {
        return Ok(None);
    };
    let paper = Paper::from(paper);
    let similar = match index {
        Some(index) => similar_by(reads, index, id, &five(), meaning)?.unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(Some(PaperWithSimilar { paper, similar }))
}

/// The request for the five most similar papers that `show` and `/paper` list.
pub fn five() -> crate::index::query::SearchRequest {
    crate::index::query::SearchRequest {
        limit: 5,
        ..Default::default()
    }
}

/// `show --json`: the paper and the papers most like it.
#[derive(Debug, Clone, Serialize)]
pub struct PaperWithSimilar {
    #[serde(flatten)]
    pub(crate) paper: Paper,
    pub(crate) similar: Vec<SimilarHit>,
}

/// One row of `report show --json`: the day, the profile, the position and the paper as the
/// report shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReportRow {
    pub(crate) date: Day,
    pub(crate) profile: String,
    /// 0-based position in the report.
    pub(crate) position: usize,
    #[serde(flatten)]
    pub(crate) paper: ListedPaper,
}

pub(crate) fn report_rows(report: &Report) -> Vec<ReportRow> {
    report
        .rows
        .iter()
        .enumerate()
        .map(|(position, r)| ReportRow {
            date: report.day,
            profile: report.profile.clone(),
            position,
            paper: ListedPaper::from(r),
        })
        .collect()
}

/// `report show --json`: one JSON object per row.
pub fn report_json_lines(report: &Report) -> String {
    let mut out = String::new();
    for row in report_rows(report) {
        // Serializing plain strings and numbers cannot fail.
        out.push_str(&serde_json::to_string(&row).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// A day on which a feed served an earlier day's batch again (a stale feed).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RepeatedDay {
    pub date: Day,
    pub same_as: Day,
}

/// One category of `status --json`: the completeness ledger over a range of days.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryStatus {
    pub category: String,
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub ingested: Vec<IngestedFeed>,
    /// Days whose feed was stored and empty (holidays).
    pub empty: Vec<Day>,
    /// Weekdays (feed days are Monday to Friday) with no stored feed: not ingested, or holidays.
    pub missing: Vec<Day>,
    pub repeated: Vec<RepeatedDay>,
}

/// The ledger of each category (the profiles' categories, then any other with a stored feed).
pub fn status(
    reads: &Reads<'_>,
    mut categories: Vec<String>,
    from: Option<Day>,
    to: Option<Day>,
) -> anyhow::Result<Vec<CategoryStatus>> {
    let feeds = reads.feeds(from, to)?;
    let repeats = reads.repeats(from, to)?;
    for f in &feeds {
        if !categories.contains(&f.category) {
            categories.push(f.category.clone());
        }
    }
    let mut all = Vec::with_capacity(categories.len());
    for category in categories {
        let ingested: Vec<IngestedFeed> = feeds
            .iter()
            .filter(|f| f.category == category)
            .map(IngestedFeed::from)
            .collect();
        let reps: Vec<&(Day, String, Day)> = repeats.iter().filter(|r| r.1 == category).collect();
        let first = from.or_else(|| ingested.first().map(|f| f.date));
        let last = to.or_else(|| ingested.last().map(|f| f.date));
        let mut missing = Vec::new();
        if let (Some(first), Some(last)) = (first, last) {
            let mut d = first;
            while d <= last {
                if d.weekday_number() <= 5
                    && !ingested.iter().any(|f| f.date == d)
                    && !reps.iter().any(|r| r.0 == d)
                {
                    missing.push(d);
                }
                d = d.succ();
            }
        }
        all.push(CategoryStatus {
            category,
            from: first,
            to: last,
            empty: ingested
                .iter()
                .filter(|f| f.items == 0)
                .map(|f| f.date)
                .collect(),
            ingested,
            missing,
            repeated: reps
                .iter()
                .map(|r| RepeatedDay {
                    date: r.0,
                    same_as: r.2,
                })
                .collect(),
        });
    }
    Ok(all)
}

/// A `library list --json` line (and the MCP `library_list` tool's entry): the entry and the
/// paper's title in the archive (null when the archive does not hold it yet).
#[derive(Debug, Clone, Serialize)]
pub struct LibraryEntry {
    #[serde(flatten)]
    pub entry: crate::library::Entry,
    pub title: Option<String>,
}

/// What `import` and `backfill` print with `--json`: the summary and the documents indexed.
#[derive(Debug, Serialize)]
pub struct ImportOutput<'a, S: Serialize> {
    pub summary: &'a S,
    pub indexed: u64,
}

/// The Atom feed of a profile's last `days` report days (`report feed`, `/feeds/NAME.atom`).
pub fn profile_feed(
    reads: &Reads<'_>,
    profile: &crate::config::Profile,
    days: usize,
) -> anyhow::Result<String> {
    profile_feed_linked(reads, profile, days, None)
}

/// As `profile_feed`, linking the page it is of (`<link rel="alternate">`).
pub(crate) fn profile_feed_linked(
    reads: &Reads<'_>,
    profile: &crate::config::Profile,
    days: usize,
    link: Option<String>,
) -> anyhow::Result<String> {
    let all = crate::report::days(reads, profile)?;
    let mut entries = Vec::new();
    // The window counts days that have papers: an empty day (a weekend run, a holiday, a day
    // without a match) would only push a real day's entries out of the feed.
    let mut counted = 0;
    for (day, _) in all.iter().rev() {
        if counted == days {
            break;
        }
        if let Some(report) = crate::report::find(reads, profile, *day)?
            && !report.rows.is_empty()
        {
            counted += 1;
            entries.extend(report.rows.iter().map(|paper| FeedEntry {
                day: *day,
                paper: ListedPaper::from(paper),
                note: None,
            }));
        }
    }
    Ok(crate::atom::feed(
        &crate::atom::FeedInfo {
            id: format!("urn:arxiv-daily:profile:{}", profile.name),
            title: format!("arXiv daily report: {}", profile.name),
            subtitle: profile.summary(),
            link,
        },
        &entries,
    ))
}

/// The Atom feed of a search's hits, newest first (`search --format atom`, `/feeds/search.atom`).
pub fn search_feed(
    reads: &Reads<'_>,
    query: &str,
    hits: &[crate::index::query::Hit],
) -> anyhow::Result<String> {
    let mut entries = Vec::new();
    for hit in hits {
        let Ok(id) = crate::model::ArxivId::parse(&hit.id) else {
            continue;
        };
        if let (Some(paper), Some(day)) = (reads.paper(&id)?, hit.first_listed)
            && let Some(paper) = Paper::from(paper).latest()
        {
            entries.push(FeedEntry {
                day,
                paper,
                note: None,
            });
        }
    }
    Ok(crate::atom::feed(
        &crate::atom::FeedInfo {
            id: format!("urn:arxiv-daily:search:{query}"),
            title: format!("arXiv search: {query}"),
            subtitle: "papers matching the query, newest first".into(),
            link: None,
        },
        &entries,
    ))
}

/// The Atom feed of recommendations (one entry per paper, dated its first day, its tag and why
/// above the abstract), best first.
pub fn recommend_feed(
    info: &crate::atom::FeedInfo,
    recs: &[crate::recommend::Recommendation],
    day: Day,
) -> String {
    let entries: Vec<FeedEntry> = recs
        .iter()
        .map(|r| FeedEntry {
            day: r.first_announced.unwrap_or(day),
            paper: ListedPaper {
                id: r.id.clone(),
                version: None,
                title: r.title.clone(),
                link: format!("https://arxiv.org/abs/{}", r.id),
                abstract_text: r.abstract_text.clone(),
                authors: r.authors.clone(),
                categories: vec![],
                announce_type: None,
            },
            note: Some(format!("[{}] why: {}", r.tag, r.why.join(", "))),
        })
        .collect();
    crate::atom::feed(info, &entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    /// The wire format, byte for byte: these are the lines `--json` printed when the archive's
    /// rows were serialized themselves, and the API and scripts read them so.
    #[test]
    fn the_json_of_each_view_is_the_documented_one() {
        let shown = store::ShownPaper {
            id: "2603.00001".into(),
            sid: 7,
            version: Some(2),
            title: "A title".into(),
            link: "https://arxiv.org/abs/2603.00001v2".into(),
            abstract_text: "An abstract.".into(),
            authors: "A. One".into(),
            categories: vec!["cs.IR".into(), "cs.CL".into()],
            announce_type: Some(AnnounceType::Cross),
        };
        let row = ReportRow {
            date: day("2026-03-03"),
            profile: "default".into(),
            position: 0,
            paper: ListedPaper::from(&shown),
        };
        assert_eq!(
            serde_json::to_string(&row).unwrap(),
            r#"{"date":"2026-03-03","profile":"default","position":0,"id":"2603.00001","version":2,"title":"A title","link":"https://arxiv.org/abs/2603.00001v2","abstract":"An abstract.","authors":"A. One","categories":["cs.IR","cs.CL"],"announce_type":"cross"}"#
        );
        let paper = Paper::from(store::PaperView {
            id: "2603.00001".into(),
            first_announced: Some(day("2026-03-03")),
            snapshots: vec![store::SnapshotView {
                version: Some(1),
                title: "T".into(),
                abstract_text: "A.".into(),
                authors: "A. One".into(),
                categories: vec!["cs.IR".into()],
                doi: None,
                journal_ref: Some("J".into()),
                license: None,
                submitted: None,
                first_seen: day("2026-03-03"),
            }],
            listings: vec![store::ListingView {
                date: day("2026-03-03"),
                category: "cs.IR".into(),
                provenance: Provenance::Rss,
                position: 3,
                announce_type: Some(AnnounceType::New),
                snapshot: 0,
            }],
        });
        assert_eq!(
            serde_json::to_string(&PaperWithSimilar {
                paper,
                similar: vec![]
            })
            .unwrap(),
            r#"{"id":"2603.00001","first_announced":"2026-03-03","snapshots":[{"version":1,"title":"T","abstract":"A.","authors":"A. One","categories":["cs.IR"],"doi":null,"journal_ref":"J","license":null,"submitted":null,"first_seen":"2026-03-03"}],"listings":[{"date":"2026-03-03","category":"cs.IR","provenance":"rss","position":3,"announce_type":"new","snapshot":0}],"similar":[]}"#
        );
        let stats = Stats::from(store::Stats {
            papers: 1,
            snapshots: 2,
            listings: 3,
            reports: 4,
            feeds: 5,
            first_day: Some(day("2026-03-02")),
            last_day: None,
        });
        assert_eq!(
            serde_json::to_string(&stats).unwrap(),
            r#"{"papers":1,"snapshots":2,"listings":3,"reports":4,"feeds":5,"first_day":"2026-03-02","last_day":null}"#
        );
        let rejected = Rejected::from(&store::RejectedRecord {
            identifier: "oai:arXiv.org:2603.00001".into(),
            reason: "no title".into(),
            source: "http://x/oai".into(),
            rejected_at: "2026-03-03T00:00:00Z".into(),
            raw_xml: "<record/>".into(),
        });
        assert_eq!(
            serde_json::to_string(&rejected).unwrap(),
            r#"{"identifier":"oai:arXiv.org:2603.00001","reason":"no title","source":"http://x/oai","rejected_at":"2026-03-03T00:00:00Z"}"#
        );
    }
}
