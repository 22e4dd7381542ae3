//! The reader box: untrusted documents are read in child processes of citecheck itself, under hard
//! limits on memory and time, so that a crash, an abort, a stack overflow, an exhausted memory or a
//! hang in any reader (ours, html5ever, lopdf, pdf-extract, quick-xml) costs one line naming the
//! file, never the run.
//!
//! The parent starts up to `jobs` children (`citecheck __read`, re-executing its own binary), each
//! alive for the whole run. A child gets the reading options as its first line of input and then one
//! path per line; it answers each path with one line of JSON, the document or the error (or, for a
//! report streamed to stdout, the document's counts, then its part of the report rendered by the
//! child, in frames: the parent only copies it). The parent times every answer; a child that goes
//! silent past the time budget is killed, one that dies is replaced, and the document it was reading
//! gets the error. Documents reach the caller in input order, with at most a window of them held at
//! once.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::extract::{Document, ExtractOptions, InputFormat, LinkScope, Severity};
use crate::input::{ReadOptions, Reading, Source};
use crate::report::stream::{self, Rendered, RenderedText};
use crate::report::{Format, Summary};

/// How many paths a child is given at once: a document's answer is not waited for before the next
/// path is sent.
const AHEAD: usize = 16;

/// The hidden subcommand a child runs.
pub const SUBCOMMAND: &str = "__read";

/// Default memory budget of one reader: 1 GiB.
pub const DEFAULT_MEMORY: u64 = 1024 * 1024 * 1024;
/// Default time budget per document: 20 s.
pub const DEFAULT_SECONDS: u64 = 20;

/// Where and how documents are read in children.
#[derive(Debug, Clone)]
pub struct ReaderBox {
    /// The citecheck binary to run as a child.
    pub exe: PathBuf,
    /// The memory (data segment) limit of each child, in bytes.
    pub memory: u64,
    /// The wall-clock budget of one document, in seconds.
    pub seconds: u64,
    /// How many children read at once.
    pub jobs: usize,
}

/// The first line a child reads: how to read what follows.
#[derive(Serialize, Deserialize)]
struct Setup {
    /// Threads for a document's parallel parts: the cores the other children leave free.
    threads: usize,
    input_format: Option<InputFormat>,
    base_url: Option<Url>,
    #[serde(default)]
    links: LinkScope,
    max_file_size: u64,
    /// Documents are answered rendered in this format (see [`ReadOptions::render`]).
    #[serde(default)]
    render: Option<Format>,
    /// The CPU seconds each document may take (the soft limit is renewed before each); 0: not
    /// renewed.
    #[serde(default)]
    cpu_seconds: u64,
    /// See [`ExtractOptions::no_digest`].
    #[serde(default)]
    no_digest: bool,
}

/// A child's answer for one path: a line of JSON. A rendered document's text follows its line in
/// frames (see [`Framed`]).
#[derive(Default, Serialize, Deserialize)]
struct Answer {
    /// The document's text follows in frames as it is read (see [`stream_windowed`]), and its counts
    /// (or an error) on a line after them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    streaming: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document: Option<Document>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rendered: Option<RenderedHead>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// What a stream counts of a rendered document, sent before its text.
#[derive(Serialize, Deserialize)]
struct RenderedHead {
    summary: Summary,
    worst: Option<Severity>,
}

/// The most text a rendered document may have: far past the report of the largest document read.
const MAX_RENDERED: usize = 2 << 30;

/// Writes a rendered document's text as frames: each its length in decimal on a line, then its bytes;
/// a frame of length 0 ends the text. The child writes a large document's report as it renders it.
struct Framed<W: Write> {
    out: W,
    buffer: Vec<u8>,
}

/// The size of a frame.
const FRAME: usize = 1 << 20;

impl<W: Write> Framed<W> {
    fn new(out: W) -> Self {
        // Grown as the text comes: a brief's is a fraction of a frame.
        Framed {
            out,
            buffer: Vec::new(),
        }
    }

