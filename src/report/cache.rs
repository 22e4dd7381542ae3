//! Reusing recent results (`--cache`): an `ok` result younger than the allowed age is taken from the
//! previous report instead of asking the site again. Failures are never reused: they are rechecked.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Report;
use crate::check::{CheckRequest, CheckResult, Status};

/// Results of `previous` that may stand in for a new check at `now`, by URL.
pub fn reusable(
    previous: &Report,
    max_age: Duration,
    now: DateTime<Utc>,
) -> HashMap<String, CheckResult> {
    let report_time = previous.generated_time();
    let Ok(max_age) = chrono::Duration::from_std(max_age) else {
        return HashMap::new();
    };
    previous
        .results
        .iter()
        .flatten()
        .filter(|r| r.status == Status::Ok)
        .filter_map(|r| {
            let checked = r
                .cached_from
                .as_deref()
                .and_then(super::history::parse_stamp)
                .or(report_time)?;
            (now - checked <= max_age).then(|| {
                let mut reused = r.clone();
                reused.cached_from = Some(super::history::stamp(checked));
                (r.url.clone(), reused)
            })
        })
        .collect()
}

/// Results reused from the cache, with the position of their request.
pub type Reused = Vec<(usize, CheckResult)>;

/// Takes out of `requests` those that a `cached` result stands in for (it gets their citations): the
/// requests still to check, and the reused results.
pub fn split(
    requests: Vec<CheckRequest>,
    mut cached: HashMap<String, CheckResult>,
) -> (Vec<CheckRequest>, Reused) {
    let mut kept = Vec::with_capacity(requests.len());
    let mut reused = Vec::new();
    for (i, request) in requests.into_iter().enumerate() {
        // A page whose quotations or fragments are looked for is read again: the document may
        // quote it differently now.
        let cached = if request.quotes.is_empty() && request.fragments.is_empty() {
            cached.remove(&request.url)
        } else {
            None
        };
        match cached {
            Some(mut result) => {
                result.cited_in = request.cited_in;
                reused.push((i, result));
            }
            None => kept.push(request),
        }
    }
    (kept, reused)
}

/// Puts reused results back among the checked ones, in request order.
pub fn splice(results: &mut Vec<CheckResult>, reused: Reused) {
    for (i, result) in reused {
        results.insert(i.min(results.len()), result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recent_successes_are_reused() {
        let now = Utc::now();
        let mut report = Report::with_results(
            Vec::new(),
            vec![
                CheckResult::unsent("https://a.org/ok", Status::Ok, None, Vec::new()),
                CheckResult::unsent("https://a.org/broken", Status::Broken, None, Vec::new()),
            ],
            0,
            now - chrono::Duration::hours(2),
        );
        let hour = Duration::from_secs(3600);
        assert!(reusable(&report, hour, now).is_empty(), "two hours old");
        let found = reusable(&report, 3 * hour, now);
        assert_eq!(found.keys().collect::<Vec<_>>(), ["https://a.org/ok"]);
        // A result reused before keeps its first check's time.
        report.results.as_mut().unwrap()[0].cached_from = Some(super::super::history::stamp(
            now - chrono::Duration::days(2),
        ));
        assert!(reusable(&report, 3 * hour, now).is_empty());
    }
}
