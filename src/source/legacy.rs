//! Report folders written by the original "arXiv Daily Report" script: `DD-Mon-YYYY/README.md`
//! (a markdown table) and `papers.csv` beside it.
//!
//! The script wrote rows as `| {title} | [{link}]({link}) | {abstract} | {authors} |` without any
//! escaping, so an abstract may run over several lines and may hold ` | `. The rules used here:
//! a row starts on a line that begins with `| ` and holds ` | [L](L) | ` with the same http link L
//! twice; it runs until the next such line; it ends with ` |`; the authors are what follows the last
//! ` | ` (author lists hold no pipes). Where papers.csv is present and one of its rows renders to
//! exactly the row's text, its fields settle any ambiguity. Text is kept byte for byte.

use std::path::{Path, PathBuf};

use super::SourceError;
use crate::legacy_format::{self, TABLE_HEADER, TABLE_RULE, TITLE_PREFIX};
use crate::model::Day;

/// One row of a legacy report, exactly as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyRow {
    pub title: String,
    pub link: String,
    pub abstract_text: String,
    pub authors: String,
    /// 1-based line of README.md where the row starts.
    pub line: usize,
}

impl LegacyRow {
    /// The row as the script wrote it into README.md (with its final newline).
    pub fn markdown(&self) -> String {
        legacy_format::row(&self.title, &self.link, &self.abstract_text, &self.authors)
    }
}

/// One day folder, parsed.
#[derive(Debug, Clone)]
pub struct LegacyDay {
    pub day: Day,
    pub rows: Vec<LegacyRow>,
    /// The README.md this came from.
    pub path: PathBuf,
    /// Things worth telling the user that do not stop the import (README/CSV disagreements).
    pub warnings: Vec<String>,
}

/// Whether a folder name is a day as the original script named its folders (`24-Sep-2025`).
fn is_day_folder_name(name: &str) -> bool {
    name.len() == 11 && Day::parse(name).is_ok_and(|d| d.legacy() == name)
}

/// Finds the README.md files under each path: a folder of day folders (a report repository's
/// root, whose own README.md is its index and not a day), one day folder, or a file.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SourceError> {
    let mut found = Vec::new();
    for path in paths {
        let io = |error| SourceError::Io {
            path: path.display().to_string(),
            error,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_file() {
            found.push(path.clone());
            continue;
        }
        // The subfolders with a README.md, and those of them named as a day (DD-Mon-YYYY).
        let mut days = Vec::new();
        let mut dated = Vec::new();
        for entry in std::fs::read_dir(path).map_err(io)? {
            let entry = entry.map_err(io)?;
            let readme = entry.path().join("README.md");
            if readme.is_file() {
                let name = entry.file_name();
                if name.to_str().is_some_and(is_day_folder_name) {
                    dated.push(readme.clone());
                }
                days.push(readme);
            }
        }
        if !dated.is_empty() {
            // A report repository's root: its own README.md is the index, not a day.
            dated.sort();
            found.extend(dated);
        } else if path.join("README.md").is_file() {
            found.push(path.join("README.md"));
        } else {
            if days.is_empty() {
                return Err(SourceError::format(
                    path.display().to_string(),
                    "no report found: expected DD-Mon-YYYY/README.md folders, a day folder or a README.md",
                ));
            }
            days.sort();
            found.extend(days);
        }
    }
    Ok(found)
}

/// Reads a README.md and the papers.csv beside it, if any. README.md wins where they disagree.
pub fn read_day(readme: &Path) -> Result<LegacyDay, SourceError> {
    let location = readme.display().to_string();
    let bytes = std::fs::read(readme).map_err(|error| SourceError::Io {
        path: location.clone(),
        error,
    })?;
    let text = utf8(&bytes, &location)?;
    let csv_path = readme.with_file_name("papers.csv");
    let mut warnings = Vec::new();
    let csv_rows = match std::fs::read(&csv_path) {
        // A damaged papers.csv never costs the day: README.md is the report (it already wins
        // where the two disagree), so the day is imported from it alone, with a warning.
        Ok(bytes) => {
            let csv_location = csv_path.display().to_string();
            match utf8(&bytes, &csv_location).and_then(|text| parse_csv(text, &csv_location)) {
                Ok(rows) => Some((rows, csv_location)),
                Err(e) => {
                    warnings.push(format!(
                        "{e}; papers.csv ignored: the day is imported from README.md, and its CSV is the one the original script writes for README.md's rows"
                    ));
                    None
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(SourceError::Io {
                path: csv_path.display().to_string(),
                error,
            });
        }
    };
    let (day, rows) = parse_readme(
        text,
        &location,
        csv_rows.as_ref().map(|(r, _)| r.as_slice()),
    )?;
    if let Some(folder_day) = readme
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| Day::parse(n).ok())
        && folder_day != day
    {
        warnings.push(format!(
            "{location}: folder is dated {folder_day} but the report says {day}; using {day}"
        ));
    }
    if let Some((csv, csv_location)) = &csv_rows {
        if csv.len() != rows.len() {
            warnings.push(format!(
                "{csv_location}: {} rows but README.md has {}; README.md wins",
                csv.len(),
                rows.len()
            ));
        } else if let Some((i, _)) = csv
            .iter()
            .zip(&rows)
            .enumerate()
            .find(|(_, (c, r))| !row_equals(c, r))
        {
            warnings.push(format!(
                "{csv_location}: row {} differs from README.md line {}; README.md wins",
                i + 1,
                rows[i].line
            ));
        }
    }
    Ok(LegacyDay {
        day,
        rows,
        path: readme.to_path_buf(),
        warnings,
    })
}

fn row_equals(csv: &[String; 4], row: &LegacyRow) -> bool {
    csv[0] == row.title
        && csv[1] == row.link
        && csv[2] == row.abstract_text
        && csv[3] == row.authors
}

fn utf8<'a>(bytes: &'a [u8], location: &str) -> Result<&'a str, SourceError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        SourceError::format(format!("{location}:{line}"), "invalid UTF-8")
    })
}

