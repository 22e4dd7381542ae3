//! Verdicts: from an HTTP answer or a transport error to a [`Status`], by type, never by message text.

use std::error::Error as StdError;
use std::io;
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::resolver::ResolveError;
use super::result::{BlockReason, Moved, PageInfo, Redirect, Status};
use super::retry::Retry;

/// What went wrong below HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    Timeout,
    Refused,
    /// Reset, aborted or closed before a complete answer: worth a retry.
    Reset,
    Dns(String),
    Denied(String),
    Tls(String),
    Other(String),
}

impl Failure {
    pub(crate) fn status(&self) -> Status {
        match self {
            Failure::Timeout => Status::Timeout,
            Failure::Denied(_) => Status::Excluded,
            Failure::Refused
            | Failure::Reset
            | Failure::Dns(_)
            | Failure::Tls(_)
            | Failure::Other(_) => Status::Unreachable,
        }
    }

    pub(crate) fn detail(&self, timeout: std::time::Duration) -> String {
        match self {
            Failure::Timeout => format!("no answer in {}", human_duration(timeout)),
            Failure::Refused => "connection refused".into(),
            Failure::Reset => "connection reset or closed before a complete answer".into(),
            Failure::Dns(m) | Failure::Denied(m) => m.clone(),
            Failure::Tls(m) => format!("TLS: {m}"),
            Failure::Other(m) => m.clone(),
        }
    }
}

pub(crate) fn human_duration(d: std::time::Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Classifies a reqwest error by walking its source chain for known error types.
pub(crate) fn classify_error(err: &reqwest::Error) -> Failure {
    if err.is_timeout() {
        return Failure::Timeout;
    }
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = next {
        if let Some(resolve) = e.downcast_ref::<ResolveError>() {
            return match resolve {
                ResolveError::Denied { .. } => Failure::Denied(resolve.to_string()),
                _ => Failure::Dns(resolve.to_string()),
            };
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Failure::Tls(tls.to_string());
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return Failure::Refused,
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => return Failure::Reset,
                io::ErrorKind::TimedOut => return Failure::Timeout,
                _ => {}
            }
            // io::Error's source() skips the error it wraps (a rustls::Error, another io::Error…):
            // look at that error itself.
            if let Some(inner) = io.get_ref() {
                next = Some(inner as &(dyn StdError + 'static));
                continue;
            }
        }
        if let Some(hyper) = e.downcast_ref::<hyper::Error>() {
            if hyper.is_timeout() {
                return Failure::Timeout;
            }
            if hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled() {
                return Failure::Reset;
            }
        }
        next = e.source();
    }
    Failure::Other(innermost_message(err))
}

fn innermost_message(err: &reqwest::Error) -> String {
    let mut message = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        message = e.to_string();
        next = e.source();
    }
    message
}

/// The verdict on an HTTP answer that is not success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub status: Status,
    pub detail: String,
    pub reason: Option<BlockReason>,
    pub retry: Retry,
}

/// `404 Not Found`.
pub(crate) fn describe(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// Codes whose page is read (its first KiB) for a bot wall's markers.
pub(crate) fn may_be_a_wall(code: u16) -> bool {
    matches!(code, 401 | 403 | 429 | 503 | 999)
}

/// A bot wall recognised by its headers, named by its vendor.
pub(crate) fn wall_by_headers(headers: &HeaderMap) -> Option<&'static str> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if value("cf-mitigated").is_some_and(|v| v.eq_ignore_ascii_case("challenge")) {
        return Some("Cloudflare, cf-mitigated: challenge");
    }
    if headers.contains_key("x-datadome") || headers.contains_key("x-datadome-cid") {
        return Some("DataDome");
    }
    None
}

