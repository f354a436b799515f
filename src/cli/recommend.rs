//! `recommend`: the papers of a day (or days) ranked for the library's tags.

use std::io::Write;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::embed::vectors::Matrix;
use arxiv_daily::embed::{Embedder, ModelSource};
use arxiv_daily::library::Library;
use arxiv_daily::model::Day;
use arxiv_daily::recommend::{Interests, Meaning, Request};

/// The papers listed on those days (default: the newest archived day), less those already in
/// the library, ranked by a model of each tag (its saved papers against its dismissals and the
/// archive's other papers); without --tag, every tag, each paper under its best one.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only this tag (repeatable).
    #[arg(long)]
    tag: Vec<String>,
    /// The first day [default: the last day, or --days back from it].
    #[arg(long)]
    from: Option<String>,
    /// The last day [default: the newest archived day].
    #[arg(long)]
    to: Option<String>,
    /// The N newest archived days up to --to.
    #[arg(long)]
    days: Option<usize>,
    /// Only papers listed in this category (e.g. cs.IR).
    #[arg(long)]
    category: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// One JSON object per paper: id, title, authors, first_announced, tag, score, why.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Markdown, an Atom feed or BibTeX instead of text.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Rank the days' papers for this sentence instead of for tags ("legged robots that learn
    /// to walk on rough ground"), by the embedding model's vectors (see `embed`); no library
    /// needed. The tag printed is "about".
    #[arg(long, conflicts_with = "tag")]
    about: Option<String>,
    /// The embedding model: of --about, and of the tags' meaning (their papers' vectors and
    /// descriptions) [default: $ARXIV_DAILY_MODEL, else the config's [embeddings]].
    #[arg(long)]
    model: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Md,
    Atom,
    Bibtex,
}

pub(crate) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let from = a.from.as_deref().map(Day::parse).transpose()?;
    let to = a.to.as_deref().map(Day::parse).transpose()?;
    if let Some(sentence) = &a.about {
        return about(ctx, &a, sentence, from, to);
    }
    let Some(library) = Library::open_read_only(&ctx.loc.library_path())? else {
        anyhow::bail!(
            "no library yet ({}): save papers with `arxiv-daily library add --tag TAG ID...` or `library import FILE --tag TAG`",
            ctx.loc.library_path().display()
        );
    };
    let interests = Interests::of(&library, &a.tag)?;
    if interests.tags.is_empty() {
        anyhow::bail!("the library has no tags: `arxiv-daily library add --tag TAG ID...`");
    }
    let reader = arxiv_daily::archive::Reader::open(&ctx.loc)?;
    let loaded = meaning_of(ctx, &reader, a.model.as_deref(), &interests);
    let meaning = loaded
        .as_ref()
        .map(|(m, model)| warned(Meaning::new(m, model.as_deref(), &interests)));
    let out = ranked(&reader, from, to, &a, |r, req| {
        Ok(arxiv_daily::recommend::recommend(
            r,
            &interests,
            req,
            meaning.as_ref(),
        )?)
    })?;
    print(&a, out)
}

