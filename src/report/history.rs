//! History between runs: what changed since the last report, what keeps failing, what flaps, and what
//! has failed long enough to be called dead (Wikipedia's archive bot waits for repeated failures days
//! apart before calling a link dead; so does citecheck).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::check::{CheckResult, Citation, QuoteFound, QuoteVerdict, Status};

/// How history is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryConfig {
    /// A URL whose state flipped at least twice in this many runs (this one included) is flaky.
    pub flaky_window: usize,
    /// A URL failing in this many consecutive runs (this one included)…
    pub dead_runs: usize,
    /// …spanning at least this many days is confirmed dead.
    pub dead_days: i64,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            flaky_window: 5,
            dead_runs: 3,
            dead_days: 3,
        }
    }
}

/// What changed since the previous report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// `generated_at` of the report compared with; null on a first run.
    pub previous: Option<String>,
    pub newly_broken: Vec<Change>,
    pub recovered: Vec<Change>,
    pub still_broken: Vec<Change>,
    pub flaky: Vec<Change>,
    pub confirmed_dead: Vec<Change>,
    /// Quotations whose verdict changed since the previous run: a page that showed the quoted words
    /// and no longer does, or the reverse.
    #[serde(default)]
    pub quotes_changed: Vec<QuoteChange>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.newly_broken.is_empty()
            && self.recovered.is_empty()
            && self.still_broken.is_empty()
            && self.flaky.is_empty()
            && self.confirmed_dead.is_empty()
            && self.quotes_changed.is_empty()
    }
}

/// A quotation whose verdict changed since the previous run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteChange {
    pub url: String,
    pub footnote: String,
    pub text: String,
    pub found: QuoteFound,
    pub previous: QuoteFound,
}

/// One URL's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub url: String,
    pub status: Status,
    pub previous_status: Option<Status>,
    /// When it was first seen failing in the current run of failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    pub cited_in: Vec<Citation>,
}

/// A past run as history needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PastRun {
    pub generated_at: DateTime<Utc>,
    pub statuses: HashMap<String, Status>,
    /// The quotation verdicts of the URLs that had any.
    pub quotes: HashMap<String, Vec<QuoteVerdict>>,
}

impl PastRun {
    /// A checked report as a past run; `None` without `generated_at` (an extract report).
    pub fn from_report(report: &super::Report) -> Option<PastRun> {
        let at = report.generated_time()?;
        let results = report.results.iter().flatten();
        let statuses = results.clone().map(|r| (r.url.clone(), r.status)).collect();
        let quotes = results
            .filter(|r| !r.quotes.is_empty())
            .map(|r| (r.url.clone(), r.quotes.clone()))
            .collect();
        Some(PastRun {
            generated_at: at,
            statuses,
            quotes,
        })
    }
}

/// Whether a status means the citation does not currently lead anywhere.
pub fn failing(status: Status) -> bool {
    matches!(
        status,
        Status::Broken | Status::Unreachable | Status::ServerError | Status::Timeout
    )
}

/// The changes of this run's `results` against `history` (oldest first).
pub fn changes(
    now: DateTime<Utc>,
    results: &[CheckResult],
    history: &[PastRun],
    config: &HistoryConfig,
) -> Changes {
    let mut out = Changes {
        previous: history.last().map(|r| stamp(r.generated_at)),
        ..Changes::default()
    };
    for result in results {
        let url = result.url.as_str();
        let fails = failing(result.status);
        let previous_status = history.last().and_then(|r| r.statuses.get(url).copied());
        // Runs in which the URL was checked, newest first, this one included.
        let runs: Vec<(DateTime<Utc>, Status)> = std::iter::once((now, result.status))
            .chain(
                history
                    .iter()
                    .rev()
                    .filter_map(|r| Some((r.generated_at, *r.statuses.get(url)?))),
            )
            .collect();
        let streak: Vec<&(DateTime<Utc>, Status)> =
            runs.iter().take_while(|(_, s)| failing(*s)).collect();
        let since = streak.last().map(|(at, _)| stamp(*at));
        let change = |since: Option<String>| Change {
            url: url.to_owned(),
            status: result.status,
            previous_status,
            since,
            cited_in: result.cited_in.clone(),
        };
        let window: Vec<bool> = runs
            .iter()
            .take(config.flaky_window)
            .map(|(_, s)| failing(*s))
            .collect();
        let flaky = window.windows(2).filter(|w| w[0] != w[1]).count() >= 2;
        match (fails, previous_status.map(failing)) {
            (true, Some(true)) => out.still_broken.push(change(since.clone())),
            (true, _) => out.newly_broken.push(change(since.clone())),
            // A flaky URL that answers again has not recovered: it is listed as flaky only.
            (false, Some(true)) if result.status == Status::Ok && !flaky => {
                out.recovered.push(change(None))
            }
            _ => {}
        }
        if flaky {
            out.flaky.push(change(since.clone()));
        }
        if let Some(before) = history.last().and_then(|r| r.quotes.get(url)) {
            out.quotes_changed
                .extend(quote_changes(url, &result.quotes, before));
        }
        if streak.len() >= config.dead_runs
            && let (Some(first), Some(last)) = (streak.last(), streak.first())
            && (last.0 - first.0).num_days() >= config.dead_days
        {
            out.confirmed_dead.push(change(since));
        }
    }
    out
}

