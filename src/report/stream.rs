//! `extract` reports written one document at a time, so that a folder of thousands of documents is
//! never held in memory at once. The bytes are those [`super::write`] gives for the whole report.

use std::io::{self, Write};

use super::{Format, SCHEMA_VERSION, Summary, human, write_json};
use crate::extract::{Document, Severity};

/// A report being written document by document.
pub struct DocumentStream<W: Write> {
    out: W,
    format: Format,
    summary: Summary,
    worst: Option<Severity>,
    /// Documents written (a rendered one's own count is not what tells the first).
    written: usize,
}

impl<W: Write> DocumentStream<W> {
    /// Only `human` and `json` stream; `None` for the other formats.
    pub fn new(out: W, format: Format) -> Option<Self> {
        matches!(format, Format::Human | Format::Json).then_some(DocumentStream {
            out,
            format,
            summary: Summary::default(),
            worst: None,
            written: 0,
        })
    }

    /// Writes one document. Its footnotes are rendered in parallel, a window of them at a time, and
    /// are back in `doc` when this returns.
    pub fn document(&mut self, doc: &mut Document) -> io::Result<()> {
        let (summary, worst) = counts(doc);
        self.begin(&summary, worst)?;
        render(doc, self.format, &mut self.out)
    }

    /// Writes one document that a reader rendered (see [`render`]) in this stream's format.
    pub fn rendered(&mut self, doc: &Rendered) -> io::Result<()> {
        self.begin(&doc.summary, doc.worst)?;
        match &doc.text {
            RenderedText::Pieces(pieces) => pieces
                .iter()
                .try_for_each(|piece| self.out.write_all(piece)),
            // `&File` reads too: the text is read once, from the start it was left at.
            RenderedText::File(file) => io::copy(&mut &*file, &mut self.out).map(drop),
        }
    }

    /// Counts a document and writes what comes before it: the report's head, or the comma after the
    /// document before.
    fn begin(&mut self, summary: &Summary, worst: Option<Severity>) -> io::Result<()> {
        let first = self.written == 0;
        self.written += 1;
        self.summary.merge(summary);
        self.worst = self.worst.max(worst);
        if self.format != Format::Json {
            return Ok(());
        }
        if first {
            write!(
                self.out,
                "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"generator\": {},\n  \"documents\": [\n    ",
                serde_json::to_string(concat!("citecheck ", env!("CARGO_PKG_VERSION")))?
            )?;
        } else {
            self.out.write_all(b",\n    ")?;
        }
        Ok(())
    }

    /// Writes the summary and ends the report; returns what was counted and the worst finding.
    pub fn finish(mut self) -> io::Result<(Summary, Option<Severity>)> {
        match self.format {
            Format::Json if self.written == 0 => {
                write_json(&super::Report::new(Vec::new()), &mut self.out)?;
            }
            Format::Json => {
                self.out.write_all(b"\n  ],\n  \"summary\": ")?;
                let mut text = Vec::new();
                serde_json::to_writer_pretty(&mut text, &self.summary)?;
                for (i, line) in text.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\n  ")?;
                    }
                    self.out.write_all(line)?;
                }
                self.out.write_all(b"\n}\n")?;
            }
            _ => human::write_extract_summary(&self.summary, &mut self.out)?,
        }
        self.out.flush()?;
        Ok((self.summary, self.worst))
    }
}

/// A document rendered for a stream, apart from it (by a reader in the reader box), and what the
/// stream counts of it.
#[derive(Debug)]
pub struct Rendered {
    pub summary: Summary,
    pub worst: Option<Severity>,
    pub text: RenderedText,
}

/// The text of a [`Rendered`] document.
#[derive(Debug)]
pub enum RenderedText {
    /// In memory, in the pieces it came in.
    Pieces(Vec<Vec<u8>>),
    /// In a temporary file, read from where it stands (its start): a large document's text, so that
    /// it is not held in memory beside the model of the reader that renders it.
    File(std::fs::File),
}

/// What a stream counts of one document: its summary and its worst finding.
pub fn counts(doc: &Document) -> (Summary, Option<Severity>) {
    let mut summary = Summary::default();
    summary.add(doc);
    (summary, doc.issues.iter().map(|f| f.severity).max())
}

