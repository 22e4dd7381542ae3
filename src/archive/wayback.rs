//! The Wayback Machine: the availability API (the snapshot closest to a date) and Save Page Now 2.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::Deserialize;
use url::Url;

use crate::check::{
    Archive, ArchiveLookup, CheckResult, Checker, FetchError, Status, Warning, WarningKind,
};
use crate::extract::Document;

use super::WaybackMode;

/// The availability API.
pub const AVAILABILITY: &str = "https://archive.org/wayback/available";
/// Save Page Now 2.
pub const SAVE: &str = "https://web.archive.org/save";

/// After this many failed lookups in a row, the archive is not asked again in this run.
const GIVE_UP_AFTER: usize = 3;
const BODY_LIMIT: usize = 64 * 1024;

/// Why the archive could not say.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum WaybackError {
    #[error("the Wayback Machine did not answer: {0}")]
    Unreachable(#[from] FetchError),
    #[error("the Wayback Machine answered {status}{}", if .message.is_empty() { String::new() } else { format!(": {message}") })]
    Status { status: u16, message: String },
    #[error("the Wayback Machine's answer was not understood: {0}")]
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
        let answer = self
            .checker
            .fetch(
                reqwest::Method::GET,
                &query,
                json_headers(),
                None,
                BODY_LIMIT,
            )
            .await?;
        if answer.status != 200 {
            return Err(WaybackError::Status {
                status: answer.status,
                message: String::new(),
            });
        }
        let parsed: Availability = serde_json::from_slice(&answer.body)
            .map_err(|e| WaybackError::BadAnswer(e.to_string()))?;
        Ok(parsed.archived_snapshots.closest.and_then(|c| {
            let (url, timestamp) = (c.url?, c.timestamp?);
            c.available.then(|| Archive {
                url: https(&url),
                timestamp,
            })
        }))
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

/// Whether a result should get an archive lookup in `mode`.
fn wanted(result: &CheckResult, mode: WaybackMode) -> bool {
    let fetched = !matches!(
        result.status,
        Status::Invalid | Status::Excluded | Status::Unchecked
    );
    match mode {
        WaybackMode::Off => false,
        WaybackMode::All => fetched,
        WaybackMode::Failing => fetched && result.status != Status::Ok,
    }
}

/// The date to ask the archive for: the earliest date a citing footnote gives, else the document's
/// date, else none (the latest snapshot).
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
            d.footnotes
                .iter()
                .filter_map(move |f| Some(((d.path.as_str(), f.id.as_str()), f.date.as_deref()?)))
        })
        .collect();
    let doc_dates: HashMap<&str, &str> = documents
        .iter()
        .filter_map(|d| Some((d.path.as_str(), d.date.as_deref()?)))
        .collect();
    let mut failures_in_a_row = 0;
    for result in results.iter_mut().filter(|r| wanted(r, mode)) {
        if failures_in_a_row >= GIVE_UP_AFTER {
            result.warnings.push(Warning::new(
                WarningKind::ArchiveUnavailable,
                format!("not looked up: the Wayback Machine failed {GIVE_UP_AFTER} times in a row"),
            ));
            continue;
        }
        let ts = citation_date(result, &dates, &doc_dates);
        match wayback.closest(&result.url, ts.as_deref()).await {
            Ok(found) => {
                failures_in_a_row = 0;
                result.archive = ArchiveLookup::Found(found);
            }
            Err(err) => {
                failures_in_a_row += 1;
                result.warnings.push(Warning::new(
                    WarningKind::ArchiveUnavailable,
                    err.to_string(),
                ));
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
                    format!("not saved: {err}"),
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
                format!("not saved: {err}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
