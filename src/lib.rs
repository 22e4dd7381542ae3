//! citecheck keeps the citations of published writing alive.
//!
//! The library is a pipeline of stages, each in its own module:
//!
//! * [`extract`]: documents (Markdown, the `<sup>N</sup>` footnote style of converted briefs, HTML,
//!   reStructuredText, plain text) → footnotes, their citation fields and URLs, plus lint findings. Pure functions, no I/O.
//! * [`uri`]: a raw URL as written → a validated [`uri::Uri`].
//! * [`input`]: finding and reading documents on disk or stdin, with limits; [`web`]: documents
//!   fetched from their URL, or from the sitemap or feed listing them.
//! * [`check`]: the async checker: one result per distinct URL, platform rules, drift.
//! * [`archive`]: web archives: verified captures closest to the citation date, new captures.
//! * [`report`]: the report model that the JSON output serialises, and the human-readable format.
//! * [`fix`]: failing citations rewritten to their verified archived copies (`citecheck fix`).
//!
//! The binary (`src/main.rs`) holds only the command line, configuration and exit codes.

pub mod archive;
pub mod check;
pub mod error;
pub mod extract;
pub mod fix;
pub mod git;
pub mod input;
pub mod panics;
pub mod reader_box;
pub mod report;
pub mod sanitize;
pub mod uri;
pub mod web;

pub use error::{Error, Result};
