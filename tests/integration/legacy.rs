//! `import legacy`, `report show|list|export`, `show`, `stats`.

use crate::fixtures::{legacy_csv, legacy_readme, write_day, write_quirky_days};
use crate::util::{TestArchive, write};

#[test]
fn quirky_days_import_and_export_byte_for_byte() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    let out = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(out.stdout.contains("3 files, 5 rows"), "{}", out.stdout);
    for day in ["07-Jan-2026", "08-Jan-2026", "10-Jan-2026"] {
        let md = std::fs::read_to_string(src.join(day).join("README.md")).unwrap();
        let csv = std::fs::read_to_string(src.join(day).join("papers.csv")).unwrap();
        assert_eq!(a.run(&["report", "show", day]).ok().stdout, md, "{day}");
        assert_eq!(
            a.run(&["report", "show", day, "--format", "csv"])
                .ok()
                .stdout,
            csv,
            "{day}"
        );
    }
    // The ISO date names the same day.
    assert_eq!(
        a.run(&["report", "show", "2026-01-07"]).ok().stdout,
        std::fs::read_to_string(src.join("07-Jan-2026/README.md")).unwrap()
    );
    let exported = a.scratch("export");
    a.run(&["report", "export", exported.to_str().unwrap()])
        .ok();
    for day in ["07-Jan-2026", "08-Jan-2026", "10-Jan-2026"] {
        for f in ["README.md", "papers.csv"] {
            assert_eq!(
                std::fs::read(exported.join(day).join(f)).unwrap(),
                std::fs::read(src.join(day).join(f)).unwrap(),
                "{day}/{f}"
            );
        }
    }
}

#[test]
fn reimport_changes_nothing() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    let before = a.stats();
    let db = std::fs::read(a.data().join("arxiv-daily.sqlite3")).unwrap();
    let out = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(
        out.stdout
            .contains("0 new papers, 0 new snapshots, 0 new reports, 0 updated, 3 unchanged"),
        "{}",
        out.stdout
    );
    assert_eq!(a.stats(), before);
    assert_eq!(
        std::fs::read(a.data().join("arxiv-daily.sqlite3")).unwrap(),
        db
    );
}

#[test]
fn a_changed_title_keeps_both_snapshots_and_each_day_its_text() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    let show: serde_json::Value =
        serde_json::from_str(&a.run(&["show", "2601.00003", "--json"]).ok().stdout).unwrap();
    assert_eq!(show["first_announced"], "2026-01-07");
    let titles: Vec<&str> = show["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Old title for a Generative model",
            "New title for a Generative model"
        ]
    );
    assert_eq!(show["listings"].as_array().unwrap().len(), 2);
    assert!(
        a.run(&["report", "show", "07-Jan-2026"])
            .ok()
            .stdout
            .contains("Old abstract.")
    );
    assert!(
        a.run(&["report", "show", "08-Jan-2026"])
            .ok()
            .stdout
            .contains("New abstract.")
    );
    // search shows the latest snapshot once
    let hits = a.run(&["search", "generative", "--json"]).ok().stdout;
    let ids: Vec<&str> = hits.lines().filter(|l| l.contains("2601.00003")).collect();
    assert_eq!(ids.len(), 1);
    assert!(ids[0].contains("New title"), "{hits}");
    // legacy reports do not give categories, but their listing does
    assert_eq!(a.json_lines(&["search", "--json", "cat:cs.IR"]).len(), 4);
}

#[test]
fn a_broken_file_leaves_nothing_and_names_its_line() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_day(
        &src,
        "07-Jan-2026",
        &[("Good LLM", "2601.00001", "A.", "X")],
    );
    let mut bad = legacy_readme("08-Jan-2026", &[("Fine LLM", "2601.00002", "B.", "Y")]);
    bad.push_str("| Broken row: no link and no closing pipe\n");
    write(&src.join("08-Jan-2026/README.md"), &bad);
    let out = a.run(&["import", "legacy", src.to_str().unwrap()]).code(2);
    assert!(
        out.stderr.contains("08-Jan-2026/README.md:6"),
        "{}",
        out.stderr
    );
    let stats = a.stats();
    assert_eq!(stats["papers"], 1, "only the good file is stored");
    assert_eq!(stats["reports"], 1);
    a.run(&["report", "show", "08-Jan-2026"]).code(1);
}

