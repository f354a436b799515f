//! `init`: a researcher's first ten minutes. Writes a config that follows their categories,
//! fills the last weeks from OAI-PMH, starts a tag from a BibTeX file or a sentence, and says
//! what to run next (the reader, the morning's cron line).

use std::io::Write;
use std::path::PathBuf;

use super::{Ctx, Outcome, stdout};
use arxiv_daily::library::{Library, Tag};
use arxiv_daily::model::Day;

/// Start an archive that follows your categories: writes its config (every paper of the
/// categories is in the day's report), fills the last --weeks from arXiv's OAI-PMH service,
/// and starts a tag of your interests from a BibTeX file (--bib) or a sentence (--describe).
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The arXiv categories to follow, e.g. cs.RO,cs.AI (comma-separated or repeated).
    #[arg(long, required = true, value_delimiter = ',')]
    categories: Vec<String>,
    /// How many weeks of history to fill now (0: none; `ingest` then brings each new day).
    #[arg(long, default_value_t = 2)]
    weeks: u32,
    /// The tag that --bib and --describe start.
    #[arg(long, default_value = "mine")]
    tag: String,
    /// A BibTeX file (Zotero, Mendeley, Google Scholar), a file of arXiv ids or links, one per
    /// line: its papers are saved to the tag.
    #[arg(long)]
    bib: Option<PathBuf>,
    /// Your interest in a sentence ("legged robots that learn to walk on rough ground"): the
    /// tag is recommended papers before it has a saved one.
    #[arg(long)]
    describe: Option<String>,
    #[arg(long, env = "ARXIV_DAILY_OAI_URL")]
    oai_url: Option<String>,
    /// arXiv's API (papers of --bib the archive lacks) and the pause between requests.
    #[command(flatten)]
    api: super::library::Api,
}

/// `cs.RO`, `hep-th`, `math.AG`, `q-bio.NC`: an archive name, then optionally a dot and a
/// subject class.
fn is_category(c: &str) -> bool {
    let (archive, subject) = c.split_once('.').map_or((c, None), |(a, s)| (a, Some(s)));
    let archive_ok =
        !archive.is_empty() && archive.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    let subject_ok = subject
        .is_none_or(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'));
    archive_ok && subject_ok
}

/// The config `init` writes.
fn config_text(categories: &[String]) -> String {
    let list: Vec<String> = categories.iter().map(|c| format!("{c:?}")).collect();
    format!(
        "# arxiv-daily configuration, written by `arxiv-daily init`. Every other key and its default\n\
         # is in the README (\"Configuration\").\n\
         \n\
         # Every paper of these categories is in the day's report. Narrow it with\n\
         # title_keywords = [...], abstract_keywords = [...] or query = '...' (the search language).\n\
         [[profile]]\n\
         name = \"default\"\n\
         categories = [{}]\n",
        list.join(", ")
    )
}

pub(super) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    let mut categories: Vec<String> = Vec::new();
    for c in &a.categories {
        let c = c.trim();
        anyhow::ensure!(
            is_category(c),
            "--categories: {c:?} is not an arXiv category (e.g. cs.RO, hep-th, math.AG)"
        );
        if !categories.iter().any(|x| x == c) {
            categories.push(c.to_string());
        }
    }
    // Everything the user gave is checked before anything is written.
    let tag = Tag::parse(&a.tag)?;
    if let Some(bib) = &a.bib {
        anyhow::ensure!(bib.is_file(), "--bib {}: no such file", bib.display());
    }
    let config = ctx.loc.config_path();
    anyhow::ensure!(
        !config.exists(),
        "{} exists: this archive is set up already (edit that file, or choose another --data-dir)",
        config.display()
    );
    std::fs::create_dir_all(&ctx.loc.dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", ctx.loc.dir.display()))?;
    let text = config_text(&categories);
    arxiv_daily::config::Config::parse(&text, &config.display().to_string())?;
    arxiv_daily::files::write_if_changed(&config, text.as_bytes())?;
    eprintln!(
        "arxiv-daily: wrote {} (following {})",
        config.display(),
        categories.join(", ")
    );

    if a.weeks > 0 {
        let to = Day::today();
        let from = to.sub_days(7 * i64::from(a.weeks));
        eprintln!(
            "arxiv-daily: filling {from} to {to} from arXiv's OAI-PMH service (one request every few seconds, as arXiv asks)"
        );
        super::backfill::fill(ctx, from, to, a.oai_url.clone(), a.api.min_interval())?;
    }
    if let Some(bib) = &a.bib {
        super::library::import_file(
            ctx,
            &ctx.loc.library_path(),
            bib,
            Some(a.tag.clone()),
            false,
            &a.api,
        )?;
    }
    if let Some(text) = &a.describe {
        Library::open(&ctx.loc.library_path())?.change(|c| c.describe(&tag, text))?;
        eprintln!("arxiv-daily: {tag}: described");
    }

    let data = ctx.loc.dir.display();
    let mut out = stdout();
    writeln!(out, "Ready. Next:")?;
    writeln!(
        out,
        "  arxiv-daily --data-dir {data} serve                  # the reader at http://127.0.0.1:8080/"
    )?;
    if a.bib.is_some() || a.describe.is_some() {
        writeln!(
            out,
            "  arxiv-daily --data-dir {data} recommend --tag {tag}   # the newest day's picks for {tag}"
        )?;
    } else {
        writeln!(
            out,
            "  arxiv-daily --data-dir {data} library add --tag {tag} 2509.16442   # save papers you like (or use Save in the reader)"
        )?;
    }
    writeln!(
        out,
        "Every weekday morning (crontab -e), the new day, then an email of your picks:"
    )?;
    writeln!(
        out,
        "  0 6 * * 1-5 arxiv-daily --data-dir {data} ingest --wait && arxiv-daily --data-dir {data} digest --to you@example.org"
    )?;
    out.flush()?;
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_checked_and_the_config_reads_back() {
        for ok in ["cs.RO", "hep-th", "math.AG", "q-bio.NC", "physics"] {
            assert!(is_category(ok), "{ok}");
        }
        for bad in ["", "cs.", "CS.RO", "cs RO", "cs.RO;rm", "../x"] {
            assert!(!is_category(bad), "{bad}");
        }
        let text = config_text(&["cs.RO".into(), "cs.AI".into()]);
        let config = arxiv_daily::config::Config::parse(&text, "x").unwrap();
        assert_eq!(config.profiles.len(), 1);
        assert_eq!(config.profiles[0].categories, ["cs.RO", "cs.AI"]);
        assert!(config.profiles[0].title_keywords.is_empty());
    }
}
