//! The reader's library: tags of saved papers, dismissals ("not for me"), visits of day pages,
//! and what each digest sent. User state, in its own SQLite file beside the archive
//! (`library.sqlite3`): the archive never reads it, and nothing that rebuilds or repairs the
//! archive or its index touches it. Nothing in it is derived from the archive.
//!
//! Opening creates the file and applies the append-only migrations (`PRAGMA user_version`);
//! every change is one IMMEDIATE transaction that also bumps `meta.version`, which the
//! recommender keys its kept models on.

pub mod import;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::model::{ArxivId, Day};
use crate::sqlite::{self, MigrateError};

pub use crate::archive::LIBRARY_FILE;

const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("describe.sql"),
    include_str!("digests.sql"),
];

/// The longest tag name.
pub const TAG_MAX: usize = 40;

/// The longest description of a tag, in characters: a sentence or a paragraph, not a paper.
pub const DESCRIPTION_MAX: usize = 1000;

/// What went wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{path}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{path}: the library has schema version {found}, newer than this arxiv-daily knows ({known}); upgrade arxiv-daily"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A library written by an older arxiv-daily, read before anything upgraded it.
    #[error(
        "{path}: the library has schema version {found}, older than this arxiv-daily's ({known}); a command that writes the library (`arxiv-daily library add`, `serve`) upgrades it"
    )]
    TooOld {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("cannot create the folder {path}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tag(#[from] TagError),
    #[error("no tag {0:?} in the library")]
    NoTag(String),
    /// A description longer than [`DESCRIPTION_MAX`] characters.
    #[error("a tag's description is at most {DESCRIPTION_MAX} characters; this one has {0}")]
    DescriptionTooLong(usize),
    /// The library file could not be created.
    #[error("{path}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = LibraryError> = std::result::Result<T, E>;

/// A tag name that breaks the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad tag {0:?}: a tag is 1 to 40 letters, digits, '-', '_' or '.', starting with a letter or digit"
)]
pub struct TagError(pub String);

/// A valid tag name (see [`TagError`] for the rule): safe in a URL path, a file name and a
/// mail subject as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Tag(String);

impl Tag {
    pub fn parse(s: &str) -> Result<Tag, TagError> {
        let ok = !s.is_empty()
            && s.len() <= TAG_MAX
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(Tag(s.to_string()))
        } else {
            Err(TagError(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Tag {
    type Err = TagError;
    fn from_str(s: &str) -> Result<Tag, TagError> {
        Tag::parse(s)
    }
}

/// Whether a paper is one of a tag's positives or a dismissal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Saved,
    Dismissed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Saved => "saved",
            Kind::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<Kind> {
        match s {
            "saved" => Ok(Kind::Saved),
            "dismissed" => Ok(Kind::Dismissed),
            other => Err(rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("entry kind {other:?}").into(),
            )),
        }
    }
}

/// One row of `library list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: String,
    pub tag: String,
    pub kind: Kind,
    /// When it was saved or dismissed (RFC 3339, UTC).
    pub added: String,
}

/// One row of `library tags`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagSummary {
    pub tag: String,
    pub papers: u64,
    pub dismissed: u64,
    /// When a digest last sent papers of this tag (RFC 3339, UTC).
    pub last_digest: Option<String>,
    /// The interest in words (`library describe`).
    pub description: Option<String>,
}

/// A tag as its model reads it: saved (newest first) and dismissed ids, and its description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagPapers {
    pub saved: Vec<String>,
    pub dismissed: Vec<String>,
    pub description: Option<String>,
}

/// The library file.
pub struct Library {
    conn: Connection,
    path: PathBuf,
}

