//! Documents read from the web (`citecheck check URL…`).
//!
//! A URL names a published brief (a web page, a PDF, a Word document, Markdown…, told by its
//! `Content-Type` and its first bytes) or a listing of briefs: a sitemap or sitemap index, an RSS or
//! an Atom feed, which expands to the documents it lists (`--document-pattern` keeps some,
//! `--max-documents` bounds them). Every fetch goes through the checker: its client, host limits,
//! address policy (`--deny-private`) and timeouts, with the body limited to `--max-file-size`.
//! Documents are fetched only where the site's `robots.txt` (RFC 9309) lets citecheck's user agent;
//! the cited URLs that are checked afterwards are single requests and do not ask it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use regex::Regex;
use tokio::sync::OnceCell;
use url::Url;

use crate::check::download::Download;
use crate::check::{Checker, Status};
use crate::extract::{InputFormat, format_for_path};

/// Default bound on the documents a sitemap or feed expands to.
pub const DEFAULT_MAX_DOCUMENTS: usize = 100;
/// How much of a `robots.txt` is read (what Google reads: 500 KiB).
const ROBOTS_LIMIT: u64 = 500 * 1024;
/// Sitemaps read from one sitemap index, in all.
const MAX_SITEMAPS: usize = 50;
/// Entries read from one listing (a sitemap holds at most 50,000 by its protocol).
const MAX_ENTRIES: usize = 50_000;
/// Documents fetched at once (the checker's host limits still apply).
const FETCHES_AT_ONCE: usize = 8;

/// How web inputs are read.
#[derive(Debug, Clone)]
pub struct WebOptions {
    /// At most this many documents from all listings together.
    pub max_documents: usize,
    /// Listed documents whose URL this matches are read; the others are left out.
    pub pattern: Option<Regex>,
    /// The largest document or listing fetched, in bytes.
    pub max_file_size: u64,
}

/// A document fetched from the web, saved in a file once fetched (its body is held in memory until
/// then, at most [`FETCHES_AT_ONCE`] bodies at once).
#[derive(Debug, Clone)]
pub struct WebDocument {
    /// The URL as given or listed: the document's name in the report and its history.
    pub url: String,
    /// Where the last redirect led: what its relative links resolve against.
    pub base: Url,
    pub format: InputFormat,
    /// Where its bytes were saved.
    pub file: PathBuf,
}

/// Why a web input gave no document: one line naming the URL.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{url}: {reason}")]
pub struct WebError {
    pub url: String,
    pub reason: String,
}

/// What a fetched body is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Document(InputFormat),
    /// A sitemap, a feed: the URLs it lists.
    Listing(Listing),
    /// Nothing citecheck reads.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// A sitemap index lists sitemaps, not documents.
    pub index: bool,
    pub entries: Vec<String>,
}

/// Fetches every input URL in order, saving documents in `dir`: each input gives its document, or
/// the documents its listing names (in the listing's order), or an error. `note` hears what was
/// left out (one line each).
pub async fn gather(
    checker: &Checker,
    inputs: &[Url],
    options: &WebOptions,
    dir: &Path,
    mut note: impl FnMut(String),
) -> Vec<Vec<Result<WebDocument, WebError>>> {
    let web = Web {
        checker,
        options,
        agent: product_token(&checker.config().user_agent),
        robots: Mutex::default(),
        dir,
        saved: AtomicUsize::new(0),
        documents: Mutex::default(),
    };
    let mut room = options.max_documents;
    let mut out = Vec::with_capacity(inputs.len());
    for url in inputs {
        out.push(web.input(url, &mut room, &mut note).await);
    }
    out
}

/// What a site's robots.txt says.
enum Robots {
    /// No rules (none found, RFC 9309 §2.3.1.3: any 4xx).
    All,
    /// The file could not be read (a 5xx, no answer): nothing is fetched (RFC 9309 §2.3.1.4).
    Unreachable(String),
    Rules(Box<texting_robots::Robot>),
}

struct Web<'a> {
    checker: &'a Checker,
    options: &'a WebOptions,
    agent: String,
    robots: Mutex<HashMap<String, Arc<OnceCell<Robots>>>>,
    dir: &'a Path,
    saved: AtomicUsize,
    /// The listed documents met so far, by URL without a fragment: each is read once.
    documents: Mutex<HashSet<String>>,
}

