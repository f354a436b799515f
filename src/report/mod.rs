//! A day's report as data: a stored report (imported, or built when the day was ingested), or one
//! computed from the day's listings with a profile's rules. `render` turns it into bytes.

pub mod render;

use crate::config::Profile;
use crate::model::{Day, Provenance};
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
}

/// The rows a profile selects from a day's listings: its categories in profile order, each paper
/// once, feed order within a category. `None` when no listing of those categories is stored.
pub fn compute(
    store: &Reads<'_>,
    profile: &Profile,
    day: Day,
) -> Result<Option<(Provenance, Vec<ShownPaper>)>> {
    let mut rows: Vec<ShownPaper> = Vec::new();
    let mut provenance = None;
    for category in &profile.categories {
        let Some((prov, listed)) = store.listing(day, category)? else {
            continue;
        };
        provenance.get_or_insert(prov);
        for paper in listed {
            if rows.iter().any(|r| r.id == paper.id) {
                continue;
            }
            if profile.keeps(&paper.title, &paper.abstract_text, paper.announce_type) {
                rows.push(paper);
            }
        }
    }
    Ok(provenance.map(|p| (p, rows)))
}

/// The report of (profile, day): the stored one when there is one, else computed from listings.
pub fn find(store: &Reads<'_>, profile: &Profile, day: Day) -> Result<Option<Report>> {
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
