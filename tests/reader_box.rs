//! The reader box (issue 20): every document is read in a child process under memory and time limits.
//! A document that crashes its reader, or exhausts its budget, costs one line on stderr naming it and
//! exit 2; the other documents are still read and reported, in input order. The hostile PDFs are
//! generated here, byte by byte.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::bombs::{cmap_over_every_code, form_drawing_itself, forms_doubling, word_footnotes};
use common::peak::extract_with_peak;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// The paths of a report's documents, in order.
fn paths(report: &Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_document_that_exhausts_its_reader_costs_one_line_and_the_others_are_read() {
    let dir = tempfile::tempdir().unwrap();
    // 31 MB of Markdown with 100,000 cited notes (one per 310 bytes, within the footnote budget):
    // far over a 100 MiB budget to read.
    let bad = dir.path().join("too-big.md");
    let n = 100_000;
    let mut src = String::from("# Big\n\n");
    for j in 0..n {
        src.push_str(&format!(
            "Claim {j}: {}.[^{j}]\n\n",
            "the text of a claim ".repeat(10)
        ));
    }
    for j in 0..n {
        src.push_str(&format!(
            "[^{j}]: Author, \"Title {j}\", Publisher, 12 March 2020, https://example.org/{j}\n"
        ));
    }
    std::fs::write(&bad, src).unwrap();
    let briefs = [
        fixture("examples/kabul-visit-brief.md"),
        fixture("tests/fixtures/briefs/transparenzgesetz-hintergrundpapier-de.pdf"),
        fixture("tests/fixtures/briefs/govlab-smarterstate-novagob.pdf"),
    ];
    let inputs: Vec<&Path> = vec![&briefs[0], &bad, &briefs[1], &briefs[2]];
    let (output, _) =
        extract_with_peak(&inputs, &["--format", "json", "--max-reader-memory", "100"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(
        lines[0].contains(
            "too-big.md: crashed while reading: its reader ran out of memory (over 100 MiB"
        ),
        "{stderr}"
    );
    for leak in [
        "has overflowed its stack",
        "panicked",
        "fatal runtime error",
        "memory allocation of",
    ] {
        assert!(
            !lines[0].contains(leak),
            "a reader's last words reached the user: {stderr}"
        );
    }
    // The three briefs, in input order, read in full.
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let want: Vec<String> = briefs.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(paths(&report), want);
    let notes: Vec<usize> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["footnotes"].as_array().unwrap().len())
        .collect();
    assert_eq!(notes, [6, 7, 8]);
}

/// Runs `extract` on a hostile file and a brief: one line naming the file, exit 2, the brief read.
fn one_line_and_the_brief(hostile: &Path, args: &[&str]) -> (String, u64, Duration) {
    let brief = fixture("examples/kabul-visit-brief.md");
    let started = Instant::now();
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (output, peak_kib) = extract_with_peak(&[hostile, &brief], &all);
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let name = hostile.file_name().unwrap().to_string_lossy();
    assert!(stderr.contains(name.as_ref()), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(paths(&report), [brief.display().to_string()]);
    (stderr, peak_kib, took)
}

#[test]
fn a_document_past_its_time_budget_costs_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // 150,000 footnotes in a Word document: about 3 s of a release build's reading (60,000 take
    // 1.1 s), and longer in a test build, past a budget of 1 s.
    let slow = dir.path().join("many-notes.docx");
    std::fs::write(&slow, word_footnotes(150_000)).unwrap();
    let (stderr, _, took) = one_line_and_the_brief(&slow, &["--max-reader-seconds", "1"]);
    assert!(
        stderr.contains("over the reading budget: time (more than 1 s"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// Form XObjects that would draw forever (one draws itself) or a trillion times (each draws the
/// next twice, 40 deep) are emptied where the drawing would run away: the page is read at once.
#[test]
fn runaway_forms_are_cut_where_they_run_away() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("draws-itself.pdf", form_drawing_itself()),
        ("forms-doubling.pdf", forms_doubling(40)),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let started = Instant::now();
        let (output, _) = extract_with_peak(&[&path], &["--format", "json"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{name}: {stderr}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(paths(&report), [path.display().to_string()]);
        assert!(started.elapsed() < Duration::from_secs(10), "{name}");
    }
}

/// A character map over every four-byte code (four billion mappings to build) is refused before a
/// glyph is drawn, whatever the reader's memory budget.
#[test]
fn a_character_map_over_every_code_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("cmap-bomb.pdf");
    std::fs::write(&bomb, cmap_over_every_code()).unwrap();
    let (stderr, peak_kib, took) = one_line_and_the_brief(&bomb, &[]);
    assert!(
        stderr.contains("over the reading budget: a character map covers more than"),
        "{stderr}"
    );
    assert!(peak_kib < 300 * 1024, "peak {peak_kib} KiB");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn documents_come_out_in_input_order_from_several_readers() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for i in 0..40 {
        let path = dir.path().join(format!("brief-{i:02}.md"));
        // Larger and smaller documents mixed, so the readers finish out of order.
        let filler = "Words of the brief. ".repeat(if i % 3 == 0 { 20_000 } else { 10 });
        std::fs::write(
            &path,
            format!("# Brief {i}\n\n{filler}A claim.[^1]\n\n[^1]: https://example.org/{i}\n"),
        )
        .unwrap();
        inputs.push(path);
    }
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let (output, _) = extract_with_peak(&refs, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let want: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(paths(&report), want);
    let urls: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["footnotes"][0]["urls"][0].as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..40)
        .map(|i| format!("https://example.org/{i}"))
        .collect();
    assert_eq!(urls, want);
}

/// The report is the same, byte for byte, whether documents are read in the box (where the child
/// renders each one and sends its text in frames) or in this process (`CITECHECK_IN_PROCESS=1`):
/// nothing is lost on the way from a reader to the report, in either streamed format.
#[test]
fn the_box_gives_the_same_report_as_reading_in_process() {
    // A document whose report spans several frames of 1 MiB, and past 8 MiB, which the parent keeps
    // in a temporary file rather than in memory (the notes long enough for the footnote budget to
    // keep them all).
    let dir = tempfile::tempdir().unwrap();
    let large = dir.path().join("large.md");
    let mut text = String::new();
    let notes = 12_000;
    for n in 1..=notes {
        text.push_str(&format!("Cited<sup>{n}</sup>.\n\n"));
    }
    let long = "the agreement, the border and the water treaty, read again ".repeat(4);
    for n in 1..=notes {
        text.push_str(&format!(
            "<sup>{n}</sup> \"Title {n}: {long},\" *Dawn*, May 2, 2020, <https://example.org/{n}>\n\n"
        ));
    }
    std::fs::write(&large, text).unwrap();
    let inputs = [
        fixture("examples/kabul-visit-brief.md"),
        fixture("tests/fixtures/briefs/govlab-smarterstate-novagob.pdf"),
        large,
        fixture("tests/fixtures/realworld/docx4j-GettingStarted.docx"),
        fixture("tests/fixtures/briefs/transparenzgesetz-hintergrundpapier-de.pdf"),
        fixture("tests/fixtures/realworld"),
    ];
    for format in ["json", "human"] {
        let run = |in_process: bool| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_citecheck"));
            command
                .arg("extract")
                .args(&inputs)
                .args(["--format", format]);
            if in_process {
                command.env("CITECHECK_IN_PROCESS", "1");
            } else {
                command.env_remove("CITECHECK_IN_PROCESS");
            }
            let output = command.output().unwrap();
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            (output.stdout, output.status.code())
        };
        let (boxed, boxed_exit) = run(false);
        let (here, here_exit) = run(true);
        if format == "json" {
            let report: Value = serde_json::from_slice(&boxed).unwrap();
            assert!(report["documents"].as_array().unwrap().len() > 5);
            let large = report["documents"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["path"].as_str().unwrap().ends_with("large.md"))
                .unwrap();
            assert_eq!(large["footnotes"].as_array().unwrap().len(), notes);
            // Its own part of the report (less the indentation it has there).
            let span = serde_json::to_vec_pretty(large).unwrap().len();
            assert!(
                span > 8 << 20,
                "the large document passes the spool's 8 MiB: {span} bytes"
            );
        }
        assert_eq!(boxed_exit, here_exit, "{format}");
        assert!(boxed == here, "the two {format} reports differ");
    }
}

/// Large Markdown files are read a window at a time in the box (mapped, each note written as soon as
/// no later part can cite it): the report is the same as reading them whole in this process, for
/// a file with a byte order mark, notes cited again far later, GFM notes, one the scan cannot read
/// ahead (`&#…;`), and one that is not UTF-8 (the same error).
#[test]
fn large_markdown_read_a_window_at_a_time_is_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut brief = String::from("# Brief\n\nDecember 6, 2020\n\n");
    for n in 1..=8_000 {
        let again = if n > 3_000 && n % 40 == 0 {
            format!(" (see<sup>{}</sup>)", n - 2_900)
        } else {
            String::new()
        };
        brief.push_str(&format!(
            "The minister said that \"talks will resume in the spring\" at the border.<sup>{n}</sup>{again}\n\n<sup>{n}</sup> Kabul Times – Visit {n}: https://kabul.example/{n}\n\n"
        ));
    }
    // (Within the footnote budget: past it, what is read depends on the parts read at once.)
    let mut gfm = String::new();
    for n in 1..=9_000 {
        gfm.push_str(&format!(
            "A paragraph that cites a report on the talks at the border, and their outcome.[^{n}]\n\n[^{n}]: \"Report {n},\" *Reuters*, May 2, 2020, <https://r.example/{n}>\n\n"
        ));
    }
    gfm.push_str("Cited again at the very end.[^7]\n");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(brief.as_bytes());
    let mut not_utf8 = brief.clone().into_bytes();
    not_utf8.extend_from_slice(b"\n\xFF\xFE broken\n");
    let files: [(&str, Vec<u8>); 5] = [
        ("brief.md", brief.clone().into_bytes()),
        ("bom.md", with_bom),
        ("gfm.md", gfm.into_bytes()),
        (
            "entity.md",
            format!("{brief}\nA character reference: &#49;\n").into_bytes(),
        ),
        ("not-utf8.md", not_utf8),
    ];
    let mut inputs = Vec::new();
    for (name, bytes) in files {
        assert!(bytes.len() > 1 << 20, "{name} is read in parts");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        inputs.push(path);
    }
    let run = |in_process: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_citecheck"));
        command
            .arg("extract")
            .args(&inputs)
            .args(["--format", "json"]);
        if in_process {
            command.env("CITECHECK_IN_PROCESS", "1");
        } else {
            command.env_remove("CITECHECK_IN_PROCESS");
        }
        command.output().unwrap()
    };
    let boxed = run(false);
    let here = run(true);
    assert_eq!(boxed.status.code(), here.status.code());
    assert!(boxed.stdout == here.stdout, "the two reports differ");
    assert_eq!(
        String::from_utf8_lossy(&boxed.stderr),
        String::from_utf8_lossy(&here.stderr)
    );
    let report: Value = serde_json::from_slice(&boxed.stdout).unwrap();
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 4, "the file that is not UTF-8 is an error");
    assert!(String::from_utf8_lossy(&boxed.stderr).contains("not-utf8.md"));
    let brief = &docs[0];
    assert_eq!(brief["footnotes"].as_array().unwrap().len(), 8_000);
    // Note 180, cited again by the paragraph of note 3,080.
    assert_eq!(
        brief["footnotes"][179]["references"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(brief["footnotes"][0]["publication"], "Kabul Times");
    assert_eq!(
        docs[1]["footnotes"], brief["footnotes"],
        "the mark shifts nothing"
    );
}
