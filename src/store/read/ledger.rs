//! The feeds ledger: which feeds were stored, repeated (stale) days, the previous batch of a
//! category.

use super::*;
use rusqlite::{OptionalExtension, params};

/// A feed's batch: (id, version) in feed order.
pub type Batch = Vec<(String, Option<u32>)>;

/// A row of the completeness ledger.
#[derive(Debug, Clone)]
pub struct FeedRecord {
    pub date: Day,
    pub category: String,
    pub build_time: Option<String>,
    pub fetched_at: String,
    pub items: u64,
    pub counts: serde_json::Value,
}

impl Reads<'_> {
    /// Whether a feed of (day, category) was stored (possibly empty).
    pub fn feed_stored(&self, day: Day, category: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM feeds WHERE day = ?1 AND category = ?2")?
            .query_row(params![day.to_string(), category], |_| Ok(()))
            .optional()?
            .is_some())
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
    pub fn repeats(&self, from: Option<Day>, to: Option<Day>) -> Result<Vec<(Day, String, Day)>> {
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
