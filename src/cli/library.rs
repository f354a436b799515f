//! `library`: the reader's tags of saved papers and dismissals, kept in `library.sqlite3`
//! beside the archive (or `--library PATH`).

use std::io::Write;
use std::path::PathBuf;

use super::{Ctx, Outcome, json_line, stdout};
use arxiv_daily::ingest::api::Fetched;
use arxiv_daily::library::{Kind, Library, Tag, import};
use arxiv_daily::model::ArxivId;
use arxiv_daily::source::api;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Save papers to a tag (created on first use): ids with or without version, or
    /// arxiv.org abs/pdf links. Papers the archive lacks are fetched from arXiv's API first; an
    /// id arXiv does not know is an error and nothing is saved. Offline, the papers are saved
    /// and wait for the next `ingest` or `library fetch`.
    Add {
        #[command(flatten)]
        change: Change,
        #[command(flatten)]
        api: Api,
    },
    /// Take papers out of a tag (saved or dismissed).
    Remove(Change),
    /// "Not for me": a negative for that tag, never recommended to it again.
    Dismiss(Change),
    /// The library's entries: id, tag, kind (saved or dismissed), when, and the paper's title.
    List {
        #[arg(long)]
        tag: Option<String>,
        /// One JSON object per entry: id, tag, kind, added, title (null when the archive does not
        /// hold the paper yet).
        #[arg(long)]
        json: bool,
    },
    /// Describe a tag's interest in words (the tag is created if new): it is recommended papers
    /// before it has a saved one, by the words and, with an embedding model, by meaning; the
    /// description keeps steering it as papers are saved.
    Describe {
        tag: String,
        /// The interest, a sentence or a paragraph ("legged robots that learn to walk on rough
        /// ground"); at most 1,000 characters.
        #[arg(required_unless_present = "clear")]
        text: Option<String>,
        /// Take the description away.
        #[arg(long, conflicts_with = "text")]
        clear: bool,
    },
    /// The tags: papers saved, dismissed, the last digest and the description.
    Tags {
        /// One JSON object per tag: tag, papers, dismissed, last_digest, description.
        #[arg(long)]
        json: bool,
    },
    /// Import a BibTeX file (Zotero, Mendeley, Google Scholar, arXiv), a text file of ids or
    /// links (one per line), or `library export --format json` lines. Entries are matched by
    /// arXiv id, else by title against the archive; the unmatched are listed, the rest added.
    /// Papers the archive lacks are fetched from arXiv's API first; an id arXiv does not know
    /// is unmatched. Offline, they are added and wait for the next `ingest` or `library fetch`.
    Import {
        file: PathBuf,
        /// The tag to save to (JSON lines keep their own tags unless this is given).
        #[arg(long)]
        tag: Option<String>,
        /// One JSON object: added, matched, unmatched, waiting.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        api: Api,
    },
    /// Fetch from arXiv's API the library's papers that the archive lacks (those saved or
    /// imported while offline) and store them in the archive. Safe to stop and run again.
    Fetch {
        /// Only this tag's papers.
        #[arg(long)]
        tag: Option<String>,
        /// One JSON object: held, fetched, unknown, waiting, unreachable, rejected, requests,
        /// indexed.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        api: Api,
    },
    /// Print the library: BibTeX of the saved papers, JSON lines of every entry (which
    /// `library import` reads back to the same library), or ids.
    Export {
        #[arg(long)]
        tag: Option<String>,
        #[arg(long, value_enum, default_value = "bibtex")]
        format: ExportFormat,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct Change {
    #[arg(long)]
    tag: String,
    /// Papers: 2509.16442, 2509.16442v2, arXiv:2509.16442, https://arxiv.org/abs/2509.16442,
    /// https://arxiv.org/pdf/2509.16442v1.
    #[arg(required = true)]
    ids: Vec<String>,
}

/// How papers the archive lacks are fetched from arXiv's API.
#[derive(Debug, clap::Args)]
pub(crate) struct Api {
    /// arXiv's API, asked for papers the archive lacks (`?id_list=`, 100 ids a request).
    #[arg(long, env = "ARXIV_DAILY_API_URL", default_value = api::DEFAULT_API_URL)]
    api_url: String,
    /// Seconds between requests [default: 3, or min_interval in the config].
    #[arg(long)]
    min_interval: Option<f64>,
    /// Seconds before a request times out.
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// Ids a request (tests use small batches to make several requests).
    #[arg(long, default_value_t = api::MAX_BATCH as u16, hide = true,
          value_parser = clap::value_parser!(u16).range(1..=api::MAX_BATCH as i64))]
    batch: u16,
}

