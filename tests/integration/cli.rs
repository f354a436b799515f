//! The command line itself: completions and the man page, generated from the clap definitions.

use crate::util::TestArchive;

#[test]
fn completions_and_man_page_cover_every_command() {
    let a = TestArchive::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = a.run(&["completions", shell]).ok().stdout;
        for cmd in ["ingest", "backfill", "report", "search", "doctor"] {
            assert!(script.contains(cmd), "{shell} completes {cmd}");
        }
    }
    let man = a.run(&["man"]).ok().stdout;
    assert!(
        man.starts_with(".ie") || man.contains(".TH arxiv-daily 1"),
        "{man}"
    );
    assert!(man.contains("search") && man.contains("report"));
    a.run(&["completions", "tcsh"]).code(2);
}

/// `| head` closes the pipe: a command whose stdout is gone stops quietly and exits 0, for
/// every command that writes to stdout (the reading end is closed before the command writes,
/// so every write it makes fails with EPIPE; the outputs are larger than a buffer of stdout, so
/// some writes fail inside serde_json and csv, not only at the last flush).
#[test]
fn a_closed_pipe_is_not_an_error() {
    let a = crate::search::archive_of_many(Some(
        "[[profile]]\nname = \"default\"\ncategories = [\"cs.IR\"]\n",
    ));
    let commands: &[&[&str]] = &[
        &["search", "retrieval"],
        &["search", "retrieval", "--json", "--limit", "100000"],
        &["search", "retrieval", "--format", "atom"],
        &["search", "retrieval", "--format", "bibtex"],
        &["report", "show", "2026-03-04"],
        &["report", "show", "2026-03-04", "--json"],
        &["report", "show", "2026-03-04", "--format", "csv"],
        &["report", "list", "--json"],
        &["report", "list"],
        &["report", "feed", "--profile", "default"],
        &["show", "2603.00600"],
        &["show", "2603.00600", "--json"],
        &["show", "2603.00600", "--format", "bibtex"],
        &["stats"],
        &["stats", "--json"],
        &["status", "--json"],
        &["status"],
        &["doctor", "--json"],
        &["completions", "bash"],
        &["man"],
    ];
    // `similar` finds nothing among papers of four words; the reader's fixture has its papers.
    let small = crate::serve::archive();
    let similar: &[&[&str]] = &[
        &["similar", "2603.00000"],
        &["similar", "2603.00000", "--json"],
    ];
    let runs = commands
        .iter()
        .map(|c| (&a, c))
        .chain(similar.iter().map(|c| (&small, c)));
    for (a, args) in runs {
        let mut child = a
            .cmd(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(0) && stderr.is_empty(),
            "{args:?}: exit {:?}, stderr {stderr:?}",
            out.status.code()
        );
    }
}
