//! What Python's feedparser 6.0.11 made of an arXiv RSS item, derived from the text the archive
//! stores (the feed's XML-decoded text). The original report script read `entry.title`,
//! `entry.summary.split("Abstract: ")[1]` and `entry.author`; feedparser passes an RSS
//! `<description>` (and a `<title>` that "looks like HTML") through two rounds of its
//! sgmllib-based HTML processor, the second its sanitizer, which drops tags it does not allow
//! (`<EOS>`, `<reference image, ...>`), the content of `<script>`, `<style>` and `<applet>`, and
//! re-escapes an `&` before a name that is not an HTML entity (`Q&A` becomes `Q&amp;A`).
//! `dc:creator` is only trimmed. Every field then goes through two encoding fix-ups.
//!
//! This is a port of those rules, not of the library. Not modelled: relative links (feedparser
//! resolves an `href` or `src` against the feed's address), `<!DOCTYPE` internal subsets, and
//! texts on which feedparser itself raises; none occurs in arXiv's text so far (BENCHMARKS.md,
//! "feedparser compatibility").

/// `entry.title`: trimmed; sanitized only when it looks like HTML (feedparser's guess for a
/// `text/plain` RSS title).
pub fn title(stored: &str) -> String {
    let text = py_strip(stored);
    if looks_like_html(text) {
        fix_encoding(&sanitize_html(&process(text, Pass::Resolve)))
    } else {
        fix_encoding(text)
    }
}

/// `entry.summary.split("Abstract: ")[1]`: the description (`text/html`) through both rounds.
/// The stored abstract is what followed the feed's first `Abstract: `; the plain-text head before
/// it (`arXiv:ID Announce Type: new`) passes the rounds unchanged, so it is left out, but the
/// split is made after sanitizing, as the script made it.
pub fn abstract_text(stored: &str) -> String {
    let description = format!("{ABSTRACT_MARK}{stored}");
    let text = py_strip(&description);
    let text = fix_encoding(&sanitize_html(&process(text, Pass::Resolve)));
    text.split(ABSTRACT_MARK)
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// `entry.author` of a `dc:creator`: trimmed, never sanitized.
pub fn authors(stored: &str) -> String {
    fix_encoding(py_strip(stored))
}

const ABSTRACT_MARK: &str = "Abstract: ";

/// Python's `str.isspace` (what `\s` and `strip()` mean on `str`): Unicode White_Space plus the
/// separators U+001C..U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `\w` on `str`.
fn py_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// The two fix-ups every field gets after sanitizing: text that is all Latin-1 and whose bytes
/// are valid UTF-8 is decoded again as UTF-8 ("Ã©" becomes "é"), and the C1 controls that
/// Windows-1252 uses for printable characters become those characters.
fn fix_encoding(s: &str) -> String {
    let latin1: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
    let text = latin1
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| s.to_string());
    text.chars()
        .map(|c| cp1252(u32::from(c)).unwrap_or(c))
        .collect()
}

/// Windows-1252's character for a C1 code point (feedparser's `_cp1252`).
fn cp1252(code: u32) -> Option<char> {
    let c = match code {
        128 => '\u{20ac}',
        130 => '\u{201a}',
        131 => '\u{0192}',
        132 => '\u{201e}',
        133 => '\u{2026}',
        134 => '\u{2020}',
        135 => '\u{2021}',
        136 => '\u{02c6}',
        137 => '\u{2030}',
        138 => '\u{0160}',
        139 => '\u{2039}',
        140 => '\u{0152}',
        142 => '\u{017d}',
        145 => '\u{2018}',
        146 => '\u{2019}',
        147 => '\u{201c}',
        148 => '\u{201d}',
        149 => '\u{2022}',
        150 => '\u{2013}',
        151 => '\u{2014}',
        152 => '\u{02dc}',
        153 => '\u{2122}',
        154 => '\u{0161}',
        155 => '\u{203a}',
        156 => '\u{0153}',
        158 => '\u{017e}',
        159 => '\u{0178}',
        _ => return None,
    };
    Some(c)
}

/// feedparser's guess that a plain-text field holds HTML: a close tag or an entity reference,
/// every tag an allowed element, every named entity an HTML one.
fn looks_like_html(s: &str) -> bool {
    let word_run = |from: usize| -> usize {
        s[from..]
            .char_indices()
            .find(|(_, c)| !py_word(*c))
            .map_or(s.len(), |(i, _)| from + i)
    };
    let mut signal = false;
    for (i, _) in s.match_indices("</") {
        let end = word_run(i + 2);
        if end > i + 2 && s[end..].starts_with('>') {
            signal = true;
        }
    }
    for (i, _) in s.match_indices('&') {
        let from = if s[i + 1..].starts_with('#') {
            i + 2
        } else {
            i + 1
        };
        let end = word_run(from);
        if end > from && s[end..].starts_with(';') {
            signal = true;
        }
    }
    if !signal {
        return false;
    }
    for (i, _) in s.match_indices('<') {
        let from = if s[i + 1..].starts_with('/') {
            i + 2
        } else {
            i + 1
        };
        let end = word_run(from);
        if end > from && !is_in(ACCEPTABLE_ELEMENTS, &s[from..end].to_lowercase()) {
            return false;
        }
    }
    for (i, _) in s.match_indices('&') {
        let end = word_run(i + 1);
        if end > i + 1 && s[end..].starts_with(';') && !is_in(ENTITIES, &s[i + 1..end]) {
            return false;
        }
    }
    true
}

fn is_in(list: &[&str], name: &str) -> bool {
    list.binary_search(&name).is_ok()
}

/// `_sanitize_html`: the sanitizer round, then trimmed, CRLF as LF.
fn sanitize_html(html: &str) -> String {
    let html = html.replace("<![CDATA[", "&lt;![CDATA[");
    let out = process(&html, Pass::Sanitize);
    py_strip(&out).replace("\r\n", "\n")
}

/// The two rounds: feedparser's relative-URI resolver (which re-writes every tag it sees, and
/// `&` as the sanitizer does) and its sanitizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Resolve,
    Sanitize,
}

/// One round of feedparser's `_BaseHTMLProcessor` (sgmllib's `SGMLParser` with feedparser's
/// patterns): what it writes for each piece of the input.
struct Processor {
    pass: Pass,
    out: String,
    /// The last start tag's name (`<>` repeats it; sgmllib starts with `???`).
    last_tag: String,
    /// Open `<script>`, `<style>`, `<applet>` (sanitizer); text inside them is dropped. It can go
    /// negative (a stray end tag), and then text is dropped too, as in feedparser.
    unacceptable: i64,
    /// Open `<math>` and `<svg>` (sanitizer): inside them their own elements are kept.
    mathml: i64,
    svg: i64,
}

fn process(input: &str, pass: Pass) -> String {
    let data = prepare(input);
    let mut p = Processor {
        pass,
        out: String::with_capacity(data.len()),
        last_tag: "???".into(),
        unacceptable: 0,
        mathml: 0,
        svg: 0,
    };
    p.run(&data);
    p.out
}

