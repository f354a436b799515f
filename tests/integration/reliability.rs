//! Bad input and damage: each case gets a message naming the input, a non-zero exit, and an
//! unchanged archive; `doctor` finds and repairs a damaged index.

use std::time::Duration;

use crate::fixtures::{Item, feed, write_quirky_days};
use crate::util::{Reply, Server, TestArchive, write};

const WED: &str = "Wed, 24 Sep 2025 00:00:00 -0400";

fn one_item() -> Vec<Item<'static>> {
    vec![Item {
        id: "2509.10001",
        version: 1,
        kind: "new",
        title: "An LLM",
        abs: "A.",
        authors: "A",
        cats: &["cs.IR"],
    }]
}

/// An archive with some content, and its stats before the bad input.
fn seeded() -> (TestArchive, serde_json::Value) {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    let s = a.stats();
    (a, s)
}

#[test]
fn bad_http_responses_leave_the_archive_unchanged() {
    let big = "x".repeat(2 * 1024 * 1024);
    let huge_item = vec![Item {
        id: "2509.10001",
        version: 1,
        kind: "new",
        title: "LLM",
        abs: &big,
        authors: "A",
        cats: &["cs.IR"],
    }];
    let cases: Vec<(&str, Vec<Reply>, &str)> = vec![
        (
            "invalid XML",
            vec![Reply::ok("<rss><channel><pubDate>x</channel></rss>")],
            "malformed XML",
        ),
        (
            "bad channel date",
            vec![Reply::ok(
                feed("cs.IR", WED, &one_item()).replace("<pubDate>Wed", "<pubDate>Xyz"),
            )],
            "not a date",
        ),
        (
            "invalid UTF-8",
            vec![Reply::bytes({
                let mut b = feed("cs.IR", WED, &one_item()).into_bytes();
                let at = b.windows(6).position(|w| w == b"An LLM").unwrap();
                b[at] = 0xff;
                b
            })],
            "not valid UTF-8",
        ),
        (
            "429 without Retry-After",
            vec![Reply::status(429, "Rate exceeded")],
            "HTTP 429",
        ),
        (
            "503 without Retry-After",
            vec![Reply::status(503, "busy")],
            "HTTP 503",
        ),
        (
            "huge field",
            vec![Reply::ok(feed("cs.IR", WED, &huge_item))],
            "more than the",
        ),
    ];
    for (what, replies, want) in cases {
        let (a, before) = seeded();
        let s = Server::start();
        s.route("/rss/cs.IR", replies);
        let out = a.ingest_from(&s, &["--timeout", "2"]).code(2);
        assert!(
            out.stderr.contains(want) && out.stderr.contains("/rss/cs.IR"),
            "{what}: {}",
            out.stderr
        );
        assert_eq!(a.stats(), before, "{what}");
    }
}

#[test]
fn every_oai_error_code_is_reported_with_its_url() {
    for code in [
        "badArgument",
        "cannotDisseminateFormat",
        "badVerb",
        "idDoesNotExist",
        "noSetHierarchy",
    ] {
        let (a, before) = seeded();
        let s = Server::start();
        let path = "/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs%3Acs%3AIR&from=2026-02-01&until=2026-02-28";
        s.route(path, vec![Reply::ok(format!(r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="{code}">why</error></OAI-PMH>"#))]);
        let out = a.backfill_from(&s, "2026-02-01", "2026-02-28").code(2);
        assert!(
            out.stderr.contains(code) && out.stderr.contains(&s.base),
            "{code}: {}",
            out.stderr
        );
        assert_eq!(a.stats(), before);
    }
}

#[test]
fn an_unwritable_data_folder_is_a_clear_error() {
    let a = TestArchive::new();
    let file = a.scratch("x").join("not-a-folder");
    write(&file, "I am a file");
    let out = a
        .cmd(&[
            "--data-dir",
            file.to_str().unwrap(),
            "ingest",
            "--feed-file",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot create the archive folder") && err.contains("not-a-folder"),
        "{err}"
    );
}

#[test]
fn a_full_disk_fails_cleanly_and_the_archive_still_opens() {
    // A 3 MiB tmpfs: the archive is created, then a large feed does not fit.
    let a = TestArchive::new();
    let mnt = a.scratch("small-disk");
    let Some(_guard) = small_disk(&mnt, "3m", "the full-disk test") else {
        return;
    };
    let data = mnt.join("data");
    let run = |args: &[&str]| a.cmd(args).env("ARXIV_DAILY_DATA", &data).output().unwrap();
    let s = Server::start();
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(feed("cs.IR", WED, &one_item()))],
    );
    assert!(
        run(&[
            "ingest",
            "--rss-url",
            &format!("{}/rss/", s.base),
            "--min-interval",
            "0"
        ])
        .status
        .success()
    );
    let stats_before = String::from_utf8(run(&["stats", "--json"]).stdout).unwrap();
    // Incompressible text, so that packing cannot make it fit.
    let mut seed = 1u64;
    let abs: String = (0..120_000)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            format!("{:x} ", seed >> 40)
        })
        .collect();
    let ids: Vec<String> = (0..20).map(|i| format!("2509.{:05}", 20000 + i)).collect();
    let items: Vec<Item<'_>> = ids
        .iter()
        .map(|id| Item {
            id,
            version: 1,
            kind: "new",
            title: "LLM",
            abs: &abs,
            authors: "A",
            cats: &["cs.IR"],
        })
        .collect();
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(feed(
            "cs.IR",
            "Thu, 25 Sep 2025 00:00:00 -0400",
            &items,
        ))],
    );
    let out = run(&[
        "ingest",
        "--rss-url",
        &format!("{}/rss/", s.base),
        "--min-interval",
        "0",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("full") || err.contains("space"), "{err}");
    let after = run(&["stats", "--json"]);
    assert!(
        after.status.success(),
        "the archive opens after a full disk"
    );
    assert_eq!(String::from_utf8(after.stdout).unwrap(), stats_before);
}

