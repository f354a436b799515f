//! Rendering a report: the original script's markdown and CSV byte for byte, a clean markdown
//! table that GitHub renders correctly, and JSON lines.

use super::Report;
use crate::config::Compat;
use crate::legacy_format::{self, header};
use crate::model::Day;
use crate::store::ShownPaper;

/// A report's original README.md, its text as the profile's `compat` asks
/// ([`Report::legacy_rows`]).
pub fn legacy_report_markdown(report: &Report, compat: Compat) -> String {
    legacy_markdown(report.day, &report.legacy_rows(compat))
}

/// A report's original papers.csv, its text as the profile's `compat` asks.
pub fn legacy_report_csv(report: &Report, compat: Compat) -> String {
    legacy_csv(&report.legacy_rows(compat))
}

/// The original README.md: no escaping at all, exactly as the script wrote it.
pub fn legacy_markdown(day: Day, rows: &[ShownPaper]) -> String {
    let mut out = header(day);
    for r in rows {
        out.push_str(&legacy_format::row(
            &r.title,
            &r.link,
            &r.abstract_text,
            &r.authors,
        ));
    }
    out
}

/// The original papers.csv (Python's csv writer: CRLF, minimal quoting).
pub fn legacy_csv(rows: &[ShownPaper]) -> String {
    legacy_format::csv(rows.iter().map(|r| {
        [
            r.title.as_str(),
            r.link.as_str(),
            r.abstract_text.as_str(),
            r.authors.as_str(),
        ]
    }))
}

/// One table cell that GitHub renders as intended: whitespace runs (newlines included) folded to
/// one space, pipes and backslashes before pipes escaped.
pub fn clean_cell(s: &str) -> String {
    let folded = s.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.replace('|', "\\|")
}

/// A valid GitHub table with the same columns.
pub fn clean_markdown(day: Day, rows: &[ShownPaper]) -> String {
    let mut out = header(day);
    for r in rows {
        out.push_str(&legacy_format::row_linking(
            &clean_cell(&r.title),
            &clean_cell(&r.link),
            &r.link.replace(' ', "%20").replace(')', "%29"),
            &clean_cell(&r.abstract_text),
            &clean_cell(&r.authors),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::legacy::parse_readme;

    fn paper(title: &str, abs: &str, authors: &str) -> ShownPaper {
        ShownPaper {
            id: "2604.00001".into(),
            sid: 1,
            version: None,
            title: title.into(),
            link: "https://arxiv.org/abs/2604.00001".into(),
            abstract_text: abs.into(),
            authors: authors.into(),
            categories: vec![],
            announce_type: None,
        }
    }

    #[test]
    fn legacy_markdown_round_trips_through_the_parser() {
        let day = Day::parse("2026-04-01").unwrap();
        let rows = vec![
            paper("LLM | TeX $x$", "a\n  b | c", "A, B"),
            paper("Q&amp;A", "", "C"),
        ];
        let md = legacy_markdown(day, &rows);
        let (d, parsed) = parse_readme(&md, "x", None).unwrap();
        assert_eq!(d, day);
        let again: Vec<ShownPaper> = parsed
            .iter()
            .map(|r| paper(&r.title, &r.abstract_text, &r.authors))
            .collect();
        assert_eq!(legacy_markdown(day, &again), md);
    }

    #[test]
    fn clean_markdown_escapes_pipes_and_folds_newlines() {
        let day = Day::parse("2026-04-01").unwrap();
        let md = clean_markdown(day, &[paper("A | B", "x\n  y | z", "C")]);
        assert!(md.ends_with("| A \\| B | [https://arxiv.org/abs/2604.00001](https://arxiv.org/abs/2604.00001) | x y \\| z | C |\n"), "{md}");
        // every row line has exactly 5 unescaped pipes
        for line in md.lines().skip(2) {
            let unescaped = line
                .match_indices('|')
                .filter(|(i, _)| *i == 0 || &line[i - 1..*i] != "\\")
                .count();
            assert_eq!(unescaped, 5, "{line}");
        }
    }

    #[test]
    fn csv_matches_python() {
        let csv = legacy_csv(&[paper("T, \"q\"", "two\nlines", "A")]);
        assert_eq!(
            csv,
            "Title,Link,Desc,author\r\n\"T, \"\"q\"\"\",https://arxiv.org/abs/2604.00001,\"two\nlines\",A\r\n"
        );
    }
}
