//! `show ID` and `stats`.

use std::io::Write;

use super::{Ctx, Outcome, json_line, stdout};
use crate::archive::Archive;
use crate::model::ArxivId;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// An arXiv id (2509.16442, 2509.16442v2, math/0309136).
    id: String,
    /// One JSON object: id, first_announced, snapshots, listings, similar.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// text, json or bibtex (the citation as arXiv's "Export BibTeX citation" writes it).
    #[arg(long, value_enum, default_value = "text")]
    format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ShowFormat {
    Text,
    Json,
    Bibtex,
}

#[derive(Debug, clap::Args)]
pub(super) struct StatsArgs {
    /// One JSON object: papers, snapshots, listings, reports, feeds, first_day, last_day.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let id = ArxivId::parse(&a.id)?;
    let archive = Archive::open_read(&ctx.loc)?;
    let Some(paper) = archive.store.read().paper(&id)? else {
        eprintln!("arxiv-daily: {id} is not in the archive");
        return Ok(Outcome::NothingFound);
    };
    let mut out = stdout();
    if a.format == ShowFormat::Bibtex {
        if let Some(entry) = crate::bibtex::entry(&paper) {
            out.write_all(entry.as_bytes())?;
        }
    } else if a.json || a.format == ShowFormat::Json {
        let similar = most_similar(ctx, &archive, &id)?;
        json_line(&mut out, &crate::views::PaperWithSimilar { paper, similar })?;
    } else {
        writeln!(out, "{}  https://arxiv.org/abs/{}", paper.id, paper.id)?;
        writeln!(
            out,
            "first announced: {}",
            paper.first_announced.as_deref().unwrap_or("-")
        )?;
        for (i, s) in paper.snapshots.iter().enumerate() {
            let version = s
                .version
                .map(|v| format!("v{v}"))
                .unwrap_or_else(|| "v?".into());
            writeln!(
                out,
                "\nsnapshot {} ({version}, first seen {})",
                i + 1,
                s.first_seen
            )?;
            writeln!(out, "  title:      {}", s.title)?;
            writeln!(out, "  authors:    {}", s.authors)?;
            if !s.categories.is_empty() {
                writeln!(out, "  categories: {}", s.categories.join(" "))?;
            }
            for (label, value) in [
                ("doi", &s.doi),
                ("journal", &s.journal_ref),
                ("license", &s.license),
                ("submitted", &s.submitted),
            ] {
                if let Some(v) = value {
                    writeln!(out, "  {label:<11} {v}")?;
                }
            }
            writeln!(
                out,
                "  abstract:   {}",
                s.abstract_text.replace('\n', "\n              ")
            )?;
        }
        writeln!(out, "\nlisted:")?;
        for l in &paper.listings {
            writeln!(
                out,
                "  {}  {:<8} {:<15} #{:<4} {:<13} snapshot {}",
                l.date,
                l.category,
                l.provenance.as_str(),
                l.position + 1,
                l.announce_type.map_or("-", |t| t.as_str()),
                l.snapshot + 1
            )?;
        }
        let similar = most_similar(ctx, &archive, &id)?;
        if !similar.is_empty() {
            writeln!(out, "\nsimilar:")?;
            for h in &similar {
                writeln!(
                    out,
                    "  {}  {}  ({})",
                    h.id,
                    crate::source::unwrap_text(&h.title),
                    h.why.join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}

pub(super) fn stats(ctx: &Ctx, a: StatsArgs) -> anyhow::Result<Outcome> {
    let archive = Archive::open_read(&ctx.loc)?;
    let s = archive.store.read().stats()?;
    let mut out = stdout();
    if a.json {
        json_line(&mut out, &s)?;
    } else {
        writeln!(out, "papers     {}", s.papers)?;
        writeln!(out, "snapshots  {}", s.snapshots)?;
        writeln!(out, "listings   {}", s.listings)?;
        writeln!(out, "reports    {}", s.reports)?;
        writeln!(out, "feeds      {}", s.feeds)?;
        writeln!(out, "first day  {}", s.first_day.as_deref().unwrap_or("-"))?;
        writeln!(out, "last day   {}", s.last_day.as_deref().unwrap_or("-"))?;
    }
    out.flush()?;
    Ok(Outcome::Done)
}

/// The five papers most like `id` (none when the archive has no index yet).
fn most_similar(
    ctx: &Ctx,
    archive: &Archive,
    id: &ArxivId,
) -> anyhow::Result<Vec<crate::views::SimilarHit>> {
    let Some(index) = crate::index::SearchIndex::open_existing(&ctx.loc.index_dir())? else {
        return Ok(Vec::new());
    };
    let req = crate::index::query::SearchRequest {
        limit: 5,
        ..Default::default()
    };
    Ok(crate::views::similar(&archive.store.read(), &index, id, &req)?.unwrap_or_default())
}
