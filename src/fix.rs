//! `citecheck fix`: rewrite failing citations to their verified archived copies (and, when asked,
//! moved citations to their new URLs), keeping the original URL visible. Pure functions over text: the
//! binary reads the files, shows the diff and writes.
//!
//! Markdown:
//! - `[text](https://orig)` → `[text](https://web.archive.org/web/…/https://orig) (originally `https://orig`)`
//! - `<https://orig>` and a bare `https://orig` → `<https://web.archive.org/…> (originally `https://orig`)`
//!
//! The original stays visible as code, so that it is not a link that the next check reports broken
//! again. HTML gets the Robust Links attributes: `href` is the archived copy, with `data-originalurl`,
//! `data-versionurl` and `data-versiondate`.

use std::collections::HashSet;

use crate::check::{CheckResult, Status};
use crate::extract::{Document, InputFormat};
use crate::report::Report;

/// Which results are rewritten to their archived copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixOn {
    /// `broken`: 404, 410, soft 404s, front-page redirects, deleted videos.
    Broken,
    /// `unreachable`: DNS failure, refused or reset connections, TLS failures.
    Unreachable,
    /// Failing in enough consecutive runs, days apart, to be confirmed dead (needs report history).
    Dead,
    /// Any failing status: also `server_error` and `timeout`.
    Failing,
}

/// How a Markdown rewrite keeps the original URL visible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FixStyle {
    /// `(originally `https://orig`)`: as code, so the next check does not report it again.
    #[default]
    Code,
    /// `(originally https://orig)`: as plain text (Markdown readers may make it a link, and the next
    /// check then reports it again).
    Plain,
}

/// What one citation becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The URL as the document writes it.
    pub url: String,
    /// The archived copy, or the new URL of a moved page.
    pub with: String,
    pub why: Why,
    /// Footnotes (or `line N` for links outside footnotes) citing it in this document.
    pub cited_at: Vec<String>,
    /// Lines of the citations.
    pub lines: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Failing with this status; `date` is the capture's day (`2020-11-20`).
    Archived { status: Status, date: String },
    /// Moved permanently.
    Moved,
}

/// The replacements for the document at `path` that a report calls for.
pub fn plan(report: &Report, path: &str, fix_on: &[FixOn], update_moved: bool) -> Vec<Replacement> {
    let dead = confirmed_dead(report);
    let wanted = |r: &CheckResult| selected(r, fix_on, &dead);
    let mut out = Vec::new();
    for result in report.results.iter().flatten() {
        let here: Vec<_> = result.cited_in.iter().filter(|c| c.path == path).collect();
        if here.is_empty() {
            continue;
        }
        let archived = result.archive.snapshot().or(result.saved.as_ref());
        let (with, why) = match (archived, &result.moved) {
            (Some(copy), _) if wanted(result) => (
                copy.url.clone(),
                Why::Archived {
                    status: result.status,
                    date: copy.day(),
                },
            ),
            (_, Some(moved)) if update_moved && result.status == Status::Ok => {
                (moved.url.clone(), Why::Moved)
            }
            _ => continue,
        };
        out.push(Replacement {
            url: result.url.clone(),
            with,
            why,
            cited_at: here
                .iter()
                .map(|c| match &c.footnote {
                    Some(id) => format!("footnote {id}"),
                    None => format!("{} {}", report.place_word(path), c.line),
                })
                .collect(),
            lines: here.iter().map(|c| c.line).collect(),
        });
    }
    out
}

/// The URLs a report's history confirms dead.
fn confirmed_dead(report: &Report) -> HashSet<&str> {
    report
        .changes
        .iter()
        .flat_map(|c| c.confirmed_dead.iter().map(|d| d.url.as_str()))
        .collect()
}

/// Whether `--fix-on` selects a result for its archived copy.
fn selected(r: &CheckResult, fix_on: &[FixOn], dead: &HashSet<&str>) -> bool {
    fix_on.iter().any(|f| match f {
        FixOn::Broken => r.status == Status::Broken,
        FixOn::Unreachable => r.status == Status::Unreachable,
        FixOn::Dead => dead.contains(r.url.as_str()),
        FixOn::Failing => crate::report::history::failing(r.status),
    })
}

/// What a report says of the citations of some documents, for the line `fix` ends with: how many
/// there are, how many were not checked, how many fail, and why a failing one is not rewritten.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Survey {
    /// Cited URLs (each counted once per document).
    pub citations: usize,
    /// Not checked (`--offline`).
    pub unchecked: usize,
    /// Not checkable as written (`invalid`) or left out (`excluded`: `--exclude`, `mailto:`).
    pub not_checkable: usize,
    /// Failing (broken, unreachable, server error, timeout), or confirmed dead.
    pub failing: usize,
    /// Selected by `--fix-on` but with no archived copy found.
    pub no_copy: usize,
    /// Selected but no archived copy was looked up (a report made without `--wayback`).
    pub not_looked_up: usize,
    /// Failing but not selected by `--fix-on`, by status.
    pub not_selected: std::collections::BTreeMap<&'static str, usize>,
}

