//! `report show|list|export|rerun`.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::archive::Reader;
use arxiv_daily::config::{Compat, Profile};
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
    /// Write a report repository for every profile: the day folders (as `export`), README.md
    /// (as `index`) and feed.atom (as `feed`), the first profile's in DIR and each other's in
    /// DIR/<profile>/, which the first README links. What a scheduled job runs.
    Publish {
        dir: PathBuf,
        /// A heading other than "arXiv Daily Report" for a README.md that does not exist yet.
        #[arg(long)]
        title: Option<String>,
        /// How many report days (with papers) each feed holds.
        #[arg(long, default_value_t = 14)]
        feed_days: usize,
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
        Command::Publish {
            dir,
            title,
            feed_days,
        } => publish(ctx, &dir, title.as_deref(), feed_days),
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
    let text = render_report(&report, profile.compat(), format, clean);
    let mut out = stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Outcome::Done)
}

fn render_report(report: &Report, compat: Compat, format: Format, clean: bool) -> String {
    match (format, clean) {
        (Format::Md, false) => render::legacy_report_markdown(report, compat),
        (Format::Md, true) => render::clean_markdown(report.day, &report.rows),
        (Format::Csv, _) => render::legacy_report_csv(report, compat),
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
            render_report(&report, profile.compat(), Format::Md, clean).as_bytes(),
        )?;
        write_atomic(
            &folder.join("papers.csv"),
            render::legacy_report_csv(&report, profile.compat()).as_bytes(),
        )?;
        // An estimated day says so in its own folder (README.md keeps the original format, which
        // has no place for a note), and stops saying so once the day's feed replaces it.
        let note = folder.join(ESTIMATED_NOTE);
        if report.estimated() {
            write_atomic(&note, estimated_note(&report).as_bytes())?;
        } else if note.exists() {
            std::fs::remove_file(&note)
                .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", note.display()))?;
        }
        written += 1;
    }
    eprintln!("arxiv-daily: wrote {written} days to {}", dir.display());
    Ok(Outcome::Done)
}

/// The file that marks an exported day folder as estimated.
const ESTIMATED_NOTE: &str = "ESTIMATED.md";

fn estimated_note(report: &Report) -> String {
    format!(
        "# {} is estimated\n\n\
         This day's listing was not read from arXiv's feed of the day: arxiv-daily filed each paper \
         under the day its submission time says it was announced ({}). A paper may be missing \
         or sit on a neighbouring day (holidays move announcements), and titles and abstracts are \
         those of the paper's latest version. The day's feed, when one is stored, replaces this \
         estimate and this file.\n",
        report.day.legacy(),
        report.provenance
    )
}

/// Writes through a temporary file and a rename, so a reader never sees half a file; a file that
/// already holds these bytes is left alone.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    arxiv_daily::files::write_if_changed(path, bytes).map(|_| ())
}

/// The markers around the part of a root README.md that `report index` writes: what is outside
/// them is the maintainer's and is kept.
const INDEX_BEGIN: &str = "<!-- arxiv-daily: begin (written by `arxiv-daily report index`; edit outside these markers) -->";
const INDEX_END: &str = "<!-- arxiv-daily: end -->";

/// The generated part of a root README.md (without markers): the profile, the counts, and
/// the days, newest first. `distinct`: how many different papers the rows are.
pub(crate) fn index_markdown(
    profile: &Profile,
    days: &[(Day, usize, bool)],
    distinct: usize,
) -> String {
    let mut out = format!(
        "Profile `{}`: {}. One folder per announcement day (README.md and papers.csv), newest first; written by arxiv-daily from arXiv's daily listings.\n\n",
        profile.name,
        profile.summary()
    );
    let total: usize = days.iter().map(|d| d.1).sum();
    let empty = days.iter().filter(|d| d.1 == 0).count();
    out.push_str(&format!(
        "{} days ({empty} without a matching paper): {total} rows, {distinct} different papers (a paper listed again, revised or cross-listed, has a row on each of its days).\n\n",
        days.len()
    ));
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
    let title = title.unwrap_or("arXiv Daily Report");
    let (text, any) = reader.read(|r| index_text(r, &profile, &[], title, out))?;
    match out {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None => {
            let mut o = stdout();
            o.write_all(text.as_bytes())?;
            o.flush()?;
        }
    }
    Ok(if any {
        Outcome::Done
    } else {
        Outcome::NothingFound
    })
}

