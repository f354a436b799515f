//! The HTML pages: server-rendered with maud (every piece of archive text escaped for its
//! context), all state in the URL, no JavaScript. One module per page; the layout and the
//! pieces pages share (a paper's entry, snippets, links) are here.

mod day;
mod feed;
mod home;
mod paper;
mod search;
mod status;

pub(crate) use day::{day, day_csv, day_markdown, day_picker};
pub(crate) use feed::feed;
pub(crate) use home::home;
pub(crate) use paper::{paper, paper_old_style};
pub(crate) use search::search;
pub(crate) use status::status;

use crate::source::unwrap_text;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::index::normalize;
use crate::serve::AppError;
use crate::views::ShownPaper;

const STYLE: &str = include_str!("../style.css");
const ICON: &str = include_str!("../icon.svg");

/// An error shown as a page.
pub(crate) struct PageError(AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = match self.0.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Cannot do that",
            _ => "Something went wrong",
        };
        let body = layout(
            title,
            "",
            html! {
                h1 { (title) }
                p.error { (self.0.message) }
                p { a href="/" { "Back to the archive" } }
            },
        );
        (self.0.status, body).into_response()
    }
}

type PageResult = Result<Markup, PageError>;

/// The query string of `pairs`, percent-encoded.
fn qs(pairs: &[(&str, &str)]) -> String {
    reqwest::Url::parse_with_params("http://localhost/", pairs)
        .ok()
        .and_then(|u| u.query().map(str::to_string))
        .unwrap_or_default()
}

fn layout(title: &str, query: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) " · arxiv-daily" }
                link rel="stylesheet" href="/static/style.css";
                link rel="icon" type="image/svg+xml" href="/static/icon.svg";
            }
            body {
                header.top {
                    a.brand href="/" { "arxiv-daily" }
                    form.search action="/search" method="get" role="search" {
                        input type="search" name="q" value=(query) placeholder="Search: ti:, au:, abs:, \"phrases\", -term" aria-label="Search the archive";
                        button type="submit" { "Search" }
                    }
                    nav { a href="/day/today" { "Today" } " " a href="/status" { "Coverage" } }
                }
                main { (body) }
                footer { "A local archive of arXiv's daily announcements. Thank you to arXiv for use of its open access interoperability." }
            }
        }
    }
}

/// `text` with every case-insensitive occurrence of a keyword marked.
fn highlight(text: &str, keywords: &[String]) -> Markup {
    let lower = text.to_lowercase();
    // Byte offsets agree only where lower-casing keeps lengths; otherwise show plain text.
    if lower.len() != text.len() || keywords.is_empty() {
        return html! { (text) };
    }
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for k in keywords
        .iter()
        .map(|k| k.to_lowercase())
        .filter(|k| !k.is_empty())
    {
        let mut from = 0;
        while let Some(at) = lower[from..].find(&k) {
            marks.push((from + at, from + at + k.len()));
            from += at + k.len();
        }
    }
    marks.sort();
    snippet(text, &marks)
}

/// A snippet with its matched words marked.
fn snippet(text: &str, highlights: &[(usize, usize)]) -> Markup {
    let mut out = String::new();
    let mut at = 0;
    for &(start, end) in highlights {
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&html! { (text[at..start]) }.into_string());
        out.push_str(&html! { mark { (text[start..end]) } }.into_string());
        at = end;
    }
    out.push_str(&html! { (text[at..]) }.into_string());
    PreEscaped(out)
}

fn author_links(authors: &str) -> Markup {
    let names = crate::atom::authors(&normalize(authors));
    html! {
        @for (i, name) in names.iter().enumerate() {
            @if i > 0 { ", " }
            a href={ "/search?" (qs(&[("q", &format!("au:\"{name}\"")), ("sort", "date")])) } { (name) }
        }
    }
}

fn arxiv_links(id: &str) -> Markup {
    html! {
        span.links {
            a href={ "https://arxiv.org/abs/" (id) } { "abs" } " "
            a href={ "https://arxiv.org/pdf/" (id) } { "pdf" } " "
            a href={ "https://arxiv.org/html/" (id) } { "html" }
        }
    }
}

fn categories(cats: &[String]) -> Markup {
    html! {
        span.cats {
            @for (i, c) in cats.iter().enumerate() {
                @if i == 0 { b { (c) } } @else { " " (c) }
            }
        }
    }
}

/// One paper of a day or a search.
fn entry(p: &ShownPaper, keywords: &[String]) -> Markup {
    let title = unwrap_text(&normalize(&p.title));
    html! {
        article.paper {
            div.meta {
                a.id href={ "/paper/" (p.id) } { "arXiv:" (p.id) }
                @if let Some(v) = p.version { " v" (v) }
                " " (arxiv_links(&p.id)) " " (categories(&p.categories))
            }
            h3 { a href={ "/paper/" (p.id) } { (highlight(&title, keywords)) } }
            p.authors { (author_links(&p.authors)) }
            details {
                summary { "Abstract" }
                p.abstract { (normalize(&p.abstract_text)) }
            }
        }
    }
}

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

pub(crate) async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
        .into_response()
}

pub(crate) async fn not_found() -> PageError {
    PageError(AppError::not_found("There is no page at this address."))
}
