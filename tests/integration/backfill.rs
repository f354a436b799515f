//! `backfill` against an OAI-PMH server on 127.0.0.1, and `import kaggle`.

use crate::util::{Reply, Server, TestArchive, write};

pub(crate) fn record(id: &str, v1: &str, cats: &str, title: &str) -> String {
    format!(
        "<record><header><identifier>oai:arXiv.org:{id}</identifier><datestamp>2026-02-02</datestamp></header><metadata>\
         <arXivRaw xmlns=\"http://arxiv.org/OAI/arXivRaw/\"><id>{id}</id><version version=\"v1\"><date>{v1}</date><size>1kb</size></version>\
         <title>{title}</title><authors>A. One, B. Two</authors><categories>{cats}</categories><abstract>  An abstract\n  wrapped.\n</abstract></arXivRaw></metadata></record>"
    )
}

pub(crate) fn page(records: &[String], token: Option<&str>) -> String {
    let token = match token {
        Some(t) => format!(
            "<resumptionToken expirationDate=\"2026-02-03T00:00:00Z\">{t}</resumptionToken>"
        ),
        None => "<resumptionToken/>".to_string(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><responseDate>2026-02-03T00:00:00Z</responseDate>\
         <ListRecords>{}{token}</ListRecords></OAI-PMH>",
        records.concat()
    )
}

pub(crate) const FIRST: &str = "/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs%3Acs%3AIR&from=2026-02-01&until=2026-02-28";

fn backfill(a: &TestArchive, s: &Server) -> crate::util::Run {
    a.backfill_from(s, "2026-02-01", "2026-02-28")
}

#[test]
fn pages_retries_and_resume_without_refetching() {
    let a = TestArchive::new();
    let s = Server::start();
    // Tue 15:00 UTC = 10:00 ET, before the cutoff -> listed Wednesday.
    let p1 = page(
        &[record(
            "2602.00001",
            "Tue, 03 Feb 2026 15:00:00 GMT",
            "cs.IR cs.CL",
            "A generative model",
        )],
        Some("tok|1"),
    );
    let p2 = page(
        &[record(
            "2602.00002",
            "Thu, 05 Feb 2026 20:00:00 GMT",
            "cs.IR",
            "Second LLM paper",
        )],
        None,
    );
    s.route(
        FIRST,
        vec![
            Reply::status(503, "slow down").header("Retry-After", "1"),
            Reply::ok(p1),
        ],
    );
    // page 2 fails for good the first time (an HTML error page, three times)
    s.route(
        "/oai?verb=ListRecords&resumptionToken=tok%7C1",
        vec![Reply::ok("<html>error</html>")],
    );
    let out = backfill(&a, &s).code(2);
    assert!(
        out.stderr.contains("resumptionToken=tok%7C1")
            && out.stderr.contains("not an OAI-PMH response"),
        "{}",
        out.stderr
    );
    assert_eq!(a.stats()["papers"], 1, "page 1 is kept");
    assert_eq!(s.hits(FIRST).len(), 2, "503 then success");
    // the server recovers: the rerun starts at page 2
    s.route(
        "/oai?verb=ListRecords&resumptionToken=tok%7C1",
        vec![Reply::ok(p2)],
    );
    backfill(&a, &s).ok();
    assert_eq!(s.hits(FIRST).len(), 2, "page 1 was not fetched again");
    assert_eq!(a.stats()["papers"], 2);
    let show: serde_json::Value =
        serde_json::from_str(&a.run(&["show", "2602.00001", "--json"]).ok().stdout).unwrap();
    let listed: Vec<(String, String, String)> = show["listings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["date"].as_str().unwrap().into(),
                l["category"].as_str().unwrap().into(),
                l["announce_type"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("2026-02-04".into(), "cs.CL".into(), "cross".into()),
            ("2026-02-04".into(), "cs.IR".into(), "new".into())
        ]
    );
    assert_eq!(show["snapshots"][0]["abstract"], "An abstract wrapped.");
    // Thu 20:00 UTC = 15:00 ET, after the cutoff -> listed Monday; its report is estimated
    let list = a.run(&["report", "list", "--json"]).ok().stdout;
    assert!(
        list.contains("\"date\":\"2026-02-09\"") && list.contains("\"estimated\":true"),
        "{list}"
    );
    assert!(
        a.run(&["report", "show", "2026-02-09"])
            .ok()
            .stdout
            .contains("Second LLM paper")
    );
    assert_eq!(a.json_lines(&["search", "--json", "generative"]).len(), 1);
    // a finished window is skipped
    let again = backfill(&a, &s).ok();
    assert!(
        again.stdout.contains("already harvested"),
        "{}",
        again.stdout
    );
    assert_eq!(s.hits(FIRST).len(), 2);
}

#[test]
fn no_records_match_is_an_empty_window_and_an_expired_token_restarts() {
    let a = TestArchive::new();
    let s = Server::start();
    s.route(FIRST, vec![Reply::ok(r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="noRecordsMatch">none</error></OAI-PMH>"#)]);
    backfill(&a, &s).ok();
    assert_eq!(a.stats()["papers"], 0);

    let b = TestArchive::new();
    let s = Server::start();
    let p1 = page(
        &[record(
            "2602.00001",
            "Tue, 03 Feb 2026 15:00:00 GMT",
            "cs.IR",
            "One",
        )],
        Some("old"),
    );
    s.route(FIRST, vec![Reply::ok(p1)]);
    s.route("/oai?verb=ListRecords&resumptionToken=old", vec![Reply::ok(r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badResumptionToken">expired</error></OAI-PMH>"#)]);
    let restart = "/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs%3Acs%3AIR&from=2026-02-02&until=2026-02-28";
    s.route(
        restart,
        vec![Reply::ok(page(
            &[record(
                "2602.00002",
                "Tue, 03 Feb 2026 15:00:00 GMT",
                "cs.IR",
                "Two",
            )],
            None,
        ))],
    );
    let out = backfill(&b, &s).ok();
    assert!(out.stdout.contains("1 token restarts"), "{}", out.stdout);
    assert_eq!(
        s.hits(restart).len(),
        1,
        "restarted from the last stored datestamp"
    );
    assert_eq!(b.stats()["papers"], 2);

    let c = TestArchive::new();
    let s = Server::start();
    s.route(FIRST, vec![Reply::ok(r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badArgument">bad from</error></OAI-PMH>"#)]);
    let out = backfill(&c, &s).code(2);
    assert!(
        out.stderr.contains("badArgument") && out.stderr.contains(&s.base),
        "{}",
        out.stderr
    );
}

#[test]
fn kaggle_lines_import_once_and_bad_lines_are_reported() {
    let a = TestArchive::new();
    let file = a.scratch("k").join("snapshot.jsonl");
    let good = |id: &str, title: &str| {
        format!(
            r#"{{"id":"{id}","submitter":"X","authors":"A. One","title":"{title}","comments":null,"journal-ref":null,"doi":null,"report-no":null,"categories":"cs.IR cs.LG","license":null,"abstract":"  Abstract of {id}.\n","versions":[{{"version":"v1","created":"Mon, 2 Mar 2026 15:00:00 GMT"}},{{"version":"v2","created":"Wed, 4 Mar 2026 15:00:00 GMT"}}],"update_date":"2026-03-04","authors_parsed":[["One","A.",""]]}}"#
        )
    };
    let text = format!(
        "{}\n{}\nnot json\n{}\n{{\"id\": \"2603.0",
        good("2603.00001", "Generative A"),
        good("2603.00002", "B"),
        good("math/0309136", "Old style")
    );
    write(&file, &text);
    let out = a.run(&["import", "kaggle", file.to_str().unwrap()]).ok();
    assert!(
        out.stderr.contains("snapshot.jsonl:3") && out.stderr.contains("snapshot.jsonl:5"),
        "{}",
        out.stderr
    );
    assert_eq!(a.stats()["papers"], 3);
    let show: serde_json::Value =
        serde_json::from_str(&a.run(&["show", "2603.00001", "--json"]).ok().stdout).unwrap();
    let types: Vec<&str> = show["listings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["announce_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["new", "cross", "replace", "replace-cross"]);
    let before = a.stats();
    a.run(&["import", "kaggle", file.to_str().unwrap()]).ok();
    assert_eq!(a.stats(), before, "re-import is a no-op");
    assert!(
        a.run(&["report", "show", "2026-03-03"])
            .ok()
            .stdout
            .contains("Generative A")
    );
}

#[test]
fn a_bad_record_is_kept_aside_and_never_blocks_the_harvest() {
    let a = TestArchive::new();
    let s = Server::start();
    let good = record(
        "2602.00001",
        "Tue, 03 Feb 2026 15:00:00 GMT",
        "cs.IR",
        "Good one",
    );
    let bad_date = record("2602.00002", "the third of February", "cs.IR", "Bad date");
    let bad_id = record(
        "not-an-id",
        "Tue, 03 Feb 2026 15:00:00 GMT",
        "cs.IR",
        "Bad id",
    );
    let no_title = record("2602.00004", "Tue, 03 Feb 2026 15:00:00 GMT", "cs.IR", "");
    let last = record(
        "2602.00005",
        "Tue, 03 Feb 2026 15:00:00 GMT",
        "cs.IR",
        "Good two",
    );
    s.route(
        FIRST,
        vec![Reply::ok(page(
            &[good, bad_date, bad_id, no_title],
            Some("tok|1"),
        ))],
    );
    s.route(
        "/oai?verb=ListRecords&resumptionToken=tok%7C1",
        vec![Reply::ok(page(&[last], None))],
    );
    let url = format!("{}/oai", s.base);
    let args = [
        "backfill",
        "--from",
        "2026-02-01",
        "--to",
        "2026-02-28",
        "--until",
        "2026-02-28",
        "--oai-url",
        &url,
        "--min-interval",
        "0",
        "--json",
    ];
    let out = a.run(&args).ok();
    let summary: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["rejected"], 3, "{summary}");
    assert_eq!(summary["records"], 2, "{summary}");
    for named in [
        "2602.00002",
        "not-an-id",
        "2602.00004",
        "bad version date",
        "no title",
    ] {
        assert!(
            out.stderr.contains(named),
            "stderr names {named}: {}",
            out.stderr
        );
    }
    assert_eq!(a.stats()["papers"], 2);
    // The checkpoint moved past the page: a rerun fetches nothing again and succeeds.
    let again = a.run(&args).ok();
    assert!(
        again.stdout.contains("\"skipped_done\":true"),
        "{}",
        again.stdout
    );
    assert_eq!(
        s.hits(FIRST).len(),
        1,
        "the page with bad records is not fetched again"
    );
    // doctor lists them (with the XML kept), and they are no problem of consistency.
    let doctor: serde_json::Value =
        serde_json::from_str(a.run(&["doctor", "--json"]).ok().stdout.trim()).unwrap();
    assert_eq!(doctor["ok"], true);
    let ids: Vec<&str> = doctor["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{doctor}");
    assert!(
        a.run(&["doctor"])
            .ok()
            .stdout
            .contains("rejected: oai:arXiv.org:2602.00002")
    );
    // Retrying reads them again with this version's parser: still rejected, nothing lost.
    let retry = a.run(&["backfill", "--retry-rejected", "--json"]).ok();
    let r: serde_json::Value = serde_json::from_str(retry.stdout.trim()).unwrap();
    assert_eq!(
        (r["tried"].as_u64(), r["stored"].as_u64()),
        (Some(3), Some(0)),
        "{r}"
    );
}
