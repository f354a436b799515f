//! The one place where a failure becomes an HTTP status: 400 for what the request got wrong,
//! 404 for what is not there, 503 when the archive or the library is busy or has no index yet,
//! 500 for everything else. A 500 says only that something went wrong: its cause (which can
//! name files and folders of the machine) goes to the server's log on stderr, never to the
//! client. Handlers return the library's typed errors (or an `anyhow::Error` holding them) and
//! `?` brings them here.

use std::error::Error;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::archive::{ArchiveError, StoreError};
use crate::index::IndexError;
use crate::library::LibraryError;
use crate::model::{DayError, IdError};
use crate::recommend::{BackwardRange, RecommendError};

/// What a 500 tells the client.
const INTERNAL: &str = "Something went wrong on the server; its log says what.";

/// A failed request: its status and a message for the page or the `{"error"}` object.
#[derive(Debug)]
pub(crate) struct AppError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

pub(crate) type AppResult<T> = Result<T, AppError>;

impl AppError {
    fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::FORBIDDEN, message)
    }

    /// 421: the request named another server in `Host`.
    pub(crate) fn misdirected(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::MISDIRECTED_REQUEST, message)
    }

    pub(crate) fn unavailable(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// A 500: `cause` is logged with its chain of sources; the client reads [`INTERNAL`].
    pub(crate) fn internal(cause: &dyn std::fmt::Display) -> AppError {
        eprintln!("arxiv-daily serve: error: {cause}");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL)
    }

    /// The status of `e`, found by its first cause that says (a bad query, an unknown tag, a
    /// busy database...), else a 500.
    fn of(e: &(dyn Error + 'static)) -> AppError {
        let mut cause = Some(e);
        while let Some(c) = cause {
            if let Some(known) = classify(c) {
                return known;
            }
            cause = c.source();
        }
        AppError::internal(&Chain(e))
    }
}

/// The status of one error, when its type says.
fn classify(e: &(dyn Error + 'static)) -> Option<AppError> {
    if let Some(e) = e.downcast_ref::<ArchiveError>() {
        return match e {
            ArchiveError::NoIndex { .. } => Some(AppError::unavailable(
                "The archive has no search index yet: `arxiv-daily doctor --repair` builds it.",
            )),
            ArchiveError::UnknownProfile(u) => Some(AppError::not_found(u.to_string())),
            ArchiveError::Store(e) | ArchiveError::Open { source: e, .. } => classify(e),
            ArchiveError::Index(e) => classify(e),
            _ => None,
        };
    }
    if let Some(e) = e.downcast_ref::<RecommendError>() {
        return match e {
            RecommendError::Library(e) => classify(e),
            RecommendError::Store(e) => classify(e),
            RecommendError::Range(r) => classify(r),
        };
    }
    if let Some(IndexError::Query { message, .. }) = e.downcast_ref() {
        // A malformed query is the user's to fix.
        return Some(AppError::bad_request(format!("bad query: {message}")));
    }
    if let Some(r) = e.downcast_ref::<BackwardRange>() {
        return Some(AppError::bad_request(format!(
            "The days end before they start: from {} is after to {}{}.",
            r.from,
            r.to,
            if r.to_is_newest {
                " (the newest listed day)"
            } else {
                ""
            }
        )));
    }
    if let Some(u) = e.downcast_ref::<crate::config::UnknownProfile>() {
        return Some(AppError::not_found(u.to_string()));
    }
    if let Some(e) = e.downcast_ref::<LibraryError>() {
        return match e {
            LibraryError::NoTag(t) => Some(AppError::not_found(format!(
                "There is no tag {t:?} in your library."
            ))),
            LibraryError::Tag(t) => Some(AppError::bad_request(t.to_string())),
            LibraryError::DescriptionTooLong(_) => Some(AppError::bad_request(e.to_string())),
            LibraryError::Sqlite { source, .. } => busy(source),
            _ => None,
        };
    }
    if let Some(t) = e.downcast_ref::<crate::library::TagError>() {
        return Some(AppError::bad_request(t.to_string()));
    }
    if let Some(d) = e.downcast_ref::<DayError>() {
        return Some(AppError::bad_request(d.to_string()));
    }
    if let Some(i) = e.downcast_ref::<IdError>() {
        return Some(AppError::bad_request(i.to_string()));
    }
    if let Some(StoreError::Sqlite(e)) = e.downcast_ref::<StoreError>() {
        return busy(e);
    }
    if let Some(e) = e.downcast_ref::<rusqlite::Error>() {
        return busy(e);
    }
    None
}

/// 503 when SQLite stayed busy (a writer held the database longer than the busy timeout).
fn busy(e: &rusqlite::Error) -> Option<AppError> {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
    .then(|| AppError::unavailable("The archive is busy; try again in a moment."))
}

/// An error and its sources, as `{:#}` shows an `anyhow::Error`.
struct Chain<'e>(&'e (dyn Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> AppError {
        for cause in e.chain() {
            if let Some(known) = classify(cause) {
                return known;
            }
        }
        AppError::internal(&format_args!("{e:#}"))
    }
}

macro_rules! from_typed {
    ($($t:ty),*) => {$(
        impl From<$t> for AppError {
            fn from(e: $t) -> AppError {
                AppError::of(&e)
            }
        }
    )*};
}

from_typed!(
    ArchiveError,
    RecommendError,
    LibraryError,
    IndexError,
    StoreError,
    DayError,
    IdError
);

/// The JSON API's answer: `{"error": message}` with the status.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}
