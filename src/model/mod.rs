//! Validated domain types: arXiv identifiers, announcement days, metadata snapshots and listings.
//! No I/O happens here.

pub mod day;
mod id;

pub use day::{Day, DayError};
pub use id::{ArxivId, IdError};

use serde::Serialize;

/// The metadata of one paper as some source saw it at some moment. Every distinct snapshot is kept,
/// because each day's report must show exactly the text it showed that day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Snapshot {
    /// The version this metadata belongs to, when the source says (RSS guid, OAI, Kaggle).
    pub version: Option<u32>,
    pub title: String,
    pub abstract_text: String,
    /// Authors as one string, joined by ", " as arXiv's feed writes them.
    pub authors: String,
    /// Categories, primary first. Empty when the source does not say (legacy reports).
    pub categories: Vec<String>,
    pub doi: Option<String>,
    pub journal_ref: Option<String>,
    pub license: Option<String>,
    /// Submission time of this version (RFC 3339, UTC), when known (OAI arXivRaw, Kaggle).
    pub submitted: Option<String>,
}

impl Snapshot {
    /// A stable 64-bit content hash (FNV-1a over every field), used to store each distinct snapshot
    /// of a paper once. Stable across releases: it is persisted.
    pub fn content_hash(&self) -> i64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            // field separator that cannot occur in UTF-8 text
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        };
        eat(self
            .version
            .map(|v| v.to_string())
            .unwrap_or_default()
            .as_bytes());
        eat(self.title.as_bytes());
        eat(self.abstract_text.as_bytes());
        eat(self.authors.as_bytes());
        eat(self.categories.join(" ").as_bytes());
        eat(self.doi.as_deref().unwrap_or("").as_bytes());
        eat(self.journal_ref.as_deref().unwrap_or("").as_bytes());
        eat(self.license.as_deref().unwrap_or("").as_bytes());
        eat(self.submitted.as_deref().unwrap_or("").as_bytes());
        h as i64
    }
}

/// How a paper came to be in a day's listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnnounceType {
    New,
    Cross,
    Replace,
    ReplaceCross,
}

impl AnnounceType {
    pub const ALL: [AnnounceType; 4] = [Self::New, Self::Cross, Self::Replace, Self::ReplaceCross];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Cross => "cross",
            Self::Replace => "replace",
            Self::ReplaceCross => "replace-cross",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

impl std::fmt::Display for AnnounceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a listing came from. Estimated listings were reconstructed from submission times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    Rss,
    Legacy,
    OaiEstimate,
    KaggleEstimate,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rss => "rss",
            Self::Legacy => "legacy",
            Self::OaiEstimate => "oai-estimate",
            Self::KaggleEstimate => "kaggle-estimate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Rss,
            Self::Legacy,
            Self::OaiEstimate,
            Self::KaggleEstimate,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    pub fn is_estimate(self) -> bool {
        matches!(self, Self::OaiEstimate | Self::KaggleEstimate)
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One paper as a source announced it: its id and the snapshot it showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: ArxivId,
    pub snapshot: Snapshot,
    pub announce_type: Option<AnnounceType>,
}

/// What the index holds for one paper: its latest snapshot and the days it was listed.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    /// The paper's row id: papers are never deleted, so ids above the largest at some moment are
    /// papers created since.
    pub pid: i64,
    pub id: String,
    pub title: String,
    pub abstract_text: String,
    pub authors: String,
    /// The snapshot's categories, then any other category it was listed under.
    pub categories: Vec<String>,
    /// The days it was listed, ascending.
    pub days: Vec<Day>,
}
