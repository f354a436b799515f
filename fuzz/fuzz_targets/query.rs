//! The query parser never panics: a malformed query is an error, and a parsed one runs.
#![no_main]
use std::sync::OnceLock;

use arxiv_daily::index::SearchIndex;
use arxiv_daily::index::query::SearchRequest;
use libfuzzer_sys::fuzz_target;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let index = SearchIndex::open_or_create(dir.path()).unwrap();
            (dir, index)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    if let Ok(q) = std::str::from_utf8(data) {
        let req = SearchRequest { query: q.to_string(), limit: 3, ..SearchRequest::default() };
        let _ = index().search(&req);
    }
});