    fn frame(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            writeln!(self.out, "{}", self.buffer.len())?;
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Writes what is left and the end of the text.
    fn finish(mut self) -> std::io::Result<W> {
        self.frame()?;
        self.out.write_all(b"0\n")?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Framed<W> {
    /// Takes what fits in the frame being filled: no frame is longer than `FRAME`, however much is
    /// written at once.
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // A large write (a window of rendered footnotes) is a frame of its own, sent without a copy.
        if self.buffer.is_empty() && bytes.len() >= FRAME / 4 {
            let taken = bytes.len().min(FRAME);
            writeln!(self.out, "{taken}")?;
            self.out.write_all(&bytes[..taken])?;
            return Ok(taken);
        }
        let taken = bytes.len().min(FRAME - self.buffer.len());
        self.buffer.extend_from_slice(&bytes[..taken]);
        if self.buffer.len() >= FRAME {
            self.frame()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A rendered document's text past this size goes to a temporary file as it comes (see
/// [`read_frames`]). A brief's report is a few hundred KiB.
const SPOOL: usize = 8 << 20;

/// Reads the frames of a rendered document's text (see [`Framed`]). The text is kept in memory up to
/// `spool` bytes; past that it goes on to an anonymous temporary file, so that the parent does not
/// hold a large document's text (64 MB for 100,000 footnotes) while the child that renders it holds
/// its model. Where no temporary file can be made or written (a full disk), it stays in memory.
fn read_frames(input: &mut impl BufRead, spool: usize) -> std::io::Result<RenderedText> {
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    // The temporary file and how many bytes of the text it holds.
    let mut file: Option<(std::fs::File, u64)> = None;
    // A temporary file is tried once a document.
    let mut tried = false;
    let mut total = 0usize;
    loop {
        let mut line = String::new();
        // A length is a few digits: a longer line is no frame.
        if input.by_ref().take(24).read_line(&mut line)? == 0 {
            // The child ended between frames.
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let len: usize = line
            .trim_end()
            .parse()
            .map_err(|_| std::io::Error::other("a frame without a length"))?;
        if len == 0 {
            return match file {
                Some((mut file, _)) => {
                    file.rewind()?;
                    Ok(RenderedText::File(file))
                }
                None => Ok(RenderedText::Pieces(pieces)),
            };
        }
        // The child writes no frame longer than `FRAME`: memory here is bounded by a frame, not
        // by what a child claims.
        if len > FRAME {
            return Err(std::io::Error::other("a frame longer than a frame can be"));
        }
        if len > MAX_RENDERED - total {
            return Err(std::io::Error::other(
                "a rendered document past the size a report can have",
            ));
        }
        total += len;
        let mut frame = Vec::with_capacity(len);
        input.by_ref().take(len as u64).read_to_end(&mut frame)?;
        if frame.len() < len {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if !tried && total > spool {
            tried = true;
            file = tempfile::tempfile().ok().and_then(|mut file| {
                let mut held = 0u64;
                for piece in &pieces {
                    file.write_all(piece).ok()?;
                    held += piece.len() as u64;
                }
                pieces.clear();
                Some((file, held))
            });
        }
        match &mut file {
            Some((spooled, held)) => match spooled.write_all(&frame) {
                Ok(()) => *held += len as u64,
                Err(_) => {
                    // A full disk: what the file holds is read back, and the rest kept here.
                    let mut back = Vec::new();
                    spooled.rewind()?;
                    spooled.take(*held).read_to_end(&mut back)?;
                    pieces = vec![back, frame];
                    file = None;
                }
            },
            None => pieces.push(frame),
        }
    }
}

/// The child's side: reads the setup and then paths from stdin, answers each on stdout.
pub fn serve() -> std::io::Result<()> {
    let mut setup = String::new();
    if std::io::stdin().read_line(&mut setup)? == 0 {
        return Ok(());
    }
    let setup: Setup = serde_json::from_str(&setup).map_err(std::io::Error::other)?;
    // A document's parallel parts run in a pool of the threads given; with one, where they are
    // called, not handed to another thread and waited for.
    match rayon::ThreadPoolBuilder::new()
        .num_threads(setup.threads.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| answer_all(setup)),
        Err(_) => answer_all(setup),
    }
}

fn answer_all(setup: Setup) -> std::io::Result<()> {
    // The paths after the setup line (stdin's buffer keeps what was read past it).
    let lines = std::io::stdin().lock().lines();
    let options = ReadOptions {
        input_format: setup.input_format,
        extract: ExtractOptions {
            base_url: setup.base_url,
            links: setup.links,
            no_digest: setup.no_digest,
        },
        max_file_size: setup.max_file_size,
        reader_box: None,
        render: None,
    };
    // The pipe's buffers are small: a frame larger than one goes past it whole.
    let mut out = BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    for line in lines {
        let source: Source = serde_json::from_str(&line?).map_err(std::io::Error::other)?;
        // A child has no standard input of the user's to read.
        if source == Source::Stdin {
            return Err(std::io::Error::other(
                "standard input is read by the parent",
            ));
        }
        #[cfg(unix)]
        if setup.cpu_seconds > 0 {
            renew_cpu_budget(setup.cpu_seconds);
        }
        if setup.render == Some(Format::Json) {
            match large_text(&source, &options) {
                Ok(Some((mapped, format))) => {
                    let release = |from, to| mapped.release(from, to);
                    let windowed =
                        crate::panics::caught(|| crate::extract::windowed(mapped.text(), format));
                    if let Some(Some(windowed)) = windowed {
                        stream_windowed(&mut out, windowed, &release, &source, &options.extract)?;
                        continue;
                    }
                }
                Ok(None) => {}
                Err(err) => {
                    answer_rendered(&mut out, Err(err), Format::Json)?;
                    continue;
                }
            }
        }
        if let Some(format) = setup.render {
            answer_rendered(
                &mut out,
                crate::input::read_guarded(&source, &options),
                format,
            )?;
            continue;
        }
        let answer = match crate::input::read_guarded(&source, &options) {
            Ok(document) => Answer {
                document: Some(document),
                ..Answer::default()
            },
            Err(err) => Answer {
                error: Some(err.to_string()),
                ..Answer::default()
            },
        };
        write_answer(&mut out, &answer)?;
        out.flush()?;
    }
    Ok(())
}

/// A file large enough to be read a window at a time, mapped (see `crate::extract::windowed`).
fn large_text(
    source: &Source,
    options: &ReadOptions,
) -> Result<Option<(crate::input::MappedText, InputFormat)>> {
    let min = crate::extract::windowed_min_len() as u64;
    crate::input::map_large_text(source, options, min)
}

fn write_answer(out: &mut impl Write, answer: &Answer) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, answer).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Answers with a document rendered in `format`: its counts, then its text in frames.
fn answer_rendered(
    out: &mut impl Write,
    document: Result<Document>,
    format: Format,
) -> std::io::Result<()> {
    match document {
        Ok(mut document) => {
            let (summary, worst) = stream::counts(&document);
            let head = Answer {
                rendered: Some(RenderedHead { summary, worst }),
                ..Answer::default()
            };
            write_answer(out, &head)?;
            let mut framed = Framed::new(&mut *out);
            stream::render(&mut document, format, &mut framed)?;
            framed.finish()?;
        }
        Err(err) => write_answer(
            out,
            &Answer {
                error: Some(err.to_string()),
                ..Answer::default()
            },
        )?,
    }
    out.flush()
}

/// Answers with a large Markdown document read a window at a time: its JSON text in frames as it is
/// read, then its counts. A reader that fails on it sends an error after the frames, and the parent
/// drops what it was sent.
fn stream_windowed(
    out: &mut impl Write,
    windowed: crate::extract::Windowed<'_>,
    release: &(dyn Fn(usize, usize) + Sync),
    source: &Source,
    options: &ExtractOptions,
) -> std::io::Result<()> {
    let path = source.display();
    write_answer(
        out,
        &Answer {
            streaming: true,
            ..Answer::default()
        },
    )?;
    let mut framed = Framed::new(&mut *out);
    let read = crate::panics::caught(|| {
        let mut sink = stream::JsonWindows::new(&mut framed);
        windowed
            .read(&path, options, release, &mut sink)
            .and_then(|doc| sink.finish(&doc))
    });
    framed.finish()?;
    let trailer = match read {
        Some(Ok((summary, worst))) => Answer {
            rendered: Some(RenderedHead { summary, worst }),
            ..Answer::default()
        },
        // The pipe to the parent broke: nothing more can be sent.
        Some(Err(e)) => return Err(e),
        None => Answer {
            error: Some(crate::input::unreadable(source).to_string()),
            ..Answer::default()
        },
    };
    write_answer(out, &trailer)?;
    out.flush()
}

/// Reads `paths` (files, web documents) in children under `rbox`'s limits, handing results to
/// `emit` in input order. At most `window` documents are read ahead of the one `emit` waits for.
pub fn read_all(
    paths: &[Source],
    options: &ReadOptions,
    rbox: &ReaderBox,
    window: usize,
    mut emit: impl FnMut(Result<Reading>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let jobs = rbox.jobs.clamp(1, paths.len());
    let setup = serde_json::to_string(&Setup {
        threads: (rbox.jobs / jobs).max(1),
        input_format: options.input_format,
        base_url: options.extract.base_url.clone(),
        links: options.extract.links,
        max_file_size: options.max_file_size,
        render: options.render,
        cpu_seconds: cpu_budget(rbox),
        no_digest: options.extract.no_digest,
    })
    .map_err(std::io::Error::other)?;
    let window = window.max(1);
    // Which document is handed out next, and which one `emit` waits for.
    let state = Mutex::new(Progress {
        next: 0,
        emitted: 0,
        stop: false,
    });
    let turn = Condvar::new();
    let (sender, results) = mpsc::channel::<(usize, Result<Reading>)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let sender = sender.clone();
            let (state, turn, setup) = (&state, &turn, &setup);
            scope.spawn(move || {
                let mut worker = Worker::new(rbox, setup, options.render.is_some());
                loop {
                    let taken = {
                        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                        while !s.stop && s.next < paths.len() && s.next >= s.emitted + window {
                            s = turn.wait(s).unwrap_or_else(|e| e.into_inner());
                        }
                        if s.stop || s.next >= paths.len() {
                            break;
                        }
                        let from = s.next;
                        // Fewer at once as the end nears, so that no child is left with the
                        // last long run while the others idle.
                        let share = ((paths.len() - from) / (jobs * 4)).clamp(1, AHEAD);
                        s.next = (from + share).min(s.emitted + window);
                        from..s.next
                    };
                    let items: Vec<(usize, &Source)> = taken.map(|i| (i, &paths[i])).collect();
                    let mut gone = false;
                    for result in worker.read_many(&items) {
                        gone |= sender.send(result).is_err();
                    }
                    if gone {
                        break;
                    }
                }
                worker.finish();
            });
        }
        drop(sender);
        let mut waiting: BTreeMap<usize, Result<Reading>> = BTreeMap::new();
        let mut outcome = Ok(());
        let mut next_out = 0;
        for (index, result) in results.iter() {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next_out) {
                next_out += 1;
                if outcome.is_ok() {
                    outcome = emit(result);
                }
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                s.emitted = next_out;
                s.stop |= outcome.is_err();
                turn.notify_all();
            }
        }
        outcome
    })
}

struct Progress {
    next: usize,
    emitted: usize,
    stop: bool,
}

/// One child and the thread that reads its answers.
struct Running {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<std::io::Result<Reply>>,
}

/// An answer as the thread that reads a child's output took it.
enum Reply {
    Document(Document),
    Rendered(Rendered),
    Error(String),
    /// Not an answer.
    Garbled,
}

/// A reading slot: runs a child, starting a new one after a failure.
struct Worker<'a> {
    rbox: &'a ReaderBox,
    setup: &'a str,
    /// Whether the documents are asked for rendered: an answer of the other kind is no answer.
    rendering: bool,
    running: Option<Running>,
}

impl<'a> Worker<'a> {
    fn new(rbox: &'a ReaderBox, setup: &'a str, rendering: bool) -> Self {
        Worker {
            rbox,
            setup,
            rendering,
            running: None,
        }
    }

