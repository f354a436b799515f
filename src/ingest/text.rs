//! `archive import DIR`: a text archive (`textarchive`) back into SQLite. Files are read and
//! checked in parallel, a chunk at a time; each day is then written in its own transaction, in
//! day order, so a day that fails leaves nothing of itself behind and the days before it stay
//! imported (a rerun after the fix goes on from there: importing is idempotent). Into an empty
//! archive it gives the archive that was exported; into another it merges (a listing, report or
//! ledger row of the text replaces the stored one of the same key).

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::Session;
use crate::model::{AnnounceType, ArxivId, Day, Provenance, Snapshot};
use crate::store::text::PackedText;
use crate::store::{
    FeedRow, HarvestRow, ListingRow, RejectedRow, RepeatRow, ReportRecord, WriteStats,
    parse_hash_hex,
};
use crate::textarchive::{
    Counts, FileEntry, HARVESTS, Line, Manifest, REJECTED, day_of_path, read_inside, read_listed,
};

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct TextImportSummary {
    pub files: u64,
    pub days: u64,
    /// Days whose transaction changed nothing (already in the archive as the text has them).
    pub unchanged: u64,
    #[serde(flatten)]
    pub stats: WriteStats,
    pub seconds: f64,
    /// Documents the index follower wrote while the days were stored.
    #[serde(skip)]
    pub indexed: u64,
}

/// Files read and checked at a time (in parallel) before their days are written in order.
const CHUNK: usize = 64;

/// Lines with their line numbers.
type Numbered<T> = Vec<(usize, T)>;

/// A report's line number, its record and its rows.
type ReportLines = (usize, ReportRecord, Numbered<crate::store::ReportRowRecord>);

/// A listing row's position, line number and row.
type ListingLines = Vec<(i64, usize, ListingRow)>;

/// A day's file, read and checked; each record with its line number.
struct Parsed {
    day: Day,
    snapshots: Vec<(ArxivId, Snapshot, PackedText)>,
    listings: Numbered<crate::store::ListingRecord>,
    feeds: Vec<FeedRow>,
    repeats: Numbered<RepeatRow>,
    reports: BTreeMap<String, ReportLines>,
}

fn at(path: &Path, line: usize, msg: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{}:{line}: {msg}", path.display())
}

/// A JSON error of one line, by column (serde's "at line 1" would be the line within the line).
fn json_at(path: &Path, line: usize, e: &serde_json::Error) -> anyhow::Error {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let msg = text.strip_suffix(&suffix).unwrap_or(&text);
    at(path, line, format!("{msg} (column {})", e.column()))
}

/// Reads a file the manifest lists, checked against the manifest before it is parsed
/// (`textarchive::read_listed`). A file that is not the recorded one is parsed only to name
/// its first line that does not read, a better clue than a checksum; nothing of it is used.
fn read_checked<T>(
    dir: &Path,
    f: &FileEntry,
    parse: impl Fn(&Path, &[u8]) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match read_listed(dir, f) {
        Ok((path, bytes)) => parse(&path, &bytes),
        Err(e) => {
            if let Ok((path, bytes)) = read_inside(dir, &f.path)
                && let Err(line) = parse(&path, &bytes)
            {
                return Err(line);
            }
            Err(e)
        }
    }
}

fn parse_day_file(dir: &Path, f: &FileEntry, day: Day) -> anyhow::Result<Parsed> {
    read_checked(dir, f, |path, bytes| parse_day(path, bytes, day))
}

