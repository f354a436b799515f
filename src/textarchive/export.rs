//! `archive export DIR`: the archive as text, written incrementally: every day's file is
//! rendered from one read transaction and written only when its bytes differ from the file
//! already there (through a temporary file and a rename); the manifest goes last.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use super::{
    CONFIG, Counts, DAYS, FORMAT, FileEntry, HARVESTS, Line, MANIFEST, Manifest, REJECTED, VERSION,
    day_of_path, day_path, sha256, write_if_changed,
};
use crate::archive::Reader;
use crate::store::DayDump;

/// What an export did.
#[derive(Debug, Default, Serialize)]
pub struct ExportSummary {
    /// Announcement days in the archive (one file each).
    pub days: u64,
    /// Files written because their bytes changed (the manifest included).
    pub written: u64,
    pub unchanged: u64,
    /// Day files of days the archive does not hold, removed.
    pub removed: u64,
    /// The text archive's size in bytes.
    pub bytes: u64,
    pub seconds: f64,
    pub paths_written: Vec<String>,
}

/// Days read from SQLite at a time before they are rendered and written in parallel.
const CHUNK: usize = 128;

/// The lines of one day, in the fixed order.
pub(crate) fn render_day(d: DayDump) -> Vec<u8> {
    let mut lines: Vec<Line> = Vec::new();
    lines.extend(d.snapshots.into_iter().map(Line::Snapshot));
    lines.extend(d.listings.into_iter().map(Line::Listing));
    lines.extend(d.feeds.into_iter().map(Line::Feed));
    lines.extend(d.repeats.into_iter().map(Line::Repeat));
    for (report, rows) in d.reports {
        lines.push(Line::Report(report));
        lines.extend(rows.into_iter().map(Line::ReportRow));
    }
    render_lines(&lines)
}

fn render_lines<T: Serialize>(lines: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        // Records of strings and numbers always serialize.
        if serde_json::to_writer(&mut out, l).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

fn entry(path: String, bytes: &[u8]) -> FileEntry {
    FileEntry {
        lines: bytes.iter().filter(|b| **b == b'\n').count() as u64,
        sha256: sha256(bytes),
        path,
    }
}

/// Exports the archive `reader` reads into `dir`; `config` is the config file to copy beside it.
pub fn export(
    reader: &Reader,
    config: Option<&Path>,
    dir: &Path,
    progress: impl Fn(u64, u64) + Sync,
) -> anyhow::Result<ExportSummary> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut summary = ExportSummary::default();
    let mut files: Vec<(FileEntry, bool)> = Vec::new();
    let (counts, rejected, harvests) = reader.read(|reads| {
        let days = reads.dump_days()?;
        summary.days = days.len() as u64;
        let mut done = 0u64;
        for chunk in days.chunks(CHUNK) {
            let dumps = chunk
                .iter()
                .map(|(day, sids)| Ok((*day, reads.dump_day(*day, sids)?)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let written = dumps
                .into_par_iter()
                .map(|(day, dump)| {
                    let bytes = render_day(dump);
                    let path = day_path(day);
                    let wrote = write_if_changed(&dir.join(&path), &bytes)?;
                    Ok((entry(path, &bytes), wrote))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            files.extend(written);
            done += chunk.len() as u64;
            progress(done, summary.days);
        }
        Ok((
            Counts::from(&reads.stats()?),
            reads.dump_rejected()?,
            reads.dump_harvests()?,
        ))
    })?;
    let keep: HashSet<String> = files.iter().map(|(f, _)| f.path.clone()).collect();
    summary.removed = remove_stale_days(dir, &keep)?;
    for (name, bytes) in [
        (REJECTED, render_lines(&rejected)),
        (HARVESTS, render_lines(&harvests)),
    ] {
        let path = dir.join(name);
        if bytes.is_empty() {
            if path.exists() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                summary.removed += 1;
            }
            continue;
        }
        let wrote = write_if_changed(&path, &bytes)?;
        files.push((entry(name.to_string(), &bytes), wrote));
    }
    if let Some(config) = config.filter(|c| c.exists()) {
        let bytes =
            std::fs::read(config).with_context(|| format!("cannot read {}", config.display()))?;
        let wrote = write_if_changed(&dir.join(CONFIG), &bytes)?;
        files.push((entry(CONFIG.to_string(), &bytes), wrote));
    }
    for (f, wrote) in &files {
        if *wrote {
            summary.written += 1;
            summary.paths_written.push(f.path.clone());
        } else {
            summary.unchanged += 1;
        }
    }
    let manifest = Manifest {
        format: FORMAT.to_string(),
        version: VERSION,
        counts,
        files: files.into_iter().map(|(f, _)| f).collect(),
    };
    let text = manifest.to_text();
    if write_if_changed(&dir.join(MANIFEST), text.as_bytes())? {
        summary.written += 1;
        summary.paths_written.push(MANIFEST.to_string());
    } else {
        summary.unchanged += 1;
    }
    summary.bytes = text.len() as u64
        + manifest
            .files
            .iter()
            .map(|f| std::fs::metadata(dir.join(&f.path)).map_or(0, |m| m.len()))
            .sum::<u64>();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Removes day files of days not in `keep` (what an earlier export of another archive left).
fn remove_stale_days(dir: &Path, keep: &HashSet<String>) -> anyhow::Result<u64> {
    let days = dir.join(DAYS);
    let Ok(years) = std::fs::read_dir(&days) else {
        return Ok(0);
    };
    let mut removed = 0;
    for year in years.flatten() {
        let Ok(files) = std::fs::read_dir(year.path()) else {
            continue;
        };
        for f in files.flatten() {
            let name = format!(
                "{DAYS}/{}/{}",
                year.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            );
            if day_of_path(&name).is_some() && !keep.contains(&name) {
                std::fs::remove_file(f.path())
                    .with_context(|| format!("cannot remove {}", f.path().display()))?;
                removed += 1;
            }
        }
        // Only an empty folder goes.
        let _ = std::fs::remove_dir(year.path());
    }
    Ok(removed)
}
