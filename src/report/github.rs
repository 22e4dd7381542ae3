//! GitHub Actions workflow commands: `::error file=…,line=…::…` annotations on the footnote's line.

use std::io::{self, Write};

use super::Report;
use crate::extract::{InputFormat, Severity};
use crate::sanitize;

pub fn write<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    for doc in &report.documents {
        for f in &doc.issues {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let (line, at) = place(doc.format, f.line);
            writeln!(
                out,
                "::{level} file={}{line},title={}::{at}{}",
                property(&doc.path),
                property(&format!("citecheck {}", f.kind.as_str())),
                data(&f.message)
            )?;
        }
    }
    for p in report.places() {
        let format = report.format_of(p.path).unwrap_or(InputFormat::Text);
        // A link that answers is annotated only for what changed on its page.
        for w in p.answering_warnings() {
            let (line, at) = place(format, Some(p.line));
            writeln!(
                out,
                "::warning file={}{line},title={}::{at}{}: {}",
                property(p.path),
                property(&format!("citecheck: {}", w.kind.as_str())),
                data(&p.result.url),
                data(&w.message)
            )?;
        }
        let level = match p.result.status.severity() {
            Some(Severity::Error) => "error",
            Some(_) => "warning",
            None => continue,
        };
        let who = p
            .footnote
            .map(|id| format!("footnote {id}: "))
            .unwrap_or_default();
        let mut message = format!("{who}{} is {}", p.result.url, p.result.status.as_str());
        if let Some(detail) = &p.result.detail {
            message.push_str(&format!(" ({detail})"));
        }
        for note in super::result_notes(p.result) {
            message.push('\n');
            message.push_str(&note);
        }
        let format = report.format_of(p.path).unwrap_or(InputFormat::Text);
        let (line, at) = place(format, Some(p.line));
        writeln!(
            out,
            "::{level} file={}{line},title={}::{at}{}",
            property(p.path),
            property(&format!("citecheck: {} link", p.result.status.as_str())),
            data(&message)
        )?;
    }
    Ok(())
}

/// Where an annotation goes: `,line=N` in a text document; in a PDF or Word document, whose numbers
/// are pages or paragraphs, none (GitHub would point at a line of the file), and the place said in
/// the message instead (`page 9: `).
fn place(format: InputFormat, line: Option<usize>) -> (String, String) {
    match line {
        Some(l) if format.has_lines() => (format!(",line={l}"), String::new()),
        Some(l) => (String::new(), format!("{} {l}: ", format.place_word())),
        None => (String::new(), String::new()),
    }
}

/// Escapes a command's message, as the runner's `escapeData` does, after cleaning untrusted text of
/// escape sequences and control characters (a line break is kept, as `%0A`).
fn data(s: &str) -> String {
    sanitize::text(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value, as the runner's `escapeProperty` does: one line.
fn property(s: &str) -> String {
    sanitize::line(s)
        .replace('%', "%25")
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(super::data("a\r\nb\x1b[31m::x"), "a%0Ab::x");
        assert_eq!(super::property("50% a\nb"), "50%25 a b");
    }
}
