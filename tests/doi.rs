//! DOIs are checked as DOIs: through the handle API (a local HTTPS stand-in for doi.org), with title
//! and date from Crossref's metadata API (a stand-in for api.crossref.org), never through the
//! publisher's landing page.

mod common;

use std::time::Duration;

use citecheck::check::drift::CitedAs;
use citecheck::check::{CheckConfig, CheckRequest, Checker, Status, Target, WarningKind};
use citecheck::uri::Uri;
use common::{Reply, Server, TEST_CA, citecheck, json_stdout, resolve_to};

const LAMPORT: &str = "10.1145/359545.359563";

fn json(status: u16, body: &str) -> Reply {
    Reply::status(status)
        .header("content-type", "application/json")
        .body(body.to_owned())
}

/// doi.org's handle API knows LAMPORT and a DataCite DOI; Crossref knows LAMPORT only.
fn registry() -> Server {
    Server::https(&["doi.org", "api.crossref.org"], |hit, _| {
        let path = hit.path.as_str();
        if let Some(doi) = path.strip_prefix("/api/handles/") {
            if doi == LAMPORT || doi.starts_with("10.5281/") {
                json(
                    200,
                    &format!(r#"{{"responseCode":1,"handle":"{doi}","values":[]}}"#),
                )
            } else {
                json(404, &format!(r#"{{"responseCode":100,"handle":"{doi}"}}"#))
            }
        } else if path.starts_with(&format!("/works/{LAMPORT}")) {
            json(
                200,
                r#"{"status":"ok","message":{"title":["Time, clocks, and the ordering of events in a distributed system"],"issued":{"date-parts":[[1978,7,1]]}}}"#,
            )
        } else if path.starts_with("/works/") {
            Reply::status(404).body("Resource not found.")
        } else {
            // A landing page through the resolver: a DOI check must never come here.
            Reply::status(403).body("bot check")
        }
    })
}

fn config(server: &Server) -> CheckConfig {
    CheckConfig {
        ca_certs: vec![TEST_CA.pem()],
        resolve: ["doi.org", "api.crossref.org"]
            .iter()
            .map(|h| format!("{h}:443:{}", server.addr).parse().unwrap())
            .collect(),
        timeout: Duration::from_secs(2),
        max_retries: 0,
        mailto: Some("editor@example.org".into()),
        ..CheckConfig::default()
    }
}

fn cited(url: &str, title: &str, date: &str) -> CheckRequest {
    CheckRequest {
        url: url.to_owned(),
        target: Target::Fetch(Uri::parse(url).unwrap()),
        cited_in: Vec::new(),
        cited_as: vec![CitedAs {
            footnote: "1".into(),
            title: Some(title.into()),
            date: Some(date.into()),
        }],
        fragments: Vec::new(),
        quotes: Vec::new(),
    }
}

#[tokio::test]
async fn registered_dois_are_ok_with_crossref_metadata() {
    let server = registry();
    let checker = Checker::new(config(&server)).unwrap();
    let url = format!("https://doi.org/{LAMPORT}");
    let r = checker
        .check(&cited(
            &url,
            "Time, clocks, and the ordering of events in a distributed system",
            "1978-07",
        ))
        .await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    let via = r.via.as_ref().unwrap();
    assert_eq!(
        (via.platform.as_str(), via.url.as_str()),
        ("doi", "https://doi.org/api/handles/10.1145/359545.359563")
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        r.page.as_ref().unwrap().published.as_deref(),
        Some("1978-07-01")
    );
    let hits = server.hits();
    assert!(
        hits.iter()
            .any(|h| h.path == "/works/10.1145/359545.359563?mailto=editor%40example.org"),
        "Crossref asked in its polite pool: {:?}",
        hits.iter().map(|h| &h.path).collect::<Vec<_>>()
    );
    assert!(
        hits.iter().all(|h| !h.path.starts_with("/10.")),
        "the landing page is never asked"
    );

    // The same DOI cited under another title and year drifts.
    let r = checker
        .check(&cited(&url, "Paxos made simple", "2001-11-01"))
        .await;
    assert_eq!(r.status, Status::Ok);
    let kinds: Vec<WarningKind> = r.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [WarningKind::TitleMismatch, WarningKind::DateMismatch]
    );
}

#[tokio::test]
async fn unregistered_dois_are_broken_and_other_registries_ok() {
    let server = registry();
    let checker = Checker::new(config(&server)).unwrap();
    let r = checker
        .check(&cited(
            "http://dx.doi.org/10.1145/0000000.0000000",
            "Nothing",
            "2000",
        ))
        .await;
    assert_eq!(r.status, Status::Broken, "{r:?}");
    assert!(r.detail.unwrap().contains("DOI not registered"));

    // A DataCite DOI: registered, unknown to Crossref, so no metadata and no drift.
    let r = checker
        .check(&cited(
            "https://doi.org/10.5281/zenodo.1234567",
            "A dataset",
            "2019-05-05",
        ))
        .await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert!(r.warnings.is_empty() && r.page.is_none(), "{r:?}");
}

#[test]
fn a_doi_written_without_a_link_is_checked() {
    let server = registry();
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("refs.md");
    std::fs::write(
        &doc,
        format!(
            "Clocks[^1] and more[^2].\n\n\
             [^1]: Lamport L. \"Time, clocks, and the ordering of events in a distributed system.\" Commun ACM. 1978;21(7):558-65. doi:{LAMPORT}\n\
             [^2]: Nobody N. \"Never published.\" J Nothing. 2009;1:2. DOI: 10.1145/0000000.0000000.\n"
        ),
    )
    .unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, TEST_CA.pem()).unwrap();
    let mut cmd = citecheck();
    cmd.arg("check").arg(&doc).arg("--ca-cert").arg(&ca);
    cmd.args(resolve_to(&server, &["doi.org", "api.crossref.org"]));
    let output = cmd
        .args(["--format", "json", "--max-retries", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json_stdout(&output);
    let urls = &report["documents"][0]["footnotes"];
    assert_eq!(urls[0]["urls"][0], format!("https://doi.org/{LAMPORT}"));
    assert_eq!(
        urls[1]["urls"][0],
        "https://doi.org/10.1145/0000000.0000000"
    );
    let results = report["results"].as_array().unwrap();
    let status = |url: &str| {
        results
            .iter()
            .find(|r| r["url"] == url)
            .map(|r| r["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        status(&format!("https://doi.org/{LAMPORT}")).as_deref(),
        Some("ok")
    );
    assert_eq!(
        status("https://doi.org/10.1145/0000000.0000000").as_deref(),
        Some("broken")
    );
}
