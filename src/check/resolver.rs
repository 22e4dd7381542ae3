//! Name resolution for the checker: `--resolve` overrides, the system resolver otherwise, and the
//! `--deny-private` policy applied to the *resolved* addresses, so that a document cannot make a CI runner
//! probe its own network through a name that points at it.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::OnceCell;

/// Which target addresses may be contacted.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    pub deny_private: bool,
    pub allow: Vec<IpNet>,
}

impl AddressPolicy {
    /// Whether `ip` may be contacted.
    pub fn permits(&self, ip: IpAddr) -> bool {
        !self.deny_private || !is_private(ip) || self.allow.iter().any(|net| net.contains(&ip))
    }
}

/// Loopback, private, link-local, carrier-grade NAT, unspecified and other non-public addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10, shared address space
                || (a == 198 && (b == 18 || b == 19)) // 198.18.0.0/15, benchmarking
        }
        IpAddr::V6(v6) => {
            // Forms that carry an IPv4 address reach that address: judged by it.
            let carried = carried_ipv4(v6);
            if !carried.is_empty() {
                return carried.iter().any(|(_, v4)| is_private(IpAddr::V4(*v4)));
            }
            let s = v6.segments();
            let first = s[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // fc00::/7, unique local
                || (first & 0xffc0) == 0xfe80 // fe80::/10, link-local
                || (first & 0xffc0) == 0xfec0 // fec0::/10, site-local (deprecated, still routed inside)
                || (s[0], s[1], s[2]) == (0x64, 0xff9b, 1) // 64:ff9b:1::/48, NAT64 for local use (RFC 8215)
                || (s[0], s[1], s[2], s[3]) == (0x100, 0, 0, 0) // 100::/64, discard-only
        }
    }
}

/// The IPv4 addresses an IPv6 address carries, each with the name of its form.
fn carried_ipv4(v6: Ipv6Addr) -> Vec<(&'static str, Ipv4Addr)> {
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match v6.segments() {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => vec![("IPv4-mapped", v4(hi, lo))],
        // Also :: and ::1 (0.0.0.0/8, refused).
        [0, 0, 0, 0, 0, 0, hi, lo] => vec![("IPv4-compatible", v4(hi, lo))],
        // NAT64's well-known prefix (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => vec![("NAT64", v4(hi, lo))],
        // 6to4 (RFC 3056): 2002:AABB:CCDD::/48.
        [0x2002, hi, lo, ..] => vec![("6to4", v4(hi, lo))],
        // Teredo (RFC 4380): the server's address, and the client's, inverted.
        [0x2001, 0, hi, lo, _, _, client_hi, client_lo] => vec![
            ("Teredo", v4(hi, lo)),
            ("Teredo", v4(!client_hi, !client_lo)),
        ],
        _ => Vec::new(),
    }
}

/// An address as a refusal names it: an IPv6 form carrying a private IPv4 address says which.
pub fn describe(ip: &IpAddr) -> String {
    if let IpAddr::V6(v6) = ip
        && let Some((form, v4)) = carried_ipv4(*v6)
            .into_iter()
            .find(|(_, v4)| is_private(IpAddr::V4(*v4)))
    {
        return format!("{ip} ({form} form of {v4})");
    }
    ip.to_string()
}

/// Why a name could not be turned into an address the checker may use.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("DNS lookup for {host} failed")]
    Lookup {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{host} has no address")]
    NoAddress { host: String },
    #[error("{host} resolves to {}, a private address refused by --deny-private", describe(.addr))]
    Denied { host: String, addr: IpAddr },
}

/// The resolver given to reqwest: the system resolver (each name looked up once per run), or a fixed
/// table of `--resolve` addresses that answers nothing else.
pub(crate) enum Resolver {
    System {
        policy: Arc<AddressPolicy>,
        lookups: Arc<Lookups>,
    },
    Fixed {
        names: HashMap<String, SocketAddr>,
        policy: Arc<AddressPolicy>,
    },
}

impl Resolver {
    pub(crate) fn system(policy: Arc<AddressPolicy>, lookups: Arc<Lookups>) -> Self {
        Resolver::System { policy, lookups }
    }

    pub(crate) fn fixed(names: HashMap<String, SocketAddr>, policy: Arc<AddressPolicy>) -> Self {
        Resolver::Fixed { names, policy }
    }
}

type Lookup = Result<Vec<SocketAddr>, (std::io::ErrorKind, String)>;

/// System lookups, one per name for the whole run: a name that does not resolve is asked once, however
/// many URLs (and hops) name it.
#[derive(Default)]
pub(crate) struct Lookups {
    names: Mutex<HashMap<String, Arc<OnceCell<Lookup>>>>,
}

