//! Briefs read from the publisher's website (issue 23): the real binary fetches a brief from its URL,
//! or the briefs a sitemap or feed lists, from a publisher stand-in on loopback with a robots.txt.

mod common;

use std::sync::Arc;

use serde_json::Value;

use common::{Reply, Server, TEST_CA, citecheck, json_stdout, resolve_to};

/// The brief as the publisher's site shows it: a navigation bar and a footer around the article, a
/// relative link in the article, a sentence quoting the page its footnote cites.
fn brief_html(title: &str) -> String {
    format!(
        r##"<!doctype html><html><head><title>{title}</title></head><body>
<header><nav><a href="/about">About us</a> <a href="/donate">Donate</a></nav></header>
<article><h1>{title}</h1>
<p>The prime minister said that "Pakistan will do everything possible to reduce violence" in Kabul.<sup><a href="#fn1" id="r1">1</a></sup>
The ministry said it would "open three new crossings within the month".<sup><a href="#fn2" id="r2">2</a></sup>
See also <a href="/briefs/earlier">our earlier brief</a>.</p>
<ol class="footnotes">
<li id="fn1">"PM Khan in Kabul," <i>The Paper</i>, November 19, 2020, <a href="/cited/kept">/cited/kept</a></li>
<li id="fn2">"Crossings," <i>The Paper</i>, November 20, 2020, <a href="/cited/lost">/cited/lost</a></li>
</ol></article>
<footer><a href="/privacy">Privacy</a> <a href="https://social.example/share">Share</a></footer>
</body></html>"##
    )
}

/// The example brief typeset by LibreOffice: a real PDF with six footnotes.
fn brief_pdf() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/generated/kabul-brief.libreoffice.pdf"
    ))
    .unwrap()
}

/// A publisher's site: briefs, a sitemap index and its sitemap, an RSS and an Atom feed, a
/// robots.txt that keeps crawlers out of `/drafts/`, and the pages the briefs cite.
fn publisher() -> Server {
    let pdf = Arc::new(brief_pdf());
    let base: Arc<std::sync::OnceLock<String>> = Arc::default();
    let server_base = Arc::clone(&base);
    let server = Server::http(move |hit, _| {
        let base = server_base.get().cloned().unwrap_or_default();
        let xml = |body: String| {
            Reply::status(200)
                .header("content-type", "application/xml")
                .body(body)
        };
        match hit.path.as_str() {
            "/robots.txt" => Reply::status(200)
                .header("content-type", "text/plain")
                .body("User-agent: *\nDisallow: /drafts/\n"),
            "/sitemap_index.xml" => xml(format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-briefs.xml</loc></sitemap></sitemapindex>"#
            )),
            "/sitemap-briefs.xml" => xml(format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/briefs/kabul</loc><lastmod>2020-11-21</lastmod></url>
<url><loc>{base}/drafts/unpublished</loc></url>
<url><loc>{base}/news/press-release</loc></url>
<url><loc>{base}/briefs/kabul.pdf</loc></url>
<url><loc>{base}/briefs/gone</loc></url>
</urlset>"#
            )),
            "/feed.rss" => Reply::status(200)
                .header("content-type", "application/rss+xml")
                .body(format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Briefs</title><link>{base}/</link>
<item><title>Kabul</title><link>{base}/briefs/kabul</link></item>
<item><title>Kabul (PDF)</title><link>{base}/briefs/kabul.pdf</link></item></channel></rss>"#
                )),
            "/feed.atom" => Reply::status(200)
                .header("content-type", "application/atom+xml")
                .body(format!(
                    r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Briefs</title>
<link href="{base}/"/><entry><title>Kabul</title><link rel="edit" href="{base}/edit/1"/><link href="/briefs/kabul"/></entry></feed>"#
                )),
            // A feed that moved: its entries are relative to where it is now.
            "/feed" => Reply::redirect(301, "/blog/feed.xml"),
            "/blog/feed.xml" => Reply::status(200)
                .header("content-type", "application/rss+xml")
                .body(r#"<rss><channel><item><link>kabul</link></item></channel></rss>"#),
            "/briefs/kabul" | "/blog/kabul" | "/news/press-release" | "/drafts/unpublished" => {
                Reply::html(200, &brief_html("Kabul visit"))
            }
            // A PDF served under a name without an extension would do too: the bytes say.
            "/briefs/kabul.pdf" => Reply::status(200)
                .header("content-type", "application/octet-stream")
                .body(pdf.as_ref().clone()),
            "/briefs/earlier" => Reply::html(200, "<title>Earlier</title>"),
            "/briefs/dead" => Reply::html(
                200,
                r##"<title>Dead</title><article><p>A claim.<sup><a href="#fn1">1</a></sup></p>
<ol class="footnotes"><li id="fn1">"A story," <i>The Paper</i>, November 19, 2020, <a href="/cited/gone">/cited/gone</a></li></ol></article>"##,
            ),
            "/cited/kept" => Reply::html(
                200,
                "<title>PM Khan in Kabul</title><p>Pakistan will do everything possible to \
                 reduce violence, the prime minister said.</p>",
            ),
            "/cited/lost" => Reply::html(
                200,
                "<title>Crossings</title><p>The page now speaks of something else.</p>",
            ),
            _ => Reply::status(404),
        }
    });
    base.set(server.url("")).unwrap();
    server
}

