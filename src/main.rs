//! The `citecheck` binary: parses the command line, calls the library, maps the outcome to an exit code.

mod cli;
mod fix_command;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use citecheck::archive::wayback::SaveKeys;
use citecheck::archive::{self, Wayback, WaybackMode};
use citecheck::check::{self, Checker};
use citecheck::extract::{self, Document, ExtractOptions, Severity};
use citecheck::input::{self, Source};
use citecheck::report::stream::DocumentStream;
use citecheck::report::{self, Report, history, store};
use citecheck::sanitize;

use cli::{Cli, Command, InputArgs, Options, ReportCommand};

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
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
        Command::Extract(args) => extract_command(args),
        Command::Check(args) => check_command(args),
        Command::Report(command) => report_command(command),
        Command::Fix(args) => fix_command::run(args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cli::command(), "citecheck", &mut out);
            write_page(&out, &[])?;
            Ok(Exit::Clean)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cli::command())
                .render(&mut out)
                .context("cannot render the man page")?;
            write_page(&out, &[])?;
            Ok(Exit::Clean)
        }
    }
}

fn report_command(command: ReportCommand) -> anyhow::Result<Exit> {
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
        ReportCommand::Diff { old, new, options } => {
            let options = options.with_config_file()?;
            let old = load_report(&old)?;
            let mut new = load_report(&new)?;
            let past = history::PastRun::from_report(&old)
                .with_context(|| "the old report has no generated_at: is it a check report?")?;
            let at = new.generated_time().unwrap_or_else(chrono::Utc::now);
            let results = new.results.as_deref().unwrap_or_default();
            new.changes = Some(history::changes(at, results, &[past], &options.history()));
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

/// Writes a rendered page to each `--output` (atomically; `-` is stdout), or to stdout.
fn write_page(bytes: &[u8], outputs: &[std::path::PathBuf]) -> anyhow::Result<()> {
    let stdout = |bytes: &[u8]| -> anyhow::Result<()> {
        let mut out = io::stdout().lock();
        match out.write_all(bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("cannot write to stdout"),
        }
    };
    if outputs.is_empty() {
        return stdout(bytes);
    }
    for path in outputs {
        if path.as_os_str() == "-" {
            stdout(bytes)?;
        } else {
            store::write_atomic(path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

/// Reads an archived JSON report, refusing one of another `schema_version`.
fn load_report(path: &std::path::Path) -> anyhow::Result<Report> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    report::from_json(&bytes).with_context(|| path.display().to_string())
}

fn extract_command(args: InputArgs) -> anyhow::Result<Exit> {
    let options = args.options.with_config_file()?;
    if options.output.is_empty() && DocumentStream::new(io::sink(), options.format()).is_some() {
        return stream_extract(&args.inputs, &options);
    }
    let Some((documents, trouble)) = load_documents(&args.inputs, &options) else {
        return Ok(Exit::Trouble);
    };
    let report = Report::new(documents);
    emit_all(&report, &options)?;
    let exit = exit_code(&report, &options, trouble);
    // The process ends next: freeing a large report piece by piece would only delay the exit.
    std::mem::forget(report);
    Ok(exit)
}

/// `extract` to stdout, one document at a time (the same bytes as the whole report at once).
fn stream_extract(inputs: &[std::path::PathBuf], options: &Options) -> anyhow::Result<Exit> {
    let stdout = io::stdout();
    let out = BufWriter::new(stdout.lock());
    let mut stream = DocumentStream::new(out, options.format()).expect("a streamable format");
    let read = read_documents(inputs, options, |doc| stream.document(&doc));
    let (count, trouble, worst) = match read {
        Ok((0, _)) => return Ok(Exit::Trouble),
        Ok((count, trouble)) => match stream.finish() {
            Ok((_, worst)) => (count, trouble, worst),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Exit::Clean),
            Err(e) => return Err(e).context("cannot write the report to stdout"),
        },
        // A closed pipe (`citecheck … | head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Exit::Clean),
        Err(e) => return Err(e).context("cannot write the report to stdout"),
    };
    debug_assert!(count > 0);
    Ok(exit_for(worst, options, trouble))
}

fn check_command(args: InputArgs) -> anyhow::Result<Exit> {
    let options = args.options.with_config_file()?;
    let (mut report, trouble) = match checked_report(&args.inputs, &options)? {
        Ok(checked) => checked,
        Err(exit) => return Ok(exit),
    };
    // The report is written out even when the archive fails; the failure then decides the exit code.
    let archived = archive(&mut report, &options);
    emit_all(&report, &options)?;
    archived?;
    Ok(exit_code(&report, &options, trouble))
}

/// Reads `inputs` and checks every cited URL: the report, and whether an input failed; `Err(exit)`
/// when the run ends early (no document readable, interrupted).
fn checked_report(
    inputs: &[std::path::PathBuf],
    options: &Options,
) -> anyhow::Result<Result<(Report, bool), Exit>> {
    let config = options.check_config()?;
    let Some((mut documents, trouble)) = load_documents(inputs, options) else {
        return Ok(Err(Exit::Trouble));
    };
    if options.git_dates {
        add_git_dates(&mut documents);
    }
    let mut requests = check::plan(&documents, &config, options.base_url.as_ref());
    if let Some(shard) = options.shard {
        requests.retain(|r| shard.contains(&r.url));
    }
    // Recent successes from an earlier report stand in for new checks; the rest is checked.
    let mut reused: Vec<(usize, check::CheckResult)> = Vec::new();
    if let Some((path, max_age)) = options.cache()? {
        if path.exists() {
            let mut cached =
                report::cache::reusable(&load_report(&path)?, max_age, chrono::Utc::now());
            let mut kept = Vec::with_capacity(requests.len());
            for (i, request) in requests.into_iter().enumerate() {
                match cached.remove(&request.url) {
                    Some(mut result) => {
                        result.cited_in = request.cited_in;
                        reused.push((i, result));
                    }
                    None => kept.push(request),
                }
            }
            requests = kept;
        } else {
            eprintln!(
                "citecheck: no cache yet at {}: checking everything",
                path.display()
            );
        }
    }
    let checker = Checker::new(config).context("cannot start the checker")?;

    let progress = progress_bar(requests.len() as u64, options.no_progress);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let started = Instant::now();
    let bar = progress.clone();
    let spawned = checker.clone();
    let checking = runtime.spawn(async move {
        spawned
            .check_all(requests, |result| {
                bar.set_message(sanitize::line(&result.url).into_owned());
                bar.inc(1);
            })
            .await
    });
    // Ctrl-C stops the run before any report is written: the archived reports stay as they were.
    let outcome = runtime.block_on(async {
        tokio::select! {
            joined = checking => Some(joined),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    progress.finish_and_clear();
    let Some(joined) = outcome else {
        eprintln!("citecheck: interrupted: no report written");
        return Ok(Err(Exit::Interrupted));
    };
    let mut results = joined.context("the checker stopped unexpectedly")?;
    // Put reused results back in request order.
    for (i, result) in reused {
        results.insert(i.min(results.len()), result);
    }

    if checker.nothing_resolved() {
        eprintln!(
            "citecheck: no host could be resolved: is this machine offline? (`--offline` checks structure only)"
        );
    }
    runtime.block_on(try_alternatives(&checker, &documents, &mut results));

    let wayback_mode = options.wayback.unwrap_or(WaybackMode::Off);
    if wayback_mode != WaybackMode::Off || options.save {
        let wayback = Wayback::new(&checker);
        runtime.block_on(async {
            if wayback_mode != WaybackMode::Off {
                let bar = progress_bar(results.len() as u64, options.no_progress);
                bar.set_message("Wayback Machine");
                archive::wayback::annotate(&wayback, &documents, &mut results, wayback_mode, |_| bar.inc(1)).await;
                bar.finish_and_clear();
            }
            if options.save {
                let keys = SaveKeys::from_env();
                if keys.is_none() {
                    eprintln!("citecheck: --save: nothing saved: IA_ACCESS_KEY and IA_SECRET_KEY are not set");
                }
                let max_age = options.save_max_age.unwrap_or(30);
                let now = chrono::Utc::now().naive_utc();
                archive::wayback::save_live(&wayback, &mut results, keys.as_ref(), max_age, now).await;
            }
        });
    }
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    let now = chrono::Utc::now();
    let mut report = Report::with_results(documents, results, elapsed_ms, now);
    // An input that could not be read has no results here: history must not take them as gone.
    report.incomplete = trouble;
    Ok(Ok((report, trouble)))
}

/// How long a run waits for another one to finish with the report directory: far longer than any
/// archive write takes.
const REPORT_DIR_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// With `--report-dir`: holding the directory, what changed since the archived reports, then the report
/// archived.
fn archive(report: &mut Report, options: &Options) -> anyhow::Result<()> {
    let Some(dir) = &options.report_dir else {
        return Ok(());
    };
    let archive = store::Archive::open(dir, REPORT_DIR_WAIT, || {
        eprintln!(
            "citecheck: waiting for another run to finish with {} (up to {} s)",
            dir.display(),
            REPORT_DIR_WAIT.as_secs()
        );
    })?;
    let at = report.generated_time().unwrap_or_else(chrono::Utc::now);
    // Runs that waited for the lock may find a later run archived already: only earlier runs count.
    let mut past = archive.history()?;
    past.retain(|r| r.generated_at <= at);
    let results = report.results.as_deref().unwrap_or_default();
    report.changes = Some(history::changes(at, results, &past, &options.history()));
    archive.save(report, options.keep)?;
    Ok(())
}

/// A progress bar on stderr when it is a terminal; hidden otherwise, so logs and pipes stay clean.
fn progress_bar(total: u64, disabled: bool) -> ProgressBar {
    if disabled || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Reads and extracts every input in order, in parallel batches, handing each document to `sink` as
/// its batch completes: a folder of thousands of documents is never held in memory at once. Inputs that
/// fail are reported on stderr; returns how many documents were read and whether any input failed.
fn read_documents(
    inputs: &[std::path::PathBuf],
    options: &Options,
    mut sink: impl FnMut(Document) -> io::Result<()>,
) -> io::Result<(usize, bool)> {
    let (sources, input_errors) = input::collect_sources(inputs);
    let extract_options = ExtractOptions {
        base_url: options.base_url.clone(),
    };
    let max_size = options.max_file_size();
    let mut trouble = !input_errors.is_empty();
    for err in &input_errors {
        eprintln!("citecheck: error: {}", sanitize::line(&err.to_string()));
    }
    let read_one = |source: &Source| -> citecheck::Result<Document> {
        let binary = options
            .input_format
            .or_else(|| source.path().and_then(extract::format_for_path))
            .filter(|f| extract::is_binary(*f));
        if let Some(format) = binary {
            let bytes = input::read_bytes(source, max_size)?;
            return extract::extract_bytes(&source.display(), &bytes, format, &extract_options)
                .map_err(|e| citecheck::Error::Document {
                    path: source.path().map_or_else(|| "-".into(), Into::into),
                    reason: e.to_string(),
                });
        }
        let content = input::read_source(source, max_size)?;
        Ok(extract_document(
            source,
            &content,
            options.input_format,
            &extract_options,
        ))
    };
    // Documents are independent: each batch is read and extracted in parallel, in input order.
    let batch = rayon::current_num_threads().max(1) * 4;
    let mut count = 0;
    for chunk in sources.chunks(batch) {
        // A reader that panics on a hostile document makes that document an error, not a crash.
        let guarded = |source: &Source| -> citecheck::Result<Document> {
            citecheck::panics::quietly(|| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_one(source)))
            })
            .unwrap_or_else(|_| {
                Err(citecheck::Error::Document {
                    path: source.path().map_or_else(|| "-".into(), Into::into),
                    reason: "the document could not be read (a reader failed on it)".into(),
                })
            })
        };
        let outcomes: Vec<citecheck::Result<Document>> = chunk.par_iter().map(guarded).collect();
        for outcome in outcomes {
            match outcome {
                Ok(doc) => {
                    count += 1;
                    sink(doc)?;
                }
                Err(err) => {
                    eprintln!("citecheck: error: {}", sanitize::line(&err.to_string()));
                    trouble = true;
                }
            }
        }
    }
    Ok((count, trouble))
}

/// `--git-dates`: each undated footnote gets the day its line was committed. Word and PDF documents
/// have no lines that git knows.
fn add_git_dates(documents: &mut [Document]) {
    for doc in documents {
        if extract::is_binary(doc.format) || doc.footnotes.iter().all(|f| f.date.is_some()) {
            continue;
        }
        let Some(dates) = citecheck::git::line_dates(std::path::Path::new(&doc.path)) else {
            eprintln!(
                "citecheck: --git-dates: {} is not committed in a git work tree: its undated footnotes keep no date",
                doc.path
            );
            continue;
        };
        for footnote in doc.footnotes.iter_mut().filter(|f| f.date.is_none()) {
            footnote.committed = dates.get(&footnote.line).cloned();
        }
    }
}

/// Every document in memory (for `check`, which needs them all); `None` when none could be read.
fn load_documents(
    inputs: &[std::path::PathBuf],
    options: &Options,
) -> Option<(Vec<Document>, bool)> {
    let mut documents = Vec::new();
    let (_, trouble) = read_documents(inputs, options, |doc| {
        documents.push(doc);
        Ok(())
    })
    .ok()?;
    (!documents.is_empty()).then_some((documents, trouble))
}

fn exit_code(report: &Report, options: &Options, trouble: bool) -> Exit {
    exit_for(report.worst(), options, trouble)
}

/// 2 when an input failed, else 1 when something reaches the `--fail-on` level, else 0.
fn exit_for(worst: Option<Severity>, options: &Options, trouble: bool) -> Exit {
    if trouble {
        Exit::Trouble
    } else if worst.is_some_and(|w| w >= options.fail_on().threshold()) {
        Exit::Findings
    } else {
        Exit::Clean
    }
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

/// A URL printed with a hyphen at a line break (PDF) that came out broken is tried again without the
/// hyphen; when that form answers, its result stands for the printed URL and says so.
async fn try_alternatives(
    checker: &Checker,
    documents: &[Document],
    results: &mut [check::CheckResult],
) {
    let alternatives: std::collections::HashMap<&str, &str> = documents
        .iter()
        .flat_map(|d| d.alternatives.iter())
        .map(|(printed, alt)| (printed.as_str(), alt.as_str()))
        .collect();
    if alternatives.is_empty() {
        return;
    }
    for result in results.iter_mut().filter(|r| r.status.is_error()) {
        let Some(&alt) = alternatives.get(result.url.as_str()) else {
            continue;
        };
        let Ok(uri) = citecheck::uri::Uri::parse(alt) else {
            continue;
        };
        let request = check::CheckRequest {
            url: alt.to_owned(),
            target: check::Target::Fetch(uri),
            cited_in: result.cited_in.clone(),
            cited_as: Vec::new(),
        };
        let answer = checker.check(&request).await;
        if answer.status == check::Status::Ok {
            let printed = std::mem::take(&mut result.url);
            *result = check::CheckResult {
                url: printed,
                answered_as: Some(answer.url.clone()),
                ..answer
            };
        }
    }
}

/// Writes the report to each `--output` (atomically, in the format its extension names), or to stdout
/// when there is none.
fn emit_all(report: &Report, options: &Options) -> anyhow::Result<()> {
    if options.output.is_empty() {
        return emit(report, options.format());
    }
    for path in &options.output {
        if path.as_os_str() == "-" {
            emit(report, options.format())?;
            continue;
        }
        let format = report::Format::for_path(path).unwrap_or(options.format());
        let mut bytes = Vec::new();
        report::write(report, format, &mut bytes).context("cannot render the report")?;
        store::write_atomic(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
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
