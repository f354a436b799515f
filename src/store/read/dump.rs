//! Every row of the archive as a record of its text form (`archive export`): one announcement day
//! at a time, in a fixed order, with snapshots referred to by their content hash instead of a
//! row id (row ids are how one database numbered its rows, not part of the archive).

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::*;

/// A snapshot's content hash as the text form writes it: 16 hex digits.
pub fn hash_hex(hash: i64) -> String {
    format!("{:016x}", hash as u64)
}

/// The content hash of 16 hex digits, back.
pub fn parse_hash_hex(s: &str) -> Option<i64> {
    (s.len() == 16)
        .then(|| u64::from_str_radix(s, 16).ok())
        .flatten()
        .map(|h| h as i64)
}

/// One snapshot of a paper's metadata, filed under the day it was first seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRecord {
    pub id: String,
    /// The content hash (hex), which the listings and report rows refer to.
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: String,
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted: Option<String>,
}

impl SnapshotRecord {
    /// The paper's id, the recorded hash, and the snapshot.
    pub fn into_snapshot(self) -> (String, String, crate::model::Snapshot) {
        let SnapshotRecord {
            id,
            hash,
            version,
            title,
            abstract_text,
            authors,
            categories,
            doi,
            journal_ref,
            license,
            submitted,
        } = self;
        let snapshot = crate::model::Snapshot {
            version,
            title,
            abstract_text,
            authors,
            categories,
            doi,
            journal_ref,
            license,
            submitted,
        };
        (id, hash, snapshot)
    }
}

/// One row of a day's listing of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingRecord {
    pub category: String,
    pub provenance: String,
    pub position: i64,
    pub id: String,
    /// The hash of the snapshot this listing showed.
    pub snapshot: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub announce_type: Option<String>,
}

/// A feed stored in the completeness ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedRow {
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_time: Option<String>,
    pub fetched_at: String,
    pub source: String,
    pub items: i64,
    /// Items by announce type, as the ledger stored it (JSON text).
    pub counts: String,
}

/// A stale feed: the batch of `same_as` served again on this day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatRow {
    pub category: String,
    pub same_as: String,
    pub fetched_at: String,
}

/// A stored report of a profile (its rows follow as `ReportRowRecord`s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRecord {
    pub profile: String,
    pub provenance: String,
    pub created_at: String,
}

/// A row of a stored report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRowRecord {
    pub profile: String,
    pub position: i64,
    pub id: String,
    pub snapshot: String,
    /// The link the report showed, when it is not the paper's abstract page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// An OAI-PMH record that could not be read, with its raw XML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedRow {
    pub identifier: String,
    pub reason: String,
    pub raw_xml: String,
    pub source: String,
    pub rejected_at: String,
}

/// A harvest window's checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HarvestRow {
    pub window_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_datestamp: Option<String>,
    pub pages: i64,
    pub records: i64,
    pub done: bool,
    pub updated_at: String,
}

/// Everything the archive holds for one announcement day.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DayDump {
    pub snapshots: Vec<SnapshotRecord>,
    pub listings: Vec<ListingRecord>,
    pub feeds: Vec<FeedRow>,
    pub repeats: Vec<RepeatRow>,
    /// Each report with its rows in order; by profile.
    pub reports: Vec<(ReportRecord, Vec<ReportRowRecord>)>,
}

