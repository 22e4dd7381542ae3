//! The real `citecheck` binary: exit codes, stdout holding only the report, one-line errors.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::{assert_one_line_error, json_stdout, validate_against_schema};
use predicates::prelude::*;

fn citecheck() -> Command {
    common::citecheck()
}

#[test]
fn example_brief_human_table() {
    citecheck()
        .args(["extract", "examples/kabul-visit-brief.md"])
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("6 footnotes"))
        .stdout(predicate::str::contains(
            "Express Tribune  Imran vows to help stem Afghan bloodshed",
        ))
        .stdout(predicate::str::contains(
            "https://twitter.com/US4AfghanPeace/status/1330568973168107526",
        ))
        .stdout(predicate::str::contains("no lint findings"));
}

#[test]
fn example_brief_json_is_pure_and_matches_schema() {
    let output = citecheck()
        .args([
            "extract",
            "examples/kabul-visit-brief.md",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stderr.is_empty());
    let report = json_stdout(&output);
    validate_against_schema(&report);
    assert_eq!(report["schema_version"], 2);
    let doc = &report["documents"][0];
    assert_eq!(doc["path"], "examples/kabul-visit-brief.md");
    assert_eq!(doc["format"], "markdown");
    let fn2 = &doc["footnotes"][1];
    assert_eq!(fn2["id"], "2");
    assert_eq!(fn2["line"], 41);
    assert_eq!(fn2["references"], serde_json::json!([33]));
    assert_eq!(fn2["title"], "Imran vows to help stem Afghan bloodshed");
    assert_eq!(fn2["publication"], "Express Tribune");
    assert_eq!(fn2["date"], "2020-11-19");
    assert_eq!(fn2["authors"], serde_json::json!([]));
    assert_eq!(doc["issues"], serde_json::json!([]));
    assert_eq!(report["summary"]["footnotes"], 6);
}

#[test]
fn lint_findings_exit_1_and_validate() {
    let output = citecheck()
        .args(["extract", "tests/fixtures/lint-all.md", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json_stdout(&output);
    validate_against_schema(&report);
    let kinds: Vec<&str> = report["documents"][0]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "undefined-footnote",
        "unused-footnote",
        "duplicate-footnote",
        "footnote-order",
        "invalid-url",
        "no-url",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}

#[test]
fn fail_on_warning() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("w.md");
    fs::write(
        &doc,
        "Text.\n\n<sup>1</sup> \"Never cited,\" *Dawn*, 2020, <https://dawn.com/x>\n",
    )
    .unwrap();
    citecheck().arg("extract").arg(&doc).assert().code(0);
    citecheck()
        .arg("extract")
        .arg(&doc)
        .args(["--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn folder_respects_gitignore_and_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("briefs/drafts")).unwrap();
    fs::create_dir_all(root.join(".hidden")).unwrap();
    fs::write(root.join(".gitignore"), "drafts/\n").unwrap();
    fs::write(root.join("briefs/a.md"), "See https://a.example/1\n").unwrap();
    fs::write(
        root.join("briefs/b.html"),
        "<p><a href=\"https://b.example/2\">b</a></p>",
    )
    .unwrap();
    fs::write(root.join("briefs/c.txt"), "plain https://c.example/3\n").unwrap();
    fs::write(
        root.join("briefs/drafts/ignored.md"),
        "https://ignored.example/\n",
    )
    .unwrap();
    fs::write(root.join(".hidden/x.md"), "https://hidden.example/\n").unwrap();
    fs::write(root.join("briefs/logo.png"), [0x89, b'P', b'N', b'G', 0, 0]).unwrap();

    let output = citecheck()
        .arg("extract")
        .arg(root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_stdout(&output);
    validate_against_schema(&report);
    let docs: Vec<(String, String)> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, d["format"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        docs,
        [
            ("a.md".into(), "markdown".into()),
            ("b.html".into(), "html".into()),
            ("c.txt".into(), "text".into())
        ]
    );
}

#[test]
fn stdin_with_input_format() {
    let output = citecheck()
        .args(["extract", "-", "--input-format", "markdown", "--format", "json"])
        .write_stdin("Cited<sup>1</sup>.\n\n<sup>1</sup> \"T,\" *Dawn*, May 2, 2020, <https://www.dawn.com/news/1>\n")
        .output()
        .unwrap();
    assert!(output.status.success());
    let report = json_stdout(&output);
    let doc = &report["documents"][0];
    assert_eq!(doc["path"], "<stdin>");
    assert_eq!(
        doc["footnotes"][0]["urls"][0],
        "https://www.dawn.com/news/1"
    );
    assert_eq!(doc["footnotes"][0]["date"], "2020-05-02");
}

#[test]
fn missing_file_is_exit_2_naming_it() {
    let output = citecheck()
        .args(["extract", "no/such/brief.md"])
        .output()
        .unwrap();
    assert_one_line_error(&output, 2, "no/such/brief.md");
}

#[test]
fn folder_without_documents_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("image.png"), b"\x89PNG").unwrap();
    let output = citecheck().arg("extract").arg(dir.path()).output().unwrap();
    assert_one_line_error(&output, 2, "no supported documents");
}

#[test]
fn binary_and_non_utf8_files_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.md");
    fs::write(&binary, b"PK\x03\x04\x00\x00binary").unwrap();
    let output = citecheck().arg("extract").arg(&binary).output().unwrap();
    assert_one_line_error(&output, 2, "binary.md: not a text document");

    let latin1 = dir.path().join("latin1.md");
    fs::write(&latin1, b"Caf\xe9 https://a.example/\n").unwrap();
    let output = citecheck().arg("extract").arg(&latin1).output().unwrap();
    assert_one_line_error(&output, 2, "latin1.md: not valid UTF-8");
}

#[test]
fn huge_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.md");
    // 100 MB, sparse: refused on its size before any byte is read.
    fs::File::create(&huge)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let output = citecheck().arg("extract").arg(&huge).output().unwrap();
    assert_one_line_error(&output, 2, "huge.md: too large");
}

#[test]
fn one_bad_input_among_good_ones_still_reports_the_good() {
    let output = citecheck()
        .args([
            "extract",
            "tests/fixtures/clean.md",
            "missing.md",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report = json_stdout(&output);
    assert_eq!(report["documents"].as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.md"));
}

#[test]
fn empty_file_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.md");
    fs::write(&empty, "").unwrap();
    let output = citecheck()
        .arg("extract")
        .arg(&empty)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report = json_stdout(&output);
    assert_eq!(
        report["documents"][0]["issues"][0]["kind"],
        "empty-document"
    );
}

#[test]
fn config_file_and_command_line_precedence() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("citecheck.toml"), "format = \"json\"\n").unwrap();
    fs::write(dir.path().join("a.md"), "https://a.example/\n").unwrap();
    // The config file in the working directory applies…
    let output = citecheck()
        .current_dir(dir.path())
        .args(["extract", "a.md"])
        .output()
        .unwrap();
    json_stdout(&output);
    // …and the command line wins over it.
    citecheck()
        .current_dir(dir.path())
        .args(["extract", "a.md", "--format", "human"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("a.md (markdown)"));
}

#[test]
fn invalid_config_is_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    fs::write(&config, "formt = \"json\"\n").unwrap();
    let output = citecheck()
        .args(["extract", "tests/fixtures/clean.md", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_one_line_error(&output, 2, "bad.toml");
}

#[test]
fn usage_error_is_exit_2() {
    citecheck()
        .args(["extract", "--no-such-flag", "a.md"])
        .assert()
        .code(2);
    citecheck()
        .args(["extract", "a.md", "--format", "yaml"])
        .assert()
        .code(2);
}

#[test]
fn out_of_range_check_values_are_one_line_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hosts.toml");
    fs::write(&config, "[hosts.\"a.example\"]\nconcurrency = 0\n").unwrap();
    let config = config.to_str().unwrap();
    for (flag, value, needle) in [
        ("--timeout", "1e300", "--timeout 1e300"),
        ("--timeout", "3600.5", "at most 3600"),
        ("--host-interval", "99999999999999", "--host-interval"),
        ("--retry-wait", "99999999999999999", "--retry-wait"),
        (
            "--max-retry-after",
            "99999999999999999",
            "--max-retry-after",
        ),
        ("--concurrency", "0", "--concurrency 0"),
        ("--host-concurrency", "0", "--host-concurrency 0"),
        ("--config", config, "concurrency 0"),
    ] {
        let output = citecheck()
            .args(["check", "tests/fixtures/clean.md", flag, value])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_one_line_error(&output, 2, needle);
    }
    // The bounds themselves are accepted (offline: nothing is fetched).
    citecheck()
        .args(["check", "tests/fixtures/clean.md", "--offline"])
        .args(["--timeout", "3600", "--retry-wait", "600000"])
        .args(["--host-interval", "60000", "--concurrency", "1"])
        .assert()
        .success();
}

#[test]
fn utf16_documents_and_bom_reports_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("windows.md");
    let text = "Caf\u{e9}.[^1]\n\n[^1]: https://a.example/x\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    fs::write(&doc, utf16).unwrap();
    let output = citecheck()
        .args(["extract", "--format", "json"])
        .arg(&doc)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let json = json_stdout(&output);
    assert_eq!(
        json["documents"][0]["footnotes"][0]["urls"][0],
        "https://a.example/x"
    );

    // A JSON report saved with a UTF-8 byte order mark is still a report.
    let output = citecheck()
        .args([
            "check",
            "--offline",
            "--format",
            "json",
            "tests/fixtures/clean.md",
        ])
        .output()
        .unwrap();
    let report = dir.path().join("bom.json");
    fs::write(
        &report,
        [b"\xEF\xBB\xBF".as_slice(), &output.stdout].concat(),
    )
    .unwrap();
    citecheck()
        .args(["report", "show", "--format", "json"])
        .arg(&report)
        .assert()
        .success();
}

#[test]
fn report_show_of_an_empty_report_dir_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let output = citecheck()
        .args(["report", "show"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_one_line_error(
        &output,
        2,
        "holds no report yet: run `citecheck check … --report-dir",
    );
}

#[test]
fn each_subcommand_takes_only_its_options() {
    for (args, flag) in [
        (
            &[
                "extract",
                "examples/kabul-visit-brief.md",
                "--wayback",
                "all",
            ][..],
            "--wayback",
        ),
        (
            &[
                "extract",
                "examples/kabul-visit-brief.md",
                "--report-dir",
                "R",
            ],
            "--report-dir",
        ),
        (
            &["report", "diff", "a.json", "b.json", "--timeout", "3"],
            "--timeout",
        ),
        (
            &["report", "show", "reports", "--header", "X:y"],
            "--header",
        ),
    ] {
        let output = citecheck().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!(
                "error: {flag} does not apply to `citecheck {}",
                args[0]
            )),
            "{stderr}"
        );
    }
    // Help lists only what applies.
    let help = citecheck()
        .args(["report", "diff", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("--flaky-window") && !help.contains("--timeout"),
        "{help}"
    );
    assert!(help.lines().count() < 60, "{} lines", help.lines().count());
    let help = citecheck().args(["check", "--help"]).output().unwrap();
    assert!(
        String::from_utf8(help.stdout)
            .unwrap()
            .contains("--timeout")
    );
}

/// Every subcommand's long help has an example, and every positional argument a description
/// (issue 22: `report diff <OLD> <NEW>` and `report merge` had none).
#[test]
fn every_help_screen_has_an_example_and_described_arguments() {
    for args in [
        &["extract"][..],
        &["check"],
        &["fix"],
        &["report", "show"],
        &["report", "diff"],
        &["report", "merge"],
        &["report", "html"],
    ] {
        let output = citecheck().args(args).arg("--help").output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("Example"), "{args:?}: {help}");
        let arguments: String = help
            .split("Arguments:")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            .unwrap_or_default()
            .to_owned();
        // Each argument is followed by what it is: on its line, or on the next, further in.
        let lines: Vec<&str> = arguments.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with('<') {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let same_line = line
                .trim()
                .split_once('>')
                .is_some_and(|(_, rest)| !rest.trim().trim_start_matches("...").is_empty());
            let next_line = lines.get(i + 1).is_some_and(|next| {
                !next.trim().is_empty() && next.len() - next.trim_start().len() > indent
            });
            assert!(
                same_line || next_line,
                "{args:?}: {line:?} has no description"
            );
        }
    }
}

