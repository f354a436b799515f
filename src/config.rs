//! `arxiv-daily.toml`: the report profiles and service settings. Without a file, the default
//! profile (the original report: cs.IR, four title keywords) applies.

use std::path::Path;

use serde::Deserialize;

use crate::model::AnnounceType;

/// The file written into a new archive folder, with every default spelled out.
pub const DEFAULT_CONFIG: &str = r#"# arxiv-daily configuration. Every key is optional; these are the defaults.

# Base URL of the RSS feeds; a category's feed is <rss_url><category>.
# rss_url = "https://rss.arxiv.org/rss/"
# OAI-PMH endpoint used by `backfill`.
# oai_url = "https://oaipmh.arxiv.org/oai"
# Seconds between requests to arXiv (their terms ask for at least 3).
# min_interval = 3

# A profile is one daily report. Keywords match case-insensitively as substrings, as the original
# script did ("llm" also catches "MLLM"). A paper is kept when its title holds a title keyword or its
# abstract an abstract keyword, and neither holds an exclude keyword.
[[profile]]
name = "default"
categories = ["cs.IR"]
title_keywords = ["multimodal", "multi-modal", "generative", "llm"]
# abstract_keywords = []
# exclude_keywords = []
# announce_types = ["new", "cross", "replace", "replace-cross"]
# How README.md and papers.csv show arXiv's text: "none" (as arXiv sent it: Q&A, <EOS>), or
# "feedparser" (as the original run.py wrote it, through Python's feedparser: Q&amp;A, <EOS>
# dropped). `import legacy` into a new archive writes this file with "feedparser".
# compat = "none"

# Saved searches are profiles with a `query` in the search language (ti: au: abs: cat: id: all:,
# "phrases", OR, -term, parentheses), beside or instead of keywords: a paper of the categories is in
# the day's report when it passes the keywords (if any) and the query (if any), evaluated on the text
# that day listed. Each arrives as a daily report and as an Atom feed (`report feed --profile NAME`).
# Add one today and fill its history with `report rerun --profile NAME --from 2025-01-01 --to today`.
#
# [[profile]]
# name = "mcauley"                      # following an author
# categories = ["cs.IR", "cs.LG", "cs.CL"]
# query = 'au:mcauley'
#
# [[profile]]
# name = "generative-retrieval"         # a topic
# categories = ["cs.IR"]
# query = '"generative retrieval" OR "semantic ids"'
#
# [[profile]]
# name = "recsys"                       # a topic minus noise
# categories = ["cs.IR"]
# query = 'recommendation -survey'
"#;

/// The line of [`DEFAULT_CONFIG`] that `compat` takes, commented out.
const COMPAT_DEFAULT_LINE: &str = "# compat = \"none\"\n";

/// The file written into a new archive folder by `import legacy`: the defaults, with the
/// default profile in `compat = "feedparser"`, since an archive that starts from the original
/// script's reports is continuing them, and those held feedparser's text.
pub fn legacy_config() -> String {
    DEFAULT_CONFIG.replacen(COMPAT_DEFAULT_LINE, "compat = \"feedparser\"\n", 1)
}

/// A profile name that the config does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile {name:?} (configured: {})", .known.join(", "))]
pub struct UnknownProfile {
    pub name: String,
    /// The profiles the config defines, in its order.
    pub known: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default, rename = "profile")]
    pub profiles: Vec<Profile>,
    pub rss_url: Option<String>,
    pub oai_url: Option<String>,
    pub min_interval: Option<f64>,
    /// `[embeddings]`: the sentence-embedding model (see `embed`).
    pub embeddings: Option<ModelConfig>,
}

/// `[embeddings]`: a model folder (`model = "DIR"`, relative to the data folder), or an
/// OpenAI-compatible endpoint (`endpoint = "http://host:port/v1"`, `endpoint_model = "NAME"`;
/// its key from `ARXIV_DAILY_EMBEDDINGS_KEY`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    pub model: Option<String>,
    pub endpoint: Option<String>,
    pub endpoint_model: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub categories: Vec<String>,
    #[serde(default)]
    pub title_keywords: Vec<String>,
    #[serde(default)]
    pub abstract_keywords: Vec<String>,
    #[serde(default)]
    pub exclude_keywords: Vec<String>,
    #[serde(default = "all_types", deserialize_with = "announce_types")]
    pub announce_types: Vec<AnnounceType>,
    /// A saved search: a paper is kept only when this query (the `search` language) matches the
    /// text the day listed.
    #[serde(default)]
    pub query: Option<String>,
    /// How the original format (README.md, papers.csv) shows text fetched from arXiv; `None`
    /// when the file does not say (then [`Compat::None`], see [`Profile::compat`]), which
    /// `import legacy` tells apart from a deliberate `"none"`.
    #[serde(default)]
    pub compat: Option<Compat>,
}

