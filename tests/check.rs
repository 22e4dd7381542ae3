//! The checker against real servers on loopback: one test per behaviour.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use citecheck::check::{
    CheckConfig, CheckRequest, CheckResult, Checker, Method, ResolveOverride, Status, Target,
};
use citecheck::uri::Uri;
use common::{Body, RawServer, Reply, Server, TEST_CA, closed_port, gzip_bomb, read_request_head};

/// Quick settings for tests: short timeout and retry waits.
fn fast() -> CheckConfig {
    CheckConfig {
        timeout: Duration::from_secs(2),
        retry_wait: Duration::from_millis(50),
        max_retries: 2,
        ..CheckConfig::default()
    }
}

fn request(url: &str) -> CheckRequest {
    CheckRequest {
        url: url.to_owned(),
        target: Target::Fetch(Uri::parse(url).unwrap()),
        cited_in: Vec::new(),
        cited_as: Vec::new(),
        fragments: Vec::new(),
        quotes: Vec::new(),
    }
}

async fn check(config: CheckConfig, url: &str) -> CheckResult {
    Checker::new(config).unwrap().check(&request(url)).await
}

const PAGE: &str = "<html><head><title>Imran vows to help stem Afghan bloodshed | The Express Tribune</title></head><body><h1>Imran vows</h1></body></html>";

