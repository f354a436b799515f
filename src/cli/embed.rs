//! `embed`: fill the vectors of the configured sentence-embedding model, or embed one text.

use std::io::Write;
use std::path::PathBuf;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::embed::{ModelSource, Selection, Vectors};

/// Embed the archive's papers (title and abstract) with the sentence-embedding model, for
/// searches by meaning and similar papers. Resumable: a rerun after Ctrl-C goes on where it
/// stopped, and embeds again only papers whose text changed. With --text, print one text's vector
/// instead (nothing is stored), to compare with sentence-transformers.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Embed this text and print its vector; the archive is not read.
    #[arg(long)]
    text: Option<String>,
    /// A sentence-transformers model folder (config.json, model.safetensors, tokenizer.json), or
    /// a Hugging Face Hub id (sentence-transformers/all-MiniLM-L6-v2), fetched once into the data
    /// folder [default: $ARXIV_DAILY_MODEL, else the config's [embeddings]].
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    filters: super::search::Filters,
    /// Only these papers (ids as `show` takes them).
    #[arg(conflicts_with = "text")]
    ids: Vec<String>,
    /// One JSON object: the model, its dimension and the vector (--text), or what was embedded.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let config = ctx.loc.load_config()?;
    let Some(source) = ModelSource::configured(a.model.as_deref(), &config, &ctx.loc.dir) else {
        anyhow::bail!(
            "no embedding model: pass --model DIR (a sentence-transformers folder), set ARXIV_DAILY_MODEL, or add [embeddings] model = \"DIR\" (or endpoint = \"URL\") to {}",
            ctx.loc.config_path().display()
        );
    };
    let model = source.open()?;
    if let Some(text) = &a.text {
        let vector = model.embed(&[text.as_str()])?.remove(0);
        let mut out = stdout();
        if a.json {
            json_line(
                &mut out,
                &serde_json::json!({
                    "model": model.identity(),
                    "dim": model.dim(),
                    "vector": vector,
                }),
            )?;
        } else {
            writeln!(out, "{} ({} dimensions)", model.identity(), model.dim())?;
            let values: Vec<String> = vector.iter().map(|x| format!("{x:.6}")).collect();
            writeln!(out, "{}", values.join(" "))?;
        }
        out.flush()?;
        return Ok(Outcome::Done);
    }
    let selection = Selection {
        from: a.filters.from()?,
        to: a.filters.to()?,
        category: a.filters.category.clone(),
        ids: a
            .ids
            .iter()
            .map(|s| Ok(arxiv_daily::library::parse_id(s)?.to_string()))
            .collect::<anyhow::Result<_>>()?,
    };
    let (filled, vectors, graph) = fill_with_progress(ctx, model.as_ref(), &selection)?;
    let total = vectors.count()?;
    let mut out = stdout();
    if a.json {
        json_line(
            &mut out,
            &serde_json::json!({
                "model": model.identity(),
                "embedded": filled.embedded,
                "current": filled.current,
                "seconds": filled.seconds,
                "vectors": total,
                "path": vectors.path(),
                "graph": graph,
            }),
        )?;
    } else {
        let rate = if filled.seconds > 0.0 {
            format!(" ({:.1} papers/s)", filled.embedded as f64 / filled.seconds)
        } else {
            String::new()
        };
        writeln!(
            out,
            "embedded {} papers{rate}, {} already current; {} vectors of {} in {}",
            filled.embedded,
            filled.current,
            total,
            model.identity(),
            vectors.path().display()
        )?;
        if let Some(g) = &graph {
            writeln!(
                out,
                "nearest-neighbour graph: {} vectors ({} {})",
                g.keys,
                g.added,
                if g.rebuilt { "built" } else { "added" }
            )?;
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}

/// After `ingest` or `import`: embed the papers without a current vector when a model is
/// configured (`ARXIV_DAILY_MODEL` or the config's `[embeddings]`), and say so. Never fails the
/// command that stored them: a model that cannot be read or a server that does not answer is a
/// warning, and `embed` catches up later.
pub(super) fn after_write(ctx: &Ctx, json: bool, selection: Selection) {
    let run = || -> anyhow::Result<Option<String>> {
        let config = ctx.loc.load_config()?;
        let Some(source) = ModelSource::configured(None, &config, &ctx.loc.dir) else {
            return Ok(None);
        };
        let model = source.open()?;
        let (filled, _, _) = fill_with_progress(ctx, model.as_ref(), &selection)?;
        Ok(Some(format!(
            "embedded {} papers with {} ({} already current)",
            filled.embedded,
            model.identity(),
            filled.current
        )))
    };
    match run() {
        Ok(None) => {}
        Ok(Some(line)) if json => eprintln!("arxiv-daily: {line}"),
        Ok(Some(line)) => println!("{line}"),
        Err(e) => eprintln!(
            "arxiv-daily: warning: not embedded ({e:#}); the papers are stored, `arxiv-daily embed` embeds them later"
        ),
    }
}

/// Fills the archive's vectors of `model` for `selection`, with a progress bar on a terminal,
/// then brings the nearest-neighbour graph up to date (a graph that cannot be written is a
/// warning: searches are then exact, and slower).
fn fill_with_progress(
    ctx: &Ctx,
    model: &dyn arxiv_daily::embed::Embedder,
    selection: &Selection,
) -> anyhow::Result<(
    arxiv_daily::embed::Filled,
    Vectors,
    Option<arxiv_daily::embed::ann::Updated>,
)> {
    let reader = arxiv_daily::archive::Reader::open(&ctx.loc)?;
    let mut vectors = Vectors::open(&ctx.loc.dir, model.identity(), model.dim())?;
    let bar = super::progress(Some(0), "embedding");
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {pos}/{len} papers ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    let filled = arxiv_daily::embed::fill(
        &reader,
        &mut vectors,
        model,
        selection,
        &mut |done, todo| {
            bar.set_length(todo as u64);
            bar.set_position(done as u64);
        },
    )?;
    bar.finish_and_clear();
    let bar = super::progress(Some(0), "indexing vectors");
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    let graph = match arxiv_daily::embed::ann::update(
        &vectors,
        &arxiv_daily::embed::ann::Params::default(),
        &mut |done, todo| {
            bar.set_length(todo as u64);
            bar.set_position(done as u64);
        },
    ) {
        Ok(g) => g,
        Err(e) => {
            eprintln!(
                "arxiv-daily: warning: the nearest-neighbour graph is not updated ({e}); searches by meaning are exact, and slower"
            );
            None
        }
    };
    bar.finish_and_clear();
    Ok((filled, vectors, graph))
}