/// `_BaseHTMLProcessor.feed`'s rewrites before parsing: the first two `<!` that do not open a
/// doctype, comment or marked section are escaped (a `count` of 2: feedparser passes
/// `re.IGNORECASE` where `re.sub` takes the count), `<x/>` becomes `<x></x>` (`<br />` for void
/// elements), and `&#39;`, `&#34;` become quotes.
fn prepare(input: &str) -> String {
    let mut s = String::with_capacity(input.len());
    let mut escaped = 0;
    let mut rest = input;
    while let Some(i) = rest.find("<!") {
        let after = &rest[i + 2..];
        s.push_str(&rest[..i]);
        if escaped < 2
            && !after.starts_with("DOCTYPE")
            && !after.starts_with("--")
            && !after.starts_with('[')
        {
            s.push_str("&lt;!");
            escaped += 1;
        } else {
            s.push_str("<!");
        }
        rest = after;
    }
    s.push_str(rest);
    let s = short_tags(&s);
    s.replace("&#39;", "'").replace("&#34;", "\"")
}

/// `re.sub(r'<([^<>\s]+?)\s*/>', ...)`: the shortest run of name characters after `<` that is
/// followed by optional space and `/>`.
fn short_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(off) = s[i..].find('<') {
        let lt = i + off;
        out.push_str(&s[i..lt]);
        let mut found = None;
        let mut k = lt + 1;
        for c in s[lt + 1..].chars() {
            if c == '<' || c == '>' || py_space(c) {
                break;
            }
            k += c.len_utf8();
            let after = s[k..].trim_start_matches(py_space);
            if after.starts_with("/>") {
                found = Some((k, s.len() - after.len() + 2));
                break;
            }
        }
        match found {
            Some((name_end, end)) => {
                let tag = &s[lt + 1..name_end];
                if is_in(NO_END_TAG, tag) {
                    out.push_str(&format!("<{tag} />"));
                } else {
                    out.push_str(&format!("<{tag}></{tag}>"));
                }
                i = end;
            }
            None => {
                out.push('<');
                i = lt + 1;
            }
        }
    }
    out.push_str(&s[i..]);
    out
}

impl Processor {
    /// `feed` then `close`: sgmllib's `goahead` twice, the second time over what the first left
    /// waiting for more input (a tag without its `>`, an `&name` at the very end), which it then
    /// writes as text.
    fn run(&mut self, raw: &str) {
        let stopped = self.goahead(raw, false);
        self.goahead(&raw[stopped..], true);
    }

    /// sgmllib's `goahead`: text up to the next `<` or `&`, then the construct there. Returns
    /// where it stopped.
    fn goahead(&mut self, raw: &str, end: bool) -> usize {
        let b = raw.as_bytes();
        let n = raw.len();
        let mut i = 0;
        while i < n {
            let j = raw[i..].find(['<', '&']).map_or(n, |k| i + k);
            if i < j {
                self.data(&raw[i..j]);
            }
            i = j;
            if i == n {
                break;
            }
            let step = if b[i] == b'<' {
                self.markup(raw, i)
            } else {
                Step::To(self.reference(raw, i))
            };
            match step {
                Step::To(k) => i = k,
                Step::Stop => break,
            }
        }
        if end && i < n {
            self.data(&raw[i..]);
            i = n;
        }
        i
    }

    /// A `<` at `i`.
    fn markup(&mut self, raw: &str, i: usize) -> Step {
        let next = raw.as_bytes().get(i + 1).copied();
        let parsed = match next {
            Some(c) if c == b'>' || c.is_ascii_alphabetic() => self.start_tag(raw, i),
            Some(b'/') => self.end_tag(raw, i),
            Some(b'!') if raw[i..].starts_with("<!--") => self.comment(raw, i),
            Some(b'?') => self.processing_instruction(raw, i),
            Some(b'!') => self.declaration(raw, i),
            // A `<` that opens nothing is text; at the very end sgmllib waits for more.
            _ if i + 1 == raw.len() => None,
            _ => {
                self.data("<");
                Some(i + 1)
            }
        };
        parsed.map_or(Step::Stop, Step::To)
    }

