//! The library in the web reader: save and "not for me" as POST forms, the guard (token,
//! origin, method, size, the server's own token), the library's pages and feed, visits, and
//! readers while a writer saves.

use std::time::Duration;

use crate::library::{topical_archive, topical_id};
use crate::serve::{Served, serve, serve_with};

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn get(s: &Served, path: &str) -> (u16, String) {
    let r = client()
        .get(format!("{}{}", s.base, path.trim_start_matches('/')))
        .send()
        .unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// The form token a page carries.
fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a token")
        + 19;
    page[at..at + 64].to_string()
}

fn host(s: &Served) -> String {
    s.base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// A POST of a form as the page's own (same origin) unless `headers` say otherwise.
fn post(
    s: &Served,
    path: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let mut req = client()
        .post(format!("{}{}", s.base, path.trim_start_matches('/')))
        .form(form);
    let origin = format!("http://{}", host(s));
    let mut same = vec![
        ("origin", origin.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    for (k, v) in headers {
        same.retain(|(x, _)| x != k);
        same.push((k, v));
    }
    for (k, v) in same {
        if !v.is_empty() {
            req = req.header(k, v);
        }
    }
    req.send().unwrap()
}

fn listed(a: &crate::util::TestArchive) -> String {
    a.run(&["library", "list"]).stdout
}

#[test]
fn writes_are_post_forms_with_the_token_from_this_origin_and_change_nothing_otherwise() {
    let a = topical_archive();
    let s = serve(&a);
    let (status, library) = get(&s, "/library");
    assert_eq!(status, 200);
    assert!(library.contains("No tags yet"), "{library}");
    let (status, day) = get(&s, "/day/2026-03-05?view=all");
    assert_eq!(status, 200);
    let token = csrf(&day);
    assert!(day.contains("action=\"/library/save\""), "{day}");
    let id = topical_id(3, 0, 0);
    let form = |t: &str| {
        vec![
            ("csrf", t.to_string()),
            ("id", id.clone()),
            ("new_tag", "recsys".to_string()),
            ("back", "/day/2026-03-05?view=all".to_string()),
        ]
    };
    let as_refs = |f: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { f.clone() };
    let send = |f: Vec<(&'static str, String)>, h: &[(&str, &str)]| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post(&s, "/library/save", &pairs, h).status().as_u16()
    };
    // Without the token, with a wrong one, cross-site, from another origin: 403, nothing saved.
    assert_eq!(send(as_refs(&form("")), &[]), 403);
    assert_eq!(send(as_refs(&form(&"0".repeat(64))), &[]), 403);
    assert_eq!(
        send(as_refs(&form(&token)), &[("sec-fetch-site", "cross-site")]),
        403
    );
    assert_eq!(
        send(
            as_refs(&form(&token)),
            &[("origin", "http://evil.example"), ("sec-fetch-site", "")]
        ),
        403
    );
    assert_eq!(
        send(
            as_refs(&form(&token)),
            &[("origin", "null"), ("sec-fetch-site", "")]
        ),
        403
    );
    // A GET of a write route: 403, nothing saved.
    let (status, _) = get(
        &s,
        &format!("/library/save?csrf={token}&id={id}&new_tag=recsys"),
    );
    assert_eq!(status, 403);
    // A body over the cap.
    let big = "x".repeat(10_000);
    let pairs = [
        ("csrf", token.as_str()),
        ("id", id.as_str()),
        ("new_tag", big.as_str()),
    ];
    assert_eq!(
        post(&s, "/library/save", &pairs, &[]).status().as_u16(),
        413
    );
    assert_eq!(listed(&a), "", "nothing may be saved by a refused request");
    // A bad tag says the rule.
    let pairs = [
        ("csrf", token.as_str()),
        ("id", id.as_str()),
        ("new_tag", "no spaces"),
    ];
    let r = post(&s, "/library/save", &pairs, &[]);
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().unwrap().contains("1 to 40 letters"));
    // The page's own form: saved, and back to the page.
    let r = post(
        &s,
        "/library/save",
        &[
            ("csrf", token.as_str()),
            ("id", id.as_str()),
            ("new_tag", "recsys"),
            ("back", "/day/2026-03-05?view=all"),
        ],
        &[],
    );
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/day/2026-03-05?view=all#saved-{id}").as_str()
    );
    assert!(
        listed(&a).contains(&format!("{id}\trecsys\tsaved")),
        "{}",
        listed(&a)
    );
    // An off-site `back` is refused, and nothing saved; without one, the tag's page.
    let other = topical_id(2, 0, 1);
    let save_other = |back: &str| {
        post(
            &s,
            "/library/save",
            &[
                ("csrf", token.as_str()),
                ("id", other.as_str()),
                ("tag", "recsys"),
                ("back", back),
            ],
            &[],
        )
    };
    assert_eq!(save_other("//evil.example/").status().as_u16(), 400);
    assert!(!listed(&a).contains(&other));
    assert_eq!(save_other("").headers()["location"], "/library/recsys");
    // Not for me.
    let speech = topical_id(3, 1, 2);
    let r = post(
        &s,
        "/library/dismiss",
        &[
            ("csrf", token.as_str()),
            ("id", speech.as_str()),
            ("tag", "recsys"),
        ],
        &[],
    );
    assert_eq!(r.status().as_u16(), 303);
    assert!(listed(&a).contains(&format!("{speech}\trecsys\tdismissed")));
    // The pages: the tag, its recommendations with their words, the feed.
    let (status, tag) = get(&s, "/library/recsys");
    assert_eq!(status, 200);
    assert!(tag.contains(&id) && tag.contains("Remove"), "{tag}");
    let (status, recs) = get(&s, "/recommend?tag=recsys");
    assert_eq!(status, 200, "{recs}");
    assert!(recs.contains("p class=\"why\""), "{recs}");
    assert!(
        !recs.contains(&format!("/paper/{speech}\"")),
        "a dismissed paper is not recommended"
    );
    assert!(
        recs.contains(&format!("/paper/{}", topical_id(3, 0, 1))),
        "{recs}"
    );
    let r = client()
        .get(format!("{}feeds/recommend/recsys.atom", s.base))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let feed = atom_syndication::Feed::read_from(&r.bytes().unwrap()[..]).unwrap();
    assert!(!feed.entries().is_empty());
    let (status, _) = get(&s, "/recommend?tag=nosuchtag");
    assert_eq!(status, 404);
    // Remove.
    let r = post(
        &s,
        "/library/remove",
        &[
            ("csrf", token.as_str()),
            ("id", other.as_str()),
            ("tag", "recsys"),
        ],
        &[],
    );
    assert_eq!(r.status().as_u16(), 303);
    assert!(!listed(&a).contains(&other));
}

/// The page's "Mark as seen" form, as a browser sends it: its own fields and token.
fn mark_seen(s: &Served, page: &str) -> reqwest::blocking::Response {
    let field = |name: &str| {
        let form = &page[page
            .find("action=\"/library/seen\"")
            .expect("a mark-as-seen form")..];
        let at = form
            .find(&format!("name=\"{name}\" value=\""))
            .unwrap_or_else(|| panic!("field {name}"))
            + name.len()
            + 15;
        form[at..at + form[at..].find('"').unwrap()].replace("&amp;", "&")
    };
    let (token, day, profile, back) =
        (field("csrf"), field("day"), field("profile"), field("back"));
    post(
        s,
        "/library/seen",
        &[
            ("csrf", &token),
            ("day", &day),
            ("profile", &profile),
            ("back", &back),
        ],
        &[],
    )
}

#[test]
fn the_day_page_marks_what_is_new_since_the_last_visit() {
    let a = topical_archive();
    let s = serve(&a);
    let (_, first) = get(&s, "/day/2026-03-03?view=all");
    assert!(
        !first.contains("new since your last visit"),
        "the first visit marks nothing"
    );
    assert_eq!(mark_seen(&s, &first).status().as_u16(), 303);
    let (_, later) = get(&s, "/day/2026-03-05?view=all");
    assert!(
        later.contains("16 new since your last visit (2026-03-03)"),
        "{later}"
    );
    // Reloading shows the same marks; only the new ones on request.
    let (_, again) = get(&s, "/day/2026-03-05?view=all");
    assert!(again.contains("16 new since your last visit (2026-03-03)"));
    let (_, only) = get(&s, "/day/2026-03-05?view=all&new=1");
    assert_eq!(only.matches("span class=\"new\"").count(), 16);
    // The report view counts the new papers it shows, not those of everything listed.
    let (_, report) = get(&s, "/day/2026-03-05");
    let shown = report.matches("span class=\"new\"").count();
    assert!(shown < 16, "{report}");
    assert!(
        report.contains(&format!("{shown} new since your last visit (2026-03-03)")),
        "{report}"
    );
    // Marked as seen, the day keeps its marks (new since the day seen before it); an older
    // day's form says it is seen already.
    assert_eq!(mark_seen(&s, &again).status().as_u16(), 303);
    let (_, seen) = get(&s, "/day/2026-03-05?view=all");
    assert!(
        seen.contains("16 new since your last visit (2026-03-03)"),
        "{seen}"
    );
    assert!(seen.contains("Marked as seen") && !seen.contains("action=\"/library/seen\""));
    let (_, older) = get(&s, "/day/2026-03-04?view=all");
    assert!(older.contains("Marked as seen"), "{older}");
}

#[test]
fn with_a_token_every_write_needs_its_login() {
    let a = topical_archive();
    let s = serve_with(&a, &["--token", "s3cret-token"]);
    let (_, day) = get(&s, "/day/2026-03-05?view=all");
    let token = csrf(&day);
    let id = topical_id(3, 0, 0);
    let save = [
        ("csrf", token.as_str()),
        ("id", id.as_str()),
        ("new_tag", "t"),
    ];
    let r = post(&s, "/library/save", &save, &[]);
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().unwrap().contains("Log in"));
    let r = post(
        &s,
        "/login",
        &[("csrf", token.as_str()), ("token", "wrong")],
        &[],
    );
    assert_eq!(r.status().as_u16(), 403);
    let r = post(
        &s,
        "/login",
        &[("csrf", token.as_str()), ("token", "s3cret-token")],
        &[],
    );
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        !cookie.contains("s3cret"),
        "the cookie is not the token itself"
    );
    assert_eq!(listed(&a), "");
    let r = post(&s, "/library/save", &save, &[("cookie", cookie.as_str())]);
    assert_eq!(r.status().as_u16(), 303);
    assert!(listed(&a).contains(&id));
}