/// Writes a document as it stands in a streamed report of `format` (`human` or `json`), without
/// what comes before it (see [`DocumentStream::rendered`]). Its footnotes are rendered in parallel,
/// a window of them at a time, and are back in `doc` when this returns.
pub fn render(doc: &mut Document, format: Format, out: &mut impl Write) -> io::Result<()> {
    debug_assert!(matches!(format, Format::Human | Format::Json));
    if format != Format::Json {
        return human::write_document(doc, out);
    }
    // The document without its footnotes, then the footnotes where its `[]` stands. (The rest is
    // held whole: its links and findings, bounded by their budgets.)
    let footnotes = std::mem::take(&mut doc.footnotes);
    let shell = serde_json::to_vec_pretty(doc);
    doc.footnotes = footnotes;
    let shell = shell?;
    let (head, tail) = split_at_footnotes(&shell);
    write_indented(out, head, DOCUMENT_INDENT)?;
    let mut items = JsonWindows::new(out);
    crate::extract::FootnoteSink::footnotes(&mut items, &doc.footnotes)?;
    items.close(tail)
}

/// Writes a document read a window at a time (see [`crate::extract::windowed`]) as its parts
/// come, in a streamed JSON report: the bytes [`render`] writes for the whole document.
pub struct JsonWindows<'a, W: Write> {
    out: &'a mut W,
    footnotes: usize,
    footnote_urls: usize,
}

impl<'a, W: Write> JsonWindows<'a, W> {
    pub fn new(out: &'a mut W) -> Self {
        JsonWindows {
            out,
            footnotes: 0,
            footnote_urls: 0,
        }
    }

    /// Writes the rest of the document (`doc`, without its footnotes); returns what a stream counts
    /// of it.
    pub fn finish(self, doc: &Document) -> io::Result<(Summary, Option<Severity>)> {
        debug_assert!(doc.footnotes.is_empty());
        let (mut summary, worst) = counts(doc);
        summary.footnotes += self.footnotes;
        summary.footnote_urls += self.footnote_urls;
        let shell = serde_json::to_vec_pretty(doc)?;
        self.close(split_at_footnotes(&shell).1)?;
        Ok((summary, worst))
    }

    /// Ends the `footnotes` array and writes `tail`, the document's pretty JSON after it.
    fn close(self, tail: &[u8]) -> io::Result<()> {
        if self.footnotes == 0 {
            self.out.write_all(b"[]")?;
        } else {
            self.out.write_all(b"\n      ]")?;
        }
        write_indented(self.out, tail, DOCUMENT_INDENT)
    }
}

impl<W: Write> crate::extract::FootnoteSink for JsonWindows<'_, W> {
    type Error = io::Error;

    fn head(&mut self, head: &Document) -> io::Result<()> {
        let shell = serde_json::to_vec_pretty(head)?;
        write_indented(self.out, split_at_footnotes(&shell).0, DOCUMENT_INDENT)
    }

    fn footnotes(&mut self, batch: &[crate::extract::Footnote]) -> io::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if self.footnotes == 0 {
            self.out.write_all(b"[")?;
        }
        write_footnotes(self.out, batch, self.footnotes > 0)?;
        self.footnotes += batch.len();
        self.footnote_urls += batch.iter().map(|f| f.urls.len()).sum::<usize>();
        Ok(())
    }
}

/// What a document's lines are indented by in the report: it is an item of `documents`.
const DOCUMENT_INDENT: &[u8] = b"\n    ";

/// What a footnote's lines are indented by: an item of `footnotes` in a document.
const FOOTNOTE_INDENT: &[u8] = b"\n        ";

/// Footnotes rendered at once, in parallel: the memory of a window is a few MB whatever the number of
/// footnotes.
const WINDOW: usize = 8 * 1024;

/// The pretty JSON of a document with no footnotes, cut around its `[]` of footnotes.
fn split_at_footnotes(shell: &[u8]) -> (&[u8], &[u8]) {
    const KEY: &[u8] = b"\n  \"footnotes\": ";
    // Keys at this depth are the document's own: a string's quotes inside it are escaped.
    let at = memchr::memmem::find(shell, KEY).expect("a document has footnotes") + KEY.len();
    debug_assert_eq!(&shell[at..at + 2], b"[]");
    (&shell[..at], &shell[at + 2..])
}

/// Pretty JSON holds no raw newline but between tokens: indenting after each one nests it.
fn write_indented(out: &mut impl Write, text: &[u8], indent: &[u8]) -> io::Result<()> {
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(indent)?;
        }
        out.write_all(line)?;
    }
    Ok(())
}

