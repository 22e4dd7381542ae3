//! HTML through scraper: pandoc-style and common CMS footnotes, and ordinary `<a href>` links.
//!
//! Footnote definitions are `<li id="fn1">` items inside a footnotes container (`<section
//! class="footnotes">`, `role="doc-endnotes"`, `<div class="footnotes">`, `<ol class="footnotes">`), or
//! elements with `role="doc-endnote"`/`"doc-footnote"`, or `<li>`s whose id looks like `fn1`/`fn:1`.
//! References are in-page links (`<sup><a href="#fn1">1</a></sup>`) to a definition. In-page anchors are
//! structure, not external links. html5ever keeps no source positions, so lines are recovered by finding
//! each element's attribute text in the source, in document order.

use std::collections::HashMap;

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::lines::LineIndex;
use super::{RawDocument, RawFootnote, RawReference, bare_urls, collapse_whitespace};

/// What an open element contributed, undone when it closes.
#[derive(Default, Clone, Copy)]
struct Frame {
    skip: bool,
    container: bool,
    def: bool,
    link: bool,
    backlink: bool,
    emphasis: bool,
}

struct Reader<'a> {
    src: &'a str,
    lines: LineIndex,
    /// Byte offset up to which the source has been matched to elements.
    cursor: usize,
    out: RawDocument,
    current: Option<RawFootnote>,
    /// Element id → footnote id, for matching references.
    def_ids: HashMap<String, String>,
    /// In-page links (target id, line), resolved to references once all definitions are known.
    anchors: Vec<(String, usize)>,
    skip: usize,
    container: usize,
    link: usize,
    backlink: usize,
    emphasis: Option<String>,
}

pub(crate) fn read(src: &str) -> RawDocument {
    let html = Html::parse_document(src);
    let mut r = Reader {
        src,
        lines: LineIndex::new(src),
        cursor: 0,
        out: RawDocument::default(),
        current: None,
        def_ids: HashMap::new(),
        anchors: Vec::new(),
        skip: 0,
        container: 0,
        link: 0,
        backlink: 0,
        emphasis: None,
    };
    let mut frames: Vec<Frame> = Vec::new();
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let frame = r.open(el);
                    frames.push(frame);
                }
                Node::Text(text) => r.text(text),
                _ => {}
            },
            Edge::Close(node) => {
                if node.value().is_element() {
                    let frame = frames.pop().unwrap_or_default();
                    r.close(frame);
                }
            }
        }
    }
    let Reader {
        mut out,
        anchors,
        def_ids,
        ..
    } = r;
    out.references = anchors
        .into_iter()
        .filter_map(|(target, line)| {
            def_ids.get(&target).map(|id| RawReference {
                id: id.clone(),
                line,
            })
        })
        .collect();
    out
}

impl Reader<'_> {
    fn open(&mut self, el: &scraper::node::Element) -> Frame {
        let mut frame = Frame::default();
        let name = el.name();
        if matches!(
            name,
            "script" | "style" | "template" | "code" | "pre" | "noscript" | "head"
        ) {
            frame.skip = true;
            self.skip += 1;
        }
        if self.skip > 0 {
            return frame;
        }
        let class_has = |word: &str| el.classes().any(|c| c == word);
        let role = el.attr("role").unwrap_or("");
        let id = el.id();
        if class_has("footnotes")
            || class_has("footnote-list")
            || matches!(role, "doc-endnotes" | "doc-footnotes")
            || id == Some("footnotes")
        {
            frame.container = true;
            self.container += 1;
        }
        let is_def = self.current.is_none()
            && id.is_some_and(|id| {
                (name == "li" && (self.container > 0 || looks_like_footnote_id(id)))
                    || matches!(role, "doc-endnote" | "doc-footnote")
            });
        if let Some(elem_id) = id.filter(|_| is_def) {
            let line = self.locate(&[
                format!("id=\"{elem_id}\""),
                format!("id='{elem_id}'"),
                format!("id={elem_id}"),
            ]);
            let fn_id = footnote_id(elem_id);
            self.def_ids.insert(elem_id.to_owned(), fn_id.clone());
            self.current = Some(RawFootnote {
                id: fn_id,
                line,
                ..RawFootnote::default()
            });
            frame.def = true;
        }
        if name == "a"
            && let Some(href) = el.attr("href")
        {
            let line = self.locate(&[href.to_owned(), href.replace('&', "&amp;")]);
            let href = href.trim();
            if let Some(target) = href.strip_prefix('#') {
                self.anchors.push((target.to_owned(), line));
                if self.current.is_some() {
                    frame.backlink = true;
                    self.backlink += 1;
                }
            } else if !href.is_empty() && !href.to_ascii_lowercase().starts_with("javascript:") {
                self.push_link(href, line);
                frame.link = true;
                self.link += 1;
            }
        }
        if matches!(name, "em" | "i" | "cite")
            && self.emphasis.is_none()
            && self.current.as_ref().is_some_and(|d| d.emphasis.is_none())
        {
            frame.emphasis = true;
            self.emphasis = Some(String::new());
        }
        if matches!(name, "br" | "p" | "div" | "li") {
            self.push_def_text(" ");
        }
        frame
    }

    fn close(&mut self, frame: Frame) {
        if frame.skip {
            self.skip -= 1;
        }
        if frame.container {
            self.container -= 1;
        }
        if frame.link {
            self.link -= 1;
        }
        if frame.backlink {
            self.backlink -= 1;
        }
        if frame.emphasis
            && let Some(text) = self.emphasis.take()
            && let Some(def) = self.current.as_mut()
        {
            def.emphasis = Some(collapse_whitespace(&text));
        }
        if frame.def
            && let Some(mut def) = self.current.take()
        {
            def.text = collapse_whitespace(&def.text);
            self.out.footnotes.push(def);
        }
    }

    fn text(&mut self, text: &str) {
        if self.skip > 0 {
            return;
        }
        if self.backlink == 0 {
            self.push_def_text(text);
            if let Some(buf) = self.emphasis.as_mut() {
                buf.push_str(text);
            }
        }
        if self.link == 0 {
            for (_, url) in bare_urls(text) {
                let line = self.locate(&[url.to_owned()]);
                self.push_link(url, line);
            }
        }
    }

    fn push_def_text(&mut self, text: &str) {
        if let Some(def) = self.current.as_mut() {
            def.text.push_str(text);
        }
    }

    fn push_link(&mut self, url: &str, line: usize) {
        self.out.add_link(self.current.as_mut(), url, line);
    }

    /// The line of the first of `needles` found after the cursor, moving the cursor past it; the
    /// cursor's line when none is found (entities written differently, say).
    fn locate(&mut self, needles: &[String]) -> usize {
        let rest = &self.src[self.cursor..];
        if let Some((pos, len)) = needles
            .iter()
            .filter_map(|n| rest.find(n.as_str()).map(|p| (p, n.len())))
            .min_by_key(|&(p, _)| p)
        {
            self.cursor += pos + len;
            return self.lines.line(self.cursor - len);
        }
        self.lines.line(self.cursor)
    }
}

