//! Reading a reader's existing library: BibTeX as Zotero, Mendeley, Google Scholar and arXiv
//! export it (parsed by the `biblatex` crate's raw parser), plain text with one id or link per
//! line, and `library export --format json`'s lines. Each entry is matched to a paper by its
//! arXiv id (the `eprint` field, an arxiv.org link in `url`, a `10.48550/arXiv.` DOI, `arXiv:` in
//! `journal`, `note` and the like), else by its title, normalized, against the archive.
//!
//! The tag policy is here too, for every front that imports: where the matched entries go
//! (`check_target`, `save`) and what an import did (`Imported`).

use anyhow::Context;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::{Kind, Library, Tag, parse_id};
use crate::archive::{Location, Reader, Reads};
use crate::model::ArxivId;

/// One entry of the file, before matching.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The BibTeX key, or the line's text.
    pub key: String,
    /// 1-based line where it starts.
    pub line: usize,
    /// The id the entry names, and the field that named it.
    pub id: Option<(ArxivId, &'static str)>,
    pub title: Option<String>,
    /// From a JSON export: the entry's tag, kind and date.
    pub kept: Option<(String, Kind, String)>,
}

/// How an item was matched.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Matched {
    pub key: String,
    pub line: usize,
    pub id: String,
    /// The field that gave the id (`eprint`, `url`, `doi`, `journal`, ..., `title`, `line`).
    pub by: &'static str,
}

/// An entry no paper of the archive matched.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unmatched {
    pub key: String,
    pub line: usize,
    pub title: Option<String>,
    /// The entry's id, when arXiv does not know it (a mistyped id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_id: Option<String>,
}

/// Reads a file's text; a file that is not UTF-8 is an error naming it and the line.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        anyhow::anyhow!("{}:{line}: not UTF-8 text", path.display())
    })
}

/// The entries of a file's text, read and checked whole (an error names the file and line).
pub fn entries<'t>(path: &Path, text: &'t str) -> anyhow::Result<Entries<'t>> {
    Entries::parse(text).map_err(|(line, why)| anyhow::anyhow!("{}:{line}: {why}", path.display()))
}

/// Parses a file's text into items (see [`Entries::parse`]).
pub fn parse(text: &str) -> Result<Vec<Item>, (usize, String)> {
    Ok(Entries::parse(text)?.iter().map(Cow::into_owned).collect())
}

/// A file's entries, read and checked. BibTeX is parsed whole, into items; a list of ids or a
/// JSON export is checked line by line and read again at each pass over it, so that a file of
/// millions of ids is held as its text alone, never as millions of items.
pub struct Entries<'t> {
    text: &'t str,
    form: Form,
}

enum Form {
    Bibtex(Vec<Item>),
    Json,
    Plain,
}

impl<'t> Entries<'t> {
    /// BibTeX when the first non-blank character is `@` (or a `%` comment), JSON lines when it
    /// is `{`, else plain text. A UTF-8 byte order mark at the start is not part of the text.
    /// Errors are (line, why): the first line that does not read.
    pub fn parse(text: &'t str) -> Result<Entries<'t>, (usize, String)> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let form = match text.trim_start().chars().next() {
            Some('@') | Some('%') => Form::Bibtex(parse_bibtex(text)?),
            Some('{') => {
                json_items(text).try_for_each(|r| r.map(drop))?;
                Form::Json
            }
            _ => {
                plain_items(text).try_for_each(|r| r.map(drop))?;
                Form::Plain
            }
        };
        Ok(Entries { text, form })
    }

    /// Whether every entry names its own tag (a `library export --format json`).
    pub fn kept(&self) -> bool {
        matches!(self.form, Form::Json)
    }

