//! `archive export` / `archive import`: the archive as text gives back the same archive (every
//! output byte for byte), merges idempotently, exports incrementally, and refuses a damaged file
//! by file and line without storing half of its day.

use std::path::{Path, PathBuf};

use crate::backfill::{FIRST, page, record};
use crate::determinism::{assert_same, corpus, outputs, write_lines};
use crate::fixtures::{feed, write_quirky_days};
use crate::ingest::{THU, WED, items, thursday_items};
use crate::util::{Reply, Server, TestArchive, files_under as files};

/// An archive with every kind of row: Kaggle-estimated listings (with ties for search), legacy
/// reports (links, multi-line abstracts, an empty day, a changed title), an RSS feed (the
/// ledger, announce types), an OAI harvest (checkpoints, rejected records).
fn rich_archive(dir: &Path) -> (TestArchive, Server) {
    let a = TestArchive::new();
    let kaggle = write_lines(&dir.join("kaggle.jsonl"), &corpus(400));
    a.run(&["import", "kaggle", kaggle.to_str().unwrap()]).ok();
    let legacy = dir.join("legacy");
    write_quirky_days(&legacy);
    a.run(&["import", "legacy", legacy.to_str().unwrap()]).ok();
    let s = Server::start();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", WED, &items()))]);
    a.ingest_from(&s, &[]).ok();
    let good = record(
        "2602.00001",
        "Tue, 03 Feb 2026 15:00:00 GMT",
        "cs.IR",
        "Good",
    );
    let bad = record("2602.00002", "the third of February", "cs.IR", "Bad date");
    s.route(FIRST, vec![Reply::ok(page(&[good, bad], None))]);
    a.backfill_from(&s, "2026-02-01", "2026-02-28").ok();
    (a, s)
}

fn export(a: &TestArchive, dir: &Path) -> serde_json::Value {
    let out = a
        .run(&["archive", "export", dir.to_str().unwrap(), "--json"])
        .ok();
    serde_json::from_str(out.stdout.trim()).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        let p = to.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

#[test]
fn the_text_form_imports_back_into_the_same_archive_and_merges_idempotently() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, _s) = rich_archive(tmp.path());
    let text = tmp.path().join("text");
    let first = export(&base, &text);
    let names: Vec<String> = files(&text).into_keys().collect();
    for want in [
        "manifest.json",
        "arxiv-daily.toml",
        "rejected.jsonl",
        "harvests.jsonl",
        "days/2025/2025-09-24.jsonl",
        "days/2026/2026-01-10.jsonl",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    assert!(first["written"].as_u64().unwrap() > 10, "{first}");
    let day = std::fs::read_to_string(text.join("days/2025/2025-09-24.jsonl")).unwrap();
    for kind in [
        "{\"snapshot\":",
        "{\"listing\":",
        "{\"feed\":",
        "{\"report\":",
        "{\"report_row\":",
    ] {
        assert!(day.contains(kind), "the RSS day holds {kind}:\n{day}");
    }

    // Into an empty data folder: the same archive, every output byte for byte.
    let copy = TestArchive::new();
    copy.run(&["archive", "import", text.to_str().unwrap()])
        .ok();
    assert_eq!(
        std::fs::read(copy.data().join("arxiv-daily.toml")).unwrap(),
        std::fs::read(base.data().join("arxiv-daily.toml")).unwrap(),
        "a fresh folder takes the exported config"
    );
    assert_same("imported from text", &outputs(&base), &outputs(&copy));
    for args in [
        &["status", "--json"][..],
        &["show", "--json", "2601.00003"],
        &["show", "--json", "2509.10001"],
        &["report", "show", "2026-01-07", "--format", "csv"],
        &["report", "show", "2026-01-10"],
    ] {
        assert_eq!(base.run(args).stdout, copy.run(args).stdout, "{args:?}");
    }
    // Its export is the same bytes, file for file.
    let again = tmp.path().join("again");
    export(&copy, &again);
    assert!(
        files(&text) == files(&again),
        "export(import(export)) == export"
    );

    // Importing again changes nothing: every day unchanged, no row written.
    let out = copy
        .run(&["archive", "import", text.to_str().unwrap(), "--json"])
        .ok();
    let out: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(out["indexed"], 0, "{out}");
    let summary = &out["summary"];
    assert!(summary["days"].as_u64().unwrap() > 10, "{summary}");
    assert_eq!(summary["days"], summary["unchanged"], "{summary}");
    for count in [
        "new_papers",
        "new_snapshots",
        "listings_changed",
        "reports_new",
        "reports_updated",
        "other_changes",
    ] {
        assert_eq!(summary[count], 0, "{count}: {summary}");
    }
    copy.run(&["doctor"]).ok();

    // Into a non-empty archive it merges: one that has only the RSS day gets the rest.
    let other = TestArchive::new();
    let s = Server::start();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", WED, &items()))]);
    other.ingest_from(&s, &[]).ok();
    other
        .run(&["archive", "import", text.to_str().unwrap()])
        .ok();
    assert_eq!(other.stats(), base.stats());
}

