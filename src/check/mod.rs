//! The async checker: deduplicated URLs in, one [`CheckResult`] per URL out.
//!
//! * [`plan`] turns documents into [`CheckRequest`]s: one per distinct URL, with every place it is cited,
//!   already judged when it cannot be fetched (invalid, excluded).
//! * [`Checker::check_all`] runs them. Concurrency lives there and only there: a global limit, a per-host
//!   limit by the URL's host, round-robin between hosts so one busy site cannot hold every slot, and a
//!   dead host's URLs settled without requests.
//! * [`Checker::check`] judges one URL: `retry.rs` repeats `attempt.rs`'s attempts, which follow
//!   redirects by hand (every hop gated by its host's limit, its health and, with `--deny-private`, by
//!   address) and read a bounded prefix of the page; `classify.rs` holds the verdicts as pure functions.
//!
//! By stage: `plan.rs` (documents → requests), `scheduler.rs` (the one place of concurrency, holding
//! host health), `client.rs` (the reqwest clients and `--resolve` routing), `retry.rs`, `attempt.rs`,
//! `classify.rs`, `result.rs` (what a check found).

mod attempt;
mod classify;
mod client;
pub mod config;
pub mod content;
pub mod download;
pub mod drift;
mod hosts;
mod page;
pub mod pdf_pages;
mod plan;
pub mod resolver;
pub mod result;
mod retry;
mod scheduler;
pub mod shard;
mod sites;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

pub use config::{AcceptRanges, CheckConfig, HostConfig, Method, ResolveOverride};
pub use page::read_page;
pub use plan::{CheckRequest, Fragment, Target, plan};
pub use result::{
    Archive, ArchiveLookup, BlockReason, CheckResult, Citation, ContentVerdict, Moved, PageInfo,
    QuoteFound, QuoteVerdict, Redirect, Status, Via, Warning, WarningKind,
};

use attempt::read_prefix;
use classify::{Failure, classify_error};
use client::Clients;
use hosts::HostLimits;
use resolver::AddressPolicy;
use retry::Retried;
use scheduler::HostHealth;

