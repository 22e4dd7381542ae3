//! `citecheck fix`: the rewrite of failing citations (see `citecheck::fix`), from a fresh check or an
//! archived report. A diff on stdout by default; `--write` rewrites in place, atomically, and only
//! documents whose text is still the one the report was made from.

use anyhow::Context;

use citecheck::archive::WaybackMode;
use citecheck::extract::{self, Document};
use citecheck::fix::{self, FixOn, Replacement, Why};
use citecheck::input::{self, Source};
use citecheck::report::{self, store};
use citecheck::sanitize;

use crate::Exit;
use crate::cli::FixArgs;

pub(crate) fn run(args: FixArgs) -> anyhow::Result<Exit> {
    let mut options = args.options.with_config_file()?;
    let fix_on = if args.fix_on.is_empty() {
        vec![FixOn::Broken, FixOn::Dead]
    } else {
        args.fix_on.clone()
    };
    let (report, mut trouble) = match &args.report {
        Some(path) => {
            let path = if path.is_dir() {
                path.join("latest.json")
            } else {
                path.clone()
            };
            (super::load_report(&path)?, false)
        }
        None => {
            // A fresh check looks up archived copies of what fails: they are what `fix` writes.
            options.wayback.get_or_insert(WaybackMode::Failing);
            match super::check::checked_report(&args.inputs, &options)? {
                Ok(checked) => checked,
                Err(exit) => return Ok(exit),
            }
        }
    };
    if report.results.is_none() {
        anyhow::bail!("the report has no link results: is it a `citecheck check` report?");
    }
    let (sources, errors) = input::collect_sources(&args.inputs);
    for err in &errors {
        eprintln!("citecheck: error: {err}");
        trouble = true;
    }
    let markdown = options.format() == report::Format::Markdown;
    let mut out = String::new();
    for source in &sources {
        let shown = source.display();
        let Some(doc) = report.documents.iter().find(|d| d.path == shown) else {
            eprintln!("citecheck: error: {shown} is not in the report: check it first");
            trouble = true;
            continue;
        };
        let replacements = fix::plan(&report, &doc.path, &fix_on, args.update_moved);
        if replacements.is_empty() {
            continue;
        }
        if !fix::rewritable(doc.format) {
            out.push_str(&suggestions(doc, &replacements, markdown));
            continue;
        }
        match fix_document(
            source,
            doc,
            &replacements,
            &options,
            args.write,
            args.fix_style,
        ) {
            Ok(diff) => out.push_str(&diff),
            Err(err) => {
                eprintln!("citecheck: error: {err:#}");
                trouble = true;
            }
        }
    }
    super::write_page(out.as_bytes(), &[])?;
    Ok(if trouble { Exit::Trouble } else { Exit::Clean })
}

/// Rewrites one document: its diff, or (with `write`) nothing once it is written.
fn fix_document(
    source: &Source,
    doc: &Document,
    replacements: &[Replacement],
    options: &crate::cli::Options,
    write: bool,
    style: fix::FixStyle,
) -> anyhow::Result<String> {
    let shown = source.display();
    let text = input::read_source(source, options.max_file_size())?;
    match &doc.sha256 {
        Some(digest) if *digest == extract::text_hash(&text) => {}
        Some(_) => anyhow::bail!(
            "{shown} changed since the report was made: not rewritten (check it again)"
        ),
        None => anyhow::bail!(
            "the report does not say which version of {shown} it checked: not rewritten (check it again)"
        ),
    }
    let (new, missed) = fix::rewrite(doc, &text, replacements, style);
    for r in missed {
        eprintln!(
            "citecheck: {}: {} ({}) is not written in a form fix rewrites: change it by hand to {}",
            sanitize::line(&shown),
            sanitize::line(&r.url),
            sanitize::line(&r.cited_at.join(", ")),
            sanitize::line(&r.with)
        );
    }
    if new == text {
        return Ok(String::new());
    }
    if !write {
        return Ok(fix::unified_diff(&shown, &text, &new));
    }
    let Some(path) = source.path() else {
        anyhow::bail!("standard input cannot be rewritten: leave out --write for a diff");
    };
    // The rewritten file keeps the permissions the document had.
    let permissions = std::fs::metadata(path).map(|m| m.permissions());
    store::write_atomic(path, new.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    if let Ok(permissions) = permissions {
        std::fs::set_permissions(path, permissions)
            .with_context(|| format!("cannot set the permissions of {}", path.display()))?;
    }
    let n = replacements.len();
    eprintln!(
        "citecheck: {shown}: {n} citation{} rewritten",
        if n == 1 { "" } else { "s" }
    );
    Ok(String::new())
}

/// What to change by hand in a Word or PDF document.
fn suggestions(doc: &Document, replacements: &[Replacement], markdown: bool) -> String {
    let what = |r: &Replacement| match &r.why {
        Why::Archived { status, date } => {
            format!("{} (archived {date})", status.as_str())
        }
        Why::Moved => "moved permanently".to_owned(),
    };
    let mut out = String::new();
    // Document paths and URLs come from the document: cleaned for the terminal, escaped for Markdown.
    let autolink = |url: &str| {
        format!(
            "<{}>",
            sanitize::line(url)
                .replace('<', "%3C")
                .replace('>', "%3E")
                .replace('|', "%7C")
        )
    };
    if markdown {
        out.push_str(&format!(
            "### {}\n\n| cited in | URL | replace with | why |\n|---|---|---|---|\n",
            sanitize::markdown(&doc.path)
        ));
        for r in replacements {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                sanitize::markdown(&r.cited_at.join(", ")),
                autolink(&r.url),
                autolink(&r.with),
                what(r)
            ));
        }
        out.push('\n');
    } else {
        out.push_str(&format!(
            "{}: {} citation{} to replace by hand\n",
            sanitize::line(&doc.path),
            replacements.len(),
            if replacements.len() == 1 { "" } else { "s" }
        ));
        for r in replacements {
            out.push_str(&format!(
                "  {}  {}\n      → {}  ({})\n",
                sanitize::line(&r.cited_at.join(", ")),
                sanitize::line(&r.url),
                sanitize::line(&r.with),
                what(r)
            ));
        }
    }
    out
}
