//! The GitHub Action's shell steps (`action/*.sh`, as `action.yml` calls them) run against a throw-away
//! documents repository: real `git` with a bare repository as `origin`, the real citecheck binary, and
//! documents whose citations point at a loopback HTTP server. Each run is a fresh clone and fresh report
//! directory, as on a new runner; the history lives only on the `reports` branch of `origin`.
//!
//! Needs bash, git and python3 (all on GitHub's Ubuntu runners).

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Reply, Server};

const BRANCH: &str = "reports";

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("action")
        .join(name)
}

/// A command isolated from the machine's git configuration and proxies.
fn command(program: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE");
    let git_identity = [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ];
    for var in git_identity.into_iter().chain(common::PROXY_VARS) {
        cmd.env_remove(var);
    }
    cmd
}

fn run_ok(cmd: &mut Command) -> Output {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        output.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = run_ok(command("git", dir).args(args));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `origin` (bare) holding one commit of `briefs/brief.md` on `main`.
fn documents_repository(root: &Path, brief: &str) -> PathBuf {
    let origin = root.join("origin.git");
    git(
        root,
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.to_str().unwrap(),
        ],
    );
    let author = root.join("author");
    fs::create_dir_all(author.join("briefs")).unwrap();
    fs::write(author.join("briefs/brief.md"), brief).unwrap();
    git(&author, &["init", "-q", "-b", "main"]);
    git(&author, &["add", "."]);
    git(
        &author,
        &[
            "-c",
            "user.name=Author",
            "-c",
            "user.email=author@example.org",
            "commit",
            "-q",
            "-m",
            "a brief",
        ],
    );
    git(
        &author,
        &[
            "push",
            "-q",
            origin.to_str().unwrap(),
            "main:refs/heads/main",
        ],
    );
    origin
}

/// One run of the action on a fresh runner: a new clone, the history restored, the check, the history
/// saved.
struct Run {
    outputs: HashMap<String, String>,
    annotations: String,
    summary: String,
    issue: Option<String>,
    restored: Vec<String>,
    checkout: PathBuf,
    sha: String,
}

