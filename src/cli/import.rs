//! `import legacy` (report folders) and `import kaggle` (the Kaggle metadata snapshot).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Ctx, Outcome, progress};
use arxiv_daily::config::{Compat, Profile};
use arxiv_daily::ingest::Writer;

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Import report folders of the original script: a folder of DD-Mon-YYYY day folders, one day
    /// folder, or one README.md (papers.csv beside it is read too; README.md wins).
    Legacy {
        /// Folders or files to import.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The profile these reports belong to [default: `default`, else the config's first].
        #[arg(long)]
        profile: Option<String>,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Import the Kaggle arXiv metadata snapshot (JSON lines, optionally .gz). Versions are filed
    /// under their estimated listing days.
    Kaggle {
        file: PathBuf,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<Outcome> {
    match cmd {
        Command::Kaggle { file, json } => {
            let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
            let size = std::fs::metadata(&file).map(|m| m.len()).ok();
            let bar = progress(size, "importing");
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            let written = writer.write(true, |archive| {
                arxiv_daily::ingest::backfill::import_kaggle(archive, &file, |n| {
                    bar.set_position(n)
                })
            })?;
            bar.finish_and_clear();
            let (summary, indexed) = (written.value, written.indexed);
            for e in &summary.errors {
                eprintln!("arxiv-daily: skipped: {e}");
            }
            super::print_summary(
                json,
                &summary,
                indexed,
                format!(
                    "{} lines, {} records ({} malformed, skipped): {} new papers, {} new snapshots, {} listings changed, in {:.1}s",
                    summary.lines,
                    summary.records,
                    summary.malformed,
                    summary.stats.new_papers,
                    summary.stats.new_snapshots,
                    summary.stats.listings_changed,
                    summary.seconds
                ),
            )?;
            drop(writer);
            super::embed::after_write(ctx, json, arxiv_daily::embed::Selection::default());
            Ok(Outcome::Done)
        }
        Command::Legacy {
            paths,
            profile,
            json,
        } => {
            // A new archive that starts from the original script's reports continues them: its
            // config is written with `compat = "feedparser"` (an existing one is never changed).
            let mut writer = Writer::open_with_config(
                &ctx.loc,
                ctx.wait,
                &arxiv_daily::config::legacy_config(),
            )?;
            let profile = writer.profile(profile.as_deref())?;
            compat_notice(&ctx.loc.config_path(), writer.wrote_config(), &profile);
            let bar = progress(None, "importing");
            let written = writer.write(false, |archive| {
                arxiv_daily::ingest::import_legacy(archive, &paths, &profile, |n| {
                    bar.set_position(n)
                })
            })?;
            bar.finish_and_clear();
            let (summary, indexed) = (written.value, written.indexed);
            for w in &summary.warnings {
                eprintln!("arxiv-daily: warning: {w}");
            }
            for e in &summary.errors {
                eprintln!("arxiv-daily: error: {e}");
            }
            super::print_summary(
                json,
                &summary,
                indexed,
                format!(
                    "{} files, {} rows: {} new papers, {} new snapshots, {} new reports, {} updated, {} unchanged, {} failed",
                    summary.files,
                    summary.rows,
                    summary.stats.new_papers,
                    summary.stats.new_snapshots,
                    summary.stats.reports_new,
                    summary.stats.reports_updated,
                    summary.unchanged,
                    summary.failed
                ),
            )?;
            drop(writer);
            super::embed::after_write(ctx, json, arxiv_daily::embed::Selection::default());
            if summary.failed > 0 {
                anyhow::bail!(
                    "{} of {} files failed to import (nothing of them was stored)",
                    summary.failed,
                    summary.files
                );
            }
            Ok(Outcome::Done)
        }
    }
}

/// Says how the profile will show days fetched from arXiv after these imported ones: the
/// original script wrote feedparser's text (`Q&amp;A`, `<EOS>` dropped), so a profile that
/// continues its reports wants `compat = "feedparser"`. A config this run wrote has it; an
/// existing one that does not set `compat` gets a hint, not an edit (`compat = "none"` is a
/// choice, and silences it).
fn compat_notice(config: &Path, wrote: Option<&Path>, profile: &Profile) {
    match (wrote, profile.compat) {
        (Some(path), Some(Compat::Feedparser)) => eprintln!(
            "arxiv-daily: wrote {} with compat = \"feedparser\" in profile {:?}: days fetched from arXiv \
             will be written as the original script wrote them (through Python's feedparser: Q&amp;A, \
             <EOS> dropped); set compat = \"none\" there for arXiv's text",
            path.display(),
            profile.name
        ),
        (_, None) => eprintln!(
            "arxiv-daily: note: profile {:?} in {} has no compat = \"feedparser\": days fetched from \
             arXiv will show arXiv's text (Q&A), where the original script wrote feedparser's \
             (Q&amp;A); add the line to that profile to continue these reports byte for byte",
            profile.name,
            config.display()
        ),
        // The file chose: feedparser's bytes, or deliberately arXiv's text.
        (_, Some(_)) => {}
    }
}