    /// The tags' descriptions a JSON export carries: (tag, description), in file order.
    pub fn descriptions(&self) -> Vec<(String, String)> {
        match self.form {
            Form::Json => json_lines(self.text)
                .filter_map(|r| match r {
                    Ok(JsonItem::Description(t, d)) => Some((t, d)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The entries in file order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = Cow<'_, Item>> + '_> {
        // Every line was checked by `parse`: none fails now.
        match &self.form {
            Form::Bibtex(items) => Box::new(items.iter().map(Cow::Borrowed)),
            Form::Json => Box::new(json_items(self.text).filter_map(Result::ok).map(Cow::Owned)),
            Form::Plain => Box::new(
                plain_items(self.text)
                    .filter_map(Result::ok)
                    .map(Cow::Owned),
            ),
        }
    }
}

/// Where each line of a text starts, to give an offset its line by a binary search (the text
/// is scanned once, not once per entry).
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines(starts)
    }

    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// The fields that may name an arXiv id, in the order they are trusted.
const ID_FIELDS: [&str; 9] = [
    "eprint",
    "arxivid",
    "url",
    "doi",
    "journal",
    "note",
    "howpublished",
    "number",
    "annote",
];

fn parse_bibtex(text: &str) -> Result<Vec<Item>, (usize, String)> {
    let lines = Lines::of(text);
    let bib = biblatex::RawBibliography::parse(text).map_err(|e| bibtex_error(text, &lines, &e))?;
    let macros = Macros::of(&bib);
    let mut items = Vec::with_capacity(bib.entries.len());
    for entry in &bib.entries {
        let e = &entry.v;
        let field = |name: &str| -> Option<String> {
            e.fields
                .iter()
                .find(|p| p.key.v.eq_ignore_ascii_case(name))
                .map(|p| macros.expand(&p.value.v))
        };
        let mut id = None;
        for name in ID_FIELDS {
            if let Some(v) = field(name)
                && let Some(found) = arxiv_id_in(name, &v)
            {
                id = Some((found, name));
                break;
            }
        }
        items.push(Item {
            key: e.key.v.to_string(),
            line: lines.line(entry.span.start),
            id,
            title: field("title").map(|t| clean_tex(&t)),
            kept: None,
        });
    }
    Ok(items)
}

/// The `@string` macros of a file, by lower-case name (BibTeX's names ignore case), each
/// expanded with the ones defined before it.
struct Macros(std::collections::HashMap<String, String>);

impl Macros {
    fn of(bib: &biblatex::RawBibliography<'_>) -> Macros {
        let mut m = Macros(std::collections::HashMap::new());
        for pair in &bib.abbreviations {
            let value = m.expand(&pair.value.v);
            m.0.insert(pair.key.v.to_lowercase(), value);
        }
        m
    }

    /// A field's value with its macros expanded; an unknown name (`sep`, a macro of a file not
    /// given) stays as it is written.
    fn expand(&self, value: &biblatex::Field<'_>) -> String {
        value
            .iter()
            .map(|c| match &c.v {
                biblatex::RawChunk::Normal(s) => *s,
                biblatex::RawChunk::Abbreviation(name) => self
                    .0
                    .get(&name.to_lowercase())
                    .map_or(*name, String::as_str),
            })
            .collect()
    }
}

/// A BibTeX parse error as (line, why). An entry whose braces (or quotes) never close reads
/// to the end of the file, where the parser stops: it is named by the line it starts on, and
/// the brace or quote left open by its own line.
fn bibtex_error(text: &str, lines: &Lines, e: &biblatex::ParseError) -> (usize, String) {
    let line_of = |offset: usize| lines.line(offset);
    let at = line_of(e.span.start);
    let Some(open) = open_at(text, e.span.start) else {
        return (at, format!("cannot read this BibTeX: {}", e.kind));
    };
    let start = line_of(open.entry);
    let head: String = text[open.entry..]
        .chars()
        .take_while(|c| !matches!(c, ',' | '\n' | '\r'))
        .take(60)
        .collect();
    let innermost = open.innermost.map(|(offset, c)| (line_of(offset), c));
    if matches!(e.kind, biblatex::ParseErrorKind::UnexpectedEof) {
        let why = match innermost {
            Some((line, '"')) => format!("the `\"` on line {line} is never closed"),
            Some((line, _)) => format!("the `{{` on line {line} is never closed"),
            None => "it is never closed".to_string(),
        };
        return (
            start,
            format!("the entry {head} that starts here reads to the end of the file: {why}"),
        );
    }
    // The parser stopped at the next entry: this one lacks a closing brace.
    if text[e.span.start.min(text.len())..]
        .trim_start()
        .starts_with('@')
    {
        return (
            start,
            format!(
                "the entry {head} that starts here is not closed before the next entry (line {at}): a `}}` is missing"
            ),
        );
    }
    (
        at,
        format!(
            "cannot read this BibTeX: {} (in the entry {head} that starts on line {start})",
            e.kind
        ),
    )
}

/// Where the entry around a position starts, and the brace or quote opened last and still open
/// there.
struct Open {
    entry: usize,
    innermost: Option<(usize, char)>,
}

/// Scans `text` up to `offset` as the `biblatex` parser reads braces: `@` at the top level
/// starts an entry, `{` and `}` nest (`\{` and `\}` do not count), a `"` directly inside an
/// entry opens a value that only the next `"` closes, `%` at the top level comments out its
/// line. `None` when `offset` is outside any entry.
fn open_at(text: &str, offset: usize) -> Option<Open> {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut entry = None;
    let mut braces: Vec<usize> = Vec::new();
    let mut quote: Option<usize> = None;
    let mut i = 0;
    while i < end {
        let b = bytes[i];
        if quote.is_some() {
            match b {
                b'\\' => i += 1,
                b'"' => quote = None,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'@' if braces.is_empty() => entry = Some(i),
            b'%' if braces.is_empty() => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\\' if !braces.is_empty() => i += 1,
            b'{' if entry.is_some() => braces.push(i),
            b'}' if !braces.is_empty() => {
                braces.pop();
                if braces.is_empty() {
                    entry = None;
                }
            }
            b'"' if braces.len() == 1 => quote = Some(i),
            _ => {}
        }
        i += 1;
    }
    let entry = entry.filter(|_| !braces.is_empty())?;
    let brace = braces
        .last()
        .filter(|_| braces.len() > 1)
        .map(|&o| (o, '{'));
    let innermost = match (quote, brace) {
        (Some(q), Some((b, _))) if b > q => Some((b, '{')),
        (Some(q), _) => Some((q, '"')),
        (None, b) => b,
    };
    Some(Open { entry, innermost })
}

/// The arXiv id a field's value names, if any.
fn arxiv_id_in(field: &str, value: &str) -> Option<ArxivId> {
    let v = value.trim();
    match field {
        "eprint" | "arxivid" => parse_id(v).ok(),
        "url" => v
            .split_whitespace()
            .filter(|u| u.contains("arxiv.org/"))
            .find_map(|u| parse_id(u).ok()),
        "doi" => {
            let lower = v.to_ascii_lowercase();
            let rest = lower.find("10.48550/arxiv.").map(|p| &v[p + 15..])?;
            parse_id(rest).ok()
        }
        // "arXiv preprint arXiv:2509.16442", "arXiv:2509.16442 [cs.IR]"
        _ => {
            let lower = v.to_ascii_lowercase();
            let mut from = 0;
            while let Some(p) = lower[from..].find("arxiv:") {
                let start = from + p + 6;
                let token: String = v[start..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-'))
                    .collect();
                if let Ok(id) = parse_id(token.trim_end_matches('.')) {
                    return Some(id);
                }
                from = start;
            }
            None
        }
    }
}

/// A list of ids, one a line (`#` comments and blank lines aside).
fn plain_items(text: &str) -> impl Iterator<Item = Result<Item, (usize, String)>> + '_ {
    text.lines().enumerate().filter_map(|(n, line)| {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            return None;
        }
        Some(
            parse_id(t)
                .map(|id| Item {
                    key: t.to_string(),
                    line: n + 1,
                    id: Some((id, "line")),
                    title: None,
                    kept: None,
                })
                .map_err(|_| {
                    (
                        n + 1,
                        format!(
                            "not an arXiv id or arxiv.org link: {t:?} (plain text is one per line)"
                        ),
                    )
                }),
        )
    })
}

/// A line of `library export --format json`: an entry (id, tag, kind, added), or a tag's
/// description (tag, description).
#[derive(Deserialize)]
struct JsonLine {
    id: Option<String>,
    tag: String,
    kind: Option<String>,
    added: Option<String>,
    description: Option<String>,
}

/// What a JSON line holds.
enum JsonItem {
    Entry(Item),
    Description(String, String),
}

/// `library export --format json`'s lines.
fn json_lines(text: &str) -> impl Iterator<Item = Result<JsonItem, (usize, String)>> + '_ {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            let e: JsonLine = serde_json::from_str(line).map_err(|e| (n + 1, e.to_string()))?;
            super::Tag::parse(&e.tag).map_err(|e| (n + 1, e.to_string()))?;
            let Some(key) = e.id else {
                return match e.description {
                    Some(d) if d.chars().count() <= super::DESCRIPTION_MAX => {
                        Ok(JsonItem::Description(e.tag, d))
                    }
                    Some(d) => Err((
                        n + 1,
                        super::LibraryError::DescriptionTooLong(d.chars().count()).to_string(),
                    )),
                    None => Err((n + 1, "neither an id nor a description".into())),
                };
            };
            let id = parse_id(&key).map_err(|e| (n + 1, e.to_string()))?;
            let kind = match e.kind.as_deref() {
                Some("saved") => Kind::Saved,
                Some("dismissed") => Kind::Dismissed,
                other => return Err((n + 1, format!("kind {other:?}: saved or dismissed"))),
            };
            let added = e.added.ok_or((n + 1, "no added".to_string()))?;
            jiff::Timestamp::from_str_checked(&added).map_err(|why| (n + 1, why))?;
            Ok(JsonItem::Entry(Item {
                key,
                line: n + 1,
                id: Some((id, "line")),
                title: None,
                kept: Some((e.tag, kind, added)),
            }))
        })
}

fn json_items(text: &str) -> impl Iterator<Item = Result<Item, (usize, String)>> + '_ {
    json_lines(text).filter_map(|r| match r {
        Ok(JsonItem::Entry(item)) => Some(Ok(item)),
        Ok(JsonItem::Description(..)) => None,
        Err(e) => Some(Err(e)),
    })
}