#[test]
fn sixteen_readers_while_a_writer_saves_two_hundred_papers() {
    let a = topical_archive();
    let s = serve(&a);
    let (_, day) = get(&s, "/day/2026-03-05?view=all");
    let token = csrf(&day);
    let done = std::sync::atomic::AtomicBool::new(false);
    let ids: Vec<String> = (0..4)
        .flat_map(|d| (0..4).flat_map(move |t| (0..4).map(move |n| topical_id(d, t, n))))
        .collect();
    let failures = std::sync::Mutex::new(Vec::new());
    let reads = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for r in 0..16 {
            let (s, done, failures, reads) = (&s, &done, &failures, &reads);
            scope.spawn(move || {
                let pages = [
                    "/library",
                    "/day/2026-03-04?view=all",
                    "/recommend",
                    "/library/t0",
                    "/search?q=speech",
                ];
                // Bounded: at most 400 requests a reader.
                for i in r..r + 400 {
                    if done.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let page = pages[i % pages.len()];
                    let (status, body) = get(s, page);
                    reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    // A tag page may be asked before its tag exists.
                    if status != 200 && !(status == 404 && page == "/library/t0") {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{page}: {status} {body}"));
                    }
                }
            });
        }
        let (s, done, failures, token, ids) = (&s, &done, &failures, &token, &ids);
        scope.spawn(move || {
            for k in 0..200 {
                let tag = format!("t{}", k / 64);
                let id = &ids[k % 64];
                let r = post(
                    s,
                    "/library/save",
                    &[("csrf", token), ("id", id), ("new_tag", &tag)],
                    &[],
                );
                if r.status().as_u16() != 303 {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("save {k}: {}", r.status()));
                }
            }
            done.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(listed(&a).lines().count(), 200);
    eprintln!("{} reads while 200 saves ran", reads.into_inner());
}

/// DNS rebinding: another name resolving to 127.0.0.1 is a page of its own origin to the browser,
/// with a matching Origin and `Sec-Fetch-Site: same-origin`; the server answers it nothing, and
/// saves nothing.
#[test]
fn a_rebound_host_gets_no_form_token_and_saves_nothing() {
    let a = topical_archive();
    let s = serve(&a);
    let (_, day) = get(&s, "/day/2026-03-05?view=all");
    let token = csrf(&day);
    let port = host(&s).rsplit(':').next().unwrap().to_string();
    let evil = format!("rebind.evil.example:{port}");
    let r = client()
        .get(format!("{}day/2026-03-05?view=all", s.base))
        .header("host", &evil)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 421);
    assert!(!r.text().unwrap().contains(&token), "no form token");
    let id = topical_id(3, 0, 0);
    let r = post(
        &s,
        "/library/save",
        &[("csrf", &token), ("id", &id), ("new_tag", "recsys")],
        &[
            ("host", &evil),
            ("origin", &format!("http://{evil}")),
            ("sec-fetch-site", "same-origin"),
        ],
    );
    assert_eq!(r.status().as_u16(), 421);
    assert_eq!(listed(&a), "", "nothing saved");
}