    /// An `&` at `i`: a numeric reference with its `;`, a named one ended by any character that
    /// is not a letter or digit (the `;` only then consumed), or text. Returns where to go on.
    fn reference(&mut self, raw: &str, i: usize) -> usize {
        let b = raw.as_bytes();
        if b.get(i + 1) == Some(&b'#') {
            let (digits, hex) = match b.get(i + 2) {
                Some(b'x' | b'X') => (
                    raw[i + 3..]
                        .bytes()
                        .take_while(u8::is_ascii_hexdigit)
                        .count(),
                    true,
                ),
                _ => (
                    raw[i + 2..].bytes().take_while(u8::is_ascii_digit).count(),
                    false,
                ),
            };
            let name_end = i + 2 + usize::from(hex) + digits;
            if digits > 0 && b.get(name_end) == Some(&b';') {
                self.char_ref(&raw[i + 2..name_end]);
                return name_end + 1;
            }
            // Not a reference: `&#` and its digits are text (a hex one's `x` too, as text).
            let end = i + 2 + raw[i + 2..].bytes().take_while(u8::is_ascii_digit).count();
            self.data(&raw[i..end]);
            return end;
        }
        if b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            let run = i
                + 1
                + raw[i + 1..]
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
                    .count();
            // The name runs to the terminator; at the very end, back to the last `-` or `.`.
            let name_end = if run < raw.len() {
                Some(run)
            } else {
                raw[i + 2..run].rfind(['-', '.']).map(|k| i + 2 + k)
            };
            if let Some(end) = name_end {
                self.entity_ref(&raw[i + 1..end]);
                return if b[end] == b';' { end + 1 } else { end };
            }
            // `&name` at the end of the text: sgmllib waits for more, then writes it as text.
            self.data(&raw[i..]);
            return raw.len();
        }
        self.data("&");
        i + 1
    }

    /// `handle_charref`: written back as a reference; a Windows-1252 C1 one as its character's.
    fn char_ref(&mut self, name: &str) {
        let name = name.to_ascii_lowercase();
        let value = match name.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => name.parse::<u32>().ok(),
        };
        match value.and_then(cp1252) {
            Some(c) => self.out.push_str(&format!("&#x{:x};", u32::from(c))),
            None => self.out.push_str(&format!("&#{name};")),
        }
    }

    /// `handle_entityref`: an HTML entity stays, any other name gets its `&` escaped.
    fn entity_ref(&mut self, name: &str) {
        if is_in(ENTITIES, name) {
            self.out.push_str(&format!("&{name};"));
        } else {
            self.out.push_str(&format!("&amp;{name}"));
        }
    }

    fn data(&mut self, text: &str) {
        if self.pass == Pass::Resolve || self.unacceptable == 0 {
            self.out.push_str(text);
        }
    }

    /// `parse_starttag` at `i` (`<` then a letter or `>`); `None` when the tag has no end.
    fn start_tag(&mut self, raw: &str, i: usize) -> Option<usize> {
        let b = raw.as_bytes();
        // SGML's `<tag/data/`, which means `<tag>data</tag>`.
        let name_len = raw[i + 1..]
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
            .count();
        if b[i + 1].is_ascii_alphabetic() && b.get(i + 1 + name_len) == Some(&b'/') {
            let slash = i + 1 + name_len;
            let close = raw[slash + 1..].find('/')? + slash + 1;
            let tag = raw[i + 1..slash].to_lowercase();
            self.start(&tag, Vec::new());
            self.data(&raw[slash + 1..close]);
            self.end(&tag);
            return Some(close + 1);
        }
        let j = end_bracket(raw, i + 1)?;
        let mut attrs = Vec::new();
        let tag;
        if b[i + 1] == b'>' {
            tag = self.last_tag.clone();
        } else {
            let end = i
                + 1
                + raw[i + 1..]
                    .bytes()
                    .take_while(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':')
                    })
                    .count();
            tag = raw[i + 1..end].to_lowercase();
            self.last_tag = tag.clone();
            let mut k = end;
            while k < j {
                let Some((name, value, next)) = attribute(raw, k) else {
                    break;
                };
                attrs.push((name.to_lowercase(), value));
                k = next;
            }
        }
        self.start(&tag, attrs);
        Some(if b[j] == b'>' { j + 1 } else { j })
    }

    /// `parse_endtag` at `i` (`</`): everything to the next `<` or `>` is the name.
    fn end_tag(&mut self, raw: &str, i: usize) -> Option<usize> {
        let j = end_bracket(raw, i + 1)?;
        let tag = py_strip(&raw[i + 2..j]).to_lowercase();
        self.end(&tag);
        Some(if raw.as_bytes()[j] == b'>' { j + 1 } else { j })
    }

    /// `<!--`: to `--` and `>` (space between allowed). The sanitizer drops an unclosed one: to
    /// the first `--` and a `>` after it, else the whole rest.
    fn comment(&mut self, raw: &str, i: usize) -> Option<usize> {
        let mut from = i + 4;
        while let Some(k) = raw.get(from..).and_then(|s| s.find("--")) {
            let dash = from + k;
            let after = raw[dash + 2..].trim_start_matches(py_space);
            if after.starts_with('>') {
                let end = raw.len() - after.len() + 1;
                self.out.push_str(&format!("<!--{}-->", &raw[i + 4..dash]));
                return Some(end);
            }
            from = dash + 1;
        }
        match self.pass {
            Pass::Resolve => None,
            Pass::Sanitize => {
                let dash = raw.get(i + 4..).and_then(|s| s.find("--"));
                Some(
                    dash.and_then(|d| {
                        raw[i + 4 + d + 2..]
                            .find('>')
                            .map(|g| i + 4 + d + 2 + g + 1)
                    })
                    .unwrap_or(raw.len()),
                )
            }
        }
    }

    /// `<!` that `prepare` left (a doctype, a marked section such as `<![CDATA[...]]>`, a third
    /// `<!x`): markupbase's `parse_declaration`. A marked section and other declarations vanish;
    /// a doctype is written back by the first round only. What sgmllib cannot parse is an
    /// escaped `<` (feedparser's fallback).
    fn declaration(&mut self, raw: &str, i: usize) -> Option<usize> {
        let b = raw.as_bytes();
        match b.get(i + 2) {
            Some(b'>') => return Some(i + 3),
            None | Some(b'-') => return None,
            Some(b'[') => {
                let (name, _) = self.scan_name(raw, i + 3)?;
                let close: &[u8] = match name.as_str() {
                    "temp" | "cdata" | "ignore" | "include" | "rcdata" => b"]]>",
                    "if" | "else" | "endif" => b"]>",
                    _ => {
                        self.data("&lt;");
                        return Some(i + 1);
                    }
                };
                return find_spaced(raw, i + 3, close);
            }
            Some(_) => {}
        }
        let (kind, mut j) = self.scan_name(raw, i + 2)?;
        while let Some(&c) = b.get(j) {
            match c {
                b'>' => {
                    if kind == "doctype" && self.pass == Pass::Resolve {
                        self.out.push_str(&format!("<!{}>", &raw[i + 2..j]));
                    }
                    return Some(j + 1);
                }
                b'"' | b'\'' => {
                    let close = raw[j + 1..].find(c as char)? + j + 2;
                    j = raw.len() - raw[close..].trim_start_matches(py_space).len();
                }
                c if c.is_ascii_alphabetic() => j = self.scan_name(raw, j)?.1,
                b'=' if kind != "doctype" => j += 1,
                _ => {
                    self.data("&lt;");
                    return Some(i + 1);
                }
            }
        }
        None
    }

    /// feedparser's `_scan_name` at `i`: a name and the space after it, lower-cased, and where
    /// it ends. `None` at the end of the input; with no name at all, sgmllib writes its whole
    /// buffer as text first (a quirk kept here).
    fn scan_name(&mut self, raw: &str, i: usize) -> Option<(String, usize)> {
        if i >= raw.len() {
            return None;
        }
        let len = raw[i..]
            .bytes()
            .enumerate()
            .take_while(|(k, c)| {
                if *k == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':')
                }
            })
            .count();
        if len == 0 {
            self.data(raw);
            return None;
        }
        let end = raw.len() - raw[i + len..].trim_start_matches(py_space).len();
        if end == raw.len() {
            return None;
        }
        Some((raw[i..i + len].to_lowercase(), end))
    }

    /// `<?...>`: written back by the first round, dropped by the sanitizer.
    fn processing_instruction(&mut self, raw: &str, i: usize) -> Option<usize> {
        let close = raw[i + 2..].find('>')? + i + 2;
        if self.pass == Pass::Resolve {
            self.out.push_str(&format!("<?{}>", &raw[i + 2..close]));
        }
        Some(close + 1)
    }

    /// `unknown_starttag`: the first round writes every tag back (attributes de-duplicated and
    /// sorted); the sanitizer keeps allowed elements with allowed attributes and drops the rest,
    /// counting the elements whose content goes too. Inside `<math>` or `<svg>` (which get their
    /// namespace) their own elements and attributes are kept, SVG's in their camel case.
    fn start(&mut self, tag: &str, attrs: Vec<(String, String)>) {
        let mut attrs = normalize(attrs);
        let mut tag = tag.to_string();
        if self.pass == Pass::Sanitize {
            let mut vocabulary = Vocabulary::Html;
            if !is_in(ACCEPTABLE_ELEMENTS, &tag) || self.svg > 0 {
                if UNACCEPTABLE_WITH_CONTENT.contains(&tag.as_str()) {
                    self.unacceptable += 1;
                }
                let has_xmlns = attrs
                    .iter()
                    .find(|(k, _)| k == "xmlns")
                    .is_some_and(|(_, v)| !v.is_empty());
                for (name, ns) in [("svg", SVG_NS), ("math", MATHML_NS)] {
                    if !has_xmlns && tag == name {
                        attrs.push(("xmlns".into(), ns.into()));
                    }
                }
                let has = |attrs: &[(String, String)], ns: &str| {
                    attrs.iter().any(|(k, v)| k == "xmlns" && v == ns)
                };
                if tag == "math" && has(&attrs, MATHML_NS) {
                    self.mathml += 1;
                }
                if tag == "svg" && has(&attrs, SVG_NS) {
                    self.svg += 1;
                }
                if self.mathml > 0 && is_in(MATHML_ELEMENTS, &tag) {
                    vocabulary = Vocabulary::MathMl;
                } else if self.svg > 0 && is_in(SVG_ELEMENTS, &tag) {
                    vocabulary = Vocabulary::Svg;
                    tag = camel(SVG_ELEMENT_CASE, &tag).to_string();
                } else if !is_in(ACCEPTABLE_ELEMENTS, &tag) {
                    return;
                }
            }
            if (self.mathml > 0 || self.svg > 0)
                && attrs.iter().any(|(k, _)| k.starts_with("xlink:"))
                && !attrs
                    .iter()
                    .any(|(k, v)| k == "xmlns:xlink" && v == XLINK_NS)
            {
                attrs.push(("xmlns:xlink".into(), XLINK_NS.into()));
            }
            let allowed = match vocabulary {
                Vocabulary::Html => ACCEPTABLE_ATTRIBUTES,
                Vocabulary::MathMl => MATHML_ATTRIBUTES,
                Vocabulary::Svg => SVG_ATTRIBUTES,
            };
            let svg = self.svg > 0;
            attrs = normalize(attrs)
                .into_iter()
                .filter_map(|(k, v)| {
                    if k == "style" && is_in(allowed, "style") {
                        let clean = sanitize_style(&v, svg);
                        return (!clean.is_empty()).then_some((k, clean));
                    }
                    if !is_in(allowed, &k) {
                        return None;
                    }
                    let k = match vocabulary {
                        Vocabulary::Svg => camel(SVG_ATTRIBUTE_CASE, &k).to_string(),
                        _ => k,
                    };
                    let v = if k == "href" { safe_uri(v) } else { v };
                    Some((k, v))
                })
                .collect();
        }
        let mut s = format!("<{tag}");
        for (k, v) in attrs {
            s.push_str(&format!(" {k}=\"{}\"", escape_attribute(&v)));
        }
        s.push_str(if is_in(NO_END_TAG, &tag) { " />" } else { ">" });
        self.out.push_str(&s);
    }

    /// `unknown_endtag`: written back unless the element is void (or, in the sanitizer, not
    /// allowed here).
    fn end(&mut self, tag: &str) {
        let mut tag = tag;
        if self.pass == Pass::Sanitize && !is_in(ACCEPTABLE_ELEMENTS, tag) {
            if UNACCEPTABLE_WITH_CONTENT.contains(&tag) {
                self.unacceptable -= 1;
            }
            if self.mathml > 0 && is_in(MATHML_ELEMENTS, tag) {
                if tag == "math" {
                    self.mathml -= 1;
                }
            } else if self.svg > 0 && is_in(SVG_ELEMENTS, tag) {
                tag = camel(SVG_ELEMENT_CASE, tag);
                if tag == "svg" {
                    self.svg -= 1;
                }
            } else {
                return;
            }
        }
        if !is_in(NO_END_TAG, tag) {
            self.out.push_str(&format!("</{tag}>"));
        }
    }
}

