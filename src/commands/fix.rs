//! `citecheck fix`: the rewrite of failing citations (see `citecheck::fix`), from a fresh check or an
//! archived report. A diff on stdout by default; `--write` rewrites in place, atomically, and only
//! documents whose text is still the one the report was made from.

use anyhow::Context;

use citecheck::archive::WaybackMode;
use citecheck::extract::{self, Document};
use citecheck::fix::{self, FixOn, Replacement, Why};
use citecheck::input::{self, Source};
use citecheck::report::{self, count, store};
use citecheck::sanitize;

use crate::Exit;
use crate::cli::FixArgs;

/// `--fix-on` when not given: what fails for good, and what cannot be reached (a ministry's page
/// whose host is gone is `unreachable`, and an archived copy is what a reader needs then too).
pub(crate) const DEFAULT_FIX_ON: [FixOn; 3] = [FixOn::Broken, FixOn::Unreachable, FixOn::Dead];

pub(crate) fn run(args: FixArgs) -> anyhow::Result<Exit> {
    let mut options = args.options.with_config_file()?;
    if !matches!(
        options.format(),
        report::Format::Human | report::Format::Markdown
    ) {
        anyhow::bail!(
            "--format {} does not apply to `citecheck fix`: it writes a diff, or a table of replacements as human or markdown",
            clap::ValueEnum::to_possible_value(&options.format())
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default()
        );
    }
    // A configuration file's keys that `fix` does not take on its command line do not apply to it
    // either: its fresh check is not sharded, cached or captured.
    options.shard = None;
    options.cache = false;
    options.cache_file = None;
    options.save = false;
    let fix_on = if args.fix_on.is_empty() {
        DEFAULT_FIX_ON.to_vec()
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
    let (sources, errors) = fix_sources(&args.inputs, &report);
    for err in &errors {
        eprintln!("citecheck: error: {}", sanitize::line(&err.to_string()));
        trouble = true;
    }
    let markdown = options.format() == report::Format::Markdown;
    let mut out = String::new();
    let mut survey = fix::Survey::default();
    let mut done = Done::default();
    for target in &sources {
        let shown = target.shown();
        let Some(doc) = report.documents.iter().find(|d| d.path == shown) else {
            eprintln!(
                "citecheck: error: {} is not in the report: check it first",
                sanitize::line(&shown)
            );
            trouble = true;
            continue;
        };
        survey.add(&report, &doc.path, &fix_on);
        let replacements = fix::plan(&report, &doc.path, &fix_on, args.update_moved);
        if replacements.is_empty() {
            continue;
        }
        // Word, PDF and web documents get a table of what to change by hand.
        let source = match target {
            Target::Local(source) if fix::rewritable(doc.format) => source,
            _ => {
                out.push_str(&suggestions(doc, &replacements, markdown));
                done.by_hand += replacements.len();
                continue;
            }
        };
        match fix_document(
            source,
            doc,
            &replacements,
            &options,
            args.write,
            args.fix_style,
        ) {
            Ok((diff, missed)) => {
                out.push_str(&diff);
                done.rewritten += replacements.len() - missed;
                done.missed += missed;
            }
            Err(err) => {
                eprintln!("citecheck: error: {}", sanitize::line(&format!("{err:#}")));
                done.refused += replacements.len();
                trouble = true;
            }
        }
    }
    // The diff holds the document's own bytes: on a terminal, cleaned as every text for people is;
    // into a pipe (`| git apply`), exact.
    let out = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        sanitize::text(&out).into_owned()
    } else {
        out
    };
    super::write_page(out.as_bytes(), &[])?;
    eprintln!("citecheck: {}", closing_line(&survey, &done, args.write));
    Ok(if trouble { Exit::Trouble } else { Exit::Clean })
}

/// A document `fix` looks at.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// On this machine (or standard input): rewritten when its format allows.
    Local(Source),
    /// Read from the web, named by its URL: the publisher's to change, so a table of what to change.
    Web(String),
}

impl Target {
    fn shown(&self) -> String {
        match self {
            Target::Local(source) => source.display(),
            Target::Web(url) => url.clone(),
        }
    }
}

/// The documents `fix` looks at, in input order: files and folders as found on disk; for a URL,
/// the report's document of that URL, or (a sitemap or feed) every document the report read from
/// the web.
fn fix_sources(
    inputs: &[std::path::PathBuf],
    report: &report::Report,
) -> (Vec<Target>, Vec<citecheck::Error>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        let Some(url) = super::web_input(input) else {
            let (found, failed) = input::collect_sources(std::slice::from_ref(input));
            sources.extend(found.into_iter().map(Target::Local));
            errors.extend(failed);
            continue;
        };
        let web = |path: &str| super::web_input(std::path::Path::new(path)).is_some();
        let named: Vec<&str> = match report.documents.iter().find(|d| d.path == url.as_str()) {
            Some(doc) => vec![doc.path.as_str()],
            None => report
                .documents
                .iter()
                .map(|d| d.path.as_str())
                .filter(|p| web(p))
                .collect(),
        };
        if named.is_empty() {
            errors.push(citecheck::Error::Web(citecheck::web::WebError {
                url: url.to_string(),
                reason: "no document of it is in the report: check it first".to_owned(),
            }));
        }
        for path in named {
            let target = Target::Web(path.to_owned());
            if !sources.contains(&target) {
                sources.push(target);
            }
        }
    }
    (sources, errors)
}

