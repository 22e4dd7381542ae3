//! When to try again, and how long to wait first.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};

/// Whether an attempt is worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    No,
    /// Worth another try, not before the given wait (from `Retry-After`).
    Yes(Option<Duration>),
    /// A timeout: retried at most once.
    Timeout,
}

/// `Retry-After` as seconds or an HTTP date, as a wait from `now`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff with jitter, starting at `first`.
pub(crate) fn backoff(first: Duration, max_retries: u32) -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(first)
        .with_max_delay(first.saturating_mul(32).max(Duration::from_secs(1)))
        .with_factor(2.0)
        .with_jitter()
        .with_max_times(max_retries as usize)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_stops() {
        let delays: Vec<_> = backoff(Duration::from_millis(100), 3).collect();
        assert_eq!(delays.len(), 3);
        assert!(delays[0] >= Duration::from_millis(100));
        assert!(delays[2] >= Duration::from_millis(400));
    }
}