#[test]
fn doctor_finds_and_repairs_a_damaged_index() {
    let (a, _) = seeded();
    a.run(&["doctor"]).ok();
    let json: serde_json::Value =
        serde_json::from_str(&a.run(&["doctor", "--json"]).ok().stdout).unwrap();
    assert_eq!(json["ok"], true);
    // lose the index entirely
    std::fs::remove_dir_all(a.data().join("index")).unwrap();
    let out = a.run(&["doctor"]).code(2);
    assert!(out.stdout.contains("index"), "{}", out.stdout);
    a.run(&["search", "generative"]).code(2);
    let fixed = a.run(&["doctor", "--repair"]).ok();
    assert!(fixed.stdout.contains("repaired"), "{}", fixed.stdout);
    a.run(&["doctor"]).ok();
    assert_eq!(a.json_lines(&["search", "--json", "generative"]).len(), 1);
}

#[test]
fn the_index_catches_up_after_it_fell_behind() {
    let (a, _) = seeded();
    // Simulate a crash between the SQLite commit and the index commit: bump the write sequence and
    // mark a paper changed without touching the index.
    let db = rusqlite::Connection::open(a.data().join("arxiv-daily.sqlite3")).unwrap();
    db.execute_batch(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'write_seq';
         UPDATE snapshots SET title = 'Freshly renamed quantum paper' WHERE sid = (SELECT latest_sid FROM papers WHERE arxiv_id = '2601.00004');
         UPDATE papers SET index_seq = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'write_seq') WHERE arxiv_id = '2601.00004';",
    )
    .unwrap();
    drop(db);
    let out = a.run(&["doctor"]).code(2);
    assert!(
        out.stdout.contains("reflects write batch"),
        "{}",
        out.stdout
    );
    let search = a.run(&["search", "quantum"]);
    assert_eq!(search.code, 1);
    assert!(search.stderr.contains("behind"), "{}", search.stderr);
    // the next writer catches it up
    let s = Server::start();
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(feed("cs.IR", WED, &one_item()))],
    );
    a.ingest_from(&s, &[]).ok();
    assert!(
        a.run(&["search", "--json", "quantum"])
            .ok()
            .stdout
            .contains("2601.00004")
    );
    a.run(&["doctor"]).ok();
    let _ = Duration::ZERO;
}

#[test]
fn export_never_writes_outside_its_folder_and_clean_output_escapes() {
    let (a, _) = seeded();
    let out_dir = a.scratch("out");
    a.run(&["report", "export", out_dir.to_str().unwrap()]).ok();
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["07-Jan-2026", "08-Jan-2026", "10-Jan-2026"]);
    assert!(!a.tmp.path().join("README.md").exists());
}

