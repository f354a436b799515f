//! A report repository run by the example workflow: the steps of `examples/github/daily.yml`
//! (between its `# steps: begin` and `# steps: end` lines), run as a bash script against
//! fake-arxiv (../shared) over several announcement days, in a local git repository, from a
//! fresh data folder every day as a CI machine would.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::shared::{expect_reports, fake_dates, shared, start_fake};

/// The lines of the workflow's script block, without their YAML indentation.
pub(crate) fn workflow_steps(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines().skip_while(|l| l.trim() != "# steps: begin");
    let first = lines.next().expect("a `# steps: begin` line");
    let indent = first.len() - first.trim_start().len();
    let body: Vec<&str> = lines
        .take_while(|l| l.trim() != "# steps: end")
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect();
    assert!(body.len() > 5, "{file}: the steps block is empty");
    body.join("\n") + "\n"
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// DD-Mon-YYYY of an ISO day, as the original script named its folders.
fn legacy_name(day: &str) -> String {
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, rest) = day.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    format!("{d}-{}-{y}", months[m.parse::<usize>().unwrap() - 1])
}

/// fake-arxiv serving the shared listings, an empty git repository, and a PATH that finds the
/// arxiv-daily under test; None (after `util::skip`) without ../shared, python3 or git.
struct Repo {
    tmp: tempfile::TempDir,
    _fake: crate::shared::Fake,
    base: String,
    fake: PathBuf,
    listings: PathBuf,
    repo: PathBuf,
    path: String,
}

impl Repo {
    fn start() -> Option<Repo> {
        let shared = shared()?;
        if Command::new("git").arg("--version").output().is_err() {
            crate::util::skip("git is not installed; the report repository test needs it");
            return None;
        }
        let fake = shared.join("tools/fake-arxiv");
        let listings = shared.join("data/listings/listings-ai-ir-cl.jsonl.gz");
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("fake")).unwrap();
        let (guard, base) = start_fake(&fake, &listings, &tmp.path().join("fake"), &[])?;
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_arxiv-daily"))
            .parent()
            .unwrap()
            .to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Some(Repo {
            tmp,
            _fake: guard,
            base,
            fake,
            listings,
            repo,
            path,
        })
    }
}