impl Api {
    /// `--min-interval`, for a command that also asks arXiv something else (`init`).
    pub(super) fn min_interval(&self) -> Option<f64> {
        self.min_interval
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    Bibtex,
    Json,
    Text,
}

pub(crate) fn run(ctx: &Ctx, c: Command) -> anyhow::Result<Outcome> {
    let path = ctx.loc.library_path();
    match c {
        Command::Add { change, api } => add(ctx, &path, change, &api),
        Command::Dismiss(a) => change(ctx, &path, a, "dismissed from", |c, t, ids| {
            c.dismiss(t, ids)
        }),
        Command::Remove(a) => change(ctx, &path, a, "removed from", |c, t, ids| c.remove(t, ids)),
        Command::List { tag, json } => {
            let Some(lib) = Library::open_read_only(&path)? else {
                return Ok(Outcome::NothingFound);
            };
            let entries = lib.entries(tag.as_deref())?;
            let titles = titles_of(ctx, &entries);
            let mut out = stdout();
            for e in &entries {
                let title = titles.get(&e.id);
                if json {
                    json_line(
                        &mut out,
                        &arxiv_daily::views::LibraryEntry {
                            entry: e.clone(),
                            title: title.cloned(),
                        },
                    )?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}",
                        e.id,
                        e.tag,
                        e.kind.as_str(),
                        e.added,
                        title.map_or("(not in the archive yet)", String::as_str)
                    )?;
                }
            }
            out.flush()?;
            Ok(found(!entries.is_empty()))
        }
        Command::Tags { json } => {
            let Some(lib) = Library::open_read_only(&path)? else {
                return Ok(Outcome::NothingFound);
            };
            let tags = lib.tags()?;
            let mut out = stdout();
            for t in &tags {
                if json {
                    json_line(&mut out, t)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{} saved\t{} dismissed\tlast digest {}{}",
                        t.tag,
                        t.papers,
                        t.dismissed,
                        t.last_digest.as_deref().unwrap_or("never"),
                        t.description
                            .as_deref()
                            .map(|d| format!("\t\"{d}\""))
                            .unwrap_or_default()
                    )?;
                }
            }
            out.flush()?;
            Ok(found(!tags.is_empty()))
        }
        Command::Describe { tag, text, clear } => {
            let tag = Tag::parse(&tag)?;
            let text = if clear {
                String::new()
            } else {
                text.unwrap_or_default()
            };
            let changed = Library::open(&path)?.change(|c| c.describe(&tag, &text))?;
            match (changed, text.trim().is_empty()) {
                (false, _) => println!("{tag}: unchanged"),
                (true, true) => println!("{tag}: description taken away"),
                (true, false) => println!("{tag}: described"),
            }
            Ok(Outcome::Done)
        }
        Command::Import {
            file,
            tag,
            json,
            api,
        } => import_file(ctx, &path, &file, tag, json, &api),
        Command::Fetch { tag, json, api } => fetch_library(ctx, &path, tag, json, &api),
        Command::Export { tag, format } => export(ctx, &path, tag, format),
    }
}

fn found(any: bool) -> Outcome {
    if any {
        Outcome::Done
    } else {
        Outcome::NothingFound
    }
}

