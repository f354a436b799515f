//! `search QUERY`: BM25 over titles, abstracts and authors.

use arxiv_daily::source::unwrap_text;
use std::io::Write;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::index::IndexError;
use arxiv_daily::index::query::{SearchRequest, SortBy};
use arxiv_daily::model::Day;

/// Search the archive: plain words rank the papers that hold some of them (BM25, then how much
/// of the query a paper holds and how close its words stand); "phrases", +word, -term, AND/OR and
/// the prefixes ti: au: abs: cat: id: all: filter exactly, as on arXiv.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The query, e.g. 'ti:"large language models" -survey' (it may start with `-`).
    #[arg(allow_hyphen_values = true)]
    query: String,
    #[command(flatten)]
    filters: Filters,
    /// At most this many hits.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Skip this many hits first (the next page: `--offset 10` after `--limit 10`). Ties are
    /// ordered by a fixed rule, so pages never repeat or skip a paper.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[arg(long, value_enum, default_value = "relevance")]
    sort: Sort,
    /// Require every word, as arXiv's own search does (and saved searches and feeds do), instead
    /// of ranking the papers that hold some of them.
    #[arg(long)]
    all_words: bool,
    /// Print only how many papers match (and how many hold every word); with --json as one
    /// object: total, all_words.
    #[arg(long, conflicts_with_all = ["format", "offset"])]
    count: bool,
    /// One JSON object per hit: id, title, authors, first_announced, score, snippet, matched,
    /// missing (the same as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// text, json, atom (a feed of the hits, newest first: any search is a feed) or bibtex.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// words (BM25 over the text), meaning (the sentence-embedding model's vectors: see
    /// `embed`) or hybrid (both, fused) [default: hybrid once the model's vectors exist, else
    /// words]. Operators, days and category filter exactly in every mode.
    #[arg(long, value_enum)]
    mode: Option<Mode>,
    /// The model folder for meaning and hybrid [default: $ARXIV_DAILY_MODEL, else the config's
    /// [embeddings]].
    #[arg(long)]
    model: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Mode {
    Words,
    Meaning,
    Hybrid,
}

/// The filters `search` and `similar` share.
#[derive(Debug, clap::Args)]
pub(super) struct Filters {
    /// Only papers listed on or after this day.
    #[arg(long)]
    from: Option<String>,
    /// Only papers listed on or before this day.
    #[arg(long)]
    to: Option<String>,
    /// Only papers in this category (e.g. cs.IR).
    #[arg(long)]
    pub(super) category: Option<String>,
}

impl Filters {
    pub(super) fn from(&self) -> anyhow::Result<Option<Day>> {
        Ok(self.from.as_deref().map(Day::parse).transpose()?)
    }

    pub(super) fn to(&self) -> anyhow::Result<Option<Day>> {
        Ok(self.to.as_deref().map(Day::parse).transpose()?)
    }
}

/// `--sort`: the CLI's names for the index's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Sort {
    /// BM25 score, title words weighing double.
    Relevance,
    /// Newest first listing first.
    Date,
}

