//! The objects that `--json` prints, one typed struct per kind, built here from the archive. The
//! CLI prints them as JSON lines and the web reader serves the same structs, so the two cannot
//! drift. Each field is listed once in the README ("JSON output").

use serde::Serialize;

use crate::index::query::SearchResult;
use crate::index::{SearchIndex, snippet::Snippets};
use crate::model::Day;
use crate::report::Report;
pub(crate) use crate::store::{FeedRecord, PaperView, Reads, ReportSummary, ShownPaper, Stats};

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
    let source = meaning.and_then(|m| Some((m, m.row(id.as_str())?)));
    let near: Vec<(String, f32)> = match source {
        Some((m, v)) => {
            let filter = index.filter_ids(&crate::index::query::SearchRequest {
                query: String::new(),
                ..req.clone()
            })?;
            m.nearest(v, pool.limit + 1, |other| {
                other != id.as_str() && filter.as_ref().is_none_or(|f| f.contains(other))
            })
            .into_iter()
            .take(pool.limit)
            .collect()
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
    let mut rows = reads.report_summaries(profile)?;
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
) -> anyhow::Result<Option<PaperWithSimilar>> {
    let Some(paper) = reads.paper(id)? else {
        return Ok(None);
    };
    let similar = match index {
        Some(index) => similar(reads, index, id, &five())?.unwrap_or_default(),
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
    pub(crate) paper: PaperView,
    pub(crate) similar: Vec<SimilarHit>,
}

/// A paper's latest metadata as a report row would show it (for feeds of searches).
pub(crate) fn latest_shown(paper: &PaperView) -> Option<crate::store::ShownPaper> {
    let s = paper.snapshots.last()?;
    Some(crate::store::ShownPaper {
        id: paper.id.clone(),
        sid: 0,
        version: s.version,
        title: s.title.clone(),
        link: format!("https://arxiv.org/abs/{}", paper.id),
        abstract_text: s.abstract_text.clone(),
        authors: s.authors.clone(),
        categories: s.categories.clone(),
        announce_type: None,
    })
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
    pub(crate) paper: crate::store::ShownPaper,
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
            paper: r.clone(),
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
    pub ingested: Vec<FeedRecord>,
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
        let ingested: Vec<FeedRecord> = feeds
            .iter()
            .filter(|f| f.category == category)
            .cloned()
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
    for (day, _) in all.iter().rev().take(days) {
        if let Some(report) = crate::report::find(reads, profile, *day)? {
            entries.extend(
                report
                    .rows
                    .into_iter()
                    .map(|paper| crate::atom::Entry { day: *day, paper }),
            );
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
            && let Some(shown) = latest_shown(&paper)
        {
            entries.push(crate::atom::Entry { day, paper: shown });
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
