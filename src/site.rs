//! The static site (`site OUT`): the reader's pages as files for GitHub Pages or any static host,
//! from the same templates as `serve` (`serve::pages`), without a server. Links are relative (the site works under a sub-path and from the file
//! system), nothing needs JavaScript, and every file is written only when its bytes change, so a
//! daily run rewrites the new day's pages and the pages that list it.
//!
//! ```text
//! index.html                    the profiles, their newest days, the archive's counts
//! coverage.html                 the coverage calendar of the last year
//! PROFILE/index.html            the profile's days, newest first, with their counts
//! PROFILE/DAY/index.html        the day's report;  all.html: everything the day listed
//! PROFILE/DAY/README.md, papers.csv   the original script's files, byte for byte
//! feeds/PROFILE.atom            the profile's last report days
//! search.html, pagefind/        with --search, where Pagefind is installed
//! arxiv-daily-files.txt         the files this run wrote; the next run removes those it no
//!                               longer writes (a profile taken out of the config)
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use maud::{Markup, PreEscaped, html};
use serde::Serialize;

use crate::archive::Reader;
use anyhow::Context;

use crate::config::Profile;
use crate::files::write_if_changed;
use crate::model::Day;
use crate::report::{self, render};
use crate::serve::pages::{
    DayData, ICON, Links, STYLE, SiteSearch, coverage, folder, layout_with, render_day,
    render_home, render_status,
};

/// What `site` is asked for.
pub struct SiteOptions {
    pub out: PathBuf,
    /// Where the site will be served from (for the feeds' links).
    pub base_url: Option<String>,
    /// Build a Pagefind index with this binary (else the site searches arXiv).
    pub pagefind: Option<PathBuf>,
    /// Report days in each feed.
    pub feed_days: usize,
}

/// What `site` did.
#[derive(Debug, Default, Serialize)]
pub struct SiteSummary {
    pub files: u64,
    pub written: u64,
    pub unchanged: u64,
    /// Files an earlier run wrote that this one does not (a profile or day no longer there).
    pub removed: u64,
    pub search: &'static str,
    pub seconds: f64,
    pub paths_written: Vec<String>,
}

/// The list of the files a run wrote, so that the next run removes those it no longer writes
/// (and nothing else: Pagefind's files and the user's own stay).
const FILE_LIST: &str = "arxiv-daily-files.txt";

struct Out<'a> {
    dir: &'a Path,
    summary: SiteSummary,
    names: Vec<String>,
}

impl Out<'_> {
    fn put(&mut self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.names.push(rel.to_string());
        self.summary.files += 1;
        if write_if_changed(&self.dir.join(rel), bytes)? {
            self.summary.written += 1;
            self.summary.paths_written.push(rel.to_string());
        } else {
            self.summary.unchanged += 1;
        }
        Ok(())
    }

    fn page(&mut self, rel: &str, page: Markup) -> anyhow::Result<()> {
        self.put(rel, page.into_string().as_bytes())
    }

    /// Removes what the last run's list names and this run did not write, then writes the list.
    fn remove_stale(&mut self) -> anyhow::Result<()> {
        let list = self.dir.join(FILE_LIST);
        let mut names = std::mem::take(&mut self.names);
        names.sort();
        let keep: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
        let before = std::fs::read_to_string(&list).unwrap_or_default();
        for old in before.lines().filter(|l| !keep.contains(l)) {
            // Only plain relative paths, as this function writes them.
            if old.is_empty() || old.starts_with('/') || old.split('/').any(|c| c == "..") {
                continue;
            }
            let path = self.dir.join(old);
            if path.is_file() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                self.summary.removed += 1;
                // An emptied folder goes too (remove_dir refuses one that is not empty).
                let mut dir = path.parent();
                while let Some(d) = dir.filter(|d| *d != self.dir) {
                    if std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
        }
        let text: String = names.iter().map(|n| format!("{n}\n")).collect();
        // The list is a file of the site too: counted with the others, so that "N files: W
        // written, U unchanged" adds up.
        self.summary.files += 1;
        if write_if_changed(&list, text.as_bytes())? {
            self.summary.written += 1;
            self.summary.paths_written.push(FILE_LIST.to_string());
        } else {
            self.summary.unchanged += 1;
        }
        Ok(())
    }
}

