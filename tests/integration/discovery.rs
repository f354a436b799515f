//! Saved searches (query profiles), Atom feeds, similar papers and BibTeX.

use std::collections::BTreeSet;

use crate::fixtures::{Item, feed};
use crate::util::{TestArchive, write};

const DAYS: [&str; 4] = [
    "Mon, 02 Mar 2026 00:00:00 -0500",
    "Tue, 03 Mar 2026 00:00:00 -0500",
    "Wed, 04 Mar 2026 00:00:00 -0500",
    "Thu, 05 Mar 2026 00:00:00 -0500",
];
const ISO: [&str; 4] = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"];

const CONFIG: &str = r#"
[[profile]]
name = "default"
categories = ["cs.IR"]
title_keywords = ["llm"]

[[profile]]
name = "rag"
categories = ["cs.IR", "cs.CL"]
query = '(retrieval OR "semantic ids") -survey'

[[profile]]
name = "titles"
categories = ["cs.IR"]
query = 'ti:retrieval'

[[profile]]
name = "author"
categories = ["cs.IR"]
title_keywords = ["llm"]
query = 'au:mcauley'
"#;

/// Four days of cs.IR and cs.CL feeds. 2603.00001 is retitled on day 3 (a replacement whose new
/// title no longer says "retrieval").
fn archive() -> TestArchive {
    let a = TestArchive::new();
    a.write_config(CONFIG);
    let dir = a.scratch("feeds");
    let mut files = Vec::new();
    for (d, date) in DAYS.iter().enumerate() {
        let id = |n: usize| format!("2603.{:05}", d * 100 + n);
        let ids: Vec<String> = (0..6).map(id).collect();
        let mut items: Vec<Item<'_>> = vec![
            Item {
                id: &ids[0],
                version: 1,
                kind: "new",
                title: "Dense retrieval with LLM rerankers",
                abs: "We study dense retrieval.",
                authors: "Julian McAuley, Ann Lee",
                cats: &["cs.IR"],
            },
            Item {
                id: &ids[1],
                version: 1,
                kind: "new",
                title: "A survey of retrieval",
                abs: "A survey.",
                authors: "Bo Chen",
                cats: &["cs.IR"],
            },
            Item {
                id: &ids[2],
                version: 1,
                kind: "new",
                title: "Generative recommendation",
                abs: "Items get semantic IDs.",
                authors: "Cy Diaz",
                cats: &["cs.IR", "cs.LG"],
            },
            Item {
                id: &ids[3],
                version: 1,
                kind: "cross",
                title: "LLM agents for search",
                abs: "Agents that search.",
                authors: "Julian McAuley",
                cats: &["cs.CL", "cs.IR"],
            },
        ];
        if d == 2 {
            items.push(Item {
                id: "2603.00001",
                version: 2,
                kind: "replace",
                title: "Dense rankers, revisited",
                abs: "We study rankers.",
                authors: "Julian McAuley, Ann Lee",
                cats: &["cs.IR"],
            });
        }
        let ir = feed("cs.IR", date, &items);
        let cl_items = vec![Item {
            id: &ids[4],
            version: 1,
            kind: "new",
            title: "Retrieval for dialogue",
            abs: "Retrieval helps dialogue.",
            authors: "Eve Fox",
            cats: &["cs.CL"],
        }];
        let cl = feed("cs.CL", date, &cl_items);
        for (cat, text) in [("cs.IR", ir), ("cs.CL", cl)] {
            let path = dir.join(format!("{d}-{cat}.xml"));
            write(&path, &text);
            files.push(path);
        }
    }
    for f in &files {
        a.run(&["ingest", "--feed-file", f.to_str().unwrap()]).ok();
    }
    a
}

fn ids(rows: &[serde_json::Value]) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn report_ids(a: &TestArchive, profile: &str, day: &str) -> BTreeSet<String> {
    let out = a
        .run(&["report", "show", day, "--profile", profile, "--json"])
        .ok();
    ids(&out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect::<Vec<_>>())
}

fn search_ids(a: &TestArchive, args: &[&str]) -> BTreeSet<String> {
    let mut full = vec!["search", "--json", "--limit", "1000"];
    full.extend_from_slice(args);
    let out = a.run(&full);
    if out.code == 1 {
        return BTreeSet::new();
    }
    ids(&out
        .ok()
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect::<Vec<_>>())
}

