//! `compat = "feedparser"`: the original-format report of a day fetched from arXiv holds the
//! bytes the original script wrote through feedparser 6.0.11 (expected strings recorded with
//! benches/feedparser-compat/cases.py); without it, arXiv's text. Imported days keep their bytes
//! either way, and `import legacy` into a new archive turns the mode on.

use crate::fixtures::{Item, Row, feed, legacy_csv, legacy_readme, write_day};
use crate::util::{TestArchive, write};

const PUB_DATE: &str = "Wed, 24 Sep 2025 00:00:00 -0400";

/// Items whose text feedparser changes: a tag-like `<...>`, `<EOS>`, `&` before letters, and a
/// title that looks like HTML (a close tag and an entity), so that one is sanitized too.
const ITEMS: [Item<'static>; 2] = [
    Item {
        id: "2509.00001",
        version: 1,
        kind: "new",
        title: "An LLM <s>x</s> &amp; Q&A tasks",
        abs: "Triplets, <reference image, modification text, target image>, using Q&A, the <EOS> token and a < b.\n  A second paragraph, R&D, x<y.",
        authors: "Ana Barth\u{e9}lemy & Bo Li",
        cats: &["cs.IR"],
    },
    Item {
        id: "2509.00002",
        version: 1,
        kind: "new",
        title: "Generative Q&A for <EOS>",
        abs: "Wide & Deep, 3&4 and Q&A",
        authors: "C. D",
        cats: &["cs.IR"],
    },
];

/// What run.py wrote for ITEMS, field by field, as feedparser 6.0.11 returned them.
const FEEDPARSER_ROWS: [Row<'static>; 2] = [
    (
        "An LLM <s>x</s> &amp; Q&amp;A tasks",
        "2509.00001",
        "Triplets, , using Q&amp;A, the  token and a < b.\n  A second paragraph, R&amp;D, x<y.",
        "Ana Barth\u{e9}lemy & Bo Li",
    ),
    (
        "Generative Q&A for <EOS>",
        "2509.00002",
        "Wide & Deep, 3&4 and Q&A",
        "C. D",
    ),
];

fn config(compat: Option<&str>) -> String {
    let line = compat.map_or(String::new(), |c| format!("compat = \"{c}\"\n"));
    format!(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"llm\", \"generative\"]\n{line}"
    )
}

fn ingested(compat: Option<&str>) -> TestArchive {
    let a = TestArchive::new();
    a.write_config(&config(compat));
    let path = a.scratch("feeds").join("cs.IR.xml");
    write(&path, &feed("cs.IR", PUB_DATE, &ITEMS));
    a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
        .ok();
    a
}

#[test]
fn compat_feedparser_writes_the_original_scripts_bytes() {
    let a = ingested(Some("feedparser"));
    let md = a.run(&["report", "show", "2025-09-24"]).ok().stdout;
    assert_eq!(md, legacy_readme("24-Sep-2025", &FEEDPARSER_ROWS));
    let csv = a
        .run(&["report", "show", "2025-09-24", "--format", "csv"])
        .ok()
        .stdout;
    assert_eq!(csv, legacy_csv(&FEEDPARSER_ROWS));
    // `report export` writes the same files.
    let out = a.scratch("out");
    a.run(&["report", "export", out.to_str().unwrap()]).ok();
    let day = out.join("24-Sep-2025");
    assert_eq!(std::fs::read_to_string(day.join("README.md")).unwrap(), md);
    assert_eq!(
        std::fs::read_to_string(day.join("papers.csv")).unwrap(),
        csv
    );
    // The clean table and JSON keep arXiv's text.
    let json = a
        .run(&["report", "show", "2025-09-24", "--json"])
        .ok()
        .stdout;
    assert!(json.contains("<EOS>") && json.contains("Q&A"), "{json}");
}

#[test]
fn without_compat_the_report_holds_arxivs_text() {
    let a = ingested(None);
    let md = a.run(&["report", "show", "2025-09-24"]).ok().stdout;
    let clean: Vec<Row<'_>> = ITEMS
        .iter()
        .map(|i| (i.title, i.id, i.abs, i.authors))
        .collect();
    assert_eq!(md, legacy_readme("24-Sep-2025", &clean));
    let b = ingested(Some("none"));
    assert_eq!(b.run(&["report", "show", "2025-09-24"]).ok().stdout, md);
}

#[test]
fn imported_days_keep_their_bytes_under_compat() {
    // A day folder whose bytes feedparser would change (written without it, or by hand): the
    // import stores the file's text, and compat must not sanitize it a second time.
    let a = TestArchive::new();
    a.write_config(&config(Some("feedparser")));
    let dir = a.scratch("legacy");
    let rows: [Row<'_>; 1] = [(
        "LLM Q&A",
        "2509.00003",
        "uses the <EOS> token, Q&A and Q&amp;A here",
        "E. F",
    )];
    write_day(&dir, "25-Sep-2025", &rows);
    a.run(&["import", "legacy", dir.to_str().unwrap()]).ok();
    let md = a.run(&["report", "show", "2025-09-25"]).ok().stdout;
    assert_eq!(md, legacy_readme("25-Sep-2025", &rows));
}

#[test]
fn import_legacy_into_a_new_archive_turns_compat_on_and_says_so() {
    let a = TestArchive::new();
    let dir = a.scratch("legacy");
    write_day(
        &dir,
        "23-Sep-2025",
        &[("LLM Q&amp;A", "2509.00004", "x", "G. H")],
    );
    let run = a.run(&["import", "legacy", dir.to_str().unwrap()]).ok();
    assert!(
        run.stderr.contains("compat = \"feedparser\"") && run.stderr.contains("arxiv-daily.toml"),
        "{}",
        run.stderr
    );
    let written = std::fs::read_to_string(a.data().join("arxiv-daily.toml")).unwrap();
    assert!(written.contains("\ncompat = \"feedparser\"\n"), "{written}");
    // The next day from arXiv continues in the script's bytes.
    let path = a.scratch("feeds").join("cs.IR.xml");
    write(&path, &feed("cs.IR", PUB_DATE, &ITEMS));
    a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
        .ok();
    let md = a.run(&["report", "show", "2025-09-24"]).ok().stdout;
    // The default profile's title keywords keep both items ("llm", "generative").
    assert_eq!(md, legacy_readme("24-Sep-2025", &FEEDPARSER_ROWS));

    // An existing config is never edited: a hint names the line to add.
    let b = TestArchive::new();
    b.write_config(&config(None));
    let run = b.run(&["import", "legacy", dir.to_str().unwrap()]).ok();
    assert!(
        run.stderr.contains("note: profile \"default\"") && run.stderr.contains("byte for byte"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(b.data().join("arxiv-daily.toml")).unwrap(),
        config(None)
    );
    // A deliberate "none" is a choice: no hint.
    let c = TestArchive::new();
    c.write_config(&config(Some("none")));
    let run = c.run(&["import", "legacy", dir.to_str().unwrap()]).ok();
    assert!(!run.stderr.contains("compat"), "{}", run.stderr);
}
