//! The legacy README parser never panics, and what it accepts renders back to the same bytes.
#![no_main]
use arxiv_daily::legacy_format::{TABLE_HEADER, TABLE_RULE, TITLE_PREFIX};
use arxiv_daily::source::legacy::parse_readme;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // Most inputs fail on the header; give the fuzzer a valid one half of the time.
    let text = if data.first().is_some_and(|b| b % 2 == 0) {
        format!("{TITLE_PREFIX}24-Sep-2025\n\n{TABLE_HEADER}\n{TABLE_RULE}\n{s}")
    } else {
        s.to_string()
    };
    if let Ok((day, rows)) = parse_readme(&text, "fuzz", None) {
        let mut back = format!("{TITLE_PREFIX}{}\n\n{TABLE_HEADER}\n{TABLE_RULE}\n", day.legacy());
        for r in &rows {
            back.push_str(&r.markdown());
        }
        assert_eq!(back, text, "render(parse(x)) != x");
    }
});