    /// Reads the paths, sent to the child together (it answers in order): a document's time runs
    /// from the answer before it. A child that fails is replaced for the paths after the one it
    /// failed on.
    fn read_many(&mut self, items: &[(usize, &Source)]) -> Vec<(usize, Result<Reading>)> {
        let mut out = Vec::with_capacity(items.len());
        let mut rest = items;
        while !rest.is_empty() {
            let failed = |source: &Source, reason: String| Error::Document {
                path: PathBuf::from(source.display()),
                reason,
            };
            let running = match self.running.take() {
                Some(running) => running,
                None => match spawn(self.rbox, self.setup) {
                    Ok(running) => running,
                    Err(e) => {
                        let reason = format!("cannot start a reader: {e}");
                        out.extend(
                            rest.iter()
                                .map(|&(i, path)| (i, Err(failed(path, reason.clone())))),
                        );
                        return out;
                    }
                },
            };
            let running = self.running.insert(running);
            let sent = rest.iter().try_for_each(|(_, path)| {
                let line = serde_json::to_string(path).map_err(std::io::Error::other)?;
                writeln!(running.stdin, "{line}")
            });
            let sent = sent.and_then(|()| running.stdin.flush()).is_ok();
            let mut answered = 0;
            for &(index, path) in rest {
                let answer = if sent {
                    running
                        .answers
                        .recv_timeout(Duration::from_secs(self.rbox.seconds))
                } else {
                    Err(RecvTimeoutError::Disconnected)
                };
                answered += 1;
                let failure = match answer {
                    Ok(Ok(Reply::Document(document))) if !self.rendering => {
                        out.push((index, Ok(Reading::Document(document))));
                        continue;
                    }
                    Ok(Ok(Reply::Rendered(rendered))) if self.rendering => {
                        out.push((index, Ok(Reading::Rendered(rendered))));
                        continue;
                    }
                    Ok(Ok(Reply::Error(reason))) => {
                        out.push((index, Err(Error::Reader(reason))));
                        continue;
                    }
                    Ok(Ok(Reply::Garbled | Reply::Document(_) | Reply::Rendered(_))) => {
                        Some("the reader gave an answer that cannot be read".to_owned())
                    }
                    // Not the end of the child, which says why it failed: an answer that breaks
                    // off where no frame begins or past the size a report can have.
                    Ok(Err(e)) if e.kind() != std::io::ErrorKind::UnexpectedEof => Some(format!(
                        "the reader gave an answer that cannot be read ({e})"
                    )),
                    Err(RecvTimeoutError::Timeout) => Some(format!(
                        "over the reading budget: time (more than {} s; see --max-reader-seconds)",
                        self.rbox.seconds
                    )),
                    // The child ended: how it ended says why.
                    Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => None,
                };
                // The child failed on this document: it is ended, and a new one reads the rest.
                let status = self.stop();
                let reason = failure.unwrap_or_else(|| crash_reason(status, self.rbox));
                out.push((index, Err(failed(path, reason))));
                break;
            }
            rest = &rest[answered..];
        }
        out
    }

