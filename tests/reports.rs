//! Archived reports, history across runs, output formats: the real binary against a local server whose
//! answers change between runs.

mod common;

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use predicates::prelude::*;
use serde_json::{Value, json};

use common::{Reply, Server, citecheck, json_stdout, validate_against_schema};

/// A server whose answer for /a, /b, /c depends on the current run (0, 1, 2).
fn changing_server(run: Arc<AtomicUsize>) -> Server {
    Server::http(move |hit, _| {
        let n = run.load(Ordering::SeqCst);
        let up = match (hit.path.as_str(), n) {
            ("/a", 0) => true,
            ("/a", _) => false, // breaks in run 1, stays broken
            ("/b", 0) => false,
            ("/b", _) => true, // recovers in run 1
            ("/c", 1) => false,
            ("/c", _) => true, // flaps: up, down, up
            _ => false,        // /d: always down
        };
        if up {
            Reply::html(200, "<title>A page</title>")
        } else {
            Reply::status(404)
        }
    })
}

fn brief(dir: &Path, server: &Server) -> std::path::PathBuf {
    let doc = dir.join("brief.md");
    let mut text = String::new();
    for (i, p) in ["/a", "/b", "/c", "/d"].iter().enumerate() {
        let n = i + 1;
        text.push_str(&format!(
            "Cited<sup>{n}</sup>.\n\n<sup>{n}</sup> \"Story {n},\" *Paper*, May 2, 2020, <{}>\n\n",
            server.url(p)
        ));
    }
    fs::write(&doc, text).unwrap();
    doc
}

fn changed(report: &Value, list: &str) -> Vec<String> {
    report["changes"][list]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// A past report of `d` failing, as a scheduled run would have left it.
fn past_report(dir: &Path, days_ago: i64, url: &str) {
    let at = chrono::Utc::now() - chrono::Duration::days(days_ago);
    let report = json!({
        "schema_version": 1, "generator": "citecheck 0.1.0",
        "generated_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "documents": [], "results": [{"url": url, "status": "broken"}],
        "summary": {}
    });
    let name = format!("{}.json", at.format("%Y%m%dT%H%M%SZ"));
    fs::write(dir.join(name), serde_json::to_vec(&report).unwrap()).unwrap();
}

#[test]
fn history_across_three_runs() {
    let run = Arc::new(AtomicUsize::new(0));
    let server = changing_server(Arc::clone(&run));
    let dir = tempfile::tempdir().unwrap();
    let doc = brief(dir.path(), &server);
    let reports = dir.path().join("reports");
    fs::create_dir_all(&reports).unwrap();
    // /d has been failing for days already.
    past_report(&reports, 4, &server.url("/d"));
    past_report(&reports, 3, &server.url("/d"));

    let mut last = Value::Null;
    for n in 0..3 {
        run.store(n, Ordering::SeqCst);
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .args(["--format", "json", "--max-retries", "0"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report = json_stdout(&output);
        validate_against_schema(&report);
        // latest.json is this run's report.
        let latest: Value =
            serde_json::from_slice(&fs::read(reports.join("latest.json")).unwrap()).unwrap();
        assert_eq!(latest, report);
        match n {
            0 => {
                assert_eq!(changed(&report, "newly_broken"), ["b"]);
                assert_eq!(changed(&report, "still_broken"), ["d"]);
                assert_eq!(
                    changed(&report, "confirmed_dead"),
                    ["d"],
                    "three failures over four days"
                );
            }
            1 => {
                assert_eq!(changed(&report, "newly_broken"), ["a", "c"]);
                assert_eq!(changed(&report, "recovered"), ["b"]);
            }
            _ => {
                // c answers again, but it failed and answered by turns: flaky, not recovered.
                assert!(changed(&report, "recovered").is_empty());
                assert_eq!(changed(&report, "still_broken"), ["a", "d"]);
                assert_eq!(changed(&report, "flaky"), ["c"]);
                let a = &report["changes"]["still_broken"][0];
                assert_eq!(
                    a["since"], last["generated_at"],
                    "broken since the previous run"
                );
                assert!(changed(&report, "confirmed_dead").contains(&"d".to_owned()));
                assert!(
                    !changed(&report, "confirmed_dead").contains(&"a".to_owned()),
                    "two runs in a few seconds are not enough"
                );
            }
        }
        last = report;
        // Reports are named by the second: keep runs apart.
        std::thread::sleep(Duration::from_millis(1100));
    }
    // Reports and latest.json; the lock file (.citecheck.lock) aside.
    let archived: Vec<_> = fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(archived.len(), 2 + 3 + 1, "{archived:?}");
}

#[test]
fn keep_prunes_old_reports() {
    let server = Server::http(|_, _| Reply::html(200, "<title>ok</title>"));
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, format!("{}\n", server.url("/x"))).unwrap();
    let reports = dir.path().join("reports");
    fs::create_dir_all(&reports).unwrap();
    for days in [9, 8, 7] {
        past_report(&reports, days, &server.url("/x"));
    }
    citecheck()
        .arg("check")
        .arg(&doc)
        .arg("--report-dir")
        .arg(&reports)
        .args(["--keep", "2"])
        .assert()
        .success();
    let mut names: Vec<String> = fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".citecheck.lock")
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[2], "latest.json");
    let newest_past = format!(
        "{}",
        (chrono::Utc::now() - chrono::Duration::days(7)).format("%Y%m%d")
    );
    assert!(
        names[0].starts_with(&newest_past),
        "the oldest two went: {names:?}"
    );
}

