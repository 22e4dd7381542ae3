//! The async checker: deduplicated URLs in, one [`CheckResult`] per URL out.
//!
//! * [`plan`] turns documents into [`CheckRequest`]s: one per distinct URL, with every place it is cited,
//!   already judged when it cannot be fetched (invalid, excluded).
//! * [`Checker::check_all`] runs them. Concurrency lives there and only there: a global limit, a per-host
//!   limit by the URL's host, and round-robin between hosts so one busy site cannot hold every slot.
//! * [`Checker::check`] judges one URL: redirects followed by hand (every hop gated by its host's limit
//!   and, with `--deny-private`, by address), retries with backoff that honour `Retry-After`, a bounded
//!   read of the page to catch soft 404s.

mod classify;
pub mod config;
pub mod drift;
mod hosts;
mod page;
pub mod resolver;
pub mod result;
mod retry;
mod sites;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Response, StatusCode};
use url::Url;

pub use config::{AcceptRanges, CheckConfig, HostConfig, Method, ResolveOverride};
pub use page::read_page;
pub use result::{
    Archive, ArchiveLookup, CheckResult, Citation, PageInfo, Redirect, Status, Via, Warning,
};

use crate::extract::Document;
use crate::uri::{Uri, UriError};
use classify::{Failure, classify_error, human_duration, redirected_to_front_page, soft_404};
use drift::CitedAs;
use hosts::HostLimits;
use resolver::{AddressPolicy, Resolver};
use sites::SiteRule;

/// Errors building the checker: the run cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    #[error("invalid CA certificate: {0}")]
    Certificate(#[source] reqwest::Error),
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

/// What to do with one distinct URL.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// The URL as first written.
    pub url: String,
    pub target: Target,
    pub cited_in: Vec<Citation>,
    /// What the citing footnotes say of the page (title, date), for drift.
    pub cited_as: Vec<CitedAs>,
}

/// Whether a URL is fetched, or already judged.
#[derive(Debug, Clone)]
pub enum Target {
    Fetch(Uri),
    Judged { status: Status, detail: String },
}

impl CheckRequest {
    fn host(&self) -> Option<String> {
        match &self.target {
            Target::Fetch(uri) => uri.as_url().host_str().map(str::to_ascii_lowercase),
            Target::Judged { .. } => None,
        }
    }
}

/// One request per distinct URL in `documents` (fragment ignored), in order of first citation.
pub fn plan(documents: &[Document], config: &CheckConfig, base: Option<&Url>) -> Vec<CheckRequest> {
    let mut requests: Vec<CheckRequest> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for doc in documents {
        let footnote_urls = doc
            .footnotes
            .iter()
            .flat_map(|f| f.urls.iter().map(move |u| (u, Some(f), f.line)));
        let links = doc.links.iter().map(|l| (&l.url, None, l.line));
        for (url, footnote, line) in footnote_urls.chain(links) {
            let parsed = Uri::parse_with_base(url, base);
            let key = match &parsed {
                Ok(uri) => without_fragment(uri.as_url()),
                Err(_) => url.clone(),
            };
            let citation = Citation {
                path: doc.path.clone(),
                footnote: footnote.map(|f| f.id.clone()),
                line,
            };
            let cited_as = footnote
                .filter(|f| f.title.is_some() || f.date.is_some())
                .map(|f| CitedAs {
                    footnote: f.id.clone(),
                    // Only a title the footnote marks (quotes, a link, structure) is compared.
                    title: f.title.clone().filter(|_| !f.title_guessed),
                    date: f.date.clone(),
                });
            let i = *index.entry(key).or_insert_with(|| {
                requests.push(CheckRequest {
                    url: url.clone(),
                    target: target_for(url, parsed, config),
                    cited_in: Vec::new(),
                    cited_as: Vec::new(),
                });
                requests.len() - 1
            });
            let request = &mut requests[i];
            request.cited_in.push(citation);
            if let Some(cited_as) = cited_as
                && !request.cited_as.contains(&cited_as)
            {
                request.cited_as.push(cited_as);
            }
        }
    }
    requests
}