/// A writer killed in mid-transaction while the database was in rollback-journal mode leaves a
/// hot journal that only a writable connection may roll back. Readers open read-only: they must
/// still open the archive, and see it as it was before the killed transaction.
#[test]
fn a_hot_journal_left_by_a_killed_writer_is_rolled_back_when_read() {
    let (a, before) = seeded();
    let report_before = a.run(&["report", "show", "2026-01-07"]).ok().stdout;
    let b = TestArchive::new();
    copy_dir(&a.data(), &b.data());

    let db_name = "arxiv-daily.sqlite3";
    let db = rusqlite::Connection::open(a.data().join(db_name)).unwrap();
    db.pragma_update(None, "journal_mode", "DELETE").unwrap();
    db.pragma_update(None, "cache_size", 10).unwrap();
    db.execute_batch(
        "BEGIN IMMEDIATE;
         UPDATE snapshots SET title = title || ' (rewritten)';
         CREATE TABLE junk(x);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO junk SELECT randomblob(1000) FROM n;",
    )
    .unwrap();
    // The files as a kill -9 would leave them: part of the transaction is in the database
    // file, the original pages are in the journal.
    let journal = a.data().join(format!("{db_name}-journal"));
    assert!(journal.exists(), "the cache spilled, so a journal exists");
    for name in [db_name.to_string(), format!("{db_name}-journal")] {
        std::fs::copy(a.data().join(&name), b.data().join(&name)).unwrap();
    }
    db.execute_batch("ROLLBACK").unwrap();
    drop(db);

    assert_eq!(b.stats(), before);
    assert_eq!(
        b.run(&["report", "show", "2026-01-07"]).ok().stdout,
        report_before
    );
    assert!(!b.data().join(format!("{db_name}-journal")).exists());
    b.run(&["doctor"]).ok();
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// An index written by an older arxiv-daily (its commit payload names no layout) still answers,
/// with a warning; `doctor` names the problem and `--repair` rebuilds it in the current layout.
#[test]
fn an_index_of_an_older_layout_is_flagged_and_rebuilt() {
    let (a, _) = seeded();
    let meta = a.data().join("index").join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let payload = json["payload"].as_str().unwrap().to_string();
    assert!(payload.contains("layout="), "{payload}");
    let seq_only = payload.split_whitespace().next().unwrap().to_string();
    json["payload"] = serde_json::Value::String(seq_only);
    std::fs::write(&meta, serde_json::to_string(&json).unwrap()).unwrap();

    let search = a.run(&["search", "--json", "LLM"]).ok();
    assert!(
        search.stderr.contains("older arxiv-daily"),
        "{}",
        search.stderr
    );
    let doctor = a.run(&["doctor"]).code(2);
    assert!(doctor.stdout.contains("layout 1"), "{}", doctor.stdout);
    let repair = a.run(&["doctor", "--repair"]).ok();
    assert!(repair.stdout.contains("rebuilt"), "{}", repair.stdout);
    a.run(&["doctor"]).ok();
    let search = a.run(&["search", "--json", "LLM"]).ok();
    assert!(search.stderr.is_empty(), "{}", search.stderr);
}

/// Incompressible words, so that neither packing nor the index's compression can make them fit.
fn noise(words: usize, seed: u64) -> String {
    let mut s = seed;
    (0..words)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            format!("w{:x} ", s >> 36)
        })
        .collect()
}

#[test]
fn a_full_disk_under_the_index_is_an_index_error_and_kaggle_exits_non_zero() {
    // The archive on an ordinary disk, its `index/` on a 512 KiB tmpfs: SQLite commits, the index
    // cannot. The error must name the index folder, not the archive database.
    let a = TestArchive::new();
    let s = Server::start();
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(feed("cs.IR", WED, &one_item()))],
    );
    a.ingest_from(&s, &[]).ok();
    let index = a.data().join("index");
    let saved = a.scratch("index-copy");
    for entry in std::fs::read_dir(&index).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, saved.join(p.file_name().unwrap())).unwrap();
    }
    let Some(guard) = small_disk(&index, "512k", "the index full-disk test") else {
        return;
    };
    for entry in std::fs::read_dir(&saved).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, index.join(p.file_name().unwrap())).unwrap();
    }
    let file = a.scratch("k").join("snapshot.jsonl");
    let lines: Vec<String> = (0..16)
        .map(|i| {
            format!(
                r#"{{"id":"2603.{:05}","authors":"A. One","title":"Paper {i}","categories":"cs.IR","abstract":"{}","versions":[{{"version":"v1","created":"Mon, 2 Mar 2026 15:00:00 GMT"}}],"update_date":"2026-03-02"}}"#,
                i + 1,
                noise(6_000, i)
            )
        })
        .collect();
    write(&file, &lines.join("\n"));
    let out = a.run(&["import", "kaggle", file.to_str().unwrap()]).code(2);
    assert!(
        out.stderr.contains("search index") && out.stderr.contains(index.to_str().unwrap()),
        "names the index folder: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("archive database"),
        "not an error of the database: {}",
        out.stderr
    );
    assert_eq!(a.stats()["papers"], 17, "SQLite kept the import");
    drop(guard);
    a.run(&["doctor", "--repair"]).ok();
    assert_eq!(
        a.json_lines(&["search", "--json", "paper", "--limit", "100"])
            .len(),
        16
    );
}

