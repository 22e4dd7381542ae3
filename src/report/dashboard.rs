//! `citecheck report html DIR`: the history of a report directory as one self-contained HTML page. It
//! needs no network to view: the styles are inline, the chart is inline SVG, the filters are CSS
//! only (no script at all), and every piece of text from a document or a server is escaped.
//!
//! The page shows citation health over time (a stacked bar per run: ok, failing with an archived
//! copy, failing, other), then a table per document with a row per cited URL: the footnote, its
//! cited title and date, the status now, since when it fails, a timeline of its status in the recent
//! runs, and its archived copy. Filters show only broken, flaky or confirmed dead citations.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use super::history::{self, HistoryConfig, PastRun};
use super::{Report, count};
use crate::check::{Archive, CheckResult, QuoteFound, Status};

/// Runs read from a directory at most: the newest are kept (a year of daily runs).
pub const MAX_RUNS: usize = 400;
/// Runs drawn in each citation's timeline.
const TIMELINE_RUNS: usize = 30;
/// Archived reports larger than this are skipped rather than read.
const MAX_REPORT_BYTES: u64 = 64 << 20;

/// The checked, complete reports of a report directory, oldest first, and how many files were
/// skipped (unreadable, not a check report, incomplete, a newer schema or too large).
pub fn load(dir: &Path) -> std::io::Result<(Vec<Report>, usize)> {
    let paths = history::archived_reports(dir)?;
    let skip = paths.len().saturating_sub(MAX_RUNS);
    let mut skipped = 0;
    let mut runs = Vec::new();
    for path in &paths[skip..] {
        match read_run(path) {
            Some(report) => runs.push(report),
            None => skipped += 1,
        }
    }
    runs.sort_by_key(|r| r.generated_time());
    Ok((runs, skipped))
}

fn read_run(path: &Path) -> Option<Report> {
    if std::fs::metadata(path).ok()?.len() > MAX_REPORT_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let report: Report = serde_json::from_slice(json).ok()?;
    let usable = report.schema_version <= super::SCHEMA_VERSION
        && !report.incomplete
        && report.results.is_some()
        && report.generated_time().is_some();
    usable.then_some(report)
}

/// How a result is counted in the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    Ok,
    /// Failing, but an archived copy is known.
    Archived,
    Failing,
    /// Blocked, excluded, unchecked, invalid: not known to be fine or gone.
    Other,
}

impl Health {
    fn of(result: &CheckResult) -> Health {
        match result.status {
            Status::Ok => Health::Ok,
            s if history::failing(s) && result.archive.snapshot().is_some() => Health::Archived,
            s if history::failing(s) => Health::Failing,
            _ => Health::Other,
        }
    }
}

