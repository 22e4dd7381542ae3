//! HTML through scraper: pandoc-style and common CMS footnotes, and ordinary `<a href>` links.
//!
//! Footnote definitions are `<li id="fn1">` items inside a footnotes container (`<section
//! class="footnotes">`, `role="doc-endnotes"`, `<div class="footnotes">`, `<ol class="footnotes">`), or
//! elements with `role="doc-endnote"`/`"doc-footnote"`, or `<li>`s whose id looks like `fn1`/`fn:1`.
//! References are in-page links (`<sup><a href="#fn1">1</a></sup>`) to a definition. In-page anchors are
//! structure, not external links. html5ever keeps no source positions, so lines are recovered by finding
//! each element's attribute text in the source, in document order.
//!
//! MediaWiki reference lists are footnotes too: `<ol class="references">` items `<li id="cite_note-…">`,
//! cited by `<sup class="reference"><a href="#cite_note-…">[1]</a></sup>`. A reference's id is the label
//! its citations show (`1`, `a`, `note 1`); the `.mw-cite-backlink` arrows and hidden elements
//! (`display:none`, the COinS `Z3988` metadata) are neither text nor links; only absolute URLs in a
//! reference are its URLs (wiki links to an author's article are not), archive links included. The
//! citation fields of a CS1 `<cite class="citation">` are read from its structure: `Authors (date).
//! "Title". <i>Work</i>. Publisher. date. Archived from … Retrieved …`.

use std::collections::HashMap;

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::citation::{CitationFields, find_date};
use super::lines::LineIndex;
use super::model::{Finding, FindingKind};
use super::quotes;
use super::{
    RawDocument, RawFootnote, RawReference, bare_urls, collapse_whitespace, footnote_budget,
};

/// Whether an element is the site's chrome rather than the article: navigation, headers and footers,
/// sidebars, menus, share and "related" blocks, cookie banners. By element (`nav`, `header`,
/// `footer`, `aside`), ARIA landmark role, or a class or id that names one: a word of it among
/// [`CHROME_WORDS`] (`site-nav`, `mw-navigation`), or the whole of it among [`CHROME_NAMES`]
/// (`related`, but not `related-work`).
fn is_chrome(name: &str, role: &str, el: &scraper::node::Element) -> bool {
    // What holds the article is never chrome, whatever its class says (`has-main-navigation`).
    if matches!(name, "html" | "body" | "main" | "article") {
        return false;
    }
    if matches!(name, "nav" | "header" | "footer" | "aside" | "menu") {
        return true;
    }
    if matches!(
        role,
        "navigation" | "banner" | "contentinfo" | "complementary" | "search" | "menu" | "menubar"
    ) {
        return true;
    }
    el.classes().chain(el.id()).any(|name| {
        let name = name.to_ascii_lowercase();
        // A state or a wrapper that holds a sidebar with the content (`has-sidebar`,
        // `content-sidebar-wrap`) is not chrome itself.
        if name.starts_with("has-")
            || name.starts_with("with-")
            || name.starts_with("no-")
            || name.ends_with("-wrap")
            || name.ends_with("-wrapper")
            || name.ends_with("-container")
        {
            return false;
        }
        CHROME_NAMES.contains(&name.as_str())
            || name
                .split(['-', '_'])
                .any(|word| CHROME_WORDS.contains(&word))
    })
}

/// Words of a class or id that mark site chrome wherever they stand in it.
const CHROME_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "masthead",
    "cookie",
    "cookies",
    "consent",
    "catlinks",
    "share",
    "sharing",
    "social",
];

/// Whole classes or ids that mark site chrome.
const CHROME_NAMES: &[&str] = &[
    "related",
    "related-posts",
    "related-articles",
    "related-stories",
    "site-header",
    "site-footer",
    "header",
    "footer",
    "mw-panel",
    "mw-head",
];

/// The prefix of MediaWiki's reference ids.
const CITE_NOTE: &str = "cite_note-";

/// What an open element contributed, undone when it closes.
#[derive(Default, Clone, Copy)]
struct Frame {
    skip: bool,
    chrome: bool,
    container: bool,
    def: bool,
    link: bool,
    backlink: bool,
    emphasis: bool,
    cite: bool,
    cite_italic: bool,
    cite_quote: bool,
    ref_label: bool,
    link_text: bool,
    blockquote: bool,
}

/// The text of a CS1 `<cite>` being read, and its first italic span.
#[derive(Default)]
struct Cite {
    text: String,
    italic: Option<String>,
    in_italic: bool,
    /// Inside a `<q>`: the quotation a citation may carry, not one of its fields.
    in_quote: usize,
}

