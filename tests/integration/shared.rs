//! Conformance runs over the real data in ../shared when it is present (CI has it). Each test
//! prints that it skipped when it is absent.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::util::TestArchive;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.join("data").is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: ../shared is absent; this conformance test runs where it is (CI)");
        None
    }
}

#[test]
fn the_84_shared_days_import_and_export_byte_for_byte() {
    let Some(shared) = shared() else { return };
    let src = shared.join("data/legacy-reports");
    let a = TestArchive::new();
    let out = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(out.stdout.starts_with("84 files"), "{}", out.stdout);
    let reference = std::fs::read_to_string(src.join("24-Sep-2025/README.md")).unwrap();
    assert_eq!(
        a.run(&["report", "show", "24-Sep-2025"]).ok().stdout,
        reference
    );
    let exported = a.scratch("export");
    a.run(&["report", "export", exported.to_str().unwrap()])
        .ok();
    let mut days = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let day = entry.unwrap().file_name();
        for f in ["README.md", "papers.csv"] {
            let want = std::fs::read(src.join(&day).join(f)).unwrap();
            let got = std::fs::read(exported.join(&day).join(f)).unwrap_or_default();
            assert!(want == got, "{}/{f} differs", day.to_string_lossy());
        }
        days += 1;
    }
    assert_eq!(days, 84);
    let before = a.stats();
    let again = a.run(&["import", "legacy", src.to_str().unwrap()]).ok();
    assert!(again.stdout.contains("84 unchanged"), "{}", again.stdout);
    assert_eq!(a.stats(), before);
}

struct Fake(Child);

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_month_of_fake_arxiv_days_matches_the_original_script() {
    let Some(shared) = shared() else { return };
    let fake = shared.join("tools/fake-arxiv");
    let listings = shared.join("data/listings/listings-ai-ir-cl.jsonl.gz");
    let a = TestArchive::new();
    let port_file = a.scratch("fake").join("port");
    let child = Command::new(&fake)
        .args([
            "serve",
            "--listings",
            listings.to_str().unwrap(),
            "--port",
            "0",
            "--port-file",
            port_file.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(child) = child else {
        eprintln!(
            "SKIPPED: cannot start {} (python3 missing?)",
            fake.display()
        );
        return;
    };
    let _guard = Fake(child);
    let mut port = String::new();
    for _ in 0..300 {
        port = std::fs::read_to_string(&port_file)
            .unwrap_or_default()
            .trim()
            .to_string();
        if !port.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!port.is_empty(), "fake-arxiv did not start");
    let base = format!("http://127.0.0.1:{port}");
    let dates = Command::new(&fake)
        .args(["dates", "--listings", listings.to_str().unwrap()])
        .output()
        .unwrap();
    let days: Vec<String> = String::from_utf8(dates.stdout)
        .unwrap()
        .lines()
        .filter(|d| *d >= "2026-02-01" && *d <= "2026-02-28")
        .map(str::to_string)
        .collect();
    assert!(days.len() >= 15, "{days:?}");
    a.write_config(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\ntitle_keywords = [\"multimodal\", \"multi-modal\", \"generative\", \"llm\"]\n\
         [[profile]]\nname = \"agents\"\ncategories = [\"cs.CL\"]\ntitle_keywords = [\"agent\", \"retrieval\"]\n",
    );
    let client = reqwest::blocking::Client::new();
    for (i, day) in days.iter().enumerate() {
        client.get(format!("{base}/__today/{day}")).send().unwrap();
        a.run(&[
            "ingest",
            "--rss-url",
            &format!("{base}/rss/"),
            "--min-interval",
            "0",
        ])
        .ok();
        if i == 3 {
            let again = a
                .run(&[
                    "ingest",
                    "--rss-url",
                    &format!("{base}/rss/"),
                    "--min-interval",
                    "0",
                ])
                .ok();
            assert!(again.stdout.contains("already stored"), "{}", again.stdout);
        }
    }
    for (profile, cats, keywords) in [
        ("default", "cs.IR", "multimodal,multi-modal,generative,llm"),
        ("agents", "cs.CL", "agent,retrieval"),
    ] {
        let out = a.scratch(&format!("expect-{profile}"));
        let status = Command::new(&fake)
            .args([
                "expect-report",
                "--listings",
                listings.to_str().unwrap(),
                "--date",
                &days.join(","),
                "--categories",
                cats,
                "--keywords",
                keywords,
                "--out-dir",
                out.to_str().unwrap(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
        for day in &days {
            let want = std::fs::read_to_string(out.join(format!("{day}.md"))).unwrap();
            assert_eq!(
                a.run(&["report", "show", day, "--profile", profile])
                    .ok()
                    .stdout,
                want,
                "{profile} {day}"
            );
        }
    }
}

#[test]
fn the_real_kaggle_sample_lines_import_without_errors() {
    let Some(shared) = shared() else { return };
    let samples = shared.join("data/arxiv-samples");
    let a = TestArchive::new();
    for (file, papers) in [
        (
            "kaggle_arxiv-metadata-oai-snapshot_first200lines.jsonl",
            200,
        ),
        (
            "kaggle_line_hep-th_9608091_oldstyle_id_with_affiliations.jsonl",
            201,
        ),
    ] {
        let out = a
            .run(&["import", "kaggle", samples.join(file).to_str().unwrap()])
            .ok();
        assert!(out.stdout.contains("(0 malformed"), "{}", out.stdout);
        assert_eq!(a.stats()["papers"], papers);
    }
    let show: serde_json::Value =
        serde_json::from_str(&a.run(&["show", "hep-th/9608091", "--json"]).ok().stdout).unwrap();
    assert_eq!(show["first_announced"], "1996-08-15");
}
