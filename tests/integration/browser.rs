//! The web reader in a real headless Chromium (Debian's `chromium` and `chromium-driver`), driven
//! over WebDriver: open a day, expand an abstract, go to the previous day, search from the box,
//! page through results, open a hit, follow a similar paper, and no console errors on the way.
//! Skips, saying so, where no Chromium is installed (`.ci/run` installs it; under `CI=true` a
//! skip is a failure).
//!
//! Every step that leaves a page waits for the next one to have loaded (a condition, bounded by
//! `util::PATIENCE`), never for a time: a busy machine only makes the test slower.
//!
//! `ARXIV_DAILY_SCREENSHOTS=DIR` also writes screenshots of the day, search and paper pages.

use std::future::Future;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::fixtures::{Item, feed};
use crate::serve::serve;
use crate::util::{PATIENCE, TestArchive, skip, write};

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// chromedriver, started in a process group of its own, which the browser it starts and that
/// browser's helpers join. Dropping it kills the whole group: when the test ends, and when it
/// panics anywhere (unwinding drops it), so no Chromium outlives the test. (Chromium's crash
/// handlers start sessions of their own; they exit when the browser is gone.)
struct Driver(Child);

impl Driver {
    fn start(chromedriver: &std::path::Path, port: u16) -> Driver {
        Driver(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap(),
        )
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is chromedriver's pid (`process_group(0)`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `probe` until it gives a value; panics saying `what` was awaited after `PATIENCE`.
async fn until<T, F: Future<Output = Option<T>>>(what: &str, mut probe: impl FnMut() -> F) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}; it never came"
        );
        // The poll's pause; the condition ends the wait.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the page that was shown when `mark_page` ran has been replaced by another that