#[test]
fn export_is_incremental_a_new_day_writes_its_file_and_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, s) = rich_archive(tmp.path());
    let text = tmp.path().join("text");
    export(&a, &text);
    let unchanged = export(&a, &text);
    assert_eq!(unchanged["written"], 0, "{unchanged}");

    let thursday = thursday_items();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", THU, &thursday))]);
    a.ingest_from(&s, &[]).ok();
    let next = export(&a, &text);
    let written: Vec<&str> = next["paths_written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        written,
        ["days/2025/2025-09-25.jsonl", "manifest.json"],
        "{next}"
    );
}

/// The day files of a text archive, in day order.
fn day_files(text: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = files(text)
        .into_iter()
        .filter(|(n, _)| n.starts_with("days/"))
        .map(|(n, _)| text.join(n))
        .collect();
    out.sort();
    out
}

#[test]
fn a_damaged_file_is_named_by_line_and_nothing_of_its_day_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, _s) = rich_archive(tmp.path());
    let good = tmp.path().join("text");
    export(&base, &good);
    let days = day_files(&good);
    // The legacy day of 8 Jan 2026: its report must not appear half-imported.
    let victim = days
        .iter()
        .position(|p| p.ends_with("2026-01-08.jsonl"))
        .unwrap();
    let rel = days[victim].strip_prefix(&good).unwrap().to_path_buf();

    let damage = |name: &str, edit: &dyn Fn(&str) -> String| -> (TestArchive, String) {
        let bad = tmp.path().join(name);
        copy_dir(&good, &bad);
        let f = bad.join(&rel);
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&f, edit(&text)).unwrap();
        let a = TestArchive::new();
        let out = a.run(&["archive", "import", bad.to_str().unwrap()]).code(2);
        (a, format!("{}\n{}", out.stderr, f.display()))
    };

    // A line that is not JSON: the error names the file and the line.
    let (a, err) = damage("broken", &|t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        let half = lines[1].len() / 2;
        lines[1].truncate(half);
        lines.join("\n") + "\n"
    });
    let file = err.lines().last().unwrap().to_string();
    assert!(
        err.contains(&format!("{file}:2: EOF while parsing")),
        "{err}"
    );
    assert!(
        err.contains("(column ") && !err.contains("at line"),
        "{err}"
    );
    // The days before it are in; nothing of it (its report, its listing) is.
    a.run(&["report", "show", "2026-01-07"]).ok();
    a.run(&["report", "show", "2026-01-08"]).code(1);
    a.run(&["show", "--json", "2601.00004"]).code(1);
    // A rerun after the file is put right completes the archive.
    copy_dir(&good, &tmp.path().join("broken"));
    a.run(&[
        "archive",
        "import",
        tmp.path().join("broken").to_str().unwrap(),
    ])
    .ok();
    assert_eq!(a.stats(), base.stats());

    // Valid JSON with a changed abstract: the hash no longer matches; named by line.
    let (_, err) = damage("edited", &|t| t.replacen("New abstract.", "Edited.", 1));
    assert!(err.contains("does not have the hash it records"), "{err}");
    assert!(err.contains(".jsonl:1:"), "{err}");

    // A file cut at a line boundary parses, but is not what the manifest recorded.
    let (_, err) = damage("cut", &|t| {
        let lines: Vec<&str> = t.lines().collect();
        lines[..lines.len() - 1].join("\n") + "\n"
    });
    assert!(err.contains("the manifest records"), "{err}");

    // A folder that is not a text archive: said before anything is created.
    let none = TestArchive::new();
    let out = none
        .run(&[
            "archive",
            "import",
            tmp.path().join("legacy").to_str().unwrap(),
        ])
        .code(2);
    assert!(
        out.stderr.contains("manifest.json: cannot read"),
        "{}",
        out.stderr
    );
    assert!(!none.data().exists(), "no archive was created");
}

