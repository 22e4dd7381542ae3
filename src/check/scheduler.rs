//! The one place of concurrency: which check runs when, and what is known of each host's health.
//!
//! [`Checker::check_all`] keeps a queue per host and serves hosts round-robin, with at most
//! `concurrency` checks in flight and at most the host's limit per host. [`HostHealth`] is its memory of
//! dead hosts: after two consecutive timeouts or connection failures on a host (one for a name that
//! does not resolve), the host's queued URLs are settled at once with the same status, so a dead site
//! cited fifty times costs about two timeouts rather than fifty (issue 12).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::Notify;

use super::classify::Failure;
use super::{CheckRequest, CheckResult, Checker, Status};

/// Consecutive failures that make a host dead.
const FAILURES_TO_TRIP: u32 = 2;

/// Why a host is taken for dead: the status its URLs get and the detail saying why they were not tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dead {
    pub status: Status,
    /// "2 other requests to www.mfa.gov.af timed out".
    pub why: String,
}

impl Dead {
    /// The detail of a URL of a dead host that was not tried.
    pub(crate) fn not_tried(&self) -> String {
        format!("not tried: {}", self.why)
    }
}

#[derive(Debug, Default)]
struct Health {
    /// Consecutive timeouts and connection failures since the last answer.
    failures: u32,
    /// The URLs they were for: one slow page retried is not a dead host.
    urls: HashSet<String>,
    dead: Option<Dead>,
}

/// Per host: consecutive failures since the last answer, and whether the host is dead.
pub(crate) struct HostHealth {
    enabled: bool,
    hosts: Mutex<HashMap<String, Health>>,
    /// Woken whenever a host is found dead, so retries waiting on it stop waiting.
    died: Notify,
    /// Whether any host's name failed to resolve, and whether any was reached (answered, or refused or
    /// timed out after its name resolved), breaker or not: a run where no name resolves is offline.
    resolution: Mutex<(bool, bool)>,
}

impl HostHealth {
    pub(crate) fn new(enabled: bool) -> Self {
        HostHealth {
            enabled,
            hosts: Mutex::new(HashMap::new()),
            died: Notify::new(),
            resolution: Mutex::new((false, false)),
        }
    }

    /// Resolves when `host` is found dead (never, when the breaker is off).
    pub(crate) async fn until_dead(&self, host: &str) -> Dead {
        loop {
            let notified = self.died.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(dead) = self.dead(host) {
                return dead;
            }
            notified.await;
        }
    }

    /// Waits `wait` before a retry on `host`, or less when the host is found dead meanwhile.
    pub(crate) async fn sleep_unless_dead(&self, host: &str, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.died.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.dead(host).is_some() {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep_until(until) => return,
                () = &mut notified => {}
            }
        }
    }

    /// Whether some host names failed to resolve and none resolved: the machine is likely offline.
    pub(crate) fn nothing_resolved(&self) -> bool {
        let (unresolved, reached) = *self.resolution.lock().unwrap_or_else(|e| e.into_inner());
        unresolved && !reached
    }

    fn resolved(&self, resolved: bool) {
        let mut seen = self.resolution.lock().unwrap_or_else(|e| e.into_inner());
        if resolved {
            seen.1 = true;
        } else {
            seen.0 = true;
        }
    }

    /// `host` answered (any HTTP status): the count starts again.
    pub(crate) fn answered(&self, host: &str) {
        self.resolved(true);
        if !self.enabled {
            return;
        }
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(health) = hosts.get_mut(host)
            && health.dead.is_none()
        {
            health.failures = 0;
            health.urls.clear();
        }
    }

    /// A request for `url` on `host` failed below HTTP. Only timeouts, refused connections and failed
    /// lookups count: a reset or a TLS error says something of one answer, not that nobody is there.
    /// Two in a row make the host dead when they were for distinct URLs, retries included.
    pub(crate) fn failed(&self, host: &str, url: &str, failure: &Failure) {
        match failure {
            Failure::Dns(_) => self.resolved(false),
            Failure::Denied(_) => {}
            _ => self.resolved(true),
        }
        if !self.enabled {
            return;
        }
        let (needed, why) = match failure {
            Failure::Timeout => (FAILURES_TO_TRIP, "timed out"),
            Failure::Refused => (FAILURES_TO_TRIP, "were refused"),
            Failure::Dns(_) => (1, ""),
            _ => return,
        };
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let health = hosts.entry(host.to_owned()).or_default();
        if health.dead.is_some() {
            return;
        }
        health.failures += 1;
        health.urls.insert(url.to_owned());
        if health.failures >= needed && health.urls.len() >= needed.min(2) as usize {
            let why = match failure {
                Failure::Dns(_) => format!("{host} did not resolve"),
                _ => format!("{} other requests to {host} {why}", health.failures),
            };
            health.dead = Some(Dead {
                status: failure.status(),
                why,
            });
            self.died.notify_waiters();
        }
    }

    /// Whether `host` is taken for dead, and why.
    pub(crate) fn dead(&self, host: &str) -> Option<Dead> {
        if !self.enabled {
            return None;
        }
        let hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts.get(host).and_then(|h| h.dead.clone())
    }
}

