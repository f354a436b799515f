//! The harness: a temporary archive, the binary run against it, and a small HTTP server.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(self, want: i32) -> Run {
        assert_eq!(
            self.code, want,
            "expected exit {want}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A temporary archive folder (and a scratch folder beside it).
pub struct TestArchive {
    pub tmp: tempfile::TempDir,
}

impl TestArchive {
    pub fn new() -> TestArchive {
        TestArchive {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    pub fn scratch(&self, name: &str) -> PathBuf {
        let p = self.tmp.path().join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_arxiv-daily"));
        c.args(args)
            .env("ARXIV_DAILY_DATA", self.data())
            .env_remove("ARXIV_DAILY_RSS_URL")
            .env_remove("ARXIV_DAILY_OAI_URL")
            // `library add` and `import` ask arXiv's API for papers the archive lacks: never the
            // real one from a test (a test that wants answers passes --api-url).
            .env("ARXIV_DAILY_API_URL", "http://127.0.0.1:1/api/query")
            .env_remove("ARXIV_DAILY_MODEL")
            .env_remove("ARXIV_DAILY_EMBEDDINGS_KEY");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().unwrap())
    }

    /// `ingest` from a test server's feeds, with no pause between requests, plus `extra` flags.
    pub fn ingest_from(&self, s: &Server, extra: &[&str]) -> Run {
        let base = format!("{}/rss/", s.base);
        let mut args = vec!["ingest", "--rss-url", &base, "--min-interval", "0"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `backfill` of cs:cs:IR over a window from a test server, with no pause between requests.
    pub fn backfill_from(&self, s: &Server, from: &str, to: &str) -> Run {
        let url = format!("{}/oai", s.base);
        self.run(&[
            "backfill",
            "--from",
            from,
            "--to",
            to,
            // The harvest ends with the range (by default it runs to today).
            "--until",
            to,
            "--oai-url",
            &url,
            "--min-interval",
            "0",
        ])
    }

    /// The JSON objects a successful command printed, one per line.
    pub fn json_lines(&self, args: &[&str]) -> Vec<serde_json::Value> {
        self.run(args)
            .ok()
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn write_config(&self, text: &str) {
        std::fs::create_dir_all(self.data()).unwrap();
        std::fs::write(self.data().join("arxiv-daily.toml"), text).unwrap();
    }

    pub fn stats(&self) -> serde_json::Value {
        serde_json::from_str(&self.run(&["stats", "--json"]).ok().stdout).unwrap()
    }
}

/// The `id` of each JSON line (search hits).
pub fn ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The longest a test waits for something it expects (a page to load, a server to start, a commit
/// to show): generous, for a busy machine. Only reaching it fails; nothing is timed.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Polls `probe` until it gives a value; panics saying `what` was awaited after [`PATIENCE`].
/// The short pause between probes is the poll's, not the wait: the condition ends the wait.
#[track_caller]
pub fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}; it never came"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether the tests run in CI (`CI=true`, as CI sets it), where `.ci/run` installs every tool
/// the tests use (python3, git, chromium and chromium-driver, Pagefind) and ../shared is laid.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Says that a test, or a part of one, does not run here, and why. Under `CI=true` a skip is a
/// failure (a panic with the same message): there the tools are installed, so a skip would hide
/// a broken install behind a green run.
#[track_caller]
pub fn skip(why: &str) {
    assert!(!in_ci(), "SKIPPED: {why} (CI=true: a skip is a failure)");
    eprintln!("SKIPPED: {why}");
}

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// One canned response.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn ok(body: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body: body.into().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    pub fn bytes(body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body,
            delay: Duration::ZERO,
        }
    }

    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

/// What the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub user_agent: String,
    pub at: Instant,
}

/// A sync HTTP/1.1 server on 127.0.0.1: each path answers its replies in order, the last one
/// repeating. It stops with the test process.
pub struct Server {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    routes: Arc<Mutex<HashMap<String, Vec<Reply>>>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Mutex<HashMap<String, Vec<Reply>>>> = Arc::new(Mutex::new(HashMap::new()));
        let (seen2, routes2) = (seen.clone(), routes.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let seen = seen2.clone();
                let routes = routes2.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                        let mut ua = String::new();
                        let mut len = 0usize;
                        loop {
                            let mut h = String::new();
                            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                                return;
                            }
                            let h = h.trim_end();
                            if h.is_empty() {
                                break;
                            }
                            if let Some((k, v)) = h.split_once(':') {
                                match k.to_ascii_lowercase().as_str() {
                                    "user-agent" => ua = v.trim().to_string(),
                                    "content-length" => len = v.trim().parse().unwrap_or(0),
                                    _ => {}
                                }
                            }
                        }
                        let mut body = vec![0; len];
                        let _ = reader.read_exact(&mut body);
                        seen.lock().unwrap().push(Seen {
                            path: path.clone(),
                            user_agent: ua,
                            at: Instant::now(),
                        });
                        let reply = {
                            let mut r = routes.lock().unwrap();
                            match r.get_mut(&path) {
                                Some(list) if list.len() > 1 => list.remove(0),
                                Some(list) => list[0].clone(),
                                None => Reply::status(404, "not found"),
                            }
                        };
                        std::thread::sleep(reply.delay);
                        let mut head = format!(
                            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
                            reply.status,
                            reply.body.len()
                        );
                        for (k, v) in &reply.headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        head.push_str("\r\n");
                        if stream
                            .write_all(head.as_bytes())
                            .and_then(|_| stream.write_all(&reply.body))
                            .is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        Server { base, seen, routes }
    }

    pub fn route(&self, path: &str, replies: Vec<Reply>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), replies);
    }

    pub fn hits(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

/// Every file below `dir`: its path relative to `dir` (with `/`) and its bytes, in path order.
pub fn files_under(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}
