//! `citecheck fix`: the real binary rewrites a dead citation to its verified archived copy, from a fresh
//! check against local stand-ins (a site, the Wayback Machine) or from an archived report.

mod common;

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

use common::{Reply, Server, TEST_CA, citecheck, json_stdout, resolve_to};

const STAMP: &str = common::CAPTURE_STAMP;

fn site() -> Server {
    Server::http(
        |hit, _| match hit.path.split('?').next().unwrap_or_default() {
            "/gone" => Reply::status(404),
            "/moved" => Reply::redirect(301, "/2020/moved-here"),
            _ => Reply::html(200, "<title>A story</title>"),
        },
    )
}

fn fix(dir: &Path, archive: &Server, args: &[&str]) -> std::process::Output {
    let mut cmd = citecheck();
    cmd.current_dir(dir)
        .arg("fix")
        .args(args)
        .arg("--ca-cert")
        .arg(&TEST_CA.pem_path)
        .args(["--max-retries", "0"]);
    cmd.args(resolve_to(archive, &["archive.org", "web.archive.org"]));
    cmd.output().unwrap()
}

fn markdown(site: &Server) -> String {
    format!(
        "# Brief\n\nGone.[^1] Moved.[^2] Fine.<sup>3</sup>\n\n\
         [^1]: \"A story,\" [Paper]({gone}), November 19, 2020.\n\
         [^2]: \"Another,\" *Paper*, November 19, 2020, <{moved}>\n\n\
         <sup>3</sup> \"Third,\" *Paper*, November 19, 2020, {ok}\n",
        gone = site.url("/gone"),
        moved = site.url("/moved"),
        ok = site.url("/ok"),
    )
}