/// `compat`: whose text the original-format report shows. A new profile gets arXiv's text as
/// the archive stores it; a repository that continues the original script's reports wants the
/// bytes that script wrote, which went through Python's feedparser (`report::feedparser`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compat {
    /// The text as arXiv sent it (`Q&A`, `<EOS>`).
    #[default]
    None,
    /// As feedparser 6.0.11 gave it to the original script: the abstract through its HTML
    /// sanitizer (`Q&amp;A`, `<EOS>` dropped), a title only when it looks like HTML.
    Feedparser,
}

fn all_types() -> Vec<AnnounceType> {
    AnnounceType::ALL.to_vec()
}

fn announce_types<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<AnnounceType>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    names
        .iter()
        .map(|n| {
            AnnounceType::parse(n).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown announce type {n:?} (expected new, cross, replace or replace-cross)"
                ))
            })
        })
        .collect()
}

/// A profile's folder name (in the site and a report repository): its name, with anything but letters, digits, `-`, `_` and `.` as `-`.
pub fn folder_name(profile: &str) -> String {
    let s: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("p{s}")
    } else {
        s
    }
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl Profile {
    /// The original report's profile.
    pub fn default_profile() -> Profile {
        Profile {
            name: "default".into(),
            categories: vec!["cs.IR".into()],
            title_keywords: ["multimodal", "multi-modal", "generative", "llm"]
                .map(String::from)
                .to_vec(),
            abstract_keywords: vec![],
            exclude_keywords: vec![],
            announce_types: all_types(),
            query: None,
            compat: None,
        }
    }

    /// The profile's `compat`, [`Compat::None`] when it sets none.
    pub fn compat(&self) -> Compat {
        self.compat.unwrap_or_default()
    }

    /// One line saying what the profile selects (feed subtitles, the web reader).
    pub fn summary(&self) -> String {
        let mut parts = vec![self.categories.join(", ")];
        if !self.title_keywords.is_empty() {
            parts.push(format!("title has {}", self.title_keywords.join(" / ")));
        }
        if !self.abstract_keywords.is_empty() {
            parts.push(format!(
                "abstract has {}",
                self.abstract_keywords.join(" / ")
            ));
        }
        if let Some(q) = &self.query {
            parts.push(format!("matches {q}"));
        }
        parts.join("; ")
    }

    /// Whether the profile filters by keywords (else only its query, if any, decides).
    pub fn has_keywords(&self) -> bool {
        !self.title_keywords.is_empty() || !self.abstract_keywords.is_empty()
    }

    /// Whether a paper with this title and abstract belongs in the report.
    pub fn keeps(
        &self,
        title: &str,
        abstract_text: &str,
        announce_type: Option<AnnounceType>,
    ) -> bool {
        if let Some(t) = announce_type
            && !self.announce_types.contains(&t)
        {
            return false;
        }
        let title = title.to_lowercase();
        let abs = abstract_text.to_lowercase();
        let hit =
            |text: &str, words: &[String]| words.iter().any(|w| text.contains(&w.to_lowercase()));
        (!self.has_keywords()
            || hit(&title, &self.title_keywords)
            || hit(&abs, &self.abstract_keywords))
            && !hit(&title, &self.exclude_keywords)
            && !hit(&abs, &self.exclude_keywords)
    }
}

/// The line of the `query` of the `i`-th profile in the file's text.
fn query_line(text: &str, i: usize) -> Option<usize> {
    #[derive(Deserialize)]
    struct Spans {
        #[serde(default)]
        profile: Vec<ProfileSpan>,
    }
    #[derive(Deserialize)]
    struct ProfileSpan {
        query: Option<toml::Spanned<String>>,
    }
    let spans: Spans = toml::from_str(text).ok()?;
    let start = spans.profile.get(i)?.query.as_ref()?.span().start;
    Some(text[..start.min(text.len())].matches('\n').count() + 1)
}

