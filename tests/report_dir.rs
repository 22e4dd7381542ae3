//! Hostile conditions for inputs and the report archive (issue 9, items 4 and 5): folders that cannot
//! all be read, concurrent runs on one report directory, runs killed while writing, reports of a newer
//! schema, file permissions. The real binary, offline: no network is needed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{citecheck, json_stdout, validate_against_schema};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("citecheck")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{} is not valid JSON ({e})", path.display()))
}

/// The archived reports of `dir`, oldest first: by time stamp, then by the `-N` suffix a second report of
/// the same second takes.
fn archived(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(String, u64, PathBuf)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let stem = p.file_name()?.to_str()?.strip_suffix(".json")?.to_owned();
            if stem == "latest" {
                return None;
            }
            let (stamp, n) = match stem.split_once('-') {
                Some((s, n)) => (s.to_owned(), n.parse().ok()?),
                None => (stem, 0),
            };
            (stamp.len() == 16).then_some((stamp, n, p))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, _, p)| p).collect()
}

/// Names in `dir` that are temporary files of an unfinished write.
fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Every archived report is a valid report, and `latest.json` has the same bytes as the newest.
fn assert_latest_is_newest(dir: &Path) {
    let all = archived(dir);
    for path in &all {
        let report = read_json(path);
        assert_eq!(report["schema_version"], 2, "{}", path.display());
    }
    let newest = all.last().expect("an archived report");
    assert_eq!(
        fs::read(dir.join("latest.json")).unwrap(),
        fs::read(newest).unwrap(),
        "latest.json differs from the newest archived report {}",
        newest.display()
    );
}

/// Makes `dir/name` a folder nested so deep that its path is longer than the system takes (PATH_MAX,
/// 4096 bytes on Linux): listing it fails, for root too, as an unreadable folder does. With `file`, the
/// last entry is instead a Markdown file whose path is too long to open. Returns the unreadable entry's
/// name.
fn unreachable_entry(dir: &Path, file: bool) -> String {
    let component = "d".repeat(200);
    let mut deep = dir.join("deep");
    // Stay below the limit with the path itself, so the last folder can be listed.
    while deep.as_os_str().len() + component.len() + 1 < 3950 {
        deep.push(&component);
    }
    deep.push("e".repeat(3950 - deep.as_os_str().len() - 1));
    fs::create_dir_all(&deep).unwrap();
    let name = "u".repeat(200);
    assert!(deep.as_os_str().len() + name.len() + 4 > 4096);
    // Created from inside its parent: the full path is too long for any call.
    let script = if file {
        format!("printf 'See https://unreadable.example/x\\n' > {name}.md")
    } else {
        format!("mkdir {name} && printf 'x\\n' > {name}/c.md")
    };
    let status = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(&deep)
        .status()
        .unwrap();
    assert!(status.success());
    if file { format!("{name}.md") } else { name }
}

/// An unreadable file or folder in a folder: one error line naming it, exit 2, and every readable
/// document still reported on stdout and in the archive, which says it is incomplete.
#[test]
fn unreadable_entries_are_one_error_each_and_the_rest_is_reported() {
    for file in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        fs::create_dir_all(docs.join("sub")).unwrap();
        fs::write(docs.join("a.md"), "See https://a.example/one\n").unwrap();
        fs::write(docs.join("sub/b.md"), "See https://b.example/two\n").unwrap();
        let bad = unreachable_entry(&docs, file);
        let reports = dir.path().join("reports");

        let output = citecheck()
            .arg("check")
            .arg(&docs)
            .arg("--report-dir")
            .arg(&reports)
            .args(["--offline", "--format", "json"])
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "file={file}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one error line expected: {err}");
        assert!(lines[0].starts_with("citecheck: error: "), "{err}");
        assert!(lines[0].contains(&bad), "the line names the entry: {err}");
        let report = json_stdout(&output);
        validate_against_schema(&report);
        let paths: Vec<&str> = report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths.len(), 2, "{paths:?}");
        assert!(paths[0].ends_with("a.md") && paths[1].ends_with("b.md"));
        assert_eq!(report["incomplete"], true, "file={file}");
        let all = archived(&reports);
        assert_eq!(all.len(), 1);
        assert_eq!(read_json(&all[0]), report);
        assert_eq!(read_json(&reports.join("latest.json")), report);

        // `extract` too reports what it can.
        let output = citecheck()
            .arg("extract")
            .arg(&docs)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
        assert_eq!(
            json_stdout(&output)["documents"].as_array().unwrap().len(),
            2
        );
    }
}

