//! SARIF 2.1.0: one result per failing citation (and per lint finding), located at the footnote's line,
//! for code-scanning dashboards.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::SerializeSeq;
use serde_json::{Value, json};

use super::Report;
use crate::check::Status;
use crate::extract::{InputFormat, Severity};
use crate::sanitize;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The results are written as they are made, one at a time: a report of 50,000 findings as one JSON
/// tree took 470 MB.
pub fn write<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    // First pass: the rules, in order of first use, and each one's index.
    let mut rules: Vec<Value> = Vec::new();
    let mut indexes: HashMap<&str, usize> = HashMap::new();
    let mut rule_index = |id: &'static str, description: &str, level: &str| {
        indexes.entry(id).or_insert_with(|| {
            rules.push(json!({
                "id": id,
                "shortDescription": {"text": description},
                "defaultConfiguration": {"level": level},
            }));
            rules.len() - 1
        });
    };
    for p in report.places() {
        if let Some(severity) = p.result.status.severity() {
            rule_index(
                p.result.status.as_str(),
                status_description(p.result.status),
                sarif_level(severity),
            );
        }
    }
    for p in report.places() {
        for w in p.answering_warnings() {
            rule_index(
                w.kind.as_str(),
                "The page answers but has changed",
                "warning",
            );
        }
    }
    for f in report.documents.iter().flat_map(|d| &d.issues) {
        rule_index(f.kind.as_str(), "Footnote lint", sarif_level(f.severity));
    }
    let results = Results {
        report,
        indexes: &indexes,
    };
    let sarif = Sarif {
        schema: SCHEMA,
        runs: [Run {
            results,
            tool: json!({"driver": {
                "informationUri": "https://github.com/citecheck/citecheck",
                "name": "citecheck",
                "rules": rules,
                "version": env!("CARGO_PKG_VERSION"),
            }}),
        }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut out, &sarif)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
struct Run<'a> {
    results: Results<'a>,
    tool: Value,
}

/// The results of a report, made as they are serialised.
struct Results<'a> {
    report: &'a Report,
    indexes: &'a HashMap<&'static str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for p in self.report.places() {
            let r = p.result;
            let format = self.report.format_of(p.path).unwrap_or(InputFormat::Text);
            // A link that answers is a result only for what changed on its page.
            for w in p.answering_warnings() {
                let mut text = format!("{}: {}", r.url, w.message);
                if !format.has_lines() {
                    text.push_str(&format!(" ({} {})", format.place_word(), p.line));
                }
                seq.serialize_element(&json!({
                    "ruleId": w.kind.as_str(),
                    "ruleIndex": self.indexes[w.kind.as_str()],
                    "level": "warning",
                    "message": {"text": sanitize::exact(&text)},
                    "locations": [location(p.path, Some(p.line).filter(|_| format.has_lines()))],
                    "partialFingerprints": {"citecheck/url": r.url},
                }))?;
            }
            let Some(severity) = r.status.severity() else {
                continue;
            };
            let level = sarif_level(severity);
            let who = p
                .footnote
                .map(|id| format!("Footnote {id}: "))
                .unwrap_or_default();
            let mut text = format!("{who}{} is {}", r.url, r.status.as_str());
            if let Some(detail) = &r.detail {
                text.push_str(&format!(" ({detail})"));
            }
            for note in super::result_notes(r) {
                text.push_str(&format!(". {note}"));
            }
            if !format.has_lines() {
                text.push_str(&format!(" ({} {})", format.place_word(), p.line));
            }
            seq.serialize_element(&json!({
                "ruleId": r.status.as_str(),
                "ruleIndex": self.indexes[r.status.as_str()],
                "level": level,
                "message": {"text": sanitize::exact(&text)},
                "locations": [location(p.path, Some(p.line).filter(|_| format.has_lines()))],
                "partialFingerprints": {"citecheck/url": r.url},
            }))?;
        }
        for doc in &self.report.documents {
            for f in &doc.issues {
                // A region is a line of the file: a PDF's page or a Word paragraph is told in
                // the message instead.
                let (line, text) = match f.line {
                    Some(l) if !doc.format.has_lines() => (
                        None,
                        format!("{} ({} {l})", f.message, doc.format.place_word()),
                    ),
                    line => (line, f.message.clone()),
                };
                seq.serialize_element(&json!({
                    "ruleId": f.kind.as_str(),
                    "ruleIndex": self.indexes[f.kind.as_str()],
                    "level": sarif_level(f.severity),
                    "message": {"text": sanitize::exact(&text)},
                    "locations": [location(&doc.path, line)],
                }))?;
            }
        }
        seq.end()
    }
}

fn location(path: &str, line: Option<usize>) -> Value {
    let mut physical = json!({"artifactLocation": {"uri": path}});
    if let Some(line) = line {
        physical["region"] = json!({"startLine": line});
    }
    json!({"physicalLocation": physical})
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn status_description(status: Status) -> &'static str {
    match status {
        Status::Broken => "The cited resource is gone",
        Status::Unreachable => "The cited site cannot be reached",
        Status::Invalid => "The cited URL cannot be checked as written",
        Status::Blocked => "The site refuses automated checks; check by hand",
        Status::ServerError => "The site answers with server errors",
        Status::Timeout => "The site does not answer in time",
        Status::Ok | Status::Excluded | Status::Unchecked => "Citation status",
    }
}
