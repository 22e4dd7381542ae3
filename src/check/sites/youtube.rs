//! YouTube: a watch page answers 200 whether or not the video exists. The oEmbed endpoint tells:
//! 200 (it exists; its title), 404 or 400 (removed or never existed), 401 (exists, embedding disabled).

use url::Url;

use super::{SiteRule, SiteVerdict, bare_host};
use crate::check::result::Status;

pub(crate) struct YouTube;

/// The video id of any of YouTube's URL shapes.
fn video_id(url: &Url) -> Option<String> {
    let host = bare_host(url)?;
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let id = match host.as_str() {
        "youtu.be" => segments.first().map(|s| (*s).to_owned()),
        "youtube.com" | "music.youtube.com" | "youtube-nocookie.com" => match segments.as_slice() {
            ["watch"] => url
                .query_pairs()
                .find(|(k, _)| k == "v")
                .map(|(_, v)| v.into_owned()),
            ["shorts" | "embed" | "live" | "v", id, ..] => Some((*id).to_owned()),
            _ => None,
        },
        _ => None,
    }?;
    let valid = (6..=20).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then_some(id)
}

impl SiteRule for YouTube {
    fn name(&self) -> &'static str {
        "youtube"
    }

    fn probe(&self, url: &Url) -> Option<Url> {
        let id = video_id(url)?;
        let canonical = format!("https://www.youtube.com/watch?v={id}");
        Url::parse_with_params(
            "https://www.youtube.com/oembed",
            [("url", canonical.as_str()), ("format", "json")],
        )
        .ok()
    }

    fn judge(&self, http_status: u16, body: &[u8]) -> Option<SiteVerdict> {
        match http_status {
            200 => {
                let title = serde_json::from_slice::<serde_json::Value>(body)
                    .ok()
                    .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_owned));
                Some(SiteVerdict {
                    status: Status::Ok,
                    detail: None,
                    title,
                })
            }
            400 | 404 => Some(SiteVerdict {
                status: Status::Broken,
                detail: Some(format!(
                    "video removed or never existed (YouTube oEmbed {http_status})"
                )),
                title: None,
            }),
            401 => Some(SiteVerdict {
                status: Status::Ok,
                detail: Some("the video exists; its owner has disabled embedding".into()),
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
    fn every_url_shape() {
        for url in [
            "https://www.youtube.com/watch?v=dHtldMvk9ts",
            "https://m.youtube.com/watch?feature=share&v=dHtldMvk9ts",
            "https://youtu.be/dHtldMvk9ts?t=42",
            "https://www.youtube.com/shorts/dHtldMvk9ts",
            "https://www.youtube.com/embed/dHtldMvk9ts",
            "https://www.youtube-nocookie.com/embed/dHtldMvk9ts",
        ] {
            let probe = YouTube
                .probe(&Url::parse(url).unwrap())
                .unwrap_or_else(|| panic!("{url}"));
            assert_eq!(
                probe.as_str(),
                "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DdHtldMvk9ts&format=json"
            );
        }
        for url in [
            "https://www.youtube.com/",
            "https://www.youtube.com/@channel",
            "https://example.com/watch?v=dHtldMvk9ts",
        ] {
            assert!(YouTube.probe(&Url::parse(url).unwrap()).is_none(), "{url}");
        }
    }

    #[test]
    fn verdicts() {
        let ok = YouTube
            .judge(
                200,
                br#"{"title":"Joint press conference","author_name":"PTV"}"#,
            )
            .unwrap();
        assert_eq!(
            (ok.status, ok.title.as_deref()),
            (Status::Ok, Some("Joint press conference"))
        );
        assert_eq!(
            YouTube.judge(404, b"Not Found").unwrap().status,
            Status::Broken
        );
        assert_eq!(
            YouTube.judge(400, b"Bad Request").unwrap().status,
            Status::Broken
        );
        assert_eq!(
            YouTube.judge(401, b"Unauthorized").unwrap().status,
            Status::Ok
        );
        assert!(YouTube.judge(503, b"").is_none());
    }
}
