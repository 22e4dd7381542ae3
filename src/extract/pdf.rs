//! PDF briefs: text with positions (pdf-extract over lopdf), link annotations (`/URI` actions: the
//! authoritative URLs, whole even when the printed URL wraps), and footnotes recovered from the layout:
//! on each page, the block of smaller-type lines at the bottom that start with a number, their
//! continuation lines, and the raised smaller-type numbers in the body that cite them.
//!
//! Locations: `line` is the page number. Where no footnote structure is found, every URL is still
//! listed as a link on its page: a URL is never lost.

use std::collections::BTreeMap;
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
}

/// One character as drawn.
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    text: String,
}

/// A line of text on a page, top to bottom.
#[derive(Debug, Clone)]
struct Line {
    y: f64,
    /// The size most of the line is set in.
    size: f64,
    glyphs: Vec<Glyph>,
}

#[derive(Default)]
struct Collector {
    pages: Vec<Vec<Glyph>>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _: u32,
        _: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
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
        let v = trm.transform_vector(euclid::vec2(font_size, font_size));
        let size = (v.x * v.y).abs().sqrt();
        let (x, y) = (trm.m31, trm.m32);
        if let Some(page) = self.pages.last_mut() {
            page.push(Glyph {
                x,
                end: x + width * size,
                y,
                size,
                text: text.to_owned(),
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

/// Reads a PDF.
pub(crate) fn read(bytes: &[u8]) -> Result<RawDocument, PdfError> {
    let pdf = super::pdf_repair::load(bytes).map_err(|e| PdfError::Malformed(e.to_string()))?;
    if pdf.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let annotations = link_annotations(&pdf);
    let mut collector = Collector::default();
    // pdf-extract may panic on PDFs it does not understand: that is a malformed input, not a crash.
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(&pdf, &mut collector)
    }));
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
    let mut out = RawDocument::default();
    for (i, glyphs) in collector.pages.into_iter().enumerate() {
        let page = i + 1;
        let links = annotations.get(&(page as u32)).cloned().unwrap_or_default();
        read_page(page, lines(glyphs), &links, &mut out);
    }
    Ok(out)
}

/// `(page number) → [(bottom y, top y, URL)]` of the `/Link` annotations with a `/URI` action.
fn link_annotations(pdf: &Pdf) -> BTreeMap<u32, Vec<(f64, f64, String)>> {
    let mut out: BTreeMap<u32, Vec<(f64, f64, String)>> = BTreeMap::new();
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
            let (bottom, top) = match rect.as_slice() {
                [_, y1, _, y2] => (y1.min(*y2), y1.max(*y2)),
                _ => (f64::MIN, f64::MAX),
            };
            out.entry(number).or_default().push((
                bottom,
                top,
                String::from_utf8_lossy(&uri).trim().to_owned(),
            ));
        }
    }
    out
}

/// Groups a page's glyphs into lines, top to bottom.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.retain(|g| g.size > 0.0);
    // Top to bottom, then left to right; a glyph within a third of its size of a line's baseline
    // (a raised footnote number included) belongs to it.
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for g in glyphs {
        match lines
            .iter_mut()
            .rev()
            .find(|l| (l.y - g.y).abs() <= l.size.max(g.size) * 0.45)
        {
            Some(line) => line.glyphs.push(g),
            None => lines.push(Line {
                y: g.y,
                size: g.size,
                glyphs: vec![g],
            }),
        }
    }
    for line in &mut lines {
        line.glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
        // The line's size and baseline are those of most of its glyphs.
        let mut sizes: Vec<f64> = line.glyphs.iter().map(|g| g.size).collect();
        sizes.sort_by(f64::total_cmp);
        line.size = sizes[sizes.len() / 2];
        let base: Vec<f64> = line
            .glyphs
            .iter()
            .filter(|g| (g.size - line.size).abs() < 0.01)
            .map(|g| g.y)
            .collect();
        line.y = base.iter().copied().fold(f64::MAX, f64::min);
    }
    lines.sort_by(|a, b| b.y.total_cmp(&a.y));
    lines
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

static NOTE_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,3})[.)]?\s+\S").expect("note regex"));

