//! The library's error type. A dead or malformed link is never an `Err`: it is data in the report.
//! Errors here are about the run itself: an unreadable input, a document that is not text.

use std::path::PathBuf;

/// Errors that stop the processing of one input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },

    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: not a text document (binary content){hint}")]
    Binary { path: PathBuf, hint: &'static str },

    #[error("{path}: not valid UTF-8 (at byte {offset}); convert it to UTF-8 first")]
    NotUtf8 { path: PathBuf, offset: usize },

    #[error("{path}: not valid UTF-16 (at byte {offset}); convert it to UTF-8 first")]
    NotUtf16 { path: PathBuf, offset: usize },

    #[error("{path}: too large ({size} bytes; the limit is {limit} bytes, see --max-file-size)")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },

    #[error("{path}: {reason}")]
    Document { path: PathBuf, reason: String },

    /// An error a reader in the reader box gave, as it gave it (it names the file).
    #[error("{0}")]
    Reader(String),

    #[error(
        "{path}: no supported documents found (.md .markdown .txt .html .htm .html5 .xhtml .rst .rest .docx .pdf)"
    )]
    NoDocuments { path: PathBuf },

    /// A document or listing that could not be fetched from the web.
    #[error(transparent)]
    Web(#[from] crate::web::WebError),

    #[error("{path}: cannot walk directory: {source}")]
    Walk {
        path: PathBuf,
        #[source]
        source: ignore::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
