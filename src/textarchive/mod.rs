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

pub use export::{ExportSummary, export};

pub(crate) use crate::files::write_if_changed;

use std::path::{Path, PathBuf};

use anyhow::Context;

use serde::{Deserialize, Serialize};

use crate::archive::Location;
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
pub struct Manifest {
    pub(crate) format: String,
    pub(crate) version: u32,
    pub(crate) counts: Counts,
    pub(crate) files: Vec<FileEntry>,
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

    /// Reads `DIR/manifest.json`, refusing what is not a text archive or is of a newer version,
    /// and checks what it lists before anything is imported: each path is one a text archive
    /// has (a day's file, `rejected.jsonl`, `harvests.jsonl`, `arxiv-daily.toml`), named once,
    /// inside the folder (an absolute path or `..` is refused by name, not skipped), and there
    /// as a regular file reached through no symbolic link.
    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(MANIFEST);
        if std::fs::symlink_metadata(&path).is_err() {
            anyhow::bail!(
                "{}: cannot read the text archive's manifest: no such file (is {} a folder written by `arxiv-daily archive export`?)",
                path.display(),
                dir.display()
            );
        }
        let (path, bytes) = read_inside(dir, MANIFEST)?;
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            let line = e.line();
            anyhow::Error::from(e).context(format!(
                "{}:{line}: not a text archive manifest",
                path.display()
            ))
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
        let mut seen = std::collections::HashSet::new();
        for f in &m.files {
            resolve(dir, &f.path)?;
            anyhow::ensure!(
                day_of_path(&f.path).is_some()
                    || [REJECTED, HARVESTS, CONFIG].contains(&f.path.as_str()),
                "{}: the manifest names {:?}, which is not a file of a text archive (days/YYYY/YYYY-MM-DD.jsonl, {REJECTED}, {HARVESTS}, {CONFIG}); nothing was imported",
                path.display(),
                f.path
            );
            anyhow::ensure!(
                seen.insert(f.path.as_str()),
                "{}: the manifest names {:?} twice; nothing was imported",
                path.display(),
                f.path
            );
            regular_inside(dir, &f.path).context("nothing was imported")?;
        }
        Ok(m)
    }

    /// The manifest's entry of `path`, if it lists it.
    pub(crate) fn entry(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Gives a fresh data folder the exported config: when `loc` names no config file of its own
/// and its folder has none yet, the text archive's `arxiv-daily.toml` is copied there, once it
/// reads as a config. Anything else is left as it is (the folder's own config wins). Unlike the
/// data files, the config is not held to the SHA-256 the manifest records: it is the user's to
/// edit in place (a report repository's profiles live there), and the next export records it.
pub fn adopt_config(loc: &Location, dir: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let config = loc.config_path();
    if loc.config.is_none() && !config.exists() && manifest.entry(CONFIG).is_some() {
        let (archived, bytes) = read_inside(dir, CONFIG)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: not UTF-8: {e}", archived.display()))?;
        crate::config::Config::parse(text, &archived.display().to_string())?;
        std::fs::create_dir_all(&loc.dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", loc.dir.display()))?;
        write_if_changed(&config, &bytes)?;
    }
    Ok(())
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

/// `rel` under `dir`, refusing (by name) a path that is not a plain relative one: absolute, or
/// with `..` (it could lead outside the folder), or with `.`.
pub(crate) fn resolve(dir: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    use std::path::Component;
    let p = Path::new(rel);
    let manifest = dir.join(MANIFEST);
    anyhow::ensure!(
        !rel.is_empty()
            && !p.components().any(|c| matches!(
                c,
                Component::RootDir | Component::Prefix(_) | Component::ParentDir
            )),
        "{}: the manifest names {rel:?}, a path outside the archive folder (absolute, or with `..`): refused; nothing was imported",
        manifest.display()
    );
    anyhow::ensure!(
        p.components().all(|c| matches!(c, Component::Normal(_))),
        "{}: the manifest names {rel:?}, which is not a plain path inside the archive folder (such as days/2025/2025-09-24.jsonl); nothing was imported",
        manifest.display()
    );
    Ok(dir.join(p))
}

/// The metadata of `rel` under `dir` (see [`resolve`]) if it is a regular file reached through
/// no symbolic link: every folder on the way and the file itself are looked at without
/// following links (`symlink_metadata`).
fn regular_inside(dir: &Path, rel: &str) -> anyhow::Result<(PathBuf, std::fs::Metadata)> {
    let path = resolve(dir, rel)?;
    let mut at = dir.to_path_buf();
    let parts: Vec<_> = Path::new(rel).components().collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let meta = std::fs::symlink_metadata(&at)
            .with_context(|| format!("{}: cannot read it", at.display()))?;
        let last = i + 1 == parts.len();
        if meta.file_type().is_symlink() {
            anyhow::bail!(
                "{}: a symbolic link; `archive import` reads only regular files inside the text archive's folder and follows no link (copy the file in instead)",
                at.display()
            );
        } else if last && !meta.is_file() {
            anyhow::bail!("{}: not a regular file", at.display());
        } else if !last && !meta.is_dir() {
            anyhow::bail!("{}: not a folder", at.display());
        } else if last {
            return Ok((path, meta));
        }
    }
    anyhow::bail!("{}: not a file", path.display())
}

/// Reads `rel` under `dir`: a regular file inside the folder, reached through no symbolic link
/// (see [`regular_inside`]); the file opened is checked to be the one looked at.
pub(crate) fn read_inside(dir: &Path, rel: &str) -> anyhow::Result<(PathBuf, Vec<u8>)> {
    use std::io::Read;
    let (path, meta) = regular_inside(dir, rel)?;
    let mut file = std::fs::File::open(&path)
        .with_context(|| format!("{}: cannot read it", path.display()))?;
    let opened = file
        .metadata()
        .with_context(|| format!("{}: cannot read it", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        anyhow::ensure!(
            opened.is_file() && (opened.dev(), opened.ino()) == (meta.dev(), meta.ino()),
            "{}: replaced while it was read; run the import again",
            path.display()
        );
    }
    #[cfg(not(unix))]
    anyhow::ensure!(
        opened.is_file() && meta.is_file(),
        "{}: not a regular file",
        path.display()
    );
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .with_context(|| format!("{}: cannot read it", path.display()))?;
    Ok((path, bytes))
}

/// Reads a file the manifest lists (see [`read_inside`]) and checks, before anything parses
/// or copies it, that it is the file the manifest records: its SHA-256 and its line count, and
/// a newline at its end.
pub(crate) fn read_listed(dir: &Path, f: &FileEntry) -> anyhow::Result<(PathBuf, Vec<u8>)> {
    let (path, bytes) = read_inside(dir, &f.path)?;
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    anyhow::ensure!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "{}:{}: the last line has no newline (the file was cut short)",
        path.display(),
        lines + 1
    );
    if lines as u64 == f.lines && sha256(&bytes) == f.sha256 {
        return Ok((path, bytes));
    }
    let count = if lines as u64 == f.lines {
        String::new()
    } else {
        format!(
            ", and it has {lines} lines where the manifest records {}",
            f.lines
        )
    };
    anyhow::bail!(
        "{}: not the file the manifest records: its SHA-256 differs{count}; it was changed or cut short after the export: export again from the archive that wrote it, or restore the file",
        path.display()
    )
}

/// SHA-256 of `bytes`, in hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    crate::files::hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
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
