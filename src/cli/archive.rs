//! `archive export DIR` and `archive import DIR`: the archive as text (JSON lines, one file per
//! announcement day), for a git repository, a backup, or another machine.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Outcome, progress};
use arxiv_daily::archive::Reader;
use arxiv_daily::ingest::Writer;

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Write the whole archive as text into DIR: DIR/days/YYYY/YYYY-MM-DD.jsonl per announcement
    /// day, DIR/manifest.json, the rejected records, the harvest checkpoints and the config.
    /// Incremental: only files whose bytes changed are written.
    Export {
        dir: PathBuf,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Read a text archive (written by `archive export`) into the archive. Into an empty data
    /// folder it rebuilds the archive that was exported (and takes its config when the folder has
    /// none); into another it merges. Idempotent; one transaction per day.
    Import {
        dir: PathBuf,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<Outcome> {
    match cmd {
        Command::Export { dir, json } => {
            let reader = Reader::open(&ctx.loc)?;
            let bar = progress(None, "exporting days");
            let config = ctx.loc.config_path();
            let summary =
                arxiv_daily::textarchive::export(&reader, Some(&config), &dir, |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })?;
            bar.finish_and_clear();
            let mut out = super::stdout();
            if json {
                super::json_line(&mut out, &summary)?;
            } else {
                use std::io::Write;
                writeln!(
                    out,
                    "{} days: {} files written, {} unchanged, {} removed; {:.1} MB of text in {}, in {:.1}s",
                    summary.days,
                    summary.written,
                    summary.unchanged,
                    summary.removed,
                    summary.bytes as f64 / 1e6,
                    dir.display(),
                    summary.seconds
                )?;
            }
            use std::io::Write;
            out.flush()?;
            Ok(Outcome::Done)
        }
        Command::Import { dir, json } => {
            // Not a text archive, or one that lists a path outside its folder, a link, a
            // missing file: say so before anything is created.
            let manifest = arxiv_daily::textarchive::Manifest::read(&dir)?;
            // Before the writer writes the default config.
            arxiv_daily::textarchive::adopt_config(&ctx.loc, &dir, &manifest)?;
            let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
            let bar = progress(None, "importing days");
            let written = writer.write(true, |archive| {
                arxiv_daily::ingest::import_text(archive, &dir, &manifest, |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
            })?;
            bar.finish_and_clear();
            let (summary, indexed) = (written.value, written.indexed);
            let indexed = indexed + summary.indexed;
            super::print_summary(
                json,
                &summary,
                indexed,
                format!(
                    "{} days: {} unchanged; {} new papers, {} new snapshots, {} listings changed, {} new reports, {} updated; {} papers indexed, in {:.1}s",
                    summary.days,
                    summary.unchanged,
                    summary.stats.new_papers,
                    summary.stats.new_snapshots,
                    summary.stats.listings_changed,
                    summary.stats.reports_new,
                    summary.stats.reports_updated,
                    indexed,
                    summary.seconds
                ),
            )?;
            Ok(Outcome::Done)
        }
    }
}
