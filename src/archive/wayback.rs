//! Web archives: the capture of a page closest to its cited date, verified before it is reported, and
//! Save Page Now 2.
//!
//! A lookup asks the Wayback Machine's availability API; when it has nothing, the Wayback Machine's CDX
//! API (the captures that answered 200, closest first); then the Memento TimeTravel aggregator, which
//! covers archive.today, national libraries and others. Each capture found is fetched through the
//! checker (its client, host limits, soft-404 and front-page rules) and reported only if it is there;
//! else the next-closest is tried.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::Deserialize;
use url::Url;

use crate::check::{
    Archive, ArchiveLookup, CheckResult, Checker, ContentVerdict, FetchError, QuoteFound, Status,
    Warning, WarningKind,
};
use crate::extract::Document;

use super::WaybackMode;

/// The availability API.
pub const AVAILABILITY: &str = "https://archive.org/wayback/available";
/// Save Page Now 2.
pub const SAVE: &str = "https://web.archive.org/save";
/// The CDX API: every capture of a URL.
pub const CDX: &str = "https://web.archive.org/cdx/search/cdx";
/// The Memento TimeTravel aggregator's JSON API.
pub const TIMETRAVEL: &str = "https://timetravel.mementoweb.org/api/json";
/// Captures fetched to verify them, at most, per URL.
const MAX_VERIFIED: usize = 4;
/// Captures asked of the CDX API.
const CDX_LIMIT: usize = 5;

/// After this many failed lookups in a row, the archive is not asked again in this run.
const GIVE_UP_AFTER: usize = 3;
const BODY_LIMIT: usize = 64 * 1024;

/// Why the archive could not say.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum WaybackError {
    #[error("did not answer: {0}")]
    Unreachable(#[from] FetchError),
    #[error("answered {status}{}", if .message.is_empty() { String::new() } else { format!(": {message}") })]
    Status { status: u16, message: String },
    #[error("answer not understood: {0}")]
    BadAnswer(String),
    #[error("capture still pending after {0} s")]
    Pending(u64),
}

/// Credentials for Save Page Now (`IA_ACCESS_KEY`, `IA_SECRET_KEY`).
#[derive(Clone)]
pub struct SaveKeys {
    pub access: String,
    pub secret: String,
}

impl SaveKeys {
    /// From `IA_ACCESS_KEY` and `IA_SECRET_KEY`, when both are set.
    pub fn from_env() -> Option<SaveKeys> {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Some(SaveKeys {
            access: get("IA_ACCESS_KEY")?,
            secret: get("IA_SECRET_KEY")?,
        })
    }
}

/// A client of the Wayback Machine's APIs, through the checker's HTTP client.
pub struct Wayback<'a> {
    checker: &'a Checker,
    availability: Url,
    save: Url,
    cdx: Url,
    timetravel: Url,
    /// Whether captures are fetched before they are reported (on by default).
    pub verify: bool,
    /// How often a pending capture is polled, and for how long.
    pub poll_every: Duration,
    pub poll_for: Duration,
}

#[derive(Deserialize)]
struct Availability {
    #[serde(default)]
    archived_snapshots: Snapshots,
}

#[derive(Deserialize, Default)]
struct Snapshots {
    closest: Option<Closest>,
}

#[derive(Deserialize)]
struct Closest {
    #[serde(default)]
    available: bool,
    url: Option<String>,
    timestamp: Option<String>,
}

impl<'a> Wayback<'a> {
    pub fn new(checker: &'a Checker) -> Self {
        Wayback {
            checker,
            availability: Url::parse(AVAILABILITY).expect("static URL"),
            save: Url::parse(SAVE).expect("static URL"),
            cdx: Url::parse(CDX).expect("static URL"),
            timetravel: Url::parse(TIMETRAVEL).expect("static URL"),
            verify: true,
            poll_every: Duration::from_secs(5),
            poll_for: Duration::from_secs(180),
        }
    }

