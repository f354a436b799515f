//! The HTML pages: server-rendered with maud (every piece of archive text escaped for its
//! context), all state in the URL, no JavaScript. One module per page; the layout and the
//! pieces pages share (a paper's entry, snippets, links) are here. The static site (`site`)
//! renders the same templates with `Links::Static`; nothing here writes a file.

mod day;
mod feed;
mod home;
pub(crate) mod library;
mod paper;
mod search;
mod status;

pub(crate) use day::{DayData, day, day_csv, day_markdown, day_picker, render_day};
pub(crate) use feed::feed;
pub(crate) use home::{home, render_home};
pub(crate) use paper::{paper, paper_old_style};
pub(crate) use search::search;
pub(crate) use status::{coverage, render_status, status};

use crate::source::unwrap_text;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::index::normalize;
use crate::library::Kind;
use crate::serve::AppError;
use crate::serve::library::Mine;
use crate::views::ListedPaper;

pub(crate) const STYLE: &str = include_str!("../style.css");
pub(crate) const ICON: &str = include_str!("../icon.svg");

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
            StatusCode::MISDIRECTED_REQUEST => "Not this server",
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

/// A profile's folder name (see [`crate::config::folder_name`]).
pub(crate) fn folder(profile: &str) -> String {
    crate::config::folder_name(profile)
}

/// Where a page's links go: the web reader's routes, or the files of a static site (relative to
/// the page, so the site works under any sub-path and from the file system).
#[derive(Debug, Clone)]
pub(crate) enum Links {
    Served,
    Static {
        /// From the page to the site's root: "" or "../" repeated.
        up: String,
        search: SiteSearch,
        /// The profile whose pages the coverage calendar links.
        first_profile: String,
    },
}

/// How a static site searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SiteSearch {
    /// Its own Pagefind index (search.html).
    Pagefind,
    /// arXiv's search.
    Arxiv,
}

impl Links {
    /// The links of a static page `depth` folders below the site's root.
    pub(crate) fn at_depth(depth: usize, search: SiteSearch, first_profile: &str) -> Links {
        Links::Static {
            up: "../".repeat(depth),
            search,
            first_profile: first_profile.to_string(),
        }
    }

    /// Everything a day listed (the default profile's categories).
    fn all_of_day(&self, day: crate::model::Day) -> String {
        match self {
            Links::Served => format!("/day/{day}?view=all"),
            Links::Static { first_profile, .. } => self.day(first_profile, day, true),
        }
    }

    fn home(&self) -> String {
        match self {
            Links::Served => "/".into(),
            Links::Static { up, .. } => format!("{up}index.html"),
        }
    }

    fn asset(&self, name: &str) -> String {
        match self {
            Links::Served => format!("/static/{name}"),
            Links::Static { up, .. } => format!("{up}{name}"),
        }
    }

    /// A day of a profile: its report, or everything listed.
    pub(crate) fn day(&self, profile: &str, day: crate::model::Day, all: bool) -> String {
        match self {
            Links::Served => format!(
                "/day/{day}?{}{}",
                qs(&[("profile", profile)]),
                if all { "&view=all" } else { "" }
            ),
            Links::Static { up, .. } => format!(
                "{up}{}/{day}/{}",
                folder(profile),
                if all { "all.html" } else { "index.html" }
            ),
        }
    }

    /// A day's README.md or papers.csv.
    pub(crate) fn day_file(&self, profile: &str, day: crate::model::Day, file: &str) -> String {
        match self {
            Links::Served => format!("/day/{day}/{file}?{}", qs(&[("profile", profile)])),
            Links::Static { up, .. } => format!("{up}{}/{day}/{file}", folder(profile)),
        }
    }

    /// A profile's days: the newest one when served, the list of days on a static site.
    fn profile(&self, profile: &str) -> String {
        match self {
            Links::Served => format!("/day/today?{}", qs(&[("profile", profile)])),
            Links::Static { up, .. } => format!("{up}{}/index.html", folder(profile)),
        }
    }

