//! Verdicts: from an HTTP answer or a transport error to a [`Status`], by type, never by message text.

use std::error::Error as StdError;
use std::io;
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::resolver::ResolveError;
use super::result::{PageInfo, Status};

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
    fn same_titles() {
        assert!(same_title("Example  News", "example news "));
        assert!(!same_title("", ""));
        assert!(!same_title("US edition", "Example News"));
    }
}
