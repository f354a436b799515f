//! `serve`: the real binary on 127.0.0.1:0 over a real archive, every page and API route over
//! HTTP, the API against the CLI's `--json`, safety, and an ingest seen while serving.

use crate::fixtures::{Item, feed};
use crate::util::{PATIENCE, TestArchive, eventually, write};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

/// A running `arxiv-daily serve`; killed when dropped.
pub struct Served {
    child: Child,
    pub base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(a: &TestArchive) -> Served {
    serve_with(a, &[])
}

/// `serve` on 127.0.0.1:0 with more flags.
pub fn serve_with(a: &TestArchive, extra: &[&str]) -> Served {
    let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = a
        .cmd(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with('/'),
        "{base}"
    );
    Served { child, base }
}

pub const HOSTILE: &str = "<script>alert(1)</script> An LLM & $\\alpha<\\beta$";

/// Three days of cs.IR with a hostile title, a replaced paper and a cross-list.
pub fn archive() -> TestArchive {
    let a = TestArchive::new();
    let dir = a.scratch("feeds");
    let days = [
        "Mon, 02 Mar 2026 00:00:00 -0500",
        "Tue, 03 Mar 2026 00:00:00 -0500",
        "Wed, 04 Mar 2026 00:00:00 -0500",
    ];
    for (d, date) in days.iter().enumerate() {
        let ids: Vec<String> = (0..4).map(|n| format!("2603.{:05}", d * 10 + n)).collect();
        let mut items = vec![
            Item {
                id: &ids[0],
                version: 1,
                kind: "new",
                title: "Generative retrieval with semantic IDs",
                abs: "We index documents with semantic IDs for generative retrieval.",
                authors: "Ann Lee, Bo Chen",
                cats: &["cs.IR"],
            },
            Item {
                id: &ids[1],
                version: 1,
                kind: "new",
                title: "LLM rerankers for dense retrieval",
                abs: "Rerankers built on large language models.",
                authors: "Cy Diaz",
                cats: &["cs.IR", "cs.CL"],
            },
            Item {
                id: &ids[2],
                version: 1,
                kind: "cross",
                title: "Multimodal agents that search",
                abs: "Agents search images and text.",
                authors: "Dee Eng",
                cats: &["cs.CL", "cs.IR"],
            },
        ];
        if d == 0 {
            items.push(Item {
                id: "2603.00099",
                version: 1,
                kind: "new",
                title: HOSTILE,
                abs: "Q&A <b>bold</b> text.",
                authors: "Eve <img src=x onerror=alert(2)>",
                cats: &["cs.IR"],
            });
        }
        if d == 2 {
            items.push(Item {
                id: "2603.00001",
                version: 2,
                kind: "replace",
                title: "LLM rerankers for sparse and dense retrieval",
                abs: "Rerankers built on small and large language models.",
                authors: "Cy Diaz, Fay Gu",
                cats: &["cs.IR", "cs.CL"],
            });
        }
        let path = dir.join(format!("{d}.xml"));
        write(&path, &feed("cs.IR", date, &items));
        a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
            .ok();
    }
    a
}

fn get(url: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let r = reqwest::blocking::Client::new()
        .get(url)
        .timeout(PATIENCE)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().unwrap(), headers)
}

