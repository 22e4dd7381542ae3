//! `citecheck check` end to end: the real binary on the example brief, its sites stood in for by local
//! HTTPS servers reached through `--resolve` and trusted through `--ca-cert`.

mod common;

use std::fs;

use predicates::prelude::*;
use serde_json::Value;

use common::{
    RawServer, Reply, Server, TEST_CA, citecheck, closed_port, json_stdout, read_request_head,
    resolve_to, validate_against_schema,
};

const HOSTS: [&str; 6] = [
    "www.youtube.com",
    "tribune.com.pk",
    "www.dawn.com",
    "twitter.com",
    "publish.twitter.com",
    "www.bbc.com",
];

const YOUTUBE_OEMBED: &str = r#"{"title":"Joint press conference of Prime Minister Imran Khan and President of Afghanistan Ashraf Ghani","author_name":"PTV"}"#;
const TWITTER_OEMBED: &str = r#"{"author_name":"US4AfghanPeace","html":"<blockquote class=\"twitter-tweet\"><p>Positive visit</p></blockquote>"}"#;

/// One HTTPS server answering for five of the brief's six sites (YouTube and Twitter through their
/// oEmbed APIs); the sixth (the Afghan foreign ministry) points at a closed port.
fn stand_ins() -> (Server, Vec<String>) {
    let server = Server::https(&HOSTS, |hit, _| {
        let path = hit.path.as_str();
        let host = hit
            .headers
            .iter()
            .find(|(k, _)| k == "host")
            .map_or("", |(_, v)| v.as_str());
        let json = |body: &'static str| {
            Reply::status(200)
                .header("content-type", "application/json")
                .body(body)
        };
        if path.starts_with("/oembed") && host.starts_with("www.youtube.com") {
            json(YOUTUBE_OEMBED)
        } else if path.starts_with("/oembed") {
            json(TWITTER_OEMBED)
        } else if path.starts_with("/story/2272789/pm-imran") {
            Reply::redirect(301, "/story/2272789/moved")
        } else if path.starts_with("/story/2272789/moved") {
            // The story as the paper printed it: the brief quotes the Prime Minister from it.
            Reply::html(
                200,
                "<title>Imran vows to help stem Afghan bloodshed | The Express Tribune</title>\
                 <p>Pakistan will do everything possible to help reduce violence and in fact move \
                 towards a ceasefire, the prime minister said in Kabul.</p>",
            )
        } else if path.starts_with("/news/1591240") {
            Reply::html(200, "<title>Page not found - DAWN.COM</title>")
        } else {
            Reply::html(200, "<title>US troops in Afghanistan - BBC News</title>")
        }
    });
    let mut args = vec![
        "--ca-cert".to_owned(),
        TEST_CA.pem_path.display().to_string(),
    ];
    for host in HOSTS {
        args.push("--resolve".into());
        args.push(format!("{host}:443:{}", server.addr));
    }
    args.push("--resolve".into());
    args.push(format!("www.mfa.gov.af:443:127.0.0.1:{}", closed_port()));
    (server, args)
}

#[test]
fn example_brief_human_report() {
    let (server, args) = stand_ins();
    citecheck()
        .args([
            "check",
            "examples/kabul-visit-brief.md",
            "--retry-wait",
            "10",
        ])
        .args(&args)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "examples/kabul-visit-brief.md\n",
        ))
        .stdout(
            predicate::str::is_match(
                r"\n  fn 1  ok +https://www\.youtube\.com/watch\?v=dHtldMvk9ts\n",
            )
            .unwrap(),
        )
        .stdout(predicate::str::contains(
            "→ https://tribune.com.pk/story/2272789/moved",
        ))
        .stdout(predicate::str::is_match(r"\n  fn 3  broken +https://www\.dawn\.com/").unwrap())
        .stdout(predicate::str::contains("soft 404: page title says"))
        .stdout(
            predicate::str::is_match(r"\n  fn 5  unreachable +https://www\.mfa\.gov\.af/").unwrap(),
        )
        .stdout(predicate::str::contains("(connection refused)"))
        .stdout(predicate::str::contains("6 URLs checked"))
        .stdout(predicate::str::contains("4 ok, 1 broken, 1 unreachable"));
    assert_eq!(server.hits().len(), 6, "five sites, one redirect");
    let paths: Vec<String> = server.hits().into_iter().map(|h| h.path).collect();
    assert!(
        paths.iter().any(|p| p
            .starts_with("/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DdHtldMvk9ts")),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with("/watch")),
        "the watch page is never asked: {paths:?}"
    );
}