#[test]
fn mangled_bookkeeping_is_corruption_that_doctor_repairs_never_a_silent_zero() {
    let (a, _) = seeded();
    let papers = a.stats()["papers"].as_u64().unwrap() as usize;
    let meta = a.data().join("index").join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let mangled = regex_free_replace_payload(&text, "seq=oops layout=3");
    std::fs::write(&meta, mangled).unwrap();
    // A writer refuses to go on (before the fix it read seq 0 and indexed every paper again).
    let s = Server::start();
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(feed("cs.IR", WED, &one_item()))],
    );
    let out = a.ingest_from(&s, &[]).code(2);
    assert!(
        out.stderr.contains("commit payload") && out.stderr.contains("doctor --repair"),
        "{}",
        out.stderr
    );
    let out = a.run(&["search", "generative"]).code(2);
    assert!(out.stderr.contains("commit payload"), "{}", out.stderr);
    let doctor = a.run(&["doctor"]).code(2);
    assert!(
        doctor.stdout.contains("problem: search index"),
        "{}",
        doctor.stdout
    );
    a.run(&["doctor", "--repair"]).ok();
    a.run(&["doctor"]).ok();
    let all = a.json_lines(&["search", "--json", "--limit", "1000", "cat:cs.IR"]);
    assert_eq!(all.len(), papers, "each paper once");

    // The SQLite side: a write-batch counter that does not parse.
    {
        let db = rusqlite::Connection::open(a.data().join("arxiv-daily.sqlite3")).unwrap();
        db.execute("UPDATE meta SET value = 'x7' WHERE key = 'write_seq'", [])
            .unwrap();
    }
    let out = a.ingest_from(&s, &[]).code(2);
    assert!(out.stderr.contains("write_seq"), "{}", out.stderr);
    let doctor = a.run(&["doctor", "--json"]).code(2);
    assert!(
        doctor.stdout.contains("meta.write_seq"),
        "{}",
        doctor.stdout
    );
    let fixed = a.run(&["doctor", "--repair"]).ok();
    assert!(
        fixed.stdout.contains("rewrote the write-batch counter"),
        "{}",
        fixed.stdout
    );
    a.ingest_from(&s, &[]).ok();
    a.run(&["doctor"]).ok();
}

/// Replaces the value of `"payload"` in Tantivy's meta.json.
fn regex_free_replace_payload(meta: &str, payload: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(meta).unwrap();
    v["payload"] = serde_json::Value::String(payload.to_string());
    v.to_string()
}

/// Unmounts a test's small disk when dropped.
struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Mounts a tmpfs of `size` on `dir` (root only); `None`, after `util::skip`, elsewhere (CI runs
/// as root, where a skip is a failure).
fn small_disk(dir: &std::path::Path, size: &str, what: &str) -> Option<Unmount> {
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .output();
    match mounted {
        Ok(out) if out.status.success() => Some(Unmount(dir.to_path_buf())),
        Ok(out) => {
            crate::util::skip(&format!(
                "cannot mount a tmpfs here (needs root): {}; {what} runs in CI as root",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            None
        }
        Err(e) => {
            crate::util::skip(&format!(
                "cannot run mount ({e}); {what} runs in CI as root"
            ));
            None
        }
    }
}

/// Damage SQLite itself reports is not something `--repair` can fix: `doctor` says so and what
/// can be done, and does not send the user to `--repair` for it.
#[test]
fn doctor_says_what_to_do_about_damage_repair_cannot_fix() {
    let (a, _) = seeded();
    let db = rusqlite::Connection::open(a.data().join("arxiv-daily.sqlite3")).unwrap();
    db.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM snapshots WHERE sid = (SELECT latest_sid FROM papers WHERE arxiv_id = '2601.00004');",
    )
    .unwrap();
    drop(db);
    for args in [&["doctor"][..], &["doctor", "--repair"]] {
        let out = a.run(args).code(2);
        assert!(
            out.stderr.contains("cannot fix") && out.stderr.contains(".recover"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            !out.stderr
                .contains("run `arxiv-daily doctor --repair` to fix"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// `report rerun` (one day, or a range) changes the archive through the write path: when it
/// returns, the index is caught up (a search does not warn, `doctor` finds nothing).
#[test]
fn report_rerun_leaves_the_index_caught_up() {
    let a = crate::serve::archive();
    // A rule that keeps nothing: every day's report changes.
    a.write_config(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"nothing-matches-this\"]\n",
    );
    let reruns: [&[&str]; 2] = [
        &["report", "rerun", "2026-03-02"],
        &[
            "report",
            "rerun",
            "--from",
            "2026-03-03",
            "--to",
            "2026-03-04",
        ],
    ];
    for args in reruns {
        let out = a.run(args).ok();
        assert!(
            out.stdout.contains('-'),
            "{args:?} changed a report: {}",
            out.stdout
        );
        let search = a.run(&["search", "retrieval"]).ok();
        assert!(
            !search.stderr.contains("behind"),
            "{args:?}: {}",
            search.stderr
        );
        a.run(&["doctor"]).ok();
    }
}