fn parse_day(path: &Path, bytes: &[u8], day: Day) -> anyhow::Result<Parsed> {
    let mut p = Parsed {
        day,
        snapshots: Vec::new(),
        listings: Vec::new(),
        feeds: Vec::new(),
        repeats: Vec::new(),
        reports: BTreeMap::new(),
    };
    for (i, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        let line: Line = serde_json::from_slice(raw.strip_suffix(b"\n").unwrap_or(raw))
            .map_err(|e| json_at(path, n, &e))?;
        match line {
            Line::Snapshot(s) => {
                let (id, recorded, snapshot) = s.into_snapshot();
                let hash = snapshot.content_hash();
                if parse_hash_hex(&recorded) != Some(hash) {
                    return Err(at(
                        path,
                        n,
                        format!(
                            "the snapshot of {} does not have the hash it records ({}, its text gives {}): the line was changed",
                            id,
                            recorded,
                            crate::store::hash_hex(hash)
                        ),
                    ));
                }
                let id = ArxivId::parse(&id).map_err(|e| at(path, n, e))?;
                let packed = PackedText::pack(&snapshot.abstract_text);
                p.snapshots.push((id, snapshot, packed));
            }
            Line::Listing(l) => p.listings.push((n, l)),
            Line::Feed(fr) => p.feeds.push(fr),
            Line::Repeat(r) => p.repeats.push((n, r)),
            Line::Report(r) => {
                if p.reports.contains_key(&r.profile) {
                    return Err(at(
                        path,
                        n,
                        format!("a second report of profile {:?}", r.profile),
                    ));
                }
                p.reports.insert(r.profile.clone(), (n, r, Vec::new()));
            }
            Line::ReportRow(row) => match p.reports.get_mut(&row.profile) {
                Some((_, _, rows)) => rows.push((n, row)),
                None => {
                    return Err(at(
                        path,
                        n,
                        format!(
                            "a report row of profile {:?} before its report line",
                            row.profile
                        ),
                    ));
                }
            },
        }
    }
    Ok(p)
}

/// Writes one parsed day in one transaction.
/// Returns what changed and the write batch it committed as.
fn write_day(
    archive: &mut Session<'_>,
    path: &Path,
    p: Parsed,
) -> anyhow::Result<(WriteStats, i64)> {
    let mut w = archive.store.writer()?;
    let seq = w.seq();
    for (id, snapshot, packed) in &p.snapshots {
        let pid = w.paper(id)?;
        w.snapshot_packed(pid, snapshot, p.day, Some(packed))?;
    }
    // (id, hash) -> (pid, sid), from what this day or an earlier one stored.
    let resolve_snapshot = |w: &mut crate::store::Writer<'_>,
                            line: usize,
                            id: &str,
                            hash: &str|
     -> anyhow::Result<(i64, i64)> {
        let parsed = ArxivId::parse(id).map_err(|e| at(path, line, e))?;
        let hash_value = parse_hash_hex(hash).ok_or_else(|| {
            at(
                path,
                line,
                format!("{hash:?} is not a snapshot hash (16 hex digits)"),
            )
        })?;
        let pid = w.paper(&parsed)?;
        let sid = w.snapshot_sid(pid, hash_value)?.ok_or_else(|| {
            at(
                path,
                line,
                format!(
                    "snapshot {hash} of {id} is neither in this day's file nor in an earlier one"
                ),
            )
        })?;
        Ok((pid, sid))
    };
    let mut listings: BTreeMap<(String, String), ListingLines> = BTreeMap::new();
    for (line, l) in &p.listings {
        let (pid, sid) = resolve_snapshot(&mut w, *line, &l.id, &l.snapshot)?;
        let announce_type = match &l.announce_type {
            None => None,
            Some(t) => Some(
                AnnounceType::parse(t)
                    .ok_or_else(|| at(path, *line, format!("unknown announce type {t:?}")))?,
            ),
        };
        listings
            .entry((l.category.clone(), l.provenance.clone()))
            .or_default()
            .push((
                l.position,
                *line,
                ListingRow {
                    pid,
                    sid,
                    announce_type,
                },
            ));
    }
    for ((category, provenance), mut rows) in listings {
        let first_line = rows.first().map_or(0, |r| r.1);
        let prov = Provenance::parse(&provenance).ok_or_else(|| {
            at(
                path,
                first_line,
                format!("unknown provenance {provenance:?}"),
            )
        })?;
        rows.sort_by_key(|r| r.0);
        for (i, (pos, line, _)) in rows.iter().enumerate() {
            if *pos != i as i64 {
                return Err(at(
                    path,
                    *line,
                    format!(
                        "the listing of {category} ({provenance}) has position {pos} where {i} belongs (positions run 0, 1, 2, ... without gaps)"
                    ),
                ));
            }
        }
        let rows: Vec<ListingRow> = rows.into_iter().map(|r| r.2).collect();
        w.replace_listing(p.day, &category, prov, &rows)?;
    }
    for f in &p.feeds {
        w.put_feed(p.day, f)?;
    }
    for (line, r) in &p.repeats {
        Day::parse(&r.same_as).map_err(|e| at(path, *line, e))?;
        w.put_repeat(p.day, r)?;
    }
    for (profile, (line, report, mut rows)) in p.reports {
        let prov = Provenance::parse(&report.provenance).ok_or_else(|| {
            at(
                path,
                line,
                format!("unknown provenance {:?}", report.provenance),
            )
        })?;
        rows.sort_by_key(|(_, r)| r.position);
        let mut resolved = Vec::with_capacity(rows.len());
        for (i, (row_line, row)) in rows.iter().enumerate() {
            if row.position != i as i64 {
                return Err(at(
                    path,
                    *row_line,
                    format!("report row position {} where {i} belongs", row.position),
                ));
            }
            let (_, sid) = resolve_snapshot(&mut w, *row_line, &row.id, &row.snapshot)?;
            resolved.push((sid, row.link.clone()));
        }
        w.replace_report_as(&profile, p.day, prov, Some(&report.created_at), &resolved)?;
    }
    Ok((w.commit()?, seq))
}