/// Two runs writing to one report directory at once, ten rounds each: every report archived, each
/// exactly once, and `latest.json` the newest.
#[test]
fn concurrent_runs_keep_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(
        &doc,
        "See https://a.example/one and https://b.example/two\n",
    )
    .unwrap();
    let reports = dir.path().join("reports");
    let runs: Vec<std::thread::JoinHandle<Vec<String>>> = (0..2)
        .map(|_| {
            let (doc, reports) = (doc.clone(), reports.clone());
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| {
                        let output = Command::new(bin())
                            .arg("check")
                            .arg(&doc)
                            .arg("--report-dir")
                            .arg(&reports)
                            .args(["--offline", "--format", "json"])
                            .output()
                            .unwrap();
                        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
                        json_stdout(&output).to_string()
                    })
                    .collect()
            })
        })
        .collect();
    let mut printed: Vec<String> = runs.into_iter().flat_map(|r| r.join().unwrap()).collect();
    let all = archived(&reports);
    assert_eq!(all.len(), 20, "{all:?}");
    let mut stored: Vec<String> = all.iter().map(|p| read_json(p).to_string()).collect();
    printed.sort();
    stored.sort();
    assert_eq!(printed, stored, "each printed report archived once");
    assert_latest_is_newest(&reports);
    assert!(temp_files(&reports).is_empty());
}

/// A run waits for one holding the report directory, and says so.
#[test]
fn a_run_waits_for_the_report_directory() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, "See https://a.example/one\n").unwrap();
    let reports = dir.path().join("reports");
    fs::create_dir_all(&reports).unwrap();
    let lock = fs::File::create(reports.join(".citecheck.lock")).unwrap();
    lock.lock().unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        drop(lock);
    });
    let started = Instant::now();
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .arg("--report-dir")
        .arg(&reports)
        .arg("--offline")
        .output()
        .unwrap();
    release.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(started.elapsed() >= Duration::from_millis(1000));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("waiting") && err.contains("another run"),
        "{err}"
    );
    assert_eq!(archived(&reports).len(), 1);
}

/// A document citing `n` distinct URLs: its report is megabytes, so writing it takes a while.
fn large_document(dir: &Path, n: usize) -> PathBuf {
    let doc = dir.join("big.md");
    let mut text = String::with_capacity(n * 64);
    for i in 0..n {
        text.push_str(&format!(
            "- <https://site{}.example/a/long/path/{i}>\n",
            i % 97
        ));
    }
    fs::write(&doc, text).unwrap();
    doc
}

