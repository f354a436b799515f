//! `ingest`: the daily job. Also `report rerun`, which recomputes a stored day.

use std::io::Write;
use std::path::PathBuf;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::ingest::Writer;
use arxiv_daily::ingest::{self, FeedStatus};
use arxiv_daily::model::Day;
use arxiv_daily::source::rss as rss_source;

pub(super) const DEFAULT_RSS_URL: &str = "https://rss.arxiv.org/rss/";

/// Fetch the day's RSS feed of each category the profiles need, store it, build the reports.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Only this category (repeatable) instead of the profiles' categories.
    #[arg(long = "category")]
    categories: Vec<String>,
    /// Base URL of the feeds; a category's feed is <rss-url><category>.
    #[arg(long, env = "ARXIV_DAILY_RSS_URL")]
    rss_url: Option<String>,
    /// Ingest a saved feed instead of fetching (repeatable); its category comes from --category
    /// or from the channel's link.
    #[arg(long = "feed-file")]
    feed_files: Vec<PathBuf>,
    /// Seconds between requests [default: 3, or min_interval in the config].
    #[arg(long)]
    min_interval: Option<f64>,
    /// Seconds before a request times out.
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// One JSON object per feed.
    #[arg(long)]
    json: bool,
    /// arXiv's API: after the feeds, the library's papers that the archive lacks (saved while
    /// arXiv could not be reached) are fetched from it, once each run (not with --feed-file).
    #[arg(long, env = "ARXIV_DAILY_API_URL", default_value = arxiv_daily::source::api::DEFAULT_API_URL)]
    api_url: String,
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
    let (outcomes, failures) = writer
        .write(false, |archive| fetch_and_store(archive, &a))?
        .value;
    let mut out = stdout();
    for o in &outcomes {
        if a.json {
            json_line(&mut out, o)?;
        } else {
            let types: Vec<String> = o.by_type.iter().map(|(t, n)| format!("{n} {t}")).collect();
            let reports: Vec<String> = o
                .reports
                .iter()
                .map(|(p, n)| format!("{p}: {n} rows"))
                .collect();
            let status = match o.status {
                FeedStatus::AlreadyStored => "already stored, nothing changed".to_string(),
                FeedStatus::Repeated => format!(
                    "stale feed repeating {}; not stored as a new day",
                    o.same_as.map_or_else(|| "?".to_string(), |d| d.to_string())
                ),
                FeedStatus::Empty => "no announcements".to_string(),
                FeedStatus::Stored => format!(
                    "{} new papers, {} new snapshots",
                    o.new_papers, o.new_snapshots
                ),
            };
            writeln!(
                out,
                "{} {}: {} items{}; {status}{}",
                o.category,
                o.date,
                o.items,
                if types.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", types.join(", "))
                },
                if reports.is_empty() {
                    String::new()
                } else {
                    format!("; report {}", reports.join(", "))
                }
            )?;
        }
    }
    out.flush()?;
    drop(writer);
    let stored: Vec<_> = outcomes
        .iter()
        .filter(|o| o.status == FeedStatus::Stored)
        .map(|o| o.date)
        .collect();
    if let (Some(from), Some(to)) = (stored.iter().min(), stored.iter().max()) {
        super::embed::after_write(
            ctx,
            a.json,
            arxiv_daily::embed::Selection {
                from: Some(*from),
                to: Some(*to),
                ..Default::default()
            },
        );
    }
    if a.feed_files.is_empty() {
        super::library::fetch_waiting(ctx, &a.api_url, a.min_interval, a.timeout);
    }
    for f in &failures {
        eprintln!("arxiv-daily: error: {f}");
    }
    if !failures.is_empty() {
        anyhow::bail!(
            "{} of {} feeds failed; nothing was stored for them",
            failures.len(),
            failures.len() + outcomes.len()
        );
    }
    Ok(Outcome::Done)
}

/// Reads the saved feeds, or fetches each category's feed, and stores each one; the outcomes
/// of those stored and the errors of those that failed (nothing of them was stored).
fn fetch_and_store(
    archive: &mut arxiv_daily::ingest::Session<'_>,
    a: &Args,
) -> anyhow::Result<(Vec<ingest::FeedOutcome>, Vec<String>)> {
    let categories = if a.categories.is_empty() {
        archive.config.categories()
    } else {
        a.categories.clone()
    };
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    if !a.feed_files.is_empty() {
        for file in &a.feed_files {
            let location = file.display().to_string();
            let result = std::fs::read(file)
                .map_err(|e| anyhow::anyhow!("cannot read {location}: {e}"))
                .and_then(|bytes| {
                    String::from_utf8(bytes)
                        .map_err(|_| anyhow::anyhow!("{location}: invalid UTF-8"))
                })
                .and_then(|text| Ok(rss_source::parse(&text, &location)?))
                .and_then(|feed| {
                    let category =
                        match (a.categories.as_slice(), feed.channel_categories.as_slice()) {
                            ([one], _) => one.clone(),
                            (_, [one]) => one.clone(),
                            _ => anyhow::bail!(
                                "{location}: cannot tell the feed's category; pass --category"
                            ),
                        };
                    ingest::ingest_feed(archive, &category, &feed, &location)
                });
            match result {
                Ok(o) => outcomes.push(o),
                Err(e) => failures.push(format!("{e:#}")),
            }
        }
    } else {
        let mut client = super::polite_client(a.min_interval, archive.config, a.timeout)?;

        let base = a
            .rss_url
            .clone()
            .or(archive.config.rss_url.clone())
            .unwrap_or_else(|| DEFAULT_RSS_URL.to_string());
        for category in &categories {
            let url = format!("{base}{category}");
            let result = client
                .get(&url)
                .map_err(anyhow::Error::from)
                .and_then(|body| Ok(rss_source::parse(&body.text, &url)?))
                .and_then(|feed| ingest::ingest_feed(archive, category, &feed, &url));
            match result {
                Ok(o) => outcomes.push(o),
                Err(e) => failures.push(format!("{e:#}")),
            }
        }
    }
    Ok((outcomes, failures))
}

pub(super) fn rerun(
    ctx: &Ctx,
    date: &str,
    profile: Option<&str>,
    dry_run: bool,
) -> anyhow::Result<Outcome> {
    let day = Day::parse(date)?;
    let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
    let profile = writer.profile(profile)?;
    let (old, new) = writer
        .write(false, |session| {
            ingest::rerun(session, &profile, day, dry_run)
        })?
        .value;
    let mut out = stdout();
    let mut changes = 0;
    for (id, title) in &old {
        if !new.iter().any(|(n, _)| n == id) {
            writeln!(out, "- {id}  {title}")?;
            changes += 1;
        }
    }
    for (id, title) in &new {
        if !old.iter().any(|(o, _)| o == id) {
            writeln!(out, "+ {id}  {title}")?;
            changes += 1;
        }
    }
    let verb = if dry_run { "would have" } else { "now has" };
    writeln!(
        out,
        "{day} {}: {changes} changes; the report {verb} {} rows (was {})",
        profile.name,
        new.len(),
        old.len()
    )?;
    out.flush()?;
    Ok(Outcome::Done)
}