/// The archive's newest title of each entry's paper; none when there is no archive (the library
/// never needs one).
fn titles_of(
    ctx: &Ctx,
    entries: &[arxiv_daily::library::Entry],
) -> std::collections::HashMap<String, String> {
    let Ok(reader) = arxiv_daily::archive::Reader::open(&ctx.loc) else {
        return Default::default();
    };
    reader
        .read(|r| {
            let mut titles = std::collections::HashMap::new();
            for e in entries {
                if !titles.contains_key(&e.id)
                    && let Some((title, _, _)) = r.latest_text(&e.id)?
                {
                    titles.insert(e.id.clone(), title);
                }
            }
            Ok(titles)
        })
        .unwrap_or_default()
}

fn parse_ids(ids: &[String]) -> anyhow::Result<Vec<ArxivId>> {
    ids.iter()
        .map(|s| arxiv_daily::library::parse_id(s).map_err(anyhow::Error::from))
        .collect()
}

/// Warns of papers that are not in the archive (yet): they count once they are ingested.
fn warn_missing(ctx: &Ctx, ids: &[ArxivId]) {
    if !ctx.loc.db_path().is_file() {
        return;
    }
    let Ok(reader) = arxiv_daily::archive::Reader::open(&ctx.loc) else {
        return;
    };
    let missing: Vec<String> = reader
        .read(|r| {
            let mut m = Vec::new();
            for id in ids {
                if !r.has_paper(id.as_str())? {
                    m.push(id.to_string());
                }
            }
            Ok(m)
        })
        .unwrap_or_default();
    if !missing.is_empty() {
        eprintln!(
            "arxiv-daily: not in the archive yet (kept; they count once ingested): {}",
            missing.join(", ")
        );
    }
}

fn change(
    ctx: &Ctx,
    path: &std::path::Path,
    a: Change,
    verb: &str,
    f: impl FnOnce(
        &arxiv_daily::library::Changes<'_>,
        &Tag,
        &[ArxivId],
    ) -> arxiv_daily::library::Result<usize>,
) -> anyhow::Result<Outcome> {
    let tag = Tag::parse(&a.tag)?;
    let ids = parse_ids(&a.ids)?;
    let mut lib = Library::open(path)?;
    let n = lib.change(|c| f(c, &tag, &ids))?;
    if verb != "removed from" {
        warn_missing(ctx, &ids);
    }
    println!("{n} {} {verb} {tag}", papers(n));
    Ok(Outcome::Done)
}

/// The client that asks arXiv's API. `add` and `import` ask once, without retries: offline,
/// their papers wait for `library fetch`, which retries as every network command does.
fn api_client(
    ctx: &Ctx,
    a: &Api,
    retries: bool,
) -> anyhow::Result<arxiv_daily::source::http::PoliteClient> {
    let config = ctx.loc.load_config()?;
    let mut policy = super::politeness(a.min_interval, &config, a.timeout)?;
    if !retries {
        policy.max_retries = 0;
    }
    let mut client = arxiv_daily::source::http::PoliteClient::new(policy)?;
    client.on_retry(|retry| eprintln!("arxiv-daily: {retry}"));
    Ok(client)
}

/// Fetches from arXiv's API the papers of `ids` the archive lacks and stores them in it.
fn fetch_missing(
    ctx: &Ctx,
    a: &Api,
    ids: &[ArxivId],
    retries: bool,
    catch_up: bool,
) -> anyhow::Result<Fetched> {
    // Papers the archive holds need neither the config nor a client.
    if !catch_up && arxiv_daily::ingest::api::missing(&ctx.loc, ids)?.is_empty() {
        let held = ids
            .iter()
            .map(ArxivId::as_str)
            .collect::<std::collections::HashSet<_>>()
            .len();
        return Ok(Fetched {
            held,
            ..Fetched::default()
        });
    }
    let mut client = api_client(ctx, a, retries)?;
    let got = arxiv_daily::ingest::api::fetch(
        &ctx.loc,
        ctx.wait,
        &mut client,
        &a.api_url,
        ids,
        usize::from(a.batch),
        catch_up,
    )?;
    for (id, why) in &got.rejected {
        eprintln!(
            "arxiv-daily: warning: {}: the entry {id} cannot be read ({why}); it stays out of the archive",
            a.api_url
        );
    }
    Ok(got)
}

