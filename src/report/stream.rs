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
}

impl<W: Write> DocumentStream<W> {
    /// Only `human` and `json` stream; `None` for the other formats.
    pub fn new(out: W, format: Format) -> Option<Self> {
        matches!(format, Format::Human | Format::Json).then_some(DocumentStream {
            out,
            format,
            summary: Summary::default(),
            worst: None,
        })
    }

    /// Writes one document.
    pub fn document(&mut self, doc: &Document) -> io::Result<()> {
        let first = self.summary.documents == 0;
        self.summary.add(doc);
        self.worst = self.worst.max(doc.issues.iter().map(|f| f.severity).max());
        match self.format {
            Format::Json => {
                if first {
                    write!(
                        self.out,
                        "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"generator\": {},\n  \"documents\": [\n    ",
                        serde_json::to_string(concat!("citecheck ", env!("CARGO_PKG_VERSION")))?
                    )?;
                } else {
                    self.out.write_all(b",\n    ")?;
                }
                // Pretty JSON holds no raw newline but between tokens: indenting after each one nests it.
                let mut text = Vec::new();
                serde_json::to_writer_pretty(&mut text, doc)?;
                for (i, line) in text.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\n    ")?;
                    }
                    self.out.write_all(line)?;
                }
                Ok(())
            }
            _ => human::write_document(doc, &mut self.out),
        }
    }

    /// Writes the summary and ends the report; returns what was counted and the worst finding.
    pub fn finish(mut self) -> io::Result<(Summary, Option<Severity>)> {
        match self.format {
            Format::Json if self.summary.documents == 0 => {
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
                stream.document(doc).unwrap();
            }
            stream.finish().unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole).unwrap(),
                "{format:?}"
            );
        }
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
