//! arXiv's daily RSS feed (`rss.arxiv.org/rss/<cat>`): the channel's `pubDate` is the announcement
//! day; each item is one paper as announced that day, in feed order.

use jiff::Timestamp;

use super::SourceError;
use super::xml::{XmlEvent, walk};
use crate::model::{AnnounceType, ArxivId, Day, Snapshot, day::arxiv_tz};

/// Field sizes beyond anything arXiv serves; larger ones mean a broken or hostile response.
const MAX_TITLE: usize = 64 * 1024;
const MAX_TEXT: usize = 1024 * 1024;

/// One item of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub id: ArxivId,
    pub announce_type: AnnounceType,
    pub link: String,
    pub snapshot: Snapshot,
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The announcement day: the channel `pubDate` on arXiv's clock.
    pub day: Day,
    /// The channel's `lastBuildDate` as RFC 3339, when present.
    pub build_time: Option<String>,
    /// The categories the channel's `<link>` names (`.../rss/cs.IR+cs.CL`), for saved feed files.
    pub channel_categories: Vec<String>,
    pub items: Vec<FeedItem>,
}

#[derive(Default)]
struct RawItem {
    title: String,
    link: String,
    description: String,
    guid: String,
    categories: Vec<String>,
    announce_type: String,
    rights: String,
    doi: String,
    journal_ref: String,
    creator: String,
    line_hint: usize,
}