#[tokio::test]
async fn ok_200() {
    let server = Server::http(|_, _| Reply::html(200, PAGE));
    let r = check(fast(), &server.url("/story/1")).await;
    assert_eq!(
        (r.status, r.http_status, r.attempts),
        (Status::Ok, Some(200), 1),
        "{r:?}"
    );
    assert!(r.redirects.is_empty() && r.final_url.is_none());
    assert_eq!(
        r.page.unwrap().title.as_deref(),
        Some("Imran vows to help stem Afghan bloodshed | The Express Tribune")
    );
    let hit = &server.hits()[0];
    assert_eq!(hit.method, "GET");
    let ua = hit
        .headers
        .iter()
        .find(|(k, _)| k == "user-agent")
        .map(|(_, v)| v.as_str())
        .unwrap();
    assert!(
        ua.starts_with(concat!("citecheck/", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
}

#[tokio::test]
async fn redirect_chain_301_302_307_308() {
    let server = Server::http(|hit, _| match hit.path.as_str() {
        "/a" => Reply::redirect(301, "/b"),
        "/b" => Reply::redirect(302, "/c"),
        "/c" => Reply::redirect(307, "/d"),
        "/d" => Reply::redirect(308, "/final"),
        _ => Reply::html(200, PAGE),
    });
    let r = check(fast(), &server.url("/a")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(r.final_url.as_deref(), Some(server.url("/final").as_str()));
    let chain: Vec<(String, u16)> = r
        .redirects
        .iter()
        .map(|h| (h.url.clone(), h.status))
        .collect();
    assert_eq!(
        chain,
        [
            (server.url("/a"), 301),
            (server.url("/b"), 302),
            (server.url("/c"), 307),
            (server.url("/d"), 308)
        ]
    );
}

#[tokio::test]
async fn not_found_and_gone_are_broken() {
    let server = Server::http(|hit, _| {
        if hit.path == "/gone" {
            Reply::status(410)
        } else {
            Reply::status(404)
        }
    });
    let r = check(fast(), &server.url("/missing")).await;
    assert_eq!(
        (r.status, r.http_status, r.attempts),
        (Status::Broken, Some(404), 1)
    );
    assert_eq!(r.detail.as_deref(), Some("404 Not Found"));
    let r = check(fast(), &server.url("/gone")).await;
    assert_eq!((r.status, r.http_status), (Status::Broken, Some(410)));
}

#[tokio::test]
async fn bot_challenge_is_blocked() {
    let server = Server::http(|_, _| {
        Reply::html(403, "<title>Just a moment...</title>").header("cf-mitigated", "challenge")
    });
    let r = check(fast(), &server.url("/story")).await;
    assert_eq!(
        (r.status, r.http_status, r.attempts),
        (Status::Blocked, Some(403), 1)
    );
    assert!(r.detail.unwrap().contains("bot challenge"));
    let plain = Server::http(|_, _| Reply::status(999));
    assert_eq!(
        check(fast(), &plain.url("/in/someone")).await.status,
        Status::Blocked
    );
}

#[tokio::test]
async fn head_refused_then_get() {
    let server = Server::http(|hit, _| {
        if hit.method == "HEAD" {
            Reply::status(405)
        } else {
            Reply::status(200).header("content-type", "application/pdf")
        }
    });
    let r = check(fast(), &server.url("/report.pdf")).await;
    assert_eq!((r.status, r.http_status), (Status::Ok, Some(200)), "{r:?}");
    let methods: Vec<String> = server.hits().into_iter().map(|h| h.method).collect();
    assert_eq!(methods, ["HEAD", "GET"]);
}

#[tokio::test]
async fn head_where_it_suffices() {
    let server = Server::http(|_, _| Reply::status(200).header("content-type", "application/pdf"));
    let r = check(fast(), &server.url("/report.pdf")).await;
    assert_eq!(r.status, Status::Ok);
    let methods: Vec<String> = server.hits().into_iter().map(|h| h.method).collect();
    assert_eq!(methods, ["HEAD"]);
    let config = CheckConfig {
        method: Method::Get,
        ..fast()
    };
    check(config, &server.url("/other.pdf")).await;
    assert_eq!(server.hits_for("/other.pdf")[0].method, "GET");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = Server::http(|_, n| {
        if n == 0 {
            Reply::status(429).header("retry-after", "2")
        } else {
            Reply::html(200, PAGE)
        }
    });
    let r = check(fast(), &server.url("/busy")).await;
    assert_eq!((r.status, r.attempts), (Status::Ok, 2), "{r:?}");
    let hits = server.hits();
    let gap = hits[1].at - hits[0].at;
    assert!(
        gap >= Duration::from_secs(2),
        "retried after {gap:?}, before Retry-After: 2"
    );
}

#[tokio::test]
async fn retry_after_beyond_the_cap_is_blocked_without_waiting() {
    let server = Server::http(|_, _| Reply::status(429).header("retry-after", "3600"));
    let started = Instant::now();
    let r = check(fast(), &server.url("/busy")).await;
    assert_eq!((r.status, r.attempts), (Status::Blocked, 1), "{r:?}");
    assert!(r.detail.unwrap().contains("3600 s"));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn unavailable_twice_then_ok() {
    let server = Server::http(|_, n| {
        if n < 2 {
            Reply::status(503)
        } else {
            Reply::html(200, PAGE)
        }
    });
    let r = check(fast(), &server.url("/flaky")).await;
    assert_eq!(
        (r.status, r.attempts, r.http_status),
        (Status::Ok, 3, Some(200)),
        "{r:?}"
    );
}

#[tokio::test]
async fn server_error_after_retries() {
    let server = Server::http(|_, _| Reply::status(500));
    let r = check(fast(), &server.url("/broken")).await;
    assert_eq!(
        (r.status, r.attempts, r.http_status),
        (Status::ServerError, 3, Some(500)),
        "{r:?}"
    );
    assert_eq!(server.hits().len(), 3);
}

#[tokio::test]
async fn redirect_loop_is_broken() {
    let server = Server::http(|hit, _| {
        if hit.path == "/a" {
            Reply::redirect(302, "/b")
        } else {
            Reply::redirect(302, "/a")
        }
    });
    let r = check(fast(), &server.url("/a")).await;
    assert_eq!((r.status, r.attempts), (Status::Broken, 1), "{r:?}");
    assert!(r.detail.unwrap().contains("redirect loop"));
    assert_eq!(r.redirects.len(), 2);
}

#[tokio::test]
async fn too_many_redirects_is_broken() {
    let server = Server::http(|hit, _| {
        let n: u32 = hit.path.trim_start_matches('/').parse().unwrap_or(0);
        Reply::redirect(302, &format!("/{}", n + 1))
    });
    let config = CheckConfig {
        max_redirects: 3,
        ..fast()
    };
    let r = check(config, &server.url("/0")).await;
    assert_eq!(r.status, Status::Broken);
    assert!(r.detail.unwrap().contains("more than 3 redirects"));
}

#[tokio::test]
async fn server_that_never_answers_times_out_once_retried() {
    let server = RawServer::start(|mut stream| async move {
        read_request_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(stream);
    });
    let config = CheckConfig {
        timeout: Duration::from_secs(1),
        ..fast()
    };
    let started = Instant::now();
    let r = check(config, &server.url("/slow")).await;
    let elapsed = started.elapsed();
    assert_eq!((r.status, r.attempts), (Status::Timeout, 2), "{r:?}");
    assert_eq!(r.detail.as_deref(), Some("no answer in 1 s"));
    assert!(elapsed < Duration::from_millis(3500), "took {elapsed:?}");
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn dripping_body_costs_at_most_the_timeout() {
    let server = Server::http(|_, _| {
        Reply::status(200)
            .header("content-type", "text/html")
            .streaming(Body::Drip {
                every: Duration::from_secs(1),
            })
    });
    let config = CheckConfig {
        timeout: Duration::from_secs(1),
        max_retries: 0,
        ..fast()
    };
    let started = Instant::now();
    let r = check(config, &server.url("/drip")).await;
    assert_eq!(r.status, Status::Timeout, "{r:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1800),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn eight_gigabyte_body_is_not_read() {
    let server = Server::http(|hit, _| {
        let ct = if hit.path.ends_with("page") {
            "text/html"
        } else {
            "application/octet-stream"
        };
        Reply::status(200)
            .header("content-type", ct)
            .header("content-length", &(8u64 << 30).to_string())
            .streaming(Body::Endless {
                fill: b'a',
                total: 8 << 30,
            })
    });
    let started = Instant::now();
    let r = check(fast(), &server.url("/dump.bin")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    let r = check(fast(), &server.url("/huge-page")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connection_reset_is_retried_then_unreachable() {
    let server = RawServer::start(|mut stream| async move {
        read_request_head(&mut stream).await;
        // A zero linger makes close send RST; it never blocks (the deprecation is about non-zero lingers).
        #[allow(deprecated)]
        stream.set_linger(Some(Duration::ZERO)).unwrap();
        drop(stream); // RST
    });
    let r = check(fast(), &server.url("/reset")).await;
    assert_eq!((r.status, r.attempts), (Status::Unreachable, 3), "{r:?}");
    assert!(r.detail.unwrap().contains("reset"));
}

#[tokio::test]
async fn closed_port_is_unreachable_without_retry() {
    let url = format!("http://127.0.0.1:{}/x", closed_port());
    let r = check(fast(), &url).await;
    assert_eq!((r.status, r.attempts), (Status::Unreachable, 1), "{r:?}");
    assert_eq!(r.detail.as_deref(), Some("connection refused"));
}

#[tokio::test]
async fn unknown_host_is_unreachable() {
    let r = check(fast(), "http://no-such-host.invalid/story").await;
    assert_eq!((r.status, r.attempts), (Status::Unreachable, 1), "{r:?}");
    assert!(r.detail.unwrap().contains("DNS"));
}

#[tokio::test]
async fn soft_404_is_broken() {
    let server = Server::http(|_, _| {
        Reply::html(
            200,
            "<html><head><title>Page not found | Dawn</title></head><body><h1>Oops</h1></body></html>",
        )
    });
    let r = check(fast(), &server.url("/news/1591240")).await;
    assert_eq!(
        (r.status, r.http_status),
        (Status::Broken, Some(200)),
        "{r:?}"
    );
    assert!(r.detail.unwrap().contains("soft 404"));
}

#[tokio::test]
async fn deep_link_redirected_to_front_page_is_broken() {
    let server = Server::http(|hit, _| {
        if hit.path == "/" {
            Reply::html(200, "<title>Home</title>")
        } else {
            Reply::redirect(301, "/")
        }
    });
    let r = check(fast(), &server.url("/news/2296-agreement.html")).await;
    assert_eq!(r.status, Status::Broken, "{r:?}");
    assert!(r.detail.unwrap().contains("front page"));
    assert_eq!(r.final_url.as_deref(), Some(server.url("/").as_str()));
}

#[tokio::test]
async fn deny_private_refuses_a_name_resolving_to_loopback() {
    let server = Server::http(|_, _| Reply::html(200, PAGE));
    let config = CheckConfig {
        deny_private: true,
        resolve: vec![ResolveOverride {
            host: "intranet.example".into(),
            port: 80,
            addr: server.addr,
        }],
        ..fast()
    };
    let r = check(config, "http://intranet.example/admin").await;
    assert_eq!(r.status, Status::Excluded, "{r:?}");
    assert!(r.detail.unwrap().contains("--deny-private"));
    assert!(server.hits().is_empty(), "the private server was contacted");
    // Without the flag the same name is checked.
    let config = CheckConfig {
        resolve: vec![ResolveOverride {
            host: "intranet.example".into(),
            port: 80,
            addr: server.addr,
        }],
        ..fast()
    };
    assert_eq!(
        check(config, "http://intranet.example/admin").await.status,
        Status::Ok
    );
}

#[tokio::test]
async fn deny_private_checks_every_redirect_hop() {
    let private = Server::http(|_, _| Reply::html(200, PAGE));
    let target = private.url("/secret");
    // An allowed server (127.0.0.2, exempted with allow-private) that redirects to 127.0.0.1.
    let public = Server::http_on("127.0.0.2", move |_, _| Reply::redirect(302, &target));
    let config = CheckConfig {
        deny_private: true,
        allow_private: vec!["127.0.0.2/32".parse().unwrap()],
        ..fast()
    };
    let r = check(config, &format!("http://{}/story", public.addr)).await;
    assert_eq!(r.status, Status::Excluded, "{r:?}");
    assert_eq!(r.redirects.len(), 1);
    assert_eq!(public.hits().len(), 1);
    assert!(
        private.hits().is_empty(),
        "the redirect target was contacted"
    );
}

#[tokio::test]
async fn per_host_limit_holds() {
    let server = Server::http(|_, _| Reply::html(200, PAGE).delay(Duration::from_millis(150)));
    let checker = Checker::new(CheckConfig {
        host_concurrency: 2,
        ..fast()
    })
    .unwrap();
    let requests: Vec<_> = (0..10)
        .map(|i| request(&server.url(&format!("/p{i}"))))
        .collect();
    let done = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&done);
    let results = checker
        .check_all(requests, move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .await;
    assert_eq!(results.len(), 10);
    assert!(results.iter().all(|r| r.status == Status::Ok));
    assert_eq!(done.load(Ordering::SeqCst), 10);
    assert_eq!(
        server.max_in_flight.load(Ordering::SeqCst),
        2,
        "in flight at once"
    );
}

#[tokio::test]
async fn host_interval_spaces_requests() {
    let server = Server::http(|_, _| Reply::html(200, PAGE));
    let checker = Checker::new(CheckConfig {
        host_interval: Duration::from_millis(200),
        ..fast()
    })
    .unwrap();
    let requests: Vec<_> = (0..4)
        .map(|i| request(&server.url(&format!("/p{i}"))))
        .collect();
    checker.check_all(requests, |_| {}).await;
    let hits = server.hits();
    // The interval is kept where requests leave; where they arrive, scheduling on a loaded machine
    // can delay one and shorten the next gap. Without the interval every gap is near zero.
    let span = hits[hits.len() - 1].at - hits[0].at;
    assert!(span >= Duration::from_millis(570), "span {span:?}");
    for pair in hits.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(100), "gap {gap:?}");
    }
}

#[tokio::test]
async fn gzip_bomb_is_read_only_to_the_limit() {
    let bomb = gzip_bomb(256 * 1024 * 1024);
    let server = Server::http(move |_, _| {
        Reply::status(200)
            .header("content-type", "text/html")
            .header("content-encoding", "gzip")
            .body(bomb.clone())
    });
    let started = Instant::now();
    let r = check(fast(), &server.url("/bomb")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "inflated for {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn https_with_test_ca() {
    let server = Server::https(&["localhost"], |_, _| Reply::html(200, PAGE));
    let url = format!("https://localhost:{}/story", server.addr.port());
    let config = CheckConfig {
        ca_certs: vec![TEST_CA.pem()],
        ..fast()
    };
    let r = check(config, &url).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    // Without the test CA the certificate is not trusted.
    let r = check(fast(), &url).await;
    assert_eq!((r.status, r.attempts), (Status::Unreachable, 1), "{r:?}");
    let detail = r.detail.unwrap();
    assert!(detail.starts_with("TLS"), "{detail}");
}

#[tokio::test]
async fn resolve_sends_a_public_name_to_the_local_server() {
    let server = Server::https(&["www.bbc.com"], |_, _| {
        Reply::html(200, "<title>US troops - BBC News</title>")
    });
    let config = CheckConfig {
        ca_certs: vec![TEST_CA.pem()],
        resolve: vec![format!("www.bbc.com:443:{}", server.addr).parse().unwrap()],
        ..fast()
    };
    let r = check(config, "https://www.bbc.com/news/world-us-canada-54980141").await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(server.hits()[0].path, "/news/world-us-canada-54980141");
}

#[tokio::test]
async fn offline_and_excluded_send_nothing() {
    let server = Server::http(|_, _| Reply::html(200, PAGE));
    let checker = Checker::new(CheckConfig {
        offline: true,
        ..fast()
    })
    .unwrap();
    assert_eq!(
        checker.check(&request(&server.url("/x"))).await.status,
        Status::Unchecked
    );
    let config = CheckConfig {
        exclude: vec![regex::Regex::new("/private/").unwrap()],
        ..fast()
    };
    let doc = citecheck::extract::extract(
        "d.md",
        &format!(
            "{} {} mailto:editor@example.org",
            server.url("/private/x"),
            server.url("/public")
        ),
        citecheck::extract::InputFormat::Text,
        &Default::default(),
    );
    let requests = citecheck::check::plan(&[doc], &config, None);
    let results = Checker::new(config)
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    let statuses: Vec<_> = results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Status::Excluded, Status::Ok]);
    assert_eq!(server.hits().len(), 1);
}

#[tokio::test]
async fn proxy_carries_the_requests() {
    let proxy = Server::http(|_, _| Reply::html(200, PAGE));
    let config = CheckConfig {
        proxy: Some(url::Url::parse(&proxy.url("/")).unwrap()),
        ..fast()
    };
    // The name cannot resolve here: only the proxy can have answered.
    let r = check(config, "http://cited.invalid/story").await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    let hit = &proxy.hits()[0];
    assert_eq!(hit.path, "/story");
    assert!(
        hit.headers
            .iter()
            .any(|(k, v)| k == "host" && v == "cited.invalid")
    );
}

#[tokio::test]
async fn global_and_per_host_headers_are_sent() {
    let server = Server::http(|_, _| Reply::html(200, PAGE));
    let mut hosts = std::collections::HashMap::new();
    hosts.insert(
        "127.0.0.1".to_owned(),
        citecheck::check::HostConfig {
            headers: [("Accept-Language".to_owned(), "ur".to_owned())].into(),
            ..Default::default()
        },
    );
    let config = CheckConfig {
        headers: vec![("X-Requested-By".into(), "citecheck-test".into())],
        user_agent: "Editor/1.0".into(),
        hosts,
        ..fast()
    };
    check(config, &server.url("/h")).await;
    let headers = &server.hits()[0].headers;
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("x-requested-by"), Some("citecheck-test"));
    assert_eq!(get("accept-language"), Some("ur"));
    assert_eq!(get("user-agent"), Some("Editor/1.0"));
}

/// Settings that send YouTube's and Twitter's API hosts to a local HTTPS stand-in.
fn platforms(server: &Server) -> CheckConfig {
    CheckConfig {
        ca_certs: vec![TEST_CA.pem()],
        resolve: ["www.youtube.com", "publish.twitter.com"]
            .iter()
            .map(|h| format!("{h}:443:{}", server.addr).parse().unwrap())
            .collect(),
        ..fast()
    }
}

fn json(body: &str) -> Reply {
    Reply::status(200)
        .header("content-type", "application/json")
        .body(body.to_owned())
}

#[tokio::test]
async fn youtube_videos_are_judged_by_oembed() {
    let server = Server::https(&["www.youtube.com"], |hit, _| {
        if hit.path.contains("live0000001") {
            json(r#"{"title":"Joint press conference","author_name":"PTV"}"#)
        } else if hit.path.contains("noembed0001") {
            Reply::status(401)
        } else if hit.path.starts_with("/oembed") {
            Reply::status(404).body("Not Found")
        } else {
            // The watch page says 200 for any video: it must never be what decides.
            Reply::html(200, "<title>YouTube</title>")
        }
    });
    let live = check(platforms(&server), "https://youtu.be/live0000001").await;
    assert_eq!(live.status, Status::Ok, "{live:?}");
    assert_eq!(
        live.page.unwrap().title.as_deref(),
        Some("Joint press conference")
    );
    let via = live.via.unwrap();
    assert_eq!(via.platform, "youtube");
    assert!(via.url.starts_with(
        "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3Dlive0000001"
    ));

    let deleted = check(
        platforms(&server),
        "https://www.youtube.com/watch?v=gone0000001",
    )
    .await;
    assert_eq!(deleted.status, Status::Broken, "{deleted:?}");
    assert!(
        deleted
            .detail
            .unwrap()
            .contains("video removed or never existed")
    );

    let no_embed = check(
        platforms(&server),
        "https://www.youtube.com/shorts/noembed0001",
    )
    .await;
    assert_eq!(no_embed.status, Status::Ok);
    assert!(no_embed.detail.unwrap().contains("disabled embedding"));
    assert!(server.hits().iter().all(|h| h.path.starts_with("/oembed")));
}

#[tokio::test]
async fn tweets_are_judged_by_oembed() {
    let server = Server::https(&["publish.twitter.com"], |hit, _| {
        if hit.path.contains("%2F111") {
            json(
                r#"{"html":"<blockquote class=\"twitter-tweet\"><p>Good meeting in Kabul.</p></blockquote>"}"#,
            )
        } else if hit.path.contains("%2F333") {
            Reply::status(403)
        } else {
            Reply::status(404)
        }
    });
    let live = check(
        platforms(&server),
        "https://x.com/US4AfghanPeace/status/111",
    )
    .await;
    assert_eq!(live.status, Status::Ok, "{live:?}");
    assert_eq!(
        live.page.unwrap().title.as_deref(),
        Some("Good meeting in Kabul.")
    );
    let deleted = check(
        platforms(&server),
        "https://twitter.com/US4AfghanPeace/status/222",
    )
    .await;
    assert_eq!(deleted.status, Status::Broken);
    assert!(
        deleted
            .detail
            .unwrap()
            .contains("tweet deleted or account gone")
    );
    let protected = check(
        platforms(&server),
        "https://mobile.twitter.com/someone/status/333",
    )
    .await;
    assert_eq!(protected.status, Status::Blocked);
    assert!(protected.detail.unwrap().contains("protected account"));
}

fn cited(url: &str, title: &str, date: &str) -> CheckRequest {
    CheckRequest {
        cited_as: vec![citecheck::check::drift::CitedAs {
            footnote: "2".into(),
            title: Some(title.into()),
            date: Some(date.into()),
        }],
        ..request(url)
    }
}

#[tokio::test]
async fn title_and_date_drift() {
    let server = Server::http(|hit, _| match hit.path.as_str() {
        "/same" => Reply::html(
            200,
            r#"<title>US troops in Afghanistan: Allies and Republicans alarmed at withdrawal plan - BBC News</title><meta property="article:published_time" content="2020-11-18T10:00:00Z">"#,
        ),
        "/changed" => Reply::html(
            200,
            "<title>Cabinet reshuffle announced | The Express Tribune</title>",
        ),
        _ => Reply::html(
            200,
            r#"<title>Imran vows to help stem Afghan bloodshed</title><script type="application/ld+json">{"datePublished":"2021-06-01"}</script>"#,
        ),
    });
    let checker = Checker::new(fast()).unwrap();
    let bbc = "US troops in Afghanistan: Allies and Republicans alarmed at withdrawal plan";
    let same = checker
        .check(&cited(&server.url("/same"), bbc, "2020-11-18"))
        .await;
    assert_eq!(same.status, Status::Ok);
    assert!(same.warnings.is_empty(), "{:?}", same.warnings);

    let changed = checker
        .check(&cited(
            &server.url("/changed"),
            "Imran vows to help stem Afghan bloodshed",
            "2020-11-19",
        ))
        .await;
    assert_eq!(
        changed.status,
        Status::Ok,
        "drift is a warning, never an error"
    );
    let w = &changed.warnings[0];
    assert_eq!(w.kind.as_str(), "title-mismatch");
    assert_eq!(
        w.live.as_deref(),
        Some("Cabinet reshuffle announced | The Express Tribune")
    );
    assert!(w.score.unwrap() < 0.6);

    let moved = checker
        .check(&cited(
            &server.url("/dated"),
            "Imran vows to help stem Afghan bloodshed",
            "2020-11-19",
        ))
        .await;
    let kinds: Vec<&str> = moved.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds, ["date-mismatch"]);
}

/// A document citing `urls` in footnotes dated 19 November 2020.
fn brief(urls: &[String]) -> citecheck::extract::Document {
    let mut text = String::new();
    for (i, url) in urls.iter().enumerate() {
        text.push_str(&format!("Cited<sup>{}</sup>.\n\n<sup>{}</sup> \"A story,\" *Paper*, November 19, 2020, <{url}>\n\n", i + 1, i + 1));
    }
    citecheck::extract::extract(
        "brief.md",
        &text,
        citecheck::extract::InputFormat::Markdown,
        &Default::default(),
    )
}

/// Stand-ins for every archive: the availability API, the CDX API, the captures on web.archive.org,
/// Memento TimeTravel and archive.today, on one HTTPS server.
fn archives() -> Server {
    Server::https(
        &[
            "archive.org",
            "web.archive.org",
            "timetravel.mementoweb.org",
            "archive.ph",
        ],
        |hit, _| {
            let p = hit.path.as_str();
            let host = hit
                .headers
                .iter()
                .find(|(k, _)| k == "host")
                .map(|(_, v)| v.split(':').next().unwrap_or_default().to_owned())
                .unwrap_or_default();
            let cited = |name: &str| {
                p.contains(&format!("%2F{name}&"))
                    || p.ends_with(&format!("%2F{name}"))
                    || p.ends_with(&format!("/{name}"))
            };
            match host.as_str() {
                "archive.org" if cited("kept") && p.contains("timestamp=20201119") => json(
                    r#"{"url":"x","archived_snapshots":{"closest":{"status":"200","available":true,"url":"http://web.archive.org/web/20201120044229/http://site/kept","timestamp":"20201120044229"}}}"#,
                ),
                // The availability API's capture of /soft is itself a "not found" page.
                "archive.org" if cited("soft") => json(
                    r#"{"archived_snapshots":{"closest":{"available":true,"url":"http://web.archive.org/web/20201119000000/http://site/soft","timestamp":"20201119000000"}}}"#,
                ),
                "archive.org" => json(r#"{"url":"x","archived_snapshots":{}}"#),
                "web.archive.org" if p.starts_with("/cdx/") && cited("cdx") => json(
                    r#"[["timestamp","original"],["20201119120000","http://site/cdx"],["20201101000000","http://site/cdx"]]"#,
                ),
                "web.archive.org" if p.starts_with("/cdx/") && cited("soft") => {
                    json(r#"[["timestamp","original"],["20201118000000","http://site/soft"]]"#)
                }
                "web.archive.org" if p.starts_with("/cdx/") => Reply::status(200),
                // Captures: the closest CDX capture of /cdx is dead, the next one is there; the CDX
                // capture of /soft was a redirect to the site's front page.
                "web.archive.org" if p == "/web/20201119120000/http://site/cdx" => {
                    Reply::status(404)
                }
                "web.archive.org" if p == "/web/20201119000000/http://site/soft" => {
                    Reply::html(200, "<title>Page not found</title>")
                }
                "web.archive.org" if p == "/web/20201118000000/http://site/soft" => {
                    Reply::redirect(302, "/web/20201118000001/http://site/")
                }
                "web.archive.org" if p.starts_with("/web/") => {
                    Reply::html(200, "<title>A story</title>")
                }
                "timetravel.mementoweb.org" if cited("soft") => json(
                    r#"{"original_uri":"http://site/soft","mementos":{"closest":{"datetime":"2020-11-21T08:00:00Z","uri":["https://archive.ph/AbCdE"]}}}"#,
                ),
                "timetravel.mementoweb.org" => Reply::status(404),
                "archive.ph" => Reply::html(200, "<title>A story</title>"),
                _ => Reply::status(500),
            }
        },
    )
}

#[tokio::test]
async fn every_archive_is_asked_and_captures_are_verified() {
    let site = Server::http(|_, _| Reply::status(410));
    let archive = archives();
    let config = CheckConfig {
        ca_certs: vec![TEST_CA.pem()],
        resolve: [
            "archive.org",
            "web.archive.org",
            "timetravel.mementoweb.org",
            "archive.ph",
        ]
        .iter()
        .map(|h| format!("{h}:443:{}", archive.addr).parse().unwrap())
        .collect(),
        ..fast()
    };
    let checker = Checker::new(config.clone()).unwrap();
    // The site is cited as http://site/…: the archives know it by that name.
    let docs = vec![brief(&[
        "http://site/kept".to_owned(),
        "http://site/lost".to_owned(),
        "http://site/cdx".to_owned(),
        "http://site/soft".to_owned(),
    ])];
    let requests = citecheck::check::plan(&docs, &config, None);
    let mut results = Vec::new();
    for r in &requests {
        let mut result = checker.check(r).await;
        // The site is gone (the name does not resolve here): what matters is the archive lookup.
        result.status = Status::Broken;
        results.push(result);
    }
    drop(site);
    let wayback = citecheck::archive::Wayback::new(&checker);
    citecheck::archive::wayback::annotate(
        &wayback,
        &docs,
        &mut results,
        citecheck::archive::WaybackMode::Failing,
        |_| {},
    )
    .await;
    let found = |i: usize| results[i].archive.snapshot().cloned();

    // The availability API's capture, verified.
    let kept = found(0).expect("a snapshot of /kept");
    assert_eq!(
        (
            kept.url.as_str(),
            kept.timestamp.as_str(),
            kept.archive.as_deref()
        ),
        (
            "https://web.archive.org/web/20201120044229/http://site/kept",
            "20201120044229",
            Some("Wayback Machine")
        )
    );
    // No archive has it.
    assert_eq!(
        results[1].archive,
        citecheck::check::ArchiveLookup::Found(None)
    );
    // The CDX API's closest capture is a 404: the next-closest is reported.
    let cdx = found(2).expect("a snapshot of /cdx");
    assert_eq!(
        cdx.url,
        "https://web.archive.org/web/20201101000000/http://site/cdx"
    );
    assert!(
        results[2]
            .warnings
            .iter()
            .any(|w| w.message.contains("20201119120000")),
        "the refused capture is named: {:?}",
        results[2].warnings
    );
    // A soft-404 capture and a capture of the front page are refused; archive.today's is there.
    let soft = found(3).expect("a snapshot of /soft");
    assert_eq!(
        (
            soft.url.as_str(),
            soft.archive.as_deref(),
            soft.timestamp.as_str()
        ),
        (
            "https://archive.ph/AbCdE",
            Some("archive.today"),
            "20201121080000"
        )
    );
    let why = &results[3].warnings[0].message;
    assert!(
        why.contains("soft 404") && why.contains("front page"),
        "{why}"
    );

    let asked: Vec<String> = archive.hits().into_iter().map(|h| h.path).collect();
    assert!(
        asked
            .iter()
            .any(|p| p
                .starts_with("/wayback/available?url=http%3A%2F%2Fsite%2Fkept&timestamp=20201119")),
        "{asked:?}"
    );
    assert!(
        asked.iter().any(
            |p| p.starts_with("/cdx/search/cdx?url=http%3A%2F%2Fsite%2Fcdx")
                && p.contains("filter=statuscode%3A200")
                && p.contains("closest=20201119")
        ),
        "{asked:?}"
    );
    assert!(
        asked
            .iter()
            .any(|p| p == "/api/json/20201119/http://site/lost"),
        "{asked:?}"
    );
}

#[tokio::test]
async fn a_silent_archive_is_a_warning_and_is_given_up() {
    let site = Server::http(|_, _| Reply::status(404));
    let archive = RawServer::start(|mut stream| async move {
        read_request_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let config = CheckConfig {
        resolve: vec![format!("archive.org:443:{}", archive.addr).parse().unwrap()],
        timeout: Duration::from_millis(500),
        ..fast()
    };
    let checker = Checker::new(config.clone()).unwrap();
    let urls: Vec<String> = (0..5).map(|i| site.url(&format!("/dead{i}"))).collect();
    let docs = vec![brief(&urls)];
    let mut results = checker
        .check_all(citecheck::check::plan(&docs, &config, None), |_| {})
        .await;
    let started = Instant::now();
    let wayback = citecheck::archive::Wayback::new(&checker);
    citecheck::archive::wayback::annotate(
        &wayback,
        &docs,
        &mut results,
        citecheck::archive::WaybackMode::Failing,
        |_| {},
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(results.iter().all(|r| r.status == Status::Broken));
    assert!(results.iter().all(|r| {
        r.warnings
            .iter()
            .any(|w| w.kind == citecheck::check::WarningKind::ArchiveUnavailable)
    }));
    assert_eq!(
        archive.connections.load(Ordering::SeqCst),
        3,
        "given up after three failures"
    );
}

#[tokio::test]
async fn save_page_now_captures_live_citations_without_a_recent_snapshot() {
    let site = Server::http(|_, _| Reply::html(200, PAGE));
    let archive = Server::https(&["archive.org", "web.archive.org"], |hit, n| {
        if hit.path.starts_with("/wayback/available") {
            json(
                r#"{"archived_snapshots":{"closest":{"available":true,"url":"http://web.archive.org/web/20150101000000/x","timestamp":"20150101000000"}}}"#,
            )
        } else if hit.method == "POST" && hit.path == "/save" {
            json(r#"{"url":"x","job_id":"spn2-42"}"#)
        } else if hit.path == "/save/status/spn2-42" && n == 0 {
            json(r#"{"status":"pending"}"#)
        } else {
            json(
                r#"{"status":"success","timestamp":"20261126120000","original_url":"http://site/story"}"#,
            )
        }
    });
    let config = CheckConfig {
        ca_certs: vec![TEST_CA.pem()],
        resolve: ["archive.org", "web.archive.org"]
            .iter()
            .map(|h| format!("{h}:443:{}", archive.addr).parse().unwrap())
            .collect(),
        ..fast()
    };
    let checker = Checker::new(config).unwrap();
    let mut results = vec![checker.check(&request(&site.url("/story"))).await];
    let mut wayback = citecheck::archive::Wayback::new(&checker);
    wayback.poll_every = Duration::from_millis(20);
    let keys = citecheck::archive::wayback::SaveKeys {
        access: "key".into(),
        secret: "secret".into(),
    };
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    citecheck::archive::wayback::save_live(&wayback, &mut results, Some(&keys), 30, now).await;
    let saved = results[0].saved.as_ref().expect("saved");
    assert_eq!(
        saved.url,
        "https://web.archive.org/web/20261126120000/http://site/story"
    );
    let post = archive
        .hits()
        .into_iter()
        .find(|h| h.method == "POST")
        .unwrap();
    let auth = post
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone());
    assert_eq!(auth.as_deref(), Some("LOW key:secret"));
    assert_eq!(
        archive.hits_for("/save/status/spn2-42").len(),
        2,
        "polled until done"
    );

    // Without keys nothing is sent, and the result says why.
    let before = archive.hits().len();
    let mut results = vec![checker.check(&request(&site.url("/other"))).await];
    citecheck::archive::wayback::save_live(&wayback, &mut results, None, 30, now).await;
    assert_eq!(archive.hits().len(), before);
    assert!(results[0].warnings[0].message.contains("IA_ACCESS_KEY"));
}

#[tokio::test]
async fn insecure_accepts_an_untrusted_certificate() {
    let server = Server::https(&["localhost"], |_, _| Reply::html(200, PAGE));
    let url = format!("https://localhost:{}/story", server.addr.port());
    assert_eq!(check(fast(), &url).await.status, Status::Unreachable);
    let r = check(
        CheckConfig {
            insecure: true,
            ..fast()
        },
        &url,
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
}

// Host health (issue 12): a dead host costs about two timeouts, not one per URL.

/// `n` requests for `http://NAME:PORT/story/i`, with NAME resolved to `addr`.
fn on_named_host(
    name: &str,
    addr: std::net::SocketAddr,
    n: usize,
) -> (CheckConfig, Vec<CheckRequest>) {
    let config = CheckConfig {
        resolve: vec![format!("{name}:{}:{addr}", addr.port()).parse().unwrap()],
        ..fast()
    };
    let requests = (0..n)
        .map(|i| request(&format!("http://{name}:{}/story/{i}", addr.port())))
        .collect();
    (config, requests)
}

fn never_answers() -> RawServer {
    RawServer::start(|mut stream| async move {
        read_request_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
}

#[tokio::test]
async fn dead_host_is_settled_after_two_timeouts() {
    let server = never_answers();
    let (config, requests) = on_named_host("www.mfa.gov.af.invalid", server.addr, 20);
    assert_eq!(config.timeout, Duration::from_secs(2));
    let started = Instant::now();
    let results = Checker::new(config)
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    let elapsed = started.elapsed();
    // Under 3 × timeout + the retry's wait (about 1 × timeout is expected: the retries in flight
    // stop when the host is found dead); without the breaker this is 20 × 2 × 2 s ÷ 2 = 40 s.
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
    assert!(
        results.iter().all(|r| r.status == Status::Timeout),
        "{results:?}"
    );
    let connections = server.connections.load(Ordering::SeqCst);
    assert!(connections <= 4, "{connections} connections");
    // Two time out; a third may have been sent as the first failed, and is given up with the host.
    let settled: Vec<_> = results.iter().filter(|r| r.attempts == 0).collect();
    assert!(settled.len() >= 17, "{results:?}");
    for r in settled {
        assert_eq!(
            r.detail.as_deref(),
            Some("not tried: 2 other requests to www.mfa.gov.af.invalid timed out")
        );
    }
}

#[tokio::test]
async fn refusing_host_is_settled_after_two_refusals() {
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", closed_port()).parse().unwrap();
    let (config, requests) = on_named_host("refusing.invalid", addr, 20);
    let results = Checker::new(config)
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    assert!(
        results.iter().all(|r| r.status == Status::Unreachable),
        "{results:?}"
    );
    // Two refusals, and perhaps one more sent between them.
    let sent: u32 = results.iter().map(|r| r.attempts).sum();
    assert!(sent <= 3, "{sent} requests sent: {results:?}");
    let settled = results.iter().find(|r| r.attempts == 0).unwrap();
    assert_eq!(
        settled.detail.as_deref(),
        Some("not tried: 2 other requests to refusing.invalid were refused")
    );
}

#[tokio::test]
async fn unresolvable_name_is_looked_up_once() {
    let requests = (0..10)
        .map(|i| request(&format!("http://gone.invalid/story/{i}")))
        .collect();
    let results = Checker::new(fast())
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    assert!(
        results.iter().all(|r| r.status == Status::Unreachable),
        "{results:?}"
    );
    // At most the host's two slots asked before the first answer; the lookup itself is shared.
    let sent: u32 = results.iter().map(|r| r.attempts).sum();
    assert!(sent <= 2, "{sent} requests sent: {results:?}");
    let settled = results.iter().filter(|r| r.attempts == 0).count();
    assert!(settled >= 8, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|r| r.attempts == 0)
            .all(|r| r.detail.as_deref() == Some("not tried: gone.invalid did not resolve"))
    );
}

#[tokio::test]
async fn host_that_times_out_once_then_answers_is_checked() {
    let server = Server::http(|hit, before| {
        if hit.path == "/story/0" && before == 0 {
            Reply::html(200, PAGE).delay(Duration::from_secs(30))
        } else {
            Reply::html(200, PAGE)
        }
    });
    let (mut config, requests) = on_named_host("flaky.invalid", server.addr, 8);
    config.host_concurrency = 1;
    config.timeout = Duration::from_secs(1);
    let results = Checker::new(config)
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    assert!(
        results.iter().all(|r| r.status == Status::Ok),
        "{results:?}"
    );
    assert_eq!(results[0].attempts, 2);
    assert_eq!(server.hits().len(), 9);
}

#[tokio::test]
async fn host_breaker_can_be_turned_off() {
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", closed_port()).parse().unwrap();
    let (mut config, requests) = on_named_host("refusing.invalid", addr, 6);
    config.host_breaker = false;
    let results = Checker::new(config)
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    assert!(
        results
            .iter()
            .all(|r| (r.status, r.attempts) == (Status::Unreachable, 1)),
        "{results:?}"
    );
}

// `--resolve` as curl (issue 12): an entry applies to its own host and port only.

#[tokio::test]
async fn resolve_entries_apply_to_their_own_port() {
    let plain = Server::http(|_, _| Reply::html(200, "<title>plain on 80</title>"));
    let tls = Server::https(&["two.invalid"], |_, _| {
        Reply::html(200, "<title>secure on 443</title>")
    });
    let other = Server::http(|_, _| Reply::html(200, "<title>own port 8080</title>"));
    let entries = [
        format!("two.invalid:80:{}", plain.addr),
        format!("two.invalid:443:{}", tls.addr),
        format!("two.invalid:8080:{}", other.addr),
    ];
    for order in [[0, 1, 2], [2, 1, 0]] {
        let config = CheckConfig {
            resolve: order.iter().map(|&i| entries[i].parse().unwrap()).collect(),
            ca_certs: vec![TEST_CA.pem()],
            ..fast()
        };
        let checker = Checker::new(config).unwrap();
        let title = |r: CheckResult| {
            assert_eq!(r.status, Status::Ok, "{r:?}");
            r.page.unwrap().title.unwrap()
        };
        let r = checker.check(&request("http://two.invalid/a")).await;
        assert_eq!(title(r), "plain on 80");
        let r = checker.check(&request("https://two.invalid/a")).await;
        assert_eq!(title(r), "secure on 443");
        let r = checker.check(&request("http://two.invalid:8080/a")).await;
        assert_eq!(title(r), "own port 8080");
        // No entry for this port: the name resolves normally (it cannot), never through another entry.
        let r = checker.check(&request("http://two.invalid:9090/a")).await;
        assert_eq!(r.status, Status::Unreachable, "{r:?}");
        assert!(r.detail.unwrap().contains("DNS"));
    }
    // The server behind ADDR's own port is asked for the host and port of the URL.
    let host = |s: &Server| {
        s.hits()[0]
            .headers
            .iter()
            .find(|(k, _)| k == "host")
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(host(&plain), "two.invalid");
    assert_eq!(host(&other), "two.invalid:8080");
    assert_eq!(plain.hits().len(), 2);
    assert_eq!(tls.hits().len(), 2);
}

#[tokio::test]
async fn resolve_entry_without_own_port_goes_to_the_requests_port() {
    let first = Server::http(|_, _| Reply::html(200, "<title>first</title>"));
    let second = Server::http(|_, _| Reply::html(200, "<title>second</title>"));
    let (p1, p2) = (first.addr.port(), second.addr.port());
    for entries in [
        [
            format!("ports.invalid:{p1}:127.0.0.1"),
            format!("ports.invalid:{p2}:127.0.0.1"),
        ],
        [
            format!("ports.invalid:{p2}:127.0.0.1"),
            format!("ports.invalid:{p1}:127.0.0.1"),
        ],
    ] {
        let config = CheckConfig {
            resolve: entries.iter().map(|e| e.parse().unwrap()).collect(),
            ..fast()
        };
        let checker = Checker::new(config).unwrap();
        for (port, want) in [(p1, "first"), (p2, "second")] {
            let r = checker
                .check(&request(&format!("http://ports.invalid:{port}/")))
                .await;
            assert_eq!(r.page.unwrap().title.as_deref(), Some(want));
        }
    }
}

// Front pages (issue 12): a root, a language root or a section front is where deleted stories go.

#[tokio::test]
async fn front_page_rules_on_real_looking_redirects() {
    let server = Server::http(|hit, _| match hit.path.as_str() {
        "/" => Reply::html(200, "<title>Example News - Home</title>"),
        "/news/world-54980141" => Reply::redirect(301, "/news"),
        "/news" => Reply::html(200, "<title>News - Example News</title>"),
        "/moved" => Reply::redirect(301, "/ok"),
        "/ok" => Reply::html(200, "<title>The story, moved</title>"),
        "/story/1" => Reply::redirect(301, "/en/"),
        "/en/" => Reply::html(200, "<title>Example News - Home</title>"),
        "/a" => Reply::redirect(302, "/us"),
        "/us" => Reply::html(200, "<title>Example News - Home</title>"),
        "/b" => Reply::redirect(301, "/uk-edition-story"),
        "/c" => Reply::redirect(301, "/intl"),
        "/intl" => Reply::html(200, "<title>International edition</title>"),
        _ => Reply::html(200, PAGE),
    });
    let checker = Checker::new(fast()).unwrap();
    let verdict = |path: &'static str| {
        let checker = checker.clone();
        let url = server.url(path);
        async move {
            let r = checker.check(&request(&url)).await;
            (r.status, r.detail.unwrap_or_default())
        }
    };
    let (status, detail) = verdict("/news/world-54980141").await;
    assert_eq!(status, Status::Broken, "{detail}");
    assert!(detail.contains("section front"), "{detail}");
    assert_eq!(verdict("/moved").await.0, Status::Ok);
    let (status, detail) = verdict("/story/1").await;
    assert_eq!(status, Status::Broken, "{detail}");
    assert!(detail.contains("front page"), "{detail}");
    // `/us` is no language: in doubt, its title is compared with the root's, which is the same.
    let (status, detail) = verdict("/a").await;
    assert_eq!(status, Status::Broken, "{detail}");
    assert!(detail.contains("its title is the site's"), "{detail}");
    assert_eq!(verdict("/b").await.0, Status::Ok);
    // An edition with a title of its own is a page of its own.
    assert_eq!(verdict("/c").await.0, Status::Ok);
    assert_eq!(server.hits_for("/").len(), 1, "the root is fetched once");
}

// Bot walls and moves (issue 12).

#[tokio::test]
async fn blocked_results_say_why() {
    use citecheck::check::BlockReason;
    let server = Server::http(|hit, _| match hit.path.as_str() {
        "/cf-header" => {
            Reply::html(403, "<title>Just a moment...</title>").header("cf-mitigated", "challenge")
        }
        "/cf-page" => Reply::html(
            503,
            "<!DOCTYPE html><html><head><title>Just a moment...</title><script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1\"></script>",
        ),
        "/datadome" => {
            Reply::html(403, "<html><body></body></html>").header("x-datadome", "protected")
        }
        "/px" => Reply::html(
            403,
            "<html><head><title>Access to this page has been denied</title></head><body><div id=\"px-captcha\"></div>",
        ),
        "/akamai" => Reply::html(
            403,
            "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>Reference #18.1 https://errors.edgesuite.net/18.1</BODY>",
        ),
        "/forbidden" => Reply::html(403, "<title>403 Forbidden</title>"),
        "/login" => Reply::status(401),
        "/busy" => Reply::status(429),
        "/linkedin" => Reply::status(999),
        _ => Reply::html(200, PAGE),
    });
    let checker = Checker::new(fast()).unwrap();
    for (path, reason) in [
        ("/cf-header", BlockReason::Challenge),
        ("/cf-page", BlockReason::Challenge),
        ("/datadome", BlockReason::Challenge),
        ("/px", BlockReason::Challenge),
        ("/akamai", BlockReason::Challenge),
        ("/forbidden", BlockReason::Forbidden),
        ("/login", BlockReason::Login),
        ("/busy", BlockReason::RateLimited),
        ("/linkedin", BlockReason::Nonstandard),
    ] {
        let r = checker.check(&request(&server.url(path))).await;
        assert_eq!(
            (r.status, r.reason),
            (Status::Blocked, Some(reason)),
            "{path}: {r:?}"
        );
    }
    // A challenge is not retried (a 503 challenge page is no server error); a 429 is.
    assert_eq!(server.hits_for("/cf-page").len(), 1);
    assert_eq!(server.hits_for("/busy").len(), 3);
    let ok = checker.check(&request(&server.url("/fine"))).await;
    assert_eq!((ok.status, ok.reason), (Status::Ok, None));
}

#[tokio::test]
async fn permanent_moves_are_noted_and_trivial_ones_are_not() {
    let server = Server::http(|hit, _| match hit.path.as_str() {
        "/old" => Reply::redirect(301, "/2020/11/new-story"),
        "/old308" => Reply::redirect(308, "/2020/11/new-story"),
        "/temp" => Reply::redirect(302, "/2020/11/new-story"),
        "/see-other" => Reply::redirect(303, "/2020/11/new-story"),
        "/slash" => Reply::redirect(301, "/slash/"),
        "/gone" => Reply::redirect(301, "/2020/11/missing"),
        "/2020/11/missing" => Reply::status(404),
        _ => Reply::html(200, PAGE),
    });
    let checker = Checker::new(fast()).unwrap();
    let moved = |path: &'static str| {
        let checker = checker.clone();
        let url = server.url(path);
        async move { checker.check(&request(&url)).await.moved }
    };
    let m = moved("/old").await.expect("a note");
    assert_eq!((m.url, m.status), (server.url("/2020/11/new-story"), 301));
    assert_eq!(moved("/old308").await.unwrap().status, 308);
    assert_eq!(moved("/temp").await, None);
    assert_eq!(moved("/see-other").await, None);
    assert_eq!(moved("/slash").await, None);
    assert_eq!(
        moved("/gone").await,
        None,
        "a move to a missing page is broken, not moved"
    );
}

#[tokio::test]
async fn one_slow_page_does_not_kill_its_host() {
    let server = Server::http(|hit, _| {
        let page = Reply::html(200, PAGE);
        if hit.path == "/story/0" {
            page.delay(Duration::from_secs(30))
        } else {
            page
        }
    });
    let (mut config, requests) = on_named_host("slow-page.invalid", server.addr, 5);
    config.host_concurrency = 1;
    config.timeout = Duration::from_secs(1);
    let results = Checker::new(config)
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    assert_eq!(
        (results[0].status, results[0].attempts),
        (Status::Timeout, 2)
    );
    assert!(
        results[1..].iter().all(|r| r.status == Status::Ok),
        "{results:?}"
    );
}

#[tokio::test]
async fn redirect_to_a_dead_host_is_settled_without_a_request() {
    let dead: std::net::SocketAddr = format!("127.0.0.1:{}", closed_port()).parse().unwrap();
    let site = Server::http(move |hit, _| {
        Reply::redirect(
            301,
            &format!("http://moved-away.invalid:{}{}", dead.port(), hit.path),
        )
    });
    let config = CheckConfig {
        resolve: vec![
            format!("moved-away.invalid:{}:{dead}", dead.port())
                .parse()
                .unwrap(),
        ],
        host_concurrency: 1,
        ..fast()
    };
    let requests = (0..6)
        .map(|i| request(&site.url(&format!("/s{i}"))))
        .collect();
    let results = Checker::new(config)
        .unwrap()
        .check_all(requests, |_| {})
        .await;
    assert!(
        results.iter().all(|r| r.status == Status::Unreachable),
        "{results:?}"
    );
    // Two refusals on moved-away.invalid; the others stop at the redirect.
    let settled = results
        .iter()
        .filter(|r| {
            r.detail.as_deref()
                == Some("not tried: 2 other requests to moved-away.invalid were refused")
        })
        .count();
    assert_eq!(settled, 4, "{results:?}");
}

#[tokio::test]
async fn deny_private_refuses_redirects_to_embedded_ipv4_forms() {
    let private = Server::http(|_, _| Reply::html(200, PAGE));
    let port = private.addr.port();
    for target in [
        // NAT64 of the cloud metadata address: refused before any connection is tried.
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/".to_owned(),
        // IPv4-mapped and IPv4-compatible loopback, on the private server's port.
        format!("http://[::ffff:127.0.0.1]:{port}/secret"),
        format!("http://[::127.0.0.1]:{port}/secret"),
        // 6to4 of 10.0.0.1.
        "http://[2002:a00:1::1]/".to_owned(),
    ] {
        let to = target.clone();
        let public = Server::http_on("127.0.0.2", move |_, _| Reply::redirect(302, &to));
        let config = CheckConfig {
            deny_private: true,
            allow_private: vec!["127.0.0.2/32".parse().unwrap()],
            ..fast()
        };
        let r = check(config, &format!("http://{}/story", public.addr)).await;
        assert_eq!(r.status, Status::Excluded, "{target}: {r:?}");
        let detail = r.detail.unwrap();
        assert!(
            detail.contains("private address refused by --deny-private"),
            "{detail}"
        );
        if target.contains("64:ff9b") {
            assert!(detail.contains("NAT64 form of 169.254.169.254"), "{detail}");
        }
        assert_eq!((r.redirects.len(), public.hits().len()), (1, 1), "{target}");
    }
    assert!(private.hits().is_empty(), "a redirect target was contacted");
}

#[tokio::test]
async fn redirects_to_unfetchable_schemes_are_excluded_or_invalid() {
    for (location, status, says) in [
        (
            "ftp://ftp.example.org/pub/paper.pdf",
            Status::Excluded,
            "ftp:",
        ),
        ("file:///etc/passwd", Status::Excluded, "file:"),
        ("data:text/html,<h1>hi</h1>", Status::Excluded, "data:"),
        ("javascript:alert(1)", Status::Invalid, "javascript"),
    ] {
        let server = Server::http(move |_, _| Reply::redirect(302, location));
        let r = check(fast(), &server.url("/story")).await;
        assert_eq!(
            (r.status, r.redirects.len()),
            (status, 1),
            "{location}: {r:?}"
        );
        let detail = r.detail.unwrap();
        assert!(detail.contains(says), "{detail}");
        assert_eq!(server.hits().len(), 1);
    }
}

#[tokio::test]
async fn a_page_with_150_response_headers_is_ok() {
    // hyper's default limit is 100 headers; curl and browsers limit only the headers' total size.
    let server = Server::http(|_, _| {
        (0..150).fold(Reply::html(200, PAGE), |reply, i| {
            reply.header(&format!("x-header-{i}"), "value")
        })
    });
    let r = check(fast(), &server.url("/story")).await;
    assert_eq!((r.status, r.http_status), (Status::Ok, Some(200)), "{r:?}");
    // The limit is still a limit: 5,000 header fields are refused, not read without end.
    let server = Server::http(|_, _| {
        (0..5000).fold(Reply::html(200, PAGE), |reply, i| {
            reply.header(&format!("x-header-{i}"), "value")
        })
    });
    let r = check(fast(), &server.url("/story")).await;
    assert_eq!((r.status, r.attempts), (Status::Unreachable, 1), "{r:?}");
}

/// A cited page built to make html5ever's tokenizer work with the square of a tag's attributes
/// (a text fragment has the page read whole) costs what a plain page of its size does.
#[tokio::test]
async fn a_text_fragment_on_a_page_of_a_million_attributes_is_read_in_linear_time() {
    let mut page = String::from("<html><body><p");
    // 350,000 attributes: 3.7 MB, within the 4 MiB read whole for a fragment.
    for i in 0..350_000 {
        page.push_str(&format!(" a{i}=x"));
    }
    page.push_str(">Words here</p></body></html>");
    let server = Server::http(move |_, _| Reply::html(200, &page));
    let url = format!("{}#:~:text=words%20here", server.url("/p"));
    let mut req = request(&url);
    req.fragments = vec![
        (
            citecheck::check::Fragment::Text(vec![("words here".into(), None)]),
            Some("1".into()),
        ),
        (
            citecheck::check::Fragment::Text(vec![("absent words".into(), None)]),
            Some("2".into()),
        ),
    ];
    let started = Instant::now();
    let config = CheckConfig {
        timeout: Duration::from_secs(60),
        ..fast()
    };
    let result = Checker::new(config).unwrap().check(&req).await;
    assert_eq!(result.status, Status::Ok, "{:?}", result.detail);
    // Read whole: the words there are found, the words not there are not.
    let warned: Vec<_> = result
        .warnings
        .iter()
        .map(|w| w.footnote.as_deref())
        .collect();
    assert_eq!(warned, [Some("2")], "{:?}", result.warnings);
    assert!(started.elapsed() < Duration::from_secs(30));
}
