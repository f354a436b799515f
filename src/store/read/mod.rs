//! The read side: the queries behind `report`, `show`, `stats`, `status` and the index catch-up,
//! one module per family of tables; here the read handles and what the whole archive answers
//! (counts, the write counter, integrity).

use rusqlite::Connection;

use super::{Result, Store, StoreError, Writer, text};
use crate::model::{AnnounceType, ArxivId, Day, IndexDoc, Provenance};

mod dump;
mod harvest;
mod ledger;
mod papers;
mod papers_for;
mod reports;

pub use dump::*;
pub use harvest::{Checkpoint, RejectedRecord};
pub use ledger::{Batch, FeedRecord};
pub use papers::{ListingView, PaperView, SnapshotView};
pub use papers_for::PaperText;
pub use reports::{ReportSummary, ShownPaper, StoredReport};

#[derive(Debug, Clone)]
pub struct Stats {
    pub papers: u64,
    pub snapshots: u64,
    pub listings: u64,
    pub reports: u64,
    pub feeds: u64,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
}

/// `meta.write_seq`, the last committed write batch. One that does not parse is corruption
/// (`doctor --repair` rewrites it from the papers' stamps), never a silent 0.
pub(super) fn parse_write_seq(v: &str) -> Result<i64> {
    v.parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| StoreError::WriteSeq(v.to_string()))
}

fn parse_day(s: String) -> Result<Day> {
    Day::parse(&s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn split_categories(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// arXiv's order of a day's announcements, for listings that have no feed order of their own:
/// new, cross-lists, replacements, replacement cross-lists, each newest id first (as the feeds
/// list them).
const ESTIMATED_ORDER: &str = "CASE l.announce_type WHEN 'new' THEN 0 WHEN 'cross' THEN 1 WHEN 'replace' THEN 2 ELSE 3 END, p.arxiv_id DESC";
/// The same order as one value that sorts *descending* (the type's rank reversed, then the id;
/// ids of one month have one length, and months compare as their ids' prefixes).
const ESTIMATED_KEY: &str = "(CASE l.announce_type WHEN 'new' THEN 3 WHEN 'cross' THEN 2 WHEN 'replace' THEN 1 ELSE 0 END) || ' ' || p.arxiv_id";

const SHOWN_COLUMNS: &str =
    "p.arxiv_id, s.sid, s.version, s.title, s.abstract, s.authors, s.categories";

fn shown(
    r: &rusqlite::Row<'_>,
    link: Option<String>,
    announce_type: Option<String>,
) -> rusqlite::Result<ShownPaper> {
    let id: String = r.get(0)?;
    Ok(ShownPaper {
        link: link.unwrap_or_else(|| format!("https://arxiv.org/abs/{id}")),
        id,
        sid: r.get(1)?,
        version: r.get(2)?,
        title: r.get(3)?,
        abstract_text: r.get::<_, text::Packed>(4)?.0,
        authors: r.get(5)?,
        categories: split_categories(&r.get::<_, String>(6)?),
        announce_type: announce_type.as_deref().and_then(AnnounceType::parse),
    })
}

/// Read queries, on the store's connection or inside a write transaction (which sees its own
/// uncommitted rows).
pub struct Reads<'a> {
    conn: &'a Connection,
}

impl Store {
    pub fn read(&self) -> Reads<'_> {
        Reads { conn: &self.conn }
    }

    /// A read transaction: its reads see the archive as one write batch left it, and take the
    /// database's read lock once (a page of 25 hits otherwise takes it 25 times, a system call
    /// each). It ends when dropped.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        Ok(Snapshot {
            tx: self.conn.unchecked_transaction()?,
        })
    }
}

/// See `Store::snapshot`.
pub struct Snapshot<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Snapshot<'_> {
    pub fn read(&self) -> Reads<'_> {
        Reads { conn: &self.tx }
    }
}

impl Writer<'_> {
    pub fn read(&self) -> Reads<'_> {
        Reads { conn: self.tx() }
    }
}

pub(super) const LATEST_TEXT: &str = "SELECT s.title, s.abstract, s.authors FROM papers p JOIN snapshots s ON s.sid = p.latest_sid WHERE p.arxiv_id = ?1";

impl Reads<'_> {
    pub fn write_seq(&self) -> Result<i64> {
        let v: String =
            self.conn
                .query_row("SELECT value FROM meta WHERE key = 'write_seq'", [], |r| {
                    r.get(0)
                })?;
        parse_write_seq(&v)
    }

    pub fn stats(&self) -> Result<Stats> {
        let count = |sql: &str| -> Result<u64> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let (first_day, last_day): (Option<Day>, Option<Day>) = self.conn.query_row(
            "SELECT min(d), max(d) FROM (SELECT min(day) d FROM listings UNION ALL SELECT max(day) FROM listings
             UNION ALL SELECT min(day) FROM reports UNION ALL SELECT max(day) FROM reports
             UNION ALL SELECT min(day) FROM feeds UNION ALL SELECT max(day) FROM feeds)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Stats {
            papers: count("SELECT count(*) FROM papers")?,
            snapshots: count("SELECT count(*) FROM snapshots")?,
            listings: count("SELECT count(*) FROM listings")?,
            reports: count("SELECT count(*) FROM reports")?,
            feeds: count("SELECT count(*) FROM feeds")?,
            first_day,
            last_day,
        })
    }

    /// The largest paper row id (0 for an empty archive).
    pub fn max_pid(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(pid), 0) FROM papers", [], |r| r.get(0))?)
    }
}

impl Reads<'_> {
    /// Runs SQLite's own integrity check; returns its complaints (empty when sound).
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Rows that point at something that does not exist (`PRAGMA foreign_key_check`), and papers
    /// without a latest snapshot.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let mut out: Vec<String> = stmt
            .query_map([], |r| {
                Ok(format!(
                    "table {} row {} points at a missing {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                    r.get::<_, String>(2)?
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let orphans: i64 = self.conn.query_row(
            "SELECT count(*) FROM papers p WHERE p.latest_sid IS NULL OR NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.sid = p.latest_sid AND s.pid = p.pid)",
            [],
            |r| r.get(0),
        )?;
        if orphans > 0 {
            out.push(format!("{orphans} papers have no valid latest snapshot"));
        }
        Ok(out)
    }

    pub fn paper_ids(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT arxiv_id FROM papers")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }
}
