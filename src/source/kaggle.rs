//! The Kaggle arXiv metadata snapshot (`arxiv-metadata-oai-snapshot.json`): one JSON object per
//! line, every paper's latest metadata and its versions' submission times.

use serde::Deserialize;

use super::{Record, SourceError, schedule, unwrap_text};
use crate::model::{ArxivId, Snapshot};

#[derive(Deserialize)]
struct Line {
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default, rename = "abstract")]
    abstract_text: Option<String>,
    #[serde(default)]
    authors: Option<String>,
    #[serde(default)]
    categories: Option<String>,
    #[serde(default)]
    doi: Option<String>,
    #[serde(default, rename = "journal-ref")]
    journal_ref: Option<String>,
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    versions: Vec<Version>,
}

#[derive(Deserialize)]
struct Version {
    version: String,
    created: String,
}

/// Parses one line; `location` and `line` name it in errors.
pub fn parse_line(text: &str, location: &str, line: u64) -> Result<Record, SourceError> {
    let at = || format!("{location}:{line}");
    let l: Line = serde_json::from_str(text)
        .map_err(|e| SourceError::format(at(), format!("not a Kaggle snapshot record: {e}")))?;
    let (id, _) =
        ArxivId::parse_versioned(&l.id).map_err(|e| SourceError::format(at(), e.to_string()))?;
    let mut versions = Vec::with_capacity(l.versions.len());
    let mut latest = None;
    for v in &l.versions {
        let n: Option<u32> = v.version.trim_start_matches('v').parse().ok();
        let t = schedule::parse_submission(&v.created).ok_or_else(|| {
            SourceError::format(at(), format!("bad version date {:?}", v.created))
        })?;
        versions.push((n, schedule::listing_day(t)));
        latest = Some((n, t));
    }
    let opt = |s: Option<String>| s.map(|s| unwrap_text(&s)).filter(|s| !s.is_empty());
    Ok(Record {
        id,
        datestamp: None,
        snapshot: Snapshot {
            version: latest.and_then(|(n, _)| n),
            title: unwrap_text(l.title.as_deref().unwrap_or("")),
            abstract_text: unwrap_text(l.abstract_text.as_deref().unwrap_or("")),
            authors: unwrap_text(l.authors.as_deref().unwrap_or("")),
            categories: l
                .categories
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            doi: opt(l.doi),
            journal_ref: opt(l.journal_ref),
            license: opt(l.license),
            submitted: latest.map(|(_, t)| t.to_string()),
        },
        versions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_line_with_versions() {
        let line = r#"{"id":"0704.0001","submitter":"P","authors":"C. Bal\\'azs, E. L. Berger","title":"Calculation of prompt diphoton\n  production","comments":null,"journal-ref":"Phys.Rev.D76:013009,2007","doi":"10.1103/PhysRevD.76.013009","report-no":null,"categories":"hep-ph","license":null,"abstract":"  A fully differential calculation.\n","versions":[{"version":"v1","created":"Mon, 2 Apr 2007 19:18:42 GMT"},{"version":"v2","created":"Tue, 24 Jul 2007 20:10:27 GMT"}],"update_date":"2008-11-13","authors_parsed":[["Bal\u00e1zs","C.",""]]}"#;
        let r = parse_line(line, "f", 1).unwrap();
        assert_eq!(r.id.as_str(), "0704.0001");
        assert_eq!(
            r.snapshot.title,
            "Calculation of prompt diphoton production"
        );
        assert_eq!(r.snapshot.version, Some(2));
        assert_eq!(r.snapshot.license, None);
        assert_eq!(r.versions.len(), 2);
        // Mon 15:18 EDT -> after the cutoff -> Wed
        assert_eq!(r.versions[0].1.to_string(), "2007-04-04");
    }

    #[test]
    fn errors_name_the_line() {
        for bad in [
            "{",
            "{\"id\": \"nope\"}",
            "[]",
            "{\"id\":\"0704.0001\",\"versions\":[{\"version\":\"v1\",\"created\":\"yesterday\"}]}",
        ] {
            let err = parse_line(bad, "snap.json", 7).unwrap_err().to_string();
            assert!(err.starts_with("snap.json:7:"), "{err}");
        }
    }
}
