//! The search page: the CLI's query language, pages of hits with highlighted snippets.

use crate::source::unwrap_text;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::{PageError, arxiv_links, author_links, controls, layout, qs, snippet};
use crate::index::normalize;
use crate::serve::api::{SearchParams, run_search};
use crate::serve::{AppError, AppState, blocking, blocking_wide};

pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    let meaning = state.model.is_some();
    if p.q.trim().is_empty() {
        return Ok(layout("Search", "", search_help(&p, meaning)).into_response());
    }
    let req = p.request()?;
    let mode = p.mode(&state, &req)?;
    let q = p.q.clone();
    let page = match blocking_wide(&state, move |r, s, threads| {
        run_search(r, s, &req, threads, mode)
    })
    .await
    {
        Ok(page) => page,
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            let body = layout(
                "Search",
                &q,
                html! {
                    (search_form(&p, meaning))
                    p.error { (e.message) }
                    (syntax_help())
                },
            );
            return Ok((StatusCode::BAD_REQUEST, body).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let mine = blocking(&state, |_, s| s.library.mine()).await?;
    let size = crate::serve::page_size(p.size)?;
    let number = p.page.unwrap_or(1).max(1);
    let pages = page.total.div_ceil(size).max(1);
    if number > pages && page.total > 0 {
        return Err(
            AppError::not_found(format!("page {number}: the search has {pages} pages")).into(),
        );
    }
    let link = |n: usize| {
        let n = n.to_string();
        let size = size.to_string();
        let mut pairs: Vec<(&str, &str)> = vec![("q", &p.q)];
        for (k, v) in [
            ("from", &p.from),
            ("to", &p.to),
            ("category", &p.category),
            ("sort", &p.sort),
            ("words", &p.words),
            ("mode", &p.mode),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((k, v));
            }
        }
        pairs.push(("size", &size));
        pairs.push(("page", &n));
        format!("/search?{}", qs(&pairs))
    };
    let first = (number - 1) * size + 1;
    let here = link(number);
    Ok(layout(
        &format!("{} — search", p.q),
        &p.q,
        html! {
            (search_form(&p, meaning))
            p.lede {
                @if page.total == 0 { "No papers match." } @else {
                    (crate::views::count_line(&crate::index::query::Counts { total: page.total, all_words: page.all_words }))
                    "; " (first) "–" (first + page.hits.len() - 1) " shown."
                }
            }
            ol.hits start=(first) {
                @for h in &page.hits {
                    li {
                        div.meta {
                            a.id href={ "/paper/" (h.id) } { "arXiv:" (h.id) }
                            " " (h.first_announced.map(|d| d.to_string()).unwrap_or_default()) " " (arxiv_links(&h.id))
                        }
                        h3 { a href={ "/paper/" (h.id) } { (unwrap_text(&normalize(&h.title))) } }
                        p.authors { (author_links(&h.authors)) }
                        p.snippet { (snippet(&h.snippet, &h.highlights)) }
                        @if let Some(missing) = h.missing.as_ref().filter(|m| !m.is_empty()) {
                            p.missing { "Missing: " @for (i, w) in missing.iter().enumerate() { @if i > 0 { " " } s { (w) } } }
                        }
                        @match h.found_by {
                            Some("meaning") => p.missing { "Found by meaning" },
                            Some("both") => p.missing { "Found by its words and by meaning" },
                            _ => {}
                        }
                        (controls(&h.id, &mine, &here, None))
                    }
                }
            }
            nav.pages {
                @if number > 1 { a rel="prev" href=(link(number - 1)) { "← Previous" } }
                " Page " (number) " of " (pages) " "
                @if number < pages { a rel="next" href=(link(number + 1)) { "Next →" } }
            }
            p.files { a href={ "/feeds/search.atom?" (qs(&[("q", &p.q)])) } { "Atom feed of this search" } }
        },
    )
    .into_response())
}

/// The search form; `meaning`: the server has an embedding model (a choice of signals).
fn search_form(p: &SearchParams, meaning: bool) -> Markup {
    let sort = p.sort.as_deref().unwrap_or("relevance");
    let mode = p
        .mode
        .as_deref()
        .filter(|m| !m.is_empty())
        .unwrap_or("hybrid");
    let size = p.size.unwrap_or(25);
    html! {
        form.searchform action="/search" method="get" {
            input type="search" name="q" value=(p.q) aria-label="Query";
            label { "from " input type="date" name="from" value=(p.from.as_deref().unwrap_or("")); }
            label { "to " input type="date" name="to" value=(p.to.as_deref().unwrap_or("")); }
            label { "category " input type="text" name="category" size="8" placeholder="cs.IR" value=(p.category.as_deref().unwrap_or("")); }
            label { "sort "
                select name="sort" {
                    option value="relevance" selected[sort == "relevance"] { "relevance" }
                    option value="date" selected[sort == "date"] { "newest" }
                }
            }
            label { "per page "
                select name="size" {
                    @for n in [25, 50, 100, 200] { option value=(n) selected[size == n] { (n) } }
                }
            }
            @if meaning {
                label title="Rank by the words, by meaning (the embedding model's vectors), or by both" { "by "
                    select name="mode" {
                        option value="hybrid" selected[mode == "hybrid"] { "words and meaning" }
                        option value="words" selected[mode == "words"] { "words" }
                        option value="meaning" selected[mode == "meaning"] { "meaning" }
                    }
                }
            }
            label title="Require every word, as arXiv's search does, instead of ranking the papers that hold some" {
                input type="checkbox" name="words" value="all" checked[p.words.as_deref() == Some("all")];
                " every word"
            }
            button type="submit" { "Search" }
        }
    }
}

fn syntax_help() -> Markup {
    html! {
        p.small {
            "Plain words rank the papers that hold some of them (those holding more, and holding them close together, first); "
            code { "\"a phrase\"" } ", " code { "+word" } ", " code { "-term" } " and arXiv's prefixes "
            code { "ti:" } " " code { "au:" } " " code { "abs:" } " " code { "cat:" } " " code { "id:" } " " code { "all:" }
            " filter exactly; a query with " code { "AND" } ", " code { "OR" } " or parentheses requires every word, as does “every word”."
        }
    }
}

fn search_help(p: &SearchParams, meaning: bool) -> Markup {
    html! { h1 { "Search" } (search_form(p, meaning)) (syntax_help()) }
}
