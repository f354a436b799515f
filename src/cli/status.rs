//! `status`: the completeness ledger per category.

use std::io::Write;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::archive::Reader;
use arxiv_daily::model::Day;

/// Which announcement days are stored, empty, missing or repeated, per category.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// First day to consider [default: the first stored feed].
    #[arg(long)]
    from: Option<String>,
    /// Last day to consider [default: the last stored feed].
    #[arg(long)]
    to: Option<String>,
    /// One JSON object per category.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let from = a.from.as_deref().map(Day::parse).transpose()?;
    let to = a.to.as_deref().map(Day::parse).transpose()?;
    let reader = Reader::open(&ctx.loc)?;
    let categories = reader.config().categories();
    let ledger = reader.read(|r| arxiv_daily::views::status(r, categories, from, to))?;
    let any = ledger.iter().any(|s| !s.ingested.is_empty());
    let mut out = stdout();
    for status in &ledger {
        if a.json {
            json_line(&mut out, status)?;
        } else {
            writeln!(
                out,
                "{}: {} days ingested from {} to {}, {} empty, {} missing, {} repeated",
                status.category,
                status.ingested.len(),
                status
                    .from
                    .map_or_else(|| "-".to_string(), |d| d.to_string()),
                status.to.map_or_else(|| "-".to_string(), |d| d.to_string()),
                status.empty.len(),
                status.missing.len(),
                status.repeated.len()
            )?;
            for f in &status.ingested {
                writeln!(
                    out,
                    "  {}  {:>4} items  built {}",
                    f.date,
                    f.items,
                    f.build_time.as_deref().unwrap_or("-")
                )?;
            }
            for d in &status.missing {
                writeln!(
                    out,
                    "  {d}  missing (no feed stored; a holiday, or run `arxiv-daily ingest --feed-file`)"
                )?;
            }
            for r in &status.repeated {
                writeln!(out, "  {}  repeated the batch of {}", r.date, r.same_as)?;
            }
        }
    }
    out.flush()?;
    Ok(if any {
        Outcome::Done
    } else {
        Outcome::NothingFound
    })
}
