//! The cited words (issue 23): quoted words looked for in the archived copy at the cited date when the
//! live page no longer shows them (`quote-changed`), the live page's text compared with that copy
//! (`content`, `content-drift`), and quote verdicts in the report history. The real binary, against
//! a site and a Wayback Machine stand-in on loopback.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use common::{Reply, Server, TEST_CA, citecheck, json_stdout, resolve_to};

const STAMP: &str = "20201120093000";

/// A long article, as the paper printed it in 2020.
fn article_2020() -> String {
    let para = "The talks between the two governments will resume in Doha next week, officials \
                said, after a pause of several months over the question of prisoners. ";
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!("<p>{para} Paragraph {i} of the report.</p>"));
    }
    text
}

/// The same URL today: another story altogether.
fn article_now() -> String {
    let para = "Markets rallied on Tuesday as investors weighed the latest figures on inflation \
                and the central bank's next move on interest rates. ";
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!("<p>{para} Section {i}.</p>"));
    }
    text
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<html><head><title>{title}</title></head><body><nav>Home | World | Business</nav>\
         <article><h1>{title}</h1>{body}</article><footer>Copyright The Paper</footer></body></html>"
    )
}

/// The paper's site. `lost` says whether the crossings story has lost its quoted sentence yet.
fn paper(lost: Arc<AtomicBool>) -> Server {
    Server::http(move |hit, _| match hit.path.as_str() {
        "/crossings" if lost.load(Ordering::SeqCst) => Reply::html(
            200,
            &page(
                "Crossings",
                "<p>The ministry gave no date for the crossings.</p>",
            ),
        ),
        "/crossings" => Reply::html(
            200,
            &page(
                "Crossings",
                "<p>The ministry said: \u{201c}We will open three new crossings within the \
                 month.\u{201d}</p>",
            ),
        ),
        "/talks" => Reply::html(200, &page("Talks", &article_2020())),
        "/rewritten" | "/never" => Reply::html(200, &page("Talks", &article_now())),
        _ => Reply::status(404),
    })
}

/// The Wayback Machine: a capture of every URL on the cited day; the capture read as archived
/// (`id_`) is the page as it was then.
fn wayback() -> Server {
    Server::https(&["archive.org", "web.archive.org"], |hit, _| {
        let p = hit.path.as_str();
        if let Some(rest) = p.strip_prefix("/web/") {
            let (stamp, original) = rest.split_once('/').unwrap_or_default();
            let raw = stamp.ends_with("id_");
            let then = if original.ends_with("/crossings") {
                page(
                    "Crossings",
                    "<p>The ministry said: \u{201c}We will open three new crossings within the \
                     month.\u{201d}</p>",
                )
            } else {
                page("Talks", &article_2020())
            };
            // A capture shown with the archive's toolbar, unless read as archived.
            let shown = if raw {
                then
            } else {
                then.replace(
                    "<body>",
                    "<body><div id=wm-ipp>Wayback Machine toolbar</div>",
                )
            };
            return Reply::html(200, &shown);
        }
        if p.starts_with("/cdx/") {
            return Reply::status(200);
        }
        common::available_at(p, STAMP)
    })
}

fn brief(site: &Server) -> String {
    format!(
        "# Brief\n\n\
         The ministry promised that \u{201c}we will open three new crossings within the month.\u{201d}[^1]\n\n\
         The paper reported that \"the talks between the two governments will resume in Doha next week\".[^2]\n\n\
         Background reading.[^3] The minister said \"the border will stay closed for a year\".[^4]\n\n\
         [^1]: \"Crossings,\" *The Paper*, November 19, 2020, <{crossings}>\n\
         [^2]: \"Talks,\" *The Paper*, November 19, 2020, <{talks}>\n\
         [^3]: \"Talks,\" *The Paper*, November 19, 2020, <{rewritten}>\n\
         [^4]: \"Talks,\" *The Paper*, November 19, 2020, <{never}>\n",
        crossings = site.url("/crossings"),
        talks = site.url("/talks"),
        rewritten = site.url("/rewritten"),
        never = site.url("/never"),
    )
}

