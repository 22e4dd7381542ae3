//! Finding documents and reading them, with limits: a missing file, a binary or non-UTF-8 file or a
//! file over the size limit is an [`Error`] naming the path, never a panic.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::extract::{self, Document, ExtractOptions, InputFormat, format_for_path};
use crate::{Error, Result};

/// Default limit on one document's size: far above any real brief, low enough to bound memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// How standard input is named in reports and messages.
pub const STDIN: &str = "<stdin>";

/// Where a document comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Stdin,
    File(PathBuf),
    /// A document fetched from the web (see [`crate::web`]), its bytes saved in `file` for reading.
    Web {
        file: PathBuf,
        origin: WebOrigin,
    },
}

/// What a document fetched from the web is: its name, the base of its relative links, its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebOrigin {
    /// The URL as given or listed: the document's name in reports.
    pub url: String,
    /// Where its last redirect led.
    pub base: Url,
    pub format: InputFormat,
}

impl Source {
    /// The path as shown in reports: `<stdin>` for standard input, a web document's URL.
    pub fn display(&self) -> String {
        match self {
            Source::Stdin => STDIN.to_owned(),
            Source::File(p) => p.display().to_string(),
            Source::Web { origin, .. } => origin.url.clone(),
        }
    }

    /// The document's path on this machine: none for standard input or a web document.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Stdin | Source::Web { .. } => None,
            Source::File(p) => Some(p),
        }
    }
}

impl From<crate::web::WebDocument> for Source {
    fn from(doc: crate::web::WebDocument) -> Self {
        Source::Web {
            file: doc.file,
            origin: WebOrigin {
                url: doc.url,
                base: doc.base,
                format: doc.format,
            },
        }
    }
}

/// Expands the inputs given on the command line: `-` is standard input, a file is itself (whatever its
/// extension), a folder is every supported document in it, respecting `.gitignore`, `.ignore` and hidden
/// files, in sorted order. An input that cannot be expanded is an error, and so is each file or folder
/// in a folder that cannot be listed; everything else found still counts.
pub fn collect_sources(inputs: &[PathBuf]) -> (Vec<Source>, Vec<Error>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        match expand(input, &mut errors) {
            Ok(found) => sources.extend(found),
            Err(err) => errors.push(err),
        }
    }
    (sources, errors)
}

fn expand(input: &Path, errors: &mut Vec<Error>) -> Result<Vec<Source>> {
    if input.as_os_str() == "-" {
        return Ok(vec![Source::Stdin]);
    }
    let meta = std::fs::metadata(input).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound {
            path: input.to_owned(),
        },
        _ => Error::Io {
            path: input.to_owned(),
            source,
        },
    })?;
    if !meta.is_dir() {
        return Ok(vec![Source::File(input.to_owned())]);
    }
    let mut found = Vec::new();
    let mut failed = false;
    let walker = ignore::WalkBuilder::new(input)
        .require_git(false)
        .sort_by_file_path(Ord::cmp)
        .build();
    for entry in walker {
        // A folder that cannot be listed is one error; the walk goes on past it.
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                errors.push(walk_error(input, err));
                failed = true;
                continue;
            }
        };
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && format_for_path(entry.path()).is_some() {
            found.push(Source::File(entry.into_path()));
        }
    }
    if found.is_empty() && !failed {
        return Err(Error::NoDocuments {
            path: input.to_owned(),
        });
    }
    Ok(found)
}

/// A walk error as one error naming the path that failed (the walked folder when the error names none).
fn walk_error(input: &Path, err: ignore::Error) -> Error {
    let mut err = err;
    let mut path = input.to_owned();
    loop {
        err = match err {
            ignore::Error::WithDepth { err, .. } => *err,
            ignore::Error::WithPath { path: p, err } => {
                path = p;
                *err
            }
            ignore::Error::Io(source) => {
                // The walker wraps the system's error in one repeating the path: keep what the
                // system said.
                let code = source.raw_os_error().or_else(|| {
                    let inner = source.get_ref()?.source()?;
                    inner.downcast_ref::<std::io::Error>()?.raw_os_error()
                });
                let source = code.map_or(source, std::io::Error::from_raw_os_error);
                return Error::Io { path, source };
            }
            other => {
                return Error::Walk {
                    path,
                    source: other,
                };
            }
        };
    }
}

