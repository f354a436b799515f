//! `ingest` over HTTP from a server on 127.0.0.1, `status`, `report rerun`, the writer lock.

use std::time::Duration;

use crate::fixtures::{Item, expected_report, feed};
use crate::util::{Reply, Server, TestArchive};

pub(crate) const WED: &str = "Wed, 24 Sep 2025 00:00:00 -0400";
pub(crate) const THU: &str = "Thu, 25 Sep 2025 00:00:00 -0400";

/// The next day's feed: one new paper the default profile keeps.
pub(crate) fn thursday_items() -> Vec<Item<'static>> {
    vec![Item {
        id: "2509.20001",
        version: 1,
        kind: "new",
        title: "A generative retrieval model",
        abs: "Thursday's paper.",
        authors: "G. H",
        cats: &["cs.IR"],
    }]
}

pub(crate) fn items() -> Vec<Item<'static>> {
    vec![
        Item {
            id: "2509.10001",
            version: 1,
            kind: "new",
            title: "Multimodal retrieval: Q&A <fast>",
            abs: "First paragraph with $x^2$ & more.\n  Second paragraph | piped.",
            authors: "Ana Barth\\'elemy (MIT), Bo Li",
            cats: &["cs.IR", "cs.CL"],
        },
        Item {
            id: "2509.10002",
            version: 1,
            kind: "new",
            title: "Dense retrieval without keywords",
            abs: "Nothing to see.",
            authors: "C. D",
            cats: &["cs.IR"],
        },
        Item {
            id: "2509.10003",
            version: 1,
            kind: "cross",
            title: "RankLLM reranking",
            abs: "Cross-listed.",
            authors: "E. F",
            cats: &["cs.CL", "cs.IR"],
        },
        Item {
            id: "2501.00004",
            version: 3,
            kind: "replace",
            title: "Generative recommenders, revised",
            abs: "Replaced abstract.",
            authors: "G. H",
            cats: &["cs.IR"],
        },
        Item {
            id: "2501.00005",
            version: 2,
            kind: "replace-cross",
            title: "An MLLM benchmark",
            abs: "Replace-cross.",
            authors: "I. J",
            cats: &["cs.CV", "cs.IR"],
        },
    ]
}

fn ingest(a: &TestArchive, s: &Server) -> crate::util::Run {
    a.ingest_from(s, &[])
}

#[test]
fn a_feed_becomes_the_original_report_and_twice_is_a_no_op() {
    let a = TestArchive::new();
    let s = Server::start();
    let it = items();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", WED, &it))]);
    let out = ingest(&a, &s).ok();
    assert!(
        out.stdout.contains("cs.IR 2025-09-24: 5 items")
            && out.stdout.contains("report default: 4 rows"),
        "{}",
        out.stdout
    );
    let want = expected_report("24-Sep-2025", &[&it[0], &it[2], &it[3], &it[4]]);
    assert_eq!(a.run(&["report", "show", "2025-09-24"]).ok().stdout, want);
    let before = a.stats();
    let db = std::fs::read(a.data().join("arxiv-daily.sqlite3")).unwrap();
    let again = ingest(&a, &s).ok();
    assert!(again.stdout.contains("already stored"), "{}", again.stdout);
    assert_eq!(a.stats(), before);
    assert_eq!(
        std::fs::read(a.data().join("arxiv-daily.sqlite3")).unwrap(),
        db
    );
    // polite: a User-Agent naming the tool
    assert!(
        s.hits("/rss/cs.IR")
            .iter()
            .all(|h| h.user_agent.starts_with("arxiv-daily/"))
    );
    let show: serde_json::Value =
        serde_json::from_str(&a.run(&["show", "2509.10003", "--json"]).ok().stdout).unwrap();
    assert_eq!(show["listings"][0]["announce_type"], "cross");
    assert_eq!(
        show["snapshots"][0]["categories"],
        serde_json::json!(["cs.CL", "cs.IR"])
    );
}