#[test]
fn example_brief_json_report() {
    let (_server, args) = stand_ins();
    let output = citecheck()
        .args([
            "check",
            "examples/kabul-visit-brief.md",
            "--format",
            "json",
            "--retry-wait",
            "10",
        ])
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_stdout(&output);
    validate_against_schema(&report);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let by_footnote = |id: &str| -> &Value {
        results
            .iter()
            .find(|r| r["cited_in"][0]["footnote"] == id)
            .unwrap()
    };
    assert_eq!(by_footnote("1")["status"], "ok");
    assert_eq!(by_footnote("1")["via"]["platform"], "youtube");
    assert_eq!(by_footnote("4")["status"], "ok");
    assert_eq!(by_footnote("4")["via"]["platform"], "twitter");
    assert_eq!(by_footnote("4")["page"]["title"], "Positive visit");
    assert_eq!(by_footnote("2")["status"], "ok");
    assert_eq!(
        by_footnote("2")["final_url"],
        "https://tribune.com.pk/story/2272789/moved"
    );
    assert_eq!(by_footnote("2")["redirects"][0]["status"], 301);
    assert_eq!(by_footnote("3")["status"], "broken");
    assert_eq!(by_footnote("3")["http_status"], 200);
    assert_eq!(by_footnote("5")["status"], "unreachable");
    assert_eq!(by_footnote("5")["attempts"], 1);
    assert_eq!(by_footnote("6")["cited_in"][0]["line"], 69);
    assert_eq!(
        by_footnote("6")["cited_in"][0]["path"],
        "examples/kabul-visit-brief.md"
    );
    assert_eq!(report["summary"]["links"]["ok"], 4);
    assert_eq!(report["summary"]["links"]["checked"], 6);
    // Everything extract gives is there too.
    assert_eq!(
        report["documents"][0]["footnotes"][1]["title"],
        "Imran vows to help stem Afghan bloodshed"
    );
}

#[test]
fn warnings_fail_only_when_asked() {
    let server = Server::http(|_, _| Reply::status(403));
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("blocked.md");
    fs::write(
        &doc,
        format!(
            "Cited<sup>1</sup>.\n\n<sup>1</sup> \"A page,\" *Site*, 2020, <{}>\n",
            server.url("/page")
        ),
    )
    .unwrap();
    citecheck()
        .arg("check")
        .arg(&doc)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("blocked"));
    citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn offline_checks_nothing() {
    let server = Server::http(|_, _| Reply::status(404));
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, format!("See {}\n", server.url("/x"))).unwrap();
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--offline", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report = json_stdout(&output);
    assert_eq!(report["results"][0]["status"], "unchecked");
    assert!(server.hits().is_empty());
}

