//! A report repository run by the example workflow: the steps of `examples/github/daily.yml`
//! (between its `# steps: begin` and `# steps: end` lines), run as a bash script against
//! fake-arxiv (../shared) over several announcement days, in a local git repository, from a
//! fresh data folder every day as a CI machine would.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::shared::{expect_reports, fake_dates, shared, start_fake};

/// The lines of a workflow's script block between `# NAME: begin` and `# NAME: end`, without
/// their YAML indentation.
fn marked_block(file: &str, name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = (format!("# {name}: begin"), format!("# {name}: end"));
    let mut lines = text.lines().skip_while(|l| l.trim() != begin);
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("{file}: no `{begin}` line"));
    let indent = first.len() - first.trim_start().len();
    let body: Vec<&str> = lines
        .take_while(|l| l.trim() != end)
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect();
    assert!(body.len() > 3, "{file}: the {name} block is empty");
    body.join("\n") + "\n"
}

/// The steps block: what a run does before its push.
fn workflow_steps(file: &str) -> String {
    marked_block(file, "steps")
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

/// The site block: the optional step after the push.
fn site_steps(file: &str) -> String {
    marked_block(file, "site")
}

/// The day folders (DD-Mon-YYYY) at the top of `dir`.
fn day_folders(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.len() == 11 && n.as_bytes()[2] == b'-' && n.as_bytes()[6] == b'-')
        .collect()
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
        .take(5)
        .collect();
    assert_eq!(days.len(), 5);
    // The maintainer's own README: its title and introduction stay.
    let intro =
        "# Papers on multimodal retrieval\n\nKept by our lab since 2024; ask Ana about it.\n";
    std::fs::write(repo.join("README.md"), intro).unwrap();

    let steps = workflow_steps("examples/github/daily.yml");
    let site = site_steps("examples/github/daily.yml");
    let pagefind = crate::site::pagefind();
    let client = reqwest::blocking::Client::new();
    let mut commits = 0;
    // Day 2 has no run (a failed or skipped one): day 3's run fills it. Day 1's site step fails.
    for (n, day) in days.iter().enumerate() {
        if n == 2 {
            continue;
        }
        client.get(format!("{base}/__today/{day}")).send().unwrap();
        // A fresh machine: a new data folder, nothing but the repository kept.
        let data = tmp.path().join(format!("data-{n}"));
        let run = |script: &str, pagefind: Option<&Path>| {
            let mut cmd = Command::new("bash");
            cmd.arg("-c")
                .arg(script)
                .current_dir(&repo)
                .env("PATH", &path)
                .env("ARXIV_DAILY_DATA", &data)
                .env("ARXIV_DAILY_RSS_URL", format!("{base}/rss/"))
                .env("ARXIV_DAILY_OAI_URL", format!("{base}/oai"))
                .env("SITE_URL", "https://example.github.io/reports")
                .env("COMMIT_PREFIX", "arXiv daily report")
                .env("GIT_AUTHOR_DATE", "2026-02-10T04:00:00Z")
                .env("GIT_COMMITTER_DATE", "2026-02-10T04:00:00Z")
                .env_remove("ARXIV_DAILY_PAGEFIND");
            if let Some(p) = pagefind {
                cmd.env("ARXIV_DAILY_PAGEFIND", p);
            }
            cmd.output().unwrap()
        };
        let out = run(&steps, None);
        assert!(
            out.status.success(),
            "day {day}: the workflow's steps failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        commits += 1;
        assert_eq!(
            git(&repo, &["rev-list", "--count", "HEAD"]).trim(),
            commits.to_string(),
            "one commit per run"
        );
        let message = git(&repo, &["log", "-1", "--format=%s"]);
        assert!(message.contains(&legacy_name(day)), "{message}");
        if n == 3 {
            assert!(message.contains(&legacy_name(&days[2])), "{message}");
        }
        // The optional step after the commit: on day 1 it fails (a broken Pagefind), and the
        // day is committed all the same.
        let broken = Path::new("/bin/false");
        let site_out = run(
            &site,
            if n == 1 {
                Some(broken)
            } else {
                pagefind.as_deref()
            },
        );
        assert_eq!(
            site_out.status.success(),
            n != 1,
            "day {day}: the site step:\n{}",
            String::from_utf8_lossy(&site_out.stderr)
        );

        // Every day run so far: the folder the original script would have written.
        let expect = tmp.path().join(format!("expect-{n}"));
        let ran: Vec<String> = days[..=n]
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, d)| d.clone())
            .collect();
        expect_reports(
            &fake,
            &listings,
            &ran,
            "cs.IR",
            "multimodal,multi-modal,generative,llm",
            &expect,
        );
        for d in &ran {
            let want = std::fs::read(expect.join(format!("{d}.md"))).unwrap();
            let got = std::fs::read(repo.join(legacy_name(d)).join("README.md")).unwrap();
            assert!(
                want == got,
                "{d}: README.md differs from the original script's"
            );
            assert!(repo.join(legacy_name(d)).join("papers.csv").is_file());
            assert!(!repo.join(legacy_name(d)).join("ESTIMATED.md").exists());
        }
        // The day no run stored, filled by the next run from OAI-PMH and marked as estimated.
        if n >= 3 {
            let lost = repo.join(legacy_name(&days[2]));
            assert!(lost.join("README.md").is_file(), "{}", lost.display());
            assert!(lost.join("ESTIMATED.md").is_file(), "{}", lost.display());
        }
        for f in [
            "README.md",
            "feed.atom",
            "archive/manifest.json",
            "archive/arxiv-daily.toml",
        ] {
            assert!(repo.join(f).is_file(), "{f} after day {day}");
        }
        let tracked = git(&repo, &["ls-files"]);
        assert!(
            !tracked.lines().any(|l| l.starts_with("site/")),
            "the site is deployed, not committed"
        );
        if n != 1 {
            for f in [
                "site/index.html",
                "site/coverage.html",
                "site/feeds/default.atom",
            ] {
                assert!(repo.join(f).is_file(), "{f} after day {day}");
            }
        }
        let index = std::fs::read_to_string(repo.join("README.md")).unwrap();
        assert!(index.starts_with(intro), "the maintainer's text:\n{index}");
        assert!(
            index.contains(&format!("[{0}]({0}/README.md)", legacy_name(day))),
            "{index}"
        );
        assert_eq!(
            index.matches("<!-- arxiv-daily: begin").count(),
            1,
            "{index}"
        );

        // After the first day, a day's commit touches that day's files and the pages that list
        // it, nothing else.
        if n > 0 {
            let changed: BTreeSet<String> = git(&repo, &["diff", "--name-only", "HEAD~1", "HEAD"])
                .lines()
                .map(str::to_string)
                .collect();
            let new_days: Vec<&String> = if n == 3 {
                vec![&days[2], day]
            } else {
                vec![day]
            };
            for d in &new_days {
                let folder = legacy_name(d);
                for must in [
                    format!("{folder}/README.md"),
                    format!("{folder}/papers.csv"),
                    format!("archive/days/{}/{d}.jsonl", &d[..4]),
                ] {
                    assert!(changed.contains(&must), "day {day}: {must} in {changed:?}");
                }
            }
            for must in ["archive/manifest.json", "README.md", "feed.atom"] {
                assert!(changed.contains(must), "day {day}: {must} in {changed:?}");
            }
            // Files this commit adds (the second profile's first README and feed) list what
            // they list; files it changes must list a new day.
            let added = git(
                &repo,
                &["diff", "--name-only", "--diff-filter=A", "HEAD~1", "HEAD"],
            );
            for f in &changed {
                if added.lines().any(|a| a == f) {
                    continue;
                }
                if new_days.iter().any(|d| {
                    f.starts_with(&format!("{}/", legacy_name(d)))
                        || *f == format!("archive/days/{}/{d}.jsonl", &d[..4])
                        || f.starts_with(&format!("ir-agents/{}/", legacy_name(d)))
                }) || f == "archive/harvests.jsonl"
                {
                    continue;
                }
                assert!(
                    !f.starts_with("archive/days/"),
                    "day {day}: an earlier day's archive file changed: {f}"
                );
                let text = std::fs::read_to_string(repo.join(f)).unwrap_or_default();
                assert!(
                    new_days
                        .iter()
                        .any(|d| text.contains(d.as_str()) || text.contains(&legacy_name(d))),
                    "day {day}: {f} changed but does not list the day"
                );
            }
        }
        // The maintainer adds a second profile after the first run: the next runs publish it
        // too, in its own folder, with nothing added to the workflow.
        if n == 0 {
            let config = repo.join("archive/arxiv-daily.toml");
            let mut text = std::fs::read_to_string(&config).unwrap();
            text.push_str("\n[[profile]]\nname = \"ir-agents\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"agent\"]\n");
            std::fs::write(&config, text).unwrap();
            git(&repo, &["commit", "-q", "-am", "a second profile"]);
            commits += 1;
        }
        if n >= 1 {
            let second = repo.join("ir-agents");
            for f in ["README.md", "feed.atom"] {
                assert!(second.join(f).is_file(), "ir-agents/{f} after day {day}");
            }
            assert!(
                second.join(legacy_name(day)).join("README.md").is_file(),
                "ir-agents/{} after day {day}",
                legacy_name(day)
            );
            assert!(
                index.contains("[`ir-agents`](ir-agents/README.md)"),
                "{index}"
            );
        }
    }
    // Where Pagefind is installed the site has its search (else its box searches arXiv).
    if pagefind.is_some() {
        assert!(repo.join("site/search.html").is_file() && repo.join("site/pagefind").is_dir());
    } else {
        crate::util::skip(
            "the site's search part: Pagefind is not installed (npm install pagefind; ARXIV_DAILY_PAGEFIND)",
        );
    }
    // The repository is the archive: a fresh import of it gives the same counts as the last run.
    let last = tmp.path().join("data-4");
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
        fake,
        listings,
        repo,
        path,
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
            .env("COMMIT_PREFIX", "arXiv backfill")
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
    let range: Vec<String> = (9..=13).map(|d| format!("2026-02-{d:02}")).collect();
    // Only the days asked for: a harvest's records were first listed on many other days.
    assert_eq!(
        day_folders(&repo),
        range
            .iter()
            .map(|d| legacy_name(d))
            .collect::<BTreeSet<_>>(),
        "{index}"
    );
    // Each day as the day's feed listed it, papers revised since included (their datestamp is
    // after the range); estimated, and each folder says so.
    let expect = tmp.path().join("expect");
    expect_reports(
        &fake,
        &listings,
        &range,
        "cs.IR",
        "multimodal,multi-modal,generative,llm",
        &expect,
    );
    let ids = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split("](https://arxiv.org/abs/").nth(1))
            .filter_map(|rest| rest.split(')').next())
            .map(str::to_string)
            .collect()
    };
    let mut extra = 0;
    for day in &range {
        let folder = repo.join(legacy_name(day));
        let got_order = ids(&std::fs::read_to_string(folder.join("README.md")).unwrap());
        let want_order = ids(&std::fs::read_to_string(expect.join(format!("{day}.md"))).unwrap());
        let got: BTreeSet<String> = got_order.iter().cloned().collect();
        let want: BTreeSet<String> = want_order.iter().cloned().collect();
        // In the feed's order: new, cross-lists, replacements, each newest id first.
        let common: Vec<&String> = got_order.iter().filter(|i| want.contains(*i)).collect();
        assert_eq!(
            common,
            want_order.iter().collect::<Vec<_>>(),
            "{day}: the order"
        );
        // Every paper the day's feed listed is there. A paper whose cross-list to cs.IR came
        // days after its first listing is estimated on its first day (OAI-PMH serves only the
        // latest categories, not when each was added): a few extra rows, no missing one.
        assert!(want.is_subset(&got), "{day}: {want:?} not in {got:?}");
        extra += got.difference(&want).count();
        assert!(folder.join("ESTIMATED.md").is_file(), "{day}");
        assert!(
            index.contains(&format!("[{0}]({0}/README.md)", legacy_name(day))),
            "{index}"
        );
    }
    assert!(extra <= 2, "{extra} rows the feeds did not list");
    assert!(index.contains("(estimated)"), "{index}");
    assert!(repo.join("archive/harvests.jsonl").is_file());
    // Again, from a fresh data folder: the harvest is done (its checkpoint came back from
    // archive/), nothing is fetched, nothing changes, no commit.
    assert_eq!(run(1), "1");
}