    pub(crate) fn feed(&self, profile: &str) -> String {
        match self {
            Links::Served => format!("/feeds/{profile}.atom"),
            Links::Static { up, .. } => format!("{up}feeds/{}.atom", folder(profile)),
        }
    }

    fn status(&self) -> String {
        match self {
            Links::Served => "/status".into(),
            Links::Static { up, .. } => format!("{up}coverage.html"),
        }
    }

    /// A paper: its page when served; arXiv's abstract page on a static site (which has no
    /// paper pages).
    fn paper(&self, id: &str) -> String {
        match self {
            Links::Served => format!("/paper/{id}"),
            Links::Static { .. } => format!("https://arxiv.org/abs/{id}"),
        }
    }

    fn author(&self, name: &str) -> String {
        match self {
            Links::Served => format!(
                "/search?{}",
                qs(&[("q", &format!("au:\"{name}\"")), ("sort", "date")])
            ),
            Links::Static { .. } => format!(
                "https://arxiv.org/search/?{}",
                qs(&[("query", name), ("searchtype", "author")])
            ),
        }
    }

    /// The search form's target, its query's name, and hidden fields.
    fn search_form(&self) -> (String, &'static str, Option<(&'static str, &'static str)>) {
        match self {
            Links::Served => ("/search".into(), "q", None),
            Links::Static {
                up,
                search: SiteSearch::Pagefind,
                ..
            } => (format!("{up}search.html"), "q", None),
            Links::Static {
                search: SiteSearch::Arxiv,
                ..
            } => (
                "https://arxiv.org/search/".into(),
                "query",
                Some(("searchtype", "all")),
            ),
        }
    }

    /// A static site's list of the first profile's days.
    fn days_list(&self) -> Option<String> {
        match self {
            Links::Served => None,
            Links::Static { first_profile, .. } => Some(self.profile(first_profile)),
        }
    }

    fn is_static(&self) -> bool {
        matches!(self, Links::Static { .. })
    }
}

fn layout(title: &str, query: &str, body: Markup) -> Markup {
    layout_with(&Links::Served, title, query, body)
}

pub(crate) fn layout_with(links: &Links, title: &str, query: &str, body: Markup) -> Markup {
    let (action, name, hidden) = links.search_form();
    let placeholder = match links {
        Links::Served => "Search: ti:, au:, abs:, \"phrases\", -term",
        Links::Static {
            search: SiteSearch::Pagefind,
            ..
        } => "Search this site",
        Links::Static { .. } => "Search arXiv",
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) " · arxiv-daily" }
                link rel="stylesheet" href=(links.asset("style.css"));
                link rel="icon" type="image/svg+xml" href=(links.asset("icon.svg"));
            }
            body {
                header.top {
                    a.brand href=(links.home()) { "arxiv-daily" }
                    form.search action=(action) method="get" role="search" {
                        @if let Some((k, v)) = hidden { input type="hidden" name=(k) value=(v); }
                        input type="search" name=(name) value=(query) placeholder=(placeholder) aria-label="Search the archive";
                        button type="submit" { "Search" }
                    }
                    @if links.is_static() {
                        nav { a href=(links.home()) { "Reports" } " " a href=(links.status()) { "Coverage" } }
                    } @else {
                        nav { a href="/day/today" { "Today" } " " a href="/recommend" { "For you" } " " a href="/library" { "Library" } " " a href="/status" { "Coverage" } }
                    }
                }
                main { (body) }
                footer {
                    @if links.is_static() { "An archive of arXiv's daily announcements, written by arxiv-daily." }
                    @else { "A local archive of arXiv's daily announcements." }
                    " Thank you to arXiv for use of its open access interoperability."
                }
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
    author_links_in(&Links::Served, authors)
}