/// Reads a document as UTF-8 text, refusing binary content and anything over `max_size` bytes.
pub fn read_source(source: &Source, max_size: u64) -> Result<String> {
    let bytes = read_bytes(source, max_size)?;
    decode(source_path(source), bytes)
}

/// Reads a document's bytes, refusing anything over `max_size` bytes.
pub fn read_bytes(source: &Source, max_size: u64) -> Result<Vec<u8>> {
    let path = source_path(source);
    let io_err = |source: std::io::Error| Error::Io {
        path: path.clone(),
        source,
    };
    let mut bytes = Vec::new();
    match source {
        Source::Stdin => {
            std::io::stdin()
                .lock()
                .take(max_size + 1)
                .read_to_end(&mut bytes)
                .map_err(io_err)?;
        }
        Source::File(p) | Source::Web { file: p, .. } => {
            let file = File::open(p).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::NotFound { path: path.clone() },
                _ => io_err(e),
            })?;
            let size = file.metadata().map_err(io_err)?.len();
            if size > max_size {
                return Err(Error::TooLarge {
                    path,
                    size,
                    limit: max_size,
                });
            }
            // Read into room for the whole file at once (it is not grown and copied as it fills).
            bytes.reserve_exact(usize::try_from(size).unwrap_or(0).saturating_add(1));
            file.take(max_size + 1)
                .read_to_end(&mut bytes)
                .map_err(io_err)?;
        }
    }
    if bytes.len() as u64 > max_size {
        return Err(Error::TooLarge {
            path,
            size: bytes.len() as u64,
            limit: max_size,
        });
    }
    Ok(bytes)
}

/// How a source is named in errors: its path, `<stdin>`, a web document's URL.
fn source_path(source: &Source) -> PathBuf {
    match source {
        Source::File(p) => p.clone(),
        _ => PathBuf::from(source.display()),
    }
}

/// What a binary input may be, when its first bytes say (a document piped to standard input has
/// no extension to choose its reader by).
fn binary_hint(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"PK\x03\x04") {
        ": a zip package, a Word document? Read it with --input-format docx"
    } else if bytes.starts_with(b"%PDF") {
        ": a PDF? Read it with --input-format pdf"
    } else {
        ""
    }
}

/// UTF-8 text (a leading byte-order mark dropped); NUL bytes mean a binary file.
pub fn decode(path: PathBuf, mut bytes: Vec<u8>) -> Result<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // UTF-16 with its byte order mark (what Windows tools write as "Unicode"): decoded, not binary.
    let utf16: Option<fn([u8; 2]) -> u16> = match bytes.get(..2) {
        Some(b"\xFF\xFE") => Some(u16::from_le_bytes),
        Some(b"\xFE\xFF") => Some(u16::from_be_bytes),
        _ => None,
    };
    if let Some(unit) = utf16 {
        return decode_utf16(path, &bytes[2..], unit);
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Err(Error::Binary {
            path,
            hint: binary_hint(&bytes),
        });
    }
    String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path,
        offset: e.utf8_error().valid_up_to(),
    })
}

/// UTF-16 text after its byte order mark; an odd length or an unpaired surrogate is an error.
fn decode_utf16(path: PathBuf, bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String> {
    let mut text = String::with_capacity(bytes.len() / 2);
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut offset = 2;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                text.push(c);
                offset += 2 * c.len_utf16();
            }
            Err(_) => return Err(Error::NotUtf16 { path, offset }),
        }
    }
    if bytes.len() % 2 == 1 {
        return Err(Error::NotUtf16 { path, offset });
    }
    Ok(text)
}

/// How documents are read: the format to force (else by extension and content), extraction settings,
/// and the size limit.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub input_format: Option<InputFormat>,
    pub extract: ExtractOptions,
    pub max_file_size: u64,
    /// Files are read in child processes under these limits (see [`crate::reader_box`]); `None`:
    /// in this process.
    pub reader_box: Option<crate::reader_box::ReaderBox>,
    /// For a report streamed in this format (`human`, `json`): the reader box's children render
    /// the documents they read ([`Reading::Rendered`]), in parallel and with no model to pass back.
    pub render: Option<crate::report::Format>,
}