struct Reader<'a> {
    src: &'a str,
    lines: LineIndex,
    /// Byte offset up to which the source has been matched to elements.
    cursor: usize,
    /// Bytes read by searches that found nothing.
    missed: usize,
    out: RawDocument,
    current: Option<RawFootnote>,
    /// Element id → footnote id, for matching references.
    def_ids: HashMap<String, String>,
    /// In-page links (target id, line, the words quoted before it in its paragraph), resolved to
    /// references once all definitions are known.
    anchors: Vec<(String, usize, Vec<String>)>,
    /// The text of the paragraph being read outside definitions, since its last in-page link
    /// (its last [`quotes::MAX_SENTENCE`] bytes or so): the sentence a footnote's marker ends.
    block: String,
    /// `blockquote` elements open.
    quoting: usize,
    skip: usize,
    /// How many open elements are the site's chrome (see [`is_chrome`]).
    chrome: usize,
    container: usize,
    link: usize,
    backlink: usize,
    emphasis: Option<String>,
    /// The text of the first link of the definition being read: its title when none is quoted.
    link_text: Option<String>,
    /// The element id of the definition being read when it is a MediaWiki reference.
    mediawiki: Option<String>,
    /// MediaWiki references read, by index in `out.footnotes`, with their element ids.
    mediawiki_defs: Vec<(usize, String)>,
    /// The label a MediaWiki reference's citations show (`1` for `[1]`), by element id.
    labels: HashMap<String, String>,
    /// The label text of the `#cite_note-…` link being read, with its target.
    ref_label: Option<(String, String)>,
    cite: Option<Cite>,
}

/// Elements that start a paragraph of their own: a sentence does not run across them.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ol"
            | "ul"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "section"
            | "article"
            | "main"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "figure"
            | "figcaption"
            | "hr"
    )
}

/// The most tags a document is parsed with: a real page has under 100,000 elements, and html5ever's
/// tree costs about 400 bytes a node (1.5 million links took 836 MB). Past it the page is read as
/// text: its bare URLs, `href`s included, with an `over-budget` finding.
const MAX_DOCUMENT_TAGS: usize = 250_000;

pub(crate) fn read(src: &str) -> RawDocument {
    let tags = memchr::memchr_iter(b'<', src.as_bytes()).count();
    if tags > MAX_DOCUMENT_TAGS {
        let mut out = super::text::read(src);
        out.findings.push(Finding::new(
            FindingKind::OverBudget,
            None,
            Some(1),
            format!(
                "more tags than the tag budget ({MAX_DOCUMENT_TAGS}): the page was read as text, its footnotes not told apart"
            ),
        ));
        return out;
    }
    let mut attributes = 0;
    let flattened = flatten(src, MAX_NESTING, &mut attributes);
    let src = flattened.as_ref().map_or(src, |(flat, _, _)| flat.as_str());
    let html = Html::parse_document(src);
    let mut r = Reader {
        src,
        lines: LineIndex::new(src),
        cursor: 0,
        missed: 0,
        out: RawDocument::default(),
        current: None,
        def_ids: HashMap::new(),
        anchors: Vec::new(),
        block: String::new(),
        quoting: 0,
        skip: 0,
        chrome: 0,
        container: 0,
        link: 0,
        backlink: 0,
        emphasis: None,
        link_text: None,
        mediawiki: None,
        mediawiki_defs: Vec::new(),
        labels: HashMap::new(),
        ref_label: None,
        cite: None,
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
        mut def_ids,
        mediawiki_defs,
        labels,
        ..
    } = r;
    // A MediaWiki reference is known by the label its citations show; one cited nowhere by the number
    // MediaWiki puts at the end of its id.
    for (index, elem_id) in mediawiki_defs {
        let label = labels.get(&elem_id).cloned().unwrap_or_else(|| {
            let tail = elem_id.rsplit('-').next().unwrap_or_default();
            if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) {
                tail.to_owned()
            } else {
                elem_id.clone()
            }
        });
        if let Some(def) = out.footnotes.get_mut(index) {
            def.id = label.clone();
        }
        def_ids.insert(elem_id, label);
    }
    if let Some((_, line, _)) = &flattened
        && attributes > 0
    {
        out.findings.push(Finding::new(
            FindingKind::OverBudget,
            None,
            Some(*line),
            format!(
                "a tag has more attributes than the budget ({MAX_ATTRIBUTES}): {attributes} past it were dropped"
            ),
        ));
    }
    if let Some((_, line, dropped)) = &flattened
        && *dropped > 0
    {
        out.findings.push(Finding::new(
            FindingKind::OverBudget,
            None,
            Some(*line),
            format!(
                "elements nest deeper than the nesting budget ({MAX_NESTING} levels): {dropped} tags past it were read flat, their text kept"
            ),
        ));
    }
    let mut first_quotes: HashMap<&str, Vec<String>> = HashMap::new();
    out.references = anchors
        .into_iter()
        .filter_map(|(target, line, quotes)| {
            let id = def_ids.get(&target)?;
            first_quotes.entry(id.as_str()).or_insert(quotes);
            Some(RawReference {
                id: id.clone(),
                line,
            })
        })
        .collect();
    for def in &mut out.footnotes {
        if let Some(quotes) = first_quotes.remove(def.id.as_str()) {
            def.quotes = quotes;
        }
    }
    out
}