/// Markers of challenge pages, looked for in the first KiB of a refusal's page.
const WALL_MARKERS: &[(&str, &str)] = &[
    ("cf-chl", "Cloudflare"),
    ("challenge-platform", "Cloudflare"),
    ("<title>just a moment...</title>", "Cloudflare"),
    ("attention required! | cloudflare", "Cloudflare"),
    ("captcha-delivery.com", "DataDome"),
    ("px-captcha", "PerimeterX"),
    ("_pxcaptcha", "PerimeterX"),
    ("perimeterx", "PerimeterX"),
    ("errors.edgesuite.net", "Akamai"),
    ("_incapsula_resource", "Imperva"),
];

/// A bot wall recognised by its page.
pub(crate) fn wall_by_page(prefix: &[u8]) -> Option<&'static str> {
    let head = String::from_utf8_lossy(&prefix[..prefix.len().min(1024)]).to_ascii_lowercase();
    WALL_MARKERS
        .iter()
        .find(|(marker, _)| head.contains(marker))
        .map(|&(_, vendor)| vendor)
}

/// The verdict on an answer outside `--accept`, and not a redirect with a Location: `wall` when one was
/// recognised, `retry_after` from the answer's header. A pure function of the answer.
pub(crate) fn refusal(
    status: StatusCode,
    wall: Option<&str>,
    retry_after: Option<std::time::Duration>,
) -> Verdict {
    let code = status.as_u16();
    let described = describe(status);
    let verdict = |status, reason, retry| Verdict {
        status,
        detail: described.clone(),
        reason,
        retry,
    };
    if let Some(vendor) = wall {
        let mut v = verdict(Status::Blocked, Some(BlockReason::Challenge), Retry::No);
        v.detail = format!("{}: bot challenge ({vendor})", v.detail);
        return v;
    }
    match code {
        404 | 410 => verdict(Status::Broken, None, Retry::No),
        401 | 403 | 999 => verdict(
            Status::Blocked,
            Some(BlockReason::from_code(code)),
            Retry::No,
        ),
        429 => verdict(
            Status::Blocked,
            Some(BlockReason::RateLimited),
            Retry::Yes(retry_after),
        ),
        500..=599 => verdict(Status::ServerError, None, Retry::Yes(retry_after)),
        300..=399 => {
            let mut v = verdict(Status::Broken, None, Retry::No);
            v.detail = format!("{} without a Location header", v.detail);
            v
        }
        _ => verdict(Status::Broken, None, Retry::No),
    }
}

/// Titles and headings of "page not found" pages served with 200.
static SOFT_404_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        ^\W*(?:error\W*)?404\b
        | \b404\b.{0,40}\b(?:error|not\s+found|page)\b
        | \bpage\s+(?:was\s+)?not\s+found\b
        | ^\W*(?:page\s+|file\s+|article\s+|story\s+|content\s+)?not\s+found\W*$
        | \bpage\s+(?:does\s+not|doesn['’]t)\s+exist\b
        | \b(?:could\s+not|couldn['’]t|cannot|can['’]t)\s+be\s+found\b
        | \bwe\s+(?:could\s+not|couldn['’]t|cannot|can['’]t)\s+find\b
        | \bno\s+longer\s+(?:available|exists)\b
        | \bpage\s+(?:is\s+)?(?:unavailable|missing|removed)\b
        | \b(?:page|content|article|story)\s+(?:has\s+been|was)\s+(?:removed|deleted)\b
        ",
    )
    .expect("soft 404 regex")
});

/// URL paths that error pages live at.
static SOFT_404_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|/)(?:404|not[-_]?found|page[-_]?not[-_]?found|error[-_]?404)(?:\.[a-z]+)?(?:/|$)")
        .expect("soft 404 path regex")
});