/// One document read: its model, or its part of a streamed report, rendered by the reader box's
/// child that read it (see [`ReadOptions::render`]).
#[derive(Debug)]
pub enum Reading {
    Document(Document),
    Rendered(crate::report::stream::Rendered),
}

/// Reads and extracts every input in order, in parallel batches, handing each document to `sink` as
/// its batch completes: a folder of thousands of documents is never held in memory at once. Each input
/// that fails goes to `on_error`, and so does a reader that panics on a hostile document (silenced, as
/// one error). Returns how many documents were read and whether any input failed.
pub fn read_documents(
    inputs: &[PathBuf],
    options: &ReadOptions,
    mut sink: impl FnMut(Document) -> std::io::Result<()>,
    on_error: impl FnMut(&Error),
) -> std::io::Result<(usize, bool)> {
    let (sources, input_errors) = collect_sources(inputs);
    let options = ReadOptions {
        render: None,
        ..options.clone()
    };
    let sink = |reading| match reading {
        Reading::Document(doc) => sink(doc),
        // Not asked for: none comes.
        Reading::Rendered(_) => Err(std::io::Error::other(
            "a document came rendered where its model was asked for",
        )),
    };
    read_sources(&sources, &input_errors, &options, sink, on_error)
}

/// [`read_documents`] for sources already found; `input_errors` are the inputs that gave none. With
/// [`ReadOptions::render`], the documents read in the reader box come rendered.
pub fn read_sources(
    sources: &[Source],
    input_errors: &[Error],
    options: &ReadOptions,
    mut sink: impl FnMut(Reading) -> std::io::Result<()>,
    mut on_error: impl FnMut(&Error),
) -> std::io::Result<(usize, bool)> {
    let mut trouble = !input_errors.is_empty();
    for err in input_errors {
        on_error(err);
    }
    let mut count = 0;
    let mut deliver = |outcome: Result<Reading>| -> std::io::Result<()> {
        match outcome {
            Ok(reading) => {
                count += 1;
                sink(reading)
            }
            Err(err) => {
                on_error(&err);
                trouble = true;
                Ok(())
            }
        }
    };
    if let Some(rbox) = &options.reader_box {
        // Files in the reader box, in runs between standard inputs (read here: a child has no
        // stdin of the user's to read).
        let window = rbox.jobs.max(1) * 32;
        let mut files: Vec<Source> = Vec::new();
        for source in sources.iter().map(Some).chain([None]) {
            if let Some(file @ (Source::File(_) | Source::Web { .. })) = source {
                files.push(file.clone());
                continue;
            }
            crate::reader_box::read_all(&files, options, rbox, window, &mut deliver)?;
            files.clear();
            if let Some(stdin) = source {
                deliver(read_guarded(stdin, options).map(Reading::Document))?;
            }
        }
        return Ok((count, trouble));
    }
    // Documents are independent: each batch is read and extracted in parallel, in input order.
    let batch = rayon::current_num_threads().max(1) * 4;
    for chunk in sources.chunks(batch) {
        let outcomes: Vec<Result<Document>> = chunk
            .par_iter()
            .map(|source| read_guarded(source, options))
            .collect();
        for outcome in outcomes {
            deliver(outcome.map(Reading::Document))?;
        }
    }
    Ok((count, trouble))
}

/// [`read_document`] with a reader that panics on a hostile document contained: the panic is
/// silenced and becomes one error.
pub fn read_guarded(source: &Source, options: &ReadOptions) -> Result<Document> {
    crate::panics::caught(|| read_document(source, options))
        .unwrap_or_else(|| Err(unreadable(source)))
}

/// A large text file mapped into memory rather than read: its pages can be given back once read
/// (see [`MappedText::release`]), so that the text of a 50 MB report is never resident whole while
/// its footnotes are built. The reader box reads such files in a child process of its own; a file
/// cut short while mapped ends that child (SIGBUS), which the box reports as a reader that failed.
pub struct MappedText {
    map: memmap2::Mmap,
    /// Where the text starts: after a byte order mark, if any.
    start: usize,
}

