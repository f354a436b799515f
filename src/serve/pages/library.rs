//! The library's pages (`/library`, `/library/TAG`), recommendations (`/recommend`, its feed),
//! and the forms that change the library (save, not for me, remove, log in).

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{PageError, PageResult, arxiv_links, author_links, controls, layout, qs};
use crate::index::normalize;
use crate::library::{Kind, Tag};
use crate::model::{ArxivId, Day};
use crate::recommend::{Interests, Meaning, Recommendation, Request};
use crate::serve::library::{COOKIE, Mine};
use crate::serve::{AppError, AppState, blocking, optional_day};
use crate::source::unwrap_text;

/// Recommendations a page shows.
const PAGE_LIMIT: usize = 50;

/// A form that changes the library. Every field is optional so that a form without its token
/// is refused by the guard (403), not by the parser.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PaperForm {
    csrf: Option<String>,
    id: Option<String>,
    tag: Option<String>,
    new_tag: Option<String>,
    back: Option<String>,
    token: Option<String>,
}

/// Where a form returns (its `back` field): a path of this site, or `fallback` when it has
/// none. Checked before anything is written. A path starts with one `/` (not `//` or `/\`, which
/// browsers read as another host) and is visible ASCII without a backslash: a tab, CR or LF is
/// dropped or refused by browsers in a `Location` (`/\t/evil.example` goes to evil.example) and
/// cannot be sent in a header at all; a page's own forms carry percent-encoded paths.
fn back_of(back: Option<&str>, fallback: String) -> Result<String, AppError> {
    let Some(b) = back.filter(|b| !b.is_empty()) else {
        return Ok(fallback);
    };
    let ok = b.starts_with('/')
        && !b.starts_with("//")
        && b.bytes().all(|c| c.is_ascii_graphic() && c != b'\\');
    if ok {
        Ok(b.to_string())
    } else {
        Err(AppError::bad_request(format!(
            "The form's back {b:?} is not a path of this site (one leading '/', then visible ASCII without a backslash); nothing was changed."
        )))
    }
}

fn form_tag(form: &PaperForm) -> Result<Tag, AppError> {
    let name = form
        .new_tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .or(form.tag.as_deref().map(str::trim))
        .unwrap_or("");
    Tag::parse(name).map_err(|e| AppError::bad_request(e.to_string()))
}

fn form_id(form: &PaperForm) -> Result<ArxivId, AppError> {
    crate::library::parse_id(form.id.as_deref().unwrap_or(""))
        .map_err(|e| AppError::bad_request(e.to_string()))
}

/// Applies a paper form, then returns to its page; with `confirm` ("saved", "dismissed"), at
/// the paper's confirmation (`#saved-ID`), which the card shows only when it is the target.
async fn change(
    state: Arc<AppState>,
    headers: HeaderMap,
    form: PaperForm,
    confirm: Option<&str>,
    what: fn(&crate::library::Changes<'_>, &Tag, &[ArxivId]) -> crate::library::Result<usize>,
) -> Result<Response, PageError> {
    state
        .library
        .check_write(&headers, form.csrf.as_deref().unwrap_or(""), None)?;
    let tag = form_tag(&form)?;
    let id = form_id(&form)?;
    let mut back = back_of(form.back.as_deref(), format!("/library/{tag}"))?;
    if let (Some(confirm), Some(_)) = (confirm, form.back.as_deref().filter(|b| !b.is_empty())) {
        // (An id is digits, dots, letters, '-' and '/': fit for a fragment as it is.)
        let path = back.split('#').next().unwrap_or("").to_string();
        back = format!("{path}#{confirm}-{id}");
    }
    let t = tag.clone();
    let s = Arc::clone(&state);
    tokio::task::spawn_blocking(move || s.library.write(|c| what(c, &t, &[id])))
        .await
        .map_err(|e| AppError::internal(&format_args!("the library writer: {e}")))?
        .map_err(AppError::from)?;
    Ok(Redirect::to(&back).into_response())
}

pub(crate) async fn save(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<PaperForm>,
) -> Result<Response, PageError> {
    change(state, headers, form, Some("saved"), |c, t, ids| {
        c.save(t, ids)
    })
    .await
}

pub(crate) async fn dismiss(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<PaperForm>,
) -> Result<Response, PageError> {
    change(state, headers, form, Some("dismissed"), |c, t, ids| {
        c.dismiss(t, ids)
    })
    .await
}

pub(crate) async fn remove(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<PaperForm>,
) -> Result<Response, PageError> {
    change(state, headers, form, None, |c, t, ids| c.remove(t, ids)).await
}

/// The form that describes a tag in words (a new tag, or one of the library's).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DescribeForm {
    csrf: Option<String>,
    tag: Option<String>,
    description: Option<String>,
    back: Option<String>,
}