fn json(url: &str) -> serde_json::Value {
    let (status, body, _) = get(url);
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The JSON lines a CLI command printed, as one array.
fn cli(a: &TestArchive, args: &[&str]) -> serde_json::Value {
    let out = a.run(args);
    assert!(out.code == 0 || out.code == 1, "{args:?}: {}", out.stderr);
    serde_json::Value::Array(
        out.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

#[test]
fn every_page_and_route_answers_with_the_archive() {
    let a = archive();
    let s = serve(&a);
    let b = &s.base;
    for (path, want) in [
        ("", "default"),
        ("day/2026-03-03", "retrieval with semantic IDs"),
        ("day/2026-03-04?view=all", "Replacements"),
        ("day/03-Mar-2026", "Tuesday, 3 March 2026"),
        (
            "search?q=rerankers",
            "LLM rerankers for sparse and dense retrieval",
        ),
        ("search?q=semantic&sort=date&size=50", "all your words"),
        ("paper/2603.00001", "Snapshot 2"),
        ("status", "cs.IR"),
        (
            "feeds/default.atom",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
        ),
        (
            "feeds/search.atom?q=agents",
            "Multimodal agents that search",
        ),
        ("api/stats", "\"papers\""),
    ] {
        let (status, body, headers) = get(&format!("{b}{path}"));
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains(want), "{path} holds {want:?}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
    }
    // The paper page: both snapshots, the word diff, the days, similar papers, BibTeX.
    let (_, paper, _) = get(&format!("{b}paper/2603.00001"));
    for want in [
        "<ins>",
        "<del>",
        "2026-03-02",
        "2026-03-04",
        "@misc{",
        "Similar papers",
        "replace",
    ] {
        assert!(paper.contains(want), "paper page holds {want}");
    }
    // A replaced word is set apart from its replacement; a new version reads old → new.
    assert!(!paper.contains("</del><ins>"), "{paper}");
    assert!(paper.contains("<del>v1</del> → <ins>v2</ins>"), "{paper}");
    // The day's legacy files, byte for byte as the CLI writes them.
    let (_, md, _) = get(&format!("{b}day/2026-03-03/README.md"));
    assert_eq!(md, a.run(&["report", "show", "2026-03-03"]).ok().stdout);
    let (_, csv, _) = get(&format!("{b}day/2026-03-03/papers.csv"));
    assert_eq!(
        csv,
        a.run(&["report", "show", "2026-03-03", "--format", "csv"])
            .ok()
            .stdout
    );
}

#[test]
fn the_api_serves_the_objects_of_the_cli() {
    let a = archive();
    let s = serve(&a);
    let b = &s.base;
    let api = json(&format!("{b}api/search?q=retrieval&size=25"));
    assert_eq!(
        api["hits"],
        cli(&a, &["search", "--json", "--limit", "25", "retrieval"])
    );
    assert_eq!(api["total"], api["hits"].as_array().unwrap().len());
    // A page the idle server builds on two threads (half the hits each), in the CLI's order.
    assert!(api["hits"].as_array().unwrap().len() >= 4);
    let page2 = json(&format!(
        "{b}api/search?q=retrieval&sort=date&size=25&page=1"
    ));
    assert_eq!(
        page2["hits"],
        cli(
            &a,
            &[
                "search",
                "--json",
                "--sort",
                "date",
                "--limit",
                "25",
                "retrieval"
            ]
        )
    );
    let report = json(&format!("{b}api/report/2026-03-03?profile=default"));
    assert_eq!(
        report["rows"],
        cli(&a, &["report", "show", "2026-03-03", "--json"])
    );
    assert_eq!(report["date"], "2026-03-03");
    let paper = json(&format!("{b}api/paper/2603.00001"));
    assert_eq!(paper, cli(&a, &["show", "--json", "2603.00001"])[0]);
    let similar = json(&format!("{b}api/similar/2603.00000"));
    assert!(!similar.as_array().unwrap().is_empty());
    assert_eq!(similar, cli(&a, &["similar", "--json", "2603.00000"]));
    assert_eq!(
        json(&format!("{b}api/days")),
        cli(&a, &["report", "list", "--json"])
    );
    assert_eq!(
        json(&format!("{b}api/stats")),
        cli(&a, &["stats", "--json"])[0]
    );
    assert_eq!(
        json(&format!("{b}api/status")),
        cli(&a, &["status", "--json"])
    );
}

#[test]
fn hostile_text_is_escaped_and_bad_requests_are_refused() {
    let a = archive();
    let s = serve(&a);
    let b = &s.base;
    for path in ["day/2026-03-02", "search?q=alpha", "paper/2603.00099"] {
        let (status, body, _) = get(&format!("{b}{path}"));
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains("<script>alert(1)"),
            "{path} escapes the title"
        );
        assert!(!body.contains("<img src=x"), "{path} escapes the authors");
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: shown as text"
        );
    }
    // A malformed query: the parser's message, 400, never a 500.
    for q in [
        "title:(",
        "\"unclosed",
        "x%20-%20*&words=all",
        "((((((((((((((((((((((((",
    ] {
        let (status, body, _) = get(&format!("{b}search?q={q}"));
        assert_eq!(status, 400, "{q}: {body}");
        assert!(
            body.contains("bad query") || body.contains("parenthes"),
            "{q}: {body}"
        );
        let (status, body, _) = get(&format!("{b}api/search?q={q}"));
        assert_eq!(status, 400);
        assert!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["error"].is_string());
    }
    let long = "a".repeat(1100);
    assert_eq!(get(&format!("{b}search?q={long}")).0, 400);
    assert_eq!(get(&format!("{b}search?q=llm&size=1000")).0, 400);
    assert_eq!(get(&format!("{b}search?q=llm&page=100000")).0, 400);
    assert_eq!(
        get(&format!("{b}search?q=llm&page=7")).0,
        404,
        "no empty last page"
    );
    for path in [
        "nope",
        "paper/2609.99999",
        "day/2025-01-01",
        "day/2026-03-03?profile=nobody",
        "feeds/nobody.atom",
        "api/paper/2609.99999",
        "static/../Cargo.toml",
        "static/%2e%2e/%2e%2e/Cargo.toml",
        "%2e%2e/%2e%2e/etc/passwd",
        "day/..%2f..%2fetc%2fpasswd",
    ] {
        let (status, body, _) = get(&format!("{b}{path}"));
        assert!(status == 404 || status == 400, "{path}: {status}");
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{path}"
        );
    }
    assert_eq!(get(&format!("{b}api/paper/not-an-id")).0, 400);
    // Still serving after all that.
    assert_eq!(get(&format!("{b}api/stats")).0, 200);
}