/// Nothing changes on a GET: a day page (which another site can load as an image) records no
/// visit; the page's "mark as seen" form does, through the write guard.
#[test]
fn a_get_of_a_day_page_changes_nothing_and_mark_as_seen_is_a_guarded_post() {
    let a = topical_archive();
    let s = serve(&a);
    let library = a.data().join("library.sqlite3");
    let (_, first) = get(&s, "/day/2026-03-03?view=all");
    let (_, later) = get(&s, "/day/2026-03-05?view=all");
    assert!(
        !later.contains("new since your last visit"),
        "a GET recorded a visit: {later}"
    );
    assert!(!library.exists(), "a GET created the library");
    // The form, and its guard: a GET, another site, no token change nothing.
    assert!(first.contains("action=\"/library/seen\""), "{first}");
    let token = csrf(&first);
    let seen = |t: &str| {
        vec![
            ("csrf", t.to_string()),
            ("day", "2026-03-03".to_string()),
            ("profile", "default".to_string()),
            (
                "back",
                "/day/2026-03-03?profile=default&view=all".to_string(),
            ),
        ]
    };
    let send = |f: Vec<(&'static str, String)>, h: &[(&str, &str)]| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post(&s, "/library/seen", &pairs, h)
    };
    assert_eq!(
        get(&s, "/library/seen?day=2026-03-03&profile=default").0,
        403
    );
    assert_eq!(
        send(seen(&token), &[("sec-fetch-site", "cross-site")])
            .status()
            .as_u16(),
        403
    );
    assert_eq!(send(seen(""), &[]).status().as_u16(), 403);
    let (_, later) = get(&s, "/day/2026-03-05?view=all");
    assert!(!later.contains("new since your last visit"), "{later}");
    // The page's own form: recorded, and back to the page.
    let r = send(seen(&token), &[]);
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"],
        "/day/2026-03-03?profile=default&view=all"
    );
    let (_, later) = get(&s, "/day/2026-03-05?view=all");
    assert!(
        later.contains("16 new since your last visit (2026-03-03)"),
        "{later}"
    );
    // A day that is not in the archive, or an unknown profile: nothing recorded.
    let mut bad = seen(&token);
    bad[1].1 = "2025-01-01".into();
    assert_eq!(send(bad, &[]).status().as_u16(), 404);
    let mut bad = seen(&token);
    bad[2].1 = "nobody".into();
    assert_eq!(send(bad, &[]).status().as_u16(), 404);
}

