//! Documents → footnotes, citation fields, links and lint findings.
//!
//! Every function here is pure: text in, data out, no I/O. Each format has its own reader producing a
//! [`RawDocument`] (footnote definitions, references and links as written, with lines); [`extract`]
//! then assembles the [`Document`] of the citation model and runs the lint.

mod citation;
mod docx;
pub(crate) mod html;
mod lines;
mod lint;
mod markdown;
pub mod model;
mod pdf;
mod pdf_repair;
pub(crate) mod quotes;
mod rst;
mod text;
mod windowed;

pub use windowed::{FootnoteSink, Windowed, streamable, windowed, windowed_min_len};

use std::path::Path;

use foldhash::HashMap;
use rayon::prelude::*;

use url::Url;

pub use citation::{CitationFields, parse as parse_citation};
pub use docx::DocxError;
pub use pdf::{PdfError, explain as pdf_explain, layout as pdf_layout};

/// Why a binary document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BinaryError {
    #[error(transparent)]
    Docx(#[from] DocxError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
}
pub use model::{Document, Finding, FindingKind, Footnote, InputFormat, Link, Severity};

use crate::uri;

/// A URL as written in a document, with the line it is on: the first stage of a link's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLink {
    pub url: String,
    pub line: usize,
}

/// A footnote definition as read, before its citation fields are parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RawFootnote {
    pub id: String,
    pub line: usize,
    pub text: String,
    /// The first italic span of the definition: the publication in most citation styles.
    pub emphasis: Option<String>,
    /// The text of the definition's first link (`[Title](https://…)`): the title when none is quoted.
    pub link_text: Option<String>,
    pub urls: Vec<RawLink>,
    /// Citation fields a reader took from the document's structure (MediaWiki's CS1 `<cite>`): when
    /// set, they are the footnote's fields instead of what `citation::parse` finds in its text.
    pub fields: Option<Box<CitationFields>>,
    /// Words the sentence that first cites it quotes, when the reader finds them (HTML; Markdown's
    /// are found once the document is read, see `quotes::attach`).
    pub quotes: Vec<String>,
}

/// A place in the body that cites a footnote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawReference {
    pub id: String,
    pub line: usize,
}

/// What a format reader finds, in document order.
#[derive(Debug, Default)]
pub(crate) struct RawDocument {
    pub footnotes: Vec<RawFootnote>,
    pub references: Vec<RawReference>,
    pub links: Vec<RawLink>,
    /// Findings only the format's reader can make (a Word hyperlink to a missing relationship).
    pub findings: Vec<Finding>,
    /// The footnote structure was inferred from page layout (PDF): no error-level structure findings.
    pub layout_inferred: bool,
    /// URLs printed hyphenated at a line end: (as printed, with the hyphen removed).
    pub alternatives: Vec<(String, String)>,
    /// Footnotes a reader did not keep, past the footnote budget: how many, and the line of the
    /// first (a reader that keeps them all leaves the budget to `assemble`).
    pub footnotes_dropped: Option<(usize, usize)>,
    /// Links of a web page's chrome (navigation, header, footer, sidebars): read only with
    /// `--links all`.
    pub chrome_links: Vec<RawLink>,
    /// The page's `<base href>`, against which its relative links resolve.
    pub base_href: Option<String>,
}

impl RawDocument {
    /// Keeps the first `budget` footnotes and counts the rest as dropped: whether any were.
    pub(crate) fn keep_footnotes(&mut self, budget: usize) -> bool {
        let Some(first) = self.footnotes.get(budget) else {
            return false;
        };
        self.count_dropped(self.footnotes.len() - budget, first.line);
        self.footnotes.truncate(budget);
        true
    }

    /// Counts `n` footnotes past the budget, the first of them on `line`.
    pub(crate) fn count_dropped(&mut self, n: usize, line: usize) {
        add_dropped(&mut self.footnotes_dropped, n, line);
    }

    /// A link goes to the footnote being read, if any, else to the links outside footnotes.
    pub(crate) fn add_link(&mut self, current: Option<&mut RawFootnote>, url: &str, line: usize) {
        let link = RawLink {
            url: url.to_owned(),
            line,
        };
        match current {
            Some(def) => def.urls.push(link),
            None => self.links.push(link),
        }
    }
}

/// Settings for extraction.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// Relative links are resolved against this when it is known.
    pub base_url: Option<Url>,
    /// Which links outside footnotes a web page gives.
    pub links: LinkScope,
    /// The text's digest ([`Document::sha256`]) is not taken: for a report that does not record it
    /// (`extract --format human`).
    pub no_digest: bool,
}