#[test]
fn host_table_in_config_file_limits_concurrency() {
    let server = Server::http(|_, _| {
        Reply::html(200, "<title>ok</title>").delay(std::time::Duration::from_millis(100))
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    let links: String = (0..6)
        .map(|i| format!("{}\n\n", server.url(&format!("/p{i}"))))
        .collect();
    fs::write(&doc, links).unwrap();
    let config = dir.path().join("citecheck.toml");
    fs::write(
        &config,
        "host-concurrency = 4\n[hosts.\"127.0.0.1\"]\nconcurrency = 1\n",
    )
    .unwrap();
    citecheck()
        .arg("check")
        .arg(&doc)
        .arg("--config")
        .arg(&config)
        .assert()
        .code(0);
    assert_eq!(
        server
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(server.hits().len(), 6);
}

#[test]
fn unreadable_ca_cert_is_exit_2() {
    let output = citecheck()
        .args([
            "check",
            "tests/fixtures/clean.md",
            "--ca-cert",
            "no/such/ca.pem",
        ])
        .output()
        .unwrap();
    common::assert_one_line_error(&output, 2, "no/such/ca.pem");
}

#[test]
fn ca_cert_without_a_certificate_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut paths = vec!["/dev/null".to_owned()];
    for (name, bytes) in [
        ("key.pem", key.serialize_pem().into_bytes()),
        ("key.der", key.serialize_der()),
        ("empty.pem", Vec::new()),
        ("notes.txt", b"not a certificate\n".to_vec()),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        paths.push(path.display().to_string());
    }
    for path in paths {
        let output = citecheck()
            .args(["check", "tests/fixtures/clean.md", "--ca-cert", &path])
            .output()
            .unwrap();
        common::assert_one_line_error(&output, 2, &path);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("no certificate"), "{stderr}");
    }
}

#[test]
fn ca_cert_in_der_is_trusted_too() {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let server = Server::https(&["localhost"], |_, _| {
        Reply::html(200, "<title>A story</title>")
    });
    let dir = tempfile::tempdir().unwrap();
    let der = CertificateDer::from_pem_slice(&TEST_CA.pem()).unwrap();
    let der_path = dir.path().join("ca.der");
    fs::write(&der_path, der.as_ref()).unwrap();
    let doc = dir.path().join("a.md");
    let url = format!("https://localhost:{}/story", server.addr.port());
    fs::write(&doc, format!("A link: <{url}>\n")).unwrap();
    for ca in [der_path, TEST_CA.pem_path.clone()] {
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .arg("--ca-cert")
            .arg(&ca)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let report = json_stdout(&output);
        assert_eq!(report["results"][0]["status"], "ok", "{report}");
    }
}

#[test]
fn gzip_bomb_memory_stays_small() {
    let bomb = common::gzip_bomb(512 * 1024 * 1024);
    let server = Server::http(move |_, _| {
        Reply::status(200)
            .header("content-type", "text/html")
            .header("content-encoding", "gzip")
            .body(bomb.clone())
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, format!("{}\n", server.url("/bomb"))).unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("citecheck"))
        .arg("check")
        .arg(&doc)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (status, peak_kib) = wait_with_peak_rss(child);
    assert!(status.success());
    // 512 MiB inflated would show; the check reads at most 256 KiB of it.
    assert!(peak_kib > 0, "no memory reading");
    assert!(peak_kib < 100 * 1024, "peak RSS {peak_kib} KiB");
}

/// Waits for a child, watching its peak resident memory (VmHWM, KiB) while it runs. VmHWM only grows, so
/// the last reading is the peak up to a few milliseconds before exit. (wait4's ru_maxrss would not do: it
/// counts the test process's own memory at the fork.)
fn wait_with_peak_rss(mut child: std::process::Child) -> (std::process::ExitStatus, u64) {
    let mut peak = 0;
    loop {
        if let Some(kib) = common::peak::hwm(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The Wayback Machine's side of a stand-in archive: every capture is there (they are verified before
/// they are reported), and the CDX API knows no captures.
fn capture_or_cdx(path: &str) -> Option<Reply> {
    if path.starts_with("/web/") {
        Some(Reply::html(200, "<title>An archived story</title>"))
    } else if path.starts_with("/cdx/") {
        Some(Reply::status(200))
    } else {
        None
    }
}

#[test]
fn example_brief_with_wayback_gives_the_dead_link_an_archive_copy() {
    let (_server, mut args) = stand_ins();
    let archive = Server::https(&["archive.org", "web.archive.org"], |hit, _| {
        if let Some(reply) = capture_or_cdx(&hit.path) {
            return reply;
        }
        let answer = if hit.path.contains("mfa.gov.af") && hit.path.ends_with("timestamp=20201119")
        {
            r#"{"archived_snapshots":{"closest":{"available":true,"status":"200","url":"http://web.archive.org/web/20201120044229/https://www.mfa.gov.af/news/2296-agreement.html","timestamp":"20201120044229"}}}"#
        } else {
            r#"{"archived_snapshots":{}}"#
        };
        Reply::status(200)
            .header("content-type", "application/json")
            .body(answer)
    });
    args.extend(resolve_to(&archive, &["archive.org", "web.archive.org"]));
    let output = citecheck()
        .args([
            "check",
            "examples/kabul-visit-brief.md",
            "--format",
            "json",
            "--retry-wait",
            "10",
            "--wayback",
        ])
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json_stdout(&output);
    validate_against_schema(&report);
    let results = report["results"].as_array().unwrap();
    for id in ["1", "2", "3", "4", "5", "6"] {
        let r = results
            .iter()
            .find(|r| r["cited_in"][0]["footnote"] == id)
            .unwrap();
        assert!(r["status"].is_string(), "footnote {id} has no status");
        if r["status"] == "ok" {
            assert!(
                r.get("archive").is_none(),
                "only failing links are looked up by default"
            );
        }
    }
    let dead = results
        .iter()
        .find(|r| r["cited_in"][0]["footnote"] == "5")
        .unwrap();
    assert_eq!(dead["status"], "unreachable");
    assert_eq!(
        dead["archive"]["url"],
        "https://web.archive.org/web/20201120044229/https://www.mfa.gov.af/news/2296-agreement.html"
    );
    assert_eq!(dead["archive"]["timestamp"], "20201120044229");
    let soft = results
        .iter()
        .find(|r| r["cited_in"][0]["footnote"] == "3")
        .unwrap();
    assert!(soft["archive"].is_null(), "looked up, no snapshot: {soft}");
    // Each failing link asked of the availability API; the capture found verified; the CDX API asked
    // for the link the availability API had nothing for.
    let asked: Vec<String> = archive.hits().into_iter().map(|h| h.path).collect();
    let count = |prefix: &str| asked.iter().filter(|p| p.starts_with(prefix)).count();
    assert_eq!(
        (count("/wayback/available"), count("/web/"), count("/cdx/")),
        (2, 1, 1),
        "{asked:?}"
    );

    // The human report puts the copy under the footnote.
    citecheck()
        .args(["check", "examples/kabul-visit-brief.md", "--retry-wait", "10", "--wayback"])
        .args(&args)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "archived: https://web.archive.org/web/20201120044229/https://www.mfa.gov.af/news/2296-agreement.html (Wayback Machine, 2020-11-20)",
        ))
        .stdout(predicate::str::contains("no archived copy"));
}

#[test]
fn save_without_keys_says_why() {
    let server = Server::http(|_, _| Reply::html(200, "<title>A live page</title>"));
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    fs::write(&doc, format!("{}\n", server.url("/live"))).unwrap();
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--save", "--format", "json"])
        .env_remove("IA_ACCESS_KEY")
        .env_remove("IA_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("IA_ACCESS_KEY and IA_SECRET_KEY are not set")
    );
    let report = json_stdout(&output);
    assert_eq!(report["results"][0]["warnings"][0]["kind"], "not-saved");
}

/// Issue 12: twenty citations of a site that accepts connections and never answers cost about one
/// timeout (two at most), not twenty; citations elsewhere are checked as usual.
#[test]
fn dead_host_is_settled_in_about_one_timeout_through_the_binary() {
    let dead = RawServer::start(|mut stream| async move {
        read_request_head(&mut stream).await;
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        drop(stream);
    });
    let fine = Server::http(|_, _| Reply::html(200, "<title>fine</title>"));
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    let port = dead.addr.port();
    let mut text: String = (0..20)
        .map(|i| format!("http://www.mfa.gov.af.invalid:{port}/news/{i}\n\n"))
        .collect();
    text.push_str(&format!("{}\n\n{}\n", fine.url("/a"), fine.url("/b")));
    fs::write(&doc, text).unwrap();
    let started = std::time::Instant::now();
    let output = citecheck()
        .arg("check")
        .arg(&doc)
        .args(["--timeout", "2", "--format", "json", "--resolve"])
        .arg(format!("www.mfa.gov.af.invalid:{port}:{}", dead.addr))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    // 3 × timeout + the retry's wait (1 s, up to 2 s with jitter).
    assert!(
        elapsed < std::time::Duration::from_secs(8),
        "took {elapsed:?}"
    );
    assert!(dead.connections.load(std::sync::atomic::Ordering::SeqCst) <= 4);
    let report = json_stdout(&output);
    validate_against_schema(&report);
    let links = report["results"].as_array().unwrap();
    let status = |r: &Value| r["status"].as_str().unwrap().to_owned();
    assert_eq!(links.iter().filter(|r| status(r) == "timeout").count(), 20);
    assert_eq!(links.iter().filter(|r| status(r) == "ok").count(), 2);
    let settled = links.iter().filter(|r| r["attempts"] == 0).count();
    assert!(settled >= 17, "{links:?}");
    assert!(
        links
            .iter()
            .any(|r| r["detail"]
                == "not tried: 2 other requests to www.mfa.gov.af.invalid timed out")
    );
}

#[test]
fn no_host_breaker_tries_every_url() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("a.md");
    let port = closed_port();
    let text: String = (0..5)
        .map(|i| format!("http://127.0.0.1:{port}/p{i}\n\n"))
        .collect();
    fs::write(&doc, text).unwrap();
    let attempts = |extra: &[&str]| -> u64 {
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let report = json_stdout(&output);
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["attempts"].as_u64().unwrap())
            .sum()
    };
    // Two refusals, and perhaps one more sent between them.
    assert!(attempts(&[]) <= 3);
    assert_eq!(attempts(&["--no-host-breaker"]), 5);
    let config = dir.path().join("citecheck.toml");
    fs::write(&config, "no-host-breaker = true\n").unwrap();
    assert_eq!(attempts(&["--config", config.to_str().unwrap()]), 5);
}

