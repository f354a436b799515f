//! Inputs: each module turns the bytes of one kind of source into `model` values. Sources never
//! touch the store or the index.

pub mod api;
pub mod http;
pub mod kaggle;
pub mod legacy;
pub mod oai;
pub mod rss;
pub(crate) mod schedule;
mod xml;

/// What went wrong reading a source. Every variant says where: a path and line, or a URL.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A file could not be read.
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    /// The input is not of the expected format at `location` (`path:line` or a URL).
    #[error("{location}: {message}")]
    Format { location: String, message: String },
    /// An HTTP request failed for good (after the retries the client allows).
    #[error("{url}: {message}")]
    Http { url: String, message: String },
}

impl SourceError {
    pub fn format(location: impl Into<String>, message: impl Into<String>) -> SourceError {
        SourceError::Format {
            location: location.into(),
            message: message.into(),
        }
    }
}

/// One paper from a bulk source (OAI-PMH, Kaggle): its latest metadata and, per version, the
/// estimated day it was first listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: crate::model::ArxivId,
    /// OAI datestamp (last modification), when the source has one.
    pub datestamp: Option<String>,
    pub snapshot: crate::model::Snapshot,
    /// (version, estimated listing day), oldest first. Version is None when only a date is known.
    pub versions: Vec<(Option<u32>, crate::model::Day)>,
}

/// Folds hard-wrapped text (newline + indentation, as OAI and Kaggle write it) into plain text.
pub fn unwrap_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