fn check(args: &[&str]) -> std::process::Output {
    citecheck()
        .arg("check")
        .args(args)
        .args(["--format", "json", "--max-retries", "0", "--no-progress"])
        .output()
        .unwrap()
}

fn paths(report: &Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_owned())
        .collect()
}

fn result<'a>(report: &'a Value, url: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["url"] == url)
        .unwrap_or_else(|| panic!("no result for {url}: {report:#}"))
}

#[test]
fn a_brief_read_from_its_url_is_checked_as_an_article_with_its_quotes() {
    let site = publisher();
    let brief = site.url("/briefs/kabul");
    let out = check(&[&brief]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json_stdout(&out);
    common::validate_against_schema(&report);
    assert_eq!(paths(&report), [brief.as_str()]);
    assert_eq!(report["documents"][0]["format"], "html");

    // The article's relative link resolves against the page's URL; the site's chrome is not asked.
    assert_eq!(
        result(&report, &site.url("/briefs/earlier"))["status"],
        "ok"
    );
    for chrome in ["/about", "/donate", "/privacy"] {
        assert!(site.hits_for(chrome).is_empty(), "{chrome} was asked");
    }
    // robots.txt was read once, for the brief.
    assert_eq!(site.hits_for("/robots.txt").len(), 1);

    // The quoted words are on one cited page and not on the other: the links stay ok either way.
    let kept = result(&report, &site.url("/cited/kept"));
    assert_eq!(kept["status"], "ok");
    assert_eq!(
        kept["quotes"][0]["text"],
        "Pakistan will do everything possible to reduce violence"
    );
    assert_eq!(kept["quotes"][0]["found"], "live");
    let lost = result(&report, &site.url("/cited/lost"));
    assert_eq!(lost["status"], "ok");
    assert_eq!(lost["quotes"][0]["found"], "none");
    assert_eq!(lost["warnings"][0]["kind"], "quote-not-found");
}

#[test]
fn a_sitemap_index_expands_to_the_briefs_it_lists_within_robots_pattern_and_bound() {
    let site = publisher();
    let out = check(&[
        &site.url("/sitemap_index.xml"),
        "--document-pattern",
        "/briefs/",
        "--max-documents",
        "2",
        "--include",
        "127\\.0\\.0\\.1",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report = json_stdout(&out);
    // Of four listed briefs, the pattern keeps three, the bound two, in the sitemap's order; the
    // press release is not a brief; the draft is kept out by robots.txt and never asked for.
    assert_eq!(
        paths(&report),
        [site.url("/briefs/kabul"), site.url("/briefs/kabul.pdf")]
    );
    assert_eq!(report["documents"][1]["format"], "pdf");
    assert_eq!(
        report["documents"][1]["footnotes"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    assert!(site.hits_for("/drafts/unpublished").is_empty());
    assert!(site.hits_for("/news/press-release").is_empty());
    assert!(site.hits_for("/briefs/gone").is_empty());
    assert!(
        stderr.contains("3 documents listed; 2 read (see --max-documents)"),
        "{stderr}"
    );

    // Without the pattern, the draft is left out by robots.txt, said once.
    let out = check(&[
        &site.url("/sitemap-briefs.xml"),
        "--include",
        "127\\.0\\.0\\.1",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 listed document left out: robots.txt does not let citecheck fetch it"),
        "{stderr}"
    );
    assert!(site.hits_for("/drafts/unpublished").is_empty());
    // The listed brief that is gone is one line and exit 2; the others are still reported.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "citecheck: error: {}: 404 Not Found",
            site.url("/briefs/gone")
        )),
        "{stderr}"
    );
    assert_eq!(json_stdout(&out)["documents"].as_array().unwrap().len(), 3);
}

#[test]
fn rss_and_atom_feeds_list_documents() {
    let site = publisher();
    let out = check(&[
        &site.url("/feed.rss"),
        &site.url("/feed.atom"),
        "--include",
        "127\\.0\\.0\\.1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json_stdout(&out);
    // The Atom entry's link is relative to the feed, and its edit link is not an entry; the brief
    // both feeds list is read once.
    assert_eq!(
        paths(&report),
        [site.url("/briefs/kabul"), site.url("/briefs/kabul.pdf")]
    );
    assert!(site.hits_for("/edit/1").is_empty());
    assert_eq!(site.hits_for("/briefs/kabul").len(), 1);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "{}: every document it lists was read from an earlier input",
            site.url("/feed.atom")
        )),
        "{out:?}"
    );
}

#[test]
fn a_listing_s_entries_are_relative_to_where_its_redirects_ended() {
    let site = publisher();
    let out = check(&[&site.url("/feed"), "--include", "127\\.0\\.0\\.1"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(paths(&json_stdout(&out)), [site.url("/blog/kabul")]);
}

/// A sitemap of 5,000 briefs: the first 100 are read (--max-documents' default), the others
/// counted, never asked for.
#[test]
fn a_large_sitemap_is_read_to_its_bound() {
    let base: std::sync::Arc<std::sync::OnceLock<String>> = Default::default();
    let server_base = std::sync::Arc::clone(&base);
    let site = Server::http(move |hit, _| {
        let base = server_base.get().cloned().unwrap_or_default();
        match hit.path.as_str() {
            "/robots.txt" => Reply::status(404),
            "/sitemap.xml" => Reply::status(200)
                .header("content-type", "application/xml")
                .body(format!(
                    "<urlset>{}</urlset>",
                    (0..5_000)
                        .map(|i| format!("<url><loc>{base}/briefs/{i}</loc></url>"))
                        .collect::<String>()
                )),
            _ => Reply::html(
                200,
                "<title>Brief</title><article><p>No notes.</p></article>",
            ),
        }
    });
    base.set(site.url("")).unwrap();
    let out = check(&[&site.url("/sitemap.xml")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        json_stdout(&out)["documents"].as_array().unwrap().len(),
        100
    );
    assert!(
        stderr.contains("5000 documents listed; 100 read (see --max-documents)"),
        "{stderr}"
    );
    let briefs = site
        .hits()
        .iter()
        .filter(|h| h.path.starts_with("/briefs/"))
        .count();
    assert_eq!(briefs, 100);
}

#[test]
fn a_document_that_cannot_be_fetched_is_one_line_and_exit_2() {
    let site = publisher();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("brief.md");
    std::fs::write(
        &local,
        format!("Text.[^1]\n\n[^1]: <{}>\n", site.url("/cited/kept")),
    )
    .unwrap();
    let missing = site.url("/briefs/missing");
    let disallowed = site.url("/drafts/unpublished");
    let out = check(&[&missing, local.to_str().unwrap(), &disallowed]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(
        errors,
        [
            format!("citecheck: error: {missing}: 404 Not Found"),
            format!("citecheck: error: {disallowed}: robots.txt does not let citecheck fetch it"),
        ],
        "{stderr}"
    );
    assert!(site.hits_for("/drafts/unpublished").is_empty());
    // The file given between them is still read and checked.
    assert_eq!(
        paths(&json_stdout(&out)),
        [local.to_str().unwrap().to_owned()]
    );
}

#[test]
fn a_site_that_is_not_there_and_a_page_that_is_no_document() {
    let site = publisher();
    let gone = format!("http://127.0.0.1:{}/brief", common::closed_port());
    let out = check(&[&gone]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("citecheck: error: {gone}: ")),
        "{stderr}"
    );

    let image = Server::http(|hit, _| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ => Reply::status(200)
            .header("content-type", "image/png")
            .body(&b"\x89PNG\r\n"[..]),
    });
    let out = check(&[&image.url("/chart.png")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("not a document citecheck reads (Content-Type: image/png)"),
        "{out:?}"
    );
    drop(site);
}

/// A site that does not answer within --timeout: one line, exit 2.
#[test]
fn a_document_that_does_not_answer_in_time() {
    let slow = Server::http(|hit, _| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ => Reply::html(200, "<title>Late</title>").delay(std::time::Duration::from_secs(3)),
    });
    let url = slow.url("/brief");
    let out = check(&[&url, "--timeout", "1"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("citecheck: error: {url}: no answer in 1 s")),
        "{out:?}"
    );
}

#[test]
fn deny_private_holds_for_documents_too() {
    let site = publisher();
    let out = check(&[&site.url("/briefs/kabul"), "--deny-private"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--deny-private"), "{stderr}");
    assert!(site.hits().is_empty(), "{:?}", site.hits());
}

#[test]
fn history_tracks_a_web_document_by_its_url_and_fix_gives_a_table() {
    let site = publisher();
    let archive = common::wayback_of_gone();
    let reports = tempfile::tempdir().unwrap();
    let brief = site.url("/briefs/dead");
    let run = |extra: &[&str]| {
        let mut cmd = citecheck();
        cmd.args(extra)
            .arg(&brief)
            .args(["--max-retries", "0", "--no-progress", "--ca-cert"])
            .arg(&TEST_CA.pem_path)
            .args(resolve_to(&archive, &["archive.org", "web.archive.org"]));
        cmd.output().unwrap()
    };
    let dir = reports.path().to_str().unwrap();
    for _ in 0..2 {
        let out = run(&["check", "--format", "json", "--report-dir", dir]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
    }
    let latest: Value =
        serde_json::from_slice(&std::fs::read(reports.path().join("latest.json")).unwrap())
            .unwrap();
    assert_eq!(paths(&latest), [brief.as_str()]);
    // The second run knows the first: the broken link is not new.
    let gone = site.url("/cited/gone");
    assert_eq!(result(&latest, &gone)["status"], "broken");
    let changes = &latest["changes"];
    assert!(changes["previous"].is_string(), "{changes:#}");
    assert_eq!(
        changes["newly_broken"],
        serde_json::json!([]),
        "{changes:#}"
    );
    assert_eq!(changes["still_broken"][0]["url"], gone, "{changes:#}");

    // `fix` cannot write the publisher's page: it gives the table of what to change.
    let out = run(&["fix"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains(&brief), "{stdout}");
    assert!(
        stdout.contains(&format!("https://web.archive.org/web/{STAMP}/")),
        "{stdout}"
    );
    assert!(
        stderr.contains("1 citation to replace by hand (the table above)"),
        "{stderr}"
    );
}

const STAMP: &str = common::CAPTURE_STAMP;