/// Whether a page that answered 200 is really a "not found" page; the reason when it is. The path of
/// the final URL counts only when redirects led there (`/news/404` may be what the author cited).
pub(crate) fn soft_404(original: &Url, final_url: &Url, page: Option<&PageInfo>) -> Option<String> {
    if final_url.path() != original.path() && SOFT_404_PATH.is_match(final_url.path()) {
        return Some(format!(
            "soft 404: ended at an error page ({})",
            final_url.path()
        ));
    }
    let page = page?;
    for (what, text) in [("title", &page.title), ("heading", &page.h1)] {
        if let Some(text) = text
            && SOFT_404_TEXT.is_match(text)
        {
            return Some(format!("soft 404: page {what} says \u{201c}{text}\u{201d}"));
        }
    }
    None
}

/// Where a deep link's redirects ended, as far as the URLs tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrontPage {
    /// Not a front page: the redirect is the page's own business.
    No,
    /// The site's root, an index page or a language root (`/en/`): the usual fate of a deleted story.
    Root,
    /// An ancestor of the cited path made of words, such as `/news` for `/news/world-54980141`.
    Section,
    /// One short segment that is no language (`/us`, `/intl`): a country edition's front page, or a
    /// page of its own. Only the page can tell: is its title the site root's title?
    Doubtful,
}

/// Judges where a deep link's redirects ended by the URLs alone. Rules:
/// * the original must be deep: not the root, an index page or a language root;
/// * the end is a front page when it is the root, an index page or an ISO 639-1 language root (`en`,
///   `ur`, `en-us`, `zh-hans`), or a section front: a shorter ancestor of the cited path whose segments
///   hold no digit (`/news`, not `/story/2272789`, which is the story without its slug);
/// * any other single segment of two to four letters (`/us`, `/intl`) is in doubt;
/// * an end with a query string is a page of its own.
pub(crate) fn front_page(original: &Url, final_url: &Url) -> FrontPage {
    if final_url.query().is_some_and(|q| !q.is_empty()) {
        return FrontPage::No;
    }
    let from = segments(original);
    let to = segments(final_url);
    let deep = |segments: &[String]| match segments {
        [] => false,
        [one] => !(is_index(one) || is_language_root(one)),
        _ => true,
    };
    if !deep(&from) {
        return FrontPage::No;
    }
    match to.as_slice() {
        [] => FrontPage::Root,
        [one] if is_index(one) || is_language_root(one) => FrontPage::Root,
        [lang, index] if is_language_root(lang) && is_index(index) => FrontPage::Root,
        _ if to.len() < from.len()
            && from.starts_with(&to)
            && to.iter().all(|s| !s.bytes().any(|b| b.is_ascii_digit())) =>
        {
            FrontPage::Section
        }
        [one] if (2..=4).contains(&one.len()) && one.bytes().all(|b| b.is_ascii_alphabetic()) => {
            FrontPage::Doubtful
        }
        _ => FrontPage::No,
    }
}

