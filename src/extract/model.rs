//! The citation model: what `extract` finds in a document. These types are serialised as-is into the
//! JSON report (`schema/report.schema.json`), so field names are a contract.

use serde::{Deserialize, Serialize};

/// How a document is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// CommonMark + GFM, including the `<sup>N</sup>` footnotes of briefs converted from PDF.
    Markdown,
    /// HTML pages, with pandoc-style and common CMS footnotes.
    Html,
    /// reStructuredText: footnotes (`[1]_`, `[#]_`, `[*]_`), citations and hyperlink targets.
    Rst,
    /// Plain text: bare URLs only.
    Text,
    /// Word documents: footnotes, endnotes, hyperlinks; `line` is the paragraph.
    Docx,
    /// PDF: link annotations, text, footnotes recovered from the layout; `line` is the page.
    Pdf,
}

impl InputFormat {
    /// Whether the document is a printed page, where an address without a scheme names its host
    /// (there are no relative links in print): see `Uri::parse_printed`.
    pub fn is_print(self) -> bool {
        self == InputFormat::Pdf
    }

    /// What a location's number counts in this format: a PDF's is its page, a Word document's
    /// its body paragraph, any other's its line.
    pub fn place_word(self) -> &'static str {
        match self {
            InputFormat::Pdf => "page",
            InputFormat::Docx => "paragraph",
            _ => "line",
        }
    }

    /// Whether a location is a line of the file (an editor, GitHub and SARIF can point at it).
    pub fn has_lines(self) -> bool {
        !matches!(self, InputFormat::Pdf | InputFormat::Docx)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Markdown => "markdown",
            InputFormat::Html => "html",
            InputFormat::Rst => "rst",
            InputFormat::Text => "text",
            InputFormat::Docx => "docx",
            InputFormat::Pdf => "pdf",
        }
    }
}

/// One document's footnotes, other links and lint findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The path as given (or found while walking a folder); `<stdin>` for standard input.
    pub path: String,
    pub format: InputFormat,
    /// `sha256:` and the hex digest of the text read, so that `citecheck fix` can refuse to rewrite a
    /// document that changed since its report was made. Absent for Word and PDF documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The document's own date, when it gives one (front matter `date:`, or a date alone on a line
    /// near the top, as under a brief's byline): the fallback for archive lookups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub footnotes: Vec<Footnote>,
    /// Links outside footnotes, in document order; a URL linked twice appears twice.
    pub links: Vec<Link>,
    /// Lint findings, sorted by line.
    pub issues: Vec<Finding>,
    /// URLs printed with a hyphen at a line break (PDF): the URL as printed → the same URL without
    /// that hyphen, tried by `check` when the printed one is broken.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub alternatives: std::collections::BTreeMap<String, String>,
}

/// A footnote definition and the citation it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footnote {
    /// As written: "2", "kishanganga".
    pub id: String,
    /// 1-based line of the definition.
    pub line: usize,
    /// Lines in the body that cite this footnote, in order.
    pub references: Vec<usize>,
    /// The definition as plain text.
    pub text: String,
    /// The title: quoted (without quotes or trailing comma), a link's text, or read from the
    /// citation's layout (then `title_guessed`).
    pub title: Option<String>,
    /// The title was inferred from the layout, not marked by quotes, a link or the document's
    /// structure: drift does not compare it with the live page.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub title_guessed: bool,
    /// The italic source: "Express Tribune", "BBC News".
    pub publication: Option<String>,
    /// ISO 8601: "2020-11-19", "2020-11" when only the month is given, "2020" when only the year is.
    pub date: Option<String>,
    /// When the author says they accessed or retrieved the page ("accessed March 3, 2021").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessed: Option<String>,
    /// When the footnote's line was committed (ISO 8601 day, from `git blame`, with `--git-dates`): the
    /// date archive lookups ask for when the footnote gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<String>,
    pub authors: Vec<String>,
    /// "3" from "vol. 3" or "3(2)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// "12-19" from "pp. 12-19" or ":12-19".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<String>,
    /// "10.1000/xyz", alone or in a doi.org URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// Words the sentence citing the footnote quotes (at least four), which the cited page must
    /// show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<String>,
    /// URLs exactly as written (resolved against `--base-url` when relative and a base is known).
    pub urls: Vec<String>,
}

/// A link outside footnotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
    pub line: usize,
}

/// How serious a lint finding or a check result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The kinds of lint finding. Each has one fixed severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Cited in the body, never defined.
    UndefinedFootnote,
    /// Defined, never cited.
    UnusedFootnote,
    /// Defined twice.
    DuplicateFootnote,
    /// Numbered footnotes that skip a number or run out of order.
    FootnoteOrder,
    /// A URL that does not parse or uses an unknown scheme.
    InvalidUrl,
    /// A relative URL with no `--base-url` to resolve it.
    RelativeUrl,
    /// A footnote citing nothing online (an interview, a book).
    NoUrl,
    /// A footnote with no text at all.
    EmptyFootnote,
    /// One URL cited under different titles: one of the footnotes probably has the wrong link.
    ConflictingTitles,
    /// The same URL twice in one footnote.
    RepeatedUrl,
    /// A document with nothing in it.
    EmptyDocument,
    /// A Word hyperlink whose target the document does not define.
    BrokenHyperlink,
    /// A document past one of the reading budgets (nesting depth, references): read in part.
    OverBudget,
    /// Links of a web page not read: its site's chrome (by `--links`), or relative links with no
    /// base to resolve them against. One finding counts them.
    LinksLeftOut,
}

impl FindingKind {
    pub fn severity(self) -> Severity {
        use FindingKind::*;
        match self {
            UndefinedFootnote | DuplicateFootnote | InvalidUrl | BrokenHyperlink => Severity::Error,
            UnusedFootnote | FootnoteOrder | EmptyFootnote | ConflictingTitles | EmptyDocument => {
                Severity::Warning
            }
            NoUrl | RelativeUrl | RepeatedUrl | OverBudget | LinksLeftOut => Severity::Info,
        }
    }

    pub fn as_str(self) -> &'static str {
        use FindingKind::*;
        match self {
            UndefinedFootnote => "undefined-footnote",
            UnusedFootnote => "unused-footnote",
            DuplicateFootnote => "duplicate-footnote",
            FootnoteOrder => "footnote-order",
            InvalidUrl => "invalid-url",
            RelativeUrl => "relative-url",
            NoUrl => "no-url",
            EmptyFootnote => "empty-footnote",
            ConflictingTitles => "conflicting-titles",
            RepeatedUrl => "repeated-url",
            EmptyDocument => "empty-document",
            BrokenHyperlink => "broken-hyperlink",
            OverBudget => "over-budget",
            LinksLeftOut => "links-left-out",
        }
    }
}

/// A lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub footnote: Option<String>,
    pub line: Option<usize>,
    pub message: String,
}

impl Finding {
    pub fn new(
        kind: FindingKind,
        footnote: Option<&str>,
        line: Option<usize>,
        message: String,
    ) -> Self {
        Finding {
            kind,
            severity: kind.severity(),
            footnote: footnote.map(str::to_owned),
            line,
            message,
        }
    }
}
