//! `status`: the completeness ledger per category.

use std::io::Write;

use serde::Serialize;

use super::{Ctx, Outcome, json_line, stdout};
use crate::archive::Archive;
use crate::model::Day;
use crate::store::FeedRecord;

/// Which announcement days are stored, empty, missing or repeated, per category.
#[derive(Debug, clap::Args)]
pub struct Args {
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

#[derive(Debug, Serialize)]
struct CategoryStatus {
    category: String,
    from: Option<String>,
    to: Option<String>,
    ingested: Vec<FeedRecord>,
    empty: Vec<String>,
    /// Weekdays (feed days are Monday to Friday) with no stored feed: not ingested, or holidays.
    missing: Vec<String>,
    repeated: Vec<serde_json::Value>,
}

pub fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let from = a.from.as_deref().map(Day::parse).transpose()?;
    let to = a.to.as_deref().map(Day::parse).transpose()?;
    let archive = Archive::open_read(&ctx.loc)?;
    let reads = archive.store.read();
    let feeds = reads.feeds(from, to)?;
    let repeats = reads.repeats(from, to)?;
    let mut categories = archive.config.categories();
    for f in &feeds {
        if !categories.contains(&f.category) {
            categories.push(f.category.clone());
        }
    }
    let mut out = stdout();
    let mut any = false;
    for category in categories {
        let ingested: Vec<FeedRecord> = feeds
            .iter()
            .filter(|f| f.category == category)
            .cloned()
            .collect();
        let reps: Vec<&(String, String, String)> =
            repeats.iter().filter(|r| r.1 == category).collect();
        let first = from.or_else(|| ingested.first().and_then(|f| Day::parse(&f.date).ok()));
        let last = to.or_else(|| ingested.last().and_then(|f| Day::parse(&f.date).ok()));
        let mut missing = Vec::new();
        if let (Some(first), Some(last)) = (first, last) {
            let mut d = first;
            while d <= last {
                let date = d.to_string();
                if d.weekday_number() <= 5
                    && !ingested.iter().any(|f| f.date == date)
                    && !reps.iter().any(|r| r.0 == date)
                {
                    missing.push(date);
                }
                d = d.succ();
            }
        }
        any |= !ingested.is_empty();
        let status = CategoryStatus {
            category: category.clone(),
            from: first.map(|d| d.to_string()),
            to: last.map(|d| d.to_string()),
            empty: ingested
                .iter()
                .filter(|f| f.items == 0)
                .map(|f| f.date.clone())
                .collect(),
            ingested,
            missing,
            repeated: reps
                .iter()
                .map(|r| serde_json::json!({"date": r.0, "same_as": r.2}))
                .collect(),
        };
        if a.json {
            json_line(&mut out, &status)?;
        } else {
            writeln!(
                out,
                "{}: {} days ingested from {} to {}, {} empty, {} missing, {} repeated",
                status.category,
                status.ingested.len(),
                status.from.as_deref().unwrap_or("-"),
                status.to.as_deref().unwrap_or("-"),
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
                writeln!(
                    out,
                    "  {}  repeated the batch of {}",
                    r["date"].as_str().unwrap_or(""),
                    r["same_as"].as_str().unwrap_or("")
                )?;
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
