//! The reqwest clients and how a request is routed to one: `--resolve` exactly as curl.
//!
//! An entry `HOST:PORT:ADDR` applies only to a request whose host *and* port match it; the same host on
//! another port resolves normally, or through its own entry. reqwest's resolver sees only a name, never
//! a port, so entries are spread over clients whose resolvers each hold at most one address per name,
//! and a request picks its client by (host, port). When ADDR carries a port of its own, the request is
//! sent to that port with the original `Host` header (TLS names only the host, so certificates still
//! verify). An entry's address is the only one tried: there is no falling through to another entry's.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::CheckError;
use super::config::{CheckConfig, ResolveOverride, ca_certificates};
use super::resolver::{AddressPolicy, Lookups, Resolver};

/// Where a `--resolve` entry sends a request.
#[derive(Debug, Clone, Copy)]
struct Route {
    /// Index into `Clients::overridden`.
    client: usize,
    addr: SocketAddr,
}

/// One client for names resolved normally, and one per layer of `--resolve` entries.
pub(crate) struct Clients {
    default: reqwest::Client,
    overridden: Vec<reqwest::Client>,
    routes: HashMap<(String, u16), Route>,
}

impl Clients {
    pub(crate) fn new(
        config: &CheckConfig,
        headers: HeaderMap,
        policy: &Arc<AddressPolicy>,
    ) -> Result<Self, CheckError> {
        let lookups = Arc::new(Lookups::default());
        let build = |resolver: Resolver| build_client(config, headers.clone(), resolver);
        let default = build(Resolver::system(Arc::clone(policy), Arc::clone(&lookups)))?;
        let (layers, routes) = layers(&config.resolve);
        let overridden = layers
            .into_iter()
            .map(|names| build(Resolver::fixed(names, Arc::clone(policy))))
            .collect::<Result<_, _>>()?;
        Ok(Clients {
            default,
            overridden,
            routes,
        })
    }

    /// A request for `url` on the client that should carry it.
    pub(crate) fn request(&self, method: reqwest::Method, url: &Url) -> reqwest::RequestBuilder {
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or_default();
        let Some(route) = self.routes.get(&(host, port)) else {
            return self.default.request(method, url.clone());
        };
        let client = &self.overridden[route.client];
        if route.addr.port() == port {
            return client.request(method, url.clone());
        }
        // ADDR's own port: connect there, while the server still sees the host it was asked for.
        let mut to = url.clone();
        let authority = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        if to.set_port(Some(route.addr.port())).is_err() {
            return client.request(method, url.clone());
        }
        let request = client.request(method, to);
        match HeaderValue::from_str(&authority) {
            Ok(value) => request.header(header::HOST, value),
            Err(_) => request,
        }
    }
}

/// Names and the one address each resolves to (port 0).
type Layer = HashMap<String, SocketAddr>;

/// Spreads entries over layers holding at most one address per name, and maps each (host, port) to
/// its layer and address. The first entry for a (host, port) wins, as in curl.
fn layers(entries: &[ResolveOverride]) -> (Vec<Layer>, HashMap<(String, u16), Route>) {
    let mut layers: Vec<Layer> = Vec::new();
    let mut routes = HashMap::new();
    for entry in entries {
        let key = (entry.host.clone(), entry.port);
        if routes.contains_key(&key) {
            continue;
        }
        // A layer already answering this name with the same address can be shared.
        let found = layers.iter().position(|names| {
            names
                .get(&entry.host)
                .is_none_or(|addr| addr.ip() == entry.addr.ip())
        });
        let client = found.unwrap_or_else(|| {
            layers.push(HashMap::new());
            layers.len() - 1
        });
        // Port 0: the connection takes the request's port (ADDR's own port is put in the URL), so two
        // entries sharing an address never lend each other a port.
        layers[client]
            .entry(entry.host.clone())
            .or_insert(SocketAddr::new(entry.addr.ip(), 0));
        routes.insert(
            key,
            Route {
                client,
                addr: entry.addr,
            },
        );
    }
    (layers, routes)
}

/// How many header fields an HTTP/1 response may have. hyper's default, 100, refuses pages that curl and
/// browsers load: they limit only the headers' total size (Chromium 256 KiB, Firefox 384 KiB, curl
/// 300 KiB), which hyper's read buffer still caps here (about 400 KiB); 1,000 fields of a few bytes
/// each fit in that. HTTP/2 has its own limit on the header list's size.
pub(crate) const MAX_RESPONSE_HEADERS: usize = 1000;

fn build_client(
    config: &CheckConfig,
    headers: HeaderMap,
    resolver: Resolver,
) -> Result<reqwest::Client, CheckError> {
    // reqwest is built without a crypto provider of its own: *ring*, as before, for the whole process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The roots trusted are Mozilla's (webpki-root-certs) and the `--ca-cert` files, on every machine
    // alike, rather than whatever the machine's own store holds.
    let mut roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| reqwest::Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CheckError::Certificate)?;
    for file in &config.ca_certs {
        for der in ca_certificates(file).map_err(CheckError::CaCert)? {
            roots.push(reqwest::Certificate::from_der(&der).map_err(CheckError::Certificate)?);
        }
    }
    let mut builder = reqwest::Client::builder()
        .user_agent(config.user_agent.clone())
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(config.timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .http1_max_headers(MAX_RESPONSE_HEADERS)
        .dns_resolver(Arc::new(resolver))
        .tls_certs_only(roots)
        .tls_danger_accept_invalid_certs(config.insecure);
    if let Some(proxy) = &config.proxy {
        let proxy = reqwest::Proxy::all(proxy.as_str()).map_err(|source| CheckError::Proxy {
            url: proxy.to_string(),
            source,
        })?;
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(CheckError::Client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(s: &str) -> ResolveOverride {
        s.parse().unwrap()
    }

    #[test]
    fn one_address_per_name_and_layer() {
        let entries = [
            entry("h.test:80:127.0.0.1"),
            entry("h.test:443:127.0.0.2:8443"),
            entry("h.test:8080:127.0.0.1:9000"),
            entry("other.test:443:127.0.0.3"),
            entry("h.test:80:127.0.0.9"),
        ];
        let (layers, routes) = layers(&entries);
        assert_eq!(layers.len(), 2);
        for names in &layers {
            assert!(names.len() <= 2);
        }
        let route = |h: &str, p: u16| routes[&(h.to_owned(), p)];
        assert_eq!(route("h.test", 80).addr, "127.0.0.1:80".parse().unwrap());
        assert_eq!(route("h.test", 443).addr, "127.0.0.2:8443".parse().unwrap());
        assert_eq!(route("h.test", 8080).client, route("h.test", 80).client);
        assert_ne!(route("h.test", 443).client, route("h.test", 80).client);
        assert!(!routes.contains_key(&("h.test".to_owned(), 81)));
        let layer = &layers[route("h.test", 443).client];
        assert_eq!(layer["h.test"], "127.0.0.2:0".parse().unwrap());
        // Entries sharing an address share a layer, never a port.
        let (layers, routes) =
            super::layers(&[entry("h.test:443:127.0.0.1"), entry("h.test:80:127.0.0.1")]);
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0]["h.test"], "127.0.0.1:0".parse().unwrap());
        assert_eq!(routes[&("h.test".to_owned(), 80)].addr.port(), 80);
    }
}
