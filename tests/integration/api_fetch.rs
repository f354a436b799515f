//! A library that holds older papers: `library add`, `library import` and `library fetch` ask
//! arXiv's API (a server of the test's own, fake-arxiv, and the recorded 2026 responses) for the
//! papers the archive lacks and store them; an id arXiv does not know is refused; offline, the
//! papers wait; kill -9 during a fetch loses nothing.

use std::process::Stdio;

use crate::shared::{shared, start_fake};
use crate::util::{Reply, Server, TestArchive, eventually, write};

/// An Atom answer of arXiv's API with one entry per (id, version, title, abstract).
fn api_feed(entries: &[(&str, u32, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" \
         xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <id>https://arxiv.org/api/test</id><title>arXiv Query</title><updated>2026-04-12T22:09:25Z</updated>\n",
    );
    for (id, v, title, abs) in entries {
        s.push_str(&format!(
            "<entry><id>http://arxiv.org/abs/{id}v{v}</id><title>{title}</title>\
             <updated>2019-03-05T10:00:00Z</updated><summary>  {abs}\n  </summary>\
             <category term=\"cs.RO\" scheme=\"http://arxiv.org/schemas/atom\"/>\
             <category term=\"cs.LG\" scheme=\"http://arxiv.org/schemas/atom\"/>\
             <published>2019-03-05T10:00:00Z</published><arxiv:primary_category term=\"cs.RO\"/>\
             <author><name>Ann Author</name></author><author><name>Bo Second</name></author></entry>\n"
        ));
    }
    s.push_str("</feed>\n");
    s
}

/// The path (and query) `library` asks for these ids.
fn query(ids: &[&str]) -> String {
    format!(
        "/api/query?id_list={}&max_results={}",
        ids.join(","),
        ids.len()
    )
}

/// A URL nothing listens on (offline).
fn closed_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/api/query")
}

fn api_args<'a>(args: &[&'a str], url: &'a str) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend_from_slice(&["--api-url", url, "--min-interval", "0"]);
    v
}

fn show(a: &TestArchive, id: &str) -> serde_json::Value {
    serde_json::from_str(&a.run(&["show", id, "--json"]).ok().stdout).unwrap()
}