/// Whose element and attribute lists a start tag is checked against.
#[derive(Clone, Copy)]
enum Vocabulary {
    Html,
    MathMl,
    Svg,
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// An SVG name in the case SVG writes it (`lineargradient` is `linearGradient`).
fn camel<'a>(table: &[(&str, &'a str)], lower: &'a str) -> &'a str {
    table
        .binary_search_by(|(l, _)| (*l).cmp(lower))
        .map_or(lower, |i| table[i].1)
}

/// `sanitize_style`: `url(...)` removed, then the whole value must pass feedparser's gauntlet
/// and be a list of `property: value` declarations; of those, allowed properties are kept (for
/// background, border, margin and padding only with allowed keywords and lengths; inside SVG a
/// few more), each written `prop: value;`, joined by spaces.
fn sanitize_style(style: &str, svg: bool) -> String {
    use regex::Regex;
    use std::sync::LazyLock;
    // Python's `$` also matches before a final newline: `\n?\z` here.
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"url\s*\(\s*[^\s)]+?\s*\)\s*").expect("a valid pattern"));
    static GAUNTLET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*\n?\z"#)
            .expect("a valid pattern")
    });
    static DECLARATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s*[-\w]+\s*:\s*[^:;]*;?").expect("a valid pattern"));
    static PROPERTY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([-\w]+)\s*:\s*([^:;]*)").expect("a valid pattern"));
    static CSS_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d{0,2}\.?\d{0,2}(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)\n?\z",
        )
        .expect("a valid pattern")
    });
    let style = URL.replace_all(style, " ");
    if !GAUNTLET.is_match(&style) {
        return String::new();
    }
    if !py_strip(&DECLARATION.replace_all(&style, "")).is_empty() {
        return String::new();
    }
    let mut clean = Vec::new();
    for caps in PROPERTY.captures_iter(&style) {
        let (prop, value) = (&caps[1], &caps[2]);
        if value.is_empty() {
            continue;
        }
        let lower = prop.to_lowercase();
        let family = lower.split('-').next().unwrap_or_default();
        let keep = if is_in(CSS_PROPERTIES, &lower) {
            true
        } else if ["background", "border", "margin", "padding"].contains(&family) {
            value
                .split(py_space)
                .filter(|k| !k.is_empty())
                .all(|k| is_in(CSS_KEYWORDS, k) || CSS_VALUE.is_match(k))
        } else {
            svg && is_in(SVG_CSS_PROPERTIES, &lower)
        };
        if keep {
            clean.push(format!("{prop}: {value};"));
        }
    }
    clean.join(" ")
}

enum Step {
    To(usize),
    Stop,
}

/// Elements the sanitizer drops with their content.
const UNACCEPTABLE_WITH_CONTENT: [&str; 3] = ["applet", "script", "style"];

/// The end of the first `]]>` (or `]>`) after `from`, with space allowed between its characters.
fn find_spaced(raw: &str, from: usize, close: &[u8]) -> Option<usize> {
    let mut start = from;
    while let Some(k) = raw[start..].find(']') {
        let at = start + k;
        let mut j = at;
        let mut ok = true;
        for (n, want) in close.iter().enumerate() {
            if n > 0 {
                j = raw.len() - raw[j..].trim_start_matches(py_space).len();
            }
            if raw.as_bytes().get(j) != Some(want) {
                ok = false;
                break;
            }
            j += 1;
        }
        if ok {
            return Some(j);
        }
        start = at + 1;
    }
    None
}

