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