/// The items of a non-empty `footnotes` array, each on its own lines after a `,` (but the first, unless
/// the array is `continued` from items written before).
fn write_footnotes(
    out: &mut impl Write,
    footnotes: &[crate::extract::Footnote],
    continued: bool,
) -> io::Result<()> {
    use rayon::prelude::*;
    let run = WINDOW.div_ceil(rayon::current_num_threads().max(1) * 4);
    for (w, window) in footnotes.chunks(WINDOW).enumerate() {
        let rendered: Vec<io::Result<Vec<u8>>> = window
            .par_chunks(run)
            .enumerate()
            .map(|(r, notes)| {
                let mut text = Vec::with_capacity(notes.len() * 512);
                let mut one = Vec::with_capacity(1024);
                for (i, note) in notes.iter().enumerate() {
                    if continued || w > 0 || r > 0 || i > 0 {
                        text.push(b',');
                    }
                    text.extend_from_slice(FOOTNOTE_INDENT);
                    one.clear();
                    serde_json::to_writer_pretty(&mut one, note)?;
                    write_indented(&mut text, &one, FOOTNOTE_INDENT)?;
                }
                Ok(text)
            })
            .collect();
        for text in rendered {
            out.write_all(&text?)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{ExtractOptions, InputFormat, extract};
    use crate::report::{Report, write};

    #[test]
    fn streaming_writes_the_same_bytes() {
        let docs = vec![
            extract(
                "a.md",
                "Cited<sup>1</sup>.\n\n<sup>1</sup> \"T,\" *X*, May 2, 2020, <https://a.org/x>\n",
                InputFormat::Markdown,
                &ExtractOptions::default(),
            ),
            extract(
                "b.txt",
                "see https://b.org/y and \"quoted\\\" text\"\n",
                InputFormat::Text,
                &ExtractOptions::default(),
            ),
            extract(
                "c.md",
                "",
                InputFormat::Markdown,
                &ExtractOptions::default(),
            ),
        ];
        for format in [Format::Json, Format::Human] {
            let mut whole = Vec::new();
            write(&Report::new(docs.clone()), format, &mut whole).unwrap();
            let mut streamed = Vec::new();
            let mut stream = DocumentStream::new(&mut streamed, format).unwrap();
            for doc in &docs {
                stream.document(&mut doc.clone()).unwrap();
            }
            stream.finish().unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole.clone()).unwrap(),
                "{format:?}"
            );
            // Rendered apart, as a reader in the reader box renders them, then streamed.
            let mut streamed = Vec::new();
            let mut stream = DocumentStream::new(&mut streamed, format).unwrap();
            for doc in &docs {
                let mut doc = doc.clone();
                let (summary, worst) = counts(&doc);
                let mut text = Vec::new();
                render(&mut doc, format, &mut text).unwrap();
                stream
                    .rendered(&Rendered {
                        summary,
                        worst,
                        text: RenderedText::Pieces(vec![text]),
                    })
                    .unwrap();
            }
            let (summary, _) = stream.finish().unwrap();
            assert_eq!(summary.documents, 3);
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole).unwrap(),
                "{format:?}, rendered apart"
            );
        }
        // Footnotes past a window of those rendered in parallel (the footnote budget allows 10,000),
        // and an empty document after.
        let mut text = String::new();
        for n in 1..=WINDOW + 10 {
            text.push_str(&format!("Cited<sup>{n}</sup>.\n\n"));
        }
        for n in 1..=WINDOW + 10 {
            text.push_str(&format!(
                "<sup>{n}</sup> \"T {n}\\\" x,\" *X*, May 2, 2020, <https://a.org/{n}>\n\n"
            ));
        }
        let many = vec![
            extract(
                "m.md",
                &text,
                InputFormat::Markdown,
                &ExtractOptions::default(),
            ),
            docs[2].clone(),
        ];
        assert_eq!(many[0].footnotes.len(), WINDOW + 10);
        let mut whole = Vec::new();
        write(&Report::new(many.clone()), Format::Json, &mut whole).unwrap();
        let mut streamed = Vec::new();
        let mut stream = DocumentStream::new(&mut streamed, Format::Json).unwrap();
        for mut doc in many {
            stream.document(&mut doc).unwrap();
        }
        stream.finish().unwrap();
        assert!(streamed == whole, "the streamed report differs");

        let mut empty = Vec::new();
        DocumentStream::new(&mut empty, Format::Json)
            .unwrap()
            .finish()
            .unwrap();
        let mut whole = Vec::new();
        write(&Report::new(Vec::new()), Format::Json, &mut whole).unwrap();
        assert_eq!(empty, whole);
    }
}
