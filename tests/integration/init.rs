//! `init`: a researcher's first run, against an OAI-PMH server on 127.0.0.1.

use crate::backfill::{page, record};
use crate::util::{Reply, Server, TestArchive, write};
use arxiv_daily::model::Day;

#[test]
fn init_follows_the_categories_fills_the_last_weeks_and_starts_a_tag() {
    let a = TestArchive::new();
    let s = Server::start();
    // Two papers submitted three days ago (so listed inside the last two weeks), one of them
    // also in the reader's BibTeX file.
    let today = Day::today();
    let submitted = today.sub_days(3).date();
    let stamp = jiff::civil::DateTime::from(submitted)
        .strftime("%a, %d %b %Y 15:00:00 GMT")
        .to_string();
    let records = [
        record(
            "2611.00001",
            &stamp,
            "cs.RO",
            "Legged robots that learn to walk",
        ),
        record(
            "2611.00002",
            &stamp,
            "cs.RO cs.AI",
            "Quadruped locomotion on rough ground",
        ),
    ];
    let from = today.sub_days(14);
    s.route(
        &format!(
            "/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs%3Acs%3ARO&from={from}&until={today}"
        ),
        vec![Reply::ok(page(&records, None))],
    );
    s.route(
        &format!(
            "/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs%3Acs%3AAI&from={from}&until={today}"
        ),
        vec![Reply::ok(page(&records[1..], None))],
    );
    let bib = a.scratch("in").join("mine.bib");
    write(
        &bib,
        "@misc{one, title={Legged robots that learn to walk}, eprint={2611.00001}, archivePrefix={arXiv}}\n",
    );
    let oai = format!("{}/oai", s.base);
    let out = a
        .run(&[
            "init",
            "--categories",
            "cs.RO,cs.AI",
            "--oai-url",
            &oai,
            "--min-interval",
            "0",
            "--bib",
            bib.to_str().unwrap(),
            "--describe",
            "legged robots that learn to walk on rough ground",
        ])
        .ok();
    // The config follows the categories, with no keywords: every paper is in the report.
    let config = std::fs::read_to_string(a.data().join("arxiv-daily.toml")).unwrap();
    assert!(
        config.contains("categories = [\"cs.RO\", \"cs.AI\"]"),
        "{config}"
    );
    assert!(!config.contains("\ntitle_keywords"), "{config}");
    // The weeks were filled, the tag holds the paper and the description.
    assert_eq!(a.stats()["papers"], 2, "{}", out.stderr);
    let tags = a.run(&["library", "tags", "--json"]).ok().stdout;
    assert!(
        tags.contains("\"tag\":\"mine\"") && tags.contains("\"papers\":1"),
        "{tags}"
    );
    assert!(tags.contains("legged robots that learn"), "{tags}");
    // What to run next: the reader, the picks, the morning's cron line.
    for next in [
        "serve",
        "recommend --tag mine",
        "ingest --wait",
        "digest --to",
    ] {
        assert!(out.stdout.contains(next), "{next}: {}", out.stdout);
    }
    // Twice is refused, naming the file, and changes nothing.
    let again = a
        .run(&["init", "--categories", "cs.CL", "--weeks", "0"])
        .code(2);
    assert!(
        again.stderr.contains("arxiv-daily.toml exists"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read_to_string(a.data().join("arxiv-daily.toml")).unwrap(),
        config
    );
    // A category that is not one is refused before anything is written.
    let b = TestArchive::new();
    let bad = b
        .run(&["init", "--categories", "cs.RO;rm", "--weeks", "0"])
        .code(2);
    assert!(
        bad.stderr.contains("not an arXiv category"),
        "{}",
        bad.stderr
    );
    assert!(!b.data().exists());
}
