//! Crash safety: kill -9 at pseudo-random moments during `import kaggle`, `import legacy`, `ingest`,
//! `backfill` and `archive import`; the archive must always open, and rerunning the command must end with exactly the
//! contents of an uninterrupted run, with a consistent index.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::fixtures::{Item, feed, write_day};
use crate::util::{Reply, Server, TestArchive, write};

#[derive(Clone, Copy, Debug)]
enum Workload {
    Kaggle,
    Legacy,
    Ingest,
    Backfill,
    TextImport,
}

struct Inputs {
    kaggle: PathBuf,
    legacy: PathBuf,
    /// `archive export` of the Kaggle and legacy inputs imported.
    text: PathBuf,
    feeds: Server,
    oai: Server,
    _dir: tempfile::TempDir,
}

const ABS: &str = "We study retrieval augmented generation for recommendation with large language models and graphs.";

fn inputs() -> Inputs {
    let dir = tempfile::tempdir().unwrap();
    // Kaggle: enough lines for an import to take a while.
    let mut k = String::new();
    for i in 0..6000 {
        k.push_str(&format!(
            r#"{{"id":"2603.{i:05}","authors":"Ana One, Bo Two","title":"Paper {i} on LLM retrieval","categories":"cs.IR cs.CL","abstract":"  {ABS}\n","versions":[{{"version":"v1","created":"Mon, {} Mar 2026 15:00:00 GMT"}}]}}"#,
            2 + (i % 20)
        ));
        k.push('\n');
    }
    let kaggle = dir.path().join("snapshot.jsonl");
    write(&kaggle, &k);
    // Legacy: many small day folders.
    let legacy = dir.path().join("legacy");
    for d in 0..150 {
        let day = jiff::civil::date(2025, 1, 1)
            .checked_add(jiff::Span::new().days(d))
            .unwrap();
        let name = format!(
            "{:02}-{}-{}",
            day.day(),
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun"][(day.month() - 1) as usize],
            day.year()
        );
        let ids: Vec<String> = (0..3).map(|r| format!("2501.{:05}", d * 3 + r)).collect();
        let rows: Vec<(&str, &str, &str, &str)> = ids
            .iter()
            .map(|id| {
                (
                    "An LLM paper",
                    id.as_str(),
                    "Multi\n  line | abstract.",
                    "A. B",
                )
            })
            .collect();
        write_day(&legacy, &name, &rows);
    }
    // Feeds: three categories.
    let feeds = Server::start();
    for (c, cat) in ["cs.IR", "cs.CL", "cs.AI"].iter().enumerate() {
        let ids: Vec<String> = (0..200)
            .map(|i| format!("2603.{:05}", c * 1000 + i))
            .collect();
        let items: Vec<Item<'_>> = ids
            .iter()
            .map(|id| Item {
                id,
                version: 1,
                kind: "new",
                title: "A generative LLM paper",
                abs: ABS,
                authors: "A. B",
                cats: &["cs.IR"],
            })
            .collect();
        feeds.route(
            &format!("/rss/{cat}"),
            vec![Reply::ok(feed(
                cat,
                "Tue, 03 Mar 2026 00:00:00 -0500",
                &items,
            ))],
        );
    }
    // OAI: a chain of pages.
    let oai = Server::start();
    let pages = 12;
    for p in 0..pages {
        let mut body =
            String::from("<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><ListRecords>");
        for r in 0..100 {
            let id = format!("2602.{:05}", p * 100 + r);
            body.push_str(&format!(
                "<record><header><identifier>oai:arXiv.org:{id}</identifier><datestamp>2026-02-{:02}</datestamp></header><metadata><arXivRaw><id>{id}</id>\
                 <version version=\"v1\"><date>Tue, 03 Feb 2026 15:00:00 GMT</date></version><title>OAI LLM paper {id}</title><authors>A. B</authors>\
                 <categories>cs.IR</categories><abstract>{ABS}</abstract></arXivRaw></metadata></record>",
                1 + p
            ));
        }
        if p + 1 < pages {
            body.push_str(&format!("<resumptionToken>t{}</resumptionToken>", p + 1));
        } else {
            body.push_str("<resumptionToken/>");
        }
        body.push_str("</ListRecords></OAI-PMH>");
        let path = if p == 0 {
            "/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs%3Acs%3AIR&from=2026-02-01&until=2026-02-28".to_string()
        } else {
            format!("/oai?verb=ListRecords&resumptionToken=t{p}")
        };
        oai.route(&path, vec![Reply::ok(body)]);
    }
    let text = dir.path().join("text");
    let source = TestArchive::new();
    source
        .run(&["import", "kaggle", kaggle.to_str().unwrap()])
        .ok();
    source
        .run(&["import", "legacy", legacy.to_str().unwrap()])
        .ok();
    source
        .run(&["archive", "export", text.to_str().unwrap()])
        .ok();
    Inputs {
        kaggle,
        legacy,
        text,
        feeds,
        oai,
        _dir: dir,
    }
}

fn args(w: Workload, i: &Inputs) -> Vec<String> {
    let s = |x: &str| x.to_string();
    match w {
        Workload::Kaggle => vec![s("import"), s("kaggle"), i.kaggle.display().to_string()],
        Workload::Legacy => vec![s("import"), s("legacy"), i.legacy.display().to_string()],
        Workload::TextImport => vec![s("archive"), s("import"), i.text.display().to_string()],
        Workload::Ingest => vec![
            s("ingest"),
            s("--rss-url"),
            format!("{}/rss/", i.feeds.base),
            s("--min-interval"),
            s("0.2"),
        ],
        Workload::Backfill => vec![
            s("backfill"),
            s("--from"),
            s("2026-02-01"),
            s("--to"),
            s("2026-02-28"),
            s("--until"),
            s("2026-02-28"),
            s("--oai-url"),
            format!("{}/oai", i.oai.base),
            s("--min-interval"),
            s("0.05"),
        ],
    }
}