#[test]
fn what_an_ingest_commits_while_serving_becomes_visible() {
    let a = archive();
    let s = serve(&a);
    let b = &s.base;
    assert_eq!(json(&format!("{b}api/search?q=holography"))["total"], 0);
    let papers = json(&format!("{b}api/stats"))["papers"].as_u64().unwrap();
    let path = a.scratch("late").join("f.xml");
    write(
        &path,
        &feed(
            "cs.IR",
            "Thu, 05 Mar 2026 00:00:00 -0500",
            &[Item {
                id: "2603.00777",
                version: 1,
                kind: "new",
                title: "Holography for LLM retrieval",
                abs: "A.",
                authors: "Hal Ive",
                cats: &["cs.IR"],
            }],
        ),
    );
    a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
        .ok();
    // The server reloads its index by itself: wait until both the search and the day show it.
    eventually(
        "the ingested paper in the search and its day's page",
        || {
            let found = json(&format!("{b}api/search?q=holography"))["total"] == 1;
            let (status, _, _) = get(&format!("{b}day/2026-03-05"));
            (found && status == 200).then_some(())
        },
    );
    // The counts the server keeps (totals, the archive's counts) are those of the new commit.
    assert_eq!(
        json(&format!("{b}api/stats"))["papers"].as_u64().unwrap(),
        papers + 1
    );
}

/// With no profile named `default`, the header's "Today" link, a day page and the API's report
/// without `?profile=` show the first configured profile; an unknown profile is a 404 that names
/// the configured ones.
#[test]
fn without_a_default_profile_pages_use_the_first_one() {
    let a = TestArchive::new();
    a.write_config("[[profile]]\nname = \"ir\"\ncategories = [\"cs.IR\"]\n");
    let path = a.scratch("feeds").join("d.xml");
    let item = Item {
        id: "2603.00001",
        version: 1,
        kind: "new",
        title: "Dense retrieval at scale",
        abs: "We retrieve.",
        authors: "Ann Lee",
        cats: &["cs.IR"],
    };
    write(
        &path,
        &feed("cs.IR", "Mon, 02 Mar 2026 00:00:00 -0500", &[item]),
    );
    a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
        .ok();
    let s = serve(&a);
    let b = &s.base;
    let (status, body, _) = get(&format!("{b}day/2026-03-02"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Dense retrieval at scale"), "{body}");
    let (_, today, _) = get(&format!("{b}day/today"));
    assert!(!today.contains("unknown profile"), "{today}");
    // Today is not archived (the archive ends in March 2026): "Today" goes to the newest
    // archived day, saying so.
    let r = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{b}day/today"))
        .timeout(PATIENCE)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/day/2026-03-02?profile=ir&today="), "{to}");
    let (status, body, _) = get(&format!("{b}{}", to.trim_start_matches('/')));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("is not in the archive yet") && body.contains("newest archived day"),
        "{body}"
    );
    assert!(body.contains("Dense retrieval at scale"), "{body}");
    let report = json(&format!("{b}api/report/2026-03-02"));
    assert_eq!(report["profile"], "ir");
    let (status, body, _) = get(&format!("{b}day/2026-03-02?profile=nope"));
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("nope") && body.contains("configured: ir"),
        "{body}"
    );
    let (status, _, _) = get(&format!("{b}api/report/2026-03-02?profile=nope"));
    assert_eq!(status, 404);
}