/// feedparser's end-of-tag search from `from`: attribute characters and quoted values (a quote
/// closed and followed by `>`, `/`, space or `name=`) up to a `<` or `>`; failing that, the first
/// `<` or `>` on the same line. Returns that bracket's position.
fn end_bracket(raw: &str, from: usize) -> Option<usize> {
    let b = raw.as_bytes();
    let mut k = from;
    while let Some(&c) = b.get(k) {
        match c {
            b'<' | b'>' => return Some(k),
            b'"' | b'\'' => {
                let Some(close) = raw[k + 1..].find(c as char).map(|q| k + 1 + q + 1) else {
                    break;
                };
                if !quote_followed_well(&raw[close..]) {
                    break;
                }
                k = close;
            }
            _ => k += 1,
        }
    }
    raw[from..]
        .find(['<', '>', '\n'])
        .map(|q| from + q)
        .filter(|&q| b[q] != b'\n')
}

/// `(?=>|/|\s|\w+=)` after a quoted value.
fn quote_followed_well(rest: &str) -> bool {
    let mut chars = rest.chars();
    match chars.next() {
        Some('>' | '/') => true,
        Some(c) if py_space(c) => true,
        Some(c) if py_word(c) => {
            let word = rest.trim_start_matches(py_word);
            word.starts_with('=')
        }
        _ => false,
    }
}

/// feedparser's `attrfind` at `k`: optional space, a name, an optional `$`, and optionally
/// `= value` (quoted, or a run of URL-ish characters). A name alone is its own value. Returns
/// (name, value, end).
fn attribute(raw: &str, k: usize) -> Option<(String, String, usize)> {
    let s = &raw[k..];
    let name_start = s.len() - s.trim_start_matches(py_space).len();
    let rest = &s[name_start..];
    let first = rest.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let name_len = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b':' | b'.' | b'_'))
        .count();
    let name = &rest[..name_len];
    let mut pos = name_start + name_len;
    if s[pos..].starts_with('$') {
        pos += 1;
    }
    let after = &s[pos..];
    let eq = after.trim_start_matches(py_space);
    if let Some(v) = eq.strip_prefix('=') {
        let v_start = v.trim_start_matches(py_space);
        let value_at = s.len() - v_start.len();
        let quoted = v_start
            .chars()
            .next()
            .filter(|q| *q == '"' || *q == '\'')
            .and_then(|q| v_start[1..].find(q).map(|e| e + 2));
        let value_len = quoted.unwrap_or_else(|| {
            v_start
                .bytes()
                .take_while(|c| {
                    c.is_ascii_alphanumeric() || b"[]-./,:;+*%?!&$()_#=~'\"@".contains(c)
                })
                .count()
        });
        let mut value = &v_start[..value_len];
        if (value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\''))
        {
            // Python's `value[1:-1]`: a lone quote gives nothing.
            value = value.get(1..value.len() - 1).unwrap_or_default();
        }
        return Some((
            name.to_string(),
            convert_refs(value),
            k + value_at + value_len,
        ));
    }
    Some((name.to_string(), name.to_string(), k + pos))
}