impl Reader<'_> {
    fn open(&mut self, el: &scraper::node::Element) -> Frame {
        let mut frame = Frame::default();
        let name = el.name();
        let hidden = el.attr("style").is_some_and(|s| {
            s.split(';').any(|decl| {
                let mut kv = decl.splitn(2, ':').map(str::trim);
                kv.next().is_some_and(|k| k.eq_ignore_ascii_case("display"))
                    && kv.next().is_some_and(|v| v.eq_ignore_ascii_case("none"))
            })
        }) || el
            .classes()
            .any(|c| matches!(c, "mw-cite-backlink" | "Z3988" | "mw-editsection"));
        // A COinS span (Wikipedia's citation templates write one after each `<cite>`) gives the
        // citation's fields outright: what the `<cite>` text did not give, or all of them.
        if self.skip == 0
            && el.classes().any(|c| c == "Z3988")
            && let (Some(coins), Some(def)) = (el.attr("title"), self.current.as_mut())
        {
            let coins = coins_fields(coins);
            match def.fields.as_mut() {
                Some(fields) => {
                    if fields.title.is_none() || fields.title_guessed {
                        fields.title = coins.title.or(fields.title.take());
                        fields.title_guessed &= fields.title.is_none();
                    }
                    fields.publication = fields.publication.take().or(coins.publication);
                    fields.date = fields.date.take().or(coins.date);
                    if fields.authors.is_empty() {
                        fields.authors = coins.authors;
                    }
                }
                None if coins.title.is_some() => def.fields = Some(Box::new(coins)),
                None => {}
            }
        }
        // The page's own base for its relative links (in the head, which is otherwise skipped).
        if name == "base"
            && self.out.base_href.is_none()
            && let Some(href) = el.attr("href")
        {
            self.out.base_href = Some(href.to_owned());
        }
        if hidden
            || matches!(
                name,
                "script" | "style" | "template" | "code" | "pre" | "noscript" | "head"
            )
        {
            frame.skip = true;
            self.skip += 1;
        }
        if self.skip > 0 {
            return frame;
        }
        let class_has = |word: &str| el.classes().any(|c| c == word);
        let role = el.attr("role").unwrap_or("");
        let id = el.id();
        if is_chrome(name, role, el) {
            frame.chrome = true;
            self.chrome += 1;
        }
        if class_has("footnotes")
            || class_has("footnote-list")
            || (name == "ol" && class_has("references"))
            || matches!(role, "doc-endnotes" | "doc-footnotes")
            || id == Some("footnotes")
        {
            frame.container = true;
            self.container += 1;
        }
        let is_def = self.current.is_none()
            && id.is_some_and(|id| {
                (name == "li"
                    && (self.container > 0
                        || looks_like_footnote_id(id)
                        || id.starts_with(CITE_NOTE)))
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
            self.mediawiki = elem_id.starts_with(CITE_NOTE).then(|| elem_id.to_owned());
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
                // The words a body sentence quotes before its marker are the cited page's; what
                // follows is the next marker's.
                let quotes = if self.current.is_none() {
                    let mut quotes = quotes::of_sentence(&self.block);
                    // A block quote cited from within quotes itself, quotation marks or not.
                    if quotes.is_empty() && self.quoting > 0 {
                        quotes.extend(quotes::block_quoted(&self.block));
                    }
                    self.block.clear();
                    quotes
                } else {
                    Vec::new()
                };
                self.anchors.push((target.to_owned(), line, quotes));
                if target.starts_with(CITE_NOTE) && self.ref_label.is_none() {
                    self.ref_label = Some((target.to_owned(), String::new()));
                    frame.ref_label = true;
                }
                if self.current.is_some() {
                    frame.backlink = true;
                    self.backlink += 1;
                }
            } else if !href.is_empty() && !href.to_ascii_lowercase().starts_with("javascript:") {
                self.push_link(href, line);
                frame.link = true;
                self.link += 1;
                if self.link_text.is_none()
                    && self.current.as_ref().is_some_and(|d| d.link_text.is_none())
                {
                    frame.link_text = true;
                    self.link_text = Some(String::new());
                }
            }
        }
        if matches!(name, "em" | "i" | "cite")
            && self.emphasis.is_none()
            && self.current.as_ref().is_some_and(|d| d.emphasis.is_none())
        {
            frame.emphasis = true;
            self.emphasis = Some(String::new());
        }
        if name == "cite"
            && class_has("citation")
            && self.cite.is_none()
            && self.current.as_ref().is_some_and(|d| d.fields.is_none())
        {
            frame.cite = true;
            self.cite = Some(Cite::default());
        }
        if name == "q"
            && let Some(cite) = self.cite.as_mut()
        {
            frame.cite_quote = true;
            cite.in_quote += 1;
        }
        if matches!(name, "i" | "em")
            && let Some(cite) = self.cite.as_mut()
            && cite.italic.is_none()
        {
            frame.cite_italic = true;
            cite.in_italic = true;
            cite.italic = Some(String::new());
        }
        if matches!(name, "br" | "p" | "div" | "li") {
            self.push_def_text(" ");
        }
        if is_block(name) {
            self.block.clear();
        }
        if name == "blockquote" {
            frame.blockquote = true;
            self.quoting += 1;
        }
        frame
    }

    fn close(&mut self, frame: Frame) {
        if frame.skip {
            self.skip -= 1;
        }
        if frame.blockquote {
            self.quoting -= 1;
        }
        if frame.chrome {
            self.chrome -= 1;
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
        if frame.link_text
            && let Some(text) = self.link_text.take()
            && let Some(def) = self.current.as_mut()
        {
            def.link_text = Some(collapse_whitespace(&text));
        }
        if frame.emphasis
            && let Some(text) = self.emphasis.take()
            && let Some(def) = self.current.as_mut()
        {
            def.emphasis = Some(collapse_whitespace(&text));
        }
        if frame.ref_label
            && let Some((target, text)) = self.ref_label.take()
        {
            let text = text.trim();
            if let Some(label) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                let label = collapse_whitespace(label);
                if !label.is_empty() {
                    self.labels.entry(target).or_insert(label);
                }
            }
        }
        if let Some(cite) = self.cite.as_mut() {
            if frame.cite_italic {
                cite.in_italic = false;
            }
            if frame.cite_quote {
                cite.in_quote = cite.in_quote.saturating_sub(1);
            }
        }
        if frame.cite
            && let Some(cite) = self.cite.take()
            && let Some(def) = self.current.as_mut()
        {
            def.fields = Some(Box::new(cs1_fields(&cite.text, cite.italic.as_deref())));
        }
        if frame.def
            && let Some(mut def) = self.current.take()
        {
            let elem_id = self.mediawiki.take();
            if self.out.footnotes.len() >= footnote_budget(self.src.len()) {
                self.out.count_dropped(1, def.line);
                return;
            }
            def.text = collapse_whitespace(&def.text);
            if let Some(elem_id) = elem_id {
                self.mediawiki_defs
                    .push((self.out.footnotes.len(), elem_id));
            }
            self.out.footnotes.push(def);
        }
    }

    fn text(&mut self, text: &str) {
        if self.skip > 0 {
            return;
        }
        if self.current.is_none() {
            self.block.push_str(text);
            // Only the sentence before a marker is read: a paragraph's tail is kept, not its
            // whole length.
            if self.block.len() > 2 * quotes::MAX_SENTENCE {
                let keep = quotes::tail(&self.block, quotes::MAX_SENTENCE).len();
                self.block.drain(..self.block.len() - keep);
            }
        }
        if let Some((_, label)) = self.ref_label.as_mut() {
            label.push_str(text);
        }
        if self.backlink == 0 {
            self.push_def_text(text);
            if let Some(buf) = self.emphasis.as_mut() {
                buf.push_str(text);
            }
            if let Some(buf) = self.link_text.as_mut() {
                buf.push_str(text);
            }
            if let Some(cite) = self.cite.as_mut().filter(|c| c.in_quote == 0) {
                cite.text.push_str(text);
                if cite.in_italic
                    && let Some(italic) = cite.italic.as_mut()
                {
                    italic.push_str(text);
                }
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
        // In a MediaWiki reference only absolute URLs are cited; relative ones are wiki links (to an
        // author's article, say).
        if self.mediawiki.is_some() {
            if let Some(rest) = url.strip_prefix("//") {
                // Protocol-relative, as MediaWiki writes links to its sister sites: served over HTTPS.
                let url = format!("https://{rest}");
                self.out.add_link(self.current.as_mut(), &url, line);
                return;
            }
            if !is_absolute_http(url) {
                return;
            }
        }
        // Outside a footnote, a link of the site's chrome is kept apart (`--links`).
        if self.chrome > 0 && self.current.is_none() {
            self.out.chrome_links.push(super::RawLink {
                url: url.to_owned(),
                line,
            });
            return;
        }
        self.out.add_link(self.current.as_mut(), url, line);
    }

    /// The line of the first of `needles` found after the cursor, moving the cursor past it; the
    /// cursor's line when none is found (entities written differently, say).
    ///
    /// Each needle after the first is looked for only up to where an earlier one was found, so found
    /// needles cost a pass over the source in all. A needle that is nowhere (an entity-encoded `href`)
    /// costs a pass over the rest of the source: once such passes have read the source eight times over,
    /// nothing more is looked for (50,000 entity-encoded links took 38 s before).
    fn locate(&mut self, needles: &[String]) -> usize {
        if self.missed > 8 * self.src.len() + (1 << 20) {
            return self.lines.line(self.cursor);
        }
        let rest = &self.src[self.cursor..];
        let mut best: Option<(usize, usize)> = None;
        for needle in needles {
            let end = best.map_or(rest.len(), |(p, _)| (p + needle.len()).min(rest.len()));
            let hay = super::prefix(rest, end);
            if let Some(p) = hay.find(needle.as_str())
                && best.is_none_or(|(b, _)| p < b)
            {
                best = Some((p, needle.len()));
            }
        }
        if let Some((pos, len)) = best {
            self.cursor += pos + len;
            return self.lines.line(self.cursor - len);
        }
        self.missed += rest.len() * needles.len();
        self.lines.line(self.cursor)
    }
}

/// How deep elements may nest. html5ever checks element scopes by walking its stack of open elements,
/// so a page of n nested `<div>`s costs n² (100,000 of them: 17 s). Blink builds no DOM deeper than 512
/// either: past that depth it attaches elements flat, and so do we.
pub(crate) const MAX_NESTING: usize = 512;

/// Elements that hold no content, and elements that an open sibling closes (`<li><li>`, `<p><p>`,
/// `<a><a>`): neither makes a document deeper, whatever their number.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "a", "nobr",
    "button", "form", "html", "head", "body", "frame", "image", "basefont", "bgsound", "menuitem",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// A linear scan of the tags of `src`: when elements nest deeper than `max`, the source with the tags
/// past that depth blanked out (newlines kept, so lines stay where they were), the line of the first
/// one, and how many start tags were dropped. Text and the tags above the limit are untouched.
/// Attributes past this many in one tag are dropped (as blanks): html5ever looks for a duplicate
/// name among the attributes before each new one, so a tag of n attributes costs n² (1.5 million:
/// past 20 s). Real tags have dozens.
pub(crate) const MAX_ATTRIBUTES: usize = 1_000;

/// Also blanks the attributes of a tag past [`MAX_ATTRIBUTES`]; `attributes` counts those dropped.
#[cfg(test)]
pub(crate) fn flatten_deep_nesting(src: &str, max: usize) -> Option<(String, usize, usize)> {
    let mut attributes = 0;
    flatten(src, max, &mut attributes)
}

/// [`flatten_deep_nesting`], counting the attributes dropped.
pub(crate) fn flatten(
    src: &str,
    max: usize,
    attributes: &mut usize,
) -> Option<(String, usize, usize)> {
    let bytes = src.as_bytes();
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut excess = 0usize;
    let mut dropped = 0usize;
    let mut i = 0usize;
    while let Some(found) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + found;
        let rest = &bytes[lt + 1..];
        if rest.starts_with(b"!--") {
            i = memchr::memmem::find(&bytes[lt + 4..], b"-->")
                .map_or(bytes.len(), |p| lt + 4 + p + 3);
            continue;
        }
        if matches!(rest.first(), Some(b'!' | b'?')) {
            i = memchr::memchr(b'>', rest).map_or(bytes.len(), |p| lt + 1 + p + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        let name_end = bytes[name_start..]
            .iter()
            .position(|&b| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
            .map_or(bytes.len(), |p| name_start + p);
        let tag_end = tag_end(bytes, name_end);
        if !closing && let Some((cut, over)) = attribute_flood(bytes, name_end, tag_end) {
            let close = if bytes.get(tag_end.wrapping_sub(1)) == Some(&b'>') {
                tag_end - 1
            } else {
                tag_end
            };
            blank.push((cut, close));
            *attributes += over;
        }
        let name = &src[name_start..name_end];
        let is = |list: &[&str]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
        if !closing && is(RAW_TEXT) {
            i = raw_text_end(bytes, tag_end, name.as_bytes());
            continue;
        }
        if !closing && name.eq_ignore_ascii_case("plaintext") {
            break;
        }
        if !is(FLAT) {
            if !closing {
                if depth >= max {
                    excess += 1;
                    dropped += 1;
                    blank.push((lt, tag_end));
                } else {
                    depth += 1;
                }
            } else if excess > 0 {
                excess -= 1;
                blank.push((lt, tag_end));
            } else {
                depth = depth.saturating_sub(1);
            }
        }
        i = tag_end;
    }
    let &(first, _) = blank.first()?;
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..first]).count();
    let mut out = bytes.to_vec();
    for (start, end) in blank {
        for b in &mut out[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Only ASCII bytes of whole tags became spaces: still UTF-8.
    let out = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Some((out, line, dropped))
}

/// Where the attribute after the first [`MAX_ATTRIBUTES`] of a start tag (its name ending at `from`,
/// the tag at `end`) begins, and how many attributes follow from there.
fn attribute_flood(bytes: &[u8], from: usize, end: usize) -> Option<(usize, usize)> {
    let mut count = 0usize;
    let mut cut = None;
    let (mut in_token, mut after_equals) = (false, false);
    let mut i = from;
    while i < end {
        match bytes[i] {
            b'>' => break,
            b'=' => {
                after_equals = true;
                in_token = false;
            }
            q @ (b'"' | b'\'') if after_equals => {
                i = memchr::memchr(q, &bytes[i + 1..end]).map_or(end, |p| i + 1 + p);
                after_equals = false;
            }
            b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' => in_token = false,
            _ => {
                if !in_token && !after_equals {
                    count += 1;
                    if count == MAX_ATTRIBUTES + 1 {
                        cut = Some(i);
                    }
                }
                in_token = true;
                after_equals = false;
            }
        }
        i += 1;
    }
    cut.map(|at| (at, count - MAX_ATTRIBUTES))
}

/// The offset after the `>` closing a tag whose name ends at `from`; quoted attribute values may hold `>`.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut after_equals = false;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return i + 1,
            b'=' => after_equals = true,
            q @ (b'"' | b'\'') if after_equals => {
                i = memchr::memchr(q, &bytes[i + 1..]).map_or(bytes.len(), |p| i + 1 + p);
                after_equals = false;
            }
            b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    bytes.len()
}

/// The offset of the end tag `</name` of a raw-text element whose content starts at `from`.
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(p) = memchr::memmem::find(&bytes[i..], b"</") {
        let at = i + p;
        let candidate = &bytes[at + 2..];
        if candidate.len() >= name.len() && candidate[..name.len()].eq_ignore_ascii_case(name) {
            return at;
        }
        i = at + 2;
    }
    bytes.len()
}

fn is_absolute_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The citation fields of a CS1 citation's text: `Authors (date). "Title". Work. Publisher. date.
/// Archived from the original on …. Retrieved ….`, elements separated by `. `. `italic` is its first
/// italic span: the work (website, newspaper), or the title of a book when nothing is quoted.
/// The fields of a COinS (OpenURL ContextObject) `title`: `rft.atitle` (an article's or page's title)
/// or `rft.btitle`/`rft.title`, `rft.jtitle` (the journal or site) or `rft.pub`, `rft.date`, and the
/// authors (`rft.au`, else `rft.aulast` with `rft.aufirst`).
fn coins_fields(coins: &str) -> CitationFields {
    let mut fields = CitationFields::default();
    let (mut title, mut book, mut journal, mut publisher) = (None, None, None, None);
    let (mut last, mut first) = (None, None);
    for (key, value) in url::form_urlencoded::parse(coins.as_bytes()) {
        let value = collapse_whitespace(&value);
        if value.is_empty() {
            continue;
        }
        match key.as_ref() {
            "rft.atitle" => title = Some(value),
            "rft.btitle" | "rft.title" => book = book.or(Some(value)),
            "rft.jtitle" => journal = Some(value),
            "rft.pub" => publisher = Some(value),
            "rft.date" => {
                fields.date = find_date(&value).or_else(|| {
                    (value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit())).then_some(value)
                })
            }
            "rft.au" => fields.authors.push(value),
            "rft.aulast" => last = Some(value),
            "rft.aufirst" => first = Some(value),
            _ => {}
        }
    }
    fields.title = title.or(book);
    fields.publication = journal.or(publisher);
    if fields.authors.is_empty()
        && let Some(last) = last
    {
        fields.authors.push(match first {
            Some(first) => format!("{last}, {first}"),
            None => last,
        });
    }
    fields
}