    /// Ends the child (killed if still running) and returns how it ended.
    fn stop(&mut self) -> Option<ExitStatus> {
        let mut running = self.running.take()?;
        let _ = running.child.kill();
        running.child.wait().ok()
    }

    /// Lets the child end on its own: its input closes.
    fn finish(mut self) {
        if let Some(mut running) = self.running.take() {
            drop(running.stdin);
            let _ = running.child.wait();
        }
    }
}

/// Why a child ended while reading, as one line.
fn crash_reason(status: Option<ExitStatus>, rbox: &ReaderBox) -> String {
    let exhausted = format!(
        "crashed while reading: its reader ran out of memory (over {} MiB; see \
         --max-reader-memory) or of stack",
        rbox.memory / (1024 * 1024)
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.and_then(|s| s.signal()) {
            Some(libc::SIGXCPU) => {
                return format!(
                    "over the reading budget: time (more than {} s of CPU; see --max-reader-seconds)",
                    rbox.seconds
                );
            }
            // An allocation refused at the memory limit aborts; so does a stack overflow; the
            // kernel kills a process that memory pressure made its victim.
            Some(libc::SIGABRT | libc::SIGSEGV | libc::SIGBUS | libc::SIGKILL) => return exhausted,
            Some(signal) => return format!("crashed while reading (signal {signal})"),
            None => {}
        }
    }
    match status.and_then(|s| s.code()) {
        Some(code) => format!("crashed while reading (its reader exited with {code})"),
        None => exhausted,
    }
}

/// The CPU seconds a child may spend on one document: a backstop past the clock's budget, which
/// the parent keeps.
fn cpu_budget(rbox: &ReaderBox) -> u64 {
    rbox.seconds.saturating_mul(4).max(10)
}

fn spawn(rbox: &ReaderBox, setup: &str) -> std::io::Result<Running> {
    let mut command = Command::new(&rbox.exe);
    command
        .arg(SUBCOMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // A reader's last words (an abort message, a backtrace) are not for the user: the parent
        // says what happened in one line.
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let memory = rbox.memory;
        let cpu = cpu_budget(rbox);
        // SAFETY: between fork and exec only async-signal-safe calls are made (setrlimit), and
        // nothing is allocated.
        unsafe {
            command.pre_exec(move || {
                limit(libc::RLIMIT_DATA, memory)?;
                limit(libc::RLIMIT_CORE, 0)?;
                // CPU seconds for the first document: a backstop, as the parent times every
                // document by the clock. The child renews it before each document it reads (a
                // soft limit, under the hard one it inherits).
                soft_limit(libc::RLIMIT_CPU, cpu)?;
                Ok(())
            });
        }
    }
    let mut child = command.spawn()?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        return Err(std::io::Error::other("no pipe to the reader"));
    };
    widen_pipe(&stdout);
    writeln!(stdin, "{setup}")?;
    let (sender, answers) = mpsc::channel();
    // Answers are parsed here, a thread per child, as they come.
    std::thread::spawn(move || {
        let mut input = BufReader::with_capacity(64 << 10, stdout);
        loop {
            let mut line = String::new();
            let reply = match input.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => match serde_json::from_str::<Answer>(&line) {
                    Ok(Answer {
                        document: Some(document),
                        ..
                    }) => Ok(Reply::Document(document)),
                    Ok(Answer {
                        streaming: true, ..
                    }) => read_streamed(&mut input),
                    Ok(Answer {
                        rendered: Some(RenderedHead { summary, worst }),
                        ..
                    }) => read_frames(&mut input, SPOOL).map(|text| {
                        Reply::Rendered(Rendered {
                            summary,
                            worst,
                            text,
                        })
                    }),
                    Ok(Answer {
                        error: Some(reason),
                        ..
                    }) => Ok(Reply::Error(reason)),
                    _ => Ok(Reply::Garbled),
                },
                Err(e) => Err(e),
            };
            let failed = reply.is_err();
            if sender.send(reply).is_err() || failed {
                break;
            }
        }
    });
    Ok(Running {
        child,
        stdin,
        answers,
    })
}

