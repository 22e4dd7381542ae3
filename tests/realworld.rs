//! Real documents that nobody on this project wrote, read through the real binary and held to the
//! truth recorded by hand in `tests/fixtures/realworld/truth.json` (provenance and licences in that
//! folder's README), and the example brief typeset by LibreOffice and by pdfLaTeX
//! (`tests/fixtures/generated/`, made by its `make.sh`).
//!
//! For every document: the footnote count and ids exactly (no tolerance, PDFs included), every URL
//! the truth lists found with its fragment, no URL that is a truncated prefix of a true one, each
//! footnote citing the URLs the truth gives it, no error-level finding, and exit 0.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{citecheck, json_stdout};
use serde_json::Value;

/// URLs the truth lists that the document itself comments out (`<!-- … -->` in the Markdown source):
/// not links, so not expected.
const COMMENTED_OUT: &[&str] = &[
    "https://gcc.gnu.org/bugzilla/show_bug.cgi?id=103026",
    "https://reviews.llvm.org/D125142",
    "https://godbolt.org/z/6qTPz9n6h",
];

fn truth() -> Vec<Value> {
    let text = std::fs::read_to_string("tests/fixtures/realworld/truth.json").expect("truth.json");
    serde_json::from_str::<Value>(&text)
        .expect("truth.json is JSON")
        .as_array()
        .expect("an array")
        .clone()
}