/// Parses papers.csv into (Title, Link, Desc, author) rows.
pub fn parse_csv(text: &str, location: &str) -> Result<Vec<[String; 4]>, SourceError> {
    legacy_format::read_csv(text)
        .map(|rows| rows.into_iter().map(|(_, fields)| fields).collect())
        .map_err(|(line, msg)| SourceError::format(format!("{location}:{line}"), msg))
}

/// Parses a README.md. `csv` (the rows of papers.csv, if known) only settles ambiguous splits.
pub fn parse_readme(
    text: &str,
    location: &str,
    csv: Option<&[[String; 4]]>,
) -> Result<(Day, Vec<LegacyRow>), SourceError> {
    let at = |line: usize, msg: String| SourceError::format(format!("{location}:{line}"), msg);
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    } else {
        return Err(at(
            lines.len(),
            "the file does not end with a newline (truncated?)".into(),
        ));
    }
    let first = lines.first().copied().unwrap_or("");
    let date = first.strip_prefix(TITLE_PREFIX).ok_or_else(|| {
        at(
            1,
            format!("expected `{TITLE_PREFIX}DD-Mon-YYYY`, found {first:?}"),
        )
    })?;
    let day = Day::parse(date).map_err(|e| at(1, e.to_string()))?;
    if date != day.legacy() {
        return Err(at(
            1,
            format!("expected the date as DD-Mon-YYYY, found {date:?}"),
        ));
    }
    let expect = |n: usize, want: &str| -> Result<(), SourceError> {
        match lines.get(n - 1) {
            Some(l) if *l == want => Ok(()),
            other => Err(at(
                n,
                format!(
                    "expected {want:?}, found {:?}",
                    other.unwrap_or(&"end of file")
                ),
            )),
        }
    };
    expect(2, "")?;
    expect(3, TABLE_HEADER)?;
    expect(4, TABLE_RULE)?;

    // Row starts: (line index, title, link, byte offset of the text after the link cell).
    let starts: Vec<(usize, &str, &str, usize)> = lines
        .iter()
        .enumerate()
        .skip(4)
        .filter_map(|(i, line)| row_start(line).map(|(t, l, rest)| (i, t, l, rest)))
        .collect();
    match starts.first() {
        None if lines.len() > 4 => {
            return Err(at(
                5,
                format!(
                    "expected a row `| title | [link](link) | abstract | authors |`, found {:?}",
                    preview(lines[4])
                ),
            ));
        }
        Some((i, ..)) if *i != 4 => {
            return Err(at(
                5,
                format!(
                    "expected a row `| title | [link](link) | abstract | authors |`, found {:?}",
                    preview(lines[4])
                ),
            ));
        }
        _ => {}
    }
    let mut rows = Vec::with_capacity(starts.len());
    for (k, &(i, title, link, rest_at)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(lines.len(), |s| s.0);
        let mut rest = lines[i][rest_at..].to_string();
        for line in &lines[i + 1..end] {
            rest.push('\n');
            rest.push_str(line);
        }
        let Some(body) = rest.strip_suffix(" |") else {
            return Err(at(
                end,
                format!("the row starting on line {} does not end with ` |`", i + 1),
            ));
        };
        let record = format!("| {title} | [{link}]({link}) | {rest}\n");
        let from_csv = csv.and_then(|rows| {
            rows.iter().find(|c| {
                c[0] == title
                    && c[1] == link
                    && legacy_format::row(&c[0], &c[1], &c[2], &c[3]) == record
            })
        });
        let (abstract_text, authors) = match from_csv {
            Some(c) => (c[2].clone(), c[3].clone()),
            None => match body.rfind(" | ") {
                Some(pos) => (body[..pos].to_string(), body[pos + 3..].to_string()),
                None => {
                    return Err(at(
                        i + 1,
                        "expected `| abstract | authors |` after the link".into(),
                    ));
                }
            },
        };
        rows.push(LegacyRow {
            title: title.to_string(),
            link: link.to_string(),
            abstract_text,
            authors,
            line: i + 1,
        });
    }
    Ok((day, rows))
}