trait FromStrChecked {
    fn from_str_checked(s: &str) -> Result<(), String>;
}

impl FromStrChecked for jiff::Timestamp {
    fn from_str_checked(s: &str) -> Result<(), String> {
        s.parse::<jiff::Timestamp>()
            .map(|_| ())
            .map_err(|e| format!("added {s:?}: {e}"))
    }
}

/// Matches entries to the archive's papers: an id is taken as it is (a paper not archived yet
/// counts once it is fetched), unless arXiv does not know it; a title must be an archived
/// paper's.
pub struct Matcher {
    /// Normalized title -> id, for the titles of entries without an id.
    titled: HashMap<String, String>,
    /// Ids arXiv does not know: their entries are unmatched.
    unknown: HashSet<String>,
}

impl Matcher {
    /// Looks up the titles of `entries` that have no id, in one pass over the archive's titles
    /// (without an archive no title matches).
    pub fn new(reads: Option<&Reads<'_>>, entries: &Entries<'_>) -> anyhow::Result<Matcher> {
        let wanted: HashSet<String> = entries
            .iter()
            .filter(|i| i.id.is_none())
            .filter_map(|i| i.title.as_deref().map(normalize_title))
            .filter(|t| !t.is_empty())
            .collect();
        let titled = match reads {
            Some(r) if !wanted.is_empty() => r.papers_titled(&wanted, normalize_title)?,
            _ => HashMap::new(),
        };
        Ok(Matcher {
            titled,
            unknown: HashSet::new(),
        })
    }

