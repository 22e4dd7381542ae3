//! `citecheck completions SHELL` and `citecheck man`: generated from the same clap definition as the
//! command line, so they name every subcommand and flag.

mod common;

use common::citecheck;

fn stdout(args: &[&str]) -> String {
    let output = citecheck().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stderr.is_empty());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn completion_scripts_know_the_subcommands_and_flags() {
    let bash = stdout(&["completions", "bash"]);
    assert!(bash.contains("_citecheck()") && bash.contains("complete -F _citecheck"));
    assert!(bash.contains("--report-dir") && bash.contains("html"));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains("report-dir"), "{shell}");
    }
    let output = citecheck().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn man_page_is_roff() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH citecheck 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS") || page.contains("citecheck\\-check"));
    assert!(page.contains("extract") && page.contains("completions"));
}

/// `citecheck man --dir DIR` writes a page for the tool and one for each subcommand the top page
/// names (issue 22: they were named but never written), creating the folder.
#[test]
fn man_pages_for_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let man1 = dir.path().join("share/man/man1");
    let output = citecheck()
        .args(["man", "--dir"])
        .arg(&man1)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mut pages: Vec<String> = std::fs::read_dir(&man1)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "citecheck.1",
        "citecheck-extract.1",
        "citecheck-check.1",
        "citecheck-fix.1",
        "citecheck-report.1",
        "citecheck-report-show.1",
        "citecheck-report-diff.1",
        "citecheck-completions.1",
    ] {
        assert!(pages.contains(&page.to_owned()), "{page} not in {pages:?}");
    }
    assert!(!pages.iter().any(|p| p.contains("__read")), "{pages:?}");
    // Each page a subcommand's own: `fix` shows its options, not those it refuses.
    let fix = std::fs::read_to_string(man1.join("citecheck-fix.1")).unwrap();
    assert!(
        fix.contains("fix\\-on") && !fix.contains(r"\fB\-\-report\-dir\fR"),
        "{fix}"
    );
    // The top page names only pages that exist.
    let top = std::fs::read_to_string(man1.join("citecheck.1")).unwrap();
    for named in regex::Regex::new(r"citecheck\\-([a-z\\-]+)\(1\)")
        .unwrap()
        .captures_iter(&top)
    {
        let page = format!("citecheck-{}.1", named[1].replace("\\-", "-"));
        assert!(pages.contains(&page), "{page} named but not written");
    }
}