/// The start of a long line, for error messages.
fn preview(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// If `line` starts a row, returns (title, link, offset of the text after `](link) | `).
fn row_start(line: &str) -> Option<(&str, &str, usize)> {
    let rest = line.strip_prefix("| ")?;
    let mut search = 0;
    while let Some(found) = rest[search..].find(" | [http") {
        let cell = search + found + 3; // at the `[`
        let after = &rest[cell + 1..];
        if let Some(close) = after.find("](") {
            let link = &after[..close];
            let tail = &after[close + 2..];
            if !link.contains(char::is_whitespace)
                && tail.starts_with(link)
                && tail[link.len()..].starts_with(") | ")
            {
                let title = &rest[..search + found];
                let offset = 2 + cell + 1 + close + 2 + link.len() + 4;
                return Some((title, link, offset));
            }
        }
        search += found + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "# arXiv Daily Report - 01-Apr-2026\n\n| Title | Link | abstract | author |\n| --- | --- | --- | --- |\n";

    fn parse(body: &str) -> Result<Vec<LegacyRow>, SourceError> {
        parse_readme(&format!("{HEAD}{body}"), "R", None).map(|(_, rows)| rows)
    }

    fn row(title: &str, abs: &str, authors: &str) -> String {
        format!(
            "| {title} | [https://arxiv.org/abs/2604.00001](https://arxiv.org/abs/2604.00001) | {abs} | {authors} |\n"
        )
    }

    #[test]
    fn plain_multiline_piped_and_empty_cells() {
        let cases = [
            ("An LLM paper", "Simple.", "A. One, B. Two"),
            (
                "Multi",
                "First paragraph.\n  Second | with pipe |\nthird",
                "C. Three",
            ),
            ("TeX $\\alpha$ | in title", "x | y | z", "D. Four"),
            ("Empty abstract", "", "E. Five"),
            ("Empty authors", "Abs.", ""),
            ("Both empty", "", ""),
        ];
        for (title, abs, authors) in cases {
            let rows = parse(&row(title, abs, authors)).unwrap();
            assert_eq!(rows.len(), 1, "{title}");
            assert_eq!(
                (
                    rows[0].title.as_str(),
                    rows[0].abstract_text.as_str(),
                    rows[0].authors.as_str()
                ),
                (title, abs, authors)
            );
            assert_eq!(rows[0].markdown(), row(title, abs, authors));
        }
    }

    #[test]
    fn several_rows_keep_their_lines() {
        let body = format!(
            "{}{}{}",
            row("A", "one\ntwo", "X"),
            row("B", "b", "Y"),
            row("C", "c", "Z")
        );
        let rows = parse(&body).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![5, 7, 8]
        );
    }

    #[test]
    fn empty_day_is_the_header_alone() {
        let (day, rows) = parse_readme(HEAD, "R", None).unwrap();
        assert_eq!(day.to_string(), "2026-04-01");
        assert!(rows.is_empty());
    }

    #[test]
    fn csv_settles_pipes_in_authors() {
        let text = format!("{HEAD}{}", row("T", "abs", "A | B"));
        let csv = vec![[
            "T".to_string(),
            "https://arxiv.org/abs/2604.00001".to_string(),
            "abs".to_string(),
            "A | B".to_string(),
        ]];
        let (_, rows) = parse_readme(&text, "R", Some(&csv)).unwrap();
        assert_eq!(rows[0].authors, "A | B");
        let (_, rows) = parse_readme(&text, "R", None).unwrap();
        assert_eq!(rows[0].authors, "B");
    }

    /// Found by fuzzing (fuzz/legacy): a row with one cell after the link was taken as an empty
    /// abstract and empty authors, and rendered back with one cell more than it had.
    #[test]
    fn regression_a_row_missing_a_cell_is_an_error() {
        let link = "https://arxiv.org/abs/2604.00001";
        let text = format!("{HEAD}| T | [{link}]({link}) |  |\n");
        let err = parse_readme(&text, "R", None).unwrap_err().to_string();
        assert!(
            err.starts_with("R:5:") && err.contains("abstract | authors"),
            "{err}"
        );
        // both cells present and empty is fine
        let ok = format!("{HEAD}| T | [{link}]({link}) |  |  |\n");
        let (_, rows) = parse_readme(&ok, "R", None).unwrap();
        assert_eq!(
            (rows[0].abstract_text.as_str(), rows[0].authors.as_str()),
            ("", "")
        );
        assert_eq!(
            rows[0].markdown(),
            format!("| T | [{link}]({link}) |  |  |\n")
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("# arXiv Daily Report - 31-Foo-2025\n", "R:1"),
            ("# Something else\n", "R:1"),
            ("# arXiv Daily Report - 01-Apr-2026\n\n| Title |\n", "R:3"),
            (&format!("{HEAD}garbage line\n") as &str, "R:5"),
            (
                &format!("{HEAD}{}", row("A", "x", "y").trim_end_matches("|\n")) as &str,
                "R:5",
            ),
            (
                &format!("{HEAD}{}more\n", row("A", "x", "y")) as &str,
                "R:6",
            ),
        ];
        for (text, want) in cases {
            let err = parse_readme(text, "R", None).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{want}:")), "{err}");
        }
    }
}
