//! Per-host limits: at most N requests in flight to one host, and at least an interval between them.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::config::CheckConfig;

struct Gate {
    permits: Arc<Semaphore>,
    pacer: Option<DefaultDirectRateLimiter>,
}

/// The gates of every host seen so far.
pub(crate) struct HostLimits {
    config: Arc<CheckConfig>,
    gates: Mutex<HashMap<String, Arc<Gate>>>,
}

impl HostLimits {
    pub(crate) fn new(config: Arc<CheckConfig>) -> Self {
        HostLimits {
            config,
            gates: Mutex::new(HashMap::new()),
        }
    }

    fn gate(&self, host: &str) -> Arc<Gate> {
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(gates.entry(host.to_owned()).or_insert_with(|| {
            let interval = self.config.host_interval(host);
            let pacer = Quota::with_period(interval)
                .map(|q| RateLimiter::direct(q.allow_burst(NonZeroU32::MIN)));
            Arc::new(Gate {
                permits: Arc::new(Semaphore::new(self.config.host_limit(host))),
                pacer,
            })
        }))
    }

    /// Waits for a free slot on `host` and for its interval; the slot is held until the permit drops.
    pub(crate) async fn acquire(&self, host: &str) -> OwnedSemaphorePermit {
        let gate = self.gate(host);
        let permit = Arc::clone(&gate.permits)
            .acquire_owned()
            .await
            .expect("host semaphores are never closed");
        if let Some(pacer) = &gate.pacer {
            pacer.until_ready().await;
        }
        permit
    }
}
