//! Word documents (`.docx`): footnotes and endnotes with their hyperlinks (relationship ids, HYPERLINK
//! field codes, URLs typed as text), the body's references to them, and the body's own links. The
//! package is read with `zip` and its XML with `quick-xml`, with every part's size bounded.
//!
//! Locations: a Word document has no lines, so `line` is the body paragraph (1-based). A footnote's
//! `line` is the paragraph of its first reference, `references` the paragraphs citing it. Footnotes are
//! numbered as Word shows them, in order of first reference (1, 2, 3…); endnotes likewise as e1, e2….

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::model::{Finding, FindingKind};
use super::{RawDocument, RawFootnote, RawLink, RawReference, bare_urls, collapse_whitespace};

/// The most any one part may inflate to: a zip bomb stops here.
const MAX_PART: u64 = 32 * 1024 * 1024;

/// Why a file could not be read as a Word document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocxError {
    #[error("not a Word document: not a zip package ({0})")]
    NotZip(String),
    #[error("not a Word document: the package has no word/document.xml")]
    NoDocument,
    #[error("{part} inflates to more than {} MiB: refused (a zip bomb?)", MAX_PART / 1024 / 1024)]
    TooLarge { part: String },
    #[error("{part} is malformed: {reason}")]
    Malformed { part: String, reason: String },
}

/// Reads a `.docx` package.
pub(crate) fn read(bytes: &[u8]) -> Result<RawDocument, DocxError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocxError::NotZip(e.to_string()))?;
    let document = part(&mut zip, "word/document.xml")?.ok_or(DocxError::NoDocument)?;
    let mut parts = Vec::new();
    for name in [
        "word/document.xml",
        "word/footnotes.xml",
        "word/endnotes.xml",
    ] {
        let xml = if name == "word/document.xml" {
            Some(document.clone())
        } else {
            part(&mut zip, name)?
        };
        let Some(xml) = xml else { continue };
        let rels_name = name.replace("word/", "word/_rels/") + ".rels";
        let rels = match part(&mut zip, &rels_name)? {
            Some(rels) => relationships(&rels, &rels_name)?,
            None => HashMap::new(),
        };
        parts.push((name, walk(&xml, name, &rels)?));
    }
    Ok(assemble(parts))
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, DocxError> {
    let file = match zip.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(DocxError::Malformed {
                part: name.into(),
                reason: e.to_string(),
            });
        }
    };
    if file.size() > MAX_PART {
        return Err(DocxError::TooLarge { part: name.into() });
    }
    let mut bytes = Vec::new();
    // The declared size may lie: never inflate past the limit.
    file.take(MAX_PART + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DocxError::Malformed {
            part: name.into(),
            reason: e.to_string(),
        })?;
    if bytes.len() as u64 > MAX_PART {
        return Err(DocxError::TooLarge { part: name.into() });
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| DocxError::Malformed {
            part: name.into(),
            reason: "not UTF-8".into(),
        })
}

/// Relationship id → external target.
fn relationships(xml: &str, name: &str) -> Result<HashMap<String, String>, DocxError> {
    let mut reader = Reader::from_str(xml);
    let mut rels = HashMap::new();
    loop {
        match reader.read_event().map_err(|e| malformed(name, e))? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    rels.insert(id, target);
                }
            }
            _ => {}
        }
    }
    Ok(rels)
}

fn malformed(part: &str, e: impl std::fmt::Display) -> DocxError {
    DocxError::Malformed {
        part: part.into(),
        reason: e.to_string(),
    }
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
}

/// Which note a paragraph belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NoteKind {
    Foot,
    End,
}

/// One paragraph as read.
#[derive(Debug, Default)]
struct Para {
    /// The note (kind, w:id) holding it; none in the body.
    note: Option<(NoteKind, String)>,
    /// All visible text.
    text: String,
    /// Text outside hyperlinks and field results, searched for typed URLs.
    plain: String,
    links: Vec<String>,
    refs: Vec<(NoteKind, String)>,
    italic: Vec<String>,
    /// Relationship ids with no target.
    broken: Vec<String>,
}