fn author_links_in(links: &Links, authors: &str) -> Markup {
    let names = crate::atom::authors(&normalize(authors));
    html! {
        @for (i, name) in names.iter().enumerate() {
            @if i > 0 { ", " }
            a href=(links.author(name)) { (name) }
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

/// How a page shows its papers: the library's view, the page's own address (where a form
/// comes back to), and the papers new since the reader's last visit.
pub(crate) struct Cards<'a> {
    pub(crate) links: &'a Links,
    pub(crate) mine: &'a Mine,
    pub(crate) back: String,
    pub(crate) fresh: Option<&'a std::collections::HashSet<String>>,
}

/// A paper's tags, and one form that saves it to a tag or marks it "not for" that tag: one tag
/// select, two buttons. After either, the page comes back at this paper (the redirect's
/// fragment names the confirmation beside the buttons, which only the targeted card shows).
fn controls(id: &str, mine: &Mine, back: &str, preferred: Option<&str>) -> Markup {
    let tags = mine.tags_of(id);
    let first = preferred
        .filter(|p| mine.tags.iter().any(|t| t == p))
        .or(mine.tags.first().map(String::as_str));
    let saved: Vec<&str> = tags
        .iter()
        .filter(|(_, k)| *k == Kind::Saved)
        .map(|(t, _)| t.as_str())
        .collect();
    let dismissed: Vec<&str> = tags
        .iter()
        .filter(|(_, k)| *k == Kind::Dismissed)
        .map(|(t, _)| t.as_str())
        .collect();
    html! {
        div.mine {
            @for (t, k) in tags {
                @if *k == Kind::Saved {
                    a.tag href={ "/library/" (t) } title="saved to this tag" { (t) }
                } @else {
                    a.tag.dismissed href={ "/library/" (t) } title="not for this tag" { "not for " (t) }
                }
                " "
            }
            span.done id={ "saved-" (id) } role="status" { "Saved to " (saved.join(", ")) "." }
            span.done id={ "dismissed-" (id) } role="status" { "Not for " (dismissed.join(", ")) ": it will not be recommended there." }
            @if mine.writable {
                form.save method="post" action="/library/save" {
                    input type="hidden" name="csrf" value=(mine.csrf);
                    input type="hidden" name="id" value=(id);
                    input type="hidden" name="back" value=(back);
                    @if !mine.tags.is_empty() {
                        select name="tag" aria-label="Tag" {
                            @for t in &mine.tags {
                                option value=(t) selected[Some(t.as_str()) == first] { (t) }
                            }
                        }
                        " or "
                    }
                    input type="text" name="new_tag" size="9" maxlength="40" placeholder="new tag"
                        pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,39}" aria-label="New tag"
                        title="1 to 40 letters, digits, '-', '_' or '.', starting with a letter or digit";
                    " " button.compact type="submit" { "Save" }
                    @if first.is_some() {
                        " " button.compact.quiet type="submit" formaction="/library/dismiss" { "Not for me" }
                    }
                }
            }
        }
    }
}

/// One paper of a day or a search.
fn entry(p: &ListedPaper, keywords: &[String], cards: &Cards<'_>) -> Markup {
    let title = unwrap_text(&normalize(&p.title));
    let fresh = cards.fresh.is_some_and(|f| f.contains(&p.id));
    html! {
        article.paper.fresh[fresh] {
            div.meta data-pagefind-ignore {
                @if fresh { span.new title="new since your last visit" { "new" } " " }
                a.id href=(cards.links.paper(&p.id)) { "arXiv:" (p.id) }
                @if let Some(v) = p.version { " v" (v) }
                " " (arxiv_links(&p.id)) " " (categories(&p.categories))
            }
            h3 id={ "p-" (p.id) } { a href=(cards.links.paper(&p.id)) { (highlight(&title, keywords)) } }
            p.authors { (author_links_in(cards.links, &p.authors)) }
            details {
                summary { "Abstract" }
                p.abstract { (normalize(&p.abstract_text)) }
            }
            @if !cards.links.is_static() { (controls(&p.id, cards.mine, &cards.back, None)) }
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