    /// The matcher with the entries naming one of `ids` (ids arXiv's API does not know)
    /// unmatched.
    pub fn without(mut self, ids: impl IntoIterator<Item = String>) -> Matcher {
        self.unknown.extend(ids);
        self
    }

    /// The paper an entry names, or why it names none.
    pub fn matched(&self, item: &Item) -> Result<Matched, Unmatched> {
        let found = match &item.id {
            Some((id, by)) => Some((id.as_str().to_string(), *by)),
            None => item
                .title
                .as_deref()
                .and_then(|t| self.titled.get(&normalize_title(t)))
                .map(|id| (id.clone(), "title")),
        };
        match found {
            Some((id, _)) if self.unknown.contains(&id) => Err(Unmatched {
                key: item.key.clone(),
                line: item.line,
                title: item.title.clone(),
                unknown_id: Some(id),
            }),
            Some((id, by)) => Ok(Matched {
                key: item.key.clone(),
                line: item.line,
                id,
                by,
            }),
            None => Err(Unmatched {
                key: item.key.clone(),
                line: item.line,
                title: item.title.clone(),
                unknown_id: None,
            }),
        }
    }
}

/// What an import did with a file's entries.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    /// Entries matched to a paper (by id or by title).
    pub matched: usize,
    /// Of those, the entries matched by their title.
    pub by_title: usize,
    /// Entries no paper matched (no arXiv id and no archived paper has the title, or an id
    /// arXiv does not know).
    pub unmatched: usize,
    /// Library entries added or changed.
    pub added: usize,
    /// Tags' descriptions set or changed (a JSON export's, when its lines keep their tags).
    pub described: usize,
}