/// Names the papers saved while arXiv could not be reached: the library keeps them, and they
/// count once `library fetch` has stored them.
fn warn_waiting(got: &Fetched) {
    if let Some(why) = &got.unreachable {
        eprintln!("arxiv-daily: arXiv's API cannot be reached: {why}");
        eprintln!(
            "arxiv-daily: not in the archive yet (saved; fetched at the next ingest, or now by `arxiv-daily library fetch`): {}",
            got.waiting.join(", ")
        );
    }
}

/// `library add`: the papers the archive lacks are fetched first, so that an id arXiv does not
/// know (a typo) is refused before anything is saved.
fn add(ctx: &Ctx, path: &std::path::Path, a: Change, api: &Api) -> anyhow::Result<Outcome> {
    let tag = Tag::parse(&a.tag)?;
    let ids = parse_ids(&a.ids)?;
    let got = fetch_missing(ctx, api, &ids, false, false)?;
    if !got.unknown.is_empty() {
        anyhow::bail!(
            "arXiv's API ({}) has no paper {} (a mistyped id?); nothing saved",
            api.api_url,
            got.unknown.join(", ")
        );
    }
    let n = Library::open(path)?.change(|c| c.save(&tag, &ids))?;
    warn_waiting(&got);
    println!("{n} {} saved to {tag}", papers(n));
    Ok(Outcome::Done)
}

/// The ids of the library's entries (of `tag`, or all), each once, in id order: the same
/// library asks the same requests, whatever order it lists them in. None without a library.
fn library_ids(path: &std::path::Path, tag: Option<&str>) -> anyhow::Result<Option<Vec<ArxivId>>> {
    let Some(lib) = Library::open_read_only(path)? else {
        return Ok(None);
    };
    let entries = lib.entries(tag)?;
    Ok(Some(
        entries
            .iter()
            .map(|e| e.id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|id| ArxivId::from_canonical(id.to_string()))
            .collect(),
    ))
}

/// After `ingest`: the library's papers the archive lacks (saved while arXiv could not be
/// reached) are fetched, one attempt a run. It only reads the library, and only when there is
/// one; what it cannot do is a warning, never the ingest's failure.
pub(crate) fn fetch_waiting(ctx: &Ctx, api_url: &str, min_interval: Option<f64>, timeout: f64) {
    let ids = match library_ids(&ctx.loc.library_path(), None) {
        Ok(Some(ids)) if !ids.is_empty() => ids,
        Ok(_) => return,
        Err(e) => {
            eprintln!("arxiv-daily: warning: the library cannot be read: {e:#}");
            return;
        }
    };
    let api = Api {
        api_url: api_url.to_string(),
        min_interval,
        timeout,
        batch: api::MAX_BATCH as u16,
    };
    match fetch_missing(ctx, &api, &ids, false, false) {
        Ok(got) => {
            if !got.fetched.is_empty() {
                eprintln!(
                    "arxiv-daily: {} library {} fetched from arXiv's API",
                    got.fetched.len(),
                    papers(got.fetched.len())
                );
            }
            if !got.unknown.is_empty() {
                eprintln!(
                    "arxiv-daily: warning: arXiv does not know these library papers (`library remove` takes them out): {}",
                    got.unknown.join(", ")
                );
            }
            if let Some(why) = &got.unreachable {
                eprintln!(
                    "arxiv-daily: warning: {} library {} not in the archive yet, fetched at the next ingest or `library fetch`: {why}",
                    got.waiting.len(),
                    papers(got.waiting.len())
                );
            }
        }
        Err(e) => eprintln!("arxiv-daily: warning: fetching the library's papers: {e:#}"),
    }
}