impl From<Sort> for SortBy {
    fn from(s: Sort) -> SortBy {
        match s {
            Sort::Relevance => SortBy::Relevance,
            Sort::Date => SortBy::Date,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    /// An Atom 1.0 feed, newest first: a standing filter, so every word is required (as in
    /// saved searches).
    Atom,
    /// One BibTeX entry per hit (in the ranking's order), as arXiv writes them.
    Bibtex,
}

pub(super) fn run(ctx: &Ctx, mut a: Args) -> anyhow::Result<Outcome> {
    if a.json {
        a.format = Format::Json;
    }
    if a.format == Format::Atom {
        // A feed lists the newest first, and is a filter: every word is required.
        a.sort = Sort::Date;
        a.all_words = true;
    }
    a.json = a.format == Format::Json;
    let req = SearchRequest {
        query: a.query.clone(),
        from: a.filters.from()?,
        to: a.filters.to()?,
        category: a.filters.category.clone(),
        limit: a.limit,
        offset: a.offset,
        sort: a.sort.into(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        all_words: a.all_words,
    };
    let mut reader = arxiv_daily::archive::Reader::open(&ctx.loc)?.with_index(false)?;
    // A writer may replace segments between our opening the index and reading it; reopen and
    // try again rather than fail a reader.
    let mut attempt = 0;
    let result = loop {
        match reader.index()?.search(&req) {
            Ok(r) => break r,
            Err(e @ IndexError::Query { .. }) => return Err(e.into()),
            Err(_) if attempt < 3 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
                reader.reopen_index()?;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let index = reader.index()?;
    let by_meaning = if a.count
        || a.sort == Sort::Date
        || matches!(a.format, Format::Atom | Format::Bibtex)
    {
        if matches!(a.mode, Some(Mode::Meaning | Mode::Hybrid)) {
            anyhow::bail!(
                "--mode meaning and hybrid rank by relevance: not with --count, --sort date, atom or bibtex"
            );
        }
        None
    } else {
        meaning_of(ctx, &reader, &a, &req)?
    };
    if let Some(found) = by_meaning {
        if found.hits.is_empty() {
            if !a.json {
                eprintln!("arxiv-daily: no papers match {:?}", a.query);
            }
            return Ok(Outcome::NothingFound);
        }
        let counts = if a.json || a.offset > 0 {
            None
        } else {
            Some(index.counts(&found.words)?)
        };
        let mut words = found.words;
        words.hits = found.hits.iter().map(|f| f.hit.clone()).collect();
        return reader.read(|r| {
            let mut hits = arxiv_daily::views::search_hits(r, index, &words)?;
            for (hit, f) in hits.iter_mut().zip(&found.hits) {
                hit.found_by = Some(f.found_by);
                hit.words_score = f.words;
                hit.meaning_score = f.meaning;
            }
            write_hits(ctx, &hits, counts, &a)
        });
    }
    if a.count {
        let counts = index.counts(&result)?;
        let mut out = stdout();
        if a.json {
            json_line(&mut out, &counts)?;
        } else {
            writeln!(out, "{}", arxiv_daily::views::count_line(&counts))?;
        }
        out.flush()?;
        return Ok(if counts.total == 0 {
            Outcome::NothingFound
        } else {
            Outcome::Done
        });
    }
    if result.hits.is_empty() {
        if !a.json {
            eprintln!("arxiv-daily: no papers match {:?}", a.query);
        }
        return Ok(Outcome::NothingFound);
    }
    reader.read(|r| {
        if matches!(a.format, Format::Atom | Format::Bibtex) {
            write_papers(r, &result.hits, &a)
        } else {
            let counts = if a.json || a.offset > 0 {
                None
            } else {
                Some(index.counts(&result)?)
            };
            write_hits(
                ctx,
                &arxiv_daily::views::search_hits(r, index, &result)?,
                counts,
                &a,
            )
        }
    })
}

/// The search by meaning or both, when asked for (`--mode`) or when the configured model's
/// vectors exist; `None`: by words.
fn meaning_of(
    ctx: &Ctx,
    reader: &arxiv_daily::archive::Reader,
    a: &Args,
    req: &SearchRequest,
) -> anyhow::Result<Option<arxiv_daily::embed::hybrid::Found>> {
    use arxiv_daily::embed::hybrid;
    let mode = match a.mode {
        Some(Mode::Words) => return Ok(None),
        Some(Mode::Meaning) => Some(hybrid::Mode::Meaning),
        Some(Mode::Hybrid) => Some(hybrid::Mode::Hybrid),
        None => None,
    };
    let source = arxiv_daily::embed::ModelSource::configured(
        a.model.as_deref(),
        reader.config(),
        &ctx.loc.dir,
    );
    let Some(source) = source else {
        if mode.is_some() {
            anyhow::bail!(
                "--mode meaning and hybrid need an embedding model: pass --model DIR, set ARXIV_DAILY_MODEL or add [embeddings] to the config (see `arxiv-daily embed --help`)"
            );
        }
        return Ok(None);
    };
    let vectors = match arxiv_daily::embed::open_vectors(reader, &source) {
        Ok(Some(v)) => v,
        Ok(None) if mode.is_some() => anyhow::bail!(
            "the archive has no vectors of this model yet: run `arxiv-daily embed` first"
        ),
        Ok(None) => return Ok(None),
        Err(e) if mode.is_some() => return Err(e.into()),
        Err(e) => {
            eprintln!("arxiv-daily: warning: searching by words only: {e}");
            return Ok(None);
        }
    };
    let model = source.open()?;
    let text = hybrid::meaning_text(&a.query);
    if text.trim().is_empty() {
        if mode.is_some() {
            anyhow::bail!("{:?} has no words to search by meaning", a.query);
        }
        return Ok(None);
    }
    let vector = model.embed(&[text.as_str()])?.remove(0);
    let matrix = vectors.matrix()?;
    Ok(Some(hybrid::search(
        reader.index()?,
        &matrix,
        &vector,
        req,
        mode.unwrap_or(hybrid::Mode::Hybrid),
    )?))
}

/// The vectors of the configured model (`--model`, `ARXIV_DAILY_MODEL`, the config), if it has
/// some; a model that cannot be read is a warning, and the words work alone.
pub(super) fn vectors_of(
    ctx: &Ctx,
    reader: &arxiv_daily::archive::Reader,
    model: Option<&std::path::Path>,
) -> anyhow::Result<Option<arxiv_daily::embed::Vectors>> {
    let Some(source) =
        arxiv_daily::embed::ModelSource::configured(model, reader.config(), &ctx.loc.dir)
    else {
        return Ok(None);
    };
    match arxiv_daily::embed::open_vectors(reader, &source) {
        Ok(v) => Ok(v),
        Err(e) => {
            eprintln!("arxiv-daily: warning: by words only: {e}");
            Ok(None)
        }
    }
}

/// The hits as text (after the count line, on a first page) or JSON lines.
fn write_hits(
    ctx: &Ctx,
    hits: &[arxiv_daily::views::SearchHit],
    counts: Option<arxiv_daily::index::query::Counts>,
    a: &Args,
) -> anyhow::Result<Outcome> {
    let color = ctx.color.enabled() && !a.json;
    let mut out = stdout();
    if let Some(counts) = counts {
        writeln!(out, "{}", arxiv_daily::views::count_line(&counts))?;
        writeln!(out)?;
    }
    for hit in hits {
        if a.json {
            json_line(&mut out, hit)?;
        } else {
            let (open, close) = if color {
                ("\x1b[1m", "\x1b[0m")
            } else {
                ("", "")
            };
            writeln!(
                out,
                "{open}{}{close}  {}  {}",
                hit.id,
                hit.first_announced
                    .map_or_else(|| "-".to_string(), |d| d.to_string()),
                unwrap_text(&hit.title)
            )?;
            writeln!(out, "    {}", unwrap_text(&hit.authors))?;
            writeln!(out, "    {}", unwrap_text(&hit.marked_snippet(open, close)))?;
            if let Some(by) = hit.found_by {
                let words = hit
                    .words_score
                    .map_or_else(|| "-".to_string(), |s| format!("{s:.2}"));
                let meaning = hit
                    .meaning_score
                    .map_or_else(|| "-".to_string(), |s| format!("{s:.3}"));
                writeln!(out, "    found by {by} (words {words}, meaning {meaning})")?;
            }
            if let Some(missing) = hit.missing.as_ref().filter(|m| !m.is_empty()) {
                writeln!(out, "    missing: {}", missing.join(", "))?;
            }
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}

/// The hits as an Atom feed or as BibTeX entries.
fn write_papers(
    reads: &arxiv_daily::archive::Reads<'_>,
    hits: &[arxiv_daily::index::query::Hit],
    a: &Args,
) -> anyhow::Result<Outcome> {
    let mut out = stdout();
    if a.format == Format::Atom {
        out.write_all(arxiv_daily::views::search_feed(reads, &a.query, hits)?.as_bytes())?;
    } else {
        for hit in hits {
            let Ok(id) = arxiv_daily::model::ArxivId::parse(&hit.id) else {
                continue;
            };
            if let Some(entry) = reads
                .paper(&id)?
                .as_ref()
                .and_then(arxiv_daily::bibtex::entry)
            {
                writeln!(out, "{entry}")?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}