#[test]
fn a_killed_run_leaves_the_last_report_intact() {
    // A server that never answers keeps the run going until it is killed.
    let server = common::RawServer::start(|mut stream| async move {
        common::read_request_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, format!("{}\n", server.url("/slow"))).unwrap();
    let reports = dir.path().join("reports");
    fs::create_dir_all(&reports).unwrap();
    let previous = br#"{"schema_version": 1, "note": "the last good report"}"#;
    fs::write(reports.join("latest.json"), previous).unwrap();

    for signal in ["-KILL", "-INT"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("citecheck"))
            .arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .args(["--timeout", "30"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the request is in flight, then stop the run.
        for _ in 0..100 {
            if server.connections.load(Ordering::SeqCst) > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        std::process::Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success());
        if signal == "-INT" {
            assert_eq!(status.code(), Some(130));
        }
        assert_eq!(
            fs::read(reports.join("latest.json")).unwrap(),
            previous,
            "after {signal}"
        );
        let files: Vec<_> = fs::read_dir(&reports).unwrap().collect();
        assert_eq!(files.len(), 1, "nothing else written after {signal}");
    }
}

/// A report with a broken footnote link, a lint error and a live link.
fn mixed(dir: &Path) -> (Server, std::path::PathBuf) {
    let server = Server::http(|hit, _| {
        if hit.path == "/gone" {
            Reply::status(404)
        } else {
            Reply::html(200, "<title>ok</title>")
        }
    });
    let doc = dir.join("brief.md");
    fs::write(
        &doc,
        format!(
            "Cited<sup>1</sup> and<sup>2</sup> and<sup>3</sup>.\n\n<sup>1</sup> \"Gone story,\" *Paper*, May 2, 2020, <{}>\n\n<sup>2</sup> \"Live story,\" *Paper*, May 2, 2020, <{}>\n",
            server.url("/gone"),
            server.url("/live")
        ),
    )
    .unwrap();
    (server, doc)
}

/// `citecheck SUBCOMMAND DOC --format json`, which must exit with `code`: its report.
fn json_report(subcommand: &str, doc: &Path, code: i32) -> Value {
    let output = citecheck()
        .arg(subcommand)
        .arg(doc)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    json_stdout(&output)
}

#[test]
fn markdown_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, doc) = mixed(dir.path());
    citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--format", "markdown"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("## citecheck\n"))
        .stdout(predicate::str::contains(
            "| document | footnote | status | link | why | archived copy |",
        ))
        .stdout(predicate::str::contains("| 1 (line 3) | **broken** |"))
        .stdout(predicate::str::contains("404 Not Found"))
        .stdout(predicate::str::contains(
            "footnote 3 is cited but never defined",
        ))
        .stdout(predicate::str::contains("/live").not());
}

