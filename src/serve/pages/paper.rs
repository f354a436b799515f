//! A paper: its latest metadata, every snapshot as a word diff against the one before, the days it
//! was listed, similar papers, BibTeX.

use crate::source::unwrap_text;
use std::sync::Arc;

use axum::extract::{Path, State};
use maud::{Markup, html};

use super::{PageResult, arxiv_links, author_links, categories, layout};
use crate::index::normalize;
use crate::model::ArxivId;
use crate::serve::{AppError, AppState, blocking};
use crate::views;

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
    let id = ArxivId::parse(&id).map_err(AppError::from)?;
    let shown = blocking(&state, move |r, s| {
        Ok(
            views::paper_with_similar(r, s.reader.index_if_open(), &id, s.meaning().as_deref())?
                .map(|shown| (shown, s.library.mine())),
        )
    })
    .await?;
    let Some((shown, mine)) = shown else {
        return Err(AppError::not_found("This paper is not in the archive.").into());
    };
    let p = &shown.paper;
    let Some(latest) = p.snapshots.last() else {
        return Err(AppError::not_found("This paper has no metadata.").into());
    };
    let mine = mine.map_err(AppError::from)?;
    let bib = crate::bibtex::entry(p).unwrap_or_default();
    let here = format!("/paper/{}", p.id);
    let title = unwrap_text(&normalize(&latest.title));
    Ok(layout(
        &title,
        "",
        html! {
            div.meta { "arXiv:" (p.id) " " (arxiv_links(&p.id)) " " (categories(&latest.categories)) }
            h1 { (title) }
            p.authors { (author_links(&latest.authors)) }
            (super::controls(&p.id, &mine, &here, None))
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
                        " " span.muted { (h.first_announced.map(|d| d.to_string()).unwrap_or_default()) }
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
