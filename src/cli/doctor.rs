//! `doctor`: check that SQLite is sound and that the index matches it; `--repair` fixes the index.

use std::collections::HashMap;
use std::io::Write;

use super::{Ctx, Outcome, json_line, stdout};
use crate::ingest::Archive;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Bring the index up to date, rebuilding it from SQLite if it is inconsistent.
    #[arg(long)]
    repair: bool,
    /// One JSON object: ok, problems, repaired.
    #[arg(long)]
    json: bool,
}

/// Problems found; the second list is the index's (repairable) ones.
fn check(archive: &Archive) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let reads = archive.store.read();
    let mut store_problems = archive.store.integrity_problems()?;
    store_problems.extend(reads.foreign_key_problems()?);
    let papers = reads.paper_ids()?;
    let mut index_problems = Vec::new();
    match archive.index()? {
        None if papers.is_empty() => {}
        None => index_problems.push("the search index is missing".to_string()),
        Some(index) => {
            let ((indexed, layout), seq) = (index.payload()?, reads.write_seq()?);
            if indexed < seq {
                index_problems.push(format!(
                    "the index reflects write batch {indexed}, the archive is at {seq}"
                ));
            }
            if layout != crate::index::LAYOUT {
                index_problems.push(format!(
                    "the index has document layout {layout}; this arxiv-daily writes layout {}",
                    crate::index::LAYOUT
                ));
            }
            let mut counts: HashMap<String, u32> = HashMap::new();
            for id in index.all_ids()? {
                *counts.entry(id).or_default() += 1;
            }
            let dup = counts.values().filter(|n| **n > 1).count();
            if dup > 0 {
                index_problems.push(format!("{dup} papers are in the index more than once"));
            }
            let missing = papers.iter().filter(|p| !counts.contains_key(*p)).count();
            if missing > 0 {
                index_problems.push(format!("{missing} papers are missing from the index"));
            }
            let unknown = counts.len() + missing - papers.len();
            if unknown > 0 {
                index_problems.push(format!("{unknown} indexed papers are not in the archive"));
            }
        }
    }
    Ok((store_problems, index_problems))
}

pub fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let mut archive = if a.repair {
        Archive::open_write(&ctx.loc, ctx.wait)?
    } else {
        Archive::open_read(&ctx.loc)?
    };
    let (store_problems, mut index_problems) = check(&archive)?;
    let mut repaired = Vec::new();
    if a.repair && !index_problems.is_empty() {
        let only_behind = index_problems
            .iter()
            .all(|p| p.starts_with("the index reflects"));
        if only_behind {
            let n = archive.sync_index(false)?;
            repaired.push(format!("caught the index up ({n} papers)"));
        }
        if !only_behind || !check(&archive)?.1.is_empty() {
            let n = archive.rebuild_index()?;
            repaired.push(format!("rebuilt the index from SQLite ({n} papers)"));
        }
        index_problems = check(&archive)?.1;
    }
    let problems: Vec<String> = store_problems.into_iter().chain(index_problems).collect();
    let mut out = stdout();
    if a.json {
        json_line(
            &mut out,
            &serde_json::json!({"ok": problems.is_empty(), "problems": problems, "repaired": repaired}),
        )?;
    } else {
        for r in &repaired {
            writeln!(out, "repaired: {r}")?;
        }
        for p in &problems {
            writeln!(out, "problem: {p}")?;
        }
        if problems.is_empty() {
            writeln!(out, "ok: the archive and its index are consistent")?;
        }
    }
    out.flush()?;
    if !problems.is_empty() {
        anyhow::bail!(
            "{} problems found{}",
            problems.len(),
            if a.repair {
                ""
            } else {
                "; run `arxiv-daily doctor --repair`"
            }
        );
    }
    Ok(Outcome::Done)
}