/// Builds the site of the archive `reader` reads.
pub fn build(reader: &Reader, opts: &SiteOptions) -> anyhow::Result<SiteSummary> {
    let started = std::time::Instant::now();
    let profiles = reader.config().profiles.clone();
    let first = profiles.first().map_or("default", |p| p.name.as_str());
    let search = if opts.pagefind.is_some() {
        SiteSearch::Pagefind
    } else {
        SiteSearch::Arxiv
    };
    let links = |depth: usize| Links::at_depth(depth, search, first);
    let mut out = Out {
        dir: &opts.out,
        summary: SiteSummary {
            search: if opts.pagefind.is_some() {
                "pagefind"
            } else {
                "arxiv"
            },
            ..SiteSummary::default()
        },
        names: Vec::new(),
    };
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("cannot create {}", opts.out.display()))?;
    reader.read(|r| {
        let stats = crate::views::Stats::from(r.stats()?);
        let mut latest = Vec::new();
        let mut first_days: BTreeSet<Day> = BTreeSet::new();
        for (i, p) in profiles.iter().enumerate() {
            let days = profile_pages(r, p, &mut out, &links)?;
            if i == 0 {
                first_days = days.iter().map(|d| d.0).collect();
            }
            // The newest day whose report has papers: an empty day (a Saturday's run, a
            // holiday) is never the latest day.
            let last = days
                .iter()
                .rev()
                .find_map(|(d, rows, _)| rows.filter(|r| *r > 0).map(|r| (*d, r)));
            latest.push((p.clone(), last));
            let link = opts
                .base_url
                .as_ref()
                .map(|b| format!("{}/{}/index.html", b.trim_end_matches('/'), folder(&p.name)));
            let feed = crate::views::profile_feed_linked(r, p, opts.feed_days, link)?;
            out.put(&format!("feeds/{}.atom", folder(&p.name)), feed.as_bytes())?;
        }
        out.page("index.html", render_home(&links(0), &latest, &stats))?;
        let to = stats.last_day.unwrap_or_else(Day::today);
        let from = to.sub_days(365);
        let (ledger, estimated) = coverage(r, reader.config().categories(), (from, to))?;
        out.page(
            "coverage.html",
            render_status(&links(0), &ledger, &estimated, (from, to), &|d| {
                first_days.contains(&d)
            }),
        )?;
        Ok(())
    })?;
    out.put("style.css", STYLE.as_bytes())?;
    out.put("icon.svg", ICON.as_bytes())?;
    if opts.pagefind.is_some() {
        out.page("search.html", search_page(&links(0)))?;
    }
    out.remove_stale()?;
    if let Some(pagefind) = &opts.pagefind {
        run_pagefind(pagefind, &opts.out)?;
    }
    out.summary.seconds = started.elapsed().as_secs_f64();
    Ok(out.summary)
}

/// A profile's day pages and its list of days; returns (day, report rows if it has a report,
/// papers listed).
fn profile_pages(
    r: &crate::archive::Reads<'_>,
    p: &Profile,
    out: &mut Out<'_>,
    links: &dyn Fn(usize) -> Links,
) -> anyhow::Result<Vec<(Day, Option<usize>, usize)>> {
    let dir = folder(&p.name);
    let mut days = Vec::new();
    for (day, _) in report::days(r, p)? {
        let d = DayData::read(r, p, day)?;
        if d.report.is_none() && d.listed.is_empty() {
            continue;
        }
        let here = links(2);
        out.page(
            &format!("{dir}/{day}/index.html"),
            render_day(&here, &d, false, false),
        )?;
        out.page(
            &format!("{dir}/{day}/all.html"),
            render_day(&here, &d, true, false),
        )?;
        if let Some(rep) = &d.report {
            out.put(
                &format!("{dir}/{day}/README.md"),
                render::legacy_report_markdown(rep, p.compat()).as_bytes(),
            )?;
            out.put(
                &format!("{dir}/{day}/papers.csv"),
                render::legacy_report_csv(rep, p.compat()).as_bytes(),
            )?;
        }
        days.push((
            day,
            d.report.as_ref().map(|x| x.rows.len()),
            d.listed_count(),
        ));
    }
    out.page(&format!("{dir}/index.html"), days_page(&links(1), p, &days))?;
    Ok(days)
}

