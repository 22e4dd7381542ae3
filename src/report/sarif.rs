//! SARIF 2.1.0: one result per failing citation (and per lint finding), located at the footnote's line,
//! for code-scanning dashboards.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use crate::check::Status;
use crate::extract::Severity;
use crate::sanitize;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn write<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index = |id: &str, description: &str, level: &str| -> usize {
        if let Some(i) = rules.iter().position(|r| r["id"] == id) {
            return i;
        }
        rules.push(json!({
            "id": id,
            "shortDescription": {"text": description},
            "defaultConfiguration": {"level": level},
        }));
        rules.len() - 1
    };
    let mut results: Vec<Value> = Vec::new();
    for p in report.places() {
        let r = p.result;
        let Some(severity) = r.status.severity() else {
            continue;
        };
        let level = sarif_level(severity);
        let index = rule_index(r.status.as_str(), status_description(r.status), level);
        let who = p
            .footnote
            .map(|id| format!("Footnote {id}: "))
            .unwrap_or_default();
        let mut text = format!("{who}{} is {}", r.url, r.status.as_str());
        if let Some(detail) = &r.detail {
            text.push_str(&format!(" ({detail})"));
        }
        if let Some(snapshot) = r.archive.snapshot() {
            text.push_str(&format!(". Archived copy: {}", snapshot.url));
        }
        results.push(json!({
            "ruleId": r.status.as_str(),
            "ruleIndex": index,
            "level": level,
            "message": {"text": sanitize::text(&text)},
            "locations": [location(p.path, Some(p.line))],
            "partialFingerprints": {"citecheck/url": r.url},
        }));
    }
    for doc in &report.documents {
        for f in &doc.issues {
            let level = sarif_level(f.severity);
            let index = rule_index(f.kind.as_str(), "Footnote lint", level);
            results.push(json!({
                "ruleId": f.kind.as_str(),
                "ruleIndex": index,
                "level": level,
                "message": {"text": sanitize::text(&f.message)},
                "locations": [location(&doc.path, f.line)],
            }));
        }
    }
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "citecheck",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/citecheck/citecheck",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut out, &sarif)?;
    out.write_all(b"\n")
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
