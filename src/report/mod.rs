//! The report model and its formats. `extract` reports documents; later stages add results.

mod human;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::check::{CheckResult, Status};
use crate::extract::{Document, Severity};

pub use human::write_human;

/// Version of the JSON report's shape; bumped when a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON report: the contract that users' scripts and later runs read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// "citecheck 0.1.0"
    pub generator: String,
    pub documents: Vec<Document>,
    /// One per distinct URL, present when the links were checked (`citecheck check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<CheckResult>>,
    pub summary: Summary,
}

/// Counts over all documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub documents: usize,
    pub footnotes: usize,
    /// URLs cited in footnotes (each place counted).
    pub footnote_urls: usize,
    /// Links outside footnotes.
    pub links: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Distinct URLs checked, present with `results`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<usize>,
    /// Results counted by status (every status listed), present with `results`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statuses: Option<BTreeMap<Status, usize>>,
    /// Wall time of the check, present with `results`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

impl Report {
    pub fn new(documents: Vec<Document>) -> Self {
        let mut summary = Summary {
            documents: documents.len(),
            ..Summary::default()
        };
        for doc in &documents {
            summary.footnotes += doc.footnotes.len();
            summary.footnote_urls += doc.footnotes.iter().map(|f| f.urls.len()).sum::<usize>();
            summary.links += doc.links.len();
            for finding in &doc.issues {
                match finding.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
            }
        }
        Report {
            schema_version: SCHEMA_VERSION,
            generator: concat!("citecheck ", env!("CARGO_PKG_VERSION")).to_owned(),
            documents,
            results: None,
            summary,
        }
    }

    /// A report of checked links.
    pub fn with_results(
        documents: Vec<Document>,
        results: Vec<CheckResult>,
        elapsed_ms: u64,
    ) -> Self {
        let mut report = Report::new(documents);
        let mut statuses: BTreeMap<Status, usize> = Status::ALL.iter().map(|s| (*s, 0)).collect();
        for r in &results {
            *statuses.entry(r.status).or_default() += 1;
        }
        report.summary.checked = Some(results.len());
        report.summary.statuses = Some(statuses);
        report.summary.elapsed_ms = Some(elapsed_ms);
        report.results = Some(results);
        report
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

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A readable table per document.
    #[default]
    Human,
    /// The JSON report (schema/report.schema.json).
    Json,
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
    }
}
