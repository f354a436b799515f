//! Same archive, same bytes: every output is a function of what the archive holds, never of how
//! it was built (in one go, killed and resumed, in another order or batch size, rebuilt by
//! `doctor --repair`), and pages of a search continue each other exactly.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::util::{TestArchive, write};

const WORDS: [&str; 8] = [
    "retrieval",
    "generation",
    "graph",
    "ranking",
    "language",
    "model",
    "search",
    "agents",
];

/// Kaggle lines of `n` papers from a tiny vocabulary, so that many papers score alike (titles and
/// abstracts of equal length and the same words): queries whose cut-off runs through a tie.
pub(crate) fn corpus(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let w = |k: usize| WORDS[(i / k) % WORDS.len()];
            let (a, b) = (w(1), w(3));
            let day = 2 + (i % 9);
            let versions = if i % 5 == 0 {
                format!(
                    r#"{{"version":"v1","created":"Mon, {day} Mar 2026 15:00:00 GMT"}},{{"version":"v2","created":"Mon, {} Mar 2026 15:00:00 GMT"}}"#,
                    day + 7
                )
            } else {
                format!(r#"{{"version":"v1","created":"Mon, {day} Mar 2026 15:00:00 GMT"}}"#)
            };
            format!(
                r#"{{"id":"2603.{:05}","authors":"Ana One, Bo Two","title":"On {a} and {b}","categories":"{}","abstract":"  We study {a} for {b} with a common baseline.\n","versions":[{versions}]}}"#,
                i + 1,
                if i % 3 == 0 { "cs.IR cs.CL" } else { "cs.IR" }
            )
        })
        .collect()
}

pub(crate) fn write_lines(path: &Path, lines: &[String]) -> PathBuf {
    write(path, &(lines.join("\n") + "\n"));
    path.to_path_buf()
}

/// Everything a user can read out of an archive, as text.
pub(crate) fn outputs(a: &TestArchive) -> Vec<(String, String)> {
    let mut all = Vec::new();
    let mut run = |args: &[&str]| {
        let out = a.run(args);
        assert!(out.code == 0 || out.code == 1, "{args:?}: {}", out.stderr);
        all.push((args.join(" "), out.stdout));
    };
    for q in [
        "retrieval",
        "model",
        "graph ranking",
        "\"common baseline\"",
        "ti:search",
        "abs:agents -graph",
    ] {
        for limit in ["7", "25", "1000"] {
            run(&["search", "--json", "--limit", limit, q]);
            run(&["search", "--json", "--limit", limit, "--sort", "date", q]);
        }
    }
    run(&[
        "search",
        "--json",
        "--limit",
        "30",
        "--category",
        "cs.CL",
        "language",
    ]);
    run(&[
        "search",
        "--json",
        "--limit",
        "30",
        "--from",
        "2026-03-05",
        "--to",
        "2026-03-06",
        "model",
    ]);
    run(&["report", "list", "--json"]);
    run(&["stats", "--json"]);
    for day in ["2026-03-03", "2026-03-04", "2026-03-10", "2026-03-17"] {
        run(&["report", "show", day, "--json"]);
    }
    for id in ["2603.00001", "2603.00006", "2603.00200"] {
        run(&["show", "--json", id]);
    }
    let export = a.scratch("export");
    run(&["report", "export", export.to_str().unwrap()]);
    let mut days: Vec<_> = std::fs::read_dir(&export)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    days.sort();
    for d in days {
        for f in ["README.md", "papers.csv"] {
            all.push((
                format!("export {}", d.join(f).display())
                    .replace(export.to_str().unwrap(), "EXPORT"),
                std::fs::read_to_string(d.join(f)).unwrap(),
            ));
        }
    }
    all
}

pub(crate) fn assert_same(way: &str, want: &[(String, String)], got: &[(String, String)]) {
    assert_eq!(want.len(), got.len(), "{way}");
    for ((what, a), (_, b)) in want.iter().zip(got) {
        assert!(
            a == b,
            "{way}: `{what}` differs:\n--- uninterrupted\n{a}\n--- {way}\n{b}"
        );
    }
}