fn read_page(page: usize, lines: Vec<Line>, links: &[(f64, f64, String)], out: &mut RawDocument) {
    // The footnote block: from the first line that starts with a number, in the lower half of the
    // page, set smaller than some line above it, with nothing larger below it, to the bottom.
    let top = lines.first().map_or(0.0, |l| l.y);
    let bottom = lines.last().map_or(0.0, |l| l.y);
    let block_start = (1..lines.len()).find(|&i| {
        let line = &lines[i];
        let larger_above = lines[..i].iter().any(|l| line.size < l.size * 0.92);
        let nothing_larger_below = lines[i..].iter().all(|l| l.size <= line.size * 1.05);
        larger_above
            && nothing_larger_below
            && line.y <= (top + bottom) / 2.0 + line.size
            && NOTE_START.is_match(&text_of(line.glyphs.iter()))
    });
    let (body, notes) = lines.split_at(block_start.unwrap_or(lines.len()));

    // Raised, smaller numbers in the body cite footnotes.
    for line in body {
        let mut marker = String::new();
        for g in &line.glyphs {
            let raised = g.size < line.size * 0.85 && g.y > line.y + line.size * 0.15;
            if raised && g.text.chars().all(|c| c.is_ascii_digit()) {
                marker.push_str(&g.text);
            } else if !marker.is_empty() {
                out.references.push(RawReference {
                    id: std::mem::take(&mut marker),
                    line: page,
                });
            }
        }
        if !marker.is_empty() {
            out.references.push(RawReference {
                id: marker,
                line: page,
            });
        }
    }

    // Footnotes: a numbered line and the lines after it up to the next numbered one.
    let mut current: Option<(RawFootnote, f64, f64)> = None; // note, top y, bottom y
    let mut finished: Vec<(RawFootnote, f64, f64)> = Vec::new();
    for line in notes {
        let text = text_of(line.glyphs.iter());
        if let Some(caps) = NOTE_START.captures(&text) {
            let id = caps[1].to_owned();
            let rest = text[caps.get(1).map_or(0, |m| m.end())..]
                .trim_start_matches(['.', ')'])
                .trim()
                .to_owned();
            if let Some(done) = current.take() {
                finished.push(done);
            }
            current = Some((
                RawFootnote {
                    id,
                    line: page,
                    text: rest,
                    ..RawFootnote::default()
                },
                line.y + line.size,
                line.y,
            ));
        } else if let Some((note, _, low)) = current.as_mut() {
            note.text = join_wrapped(&note.text, &text);
            *low = line.y;
        }
    }
    finished.extend(current);

    let mut unclaimed: Vec<&(f64, f64, String)> = links.iter().collect();
    for (mut note, high, low) in finished {
        // Link annotations drawn over the note's lines are its URLs, in order.
        let mut urls: Vec<String> = Vec::new();
        unclaimed.retain(|(bottom, top, url)| {
            let inside = *top >= low - 2.0 && *bottom <= high + 2.0;
            if inside {
                urls.push(url.clone());
            }
            !inside
        });
        // URLs printed in the text, unless an annotation already gives them (whole).
        for (_, url) in bare_urls(&note.text) {
            if !urls
                .iter()
                .any(|u| u.starts_with(url) || url.starts_with(u.as_str()))
            {
                urls.push(url.to_owned());
            }
        }
        note.text = collapse_whitespace(&note.text);
        note.urls = urls
            .into_iter()
            .map(|url| RawLink { url, line: page })
            .collect();
        out.footnotes.push(note);
    }
    // Everything else on the page is a link outside footnotes.
    let body_text: String = body
        .iter()
        .map(|l| text_of(l.glyphs.iter()))
        .collect::<Vec<_>>()
        .join("\n");
    let mut page_links: Vec<String> = unclaimed.into_iter().map(|(_, _, u)| u.clone()).collect();
    for (_, url) in bare_urls(&body_text) {
        if !page_links
            .iter()
            .any(|u| u.starts_with(url) || url.starts_with(u.as_str()))
        {
            page_links.push(url.to_owned());
        }
    }
    out.links.extend(
        page_links
            .into_iter()
            .map(|url| RawLink { url, line: page }),
    );
}

/// Joins a continuation line: a URL broken at the end of a line goes on without a space.
fn join_wrapped(text: &str, next: &str) -> String {
    let last = text.split_whitespace().next_back().unwrap_or("");
    let first = next.split_whitespace().next().unwrap_or("");
    // A URL cut after a separator goes on whatever follows; one cut elsewhere, if the next line does
    // not start a sentence.
    let cut_at_separator = last.ends_with(['/', '-', '_', '=', '?', '&', '#', '%', '+', '~']);
    let cut_mid_word = !last.ends_with([',', '.', ';', ')', '>', '"', '\u{201d}'])
        && first
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
    let url_continues = last.contains("://")
        && !first.is_empty()
        && !first.contains("://")
        && (cut_at_separator || cut_mid_word);
    if url_continues {
        format!("{}{}", text.trim_end(), next.trim_start())
    } else {
        format!("{} {}", text.trim_end(), next.trim_start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_urls_are_joined() {
        assert_eq!(
            join_wrapped(
                "Dawn, November 19, 2020, https://www.dawn.com/news/1591240/pakistan-will-",
                "do-everything-possible"
            ),
            "Dawn, November 19, 2020, https://www.dawn.com/news/1591240/pakistan-will-do-everything-possible"
        );
        assert_eq!(
            join_wrapped("see https://a.org/x.", "Next sentence"),
            "see https://a.org/x. Next sentence"
        );
        assert_eq!(join_wrapped("a title,", "Dawn"), "a title, Dawn");
        assert_eq!(
            join_wrapped(
                "4 https://twitter.com/",
                "US4AfghanPeace/status/1330568973168107526, November 22, 2020."
            ),
            "4 https://twitter.com/US4AfghanPeace/status/1330568973168107526, November 22, 2020."
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
