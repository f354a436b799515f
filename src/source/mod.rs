//! Inputs: each module turns the bytes of one kind of source into `model` values. Sources never
//! touch the store or the index.

pub mod http;
pub mod kaggle;
pub mod legacy;
mod xml;
pub mod oai;
pub mod pycsv;
pub mod rss;
pub mod schedule;

/// What went wrong reading a source. Every variant says where: a path and line, or a URL.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The input is not of the expected format at `location` (`path:line` or a URL).
    #[error("{location}: {message}")]
    Format { location: String, message: String },
    /// An HTTP request failed for good (after the retries the client allows).
    #[error("{url}: {message}")]
    Http { url: String, message: String },
}

impl SourceError {
    pub fn format(location: impl Into<String>, message: impl Into<String>) -> SourceError {
        SourceError::Format { location: location.into(), message: message.into() }
    }
}