#[test]
fn a_query_profile_reports_what_search_finds_on_that_day() {
    let a = archive();
    for day in ISO {
        let report = report_ids(&a, "rag", day);
        let mut searched = BTreeSet::new();
        for cat in ["cs.IR", "cs.CL"] {
            searched.extend(search_ids(
                &a,
                &[
                    "--from",
                    day,
                    "--to",
                    day,
                    "--category",
                    cat,
                    "(retrieval OR \"semantic ids\") -survey",
                ],
            ));
        }
        // 2603.00001 changed on day 3: search sees its latest text, the report that day's.
        searched.remove("2603.00001");
        let mut report_without = report.clone();
        report_without.remove("2603.00001");
        assert_eq!(report_without, searched, "{day}");
        assert!(!report.is_empty(), "{day}");
        assert!(
            !report.iter().any(|id| id.ends_with("01")),
            "-survey drops the survey: {report:?}"
        );
    }
    // Keywords and a query together: both must hold.
    assert_eq!(
        report_ids(&a, "author", "2026-03-02"),
        BTreeSet::from(["2603.00000".to_string(), "2603.00003".to_string()])
    );
}

#[test]
fn a_changed_title_counts_on_the_days_it_matched() {
    let a = archive();
    // Day 1 listed "Dense retrieval ..." (2603.00000); day 3 listed its replacement "Dense rankers".
    assert!(report_ids(&a, "titles", "2026-03-02").contains("2603.00000"));
    assert!(
        !report_ids(&a, "titles", "2026-03-04").contains("2603.00001"),
        "the new title"
    );
    let day3 = a
        .run(&[
            "report",
            "show",
            "2026-03-04",
            "--profile",
            "titles",
            "--json",
        ])
        .ok()
        .stdout;
    assert!(!day3.contains("Dense rankers"), "{day3}");
}

