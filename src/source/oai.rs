//! OAI-PMH `ListRecords` pages (`arXivRaw` and `arXiv` formats) of oaipmh.arxiv.org.

use super::xml::{XmlEvent, local, walk};
use super::{Record, SourceError, schedule, unwrap_text};
use crate::model::{ArxivId, Day, Snapshot};

/// One parsed response.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub records: Vec<Record>,
    /// Deleted records seen (skipped).
    pub deleted: u64,
    /// The token for the next page; None on the last page (empty or absent token).
    pub token: Option<String>,
    /// An OAI `<error code="...">`: (code, message).
    pub error: Option<(String, String)>,
    /// Records that cannot be read (a bad version date, an identifier that is not an arXiv id,
    /// no title): kept aside so that one bad record never fails its page.
    pub rejected: Vec<Rejected>,
}

/// A record of a page that could not be read, with its raw XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The OAI identifier (`oai:arXiv.org:2601.05254`), or the `<id>`, as written.
    pub identifier: String,
    pub reason: String,
    /// The `<record>` element as it came.
    pub raw_xml: String,
}

#[derive(Default)]
struct Raw {
    /// The header's OAI identifier (`oai:arXiv.org:ID`).
    identifier: String,
    id: String,
    datestamp: String,
    deleted: bool,
    title: String,
    abstract_text: String,
    authors: String,
    author_names: Vec<String>,
    keyname: String,
    forenames: String,
    categories: String,
    doi: String,
    journal_ref: String,
    license: String,
    created: String,
    updated: String,
    versions: Vec<(Option<u32>, String)>,
    current_version: Option<u32>,
}