fn prepare(a: &TestArchive, w: Workload) {
    if matches!(w, Workload::Ingest) {
        a.write_config("[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\", \"cs.CL\", \"cs.AI\"]\ntitle_keywords = [\"llm\"]\n");
    }
}

/// What the archive holds, as the user sees it.
fn fingerprint(a: &TestArchive) -> String {
    let mut out = a.run(&["stats", "--json"]).ok().stdout;
    let list = a.run(&["report", "list", "--json"]);
    out.push_str(&list.stdout);
    let search = a.run(&["search", "--json", "--limit", "100000", "llm"]);
    let mut ids = crate::util::ids(&search.stdout);
    ids.sort();
    out.push_str(&ids.join(" "));
    let export = a.scratch("fp-export");
    let _ = std::fs::remove_dir_all(&export);
    if a.run(&["report", "export", export.to_str().unwrap()]).code == 0 {
        let mut days: Vec<PathBuf> = std::fs::read_dir(&export)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        days.sort();
        for d in days {
            out.push_str(&std::fs::read_to_string(d.join("README.md")).unwrap());
        }
    }
    out
}

fn complete(a: &TestArchive, w: Workload, i: &Inputs) -> Duration {
    let started = Instant::now();
    let out = a
        .cmd(&args(w, i).iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{w:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

fn opens(a: &TestArchive) -> bool {
    let db = a.data().join("arxiv-daily.sqlite3");
    let r = a.run(&["stats", "--json"]);
    assert!(
        r.code == 0 || !db.exists(),
        "the archive must open after a crash: {}",
        r.stderr
    );
    r.code == 0
}

#[test]
fn kill_9_at_random_moments_then_rerun_gives_the_same_archive() {
    let inputs = inputs();
    let workloads = [
        Workload::Kaggle,
        Workload::Legacy,
        Workload::Ingest,
        Workload::Backfill,
        Workload::TextImport,
    ];
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut trials = 0;
    let mut interrupted = 0;
    for w in workloads {
        let before = interrupted;
        let reference = TestArchive::new();
        prepare(&reference, w);
        let took = complete(&reference, w, &inputs);
        let want = fingerprint(&reference);
        for _ in 0..6 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let kill_after = Duration::from_micros((seed >> 33) % (took.as_micros() as u64).max(1));
            let a = TestArchive::new();
            prepare(&a, w);
            let argv = args(w, &inputs);
            let mut child = a
                .cmd(&argv.iter().map(String::as_str).collect::<Vec<_>>())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(kill_after);
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            if opens(&a)
                && a.run(&["stats", "--json"]).stdout != reference.run(&["stats", "--json"]).stdout
            {
                interrupted += 1;
            }
            complete(&a, w, &inputs);
            assert_eq!(fingerprint(&a), want, "{w:?} killed after {kill_after:?}");
            a.run(&["doctor"]).ok();
            trials += 1;
        }
        eprintln!(
            "{w:?}: {} of 6 kills left a partly written archive",
            interrupted - before
        );
    }
    assert_eq!(trials, 30);
    eprintln!("{interrupted} of {trials} kills left a partly written archive");
    assert!(
        interrupted >= 6,
        "too few kills landed mid-write ({interrupted}); the test would prove little"
    );
}

#[test]
fn readers_never_fail_while_a_writer_runs() {
    let inputs = inputs();
    let a = TestArchive::new();
    a.run(&["import", "legacy", inputs.legacy.to_str().unwrap()])
        .ok();
    let argv = args(Workload::Kaggle, &inputs);
    let mut writer = a
        .cmd(&argv.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reads = 0;
    while writer.try_wait().unwrap().is_none() {
        for args in [
            &["stats"][..],
            &["search", "llm", "--limit", "3"],
            &["report", "show", "2025-01-05"],
            &["show", "2501.00001"],
        ] {
            let r = a.run(args);
            assert_eq!(r.code, 0, "{args:?} failed during a write: {}", r.stderr);
            reads += 1;
        }
        // a second writer is turned away with the pid of the first
        let second = a.run(&["import", "legacy", inputs.legacy.to_str().unwrap()]);
        if writer.try_wait().unwrap().is_none() {
            assert_eq!(second.code, 2);
            assert!(
                second.stderr.contains("being written by pid"),
                "{}",
                second.stderr
            );
        }
    }
    assert!(writer.wait().unwrap().success());
    assert!(
        reads > 4,
        "the writer ran long enough to overlap reads ({reads})"
    );
    // --wait queues behind a writer instead of failing
    let mut w1 = a
        .cmd(&argv.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Once it holds the writer lock (the lock file names the writer's pid), not after a time: a
    // second writer started before that could take the lock first, and w1 (without --wait) fail.
    let pid = w1.id().to_string();
    crate::util::eventually("the first writer to take the lock", || {
        let holder = std::fs::read_to_string(a.data().join("lock")).unwrap_or_default();
        (holder.trim() == pid).then_some(())
    });
    a.run(&[
        "--wait",
        "import",
        "legacy",
        inputs.legacy.to_str().unwrap(),
    ])
    .ok();
    assert!(w1.wait().unwrap().success());
}
