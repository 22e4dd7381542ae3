//! Twitter/X: x.com answers 200 with a JavaScript shell for any tweet. publish.twitter.com's oEmbed
//! tells: 200 (the tweet is there; its text), 404 (deleted, or the account is gone), 403 (protected).

use scraper::{Html, Selector};
use url::Url;

use super::{SiteRule, SiteVerdict, bare_host};
use crate::check::result::Status;
use crate::extract::collapse_whitespace;

pub(crate) struct Twitter;

/// `https://twitter.com/USER/status/ID` for any of the tweet URL shapes.
fn canonical(url: &Url) -> Option<String> {
    let host = bare_host(url)?;
    if !matches!(host.as_str(), "twitter.com" | "x.com") {
        return None;
    }
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let (user, id) = match segments.as_slice() {
        ["i", "web", "status", id, ..] => ("i/web", *id),
        [user, "status" | "statuses", id, ..] => (*user, *id),
        _ => return None,
    };
    id.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| format!("https://twitter.com/{user}/status/{id}"))
}

impl SiteRule for Twitter {
    fn name(&self) -> &'static str {
        "twitter"
    }

    fn probe(&self, url: &Url) -> Option<Url> {
        let tweet = canonical(url)?;
        Url::parse_with_params(
            "https://publish.twitter.com/oembed",
            [("url", tweet.as_str()), ("omit_script", "true")],
        )
        .ok()
    }

    fn judge(&self, http_status: u16, body: &[u8]) -> Option<SiteVerdict> {
        match http_status {
            200 => {
                // The tweet's text is the paragraph of the embed's blockquote.
                let html = serde_json::from_slice::<serde_json::Value>(body)
                    .ok()
                    .and_then(|v| v.get("html").and_then(|h| h.as_str()).map(str::to_owned));
                let title = html.and_then(|html| {
                    let doc = Html::parse_fragment(&html);
                    let p = Selector::parse("blockquote p").expect("static selector");
                    doc.select(&p)
                        .next()
                        .map(|el| collapse_whitespace(&el.text().collect::<String>()))
                });
                Some(SiteVerdict {
                    status: Status::Ok,
                    detail: None,
                    title: title.filter(|t| !t.is_empty()),
                })
            }
            404 => Some(SiteVerdict {
                status: Status::Broken,
                detail: Some("tweet deleted or account gone (Twitter oEmbed 404)".into()),
                title: None,
            }),
            403 => Some(SiteVerdict {
                status: Status::Blocked,
                detail: Some(
                    "protected account: the tweet cannot be seen (Twitter oEmbed 403)".into(),
                ),
                title: None,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tweet_url_shapes() {
        for url in [
            "https://twitter.com/US4AfghanPeace/status/1330568973168107526",
            "https://x.com/US4AfghanPeace/status/1330568973168107526?s=20",
            "https://mobile.twitter.com/US4AfghanPeace/status/1330568973168107526",
            "https://www.x.com/US4AfghanPeace/statuses/1330568973168107526/photo/1",
        ] {
            let probe = Twitter
                .probe(&Url::parse(url).unwrap())
                .unwrap_or_else(|| panic!("{url}"));
            assert_eq!(
                probe.as_str(),
                "https://publish.twitter.com/oembed?url=https%3A%2F%2Ftwitter.com%2FUS4AfghanPeace%2Fstatus%2F1330568973168107526&omit_script=true"
            );
        }
        for url in [
            "https://twitter.com/US4AfghanPeace",
            "https://x.com/home",
            "https://twitter.com/a/status/abc",
        ] {
            assert!(Twitter.probe(&Url::parse(url).unwrap()).is_none(), "{url}");
        }
    }

    #[test]
    fn verdicts() {
        let body = br#"{"author_name":"US4AfghanPeace","html":"<blockquote class=\"twitter-tweet\"><p lang=\"en\">Good meeting in Kabul.</p>&mdash; US4AfghanPeace</blockquote>"}"#;
        let ok = Twitter.judge(200, body).unwrap();
        assert_eq!(
            (ok.status, ok.title.as_deref()),
            (Status::Ok, Some("Good meeting in Kabul."))
        );
        assert_eq!(Twitter.judge(404, b"").unwrap().status, Status::Broken);
        assert_eq!(Twitter.judge(403, b"").unwrap().status, Status::Blocked);
        assert!(Twitter.judge(500, b"").is_none());
    }
}
