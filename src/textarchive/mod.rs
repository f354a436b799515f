//! The archive as text: what `archive export DIR` writes and `archive import DIR` reads back.
//!
//! ```text
//! DIR/manifest.json            format and version, the archive's counts, every file with its
//!                              line count and SHA-256
//! DIR/days/YYYY/YYYY-MM-DD.jsonl   one announcement day: the snapshots first seen that day, the
//!                              day's listings (position, announce type, provenance), the feeds
//!                              ledger and stale feeds, the reports and their rows
//! DIR/rejected.jsonl           OAI-PMH records that could not be read (raw XML kept)
//! DIR/harvests.jsonl           OAI-PMH harvest checkpoints
//! DIR/arxiv-daily.toml         the config the archive was exported with
//! ```
//!
//! Every line is one JSON object with one key naming what it is (`snapshot`, `listing`, `feed`,
//! `repeat`, `report`, `report_row`). Listings and report rows name a snapshot by its content
//! hash, never by a database row id, so the bytes are a function of what the archive holds. The
//! order is fixed (snapshots in the order they were stored, listings by category, provenance
//! and position, reports by profile), so a day's file does not change once the day is past.

pub(crate) mod export;

pub(crate) use crate::files::write_if_changed;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Day;
use crate::store::{
    FeedRow, ListingRecord, RepeatRow, ReportRecord, ReportRowRecord, SnapshotRecord,
};

/// What the manifest's `format` says.
pub(crate) const FORMAT: &str = "arxiv-daily text archive";
/// The version of the layout this arxiv-daily writes (and the newest it reads).
pub(crate) const VERSION: u32 = 1;
pub(crate) const MANIFEST: &str = "manifest.json";
pub(crate) const DAYS: &str = "days";
pub(crate) const REJECTED: &str = "rejected.jsonl";
pub(crate) const HARVESTS: &str = "harvests.jsonl";
pub(crate) const CONFIG: &str = "arxiv-daily.toml";

/// One line of a day's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Line {
    Snapshot(SnapshotRecord),
    Listing(ListingRecord),
    Feed(FeedRow),
    Repeat(RepeatRow),
    Report(ReportRecord),
    ReportRow(ReportRowRecord),
}

/// The archive's counts, as `stats` gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Counts {
    pub papers: u64,
    pub snapshots: u64,
    pub listings: u64,
    pub reports: u64,
    pub feeds: u64,
}

impl From<&crate::store::Stats> for Counts {
    fn from(s: &crate::store::Stats) -> Counts {
        Counts {
            papers: s.papers,
            snapshots: s.snapshots,
            listings: s.listings,
            reports: s.reports,
            feeds: s.feeds,
        }
    }
}

/// A file of the text archive, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileEntry {
    /// Relative to the archive folder, with `/`.
    pub path: String,
    pub lines: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    pub format: String,
    pub version: u32,
    pub counts: Counts,
    pub files: Vec<FileEntry>,
}

impl Manifest {
    /// The manifest's bytes: pretty JSON with one file a line, so that a day's run changes a
    /// line or two of it.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::from("{\n");
        out.push_str(&format!(
            "  \"format\": {},\n  \"version\": {},\n  \"counts\": {},\n  \"files\": [",
            serde_json::Value::from(self.format.as_str()),
            self.version,
            serde_json::to_string(&self.counts).unwrap_or_default()
        ));
        for (i, f) in self.files.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(f).unwrap_or_default());
        }
        out.push_str(if self.files.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        out
    }

    /// Reads `DIR/manifest.json`, refusing what is not a text archive or is of a newer version.
    pub(crate) fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(MANIFEST);
        let bytes = std::fs::read(&path).map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot read the text archive's manifest: {e} (is {} a folder written by `arxiv-daily archive export`?)",
                path.display(),
                dir.display()
            )
        })?;
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}: not a text archive manifest: {e}",
                path.display(),
                e.line()
            )
        })?;
        anyhow::ensure!(
            m.format == FORMAT,
            "{}: its format is {:?}, not {FORMAT:?}",
            path.display(),
            m.format
        );
        anyhow::ensure!(
            m.version <= VERSION,
            "{}: the text archive has version {}, newer than this arxiv-daily reads ({VERSION}); upgrade arxiv-daily",
            path.display(),
            m.version
        );
        Ok(m)
    }
}

/// The file of a day, relative to the archive folder.
pub(crate) fn day_path(day: Day) -> String {
    format!("{DAYS}/{:04}/{day}.jsonl", day.date().year())
}

/// The day a manifest path names (`days/YYYY/YYYY-MM-DD.jsonl`), if it is a day's file.
pub(crate) fn day_of_path(path: &str) -> Option<Day> {
    let name = path.strip_prefix(DAYS)?.strip_prefix('/')?;
    let (_, file) = name.split_once('/')?;
    let day = Day::from_iso(file.strip_suffix(".jsonl")?)?;
    (day_path(day) == path).then_some(day)
}

/// `rel` under `dir`, refusing a path that leaves it.
pub(crate) fn resolve(dir: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    let p = Path::new(rel);
    anyhow::ensure!(
        p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_))),
        "{}: the manifest names {rel:?}, which is not a path inside the archive folder",
        dir.join(MANIFEST).display()
    );
    Ok(dir.join(p))
}

/// SHA-256 of `bytes`, in hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_paths_round_trip_and_refuse_others() {
        let d = Day::parse("2025-09-24").unwrap();
        assert_eq!(day_path(d), "days/2025/2025-09-24.jsonl");
        assert_eq!(day_of_path(&day_path(d)), Some(d));
        assert_eq!(day_of_path("days/2024/2025-09-24.jsonl"), None);
        assert_eq!(day_of_path("days/2025/2025-09-24.json"), None);
        assert_eq!(day_of_path("rejected.jsonl"), None);
        assert!(resolve(Path::new("/a"), "../etc/passwd").is_err());
        assert!(resolve(Path::new("/a"), "/etc/passwd").is_err());
    }

    #[test]
    fn manifest_text_reads_back() {
        let m = Manifest {
            format: FORMAT.into(),
            version: VERSION,
            counts: Counts {
                papers: 1,
                snapshots: 2,
                listings: 3,
                reports: 4,
                feeds: 5,
            },
            files: vec![
                FileEntry {
                    path: "days/2025/2025-09-24.jsonl".into(),
                    lines: 3,
                    sha256: sha256(b"x"),
                },
                FileEntry {
                    path: REJECTED.into(),
                    lines: 1,
                    sha256: sha256(b""),
                },
            ],
        };
        let back: Manifest = serde_json::from_str(&m.to_text()).unwrap();
        assert_eq!(back, m);
        let empty = Manifest { files: vec![], ..m };
        let back: Manifest = serde_json::from_str(&empty.to_text()).unwrap();
        assert_eq!(back, empty);
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
