//! Papers: every snapshot and listing of one paper, its latest text, the index documents of changed
//! papers.

use super::*;
use rusqlite::OptionalExtension;

#[derive(Debug, Clone)]
pub struct SnapshotView {
    pub version: Option<u32>,
    pub title: String,
    pub abstract_text: String,
    pub authors: String,
    pub categories: Vec<String>,
    pub doi: Option<String>,
    pub journal_ref: Option<String>,
    pub license: Option<String>,
    pub submitted: Option<String>,
    pub first_seen: Day,
}

#[derive(Debug, Clone)]
pub struct ListingView {
    pub date: Day,
    pub category: String,
    pub provenance: Provenance,
    pub position: i64,
    pub announce_type: Option<AnnounceType>,
    /// Index into `snapshots` of the text listed that day.
    pub snapshot: usize,
}

/// Everything known about one paper.
#[derive(Debug, Clone)]
pub struct PaperView {
    pub id: String,
    pub first_announced: Option<Day>,
    pub snapshots: Vec<SnapshotView>,
    pub listings: Vec<ListingView>,
}

impl Reads<'_> {
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
                               AND ({ESTIMATED_KEY}) > (SELECT {ESTIMATED_KEY} FROM listings l JOIN papers p ON p.pid = l.pid
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
        let first_announced = listings.iter().map(|l| l.date).min();
        Ok(Some(PaperView {
            id: id.to_string(),
            first_announced,
            snapshots,
            listings,
        }))
    }

    /// The latest snapshot of a paper: (title, abstract, authors).
    /// As [`Reads::latest_text`], the abstract as stored (inflated by the caller).
    pub fn latest_text_stored(&self, id: &str) -> Result<Option<(String, text::Stored, String)>> {
        Ok(self
            .conn
            .prepare_cached(LATEST_TEXT)?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?)
    }

    /// The paper's latest title, abstract and authors.
    pub fn latest_text(&self, id: &str) -> Result<Option<(String, String, String)>> {
        self.latest_text_stored(id)?
            .map(|(title, abstract_text, authors)| Ok((title, abstract_text.into_text()?, authors)))
            .transpose()
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
}
