//! A loopback HTTP server for the check benchmark (`benches/check.sh`): answers every request with a
//! small HTML page after a fixed delay, on 127.0.0.FIRST … 127.0.0.(FIRST+COUNT-1), one port for all.
//!
//! Usage: bench_server DELAY_MS [FIRST] [COUNT]; prints the port, then serves until killed.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const PAGE: &[u8] = b"<!doctype html><html><head><title>A cited page</title></head><body><h1>A cited page</h1></body></html>";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let delay = Duration::from_millis(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0));
    let first: u8 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2);
    let count: u8 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(50);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        // The first address picks a free port; the others share it.
        let first_listener =
            TcpListener::bind(("127.0.0.1".replace(".1", &format!(".{first}")), 0))
                .await
                .expect("bind");
        let port = first_listener.local_addr().expect("addr").port();
        let mut listeners = vec![first_listener];
        for n in first + 1..first + count {
            listeners.push(
                TcpListener::bind((format!("127.0.0.{n}"), port))
                    .await
                    .expect("bind shared port"),
            );
        }
        println!("{port}");
        for listener in listeners {
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(async move {
                        let service =
                            service_fn(move |_req: Request<hyper::body::Incoming>| async move {
                                if !delay.is_zero() {
                                    tokio::time::sleep(delay).await;
                                }
                                let mut resp = Response::new(Full::new(Bytes::from_static(PAGE)));
                                resp.headers_mut().insert(
                                    "content-type",
                                    "text/html; charset=utf-8".parse().expect("header"),
                                );
                                Ok::<_, Infallible>(resp)
                            });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        }
        std::future::pending::<()>().await;
    });
}