#[test]
fn a_replacement_shows_new_text_on_its_day_and_old_text_before() {
    let a = TestArchive::new();
    let s = Server::start();
    let v1 = Item {
        id: "2509.20001",
        version: 1,
        kind: "new",
        title: "LLM agents",
        abs: "Old abstract.",
        authors: "A",
        cats: &["cs.IR"],
    };
    let v2 = Item {
        id: "2509.20001",
        version: 2,
        kind: "replace",
        title: "LLM agents",
        abs: "New abstract.",
        authors: "A",
        cats: &["cs.IR"],
    };
    s.route(
        "/rss/cs.IR",
        vec![
            Reply::ok(feed("cs.IR", WED, &[v1])),
            Reply::ok(feed("cs.IR", THU, &[v2])),
        ],
    );
    ingest(&a, &s).ok();
    ingest(&a, &s).ok();
    assert!(
        a.run(&["report", "show", "2025-09-24"])
            .ok()
            .stdout
            .contains("| Old abstract. |")
    );
    assert!(
        a.run(&["report", "show", "2025-09-25"])
            .ok()
            .stdout
            .contains("| New abstract. |")
    );
    let hits = a.run(&["search", "--json", "abstract"]).ok().stdout;
    assert_eq!(hits.lines().count(), 1);
    assert!(
        hits.contains("New abstract") && !hits.contains("Old"),
        "search shows the latest snapshot: {hits}"
    );
}

#[test]
fn an_empty_channel_is_a_day_without_announcements() {
    let a = TestArchive::new();
    let s = Server::start();
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(feed(
            "cs.IR",
            "Sat, 27 Sep 2025 00:00:00 -0400",
            &[],
        ))],
    );
    let out = ingest(&a, &s).ok();
    assert!(out.stdout.contains("no announcements"), "{}", out.stdout);
    assert_eq!(
        a.run(&["report", "show", "2025-09-27"]).ok().stdout,
        expected_report("27-Sep-2025", &[])
    );
    let status = &a.json_lines(&["status", "--json"])[0];
    assert_eq!(status["empty"], serde_json::json!(["2025-09-27"]));
}

#[test]
fn a_stale_feed_never_becomes_a_new_day() {
    let a = TestArchive::new();
    let s = Server::start();
    let it = items();
    s.route(
        "/rss/cs.IR",
        vec![
            Reply::ok(feed("cs.IR", WED, &it)),
            Reply::ok(feed("cs.IR", THU, &it)),
        ],
    );
    ingest(&a, &s).ok();
    let out = ingest(&a, &s).ok();
    assert!(
        out.stdout.contains("stale feed repeating 2025-09-24"),
        "{}",
        out.stdout
    );
    a.run(&["report", "show", "2025-09-25"]).code(1);
    let status = &a.json_lines(&["status", "--json"])[0];
    assert_eq!(status["repeated"][0]["same_as"], "2025-09-24");
    assert_eq!(status["ingested"].as_array().unwrap().len(), 1);
}

#[test]
fn retries_a_503_honouring_retry_after() {
    let a = TestArchive::new();
    let s = Server::start();
    s.route(
        "/rss/cs.IR",
        vec![
            Reply::status(503, "busy").header("Retry-After", "1"),
            Reply::ok(feed("cs.IR", WED, &items())),
        ],
    );
    ingest(&a, &s).ok();
    let hits = s.hits("/rss/cs.IR");
    assert_eq!(hits.len(), 2);
    assert!(
        hits[1].at.duration_since(hits[0].at) >= Duration::from_millis(950),
        "waited for Retry-After"
    );
    assert_eq!(a.stats()["papers"], 5);
}

#[test]
fn the_minimum_interval_separates_requests() {
    let a = TestArchive::new();
    a.write_config("[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\", \"cs.CL\"]\ntitle_keywords = [\"llm\"]\n");
    let s = Server::start();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", WED, &items()))]);
    s.route("/rss/cs.CL", vec![Reply::ok(feed("cs.CL", WED, &[]))]);
    a.run(&[
        "ingest",
        "--rss-url",
        &format!("{}/rss/", s.base),
        "--min-interval",
        "1",
    ])
    .ok();
    let (ir, cl) = (s.hits("/rss/cs.IR"), s.hits("/rss/cs.CL"));
    assert!(cl[0].at.duration_since(ir[0].at) >= Duration::from_millis(950));
}

#[test]
fn what_is_not_a_feed_is_an_error_naming_the_url_and_stores_nothing() {
    let cases = vec![
        Reply::ok("<html><body>Service unavailable</body></html>"),
        Reply::ok(feed("cs.IR", WED, &items())[..600].to_string()),
        Reply::ok(""),
        Reply::status(404, "not found"),
        Reply::status(500, "oops"),
        Reply::status(429, "Rate exceeded").header("Retry-After", "100000"),
        Reply::ok(feed("cs.IR", WED, &items()).replace(
            ">replace-cross</arxiv:announce_type>",
            ">mystery</arxiv:announce_type>",
        )),
        Reply::ok(feed("cs.IR", WED, &items()).replace(
            "<guid isPermaLink=\"false\">oai:arXiv.org:2509.10002v1</guid>",
            "",
        )),
    ];
    for reply in cases {
        let a = TestArchive::new();
        let s = Server::start();
        s.route("/rss/cs.IR", vec![reply.clone()]);
        let out = a.ingest_from(&s, &["--timeout", "2"]).code(2);
        assert!(
            out.stderr.contains(&format!("{}/rss/cs.IR", s.base)),
            "{}",
            out.stderr
        );
        assert_eq!(a.stats()["papers"], 0, "{}", out.stderr);
        assert_eq!(a.stats()["feeds"], 0);
    }
}

