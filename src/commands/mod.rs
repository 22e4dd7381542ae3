//! The subcommands, one file each, and what they share: reading documents, writing reports, the
//! report directory, exit codes.

pub(crate) mod check;
pub(crate) mod extract;
pub(crate) mod fix;
pub(crate) mod reports;

use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use citecheck::check::Checker;
use citecheck::extract::{Document, ExtractOptions, Severity};
use citecheck::input::{self, ReadOptions, Reading, Source};
use citecheck::report::{self, Report, history, store};
use citecheck::sanitize;

use crate::Exit;
use crate::cli::Options;

/// `citecheck completions SHELL`.
pub(crate) fn completions(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "citecheck", &mut out);
    write_page(&out, &[])?;
    Ok(Exit::Clean)
}

/// `citecheck man`.
pub(crate) fn man(dir: Option<&std::path::Path>) -> anyhow::Result<Exit> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        clap_mangen::generate_to(crate::cli::command(), dir)
            .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        eprintln!(
            "citecheck: man pages written to {}",
            sanitize::line(&dir.display().to_string())
        );
        return Ok(Exit::Clean);
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(crate::cli::command())
        .render(&mut out)
        .context("cannot render the man page")?;
    write_page(&out, &[])?;
    Ok(Exit::Clean)
}

/// How the options say documents are read.
pub(crate) fn read_options(options: &Options) -> ReadOptions {
    ReadOptions {
        input_format: options.input_format,
        extract: ExtractOptions {
            base_url: options.base_url.clone(),
            links: options.links.unwrap_or_default(),
            no_digest: false,
        },
        max_file_size: options.max_file_size(),
        reader_box: reader_box(options),
        render: None,
    }
}

/// Untrusted documents are read in children of this binary under hard limits (unix; elsewhere in
/// this process, with the readers' own budgets only).
/// `CITECHECK_IN_PROCESS=1` reads them here instead (to debug a reader, or to measure the box).
fn reader_box(options: &Options) -> Option<citecheck::reader_box::ReaderBox> {
    if !cfg!(unix) || std::env::var_os("CITECHECK_IN_PROCESS").is_some_and(|v| v == "1") {
        return None;
    }
    Some(citecheck::reader_box::ReaderBox {
        exe: std::env::current_exe().ok()?,
        memory: options.max_reader_memory(),
        seconds: options.max_reader_seconds(),
        jobs: std::thread::available_parallelism().map_or(1, usize::from),
    })
}

/// A URL given as an input (and not the name of a file here): a document or a listing to fetch.
pub(crate) fn web_input(input: &std::path::Path) -> Option<url::Url> {
    let text = input.to_str()?;
    let scheme = text.split_once("://")?.0;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
        || input.exists()
    {
        return None;
    }
    url::Url::parse(text).ok()
}

/// The network side of a run: the checker and the runtime it runs in. Documents from the web are
/// fetched through the same checker as the links they cite.
pub(crate) struct Net {
    pub runtime: tokio::runtime::Runtime,
    pub checker: Checker,
}

impl Net {
    pub(crate) fn new(options: &Options) -> anyhow::Result<Net> {
        let checker =
            Checker::new(options.checked_config()?).context("cannot start the checker")?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        Ok(Net { runtime, checker })
    }
}

/// The documents the inputs name, in input order: files found, web documents fetched and saved
/// (in a folder kept until they are read), and the inputs that gave none.
pub(crate) struct Found {
    pub sources: Vec<Source>,
    pub errors: Vec<citecheck::Error>,
    _saved: Option<tempfile::TempDir>,
}

/// Finds the documents the inputs name; URLs are fetched through `net` (one is started when
/// none is given and a URL is among the inputs).
pub(crate) fn find_sources(
    inputs: &[std::path::PathBuf],
    options: &Options,
    net: Option<&Net>,
) -> anyhow::Result<Found> {
    // Each input looked at once: a URL, or a path.
    let web: Vec<Option<url::Url>> = inputs.iter().map(|i| web_input(i)).collect();
    let urls: Vec<url::Url> = web.iter().flatten().cloned().collect();
    let mut fetched = Vec::new().into_iter();
    let mut saved = None;
    if !urls.is_empty() {
        let web_options = options.web_options()?;
        let started;
        let net = match net {
            Some(net) => net,
            None => {
                started = Net::new(options)?;
                &started
            }
        };
        let dir = tempfile::Builder::new()
            .prefix("citecheck-web-")
            .tempdir()
            .context("cannot make a folder for the documents fetched")?;
        let spinner = progress_bar(0, options.no_progress);
        spinner.set_message("fetching documents");
        let gathered = net.runtime.block_on(citecheck::web::gather(
            &net.checker,
            &urls,
            &web_options,
            dir.path(),
            |note| spinner.suspend(|| eprintln!("citecheck: {}", sanitize::line(&note))),
        ));
        spinner.finish_and_clear();
        fetched = gathered.into_iter();
        saved = Some(dir);
    }
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for (input, url) in inputs.iter().zip(&web) {
        if url.is_some() {
            for outcome in fetched.next().unwrap_or_default() {
                match outcome {
                    Ok(document) => sources.push(Source::from(document)),
                    Err(err) => errors.push(citecheck::Error::from(err)),
                }
            }
        } else {
            let (found, failed) = input::collect_sources(std::slice::from_ref(input));
            sources.extend(found);
            errors.extend(failed);
        }
    }
    Ok(Found {
        sources,
        errors,
        _saved: saved,
    })
}

