//! The third stage of a link's life: what checking it found.

use serde::{Deserialize, Serialize};

use crate::extract::Severity;

/// What a check found: a fixed vocabulary (the JSON `status` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The cited resource is there.
    Ok,
    /// Gone: 404, 410, other 4xx, a soft 404, a deep link redirected to the front page, a redirect loop.
    Broken,
    /// The server refuses automated checks (401, 403, 999, bot challenges, 429 after retries).
    Blocked,
    /// 5xx after retries.
    ServerError,
    /// No complete answer within the timeout.
    Timeout,
    /// DNS failure, connection refused or reset, TLS failure.
    Unreachable,
    /// The URL cannot be checked as written.
    Invalid,
    /// Skipped by an include/exclude rule, a scheme that is not fetched (mailto:), or --deny-private.
    Excluded,
    /// Not checked (--offline).
    Unchecked,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Ok,
        Status::Broken,
        Status::Blocked,
        Status::ServerError,
        Status::Timeout,
        Status::Unreachable,
        Status::Invalid,
        Status::Excluded,
        Status::Unchecked,
    ];

    /// How serious the status is for the citation, if at all.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Status::Broken | Status::Unreachable | Status::Invalid => Some(Severity::Error),
            Status::Blocked | Status::ServerError | Status::Timeout => Some(Severity::Warning),
            Status::Ok | Status::Excluded | Status::Unchecked => None,
        }
    }

    pub fn is_error(self) -> bool {
        self.severity() == Some(Severity::Error)
    }

    pub fn is_warning(self) -> bool {
        self.severity() == Some(Severity::Warning)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Broken => "broken",
            Status::Blocked => "blocked",
            Status::ServerError => "server_error",
            Status::Timeout => "timeout",
            Status::Unreachable => "unreachable",
            Status::Invalid => "invalid",
            Status::Excluded => "excluded",
            Status::Unchecked => "unchecked",
        }
    }
}

/// Why a server refused an automated check (the JSON `reason` of a `blocked` result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockReason {
    /// A bot challenge page: Cloudflare, Akamai, DataDome, PerimeterX, Imperva.
    Challenge,
    /// 403.
    Forbidden,
    /// 401: the page needs a login.
    Login,
    /// 429 after retries, or a `Retry-After` over the limit.
    RateLimited,
    /// 999 and other codes outside HTTP (LinkedIn's wall).
    Nonstandard,
}

impl BlockReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::Challenge => "challenge",
            BlockReason::Forbidden => "forbidden",
            BlockReason::Login => "login",
            BlockReason::RateLimited => "rate-limited",
            BlockReason::Nonstandard => "nonstandard",
        }
    }

    /// The reason an HTTP status code gives, when a wall says no more.
    pub fn from_code(code: u16) -> Self {
        match code {
            401 => BlockReason::Login,
            429 => BlockReason::RateLimited,
            600.. => BlockReason::Nonstandard,
            _ => BlockReason::Forbidden,
        }
    }
}

/// A permanent redirect to a page that is there: the URL to cite instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub url: String,
    /// 301 or 308.
    pub status: u16,
}

/// One hop of a redirect chain: the URL requested and the 3xx it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    pub url: String,
    pub status: u16,
}

/// A place a URL is cited.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Citation {
    pub path: String,
    /// The footnote's id, or null for a link outside footnotes.
    pub footnote: Option<String>,
    pub line: usize,
}

/// What a [`Warning`] is about (the JSON `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// The page's title is no longer the cited one.
    TitleMismatch,
    /// The page's publication date is far from the cited date.
    DateMismatch,
    /// The archive could not be asked.
    ArchiveUnavailable,
    /// `--save` did not capture the page.
    NotSaved,
    /// The cited `#fragment` names no element of the page.
    MissingFragment,
    /// The page does not show the words the citing sentence quotes.
    QuoteNotFound,
    /// The page no longer shows the quoted words; its archived copy at the cited date does.
    QuoteChanged,
    /// The page's text is far from its archived copy's at the cited date.
    ContentDrift,
    /// A kind written by a later version (read back from a cached report).
    #[serde(other)]
    Other,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::TitleMismatch => "title-mismatch",
            WarningKind::DateMismatch => "date-mismatch",
            WarningKind::ArchiveUnavailable => "archive-unavailable",
            WarningKind::NotSaved => "not-saved",
            WarningKind::MissingFragment => "missing-fragment",
            WarningKind::QuoteNotFound => "quote-not-found",
            WarningKind::QuoteChanged => "quote-changed",
            WarningKind::ContentDrift => "content-drift",
            WarningKind::Other => "other",
        }
    }
}

/// Something worth a look although the status is what it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
    /// The footnote it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footnote: Option<String>,
    /// What the footnote says (a title, a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cited: Option<String>,
    /// What the page says now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<String>,
    /// Title similarity, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

impl Warning {
    pub fn new(kind: WarningKind, message: String) -> Self {
        Warning {
            kind,
            message,
            footnote: None,
            cited: None,
            live: None,
            score: None,
        }
    }
}