/// A listing to read: one in hand (its base, its entries, its depth), or a sitemap an index names.
enum Pending {
    Read(Url, Listing, u8),
    Fetch(Url, u8),
}

/// What a listing gave.
#[derive(Default)]
struct Listed {
    /// The documents kept, in order, at most `--max-documents`.
    urls: Vec<Url>,
    /// Documents listed, and of them those `--document-pattern` keeps, and of those the ones
    /// another input or listing gave already.
    total: usize,
    matching: usize,
    repeated: usize,
    /// Sitemaps were left unread: there are more documents than counted.
    more: bool,
}

impl Web<'_> {
    async fn input(
        &self,
        url: &Url,
        room: &mut usize,
        note: &mut impl FnMut(String),
    ) -> Vec<Result<WebDocument, WebError>> {
        let failed = |reason: String| {
            vec![Err(WebError {
                url: url.to_string(),
                reason,
            })]
        };
        let download = match self.get(url).await {
            Ok(download) => download,
            Err(reason) => return failed(reason),
        };
        let listing = match sniff(&download) {
            Kind::Document(format) => return vec![self.save(url, download, format)],
            Kind::Other => return failed(not_a_document(&download)),
            Kind::Listing(listing) => listing,
        };
        // Its entries are relative to where its redirects ended; its body is not kept meanwhile.
        let base = download.final_url;
        drop(download.body);
        let mut listed = self.expand(url, base, listing, note).await;
        if listed.matching > 0 && listed.matching == listed.repeated {
            note(format!(
                "{url}: every document it lists was read from an earlier input"
            ));
            return Vec::new();
        }
        if listed.matching == 0 {
            return failed(if listed.total == 0 {
                "lists no documents".to_owned()
            } else {
                format!(
                    "none of its {} documents matches --document-pattern",
                    listed.total
                )
            });
        }
        // What robots.txt refuses does not count against --max-documents.
        let mut refused: Vec<String> = Vec::new();
        let mut allowed = Vec::new();
        for doc in listed.urls.drain(..) {
            if allowed.len() >= *room {
                break;
            }
            match self.allowed(&doc).await {
                Ok(()) => allowed.push(doc),
                Err(why) => refused.push(why),
            }
        }
        *room -= allowed.len();
        let readable = listed.matching - listed.repeated - refused.len();
        if allowed.len() < readable {
            note(format!(
                "{url}: {readable}{} documents listed; {} read (see --max-documents)",
                if listed.more { " or more" } else { "" },
                allowed.len()
            ));
        }
        if let Some(why) = refused.first() {
            note(format!(
                "{url}: {} left out: {why}",
                crate::report::count(refused.len(), "listed document", "listed documents"),
            ));
        }
        stream::iter(allowed)
            .map(|doc| async move { self.listed(&doc).await })
            .buffered(FETCHES_AT_ONCE)
            .collect()
            .await
    }

    /// A document a listing names: a listing in its turn is not followed.
    async fn listed(&self, url: &Url) -> Result<WebDocument, WebError> {
        let failed = |reason: String| WebError {
            url: url.to_string(),
            reason,
        };
        let download = self.get(url).await.map_err(failed)?;
        match sniff(&download) {
            Kind::Document(format) => self.save(url, download, format),
            Kind::Listing(_) => Err(failed(
                "a listing named by a listing is not followed".to_owned(),
            )),
            Kind::Other => Err(failed(not_a_document(&download))),
        }
    }

    /// The documents a listing names that `--document-pattern` keeps, in its order, each once (by
    /// its URL without a fragment) over every input; a sitemap index's sitemaps are read in their
    /// turn (two levels, at most [`MAX_SITEMAPS`], [`MAX_ENTRIES`] entries in all), and no further
    /// once [`WebOptions::max_documents`] match.
    async fn expand(
        &self,
        url: &Url,
        base: Url,
        listing: Listing,
        note: &mut impl FnMut(String),
    ) -> Listed {
        let mut out = Listed::default();
        let candidates = self
            .options
            .max_documents
            .saturating_mul(2)
            .saturating_add(100);
        let mut entries_read = 0usize;
        let mut sitemaps_read = 0usize;
        let mut said_past = false;
        // Listings to read, last first: a sitemap index's sitemaps are fetched one at a time, when
        // their turn comes, so that at most one is held and none is asked for once enough
        // documents are found.
        let mut pending = vec![Pending::Read(base, listing, 0)];
        while let Some(next) = pending.pop() {
            let (from, listing, depth) = match next {
                Pending::Read(from, listing, depth) => (from, listing, depth),
                Pending::Fetch(sitemap, depth) => {
                    if out.urls.len() >= candidates {
                        out.more = true;
                        continue;
                    }
                    if depth > 2 || sitemaps_read >= MAX_SITEMAPS {
                        if !said_past {
                            note(format!(
                                "{url}: sitemaps past {MAX_SITEMAPS} or two levels deep are not read"
                            ));
                            said_past = true;
                        }
                        continue;
                    }
                    sitemaps_read += 1;
                    match self.get(&sitemap).await {
                        Ok(d) => match sniff(&d) {
                            Kind::Listing(child) => (d.final_url, child, depth),
                            _ => {
                                note(format!("{sitemap}: not a sitemap; left out"));
                                continue;
                            }
                        },
                        Err(reason) => {
                            note(format!("{sitemap}: {reason}; left out"));
                            continue;
                        }
                    }
                }
            };
            let entries = listing
                .entries
                .iter()
                .take(MAX_ENTRIES.saturating_sub(entries_read))
                .filter_map(|e| from.join(e.trim()).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"));
            if listing.index {
                // In the index's order: pushed reversed onto the stack.
                let sitemaps: Vec<Url> = entries.take(MAX_SITEMAPS).collect();
                pending.extend(
                    sitemaps
                        .into_iter()
                        .rev()
                        .map(|sitemap| Pending::Fetch(sitemap, depth + 1)),
                );
                continue;
            }
            entries_read += listing.entries.len();
            for doc in entries {
                out.total += 1;
                if !self
                    .options
                    .pattern
                    .as_ref()
                    .is_none_or(|p| p.is_match(doc.as_str()))
                {
                    continue;
                }
                out.matching += 1;
                let mut key = doc.clone();
                key.set_fragment(None);
                // Candidates past the bound are counted, not kept (a few more than the bound
                // stand in for those robots.txt refuses).
                if out.urls.len() < candidates && self.seen(key.as_str()) {
                    out.urls.push(doc);
                } else if out.urls.len() < candidates {
                    out.repeated += 1;
                }
            }
        }
        out
    }

    /// Whether `key` is a document not met before in this run (it is remembered).
    fn seen(&self, key: &str) -> bool {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_owned())
    }

    /// A document's bytes saved for reading.
    fn save(
        &self,
        url: &Url,
        download: Download,
        format: InputFormat,
    ) -> Result<WebDocument, WebError> {
        let n = self.saved.fetch_add(1, Ordering::Relaxed);
        let file = self.dir.join(format!("{n}.document"));
        std::fs::write(&file, &download.body).map_err(|e| WebError {
            url: url.to_string(),
            reason: format!("cannot save it for reading: {e}"),
        })?;
        Ok(WebDocument {
            url: url.to_string(),
            base: download.final_url,
            format,
            file,
        })
    }

    /// Fetches `url` if robots.txt allows it.
    async fn get(&self, url: &Url) -> Result<Download, String> {
        self.allowed(url).await?;
        self.checker
            .download(url, self.options.max_file_size)
            .await
            .map_err(|e| e.detail)
    }

    /// Whether the site's robots.txt lets citecheck fetch `url`; why not, when not.
    async fn allowed(&self, url: &Url) -> Result<(), String> {
        let Ok(robots_url) = texting_robots::get_robots_url(url.as_str()) else {
            return Ok(());
        };
        let cell = {
            let mut sites = self.robots.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(sites.entry(robots_url.clone()).or_default())
        };
        let robots = cell
            .get_or_init(|| async {
                let Ok(at) = Url::parse(&robots_url) else {
                    return Robots::All;
                };
                match self.checker.download_prefix(&at, ROBOTS_LIMIT).await {
                    Ok(d) => texting_robots::Robot::new(&self.agent, &d.body)
                        .map_or(Robots::All, |r| Robots::Rules(Box::new(r))),
                    // Any 4xx: no rules (RFC 9309 §2.3.1.3).
                    Err(e) if matches!(e.status, Status::Broken | Status::Blocked) => Robots::All,
                    // Refused by --deny-private: the document is refused the same way, and says
                    // so.
                    Err(e) if e.status == Status::Excluded => Robots::All,
                    Err(e) => Robots::Unreachable(e.detail),
                }
            })
            .await;
        match robots {
            Robots::All => Ok(()),
            Robots::Rules(robot) if robot.allowed(url.as_str()) => Ok(()),
            Robots::Rules(_) => Err(format!("robots.txt does not let {} fetch it", self.agent)),
            Robots::Unreachable(why) => Err(format!(
                "not fetched: the site's robots.txt could not be read ({why})"
            )),
        }
    }
}