/// Issue 12: a bot wall says which, the human report says what to do, and `--wayback` looks for the
/// archived copy of a blocked citation as of a failing one; a permanent move is a note.
#[test]
fn blocked_citation_gets_a_reason_a_hint_and_an_archive_lookup() {
    let site = Server::http(|hit, _| match hit.path.as_str() {
        "/story" => {
            Reply::html(403, "<title>Just a moment...</title>").header("cf-mitigated", "challenge")
        }
        "/old" => Reply::redirect(301, "/2020/11/new"),
        _ => Reply::html(200, "<title>A story</title>"),
    });
    let archive = Server::https(&["archive.org", "web.archive.org"], |hit, _| {
        if let Some(reply) = capture_or_cdx(&hit.path) {
            return reply;
        }
        let answer = if hit.path.contains("story") {
            r#"{"archived_snapshots":{"closest":{"available":true,"status":"200","url":"http://web.archive.org/web/20201120044229/http://site/story","timestamp":"20201120044229"}}}"#
        } else {
            r#"{"archived_snapshots":{}}"#
        };
        Reply::status(200)
            .header("content-type", "application/json")
            .body(answer)
    });
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    fs::write(
        &doc,
        format!(
            "Walled.[^1] Moved.[^2]\n\n[^1]: \"A story,\" *Paper*, November 19, 2020, <{}>\n[^2]: \"Another,\" *Paper*, November 19, 2020, <{}>\n",
            site.url("/story"),
            site.url("/old")
        ),
    )
    .unwrap();
    let run = |format: &str| {
        citecheck()
            .arg("check")
            .arg(&doc)
            .args(["--wayback", "--format", format, "--ca-cert"])
            .arg(&TEST_CA.pem_path)
            .args(resolve_to(&archive, &["archive.org", "web.archive.org"]))
            .output()
            .unwrap()
    };
    let human = String::from_utf8(run("human").stdout).unwrap();
    assert!(
        human.contains(
            "refused automated checks (challenge): check by hand or see the archived copy"
        ),
        "{human}"
    );
    assert!(
        human.contains("archived: https://web.archive.org/web/20201120044229/http://site/story"),
        "{human}"
    );
    assert!(
        human.contains(&format!(
            "note: moved permanently (301); cite {} instead",
            site.url("/2020/11/new")
        )),
        "{human}"
    );
    let report = json_stdout(&run("json"));
    validate_against_schema(&report);
    let results = report["results"].as_array().unwrap();
    let blocked = results.iter().find(|r| r["status"] == "blocked").unwrap();
    assert_eq!(blocked["reason"], "challenge");
    assert!(
        blocked["archive"]["url"]
            .as_str()
            .unwrap()
            .contains("20201120044229")
    );
    let moved = results.iter().find(|r| r["status"] == "ok").unwrap();
    assert_eq!(moved["moved"]["url"], site.url("/2020/11/new"));
    assert_eq!(moved["moved"]["status"], 301);
    assert!(moved.get("reason").is_none());
}