/// `archive import` of a copy of `good` that `spoil` changed: exit 2, stderr, and nothing
/// written (the data folder is not even created).
fn refused(tmp: &Path, good: &Path, name: &str, spoil: &dyn Fn(&Path)) -> String {
    let bad = tmp.join(name);
    copy_dir(good, &bad);
    spoil(&bad);
    let a = TestArchive::new();
    let out = a
        .cmd(&["archive", "import", bad.to_str().unwrap()])
        .env("ARXIV_DAILY_CANARY", "canary-7c1e")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert!(!stderr.contains("canary-7c1e"), "{name}: {stderr}");
    assert!(
        !a.data().exists(),
        "{name}: nothing is written: {:?}",
        files(&a.data()).keys().collect::<Vec<_>>()
    );
    stderr
}

/// Replaces `path` with a symbolic link to `target`.
fn link(path: &Path, target: &Path) {
    if path.is_dir() {
        std::fs::remove_dir_all(path).unwrap();
    } else {
        std::fs::remove_file(path).unwrap();
    }
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// Adds a file entry to the manifest.
fn list_in_manifest(dir: &Path, path: &str) {
    let m = dir.join("manifest.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    v["files"].as_array_mut().unwrap().push(serde_json::json!({
        "path": path,
        "lines": 1,
        "sha256": "0000000000000000000000000000000000000000000000000000000000000000",
    }));
    std::fs::write(&m, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

#[test]
fn archive_import_reads_only_the_regular_files_inside_its_folder_and_checks_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, _s) = rich_archive(tmp.path());
    let good = tmp.path().join("text");
    export(&base, &good);
    let outside = tmp.path().join("outside");
    copy_dir(&good, &outside);
    let day = day_files(&good)[0]
        .strip_prefix(&good)
        .unwrap()
        .to_path_buf();
    let year = day.parent().unwrap().to_path_buf();

    // The config as a link to the environment: neither printed nor copied.
    let err = refused(tmp.path(), &good, "environ", &|d| {
        link(&d.join("arxiv-daily.toml"), Path::new("/proc/self/environ"))
    });
    assert!(
        err.contains("arxiv-daily.toml") && err.contains("symbolic link"),
        "{err}"
    );
    // A day's file, rejected.jsonl, the manifest, a folder on the way: links to copies outside.
    for (name, rel) in [
        ("day-link", day.clone()),
        ("rejected-link", PathBuf::from("rejected.jsonl")),
        ("manifest-link", PathBuf::from("manifest.json")),
        ("folder-link", year.clone()),
    ] {
        let err = refused(tmp.path(), &good, name, &|d| {
            link(&d.join(&rel), &outside.join(&rel))
        });
        assert!(err.contains("symbolic link"), "{name}: {err}");
        assert!(err.contains(&*rel.to_string_lossy()), "{name}: {err}");
    }
    // Paths that leave the folder are refused by name, not skipped.
    for escaping in [
        "../../etc/passwd",
        "/etc/passwd",
        "days/../../outside/x.jsonl",
    ] {
        let err = refused(tmp.path(), &good, "escape", &|d| {
            list_in_manifest(d, escaping)
        });
        assert!(err.contains(escaping), "{escaping}: {err}");
        assert!(
            err.contains("outside the archive folder"),
            "{escaping}: {err}"
        );
        std::fs::remove_dir_all(tmp.path().join("escape")).unwrap();
    }
    // The config is the user's to edit in place (a report repository's profiles live there):
    // an edited one is taken as it is, whatever SHA-256 the manifest recorded...
    let edited = tmp.path().join("config-edited");
    copy_dir(&good, &edited);
    let c = edited.join("arxiv-daily.toml");
    let mut text = std::fs::read_to_string(&c).unwrap();
    text.push_str("\n[[profile]]\nname = \"added\"\ncategories = [\"cs.CL\"]\n");
    std::fs::write(&c, &text).unwrap();
    let a = TestArchive::new();
    a.run(&["archive", "import", edited.to_str().unwrap()]).ok();
    assert_eq!(
        std::fs::read_to_string(a.data().join("arxiv-daily.toml")).unwrap(),
        text
    );
    // ...but one that does not read as a config is refused, by name, before anything is written.
    let err = refused(tmp.path(), &good, "config-broken", &|d| {
        std::fs::write(d.join("arxiv-daily.toml"), "[[profile]\nname = 1\n").unwrap();
    });
    assert!(err.contains("arxiv-daily.toml"), "{err}");
}
