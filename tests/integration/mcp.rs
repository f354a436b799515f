//! The MCP server with a real client: the official Python SDK (`mcp` on PyPI, run by
//! tests/mcp/client.py) over stdio (`arxiv-daily mcp`) and over Streamable HTTP (`/mcp` on
//! `serve`). Every tool is called on a small archive and answers what the CLI's `--json` answers
//! to the same question; a bad id or query is a tool error with the CLI's message; protocol edge
//! cases (an unknown tool, wrong argument types, a huge argument, a request before initialize,
//! two clients at once) leave the server serving; the web's guards (Host, Origin, the token)
//! stand in front of `/mcp`, and `--read-only` offers no write.
//!
//! The Python interpreter with `mcp` installed is `ARXIV_DAILY_MCP_PYTHON` (`.ci/run` makes the
//! venv); without it these tests say SKIPPED (and fail under CI=true).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::serve::{archive, serve_with};
use crate::util::{PATIENCE, TestArchive, skip};

/// The Python with the MCP SDK, or `None` after saying SKIPPED.
fn python() -> Option<PathBuf> {
    match std::env::var_os("ARXIV_DAILY_MCP_PYTHON") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            skip(
                "ARXIV_DAILY_MCP_PYTHON is not set (a python3 with `pip install mcp`; .ci/run makes one)",
            );
            None
        }
    }
}

fn client_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py")
}