impl Checker {
    /// Checks every request, calling `on_done` as each finishes; results come back in request order.
    /// Checks are futures of this one task: run it on a runtime worker (`tokio::spawn`), next to the
    /// I/O driver, rather than in `block_on`, whose thread is woken from the workers for every event.
    pub async fn check_all<F: FnMut(&CheckResult)>(
        &self,
        requests: Vec<CheckRequest>,
        mut on_done: F,
    ) -> Vec<CheckResult> {
        let config = &self.inner.config;
        let health = &self.inner.health;
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
                // A dead host's queue is settled at once, without a request.
                if let Some(dead) = health.dead(&host) {
                    for i in queue.drain(..) {
                        let request = &requests[i];
                        let result = CheckResult::unsent(
                            &request.url,
                            dead.status,
                            Some(dead.not_tried()),
                            request.cited_in.clone(),
                        );
                        on_done(&result);
                        results[i] = Some(result);
                    }
                    continue;
                }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_failures_in_a_row_kill_a_host() {
        let health = HostHealth::new(true);
        health.failed("a.test", "http://a.test/1", &Failure::Timeout);
        assert_eq!(health.dead("a.test"), None);
        health.answered("a.test");
        health.failed("a.test", "http://a.test/1", &Failure::Timeout);
        assert_eq!(
            health.dead("a.test"),
            None,
            "an answer starts the count again"
        );
        health.failed("a.test", "http://a.test/1", &Failure::Reset);
        assert_eq!(health.dead("a.test"), None, "a reset does not count");
        health.failed("a.test", "http://a.test/1", &Failure::Timeout);
        assert_eq!(health.dead("a.test"), None, "one slow page retried");
        health.failed("a.test", "http://a.test/2", &Failure::Timeout);
        let dead = health.dead("a.test").unwrap();
        assert_eq!(dead.status, Status::Timeout);
        assert_eq!(
            dead.not_tried(),
            "not tried: 3 other requests to a.test timed out"
        );
        health.answered("a.test");
        assert!(health.dead("a.test").is_some(), "dead stays dead");
        assert_eq!(health.dead("b.test"), None);

        health.failed(
            "c.test",
            "http://c.test/",
            &Failure::Dns("DNS lookup for c.test failed".into()),
        );
        let dead = health.dead("c.test").unwrap();
        assert_eq!(dead.status, Status::Unreachable);
        assert_eq!(dead.not_tried(), "not tried: c.test did not resolve");

        // A retry waiting on a host wakes when the host is found dead.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let started = std::time::Instant::now();
            let wait = health.sleep_unless_dead("d.test", Duration::from_secs(30));
            let kill = async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                health.failed("d.test", "http://d.test/1", &Failure::Refused);
                health.failed("d.test", "http://d.test/2", &Failure::Refused);
            };
            tokio::join!(wait, kill);
            assert!(started.elapsed() < Duration::from_secs(5));
        });

        let off = HostHealth::new(false);
        for _ in 0..3 {
            off.failed("a.test", "http://a.test/", &Failure::Refused);
        }
        assert_eq!(off.dead("a.test"), None);
    }
}
