//! The HTML pages: server-rendered with maud (every piece of archive text escaped for its
//! context), all state in the URL, no JavaScript.

use crate::source::unwrap_text;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

use super::api::{ProfileParam, SearchParams, run_search};
use super::{AppError, AppState, blocking, blocking_wide};
use crate::config::Profile;
use crate::index::normalize;
use crate::model::{AnnounceType, ArxivId, Day};
use crate::report::{self, Report, render};
use crate::store::ShownPaper;
use crate::views;

const STYLE: &str = include_str!("style.css");
const ICON: &str = include_str!("icon.svg");

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

pub(crate) async fn home(State(state): State<Arc<AppState>>) -> PageResult {
    let (latest, stats) = blocking(&state, |r, s| {
        // Per profile, its newest day and that day's row count: index lookups, not the list of
        // every day (a backfilled archive has thousands of computed ones).
        let mut latest: Vec<(Profile, Option<(Day, usize)>)> = Vec::new();
        for p in &s.config().profiles {
            let last = match r.latest_day(&p.name, &p.categories)? {
                Some(day) => report::find(r, p, day)?.map(|rep| (day, rep.rows.len())),
                None => None,
            };
            latest.push((p.clone(), last));
        }
        Ok((latest, s.stats(r)?))
    })
    .await?;
    Ok(layout(
        "arXiv daily archive",
        "",
        html! {
            h1 { "arXiv daily archive" }
            p.lede {
                (stats.papers) " papers, " (stats.reports) " reports"
                @if let (Some(a), Some(b)) = (&stats.first_day, &stats.last_day) { ", from " (a) " to " (b) }
                ". " a href="/status" { "Coverage by day" } "."
            }
            form.bigsearch action="/search" method="get" {
                input type="search" name="q" placeholder="Search titles, abstracts, authors" aria-label="Search";
                button type="submit" { "Search" }
            }
            h2 { "Reports" }
            table.reports {
                thead { tr { th { "Profile" } th { "Selects" } th { "Latest day" } th { "Rows" } th { "Feed" } } }
                tbody {
                    @for (p, last) in &latest {
                        tr {
                            td { a href={ "/day/today?" (qs(&[("profile", &p.name)])) } { (p.name) } }
                            td.small { (p.summary()) }
                            td { @if let Some((day, _)) = last { a href={ "/day/" (day) "?" (qs(&[("profile", &p.name)])) } { (day) } } @else { "—" } }
                            td { @if let Some((_, rows)) = last { (rows) } }
                            td { a href={ "/feeds/" (p.name) ".atom" } { "Atom" } }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DayParams {
    profile: Option<String>,
    /// `all`: everything the day listed in the profile's categories.
    view: Option<String>,
    date: Option<String>,
}

/// `/day?date=...`: the date picker's target.
pub(crate) async fn day_picker(Query(p): Query<DayParams>) -> Response {
    let date = p.date.unwrap_or_else(|| "today".into());
    let date = Day::parse(&date).map_or("today".to_string(), |d| d.to_string());
    let mut target = format!("/day/{date}");
    if let Some(profile) = p.profile {
        target.push('?');
        target.push_str(&qs(&[("profile", &profile)]));
    }
    Redirect::to(&target).into_response()
}

struct DayData {
    profile: Profile,
    day: Day,
    report: Option<Report>,
    /// category -> (listing provenance, papers), for the "all" view.
    listed: Vec<(String, Vec<ShownPaper>)>,
    estimated: bool,
    prev: Option<Day>,
    next: Option<Day>,
}

pub(crate) async fn day(
    State(state): State<Arc<AppState>>,
    Path(date): Path<String>,
    Query(p): Query<DayParams>,
) -> PageResult {
    let day = Day::parse(&date).map_err(|e| AppError::bad_request(e.to_string()))?;
    let all = p.view.as_deref() == Some("all");
    let name = p.profile.clone();
    let d = blocking(&state, move |r, s| {
        let profile = s.reader.profile_in(r, name.as_deref())?;
        let report = report::find(r, &profile, day)?;
        let mut listed = Vec::new();
        let mut estimated = report.as_ref().is_some_and(Report::estimated);
        for c in &profile.categories {
            if let Some((prov, papers)) = r.listing(day, c)? {
                estimated |= prov.is_estimate();
                listed.push((c.clone(), papers));
            }
        }
        let (prev, next) = r.neighbor_days(&profile.name, &profile.categories, day)?;
        Ok(DayData {
            profile,
            day,
            report,
            listed,
            estimated,
            prev,
            next,
        })
    })
    .await?;
    if d.report.is_none() && d.listed.is_empty() {
        let near = match (d.prev, d.next) {
            (Some(a), Some(b)) => format!("; the nearest archived days are {a} and {b}"),
            (Some(a), None) | (None, Some(a)) => format!("; the nearest archived day is {a}"),
            (None, None) => String::new(),
        };
        return Err(AppError::not_found(format!(
            "{} is not in the archive for profile {:?}{near}",
            d.day, d.profile.name
        ))
        .into());
    }
    Ok(render_day(&d, all))
}

fn render_day(d: &DayData, all: bool) -> Markup {
    let profile_q = qs(&[("profile", &d.profile.name)]);
    let weekday = d.day.date().strftime("%A, %-d %B %Y").to_string();
    let report_rows = d.report.as_ref().map_or(0, |r| r.rows.len());
    let listed_total: usize = {
        let mut ids: Vec<&str> = d
            .listed
            .iter()
            .flat_map(|(_, ps)| ps.iter().map(|p| p.id.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let title = format!("{} · {}", d.profile.name, d.day);
    let keywords = &d.profile.title_keywords;
    layout(
        &title,
        "",
        html! {
            h1 { (weekday) }
            p.lede { "Profile " b { (d.profile.name) } " — " (d.profile.summary()) }
            nav.days {
                @if let Some(p) = d.prev { a rel="prev" href={ "/day/" (p) "?" (profile_q) } { "← " (p) } } @else { span.muted { "← no earlier day" } }
                form.picker action="/day" method="get" {
                    input type="hidden" name="profile" value=(d.profile.name);
                    input type="date" name="date" value=(d.day.to_string()) aria-label="Go to day";
                    button type="submit" { "Go" }
                }
                @if let Some(n) = d.next { a rel="next" href={ "/day/" (n) "?" (profile_q) } { (n) " →" } } @else { span.muted { "no later day →" } }
            }
            p.files {
                a href={ "/day/" (d.day) "/README.md?" (profile_q) } { "README.md" } " · "
                a href={ "/day/" (d.day) "/papers.csv?" (profile_q) } { "papers.csv" } " · "
                a href={ "/feeds/" (d.profile.name) ".atom" } { "Atom feed" }
            }
            @if d.estimated {
                p.notice { "This day's listing was estimated from submission times (backfill), not read from arXiv's feed." }
            }
            nav.tabs {
                @if all { a href={ "/day/" (d.day) "?" (profile_q) } { "Report (" (report_rows) ")" } } @else { b { "Report (" (report_rows) ")" } }
                " · "
                @if all { b { "Everything listed (" (listed_total) ")" } } @else { a href={ "/day/" (d.day) "?" (profile_q) "&view=all" } { "Everything listed (" (listed_total) ")" } }
            }
            @if all {
                (listed_sections(&d.listed, keywords))
            } @else if let Some(r) = &d.report {
                @if r.rows.is_empty() { p.muted { "Nothing in this report on this day." } }
                @for p in &r.rows { (entry(p, keywords)) }
            } @else {
                p.muted { "No report of this profile on this day." }
            }
        },
    )
}

fn listed_sections(listed: &[(String, Vec<ShownPaper>)], keywords: &[String]) -> Markup {
    let mut seen: Vec<&str> = Vec::new();
    let mut sections: [(&str, Vec<&ShownPaper>); 3] = [
        ("New submissions", Vec::new()),
        ("Cross-lists", Vec::new()),
        ("Replacements", Vec::new()),
    ];
    for (_, papers) in listed {
        for p in papers {
            if seen.contains(&p.id.as_str()) {
                continue;
            }
            seen.push(&p.id);
            let i = match p.announce_type {
                Some(AnnounceType::Cross) => 1,
                Some(AnnounceType::Replace | AnnounceType::ReplaceCross) => 2,
                _ => 0,
            };
            sections[i].1.push(p);
        }
    }
    html! {
        @for (name, papers) in &sections {
            section {
                h2 { (name) " " span.count { "(" (papers.len()) ")" } }
                @for p in papers { (entry(p, keywords)) }
            }
        }
    }
}

pub(crate) async fn day_markdown(
    State(state): State<Arc<AppState>>,
    Path(date): Path<String>,
    Query(p): Query<ProfileParam>,
) -> Result<Response, PageError> {
    legacy_file(state, date, p.profile, false).await
}

pub(crate) async fn day_csv(
    State(state): State<Arc<AppState>>,
    Path(date): Path<String>,
    Query(p): Query<ProfileParam>,
) -> Result<Response, PageError> {
    legacy_file(state, date, p.profile, true).await
}

/// The byte-exact legacy README.md or papers.csv of a day.
async fn legacy_file(
    state: Arc<AppState>,
    date: String,
    profile: Option<String>,
    csv: bool,
) -> Result<Response, PageError> {
    let day = Day::parse(&date).map_err(|e| AppError::bad_request(e.to_string()))?;
    let found = blocking(&state, move |r, s| {
        let profile = s.reader.profile_in(r, profile.as_deref())?;
        report::find(r, &profile, day)
    })
    .await?;
    let report = found.ok_or_else(|| AppError::not_found(format!("no report for {day}")))?;
    let (kind, body) = if csv {
        ("text/csv; charset=utf-8", render::legacy_csv(&report.rows))
    } else {
        (
            "text/markdown; charset=utf-8",
            render::legacy_markdown(report.day, &report.rows),
        )
    };
    Ok(([(header::CONTENT_TYPE, kind)], body).into_response())
}

pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    if p.q.trim().is_empty() {
        return Ok(layout("Search", "", search_help(&p)).into_response());
    }
    let req = p.request()?;
    let q = p.q.clone();
    let page =
        match blocking_wide(&state, move |r, s, threads| run_search(r, s, &req, threads)).await {
            Ok(page) => page,
            Err(e) if e.status == StatusCode::BAD_REQUEST => {
                let body = layout(
                    "Search",
                    &q,
                    html! {
                        (search_form(&p))
                        p.error { (e.message) }
                        (syntax_help())
                    },
                );
                return Ok((StatusCode::BAD_REQUEST, body).into_response());
            }
            Err(e) => return Err(e.into()),
        };
    let size = super::page_size(p.size)?;
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
    Ok(layout(
        &format!("{} — search", p.q),
        &p.q,
        html! {
            (search_form(&p))
            p.lede {
                @if page.total == 0 { "No papers match." } @else {
                    (page.total) " papers match; " (first) "–" (first + page.hits.len() - 1) " shown."
                }
            }
            ol.hits start=(first) {
                @for h in &page.hits {
                    li {
                        div.meta {
                            a.id href={ "/paper/" (h.id) } { "arXiv:" (h.id) }
                            " " (h.first_announced.as_deref().unwrap_or("")) " " (arxiv_links(&h.id))
                        }
                        h3 { a href={ "/paper/" (h.id) } { (unwrap_text(&normalize(&h.title))) } }
                        p.authors { (author_links(&h.authors)) }
                        p.snippet { (snippet(&h.snippet, &h.highlights)) }
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

fn search_form(p: &SearchParams) -> Markup {
    let sort = p.sort.as_deref().unwrap_or("relevance");
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
            button type="submit" { "Search" }
        }
    }
}

fn syntax_help() -> Markup {
    html! {
        p.small {
            "Terms are ANDed; " code { "\"a phrase\"" } ", " code { "OR" } ", " code { "-term" } ", parentheses, and arXiv's prefixes "
            code { "ti:" } " " code { "au:" } " " code { "abs:" } " " code { "cat:" } " " code { "id:" } " " code { "all:" } "."
        }
    }
}

fn search_help(p: &SearchParams) -> Markup {
    html! { h1 { "Search" } (search_form(p)) (syntax_help()) }
}

pub(crate) async fn paper_old_style(
    state: State<Arc<AppState>>,
    Path((archive, number)): Path<(String, String)>,
) -> PageResult {
    paper(state, Path(format!("{archive}/{number}"))).await
}

pub(crate) async fn paper(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> PageResult {
    let id = ArxivId::parse(&id).map_err(|e| AppError::bad_request(e.to_string()))?;
    let shown = blocking(&state, move |r, s| {
        views::paper_with_similar(r, s.reader.index_if_open(), &id)
    })
    .await?;
    let Some(shown) = shown else {
        return Err(AppError::not_found("This paper is not in the archive.").into());
    };
    let p = &shown.paper;
    let Some(latest) = p.snapshots.last() else {
        return Err(AppError::not_found("This paper has no metadata.").into());
    };
    let bib = crate::bibtex::entry(p).unwrap_or_default();
    let title = unwrap_text(&normalize(&latest.title));
    Ok(layout(
        &title,
        "",
        html! {
            div.meta { "arXiv:" (p.id) " " (arxiv_links(&p.id)) " " (categories(&latest.categories)) }
            h1 { (title) }
            p.authors { (author_links(&latest.authors)) }
            p.small {
                @if let Some(v) = latest.version { "v" (v) " · " }
                @if let Some(d) = &p.first_announced { "first announced " (d) }
                @if let Some(doi) = &latest.doi { " · doi " (doi) }
                @if let Some(j) = &latest.journal_ref { " · " (j) }
            }
            p.abstract { (normalize(&latest.abstract_text)) }
            h2 { "Versions of its metadata (" (p.snapshots.len()) ")" }
            @for (i, s) in p.snapshots.iter().enumerate() {
                section.snapshot {
                    h3 { "Snapshot " (i + 1) @if let Some(v) = s.version { " · v" (v) } " · first seen " (s.first_seen) }
                    @if i == 0 {
                        p { b { "Title: " } (unwrap_text(&normalize(&s.title))) }
                        p { b { "Authors: " } (s.authors) }
                    } @else {
                        @let before = &p.snapshots[i - 1];
                        (changed("Title", &before.title, &s.title))
                        (changed("Authors", &before.authors, &s.authors))
                        (changed("Abstract", &before.abstract_text, &s.abstract_text))
                        @let version = |v: Option<u32>| v.map_or("unknown".to_string(), |v| format!("v{v}"));
                        @if before.version != s.version {
                            (replaced("Version", &version(before.version), &version(s.version)))
                        }
                        @if before.categories != s.categories {
                            (replaced("Categories", &before.categories.join(" "), &s.categories.join(" ")))
                        }
                    }
                }
            }
            h2 { "Listed on (" (p.listings.len()) ")" }
            table.listings {
                thead { tr { th { "Day" } th { "Category" } th { "Type" } th { "Source" } } }
                tbody {
                    @for l in &p.listings {
                        tr {
                            td { a href={ "/day/" (l.date) "?view=all" } { (l.date) } }
                            td { (l.category) }
                            td { (l.announce_type.map_or("—", |t| t.as_str())) }
                            td { (l.provenance.as_str()) }
                        }
                    }
                }
            }
            h2 { "Similar papers" }
            @if shown.similar.is_empty() { p.muted { "None found." } }
            ol.similar {
                @for h in &shown.similar {
                    li {
                        a href={ "/paper/" (h.id) } { (unwrap_text(&normalize(&h.title))) }
                        " " span.muted { (h.first_announced.as_deref().unwrap_or("")) }
                        br;
                        span.why { "shares: " (h.why.join(", ")) }
                    }
                }
            }
            h2 { "Cite" }
            pre.bibtex { (bib) }
        },
    ))
}

/// A field of a snapshot as a word diff against the one before (or "unchanged").
fn changed(label: &str, before: &str, after: &str) -> Markup {
    if before == after {
        return html! { p.muted { b { (label) ": " } "unchanged" } };
    }
    let (before, after) = (normalize(before), normalize(after));
    let diff = similar::TextDiff::from_words(before.as_ref(), after.as_ref());
    let changes: Vec<_> = diff.iter_all_changes().collect();
    html! {
        p.diff {
            b { (label) ": " }
            @for (i, change) in changes.iter().enumerate() {
                @match change.tag() {
                    similar::ChangeTag::Delete => {
                        del { (change.value()) }
                        // A word replaced by another: a space between them, not "oldnew".
                        @if !change.value().ends_with(char::is_whitespace)
                            && changes.get(i + 1).is_some_and(|c| c.tag() == similar::ChangeTag::Insert) {
                            " "
                        }
                    }
                    similar::ChangeTag::Insert => ins { (change.value()) },
                    similar::ChangeTag::Equal => (change.value()),
                }
            }
        }
    }
}

/// A short field that changed as a whole (a version, the categories): old → new.
fn replaced(label: &str, before: &str, after: &str) -> Markup {
    html! {
        p.diff { b { (label) ": " } del { (before) } " → " ins { (after) } }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatusParams {
    from: Option<String>,
    to: Option<String>,
}

pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Query(p): Query<StatusParams>,
) -> PageResult {
    let parse = super::optional_day;
    let (from, to) = (parse(&p.from)?, parse(&p.to)?);
    let (ledger, estimated, last) = blocking(&state, move |r, s| {
        let categories = s.config().categories();
        let last = r
            .stats()?
            .last_day
            .and_then(|d| Day::parse(&d).ok())
            .unwrap_or_else(Day::today);
        let to = to.unwrap_or(last);
        // Six months unless asked for more.
        let from = from.unwrap_or_else(|| {
            let mut d = to;
            for _ in 0..182 {
                d = d.pred();
            }
            d
        });
        let ledger = views::status(r, categories.clone(), Some(from), Some(to))?;
        let estimated: Vec<(Day, String)> = r
            .estimated_days(&categories)?
            .into_iter()
            .filter(|(d, _)| *d >= from && *d <= to)
            .map(|(d, p)| (d, p.as_str().to_string()))
            .collect();
        Ok((ledger, estimated, (from, to)))
    })
    .await?;
    let (from, to) = last;
    Ok(layout(
        "Coverage",
        "",
        html! {
            h1 { "Coverage" }
            p.lede { "Which announcement days the archive holds, per category, from " (from) " to " (to) ". "
                a href={ "/status?" (qs(&[("from", &from.pred().to_string())])) } { "Show more" } }
            p.legend {
                span.cell.stored {} " stored " span.cell.empty {} " empty (holiday) " span.cell.missing {} " missing "
                span.cell.repeated {} " stale feed " span.cell.estimated {} " estimated (backfill) " span.cell.weekend {} " no announcements"
            }
            @for c in &ledger {
                section.calendar {
                    h2 { (c.category) }
                    @let estimated_here = c.missing.iter().filter(|d| estimated.iter().any(|(e, _)| e.to_string() == **d)).count();
                    p.small {
                        (c.ingested.len()) " feeds stored, " (c.empty.len()) " empty, " (estimated_here) " estimated, "
                        (c.missing.len() - estimated_here) " missing, " (c.repeated.len()) " stale"
                    }
                    (calendar(c, &estimated, from, to))
                }
            }
        },
    ))
}

fn calendar(c: &views::CategoryStatus, estimated: &[(Day, String)], from: Day, to: Day) -> Markup {
    let state = |d: Day| -> &'static str {
        let s = d.to_string();
        if c.empty.contains(&s) {
            "empty"
        } else if c.ingested.iter().any(|f| f.date == s) {
            "stored"
        } else if c.repeated.iter().any(|r| r.date == s) {
            "repeated"
        } else if estimated.iter().any(|(e, _)| *e == d) {
            "estimated"
        } else if c.missing.contains(&s) {
            "missing"
        } else {
            "weekend"
        }
    };
    // Months, newest first; each a grid of weeks, Monday first.
    let mut months: Vec<(i16, i8)> = Vec::new();
    let mut d = to;
    loop {
        let m = (d.date().year(), d.date().month());
        if !months.contains(&m) {
            months.push(m);
        }
        if d <= from {
            break;
        }
        d = d.pred();
    }
    html! {
        div.months {
            @for (y, m) in &months {
                @let first = Day::new(*y, *m, 1).unwrap_or(from);
                @let lead = (first.weekday_number() - 1) as usize;
                table.month {
                    caption { (first.date().strftime("%B %Y")) }
                    thead { tr { @for w in ["M", "T", "W", "T", "F", "S", "S"] { th { (w) } } } }
                    tbody {
                        @let days: Vec<Option<Day>> = std::iter::repeat_n(None, lead).chain((1..=first.date().days_in_month()).filter_map(|n| Day::new(*y, *m, n).ok()).map(Some)).collect();
                        @for week in days.chunks(7) {
                            tr {
                                @for cell in week {
                                    @match cell {
                                        Some(day) if *day >= from && *day <= to => {
                                            td class=(state(*day)) title={ (day) ": " (state(*day)) } {
                                                a href={ "/day/" (day) "?view=all" } { (day.date().day()) }
                                            }
                                        }
                                        Some(day) => td.outside { (day.date().day()) },
                                        None => td {},
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

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
        super::check_query_length(&q)?;
        blocking(&state, move |r, s| {
            let req = crate::index::query::SearchRequest {
                query: q.clone(),
                limit: 50,
                sort: crate::index::query::SortBy::Date,
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