impl Survey {
    /// Adds the citations of the document at `path`.
    pub fn add(&mut self, report: &Report, path: &str, fix_on: &[FixOn]) {
        let dead = confirmed_dead(report);
        for r in report.results.iter().flatten() {
            if !r.cited_in.iter().any(|c| c.path == path) {
                continue;
            }
            self.citations += 1;
            if r.status == Status::Unchecked {
                self.unchecked += 1;
                continue;
            }
            if matches!(r.status, Status::Excluded | Status::Invalid) {
                self.not_checkable += 1;
                continue;
            }
            if !(crate::report::history::failing(r.status) || dead.contains(r.url.as_str())) {
                continue;
            }
            self.failing += 1;
            if !selected(r, fix_on, &dead) {
                *self.not_selected.entry(r.status.as_str()).or_default() += 1;
            } else if r.saved.is_none() {
                match &r.archive {
                    crate::check::ArchiveLookup::NotLookedUp => self.not_looked_up += 1,
                    crate::check::ArchiveLookup::Found(None) => self.no_copy += 1,
                    crate::check::ArchiveLookup::Found(Some(_)) => {}
                }
            }
        }
    }
}

/// Whether `fix` can rewrite documents of this format (the others get a table of suggestions).
pub fn rewritable(format: InputFormat) -> bool {
    matches!(format, InputFormat::Markdown | InputFormat::Html)
}

/// The document's text with `replacements` applied, and the replacements that found no place to go.
pub fn rewrite<'a>(
    doc: &Document,
    text: &str,
    replacements: &'a [Replacement],
    style: FixStyle,
) -> (String, Vec<&'a Replacement>) {
    match doc.format {
        InputFormat::Html => rewrite_html(text, replacements),
        _ => rewrite_markdown(text, replacements, style),
    }
}

/// Whether a bare URL ends where `after` starts: at the end, a space or a closing mark, or at
/// punctuation that ends a sentence or clause (`…/a.` but not `…/a.html`).
fn ends_bare_url(after: &str) -> bool {
    let mut chars = after.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']') => true,
        Some('.' | ',' | ';' | ':' | '!' | '?') => chars.next().is_none_or(char::is_whitespace),
        Some(_) => false,
    }
}

fn rewrite_markdown<'a>(
    text: &str,
    replacements: &'a [Replacement],
    style: FixStyle,
) -> (String, Vec<&'a Replacement>) {
    let mut out = text.to_owned();
    let mut missed = Vec::new();
    for r in replacements {
        let mut done = false;
        let mut from = 0;
        while let Some(found) = out[from..].find(&r.url) {
            let start = from + found;
            let end = start + r.url.len();
            let before = &out[..start];
            let after = &out[end..];
            // A longer URL that starts with this one is another citation.
            let next = after.chars().next();
            let (edit, resume) = if before.ends_with("](") && matches!(next, Some(')' | ' ')) {
                // [text](url) or [text](url "title"): the link goes to the copy, the original follows.
                let close = after.find(')').map(|i| end + i + 1);
                match close {
                    Some(close) => {
                        let mut edit = String::new();
                        edit.push_str(&r.with);
                        edit.push_str(&out[end..close]);
                        edit.push_str(&note(r, style));
                        (Some((start, close, edit)), 0)
                    }
                    None => (None, end),
                }
            } else if before.ends_with('<') && next == Some('>') {
                (
                    Some((
                        start - 1,
                        end + 1,
                        format!("<{}>{}", r.with, note(r, style)),
                    )),
                    0,
                )
            } else if ends_bare_url(after)
                && !before.ends_with('`')
                && !before.ends_with("](")
                && !before.ends_with('/')
            {
                (
                    Some((start, end, format!("<{}>{}", r.with, note(r, style)))),
                    0,
                )
            } else {
                (None, end)
            };
            match edit {
                Some((s, e, replacement)) => {
                    let resume_at = s + replacement.len();
                    out.replace_range(s..e, &replacement);
                    from = resume_at;
                    done = true;
                }
                None => from = resume.max(start + 1),
            }
            if from >= out.len() {
                break;
            }
        }
        if !done {
            missed.push(r);
        }
    }
    (out, missed)
}

/// ` (originally `https://orig`)` for an archived copy; nothing for a moved page.
fn note(r: &Replacement, style: FixStyle) -> String {
    match (&r.why, style) {
        (Why::Archived { .. }, FixStyle::Code) => {
            format!(" (originally `{}`)", r.url.replace('`', "%60"))
        }
        (Why::Archived { .. }, FixStyle::Plain) => format!(" (originally {})", r.url),
        (Why::Moved, _) => String::new(),
    }
}