/// `meaning`, after a warning when the model failed on the descriptions.
pub(crate) fn warned(meaning: Meaning<'_>) -> Meaning<'_> {
    if let Some(e) = &meaning.failed {
        eprintln!("arxiv-daily: warning: the tags' descriptions count by their words only: {e}");
    }
    meaning
}

/// The configured embedding model's vectors, and the model itself when a tag is described:
/// the tags' meaning. `None` without a model or its vectors; vectors or a model that cannot be
/// read are a warning, and the papers are ranked by their words.
pub(crate) fn meaning_of(
    ctx: &Ctx,
    reader: &arxiv_daily::archive::Reader,
    model: Option<&std::path::Path>,
    interests: &Interests,
) -> Option<(Matrix, Option<Box<dyn Embedder>>)> {
    let described = interests.tags.iter().any(|(_, p)| p.description.is_some());
    let loaded = arxiv_daily::embed::configured_vectors(reader, model, &ctx.loc.dir, described)
        .and_then(|v| v.map(|(v, model)| Ok((v.matrix()?, model))).transpose());
    match loaded {
        Ok(found) => found,
        Err(e) => {
            eprintln!("arxiv-daily: warning: recommending by the words only: {e}");
            None
        }
    }
}

/// `--about`: the days' papers ranked for a sentence by meaning.
fn about(
    ctx: &Ctx,
    a: &Args,
    sentence: &str,
    from: Option<Day>,
    to: Option<Day>,
) -> anyhow::Result<Outcome> {
    let reader = arxiv_daily::archive::Reader::open(&ctx.loc)?;
    let Some(source) = ModelSource::configured(a.model.as_deref(), reader.config(), &ctx.loc.dir)
    else {
        anyhow::bail!(
            "--about needs an embedding model: pass --model DIR, set ARXIV_DAILY_MODEL or add [embeddings] to the config (see `arxiv-daily embed --help`)"
        );
    };
    let Some(vectors) = arxiv_daily::embed::open_vectors(&reader, &source)? else {
        anyhow::bail!(
            "the archive has no vectors of this model yet: run `arxiv-daily embed` first"
        );
    };
    let vector = source.open()?.embed(&[sentence])?.remove(0);
    let matrix = vectors.matrix()?;
    let exclude = match Library::open_read_only(&ctx.loc.library_path())? {
        Some(library) => Interests::of(&library, &[])?.exclude,
        None => Default::default(),
    };
    let out = ranked(&reader, from, to, a, |r, req| {
        Ok(arxiv_daily::recommend::about(
            r, sentence, &vector, &matrix, &exclude, req,
        )?)
    })?;
    print(a, out)
}

type Found = Option<(
    Day,
    Day,
    Vec<arxiv_daily::recommend::Recommendation>,
    Vec<Option<arxiv_daily::store::PaperView>>,
)>;

/// The days asked for (`None`: the archive lists none), ranked by `rank`, with the papers
/// themselves for BibTeX.
fn ranked(
    reader: &arxiv_daily::archive::Reader,
    from: Option<Day>,
    to: Option<Day>,
    a: &Args,
    rank: impl FnOnce(
        &arxiv_daily::archive::Reads<'_>,
        &Request,
    ) -> anyhow::Result<Vec<arxiv_daily::recommend::Recommendation>>,
) -> anyhow::Result<Found> {
    reader.read(|r| {
        let Some((from, to)) = arxiv_daily::recommend::days(r, from, to, a.days)? else {
            return Ok(None);
        };
        let req = Request {
            from,
            to,
            category: a.category.clone(),
            limit: a.limit,
        };
        let recs = rank(r, &req)?;
        let papers = if a.format == Some(Format::Bibtex) {
            recs.iter()
                .map(|rec| r.paper(&arxiv_daily::model::ArxivId::from_canonical(rec.id.clone())))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            vec![]
        };
        Ok(Some((from, to, recs, papers)))
    })
}

/// The recommendations in the format asked for.
fn print(a: &Args, out: Found) -> anyhow::Result<Outcome> {
    let Some((from, to, recs, papers)) = out else {
        eprintln!("arxiv-daily: the archive lists no day yet");
        return Ok(Outcome::NothingFound);
    };
    if recs.is_empty() {
        if !a.json {
            eprintln!("arxiv-daily: nothing to recommend for {from}..{to}");
        }
        return Ok(Outcome::NothingFound);
    }
    let mut out = stdout();
    match (a.json, a.format) {
        (true, _) => {
            for r in &recs {
                json_line(&mut out, r)?;
            }
        }
        (false, Some(Format::Md)) => {
            writeln!(out, "# Recommended, {from}{}\n", range_end(from, to))?;
            for r in &recs {
                writeln!(
                    out,
                    "- [{}](https://arxiv.org/abs/{}) ({}): {}  \n  *{}: {}*",
                    arxiv_daily::source::unwrap_text(&r.title).replace(['[', ']'], ""),
                    r.id,
                    r.id,
                    arxiv_daily::source::unwrap_text(&r.authors),
                    r.tag,
                    r.why.join(", ")
                )?;
            }
        }
        (false, Some(Format::Atom)) => {
            let tags = if a.about.is_some() {
                arxiv_daily::recommend::ABOUT.to_string()
            } else if a.tag.is_empty() {
                "all".to_string()
            } else {
                a.tag.join("+")
            };
            let info = arxiv_daily::atom::FeedInfo {
                id: format!("urn:arxiv-daily:recommend:{tags}"),
                title: format!("arxiv-daily: recommended for {tags}"),
                subtitle: format!("{from}{}", range_end(from, to)),
                link: None,
            };
            out.write_all(arxiv_daily::views::recommend_feed(&info, &recs, to).as_bytes())?;
        }
        (false, Some(Format::Bibtex)) => {
            for p in papers.iter().flatten() {
                if let Some(e) = arxiv_daily::bibtex::entry(p) {
                    out.write_all(e.as_bytes())?;
                    writeln!(out)?;
                }
            }
        }
        (false, None) => {
            for r in &recs {
                writeln!(
                    out,
                    "{:>6.2}  {}  {}",
                    r.score,
                    r.id,
                    arxiv_daily::source::unwrap_text(&r.title)
                )?;
                writeln!(out, "        {}: {}", r.tag, r.why.join(", "))?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}

fn range_end(from: Day, to: Day) -> String {
    if from == to {
        String::new()
    } else {
        format!(" to {to}")
    }
}