/// `back` is where a form returns: only a path of this site (one leading `/`, visible ASCII, no
/// backslash), checked before anything is written. `/\t/evil.example` is read by browsers as
/// `//evil.example`, and a CR or LF cannot be sent in a header (it was a 500 after the save).
#[test]
fn a_forms_back_must_be_a_path_of_this_site_and_is_checked_before_the_write() {
    let a = topical_archive();
    let s = serve(&a);
    let (_, day) = get(&s, "/day/2026-03-05?view=all");
    let token = csrf(&day);
    let id = topical_id(3, 0, 0);
    for back in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=y",
        "/\x7f",
        "//evil.example/",
        "/\\evil.example",
        "\\/evil.example",
        "https://evil.example/",
        "evil.example",
        "/a b",
        "/\u{a0}x",
    ] {
        for route in ["/library/save", "/library/dismiss", "/library/remove"] {
            let r = post(
                &s,
                route,
                &[
                    ("csrf", &token),
                    ("id", &id),
                    ("new_tag", "recsys"),
                    ("tag", "recsys"),
                    ("back", back),
                ],
                &[],
            );
            assert_eq!(r.status().as_u16(), 400, "{route} {back:?}");
            assert!(r.headers().get("location").is_none());
            assert!(r.text().unwrap().contains("back"), "{back:?}: says why");
        }
        let r = post(&s, "/login", &[("csrf", &token), ("back", back)], &[]);
        assert_eq!(r.status().as_u16(), 400, "/login {back:?}");
        assert_eq!(listed(&a), "", "{back:?}: nothing saved");
    }
    // A path of this site, and an empty one (the tag's page).
    let r = post(
        &s,
        "/library/save",
        &[
            ("csrf", &token),
            ("id", &id),
            ("new_tag", "recsys"),
            ("back", "/search?q=a%20b#p-1"),
        ],
        &[],
    );
    assert_eq!(r.status().as_u16(), 303);
    // Back at the paper, at its confirmation (the form's own fragment gives way).
    assert_eq!(
        r.headers()["location"],
        format!("/search?q=a%20b#saved-{id}").as_str()
    );
    let r = post(
        &s,
        "/library/dismiss",
        &[
            ("csrf", &token),
            ("id", &id),
            ("tag", "recsys"),
            ("back", ""),
        ],
        &[],
    );
    assert_eq!(r.headers()["location"], "/library/recsys");
}

