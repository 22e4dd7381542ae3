//! The `citecheck` binary: parses the command line, calls the library, maps the outcome to an exit code.

mod cli;
mod commands;

use std::process::ExitCode;

use citecheck::sanitize;

use cli::{Cli, Command};

/// jemalloc: the model of a large report is hundreds of thousands of small strings, which it
/// allocates and frees a fifth faster than glibc's malloc, at a lower peak (docs/performance.md).
/// The library leaves the allocator to the program that uses it.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Nothing at or above the `--fail-on` level.
    Clean = 0,
    /// Findings or link results at or above the `--fail-on` level.
    Findings = 1,
    /// Usage, configuration or input error.
    Trouble = 2,
    /// Stopped by Ctrl-C (128 + SIGINT).
    Interrupted = 130,
}

fn main() -> ExitCode {
    citecheck::panics::install_hook();
    let cli = cli::parse();
    let exit = match run(cli) {
        Ok(exit) => exit,
        Err(err) => {
            eprintln!("citecheck: error: {}", sanitize::line(&format!("{err:#}")));
            Exit::Trouble
        }
    };
    ExitCode::from(exit as u8)
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Extract(args) => commands::extract::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Report(command) => commands::reports::run(command),
        Command::Fix(args) => commands::fix::run(args),
        Command::Completions { shell } => commands::completions(shell),
        Command::Man { dir } => commands::man(dir.as_deref()),
        Command::ReadBox => {
            citecheck::reader_box::serve()?;
            Ok(Exit::Clean)
        }
    }
}