impl MappedText {
    /// The text, checked as UTF-8 when mapped.
    pub fn text(&self) -> &str {
        // SAFETY: `map_large_text` checked these bytes as UTF-8; a mapped file changed by another
        // process while it is read is outside what this reader promises (see the type's notes).
        unsafe { std::str::from_utf8_unchecked(&self.map[self.start..]) }
    }

    /// Gives back the pages of bytes `from..to` of the text: read again from the file if they are
    /// touched again.
    pub fn release(&self, from: usize, to: usize) {
        const PAGE: usize = 4096;
        let from = (self.start + from) / PAGE * PAGE;
        let to = (self.start + to).div_ceil(PAGE) * PAGE;
        let to = to.min(self.map.len());
        if from < to {
            // SAFETY: the mapping is private and read-only: pages dropped are read again from the
            // file, and no reference into them is invalidated.
            let _ = unsafe {
                self.map
                    .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from)
            };
        }
    }
}

/// A text file of at least `min_len` bytes, mapped (see [`MappedText`]), and its format; `None` for
/// another source, a smaller file, a Word or PDF document, or a file that is not plain UTF-8 (which
/// [`read_document`] reads, or refuses, as it does any other).
pub fn map_large_text(
    source: &Source,
    options: &ReadOptions,
    min_len: u64,
) -> Result<Option<(MappedText, InputFormat)>> {
    let Source::File(path) = source else {
        return Ok(None);
    };
    if binary_format(source, options).is_some() {
        return Ok(None);
    }
    let Ok(file) = File::open(path) else {
        return Ok(None);
    };
    let Ok(metadata) = file.metadata() else {
        return Ok(None);
    };
    let size = metadata.len();
    if size < min_len || !metadata.is_file() {
        return Ok(None);
    }
    if size > options.max_file_size {
        return Err(Error::TooLarge {
            path: path.clone(),
            size,
            limit: options.max_file_size,
        });
    }
    // SAFETY: the map is read only; see `MappedText` for a file changed while it is mapped.
    let Ok(map) = (unsafe { memmap2::Mmap::map(&file) }) else {
        return Ok(None);
    };
    let start = if map.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = &map[start..];
    let plain = !matches!(bytes.get(..2), Some(b"\xFF\xFE" | b"\xFE\xFF"))
        && memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_none()
        && is_utf8(bytes);
    if !plain {
        return Ok(None);
    }
    let text = MappedText { map, start };
    let format = extract::detect_format(Some(path), text.text(), options.input_format);
    Ok(Some((text, format)))
}

/// Whether `bytes` are UTF-8, checked in pieces in parallel: a large file's one check is otherwise
/// all the reader does while it starts. Pieces start on a character (not a continuation byte), so
/// that the text is UTF-8 exactly when every piece is.
fn is_utf8(bytes: &[u8]) -> bool {
    use rayon::prelude::*;
    const PIECE: usize = 4 << 20;
    let is_continuation = |b: u8| b & 0xC0 == 0x80;
    let mut starts = vec![0];
    let mut at = PIECE;
    while at < bytes.len() {
        let mut start = at;
        while start > at - 3 && is_continuation(bytes[start]) {
            start -= 1;
        }
        starts.push(start);
        at += PIECE;
    }
    starts.push(bytes.len());
    starts
        .par_windows(2)
        .all(|w| std::str::from_utf8(&bytes[w[0]..w[1]]).is_ok())
}

/// The format of a document read as bytes (Word, PDF), told by `--input-format` or the extension.
fn binary_format(source: &Source, options: &ReadOptions) -> Option<InputFormat> {
    options
        .input_format
        .or_else(|| source.path().and_then(format_for_path))
        .filter(|f| extract::is_binary(*f))
}

/// The error of a document a reader failed on (it panicked).
pub fn unreadable(source: &Source) -> Error {
    Error::Document {
        path: source_path(source),
        reason: "the document could not be read (a reader failed on it)".into(),
    }
}

