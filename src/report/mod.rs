//! The report model and its formats. `extract` reports documents; later stages add results.

pub mod cache;
pub mod dashboard;
mod github;
pub mod history;
mod human;
mod junit;
mod markdown;
mod sarif;
pub mod store;
pub mod stream;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::check::{CheckResult, ContentVerdict, QuoteFound, Status, WarningKind};
use crate::extract::{Document, InputFormat, Severity};

pub use human::write_human;

/// `1 footnote`, `2 footnotes`, `0 footnotes`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Version of the JSON report's shape; bumped when a field changes meaning or disappears.
/// 2: the summary keeps link results (`summary.links`) and lint findings (`summary.lint`) apart.
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest `schema_version` read (and brought up to this one as it is read).
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// The JSON report: the contract that users' scripts and later runs read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// "citecheck 0.1.0"
    pub generator: String,
    /// When the links were checked (RFC 3339, UTC); absent from `extract` reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<String>,
    /// Set when an input could not be read (or the run was interrupted): the results are not all there,
    /// and history skips the report.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    pub documents: Vec<Document>,
    /// One per distinct URL, present when the links were checked (`citecheck check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<CheckResult>>,
    /// What changed since the previous archived report (`--report-dir`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<history::Changes>,
    pub summary: Summary,
}

/// Counts over all documents: what was read, the lint findings, and the link results apart (a run
/// can fail on either).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub documents: usize,
    pub footnotes: usize,
    /// URLs cited in footnotes (each place counted).
    pub footnote_urls: usize,
    /// Links outside footnotes.
    pub other_links: usize,
    /// Lint findings by severity.
    pub lint: LintSummary,
    /// Link results, present with `results`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<LinkSummary>,
    /// Wall time of the check, present with `results`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

/// Lint findings counted by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintSummary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// Link results: how many distinct URLs were checked, how many fail a run, and each status's count
/// (every status listed: `summary.links.broken`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSummary {
    pub checked: usize,
    /// Results with an error-level status (`broken`, `unreachable`, `invalid`): what makes `check`
    /// exit 1 at the default `--fail-on error`.
    pub failing: usize,
    #[serde(flatten)]
    pub statuses: BTreeMap<Status, usize>,
}

impl Summary {
    /// Counts a document in.
    pub fn add(&mut self, doc: &Document) {
        self.documents += 1;
        self.footnotes += doc.footnotes.len();
        self.footnote_urls += doc.footnotes.iter().map(|f| f.urls.len()).sum::<usize>();
        self.other_links += doc.links.len();
        for finding in &doc.issues {
            match finding.severity {
                Severity::Error => self.lint.errors += 1,
                Severity::Warning => self.lint.warnings += 1,
                Severity::Info => self.lint.infos += 1,
            }
        }
    }

    /// Adds the counts of documents counted apart (see [`stream::Rendered`]).
    pub fn merge(&mut self, other: &Summary) {
        self.documents += other.documents;
        self.footnotes += other.footnotes;
        self.footnote_urls += other.footnote_urls;
        self.other_links += other.other_links;
        self.lint.errors += other.lint.errors;
        self.lint.warnings += other.lint.warnings;
        self.lint.infos += other.lint.infos;
    }

    /// The counts of check results.
    pub fn count_results(&mut self, results: &[CheckResult]) {
        let mut statuses: BTreeMap<Status, usize> = Status::ALL.iter().map(|s| (*s, 0)).collect();
        for r in results {
            *statuses.entry(r.status).or_default() += 1;
        }
        self.links = Some(LinkSummary {
            checked: results.len(),
            failing: results
                .iter()
                .filter(|r| r.status.severity() == Some(Severity::Error))
                .count(),
            statuses,
        });
    }
}

impl Report {
    pub fn new(documents: Vec<Document>) -> Self {
        let mut summary = Summary::default();
        for doc in &documents {
            summary.add(doc);
        }
        Report {
            schema_version: SCHEMA_VERSION,
            generator: concat!("citecheck ", env!("CARGO_PKG_VERSION")).to_owned(),
            generated_at: None,
            incomplete: false,
            documents,
            results: None,
            changes: None,
            summary,
        }
    }