#[test]
fn no_host_resolving_says_the_machine_may_be_offline() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("brief.md");
    let site = Server::http(|_, _| Reply::html(200, "<title>A story</title>"));
    let run = |urls: &[String]| {
        let mut text = String::new();
        for (i, url) in urls.iter().enumerate() {
            text.push_str(&format!("Cited.[^{i}]\n\n[^{i}]: \"A story,\" <{url}>\n\n"));
        }
        fs::write(&doc, text).unwrap();
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .args(["--max-retries", "0", "--format", "json"])
            .output()
            .unwrap();
        String::from_utf8(output.stderr).unwrap()
    };
    // `.invalid` never resolves (RFC 2606), online or not.
    let hint =
        "no host could be resolved: is this machine offline? (`--offline` checks structure only)";
    let stderr = run(&[
        "http://one.invalid/a".to_owned(),
        "https://two.invalid/b".to_owned(),
    ]);
    assert_eq!(stderr.trim_end(), format!("citecheck: {hint}"));
    // One host that answers: not offline.
    let stderr = run(&["http://one.invalid/a".to_owned(), site.url("/story")]);
    assert!(!stderr.contains(hint), "{stderr}");
}

/// The sample outputs in the README (a code block after `<!-- sample: NAME -->`) are the real output:
/// each line but a closing `…` is the output's line, in order, times aside. `CITECHECK_BLESS=1`
/// rewrites them from the real output, keeping each sample's length.
#[test]
fn readme_samples_are_real_output() {
    let (_server, args) = stand_ins();
    let extract = citecheck()
        .args(["extract", "examples/kabul-visit-brief.md"])
        .output()
        .unwrap();
    let check = citecheck()
        .args([
            "check",
            "examples/kabul-visit-brief.md",
            "--retry-wait",
            "10",
        ])
        .args(&args)
        .output()
        .unwrap();
    // `fix`: the Wayback Machine (stood in for) has a capture of the dead MFA page.
    let archive = Server::https(&["archive.org", "web.archive.org"], |hit, _| {
        if let Some(reply) = capture_or_cdx(&hit.path) {
            return reply;
        }
        let answer = if hit.path.contains("mfa.gov.af") {
            r#"{"archived_snapshots":{"closest":{"available":true,"status":"200","url":"http://web.archive.org/web/20201120044229/https://www.mfa.gov.af/news/2296-agreement-between-afghanistan-and-pakistan-on-establishing-a-shared-vision-in-support-of-peace-and-stability-in-both-countries-and-the-wider-region.html","timestamp":"20201120044229"}}}"#
        } else {
            r#"{"archived_snapshots":{}}"#
        };
        Reply::status(200)
            .header("content-type", "application/json")
            .body(answer)
    });
    let fix = citecheck()
        .args(["fix", "examples/kabul-visit-brief.md"])
        .args(["--retry-wait", "10"])
        .args(&args)
        .args(resolve_to(&archive, &["archive.org", "web.archive.org"]))
        .output()
        .unwrap();
    assert_eq!(fix.status.code(), Some(0), "{fix:?}");
    // It ends with one line saying what it did, and why the failing citation it left is left.
    let said = String::from_utf8(fix.stderr.clone()).unwrap();
    eprintln!("{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with("citecheck: 1 citation to rewrite (the diff above; --write applies it); 1 failing citation has no archived copy"),
        "{said}"
    );
    let outputs = [
        ("extract", String::from_utf8(extract.stdout).unwrap()),
        ("check", String::from_utf8(check.stdout).unwrap()),
        ("fix", String::from_utf8(fix.stdout).unwrap()),
    ];
    let times = regex::Regex::new(r" in [0-9.]+ s").unwrap();
    let normal = |line: &str| times.replace_all(line, " in N s").into_owned();
    let readme = fs::read_to_string("README.md").unwrap();
    let mut blessed = readme.clone();
    for (name, output) in &outputs {
        let marker = format!("<!-- sample: {name} -->\n```\n");
        let start = readme
            .find(&marker)
            .unwrap_or_else(|| panic!("no sample {name}"))
            + marker.len();
        let end = start + readme[start..].find("```\n").unwrap();
        let sample: Vec<&str> = readme[start..end].lines().collect();
        let real: Vec<&str> = output.lines().collect();
        // A sample is the output's first lines, or its first lines, `…`, and its last lines.
        let fresh: Vec<String> = match sample.iter().position(|l| l.trim() == "…") {
            None => real
                .iter()
                .take(sample.len())
                .map(|l| (*l).to_owned())
                .collect(),
            Some(at) => {
                let tail = sample.len() - at - 1;
                let mut lines: Vec<String> =
                    real.iter().take(at).map(|l| (*l).to_owned()).collect();
                lines.push("  …".to_owned());
                lines.extend(
                    real[real.len().saturating_sub(tail)..]
                        .iter()
                        .map(|l| (*l).to_owned()),
                );
                lines
            }
        };
        let fresh_text = format!("{}\n", fresh.join("\n"));
        blessed = blessed.replacen(&readme[start..end], &fresh_text, 1);
        if std::env::var_os("CITECHECK_BLESS").is_none() {
            let want: Vec<String> = fresh.iter().map(|l| normal(l)).collect();
            let have: Vec<String> = sample.iter().map(|l| normal(l)).collect();
            assert_eq!(
                have, want,
                "the README's {name} sample is not the real output (CITECHECK_BLESS=1 rewrites it)"
            );
        }
    }
    if std::env::var_os("CITECHECK_BLESS").is_some() && blessed != readme {
        fs::write("README.md", blessed).unwrap();
    }
}
