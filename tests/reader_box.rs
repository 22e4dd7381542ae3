//! The reader box (issue 20): every document is read in a child process under memory and time limits.
//! A document that crashes its reader, or exhausts its budget, costs one line on stderr naming it and
//! exit 2; the other documents are still read and reported, in input order. The hostile PDFs are
//! generated here, byte by byte.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::peak::extract_with_peak;
use serde_json::Value;

/// A PDF of the given objects (numbered from 1; object 1 is the catalog), with its cross-reference
/// table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// One page whose resources are `resources`, drawing `content`.
fn one_page(resources: &str, content: &[u8], more: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources {resources} /Contents 4 0 R >>"
        )
        .into_bytes(),
        stream("", content),
    ];
    objects.extend(more);
    pdf(&objects)
}

/// A form XObject that draws itself: the reader recurses until its stack is gone.
fn form_drawing_itself() -> Vec<u8> {
    let resources = "<< /Font << /F1 5 0 R >> /XObject << /X0 6 0 R >> >>";
    one_page(
        resources,
        b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET /X0 Do",
        vec![
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
            stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources {resources}"
                ),
                b"BT /F1 12 Tf 72 700 Td (x) Tj ET /X0 Do",
            ),
        ],
    )
}

/// A ToUnicode CMap with one `bfrange` over every 4-byte code: four billion entries to build.
fn cmap_over_every_code() -> Vec<u8> {
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
        1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange \
        1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange \
        endcmap CMapName currentdict /CMap defineresource pop end end";
    one_page(
        "<< /Font << /F1 5 0 R >> >>",
        b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET",
        vec![
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>".to_vec(),
            stream("", cmap),
        ],
    )
}

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
    // 10 MB of Markdown with 100,000 cited notes: about 190 MB to read, over a 100 MiB budget.
    let bad = dir.path().join("too-big.md");
    let n = 100_000;
    let mut src = String::from("# Big\n\n");
    for j in 0..n {
        src.push_str(&format!("Claim {j}.[^{j}]\n\n"));
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

/// Forms that each draw the next one twice, 40 deep: 2^40 draws, in little memory.
fn forms_doubling() -> Vec<u8> {
    let depth = 40;
    let mut more = vec![b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()];
    for i in 0..depth {
        let (resources, content) = if i + 1 < depth {
            (
                format!(
                    "<< /Font << /F1 5 0 R >> /XObject << /N {} 0 R >> >>",
                    7 + i
                ),
                b"/N Do /N Do".to_vec(),
            )
        } else {
            (
                "<< /Font << /F1 5 0 R >> >>".to_owned(),
                b"BT /F1 12 Tf 72 700 Td (x) Tj ET".to_vec(),
            )
        };
        more.push(stream(
            &format!("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources {resources}"),
            &content,
        ));
    }
    one_page(
        "<< /Font << /F1 5 0 R >> /XObject << /N 6 0 R >> >>",
        b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET /N Do",
        more,
    )
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

/// A Word document with `n` footnotes, each cited by its own paragraph.
fn word_with_footnotes(path: &Path, n: usize) {
    let mut body = String::new();
    let mut notes = String::new();
    for i in 1..=n {
        body.push_str(&format!(
            r#"<w:p><w:r><w:t>Claim {i}</w:t></w:r><w:r><w:footnoteReference w:id="{i}"/></w:r></w:p>"#
        ));
        notes.push_str(&format!(
            r#"<w:footnote w:id="{i}"><w:p><w:r><w:t>Note https://example.org/{i}</w:t></w:r></w:p></w:footnote>"#
        ));
    }
    common::word_package(path, &body, Some(&notes));
}

#[test]
fn a_document_past_its_time_budget_costs_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // 150,000 footnotes in a Word document: about 3 s of a release build's reading (60,000 take
    // 1.1 s), and longer in a test build, past a budget of 1 s.
    let slow = dir.path().join("many-notes.docx");
    word_with_footnotes(&slow, 150_000);
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
        ("forms-doubling.pdf", forms_doubling()),
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

/// The report is the same, byte for byte, whether documents are read in the box or in this process
/// (`CITECHECK_IN_PROCESS=1`): nothing is lost on the way from a reader to the report.
#[test]
fn the_box_gives_the_same_report_as_reading_in_process() {
    let inputs = [
        fixture("examples/kabul-visit-brief.md"),
        fixture("tests/fixtures/briefs/govlab-smarterstate-novagob.pdf"),
        fixture("tests/fixtures/realworld/docx4j-GettingStarted.docx"),
        fixture("tests/fixtures/briefs/transparenzgesetz-hintergrundpapier-de.pdf"),
        fixture("tests/fixtures/realworld"),
    ];
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
        let output = command.output().unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let boxed = run(false);
    let here = run(true);
    let report: Value = serde_json::from_slice(&boxed).unwrap();
    assert!(report["documents"].as_array().unwrap().len() > 5);
    assert!(boxed == here, "the two reports differ");
}
