//! `citecheck report html`: the history dashboard, made by the real binary from reports of real check
//! runs against a local server, and rendered by a real headless Chromium when one is installed (`.ci/run`
//! installs it and sets CITECHECK_BROWSER_TEST=1, which makes the browser part required).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use common::{Reply, Server, citecheck};

/// /ok always answers; /gone answers in run 0 only; /dead never; /flap is down in run 1 only.
fn server(run: Arc<AtomicUsize>) -> Server {
    Server::http(move |hit, _| {
        let n = run.load(Ordering::SeqCst);
        let up = match hit.path.as_str() {
            "/ok" => true,
            "/gone" => n == 0,
            "/flap" => n != 1,
            _ => false,
        };
        if up {
            Reply::html(200, "<title>A page</title>")
        } else {
            Reply::status(404)
        }
    })
}

fn brief(dir: &Path, server: &Server) -> PathBuf {
    let doc = dir.join("brief.md");
    let mut text = String::from("# A brief\n\n");
    let titles = [
        "Still there",
        "Gone \\<script\\>alert(1)\\</script\\> \u{1b}[31mred",
        "Long dead",
        "Comes and goes",
    ];
    for (i, (path, title)) in ["/ok", "/gone", "/dead", "/flap"]
        .iter()
        .zip(titles)
        .enumerate()
    {
        let n = i + 1;
        text.push_str(&format!("Cited<sup>{n}</sup>.\n\n"));
        text.push_str(&format!(
            "<sup>{n}</sup> \"{title},\" *Paper*, May 2, 2020, <{}>\n\n",
            server.url(path)
        ));
    }
    fs::write(&doc, text).unwrap();
    doc
}