/// sgmllib's `entity_or_charref` in attribute values, with feedparser's converters: `&name;` and
/// `&#N` stay references (`&#N` gains its `;`), nothing is decoded.
fn convert_refs(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let digits = after
            .strip_prefix('#')
            .map(|d| d.bytes().take_while(u8::is_ascii_digit).count())
            .unwrap_or(0);
        if digits > 0 {
            out.push_str(&format!("&#{};", &after[1..1 + digits]));
            let used = 1 + digits + usize::from(after[1 + digits..].starts_with(';'));
            rest = &after[used..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `normalize_attrs`: one value per name (the last), `rel` and `type` values lower-cased, sorted.
fn normalize(attrs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(attrs.len());
    for (k, v) in attrs {
        let v = if k == "rel" || k == "type" {
            v.to_lowercase()
        } else {
            v
        };
        match out.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    out.sort();
    out
}

/// An attribute value as `_BaseHTMLProcessor` writes it: `<`, `>`, `"` escaped, and an `&` that
/// does not start a reference.
fn escape_attribute(v: &str) -> String {
    let v = v
        .replace('>', "&gt;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.char_indices() {
        out.push(c);
        if c == '&' && !starts_reference(&v[i + 1..]) {
            out.push_str("amp;");
        }
    }
    out
}

/// `#\d+;`, `#x[0-9a-fA-F]+;` or `\w+;` (what `bare_ampersand` leaves alone).
fn starts_reference(s: &str) -> bool {
    let run = |s: &str, f: fn(char) -> bool| {
        let n = s.len() - s.trim_start_matches(f).len();
        n > 0 && s[n..].starts_with(';')
    };
    if let Some(hex) = s.strip_prefix("#x")
        && run(hex, |c| c.is_ascii_hexdigit())
    {
        return true;
    }
    if let Some(dec) = s.strip_prefix('#') {
        return run(dec, |c| c.is_ascii_digit());
    }
    run(s, py_word)
}

/// `make_safe_absolute_uri(href)`: a value with a scheme feedparser does not accept is emptied.
fn safe_uri(v: String) -> String {
    let scheme = v.split_once(':').map(|(s, _)| s).filter(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    match scheme {
        Some(s) if !ACCEPTABLE_SCHEMES.contains(&s.to_ascii_lowercase().as_str()) => String::new(),
        _ => v,
    }
}

const ACCEPTABLE_SCHEMES: &[&str] = &[
    "aim", "callto", "cvs", "facetime", "feed", "file", "ftp", "git", "gopher", "gtalk", "h323",
    "hdl", "http", "https", "imap", "irc", "irc6", "ircs", "itms", "magnet", "mailto", "mms",
    "msnim", "news", "nntp", "prospero", "rsync", "rtsp", "rtspu", "sftp", "shttp", "sip", "sips",
    "skype", "smb", "snews", "ssh", "svn", "svn+ssh", "telnet", "wais", "ymsg",
];

/// HTML 4 entity names (Python's `html.entities.name2codepoint`, and `apos`), sorted.
const ENTITIES: &[&str] = &[
    "AElig", "Aacute", "Acirc", "Agrave", "Alpha", "Aring", "Atilde", "Auml", "Beta", "Ccedil",
    "Chi", "Dagger", "Delta", "ETH", "Eacute", "Ecirc", "Egrave", "Epsilon", "Eta", "Euml",
    "Gamma", "Iacute", "Icirc", "Igrave", "Iota", "Iuml", "Kappa", "Lambda", "Mu", "Ntilde", "Nu",
    "OElig", "Oacute", "Ocirc", "Ograve", "Omega", "Omicron", "Oslash", "Otilde", "Ouml", "Phi",
    "Pi", "Prime", "Psi", "Rho", "Scaron", "Sigma", "THORN", "Tau", "Theta", "Uacute", "Ucirc",
    "Ugrave", "Upsilon", "Uuml", "Xi", "Yacute", "Yuml", "Zeta", "aacute", "acirc", "acute",
    "aelig", "agrave", "alefsym", "alpha", "amp", "and", "ang", "apos", "aring", "asymp", "atilde",
    "auml", "bdquo", "beta", "brvbar", "bull", "cap", "ccedil", "cedil", "cent", "chi", "circ",
    "clubs", "cong", "copy", "crarr", "cup", "curren", "dArr", "dagger", "darr", "deg", "delta",
    "diams", "divide", "eacute", "ecirc", "egrave", "empty", "emsp", "ensp", "epsilon", "equiv",
    "eta", "eth", "euml", "euro", "exist", "fnof", "forall", "frac12", "frac14", "frac34", "frasl",
    "gamma", "ge", "gt", "hArr", "harr", "hearts", "hellip", "iacute", "icirc", "iexcl", "igrave",
    "image", "infin", "int", "iota", "iquest", "isin", "iuml", "kappa", "lArr", "lambda", "lang",
    "laquo", "larr", "lceil", "ldquo", "le", "lfloor", "lowast", "loz", "lrm", "lsaquo", "lsquo",
    "lt", "macr", "mdash", "micro", "middot", "minus", "mu", "nabla", "nbsp", "ndash", "ne", "ni",
    "not", "notin", "nsub", "ntilde", "nu", "oacute", "ocirc", "oelig", "ograve", "oline", "omega",
    "omicron", "oplus", "or", "ordf", "ordm", "oslash", "otilde", "otimes", "ouml", "para", "part",
    "permil", "perp", "phi", "pi", "piv", "plusmn", "pound", "prime", "prod", "prop", "psi",
    "quot", "rArr", "radic", "rang", "raquo", "rarr", "rceil", "rdquo", "real", "reg", "rfloor",
    "rho", "rlm", "rsaquo", "rsquo", "sbquo", "scaron", "sdot", "sect", "shy", "sigma", "sigmaf",
    "sim", "spades", "sub", "sube", "sum", "sup", "sup1", "sup2", "sup3", "supe", "szlig", "tau",
    "there4", "theta", "thetasym", "thinsp", "thorn", "tilde", "times", "trade", "uArr", "uacute",
    "uarr", "ucirc", "ugrave", "uml", "upsih", "upsilon", "uuml", "weierp", "xi", "yacute", "yen",
    "yuml", "zeta", "zwj", "zwnj",
];

/// Elements the sanitizer keeps (`_HTMLSanitizer.acceptable_elements`), sorted.
const ACCEPTABLE_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "big",
    "blockquote",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "command",
    "datagrid",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "event-source",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "m",
    "map",
    "menu",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "pre",
    "progress",
    "q",
    "s",
    "samp",
    "section",
    "select",
    "small",
    "sound",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
];

/// Attributes it keeps on them (`acceptable_attributes`), sorted.
const ACCEPTABLE_ATTRIBUTES: &[&str] = &[
    "abbr",
    "accept",
    "accept-charset",
    "accesskey",
    "action",
    "align",
    "alt",
    "autocomplete",
    "autofocus",
    "axis",
    "background",
    "balance",
    "bgcolor",
    "bgproperties",
    "border",
    "bordercolor",
    "bordercolordark",
    "bordercolorlight",
    "bottompadding",
    "cellpadding",
    "cellspacing",
    "ch",
    "challenge",
    "char",
    "charoff",
    "charset",
    "checked",
    "choff",
    "cite",
    "class",
    "clear",
    "color",
    "cols",
    "colspan",
    "compact",
    "contenteditable",
    "controls",
    "coords",
    "data",
    "datafld",
    "datapagesize",
    "datasrc",
    "datetime",
    "default",
    "delay",
    "dir",
    "disabled",
    "draggable",
    "dynsrc",
    "enctype",
    "end",
    "face",
    "for",
    "form",
    "frame",
    "galleryimg",
    "gutter",
    "headers",
    "height",
    "hidden",
    "hidefocus",
    "high",
    "href",
    "hreflang",
    "hspace",
    "icon",
    "id",
    "inputmode",
    "ismap",
    "keytype",
    "label",
    "lang",
    "leftspacing",
    "list",
    "longdesc",
    "loop",
    "loopcount",
    "loopend",
    "loopstart",
    "low",
    "lowsrc",
    "max",
    "maxlength",
    "media",
    "method",
    "min",
    "multiple",
    "name",
    "nohref",
    "noshade",
    "nowrap",
    "open",
    "optimum",
    "pattern",
    "ping",
    "point-size",
    "poster",
    "pqg",
    "preload",
    "prompt",
    "radiogroup",
    "readonly",
    "rel",
    "repeat-max",
    "repeat-min",
    "replace",
    "required",
    "rev",
    "rightspacing",
    "rows",
    "rowspan",
    "rules",
    "scope",
    "selected",
    "shape",
    "size",
    "span",
    "src",
    "start",
    "step",
    "style",
    "summary",
    "suppress",
    "tabindex",
    "target",
    "template",
    "title",
    "toppadding",
    "type",
    "unselectable",
    "urn",
    "usemap",
    "valign",
    "value",
    "variable",
    "volume",
    "vrml",
    "vspace",
    "width",
    "wrap",
    "xml:lang",
];

/// Void elements: written `<br />`, their end tags dropped (`elements_no_end_tag`), sorted.
const NO_END_TAG: &[&str] = &[
    "area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input",
    "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// MathML elements kept inside `<math>` (`mathml_elements`), sorted.
const MATHML_ELEMENTS: &[&str] = &[
    "annotation",
    "annotation-xml",
    "maction",
    "maligngroup",
    "malignmark",
    "math",
    "menclose",
    "merror",
    "mfenced",
    "mfrac",
    "mglyph",
    "mi",
    "mlabeledtr",
    "mlongdiv",
    "mmultiscripts",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "ms",
    "mscarries",
    "mscarry",
    "msgroup",
    "msline",
    "mspace",
    "msqrt",
    "msrow",
    "mstack",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "none",
    "semantics",
];

/// Their attributes (`mathml_attributes`), sorted.
const MATHML_ATTRIBUTES: &[&str] = &[
    "accent",
    "accentunder",
    "actiontype",
    "align",
    "alignmentscope",
    "altimg",
    "altimg-height",
    "altimg-valign",
    "altimg-width",
    "alttext",
    "bevelled",
    "charalign",
    "close",
    "columnalign",
    "columnlines",
    "columnspacing",
    "columnspan",
    "columnwidth",
    "crossout",
    "decimalpoint",
    "denomalign",
    "depth",
    "dir",
    "display",
    "displaystyle",
    "edge",
    "encoding",
    "equalcolumns",
    "equalrows",
    "fence",
    "fontstyle",
    "fontweight",
    "form",
    "frame",
    "framespacing",
    "groupalign",
    "height",
    "href",
    "id",
    "indentalign",
    "indentalignfirst",
    "indentalignlast",
    "indentshift",
    "indentshiftfirst",
    "indentshiftlast",
    "indenttarget",
    "infixlinebreakstyle",
    "largeop",
    "length",
    "linebreak",
    "linebreakmultchar",
    "linebreakstyle",
    "lineleading",
    "linethickness",
    "location",
    "longdivstyle",
    "lquote",
    "lspace",
    "mathbackground",
    "mathcolor",
    "mathsize",
    "mathvariant",
    "maxsize",
    "minlabelspacing",
    "minsize",
    "movablelimits",
    "notation",
    "numalign",
    "open",
    "other",
    "overflow",
    "position",
    "rowalign",
    "rowlines",
    "rowspacing",
    "rowspan",
    "rquote",
    "rspace",
    "scriptlevel",
    "scriptminsize",
    "scriptsizemultiplier",
    "selection",
    "separator",
    "separators",
    "shift",
    "side",
    "src",
    "stackalign",
    "stretchy",
    "subscriptshift",
    "superscriptshift",
    "symmetric",
    "voffset",
    "width",
    "xlink:href",
    "xlink:show",
    "xlink:type",
    "xmlns",
    "xmlns:xlink",
];

/// SVG elements kept inside `<svg>` (`svg_elements`), lower-cased as the parser sees them, sorted.
const SVG_ELEMENTS: &[&str] = &[
    "a",
    "animate",
    "animatecolor",
    "animatemotion",
    "animatetransform",
    "circle",
    "defs",
    "desc",
    "ellipse",
    "font-face",
    "font-face-name",
    "font-face-src",
    "foreignobject",
    "g",
    "glyph",
    "hkern",
    "line",
    "lineargradient",
    "marker",
    "metadata",
    "missing-glyph",
    "mpath",
    "path",
    "polygon",
    "polyline",
    "radialgradient",
    "rect",
    "set",
    "stop",
    "svg",
    "switch",
    "text",
    "title",
    "tspan",
    "use",
];

/// The SVG elements written in camel case, by their lower-case name.
const SVG_ELEMENT_CASE: &[(&str, &str)] = &[
    ("animatecolor", "animateColor"),
    ("animatemotion", "animateMotion"),
    ("animatetransform", "animateTransform"),
    ("foreignobject", "foreignObject"),
    ("lineargradient", "linearGradient"),
    ("radialgradient", "radialGradient"),
];

/// Their attributes (`svg_attributes`), lower-cased, sorted.
const SVG_ATTRIBUTES: &[&str] = &[
    "accent-height",
    "accumulate",
    "additive",
    "alphabetic",
    "arabic-form",
    "ascent",
    "attributename",
    "attributetype",
    "baseprofile",
    "bbox",
    "begin",
    "by",
    "calcmode",
    "cap-height",
    "class",
    "color",
    "color-rendering",
    "content",
    "cx",
    "cy",
    "d",
    "descent",
    "display",
    "dur",
    "dx",
    "dy",
    "end",
    "fill",
    "fill-opacity",
    "fill-rule",
    "font-family",
    "font-size",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "from",
    "fx",
    "fy",
    "g1",
    "g2",
    "glyph-name",
    "gradientunits",
    "hanging",
    "height",
    "horiz-adv-x",
    "horiz-origin-x",
    "id",
    "ideographic",
    "k",
    "keypoints",
    "keysplines",
    "keytimes",
    "lang",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerheight",
    "markerunits",
    "markerwidth",
    "mathematical",
    "max",
    "min",
    "name",
    "offset",
    "opacity",
    "orient",
    "origin",
    "overline-position",
    "overline-thickness",
    "panose-1",
    "path",
    "pathlength",
    "points",
    "preserveaspectratio",
    "r",
    "refx",
    "refy",
    "repeatcount",
    "repeatdur",
    "requiredextensions",
    "requiredfeatures",
    "restart",
    "rotate",
    "rx",
    "ry",
    "slope",
    "stemh",
    "stemv",
    "stop-color",
    "stop-opacity",
    "strikethrough-position",
    "strikethrough-thickness",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "systemlanguage",
    "target",
    "text-anchor",
    "to",
    "transform",
    "type",
    "u1",
    "u2",
    "underline-position",
    "underline-thickness",
    "unicode",
    "unicode-range",
    "units-per-em",
    "values",
    "version",
    "viewbox",
    "visibility",
    "width",
    "widths",
    "x",
    "x-height",
    "x1",
    "x2",
    "xlink:actuate",
    "xlink:arcrole",
    "xlink:href",
    "xlink:role",
    "xlink:show",
    "xlink:title",
    "xlink:type",
    "xml:base",
    "xml:lang",
    "xml:space",
    "xmlns",
    "xmlns:xlink",
    "y",
    "y1",
    "y2",
    "zoomandpan",
];

/// The SVG attributes written in camel case, by their lower-case name.
const SVG_ATTRIBUTE_CASE: &[(&str, &str)] = &[
    ("attributename", "attributeName"),
    ("attributetype", "attributeType"),
    ("baseprofile", "baseProfile"),
    ("calcmode", "calcMode"),
    ("gradientunits", "gradientUnits"),
    ("keypoints", "keyPoints"),
    ("keysplines", "keySplines"),
    ("keytimes", "keyTimes"),
    ("markerheight", "markerHeight"),
    ("markerunits", "markerUnits"),
    ("markerwidth", "markerWidth"),
    ("pathlength", "pathLength"),
    ("preserveaspectratio", "preserveAspectRatio"),
    ("refx", "refX"),
    ("refy", "refY"),
    ("repeatcount", "repeatCount"),
    ("repeatdur", "repeatDur"),
    ("requiredextensions", "requiredExtensions"),
    ("requiredfeatures", "requiredFeatures"),
    ("systemlanguage", "systemLanguage"),
    ("viewbox", "viewBox"),
    ("zoomandpan", "zoomAndPan"),
];

/// CSS properties kept in a `style` (`acceptable_css_properties`), sorted.
const CSS_PROPERTIES: &[&str] = &[
    "azimuth",
    "background-color",
    "border-bottom-color",
    "border-collapse",
    "border-color",
    "border-left-color",
    "border-right-color",
    "border-top-color",
    "clear",
    "color",
    "cursor",
    "direction",
    "display",
    "elevation",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "overflow",
    "pause",
    "pause-after",
    "pause-before",
    "pitch",
    "pitch-range",
    "richness",
    "speak",
    "speak-header",
    "speak-numeral",
    "speak-punctuation",
    "speech-rate",
    "stress",
    "text-align",
    "text-decoration",
    "text-indent",
    "unicode-bidi",
    "vertical-align",
    "voice-family",
    "volume",
    "white-space",
    "width",
];

/// Values allowed in background, border, margin and padding properties (`acceptable_css_keywords`), sorted.
const CSS_KEYWORDS: &[&str] = &[
    "!important",
    "aqua",
    "auto",
    "black",
    "block",
    "blue",
    "bold",
    "both",
    "bottom",
    "brown",
    "center",
    "collapse",
    "dashed",
    "dotted",
    "fuchsia",
    "gray",
    "green",
    "italic",
    "left",
    "lime",
    "maroon",
    "medium",
    "navy",
    "none",
    "normal",
    "nowrap",
    "olive",
    "pointer",
    "purple",
    "red",
    "right",
    "silver",
    "solid",
    "teal",
    "top",
    "transparent",
    "underline",
    "white",
    "yellow",
];

/// CSS properties also kept inside `<svg>` (`acceptable_svg_properties`), sorted.
const SVG_CSS_PROPERTIES: &[&str] = &[
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-opacity",
    "stroke-width",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// (stored text, title, abstract, author): what feedparser 6.0.11 returned for an arXiv-style
    /// item holding the stored text (XML-escaped) as its `<title>`, its abstract and its
    /// `<dc:creator>`, recorded with benches/feedparser-compat/cases.py.
    const RECORDED: &[(&str, &str, &str, &str)] = &[
        // `&` before a letter is re-escaped in the description only; before a space or digit not.
        (
            "Q&A with LLMs and R&D",
            "Q&A with LLMs and R&D",
            "Q&amp;A with LLMs and R&D",
            "Q&A with LLMs and R&D",
        ),
        (
            "Wide & Deep, 3&4 and &5",
            "Wide & Deep, 3&4 and &5",
            "Wide & Deep, 3&4 and &5",
            "Wide & Deep, 3&4 and &5",
        ),
        // ... except at the very end, where sgmllib waits for the rest of the name.
        ("Q&A", "Q&A", "Q&A", "Q&A"),
        // Unknown tags go, their text stays; the title does not look like HTML, so it keeps them.
        (
            "the <EOS> token",
            "the <EOS> token",
            "the  token",
            "the <EOS> token",
        ),
        (
            "triplets, <reference image, modification text, target image>, using",
            "triplets, <reference image, modification text, target image>, using",
            "triplets, , using",
            "triplets, <reference image, modification text, target image>, using",
        ),
        // A `<` that opens no tag is text; `x<y` without any later `>` is text to the end.
        (
            "a < b and x<y",
            "a < b and x<y",
            "a < b and x<y",
            "a < b and x<y",
        ),
        (
            "a < b, then x<y>z",
            "a < b, then x<y>z",
            "a < b, then xz",
            "a < b, then x<y>z",
        ),
        // `<s>` is an allowed element (strike-through).
        (
            "ends with </s> and <s>",
            "ends with </s> and <s>",
            "ends with </s> and <s>",
            "ends with </s> and <s>",
        ),
        // Entities stay entities; `&#39;` becomes a quote (the title looks like HTML here).
        (
            "&lt;b&gt; &amp; &#39;q&#39; &quot;x&quot;",
            "&lt;b&gt; &amp; 'q' &quot;x&quot;",
            "&lt;b&gt; &amp; 'q' &quot;x&quot;",
            "&lt;b&gt; &amp; &#39;q&#39; &quot;x&quot;",
        ),
        (
            "Tom &amp; Jerry: Q&amp;A",
            "Tom &amp; Jerry: Q&amp;A",
            "Tom &amp; Jerry: Q&amp;A",
            "Tom &amp; Jerry: Q&amp;A",
        ),
        (
            "&lt;EOS&gt; as text",
            "&lt;EOS&gt; as text",
            "&lt;EOS&gt; as text",
            "&lt;EOS&gt; as text",
        ),
        (
            "<b>bold</b> text",
            "<b>bold</b> text",
            "<b>bold</b> text",
            "<b>bold</b> text",
        ),
        // Script content goes with its tags.
        (
            "keep <script>alert(1)</script> out",
            "keep <script>alert(1)</script> out",
            "keep  out",
            "keep <script>alert(1)</script> out",
        ),
        (
            "two lines\n  indented",
            "two lines\n  indented",
            "two lines\n  indented",
            "two lines\n  indented",
        ),
        // Windows-1252's C1 dash becomes an en dash; Latin-1 text that is not UTF-8 stays.
        (
            "\u{c3}\u{a9} and \u{96}",
            "\u{c3}\u{a9} and \u{2013}",
            "\u{c3}\u{a9} and \u{2013}",
            "\u{c3}\u{a9} and \u{2013}",
        ),
        (
            "\u{c3}\u{a9}t\u{e9}",
            "\u{c3}\u{a9}t\u{e9}",
            "\u{c3}\u{a9}t\u{e9}",
            "\u{c3}\u{a9}t\u{e9}",
        ),
        ("caf\u{c3}\u{a9}", "caf\u{e9}", "caf\u{e9}", "caf\u{e9}"),
    ];

    /// (stored abstract, feedparser's): MathML and SVG keep their own elements, with their
    /// namespace added; `style` keeps only allowed declarations; comments stay, CDATA goes.
    const RECORDED_MARKUP: &[(&str, &str)] = &[
        (
            r#"an LLM that writes <svg><linearGradient x1="0"/><path d="M0" style="fill: red; color: blue"/></svg> code"#,
            r#"an LLM that writes <svg xmlns="http://www.w3.org/2000/svg"><linearGradient x1="0"><path d="M0"></svg> code"#,
        ),
        (
            r#"<math><mi>x</mi></math> and <p style="color: red; foo: bar" onclick="x()">y</p>"#,
            r#"<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math> and <p style="color: red;">y</p>"#,
        ),
        ("a <!-- note --> b <![CDATA[x]]> c", "a <!-- note --> b  c"),
    ];

    #[test]
    fn markup_is_what_feedparser_gave() {
        for (stored, want) in RECORDED_MARKUP {
            assert_eq!(abstract_text(stored), *want, "abstract of {stored:?}");
        }
    }

    #[test]
    fn fields_are_what_feedparser_gave() {
        for (stored, want_title, want_abstract, want_author) in RECORDED {
            assert_eq!(title(stored), *want_title, "title of {stored:?}");
            assert_eq!(
                abstract_text(stored),
                *want_abstract,
                "abstract of {stored:?}"
            );
            assert_eq!(authors(stored), *want_author, "author of {stored:?}");
        }
    }

    #[test]
    fn the_script_split_at_the_second_abstract_mark() {
        // run.py kept `split("Abstract: ")[1]`: a second mark in the abstract ends it.
        assert_eq!(abstract_text("We study X. Abstract: more"), "We study X. ");
    }

    /// Against feedparser itself: `FEEDPARSER_CASES=FILE cargo test --lib feedparser -- --ignored`
    /// with FILE the JSON lines of benches/feedparser-compat/cases.py (`in`, and the `title`,
    /// `abstract`, `author` feedparser 6.0.11 gave for it as each field).
    #[test]
    #[ignore]
    fn agrees_with_feedparser_on_recorded_cases() {
        let Ok(path) = std::env::var("FEEDPARSER_CASES") else {
            eprintln!("SKIPPED: set FEEDPARSER_CASES to a file of recorded cases");
            return;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let mut failed = 0;
        for (n, line) in text.lines().enumerate() {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let input = case["in"].as_str().unwrap();
            for (field, got) in [
                ("title", title(input)),
                ("abstract", abstract_text(input)),
                ("author", authors(input)),
            ] {
                let want = case[field].as_str().unwrap();
                if got != want {
                    failed += 1;
                    if failed <= 20 {
                        eprintln!(
                            "{path}:{}: {field} of {input:?}\n  want {want:?}\n  got  {got:?}",
                            n + 1
                        );
                    }
                }
            }
        }
        assert_eq!(failed, 0, "{failed} fields differ");
    }
}