/// Errors building the checker: the run cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    #[error("invalid CA certificate: {0}")]
    Certificate(#[source] reqwest::Error),
    #[error("invalid --ca-cert: {0}")]
    CaCert(#[source] config::CaCertError),
    #[error("invalid proxy {url}: {source}")]
    Proxy {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("invalid header {name:?}")]
    Header { name: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// The checker: one HTTP client (connections are reused), host limits, settings. Cheap to clone.
#[derive(Clone)]
pub struct Checker {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<CheckConfig>,
    clients: Clients,
    hosts: HostLimits,
    health: HostHealth,
    /// The title of each host's root page, for front-page redirects in doubt.
    root_titles: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Option<String>>>>>,
    policy: Arc<AddressPolicy>,
    host_headers: HashMap<String, HeaderMap>,
}

impl Checker {
    pub fn new(config: CheckConfig) -> Result<Self, CheckError> {
        let config = Arc::new(config);
        let policy = Arc::new(AddressPolicy {
            deny_private: config.deny_private,
            allow: config.allow_private.clone(),
        });

        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
        );
        for (name, value) in &config.headers {
            let (name, value) = header_pair(name, value)?;
            headers.insert(name, value);
        }
        let mut host_headers = HashMap::new();
        for (host, host_config) in &config.hosts {
            let mut map = HeaderMap::new();
            for (name, value) in &host_config.headers {
                let (name, value) = header_pair(name, value)?;
                map.insert(name, value);
            }
            host_headers.insert(host.to_ascii_lowercase(), map);
        }

        let clients = Clients::new(&config, headers, &policy)?;
        let inner = Inner {
            hosts: HostLimits::new(Arc::clone(&config)),
            health: HostHealth::new(config.host_breaker),
            root_titles: Mutex::default(),
            config,
            clients,
            policy,
            host_headers,
        };
        Ok(Checker {
            inner: Arc::new(inner),
        })
    }

    pub fn config(&self) -> &CheckConfig {
        &self.inner.config
    }

    /// A URL printed with a hyphen at a line break (PDF) that came out broken is tried again without
    /// the hyphen; when that form answers, its result stands for the printed URL and says so
    /// (`answered_as`).
    pub async fn try_alternatives(
        &self,
        documents: &[crate::extract::Document],
        results: &mut [CheckResult],
    ) {
        let alternatives: HashMap<&str, &str> = documents
            .iter()
            .flat_map(|d| d.alternatives.iter())
            .map(|(printed, alt)| (printed.as_str(), alt.as_str()))
            .collect();
        if alternatives.is_empty() {
            return;
        }
        for result in results.iter_mut().filter(|r| r.status.is_error()) {
            let Some(&alt) = alternatives.get(result.url.as_str()) else {
                continue;
            };
            let Ok(uri) = crate::uri::Uri::parse(alt) else {
                continue;
            };
            let request = CheckRequest {
                url: alt.to_owned(),
                target: Target::Fetch(uri),
                cited_in: result.cited_in.clone(),
                cited_as: Vec::new(),
                fragments: Vec::new(),
                quotes: Vec::new(),
            };
            let answer = self.check(&request).await;
            if answer.status == Status::Ok {
                let printed = std::mem::take(&mut result.url);
                *result = CheckResult {
                    url: printed,
                    answered_as: Some(answer.url.clone()),
                    ..answer
                };
            }
        }
    }

    /// After a run: whether some host names failed to resolve and none resolved at all (the machine
    /// is probably offline).
    pub fn nothing_resolved(&self) -> bool {
        self.inner.health.nothing_resolved()
    }

    /// Checks one URL, with retries.
    pub async fn check(&self, request: &CheckRequest) -> CheckResult {
        self.inner.check(request).await
    }

    /// A whole document (`citecheck check URL`): redirects followed, every hop under the host
    /// limits and address policy, the body at most `limit` bytes; anything but a final 200 is an
    /// error.
    pub async fn download(&self, url: &Url, limit: u64) -> Result<download::Download, FetchError> {
        self.inner.download(url, limit, false).await
    }

    /// [`Checker::download`], but a body past `limit` bytes is cut there (a `robots.txt`, of which
    /// RFC 9309 reads the first 500 KiB).
    pub async fn download_prefix(
        &self,
        url: &Url,
        limit: u64,
    ) -> Result<download::Download, FetchError> {
        self.inner.download(url, limit, true).await
    }

    /// One request through the checker's client, host limits and timeout, for services such as the
    /// Wayback Machine's APIs: the status and at most `limit` bytes of the body. No redirects are
    /// followed and nothing is retried.
    pub async fn fetch(
        &self,
        method: reqwest::Method,
        url: &Url,
        headers: HeaderMap,
        form: Option<&[(&str, &str)]>,
        limit: usize,
    ) -> Result<Fetched, FetchError> {
        self.inner.fetch(method, url, headers, form, limit).await
    }
}

/// Longest metadata answer read (a Crossref work with its reference list can be large).
const METADATA_LIMIT: usize = 1 << 20;

/// An answer to [`Checker::fetch`].
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why [`Checker::fetch`] got no answer: the status a link would get, and why in words.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{detail}")]
pub struct FetchError {
    pub status: Status,
    pub detail: String,
}

impl Inner {
    async fn fetch(
        &self,
        method: reqwest::Method,
        url: &Url,
        headers: HeaderMap,
        form: Option<&[(&str, &str)]>,
        limit: usize,
    ) -> Result<Fetched, FetchError> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let _permit = self.hosts.acquire(&host).await;
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        let mut request = self
            .clients
            .request(method, url)
            .timeout(self.config.timeout)
            .headers(headers);
        if let Some(form) = form {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish();
            request = request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body);
        }
        let failed = |f: Failure| FetchError {
            status: f.status(),
            detail: f.detail(self.config.timeout),
        };
        let resp = request
            .send()
            .await
            .map_err(|e| failed(classify_error(&e)))?;
        let status = resp.status().as_u16();
        let body = read_prefix(resp, limit, deadline).await.map_err(failed)?;
        Ok(Fetched { status, body })
    }

    async fn check(&self, request: &CheckRequest) -> CheckResult {
        let uri = match &request.target {
            Target::Fetch(uri) if !self.config.offline => uri,
            Target::Fetch(_) => {
                return CheckResult::unsent(
                    &request.url,
                    Status::Unchecked,
                    None,
                    request.cited_in.clone(),
                );
            }
            Target::Judged { status, detail } => {
                return CheckResult::unsent(
                    &request.url,
                    *status,
                    Some(detail.clone()),
                    request.cited_in.clone(),
                );
            }
        };
        let start = Instant::now();
        // A platform whose pages say nothing true about a citation is asked through its own API.
        let probe = sites::probe_for(uri.as_url());
        let (target, rule) = match &probe {
            Some((rule, url)) => (url, Some(*rule)),
            None => (uri.as_url(), None),
        };
        // The page is read whole for its anchors and text when a citation names a `#fragment`
        // or quotes it (or its text is compared with an archived copy); a PDF when a citation
        // names one of its pages.
        let read = attempt::Reading {
            whole_page: !request.fragments.is_empty()
                || !request.quotes.is_empty()
                || self.config.read_text,
            pdf_pages: request
                .fragments
                .iter()
                .any(|(f, _)| matches!(f, Fragment::Page(_))),
        };
        let Retried {
            mut attempt,
            attempts,
        } = match self.retried(target, rule, read).await {
            Ok(retried) => retried,
            Err(dead) => {
                return CheckResult::unsent(
                    &request.url,
                    dead.status,
                    Some(dead.not_tried()),
                    request.cited_in.clone(),
                );
            }
        };
        // A platform's metadata (a DOI's title and date at Crossref) stands for the page, for drift.
        if let (Some((rule, _)), Status::Ok) = (&probe, attempt.status)
            && let Some(meta_url) = rule.metadata(uri.as_url(), self.config.mailto.as_deref())
        {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
            if let Ok(Fetched { status: 200, body }) = self
                .fetch(
                    reqwest::Method::GET,
                    &meta_url,
                    headers,
                    None,
                    METADATA_LIMIT,
                )
                .await
            {
                attempt.page = rule.read_metadata(&body).or(attempt.page);
            }
        }
        // A permanent move to a page that is there: cite the new URL.
        let moved = match (&attempt.final_url, attempt.status, &probe) {
            (Some(final_url), Status::Ok, None) => {
                classify::moved(uri.as_url(), &attempt.redirects, final_url)
            }
            _ => None,
        };
        // Where a probe's redirects ended says nothing about the cited URL.
        let final_url = attempt
            .final_url
            .filter(|_| !attempt.redirects.is_empty() && probe.is_none())
            .map(String::from);
        // Drift: the page is there, but is it still what the footnotes cite?
        let mut warnings = match (&attempt.page, attempt.status) {
            (Some(page), Status::Ok) => {
                drift::warnings(&request.cited_as, page, &self.config.drift)
            }
            _ => Vec::new(),
        };
        // A cited `#fragment` the whole page has no element for (a page read in part, or one
        // whose ids a script writes, gives no verdict).
        let mut quotes = Vec::new();
        if let (Some(page), Status::Ok) = (attempt.page.as_ref(), attempt.status)
            && let Some(anchors) = page.anchors.as_ref()
        {
            warnings.extend(fragment_warnings(
                &request.fragments,
                anchors,
                page.text.as_deref(),
            ));
            // The words the citing sentences quote (a page that is not UTF-8 has no text to
            // match, and no verdict): each part between ellipses and brackets must be there.
            if let Some(text) = page.text.as_deref() {
                // Blanks aside: a word hyphenated at a printed line's end ("every-thing") or split
                // by a tag on the page reads the same.
                let squeezed = (!request.quotes.is_empty()).then(|| squeeze(text));
                let squeezed = squeezed.as_deref().unwrap_or_default();
                for (quote, footnote) in &request.quotes {
                    let shown = quote_parts(quote)
                        .iter()
                        .all(|part| squeezed.contains(&squeeze(part)));
                    quotes.push(QuoteVerdict {
                        footnote: footnote.clone(),
                        text: quote.clone(),
                        found: if shown {
                            QuoteFound::Live
                        } else {
                            QuoteFound::None
                        },
                    });
                    if !shown {
                        warnings.push(Warning {
                            kind: WarningKind::QuoteNotFound,
                            message: format!(
                                "footnote {footnote} is cited for the words \u{201c}{quote}\u{201d}, which the page does not show"
                            ),
                            footnote: Some(footnote.clone()),
                            cited: Some(quote.clone()),
                            live: None,
                            score: None,
                        });
                    }
                }
            }
        }
        // A cited PDF's `#page=N` must be one of its pages.
        if let (Some(pages), Status::Ok) =
            (attempt.page.as_ref().and_then(|p| p.pages), attempt.status)
        {
            warnings.extend(page_warnings(&request.fragments, pages));
        }
        // The page's text and anchors served the verdicts above; its sketch stays, to compare with
        // an archived copy.
        if let Some(page) = attempt.page.as_mut() {
            page.text = None;
            page.anchors = None;
        }
        CheckResult {
            url: request.url.clone(),
            status: attempt.status,
            http_status: attempt.http_status,
            final_url,
            redirects: attempt.redirects,
            attempts,
            elapsed_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            detail: attempt.detail,
            // A platform rule's `blocked` (a protected tweet) gets its reason from the code.
            reason: attempt.reason.or_else(|| {
                (attempt.status == Status::Blocked)
                    .then(|| BlockReason::from_code(attempt.http_status.unwrap_or(403)))
            }),
            moved,
            answered_as: None,
            warnings,
            page: attempt.page,
            via: probe.map(|(rule, url)| Via {
                platform: rule.name().to_owned(),
                url: url.to_string(),
            }),
            archive: ArchiveLookup::NotLookedUp,
            saved: None,
            cached_from: None,
            quotes,
            content: None,
            cited_in: request.cited_in.clone(),
        }
    }
}