/// `library fetch`: the library's papers the archive lacks, fetched and stored.
fn fetch_library(
    ctx: &Ctx,
    path: &std::path::Path,
    tag: Option<String>,
    json: bool,
    api: &Api,
) -> anyhow::Result<Outcome> {
    let ids = match library_ids(path, tag.as_deref())? {
        Some(ids) if !ids.is_empty() => ids,
        _ => return Ok(Outcome::NothingFound),
    };
    let got = fetch_missing(ctx, api, &ids, true, true)?;
    let mut out = stdout();
    if json {
        json_line(&mut out, &got)?;
    } else {
        writeln!(
            out,
            "{} {} fetched, {} already in the archive",
            got.fetched.len(),
            papers(got.fetched.len()),
            got.held
        )?;
        if !got.unknown.is_empty() {
            writeln!(
                out,
                "arXiv does not know (`library remove` takes them out): {}",
                got.unknown.join(", ")
            )?;
        }
    }
    out.flush()?;
    if let Some(why) = &got.unreachable {
        anyhow::bail!(
            "{why}; {} {} still not in the archive: run `arxiv-daily library fetch` again",
            got.waiting.len(),
            papers(got.waiting.len())
        );
    }
    Ok(Outcome::Done)
}

fn papers(n: usize) -> &'static str {
    if n == 1 { "paper" } else { "papers" }
}

/// `library import --json`: the matched and unmatched entries are written as they are found
/// again, a pass over the file each (a list of millions of ids is never held as entries).
#[derive(serde::Serialize)]
struct ImportOutput<'a, 'm> {
    added: usize,
    described: usize,
    matched: Pass<'a, 'm, true>,
    unmatched: Pass<'a, 'm, false>,
    /// Ids added while arXiv's API could not be reached: not in the archive yet.
    waiting: &'a [String],
}

/// The matched (`MATCHED`) or unmatched entries, serialized from a pass over the file.
struct Pass<'a, 'm, const MATCHED: bool> {
    entries: &'a import::Entries<'a>,
    matcher: &'m import::Matcher,
}

impl<const MATCHED: bool> serde::Serialize for Pass<'_, '_, MATCHED> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let found = self.entries.iter().map(|i| self.matcher.matched(&i));
        if MATCHED {
            s.collect_seq(found.filter_map(Result::ok))
        } else {
            s.collect_seq(found.filter_map(Result::err))
        }
    }
}

