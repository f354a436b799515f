//! The coverage calendar: per category, which announcement days are stored, empty, missing, stale
//! or estimated.

use std::sync::Arc;

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use super::{Links, PageResult, layout_with, qs};
use crate::model::Day;
use crate::serve::{AppState, blocking};
use crate::views;

#[derive(Debug, Deserialize)]
pub(crate) struct StatusParams {
    from: Option<String>,
    to: Option<String>,
}

pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Query(p): Query<StatusParams>,
) -> PageResult {
    let parse = crate::serve::optional_day;
    let (from, to) = (parse(&p.from)?, parse(&p.to)?);
    let (ledger, estimated, last) = blocking(&state, move |r, s| {
        let categories = s.config().categories();
        let last = r.stats()?.last_day.unwrap_or_else(Day::today);
        let to = to.unwrap_or(last);
        // Six months unless asked for more.
        let from = from.unwrap_or_else(|| to.sub_days(182));
        let (ledger, estimated) = coverage(r, categories, (from, to))?;
        Ok((ledger, estimated, (from, to)))
    })
    .await?;
    let (from, to) = last;
    Ok(render_status(
        &Links::Served,
        &ledger,
        &estimated,
        (from, to),
        &|_| true,
    ))
}

/// What the calendar shows from `from` to `to`: the ledger per category, and the days that have
/// only estimated listings.
pub(crate) fn coverage(
    r: &crate::archive::Reads<'_>,
    categories: Vec<String>,
    (from, to): (Day, Day),
) -> anyhow::Result<(Vec<views::CategoryStatus>, Vec<Day>)> {
    let estimated: Vec<Day> = r
        .estimated_days(&categories)?
        .into_iter()
        .map(|(d, _)| d)
        .filter(|d| *d >= from && *d <= to)
        .collect();
    Ok((
        views::status(r, categories, Some(from), Some(to))?,
        estimated,
    ))
}

/// The calendar from `from` to `to`; `has_page` says which days link to their page.
pub(crate) fn render_status(
    links: &Links,
    ledger: &[views::CategoryStatus],
    estimated: &[Day],
    (from, to): (Day, Day),
    has_page: &dyn Fn(Day) -> bool,
) -> Markup {
    layout_with(
        links,
        "Coverage",
        "",
        html! {
            h1 { "Coverage" }
            p.lede { "Which announcement days the archive holds, per category, from " (from) " to " (to) ". "
                @if let Some(days) = links.days_list() {
                    "Every day the archive holds is in " a href=(days) { "the list of days" } "."
                } @else {
                    a href={ "/status?" (qs(&[("from", &from.pred().to_string())])) } { "Show more" }
                }
            }
            p.legend {
                span.cell.stored {} " stored " span.cell.empty {} " empty (holiday) " span.cell.missing {} " missing "
                span.cell.repeated {} " stale feed " span.cell.estimated {} " estimated (backfill) " span.cell.weekend {} " no announcements"
            }
            @for c in ledger {
                section.calendar {
                    h2 { (c.category) }
                    @let estimated_here = c.missing.iter().filter(|d| estimated.contains(d)).count();
                    p.small {
                        (c.ingested.len()) " feeds stored, " (c.empty.len()) " empty, " (estimated_here) " estimated, "
                        (c.missing.len() - estimated_here) " missing, " (c.repeated.len()) " stale"
                    }
                    (calendar(links, c, estimated, (from, to), has_page))
                }
            }
        },
    )
}

/// What the coverage calendar shows for a day of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayState {
    /// A feed stored with no announcements (a holiday).
    Empty,
    Stored,
    /// A stale feed repeated an earlier day's batch.
    Repeated,
    /// Only estimated listings (backfill).
    Estimated,
    /// A weekday with no feed stored.
    Missing,
    /// No announcements expected (a weekend).
    Weekend,
}

impl DayState {
    /// The cell's class in the stylesheet, and its tooltip's word.
    fn class(self) -> &'static str {
        match self {
            DayState::Empty => "empty",
            DayState::Stored => "stored",
            DayState::Repeated => "repeated",
            DayState::Estimated => "estimated",
            DayState::Missing => "missing",
            DayState::Weekend => "weekend",
        }
    }

    fn of(c: &views::CategoryStatus, estimated: &[Day], d: Day) -> DayState {
        if c.empty.contains(&d) {
            DayState::Empty
        } else if c.ingested.iter().any(|f| f.date == d) {
            DayState::Stored
        } else if c.repeated.iter().any(|r| r.date == d) {
            DayState::Repeated
        } else if estimated.contains(&d) {
            DayState::Estimated
        } else if c.missing.contains(&d) {
            DayState::Missing
        } else {
            DayState::Weekend
        }
    }
}

fn calendar(
    links: &Links,
    c: &views::CategoryStatus,
    estimated: &[Day],
    (from, to): (Day, Day),
    has_page: &dyn Fn(Day) -> bool,
) -> Markup {
    let state = |d: Day| DayState::of(c, estimated, d).class();
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
                                                @if has_page(*day) {
                                                    a href=(links.all_of_day(*day)) { (day.date().day()) }
                                                } @else {
                                                    (day.date().day())
                                                }
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