/// The pipe a child answers through, made 1 MiB (Linux; 64 KiB by default) where the system allows:
/// a large document's report then crosses it in 16 times fewer turns between the child, blocked on
/// a full pipe, and the parent draining it. Best effort: a smaller pipe only costs time.
fn widen_pipe(pipe: &std::process::ChildStdout) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: F_SETPIPE_SZ on a pipe this process holds open changes only its capacity; a
        // refusal (a size past /proc/sys/fs/pipe-max-size, the user's pipe quota) is an error
        // return that leaves the pipe as it was.
        unsafe {
            libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = pipe;
}

/// A document sent as it was read (see [`stream_windowed`]): its text, then its counts or an error.
fn read_streamed(input: &mut impl BufRead) -> std::io::Result<Reply> {
    // A document read a window at a time is a large one: its text goes to the file from the start.
    let text = read_frames(input, 0)?;
    let mut line = String::new();
    input.read_line(&mut line)?;
    Ok(match serde_json::from_str::<Answer>(&line) {
        Ok(Answer {
            rendered: Some(RenderedHead { summary, worst }),
            ..
        }) => Reply::Rendered(Rendered {
            summary,
            worst,
            text,
        }),
        Ok(Answer {
            error: Some(reason),
            ..
        }) => Reply::Error(reason),
        _ => Reply::Garbled,
    })
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(all(unix, not(all(target_os = "linux", target_env = "gnu"))))]
type Resource = libc::c_int;