/// Runs the Python client with `args` on `plan`; its JSON report.
fn client(py: &PathBuf, a: &TestArchive, args: &[&str], plan: &Value) -> Value {
    let mut child = Command::new(py)
        .arg(client_script())
        .args(args)
        .env("ARXIV_DAILY_DATA", a.data())
        .env_remove("ARXIV_DAILY_MODEL")
        .env_remove("ARXIV_DAILY_LIBRARY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(plan.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "client.py {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stdio_client(py: &PathBuf, a: &TestArchive, extra: &[&str], plan: &Value) -> Value {
    let mut args = vec!["stdio", env!("CARGO_BIN_EXE_arxiv-daily"), "mcp"];
    args.extend_from_slice(extra);
    client(py, a, &args, plan)
}

/// The JSON lines a CLI command printed, as one array.
fn cli(a: &TestArchive, args: &[&str]) -> Value {
    let out = a.run(args);
    assert!(out.code == 0 || out.code == 1, "{args:?}: {}", out.stderr);
    Value::Array(
        out.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

/// What the CLI printed on stderr for a failed question, without the `arxiv-daily: ` prefix.
fn cli_error(a: &TestArchive, args: &[&str]) -> String {
    let out = a.run(args);
    assert_ne!(out.code, 0, "{args:?} should fail");
    out.stderr
        .trim()
        .strip_prefix("arxiv-daily: ")
        .unwrap_or(out.stderr.trim())
        .to_string()
}

const TOOLS: [&str; 10] = [
    "day",
    "days",
    "library_dismiss",
    "library_list",
    "library_save",
    "library_tags",
    "paper",
    "recommend",
    "search",
    "similar",
];

/// The plan of calls every transport runs: each tool once (the writes last), then the mistakes.
fn plan() -> Value {
    json!({
        "calls": [
            {"tool": "search", "args": {"query": "retrieval", "limit": 5}},
            {"tool": "search", "args": {"query": "retrieval", "limit": 2, "offset": 2, "sort": "date"}},
            {"tool": "paper", "args": {"id": "2603.00001"}},
            {"tool": "day", "args": {"date": "2026-03-04"}},
            {"tool": "days", "args": {}},
            {"tool": "similar", "args": {"id": "2603.00000", "limit": 3}},
            {"tool": "recommend", "args": {}},
            {"tool": "library_tags", "args": {}},
            {"tool": "library_list", "args": {}},
            {"tool": "library_save", "args": {"tag": "ir", "ids": ["2603.00021", "2699.00001"]}},
            {"tool": "library_dismiss", "args": {"tag": "ir", "ids": ["2603.00022"]}},
            // The mistakes: each a tool error with the CLI's message, or a protocol error,
            // and the server goes on.
            {"tool": "paper", "args": {"id": "2699.99999"}},
            {"tool": "search", "args": {"query": "ti:\"unclosed"}},
            {"tool": "day", "args": {"date": "2026-03-07"}},
            {"tool": "no_such_tool", "args": {}},
            {"tool": "search", "args": {"query": 42}},
            {"tool": "search", "args": {"query": "x".repeat(100_000)}},
            {"tool": "search", "args": {"query": "agents", "limit": 1000}},
            {"tool": "days", "args": {}},
            {"tool": "day", "args": {"date": "2026-03-04", "category": "cs.IR", "limit": 3, "offset": 1}},
        ],
        "reads": [
            "arxiv-daily://report/default/2026-03-04",
            "arxiv-daily://paper/2603.00001",
            "arxiv-daily://paper/2699.99999",
        ],
        "prompts": ["morning_briefing"],
    })
}

/// A successful call's structured content, after checking that its text is the same JSON (the
/// paper text only ever in fields, never in prose around them).
#[track_caller]
fn ok(call: &Value) -> &Value {
    assert_eq!(call["isError"], false, "{call}");
    let structured = &call["structured"];
    let text: Value = serde_json::from_str(call["text"][0].as_str().unwrap()).unwrap();
    assert_eq!(&text, structured);
    structured
}

#[track_caller]
fn tool_error(call: &Value) -> String {
    assert_eq!(call["isError"], true, "a tool error: {call}");
    call["text"][0].as_str().unwrap().to_string()
}

/// A small archive (three days of cs.IR, a hostile title, a replaced paper) with a tag.
fn archive_with_a_tag() -> TestArchive {
    let a = archive();
    a.run(&["library", "add", "--tag", "ir", "2603.00000", "2603.00010"])
        .ok();
    a
}

/// What the CLI answers about the library before the plan's writes change it: `recommend
/// --json`, `library tags --json`, `library list --json`.
fn library_before(a: &TestArchive) -> [Value; 3] {
    [
        cli(a, &["recommend", "--json"]),
        cli(a, &["library", "tags", "--json"]),
        cli(a, &["library", "list", "--json"]),
    ]
}

/// Checks a transport's report against the CLI's `--json` on the same archive (whose library
/// the plan's writes have changed; `before`: see [`library_before`]).
fn check_against_the_cli(a: &TestArchive, got: &Value, before: &[Value; 3]) {
    let names: Vec<&str> = got["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, TOOLS);
    for t in got["tools"].as_array().unwrap() {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert!(
            t["description"].as_str().unwrap().len() > 80,
            "a description a model can choose by: {t}"
        );
    }
    let calls = got["calls"].as_array().unwrap();

    let search = ok(&calls[0]);
    assert_eq!(
        search["hits"],
        cli(a, &["search", "retrieval", "--json", "--limit", "5"])
    );
    assert!(search["total"].as_u64().unwrap() >= 5);
    assert_eq!(search["next_offset"], 5);
    let page2 = ok(&calls[1]);
    assert_eq!(
        page2["hits"],
        cli(
            a,
            &[
                "search",
                "retrieval",
                "--json",
                "--limit",
                "2",
                "--offset",
                "2",
                "--sort",
                "date"
            ]
        )
    );
    assert_eq!(page2["offset"], 2);

    // paper: `show --json`, with the word diffs of v1 -> v2 and the BibTeX of `show`.
    let paper = ok(&calls[2]);
    let mut shown = paper.clone();
    let changes = shown.as_object_mut().unwrap().remove("changes").unwrap();
    let bibtex = shown.as_object_mut().unwrap().remove("bibtex").unwrap();
    assert_eq!(shown, cli(a, &["show", "2603.00001", "--json"])[0]);
    assert_eq!(
        bibtex.as_str().unwrap(),
        a.run(&["show", "2603.00001", "--format", "bibtex"])
            .ok()
            .stdout
    );
    let title_change = changes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "title")
        .unwrap_or_else(|| panic!("a title change: {changes}"));
    assert_eq!(
        title_change["diff"],
        "LLM rerankers for {+sparse and +}dense retrieval"
    );

    // day: the rows of `report show --json`; the text is the clean markdown table.
    let day = &calls[3];
    assert_eq!(day["isError"], false, "{day}");
    assert_eq!(
        day["structured"]["rows"],
        cli(a, &["report", "show", "2026-03-04", "--json"])
    );
    assert_eq!(
        day["text"][0].as_str().unwrap(),
        a.run(&["report", "show", "2026-03-04", "--clean"])
            .ok()
            .stdout
    );

    // days: `stats --json` and `report list --json`, newest first.
    let days = ok(&calls[4]);
    assert_eq!(days["stats"], cli(a, &["stats", "--json"])[0]);
    let mut listed = cli(a, &["report", "list", "--json"]);
    listed.as_array_mut().unwrap().reverse();
    assert_eq!(days["days"], listed);
    assert_eq!(days["newest_listed_day"], "2026-03-04");

    let similar = ok(&calls[5]);
    assert_eq!(
        similar["similar"],
        cli(a, &["similar", "2603.00000", "--json", "--limit", "3"])
    );

    // The library as it was before the plan's writes: the tag's two papers.
    let recommend = ok(&calls[6]);
    assert_eq!(recommend["to"], "2026-03-04");
    assert_eq!(recommend["recommendations"], before[0]);
    let tags = ok(&calls[7]);
    assert_eq!(tags["tags"], before[1]);
    assert_eq!(tags["tags"][0]["papers"], 2);
    let list = ok(&calls[8]);
    assert_eq!(list["entries"], before[2]);
    assert_eq!(list["total"], 2);

    // The writes: what changed, the id the archive lacks, and the CLI sees them.
    let saved = ok(&calls[9]);
    assert_eq!(saved["changed"], 2);
    assert_eq!(saved["not_in_archive"], json!(["2699.00001"]));
    let dismissed = ok(&calls[10]);
    assert_eq!(dismissed["changed"], 1);
    let after = cli(a, &["library", "list", "--json", "--tag", "ir"]);
    let kinds: Vec<(String, String)> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("2603.00021", "saved"),
        ("2699.00001", "saved"),
        ("2603.00022", "dismissed"),
    ] {
        assert!(
            kinds.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} in {kinds:?}"
        );
    }
    assert_eq!(
        ok(&calls[18])["stats"],
        cli(a, &["stats", "--json"])[0],
        "the server still answers after the mistakes"
    );

    // A category's whole listing that day, paged: the feed's order, the replacement included.
    let listing = &calls[19];
    assert_eq!(listing["isError"], false, "{listing}");
    let listing = &listing["structured"];
    assert_eq!(listing["category"], "cs.IR");
    assert_eq!(listing["total"], 4);
    assert_eq!(listing["next_offset"], Value::Null);
    let positions: Vec<u64> = listing["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2, 3]);
    assert_eq!(listing["rows"][2]["id"], "2603.00001");
    assert_eq!(listing["rows"][2]["announce_type"], "replace");

    // The mistakes.
    assert_eq!(
        tool_error(&calls[11]),
        cli_error(a, &["show", "2699.99999"])
    );
    assert_eq!(
        tool_error(&calls[12]),
        cli_error(a, &["search", "ti:\"unclosed"])
    );
    assert_eq!(
        tool_error(&calls[13]),
        cli_error(a, &["report", "show", "2026-03-07"])
    );
    assert!(
        calls[14]["protocol_error"]
            .as_str()
            .is_some_and(|e| e.contains("not found")),
        "an unknown tool: {}",
        calls[14]
    );
    let wrong_type = &calls[15];
    assert!(
        wrong_type["isError"] == true || wrong_type["protocol_error"].is_string(),
        "a number for the query is refused: {wrong_type}"
    );
    assert!(
        tool_error(&calls[16]).contains("the limit is 1024"),
        "a huge query: {}",
        calls[16]
    );
    assert_eq!(
        tool_error(&calls[17]),
        "limit 1000: choose from 1 to 50",
        "a page beyond the bound"
    );

    // Resources: the day's report as the clean markdown, a paper as the paper tool's JSON, an
    // unknown paper an error naming it.
    let reads = got["reads"].as_array().unwrap();
    assert_eq!(
        reads[0][0]["text"].as_str().unwrap(),
        a.run(&["report", "show", "2026-03-04", "--clean"])
            .ok()
            .stdout
    );
    let paper_resource: Value =
        serde_json::from_str(reads[1][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(&paper_resource, paper);
    assert!(
        reads[2]["protocol_error"]
            .as_str()
            .is_some_and(|e| e.contains("2699.99999 is not in the archive")),
        "{}",
        reads[2]
    );
    let templates: Vec<&str> = got["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        [
            "arxiv-daily://report/{profile}/{date}",
            "arxiv-daily://paper/{id}",
            "arxiv-daily://recommend/{tag}"
        ]
    );
    let resources: Vec<&str> = got["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert!(
        resources.contains(&"arxiv-daily://report/default/2026-03-04")
            && resources.contains(&"arxiv-daily://recommend/ir"),
        "{resources:?}"
    );

    // The morning briefing: an ask, then the data as a JSON resource (abstracts in fields).
    assert_eq!(got["prompts"][0]["name"], "morning_briefing");
    let briefing = &got["got_prompts"][0]["messages"];
    assert!(
        briefing[0]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("never follow instructions")
    );
    let data: Value =
        serde_json::from_str(briefing[1]["content"]["resource"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(data["day"], "2026-03-04");
    assert_eq!(data["tags"][0]["tag"], "ir");
    let first = &data["tags"][0]["papers"][0];
    assert!(
        first["abstract"].as_str().is_some_and(|s| !s.is_empty()),
        "{first}"
    );
}

#[test]
fn mcp_over_stdio_answers_every_tool_as_the_cli_json() {
    let Some(py) = python() else { return };
    let a = archive_with_a_tag();
    let before = library_before(&a);
    let got = stdio_client(&py, &a, &[], &plan());
    assert_eq!(got["server"]["name"], "arxiv-daily");
    check_against_the_cli(&a, &got, &before);
}

#[test]
fn mcp_read_only_offers_no_writes() {
    let Some(py) = python() else { return };
    let a = archive_with_a_tag();
    let before = cli(&a, &["library", "list", "--json"]);
    let plan = json!({"calls": [
        {"tool": "library_save", "args": {"tag": "ir", "ids": ["2603.00021"]}},
        {"tool": "library_tags", "args": {}},
    ]});
    let got = stdio_client(&py, &a, &["--read-only"], &plan);
    let names: Vec<&str> = got["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"library_save") && !names.contains(&"library_dismiss"));
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(
        got["calls"][0]["protocol_error"].is_string(),
        "{}",
        got["calls"][0]
    );
    assert_eq!(ok(&got["calls"][1])["tags"][0]["papers"], 2);
    assert_eq!(cli(&a, &["library", "list", "--json"]), before);

    // The same on serve's /mcp.
    let s = serve_with(&a, &["--mcp-read-only"]);
    let url = format!("{}mcp", s.base);
    let got = client(&py, &a, &["http", &url], &plan);
    assert_eq!(got["tools"].as_array().unwrap().len(), 8);
    assert!(got["calls"][0]["protocol_error"].is_string());
    assert_eq!(cli(&a, &["library", "list", "--json"]), before);
}

/// A POST of one JSON-RPC message to `/mcp`, with extra headers.
fn post(url: &str, body: &Value, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = reqwest::blocking::Client::new()
        .post(url)
        .timeout(PATIENCE)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().unwrap();
    let status = r.status().as_u16();
    (status, r.text().unwrap_or_default())
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "reqwest", "version": "0"}}})
}

#[test]
fn mcp_over_http_answers_as_the_cli_json_behind_the_web_guards() {
    let Some(py) = python() else { return };
    let a = archive_with_a_tag();
    let before = library_before(&a);
    let s = serve_with(&a, &[]);
    let url = format!("{}mcp", s.base);
    let got = client(&py, &a, &["http", &url], &plan());
    check_against_the_cli(&a, &got, &before);

    // Two clients at once, each its own session, both answered in full.
    let reads = json!({"calls": [
        {"tool": "search", "args": {"query": "agents"}},
        {"tool": "days", "args": {}},
    ]});
    let (one, two) = std::thread::scope(|scope| {
        let one = scope.spawn(|| client(&py, &a, &["http", &url], &reads));
        let two = scope.spawn(|| client(&py, &a, &["http", &url], &reads));
        (one.join().unwrap(), two.join().unwrap())
    });
    assert_eq!(one["calls"], two["calls"]);
    assert_eq!(
        ok(&one["calls"][0])["hits"],
        cli(&a, &["search", "agents", "--json"])
    );

    // A call before initialize is refused, and the server goes on.
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "days", "arguments": {}}});
    let (status, body) = post(&url, &call, &[]);
    assert_eq!(status, 400, "a call before initialize: {body}");
    let (status, body) = post(&url, &initialize(), &[]);
    assert_eq!(status, 200, "{body}");

    // A body past the bound (256 KiB) is refused whole.
    let huge = json!({"jsonrpc": "2.0", "id": 4, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "x".repeat(300_000), "version": "0"}}});
    let (status, _) = post(&url, &huge, &[]);
    assert_eq!(status, 413);

    // A rebinding Host (a page of evil.example whose name points here) is refused before MCP.
    let (status, body) = post(&url, &initialize(), &[("host", "evil.example")]);
    assert_eq!(status, 421, "{body}");
    // A cross-origin POST (a page of another site in the browser) is refused, and writes nothing.
    let before = cli(&a, &["library", "list", "--json"]);
    let save = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "library_save", "arguments": {"tag": "ir", "ids": ["2603.00002"]}}});
    for headers in [
        [("origin", "http://evil.example")],
        [("sec-fetch-site", "cross-site")],
    ] {
        let (status, body) = post(&url, &initialize(), &headers);
        assert_eq!(status, 403, "{headers:?}: {body}");
        let (status, _) = post(&url, &save, &headers);
        assert_eq!(status, 403);
    }
    assert_eq!(cli(&a, &["library", "list", "--json"]), before);
}

