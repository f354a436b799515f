//! Fixtures written by the tests: legacy report folders as the original script wrote them, and
//! RSS feeds as rss.arxiv.org serves them.

use std::path::Path;

use crate::util::write;

/// One row of a legacy report: (title, id, abstract, authors).
pub type Row<'a> = (&'a str, &'a str, &'a str, &'a str);

pub fn legacy_readme(date: &str, rows: &[Row<'_>]) -> String {
    let mut s = format!(
        "# arXiv Daily Report - {date}\n\n| Title | Link | abstract | author |\n| --- | --- | --- | --- |\n"
    );
    for (title, id, abs, authors) in rows {
        let link = format!("https://arxiv.org/abs/{id}");
        s.push_str(&format!(
            "| {title} | [{link}]({link}) | {abs} | {authors} |\n"
        ));
    }
    s
}

fn py_csv_field(f: &str) -> String {
    if f.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

pub fn legacy_csv(rows: &[Row<'_>]) -> String {
    let mut s = String::from("Title,Link,Desc,author\r\n");
    for (title, id, abs, authors) in rows {
        let link = format!("https://arxiv.org/abs/{id}");
        let fields: Vec<String> = [*title, link.as_str(), *abs, *authors]
            .iter()
            .map(|f| py_csv_field(f))
            .collect();
        s.push_str(&fields.join(","));
        s.push_str("\r\n");
    }
    s
}

pub fn write_day(dir: &Path, date: &str, rows: &[Row<'_>]) {
    write(
        &dir.join(date).join("README.md"),
        &legacy_readme(date, rows),
    );
    write(&dir.join(date).join("papers.csv"), &legacy_csv(rows));
}

/// The quirky days: multi-line abstracts, pipes, TeX, `&amp;`, an empty day, and a paper whose
/// title and abstract changed between two days.
pub fn write_quirky_days(dir: &Path) {
    write_day(
        dir,
        "07-Jan-2026",
        &[
            (
                "Multimodal RAG with $\\alpha$-TeX",
                "2601.00001",
                "First paragraph.\n  Second paragraph | with a pipe.",
                "Ana Barth\\'elemy, Bo Li",
            ),
            (
                "LLM Q&amp;A agents",
                "2601.00002",
                "Uses x | y | z and \"quotes\", commas.",
                "C. Three",
            ),
            (
                "Old title for a Generative model",
                "2601.00003",
                "Old abstract.",
                "D. Four",
            ),
        ],
    );
    write_day(dir, "10-Jan-2026", &[]);
    write_day(
        dir,
        "08-Jan-2026",
        &[
            (
                "New title for a Generative model",
                "2601.00003",
                "New abstract.",
                "D. Four",
            ),
            ("An LLM with empty abstract", "2601.00004", "", "E. Five"),
        ],
    );
}

/// One RSS item: (id, version, announce type, title, abstract, authors, categories).
pub struct Item<'a> {
    pub id: &'a str,
    pub version: u32,
    pub kind: &'a str,
    pub title: &'a str,
    pub abs: &'a str,
    pub authors: &'a str,
    pub cats: &'a [&'a str],
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A feed as rss.arxiv.org writes it; `pub_date` like `Wed, 24 Sep 2025 00:00:00 -0400`.
pub fn feed(category: &str, pub_date: &str, items: &[Item<'_>]) -> String {
    let mut s = format!(
        r#"<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>{category} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{category}</link>
    <description>{category} updates on the arXiv.org e-print archive.</description>
    <lastBuildDate>{pub_date}</lastBuildDate>
    <pubDate>{pub_date}</pubDate>
"#
    );
    for it in items {
        s.push_str(&format!(
            "    <item>\n      <title>{}</title>\n      <link>https://arxiv.org/abs/{}</link>\n      <description>arXiv:{}v{} Announce Type: {} \nAbstract: {}</description>\n      <guid isPermaLink=\"false\">oai:arXiv.org:{}v{}</guid>\n",
            esc(it.title), it.id, it.id, it.version, it.kind, esc(it.abs), it.id, it.version
        ));
        for c in it.cats {
            s.push_str(&format!("      <category>{c}</category>\n"));
        }
        s.push_str(&format!(
            "      <pubDate>{pub_date}</pubDate>\n      <arxiv:announce_type>{}</arxiv:announce_type>\n      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n      <dc:creator>{}</dc:creator>\n    </item>\n",
            it.kind,
            esc(it.authors)
        ));
    }
    s.push_str("  </channel>\n</rss>\n");
    s
}

/// What the original script wrote for these items (titles with a keyword, feed order).
pub fn expected_report(date: &str, items: &[&Item<'_>]) -> String {
    let rows: Vec<Row<'_>> = items
        .iter()
        .map(|i| (i.title, i.id, i.abs, i.authors))
        .collect();
    legacy_readme(date, &rows)
}