#[test]
fn the_daily_workflow_keeps_a_report_repository_over_several_days() {
    let Some(Repo {
        tmp,
        _fake,
        base,
        fake,
        listings,
        repo,
        path,
    }) = Repo::start()
    else {
        return;
    };
    let days: Vec<String> = fake_dates(&fake, &listings)
        .into_iter()
        .filter(|d| d.as_str() >= "2026-02-02")
        .take(4)
        .collect();
    assert_eq!(days.len(), 4);

    let steps = workflow_steps("examples/github/daily.yml");
    let client = reqwest::blocking::Client::new();
    for (n, day) in days.iter().enumerate() {
        client.get(format!("{base}/__today/{day}")).send().unwrap();
        // A fresh machine: a new data folder, nothing but the repository kept.
        let data = tmp.path().join(format!("data-{n}"));
        let out = Command::new("bash")
            .arg("-c")
            .arg(&steps)
            .current_dir(&repo)
            .env("PATH", &path)
            .env("ARXIV_DAILY_DATA", &data)
            .env("ARXIV_DAILY_RSS_URL", format!("{base}/rss/"))
            .env("SITE_URL", "https://example.github.io/reports")
            .env_remove("ARXIV_DAILY_OAI_URL")
            .env("GIT_AUTHOR_DATE", "2026-02-10T04:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-02-10T04:00:00Z")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "day {day}: the workflow's steps failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            git(&repo, &["rev-list", "--count", "HEAD"]).trim(),
            (n + 1).to_string(),
            "one commit per day"
        );

        // Every day so far: the folder the original script would have written.
        let expect = tmp.path().join(format!("expect-{n}"));
        expect_reports(
            &fake,
            &listings,
            &days[..=n],
            "cs.IR",
            "multimodal,multi-modal,generative,llm",
            &expect,
        );
        for d in &days[..=n] {
            let want = std::fs::read(expect.join(format!("{d}.md"))).unwrap();
            let got = std::fs::read(repo.join(legacy_name(d)).join("README.md")).unwrap();
            assert!(
                want == got,
                "{d}: README.md differs from the original script's"
            );
            assert!(repo.join(legacy_name(d)).join("papers.csv").is_file());
        }
        for f in [
            "README.md",
            "feed.atom",
            "archive/manifest.json",
            "archive/arxiv-daily.toml",
            "site/index.html",
            "site/coverage.html",
            "site/feeds/default.atom",
        ] {
            assert!(repo.join(f).is_file(), "{f} after day {day}");
        }
        let index = std::fs::read_to_string(repo.join("README.md")).unwrap();
        assert!(
            index.contains(&format!("[{0}]({0}/README.md)", legacy_name(day))),
            "{index}"
        );

        // After the first day, a day's commit touches that day's files and the pages that list
        // it, nothing else.
        if n > 0 {
            let changed: BTreeSet<String> = git(&repo, &["diff", "--name-only", "HEAD~1", "HEAD"])
                .lines()
                .map(str::to_string)
                .collect();
            let folder = legacy_name(day);
            let year = &day[..4];
            let day_file = format!("archive/days/{year}/{day}.jsonl");
            for must in [
                format!("{folder}/README.md"),
                format!("{folder}/papers.csv"),
                day_file.clone(),
                "archive/manifest.json".into(),
                "README.md".into(),
                "feed.atom".into(),
                "site/index.html".into(),
                format!("site/default/{day}/index.html"),
                format!("site/default/{day}/all.html"),
            ] {
                assert!(changed.contains(&must), "day {day}: {must} in {changed:?}");
            }
            for f in &changed {
                // (site/pagefind/ is the site's search index, where Pagefind is installed.)
                if f.starts_with(&format!("{folder}/"))
                    || f.starts_with(&format!("site/default/{day}/"))
                    || f.starts_with("site/pagefind/")
                    || *f == day_file
                {
                    continue;
                }
                assert!(
                    !f.starts_with("archive/days/"),
                    "day {day}: an earlier day's archive file changed: {f}"
                );
                let text = std::fs::read_to_string(repo.join(f)).unwrap_or_default();
                assert!(
                    text.contains(day.as_str()) || text.contains(&folder),
                    "day {day}: {f} changed but does not list the day"
                );
            }
        }
    }
    // Where Pagefind is installed the site has its search (else its box searches arXiv).
    if crate::site::pagefind().is_some() {
        assert!(repo.join("site/search.html").is_file() && repo.join("site/pagefind").is_dir());
    } else {
        crate::util::skip(
            "the site's search part: Pagefind is not installed (npm install pagefind; ARXIV_DAILY_PAGEFIND)",
        );
    }
    // The repository is the archive: a fresh import of it gives the same counts as the last run.
    let last = tmp.path().join("data-3");
    let fresh = tmp.path().join("data-fresh");
    let stats = |d: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_arxiv-daily"))
            .args(["stats", "--json"])
            .env("ARXIV_DAILY_DATA", d)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let out = Command::new(env!("CARGO_BIN_EXE_arxiv-daily"))
        .args(["archive", "import", repo.join("archive").to_str().unwrap()])
        .env("ARXIV_DAILY_DATA", &fresh)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stats(&last), stats(&fresh));
}

#[test]
fn the_backfill_workflow_fills_missing_days_and_a_second_run_changes_nothing() {
    let Some(Repo {
        tmp,
        _fake,
        base,
        repo,
        path,
        ..
    }) = Repo::start()
    else {
        return;
    };
    let steps = workflow_steps("examples/github/backfill.yml");
    let run = |n: usize| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(&steps)
            .current_dir(&repo)
            .env("PATH", &path)
            .env("ARXIV_DAILY_DATA", tmp.path().join(format!("data-{n}")))
            .env("ARXIV_DAILY_OAI_URL", format!("{base}/oai"))
            .env_remove("ARXIV_DAILY_RSS_URL")
            .env("FROM", "2026-02-09")
            .env("TO", "2026-02-13")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "run {n}: the backfill steps failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        git(&repo, &["rev-list", "--count", "HEAD"])
            .trim()
            .to_string()
    };
    assert_eq!(run(0), "1");
    let index = std::fs::read_to_string(repo.join("README.md")).unwrap();
    for day in [
        "09-Feb-2026",
        "10-Feb-2026",
        "11-Feb-2026",
        "12-Feb-2026",
        "13-Feb-2026",
    ] {
        assert!(repo.join(day).join("README.md").is_file(), "{day}: {index}");
        assert!(
            index.contains(&format!("[{day}]({day}/README.md)")),
            "{index}"
        );
    }
    assert!(index.contains("(estimated)"), "{index}");
    assert!(repo.join("archive/harvests.jsonl").is_file());
    // Again, from a fresh data folder: the harvest is done (its checkpoint came back from
    // archive/), nothing is fetched, nothing changes, no commit.
    assert_eq!(run(1), "1");
}
