//! The original "arXiv Daily Report" script's output format, in one place: the title line, the
//! table header and rule, the row template of README.md, and the CSV dialect and header of
//! papers.csv. The legacy parser (`source::legacy`) reads with these, and the renderer
//! (`report::render`) writes with them, so the two cannot drift apart.

use crate::model::Day;

pub const TITLE_PREFIX: &str = "# arXiv Daily Report - ";
pub const TABLE_HEADER: &str = "| Title | Link | abstract | author |";
pub const TABLE_RULE: &str = "| --- | --- | --- | --- |";
pub const CSV_HEADER: [&str; 4] = ["Title", "Link", "Desc", "author"];

/// The title line, a blank line and the table header, as the script wrote them.
pub fn header(day: Day) -> String {
    format!(
        "{TITLE_PREFIX}{}\n\n{TABLE_HEADER}\n{TABLE_RULE}\n",
        day.legacy()
    )
}

/// One README.md row, as the script wrote it: no escaping at all, the link twice.
pub fn row(title: &str, link: &str, abstract_text: &str, authors: &str) -> String {
    row_linking(title, link, link, abstract_text, authors)
}

/// The row template with a link whose text and target differ (the clean table escapes the text
/// and percent-encodes the target).
pub fn row_linking(
    title: &str,
    link_text: &str,
    target: &str,
    abstract_text: &str,
    authors: &str,
) -> String {
    format!("| {title} | [{link_text}]({target}) | {abstract_text} | {authors} |\n")
}

/// papers.csv: Python's `csv.writer` with its defaults (comma, `"` doubled inside quoted fields,
/// CRLF row ends, quotes only where needed), the header first. The `csv` crate's `Necessary`
/// quoting with a CRLF terminator writes the same bytes (the 84 real days of ../shared agree).
pub fn csv<'a>(rows: impl IntoIterator<Item = [&'a str; 4]>) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let mut write = |fields: [&str; 4]| {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(fields);
    };
    write(CSV_HEADER);
    for r in rows {
        write(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    // Only `&str` fields went in, so the bytes are UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// A row of papers.csv: the line it starts on, and (Title, Link, Desc, author).
pub type CsvRow = (usize, [String; 4]);

/// Reads papers.csv: the rows after the header as (Title, Link, Desc, author), each with the line
/// it starts on. Errors name the line: `(line, message)`.
pub fn read_csv(text: &str) -> Result<Vec<CsvRow>, (usize, String)> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The line a record starts on, counted from its byte offset. The reader's position of a
    // record can still point at the end of the row before (the `\n` of its CRLF), so line ends
    // there are skipped first.
    let line_at = |byte: u64| {
        let bytes = text.as_bytes();
        let mut end = (byte as usize).min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
    };
    let mut rows = Vec::new();
    let mut header_seen = false;
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, |p| line_at(p.byte()));
            (line, e.to_string())
        })?;
        let line = record.position().map_or(1, |p| line_at(p.byte()));
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if !header_seen {
            header_seen = true;
            if fields != CSV_HEADER {
                return Err((
                    line,
                    format!(
                        "expected the header Title,Link,Desc,author, found {}",
                        fields.join(",")
                    ),
                ));
            }
            continue;
        }
        let fields = <[String; 4]>::try_from(fields)
            .map_err(|f| (line, format!("expected 4 fields, found {}", f.len())))?;
        rows.push((line, fields));
    }
    if !header_seen {
        return Err((
            1,
            "empty file: expected the header Title,Link,Desc,author".into(),
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_pythons_minimal_quoting_with_crlf() {
        let text = csv([
            ["plain", "https://arxiv.org/abs/1", "a, b", "\"q\""],
            ["multi\nline", "l", "", "x"],
        ]);
        assert_eq!(
            text,
            "Title,Link,Desc,author\r\nplain,https://arxiv.org/abs/1,\"a, b\",\"\"\"q\"\"\"\r\n\"multi\nline\",l,,x\r\n"
        );
        let rows = read_csv(&text).unwrap();
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 3);
        assert_eq!(rows[1].1[0], "multi\nline");
        assert_eq!(rows[0].1[3], "\"q\"");
    }

    #[test]
    fn csv_errors_name_the_line() {
        assert_eq!(read_csv("").unwrap_err().0, 1);
        assert!(read_csv("A,B\r\n").unwrap_err().1.contains("header"));
        let cut = "Title,Link,Desc,author\r\na,b,c,d\r\nx,y,\"unterminated";
        assert_eq!(
            read_csv(cut).unwrap_err(),
            (3, "expected 4 fields, found 3".into())
        );
    }
}
