//! The words a sentence quotes where it cites a footnote: "…said that “Pakistan will do everything
//! possible to reduce violence.”<sup>3</sup>". A quote is in straight or curly double quotes, in the
//! sentence that ends at the footnote's marker, and at least four words long; the checker looks for
//! it in the cited page.

use rayon::prelude::*;

use foldhash::HashMap;

use super::RawDocument;
use super::lines::LineIndex;

/// The fewest words a quotation has to be checked (shorter ones are phrases, names, titles).
const MIN_WORDS: usize = 4;

/// The most quotations kept for one footnote.
pub(super) const MAX_QUOTES: usize = 8;

/// How far before its marker a citing sentence is read: a sentence is shorter, and a line of a
/// million markers costs one pass, not one per marker.
pub(super) const MAX_SENTENCE: usize = 2_000;

/// Sets each footnote's `quotes` from the sentence where it is first cited, in a Markdown document:
/// the paragraph up to the footnote's marker (at most [`MAX_SENTENCE`] bytes of it). The first
/// definition of an id is the one its references cite.
pub(super) fn attach(raw: &mut RawDocument, content: &str) {
    let lines = Lines::new(content);
    // Where each footnote is first cited: its id's first reference, for the id's first definition.
    let mut first_reference: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(raw.references.len(), Default::default());
    for r in &raw.references {
        first_reference.entry(r.id.as_str()).or_insert(r.line);
    }
    let cited: Vec<Option<usize>> = raw
        .footnotes
        .iter()
        .map(|f| first_reference.remove(f.id.as_str()))
        .collect();
    let found = find_all(&raw.footnotes, &lines, |i, f| {
        Some((f.id.as_str(), cited[i]?))
    });
    for (footnote, quotes) in raw.footnotes.iter_mut().zip(found) {
        footnote.quotes = quotes;
    }
}