/// The quotations of one URL whose verdict is not what it was: shown on the page then and not now,
/// or the reverse (a quotation looked for in one run only is no change).
fn quote_changes(url: &str, now: &[QuoteVerdict], before: &[QuoteVerdict]) -> Vec<QuoteChange> {
    let live = |found: QuoteFound| found == QuoteFound::Live;
    now.iter()
        .filter_map(|q| {
            let then = before
                .iter()
                .find(|p| p.footnote == q.footnote && p.text == q.text)?;
            (live(then.found) != live(q.found)).then(|| QuoteChange {
                url: url.to_owned(),
                footnote: q.footnote.clone(),
                text: q.text.clone(),
                found: q.found,
                previous: then.found,
            })
        })
        .collect()
}

/// Sets `report.changes` against `past` runs (oldest first); runs after the report's own time (a run
/// archived while this one waited for the report directory) do not count.
pub fn attach(report: &mut super::Report, past: &[PastRun], config: &HistoryConfig) {
    let at = report.generated_time().unwrap_or_else(Utc::now);
    let earlier = &past[..past.partition_point(|r| r.generated_at <= at)];
    let results = report.results.as_deref().unwrap_or_default();
    report.changes = Some(changes(at, results, earlier, config));
}

/// The minimum read of an archived report.
#[derive(Deserialize)]
struct Archived {
    schema_version: Option<u64>,
    generated_at: Option<String>,
    #[serde(default)]
    incomplete: bool,
    #[serde(default)]
    results: Vec<ArchivedResult>,
}

#[derive(Deserialize)]
struct ArchivedResult {
    url: String,
    status: Status,
    #[serde(default)]
    quotes: Vec<QuoteVerdict>,
}

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    #[error("cannot list the report directory {}", dir.display())]
    Io {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An archived report of another schema: a newer citecheck writes to this directory.
    #[error("{}", path.display())]
    Version {
        path: PathBuf,
        #[source]
        source: super::ReadError,
    },
}

/// Reads the archived reports of `dir` (not `latest.json`), oldest first. Files that are not complete
/// citecheck reports are skipped; a report of another `schema_version` is an error.
pub fn load(dir: &Path) -> Result<Vec<PastRun>, HistoryError> {
    let mut runs = Vec::new();
    let archived = archived_reports(dir).map_err(|source| HistoryError::Io {
        dir: dir.to_owned(),
        source,
    })?;
    for path in archived {
        let Some(report) = read_streamed::<Archived>(&path) else {
            continue;
        };
        let Some(version) = report.schema_version else {
            continue;
        };
        if let Err(source) = super::check_schema_version(version) {
            return Err(HistoryError::Version { path, source });
        }
        let Some(at) = report.generated_at.and_then(|t| parse_stamp(&t)) else {
            continue;
        };
        if report.incomplete {
            continue;
        }
        let mut statuses = HashMap::with_capacity(report.results.len());
        let mut quotes = HashMap::new();
        for r in report.results {
            if !r.quotes.is_empty() {
                quotes.insert(r.url.clone(), r.quotes);
            }
            statuses.insert(r.url, r.status);
        }
        runs.push(PastRun {
            generated_at: at.with_timezone(&Utc),
            statuses,
            quotes,
        });
    }
    runs.sort_by_key(|r| r.generated_at);
    Ok(runs)
}

/// The largest file read as an archived report (a report of 200,000 URLs is about 150 MB).
pub const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

/// `DIR/<timestamp>.json` and `DIR/<timestamp>-<n>.json` files, oldest first: by time, then by `n` (the
/// later of two reports of one second takes the next free `n`). Only regular files no larger than
/// [`MAX_REPORT_BYTES`]: a link (to `/proc/self/environ`, `/dev/zero`), a FIFO or a device named like a
/// report is never opened (see [`sort_out`]).
pub fn archived_reports(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(archive_entries(dir)?
        .into_iter()
        .filter_map(|(path, why)| why.is_none().then_some(path))
        .collect())
}