#[test]
fn github_annotations_on_the_footnote_line() {
    let dir = tempfile::tempdir().unwrap();
    let (server, doc) = mixed(dir.path());
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--format", "github"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let path = doc
        .display()
        .to_string()
        .replace(':', "%3A")
        .replace(',', "%2C");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(
        lines[0],
        format!(
            "::error file={path},line=1,title=citecheck undefined-footnote::footnote 3 is cited but never defined"
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "::error file={path},line=3,title=citecheck%3A broken link::footnote 1: {} is broken (404 Not Found)",
            server.url("/gone")
        )
    );
    // A link that answers is annotated for what changed on its page: a warning.
    assert!(
        lines[2].starts_with(&format!(
            "::warning file={path},line=5,title=citecheck%3A title-mismatch::{}: footnote 2 cites",
            server.url("/live")
        )),
        "{stdout}"
    );
}

#[test]
fn junit_one_case_per_url() {
    let dir = tempfile::tempdir().unwrap();
    let (server, doc) = mixed(dir.path());
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--format", "junit"])
        .output()
        .unwrap();
    let xml = String::from_utf8(output.stdout).unwrap();
    // Well-formed, and the counts add up.
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(
        (cases, failures),
        (3, 2),
        "two URLs and one lint error; the 404 and the lint fail:\n{xml}"
    );
    assert!(xml.contains(&format!(r#"<testcase name="{}""#, server.url("/gone"))));
    assert!(xml.contains(r#"<testsuites name="citecheck" tests="3" failures="2""#));
}

#[test]
fn sarif_results_at_footnote_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (server, doc) = mixed(dir.path());
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "citecheck");
    let results = run["results"].as_array().unwrap();
    // The broken link, the lint error, and the title of the page that answers but changed.
    assert_eq!(results.len(), 3, "{results:#?}");
    let changed = results
        .iter()
        .find(|r| r["ruleId"] == "title-mismatch")
        .unwrap();
    assert_eq!(changed["level"], "warning");
    let broken = results.iter().find(|r| r["ruleId"] == "broken").unwrap();
    assert_eq!(broken["level"], "error");
    assert_eq!(
        broken["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        broken["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        doc.display().to_string()
    );
    assert!(
        broken["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&server.url("/gone"))
    );
    // Every result's rule is declared, at the index it names.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn outputs_by_extension_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, doc) = mixed(dir.path());
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .arg("--output")
        .arg(out.join("report.sarif"))
        .arg("--output")
        .arg(out.join("summary.md"))
        .arg("--output")
        .arg(out.join("report.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let sarif: Value =
        serde_json::from_slice(&fs::read(out.join("report.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        fs::read_to_string(out.join("summary.md"))
            .unwrap()
            .starts_with("## citecheck")
    );
    let report: Value =
        serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
    validate_against_schema(&report);
}

/// Sorted (url, status) pairs of a report.
fn statuses(report: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["url"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn shards_merged_equal_one_run() {
    let server = Server::http(|hit, _| {
        if hit.path.ends_with('3') {
            Reply::status(404)
        } else {
            Reply::html(200, "<title>ok</title>")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("corpus.md");
    // Six sites (shards take whole sites), all answered by the one loopback server.
    let sites: Vec<String> = (0..6).map(|s| format!("site{s}.test")).collect();
    let links: String = (0..24)
        .map(|i| format!("See http://{}/page{i}.\n\n", sites[i % 6]))
        .collect();
    fs::write(&doc, links).unwrap();
    let resolve: Vec<String> = sites
        .iter()
        .flat_map(|s| ["--resolve".to_owned(), format!("{s}:80:{}", server.addr)])
        .collect();
    let run = |extra: &[&str]| {
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .args(["--format", "json"])
            .args(&resolve)
            .args(extra)
            .output()
            .unwrap();
        // A shard may hold none of the broken links.
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        json_stdout(&output)
    };
    let whole = run(&[]);
    let shards: Vec<std::path::PathBuf> = (1..=3)
        .map(|k| {
            let report = run(&["--shard", &format!("{k}/3")]);
            // Two whole sites of four URLs each.
            assert_eq!(
                report["results"].as_array().unwrap().len(),
                8,
                "shard {k} is not two sites"
            );
            let path = dir.path().join(format!("shard{k}.json"));
            fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
            path
        })
        .collect();
    let reports = dir.path().join("reports");
    let output = citecheck()
        .args(["report", "merge"])
        .args(&shards)
        .args(["--format", "json", "--report-dir"])
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let merged = json_stdout(&output);
    validate_against_schema(&merged);
    assert_eq!(statuses(&merged), statuses(&whole));
    assert_eq!(merged["documents"], whole["documents"]);
    assert_eq!(merged["summary"]["links"], whole["summary"]["links"]);
    assert_eq!(
        merged["changes"]["newly_broken"].as_array().unwrap().len(),
        3,
        "/page3, /page13, /page23"
    );
    assert!(reports.join("latest.json").exists());
}

/// Four shards of a matrix run at once against one site: the site is one shard's, so its
/// `--host-concurrency` holds for the whole matrix (shards by URL hash sent four times as many).
#[test]
fn shards_at_once_never_exceed_a_hosts_concurrency() {
    let server =
        Server::http(|_, _| Reply::html(200, "<title>ok</title>").delay(Duration::from_millis(60)));
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("corpus.md");
    let links: String = (0..40)
        .map(|i| format!("See {}.\n\n", server.url(&format!("/page{i}"))))
        .collect();
    fs::write(&doc, links).unwrap();
    let jobs: Vec<std::thread::JoinHandle<usize>> = (1..=4)
        .map(|k| {
            let doc = doc.clone();
            std::thread::spawn(move || {
                let output = citecheck()
                    .arg("check")
                    .arg(&doc)
                    .args(["--format", "json", "--host-concurrency", "2"])
                    .args(["--shard", &format!("{k}/4")])
                    .output()
                    .unwrap();
                assert_eq!(
                    output.status.code(),
                    Some(0),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                json_stdout(&output)["results"].as_array().unwrap().len()
            })
        })
        .collect();
    let mut sizes: Vec<usize> = jobs.into_iter().map(|j| j.join().unwrap()).collect();
    sizes.sort();
    assert_eq!(sizes, [0, 0, 0, 40], "one site, one shard");
    let peak = server.max_in_flight.load(Ordering::SeqCst);
    assert!((1..=2).contains(&peak), "{peak} requests at once");
}

#[test]
fn report_show_and_diff() {
    let run = Arc::new(AtomicUsize::new(0));
    let server = changing_server(Arc::clone(&run));
    let dir = tempfile::tempdir().unwrap();
    let doc = brief(dir.path(), &server);
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    for (n, path) in [(0, &old), (1, &new)] {
        run.store(n, Ordering::SeqCst);
        citecheck()
            .arg("check")
            .arg(&doc)
            .arg("--output")
            .arg(path)
            .args(["--max-retries", "0"])
            .assert()
            .code(1);
    }
    citecheck()
        .args(["report", "show"])
        .arg(&new)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("4 URLs checked"))
        .stdout(predicate::str::contains("3 broken"));
    citecheck()
        .args(["report", "diff"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(r"newly broken +broken +http://127\.0\.0\.1:\d+/a").unwrap(),
        )
        .stdout(predicate::str::is_match(r"recovered +ok +http://127\.0\.0\.1:\d+/b").unwrap())
        // The changes and the counts, not the whole new report (its citations document by document).
        .stdout(predicate::str::contains("fn 1").not());
    citecheck()
        .args(["report", "diff", "--full"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("fn 1"));
    // The same report twice: nothing newly broken, exit 0.
    citecheck()
        .args(["report", "diff"])
        .arg(&new)
        .arg(&new)
        .assert()
        .code(0);
    let output = citecheck()
        .args(["report", "show"])
        .arg(dir.path().join("missing.json"))
        .output()
        .unwrap();
    common::assert_one_line_error(&output, 2, "missing.json");
}

#[test]
fn cache_reuses_recent_successes_and_rechecks_failures() {
    let server = Server::http(|hit, _| {
        if hit.path == "/gone" {
            Reply::status(404)
        } else {
            Reply::html(200, "<title>ok</title>")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(
        &doc,
        format!(
            "{}\n\n{}\n\n{}\n",
            server.url("/one"),
            server.url("/gone"),
            server.url("/two")
        ),
    )
    .unwrap();
    let reports = dir.path().join("reports");
    citecheck()
        .arg("check")
        .arg(&doc)
        .arg("--report-dir")
        .arg(&reports)
        .args(["--max-retries", "0"])
        .assert()
        .code(1);
    assert_eq!(server.hits().len(), 3);
    std::thread::sleep(Duration::from_millis(1100));
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .arg("--report-dir")
        .arg(&reports)
        .args([
            "--cache",
            "--max-cache-age",
            "1h",
            "--max-retries",
            "0",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json_stdout(&output);
    validate_against_schema(&report);
    assert_eq!(server.hits_for("/gone").len(), 2, "failures are rechecked");
    assert_eq!(server.hits().len(), 4, "successes are reused");
    let results = report["results"].as_array().unwrap();
    let order: Vec<&str> = results
        .iter()
        .map(|r| r["url"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        order,
        ["one", "gone", "two"],
        "reused results keep their place"
    );
    assert!(results[0]["cached_from"].is_string() && results[1].get("cached_from").is_none());
    // Too old to reuse: checked again.
    citecheck()
        .arg("check")
        .arg(&doc)
        .arg("--report-dir")
        .arg(&reports)
        .args(["--cache", "--max-cache-age", "1ms", "--max-retries", "0"])
        .assert()
        .code(1);
    assert_eq!(server.hits().len(), 7);
}

#[test]
fn sarif_validates_against_the_official_schema() {
    // The schema comes from the npm registry (`.ci/run` installs it and sets the variable).
    let Some(schema_path) = std::env::var_os("CITECHECK_SARIF_SCHEMA") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set CITECHECK_SARIF_SCHEMA: .ci/run installs it"
        );
        eprintln!("skipped: CITECHECK_SARIF_SCHEMA is not set (bash .ci/run sets it)");
        return;
    };
    // The published schema's `language` patterns have a stray `]` that ECMAScript reads as a literal
    // and a strict regex check refuses: escape it, which keeps its meaning.
    let text = fs::read_to_string(schema_path)
        .unwrap()
        .replace("{2}]?$", "{2}\\\\]?$");
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    assert!(
        !validator.is_valid(&json!({"version": "2.1.0", "runs": [{"results": []}]})),
        "the schema bites"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_server, doc) = mixed(dir.path());
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

/// A page title and a footnote full of terminal escapes, control characters, XML and Markdown.
const HOSTILE: &str = "Page not found \x1b]0;pwned\x07\x1b[31mred\x1b[0m \x01\x02\x0b\x7f </testcase> ]]> <b>bold</b> | *em* [x](javascript:alert(1)) 100% ::error::forged";

fn hostile(dir: &Path) -> (Server, std::path::PathBuf) {
    let server = Server::http(|_, _| {
        Reply::html(
            200,
            &format!("<html><head><title>{HOSTILE}</title></head></html>"),
        )
    });
    let doc = dir.join("brief.md");
    fs::write(
        &doc,
        format!(
            "Cited<sup>1</sup>.\n\n<sup>1</sup> \"A \x1b[2Jstory \x1b]0;pwned\x07,\" *Paper*, May 2, 2020, <{}>\n",
            server.url("/story/1")
        ),
    )
    .unwrap();
    (server, doc)
}

fn hostile_report(doc: &Path, format: &str) -> String {
    let output = citecheck()
        .arg("check")
        .arg(doc)
        .args(["--format", format])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    // No escape sequence, bell or other C0 control but line breaks reaches any report.
    assert!(
        !stdout.contains(|c: char| c.is_control() && c != '\n'),
        "{format}: {stdout:?}"
    );
    assert!(!stdout.contains("pwned"), "{format}: {stdout}");
    stdout
}

#[test]
fn hostile_text_is_sanitised_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, doc) = hostile(dir.path());

    let human = hostile_report(&doc, "human");
    assert!(human.contains("soft 404"), "{human}");
    assert!(
        human.contains("red  \u{FFFD} </testcase> ]]> <b>bold</b>"),
        "{human}"
    );
    // The document's own text, as `extract` shows it.
    let output = citecheck().arg("extract").arg(&doc).output().unwrap();
    let extracted = String::from_utf8(output.stdout).unwrap();
    assert!(extracted.contains("story"), "{extracted}");
    assert!(!extracted.contains(['\x1b', '\x07']), "{extracted:?}");

    let junit = hostile_report(&doc, "junit");
    let xml = roxmltree::Document::parse(&junit).unwrap_or_else(|e| panic!("{e}: {junit}"));
    let failure = xml
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    let message = failure.attribute("message").unwrap();
    assert!(message.contains("</testcase> ]]> <b>bold</b>"), "{message}");
    assert_eq!(
        xml.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        1
    );

    let sarif: Value = serde_json::from_str(&hostile_report(&doc, "sarif")).unwrap();
    let text = sarif["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(text.contains("</testcase> ]]>"), "{text}");

    let markdown = hostile_report(&doc, "markdown");
    assert!(markdown.contains("\\<b\\>bold\\</b\\>"), "{markdown}");
    assert!(
        markdown.contains("\\*em\\* \\[x\\](javascript:alert(1))"),
        "{markdown}"
    );
    assert!(!markdown.contains("<b>"), "{markdown}");
    let row = markdown
        .lines()
        .find(|l| l.contains("soft 404"))
        .expect("a table row");
    // The title's pipe is escaped: the row keeps its six cells.
    let pipes = row.matches('|').count() - row.matches("\\|").count();
    assert_eq!(pipes, 7, "{row}");

    let github = hostile_report(&doc, "github");
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 1, "{github}");
    assert!(lines[0].starts_with("::error file="), "{github}");
    assert!(lines[0].contains("100%25 ::error::forged"), "{github}");
}

/// A footnote id is the document's: a report whose id is longer than `format!` can pad to (65,535)
/// is still shown, with the id cut in the table, not a panic.
#[test]
fn a_footnote_id_wider_than_any_column_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    fs::write(
        &doc,
        "Cited[^a].\n\n[^a]: \"A story,\" *Paper*, <http://127.0.0.1:9/a>\n",
    )
    .unwrap();
    let output = citecheck()
        .args(["extract", "--format", "json"])
        .arg(&doc)
        .output()
        .unwrap();
    let mut report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let long = "x".repeat(70_000);
    report["documents"][0]["footnotes"][0]["id"] = json!(long);
    let file = dir.path().join("long.json");
    fs::write(&file, serde_json::to_vec(&report).unwrap()).unwrap();
    let output = citecheck()
        .args(["report", "show"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.stderr.is_empty(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("xxxxxxxxxxxxxxx…"), "{stdout}");
    assert!(!stdout.contains(&"x".repeat(17)), "{stdout}");
}

/// The summary keeps link results and lint findings apart (issue 22: `summary.errors` counted lint
/// only, so a `jq '.summary.errors'` gate passed a run with failing links), and a report of
/// `schema_version` 1 is still read, its summary counted again.
#[test]
fn the_summary_counts_links_and_lint_apart_and_old_reports_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, doc) = mixed(dir.path());
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--format", "json", "--max-retries", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json_stdout(&output);
    let summary = &report["summary"];
    assert_eq!(report["schema_version"], 2);
    assert_eq!(summary["links"]["checked"], 2);
    assert_eq!(summary["links"]["failing"], 1);
    assert_eq!(summary["links"]["broken"], 1);
    assert_eq!(summary["links"]["ok"], 1);
    // Footnote 3 is cited but never defined: a lint error, counted apart.
    assert_eq!(summary["lint"]["errors"], 1);
    assert!(summary.get("errors").is_none() && summary.get("statuses").is_none());
    validate_against_schema(&report);

    // The same report as version 1 wrote it: read, and its summary counted as version 2 does.
    let mut old = report.clone();
    old["schema_version"] = json!(1);
    old["summary"] = json!({
        "documents": 1, "footnotes": 2, "footnote_urls": 2, "links": 0,
        "errors": 1, "warnings": 0, "infos": 0, "checked": 2,
        "statuses": {"ok": 1, "broken": 1}, "elapsed_ms": 7
    });
    let file = dir.path().join("old.json");
    fs::write(&file, serde_json::to_vec(&old).unwrap()).unwrap();
    let output = citecheck()
        .args(["report", "show", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let shown = json_stdout(&output);
    assert_eq!(shown["schema_version"], 2);
    let mut expected = summary.clone();
    expected["elapsed_ms"] = json!(7);
    assert_eq!(shown["summary"], expected);
}

/// Every output shows why a page is blocked and where a page moved (issue 22: only the human and
/// JSON outputs did).
#[test]
fn every_output_shows_a_blocked_reason_and_a_moved_page() {
    let server = Server::http(|hit, _| match hit.path.as_str() {
        "/blocked" => {
            Reply::html(403, "<title>Just a moment...</title>").header("cf-mitigated", "challenge")
        }
        "/old" => Reply::redirect(301, "/2020/new-home"),
        _ => Reply::html(200, "<title>A story</title>"),
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    fs::write(
        &doc,
        format!(
            "One[^1] two[^2].\n\n[^1]: \"A story,\" <{}>\n[^2]: \"Another,\" <{}>\n",
            server.url("/blocked"),
            server.url("/old")
        ),
    )
    .unwrap();
    for format in ["human", "markdown", "junit", "github", "sarif"] {
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .args(["--format", format, "--max-retries", "0"])
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let reason = if format == "human" {
            "(challenge)"
        } else {
            "blocked: challenge"
        };
        assert!(stdout.contains(reason), "{format}: {stdout}");
        if format != "github" && format != "sarif" {
            // GitHub and SARIF annotate what fails; a moved page that answers is no failure.
            assert!(stdout.contains("/2020/new-home"), "{format}: {stdout}");
        }
    }
}

/// A bidirectional override or a zero-width space from a document is shown as an escape in the
/// outputs for people, and kept as it is in JSON (issue 20: they reordered what the terminal showed).
#[test]
fn bidi_controls_are_shown_to_people_and_kept_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    fs::write(
        &doc,
        "Cited.[^a\u{202E}b]\n\n[^a\u{202E}b]: \"Evil\u{2066}title\u{2069},\" *Pa\u{200B}per*, <https://a.example/x>\n",
    )
    .unwrap();
    let human = citecheck().arg("extract").arg(&doc).output().unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(
        !human.contains(['\u{202E}', '\u{2066}', '\u{2069}', '\u{200B}']),
        "{human}"
    );
    assert!(human.contains("Evil\\u{2066}title"), "{human}");
    for format in ["markdown", "github"] {
        let output = citecheck()
            .args(["extract", "--format", format])
            .arg(&doc)
            .output()
            .unwrap();
        let out = String::from_utf8(output.stdout).unwrap();
        assert!(!out.contains('\u{202E}'), "{format}: {out}");
    }
    let json = json_report("extract", &doc, 0);
    assert_eq!(json["documents"][0]["footnotes"][0]["id"], "a\u{202E}b");
}

/// A cited `#fragment` must name an element of the page: a `missing-fragment` warning otherwise,
/// on the footnote that cites it, and the link stays `ok` (issue 23). Script routes (`#/a`) and
/// text fragments give no verdict.
#[test]
fn a_cited_fragment_the_page_lacks_is_a_warning() {
    let server = Server::http(|_, _| {
        Reply::html(
            200,
            "<html><head><title>Report</title></head><body><h2 id=\"findings\">Findings</h2>\
             <a name=\"annex-1\"></a><p data-id=\"gone\">not an id</p></body></html>",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    let url = server.url("/report");
    fs::write(
        &doc,
        format!(
            "A[^1] b[^2] c[^3] d[^4] e[^5].\n\n[^1]: <{url}#findings>\n[^2]: <{url}#gone>\n\
             [^3]: <{url}#annex-1>\n[^4]: <{url}#/app/route>\n[^5]: <{url}#:~:text=Findings>\n"
        ),
    )
    .unwrap();
    let report = json_report("check", &doc, 0);
    validate_against_schema(&report);
    let result = &report["results"][0];
    assert_eq!(result["status"], "ok");
    let warnings: Vec<(&str, &str)> = result["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["kind"].as_str().unwrap(), w["footnote"].as_str().unwrap()))
        .collect();
    assert_eq!(warnings, [("missing-fragment", "2")]);
    let human = citecheck().arg("check").arg(&doc).output().unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(
        human.contains("footnote 2 cites #gone, which names no element of the page"),
        "{human}"
    );
}

/// A text fragment (`#:~:text=start,end`) must match the page's text, as a reader would find it:
/// case, accents, quote styles, soft hyphens and entities aside; script text is not the page's.
#[test]
fn a_cited_text_fragment_must_match_the_pages_text() {
    let server = Server::http(|_, _| {
        Reply::html(
            200,
            "<html><head><title>Statement</title><script>var s = 'hidden words here';</script></head>\
             <body><p>Pakistan will do <b>everything</b> possi&shy;ble to reduce violence in Afghanistan, \
             the Prime Minister said in Kab&#x00FA;l.</p></body></html>",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    let url = server.url("/statement");
    fs::write(
        &doc,
        format!(
            "A[^1] b[^2] c[^3] d[^4].\n\n\
             [^1]: <{url}#:~:text=pakistan%20will%20do%20everything%20possible>\n\
             [^2]: <{url}#:~:text=Prime%20Minister,Kabul>\n\
             [^3]: <{url}#:~:text=hidden%20words>\n\
             [^4]: <{url}#:~:text=withdraw%20all%20troops>\n"
        ),
    )
    .unwrap();
    let report = json_report("check", &doc, 0);
    let result = &report["results"][0];
    assert_eq!(result["status"], "ok");
    let warned: Vec<&str> = result["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "missing-fragment")
        .map(|w| w["footnote"].as_str().unwrap())
        .collect();
    assert_eq!(warned, ["3", "4"], "{result}");
}

/// The words a citing sentence quotes must be on the cited page (issue 23): found there, the result
/// says `live`; not found, `none` and a `quote-not-found` warning; the link stays `ok` either way.
/// A word hyphenated where a printed line broke ("every-thing") is the page's word.
#[test]
fn quoted_words_are_looked_for_on_the_cited_page() {
    let server = Server::http(|hit, _| match hit.path.as_str() {
        "/still" => Reply::html(
            200,
            "<html><head><title>Imran in Kabul</title></head><body><p>\u{201c}Pakistan will do \
             <em>everything</em> possible to help reduce violence and in fact move towards a \
             ceasefire,\u{201d} he said.</p></body></html>",
        ),
        _ => Reply::html(
            200,
            "<html><head><title>Trade</title></head><body><p>The visit was short.</p></body></html>",
        ),
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    fs::write(
        &doc,
        format!(
            "Khan said that \"Pakistan will do every-thing possible to help reduce violence \u{2026} towards a ceasefire.\"<sup>1</sup> \
             He added that \u{201c}the border will be open to all trade,\u{201d} as agreed.<sup>2</sup>\n\n\
             <sup>1</sup> \"Imran in Kabul,\" *Paper*, November 19, 2020, <{}>\n\n\
             <sup>2</sup> \"Trade,\" *Paper*, November 19, 2020, <{}>\n",
            server.url("/still"),
            server.url("/changed")
        ),
    )
    .unwrap();
    let extracted = json_report("extract", &doc, 0);
    assert_eq!(
        extracted["documents"][0]["footnotes"][1]["quotes"][0],
        "the border will be open to all trade,"
    );
    let report = json_report("check", &doc, 0);
    validate_against_schema(&report);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "ok");
    assert_eq!(results[0]["quotes"][0]["found"], "live");
    assert!(results[0]["warnings"].as_array().unwrap().is_empty());
    assert_eq!(results[1]["status"], "ok");
    assert_eq!(results[1]["quotes"][0]["found"], "none");
    assert_eq!(results[1]["warnings"][0]["kind"], "quote-not-found");
    assert_eq!(results[1]["warnings"][0]["footnote"], "2");
}
