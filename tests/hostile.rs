//! Hostile documents (issue 9): each generated here, read by the real binary, which must answer within
//! a memory and time budget with a report (and an `over-budget` finding where a budget was reached) or
//! one line on stderr. Peak memory is the child's VmHWM; the time bounds are generous, for debug builds.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::peak::extract_with_peak;
use serde_json::Value;

/// Runs `citecheck extract --format json` on the files, returning the report, the exit code, stderr,
/// the peak memory (KiB) and the time taken.
fn extract(paths: &[&Path]) -> (Value, Option<i32>, String, u64, Duration) {
    let started = Instant::now();
    // The readers' own budgets are under test here, in a debug build: the reader box's time budget
    // (20 s, set for release builds) is raised past the tests' own bounds.
    let (output, peak_kib) =
        extract_with_peak(paths, &["--format", "json", "--max-reader-seconds", "300"]);
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}); stderr: {stderr}"));
    (report, output.status.code(), stderr, peak_kib, took)
}

/// The messages of a document's `over-budget` findings.
fn over_budget_messages(doc: &Value) -> Vec<&str> {
    findings(doc, "over-budget")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect()
}

fn findings<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

#[test]
fn html_nested_100000_deep_is_read_flat_past_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let page = dir.path().join("deep.html");
    fs::write(
        &page,
        format!(
            "<!doctype html><html><body>\n{}<a href=\"https://deep.example/\">x</a>{}\n</body></html>\n",
            "<div>".repeat(n),
            "</div>".repeat(n)
        ),
    )
    .unwrap();
    // Another document in the same run is reported as usual.
    let other = dir.path().join("other.md");
    fs::write(&other, "See https://other.example/.\n").unwrap();
    let (report, code, stderr, peak_kib, took) = extract(&[&page, &other]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["links"][0]["url"], "https://deep.example/");
    let over = findings(&docs[0], "over-budget");
    assert_eq!(over.len(), 1, "{:?}", docs[0]["issues"]);
    assert_eq!(over[0]["severity"], "info");
    assert!(
        over[0]["message"]
            .as_str()
            .unwrap()
            .contains("nesting budget (512 levels)")
    );
    assert_eq!(docs[1]["links"][0]["url"], "https://other.example/");
    assert!(peak_kib < 200 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn markdown_60_mb_of_sup_references_keeps_the_reference_budget() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("flood.md");
    // 60 MiB, one paragraph (no blank line): 3.9 million references to a defined footnote.
    let mut src = "Text<sup>1</sup>\n".repeat((60 << 20) / 17);
    src.push_str("\n<sup>1</sup> The note, https://note.example/\n");
    fs::write(&doc, &src).unwrap();
    drop(src);
    let (report, code, stderr, peak_kib, took) = extract(&[&doc]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let doc = &report["documents"][0];
    assert_eq!(doc["footnotes"][0]["urls"][0], "https://note.example/");
    assert_eq!(
        doc["footnotes"][0]["references"].as_array().unwrap().len(),
        100_000
    );
    let messages = over_budget_messages(doc);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("reference budget (100000)")),
        "{messages:?}"
    );
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(90), "{took:?}");
}