/// A file named like a report and left alone, with the reason.
pub type Ignored = (PathBuf, &'static str);

/// The files named like archived reports, each read once: the citecheck reports, oldest first, and
/// the others with the reason they are left alone (not a regular file, too large, or not a
/// citecheck report).
pub fn sort_out(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<Ignored>)> {
    let mut reports = Vec::new();
    let mut ignored = Vec::new();
    for (path, why) in archive_entries(dir)? {
        match why {
            Some(why) => ignored.push((path, why)),
            None if is_report(&path) => reports.push(path),
            None => ignored.push((path, "not a citecheck report")),
        }
    }
    Ok((reports, ignored))
}

/// Whether a file (one of [`archived_reports`]) is a citecheck report: JSON with its schema version
/// and generator.
pub fn is_report(path: &Path) -> bool {
    #[derive(Deserialize)]
    struct Header {
        schema_version: u64,
        generator: String,
        generated_at: String,
    }
    read_streamed::<Header>(path).is_some_and(|h| {
        h.schema_version > 0 && h.generator.starts_with("citecheck") && !h.generated_at.is_empty()
    })
}

/// The parts of a JSON file that `T` keeps, read as a stream (a leading byte order mark skipped):
/// what `T` leaves out is passed over without being held, so a planted report of one 300 MB string
/// costs no more memory than a small one.
fn read_streamed<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    use std::io::{BufRead, BufReader};
    let mut reader = BufReader::with_capacity(64 * 1024, std::fs::File::open(path).ok()?);
    if reader.fill_buf().ok()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    serde_json::from_reader(reader).ok()
}

/// Every entry named like an archived report, oldest first, with why it is not read (`None`: read).
fn archive_entries(dir: &Path) -> std::io::Result<Vec<(PathBuf, Option<&'static str>)>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut entries: Vec<(String, u64, PathBuf, Option<&'static str>)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let (stamp, n) = archive_order(&path)?;
            // The entry itself, not what a link points to.
            let why = match e.metadata() {
                Ok(meta) if !meta.file_type().is_file() => Some("not a regular file"),
                Ok(meta) if meta.len() > MAX_REPORT_BYTES => Some("too large"),
                Ok(_) => None,
                Err(_) => Some("cannot be read"),
            };
            Some((stamp.to_owned(), n, path, why))
        })
        .collect();
    entries.sort();
    Ok(entries.into_iter().map(|(_, _, p, why)| (p, why)).collect())
}

/// The time stamp and sequence number of an archive name: `20261126T201604Z.json` is
/// `("20261126T201604Z", 0)`, `20261126T201604Z-2.json` is `("20261126T201604Z", 2)`.
fn archive_key(name: &str) -> Option<(&str, u64)> {
    let stem = name.strip_suffix(".json")?;
    let (stamp, n) = match stem.split_once('-') {
        Some((stamp, suffix)) if suffix.bytes().all(|c| c.is_ascii_digit()) => {
            (stamp, suffix.parse().ok()?)
        }
        Some(_) => return None,
        None => (stem, 0),
    };
    let b = stamp.as_bytes();
    let valid = b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
    valid.then_some((stamp, n))
}

/// Where an archived report's file sorts among the others (`None` sorts first: not an archive name).
pub(crate) fn archive_order(path: &Path) -> Option<(&str, u64)> {
    archive_key(path.file_name()?.to_str()?)
}

/// The archive name of the `n`th report (from 0) generated in the second of `at`.
pub fn archive_name_n(at: DateTime<Utc>, n: u64) -> String {
    let stamp = at.format("%Y%m%dT%H%M%SZ");
    if n == 0 {
        format!("{stamp}.json")
    } else {
        format!("{stamp}-{n}.json")
    }
}