/// Sets the soft limit of `resource` to `value`, or to its hard limit if that is lower; the hard
/// limit stays as it is.
#[cfg(unix)]
fn soft_limit(resource: Resource, value: u64) -> std::io::Result<()> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct given and setrlimit reads it; both are
    // async-signal-safe.
    unsafe {
        if libc::getrlimit(resource, &mut limit) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let value = libc::rlim_t::try_from(value).unwrap_or(libc::RLIM_INFINITY);
        limit.rlim_cur = value.min(limit.rlim_max);
        if libc::setrlimit(resource, &limit) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The child's CPU budget for the next document: `seconds` more than it has used (see
/// [`soft_limit`]), so that a long run of documents never adds up past it.
#[cfg(unix)]
fn renew_cpu_budget(seconds: u64) {
    // SAFETY: getrusage writes the struct given.
    let used = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return;
        }
        u64::try_from(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec).unwrap_or(0)
    };
    // Whole seconds: the second begun counts as used.
    let _ = soft_limit(libc::RLIMIT_CPU, used + 1 + seconds);
}

#[cfg(unix)]
fn limit(resource: Resource, value: u64) -> std::io::Result<()> {
    let value = libc::rlim_t::try_from(value).unwrap_or(libc::RLIM_INFINITY);
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: setrlimit reads the struct given; it is async-signal-safe.
    if unsafe { libc::setrlimit(resource, &limit) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames_of(input: &[u8]) -> std::io::Result<RenderedText> {
        read_frames(&mut std::io::Cursor::new(input), SPOOL)
    }

    fn text_of(text: RenderedText) -> Vec<u8> {
        match text {
            RenderedText::Pieces(pieces) => pieces.concat(),
            RenderedText::File(mut file) => {
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).unwrap();
                bytes
            }
        }
    }

    #[test]
    fn frames_written_are_the_frames_read() {
        let mut sent = Vec::new();
        let text: Vec<u8> = (0..3 * FRAME + 17).map(|i| (i % 251) as u8).collect();
        let mut framed = Framed::new(&mut sent);
        for piece in text.chunks(1000) {
            framed.write_all(piece).unwrap();
        }
        framed.finish().unwrap();
        sent.extend_from_slice(b"{\"next\": 1}\n");
        // Kept in memory below the spool's size, in a temporary file past it (from the frame that
        // crosses it, or from the first), read back the same.
        for (spool, in_file) in [(SPOOL, false), (FRAME + 5, true), (0, true)] {
            let mut input = std::io::Cursor::new(&sent[..]);
            let read = read_frames(&mut input, spool).unwrap();
            match &read {
                RenderedText::Pieces(pieces) => {
                    assert!(!in_file, "{spool}");
                    assert!(pieces.len() > 1);
                }
                RenderedText::File(_) => assert!(in_file, "{spool}"),
            }
            assert!(text_of(read) == text, "{spool}");
            // What follows the end is left for the next answer.
            let mut rest = String::new();
            input.read_to_string(&mut rest).unwrap();
            assert_eq!(rest, "{\"next\": 1}\n");
        }
    }

    #[test]
    fn a_large_write_is_cut_into_frames() {
        let mut sent = Vec::new();
        let text: Vec<u8> = (0..2 * FRAME + 3).map(|i| (i % 13) as u8).collect();
        let mut framed = Framed::new(&mut sent);
        framed.write_all(&text).unwrap();
        framed.finish().unwrap();
        let read = read_frames(&mut std::io::Cursor::new(&sent[..]), SPOOL).unwrap();
        let RenderedText::Pieces(pieces) = read else {
            panic!("a text below the spool size is kept in memory");
        };
        assert_eq!(pieces.len(), 3);
        assert!(pieces.iter().all(|p| p.len() <= FRAME));
        assert!(pieces.concat() == text);
    }

    #[test]
    fn a_broken_or_hostile_frame_is_an_error_not_a_panic() {
        // The child ended between frames, or inside one.
        let eof = |r: std::io::Result<RenderedText>| r.unwrap_err().kind();
        assert_eq!(eof(frames_of(b"")), std::io::ErrorKind::UnexpectedEof);
        assert_eq!(eof(frames_of(b"3\nabc")), std::io::ErrorKind::UnexpectedEof);
        assert_eq!(
            eof(frames_of(b"10\nabc")),
            std::io::ErrorKind::UnexpectedEof
        );
        // No length, a line too long for one, a length past what a report can be, and lengths
        // that overflow when added: refused before any room is made for them.
        for input in [
            &b"abc\n"[..],
            b"123456789012345678901234567890\n",
            format!("{}\n", FRAME + 1).as_bytes(),
            format!("{}\n", MAX_RENDERED + 1).as_bytes(),
            format!("1\nx{}\n", usize::MAX).as_bytes(),
            format!("{}\n", usize::MAX).as_bytes(),
        ] {
            let err = frames_of(input).unwrap_err();
            assert_ne!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{input:?}");
        }
    }
}