/// SIGKILL at many points of a run writing a large report: every archived report and `latest.json`
/// stay valid reports after each kill, and the next run leaves no temporary file and a `latest.json`
/// equal to the newest report.
#[test]
fn killed_writes_never_spoil_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    // 4,000 URLs: a 2 MB report, written in a few milliseconds.
    let doc = large_document(dir.path(), 4_000);
    let reports = dir.path().join("reports");
    let run = |keep_going: bool| -> Option<std::process::Child> {
        let mut cmd = Command::new(bin());
        cmd.arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .args(["--offline", "--keep", "3", "--format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if keep_going {
            Some(cmd.spawn().unwrap())
        } else {
            assert_eq!(cmd.status().unwrap().code(), Some(0));
            None
        }
    };
    run(false);
    assert_latest_is_newest(&reports);

    // Kill points: as soon as a temporary file appears (the archived report being written), some time
    // after that, and as soon as a new archived report appears (between the two renames).
    let mut killed_mid_write = 0;
    for round in 0..6 {
        let before = archived(&reports).pop();
        let mut child = run(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut exited = false;
        loop {
            if child.try_wait().unwrap().is_some() {
                exited = true;
                break;
            }
            let newest = archived(&reports).pop();
            let temp = !temp_files(&reports).is_empty();
            let hit = match round % 3 {
                0 => temp,
                1 => {
                    temp && {
                        std::thread::sleep(Duration::from_millis(round as u64));
                        true
                    }
                }
                _ => newest != before,
            };
            if hit {
                break;
            }
            assert!(Instant::now() < deadline, "the run never wrote");
            // No sleep: a write lasts milliseconds.
            std::thread::yield_now();
        }
        if !exited {
            child.kill().unwrap();
        }
        child.wait().unwrap();
        if !temp_files(&reports).is_empty() {
            killed_mid_write += 1;
        }
        // After any kill: every report whole, latest.json one of them (the newest, or the one before
        // when the kill fell between the two renames).
        let all = archived(&reports);
        let latest = fs::read(reports.join("latest.json")).unwrap();
        let latest_json: Value = serde_json::from_slice(&latest).expect("latest.json is whole");
        assert_eq!(latest_json["schema_version"], 2);
        for path in &all {
            read_json(path);
        }
        let newest_two: Vec<Vec<u8>> = all
            .iter()
            .rev()
            .take(2)
            .map(|p| fs::read(p).unwrap())
            .collect();
        assert!(
            newest_two.contains(&latest),
            "round {round}: latest.json is not a recent archived report"
        );
    }
    assert!(
        killed_mid_write > 0,
        "no kill fell inside a write: the report is too small to test this"
    );

    run(false);
    assert_latest_is_newest(&reports);
    assert_eq!(temp_files(&reports), Vec::<String>::new());
}

/// A report written by a newer citecheck is refused by every reader, with a line naming both
/// versions; `merge` never rewrites it as version 1.
#[test]
fn newer_schema_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, "See https://a.example/one\n").unwrap();
    let current = dir.path().join("current.json");
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--offline", "--output"])
        .arg(&current)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = read_json(&current);
    for version in [3, 99] {
        let mut newer = report.clone();
        newer["schema_version"] = version.into();
        // A newer schema may also have fields this version does not know, or lack some.
        newer["summary"] = serde_json::json!({"totally": "different"});
        let newer_path = dir.path().join(format!("v{version}.json"));
        fs::write(&newer_path, serde_json::to_vec(&newer).unwrap()).unwrap();
        let expected = format!("schema_version {version} is newer than the schema_version 2");
        let n = newer_path.to_str().unwrap();
        let c = current.to_str().unwrap();
        for args in [
            vec!["report", "show", n],
            vec!["report", "diff", c, n],
            vec!["report", "diff", n, c],
            vec!["report", "merge", c, n, "--format", "json"],
        ] {
            let output = citecheck().args(&args).output().unwrap();
            common::assert_one_line_error(&output, 2, &expected);
            assert!(stderr(&output).contains(n), "{args:?}: names the file");
        }
        // As a report that parses as ours, too.
        let mut parses = report.clone();
        parses["schema_version"] = version.into();
        fs::write(&newer_path, serde_json::to_vec(&parses).unwrap()).unwrap();
        let output = citecheck()
            .args(["report", "merge", c, n, "--format", "json"])
            .output()
            .unwrap();
        common::assert_one_line_error(&output, 2, &expected);

        // In the history of a report directory: refused, and nothing archived beside it.
        let reports = dir.path().join(format!("reports{version}"));
        fs::create_dir_all(&reports).unwrap();
        fs::write(
            reports.join("20200101T000000Z.json"),
            serde_json::to_vec(&parses).unwrap(),
        )
        .unwrap();
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .arg("--offline")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&expected), "{err}");
        assert!(err.contains("20200101T000000Z.json"), "{err}");
        assert_eq!(archived(&reports).len(), 1, "nothing archived");
        assert!(!reports.join("latest.json").exists());

        // As the cache of reused results.
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .args(["--offline", "--cache", "--cache-file", n])
            .output()
            .unwrap();
        common::assert_one_line_error(&output, 2, &expected);
    }
}