/// `/login` is under the same 4 KiB cap as every write, and checks its `back` first.
#[test]
fn a_login_body_is_capped_and_its_back_checked() {
    let a = topical_archive();
    let s = serve_with(&a, &["--token", "s3cret-token"]);
    let (_, page) = get(&s, "/login");
    let token = csrf(&page);
    let big = "x".repeat(10_000);
    let r = post(&s, "/login", &[("csrf", &token), ("token", &big)], &[]);
    assert_eq!(r.status().as_u16(), 413);
    let r = post(
        &s,
        "/login",
        &[
            ("csrf", &token),
            ("token", "s3cret-token"),
            ("back", "/\t/evil.example"),
        ],
        &[],
    );
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers().get("set-cookie").is_none());
}

/// The library and the server's secret are the reader's alone: created readable by their owner
/// only, whoever creates them (the server's first save, the CLI).
#[cfg(unix)]
#[test]
fn the_library_and_the_secret_are_created_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let a = topical_archive();
    let library = a.data().join("library.sqlite3");
    {
        let s = serve(&a);
        let (_, day) = get(&s, "/day/2026-03-05?view=all");
        let token = csrf(&day);
        let id = topical_id(3, 0, 0);
        let r = post(
            &s,
            "/library/save",
            &[("csrf", &token), ("id", &id), ("new_tag", "recsys")],
            &[],
        );
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(mode(&a.data().join("serve-secret")), 0o600);
        assert_eq!(mode(&library), 0o600);
        // SQLite gives its journal files the database's mode.
        for side in ["library.sqlite3-wal", "library.sqlite3-shm"] {
            let p = a.data().join(side);
            if p.exists() {
                assert_eq!(mode(&p), 0o600, "{side}");
            }
        }
    }
    std::fs::remove_file(&library).unwrap();
    for side in ["library.sqlite3-wal", "library.sqlite3-shm"] {
        let _ = std::fs::remove_file(a.data().join(side));
    }
    a.run(&["library", "add", "--tag", "t", &topical_id(3, 0, 1)])
        .ok();
    assert_eq!(mode(&library), 0o600);
}