impl Reads<'_> {
    /// Every day that has a snapshot first seen, a listing, a feed, a stale feed or a report,
    /// in order; with the row ids of the snapshots first seen on each (in row order).
    pub fn dump_days(&self) -> Result<Vec<(Day, Vec<i64>)>> {
        let mut days: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
        let mut stmt = self
            .conn
            .prepare("SELECT first_seen, sid FROM snapshots ORDER BY first_seen, sid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            days.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        for table in ["listings", "feeds", "repeats", "reports"] {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT DISTINCT day FROM {table}"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                days.entry(r.get(0)?).or_default();
            }
        }
        days.into_iter()
            .map(|(d, sids)| Ok((parse_day(d)?, sids)))
            .collect()
    }

    /// The records of one day; `sids` are its snapshots (from `dump_days`).
    pub fn dump_day(&self, day: Day, sids: &[i64]) -> Result<DayDump> {
        let d = day.to_string();
        let mut out = DayDump::default();
        let mut snap = self.conn.prepare_cached(
            "SELECT p.arxiv_id, s.hash, s.version, s.title, s.abstract, s.authors, s.categories,
                    s.doi, s.journal_ref, s.license, s.submitted
             FROM snapshots s JOIN papers p ON p.pid = s.pid WHERE s.sid = ?1",
        )?;
        for sid in sids {
            out.snapshots.push(snap.query_row([sid], |r| {
                Ok(SnapshotRecord {
                    id: r.get(0)?,
                    hash: hash_hex(r.get(1)?),
                    version: r.get(2)?,
                    title: r.get(3)?,
                    abstract_text: r.get::<_, text::Packed>(4)?.0,
                    authors: r.get(5)?,
                    categories: split_categories(&r.get::<_, String>(6)?),
                    doi: r.get(7)?,
                    journal_ref: r.get(8)?,
                    license: r.get(9)?,
                    submitted: r.get(10)?,
                })
            })?);
        }
        out.listings = self
            .conn
            .prepare_cached(
                "SELECT l.category, l.provenance, l.position, p.arxiv_id, s.hash, l.announce_type
                 FROM listings l JOIN papers p ON p.pid = l.pid JOIN snapshots s ON s.sid = l.sid
                 WHERE l.day = ?1 ORDER BY l.category, l.provenance, l.position",
            )?
            .query_map([&d], |r| {
                Ok(ListingRecord {
                    category: r.get(0)?,
                    provenance: r.get(1)?,
                    position: r.get(2)?,
                    id: r.get(3)?,
                    snapshot: hash_hex(r.get(4)?),
                    announce_type: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.feeds = self
            .conn
            .prepare_cached(
                "SELECT category, build_time, fetched_at, source, items, counts FROM feeds
                 WHERE day = ?1 ORDER BY category",
            )?
            .query_map([&d], |r| {
                Ok(FeedRow {
                    category: r.get(0)?,
                    build_time: r.get(1)?,
                    fetched_at: r.get(2)?,
                    source: r.get(3)?,
                    items: r.get(4)?,
                    counts: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.repeats = self
            .conn
            .prepare_cached(
                "SELECT category, same_as, fetched_at FROM repeats WHERE day = ?1 ORDER BY category",
            )?
            .query_map([&d], |r| {
                Ok(RepeatRow {
                    category: r.get(0)?,
                    same_as: r.get(1)?,
                    fetched_at: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let reports: Vec<(i64, ReportRecord)> = self
            .conn
            .prepare_cached(
                "SELECT rid, profile, provenance, created_at FROM reports WHERE day = ?1 ORDER BY profile",
            )?
            .query_map([&d], |r| {
                Ok((
                    r.get(0)?,
                    ReportRecord {
                        profile: r.get(1)?,
                        provenance: r.get(2)?,
                        created_at: r.get(3)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut rows = self.conn.prepare_cached(
            "SELECT rr.position, p.arxiv_id, s.hash, rr.link FROM report_rows rr
             JOIN snapshots s ON s.sid = rr.sid JOIN papers p ON p.pid = s.pid
             WHERE rr.rid = ?1 ORDER BY rr.position",
        )?;
        for (rid, report) in reports {
            let these = rows
                .query_map(params![rid], |r| {
                    Ok(ReportRowRecord {
                        profile: report.profile.clone(),
                        position: r.get(0)?,
                        id: r.get(1)?,
                        snapshot: hash_hex(r.get(2)?),
                        link: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            out.reports.push((report, these));
        }
        Ok(out)
    }

    /// Every rejected OAI record, by identifier.
    pub fn dump_rejected(&self) -> Result<Vec<RejectedRow>> {
        let mut rows: Vec<RejectedRow> = self
            .rejected_records()?
            .into_iter()
            .map(|r| RejectedRow {
                identifier: r.identifier,
                reason: r.reason,
                raw_xml: r.raw_xml,
                source: r.source,
                rejected_at: r.rejected_at,
            })
            .collect();
        rows.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        Ok(rows)
    }

    /// Every harvest checkpoint, by window.
    pub fn dump_harvests(&self) -> Result<Vec<HarvestRow>> {
        Ok(self
            .conn
            .prepare(
                "SELECT window_key, resumption, last_datestamp, pages, records, done, updated_at
                 FROM harvests ORDER BY window_key",
            )?
            .query_map([], |r| {
                Ok(HarvestRow {
                    window_key: r.get(0)?,
                    resumption: r.get(1)?,
                    last_datestamp: r.get(2)?,
                    pages: r.get(3)?,
                    records: r.get(4)?,
                    done: r.get(5)?,
                    updated_at: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }
}