    /// The snapshot of `url` closest to `timestamp` (`YYYYMMDD`, `YYYYMM`…; none: the latest).
    pub async fn closest(
        &self,
        url: &str,
        timestamp: Option<&str>,
    ) -> Result<Option<Archive>, WaybackError> {
        let mut query = self.availability.clone();
        query.query_pairs_mut().append_pair("url", url);
        if let Some(ts) = timestamp {
            query.query_pairs_mut().append_pair("timestamp", ts);
        }
        let answer = self.get_json(&query, &[200]).await?;
        let parsed: Availability = serde_json::from_slice(&answer.body)
            .map_err(|e| WaybackError::BadAnswer(e.to_string()))?;
        Ok(parsed.archived_snapshots.closest.and_then(|c| {
            let (url, timestamp) = (c.url?, c.timestamp?);
            c.available.then(|| Archive {
                url: https(&url),
                timestamp,
                archive: Some(WAYBACK.to_owned()),
            })
        }))
    }

    /// Captures of `url` from the CDX API that answered 200, closest to `timestamp` first (none: the
    /// latest first).
    pub async fn cdx(
        &self,
        url: &str,
        timestamp: Option<&str>,
    ) -> Result<Vec<Archive>, WaybackError> {
        let mut query = self.cdx.clone();
        query
            .query_pairs_mut()
            .append_pair("url", url)
            .append_pair("output", "json")
            .append_pair("fl", "timestamp,original")
            .append_pair("filter", "statuscode:200");
        match timestamp {
            Some(ts) => query
                .query_pairs_mut()
                .append_pair("closest", ts)
                .append_pair("sort", "closest")
                .append_pair("limit", &CDX_LIMIT.to_string()),
            None => query
                .query_pairs_mut()
                .append_pair("limit", &format!("-{CDX_LIMIT}")),
        };
        let answer = self.get_json(&query, &[200]).await?;
        // An empty body is "no captures"; else rows of [timestamp, original] after a header row.
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        let rows: Vec<Vec<String>> = serde_json::from_slice(&answer.body)
            .map_err(|e| WaybackError::BadAnswer(e.to_string()))?;
        let mut captures: Vec<Archive> = rows
            .into_iter()
            .skip(1)
            .filter_map(|row| {
                let [timestamp, original] = <[String; 2]>::try_from(row).ok()?;
                timestamp
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| Archive {
                        url: format!("https://web.archive.org/web/{timestamp}/{original}"),
                        timestamp,
                        archive: Some(WAYBACK.to_owned()),
                    })
            })
            .collect();
        if timestamp.is_none() {
            captures.reverse();
        }
        Ok(captures)
    }

    /// Captures of `url` in any archive the Memento TimeTravel aggregator knows: the closest to
    /// `timestamp` (none: now), then the ones before and after it.
    pub async fn timetravel(
        &self,
        url: &str,
        timestamp: Option<&str>,
    ) -> Result<Vec<Archive>, WaybackError> {
        let at = match timestamp {
            Some(ts) => ts.to_owned(),
            None => chrono::Utc::now().format("%Y%m%d%H%M%S").to_string(),
        };
        let query = Url::parse(&format!(
            "{}/{at}/{url}",
            self.timetravel.as_str().trim_end_matches('/')
        ))
        .map_err(|e| WaybackError::BadAnswer(e.to_string()))?;
        let answer = self.get_json(&query, &[200, 404]).await?;
        // 404 is TimeTravel's "no mementos".
        if answer.status == 404 {
            return Ok(Vec::new());
        }
        let found: serde_json::Value = serde_json::from_slice(&answer.body)
            .map_err(|e| WaybackError::BadAnswer(e.to_string()))?;
        let mut captures: Vec<Archive> = Vec::new();
        for which in ["closest", "prev", "next"] {
            let Some(memento) = found.get("mementos").and_then(|m| m.get(which)) else {
                continue;
            };
            let timestamp = memento
                .get("datetime")
                .and_then(serde_json::Value::as_str)
                .map(|d| d.chars().filter(char::is_ascii_digit).collect::<String>())
                .unwrap_or_default();
            let uris = memento.get("uri").and_then(serde_json::Value::as_array);
            for uri in uris
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
            {
                let known = captures.iter().any(|c| c.url == uri);
                if !known && !timestamp.is_empty() && Url::parse(uri).is_ok() {
                    captures.push(Archive {
                        url: https(uri),
                        timestamp: timestamp.clone(),
                        archive: Some(archive_name(uri)),
                    });
                }
            }
        }
        Ok(captures)
    }

    /// Whether a capture is there: it answers 200 (after redirects), is not a soft 404, and is not a
    /// capture of the site's front page standing in for the cited page. `Err` says why not.
    pub async fn verify(&self, cited: &str, capture: &Archive) -> Result<(), String> {
        let Ok(uri) = crate::uri::Uri::parse(&capture.url) else {
            return Err(format!("{} is not a URL", capture.url));
        };
        let request = crate::check::CheckRequest {
            url: capture.url.clone(),
            target: crate::check::Target::Fetch(uri),
            cited_in: Vec::new(),
            cited_as: Vec::new(),
            fragments: Vec::new(),
            quotes: Vec::new(),
        };
        let result = self.checker.check(&request).await;
        if result.status != Status::Ok {
            let why = result
                .detail
                .unwrap_or_else(|| format!("{:?}", result.status));
            return Err(format!("the capture {} is not there ({why})", capture.url));
        }
        let landed = result.final_url.as_deref().unwrap_or(&capture.url);
        if let (Ok(cited), Some(Ok(archived))) =
            (Url::parse(cited), wayback_original(landed).map(Url::parse))
            && is_front_page(&archived)
            && !is_front_page(&cited)
        {
            return Err(format!(
                "the capture {} is the site's front page, not the cited page",
                capture.url
            ));
        }
        Ok(())
    }

    /// The closest verified capture of `url`, from every archive in turn. `Ok(None)`: none found or
    /// none verified (then `notes` says why); `Err`: no archive could be asked.
    pub async fn find(
        &self,
        url: &str,
        timestamp: Option<&str>,
        health: &mut ArchiveHealth,
        notes: &mut Vec<String>,
    ) -> Result<Option<Archive>, WaybackError> {
        let mut tried: Vec<String> = Vec::new();
        let mut last_error = None;
        let mut asked_any = false;
        for source in Source::ALL {
            if health.failures[source as usize] >= GIVE_UP_AFTER {
                continue;
            }
            let found = match source {
                Source::Availability => self
                    .closest(url, timestamp)
                    .await
                    .map(|c| c.into_iter().collect()),
                Source::Cdx => self.cdx(url, timestamp).await,
                Source::TimeTravel => self.timetravel(url, timestamp).await,
            };
            let captures = match found {
                Ok(captures) => {
                    health.failures[source as usize] = 0;
                    asked_any = true;
                    captures
                }
                Err(err) => {
                    health.failures[source as usize] += 1;
                    notes.push(format!("{}: {err}", source.name()));
                    last_error = Some(err);
                    continue;
                }
            };
            for capture in captures {
                if tried.contains(&capture.url) || tried.len() >= MAX_VERIFIED {
                    continue;
                }
                tried.push(capture.url.clone());
                if !self.verify {
                    return Ok(Some(capture));
                }
                match self.verify(url, &capture).await {
                    Ok(()) => return Ok(Some(capture)),
                    Err(why) => notes.push(why),
                }
            }
        }
        match (asked_any, last_error) {
            (false, Some(err)) => Err(err),
            _ => Ok(None),
        }
    }

    /// A GET of one of the archives' JSON APIs: its answer when the status is one of `expected`, else
    /// the status as an error.
    async fn get_json(
        &self,
        query: &Url,
        expected: &[u16],
    ) -> Result<crate::check::Fetched, WaybackError> {
        let answer = self
            .checker
            .fetch(
                reqwest::Method::GET,
                query,
                json_headers(),
                None,
                BODY_LIMIT,
            )
            .await?;
        if !expected.contains(&answer.status) {
            return Err(WaybackError::Status {
                status: answer.status,
                message: String::new(),
            });
        }
        Ok(answer)
    }

    /// Asks Save Page Now 2 to capture `url` and waits for the snapshot.
    pub async fn save(&self, url: &str, keys: &SaveKeys) -> Result<Archive, WaybackError> {
        let mut headers = json_headers();
        let auth = format!("LOW {}:{}", keys.access, keys.secret);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&auth).map_err(|e| WaybackError::BadAnswer(e.to_string()))?,
        );
        let form = [("url", url)];
        let answer = self
            .checker
            .fetch(
                reqwest::Method::POST,
                &self.save,
                headers.clone(),
                Some(&form),
                BODY_LIMIT,
            )
            .await?;
        let job: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        let message = job
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or_default()
            .to_owned();
        if answer.status != 200 {
            return Err(WaybackError::Status {
                status: answer.status,
                message,
            });
        }
        let Some(job_id) = job.get("job_id").and_then(|j| j.as_str()) else {
            return Err(WaybackError::BadAnswer(if message.is_empty() {
                "no job_id".into()
            } else {
                message
            }));
        };
        let status_url = Url::parse(&format!(
            "{}/status/{job_id}",
            self.save.as_str().trim_end_matches('/')
        ))
        .map_err(|e| WaybackError::BadAnswer(e.to_string()))?;
        let started = tokio::time::Instant::now();
        loop {
            let answer = self
                .checker
                .fetch(
                    reqwest::Method::GET,
                    &status_url,
                    headers.clone(),
                    None,
                    BODY_LIMIT,
                )
                .await?;
            let status: serde_json::Value = serde_json::from_slice(&answer.body)
                .map_err(|e| WaybackError::BadAnswer(e.to_string()))?;
            match status.get("status").and_then(|s| s.as_str()) {
                Some("success") => {
                    let timestamp = status
                        .get("timestamp")
                        .and_then(|t| t.as_str())
                        .unwrap_or_default()
                        .to_owned();
                    let original = status
                        .get("original_url")
                        .and_then(|u| u.as_str())
                        .unwrap_or(url);
                    let snapshot = format!("https://web.archive.org/web/{timestamp}/{original}");
                    return Ok(Archive {
                        url: snapshot,
                        timestamp,
                        archive: Some(WAYBACK.to_owned()),
                    });
                }
                Some("pending") if started.elapsed() < self.poll_for => {
                    tokio::time::sleep(self.poll_every).await
                }
                Some("pending") => return Err(WaybackError::Pending(self.poll_for.as_secs())),
                _ => {
                    let message = status
                        .get("message")
                        .and_then(|m| m.as_str())
                        .unwrap_or("capture failed");
                    return Err(WaybackError::Status {
                        status: answer.status,
                        message: message.to_owned(),
                    });
                }
            }
        }
    }
}