impl Library {
    /// Opens for reading and writing, creating and migrating the file (and its folder) as
    /// needed. A new file is readable by its owner only (on Unix; SQLite gives its `-wal` and
    /// `-shm` files the same mode): the library is the reader's own.
    pub fn open(path: &Path) -> Result<Library> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| LibraryError::Folder {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        create_private(path)?;
        let mut conn =
            sqlite::open_writer(path, Duration::from_secs(10)).map_err(|e| sqlite(path, e))?;
        sqlite::migrate(&mut conn, MIGRATIONS).map_err(|e| match e {
            MigrateError::Sqlite(e) => sqlite(path, e),
            MigrateError::TooNew { found, known } => LibraryError::TooNew {
                path: path.to_path_buf(),
                found,
                known,
            },
        })?;
        Ok(Library {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing library for reading; `None` when there is none yet (no file, or a
    /// file nothing was ever written to: an empty library). A reader never creates, writes
    /// nor migrates the file: one made by an older arxiv-daily is upgraded by the next command
    /// that writes it.
    pub fn open_read_only(path: &Path) -> Result<Option<Library>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn =
            sqlite::open_reader(path, Duration::from_secs(10)).map_err(|e| sqlite(path, e))?;
        let found = sqlite::user_version(&conn).map_err(|e| sqlite(path, e))?;
        let known = MIGRATIONS.len() as i64;
        let path = path.to_path_buf();
        match found {
            0 => Ok(None),
            _ if found > known => Err(LibraryError::TooNew { path, found, known }),
            _ if found < known => Err(LibraryError::TooOld { path, found, known }),
            _ => Ok(Some(Library { conn, path })),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> LibraryError {
        sqlite(&self.path, e)
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it or none. A change of tags or entries
    /// also bumps the version (visits and digests do not: no model depends on them).
    pub fn change<T>(&mut self, f: impl FnOnce(&Changes<'_>) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite(&path, e))?;
        let changes = Changes {
            tx: &tx,
            path: &path,
            now: crate::sqlite::now(),
            tags_changed: std::cell::Cell::new(false),
        };
        let value = f(&changes)?;
        if changes.tags_changed.get() {
            tx.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'",
                [],
            )
            .map_err(|e| sqlite(&path, e))?;
        }
        tx.commit().map_err(|e| sqlite(&path, e))?;
        Ok(value)
    }

    /// The count of committed changes (see `meta.version`).
    pub fn version(&self) -> Result<i64> {
        let v: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        Ok(v.parse().unwrap_or(0))
    }

    /// Every entry (of one tag, named in any case), by tag, then newest first (saved together:
    /// the newer paper first).
    pub fn entries(&self, tag: Option<&str>) -> Result<Vec<Entry>> {
        let tag = match tag {
            Some(t) => match self.tag_name(t)? {
                Some(stored) => Some(stored),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT arxiv_id, tag, kind, added FROM entries WHERE ?1 IS NULL OR tag = ?1
                 ORDER BY tag, added DESC, arxiv_id DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([tag], |r| {
                Ok(Entry {
                    id: r.get(0)?,
                    tag: r.get(1)?,
                    kind: Kind::parse(&r.get::<_, String>(2)?)?,
                    added: r.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Every tag with its counts, by name.
    pub fn tags(&self) -> Result<Vec<TagSummary>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.name,
                        (SELECT count(*) FROM entries e WHERE e.tag = t.name AND e.kind = 'saved'),
                        (SELECT count(*) FROM entries e WHERE e.tag = t.name AND e.kind = 'dismissed'),
                        (SELECT max(at) FROM sent s WHERE s.tag = t.name),
                        t.description
                 FROM tags t ORDER BY t.name",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok(TagSummary {
                tag: r.get(0)?,
                papers: r.get::<_, i64>(1)? as u64,
                dismissed: r.get::<_, i64>(2)? as u64,
                last_digest: r.get(3)?,
                description: r.get(4)?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| self.err(e))
    }

    /// Whether the tag exists (in any case).
    pub fn has_tag(&self, tag: &str) -> Result<bool> {
        Ok(self.tag_name(tag)?.is_some())
    }

    /// The tag named `tag` in any case, as it was first written (see [`stored_tag`]).
    pub fn tag_name(&self, tag: &str) -> Result<Option<String>> {
        stored_tag(&self.conn, tag).map_err(|e| self.err(e))
    }

    /// A tag's saved papers (newest first), dismissals and description.
    pub fn tag_papers(&self, tag: &str) -> Result<TagPapers> {
        let mut out = TagPapers {
            description: self.description(tag)?,
            ..TagPapers::default()
        };
        for e in self.entries(Some(tag))? {
            match e.kind {
                Kind::Saved => out.saved.push(e.id),
                Kind::Dismissed => out.dismissed.push(e.id),
            }
        }
        Ok(out)
    }

    /// A tag's description (`None`: no such tag, or not described).
    pub fn description(&self, tag: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT description FROM tags WHERE name = ?1 COLLATE NOCASE ORDER BY name = ?1 DESC, name LIMIT 1",
            )
            .and_then(|mut s| s.query_row([tag], |r| r.get(0)).optional())
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Every id in the library under any tag, saved or dismissed.
    pub fn all_ids(&self) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT arxiv_id FROM entries")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<HashSet<String>>>())
            .map_err(|e| self.err(e))
    }

    /// The papers of a tag already mailed by a digest.
    pub fn sent(&self, tag: &str) -> Result<HashSet<String>> {
        let tag = self.tag_name(tag)?.unwrap_or_else(|| tag.to_string());
        let mut stmt = self
            .conn
            .prepare_cached("SELECT arxiv_id FROM sent WHERE tag = ?1")
            .map_err(|e| self.err(e))?;
        stmt.query_map([&tag], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<HashSet<String>>>())
            .map_err(|e| self.err(e))
    }

    /// When the digest of `day` for `recipient` and `tags` (see [`digest_tags`]) was mailed, and
    /// how many papers it held; `None`: never.
    pub fn digest_of(
        &self,
        day: Day,
        recipient: &str,
        tags: &str,
    ) -> Result<Option<(String, u64)>> {
        self.conn
            .prepare_cached(
                "SELECT at, papers FROM digests WHERE day = ?1 AND recipient = ?2 AND tags = ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![day.to_string(), recipient, tags], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// The last visit of a profile's day pages: (newest day seen, the one seen before it).
    pub fn visit_of(&self, profile: &str) -> Result<Option<(Day, Option<Day>)>> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .prepare_cached("SELECT day, previous FROM visits WHERE profile = ?1")
            .and_then(|mut s| {
                s.query_row([profile], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        Ok(row.and_then(|(day, previous)| {
            Some((
                Day::from_iso(&day)?,
                previous.as_deref().and_then(Day::from_iso),
            ))
        }))
    }
}

/// The changes of one transaction (see [`Library::change`]).
pub struct Changes<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    path: &'a Path,
    now: String,
    tags_changed: std::cell::Cell<bool>,
}

impl Changes<'_> {
    fn err(&self, e: rusqlite::Error) -> LibraryError {
        sqlite(self.path, e)
    }

    /// The tag as stored, made if there is none in any case: its name as stored.
    fn ensure_tag(&self, tag: &Tag) -> Result<String> {
        self.tags_changed.set(true);
        if let Some(stored) = stored_tag(self.tx, tag.as_str()).map_err(|e| self.err(e))? {
            return Ok(stored);
        }
        self.tx
            .prepare_cached("INSERT INTO tags (name, created) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![tag.as_str(), self.now]))
            .map_err(|e| self.err(e))?;
        Ok(tag.to_string())
    }

    /// Saves papers to a tag (creating it); a dismissed one becomes saved. Returns how many
    /// rows changed (a paper already saved keeps its date).
    pub fn save(&self, tag: &Tag, ids: &[ArxivId]) -> Result<usize> {
        self.put(tag, ids, Kind::Saved, None)
    }

    /// Dismisses papers from a tag (creating it); a saved one becomes dismissed.
    pub fn dismiss(&self, tag: &Tag, ids: &[ArxivId]) -> Result<usize> {
        self.put(tag, ids, Kind::Dismissed, None)
    }

    /// Puts entries of one kind, dated `added` (default: now).
    pub fn put(
        &self,
        tag: &Tag,
        ids: &[ArxivId],
        kind: Kind,
        added: Option<&str>,
    ) -> Result<usize> {
        let name = self.ensure_tag(tag)?;
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO entries (tag, arxiv_id, kind, added) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (tag, arxiv_id) DO UPDATE SET kind = excluded.kind, added = excluded.added
                 WHERE entries.kind != excluded.kind",
            )
            .map_err(|e| self.err(e))?;
        let mut n = 0;
        for id in ids {
            n += stmt
                .execute(params![
                    name,
                    id.as_str(),
                    kind.as_str(),
                    added.unwrap_or(&self.now)
                ])
                .map_err(|e| self.err(e))?;
        }
        Ok(n)
    }

    /// Takes papers out of a tag (saved or dismissed). Returns how many were there.
    pub fn remove(&self, tag: &Tag, ids: &[ArxivId]) -> Result<usize> {
        let Some(name) = stored_tag(self.tx, tag.as_str()).map_err(|e| self.err(e))? else {
            return Ok(0);
        };
        self.tags_changed.set(true);
        let mut stmt = self
            .tx
            .prepare_cached("DELETE FROM entries WHERE tag = ?1 AND arxiv_id = ?2")
            .map_err(|e| self.err(e))?;
        let mut n = 0;
        for id in ids {
            n += stmt
                .execute(params![name, id.as_str()])
                .map_err(|e| self.err(e))?;
        }
        Ok(n)
    }

    /// Describes a tag in words (creating it); an empty text takes the description away.
    /// Returns whether the description changed.
    pub fn describe(&self, tag: &Tag, text: &str) -> Result<bool> {
        let text =
            Some(text.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|t| !t.is_empty());
        let len = text.as_deref().map_or(0, |t| t.chars().count());
        if len > DESCRIPTION_MAX {
            return Err(LibraryError::DescriptionTooLong(len));
        }
        let name = self.ensure_tag(tag)?;
        let n = self
            .tx
            .prepare_cached(
                "UPDATE tags SET description = ?2 WHERE name = ?1 AND description IS NOT ?2",
            )
            .and_then(|mut s| s.execute(params![name, text]))
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// Records a visit of a profile's day page of `day`; returns the visit before it as
    /// [`Library::visit_of`] would have (the newest day seen, and the one before that).
    pub fn visit(&self, profile: &str, day: Day) -> Result<Option<(Day, Option<Day>)>> {
        let row: Option<(String, Option<String>)> = self
            .tx
            .prepare_cached("SELECT day, previous FROM visits WHERE profile = ?1")
            .and_then(|mut s| {
                s.query_row([profile], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        let before = row
            .as_ref()
            .and_then(|(d, p)| Some((Day::from_iso(d)?, p.as_deref().and_then(Day::from_iso))));
        let (newest, previous) = match before {
            // A newer day: the newest seen until now becomes the previous visit.
            Some((seen, _)) if day > seen => (day, Some(seen)),
            Some((seen, previous)) => (seen, previous),
            None => (day, None),
        };
        self.tx
            .prepare_cached(
                "INSERT INTO visits (profile, day, previous, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (profile) DO UPDATE SET day = excluded.day, previous = excluded.previous, at = excluded.at",
            )
            .and_then(|mut s| {
                s.execute(params![
                    profile,
                    newest.to_string(),
                    previous.map(|d| d.to_string()),
                    self.now
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(before)
    }

    /// Records the digest of `day` as mailed to `recipient` for `tags` (see [`digest_tags`]).
    pub fn record_digest(
        &self,
        day: Day,
        recipient: &str,
        tags: &str,
        papers: usize,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO digests (day, recipient, tags, papers, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![day.to_string(), recipient, tags, papers as i64, self.now])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records papers as mailed to a tag.
    pub fn record_sent(&self, tag: &str, ids: &[String]) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO sent (tag, arxiv_id, at) VALUES (?1, ?2, ?3)")
            .map_err(|e| self.err(e))?;
        for id in ids {
            stmt.execute(params![tag, id, self.now])
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

/// The choice of tags a digest is for, as its record names it: `*` for every tag, else the tags
/// in lower case, sorted, joined by commas.
pub fn digest_tags(tags: &[String]) -> String {
    if tags.is_empty() {
        return "*".into();
    }
    let mut t: Vec<String> = tags.iter().map(|t| t.to_ascii_lowercase()).collect();
    t.sort();
    t.dedup();
    t.join(",")
}

/// Tags are one whatever their case (`RecSys` and `recsys` are one tag), and keep the case
/// they were first written in: the stored name of `tag`, matched without regard to ASCII case
/// (a tag is ASCII). A library from before this rule may hold two tags differing only in case:
/// the one written exactly as asked is preferred, else the first by name.
fn stored_tag(conn: &Connection, tag: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT name FROM tags WHERE name = ?1 COLLATE NOCASE ORDER BY name = ?1 DESC, name LIMIT 1",
    )?
    .query_row([tag], |r| r.get(0))
    .optional()
}

/// Creates `path` empty (an empty file is an empty SQLite database) with mode 0600, unless it
/// exists: SQLite would create it with 0644 less the umask.
fn create_private(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(LibraryError::Create {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn sqlite(path: &Path, source: rusqlite::Error) -> LibraryError {
    LibraryError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// An id as a reader writes it: `2509.16442`, `2509.16442v2`, `arXiv:2509.16442`, or an
/// arxiv.org `abs/` or `pdf/` link (with or without `.pdf`).
pub fn parse_id(s: &str) -> Result<ArxivId, crate::model::IdError> {
    let t = s.trim();
    let t = t.strip_suffix(".pdf").unwrap_or(t);
    let t = t.strip_suffix('/').unwrap_or(t);
    let t = match t.find("arxiv.org/pdf/") {
        Some(pos) => &t[pos + "arxiv.org/pdf/".len()..],
        None => t,
    };
    ArxivId::parse(t).map_err(|_| crate::model::IdError(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_rule_the_error_states() {
        for ok in ["ir", "LLM-agents", "a.b_c", "x1"] {
            assert!(Tag::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "a b", "a/b", "é", &"x".repeat(41), "<script>"] {
            let e = Tag::parse(bad).unwrap_err();
            assert!(e.to_string().contains("1 to 40 letters"), "{bad}");
        }
    }

    #[test]
    fn ids_come_as_ids_versions_and_links() {
        for s in [
            "2509.16442",
            "2509.16442v3",
            "arXiv:2509.16442",
            "https://arxiv.org/abs/2509.16442v2",
            "https://arxiv.org/pdf/2509.16442",
            "https://arxiv.org/pdf/2509.16442v1.pdf",
            "http://export.arxiv.org/abs/2509.16442/",
        ] {
            assert_eq!(parse_id(s).unwrap().as_str(), "2509.16442", "{s}");
        }
        assert!(parse_id("https://example.org/x").is_err());
    }

    #[test]
    fn tags_are_one_whatever_their_case_and_keep_their_first_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let mut lib = Library::open(&dir.path().join(LIBRARY_FILE)).unwrap();
        let id = |s| ArxivId::parse(s).unwrap();
        let tag = |s| Tag::parse(s).unwrap();
        lib.change(|c| c.save(&tag("RecSys"), &[id("2509.00001")]))
            .unwrap();
        lib.change(|c| c.save(&tag("recsys"), &[id("2509.00002")]))
            .unwrap();
        lib.change(|c| c.dismiss(&tag("RECSYS"), &[id("2509.00003")]))
            .unwrap();
        let tags = lib.tags().unwrap();
        assert_eq!(tags.len(), 1);
        assert_eq!((tags[0].tag.as_str(), tags[0].papers), ("RecSys", 2));
        assert_eq!(lib.tag_name("rECsYS").unwrap().as_deref(), Some("RecSys"));
        assert!(lib.has_tag("recsys").unwrap());
        assert_eq!(lib.entries(Some("recsys")).unwrap().len(), 3);
        assert_eq!(lib.tag_papers("RECSYS").unwrap().dismissed, ["2509.00003"]);
        assert_eq!(
            lib.change(|c| c.remove(&tag("recSys"), &[id("2509.00001")]))
                .unwrap(),
            1
        );
        assert_eq!(
            lib.change(|c| c.remove(&tag("nosuch"), &[id("2509.00001")]))
                .unwrap(),
            0
        );
        // A library from before the rule, with two tags differing in case: each is reached by
        // its own spelling.
        lib.conn
            .execute(
                "INSERT INTO tags (name, created) VALUES ('recsys', 'x')",
                [],
            )
            .unwrap();
        assert_eq!(lib.tag_name("recsys").unwrap().as_deref(), Some("recsys"));
        assert_eq!(lib.tag_name("RecSys").unwrap().as_deref(), Some("RecSys"));
        assert_eq!(lib.tag_name("RECSYS").unwrap().as_deref(), Some("RecSys"));
    }

    #[cfg(unix)]
    #[test]
    fn a_new_library_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LIBRARY_FILE);
        let lib = Library::open(&path).unwrap();
        for p in [path.clone(), dir.path().join(format!("{LIBRARY_FILE}-wal"))] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
        drop(lib);
    }

    #[test]
    fn connections_creating_the_library_at_once_migrate_it_once() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(LIBRARY_FILE);
            let start = std::sync::Barrier::new(4);
            std::thread::scope(|scope| {
                let opened: Vec<_> = (0..4)
                    .map(|i| {
                        let (path, start) = (&path, &start);
                        scope.spawn(move || {
                            start.wait();
                            if i % 2 == 0 {
                                Library::open(path).map(|_| ())
                            } else {
                                Library::open_read_only(path).map(|_| ())
                            }
                        })
                    })
                    .collect();
                for o in opened {
                    o.join().unwrap().unwrap();
                }
            });
            assert!(Library::open(&path).unwrap().tags().unwrap().is_empty());
        }
    }

    #[test]
    fn saves_dismissals_visits_and_versions_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LIBRARY_FILE);
        assert!(Library::open_read_only(&path).unwrap().is_none());
        let mut lib = Library::open(&path).unwrap();
        let t = Tag::parse("ir").unwrap();
        let ids: Vec<ArxivId> = ["2509.00001", "2509.00002"]
            .iter()
            .map(|s| ArxivId::parse(s).unwrap())
            .collect();
        assert_eq!(lib.change(|c| c.save(&t, &ids)).unwrap(), 2);
        assert_eq!(lib.change(|c| c.save(&t, &ids)).unwrap(), 0);
        assert_eq!(lib.change(|c| c.dismiss(&t, &ids[1..])).unwrap(), 1);
        let papers = lib.tag_papers("ir").unwrap();
        assert_eq!(papers.saved, vec!["2509.00001"]);
        assert_eq!(papers.dismissed, vec!["2509.00002"]);
        assert_eq!(lib.version().unwrap(), 3);
        let tags = lib.tags().unwrap();
        assert_eq!((tags[0].papers, tags[0].dismissed), (1, 1));
        let d = |s| Day::from_iso(s).unwrap();
        assert_eq!(lib.change(|c| c.visit("p", d("2026-08-03"))).unwrap(), None);
        lib.change(|c| c.visit("p", d("2026-08-05"))).unwrap();
        lib.change(|c| c.visit("p", d("2026-08-04"))).unwrap();
        assert_eq!(
            lib.visit_of("p").unwrap(),
            Some((d("2026-08-05"), Some(d("2026-08-03"))))
        );
        // A failed change leaves nothing behind.
        let r: Result<()> = lib.change(|c| {
            c.save(&Tag::parse("other").unwrap(), &ids)?;
            Err(LibraryError::NoTag("x".into()))
        });
        assert!(r.is_err());
        assert!(!lib.has_tag("other").unwrap());
        // Visits change no model: the version stays.
        assert_eq!(lib.version().unwrap(), 3);
    }
}
