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
        let rendered: Vec<Vec<u8>> = window
            .par_chunks(run)
            .enumerate()
            .map(|(r, notes)| {
                let mut text = Vec::with_capacity(notes.len() * 512);
                for (i, note) in notes.iter().enumerate() {
                    if continued || w > 0 || r > 0 || i > 0 {
                        text.push(b',');
                    }
                    text.extend_from_slice(FOOTNOTE_INDENT);
                    write_footnote(&mut text, note);
                }
                text
            })
            .collect();
        for text in rendered {
            out.write_all(&text)?;
        }
    }
    Ok(())
}

/// A footnote's JSON as `serde_json::to_writer_pretty` writes it, its lines after the first indented
/// by `FOOTNOTE_INDENT`, written field by field. The footnotes are most of a report, and serde_json's
/// derived serializer, its byte-at-a-time escaping and the indenting pass after it took twice as
/// long. A test holds this to serde_json's text with every field set and unset and every ASCII byte
/// in a string; a field added to `Footnote` does not compile here until it is written.
fn write_footnote(out: &mut Vec<u8>, footnote: &crate::extract::Footnote) {
    let crate::extract::Footnote {
        id,
        line,
        references,
        text,
        title,
        title_guessed,
        publication,
        date,
        accessed,
        committed,
        authors,
        volume,
        pages,
        doi,
        quotes,
        urls,
    } = footnote;
    let mut object = Fields { out, first: true };
    object.key("id");
    push_string(object.out, id);
    object.key("line");
    push_number(object.out, *line);
    object.key("references");
    object.array(references, |out, &n| push_number(out, n));
    object.key("text");
    push_string(object.out, text);
    object.key("title");
    push_optional(object.out, title.as_deref());
    if *title_guessed {
        object.key("title_guessed");
        object.out.extend_from_slice(b"true");
    }
    object.key("publication");
    push_optional(object.out, publication.as_deref());
    object.key("date");
    push_optional(object.out, date.as_deref());
    for (key, value) in [("accessed", accessed), ("committed", committed)] {
        if let Some(value) = value {
            object.key(key);
            push_string(object.out, value);
        }
    }
    object.key("authors");
    object.array(authors, |out, a| push_string(out, a));
    for (key, value) in [("volume", volume), ("pages", pages), ("doi", doi)] {
        if let Some(value) = value {
            object.key(key);
            push_string(object.out, value);
        }
    }
    if !quotes.is_empty() {
        object.key("quotes");
        object.array(quotes, |out, q| push_string(out, q));
    }
    object.key("urls");
    object.array(urls, |out, u| push_string(out, u));
    out.extend_from_slice(FOOTNOTE_INDENT);
    out.push(b'}');
}

/// The fields of a footnote's object being written (see [`write_footnote`]).
struct Fields<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Fields<'_> {
    /// Starts a field: the comma after the one before (or the object's `{`), its line and its key.
    fn key(&mut self, key: &str) {
        self.out.push(if self.first { b'{' } else { b',' });
        self.first = false;
        self.out.extend_from_slice(FOOTNOTE_INDENT);
        self.out.extend_from_slice(b"  \"");
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// An array field's value: `[]`, or each item on its own line.
    fn array<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) {
        if items.is_empty() {
            self.out.extend_from_slice(b"[]");
            return;
        }
        self.out.push(b'[');
        for (i, value) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.out.extend_from_slice(FOOTNOTE_INDENT);
            self.out.extend_from_slice(b"    ");
            item(self.out, value);
        }
        self.out.extend_from_slice(FOOTNOTE_INDENT);
        self.out.extend_from_slice(b"  ]");
    }
}

fn push_number(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn push_optional(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(value) => push_string(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string as serde_json writes it: `"` and `\` escaped, and every byte below 0x20 (`\b`,
/// `\t`, `\n`, `\f`, `\r`, else `\u00XX` in lower-case hex); all else, UTF-8 included, as it is.
/// Eight bytes at a time are looked at together: most runs of eight need no escape.
fn push_string(out: &mut Vec<u8>, value: &str) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether some byte of `word` is below `n` (n <= 0x80): exact as to whether, never missing one.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0;
    let holds = |word: u64, b: u8| below(word ^ (ONES * u64::from(b)), 1);
    let bytes = value.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
            if !below(word, 0x20) && !holds(word, b'"') && !holds(word, b'\\') {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        for (j, &b) in bytes.iter().enumerate().take(end).skip(i) {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                0x08 => b"\\b",
                b'\t' => b"\\t",
                b'\n' => b"\\n",
                0x0C => b"\\f",
                b'\r' => b"\\r",
                0x00..=0x1F => b"",
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..j]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
            } else {
                out.extend_from_slice(escape);
            }
            start = j + 1;
        }
        i = end;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{ExtractOptions, Footnote, InputFormat, extract};
    use crate::report::{Report, write};

    #[test]
    fn footnotes_are_written_as_serde_json_writes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        let strings = [
            "",
            "plain",
            "“quoted” — é 漢字 \u{2028} 🙂",
            &every_ascii,
            "\"",
            "ends in \\",
            "tab\tand\u{1f}control\u{7f}",
            "eight bytes then \"a quote\" and more text past it",
        ];
        let unset = |s: &str| Footnote {
            id: s.to_owned(),
            line: 0,
            references: Vec::new(),
            text: s.to_owned(),
            title: None,
            title_guessed: false,
            publication: None,
            date: None,
            accessed: None,
            committed: None,
            authors: Vec::new(),
            volume: None,
            pages: None,
            doi: None,
            quotes: Vec::new(),
            urls: Vec::new(),
        };
        let mut notes = Vec::new();
        for s in strings {
            notes.push(unset(s));
            let some = Some(s.to_owned());
            notes.push(Footnote {
                line: usize::MAX,
                references: vec![0, 7, usize::MAX],
                title: some.clone(),
                title_guessed: true,
                publication: some.clone(),
                date: some.clone(),
                accessed: some.clone(),
                committed: some.clone(),
                authors: vec![s.to_owned(), "B. Author".to_owned()],
                volume: some.clone(),
                pages: some.clone(),
                doi: some.clone(),
                quotes: vec![s.to_owned()],
                urls: vec![s.to_owned(), "https://a.example/x".to_owned()],
                ..unset(s)
            });
            // Each optional field set alone.
            let alone: [fn(&mut Footnote, &str); 9] = [
                |f, s| f.title = Some(s.to_owned()),
                |f, _| f.title_guessed = true,
                |f, s| f.accessed = Some(s.to_owned()),
                |f, s| f.committed = Some(s.to_owned()),
                |f, s| f.volume = Some(s.to_owned()),
                |f, s| f.pages = Some(s.to_owned()),
                |f, s| f.doi = Some(s.to_owned()),
                |f, s| f.quotes = vec![s.to_owned()],
                |f, _| f.references = vec![3],
            ];
            for set in alone {
                let mut note = unset(s);
                set(&mut note, s);
                notes.push(note);
            }
        }
        for note in &notes {
            let mut ours = Vec::new();
            write_footnote(&mut ours, note);
            let mut theirs = Vec::new();
            let pretty = serde_json::to_vec_pretty(note).unwrap();
            write_indented(&mut theirs, &pretty, FOOTNOTE_INDENT).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }

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
