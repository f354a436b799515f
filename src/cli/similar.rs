//! `similar ID`: the papers of the archive most like one paper, with the words they share.

use std::io::Write;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::index::query::SearchRequest;
use arxiv_daily::model::ArxivId;

/// The papers most like the given one, by its title and abstract (never the paper itself), with
/// the words that made each match.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// An arXiv id (2509.16442, 2509.16442v2, math/0309136).
    id: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[command(flatten)]
    filters: super::search::Filters,
    /// One JSON object per paper: id, title, authors, first_announced, score, why (and with
    /// vectors: found_by, words_score, meaning_score).
    #[arg(long)]
    json: bool,
    /// The embedding model whose vectors add meaning to the words [default:
    /// $ARXIV_DAILY_MODEL, else the config's [embeddings]; words alone when it has no vectors].
    #[arg(long)]
    model: Option<std::path::PathBuf>,
    /// The words alone, even when vectors exist.
    #[arg(long)]
    words_only: bool,
}

pub(crate) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let id = ArxivId::parse(&a.id)?;
    let req = SearchRequest {
        from: a.filters.from()?,
        to: a.filters.to()?,
        category: a.filters.category.clone(),
        limit: a.limit,
        ..SearchRequest::default()
    };
    let reader = arxiv_daily::archive::Reader::open(&ctx.loc)?.with_index(false)?;
    let index = reader.index()?;
    let matrix = if a.words_only {
        None
    } else {
        super::search::vectors_of(ctx, &reader, a.model.as_deref())?
            .map(|v| v.matrix())
            .transpose()?
    };
    let Some(hits) =
        reader.read(|r| arxiv_daily::views::similar_by(r, index, &id, &req, matrix.as_ref()))?
    else {
        eprintln!("arxiv-daily: {id} is not in the archive");
        return Ok(Outcome::NothingFound);
    };
    if hits.is_empty() {
        if !a.json {
            eprintln!("arxiv-daily: no papers like {id}");
        }
        return Ok(Outcome::NothingFound);
    }
    let mut out = stdout();
    for hit in &hits {
        if a.json {
            json_line(&mut out, hit)?;
        } else {
            writeln!(
                out,
                "{}  {}  {}",
                hit.id,
                hit.first_announced
                    .map_or_else(|| "-".to_string(), |d| d.to_string()),
                arxiv_daily::source::unwrap_text(&hit.title)
            )?;
            writeln!(out, "    why: {}", hit.why.join(", "))?;
            if let Some(by) = hit.found_by {
                let meaning = hit
                    .meaning_score
                    .map_or_else(|| "-".to_string(), |s| format!("{s:.3}"));
                writeln!(out, "    found by {by} (meaning {meaning})")?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}