/// What `fix` did with the citations it planned to change.
#[derive(Debug, Default)]
struct Done {
    /// Rewritten (with `--write`) or in the diff.
    rewritten: usize,
    /// In a table to change by hand (Word, PDF).
    by_hand: usize,
    /// Not written in a form `fix` rewrites (each named on stderr).
    missed: usize,
    /// In a document that could not be rewritten (named on stderr).
    refused: usize,
}

/// The one line `fix` ends with: what it did, and why each failing citation it left alone was left.
fn closing_line(survey: &fix::Survey, done: &Done, write: bool) -> String {
    if survey.citations == 0 {
        return "nothing to fix: no cited URL in the documents".to_owned();
    }
    if survey.unchecked > 0 && survey.unchecked + survey.not_checkable == survey.citations {
        return format!(
            "could not check: {} not checked (offline?)",
            count(survey.unchecked, "citation", "citations")
        );
    }
    let changed = done.rewritten + done.by_hand + done.missed + done.refused;
    if survey.failing == 0 && changed == 0 {
        let checked = survey.citations - survey.unchecked - survey.not_checkable;
        let mut line = format!(
            "nothing to fix: {} fine",
            if checked == 1 {
                "the 1 checked citation is".to_owned()
            } else {
                format!("all {checked} checked citations are")
            }
        );
        if survey.unchecked > 0 {
            line.push_str(&format!(" ({} not checked)", survey.unchecked));
        }
        if survey.not_checkable > 0 {
            line.push_str(&format!(" ({} excluded or invalid)", survey.not_checkable));
        }
        return line;
    }
    let mut parts = Vec::new();
    if done.rewritten > 0 {
        let n = count(done.rewritten, "citation", "citations");
        parts.push(if write {
            format!("{n} rewritten")
        } else {
            format!("{n} to rewrite (the diff above; --write applies it)")
        });
    }
    if done.by_hand > 0 {
        parts.push(format!(
            "{} to replace by hand (the table above)",
            count(done.by_hand, "citation", "citations")
        ));
    }
    if done.missed > 0 {
        parts.push(format!(
            "{} not written in a form fix rewrites",
            count(done.missed, "citation", "citations")
        ));
    }
    if done.refused > 0 {
        parts.push(format!(
            "{} in documents not rewritten (see above)",
            count(done.refused, "citation", "citations")
        ));
    }
    if survey.no_copy > 0 {
        parts.push(format!(
            "{} no archived copy",
            count(
                survey.no_copy,
                "failing citation has",
                "failing citations have"
            )
        ));
    }
    if survey.not_looked_up > 0 {
        parts.push(format!(
            "{} no archived copy looked up (the report was made without --wayback)",
            count(
                survey.not_looked_up,
                "failing citation has",
                "failing citations have"
            )
        ));
    }
    let not_selected: usize = survey.not_selected.values().sum();
    if not_selected > 0 {
        let statuses: Vec<&str> = survey.not_selected.keys().copied().collect();
        parts.push(format!(
            "{} not selected by --fix-on ({})",
            not_selected,
            statuses.join(", ")
        ));
    }
    if survey.unchecked > 0 {
        parts.push(format!("{} not checked", survey.unchecked));
    }
    if survey.not_checkable > 0 {
        parts.push(format!("{} excluded or invalid", survey.not_checkable));
    }
    if parts.is_empty() {
        parts.push("nothing changed".to_owned());
    }
    parts.join("; ")
}

/// Rewrites one document: its diff, or (with `write`) nothing once it is written.
fn fix_document(
    source: &Source,
    doc: &Document,
    replacements: &[Replacement],
    options: &crate::cli::Options,
    write: bool,
    style: fix::FixStyle,
) -> anyhow::Result<(String, usize)> {
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
    let missed_count = missed.len();
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
        return Ok((String::new(), missed_count));
    }
    if !write {
        return Ok((fix::unified_diff(&shown, &text, &new), missed_count));
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
    let n = replacements.len() - missed_count;
    eprintln!(
        "citecheck: {}: {} rewritten",
        sanitize::line(&shown),
        count(n, "citation", "citations")
    );
    Ok((String::new(), missed_count))
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
            "{}: {} to replace by hand\n",
            sanitize::line(&doc.path),
            count(replacements.len(), "citation", "citations")
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