/// `POST /library/describe`: a tag's description (empty: taken away); the tag is made if new.
pub(crate) async fn describe(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<DescribeForm>,
) -> Result<Response, PageError> {
    state
        .library
        .check_write(&headers, form.csrf.as_deref().unwrap_or(""), None)?;
    let tag = Tag::parse(form.tag.as_deref().unwrap_or("").trim())
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let text = form.description.unwrap_or_default();
    let back = back_of(form.back.as_deref(), format!("/library/{tag}"))?;
    let s = Arc::clone(&state);
    tokio::task::spawn_blocking(move || s.library.write(|c| c.describe(&tag, &text)))
        .await
        .map_err(|e| AppError::internal(&format_args!("the library writer: {e}")))?
        .map_err(AppError::from)?;
    Ok(Redirect::to(&back).into_response())
}

/// The description form of `tag` (`None`: a new tag, named in the form).
fn describe_form(mine: &Mine, tag: Option<&str>, text: Option<&str>) -> Markup {
    let back = tag.map_or_else(|| "/library".to_string(), |t| format!("/library/{t}"));
    html! {
        form.describe method="post" action="/library/describe" {
            input type="hidden" name="csrf" value=(mine.csrf);
            input type="hidden" name="back" value=(back);
            @match tag {
                Some(t) => { input type="hidden" name="tag" value=(t); }
                None => {
                    label.row { "Tag " input name="tag" required placeholder="legged-robots" maxlength=(crate::library::TAG_MAX) pattern="[A-Za-z0-9][A-Za-z0-9._-]*"; }
                }
            }
            label for=(format!("describe-{}", tag.unwrap_or("new"))) {
                @if tag.is_some() { "What this tag is about, in your words" } @else { "The interest, in your words" }
            }
            textarea id=(format!("describe-{}", tag.unwrap_or("new"))) name="description" maxlength=(crate::library::DESCRIPTION_MAX)
                placeholder="legged robots that learn to walk on rough ground" { (text.unwrap_or("")) }
            div.row {
                button type="submit" disabled[!mine.writable] {
                    @if tag.is_some() { "Save the description" } @else { "Add the interest" }
                }
                span.small { "Recommended papers follow it from the next page on, before any paper is saved, and it keeps steering the tag as papers are." }
            }
        }
    }
}

/// A GET (or any other method) at an address that changes the library: nothing changes.
pub(crate) async fn write_by_get() -> PageError {
    PageError(AppError {
        status: StatusCode::FORBIDDEN,
        message: "This address changes your library: it answers only the POST of the page's forms."
            .into(),
    })
}

/// The "Mark as seen" form of a day page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SeenForm {
    csrf: Option<String>,
    day: Option<String>,
    profile: Option<String>,
    back: Option<String>,
}

