//! PDF documents: text with positions (pdf-extract over lopdf), link annotations (`/URI` actions: the
//! authoritative URLs, whole even when the printed URL wraps), and footnotes recovered from the layout.
//!
//! How a page is read, in order:
//! 1. Glyphs are collected with their position and size; rotated text (margin stamps) is dropped.
//! 2. Running headers and footers go: page numbers in the top or bottom band of a page (and whatever
//!    lies beyond them), and lines that repeat at the same height on several pages.
//! 3. Columns: the page's gutters are the x ranges that hold (almost) no text over the page's height;
//!    every line is split at them, and each column is read top to bottom, left column first. A line
//!    that crosses a gutter (a title, a wide table) spans the page.
//! 4. Note numbers: raised, smaller digits. Inside a line they cite a footnote; at the start of a line
//!    (`¹GCC…`, often touching the next word) they begin one. A smaller-type line may also begin with
//!    `1`, `1.` or `1)`.
//! 5. The footnote block of a column is its lowest run of lines starting at a note start whose number
//!    the body has cited (on this page or before) and not yet seen defined, with nothing set larger
//!    below. A numbered list, a code listing's line numbers or a bibliography are never cited by a
//!    raised number, so they are never footnotes. Lines of smaller type at the top of a block continue
//!    the last note of the page before.
//! 6. URLs: annotations over a note's glyphs are its URLs; URLs in the text are found after lines are
//!    re-joined (a URL broken across lines is one URL), unless an annotation on the page already gives
//!    them whole. A URL hyphenated at a line end is kept as printed, with the de-hyphenated alternative
//!    recorded. Everything not in a footnote is a link on its page: a URL is never lost.
//!
//! Locations: `line` is the page number. The structure is inferred from layout, so no error-level
//! structure finding (undefined or duplicate footnote) is made from it.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use lopdf::{Document as Pdf, Object};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};
use regex::Regex;

use super::{RawDocument, RawFootnote, RawLink, RawReference, bare_urls, collapse_whitespace};

/// Why a file could not be read as a PDF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    #[error("not a readable PDF: {0}")]
    Malformed(String),
    #[error("encrypted PDF: cannot read it without its password")]
    Encrypted,
    #[error("no text layer: a scanned PDF? (no text on any of its {0} pages)")]
    NoText(usize),
    #[error("over the reading budget: {0}")]
    TooLarge(String),
}

/// What one PDF may cost to read: the inflated size of one stream that is drawn (page content, form,
/// font), of all of them together, and the characters drawn.
const MAX_STREAM_INFLATED: u64 = 32 * 1024 * 1024;
const MAX_TOTAL_INFLATED: u64 = 192 * 1024 * 1024;
const MAX_GLYPHS: usize = 2_000_000;

/// One character as drawn.
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    text: String,
}

/// A line of text in one column (or across the page), left to right.
#[derive(Debug, Clone)]
struct Line {
    /// Baseline of most of the line.
    y: f64,
    /// The size most of the line is set in.
    size: f64,
    glyphs: Vec<Glyph>,
}

impl Line {
    fn x1(&self) -> f64 {
        self.glyphs.iter().map(|g| g.end).fold(f64::MIN, f64::max)
    }
    fn text(&self) -> String {
        text_of(self.glyphs.iter())
    }
    /// Whether a glyph is raised above the line and set smaller: a note number.
    fn raised(&self, g: &Glyph) -> bool {
        g.size < self.size * 0.9 && g.y > self.y + self.size * 0.12
    }
}

