//! A day's report as data: a stored report (imported, or built when the day was ingested), or one
//! computed from the day's listings with a profile's rules. `render` turns it into bytes.

pub mod feedparser;
pub mod render;

use std::borrow::Cow;

use crate::config::{Compat, Profile};
use crate::index::SearchIndex;
use crate::model::{Day, IndexDoc, Provenance};
use crate::store::{Reads, Result, ShownPaper};

/// A report ready to render.
#[derive(Debug, Clone)]
pub struct Report {
    pub profile: String,
    pub day: Day,
    pub provenance: Provenance,
    /// Whether this report was stored (imported or ingested) rather than computed now.
    pub stored: bool,
    pub rows: Vec<ShownPaper>,
}

impl Report {
    pub fn estimated(&self) -> bool {
        self.provenance.is_estimate()
    }

    /// The rows as the original format (README.md, papers.csv) shows them under a profile's
    /// `compat`. The archive stores arXiv's text; with `feedparser`, title, abstract and authors
    /// become what the original script got from feedparser for it. An imported report
    /// (provenance `legacy`) already holds the script's bytes and is never changed.
    pub fn legacy_rows(&self, compat: Compat) -> Cow<'_, [ShownPaper]> {
        if compat == Compat::None || self.provenance == Provenance::Legacy {
            return Cow::Borrowed(&self.rows);
        }
        Cow::Owned(
            self.rows
                .iter()
                .map(|r| ShownPaper {
                    title: feedparser::title(&r.title),
                    abstract_text: feedparser::abstract_text(&r.abstract_text),
                    authors: feedparser::authors(&r.authors),
                    ..r.clone()
                })
                .collect(),
        )
    }
}

/// The rows a profile selects from a day's listings: its categories in profile order, each paper
/// once, feed order within a category, kept by the keywords (if the profile has any) and by its
/// saved query (if it has one), evaluated on the text the day listed. `None` when no listing of
/// those categories is stored.
pub fn compute(
    store: &Reads<'_>,
    profile: &Profile,
    day: Day,
) -> anyhow::Result<Option<(Provenance, Vec<ShownPaper>)>> {
    let mut rows: Vec<(ShownPaper, &str)> = Vec::new();
    let mut provenance = None;
    for category in &profile.categories {
        let Some((prov, listed)) = store.listing(day, category)? else {
            continue;
        };
        provenance.get_or_insert(prov);
        for paper in listed {
            if rows.iter().any(|(r, _)| r.id == paper.id) {
                continue;
            }
            if profile.keeps(&paper.title, &paper.abstract_text, paper.announce_type) {
                rows.push((paper, category));
            }
        }
    }
    if let Some(query) = &profile.query {
        let matching = SearchIndex::matching(query, &day_docs(&rows, day))?;
        rows.retain(|(r, _)| matching.contains(&r.id));
    }
    Ok(provenance.map(|p| (p, rows.into_iter().map(|(r, _)| r).collect())))
}

/// The papers as the index would hold them if the day's text were their latest: the listed
/// snapshot, its categories and the one it was listed under, and this day.
fn day_docs(rows: &[(ShownPaper, &str)], day: Day) -> Vec<IndexDoc> {
    rows.iter()
        .map(|(r, category)| {
            let mut categories = r.categories.clone();
            if !categories.iter().any(|c| c == category) {
                categories.push(category.to_string());
            }
            IndexDoc {
                pid: 0,
                id: r.id.clone(),
                title: r.title.clone(),
                abstract_text: r.abstract_text.clone(),
                authors: r.authors.clone(),
                categories,
                days: vec![day],
            }
        })
        .collect()
}

/// The report of (profile, day): the stored one when there is one, else computed from listings.
pub fn find(store: &Reads<'_>, profile: &Profile, day: Day) -> anyhow::Result<Option<Report>> {
    if let Some(stored) = store.report(&profile.name, day)? {
        return Ok(Some(Report {
            profile: stored.profile,
            day,
            provenance: stored.provenance,
            stored: true,
            rows: stored.rows,
        }));
    }
    Ok(
        compute(store, profile, day)?.map(|(provenance, rows)| Report {
            profile: profile.name.clone(),
            day,
            provenance,
            stored: false,
            rows,
        }),
    )
}

/// What to say when (profile, day) has no report: the day asked for and the nearest days that
/// have one (`report show`'s message, and the MCP `day` tool's).
pub fn missing(store: &Reads<'_>, profile: &Profile, day: Day) -> Result<String> {
    let days = days(store, profile)?;
    let before = days
        .iter()
        .rev()
        .find(|(d, _)| *d < day)
        .map(|(d, _)| d.to_string());
    let after = days
        .iter()
        .find(|(d, _)| *d > day)
        .map(|(d, _)| d.to_string());
    let nearest = match (before, after) {
        (None, None) => "the archive has no reports for this profile yet".to_string(),
        (Some(b), None) => format!("the nearest day is {b}"),
        (None, Some(a)) => format!("the nearest day is {a}"),
        (Some(b), Some(a)) => format!("the nearest days are {b} and {a}"),
    };
    Ok(format!(
        "no report of profile {:?} for {day} in the archive; {nearest}",
        profile.name
    ))
}

/// Days that have a report for `profile`: stored ones, and days with estimated listings of its
/// categories. Each with its provenance.
pub fn days(store: &Reads<'_>, profile: &Profile) -> Result<Vec<(Day, Option<Provenance>)>> {
    let mut out: Vec<(Day, Option<Provenance>)> = store
        .report_days(&profile.name)?
        .into_iter()
        .map(|d| (d, None))
        .collect();
    for (day, prov) in store.estimated_days(&profile.categories)? {
        if !out.iter().any(|(d, _)| *d == day) {
            out.push((day, Some(prov)));
        }
    }
    out.sort_by_key(|(d, _)| *d);
    Ok(out)
}