/// Renders the page for `runs` (oldest first; at least one). `skipped` is said on the page.
pub fn render(runs: &[Report], skipped: usize, config: &HistoryConfig) -> String {
    let mut page = String::with_capacity(64 << 10);
    page.push_str(HEAD);
    let Some(latest) = runs.last() else {
        page.push_str("<main><p>No checked reports in this directory yet: run <code>citecheck check … --report-dir DIR</code> first.</p></main></body></html>\n");
        return page;
    };
    let first = runs.first().unwrap_or(latest);
    let now = latest.generated_time().unwrap_or_else(chrono::Utc::now);
    let latest_results = latest.results.as_deref().unwrap_or_default();
    let past: Vec<PastRun> = runs[..runs.len() - 1]
        .iter()
        .filter_map(PastRun::from_report)
        .collect();
    let changes = history::changes(now, latest_results, &past, config);
    let since: HashMap<&str, &str> = changes
        .newly_broken
        .iter()
        .chain(&changes.still_broken)
        .filter_map(|c| Some((c.url.as_str(), c.since.as_deref()?)))
        .collect();
    let flaky: HashSet<&str> = changes.flaky.iter().map(|c| c.url.as_str()).collect();
    let dead: HashSet<&str> = changes
        .confirmed_dead
        .iter()
        .map(|c| c.url.as_str())
        .collect();
    let newly: HashSet<&str> = changes
        .newly_broken
        .iter()
        .map(|c| c.url.as_str())
        .collect();
    // Each run's results by URL, and the newest archived copy known of each URL.
    let by_url: Vec<HashMap<&str, &CheckResult>> = runs
        .iter()
        .map(|r| {
            r.results
                .iter()
                .flatten()
                .map(|c| (c.url.as_str(), c))
                .collect()
        })
        .collect();
    let mut archived: HashMap<&str, &Archive> = HashMap::new();
    for run in runs {
        for result in run.results.iter().flatten() {
            if let Some(snapshot) = result.archive.snapshot().or(result.saved.as_ref()) {
                archived.insert(result.url.as_str(), snapshot);
            }
        }
    }
    let failing_now = latest_results
        .iter()
        .filter(|r| history::failing(r.status))
        .count();

    let _ = writeln!(
        page,
        "<header><h1>Citation health</h1><p>{} from {} to {}{}. Latest: {} URLs, {} failing, {} newly broken, {} confirmed dead.</p></header>",
        count(runs.len(), "run", "runs"),
        day(first),
        day(latest),
        if skipped > 0 {
            format!(
                " ({} left out)",
                count(
                    skipped,
                    "unreadable or incomplete report",
                    "unreadable or incomplete reports"
                )
            )
        } else {
            String::new()
        },
        latest_results.len(),
        failing_now,
        changes.newly_broken.len(),
        changes.confirmed_dead.len(),
    );
    // The filters come before <main> so that CSS sibling selectors can act on the rows. Each
    // failing kind has its own: a page that is gone, a host that cannot be reached and a page that
    // turns robots away call for different work.
    let with = |kind: &str| {
        latest_results
            .iter()
            .filter(|r| status_class(r.status) == Some(kind))
            .count()
    };
    let counts = [
        ("all", "All", latest_results.len()),
        ("broken", "Broken", with("broken")),
        ("unreachable", "Unreachable", with("unreachable")),
        ("servererror", "Server errors", with("servererror")),
        ("blocked", "Blocked", with("blocked")),
        ("flaky", "Flaky", changes.flaky.len()),
        ("dead", "Confirmed dead", changes.confirmed_dead.len()),
    ];
    for (i, (id, _, _)) in counts.iter().enumerate() {
        let _ = writeln!(
            page,
            "<input type=\"radio\" name=\"filter\" id=\"f-{id}\" class=\"filter\"{}>",
            if i == 0 { " checked" } else { "" }
        );
    }
    page.push_str("<nav aria-label=\"Filter citations\">");
    for (id, label, n) in counts {
        let _ = write!(page, "<label for=\"f-{id}\">{label} <b>{n}</b></label>");
    }
    page.push_str("</nav>\n<main>\n");
    chart(&mut page, runs);

    let recent = runs.len().saturating_sub(TIMELINE_RUNS);
    for doc in &latest.documents {
        let mut rows = String::new();
        let mut add_row = |fn_label: String, cited: String, url: &str| {
            let result = by_url.last().and_then(|m| m.get(url)).copied();
            let mut class = vec!["cite"];
            class.extend(result.and_then(|r| status_class(r.status)));
            if flaky.contains(url) {
                class.push("flaky");
            }
            if dead.contains(url) {
                class.push("dead");
            }
            let _ = write!(
                rows,
                "<tr class=\"{}\"><td class=\"fn\" data-label=\"fn\">{}</td><td data-label=\"cited\">{}<div class=\"url\">{}</div></td><td data-label=\"status\">",
                class.join(" "),
                escape(&fn_label),
                cited,
                link(url, url),
            );
            match result {
                Some(r) => {
                    let _ = write!(
                        rows,
                        "<span class=\"st {}\">{}</span>",
                        css(Health::of(r)),
                        status_name(r.status)
                    );
                    if newly.contains(url) {
                        rows.push_str(" <span class=\"tag\">new</span>");
                    }
                    if dead.contains(url) {
                        rows.push_str(" <span class=\"tag\">dead</span>");
                    }
                    if flaky.contains(url) {
                        rows.push_str(" <span class=\"tag\">flaky</span>");
                    }
                    if let Some(detail) = &r.detail {
                        let _ = write!(rows, "<div class=\"detail\">{}</div>", escape(detail));
                    }
                }
                None => rows.push_str("<span class=\"st other\">not checked</span>"),
            }
            let _ = write!(
                rows,
                "</td><td data-label=\"failing since\">{}</td><td class=\"tl\">",
                since
                    .get(url)
                    .map(|s| escape(s.split('T').next().unwrap_or(s)))
                    .unwrap_or_default()
            );
            for (run, results) in runs[recent..].iter().zip(&by_url[recent..]) {
                let (class, what) = match results.get(url) {
                    Some(r) => (css(Health::of(r)), status_name(r.status)),
                    None => ("none", "not cited".to_owned()),
                };
                let _ = write!(
                    rows,
                    "<i class=\"{class}\" title=\"{}: {what}\"></i>",
                    escape(&day(run))
                );
            }
            rows.push_str("</td><td data-label=\"archived copy\">");
            if let Some(copy) = archived.get(url) {
                rows.push_str(&link(&copy.url, &copy.day()));
            }
            // What the checker knows beyond the status: why blocked, where moved, drift.
            rows.push_str("</td><td class=\"notes\" data-label=\"notes\">");
            if let Some(r) = result {
                let mut notes = Vec::new();
                if let Some(reason) = r.reason.filter(|_| r.status == Status::Blocked) {
                    notes.push(format!("blocked: {}", escape(reason.as_str())));
                }
                if let Some(moved) = &r.moved {
                    notes.push(format!(
                        "moved ({}) to {}",
                        moved.status,
                        link(&moved.url, &moved.url)
                    ));
                }
                notes.extend(r.warnings.iter().map(|w| escape(&w.message)));
                notes.extend(
                    r.quotes
                        .iter()
                        .filter(|q| q.found == QuoteFound::Live)
                        .map(|q| escape(&super::quote_found(&q.text))),
                );
                notes.extend(super::content_note(r).map(|n| escape(&n)));
                rows.push_str(&notes.join("<br>"));
            }
            rows.push_str("</td></tr>\n");
        };
        for footnote in &doc.footnotes {
            let mut cited = String::new();
            if let Some(title) = &footnote.title {
                let _ = write!(cited, "<b>{}</b>", escape(title));
            }
            let meta: Vec<&str> = [footnote.publication.as_deref(), footnote.date.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !meta.is_empty() {
                let _ = write!(
                    cited,
                    " <span class=\"meta\">{}</span>",
                    escape(&meta.join(", "))
                );
            }
            let mut seen = HashSet::new();
            for url in &footnote.urls {
                if seen.insert(url.as_str()) {
                    add_row(footnote.id.clone(), cited.clone(), url);
                }
            }
        }
        // Links outside footnotes are listed only while they fail: the page is about citations.
        for l in &doc.links {
            let fails = by_url
                .last()
                .and_then(|m| m.get(l.url.as_str()))
                .is_some_and(|r| history::failing(r.status));
            if fails {
                add_row(
                    format!("{} {}", doc.format.place_word(), l.line),
                    String::new(),
                    &l.url,
                );
            }
        }
        let _ = write!(
            page,
            "<section><h2>{}</h2><p class=\"meta\">{}</p>",
            escape(&doc.path),
            count(doc.footnotes.len(), "footnote", "footnotes")
        );
        if rows.is_empty() {
            page.push_str("<p>No cited URLs.</p></section>\n");
        } else {
            let _ = write!(
                page,
                "<div class=\"scroll\"><table><thead><tr><th>fn</th><th>cited</th><th>status</th><th>failing since</th><th>last {} runs</th><th>archived copy</th><th>notes</th></tr></thead><tbody>\n{rows}</tbody></table></div></section>\n",
                runs.len() - recent
            );
        }
    }
    let _ = writeln!(
        page,
        "</main><footer>Written by {} from {}.</footer></body></html>",
        escape(&latest.generator),
        escape(latest.generated_at.as_deref().unwrap_or_default())
    );
    page
}

/// The stacked bar chart of every run.
fn chart(page: &mut String, runs: &[Report]) {
    const HEIGHT: f64 = 120.0;
    let bar = 10.0;
    // One bar per run across the whole width, however many runs there are.
    let width = runs.len().max(1) as f64 * bar;
    let totals: Vec<[usize; 4]> = runs
        .iter()
        .map(|r| {
            let mut n = [0; 4];
            for result in r.results.iter().flatten() {
                n[Health::of(result) as usize] += 1;
            }
            n
        })
        .collect();
    let max = totals
        .iter()
        .map(|n| n.iter().sum())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let _ = write!(
        page,
        "<figure><svg role=\"img\" aria-label=\"Citations by status in each run\" viewBox=\"0 0 {width} {HEIGHT}\" preserveAspectRatio=\"none\">"
    );
    for (i, (run, n)) in runs.iter().zip(&totals).enumerate() {
        let x = i as f64 * bar;
        let _ = write!(
            page,
            "<g><title>{}: {} ok, {} failing with an archived copy, {} failing, {} other</title>",
            escape(&day(run)),
            n[0],
            n[1],
            n[2],
            n[3]
        );
        let mut y = HEIGHT;
        for (health, count) in [Health::Ok, Health::Archived, Health::Failing, Health::Other]
            .into_iter()
            .zip(n)
        {
            if *count == 0 {
                continue;
            }
            let h = *count as f64 / max * HEIGHT;
            y -= h;
            let _ = write!(
                page,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{y:.2}\" width=\"{:.1}\" height=\"{h:.2}\"/>",
                css(health),
                x + 1.0,
                bar - 2.0
            );
        }
        page.push_str("</g>");
    }
    let _ = writeln!(
        page,
        "</svg><figcaption><span><i class=\"ok\"></i>ok</span> <span><i class=\"archived\"></i>failing, archived copy known</span> <span><i class=\"failing\"></i>failing</span> <span><i class=\"other\"></i>blocked, excluded or not checked</span><br>{} … {}</figcaption></figure>",
        escape(&day(&runs[0])),
        escape(&day(&runs[runs.len() - 1]))
    );
}

fn css(health: Health) -> &'static str {
    match health {
        Health::Ok => "ok",
        Health::Archived => "archived",
        Health::Failing => "failing",
        Health::Other => "other",
    }
}