fn rewrite_html<'a>(text: &str, replacements: &'a [Replacement]) -> (String, Vec<&'a Replacement>) {
    let mut out = text.to_owned();
    let mut missed = Vec::new();
    for r in replacements {
        let mut done = false;
        // The URL as an attribute value may have its ampersands escaped.
        let escaped = r.url.replace('&', "&amp;");
        for written in [r.url.as_str(), escaped.as_str()] {
            for quote in ['"', '\''] {
                let needle = format!("href={quote}{written}{quote}");
                if !out.contains(&needle) {
                    continue;
                }
                let attr = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;");
                let replacement = match &r.why {
                    Why::Archived { date, .. } => format!(
                        "href=\"{}\" data-originalurl=\"{}\" data-versionurl=\"{}\" data-versiondate=\"{}\"",
                        attr(&r.with),
                        attr(&r.url),
                        attr(&r.with),
                        attr(date)
                    ),
                    Why::Moved => format!("href=\"{}\"", attr(&r.with)),
                };
                out = out.replace(&needle, &replacement);
                done = true;
            }
        }
        if !done {
            missed.push(r);
        }
    }
    (out, missed)
}

/// A unified diff of a document's rewrite, with `a/` and `b/` paths as `git apply` and `patch -p1`
/// read them.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archived(url: &str, with: &str) -> Replacement {
        Replacement {
            url: url.into(),
            with: with.into(),
            why: Why::Archived {
                status: Status::Broken,
                date: "2020-11-20".into(),
            },
            cited_at: vec!["footnote 1".into()],
            lines: vec![3],
        }
    }

    #[test]
    fn markdown_links_autolinks_and_bare_urls() {
        let r = [archived(
            "https://site.org/a",
            "https://web.archive.org/web/20201120/https://site.org/a",
        )];
        for (before, after) in [
            (
                "[^1]: \"A,\" [Paper](https://site.org/a), 2020.\n",
                "[^1]: \"A,\" [Paper](https://web.archive.org/web/20201120/https://site.org/a) (originally `https://site.org/a`), 2020.\n",
            ),
            (
                "[^1]: [A](https://site.org/a \"t\")\n",
                "[^1]: [A](https://web.archive.org/web/20201120/https://site.org/a \"t\") (originally `https://site.org/a`)\n",
            ),
            (
                "<sup>1</sup> \"A,\" *Paper*, <https://site.org/a>\n",
                "<sup>1</sup> \"A,\" *Paper*, <https://web.archive.org/web/20201120/https://site.org/a> (originally `https://site.org/a`)\n",
            ),
            (
                "1. \"A,\" Paper, https://site.org/a.\n",
                "1. \"A,\" Paper, <https://web.archive.org/web/20201120/https://site.org/a> (originally `https://site.org/a`).\n",
            ),
        ] {
            let (out, missed) = rewrite_markdown(before, &r, FixStyle::Code);
            assert_eq!(out, after);
            assert!(missed.is_empty());
        }
        // A longer URL and one inside code are other things.
        let (out, missed) = rewrite_markdown(
            "see https://site.org/ab, https://site.org/a.html and `https://site.org/a`\n",
            &r,
            FixStyle::Code,
        );
        assert_eq!(
            out,
            "see https://site.org/ab, https://site.org/a.html and `https://site.org/a`\n"
        );
        assert_eq!(missed.len(), 1);
    }

    #[test]
    fn plain_style_keeps_the_original_as_text() {
        let r = [archived(
            "https://site.org/a",
            "https://web.archive.org/web/1/https://site.org/a",
        )];
        let (out, _) = rewrite_markdown("[A](https://site.org/a)\n", &r, FixStyle::Plain);
        assert_eq!(
            out,
            "[A](https://web.archive.org/web/1/https://site.org/a) (originally https://site.org/a)\n"
        );
    }

    #[test]
    fn html_gets_robust_links() {
        let r = [archived(
            "https://site.org/a?x=1&y=2",
            "https://web.archive.org/web/20201120/https://site.org/a?x=1&y=2",
        )];
        let (out, missed) = rewrite_html("<a href=\"https://site.org/a?x=1&amp;y=2\">A</a>", &r);
        assert!(missed.is_empty());
        assert_eq!(
            out,
            "<a href=\"https://web.archive.org/web/20201120/https://site.org/a?x=1&amp;y=2\" data-originalurl=\"https://site.org/a?x=1&amp;y=2\" data-versionurl=\"https://web.archive.org/web/20201120/https://site.org/a?x=1&amp;y=2\" data-versiondate=\"2020-11-20\">A</a>"
        );
    }

    #[test]
    fn diffs_are_unified() {
        let diff = unified_diff("brief.md", "a\nb\n", "a\nc\n");
        assert!(
            diff.starts_with("--- a/brief.md\n+++ b/brief.md\n@@"),
            "{diff}"
        );
        assert!(diff.contains("-b\n+c\n"));
    }
}
