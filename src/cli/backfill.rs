//! `backfill`: harvest a window of history from OAI-PMH.

use std::io::Write;

use super::{Ctx, Outcome, json_line, progress, stdout};
use arxiv_daily::ingest::Writer;
use arxiv_daily::ingest::backfill::{Window, harvest};
use arxiv_daily::model::Day;

pub(super) const DEFAULT_OAI_URL: &str = "https://oaipmh.arxiv.org/oai";

/// Fill announcement days from arXiv's OAI-PMH ListRecords. Each version is filed under the day
/// its submission time says it was listed (an estimate, stored as one); only days from --from to
/// --to are filled. Records are harvested from --from to today, so papers revised since are
/// included. Resumable: rerun the same command after an interruption; finished windows are
/// skipped unless --force.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// First announcement day to fill (inclusive).
    #[arg(long, required_unless_present_any = ["retry_rejected", "missing"])]
    from: Option<String>,
    /// Last announcement day to fill (inclusive).
    #[arg(long, required_unless_present_any = ["retry_rejected", "missing"])]
    to: Option<String>,
    /// Fill the weekdays of the last --lookback days that have no stored feed (`status` calls
    /// them missing: a run that failed or never ran), each asked for once. What a scheduled
    /// job runs after `ingest`, so that the next run repairs a lost day.
    #[arg(long, conflicts_with_all = ["from", "to", "retry_rejected", "force"])]
    missing: bool,
    /// The last datestamp to harvest [default: today]: a paper revised after it is not on its
    /// day.
    #[arg(long)]
    until: Option<String>,
    /// With --missing: how many days back from the newest stored feed to look.
    #[arg(long, default_value_t = 28, requires = "missing")]
    lookback: u32,
    /// Read again the records that earlier harvests could not read (kept in the archive with
    /// their XML; `doctor` lists them), and store those that this version reads.
    #[arg(long, conflicts_with_all = ["from", "to", "set", "force", "missing"])]
    retry_rejected: bool,
    /// OAI set, e.g. cs:cs:IR [default: one per category of the profiles].
    #[arg(long)]
    set: Vec<String>,
    #[arg(long, env = "ARXIV_DAILY_OAI_URL")]
    oai_url: Option<String>,
    /// arXivRaw (every version's submission time) or arXiv (creation day only).
    #[arg(long, default_value = "arXivRaw", value_parser = ["arXivRaw", "arXiv"])]
    format: String,
    /// Seconds between requests [default: 3, or min_interval in the config].
    #[arg(long)]
    min_interval: Option<f64>,
    /// Seconds before a request times out.
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// Harvest again a window that already finished.
    #[arg(long)]
    force: bool,
    /// One JSON object per set.
    #[arg(long)]
    json: bool,
}