    /// When the links were checked, if they were.
    pub fn generated_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.generated_at.as_deref().and_then(history::parse_stamp)
    }

    /// A report of links checked at `at`.
    pub fn with_results(
        documents: Vec<Document>,
        results: Vec<CheckResult>,
        elapsed_ms: u64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let mut report = Report::new(documents);
        report.generated_at = Some(history::stamp(at));
        report.summary.count_results(&results);
        report.summary.elapsed_ms = Some(elapsed_ms);
        report.results = Some(results);
        report
    }

    /// One report from several (the shards of one corpus): documents by path, results by URL (the first
    /// of each), the latest time, the longest run.
    pub fn merge(reports: Vec<Report>) -> Report {
        let mut documents: Vec<Document> = Vec::new();
        let mut results: Vec<CheckResult> = Vec::new();
        let mut seen_docs = std::collections::HashSet::new();
        let mut seen_urls = std::collections::HashSet::new();
        let mut at: Option<chrono::DateTime<chrono::Utc>> = None;
        let (mut elapsed, mut incomplete, mut checked) = (0, false, false);
        for report in reports {
            incomplete |= report.incomplete;
            elapsed = elapsed.max(report.summary.elapsed_ms.unwrap_or(0));
            if let Some(t) = report.generated_time() {
                at = Some(at.map_or(t, |a| a.max(t)));
            }
            documents.extend(
                report
                    .documents
                    .into_iter()
                    .filter(|d| seen_docs.insert(d.path.clone())),
            );
            if let Some(rs) = report.results {
                checked = true;
                results.extend(rs.into_iter().filter(|r| seen_urls.insert(r.url.clone())));
            }
        }
        let mut merged = if checked {
            Report::with_results(
                documents,
                results,
                elapsed,
                at.unwrap_or_else(chrono::Utc::now),
            )
        } else {
            Report::new(documents)
        };
        merged.incomplete = incomplete;
        merged
    }

    /// The format of the document at `path`, if the report has it.
    pub fn format_of(&self, path: &str) -> Option<InputFormat> {
        self.documents
            .iter()
            .find(|d| d.path == path)
            .map(|d| d.format)
    }

    /// What a location's number counts in the document at `path`: `page`, `paragraph` or `line`.
    pub fn place_word(&self, path: &str) -> &'static str {
        self.format_of(path).map_or("line", InputFormat::place_word)
    }

    /// The most severe lint finding or check result, if any.
    pub fn worst(&self) -> Option<Severity> {
        let findings = self
            .documents
            .iter()
            .flat_map(|d| d.issues.iter().map(|f| f.severity));
        let results = self
            .results
            .iter()
            .flatten()
            .filter_map(|r| r.status.severity());
        findings.chain(results).max()
    }
}

/// A place a checked URL is cited.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// Index of the document in the report.
    pub doc: usize,
    pub path: &'a str,
    pub line: usize,
    pub footnote: Option<&'a str>,
    pub result: &'a CheckResult,
}

impl<'a> Place<'a> {
    /// The warnings of a link that answers (drift, a quotation or fragment not found, content
    /// drift) about this place: those of its footnote, and those of the page as a whole. A failing
    /// link's warnings go with its status instead (see [`result_notes`]).
    pub fn answering_warnings(&self) -> impl Iterator<Item = &'a crate::check::Warning> + use<'a> {
        let footnote = self.footnote;
        let answering = self.result.status.severity().is_none();
        self.result.warnings.iter().filter(move |w| {
            answering && (w.footnote.is_none() || w.footnote.as_deref() == footnote)
        })
    }
}

impl Report {
    /// `(path, line)` of every `invalid-url` lint finding.
    fn invalid_url_findings(&self) -> std::collections::HashSet<(&str, usize)> {
        self.documents
            .iter()
            .flat_map(|d| {
                d.issues
                    .iter()
                    .filter(|f| f.kind == crate::extract::FindingKind::InvalidUrl)
                    .filter_map(|f| Some((d.path.as_str(), f.line?)))
            })
            .collect()
    }