/// Reports and outputs get the permissions the umask leaves, as any new file does (tempfile alone makes
/// them 0600).
#[cfg(unix)]
#[test]
fn files_get_the_umask_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, "See https://a.example/one\n").unwrap();
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let reports = dir.path().join(format!("reports{umask}"));
        let out = dir.path().join(format!("out{umask}.json"));
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$@\""))
            .arg("sh")
            .arg(bin())
            .arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .arg("--offline")
            .arg("--output")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        let mut files = archived(&reports);
        files.push(reports.join("latest.json"));
        files.push(out);
        for file in files {
            let got = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{} under umask {umask}", file.display());
        }
    }
}

/// Files planted in the report directory under a report's name (issue 20): a link to a secret, a
/// link to `/dev/zero`, a FIFO and a file of garbage dated far in the future. None is read as a
/// report, none reaches `latest.json`, `--keep` removes none of them and never the report just
/// written, and one warning names them.
#[cfg(unix)]
#[test]
fn planted_files_never_become_reports() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, "See https://a.example/one\n").unwrap();
    let reports = dir.path().join("reports");
    fs::create_dir(&reports).unwrap();
    let secret = dir.path().join("secret.txt");
    fs::write(&secret, "TOKEN=hunter2\n").unwrap();
    std::os::unix::fs::symlink(&secret, reports.join("99991231T235959Z.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", reports.join("99991231T235958Z.json")).unwrap();
    fs::write(reports.join("99991231T235957Z.json"), "garbage").unwrap();
    let fifo = reports.join("99991231T235956Z.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let planted = 4;
    let started = Instant::now();
    for round in 0..3 {
        let output = Command::new(bin())
            .arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .args(["--offline", "--format", "json", "--keep", "1"])
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "round {round}: {err}");
        assert_eq!(err.lines().count(), 1, "one warning: {err}");
        assert!(
            err.contains("left alone")
                && err.contains("99991231T235957Z.json (not a citecheck report)"),
            "{err}"
        );
        let latest = fs::read_to_string(reports.join("latest.json")).unwrap();
        assert!(!latest.contains("hunter2") && !latest.contains("garbage"));
        assert_eq!(read_json(&reports.join("latest.json"))["schema_version"], 2);
        // The report just written is kept, and the planted files are all still there.
        let names: Vec<String> = fs::read_dir(&reports)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        // The planted ones, latest.json and the one report --keep 1 keeps.
        assert_eq!(names.len(), planted + 2, "{names:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(fs::read_to_string(&secret).unwrap(), "TOKEN=hunter2\n");
}

/// A planted report of one 100 MB string is passed over as a stream: the run's memory does not
/// grow with it (issue 20: a 300 MB string cost 629 MB).
#[test]
fn a_planted_report_of_one_huge_string_costs_no_memory() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, "See https://a.example/one\n").unwrap();
    let reports = dir.path().join("reports");
    fs::create_dir(&reports).unwrap();
    let mut planted = br#"{"schema_version": 2, "generator": "citecheck 0.1.0", "generated_at": "2020-01-01T00:00:00Z", "documents": [], "results": [], "note": ""#.to_vec();
    planted.extend(std::iter::repeat_n(b'x', 100 << 20));
    planted.extend_from_slice(b"\"}");
    fs::write(reports.join("20200101T000000Z.json"), &planted).unwrap();
    drop(planted);
    let (output, peak_kib) = common::peak::output_with_peak(
        Command::new(bin())
            .arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .args(["--offline", "--format", "json"]),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(peak_kib < 60 * 1024, "peak {peak_kib} KiB");
}
