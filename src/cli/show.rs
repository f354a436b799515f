//! `show ID` and `stats`.

use std::io::Write;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::archive::Reader;
use arxiv_daily::model::ArxivId;

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
    let reader = Reader::open(&ctx.loc)?.with_index(false)?;
    let meaning = super::search::vectors_of(ctx, &reader, None)?
        .map(|v| v.matrix())
        .transpose()?;
    reader.read(|r| show(r, reader.index_if_open(), &id, &a, meaning.as_ref()))
}

/// The paper, as text, JSON or BibTeX; its similar papers with an index.
fn show(
    r: &arxiv_daily::archive::Reads<'_>,
    index: Option<&arxiv_daily::index::SearchIndex>,
    id: &ArxivId,
    a: &Args,
    meaning: Option<&arxiv_daily::embed::vectors::Matrix>,
) -> anyhow::Result<Outcome> {
    let mut out = stdout();
    if a.json || a.format == ShowFormat::Json {
        let Some(shown) = arxiv_daily::views::paper_with_similar(r, index, id, meaning)? else {
            return not_found(id);
        };
        json_line(&mut out, &shown)?;
        out.flush()?;
        return Ok(Outcome::Done);
    }
    let Some(paper) = r.paper(id)? else {
        return not_found(id);
    };
    if a.format == ShowFormat::Bibtex {
        if let Some(entry) = arxiv_daily::bibtex::entry(&paper) {
            out.write_all(entry.as_bytes())?;
        }
    } else {
        writeln!(out, "{}  https://arxiv.org/abs/{}", paper.id, paper.id)?;
        writeln!(
            out,
            "first announced: {}",
            paper
                .first_announced
                .map_or_else(|| "-".to_string(), |d| d.to_string())
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
        let similar = match index {
            Some(index) => {
                arxiv_daily::views::similar_by(r, index, id, &arxiv_daily::views::five(), meaning)?
            }
            None => None,
        };
        let similar = similar.unwrap_or_default();
        if !similar.is_empty() {
            writeln!(out, "\nsimilar:")?;
            for h in &similar {
                writeln!(
                    out,
                    "  {}  {}  ({})",
                    h.id,
                    arxiv_daily::source::unwrap_text(&h.title),
                    h.why.join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}

fn not_found(id: &ArxivId) -> anyhow::Result<Outcome> {
    eprintln!("arxiv-daily: {id} is not in the archive");
    Ok(Outcome::NothingFound)
}

pub(super) fn stats(ctx: &Ctx, a: StatsArgs) -> anyhow::Result<Outcome> {
    let reader = Reader::open(&ctx.loc)?;
    let s = reader.read(|r| Ok(arxiv_daily::views::Stats::from(r.stats()?)))?;
    let mut out = stdout();
    if a.json {
        json_line(&mut out, &s)?;
    } else {
        writeln!(out, "papers     {}", s.papers)?;
        writeln!(out, "snapshots  {}", s.snapshots)?;
        writeln!(out, "listings   {}", s.listings)?;
        writeln!(out, "reports    {}", s.reports)?;
        writeln!(out, "feeds      {}", s.feeds)?;
        writeln!(
            out,
            "first day  {}",
            s.first_day
                .map_or_else(|| "-".to_string(), |d| d.to_string())
        )?;
        writeln!(
            out,
            "last day   {}",
            s.last_day
                .map_or_else(|| "-".to_string(), |d| d.to_string())
        )?;
    }
    out.flush()?;
    Ok(Outcome::Done)
}
