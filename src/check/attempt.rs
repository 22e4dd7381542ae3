//! One attempt at a URL: the request, its redirect chain followed by hand (every hop through its host's
//! permit, its address policy and host health), and the verdict on the final answer, reading at most a
//! bounded prefix of the page.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

use reqwest::header::{self, HeaderMap};
use reqwest::{Response, StatusCode};
use url::Url;

use super::classify::{
    Failure, FrontPage, classify_error, describe, front_page, may_be_a_wall, refusal, same_title,
    soft_404, wall_by_headers, wall_by_page,
};
use super::config::Method;
use super::plan::without_fragment;
use super::result::{BlockReason, PageInfo, Redirect, Status};
use super::retry::{self, Retry};
use super::sites::SiteRule;
use super::{Inner, read_page, resolver};
use crate::uri::Uri;

/// The outcome of one attempt: a verdict and what was learnt on the way.
pub(crate) struct Attempt {
    pub(crate) status: Status,
    pub(crate) detail: Option<String>,
    pub(crate) http_status: Option<u16>,
    pub(crate) redirects: Vec<Redirect>,
    pub(crate) final_url: Option<Url>,
    pub(crate) page: Option<PageInfo>,
    /// Why a server refused (`blocked`).
    pub(crate) reason: Option<BlockReason>,
    pub(crate) retry: Retry,
}

