//! A day's report of a profile (or everything the day listed), and its byte-exact legacy files.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{Cards, Links, PageError, entry, layout_with, qs};
use crate::config::Profile;
use crate::model::{AnnounceType, Day};
use crate::report::{self, Report, render};
use crate::serve::api::ProfileParam;
use crate::serve::library::Mine;
use crate::serve::{AppError, AppState, blocking};
use crate::views::ListedPaper;

#[derive(Debug, Deserialize)]
pub(crate) struct DayParams {
    profile: Option<String>,
    /// `all`: everything the day listed in the profile's categories.
    view: Option<String>,
    date: Option<String>,
    /// `1`: only the papers new since the last visit.
    new: Option<String>,
    /// The day "today" was when it was not archived (the page says this is the nearest one).
    today: Option<String>,
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

pub(crate) struct DayData {
    pub(crate) profile: Profile,
    pub(crate) day: Day,
    pub(crate) report: Option<Report>,
    /// category -> papers, for the "all" view.
    pub(crate) listed: Vec<(String, Vec<ListedPaper>)>,
    pub(crate) estimated: bool,
    pub(crate) prev: Option<Day>,
    pub(crate) next: Option<Day>,
    pub(crate) mine: Mine,
    /// The newest day marked as seen (the page's "Mark as seen" form).
    pub(crate) seen: Option<Day>,
    /// The day of the last visit before this one, and the papers first listed after it.
    pub(crate) new_since: Option<Day>,
    pub(crate) fresh: std::collections::HashSet<String>,
    /// "Today" was asked for and is not archived: that day (this is the nearest archived one).
    pub(crate) today_missing: Option<Day>,
}

impl DayData {
    /// The papers the day listed in the profile's categories, each once.
    pub(crate) fn listed_count(&self) -> usize {
        let mut ids: Vec<&str> = self
            .listed
            .iter()
            .flat_map(|(_, ps)| ps.iter().map(|p| p.id.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    /// A day as the archive holds it, for a reader without a library (the static site).
    pub(crate) fn read(
        r: &crate::archive::Reads<'_>,
        profile: &Profile,
        day: Day,
    ) -> anyhow::Result<DayData> {
        let report = report::find(r, profile, day)?;
        let mut listed = Vec::new();
        let mut estimated = report.as_ref().is_some_and(Report::estimated);
        for c in &profile.categories {
            if let Some((prov, papers)) = r.listing(day, c)? {
                estimated |= prov.is_estimate();
                listed.push((c.clone(), papers.iter().map(ListedPaper::from).collect()));
            }
        }
        let (prev, next) = r.neighbor_days(&profile.name, &profile.categories, day)?;
        Ok(DayData {
            profile: profile.clone(),
            day,
            report,
            listed,
            estimated,
            prev,
            next,
            mine: Mine::default(),
            seen: None,
            new_since: None,
            fresh: Default::default(),
            today_missing: None,
        })
    }
}

pub(crate) async fn day(
    State(state): State<Arc<AppState>>,
    Path(date): Path<String>,
    Query(p): Query<DayParams>,
) -> Result<Response, PageError> {
    let day = Day::parse(&date).map_err(AppError::from)?;
    let all = p.view.as_deref() == Some("all");
    let name = p.profile.clone();
    let d = blocking(&state, move |r, s| {
        let profile = s.reader.profile_in(r, name.as_deref())?;
        let mut d = DayData::read(r, &profile, day)?;
        let (report, listed) = (&d.report, &d.listed);
        // A GET changes nothing (another site can load this page as an image): the visit is
        // what the page's "Mark as seen" form recorded. Papers first listed after the day seen
        // before this one are new.
        let before = s
            .library
            .read(|l| Ok(l.map(|l| l.visit_of(&profile.name)).transpose()?.flatten()))?;
        let new_since = match before {
            Some((seen, _)) if day > seen => Some(seen),
            Some((seen, previous)) if day == seen => previous,
            _ => None,
        };
        let mut fresh = std::collections::HashSet::new();
        if let Some(since) = new_since {
            let ids: Vec<String> = listed
                .iter()
                .flat_map(|(_, ps)| ps.iter().map(|p| p.id.clone()))
                .chain(
                    report
                        .iter()
                        .flat_map(|r| r.rows.iter().map(|p| p.id.clone())),
                )
                .collect();
            for (id, first) in r.first_days(&ids)? {
                if first > since {
                    fresh.insert(id);
                }
            }
        }
        d.mine = s.library.mine()?;
        d.seen = before.map(|(seen, _)| seen);
        d.new_since = new_since;
        d.fresh = fresh;
        Ok(d)
    })
    .await?;
    if d.report.is_none() && d.listed.is_empty() {
        // "Today" before the morning's ingest, on a weekend or with a clock ahead of the data:
        // the newest archived day before it (else the first after it), saying so.
        if date.eq_ignore_ascii_case("today")
            && let Some(near) = d.prev.or(d.next)
        {
            let mut to = Links::Served.day(&d.profile.name, near, all);
            to.push_str(&format!("&today={}", d.day));
            return Ok(Redirect::to(&to).into_response());
        }
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
    let mut d = d;
    d.today_missing = p
        .today
        .as_deref()
        .and_then(Day::from_iso)
        .filter(|t| *t != d.day);
    Ok(render_day(&Links::Served, &d, all, p.new.as_deref() == Some("1")).into_response())
}

pub(crate) fn render_day(links: &Links, d: &DayData, all: bool, only_new: bool) -> Markup {
    let mut back = format!("/day/{}?{}", d.day, qs(&[("profile", &d.profile.name)]));
    if all {
        back.push_str("&view=all");
    }
    let cards = Cards {
        links,
        mine: &d.mine,
        back: back.clone(),
        fresh: Some(&d.fresh),
    };
    let keep = |id: &str| !only_new || d.fresh.contains(id);
    let weekday = d.day.date().strftime("%A, %-d %B %Y").to_string();
    let report_rows = d.report.as_ref().map_or(0, |r| r.rows.len());
    let listed_total = d.listed_count();
    // "N new" counts what this view shows: the report's rows, or everything listed.
    let shown_fresh = if all {
        let mut ids: Vec<&str> = d
            .listed
            .iter()
            .flat_map(|(_, ps)| ps.iter().map(|p| p.id.as_str()))
            .filter(|id| d.fresh.contains(*id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    } else {
        d.report.as_ref().map_or(0, |r| {
            r.rows.iter().filter(|p| d.fresh.contains(&p.id)).count()
        })
    };
    let title = format!("{} · {}", d.profile.name, d.day);
    let keywords = &d.profile.title_keywords;
    let name = &d.profile.name;
    layout_with(
        links,
        &title,
        "",
        html! {
            h1 { (weekday) }
            p.lede { "Profile " b { (d.profile.name) } " — " (d.profile.summary()) }
            nav.days {
                @if let Some(p) = d.prev { a rel="prev" href=(links.day(name, p, all)) { "← " (p) } } @else { span.muted { "← no earlier day" } }
                @if links.is_static() {
                    a href=(links.profile(name)) { "All days" }
                } @else {
                    form.picker action="/day" method="get" {
                        input type="hidden" name="profile" value=(d.profile.name);
                        input type="date" name="date" value=(d.day.to_string()) aria-label="Go to day";
                        button type="submit" { "Go" }
                    }
                }
                @if let Some(n) = d.next { a rel="next" href=(links.day(name, n, all)) { (n) " →" } } @else { span.muted { "no later day →" } }
            }
            p.files {
                @if d.report.is_some() {
                    a href=(links.day_file(name, d.day, "README.md")) { "README.md" } " · "
                    a href=(links.day_file(name, d.day, "papers.csv")) { "papers.csv" } " · "
                }
                a href=(links.feed(name)) { "Atom feed" }
            }
            @if let Some(t) = d.today_missing {
                p.notice {
                    "Today, " (t) ", is not in the archive yet (arXiv announces on weekdays, and the morning's "
                    code { "arxiv-daily ingest" } " may not have run): this is the "
                    @if t > d.day { "newest archived day." } @else { "first archived day after it." }
                }
            }
            @if d.estimated {
                p.notice { "This day's listing was estimated from submission times (backfill), not read from arXiv's feed." }
            }
            nav.tabs {
                @if all { a href=(links.day(name, d.day, false)) { "Report (" (report_rows) ")" } } @else { b { "Report (" (report_rows) ")" } }
                " · "
                @if all { b { "Everything listed (" (listed_total) ")" } } @else { a href=(links.day(name, d.day, true)) { "Everything listed (" (listed_total) ")" } }
            }
            @if let Some(since) = d.new_since {
                p.fresh-note {
                    (shown_fresh) " new since your last visit (" (since) ") · "
                    @if only_new { a href=(back) { "show all" } } @else {
                        a href={ (back) "&new=1" } { "show only those" }
                    }
                }
            }
            @if !links.is_static() && d.mine.writable {
                @if d.seen.is_some_and(|seen| seen >= d.day) {
                    p.fresh-note.muted { "Marked as seen: papers first listed after " (d.seen.unwrap_or(d.day)) " are new on later days." }
                } @else {
                    form.seen.fresh-note method="post" action="/library/seen" {
                        input type="hidden" name="csrf" value=(d.mine.csrf);
                        input type="hidden" name="day" value=(d.day.to_string());
                        input type="hidden" name="profile" value=(d.profile.name);
                        input type="hidden" name="back" value=(back);
                        button.compact type="submit" title="Papers first listed after this day will be marked new on later days" { "Mark as seen" }
                    }
                }
            }
            @if all {
                // The page a static site's search indexes: Pagefind drops marked words from the
                // titles it shows, so they stay plain there.
                div data-pagefind-body[links.is_static()] {
                    (listed_sections(&d.listed, if links.is_static() { &[] } else { keywords }, &cards, only_new))
                }
            } @else if let Some(r) = &d.report {
                @if r.rows.is_empty() { p.muted { "Nothing in this report on this day." } }
                @for p in r.rows.iter().filter(|p| keep(&p.id)) { (entry(&ListedPaper::from(p), keywords, &cards)) }
            } @else {
                p.muted { "No report of this profile on this day." }
            }
        },
    )
}

fn listed_sections(
    listed: &[(String, Vec<ListedPaper>)],
    keywords: &[String],
    cards: &Cards<'_>,
    only_new: bool,
) -> Markup {
    let mut seen: Vec<&str> = Vec::new();
    let mut sections: [(&str, Vec<&ListedPaper>); 3] = [
        ("New submissions", Vec::new()),
        ("Cross-lists", Vec::new()),
        ("Replacements", Vec::new()),
    ];
    for (_, papers) in listed {
        for p in papers {
            if seen.contains(&p.id.as_str())
                || (only_new && !cards.fresh.is_some_and(|f| f.contains(&p.id)))
            {
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
                @for p in papers { (entry(p, keywords, cards)) }
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
    let day = Day::parse(&date).map_err(AppError::from)?;
    let found = blocking(&state, move |r, s| {
        let profile = s.reader.profile_in(r, profile.as_deref())?;
        Ok(report::find(r, &profile, day)?.map(|rep| (rep, profile.compat())))
    })
    .await?;
    let (report, compat) =
        found.ok_or_else(|| AppError::not_found(format!("no report for {day}")))?;
    let (kind, body) = if csv {
        (
            "text/csv; charset=utf-8",
            render::legacy_report_csv(&report, compat),
        )
    } else {
        (
            "text/markdown; charset=utf-8",
            render::legacy_report_markdown(&report, compat),
        )
    };
    Ok(([(header::CONTENT_TYPE, kind)], body).into_response())
}
