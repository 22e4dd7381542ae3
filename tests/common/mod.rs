//! Real HTTP and HTTPS servers on loopback for the checker's tests, and a test certificate authority.
//!
//! Every server binds port 0 on a loopback address, runs on its own thread and runtime (so sync CLI tests
//! and async library tests can both use it), logs every request and counts requests in flight.

#![allow(dead_code)]

pub mod bombs;
pub mod peak;

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub path: String,
    pub at: Instant,
    pub headers: Vec<(String, String)>,
}

/// What a handler answers.
pub enum Body {
    Bytes(Bytes),
    /// `total` bytes of `fill`, streamed in 64 KiB chunks (an "8 GB" body).
    Endless {
        fill: u8,
        total: u64,
    },
    /// One byte every `every`, forever.
    Drip {
        every: Duration,
    },
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Bytes::new()),
            delay: Duration::ZERO,
        }
    }

    pub fn html(status: u16, html: &str) -> Self {
        Reply::status(status)
            .header("content-type", "text/html; charset=utf-8")
            .body(html.as_bytes().to_vec())
    }

    pub fn redirect(status: u16, location: &str) -> Self {
        Reply::status(status).header("location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Body::Bytes(body.into());
        self
    }

    pub fn streaming(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// The handler: the request (method, path with query) and how many requests came before it for the
/// same path.
pub type Handler = Arc<dyn Fn(&Hit, usize) -> Reply + Send + Sync>;

pub struct Server {
    pub addr: SocketAddr,
    pub hits: Arc<Mutex<Vec<Hit>>>,
    pub max_in_flight: Arc<AtomicUsize>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    /// An HTTP server on 127.0.0.1.
    pub fn http(handler: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static) -> Server {
        Server::start("127.0.0.1", None, Arc::new(handler))
    }

    /// An HTTP server on another loopback address (127.0.0.2…).
    pub fn http_on(
        ip: &str,
        handler: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::start(ip, None, Arc::new(handler))
    }

    /// An HTTPS server whose certificate, signed by the test CA, names `names`.
    pub fn https(
        names: &[&str],
        handler: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let config = TEST_CA.server_config(names);
        Server::start(
            "127.0.0.1",
            Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
            Arc::new(handler),
        )
    }

    fn start(ip: &str, tls: Option<tokio_rustls::TlsAcceptor>, handler: Handler) -> Server {
        let listener = std::net::TcpListener::bind((ip, 0)).expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let state: State = (
            Arc::clone(&hits),
            Arc::new(AtomicUsize::new(0)),
            Arc::clone(&max_in_flight),
        );
        let shutdown = serve_forever(listener, move |stream| {
            let (handler, state, tls) = (Arc::clone(&handler), state.clone(), tls.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            serve(TokioIo::new(stream), handler, state).await;
                        }
                    }
                    None => serve(TokioIo::new(stream), handler, state).await,
                }
            });
        });
        Server {
            addr,
            hits,
            max_in_flight,
            _shutdown: shutdown,
        }
    }

    /// `http://127.0.0.1:PORT/path`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    pub fn hits_for(&self, path: &str) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.path == path).collect()
    }
}

type State = (Arc<Mutex<Vec<Hit>>>, Arc<AtomicUsize>, Arc<AtomicUsize>);

async fn serve<IO>(io: TokioIo<IO>, handler: Handler, state: State)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: Request<Incoming>| {
        let handler = Arc::clone(&handler);
        let (hits, in_flight, max_in_flight) = state.clone();
        async move {
            let hit = Hit {
                method: req.method().to_string(),
                path: req
                    .uri()
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                at: Instant::now(),
                headers: req
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                    .collect(),
            };
            let before = {
                let mut hits = hits.lock().unwrap();
                let before = hits.iter().filter(|h| h.path == hit.path).count();
                hits.push(hit.clone());
                before
            };
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max_in_flight.fetch_max(now, Ordering::SeqCst);
            let reply = handler(&hit, before);
            if !reply.delay.is_zero() {
                tokio::time::sleep(reply.delay).await;
            }
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, Infallible>(into_response(reply))
        }
    });
    let _ = http1::Builder::new().serve_connection(io, service).await;
}

fn into_response(reply: Reply) -> Response<BoxBody<Bytes, std::io::Error>> {
    let body: BoxBody<Bytes, std::io::Error> = match reply.body {
        Body::Bytes(b) => Full::new(b).map_err(|never| match never {}).boxed(),
        Body::Endless { fill, total } => {
            let chunk = Bytes::from(vec![fill; 64 * 1024]);
            let stream = futures::stream::unfold(0u64, move |sent| {
                let chunk = chunk.clone();
                async move {
                    if sent >= total {
                        return None;
                    }
                    let n = chunk
                        .len()
                        .min(usize::try_from(total - sent).unwrap_or(usize::MAX));
                    Some((Ok(Frame::data(chunk.slice(..n))), sent + n as u64))
                }
            });
            StreamBody::new(stream).boxed()
        }
        Body::Drip { every } => {
            let stream = futures::stream::unfold((), move |()| async move {
                tokio::time::sleep(every).await;
                Some((Ok(Frame::data(Bytes::from_static(b"<"))), ()))
            });
            StreamBody::new(stream).boxed()
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response.headers_mut().append(
            hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            hyper::header::HeaderValue::from_str(&value).unwrap(),
        );
    }
    response
}

/// Runs an accept loop for `listener` on a thread of its own (a current-thread runtime), handing each
/// connection to `on_accept`; the loop ends when the returned sender is dropped.
fn serve_forever<F>(
    listener: std::net::TcpListener,
    on_accept: F,
) -> tokio::sync::oneshot::Sender<()>
where
    F: Fn(TcpStream) + Send + 'static,
{
    listener.set_nonblocking(true).unwrap();
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::from_std(listener).unwrap();
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            on_accept(stream);
                        }
                    }
                }
            }
        });
    });
    tx
}

