//! A Markdown summary fit for `$GITHUB_STEP_SUMMARY`: counts, a table of failing citations with their
//! archived copies, changes since the last run, and lint errors.

use std::io::{self, Write};

use super::history::Change;
use super::{Report, count};
use crate::check::{Status, WarningKind};
use crate::extract::Severity;
use crate::sanitize::{markdown as md, markdown_code as code};

pub fn write<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    let s = &report.summary;
    writeln!(out, "## citecheck")?;
    writeln!(out)?;
    match (&report.results, &s.links) {
        (Some(results), Some(links)) => {
            let counts: Vec<String> = links
                .statuses
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(status, n)| format!("{n} {}", status.as_str()))
                .collect();
            writeln!(
                out,
                "{}, {}, {} checked: {}.",
                count(s.documents, "document", "documents"),
                count(s.footnotes, "footnote", "footnotes"),
                count(results.len(), "URL", "URLs"),
                if counts.is_empty() {
                    "none".into()
                } else {
                    counts.join(", ")
                }
            )?;
        }
        _ => writeln!(
            out,
            "{}, {} (not checked).",
            count(s.documents, "document", "documents"),
            count(s.footnotes, "footnote", "footnotes"),
        )?,
    }
    if report.incomplete {
        writeln!(out)?;
        writeln!(out, "> **Incomplete run**: not every link was checked.")?;
    }

    let failing: Vec<_> = report
        .places()
        .into_iter()
        .filter(|p| p.result.status.severity().is_some())
        .collect();
    if !failing.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Citations to look at")?;
        writeln!(out)?;
        writeln!(
            out,
            "| document | footnote | status | link | why | archived copy |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for p in failing {
            let r = p.result;
            let word = report.place_word(p.path);
            let footnote = p.footnote.map_or(format!("{word} {}", p.line), |id| {
                format!("{} ({word} {})", md(id), p.line)
            });
            let archive = match r.archive.snapshot() {
                Some(a) => format!("[{}](<{}>)", md(&a.day()), link(&a.url)),
                None => String::new(),
            };
            let status = if r.status.is_error() {
                format!("**{}**", r.status.as_str())
            } else {
                r.status.as_str().into()
            };
            // Why: the detail, and why a page is blocked.
            let mut why = r.detail.clone().unwrap_or_default();
            if let Some(reason) = r.reason.filter(|_| r.status == Status::Blocked) {
                if !why.is_empty() {
                    why.push_str("; ");
                }
                why.push_str(&format!("blocked: {}", reason.as_str()));
            }
            writeln!(
                out,
                "| {} | {footnote} | {status} | {} | {} | {archive} |",
                cell(p.path),
                cell(&r.url),
                cell(&why)
            )?;
        }
    }

    let drift: Vec<_> = report
        .places()
        .into_iter()
        .flat_map(|p| {
            p.result
                .warnings
                .iter()
                .filter(move |w| {
                    // A page's text that drifted from its archived copy concerns every citation.
                    (w.footnote.as_deref() == p.footnote && p.footnote.is_some())
                        || (w.footnote.is_none() && w.kind == WarningKind::ContentDrift)
                })
                .map(move |w| (p, w))
        })
        .collect();
    if !drift.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Drift")?;
        writeln!(out)?;
        for (p, w) in drift {
            writeln!(out, "- {}: {}", code(p.path), md(&w.message))?;
        }
    }

    // Pages that moved for good: their citations could name the new URL (`fix --update-moved`).
    let moved: Vec<_> = report
        .places()
        .into_iter()
        .filter_map(|p| p.result.moved.as_ref().map(|m| (p, m)))
        .collect();
    if !moved.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Moved permanently")?;
        writeln!(out)?;
        for (p, m) in moved {
            let at = p.footnote.map_or_else(
                || format!("{} {}", report.place_word(p.path), p.line),
                |id| format!("footnote {}", md(id)),
            );
            writeln!(
                out,
                "- {} {at}: <{}> → <{}> ({})",
                code(p.path),
                link(&p.result.url),
                link(&m.url),
                m.status
            )?;
        }
    }

    if let Some(changes) = &report.changes {
        writeln!(out)?;
        match &changes.previous {
            Some(previous) => writeln!(out, "### Changes since {}", md(previous))?,
            None => writeln!(out, "### Changes (first archived run)")?,
        }
        writeln!(out)?;
        if changes.is_empty() {
            writeln!(out, "No changes.")?;
        }
        list(&mut out, report, "Newly broken", &changes.newly_broken)?;
        list(&mut out, report, "Recovered", &changes.recovered)?;
        list(&mut out, report, "Confirmed dead", &changes.confirmed_dead)?;
        list(&mut out, report, "Flaky", &changes.flaky)?;
        list(&mut out, report, "Still broken", &changes.still_broken)?;
        if !changes.quotes_changed.is_empty() {
            writeln!(
                out,
                "**Quotes changed** ({}):",
                changes.quotes_changed.len()
            )?;
            writeln!(out)?;
            for q in &changes.quotes_changed {
                writeln!(out, "- {}", md(&super::quote_change(q)))?;
            }
            writeln!(out)?;
        }
    }

    let lint: Vec<_> = report
        .documents
        .iter()
        .flat_map(|d| {
            d.issues
                .iter()
                .filter(|f| f.severity >= Severity::Warning)
                .map(move |f| (d, f))
        })
        .collect();
    if !lint.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Footnote lint")?;
        writeln!(out)?;
        for (doc, f) in lint {
            let line = f
                .line
                .map(|l| format!(" {} {l}", doc.format.place_word()))
                .unwrap_or_default();
            writeln!(
                out,
                "- {} {}{line}: {} ({})",
                f.severity.as_str(),
                code(&doc.path),
                md(&f.message),
                f.kind.as_str()
            )?;
        }
    }
    Ok(())
}

fn list<W: Write>(out: &mut W, report: &Report, title: &str, changes: &[Change]) -> io::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    writeln!(out, "**{title}** ({}):", changes.len())?;
    writeln!(out)?;
    for c in changes {
        let place = c
            .cited_in
            .first()
            .map(|p| match &p.footnote {
                Some(id) => format!(" — {} footnote {}", code(&p.path), md(id)),
                None => format!(
                    " — {} {} {}",
                    code(&p.path),
                    report.place_word(&p.path),
                    p.line
                ),
            })
            .unwrap_or_default();
        let since = c
            .since
            .as_deref()
            .filter(|_| c.status != Status::Ok)
            .map(|s| format!(", since {}", md(s)))
            .unwrap_or_default();
        writeln!(
            out,
            "- {} ({}{since}){place}",
            md(&c.url),
            c.status.as_str()
        )?;
    }
    writeln!(out)
}

/// A table cell: untrusted text on one line, escaped (a pipe would end the cell).
fn cell(s: &str) -> String {
    md(s)
}

/// A link destination in angle brackets: it cannot hold a line break, `<` or `>`.
fn link(url: &str) -> String {
    crate::sanitize::line(url)
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace(' ', "%20")
}
