//! Whole documents fetched through the checker's client (`citecheck check URL`): the same host limits,
//! address policy and timeouts as a link check, redirects followed by hand so that every hop is
//! gated, and the body read up to a byte limit.

use reqwest::StatusCode;
use reqwest::header;
use url::Url;

use super::attempt::{read_prefix, redirect_target};
use super::classify::{self, Failure, classify_error};
use super::{FetchError, Inner, Status};

/// A document as the server gave it.
#[derive(Debug, Clone)]
pub struct Download {
    /// Where the last redirect led.
    pub final_url: Url,
    /// The `Content-Type` header, lower-cased, without parameters.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// How long a document's body may take past its headers, as a multiple of `--timeout`: documents
/// are larger than the pages a check reads the head of.
const BODY_TIMEOUTS: u32 = 4;

impl Inner {
    /// The document at `url`; past `limit` bytes an error, or with `prefix` its first `limit`
    /// bytes.
    pub(super) async fn download(
        &self,
        url: &Url,
        limit: u64,
        prefix: bool,
    ) -> Result<Download, FetchError> {
        let fail = |status: Status, detail: String| FetchError { status, detail };
        let mut url = url.clone();
        for _ in 0..=self.config.max_redirects {
            let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
                return Err(fail(Status::Invalid, "URL has no host".into()));
            };
            if !matches!(url.scheme(), "http" | "https") {
                return Err(fail(
                    Status::Invalid,
                    format!(
                        "{}: only http and https documents are fetched",
                        url.scheme()
                    ),
                ));
            }
            if let Some(detail) = self.refused_address(&url) {
                return Err(fail(Status::Excluded, detail));
            }
            let permit = self.hosts.acquire(&host).await;
            // The answer's head within --timeout, its body within BODY_TIMEOUTS of them: the
            // request as a whole is given that long.
            let request = self.request(
                reqwest::Method::GET,
                &url,
                &host,
                self.config.timeout * BODY_TIMEOUTS,
            );
            let timed_out = || {
                fail(
                    Status::Timeout,
                    Failure::Timeout.detail(self.config.timeout),
                )
            };
            let resp = tokio::time::timeout(self.config.timeout, request.send())
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| {
                    let failure = classify_error(&e);
                    fail(failure.status(), failure.detail(self.config.timeout))
                })?;
            let status = resp.status();
            if status.is_redirection() {
                drop(permit);
                let next = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| redirect_target(l, &url))
                    .ok_or_else(|| {
                        fail(
                            Status::Broken,
                            format!("{} without a usable Location", classify::describe(status)),
                        )
                    })?;
                url = next;
                continue;
            }
            if status != StatusCode::OK {
                let failed = match status.as_u16() {
                    401 | 403 | 429 | 999 => Status::Blocked,
                    500..=599 => Status::ServerError,
                    _ => Status::Broken,
                };
                return Err(fail(failed, classify::describe(status)));
            }
            let content_type = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_ascii_lowercase()
                });
            let too_large = |size: u64| {
                fail(
                    Status::Excluded,
                    format!(
                        "too large ({size} bytes; the limit is {limit} bytes, see --max-file-size)"
                    ),
                )
            };
            if let Some(size) = resp.content_length()
                && size > limit
                && !prefix
            {
                return Err(too_large(size));
            }
            let deadline = tokio::time::Instant::now() + self.config.timeout * BODY_TIMEOUTS;
            let room = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
            let body = read_prefix(resp, room, deadline)
                .await
                .map_err(|f| fail(f.status(), f.detail(self.config.timeout)))?;
            let mut body = body;
            if body.len() as u64 > limit {
                if !prefix {
                    return Err(too_large(body.len() as u64));
                }
                body.truncate(room - 1);
            }
            return Ok(Download {
                final_url: url,
                content_type,
                body,
            });
        }
        Err(fail(
            Status::Broken,
            format!(
                "more than {} redirects (see --max-redirects)",
                self.config.max_redirects
            ),
        ))
    }
}