/// The product token robots.txt rules name: `citecheck` of `citecheck/0.1 (+https://…)`.
fn product_token(user_agent: &str) -> String {
    let token: String = user_agent
        .split(['/', ' '])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    if token.is_empty() {
        "citecheck".to_owned()
    } else {
        token
    }
}

fn not_a_document(download: &Download) -> String {
    match &download.content_type {
        Some(ct) => format!("not a document citecheck reads (Content-Type: {ct})"),
        None => "not a document citecheck reads".to_owned(),
    }
}

/// What a body is, by its first bytes, then its `Content-Type`, then its URL's extension.
pub fn sniff(download: &Download) -> Kind {
    let body = &download.body;
    let start = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = &start[start
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(start.len())..];
    if start.starts_with(b"%PDF-") {
        return Kind::Document(InputFormat::Pdf);
    }
    if start.starts_with(b"PK\x03\x04") {
        return Kind::Document(InputFormat::Docx);
    }
    let ct = download.content_type.as_deref().unwrap_or_default();
    let xml_type = ct.ends_with("/xml") || ct.ends_with("+xml");
    if start.starts_with(b"<")
        && (xml_type || start.starts_with(b"<?xml") || ct.is_empty())
        && let Some(listing) = listing(body)
    {
        return Kind::Listing(listing);
    }
    let by_path = download
        .final_url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .and_then(|name| format_for_path(std::path::Path::new(name)));
    match ct {
        "text/html" | "application/xhtml+xml" => Kind::Document(InputFormat::Html),
        "application/pdf" => Kind::Document(InputFormat::Pdf),
        "text/markdown" | "text/x-markdown" => Kind::Document(InputFormat::Markdown),
        "text/x-rst" | "text/prs.fallenstein.rst" => Kind::Document(InputFormat::Rst),
        "text/plain" => Kind::Document(by_path.unwrap_or(InputFormat::Text)),
        _ if ct.starts_with("image/")
            || ct.starts_with("audio/")
            || ct.starts_with("video/")
            || ct.starts_with("font/") =>
        {
            Kind::Other
        }
        _ => match by_path {
            Some(format) => Kind::Document(format),
            None if start.starts_with(b"<") => Kind::Document(InputFormat::Html),
            None => Kind::Other,
        },
    }
}