/// Checks that the entries of `file` have somewhere to go: the tag given, or their own (the
/// lines of `library export --format json` keep their tags). Called before anything is opened.
pub fn check_target(file: &Path, tag: Option<&Tag>, entries: &Entries<'_>) -> anyhow::Result<()> {
    if tag.is_none() && !entries.kept() {
        anyhow::bail!(
            "{}: say which tag to save these papers to (--tag TAG)",
            file.display()
        );
    }
    Ok(())
}

/// The matcher of `entries` against the archive at `loc` when there is one (without an archive
/// only ids match).
pub fn matcher(loc: &Location, entries: &Entries<'_>) -> anyhow::Result<Matcher> {
    if loc.db_path().is_file() {
        let reader = Reader::open(loc)?;
        reader.read(|r| Matcher::new(Some(r), entries))
    } else {
        Matcher::new(None, entries)
    }
}

/// Saves the matched entries to the library, in one change: the whole file or nothing (a kill
/// part way leaves the library as it was). With `tag`, every entry goes to it (an exported line
/// keeps its kind and date); without, each exported line goes to its own tag, checked as any tag
/// name is, and an entry without one is left out (`check_target` refuses such a file).
pub fn save(
    library: &mut Library,
    entries: &Entries<'_>,
    matcher: &Matcher,
    tag: Option<&Tag>,
) -> super::Result<Imported> {
    library.change(|c| {
        let mut done = Imported::default();
        for item in entries.iter() {
            let Ok(m) = matcher.matched(&item) else {
                done.unmatched += 1;
                continue;
            };
            done.matched += 1;
            done.by_title += usize::from(m.by == "title");
            let id = ArxivId::from_canonical(m.id);
            let one = std::slice::from_ref(&id);
            done.added += match (tag, &item.kept) {
                (Some(t), Some((_, kind, added))) => c.put(t, one, *kind, Some(added))?,
                (None, Some((t, kind, added))) => {
                    c.put(&Tag::parse(t)?, one, *kind, Some(added))?
                }
                (Some(t), None) => c.put(t, one, Kind::Saved, None)?,
                (None, None) => 0,
            };
        }
        if tag.is_none() {
            for (t, d) in entries.descriptions() {
                done.described += usize::from(c.describe(&Tag::parse(&t)?, &d)?);
            }
        }
        Ok(done)
    })
}