    /// The results that say something the lint findings do not: all but the `invalid` results of URLs
    /// that are `invalid-url` findings wherever they are cited.
    pub fn results_beyond_lint(&self) -> Vec<&CheckResult> {
        let linted = self.invalid_url_findings();
        self.results
            .iter()
            .flatten()
            .filter(|r| {
                r.status != Status::Invalid
                    || !r
                        .cited_in
                        .iter()
                        .all(|c| linted.contains(&(c.path.as_str(), c.line)))
            })
            .collect()
    }

    /// Every place a checked URL is cited, in document and line order. A URL that cannot be parsed is
    /// already a lint finding (`invalid-url`) at its line: its `invalid` result is not a second place,
    /// so that every output reports and annotates the problem once.
    pub fn places(&self) -> Vec<Place<'_>> {
        let linted = self.invalid_url_findings();
        let doc_index: std::collections::HashMap<&str, usize> = self
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.as_str(), i))
            .collect();
        let mut places: Vec<Place<'_>> = self
            .results
            .iter()
            .flatten()
            .flat_map(|r| {
                r.cited_in
                    .iter()
                    .filter(|c| {
                        r.status != Status::Invalid || !linted.contains(&(c.path.as_str(), c.line))
                    })
                    .map(|c| Place {
                        doc: doc_index
                            .get(c.path.as_str())
                            .copied()
                            .unwrap_or(usize::MAX),
                        path: &c.path,
                        line: c.line,
                        footnote: c.footnote.as_deref(),
                        result: r,
                    })
            })
            .collect();
        places.sort_by_key(|p| (p.doc, p.line));
        places
    }
}

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A readable table per document.
    #[default]
    Human,
    /// The JSON report (schema/report.schema.json).
    Json,
    /// A Markdown summary for $GITHUB_STEP_SUMMARY: counts, failing footnotes, changes.
    Markdown,
    /// GitHub Actions workflow commands: an annotation on each failing footnote's line.
    Github,
    /// JUnit XML: one test case per URL.
    Junit,
    /// SARIF 2.1.0: one result per failing citation, at the footnote's line.
    Sarif,
}

impl Format {
    /// The format a file's extension names.
    pub fn for_path(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            "sarif" => Some(Format::Sarif),
            "xml" => Some(Format::Junit),
            "txt" => Some(Format::Human),
            _ => None,
        }
    }
}

/// Why a JSON report could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("not a citecheck JSON report")]
    NotAReport(#[source] serde_json::Error),
    /// Written by a newer citecheck: its fields may mean something this version does not know.
    #[error(
        "schema_version {found} is newer than the schema_version {supported} this citecheck reads: upgrade citecheck"
    )]
    Newer { found: u64, supported: u32 },
    #[error("schema_version {found} is not the schema_version {supported} this citecheck reads")]
    Unsupported { found: u64, supported: u32 },
}

/// Checks a report's `schema_version` against the one this citecheck reads and writes.
pub fn check_schema_version(found: u64) -> Result<(), ReadError> {
    let supported = SCHEMA_VERSION;
    if found > u64::from(supported) {
        Err(ReadError::Newer { found, supported })
    } else if found < u64::from(OLDEST_SCHEMA_VERSION) {
        Err(ReadError::Unsupported { found, supported })
    } else {
        Ok(())
    }
}

/// The `schema_version` of a JSON report, read without the rest.
#[derive(Deserialize)]
struct Header {
    schema_version: u64,
}

/// Reads a JSON report (a leading UTF-8 byte order mark is skipped), refusing a `schema_version` other
/// than [`SCHEMA_VERSION`]: a newer report is refused by name, never half-read or rewritten as ours.
pub fn from_json(bytes: &[u8]) -> Result<Report, ReadError> {
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(Header { schema_version: 1 }) = serde_json::from_slice::<Header>(json) {
        return from_version_1(json);
    }
    match serde_json::from_slice::<Report>(json) {
        Ok(report) => {
            check_schema_version(u64::from(report.schema_version))?;
            Ok(report)
        }
        // A newer shape may not parse as ours: say why, rather than what failed to parse.
        Err(err) => match serde_json::from_slice::<Header>(json) {
            Ok(header) => {
                check_schema_version(header.schema_version)?;
                Err(ReadError::NotAReport(err))
            }
            Err(_) => Err(ReadError::NotAReport(err)),
        },
    }
}