#[test]
fn bad_inputs_get_clear_errors() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("01-Jan-2026", b"# arXiv Daily Report - 31-Foo-2025\n\n".to_vec(), "README.md:1"),
        ("02-Jan-2026", b"# arXiv Daily Report - 02-Jan-2026\n\n| Title | Link | abstract | author |\n| --- | --- | --- | --- |\n| caf\xe9 |\n".to_vec(), "invalid UTF-8"),
        ("03-Jan-2026", b"# arXiv Daily Report - 03-Jan-2026\n\n| Title | Link |\n".to_vec(), "README.md:3"),
    ];
    for (day, bytes, want) in &cases {
        std::fs::create_dir_all(src.join(day)).unwrap();
        std::fs::write(src.join(day).join("README.md"), bytes).unwrap();
        let out = a
            .run(&["import", "legacy", src.join(day).to_str().unwrap()])
            .code(2);
        assert!(out.stderr.contains(want), "{day}: {}", out.stderr);
    }
    assert_eq!(a.stats()["papers"], 0);
    a.run(&["import", "legacy", src.join("nope").to_str().unwrap()])
        .code(2);
    for bad in ["2025-02-30", "31-Foo-2025"] {
        let out = a.run(&["report", "show", bad]).code(2);
        assert!(out.stderr.contains(bad), "{}", out.stderr);
    }
}

#[test]
fn readme_wins_over_a_disagreeing_csv_with_a_warning() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    let rows = [("An LLM paper", "2601.00001", "README text.", "X")];
    write(
        &src.join("07-Jan-2026/README.md"),
        &legacy_readme("07-Jan-2026", &rows),
    );
    write(
        &src.join("07-Jan-2026/papers.csv"),
        &legacy_csv(&[("An LLM paper", "2601.00001", "CSV text.", "X")]),
    );
    let out = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(
        out.stderr.contains("papers.csv") && out.stderr.contains("README.md wins"),
        "{}",
        out.stderr
    );
    assert!(
        a.run(&["report", "show", "07-Jan-2026"])
            .ok()
            .stdout
            .contains("README text.")
    );
}

#[test]
fn missing_day_names_the_nearest_days() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    // Not in the archive is "nothing found" (1), as an unknown paper is; an error is 2.
    let out = a.run(&["report", "show", "2026-01-09"]).code(1);
    assert!(
        out.stderr.contains("2026-01-08") && out.stderr.contains("2026-01-10"),
        "{}",
        out.stderr
    );
    a.run(&["show", "2601.99999"]).code(1);
    a.run(&["search", "nothingmatchesthis"]).code(1);
    a.run(&["report", "show", "2026-13-40"]).code(2);
    a.run(&["report", "show", "2026-01-07", "--profile", "nosuchprofile"])
        .code(2);
}

#[test]
fn one_output_contract_json_color_and_refused_combinations() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    // `--json` is the JSON output everywhere; `--format json` stays as its alias.
    let json = a
        .run(&["report", "show", "07-Jan-2026", "--json"])
        .ok()
        .stdout;
    assert_eq!(
        json,
        a.run(&["report", "show", "07-Jan-2026", "--format", "json"])
            .ok()
            .stdout
    );
    let rows = a.json_lines(&["report", "show", "07-Jan-2026", "--json"]);
    for key in [
        "date",
        "profile",
        "position",
        "id",
        "version",
        "title",
        "link",
        "abstract",
        "authors",
        "categories",
        "announce_type",
    ] {
        assert!(rows[0].get(key).is_some(), "{key} in {}", rows[0]);
    }
    // --clean with another format does nothing, so it is refused.
    for format in ["csv", "json"] {
        let out = a
            .run(&[
                "report",
                "show",
                "07-Jan-2026",
                "--clean",
                "--format",
                format,
            ])
            .code(2);
        assert!(out.stderr.contains("--clean"), "{}", out.stderr);
    }
    // Colour: never with NO_COLOR or --color never, even when asked for by `always` elsewhere.
    let colored = a
        .run(&["search", "--color", "always", "cat:cs.IR"])
        .ok()
        .stdout;
    assert!(colored.contains("\x1b[1m"), "{colored}");
    let plain = a
        .cmd(&["search", "cat:cs.IR"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\x1b'));
    let never = a
        .run(&["search", "--color", "never", "cat:cs.IR"])
        .ok()
        .stdout;
    assert!(!never.contains('\x1b'));
}

#[test]
fn clean_output_is_a_valid_table() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    let md = a
        .run(&["report", "show", "07-Jan-2026", "--clean"])
        .ok()
        .stdout;
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines.len(), 4 + 3, "one line per row:\n{md}");
    for line in &lines[2..] {
        let cells = line
            .match_indices('|')
            .filter(|(i, _)| *i == 0 || &line[i - 1..*i] != "\\")
            .count();
        assert_eq!(cells, 5, "{line}");
    }
}