fn days_page(links: &Links, p: &Profile, days: &[(Day, Option<usize>, usize)]) -> Markup {
    layout_with(
        links,
        &format!("{} · all days", p.name),
        "",
        html! {
            h1 { "Profile " (p.name) }
            p.lede { (p.summary()) ". " (days.len()) " days, newest first. "
                a href=(links.feed(&p.name)) { "Atom feed" } }
            table.reports {
                thead { tr { th { "Day" } th { "Report" } th { "Listed" } th { "Files" } } }
                tbody {
                    @for (day, rows, listed) in days.iter().rev() {
                        tr {
                            td { a href=(links.day(&p.name, *day, false)) { (day.date().strftime("%a %-d %b %Y")) } }
                            td { @if let Some(rows) = rows { (rows) } @else { "—" } }
                            td { a href=(links.day(&p.name, *day, true)) { (listed) } }
                            td.small {
                                @if rows.is_some() {
                                    a href=(links.day_file(&p.name, *day, "README.md")) { "README.md" } " "
                                    a href=(links.day_file(&p.name, *day, "papers.csv")) { "papers.csv" }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// Starts Pagefind's search box, with the `q` of the address (the header's search form). Opened
/// from a file, the page cannot fetch Pagefind's index (browsers refuse it), so it says how to
/// search instead of failing in silence.
const SEARCH_SCRIPT: &str = r##"window.addEventListener("DOMContentLoaded", function () {
  if (window.location.protocol === "file:") {
    var note = document.getElementById("file-note");
    note.hidden = false;
    var q = new URLSearchParams(window.location.search).get("q") || "";
    document.getElementById("file-arxiv").href =
      "https://arxiv.org/search/?searchtype=all&query=" + encodeURIComponent(q);
    return;
  }
  var ui = new PagefindUI({ element: "#search", showSubResults: true, showImages: false });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { ui.triggerSearch(q); }
});"##;

/// The search page of a Pagefind index: the one page that needs JavaScript.
fn search_page(links: &Links) -> Markup {
    layout_with(
        links,
        "Search",
        "",
        html! {
            h1 { "Search" }
            link href="pagefind/pagefind-ui.css" rel="stylesheet";
            div #search {}
            p #file-note .muted hidden {
                "This page was opened from a file, and a browser does not let a file's page read "
                "the search index. Serve the folder (" code { "python3 -m http.server -d site" }
                ") and open it at http://localhost:8000/, or "
                a #file-arxiv href="https://arxiv.org/search/" { "search arXiv" } "."
            }
            noscript { p.muted { "Searching this site needs JavaScript; "
                a href="https://arxiv.org/search/" { "arXiv's search" } " does not." } }
            script src="pagefind/pagefind-ui.js" {}
            script { (PreEscaped(SEARCH_SCRIPT)) }
        },
    )
}

/// Runs Pagefind over the site (it indexes the pages marked `data-pagefind-body`: the days'
/// "everything listed" pages).
fn run_pagefind(bin: &Path, site: &Path) -> anyhow::Result<()> {
    let out = std::process::Command::new(bin)
        .arg("--site")
        .arg(site)
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    anyhow::ensure!(
        out.status.success(),
        "{} --site {} failed: {}",
        bin.display(),
        site.display(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

/// Pagefind, if installed: `ARXIV_DAILY_PAGEFIND`, else `pagefind` on the PATH.
pub fn find_pagefind() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ARXIV_DAILY_PAGEFIND") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("pagefind"))
            .find(|p| p.is_file())
    })
}