fn cs1_fields(text: &str, italic: Option<&str>) -> CitationFields {
    let text = collapse_whitespace(text);
    let italic = italic.map(collapse_whitespace).filter(|i| !i.is_empty());
    let mut fields = CitationFields::default();
    let quoted = ['"', '“', '”']
        .iter()
        .filter_map(|&q| text.find(q).map(|start| (start, q)))
        .min_by_key(|&(start, _)| start)
        .and_then(|(start, open)| {
            let close = if open == '“' { '”' } else { '"' };
            let inner_start = start + open.len_utf8();
            text[inner_start..]
                .find(close)
                .map(|len| (start, inner_start, inner_start + len, close.len_utf8()))
        });
    let (before, after, italic_is_title) = match quoted {
        Some((start, inner_start, inner_end, close_len)) => {
            let title = text[inner_start..inner_end]
                .trim()
                .trim_end_matches([',', '.'])
                .trim();
            fields.title = (!title.is_empty()).then(|| title.to_owned());
            (&text[..start], &text[inner_end + close_len..], false)
        }
        None => match italic
            .as_deref()
            .and_then(|i| text.find(i).map(|p| (p, i.len())))
        {
            Some((start, len)) => {
                fields.title = italic.clone();
                (&text[..start], &text[start + len..], true)
            }
            None => ("", text.as_str(), false),
        },
    };
    // Before the title: the authors, and the date in parentheses.
    let (authors, paren_date) = match (before.find('('), before.rfind(')')) {
        (Some(open), Some(close)) if open < close => {
            (&before[..open], find_date(&before[open + 1..close]))
        }
        _ => (before, None),
    };
    fields.authors = authors
        .split(';')
        .map(|a| {
            let a = a.trim();
            // "Payment, S." keeps the dot of its initial; "Alan Henry." loses the full stop.
            let initial = a.len() >= 2
                && a.ends_with('.')
                && a[..a.len() - 1]
                    .chars()
                    .rev()
                    .nth(1)
                    .is_none_or(|c| !c.is_alphanumeric());
            if initial {
                a
            } else {
                a.trim_end_matches('.').trim()
            }
        })
        .filter(|a| !a.is_empty() && !a.eq_ignore_ascii_case("et al"))
        .map(str::to_owned)
        .collect();
    fields.date = paren_date;
    // After the title: the work, the publisher and the date, until the archive and access notes.
    let mut plain_publication = None;
    for segment in after.split(". ") {
        let segment = segment.trim().trim_matches(['.', ',', ' ']);
        if segment.is_empty() {
            continue;
        }
        let lower = segment.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("retrieved") {
            fields.accessed = find_date(&segment[segment.len() - rest.len()..]);
            break;
        }
        if lower.starts_with("archived") {
            continue;
        }
        if let Some(date) = find_date(segment).filter(|_| segment.len() <= 32) {
            fields.date.get_or_insert(date);
        } else if plain_publication.is_none() && italic.as_deref() != Some(segment) {
            plain_publication = Some(segment.to_owned());
        }
    }
    fields.publication = if italic_is_title {
        plain_publication
    } else {
        italic.or(plain_publication)
    };
    fields
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

    /// Links of the site's chrome are kept apart; a section whose name only starts like chrome's
    /// (`related-work`) is the article's; `<base href>` is the page's base.
    #[test]
    fn chrome_links_are_kept_apart_and_the_base_is_read() {
        let src = "<html><head><base href=\"https://site.example/briefs/\"></head><body>\n\
            <nav><a href=\"/about\">About</a></nav>\n\
            <div class=\"site-nav\"><a href=\"https://site.example/menu\">Menu</a></div>\n\
            <article><p>See <a href=\"https://a.example/1\">this</a>.</p>\n\
            <section id=\"related-work\"><a href=\"https://b.example/2\">prior</a></section></article>\n\
            <footer><a href=\"https://site.example/legal\">Legal</a></footer>\n\
            <div id=\"related\"><a href=\"https://site.example/other\">Other</a></div></body></html>";
        let doc = read(src);
        let urls = |links: &[super::super::RawLink]| -> Vec<String> {
            links.iter().map(|l| l.url.clone()).collect()
        };
        assert_eq!(
            urls(&doc.links),
            ["https://a.example/1", "https://b.example/2"]
        );
        assert_eq!(
            urls(&doc.chrome_links),
            [
                "/about",
                "https://site.example/menu",
                "https://site.example/legal",
                "https://site.example/other"
            ]
        );
        assert_eq!(
            doc.base_href.as_deref(),
            Some("https://site.example/briefs/")
        );
    }
    use super::{MAX_NESTING, coins_fields, cs1_fields, flatten_deep_nesting, read};

    #[test]
    fn nesting_past_the_budget_is_read_flat() {
        let n = 2000;
        let src = format!(
            "<p>x</p>\n{}<a href=\"https://deep.example/\">deep</a>\n{}",
            "<div class=\"a>b\">".repeat(n),
            "</div>".repeat(n)
        );
        let (flat, line, dropped) = flatten_deep_nesting(&src, MAX_NESTING).unwrap();
        assert_eq!((line, dropped), (2, n - MAX_NESTING));
        assert_eq!(flat.len(), src.len());
        assert_eq!(flat.lines().count(), src.lines().count());
        let doc = read(&src);
        assert_eq!(doc.links.len(), 1);
        assert_eq!(doc.links[0].line, 2);
        assert_eq!(doc.findings.len(), 1);
        assert!(
            doc.findings[0]
                .message
                .contains("nesting budget (512 levels)")
        );
        // Under the budget, in comments, raw text and elements that do not nest: untouched.
        let shallow = format!("{}x{}", "<div>".repeat(500), "</div>".repeat(500));
        assert!(flatten_deep_nesting(&shallow, MAX_NESTING).is_none());
        let flat_kinds = format!(
            "{}{}<!-- {} --><script>{}</script>",
            "<li><p><a href=#x>".repeat(2000),
            "<br>".repeat(2000),
            "<div>".repeat(2000),
            "<div>".repeat(2000)
        );
        assert!(flatten_deep_nesting(&flat_kinds, MAX_NESTING).is_none());
    }

    const MEDIAWIKI: &str = r##"<p>Text.<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup>
Again<sup id="cite_ref-g_2-0" class="reference"><a href="#cite_note-g-2">[a]</a></sup> and
<sup class="reference"><a href="#cite_note-g-2">[a]</a></sup>.</p>
<ol class="references">
<li id="cite_note-1"><span class="mw-cite-backlink"><b><a href="#cite_ref-1">^</a></b></span> <span class="reference-text"><cite class="citation web"><a href="/wiki/Jane_Doe">Doe, Jane</a>; Roe, R. (21 June 2011). <a rel="nofollow" class="external text" href="https://a.example/story">"The Story"</a>. <i>The Paper</i>. Archived from <a rel="nofollow" class="external text" href="https://web.archive.org/web/2012/https://a.example/story">the original</a> on 2012-01-02<span class="reference-accessdate">. Retrieved <span class="nowrap">2013-03-04</span></span>.</cite><span title="ctx_ver=Z39.88" class="Z3988"><span style="display:none;">https://hidden.example/</span></span></span></li>
<li id="cite_note-g-2"><span class="mw-cite-backlink">^ <a href="#cite_ref-g_2-0"><sup><i><b>a</b></i></sup></a> <a href="#cite_ref-g_2-1"><sup><i><b>b</b></i></sup></a></span> <span class="reference-text">A note, see <a href="//books.example/x">book</a>.</span></li>
<li id="cite_note-3"><span class="reference-text">Never cited.</span></li>
</ol>"##;

    #[test]
    fn mediawiki_references() {
        let doc = read(MEDIAWIKI);
        let ids: Vec<_> = doc.footnotes.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["1", "a", "3"]);
        let refs: Vec<_> = doc
            .references
            .iter()
            .map(|r| (r.id.as_str(), r.line))
            .collect();
        assert_eq!(refs, [("1", 1), ("a", 2), ("a", 3)]);
        let one = &doc.footnotes[0];
        assert_eq!(one.line, 5);
        let urls: Vec<_> = one.urls.iter().map(|u| u.url.as_str()).collect();
        // The wiki link to the author's article is not cited; the archive link is.
        assert_eq!(
            urls,
            [
                "https://a.example/story",
                "https://web.archive.org/web/2012/https://a.example/story"
            ]
        );
        assert!(
            !one.text.contains('^') && !one.text.contains("hidden"),
            "{}",
            one.text
        );
        let fields = one.fields.as_ref().expect("CS1 fields");
        assert_eq!(fields.title.as_deref(), Some("The Story"));
        assert_eq!(fields.publication.as_deref(), Some("The Paper"));
        assert_eq!(fields.date.as_deref(), Some("2011-06-21"));
        assert_eq!(fields.accessed.as_deref(), Some("2013-03-04"));
        assert_eq!(fields.authors, ["Doe, Jane", "Roe, R."]);
        let a = &doc.footnotes[1];
        assert_eq!(a.text, "A note, see book.");
        assert_eq!(a.urls[0].url, "https://books.example/x");
        assert!(a.fields.is_none());
        assert!(doc.links.is_empty(), "{:?}", doc.links);
    }

    #[test]
    fn cs1_dates_after_the_title_and_books() {
        let f = cs1_fields(
            "\"Gecko Layout Engine\". download-firefox.org. July 17, 2008. Archived from the original on 2010-11-28. Retrieved 2012-05-10.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Gecko Layout Engine"));
        assert_eq!(f.publication.as_deref(), Some("download-firefox.org"));
        assert_eq!(f.date.as_deref(), Some("2008-07-17"));
        assert_eq!(f.accessed.as_deref(), Some("2012-05-10"));
        assert!(f.authors.is_empty());
        // An archive date alone is not the publication date.
        let f = cs1_fields(
            "\"Netscape Announces mozilla.org\". Netscape. Archived from the original on October 4, 2002. Retrieved 2012-08-21.",
            None,
        );
        assert_eq!(f.date, None);
        assert_eq!(f.publication.as_deref(), Some("Netscape"));
        let f = cs1_fields(
            "Payment, S. (2007). Marc Andreessen and Jim Clark. Rosen Publishing Group. ISBN 9781404207196.",
            Some("Marc Andreessen and Jim Clark"),
        );
        assert_eq!(f.title.as_deref(), Some("Marc Andreessen and Jim Clark"));
        assert_eq!(f.publication.as_deref(), Some("Rosen Publishing Group"));
        assert_eq!(f.authors, ["Payment, S."]);
    }

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

    /// Issue 13: the text of a footnote's first link is kept; it is the title when none is quoted.
    #[test]
    fn first_link_text_of_a_footnote_is_kept() {
        let doc = read(PANDOC);
        assert_eq!(
            doc.footnotes[0].link_text.as_deref(),
            Some("https://www.dawn.com/news/1591240")
        );
        let src = r##"<p>A<sup><a href="#fn1" class="footnote-ref" id="fnref1">1</a></sup></p>
<section class="footnotes"><ol><li id="fn1"><p>LLVM team, <a href="https://libcxx.llvm.org/Hardening.html">Hardening
<em>Modes</em></a>, libc++ documentation, 2026-02-24.<a href="#fnref1" class="footnote-back">↩︎</a></p></li></ol></section>"##;
        let doc = read(src);
        assert_eq!(
            doc.footnotes[0].link_text.as_deref(),
            Some("Hardening Modes")
        );
        let doc = crate::extract::extract(
            "a.html",
            src,
            crate::extract::InputFormat::Html,
            &crate::extract::ExtractOptions::default(),
        );
        let f = &doc.footnotes[0];
        assert_eq!(f.title.as_deref(), Some("Hardening Modes"));
        assert!(!f.title_guessed);
        assert_eq!(f.publication.as_deref(), Some("libc++ documentation"));
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

    #[test]
    fn coins_give_the_fields() {
        // As Wikipedia's {{cite web}} writes it.
        let f = coins_fields(
            "ctx_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal&rft.genre=unknown&rft.jtitle=BBC+News&rft.atitle=US+troops+in+Afghanistan%3A+Allies+alarmed&rft.date=2020-11-18&rft.aulast=Smith&rft.aufirst=Jane&rft_id=https%3A%2F%2Fwww.bbc.com%2Fnews%2F1",
        );
        assert_eq!(
            f.title.as_deref(),
            Some("US troops in Afghanistan: Allies alarmed")
        );
        assert_eq!(f.publication.as_deref(), Some("BBC News"));
        assert_eq!(f.date.as_deref(), Some("2020-11-18"));
        assert_eq!(f.authors, ["Smith, Jane"]);
        assert!(!f.title_guessed);
        // A book: its title and publisher.
        let f = coins_fields(
            "rft.btitle=The+Book&rft.pub=Westview+Press&rft.date=1998&rft.au=Archard%2C+David",
        );
        assert_eq!(
            (
                f.title.as_deref(),
                f.publication.as_deref(),
                f.date.as_deref()
            ),
            (Some("The Book"), Some("Westview Press"), Some("1998"))
        );
        assert_eq!(f.authors, ["Archard, David"]);
    }

    #[test]
    fn coins_alone_give_a_footnote_its_fields() {
        let html = r#"<ol class="references"><li id="cite_note-1"><span class="reference-text">Some text about <a href="https://a.example/x">a page</a><span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft.atitle=The+Real+Title&amp;rft.jtitle=The+Site&amp;rft.date=2019-05-04"></span></span></li></ol>"#;
        let raw = read(html);
        let fields = raw.footnotes[0].fields.as_ref().expect("fields from COinS");
        assert_eq!(fields.title.as_deref(), Some("The Real Title"));
        assert_eq!(fields.publication.as_deref(), Some("The Site"));
        assert_eq!(fields.date.as_deref(), Some("2019-05-04"));
    }
}
