//! `search`: query syntax, filters, output.

use crate::fixtures::{Item, feed};
use crate::util::{TestArchive, write};

fn archive_with_feeds() -> TestArchive {
    archive_with_feeds_and_config(None)
}

/// Three papers over two days of cs.IR, ingested with `config` (else the default one).
pub(crate) fn archive_with_feeds_and_config(config: Option<&str>) -> TestArchive {
    let a = TestArchive::new();
    if let Some(config) = config {
        a.write_config(config);
    }
    let day1 = feed(
        "cs.IR",
        "Mon, 02 Mar 2026 00:00:00 -0500",
        &[
            Item {
                id: "2603.00001",
                version: 1,
                kind: "new",
                title: "Large language models for recommendation",
                abs: "We study retrieval augmented generation with transformers.",
                authors: "Alice Smith, Bob Jones",
                cats: &["cs.IR"],
            },
            Item {
                id: "2603.00002",
                version: 1,
                kind: "cross",
                title: "Graph neural networks",
                abs: "Large models of language are not used here; graphs are.",
                authors: "Carol White",
                cats: &["cs.LG", "cs.IR"],
            },
        ],
    );
    let day2 = feed(
        "cs.IR",
        "Tue, 03 Mar 2026 00:00:00 -0500",
        &[Item {
            id: "2603.00003",
            version: 1,
            kind: "new",
            title: "A survey of retrieval",
            abs: "Dense retrieval and sparse retrieval, surveyed.",
            authors: "Alice Smith",
            cats: &["cs.IR"],
        }],
    );
    let dir = a.scratch("feeds");
    write(&dir.join("d1.xml"), &day1);
    write(&dir.join("d2.xml"), &day2);
    a.run(&[
        "ingest",
        "--feed-file",
        dir.join("d1.xml").to_str().unwrap(),
        "--feed-file",
        dir.join("d2.xml").to_str().unwrap(),
    ])
    .ok();
    a
}

fn ids(a: &TestArchive, args: &[&str]) -> Vec<String> {
    let mut full = vec!["search", "--json"];
    full.extend_from_slice(args);
    let out = a.run(&full);
    if out.code == 1 {
        return vec![];
    }
    crate::util::ids(&out.ok().stdout)
}

#[test]
fn query_syntax_works_as_on_arxiv() {
    let a = archive_with_feeds();
    assert_eq!(
        ids(&a, &["retrieval"]),
        ["2603.00003", "2603.00001"],
        "title matches rank first"
    );
    assert_eq!(
        ids(&a, &["retrieval generation"]),
        ["2603.00001", "2603.00003"],
        "plain words rank: the paper holding both first, then the one holding one"
    );
    assert_eq!(
        ids(&a, &["--all-words", "retrieval generation"]),
        ["2603.00001"],
        "--all-words: every word is required"
    );
    assert_eq!(
        ids(&a, &["retrieval AND generation"]),
        ["2603.00001"],
        "an explicit AND requires both"
    );
    assert_eq!(
        ids(&a, &["+generation retrieval"]),
        ["2603.00001"],
        "+word is required"
    );
    assert_eq!(
        ids(&a, &["\"large language models\""]),
        ["2603.00001"],
        "phrases"
    );
    assert_eq!(ids(&a, &["graphs OR survey"]).len(), 2);
    assert_eq!(ids(&a, &["retrieval -survey"]), ["2603.00001"]);
    assert_eq!(
        ids(&a, &["-survey retrieval"]),
        ["2603.00001"],
        "a query may start with -"
    );
    assert_eq!(ids(&a, &["ti:retrieval"]), ["2603.00003"]);
    assert_eq!(ids(&a, &["au:smith"]).len(), 2);
    assert_eq!(ids(&a, &["cat:cs.LG"]), ["2603.00002"]);
    assert_eq!(ids(&a, &["id:2603.00002"]), ["2603.00002"]);
    assert_eq!(
        ids(&a, &["model"]).len(),
        2,
        "English stemming: model matches models"
    );
}