impl Lookups {
    async fn get<F, Fut>(&self, host: &str, lookup: F) -> Lookup
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Lookup>,
    {
        let cell = {
            let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(names.entry(host.to_owned()).or_default())
        };
        cell.get_or_init(lookup).await.clone()
    }
}

async fn system_lookup(host: String) -> Lookup {
    tokio::net::lookup_host((host.as_str(), 0))
        .await
        .map(Iterator::collect)
        .map_err(|e| (e.kind(), e.to_string()))
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let (found, policy, lookups) = match self {
            Resolver::Fixed { names, policy } => {
                (Some(names.get(&host).copied()), Arc::clone(policy), None)
            }
            Resolver::System { policy, lookups } => {
                (None, Arc::clone(policy), Some(Arc::clone(lookups)))
            }
        };
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match (found, lookups) {
                (Some(fixed), _) => fixed.into_iter().collect(),
                (None, Some(lookups)) => lookups
                    .get(&host, || system_lookup(host.clone()))
                    .await
                    .map_err(|(kind, message)| ResolveError::Lookup {
                    host: host.clone(),
                    source: std::io::Error::new(kind, message),
                })?,
                (None, None) => Vec::new(),
            };
            if addrs.is_empty() {
                return Err(ResolveError::NoAddress { host }.into());
            }
            // One private address is enough to refuse: a name answering both (DNS rebinding) is suspect.
            if let Some(bad) = addrs.iter().find(|a| !policy.permits(a.ip())) {
                return Err(ResolveError::Denied {
                    host,
                    addr: bad.ip(),
                }
                .into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    /// IPv6 forms that carry an IPv4 address are judged by that address.
    #[test]
    fn embedded_ipv4_addresses() {
        for ip in [
            // IPv4-mapped: metadata, private, loopback (hex and dotted).
            "::ffff:169.254.169.254",
            "::ffff:a9fe:a9fe",
            "::ffff:10.0.0.1",
            "::ffff:7f00:1",
            // IPv4-compatible (deprecated).
            "::169.254.169.254",
            "::192.168.0.1",
            "::127.0.0.1",
            // NAT64, well-known prefix; and the local-use prefix whatever it embeds.
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::169.254.169.254",
            "64:ff9b::10.1.2.3",
            "64:ff9b::127.0.0.1",
            "64:ff9b:1::8.8.8.8",
            "64:ff9b:1:ffff::1",
            // 6to4 of private, loopback and link-local addresses.
            "2002:a9fe:a9fe::1",
            "2002:c0a8:0101::",
            "2002:7f00:1::1",
            "2002:0a00:0001:1234::5",
            // Teredo: client 192.168.0.1 (inverted); server 10.0.0.1.
            "2001:0:4136:e378:8000:63bf:3f57:fffe",
            "2001:0:a00:1::1",
            // Site-local and discard-only.
            "fec0::1",
            "100::1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "::ffff:8.8.8.8",
            "::8.8.8.8",
            "64:ff9b::8.8.8.8",
            "64:ff9b::5db8:d822",
            "2002:0808:0808::1",
            "2001:0:4136:e378:8000:63bf:a247:27dd",
            "2001:4860:4860::8888",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
        assert_eq!(
            describe(&"64:ff9b::a9fe:a9fe".parse().unwrap()),
            "64:ff9b::a9fe:a9fe (NAT64 form of 169.254.169.254)"
        );
        assert_eq!(describe(&"10.0.0.1".parse().unwrap()), "10.0.0.1");
    }

    #[test]
    fn allow_list_makes_exceptions() {
        let policy = AddressPolicy {
            deny_private: true,
            allow: vec!["127.0.0.2/32".parse().unwrap()],
        };
        assert!(policy.permits("127.0.0.2".parse().unwrap()));
        assert!(!policy.permits("127.0.0.1".parse().unwrap()));
        assert!(AddressPolicy::default().permits("127.0.0.1".parse().unwrap()));
    }

    #[tokio::test]
    async fn a_name_is_looked_up_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let lookups = Lookups::default();
        let asked = AtomicUsize::new(0);
        let lookup = || async {
            asked.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Err((std::io::ErrorKind::NotFound, "no such host".to_owned()))
        };
        let (a, b) = tokio::join!(
            lookups.get("dead.invalid", lookup),
            lookups.get("dead.invalid", lookup)
        );
        assert!(a.is_err() && b.is_err());
        assert!(lookups.get("dead.invalid", lookup).await.is_err());
        assert_eq!(asked.load(Ordering::SeqCst), 1);
        let _ = lookups.get("other.invalid", lookup).await;
        assert_eq!(asked.load(Ordering::SeqCst), 2);
    }
}
