//! `backfill`: harvest a window of history from OAI-PMH.

use std::io::Write;

use super::{Ctx, Outcome, json_line, progress, stdout};
use arxiv_daily::ingest::Writer;
use arxiv_daily::ingest::backfill::{Window, harvest};
use arxiv_daily::model::Day;

pub(super) const DEFAULT_OAI_URL: &str = "https://oaipmh.arxiv.org/oai";

/// Harvest arXiv's OAI-PMH ListRecords for a window of datestamps. Resumable: rerun the same
/// command after an interruption; finished windows are skipped unless --force.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// First datestamp day (inclusive).
    #[arg(long, required_unless_present = "retry_rejected")]
    from: Option<String>,
    /// Last datestamp day (inclusive).
    #[arg(long, required_unless_present = "retry_rejected")]
    to: Option<String>,
    /// Read again the records that earlier harvests could not read (kept in the archive with
    /// their XML; `doctor` lists them), and store those that this version reads.
    #[arg(long, conflicts_with_all = ["from", "to", "set", "force"])]
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
    let (Some(from), Some(to)) = (a.from.as_deref(), a.to.as_deref()) else {
        anyhow::bail!("--from and --to are required");
    };
    let (from, to) = (Day::parse(from)?, Day::parse(to)?);
    anyhow::ensure!(from <= to, "--from {from} is after --to {to}");
    let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
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
    let mut client = super::polite_client(a.min_interval, writer.config(), a.timeout)?;
    let base = a
        .oai_url
        .clone()
        .or(writer.config().oai_url.clone())
        .unwrap_or_else(|| DEFAULT_OAI_URL.to_string());
    let mut out = stdout();
    for set in sets {
        let window = Window {
            base_url: base.clone(),
            set: set.clone(),
            from: from.to_string(),
            until: to.to_string(),
            format: a.format.clone(),
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