/// Normalised text without its blanks.
fn squeeze(text: &str) -> String {
    text.chars().filter(|&c| c != ' ').collect()
}

/// The parts of a quotation that must each be on the page, normalised: what lies between its
/// ellipses (`…`, `...`) and its editor's brackets (`[The ministry] will act`, `[sic]`, `[…]`).
fn quote_parts(quote: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut bracket = false;
    for c in quote.replace("...", "\u{2026}").chars() {
        match c {
            '[' => {
                bracket = true;
                parts.push(std::mem::take(&mut part));
            }
            ']' => bracket = false,
            '\u{2026}' => parts.push(std::mem::take(&mut part)),
            c if !bracket => part.push(c),
            _ => {}
        }
    }
    parts.push(part);
    parts
        .iter()
        .map(|p| page::normalise(p))
        .filter(|p| !p.is_empty())
        .collect()
}

/// A warning for each `#page=N` past the end of a PDF of `pages` pages.
fn page_warnings(fragments: &[(plan::Fragment, Option<String>)], pages: u64) -> Vec<Warning> {
    fragments
        .iter()
        .filter_map(|(fragment, footnote)| {
            let plan::Fragment::Page(n) = fragment else {
                return None;
            };
            if (1..=pages).contains(n) {
                return None;
            }
            let who = footnote
                .as_deref()
                .map(|id| format!("footnote {id} cites "))
                .unwrap_or_default();
            Some(Warning {
                kind: WarningKind::MissingFragment,
                message: format!(
                    "{who}#page={n}, but the PDF has {}",
                    crate::report::count(
                        usize::try_from(pages).unwrap_or(usize::MAX),
                        "page",
                        "pages"
                    )
                ),
                footnote: footnote.clone(),
                cited: Some(format!("#page={n}")),
                live: Some(pages.to_string()),
                score: None,
            })
        })
        .collect()
}

