//! The cost of MCP over the same search as a web request: one `search` tool call over stdio
//! (`arxiv-daily mcp`), one over Streamable HTTP (`/mcp` on `serve`), and the same page from the
//! JSON API (`/api/search`), each a warm server answering one request at a time; the medians
//! and 90th percentiles of the round trips, as a client sees them (the target: each MCP call
//! within 1 ms of the web request). Not a test: it needs an archive.
//!
//!   ARCHIVE=/path/to/archive cargo bench --bench mcp
//!
//! `QUERY` (default "retrieval augmented generation") is searched for a page of 25 hits (the
//! API's smallest page); `RUNS` (default 200) calls of each, after 20 to warm up. `BIN` runs
//! another arxiv-daily binary as the servers (a release build while the bench itself is built
//! in the dev profile: `BIN=target/release/arxiv-daily cargo bench --profile dev --bench mcp`).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

/// The servers' binary: `BIN`, else the one built with this bench.
fn bin() -> std::ffi::OsString {
    std::env::var_os("BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_arxiv-daily").into())
}
const WARMUP: usize = 20;

/// A server process, killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "bench", "version": "0"}}})
}

fn initialized() -> Value {
    json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
}

fn call(id: usize, query: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "search", "arguments": {"query": query, "limit": 25}}})
}

/// Round trips of the search tool over stdio, in ms.
fn stdio(archive: &PathBuf, query: &str, runs: usize) -> Vec<f64> {
    let mut child = Proc(
        Command::new(bin())
            .arg("--data-dir")
            .arg(archive)
            .arg("mcp")
            .arg("--read-only")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("arxiv-daily mcp"),
    );
    let mut stdin = child.0.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.0.stdout.take().expect("stdout"));
    let mut line = String::new();
    writeln!(stdin, "{}", initialize()).expect("write");
    stdout.read_line(&mut line).expect("initialize");
    writeln!(stdin, "{}", initialized()).expect("write");
    let mut times = Vec::new();
    for i in 0..WARMUP + runs {
        let started = Instant::now();
        writeln!(stdin, "{}", call(i + 1, query)).expect("write");
        line.clear();
        stdout.read_line(&mut line).expect("answer");
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert!(line.contains("\"hits\""), "an answer with hits: {line}");
        if i >= WARMUP {
            times.push(elapsed);
        }
    }
    times
}

/// Round trips of the search tool over Streamable HTTP, and of the same page from the JSON
/// API, in ms (one server, one kept-alive connection).
fn http(archive: &PathBuf, query: &str, runs: usize) -> (Vec<f64>, Vec<f64>) {
    let mut child = Proc(
        Command::new(bin())
            .arg("--data-dir")
            .arg(archive)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("arxiv-daily serve"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening on");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening on")
        .to_string();
    let url = format!("{base}mcp");
    let client = reqwest::blocking::Client::new();
    let post = |body: &Value, session: Option<&str>| {
        let mut req = client
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string());
        if let Some(s) = session {
            req = req.header("mcp-session-id", s);
        }
        req.send().expect("POST /mcp")
    };
    let r = post(&initialize(), None);
    let session = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .expect("a session")
        .to_string();
    r.text().expect("initialize");
    post(&initialized(), Some(&session))
        .text()
        .expect("initialized");
    let mut mcp = Vec::new();
    for i in 0..WARMUP + runs {
        let started = Instant::now();
        let body = post(&call(i + 1, query), Some(&session))
            .text()
            .expect("answer");
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert!(
            body.contains("\\\"hits\\\"") || body.contains("\"hits\""),
            "{body}"
        );
        if i >= WARMUP {
            mcp.push(elapsed);
        }
    }
    let api = format!(
        "{base}api/search?q={}&size=25",
        query.replace(' ', "+").replace('"', "%22")
    );
    let mut web = Vec::new();
    for i in 0..WARMUP + runs {
        let started = Instant::now();
        let body = client.get(&api).send().expect("GET").text().expect("body");
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert!(body.contains("\"hits\""), "{body}");
        if i >= WARMUP {
            web.push(elapsed);
        }
    }
    (mcp, web)
}

fn main() {
    let Some(archive) = std::env::var_os("ARCHIVE").map(PathBuf::from) else {
        eprintln!("mcp bench: set ARCHIVE to an archive folder (see BENCHMARKS.md); skipped");
        return;
    };
    let query =
        std::env::var("QUERY").unwrap_or_else(|_| "retrieval augmented generation".to_string());
    let runs = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    let over_stdio = stdio(&archive, &query, runs);
    let (over_http, web) = http(&archive, &query, runs);
    println!("search {query:?}, a page of 25, {runs} calls each (ms)");
    println!("| request | p50 | p90 |");
    println!("| --- | --- | --- |");
    for (what, times) in [
        ("web: GET /api/search", web),
        ("MCP over stdio: tools/call search", over_stdio),
        ("MCP over HTTP: POST /mcp tools/call search", over_http),
    ] {
        let (p50, p90) = percentiles(times);
        println!("| {what} | {p50:.3} | {p90:.3} |");
    }
}
