//! DOIs: a DOI's resolver sends a checker to the publisher's landing page, and publishers answer bots
//! with 403 and challenges, so projects end up excluding whole DOI prefixes and miss the DOIs that are
//! really dead. A DOI is therefore checked as a DOI, through the DOI system's handle API
//! (`https://doi.org/api/handles/{doi}`: `responseCode` 1 = registered, 100 = not), never through
//! the landing page. Its title and date, for drift, come from Crossref's metadata API
//! (`https://api.crossref.org/works/{doi}`), which covers most scholarly DOIs; a DOI that Crossref
//! does not know (DataCite, mEDRA) simply gets no drift check.

use url::Url;

use super::{SiteRule, SiteVerdict, bare_host};
use crate::check::result::{PageInfo, Status};

pub(crate) struct Doi;

/// The DOI of a `doi.org` / `dx.doi.org` URL: `10.1145/359545.359563`, percent-decoded.
pub(crate) fn doi_of(url: &Url) -> Option<String> {
    let host = bare_host(url)?;
    if host != "doi.org" && host != "dx.doi.org" {
        return None;
    }
    let path = url.path().strip_prefix('/')?;
    let doi = percent_decode(path)?;
    let (prefix, suffix) = doi.split_once('/')?;
    let registrant = prefix.strip_prefix("10.")?;
    let valid = !suffix.is_empty()
        && !registrant.is_empty()
        && registrant.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    valid.then_some(doi)
}

fn percent_decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// `base` with the DOI's parts appended as path segments (each percent-encoded; the slashes kept).
fn with_doi(base: &str, doi: &str) -> Option<Url> {
    let mut url = Url::parse(base).ok()?;
    url.path_segments_mut()
        .ok()?
        .pop_if_empty()
        .extend(doi.split('/'));
    Some(url)
}

impl SiteRule for Doi {
    fn name(&self) -> &'static str {
        "doi"
    }

    fn probe(&self, url: &Url) -> Option<Url> {
        with_doi("https://doi.org/api/handles/", &doi_of(url)?)
    }

    fn judge(&self, http_status: u16, body: &[u8]) -> Option<SiteVerdict> {
        let code = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("responseCode").and_then(serde_json::Value::as_u64));
        match (http_status, code) {
            (200, Some(1)) => Some(SiteVerdict {
                status: Status::Ok,
                detail: None,
                title: None,
            }),
            (404, _) | (_, Some(100)) => Some(SiteVerdict {
                status: Status::Broken,
                detail: Some("DOI not registered (doi.org handle API: responseCode 100)".into()),
                title: None,
            }),
            // Anything else (429, 5xx, an unexpected answer) is judged as any answer would be.
            _ => None,
        }
    }

    fn metadata(&self, url: &Url, mailto: Option<&str>) -> Option<Url> {
        let mut works = with_doi("https://api.crossref.org/works/", &doi_of(url)?)?;
        if let Some(mailto) = mailto {
            // Crossref's "polite pool": requests that say who is asking.
            works.query_pairs_mut().append_pair("mailto", mailto);
        }
        Some(works)
    }

    fn read_metadata(&self, body: &[u8]) -> Option<PageInfo> {
        let work: serde_json::Value = serde_json::from_slice(body).ok()?;
        let message = work.get("message")?;
        let title = message
            .get("title")
            .and_then(|t| t.get(0))
            .and_then(serde_json::Value::as_str)
            .map(strip_markup)
            .filter(|t| !t.is_empty());
        // `issued` is the earliest of print and online publication; only a full day is compared.
        let published = message
            .get("issued")
            .and_then(|i| i.get("date-parts"))
            .and_then(|d| d.get(0))
            .and_then(serde_json::Value::as_array)
            .and_then(|parts| {
                let n: Vec<u64> = parts.iter().filter_map(serde_json::Value::as_u64).collect();
                match n.as_slice() {
                    [y, m, d] if (1..=12).contains(m) && (1..=31).contains(d) => {
                        Some(format!("{y:04}-{m:02}-{d:02}"))
                    }
                    _ => None,
                }
            });
        (title.is_some() || published.is_some()).then(|| PageInfo {
            title,
            published,
            ..PageInfo::default()
        })
    }
}

/// Crossref titles may carry JATS markup (`<i>E. coli</i>`): the text only, spaces collapsed.
fn strip_markup(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut in_tag = false;
    for c in title.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doi_urls_and_their_probes() {
        for (url, probe) in [
            (
                "https://doi.org/10.1145/359545.359563",
                "https://doi.org/api/handles/10.1145/359545.359563",
            ),
            (
                "http://dx.doi.org/10.1016/S0140-6736(20)30183-5",
                "https://doi.org/api/handles/10.1016/S0140-6736(20)30183-5",
            ),
            (
                // A DOI with characters a URL must encode.
                "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0",
                "https://doi.org/api/handles/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0",
            ),
            (
                "https://www.doi.org/10.5281/zenodo.1234567",
                "https://doi.org/api/handles/10.5281/zenodo.1234567",
            ),
        ] {
            let got = Doi.probe(&Url::parse(url).unwrap());
            assert_eq!(got.as_ref().map(Url::as_str), Some(probe), "{url}");
        }
        for url in [
            "https://doi.org/",
            "https://doi.org/api/handles/10.1/x",
            "https://example.org/10.1145/359545.359563",
            "https://doi.org/10.1145",
        ] {
            assert!(Doi.probe(&Url::parse(url).unwrap()).is_none(), "{url}");
        }
    }

    #[test]
    fn handle_api_answers() {
        let ok = Doi
            .judge(
                200,
                br#"{"responseCode":1,"handle":"10.1145/359545.359563","values":[]}"#,
            )
            .unwrap();
        assert_eq!(ok.status, Status::Ok);
        let missing = Doi
            .judge(404, br#"{"responseCode":100,"handle":"10.1145/nope"}"#)
            .unwrap();
        assert_eq!(missing.status, Status::Broken);
        assert!(missing.detail.unwrap().contains("not registered"));
        assert!(Doi.judge(503, b"").is_none());
        assert!(Doi.judge(200, b"<html>").is_none());
    }

    #[test]
    fn crossref_metadata() {
        let url = Url::parse("https://doi.org/10.1145/359545.359563").unwrap();
        assert_eq!(
            Doi.metadata(&url, Some("editor@example.org"))
                .unwrap()
                .as_str(),
            "https://api.crossref.org/works/10.1145/359545.359563?mailto=editor%40example.org"
        );
        let page = Doi
            .read_metadata(
                br#"{"status":"ok","message":{"title":["Time, clocks, and the ordering of events in a <i>distributed</i>   system"],"issued":{"date-parts":[[1978,7,1]]}}}"#,
            )
            .unwrap();
        assert_eq!(
            page.title.as_deref(),
            Some("Time, clocks, and the ordering of events in a distributed system")
        );
        assert_eq!(page.published.as_deref(), Some("1978-07-01"));
        // A year alone is not a day to compare.
        let page = Doi
            .read_metadata(br#"{"message":{"title":["T"],"issued":{"date-parts":[[1978]]}}}"#)
            .unwrap();
        assert_eq!(page.published, None);
        assert!(Doi.read_metadata(b"Resource not found.").is_none());
    }
}
