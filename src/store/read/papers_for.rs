//! The papers a recommender reads: a range of days' listings, the days before it, a set of ids,
//! and titles to match an imported bibliography against.

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, params};

use super::*;

/// A paper as the recommender reads it: its latest text (the abstract as stored) and the first
/// day it was listed.
pub struct PaperText {
    pub id: String,
    pub title: String,
    pub abstract_text: text::Stored,
    pub authors: String,
    pub first_announced: Option<Day>,
}

const PAPER_TEXT: &str = "p.arxiv_id, s.title, s.abstract, s.authors,
    (SELECT min(day) FROM listings f WHERE f.pid = p.pid)";

fn paper_text(r: &rusqlite::Row<'_>) -> rusqlite::Result<PaperText> {
    Ok(PaperText {
        id: r.get(0)?,
        title: r.get(1)?,
        abstract_text: r.get(2)?,
        authors: r.get(3)?,
        first_announced: r.get(4)?,
    })
}

impl Reads<'_> {
    /// Every paper listed on a day in `from..=to` (in one category, or any), once, in listing
    /// order: by day, category, then position (estimated listings by id).
    pub fn listed_between(
        &self,
        from: Day,
        to: Day,
        category: Option<&str>,
    ) -> Result<Vec<PaperText>> {
        let sql = format!(
            "SELECT {PAPER_TEXT} FROM listings l JOIN papers p ON p.pid = l.pid
             JOIN snapshots s ON s.sid = p.latest_sid
             WHERE l.day >= ?1 AND l.day <= ?2 AND (?3 IS NULL OR l.category = ?3)
             ORDER BY l.day, l.category, l.provenance = 'legacy', {ESTIMATED_KEY} DESC, l.position"
        );
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![from.to_string(), to.to_string(), category],
            paper_text,
        )?;
        for row in rows {
            let p = row?;
            if seen.insert(p.id.clone()) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Papers listed on the archived days before `before`, newest day first, at most `limit`
    /// (the background a tag's model learns what is not the tag from). Day by day, each a range
    /// of the listings' key, so that the cost is the rows read, not the archive's size.
    pub fn listed_before(&self, before: Day, limit: usize) -> Result<Vec<PaperText>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut day_stmt = self
            .conn
            .prepare_cached("SELECT day FROM listings WHERE day < ?1 ORDER BY day DESC LIMIT 1")?;
        let sql = format!(
            "SELECT {PAPER_TEXT} FROM listings l JOIN papers p ON p.pid = l.pid
             JOIN snapshots s ON s.sid = p.latest_sid
             WHERE l.day = ?1 AND l.provenance != 'legacy'
             ORDER BY l.category, l.provenance, l.position"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut cursor = before;
        while out.len() < limit {
            let Some(day) = day_stmt
                .query_row([cursor.to_string()], |r| r.get::<_, Day>(0))
                .optional()?
            else {
                break;
            };
            for row in stmt.query_map([day.to_string()], paper_text)? {
                let p = row?;
                if out.len() < limit && seen.insert(p.id.clone()) {
                    out.push(p);
                }
            }
            cursor = day;
        }
        Ok(out)
    }

    /// The papers of `ids` that are in the archive, in the order given.
    pub fn paper_texts(&self, ids: &[String]) -> Result<Vec<PaperText>> {
        let sql = format!(
            "SELECT {PAPER_TEXT} FROM papers p JOIN snapshots s ON s.sid = p.latest_sid WHERE p.arxiv_id = ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(p) = stmt.query_row([id], paper_text).optional()? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Calls `f(id, title, abstract)` with the latest text of every paper listed in
    /// `from..=to` (in `category`, or any; every paper when no bound is given), the most
    /// recently added first: what `embed` makes vectors of.
    pub fn embed_texts(
        &self,
        from: Option<Day>,
        to: Option<Day>,
        category: Option<&str>,
        mut f: impl FnMut(&str, &str, &str) -> Result<()>,
    ) -> Result<()> {
        let every = from.is_none() && to.is_none() && category.is_none();
        let mut stmt = self.conn.prepare(
            "SELECT p.arxiv_id, s.title, s.abstract FROM papers p
             JOIN snapshots s ON s.sid = p.latest_sid
             WHERE ?1 OR EXISTS (SELECT 1 FROM listings l WHERE l.pid = p.pid
                 AND l.day >= ?2 AND l.day <= ?3 AND (?4 IS NULL OR l.category = ?4))
             ORDER BY p.pid DESC",
        )?;
        let mut rows = stmt.query(params![
            every,
            from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string()),
            to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string()),
            category
        ])?;
        while let Some(r) = rows.next()? {
            let abstract_text = r.get::<_, text::Packed>(2)?.0;
            let id: String = r.get(0)?;
            let title: String = r.get(1)?;
            f(&id, &title, &abstract_text)?;
        }
        Ok(())
    }

    /// The newest day with a listing (any category, any provenance).
    pub fn newest_listed_day(&self) -> Result<Option<Day>> {
        Ok(self
            .conn
            .prepare_cached("SELECT max(day) FROM listings")?
            .query_row([], |r| r.get(0))?)
    }

    /// Whether a paper is in the archive.
    pub fn has_paper(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM papers WHERE arxiv_id = ?1")?
            .exists([id])?)
    }

    /// The papers whose title (any snapshot's), keyed by `normalize`, is one of `wanted`: one
    /// pass over every snapshot. A title of several papers maps to the newest id.
    pub fn papers_titled(
        &self,
        wanted: &HashSet<String>,
        normalize: impl Fn(&str) -> String,
    ) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        if wanted.is_empty() {
            return Ok(out);
        }
        let mut stmt = self.conn.prepare(
            "SELECT p.arxiv_id, s.title FROM snapshots s JOIN papers p ON p.pid = s.pid ORDER BY p.arxiv_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let title: String = r.get(1)?;
            let key = normalize(&title);
            if wanted.contains(&key) {
                out.insert(key, r.get(0)?);
            }
        }
        Ok(out)
    }
}

impl Reads<'_> {
    /// The first of the `n` newest listed days up to `to` (`None`: nothing listed by then).
    pub fn listed_days_back(&self, to: Day, n: usize) -> Result<Option<Day>> {
        let days: Vec<Day> = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT day FROM listings WHERE day <= ?1 ORDER BY day DESC LIMIT ?2",
            )?
            .query_map(params![to.to_string(), n as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(days.last().copied())
    }
}

impl Reads<'_> {
    /// The first listed day of each of `ids` (those in the archive).
    pub fn first_days(&self, ids: &[String]) -> Result<Vec<(String, Day)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT min(l.day) FROM listings l JOIN papers p ON p.pid = l.pid WHERE p.arxiv_id = ?1",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(d) = stmt.query_row([id], |r| r.get::<_, Option<Day>>(0))? {
                out.push((id.clone(), d));
            }
        }
        Ok(out)
    }
}
