//! `doctor`: check that SQLite is sound and that the index matches it; `--repair` fixes the index
//! and the archive's bookkeeping. It also lists the OAI records that harvests could not read.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::archive::Reader;
use arxiv_daily::index::{IndexError, SearchIndex};
use arxiv_daily::ingest::Writer;
use arxiv_daily::store::{Reads, StoreError};

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
                arxiv_daily::index::LAYOUT
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
    pub rejected: Vec<arxiv_daily::views::Rejected>,
    /// Each embedding model's vectors (derived data, like the index): how many, and how many
    /// papers lack one (`embed` fills them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vectors: Vec<arxiv_daily::embed::VectorStatus>,
}

/// The problems of the archive as `reads` sees it and of its index (as `index` opened).
fn check(
    reads: &Reads<'_>,
    index: arxiv_daily::index::Result<Option<SearchIndex>>,
) -> anyhow::Result<Vec<Problem>> {
    let mut problems: Vec<Problem> = reads
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
    let index = match index {
        Ok(index) => index,
        Err(IndexError::OldLayout { .. }) => {
            problems.push(Problem::IndexLayout(2));
            return Ok(problems);
        }
        Err(e) => return Err(e.into()),
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
                    if layout != arxiv_daily::index::LAYOUT {
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
fn repair(writer: &mut Writer, problems: &[Problem]) -> anyhow::Result<Vec<String>> {
    let mut repaired = Vec::new();
    if problems.iter().any(|p| matches!(p, Problem::WriteSeq(_))) {
        let seq = writer.repair_write_seq()?;
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
        let n = writer.catch_up_index()?;
        repaired.push(format!("caught the index up ({n} papers)"));
    }
    if !only_behind
        || check(&writer.read(), writer.index())?
            .iter()
            .any(|p| !matches!(p, Problem::Database(_)))
    {
        let n = writer.rebuild_index()?;
        repaired.push(format!("rebuilt the index from SQLite ({n} papers)"));
    }
    Ok(repaired)
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let (problems, repaired, rejected) = if a.repair {
        let mut writer = Writer::open(&ctx.loc, ctx.wait)?;
        let mut problems = check(&writer.read(), writer.index())?;
        let mut repaired = Vec::new();
        if !problems.is_empty() {
            repaired = repair(&mut writer, &problems)?;
            problems = check(&writer.read(), writer.index())?;
        }
        let rejected = writer.read().rejected_records()?;
        (problems, repaired, rejected)
    } else {
        let reader = Reader::open(&ctx.loc)?;
        reader.read(|r| {
            Ok((
                check(r, reader.open_index())?,
                Vec::new(),
                r.rejected_records()?,
            ))
        })?
    };
    let vectors = arxiv_daily::embed::status(&Reader::open(&ctx.loc)?)?;
    // SQLite's own complaints are the one kind that `--repair` cannot fix.
    let damaged = problems.iter().any(|p| matches!(p, Problem::Database(_)));
    let fixable = problems.iter().any(|p| !matches!(p, Problem::Database(_)));
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let mut out = stdout();
    if a.json {
        json_line(
            &mut out,
            &DoctorReport {
                ok: problems.is_empty(),
                problems: problems.clone(),
                repaired,
                rejected: rejected.iter().map(Into::into).collect(),
                vectors,
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
        for v in &vectors {
            writeln!(
                out,
                "vectors: {} of {} ({} papers lack one{})",
                v.vectors,
                v.model,
                v.missing,
                if v.missing > 0 {
                    ": `arxiv-daily embed` fills them"
                } else {
                    ""
                }
            )?;
        }
        if problems.is_empty() {
            writeln!(out, "ok: the archive and its index are consistent")?;
        }
    }
    out.flush()?;
    if !problems.is_empty() {
        let mut hints = Vec::new();
        if fixable && !a.repair {
            hints.push("run `arxiv-daily doctor --repair` to fix the index and its bookkeeping");
        }
        if damaged {
            hints.push(
                "SQLite reports damage to the database itself, which `--repair` cannot fix: restore arxiv-daily.sqlite3 from a backup, or copy out what it holds with `sqlite3 arxiv-daily.sqlite3 .recover | sqlite3 recovered.sqlite3`, put recovered.sqlite3 in its place, then run `arxiv-daily doctor --repair` to rebuild the index",
            );
        }
        anyhow::bail!(
            "{} problems found{}",
            problems.len(),
            hints.iter().map(|h| format!("; {h}")).collect::<String>()
        );
    }
    Ok(Outcome::Done)
}
