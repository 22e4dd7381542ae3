//! The retry loop: when to try again, and how long to wait first.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use url::Url;

use super::Inner;
use super::attempt::Attempt;
use super::classify::human_duration;
use super::result::{BlockReason, Status};
use super::scheduler::Dead;
use super::sites::SiteRule;

/// Whether an attempt is worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    No,
    /// Worth another try, not before the given wait (from `Retry-After`).
    Yes(Option<Duration>),
    /// A timeout: retried at most once.
    Timeout,
}

/// An attempt that is final: the last one made, and how many were made.
pub(crate) struct Retried {
    pub attempt: Attempt,
    pub attempts: u32,
}

impl Inner {
    /// Attempts `target` until an attempt is final: retries after 429, 5xx and resets with backoff
    /// (never before `Retry-After`), a timeout once. Nothing is sent to a host found dead: the error
    /// when that was before the first attempt.
    pub(crate) async fn retried(
        &self,
        target: &Url,
        rule: Option<&'static dyn SiteRule>,
        read: super::attempt::Reading,
    ) -> Result<Retried, Dead> {
        let mut delays = backoff(self.config.retry_wait, self.config.max_retries);
        let target_host = target
            .host_str()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let mut attempts = 0u32;
        let mut timed_out_before = false;
        let mut previous: Option<Attempt> = None;
        let attempt = loop {
            // Other URLs found the host dead: nothing more is sent to it.
            if let Some(dead) = self.health.dead(&target_host) {
                match previous {
                    Some(attempt) => break attempt,
                    None => return Err(dead),
                }
            }
            attempts += 1;
            let mut attempt = self.attempt(target, rule, read).await;
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
                attempt.reason = Some(BlockReason::RateLimited);
                attempt.detail = Some(format!(
                    "{}; asked to retry after {} (over the {} limit)",
                    attempt.detail.unwrap_or_default(),
                    human_duration(after),
                    human_duration(self.config.max_retry_after)
                ));
                break attempt;
            }
            // A host found dead while this one waits gets no retry: the wait ends there.
            self.health
                .sleep_unless_dead(&target_host, delay.max(after.unwrap_or_default()))
                .await;
            previous = Some(attempt);
        };
        Ok(Retried { attempt, attempts })
    }
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