/// A GET naming `host` in its `Host` header: the status and the body.
fn get_as(url: &str, host: &str) -> (u16, String) {
    let r = reqwest::blocking::Client::new()
        .get(url)
        .header("host", host)
        .timeout(Duration::from_secs(20))
        .send()
        .unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// The request as bytes over a plain socket (to send no `Host` at all), and the status line.
fn raw_status(base: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

/// DNS rebinding: a page of another name that resolves to 127.0.0.1 is that name's origin to the
/// browser, so every route refuses a `Host` that is not this server's (421), before any handler.
#[test]
fn a_request_naming_another_host_is_refused_on_every_route() {
    let a = archive();
    let s = serve(&a);
    let b = &s.base;
    let port = b
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let evil = format!("rebind.evil.example:{port}");
    for path in [
        "",
        "day/2026-03-03",
        "search?q=retrieval",
        "paper/2603.00001",
        "api/stats",
        "api/search?q=retrieval",
        "library",
        "login",
        "feeds/default.atom",
        "static/style.css",
        "nope",
    ] {
        let (status, body) = get_as(&format!("{b}{path}"), &evil);
        assert_eq!(status, 421, "{path}: {body}");
        assert!(
            !body.contains("name=\"csrf\"") && !body.contains("retrieval with semantic"),
            "{path}: nothing of the archive or its forms: {body}"
        );
        let (status, _) = get_as(&format!("{b}{path}"), "rebind.evil.example");
        assert_eq!(status, 421, "{path} without a port");
    }
    // This server's own names, with or without the port (an SSH tunnel changes the port).
    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_string(),
        format!("localhost:{port}"),
        "localhost".to_string(),
        "LocalHost:9000".to_string(),
        format!("[::1]:{port}"),
        "[::1]".to_string(),
    ] {
        let (status, body) = get_as(&format!("{b}day/2026-03-03"), &host);
        assert_eq!(status, 200, "{host}: {body}");
    }
    // Near misses.
    for host in [
        "localhost.evil.example",
        "127.0.0.1.evil.example",
        "evil.localhost",
        "127.0.0.2",
        "localhost:80@evil.example",
    ] {
        assert_eq!(get_as(&format!("{b}api/stats"), host).0, 421, "{host}");
    }
    // No Host at all (HTTP/1.0): refused too; an absolute URI names its host for the request.
    assert!(
        raw_status(b, "GET /api/stats HTTP/1.0\r\n\r\n").contains(" 421 "),
        "no Host"
    );
    assert!(
        raw_status(
            b,
            &format!("GET http://rebind.evil.example:{port}/api/stats HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
        )
        .contains(" 421 "),
        "an absolute URI of another host"
    );
    assert_eq!(get(&format!("{b}api/stats")).0, 200);
}

/// Behind a reverse proxy (or bound off loopback), `--public-name` adds the name the server is
/// reached by; any other name is still refused.
#[test]
fn a_public_name_is_accepted_besides_the_servers_own() {
    let a = archive();
    let s = serve_with(&a, &["--public-name", "arxiv.example.org"]);
    let b = &s.base;
    for host in ["arxiv.example.org", "ARXIV.example.org:443", "localhost"] {
        assert_eq!(get_as(&format!("{b}api/stats"), host).0, 200, "{host}");
    }
    for host in [
        "rebind.evil.example",
        "example.org",
        "arxiv.example.org.evil",
    ] {
        assert_eq!(get_as(&format!("{b}api/stats"), host).0, 421, "{host}");
    }
}