fn target_for(url: &str, parsed: Result<Uri, UriError>, config: &CheckConfig) -> Target {
    let uri = match parsed {
        Ok(uri) => uri,
        Err(err) => {
            return Target::Judged {
                status: Status::Invalid,
                detail: err.to_string(),
            };
        }
    };
    if !uri.is_http() {
        let detail = format!("{}: URLs are not fetched", uri.as_url().scheme());
        return Target::Judged {
            status: Status::Excluded,
            detail,
        };
    }
    if !config.include.is_empty() && !config.include.iter().any(|re| re.is_match(url)) {
        return Target::Judged {
            status: Status::Excluded,
            detail: "not matched by --include".into(),
        };
    }
    if let Some(re) = config.exclude.iter().find(|re| re.is_match(url)) {
        let detail = format!("matched by --exclude {}", re.as_str());
        return Target::Judged {
            status: Status::Excluded,
            detail,
        };
    }
    Target::Fetch(uri)
}

/// The checker: one HTTP client (connections are reused), host limits, settings. Cheap to clone.
#[derive(Clone)]
pub struct Checker {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<CheckConfig>,
    client: reqwest::Client,
    hosts: HostLimits,
    policy: Arc<AddressPolicy>,
    host_headers: HashMap<String, HeaderMap>,
}

