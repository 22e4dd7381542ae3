//! Platform rules: for sites whose pages say nothing true about a citation (YouTube answers 200 for a
//! deleted video, x.com a JavaScript shell for any tweet), ask the platform's own API instead. One file
//! per platform; adding one means adding it to [`RULES`], nothing in the checker's core.

pub(crate) mod doi;
mod twitter;
mod youtube;

use url::Url;

use super::result::{PageInfo, Status};

/// A platform's verdict on a citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SiteVerdict {
    pub status: Status,
    pub detail: Option<String>,
    /// The live title, for drift.
    pub title: Option<String>,
}

pub(crate) trait SiteRule: Sync {
    /// "youtube", "twitter".
    fn name(&self) -> &'static str;
    /// The URL to ask instead of `url`, when `url` belongs to this platform.
    fn probe(&self, url: &Url) -> Option<Url>;
    /// The verdict on the probe's answer; `None` leaves it to the generic rules (429, 5xx…).
    fn judge(&self, http_status: u16, body: &[u8]) -> Option<SiteVerdict>;
    /// Where to read the cited work's title and date, for drift, once the probe found it (`mailto`:
    /// who is asking, for APIs with a polite pool).
    fn metadata(&self, _url: &Url, _mailto: Option<&str>) -> Option<Url> {
        None
    }
    /// The title and date in the metadata's answer.
    fn read_metadata(&self, _body: &[u8]) -> Option<PageInfo> {
        None
    }
}

static RULES: &[&dyn SiteRule] = &[&youtube::YouTube, &twitter::Twitter, &doi::Doi];

/// The platform rule for `url`, with the URL to ask.
pub(crate) fn probe_for(url: &Url) -> Option<(&'static dyn SiteRule, Url)> {
    RULES
        .iter()
        .find_map(|rule| rule.probe(url).map(|probe| (*rule, probe)))
}

/// Lower-case host without a leading `www.`/`m.`/`mobile.`.
fn bare_host(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    let bare = ["www.", "m.", "mobile."]
        .iter()
        .find_map(|p| host.strip_prefix(p))
        .unwrap_or(&host)
        .to_owned();
    Some(bare)
}
