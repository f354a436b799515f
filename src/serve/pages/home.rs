//! The home page: each profile's latest report day, the archive's counts, a search box.

use std::sync::Arc;

use axum::extract::State;
use maud::{Markup, html};

use super::{Links, PageResult, layout_with};
use crate::config::Profile;
use crate::model::Day;
use crate::report::{self};
use crate::serve::{AppState, blocking};

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
    Ok(render_home(&Links::Served, &latest, &stats))
}

/// The home page: per profile its newest day and row count, the archive's counts.
pub(crate) fn render_home(
    links: &Links,
    latest: &[(Profile, Option<(Day, usize)>)],
    stats: &crate::views::Stats,
) -> Markup {
    let (action, name, hidden) = links.search_form();
    layout_with(
        links,
        "arXiv daily archive",
        "",
        html! {
            h1 { "arXiv daily archive" }
            p.lede {
                // Papers and the days they span: a count of stored reports (day by profile, not
                // counting estimated days) told a reader nothing the table below does not.
                (stats.papers) " papers"
                @if let (Some(a), Some(b)) = (&stats.first_day, &stats.last_day) { ", listed from " (a) " to " (b) }
                ". " a href=(links.status()) { "Coverage by day" } "."
            }
            form.bigsearch action=(action) method="get" {
                @if let Some((k, v)) = hidden { input type="hidden" name=(k) value=(v); }
                input type="search" name=(name) placeholder=(if links.is_static() && hidden.is_some() { "Search arXiv: titles, abstracts, authors" } else { "Search titles, abstracts, authors" }) aria-label="Search";
                button type="submit" { "Search" }
            }
            h2 { "Reports" }
            table.reports {
                thead { tr { th { "Profile" } th { "Selects" } th { "Latest day" } th { "Rows" } th { "Feed" } } }
                tbody {
                    @for (p, last) in latest {
                        tr {
                            td { a href=(links.profile(&p.name)) { (p.name) } }
                            td.small { (p.summary()) }
                            td { @if let Some((day, _)) = last { a href=(links.day(&p.name, *day, false)) { (day) } } @else { "—" } }
                            td { @if let Some((_, rows)) = last { (rows) } }
                            td { a href=(links.feed(&p.name)) { "Atom" } }
                        }
                    }
                }
            }
        },
    )
}
