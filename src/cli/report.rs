//! `report show|list|export|rerun`.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::archive::Reader;
use arxiv_daily::config::Profile;
use arxiv_daily::model::Day;
use arxiv_daily::report::{self, Report, render};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(super) enum Format {
    /// The README.md table of the original script (byte for byte).
    Md,
    /// The papers.csv of the original script (byte for byte).
    Csv,
    /// One JSON object per row.
    Json,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Print a day's report. DATE: 2025-09-24, 24-Sep-2025, today or yesterday (arXiv's clock).
    Show {
        date: String,
        /// The profile [default: `default`, else the config's first].
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, value_enum, default_value = "md")]
        format: Format,
        /// One JSON object per row (the same as --format json).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// A valid GitHub table instead of the original bytes (pipes escaped, newlines folded);
        /// markdown only.
        #[arg(long)]
        clean: bool,
    },
    /// List the days that have a report, with their row counts.
    List {
        /// Only this profile.
        #[arg(long)]
        profile: Option<String>,
        /// One JSON object per line: date, profile, rows, provenance, estimated.
        #[arg(long)]
        json: bool,
    },
    /// Write DIR/DD-Mon-YYYY/README.md and papers.csv for every day of a profile.
    Export {
        dir: PathBuf,
        /// The profile [default: `default`, else the config's first].
        #[arg(long)]
        profile: Option<String>,
        /// Write the clean markdown table instead of the original bytes.
        #[arg(long)]
        clean: bool,
    },
    /// Write an Atom feed of a profile's last report days: one entry per paper per day, newest
    /// day first (for a feed reader, or to publish beside the exported reports).
    Feed {
        /// The profile [default: `default`, else the config's first].
        #[arg(long)]
        profile: Option<String>,
        /// How many report days (the newest).
        #[arg(long, default_value_t = 14)]
        days: usize,
        /// Write the feed to this file (through a temporary file and a rename) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the root README.md of a report repository: the profile's days, newest first, with
    /// their row counts, each linking its DD-Mon-YYYY folder (as `report export` writes them).
    Index {
        /// The profile [default: `default`, else the config's first].
        #[arg(long)]
        profile: Option<String>,
        /// A heading other than "arXiv Daily Report".
        #[arg(long)]
        title: Option<String>,
        /// Write to this file (only when its bytes change) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Recompute a stored day's report (or every stored day from --from to --to) from its
    /// listing with the profile's current rules, store it, and show what changed. A profile added
    /// today gets its history this way.
    Rerun {
        /// The day (or use --from and --to for a range).
        #[arg(required_unless_present_any = ["from", "to"], conflicts_with_all = ["from", "to"])]
        date: Option<String>,
        /// The profile [default: `default`, else the config's first].
        #[arg(long)]
        profile: Option<String>,
        /// First day of a range (default: the archive's first day).
        #[arg(long)]
        from: Option<String>,
        /// Last day of a range (default: today).
        #[arg(long)]
        to: Option<String>,
        /// Only show the difference; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// One JSON object per changed day: date, added, removed, rows.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<Outcome> {
    match cmd {
        Command::Show {
            date,
            profile,
            format,
            json,
            clean,
        } => {
            let format = if json { Format::Json } else { format };
            if clean && format != Format::Md {
                anyhow::bail!(
                    "--clean changes the markdown table only; it does nothing with --format {}",
                    if format == Format::Csv { "csv" } else { "json" }
                );
            }
            show(ctx, &date, profile.as_deref(), format, clean)
        }
        Command::List { profile, json } => list(ctx, profile.as_deref(), json),
        Command::Export {
            dir,
            profile,
            clean,
        } => export(ctx, &dir, profile.as_deref(), clean),
        Command::Feed { profile, days, out } => feed(ctx, profile.as_deref(), days, out.as_deref()),
        Command::Index {
            profile,
            title,
            out,
        } => index(ctx, profile.as_deref(), title.as_deref(), out.as_deref()),
        Command::Rerun {
            date: Some(date),
            profile,
            dry_run,
            ..
        } => super::ingest::rerun(ctx, &date, profile.as_deref(), dry_run),
        Command::Rerun {
            date: None,
            profile,
            from,
            to,
            dry_run,
            json,
        } => rerun_range(
            ctx,
            profile.as_deref(),
            from.as_deref(),
            to.as_deref(),
            dry_run,
            json,
        ),
    }
}

fn show(
    ctx: &Ctx,
    date: &str,
    profile: Option<&str>,
    format: Format,
    clean: bool,
) -> anyhow::Result<Outcome> {
    let day = Day::parse(date)?;
    let reader = Reader::open(&ctx.loc)?;
    let profile = reader.profile(profile)?;
    reader.read(|r| show_report(r, &profile, day, format, clean))
}

fn show_report(
    r: &arxiv_daily::archive::Reads<'_>,
    profile: &Profile,
    day: Day,
    format: Format,
    clean: bool,
) -> anyhow::Result<Outcome> {
    let Some(report) = report::find(r, profile, day)? else {
        // A day that is not in the archive is "nothing found", as an unknown paper is.
        eprintln!("arxiv-daily: {}", report::missing(r, profile, day)?);
        return Ok(Outcome::NothingFound);
    };
    let text = render_report(&report, format, clean);
    let mut out = stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Outcome::Done)
}

fn render_report(report: &Report, format: Format, clean: bool) -> String {
    match (format, clean) {
        (Format::Md, false) => render::legacy_markdown(report.day, &report.rows),
        (Format::Md, true) => render::clean_markdown(report.day, &report.rows),
        (Format::Csv, _) => render::legacy_csv(&report.rows),
        (Format::Json, _) => arxiv_daily::views::report_json_lines(report),
    }
}

fn list(ctx: &Ctx, profile: Option<&str>, json: bool) -> anyhow::Result<Outcome> {
    let reader = Reader::open(&ctx.loc)?;
    let rows = reader.read(|r| arxiv_daily::views::report_list(r, reader.config(), profile))?;
    if rows.is_empty() {
        eprintln!("arxiv-daily: no reports in the archive");
        return Ok(Outcome::NothingFound);
    }
    let mut out = stdout();
    for r in &rows {
        if json {
            json_line(&mut out, r)?;
        } else {
            let mark = if r.estimated { "  (estimated)" } else { "" };
            writeln!(
                out,
                "{}  {:<12} {:>4} rows  {}{}",
                r.date, r.profile, r.rows, r.provenance, mark
            )?;
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}

fn export(ctx: &Ctx, dir: &Path, profile: Option<&str>, clean: bool) -> anyhow::Result<Outcome> {
    let reader = Reader::open(&ctx.loc)?;
    let profile = reader.profile(profile)?;
    reader.read(|r| export_days(r, dir, &profile, clean))
}

fn export_days(
    r: &arxiv_daily::archive::Reads<'_>,
    dir: &Path,
    profile: &Profile,
    clean: bool,
) -> anyhow::Result<Outcome> {
    let days = report::days(r, profile)?;
    if days.is_empty() {
        eprintln!(
            "arxiv-daily: no reports of profile {:?} to export",
            profile.name
        );
        return Ok(Outcome::NothingFound);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let mut written = 0;
    for (day, _) in &days {
        let Some(report) = report::find(r, profile, *day)? else {
            continue;
        };
        let name = day.legacy();
        // The folder name is built from a validated date: it is one plain component, so nothing
        // is ever written outside DIR.
        debug_assert!(matches!(
            Path::new(&name).components().next(),
            Some(Component::Normal(_))
        ));
        let folder = dir.join(&name);
        std::fs::create_dir_all(&folder)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", folder.display()))?;
        write_atomic(
            &folder.join("README.md"),
            render_report(&report, Format::Md, clean).as_bytes(),
        )?;
        write_atomic(
            &folder.join("papers.csv"),
            render::legacy_csv(&report.rows).as_bytes(),
        )?;
        written += 1;
    }
    eprintln!("arxiv-daily: wrote {written} days to {}", dir.display());
    Ok(Outcome::Done)
}

/// Writes through a temporary file and a rename, so a reader never sees half a file; a file that
/// already holds these bytes is left alone.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    arxiv_daily::files::write_if_changed(path, bytes).map(|_| ())
}

/// The root README.md of a report repository.
pub(crate) fn index_markdown(
    profile: &Profile,
    title: &str,
    days: &[(Day, usize, bool)],
) -> String {
    let mut out = format!("# {title}\n\n");
    out.push_str(&format!(
        "Profile `{}`: {}. One folder per announcement day (README.md and papers.csv), newest first; written by arxiv-daily from arXiv's daily listings.\n\n",
        profile.name,
        profile.summary()
    ));
    let total: usize = days.iter().map(|d| d.1).sum();
    out.push_str(&format!("{} days, {} papers.\n\n", days.len(), total));
    out.push_str("| Day | Papers |\n| --- | --- |\n");
    for (day, rows, estimated) in days.iter().rev() {
        let name = day.legacy();
        out.push_str(&format!(
            "| [{name}]({name}/README.md) | {rows}{} |\n",
            if *estimated { " (estimated)" } else { "" }
        ));
    }
    out
}

fn index(
    ctx: &Ctx,
    profile: Option<&str>,
    title: Option<&str>,
    out: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let reader = Reader::open(&ctx.loc)?;
    let profile = reader.profile(profile)?;
    let days = reader.read(|r| {
        let mut days = Vec::new();
        for (day, _) in report::days(r, &profile)? {
            if let Some(rep) = report::find(r, &profile, day)? {
                days.push((day, rep.rows.len(), rep.estimated()));
            }
        }
        Ok(days)
    })?;
    let text = index_markdown(&profile, title.unwrap_or("arXiv Daily Report"), &days);
    match out {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None => {
            let mut o = stdout();
            o.write_all(text.as_bytes())?;
            o.flush()?;
        }
    }
    Ok(if days.is_empty() {
        Outcome::NothingFound
    } else {
        Outcome::Done
    })
}

fn rerun_range(
    ctx: &Ctx,
    profile: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    dry_run: bool,
    json: bool,
) -> anyhow::Result<Outcome> {
    let mut writer = arxiv_daily::ingest::Writer::open(&ctx.loc, ctx.wait)?;
    let profile = writer.profile(profile)?;
    let from = match from {
        Some(d) => Day::parse(d)?,
        None => writer.read().stats()?.first_day.unwrap_or_else(Day::today),
    };
    let to = to.map(Day::parse).transpose()?.unwrap_or_else(Day::today);
    anyhow::ensure!(from <= to, "--from {from} is after --to {to}");
    let bar = super::progress(None, &format!("recomputing {}", profile.name));
    let (days, changed) = writer
        .write(false, |session| {
            arxiv_daily::ingest::rerun_range(session, &profile, from, to, dry_run, |done, all| {
                bar.set_length(all);
                bar.set_position(done);
            })
        })?
        .value;
    bar.finish_and_clear();
    let mut out = stdout();
    for day in &changed {
        if json {
            json_line(&mut out, day)?;
        } else {
            writeln!(
                out,
                "{}  {} rows  +{} -{}",
                day.date,
                day.rows,
                day.added.len(),
                day.removed.len()
            )?;
        }
    }
    let verb = if dry_run { "would change" } else { "changed" };
    eprintln!(
        "arxiv-daily: {}: {days} stored days from {from} to {to}, {} {verb}",
        profile.name,
        changed.len()
    );
    out.flush()?;
    Ok(if days == 0 {
        Outcome::NothingFound
    } else {
        Outcome::Done
    })
}

fn feed(
    ctx: &Ctx,
    profile: Option<&str>,
    days: usize,
    out: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let reader = Reader::open(&ctx.loc)?;
    let profile = reader.profile(profile)?;
    let (xml, any) = reader.read(|r| {
        Ok((
            arxiv_daily::views::profile_feed(r, &profile, days)?,
            !report::days(r, &profile)?.is_empty(),
        ))
    })?;
    match out {
        Some(path) => write_atomic(path, xml.as_bytes())?,
        None => {
            let mut o = stdout();
            o.write_all(xml.as_bytes())?;
            o.flush()?;
        }
    }
    Ok(if any {
        Outcome::Done
    } else {
        Outcome::NothingFound
    })
}