#[derive(Default)]
struct Collector {
    pages: Vec<Vec<Glyph>>,
    /// Characters drawn so far, kept or not: past `MAX_GLYPHS` drawing stops.
    drawn: usize,
    /// The current page's media box: text drawn outside it is not seen.
    media: Option<(f64, f64, f64, f64)>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _: u32,
        media: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        let (x0, x1) = (media.llx.min(media.urx), media.llx.max(media.urx));
        let (y0, y1) = (media.lly.min(media.ury), media.lly.max(media.ury));
        self.media = (x1 - x0 > 1.0 && y1 - y0 > 1.0).then_some((x0, y0, x1, y1));
        self.pages.push(Vec::new());
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // Upright text only: rotated margin stamps and vertical labels are not the document's text.
        if trm.m11 <= 0.0
            || trm.m22 <= 0.0
            || trm.m12.abs() > trm.m11 * 0.01
            || trm.m21.abs() > trm.m22 * 0.01
        {
            return Ok(());
        }
        self.drawn += 1;
        if self.drawn > MAX_GLYPHS {
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        let text = decompose_ligatures(text);
        if text.trim().is_empty() {
            return Ok(());
        }
        let v = trm.transform_vector(euclid::vec2(font_size, font_size));
        let size = (v.x * v.y).abs().sqrt();
        let (x, y) = (trm.m31, trm.m32);
        if !(size.is_finite() && x.is_finite() && y.is_finite()) || size <= 0.0 {
            return Ok(());
        }
        if let Some((x0, y0, x1, y1)) = self.media
            && (x < x0 - 1.0 || x > x1 + 1.0 || y < y0 - 1.0 || y > y1 + 1.0)
        {
            return Ok(());
        }
        if let Some(page) = self.pages.last_mut() {
            page.push(Glyph {
                x,
                end: x + width * size,
                y,
                size,
                text,
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Ligatures and other Latin presentation forms as the letters they stand for (`ﬁ` → `fi`): the
/// text is read, searched and checked as letters, and a URL never holds a ligature. Invisible
/// characters (zero-width space and joiners, the byte-order mark) are not text at all: Google Docs
/// sets a zero-width space before and after every link.
fn decompose_ligatures(text: &str) -> String {
    if !text
        .chars()
        .any(|c| ('\u{FB00}'..='\u{FB06}').contains(&c) || is_invisible(c))
    {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c if is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// A `/Link` annotation with a `/URI` action.
#[derive(Debug, Clone)]
struct Annotation {
    rect: [f64; 4],
    uri: String,
    /// Whether it is drawn over a printed URL (or over nothing legible), rather than over words
    /// ("here", "the projects folder"): only then is it compared with the URLs printed near it.
    over_url: bool,
}

impl Annotation {
    fn covers(&self, g: &Glyph) -> bool {
        let cx = (g.x + g.end) / 2.0;
        let cy = g.y + g.size * 0.3;
        let [x0, y0, x1, y1] = self.rect;
        cx >= x0 - 1.0 && cx <= x1 + 1.0 && cy >= y0 - 2.0 && cy <= y1 + 2.0
    }
}

/// Reads a PDF.
pub(crate) fn read(bytes: &[u8]) -> Result<RawDocument, PdfError> {
    let (pages, annotations) = draw(bytes)?;
    Ok(read_pages(pages, &annotations))
}

/// The page layout as the reader sees it, one line of text per line of the page: page, column,
/// baseline, size, extent, with raised glyphs marked `^`. For looking into a PDF that reads wrong
/// (`cargo run --example pdf_layout FILE`).
pub fn layout(bytes: &[u8]) -> Result<String, PdfError> {
    use std::fmt::Write;
    let (mut pages, _) = draw(bytes)?;
    let body = body_size(&pages);
    strip_headers_and_footers(&mut pages);
    let mut out = format!("body size {body:.1}\n");
    for (i, glyphs) in pages.into_iter().enumerate() {
        for (c, column) in columns(glyphs).iter().enumerate() {
            for l in &column.lines {
                let text: String = l
                    .glyphs
                    .iter()
                    .map(|g| {
                        if l.raised(g) {
                            format!("^{}", g.text)
                        } else {
                            g.text.clone()
                        }
                    })
                    .collect();
                let x0 = l.glyphs.first().map_or(0.0, |g| g.x);
                let _ = writeln!(
                    out,
                    "p{} c{c} y={:.1} s={:.1} x={x0:.0}-{:.0} |{text}",
                    i + 1,
                    l.y,
                    l.size,
                    l.x1()
                );
            }
        }
    }
    Ok(out)
}

/// Drops image data (text extraction never reads it, and pdf-extract would decode an image drawn
/// with `Do` as if it were page content), then measures what every other compressed stream inflates
/// to, without keeping it, against the budget: a decompression bomb is refused before it is drawn.
fn within_budget(pdf: &mut Pdf) -> Result<(), PdfError> {
    use std::io::Read;
    let mut total: u64 = 0;
    for object in pdf.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let subtype = stream
            .dict
            .get(b"Subtype")
            .ok()
            .and_then(|t| t.as_name().ok());
        if subtype == Some(b"Image".as_slice()) {
            stream.dict.remove(b"Filter");
            stream.dict.remove(b"DecodeParms");
            stream.set_content(Vec::new());
            continue;
        }
        let flate = match stream.dict.get(b"Filter") {
            Ok(Object::Name(n)) => n == b"FlateDecode",
            Ok(Object::Array(filters)) => filters
                .first()
                .and_then(|f| f.as_name().ok())
                .is_some_and(|n| n == b"FlateDecode"),
            _ => false,
        };
        if !flate {
            total += stream.content.len() as u64;
            continue;
        }
        let mut inflater =
            flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(MAX_STREAM_INFLATED + 1);
        let mut sink = [0u8; 64 * 1024];
        let mut size: u64 = 0;
        loop {
            match inflater.read(&mut sink) {
                Ok(0) | Err(_) => break, // a damaged stream: pdf-extract copes or skips it
                Ok(n) => size += n as u64,
            }
        }
        if size > MAX_STREAM_INFLATED {
            return Err(PdfError::TooLarge(format!(
                "a stream inflates past {} MiB (a decompression bomb?)",
                MAX_STREAM_INFLATED / (1024 * 1024)
            )));
        }
        total += size;
        if total > MAX_TOTAL_INFLATED {
            return Err(PdfError::TooLarge(format!(
                "its streams inflate past {} MiB",
                MAX_TOTAL_INFLATED / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

/// Whether a stream is a form XObject that LaTeX included from another PDF (`/PTEX.*` keys).
fn is_included_form(stream: &lopdf::Stream) -> bool {
    stream
        .dict
        .get(b"Subtype")
        .is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"Form"))
        && (stream.dict.has(b"PTEX.FileName") || stream.dict.has(b"PTEX.PageNumber"))
}

/// Empties figures that LaTeX included from other PDFs. Their text is a figure's, and often that of a
/// whole page clipped to a small part of it: pdf-extract applies neither clipping nor a form's
/// bounding box, so it would scatter all of it over the columns. A form drawn over most of its page
/// is not a figure but the page itself (proceedings stamp each paper's pages in this way): it is
/// kept, and the figures inside it are looked for in turn.
fn blank_included_figures(pdf: &mut Pdf) {
    let any = pdf
        .objects
        .values()
        .any(|o| matches!(o, Object::Stream(s) if is_included_form(s)));
    if !any {
        return;
    }
    let mut figures: std::collections::HashSet<lopdf::ObjectId> = std::collections::HashSet::new();
    for (_, page_id) in pdf.get_pages() {
        let Ok(content) = pdf.get_page_content(page_id) else {
            continue;
        };
        let area = page_area(pdf, page_id);
        let resources = pdf
            .get_page_resources(page_id)
            .ok()
            .and_then(|(dict, ids)| {
                dict.cloned().or_else(|| {
                    ids.first()
                        .and_then(|id| pdf.get_dictionary(*id).ok().cloned())
                })
            })
            .unwrap_or_default();
        find_figures(pdf, &content, &resources, IDENTITY, area, 0, &mut figures);
    }
    for id in figures {
        if let Ok(Object::Stream(stream)) = pdf.get_object_mut(id) {
            stream.dict.remove(b"Filter");
            stream.dict.remove(b"DecodeParms");
            stream.set_content(Vec::new());
        }
    }
}

/// Gives the fonts of form XObjects names of their own. A font's resource name (`/T1_0`) only means
/// something in the resource dictionary it is listed in, and a form drawn on a page has its own:
/// InDesign names the form's semibold `/T1_0` and the page's light face `/T1_0` too. pdf-extract
/// keeps one font per name for the whole page, so after a form is drawn the page's text would be
/// measured and decoded with the form's font: glyphs land out of order ("oW rld") and ligatures
/// decode to nothing. Each form font is renamed after its object (`/ccF12_0`), in the form's
/// resources and in the `Tf` operators of every form that lists them.
fn unique_form_fonts(pdf: &mut Pdf) {
    // Forms with fonts of their own: (form, its font dictionary's object if shared, old → new name).
    let mut plans: Vec<(
        lopdf::ObjectId,
        Option<lopdf::ObjectId>,
        HashMap<Vec<u8>, Vec<u8>>,
    )> = Vec::new();
    // Resource and font dictionaries that pages list too: their names are the page's own, so they
    // are left as they are.
    let mut of_pages = std::collections::HashSet::new();
    for (_, page) in pdf.get_pages() {
        let Ok(page) = pdf.get_dictionary(page) else {
            continue;
        };
        if let Ok(Object::Reference(r)) = page.get(b"Resources") {
            of_pages.insert(*r);
        }
        if let Some(Ok(Object::Reference(r))) = page
            .get(b"Resources")
            .ok()
            .and_then(|r| pdf.dereference(r).ok().map(|(_, o)| o))
            .and_then(|o| o.as_dict().ok())
            .map(|r| r.get(b"Font"))
        {
            of_pages.insert(*r);
        }
    }
    for (&id, object) in &pdf.objects {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream
            .dict
            .get(b"Subtype")
            .is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"Form"))
        {
            continue;
        }
        let Some(resources) = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| pdf.dereference(r).ok().map(|(_, o)| o))
            .and_then(|o| o.as_dict().ok())
        else {
            continue;
        };
        if let Ok(Object::Reference(r)) = stream.dict.get(b"Resources")
            && of_pages.contains(r)
        {
            continue;
        }
        let Ok(fonts) = resources.get(b"Font") else {
            continue;
        };
        let shared = fonts.as_reference().ok();
        if shared.is_some_and(|r| of_pages.contains(&r)) {
            continue;
        }
        let Some(fonts) = pdf
            .dereference(fonts)
            .ok()
            .and_then(|(_, o)| o.as_dict().ok())
        else {
            continue;
        };
        let renames: HashMap<Vec<u8>, Vec<u8>> = fonts
            .iter()
            .map(|(name, font)| {
                let new = match font.as_reference() {
                    Ok((n, g)) => format!("ccF{n}_{g}").into_bytes(),
                    Err(_) => [
                        b"ccF".as_slice(),
                        &id.0.to_string().into_bytes(),
                        b"_",
                        name,
                    ]
                    .concat(),
                };
                (name.clone(), new)
            })
            .collect();
        if !renames.is_empty() {
            plans.push((id, shared, renames));
        }
    }
    let mut renamed_dicts = std::collections::HashSet::new();
    for (form, shared, renames) in plans {
        let Ok(Object::Stream(stream)) = pdf.get_object(form) else {
            continue;
        };
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let Ok(mut ops) = lopdf::content::Content::decode(&content) else {
            continue;
        };
        for op in &mut ops.operations {
            if op.operator == "Tf"
                && let Some(Object::Name(name)) = op.operands.first_mut()
                && let Some(new) = renames.get(name.as_slice())
            {
                *name = new.clone();
            }
        }
        let Ok(encoded) = ops.encode() else {
            continue;
        };
        // The fonts are renamed where they are listed: in a shared font dictionary once, else in the
        // form's own resources.
        let rename = |fonts: &mut lopdf::Dictionary| {
            let old: Vec<(Vec<u8>, Object)> =
                fonts.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            for (name, font) in old {
                if let Some(new) = renames.get(&name) {
                    fonts.remove(&name);
                    fonts.set(new.clone(), font);
                }
            }
        };
        if let Some(dict_id) = shared {
            if renamed_dicts.insert(dict_id)
                && let Ok(Object::Dictionary(fonts)) = pdf.get_object_mut(dict_id)
            {
                rename(fonts);
            }
        } else {
            let resources_ref = match pdf.get_object(form) {
                Ok(Object::Stream(s)) => s.dict.get(b"Resources").ok().cloned(),
                _ => None,
            };
            let fonts = match resources_ref {
                Some(Object::Reference(r)) => {
                    if !renamed_dicts.insert(r) {
                        None
                    } else {
                        match pdf.get_object_mut(r) {
                            Ok(Object::Dictionary(res)) => res.get_mut(b"Font").ok(),
                            _ => None,
                        }
                    }
                }
                _ => match pdf.get_object_mut(form) {
                    Ok(Object::Stream(s)) => s
                        .dict
                        .get_mut(b"Resources")
                        .ok()
                        .and_then(|r| r.as_dict_mut().ok())
                        .and_then(|r| r.get_mut(b"Font").ok()),
                    _ => None,
                },
            };
            if let Some(Object::Dictionary(fonts)) = fonts {
                rename(fonts);
            }
        }
        if let Ok(Object::Stream(stream)) = pdf.get_object_mut(form) {
            stream.dict.remove(b"Filter");
            stream.dict.remove(b"DecodeParms");
            stream.set_plain_content(encoded);
        }
    }
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b`, as PDF composes matrices (`cm` makes the new CTM `m × CTM`).
fn compose(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn numbers(objects: &[Object]) -> Option<Matrix> {
    let v: Vec<f64> = objects
        .iter()
        .filter_map(|o| o.as_float().ok().map(f64::from))
        .collect();
    (v.len() == 6).then(|| [v[0], v[1], v[2], v[3], v[4], v[5]])
}

fn page_area(pdf: &Pdf, page_id: lopdf::ObjectId) -> f64 {
    let media = pdf
        .get_dictionary(page_id)
        .ok()
        .and_then(|p| p.get(b"MediaBox").ok())
        .and_then(|m| pdf.dereference(m).ok().map(|(_, o)| o.clone()));
    match media {
        Some(Object::Array(a)) => {
            let v: Vec<f64> = a
                .iter()
                .filter_map(|o| o.as_float().ok().map(f64::from))
                .collect();
            match v.as_slice() {
                [x0, y0, x1, y1] => ((x1 - x0) * (y1 - y0)).abs(),
                _ => 612.0 * 792.0,
            }
        }
        _ => 612.0 * 792.0,
    }
}

/// Walks a content stream's `q`/`Q`/`cm`/`Do`, collecting the included forms drawn over less than
/// 60% of the page; forms drawn larger are walked into (to a depth of four).
fn find_figures(
    pdf: &Pdf,
    content: &[u8],
    resources: &lopdf::Dictionary,
    ctm: Matrix,
    page_area: f64,
    depth: usize,
    figures: &mut std::collections::HashSet<lopdf::ObjectId>,
) {
    let Ok(ops) = lopdf::content::Content::decode(content) else {
        return;
    };
    let xobjects = resources
        .get(b"XObject")
        .ok()
        .and_then(|x| pdf.dereference(x).ok().map(|(_, o)| o.clone()))
        .and_then(|o| o.as_dict().ok().cloned());
    let mut stack: Vec<Matrix> = Vec::new();
    let mut ctm = ctm;
    for op in ops.operations {
        match op.operator.as_str() {
            "q" if stack.len() < 64 => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(ctm),
            "cm" => {
                if let Some(m) = numbers(&op.operands) {
                    ctm = compose(&m, &ctm);
                }
            }
            "Do" => {
                let Some(name) = op.operands.first().and_then(|n| n.as_name().ok()) else {
                    continue;
                };
                let Some(Ok(id)) = xobjects
                    .as_ref()
                    .and_then(|x| x.get(name).ok())
                    .map(Object::as_reference)
                else {
                    continue;
                };
                let Ok(Object::Stream(form)) = pdf.get_object(id) else {
                    continue;
                };
                if !is_included_form(form) {
                    continue;
                }
                let matrix = form
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| m.as_array().ok())
                    .and_then(|a| numbers(a))
                    .unwrap_or(IDENTITY);
                let placed = compose(&matrix, &ctm);
                let bbox: Vec<f64> = form
                    .dict
                    .get(b"BBox")
                    .ok()
                    .and_then(|b| b.as_array().ok())
                    .map(|a| {
                        a.iter()
                            .filter_map(|o| o.as_float().ok().map(f64::from))
                            .collect()
                    })
                    .unwrap_or_default();
                let area = match bbox.as_slice() {
                    [x0, y0, x1, y1] => {
                        let det = (placed[0] * placed[3] - placed[1] * placed[2]).abs();
                        ((x1 - x0) * (y1 - y0)).abs() * det
                    }
                    _ => page_area,
                };
                if area < page_area * 0.6 {
                    figures.insert(id);
                } else if depth < 4 {
                    let inner = form
                        .decompressed_content()
                        .unwrap_or_else(|_| form.content.clone());
                    let inner_resources = form
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|r| pdf.dereference(r).ok().map(|(_, o)| o.clone()))
                        .and_then(|o| o.as_dict().ok().cloned())
                        .unwrap_or_default();
                    find_figures(
                        pdf,
                        &inner,
                        &inner_resources,
                        placed,
                        page_area,
                        depth + 1,
                        figures,
                    );
                }
            }
            _ => {}
        }
    }
}

/// Loads a PDF and draws its glyphs, page by page, with its link annotations.
#[allow(clippy::type_complexity)]
fn draw(bytes: &[u8]) -> Result<(Vec<Vec<Glyph>>, BTreeMap<u32, Vec<Annotation>>), PdfError> {
    let mut pdf = super::pdf_repair::load(bytes).map_err(|e| PdfError::Malformed(e.to_string()))?;
    if pdf.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let annotations = link_annotations(&pdf);
    within_budget(&mut pdf)?;
    blank_included_figures(&mut pdf);
    unique_form_fonts(&mut pdf);
    let mut collector = Collector::default();
    // pdf-extract may panic on PDFs it does not understand: that is a malformed input, not a crash,
    // and its panic message is not for the user (see `crate::panics`).
    let drawn = crate::panics::quietly(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pdf_extract::output_doc(&pdf, &mut collector)
        }))
    });
    if collector.drawn > MAX_GLYPHS {
        return Err(PdfError::TooLarge(format!(
            "more than {MAX_GLYPHS} characters drawn"
        )));
    }
    match drawn {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(PdfError::Malformed(format!("{e:?}"))),
        Err(_) => {
            return Err(PdfError::Malformed(
                "its content could not be interpreted".into(),
            ));
        }
    }
    if collector.pages.iter().all(Vec::is_empty) {
        // lopdf may have tried the empty password and left nothing legible: say what it is.
        if memchr::memmem::find(bytes, b"/Encrypt").is_some() {
            return Err(PdfError::Encrypted);
        }
        return Err(PdfError::NoText(pdf.get_pages().len()));
    }
    Ok((collector.pages, annotations))
}

/// The layout analysis of every page, in order.
fn read_pages(
    mut pages: Vec<Vec<Glyph>>,
    annotations: &BTreeMap<u32, Vec<Annotation>>,
) -> RawDocument {
    let body_size = body_size(&pages);
    strip_headers_and_footers(&mut pages);
    let mut out = RawDocument {
        layout_inferred: true,
        ..RawDocument::default()
    };
    let mut notes = Notes::default();
    for (i, glyphs) in pages.into_iter().enumerate() {
        let page = i + 1;
        let links = annotations
            .get(&(page as u32))
            .map_or(&[][..], Vec::as_slice);
        let columns = columns(glyphs);
        read_page(page, columns, body_size, links, &mut notes, &mut out);
    }
    // References to numbers never found defined are not reported: a raised digit may be an exponent.
    let defined: std::collections::HashSet<&str> =
        out.footnotes.iter().map(|f| f.id.as_str()).collect();
    let references: Vec<RawReference> = notes
        .references
        .into_iter()
        .filter(|r| defined.contains(r.id.as_str()))
        .collect();
    out.references = references;
    out
}

/// The size most of the document's text is set in, counted over the upper two thirds of each page
/// (notes, in their smaller type, fill the foot of a page).
fn body_size(pages: &[Vec<Glyph>]) -> f64 {
    common_size(pages.iter().flat_map(|page| {
        let top = page.iter().map(|g| g.y).fold(f64::MIN, f64::max);
        let bottom = page.iter().map(|g| g.y).fold(f64::MAX, f64::min);
        let cut = bottom + (top - bottom) / 3.0;
        page.iter().filter(move |g| g.y >= cut)
    }))
}

/// The size most of these glyphs are set in (to the half point).
fn common_size<'a>(glyphs: impl IntoIterator<Item = &'a Glyph>) -> f64 {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for g in glyphs {
        *counts.entry((g.size * 2.0).round() as i64).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(size, n)| (n, size))
        .map_or(10.0, |(size, _)| size as f64 / 2.0)
}

/// `(page number) → annotations` of the `/Link` annotations with a `/URI` action.
fn link_annotations(pdf: &Pdf) -> BTreeMap<u32, Vec<Annotation>> {
    let mut out: BTreeMap<u32, Vec<Annotation>> = BTreeMap::new();
    let resolve = |o: &Object| pdf.dereference(o).map(|(_, o)| o.clone()).ok();
    for (number, id) in pdf.get_pages() {
        let Ok(page) = pdf.get_dictionary(id) else {
            continue;
        };
        let Some(Object::Array(annots)) = page.get(b"Annots").ok().and_then(resolve) else {
            continue;
        };
        for annot in annots {
            let Some(Object::Dictionary(annot)) = resolve(&annot) else {
                continue;
            };
            let Some(Object::Dictionary(action)) = annot.get(b"A").ok().and_then(resolve) else {
                continue;
            };
            let Some(Object::String(uri, _)) = action.get(b"URI").ok().and_then(resolve) else {
                continue;
            };
            let rect: Vec<f64> = match annot.get(b"Rect").ok().and_then(resolve) {
                Some(Object::Array(r)) => r
                    .iter()
                    .filter_map(|v| v.as_float().ok().map(f64::from))
                    .collect(),
                _ => Vec::new(),
            };
            let rect = match rect.as_slice() {
                [x1, y1, x2, y2] => [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)],
                _ => [f64::MIN, f64::MIN, f64::MAX, f64::MAX],
            };
            let uri = String::from_utf8_lossy(&uri).trim().to_owned();
            if uri.is_empty() {
                continue;
            }
            out.entry(number).or_default().push(Annotation {
                rect,
                uri,
                over_url: true,
            });
        }
    }
    out
}

/// Groups glyphs into lines, top to bottom: a glyph within a little under half its size of a line's
/// baseline (a raised note number included) belongs to it.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for g in glyphs {
        // Only the last few lines can hold it: glyphs come top to bottom.
        let found = lines
            .iter_mut()
            .rev()
            .take(4)
            .find(|l| (l.y - g.y).abs() <= l.size.max(g.size) * 0.45);
        match found {
            Some(line) => {
                if g.size > line.size {
                    line.size = g.size;
                    line.y = g.y;
                }
                line.glyphs.push(g)
            }
            None => lines.push(Line {
                y: g.y,
                size: g.size,
                glyphs: vec![g],
            }),
        }
    }
    merge_raised_markers(&mut lines);
    for line in &mut lines {
        line.glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
        // The line's size and baseline are those of most of its glyphs.
        let mut sizes: Vec<f64> = line.glyphs.iter().map(|g| g.size).collect();
        sizes.sort_by(f64::total_cmp);
        line.size = sizes[sizes.len() / 2];
        line.y = line
            .glyphs
            .iter()
            .filter(|g| (g.size - line.size).abs() < 0.01)
            .map(|g| g.y)
            .fold(f64::MAX, f64::min);
    }
    lines.sort_by(|a, b| b.y.total_cmp(&a.y));
    lines
}

/// A note number raised higher than the grouping tolerance (Corel Ventura raises a 6 pt number
/// half an em above 12 pt text) stands as a line of its own: it belongs to the line below it when it
/// sits within that line's height and reach.
fn merge_raised_markers(lines: &mut Vec<Line>) {
    let is_marker = |l: &Line| {
        l.glyphs.len() <= 8
            && l.glyphs
                .iter()
                .all(|g| g.text.chars().all(|c| c.is_ascii_digit() || c == ','))
    };
    // Lines come top to bottom: the line below a marker is among the next few.
    for i in 0..lines.len() {
        if lines[i].glyphs.is_empty() || !is_marker(&lines[i]) {
            continue;
        }
        let (y, size) = (lines[i].y, lines[i].size);
        let x0 = lines[i].glyphs.iter().map(|g| g.x).fold(f64::MAX, f64::min);
        let x1 = lines[i]
            .glyphs
            .iter()
            .map(|g| g.end)
            .fold(f64::MIN, f64::max);
        // Where the line below starts: a marker standing right over its first letter begins it.
        let start = |m: &Line| m.glyphs.iter().map(|g| g.x).fold(f64::MAX, f64::min);
        let target = (i + 1..lines.len().min(i + 9)).find(|&j| {
            let m = &lines[j];
            let reach = m.size * 2.0;
            // Word for Mac through Quartz sets a note's number as high as a line above its text.
            let height = if (start(m) - x0).abs() <= 1.5 {
                m.size * 1.9
            } else {
                m.size * 0.85
            };
            m.y < y
                && y - m.y <= height
                && size < m.size * 0.8
                && m.glyphs
                    .iter()
                    .any(|g| g.x <= x1 + reach && g.end >= x0 - reach)
        });
        if let Some(j) = target {
            let mut glyphs = std::mem::take(&mut lines[i].glyphs);
            let first = start(&lines[j]);
            if (first - x0).abs() <= 1.5 {
                // Read before the letter it stands over.
                let shift = x1 - first + 0.01;
                for g in &mut glyphs {
                    g.x -= shift;
                    g.end -= shift;
                }
            }
            lines[j].glyphs.extend(glyphs);
        }
    }
    lines.retain(|l| !l.glyphs.is_empty());
}

/// The text of glyphs, with a space where they stand apart.
fn text_of<'a>(glyphs: impl Iterator<Item = &'a Glyph>) -> String {
    let mut text = String::new();
    let mut last_end: Option<f64> = None;
    for g in glyphs {
        if let Some(end) = last_end
            && g.x > end + g.size * 0.15
            && !text.ends_with(' ')
        {
            text.push(' ');
        }
        text.push_str(&g.text);
        last_end = Some(g.end);
    }
    text
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:page\s+)?(?:\d{1,5}|[ivxlc]{1,7})(?:\s+(?:of|/)\s+\d{1,5})?\s*$")
        .expect("page number regex")
});

/// Removes running headers and footers: a page number in the top or bottom tenth of a page's text,
/// with what lies beyond it, and lines repeated (digits aside) near the same height on several pages.
fn strip_headers_and_footers(pages: &mut [Vec<Glyph>]) {
    let key = |l: &Line| -> String {
        l.text()
            .chars()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
            .collect()
    };
    let page_lines: Vec<Vec<Line>> = pages.iter().map(|g| lines(g.clone())).collect();
    // How many pages show each text near each height (heights in 4 pt bands).
    let mut seen: HashMap<(String, i64), usize> = HashMap::new();
    for ls in &page_lines {
        let mut on_page = std::collections::HashSet::new();
        for l in edge_lines(ls) {
            let k = key(l);
            if k.chars().count() >= 3 {
                on_page.insert((k, (l.y / 4.0).round() as i64));
            }
        }
        for k in on_page {
            *seen.entry(k).or_default() += 1;
        }
    }
    // Running headers stand on most pages (alternating ones on every other page); notes that
    // happen to repeat (the same manual cited on three pages) do not.
    let repeated_on = if pages.len() >= 4 {
        (pages.len() * 35).div_ceil(100).max(3)
    } else {
        pages.len().max(2)
    };
    for (glyphs, ls) in pages.iter_mut().zip(&page_lines) {
        if ls.len() < 3 {
            continue;
        }
        let top = ls[0].y;
        let bottom = ls[ls.len() - 1].y;
        let band = (top - bottom) * 0.1;
        let mut cut_above = f64::MAX;
        let mut cut_below = f64::MIN;
        let mut drop: Vec<(f64, f64)> = Vec::new();
        for (i, l) in ls.iter().enumerate() {
            let near_top = l.y >= top - band;
            let near_bottom = l.y <= bottom + band;
            // A running header or footer stands apart from the text next to it; a note's last
            // line ("Manual, 2025-03-04.") that happens to repeat does not.
            let neighbour = if near_top {
                ls.get(i + 1)
            } else {
                i.checked_sub(1).and_then(|j| ls.get(j))
            };
            let apart = neighbour.is_none_or(|n| (n.y - l.y).abs() > l.size.max(n.size) * 1.5);
            if !(near_top || near_bottom) {
                continue;
            }
            let k = key(l);
            let repeated = k.chars().count() >= 3
                && [-1, 0, 1].iter().any(|d| {
                    seen.get(&(k.clone(), (l.y / 4.0).round() as i64 + d))
                        .is_some_and(|&n| n >= repeated_on)
                });
            if PAGE_NUMBER.is_match(&l.text()) {
                if near_bottom {
                    cut_below = cut_below.max(l.y + l.size * 0.5);
                } else {
                    cut_above = cut_above.min(l.y - l.size * 0.5);
                }
            } else if repeated && apart {
                drop.push((l.y - l.size * 0.45, l.y + l.size * 0.45));
            }
        }
        glyphs.retain(|g| {
            g.y < cut_above
                && g.y > cut_below
                && !drop.iter().any(|&(lo, hi)| g.y >= lo && g.y <= hi)
        });
    }
}

/// The first and last three lines of a page: where headers and footers are.
fn edge_lines(ls: &[Line]) -> impl Iterator<Item = &Line> {
    let n = ls.len();
    ls.iter()
        .enumerate()
        .filter(move |(i, _)| *i < 3 || *i + 3 >= n)
        .map(|(_, l)| l)
}

/// One column of a page (or the lines spanning it), top to bottom.
struct Column {
    lines: Vec<Line>,
}

/// Splits a page into columns at its gutters, left to right; lines crossing a gutter form a last,
/// page-wide column.
fn columns(glyphs: Vec<Glyph>) -> Vec<Column> {
    if glyphs.is_empty() {
        return Vec::new();
    }
    // A wide table or figure at the top of a two-column page hides the gutter in the page as a
    // whole: then look at its lower half, where the notes are, and then at its upper half.
    let all: Vec<&Glyph> = glyphs.iter().collect();
    let mut gutters = gutters(&all);
    if gutters.is_empty() {
        let top = glyphs.iter().map(|g| g.y).fold(f64::MIN, f64::max);
        let bottom = glyphs.iter().map(|g| g.y).fold(f64::MAX, f64::min);
        let middle = (top + bottom) / 2.0;
        let (lower, upper): (Vec<&Glyph>, Vec<&Glyph>) = all.iter().partition(|g| g.y < middle);
        gutters = self::gutters(&lower);
        if gutters.is_empty() {
            gutters = self::gutters(&upper);
        }
    }
    if gutters.is_empty() {
        return vec![Column {
            lines: lines(glyphs),
        }];
    }
    let all = lines(glyphs);
    let middles: Vec<f64> = gutters.iter().map(|(lo, hi)| (lo + hi) / 2.0).collect();
    let kinds: Vec<Across> = all.iter().map(|l| across(l, &middles)).collect();
    // Columns hold most lines; where most lines cross the "gutter", it was the gap between a
    // table's columns, or a word space that lined up by chance, and the page has one column.
    if kinds.iter().filter(|&&k| k == Across::Spans).count() * 10 > all.len() * 3 {
        return vec![Column { lines: all }];
    }
    // A short line on one side of a gutter is in a column only where the text around it is set in
    // columns: between lines that span the page (a one-column part of the page, with a note such
    // as "9 http://index.rsf.org/" that ends before the gutter), it spans the page too.
    let spans: Vec<bool> = (0..all.len())
        .map(|i| match kinds[i] {
            Across::Spans => true,
            Across::Split => false,
            Across::OneSide => {
                let above = kinds[..i].iter().rev().find(|&&k| k != Across::OneSide);
                let below = kinds[i + 1..].iter().find(|&&k| k != Across::OneSide);
                match (above, below) {
                    (None, None) => false,
                    (a, b) => {
                        a.is_none_or(|&k| k == Across::Spans)
                            && b.is_none_or(|&k| k == Across::Spans)
                    }
                }
            }
        })
        .collect();
    let mut per_column: Vec<Vec<Glyph>> = vec![Vec::new(); gutters.len() + 1];
    let mut spanning: Vec<Glyph> = Vec::new();
    for (line, spans) in all.into_iter().zip(spans) {
        if spans {
            spanning.extend(line.glyphs);
            continue;
        }
        // Each glyph goes to the side of the middle its centre is on (glyph boxes may reach into a
        // gutter).
        for g in line.glyphs {
            let centre = (g.x + g.end) / 2.0;
            let col = middles.iter().take_while(|&&m| centre > m).count();
            per_column[col].push(g);
        }
    }
    let mut out: Vec<Column> = per_column
        .into_iter()
        .map(|g| Column { lines: lines(g) })
        .collect();
    if !spanning.is_empty() {
        out.push(Column {
            lines: lines(spanning),
        });
    }
    out
}

/// How a line stands to a page's gutters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Across {
    /// It runs across a gutter: text stands over its middle, or only a word space does.
    Spans,
    /// It has a gap at least a word space wider than usual at every gutter it reaches over.
    Split,
    /// It stands in one column, not reaching any gutter.
    OneSide,
}

fn across(line: &Line, middles: &[f64]) -> Across {
    let mut split = false;
    for &m in middles {
        let left = line.glyphs.iter().any(|g| (g.x + g.end) / 2.0 <= m);
        let right = line.glyphs.iter().any(|g| (g.x + g.end) / 2.0 > m);
        if !(left && right) {
            continue;
        }
        if line.glyphs.iter().any(|g| g.x < m - 1.0 && g.end > m + 1.0) {
            return Across::Spans;
        }
        // The gap over the gutter's middle: between the last glyph left of it and the first right.
        let before = line
            .glyphs
            .iter()
            .filter(|g| (g.x + g.end) / 2.0 <= m)
            .map(|g| g.end)
            .fold(f64::MIN, f64::max);
        let after = line
            .glyphs
            .iter()
            .filter(|g| (g.x + g.end) / 2.0 > m)
            .map(|g| g.x)
            .fold(f64::MAX, f64::min);
        if after - before < line.size {
            return Across::Spans;
        }
        split = true;
    }
    if split {
        Across::Split
    } else {
        Across::OneSide
    }
}

/// The x ranges that hold (almost) no text over the page while text stands on both sides.
fn gutters(glyphs: &[&Glyph]) -> Vec<(f64, f64)> {
    let left = glyphs.iter().map(|g| g.x).fold(f64::MAX, f64::min);
    let right = glyphs.iter().map(|g| g.end).fold(f64::MIN, f64::max);
    let width = right - left;
    if !(width > 50.0 && width < 5000.0) {
        return Vec::new();
    }
    let bins = width.ceil() as usize + 1;
    let mut coverage = vec![0.0f64; bins];
    for g in glyphs {
        let a = ((g.x - left).max(0.0) as usize).min(bins - 1);
        let b = ((g.end - left).max(0.0).ceil() as usize).min(bins - 1);
        for c in &mut coverage[a..=b.max(a)] {
            *c += g.size;
        }
    }
    let total: f64 = coverage.iter().sum();
    let mut sorted: Vec<f64> = coverage.iter().copied().filter(|&c| c > 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let typical = sorted.get(sorted.len() * 3 / 4).copied().unwrap_or(0.0);
    let threshold = typical * 0.2;
    let size = common_size(glyphs.iter().copied());
    let mut out = Vec::new();
    let mut i = 0;
    while i < bins {
        if coverage[i] > threshold {
            i += 1;
            continue;
        }
        let start = i;
        while i < bins && coverage[i] <= threshold {
            i += 1;
        }
        let (lo, hi) = (left + start as f64, left + i as f64);
        let before: f64 = coverage[..start].iter().sum();
        let after: f64 = coverage[i.min(bins)..].iter().sum();
        if hi - lo >= size * 0.8
            && before >= total * 0.15
            && after >= total * 0.15
            && rows_beside(glyphs, lo, hi) >= (6, 6)
        {
            out.push((lo, hi));
        }
    }
    out
}

/// How many lines of text stand left and right of an x range: a column has a good many; the word
/// spaces of a short page line up by chance.
fn rows_beside(glyphs: &[&Glyph], lo: f64, hi: f64) -> (usize, usize) {
    let mut left = std::collections::HashSet::new();
    let mut right = std::collections::HashSet::new();
    for g in glyphs {
        let row = (g.y / 2.0).round() as i64;
        if g.end <= lo + 1.0 {
            left.insert(row);
        } else if g.x >= hi - 1.0 {
            right.insert(row);
        }
    }
    (left.len(), right.len())
}

/// What is known of notes across pages.
#[derive(Default)]
struct Notes {
    /// Body references, in order.
    references: Vec<RawReference>,
    /// How often each number has been cited so far.
    cited: HashMap<String, usize>,
    /// How often each number has been defined so far.
    defined: HashMap<String, usize>,
    /// Where the last note is (index in `out.footnotes`) and its type size, for continuations.
    last: Option<(usize, f64)>,
    /// The highest note number defined so far.
    highest: u64,
    /// The last page citing each number.
    cited_on: HashMap<String, usize>,
    /// In an endnote section.
    endnotes: bool,
}

static NOTES_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\W*(?:end\s*notes|foot\s*notes|notes|references|sources|works\s+cited|bibliography|notas|notes\s+de\s+fin|références|referencias|fuentes|anmerkungen|endnoten|fußnoten|quellen|literatur)\W*$",
    )
    .expect("notes heading regex")
});

/// Whether a line is the heading of an endnote section.
fn is_notes_heading(text: &str) -> bool {
    text.len() <= 40 && NOTES_HEADING.is_match(text.trim())
}

impl Notes {
    /// Whether a note numbered `id` can begin on `page`: its number is cited and not yet defined as
    /// often as cited, and it either continues the numbering or (numbering that starts again, say in a
    /// new chapter) is cited on this page or the one before. A bibliography's "1" far from any
    /// citation of note 1 is not a note.
    fn open(&self, id: &str, page: usize) -> bool {
        let pending =
            self.cited.get(id).copied().unwrap_or(0) > self.defined.get(id).copied().unwrap_or(0);
        let n: u64 = id.parse().unwrap_or(0);
        let near = self.cited_on.get(id).is_some_and(|&p| p + 1 >= page);
        pending && (n > self.highest || near)
    }
}

static NOTE_START_PLAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,3})(?:[.)]\s*|\s+)\S").expect("note regex"));

/// The number a line starts with, if it can start a note, and where its text begins (glyph index).
fn note_start(line: &Line, body_size: f64) -> Option<(String, usize)> {
    let raised: String = line
        .glyphs
        .iter()
        .take_while(|g| line.raised(g) && g.text.chars().all(|c| c.is_ascii_digit()))
        .map(|g| g.text.as_str())
        .collect();
    if !raised.is_empty() && raised.len() <= 3 {
        let n = line
            .glyphs
            .iter()
            .take_while(|g| line.raised(g) && g.text.chars().all(|c| c.is_ascii_digit()))
            .count();
        if n < line.glyphs.len() {
            return Some((raised, n));
        }
        return None;
    }
    // An unraised number only in smaller type than the body.
    if line.size >= body_size * 0.93 {
        return None;
    }
    let text = line.text();
    let caps = NOTE_START_PLAIN.captures(&text)?;
    let id = caps[1].to_owned();
    // Skip the glyphs of the number and its punctuation.
    let mut skipped = 0;
    let mut consumed = String::new();
    for g in &line.glyphs {
        if consumed.len() >= id.len() && !matches!(g.text.as_str(), "." | ")") {
            break;
        }
        consumed.push_str(&g.text);
        skipped += 1;
    }
    Some((id, skipped))
}

/// Whether a line starts with a raised note symbol (`∗`, `†`, `‡`, `§`, `¶`).
fn symbol_note(line: &Line) -> bool {
    line.glyphs.first().is_some_and(|g| {
        line.raised(g)
            && matches!(
                g.text.as_str(),
                "*" | "\u{2217}" | "\u{2020}" | "\u{2021}" | "\u{a7}" | "\u{b6}"
            )
    })
}

/// Raised numbers inside a line (not at its start): references to notes.
fn line_references(line: &Line) -> Vec<String> {
    let mut ids = Vec::new();
    let mut marker = String::new();
    let mut at_start = true;
    for g in &line.glyphs {
        let digit = line.raised(g) && g.text.chars().all(|c| c.is_ascii_digit());
        if digit {
            marker.push_str(&g.text);
            continue;
        }
        if !marker.is_empty() {
            if !at_start {
                ids.extend(anchor_run(&marker));
            }
            marker.clear();
        }
        // A comma between raised numbers ("1,2") keeps the run going.
        if !(line.raised(g) && g.text == ",") {
            at_start = false;
        }
    }
    if !marker.is_empty() && !at_start {
        ids.extend(anchor_run(&marker));
    }
    ids
}

/// The note numbers in a run of raised digits: one number of up to three digits, or numbers in
/// sequence set side by side with no separator (Word prints references to notes 81 and 82 as a
/// raised `8182`). Anything else is not a note reference (an exponent, a year).
fn anchor_run(run: &str) -> Vec<String> {
    if run.len() <= 3 {
        return vec![run.to_owned()];
    }
    for first in 1..=3 {
        let Some(Ok(mut n)) = run.get(..first).map(str::parse::<u64>) else {
            continue;
        };
        let mut ids = vec![n.to_string()];
        let mut rest = &run[first..];
        while !rest.is_empty() {
            let next = (n + 1).to_string();
            let Some(tail) = rest.strip_prefix(next.as_str()) else {
                break;
            };
            ids.push(next);
            n += 1;
            rest = tail;
        }
        if rest.is_empty() && ids.len() >= 2 && !ids[0].starts_with('0') {
            return ids;
        }
    }
    Vec::new()
}

fn read_page(
    page: usize,
    columns: Vec<Column>,
    body_size: f64,
    annotations: &[Annotation],
    notes: &mut Notes,
    out: &mut RawDocument,
) {
    let annotations: Vec<Annotation> = annotations
        .iter()
        .map(|a| {
            let glyphs = columns
                .iter()
                .flat_map(|c| &c.lines)
                .flat_map(|l| &l.glyphs)
                .filter(|g| a.covers(g));
            let anchor = text_of(glyphs);
            Annotation {
                over_url: anchor_is_url(&anchor),
                ..a.clone()
            }
        })
        .collect();
    let annotations = annotations.as_slice();
    // References first: a note may sit in a column before the one citing it.
    let mut on_page: Vec<String> = Vec::new();
    for column in &columns {
        for line in &column.lines {
            on_page.extend(line_references(line));
        }
    }
    for id in &on_page {
        *notes.cited.entry(id.clone()).or_default() += 1;
        notes.cited_on.insert(id.clone(), page);
        notes.references.push(RawReference {
            id: id.clone(),
            line: page,
        });
    }

    // An endnote section: from a page headed "Notes", "Endnotes", "References"… up to the next
    // page that opens with a heading of its own. There, notes are set at the body's size and their
    // numbers are not raised.
    let page_heading = columns
        .iter()
        .flat_map(|c| &c.lines)
        .any(|l| l.size > body_size * 1.3);
    let notes_heading = columns
        .iter()
        .flat_map(|c| &c.lines)
        .any(|l| l.size >= body_size * 0.97 && is_notes_heading(&l.text()));
    if notes_heading {
        notes.endnotes = true;
    } else if page_heading {
        notes.endnotes = false;
    }
    // Where a number may start a note at the body's size.
    let note_size = if notes.endnotes {
        f64::INFINITY
    } else {
        body_size
    };

    let mut claimed = vec![false; annotations.len()];
    let mut body_text: Vec<String> = Vec::new();
    for column in columns {
        let lines = column.lines;
        let block = footnote_block(&lines, note_size, notes, page);
        let (body, foot) = lines.split_at(block.unwrap_or(lines.len()));
        // Lines of smaller type at the top of the page's first block continue the last note.
        let mut body_end = body.len();
        if block.is_some()
            && let Some((last, size)) = notes.last
            && out.footnotes.get(last).is_some_and(|f| f.line + 1 == page)
        {
            let mut i = body.len();
            while i > 0
                && (body[i - 1].size - size).abs() < 0.3
                && body[i - 1].size < body_size * 0.93
            {
                i -= 1;
            }
            if i < body.len() {
                let note = &mut out.footnotes[last];
                for line in &body[i..] {
                    note.text = join_wrapped(&note.text, &line.text(), true);
                }
                note.text = note.text.replace(SOFT_BREAK, "-");
                body_end = i;
            }
        }
        body_text.push(join_lines(&body[..body_end]));
        if body_end < body.len() {
            claim(annotations, &body[body_end..], &mut claimed);
        }
        read_notes(page, foot, note_size, annotations, &mut claimed, notes, out);
    }

    // Everything else on the page is a link outside footnotes: annotations first, then printed URLs
    // that no annotation on the page gives whole.
    // Rectangles of a URL a note on this page or the page before already has are the same link:
    // hyperref draws a URL that runs over a page break with rectangles on both pages, some over
    // body text.
    let in_recent_note = |uri: &str| {
        out.footnotes
            .iter()
            .rev()
            .take_while(|f| f.line + 1 >= page)
            .any(|f| f.urls.iter().any(|u| u.url == uri))
    };
    let unclaimed: Vec<(String, bool)> = annotations
        .iter()
        .zip(&claimed)
        .filter(|(a, done)| !**done && !in_recent_note(&a.uri))
        .map(|(a, _)| (a.uri.clone(), a.over_url))
        .collect();
    let printed: Vec<Printed> = body_text.iter().flat_map(|t| printed_urls(t)).collect();
    let page_links: Vec<RawLink> = reconcile(
        &body_text.join(" "),
        printed,
        unclaimed,
        &mut out.alternatives,
    )
    .into_iter()
    .map(|url| RawLink { url, line: page })
    .collect();
    out.links.extend(page_links);
}

/// Whether the text a link is drawn over is a URL (or a piece of one), not words.
fn anchor_is_url(anchor: &str) -> bool {
    let anchor = anchor.trim().trim_end_matches(['.', ',', ';', ':', ')']);
    anchor.is_empty()
        || anchor.contains("://")
        || anchor.contains("www.")
        || (!anchor.contains(char::is_whitespace) && anchor.contains(['/', '.', '%']))
}

/// Marks the annotations drawn over these lines as taken: (URL, drawn over a printed URL).
fn claim(annotations: &[Annotation], lines: &[Line], claimed: &mut [bool]) -> Vec<(String, bool)> {
    let mut urls: Vec<(String, bool)> = Vec::new();
    for (a, done) in annotations.iter().zip(claimed.iter_mut()) {
        if *done {
            continue;
        }
        if lines.iter().flat_map(|l| &l.glyphs).any(|g| a.covers(g)) {
            *done = true;
            if !urls.iter().any(|(u, _)| *u == a.uri) {
                urls.push((a.uri.clone(), a.over_url));
            }
        }
    }
    urls
}

/// Where a column's footnote block starts: the topmost note start, cited and not yet defined, below
/// which nothing is set larger than notes and every note start runs in increasing order.
fn footnote_block(lines: &[Line], body_size: f64, notes: &Notes, page: usize) -> Option<usize> {
    if lines.is_empty() {
        return None;
    }
    let open = |id: &str| notes.open(id, page);
    // From the bottom up: the lowest line that could not be in a block bounds the search.
    let mut best = None;
    let mut next_id: Option<u64> = None;
    let mut max_size: f64 = 0.0;
    for i in (0..lines.len()).rev() {
        let line = &lines[i];
        if let Some((id, _)) = note_start(line, body_size) {
            let n: u64 = id.parse().unwrap_or(0);
            let increasing = next_id.is_none_or(|next| n < next);
            // A number the body was not seen to cite still starts a note when it comes right
            // before the note below it and after the last note defined: the sequence is the
            // evidence (an anchor set at body size, or lost in a figure).
            let in_sequence = next_id.is_some_and(|next| n + 1 == next) && n > notes.highest;
            if (open(&id) || in_sequence) && increasing && line.size >= max_size * 0.9 - 0.3 {
                best = Some(i);
                next_id = Some(n);
                max_size = max_size.max(line.size);
                continue;
            }
        }
        // A line set larger than the notes below it is body text: the block cannot start above it.
        if best.is_some() && line.size > max_size * 1.08 + 0.3 {
            break;
        }
        if best.is_none() {
            // Below any note start only small type (a footer already went) may stand.
            if line.size > body_size * 1.08 {
                break;
            }
            max_size = max_size.max(line.size);
        }
    }
    best
}

/// Reads the notes of a footnote block.
fn read_notes(
    page: usize,
    foot: &[Line],
    body_size: f64,
    annotations: &[Annotation],
    claimed: &mut [bool],
    notes: &mut Notes,
    out: &mut RawDocument,
) {
    let right = right_edge(foot);
    let mut full = true;
    let mut current: Option<(RawFootnote, Vec<Line>)> = None;
    let mut finished: Vec<(RawFootnote, Vec<Line>)> = Vec::new();
    let mut last_y: Option<(f64, f64)> = None;
    for line in foot {
        // A wide gap ends the block: what follows is not a note.
        if let Some((y, size)) = last_y
            && y - line.y > size * 3.5
        {
            break;
        }
        last_y = Some((line.y, line.size));
        let was_full = full;
        full = line.x1() >= right - line.size * 2.5;
        let full = was_full;
        // A line starting with the next number in sequence starts a note, cited or not, where it
        // starts where the notes above started: adjacent notes never merge.
        let expected = (notes.highest + 1).to_string();
        let start = note_start(line, body_size).filter(|(id, _)| {
            notes.open(id, page)
                || (*id == expected
                    && current.as_ref().is_none_or(|(_, ls)| {
                        let x0 = |l: &Line| l.glyphs.first().map_or(0.0, |g| g.x);
                        (x0(line) - x0(&ls[0])).abs() <= line.size * 0.5
                            && (line.size - ls[0].size).abs() < 0.3
                    }))
        });
        // A note marked by a symbol (an author note: `∗ Work done during an internship`) ends the
        // note before it and is not a numbered footnote.
        if start.is_none() && symbol_note(line) {
            finished.extend(current.take());
            continue;
        }
        if let Some((id, skip)) = start {
            *notes.defined.entry(id.clone()).or_default() += 1;
            notes.highest = notes.highest.max(id.parse().unwrap_or(0));
            if let Some(done) = current.take() {
                finished.push(done);
            }
            let rest = text_of(line.glyphs[skip..].iter());
            current = Some((
                RawFootnote {
                    id,
                    line: page,
                    text: rest.trim_start_matches(['.', ')']).trim().to_owned(),
                    ..RawFootnote::default()
                },
                vec![line.clone()],
            ));
        } else if let Some((note, lines)) = current.as_mut() {
            note.text = join_wrapped(&note.text, &line.text(), full);
            lines.push(line.clone());
        }
    }
    finished.extend(current);
    for (mut note, lines) in finished {
        let annotated = claim(annotations, &lines, claimed);
        let urls = reconcile(
            &note.text,
            printed_urls(&note.text),
            annotated,
            &mut out.alternatives,
        );
        // The text reads as printed: a line-break hyphen inside a URL stays a hyphen.
        note.text = collapse_whitespace(&note.text.replace(SOFT_BREAK, "-"));
        note.urls = urls
            .into_iter()
            .map(|url| RawLink { url, line: page })
            .collect();
        let size = lines.first().map_or(body_size, |l| l.size);
        out.footnotes.push(note);
        notes.last = Some((out.footnotes.len() - 1, size));
    }
}

/// The URLs of one note: what is printed, reconciled with the link annotations drawn over it.
///
/// A link annotation is not always the URL it is drawn over. InDesign makes its automatic links from
/// the text up to the first hyphen or `%20` (`…/2014/642/connecting` over
/// `…/2014/642/connecting-open-data-…`, and `http://20Res.pdf` over the rest), and many typesetters
/// escape what they print (`%23two4` for `#two4`). So, for each annotation:
/// - the same as a printed URL but for escaping, or a cut-off start of it: the printed URL stands;
/// - a piece from inside a printed URL: dropped;
/// - longer than a printed URL that is its start (a URL that wrapped and was not rejoined): the
///   annotation stands, but not for a sentence's full stop it took in;
/// - a different URL where the note prints one no annotation matched: the printed URL stands, and the
///   annotation is recorded as its alternative, which `check` tries too;
/// - over text that prints no URL ("the report"): the annotation is the note's URL.
fn reconcile(
    text: &str,
    printed: Vec<Printed>,
    annotated: Vec<(String, bool)>,
    alternatives: &mut Vec<(String, String)>,
) -> Vec<String> {
    // The text without spaces: where a URL that wrapped and was not rejoined can still be seen.
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != SOFT_BREAK)
        .collect();
    // What each printed URL became: itself, or the annotation that completes it.
    let mut urls: Vec<Option<String>> = printed.iter().map(|p| Some(p.url.clone())).collect();
    let mut matched = vec![false; printed.len()];
    let mut unmatched: Vec<String> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    for (a, over_url) in annotated {
        // A sentence's full stop taken into the link is not the URL's.
        let a = a.trim_end_matches(['.', ',', ';', ':']).to_owned();
        if !over_url {
            // A link over words is a URL of its own.
            words.push(a);
            continue;
        }
        let found = printed.iter().enumerate().find_map(|(i, p)| {
            let relation = relate(p, &a, &squeezed);
            (relation != Relation::Unrelated).then_some((i, relation))
        });
        match found {
            Some((i, Relation::Same { annotation_wins })) => {
                matched[i] = true;
                if annotation_wins {
                    urls[i] = Some(a);
                }
            }
            Some((i, Relation::Cut | Relation::Piece)) => matched[i] = true,
            Some((i, Relation::Longer)) => {
                matched[i] = true;
                urls[i] = Some(a);
            }
            Some((i, Relation::More)) => {
                // The annotation adds what is not printed (`#two4`): the print is the citation.
                matched[i] = true;
                alternatives.push((printed[i].url.clone(), a));
            }
            _ => unmatched.push(a),
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut spare = unmatched;
    for (i, (p, url)) in printed.iter().zip(urls).enumerate() {
        let Some(url) = url else { continue };
        if url == p.url {
            if let Some(alt) = &p.alternative {
                alternatives.push((url.clone(), alt.clone()));
            } else if !matched[i]
                && let Some(a) = spare.iter().position(|a| same_host(a, &url))
            {
                // Printed and annotated truly differ: the printed URL is the citation.
                alternatives.push((url.clone(), spare.remove(a)));
            }
        }
        if !out.contains(&url) {
            out.push(url);
        }
    }
    for a in spare.into_iter().chain(words) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// The same link; the annotation is kept only where it decides what the print leaves open (the
    /// hyphen at a line break, the slash of an empty path). A URL printed without its scheme is
    /// kept as printed.
    Same {
        annotation_wins: bool,
    },
    /// The annotation is the start of the printed URL.
    Cut,
    /// The annotation is a piece from inside the printed URL.
    Piece,
    /// The printed URL is the start of the annotation, which goes on as the text does: the URL
    /// wrapped and was not rejoined.
    Longer,
    /// The printed URL is the start of the annotation, which adds what is not printed.
    More,
    Unrelated,
}

/// How a link annotation relates to a printed URL.
fn relate(printed: &Printed, annotated: &str, squeezed: &str) -> Relation {
    let a = link_key(annotated);
    if a.len() < 4 {
        return Relation::Unrelated;
    }
    let p = link_key(&printed.url);
    let alt = printed.alternative.as_deref().map(link_key);
    let schemeless = !printed.url.contains("://");
    if a == p {
        // The print may leave out what the annotation shows: the scheme, or the slash of an empty
        // path (the same URL).
        let slash = annotated.ends_with('/') && !printed.url.ends_with('/');
        return Relation::Same {
            annotation_wins: slash && !schemeless,
        };
    }
    if alt.as_deref() == Some(a.as_str()) {
        // The annotation says the line-break hyphen was the typesetter's.
        return Relation::Same {
            annotation_wins: true,
        };
    }
    if p.starts_with(&a) || alt.as_deref().is_some_and(|alt| alt.starts_with(&a)) {
        return Relation::Cut;
    }
    if a.starts_with(&p) && p.contains(['/', '.']) {
        // Only trailing sentence punctuation more: the print stands.
        if a[p.len()..].chars().all(|c| ".,;:".contains(c)) {
            return Relation::Same {
                annotation_wins: false,
            };
        }
        let bare = annotated
            .split_once("://")
            .map_or(annotated, |(_, rest)| rest);
        return if squeezed.contains(bare) {
            Relation::Longer
        } else {
            Relation::More
        };
    }
    // An automatic link made from a piece of the printed URL ("20Res.pdf" of "UN%20SC%20Res.pdf").
    let bare = annotated
        .split_once("://")
        .map_or(annotated, |(_, rest)| rest)
        .trim_end_matches('/');
    if bare.len() >= 4 && printed.url.contains(bare) {
        return Relation::Piece;
    }
    Relation::Unrelated
}

/// Whether two URLs name the same host (`www.` aside).
fn same_host(a: &str, b: &str) -> bool {
    let host = |u: &str| {
        let key = link_key(u);
        key.split(['/', '?', '#']).next().unwrap_or("").to_owned()
    };
    host(a) == host(b)
}

/// A URL as compared with another: no scheme, no `www.`, escapes decoded, no trailing slash, and
/// the host in lower case.
fn link_key(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let decoded: String = percent_encoding::percent_decode_str(rest)
        .decode_utf8_lossy()
        .replace(SOFT_BREAK, "-");
    let (host, path) = match decoded.find(['/', '?', '#']) {
        Some(i) => decoded.split_at(i),
        None => (decoded.as_str(), ""),
    };
    format!("{}{}", host.to_ascii_lowercase(), path)
        .trim_end_matches('/')
        .to_owned()
}

/// Lines of one column joined into text: a URL wrapped over lines is one URL again.
fn join_lines(lines: &[Line]) -> String {
    let right = right_edge(lines);
    let mut text = String::new();
    let mut full = true;
    for line in lines {
        let t = line.text();
        if text.is_empty() {
            text = t;
        } else {
            text = join_wrapped(&text, &t, full);
        }
        full = line.x1() >= right - line.size * 2.5;
    }
    text
}

/// Where the lines' column ends on the right: its widest line.
fn right_edge(lines: &[Line]) -> f64 {
    lines.iter().map(Line::x1).fold(f64::MIN, f64::max)
}

/// A URL printed in the text, with its de-hyphenated alternative when a line break fell on a hyphen.
struct Printed {
    url: String,
    alternative: Option<String>,
}

/// Marks a hyphen that ended a line inside a URL.
const SOFT_BREAK: char = '\u{00AD}';

/// URLs printed in text, split from words glued before their scheme (`syfthttps://…`): web and FTP
/// addresses, with a scheme or starting `www.` (kept as printed). Other schemes printed in a PDF
/// (`tcp://10.96.0.1:443`, `s3://bucket`) are examples of addresses, not links.
fn printed_urls(text: &str) -> Vec<Printed> {
    let text = unglue_schemes(text);
    let mut found: Vec<(usize, &str)> = bare_urls(&text)
        .filter(|&(at, url)| {
            // An elided URL ("https://oss-fuzz.com/...") is an example, not a link; a host without a
            // dot is a URL run into the next line's words.
            let after = &text[at + url.len()..];
            let host = url.split_once("://").map_or("", |(_, rest)| {
                rest.split(['/', '?', '#']).next().unwrap_or("")
            });
            let scheme = url.split_once("://").map_or("", |(s, _)| s);
            ["http", "https", "ftp"].contains(&scheme.to_ascii_lowercase().as_str())
                && !after.starts_with("...")
                && !after.starts_with('\u{2026}')
                && host.contains('.')
        })
        .collect();
    // Addresses printed without a scheme: `www.` and a host.
    if text.contains("www.") || text.contains("WWW.") {
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        finder.url_must_have_scheme(false);
        for link in finder.links(&text) {
            let url = link.as_str();
            let preceded = text[..link.start()].ends_with(['/', '.', '@', ':']);
            if !url.contains("://")
                && !preceded
                && url.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("www."))
                && url[4..].contains('.')
            {
                found.push((link.start(), url));
            }
        }
        found.sort_by_key(|&(at, _)| at);
    }
    found
        .into_iter()
        .map(|(_, url)| {
            if url.contains(SOFT_BREAK) {
                Printed {
                    url: url.replace(SOFT_BREAK, "-"),
                    alternative: Some(url.replace(SOFT_BREAK, "")),
                }
            } else {
                Printed {
                    url: url.to_owned(),
                    alternative: None,
                }
            }
        })
        .filter(|p| !p.url.ends_with("://"))
        .collect()
}

static GLUED_SCHEME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z0-9])(https?://|ftp://)").expect("glued scheme regex"));

fn unglue_schemes(text: &str) -> std::borrow::Cow<'_, str> {
    GLUED_SCHEME.replace_all(text, "$1 $2")
}

/// Whether a word ends with a percent escape (`…Protection%20`): a URL broken after an escaped space.
fn ends_with_escape(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 3 && b[b.len() - 3] == b'%' && b[b.len() - 2..].iter().all(u8::is_ascii_hexdigit)
}

/// Joins a continuation line; a URL broken at the end of a line goes on without a space. `full` says
/// whether the line before ran to the margin. A break at a hyphen inside a URL leaves `SOFT_BREAK`
/// in the hyphen's place, for `printed_urls` to read both ways.
fn join_wrapped(text: &str, next: &str, full: bool) -> String {
    let last = text.split_whitespace().next_back().unwrap_or("");
    let first = next.split_whitespace().next().unwrap_or("");
    // A URL cut after a separator goes on whatever follows; one cut elsewhere, if the next line does
    // not start a sentence.
    let cut_at_separator = last.ends_with(['/', '_', '=', '?', '&', '#', '%', '+', '~'])
        || ends_with_escape(last)
        // A URL breaks before a separator as well as after one (`…/2023/05` then `-11/…`).
        || first.starts_with(['-', '/', '%', '_', '?', '&', '=', '#', '~']);
    let cut_at_hyphen = last.ends_with('-');
    // Cut mid-word only where the line ran to the margin: a short line ended with its URL.
    let cut_mid_word = full
        && !last.ends_with([',', ';', ')', '>', '"', '\u{201d}'])
        && first
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || c == '/');
    let is_url = last.contains("://")
        || last
            .get(..4)
            .is_some_and(|w| w.eq_ignore_ascii_case("www."));
    let url_continues = is_url
        && !last.ends_with("...")
        && !last.ends_with('\u{2026}')
        && !first.is_empty()
        && !first.contains("://")
        && !first.starts_with(['(', '[', '\u{201c}', '"'])
        && (cut_at_separator || cut_at_hyphen || cut_mid_word);
    if !url_continues {
        // A number broken at a hyphen ("2024-" then "08-01.") is one word again.
        let digit_hyphen = last.len() >= 2
            && last.ends_with('-')
            && last[..last.len() - 1].ends_with(|c: char| c.is_ascii_digit())
            && first.starts_with(|c: char| c.is_ascii_digit());
        if digit_hyphen {
            return format!("{}{}", text.trim_end(), next.trim_start());
        }
        return format!("{} {}", text.trim_end(), next.trim_start());
    }
    if last.ends_with('.') && !cut_mid_word {
        // "…/x." then "Next sentence": the dot ended the sentence.
        return format!("{} {}", text.trim_end(), next.trim_start());
    }
    if cut_at_hyphen {
        let head = text.trim_end().strip_suffix('-').unwrap_or(text.trim_end());
        return format!("{head}{SOFT_BREAK}{}", next.trim_start());
    }
    format!("{}{}", text.trim_end(), next.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_urls_are_joined() {
        let joined = join_wrapped(
            "Dawn, November 19, 2020, https://www.dawn.com/news/1591240/pakistan-will-",
            "do-everything-possible",
            false,
        );
        let urls = printed_urls(&joined);
        assert_eq!(
            urls[0].url,
            "https://www.dawn.com/news/1591240/pakistan-will-do-everything-possible"
        );
        assert_eq!(
            urls[0].alternative.as_deref(),
            Some("https://www.dawn.com/news/1591240/pakistan-willdo-everything-possible")
        );
        assert_eq!(
            join_wrapped("see https://a.org/x.", "Next sentence", true),
            "see https://a.org/x. Next sentence"
        );
        assert_eq!(join_wrapped("a title,", "Dawn", true), "a title, Dawn");
        assert_eq!(
            join_wrapped(
                "4 https://twitter.com/",
                "US4AfghanPeace/status/1330568973168107526, November 22, 2020.",
                false
            ),
            "4 https://twitter.com/US4AfghanPeace/status/1330568973168107526, November 22, 2020."
        );
    }

    fn glyph(x: f64, y: f64, size: f64, text: &str) -> Glyph {
        Glyph {
            x,
            end: x + size * 0.5,
            y,
            size,
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_number_raised_half_an_em_joins_its_line() {
        // As the SSI report (Corel Ventura) sets it: 12 pt text, a 6.2 pt note number 6.5 pt up.
        let mut glyphs: Vec<Glyph> = "law."
            .chars()
            .enumerate()
            .map(|(i, c)| glyph(144.0 + i as f64 * 6.0, 597.6, 12.0, &c.to_string()))
            .collect();
        glyphs.push(glyph(168.5, 604.1, 6.2, "2"));
        glyphs.push(glyph(144.0, 583.9, 12.0, "N"));
        let lines = lines(glyphs);
        assert_eq!(lines.len(), 2);
        assert_eq!(line_references(&lines[0]), vec!["2".to_owned()]);
    }

    #[test]
    fn a_date_broken_at_its_hyphen_is_one_word() {
        // From the LibreOffice PDF of the OSSF guide: "GCC Manual, 2024-" then "08-01.".
        assert_eq!(
            join_wrapped("Suppress Warnings, GCC Manual, 2024-", "08-01.", false),
            "Suppress Warnings, GCC Manual, 2024-08-01."
        );
    }

    #[test]
    fn a_short_line_ends_its_url() {
        // From the CNCF fuzzing handbook: a code listing's URL, then the next line of the listing.
        assert_eq!(
            join_wrapped(
                "git clone https://github.com/AdaLogics/oss-fuzz-example",
                "oss-fuzz-example",
                false
            ),
            "git clone https://github.com/AdaLogics/oss-fuzz-example oss-fuzz-example"
        );
        // A URL cut at a slash goes on even when the line stopped short of the margin.
        assert_eq!(
            join_wrapped(
                "at https://www.mfa.gov.af/news/",
                "2296-agreement.html",
                false
            ),
            "at https://www.mfa.gov.af/news/2296-agreement.html"
        );
    }

    #[test]
    fn elided_and_dotless_urls_are_not_links() {
        // From the CNCF fuzzing handbook.
        assert!(printed_urls("one for https://oss-fuzz.com/... has the most").is_empty());
        assert!(printed_urls("developed by Google https://githubtheris. This").is_empty());
    }

    #[test]
    fn words_glued_to_a_url_are_split_at_the_scheme() {
        let urls = printed_urls("tools such as syfthttps://github.com/anchore/syft and");
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].url, "https://github.com/anchore/syft");
    }

    fn reconciled(text: &str, annotations: &[&str]) -> (Vec<String>, Vec<(String, String)>) {
        let mut alternatives = Vec::new();
        let urls = reconcile(
            text,
            printed_urls(text),
            annotations.iter().map(|a| (a.to_string(), true)).collect(),
            &mut alternatives,
        );
        (urls, alternatives)
    }

    #[test]
    fn printed_urls_win_over_cut_and_escaped_annotations() {
        // InDesign's automatic links stop at the first hyphen or `%20`, and make a link of the rest.
        let text = "Abdulai. http://www.opendataresearch.org/content/2014/642/connecting-open-data";
        let (urls, _) = reconciled(
            text,
            &["http://www.opendataresearch.org/content/2014/642/connecting"],
        );
        assert_eq!(
            urls,
            ["http://www.opendataresearch.org/content/2014/642/connecting-open-data"]
        );
        let text = "http://www.ifrc.org/docs/IDRL/UN%20SC%20Res.pdf";
        let (urls, _) = reconciled(
            text,
            &["http://www.ifrc.org/docs/IDRL/UN", "http://20Res.pdf"],
        );
        assert_eq!(urls, [text]);
        // Escaping and a sentence's full stop taken into the link.
        let (urls, _) = reconciled(
            "Retrieved from https://www.arin.net/policy/nrpm.html#two4.",
            &["https://www.arin.net/policy/nrpm.html%23two4."],
        );
        assert_eq!(urls, ["https://www.arin.net/policy/nrpm.html#two4"]);
    }

    #[test]
    fn annotations_complete_what_the_print_leaves_open() {
        // A URL that wrapped and was not rejoined: the annotation holds it whole.
        let (urls, _) = reconciled(
            "See https://a.org/reports/ 2023/annual.pdf for more.",
            &["https://a.org/reports/2023/annual.pdf"],
        );
        assert_eq!(urls, ["https://a.org/reports/2023/annual.pdf"]);
        // A line-break hyphen the annotation says was the typesetter's.
        let (urls, _) = reconciled(
            "https://a.org/net\u{AD}work/x",
            &["https://a.org/network/x"],
        );
        assert_eq!(urls, ["https://a.org/network/x"]);
        // More than is printed: the print stands, the annotation is its alternative.
        let (urls, alternatives) = reconciled(
            "Retrieved from https://www.arin.net/policy/nrpm.html.",
            &["https://www.arin.net/policy/nrpm.html%23two4"],
        );
        assert_eq!(urls, ["https://www.arin.net/policy/nrpm.html"]);
        assert_eq!(alternatives.len(), 1);
        // A link over words is the note's URL; a different one on the same host is an alternative.
        let (urls, _) = reconciled("See the report.", &["https://a.org/report"]);
        assert_eq!(urls, ["https://a.org/report"]);
        let (urls, alternatives) = reconciled("At https://a.org/x today.", &["https://a.org/y"]);
        assert_eq!(urls, ["https://a.org/x"]);
        assert_eq!(
            alternatives,
            [("https://a.org/x".to_owned(), "https://a.org/y".to_owned())]
        );
        let (urls, _) = reconciled("At https://a.org/x today.", &["https://b.org/y"]);
        assert_eq!(urls, ["https://a.org/x", "https://b.org/y"]);
    }

    #[test]
    fn raised_numbers_side_by_side_are_notes_in_sequence() {
        assert_eq!(anchor_run("12"), ["12"]);
        assert_eq!(anchor_run("8182"), ["81", "82"]);
        assert_eq!(anchor_run("109110"), ["109", "110"]);
        assert_eq!(anchor_run("910"), ["910"]);
        assert!(anchor_run("2023").is_empty());
    }

    #[test]
    fn ligatures_are_letters() {
        assert_eq!(
            decompose_ligatures("pro\u{FB01}les stu\u{FB00}"),
            "profiles stuff"
        );
        assert_eq!(decompose_ligatures("plain"), "plain");
    }

    #[test]
    fn urls_broken_before_a_separator_or_after_an_escape_are_joined() {
        let joined = join_wrapped("https://e.eu/DV/2023/05", "-11/Consolidated.pdf", true);
        assert_eq!(joined, "https://e.eu/DV/2023/05-11/Consolidated.pdf");
        let joined = join_wrapped(
            "https://a.in/files/Data%20Protection%20",
            "Act%202023.pdf",
            false,
        );
        assert_eq!(
            joined,
            "https://a.in/files/Data%20Protection%20Act%202023.pdf"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            read(b"%PDF-1.4 garbage"),
            Err(PdfError::Malformed(_))
        ));
        assert!(matches!(read(b"not a pdf"), Err(PdfError::Malformed(_))));
    }
}