/// Reads a part's paragraphs.
fn walk(xml: &str, name: &str, rels: &HashMap<String, String>) -> Result<Vec<Para>, DocxError> {
    let mut reader = Reader::from_str(xml);
    let mut paras = Vec::new();
    let mut para = Para::default();
    let mut note: Option<(NoteKind, String)> = None;
    let mut in_text = false;
    let mut in_instr = false;
    let mut instr = String::new();
    // Open fields: whether each is a HYPERLINK whose result is showing.
    let mut fields: Vec<bool> = Vec::new();
    let mut hyperlinks = 0usize;
    let (mut italic_run, mut in_rpr) = (false, false);
    let mut italic_span: Option<String> = None;
    loop {
        let event = reader.read_event().map_err(|e| malformed(name, e))?;
        // Text arrives as text and as entity or character references: both read the same way.
        let piece = match &event {
            Event::Text(t) if in_text || in_instr => Some(t.xml10_content().into_owned()),
            Event::GeneralRef(r) if in_text || in_instr => Some(match r.resolve_char_ref() {
                Ok(Some(c)) => c.to_string(),
                _ => quick_xml::escape::resolve_predefined_entity(r)
                    .unwrap_or_default()
                    .to_owned(),
            }),
            _ => None,
        };
        if let Some(piece) = piece {
            if in_instr {
                instr.push_str(&piece);
            } else {
                push_text(
                    &mut para,
                    &piece,
                    hyperlinks > 0 || fields.iter().any(|f| *f),
                );
                if italic_run {
                    italic_span.get_or_insert_with(String::new).push_str(&piece);
                }
            }
            continue;
        }
        match event {
            Event::Eof => break,
            // Word never writes a DTD; one here can only be for entity expansion (a "billion laughs").
            Event::DocType(_) => {
                return Err(malformed(
                    name,
                    "a DTD (entity declarations) is not allowed",
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    "footnote" | "endnote" => {
                        let kind = if e.local_name().as_ref() == "footnote" {
                            NoteKind::Foot
                        } else {
                            NoteKind::End
                        };
                        // Separators are layout, not notes.
                        note = attr(e, "w:type")
                            .is_none()
                            .then(|| (kind, attr(e, "w:id").unwrap_or_default()));
                    }
                    "p" if !empty => {
                        para = Para {
                            note: note.clone(),
                            ..Para::default()
                        }
                    }
                    "r" if !empty => italic_run = false,
                    "rPr" if !empty => in_rpr = true,
                    "i" if in_rpr => {
                        italic_run = !matches!(attr(e, "w:val").as_deref(), Some("0" | "false"))
                    }
                    "t" if !empty => in_text = true,
                    "tab" | "br" | "cr" => {
                        push_text(&mut para, " ", hyperlinks > 0 || fields.iter().any(|f| *f))
                    }
                    "instrText" if !empty => in_instr = true,
                    "hyperlink" if !empty => {
                        hyperlinks += 1;
                        if let Some(id) = attr(e, "r:id") {
                            match rels.get(&id) {
                                Some(target) => para.links.push(target.clone()),
                                None => para.broken.push(id),
                            }
                        }
                    }
                    "fldSimple" => {
                        if let Some(url) = attr(e, "w:instr").as_deref().and_then(hyperlink_field) {
                            para.links.push(url);
                        }
                    }
                    "fldChar" => match attr(e, "w:fldCharType").as_deref() {
                        Some("begin") => {
                            instr.clear();
                            fields.push(false);
                        }
                        Some("separate") => {
                            if let Some(url) = hyperlink_field(&instr) {
                                para.links.push(url);
                                if let Some(last) = fields.last_mut() {
                                    *last = true;
                                }
                            }
                        }
                        Some("end") => {
                            fields.pop();
                        }
                        _ => {}
                    },
                    "footnoteReference" | "endnoteReference" => {
                        let kind = if e.local_name().as_ref() == "footnoteReference" {
                            NoteKind::Foot
                        } else {
                            NoteKind::End
                        };
                        if let Some(id) = attr(e, "w:id") {
                            para.refs.push((kind, id));
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                "p" => {
                    if let Some(span) = italic_span.take() {
                        para.italic.push(span);
                    }
                    paras.push(std::mem::take(&mut para));
                }
                "footnote" | "endnote" => note = None,
                "t" => in_text = false,
                "instrText" => in_instr = false,
                "rPr" => in_rpr = false,
                "hyperlink" => hyperlinks = hyperlinks.saturating_sub(1),
                "r" if !italic_run => {
                    if let Some(span) = italic_span.take() {
                        para.italic.push(span);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(paras)
}

fn push_text(para: &mut Para, text: &str, linked: bool) {
    para.text.push_str(text);
    para.plain.push_str(if linked { " " } else { text });
}

/// The URL of a `HYPERLINK "url"` field code (not of `HYPERLINK \l "bookmark"`).
fn hyperlink_field(instr: &str) -> Option<String> {
    let rest = instr.trim().strip_prefix("HYPERLINK")?.trim();
    if rest.starts_with("\\l") {
        return None;
    }
    let url = rest.trim_start_matches('"').split('"').next()?.trim();
    (!url.is_empty()).then(|| url.to_owned())
}

/// Builds the raw document: body paragraphs numbered from 1, notes numbered as Word shows them.
fn assemble(parts: Vec<(&str, Vec<Para>)>) -> RawDocument {
    let mut out = RawDocument::default();
    let mut numbers: HashMap<(NoteKind, String), String> = HashMap::new();
    let mut first_ref: HashMap<(NoteKind, String), usize> = HashMap::new();
    let (mut next_foot, mut next_end) = (1, 1);
    let mut notes: Vec<((NoteKind, String), Vec<Para>)> = Vec::new();
    for (name, paras) in parts {
        if name != "word/document.xml" {
            for para in paras {
                let Some(key) = para.note.clone() else {
                    continue;
                };
                match notes.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, ps)) => ps.push(para),
                    None => notes.push((key, vec![para])),
                }
            }
            continue;
        }
        for (i, para) in paras.into_iter().enumerate() {
            let line = i + 1;
            for key in para.refs {
                let id = numbers
                    .entry(key.clone())
                    .or_insert_with(|| match key.0 {
                        NoteKind::Foot => {
                            next_foot += 1;
                            (next_foot - 1).to_string()
                        }
                        NoteKind::End => {
                            next_end += 1;
                            format!("e{}", next_end - 1)
                        }
                    })
                    .clone();
                first_ref.entry(key).or_insert(line);
                out.references.push(RawReference { id, line });
            }
            add_links(&mut out.links, &para.links, &para.plain, line);
            for id in para.broken {
                out.findings.push(broken_link(None, line, &id));
            }
        }
    }
    for (key, paras) in notes {
        let id = numbers
            .get(&key)
            .cloned()
            .unwrap_or_else(|| format!("x{}", key.1));
        let line = first_ref.get(&key).copied().unwrap_or(1);
        let mut note = RawFootnote {
            id,
            line,
            ..RawFootnote::default()
        };
        let mut texts = Vec::new();
        for para in paras {
            texts.push(para.text);
            if note.emphasis.is_none() {
                note.emphasis = para
                    .italic
                    .into_iter()
                    .map(|s| collapse_whitespace(&s))
                    .find(|s| !s.is_empty());
            }
            add_links(&mut note.urls, &para.links, &para.plain, line);
            for rid in para.broken {
                out.findings.push(broken_link(Some(&note.id), line, &rid));
            }
        }
        note.text = collapse_whitespace(&texts.join(" "));
        out.footnotes.push(note);
    }
    // Notes in the order they are cited, as the reader meets them.
    out.footnotes.sort_by_key(|f| {
        (
            f.id.starts_with('x'),
            f.id.starts_with('e'),
            f.id.trim_start_matches(['e', 'x'])
                .parse::<u64>()
                .unwrap_or(u64::MAX),
        )
    });
    out
}

fn add_links(links: &mut Vec<RawLink>, targets: &[String], plain: &str, line: usize) {
    links.extend(targets.iter().map(|url| RawLink {
        url: url.clone(),
        line,
    }));
    links.extend(bare_urls(plain).map(|(_, url)| RawLink {
        url: url.to_owned(),
        line,
    }));
}

fn broken_link(footnote: Option<&str>, line: usize, rid: &str) -> Finding {
    Finding::new(
        FindingKind::BrokenHyperlink,
        footnote,
        Some(line),
        format!("a hyperlink points to relationship {rid}, which the document does not define"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_codes() {
        assert_eq!(
            hyperlink_field(r#" HYPERLINK "https://a.org/x" "#).as_deref(),
            Some("https://a.org/x")
        );
        assert_eq!(hyperlink_field(r#"HYPERLINK \l "_Toc1""#), None);
        assert_eq!(hyperlink_field("PAGE"), None);
    }

    #[test]
    fn not_a_package() {
        assert!(matches!(read(b"plain text"), Err(DocxError::NotZip(_))));
    }
}
