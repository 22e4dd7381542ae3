//! `--git-dates`: an undated footnote's archived copy is looked up as of the day its line was committed.

mod common;

use std::fs;
use std::process::Command;

use common::{Reply, Server, TEST_CA, citecheck, json_stdout, resolve_to};

fn git(dir: &std::path::Path, args: &[&str], date: &str) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Editor",
            "-c",
            "user.email=editor@example.org",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn undated_footnotes_are_looked_up_as_of_their_commit() {
    let site = Server::http(|_, _| Reply::status(404));
    let archive = Server::https(&["archive.org", "web.archive.org"], |hit, _| {
        if hit.path.starts_with("/cdx/") {
            Reply::status(200)
        } else {
            Reply::status(200)
                .header("content-type", "application/json")
                .body(r#"{"archived_snapshots":{}}"#)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    git(dir.path(), &["init", "-q"], "2020-11-19T10:00:00Z");
    fs::write(
        &doc,
        format!(
            "Old.[^1]\n\n[^1]: \"Undated,\" *Paper*, <{}>\n",
            site.url("/first")
        ),
    )
    .unwrap();
    git(dir.path(), &["add", "brief.md"], "2020-11-19T10:00:00Z");
    git(
        dir.path(),
        &["commit", "-q", "-m", "first"],
        "2020-11-19T10:00:00Z",
    );
    // A second footnote committed later, and a third not committed at all.
    let mut text = fs::read_to_string(&doc).unwrap();
    text = text.replace("Old.[^1]", "Old.[^1] New.[^2] Newer.[^3]");
    text.push_str(&format!(
        "[^2]: \"Later,\" *Paper*, <{}>\n",
        site.url("/second")
    ));
    fs::write(&doc, &text).unwrap();
    git(
        dir.path(),
        &["commit", "-q", "-am", "second"],
        "2023-05-02T10:00:00Z",
    );
    text.push_str(&format!(
        "[^3]: \"Unsaved,\" *Paper*, <{}>\n",
        site.url("/third")
    ));
    fs::write(&doc, &text).unwrap();

    let output = citecheck()
        .current_dir(dir.path())
        .args([
            "check",
            "brief.md",
            "--wayback",
            "--git-dates",
            "--format",
            "json",
        ])
        .args(["--max-retries", "0", "--ca-cert"])
        .arg(&TEST_CA.pem_path)
        .args(resolve_to(&archive, &["archive.org", "web.archive.org"]))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json_stdout(&output);
    let footnotes = report["documents"][0]["footnotes"].as_array().unwrap();
    let committed: Vec<&serde_json::Value> = footnotes.iter().map(|f| &f["committed"]).collect();
    assert_eq!(committed[0], "2020-11-19");
    assert_eq!(committed[1], "2023-05-02");
    assert!(committed[2].is_null(), "not committed: no date");
    let asked: Vec<String> = archive
        .hits()
        .into_iter()
        .map(|h| h.path)
        .filter(|p| p.starts_with("/wayback/available"))
        .collect();
    let asked_for = |path: &str| {
        asked
            .iter()
            .find(|p| p.contains(&format!("%2F{path}")))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        asked_for("first").ends_with("&timestamp=20201119"),
        "{asked:?}"
    );
    assert!(
        asked_for("second").ends_with("&timestamp=20230502"),
        "{asked:?}"
    );
    assert!(!asked_for("third").contains("timestamp="), "{asked:?}");
}