/// The archives asked, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Availability = 0,
    Cdx = 1,
    TimeTravel = 2,
}

impl Source {
    const ALL: [Source; 3] = [Source::Availability, Source::Cdx, Source::TimeTravel];

    fn name(self) -> &'static str {
        match self {
            Source::Availability => "the Wayback Machine's availability API",
            Source::Cdx => "the Wayback Machine's CDX API",
            Source::TimeTravel => "Memento TimeTravel",
        }
    }
}

/// Consecutive failures of each archive API in this run: after a few, it is not asked again.
#[derive(Debug, Default)]
pub struct ArchiveHealth {
    failures: [usize; 3],
}

impl ArchiveHealth {
    /// Whether every archive has been given up.
    pub fn exhausted(&self) -> bool {
        self.failures.iter().all(|f| *f >= GIVE_UP_AFTER)
    }
}

const WAYBACK: &str = "Wayback Machine";
/// Where Wayback captures are read.
const WAYBACK_WEB: &str = "https://web.archive.org/web/";

/// The name of the archive a capture URL belongs to.
fn archive_name(capture: &str) -> String {
    let host = Url::parse(capture)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    match host {
        "web.archive.org" | "wayback.archive.org" => WAYBACK.to_owned(),
        "archive.today" | "archive.ph" | "archive.is" | "archive.li" | "archive.vn"
        | "archive.fo" | "archive.md" => "archive.today".to_owned(),
        other => other.to_owned(),
    }
}

