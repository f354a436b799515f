//! The write side: one `Writer` is one IMMEDIATE transaction (one file, one feed, one page). It
//! counts what really changed, and a batch that changed nothing rolls back, so that re-running an
//! import or ingest leaves the database byte for byte as it was.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::text::PackedText;
use super::{Checkpoint, FeedRow, HarvestRow, RejectedRow, RepeatRow, Result, Store};
use crate::model::{AnnounceType, ArxivId, Day, Provenance, Snapshot};

/// What a batch changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WriteStats {
    pub new_papers: u64,
    pub new_snapshots: u64,
    pub listings_changed: u64,
    pub reports_new: u64,
    pub reports_updated: u64,
    pub other_changes: u64,
}

impl WriteStats {
    pub fn changed(&self) -> bool {
        *self != WriteStats::default()
    }

    pub fn add(&mut self, o: &WriteStats) {
        self.new_papers += o.new_papers;
        self.new_snapshots += o.new_snapshots;
        self.listings_changed += o.listings_changed;
        self.reports_new += o.reports_new;
        self.reports_updated += o.reports_updated;
        self.other_changes += o.other_changes;
    }
}

/// A listing row to store: the paper, the snapshot it showed, and how it was announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingRow {
    pub pid: i64,
    pub sid: i64,
    pub announce_type: Option<AnnounceType>,
}

/// One write transaction.
pub struct Writer<'a> {
    tx: Transaction<'a>,
    seq: i64,
    touched: HashSet<i64>,
    pub stats: WriteStats,
}

impl Store {
    /// Starts a write batch (an IMMEDIATE transaction: the single writer). Only the write path
    /// (`ingest::Session`, which owns the writable store) reaches it.
    pub(crate) fn writer(&mut self) -> Result<Writer<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seq = super::parse_write_seq(&tx.query_row(
            "SELECT value FROM meta WHERE key = 'write_seq'",
            [],
            |r| r.get::<_, String>(0),
        )?)? + 1;
        Ok(Writer {
            tx,
            seq,
            touched: HashSet::new(),
            stats: WriteStats::default(),
        })
    }
}