/// The filter a result's status falls under, if any: `broken`, `unreachable` (and timeouts),
/// `servererror`, `blocked`.
fn status_class(status: Status) -> Option<&'static str> {
    match status {
        Status::Broken => Some("broken"),
        Status::Unreachable | Status::Timeout => Some("unreachable"),
        Status::ServerError => Some("servererror"),
        Status::Blocked => Some("blocked"),
        _ => None,
    }
}

/// A status in words: `server error`.
fn status_name(status: Status) -> String {
    status.as_str().replace('_', " ")
}

/// The run's day and time: `2026-11-26 20:16`.
fn day(run: &Report) -> String {
    run.generated_time()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A link to `url` when it is http(s); other schemes (`javascript:`) are shown as text only.
fn link(url: &str, text: &str) -> String {
    let web = url
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        || url
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("http://"));
    if web {
        format!(
            "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
            escape(url),
            escape(text)
        )
    } else {
        escape(text)
    }
}

/// Text made safe for HTML content and attribute values: terminal escapes and control characters
/// removed (as for every output), then markup escaped.
fn escape(text: &str) -> String {
    let text = crate::sanitize::line(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Citation health</title>
<style>
:root{--ok:#2e7d32;--archived:#e0a000;--failing:#c62828;--other:#9e9e9e;--none:#eee;color-scheme:light}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#222}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .2rem;word-break:break-all}
.meta,.detail,footer{color:#666;font-size:.85em}
figure{margin:1rem 0}svg{width:100%;height:9rem;background:#fafafa;border:1px solid #ddd}
rect.ok,i.ok{fill:var(--ok);background:var(--ok)}rect.archived,i.archived{fill:var(--archived);background:var(--archived)}
rect.failing,i.failing{fill:var(--failing);background:var(--failing)}rect.other,i.other{fill:var(--other);background:var(--other)}
i.none{background:var(--none)}
figcaption{font-size:.85em;color:#555}figcaption i{display:inline-block;width:.8em;height:.8em;margin-right:.25em;vertical-align:-.05em}
figcaption span{white-space:nowrap;margin-right:.6em}
input.filter{position:absolute;opacity:0;pointer-events:none}
nav{display:flex;flex-wrap:wrap;gap:.4rem;margin:.8rem 0}
nav label{border:1px solid #bbb;border-radius:1rem;padding:.25rem .8rem;cursor:pointer;user-select:none}
#f-all:checked~nav label[for=f-all],#f-broken:checked~nav label[for=f-broken],#f-unreachable:checked~nav label[for=f-unreachable],#f-servererror:checked~nav label[for=f-servererror],#f-blocked:checked~nav label[for=f-blocked],#f-flaky:checked~nav label[for=f-flaky],#f-dead:checked~nav label[for=f-dead]{background:#222;color:#fff;border-color:#222}
#f-broken:checked~main tr.cite:not(.broken),#f-unreachable:checked~main tr.cite:not(.unreachable),#f-servererror:checked~main tr.cite:not(.servererror),#f-blocked:checked~main tr.cite:not(.blocked),#f-flaky:checked~main tr.cite:not(.flaky),#f-dead:checked~main tr.cite:not(.dead){display:none}
#f-broken:checked~main section:not(:has(tr.broken)),#f-unreachable:checked~main section:not(:has(tr.unreachable)),#f-servererror:checked~main section:not(:has(tr.servererror)),#f-blocked:checked~main section:not(:has(tr.blocked)),#f-flaky:checked~main section:not(:has(tr.flaky)),#f-dead:checked~main section:not(:has(tr.dead)){display:none}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{text-align:left;vertical-align:top;padding:.35rem .4rem;border-bottom:1px solid #eee}
th{font-weight:600;white-space:nowrap}td.fn{white-space:nowrap}
.url{word-break:break-all;font-size:.85em}
.st{font-weight:600;white-space:nowrap}.st.ok{color:var(--ok)}.st.failing{color:var(--failing)}.st.archived{color:#a06a00}.st.other{color:#666}
.tag{font-size:.75em;border:1px solid currentColor;border-radius:.5em;padding:0 .3em;color:var(--failing)}
td.tl{white-space:nowrap}td.tl i{display:inline-block;width:5px;height:1em;margin-right:1px}
a{color:#0645ad}
td.notes{font-size:.85em;color:#555;word-break:break-word}
@media (max-width:40rem){body{padding:.6rem;font-size:14px}th:nth-child(5),td.tl{display:none}
table,tbody,tr,td{display:block;width:auto}thead{display:none}
tr.cite{border:1px solid #ddd;border-radius:.4rem;margin:.5rem 0;padding:.3rem .5rem}
td{border:0;padding:.15rem 0;overflow-wrap:anywhere}td:empty{display:none}
td[data-label]::before{content:attr(data-label);display:block;font-size:.75em;color:#777;text-transform:uppercase;letter-spacing:.03em}
td.fn::before{display:inline;margin-right:.4em}}
</style></head><body>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(
            escape("<b a=\"x\">&'\u{1b}[31mred"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;red"
        );
    }

    #[test]
    fn only_web_urls_are_links() {
        assert!(link("https://example.org/", "x").starts_with("<a href="));
        assert_eq!(
            link("javascript:alert(1)", "javascript:alert(1)"),
            "javascript:alert(1)"
        );
    }

    #[test]
    fn an_empty_directory_says_what_to_run() {
        let page = render(&[], 0, &HistoryConfig::default());
        assert!(page.contains("--report-dir"));
    }
}
