//! `site OUT`: the web reader's pages as a static site.

use std::io::Write;
use std::path::PathBuf;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::archive::Reader;
use arxiv_daily::site::{SiteOptions, build, find_pagefind};

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The folder to write the site into (created if needed).
    out: PathBuf,
    /// The address the site will be served from (e.g. https://USER.github.io/REPO), for the
    /// feeds' links; the pages' own links are relative and work anywhere.
    #[arg(long)]
    base_url: Option<String>,
    /// Give the site a search box: run Pagefind (`pagefind` on the PATH, or ARXIV_DAILY_PAGEFIND)
    /// over it. Without Pagefind the site's search box searches arXiv.
    #[arg(long)]
    search: bool,
    /// How many report days each profile's Atom feed holds.
    #[arg(long, default_value_t = 14)]
    feed_days: usize,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    if let Some(url) = &a.base_url {
        reqwest::Url::parse(url)
            .map_err(|e| anyhow::anyhow!("--base-url {url:?} is not an address: {e}"))?;
    }
    let pagefind = if a.search {
        let found = find_pagefind();
        if found.is_none() {
            eprintln!(
                "arxiv-daily: Pagefind is not installed (npm install -g pagefind, or set ARXIV_DAILY_PAGEFIND); the site's search box searches arXiv instead"
            );
        }
        found
    } else {
        None
    };
    let reader = Reader::open(&ctx.loc)?;
    let summary = build(
        &reader,
        &SiteOptions {
            out: a.out.clone(),
            base_url: a.base_url,
            pagefind,
            feed_days: a.feed_days,
        },
    )?;
    let mut out = stdout();
    if a.json {
        json_line(&mut out, &summary)?;
    } else {
        writeln!(
            out,
            "{} files: {} written, {} unchanged; search: {}; in {} ({:.1}s)",
            summary.files,
            summary.written,
            summary.unchanged,
            summary.search,
            a.out.display(),
            summary.seconds
        )?;
    }
    out.flush()?;
    Ok(Outcome::Done)
}
