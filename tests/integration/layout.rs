//! The code's shape as ARCHITECTURE.md states it: "who imports whom" is checked against the
//! `crate::` paths each top-level module uses, so the document cannot drift from the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of `src/` and the other top-level modules its files name as `crate::X`.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            let mut stack = vec![path.clone()];
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
            files.push(path.clone());
        } else {
            continue;
        }
        let mut deps = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
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
