//! `citecheck extract`: documents read and linted, no network.

use std::io::{self, BufWriter};

use anyhow::Context;

use citecheck::input::Reading;
use citecheck::report::Report;
use citecheck::report::stream::DocumentStream;

use super::{emit_all, exit_code, exit_for, load_documents, read_documents};
use crate::Exit;
use crate::cli::{InputArgs, Options};

pub(crate) fn run(args: InputArgs) -> anyhow::Result<Exit> {
    let options = args.options.with_config_file()?;
    if options.output.is_empty() && DocumentStream::new(io::sink(), options.format()).is_some() {
        return stream_extract(&args.inputs, &options);
    }
    let Some((documents, trouble)) = load_documents(&args.inputs, &options, None)? else {
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
    // A written document is freed on another thread: freeing the model of 100,000 footnotes
    // piece by piece takes as long as writing it, and the next document need not wait for it.
    // Documents read in the reader box come rendered by the child that read them.
    // (Handed over, not queued: one document is freed while the next is written.)
    let (freed, to_free) = std::sync::mpsc::sync_channel::<Reading>(0);
    std::thread::spawn(move || to_free.into_iter().for_each(drop));
    let render = Some(options.format());
    let read = read_documents(inputs, options, None, render, |mut reading| {
        let written = match &mut reading {
            Reading::Document(doc) => stream.document(doc),
            Reading::Rendered(doc) => stream.rendered(doc),
        };
        // A closed channel (the thread is gone) frees it here instead.
        let _ = freed.send(reading);
        written
    })?;
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