fn run(dir: &std::path::Path, archive: &Server, args: &[&str]) -> std::process::Output {
    citecheck()
        .current_dir(dir)
        .args([
            "check",
            "brief.md",
            "--format",
            "json",
            "--max-retries",
            "0",
        ])
        .args(args)
        .arg("--ca-cert")
        .arg(&TEST_CA.pem_path)
        .args(resolve_to(archive, &["archive.org", "web.archive.org"]))
        .output()
        .unwrap()
}

/// What the binary, run in `dir` with `args`, writes to stdout.
fn stdout_of(dir: &std::path::Path, args: &[&str]) -> String {
    let out = citecheck().current_dir(dir).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn result<'a>(report: &'a Value, url: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["url"] == url)
        .unwrap_or_else(|| panic!("no result for {url}"))
}

fn kinds(result: &Value) -> Vec<&str> {
    result["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn quotes_and_text_are_compared_with_the_capture_at_the_cited_date() {
    let lost = Arc::new(AtomicBool::new(true));
    let (site, archive) = (paper(Arc::clone(&lost)), wayback());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("brief.md"), brief(&site)).unwrap();
    let out = run(dir.path(), &archive, &["--wayback", "all"]);
    // Warnings for an editor to read: no link is an error.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json_stdout(&out);
    common::validate_against_schema(&report);

    // The page no longer says it; the capture of the cited day does.
    let crossings = result(&report, &site.url("/crossings"));
    assert_eq!(crossings["status"], "ok");
    assert_eq!(crossings["quotes"][0]["found"], "archive");
    let changed = &crossings["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "quote-changed")
        .unwrap_or_else(|| panic!("{crossings:#}"))["message"];
    assert!(
        changed
            .as_str()
            .unwrap()
            .ends_with("the page no longer shows them; the archived copy of 2020-11-20 does"),
        "{changed}"
    );
    assert!(!kinds(crossings).contains(&"quote-not-found"));

    // Unchanged: the quote is on the page and the text is the capture's, toolbar aside.
    let talks = result(&report, &site.url("/talks"));
    assert_eq!(talks["quotes"][0]["found"], "live");
    assert_eq!(talks["content"]["similarity"], 1.0, "{talks:#}");
    assert_eq!(
        talks["content"]["capture"],
        format!("https://web.archive.org/web/{STAMP}/{}", site.url("/talks"))
    );
    assert!(!kinds(talks).contains(&"content-drift"));

    // Another story under the cited URL: the link answers, the text has drifted.
    let rewritten = result(&report, &site.url("/rewritten"));
    assert_eq!(rewritten["status"], "ok");
    assert!(rewritten["content"]["similarity"].as_f64().unwrap() < 0.5);
    assert!(kinds(rewritten).contains(&"content-drift"), "{rewritten:#}");

    // Words neither the page nor its capture shows: not found anywhere.
    let never = result(&report, &site.url("/never"));
    assert_eq!(never["quotes"][0]["found"], "none");
    assert!(kinds(never).contains(&"quote-not-found"), "{never:#}");

    // The captures' text was read as archived, without the toolbar.
    assert!(
        archive
            .hits()
            .iter()
            .any(|h| h.path.starts_with(&format!("/web/{STAMP}id_/")))
    );

    // The human output says the same.
    std::fs::write(dir.path().join("report.json"), &out.stdout).unwrap();
    let human = stdout_of(dir.path(), &["report", "show", "report.json"]);
    assert!(human.contains("quote found on the page"), "{human}");
    assert!(
        human.contains("the archived copy of 2020-11-20 does"),
        "{human}"
    );
    assert!(
        human.contains("text 100 % the same as the archived copy"),
        "{human}"
    );
    assert!(
        human.contains("of its text with the archived copy of 2020-11-20"),
        "{human}"
    );

    // So do the outputs for CI and review tools.
    for format in ["markdown", "sarif", "junit", "github"] {
        let shown = stdout_of(
            dir.path(),
            &["report", "show", "report.json", "--format", format],
        );
        assert!(
            shown.contains("the page no longer shows them; the archived copy of 2020-11-20 does"),
            "{format}: {shown}"
        );
        assert!(
            shown.contains("of its text with the archived copy of 2020-11-20"),
            "{format}: {shown}"
        );
    }
}

#[test]
fn a_lost_quote_is_looked_up_by_default_and_its_change_is_history() {
    let lost = Arc::new(AtomicBool::new(false));
    let (site, archive) = (paper(Arc::clone(&lost)), wayback());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("brief.md"), brief(&site)).unwrap();
    let reports = dir.path().join("reports");
    let reports = reports.to_str().unwrap();

    let out = run(
        dir.path(),
        &archive,
        &["--wayback", "--report-dir", reports],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let first = json_stdout(&out);
    assert_eq!(
        result(&first, &site.url("/crossings"))["quotes"][0]["found"],
        "live"
    );
    // Only the page without its quoted words is looked up in the archive.
    assert!(
        archive.hits().iter().all(|h| h.path.contains("never")),
        "{:?}",
        archive.hits()
    );

    lost.store(true, Ordering::SeqCst);
    let out = run(
        dir.path(),
        &archive,
        &["--wayback", "--report-dir", reports],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let second = json_stdout(&out);
    let crossings = result(&second, &site.url("/crossings"));
    assert_eq!(crossings["quotes"][0]["found"], "archive");
    assert!(kinds(crossings).contains(&"quote-changed"));
    // Only the page that lost its quote was looked up.
    assert!(result(&second, &site.url("/talks"))["archive"].is_null());

    // The history dashboard shows the verdicts in its notes.
    let html = stdout_of(dir.path(), &["report", "html", reports]);
    assert!(
        html.contains("the archived copy of 2020-11-20 does"),
        "{html}"
    );
    assert!(html.contains("quote found on the page"), "{html}");

    let changes = &second["changes"]["quotes_changed"];
    assert_eq!(changes.as_array().unwrap().len(), 1, "{changes:#}");
    assert_eq!(changes[0]["url"], site.url("/crossings"));
    assert_eq!(changes[0]["footnote"], "1");
    assert_eq!(changes[0]["previous"], "live");
    assert_eq!(changes[0]["found"], "archive");
}

/// A PDF cited at a page it does not have: a `missing-fragment` warning on that footnote only.
#[test]
fn a_pdf_page_past_its_last_is_a_missing_fragment() {
    let pdf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/generated/kabul-brief.libreoffice.pdf"
    ))
    .unwrap();
    let site = Server::http(move |hit, _| match hit.path.as_str() {
        "/report.pdf" => Reply::status(200)
            .header("content-type", "application/pdf")
            .body(pdf.clone()),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let report = site.url("/report.pdf");
    std::fs::write(
        dir.path().join("brief.md"),
        format!("One.[^1] Two.[^2]\n\n[^1]: The report, <{report}#page=2>\n[^2]: The report, <{report}#page=40>\n"),
    )
    .unwrap();
    let out = citecheck()
        .current_dir(dir.path())
        .args([
            "check",
            "brief.md",
            "--format",
            "json",
            "--max-retries",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json = json_stdout(&out);
    let result = result(&json, &format!("{report}#page=2"));
    assert_eq!(result["status"], "ok");
    let warnings = result["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["kind"], "missing-fragment");
    assert_eq!(warnings[0]["footnote"], "2");
    assert_eq!(
        warnings[0]["message"],
        "footnote 2 cites #page=40, but the PDF has 5 pages"
    );
    // The PDF was asked for whole, once.
    assert_eq!(site.hits_for("/report.pdf").len(), 1);
    assert_eq!(site.hits_for("/report.pdf")[0].method, "GET");
}

/// The example brief's quotations, as its Markdown gives them, are read the same from the same brief
/// as a Word document and typeset by LibreOffice and by pdfLaTeX (the quotation of note 2 runs over
/// a page break there, past the notes at the page's foot).
#[test]
fn the_example_brief_s_quotes_are_read_from_every_format() {
    let quotes = |file: &str| -> Vec<Value> {
        let path = format!(
            "{}/tests/fixtures/generated/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let out = citecheck()
            .args(["extract", &path, "--format", "json"])
            .output()
            .unwrap();
        let report = json_stdout(&out);
        report["documents"][0]["footnotes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["quotes"].clone())
            .collect()
    };
    let markdown = quotes("kabul-brief.md");
    assert_eq!(
        markdown[1][0],
        "Pakistan will do everything possible to help reduce violence and in fact move towards a ceasefire."
    );
    assert_eq!(markdown[0].as_array().unwrap().len(), 2);
    for other in [
        "kabul-brief.docx",
        "kabul-brief.libreoffice.pdf",
        "kabul-brief.pdflatex.pdf",
    ] {
        assert_eq!(quotes(other), markdown, "{other}");
    }
}