/// Which links of a web page (HTML) are read besides its footnotes' URLs.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum LinkScope {
    /// The footnotes' URLs only.
    Footnotes,
    /// Also the links of the article's text; not the site's navigation, header, footer, sidebars,
    /// share and "related" blocks or cookie banners.
    #[default]
    Article,
    /// Every link of the page.
    All,
}

/// Extensions read when walking a folder, and the format each one implies.
pub const SUPPORTED_EXTENSIONS: &[(&str, InputFormat)] = &[
    ("md", InputFormat::Markdown),
    ("markdown", InputFormat::Markdown),
    ("txt", InputFormat::Text),
    ("html", InputFormat::Html),
    ("htm", InputFormat::Html),
    ("html5", InputFormat::Html),
    ("xhtml", InputFormat::Html),
    ("rst", InputFormat::Rst),
    ("rest", InputFormat::Rst),
    ("docx", InputFormat::Docx),
    ("pdf", InputFormat::Pdf),
];

/// The format implied by a file's extension, if it is one we read.
pub fn format_for_path(path: &Path) -> Option<InputFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    SUPPORTED_EXTENSIONS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, f)| *f)
}

/// Chooses the format: an explicit choice wins, then the extension; a `.txt` (or unknown) file that
/// contains `<sup>` footnotes or Markdown syntax is read as Markdown, since briefs converted from PDF
/// are often saved as text.
pub fn detect_format(
    path: Option<&Path>,
    content: &str,
    explicit: Option<InputFormat>,
) -> InputFormat {
    if let Some(format) = explicit {
        return format;
    }
    match path.and_then(format_for_path) {
        Some(InputFormat::Text) | None => {
            if looks_like_markdown(content) {
                InputFormat::Markdown
            } else if path.is_none() && looks_like_html(content) {
                InputFormat::Html
            } else {
                InputFormat::Text
            }
        }
        Some(format) => format,
    }
}

fn looks_like_markdown(content: &str) -> bool {
    let head = prefix(content, 256 * 1024);
    head.contains("<sup>")
        || head.contains("[^")
        || head.contains("](")
        || head.contains("<http")
        || head.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("# ") || l.starts_with("## ") || l.starts_with("### ") || l == "---"
        })
}

