//! The web reader's router called in process (`tower::ServiceExt::oneshot`: no socket, no
//! server process), beside the HTTP tests of `serve.rs` and `web_library.rs`: the write guard
//! (a POST without the form's token or from another origin is refused, a GET of a write route
//! is refused, and neither changes the library) and two pages, home and search.

use arxiv_daily::archive::Location;
use arxiv_daily::library::Library;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use crate::util::TestArchive;

fn router(a: &TestArchive) -> Router {
    arxiv_daily::serve::router_for_tests(&Location {
        dir: a.data(),
        config: None,
        library: None,
    })
    .unwrap()
}

/// The status, headers and body of one request.
async fn send(app: &Router, req: Request<Body>) -> (StatusCode, header::HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

async fn get(app: &Router, uri: &str) -> (StatusCode, header::HeaderMap, String) {
    let req = Request::get(uri)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    send(app, req).await
}

/// A POST of a form, with `headers` (none: no Origin, no Sec-Fetch-Site).
async fn post(app: &Router, uri: &str, form: &str, headers: &[(&str, &str)]) -> StatusCode {
    let mut req = Request::post(uri)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(app, req.body(Body::from(form.to_string())).unwrap())
        .await
        .0
}

/// The form token a page carries.
fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a token")
        + 19;
    page[at..at + 64].to_string()
}

/// What the library holds: its tags, its entries and its version (every change of them bumps
/// it); empty while there is no library file.
fn library(a: &TestArchive) -> (Vec<String>, Vec<(String, String)>, i64) {
    match Library::open_read_only(&a.data().join("library.sqlite3")).unwrap() {
        None => Default::default(),
        Some(lib) => (
            lib.tags().unwrap().into_iter().map(|t| t.tag).collect(),
            lib.entries(None)
                .unwrap()
                .into_iter()
                .map(|e| (e.tag, e.id))
                .collect(),
            lib.version().unwrap(),
        ),
    }
}

#[tokio::test]
async fn the_home_and_search_pages_answer_in_process() {
    let a = crate::serve::archive();
    let app = router(&a);
    let (status, headers, home) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK, "{home}");
    assert!(home.contains("default"), "{home}");
    assert!(
        home.contains("action=\"/search\""),
        "the search box: {home}"
    );
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let (status, _, search) = get(&app, "/search?q=rerankers").await;
    assert_eq!(status, StatusCode::OK, "{search}");
    assert!(
        search.contains("LLM rerankers for sparse and dense retrieval"),
        "{search}"
    );
    assert!(search.contains("hold all your words"), "{search}");
    // Text from the archive is escaped on the search page too.
    let (status, _, hostile) = get(&app, "/search?q=alpha").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!hostile.contains("<script>alert(1)"), "{hostile}");
    // A malformed query is the reader's to fix: 400, never a 500.
    assert_eq!(
        get(&app, "/search?q=title:(").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_write_guard_refuses_what_is_not_a_form_of_this_site_and_a_get_never_writes() {
    let a = crate::serve::archive();
    let app = router(&a);
    let (_, _, day) = get(&app, "/day/2026-03-03?view=all").await;
    let token = csrf(&day);
    let before = library(&a);
    let form =
        |csrf: &str| format!("csrf={csrf}&id=2603.00010&new_tag=mine&back=%2Fday%2F2026-03-03");
    let same_origin = [
        ("origin", "http://localhost"),
        ("sec-fetch-site", "same-origin"),
    ];
    // Without the token, with a wrong one, with no Origin nor Sec-Fetch-Site and no token, from
    // another site or origin: 403, nothing changed.
    for (form, headers) in [
        (form(""), &same_origin[..]),
        (form(&"0".repeat(64)), &same_origin[..]),
        (form(""), &[][..]),
        (form(&token), &[("sec-fetch-site", "cross-site")][..]),
        (form(&token), &[("origin", "http://evil.example")][..]),
        (form(&token), &[("origin", "null")][..]),
    ] {
        let status = post(&app, "/library/save", &form, headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{form} {headers:?}");
        assert_eq!(
            library(&a),
            before,
            "{form} {headers:?} changed the library"
        );
    }
    // A GET of each write route, even with everything a form carries: 403, nothing changed.
    for route in ["/library/save", "/library/dismiss", "/library/remove"] {
        let uri = format!("{route}?{}", form(&token));
        let req = Request::get(&uri)
            .header(header::HOST, "localhost")
            .header("origin", "http://localhost")
            .header("sec-fetch-site", "same-origin")
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
        assert_eq!(library(&a), before, "GET {uri} changed the library");
    }
    // Reading pages changes no tag and no entry either.
    for uri in ["/", "/search?q=retrieval", "/library", "/api/stats"] {
        assert_eq!(get(&app, uri).await.0, StatusCode::OK, "{uri}");
        assert_eq!(library(&a), before, "GET {uri} changed the library");
    }
    // The page's own form, from this origin with its token, does save: the guard is not
    // refusing everything.
    let status = post(&app, "/library/save", &form(&token), &same_origin).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (tags, entries, _) = library(&a);
    assert_eq!(tags, ["mine"]);
    assert_eq!(entries, [("mine".to_string(), "2603.00010".to_string())]);
}

#[tokio::test]
async fn a_500_names_no_file_of_the_server() {
    let a = crate::serve::archive();
    // Not a SQLite file: reading the library fails with its path in the error.
    std::fs::write(a.data().join("library.sqlite3"), vec![b'x'; 4096]).unwrap();
    let app = router(&a);
    let folder = a.data().display().to_string();
    for uri in ["/library", "/recommend"] {
        let (status, _, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}: {body}");
        assert!(body.contains("Something went wrong"), "{uri}: {body}");
        for detail in [folder.as_str(), "library.sqlite3", "not a database", "/tmp"] {
            assert!(!body.contains(detail), "{uri} shows {detail:?}: {body}");
        }
    }
    // A request's own mistakes still say what they are.
    let (status, _, body) = get(&app, "/api/report/2026-13-45").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("not a valid date"), "{body}");
}