/// A time as reports write it, read back.
pub fn parse_stamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Times as reports write them: `2026-11-26T20:16:04Z`.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The archive file name for a report generated at `at`.
pub fn archive_name(at: DateTime<Utc>) -> String {
    archive_name_n(at, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(url: &str, status: Status) -> CheckResult {
        CheckResult::unsent(url, status, None, Vec::new())
    }

    fn run(days_ago: i64, now: DateTime<Utc>, statuses: &[(&str, Status)]) -> PastRun {
        PastRun {
            quotes: HashMap::new(),
            generated_at: now - chrono::Duration::days(days_ago),
            statuses: statuses
                .iter()
                .map(|(u, s)| ((*u).to_owned(), *s))
                .collect(),
        }
    }

    #[test]
    fn new_breakage_recovery_and_streaks() {
        let now = Utc::now();
        let history = [run(
            1,
            now,
            &[
                ("a", Status::Ok),
                ("b", Status::Broken),
                ("c", Status::Broken),
            ],
        )];
        let results = [
            result("a", Status::Broken),
            result("b", Status::Ok),
            result("c", Status::Timeout),
            result("d", Status::Broken),
        ];
        let c = changes(now, &results, &history, &HistoryConfig::default());
        let urls = |v: &[Change]| v.iter().map(|c| c.url.clone()).collect::<Vec<_>>();
        assert_eq!(urls(&c.newly_broken), ["a", "d"]);
        assert_eq!(urls(&c.recovered), ["b"]);
        assert_eq!(urls(&c.still_broken), ["c"]);
        assert_eq!(
            c.still_broken[0].since,
            Some(stamp(history[0].generated_at))
        );
        assert!(c.flaky.is_empty() && c.confirmed_dead.is_empty());
    }

    /// A URL that fails and answers by turns is flaky, not recovered, when it answers again.
    #[test]
    fn a_flaky_url_is_not_also_recovered() {
        let now = Utc::now();
        let history = [
            run(3, now, &[("flap", Status::Ok)]),
            run(2, now, &[("flap", Status::Broken)]),
            run(1, now, &[("flap", Status::Broken)]),
        ];
        let c = changes(
            now,
            &[result("flap", Status::Ok)],
            &history,
            &HistoryConfig::default(),
        );
        assert_eq!(c.flaky.len(), 1);
        assert!(c.recovered.is_empty(), "{:?}", c.recovered);
        // Answering again after failing once is a recovery.
        let c = changes(
            now,
            &[result("flap", Status::Ok)],
            &history[1..],
            &HistoryConfig::default(),
        );
        assert_eq!(c.recovered.len(), 1);
        assert!(c.flaky.is_empty());
    }

    #[test]
    fn flaky_and_confirmed_dead() {
        let now = Utc::now();
        let history = [
            run(
                4,
                now,
                &[
                    ("flap", Status::Ok),
                    ("dead", Status::Broken),
                    ("young", Status::Ok),
                ],
            ),
            run(
                2,
                now,
                &[
                    ("flap", Status::Broken),
                    ("dead", Status::Broken),
                    ("young", Status::Broken),
                ],
            ),
            run(
                1,
                now,
                &[
                    ("flap", Status::Ok),
                    ("dead", Status::Broken),
                    ("young", Status::Broken),
                ],
            ),
        ];
        let results = [
            result("flap", Status::Broken),
            result("dead", Status::Unreachable),
            result("young", Status::Broken),
        ];
        let c = changes(now, &results, &history, &HistoryConfig::default());
        assert_eq!(
            c.flaky.iter().map(|c| c.url.as_str()).collect::<Vec<_>>(),
            ["flap"]
        );
        // "young" failed three runs in a row, but over two days only.
        assert_eq!(
            c.confirmed_dead
                .iter()
                .map(|c| c.url.as_str())
                .collect::<Vec<_>>(),
            ["dead"]
        );
        assert_eq!(
            c.confirmed_dead[0].since,
            Some(stamp(history[0].generated_at))
        );
    }

    #[test]
    fn archive_names() {
        let at = DateTime::parse_from_rfc3339("2026-11-26T20:16:04Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(archive_name(at), "20261126T201604Z.json");
        assert_eq!(archive_name_n(at, 10), "20261126T201604Z-10.json");
        assert_eq!(
            archive_key("20261126T201604Z.json"),
            Some(("20261126T201604Z", 0))
        );
        assert_eq!(
            archive_key("20261126T201604Z-2.json"),
            Some(("20261126T201604Z", 2))
        );
        for not in [
            "latest.json",
            "20261126T2016Z.json",
            "20261126T201604Z-.json",
            "20261126T201604Z-x.json",
        ] {
            assert_eq!(archive_key(not), None, "{not}");
        }
    }

    #[test]
    fn archived_reports_in_time_then_sequence_order() {
        let dir = tempfile::tempdir().unwrap();
        // By name, "-10" sorts before "-2" and both before ".json": the order must not be the names'.
        let names = [
            "20261126T201604Z-10.json",
            "20261126T201604Z-2.json",
            "20261126T201604Z.json",
            "20261126T201605Z.json",
            "20261126T201603Z-1.json",
            "latest.json",
        ];
        for name in names {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        let found: Vec<String> = archived_reports(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            found,
            [
                "20261126T201603Z-1.json",
                "20261126T201604Z.json",
                "20261126T201604Z-2.json",
                "20261126T201604Z-10.json",
                "20261126T201605Z.json",
            ]
        );
    }
}