/// `fn1`, `fn:1`, `fn-1`, `footnote-1`, `note1`, `endnote-1`, `ftn1` (Word's HTML export).
fn looks_like_footnote_id(id: &str) -> bool {
    let rest = strip_footnote_prefix(id);
    rest.len() < id.len() && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn strip_footnote_prefix(id: &str) -> &str {
    for prefix in ["footnote", "endnote", "note", "ftn", "edn", "fn"] {
        if let Some(rest) = id.strip_prefix(prefix) {
            return rest.trim_start_matches([':', '-', '_']);
        }
    }
    id
}

/// The footnote's id as a reader sees it: `fn1` → `1`, `fn:kishanganga` → `kishanganga`.
fn footnote_id(elem_id: &str) -> String {
    let rest = strip_footnote_prefix(elem_id);
    if rest.is_empty() {
        elem_id.to_owned()
    } else {
        rest.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::read;

    const PANDOC: &str = r##"<!DOCTYPE html>
<html><head><title>Brief</title><script>var u = "https://in-script.example/";</script></head>
<body>
<p>The visit<sup><a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref">1</a></sup>
and <a href="https://example.org/page?a=1&amp;b=2">a link</a>.</p>
<pre><code>https://in-code.example/x</code></pre>
<p>Relative <a href="../other.html">link</a>, see https://bare.example/y.</p>
<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">
<hr />
<ol>
<li id="fn1"><p>Naveed Siddiqui, “Pakistan will do everything,” <em>Dawn</em>, November 19, 2020,
<a href="https://www.dawn.com/news/1591240"
class="uri">https://www.dawn.com/news/1591240</a>.<a href="#fnref1" class="footnote-back"
role="doc-backlink">↩︎</a></p></li>
<li id="fn2"><p>Interview, 2021.<a href="#fnref2" class="footnote-back">↩︎</a></p></li>
</ol>
</section>
</body></html>
"##;

    #[test]
    fn pandoc_footnotes() {
        let doc = read(PANDOC);
        assert_eq!(doc.footnotes.len(), 2);
        let f = &doc.footnotes[0];
        assert_eq!(f.id, "1");
        assert_eq!(f.line, 11);
        assert_eq!(f.emphasis.as_deref(), Some("Dawn"));
        assert_eq!(
            f.text,
            "Naveed Siddiqui, “Pakistan will do everything,” Dawn, November 19, 2020, https://www.dawn.com/news/1591240."
        );
        assert_eq!(f.urls.len(), 1);
        assert_eq!(f.urls[0].url, "https://www.dawn.com/news/1591240");
        assert_eq!(f.urls[0].line, 12);
        assert_eq!(doc.references.len(), 1);
        assert_eq!(
            (doc.references[0].id.as_str(), doc.references[0].line),
            ("1", 4)
        );
        let links: Vec<_> = doc.links.iter().map(|l| (l.url.as_str(), l.line)).collect();
        assert_eq!(
            links,
            vec![
                ("https://example.org/page?a=1&b=2", 5),
                ("../other.html", 7),
                ("https://bare.example/y", 7)
            ]
        );
    }

    #[test]
    fn kramdown_ids_and_cms_lists() {
        let src = r##"<p>Text<sup id="fnref:k"><a href="#fn:kishanganga">1</a></sup></p>
<div class="footnotes"><ol><li id="fn:kishanganga"><p><a href="https://a.org/k">K</a></p></li></ol></div>
<ol><li id="item-1">Not a footnote <a href="https://b.org/z">z</a></li></ol>"##;
        let doc = read(src);
        assert_eq!(doc.footnotes.len(), 1);
        assert_eq!(doc.footnotes[0].id, "kishanganga");
        assert_eq!(doc.references[0].id, "kishanganga");
        assert_eq!(doc.links.len(), 1);
        assert_eq!(doc.links[0].url, "https://b.org/z");
    }
}