impl Config {
    /// Reads the file at `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DEFAULT_CONFIG.to_string(),
            Err(e) => {
                return Err(ConfigError {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, location: &str) -> Result<Config, ConfigError> {
        let fail = |message: String| ConfigError {
            path: location.to_string(),
            message,
        };
        let mut config: Config =
            toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_string()))?;
        if config.profiles.is_empty() {
            config.profiles.push(Profile::default_profile());
        }
        for (i, p) in config.profiles.iter().enumerate() {
            if p.name.trim().is_empty() {
                return Err(fail(format!("profile {}: `name` is empty", i + 1)));
            }
            if p.categories.is_empty() {
                return Err(fail(format!("profile {:?}: `categories` is empty", p.name)));
            }
            if config.profiles[..i].iter().any(|q| q.name == p.name) {
                return Err(fail(format!("profile {:?} is defined twice", p.name)));
            }
            if let Some(query) = &p.query
                && let Err((column, why)) = crate::index::query::check_query(query)
            {
                return Err(fail(format!(
                    "line {}: profile {:?}: query {query:?}, column {column}: {why}",
                    query_line(text, i).unwrap_or(1),
                    p.name
                )));
            }
        }
        if let Some(m) = config.min_interval
            && !(m >= 0.0 && m.is_finite())
        {
            return Err(fail(format!(
                "key `min_interval`: must be a number of seconds >= 0, found {m}"
            )));
        }
        Ok(config)
    }

    /// The profile of that name, or with `None` the one a page or command means when it names
    /// none: `default`, else the first configured one. The one lookup of a profile by name (the
    /// CLI, the server); the error names the profile sought and the configured ones.
    pub fn profile(&self, name: Option<&str>) -> Result<&Profile, UnknownProfile> {
        let found = match name {
            Some(name) => self.profiles.iter().find(|p| p.name == name),
            None => self
                .profiles
                .iter()
                .find(|p| p.name == "default")
                .or(self.profiles.first()),
        };
        found.ok_or_else(|| UnknownProfile {
            name: name.unwrap_or("default").to_string(),
            known: self.profiles.iter().map(|p| p.name.clone()).collect(),
        })
    }

    /// Every category some profile needs, in first-mention order.
    pub fn categories(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.profiles.iter().flat_map(|p| &p.categories) {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_is_the_default_profile() {
        let c = Config::parse(DEFAULT_CONFIG, "x").unwrap();
        assert_eq!(c.profiles, vec![Profile::default_profile()]);
        assert_eq!(c.categories(), vec!["cs.IR"]);
    }

    #[test]
    fn compat_is_off_by_default_and_on_in_the_legacy_file() {
        assert_eq!(DEFAULT_CONFIG.matches(COMPAT_DEFAULT_LINE).count(), 1);
        let c = Config::parse(&legacy_config(), "x").unwrap();
        assert_eq!(c.profiles[0].compat(), Compat::Feedparser);
        assert_eq!(Profile::default_profile().compat(), Compat::None);
        assert_eq!(
            Config::parse(&legacy_config(), "x").unwrap().profiles[0].name,
            "default"
        );
        let err = Config::parse(
            "[[profile]]\nname = \"x\"\ncategories = [\"cs.IR\"]\ncompat = \"python\"\n",
            "cfg.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 4") && err.contains("feedparser"),
            "{err}"
        );
    }

    #[test]
    fn keywords_match_as_case_insensitive_substrings() {
        let p = Profile::default_profile();
        assert!(p.keeps("RankLLM: a reranker", "", None));
        assert!(p.keeps("Towards MLLMs", "", None));
        assert!(p.keeps("Multi-Modal retrieval", "", None));
        assert!(!p.keeps("Dense retrieval", "uses an LLM", None));
        let mut q = p.clone();
        q.exclude_keywords = vec!["survey".into()];
        q.abstract_keywords = vec!["retrieval".into()];
        q.announce_types = vec![AnnounceType::New];
        assert!(q.keeps("Dense", "Retrieval", Some(AnnounceType::New)));
        assert!(!q.keeps("Dense", "Retrieval", Some(AnnounceType::Cross)));
        assert!(!q.keeps("An LLM survey", "", Some(AnnounceType::New)));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let err = Config::parse(
            "[[profile]]\nname = \"x\"\ncategories = [\"cs.IR\"]\ntitle_keyword = [\"a\"]\n",
            "cfg.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("cfg.toml:") && err.contains("line 4") && err.contains("title_keyword"),
            "{err}"
        );
        let err = Config::parse(
            "[[profile]]\nname = \"x\"\ncategories = [\"cs.IR\"]\nannounce_types = [\"old\"]\n",
            "cfg.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 4") && err.contains("unknown announce type"),
            "{err}"
        );
        let err = Config::parse("[[profile]]\nname = \"x\"\ncategories = []\n", "cfg.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("categories"), "{err}");
    }
}
