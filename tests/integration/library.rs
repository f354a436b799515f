//! The library and recommendations: a real library file beside a real archive, the CLI, the
//! digest sent to an SMTP server on 127.0.0.1 that the test runs, and kill -9 during an import.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::fixtures::{Item, feed};
use crate::util::{TestArchive, write};

/// Words of four topics; a paper of topic `t` number `n` mixes its topic's words.
const TOPICS: [(&str, [&str; 8]); 4] = [
    (
        "recsys",
        [
            "sequential recommendation",
            "collaborative filtering",
            "user preferences",
            "item embeddings",
            "click-through rate",
            "recommender systems",
            "implicit feedback",
            "session-based recommendation",
        ],
    ),
    (
        "speech",
        [
            "speech recognition",
            "acoustic models",
            "spoken language",
            "speaker verification",
            "automatic speech",
            "phoneme alignment",
            "voice conversion",
            "speech synthesis",
        ],
    ),
    (
        "legal",
        [
            "legal documents",
            "court decisions",
            "statutory interpretation",
            "case law",
            "legal judgment prediction",
            "contract clauses",
            "regulatory compliance",
            "legal reasoning",
        ],
    ),
    (
        "chem",
        [
            "molecular property prediction",
            "protein folding",
            "drug discovery",
            "chemical reactions",
            "molecule generation",
            "retrosynthesis planning",
            "binding affinity",
            "crystal structures",
        ],
    ),
];

const DAYS: [&str; 4] = [
    "Mon, 02 Mar 2026 00:00:00 -0500",
    "Tue, 03 Mar 2026 00:00:00 -0500",
    "Wed, 04 Mar 2026 00:00:00 -0500",
    "Thu, 05 Mar 2026 00:00:00 -0500",
];

/// The id of topic `t`'s paper `n` on day `d`.
pub fn topical_id(d: usize, t: usize, n: usize) -> String {
    format!("2603.{:05}", d * 100 + t * 10 + n)
}

