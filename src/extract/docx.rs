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

/// A relationship's target, and whether it leaves the package (`TargetMode="External"`): only
/// external targets are links; internal ones are other parts of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rel {
    target: String,
    external: bool,
}

/// Relationship id → target.
fn relationships(xml: &str, name: &str) -> Result<HashMap<String, Rel>, DocxError> {
    let mut reader = Reader::from_str(xml);
    let mut rels = HashMap::new();
    loop {
        match reader.read_event().map_err(|e| malformed(name, e))? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(mut target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    // A target past the longest URL read is no link (see `MAX_URL_BYTES`): it is
                    // not copied into every hyperlink that names it.
                    if target.len() > super::MAX_URL_BYTES {
                        target = String::new();
                    }
                    let external = attr(&e, "TargetMode")
                        .is_some_and(|m| m.trim().eq_ignore_ascii_case("External"));
                    rels.insert(id, Rel { target, external });
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
    /// Note references, each with the length of the paragraph's text where it stands.
    refs: Vec<(NoteKind, String, usize)>,
    italic: Vec<String>,
    /// Relationship ids with no target.
    broken: Vec<String>,
}

/// Reads a part's paragraphs.
fn walk(xml: &str, name: &str, rels: &HashMap<String, Rel>) -> Result<Vec<Para>, DocxError> {
    let mut reader = Reader::from_str(xml);
    let mut paras = Vec::new();
    let mut para = Para::default();
    let mut note: Option<(NoteKind, String)> = None;
    let mut in_text = false;
    let mut in_instr = false;
    // Open complex fields (`w:fldChar` begin … separate … end), innermost last.
    let mut fields: Vec<Field> = Vec::new();
    // Fields begun past `MAX_FIELD_DEPTH`, ignored until their end.
    let mut too_deep = 0usize;
    // Open `w:fldSimple` elements: whether each is a HYPERLINK.
    let mut simple: Vec<bool> = Vec::new();
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
        // Text shown by a hyperlink or a HYPERLINK field is its label, not a typed URL.
        let linked = hyperlinks > 0 || fields.iter().any(|f| f.link) || simple.contains(&true);
        if let Some(piece) = piece {
            if in_instr {
                // The instructions of a field begun past the depth limit are its own, not the
                // innermost counted field's.
                if too_deep == 0
                    && let Some(field) = fields.last_mut()
                    && field.instr.len() + piece.len() <= MAX_INSTR
                {
                    field.instr.push_str(&piece);
                }
            } else {
                push_text(&mut para, &piece, linked);
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
                    "tab" | "br" | "cr" => push_text(&mut para, " ", linked),
                    "instrText" if !empty => in_instr = true,
                    "hyperlink" if !empty => {
                        hyperlinks += 1;
                        // `w:anchor` alone is a bookmark in this document (a table of contents, a
                        // cross-reference); with `r:id` it is the fragment of the external target.
                        if let Some(id) = attr(e, "r:id") {
                            match rels.get(&id) {
                                Some(rel) => {
                                    if let Some(url) = external_target(rel) {
                                        let anchor = attr(e, "w:anchor");
                                        para.links.push(with_fragment(url, anchor.as_deref()));
                                    }
                                }
                                None => para.broken.push(id),
                            }
                        }
                    }
                    "fldSimple" => {
                        let link = attr(e, "w:instr").as_deref().and_then(hyperlink_field);
                        if !empty {
                            simple.push(link.is_some());
                        }
                        if let Some(FieldLink::External(url)) = link {
                            para.links.push(url);
                        }
                    }
                    "fldChar" => match attr(e, "w:fldCharType").as_deref() {
                        Some("begin") if fields.len() < MAX_FIELD_DEPTH => {
                            fields.push(Field::default())
                        }
                        Some("begin") => too_deep += 1,
                        Some("separate") => {
                            if too_deep == 0
                                && let Some(field) = fields.last_mut()
                                && let Some(link) = hyperlink_field(&field.instr)
                            {
                                field.link = true;
                                if let FieldLink::External(url) = link {
                                    para.links.push(url);
                                }
                            }
                        }
                        Some("end") if too_deep > 0 => too_deep -= 1,
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
                            para.refs.push((kind, id, para.text.len()));
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
                "fldSimple" => {
                    simple.pop();
                }
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

/// The most of a field's instruction kept: a URL longer than this is not one.
const MAX_INSTR: usize = 64 * 1024;
/// Fields nest (a field in another's instruction); deeper than this, the inner ones are ignored.
const MAX_FIELD_DEPTH: usize = 64;

/// A complex field being read.
#[derive(Debug, Default)]
struct Field {
    instr: String,
    /// A HYPERLINK field whose result is showing.
    link: bool,
}

/// Where a HYPERLINK field goes.
#[derive(Debug, PartialEq, Eq)]
enum FieldLink {
    /// A URL, with its `\l` fragment.
    External(String),
    /// A bookmark in this document (`HYPERLINK \l "_Toc123"`): not a link.
    Internal,
}

/// An external relationship's target; internal ones (other parts, `#bookmark`) are not links.
fn external_target(rel: &Rel) -> Option<&str> {
    let target = rel.target.trim();
    (rel.external && !target.is_empty() && !target.starts_with('#')).then_some(target)
}

/// `target#anchor`: Word and LibreOffice keep a URL's fragment apart from the relationship target
/// (`w:anchor`, or the `\l` switch of a field). A target that already has a fragment keeps it.
fn with_fragment(target: &str, anchor: Option<&str>) -> String {
    match anchor.map(|a| a.trim().trim_start_matches('#')) {
        Some(anchor) if !anchor.is_empty() && !target.contains('#') => format!("{target}#{anchor}"),
        _ => target.to_owned(),
    }
}

/// Reads a `HYPERLINK` field code: `HYPERLINK "url" \l "fragment" \o "tooltip" \t "frame" \m \n`.
/// `None` when the field is not a HYPERLINK.
fn hyperlink_field(instr: &str) -> Option<FieldLink> {
    let mut tokens = field_tokens(instr).into_iter();
    let (name, _) = tokens.next()?;
    if !name.eq_ignore_ascii_case("HYPERLINK") {
        return None;
    }
    let (mut url, mut fragment) = (None, None);
    while let Some((token, quoted)) = tokens.next() {
        match token.strip_prefix('\\').filter(|_| !quoted) {
            // Switches with an argument; the others (\m, \n, \h) have none.
            Some(switch) if switch.eq_ignore_ascii_case("l") => {
                fragment = tokens.next().map(|(t, _)| t)
            }
            Some(switch)
                if switch.eq_ignore_ascii_case("o") || switch.eq_ignore_ascii_case("t") =>
            {
                tokens.next();
            }
            Some(_) => {}
            None if url.is_none() => url = Some(token),
            None => {}
        }
    }
    match url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Some(FieldLink::External(with_fragment(url, fragment.as_deref()))),
        None => Some(FieldLink::Internal),
    }
}

/// Splits a field instruction into its arguments, each with whether it was quoted: `"a b"` is one
/// argument (with `\"` a quote and `\\` a backslash inside), `\l` a switch.
fn field_tokens(instr: &str) -> Vec<(String, bool)> {
    let mut tokens = Vec::new();
    let mut chars = instr.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut token = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' if matches!(chars.peek(), Some('"' | '\\')) => {
                        token.extend(chars.next());
                    }
                    c => token.push(c),
                }
            }
            tokens.push((token, true));
        } else {
            let mut token = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                token.push(c);
                chars.next();
            }
            tokens.push((token, false));
        }
    }
    tokens
}

