//! The Atom feeds of profiles and searches.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::serve::{AppError, AppState, blocking};
use crate::views;

#[derive(Debug, Deserialize)]
pub(crate) struct FeedParams {
    q: Option<String>,
    days: Option<usize>,
}

/// `/feeds/PROFILE.atom` and `/feeds/search.atom?q=`.
pub(crate) async fn feed(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    Query(p): Query<FeedParams>,
) -> Result<Response, AppError> {
    let Some(name) = file.strip_suffix(".atom") else {
        return Err(AppError::not_found("feeds end in .atom"));
    };
    let days = p.days.unwrap_or(14).min(366);
    let name = name.to_string();
    let xml = if name == "search" {
        let q = p.q.unwrap_or_default();
        if q.trim().is_empty() {
            return Err(AppError::bad_request("the query `q` is empty"));
        }
        crate::serve::check_query_length(&q)?;
        blocking(&state, move |r, s| {
            let req = crate::index::query::SearchRequest {
                query: q.clone(),
                limit: 50,
                sort: crate::index::query::SortBy::Date,
                // A feed is a standing filter, as a saved search: every word required.
                all_words: true,
                ..Default::default()
            };
            views::search_feed(r, &q, &s.index()?.search(&req)?.hits)
        })
        .await?
    } else {
        blocking(&state, move |r, s| {
            views::profile_feed(r, &s.reader.profile_in(r, Some(&name))?, days)
        })
        .await?
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