pub(super) fn import_file(
    ctx: &Ctx,
    path: &std::path::Path,
    file: &std::path::Path,
    tag: Option<String>,
    json: bool,
    api: &Api,
) -> anyhow::Result<Outcome> {
    let tag = tag.as_deref().map(Tag::parse).transpose()?;
    let text = import::read_text(file)?;
    // Every entry read and checked before anything is opened.
    let entries = import::entries(file, &text)?;
    import::check_target(file, tag.as_ref(), &entries)?;
    // The papers the archive lacks are fetched before matching: an id arXiv does not know is
    // unmatched, and titles match the papers just stored too.
    let ids: Vec<ArxivId> = entries
        .iter()
        .filter_map(|i| i.id.as_ref().map(|(id, _)| id.clone()))
        .collect();
    let got = fetch_missing(ctx, api, &ids, false, false)?;
    let matcher = import::matcher(&ctx.loc, &entries)?.without(got.unknown.iter().cloned());
    let done = import::save(&mut Library::open(path)?, &entries, &matcher, tag.as_ref())?;
    let mut out = stdout();
    if json {
        json_line(
            &mut out,
            &ImportOutput {
                added: done.added,
                described: done.described,
                matched: Pass {
                    entries: &entries,
                    matcher: &matcher,
                },
                unmatched: Pass {
                    entries: &entries,
                    matcher: &matcher,
                },
                waiting: &got.waiting,
            },
        )?;
    } else {
        writeln!(
            out,
            "{}: {} {} matched ({} by arXiv id, {} by title), {} added{}",
            file.display(),
            done.matched,
            if done.matched == 1 {
                "entry"
            } else {
                "entries"
            },
            done.matched - done.by_title,
            done.by_title,
            done.added,
            tag.as_ref().map(|t| format!(" to {t}")).unwrap_or_default()
        )?;
        if done.described > 0 {
            let tags = if done.described == 1 { "tag" } else { "tags" };
            writeln!(out, "{} {tags} described", done.described)?;
        }
        if done.unmatched > 0 {
            writeln!(
                out,
                "{} unmatched (no arXiv id and no archived paper has the title, or an id arXiv does not know):",
                done.unmatched
            )?;
            for u in entries.iter().filter_map(|i| matcher.matched(&i).err()) {
                writeln!(
                    out,
                    "  {} (line {}): {}{}",
                    u.key,
                    u.line,
                    u.title.as_deref().unwrap_or("(no title)"),
                    u.unknown_id
                        .as_deref()
                        .map(|id| format!(" (arXiv does not know {id})"))
                        .unwrap_or_default()
                )?;
            }
        }
    }
    out.flush()?;
    warn_waiting(&got);
    Ok(found(done.matched > 0))
}

fn export(
    ctx: &Ctx,
    path: &std::path::Path,
    tag: Option<String>,
    format: ExportFormat,
) -> anyhow::Result<Outcome> {
    let Some(lib) = Library::open_read_only(path)? else {
        return Ok(Outcome::NothingFound);
    };
    let mut entries = lib.entries(tag.as_deref())?;
    // Oldest first in an export (a reader's file reads as it grew), then by id.
    entries.sort_by(|a, b| {
        (a.tag.as_str(), a.added.as_str(), a.id.as_str()).cmp(&(
            b.tag.as_str(),
            b.added.as_str(),
            b.id.as_str(),
        ))
    });
    let mut out = stdout();
    match format {
        ExportFormat::Json => {
            for e in &entries {
                json_line(&mut out, e)?;
            }
            // The tags' descriptions, read back by `library import`.
            for t in lib.tags()? {
                let wanted = tag
                    .as_deref()
                    .is_none_or(|w| w.eq_ignore_ascii_case(&t.tag));
                if let (Some(d), true) = (&t.description, wanted) {
                    json_line(
                        &mut out,
                        &serde_json::json!({"tag": t.tag, "description": d}),
                    )?;
                }
            }
        }
        ExportFormat::Text | ExportFormat::Bibtex => {
            let mut seen = std::collections::HashSet::new();
            let saved: Vec<&str> = entries
                .iter()
                .filter(|e| e.kind == Kind::Saved && seen.insert(e.id.clone()))
                .map(|e| e.id.as_str())
                .collect();
            if format == ExportFormat::Text {
                for id in &saved {
                    writeln!(out, "{id}")?;
                }
            } else {
                let reader = if ctx.loc.db_path().is_file() {
                    Some(arxiv_daily::archive::Reader::open(&ctx.loc)?)
                } else {
                    None
                };
                for id in &saved {
                    let canonical = ArxivId::from_canonical(id.to_string());
                    let paper = match &reader {
                        Some(r) => r.read(|reads| Ok(reads.paper(&canonical)?))?,
                        None => None,
                    };
                    match paper.as_ref().and_then(arxiv_daily::bibtex::entry) {
                        Some(entry) => out.write_all(entry.as_bytes())?,
                        None => write!(
                            out,
                            "@misc{{{id},\n      eprint={{{id}}},\n      archivePrefix={{arXiv}},\n      url={{https://arxiv.org/abs/{id}}}, \n}}\n"
                        )?,
                    }
                    writeln!(out)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(found(!entries.is_empty()))
}
