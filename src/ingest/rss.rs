//! The daily ingest: one feed of one category becomes that day's listing, new snapshots where
//! metadata changed, and the reports of every profile that follows the category, all in one
//! transaction. A day already stored, or a stale feed repeating an older batch, changes nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Session;
use crate::config::Profile;
use crate::model::{AnnounceType, Day, Provenance};
use crate::report;
use crate::source::rss::Feed;
use crate::store::{ListingRow, Writer};

/// What became of a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedStatus {
    /// A new day: its listing and reports were stored.
    Stored,
    /// The day was stored before; nothing changed.
    AlreadyStored,
    /// A stale feed serving an earlier day's batch again (`same_as`); not a new day.
    Repeated,
    /// A day without announcements (a holiday), recorded as such.
    Empty,
}

/// What happened to one feed.
#[derive(Debug, Clone, Serialize)]
pub struct FeedOutcome {
    pub category: String,
    pub date: Day,
    pub status: FeedStatus,
    /// The earlier day whose batch a stale feed repeated.
    pub same_as: Option<Day>,
    pub items: usize,
    pub by_type: BTreeMap<&'static str, usize>,
    pub new_papers: u64,
    pub new_snapshots: u64,
    /// Rows of each profile's report for the day.
    pub reports: BTreeMap<String, usize>,
}

/// Stores one category's feed. `source` (URL or file) goes into the ledger.
pub fn ingest_feed(
    archive: &mut Session<'_>,
    category: &str,
    feed: &Feed,
    source: &str,
) -> anyhow::Result<FeedOutcome> {
    let profiles: Vec<Profile> = archive
        .config
        .profiles
        .iter()
        .filter(|p| p.categories.iter().any(|c| c == category))
        .cloned()
        .collect();
    let mut by_type = BTreeMap::new();
    for t in AnnounceType::ALL {
        let n = feed.items.iter().filter(|i| i.announce_type == t).count();
        if n > 0 {
            by_type.insert(t.as_str(), n);
        }
    }
    let mut outcome = FeedOutcome {
        category: category.to_string(),
        date: feed.day,
        status: FeedStatus::Stored,
        same_as: None,
        items: feed.items.len(),
        by_type,
        new_papers: 0,
        new_snapshots: 0,
        reports: BTreeMap::new(),
    };
    let mut w = archive.store.writer()?;
    if w.read().feed_stored(feed.day, category)? {
        outcome.status = FeedStatus::AlreadyStored;
        // A profile added since that day gets its report now; otherwise nothing changes.
        build_reports(&mut w, &profiles, feed.day, &mut outcome)?;
        w.commit()?;
        return Ok(outcome);
    }
    if !feed.items.is_empty()
        && let Some((prev_day, prev_batch)) = w.read().previous_batch(category, feed.day)?
    {
        let batch: Vec<(String, Option<u32>)> = feed
            .items
            .iter()
            .map(|i| (i.id.to_string(), i.snapshot.version))
            .collect();
        if batch == prev_batch {
            outcome.status = FeedStatus::Repeated;
            outcome.same_as = Some(prev_day);
            w.record_repeat(feed.day, category, prev_day)?;
            w.commit()?;
            return Ok(outcome);
        }
    }
    let mut rows = Vec::with_capacity(feed.items.len());
    for item in &feed.items {
        let pid = w.paper(&item.id)?;
        let sid = w.snapshot(pid, &item.snapshot, feed.day)?;
        if !rows.iter().any(|r: &ListingRow| r.pid == pid) {
            rows.push(ListingRow {
                pid,
                sid,
                announce_type: Some(item.announce_type),
            });
        }
    }
    w.replace_listing(feed.day, category, Provenance::Rss, &rows)?;
    let counts = serde_json::to_string(&outcome.by_type)?;
    w.record_feed(
        feed.day,
        category,
        feed.build_time.as_deref(),
        source,
        feed.items.len(),
        &counts,
    )?;
    if feed.items.is_empty() {
        outcome.status = FeedStatus::Empty;
    }
    build_reports(&mut w, &profiles, feed.day, &mut outcome)?;
    outcome.new_papers = w.stats.new_papers;
    outcome.new_snapshots = w.stats.new_snapshots;
    w.commit()?;
    Ok(outcome)
}