/// The page a Wayback capture URL holds: `https://web.archive.org/web/2020…/http://site/a` →
/// `http://site/a`.
fn wayback_original(capture: &str) -> Option<&str> {
    let rest = capture
        .strip_prefix("https://web.archive.org/web/")
        .or_else(|| capture.strip_prefix("http://web.archive.org/web/"))?;
    let (stamp, original) = rest.split_once('/')?;
    stamp
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit())
        .then_some(original)
}

/// A URL whose path is the site's root.
fn is_front_page(url: &Url) -> bool {
    matches!(url.path(), "" | "/") && url.query().is_none()
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    headers
}

/// Snapshot links as readers should follow them.
fn https(url: &str) -> String {
    match url.strip_prefix("http://web.archive.org/") {
        Some(rest) => format!("https://web.archive.org/{rest}"),
        None => url.to_owned(),
    }
}

/// `2020-11-19` → `20201119`, `2020-11` → `202011`.
fn timestamp(iso: &str) -> String {
    iso.chars().filter(char::is_ascii_digit).collect()
}

/// A live page against its archived copy at the cited date: the quotations the page no longer
/// shows are looked for in the capture (there: `quote-changed`, not `quote-not-found`), and the two
/// main texts are compared (`content`; below `--content-drift`: `content-drift`). The capture is
/// read as archived (`id_`), without the archive's toolbar.
async fn compare(wayback: &Wayback<'_>, result: &mut CheckResult, capture: &Archive) {
    let missing: Vec<(String, String)> = result
        .quotes
        .iter()
        .filter(|q| q.found == QuoteFound::None)
        .map(|q| (q.text.clone(), q.footnote.clone()))
        .collect();
    let live = result.page.as_ref().and_then(|p| p.sketch.clone());
    if missing.is_empty() && live.is_none() {
        return;
    }
    let raw = raw_capture(&capture.url);
    let Ok(uri) = crate::uri::Uri::parse(&raw) else {
        return;
    };
    let request = crate::check::CheckRequest {
        url: raw,
        target: crate::check::Target::Fetch(uri),
        cited_in: Vec::new(),
        cited_as: Vec::new(),
        fragments: Vec::new(),
        quotes: missing,
    };
    let read = wayback.checker.check(&request).await;
    if read.status != Status::Ok {
        return;
    }
    let day = capture.day();
    for archived in read.quotes.iter().filter(|q| q.found == QuoteFound::Live) {
        let Some(verdict) = result.quotes.iter_mut().find(|q| {
            q.found == QuoteFound::None
                && q.text == archived.text
                && q.footnote == archived.footnote
        }) else {
            continue;
        };
        verdict.found = QuoteFound::Archive;
        if let Some(warning) = result.warnings.iter_mut().find(|w| {
            w.kind == WarningKind::QuoteNotFound
                && w.footnote.as_deref() == Some(&verdict.footnote)
                && w.cited.as_deref() == Some(&verdict.text)
        }) {
            warning.kind = WarningKind::QuoteChanged;
            warning.message = format!(
                "footnote {} is cited for the words \u{201c}{}\u{201d}: the page no longer shows them; the archived copy of {day} does",
                verdict.footnote, verdict.text
            );
        }
    }
    let archived = read.page.and_then(|p| p.sketch);
    if let (Some(live), Some(archived)) = (live, archived)
        && live.comparable()
        && archived.comparable()
    {
        let exact = live.similarity(&archived);
        // Judged as measured; reported to a thousandth, and a percentage with as many decimals
        // as it takes to stay under the threshold it is under.
        let similarity = (exact * 1000.0).round() / 1000.0;
        let threshold = wayback.checker.config().drift.content_similarity;
        if exact < threshold {
            let percent = if (exact * 100.0).round() < threshold * 100.0 {
                format!("{:.0}", exact * 100.0)
            } else {
                format!("{:.1}", exact * 100.0)
            };
            let mut warning = Warning::new(
                WarningKind::ContentDrift,
                format!(
                    "the page shares {percent} % of its text with the archived copy of {day} (under --content-drift {threshold})"
                ),
            );
            warning.score = Some(similarity);
            result.warnings.push(warning);
        }
        result.content = Some(ContentVerdict {
            similarity,
            capture: capture.url.clone(),
        });
    }
}

