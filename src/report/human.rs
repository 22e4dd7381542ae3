//! The readable report: per document, a table of footnotes and their URLs, then lint findings.

use std::io::{self, Write};

use super::history::Changes;
use super::{Report, Summary};
use super::{content_note, count, quote_change, quote_found};
use crate::check::{ArchiveLookup, CheckResult, Status};
use crate::extract::Document;
use crate::sanitize::line as clean;

const TITLE_WIDTH: usize = 72;

pub fn write_human<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    if let Some(results) = &report.results {
        return write_checked(report, results, out);
    }
    for doc in &report.documents {
        write_document(doc, &mut out)?;
    }
    write_extract_summary(&report.summary, &mut out)
}

/// The last line of an `extract` report.
pub(super) fn write_extract_summary<W: Write>(s: &Summary, out: &mut W) -> io::Result<()> {
    writeln!(
        out,
        "{}: {}, {}, {}; {}, {}, {}",
        count(s.documents, "document", "documents"),
        count(s.footnotes, "footnote", "footnotes"),
        count(s.footnote_urls, "footnote URL", "footnote URLs"),
        count(s.other_links, "other link", "other links"),
        count(s.lint.errors, "error", "errors"),
        count(s.lint.warnings, "warning", "warnings"),
        count(s.lint.infos, "note", "notes"),
    )
}

pub(super) fn write_document<W: Write>(doc: &Document, out: &mut W) -> io::Result<()> {
    let urls: usize = doc.footnotes.iter().map(|f| f.urls.len()).sum();
    writeln!(
        out,
        "{} ({}): {}, {} in footnotes, {}",
        clean(&doc.path),
        doc.format.as_str(),
        count(doc.footnotes.len(), "footnote", "footnotes"),
        count(urls, "URL", "URLs"),
        count(doc.links.len(), "other link", "other links"),
    )?;
    if !doc.footnotes.is_empty() {
        let id_w = doc
            .footnotes
            .iter()
            .map(|f| shown_id(&f.id).chars().count())
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
                    .map_or(1, |p| truncate(&clean(p), 24).chars().count())
            })
            .max()
            .unwrap_or(11)
            .max(11);
        writeln!(out)?;
        writeln!(
            out,
            "  {:<id_w$}  {:>line_w$}  {:<10}  {:<pub_w$}  title",
            "fn",
            doc.format.place_word(),
            "date",
            "publication"
        )?;
        for f in &doc.footnotes {
            let title = f
                .title
                .as_deref()
                .map(|t| truncate(&clean(t), TITLE_WIDTH))
                .unwrap_or_else(|| "–".into());
            writeln!(
                out,
                "  {:<id_w$}  {:>line_w$}  {:<10}  {:<pub_w$}  {}",
                shown_id(&f.id),
                f.line,
                clean(f.date.as_deref().unwrap_or("–")),
                f.publication
                    .as_deref()
                    .map(|p| truncate(&clean(p), 24))
                    .unwrap_or_else(|| "–".into()),
                title
            )?;
            let indent = id_w + line_w + 6;
            for url in &f.urls {
                writeln!(out, "  {:indent$}{}", "", clean(url))?;
            }
        }
    }
    if !doc.links.is_empty() {
        writeln!(out)?;
        writeln!(out, "  links outside footnotes:")?;
        for link in &doc.links {
            writeln!(out, "  {:>6}  {}", link.line, clean(&link.url))?;
        }
    }
    writeln!(out)?;
    if doc.issues.is_empty() {
        writeln!(out, "  no lint findings")?;
    } else {
        for f in &doc.issues {
            let line = f
                .line
                .map(|l| format!("{} {l}", doc.format.place_word()))
                .unwrap_or_default();
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
                clean(&f.message)
            )?;
        }
    }
    writeln!(out)
}