/// A raw TCP server for misbehaviour below HTTP: each connection is handed to `f`.
pub struct RawServer {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl RawServer {
    pub fn start<F, Fut>(f: F) -> RawServer
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        let shutdown = serve_forever(listener, move |stream| {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(f(stream));
        });
        RawServer {
            addr,
            connections,
            _shutdown: shutdown,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Reads a request's head from a raw connection (up to the blank line).
pub async fn read_request_head(stream: &mut TcpStream) {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&byte[..n]),
        }
    }
}

/// A port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The test certificate authority: one per test process, its certificate written to a PEM file for
/// `--ca-cert`.
pub struct TestCa {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    pub pem_path: PathBuf,
    _dir: tempfile::TempDir,
}

pub static TEST_CA: LazyLock<TestCa> = LazyLock::new(|| {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "citecheck test CA");
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let cert = params.self_signed(&key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pem_path = dir.path().join("test-ca.pem");
    std::fs::File::create(&pem_path)
        .unwrap()
        .write_all(cert.pem().as_bytes())
        .unwrap();
    TestCa {
        issuer: rcgen::Issuer::new(params, key),
        pem_path,
        _dir: dir,
    }
});

impl TestCa {
    fn server_config(&self, names: &[&str]) -> rustls::ServerConfig {
        let key = rcgen::KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let cert = rcgen::CertificateParams::new(names)
            .unwrap()
            .signed_by(&key, &self.issuer)
            .unwrap();
        let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key_der)
            .unwrap()
    }

    pub fn pem(&self) -> Vec<u8> {
        std::fs::read(&self.pem_path).unwrap()
    }
}

/// A gzip body that inflates to `size` bytes of zeros.
pub fn gzip_bomb(size: usize) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    let mut left = size;
    while left > 0 {
        let n = left.min(zeros.len());
        encoder.write_all(&zeros[..n]).unwrap();
        left -= n;
    }
    Bytes::from(encoder.finish().unwrap())
}

/// The report on stdout, which must be pure JSON.
pub fn json_stdout(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not pure JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Validates a report against `schema/report.schema.json`.
pub fn validate_against_schema(report: &serde_json::Value) {
    let text = std::fs::read_to_string("schema/report.schema.json").unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema itself is valid");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match schema/report.schema.json:\n{}",
        errors.join("\n")
    );
}

/// The one line an error should be, with the exit code it should bring.
pub fn assert_one_line_error(output: &std::process::Output, code: i32, needle: &str) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stdout.is_empty(),
        "stdout should be empty: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected: {stderr}"
    );
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

/// Proxy settings a test's child process must not inherit: they would stand between it and the
/// loopback servers.
pub const PROXY_VARS: [&str; 6] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// `--resolve HOST:443:ADDR` for each host, sending it to the stand-in `server`.
/// The time stamp of every capture the Wayback Machine stand-ins hold.
pub const CAPTURE_STAMP: &str = "20201120044229";

/// The availability API's answer for the URL a query (`/wayback/available?url=…`) asks about: a
/// capture of it at `stamp`.
pub fn available_at(path: &str, stamp: &str) -> Reply {
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let url = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Reply::status(200)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"archived_snapshots":{{"closest":{{"available":true,"url":"http://web.archive.org/web/{stamp}/{url}","timestamp":"{stamp}"}}}}}}"#
        ))
}

/// The Wayback Machine: a capture (at [`CAPTURE_STAMP`]) of every URL with "gone" in it, of
/// nothing else; every capture is there.
pub fn wayback_of_gone() -> Server {
    Server::https(&["archive.org", "web.archive.org"], |hit, _| {
        let p = hit.path.as_str();
        if p.starts_with("/web/") {
            Reply::html(200, "<title>A story</title>")
        } else if p.starts_with("/cdx/") {
            Reply::status(200)
        } else if p.contains("gone") {
            available_at(p, CAPTURE_STAMP)
        } else {
            Reply::status(200)
                .header("content-type", "application/json")
                .body(r#"{"archived_snapshots":{}}"#)
        }
    })
}

pub fn resolve_to(server: &Server, hosts: &[&str]) -> Vec<String> {
    hosts
        .iter()
        .flat_map(|host| {
            [
                "--resolve".to_owned(),
                format!("{host}:443:{}", server.addr),
            ]
        })
        .collect()
}

/// The real binary, with no proxy from the environment in the way of loopback servers.
pub fn citecheck() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("citecheck").unwrap();
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// `citecheck extract PATH --format json`, which must exit 0 with a report valid against the schema:
/// its one document.
pub fn extract_document(path: &str) -> serde_json::Value {
    let output = citecheck()
        .args(["extract", path, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{path}: stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_stdout(&output);
    validate_against_schema(&report);
    report["documents"][0].clone()
}

/// A document's footnote by id.
pub fn footnote<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["footnotes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no footnote {id}"))
}
