//! The checker's resolved settings, with the parsers for the values users write (`--accept 200-299,403`,
//! `--resolve host:443:127.0.0.1`, `--header "K: V"`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use ipnet::IpNet;
use regex::Regex;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde::{Deserialize, Serialize};
use url::Url;

use super::drift::DriftConfig;

/// The default User-Agent: names citecheck and its version so site owners can tell who is asking.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "citecheck/",
    env!("CARGO_PKG_VERSION"),
    " (citation checker; +https://github.com/citecheck/citecheck)"
);

/// Which HTTP method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// GET for pages (the body tells a soft 404), HEAD for files such as PDFs, falling back to GET.
    #[default]
    Auto,
    /// Always GET.
    Get,
    /// HEAD first everywhere, falling back to GET when HEAD is refused.
    Head,
}

/// Settings for one host, from the `[hosts."name"]` tables of the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HostConfig {
    /// Requests in flight to this host at once.
    pub concurrency: Option<usize>,
    /// Minimum milliseconds between requests to this host.
    pub interval_ms: Option<u64>,
    /// Extra headers for this host.
    #[serde(default)]
    pub headers: HashMap<String, String>,
}

/// Everything the checker needs, resolved from flags, config file and defaults.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Requests in flight over all hosts.
    pub concurrency: usize,
    /// Requests in flight per host, unless the host has its own setting.
    pub host_concurrency: usize,
    /// Minimum time between requests to one host.
    pub host_interval: Duration,
    pub hosts: HashMap<String, HostConfig>,
    /// Per request: from connecting until the body prefix is read.
    pub timeout: Duration,
    pub max_retries: u32,
    /// The first retry's wait; later ones double, with jitter.
    pub retry_wait: Duration,
    /// A `Retry-After` longer than this is not waited for: the URL is reported `blocked`.
    pub max_retry_after: Duration,
    pub max_redirects: usize,
    pub user_agent: String,
    /// An email address given to APIs with a polite pool (Crossref's `mailto`).
    pub mailto: Option<String>,
    pub headers: Vec<(String, String)>,
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub accept: AcceptRanges,
    pub offline: bool,
    pub method: Method,
    pub resolve: Vec<ResolveOverride>,
    /// Extra trusted root certificates: the bytes of each `--ca-cert` file (see [`ca_certificates`]).
    pub ca_certs: Vec<Vec<u8>>,
    pub insecure: bool,
    pub proxy: Option<Url>,
    /// Refuse loopback, private and link-local targets (checked on resolved addresses and every hop).
    pub deny_private: bool,
    /// Exceptions to `deny_private`.
    pub allow_private: Vec<IpNet>,
    /// How much of a page is read to judge it (title, soft 404).
    pub body_limit: usize,
    /// When a live page has drifted from its citation.
    pub drift: DriftConfig,
    /// Every page is read whole (up to a bound) for its text, to compare it with its archived copy
    /// (`--wayback all`); otherwise only pages whose fragments or quotations are looked for.
    pub read_text: bool,
    /// Settle a host's remaining URLs at once after two timeouts or connection failures in a row
    /// (one failed DNS lookup).
    pub host_breaker: bool,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            concurrency: 128,
            host_concurrency: 2,
            host_interval: Duration::ZERO,
            hosts: HashMap::new(),
            timeout: Duration::from_secs(20),
            max_retries: 3,
            retry_wait: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            max_redirects: 10,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            mailto: None,
            headers: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            accept: AcceptRanges::default(),
            offline: false,
            method: Method::Auto,
            resolve: Vec::new(),
            ca_certs: Vec::new(),
            insecure: false,
            proxy: None,
            deny_private: false,
            allow_private: Vec::new(),
            body_limit: 256 * 1024,
            drift: DriftConfig::default(),
            read_text: false,
            host_breaker: true,
        }
    }
}

impl CheckConfig {
    /// The in-flight limit for `host`.
    pub fn host_limit(&self, host: &str) -> usize {
        self.hosts
            .get(host)
            .and_then(|h| h.concurrency)
            .unwrap_or(self.host_concurrency)
            .max(1)
    }

    /// The minimum interval between requests to `host`.
    pub fn host_interval(&self, host: &str) -> Duration {
        self.hosts
            .get(host)
            .and_then(|h| h.interval_ms)
            .map(Duration::from_millis)
            .unwrap_or(self.host_interval)
    }
}

/// HTTP status codes taken as success: `200-299,403` or `200..=299`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRanges(Vec<(u16, u16)>);

impl Default for AcceptRanges {
    fn default() -> Self {
        AcceptRanges(vec![(200, 299)])
    }
}

impl AcceptRanges {
    pub fn contains(&self, code: u16) -> bool {
        self.0.iter().any(|&(lo, hi)| (lo..=hi).contains(&code))
    }
}

impl FromStr for AcceptRanges {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut ranges = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (lo, hi) = match part.split_once("..=").or_else(|| part.split_once('-')) {
                Some((lo, hi)) => (lo.trim(), hi.trim()),
                None => (part, part),
            };
            let code = |t: &str| -> Result<u16, String> {
                t.parse::<u16>()
                    .ok()
                    .filter(|c| (100..=999).contains(c))
                    .ok_or_else(|| format!("{t:?} is not an HTTP status code"))
            };
            let (lo, hi) = (code(lo)?, code(hi)?);
            if lo > hi {
                return Err(format!("empty range {part:?}"));
            }
            ranges.push((lo, hi));
        }
        if ranges.is_empty() {
            return Err("no status codes given".into());
        }
        Ok(AcceptRanges(ranges))
    }
}