/// A Wayback capture as archived, without the archive's toolbar and rewritten links:
/// `…/web/2020…/http://site/a` → `…/web/2020…id_/http://site/a`. Other archives' as they are.
fn raw_capture(capture: &str) -> String {
    match wayback_original(capture) {
        Some(original) => {
            let stamp = &capture[..capture.len() - original.len() - 1];
            let stamp = stamp.rsplit('/').next().unwrap_or_default();
            if stamp.bytes().all(|b| b.is_ascii_digit()) {
                format!("{WAYBACK_WEB}{stamp}id_/{original}")
            } else {
                capture.to_owned()
            }
        }
        None => capture.to_owned(),
    }
}

/// Whether a result should get an archive lookup in `mode`.
fn wanted(result: &CheckResult, mode: WaybackMode) -> bool {
    let fetched = !matches!(
        result.status,
        Status::Invalid | Status::Excluded | Status::Unchecked
    );
    match mode {
        WaybackMode::Off => false,
        WaybackMode::All => fetched,
        // A page whose quoted words are gone is failing its reader: its capture may still show them.
        WaybackMode::Failing => {
            fetched
                && (result.status != Status::Ok
                    || result.quotes.iter().any(|q| q.found == QuoteFound::None))
        }
    }
}

/// The date to ask the archive for: the earliest date a citing footnote gives (or, with `--git-dates`,
/// the day its line was committed), else the document's date, else none (the latest snapshot).
fn citation_date(
    result: &CheckResult,
    dates: &HashMap<(&str, &str), &str>,
    doc_dates: &HashMap<&str, &str>,
) -> Option<String> {
    let cited = result
        .cited_in
        .iter()
        .filter_map(|c| {
            dates
                .get(&(c.path.as_str(), c.footnote.as_deref()?))
                .copied()
        })
        .min();
    let doc = || {
        result
            .cited_in
            .iter()
            .filter_map(|c| doc_dates.get(c.path.as_str()).copied())
            .min()
    };
    cited.or_else(doc).map(timestamp)
}

