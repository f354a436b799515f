//! A thin layer over quick-xml shared by the XML sources: element starts with their attributes,
//! ends, and text with every entity and character reference resolved. It also notices documents
//! that stop before their root element is closed (truncated responses).

use quick_xml::Reader;
use quick_xml::events::Event;

use super::SourceError;

pub(crate) enum XmlEvent<'a> {
    /// An element opens (an empty `<x/>` is followed by its End at once). Names are qualified as
    /// written.
    Start {
        name: &'a str,
        attrs: Vec<(String, String)>,
        /// The byte offset of the `<` that opens the element.
        offset: usize,
    },
    End {
        name: &'a str,
        /// The byte offset just past the element's closing tag.
        end: usize,
    },
    Text(&'a str),
}

/// Walks `xml`, calling `f` for each event. Errors name `location` and the line.
pub(crate) fn walk(
    xml: &str,
    location: &str,
    mut f: impl FnMut(XmlEvent<'_>) -> Result<(), String>,
) -> Result<(), SourceError> {
    let mut reader = Reader::from_str(xml);
    let line_at = |pos: u64| {
        xml.as_bytes()[..(pos as usize).min(xml.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            SourceError::format(
                format!("{location}:{}", line_at(reader.error_position())),
                format!("malformed XML: {e}"),
            )
        })?;
        let fail = |msg: String| SourceError::format(format!("{location}:{}", line_at(pos)), msg);
        let bad_utf8 = |_| fail("invalid UTF-8 in element name".into());
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = std::str::from_utf8(e.name().into_inner()).map_err(bad_utf8)?;
                let mut attrs = Vec::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| fail(format!("malformed attribute: {err}")))?;
                    let key = String::from_utf8_lossy(attr.key.into_inner()).into_owned();
                    let value = attr
                        .unescape_value()
                        .map_err(|err| fail(format!("malformed attribute value: {err}")))?
                        .into_owned();
                    attrs.push((key, value));
                }
                if depth == 0 && seen_root {
                    return Err(fail("more than one root element".into()));
                }
                seen_root = true;
                let offset = pos as usize;
                f(XmlEvent::Start {
                    name,
                    attrs,
                    offset,
                })
                .map_err(&fail)?;
                if empty {
                    let end = reader.buffer_position() as usize;
                    f(XmlEvent::End { name, end }).map_err(&fail)?;
                } else {
                    depth += 1;
                }
            }
            Event::End(ref e) => {
                let name = std::str::from_utf8(e.name().into_inner()).map_err(bad_utf8)?;
                depth = depth.saturating_sub(1);
                let end = reader.buffer_position() as usize;
                f(XmlEvent::End { name, end }).map_err(fail)?;
            }
            Event::Text(ref t) => {
                if depth > 0 {
                    let text = t
                        .decode()
                        .map_err(|err| fail(format!("invalid text: {err}")))?;
                    f(XmlEvent::Text(&text)).map_err(fail)?;
                } else if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(fail(
                        "text outside the root element (not an XML document?)".into(),
                    ));
                }
            }
            Event::CData(ref t) => {
                let text =
                    std::str::from_utf8(t).map_err(|_| fail("invalid UTF-8 in CDATA".into()))?;
                f(XmlEvent::Text(text)).map_err(fail)?;
            }
            Event::GeneralRef(ref r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r
                            .decode()
                            .map_err(|err| fail(format!("invalid entity: {err}")))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| fail(format!("unknown entity &{name};")))?
                            .to_string()
                    }
                    Err(err) => return Err(fail(format!("invalid character reference: {err}"))),
                };
                f(XmlEvent::Text(&resolved)).map_err(fail)?;
            }
            Event::Eof => {
                if !seen_root {
                    return Err(SourceError::format(
                        format!("{location}:1"),
                        "empty document: no XML element found",
                    ));
                }
                if depth > 0 {
                    return Err(SourceError::format(
                        format!("{location}:{}", line_at(xml.len() as u64)),
                        "truncated XML: the document ends before its root element is closed",
                    ));
                }
                return Ok(());
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

/// The local part of a qualified name (`dc:creator` -> `creator`).
pub(crate) fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}