/// The outcome of one attempt: a verdict and what was learnt on the way.
struct Attempt {
    status: Status,
    detail: Option<String>,
    http_status: Option<u16>,
    redirects: Vec<Redirect>,
    final_url: Option<Url>,
    page: Option<PageInfo>,
    retry: Retry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    No,
    /// Worth another try, not before the given wait (from `Retry-After`).
    Yes(Option<Duration>),
    /// A timeout: retried at most once.
    Timeout,
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

        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .dns_resolver(Arc::new(Resolver::new(
                &config.resolve,
                Arc::clone(&policy),
            )))
            .danger_accept_invalid_certs(config.insecure);
        for pem in &config.ca_certs {
            for cert in
                reqwest::Certificate::from_pem_bundle(pem).map_err(CheckError::Certificate)?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(proxy) = &config.proxy {
            let proxy =
                reqwest::Proxy::all(proxy.as_str()).map_err(|source| CheckError::Proxy {
                    url: proxy.to_string(),
                    source,
                })?;
            builder = builder.proxy(proxy);
        }
        let client = builder.build().map_err(CheckError::Client)?;
        let inner = Inner {
            hosts: HostLimits::new(Arc::clone(&config)),
            config,
            client,
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

    /// Checks every request, calling `on_done` as each finishes; results come back in request order.
    /// Checks are futures of this one task: run it on a runtime worker (`tokio::spawn`), next to the
    /// I/O driver, rather than in `block_on`, whose thread is woken from the workers for every event.
    pub async fn check_all<F: FnMut(&CheckResult)>(
        &self,
        requests: Vec<CheckRequest>,
        mut on_done: F,
    ) -> Vec<CheckResult> {
        let config = &self.inner.config;
        let requests: Arc<[CheckRequest]> = requests.into();
        let mut results: Vec<Option<CheckResult>> = vec![None; requests.len()];
        let mut queues: HashMap<String, VecDeque<usize>> = HashMap::new();
        let mut ready: VecDeque<String> = VecDeque::new();
        for (i, request) in requests.iter().enumerate() {
            match request.host() {
                Some(host) => {
                    let queue = queues.entry(host.clone()).or_default();
                    if queue.is_empty() {
                        ready.push_back(host);
                    }
                    queue.push_back(i);
                }
                None => {
                    let result = self.inner.check(request).await;
                    on_done(&result);
                    results[i] = Some(result);
                }
            }
        }

        // The one place concurrency is decided: at most `concurrency` checks in flight, at most the
        // host's limit per host, hosts served round-robin.
        let mut active: HashMap<String, usize> = HashMap::new();
        let mut running = FuturesUnordered::new();
        loop {
            while running.len() < config.concurrency.max(1) {
                let Some(host) = ready.pop_front() else { break };
                let queue = queues.get_mut(&host).expect("queued host");
                let Some(i) = queue.pop_front() else { continue };
                let in_flight = active.entry(host.clone()).or_insert(0);
                *in_flight += 1;
                if *in_flight < config.host_limit(&host) && !queue.is_empty() {
                    ready.push_back(host.clone());
                }
                let inner = &self.inner;
                let request = &requests[i];
                running.push(async move { (i, host, inner.check(request).await) });
            }
            let Some((i, host, result)) = running.next().await else {
                break;
            };
            let in_flight = active.get_mut(&host).expect("active host");
            *in_flight -= 1;
            // The host had been left out of `ready` when it was full; it has room again now.
            if !queues[&host].is_empty() && *in_flight + 1 == config.host_limit(&host) {
                ready.push_back(host);
            }
            on_done(&result);
            results[i] = Some(result);
        }
        results
            .into_iter()
            .map(|r| r.expect("every request checked"))
            .collect()
    }

    /// Checks one URL, with retries.
    pub async fn check(&self, request: &CheckRequest) -> CheckResult {
        self.inner.check(request).await
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
        let inner = &self.inner;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let _permit = inner.hosts.acquire(&host).await;
        let deadline = tokio::time::Instant::now() + inner.config.timeout;
        let mut request = inner
            .client
            .request(method, url.clone())
            .timeout(inner.config.timeout)
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
            detail: f.detail(inner.config.timeout),
        };
        let resp = request
            .send()
            .await
            .map_err(|e| failed(classify_error(&e)))?;
        let status = resp.status().as_u16();
        let body = read_prefix(resp, limit, deadline).await.map_err(failed)?;
        Ok(Fetched { status, body })
    }
}

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
        let mut delays = retry::backoff(self.config.retry_wait, self.config.max_retries);
        let mut attempts = 0u32;
        let mut timed_out_before = false;
        let attempt = loop {
            attempts += 1;
            let mut attempt = self.attempt(target, rule).await;
            let after = match attempt.retry {
                Retry::No => break attempt,
                Retry::Timeout if timed_out_before => break attempt,
                Retry::Timeout => {
                    timed_out_before = true;
                    None
                }
                Retry::Yes(after) => after,
            };
            let Some(delay) = delays.next() else {
                break attempt;
            };
            if let Some(after) = after
                && after > self.config.max_retry_after
            {
                attempt.status = Status::Blocked;
                attempt.detail = Some(format!(
                    "{}; asked to retry after {} (over the {} limit)",
                    attempt.detail.unwrap_or_default(),
                    human_duration(after),
                    human_duration(self.config.max_retry_after)
                ));
                break attempt;
            }
            tokio::time::sleep(delay.max(after.unwrap_or_default())).await;
        };
        // Where a probe's redirects ended says nothing about the cited URL.
        let final_url = attempt
            .final_url
            .filter(|_| !attempt.redirects.is_empty() && probe.is_none())
            .map(String::from);
        // Drift: the page is there, but is it still what the footnotes cite?
        let warnings = match (&attempt.page, attempt.status) {
            (Some(page), Status::Ok) => {
                drift::warnings(&request.cited_as, page, &self.config.drift)
            }
            _ => Vec::new(),
        };
        CheckResult {
            url: request.url.clone(),
            status: attempt.status,
            http_status: attempt.http_status,
            final_url,
            redirects: attempt.redirects,
            attempts,
            elapsed_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            detail: attempt.detail,
            warnings,
            page: attempt.page,
            via: probe.map(|(rule, url)| Via {
                platform: rule.name().to_owned(),
                url: url.to_string(),
            }),
            archive: ArchiveLookup::NotLookedUp,
            saved: None,
            cached_from: None,
            cited_in: request.cited_in.clone(),
        }
    }

    /// One attempt: the request and its redirect chain.
    async fn attempt(&self, original: &Url, rule: Option<&'static dyn SiteRule>) -> Attempt {
        let mut url = original.clone();
        let mut redirects: Vec<Redirect> = Vec::new();
        let mut seen: HashSet<String> = HashSet::from([without_fragment(&url)]);
        loop {
            let fail =
                |status: Status, detail: String, redirects: Vec<Redirect>, url: &Url| Attempt {
                    status,
                    detail: Some(detail),
                    http_status: None,
                    redirects,
                    final_url: Some(url.clone()),
                    page: None,
                    retry: Retry::No,
                };
            let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
                return fail(Status::Invalid, "URL has no host".into(), redirects, &url);
            };
            if let Some(ip) = literal_ip(&url)
                && !self.policy.permits(ip)
            {
                let detail = format!("{ip} is a private address refused by --deny-private");
                return fail(Status::Excluded, detail, redirects, &url);
            }

            let _permit = self.hosts.acquire(&host).await;
            let deadline = tokio::time::Instant::now() + self.config.timeout;
            let head_first = match self.config.method {
                Method::Get => false,
                Method::Head => true,
                Method::Auto => looks_like_file(&url),
            };
            // HEAD suffices for files; when a server refuses it, GET tells the truth.
            let (mut response, via_head) = if head_first {
                match self.send(reqwest::Method::HEAD, &url, &host).await {
                    Ok(r) if !head_refused(r.status()) => (Ok(r), true),
                    Ok(_) => (self.send(reqwest::Method::GET, &url, &host).await, false),
                    Err(e) if matches!(classify_error(&e), Failure::Reset | Failure::Other(_)) => {
                        (self.send(reqwest::Method::GET, &url, &host).await, false)
                    }
                    Err(e) => (Err(e), true),
                }
            } else {
                (self.send(reqwest::Method::GET, &url, &host).await, false)
            };

            let resp = match response.as_mut() {
                Ok(resp) => resp,
                Err(err) => {
                    let failure = classify_error(err);
                    let retry = match failure {
                        Failure::Timeout => Retry::Timeout,
                        Failure::Reset => Retry::Yes(None),
                        _ => Retry::No,
                    };
                    let mut attempt = fail(
                        failure.status(),
                        failure.detail(self.config.timeout),
                        redirects,
                        &url,
                    );
                    attempt.retry = retry;
                    return attempt;
                }
            };
            let status = resp.status();
            if status.is_redirection()
                && let Some(location) = resp.headers().get(header::LOCATION)
            {
                redirects.push(Redirect {
                    url: url.to_string(),
                    status: status.as_u16(),
                });
                let next = location.to_str().ok().and_then(|l| url.join(l.trim()).ok());
                let Some(next) = next else {
                    let detail = format!("{} with an unusable Location header", describe(status));
                    return fail(Status::Broken, detail, redirects, &url);
                };
                if !seen.insert(without_fragment(&next)) {
                    let detail = format!("redirect loop at {next}");
                    return fail(Status::Broken, detail, redirects, &next);
                }
                if redirects.len() > self.config.max_redirects {
                    let detail = format!("more than {} redirects", self.config.max_redirects);
                    return fail(Status::Broken, detail, redirects, &next);
                }
                url = next;
                continue;
            }
            let resp = response.expect("checked above");
            return self
                .judge(original, url, resp, via_head, redirects, deadline, rule)
                .await;
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: &Url,
        host: &str,
    ) -> reqwest::Result<Response> {
        let mut request = self
            .client
            .request(method, url.clone())
            .timeout(self.config.timeout);
        if let Some(headers) = self.host_headers.get(host) {
            request = request.headers(headers.clone());
        }
        request.send().await
    }

    /// The verdict on a final (non-redirect) answer.
    #[allow(clippy::too_many_arguments)]
    async fn judge(
        &self,
        original: &Url,
        final_url: Url,
        resp: Response,
        via_head: bool,
        redirects: Vec<Redirect>,
        deadline: tokio::time::Instant,
        rule: Option<&'static dyn SiteRule>,
    ) -> Attempt {
        let status = resp.status();
        let code = status.as_u16();
        let mut attempt = Attempt {
            status: Status::Ok,
            detail: None,
            http_status: Some(code),
            redirects,
            final_url: Some(final_url.clone()),
            page: None,
            retry: Retry::No,
        };
        let headers = resp.headers();
        let challenge = headers
            .get("cf-mitigated")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("challenge"));
        if challenge {
            attempt.status = Status::Blocked;
            attempt.detail = Some(format!(
                "{}: bot challenge (cf-mitigated: challenge)",
                describe(status)
            ));
            return attempt;
        }
        let retry_after = headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
        let html = is_html(headers) && !via_head;
        let mut resp = Some(resp);

        // A platform rule reads its API's answer; what it does not judge (429, 5xx) falls through.
        if let Some(rule) = rule {
            let body =
                match read_prefix(resp.take().expect("unread"), PROBE_BODY_LIMIT, deadline).await {
                    Ok(body) => body,
                    Err(failure) => return self.body_failed(attempt, status, &failure),
                };
            if let Some(verdict) = rule.judge(code, &body) {
                attempt.status = verdict.status;
                attempt.detail = verdict.detail;
                attempt.page = verdict.title.map(|title| PageInfo {
                    title: Some(title),
                    ..PageInfo::default()
                });
                return attempt;
            }
        }

        if self.config.accept.contains(code) {
            if status.is_success() {
                if !attempt.redirects.is_empty() && redirected_to_front_page(original, &final_url) {
                    attempt.status = Status::Broken;
                    attempt.detail = Some(format!(
                        "deep link redirected to the front page {final_url}"
                    ));
                    return attempt;
                }
                if let Some(resp) = resp.take().filter(|_| html) {
                    match read_prefix(resp, self.config.body_limit, deadline).await {
                        Ok(mut body) => {
                            // NUL bytes are not text; html5ever would log a parse error for each.
                            body.retain(|&b| b != 0);
                            attempt.page = Some(read_page(&String::from_utf8_lossy(&body)));
                        }
                        Err(failure) => return self.body_failed(attempt, status, &failure),
                    }
                }
                if let Some(reason) = soft_404(original, &final_url, attempt.page.as_ref()) {
                    attempt.status = Status::Broken;
                    attempt.detail = Some(reason);
                }
            }
            return attempt;
        }

        attempt.detail = Some(describe(status));
        attempt.status = match code {
            404 | 410 => Status::Broken,
            401 | 403 | 999 => Status::Blocked,
            429 => {
                attempt.retry = Retry::Yes(retry_after);
                Status::Blocked
            }
            500..=599 => {
                attempt.retry = Retry::Yes(retry_after);
                Status::ServerError
            }
            300..=399 => {
                attempt.detail = Some(format!("{} without a Location header", describe(status)));
                Status::Broken
            }
            _ => Status::Broken,
        };
        attempt
    }

    /// The headers came but the body did not.
    fn body_failed(&self, mut attempt: Attempt, status: StatusCode, failure: &Failure) -> Attempt {
        attempt.status = failure.status();
        attempt.detail = Some(format!(
            "{} but the body did not arrive: {}",
            describe(status),
            failure.detail(self.config.timeout)
        ));
        attempt.retry = if *failure == Failure::Timeout {
            Retry::Timeout
        } else {
            Retry::Yes(None)
        };
        attempt
    }
}