impl Writer<'_> {
    /// The sequence number this batch will commit as.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    pub(super) fn tx(&self) -> &Transaction<'_> {
        &self.tx
    }

    /// The paper's row id, creating the paper if it is new.
    pub fn paper(&mut self, id: &ArxivId) -> Result<i64> {
        let found: Option<i64> = self
            .tx
            .prepare_cached("SELECT pid FROM papers WHERE arxiv_id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(pid) = found {
            return Ok(pid);
        }
        self.tx
            .prepare_cached("INSERT INTO papers(arxiv_id, index_seq) VALUES (?1, ?2)")?
            .execute(params![id.as_str(), self.seq])?;
        self.stats.new_papers += 1;
        let pid = self.tx.last_insert_rowid();
        self.touched.insert(pid);
        Ok(pid)
    }

    /// The snapshot's row id, storing it if this text was never seen for the paper. `day` is when
    /// it was seen; the earliest such day is kept.
    pub fn snapshot(&mut self, pid: i64, s: &Snapshot, day: Day) -> Result<i64> {
        self.snapshot_packed(pid, s, day, None)
    }

    /// As `snapshot`, with the abstract already packed (`PackedText::pack`, done in parallel by
    /// bulk imports).
    pub fn snapshot_packed(
        &mut self,
        pid: i64,
        s: &Snapshot,
        day: Day,
        packed_abstract: Option<&PackedText>,
    ) -> Result<i64> {
        let hash = s.content_hash();
        let day = day.to_string();
        let found: Option<(i64, String)> = self
            .tx
            .prepare_cached("SELECT sid, first_seen FROM snapshots WHERE pid = ?1 AND hash = ?2")?
            .query_row(params![pid, hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((sid, first_seen)) = found {
            if day < first_seen {
                self.tx
                    .prepare_cached("UPDATE snapshots SET first_seen = ?1 WHERE sid = ?2")?
                    .execute(params![day, sid])?;
                self.stats.other_changes += 1;
                self.touched.insert(pid);
            }
            return Ok(sid);
        }
        let packed;
        let abstract_text = match packed_abstract {
            Some(p) => p,
            None => {
                packed = PackedText::pack(&s.abstract_text);
                &packed
            }
        };
        self.tx
            .prepare_cached(
                "INSERT INTO snapshots(pid, hash, version, title, abstract, authors, categories, doi, journal_ref, license, submitted, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                pid,
                hash,
                s.version,
                s.title,
                abstract_text,
                s.authors,
                s.categories.join(" "),
                s.doi,
                s.journal_ref,
                s.license,
                s.submitted,
                day
            ])?;
        self.stats.new_snapshots += 1;
        self.touched.insert(pid);
        Ok(self.tx.last_insert_rowid())
    }

    /// Makes `rows` the listing of (day, category, provenance), in order. Returns whether anything
    /// changed.
    pub fn replace_listing(
        &mut self,
        day: Day,
        category: &str,
        provenance: Provenance,
        rows: &[ListingRow],
    ) -> Result<bool> {
        let day = day.to_string();
        let existing: Vec<ListingRow> = self
            .tx
            .prepare_cached(
                "SELECT pid, sid, announce_type FROM listings WHERE day = ?1 AND category = ?2 AND provenance = ?3 ORDER BY position",
            )?
            .query_map(params![day, category, provenance.as_str()], |r| {
                Ok(ListingRow {
                    pid: r.get(0)?,
                    sid: r.get(1)?,
                    announce_type: r.get::<_, Option<String>>(2)?.as_deref().and_then(AnnounceType::parse),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if existing == rows {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "DELETE FROM listings WHERE day = ?1 AND category = ?2 AND provenance = ?3",
            )?
            .execute(params![day, category, provenance.as_str()])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO listings(day, category, provenance, position, pid, sid, announce_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (pos, row) in rows.iter().enumerate() {
            insert.execute(params![
                day,
                category,
                provenance.as_str(),
                pos as i64,
                row.pid,
                row.sid,
                row.announce_type.map(|t| t.as_str())
            ])?;
        }
        drop(insert);
        self.touched.extend(existing.iter().map(|r| r.pid));
        self.touched.extend(rows.iter().map(|r| r.pid));
        self.stats.listings_changed += 1;
        Ok(true)
    }

    /// Adds one listing row unless the paper is already listed for (day, category, provenance);
    /// used by the estimated (backfill) listings, which grow a paper at a time.
    pub fn add_listing(
        &mut self,
        day: Day,
        category: &str,
        provenance: Provenance,
        row: ListingRow,
    ) -> Result<bool> {
        let day = day.to_string();
        let exists: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT sid FROM listings WHERE day = ?1 AND category = ?2 AND provenance = ?3 AND pid = ?4",
            )?
            .query_row(params![day, category, provenance.as_str(), row.pid], |r| r.get(0))
            .optional()?;
        match exists {
            Some(sid) if sid == row.sid => return Ok(false),
            Some(_) => {
                self.tx
                    .prepare_cached("UPDATE listings SET sid = ?5 WHERE day = ?1 AND category = ?2 AND provenance = ?3 AND pid = ?4")?
                    .execute(params![day, category, provenance.as_str(), row.pid, row.sid])?;
            }
            None => {
                let next: i64 = self
                    .tx
                    .prepare_cached(
                        "SELECT coalesce(max(position) + 1, 0) FROM listings WHERE day = ?1 AND category = ?2 AND provenance = ?3",
                    )?
                    .query_row(params![day, category, provenance.as_str()], |r| r.get(0))?;
                self.tx
                    .prepare_cached(
                        "INSERT INTO listings(day, category, provenance, position, pid, sid, announce_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![day, category, provenance.as_str(), next, row.pid, row.sid, row.announce_type.map(|t| t.as_str())])?;
            }
        }
        self.touched.insert(row.pid);
        self.stats.listings_changed += 1;
        Ok(true)
    }

    /// Makes `rows` (snapshot, link override) the report of (profile, day).
    pub fn replace_report(
        &mut self,
        profile: &str,
        day: Day,
        provenance: Provenance,
        rows: &[(i64, Option<String>)],
    ) -> Result<bool> {
        self.replace_report_as(profile, day, provenance, None, rows)
    }

    /// As `replace_report`, keeping the creation time a text archive recorded (`None`: now).
    pub fn replace_report_as(
        &mut self,
        profile: &str,
        day: Day,
        provenance: Provenance,
        created_at: Option<&str>,
        rows: &[(i64, Option<String>)],
    ) -> Result<bool> {
        let day = day.to_string();
        let existing: Option<(i64, String)> = self
            .tx
            .prepare_cached("SELECT rid, provenance FROM reports WHERE profile = ?1 AND day = ?2")?
            .query_row(params![profile, day], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((rid, prov)) = &existing {
            let old: Vec<(i64, Option<String>)> = self
                .tx
                .prepare_cached(
                    "SELECT sid, link FROM report_rows WHERE rid = ?1 ORDER BY position",
                )?
                .query_map([rid], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            if old == rows && prov == provenance.as_str() {
                return Ok(false);
            }
            self.tx
                .prepare_cached("DELETE FROM report_rows WHERE rid = ?1")?
                .execute([rid])?;
            self.tx
                .prepare_cached("DELETE FROM reports WHERE rid = ?1")?
                .execute([rid])?;
            self.stats.reports_updated += 1;
        } else {
            self.stats.reports_new += 1;
        }
        self.tx
            .prepare_cached(
                "INSERT INTO reports(profile, day, provenance, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                profile,
                day,
                provenance.as_str(),
                created_at.map_or_else(crate::sqlite::now, str::to_string)
            ])?;
        let rid = self.tx.last_insert_rowid();
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO report_rows(rid, position, sid, link) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (pos, (sid, link)) in rows.iter().enumerate() {
            insert.execute(params![rid, pos as i64, sid, link])?;
        }
        Ok(true)
    }

    /// Records a stored feed in the completeness ledger.
    pub fn record_feed(
        &mut self,
        day: Day,
        category: &str,
        build_time: Option<&str>,
        source: &str,
        items: usize,
        counts: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO feeds(day, category, build_time, fetched_at, source, items, counts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![day.to_string(), category, build_time, crate::sqlite::now(), source, items as i64, counts])?;
        self.stats.other_changes += 1;
        Ok(())
    }

    /// The row id of the paper's snapshot with this content hash, if stored.
    pub fn snapshot_sid(&self, pid: i64, hash: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT sid FROM snapshots WHERE pid = ?1 AND hash = ?2")?
            .query_row(params![pid, hash], |r| r.get(0))
            .optional()?)
    }

    /// Stores a ledger row of a text archive as it was recorded (fetch time included), unless
    /// the same row is stored. Returns whether anything changed.
    pub fn put_feed(&mut self, day: Day, f: &FeedRow) -> Result<bool> {
        let day = day.to_string();
        let same: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM feeds WHERE day = ?1 AND category = ?2 AND build_time IS ?3 AND fetched_at = ?4
                 AND source = ?5 AND items = ?6 AND counts = ?7",
            )?
            .query_row(
                params![day, f.category, f.build_time, f.fetched_at, f.source, f.items, f.counts],
                |r| r.get(0),
            )
            .optional()?;
        if same.is_some() {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO feeds(day, category, build_time, fetched_at, source, items, counts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![day, f.category, f.build_time, f.fetched_at, f.source, f.items, f.counts])?;
        self.stats.other_changes += 1;
        Ok(true)
    }

    /// Stores a stale-feed row of a text archive as recorded, unless the same row is stored.
    pub fn put_repeat(&mut self, day: Day, r: &RepeatRow) -> Result<bool> {
        let day = day.to_string();
        let same: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM repeats WHERE day = ?1 AND category = ?2 AND same_as = ?3 AND fetched_at = ?4",
            )?
            .query_row(params![day, r.category, r.same_as, r.fetched_at], |x| x.get(0))
            .optional()?;
        if same.is_some() {
            return Ok(false);
        }
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO repeats(day, category, same_as, fetched_at) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![day, r.category, r.same_as, r.fetched_at])?;
        self.stats.other_changes += 1;
        Ok(true)
    }

    /// Stores a rejected record of a text archive as recorded, unless the same row is stored.
    pub fn put_rejected(&mut self, r: &RejectedRow) -> Result<bool> {
        let same: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM rejected_records WHERE identifier = ?1 AND reason = ?2 AND raw_xml = ?3
                 AND source = ?4 AND rejected_at = ?5",
            )?
            .query_row(params![r.identifier, r.reason, r.raw_xml, r.source, r.rejected_at], |x| x.get(0))
            .optional()?;
        if same.is_some() {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO rejected_records(identifier, reason, raw_xml, source, rejected_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![r.identifier, r.reason, r.raw_xml, r.source, r.rejected_at])?;
        self.stats.other_changes += 1;
        Ok(true)
    }

    /// Stores a harvest checkpoint of a text archive as recorded, unless the same row is stored.
    pub fn put_harvest(&mut self, h: &HarvestRow) -> Result<bool> {
        let same: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM harvests WHERE window_key = ?1 AND resumption IS ?2 AND last_datestamp IS ?3
                 AND pages = ?4 AND records = ?5 AND done = ?6 AND updated_at = ?7",
            )?
            .query_row(
                params![h.window_key, h.resumption, h.last_datestamp, h.pages, h.records, h.done, h.updated_at],
                |x| x.get(0),
            )
            .optional()?;
        if same.is_some() {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO harvests(window_key, resumption, last_datestamp, pages, records, done, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![h.window_key, h.resumption, h.last_datestamp, h.pages, h.records, h.done, h.updated_at])?;
        self.stats.other_changes += 1;
        Ok(true)
    }

    /// Records a stale feed: the batch of `same_as` served again as `day`.
    pub fn record_repeat(&mut self, day: Day, category: &str, same_as: Day) -> Result<bool> {
        let n = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO repeats(day, category, same_as, fetched_at) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![day.to_string(), category, same_as.to_string(), crate::sqlite::now()])?;
        self.stats.other_changes += n as u64;
        Ok(n > 0)
    }

    /// Saves a harvest window's position: `records` more records were stored under it.
    pub fn save_checkpoint(
        &mut self,
        window_key: &str,
        checkpoint: &Checkpoint,
        records: u64,
    ) -> Result<()> {
        self.tx.prepare_cached(
            "INSERT INTO harvests(window_key, resumption, last_datestamp, pages, records, done, updated_at)
             VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)
             ON CONFLICT(window_key) DO UPDATE SET resumption = ?2, last_datestamp = ?3, pages = pages + 1,
                 records = records + ?4, done = ?5, updated_at = ?6",
        )?
        .execute(params![
            window_key,
            checkpoint.resumption,
            checkpoint.last_datestamp,
            records as i64,
            checkpoint.done,
            crate::sqlite::now()
        ])?;
        self.stats.other_changes += 1;
        Ok(())
    }

    /// Keeps a record that could not be read (replacing an earlier rejection of the same one).
    pub fn reject(
        &mut self,
        identifier: &str,
        reason: &str,
        raw_xml: &str,
        source: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO rejected_records(identifier, reason, raw_xml, source, rejected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(identifier) DO UPDATE SET reason = ?2, raw_xml = ?3, source = ?4, rejected_at = ?5",
            )?
            .execute(params![identifier, reason, raw_xml, source, crate::sqlite::now()])?;
        self.stats.other_changes += 1;
        Ok(())
    }

    /// Forgets a rejected record (it was read after all).
    pub fn forget_rejected(&mut self, identifier: &str) -> Result<()> {
        let n = self
            .tx
            .prepare_cached("DELETE FROM rejected_records WHERE identifier = ?1")?
            .execute([identifier])?;
        self.stats.other_changes += n as u64;
        Ok(())
    }

    /// Commits if anything changed (recomputing the latest snapshot of every touched paper and
    /// marking it for the index); otherwise rolls back, leaving the database untouched.
    pub fn commit(self) -> Result<WriteStats> {
        let Writer {
            tx,
            seq,
            touched,
            stats,
        } = self;
        if !stats.changed() {
            tx.rollback()?;
            return Ok(stats);
        }
        {
            let mut latest = tx.prepare_cached(
                "UPDATE papers SET index_seq = ?2, latest_sid = (
                    SELECT sid FROM snapshots WHERE pid = ?1
                    ORDER BY first_seen DESC, coalesce(version, 0) DESC, sid DESC LIMIT 1)
                 WHERE pid = ?1",
            )?;
            for pid in &touched {
                latest.execute(params![pid, seq])?;
            }
        }
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'write_seq'",
            [seq.to_string()],
        )?;
        tx.commit()?;
        Ok(stats)
    }
}