fn latest_title(a: &TestArchive, id: &str) -> String {
    show(a, id)["snapshots"]
        .as_array()
        .and_then(|s| s.last())
        .and_then(|s| s["title"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn listed(a: &TestArchive) -> Vec<serde_json::Value> {
    let r = a.run(&["library", "list", "--json"]);
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn library_add_fetches_a_paper_the_archive_lacks_and_it_shows_searches_and_lists() {
    let a = TestArchive::new();
    let s = Server::start();
    let title = "Learned gaits for legged robots on rough ground";
    s.route(
        &query(&["1903.01234"]),
        vec![Reply::ok(api_feed(&[(
            "1903.01234",
            2,
            title,
            "Quadruped locomotion learned in simulation.",
        )]))],
    );
    let url = format!("{}/api/query", s.base);
    let out = a
        .run(&api_args(
            &["library", "add", "--tag", "robots", "arXiv:1903.01234v1"],
            &url,
        ))
        .ok();
    assert!(
        out.stdout.contains("1 paper saved to robots"),
        "{}",
        out.stdout
    );
    assert_eq!(s.hits(&query(&["1903.01234"])).len(), 1);

    // A paper of the archive: its snapshot (no listing: no archived day announced it).
    let shown = show(&a, "1903.01234");
    let snap = shown["snapshots"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(snap["title"], title, "{shown}");
    assert_eq!(snap["version"], 2, "{shown}");
    assert_eq!(snap["authors"], "Ann Author, Bo Second", "{shown}");
    assert_eq!(snap["categories"], serde_json::json!(["cs.RO", "cs.LG"]));
    assert_eq!(
        snap["abstract"], "Quadruped locomotion learned in simulation.",
        "{shown}"
    );
    assert_eq!(shown["listings"], serde_json::json!([]), "{shown}");
    // The library names it by its title, and search finds it.
    let list = listed(&a);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["title"], title);
    let hits = a.run(&["search", "quadruped", "--json"]).ok().stdout;
    assert!(hits.contains("1903.01234"), "{hits}");

    // Held now: adding it again (to another tag) asks nothing.
    a.run(&api_args(
        &["library", "add", "--tag", "gaits", "1903.01234"],
        &url,
    ))
    .ok();
    assert_eq!(s.hits(&query(&["1903.01234"])).len(), 1);
    // The archive is consistent: a paper with a snapshot and no listing is a valid paper.
    a.run(&["doctor"]).ok();
    // The archive as text keeps it (under the day its version was first listed), and reads it
    // back.
    let text = a.scratch("text");
    a.run(&["archive", "export", text.to_str().unwrap()]).ok();
    let b = TestArchive::new();
    b.run(&["archive", "import", text.to_str().unwrap()]).ok();
    assert_eq!(latest_title(&b, "1903.01234"), title);
}

#[test]
fn an_id_arxiv_does_not_know_is_an_error_and_nothing_is_saved() {
    let a = TestArchive::new();
    let s = Server::start();
    let url = format!("{}/api/query", s.base);
    // arXiv leaves an unknown id out of its answer.
    s.route(
        &query(&["1903.01234", "1903.99999"]),
        vec![Reply::ok(api_feed(&[("1903.01234", 1, "Known", "Text.")]))],
    );
    let out = a
        .run(&api_args(
            &["library", "add", "--tag", "t", "1903.01234", "1903.99999"],
            &url,
        ))
        .code(2);
    assert!(out.stderr.contains("1903.99999"), "{}", out.stderr);
    assert!(!out.stderr.contains("1903.01234"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing saved"), "{}", out.stderr);
    assert!(listed(&a).is_empty());

    // An import lists it as unmatched and adds the rest.
    let bib = a.scratch("in").join("zotero.bib");
    write(
        &bib,
        "@article{known, title={Known}, eprint={1903.01234}, archivePrefix={arXiv}}\n\
         @article{typo, title={Typo}, eprint={1903.99999}, archivePrefix={arXiv}}\n",
    );
    s.route(&query(&["1903.99999"]), vec![Reply::ok(api_feed(&[]))]);
    let v: serde_json::Value = serde_json::from_str(
        &a.run(&api_args(
            &[
                "library",
                "import",
                bib.to_str().unwrap(),
                "--tag",
                "t",
                "--json",
            ],
            &url,
        ))
        .ok()
        .stdout,
    )
    .unwrap();
    assert_eq!(v["added"], 1, "{v}");
    assert_eq!(v["matched"][0]["id"], "1903.01234", "{v}");
    assert_eq!(v["unmatched"][0]["key"], "typo", "{v}");
    assert_eq!(v["unmatched"][0]["unknown_id"], "1903.99999", "{v}");
    let ids: Vec<_> = listed(&a).iter().map(|e| e["id"].clone()).collect();
    assert_eq!(ids, [serde_json::json!("1903.01234")]);
}

#[test]
fn a_malformed_id_and_an_api_refusal_are_errors() {
    let a = TestArchive::new();
    let s = Server::start();
    let url = format!("{}/api/query", s.base);
    let out = a
        .run(&api_args(&["library", "add", "--tag", "t", "abc"], &url))
        .code(2);
    assert!(out.stderr.contains("not an arXiv id"), "{}", out.stderr);
    assert!(
        s.seen.lock().unwrap().is_empty(),
        "asked arXiv for a malformed id"
    );
    // arXiv refuses a request it cannot read with HTTP 400: an error naming the URL.
    s.route(
        &query(&["1903.01234"]),
        vec![Reply::status(400, "<feed><entry><id>https://arxiv.org/api/errors#x</id><summary>incorrect id format</summary></entry></feed>")],
    );
    let out = a
        .run(&api_args(
            &["library", "add", "--tag", "t", "1903.01234"],
            &url,
        ))
        .code(2);
    assert!(
        out.stderr.contains(&query(&["1903.01234"])),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("400"), "{}", out.stderr);
    assert!(listed(&a).is_empty());
}

#[test]
fn offline_the_papers_wait_and_library_fetch_stores_them_later() {
    let a = TestArchive::new();
    let offline = closed_url();
    let out = a
        .run(&api_args(
            &["library", "add", "--tag", "t", "1903.01234"],
            &offline,
        ))
        .ok();
    assert!(
        out.stderr.contains("not in the archive yet"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("library fetch"), "{}", out.stderr);
    // Asking while offline creates no archive.
    assert!(!a.data().join("arxiv-daily.sqlite3").exists());
    let list = listed(&a);
    assert_eq!(list[0]["title"], serde_json::Value::Null);
    let ids = a.scratch("in").join("ids.txt");
    write(&ids, "1903.00002\n");
    let v: serde_json::Value = serde_json::from_str(
        &a.run(&api_args(
            &[
                "library",
                "import",
                ids.to_str().unwrap(),
                "--tag",
                "t",
                "--json",
            ],
            &offline,
        ))
        .ok()
        .stdout,
    )
    .unwrap();
    assert_eq!(v["waiting"], serde_json::json!(["1903.00002"]), "{v}");
    // Still offline: `library fetch` fails, saying what still waits.
    let out = a
        .run(&api_args(&["library", "fetch", "--timeout", "5"], &offline))
        .code(2);
    assert!(
        out.stderr.contains("2 papers still not in the archive"),
        "{}",
        out.stderr
    );

    let s = Server::start();
    let both = Reply::ok(api_feed(&[
        ("1903.00002", 1, "Second", "B."),
        ("1903.01234", 1, "First", "A."),
    ]));
    // In whichever order the library lists them.
    s.route(&query(&["1903.01234", "1903.00002"]), vec![both.clone()]);
    s.route(&query(&["1903.00002", "1903.01234"]), vec![both]);
    let url = format!("{}/api/query", s.base);
    let v: serde_json::Value = serde_json::from_str(
        &a.run(&api_args(&["library", "fetch", "--json"], &url))
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["fetched"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["indexed"], 2, "{v}");
    assert_eq!(latest_title(&a, "1903.01234"), "First");
    assert_eq!(latest_title(&a, "1903.00002"), "Second");
    let list = listed(&a);
    assert!(list.iter().all(|e| e["title"].is_string()), "{list:?}");
    // Nothing left to fetch.
    let v: serde_json::Value = serde_json::from_str(
        &a.run(&api_args(&["library", "fetch", "--json"], &url))
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        (v["held"].clone(), v["requests"].clone()),
        (2.into(), 0.into())
    );
}

#[test]
fn kill_9_during_a_fetch_of_many_batches_loses_nothing() {
    // 24 papers, 3 a request: 8 requests, each answered a little late.
    let ids: Vec<String> = (0..24).map(|i| format!("1905.{:05}", i + 1)).collect();
    let s = Server::start();
    for chunk in ids.chunks(3) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let entries: Vec<(&str, u32, &str, &str)> = refs
            .iter()
            .map(|id| (*id, 1, "Walking robots", "Legged locomotion."))
            .collect();
        s.route(
            &query(&refs),
            vec![Reply::ok(api_feed(&entries)).delayed(std::time::Duration::from_millis(40))],
        );
    }
    let url = format!("{}/api/query", s.base);
    let mut seed: u64 = 0x5eed_a91f_0000_0027;
    for round in 0..3 {
        let a = TestArchive::new();
        let file = a.scratch("in").join("ids.txt");
        write(&file, &ids.join("\n"));
        // Saved while offline: all 24 wait.
        a.run(&api_args(
            &["library", "import", file.to_str().unwrap(), "--tag", "t"],
            &closed_url(),
        ))
        .ok();
        let before = s.seen.lock().unwrap().len();
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Killed once the server has seen 1 to 7 of the 8 requests (a condition, not a time).
        let after = 1 + (seed >> 33) as usize % 7;
        let mut child = a
            .cmd(&api_args(&["library", "fetch", "--batch", "3"], &url))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        eventually(&format!("request {after} of the fetch"), || {
            (s.seen.lock().unwrap().len() >= before + after).then_some(())
        });
        child.kill().unwrap();
        child.wait().unwrap();
        // The archive opens, and a rerun fetches only what is missing.
        let v: serde_json::Value = serde_json::from_str(
            &a.run(&api_args(
                &["library", "fetch", "--batch", "3", "--json"],
                &url,
            ))
            .ok()
            .stdout,
        )
        .unwrap();
        let held = v["held"].as_u64().unwrap();
        let fetched = v["fetched"].as_array().unwrap().len() as u64;
        assert_eq!(held + fetched, 24, "round {round}: {v}");
        assert!(
            held >= 3 * (after as u64 - 1),
            "round {round}, killed after {after}: {v}"
        );
        let stats = a.stats();
        assert_eq!(stats["papers"], 24, "round {round}: {stats}");
        for id in &ids {
            assert_eq!(latest_title(&a, id), "Walking robots", "{id}");
        }
        let hits = a
            .run(&["search", "locomotion", "--json", "--limit", "100"])
            .ok()
            .stdout;
        assert_eq!(
            hits.lines().count(),
            24,
            "round {round}: the index caught up\n{hits}"
        );
        a.run(&["doctor"]).ok();
    }
}

#[test]
fn fake_arxiv_and_the_recorded_2026_answers() {
    let Some(shared) = shared() else { return };
    let samples = shared.join("data/arxiv-samples");
    let sample = |name: &str| std::fs::read_to_string(samples.join(name)).unwrap();

    // The recorded answers, replayed.
    let a = TestArchive::new();
    let s = Server::start();
    s.route(
        &query(&["2104.12255"]),
        vec![Reply::ok(sample("api_2026_id_list_2104.12255v1.xml"))],
    );
    s.route(
        &query(&["astro-ph/0601001"]),
        vec![Reply::ok(sample(
            "api_2026_id_list_astro-ph_0601001_oldstyle.xml",
        ))],
    );
    s.route(
        &query(&["0000.0000"]),
        vec![Reply::ok(sample(
            "api_2026_id_list_0000.0000_empty_result.xml",
        ))],
    );
    s.route(
        &query(&["1707.08567"]),
        vec![Reply::status(
            400,
            &sample("api_2026_error_HTTP400_id_list_abc.xml"),
        )],
    );
    let url = format!("{}/api/query", s.base);
    a.run(&api_args(
        &["library", "add", "--tag", "crypto", "2104.12255"],
        &url,
    ))
    .ok();
    assert_eq!(latest_title(&a, "2104.12255"), "0");
    a.run(&api_args(
        &["library", "add", "--tag", "astro", "astro-ph/0601001"],
        &url,
    ))
    .ok();
    let snap = show(&a, "astro-ph/0601001")["snapshots"][0].clone();
    assert_eq!(snap["journal_ref"], "ActaAstron.56:1-50,2006", "{snap}");
    assert_eq!(
        snap["authors"],
        "Andrew Gould, Susan Dorsher, B. Scott Gaudi, Andrzej Udalski"
    );
    let out = a
        .run(&api_args(
            &["library", "add", "--tag", "t", "0000.0000"],
            &url,
        ))
        .code(2);
    assert!(out.stderr.contains("0000.0000"), "{}", out.stderr);
    a.run(&api_args(
        &["library", "add", "--tag", "t", "1707.08567"],
        &url,
    ))
    .code(2);
    let tags = a.run(&["library", "tags", "--json"]).ok().stdout;
    assert!(!tags.contains("\"t\""), "{tags}");

    // fake-arxiv's /api/query.
    let Some((_guard, base)) = start_fake(
        &shared.join("tools/fake-arxiv"),
        &shared.join("data/listings/listings-ai-ir-cl.jsonl.gz"),
        &a.scratch("fake"),
        &[],
    ) else {
        return;
    };
    let served = crate::shared::served_ids(&base, "cs:cs:IR", "2026-03-02", "2026-03-04");
    let some: Vec<&str> = served.iter().take(5).map(String::as_str).collect();
    assert!(some.len() >= 3, "{served:?}");
    let fake_url = format!("{base}/api/query");
    let mut args = vec!["library", "add", "--tag", "ir"];
    args.extend_from_slice(&some);
    a.run(&api_args(&args, &fake_url)).ok();
    for id in &some {
        assert!(!latest_title(&a, id).is_empty(), "{id}");
    }
    a.run(&api_args(
        &["library", "add", "--tag", "ir", "2603.99999"],
        &fake_url,
    ))
    .code(2);
}

#[test]
fn fetched_older_papers_train_their_tag() {
    // Four days of four topics; the reader's speech papers are from 2019, older than the archive.
    let a = crate::library::topical_archive();
    let s = Server::start();
    let old = ["1903.00011", "1903.00012", "1903.00013"];
    let entries: Vec<(&str, u32, &str, &str)> = old
        .iter()
        .map(|id| {
            (
                *id,
                1,
                "Speech recognition with acoustic models for spoken language",
                "We study automatic speech recognition, speaker verification and speech synthesis \
                 with acoustic models and phoneme alignment.",
            )
        })
        .collect();
    s.route(&query(&old), vec![Reply::ok(api_feed(&entries))]);
    let url = format!("{}/api/query", s.base);
    let mut args = vec!["library", "add", "--tag", "speech"];
    args.extend_from_slice(&old);
    a.run(&api_args(&args, &url)).ok();
    let recs: Vec<serde_json::Value> = a
        .run(&["recommend", "--tag", "speech", "--json", "--limit", "4"])
        .ok()
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The newest day's speech papers (topic 1) come first.
    assert_eq!(recs.len(), 4, "{recs:?}");
    for r in &recs {
        let id = r["id"].as_str().unwrap();
        assert!(id.starts_with("2603.0031"), "{recs:?}");
    }
}

#[test]
fn the_next_ingest_fetches_the_papers_that_wait() {
    let a = TestArchive::new();
    a.run(&api_args(
        &["library", "add", "--tag", "t", "1903.01234"],
        &closed_url(),
    ))
    .ok();
    let s = Server::start();
    let items = [crate::fixtures::Item {
        id: "2603.00001",
        version: 1,
        kind: "new",
        title: "Today's paper",
        abs: "Announced today.",
        authors: "A. B",
        cats: &["cs.IR"],
    }];
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(crate::fixtures::feed(
            "cs.IR",
            "Wed, 04 Mar 2026 00:00:00 -0500",
            &items,
        ))],
    );
    s.route(
        &query(&["1903.01234"]),
        vec![Reply::ok(api_feed(&[("1903.01234", 1, "Waited", "Long.")]))],
    );
    let url = format!("{}/api/query", s.base);
    let out = a
        .ingest_from(&s, &["--category", "cs.IR", "--api-url", &url])
        .ok();
    assert!(
        out.stderr.contains("1 library paper fetched"),
        "{}",
        out.stderr
    );
    assert_eq!(latest_title(&a, "1903.01234"), "Waited");
    assert_eq!(latest_title(&a, "2603.00001"), "Today's paper");
    // Held now: the next ingest asks nothing.
    a.ingest_from(&s, &["--category", "cs.IR", "--api-url", &url])
        .ok();
    assert_eq!(s.hits(&query(&["1903.01234"])).len(), 1);
}