#[test]
fn the_same_content_gives_the_same_bytes_however_the_archive_was_built() {
    let n = 1500;
    let lines = corpus(n);
    let dir = tempfile::tempdir().unwrap();
    let full = write_lines(&dir.path().join("all.jsonl"), &lines);

    // 1. Uninterrupted, one batch.
    let base = TestArchive::new();
    base.run(&["import", "kaggle", full.to_str().unwrap()]).ok();
    let want = outputs(&base);
    assert!(
        want.iter()
            .any(|(w, out)| w.starts_with("search --json --limit 7 model")
                && out.lines().count() == 7),
        "the queries find enough papers to cut through ties"
    );

    // 2. Another order (reversed) in small batches, and in overlapping halves: the overlap is
    // upserted, which leaves deleted documents in the index's segments.
    let other = TestArchive::new();
    let mut reversed = lines.clone();
    reversed.reverse();
    let first = write_lines(&dir.path().join("first.jsonl"), &reversed[..900]);
    let second = write_lines(&dir.path().join("second.jsonl"), &reversed[600..]);
    for part in [&first, &second] {
        other
            .cmd(&["import", "kaggle", part.to_str().unwrap()])
            .env("ARXIV_DAILY_KAGGLE_BATCH", "97")
            .output()
            .unwrap();
    }
    other.run(&["doctor"]).ok();
    assert_same(
        "reversed, batches of 97, overlapping halves",
        &want,
        &outputs(&other),
    );

    // 3. Killed with SIGKILL at several moments, then run again to the end. The delays grow
    // while a kill leaves nothing stored (a loaded machine starts slowly), so that the kills land
    // mid-import however fast the machine is; at most 12 tries.
    let killed = TestArchive::new();
    let mut landed = 0;
    let mut left_partial = false;
    let mut wait_ms = 40u64;
    for i in 0..12 {
        let mut child = killed
            .cmd(&["import", "kaggle", full.to_str().unwrap()])
            .env("ARXIV_DAILY_KAGGLE_BATCH", format!("{}", 50 + 31 * (i % 5)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait_ms));
        if child.try_wait().unwrap().is_none() {
            landed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        // A kill that lands before the archive is created leaves none (`stats` then says so, and
        // exits 2): nothing stored yet.
        let papers = if killed.data().join("arxiv-daily.sqlite3").exists() {
            killed.stats()["papers"].as_u64().unwrap()
        } else {
            0
        };
        if papers > 0 && papers < n as u64 {
            left_partial = true;
            if landed >= 5 {
                break;
            }
        }
        // Once a kill has left part of it, each rerun goes on from there: a small step keeps the
        // next kills inside what is left (a release build imports the whole corpus in a
        // fraction of a second).
        wait_ms = if papers == 0 {
            wait_ms * 2
        } else {
            wait_ms + 10
        };
    }
    eprintln!("kill -9 landed mid-import {landed} times");
    assert!(landed >= 3, "the kills must land while the import runs");
    assert!(left_partial, "a kill left part of the {n} papers stored");
    killed
        .run(&["import", "kaggle", full.to_str().unwrap()])
        .ok();
    killed.run(&["doctor"]).ok();
    assert_same("killed and resumed", &want, &outputs(&killed));

    // 4. The index rebuilt from SQLite by `doctor --repair` (one fresh set of segments).
    std::fs::remove_dir_all(other.data().join("index")).unwrap();
    other.run(&["doctor", "--repair"]).ok();
    assert_same("index rebuilt", &want, &outputs(&other));
}

#[test]
fn pages_of_a_search_continue_each_other_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let a = TestArchive::new();
    let file = write_lines(&dir.path().join("c.jsonl"), &corpus(400));
    a.run(&["import", "kaggle", file.to_str().unwrap()]).ok();
    for sort in ["relevance", "date"] {
        for q in ["model", "common baseline"] {
            let all = a
                .run(&["search", "--json", "--sort", sort, "--limit", "1000", q])
                .ok()
                .stdout;
            let total = all.lines().count();
            assert!(total > 30, "{q}: {total} hits");
            let mut paged = String::new();
            let mut offset = 0;
            loop {
                let off = offset.to_string();
                let page = a.run(&[
                    "search", "--json", "--sort", sort, "--limit", "10", "--offset", &off, q,
                ]);
                if page.code == 1 {
                    break;
                }
                let page = page.ok().stdout;
                assert!(page.lines().count() <= 10);
                paged.push_str(&page);
                offset += 10;
            }
            assert_eq!(paged, all, "{sort} {q}: pages of 10 = one page of 1000");
        }
    }
}

#[test]
fn scores_do_not_count_replaced_documents() {
    // Papers listed again on later days are upserted in the index, which leaves deleted documents
    // in older segments. Imported day by day (each run commits the index), or in one run, the
    // archive holds the same; so must every score and order.
    let src = tempfile::tempdir().unwrap();
    let days = [
        "02-Mar-2026",
        "03-Mar-2026",
        "04-Mar-2026",
        "05-Mar-2026",
        "06-Mar-2026",
    ];
    let ids: Vec<String> = (0..120).map(|i| format!("2603.{:05}", i + 1)).collect();
    let titles: Vec<String> = (0..120)
        .map(|i| format!("On {} and {}", WORDS[i % 8], WORDS[(i / 8) % 8]))
        .collect();
    for (d, day) in days.iter().enumerate() {
        // Each day lists 40 papers, half of them listed the day before too.
        let rows: Vec<(&str, &str, &str, &str)> = (d * 20..d * 20 + 40)
            .map(|i| {
                (
                    titles[i].as_str(),
                    ids[i].as_str(),
                    "We study it with a common baseline.",
                    "A. One",
                )
            })
            .collect();
        crate::fixtures::write_day(src.path(), day, &rows);
    }
    let at_once = TestArchive::new();
    at_once
        .run(&["import", "legacy", src.path().to_str().unwrap()])
        .ok();
    let day_by_day = TestArchive::new();
    for day in days.iter().rev() {
        day_by_day
            .run(&["import", "legacy", src.path().join(day).to_str().unwrap()])
            .ok();
    }
    for q in ["retrieval", "model ranking", "common", "ti:search"] {
        let args = ["search", "--json", "--limit", "15", q];
        assert_eq!(
            at_once.run(&args).ok().stdout,
            day_by_day.run(&args).ok().stdout,
            "{q}"
        );
    }
}
