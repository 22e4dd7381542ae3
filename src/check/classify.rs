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

/// Whether a deep link was redirected to a site's front page, the usual fate of a deleted story.
pub(crate) fn redirected_to_front_page(original: &Url, final_url: &Url) -> bool {
    let deep = |u: &Url| {
        let path = u.path().trim_matches('/');
        !(path.is_empty() || is_index(path) || is_language_root(path))
    };
    deep(original) && !deep(final_url) && final_url.query().is_none_or(str::is_empty)
}

fn is_index(path: &str) -> bool {
    matches!(
        path.to_ascii_lowercase().as_str(),
        "index.html" | "index.htm" | "index.php" | "index.asp" | "home" | "default.aspx"
    )
}

/// `en`, `ur`, `en-us`: a language's front page.
fn is_language_root(path: &str) -> bool {
    let (lang, region) = path.split_once(['-', '_']).unwrap_or((path, ""));
    lang.len() == 2
        && lang.bytes().all(|b| b.is_ascii_alphabetic())
        && (region.is_empty() || region.len() == 2)
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
    fn front_page_redirects() {
        let deep = Url::parse("https://www.mfa.gov.af/news/2296-agreement.html").unwrap();
        for root in [
            "https://www.mfa.gov.af/",
            "https://mfa.gov.af",
            "https://www.mfa.gov.af/en/",
            "https://www.mfa.gov.af/index.php",
        ] {
            assert!(
                redirected_to_front_page(&deep, &Url::parse(root).unwrap()),
                "{root}"
            );
        }
        assert!(!redirected_to_front_page(
            &deep,
            &Url::parse("https://www.mfa.gov.af/news/2296").unwrap()
        ));
        let root = Url::parse("http://example.org/").unwrap();
        assert!(!redirected_to_front_page(
            &root,
            &Url::parse("https://example.org/").unwrap()
        ));
    }
}