/// Builds the raw document: body paragraphs numbered from 1, notes numbered as Word shows them.
fn assemble(parts: Vec<(&str, Vec<Para>)>) -> RawDocument {
    let mut out = RawDocument::default();
    let mut numbers: HashMap<(NoteKind, String), String> = HashMap::new();
    let mut first_ref: HashMap<(NoteKind, String), usize> = HashMap::new();
    // The words the sentence that first cites a note quotes.
    let mut quotes: HashMap<(NoteKind, String), Vec<String>> = HashMap::new();
    let (mut next_foot, mut next_end) = (1, 1);
    let mut notes: Vec<((NoteKind, String), Vec<Para>)> = Vec::new();
    // Where each note's paragraphs are in `notes`: found by key, not by a search of all the notes
    // before it (60,000 footnotes took 4.6 s).
    let mut note_at: HashMap<(NoteKind, String), usize> = HashMap::new();
    for (name, paras) in parts {
        if name != "word/document.xml" {
            for para in paras {
                let Some(key) = para.note.clone() else {
                    continue;
                };
                match note_at.get(&key) {
                    Some(&at) => notes[at].1.push(para),
                    None => {
                        note_at.insert(key.clone(), notes.len());
                        notes.push((key, vec![para]));
                    }
                }
            }
            continue;
        }
        for (i, para) in paras.into_iter().enumerate() {
            let line = i + 1;
            // The text since the paragraph's previous reference: what an earlier note cites is
            // its own.
            let mut since = 0;
            for (kind, note_id, at) in para.refs {
                let key = (kind, note_id);
                if !first_ref.contains_key(&key)
                    && let Some(before) = para.text.get(since.min(at)..at)
                {
                    let found = super::quotes::of_sentence(super::quotes::tail(
                        before,
                        super::quotes::MAX_SENTENCE,
                    ));
                    quotes.insert(key.clone(), found);
                }
                since = at;
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
            quotes: quotes.remove(&key).unwrap_or_default(),
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

    fn external(url: &str) -> Option<FieldLink> {
        Some(FieldLink::External(url.to_owned()))
    }

    #[test]
    fn field_codes() {
        assert_eq!(
            hyperlink_field(r#" HYPERLINK "https://a.org/x" "#),
            external("https://a.org/x")
        );
        assert_eq!(
            hyperlink_field(r#" HYPERLINK "https://a.org/x" \l "frag" "#),
            external("https://a.org/x#frag")
        );
        // LibreOffice: the fragment apart, the URL quoted.
        assert_eq!(
            hyperlink_field(
                r#" HYPERLINK "https://gcc.gnu.org/bugzilla/show_bug.cgi?id=103533" \l "c9""#
            ),
            external("https://gcc.gnu.org/bugzilla/show_bug.cgi?id=103533#c9")
        );
        // Switches before the URL, unquoted arguments, tooltips with spaces, switches without
        // arguments, no space before a quote, lower case.
        assert_eq!(
            hyperlink_field(
                r#"HYPERLINK \o "See the guide, part 2" \t _blank https://a.org/x \n \l"sec 2""#
            ),
            external("https://a.org/x#sec 2")
        );
        assert_eq!(
            hyperlink_field(r#"hyperlink \m https://a.org/map \h"#),
            external("https://a.org/map")
        );
        // A quoted "\l" is an argument, not a switch; escaped quotes inside quotes.
        assert_eq!(
            hyperlink_field(r#"HYPERLINK "https://a.org/q?s=\"x\"" \o "\l""#),
            external(r#"https://a.org/q?s="x""#)
        );
        // A fragment already in the URL stays; the \l one is not added twice.
        assert_eq!(
            hyperlink_field(r#"HYPERLINK "https://a.org/x#top" \l "frag""#),
            external("https://a.org/x#top")
        );
        assert_eq!(
            hyperlink_field(r#"HYPERLINK \l "_Toc123""#),
            Some(FieldLink::Internal)
        );
        assert_eq!(
            hyperlink_field(r#"HYPERLINK \l "_Toc123" \h"#),
            Some(FieldLink::Internal)
        );
        assert_eq!(hyperlink_field("HYPERLINK"), Some(FieldLink::Internal));
        assert_eq!(hyperlink_field("PAGE"), None);
        assert_eq!(hyperlink_field(r#"PAGEREF _Toc96591871 \h"#), None);
        assert_eq!(hyperlink_field(""), None);
        assert_eq!(
            hyperlink_field(r#"HYPERLINK "unterminated"#),
            external("unterminated")
        );
        assert_eq!(
            hyperlink_field(r#"HYPERLINK "https://a.org/" \l"#),
            external("https://a.org/")
        );
    }

    const NS: &str = r#"xmlns:w="w" xmlns:r="r""#;

    fn links_of(body: &str, rels: &[(&str, &str, bool)]) -> Vec<String> {
        let rels = rels
            .iter()
            .map(|(id, target, external)| {
                (
                    (*id).to_owned(),
                    Rel {
                        target: (*target).to_owned(),
                        external: *external,
                    },
                )
            })
            .collect();
        let xml = format!("<w:document {NS}><w:body>{body}</w:body></w:document>");
        let paras = walk(&xml, "word/document.xml", &rels).unwrap();
        let doc = assemble(vec![("word/document.xml", paras)]);
        doc.links.into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn anchors_are_fragments_of_external_targets_and_bookmarks_alone() {
        let rels = [
            (
                "rId1",
                "https://github.com/plutext/docx4j/blob/master/pom.xml",
                true,
            ),
            ("rId2", "https://documents4j.com/", true),
            ("rId3", "https://a.org/x#kept", true),
            ("rId4", "styles.xml", false),
            ("rId5", "#_Toc1", true),
        ];
        let body = r#"
<w:p><w:hyperlink r:id="rId1" w:anchor="L67"><w:r><w:t>pom</w:t></w:r></w:hyperlink></w:p>
<w:p><w:hyperlink r:id="rId2" w:anchor="/"><w:r><w:t>documents4j</w:t></w:r></w:hyperlink></w:p>
<w:p><w:hyperlink r:id="rId3" w:anchor="other"><w:r><w:t>x</w:t></w:r></w:hyperlink></w:p>
<w:p><w:hyperlink w:anchor="_Toc96591871" w:history="1"><w:r><w:t>1 Introduction https://not.a.link/</w:t></w:r></w:hyperlink></w:p>
<w:p><w:hyperlink r:id="rId4"><w:r><w:t>a part</w:t></w:r></w:hyperlink></w:p>
<w:p><w:hyperlink r:id="rId5"><w:r><w:t>a bookmark</w:t></w:r></w:hyperlink></w:p>
"#;
        assert_eq!(
            links_of(body, &rels),
            [
                "https://github.com/plutext/docx4j/blob/master/pom.xml#L67",
                "https://documents4j.com/#/",
                "https://a.org/x#kept",
            ]
        );
    }

    #[test]
    fn field_results_are_labels_and_internal_fields_are_not_links() {
        let field = |instr: &str, result: &str| {
            format!(
                r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">{instr}</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#
            )
        };
        let body = format!(
            r#"<w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p><w:p><w:fldSimple w:instr=" HYPERLINK &quot;https://s.org/&quot; \l &quot;x&quot; "><w:r><w:t>https://s.org/label</w:t></w:r></w:fldSimple><w:r><w:t> then https://typed.org/after</w:t></w:r></w:p>"#,
            // LibreOffice splits the instruction over two w:instrText.
            field(
                r#" HYPERLINK &quot;https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html&quot; \l &quot;index-Wmismatched-dealloc&quot;</w:instrText></w:r><w:r><w:instrText>"#,
                "the label"
            ),
            field(
                r#" HYPERLINK \l "_Toc96591871" \h "#,
                "1 Introduction https://toc.example/"
            ),
            field(r#" PAGEREF _Toc96591871 \h "#, "4"),
        );
        assert_eq!(
            links_of(&body, &[]),
            [
                "https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html#index-Wmismatched-dealloc",
                "https://s.org/#x",
                "https://typed.org/after",
            ]
        );
    }

    #[test]
    fn typed_urls_end_before_cjk_text() {
        let body = r#"<w:p><w:r><w:t>采购公告见http://zfcg.czt.zj.gov.cn/）、东阳市公共资源交易中心，https://a.cn/x。</w:t></w:r></w:p>"#;
        assert_eq!(
            links_of(body, &[]),
            ["http://zfcg.czt.zj.gov.cn/", "https://a.cn/x"]
        );
    }

    #[test]
    fn nested_fields_keep_their_own_instructions() {
        // A field inside another's result: the outer HYPERLINK's result stays a label after it.
        let body = r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "https://outer.org/" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>https://outer.org/label</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#;
        assert_eq!(links_of(body, &[]), ["https://outer.org/"]);
        // Thousands of unclosed fields: bounded, no panic.
        let deep = r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r>"#.repeat(10_000);
        let body = format!("<w:p>{deep}<w:r><w:t>https://deep.org/</w:t></w:r></w:p>");
        assert_eq!(links_of(&body, &[]), ["https://deep.org/"]);
    }

    #[test]
    fn not_a_package() {
        assert!(matches!(read(b"plain text"), Err(DocxError::NotZip(_))));
    }
}