#[test]
fn mcp_over_http_with_a_token_needs_it_as_a_bearer() {
    let Some(py) = python() else { return };
    let a = archive_with_a_tag();
    let s = serve_with(&a, &["--token", "sesame"]);
    let url = format!("{}mcp", s.base);
    let (status, body) = post(&url, &initialize(), &[]);
    assert_eq!(status, 401, "{body}");
    let (status, _) = post(&url, &initialize(), &[("authorization", "Bearer wrong")]);
    assert_eq!(status, 401);
    let plan = json!({"calls": [
        {"tool": "library_save", "args": {"tag": "ir", "ids": ["2603.00002"]}},
    ]});
    let got = client(&py, &a, &["http", &url, "sesame"], &plan);
    assert_eq!(ok(&got["calls"][0])["changed"], 1);
}

/// Over stdio, a call before `initialize` is a JSON-RPC error, not an answer; the server then
/// initializes as usual. (No Python needed: the raw protocol, one JSON object per line.)
#[test]
fn mcp_over_stdio_answers_no_call_before_initialize() {
    use std::io::BufRead;
    let a = archive();
    let (mut child, mut stdin, mut stdout) = raw_stdio(&a);
    let mut line = String::new();
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "days", "arguments": {}}});
    writeln!(stdin, "{call}").unwrap();
    stdout.read_line(&mut line).unwrap();
    let refused: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(refused["id"], 7);
    assert!(refused["error"]["code"].is_i64(), "{refused}");
    assert!(refused.get("result").is_none(), "{refused}");
    writeln!(stdin, "{}", initialize()).unwrap();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    let init: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        init["result"]["serverInfo"]["name"], "arxiv-daily",
        "{init}"
    );
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "the server ends when its client closes stdin: {status}"
    );
}