/// Looks up archived copies for the results `mode` selects, one request at a time, calling `on_each`
/// after each. Failures become warnings on the result; after a few in a row the archive is left alone.
pub async fn annotate(
    wayback: &Wayback<'_>,
    documents: &[Document],
    results: &mut [CheckResult],
    mode: WaybackMode,
    mut on_each: impl FnMut(&CheckResult),
) {
    let dates: HashMap<(&str, &str), &str> = documents
        .iter()
        .flat_map(|d| {
            d.footnotes.iter().filter_map(move |f| {
                let date = f.date.as_deref().or(f.committed.as_deref())?;
                Some(((d.path.as_str(), f.id.as_str()), date))
            })
        })
        .collect();
    let doc_dates: HashMap<&str, &str> = documents
        .iter()
        .filter_map(|d| Some((d.path.as_str(), d.date.as_deref()?)))
        .collect();
    let mut health = ArchiveHealth::default();
    for result in results.iter_mut().filter(|r| wanted(r, mode)) {
        if health.exhausted() {
            result.warnings.push(Warning::new(
                WarningKind::ArchiveUnavailable,
                format!("not looked up: every web archive failed {GIVE_UP_AFTER} times in a row"),
            ));
            continue;
        }
        let ts = citation_date(result, &dates, &doc_dates);
        let mut notes = Vec::new();
        match wayback
            .find(&result.url, ts.as_deref(), &mut health, &mut notes)
            .await
        {
            Ok(found) => {
                // What was tried and refused says why there is no archived copy, or why a later one.
                if !notes.is_empty() {
                    result.warnings.push(Warning::new(
                        WarningKind::ArchiveUnavailable,
                        notes.join("; "),
                    ));
                }
                if result.status == Status::Ok
                    && let Some(capture) = &found
                {
                    compare(wayback, result, capture).await;
                }
                result.archive = ArchiveLookup::Found(found);
            }
            Err(err) => {
                let why = if notes.is_empty() {
                    err.to_string()
                } else {
                    notes.join("; ")
                };
                result
                    .warnings
                    .push(Warning::new(WarningKind::ArchiveUnavailable, why));
            }
        }
        on_each(result);
    }
}

