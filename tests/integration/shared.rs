//! Conformance runs over the real data in ../shared when it is present (CI has it). Each test
//! prints that it skipped when it is absent (or python3 is, for fake-arxiv); under `CI=true` a
//! skip is a failure (`util::skip`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::util::{TestArchive, eventually, skip};

pub(crate) fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.join("data").is_dir() {
        Some(p)
    } else {
        skip("../shared is absent; this conformance test runs where it is (CI)");
        None
    }
}

#[test]
fn the_84_shared_days_import_and_export_byte_for_byte() {
    let Some(shared) = shared() else { return };
    let src = shared.join("data/legacy-reports");
    let a = TestArchive::new();
    let out = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(out.stdout.starts_with("84 files"), "{}", out.stdout);
    // "papers indexed" counts papers, each once, however the import's batches fell: the
    // archive's count, in a text archive's import as in this one.
    let papers = a.stats()["papers"].as_u64().unwrap();
    let text = a.scratch("text");
    a.run(&["archive", "export", text.to_str().unwrap()]).ok();
    let copy = TestArchive::new();
    let imported = copy
        .run(&["archive", "import", text.to_str().unwrap()])
        .ok();
    assert!(
        imported
            .stdout
            .contains(&format!("; {papers} papers indexed")),
        "{papers} papers: {}",
        imported.stdout
    );
    let reference = std::fs::read_to_string(src.join("24-Sep-2025/README.md")).unwrap();
    assert_eq!(
        a.run(&["report", "show", "24-Sep-2025"]).ok().stdout,
        reference
    );
    let exported = a.scratch("export");
    a.run(&["report", "export", exported.to_str().unwrap()])
        .ok();
    let mut days = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let day = entry.unwrap().file_name();
        for f in ["README.md", "papers.csv"] {
            let want = std::fs::read(src.join(&day).join(f)).unwrap();
            let got = std::fs::read(exported.join(&day).join(f)).unwrap_or_default();
            assert!(want == got, "{}/{f} differs", day.to_string_lossy());
        }
        days += 1;
    }
    assert_eq!(days, 84);
    let before = a.stats();
    let again = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(again.stdout.contains("84 unchanged"), "{}", again.stdout);
    assert_eq!(a.stats(), before);
}