/// How much of a platform API's answer is read.
const PROBE_BODY_LIMIT: usize = 64 * 1024;

/// Reads at most `limit` bytes of the (decompressed) body before `deadline`.
async fn read_prefix(
    mut resp: Response,
    limit: usize,
    deadline: tokio::time::Instant,
) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::with_capacity(limit.min(64 * 1024));
    let read = async {
        while body.len() < limit {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = limit - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) => break,
                Err(e) => return Err(classify_error(&e)),
            }
        }
        Ok(())
    };
    match tokio::time::timeout_at(deadline, read).await {
        Ok(Ok(())) => Ok(body),
        Ok(Err(failure)) => Err(failure),
        Err(_) => Err(Failure::Timeout),
    }
}

fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), CheckError> {
    let bad = || CheckError::Header {
        name: name.to_owned(),
    };
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
    let value = HeaderValue::from_str(value).map_err(|_| bad())?;
    Ok((name, value))
}

fn describe(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

fn is_html(headers: &HeaderMap) -> bool {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            ct.starts_with("text/html") || ct.starts_with("application/xhtml")
        }
        None => true,
    }
}

/// HEAD answers that do not mean the resource is missing: try GET.
fn head_refused(status: StatusCode) -> bool {
    matches!(status.as_u16(), 400 | 403 | 405 | 406 | 500 | 501)
}

/// URLs of files rather than pages: HEAD suffices.
fn looks_like_file(url: &Url) -> bool {
    const FILES: &[&str] = &[
        "pdf", "zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "tar", "iso", "dmg", "exe", "msi",
        "mp3", "mp4", "m4a", "mov", "avi", "mkv", "webm", "wav", "flac", "ogg", "jpg", "jpeg",
        "png", "gif", "webp", "svg", "tif", "tiff", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
        "odt", "ods", "csv", "epub",
    ];
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .and_then(|last| last.rsplit_once('.'))
        .is_some_and(|(_, ext)| FILES.contains(&ext.to_ascii_lowercase().as_str()))
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

fn without_fragment(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.to_string()
}
