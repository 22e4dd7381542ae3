//! `citecheck report show|diff|merge|html`: archived reports read, compared, joined and drawn.

use anyhow::Context;

use citecheck::report::{self, Report, history};

use super::{archive, emit_all, exit_code, load_report, write_page};
use crate::Exit;
use crate::cli::ReportCommand;

pub(crate) fn run(command: ReportCommand) -> anyhow::Result<Exit> {
    match command {
        ReportCommand::Show { report, options } => {
            let options = options.with_config_file()?;
            let path = if report.is_dir() {
                let latest = report.join("latest.json");
                if !latest.exists() {
                    anyhow::bail!(
                        "{} holds no report yet: run `citecheck check … --report-dir {}` first",
                        report.display(),
                        report.display()
                    );
                }
                latest
            } else {
                report
            };
            let report = load_report(&path)?;
            emit_all(&report, &options)?;
            Ok(exit_code(&report, &options, false))
        }
        ReportCommand::Diff {
            old,
            new,
            full,
            options,
        } => {
            let options = options.with_config_file()?;
            let old = load_report(&old)?;
            let mut new = load_report(&new)?;
            let past = history::PastRun::from_report(&old)
                .with_context(|| "the old report has no generated_at: is it a check report?")?;
            if new
                .generated_time()
                .is_some_and(|at| at < past.generated_at)
            {
                anyhow::bail!(
                    "the old report is newer than the new one: give them as `report diff OLD NEW`"
                );
            }
            history::attach(&mut new, &[past], &options.history());
            // For people, the changes and the counts: the documents' citations are in NEW itself.
            if !full
                && options.output.is_empty()
                && matches!(
                    options.format(),
                    report::Format::Human | report::Format::Markdown
                )
            {
                new.documents.clear();
            }
            emit_all(&new, &options)?;
            let changes = new.changes.as_ref().expect("set above");
            Ok(if changes.newly_broken.is_empty() {
                Exit::Clean
            } else {
                Exit::Findings
            })
        }
        ReportCommand::Merge { reports, options } => {
            let options = options.with_config_file()?;
            let reports = reports
                .iter()
                .map(|p| load_report(p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mut report = Report::merge(reports);
            let archived = archive(&mut report, &options);
            emit_all(&report, &options)?;
            archived?;
            Ok(exit_code(&report, &options, false))
        }
        ReportCommand::Html { dir, options } => {
            let options = options.with_config_file()?;
            // The page is HTML whatever the file is called: a name that says another format would
            // be a file that lies about what it holds.
            if let Some(path) = options
                .output
                .iter()
                .find(|p| report::Format::for_path(p).is_some())
            {
                anyhow::bail!(
                    "{}: `report html` writes an HTML page; name it .html",
                    path.display()
                );
            }
            if !dir.is_dir() {
                anyhow::bail!("{} is not a report directory", dir.display());
            }
            let (runs, skipped) = report::dashboard::load(&dir)
                .with_context(|| format!("cannot read the report directory {}", dir.display()))?;
            if runs.is_empty() {
                eprintln!(
                    "citecheck: {} holds no checked reports yet: run `citecheck check … --report-dir {}` first",
                    dir.display(),
                    dir.display()
                );
            }
            let page = report::dashboard::render(&runs, skipped, &options.history());
            write_page(page.as_bytes(), &options.output)?;
            Ok(Exit::Clean)
        }
    }
}
