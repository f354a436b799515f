//! Reports and listings: a day's stored report, the listing of a category on a day, the days a
//! profile has.

use super::*;
use rusqlite::{OptionalExtension, params};

/// One row of a stored report, or one listed paper, with the snapshot it showed.
#[derive(Debug, Clone)]
pub struct ShownPaper {
    pub id: String,
    pub sid: i64,
    pub version: Option<u32>,
    pub title: String,
    pub link: String,
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
#[derive(Debug, Clone)]
pub struct ReportSummary {
    pub date: Day,
    pub profile: String,
    pub rows: u64,
    pub provenance: Provenance,
    pub estimated: bool,
}

impl Reads<'_> {
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

    /// Days that have an estimated listing in any of `categories`, with their provenance.
    pub fn estimated_days(&self, categories: &[String]) -> Result<Vec<(Day, Provenance)>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT day, provenance FROM listings WHERE category = ?1 AND provenance IN ('oai-estimate', 'kaggle-estimate')",
        )?;
        for cat in categories {
            // An unknown provenance is corruption (an error), never a silent default.
            for row in stmt.query_map([cat], |r| {
                Ok((r.get::<_, Day>(0)?, r.get::<_, Provenance>(1)?))
            })? {
                out.push(row?);
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
}