/// The check report: per document, every citation with its status, then the lint, then a summary.
fn write_checked<W: Write>(report: &Report, results: &[CheckResult], mut out: W) -> io::Result<()> {
    let places = report.places();
    let status_w = Status::ALL
        .iter()
        .map(|s| s.as_str().len())
        .max()
        .unwrap_or(12);
    for (i, doc) in report.documents.iter().enumerate() {
        writeln!(out, "{}", clean(&doc.path))?;
        let mine: Vec<_> = places.iter().filter(|p| p.doc == i).collect();
        let label = |footnote: Option<&str>, line: usize| match footnote {
            Some(id) => format!("fn {}", shown_id(id)),
            None => format!("{} {line}", doc.format.place_word()),
        };
        let label_w = mine
            .iter()
            .map(|p| label(p.footnote, p.line).chars().count())
            .max()
            .unwrap_or(4);
        for p in &mine {
            let (line, footnote, r) = (p.line, p.footnote, p.result);
            write!(
                out,
                "  {:<label_w$}  {:<status_w$}  {}",
                label(footnote, line),
                r.status.as_str(),
                clean(&r.url)
            )?;
            if let Some(detail) = &r.detail {
                write!(out, "  ({})", clean(detail))?;
            }
            // A result reused from an earlier report says when it was checked.
            match &r.cached_from {
                Some(at) => writeln!(out, "  [cached, checked {}]", clean(at))?,
                None => writeln!(out)?,
            }
            if let Some(alternative) = &r.answered_as {
                writeln!(
                    out,
                    "  {:label_w$}  {:status_w$}  answered without the line-break hyphen: {}",
                    "",
                    "",
                    clean(alternative)
                )?;
            }
            if let Some(final_url) = r.final_url.as_deref().filter(|_| r.status == Status::Ok) {
                writeln!(
                    out,
                    "  {:label_w$}  {:status_w$}  → {}",
                    "",
                    "",
                    clean(final_url)
                )?;
            }
            let pad = format!("  {:label_w$}  {:status_w$}  ", "", "");
            if r.status == Status::Blocked {
                let why = r
                    .reason
                    .map(|r| format!(" ({})", r.as_str()))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{pad}refused automated checks{why}: check by hand or see the archived copy"
                )?;
            }
            if let Some(moved) = &r.moved {
                writeln!(
                    out,
                    "{pad}note: moved permanently ({}); cite {} instead",
                    moved.status,
                    clean(&moved.url)
                )?;
            }
            if let Some(snapshot) = r.archive.snapshot() {
                let archive = snapshot
                    .archive
                    .as_deref()
                    .map(|name| format!("{}, ", clean(name)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{pad}archived: {} ({archive}{})",
                    clean(&snapshot.url),
                    clean(&snapshot.day())
                )?;
            } else if r.archive != ArchiveLookup::NotLookedUp && r.status != Status::Ok {
                writeln!(out, "{pad}no archived copy")?;
            }
            if let Some(saved) = &r.saved {
                writeln!(out, "{pad}saved: {}", clean(&saved.url))?;
            }
            // A drift warning names its footnote: show it under that footnote only.
            for w in r
                .warnings
                .iter()
                .filter(|w| w.footnote.is_none() || w.footnote.as_deref() == footnote)
            {
                writeln!(out, "{pad}warning: {}", clean(&w.message))?;
            }
            // A quotation the page still shows (one it does not is a warning above).
            for q in r.quotes.iter().filter(|q| {
                q.found == crate::check::QuoteFound::Live && Some(q.footnote.as_str()) == footnote
            }) {
                writeln!(out, "{pad}{}", clean(&quote_found(&q.text)))?;
            }
            // How much of the page is still the archived copy's (a drift below the threshold is a
            // warning above).
            if let Some(note) = content_note(r) {
                writeln!(out, "{pad}{}", clean(&note))?;
            }
        }
        if mine.is_empty() {
            writeln!(out, "  no links")?;
        }
        for f in &doc.issues {
            let place = f
                .line
                .map(|l| format!(" {} {l}", doc.format.place_word()))
                .unwrap_or_default();
            writeln!(
                out,
                "  lint {}{place}: {} ({})",
                f.severity.as_str(),
                clean(&f.message),
                f.kind.as_str()
            )?;
        }
        writeln!(out)?;
    }

    if let Some(changes) = &report.changes {
        write_changes(changes, &mut out)?;
    }
    let s = &report.summary;
    let counts: Vec<String> = s
        .links
        .iter()
        .flat_map(|l| &l.statuses)
        .filter(|(_, n)| **n > 0)
        .map(|(status, n)| format!("{n} {}", status.as_str()))
        .collect();
    let elapsed = s
        .elapsed_ms
        .map(|ms| format!(" in {:.1} s", ms as f64 / 1000.0))
        .unwrap_or_default();
    let lint = format!(
        "lint: {}, {}",
        count(s.lint.errors, "error", "errors"),
        count(s.lint.warnings, "warning", "warnings")
    );
    let unchecked = results
        .iter()
        .filter(|r| r.status == Status::Unchecked)
        .count();
    let cached = results.iter().filter(|r| r.cached_from.is_some()).count();
    if unchecked == results.len() && !results.is_empty() {
        // --offline: nothing was asked.
        return writeln!(
            out,
            "{} not checked (offline); {lint}",
            count(results.len(), "URL", "URLs")
        );
    }
    let reused = if cached > 0 {
        format!(" ({cached} reused from the cache)")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} checked{elapsed}{reused}: {}; {lint}",
        count(results.len(), "URL", "URLs"),
        if counts.is_empty() {
            "none".to_owned()
        } else {
            counts.join(", ")
        },
    )
}

fn write_changes<W: Write>(changes: &Changes, out: &mut W) -> io::Result<()> {
    match &changes.previous {
        Some(previous) => writeln!(out, "changes since {}:", clean(previous))?,
        None => writeln!(out, "changes: first archived run")?,
    }
    if changes.is_empty() {
        writeln!(out, "  none")?;
    }
    for (title, list) in [
        ("newly broken", &changes.newly_broken),
        ("recovered", &changes.recovered),
        ("confirmed dead", &changes.confirmed_dead),
        ("flaky", &changes.flaky),
        ("still broken", &changes.still_broken),
    ] {
        for c in list {
            let since = c
                .since
                .as_deref()
                .map(|s| format!(" since {}", clean(s)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {title:<14}  {:<12}  {}{since}",
                c.status.as_str(),
                clean(&c.url)
            )?;
        }
    }
    for q in &changes.quotes_changed {
        writeln!(
            out,
            "  {:<14}  {}",
            "quote changed",
            clean(&quote_change(q))
        )?;
    }
    writeln!(out)
}

/// The widest footnote id a table shows: columns are as wide as their widest cell, and an id
/// comes from the document, so a 100,000-character id would otherwise widen every row (and
/// overflow `format!`'s width, which is at most `u16::MAX`).
const ID_WIDTH: usize = 16;

/// A footnote id as a table cell: cleaned for the terminal and cut to `ID_WIDTH`.
fn shown_id(id: &str) -> String {
    truncate(&clean(id), ID_WIDTH)
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
