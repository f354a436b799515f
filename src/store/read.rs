//! The read side: the queries behind `report`, `show`, `stats`, `status` and the index catch-up.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use rusqlite::Connection;

use super::{Result, Store, StoreError, Writer, text};
use crate::model::{AnnounceType, ArxivId, Day, IndexDoc, Provenance};

/// One row of a stored report, or one listed paper, with the snapshot it showed.
#[derive(Debug, Clone, Serialize)]
pub struct ShownPaper {
    pub id: String,
    #[serde(skip)]
    pub sid: i64,
    pub version: Option<u32>,
    pub title: String,
    pub link: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: String,
    pub categories: Vec<String>,
    pub announce_type: Option<AnnounceType>,
}

/// A stored report.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub profile: String,
    pub day: Day,
    pub provenance: Provenance,
    pub rows: Vec<ShownPaper>,
}

/// A line of `report list`.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSummary {
    pub date: String,
    pub profile: String,
    pub rows: u64,
    pub provenance: Provenance,
    pub estimated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SnapshotView {
    pub version: Option<u32>,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: String,
    pub categories: Vec<String>,
    pub doi: Option<String>,
    pub journal_ref: Option<String>,
    pub license: Option<String>,
    pub submitted: Option<String>,
    pub first_seen: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListingView {
    pub date: String,
    pub category: String,
    pub provenance: Provenance,
    pub position: i64,
    pub announce_type: Option<AnnounceType>,
    /// Index into `snapshots` of the text listed that day.
    pub snapshot: usize,
}

/// Everything known about one paper.
#[derive(Debug, Clone, Serialize)]
pub struct PaperView {
    pub id: String,
    pub first_announced: Option<String>,
    pub snapshots: Vec<SnapshotView>,
    pub listings: Vec<ListingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub papers: u64,
    pub snapshots: u64,
    pub listings: u64,
    pub reports: u64,
    pub feeds: u64,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
}

/// Where a harvest window stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// The token of the next page; `None` before the first page or after the last.
    pub resumption: Option<String>,
    /// The newest record datestamp stored, to restart from when a token expires.
    pub last_datestamp: Option<String>,
    /// The window was harvested to its end.
    pub done: bool,
}

/// A record of an OAI-PMH page that could not be read, kept with its raw XML.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRecord {
    pub identifier: String,
    pub reason: String,
    /// The URL of the page it came in.
    pub source: String,
    pub rejected_at: String,
    #[serde(skip)]
    pub raw_xml: String,
}

/// A feed's batch: (id, version) in feed order.
pub type Batch = Vec<(String, Option<u32>)>;

/// A row of the completeness ledger.
#[derive(Debug, Clone, Serialize)]
pub struct FeedRecord {
    pub date: String,
    pub category: String,
    pub build_time: Option<String>,
    pub fetched_at: String,
    pub items: u64,
    pub counts: serde_json::Value,
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

/// arXiv's order of a day's announcements, for listings that have no feed order of their own.
const ESTIMATED_ORDER: &str = "CASE l.announce_type WHEN 'new' THEN 0 WHEN 'cross' THEN 1 WHEN 'replace' THEN 2 ELSE 3 END, p.arxiv_id";
/// The same order as one sortable value (the type's rank, then the id).
const ESTIMATED_KEY: &str = "(CASE l.announce_type WHEN 'new' THEN 0 WHEN 'cross' THEN 1 WHEN 'replace' THEN 2 ELSE 3 END) || ' ' || p.arxiv_id";

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

