//! Damaged PDFs (a broken cross-reference table, `startxref` or trailer) are read by rebuilding the
//! table from the objects, through the real binary: the same footnotes, links and findings as the
//! undamaged file. The damaged copies are made here, in a temporary folder, from real documents.

mod common;

use std::fs;
use std::path::Path;

use common::{citecheck, json_stdout};
use regex::bytes::Regex;
use serde_json::Value;

const REALWORLD: &str = "tests/fixtures/realworld";

/// Exit code, then the footnotes, links and findings of the one document, without its path.
fn extract(path: &Path) -> (Option<i32>, Value) {
    let output = citecheck()
        .arg("extract")
        .arg(path)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = json_stdout(&output);
    let doc = &report["documents"][0];
    let content = serde_json::json!({
        "footnotes": doc["footnotes"],
        "links": doc["links"],
        "issues": doc["issues"],
    });
    (output.status.code(), content)
}

/// The number after the last `startxref` becomes nines: an offset past the end of the file.
fn garbage_startxref(pdf: &[u8]) -> Vec<u8> {
    let at = pdf.windows(9).rposition(|w| w == b"startxref").unwrap() + 9;
    let mut out = pdf.to_vec();
    for b in out[at..].iter_mut().skip_while(|b| b.is_ascii_whitespace()) {
        if !b.is_ascii_digit() {
            break;
        }
        *b = b'9';
    }
    assert_ne!(out, pdf);
    out
}

/// Every in-use entry of the classic tables points at offset 1.
fn garbage_offsets(pdf: &[u8]) -> Vec<u8> {
    let entry = Regex::new(r"(?m)^\d{10}( \d{5} n)").unwrap();
    let out = entry.replace_all(pdf, &b"0000000001$1"[..]).into_owned();
    assert_ne!(out, pdf);
    out
}

/// The file ends a few bytes into its last trailer: no trailer dictionary, no `startxref`, no `%%EOF`.
fn truncated_trailer(pdf: &[u8]) -> Vec<u8> {
    let at = pdf.windows(7).rposition(|w| w == b"trailer").unwrap();
    pdf[..at + 12].to_vec()
}

/// The file ends inside its cross-reference stream (pdfTeX writes one instead of a table).
fn truncated_xref_stream(pdf: &[u8]) -> Vec<u8> {
    let at = pdf.windows(5).rposition(|w| w == b"/XRef").unwrap();
    pdf[..at - 20].to_vec()
}

/// A way to damage a PDF, by name.
type Damage = (&'static str, fn(&[u8]) -> Vec<u8>);

fn assert_read_like_the_original(name: &str, damages: &[Damage]) {
    let original_path = Path::new(REALWORLD).join(name);
    let original = fs::read(&original_path).unwrap();
    let expected = extract(&original_path);
    assert!(
        expected.1["links"].as_array().unwrap().len()
            + expected.1["footnotes"].as_array().unwrap().len()
            > 10,
        "{name}: {:?}",
        expected.1
    );
    let dir = tempfile::tempdir().unwrap();
    for (damage, make) in damages {
        let damaged = make(&original);
        // lopdf alone refuses the damaged file, or loads it without its pages.
        let lopdf_alone = lopdf::Document::load_mem(&damaged);
        assert!(
            lopdf_alone.map_or(true, |pdf| pdf.get_pages().is_empty()),
            "{name} {damage}: not damaged enough to test the repair"
        );
        let path = dir.path().join(format!("{damage}-{name}"));
        fs::write(&path, &damaged).unwrap();
        let got = extract(&path);
        assert_eq!(got, expected, "{name} with {damage}");
    }
}

#[test]
fn a_libreoffice_pdf_with_a_broken_table_or_trailer_is_read() {
    assert_read_like_the_original(
        "gen-ossf-annotations.libreoffice.pdf",
        &[
            ("startxref", garbage_startxref),
            ("offsets", garbage_offsets),
            ("trailer", truncated_trailer),
        ],
    );
}

#[test]
fn a_pdftex_pdf_with_object_streams_and_a_broken_xref_stream_is_read() {
    // pdfTeX puts most objects (the catalog, the pages, the link annotations) in /ObjStm streams:
    // the rebuilt table lists the streams and lopdf reads the objects inside them.
    let pdf = fs::read(Path::new(REALWORLD).join("gen-ossf-annotations.pdflatex.pdf")).unwrap();
    assert!(pdf.windows(7).filter(|w| w == b"/ObjStm").count() >= 2);
    assert_read_like_the_original(
        "gen-ossf-annotations.pdflatex.pdf",
        &[
            ("startxref", garbage_startxref),
            ("xref-stream", truncated_xref_stream),
        ],
    );
}

#[test]
fn a_file_with_no_objects_stays_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("header-only.pdf");
    fs::write(&path, "%PDF-1.7\n% nothing else\nstartxref\n12345\n%%EOF\n").unwrap();
    let output = citecheck().arg("extract").arg(&path).output().unwrap();
    common::assert_one_line_error(&output, 2, "header-only.pdf: not a readable PDF");
}