#[test]
fn markdown_diff_then_write_then_a_clean_check() {
    let (site, archive) = (site(), common::wayback_of_gone());
    let dir = tempfile::tempdir().unwrap();
    let text = markdown(&site);
    fs::write(dir.path().join("brief.md"), &text).unwrap();
    let gone = site.url("/gone");
    let copy = format!("https://web.archive.org/web/{STAMP}/{gone}");

    // By default: a unified diff on stdout, and the file untouched.
    let output = fix(dir.path(), &archive, &["brief.md", "--update-moved"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let diff = String::from_utf8(output.stdout).unwrap();
    let expected = format!(
        "--- a/brief.md\n+++ b/brief.md\n@@ -3,6 +3,6 @@\n Gone.[^1] Moved.[^2] Fine.<sup>3</sup>\n \n\
         -[^1]: \"A story,\" [Paper]({gone}), November 19, 2020.\n\
         -[^2]: \"Another,\" *Paper*, November 19, 2020, <{moved}>\n\
         +[^1]: \"A story,\" [Paper]({copy}) (originally `{gone}`), November 19, 2020.\n\
         +[^2]: \"Another,\" *Paper*, November 19, 2020, <{new}>\n \n \
         <sup>3</sup> \"Third,\" *Paper*, November 19, 2020, {ok}\n",
        moved = site.url("/moved"),
        new = site.url("/2020/moved-here"),
        ok = site.url("/ok"),
    );
    assert_eq!(diff, expected);
    assert_eq!(
        fs::read_to_string(dir.path().join("brief.md")).unwrap(),
        text
    );
    // The diff applies with patch.
    let check = std::process::Command::new("patch")
        .current_dir(dir.path())
        .args(["-p1", "--dry-run"])
        .stdin(
            fs::File::open({
                let p = dir.path().join("fix.diff");
                fs::write(&p, &diff).unwrap();
                p
            })
            .unwrap(),
        )
        .output();
    if let Ok(patched) = check {
        assert!(patched.status.success(), "{patched:?}");
    }

    // --write rewrites the file, keeping its permissions; a new check of it finds nothing failing.
    use std::os::unix::fs::PermissionsExt;
    let brief = dir.path().join("brief.md");
    fs::set_permissions(&brief, fs::Permissions::from_mode(0o664)).unwrap();
    let output = fix(dir.path(), &archive, &["brief.md", "--write"]);
    assert_eq!(
        fs::metadata(&brief).unwrap().permissions().mode() & 0o777,
        0o664
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty());
    let written = fs::read_to_string(dir.path().join("brief.md")).unwrap();
    assert!(written.contains(&format!("[Paper]({copy}) (originally `{gone}`)")));
    assert!(
        written.contains(&format!("<{}>", site.url("/moved"))),
        "moved only with --update-moved"
    );
    let output = citecheck()
        .current_dir(dir.path())
        .args(["check", "brief.md", "--format", "json", "--ca-cert"])
        .arg(&TEST_CA.pem_path)
        .arg("--resolve")
        .arg(format!("web.archive.org:443:{}", archive.addr))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json_stdout(&output);
    let urls: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert!(
        urls.contains(&copy.as_str()) && !urls.contains(&gone.as_str()),
        "{urls:?}"
    );
}

#[test]
fn from_a_report_and_never_over_a_changed_file() {
    let (site, archive) = (site(), common::wayback_of_gone());
    let dir = tempfile::tempdir().unwrap();
    let html = format!(
        "<html><body><p>Gone.<sup><a href=\"#fn1\">1</a></sup></p>\
         <ol class=\"footnotes\"><li id=\"fn1\">\"A story,\" <a href=\"{}?a=1&amp;b=2\">Paper</a>, November 19, 2020.</li></ol>\
         </body></html>\n",
        site.url("/gone")
    );
    fs::write(dir.path().join("brief.html"), &html).unwrap();
    let output = citecheck()
        .current_dir(dir.path())
        .args([
            "check",
            "brief.html",
            "--wayback",
            "--report-dir",
            "reports",
            "--ca-cert",
        ])
        .arg(&TEST_CA.pem_path)
        .args(["--format", "json"])
        .args(resolve_to(&archive, &["archive.org", "web.archive.org"]))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");

    let from_report = |args: &[&str]| {
        citecheck()
            .current_dir(dir.path())
            .args(["fix", "brief.html", "--report", "reports"])
            .args(args)
            .output()
            .unwrap()
    };
    let output = from_report(&["--write"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let written = fs::read_to_string(dir.path().join("brief.html")).unwrap();
    let gone = format!("{}?a=1&amp;b=2", site.url("/gone"));
    let copy = format!("https://web.archive.org/web/{STAMP}/{gone}");
    assert!(
        written.contains(&format!(
            "<a href=\"{copy}\" data-originalurl=\"{gone}\" data-versionurl=\"{copy}\" data-versiondate=\"2020-11-20\">Paper</a>"
        )),
        "{written}"
    );

    // The file changed since the report: refused, one line, nothing written, and said so.
    let output = from_report(&["--write"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("brief.html changed since the report was made"),
        "{stderr}"
    );
    assert_eq!(
        lines[1],
        "citecheck: 1 citation in documents not rewritten (see above)"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("brief.html")).unwrap(),
        written
    );
}

#[test]
fn word_documents_get_a_table_of_replacements() {
    let dir = tempfile::tempdir().unwrap();
    let docx = "tests/fixtures/realworld/gen-ossf-annotations.pandoc.docx";
    let extracted = citecheck()
        .args(["extract", docx, "--format", "json"])
        .output()
        .unwrap();
    let mut report = json_stdout(&extracted);
    let doc = &report["documents"][0];
    let footnote = doc["footnotes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| !f["urls"].as_array().unwrap().is_empty())
        .unwrap()
        .clone();
    let url = footnote["urls"][0].as_str().unwrap().to_owned();
    let copy = format!("https://web.archive.org/web/{STAMP}/{url}");
    report["generated_at"] = json!("2026-11-28T10:00:00Z");
    report["results"] = json!([{
        "url": url, "status": "broken", "http_status": 404, "final_url": null, "redirects": [],
        "attempts": 1, "elapsed_ms": 5, "detail": "404 Not Found", "warnings": [],
        "archive": {"url": copy, "timestamp": STAMP, "archive": "Wayback Machine"},
        "cited_in": [{"path": docx, "footnote": footnote["id"], "line": footnote["line"]}]
    }]);
    let path = dir.path().join("report.json");
    fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
    let run = |format: &str| {
        citecheck()
            .args(["fix", docx, "--format", format, "--report"])
            .arg(&path)
            .output()
            .unwrap()
    };
    let output = run("human");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let table = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        table,
        format!(
            "{docx}: 1 citation to replace by hand\n  footnote {}  {url}\n      → {copy}  (broken (archived 2020-11-20))\n",
            footnote["id"].as_str().unwrap()
        )
    );
    let markdown = String::from_utf8(run("markdown").stdout).unwrap();
    assert!(
        markdown.contains(&format!(
            "| <{url}> | <{copy}> | broken (archived 2020-11-20) |"
        )),
        "{markdown}"
    );
    let _: Value = report;
}

/// The line `fix` ends with on stderr (issue 22: it was silent when it did nothing).
fn said(output: &std::process::Output) -> String {
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    stderr.lines().last().unwrap_or_default().to_owned()
}

#[test]
fn fix_always_says_what_it_did() {
    let (site, archive) = (site(), common::wayback_of_gone());
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("brief.md"), markdown(&site)).unwrap();

    // Offline: nothing checked, said so, nothing on stdout.
    let output = fix(dir.path(), &archive, &["brief.md", "--offline"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty());
    assert_eq!(
        said(&output),
        "citecheck: could not check: 3 citations not checked (offline?)"
    );

    // The failing citation not selected by --fix-on, and the moved one not asked for.
    let output = fix(
        dir.path(),
        &archive,
        &["brief.md", "--fix-on", "unreachable"],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty());
    assert_eq!(
        said(&output),
        "citecheck: 1 not selected by --fix-on (broken)"
    );

    // A document whose citations are all fine.
    let fine = dir.path().join("fine.md");
    fs::write(
        &fine,
        format!("Fine.[^1]\n\n[^1]: \"A story,\" <{}>\n", site.url("/ok")),
    )
    .unwrap();
    let output = fix(dir.path(), &archive, &["fine.md"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty());
    assert_eq!(
        said(&output),
        "citecheck: nothing to fix: the 1 checked citation is fine"
    );

    // Rewritten with --write: the per-document line, then the summary.
    let output = fix(dir.path(), &archive, &["brief.md", "--write"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(said(&output), "citecheck: 1 citation rewritten");
}

#[test]
fn fix_refuses_the_options_it_has_no_use_for() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("brief.md"), "See https://a.example/\n").unwrap();
    for args in [
        &["--output", "x.json"][..],
        &["--report-dir", "reports"],
        &["--keep", "3"],
        &["--shard", "1/2"],
        &["--save"],
        &["--cache"],
        &["--fail-on", "warning"],
    ] {
        let output = citecheck()
            .current_dir(dir.path())
            .args(["fix", "brief.md", "--offline"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{} does not apply to `citecheck fix`", args[0])),
            "{stderr}"
        );
    }
    for format in ["json", "sarif", "junit", "github"] {
        let output = citecheck()
            .current_dir(dir.path())
            .args(["fix", "brief.md", "--offline", "--format", format])
            .output()
            .unwrap();
        common::assert_one_line_error(&output, 2, "does not apply to `citecheck fix`");
    }
    assert!(!dir.path().join("x.json").exists());
}
