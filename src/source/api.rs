//! arXiv's query API (`export.arxiv.org/api/query?id_list=`): the Atom feed it answers for a
//! list of ids. It is how a paper never announced on an archived day (a reader's library of
//! older papers) gets into the archive. An id arXiv does not know is left out of the feed, not
//! reported, so the caller compares what it asked for with what came back.

use std::collections::BTreeSet;

use super::xml::{XmlEvent, local, walk};
use super::{Record, SourceError, schedule, unwrap_text};
use crate::model::{ArxivId, Snapshot};

/// arXiv's API endpoint (`--api-url` replaces it).
pub const DEFAULT_API_URL: &str = "https://export.arxiv.org/api/query";

/// The most ids one request asks for: arXiv's API answers at most this many entries at a time
/// without paging, and a smaller request is cheaper to lose.
pub const MAX_BATCH: usize = 100;

/// One parsed response.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// The papers, in the feed's order. Their snapshots carry the version the feed gave.
    pub records: Vec<Record>,
    /// An error entry's text (`<id>` under `/api/errors`): arXiv's refusal of the request.
    pub error: Option<String>,
    /// Entries that cannot be read (no id, a bad date, no title): (the `<id>` as written, why).
    pub rejected: Vec<(String, String)>,
}

/// The request of `ids` (canonical ids, no version: the API then answers the newest version).
/// Ids are letters, digits, `.`, `-` and `/`, all safe in a query string, and written as arXiv
/// writes them (a `/` of an old-style id left as it is).
pub fn query_url(base: &str, ids: &[ArxivId]) -> String {
    let list: Vec<&str> = ids.iter().map(ArxivId::as_str).collect();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!(
        "{base}{sep}id_list={}&max_results={}",
        list.join(","),
        ids.len()
    )
}

#[derive(Default)]
struct Raw {
    id: String,
    title: String,
    summary: String,
    authors: Vec<String>,
    primary: Option<String>,
    categories: Vec<String>,
    published: String,
    updated: String,
    doi: String,
    journal_ref: String,
}