/// The URLs a sitemap (`<urlset>`, `<sitemapindex>`), RSS (`<rss>`, RDF) or Atom (`<feed>`) document
/// lists; `None` when the body is no such document. At most [`MAX_ENTRIES`] are read.
pub fn listing(body: &[u8]) -> Option<Listing> {
    let mut reader = Reader::from_reader(body);
    let mut kind: Option<&'static str> = None;
    let mut entries = Vec::new();
    // The element names open, innermost last (only to a small depth: listings are shallow).
    let mut open: Vec<String> = Vec::new();
    // The text of the `loc` or `link` element being read, and how many elements were open at its
    // start.
    let mut text: Option<(String, usize)> = None;
    loop {
        let event = reader.read_event().ok()?;
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if kind.is_none() {
                    kind = Some(match name.as_str() {
                        "urlset" => "sitemap",
                        "sitemapindex" => "index",
                        "rss" | "rdf" => "rss",
                        "feed" => "atom",
                        _ => return None,
                    });
                }
                let parent = open.last().map(String::as_str);
                match (kind, name.as_str(), parent) {
                    (Some("sitemap"), "loc", Some("url"))
                    | (Some("index"), "loc", Some("sitemap"))
                    | (Some("rss"), "link", Some("item"))
                        if matches!(event, Event::Start(_)) =>
                    {
                        text = Some((String::new(), open.len()));
                    }
                    (Some("atom"), "link", Some("entry")) if atom_alternate(e) => {
                        if let Some(href) = attr(e, "href") {
                            entries.push(href);
                        }
                    }
                    _ => {}
                }
                if matches!(event, Event::Start(_)) && open.len() < 64 {
                    open.push(name);
                }
            }
            Event::End(_) => {
                open.pop();
                // The element's own end, not one inside it.
                if text.as_ref().is_some_and(|(_, depth)| open.len() <= *depth)
                    && let Some((t, _)) = text.take()
                    && !t.trim().is_empty()
                {
                    entries.push(t.trim().to_owned());
                }
            }
            Event::Text(t) => {
                if let Some((text, _)) = &mut text {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some((text, _)) = &mut text {
                    text.push_str(t);
                }
            }
            Event::GeneralRef(r) => {
                if let Some((text, _)) = &mut text {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => text.push(c),
                        _ => text.push_str(
                            quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                                .unwrap_or_default(),
                        ),
                    }
                }
            }
            _ => {}
        }
        if entries.len() >= MAX_ENTRIES {
            break;
        }
    }
    let kind = kind?;
    Some(Listing {
        index: kind == "index",
        entries,
    })
}