fn run_action(root: &Path, origin: &Path, name: &str, args: &str) -> Run {
    let runner = root.join(name);
    let checkout = runner.join("checkout");
    let temp = runner.join("temp");
    let report_dir = temp.join("citecheck/reports");
    let out_dir = temp.join("citecheck");
    fs::create_dir_all(&temp).unwrap();
    git(
        root,
        &[
            "clone",
            "-q",
            "--depth=1",
            &format!("file://{}", origin.display()),
            checkout.to_str().unwrap(),
        ],
    );
    let sha = git(&checkout, &["rev-parse", "HEAD"]);

    run_ok(
        command("bash", &checkout)
            .arg(script("history.sh"))
            .args(["restore", BRANCH])
            .arg(&report_dir),
    );
    let mut restored: Vec<String> = fs::read_dir(&report_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    restored.sort();

    let github_output = runner.join("github_output");
    let step_summary = runner.join("step_summary");
    let check = run_ok(
        command("bash", &checkout)
            .arg(script("check.sh"))
            .env("CITECHECK", env!("CARGO_BIN_EXE_citecheck"))
            .env("INPUT_PATHS", "briefs/")
            .env("INPUT_ARGS", args)
            .env("INPUT_FAIL_ON", "error")
            .env("INPUT_WAYBACK", "off")
            .env("INPUT_SARIF", "true")
            .env("REPORT_DIR", &report_dir)
            .env("OUT_DIR", &out_dir)
            .env("GITHUB_OUTPUT", &github_output)
            .env("GITHUB_STEP_SUMMARY", &step_summary)
            .env("GITHUB_SERVER_URL", "https://github.example")
            .env("GITHUB_REPOSITORY", "owner/docs")
            .env("GITHUB_SHA", &sha)
            .env("GITHUB_RUN_ID", "77"),
    );
    let outputs: HashMap<String, String> = fs::read_to_string(&github_output)
        .unwrap()
        .lines()
        .map(|line| {
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not key=value: {line:?}"));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let issue = outputs
        .get("issue_body")
        .map(|path| fs::read_to_string(path).unwrap());

    if !outputs["report"].is_empty() {
        run_ok(
            command("bash", &checkout)
                .arg(script("history.sh"))
                .args(["save", BRANCH])
                .arg(&report_dir),
        );
    }
    Run {
        outputs,
        annotations: String::from_utf8(check.stdout).unwrap(),
        summary: fs::read_to_string(&step_summary).unwrap_or_default(),
        issue,
        restored,
        checkout,
        sha,
    }
}

/// The files of `reports/` on the history branch of `origin`.
fn branch_files(origin: &Path) -> Vec<String> {
    let listing = git(
        origin,
        &["ls-tree", "--name-only", &format!("{BRANCH}:reports")],
    );
    listing.lines().map(str::to_owned).collect()
}

const BRIEF: &str = "A brief citing three pages.<sup>1</sup> <sup>2</sup> <sup>3</sup>\n\
\n\
<sup>1</sup> \"A live page,\" *Site*, 2020, <{live}>\n\
\n\
<sup>2</sup> \"A page about to go,\" *Site*, 2021, <{moving}>\n\
\n\
<sup>3</sup> \"A page long gone,\" *Site*, 2019, <{gone}>\n";

#[test]
fn history_on_a_branch_across_two_runs_and_a_newly_broken_citation() {
    let moved_away = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&moved_away);
    let server = Server::http(move |hit, _| match hit.path.as_str() {
        "/live" => Reply::html(200, "<title>A live page</title>"),
        "/moving" if !flag.load(Ordering::SeqCst) => {
            Reply::html(200, "<title>A page about to go</title>")
        }
        _ => Reply::html(404, "<title>Not found</title>"),
    });
    let (live, moving, gone) = (
        server.url("/live"),
        server.url("/moving"),
        server.url("/gone"),
    );
    let brief = BRIEF
        .replace("{live}", &live)
        .replace("{moving}", &moving)
        .replace("{gone}", &gone);
    let root = tempfile::tempdir().unwrap();
    let origin = documents_repository(root.path(), &brief);
    // Arguments as a workflow gives them: quoted values keep their blanks.
    let args = "--keep 10 --header 'X-Probe: two words'";

    // First run: no history yet; the long-gone page is newly broken.
    let first = run_action(root.path(), &origin, "run1", args);
    assert!(
        first.restored.is_empty(),
        "nothing to restore: {:?}",
        first.restored
    );
    assert_eq!(first.outputs["exit_code"], "1");
    assert_eq!(first.outputs["broken"], "1");
    assert_eq!(first.outputs["newly_broken"], "1");
    assert!(
        first
            .annotations
            .contains("::error file=briefs/brief.md,line=7,"),
        "{}",
        first.annotations
    );
    assert!(
        first.summary.contains("**Newly broken** (1)"),
        "{}",
        first.summary
    );
    assert!(Path::new(&first.outputs["sarif"]).is_file());
    let issue = first
        .issue
        .as_deref()
        .expect("an issue body on the first run");
    assert!(issue.contains(&format!("<{gone}>")), "{issue}");
    assert!(!issue.contains(&moving), "{issue}");
    let probes: Vec<String> = server
        .hits_for("/live")
        .iter()
        .flat_map(|h| h.headers.clone())
        .filter(|(k, _)| k == "x-probe")
        .map(|(_, v)| v)
        .collect();
    assert!(
        !probes.is_empty() && probes.iter().all(|p| p == "two words"),
        "args are split as xargs does: {probes:?}"
    );
    let after_first = branch_files(&origin);
    assert_eq!(after_first.len(), 2, "{after_first:?}");
    assert!(after_first.contains(&"latest.json".to_owned()));
    assert_eq!(git(&origin, &["rev-list", "--count", BRANCH]), "1");
    assert_eq!(
        git(&origin, &["log", "-1", "--format=%an", BRANCH]),
        "github-actions[bot]"
    );

    // The report names carry the second: the next run must start in another one.
    std::thread::sleep(Duration::from_millis(1100));
    moved_away.store(true, Ordering::SeqCst);

    // Second run on a fresh runner: the history comes back from the branch; the page that went away is
    // the one newly broken citation, the long-gone one is still broken.
    let second = run_action(root.path(), &origin, "run2", args);
    assert_eq!(second.restored, after_first, "the history is restored");
    assert_eq!(second.outputs["exit_code"], "1");
    assert_eq!(second.outputs["broken"], "2");
    assert_eq!(second.outputs["newly_broken"], "1");
    assert!(
        second
            .annotations
            .contains("::error file=briefs/brief.md,line=5,"),
        "{}",
        second.annotations
    );
    let issue = second.issue.as_deref().expect("an issue body");
    assert!(
        issue.starts_with("<!-- citecheck: newly broken citations -->\n"),
        "{issue}"
    );
    assert!(
        issue.contains(
            "[The citation check](https://github.example/owner/docs/actions/runs/77) of "
        ),
        "{issue}"
    );
    assert!(issue.contains("found 1 newly broken citation:"), "{issue}");
    let item = format!(
        "- <{moving}> **broken** (404 Not Found) in [briefs/brief.md footnote 2, line 5]\
         (https://github.example/owner/docs/blob/{}/briefs/brief.md#L5)\n",
        second.sha
    );
    assert!(issue.contains(&item), "{item:?} not in:\n{issue}");
    assert!(!issue.contains(&gone), "still broken is not new: {issue}");
    assert!(
        issue.contains("1 more still broken since earlier runs"),
        "{issue}"
    );

    let after_second = branch_files(&origin);
    assert_eq!(after_second.len(), 3, "{after_second:?}");
    assert!(after_first.iter().all(|f| after_second.contains(f)));
    assert_eq!(git(&origin, &["rev-list", "--count", BRANCH]), "2");
    let latest: serde_json::Value = serde_json::from_str(&git(
        &origin,
        &["show", &format!("{BRANCH}:reports/latest.json")],
    ))
    .unwrap();
    assert_eq!(latest["changes"]["newly_broken"][0]["url"], moving.as_str());
    assert_eq!(latest["changes"]["still_broken"][0]["url"], gone.as_str());

    // The documents' checkout is left as it was: same branch, clean tree.
    assert_eq!(
        git(&second.checkout, &["symbolic-ref", "HEAD"]),
        "refs/heads/main"
    );
    assert_eq!(git(&second.checkout, &["status", "--porcelain"]), "");
    assert_eq!(git(&second.checkout, &["rev-parse", "HEAD"]), second.sha);
}

#[test]
fn a_clean_run_has_no_issue_and_exit_code_zero() {
    let server = Server::http(|_, _| Reply::html(200, "<title>A live page</title>"));
    let brief = format!(
        "Cited.<sup>1</sup>\n\n<sup>1</sup> \"A live page,\" *Site*, 2020, <{}>\n",
        server.url("/live")
    );
    let root = tempfile::tempdir().unwrap();
    let origin = documents_repository(root.path(), &brief);
    let run = run_action(root.path(), &origin, "run", "");
    assert_eq!(run.outputs["exit_code"], "0");
    assert_eq!(run.outputs["broken"], "0");
    assert_eq!(run.outputs["newly_broken"], "0");
    assert_eq!(run.issue, None);
    assert!(!run.outputs.contains_key("issue_body"));
    assert!(!run.annotations.contains("::error"), "{}", run.annotations);
    assert_eq!(branch_files(&origin).len(), 2);

    // A run that writes no report (here a usage error) gives exit code 2 and no counts: the report
    // restored from the history is not taken for this run's, and nothing is committed.
    let failed = run_action(root.path(), &origin, "failed", "--no-such-option");
    assert_eq!(failed.restored.len(), 2);
    assert_eq!(failed.outputs["exit_code"], "2");
    assert_eq!(failed.outputs["broken"], "");
    assert_eq!(failed.outputs["newly_broken"], "");
    assert_eq!(failed.outputs["report"], "");
    assert_eq!(failed.issue, None);
    assert_eq!(git(&origin, &["rev-list", "--count", BRANCH]), "1");
}

#[test]
fn an_unreadable_remote_is_not_taken_for_a_first_run() {
    let root = tempfile::tempdir().unwrap();
    let checkout = root.path().join("checkout");
    fs::create_dir_all(&checkout).unwrap();
    git(&checkout, &["init", "-q", "-b", "main"]);
    let missing = root.path().join("no-such-origin.git");
    git(
        &checkout,
        &["remote", "add", "origin", missing.to_str().unwrap()],
    );
    let output = command("bash", &checkout)
        .arg(script("history.sh"))
        .args(["restore", BRANCH])
        .arg(root.path().join("reports"))
        .output()
        .unwrap();
    assert!(!output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("first run"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot read branch reports"),
        "{output:?}"
    );
}

/// `action.yml` and its scripts agree: every script it calls exists, every `inputs.X` it reads is
/// declared, and every `steps.check.outputs.X` it reads (its own outputs included) is one `check.sh`
/// writes.
#[test]
fn action_yml_matches_its_scripts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = fs::read_to_string(root.join("action.yml")).unwrap();
    let check = fs::read_to_string(script("check.sh")).unwrap();

    let scripts = regex::Regex::new(r#"GITHUB_ACTION_PATH/(action/[\w.-]+)"#).unwrap();
    let called: Vec<&str> = scripts
        .captures_iter(&action)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert!(called.len() >= 5, "{called:?}");
    for path in &called {
        assert!(root.join(path).is_file(), "action.yml calls missing {path}");
    }

    let inputs_block =
        &action[action.find("\ninputs:\n").unwrap()..action.find("\noutputs:\n").unwrap()];
    let declared: Vec<&str> = regex::Regex::new(r"(?m)^  ([\w-]+):$")
        .unwrap()
        .captures_iter(inputs_block)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(
        declared,
        [
            "paths",
            "args",
            "fail-on",
            "report-branch",
            "wayback",
            "sarif",
            "issue",
            "version"
        ]
    );
    for c in regex::Regex::new(r"inputs\.([\w-]+)")
        .unwrap()
        .captures_iter(&action)
    {
        let name = c.get(1).unwrap().as_str();
        assert!(
            declared.contains(&name),
            "action.yml reads undeclared input {name}"
        );
    }

    let read: Vec<&str> = regex::Regex::new(r"steps\.check\.outputs\.(\w+)")
        .unwrap()
        .captures_iter(&action)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    for name in ["exit_code", "broken", "newly_broken"] {
        assert!(
            action.contains(&format!("  {name}:\n    description: "))
                && action.contains(&format!("value: ${{{{ steps.check.outputs.{name} }}}}")),
            "output {name} is not declared from the check step"
        );
    }
    for name in read {
        // Counts come from report.py; the others are echoed by check.sh.
        let written = check.contains(&format!("echo \"{name}="))
            || (matches!(name, "broken" | "newly_broken")
                && fs::read_to_string(script("report.py"))
                    .unwrap()
                    .contains(&format!("{name}={{")));
        assert!(
            written,
            "action.yml reads output {name} that check.sh never writes"
        );
    }
}

/// check.sh alone in `dir`, with `inputs` (INPUT_* variables): its step outputs, stdout and job
/// summary.
fn check_step(dir: &Path, inputs: &[(&str, &str)]) -> (HashMap<String, String>, String, String) {
    let out_dir = dir.join(".out");
    let github_output = dir.join("github_output");
    let summary = dir.join("step_summary");
    let _ = fs::remove_file(&github_output);
    let _ = fs::remove_file(&summary);
    let mut cmd = command("bash", dir);
    cmd.arg(script("check.sh"))
        .env("CITECHECK", env!("CARGO_BIN_EXE_citecheck"))
        .env("REPORT_DIR", dir.join("reports"))
        .env("OUT_DIR", &out_dir)
        .env("GITHUB_OUTPUT", &github_output)
        .env("GITHUB_STEP_SUMMARY", &summary);
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let output = run_ok(&mut cmd);
    let outputs = fs::read_to_string(&github_output)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    (
        outputs,
        String::from_utf8(output.stdout).unwrap(),
        fs::read_to_string(&summary).unwrap_or_default(),
    )
}

/// The user's `args` win over the action's own flags, the repository's citecheck.toml over the
/// action's defaults, and a path that is not there is named in the job summary (issue 22).
#[test]
fn the_action_defers_to_the_users_arguments_and_config() {
    let server = Server::http(|_, _| Reply::html(200, "<title>A page</title>"));
    let dir = tempfile::tempdir().unwrap();
    // Footnote 2 is defined but never cited: a warning, not an error.
    fs::write(
        dir.path().join("brief.md"),
        format!(
            "Cited.<sup>1</sup>\n\n<sup>1</sup> \"A page,\" *Site*, 2020, <{}>\n\n<sup>2</sup> \"Another,\" *Site*, 2020, <{}>\n",
            server.url("/a"),
            server.url("/b")
        ),
    )
    .unwrap();

    // `--format json` in args: no clash with the action's `--format github`; stdout is the report.
    let (outputs, stdout, _) = check_step(
        dir.path(),
        &[("INPUT_PATHS", "brief.md"), ("INPUT_ARGS", "--format json")],
    );
    assert_eq!(outputs["exit_code"], "0", "{stdout}");
    let json_start = stdout.find('{').unwrap();
    let report: serde_json::Value = serde_json::from_str(
        stdout[json_start..]
            .lines()
            .take_while(|l| !l.starts_with("citecheck exited"))
            .collect::<Vec<_>>()
            .join("\n")
            .as_str(),
    )
    .unwrap();
    assert_eq!(report["summary"]["links"]["checked"], 2);

    // fail-on from citecheck.toml when the input is empty: the warning fails the run.
    fs::write(dir.path().join("citecheck.toml"), "fail-on = \"warning\"\n").unwrap();
    let (outputs, stdout, _) = check_step(dir.path(), &[("INPUT_PATHS", "brief.md")]);
    assert_eq!(outputs["exit_code"], "1", "{stdout}");
    // …and an input set wins over the file.
    let (outputs, stdout, _) = check_step(
        dir.path(),
        &[("INPUT_PATHS", "brief.md"), ("INPUT_FAIL_ON", "error")],
    );
    assert_eq!(outputs["exit_code"], "0", "{stdout}");
    // …and so does a flag in args.
    let (outputs, _, _) = check_step(
        dir.path(),
        &[
            ("INPUT_PATHS", "brief.md"),
            ("INPUT_ARGS", "--fail-on error"),
        ],
    );
    assert_eq!(outputs["exit_code"], "0");

    // A missing path: named in the job summary, with citecheck's own error line.
    let (outputs, _, summary) =
        check_step(dir.path(), &[("INPUT_PATHS", "brief.md missing-folder/")]);
    assert_eq!(outputs["exit_code"], "2");
    assert!(
        summary.contains("`missing-folder/`: no such file or directory"),
        "{summary}"
    );
    assert!(summary.contains("could not check everything"), "{summary}");
}
