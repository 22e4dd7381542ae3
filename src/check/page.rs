//! What the first bytes of an HTML page say about it: its title, first heading and publication date.

use std::sync::LazyLock;

use scraper::{Html, Selector};

use super::result::PageInfo;
use crate::extract::collapse_whitespace;

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static H1: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static OG_TITLE: LazyLock<Selector> = LazyLock::new(|| {
    selector(r#"meta[property="og:title"], meta[name="og:title"], meta[name="twitter:title"]"#)
});
static PUBLISHED_META: LazyLock<Selector> = LazyLock::new(|| {
    selector(
        r#"meta[property="article:published_time"], meta[name="article:published_time"], meta[itemprop="datePublished"], meta[name="date"], meta[name="pubdate"], meta[name="publish-date"], meta[name="dc.date"], meta[name="DC.date.issued"]"#,
    )
});
static JSON_LD: LazyLock<Selector> =
    LazyLock::new(|| selector(r#"script[type="application/ld+json"]"#));
static TIME: LazyLock<Selector> = LazyLock::new(|| selector("time[datetime]"));

/// How many tags of a page are parsed: the head and the top of the body, where the titles and the
/// date are (a real page's first 256 KiB hold a few thousand). A page built to make the HTML tree
/// builder's work grow with the square of its tags (misnested formatting elements) costs no more
/// than that many tags.
const MAX_TAGS: usize = 8_000;

/// Reads a page's titles and publication date from a prefix of its HTML (which may be cut mid-tag).
pub fn read_page(html: &str) -> PageInfo {
    let html = memchr::memchr_iter(b'<', html.as_bytes())
        .nth(MAX_TAGS)
        .map_or(html, |cut| &html[..cut]);
    // The readers' budgets for nesting and attributes hold here too.
    let flat = crate::extract::html::flatten(html, crate::extract::html::MAX_NESTING, &mut 0);
    let html = flat.as_ref().map_or(html, |(flat, _, _)| flat.as_str());
    let doc = Html::parse_document(html);
    let text = |sel: &Selector| {
        doc.select(sel)
            .next()
            .map(|el| collapse_whitespace(&el.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    };
    let content = |sel: &Selector| {
        doc.select(sel).find_map(|el| {
            el.value()
                .attr("content")
                .map(collapse_whitespace)
                .filter(|t| !t.is_empty())
        })
    };
    let published = content(&PUBLISHED_META)
        .and_then(|d| iso_day(&d))
        .or_else(|| {
            doc.select(&JSON_LD)
                .find_map(|el| json_ld_date(&el.text().collect::<String>()))
        })
        .or_else(|| {
            doc.select(&TIME)
                .find_map(|el| el.value().attr("datetime").and_then(iso_day))
        });
    PageInfo {
        title: text(&TITLE),
        h1: text(&H1),
        og_title: content(&OG_TITLE),
        published,
        anchors: None,
        text: None,
        sketch: None,
        pages: None,
    }
}

/// The ids (`id="…"`) and anchor names (`name="…"`) a page's markup declares, found by a linear scan
/// of its attributes (no tree: a page of any shape costs one pass). A `name` of a form field counts
/// too: a fragment is only ever reported missing when no such attribute has its value.
pub(crate) fn anchors(html: &[u8]) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    // Attribute names in any case (`<A NAME="x">`): found in a lower-cased copy, read from the page.
    let lower = html.to_ascii_lowercase();
    for attr in [&b"id="[..], b"name="] {
        for at in memchr::memmem::find_iter(&lower, attr) {
            // The attribute's name stands alone: after a blank, not inside `data-id=` or `uuid=`.
            if at == 0 || !html[at - 1].is_ascii_whitespace() {
                continue;
            }
            let rest = &html[at + attr.len()..];
            let value = match rest.first() {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = memchr::memchr(q, &rest[1..]).unwrap_or(rest.len() - 1);
                    &rest[1..1 + end]
                }
                Some(_) => {
                    let end = rest
                        .iter()
                        .position(|b| b.is_ascii_whitespace() || *b == b'>')
                        .unwrap_or(rest.len());
                    &rest[..end]
                }
                None => continue,
            };
            if !value.is_empty() && value.len() <= 512 {
                out.insert(String::from_utf8_lossy(value).into_owned());
            }
        }
    }
    out
}

/// What a page says.
#[derive(Debug, Default)]
pub(crate) struct PageText {
    /// All of its text: where quotes and text fragments are looked for.
    pub all: String,
    /// Its main text, for comparison with its archived copy: without the site's navigation,
    /// header, footer, sidebars and forms, and only the first outermost `<article>` or `<main>`
    /// element, with all it holds, when it has one.
    pub main: String,
}

/// Elements that hold a site's chrome rather than the page's own text.
fn is_chrome(name: &str) -> bool {
    matches!(name, "nav" | "header" | "footer" | "aside" | "form" | "svg")
}

/// The text a page shows: its character data with entities decoded, scripts, styles and templates
/// left out, block tags as spaces (inline ones, `<b>`, `<span>`, join what they split).
/// html5ever's tokenizer alone (no tree, so linear in the page), switched into raw-text mode for
/// scripts and styles as the tree builder would. `None` for a page that is not UTF-8: its text
/// cannot be matched, so nothing is said of it.
pub(crate) fn text(html: &[u8]) -> Option<PageText> {
    use html5ever::tendril::{SliceExt, StrTendril};
    use html5ever::tokenizer::states::RawKind;
    use html5ever::tokenizer::{
        BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use std::cell::{Cell, RefCell};

    struct Sink {
        out: RefCell<String>,
        /// The text outside the chrome.
        body: RefCell<String>,
        /// The text of the first article (else main element).
        article: RefCell<String>,
        /// Inside `script`, `style`, `template` or `noscript`.
        hidden: Cell<bool>,
        /// Chrome elements open.
        chrome: Cell<usize>,
        /// `article` or `main` elements open, and whether the first has closed.
        in_article: Cell<usize>,
        article_done: Cell<bool>,
    }
    impl Sink {
        fn push(&self, text: &str) {
            self.out.borrow_mut().push_str(text);
            if self.chrome.get() == 0 {
                self.body.borrow_mut().push_str(text);
                if self.in_article.get() > 0 && !self.article_done.get() {
                    self.article.borrow_mut().push_str(text);
                }
            }
        }
    }
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                Token::CharacterTokens(chars) if !self.hidden.get() => self.push(&chars),
                Token::TagToken(Tag {
                    kind,
                    name,
                    self_closing,
                    ..
                }) => {
                    let start = kind == TagKind::StartTag;
                    if is_chrome(&name) && !self_closing {
                        let open = self.chrome.get();
                        self.chrome.set(if start {
                            open + 1
                        } else {
                            open.saturating_sub(1)
                        });
                    }
                    if matches!(&*name, "article" | "main") && !self.article_done.get() {
                        let open = self.in_article.get();
                        if start {
                            self.in_article.set(open + 1);
                        } else if open > 0 {
                            self.in_article.set(open - 1);
                            self.article_done.set(open == 1);
                        }
                    }
                    let raw = match &*name {
                        "script" => Some(RawKind::ScriptData),
                        "style" | "noscript" | "template" | "xmp" | "iframe" => {
                            Some(RawKind::Rawtext)
                        }
                        _ => None,
                    };
                    let inline = matches!(
                        &*name,
                        "a" | "abbr"
                            | "b"
                            | "bdi"
                            | "bdo"
                            | "cite"
                            | "code"
                            | "data"
                            | "dfn"
                            | "em"
                            | "font"
                            | "i"
                            | "kbd"
                            | "mark"
                            | "q"
                            | "s"
                            | "samp"
                            | "small"
                            | "span"
                            | "strong"
                            | "sub"
                            | "sup"
                            | "time"
                            | "u"
                            | "var"
                            | "wbr"
                    );
                    if !inline {
                        self.push(" ");
                    }
                    match (kind, raw) {
                        (TagKind::StartTag, Some(raw)) => {
                            self.hidden.set(true);
                            return TokenSinkResult::RawData(raw);
                        }
                        (TagKind::EndTag, Some(_)) => self.hidden.set(false),
                        _ => {}
                    }
                }
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }
    let html = std::str::from_utf8(html).ok()?;
    // The tokenizer looks for a duplicate before each attribute of a tag: a tag's attributes past
    // the readers' budget are blanked first, as for a document.
    let flat = crate::extract::html::flatten(html, crate::extract::html::MAX_NESTING, &mut 0);
    let html = flat.as_ref().map_or(html, |(flat, _, _)| flat.as_str());
    let sink = Sink {
        out: RefCell::new(String::new()),
        body: RefCell::new(String::new()),
        article: RefCell::new(String::new()),
        hidden: Cell::new(false),
        chrome: Cell::new(0),
        in_article: Cell::new(0),
        article_done: Cell::new(false),
    };
    let input = BufferQueue::default();
    let html: StrTendril = html.to_tendril();
    input.push_back(html);
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = &tokenizer.sink;
    let article = sink.article.take();
    let main = if article.split_whitespace().next().is_some() {
        article
    } else {
        sink.body.take()
    };
    Some(PageText {
        all: sink.out.take(),
        main,
    })
}

/// Text as quotes and text fragments are matched: lower case, accents and soft hyphens dropped,
/// quotes and dashes of every style alike, punctuation as blanks, blanks collapsed.
pub(crate) fn normalise(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len());
    let mut blank = true;
    for c in text.nfkd() {
        let c = match c {
            '\u{AD}' => continue,
            c if unicode_normalization::char::is_combining_mark(c) => continue,
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if c == ' ' {
            if !blank {
                out.push(' ');
            }
            blank = true;
        } else {
            out.extend(c.to_lowercase());
            blank = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// `datePublished` anywhere in a JSON-LD block (an object, an array, or an `@graph`).
fn json_ld_date(json: &str) -> Option<String> {
    fn find(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::Object(map) => map
                .get("datePublished")
                .and_then(|d| d.as_str())
                .and_then(iso_day)
                .or_else(|| map.values().find_map(find)),
            serde_json::Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(&serde_json::from_str(json.trim()).ok()?)
}

/// The day of an ISO 8601 date or date-time: "2020-11-19T08:12:00+05:00" → "2020-11-19".
fn iso_day(value: &str) -> Option<String> {
    let day = value.trim().get(..10)?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .map(|_| day.to_owned())
}

#[cfg(test)]
mod tests {

    #[test]
    fn text_is_matched_as_a_reader_reads_it() {
        assert_eq!(
            super::normalise("\u{201c}Kab\u{fa}l\u{2019}s  peace\u{ad}ful\u{201d} \u{2014} SAID"),
            "kabul s peaceful said"
        );
        let text = super::text(
            b"<p>A&amp;B <b>c</b>d</p><script>if (a<b) document.write('<script>x<\\/script>')</script><style>x{}</style><p>e</p><p><span>T</span>he end</p>",
        )
        .unwrap();
        // A script's markup is its text, not the page's; an inline tag joins what it splits.
        assert_eq!(super::normalise(&text.all), "a b cd e the end");
        assert_eq!(text.main, text.all);
        assert!(
            super::text(b"caf\xe9").is_none(),
            "not UTF-8: no text to match"
        );
    }

    /// The main text leaves the site's chrome out, and is the first article when there is one.
    #[test]
    fn main_text_is_the_article_without_the_chrome() {
        let text = super::text(
            b"<header><nav><a href=/>Home</a></nav></header><main><h1>Title</h1><article><p>Body text.</p><aside>Related</aside></article><article>Second</article></main><footer>Footer</footer>",
        )
        .unwrap();
        assert_eq!(super::normalise(&text.main), "title body text second");
        assert_eq!(
            super::normalise(&text.all),
            "home title body text related second footer"
        );
        let text =
            super::text(b"<nav>Menu</nav><div>Only <br/>text</div><footer>F</footer>").unwrap();
        assert_eq!(super::normalise(&text.main), "only text");
    }

    #[test]
    fn anchors_are_ids_and_names_in_any_quoting() {
        let found = super::anchors(
            b"<h2 id=\"a\">x</h2><a\tname='b'></a><div id=c class=x><p data-id=\"no\" uuid=\"no2\"><i id=\"\">",
        );
        let mut found: Vec<_> = found.into_iter().collect();
        found.sort();
        assert_eq!(found, ["a", "b", "c"]);
    }
    use super::*;

    #[test]
    fn only_the_first_tags_of_a_page_are_parsed() {
        // Misnested formatting elements make the tree builder's work grow with the square of the
        // tags: a page of them is read up to its first MAX_TAGS tags (1.16 s for 256 KiB before).
        let mut html = String::from("<html><head><title>Kept</title></head><body>");
        while html.len() < 256 * 1024 {
            html.push_str("<font><b><i><u><s>x<div>");
        }
        html.push_str("<h1>Too far</h1>");
        let info = read_page(&html);
        assert_eq!(info.title.as_deref(), Some("Kept"));
        assert_eq!(info.h1, None);
    }

    #[test]
    fn title_and_heading() {
        let page = read_page(
            "<html><head><title> US troops\n in Afghanistan - BBC News</title></head><body><h1>US troops</h1><h1>x</h1>",
        );
        assert_eq!(
            page.title.as_deref(),
            Some("US troops in Afghanistan - BBC News")
        );
        assert_eq!(page.h1.as_deref(), Some("US troops"));
        assert_eq!(read_page("<p>cut mid-ta").title, None);
    }

    #[test]
    fn og_title_and_dates() {
        let page = read_page(
            r#"<head><meta property="og:title" content="Imran vows to help stem Afghan bloodshed"><meta property="article:published_time" content="2020-11-19T20:54:11+05:00"></head>"#,
        );
        assert_eq!(
            page.og_title.as_deref(),
            Some("Imran vows to help stem Afghan bloodshed")
        );
        assert_eq!(page.published.as_deref(), Some("2020-11-19"));
        let ld = read_page(
            r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","datePublished":"2020-11-18T14:02:03Z"}]}</script>"#,
        );
        assert_eq!(ld.published.as_deref(), Some("2020-11-18"));
        let time = read_page(r#"<body><time datetime="2020-11-17">17 Nov</time></body>"#);
        assert_eq!(time.published.as_deref(), Some("2020-11-17"));
        assert_eq!(
            read_page(r#"<time datetime="soon">x</time>"#).published,
            None
        );
    }
}