#[test]
fn rerun_over_a_range_fills_a_new_profiles_history_once() {
    let a = archive();
    // A profile added after the days were ingested.
    a.write_config(&format!(
        "{CONFIG}\n[[profile]]\nname = \"late\"\ncategories = [\"cs.IR\"]\nquery = 'semantic'\n"
    ));
    // Shown (computed from the listing) but not yet filed.
    let computed = a
        .run(&[
            "report",
            "show",
            "2026-03-03",
            "--profile",
            "late",
            "--json",
        ])
        .ok()
        .stdout;
    a.run(&["report", "list", "--profile", "late"]).code(1);
    let first = a
        .run(&[
            "report",
            "rerun",
            "--profile",
            "late",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--json",
        ])
        .ok();
    assert_eq!(first.stdout.lines().count(), 4, "{}", first.stdout);
    assert!(first.stderr.contains("4 stored days"), "{}", first.stderr);
    let listed = a.json_lines(&["report", "list", "--profile", "late", "--json"]);
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|r| r["rows"] == 1), "{listed:?}");
    assert_eq!(
        a.run(&[
            "report",
            "show",
            "2026-03-03",
            "--profile",
            "late",
            "--json"
        ])
        .ok()
        .stdout,
        computed
    );
    let again = a
        .run(&[
            "report",
            "rerun",
            "--profile",
            "late",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .ok();
    assert_eq!(again.stdout, "", "a second run changes nothing");
    assert!(again.stderr.contains("0 changed"), "{}", again.stderr);
}

#[test]
fn a_malformed_saved_query_names_file_line_profile_and_column() {
    let a = TestArchive::new();
    for (query, column, why) in [
        ("retrieval title:llm", 11, "unknown field `title:`"),
        ("(retrieval OR rag", 1, "never closed"),
        ("\"semantic ids", 1, "never closed"),
    ] {
        a.write_config(&format!(
            "[[profile]]\nname = \"x\"\ncategories = [\"cs.IR\"]\n\n[[profile]]\nname = \"bad\"\ncategories = [\"cs.IR\"]\nquery = '{query}'\n"
        ));
        let out = a
            .run(&[
                "report",
                "rerun",
                "--profile",
                "bad",
                "--from",
                "2026-03-01",
            ])
            .code(2);
        for want in [
            "arxiv-daily.toml",
            "line 8",
            "profile \"bad\"",
            &format!("column {column}"),
            why,
        ] {
            assert!(
                out.stderr.contains(want),
                "{query}: {want} in {}",
                out.stderr
            );
        }
    }
}

#[test]
fn feeds_parse_with_a_real_atom_parser_and_keep_their_ids() {
    let a = archive();
    // A hostile title and abstract: markup, TeX, entities, a control character XML forbids.
    let dir = a.scratch("hostile");
    let hostile = feed(
        "cs.IR",
        "Fri, 06 Mar 2026 00:00:00 -0500",
        &[Item {
            id: "2603.00999",
            version: 1,
            kind: "new",
            title: "<script>alert(1)</script> LLM & $\\alpha < \\beta$ ]]>",
            abs: "Q&A over \u{1}\"quoted\" text with <b>tags</b>.",
            authors: "Zoë O'Brien, Ana Núñez",
            cats: &["cs.IR"],
        }],
    );
    write(&dir.join("f.xml"), &hostile);
    a.run(&["ingest", "--feed-file", dir.join("f.xml").to_str().unwrap()])
        .ok();
    let out = a.scratch("pub").join("default.atom");
    a.run(&[
        "report",
        "feed",
        "--days",
        "3",
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    let first = std::fs::read_to_string(&out).unwrap();
    let parsed: atom_syndication::Feed = first.parse().expect("a valid Atom feed");
    assert_eq!(parsed.id(), "urn:arxiv-daily:profile:default");
    let ids: Vec<&str> = parsed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(
        ids[0], "https://arxiv.org/abs/2603.00999#2026-03-06",
        "newest day first: {ids:?}"
    );
    assert!(ids.iter().any(|i| i.ends_with("#2026-03-05")));
    assert!(
        !ids.iter().any(|i| i.ends_with("#2026-03-03")),
        "three days: {ids:?}"
    );
    let hostile = &parsed.entries()[0];
    assert_eq!(
        hostile.title().as_str(),
        "<script>alert(1)</script> LLM & $\\alpha < \\beta$ ]]>"
    );
    let summary = hostile.summary().unwrap().as_str();
    assert!(summary.starts_with("Q&A over \"quoted\""), "{summary}");
    assert_eq!(hostile.authors().len(), 2);
    assert_eq!(hostile.authors()[0].name(), "Zoë O'Brien");
    assert_eq!(hostile.categories()[0].term(), "cs.IR");
    assert!(
        hostile
            .links()
            .iter()
            .any(|l| l.href() == "https://arxiv.org/pdf/2603.00999")
    );
    // Stable: the same archive writes the same bytes.
    a.run(&[
        "report",
        "feed",
        "--days",
        "3",
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first);
    // A saved search is a feed, and so is any search.
    let rag: atom_syndication::Feed = a
        .run(&["report", "feed", "--profile", "rag"])
        .ok()
        .stdout
        .parse()
        .unwrap();
    assert!(!rag.entries().is_empty());
    let searched: atom_syndication::Feed = a
        .run(&["search", "retrieval", "--format", "atom"])
        .ok()
        .stdout
        .parse()
        .unwrap();
    let days: Vec<String> = searched
        .entries()
        .iter()
        .map(|e| e.updated().to_rfc3339())
        .collect();
    let mut sorted = days.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(days, sorted, "a search feed is sorted by date");
}

#[test]
fn similar_papers_never_include_the_paper_and_explain_themselves() {
    let a = archive();
    let hits = a.json_lines(&["similar", "2603.00000", "--json", "--limit", "20"]);
    assert!(!hits.is_empty());
    for h in &hits {
        assert_ne!(h["id"], "2603.00000");
        assert!(!h["why"].as_array().unwrap().is_empty(), "{h}");
    }
    // Its twins of the other days (same title and abstract) come first, equal scores newest first.
    let top: Vec<&str> = hits
        .iter()
        .take(3)
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["2603.00300", "2603.00200", "2603.00100"], "{hits:?}");
    assert!(
        !hits[0]["why"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "with"),
        "no stop words"
    );
    let filtered = a.json_lines(&["similar", "2603.00000", "--json", "--from", "2026-03-04"]);
    // Listed on or after the day (2603.00001 was first listed on the 2nd and replaced on the 4th).
    assert!(!filtered.is_empty());
    assert!(
        filtered.iter().all(|h| {
            let id = h["id"].as_str().unwrap();
            id.starts_with("2603.002") || id.starts_with("2603.003") || id == "2603.00001"
        }),
        "{filtered:?}"
    );
    a.run(&["similar", "2609.99999"]).code(1);
    a.run(&["similar", "not-an-id"]).code(2);
    // `show` lists the five most similar.
    let shown = a.run(&["show", "2603.00000", "--json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let similar = v["similar"].as_array().unwrap();
    assert!((3..=5).contains(&similar.len()), "{v}");
    assert_eq!(similar[0]["id"], "2603.00300");
    assert!(
        a.run(&["show", "2603.00000"])
            .ok()
            .stdout
            .contains("similar:")
    );
}

#[test]
fn bibtex_as_arxiv_writes_it() {
    let a = TestArchive::new();
    let dir = a.scratch("f");
    let authors = (1..=12)
        .map(|i| format!("Author{i} Name{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let f = feed(
        "cs.IR",
        DAYS[0],
        &[Item {
            id: "2603.00042",
            version: 1,
            kind: "new",
            title: "On $\\mathcal{O}(n)$ {LLM} Rerankers",
            abs: "A.",
            authors: &authors,
            cats: &["cs.IR", "cs.CL"],
        }],
    );
    write(&dir.join("f.xml"), &f);
    a.run(&["ingest", "--feed-file", dir.join("f.xml").to_str().unwrap()])
        .ok();
    let bib = a
        .run(&["show", "2603.00042", "--format", "bibtex"])
        .ok()
        .stdout;
    assert!(
        bib.starts_with("@misc{name12026mathcalonllmrerankers,\n"),
        "{bib}"
    );
    assert!(
        bib.contains("      title={On $\\mathcal{O}(n)$ {LLM} Rerankers}, \n"),
        "{bib}"
    );
    assert!(
        bib.contains("author={Author1 Name1 and Author2 Name2 and"),
        "{bib}"
    );
    assert!(bib.contains("and Author12 Name12},\n"), "{bib}");
    for field in [
        "year={2026}",
        "eprint={2603.00042}",
        "archivePrefix={arXiv}",
        "primaryClass={cs.IR}",
        "url={https://arxiv.org/abs/2603.00042}",
    ] {
        assert!(bib.contains(field), "{field}: {bib}");
    }
    assert_eq!(bib.matches('{').count(), bib.matches('}').count());
    let from_search = a
        .run(&["search", "rerankers", "--format", "bibtex"])
        .ok()
        .stdout;
    assert_eq!(from_search.trim_end(), bib.trim_end());
}

#[test]
fn rerun_files_the_reports_of_backfilled_days_too() {
    let a = TestArchive::new();
    a.write_config("[[profile]]\nname = \"q\"\ncategories = [\"cs.IR\"]\nquery = 'retrieval'\n");
    let lines: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"id":"2603.{:05}","authors":"A. One","title":"Paper {i} on {}","categories":"cs.IR","abstract":"A.","versions":[{{"version":"v1","created":"Mon, {} Mar 2026 15:00:00 GMT"}}]}}"#,
                i + 1,
                if i % 2 == 0 { "retrieval" } else { "agents" },
                2 + i
            )
        })
        .collect();
    let file = a.scratch("k").join("k.jsonl");
    write(&file, &lines.join("\n"));
    a.run(&["import", "kaggle", file.to_str().unwrap()]).ok();
    let before = a.json_lines(&["report", "list", "--profile", "q", "--json"]);
    assert!(
        before.iter().all(|r| r["estimated"] == true),
        "computed on demand: {before:?}"
    );
    let out = a
        .run(&[
            "report",
            "rerun",
            "--profile",
            "q",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .ok();
    assert!(out.stderr.contains("6 stored days"), "{}", out.stderr);
    let rows: Vec<u64> = a
        .json_lines(&["report", "list", "--profile", "q", "--json"])
        .iter()
        .map(|r| r["rows"].as_u64().unwrap())
        .collect();
    assert_eq!(
        rows.iter().sum::<u64>(),
        3,
        "the three papers on retrieval, each on its day: {rows:?}"
    );
}