fn build_reports(
    w: &mut Writer<'_>,
    profiles: &[Profile],
    day: Day,
    outcome: &mut FeedOutcome,
) -> anyhow::Result<()> {
    for profile in profiles {
        let Some((provenance, rows)) = report::compute(&w.read(), profile, day)? else {
            continue;
        };
        if provenance != Provenance::Rss {
            continue;
        }
        let entries: Vec<(i64, Option<String>)> = rows.iter().map(|r| (r.sid, None)).collect();
        w.replace_report(&profile.name, day, Provenance::Rss, &entries)?;
        outcome.reports.insert(profile.name.clone(), rows.len());
    }
    Ok(())
}

/// (id, title) pairs of a report.
pub(crate) type IdTitles = Vec<(String, String)>;

/// Recomputes (profile, day) from its listings with the profile's current rules. Returns the old
/// and new rows as (id, title) lists; stores the new report unless `dry_run`.
pub fn rerun(
    archive: &mut Session<'_>,
    profile: &Profile,
    day: Day,
    dry_run: bool,
) -> anyhow::Result<(IdTitles, IdTitles)> {
    let mut w = archive.store.writer()?;
    let old: Vec<(String, String)> = w
        .read()
        .report(&profile.name, day)?
        .map(|r| r.rows.into_iter().map(|p| (p.id, p.title)).collect())
        .unwrap_or_default();
    let Some((provenance, rows)) = report::compute(&w.read(), profile, day)? else {
        anyhow::bail!(
            "no listing of {} for {day} in the archive (imported legacy reports hold only the rows they kept, so they cannot be recomputed)",
            profile.categories.join(", ")
        );
    };
    let new: Vec<(String, String)> = rows
        .iter()
        .map(|p| (p.id.clone(), p.title.clone()))
        .collect();
    if !dry_run {
        let entries: Vec<(i64, Option<String>)> = rows.iter().map(|r| (r.sid, None)).collect();
        w.replace_report(&profile.name, day, provenance, &entries)?;
        w.commit()?;
    }
    Ok((old, new))
}

/// What a range rerun did to one day.
#[derive(Debug, Clone, Serialize)]
pub struct DayRerun {
    pub date: Day,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub rows: usize,
}

/// Recomputes and stores the profile's report of every day in `from..=to` with a listing of one
/// of its categories (a stored feed, or estimated listings of a backfill), in one transaction (all days or none). Returns the days whose report
/// changed (a second run over the same range returns none). `progress` gets days done.
pub fn rerun_range(
    archive: &mut Session<'_>,
    profile: &Profile,
    from: Day,
    to: Day,
    dry_run: bool,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<(usize, Vec<DayRerun>)> {
    // Days with a feed of one of its categories, and days with estimated listings (backfill).
    let reads = archive.store.read();
    let mut days: Vec<Day> = reads
        .feeds(Some(from), Some(to))?
        .into_iter()
        .filter(|f| profile.categories.contains(&f.category))
        .map(|f| f.date)
        .chain(
            reads
                .estimated_days(&profile.categories)?
                .into_iter()
                .map(|(d, _)| d)
                .filter(|d| *d >= from && *d <= to),
        )
        .collect();
    days.sort();
    days.dedup();
    let mut w = archive.store.writer()?;
    let mut changed = Vec::new();
    for (i, day) in days.iter().enumerate() {
        progress(i as u64, days.len() as u64);
        let old: Vec<String> = w
            .read()
            .report(&profile.name, *day)?
            .map(|r| r.rows.into_iter().map(|p| p.id).collect())
            .unwrap_or_default();
        let Some((provenance, rows)) = report::compute(&w.read(), profile, *day)? else {
            continue;
        };
        let new: Vec<String> = rows.iter().map(|p| p.id.clone()).collect();
        let stored = w.read().report(&profile.name, *day)?.is_some();
        if new == old && stored {
            continue;
        }
        if !dry_run {
            let entries: Vec<(i64, Option<String>)> = rows.iter().map(|r| (r.sid, None)).collect();
            w.replace_report(&profile.name, *day, provenance, &entries)?;
        }
        changed.push(DayRerun {
            date: *day,
            added: new.iter().filter(|id| !old.contains(id)).cloned().collect(),
            removed: old.iter().filter(|id| !new.contains(id)).cloned().collect(),
            rows: new.len(),
        });
    }
    progress(days.len() as u64, days.len() as u64);
    if !dry_run {
        w.commit()?;
    }
    Ok((days.len(), changed))
}
