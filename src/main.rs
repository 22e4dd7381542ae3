//! The `citecheck` binary: parses the command line, calls the library, maps the outcome to an exit code.

mod cli;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use rayon::prelude::*;

use citecheck::extract::{self, Document, ExtractOptions};
use citecheck::input::{self, Source};
use citecheck::report::{self, Report};

use cli::{Cli, Command, ExtractArgs};

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// Nothing at or above the `--fail-on` level.
    Clean = 0,
    /// Findings (or, later, broken links) at or above the `--fail-on` level.
    Findings = 1,
    /// Usage, configuration or input error.
    Trouble = 2,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match run(cli) {
        Ok(exit) => exit,
        Err(err) => {
            eprintln!("citecheck: error: {err:#}");
            Exit::Trouble
        }
    };
    ExitCode::from(exit as u8)
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Extract(args) => extract_command(args),
    }
}

fn extract_command(args: ExtractArgs) -> anyhow::Result<Exit> {
    let options = args.options.with_config_file()?;
    let (sources, input_errors) = input::collect_sources(&args.inputs);
    let extract_options = ExtractOptions {
        base_url: options.base_url.clone(),
    };
    let max_size = options.max_file_size();

    // Documents are independent: read and extract them in parallel, keeping the input order.
    let outcomes: Vec<citecheck::Result<Document>> = sources
        .par_iter()
        .map(|source| {
            let content = input::read_source(source, max_size)?;
            Ok(extract_document(
                source,
                &content,
                options.input_format,
                &extract_options,
            ))
        })
        .collect();

    // Inputs that failed are reported on stderr; the rest still make a report, and the exit code says 2.
    let mut trouble = !input_errors.is_empty();
    for err in &input_errors {
        eprintln!("citecheck: error: {err}");
    }
    let mut documents = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok(doc) => documents.push(doc),
            Err(err) => {
                eprintln!("citecheck: error: {err}");
                trouble = true;
            }
        }
    }
    if documents.is_empty() {
        return Ok(Exit::Trouble);
    }

    let report = Report::new(documents);
    emit(&report, options.format())?;
    Ok(if trouble {
        Exit::Trouble
    } else if report
        .worst()
        .is_some_and(|w| w >= options.fail_on().threshold())
    {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

fn extract_document(
    source: &Source,
    content: &str,
    explicit: Option<extract::InputFormat>,
    options: &ExtractOptions,
) -> Document {
    let format = extract::detect_format(source.path(), content, explicit);
    extract::extract(&source.display(), content, format, options)
}

/// Writes the report to stdout. A closed pipe (`citecheck … | head`) is not an error.
fn emit(report: &Report, format: report::Format) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = report::write(report, format, &mut out).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report to stdout"),
    }
}