#[test]
fn report_list_and_stats_json() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    let rows = a.json_lines(&["report", "list", "--json"]);
    let summary: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_string(),
                r["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2026-01-07".to_string(), 3),
            ("2026-01-08".to_string(), 2),
            ("2026-01-10".to_string(), 0)
        ]
    );
    assert!(rows.iter().all(|r| r["profile"] == "default"));
    let s = a.stats();
    assert_eq!(
        (
            s["papers"].as_u64(),
            s["snapshots"].as_u64(),
            s["listings"].as_u64(),
            s["reports"].as_u64()
        ),
        (Some(4), Some(5), Some(5), Some(3))
    );
    assert_eq!(
        (s["first_day"].as_str(), s["last_day"].as_str()),
        (Some("2026-01-07"), Some("2026-01-10"))
    );
    // nothing there: exit 1 for lookups
    a.run(&["show", "2101.99999"]).code(1);
    TestArchive::new().run(&["stats"]).code(2);
}

#[test]
fn a_damaged_papers_csv_beside_a_whole_readme_still_imports_the_day() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    let rows = [
        (
            "Generative search, revisited",
            "2601.00001",
            "An abstract, with \"quotes\".",
            "A. One",
        ),
        (
            "LLM ranking",
            "2601.00002",
            "Second, longer abstract.",
            "B. Two",
        ),
    ];
    write_day(&src, "07-Jan-2026", &rows);
    let csv = legacy_csv(&rows);
    // Cut off in the middle of the second row's quoted abstract: that row has three cells.
    let cut = &csv[..csv.find("Second,").unwrap() + 3];
    write(&src.join("07-Jan-2026/papers.csv"), cut);
    let out = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(out.stdout.contains("1 files, 2 rows"), "{}", out.stdout);
    assert!(
        out.stderr.contains("warning:") && out.stderr.contains("papers.csv:3"),
        "names papers.csv and the line: {}",
        out.stderr
    );
    let readme = std::fs::read_to_string(src.join("07-Jan-2026/README.md")).unwrap();
    assert_eq!(
        a.run(&["report", "show", "07-Jan-2026"]).ok().stdout,
        readme
    );
    assert_eq!(
        a.run(&["report", "show", "07-Jan-2026", "--format", "csv"])
            .ok()
            .stdout,
        csv,
        "the CSV the original script wrote for these rows"
    );
}

#[test]
fn a_report_repository_root_imports_its_day_folders_not_its_own_readme() {
    let a = TestArchive::new();
    let repo = a.scratch("repo");
    write_quirky_days(&repo);
    // The root README.md of a report repository is its index, not a day.
    crate::util::write(
        &repo.join("README.md"),
        "# My arXiv reports\n\n- [07-Jan-2026](07-Jan-2026/README.md)\n",
    );
    write(&repo.join("archive/notes.txt"), "not a day\n");
    let out = a.run(&["import", "legacy", repo.to_str().unwrap()]).ok();
    assert!(out.stdout.starts_with("3 files"), "{}", out.stdout);
    assert_eq!(a.stats()["reports"], 3);
}

/// A profile added after a migration: the imported days hold only the rows the original report
/// kept, so a rerun over them says which days those are and the backfill that gives their
/// whole listings, instead of leaving them out in silence.
#[test]
fn a_rerun_over_imported_days_names_them_and_the_backfill_that_fills_them() {
    let a = TestArchive::new();
    let src = a.scratch("reports");
    write_quirky_days(&src);
    a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    a.write_config(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"generative\"]\n\n[[profile]]\nname = \"agents\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"agent\"]\n",
    );
    let out = a
        .run(&[
            "report",
            "rerun",
            "--profile",
            "agents",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
        ])
        .code(1);
    assert!(
        out.stderr
            .contains("3 imported days from 2026-01-07 to 2026-01-10")
            && out
                .stderr
                .contains("`arxiv-daily backfill --from 2026-01-07 --to 2026-01-10`"),
        "{}",
        out.stderr
    );
}
