//! JUnit XML: one test case per checked URL (a failure for error-severity statuses, skipped when the
//! URL was not fetched), and one per lint error.

use std::io::{self, Write};

use std::borrow::Cow;

use super::Report;
use crate::check::Status;
use crate::extract::Severity;
use crate::sanitize;

/// Untrusted text as XML character data or an attribute value: XML 1.0 cannot hold most control
/// characters even as references, so they are cleaned first, then the markup characters escaped.
fn escape(s: &str) -> Cow<'_, str> {
    match sanitize::exact(s) {
        Cow::Borrowed(s) => quick_xml::escape::escape(s),
        Cow::Owned(s) => Cow::Owned(quick_xml::escape::escape(&s).into_owned()),
    }
}

pub fn write<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    // An unparseable URL is a lint failure already: not a second failure as a link.
    let results = report.results_beyond_lint();
    let lint_errors: Vec<_> = report
        .documents
        .iter()
        .flat_map(|d| {
            d.issues
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(move |f| (d, f))
        })
        .collect();
    let failures = results.iter().filter(|r| r.status.is_error()).count() + lint_errors.len();
    let skipped = results
        .iter()
        .filter(|r| matches!(r.status, Status::Excluded | Status::Unchecked))
        .count();
    let seconds = report.summary.elapsed_ms.unwrap_or(0) as f64 / 1000.0;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="citecheck" tests="{}" failures="{failures}" errors="0" skipped="{skipped}" time="{seconds:.3}">"#,
        results.len() + lint_errors.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="links" tests="{}" failures="{}" errors="0" skipped="{skipped}" time="{seconds:.3}">"#,
        results.len(),
        failures - lint_errors.len()
    )?;
    for r in results {
        let place = r.cited_in.first();
        let classname = place.map_or(String::new(), |c| match &c.footnote {
            Some(id) => format!("{} fn {id}", c.path),
            None => format!("{}:{}", c.path, c.line),
        });
        write!(
            out,
            r#"    <testcase name="{}" classname="{}" time="{:.3}""#,
            escape(&r.url),
            escape(&classname),
            r.elapsed_ms as f64 / 1000.0
        )?;
        let detail = r.detail.as_deref().unwrap_or_default();
        if r.status.is_error() {
            writeln!(out, ">")?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                r.status.as_str(),
                escape(detail),
                escape(&describe(report, r))
            )?;
            writeln!(out, "    </testcase>")?;
        } else if matches!(r.status, Status::Excluded | Status::Unchecked) {
            writeln!(out, ">")?;
            writeln!(
                out,
                r#"      <skipped message="{}"/>"#,
                escape(r.status.as_str())
            )?;
            writeln!(out, "    </testcase>")?;
        } else if r.status.is_warning() || !r.warnings.is_empty() || r.moved.is_some() {
            writeln!(out, ">")?;
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&describe(report, r))
            )?;
            writeln!(out, "    </testcase>")?;
        } else {
            writeln!(out, "/>")?;
        }
    }
    writeln!(out, "  </testsuite>")?;
    if !lint_errors.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="lint" tests="{0}" failures="{0}" errors="0">"#,
            lint_errors.len()
        )?;
        for (doc, f) in lint_errors {
            let line = f.line.map(|l| format!(":{l}")).unwrap_or_default();
            writeln!(
                out,
                r#"    <testcase name="{}" classname="{}{line}">"#,
                f.kind.as_str(),
                escape(&doc.path)
            )?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}"/>"#,
                f.kind.as_str(),
                escape(&f.message)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn describe(report: &Report, r: &crate::check::CheckResult) -> String {
    let mut lines = vec![format!(
        "{}: {}",
        r.status.as_str(),
        r.detail.as_deref().unwrap_or_default()
    )];
    lines.extend(r.cited_in.iter().map(|c| {
        let fn_id = c
            .footnote
            .as_deref()
            .map(|id| format!(" (footnote {id})"))
            .unwrap_or_default();
        format!(
            "cited in {} {} {}{fn_id}",
            c.path,
            report.place_word(&c.path),
            c.line
        )
    }));
    lines.extend(super::result_notes(r));
    lines.join("\n")
}