/// The OAI set of a category: `cs.IR` -> `cs:cs:IR`, `hep-th` -> `physics:hep-th`.
pub(super) fn set_for(category: &str) -> String {
    let (archive, subject) = category
        .split_once('.')
        .map_or((category, None), |(a, s)| (a, Some(s)));
    let group = match archive {
        "cs" | "math" | "stat" | "q-bio" | "q-fin" | "eess" | "econ" => archive,
        _ => "physics",
    };
    match subject {
        Some(s) => format!("{group}:{archive}:{s}"),
        None if group == archive => archive.to_string(),
        None => format!("{group}:{archive}"),
    }
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    if a.retry_rejected {
        return retry(ctx, a.json);
    }
    let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
    let plan: Vec<Planned> = if a.missing {
        let plan = missing_plan(&writer, &a)?;
        if plan.is_empty() {
            eprintln!("arxiv-daily: no missing days to fill");
            return Ok(Outcome::Done);
        }
        plan
    } else {
        let (Some(from), Some(to)) = (a.from.as_deref(), a.to.as_deref()) else {
            anyhow::bail!("--from and --to are required");
        };
        let (from, to) = (Day::parse(from)?, Day::parse(to)?);
        anyhow::ensure!(from <= to, "--from {from} is after --to {to}");
        let sets: Vec<String> = if a.set.is_empty() {
            writer
                .config()
                .categories()
                .iter()
                .map(|c| set_for(c))
                .collect()
        } else {
            a.set.clone()
        };
        sets.into_iter()
            .map(|s| (s, from, to, Vec::new()))
            .collect()
    };
    let mut client = super::polite_client(a.min_interval, writer.config(), a.timeout)?;
    let base = a
        .oai_url
        .clone()
        .or(writer.config().oai_url.clone())
        .unwrap_or_else(|| DEFAULT_OAI_URL.to_string());
    let until = match a.until.as_deref() {
        Some(d) => Some(Day::parse(d)?),
        None => None,
    };
    let mut out = stdout();
    for (set, from, to, mark) in plan {
        let window = Window {
            base_url: base.clone(),
            set: set.clone(),
            // A version's datestamp is its paper's last change, on or after the day it was
            // listed: papers revised up to today are asked for too.
            from: from.to_string(),
            until: until.unwrap_or_else(|| to.max(Day::today())).to_string(),
            format: a.format.clone(),
            days: Some((from, to)),
        };
        let bar = progress(Some(1000), &format!("harvesting {set}"));
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {percent}% of the window, eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        let started = std::time::Instant::now();
        // Whatever was stored before a failure stays stored and indexed; a rerun resumes.
        let result = writer.write(true, |archive| {
            harvest(
                archive,
                &mut client,
                &window,
                a.force,
                |records, fraction| {
                    let rate = records as f64 / started.elapsed().as_secs_f64().max(0.001);
                    bar.set_message(format!("harvesting {set}: {records} records ({rate:.0}/s)"));
                    if let Some(f) = fraction {
                        bar.set_position((f * 1000.0) as u64);
                    }
                },
            )
        });
        bar.finish_and_clear();
        let summary = result?.value;
        if !mark.is_empty() {
            writer.write(false, |archive| {
                arxiv_daily::ingest::backfill::mark_caught_up(archive, &set, &mark)
            })?;
        }
        if a.json {
            json_line(&mut out, &summary)?;
        } else if summary.skipped_done {
            writeln!(
                out,
                "{set} {from}..{to}: already harvested (use --force to harvest again)"
            )?;
        } else {
            writeln!(
                out,
                "{set} {from}..{to}: {} pages, {} records, {} rejected, {} new papers, {} new snapshots, {} retries, {} token restarts, {:.1}s",
                summary.pages,
                summary.records,
                summary.rejected,
                summary.stats.new_papers,
                summary.stats.new_snapshots,
                summary.retries,
                summary.restarts,
                summary.seconds
            )?;
        }
        out.flush()?;
    }
    Ok(Outcome::Done)
}

/// Fills the announcement days `from..=to` of the configured categories with the defaults of
/// `backfill --from --to` (for `init`).
pub(super) fn fill(
    ctx: &Ctx,
    from: Day,
    to: Day,
    oai_url: Option<String>,
    min_interval: Option<f64>,
) -> anyhow::Result<Outcome> {
    run(
        ctx,
        Args {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            missing: false,
            lookback: 28,
            until: None,
            retry_rejected: false,
            set: Vec::new(),
            oai_url,
            format: "arXivRaw".into(),
            min_interval,
            timeout: 60.0,
            force: false,
            json: false,
        },
    )
}

/// One harvest to run: the set, the first and last day to fill, and the missing days a catch-up
/// marks as asked for once it is done.
type Planned = (String, Day, Day, Vec<Day>);

/// What `--missing` harvests: per set, the range of its categories' missing days not yet asked
/// for, from the ledger of the last `--lookback` days.
fn missing_plan(writer: &Writer, a: &Args) -> anyhow::Result<Vec<Planned>> {
    let reads = writer.read();
    let categories = writer.config().categories();
    let ledger = arxiv_daily::views::status(&reads, categories.clone(), None, None)?;
    let mut plan: Vec<Planned> = Vec::new();
    for status in ledger.iter().filter(|s| categories.contains(&s.category)) {
        let Some(newest) = status.to else { continue };
        let since = newest.sub_days(i64::from(a.lookback));
        let set = set_for(&status.category);
        let mut days = Vec::new();
        for day in status.missing.iter().filter(|d| **d >= since) {
            if !arxiv_daily::ingest::backfill::caught_up(&reads, &set, *day)? {
                days.push(*day);
            }
        }
        let (Some(first), Some(last)) = (days.first().copied(), days.last().copied()) else {
            continue;
        };
        match plan.iter_mut().find(|p| p.0 == set) {
            Some(p) => {
                p.1 = p.1.min(first);
                p.2 = p.2.max(last);
                p.3.extend(days);
            }
            None => plan.push((set, first, last, days)),
        }
    }
    Ok(plan)
}

fn retry(ctx: &Ctx, json: bool) -> anyhow::Result<Outcome> {
    let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
    let summary = writer
        .write(false, arxiv_daily::ingest::backfill::retry_rejected)?
        .value;
    let mut out = stdout();
    if json {
        json_line(&mut out, &summary)?;
    } else {
        writeln!(
            out,
            "{} rejected records read again: {} stored, {} still rejected",
            summary.tried, summary.stored, summary.rejected
        )?;
    }
    out.flush()?;
    Ok(if summary.tried == 0 {
        Outcome::NothingFound
    } else {
        Outcome::Done
    })
}