#[test]
fn a_stalled_server_times_out() {
    let a = TestArchive::new();
    let s = Server::start();
    s.route(
        "/rss/cs.IR",
        vec![Reply::ok(feed("cs.IR", WED, &items())).delayed(Duration::from_secs(3))],
    );
    let out = a.ingest_from(&s, &["--timeout", "0.5"]).code(2);
    assert!(out.stderr.contains("timed out"), "{}", out.stderr);
}

#[test]
fn rerun_applies_the_current_rules_and_shows_the_difference() {
    let a = TestArchive::new();
    let s = Server::start();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", WED, &items()))]);
    ingest(&a, &s).ok();
    a.write_config("[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"retrieval\"]\nexclude_keywords = [\"dense\"]\n");
    let out = a.run(&["report", "rerun", "2025-09-24"]).ok();
    assert!(
        out.stdout.contains("- 2509.10003") && out.stdout.contains("now has 1 rows (was 4)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        a.json_lines(&["report", "show", "2025-09-24", "--format", "json"])
            .len(),
        1
    );
}

#[test]
fn config_errors_name_the_file_and_line() {
    let a = TestArchive::new();
    a.write_config(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keyword = [\"x\"]\n",
    );
    let out = a.run(&["ingest", "--feed-file", "/nonexistent"]).code(2);
    assert!(
        out.stderr.contains("arxiv-daily.toml")
            && out.stderr.contains("line 4")
            && out.stderr.contains("title_keyword"),
        "{}",
        out.stderr
    );
    let b = TestArchive::new();
    let out = b
        .run(&["import", "legacy", "--profile", "nope", "/tmp"])
        .code(2);
    assert!(
        out.stderr.contains("unknown profile \"nope\""),
        "{}",
        out.stderr
    );
}

#[test]
fn a_second_writer_is_told_who_holds_the_archive() {
    let a = TestArchive::new();
    std::fs::create_dir_all(a.data()).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(a.data().join("lock"))
        .unwrap();
    lock.try_lock().unwrap();
    std::fs::write(a.data().join("lock"), "4242").unwrap();
    let s = Server::start();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", WED, &items()))]);
    let out = ingest(&a, &s).code(2);
    assert!(
        out.stderr.contains("being written by pid 4242"),
        "{}",
        out.stderr
    );
    drop(lock);
    ingest(&a, &s).ok();
}

/// A request that fails says why (the cause, not only "error sending request"), and each retry
/// says on stderr what failed, which attempt it was and how long it waits; what retrying cannot
/// fix (TLS to a server that does not speak it) fails at once, after one connection.
#[test]
fn failed_requests_say_why_and_each_retry_says_so_as_it_waits() {
    let a = TestArchive::new();
    // A port nobody listens on: every connection is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/rss/");
    let out = a
        .run(&["ingest", "--rss-url", &url, "--min-interval", "0"])
        .code(2);
    let retries: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("retrying in"))
        .collect();
    assert_eq!(retries.len(), 5, "{}", out.stderr);
    for (n, line) in retries.iter().enumerate() {
        assert!(
            line.contains("Connection refused")
                && line.contains(&format!("(attempt {} of 6)", n + 1))
                && line.contains(&format!("127.0.0.1:{port}/rss/cs.IR")),
            "{line}"
        );
    }
    assert!(
        out.stderr
            .contains("Connection refused (os error 111) (gave up after 6 attempts)"),
        "{}",
        out.stderr
    );
    // A server that answers TLS with plain text.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&accepted);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut stream = stream;
            let _ = std::io::Write::write_all(&mut stream, b"plain text, not TLS\r\n\r\n");
        }
    });
    let https = format!("https://{addr}/rss/");
    let out = a
        .run(&["ingest", "--rss-url", &https, "--min-interval", "0"])
        .code(2);
    assert!(!out.stderr.contains("retrying"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("{https}cs.IR: error sending request: ")),
        "{}",
        out.stderr
    );
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}