fn parse_lines<T: serde::de::DeserializeOwned>(
    dir: &Path,
    f: &FileEntry,
) -> anyhow::Result<Vec<T>> {
    read_checked(dir, f, |path, bytes| {
        let mut out = Vec::new();
        for (i, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
            out.push(
                serde_json::from_slice(raw.strip_suffix(b"\n").unwrap_or(raw))
                    .map_err(|e| json_at(path, i + 1, &e))?,
            );
        }
        Ok(out)
    })
}

/// Imports the text archive in `dir`, whose manifest (`Manifest::read`) is `manifest`.
/// `progress` gets the files done. The index follows the committed days on its own thread (as a
/// Kaggle import's does).
pub fn import(
    archive: &mut Session<'_>,
    dir: &Path,
    manifest: &Manifest,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<TextImportSummary> {
    let (mut summary, indexed) = archive.with_index_follower(
        "the days are stored in the archive",
        |archive, committed| import_with(archive, dir, manifest, progress, committed),
    )?;
    summary.indexed = indexed;
    Ok(summary)
}

fn import_with(
    archive: &mut Session<'_>,
    dir: &Path,
    manifest: &Manifest,
    progress: impl Fn(u64, u64),
    committed: &dyn Fn(i64),
) -> anyhow::Result<TextImportSummary> {
    let started = std::time::Instant::now();
    let was_empty = archive.store.read().stats()?.papers == 0;
    let mut days: Vec<(Day, &FileEntry)> = Vec::new();
    let mut rejected = None;
    let mut harvests = None;
    for f in &manifest.files {
        if let Some(day) = day_of_path(&f.path) {
            days.push((day, f));
        } else if f.path == REJECTED {
            rejected = Some(f);
        } else if f.path == HARVESTS {
            harvests = Some(f);
        }
    }
    days.sort_by_key(|(d, _)| *d);
    let total = manifest.files.len() as u64;
    let mut summary = TextImportSummary::default();
    for chunk in days.chunks(CHUNK) {
        let parsed: Vec<anyhow::Result<Parsed>> = chunk
            .par_iter()
            .map(|(day, f)| parse_day_file(dir, f, *day))
            .collect();
        for ((_, f), p) in chunk.iter().zip(parsed) {
            let p = p?;
            let path = dir.join(&f.path);
            let (stats, seq) = write_day(archive, &path, p).map_err(|e| {
                e.context(format!(
                    "{}: not imported (nothing of this day was stored; the days before it were)",
                    path.display()
                ))
            })?;
            summary.files += 1;
            summary.days += 1;
            if stats.changed() {
                committed(seq);
            } else {
                summary.unchanged += 1;
            }
            summary.stats.add(&stats);
            progress(summary.files, total);
        }
    }
    let rejected: Vec<RejectedRow> = match rejected {
        Some(f) => parse_lines(dir, f)?,
        None => Vec::new(),
    };
    let harvests: Vec<HarvestRow> = match harvests {
        Some(f) => parse_lines(dir, f)?,
        None => Vec::new(),
    };
    let mut w = archive.store.writer()?;
    for r in &rejected {
        w.put_rejected(r)?;
    }
    for h in &harvests {
        w.put_harvest(h)?;
    }
    summary.stats.add(&w.commit()?);
    summary.files += u64::from(!rejected.is_empty()) + u64::from(!harvests.is_empty());
    progress(total, total);
    if was_empty {
        let counts = Counts::from(&archive.store.read().stats()?);
        anyhow::ensure!(
            counts == manifest.counts,
            "{}: the imported archive has {counts:?}, not the {:?} its manifest records",
            dir.display(),
            manifest.counts
        );
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