/// Tags are matched without regard to case and keep the spelling they were first written in:
/// `RecSys` then `recsys` is one tag, `RecSys`.
#[test]
fn tags_differing_only_in_case_are_one_tag() {
    let a = topical_archive();
    let s = serve(&a);
    let (_, day) = get(&s, "/day/2026-03-05?view=all");
    let token = csrf(&day);
    let (one, two) = (topical_id(3, 0, 0), topical_id(3, 0, 1));
    for (id, tag) in [(&one, "RecSys"), (&two, "recsys")] {
        let r = post(
            &s,
            "/library/save",
            &[("csrf", &token), ("id", id), ("new_tag", tag)],
            &[],
        );
        assert_eq!(r.status().as_u16(), 303);
    }
    let tags = a.run(&["library", "tags"]).ok().stdout;
    assert_eq!(tags.lines().count(), 1, "{tags}");
    assert!(tags.starts_with("RecSys\t2 saved"), "{tags}");
    let (status, page) = get(&s, "/library/RECSYS");
    assert_eq!(status, 200);
    assert!(page.contains(&one) && page.contains(&two), "{page}");
    assert!(page.contains("Tag RecSys"), "{page}");
    assert_eq!(get(&s, "/recommend?tag=recsys").0, 200);
    let listed = a.run(&["library", "list", "--tag", "RECSYS"]).ok().stdout;
    assert_eq!(listed.lines().count(), 2, "{listed}");
    a.run(&["library", "remove", "--tag", "recSYS", &one]).ok();
    assert_eq!(a.run(&["library", "list"]).ok().stdout.lines().count(), 1);
}

/// A range that ends before it starts is the reader's to fix: 400 with the reason, not a 500.
#[test]
fn recommend_from_after_to_is_a_bad_request() {
    let a = topical_archive();
    let s = serve(&a);
    let (status, body) = get(&s, "/recommend?from=2026-03-05&to=2026-03-03");
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("2026-03-05 is after") && body.contains("2026-03-03"),
        "{body}"
    );
    // Only `from`, after the newest day (the default end).
    let (status, body) = get(&s, "/recommend?from=2026-04-01");
    assert_eq!(status, 400, "{body}");
}

#[test]
fn a_new_interest_described_on_the_library_page_gets_recommendations() {
    let a = topical_archive();
    let s = serve(&a);
    let (status, library) = get(&s, "/library");
    assert_eq!(status, 200);
    assert!(
        library.contains("action=\"/library/describe\""),
        "{library}"
    );
    let token = csrf(&library);
    let describe = |tag: &str, text: &str, csrf: &str| {
        post(
            &s,
            "/library/describe",
            &[
                ("csrf", csrf),
                ("tag", tag),
                ("description", text),
                ("back", "/library"),
            ],
            &[],
        )
    };
    // Without the form's token nothing is written.
    assert_eq!(
        describe("law", "court decisions", "").status().as_u16(),
        403
    );
    // A bad tag or too long a text: 400, and nothing written.
    assert_eq!(describe("no tag", "x", &token).status().as_u16(), 400);
    let long = "legal ".repeat(200);
    let r = describe("law", &long, &token);
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().unwrap().contains("1000 characters"));
    assert!(a.run(&["library", "tags"]).stdout.is_empty());
    let r = describe(
        "law",
        "court decisions, case law and the statutory interpretation of legal documents",
        &token,
    );
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/library");
    let (_, library) = get(&s, "/library");
    assert!(library.contains("statutory interpretation"), "{library}");
    let (status, tag) = get(&s, "/library/law");
    assert_eq!(status, 200);
    assert!(tag.contains("class=\"description\""), "{tag}");
    assert!(tag.contains("Change the description"), "{tag}");
    // Before any saved paper, the newest day's legal papers come first.
    let (status, page) = get(&s, "/recommend?tag=law");
    assert_eq!(status, 200);
    let first = page.find("/paper/2603.").expect("a recommended paper");
    assert!(
        page[first..].starts_with("/paper/2603.0032"),
        "{}",
        &page[first..first + 40]
    );
    // A GET of the address changes nothing.
    assert_eq!(get(&s, "/library/describe").0, 403);
}

#[test]
fn a_library_an_older_version_made_is_upgraded_when_the_server_starts() {
    let a = topical_archive();
    // The library as the first version wrote it (migration 1 only).
    let conn = rusqlite::Connection::open(a.data().join("library.sqlite3")).unwrap();
    conn.execute_batch(include_str!("../../src/library/schema.sql"))
        .unwrap();
    conn.execute_batch(
        "INSERT INTO tags (name, created) VALUES ('old-tag', '2026-01-01T00:00:00Z');
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    let s = serve(&a);
    let (status, body) = get(&s, "/library");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("old-tag"), "{body}");
    let (status, body) = get(&s, "/day/2026-03-05");
    assert_eq!(status, 200, "{body}");
}