/// The non-empty path segments, lowercased.
fn segments(url: &Url) -> Vec<String> {
    url.path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn is_index(segment: &str) -> bool {
    matches!(
        segment,
        "index.html" | "index.htm" | "index.php" | "index.asp" | "home" | "default.aspx"
    )
}

/// ISO 639-1, the two-letter language codes (the list is fixed; a crate would bring ISO 639-3's
/// thousands of entries for these 183).
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// `en`, `ur`, `en-us`, `pt_BR`, `zh-hans`, `es-419`: a language's front page.
fn is_language_root(segment: &str) -> bool {
    let segment = segment.to_ascii_lowercase();
    let (lang, region) = segment.split_once(['-', '_']).unwrap_or((&segment, ""));
    let region_ok = match region.len() {
        0 => true,
        2 | 4 => region.bytes().all(|b| b.is_ascii_alphabetic()),
        3 => region.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    };
    ISO_639_1.binary_search(&lang).is_ok() && region_ok
}

/// A citation whose every redirect was permanent (301, 308) and that ended on another page: the URL to
/// cite instead. Redirects that only add or drop a trailing slash, switch http→https or add or drop
/// `www.` say nothing worth a note.
pub(crate) fn moved(original: &Url, redirects: &[Redirect], final_url: &Url) -> Option<Moved> {
    let last = redirects.last()?;
    if !redirects.iter().all(|r| matches!(r.status, 301 | 308)) {
        return None;
    }
    let plain = |u: &Url| {
        let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
        let port = u.port().filter(|p| ![80, 443].contains(p));
        let path = u.path().trim_end_matches('/').to_owned();
        (host, port, path, u.query().unwrap_or_default().to_owned())
    };
    if plain(original) == plain(final_url) {
        return None;
    }
    Some(Moved {
        url: final_url.to_string(),
        status: last.status,
    })
}

/// Whether two titles are the same title: case and spacing set aside.
pub(crate) fn same_title(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str) -> PageInfo {
        PageInfo {
            title: Some(title.into()),
            ..PageInfo::default()
        }
    }

    #[test]
    fn soft_404_titles() {
        let u = Url::parse("https://x.org/story/1").unwrap();
        let soft_404 = |u: &Url, page: Option<&PageInfo>| {
            soft_404(&Url::parse("https://x.org/cited").unwrap(), u, page)
        };
        for t in [
            "404 - Page Not Found",
            "Page not found | Dawn",
            "Not Found",
            "Error 404",
            "Sorry, this page doesn't exist",
            "The page you requested could not be found",
            "This story is no longer available",
        ] {
            assert!(soft_404(&u, Some(&page(t))).is_some(), "{t}");
        }
        for t in [
            "US troops in Afghanistan: Allies alarmed - BBC News",
            "Survivors not found after quake, rescuers say",
            "Imran vows to help stem Afghan bloodshed",
            "Flight 404 lands safely",
        ] {
            assert!(soft_404(&u, Some(&page(t))).is_none(), "{t}");
        }
        assert!(soft_404(&Url::parse("https://x.org/errors/404.html").unwrap(), None).is_some());
        assert!(soft_404(&Url::parse("https://x.org/page-not-found/").unwrap(), None).is_some());
        assert!(
            soft_404(
                &Url::parse("https://x.org/news/404-days-later").unwrap(),
                None
            )
            .is_none()
        );
    }

    #[test]
    fn refusals() {
        let code = |c: u16| StatusCode::from_u16(c).unwrap();
        let v = refusal(code(403), None, None);
        assert_eq!(
            (v.status, v.reason, v.detail.as_str()),
            (
                Status::Blocked,
                Some(BlockReason::Forbidden),
                "403 Forbidden"
            )
        );
        assert_eq!(
            refusal(code(401), None, None).reason,
            Some(BlockReason::Login)
        );
        assert_eq!(
            refusal(code(999), None, None).reason,
            Some(BlockReason::Nonstandard)
        );
        let v = refusal(code(429), None, Some(std::time::Duration::from_secs(2)));
        assert_eq!(v.reason, Some(BlockReason::RateLimited));
        assert_eq!(v.retry, Retry::Yes(Some(std::time::Duration::from_secs(2))));
        let v = refusal(code(503), Some("Cloudflare"), None);
        assert_eq!(
            (v.status, v.reason, v.retry),
            (Status::Blocked, Some(BlockReason::Challenge), Retry::No)
        );
        assert_eq!(
            v.detail,
            "503 Service Unavailable: bot challenge (Cloudflare)"
        );
        assert_eq!(refusal(code(503), None, None).status, Status::ServerError);
        assert_eq!(refusal(code(410), None, None).status, Status::Broken);
    }

    #[test]
    fn walls_by_page() {
        let page = b"<!DOCTYPE html><html><head><title>Just a moment...</title>";
        assert_eq!(wall_by_page(page), Some("Cloudflare"));
        let page = b"<html><script src='https://ct.captcha-delivery.com/c.js'></script>";
        assert_eq!(wall_by_page(page), Some("DataDome"));
        assert_eq!(wall_by_page(b"<title>Forbidden</title>"), None);
        let mut late = vec![b' '; 2048];
        late.extend_from_slice(b"px-captcha");
        assert_eq!(wall_by_page(&late), None, "only the first KiB counts");
    }

    #[test]
    fn iso_639_1_is_sorted() {
        assert!(ISO_639_1.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ISO_639_1.len(), 184);
    }

    #[test]
    fn front_page_redirects() {
        let url = |s: &str| Url::parse(s).unwrap();
        let deep = url("https://www.mfa.gov.af/news/2296-agreement.html");
        for root in [
            "https://www.mfa.gov.af/",
            "https://mfa.gov.af",
            "https://www.mfa.gov.af/en/",
            "https://www.mfa.gov.af/en-us",
            "https://www.mfa.gov.af/ur/index.php",
            "https://www.mfa.gov.af/index.php",
        ] {
            assert_eq!(front_page(&deep, &url(root)), FrontPage::Root, "{root}");
        }
        assert_eq!(
            front_page(&deep, &url("https://www.mfa.gov.af/news/2296")),
            FrontPage::No
        );
        let root = url("http://example.org/");
        assert_eq!(
            front_page(&root, &url("https://example.org/")),
            FrontPage::No
        );
        // Issue 12's cases.
        let bbc = url("https://www.bbc.com/news/world-54980141");
        assert_eq!(
            front_page(&bbc, &url("https://www.bbc.com/news")),
            FrontPage::Section
        );
        let x = |from: &str, to: &str| front_page(&url(from), &url(to));
        assert_eq!(
            x("http://x.test/moved", "http://x.test/ok"),
            FrontPage::Doubtful
        );
        assert_eq!(
            x("http://x.test/story/1", "http://x.test/en/"),
            FrontPage::Root
        );
        assert_eq!(
            x("http://x.test/a", "http://x.test/us"),
            FrontPage::Doubtful
        );
        assert_eq!(
            x("http://x.test/old-name", "http://x.test/new-name"),
            FrontPage::No
        );
        assert_eq!(
            x(
                "https://x.test/story/2272789/pm-imran",
                "https://x.test/story/2272789"
            ),
            FrontPage::No
        );
        assert_eq!(x("http://x.test/a", "http://x.test/?p=1"), FrontPage::No);
        assert!(is_language_root("pt_BR") && is_language_root("es-419"));
        assert!(!is_language_root("us") && !is_language_root("ok") && !is_language_root("xx-yy"));
    }

    #[test]
    fn moves() {
        let url = |s: &str| Url::parse(s).unwrap();
        let hops = |codes: &[u16]| -> Vec<Redirect> {
            codes
                .iter()
                .map(|&status| Redirect {
                    url: "http://x.test/".into(),
                    status,
                })
                .collect()
        };
        let from = url("http://www.x.test/old/story");
        let m = moved(&from, &hops(&[301]), &url("https://x.test/new/story")).unwrap();
        assert_eq!(
            (m.url.as_str(), m.status),
            ("https://x.test/new/story", 301)
        );
        assert!(moved(&from, &hops(&[308, 301]), &url("http://x.test/new")).is_some());
        for temporary in [302, 303, 307] {
            assert!(moved(&from, &hops(&[temporary]), &url("http://x.test/new")).is_none());
        }
        assert!(moved(&from, &hops(&[301, 302]), &url("http://x.test/new")).is_none());
        for trivial in [
            "http://www.x.test/old/story/",
            "https://www.x.test/old/story",
            "http://x.test/old/story",
            "https://x.test/old/story/",
        ] {
            assert!(
                moved(&from, &hops(&[301]), &url(trivial)).is_none(),
                "{trivial}"
            );
        }
        assert!(moved(&from, &[], &url("http://x.test/new")).is_none());
    }

    #[test]
    fn same_titles() {
        assert!(same_title("Example  News", "example news "));
        assert!(!same_title("", ""));
        assert!(!same_title("US edition", "Example News"));
    }
}