/// TeX as a title is read: accents (`\"o`, `{\'e}`) become the letter, commands and braces
/// go, whitespace is one space.
pub fn clean_tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' => {}
            '\\' => {
                // An accent command keeps its letter; a word command (\emph, \textbf) goes.
                match chars.peek() {
                    Some(&a) if "'\"^`~=.".contains(a) => {
                        chars.next();
                    }
                    Some(a) if a.is_ascii_alphabetic() => {
                        let mut name = String::new();
                        while let Some(&a) = chars.peek() {
                            if a.is_ascii_alphabetic() {
                                name.push(a);
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        if name.len() == 1 && "uvHckrdb".contains(name.as_str()) {
                            // \v{c}, \c c: the letter follows.
                        } else if matches!(name.as_str(), "ss") {
                            out.push_str("ss");
                        } else if matches!(name.as_str(), "o" | "O" | "l" | "L" | "i" | "j") {
                            out.push_str(&name.to_lowercase());
                        }
                        if chars.peek() == Some(&' ') {
                            chars.next();
                        }
                    }
                    Some(_) => {
                        // \& \% \$ \_ : the character itself.
                        if let Some(a) = chars.next() {
                            out.push(a);
                        }
                    }
                    None => {}
                }
            }
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A title as matching compares it: TeX read, accents dropped (compatibility decomposition,
/// NFKD, without its combining marks: `ù` and `{\`u}` are `u`, `ﬁ` is `fi`), lower case,
/// letters and digits only, one space between words.
pub fn normalize_title(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let clean = clean_tex(s);
    let mut out = String::with_capacity(clean.len());
    let mut push = |c: char| {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    };
    for c in clean.nfkd().filter(|c| !is_combining_mark(*c)) {
        for c in c.to_lowercase() {
            match undecomposed(c) {
                Some(base) => base.chars().for_each(&mut push),
                None => push(c),
            }
        }
    }
    out.trim().to_string()
}

/// The Latin letters that have no decomposition but that TeX writes as a command of their
/// base letters (`\o`, `\l`, `\i`, `\ss`: see [`clean_tex`]).
fn undecomposed(c: char) -> Option<&'static str> {
    match c {
        'ø' => Some("o"),
        'ł' => Some("l"),
        'ı' => Some("i"),
        'ß' => Some("ss"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZOTERO: &str = r#"
@article{wang_generative_2025,
	title = {Generative {Retrieval} for {Recommendation}},
	url = {http://arxiv.org/abs/2509.16442v2},
	doi = {10.48550/arXiv.2509.16442},
	journal = {arXiv},
	author = {Wang, Wei and M{\"u}ller, Jörg},
	month = sep,
	year = {2025},
	note = {arXiv:2509.16442 [cs]},
}
@misc{scholar,
  title={Dense passage retrieval for open-domain question answering},
  author={Karpukhin, Vladimir},
  journal={arXiv preprint arXiv:2004.04906},
  year={2020}
}
@inproceedings{conf,
  title = {{\'E}tude of {BM25}: \emph{Ranking} \& Retrieval},
  booktitle = {SIGIR},
}
@misc{arxiv2025,
      title={Something}, 
      author={A and B},
      year={2025},
      eprint={2508.00001},
      archivePrefix={arXiv},
      primaryClass={cs.IR},
      url={https://arxiv.org/abs/2508.00001}, 
}
"#;

    #[test]
    fn bibtex_entries_give_their_ids_by_the_field_that_names_them() {
        let items = parse(ZOTERO).unwrap();
        let got: Vec<_> = items
            .iter()
            .map(|i| {
                (
                    i.key.as_str(),
                    i.line,
                    i.id.as_ref().map(|(id, by)| (id.as_str().to_string(), *by)),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "wang_generative_2025",
                    2,
                    Some(("2509.16442".into(), "url"))
                ),
                ("scholar", 12, Some(("2004.04906".into(), "journal"))),
                ("conf", 18, None),
                ("arxiv2025", 22, Some(("2508.00001".into(), "eprint"))),
            ]
        );
        assert_eq!(
            items[2].title.as_deref(),
            Some("Etude of BM25: Ranking & Retrieval")
        );
        assert_eq!(
            normalize_title(items[2].title.as_deref().unwrap()),
            "etude of bm25 ranking retrieval"
        );
        assert_eq!(
            normalize_title("{É}tude  of BM25 -- Ranking & Retrieval"),
            "etude of bm25 ranking retrieval"
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_file() {
        let items = parse("\u{feff}@misc{a,\n  eprint = {2509.16442},\n}\n").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].key, "a");
        assert_eq!(
            items[0].id.as_ref().map(|(id, _)| id.as_str()),
            Some("2509.16442")
        );
        let items = parse("\u{feff}2509.16442\n").unwrap();
        assert_eq!(items[0].line, 1);
    }

    #[test]
    fn string_macros_are_expanded() {
        let bib = "@string{pre = \"arXiv preprint \"}\n\
                   @STRING{id1 = {arXiv:2509.16443}}\n\
                   @String{both = pre # \"arXiv:2509.16445\"}\n\
                   @misc{b,\n  note = id1,\n}\n\
                   @misc{c,\n  journal = pre # \"arXiv:2509.16444\",\n}\n\
                   @misc{d,\n  note = BOTH,\n}\n\
                   @misc{e,\n  title = {T},\n  month = sep,\n}\n";
        let got: Vec<_> = parse(bib)
            .unwrap()
            .into_iter()
            .map(|i| (i.key, i.id.map(|(id, by)| (id.as_str().to_string(), by))))
            .collect();
        assert_eq!(
            got,
            vec![
                ("b".to_string(), Some(("2509.16443".to_string(), "note"))),
                ("c".into(), Some(("2509.16444".into(), "journal"))),
                ("d".into(), Some(("2509.16445".into(), "note"))),
                ("e".into(), None),
            ]
        );
    }

    #[test]
    fn an_unclosed_entry_is_named_by_the_line_it_starts_on() {
        let bib = "@misc{a,\n  eprint = {2509.16442},\n}\n\
                   @misc{b,\n  title = {B},\n  note = {never closed,\n\
                   @misc{c,\n  eprint = {2509.16444},\n}\n";
        let (line, why) = parse(bib).unwrap_err();
        assert_eq!(line, 4, "{why}");
        assert!(why.contains("line 6"), "{why}");
        assert!(why.contains("@misc{b"), "{why}");
        // A quote left open.
        let bib =
            "@misc{a,\n  eprint = {2509.16442},\n}\n\n@misc{q,\n  title = \"Never closed,\n}\n";
        let (line, why) = parse(bib).unwrap_err();
        assert_eq!(line, 5, "{why}");
        assert!(why.contains("line 6"), "{why}");
        // A `}` missing from an entry: the next entry is where the parser stops.
        let bib = "@misc{a,\n  eprint = {2509.16442},\n}\n\
                   @misc{b,\n  title = {B},\n  note = {never closed,\n}\n\
                   @misc{c,\n  eprint = {2509.16444},\n}\n";
        let (line, why) = parse(bib).unwrap_err();
        assert_eq!(line, 4, "{why}");
        assert!(why.contains("line 8"), "{why}");
        // The last entry cut short.
        let (line, why) =
            parse("@misc{a,\n  title = {x},\n}\n@misc{b,\n  title = {unclosed,\n").unwrap_err();
        assert_eq!(line, 4, "{why}");
    }

    /// 40,000 entries: every entry's line right, the last one's too (a line number per entry
    /// once rescanned the file from its first byte: 40,000 took 51 s; the speed is measured in
    /// benches/library_import.rs, not here).
    #[test]
    fn a_large_bibtex_file_names_every_entrys_line() {
        let n = 40_000;
        let text: String = (0..n)
            .map(|i| {
                format!(
                    "@article{{key{i},\n  title = {{Generative {{Retrieval}}, part {i}}},\n  author = {{M{{\\\"u}}ller, Jörg}},\n  url = {{http://arxiv.org/abs/2509.{:05}v2}},\n}}\n\n",
                    i % 100_000
                )
            })
            .collect();
        let items = parse(&text).unwrap();
        assert_eq!(items.len(), n);
        let last = &items[n - 1];
        assert_eq!(
            (last.key.as_str(), last.line),
            (format!("key{}", n - 1).as_str(), 6 * (n - 1) + 1)
        );
    }

    #[test]
    fn titles_match_whatever_their_accents() {
        for (unicode, tex, plain) in [
            (
                "Speech recognition for Yorùbá",
                "Speech Recognition for Yor{\\`u}b{\\'a}",
                "speech recognition for yoruba",
            ),
            (
                "The Radon-Nikodým derivative",
                "The Radon-Nikod{\\'y}m Derivative",
                "the radon nikodym derivative",
            ),
            (
                "Fùxì: trigrams",
                "F{\\`u}x{\\`\\i}: Trigrams",
                "fuxi trigrams",
            ),
            (
                "Gødel and Łukasiewicz",
                "G{\\o}del and {\\L}ukasiewicz",
                "godel and lukasiewicz",
            ),
            ("Straße ﬁnding", "Stra{\\ss}e finding", "strasse finding"),
        ] {
            assert_eq!(normalize_title(unicode), plain, "{unicode}");
            assert_eq!(normalize_title(tex), plain, "{tex}");
            assert_eq!(normalize_title(plain), plain);
        }
    }

    #[test]
    fn a_broken_file_names_its_line_and_plain_text_is_ids() {
        let bad = "@misc{a,\n  title = {x},\n}\n@misc{b,\n  title = {unclosed,\n";
        let (line, why) = parse(bad).unwrap_err();
        assert!(line >= 4, "line {line}: {why}");
        let plain = "# mine\n2509.16442\n\nhttps://arxiv.org/pdf/2509.16443v1\n";
        let items = parse(plain).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].line, 4);
        let (line, why) = parse("2509.16442\nnot an id\n").unwrap_err();
        assert_eq!(line, 2, "{why}");
    }
}