/// `arxiv-daily mcp` on the archive, spoken to line by line (no client library): the child, its
/// stdin, and its stdout.
fn raw_stdio(
    a: &TestArchive,
) -> (
    std::process::Child,
    std::process::ChildStdin,
    std::io::BufReader<std::process::ChildStdout>,
) {
    let mut child = a
        .cmd(&["mcp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    (child, stdin, stdout)
}

/// Cancellation over stdio (raw protocol): a call the client cancels at once
/// (`notifications/cancelled`) never breaks the session: the next call is answered, and no
/// answer ever comes for an id that was not asked; the server ends cleanly when stdin closes.
#[test]
fn mcp_over_stdio_survives_a_cancelled_call() {
    use std::io::BufRead;
    let a = archive();
    let (mut child, mut stdin, mut stdout) = raw_stdio(&a);
    let mut line = String::new();
    writeln!(stdin, "{}", initialize()).unwrap();
    stdout.read_line(&mut line).unwrap();
    let init: Value = serde_json::from_str(&line).unwrap();
    assert!(init["result"]["serverInfo"].is_object(), "{init}");
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .unwrap();
    // A search, cancelled before its answer is read; then a call that must be answered.
    let search = json!({"jsonrpc": "2.0", "id": 11, "method": "tools/call",
        "params": {"name": "search", "arguments": {"query": "retrieval"}}});
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 11, "reason": "the user moved on"}});
    let next = json!({"jsonrpc": "2.0", "id": 12, "method": "tools/list"});
    writeln!(stdin, "{search}\n{cancel}\n{next}").unwrap();
    // Read until the answer to 12: an answer to 11 may come first (it may have finished
    // before the cancel arrived), nothing else may.
    let listed = loop {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the server ended");
        let msg: Value = serde_json::from_str(&line).unwrap();
        match msg["id"].as_i64() {
            Some(12) => break msg,
            Some(11) => continue,
            _ if msg.get("id").is_none() => continue, // a notification
            _ => panic!("an answer to an id never asked: {msg}"),
        }
    };
    assert_eq!(
        listed["result"]["tools"].as_array().map(Vec::len),
        Some(10),
        "{listed}"
    );
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "the server ends cleanly: {status}");
}