/// Parses one response body. `location` (the URL) names it in errors.
pub fn parse(xml: &str, location: &str) -> Result<Feed, SourceError> {
    let mut feed = Feed::default();
    let mut depth = 0usize;
    let mut saw_feed = false;
    let mut text = String::new();
    let mut raw: Option<Raw> = None;
    walk(xml, location, |ev| {
        match ev {
            XmlEvent::Start { name, attrs, .. } => {
                let name = local(name);
                if depth == 0 {
                    if name != "feed" {
                        return Err(format!(
                            "not an arXiv API response: the root element is <{name}>"
                        ));
                    }
                    saw_feed = true;
                }
                depth += 1;
                let term = || {
                    attrs
                        .iter()
                        .find(|(k, _)| k == "term")
                        .map(|(_, v)| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                };
                match (name, raw.as_mut()) {
                    ("entry", _) => raw = Some(Raw::default()),
                    ("primary_category", Some(r)) => r.primary = term(),
                    ("category", Some(r)) => r.categories.extend(term()),
                    _ => {}
                }
                text.clear();
            }
            XmlEvent::Text(t) => text.push_str(t),
            XmlEvent::End { name, .. } => {
                depth = depth.saturating_sub(1);
                let name = local(name);
                let value = std::mem::take(&mut text);
                if name == "entry" {
                    if let Some(r) = raw.take() {
                        if r.id.contains("/api/errors") {
                            feed.error = Some(unwrap_text(&r.summary));
                        } else {
                            let written = r.id.clone();
                            match record(r) {
                                Ok(rec) => feed.records.push(rec),
                                Err(why) => feed.rejected.push((written, why)),
                            }
                        }
                    }
                } else if let Some(r) = raw.as_mut() {
                    // Fields of the entry itself (depth 2 once closed: feed > entry > field);
                    // an author's `<name>` is one level deeper.
                    match (name, depth) {
                        ("id", 2) => r.id = value.trim().to_string(),
                        ("title", 2) => r.title = value,
                        ("summary", 2) => r.summary = value,
                        ("published", 2) => r.published = value.trim().to_string(),
                        ("updated", 2) => r.updated = value.trim().to_string(),
                        ("doi", 2) => r.doi = value,
                        ("journal_ref", 2) => r.journal_ref = value,
                        ("name", 3) => {
                            let n = unwrap_text(&value);
                            if !n.is_empty() {
                                r.authors.push(n);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    })?;
    if !saw_feed {
        return Err(SourceError::format(location, "not an arXiv API response"));
    }
    Ok(feed)
}

fn record(r: Raw) -> Result<Record, String> {
    let (id, version) = ArxivId::parse_versioned(&r.id).map_err(|e| format!("entry: {e}"))?;
    let stamp = |what: &str, s: &str| {
        s.parse::<jiff::Timestamp>()
            .map_err(|e| format!("entry {id}: bad <{what}> {s:?}: {e}"))
    };
    let title = unwrap_text(&r.title);
    if title.is_empty() {
        return Err(format!("entry {id}: no title"));
    }
    // `published` is v1's submission, `updated` the given version's.
    let published = stamp("published", &r.published)?;
    let updated = if r.updated.is_empty() {
        published
    } else {
        stamp("updated", &r.updated)?
    };
    let mut versions = vec![(Some(1), schedule::listing_day(published))];
    if version.is_some_and(|v| v > 1) {
        versions.push((version, schedule::listing_day(updated)));
    }
    // Primary first, then the others once each, in the feed's order.
    let mut seen = BTreeSet::new();
    let categories: Vec<String> = r
        .primary
        .into_iter()
        .chain(r.categories)
        .filter(|c| seen.insert(c.clone()))
        .collect();
    let opt = |s: String| {
        let t = unwrap_text(&s);
        (!t.is_empty()).then_some(t)
    };
    Ok(Record {
        id,
        datestamp: None,
        snapshot: Snapshot {
            version,
            title,
            abstract_text: unwrap_text(&r.summary),
            authors: r.authors.join(", "),
            categories,
            doi: opt(r.doi),
            journal_ref: opt(r.journal_ref),
            license: None,
            submitted: Some(updated.to_string()),
        },
        versions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/x</id>
  <title>arXiv Query: id_list=1901.00001,math/0309136</title>
  <updated>2026-04-12T22:09:25Z</updated>
  <opensearch:totalResults>2</opensearch:totalResults>
"#;

    const TWO: &str = r#"  <entry>
    <id>http://arxiv.org/abs/1901.00001v2</id>
    <title>A  wrapped
      title &amp; more</title>
    <updated>2019-01-08T19:30:00Z</updated>
    <link href="https://arxiv.org/abs/1901.00001v2" rel="alternate" type="text/html"/>
    <summary>  First line
  second line.
</summary>
    <category term="cs.IR" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <published>2019-01-02T16:00:00Z</published>
    <arxiv:comment>10 pages</arxiv:comment>
    <arxiv:primary_category term="cs.LG"/>
    <arxiv:doi>10.1000/xyz</arxiv:doi>
    <arxiv:journal_ref>J. Test 1 (2019)</arxiv:journal_ref>
    <author>
      <name>Ann Author</name>
      <arxiv:affiliation>Somewhere</arxiv:affiliation>
    </author>
    <author><name>Bo Wübben</name></author>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/math/0309136v1</id>
    <title>Old</title>
    <updated>2003-09-08T12:00:00Z</updated>
    <summary>Old abstract.</summary>
    <category term="math.AG" scheme="http://arxiv.org/schemas/atom"/>
    <published>2003-09-08T12:00:00Z</published>
    <arxiv:primary_category term="math.AG"/>
    <author><name>C. Old</name></author>
  </entry>
</feed>
"#;

    #[test]
    fn entries_become_records_with_version_dates_and_primary_first() {
        let feed = parse(&format!("{HEAD}{TWO}"), "u").unwrap();
        assert_eq!(feed.error, None);
        assert!(feed.rejected.is_empty(), "{:?}", feed.rejected);
        let ids: Vec<&str> = feed.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1901.00001", "math/0309136"]);
        let s = &feed.records[0].snapshot;
        assert_eq!(s.version, Some(2));
        assert_eq!(s.title, "A wrapped title & more");
        assert_eq!(s.abstract_text, "First line second line.");
        assert_eq!(s.authors, "Ann Author, Bo Wübben");
        assert_eq!(s.categories, ["cs.LG", "cs.IR"]);
        assert_eq!(s.doi.as_deref(), Some("10.1000/xyz"));
        assert_eq!(s.journal_ref.as_deref(), Some("J. Test 1 (2019)"));
        assert_eq!(s.submitted.as_deref(), Some("2019-01-08T19:30:00Z"));
        let days: Vec<String> = feed.records[0]
            .versions
            .iter()
            .map(|(v, d)| format!("{v:?} {d}"))
            .collect();
        // Wed 11:00 ET -> Thu; Tue 14:30 ET -> Thu.
        assert_eq!(days, ["Some(1) 2019-01-03", "Some(2) 2019-01-10"]);
        let old = &feed.records[1].snapshot;
        assert_eq!((old.version, old.doi.as_ref()), (Some(1), None));
    }

    #[test]
    fn an_unknown_id_gives_an_empty_feed() {
        let feed = parse(&format!("{HEAD}</feed>\n"), "u").unwrap();
        assert!(feed.records.is_empty() && feed.error.is_none());
    }

    #[test]
    fn an_error_entry_is_the_refusal() {
        let body = format!(
            "{HEAD}<entry><id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>\
             <summary>incorrect id format for abc</summary><author><name>arXiv api core</name></author></entry></feed>"
        );
        let feed = parse(&body, "u").unwrap();
        assert_eq!(feed.error.as_deref(), Some("incorrect id format for abc"));
        assert!(feed.records.is_empty());
    }

    #[test]
    fn a_bad_entry_is_rejected_and_the_rest_kept() {
        let bad = TWO.replace("2019-01-02T16:00:00Z", "yesterday");
        let feed = parse(&format!("{HEAD}{bad}"), "u").unwrap();
        assert_eq!(feed.records.len(), 1);
        assert_eq!(feed.rejected.len(), 1);
        assert!(
            feed.rejected[0].1.contains("bad <published>"),
            "{:?}",
            feed.rejected
        );
    }

    #[test]
    fn not_a_feed_and_a_cut_feed_are_errors_naming_the_url() {
        let e = parse("<html>busy</html>", "http://x/api").unwrap_err();
        assert!(e.to_string().contains("http://x/api"), "{e}");
        assert!(e.to_string().contains("not an arXiv API response"), "{e}");
        let whole = format!("{HEAD}{TWO}");
        let e = parse(&whole[..whole.len() - 40], "u").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    #[test]
    fn the_query_lists_the_ids_and_asks_for_as_many() {
        let ids = [
            ArxivId::parse("1901.00001").unwrap(),
            ArxivId::parse("math/0309136").unwrap(),
        ];
        assert_eq!(
            query_url("http://h/api/query", &ids),
            "http://h/api/query?id_list=1901.00001,math/0309136&max_results=2"
        );
        assert_eq!(
            query_url("http://h/q?x=1", &ids[..1]),
            "http://h/q?x=1&id_list=1901.00001&max_results=1"
        );
    }
}
