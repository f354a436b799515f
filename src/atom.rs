//! Atom 1.0 feeds (RFC 4287) of a profile's report days or of a search, one entry per paper per
//! day. Every id and date comes from the archive, so two runs over the same archive write the same
//! bytes and a feed reader never shows an entry twice. Text is escaped by quick-xml's writer, and
//! characters that XML 1.0 forbids (most C0 controls) are dropped, not emitted.

use crate::source::unwrap_text;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::model::Day;
use crate::views::FeedEntry;

/// What the feed is of.
#[derive(Debug, Clone)]
pub struct FeedInfo {
    /// A stable IRI naming the feed (`urn:arxiv-daily:profile:NAME`, `...:search:QUERY`).
    pub id: String,
    pub title: String,
    pub subtitle: String,
    /// The page the feed is of (`<link rel="alternate">`), when it has an address.
    pub link: Option<String>,
}

/// The feed of `entries` (newest day first, as given). `updated` is the newest entry's day, or
/// 1970-01-01 for an empty feed: never the clock, so the bytes depend on the archive alone.
pub(crate) fn feed(info: &FeedInfo, entries: &[FeedEntry]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail.
    let _ = write_feed(&mut w, info, entries);
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

fn write_feed(
    w: &mut Writer<Vec<u8>>,
    info: &FeedInfo,
    entries: &[FeedEntry],
) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    let updated = entries
        .iter()
        .map(|e| e.day)
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), timestamp);
    w.create_element("feed")
        .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
        .write_inner_content(|w| {
            text(w, "id", &info.id)?;
            text(w, "title", &info.title)?;
            text(w, "subtitle", &info.subtitle)?;
            if let Some(link) = &info.link {
                w.create_element("link")
                    .with_attribute(("rel", "alternate"))
                    .with_attribute(("href", link.as_str()))
                    .write_empty()?;
            }
            text(w, "updated", &updated)?;
            w.create_element("generator")
                .with_attribute(("version", env!("CARGO_PKG_VERSION")))
                .write_text_content(BytesText::new("arxiv-daily"))?;
            for e in entries {
                entry(w, e)?;
            }
            Ok(())
        })?;
    w.write_event(Event::Text(BytesText::new("\n")))?;
    Ok(())
}

fn entry(w: &mut Writer<Vec<u8>>, e: &FeedEntry) -> std::io::Result<()> {
    let p = &e.paper;
    let abs = format!("https://arxiv.org/abs/{}", p.id);
    let when = timestamp(e.day);
    let summary = match &e.note {
        Some(note) => format!("{note}\n\n{}", p.abstract_text.trim()),
        None => p.abstract_text.clone(),
    };
    w.create_element("entry").write_inner_content(|w| {
        // The paper's abs URL plus the day: stable across runs, one entry per paper per day.
        text(w, "id", &format!("{abs}#{}", e.day))?;
        text(w, "title", &unwrap_text(&p.title))?;
        text(w, "updated", &when)?;
        text(w, "published", &when)?;
        for name in authors(&p.authors) {
            w.create_element("author")
                .write_inner_content(|w| text(w, "name", &name))?;
        }
        w.create_element("summary")
            .with_attribute(("type", "text"))
            .write_text_content(BytesText::new(&xml_safe(summary.trim())))?;
        w.create_element("link")
            .with_attribute(("rel", "alternate"))
            .with_attribute(("type", "text/html"))
            .with_attribute(("href", abs.as_str()))
            .write_empty()?;
        let pdf = format!("https://arxiv.org/pdf/{}", p.id);
        w.create_element("link")
            .with_attribute(("rel", "related"))
            .with_attribute(("type", "application/pdf"))
            .with_attribute(("title", "pdf"))
            .with_attribute(("href", pdf.as_str()))
            .write_empty()?;
        for c in &p.categories {
            w.create_element("category")
                .with_attribute(("term", &*xml_safe(c)))
                .with_attribute(("scheme", "http://arxiv.org/schemas/atom"))
                .write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_safe(value)))?;
    Ok(())
}

/// The announcement day as an RFC 3339 date-time (midnight UTC of the day).
fn timestamp(day: Day) -> String {
    format!("{day}T00:00:00Z")
}

/// The author list split into names (arXiv writes `A, B and C` or `A, B, C`).
pub fn authors(list: &str) -> Vec<String> {
    unwrap_text(list)
        .split(", ")
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect()
}

/// `s` without the characters XML 1.0 does not allow (C0 controls but tab, newline, carriage
/// return; U+FFFE and U+FFFF).
pub fn xml_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if s.chars().all(allowed) {
        s.into()
    } else {
        s.chars().filter(|c| allowed(*c)).collect::<String>().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_or_dropped() {
        assert_eq!(xml_safe("a\u{1}b\u{b}c\td\u{FFFF}"), "abc\td");
        let paper = crate::views::ListedPaper {
            id: "2603.00001".into(),
            version: Some(1),
            title: "<script>alert(1)</script> & $\\alpha < \\beta$\u{7}".into(),
            link: String::new(),
            abstract_text: "Q&A ]]> \"quoted\" \u{0}".into(),
            authors: "A. One, B. Two and C. Three".into(),
            categories: vec!["cs.IR".into()],
            announce_type: None,
        };
        let xml = feed(
            &FeedInfo {
                id: "urn:arxiv-daily:test".into(),
                title: "t".into(),
                subtitle: "s".into(),
                link: None,
            },
            &[FeedEntry {
                day: Day::parse("2026-03-02").unwrap(),
                paper,
                note: None,
            }],
        );
        assert!(
            xml.contains(
                "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $\\alpha &lt; \\beta$</title>"
            ),
            "{xml}"
        );
        assert!(!xml.contains('\u{7}') && !xml.contains('\u{0}'));
        assert!(xml.contains("<id>https://arxiv.org/abs/2603.00001#2026-03-02</id>"));
        assert_eq!(xml.matches("<author>").count(), 3);
    }
}