/// The README.md of `profile` (merged into the file at `out`, if any), linking the folders of
/// `others`; and whether the profile has any day.
fn index_text(
    r: &arxiv_daily::archive::Reads<'_>,
    profile: &Profile,
    others: &[&Profile],
    title: &str,
    out: Option<&Path>,
) -> anyhow::Result<(String, bool)> {
    let mut days = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (day, _) in report::days(r, profile)? {
        if let Some(rep) = report::find(r, profile, day)? {
            ids.extend(rep.rows.iter().map(|row| row.id.clone()));
            days.push((day, rep.rows.len(), rep.estimated()));
        }
    }
    let mut generated = String::new();
    if !others.is_empty() {
        generated.push_str("Other profiles:");
        for p in others {
            let f = arxiv_daily::config::folder_name(&p.name);
            generated.push_str(&format!(" [`{}`]({f}/README.md)", p.name));
        }
        generated.push_str(".\n\n");
    }
    generated.push_str(&index_markdown(profile, &days, ids.len()));
    let old = match out.map(std::fs::read_to_string) {
        None => None,
        Some(Ok(text)) => Some(text),
        Some(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
        Some(Err(e)) => anyhow::bail!(
            "cannot read {}: {e}",
            out.unwrap_or(Path::new("")).display()
        ),
    };
    let text = merge_index(old.as_deref(), title, &generated).map_err(|e| match out {
        Some(path) => anyhow::anyhow!("{}: {e}", path.display()),
        None => anyhow::anyhow!("{e}"),
    })?;
    Ok((text, !days.is_empty()))
}

fn publish(
    ctx: &Ctx,
    dir: &Path,
    title: Option<&str>,
    feed_days: usize,
) -> anyhow::Result<Outcome> {
    let reader = Reader::open(&ctx.loc)?;
    let profiles: Vec<Profile> = reader.config().profiles.clone();
    let title = title.unwrap_or("arXiv Daily Report");
    let any = reader.read(|r| {
        let mut any = false;
        for (i, profile) in profiles.iter().enumerate() {
            let at = if i == 0 {
                dir.to_path_buf()
            } else {
                dir.join(arxiv_daily::config::folder_name(&profile.name))
            };
            if export_days(r, &at, profile, false)? == Outcome::NothingFound {
                continue;
            }
            any = true;
            let others: Vec<&Profile> = if i == 0 {
                profiles[1..].iter().collect()
            } else {
                Vec::new()
            };
            let readme = at.join("README.md");
            let heading = if i == 0 {
                title.to_string()
            } else {
                format!("{title}: {}", profile.name)
            };
            let (text, _) = index_text(r, profile, &others, &heading, Some(&readme))?;
            write_atomic(&readme, text.as_bytes())?;
            let feed = arxiv_daily::views::profile_feed(r, profile, feed_days)?;
            write_atomic(&at.join("feed.atom"), feed.as_bytes())?;
        }
        Ok(any)
    })?;
    Ok(if any {
        Outcome::Done
    } else {
        Outcome::NothingFound
    })
}

/// The README.md that holds `generated` between the markers. A new file gets the title above
/// them; a file with the markers keeps everything outside them; a file without them keeps its
/// text and gets the part appended, except one that an earlier arxiv-daily wrote whole (its
/// title line, then the line that says so), which is replaced.
fn merge_index(old: Option<&str>, title: &str, generated: &str) -> Result<String, String> {
    let block = format!("{INDEX_BEGIN}\n{generated}{INDEX_END}\n");
    let Some(old) = old else {
        return Ok(format!("# {title}\n\n{block}"));
    };
    match (old.find(INDEX_BEGIN), old.find(INDEX_END)) {
        (Some(b), Some(e)) if b < e => {
            let after = &old[e + INDEX_END.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            Ok(format!("{}{block}{after}", &old[..b]))
        }
        (None, None) => {
            let whole_ours = old.lines().nth(2).is_some_and(|l| {
                l.starts_with("Profile `") && l.contains("written by arxiv-daily")
            });
            if whole_ours {
                Ok(format!("# {title}\n\n{block}"))
            } else {
                let sep = if old.ends_with("\n\n") || old.is_empty() {
                    ""
                } else if old.ends_with('\n') {
                    "\n"
                } else {
                    "\n\n"
                };
                Ok(format!("{old}{sep}{block}"))
            }
        }
        _ => Err(format!(
            "the markers of the generated part are broken (expected `{INDEX_BEGIN}` before `{INDEX_END}`); mend or remove them"
        )),
    }
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
    // Days imported from the original script's folders hold only the rows its profile kept:
    // say so, and how to get their whole listings, rather than leave them out in silence.
    let legacy: Vec<Day> = {
        let reads = writer.read();
        let mut out: Vec<Day> = Vec::new();
        for r in reads.report_summaries(None)? {
            if r.provenance == arxiv_daily::model::Provenance::Legacy
                && r.date >= from
                && r.date <= to
                && !out.contains(&r.date)
                && report::compute(&reads, &profile, r.date)?.is_none()
            {
                out.push(r.date);
            }
        }
        out.sort();
        out
    };
    if let (Some(first), Some(last)) = (legacy.first(), legacy.last()) {
        eprintln!(
            "arxiv-daily: {} imported days from {first} to {last} hold only the rows the original report kept, so they cannot be recomputed; `arxiv-daily backfill --from {first} --to {last}` stores their whole listings (estimated), then rerun",
            legacy.len()
        );
    }
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

#[cfg(test)]
mod tests {
    use super::{INDEX_BEGIN, INDEX_END, merge_index};

    #[test]
    fn the_generated_part_of_a_readme_leaves_the_maintainers_text_alone() {
        // A new file: the title, then the part between the markers.
        let new = merge_index(None, "Reports", "| a |\n").unwrap();
        assert_eq!(
            new,
            format!("# Reports\n\n{INDEX_BEGIN}\n| a |\n{INDEX_END}\n")
        );
        // Text around the markers stays; only the inside changes.
        let mine = format!("# Mine\n\nIntro.\n\n{INDEX_BEGIN}\nold\n{INDEX_END}\nFooter.\n");
        assert_eq!(
            merge_index(Some(&mine), "Reports", "new\n").unwrap(),
            format!("# Mine\n\nIntro.\n\n{INDEX_BEGIN}\nnew\n{INDEX_END}\nFooter.\n")
        );
        // A README without markers keeps its text and gets the part appended, once.
        let hand = "# Mine\n\nIntro.";
        let once = merge_index(Some(hand), "Reports", "x\n").unwrap();
        assert_eq!(
            once,
            format!("# Mine\n\nIntro.\n\n{INDEX_BEGIN}\nx\n{INDEX_END}\n")
        );
        assert_eq!(merge_index(Some(&once), "Reports", "x\n").unwrap(), once);
        // A whole README an older arxiv-daily wrote is replaced.
        let old = "# arXiv Daily Report\n\nProfile `default`: cs.IR. One folder per day; written by arxiv-daily from arXiv's daily listings.\n\n3 days, 4 papers.\n";
        assert_eq!(
            merge_index(Some(old), "arXiv Daily Report", "y\n").unwrap(),
            format!("# arXiv Daily Report\n\n{INDEX_BEGIN}\ny\n{INDEX_END}\n")
        );
        // Markers out of order are an error, not a guess.
        let broken = format!("{INDEX_END}\n{INDEX_BEGIN}\n");
        assert!(merge_index(Some(&broken), "R", "z\n").is_err());
    }
}