/// A warning for each cited fragment the page does not have: an element by that id or anchor name,
/// or the text a text fragment quotes (matched as `page::normalise` writes both).
fn fragment_warnings(
    fragments: &[(plan::Fragment, Option<String>)],
    anchors: &std::collections::HashSet<String>,
    text: Option<&str>,
) -> Vec<Warning> {
    let mut out = Vec::new();
    for (fragment, footnote) in fragments {
        let who = footnote
            .as_deref()
            .map(|id| format!("footnote {id} cites "))
            .unwrap_or_default();
        let (message, cited) = match fragment {
            plan::Fragment::Element(id) => {
                let decoded = percent_encoding::percent_decode_str(id).decode_utf8_lossy();
                // `#top` is the top of any page (HTML's rule for a fragment that names nothing).
                if anchors.contains(id.as_str())
                    || anchors.contains(decoded.as_ref())
                    || decoded.eq_ignore_ascii_case("top")
                {
                    continue;
                }
                (
                    format!(
                        "{who}#{decoded}, which names no element of the page (no id or anchor of that name)"
                    ),
                    format!("#{decoded}"),
                )
            }
            // A PDF's page is judged by its page count (see `page_warnings`).
            plan::Fragment::Page(_) => continue,
            plan::Fragment::Text(directives) => {
                // A page that is not UTF-8 has no text to match: no verdict.
                let Some(text) = text else {
                    continue;
                };
                let found = directives.iter().any(|(start, end)| {
                    let start = page::normalise(start);
                    match text.find(&start) {
                        None => false,
                        Some(at) => end.as_deref().is_none_or(|end| {
                            text[at + start.len()..].contains(&page::normalise(end))
                        }),
                    }
                });
                if found {
                    continue;
                }
                let (start, end) = &directives[0];
                let quoted = match end {
                    Some(end) => format!("\u{201c}{start}\u{201d} … \u{201c}{end}\u{201d}"),
                    None => format!("\u{201c}{start}\u{201d}"),
                };
                (
                    format!(
                        "{who}the text {quoted} (a text fragment), which the page does not show"
                    ),
                    quoted,
                )
            }
        };
        out.push(Warning {
            kind: WarningKind::MissingFragment,
            message,
            footnote: footnote.clone(),
            cited: Some(cited),
            live: None,
            score: None,
        });
    }
    out
}

fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), CheckError> {
    let bad = || CheckError::Header {
        name: name.to_owned(),
    };
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
    let value = HeaderValue::from_str(value).map_err(|_| bad())?;
    Ok((name, value))
}
