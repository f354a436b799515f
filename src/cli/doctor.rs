//! `doctor`: check that SQLite is sound and that the index matches it; `--repair` fixes the index
//! and the archive's bookkeeping. It also lists the OAI records that harvests could not read.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use super::{Ctx, Outcome, json_line, stdout};
use crate::archive::Archive;
use crate::index::IndexError;
use crate::store::{RejectedRecord, StoreError};

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Bring the index up to date, rebuilding it from SQLite if it is inconsistent, and rewrite
    /// bookkeeping that does not parse.
    #[arg(long)]
    repair: bool,
    /// One JSON object: ok, problems, repaired, rejected.
    #[arg(long)]
    json: bool,
}

/// What can be wrong. Repair decides by variant.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// SQLite's integrity or foreign-key check complained: not repairable here.
    Database(String),
    /// `meta.write_seq` does not parse.
    WriteSeq(String),
    IndexMissing,
    /// The index's commit payload does not parse.
    IndexPayload(String),
    IndexBehind {
        indexed: i64,
        seq: i64,
    },
    IndexLayout(u32),
    Duplicates(usize),
    Missing(usize),
    Unknown(usize),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Database(m) => write!(f, "{m}"),
            Problem::WriteSeq(v) => write!(
                f,
                "the archive's write-batch counter (meta.write_seq) is {v:?}, not a number"
            ),
            Problem::IndexMissing => write!(f, "the search index is missing"),
            Problem::IndexPayload(m) => write!(f, "{m}"),
            Problem::IndexBehind { indexed, seq } => write!(
                f,
                "the index reflects write batch {indexed}, the archive is at {seq}"
            ),
            Problem::IndexLayout(l) => write!(
                f,
                "the index has document layout {l}; this arxiv-daily writes layout {}",
                crate::index::LAYOUT
            ),
            Problem::Duplicates(n) => write!(f, "{n} papers are in the index more than once"),
            Problem::Missing(n) => write!(f, "{n} papers are missing from the index"),
            Problem::Unknown(n) => write!(f, "{n} indexed papers are not in the archive"),
        }
    }
}

/// `doctor --json`.
#[derive(Debug, Serialize)]
pub(super) struct DoctorReport {
    pub ok: bool,
    pub problems: Vec<String>,
    pub repaired: Vec<String>,
    /// OAI records that could not be read (`backfill --retry-rejected` reads them again).
    pub rejected: Vec<RejectedRecord>,
}

fn check(archive: &Archive) -> anyhow::Result<Vec<Problem>> {
    let reads = archive.store.read();
    let mut problems: Vec<Problem> = archive
        .store
        .integrity_problems()?
        .into_iter()
        .chain(reads.foreign_key_problems()?)
        .map(Problem::Database)
        .collect();
    let seq = match reads.write_seq() {
        Ok(seq) => Some(seq),
        Err(StoreError::WriteSeq(v)) => {
            problems.push(Problem::WriteSeq(v));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let papers = reads.paper_ids()?;
    let index = match archive.index() {
        Ok(index) => index,
        Err(e)
            if e.downcast_ref::<IndexError>()
                .is_some_and(|e| matches!(e, IndexError::OldLayout { .. })) =>
        {
            problems.push(Problem::IndexLayout(2));
            return Ok(problems);
        }
        Err(e) => return Err(e),
    };
    match index {
        None if papers.is_empty() => {}
        None => problems.push(Problem::IndexMissing),
        Some(index) => {
            match index.payload() {
                Ok((indexed, layout)) => {
                    if let Some(seq) = seq.filter(|s| indexed < *s) {
                        problems.push(Problem::IndexBehind { indexed, seq });
                    }
                    if layout != crate::index::LAYOUT {
                        problems.push(Problem::IndexLayout(layout));
                    }
                }
                Err(e @ IndexError::Payload { .. }) => {
                    problems.push(Problem::IndexPayload(e.to_string()))
                }
                Err(e) => return Err(e.into()),
            }
            let mut counts: HashMap<String, u32> = HashMap::new();
            for id in index.all_ids()? {
                *counts.entry(id).or_default() += 1;
            }
            let dup = counts.values().filter(|n| **n > 1).count();
            if dup > 0 {
                problems.push(Problem::Duplicates(dup));
            }
            let missing = papers.iter().filter(|p| !counts.contains_key(*p)).count();
            if missing > 0 {
                problems.push(Problem::Missing(missing));
            }
            let unknown = counts.len() + missing - papers.len();
            if unknown > 0 {
                problems.push(Problem::Unknown(unknown));
            }
        }
    }
    Ok(problems)
}

/// Fixes what can be fixed: the counter first (the index is compared with it), then the index,
/// caught up when it is only behind, else rebuilt from SQLite.
fn repair(archive: &mut Archive, problems: &[Problem]) -> anyhow::Result<Vec<String>> {
    let mut repaired = Vec::new();
    if problems.iter().any(|p| matches!(p, Problem::WriteSeq(_))) {
        let seq = archive.store.repair_write_seq()?;
        repaired.push(format!("rewrote the write-batch counter as {seq}"));
    }
    // A rewritten counter may be lower than the one the index last saw, so the index is then
    // rebuilt too (its payload becomes the new counter).
    let index_problems: Vec<&Problem> = problems
        .iter()
        .filter(|p| !matches!(p, Problem::Database(_)))
        .collect();
    if index_problems.is_empty() {
        return Ok(repaired);
    }
    let only_behind = index_problems
        .iter()
        .all(|p| matches!(p, Problem::IndexBehind { .. }));
    if only_behind {
        let n = archive.sync_index(false)?;
        repaired.push(format!("caught the index up ({n} papers)"));
    }
    if !only_behind
        || check(archive)?
            .iter()
            .any(|p| !matches!(p, Problem::Database(_)))
    {
        let n = archive.rebuild_index()?;
        repaired.push(format!("rebuilt the index from SQLite ({n} papers)"));
    }
    Ok(repaired)
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let mut archive = if a.repair {
        Archive::open_write(&ctx.loc, ctx.wait)?
    } else {
        Archive::open_read(&ctx.loc)?
    };
    let mut problems = check(&archive)?;
    let mut repaired = Vec::new();
    if a.repair && !problems.is_empty() {
        repaired = repair(&mut archive, &problems)?;
        problems = check(&archive)?;
    }
    let rejected = archive.store.read().rejected_records()?;
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let mut out = stdout();
    if a.json {
        json_line(
            &mut out,
            &DoctorReport {
                ok: problems.is_empty(),
                problems: problems.clone(),
                repaired,
                rejected,
            },
        )?;
    } else {
        for r in &repaired {
            writeln!(out, "repaired: {r}")?;
        }
        for p in &problems {
            writeln!(out, "problem: {p}")?;
        }
        for r in &rejected {
            writeln!(
                out,
                "rejected: {} ({}), from {} at {}",
                r.identifier, r.reason, r.source, r.rejected_at
            )?;
        }
        if !rejected.is_empty() {
            writeln!(
                out,
                "note: {} OAI records could not be read; `arxiv-daily backfill --retry-rejected` reads them again",
                rejected.len()
            )?;
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
