//! The readable report: per document, a table of footnotes and their URLs, then lint findings.

use std::io::{self, Write};

use super::Report;
use crate::extract::Document;

const TITLE_WIDTH: usize = 72;

pub fn write_human<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    for doc in &report.documents {
        write_document(doc, &mut out)?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "{} {}: {} footnotes, {} footnote URLs, {} other links; {} errors, {} warnings, {} notes",
        s.documents,
        plural(s.documents, "document", "documents"),
        s.footnotes,
        s.footnote_urls,
        s.links,
        s.errors,
        s.warnings,
        s.infos
    )
}

fn write_document<W: Write>(doc: &Document, out: &mut W) -> io::Result<()> {
    let urls: usize = doc.footnotes.iter().map(|f| f.urls.len()).sum();
    writeln!(
        out,
        "{} ({}): {} footnotes, {} URLs in footnotes, {} other links",
        doc.path,
        doc.format.as_str(),
        doc.footnotes.len(),
        urls,
        doc.links.len()
    )?;
    if !doc.footnotes.is_empty() {
        let id_w = doc
            .footnotes
            .iter()
            .map(|f| f.id.chars().count())
            .max()
            .unwrap_or(2)
            .max(2);
        let line_w = doc
            .footnotes
            .iter()
            .map(|f| digits(f.line))
            .max()
            .unwrap_or(4)
            .max(4);
        let pub_w = doc
            .footnotes
            .iter()
            .map(|f| {
                f.publication
                    .as_deref()
                    .map_or(1, |p| truncate(p, 24).chars().count())
            })
            .max()
            .unwrap_or(11)
            .max(11);
        writeln!(out)?;
        writeln!(
            out,
            "  {:<id_w$}  {:>line_w$}  {:<10}  {:<pub_w$}  title",
            "fn", "line", "date", "publication"
        )?;
        for f in &doc.footnotes {
            let title = f
                .title
                .as_deref()
                .map(|t| truncate(t, TITLE_WIDTH))
                .unwrap_or_else(|| "–".into());
            writeln!(
                out,
                "  {:<id_w$}  {:>line_w$}  {:<10}  {:<pub_w$}  {}",
                f.id,
                f.line,
                f.date.as_deref().unwrap_or("–"),
                f.publication
                    .as_deref()
                    .map(|p| truncate(p, 24))
                    .unwrap_or_else(|| "–".into()),
                title
            )?;
            let indent = id_w + line_w + 6;
            for url in &f.urls {
                writeln!(out, "  {:indent$}{url}", "")?;
            }
        }
    }
    if !doc.links.is_empty() {
        writeln!(out)?;
        writeln!(out, "  links outside footnotes:")?;
        for link in &doc.links {
            writeln!(out, "  {:>6}  {}", link.line, link.url)?;
        }
    }
    writeln!(out)?;
    if doc.issues.is_empty() {
        writeln!(out, "  no lint findings")?;
    } else {
        for f in &doc.issues {
            let line = f.line.map(|l| format!("line {l}")).unwrap_or_default();
            let footnote = f
                .footnote
                .as_deref()
                .map(|id| format!("fn {id}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<7}  {:<10}  {:<8}  {:<18}  {}",
                f.severity.as_str(),
                line,
                footnote,
                f.kind.as_str(),
                f.message
            )?;
        }
    }
    writeln!(out)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
