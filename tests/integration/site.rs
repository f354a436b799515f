//! `site OUT`: the static site's links all resolve (relative, under any sub-path), its files are
//! deterministic and rewritten only when they change, its day files are the original script's
//! bytes, and it needs no JavaScript. The browser test reads it in Chromium.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::fixtures::{feed, write_quirky_days};
use crate::ingest::{THU, WED, items, thursday_items};
use crate::util::{Reply, Server, TestArchive, files_under as files};

/// Pagefind, where installed: ARXIV_DAILY_PAGEFIND, else `pagefind` on the PATH.
pub(crate) fn pagefind() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ARXIV_DAILY_PAGEFIND") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("pagefind"))
        .find(|p| p.is_file())
}

/// A static file server on 127.0.0.1 over a folder, for pages that fetch (Pagefind's search).
/// It answers at most 5,000 requests and stops when dropped.
pub(crate) struct FileServer {
    pub(crate) base: String,
    stop: Arc<AtomicBool>,
}

impl FileServer {
    pub(crate) fn start(root: &Path) -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let (root, flag) = (root.to_path_buf(), stop.clone());
        std::thread::spawn(move || {
            let mut served = 0;
            while !flag.load(Ordering::Relaxed) && served < 5000 {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                served += 1;
                let _ = conn.set_nonblocking(false);
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                let mut req = Vec::new();
                let mut buf = [0u8; 4096];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&req)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let path = line.split(' ').nth(1).unwrap_or("/");
                let path = path.split(['?', '#']).next().unwrap_or("/");
                let rel = path.trim_start_matches('/');
                let file = root.join(if rel.is_empty() { "index.html" } else { rel });
                let ok = !rel.split('/').any(|c| c == "..") && file.is_file();
                let (status, body) = if ok {
                    ("200 OK", std::fs::read(&file).unwrap_or_default())
                } else {
                    ("404 Not Found", b"not found".to_vec())
                };
                let kind = match file.extension().and_then(|e| e.to_str()) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("css") => "text/css",
                    Some("js") => "application/javascript",
                    Some("wasm") => "application/wasm",
                    Some("json") => "application/json",
                    _ => "application/octet-stream",
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(&body);
            }
        });
        FileServer { base, stop }
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The values of href, src and action attributes in a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "action=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

fn archive(tmp: &Path) -> (TestArchive, Server) {
    let a = TestArchive::new();
    a.write_config(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"multimodal\", \"multi-modal\", \"generative\", \"llm\"]\n\
         [[profile]]\nname = \"rerank\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"rerank\"]\n",
    );
    let legacy = tmp.join("legacy");
    write_quirky_days(&legacy);
    a.run(&["import", "legacy", legacy.to_str().unwrap()]).ok();
    let s = Server::start();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", WED, &items()))]);
    a.ingest_from(&s, &[]).ok();
    (a, s)
}