/// Three real runs, plus two older copies of the first one moved days back so that /dead has failed
/// long enough to be confirmed dead.
fn history(dir: &Path) -> (Server, PathBuf) {
    let run = Arc::new(AtomicUsize::new(0));
    let server = server(Arc::clone(&run));
    let doc = brief(dir, &server);
    let reports = dir.join("reports");
    for n in 0..3 {
        if n > 0 {
            // Runs are told apart by their time, to the second.
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        run.store(n, Ordering::SeqCst);
        let output = citecheck()
            .arg("check")
            .arg(&doc)
            .arg("--report-dir")
            .arg(&reports)
            .args(["--max-retries", "0", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        if n == 0 {
            let first: Value = serde_json::from_slice(&output.stdout).unwrap();
            for days in [5, 4] {
                let mut old = first.clone();
                let at = chrono::Utc::now() - chrono::Duration::days(days);
                old["generated_at"] = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
                let name = format!("{}.json", at.format("%Y%m%dT%H%M%SZ"));
                fs::write(reports.join(name), serde_json::to_vec(&old).unwrap()).unwrap();
            }
        }
    }
    (server, reports)
}

fn row<'a>(page: &'a str, path: &str) -> &'a str {
    let at = page
        .find(&format!("{path}</a>"))
        .unwrap_or_else(|| panic!("no row for {path}"));
    let start = page[..at].rfind("<tr ").unwrap();
    let end = at + page[at..].find("</tr>").unwrap();
    &page[start..end]
}

#[test]
fn dashboard_shows_history_per_citation() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, reports) = history(dir.path());
    let out = dir.path().join("citations.html");
    let output = citecheck()
        .args(["report", "html"])
        .arg(&reports)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty(), "the page went to the file");
    let page = fs::read_to_string(&out).unwrap();

    assert!(page.contains("5 runs from"), "every run is read");
    // Self-contained: no script, no external resource.
    assert!(
        !page.contains("<script"),
        "no script, and the title's markup is escaped"
    );
    assert!(page.contains("Gone &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains('\u{1b}'), "control characters dropped");
    assert!(!page.contains("src=") && !page.contains("<link"));
    // The chart has a bar per run.
    assert_eq!(page.matches("<g><title>").count(), 5);

    let ok = row(&page, "/ok");
    assert!(ok.starts_with("<tr class=\"cite\">"), "{ok}");
    assert_eq!(ok.matches("<i class=\"ok\"").count(), 5, "{ok}");

    let gone = row(&page, "/gone");
    assert!(gone.contains("class=\"cite broken\""), "{gone}");
    assert!(gone.contains(">new</span>") || gone.contains("broken"));
    // ok in the three runs made from run 0, then failing twice.
    assert_eq!(gone.matches("<i class=\"ok\"").count(), 3, "{gone}");
    assert_eq!(gone.matches("<i class=\"failing\"").count(), 2, "{gone}");
    assert!(gone.contains("<b>Gone &lt;script&gt;"), "the cited title");

    let dead = row(&page, "/dead");
    assert!(dead.contains("cite broken dead"), "{dead}");
    let five_days_ago = (chrono::Utc::now() - chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        dead.contains(&format!(
            "<td data-label=\"failing since\">{five_days_ago}</td>"
        )),
        "failing since the oldest run: {dead}"
    );

    let flap = row(&page, "/flap");
    assert!(flap.contains("class=\"cite flaky\""), "{flap}");
    // Each failing kind has its chip, and the broken one counts broken pages only.
    for chip in [
        "Broken <b>2</b>",
        "Unreachable <b>0</b>",
        "Blocked <b>0</b>",
        "Flaky <b>1</b>",
    ] {
        assert!(page.contains(chip), "{chip}");
    }
    assert!(page.contains("<th>notes</th>"));

    browser(&out);
    if let Some(keep) = std::env::var_os("CITECHECK_KEEP_DASHBOARD") {
        fs::copy(&out, keep).unwrap();
    }
}

/// Loads the page in headless Chromium: the DOM it builds has the rows, and a phone-sized screenshot
/// is not blank.
fn browser(page: &Path) {
    let required = std::env::var_os("CITECHECK_BROWSER_TEST").is_some();
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(chromium) = chromium else {
        assert!(
            !required,
            "CITECHECK_BROWSER_TEST is set but no Chromium was found"
        );
        eprintln!("skipped the browser check: no Chromium (`.ci/run` installs it)");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.display());
    let browser_at = |size: &str, url: &str, extra: &[&str]| {
        let output = std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ])
            .arg(format!("--window-size={size}"))
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(url)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        output
    };
    let browser = |extra: &[&str]| browser_at("412,915", &url, extra);
    // Nothing sticks out at the right on a phone (412 px: the rows are cards) or on a desktop: a
    // copy of the page measures the right edge of every element once laid out.
    let measured = page.with_file_name("measured.html");
    let script = "<script>let w=document.documentElement.clientWidth,r=0,who='';\
        for(const e of document.querySelectorAll('body *')){const b=e.getBoundingClientRect();\
        if(b.width>0&&b.right>r){r=b.right;who=e.tagName+'.'+e.className}}\
        document.body.setAttribute('data-fit',Math.ceil(r)<=w?'yes':'no '+r+'>'+w+' '+who)</script>";
    fs::write(
        &measured,
        fs::read_to_string(page)
            .unwrap()
            .replace("</body>", &format!("{script}</body>")),
    )
    .unwrap();
    let measured_url = format!("file://{}", measured.display());
    for size in ["412,915", "1280,900"] {
        let dom =
            String::from_utf8(browser_at(size, &measured_url, &["--dump-dom"]).stdout).unwrap();
        assert!(
            dom.contains("data-fit=\"yes\""),
            "at {size}: {}",
            dom.split("data-fit=")
                .nth(1)
                .unwrap_or(&dom)
                .chars()
                .take(120)
                .collect::<String>()
        );
    }
    let dom = String::from_utf8(browser(&["--dump-dom"]).stdout).unwrap();
    assert!(dom.contains("<h1>Citation health</h1>"), "{dom}");
    assert!(dom.contains("cite broken dead"));
    let shot = page.with_extension("png");
    browser(&[&format!("--screenshot={}", shot.display())]);
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let pixels = &pixels[..info.buffer_size()];
    let first = &pixels[..info.line_size / info.width as usize];
    let different = pixels.chunks(first.len()).filter(|p| *p != first).count();
    assert!(
        different > pixels.len() / first.len() / 50,
        "the screenshot is (nearly) blank: {different} pixels differ from the first"
    );
}

/// `report html -o x.json` would write HTML into a file named as JSON: refused, nothing written.
#[test]
fn the_dashboard_is_not_written_under_another_formats_name() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let out = dir.path().join("x.json");
    let output = common::citecheck()
        .args(["report", "html"])
        .arg(&reports)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    common::assert_one_line_error(&output, 2, "x.json: `report html` writes an HTML page");
    assert!(!out.exists());
}