fn path_of(file: &str) -> String {
    let realworld = format!("tests/fixtures/realworld/{file}");
    if Path::new(&realworld).exists() {
        return realworld;
    }
    format!(
        "tests/fixtures/generated/{}",
        file.trim_start_matches("../generated/")
    )
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks one document against its truth; returns what is wrong, if anything.
fn check(entry: &Value) -> Vec<String> {
    let file = entry["file"].as_str().expect("file");
    let path = path_of(file);
    let output = citecheck()
        .args(["extract", &path, "--format", "json"])
        .output()
        .expect("citecheck runs");
    let mut wrong = Vec::new();
    if output.status.code() != Some(0) {
        wrong.push(format!("exit {:?}", output.status.code()));
    }
    let report = json_stdout(&output);
    let doc = &report["documents"][0];
    let footnotes = doc["footnotes"].as_array().expect("footnotes");

    let expected = entry["footnotes"].as_u64().expect("footnote count") as usize;
    if footnotes.len() != expected {
        wrong.push(format!("{} footnotes, truth {expected}", footnotes.len()));
    }
    let ids: Vec<String> = footnotes
        .iter()
        .map(|f| f["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let true_ids = strings(&entry["footnote_ids"]);
    if !true_ids.is_empty() && ids != true_ids {
        wrong.push(format!("ids {ids:?}, truth {true_ids:?}"));
    }

    let mut found: BTreeSet<String> = BTreeSet::new();
    for f in footnotes {
        found.extend(strings(&f["urls"]));
    }
    for l in doc["links"].as_array().expect("links") {
        found.insert(l["url"].as_str().unwrap_or_default().to_owned());
    }
    let true_urls: BTreeSet<String> = strings(&entry["urls"])
        .into_iter()
        .filter(|u| !COMMENTED_OUT.contains(&u.as_str()))
        .collect();
    for url in &true_urls {
        if !found.contains(url) {
            wrong.push(format!("missing {url}"));
        }
    }
    // A PDF's printed URL cut at a line end must not stand beside the whole one. (Other formats
    // link a site's front page and its deep pages alike.)
    let is_pdf = file.ends_with(".pdf");
    for url in found.iter().filter(|_| is_pdf) {
        if !true_urls.contains(url)
            && true_urls
                .iter()
                .any(|t| t.len() > url.len() && t.starts_with(url.as_str()))
        {
            wrong.push(format!("truncated {url}"));
        }
    }
    if let Some(per_note) = entry["footnote_urls"].as_object() {
        for (id, urls) in per_note {
            let note = footnotes.iter().find(|f| f["id"] == id.as_str());
            let got: BTreeSet<String> = note
                .map(|f| strings(&f["urls"]))
                .unwrap_or_default()
                .into_iter()
                .collect();
            for url in strings(urls) {
                if !got.contains(&url) {
                    wrong.push(format!("footnote {id} lacks {url}"));
                }
            }
        }
    }
    for issue in doc["issues"].as_array().expect("issues") {
        if issue["severity"] == "error" {
            wrong.push(format!("error finding: {}", issue["message"]));
        }
    }
    wrong
}

#[test]
fn every_real_document_matches_its_truth() {
    let entries = truth();
    assert!(entries.len() >= 12, "the truth covers the shared documents");
    let mut failures = Vec::new();
    for entry in &entries {
        let wrong = check(entry);
        if !wrong.is_empty() {
            failures.push(format!("{}: {}", entry["file"], wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_fuzzing_handbook_has_no_footnotes_and_no_errors() {
    let output = citecheck()
        .args([
            "extract",
            "tests/fixtures/realworld/cncf-fuzzing-handbook.pdf",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report = json_stdout(&output);
    let doc = &report["documents"][0];
    assert_eq!(doc["footnotes"].as_array().unwrap().len(), 0);
    let links: Vec<&str> = doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    // Annotated whole; the printed prefix and the elided example are not links of their own.
    assert!(!links.contains(&"https://bugs.chromium.org/"));
    assert!(
        !links
            .iter()
            .any(|u| u.starts_with("https://oss-fuzz.com/..."))
    );
    assert!(
        links.len() >= 49,
        "every annotated URL is listed: {}",
        links.len()
    );
}

/// The example brief as typeset by LibreOffice and by pdfLaTeX gives the footnotes, URLs, titles and
/// dates the Markdown gives.
#[test]
fn the_example_brief_typeset_as_pdf_reads_like_its_markdown() {
    let fields = |path: &str| -> Vec<(String, Vec<String>, Value, Value)> {
        let output = citecheck()
            .args(["extract", path, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{path}");
        json_stdout(&output)["documents"][0]["footnotes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_owned(),
                    strings(&f["urls"]),
                    f["title"].clone(),
                    f["date"].clone(),
                )
            })
            .collect()
    };
    // Every URL is a note's: none is listed again as a plain link (hyperref draws the URL that runs
    // from page 3 to page 4 with rectangles on both pages, some over body text).
    for pdf in [
        "tests/fixtures/generated/kabul-brief.libreoffice.pdf",
        "tests/fixtures/generated/kabul-brief.pdflatex.pdf",
    ] {
        let output = citecheck()
            .args(["extract", pdf, "--format", "json"])
            .output()
            .unwrap();
        let links = &json_stdout(&output)["documents"][0]["links"];
        assert_eq!(links.as_array().unwrap().len(), 0, "{pdf}: {links}");
    }
    let markdown = fields("examples/kabul-visit-brief.md");
    assert_eq!(markdown.len(), 6);
    for pdf in [
        "tests/fixtures/generated/kabul-brief.libreoffice.pdf",
        "tests/fixtures/generated/kabul-brief.pdflatex.pdf",
    ] {
        let got = fields(pdf);
        assert_eq!(got.len(), 6, "{pdf}");
        for (m, p) in markdown.iter().zip(&got) {
            assert_eq!(m.0, p.0, "{pdf}: id");
            assert_eq!(m.1, p.1, "{pdf}: footnote {} URLs", m.0);
            assert_eq!(m.3, p.3, "{pdf}: footnote {} date", m.0);
            assert_eq!(m.2, p.2, "{pdf}: footnote {} title", m.0);
        }
    }
}

/// The same 26 notes typeset by pdfTeX and by LibreOffice read like the Word document they came from:
/// a note cut short (a last line taken for a running footer, or left in another column) loses its
/// date.
#[test]
fn typeset_notes_keep_their_last_lines() {
    let dates = |path: &str| -> Vec<Value> {
        let output = citecheck()
            .args(["extract", path, "--format", "json"])
            .output()
            .unwrap();
        json_stdout(&output)["documents"][0]["footnotes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["date"].clone())
            .collect()
    };
    let word = dates("tests/fixtures/realworld/gen-ossf-annotations.pandoc.docx");
    assert_eq!(word.len(), 26);
    for pdf in [
        "tests/fixtures/realworld/gen-ossf-annotations.libreoffice.pdf",
        "tests/fixtures/realworld/gen-ossf-annotations.pdflatex.pdf",
    ] {
        assert_eq!(dates(pdf), word, "{pdf}");
    }
}
