//! The code's shape as ARCHITECTURE.md states it: "who imports whom" is checked against the
//! paths each top-level module uses (`crate::X` in the library, `arxiv_daily::X` in the
//! binary's modules), so the document cannot drift from the code; and the library never sees
//! the command line (clap is the binary's alone).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The `.rs` files of a module: the file itself, or every file under its folder.
fn files_of(path: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if path.is_dir() {
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
    } else if path.extension().is_some_and(|x| x == "rs") {
        files.push(path.to_path_buf());
    }
    files
}

/// The modules a crate root declares (`mod X;`, `pub mod X;`, `pub(crate) mod X;`).
fn declared(root: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(root)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_suffix(';')?;
            let name = rest.rsplit_once("mod ")?.1;
            let vis = rest.strip_suffix(name)?.strip_suffix("mod ")?.trim();
            ["", "pub", "pub(crate)"]
                .contains(&vis)
                .then(|| name.to_string())
        })
        .collect()
}

/// Each top-level module of `src/` and the library modules its files name: as `crate::X` in a
/// module of the library, as `arxiv_daily::X` in a module of the binary (`src/main.rs`).
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let library = declared(&src.join("lib.rs"));
    let binary = declared(&src.join("main.rs"));
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let files = files_of(&path);
        if files.is_empty() {
            continue;
        }
        let prefix = if binary.contains(&name) {
            "arxiv_daily::"
        } else {
            assert!(
                library.contains(&name),
                "src/{name} is declared by neither src/lib.rs nor src/main.rs"
            );
            "crate::"
        };
        let mut deps = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices(prefix) {
                // `arxiv_daily::` inside a longer name is not a path of the library.
                if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &text[at + prefix.len()..];
                let module: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !module.is_empty() && module != name {
                    deps.insert(module);
                }
            }
        }
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn the_command_line_is_the_binarys_and_the_library_never_sees_clap() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let library = declared(&src.join("lib.rs"));
    let binary = declared(&src.join("main.rs"));
    assert!(
        !library.contains("cli"),
        "src/lib.rs declares `cli`: the command line belongs to the binary (src/main.rs)"
    );
    assert!(
        binary.contains("cli"),
        "src/main.rs does not declare `mod cli;`"
    );
    // Every file of src/ but the binary's own (main.rs and cli/), whatever its kind.
    let mut mentions = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p == src.join("main.rs") || p == src.join("cli") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).to_lowercase();
            if text.contains("clap") {
                mentions.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    mentions.sort();
    assert!(
        mentions.is_empty(),
        "the library mentions clap (only src/main.rs and src/cli/ may): {mentions:?}"
    );
}

#[test]
fn the_architecture_document_says_who_imports_whom() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let block = doc
        .split("<!-- imports: begin -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- imports: end -->").next())
        .expect("ARCHITECTURE.md has an imports block");
    let mut stated = BTreeMap::new();
    for line in block.lines() {
        let Some((module, deps)) = line.trim().split_once(" -> ") else {
            continue;
        };
        let deps: BTreeSet<String> = deps
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty() && d != "nothing")
            .collect();
        stated.insert(module.trim_matches('`').to_string(), deps);
    }
    let actual = imports(&root.join("src"));
    let show = |g: &BTreeMap<String, BTreeSet<String>>| -> String {
        g.iter()
            .map(|(m, d)| {
                let d: Vec<&str> = d.iter().map(String::as_str).collect();
                let d = if d.is_empty() {
                    "nothing".to_string()
                } else {
                    d.join(", ")
                };
                format!("{m} -> {d}\n")
            })
            .collect()
    };
    assert_eq!(
        show(&stated),
        show(&actual),
        "ARCHITECTURE.md's imports block (left) is not what the code imports (right)"
    );
}
