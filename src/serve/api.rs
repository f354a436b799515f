//! `/api/...`: the objects of the CLI's `--json`, from the same structs and the same code.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use super::{AppError, AppResult, AppState, blocking, blocking_wide};
use crate::index::query::{SearchRequest, SortBy};
use crate::model::{ArxivId, Day};
use crate::views;

/// The query parameters of a search (the page's and the API's).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub(crate) q: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) sort: Option<String>,
    /// 1-based page (the page's) ...
    pub(crate) page: Option<usize>,
    /// ... of this many hits.
    pub(crate) size: Option<usize>,
    /// `all`: every word required (the search language's exact meaning); otherwise the plain
    /// words rank the papers holding some of them.
    pub(crate) words: Option<String>,
    /// `words`, `meaning` or `hybrid` (the default when the server has an embedding model and
    /// its vectors; otherwise words).
    pub(crate) mode: Option<String>,
}

impl SearchParams {
    /// The signals asked for (`None`: the server's default); meaning from a server without a
    /// model, or by date, is a 400.
    pub(crate) fn mode(
        &self,
        state: &AppState,
        req: &SearchRequest,
    ) -> AppResult<Option<crate::embed::hybrid::Mode>> {
        use crate::embed::hybrid::Mode;
        let mode = self.parsed_mode()?;
        if matches!(mode, Some(Mode::Meaning | Mode::Hybrid)) {
            if state.model.is_none() {
                return Err(AppError::bad_request(
                    "this server searches by words only: it has no embedding model with vectors (see `arxiv-daily embed`)",
                ));
            }
            if req.sort != SortBy::Relevance {
                return Err(AppError::bad_request(
                    "meaning ranks by relevance: not with sort=date",
                ));
            }
        }
        Ok(mode)
    }

    fn parsed_mode(&self) -> AppResult<Option<crate::embed::hybrid::Mode>> {
        use crate::embed::hybrid::Mode;
        Ok(match self.mode.as_deref() {
            None | Some("") => None,
            Some("words") => Some(Mode::Words),
            Some("meaning") => Some(Mode::Meaning),
            Some("hybrid") => Some(Mode::Hybrid),
            Some(other) => {
                return Err(AppError::bad_request(format!(
                    "mode {other:?}: choose words, meaning or hybrid"
                )));
            }
        })
    }

    /// The request for page `page` of `size`, validated.
    pub(crate) fn request(&self) -> AppResult<SearchRequest> {
        super::check_query_length(&self.q)?;
        let day = super::optional_day;
        let size = super::page_size(self.size)?;
        let page = self.page.unwrap_or(1).max(1);
        let offset = (page - 1) * size;
        if offset > super::MAX_OFFSET {
            return Err(AppError::bad_request(format!(
                "page {page} is too deep (at most {} hits are paged); narrow the query",
                super::MAX_OFFSET
            )));
        }
        let sort = match self.sort.as_deref() {
            None | Some("" | "relevance") => SortBy::Relevance,
            Some("date") => SortBy::Date,
            Some(other) => {
                return Err(AppError::bad_request(format!(
                    "sort {other:?}: choose relevance or date"
                )));
            }
        };
        let all_words = match self.words.as_deref() {
            None | Some("" | "some") => false,
            Some("all") => true,
            Some(other) => {
                return Err(AppError::bad_request(format!(
                    "words {other:?}: choose some or all"
                )));
            }
        };
        Ok(SearchRequest {
            all_words,
            query: self.q.clone(),
            from: day(&self.from)?,
            to: day(&self.to)?,
            category: self.category.clone().filter(|c| !c.trim().is_empty()),
            limit: size,
            offset,
            sort,
            threads: 1,
        })
    }
}

/// `/api/search`: `{"total": N, "all_words": M, "hits": [...]}`.
#[derive(Debug, Serialize)]
pub(crate) struct SearchPage {
    /// Every match (the papers holding some of the words, in a ranked search).
    pub(crate) total: usize,
    /// A ranked search: the papers holding every word; absent when every word was required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) all_words: Option<usize>,
    pub(crate) hits: Vec<views::SearchHit>,
}

/// Runs a search: the page of hits and the total.
pub(crate) fn run_search(
    reads: &crate::archive::Reads<'_>,
    state: &AppState,
    req: &SearchRequest,
    threads: usize,
    mode: Option<crate::embed::hybrid::Mode>,
) -> anyhow::Result<SearchPage> {
    let index = state.index()?;
    if let Some(page) = by_meaning(reads, state, req, threads, mode)? {
        return Ok(page);
    }
    let result = index.search(&SearchRequest {
        threads,
        ..req.clone()
    })?;
    // The same parsed query on the same searcher: the total matches the page.
    let key = format!(
        "{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{}",
        req.query, req.from, req.to, req.category, req.all_words
    );
    let counts = super::Totals::get_or_count(&state.totals, &result.searcher, key, || {
        Ok(index.counts(&result)?)
    })?;
    let hits = if threads >= 2 && result.hits.len() >= 2 {
        // The texts in this request's read transaction (one state of the archive), the
        // second half of the snippets on the idle core.
        let snippets = index.snippets(&result)?;
        let mut mine = views::texts_of(reads, &result.hits)?;
        let theirs = mine.split_off(mine.len() / 2);
        let (mut first, mut second) = (Ok(Vec::new()), Ok(Vec::new()));
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| second = views::hits_with(&snippets, theirs));
            first = views::hits_with(&snippets, mine);
        });
        let mut hits = first?;
        hits.extend(second?);
        views::describe(&mut hits, &result.hits, &result.words);
        hits
    } else {
        views::search_hits(reads, index, &result)?
    };
    Ok(SearchPage {
        total: counts.total,
        all_words: counts.all_words,
        hits,
    })
}