impl Inner {
    /// One attempt: the request and its redirect chain. With `read.whole_page`, an HTML page that
    /// answers is read whole (up to a bound) for its anchors and text, not only its head.
    pub(crate) async fn attempt(
        &self,
        original: &Url,
        rule: Option<&'static dyn SiteRule>,
        read: Reading,
    ) -> Attempt {
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
                    reason: None,
                    retry: Retry::No,
                };
            let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
                return fail(Status::Invalid, "URL has no host".into(), redirects, &url);
            };
            if let Some(detail) = self.refused_address(&url) {
                return fail(Status::Excluded, detail, redirects, &url);
            }

            // A redirect to a host found dead goes no further.
            if let Some(dead) = self.health.dead(&host) {
                return fail(dead.status, dead.not_tried(), redirects, &url);
            }
            let _permit = self.hosts.acquire(&host).await;
            let deadline = tokio::time::Instant::now() + self.config.timeout;
            // A file is asked for its headers only, unless what it holds is looked at (a PDF's
            // `#page=N`).
            let head_first = match self.config.method {
                Method::Get => false,
                Method::Head => true,
                Method::Auto => looks_like_file(&url) && !read.whole_page && !read.pdf_pages,
            };
            // HEAD suffices for files; when a server refuses it, GET tells the truth.
            let sent = async {
                if head_first {
                    match self.send(reqwest::Method::HEAD, &url, &host).await {
                        Ok(r) if !head_refused(r.status()) => (Ok(r), true),
                        Ok(_) => (self.send(reqwest::Method::GET, &url, &host).await, false),
                        Err(e)
                            if matches!(classify_error(&e), Failure::Reset | Failure::Other(_)) =>
                        {
                            (self.send(reqwest::Method::GET, &url, &host).await, false)
                        }
                        Err(e) => (Err(e), true),
                    }
                } else {
                    (self.send(reqwest::Method::GET, &url, &host).await, false)
                }
            };
            // Other requests may find the host dead meanwhile: this one is then given up.
            let (mut response, via_head) = tokio::select! {
                sent = sent => sent,
                dead = self.health.until_dead(&host) => {
                    let detail = format!("given up: {}", dead.why);
                    return fail(dead.status, detail, redirects, &url);
                }
            };

            let resp = match response.as_mut() {
                Ok(resp) => {
                    self.health.answered(&host);
                    resp
                }
                Err(err) => {
                    let failure = classify_error(err);
                    self.health.failed(&host, &without_fragment(&url), &failure);
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
                let next = redirect_target(location, &url);
                let Some(next) = next else {
                    let detail = format!("{} with an unusable Location header", describe(status));
                    return fail(Status::Broken, detail, redirects, &url);
                };
                // A redirect to what is never fetched is judged as that URL would be when cited:
                // a known scheme (ftp:, file:, data:, mailto:) is excluded, any other invalid.
                if !matches!(next.scheme(), "http" | "https") {
                    let (status, detail) = match Uri::parse(next.as_str()) {
                        Ok(_) => (
                            Status::Excluded,
                            format!(
                                "redirected to a {}: URL, which is not fetched",
                                next.scheme()
                            ),
                        ),
                        Err(err) => (Status::Invalid, format!("redirected to an {err}")),
                    };
                    return fail(status, detail, redirects, &next);
                }
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
                .judge(
                    original, url, resp, via_head, redirects, deadline, rule, read,
                )
                .await;
        }
    }

    /// Why `--deny-private` refuses a URL whose host is a literal address (a name is refused by
    /// the resolver when it is looked up).
    pub(super) fn refused_address(&self, url: &Url) -> Option<String> {
        let ip = literal_ip(url).filter(|ip| !self.policy.permits(*ip))?;
        Some(format!(
            "{} is a private address refused by --deny-private",
            resolver::describe(&ip)
        ))
    }

    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        url: &Url,
        host: &str,
    ) -> reqwest::Result<Response> {
        self.request(method, url, host, self.config.timeout)
            .send()
            .await
    }

    /// A request on the client that carries `url`, with `host`'s own headers, given `timeout` in
    /// all.
    pub(super) fn request(
        &self,
        method: reqwest::Method,
        url: &Url,
        host: &str,
        timeout: std::time::Duration,
    ) -> reqwest::RequestBuilder {
        let request = self.clients.request(method, url).timeout(timeout);
        match self.host_headers.get(host) {
            Some(headers) => request.headers(headers.clone()),
            None => request,
        }
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
        read: Reading,
    ) -> Attempt {
        let whole_page = read.whole_page;
        let status = resp.status();
        let code = status.as_u16();
        let mut attempt = Attempt {
            status: Status::Ok,
            detail: None,
            http_status: Some(code),
            redirects,
            final_url: Some(final_url.clone()),
            page: None,
            reason: None,
            retry: Retry::No,
        };
        let headers = resp.headers();
        if let Some(vendor) = wall_by_headers(headers) {
            let verdict = refusal(status, Some(vendor), None);
            attempt.status = verdict.status;
            attempt.detail = Some(verdict.detail);
            attempt.reason = verdict.reason;
            return attempt;
        }
        let retry_after = headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
        let html = is_html(headers) && !via_head;
        // A PDF cited at a `#page=N` is read whole (up to a bound) for its page count.
        let pdf = read.pdf_pages
            && !via_head
            && is_pdf(headers, &final_url)
            && resp
                .content_length()
                .is_none_or(|n| n < PDF_BODY_LIMIT as u64);
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
                let front = if attempt.redirects.is_empty() {
                    FrontPage::No
                } else {
                    front_page(original, &final_url)
                };
                let sure = match front {
                    FrontPage::Root => Some("the front page"),
                    FrontPage::Section => Some("the section front"),
                    FrontPage::Doubtful | FrontPage::No => None,
                };
                if let Some(what) = sure {
                    attempt.status = Status::Broken;
                    attempt.detail = Some(format!("deep link redirected to {what} {final_url}"));
                    return attempt;
                }
                // The PDF answered: it is `ok` whatever its body does. A body that does not arrive
                // in time, or past the bound, gives no page count and no verdict on `#page=N`.
                if pdf && let Some(resp) = resp.take() {
                    let deadline = tokio::time::Instant::now() + self.config.timeout * 4;
                    if let Ok(body) = read_prefix(resp, PDF_BODY_LIMIT, deadline).await
                        && body.len() < PDF_BODY_LIMIT
                    {
                        let pages =
                            tokio::task::spawn_blocking(move || super::pdf_pages::count(&body))
                                .await
                                .ok()
                                .flatten();
                        attempt.page = Some(PageInfo {
                            pages,
                            ..PageInfo::default()
                        });
                    }
                }
                if let Some(resp) = resp.take().filter(|_| html) {
                    // Cited fragments and quotations are looked for in the whole page (up to a
                    // bound); the rest reads the head.
                    let limit = if whole_page {
                        self.config.body_limit.max(FRAGMENT_BODY_LIMIT)
                    } else {
                        self.config.body_limit
                    };
                    match read_prefix(resp, limit, deadline).await {
                        Ok(mut body) => {
                            let whole = body.len() < limit;
                            // NUL bytes are not text; html5ever would log a parse error for each.
                            body.retain(|&b| b != 0);
                            let head = &body[..body.len().min(self.config.body_limit)];
                            let mut page = read_page(&String::from_utf8_lossy(head));
                            if whole_page && whole {
                                page.anchors = Some(super::page::anchors(&body));
                                if let Some(text) = super::page::text(&body) {
                                    let main = super::page::normalise(&text.main);
                                    page.sketch = Some(super::content::Sketch::of(&main));
                                    page.text = Some(super::page::normalise(&text.all));
                                }
                            }
                            attempt.page = Some(page);
                        }
                        Err(failure) => return self.body_failed(attempt, status, &failure),
                    }
                }
                // `/us` may be a country edition's front page or a page of its own: the site's
                // root, fetched once per host, tells by its title.
                let title = attempt.page.as_ref().and_then(|p| p.title.clone());
                if front == FrontPage::Doubtful
                    && let Some(title) = title
                    && let Some(root) = self.root_title(&final_url).await
                    && same_title(&title, &root)
                {
                    attempt.status = Status::Broken;
                    attempt.detail = Some(format!(
                        "deep link redirected to {final_url}, a front page (its title is the site's: \u{201c}{title}\u{201d})"
                    ));
                    return attempt;
                }
                if let Some(reason) = soft_404(original, &final_url, attempt.page.as_ref()) {
                    attempt.status = Status::Broken;
                    attempt.detail = Some(reason);
                }
            }
            return attempt;
        }

        // Walls answer 403, 429, 503 or 999 with a page of their own: its first KiB names them.
        let wall = match resp.take().filter(|_| may_be_a_wall(code)) {
            Some(resp) => read_prefix(resp, 1024, deadline)
                .await
                .ok()
                .and_then(|body| wall_by_page(&body)),
            None => None,
        };
        let verdict = refusal(status, wall, retry_after);
        attempt.status = verdict.status;
        attempt.detail = Some(verdict.detail);
        attempt.reason = verdict.reason;
        attempt.retry = verdict.retry;
        attempt
    }

    /// The title of the site root of `url`'s host, asked at most once per host and run.
    async fn root_title(&self, url: &Url) -> Option<String> {
        let host = url.host_str()?.to_ascii_lowercase();
        let cell = {
            let mut roots = self.root_titles.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(roots.entry(host.clone()).or_default())
        };
        let mut root = url.clone();
        root.set_path("/");
        root.set_query(None);
        root.set_fragment(None);
        cell.get_or_init(|| self.fetch_title(root, host))
            .await
            .clone()
    }

    /// A page's title, following a few redirects; nothing when it cannot be had. The caller holds the
    /// host's permit already.
    async fn fetch_title(&self, mut url: Url, host: String) -> Option<String> {
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        for _ in 0..3 {
            let resp = self.send(reqwest::Method::GET, &url, &host).await.ok()?;
            let status = resp.status();
            if status.is_redirection() {
                url = redirect_target(resp.headers().get(header::LOCATION)?, &url)?;
                if url.host_str().map(str::to_ascii_lowercase).as_deref() != Some(host.as_str()) {
                    return None;
                }
                continue;
            }
            if !status.is_success() {
                return None;
            }
            let body = read_prefix(resp, self.config.body_limit, deadline)
                .await
                .ok()?;
            return read_page(&String::from_utf8_lossy(&body)).title;
        }
        None
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

/// How much of a page is read to find a cited `#fragment` or quotation in it: past this, no verdict
/// is given.
const FRAGMENT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Reads at most `limit` bytes of the (decompressed) body before `deadline`.
pub(crate) async fn read_prefix(
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

/// What of an answer is read besides its head.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Reading {
    /// An HTML page whole (up to a bound), for its anchors and text.
    pub whole_page: bool,
    /// A PDF whole (up to [`PDF_BODY_LIMIT`]), for its page count: a citation names its
    /// `#page=N`.
    pub pdf_pages: bool,
}

/// How much of a cited PDF is read for its page count: past this, no verdict.
const PDF_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// A PDF, by its `Content-Type`, or by its name when the server says no more than
/// `application/octet-stream`.
fn is_pdf(headers: &HeaderMap, url: &Url) -> bool {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    ct.starts_with("application/pdf")
        || ((ct.is_empty() || ct.starts_with("application/octet-stream"))
            && url.path().to_ascii_lowercase().ends_with(".pdf"))
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

/// Where a redirect's `Location` leads from `url`.
pub(super) fn redirect_target(location: &header::HeaderValue, url: &Url) -> Option<Url> {
    url.join(location.to_str().ok()?.trim()).ok()
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}