/// What is known of the page the URL leads to, read from the first bytes of its HTML (or, for a
/// platform such as YouTube, from its oEmbed answer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// `<title>`.
    pub title: Option<String>,
    /// The first `<h1>`.
    pub h1: Option<String>,
    /// `og:title` (or `twitter:title`): usually the headline without the site's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub og_title: Option<String>,
    /// Publication day (ISO 8601) from `article:published_time`, JSON-LD `datePublished` or `<time>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The ids and anchor names of the page, read whole, when a citation names a `#fragment` (not
    /// in the report).
    #[serde(skip)]
    pub anchors: Option<std::collections::HashSet<String>>,
    /// The page's text, normalised for matching (see `page::normalise`), with the anchors.
    #[serde(skip)]
    pub text: Option<String>,
    /// A sketch of its main text, to compare with an archived copy (see `content`), with the text.
    #[serde(skip)]
    pub sketch: Option<super::content::Sketch>,
    /// A PDF's page count, read when a citation names a `#page=N` (not in the report).
    #[serde(skip)]
    pub pages: Option<u64>,
}

/// The result of checking one URL, with every place it is cited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The URL as first written.
    pub url: String,
    pub status: Status,
    /// The last HTTP status received, if any.
    pub http_status: Option<u16>,
    /// Where the redirects ended, when there were any.
    pub final_url: Option<String>,
    pub redirects: Vec<Redirect>,
    /// Requests made for the final verdict, including retries (0 when nothing was sent).
    pub attempts: u32,
    pub elapsed_ms: u64,
    /// Why, in words: "404 Not Found", "no answer in 20 s", "connection refused".
    pub detail: Option<String>,
    /// Why the server refused, when `status` is `blocked`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<BlockReason>,
    /// A permanent redirect (301, 308) to another page that is `ok`: an info-level note to cite the new
    /// URL. Trivial redirects (a trailing slash, http→https, `www.`) are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved: Option<Moved>,
    /// For a URL printed with a hyphen at a line break (PDF) whose printed form is broken: the form
    /// without that hyphen, which answered instead. The result is that form's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_as: Option<String>,
    pub warnings: Vec<Warning>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// When a platform's API was asked instead of the cited URL (YouTube, Twitter/X).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
    /// The Wayback Machine's snapshot closest to the citation date, when looked up (`--wayback`);
    /// null when looked up and none exists.
    #[serde(default, skip_serializing_if = "ArchiveLookup::is_not_looked_up")]
    pub archive: ArchiveLookup,
    /// A capture made by this run (`--save`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<Archive>,
    /// Set when the result was reused from an earlier report (`--cache`): when it was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_from: Option<String>,
    /// Each quotation of a citing sentence, and whether the page shows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<QuoteVerdict>,
    /// How much of the live page's text is its archived copy's at the cited date (with
    /// `--wayback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentVerdict>,
    pub cited_in: Vec<Citation>,
}

/// A quotation and where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteVerdict {
    pub footnote: String,
    pub text: String,
    /// `live`: the page shows it; `archive`: only its archived copy at the cited date does;
    /// `none`: neither.
    pub found: QuoteFound,
}

/// The live page's text against its archived copy's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentVerdict {
    /// The share of their text the two have in common, 0–1 (see `check::content`).
    pub similarity: f64,
    /// The archived copy compared with.
    pub capture: String,
}

/// Where a quotation was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteFound {
    Live,
    Archive,
    None,
}

/// The platform API a result comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Via {
    /// "youtube", "twitter".
    pub platform: String,
    /// The URL asked.
    pub url: String,
}

/// A snapshot in a web archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archive {
    pub url: String,
    /// As the archive writes it: `20201120093512`.
    pub timestamp: String,
    /// Which archive holds it: "Wayback Machine", "archive.today", or the archive's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
}

impl Archive {
    /// The capture's day, as reports show it: `20201120044229` → `2020-11-20`.
    pub fn day(&self) -> String {
        let t = &self.timestamp;
        match (t.get(..4), t.get(4..6), t.get(6..8)) {
            (Some(y), Some(m), Some(d)) => format!("{y}-{m}-{d}"),
            _ => t.clone(),
        }
    }
}

/// Whether an archived copy was looked up, and what was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ArchiveLookup {
    #[default]
    NotLookedUp,
    /// Looked up: a snapshot, or none.
    Found(Option<Archive>),
}

impl ArchiveLookup {
    fn is_not_looked_up(&self) -> bool {
        matches!(self, ArchiveLookup::NotLookedUp)
    }

    pub fn snapshot(&self) -> Option<&Archive> {
        match self {
            ArchiveLookup::Found(found) => found.as_ref(),
            ArchiveLookup::NotLookedUp => None,
        }
    }
}

impl Serialize for ArchiveLookup {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.snapshot().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ArchiveLookup {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Archive>::deserialize(deserializer).map(ArchiveLookup::Found)
    }
}

impl CheckResult {
    /// A result reached without sending anything (invalid, excluded, unchecked).
    pub fn unsent(
        url: &str,
        status: Status,
        detail: Option<String>,
        cited_in: Vec<Citation>,
    ) -> Self {
        CheckResult {
            url: url.to_owned(),
            status,
            http_status: None,
            final_url: None,
            redirects: Vec::new(),
            attempts: 0,
            elapsed_ms: 0,
            detail,
            reason: None,
            moved: None,
            answered_as: None,
            warnings: Vec::new(),
            page: None,
            via: None,
            archive: ArchiveLookup::NotLookedUp,
            saved: None,
            cached_from: None,
            quotes: Vec::new(),
            content: None,
            cited_in,
        }
    }
}