/// The install block of the daily workflow.
fn install_steps() -> String {
    marked_block("examples/github/daily.yml", "install")
}

/// The workflow's install step against releases served from 127.0.0.1: a release whose checksum
/// matches is installed; a wrong pinned checksum, a release that is not there, and a git source
/// without a commit each stop with a message saying what to set, and install nothing.
#[test]
fn the_workflow_installs_a_checked_release_and_says_what_to_set_otherwise() {
    let target = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        _ => {
            crate::util::skip("the install step's test runs on Linux");
            return;
        }
    };
    for tool in ["curl", "tar", "sha256sum"] {
        if Command::new(tool).arg("--version").output().is_err() {
            crate::util::skip(&format!(
                "{tool} is not installed; the install step needs it"
            ));
            return;
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    // A release: a stand-in binary (a script printing a version) in the archive layout that
    // .github/workflows/release.yml writes, with its .sha256.
    let build = tmp.path().join("build");
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(
        build.join("arxiv-daily"),
        "#!/bin/sh\necho arxiv-daily 0.1.0\n",
    )
    .unwrap();
    let releases = tmp.path().join("releases");
    let dir = releases.join("v0.1.0");
    std::fs::create_dir_all(&dir).unwrap();
    let name = format!("arxiv-daily-{target}.tar.gz");
    let status = Command::new("tar")
        .args(["-czf", dir.join(&name).to_str().unwrap(), "-C"])
        .arg(&build)
        .arg("arxiv-daily")
        .status()
        .unwrap();
    assert!(status.success());
    let out = Command::new("sha256sum")
        .arg(&name)
        .current_dir(&dir)
        .output()
        .unwrap();
    std::fs::write(dir.join(format!("{name}.sha256")), &out.stdout).unwrap();
    let sha = String::from_utf8(out.stdout).unwrap();
    let sha = sha.split_whitespace().next().unwrap().to_string();
    let server = crate::site::FileServer::start(&releases);

    let install = install_steps();
    let run = |home: &str, env: &[(&str, &str)]| {
        let home = tmp.path().join(home);
        std::fs::create_dir_all(&home).unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(&install)
            .env("HOME", &home)
            .env("ARXIV_DAILY_VERSION", "0.1.0")
            .env("ARXIV_DAILY_RELEASES", server.base.trim_end_matches('/'))
            .env("ARXIV_DAILY_SHA256", "")
            .env("ARXIV_DAILY_GIT", "")
            .env("ARXIV_DAILY_REV", "");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let installed = home.join(".local/bin/arxiv-daily").is_file();
        (out, installed)
    };
    // The .sha256 beside the archive, then a pinned checksum.
    for (home, env) in [
        ("a", vec![]),
        ("b", vec![("ARXIV_DAILY_SHA256", sha.as_str())]),
    ] {
        let (out, installed) = run(home, &env);
        assert!(
            out.status.success() && installed,
            "{home}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("arxiv-daily 0.1.0"));
    }
    let wrong = "0".repeat(64);
    let missing = "http://127.0.0.1:9/nowhere".to_string();
    for (home, env, says) in [
        ("c", vec![("ARXIV_DAILY_SHA256", wrong.as_str())], "SHA-256"),
        (
            "d",
            vec![("ARXIV_DAILY_RELEASES", missing.as_str())],
            "set ARXIV_DAILY_RELEASES",
        ),
        (
            "e",
            vec![("ARXIV_DAILY_GIT", "https://example.invalid/arxiv-daily.git")],
            "set ARXIV_DAILY_REV",
        ),
    ] {
        let (out, installed) = run(home, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{home}: {stderr}");
        assert!(!installed, "{home}: installed all the same");
        assert!(stderr.contains(says), "{home}: {stderr}");
    }
}

/// The first run of the daily workflow in a repository of the original script's day folders,
/// with nothing else done: the folders become the archive, their bytes stay, and the new day
/// is written as run.py wrote it (compat = "feedparser": `Q&amp;A`, a tag-like `<EOS>` gone).
#[test]
fn the_first_run_in_a_repository_of_the_original_script_continues_its_bytes() {
    use crate::fixtures::{Item, feed, write_day};
    if Command::new("git").arg("--version").output().is_err() {
        crate::util::skip("git is not installed; the report repository test needs it");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    write_day(
        &repo,
        "07-Jan-2026",
        &[(
            "A generative retriever",
            "2601.00001",
            "We retrieve.",
            "A. One, B. Two",
        )],
    );
    let before = std::fs::read(repo.join("07-Jan-2026/README.md")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let s = crate::util::Server::start();
    let items = [Item {
        id: "2601.00002",
        version: 1,
        kind: "new",
        title: "An LLM for Q&A",
        abs: "We answer Q&A pairs and stop at <EOS> tokens.",
        authors: "C. Three",
        cats: &["cs.IR"],
    }];
    s.route(
        "/rss/cs.IR",
        vec![crate::util::Reply::ok(feed(
            "cs.IR",
            "Thu, 08 Jan 2026 00:00:00 -0500",
            &items,
        ))],
    );
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_arxiv-daily"))
        .parent()
        .unwrap()
        .to_path_buf();
    let out = Command::new("bash")
        .arg("-c")
        .arg(workflow_steps("examples/github/daily.yml"))
        .current_dir(&repo)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("ARXIV_DAILY_DATA", tmp.path().join("data"))
        .env("ARXIV_DAILY_RSS_URL", format!("{}/rss/", s.base))
        .env("ARXIV_DAILY_OAI_URL", format!("{}/oai", s.base))
        .env("COMMIT_PREFIX", "arXiv daily report")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the workflow's steps failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let config = std::fs::read_to_string(repo.join("archive/arxiv-daily.toml")).unwrap();
    assert!(config.contains("compat = \"feedparser\""), "{config}");
    assert_eq!(
        std::fs::read(repo.join("07-Jan-2026/README.md")).unwrap(),
        before
    );
    let new = std::fs::read_to_string(repo.join("08-Jan-2026/README.md")).unwrap();
    assert!(
        new.contains("We answer Q&amp;A pairs") && !new.contains("<EOS>"),
        "{new}"
    );
    let message = git(&repo, &["log", "-1", "--format=%s"]);
    assert!(message.contains("08-Jan-2026"), "{message}");
}