/// `--resolve HOST:PORT:ADDR`: requests for HOST on PORT go to ADDR, exactly as curl: other ports of
/// HOST are not concerned. ADDR may carry a port (`127.0.0.1:8443`, `[::1]:8443`) to connect elsewhere
/// than PORT; `addr` then holds it, else PORT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    pub host: String,
    pub port: u16,
    pub addr: SocketAddr,
}

impl FromStr for ResolveOverride {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || format!("{s:?} is not HOST:PORT:ADDR (e.g. example.org:443:127.0.0.1)");
        let (host, rest) = s.split_once(':').ok_or_else(usage)?;
        let (port, addr) = rest.split_once(':').ok_or_else(usage)?;
        let port: u16 = port.parse().map_err(|_| usage())?;
        let addr = if let Ok(sock) = addr.parse::<SocketAddr>() {
            sock
        } else {
            let ip: IpAddr = addr
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| usage())?;
            SocketAddr::new(ip, port)
        };
        if host.is_empty() {
            return Err(usage());
        }
        Ok(ResolveOverride {
            host: host.to_ascii_lowercase(),
            port,
            addr,
        })
    }
}

/// `--header "Name: value"`.
/// Why a `--ca-cert` file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaCertError {
    #[error(
        "no certificate in it: expected PEM \"BEGIN CERTIFICATE\" sections or one DER certificate"
    )]
    NoCertificate,
    #[error("malformed PEM: {0}")]
    Pem(String),
    #[error("certificate {index} cannot be used: {source}")]
    Unusable {
        index: usize,
        #[source]
        source: rustls::Error,
    },
}

/// The root certificates in a `--ca-cert` file: its PEM `CERTIFICATE` sections (other sections, such
/// as a key, are passed over), or, when it has none, the whole file as one DER certificate. A file
/// with no certificate (empty, a key alone, anything else) is an error, and so is a certificate that
/// could not serve as a trust anchor.
pub fn ca_certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, CaCertError> {
    let certs = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CaCertError::Pem(e.to_string()))?;
    if certs.is_empty() {
        // A DER certificate is one SEQUENCE; anything else (a DER key too) fails to parse as one.
        let der = CertificateDer::from(bytes.to_vec());
        return match RootCertStore::empty().add(der.clone()) {
            Ok(()) if bytes.first() == Some(&0x30) => Ok(vec![der]),
            _ => Err(CaCertError::NoCertificate),
        };
    }
    for (i, cert) in certs.iter().enumerate() {
        RootCertStore::empty()
            .add(cert.clone())
            .map_err(|source| CaCertError::Unusable {
                index: i + 1,
                source,
            })?;
    }
    Ok(certs)
}

pub fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not NAME:VALUE"))?;
    let name = name.trim();
    if name.is_empty() || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("{name:?} is not a valid header name"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_ranges() {
        let a: AcceptRanges = "200-299, 403,500..=503".parse().unwrap();
        assert!(a.contains(204) && a.contains(403) && a.contains(502));
        assert!(!a.contains(404) && !a.contains(504));
        assert!("abc".parse::<AcceptRanges>().is_err());
        assert!("300-200".parse::<AcceptRanges>().is_err());
        assert!("".parse::<AcceptRanges>().is_err());
    }

    #[test]
    fn resolve_override() {
        let r: ResolveOverride = "www.youtube.com:443:127.0.0.1".parse().unwrap();
        assert_eq!(r.addr, "127.0.0.1:443".parse().unwrap());
        let r: ResolveOverride = "example.org:443:127.0.0.1:8443".parse().unwrap();
        assert_eq!(r.addr, "127.0.0.1:8443".parse().unwrap());
        let r: ResolveOverride = "example.org:80:[::1]".parse().unwrap();
        assert_eq!(r.addr, "[::1]:80".parse().unwrap());
        assert!("example.org:443".parse::<ResolveOverride>().is_err());
        assert!(
            "example.org:x:127.0.0.1"
                .parse::<ResolveOverride>()
                .is_err()
        );
    }

    #[test]
    fn headers() {
        assert_eq!(
            parse_header("Accept-Language: en").unwrap(),
            ("Accept-Language".into(), "en".into())
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
    }

    #[test]
    fn ca_certificates_need_a_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let pem = cert.pem();
        assert_eq!(ca_certificates(pem.as_bytes()).unwrap().len(), 1);
        // A bundle with a key beside the certificate: the certificate counts.
        let both = format!("{}{pem}", key.serialize_pem());
        assert_eq!(ca_certificates(both.as_bytes()).unwrap().len(), 1);
        let twice = format!("{pem}{pem}");
        assert_eq!(ca_certificates(twice.as_bytes()).unwrap().len(), 2);
        // DER is accepted when it is a certificate.
        assert_eq!(ca_certificates(cert.der()).unwrap().len(), 1);
        for nothing in [
            Vec::new(),
            key.serialize_pem().into_bytes(),
            key.serialize_der(),
            b"hello\n".to_vec(),
            vec![0x30, 0x03, 0x02, 0x01, 0x00],
        ] {
            assert!(
                matches!(ca_certificates(&nothing), Err(CaCertError::NoCertificate)),
                "{nothing:?}"
            );
        }
        // A CERTIFICATE section that is no certificate.
        let bogus = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            ca_certificates(bogus.as_bytes()),
            Err(CaCertError::Unusable { index: 1, .. })
        ));
        let broken = "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n";
        assert!(ca_certificates(broken.as_bytes()).is_err());
    }
}