/// Configuration mistakes name the file and, for a misspelt key, the key meant (issue 22: all 47
/// keys were listed, and a bad value from the file was blamed on the flag).
#[test]
fn config_errors_name_the_file_and_the_nearest_key() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("brief.md"), "See https://a.example/\n").unwrap();
    fs::write(dir.path().join("citecheck.toml"), "timout = 5\n").unwrap();
    let output = citecheck()
        .current_dir(dir.path())
        .args(["extract", "brief.md"])
        .output()
        .unwrap();
    common::assert_one_line_error(
        &output,
        2,
        "citecheck.toml (line 1): unknown key `timout`: did you mean `timeout`?",
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("user-agent"), "{stderr}");

    fs::write(dir.path().join("citecheck.toml"), "timeout = 0\n").unwrap();
    let output = citecheck()
        .current_dir(dir.path())
        .args(["check", "brief.md"])
        .output()
        .unwrap();
    common::assert_one_line_error(&output, 2, "in config file citecheck.toml: --timeout 0");
    // The same value on the command line is the flag's, and the file is not blamed.
    fs::write(dir.path().join("citecheck.toml"), "timeout = 5\n").unwrap();
    let output = citecheck()
        .current_dir(dir.path())
        .args(["check", "brief.md", "--timeout", "0"])
        .output()
        .unwrap();
    common::assert_one_line_error(&output, 2, "--timeout 0");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("citecheck.toml"));
}

/// A Word document piped to standard input is binary to the text readers: the error says how to
/// read it.
#[test]
fn a_word_document_on_standard_input_gets_a_hint() {
    let docx = std::fs::read("tests/fixtures/realworld/gen-ossf-annotations.pandoc.docx").unwrap();
    let output = citecheck()
        .args(["extract", "-"])
        .write_stdin(docx)
        .output()
        .unwrap();
    common::assert_one_line_error(&output, 2, "--input-format docx");
}