/// `POST /library/seen`: records the reader's visit of a profile's day (the newest day seen, and
/// the one seen before it), through the guard of every write. Papers first listed after the day
/// seen before are "new since your last visit" on the day pages.
pub(crate) async fn seen(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<SeenForm>,
) -> Result<Response, PageError> {
    state
        .library
        .check_write(&headers, form.csrf.as_deref().unwrap_or(""), None)?;
    let day = Day::parse(form.day.as_deref().unwrap_or(""))
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let name = form.profile.clone().filter(|p| !p.is_empty());
    // Checked before the write; the default (the day's page) needs the profile's name.
    back_of(form.back.as_deref(), String::new())?;
    let profile = blocking(&state, move |r, s| {
        let profile = s.reader.profile_in(r, name.as_deref())?;
        let mut listed = false;
        for c in &profile.categories {
            listed |= r.listing(day, c)?.is_some();
        }
        if !listed && crate::report::find(r, &profile, day)?.is_none() {
            return Ok(Err(profile.name));
        }
        s.library.write(|c| c.visit(&profile.name, day))?;
        Ok(Ok(profile.name))
    })
    .await?
    .map_err(|name| {
        AppError::not_found(format!(
            "{day} is not in the archive for profile {name:?}: nothing to mark as seen"
        ))
    })?;
    let fallback = format!("/day/{day}?{}", qs(&[("profile", &profile)]));
    Ok(Redirect::to(&back_of(form.back.as_deref(), fallback)?).into_response())
}

/// `POST /login`: the token typed into the form sets the session cookie.
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<PaperForm>,
) -> Result<Response, PageError> {
    let typed = form.token.clone().unwrap_or_default();
    let back = back_of(form.back.as_deref(), "/library".into())?;
    state
        .library
        .check_write(&headers, form.csrf.as_deref().unwrap_or(""), Some(&typed))?;
    let Some(session) = state.library.session() else {
        return Ok(Redirect::to("/library").into_response());
    };
    let cookie = format!("{COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict");
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, back), (header::SET_COOKIE, cookie)],
    )
        .into_response())
}

pub(crate) async fn login_page(State(state): State<Arc<AppState>>) -> Markup {
    let csrf = state.library.csrf.clone();
    layout(
        "Log in",
        "",
        html! {
            h1 { "Log in" }
            p.lede { "This server asks for its token (" code { "--token" } " or " code { "ARXIV_DAILY_TOKEN" } ") before it changes your library." }
            form.login method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                label { "Token " input type="password" name="token" autocomplete="current-password" required; }
                " " button type="submit" { "Log in" }
            }
        },
    )
}

/// `/library`: the tags.
pub(crate) async fn library(State(state): State<Arc<AppState>>) -> PageResult {
    let (tags, mine) = blocking(&state, |_, s| {
        let tags = s.library.read(|lib| match lib {
            Some(l) => Ok(l.tags()?),
            None => Ok(vec![]),
        })?;
        Ok((tags, s.library.mine()?))
    })
    .await?;
    Ok(layout(
        "Your library",
        "",
        html! {
            h1 { "Your library" }
            @if tags.is_empty() {
                p.lede { "No tags yet. Save a paper from any day, search or paper page to a new tag, or run "
                    code { "arxiv-daily library import FILE.bib --tag TAG" } "." }
            } @else {
                table.library {
                    thead { tr { th { "Tag" } th { "Saved" } th { "Not for me" } th { "Last digest" } th { "" } } }
                    tbody {
                        @for t in &tags {
                            tr {
                                td {
                                    a href={ "/library/" (t.tag) } { (t.tag) }
                                    @if let Some(d) = &t.description { br; span.small { (d) } }
                                }
                                td.num { (t.papers) }
                                td.num { (t.dismissed) }
                                td { (t.last_digest.as_deref().unwrap_or("never")) }
                                td {
                                    a href={ "/recommend?" (qs(&[("tag", &t.tag)])) } { "Recommended" } span.sep { " · " }
                                    a href={ "/feeds/recommend/" (t.tag) ".atom" } { "Atom feed" }
                                }
                            }
                        }
                    }
                }
                p { a href="/recommend" { "Recommended for every tag" } }
            }
            h2 { "A new interest" }
            p.small { "Describe it in a sentence: it gets recommendations before you save a paper to it." }
            (describe_form(&mine, None, None))
        },
    ))
}

struct TagPage {
    /// The tag as the library spells it.
    tag: Tag,
    saved: Vec<(String, String, String)>,
    dismissed: Vec<(String, String)>,
    description: Option<String>,
    mine: Mine,
}