/// A search by meaning or both, when the server has a model and its vectors and the request
/// ranks by relevance (the default then is both); `None`: by words.
fn by_meaning(
    reads: &crate::archive::Reads<'_>,
    state: &AppState,
    req: &SearchRequest,
    threads: usize,
    mode: Option<crate::embed::hybrid::Mode>,
) -> anyhow::Result<Option<SearchPage>> {
    use crate::embed::hybrid::{self, Mode};
    let meaning = state.meaning();
    let (Some(model), Some(matrix), SortBy::Relevance) =
        (state.model.as_ref(), meaning.as_deref(), req.sort)
    else {
        return Ok(None);
    };
    let mode = match mode {
        Some(Mode::Words) => return Ok(None),
        Some(m) => m,
        None => Mode::Hybrid,
    };
    let text = hybrid::meaning_text(&req.query);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let vector = model.embed(&[text.as_str()])?.remove(0);
    let index = state.index()?;
    let found = hybrid::search(
        index,
        matrix,
        &vector,
        &SearchRequest {
            threads,
            ..req.clone()
        },
        mode,
    )?;
    let key = format!(
        "{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{}",
        req.query, req.from, req.to, req.category, req.all_words
    );
    let counts = super::Totals::get_or_count(&state.totals, &found.words.searcher, key, || {
        Ok(index.counts(&found.words)?)
    })?;
    let mut words = found.words;
    words.hits = found.hits.iter().map(|f| f.hit.clone()).collect();
    let mut hits = views::search_hits(reads, index, &words)?;
    for (hit, f) in hits.iter_mut().zip(&found.hits) {
        hit.found_by = Some(f.found_by);
        hit.words_score = f.words;
        hit.meaning_score = f.meaning;
    }
    Ok(Some(SearchPage {
        total: counts.total,
        all_words: counts.all_words,
        hits,
    }))
}

pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    Query(p): Query<SearchParams>,
) -> AppResult<Json<SearchPage>> {
    if p.q.trim().is_empty() {
        return Err(AppError::bad_request("the query `q` is empty"));
    }
    let req = p.request()?;
    let mode = p.mode(&state, &req)?;
    Ok(Json(
        blocking_wide(&state, move |r, s, threads| {
            run_search(r, s, &req, threads, mode)
        })
        .await?,
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileParam {
    pub(crate) profile: Option<String>,
}

/// `/api/report/DATE?profile=`.
#[derive(Debug, Serialize)]
pub(crate) struct ReportPage {
    date: String,
    profile: String,
    rows: Vec<views::ReportRow>,
}

pub(crate) async fn report(
    State(state): State<Arc<AppState>>,
    Path(date): Path<String>,
    Query(p): Query<ProfileParam>,
) -> AppResult<Json<ReportPage>> {
    let day = Day::parse(&date)?;
    let found = blocking(&state, move |r, s| {
        let profile = s.reader.profile_in(r, p.profile.as_deref())?;
        crate::report::find(r, &profile, day)
    })
    .await?;
    let report = found.ok_or_else(|| AppError::not_found(format!("no report for {day}")))?;
    Ok(Json(ReportPage {
        date: day.to_string(),
        profile: report.profile.clone(),
        rows: views::report_rows(&report),
    }))
}

pub(crate) async fn paper(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> AppResult<Json<views::PaperWithSimilar>> {
    let id = ArxivId::parse(&id)?;
    let shown = blocking(&state, move |r, s| {
        views::paper_with_similar(r, s.reader.index_if_open(), &id, s.meaning().as_deref())
    })
    .await?;
    shown
        .map(Json)
        .ok_or_else(|| AppError::not_found("no such paper in the archive"))
}

pub(crate) async fn similar(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<views::SimilarHit>>> {
    let id = ArxivId::parse(&id)?;
    let hits = blocking(&state, move |r, s| {
        let req = SearchRequest {
            limit: 10,
            ..SearchRequest::default()
        };
        views::similar_by(r, s.index()?, &id, &req, s.meaning().as_deref())
    })
    .await?;
    hits.map(Json)
        .ok_or_else(|| AppError::not_found("no such paper in the archive"))
}

pub(crate) async fn days(
    State(state): State<Arc<AppState>>,
    Query(p): Query<ProfileParam>,
) -> AppResult<Json<Vec<views::ReportSummary>>> {
    Ok(Json(
        blocking(&state, move |r, s| {
            views::report_list(r, s.config(), p.profile.as_deref())
        })
        .await?,
    ))
}

pub(crate) async fn stats(State(state): State<Arc<AppState>>) -> AppResult<Json<views::Stats>> {
    Ok(Json(blocking(&state, |r, s| s.stats(r)).await?))
}

pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
) -> AppResult<Json<Vec<views::CategoryStatus>>> {
    Ok(Json(
        blocking(&state, |r, s| {
            views::status(r, s.config().categories(), None, None)
        })
        .await?,
    ))
}
