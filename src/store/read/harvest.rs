//! OAI harvest bookkeeping: checkpoints and the records a harvest could not read.

use super::*;
use rusqlite::OptionalExtension;

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
#[derive(Debug, Clone)]
pub struct RejectedRecord {
    pub identifier: String,
    pub reason: String,
    /// The URL of the page it came in.
    pub source: String,
    pub rejected_at: String,
    pub raw_xml: String,
}

impl Reads<'_> {
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
}