#[test]
fn field_prefixes_mean_what_they_mean_on_arxiv() {
    // `abs:` is the abstract alone: "smith" is only an author's name, "transformers" only in an
    // abstract, "survey" in a title and an abstract ("surveyed" stems alike).
    let a = archive_with_feeds();
    assert_eq!(
        ids(&a, &["abs:smith"]),
        Vec::<String>::new(),
        "an author is not in the abstract"
    );
    assert_eq!(ids(&a, &["all:smith"]).len(), 2, "all: is the whole text");
    assert_eq!(
        ids(&a, &["smith"]).len(),
        2,
        "unprefixed terms search the whole text"
    );
    assert_eq!(ids(&a, &["abs:transformers"]), ["2603.00001"]);
    assert_eq!(
        ids(&a, &["abs:recommendation"]),
        Vec::<String>::new(),
        "a title word"
    );
    assert_eq!(ids(&a, &["all:recommendation"]), ["2603.00001"]);
    assert_eq!(ids(&a, &["abs:\"sparse retrieval\""]), ["2603.00003"]);
    assert_eq!(ids(&a, &["ti:graph abs:graphs"]), ["2603.00002"]);
    // A phrase of the title is not in the abstract; one that ends the abstract is.
    assert_eq!(ids(&a, &["abs:\"graph neural\""]), Vec::<String>::new());
    assert_eq!(ids(&a, &["all:\"graph neural\""]), ["2603.00002"]);
    assert_eq!(ids(&a, &["abs:\"graphs are\""]), ["2603.00002"]);
    assert_eq!(
        ids(&a, &["-abs:language cat:cs.IR"]),
        ["2603.00003", "2603.00001"]
    );
    let slop = a.run(&["search", "abs:\"graphs are\"~2"]).code(2);
    assert!(slop.stderr.contains("abs:"), "{}", slop.stderr);
    let hit = &a.json_lines(&["search", "--json", "abs:transformers"])[0];
    assert!(
        hit["snippet"].as_str().unwrap().contains("transformers"),
        "abs: terms are highlighted: {hit}"
    );
}