fn looks_like_html(content: &str) -> bool {
    let head = prefix(content, 4096).trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// The first `max` bytes of `s` (or a little less, to end on a character boundary).
pub(crate) fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Extracts the citation model of one document.
pub fn extract(
    path: &str,
    content: &str,
    format: InputFormat,
    options: &ExtractOptions,
) -> Document {
    read_text(content, format, !options.no_digest).assemble(path, options)
}

/// [`extract`], freeing the text once it is read, before the model is built (the model's strings
/// are its own): the text and the model of a large document are never held together.
pub fn extract_owned(
    path: &str,
    content: String,
    format: InputFormat,
    options: &ExtractOptions,
) -> Document {
    let read = read_text(&content, format, !options.no_digest);
    drop(content);
    read.assemble(path, options)
}

/// What is read of a text document before its model is built; none of it borrows the text.
struct TextRead {
    raw: RawDocument,
    format: InputFormat,
    sha256: Option<String>,
    date: Option<String>,
    empty: bool,
    len: usize,
}

fn read_text(content: &str, format: InputFormat, digest: bool) -> TextRead {
    // The digest of a large document is taken while its parts are read.
    let (mut raw, sha256) = rayon::join(
        || match format {
            InputFormat::Markdown => markdown::read(content),
            InputFormat::Html => html::read(content),
            InputFormat::Rst => rst::read(content),
            // Word documents are binary (see `extract_bytes`); as text there is nothing but bare URLs.
            InputFormat::Text | InputFormat::Docx | InputFormat::Pdf => text::read(content),
        },
        || digest.then(|| text_hash(content)),
    );
    if format == InputFormat::Markdown {
        raw.keep_footnotes(footnote_budget(content.len()));
        quotes::attach(&mut raw, content);
    }
    TextRead {
        raw,
        format,
        sha256,
        date: (format != InputFormat::Html)
            .then(|| document_date(content))
            .flatten(),
        empty: content.trim().is_empty(),
        len: content.len(),
    }
}

impl TextRead {
    fn assemble(self, path: &str, options: &ExtractOptions) -> Document {
        let mut doc = assemble(path, self.format, self.empty, self.len, self.raw, options);
        doc.sha256 = self.sha256;
        doc.date = self.date;
        doc
    }
}

/// How many footnotes a document of `input_len` bytes keeps: one per `BYTES_PER_FOOTNOTE` bytes of
/// input, and never fewer than 10,000. A footnote in the model (fields, lint, report) costs about
/// 2 KB whatever its length, so this bounds memory at about 8 times the input: the largest document
/// read (64 MiB) stays near the 300 MB aimed at. Real documents stay below it (the 50 MB benchmark
/// report has one note per 350 bytes); a flood of one-line definitions (1 million in 13 MB) cost
/// 2.1 GB before any budget, and 430 MB at one per 64 bytes.
pub(crate) fn footnote_budget(input_len: usize) -> usize {
    (input_len / BYTES_PER_FOOTNOTE).max(10_000)
}

/// The footnote budget's ratio: see [`footnote_budget`].
const BYTES_PER_FOOTNOTE: usize = 256;

/// How many links outside footnotes a document of `input_len` bytes keeps: one per
/// `BYTES_PER_LINK` bytes (a list of bare URLs, one per line, has one per 25 bytes or so), never
/// fewer than 10,000 and never more than `MAX_LINKS`. A link costs about 300 bytes in the model and
/// report; a million links in 30 MB of Markdown cost 335 MB before this budget.
fn link_budget(input_len: usize) -> usize {
    (input_len / BYTES_PER_LINK).clamp(10_000, MAX_LINKS)
}

const BYTES_PER_LINK: usize = 16;

/// Far past any real document (a long Wikipedia article links a few thousand times).
const MAX_LINKS: usize = 250_000;

/// The longest URL read: RFC 9110 asks that URIs of 8,000 octets be supported, and a real citation's
/// are far shorter. A Word relationship to a URL of megabytes, cited ten thousand times, cost
/// gigabytes of report before this.
pub(crate) const MAX_URL_BYTES: usize = 8 * 1024;

fn assemble(
    path: &str,
    format: InputFormat,
    empty: bool,
    input_len: usize,
    mut raw: RawDocument,
    options: &ExtractOptions,
) -> Document {
    let budget = footnote_budget(input_len);
    raw.keep_footnotes(budget);
    let RawDocument {
        footnotes: mut raw_footnotes,
        references,
        links: mut raw_links,
        mut findings,
        layout_inferred,
        alternatives,
        footnotes_dropped,
        chrome_links,
        base_href,
    } = raw;
    // A web page's links: its chrome by `--links`, its relative links against its base.
    let page_base = match (&base_href, &options.base_url) {
        (Some(href), Some(given)) => given.join(href.trim()).ok(),
        (Some(href), None) => Url::parse(href.trim()).ok(),
        _ => None,
    };
    let base = page_base.as_ref().or(options.base_url.as_ref());
    let mut left_out = Vec::new();
    match options.links {
        LinkScope::All => {
            raw_links.extend(chrome_links);
            raw_links.sort_by_key(|l| l.line);
        }
        LinkScope::Article if !chrome_links.is_empty() => left_out.push(format!(
            "{} in the site's navigation, header, footer or sidebars (--links all reads them)",
            crate::report::count(chrome_links.len(), "link", "links")
        )),
        LinkScope::Footnotes
            if format == InputFormat::Html
                && (!raw_links.is_empty() || !chrome_links.is_empty()) =>
        {
            left_out.push(format!(
                "{} outside footnotes (--links footnotes)",
                crate::report::count(raw_links.len() + chrome_links.len(), "link", "links")
            ));
            raw_links.clear();
        }
        _ => {}
    }
    if format == InputFormat::Html && base.is_none() {
        let before = raw_links.len();
        raw_links.retain(|l| !uri::is_relative(&l.url));
        if raw_links.len() < before {
            left_out.push(format!(
                "{} relative to a page whose address is not known (give --base-url)",
                crate::report::count(before - raw_links.len(), "link", "links")
            ));
        }
    }
    if !left_out.is_empty() {
        findings.push(Finding::new(
            FindingKind::LinksLeftOut,
            None,
            None,
            format!("not read: {}", left_out.join("; ")),
        ));
    }
    let resolve = |raw: String| resolve_url(raw, format, base);
    let mut too_long = TooLong::default();
    for note in &mut raw_footnotes {
        note.urls.retain(|l| too_long.fits(l));
    }
    raw_links.retain(|l| too_long.fits(l));
    findings.extend(too_long.finding());
    findings.extend(dropped_finding(footnotes_dropped, input_len));

    // References attach to the first definition of their id.
    let mut refs_by_id: HashMap<&str, Vec<usize>> =
        HashMap::with_capacity_and_hasher(references.len(), Default::default());
    for r in &references {
        refs_by_id.entry(r.id.as_str()).or_default().push(r.line);
    }
    // Each definition's references (the first definition of an id takes them all), in order.
    let note_references: Vec<Vec<usize>> = raw_footnotes
        .iter()
        .map(|f| refs_by_id.remove(f.id.as_str()).unwrap_or_default())
        .collect();
    // Citation fields are the costly part of a report with thousands of footnotes: read in
    // parallel, as the strings move from the raw footnotes into the model; the lines of each URL
    // go to the lint.
    let (mut footnotes, url_lines): (Vec<Footnote>, Vec<Vec<usize>>) = raw_footnotes
        .into_par_iter()
        .zip(note_references)
        .map(|(raw_fn, references)| build_footnote(raw_fn, references, &resolve))
        .unzip();
    // A site named before a dash in several notes (see `citation::sites_before_dash`).
    let sites: Vec<(usize, String, String)> = {
        let texts: Vec<&str> = footnotes.iter().map(|f| f.text.as_str()).collect();
        citation::sites_before_dash(&texts, |i| {
            let f = &footnotes[i];
            f.publication.is_none() && (f.title.is_none() || f.title_guessed)
        })
        .into_iter()
        .map(|(i, site, title)| (i, site.to_owned(), title.to_owned()))
        .collect()
    };
    for (i, site, title) in sites {
        let f = &mut footnotes[i];
        f.publication = Some(site);
        f.title = Some(title);
        f.title_guessed = true;
    }
    findings.extend(keep_link_budget(&mut raw_links, input_len));
    let links = resolve_links(raw_links, &resolve);

    let mut issues = lint::lint(
        &footnotes,
        &url_lines,
        &references,
        &links,
        empty,
        !layout_inferred,
        format.is_print(),
    );
    add_findings(&mut issues, findings);
    Document {
        path: path.to_owned(),
        format,
        sha256: None,
        date: None,
        footnotes,
        links,
        issues,
        alternatives: alternatives
            .into_iter()
            .map(|(printed, alt)| (resolve(printed), resolve(alt)))
            .collect(),
    }
}

/// Counts `n` footnotes past the budget, the first of them on `line`, into `dropped` (how many, and
/// the line of the first).
pub(crate) fn add_dropped(dropped: &mut Option<(usize, usize)>, n: usize, line: usize) {
    if n > 0 {
        let (count, first) = dropped.get_or_insert((0, line));
        *count += n;
        *first = (*first).min(line);
    }
}

/// A URL as read, resolved against `base` where it is relative (a printed address that parses as
/// one is kept as printed).
fn resolve_url(raw: String, format: InputFormat, base: Option<&Url>) -> String {
    match base {
        Some(_) if format.is_print() && uri::Uri::parse_printed(&raw).is_ok() => raw,
        Some(base) if uri::is_relative(&raw) => {
            base.join(raw.trim()).map(String::from).unwrap_or(raw)
        }
        _ => raw,
    }
}

/// URLs longer than `MAX_URL_BYTES`, counted as they are left out.
#[derive(Default)]
struct TooLong {
    count: usize,
    first_line: Option<usize>,
}

impl TooLong {
    /// Whether a URL is short enough to read; a longer one is counted.
    fn fits(&mut self, l: &RawLink) -> bool {
        let fits = l.url.len() <= MAX_URL_BYTES;
        if !fits {
            self.count += 1;
            self.first_line = self.first_line.or(Some(l.line));
        }
        fits
    }

    fn finding(&self) -> Option<Finding> {
        let line = self.first_line?;
        Some(Finding::new(
            FindingKind::OverBudget,
            None,
            Some(line),
            format!(
                "{} URL(s) longer than {} KiB were not read",
                self.count,
                MAX_URL_BYTES / 1024
            ),
        ))
    }
}

/// The finding of footnotes past the budget of a document of `input_len` bytes, if any were.
fn dropped_finding(dropped: Option<(usize, usize)>, input_len: usize) -> Option<Finding> {
    let (over, line) = dropped?;
    let budget = footnote_budget(input_len);
    Some(Finding::new(
        FindingKind::OverBudget,
        None,
        Some(line),
        format!(
            "more footnotes than the footnote budget ({budget}, one per {BYTES_PER_FOOTNOTE} bytes of the document): {over} past it were not read"
        ),
    ))
}

/// Keeps the links outside footnotes that the link budget of a document of `input_len` bytes allows;
/// the finding if some were left out.
fn keep_link_budget(raw_links: &mut Vec<RawLink>, input_len: usize) -> Option<Finding> {
    let link_budget = link_budget(input_len);
    let line = raw_links.get(link_budget)?.line;
    let over = raw_links.len() - link_budget;
    raw_links.truncate(link_budget);
    Some(Finding::new(
        FindingKind::OverBudget,
        None,
        Some(line),
        format!(
            "more links outside footnotes than the link budget ({link_budget}: one per {BYTES_PER_LINK} bytes of the document, at most {MAX_LINKS}): {over} past it were not read"
        ),
    ))
}

/// The links of the model, resolved.
fn resolve_links(raw_links: Vec<RawLink>, resolve: &impl Fn(String) -> String) -> Vec<Link> {
    raw_links
        .into_iter()
        .map(|l| Link {
            url: resolve(l.url),
            line: l.line,
        })
        .collect()
}

/// The lint's findings with a reader's own, in line order.
fn add_findings(issues: &mut Vec<Finding>, findings: Vec<Finding>) {
    if !findings.is_empty() {
        issues.extend(findings);
        issues.sort_by_key(|f| f.line);
    }
}

/// A footnote of the model from one as read and the lines that cite it (`resolve` resolves its
/// URLs against any base), with the line of each of its URLs: its citation fields are read here.
fn build_footnote(
    mut raw_fn: RawFootnote,
    references: Vec<usize>,
    resolve: &impl Fn(String) -> String,
) -> (Footnote, Vec<usize>) {
    let fields = raw_fn.fields.take().map_or_else(
        || {
            citation::parse_with_link(
                &raw_fn.text,
                raw_fn.emphasis.as_deref(),
                raw_fn.link_text.as_deref(),
            )
        },
        |fields| *fields,
    );
    let mut lines: Vec<usize> = raw_fn.urls.iter().map(|l| l.line).collect();
    let mut urls: Vec<String> = raw_fn.urls.into_iter().map(|l| resolve(l.url)).collect();
    // A DOI written without a link (`doi:10.1145/…`, `DOI: 10.…`) is the citation's URL.
    if urls.is_empty()
        && let Some(url) = fields.doi.as_deref().and_then(doi_url)
    {
        urls.push(url);
        lines.push(raw_fn.line);
    }
    let footnote = Footnote {
        id: raw_fn.id,
        line: raw_fn.line,
        references,
        text: raw_fn.text,
        title: fields.title,
        title_guessed: fields.title_guessed,
        publication: fields.publication,
        date: fields.date,
        accessed: fields.accessed,
        committed: None,
        authors: fields.authors,
        volume: fields.volume,
        pages: fields.pages,
        doi: fields.doi,
        quotes: raw_fn.quotes,
        urls,
    };
    (footnote, lines)
}

/// Whether a format is read from bytes rather than text.
pub fn is_binary(format: InputFormat) -> bool {
    matches!(format, InputFormat::Docx | InputFormat::Pdf)
}

/// Extracts the citation model of a binary document (`.docx`, `.pdf`).
pub fn extract_bytes(
    path: &str,
    bytes: &[u8],
    format: InputFormat,
    options: &ExtractOptions,
) -> Result<Document, BinaryError> {
    let raw = match format {
        InputFormat::Docx => docx::read(bytes)?,
        InputFormat::Pdf => pdf::read(bytes)?,
        _ => {
            return Ok(extract(
                path,
                &String::from_utf8_lossy(bytes),
                format,
                options,
            ));
        }
    };
    let empty = raw.footnotes.is_empty() && raw.links.is_empty() && raw.references.is_empty();
    Ok(assemble(path, format, empty, bytes.len(), raw, options))
}

/// The document's own date: `date:` in YAML front matter, else a line among the first 40 that holds
/// nothing but a date ("December 6, 2020" under a brief's byline).
fn document_date(content: &str) -> Option<String> {
    let head = prefix(content, 16 * 1024);
    if let Some(front) = head.strip_prefix("---\n")
        && let Some(end) = front.find("\n---")
    {
        let date = front[..end]
            .lines()
            .find_map(|l| l.strip_prefix("date:"))
            .and_then(|v| citation::find_date(v.trim().trim_matches(['"', '\''])));
        if date.is_some() {
            return date;
        }
    }
    head.lines().take(40).find_map(|line| {
        let bare = line.trim().trim_matches(['*', '_', '#', ' ']);
        (bare.len() <= 30 && bare.chars().filter(|c| c.is_ascii_digit()).count() >= 4)
            .then(|| citation::find_date(bare))
            .flatten()
    })
}

/// Splits a `<sup>` marker's text ("1", "1, 2", "[3]", "1." as PDF-to-Markdown converters write it)
/// into footnote ids; `None` when it is not a footnote marker (an exponent like "th" or "2n").
pub(crate) fn marker_ids(text: &str) -> Option<Vec<String>> {
    let ids: Vec<String> = text
        .split([',', ';', ' '])
        .map(|p| {
            p.trim()
                .trim_end_matches('.')
                .trim_matches(['[', ']', '(', ')'])
        })
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    // Numbers, or single letters ("a", "b") as some styles use; not ordinals like "th" or "e".
    let is_marker = |id: &String| {
        id.bytes().all(|b| b.is_ascii_digit())
            || (id.len() == 1
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() && b != b'e' && b != b'o'))
    };
    (!ids.is_empty() && ids.iter().all(is_marker)).then_some(ids)
}