/// A report of `schema_version` 1, whose summary counted lint findings and link results together
/// (`errors`, `statuses`): read, and its summary counted again from its documents and results.
fn from_version_1(json: &[u8]) -> Result<Report, ReadError> {
    let mut value: serde_json::Value =
        serde_json::from_slice(json).map_err(ReadError::NotAReport)?;
    let elapsed_ms = value
        .pointer("/summary/elapsed_ms")
        .and_then(serde_json::Value::as_u64);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "summary".into(),
            serde_json::json!({
                "documents": 0, "footnotes": 0, "footnote_urls": 0, "other_links": 0,
                "lint": {"errors": 0, "warnings": 0, "infos": 0}
            }),
        );
        object.insert("schema_version".into(), SCHEMA_VERSION.into());
    }
    let mut report: Report = serde_json::from_value(value).map_err(ReadError::NotAReport)?;
    let mut summary = Summary::default();
    for doc in &report.documents {
        summary.add(doc);
    }
    if let Some(results) = &report.results {
        summary.count_results(results);
        summary.elapsed_ms = elapsed_ms;
    }
    report.summary = summary;
    Ok(report)
}

/// What a result says beyond its status, as every output for people shows it: why a page is
/// blocked, where a page moved, the warnings about what it says now (drift), and the archived copy.
pub fn result_notes(r: &CheckResult) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(reason) = r.reason.filter(|_| r.status == Status::Blocked) {
        notes.push(format!("blocked: {}", reason.as_str()));
    }
    if let Some(moved) = &r.moved {
        notes.push(format!(
            "moved permanently ({}) to {}",
            moved.status, moved.url
        ));
    }
    for w in &r.warnings {
        notes.push(w.message.clone());
    }
    for q in r.quotes.iter().filter(|q| q.found == QuoteFound::Live) {
        notes.push(format!("footnote {}: {}", q.footnote, quote_found(&q.text)));
    }
    notes.extend(content_note(r));
    if let Some(copy) = r.archive.snapshot() {
        notes.push(format!("archived copy ({}): {}", copy.day(), copy.url));
    }
    notes
}

/// A quotation's changed verdict, in words.
pub fn quote_change(q: &history::QuoteChange) -> String {
    let now = match q.found {
        QuoteFound::Live => "the page shows it again",
        QuoteFound::Archive => "the page no longer shows it (its archived copy does)",
        QuoteFound::None => "the page no longer shows it",
    };
    format!(
        "{}, footnote {}: \u{201c}{}\u{201d}: {now}",
        q.url, q.footnote, q.text
    )
}

/// A quotation the page shows, in words.
pub fn quote_found(text: &str) -> String {
    format!("quote found on the page: \u{201c}{text}\u{201d}")
}

/// The live page's text against its archived copy, in words, unless a `content-drift` warning
/// says it already.
pub fn content_note(r: &CheckResult) -> Option<String> {
    let ContentVerdict {
        similarity,
        capture,
    } = r.content.as_ref()?;
    if r.warnings
        .iter()
        .any(|w| w.kind == WarningKind::ContentDrift)
    {
        return None;
    }
    Some(format!(
        "text {:.0} % the same as the archived copy {capture}",
        similarity * 100.0
    ))
}

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn write_json<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")
}

/// Writes the report in `format`.
pub fn write<W: Write>(report: &Report, format: Format, out: W) -> io::Result<()> {
    match format {
        Format::Human => write_human(report, out),
        Format::Json => write_json(report, out),
        Format::Markdown => markdown::write(report, out),
        Format::Github => github::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Sarif => sarif::write(report, out),
    }
}