/// With `--save`: captures live citations whose latest snapshot is older than `max_age_days` (or that
/// have none). Without keys nothing is sent and every candidate says why.
pub async fn save_live(
    wayback: &Wayback<'_>,
    results: &mut [CheckResult],
    keys: Option<&SaveKeys>,
    max_age_days: u32,
    now: chrono::NaiveDateTime,
) {
    let cutoff = now - chrono::Duration::days(i64::from(max_age_days));
    for result in results.iter_mut().filter(|r| r.status == Status::Ok) {
        let Some(keys) = keys else {
            result.warnings.push(Warning::new(
                WarningKind::NotSaved,
                "not saved: set IA_ACCESS_KEY and IA_SECRET_KEY (archive.org/account/s3.php) to use --save".into(),
            ));
            continue;
        };
        let recent = match wayback.closest(&result.url, None).await {
            Ok(Some(snapshot)) => {
                chrono::NaiveDateTime::parse_from_str(&snapshot.timestamp, "%Y%m%d%H%M%S")
                    .is_ok_and(|taken| taken >= cutoff)
            }
            Ok(None) => false,
            Err(err) => {
                result.warnings.push(Warning::new(
                    WarningKind::NotSaved,
                    format!("not saved: the Wayback Machine's availability API {err}"),
                ));
                continue;
            }
        };
        if recent {
            continue;
        }
        match wayback.save(&result.url, keys).await {
            Ok(snapshot) => result.saved = Some(snapshot),
            Err(err) => result.warnings.push(Warning::new(
                WarningKind::NotSaved,
                format!("not saved: Save Page Now {err}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_are_read_as_archived() {
        assert_eq!(
            raw_capture("https://web.archive.org/web/20201120044229/https://a.example/x?y=1"),
            "https://web.archive.org/web/20201120044229id_/https://a.example/x?y=1"
        );
        assert_eq!(
            raw_capture("http://web.archive.org/web/20201120044229id_/https://a.example/x"),
            "http://web.archive.org/web/20201120044229id_/https://a.example/x"
        );
        assert_eq!(
            raw_capture("https://archive.ph/abcde"),
            "https://archive.ph/abcde"
        );
    }

    #[test]
    fn timestamps_and_links() {
        assert_eq!(timestamp("2020-11-19"), "20201119");
        assert_eq!(timestamp("2020-11"), "202011");
        assert_eq!(
            https(
                "http://web.archive.org/web/20201120044229/https://www.mfa.gov.af/news/2296.html"
            ),
            "https://web.archive.org/web/20201120044229/https://www.mfa.gov.af/news/2296.html"
        );
    }

    #[test]
    fn config_values() {
        #[derive(Deserialize)]
        struct C {
            wayback: WaybackMode,
        }
        let read = |s: &str| toml::from_str::<C>(s).map(|c| c.wayback);
        assert_eq!(read("wayback = true").unwrap(), WaybackMode::Failing);
        assert_eq!(read("wayback = false").unwrap(), WaybackMode::Off);
        assert_eq!(read("wayback = \"all\"").unwrap(), WaybackMode::All);
        assert!(read("wayback = \"sometimes\"").is_err());
    }
}