/// Reads and extracts one document: Word and PDF files as bytes, the rest as text whose format is
/// told by `--input-format`, the extension or the content.
pub fn read_document(source: &Source, options: &ReadOptions) -> Result<Document> {
    if let Source::Web { origin, .. } = source {
        return read_web_document(source, origin, options);
    }
    if let Some(format) = binary_format(source, options) {
        let bytes = read_bytes(source, options.max_file_size)?;
        return extract::extract_bytes(&source.display(), &bytes, format, &options.extract)
            .map_err(|e| Error::Document {
                path: source_path(source),
                reason: e.to_string(),
            });
    }
    let content = read_source(source, options.max_file_size)?;
    let format = extract::detect_format(source.path(), &content, options.input_format);
    Ok(extract::extract_owned(
        &source.display(),
        content,
        format,
        &options.extract,
    ))
}

/// A web document in the format `--input-format` names, else the one its server and first bytes
/// gave, its relative links resolved against where it was fetched from (its own `<base href>` still
/// wins). Text in another encoding than UTF-8 or UTF-16 (a page's `charset`) has its other bytes
/// replaced, which leaves its URLs as they are.
fn read_web_document(
    source: &Source,
    origin: &WebOrigin,
    options: &ReadOptions,
) -> Result<Document> {
    let bytes = read_bytes(source, options.max_file_size)?;
    let format = options.input_format.unwrap_or(origin.format);
    let extract = ExtractOptions {
        base_url: Some(origin.base.clone()),
        ..options.extract.clone()
    };
    if extract::is_binary(format) {
        return extract::extract_bytes(&origin.url, &bytes, format, &extract).map_err(|e| {
            Error::Document {
                path: source_path(source),
                reason: e.to_string(),
            }
        });
    }
    // A page is read as a browser shows it: UTF-16 by its byte order mark, else UTF-8 with what is
    // not replaced (a NUL, another charset's bytes), never refused.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.into_bytes();
            if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
                let lossy = String::from_utf8_lossy(&bytes).into_owned();
                decode(source_path(source), bytes).unwrap_or(lossy)
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            }
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    Ok(extract::extract(&origin.url, text, format, &extract))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UTF-8 checked in pieces is UTF-8 checked whole, whatever falls at a piece's edge.
    #[test]
    fn utf8_checked_in_pieces() {
        let piece = 4 << 20;
        for tail in ["é", "€", "😀", "\u{10FFFF}"] {
            for shift in 0..5 {
                let mut text = "a".repeat(piece - shift);
                text.push_str(tail);
                text.push_str(&"b".repeat(100));
                let bytes = text.as_bytes();
                assert!(is_utf8(bytes), "{tail} at {shift}");
                // A character cut short, or a stray continuation byte, at the edge or near it.
                for at in piece.saturating_sub(4)..piece + 4 {
                    let mut bad = bytes.to_vec();
                    bad.insert(at, 0x80);
                    assert_eq!(is_utf8(&bad), std::str::from_utf8(&bad).is_ok(), "{at}");
                    let mut cut = bytes.to_vec();
                    cut.remove(at);
                    assert_eq!(is_utf8(&cut), std::str::from_utf8(&cut).is_ok(), "{at}");
                }
            }
        }
        assert!(is_utf8(b""));
        assert!(!is_utf8(&[0x80; 10]));
    }

    #[test]
    fn decode_rejects_binary_and_bad_utf8() {
        let p = PathBuf::from("x");
        assert!(matches!(
            decode(p.clone(), b"a\0b".to_vec()),
            Err(Error::Binary { .. })
        ));
        assert!(matches!(
            decode(p.clone(), b"ab\xff".to_vec()),
            Err(Error::NotUtf8 { offset: 2, .. })
        ));
        assert_eq!(decode(p.clone(), b"\xEF\xBB\xBFhi".to_vec()).unwrap(), "hi");
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let p = PathBuf::from("x");
        let text = "Caf\u{e9} \u{1F600} https://a.example/\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(p.clone(), le.clone()).unwrap(), text);
        assert_eq!(decode(p.clone(), be).unwrap(), text);
        // An unpaired surrogate, and a dangling odd byte.
        assert!(matches!(
            decode(p.clone(), b"\xFF\xFEa\x00\x00\xD8b\x00".to_vec()),
            Err(Error::NotUtf16 { offset: 4, .. })
        ));
        let mut odd = le;
        odd.push(b'x');
        assert!(matches!(decode(p, odd), Err(Error::NotUtf16 { .. })));
    }
}