/// Reads every input (see [`input::read_sources`]), each input that fails one line on stderr. The
/// outer error: the inputs could not be looked at; the inner one: `sink` failed.
pub(crate) fn read_documents(
    inputs: &[std::path::PathBuf],
    options: &Options,
    net: Option<&Net>,
    render: Option<report::Format>,
    sink: impl FnMut(Reading) -> io::Result<()>,
) -> anyhow::Result<io::Result<(usize, bool)>> {
    let found = find_sources(inputs, options, net)?;
    let mut read = ReadOptions {
        render,
        ..read_options(options)
    };
    // A text report records no digest of its documents: none is taken.
    read.extract.no_digest = render == Some(report::Format::Human);
    Ok(input::read_sources(
        &found.sources,
        &found.errors,
        &read,
        sink,
        |err| {
            eprintln!("citecheck: error: {}", sanitize::line(&err.to_string()));
        },
    ))
}

/// Every document in memory (for `check`, which needs them all); `None` when none could be read.
pub(crate) fn load_documents(
    inputs: &[std::path::PathBuf],
    options: &Options,
    net: Option<&Net>,
) -> anyhow::Result<Option<(Vec<Document>, bool)>> {
    let mut documents = Vec::new();
    let (_, trouble) = read_documents(inputs, options, net, None, |reading| match reading {
        Reading::Document(doc) => {
            documents.push(doc);
            Ok(())
        }
        // None is asked for.
        Reading::Rendered(_) => Err(io::Error::other(
            "a document came rendered where its model was asked for",
        )),
    })?
    .context("cannot keep the documents read")?;
    Ok((!documents.is_empty()).then_some((documents, trouble)))
}

/// Writes a rendered page to each `--output` (atomically; `-` is stdout), or to stdout.
pub(crate) fn write_page(bytes: &[u8], outputs: &[std::path::PathBuf]) -> anyhow::Result<()> {
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
pub(crate) fn load_report(path: &std::path::Path) -> anyhow::Result<Report> {
    use std::io::Read;
    let cannot = || format!("cannot read {}", path.display());
    // A regular file of a report's size: never a FIFO that blocks or a device that never ends
    // (looked at before it is opened: opening a FIFO waits for a writer).
    let meta = std::fs::metadata(path).with_context(cannot)?;
    if !meta.is_file() {
        anyhow::bail!("{}: not a regular file", path.display());
    }
    if meta.len() > history::MAX_REPORT_BYTES {
        anyhow::bail!(
            "{}: too large for a report ({} bytes; at most {})",
            path.display(),
            meta.len(),
            history::MAX_REPORT_BYTES
        );
    }
    let file = std::fs::File::open(path).with_context(cannot)?;
    let mut bytes = Vec::new();
    file.take(history::MAX_REPORT_BYTES)
        .read_to_end(&mut bytes)
        .with_context(cannot)?;
    report::from_json(&bytes).with_context(|| path.display().to_string())
}

/// How long a run waits for another one to finish with the report directory: far longer than any
/// archive write takes.
const REPORT_DIR_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// With `--report-dir`: holding the directory, what changed since the archived reports, then the report
/// archived.
pub(crate) fn archive(report: &mut Report, options: &Options) -> anyhow::Result<()> {
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
    // Runs that waited for the lock may find a later run archived already: only earlier runs count.
    history::attach(report, &archive.history()?, &options.history());
    let ignored = archive.save(report, options.keep)?.ignored;
    // What else is there under a report's name is left alone, and said once.
    if !ignored.is_empty() {
        let list: Vec<String> = ignored
            .iter()
            .take(5)
            .map(|(path, why)| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                format!("{name} ({why})")
            })
            .collect();
        let more = ignored.len().saturating_sub(list.len());
        eprintln!(
            "citecheck: warning: {}: left alone, not read as reports: {}{}",
            sanitize::line(&dir.display().to_string()),
            sanitize::line(&list.join(", ")),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// A progress bar on stderr when it is a terminal; hidden otherwise, so logs and pipes stay clean.
pub(crate) fn progress_bar(total: u64, disabled: bool) -> ProgressBar {
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

pub(crate) fn exit_code(report: &Report, options: &Options, trouble: bool) -> Exit {
    exit_for(report.worst(), options, trouble)
}

/// 2 when an input failed, else 1 when something reaches the `--fail-on` level, else 0.
pub(crate) fn exit_for(worst: Option<Severity>, options: &Options, trouble: bool) -> Exit {
    if trouble {
        Exit::Trouble
    } else if worst.is_some_and(|w| w >= options.fail_on().threshold()) {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// Writes the report to each `--output` (atomically, in the format its extension names), or to stdout
/// when there is none.
pub(crate) fn emit_all(report: &Report, options: &Options) -> anyhow::Result<()> {
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
pub(crate) fn emit(report: &Report, format: report::Format) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = report::write(report, format, &mut out).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report to stdout"),
    }
}
