//! Plain text: every bare URL is a link; there are no footnotes to recover.

use super::lines::LineIndex;
use super::{RawDocument, RawLink, bare_urls};

pub(crate) fn read(src: &str) -> RawDocument {
    let lines = LineIndex::new(src);
    RawDocument {
        links: bare_urls(src)
            .map(|(offset, url)| RawLink {
                url: url.to_owned(),
                line: lines.line(offset),
            })
            .collect(),
        ..RawDocument::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bare_urls_with_lines() {
        let doc = super::read("one https://a.org/x,\ntwo <https://b.org/y>.\nhtps://typo.org/z\n");
        let found: Vec<_> = doc.links.iter().map(|l| (l.url.as_str(), l.line)).collect();
        assert_eq!(
            found,
            vec![
                ("https://a.org/x", 1),
                ("https://b.org/y", 2),
                ("htps://typo.org/z", 3)
            ]
        );
    }
}