/// Runs of whitespace become one space; leading and trailing whitespace goes.
pub fn collapse_whitespace(s: &str) -> String {
    if is_collapsed(s) {
        return s.to_owned();
    }
    if s.is_ascii() {
        // The common case, a byte at a time: ASCII's white space is what `char::is_whitespace`
        // finds in it (tab to carriage return, and the space).
        let mut out = Vec::with_capacity(s.len());
        let mut blank = false;
        for &b in s.as_bytes() {
            if matches!(b, b'\t'..=b'\r' | b' ') {
                blank = !out.is_empty();
            } else {
                if blank {
                    out.push(b' ');
                    blank = false;
                }
                out.push(b);
            }
        }
        return String::from_utf8(out).unwrap_or_default();
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `s` is already as [`collapse_whitespace`] leaves it: white space only single spaces
/// between words. Most text is (a note of one line), and checking costs a compare per byte where
/// collapsing costs a copy. Conservative: any other byte below `!` says no.
fn is_collapsed(s: &str) -> bool {
    static DOUBLE_SPACE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
    let bytes = s.as_bytes();
    // Passes the compiler runs many bytes at a time: no space at either end or twice in a row, and no
    // byte below a space (tab, newline, another control).
    if bytes.first() == Some(&b' ')
        || bytes.last() == Some(&b' ')
        || bytes.iter().fold(false, |below, &b| below | (b < b' '))
        || DOUBLE_SPACE.find(bytes).is_some()
    {
        return false;
    }
    // Beyond ASCII, white space other than the space (a no-break space), as `char` tells it.
    s.is_ascii() || !s.chars().any(|c| c != ' ' && c.is_whitespace())
}

/// [`collapse_whitespace`] in place, leaving `s` untouched (no copy) when it is already collapsed.
pub(crate) fn collapse_whitespace_in_place(s: &mut String) {
    // A note's text read after its marker starts with a space: trimmed, it is most often collapsed.
    let inner = s.trim_matches(' ');
    if !is_collapsed(inner) {
        *s = collapse_whitespace(s);
        return;
    }
    let (start, end) = (inner.as_ptr() as usize - s.as_ptr() as usize, inner.len());
    s.truncate(start + end);
    s.drain(..start);
}

/// Finds bare URLs in text: trailing punctuation is not part of a URL, balanced parentheses are.
/// A typed URL ends before CJK text and full-width punctuation, which linkify would take in
/// (`http://zfcg.czt.zj.gov.cn/）、东阳市…` is `http://zfcg.czt.zj.gov.cn/`): linkify reads each run of
/// text between them, so its own trim applies at a run's end, and every run is read once (CJK text
/// has no spaces, and a URL that linkify let run into it reached the end of the text: searching again
/// after each one took the square of the text's length, 16 s for 30,000 URLs in 480 KB).
pub(crate) fn bare_urls(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut found = Vec::new();
    let mut run_start = 0;
    let mut in_run = false;
    for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let ends = at == text.len() || is_cjk(c);
        if ends {
            if in_run {
                let run = &text[run_start..at];
                found.extend(
                    finder
                        .links(run)
                        .map(|l| (run_start + l.start(), l.as_str())),
                );
            }
            in_run = false;
        } else if !in_run {
            run_start = at;
            in_run = true;
        }
    }
    found.into_iter()
}

/// CJK ideographs, kana, Hangul, CJK symbols and punctuation (U+3000–U+303F) and half- and
/// full-width forms (U+FF00–U+FFEF).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF // Hangul Jamo
        | 0x3000..=0x303F // CJK symbols and punctuation
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF00..=0xFFEF // half- and full-width forms
        | 0x20000..=0x3FFFF // CJK extensions B and later
    )
}