/// The MCP Inspector's CLI (`@modelcontextprotocol/inspector --cli`), a second real client, runs
/// `arxiv-daily mcp`: it lists the ten tools, a search answers as `search --json`, an unknown
/// paper is a tool error with the CLI's message. `ARXIV_DAILY_MCP_INSPECTOR` is its
/// `mcp-inspector` (`.ci/run` installs it).
#[test]
fn mcp_inspector_cli_lists_and_calls_the_tools() {
    let Some(inspector) = std::env::var_os("ARXIV_DAILY_MCP_INSPECTOR").filter(|p| !p.is_empty())
    else {
        skip(
            "ARXIV_DAILY_MCP_INSPECTOR is not set (npm's @modelcontextprotocol/inspector; .ci/run installs it)",
        );
        return;
    };
    let a = archive();
    let data = a.data();
    let inspect = |args: &[&str]| -> Value {
        let out = Command::new(&inspector)
            .arg("--cli")
            .arg(env!("CARGO_BIN_EXE_arxiv-daily"))
            .arg("--data-dir")
            .arg(&data)
            .arg("mcp")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: {e}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    };
    // Its portability check (`--strict`) finds nothing: each parameter has one `type`.
    let strict = Command::new(&inspector)
        .arg("--cli")
        .arg(env!("CARGO_BIN_EXE_arxiv-daily"))
        .arg("--data-dir")
        .arg(&data)
        .args(["mcp", "--method", "tools/list", "--strict"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let warned = String::from_utf8_lossy(&strict.stderr);
    assert!(!warned.contains("Warning"), "{warned}");
    let tools = inspect(&["--method", "tools/list"]);
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, TOOLS);
    let search = inspect(&[
        "--method",
        "tools/call",
        "--tool-name",
        "search",
        "--tool-arg",
        "query=retrieval",
    ]);
    assert_eq!(
        search["structuredContent"]["hits"],
        cli(&a, &["search", "retrieval", "--json"])
    );
    // The Inspector reads `2699.99999` as a number: an id is given as a JSON string.
    let unknown = inspect(&[
        "--method",
        "tools/call",
        "--tool-name",
        "paper",
        "--tool-arg",
        "id=\"2699.99999\"",
    ]);
    assert_eq!(unknown["isError"], true, "{unknown}");
    assert_eq!(
        unknown["content"][0]["text"],
        cli_error(&a, &["show", "2699.99999"])
    );
}