/// Parses a feed. `location` (a URL or path) names the input in errors.
pub fn parse(xml: &str, location: &str) -> Result<Feed, SourceError> {
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut pub_date = None;
    let mut build_date = None;
    let mut channel_link = String::new();
    let mut raw_items: Vec<RawItem> = Vec::new();
    let mut current: Option<RawItem> = None;
    let mut root_ok = None;
    walk(xml, location, |event| {
        match event {
            XmlEvent::Start { name, .. } => {
                if path.is_empty() {
                    root_ok = Some(name == "rss");
                    if name != "rss" {
                        return Err(format!(
                            "not an RSS feed: the root element is <{name}>, expected <rss>"
                        ));
                    }
                }
                if name == "item" && path.last().map(String::as_str) == Some("channel") {
                    current = Some(RawItem {
                        line_hint: raw_items.len() + 1,
                        ..RawItem::default()
                    });
                }
                path.push(name.to_string());
                text.clear();
            }
            XmlEvent::Text(t) => text.push_str(t),
            XmlEvent::End { name, .. } => {
                let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
                let value = std::mem::take(&mut text);
                match (parent, name) {
                    (Some("channel"), "pubDate") => pub_date = Some(value),
                    (Some("channel"), "lastBuildDate") => build_date = Some(value),
                    (Some("channel"), "link") => channel_link = value,
                    (Some("channel"), "item") => {
                        if let Some(item) = current.take() {
                            raw_items.push(item);
                        }
                    }
                    (Some("item"), field) => {
                        if let Some(item) = current.as_mut() {
                            match field {
                                "title" => item.title = value,
                                "link" => item.link = value,
                                "description" => item.description = value,
                                "guid" => item.guid = value,
                                "category" => item.categories.push(value.trim().to_string()),
                                "arxiv:announce_type" => item.announce_type = value,
                                "dc:rights" => item.rights = value,
                                "arxiv:DOI" => item.doi = value,
                                "arxiv:journal_reference" => item.journal_ref = value,
                                "dc:creator" => item.creator = value,
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                path.pop();
            }
        }
        Ok(())
    })?;
    if root_ok != Some(true) {
        return Err(SourceError::format(location, "not an RSS feed"));
    }
    let pub_date = pub_date.ok_or_else(|| {
        SourceError::format(location, "not an arXiv feed: the channel has no <pubDate>")
    })?;
    let day = parse_rfc2822_day(&pub_date).ok_or_else(|| {
        SourceError::format(
            location,
            format!("the channel <pubDate> is not a date: {pub_date:?}"),
        )
    })?;
    let build_time = build_date
        .as_deref()
        .and_then(parse_rfc2822)
        .map(|t| t.to_string());
    let items = raw_items
        .into_iter()
        .map(|raw| item(raw, location))
        .collect::<Result<Vec<_>, _>>()?;
    let channel_categories = channel_link
        .trim()
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(|s| s.split('+').map(str::to_string).collect())
        .unwrap_or_default();
    Ok(Feed {
        day,
        build_time,
        channel_categories,
        items,
    })
}

fn item(raw: RawItem, location: &str) -> Result<FeedItem, SourceError> {
    let n = raw.line_hint;
    let fail = |msg: String| SourceError::format(location, format!("item {n}: {msg}"));
    for (field, value, max) in [
        ("title", &raw.title, MAX_TITLE),
        ("description", &raw.description, MAX_TEXT),
        ("dc:creator", &raw.creator, MAX_TEXT),
    ] {
        if value.len() > max {
            return Err(fail(format!(
                "<{field}> is {} bytes, more than the {max} any arXiv record holds",
                value.len()
            )));
        }
    }
    if raw.guid.trim().is_empty() {
        return Err(fail("no <guid> (expected oai:arXiv.org:<id>v<N>)".into()));
    }
    let (id, version) =
        ArxivId::parse_versioned(raw.guid.trim()).map_err(|e| fail(format!("bad <guid>: {e}")))?;
    let announce_type = AnnounceType::parse(&raw.announce_type).ok_or_else(|| {
        fail(format!(
            "unknown announce type {:?} (expected new, cross, replace or replace-cross)",
            raw.announce_type
        ))
    })?;
    let abstract_text = match raw.description.find("Abstract: ") {
        Some(pos) => raw.description[pos + "Abstract: ".len()..].to_string(),
        None => raw.description.clone(),
    };
    let opt = |s: String| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let link = if raw.link.trim().is_empty() {
        id.abs_url()
    } else {
        raw.link.trim().to_string()
    };
    Ok(FeedItem {
        id,
        announce_type,
        link,
        snapshot: Snapshot {
            version,
            title: raw.title,
            abstract_text,
            authors: raw.creator,
            categories: raw.categories,
            doi: opt(raw.doi),
            journal_ref: opt(raw.journal_ref),
            license: opt(raw.rights),
            submitted: None,
        },
    })
}

fn parse_rfc2822(s: &str) -> Option<Timestamp> {
    jiff::fmt::rfc2822::parse(s.trim())
        .ok()
        .map(|z| z.timestamp())
}

/// The day of an RFC 2822 time on arXiv's clock.
pub fn parse_rfc2822_day(s: &str) -> Option<Day> {
    parse_rfc2822(s).map(|t| Day::from(t.to_zoned_datetime(arxiv_tz()).date()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(items: &str) -> String {
        format!(
            r#"<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>cs.IR updates on arXiv.org</title>
    <lastBuildDate>Wed, 24 Sep 2025 04:00:02 +0000</lastBuildDate>
    <pubDate>Wed, 24 Sep 2025 00:00:00 -0400</pubDate>
    {items}
  </channel>
</rss>
"#
        )
    }

    const ITEM: &str = r#"<item>
      <title>Q&amp;A with LLMs: $\alpha$ &lt;b&gt;</title>
      <link>https://arxiv.org/abs/2509.19209</link>
      <description>arXiv:2509.19209v2 Announce Type: replace-cross 
Abstract: First paragraph &amp; more.
  Second paragraph.</description>
      <guid isPermaLink="false">oai:arXiv.org:2509.19209v2</guid>
      <category>cs.CL</category>
      <category>cs.IR</category>
      <pubDate>Wed, 24 Sep 2025 00:00:00 -0400</pubDate>
      <arxiv:announce_type>replace-cross</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>Ana Barth\'elemy, Bo Li (MIT)</dc:creator>
      <arxiv:DOI>10.1/x</arxiv:DOI>
    </item>"#;

    #[test]
    fn parses_an_item_with_entities_tex_and_paragraphs() {
        let f = parse(&feed(ITEM), "u").unwrap();
        assert_eq!(f.day.to_string(), "2025-09-24");
        assert_eq!(f.build_time.as_deref(), Some("2025-09-24T04:00:02Z"));
        let it = &f.items[0];
        assert_eq!(it.id.as_str(), "2509.19209");
        assert_eq!(it.snapshot.version, Some(2));
        assert_eq!(it.announce_type, AnnounceType::ReplaceCross);
        assert_eq!(it.snapshot.title, "Q&A with LLMs: $\\alpha$ <b>");
        assert_eq!(
            it.snapshot.abstract_text,
            "First paragraph & more.\n  Second paragraph."
        );
        assert_eq!(it.snapshot.authors, "Ana Barth\\'elemy, Bo Li (MIT)");
        assert_eq!(it.snapshot.categories, vec!["cs.CL", "cs.IR"]);
        assert_eq!(it.snapshot.doi.as_deref(), Some("10.1/x"));
    }

    #[test]
    fn an_empty_channel_is_a_day_without_items() {
        let f = parse(&feed(""), "u").unwrap();
        assert!(f.items.is_empty());
    }

    #[test]
    fn rejects_what_is_not_an_arxiv_feed() {
        let cases = [
            (
                "<html><body>Error 503</body></html>",
                "root element is <html>",
            ),
            ("", "empty document"),
            (&feed(ITEM)[..400] as &str, "truncated XML"),
            ("<rss><channel></channel></rss>", "no <pubDate>"),
            (
                &feed(&ITEM.replace(
                    "<guid isPermaLink=\"false\">oai:arXiv.org:2509.19209v2</guid>",
                    "",
                )) as &str,
                "no <guid>",
            ),
            (
                &feed(&ITEM.replace(
                    ">replace-cross</arxiv:announce_type>",
                    ">bogus</arxiv:announce_type>",
                )) as &str,
                "unknown announce type",
            ),
            ("not xml at all", "not an XML document"),
        ];
        for (xml, want) in cases {
            let err = parse(xml, "http://x/rss/cs.IR").unwrap_err().to_string();
            assert!(
                err.contains(want) && err.starts_with("http://x/rss/cs.IR"),
                "{want}: {err}"
            );
        }
    }
}