#[test]
fn markdown_floods_of_urls_are_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    // 100,000 URLs in one footnote (2.5 MB), 50,000 bare URLs in one paragraph.
    let urls = |n: usize| {
        (0..n)
            .map(|i| format!("https://example.org/{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let footnote = dir.path().join("footnote.md");
    fs::write(&footnote, format!("Text[^1]\n\n[^1]: {}\n", urls(100_000))).unwrap();
    let bare = dir.path().join("bare.md");
    fs::write(&bare, format!("{}\n", urls(50_000))).unwrap();
    let (report, code, stderr, peak_kib, took) = extract(&[&footnote, &bare]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let docs = report["documents"].as_array().unwrap();
    // The footnote's paragraph (2.5 MB) is past the block budget (1 MiB) and read in parts: what
    // follows the cut is read as body text, and no URL is lost.
    let in_footnote = docs[0]["footnotes"][0]["urls"].as_array().unwrap().len();
    let in_body = docs[0]["links"].as_array().unwrap().len();
    assert!(in_footnote > 30_000, "{in_footnote}");
    assert_eq!(in_footnote + in_body, 100_000);
    assert!(
        findings(&docs[0], "over-budget")[0]["message"]
            .as_str()
            .unwrap()
            .contains("block budget (1 MiB)")
    );
    assert_eq!(docs[1]["links"].as_array().unwrap().len(), 50_000);
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn markdown_nesting_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let cases = [
        (
            "quotes.md",
            format!("{} https://q.example/\n", ">".repeat(n)),
        ),
        (
            "quote-lines.md",
            (0..3000)
                .map(|i| format!("{} x\n", ">".repeat(i)))
                .collect(),
        ),
        ("list.md", format!("{}https://l.example/\n", "- ".repeat(n))),
        (
            "list-lines.md",
            (0..2000)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "brackets.md",
            format!("{}x{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "links.md",
            format!("{}x{}\n", "[".repeat(n / 2), "](u)".repeat(n / 2)),
        ),
        (
            "emphasis.md",
            format!("{}x{}\n", "*".repeat(n), "*".repeat(n)),
        ),
        ("inline-notes.md", "^[".repeat(n)),
        ("sup.md", "<sup>".repeat(n)),
        (
            "html-block.md",
            format!(
                "<div>\n{}</div>\n",
                (0..50_000)
                    .map(|i| format!("<a href=\"https://x.example/{i}\">x</a>\n"))
                    .collect::<String>()
            ),
        ),
    ];
    let paths: Vec<_> = cases
        .iter()
        .map(|(name, src)| {
            let path = dir.path().join(name);
            fs::write(&path, src).unwrap();
            path
        })
        .collect();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let (report, code, stderr, peak_kib, took) = extract(&refs);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), cases.len());
    assert_eq!(docs[9]["links"].as_array().unwrap().len(), 50_000);
    assert_eq!(docs[9]["links"][49_999]["line"], 50_001);
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn html_links_whose_text_is_not_in_the_source_are_located_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    // `&#116;` for `t`: the parsed href is nowhere in the source as written.
    let page = dir.path().join("entities.html");
    let links: String = (0..50_000)
        .map(|i| format!("<a href=\"h&#116;tp://x.example/{i}\">x</a> h&#116;tp://y.example/{i}\n"))
        .collect();
    fs::write(
        &page,
        format!("<!doctype html><html><body>\n{links}</body></html>\n"),
    )
    .unwrap();
    let (report, code, stderr, peak_kib, took) = extract(&[&page]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(
        report["documents"][0]["links"].as_array().unwrap().len(),
        100_000
    );
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// 30,000 bare URLs in Chinese text, which has no spaces (issue 20): each URL is found once, in
/// linear time (the search began again after every URL: 16 s of a release build for 480 KB).
#[test]
fn bare_urls_in_cjk_text_are_found_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("cjk.txt");
    let n = 30_000;
    let text: String = (0..n)
        .map(|i| format!("引用的来源https://example.org/p{i}这是一个句子。"))
        .collect();
    fs::write(&doc, text).unwrap();
    let (report, code, stderr, _, took) = extract(&[&doc]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let links = report["documents"][0]["links"].as_array().unwrap();
    assert_eq!(links.len(), n);
    assert_eq!(links[0]["url"], "https://example.org/p0");
    assert_eq!(
        links[n - 1]["url"],
        format!("https://example.org/p{}", n - 1)
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// One tag of 1.5 million attributes (issue 20): html5ever looks for a duplicate name before each
/// new attribute, so it cost the square of their number (past 20 s). Past 1,000 they are dropped,
/// with an over-budget finding, and the page's text and links are read.
#[test]
fn a_tag_of_a_million_attributes_is_read_past_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("attrs.html");
    let attrs: String = (0..1_500_000).map(|i| format!(" a{i}=\"x\"")).collect();
    fs::write(
        &page,
        format!("<html><body><p{attrs}>See https://example.org/</p></body></html>"),
    )
    .unwrap();
    let (report, code, stderr, peak_kib, took) = extract(&[&page]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let doc = &report["documents"][0];
    assert_eq!(doc["links"][0]["url"], "https://example.org/");
    let messages = over_budget_messages(doc);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("1499000 past it were dropped")),
        "{messages:?}"
    );
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

/// A Word paragraph of 150,000 fields begun and never ended (issue 20): past the 64 levels counted,
/// a field's instructions and separator are its own, so they no longer grew and re-parsed the
/// innermost counted field's at every one (past 20 s of a release build).
#[test]
fn word_fields_never_ended_are_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fields.docx");
    fs::write(&path, common::bombs::word_fields(150_000)).unwrap();
    let (report, code, stderr, peak_kib, took) = extract(&[&path]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    // The 64 counted fields' links; none of the uncounted ones'.
    let links = report["documents"][0]["links"].as_array().unwrap();
    assert_eq!(links.len(), 64);
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

/// 300,000 one-line footnote definitions (issue 20: a million cost 2.1 GB): a document keeps one
/// footnote per 256 bytes of itself, and lists at most 1,000 findings of a kind, the rest counted.
#[test]
fn a_flood_of_footnote_definitions_is_bounded_by_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("defs.md");
    let mut src = String::from("Text.[^1]\n\n");
    for i in 1..=300_000 {
        src.push_str(&format!("[^{i}]: n\n"));
    }
    let budget = src.len() / 256;
    fs::write(&doc, &src).unwrap();
    let (report, code, stderr, peak_kib, took) = extract(&[&doc]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let doc = &report["documents"][0];
    assert_eq!(doc["footnotes"].as_array().unwrap().len(), budget);
    let issues = doc["issues"].as_array().unwrap();
    for kind in ["no-url", "unused-footnote"] {
        assert_eq!(issues.iter().filter(|f| f["kind"] == kind).count(), 1_000);
    }
    let messages = over_budget_messages(doc);
    assert!(
        messages.iter().any(|m| m.contains("past it were not read"))
            && messages
                .iter()
                .any(|m| m.contains("more unused-footnote findings")),
        "{messages:?}"
    );
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

/// Every hostile document of issue 20's table, generated by `common::bombs`, read by the binary
/// with its default limits: a report (exit 0 or 1, nothing on stderr) within 300 MB, or one line
/// naming the file and exit 2. The test build reads them at a tenth of the sizes measured there;
/// `CITECHECK_HOSTILE_BIN=target/release/citecheck CITECHECK_HOSTILE_SCALE=10` runs the release
/// binary at ten times them (`benches/hostile.sh`), and the table it prints is in docs/limits.md.
#[test]
fn every_hostile_document_ends_within_its_budget() {
    let scale: f64 = std::env::var("CITECHECK_HOSTILE_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.1);
    let bin = std::env::var_os("CITECHECK_HOSTILE_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_citecheck").into());
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    eprintln!(
        "{:<40} {:>10} {:>5} {:>8} {:>8}",
        "input", "bytes", "exit", "seconds", "peak MB"
    );
    for bomb in common::bombs::all(scale) {
        let path = dir.path().join(&bomb.file);
        fs::write(&path, &bomb.bytes).unwrap();
        let started = Instant::now();
        let (output, peak_kib) = common::peak::output_with_peak(
            std::process::Command::new(&bin)
                .args(["extract", "--format", "json"])
                .arg(&path),
        );
        let took = started.elapsed();
        fs::remove_file(&path).unwrap();
        let code = output.status.code();
        let stderr = String::from_utf8_lossy(&output.stderr);
        eprintln!(
            "{:<40} {:>10} {:>5} {:>8.2} {:>8}",
            bomb.name,
            bomb.bytes.len(),
            code.map_or("-".into(), |c| c.to_string()),
            took.as_secs_f64(),
            peak_kib / 1024
        );
        if code == Some(2) {
            let why = stderr.split(": ").skip(2).collect::<Vec<_>>().join(": ");
            eprintln!("    refused: {}", why.trim());
        }
        let reported = matches!(code, Some(0 | 1))
            && stderr.is_empty()
            && serde_json::from_slice::<Value>(&output.stdout).is_ok();
        let refused = code == Some(2)
            && stderr.lines().count() == 1
            && stderr.contains(&bomb.file)
            && output.stdout.is_empty();
        let controls = stderr.contains(|c: char| c.is_control() && c != '\n');
        if !(reported || refused) || controls || peak_kib > 300 * 1024 {
            failures.push(format!(
                "{} ({}): exit {code:?}, {peak_kib} KiB, stderr {stderr:?}",
                bomb.name, bomb.family
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