/// The announcement days of a listings file, as fake-arxiv serves them.
pub(crate) fn fake_dates(fake: &Path, listings: &Path) -> Vec<String> {
    let dates = Command::new(fake)
        .args(["dates", "--listings", listings.to_str().unwrap()])
        .output()
        .unwrap();
    String::from_utf8(dates.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Writes OUT/DAY.md: the report the original script would write for each day's feed.
pub(crate) fn expect_reports(
    fake: &Path,
    listings: &Path,
    days: &[String],
    categories: &str,
    keywords: &str,
    out: &Path,
) {
    std::fs::create_dir_all(out).unwrap();
    let status = Command::new(fake)
        .args([
            "expect-report",
            "--listings",
            listings.to_str().unwrap(),
            "--date",
            &days.join(","),
            "--categories",
            categories,
            "--keywords",
            keywords,
            "--out-dir",
            out.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "fake-arxiv expect-report failed");
}

pub(crate) struct Fake(Child);

/// Starts `fake-arxiv serve` on a free port; None (after `skip`) without python3.
pub(crate) fn start_fake(
    fake: &Path,
    listings: &Path,
    dir: &Path,
    extra: &[&str],
) -> Option<(Fake, String)> {
    let port_file = dir.join("port");
    let mut args = vec![
        "serve",
        "--listings",
        listings.to_str().unwrap(),
        "--port",
        "0",
        "--port-file",
        port_file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    // fake-arxiv is a python3 script (`#!/usr/bin/env python3`): without python3 it would start
    // and exit at once, so look for python3 first.
    let python = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !python.is_ok_and(|s| s.success()) {
        skip(&format!(
            "python3 is not installed; {} needs it",
            fake.display()
        ));
        return None;
    }
    let child = Command::new(fake)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", fake.display()));
    let mut guard = Fake(child);
    // It writes its port once it listens.
    let port = eventually("fake-arxiv to listen (its port file)", || {
        if let Some(status) = guard.0.try_wait().unwrap() {
            panic!("fake-arxiv exited before it listened: {status}");
        }
        let port = std::fs::read_to_string(&port_file).unwrap_or_default();
        let port = port.trim();
        (!port.is_empty() && port.parse::<u16>().is_ok()).then(|| port.to_string())
    });
    Some((guard, format!("http://127.0.0.1:{port}")))
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_month_of_fake_arxiv_days_matches_the_original_script() {
    let Some(shared) = shared() else { return };
    let fake = shared.join("tools/fake-arxiv");
    let listings = shared.join("data/listings/listings-ai-ir-cl.jsonl.gz");
    let a = TestArchive::new();
    let Some((_guard, base)) = start_fake(&fake, &listings, &a.scratch("fake"), &[]) else {
        return;
    };

    let days: Vec<String> = fake_dates(&fake, &listings)
        .into_iter()
        .filter(|d| d.as_str() >= "2026-02-01" && d.as_str() <= "2026-02-28")
        .collect();
    assert!(days.len() >= 15, "{days:?}");
    a.write_config(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"multimodal\", \"multi-modal\", \"generative\", \"llm\"]\n\
         [[profile]]\nname = \"agents\"\ncategories = [\"cs.CL\"]\ntitle_keywords = [\"agent\", \"retrieval\"]\n",
    );
    let client = reqwest::blocking::Client::new();
    let rss = format!("{base}/rss/");
    let ingest = || {
        a.run(&["ingest", "--rss-url", &rss, "--min-interval", "0"])
            .ok()
    };
    for (i, day) in days.iter().enumerate() {
        client.get(format!("{base}/__today/{day}")).send().unwrap();
        ingest();
        if i == 3 {
            let again = ingest();
            assert!(again.stdout.contains("already stored"), "{}", again.stdout);
        }
    }
    for (profile, cats, keywords) in [
        ("default", "cs.IR", "multimodal,multi-modal,generative,llm"),
        ("agents", "cs.CL", "agent,retrieval"),
    ] {
        let out = a.scratch(&format!("expect-{profile}"));
        expect_reports(&fake, &listings, &days, cats, keywords, &out);
        for day in &days {
            let want = std::fs::read_to_string(out.join(format!("{day}.md"))).unwrap();
            assert_eq!(
                a.run(&["report", "show", day, "--profile", profile])
                    .ok()
                    .stdout,
                want,
                "{profile} {day}"
            );
        }
    }
}

#[test]
fn the_real_kaggle_sample_lines_import_without_errors() {
    let Some(shared) = shared() else { return };
    let samples = shared.join("data/arxiv-samples");
    let a = TestArchive::new();
    for (file, papers) in [
        (
            "kaggle_arxiv-metadata-oai-snapshot_first200lines.jsonl",
            200,
        ),
        (
            "kaggle_line_hep-th_9608091_oldstyle_id_with_affiliations.jsonl",
            201,
        ),
    ] {
        let out = a
            .run(&["import", "kaggle", samples.join(file).to_str().unwrap()])
            .ok();
        assert!(out.stdout.contains("(0 malformed"), "{}", out.stdout);
        assert_eq!(a.stats()["papers"], papers);
    }
    let show: serde_json::Value =
        serde_json::from_str(&a.run(&["show", "hep-th/9608091", "--json"]).ok().stdout).unwrap();
    assert_eq!(show["first_announced"], "1996-08-15");
}

/// The ids fake-arxiv serves for a window, fetched page by page with the library's own parser.
pub(crate) fn served_ids(
    base: &str,
    set: &str,
    from: &str,
    until: &str,
) -> std::collections::BTreeSet<String> {
    let client = reqwest::blocking::Client::new();
    let mut ids = std::collections::BTreeSet::new();
    let mut url = format!(
        "{base}/oai?verb=ListRecords&metadataPrefix=arXivRaw&set={set}&from={from}&until={until}"
    );
    loop {
        // Every 9th request is a 503 (--fail-every): ask again until the page comes.
        let body = eventually(&format!("fake-arxiv to answer {url}"), || {
            let r = client.get(&url).send().unwrap();
            r.status().is_success().then(|| r.text().unwrap())
        });
        let page = arxiv_daily::source::oai::parse(&body, &url).unwrap();
        ids.extend(page.records.iter().map(|r| r.id.to_string()));
        match page.token {
            Some(t) => {
                url = format!(
                    "{base}/oai?verb=ListRecords&resumptionToken={}",
                    t.replace('%', "%25")
                        .replace('&', "%26")
                        .replace('=', "%3D")
                        .replace('+', "%2B")
                )
            }
            None => return ids,
        }
    }
}

#[test]
fn a_two_month_backfill_from_fake_arxiv_survives_kill_9_and_places_papers_on_their_days() {
    let Some(shared) = shared() else { return };
    let fake = shared.join("tools/fake-arxiv");
    let listings = shared.join("data/listings/listings-ai-ir-cl.jsonl.gz");
    let a = TestArchive::new();
    let log = a.scratch("fake").join("requests.log");
    let Some((_guard, base)) = start_fake(
        &fake,
        &listings,
        &a.scratch("fake"),
        &[
            "--page-size",
            "40",
            "--fail-every",
            "9",
            "--retry-after",
            "1",
            "--log",
            log.to_str().unwrap(),
        ],
    ) else {
        return;
    };
    let (from, until) = ("2026-03-01", "2026-04-30");
    let args = [
        "backfill",
        "--from",
        from,
        "--to",
        until,
        "--until",
        until,
        "--set",
        "cs:cs:IR",
        "--oai-url",
        &format!("{base}/oai"),
        "--min-interval",
        "0.1",
    ];
    // kill -9 part way (once fake-arxiv has answered a few pages, a condition rather than a
    // time), then resume.
    let mut child = a
        .cmd(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let answered = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.split_whitespace().nth(1) == Some("200"))
            .count()
    };
    eventually("the backfill to have fetched 3 pages", || {
        (answered() >= 3).then_some(())
    });
    assert!(
        child.try_wait().unwrap().is_none(),
        "the backfill ended before the kill ({} pages)",
        answered()
    );
    let _ = child.kill();
    let _ = child.wait();
    let stored_before = a.stats()["papers"].as_u64().unwrap();
    a.run(&args).ok();
    let stats = a.stats();
    // No finished page was fetched again: the only page answered twice (besides 503s) may be the
    // one in flight when the kill landed, which was never stored.
    let lines = std::fs::read_to_string(&log).unwrap();
    let ok_paths: Vec<&str> = lines
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("200"))
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    let unique: std::collections::HashSet<&&str> = ok_paths.iter().collect();
    assert!(
        ok_paths.len() - unique.len() <= 1,
        "{} pages were fetched again",
        ok_paths.len() - unique.len()
    );
    // exactly the records served
    let want = served_ids(&base, "cs:cs:IR", from, until);
    let show_ids: std::collections::BTreeSet<String> = {
        let db = rusqlite::Connection::open(a.data().join("arxiv-daily.sqlite3")).unwrap();
        let mut stmt = db.prepare("SELECT arxiv_id FROM papers").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        show_ids,
        want,
        "stored {} papers, served {}",
        show_ids.len(),
        want.len()
    );
    assert!(
        stored_before < stats["papers"].as_u64().unwrap(),
        "the kill landed before the end ({stored_before})"
    );
    // at least 95% on the day fake-arxiv first listed them
    let mut first: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&listings).unwrap());
    for line in std::io::BufRead::lines(std::io::BufReader::new(gz)) {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let (id, date) = (
            v["id"].as_str().unwrap().to_string(),
            v["date"].as_str().unwrap().to_string(),
        );
        if want.contains(&id) {
            let e = first.entry(id).or_insert_with(|| date.clone());
            if date < *e {
                *e = date;
            }
        }
    }
    // Every paper's first day, as search reports it (one command for all of them).
    let hits = a.json_lines(&["search", "cat:cs.IR", "--json", "--limit", "1000000"]);
    let announced: std::collections::HashMap<&str, &str> = hits
        .iter()
        .filter_map(|h| Some((h["id"].as_str()?, h["first_announced"].as_str()?)))
        .collect();
    let mut on_day = 0;
    for id in &want {
        if announced.get(id.as_str()).copied() == first.get(id).map(String::as_str) {
            on_day += 1;
        }
    }
    assert!(
        on_day * 100 >= want.len() * 95,
        "{on_day} of {} papers on their day",
        want.len()
    );
    a.run(&["doctor"]).ok();
}