/// A text's lines by number.
pub(super) struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Lines {
            text,
            index: LineIndex::new(text),
        }
    }

    /// Line `n` (1-based) without its line break, as `str::lines` gives it.
    fn line(&self, n: usize) -> Option<&'a str> {
        let start = self.index.start(n)?;
        let end = self
            .index
            .start(n + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// The quotations of each item that `cited` gives an id and the line of its first reference (the
/// item's index and the item): those of the sentence there (see [`quotes_before`]).
pub(super) fn find_all<T: Sync>(
    items: &[T],
    lines: &Lines<'_>,
    cited: impl Fn(usize, &T) -> Option<(&str, usize)> + Sync,
) -> Vec<Vec<String>> {
    let line_text = |n: usize| lines.line(n);
    // In parallel, in a few runs of items: each run finds a line's markers once, whatever the
    // number of its footnotes cited on that line (a line of a million markers costs a pass per run).
    let run = items
        .len()
        .div_ceil(rayon::current_num_threads().max(1) * 4)
        .max(256);
    items
        .par_chunks(run)
        .enumerate()
        .flat_map_iter(|(c, items)| {
            let mut markers: HashMap<usize, HashMap<&str, usize>> = HashMap::default();
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let Some((id, line)) = cited(c * run + i, item) else {
                        return Vec::new();
                    };
                    let Some(text) = line_text(line) else {
                        return Vec::new();
                    };
                    let on_line = markers.entry(line).or_insert_with(|| index_markers(text));
                    match on_line.get(id) {
                        Some(&at) => quotes_before(text, at, line, &line_text),
                        None => Vec::new(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The quotations of the sentence that ends at byte `at` of line `line` (its `text`): the paragraph
/// up to the marker, as a hard-wrapped sentence starts on an earlier line. At most MAX_SENTENCE bytes
/// of it are copied, however long its lines. In a block quote, its lines without their `>`.
fn quotes_before<'a>(
    text: &'a str,
    at: usize,
    line: usize,
    line_text: &impl Fn(usize) -> Option<&'a str>,
) -> Vec<String> {
    let quoting = block_quote_line(text);
    let own = |line: &'a str| -> Option<&'a str> {
        match (quoting, block_quote_line(line)) {
            (Some(_), Some(rest)) if !rest.trim().is_empty() => Some(rest),
            (None, None) if !line.trim().is_empty() => Some(line),
            _ => None,
        }
    };
    let prefix = quoting.map_or(0, |rest| text.len() - rest.len());
    let first = &text[prefix.min(at)..at];
    let mut before = tail(first, MAX_SENTENCE).to_owned();
    let mut i = line - 1;
    while i > 0 && before.len() < MAX_SENTENCE {
        let Some(earlier) = line_text(i).and_then(own) else {
            break;
        };
        i -= 1;
        let room = MAX_SENTENCE - before.len();
        before = format!("{} {before}", tail(earlier, room));
    }
    let mut quotes = of_sentence(&before);
    // A block quote cited at its end quotes itself, quotation marks or not.
    if quotes.is_empty()
        && quoting.is_some()
        && let Some(quote) = block_quoted(&before)
    {
        quotes.push(quote);
    }
    quotes
}

/// A Markdown block quote's line without its `>` (and the blank after it): `None` for another
/// line. The text before the marker of a line `> … [^1]` is the tail of what this returns.
fn block_quote_line(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// The words of a block quote up to a marker, since the last earlier marker: the quotation, when it
/// is at least [`MIN_WORDS`] words.
pub(super) fn block_quoted(before: &str) -> Option<String> {
    // The end of the last `[^id]` or `<sup>id</sup>`: its opening, then the first close after it
    // (a link's `]` later on is the text's).
    let after_marker = [("[^", "]"), ("<sup>", "</sup>")]
        .iter()
        .filter_map(|(open, close)| {
            let at = before.rfind(open)?;
            let end = before[at..].find(close)?;
            Some(at + end + close.len())
        })
        .max()
        .unwrap_or(0);
    let quote = before[after_marker..]
        .trim()
        .trim_matches(['"', '\u{201C}', '\u{201D}'])
        .trim();
    (quote.split_whitespace().count() >= MIN_WORDS).then(|| quote.to_owned())
}

/// The text of `after` up to `end`, when `end` comes within an id's length (an id is short: its end
/// is looked for in the next bytes only).
fn near<'a>(after: &'a str, end: &[u8]) -> Option<&'a str> {
    let window = &after.as_bytes()[..after.len().min(64 + end.len())];
    memchr::memmem::find(window, end).map(|end| &after[..end])
}

/// The last `max` bytes of `s` or a little fewer, starting on a character.
pub(super) fn tail(s: &str, max: usize) -> &str {
    let mut from = s.len().saturating_sub(max);
    while !s.is_char_boundary(from) {
        from += 1;
    }
    &s[from..]
}

/// Where each footnote id's first marker (`[^id]`, `<sup>id</sup>`) stands on a line.
fn index_markers(line: &str) -> HashMap<&str, usize> {
    let mut out = HashMap::default();
    for at in memchr::memchr2_iter(b'[', b'<', line.as_bytes()) {
        let rest = &line[at..];
        let id = if let Some(after) = rest.strip_prefix("[^") {
            near(after, b"]")
        } else if let Some(after) = rest.strip_prefix("<sup>") {
            near(after, b"</sup>")
        } else {
            None
        };
        if let Some(id) = id {
            out.entry(id).or_insert(at);
        }
    }
    out
}

/// The quotations a footnote's sentence holds (see [`quoted`]), at most [`MAX_QUOTES`].
pub(super) fn of_sentence(before: &str) -> Vec<String> {
    let mut quotes = quoted(before);
    quotes.truncate(MAX_QUOTES);
    quotes
}

/// The quotations of the last sentence of `before` (the text up to a footnote marker), of at least
/// [`MIN_WORDS`] words.
pub(super) fn quoted(before: &str) -> Vec<String> {
    static OPEN_QUOTE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\u{201C}".as_bytes()));
    // Most sentences quote nothing: a pass of memchr says so before one of chars.
    if memchr::memchr(b'"', before.as_bytes()).is_none()
        && OPEN_QUOTE.find(before.as_bytes()).is_none()
    {
        return Vec::new();
    }
    let mut quotes: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut chars = before.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match current.as_mut() {
            Some(quote) => {
                if matches!(c, '\u{201D}' | '"') {
                    let quote = std::mem::take(quote).trim().to_owned();
                    current = None;
                    if quote.split_whitespace().count() >= MIN_WORDS {
                        quotes.push(quote);
                    }
                } else {
                    quote.push(c);
                }
            }
            None => match c {
                '\u{201C}' | '"' => current = Some(String::new()),
                // A sentence ends outside quotes: its quotations are not the next one's.
                '.' | '!' | '?' if chars.peek().is_some_and(|(_, n)| n.is_whitespace()) => {
                    quotes.clear();
                }
                // An earlier footnote's marker: what it cites is its own.
                '<' | '['
                    if before[at..].starts_with("<sup>") || before[at..].starts_with("[^") =>
                {
                    quotes.clear();
                }
                _ => {}
            },
        }
    }
    quotes
}

#[cfg(test)]
mod tests {
    use super::quoted;

    /// A document as the reader of `format` gives it.
    fn read(src: &str, format: crate::extract::InputFormat) -> crate::extract::Document {
        crate::extract::extract(
            "doc",
            src,
            format,
            &crate::extract::ExtractOptions::default(),
        )
    }

    /// A quotation wrapped over lines of its paragraph is read whole.
    #[test]
    fn a_hard_wrapped_quotation() {
        let src = "Intro.\n\nThe minister said that \"Pakistan will do\neverything possible to help,\" in Kabul.[^1]\n\n[^1]: A note, <https://a.example/x>\n";
        let doc = read(src, crate::extract::InputFormat::Markdown);
        assert_eq!(
            doc.footnotes[0].quotes,
            ["Pakistan will do everything possible to help,"]
        );
    }

    /// A block quote cited from within is the quotation, hard-wrapped or not; an earlier note's
    /// words are its own.
    #[test]
    fn a_block_quote() {
        let src = "Intro.\n\n> Pakistan will do everything possible\n> to help reduce violence.[^1]\n\n> Short one.[^2]\n\n[^1]: A note, <https://a.example/x>\n[^2]: B, <https://a.example/y>\n";
        let doc = read(src, crate::extract::InputFormat::Markdown);
        assert_eq!(
            doc.footnotes[0].quotes,
            ["Pakistan will do everything possible to help reduce violence."]
        );
        assert!(doc.footnotes[1].quotes.is_empty());
        assert_eq!(
            super::block_quoted("said.[^1] The rest of the block quote here."),
            Some("The rest of the block quote here.".to_owned())
        );
        // A link's bracket after the last marker is the quotation's own text.
        assert_eq!(
            super::block_quoted("First.[^1] Words with [a link](u) and more here."),
            Some("Words with [a link](u) and more here.".to_owned())
        );
    }

    /// The same in a web page: a `<blockquote>` cited from within.
    #[test]
    fn an_html_block_quote() {
        let html = r##"<article><blockquote><p>We will open three new crossings within the month.<sup><a href="#fn1">1</a></sup></p></blockquote>
<p>Then a plain sentence.<sup><a href="#fn2">2</a></sup></p>
<ol class="footnotes"><li id="fn1">A, https://a.example/x</li><li id="fn2">B, https://a.example/y</li></ol></article>"##;
        let doc = read(html, crate::extract::InputFormat::Html);
        assert_eq!(
            doc.footnotes[0].quotes,
            ["We will open three new crossings within the month."]
        );
        assert!(doc.footnotes[1].quotes.is_empty());
    }

    #[test]
    fn the_quotes_of_the_citing_sentence() {
        assert_eq!(
            quoted(
                "He said. The aim was to deepen \u{201c}fraternal bilateral relations between them,\u{201d} and promote \u{201c}regional economic development and connectivity.\u{201d}"
            ),
            [
                "fraternal bilateral relations between them,",
                "regional economic development and connectivity."
            ]
        );
        assert_eq!(
            quoted("to assure them that \"Pakistan will do everything possible to help.\""),
            ["Pakistan will do everything possible to help."]
        );
        // Short quotations are phrases; an earlier sentence's quotation is not this one's.
        assert!(quoted("a \"new phase\" in ties").is_empty());
        assert!(quoted("\"Four words in quotes\" he said. Then nothing").is_empty());
        // An earlier footnote's citation ends its own quotation.
        assert!(quoted("\"one two three four\"<sup>1</sup> and then").is_empty());
    }
}