/// has loaded. (A new page can have the old one's URL: a form that comes back to its page.)
async fn next_page_loaded(c: &Client, what: &str) {
    until(what, || {
        let c = c.clone();
        async move {
            // While the browser swaps documents a script may fail: that is "not yet".
            let done = c
                .execute(
                    "return window.__left !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            matches!(done, Ok(serde_json::Value::Bool(true))).then_some(())
        }
    })
    .await;
}

/// Marks the current page, to tell it from the next (see `next_page_loaded`).
async fn mark_page(c: &Client) {
    c.execute("window.__left = true;", vec![]).await.unwrap();
}

/// Clicks `e`, which leads to another page, and waits for that page to have loaded.
async fn click_to_next_page(c: &Client, e: Element, what: &str) {
    mark_page(c).await;
    e.click().await.unwrap();
    next_page_loaded(c, what).await;
}

/// The element `css` selects, clicked, then the page it leads to, loaded.
async fn follow(c: &Client, css: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    click_to_next_page(c, e, &format!("the page after a click on {css}")).await;
}

/// Three days of 30 cs.IR papers each, all about retrieval (so a search has pages).
fn archive() -> TestArchive {
    let a = TestArchive::new();
    let topics = [
        "dense",
        "sparse",
        "generative",
        "multimodal",
        "conversational",
        "federated",
    ];
    let days = [
        "Mon, 02 Mar 2026 00:00:00 -0500",
        "Tue, 03 Mar 2026 00:00:00 -0500",
        "Wed, 04 Mar 2026 00:00:00 -0500",
    ];
    for (d, date) in days.iter().enumerate() {
        let ids: Vec<String> = (0..30)
            .map(|i| format!("2603.{:05}", d * 100 + i))
            .collect();
        let titles: Vec<String> = (0..30)
            .map(|i| {
                format!(
                    "{} retrieval with LLM rerankers, part {}",
                    topics[i % 6],
                    i + 1
                )
            })
            .collect();
        let abstracts: Vec<String> = (0..30)
            .map(|i| format!("We study {} retrieval for question answering over {} corpora with large language models.", topics[i % 6], topics[(i + d) % 6]))
            .collect();
        let items: Vec<Item<'_>> = (0..30)
            .map(|i| Item {
                id: &ids[i],
                version: 1,
                kind: if i % 5 == 4 { "cross" } else { "new" },
                title: &titles[i],
                abs: &abstracts[i],
                authors: "Ann Lee, Bo Chen",
                cats: &["cs.IR", "cs.CL"],
            })
            .collect();
        let path = a.scratch("feeds").join(format!("{d}.xml"));
        write(&path, &feed("cs.IR", date, &items));
        a.run(&["ingest", "--feed-file", path.to_str().unwrap()])
            .ok();
    }
    a
}

#[test]
fn a_reader_uses_the_site_in_a_real_browser() {
    let (Some(chromium), Some(chromedriver)) = (
        find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
        find(&["/usr/bin/chromedriver"]),
    ) else {
        skip(
            "no chromium/chromedriver (apt-get install chromium chromium-driver); the browser test runs in CI",
        );
        return;
    };
    let a = archive();
    let served = serve(&a);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Declared before the driver, so it is removed after the browser using it is killed.
    let profile = tempfile::tempdir().unwrap();
    let _driver = Driver::start(&chromedriver, port);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1100,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), serde_json::json!({ "browser": "ALL" }));
        // chromedriver takes a moment to listen: wait until it says it is ready.
        let status = format!("http://127.0.0.1:{port}/status");
        until("chromedriver to be ready", || {
            let status = status.clone();
            async move {
                let r = reqwest::get(&status).await.ok()?;
                let v: serde_json::Value = serde_json::from_str(&r.text().await.ok()?).ok()?;
                (v["value"]["ready"] == true).then_some(())
            }
        })
        .await;
        // WebDriver on loopback: plain HTTP, no TLS stack.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let c = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("cannot start a WebDriver session: {e}"));
        let b = &served.base;
        let shots = std::env::var_os("ARXIV_DAILY_SCREENSHOTS").map(PathBuf::from);
        let shot = |name: &'static str| {
            let c = c.clone();
            let shots = shots.clone();
            async move {
                if let Some(dir) = shots {
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
                }
            }
        };

        // A day: expand an abstract.
        c.goto(&format!("{b}day/2026-03-03")).await.unwrap();
        let details = c.find(Locator::Css("article.paper details")).await.unwrap();
        assert_eq!(details.attr("open").await.unwrap(), None);
        c.find(Locator::Css("article.paper details summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        until("the abstract to open", || {
            let details = details.clone();
            async move { details.attr("open").await.unwrap() }
        })
        .await;
        let abstract_text = c.find(Locator::Css("article.paper details p")).await.unwrap().text().await.unwrap();
        assert!(abstract_text.contains("We study"), "{abstract_text}");
        shot("day.png").await;

        // The previous day.
        follow(&c, "a[rel=prev]").await;
        assert!(c.current_url().await.unwrap().path().ends_with("/day/2026-03-02"));
        let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "Monday, 2 March 2026");

        // Search from the box in the header.
        let q = c.find(Locator::Css("header form input[name=q]")).await.unwrap();
        q.send_keys("retrieval").await.unwrap();
        follow(&c, "header form button").await;
        assert_eq!(c.current_url().await.unwrap().path(), "/search");
        let lede = c.find(Locator::Css("p.lede")).await.unwrap().text().await.unwrap();
        assert!(lede.starts_with("90 papers hold all your words; 1–25 shown"), "{lede}");
        shot("search.png").await;
        let first_page: Vec<String> = ids(&c).await;

        // Page through: 25 a page, four pages, no empty last page.
        let mut seen = first_page.clone();
        for page in 2..=4 {
            follow(&c, "a[rel=next]").await;
            let url = c.current_url().await.unwrap();
            assert!(url.query().unwrap().contains(&format!("page={page}")), "{url}");
            seen.extend(ids(&c).await);
        }
        assert!(c.find(Locator::Css("a[rel=next]")).await.is_err(), "page 4 is the last");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (90, 90), "pages never repeat or skip a paper");

        // Open a hit, then follow a similar paper.
        follow(&c, "ol.hits h3 a").await;
        let paper_url = c.current_url().await.unwrap();
        assert!(paper_url.path().starts_with("/paper/"), "{paper_url}");
        let cite = c.find(Locator::Css("pre.bibtex")).await.unwrap().text().await.unwrap();
        assert!(cite.starts_with("@misc{"), "{cite}");
        shot("paper.png").await;
        follow(&c, "ol.similar a").await;
        let next = c.current_url().await.unwrap();
        assert!(next.path().starts_with("/paper/") && next != paper_url, "{next}");

        // The library: save the 20th paper of a day page to a new tag, come back at that paper
        // with a confirmation, see it in /library, open the tag's recommendations, dismiss one.
        c.goto(&format!("{b}day/2026-03-04?view=all")).await.unwrap();
        let articles = c.find_all(Locator::Css("article.paper")).await.unwrap();
        let twentieth = &articles[19];
        let saved_id = twentieth.find(Locator::Css("a.id")).await.unwrap().text().await.unwrap();
        let saved_id = saved_id.trim_start_matches("arXiv:").to_string();
        twentieth
            .find(Locator::Css("form.save input[name=new_tag]"))
            .await
            .unwrap()
            .send_keys("mine")
            .await
            .unwrap();
        // One tag select and two buttons per card: Save, and Not for me (same form).
        assert_eq!(twentieth.find_all(Locator::Css("select")).await.unwrap().len(), 0, "no tag yet");
        let save = twentieth
            .find(Locator::Css("form.save button:not([formaction])"))
            .await
            .unwrap();
        click_to_next_page(&c, save, "the day page after saving a paper").await;
        let back = c.current_url().await.unwrap();
        let page = c.source().await.unwrap();
        assert_eq!(back.path(), "/day/2026-03-04", "the form comes back to the page: {page}");
        assert_eq!(back.fragment(), Some(format!("saved-{saved_id}").as_str()));
        let done = c.find(Locator::Id(&format!("saved-{saved_id}"))).await.unwrap();
        assert!(done.is_displayed().await.unwrap(), "the confirmation shows");
        assert_eq!(done.text().await.unwrap(), "Saved to mine.");
        // The page stands at that paper: its card is in view, well below the top of the page.
        let in_view = c
            .execute(
                "const r = document.getElementById(arguments[0]).getBoundingClientRect(); \
                 return window.scrollY > 1000 && r.top >= 0 && r.bottom <= window.innerHeight;",
                vec![serde_json::json!(format!("saved-{saved_id}"))],
            )
            .await
            .unwrap();
        assert_eq!(in_view, serde_json::json!(true), "the page came back at the saved paper");
        let others_done = c.find_all(Locator::Css("span.done")).await.unwrap();
        let mut shown = 0;
        for d in others_done {
            shown += usize::from(d.is_displayed().await.unwrap());
        }
        assert_eq!(shown, 1, "only the saved paper's card confirms");
        shot("day-saved.png").await;
        let tag = c.find(Locator::Css("article.paper a.tag")).await.unwrap().text().await.unwrap();
        assert_eq!(tag, "mine");
        c.goto(&format!("{b}library")).await.unwrap();
        let row = c.find(Locator::Css("table.library tbody tr")).await.unwrap().text().await.unwrap();
        assert!(row.starts_with("mine 1 0 never"), "{row}");
        let recommended_link = c.find(Locator::LinkText("Recommended")).await.unwrap();
        click_to_next_page(&c, recommended_link, "the recommendations").await;
        let url = c.current_url().await.unwrap();
        assert_eq!((url.path(), url.query()), ("/recommend", Some("tag=mine")));
        let recommended = ids_in(&c, "ol.hits article.paper a.id").await;
        assert!(!recommended.is_empty() && !recommended.contains(&saved_id), "{recommended:?}");
        let why = c.find(Locator::Css("p.why")).await.unwrap().text().await.unwrap();
        // One saved paper: the tag says it is still learning.
        assert!(why.starts_with("For mine (still learning): "), "{why}");
        shot("recommend.png").await;
        let card = c.find(Locator::Css("ol.hits article.paper")).await.unwrap();
        assert_eq!(card.find_all(Locator::Css("select")).await.unwrap().len(), 1, "one tag select per card");
        follow(&c, "ol.hits button[formaction='/library/dismiss']").await;
        assert_eq!(c.current_url().await.unwrap().path(), "/recommend");
        let after = ids_in(&c, "ol.hits article.paper a.id").await;
        assert!(!after.contains(&recommended[0]), "dismissed {}: {after:?}", recommended[0]);

        // A phone-width window reads the day page without sideways scrolling.
        c.set_window_size(390, 844).await.unwrap();
        c.goto(&format!("{b}day/2026-03-04?view=all")).await.unwrap();
        let overflow = c
            .execute("return document.documentElement.scrollWidth <= window.innerWidth + 1;", vec![])
            .await
            .unwrap();
        assert_eq!(overflow, serde_json::json!(true), "no horizontal scroll on a phone");
        shot("day-phone.png").await;

        // The same archive as a static site, read from the file system: home, a profile's days,
        // a day, the day before, everything listed; no server, no JavaScript on these pages.
        c.set_window_size(1100, 900).await.unwrap();
        let site = a.scratch("site");
        a.run(&["site", site.to_str().unwrap()]).ok();
        c.goto(&format!("file://{}/index.html", site.display())).await.unwrap();
        follow(&c, "table.reports td a").await;
        assert!(c.current_url().await.unwrap().path().ends_with("/default/index.html"));
        follow(&c, "table.reports tbody td a").await;
        let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "Wednesday, 4 March 2026");
        follow(&c, "a[rel=prev]").await;
        let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "Tuesday, 3 March 2026");
        follow(&c, "nav.tabs a").await;
        assert!(c.current_url().await.unwrap().path().ends_with("/default/2026-03-03/all.html"));
        assert_eq!(c.find_all(Locator::Css("article.paper")).await.unwrap().len(), 30);
        let scripts = c.find_all(Locator::Css("script")).await.unwrap().len();
        assert_eq!(scripts, 0, "a static day page needs no JavaScript");
        shot("site-day.png").await;

        // With Pagefind (where installed), its search page over HTTP finds the papers.
        match crate::site::pagefind() {
            None => skip("the static search part: Pagefind is not installed (npm install pagefind; ARXIV_DAILY_PAGEFIND)"),
            Some(pagefind) => {
                let searchable = a.scratch("site-search");
                a.cmd(&["site", searchable.to_str().unwrap(), "--search"])
                    .env("ARXIV_DAILY_PAGEFIND", &pagefind)
                    .output()
                    .unwrap();
                let files = crate::site::FileServer::start(&searchable);
                c.goto(&format!("{}search.html?q=multimodal", files.base)).await.unwrap();
                // Pagefind's script searches after the page has loaded: wait for its results.
                let hits = until("Pagefind to find the listed papers", || {
                    let c = c.clone();
                    async move {
                        let hits = c.find_all(Locator::Css(".pagefind-ui__result-link")).await.ok()?;
                        (!hits.is_empty()).then_some(hits)
                    }
                })
                .await;
                let href = hits[0].attr("href").await.unwrap().unwrap_or_default();
                assert!(href.contains("/all.html"), "{href}");
                shot("site-search.png").await;
                // Opened from a file, the page says how to search instead of failing in silence.
                let file = searchable.join("search.html");
                c.goto(&format!("file://{}?q=multimodal", file.display())).await.unwrap();
                let note = until("the search page to explain file://", || {
                    let c = c.clone();
                    async move {
                        let note = c.find(Locator::Css("#file-note")).await.ok()?;
                        note.is_displayed().await.ok()?.then_some(note)
                    }
                })
                .await;
                assert!(note.text().await.unwrap().contains("http.server"));
                let arxiv = c.find(Locator::Css("#file-arxiv")).await.unwrap();
                let href = arxiv.attr("href").await.unwrap().unwrap_or_default();
                assert!(href.ends_with("query=multimodal"), "{href}");
            }
        }

        // No console errors on any page visited.
        let session = c.session_id().await.unwrap().unwrap();
        let log = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/session/{session}/se/log"))
            .header("content-type", "application/json")
            .body(r#"{"type": "browser"}"#)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let log: serde_json::Value = serde_json::from_str(&log).unwrap();
        let errors: Vec<&serde_json::Value> = log["value"]
            .as_array()
            .map(|v| v.iter().filter(|e| e["level"] == "SEVERE").collect())
            .unwrap_or_default();
        assert!(errors.is_empty(), "console errors: {errors:?}");
        c.close().await.unwrap();
    });
}

/// The texts (arXiv ids, without the prefix) of the elements `css` selects.
async fn ids_in(c: &fantoccini::Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.unwrap() {
        out.push(
            e.text()
                .await
                .unwrap()
                .trim_start_matches("arXiv:")
                .to_string(),
        );
    }
    out
}

/// The arXiv ids of the hits on the current search page.
async fn ids(c: &fantoccini::Client) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css("ol.hits a.id")).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}