/// The digest a document's text is known by in reports: `sha256:` and 64 hex digits.
pub fn text_hash(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// `https://doi.org/10.1145/359545.359563` for a DOI, its characters percent-encoded as a path needs.
fn doi_url(doi: &str) -> Option<String> {
    let mut url = Url::parse("https://doi.org/").ok()?;
    url.path_segments_mut()
        .ok()?
        .pop_if_empty()
        .extend(doi.split('/'));
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_with_sup_footnotes_is_markdown() {
        let p = Path::new("brief.txt");
        assert_eq!(
            detect_format(Some(p), "a<sup>1</sup>", None),
            InputFormat::Markdown
        );
        assert_eq!(
            detect_format(Some(p), "see https://x.org", None),
            InputFormat::Text
        );
        assert_eq!(
            detect_format(Some(Path::new("a.HTM")), "x", None),
            InputFormat::Html
        );
        assert_eq!(
            detect_format(Some(p), "a<sup>1</sup>", Some(InputFormat::Text)),
            InputFormat::Text
        );
        assert_eq!(
            detect_format(None, "<!DOCTYPE html><p>x", None),
            InputFormat::Html
        );
        for (name, format) in [
            ("pep.rst", InputFormat::Rst),
            ("notes.REST", InputFormat::Rst),
            ("page.xhtml", InputFormat::Html),
            ("page.html5", InputFormat::Html),
        ] {
            // Markdown-looking content does not override a known extension.
            assert_eq!(
                detect_format(Some(Path::new(name)), "# x [^1]", None),
                format
            );
        }
    }

    #[test]
    fn whitespace_collapses_as_split_whitespace_would() {
        for s in [
            "",
            "  ",
            " a  b\t\nc \x0b d\x0c\re ",
            "one",
            "\u{a0}a\u{3000}b  c\u{2028}",
            "x\u{85}y",
            "\x1f a",
        ] {
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(s), want, "{s:?}");
        }
    }

    #[test]
    fn the_digest_is_taken_unless_declined() {
        let text = "Cited.<sup>1</sup>\n\n<sup>1</sup> <https://example.org/a>\n";
        let digest = |no_digest| {
            let options = ExtractOptions {
                no_digest,
                ..ExtractOptions::default()
            };
            extract("a.md", text, InputFormat::Markdown, &options).sha256
        };
        assert_eq!(digest(false), Some(text_hash(text)));
        assert_eq!(digest(true), None);
        assert!(text_hash(text).starts_with("sha256:"));
    }

    /// A text found already collapsed is one that collapsing leaves as it is, whatever white space
    /// it holds.
    #[test]
    fn collapsed_text_is_left_as_it_is() {
        let spaces = [
            " ", "  ", "\t", "\n", "\r", "\u{0b}", "\u{0c}", "\u{85}", "\u{a0}", "\u{1680}",
            "\u{2000}", "\u{2005}", "\u{200a}", "\u{200b}", "\u{2028}", "\u{2029}", "\u{202f}",
            "\u{205f}", "\u{3000}", "\u{feff}", "\u{1}", "’", "é", "",
        ];
        for a in spaces {
            for b in spaces {
                for s in [
                    format!("word{a}word{b}word"),
                    format!("{a}word"),
                    format!("word{b}"),
                    format!("{a}{b}"),
                ] {
                    let collapsed = collapse_whitespace(&s);
                    // Conservative: a control character sends it to be collapsed all the same.
                    let plain = !s.contains(|c: char| c.is_control() && !c.is_whitespace());
                    assert_eq!(is_collapsed(&s), plain && collapsed == s, "{s:?}");
                    let mut in_place = s.clone();
                    collapse_whitespace_in_place(&mut in_place);
                    assert_eq!(in_place, collapsed, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn document_dates() {
        assert_eq!(
            document_date("---\ntitle: X\ndate: 2021-03-04\n---\n# X\n").as_deref(),
            Some("2021-03-04")
        );
        assert_eq!(
            document_date("# Brief\n\nBy **A**\n\nDecember 6, 2020\n\nText").as_deref(),
            Some("2020-12-06")
        );
        assert_eq!(
            document_date("# Brief\n\nOn November 19, 2020 the prime minister went to Kabul.\n"),
            None
        );
    }

    fn urls(text: &str) -> Vec<&str> {
        bare_urls(text).map(|(_, url)| url).collect()
    }

    #[test]
    fn bare_urls_end_before_cjk_text_and_full_width_punctuation() {
        assert_eq!(
            urls("采购公告见http://zfcg.czt.zj.gov.cn/）、东阳市公共资源交易中心"),
            ["http://zfcg.czt.zj.gov.cn/"]
        );
        assert_eq!(
            urls("详见 https://www.gov.cn/zhengce/content/2020-11/19/c_1.htm。下一句"),
            ["https://www.gov.cn/zhengce/content/2020-11/19/c_1.htm"]
        );
        // The trim after the cut: a dot, an unbalanced bracket before the CJK text.
        assert_eq!(urls("见 https://a.cn/x.。"), ["https://a.cn/x"]);
        assert_eq!(urls("（见 https://a.cn/x)，"), ["https://a.cn/x"]);
        assert_eq!(urls("https://a.cn/f(x)。"), ["https://a.cn/f(x)"]);
        // Japanese, Korean, a full-width comma, a host followed by ideographs.
        assert_eq!(
            urls("https://example.jp/a/これは"),
            ["https://example.jp/a/"]
        );
        assert_eq!(urls("https://example.kr/b한국어"), ["https://example.kr/b"]);
        assert_eq!(
            urls("https://a.org/x，https://b.org/y"),
            ["https://a.org/x", "https://b.org/y"]
        );
        assert_eq!(urls("网站http://www.gov.cn东阳市"), ["http://www.gov.cn"]);
        assert_eq!(
            urls("http://a.org/x和http://b.org/y"),
            ["http://a.org/x", "http://b.org/y"]
        );
        // Offsets are into the whole text.
        let text = "东阳市：https://a.cn/p。";
        let (offset, url) = bare_urls(text).next().unwrap();
        assert_eq!(&text[offset..offset + url.len()], "https://a.cn/p");
        // A percent-encoded CJK path is ASCII: it stays whole.
        assert_eq!(
            urls("see https://zh.wikipedia.org/wiki/%E4%B8%AD%E6%96%87 here"),
            ["https://zh.wikipedia.org/wiki/%E4%B8%AD%E6%96%87"]
        );
        // Nothing left but the scheme: no URL.
        assert!(urls("http://。").is_empty());
        // Untouched without CJK.
        assert_eq!(urls("(see https://a.org/x)."), ["https://a.org/x"]);
    }

    /// Issue 13: a title guessed from a citation's layout never reaches drift nor `conflicting-titles`.
    #[test]
    fn guessed_titles_are_neither_compared_nor_linted() {
        let src = "A[^a] B[^b] C[^c]\n\n[^a]: Doe, J. (2020). A guessed title. Some Journal. https://x.org/a\n\n[^b]: Roe, R. (2020). Another guessed title. Other Journal. https://x.org/a\n\n[^c]: Poe, P., \"A quoted title,\" Dawn, 2020, https://x.org/c\n";
        let doc = extract(
            "a.md",
            src,
            InputFormat::Markdown,
            &ExtractOptions::default(),
        );
        let guessed: Vec<_> = doc.footnotes.iter().map(|f| f.title_guessed).collect();
        assert_eq!(guessed, [true, true, false]);
        assert!(
            !doc.issues
                .iter()
                .any(|f| f.kind == FindingKind::ConflictingTitles)
        );
        let requests = crate::check::plan(&[doc], &crate::check::CheckConfig::default(), None);
        let mut cited: Vec<_> = requests
            .iter()
            .flat_map(|r| &r.cited_as)
            .map(|c| (c.footnote.as_str(), c.title.as_deref(), c.date.as_deref()))
            .collect();
        cited.sort();
        assert_eq!(
            cited,
            [
                ("a", None, Some("2020")),
                ("b", None, Some("2020")),
                ("c", Some("A quoted title"), Some("2020"))
            ]
        );
    }

    #[test]
    fn a_host_printed_without_scheme_is_fetched_only_from_print() {
        let src = "Brief.[^1]\n\n[^1]: Vgl. transparenzranking.de\n";
        let mut doc = extract(
            "a.md",
            src,
            InputFormat::Markdown,
            &ExtractOptions::default(),
        );
        doc.footnotes[0].urls = vec!["transparenzranking.de".into()];
        let config = crate::check::CheckConfig::default();
        // In Markdown it is a relative link: judged, not fetched.
        let requests = crate::check::plan(std::slice::from_ref(&doc), &config, None);
        assert!(matches!(
            requests[0].target,
            crate::check::Target::Judged { .. }
        ));
        // On a printed page it names its host.
        doc.format = InputFormat::Pdf;
        let requests = crate::check::plan(&[doc], &config, None);
        match &requests[0].target {
            crate::check::Target::Fetch(uri) => {
                assert_eq!(uri.as_str(), "http://transparenzranking.de/");
            }
            other => panic!("not fetched: {other:?}"),
        }
    }

    #[test]
    fn marker_ids_reads_lists_and_rejects_ordinals() {
        assert_eq!(marker_ids("1"), Some(vec!["1".into()]));
        assert_eq!(marker_ids("1, 2"), Some(vec!["1".into(), "2".into()]));
        assert_eq!(marker_ids("[3]"), Some(vec!["3".into()]));
        assert_eq!(marker_ids("1."), Some(vec!["1".into()]));
        assert_eq!(marker_ids("1.5"), None);
        assert_eq!(marker_ids("th"), None);
        assert_eq!(marker_ids("2n"), None);
        assert_eq!(marker_ids(""), None);
    }
}