    /// The stored report of (profile, day), if any.
    pub fn report(&self, profile: &str, day: Day) -> Result<Option<StoredReport>> {
        let found: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT rid, provenance FROM reports WHERE profile = ?1 AND day = ?2")?
            .query_row(params![profile, day.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((rid, provenance)) = found else {
            return Ok(None);
        };
        // The announce type is the listing's of that day (a stored report keeps only snapshots),
        // so a stored report shows what a computed one does.
        let sql = format!(
            "SELECT {SHOWN_COLUMNS}, rr.link,
                    (SELECT l.announce_type FROM listings l WHERE l.pid = p.pid AND l.day = ?2
                     AND l.announce_type IS NOT NULL ORDER BY l.provenance, l.category LIMIT 1)
             FROM report_rows rr JOIN snapshots s ON s.sid = rr.sid
             JOIN papers p ON p.pid = s.pid WHERE rr.rid = ?1 ORDER BY rr.position"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![rid, day.to_string()], |r| {
                shown(r, r.get(7)?, r.get(8)?)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let provenance = Provenance::parse(&provenance)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown provenance {provenance:?}")))?;
        Ok(Some(StoredReport {
            profile: profile.to_string(),
            day,
            provenance,
            rows,
        }))
    }

    /// A day's listing of one category, in order, from the best provenance that has it
    /// (rss before the estimates; legacy listings are partial and never used here).
    pub fn listing(
        &self,
        day: Day,
        category: &str,
    ) -> Result<Option<(Provenance, Vec<ShownPaper>)>> {
        for provenance in [
            Provenance::Rss,
            Provenance::OaiEstimate,
            Provenance::KaggleEstimate,
        ] {
            // A feed's order is the feed's; an estimated listing has no order of its own (its
            // positions follow the order records were imported in), so it is read in arXiv's:
            // new, cross-lists, replacements, replacement cross-lists, each by id.
            let order = if provenance.is_estimate() {
                ESTIMATED_ORDER
            } else {
                "l.position"
            };
            let sql = format!(
                "SELECT {SHOWN_COLUMNS}, l.announce_type FROM listings l JOIN snapshots s ON s.sid = l.sid
                 JOIN papers p ON p.pid = l.pid
                 WHERE l.day = ?1 AND l.category = ?2 AND l.provenance = ?3 ORDER BY {order}"
            );
            let rows = self
                .conn
                .prepare_cached(&sql)?
                .query_map(
                    params![day.to_string(), category, provenance.as_str()],
                    |r| shown(r, None, r.get(7)?),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if !rows.is_empty()
                || (provenance == Provenance::Rss && self.feed_stored(day, category)?)
            {
                return Ok(Some((provenance, rows)));
            }
        }
        Ok(None)
    }

    /// Whether a feed of (day, category) was stored (possibly empty).
    pub fn feed_stored(&self, day: Day, category: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM feeds WHERE day = ?1 AND category = ?2")?
            .query_row(params![day.to_string(), category], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Days that have an estimated listing in any of `categories`, with their provenance.
    pub fn estimated_days(&self, categories: &[String]) -> Result<Vec<(Day, Provenance)>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT day, provenance FROM listings WHERE category = ?1 AND provenance IN ('oai-estimate', 'kaggle-estimate')",
        )?;
        for cat in categories {
            for row in stmt.query_map([cat], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })? {
                let (day, prov) = row?;
                out.push((
                    parse_day(day)?,
                    Provenance::parse(&prov).unwrap_or(Provenance::OaiEstimate),
                ));
            }
        }
        out.sort_by_key(|(d, _)| *d);
        out.dedup_by_key(|(d, _)| *d);
        Ok(out)
    }

    /// The archived days nearest to `day` (before, after) for a profile: days with one of its
    /// stored reports, or a listing of one of its categories. Index lookups only (the day page
    /// asks this on every request; `estimated_days` scans every listing).
    pub fn neighbor_days(
        &self,
        profile: &str,
        categories: &[String],
        day: Day,
    ) -> Result<(Option<Day>, Option<Day>)> {
        let d = day.to_string();
        let mut before: Option<String> = self
            .conn
            .prepare_cached("SELECT max(day) FROM reports WHERE profile = ?1 AND day < ?2")?
            .query_row(params![profile, d], |r| r.get(0))?;
        let mut after: Option<String> = self
            .conn
            .prepare_cached("SELECT min(day) FROM reports WHERE profile = ?1 AND day > ?2")?
            .query_row(params![profile, d], |r| r.get(0))?;
        for c in categories {
            let b: Option<String> = self
                .conn
                .prepare_cached(
                    "SELECT day FROM listings WHERE day < ?2 AND category = ?1 AND provenance != 'legacy' ORDER BY day DESC LIMIT 1",
                )?
                .query_row(params![c, d], |r| r.get(0))
                .optional()?;
            let a: Option<String> = self
                .conn
                .prepare_cached(
                    "SELECT day FROM listings WHERE day > ?2 AND category = ?1 AND provenance != 'legacy' ORDER BY day LIMIT 1",
                )?
                .query_row(params![c, d], |r| r.get(0))
                .optional()?;
            before = before.max(b);
            after = match (after, a) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
        }
        Ok((
            before.map(parse_day).transpose()?,
            after.map(parse_day).transpose()?,
        ))
    }

    /// The newest archived day of a profile (a stored report, or a listing of its categories).
    pub fn latest_day(&self, profile: &str, categories: &[String]) -> Result<Option<Day>> {
        let tomorrow = Day::today().succ().succ();
        let (before, _) = self.neighbor_days(profile, categories, tomorrow)?;
        Ok(before)
    }

    /// The stored reports, by day then profile.
    pub fn report_summaries(&self, profile: Option<&str>) -> Result<Vec<ReportSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.day, r.profile, r.provenance, (SELECT count(*) FROM report_rows rr WHERE rr.rid = r.rid)
             FROM reports r WHERE ?1 IS NULL OR r.profile = ?1 ORDER BY r.day, r.profile",
        )?;
        let rows = stmt
            .query_map([profile], |r| {
                let provenance: Provenance = r.get(2)?;
                Ok(ReportSummary {
                    date: r.get(0)?,
                    profile: r.get(1)?,
                    rows: r.get::<_, i64>(3)? as u64,
                    estimated: provenance.is_estimate(),
                    provenance,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// All days with a stored report of `profile`, ascending.
    pub fn report_days(&self, profile: &str) -> Result<Vec<Day>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT day FROM reports WHERE profile = ?1 ORDER BY day")?;
        let days = stmt
            .query_map([profile], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        days.into_iter().map(parse_day).collect()
    }

    /// Everything known about a paper.
    pub fn paper(&self, id: &ArxivId) -> Result<Option<PaperView>> {
        let pid: Option<i64> = self
            .conn
            .prepare_cached("SELECT pid FROM papers WHERE arxiv_id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        let Some(pid) = pid else { return Ok(None) };
        let mut sids = Vec::new();
        let snapshots = self
            .conn
            .prepare_cached(
                "SELECT sid, version, title, abstract, authors, categories, doi, journal_ref, license, submitted, first_seen
                 FROM snapshots WHERE pid = ?1 ORDER BY first_seen, coalesce(version, 0), sid",
            )?
            .query_map([pid], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    SnapshotView {
                        version: r.get(1)?,
                        title: r.get(2)?,
                        abstract_text: r.get::<_, text::Packed>(3)?.0,
                        authors: r.get(4)?,
                        categories: split_categories(&r.get::<_, String>(5)?),
                        doi: r.get(6)?,
                        journal_ref: r.get(7)?,
                        license: r.get(8)?,
                        submitted: r.get(9)?,
                        first_seen: r.get(10)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(sid, view)| {
                sids.push(sid);
                view
            })
            .collect::<Vec<_>>();
        let listings = self
            .conn
            .prepare_cached(
                // An estimated listing's position is the paper's rank in arXiv's order (see
                // `listing`), not the order it was imported in.
                &format!(
                    "SELECT day, category, provenance,
                        CASE WHEN provenance IN ('oai-estimate', 'kaggle-estimate') THEN
                            (SELECT count(*) FROM listings l JOIN papers p ON p.pid = l.pid
                             WHERE l.day = o.day AND l.category = o.category AND l.provenance = o.provenance
                               AND ({ESTIMATED_KEY}) < (SELECT {ESTIMATED_KEY} FROM listings l JOIN papers p ON p.pid = l.pid
                                                        WHERE l.day = o.day AND l.category = o.category
                                                          AND l.provenance = o.provenance AND l.pid = o.pid))
                        ELSE position END,
                        announce_type, sid
                     FROM listings o WHERE pid = ?1 ORDER BY day, category, provenance"
                ),
            )?
            .query_map([pid], |r| {
                let sid: i64 = r.get(5)?;
                Ok(ListingView {
                    date: r.get(0)?,
                    category: r.get(1)?,
                    provenance: r.get(2)?,
                    position: r.get(3)?,
                    announce_type: r.get(4)?,
                    snapshot: sids.iter().position(|s| *s == sid).unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let first_announced = listings.iter().map(|l| l.date.clone()).min();
        Ok(Some(PaperView {
            id: id.to_string(),
            first_announced,
            snapshots,
            listings,
        }))
    }

    /// The latest snapshot of a paper: (title, abstract, authors).
    pub fn latest_text(&self, id: &str) -> Result<Option<(String, String, String)>> {
        Ok(self
            .conn
            .prepare_cached(LATEST_TEXT)?
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get::<_, text::Packed>(1)?.0, r.get(2)?))
            })
            .optional()?)
    }

    pub fn stats(&self) -> Result<Stats> {
        let count = |sql: &str| -> Result<u64> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let (first_day, last_day): (Option<String>, Option<String>) = self.conn.query_row(
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

    /// Calls `f` with the index document of every paper changed after write batch `since`.
    pub fn docs_since(&self, since: i64, f: impl FnMut(IndexDoc) -> Result<()>) -> Result<()> {
        self.docs_between(since, i64::MAX, f)
    }

    /// Calls `f` with the index document of every paper changed in batches `since+1..=until`.
    pub fn docs_between(
        &self,
        since: i64,
        until: i64,
        mut f: impl FnMut(IndexDoc) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT p.arxiv_id, s.title, s.abstract, s.authors, s.categories,
                    (SELECT group_concat(day, ' ') FROM (SELECT DISTINCT day FROM listings l WHERE l.pid = p.pid ORDER BY day))
                    , p.pid,
                    (SELECT group_concat(category, ' ') FROM (SELECT DISTINCT category FROM listings l WHERE l.pid = p.pid))
             FROM papers p JOIN snapshots s ON s.sid = p.latest_sid WHERE p.index_seq > ?1 AND p.index_seq <= ?2",
        )?;
        let mut rows = stmt.query([since, until])?;
        while let Some(r) = rows.next()? {
            let days: Option<String> = r.get(5)?;
            f(IndexDoc {
                pid: r.get(6)?,
                id: r.get(0)?,
                title: r.get(1)?,
                abstract_text: r.get::<_, text::Packed>(2)?.0,
                authors: r.get(3)?,
                // The snapshot's categories, and those it was listed under (legacy reports do not
                // say a paper's categories, but their listing does).
                categories: {
                    let mut c = split_categories(&r.get::<_, String>(4)?);
                    for listed in
                        split_categories(&r.get::<_, Option<String>>(7)?.unwrap_or_default())
                    {
                        if !c.contains(&listed) {
                            c.push(listed);
                        }
                    }
                    c
                },
                days: days
                    .as_deref()
                    .unwrap_or("")
                    .split_whitespace()
                    .map(|d| {
                        Day::from_iso(d)
                            .ok_or_else(|| StoreError::Corrupt(format!("listing day {d:?}")))
                    })
                    .collect::<Result<_>>()?,
            })?;
        }
        Ok(())
    }

    /// The stored position of a harvest window.
    pub fn checkpoint(&self, window_key: &str) -> Result<Option<Checkpoint>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT resumption, last_datestamp, done FROM harvests WHERE window_key = ?1",
            )?
            .query_row([window_key], |r| {
                Ok(Checkpoint {
                    resumption: r.get(0)?,
                    last_datestamp: r.get(1)?,
                    done: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// The OAI records that could not be read, oldest rejection first.
    pub fn rejected_records(&self) -> Result<Vec<RejectedRecord>> {
        // A reader may open an archive that no writer of this version has migrated yet.
        let exists: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'rejected_records'",
            [],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare(
            "SELECT identifier, reason, source, rejected_at, raw_xml FROM rejected_records
             ORDER BY rejected_at, identifier",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RejectedRecord {
                    identifier: r.get(0)?,
                    reason: r.get(1)?,
                    source: r.get(2)?,
                    rejected_at: r.get(3)?,
                    raw_xml: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The largest paper row id (0 for an empty archive).
    pub fn max_pid(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(pid), 0) FROM papers", [], |r| r.get(0))?)
    }

    /// Number of papers changed after write batch `since`.
    pub fn count_since(&self, since: i64) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM papers WHERE index_seq > ?1",
            [since],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The ledger rows between two days (inclusive), optionally for one category.
    pub fn feeds(&self, from: Option<Day>, to: Option<Day>) -> Result<Vec<FeedRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT day, category, build_time, fetched_at, items, counts FROM feeds
             WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) ORDER BY category, day",
        )?;
        let rows = stmt
            .query_map(
                params![from.map(|d| d.to_string()), to.map(|d| d.to_string())],
                |r| {
                    Ok(FeedRecord {
                        date: r.get(0)?,
                        category: r.get(1)?,
                        build_time: r.get(2)?,
                        fetched_at: r.get(3)?,
                        items: r.get::<_, i64>(4)? as u64,
                        counts: serde_json::from_str(&r.get::<_, String>(5)?)
                            .unwrap_or(serde_json::Value::Null),
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Stale feeds recorded between two days: (day, category, same_as).
    pub fn repeats(
        &self,
        from: Option<Day>,
        to: Option<Day>,
    ) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT day, category, same_as FROM repeats WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) ORDER BY category, day",
        )?;
        let rows = stmt
            .query_map(
                params![from.map(|d| d.to_string()), to.map(|d| d.to_string())],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The latest stored feed day of a category before `day`, with its (id, version) batch.
    pub fn previous_batch(&self, category: &str, day: Day) -> Result<Option<(Day, Batch)>> {
        let prev: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT max(day) FROM feeds WHERE category = ?1 AND day < ?2 AND items > 0",
            )?
            .query_row(params![category, day.to_string()], |r| r.get(0))?;
        let Some(prev) = prev else { return Ok(None) };
        let batch = self
            .conn
            .prepare_cached(
                "SELECT p.arxiv_id, s.version FROM listings l JOIN papers p ON p.pid = l.pid JOIN snapshots s ON s.sid = l.sid
                 WHERE l.day = ?1 AND l.category = ?2 AND l.provenance = 'rss' ORDER BY l.position",
            )?
            .query_map(params![prev, category], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some((parse_day(prev)?, batch)))
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
