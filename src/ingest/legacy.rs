//! `import legacy`: report folders of the original script. Files are parsed in parallel; each
//! file is then written in its own transaction, so a file that fails leaves nothing behind.

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::Session;
use crate::config::Profile;
use crate::model::{ArxivId, Provenance, Snapshot};
use crate::report::render;
use crate::source::SourceError;
use crate::source::legacy::{self, LegacyDay};
use crate::store::{ListingRow, ShownPaper, WriteStats};

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct LegacySummary {
    pub files: u64,
    pub rows: u64,
    pub failed: u64,
    pub unchanged: u64,
    #[serde(flatten)]
    pub stats: WriteStats,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

/// Imports report folders as the reports of `profile` (their listings are filed under the
/// profile's first category, marked `legacy`: they hold only the papers the report kept).
pub fn import(
    archive: &mut Session<'_>,
    paths: &[PathBuf],
    profile: &Profile,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<LegacySummary> {
    let files = legacy::discover(paths)?;
    let parsed: Vec<Result<LegacyDay, SourceError>> =
        files.par_iter().map(|f| legacy::read_day(f)).collect();
    let mut summary = LegacySummary::default();
    // A configured profile has a category (the config refuses one without).
    let Some(category) = profile.categories.first().cloned() else {
        anyhow::bail!(
            "profile {:?} has no categories to file its reports under",
            profile.name
        );
    };
    for result in parsed {
        summary.files += 1;
        progress(summary.files);
        let day = match result {
            Ok(day) => day,
            Err(e) => {
                summary.failed += 1;
                summary.errors.push(e.to_string());
                continue;
            }
        };
        summary.warnings.extend(day.warnings.iter().cloned());
        match write_day(archive, &day, &profile.name, &category) {
            Ok(stats) => {
                summary.rows += day.rows.len() as u64;
                if !stats.changed() {
                    summary.unchanged += 1;
                }
                summary.stats.add(&stats);
            }
            Err(e) => {
                summary.failed += 1;
                summary.errors.push(format!("{e:#}"));
            }
        }
    }
    Ok(summary)
}

fn write_day(
    archive: &mut Session<'_>,
    day: &LegacyDay,
    profile: &str,
    category: &str,
) -> anyhow::Result<WriteStats> {
    let location = day.path.display().to_string();
    let mut w = archive.store.writer()?;
    let mut listing = Vec::with_capacity(day.rows.len());
    let mut report = Vec::with_capacity(day.rows.len());
    for row in &day.rows {
        let (id, version) =
            ArxivId::parse_versioned(&row.link).map_err(|source| super::IngestError::Link {
                location: location.clone(),
                line: row.line,
                source,
            })?;
        let pid = w.paper(&id)?;
        let snapshot = Snapshot {
            version,
            title: row.title.clone(),
            abstract_text: row.abstract_text.clone(),
            authors: row.authors.clone(),
            ..Snapshot::default()
        };
        let sid = w.snapshot(pid, &snapshot, day.day)?;
        if !listing.iter().any(|l: &ListingRow| l.pid == pid) {
            listing.push(ListingRow {
                pid,
                sid,
                announce_type: None,
            });
        }
        let link = (row.link != id.abs_url()).then(|| row.link.clone());
        report.push((sid, link));
    }
    w.replace_listing(day.day, category, Provenance::Legacy, &listing)?;
    w.replace_report(profile, day.day, Provenance::Legacy, &report)?;
    // The rendered report must give back the file's bytes; anything else is a parser bug and the
    // file is refused rather than stored wrong.
    let rows: Vec<ShownPaper> = day
        .rows
        .iter()
        .map(|r| ShownPaper {
            id: String::new(),
            sid: 0,
            version: None,
            title: r.title.clone(),
            link: r.link.clone(),
            abstract_text: r.abstract_text.clone(),
            authors: r.authors.clone(),
            categories: vec![],
            announce_type: None,
        })
        .collect();
    let original = std::fs::read(&day.path)?;
    if render::legacy_markdown(day.day, &rows).as_bytes() != original.as_slice() {
        anyhow::bail!(
            "{location}: cannot reproduce this file byte for byte; not imported (please report this file)"
        );
    }
    Ok(w.commit()?)
}