/// An Atom entry's link to the entry itself: no `rel`, or `rel="alternate"`.
fn atom_alternate(e: &BytesStart<'_>) -> bool {
    attr(e, "rel").is_none_or(|rel| rel.trim().eq_ignore_ascii_case("alternate"))
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn download(ct: Option<&str>, url: &str, body: &[u8]) -> Download {
        Download {
            final_url: Url::parse(url).unwrap(),
            content_type: ct.map(str::to_owned),
            body: body.to_vec(),
        }
    }

    #[test]
    fn listings_are_read_by_their_root_element() {
        let sitemap = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/briefs/a?x=1&amp;y=2</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc> /briefs/b </loc></url>
</urlset>"#;
        let got = listing(sitemap).unwrap();
        assert!(!got.index);
        assert_eq!(
            got.entries,
            ["https://example.org/briefs/a?x=1&y=2", "/briefs/b"]
        );

        let index =
            br#"<sitemapindex><sitemap><loc>https://e.org/s1.xml</loc></sitemap></sitemapindex>"#;
        assert!(listing(index).unwrap().index);

        let rss = br#"<rss version="2.0"><channel><link>https://e.org/</link>
<item><title>A</title><link><![CDATA[https://e.org/a]]></link></item></channel></rss>"#;
        assert_eq!(listing(rss).unwrap().entries, ["https://e.org/a"]);

        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://e.org/"/>
<entry><link rel="edit" href="https://e.org/edit/1"/><link href="https://e.org/1"/></entry></feed>"#;
        assert_eq!(listing(atom).unwrap().entries, ["https://e.org/1"]);

        assert_eq!(listing(b"<html><body>hi</body></html>"), None);

        // An empty link element takes no text that follows it.
        let rss = br#"<rss><channel><item><link/><title>Foo</title></item>
<item><link>https://e.org/b</link></item></channel></rss>"#;
        assert_eq!(listing(rss).unwrap().entries, ["https://e.org/b"]);
    }

    #[test]
    fn documents_are_told_by_content_then_type_then_extension() {
        let d = |ct, url, body: &[u8]| sniff(&download(ct, url, body));
        assert_eq!(
            d(
                Some("application/octet-stream"),
                "https://e.org/x",
                b"%PDF-1.7"
            ),
            Kind::Document(InputFormat::Pdf)
        );
        assert_eq!(
            d(Some("text/html"), "https://e.org/x", b"<!doctype html><p>x"),
            Kind::Document(InputFormat::Html)
        );
        assert_eq!(
            d(Some("text/plain"), "https://e.org/brief.md", b"# Brief"),
            Kind::Document(InputFormat::Markdown)
        );
        assert_eq!(
            d(Some("image/png"), "https://e.org/a.md", b"\x89PNG"),
            Kind::Other
        );
        assert!(matches!(
            d(
                Some("application/xml"),
                "https://e.org/sitemap.xml",
                b"<urlset/>"
            ),
            Kind::Listing(_)
        ));
    }

    #[test]
    fn the_product_token_is_the_user_agent_first_word() {
        assert_eq!(product_token("citecheck/0.1 (+https://x)"), "citecheck");
        assert_eq!(product_token("MyBot/2"), "MyBot");
        assert_eq!(product_token(""), "citecheck");
    }
}
