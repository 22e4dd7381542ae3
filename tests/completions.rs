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