/// Parses one response body. `location` (the URL) names it in errors.
pub fn parse(xml: &str, location: &str) -> Result<Page, SourceError> {
    let mut page = Page::default();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut raw: Option<Raw> = None;
    let mut record_start = 0usize;
    let mut error_code: Option<String> = None;
    let mut saw_root = false;
    walk(xml, location, |ev| {
        match ev {
            XmlEvent::Start {
                name,
                attrs,
                offset,
            } => {
                let name = local(name);
                if stack.is_empty() {
                    if name != "OAI-PMH" {
                        return Err(format!(
                            "not an OAI-PMH response: the root element is <{name}>"
                        ));
                    }
                    saw_root = true;
                }
                match name {
                    "record" => {
                        raw = Some(Raw::default());
                        record_start = offset;
                    }
                    "header" => {
                        if let Some(r) = raw.as_mut() {
                            r.deleted = attrs.iter().any(|(k, v)| k == "status" && v == "deleted");
                        }
                    }
                    "version" => {
                        if let Some(r) = raw.as_mut() {
                            r.current_version = attrs
                                .iter()
                                .find(|(k, _)| k == "version")
                                .and_then(|(_, v)| v.trim_start_matches('v').parse().ok());
                        }
                    }
                    "error" => {
                        error_code = attrs
                            .iter()
                            .find(|(k, _)| k == "code")
                            .map(|(_, v)| v.clone())
                    }
                    _ => {}
                }
                stack.push(name.to_string());
                text.clear();
            }
            XmlEvent::Text(t) => text.push_str(t),
            XmlEvent::End { name, end } => {
                let name = local(name);
                let value = std::mem::take(&mut text);
                stack.pop();
                let parent = stack.last().map(String::as_str).unwrap_or("");
                match name {
                    "resumptionToken" => {
                        let t = value.trim();
                        page.token = (!t.is_empty()).then(|| t.to_string());
                    }
                    "error" => {
                        page.error = Some((
                            error_code.take().unwrap_or_default(),
                            value.trim().to_string(),
                        ))
                    }
                    "record" => {
                        if let Some(r) = raw.take() {
                            if r.deleted {
                                page.deleted += 1;
                            } else {
                                let identifier = if r.identifier.is_empty() {
                                    r.id.clone()
                                } else {
                                    r.identifier.clone()
                                };
                                match record(r) {
                                    Ok(rec) => page.records.push(rec),
                                    Err(reason) => page.rejected.push(Rejected {
                                        identifier,
                                        reason,
                                        raw_xml: xml[record_start.min(end)..end.min(xml.len())]
                                            .to_string(),
                                    }),
                                }
                            }
                        }
                    }
                    _ => {
                        if let Some(r) = raw.as_mut() {
                            match (parent, name) {
                                ("header", "identifier") => {
                                    r.identifier = value.trim().to_string();
                                    if r.id.is_empty() {
                                        r.id = r.identifier.clone();
                                    }
                                }
                                ("header", "datestamp") => r.datestamp = value.trim().to_string(),
                                (_, "id") => r.id = value.trim().to_string(),
                                ("version", "date") => r
                                    .versions
                                    .push((r.current_version, value.trim().to_string())),
                                ("author", "keyname") => r.keyname = value.trim().to_string(),
                                ("author", "forenames") => r.forenames = value.trim().to_string(),
                                ("authors", "author") => {
                                    let n =
                                        format!("{} {}", r.forenames, r.keyname).trim().to_string();
                                    r.author_names.push(n);
                                    r.keyname.clear();
                                    r.forenames.clear();
                                }
                                (_, "title") => r.title = value,
                                (_, "abstract") => r.abstract_text = value,
                                (_, "authors") => r.authors = value,
                                (_, "categories") => r.categories = value,
                                (_, "doi") => r.doi = value,
                                (_, "journal-ref") => r.journal_ref = value,
                                (_, "license") => r.license = value,
                                (_, "created") => r.created = value.trim().to_string(),
                                (_, "updated") => r.updated = value.trim().to_string(),
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    })?;
    if !saw_root {
        return Err(SourceError::format(location, "not an OAI-PMH response"));
    }
    Ok(page)
}

fn record(r: Raw) -> Result<Record, String> {
    let (id, _) = ArxivId::parse_versioned(&r.id).map_err(|e| format!("record: {e}"))?;
    let opt = |s: String| {
        let t = unwrap_text(&s);
        (!t.is_empty()).then_some(t)
    };
    let mut versions = Vec::new();
    let mut latest_submitted = None;
    for (v, date) in &r.versions {
        let t = schedule::parse_submission(date)
            .ok_or_else(|| format!("record {id}: bad version date {date:?}"))?;
        versions.push((*v, schedule::listing_day(t)));
        latest_submitted = Some((v, t));
    }
    if versions.is_empty() && !r.created.is_empty() {
        let created = Day::parse(&r.created).map_err(|e| format!("record {id}: {e}"))?;
        versions.push((Some(1), schedule::listing_day_from_date(created)));
        if !r.updated.is_empty() {
            let updated = Day::parse(&r.updated).map_err(|e| format!("record {id}: {e}"))?;
            versions.push((None, schedule::listing_day_from_date(updated)));
        }
    }
    if r.title.trim().is_empty() {
        return Err(format!("record {id}: no title"));
    }
    let authors = if r.author_names.is_empty() {
        unwrap_text(&r.authors)
    } else {
        r.author_names.join(", ")
    };
    Ok(Record {
        id,
        datestamp: (!r.datestamp.is_empty()).then_some(r.datestamp),
        snapshot: Snapshot {
            version: latest_submitted.and_then(|(v, _)| *v),
            title: unwrap_text(&r.title),
            abstract_text: unwrap_text(&r.abstract_text),
            authors,
            categories: r
                .categories
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            doi: opt(r.doi),
            journal_ref: opt(r.journal_ref),
            license: opt(r.license),
            submitted: latest_submitted.map(|(_, t)| t.to_string()),
        },
        versions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<ListRecords>
<record><header><identifier>oai:arXiv.org:2601.05254</identifier><datestamp>2026-02-02</datestamp></header>
<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>2601.05254</id>
<version version="v1"><date>Fri, 09 Jan 2026 15:00:00 GMT</date></version>
<version version="v2"><date>Fri, 30 Jan 2026 20:30:00 GMT</date></version>
<title>TagRAG: a
  wrapped title</title><authors>A. One, B. Two</authors><categories>cs.CL cs.IR</categories>
<abstract>  Line one &amp; more
  line two.
</abstract></arXivRaw></metadata></record>
<record><header status="deleted"><identifier>oai:arXiv.org:2601.00001</identifier><datestamp>2026-02-02</datestamp></header></record>
<resumptionToken expirationDate="2026-02-03T00:00:00Z">abc|1001</resumptionToken>
</ListRecords></OAI-PMH>"#;

    #[test]
    fn parses_arxivraw_records_versions_and_token() {
        let p = parse(PAGE, "u").unwrap();
        assert_eq!(p.token.as_deref(), Some("abc|1001"));
        assert_eq!(p.deleted, 1);
        let r = &p.records[0];
        assert_eq!(r.id.as_str(), "2601.05254");
        assert_eq!(r.snapshot.title, "TagRAG: a wrapped title");
        assert_eq!(r.snapshot.abstract_text, "Line one & more line two.");
        assert_eq!(r.snapshot.version, Some(2));
        assert_eq!(r.snapshot.categories, ["cs.CL", "cs.IR"]);
        let days: Vec<String> = r.versions.iter().map(|(_, d)| d.to_string()).collect();
        // Fri 10:00 ET -> Mon; Fri 15:30 ET -> Tue
        assert_eq!(days, ["2026-01-12", "2026-02-03"]);
    }

    #[test]
    fn empty_token_ends_the_list_and_errors_are_reported() {
        let last = PAGE.replace(
            r#"<resumptionToken expirationDate="2026-02-03T00:00:00Z">abc|1001</resumptionToken>"#,
            "<resumptionToken/>",
        );
        assert_eq!(parse(&last, "u").unwrap().token, None);
        let err = r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="noRecordsMatch">nothing</error></OAI-PMH>"#;
        assert_eq!(
            parse(err, "u").unwrap().error,
            Some(("noRecordsMatch".into(), "nothing".into()))
        );
        assert!(
            parse("<html>busy</html>", "u")
                .unwrap_err()
                .to_string()
                .contains("not an OAI-PMH response")
        );
        assert!(
            parse(&PAGE[..500], "u")
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
    }

    #[test]
    fn a_bad_record_is_rejected_with_its_xml_and_the_others_kept() {
        let bad_date = PAGE.replace("Fri, 30 Jan 2026 20:30:00 GMT", "30 Janvier 2026");
        let page = format!(
            "{}{}",
            &bad_date[..bad_date.find("<record><header status").unwrap()],
            r#"<record><header><identifier>oai:arXiv.org:not-an-id</identifier><datestamp>2026-02-02</datestamp></header><metadata><arXivRaw><id>not-an-id</id><title>T</title></arXivRaw></metadata></record>
<record><header><identifier>oai:arXiv.org:2601.00009</identifier><datestamp>2026-02-02</datestamp></header><metadata><arXivRaw><id>2601.00009</id><title>Kept</title><version version="v1"><date>Fri, 09 Jan 2026 15:00:00 GMT</date></version></arXivRaw></metadata></record>
<record><header><identifier>oai:arXiv.org:2601.00010</identifier><datestamp>2026-02-02</datestamp></header><metadata><arXivRaw><id>2601.00010</id><title> </title></arXivRaw></metadata></record>
</ListRecords></OAI-PMH>"#
        );
        let p = parse(&page, "u").unwrap();
        let ids: Vec<&str> = p.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["2601.00009"]);
        let why: Vec<(&str, &str)> = p
            .rejected
            .iter()
            .map(|r| (r.identifier.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(why.len(), 3, "{why:?}");
        assert_eq!(why[0].0, "oai:arXiv.org:2601.05254");
        assert!(why[0].1.contains("bad version date"), "{why:?}");
        assert!(why[1].1.contains("not-an-id"), "{why:?}");
        assert!(why[2].1.contains("no title"), "{why:?}");
        assert!(p.rejected[0].raw_xml.starts_with("<record>"));
        assert!(p.rejected[0].raw_xml.ends_with("</record>"));
        assert!(p.rejected[0].raw_xml.contains("30 Janvier 2026"));
    }

    #[test]
    fn arxiv_format_uses_created() {
        let xml = r#"<OAI-PMH><ListRecords><record><header><identifier>oai:arXiv.org:2601.05261</identifier><datestamp>2026-02-02</datestamp></header>
<metadata><arXiv><id>2601.05261</id><created>2026-01-09</created><authors><author><keyname>Mufti</keyname><forenames>Muhammad</forenames></author><author><keyname>Solo</keyname></author></authors>
<title>T</title><categories>cs.IR</categories><abstract>A</abstract></arXiv></metadata></record></ListRecords></OAI-PMH>"#;
        let r = &parse(xml, "u").unwrap().records[0];
        assert_eq!(r.snapshot.authors, "Muhammad Mufti, Solo");
        assert_eq!(
            r.versions,
            vec![(Some(1), Day::parse("2026-01-12").unwrap())]
        );
    }
}
