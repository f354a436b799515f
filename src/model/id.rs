//! arXiv identifiers: new style `YYMM.NNNN(N)` and old style `archive[.SC]/YYMMNNN`, with an
//! optional `vN`. One paper is one canonical id; the subject class of old ids is not part of it.

use std::fmt;

/// A canonical arXiv paper id (no version), e.g. `2509.16442` or `math/0309136`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArxivId(String);

/// Why a string is not an arXiv id.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an arXiv id: {0:?} (expected e.g. 2509.16442, 2509.16442v2 or math/0309136)")]
pub struct IdError(pub String);

impl ArxivId {
    /// Parses an id with optional version; accepts the `arXiv:` and `oai:arXiv.org:` prefixes and
    /// `arxiv.org/abs/` links. Returns the canonical id and the version when one was given.
    pub fn parse_versioned(input: &str) -> Result<(ArxivId, Option<u32>), IdError> {
        let err = || IdError(input.to_string());
        let mut s = input.trim();
        for prefix in ["oai:arXiv.org:", "arXiv:", "arxiv:"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest;
            }
        }
        if let Some(pos) = s.find("arxiv.org/abs/") {
            s = &s[pos + "arxiv.org/abs/".len()..];
        }
        let (body, version) = split_version(s).ok_or_else(err)?;
        let canonical = if let Some((archive, number)) = body.split_once('/') {
            let archive = archive.split('.').next().unwrap_or("");
            let archive_ok =
                !archive.is_empty() && archive.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            let number_ok = number.len() == 7 && number.bytes().all(|b| b.is_ascii_digit());
            if !archive_ok || !number_ok {
                return Err(err());
            }
            format!("{archive}/{number}")
        } else {
            let (yymm, number) = body.split_once('.').ok_or_else(err)?;
            let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
            if yymm.len() != 4
                || !digits(yymm)
                || !(4..=5).contains(&number.len())
                || !digits(number)
            {
                return Err(err());
            }
            body.to_string()
        };
        Ok((ArxivId(canonical), version))
    }

    /// Parses an id, ignoring any version.
    pub fn parse(input: &str) -> Result<ArxivId, IdError> {
        Self::parse_versioned(input).map(|(id, _)| id)
    }

    /// Wraps a string already known to be canonical (read back from the archive).
    pub fn from_canonical(s: String) -> ArxivId {
        ArxivId(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The abstract page, as the feed's `link` writes it.
    pub fn abs_url(&self) -> String {
        format!("https://arxiv.org/abs/{}", self.0)
    }
}

fn split_version(s: &str) -> Option<(&str, Option<u32>)> {
    match s.rfind('v') {
        Some(pos) if pos > 0 && s[pos + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            let version = s[pos + 1..].parse().ok()?;
            Some((&s[..pos], Some(version)))
        }
        _ => Some((s, None)),
    }
}

impl fmt::Display for ArxivId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_schemes_with_and_without_versions() {
        let cases = [
            ("2509.16442", "2509.16442", None),
            ("2509.16442v3", "2509.16442", Some(3)),
            ("0704.0001", "0704.0001", None),
            ("arXiv:2501.00001v1", "2501.00001", Some(1)),
            ("oai:arXiv.org:2509.19209v2", "2509.19209", Some(2)),
            ("https://arxiv.org/abs/2509.16442", "2509.16442", None),
            ("math.GT/0309136", "math/0309136", None),
            ("hep-th/9608091v2", "hep-th/9608091", Some(2)),
            ("astro-ph/0601001", "astro-ph/0601001", None),
        ];
        for (input, id, version) in cases {
            let (got, v) = ArxivId::parse_versioned(input).unwrap();
            assert_eq!((got.as_str(), v), (id, version), "{input}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "abc",
            "2509.164",
            "25091.6442",
            "2509.1644222",
            "Math/0309136",
            "math/03091",
            "v2",
        ] {
            assert!(ArxivId::parse(bad).is_err(), "{bad}");
        }
    }
}