fn site(a: &TestArchive, out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["site", out.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(a.run(&args).ok().stdout.trim()).unwrap()
}

#[test]
fn the_static_site_links_resolve_and_its_day_files_are_the_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _s) = archive(tmp.path());
    let out = tmp.path().join("site");
    let summary = site(&a, &out, &["--base-url", "https://example.org/sub/"]);
    assert_eq!(summary["search"], "arxiv", "{summary}");
    let all = files(&out);
    for want in [
        "index.html",
        "coverage.html",
        "style.css",
        "icon.svg",
        "default/index.html",
        "default/2026-01-07/index.html",
        "default/2026-01-07/all.html",
        "default/2026-01-07/README.md",
        "default/2026-01-07/papers.csv",
        "default/2025-09-24/all.html",
        "rerank/2025-09-24/index.html",
        "feeds/default.atom",
        "feeds/rerank.atom",
    ] {
        assert!(all.contains_key(want), "{want} in {:?}", all.keys());
    }
    // The day files are the original script's bytes, as `report show` gives them.
    for (day, file, format) in [
        ("2026-01-07", "README.md", "md"),
        ("2026-01-07", "papers.csv", "csv"),
        ("2025-09-24", "README.md", "md"),
        ("2026-01-10", "README.md", "md"),
    ] {
        let want = a
            .run(&["report", "show", day, "--format", format])
            .ok()
            .stdout;
        assert_eq!(
            String::from_utf8(all[&format!("default/{day}/{file}")].clone()).unwrap(),
            want,
            "{day}/{file}"
        );
    }
    // Every link of every page is relative and names a file of the site, or goes to arXiv.
    let mut checked = 0;
    for (rel, bytes) in all.iter().filter(|(r, _)| r.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        assert!(!html.contains("<script"), "{rel} needs no JavaScript");
        let here = Path::new(rel).parent().unwrap();
        for link in links(&html) {
            if link.starts_with("https://arxiv.org/") {
                continue;
            }
            assert!(
                !link.starts_with('/') && !link.contains("://"),
                "{rel}: {link} is not relative"
            );
            let target = link.split(['?', '#']).next().unwrap();
            let mut path = here.to_path_buf();
            for part in target.split('/') {
                match part {
                    ".." => assert!(path.pop(), "{rel}: {link} leaves the site"),
                    "." | "" => {}
                    p => path.push(p),
                }
            }
            let key = path.display().to_string();
            assert!(
                all.contains_key(&key),
                "{rel}: {link} -> {key} is not in the site"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} links checked");
    // The feeds link the site's pages at the base address.
    let atom = String::from_utf8(all["feeds/default.atom"].clone()).unwrap();
    assert!(
        atom.contains(
            r#"<link rel="alternate" href="https://example.org/sub/default/index.html"/>"#
        ),
        "{atom}"
    );

    // Deterministic: another folder gets the same bytes; a rerun writes nothing.
    let other = tmp.path().join("other");
    site(&a, &other, &["--base-url", "https://example.org/sub/"]);
    assert!(files(&other) == all, "the same archive gives the same site");
    let again = site(&a, &out, &["--base-url", "https://example.org/sub/"]);
    assert_eq!(again["written"], 0, "{again}");
    // The counts add up: every file is written or unchanged.
    assert_eq!(again["files"], again["unchanged"], "{again}");

    // A profile taken out of the config: its pages go, the user's own files stay.
    std::fs::write(out.join("CNAME"), "reports.example.org\n").unwrap();
    a.write_config(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"multimodal\", \"multi-modal\", \"generative\", \"llm\"]\n",
    );
    let fewer = site(&a, &out, &["--base-url", "https://example.org/sub/"]);
    assert!(fewer["removed"].as_u64().unwrap() > 5, "{fewer}");
    assert!(
        !out.join("rerank").exists(),
        "the folder of the removed profile is gone"
    );
    assert!(!out.join("feeds/rerank.atom").exists());
    assert!(out.join("CNAME").is_file() && out.join("default/index.html").is_file());
    let fresh = tmp.path().join("fresh");
    site(&a, &fresh, &["--base-url", "https://example.org/sub/"]);
    let mut now = files(&out);
    now.remove("CNAME");
    assert!(
        now == files(&fresh),
        "the site is what a fresh site of the new config is, file for file"
    );
}

#[test]
fn a_new_day_rewrites_its_pages_and_the_pages_that_list_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, s) = archive(tmp.path());
    let out = tmp.path().join("site");
    site(&a, &out, &[]);
    let thursday = thursday_items();
    s.route("/rss/cs.IR", vec![Reply::ok(feed("cs.IR", THU, &thursday))]);
    a.ingest_from(&s, &[]).ok();
    let next = site(&a, &out, &[]);
    let written: Vec<&str> = next["paths_written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for must in [
        "default/2025-09-25/index.html",
        "default/2025-09-25/all.html",
        "default/2025-09-25/README.md",
        "default/index.html",
        "index.html",
        "coverage.html",
        "feeds/default.atom",
        // The day before now links to it.
        "default/2025-09-24/index.html",
    ] {
        assert!(written.contains(&must), "{must} in {written:?}");
    }
    for w in &written {
        let text = std::fs::read_to_string(out.join(w)).unwrap();
        // The home page carries the archive's counts (and each profile's latest day with
        // papers, which an empty new day is not).
        if *w == "index.html" {
            assert!(text.contains("10 papers, listed from 2025-09-24"), "{text}");
            continue;
        }
        assert!(
            w.contains("2025-09-25") || text.contains("2025-09-25") || text.contains("25-Sep-2025"),
            "{w} was rewritten but does not list the new day"
        );
    }
    // 2026-01-07 follows the new day (its "previous" link changed); the days after it did not.
    assert!(
        !written
            .iter()
            .any(|w| w.contains("2026-01-08") || w.contains("2026-01-10")),
        "an unrelated day is left alone: {written:?}"
    );
}

#[test]
fn report_index_lists_the_days_newest_first_with_their_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _s) = archive(tmp.path());
    let out = a.run(&["report", "index"]).ok().stdout;
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| [")).collect();
    assert_eq!(
        rows,
        [
            "| [10-Jan-2026](10-Jan-2026/README.md) | 0 |",
            "| [08-Jan-2026](08-Jan-2026/README.md) | 2 |",
            "| [07-Jan-2026](07-Jan-2026/README.md) | 3 |",
            "| [24-Sep-2025](24-Sep-2025/README.md) | 4 |",
        ],
        "{out}"
    );
    assert!(out.starts_with("# arXiv Daily Report\n"), "{out}");
    // Rows and papers are counted apart (one paper is on two days), and the empty day is named.
    assert!(
        out.contains("4 days (1 without a matching paper): 9 rows, 8 different papers"),
        "{out}"
    );
    // Every link is a folder `report export` writes.
    let repo = tmp.path().join("repo");
    a.run(&["report", "export", repo.to_str().unwrap()]).ok();
    let file = repo.join("README.md");
    a.run(&[
        "report",
        "index",
        "--out",
        file.to_str().unwrap(),
        "--title",
        "My reports",
    ])
    .ok();
    let index = std::fs::read_to_string(&file).unwrap();
    assert!(index.starts_with("# My reports\n"), "{index}");
    for row in rows {
        let folder = row.split(['(', ')']).nth(1).unwrap();
        assert!(repo.join(folder).is_file(), "{folder}");
    }
    let none = TestArchive::new().run(&["report", "index"]).code(2);
    assert!(none.stderr.contains("no archive in"), "{}", none.stderr);
}