/// `/library/TAG`: its papers, each with a remove button.
pub(crate) async fn library_tag(
    State(state): State<Arc<AppState>>,
    Path(tag): Path<String>,
) -> PageResult {
    let asked = Tag::parse(&tag).map_err(|e| AppError::bad_request(e.to_string()))?;
    let page = blocking(&state, move |r, s| {
        let found = s.library.read(|lib| match lib {
            Some(l) => match l.tag_name(asked.as_str())? {
                Some(name) => Ok(Some((l.entries(Some(&name))?, l.description(&name)?, name))),
                None => Ok(None),
            },
            None => Ok(None),
        })?;
        let Some((entries, description, name)) = found else {
            return Err(crate::library::LibraryError::NoTag(asked.to_string()).into());
        };
        let mut page = TagPage {
            tag: Tag::parse(&name)?,
            saved: vec![],
            dismissed: vec![],
            description,
            mine: s.library.mine()?,
        };
        for e in entries {
            let title = r
                .latest_text_stored(&e.id)?
                .map(|(t, _, _)| t)
                .unwrap_or_else(|| "(not in the archive yet)".into());
            match e.kind {
                Kind::Saved => page.saved.push((e.id, title, e.added)),
                Kind::Dismissed => page.dismissed.push((e.id, title)),
            }
        }
        Ok(page)
    })
    .await?;
    let tag = page.tag.clone();
    let here = format!("/library/{tag}");
    let remove = |id: &str| {
        html! {
            form.inline method="post" action="/library/remove" {
                input type="hidden" name="csrf" value=(page.mine.csrf);
                input type="hidden" name="id" value=(id);
                input type="hidden" name="tag" value=(tag.as_str());
                input type="hidden" name="back" value=(here);
                button.compact type="submit" disabled[!page.mine.writable] { "Remove" }
            }
        }
    };
    Ok(layout(
        &format!("{tag} · library"),
        "",
        html! {
            h1 { "Tag " (tag.as_str()) }
            p.lede {
                (page.saved.len()) " saved, " (page.dismissed.len()) " not for me · "
                a href={ "/recommend?" (qs(&[("tag", tag.as_str())])) } { "Recommended for " (tag.as_str()) } " · "
                a href={ "/feeds/recommend/" (tag.as_str()) ".atom" } { "Atom feed" } " · "
                a href="/library" { "All tags" }
            }
            @if let Some(d) = &page.description { p.description { (d) } }
            details open[page.description.is_none() && page.saved.is_empty()] {
                summary.small { @if page.description.is_some() { "Change the description" } @else { "Describe this tag in words" } }
                (describe_form(&page.mine, Some(tag.as_str()), page.description.as_deref()))
            }
            h2 { "Saved" }
            @if page.saved.is_empty() {
                p.small { "No paper saved yet: save one from any day, search or paper page." }
            }
            ul.saved {
                @for (id, title, added) in &page.saved {
                    li {
                        a href={ "/paper/" (id) } { (unwrap_text(&normalize(title))) }
                        " " span.muted { "arXiv:" (id) " · saved " (added.get(..10).unwrap_or(added)) }
                        " " (remove(id))
                    }
                }
            }
            @if !page.dismissed.is_empty() {
                h2 { "Not for me" }
                ul.saved {
                    @for (id, title) in &page.dismissed {
                        li {
                            a href={ "/paper/" (id) } { (unwrap_text(&normalize(title))) }
                            " " span.muted { "arXiv:" (id) }
                            " " (remove(id))
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct RecommendParams {
    tag: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

struct Ranked {
    /// The tag asked for, as the library spells it.
    tag: Option<String>,
    recs: Arc<Vec<Recommendation>>,
    from: Day,
    to: Day,
    mine: Mine,
}

/// Recommendations and the days they are of.
type Ranking = (Arc<Vec<Recommendation>>, Day, Day);

/// The recommendations of a request, kept per library version and archive batch.
fn ranked(
    r: &crate::archive::Reads<'_>,
    s: &AppState,
    tags: Vec<String>,
    from: Option<Day>,
    to: Option<Day>,
    limit: usize,
) -> anyhow::Result<Option<Ranking>> {
    let Some((from, to)) = crate::recommend::days(r, from, to, None)? else {
        return Ok(None);
    };
    let (version, interests) = s.library.read(|lib| match lib {
        Some(l) => Ok((l.version()?, Interests::of(l, &tags)?)),
        None if tags.is_empty() => Ok((0, Interests::default())),
        None => Err(crate::library::LibraryError::NoTag(tags[0].clone()).into()),
    })?;
    // The vectors read so far are part of the key: papers an ingest embeds after storing them
    // are ranked by meaning once their vectors are in.
    let matrix = s.meaning();
    let vectors = matrix.as_deref().map_or(0, |m| m.read_to());
    let key = format!("{tags:?} {from} {to} {limit} {vectors}");
    let recs = s.library.cached(key, version, r.write_seq()?, || {
        let meaning = matrix.as_deref().map(|m| {
            let meaning = Meaning::new(m, s.model.as_deref(), &interests);
            if let Some(e) = &meaning.failed {
                eprintln!(
                    "arxiv-daily serve: warning: the tags' descriptions count by their words only: {e}"
                );
            }
            meaning
        });
        Ok(crate::recommend::recommend(
            r,
            &interests,
            &Request {
                from,
                to,
                category: None,
                limit,
            },
            meaning.as_ref(),
        )?)
    })?;
    Ok(Some((recs, from, to)))
}

/// `/recommend?tag=&from=&to=`: the day's papers ranked for a tag (or every tag).
pub(crate) async fn recommend(
    State(state): State<Arc<AppState>>,
    Query(p): Query<RecommendParams>,
) -> PageResult {
    let from = optional_day(&p.from)?;
    let to = optional_day(&p.to)?;
    let tag = p.tag.clone().filter(|t| !t.is_empty());
    if let Some(t) = &tag {
        Tag::parse(t).map_err(|e| AppError::bad_request(e.to_string()))?;
    }
    let tags: Vec<String> = tag.iter().cloned().collect();
    let ranked = blocking(&state, move |r, s| {
        let tags: Vec<String> = s.library.read(|lib| {
            let mut stored = Vec::new();
            for t in tags {
                stored.push(match lib.map(|l| l.tag_name(&t)).transpose()?.flatten() {
                    Some(name) => name,
                    None => t,
                });
            }
            Ok(stored)
        })?;
        let tag = tags.first().cloned();
        let Some((recs, from, to)) = ranked(r, s, tags, from, to, PAGE_LIMIT)? else {
            return Ok(None);
        };
        Ok(Some(Ranked {
            tag,
            recs,
            from,
            to,
            mine: s.library.mine()?,
        }))
    })
    .await?;
    let Some(k) = ranked else {
        return Err(AppError::not_found("The archive lists no day yet.").into());
    };
    let tag = k.tag.clone();
    let for_whom = tag.clone().unwrap_or_else(|| "every tag".into());
    let days = if k.from == k.to {
        k.from.to_string()
    } else {
        format!("{} to {}", k.from, k.to)
    };
    let mut here_pairs: Vec<(&str, String)> = vec![];
    if let Some(t) = &tag {
        here_pairs.push(("tag", t.clone()));
    }
    if p.from.as_deref().is_some_and(|f| !f.is_empty()) {
        here_pairs.push(("from", k.from.to_string()));
    }
    if p.to.as_deref().is_some_and(|f| !f.is_empty()) {
        here_pairs.push(("to", k.to.to_string()));
    }
    let here_q: Vec<(&str, &str)> = here_pairs.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let here = format!("/recommend?{}", qs(&here_q));
    Ok(layout(
        &format!("Recommended for {for_whom}"),
        "",
        html! {
            h1 { "Recommended for " (for_whom) }
            form.picker.range method="get" action="/recommend" {
                label { "Tag " select name="tag" {
                    option value="" selected[tag.is_none()] { "every tag" }
                    @for t in &k.mine.tags { option value=(t) selected[tag.as_deref() == Some(t)] { (t) } }
                } }
                " " label { "From " input type="date" name="from" value=(k.from.to_string()); }
                " " label { "to " input type="date" name="to" value=(k.to.to_string()); }
                " " button type="submit" { "Show" }
            }
            p.lede {
                "Papers listed on " (days) ", less those in your library, ranked by each tag's model "
                "(its saved papers and description against its dismissals and the archive's other papers"
                @if state.meaning.is_some() { ", by their words and their meaning" }
                "); the words are those of the paper that weigh most in it."
                @if let Some(t) = &tag { " " a href={ "/feeds/recommend/" (t) ".atom" } { "Atom feed" } }
            }
            @if k.mine.tags.is_empty() {
                p.muted { "Your library has no tags yet: save papers to a tag first." }
            } @else if k.recs.is_empty() {
                p.muted { "Nothing to recommend on these days." }
            }
            ol.hits {
                @for rec in k.recs.iter() {
                    li { (recommended(rec, &k.mine, &here)) }
                }
            }
        },
    ))
}

/// What a score means, in a word: how far above the background papers the pick stands (in
/// standard deviations; the digest's default line is 1).
fn score_label(score: f32) -> &'static str {
    if score >= 3.0 {
        "strong"
    } else if score >= 2.0 {
        "good"
    } else if score >= 1.0 {
        "fair"
    } else {
        "weak"
    }
}

fn recommended(rec: &Recommendation, mine: &Mine, here: &str) -> Markup {
    html! {
        article.paper.rec {
            div.meta {
                a.id href={ "/paper/" (rec.id) } { "arXiv:" (rec.id) }
                " " (rec.first_announced.map(|d| d.to_string()).unwrap_or_default()) " " (arxiv_links(&rec.id))
                " " span.score title=(format!("{:.2} standard deviations above the day's other papers", rec.score)) {
                    (score_label(rec.score)) " match " span.muted { (format!("{:.1}", rec.score)) }
                }
            }
            h3 { a href={ "/paper/" (rec.id) } { (unwrap_text(&normalize(&rec.title))) } }
            p.authors { (author_links(&rec.authors)) }
            p.why {
                "For " b { (rec.tag) }
                @if rec.still_learning {
                    " " span.muted title={ "fewer than " (crate::recommend::LEARNING) " saved papers: beside other tags it takes at most its share of the picks" } { "(still learning)" }
                }
                ": " @for (i, w) in rec.why.iter().enumerate() { @if i > 0 { ", " } em { (w) } } }
            details {
                summary { "Abstract" }
                p.abstract { (normalize(&rec.abstract_text)) }
            }
            (controls(&rec.id, mine, here, Some(&rec.tag)))
        }
    }
}

/// `/feeds/recommend/TAG.atom`: the newest day's recommendations for a tag.
pub(crate) async fn recommend_feed(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let Some(tag) = file.strip_suffix(".atom") else {
        return Err(AppError::not_found("feeds end in .atom").into());
    };
    let tag = Tag::parse(tag).map_err(|e| AppError::bad_request(e.to_string()))?;
    let t = tag.to_string();
    let feed = blocking(&state, move |r, s| {
        let Some((recs, from, to)) = ranked(r, s, vec![t.clone()], None, None, PAGE_LIMIT)? else {
            return Ok(None);
        };
        let info = crate::atom::FeedInfo {
            id: format!("urn:arxiv-daily:recommend:{t}"),
            title: format!("arxiv-daily: recommended for {t}"),
            subtitle: if from == to {
                from.to_string()
            } else {
                format!("{from} to {to}")
            },
            link: None,
        };
        Ok(Some(crate::views::recommend_feed(&info, &recs, to)))
    })
    .await?;
    let Some(feed) = feed else {
        return Err(AppError::not_found("The archive lists no day yet.").into());
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed,
    )
        .into_response())
}