/// Four days of cs.IR, four papers of each of four topics a day.
pub fn topical_archive() -> TestArchive {
    let a = TestArchive::new();
    let dir = a.scratch("topical");
    for (d, date) in DAYS.iter().enumerate() {
        let mut owned = Vec::new();
        for (t, (_, words)) in TOPICS.iter().enumerate() {
            for n in 0..4 {
                let k = d * 4 + n;
                let title = format!(
                    "{} with {} for {}",
                    cap(words[k % 8]),
                    words[(k + 3) % 8],
                    words[(k + 5) % 8]
                );
                let abs = format!(
                    "We study {} and {}. Our method improves {} on {} benchmarks, and {} in study {k}.",
                    words[k % 8],
                    words[(k + 1) % 8],
                    words[(k + 2) % 8],
                    words[(k + 6) % 8],
                    words[(k + 7) % 8]
                );
                owned.push((topical_id(d, t, n), title, abs, format!("Author {t}{n}")));
            }
        }
        let items: Vec<Item<'_>> = owned
            .iter()
            .map(|(id, title, abs, authors)| Item {
                id,
                version: 1,
                kind: "new",
                title,
                abs,
                authors,
                cats: &["cs.IR"],
            })
            .collect();
        let path = dir.join(format!("{d}.xml"));
        write(&path, &feed("cs.IR", date, &items));
        a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
            .ok();
    }
    a
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn tags_dismissals_imports_and_exports_round_trip() {
    let a = crate::serve::archive();
    a.run(&[
        "library",
        "add",
        "--tag",
        "ir",
        "2603.00000",
        "https://arxiv.org/pdf/2603.00001v1",
    ])
    .ok();
    a.run(&["library", "dismiss", "--tag", "ir", "arXiv:2603.00002"])
        .ok();
    let bad = a.run(&["library", "add", "--tag", "bad tag", "2603.00000"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("1 to 40 letters"), "{}", bad.stderr);
    let tags = lines(&a.run(&["library", "tags", "--json"]).ok().stdout);
    assert_eq!(tags.len(), 1);
    assert_eq!(
        (
            tags[0]["tag"].as_str(),
            tags[0]["papers"].as_u64(),
            tags[0]["dismissed"].as_u64()
        ),
        (Some("ir"), Some(2), Some(1))
    );
    // A BibTeX file as Zotero and Google Scholar write it: ids from url and journal, one by
    // its title (braces, case and punctuation aside), one that matches nothing.
    let bib = a.scratch("bib").join("mine.bib");
    write(
        &bib,
        "@article{zot,\n  title = {Multimodal agents that search},\n  url = {http://arxiv.org/abs/2603.00012v1},\n}\n\
         @article{scholar,\n  title={X},\n  journal={arXiv preprint arXiv:2603.00020},\n}\n\
         @inproceedings{bytitle,\n  title = {{LLM} Rerankers for Sparse and Dense Retrieval!},\n  booktitle = {SIGIR},\n}\n\
         @misc{nothing,\n  title = {A paper this archive does not hold},\n}\n",
    );
    let out = a.run(&[
        "library",
        "import",
        bib.to_str().unwrap(),
        "--tag",
        "reading",
        "--json",
    ]);
    let out = out.ok();
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let by: Vec<(String, String)> = v["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                m["by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        by,
        vec![
            ("2603.00012".to_string(), "url".to_string()),
            ("2603.00020".into(), "journal".into()),
            ("2603.00001".into(), "title".into()),
        ]
    );
    assert_eq!(v["unmatched"][0]["key"], "nothing");
    assert_eq!(v["unmatched"][0]["line"], 13);
    assert_eq!(v["added"], 3);
    // A file that cannot be read is refused whole, with its line, and adds nothing.
    let before = a.run(&["library", "list", "--json"]).ok().stdout;
    let broken = a.scratch("bib").join("broken.bib");
    write(
        &broken,
        "@misc{ok, eprint = {2603.00003}}\n\n@misc{cut,\n  title = {never closed,\n",
    );
    let e = a.run(&[
        "library",
        "import",
        broken.to_str().unwrap(),
        "--tag",
        "reading",
    ]);
    assert_eq!(e.code, 2, "{}", e.stdout);
    assert!(e.stderr.contains("broken.bib:"), "{}", e.stderr);
    assert_eq!(a.run(&["library", "list", "--json"]).ok().stdout, before);
    // Export, then import into an empty library: the same library.
    let export = a
        .run(&["library", "export", "--format", "json"])
        .ok()
        .stdout;
    let file = a.scratch("bib").join("export.jsonl");
    write(&file, &export);
    let other = a.scratch("other").join("library.sqlite3");
    let other = other.to_str().unwrap();
    a.run(&[
        "--library",
        other,
        "library",
        "import",
        file.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(
        a.run(&["--library", other, "library", "list", "--json"])
            .ok()
            .stdout,
        a.run(&["library", "list", "--json"]).ok().stdout
    );
    // BibTeX export: arXiv's own entries for the saved papers.
    let bibtex = a.run(&["library", "export", "--tag", "ir"]).ok().stdout;
    assert!(bibtex.contains("eprint={2603.00000}"), "{bibtex}");
    assert!(
        !bibtex.contains("2603.00002"),
        "dismissed papers are not exported as BibTeX"
    );
    // Remove takes a paper out.
    a.run(&["library", "remove", "--tag", "ir", "2603.00000"])
        .ok();
    let listed = a.run(&["library", "list", "--tag", "ir"]).ok().stdout;
    assert!(!listed.contains("2603.00000"), "{listed}");
    // The archive's own rebuilds never touch the library.
    a.run(&["doctor", "--repair"]).ok();
    assert!(a.data().join("library.sqlite3").exists());
    assert!(
        !a.run(&["library", "list", "--tag", "ir"])
            .ok()
            .stdout
            .is_empty()
    );
    // The list names each paper by its title in the archive, and says when the archive does not
    // hold it yet.
    a.run(&["library", "add", "--tag", "later", "2512.99999"])
        .ok();
    let listed = lines(&a.run(&["library", "list", "--json"]).ok().stdout);
    let shown: serde_json::Value =
        serde_json::from_str(&a.run(&["show", "2603.00001", "--json"]).ok().stdout).unwrap();
    let title_of = |id: &str| {
        listed
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["title"].clone())
            .unwrap()
    };
    assert_eq!(
        title_of("2603.00001"),
        shown["snapshots"]
            .as_array()
            .and_then(|s| s.last())
            .map(|s| s["title"].clone())
            .unwrap(),
        "{shown}"
    );
    assert!(
        title_of("2603.00001")
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert_eq!(title_of("2512.99999"), serde_json::Value::Null);
    let text = a.run(&["library", "list", "--tag", "later"]).ok().stdout;
    assert!(
        text.trim_end().ends_with("(not in the archive yet)"),
        "{text}"
    );
}

#[test]
fn recommendations_rank_the_tags_papers_first_explain_them_and_repeat_exactly() {
    let a = topical_archive();
    // The reader's recsys papers of the first two days, and one speech paper dismissed.
    let mut saved = Vec::new();
    for d in 0..2 {
        for n in 0..4 {
            saved.push(topical_id(d, 0, n));
        }
    }
    let mut args = vec!["library", "add", "--tag", "recsys"];
    args.extend(saved.iter().map(String::as_str));
    a.run(&args).ok();
    let dismissed = topical_id(3, 1, 0);
    a.run(&["library", "dismiss", "--tag", "recsys", &dismissed])
        .ok();
    let run = |extra: &[&str]| {
        let mut args = vec!["recommend", "--tag", "recsys", "--json"];
        args.extend_from_slice(extra);
        a.run(&args).ok().stdout
    };
    // The newest day by default: its four recsys papers first.
    let out = run(&["--limit", "16"]);
    let recs = lines(&out);
    let top: Vec<&str> = recs[..4]
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for n in 0..4 {
        assert!(top.contains(&topical_id(3, 0, n).as_str()), "{out}");
    }
    for r in &recs {
        assert_eq!(r["tag"], "recsys");
        assert!(r["id"].as_str().unwrap().starts_with("2603.003"), "{r}");
        assert_ne!(
            r["id"],
            dismissed.as_str(),
            "a dismissed paper is never recommended"
        );
        for key in ["title", "authors", "first_announced", "score", "why"] {
            assert!(r.get(key).is_some(), "{key}: {r}");
        }
    }
    let why: Vec<&str> = recs[0]["why"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(!why.is_empty());
    let words = [
        "recommend",
        "user",
        "item",
        "filtering",
        "feedback",
        "click",
        "session",
        "preferences",
    ];
    assert!(
        why.iter().any(|w| words.iter().any(|k| w.contains(k))),
        "{why:?}"
    );
    // Same library, same archive: the same bytes.
    assert_eq!(run(&["--limit", "16"]), out);
    // Days and range: the saved papers' own days recommend nothing saved.
    let range = lines(&run(&[
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-03",
        "--limit",
        "100",
    ]));
    assert!(!range.is_empty());
    for r in &range {
        assert!(
            !saved.contains(&r["id"].as_str().unwrap().to_string()),
            "{r}"
        );
    }
    // The other formats.
    let atom = a
        .run(&["recommend", "--format", "atom", "--limit", "3"])
        .ok()
        .stdout;
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).unwrap();
    assert_eq!(feed.entries().len(), 3);
    let md = a
        .run(&["recommend", "--format", "md", "--limit", "2"])
        .ok()
        .stdout;
    assert!(md.contains("](https://arxiv.org/abs/2603.003"), "{md}");
    let bib = a
        .run(&["recommend", "--format", "bibtex", "--limit", "2"])
        .ok()
        .stdout;
    assert_eq!(bib.matches("@misc{").count(), 2, "{bib}");
    // No tag: every tag, each paper under its best (five papers: a tag that has learned).
    a.run(&[
        "library",
        "add",
        "--tag",
        "law",
        &topical_id(0, 2, 0),
        &topical_id(0, 2, 1),
        &topical_id(0, 2, 2),
        &topical_id(1, 2, 0),
        &topical_id(1, 2, 1),
    ])
    .ok();
    let both = lines(&a.run(&["recommend", "--json", "--limit", "8"]).ok().stdout);
    for r in &both {
        let id = r["id"].as_str().unwrap();
        let topic = &id[8..9];
        match r["tag"].as_str().unwrap() {
            "recsys" => assert_eq!(topic, "0", "{r}"),
            "law" => assert_eq!(topic, "2", "{r}"),
            other => panic!("tag {other}"),
        }
    }
    // Nothing in the library: a clear error, exit 2.
    let none = a.run(&["--library", "/nonexistent/lib.sqlite3", "recommend"]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("library add"), "{}", none.stderr);
}

#[test]
fn a_described_tag_is_recommended_before_it_has_a_saved_paper() {
    let a = topical_archive();
    let out = a
        .run(&[
            "library",
            "describe",
            "Law",
            "court decisions, case law and the statutory interpretation of legal documents",
        ])
        .ok();
    assert!(out.stdout.contains("Law: described"), "{}", out.stdout);
    let tags = lines(&a.run(&["library", "tags", "--json"]).ok().stdout);
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0]["papers"], 0);
    assert!(
        tags[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("court decisions"),
        "{tags:?}"
    );
    // No saved paper: the description alone ranks the newest day's four legal papers first.
    let recs = lines(
        &a.run(&["recommend", "--tag", "law", "--json", "--limit", "4"])
            .ok()
            .stdout,
    );
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for n in 0..4 {
        assert!(ids.contains(&topical_id(3, 2, n).as_str()), "{recs:?}");
    }
    assert!(recs.iter().all(|r| r["tag"] == "Law"), "{recs:?}");
    // It keeps steering once papers are saved: with two chemistry papers saved to the tag, the
    // legal papers still rank beside the chemistry ones.
    a.run(&[
        "library",
        "add",
        "--tag",
        "Law",
        &topical_id(0, 3, 0),
        &topical_id(0, 3, 1),
    ])
    .ok();
    let recs = lines(
        &a.run(&["recommend", "--tag", "Law", "--json", "--limit", "8"])
            .ok()
            .stdout,
    );
    let of = |prefix: &str| {
        recs.iter()
            .filter(|r| r["id"].as_str().unwrap().starts_with(prefix))
            .count()
    };
    assert!(of("2603.0032") >= 2 && of("2603.0033") >= 2, "{recs:?}");
    // An export keeps the description, and an import into another library brings it back.
    let export = a
        .run(&["library", "export", "--format", "json"])
        .ok()
        .stdout;
    assert!(export.contains("\"description\""), "{export}");
    let file = a.scratch("export").join("library.jsonl");
    std::fs::write(&file, &export).unwrap();
    let other = a.scratch("other").join("library.sqlite3");
    let other = other.to_str().unwrap();
    let out = a
        .run(&[
            "--library",
            other,
            "library",
            "import",
            file.to_str().unwrap(),
        ])
        .ok();
    assert!(out.stdout.contains("1 tag described"), "{}", out.stdout);
    let tags = lines(
        &a.run(&["--library", other, "library", "tags", "--json"])
            .ok()
            .stdout,
    );
    assert!(
        tags[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("court decisions"),
        "{tags:?}"
    );
    // Too long a description is refused, and the one kept is unchanged.
    let long = "legal ".repeat(200);
    let out = a.run(&["library", "describe", "Law", &long]).code(2);
    assert!(
        out.stderr.contains("at most 1000 characters"),
        "{}",
        out.stderr
    );
    // Taken away: the tag ranks by its papers alone (chemistry now).
    let out = a.run(&["library", "describe", "law", "--clear"]).ok();
    assert!(out.stdout.contains("taken away"), "{}", out.stdout);
    let tags = lines(&a.run(&["library", "tags", "--json"]).ok().stdout);
    assert!(tags[0]["description"].is_null(), "{tags:?}");
    let recs = lines(
        &a.run(&["recommend", "--tag", "Law", "--json", "--limit", "1"])
            .ok()
            .stdout,
    );
    assert!(
        recs[0]["id"].as_str().unwrap().starts_with("2603.0033"),
        "{recs:?}"
    );
}

#[test]
fn similar_is_the_recommenders_engine_with_one_paper() {
    let a = topical_archive();
    let id = topical_id(3, 2, 0);
    let out = a.json_lines(
        &["similar", &id, "--limit", "5"]
            .iter()
            .copied()
            .chain(["--json"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(out.len(), 5);
    for h in &out {
        assert_ne!(h["id"], id.as_str());
        assert_eq!(&h["id"].as_str().unwrap()[8..9], "2", "a legal paper: {h}");
        assert!(!h["why"].as_array().unwrap().is_empty(), "{h}");
    }
}

#[test]
fn library_commands_work_in_a_fresh_data_folder() {
    let a = TestArchive::new();
    assert!(!a.data().exists());
    a.run(&["library", "add", "--tag", "t", "2509.16442"]).ok();
    assert!(a.data().join("library.sqlite3").is_file());
    let other = TestArchive::new();
    let file = other.scratch("in").join("ids.txt");
    write(&file, "2509.16442\n");
    other
        .run(&["library", "import", file.to_str().unwrap(), "--tag", "t"])
        .ok();
}

/// `library import FILE --tag t --json` in `a`: the matched `(id, by)` and the output.
fn import_bib(
    a: &TestArchive,
    name: &str,
    text: &str,
) -> (Vec<(String, String)>, crate::util::Run) {
    let file = a.scratch("bib").join(name);
    std::fs::write(&file, text).unwrap();
    let out = a.run(&[
        "library",
        "import",
        file.to_str().unwrap(),
        "--tag",
        "t",
        "--json",
    ]);
    let matched = match serde_json::from_str::<serde_json::Value>(out.stdout.trim()) {
        Ok(v) => v["matched"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["id"].as_str().unwrap().to_string(),
                    m["by"].as_str().unwrap().to_string(),
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    (matched, out)
}

#[test]
fn library_import_matches_titles_whatever_their_accents() {
    let a = TestArchive::new();
    let titles = [
        ("2604.00001", "Speech recognition for Yorùbá tone"),
        ("2604.00002", "The Radon-Nikodým derivative of posteriors"),
        ("2604.00003", "Fùxì: trigrams as embeddings"),
    ];
    let items: Vec<Item<'_>> = titles
        .iter()
        .map(|(id, title)| Item {
            id,
            version: 1,
            kind: "new",
            title,
            abs: "An abstract.",
            authors: "A. Author",
            cats: &["cs.CL"],
        })
        .collect();
    let feed_file = a.scratch("feeds").join("cl.xml");
    write(&feed_file, &feed("cs.CL", DAYS[0], &items));
    a.run(&["ingest", "--feed-file", feed_file.to_str().unwrap()])
        .ok();
    // TeX accents, plain ASCII, and the letters themselves in other words.
    let (matched, out) = import_bib(
        &a,
        "accents.bib",
        "@article{yo,\n  title = {Speech Recognition for Yor{\\`u}b{\\'a} Tone},\n}\n\
         @article{rn,\n  title = {The Radon-Nikodym Derivative of Posteriors},\n}\n\
         @article{fx,\n  title = {F{\\`u}x{\\`\\i}: Trigrams as Embeddings},\n}\n",
    );
    let out = out.ok();
    let by_title = |id: &str| (id.to_string(), "title".to_string());
    assert_eq!(
        matched,
        vec![
            by_title("2604.00001"),
            by_title("2604.00002"),
            by_title("2604.00003")
        ],
        "{}",
        out.stdout
    );
}

#[test]
fn library_import_reads_a_bom_and_string_macros_and_names_the_unclosed_entry() {
    let a = TestArchive::new();
    // A UTF-8 byte order mark (Windows editors, some exports) before the first entry.
    let (matched, out) = import_bib(
        &a,
        "bom.bib",
        "\u{feff}@misc{a,\n  title = {A},\n  eprint = {2509.16442},\n}\n",
    );
    out.ok();
    assert_eq!(matched, vec![("2509.16442".into(), "eprint".into())]);
    // An id inside a @string macro, alone or joined with #.
    let (matched, out) = import_bib(
        &a,
        "macros.bib",
        "@string{preprint = \"arXiv preprint \"}\n@STRING{myid = {arXiv:2509.16443}}\n\
         @misc{b,\n  title = {B},\n  note = myid,\n}\n\
         @misc{c,\n  title = {C},\n  journal = preprint # \"arXiv:2509.16444\",\n}\n",
    );
    out.ok();
    assert_eq!(
        matched,
        vec![
            ("2509.16443".into(), "note".into()),
            ("2509.16444".into(), "journal".into())
        ]
    );
    // An unclosed brace on line 6 reads to the end of the file: the error names the line where
    // its entry starts (4), and the brace's own line, not the end of the file.
    let (_, out) = import_bib(
        &a,
        "unclosed.bib",
        "@misc{a,\n  eprint = {2509.16442},\n}\n@misc{b,\n  title = {B},\n  note = {never closed,\n\
         @misc{c,\n  eprint = {2509.16444},\n}\n",
    );
    let out = out.code(2);
    assert!(out.stderr.contains("unclosed.bib:4:"), "{}", out.stderr);
    assert!(out.stderr.contains("line 6"), "{}", out.stderr);
    // A `}` missing from the entry of line 4: the parser stops at the next entry (line 8).
    let (_, out) = import_bib(
        &a,
        "unclosed.bib",
        "@misc{a,\n  eprint = {2509.16442},\n}\n@misc{b,\n  title = {B},\n  note = {never closed,\n}\n\
         @misc{c,\n  eprint = {2509.16444},\n}\n",
    );
    let out = out.code(2);
    assert!(out.stderr.contains("unclosed.bib:4:"), "{}", out.stderr);
    assert!(out.stderr.contains("line 8"), "{}", out.stderr);
}

/// An SMTP server on 127.0.0.1 that keeps what it receives; the first `fail` transactions get
/// `fail_code` at DATA's end. It never offers STARTTLS: every byte crosses in clear text.
pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<String>>>,
    pub fail: Arc<Mutex<(u32, u16)>>,
    /// Every command line the clients sent (AUTH's included), in order.
    pub commands: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_with(false)
    }

    /// With `offer_auth`, EHLO offers `AUTH PLAIN LOGIN` (and still no STARTTLS), and any AUTH
    /// is accepted.
    pub fn start_with(offer_auth: bool) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let fail = Arc::new(Mutex::new((0u32, 451u16)));
        let commands = Arc::new(Mutex::new(Vec::new()));
        let (r, f, c) = (
            Arc::clone(&received),
            Arc::clone(&fail),
            Arc::clone(&commands),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().take(50) {
                let Ok(mut s) = stream else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
                let mut reader = BufReader::new(s.try_clone().unwrap());
                let _ = s.write_all(b"220 sink ESMTP\r\n");
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    c.lock().unwrap().push(line.trim_end().to_string());
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") && offer_auth {
                        b"250-sink\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("AUTH") {
                        b"235 accepted\r\n"
                    } else if cmd.starts_with("DATA") {
                        let _ = s.write_all(b"354 go on\r\n");
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        let mut fail = f.lock().unwrap();
                        if fail.0 > 0 {
                            fail.0 -= 1;
                            let msg = format!("{} try later\r\n", fail.1);
                            let _ = s.write_all(msg.as_bytes());
                            continue;
                        }
                        r.lock().unwrap().push(data);
                        b"250 queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = s.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = s.write_all(reply);
                }
            }
        });
        SmtpSink {
            port,
            received,
            fail,
            commands,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

#[test]
fn the_digest_is_mailed_once_per_paper_and_tag_and_failures_say_so() {
    let a = topical_archive();
    let mut args = vec!["library", "add", "--tag", "recsys"];
    let saved: Vec<String> = (0..4).map(|n| topical_id(0, 0, n)).collect();
    args.extend(saved.iter().map(String::as_str));
    a.run(&args).ok();
    let sink = SmtpSink::start();
    let url = sink.url();
    let digest = |extra: &[&str]| {
        let mut args = vec![
            "digest",
            "--to",
            "reader@example.org",
            "--smtp-url",
            &url,
            "--limit",
            "3",
            "--attempts",
            "3",
        ];
        args.extend_from_slice(extra);
        a.run(&args)
    };
    // --dry-run prints a preview a person reads (decoded, not MIME) and sends nothing.
    let dry = digest(&["--dry-run"]).ok();
    assert!(
        dry.stdout.contains("Subject: arXiv for you, 2026-03-05"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("\nWhy: ") && dry.stdout.contains("== recsys (3) =="),
        "{}",
        dry.stdout
    );
    assert!(
        !dry.stdout.contains("Content-Transfer-Encoding") && !dry.stdout.contains("=\r\n"),
        "{}",
        dry.stdout
    );
    assert!(sink.received.lock().unwrap().is_empty());
    // A permanent refusal: exit 2, nothing recorded as sent.
    *sink.fail.lock().unwrap() = (1, 550);
    let e = digest(&[]);
    assert_eq!(e.code, 2, "{}", e.stderr);
    assert!(e.stderr.contains("permanent"), "{}", e.stderr);
    // A transient one: retried, then sent.
    *sink.fail.lock().unwrap() = (1, 451);
    let sent = digest(&[]).ok();
    assert!(sent.stderr.contains("attempt 1 of 3"), "{}", sent.stderr);
    assert!(sent.stdout.contains("sent 3 papers"), "{}", sent.stdout);
    let mail = sink.received.lock().unwrap()[0].clone();
    assert!(mail.contains("multipart/alternative"), "{mail}");
    assert!(
        mail.contains("text/plain") && mail.contains("text/html"),
        "{mail}"
    );
    assert!(mail.contains("To: reader@example.org"), "{mail}");
    assert!(mail.contains("Message-ID: <"), "{mail}");
    assert!(mail.contains("Date: "), "{mail}");
    assert!(
        mail.contains("Subject: arXiv for you, 2026-03-05: 3 papers (recsys 3)"),
        "{mail}"
    );
    assert!(mail.contains("recsys (3)"), "{mail}");
    assert!(mail.contains("https://arxiv.org/abs/2603.003"), "{mail}");
    // One email per day: a second run for the day sends nothing, and says so.
    let second = digest(&[]).ok();
    assert!(
        second
            .stderr
            .contains("the digest of 2026-03-05 was mailed")
            && second.stderr.contains("--resend"),
        "{}",
        second.stderr
    );
    assert_eq!(sink.received.lock().unwrap().len(), 1);
    // --resend sends the same picks again.
    let again = digest(&["--resend"]).ok();
    assert!(again.stdout.contains("sent 3 papers"), "{}", again.stdout);
    let mails = sink.received.lock().unwrap().clone();
    let ids = |m: &str| {
        let mut v: Vec<String> = m
            .match_indices("abs/2603.")
            .map(|(i, _)| m[i..i + 14].to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(ids(&mails[0]), ids(&mails[1]));
    assert_eq!(ids(&mails[0]).len(), 3, "{:?}", ids(&mails[0]));
    // Another day is its own email; another choice of tags too.
    let other = digest(&["--day", "2026-03-04"]).ok();
    assert!(other.stdout.contains("for 2026-03-04"), "{}", other.stdout);
    let one_tag = digest(&["--tag", "recsys"]).ok();
    assert!(one_tag.stdout.contains("sent"), "{}", one_tag.stderr);
    assert_eq!(sink.received.lock().unwrap().len(), 4);
    // --send-empty sends a day with nothing new.
    digest(&["--send-empty", "--day", "2026-03-03", "--min-score", "100"]).ok();
    assert_eq!(sink.received.lock().unwrap().len(), 5);
    assert!(sink.received.lock().unwrap()[4].contains("nothing new"));
    let tags = lines(&a.run(&["library", "tags", "--json"]).ok().stdout);
    assert!(tags[0]["last_digest"].is_string(), "{tags:?}");
}

#[test]
fn a_digest_after_an_upgrade_upgrades_the_library_and_mails() {
    let a = archive_with_a_tag();
    // The library taken back to the first version (what later migrations added, dropped).
    let conn = rusqlite::Connection::open(a.data().join("library.sqlite3")).unwrap();
    conn.execute_batch(
        "DROP TABLE digests; ALTER TABLE tags DROP COLUMN description; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    let sink = SmtpSink::start();
    let url = sink.url();
    let out = a
        .run(&["digest", "--to", "reader@example.org", "--smtp-url", &url])
        .ok();
    assert!(
        out.stdout.contains("sent"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(sink.received.lock().unwrap().len(), 1);
}

/// The password the digest tests give; it must never reach a plain connection or stderr.
const SMTP_PASSWORD: &str = "hunter2-Pw";

/// An archive with a tag of four saved papers, so that a digest has something to send.
fn archive_with_a_tag() -> TestArchive {
    let a = topical_archive();
    let mut args = vec!["library", "add", "--tag", "recsys"];
    let saved: Vec<String> = (0..4).map(|n| topical_id(0, 0, n)).collect();
    args.extend(saved.iter().map(String::as_str));
    a.run(&args).ok();
    a
}

#[test]
fn digest_never_sends_the_password_over_a_connection_without_tls() {
    let a = archive_with_a_tag();
    // A plain server that offers AUTH PLAIN and no STARTTLS (or a man in the middle who took
    // STARTTLS out of its EHLO).
    let sink = SmtpSink::start_with(true);
    let digest = |url: &str| {
        a.cmd(&["digest", "--to", "reader@example.org", "--attempts", "1"])
            .env("ARXIV_DAILY_SMTP_URL", url)
            .env("ARXIV_DAILY_SMTP_PASSWORD", SMTP_PASSWORD)
            .output()
            .unwrap()
    };
    for url in [
        format!("smtp://me@127.0.0.1:{}", sink.port),
        format!("smtp://me@127.0.0.1:{}?tls=opportunistic", sink.port),
        format!("smtp://me@127.0.0.1:{}?tls=none", sink.port),
        format!("smtp://me@localhost:{}", sink.port),
    ] {
        let out = digest(&url);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {stderr}");
        assert!(!stderr.contains(SMTP_PASSWORD), "{url}: {stderr}");
        assert!(
            stderr.contains("?tls=required") && stderr.contains("insecure_auth=loopback"),
            "{url}: the error says how to send safely, and how to allow a local relay: {stderr}"
        );
    }
    let commands = sink.commands.lock().unwrap().clone();
    assert!(
        !commands
            .iter()
            .any(|c| c.to_ascii_uppercase().starts_with("AUTH")),
        "a plain connection received AUTH: {commands:?}"
    );
    assert!(sink.received.lock().unwrap().is_empty());
    // Allowed only for a relay on this machine, only when the URL says so.
    let far = digest("smtp://me@192.0.2.1:25?tls=none&insecure_auth=loopback");
    let stderr = String::from_utf8_lossy(&far.stderr);
    assert_eq!(far.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("loopback"), "{stderr}");
    let near = digest(&format!(
        "smtp://me@127.0.0.1:{}?tls=none&insecure_auth=loopback",
        sink.port
    ));
    let stdout = String::from_utf8_lossy(&near.stdout);
    assert_eq!(
        near.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&near.stderr)
    );
    assert!(stdout.contains("sent 4 papers"), "{stdout}");
    let commands = sink.commands.lock().unwrap().clone();
    assert!(
        commands.iter().any(|c| c.starts_with("AUTH PLAIN ")),
        "{commands:?}"
    );
    assert_eq!(sink.received.lock().unwrap().len(), 1);
}

#[test]
fn digest_errors_about_the_smtp_url_never_show_its_password() {
    let a = archive_with_a_tag();
    for url in [
        "http://me:hunter2-Pw@127.0.0.1:25",
        "smtp://me:hunter2-Pw@127.0.0.1:99999",
        "smtp://me:hunter2-Pw@[::1:25",
        "smtp://me:hunter2-Pw@[fe80::1%eth0]:25",
        "me:hunter2-Pw@127.0.0.1:25",
        "smtp://me:hunter2-Pw/x@127.0.0.1:25",
        "smtp://me:hunter2-Pw@127.0.0.1:25",
    ] {
        let out = a
            .cmd(&["digest", "--to", "reader@example.org", "--attempts", "1"])
            .env("ARXIV_DAILY_SMTP_URL", url)
            .env_remove("ARXIV_DAILY_SMTP_PASSWORD")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {stderr}");
        assert!(!stderr.contains(SMTP_PASSWORD), "{url}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{url}: {stderr}");
        assert!(
            stderr.contains("me:***@"),
            "{url}: the URL shown redacted: {stderr}"
        );
    }
    // Nor does the help, which shows the values of the environment variables it reads.
    let help = a
        .cmd(&["digest", "--help"])
        .env("ARXIV_DAILY_SMTP_URL", "smtp://me:hunter2-Pw@127.0.0.1:25")
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("ARXIV_DAILY_SMTP_URL"), "{help}");
    assert!(!help.contains("hunter2"), "{help}");
}

/// Whether a process holds the library's write transaction: a `BEGIN IMMEDIATE` that does not
/// wait is refused (busy) exactly then. When it is not, the probe's own empty transaction is
/// rolled back at once (a writer that asks meanwhile waits a moment: its busy timeout).
fn library_write_open(path: &std::path::Path) -> bool {
    let Ok(db) = rusqlite::Connection::open(path) else {
        return false;
    };
    db.busy_timeout(Duration::ZERO).unwrap();
    match db.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => {
            db.execute_batch("ROLLBACK").unwrap();
            false
        }
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            true
        }
        Err(e) => panic!("probing {}: {e}", path.display()),
    }
}

/// kill -9 during `library import` (one transaction): the library is as before or complete,
/// never in between. Each kill is told apart (as `crash.rs` counts its kills): before the import
/// wrote (nothing stored, no write transaction open at the kill), mid-import (the transaction was
/// open at the kill and nothing of it stayed), or after it committed. The kills land at moments
/// spread over an uninterrupted import's time, and one more waits for the transaction to be
/// open; at least one must have landed mid-import, else the test would prove nothing.
#[test]
fn kill_9_during_an_import_leaves_the_library_as_before_or_complete() {
    const N: usize = 60_000;
    let a = topical_archive();
    a.run(&["library", "add", "--tag", "keep", &topical_id(0, 0, 0)])
        .ok();
    let before = a.run(&["library", "list", "--json"]).ok().stdout;
    let library = a.data().join("library.sqlite3");
    // A large file: 60,000 ids, imported in one transaction.
    let file = a.scratch("big").join("ids.txt");
    let text: String = (0..N)
        .map(|i| format!("https://arxiv.org/abs/2501.{:05}\n", i % 100_000))
        .collect();
    write(&file, &text);
    let import = |tag: &str| {
        a.cmd(&["library", "import", file.to_str().unwrap(), "--tag", tag])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long an import takes here, into a library of its own (kills are spread over it).
    let started = std::time::Instant::now();
    let timed = a.scratch("timed").join("library.sqlite3");
    a.run(&[
        "--library",
        timed.to_str().unwrap(),
        "library",
        "import",
        file.to_str().unwrap(),
        "--tag",
        "big",
    ])
    .ok();
    let took = started.elapsed();

    let (mut before_write, mut mid_import, mut after_commit) = (0, 0, 0);
    let mut seed: u64 = 0x5eed_1234_abcd_0002;
    for round in 0..7 {
        // Each round its own tag: a complete import stays, and the next starts from nothing.
        let tag = format!("big{round}");
        let mut child = import(&tag);
        let open_at_kill = if round < 6 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // The moment of this kill (not a wait for anything): somewhere in an import's time.
            let at = Duration::from_micros((seed >> 33) % (took.as_micros() as u64).max(1));
            std::thread::sleep(at);
            library_write_open(&library)
        } else {
            // The last kill waits until the import's transaction is open.
            crate::util::eventually("the import's write transaction to open", || {
                library_write_open(&library).then_some(true)
            })
        };
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let n = a
            .run(&["library", "list", "--tag", &tag])
            .stdout
            .lines()
            .count();
        assert!(n == 0 || n == N, "after kill {round}: {n} entries");
        match (n, open_at_kill) {
            (0, true) => mid_import += 1,
            (0, false) => before_write += 1,
            _ => after_commit += 1,
        }
        let keep = a
            .run(&["library", "list", "--tag", "keep", "--json"])
            .ok()
            .stdout;
        assert_eq!(keep, before);
    }
    eprintln!(
        "library import ({took:?} uninterrupted): of 7 kills, {mid_import} landed mid-import, \
         {before_write} before it wrote, {after_commit} after it committed"
    );
    assert!(
        mid_import >= 1,
        "no kill landed mid-import; the test would prove little"
    );
    // A rerun completes.
    a.run(&["library", "import", file.to_str().unwrap(), "--tag", "big"])
        .ok();
    assert_eq!(
        a.run(&["library", "list", "--tag", "big"])
            .ok()
            .stdout
            .lines()
            .count(),
        N
    );
}

/// Two tags that would both pick the same papers: each paper is mailed once, under one tag.
#[test]
fn a_paper_two_tags_would_pick_is_mailed_under_one() {
    let a = topical_archive();
    for tag in ["recsys", "recsys-too"] {
        let mut args = vec!["library", "add", "--tag", tag];
        let saved: Vec<String> = (0..4).map(|n| topical_id(0, 0, n)).collect();
        args.extend(saved.iter().map(String::as_str));
        a.run(&args).ok();
    }
    let out = a
        .run(&[
            "digest",
            "--to",
            "reader@example.org",
            "--dry-run",
            "--limit",
            "3",
        ])
        .ok();
    let links: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("https://arxiv.org/abs/"))
        .collect();
    assert!(!links.is_empty(), "{}", out.stdout);
    let unique: std::collections::BTreeSet<&&str> = links.iter().collect();
    assert_eq!(unique.len(), links.len(), "{}", out.stdout);
}

/// A one-paper tag beside a tag of eight: the small one is still learning, and it takes at most
/// its share of the all-tags list, however high its scores run.
#[test]
fn a_tag_still_learning_cannot_take_over_the_all_tags_list() {
    let a = topical_archive();
    let mut big = vec!["library", "add", "--tag", "focused"];
    let saved: Vec<String> = (0..2)
        .flat_map(|d| (0..4).map(move |n| topical_id(d, 0, n)))
        .collect();
    big.extend(saved.iter().map(String::as_str));
    a.run(&big).ok();
    let one = topical_id(0, 1, 0);
    a.run(&["library", "add", "--tag", "small", &one]).ok();
    let out = a.run(&["recommend", "--json", "--limit", "8"]).ok();
    let recs = lines(&out.stdout);
    let small: Vec<&serde_json::Value> = recs.iter().filter(|r| r["tag"] == "small").collect();
    assert!(!small.is_empty(), "{}", out.stdout);
    assert!(
        small.len() <= 4,
        "{} of 8 for the one-paper tag: {}",
        small.len(),
        out.stdout
    );
    assert!(
        small.iter().all(|r| r["still_learning"] == true),
        "{}",
        out.stdout
    );
    assert!(
        recs.iter()
            .filter(|r| r["tag"] == "focused")
            .all(|r| r["still_learning"] == false),
        "{}",
        out.stdout
    );
    // Alone, it has the whole list.
    let alone = lines(
        &a.run(&["recommend", "--json", "--limit", "8", "--tag", "small"])
            .ok()
            .stdout,
    );
    assert!(alone.len() > small.len(), "{alone:?}");
}