#[test]
fn filters_sorting_and_json_fields() {
    let a = archive_with_feeds();
    assert_eq!(ids(&a, &["smith", "--from", "2026-03-03"]), ["2603.00003"]);
    assert_eq!(ids(&a, &["smith", "--to", "02-Mar-2026"]), ["2603.00001"]);
    assert_eq!(
        ids(&a, &["smith", "--sort", "date"]),
        ["2603.00003", "2603.00001"]
    );
    assert_eq!(ids(&a, &["large", "--category", "cs.LG"]), ["2603.00002"]);
    assert_eq!(ids(&a, &["smith", "--limit", "1"]).len(), 1);
    let line = a.run(&["search", "--json", "generation"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    for key in [
        "id",
        "title",
        "authors",
        "first_announced",
        "score",
        "snippet",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["first_announced"], "2026-03-02");
    assert!(v["snippet"].as_str().unwrap().contains("generation"));
    let plain = a.run(&["search", "generation"]).ok().stdout;
    assert!(
        plain.contains("2603.00001") && !plain.contains("\x1b["),
        "plain when piped: {plain}"
    );
}

#[test]
fn no_hits_exit_1_and_bad_queries_exit_2() {
    // The deeply nested one regresses a parser blow-up found by fuzzing (fuzz/query): it must be
    // refused at once, not parsed for minutes.
    let a = archive_with_feeds();
    a.run(&["search", "nonexistentword"]).code(1);
    for bad in [
        "title:(",
        "\"unclosed",
        "",
        "ti:",
        "(((((((((((((((((((((((((((((\"tgg",
        "x - *",
        "( (( ((\\\" ((((((((((((((((((((((((((((((",
    ] {
        // `x - *` is a panic of the grammar's: every word required, it reaches the grammar
        // whole (ranked, it is the word x and the operator `*`, every paper).
        let out = a.run(&["search", "--all-words", bad]).code(2);
        assert!(
            out.stderr.contains("arxiv-daily:") && !out.stderr.contains("panicked"),
            "{bad}: {}",
            out.stderr
        );
    }
}

/// 360 papers of cs.IR over six days, ingested in six feeds (six index commits), made of four
/// words, three category sets and three author lists (so that many share a score); `config`
/// is written before the first ingest.
pub(crate) fn archive_of_many(config: Option<&str>) -> TestArchive {
    let a = TestArchive::new();
    if let Some(config) = config {
        a.write_config(config);
    }
    let dir = a.scratch("feeds");
    let words = ["retrieval", "models", "graph", "ranking"];
    for day in 0..6usize {
        let ids: Vec<String> = (0..60)
            .map(|n| format!("2603.{:05}", 900 - day * 60 - n))
            .collect();
        let texts: Vec<(String, String)> = (0..60)
            .map(|n| {
                let w = |i: usize| words[(n * 7 + i + day) % 4];
                (
                    format!("{} {} study", w(0), w(2)),
                    format!("{} {} {} {}.", w(0), w(1), w(2), w(3)),
                )
            })
            .collect();
        let cats: [&[&str]; 3] = [
            &["cs.IR"],
            &["cs.IR", "cs.AI"],
            &["cs.IR", "cs.CL", "cs.AI"],
        ];
        let authors = ["Ann Lee", "Bo Chen and Ann Lee", "Cy Diaz"];
        let items: Vec<Item<'_>> = (0..60)
            .map(|n| Item {
                id: &ids[n],
                version: 1,
                kind: "new",
                title: &texts[n].0,
                abs: &texts[n].1,
                authors: authors[n % 3],
                cats: cats[n % 3],
            })
            .collect();
        let path = dir.join(format!("{day}.xml"));
        let date = format!(
            "{}, 0{} Mar 2026 00:00:00 -0500",
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"][day],
            [2, 3, 4, 5, 6, 9][day]
        );
        write(&path, &feed("cs.IR", &date, &items));
        a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
            .ok();
    }
    a
}

/// Every `--limit` and `--offset` of the CLI, and every page of the API, is exactly the slice of
/// the full ordered list, over an archive ingested in six feeds (six index commits) whose
/// papers share scores: constant-score prefixes (`cat:`), names, words, a conjunction, a phrase
/// and a negation.
#[test]
fn search_slices_are_the_full_ranking_cut_in_the_cli_and_the_api() {
    let a = archive_of_many(None);
    let served = crate::serve::serve(&a);
    for query in [
        "cat:cs.IR",
        "cat:cs.AI",
        "au:lee",
        "retrieval",
        "retrieval models",
        "\"retrieval models\"",
        "ranking -au:lee",
        // Ranked sentences: the pool re-scored, the tail after it, ties throughout.
        "a study of graph ranking for retrieval with unseenword",
        "retrieval study cat:cs.AI",
    ] {
        let full = ids(&a, &["--limit", "100000", query]);
        assert!(full.len() >= 100, "{query}: {} hits", full.len());
        for k in [1, 2, 3, 5, 10, 25, 50, 100] {
            for offset in [0, 7, 60] {
                let end = (offset + k).min(full.len());
                let (k, o) = (k.to_string(), offset.to_string());
                assert_eq!(
                    ids(&a, &["--limit", &k, "--offset", &o, query]),
                    full[offset..end],
                    "{query} --limit {k} --offset {o}"
                );
            }
        }
        for page in 1..=3 {
            let url = format!(
                "{}api/search?q={}&size=25&page={page}",
                served.base,
                query.replace(' ', "+").replace('"', "%22")
            );
            let body = reqwest::blocking::get(&url).unwrap().text().unwrap();
            let api: serde_json::Value = serde_json::from_str(&body).unwrap();
            let got: Vec<&str> = api["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_str().unwrap())
                .collect();
            let start = (page - 1) * 25;
            assert_eq!(got, full[start..(start + 25).min(full.len())], "{url}");
        }
    }
}

/// Papers made to test what ranking promises: the same length and the same words where a
/// comparison is meant to isolate one property.
fn archive_for_ranking() -> TestArchive {
    let a = TestArchive::new();
    let items = [
        // Holds all three words of "stereo disparity synthetic" once each.
        (
            "2604.00001",
            "Matching views",
            "stereo disparity from synthetic data with many other words here.",
            &["cs.CV"][..],
        ),
        // Holds two of them, twice each: more BM25 mass on fewer words.
        (
            "2604.00002",
            "Matching views",
            "stereo disparity and stereo disparity with many other words here.",
            &["cs.CV"],
        ),
        // The phrase "graph neural network", and the same words scattered.
        (
            "2604.00003",
            "Learning things",
            "a graph neural network learns from labelled nodes of citation data.",
            &["cs.LG"],
        ),
        (
            "2604.00004",
            "Learning things",
            "a graph of labelled nodes, a neural model and its network of citation data.",
            &["cs.LG"],
        ),
        // Robotics, for the operators.
        (
            "2604.00005",
            "Robot grasping with soft hands",
            "We grasp objects with a soft robot hand.",
            &["cs.RO"],
        ),
        (
            "2604.00006",
            "A survey of robot grasping",
            "We survey grasping by robots.",
            &["cs.RO"],
        ),
        (
            "2604.00007",
            "Robot grasping in simulation",
            "Grasping learned by a robot in simulation.",
            &["cs.LG"],
        ),
    ];
    let items: Vec<Item<'_>> = items
        .iter()
        .map(|(id, title, abs, cats)| Item {
            id,
            version: 1,
            kind: "new",
            title,
            abs,
            authors: "Dana Roe",
            cats,
        })
        .collect();
    // Listed in the categories they name (a listing adds its category to a paper's).
    let dir = a.scratch("feeds");
    for cat in ["cs.CV", "cs.LG", "cs.RO"] {
        let listed: Vec<Item<'_>> = items
            .iter()
            .filter(|i| i.cats[0] == cat)
            .map(|i| Item { ..*i })
            .collect();
        let path = dir.join(format!("{cat}.xml"));
        write(
            &path,
            &feed(cat, "Mon, 06 Apr 2026 00:00:00 -0400", &listed),
        );
        a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
            .ok();
    }
    a
}

#[test]
fn a_sentence_ranks_papers_by_how_much_of_it_they_hold_and_how_close() {
    let a = archive_for_ranking();
    let found = ids(&a, &["stereo disparity synthetic"]);
    assert_eq!(
        found[..2],
        ["2604.00001", "2604.00002"],
        "every word outranks two words repeated"
    );
    assert_eq!(
        ids(&a, &["graph neural network"])[..2],
        ["2604.00003", "2604.00004"],
        "the phrase outranks the same words scattered"
    );
    // A sentence no paper holds whole still finds the paper it describes.
    let sentence =
        "how can stereo networks estimate disparity when trained only on synthetic scenes";
    assert_eq!(ids(&a, &[sentence])[0], "2604.00001");
    assert_eq!(ids(&a, &["--all-words", sentence]), Vec::<String>::new());
    // Each hit says which words it holds and lacks.
    let hits = a.json_lines(&["search", "--json", "stereo disparity synthetic"]);
    assert_eq!(hits[1]["id"], "2604.00002");
    assert_eq!(
        hits[1]["matched"],
        serde_json::json!(["stereo", "disparity"])
    );
    assert_eq!(hits[1]["missing"], serde_json::json!(["synthetic"]));
    assert!(
        a.json_lines(&["search", "--json", "--all-words", "stereo"])[0]
            .get("matched")
            .is_none(),
        "every word required: nothing to say"
    );
    // The counts, as text and JSON.
    let out = a.run(&["search", "stereo disparity synthetic"]).ok().stdout;
    assert_eq!(
        out.lines().next(),
        Some("1 paper holds all your words; 2 hold some"),
        "{out}"
    );
    assert!(out.contains("missing: synthetic"), "{out}");
    let counts = a.json_lines(&["search", "--count", "--json", "stereo disparity synthetic"]);
    assert_eq!(counts, [serde_json::json!({"total": 2, "all_words": 1})]);
    let exact = a
        .run(&["search", "--count", "--all-words", "stereo disparity"])
        .ok();
    assert_eq!(exact.stdout, "2 papers match\n");
    a.run(&["search", "--count", "nothingholdsthis"]).code(1);
    // The web page and the API show the CLI's hits, counts and missing words.
    let served = crate::serve::serve(&a);
    let cli = ids(&a, &[sentence]);
    let q = sentence.replace(' ', "+");
    let api: serde_json::Value = serde_json::from_str(
        &reqwest::blocking::get(format!("{}api/search?q={q}", served.base))
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let api_ids: Vec<&str> = api["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(api_ids, cli);
    assert_eq!(
        (api["total"].as_u64(), api["all_words"].as_u64()),
        (Some(4), Some(0))
    );
    let page = reqwest::blocking::get(format!("{}search?q={q}", served.base))
        .unwrap()
        .text()
        .unwrap();
    let on_page: Vec<&str> = page
        .split("class=\"id\" href=\"/paper/")
        .skip(1)
        .map(|rest| &rest[..10])
        .collect();
    assert_eq!(on_page, cli);
    assert!(
        page.contains("0 papers hold all your words; 4 hold some"),
        "{page}"
    );
    assert!(page.contains("Missing: "), "{page}");
    // Sorting by date keeps the same set of hits.
    let mut by_date = ids(&a, &["--sort", "date", "--limit", "100", sentence]);
    let mut by_score = ids(&a, &["--limit", "100", sentence]);
    by_date.sort();
    by_score.sort();
    assert_eq!(by_date, by_score);
}

#[test]
fn operators_filter_exactly_while_plain_words_rank() {
    let a = archive_for_ranking();
    assert_eq!(
        ids(&a, &["robot grasping -survey cat:cs.RO"]),
        ["2604.00005"],
        "-survey and cat:cs.RO filter; robot grasping rank"
    );
    let mut some = ids(&a, &["robot grasping simulation"]);
    assert_eq!(some[0], "2604.00007", "the paper holding all three first");
    some.sort();
    assert_eq!(some, ["2604.00005", "2604.00006", "2604.00007"]);
    assert_eq!(
        ids(&a, &["robot \"soft robot hand\""]),
        ["2604.00005"],
        "a phrase is a filter"
    );
    assert_eq!(
        ids(&a, &["ti:survey robot"]),
        ["2604.00006"],
        "a field prefix is a filter"
    );
    assert_eq!(
        ids(&a, &["robot OR neural"]).len(),
        5,
        "a boolean query keeps its exact meaning"
    );
    assert_eq!(
        ids(&a, &["hands -survey", "--category", "cs.RO"]),
        ["2604.00005"]
    );
    // A word that ends a clause with a colon, an apostrophe, a lone dash: words of a sentence.
    assert_eq!(
        ids(&a, &["grasping: a robot's soft hand - objects"])[0],
        "2604.00005"
    );
    // A profile (saved search) keeps every word required.
    let b = archive_with_feeds_and_config(Some(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\n\n[[profile]]\nname = \"rag\"\ncategories = [\"cs.IR\"]\nquery = \"retrieval generation\"\n",
    ));
    let report = b.json_lines(&["report", "show", "2026-03-02", "--profile", "rag", "--json"]);
    let rows: Vec<&str> = report.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(rows, ["2603.00001"], "a profile is a filter: {report:?}");
}
