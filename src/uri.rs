//! The second stage of a link's life: text as written in a document → a validated [`Uri`].

use std::fmt;

use url::Url;

/// Schemes a citation may legitimately use. Anything else (`htps:`, `http;`) is a typo worth an error.
const KNOWN_SCHEMES: &[&str] = &[
    "http", "https", "ftp", "ftps", "sftp", "mailto", "tel", "file", "data", "urn", "doi", "news",
    "irc", "ircs", "ssh", "git",
];

/// A URL that parsed and uses a known scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uri(Url);

/// Why a URL as written cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    #[error("relative URL {0:?} and no base URL to resolve it against (see --base-url)")]
    Relative(String),
    #[error("malformed URL {url:?}: {source}")]
    Malformed {
        url: String,
        #[source]
        source: url::ParseError,
    },
    #[error("unknown URL scheme {scheme:?} in {url:?}")]
    UnknownScheme { url: String, scheme: String },
    #[error("URL {0:?} has no host")]
    NoHost(String),
}

impl Uri {
    /// Validates `raw`, resolving it against `base` when it is relative and a base is known.
    pub fn parse_with_base(raw: &str, base: Option<&Url>) -> Result<Self, UriError> {
        let trimmed = raw.trim();
        let url = match Url::parse(trimmed) {
            Ok(url) => url,
            // A web address printed without its scheme (`www.iea.org/aboutus/`), as print
            // citations often are: the web's default scheme, whose server redirects if need be.
            Err(url::ParseError::RelativeUrlWithoutBase) if is_www(trimmed) => {
                Url::parse(&format!("http://{trimmed}")).map_err(|source| UriError::Malformed {
                    url: raw.to_owned(),
                    source,
                })?
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => match base {
                Some(base) => base.join(trimmed).map_err(|source| UriError::Malformed {
                    url: raw.to_owned(),
                    source,
                })?,
                None => return Err(UriError::Relative(raw.to_owned())),
            },
            Err(source) => {
                return Err(UriError::Malformed {
                    url: raw.to_owned(),
                    source,
                });
            }
        };
        let scheme = url.scheme();
        if !KNOWN_SCHEMES.contains(&scheme) {
            return Err(UriError::UnknownScheme {
                url: raw.to_owned(),
                scheme: scheme.to_owned(),
            });
        }
        if matches!(scheme, "http" | "https") && url.host_str().is_none_or(str::is_empty) {
            return Err(UriError::NoHost(raw.to_owned()));
        }
        Ok(Uri(url))
    }

    /// As [`Uri::parse`], for an address printed on a page (a PDF): print has no relative links,
    /// so a scheme-less `host.tld/path` names its host, as a `www.` address does.
    pub fn parse_printed(raw: &str) -> Result<Self, UriError> {
        match Self::parse(raw) {
            Err(UriError::Relative(_)) if is_host_path(raw.trim()) => {
                let url = Url::parse(&format!("http://{}", raw.trim())).map_err(|source| {
                    UriError::Malformed {
                        url: raw.to_owned(),
                        source,
                    }
                })?;
                Ok(Uri(url))
            }
            other => other,
        }
    }

    /// Validates an absolute URL.
    pub fn parse(raw: &str) -> Result<Self, UriError> {
        Self::parse_with_base(raw, None)
    }

    /// Whether `raw` is valid as [`Uri::parse`] (or, `printed`, [`Uri::parse_printed`]) judges it,
    /// without building the URL where it is plainly valid: a document's lint asks this of every URL
    /// it cites, and nearly all are `https://host.example/path`.
    pub fn validate(raw: &str, printed: bool) -> Result<(), UriError> {
        if is_plain_web_url(raw.trim()) {
            return Ok(());
        }
        match printed {
            true => Self::parse_printed(raw).map(drop),
            false => Self::parse(raw).map(drop),
        }
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether a checker can fetch it over HTTP(S).
    pub fn is_http(&self) -> bool {
        matches!(self.0.scheme(), "http" | "https")
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// Whether `raw` is written relative to something (no scheme), e.g. `../other.html` or `/about`.
/// A web address without its scheme (`www.example.org/x`) is not: it names its host.
pub fn is_relative(raw: &str) -> bool {
    matches!(
        Url::parse(raw.trim()),
        Err(url::ParseError::RelativeUrlWithoutBase)
    ) && !is_www(raw.trim())
}

/// Whether `raw` starts with a host name (`transparenzranking.de`, `transparenz.hamburg.de/x`):
/// labels of letters, digits and hyphens, the last one letters only.
pub fn is_host_path(raw: &str) -> bool {
    is_plain_host(host_of(raw))
}

/// Whether `host` is a host name: labels of letters, digits and hyphens, the last one letters only.
fn is_plain_host(host: &str) -> bool {
    let (mut labels, mut last): (usize, &[u8]) = (0, &[]);
    for label in host.as_bytes().split(|&b| b == b'.') {
        let plain = label.first().is_some_and(|&b| b != b'-')
            && label
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-');
        if !plain {
            return false;
        }
        (labels, last) = (labels + 1, label);
    }
    labels >= 2 && last.len() >= 2 && last.iter().all(u8::is_ascii_alphabetic)
}

/// What comes before the first `/`, `?` or `#` of a URL without its scheme: its host (and port).
fn host_of(raw: &str) -> &str {
    // The three are ASCII: the text before one ends on a character boundary.
    let end = raw
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(raw.len());
    &raw[..end]
}

/// Top-level domains a bare host is read under in print and prose: the common generic ones and
/// Europe's country codes. Others (`.md`, `.py`, `.js`) are also file extensions, and a bare
/// `notes.md` is a file.
pub const BARE_TLDS: &[&str] = &[
    "org", "com", "net", "gov", "edu", "int", "info", "eu", "de", "at", "ch", "fr", "be", "nl",
    "lu", "it", "es", "pt", "uk", "ie", "se", "no", "dk", "fi", "pl", "cz", "gr",
];

/// Whether a word is a host name, with a path or not, as print gives addresses without a scheme
/// (`transparenzranking.de`, `transparenz.hamburg.de/das-hmbtg`): lower-case labels under one of
/// [`BARE_TLDS`].
pub fn is_bare_host(word: &str) -> bool {
    let host = host_of(word);
    is_plain_host(host)
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'))
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| BARE_TLDS.contains(&tld))
}

/// Whether `url` is an `http(s)://` URL that the URL standard's parser cannot reject: its host is
/// a plain domain name ([`is_plain_host`]: ASCII letters, digits and hyphens, the last label letters
/// only, so never an IPv4 address) with no punycode label, and no user, password or port. What
/// follows the host (path, query, fragment) never fails to parse: it is percent-encoded as needed.
fn is_plain_web_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = host_of(rest);
    is_plain_host(host)
        && !host.split('.').any(|label| {
            label
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
        })
}

/// Whether `raw` starts with a `www.` host name (`www.iea.org/…`).
fn is_www(raw: &str) -> bool {
    raw.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("www."))
        && raw[4..]
            .split(['/', '?', '#', ':'])
            .next()
            .is_some_and(|host| host.contains('.') && !host.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_web_urls() {
        let uri = Uri::parse("https://www.bbc.com/news/world-us-canada-54980141").unwrap();
        assert!(uri.is_http());
        assert_eq!(uri.as_url().host_str(), Some("www.bbc.com"));
    }

    /// `validate` judges as `parse` does, plain URLs and every kind of trouble alike.
    #[test]
    fn validate_agrees_with_parse() {
        let urls = [
            "https://www.bbc.com/news/world-us-canada-54980141",
            "http://a.org",
            "https://a.org?x#y",
            " https://a.org/x ",
            "https://A-B.Example.ORG/path with space/%zz?q=<>#frag ment",
            "https://xn--bcher-kva.example/",
            "https://xn--a.org/",
            "https://XN--zz.org/",
            "https://1.2.3.999/",
            "https://1.2.3.4/",
            "https://example.0x10/",
            "https://example.123/",
            "https://a..b.org/",
            "https://.a.org/",
            "https://a.org./",
            "https://-a-.org/",
            "https://a.org:99999/",
            "https://a.org:8080/x",
            "https://user:pw@a.org/",
            "https://exa mple.com/",
            "https://a_b.org/",
            "https://a%41.org/",
            "https://[::1/",
            "https://[::1]/",
            "https:///x",
            "https://",
            "https://a.org\\x",
            "https://\tb.org/",
            "https:a.org",
            "htps://a.org",
            "ftp://a.org/x",
            "www.iea.org/aboutus/",
            "transparenz.hamburg.de/das-hmbtg",
            "../brief.html",
            "https://ünï.org/",
            "https://a.org/ünï",
            "https://a.b-",
            "https://a.b1",
        ];
        for url in urls {
            for printed in [false, true] {
                let parsed = match printed {
                    true => Uri::parse_printed(url),
                    false => Uri::parse(url),
                };
                assert_eq!(
                    Uri::validate(url, printed),
                    parsed.map(drop),
                    "{url:?} printed: {printed}"
                );
            }
        }
        assert!(is_plain_web_url("https://www.bbc.com/news/x"));
        assert!(!is_plain_web_url("https://a.org:8080/x"));
    }

    #[test]
    fn rejects_unknown_scheme() {
        let err = Uri::parse("htps://tribune.com.pk/story/1").unwrap_err();
        assert!(matches!(err, UriError::UnknownScheme { ref scheme, .. } if scheme == "htps"));
    }

    #[test]
    fn rejects_malformed() {
        assert!(matches!(
            Uri::parse("http://exa mple.com/").unwrap_err(),
            UriError::Malformed { .. }
        ));
        assert!(matches!(
            Uri::parse("https://[::1/").unwrap_err(),
            UriError::Malformed { .. }
        ));
    }

    #[test]
    fn relative_needs_a_base() {
        assert_eq!(
            Uri::parse("../brief.html").unwrap_err(),
            UriError::Relative("../brief.html".into())
        );
        let base = Url::parse("https://issi.org.pk/briefs/2020/").unwrap();
        let uri = Uri::parse_with_base("../brief.html", Some(&base)).unwrap();
        assert_eq!(uri.as_str(), "https://issi.org.pk/briefs/brief.html");
        assert!(is_relative("/about"));
        assert!(!is_relative("www.iea.org/aboutus/glossary/"));
        let uri = Uri::parse("www.iea.org/aboutus/glossary/").unwrap();
        assert_eq!(uri.as_str(), "http://www.iea.org/aboutus/glossary/");
        assert!(Uri::parse("www.nothing").is_err());
        assert!(!is_relative("mailto:a@b.org"));
    }

    #[test]
    fn a_printed_host_without_scheme_is_an_address_only_in_print() {
        assert!(matches!(
            Uri::parse("transparenzranking.de"),
            Err(UriError::Relative(_))
        ));
        let uri = Uri::parse_printed("transparenz.hamburg.de/das-hmbtg").unwrap();
        assert_eq!(uri.as_str(), "http://transparenz.hamburg.de/das-hmbtg");
        assert_eq!(
            Uri::parse_printed("https://a.org/x").unwrap().as_str(),
            "https://a.org/x"
        );
        for relative in ["../brief.html", "notes", "/about", "report.2020", "a..b/x"] {
            assert!(Uri::parse_printed(relative).is_err(), "{relative}");
        }
    }
}
