//! The CSV dialect of Python's `csv` module with its defaults (`excel`): comma, `"` doubled inside
//! quoted fields, CRLF row ends, quotes only where needed (QUOTE_MINIMAL). The original report
//! script wrote `papers.csv` with it, and we must read and write it byte for byte.

/// Appends one row as Python's `csv.writer` would write it.
pub fn write_row(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let needs_quotes =
            field.contains([',', '"', '\r', '\n']) || (fields.len() == 1 && field.is_empty());
        if needs_quotes {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

/// Rows with the line each starts on.
pub type CsvRows = Vec<(usize, Vec<String>)>;

/// Reads all rows. Returns, per row, the fields and the 1-based line on which the row starts.
/// Errors name the line of an unterminated quote.
pub fn read_rows(text: &str) -> Result<CsvRows, (usize, String)> {
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    while chars.peek().is_some() {
        let start_line = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut in_quotes = false;
        let mut quoted_field = false;
        loop {
            let Some(c) = chars.next() else {
                if in_quotes {
                    return Err((start_line, "unterminated quoted field".into()));
                }
                fields.push(std::mem::take(&mut field));
                break;
            };
            if c == '\n' {
                line += 1;
            }
            if in_quotes {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        in_quotes = false;
                    }
                } else {
                    field.push(c);
                }
                continue;
            }
            match c {
                '"' if field.is_empty() && !quoted_field => {
                    in_quotes = true;
                    quoted_field = true;
                }
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    quoted_field = false;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                _ => field.push(c),
            }
        }
        rows.push((start_line, fields));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_where_python_does() {
        let mut out = String::new();
        write_row(&mut out, &["Title", "Link", "Desc", "author"]);
        write_row(
            &mut out,
            &["a, b", "say \"hi\"", "two\nlines", "plain | pipe"],
        );
        write_row(&mut out, &["", "x", "", "y"]);
        assert_eq!(
            out,
            "Title,Link,Desc,author\r\n\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",plain | pipe\r\n,x,,y\r\n"
        );
    }

    #[test]
    fn reads_back_what_it_writes() {
        let rows: Vec<Vec<&str>> = vec![
            vec!["Title", "Link", "Desc", "author"],
            vec!["a, b", "say \"hi\"", "two\r\nlines\n", ""],
            vec!["", "x", "", "y"],
        ];
        let mut out = String::new();
        for r in &rows {
            write_row(&mut out, r);
        }
        let back = read_rows(&out).unwrap();
        let got: Vec<Vec<String>> = back.iter().map(|(_, f)| f.clone()).collect();
        assert_eq!(
            got,
            rows.iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        );
        assert_eq!(
            back.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![1, 2, 5]
        );
    }

    #[test]
    fn unterminated_quote_names_its_line() {
        assert_eq!(read_rows("a,b\r\nc,\"d\r\n").unwrap_err().0, 2);
    }
}
