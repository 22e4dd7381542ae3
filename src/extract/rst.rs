//! reStructuredText: footnotes, citations and hyperlinks.
//!
//! No maintained Rust crate parses reStructuredText with source positions (`rst_parser`, the one
//! published parser, builds a document tree without them and is barely documented), so this is a
//! focused reader of exactly the constructs citecheck needs, with the docutils *reStructuredText Markup
//! Specification* as its reference:
//!
//! * footnotes `.. [1]`, `.. [#]`, `.. [#label]`, `.. [*]` and citations `.. [CIT2002]`, with their
//!   indented bodies, cited by `[1]_`, `[#]_`, `[#label]_`, `[*]_`, `[CIT2002]_`. Auto-numbering is
//!   docutils': auto-numbered definitions (`[#]` and `[#label]`) take the numbers 1, 2, … in document
//!   order, skipping numbers already used as names (manually numbered footnotes); `[#label]_` cites its
//!   label's number, and anonymous `[#]_` references pair with anonymous `[#]` definitions in order.
//!   `[*]` footnotes and references take the symbols `*`, `†`, `‡`, `§`, `¶`, `#`, `♠`, `♥`, `♦`, `♣`
//!   in order, then doubled symbols, and so on.
//! * links: standalone URLs, embedded URIs `` `text <URL>`_ `` and `` `text <URL>`__ ``, named targets
//!   `.. _name: URL` (a reference `name_` or `` `a name`_ `` is a link where it is used; a target
//!   referenced nowhere is a link at its definition), anonymous targets `.. __: URL` and `__ URL` paired
//!   in order with anonymous references `name__`, and `image`/`figure` directive arguments. A link inside
//!   a footnote's body belongs to that footnote.
//! * not content: literal blocks (`::` then an indented block), doctest blocks, code-like directives
//!   (`code-block`, `code`, `raw`, `math`…), inline literals ` ``x`` `, interpreted text and comments.
//!
//! Linear time: each line is classified once; inline markup is scanned once per text block, and every
//! search for a closing delimiter is either consumed or remembered as failed.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::lines::LineIndex;
use super::{RawDocument, RawFootnote, RawLink, RawReference, bare_urls, collapse_whitespace};

/// The docutils symbol sequence for `[*]` footnotes.
const SYMBOLS: [char; 10] = ['*', '†', '‡', '§', '¶', '#', '♠', '♥', '♦', '♣'];

/// Directives whose body (and argument) is not reStructuredText content.
const CODE_DIRECTIVES: &[&str] = &[
    "code",
    "code-block",
    "sourcecode",
    "literalinclude",
    "include",
    "raw",
    "math",
    "highlight",
    "productionlist",
    "doctest",
    "testcode",
    "testoutput",
    "ipython",
    "graphviz",
    "digraph",
    "graph",
    "mermaid",
    "uml",
];

/// A simple reference name followed by `_` (named) or `__` (anonymous): `Python_`, `pep-8__`.
static NAME_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\pL\pN]+(?:[-_.+:][\pL\pN]+)*)(__?)").expect("reference name regex")
});

/// The label of a footnote or citation, as docutils classifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    /// `[1]`: manually numbered.
    Manual(String),
    /// `[#]`: auto-numbered, anonymous.
    Auto,
    /// `[#label]`: auto-numbered, with a (normalised) name.
    AutoNamed(String),
    /// `[*]`: auto-symbol.
    Symbol,
    /// `[CIT2002]`: a citation, as written.
    Citation(String),
}

fn label(text: &str) -> Option<Label> {
    match text {
        "#" => Some(Label::Auto),
        "*" => Some(Label::Symbol),
        _ => {
            if let Some(name) = text.strip_prefix('#') {
                is_simple_name(name).then(|| Label::AutoNamed(normalise(name)))
            } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                Some(Label::Manual(text.to_owned()))
            } else {
                is_simple_name(text).then(|| Label::Citation(text.to_owned()))
            }
        }
    }
}

/// docutils' simple reference name: alphanumerics with isolated internal `-_.:+`.
fn is_simple_name(s: &str) -> bool {
    let mut previous_punct = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            previous_punct = false;
        } else if "-_.:+".contains(c) && !previous_punct {
            previous_punct = true;
        } else {
            return false;
        }
    }
    !s.is_empty() && !previous_punct
}

/// Reference names are compared lowercased with whitespace collapsed.
fn normalise(name: &str) -> String {
    collapse_whitespace(name).to_lowercase()
}

/// The `n`th (0-based) symbol label; beyond a few repetitions the count is written out, so that a
/// hostile document of a million `[*]_` does not build labels of quadratic total length.
fn symbol(n: usize) -> String {
    let c = SYMBOLS[n % SYMBOLS.len()];
    let times = n / SYMBOLS.len() + 1;
    if times <= 4 {
        std::iter::repeat_n(c, times).collect()
    } else {
        format!("{c}×{times}")
    }
}

/// A line of the source.
struct Line<'a> {
    /// 1-based line number.
    number: usize,
    /// Offset of the first character after the indentation.
    body_start: usize,
    /// Offset of the end of the line (before `\r\n` or `\n`).
    end: usize,
    /// Indentation in columns (tabs to multiples of 8).
    indent: usize,
    /// The line after its indentation, without the line ending.
    body: &'a str,
}

impl Line<'_> {
    fn blank(&self) -> bool {
        self.body.trim().is_empty()
    }
}

fn split_lines(src: &str) -> Vec<Line<'_>> {
    let mut out = Vec::with_capacity(src.len() / 40 + 1);
    let mut start = 0;
    while start <= src.len() {
        let end = memchr::memchr(b'\n', &src.as_bytes()[start..]).map_or(src.len(), |i| start + i);
        let text = src[start..end]
            .strip_suffix('\r')
            .unwrap_or(&src[start..end]);
        let mut indent = 0;
        let mut skipped = 0;
        for c in text.chars() {
            match c {
                ' ' => indent += 1,
                '\t' => indent = (indent / 8 + 1) * 8,
                _ => break,
            }
            skipped += 1;
        }
        out.push(Line {
            number: out.len() + 1,
            body_start: start + skipped,
            end: start + text.len(),
            indent,
            body: &text[skipped..],
        });
        start = end + 1;
    }
    out
}

/// The column where a line's text starts once a list marker (`- `, `1. `, `(a) `, `#. `) is skipped:
/// a literal block after `::` must be indented past it.
fn content_indent(line: &Line<'_>) -> usize {
    let body = line.body;
    let marker = if body.starts_with(['-', '*', '+', '•', '‣', '⁃']) {
        body.chars().next().map_or(0, char::len_utf8)
    } else {
        let inner = body.strip_prefix('(').unwrap_or(body);
        let word = inner
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
            .count();
        match inner.as_bytes().get(word) {
            Some(b'.' | b')') if word > 0 => body.len() - inner.len() + word + 1,
            _ => 0,
        }
    };
    let rest = &body[marker..];
    if marker > 0 && rest.starts_with([' ', '\t']) {
        line.indent + marker + (rest.len() - rest.trim_start().len())
    } else {
        line.indent
    }
}

/// A run of text lines (a paragraph, or the first line of a footnote and its continuation).
#[derive(Debug, Clone, Copy)]
struct Block {
    start: usize,
    end: usize,
    owner: Option<usize>,
}

/// What a hyperlink target points at.
#[derive(Debug, Clone)]
enum TargetValue {
    Url(String),
    /// An indirect target: another target's (normalised) name.
    Alias(String),
}

#[derive(Debug, Clone)]
struct Target {
    value: TargetValue,
    used: bool,
}

/// A link-bearing place, resolved once every target is known.
#[derive(Debug, Clone)]
enum LinkKind {
    Url(String),
    /// `name_`: a reference to a named target.
    Named(String),
    /// `name__`: the next anonymous target.
    Anonymous,
    /// The definition of a named target, a link when nothing references it.
    NamedTarget(String),
    /// The definition of the `n`th anonymous target.
    AnonymousTarget(usize),
}

#[derive(Debug, Clone)]
struct LinkEvent {
    offset: usize,
    owner: Option<usize>,
    kind: LinkKind,
}

#[derive(Default)]
struct Reader<'a> {
    src: &'a str,
    blocks: Vec<Block>,
    defs: Vec<(Label, RawFootnote)>,
    /// Footnote and citation references, in document order, with their offsets.
    refs: Vec<(Label, usize)>,
    named: HashMap<String, Target>,
    anonymous: Vec<Target>,
    events: Vec<LinkEvent>,
}

pub(crate) fn read(src: &str) -> RawDocument {
    let mut r = Reader {
        src,
        ..Reader::default()
    };
    r.scan_lines();
    for block in std::mem::take(&mut r.blocks) {
        r.inline(block);
    }
    r.finish()
}

impl<'a> Reader<'a> {
    /// Classifies every line: text blocks, footnote definitions, targets, skipped blocks.
    fn scan_lines(&mut self) {
        let lines = split_lines(self.src);
        let mut i = 0;
        // Lines that are blank or indented more than this are skipped (literal block, comment, code).
        let mut skip: Option<usize> = None;
        // After a paragraph ending in `::`: a following line indented more than this starts a literal.
        let mut literal_after: Option<usize> = None;
        // The footnote being defined and the indentation of its `..`.
        let mut def: Option<(usize, usize)> = None;
        let mut block: Option<Block> = None;
        let mut block_indent = 0;
        while i < lines.len() {
            let line = &lines[i];
            i += 1;
            let blank = line.blank();
            if let Some(t) = skip {
                if blank || line.indent > t {
                    continue;
                }
                skip = None;
            }
            if blank {
                self.end_block(&mut block);
                continue;
            }
            if let Some(t) = literal_after.take()
                && line.indent > t
            {
                self.end_block(&mut block);
                skip = Some(t);
                continue;
            }
            if def.is_some_and(|(_, d)| line.indent <= d) {
                def = None;
                self.end_block(&mut block);
            }
            let owner = def.map(|(f, _)| f);
            let body = line.body;
            if body == ".." || body.starts_with(".. ") || body.starts_with("..\t") {
                self.end_block(&mut block);
                let rest = body[2..].trim_start();
                let rest_start = line.body_start + (body.len() - rest.len());
                if let Some((text, text_start, index)) = self.footnote_def(rest, rest_start, line) {
                    def = Some((index, line.indent));
                    if !text.is_empty() {
                        block = Some(Block {
                            start: text_start,
                            end: line.end,
                            owner: Some(index),
                        });
                        block_indent = line.indent + 3;
                        if text.trim_end().ends_with("::") {
                            literal_after = Some(block_indent);
                        }
                    }
                } else if let Some(after) = rest.strip_prefix('_') {
                    let value = continued(&lines, &mut i, line.indent);
                    self.target(after, &value, line.body_start, owner);
                } else if let Some(directive) = directive_name(rest) {
                    let args = rest[rest.find("::").map_or(rest.len(), |p| p + 2)..].trim();
                    let args_start = line.end - args.len() - (rest.len() - rest.trim_end().len());
                    if CODE_DIRECTIVES.contains(&directive.to_ascii_lowercase().as_str()) {
                        skip = Some(line.indent);
                    } else if matches!(directive, "image" | "figure") {
                        if !args.is_empty() {
                            self.events.push(LinkEvent {
                                offset: args_start,
                                owner,
                                kind: LinkKind::Url(args.to_owned()),
                            });
                        }
                    } else if !args.is_empty() {
                        self.blocks.push(Block {
                            start: args_start,
                            end: args_start + args.len(),
                            owner,
                        });
                    }
                } else if rest.is_empty() && lines.get(i).is_none_or(Line::blank) {
                    // An empty comment: it ends the previous block and holds nothing.
                } else {
                    skip = Some(line.indent);
                }
                continue;
            }
            if let Some(after) = body.strip_prefix("__ ") {
                self.end_block(&mut block);
                let first = after.trim();
                let mut value = first.to_owned();
                value.push_str(&continued(&lines, &mut i, line.indent));
                self.anonymous_target(&value, line.body_start, owner);
                continue;
            }
            match block.as_mut() {
                Some(b) => b.end = line.end,
                None => {
                    if body.starts_with(">>>") {
                        // A doctest block runs to the next blank line.
                        while lines.get(i).is_some_and(|l| !l.blank()) {
                            i += 1;
                        }
                        continue;
                    }
                    block = Some(Block {
                        start: line.body_start,
                        end: line.end,
                        owner,
                    });
                    block_indent = content_indent(line);
                }
            }
            if body.trim_end().ends_with("::") {
                literal_after = Some(block_indent);
            }
        }
        self.end_block(&mut block);
    }

    fn end_block(&mut self, block: &mut Option<Block>) {
        if let Some(b) = block.take() {
            self.blocks.push(b);
        }
    }

    /// `[label] text` after `..`: records the definition and returns its first line's text, where
    /// that text starts, and the footnote's index.
    fn footnote_def(
        &mut self,
        rest: &'a str,
        rest_start: usize,
        line: &Line<'_>,
    ) -> Option<(&'a str, usize, usize)> {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let after = &inner[close + 1..];
        if !(after.is_empty() || after.starts_with([' ', '\t'])) {
            return None;
        }
        let label = label(&inner[..close])?;
        let index = self.defs.len();
        self.defs.push((
            label,
            RawFootnote {
                line: line.number,
                ..RawFootnote::default()
            },
        ));
        let text = after.trim_start();
        Some((text, rest_start + (rest.len() - text.len()), index))
    }

    /// `.. _name: value` (`after` is what follows `.. _`), or `.. __: value`.
    fn target(&mut self, after: &str, continuation: &str, offset: usize, owner: Option<usize>) {
        let (name, value) = if let Some(quoted) = after.strip_prefix('`') {
            match quoted.find("`:") {
                Some(end) => (&quoted[..end], &quoted[end + 2..]),
                None => return,
            }
        } else {
            let mut colon = None;
            let bytes = after.as_bytes();
            for (k, &b) in bytes.iter().enumerate() {
                if b == b':'
                    && (k == 0 || bytes[k - 1] != b'\\')
                    && bytes.get(k + 1).is_none_or(|n| n.is_ascii_whitespace())
                {
                    colon = Some(k);
                    break;
                }
            }
            match colon {
                Some(k) => (&after[..k], &after[k + 1..]),
                None => return,
            }
        };
        let value = format!("{}{continuation}", value.trim());
        if name == "_" {
            self.anonymous_target(&value, offset, owner);
            return;
        }
        let Some(value) = target_value(&value) else {
            return; // an internal target: it points into the document
        };
        let key = normalise(&name.replace('\\', ""));
        if !self.named.contains_key(&key) {
            self.events.push(LinkEvent {
                offset,
                owner,
                kind: LinkKind::NamedTarget(key.clone()),
            });
            self.named.insert(key, Target { value, used: false });
        }
    }

    fn anonymous_target(&mut self, value: &str, offset: usize, owner: Option<usize>) {
        let value = target_value(value).unwrap_or(TargetValue::Url(String::new()));
        self.events.push(LinkEvent {
            offset,
            owner,
            kind: LinkKind::AnonymousTarget(self.anonymous.len()),
        });
        self.anonymous.push(Target { value, used: false });
    }

    /// Scans a text block's inline markup.
    fn inline(&mut self, block: Block) {
        let s = &self.src[block.start..block.end];
        let b = s.as_bytes();
        let n = b.len();
        // The block with everything that is not plain text blanked out, for finding bare URLs and
        // `name_` references; offsets stay those of `s`.
        let mut plain = b.to_vec();
        let mut display = String::new();
        let mut copied = 0;
        let mut emphasis: Option<String> = None;
        // Searches for these closing delimiters from at or after these offsets are known to fail.
        let (mut dead_literal, mut dead_interpreted, mut dead_emphasis, mut dead_strong) =
            (n, n, n, n);
        let at = |k: usize| block.start + k;
        let mut i = 0;
        while i < n {
            let c = b[i];
            if c == b'\\' {
                i += 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8);
                continue;
            }
            if !matches!(c, b'`' | b'[' | b'*') || !start_ok(s, i) || !opens(s, i + 1) {
                i += 1;
                continue;
            }
            match c {
                b'`' if b.get(i + 1) == Some(&b'`') => {
                    if !opens(s, i + 2) {
                        i += 2;
                        continue;
                    }
                    let close = find_close(b, i + 2, b"``", &mut dead_literal, |j| {
                        !b[j - 1].is_ascii_whitespace() && end_ok(s, j + 2)
                    });
                    let Some(j) = close else {
                        i += 2;
                        continue;
                    };
                    display.push_str(&s[copied..i]);
                    display.push_str(&s[i + 2..j]);
                    blank(&mut plain, i, j + 2);
                    copied = j + 2;
                    i = j + 2;
                }
                b'`' => {
                    let close = find_close(b, i + 1, b"`", &mut dead_interpreted, |j| {
                        let k = j
                            + 1
                            + b[j + 1..]
                                .iter()
                                .take(2)
                                .take_while(|&&x| x == b'_')
                                .count();
                        b[j - 1] != b'\\' && !b[j - 1].is_ascii_whitespace() && end_ok(s, k)
                    });
                    let Some(j) = close else {
                        i += 1;
                        continue;
                    };
                    let underscores = b[j + 1..]
                        .iter()
                        .take(2)
                        .take_while(|&&x| x == b'_')
                        .count();
                    let role = i > 0 && b[i - 1] == b':';
                    let end = j + 1 + underscores;
                    let content = &s[i + 1..j];
                    display.push_str(&s[copied..i]);
                    if underscores == 0 || role {
                        display.push_str(content);
                    } else {
                        let shown = self.phrase_reference(content, at(i), underscores == 2, block);
                        display.push_str(shown);
                    }
                    blank(&mut plain, i, end);
                    copied = end;
                    i = end;
                }
                b'[' => {
                    let window = &b[i + 1..n.min(i + 130)];
                    let close = memchr::memchr(b']', window).map(|k| i + 1 + k);
                    let Some(j) =
                        close.filter(|&j| b.get(j + 1) == Some(&b'_') && end_ok(s, j + 2))
                    else {
                        i += 1;
                        continue;
                    };
                    let Some(label) = label(&s[i + 1..j]) else {
                        i += 1;
                        continue;
                    };
                    self.refs.push((label, at(i)));
                    display.push_str(&s[copied..i]);
                    blank(&mut plain, i, j + 2);
                    copied = j + 2;
                    i = j + 2;
                }
                b'*' => {
                    let strong = b.get(i + 1) == Some(&b'*');
                    let open = if strong { 2 } else { 1 };
                    if strong && !opens(s, i + 2) {
                        i += 2;
                        continue;
                    }
                    let close = if strong {
                        find_close(b, i + 2, b"**", &mut dead_strong, |j| {
                            !b[j - 1].is_ascii_whitespace() && end_ok(s, j + 2)
                        })
                    } else {
                        find_close(b, i + 1, b"*", &mut dead_emphasis, |j| {
                            !b[j - 1].is_ascii_whitespace() && end_ok(s, j + 1)
                        })
                    };
                    let Some(j) = close else {
                        i += open;
                        continue;
                    };
                    let content = &s[i + open..j];
                    if !strong && emphasis.is_none() {
                        emphasis = Some(collapse_whitespace(content));
                    }
                    display.push_str(&s[copied..i]);
                    display.push_str(content);
                    copied = j + open;
                    i = j + open;
                }
                _ => i += 1,
            }
        }
        display.push_str(&s[copied..]);

        // Standalone URLs, then `name_` references in what is left.
        let mut plain = String::from_utf8(plain).unwrap_or_else(|_| s.to_owned());
        let urls: Vec<(usize, usize)> = bare_urls(&plain)
            .map(|(offset, url)| (offset, offset + url.len()))
            .collect();
        for &(start, end) in &urls {
            self.events.push(LinkEvent {
                offset: at(start),
                owner: block.owner,
                kind: LinkKind::Url(plain[start..end].to_owned()),
            });
        }
        if !urls.is_empty() {
            let mut bytes = plain.into_bytes();
            for &(start, end) in &urls {
                blank(&mut bytes, start, end);
            }
            plain = String::from_utf8(bytes).unwrap_or_default();
        }
        for caps in NAME_REF.captures_iter(&plain) {
            let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if !start_ok(&plain, whole.start()) || !end_ok(&plain, whole.end()) {
                continue;
            }
            let kind = if whole.len() - name.len() == 2 {
                LinkKind::Anonymous
            } else {
                LinkKind::Named(normalise(name.as_str()))
            };
            self.events.push(LinkEvent {
                offset: at(whole.start()),
                owner: block.owner,
                kind,
            });
        }

        if let Some(f) = block.owner
            && let Some((_, def)) = self.defs.get_mut(f)
        {
            def.text.push(' ');
            def.text.push_str(&display);
            if def.emphasis.is_none() {
                def.emphasis = emphasis;
            }
        }
    }

    /// `` `text <URL>`_ ``, `` `text <name_>`_ ``, `` `a name`_ `` or their anonymous `__` forms: records
    /// the link and returns the text shown.
    fn phrase_reference(
        &mut self,
        content: &'a str,
        offset: usize,
        anonymous: bool,
        block: Block,
    ) -> &'a str {
        let owner = block.owner;
        let embedded = content
            .strip_suffix('>')
            .and_then(|c| c.rfind('<').map(|lt| (&c[..lt], &c[lt + 1..])))
            .filter(|(text, _)| text.is_empty() || text.ends_with(char::is_whitespace));
        let Some((text, target)) = embedded else {
            let kind = if anonymous {
                LinkKind::Anonymous
            } else {
                LinkKind::Named(normalise(content))
            };
            self.events.push(LinkEvent {
                offset,
                owner,
                kind,
            });
            return content;
        };
        let text = text.trim();
        match target_value(target) {
            Some(TargetValue::Alias(name)) => self.events.push(LinkEvent {
                offset,
                owner,
                kind: LinkKind::Named(name),
            }),
            Some(TargetValue::Url(url)) => {
                if !anonymous && !text.is_empty() {
                    // The phrase is also a named target other references may use.
                    self.named.entry(normalise(text)).or_insert(Target {
                        value: TargetValue::Url(url.clone()),
                        used: true,
                    });
                }
                self.events.push(LinkEvent {
                    offset,
                    owner,
                    kind: LinkKind::Url(url),
                });
            }
            None => {}
        }
        if text.is_empty() { target.trim() } else { text }
    }

    /// Numbers the footnotes, resolves references and links.
    fn finish(self) -> RawDocument {
        let Reader {
            src,
            mut defs,
            refs,
            mut named,
            mut anonymous,
            mut events,
            ..
        } = self;
        let lines = LineIndex::new(src);

        // Names already taken: manual numbers, citation labels, target names.
        let mut taken: HashSet<String> = named.keys().cloned().collect();
        let mut citations: HashMap<String, String> = HashMap::new();
        for (label, _) in &defs {
            match label {
                Label::Manual(n) => {
                    taken.insert(n.clone());
                }
                Label::Citation(c) => {
                    taken.insert(normalise(c));
                    citations.entry(normalise(c)).or_insert_with(|| c.clone());
                }
                _ => {}
            }
        }
        let mut next = 1usize;
        let mut auto_named: HashMap<String, String> = HashMap::new();
        let mut auto_anonymous: Vec<String> = Vec::new();
        let mut symbols = 0;
        for (label, def) in &mut defs {
            def.id = match label {
                Label::Manual(n) | Label::Citation(n) => n.clone(),
                Label::Auto | Label::AutoNamed(_) => {
                    let number = loop {
                        let candidate = next.to_string();
                        next += 1;
                        if !taken.contains(&candidate) {
                            break candidate;
                        }
                    };
                    match label {
                        Label::AutoNamed(name) => {
                            auto_named
                                .entry(name.clone())
                                .or_insert_with(|| number.clone());
                        }
                        _ => auto_anonymous.push(number.clone()),
                    }
                    number
                }
                Label::Symbol => {
                    symbols += 1;
                    symbol(symbols - 1)
                }
            };
            def.text = collapse_whitespace(&def.text);
        }

        let (mut anonymous_refs, mut symbol_refs) = (0, 0);
        let references = refs
            .into_iter()
            .map(|(label, offset)| {
                let id = match label {
                    Label::Manual(n) => n,
                    Label::Citation(c) => citations.get(&normalise(&c)).cloned().unwrap_or(c),
                    Label::AutoNamed(name) => auto_named
                        .get(&name)
                        .cloned()
                        .unwrap_or_else(|| format!("#{name}")),
                    Label::Auto => {
                        anonymous_refs += 1;
                        auto_anonymous
                            .get(anonymous_refs - 1)
                            .cloned()
                            .unwrap_or_else(|| "#".to_owned())
                    }
                    Label::Symbol => {
                        symbol_refs += 1;
                        symbol(symbol_refs - 1)
                    }
                };
                RawReference {
                    id,
                    line: lines.line(offset),
                }
            })
            .collect();

        // First pass: which target does each reference reach? Second: emit links in document order.
        events.sort_by_key(|e| e.offset);
        let mut resolved: Vec<Option<String>> = vec![None; events.len()];
        let mut anonymous_used = 0;
        for (event, slot) in events.iter().zip(resolved.iter_mut()) {
            match &event.kind {
                LinkKind::Named(name) => *slot = resolve(&mut named, name),
                LinkKind::Anonymous => {
                    if let Some(t) = anonymous.get_mut(anonymous_used) {
                        t.used = true;
                        match &t.value {
                            TargetValue::Url(url) => *slot = Some(url.clone()),
                            TargetValue::Alias(name) => {
                                let name = name.clone();
                                *slot = resolve(&mut named, &name);
                            }
                        }
                    }
                    anonymous_used += 1;
                }
                _ => {}
            }
        }
        let mut links = Vec::new();
        for (event, slot) in events.into_iter().zip(resolved) {
            let url = match event.kind {
                LinkKind::Url(url) => Some(url),
                LinkKind::Named(_) | LinkKind::Anonymous => slot,
                LinkKind::NamedTarget(name) => match named.get(&name) {
                    Some(Target {
                        value: TargetValue::Url(url),
                        used: false,
                        ..
                    }) => Some(url.clone()),
                    _ => None,
                },
                LinkKind::AnonymousTarget(k) => match anonymous.get(k) {
                    Some(Target {
                        value: TargetValue::Url(url),
                        used: false,
                        ..
                    }) => Some(url.clone()),
                    _ => None,
                },
            };
            let Some(url) = url.filter(|u| !u.is_empty()) else {
                continue;
            };
            let link = RawLink {
                url,
                line: lines.line(event.offset),
            };
            match event.owner.and_then(|f| defs.get_mut(f)) {
                Some((_, def)) => def.urls.push(link),
                None => links.push(link),
            }
        }
        RawDocument {
            footnotes: defs.into_iter().map(|(_, def)| def).collect(),
            references,
            links,
            ..RawDocument::default()
        }
    }
}

/// Follows a named target (through indirect targets, at most a few steps) to its URL, marking the
/// target used.
fn resolve(named: &mut HashMap<String, Target>, name: &str) -> Option<String> {
    let mut name = name.to_owned();
    for _ in 0..8 {
        let target = named.get_mut(&name)?;
        target.used = true;
        match &target.value {
            TargetValue::Url(url) => return Some(url.clone()),
            TargetValue::Alias(next) => name = next.clone(),
        }
    }
    None
}

/// A target's value: a URL (whitespace removed, escapes undone), or another target's name when it
/// ends with an unescaped `_`; `None` when empty (an internal target).
fn target_value(value: &str) -> Option<TargetValue> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Some(name) = value.strip_suffix('_')
        && !name.ends_with('\\')
        && !name.ends_with('_')
    {
        let name = name.trim_matches('`');
        return Some(TargetValue::Alias(normalise(name)));
    }
    let mut url = String::with_capacity(value.len());
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            url.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if !c.is_whitespace() {
            url.push(c);
        }
    }
    Some(TargetValue::Url(url))
}

/// The lines of an explicit markup block after its first: every following line indented more than
/// `indent`, up to a blank line; their text joined (for a target's value, whitespace is dropped
/// later).
fn continued(lines: &[Line<'_>], i: &mut usize, indent: usize) -> String {
    let mut out = String::new();
    while let Some(line) = lines.get(*i) {
        if line.blank() || line.indent <= indent {
            break;
        }
        out.push(' ');
        out.push_str(line.body.trim_end());
        *i += 1;
    }
    out
}

/// `name::` at the start of an explicit markup block (`.. |sub| name::` too).
fn directive_name(rest: &str) -> Option<&str> {
    let rest = match rest.strip_prefix('|') {
        Some(sub) => sub[sub.find('|')? + 1..].trim_start(),
        None => rest,
    };
    let end = rest.find("::")?;
    let name = &rest[..end];
    let after = &rest[end + 2..];
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.:+".contains(c))
        && (after.is_empty() || after.starts_with(char::is_whitespace));
    ok.then_some(name)
}

/// Blanks `b[start..end]` with spaces.
fn blank(b: &mut [u8], start: usize, end: usize) {
    let end = end.min(b.len());
    if start < end {
        b[start..end].fill(b' ');
    }
}

/// The first `delim` at or after `from` that `ok` accepts. A failed search is remembered in `dead`, so
/// no stretch of text is searched twice for the same delimiter.
fn find_close(
    b: &[u8],
    from: usize,
    delim: &[u8],
    dead: &mut usize,
    ok: impl Fn(usize) -> bool,
) -> Option<usize> {
    if from >= *dead || from > b.len() {
        return None;
    }
    let mut at = from;
    while let Some(k) = memchr::memmem::find(&b[at..], delim) {
        let j = at + k;
        if j > 0 && ok(j) {
            return Some(j);
        }
        at = j + 1;
    }
    *dead = from;
    None
}

/// Inline markup may start at the start of the text or after whitespace or opening punctuation.
fn start_ok(s: &str, i: usize) -> bool {
    s[..i]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "'\"([{<-/:‘“«‹„‚—–".contains(c))
}

/// Inline markup may end at the end of the text or before whitespace or closing punctuation.
fn end_ok(s: &str, k: usize) -> bool {
    s.get(k..)
        .and_then(|r| r.chars().next())
        .is_none_or(|c| c.is_whitespace() || "'\")]}>-/:.,;!?\\’”»›—–".contains(c))
}

/// A start-string must be followed by something other than whitespace.
fn opens(s: &str, k: usize) -> bool {
    s.get(k..)
        .and_then(|r| r.chars().next())
        .is_some_and(|c| !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::{read, symbol};

    fn ids(doc: &super::RawDocument) -> Vec<&str> {
        doc.footnotes.iter().map(|f| f.id.as_str()).collect()
    }

    fn ref_ids(doc: &super::RawDocument) -> Vec<&str> {
        doc.references.iter().map(|r| r.id.as_str()).collect()
    }

    fn links(doc: &super::RawDocument) -> Vec<(&str, usize)> {
        doc.links.iter().map(|l| (l.url.as_str(), l.line)).collect()
    }

    #[test]
    fn spec_auto_numbered_example() {
        // The specification's example: numbering follows the definitions, and the references pair with
        // them in order.
        let src = "[#]_ is a reference to footnote 1, and [#]_ is a reference to\nfootnote 2.\n\n.. [#] This is footnote 1.\n.. [#] This is footnote 2.\n.. [#] This is footnote 3.\n\n[#]_ is a reference to footnote 3.\n";
        let doc = read(src);
        assert_eq!(ids(&doc), ["1", "2", "3"]);
        assert_eq!(ref_ids(&doc), ["1", "2", "3"]);
        let lines: Vec<_> = doc.references.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 1, 8]);
        assert_eq!(doc.footnotes[1].line, 5);
        assert_eq!(doc.footnotes[1].text, "This is footnote 2.");
    }

    #[test]
    fn spec_mixed_numbering() {
        // From the specification: manual numbers are skipped, labelled auto-numbered footnotes take
        // numbers first-come in the order of the definitions.
        let src = "[2]_ will be \"2\" (manually numbered),\n[#]_ will be \"3\" (anonymous auto-numbered), and\n[#label]_ will be \"1\" (labeled auto-numbered).\n\n.. [2] This footnote is labeled manually, so its number is fixed.\n\n.. [#label] This autonumber-labeled footnote will be labeled \"1\".\n   It is the first auto-numbered footnote and no other footnote\n   with label \"1\" exists.\n\n.. [#] This footnote will be labeled \"3\".  It is the second\n   auto-numbered footnote, but footnote label \"2\" is already used.\n";
        let doc = read(src);
        assert_eq!(ids(&doc), ["2", "1", "3"]);
        assert_eq!(ref_ids(&doc), ["2", "3", "1"]);
        assert!(doc.footnotes[1].text.ends_with("with label \"1\" exists."));
    }

    #[test]
    fn docutils_functional_test_numbering() {
        // docutils' own footnotes test: manual [1], labelled → 2, anonymous → 3, an unreferenced
        // anonymous → 4, and a manual [5] defined later.
        let src = "Refs [1]_, [#]_, [#label]_, [*]_, [CIT2002]_.\n\n.. [1] Manual.\n.. [#label] Labelled, cited as [#label]_ and label_.\n.. [#] Anonymous.\n.. [*] Symbol; next is [*]_.\n.. [*] Second symbol.\n.. [#] Unreferenced, cites [5]_.\n.. [CIT2002] A citation.\n.. [5] Five.\n";
        let doc = read(src);
        assert_eq!(ids(&doc), ["1", "2", "3", "*", "†", "4", "CIT2002", "5"]);
        assert_eq!(
            ref_ids(&doc),
            ["1", "3", "2", "*", "CIT2002", "2", "†", "5"]
        );
        assert!(doc.links.is_empty(), "{:?}", doc.links);
    }

    #[test]
    fn symbols_follow_the_docutils_sequence() {
        let all: Vec<String> = (0..12).map(symbol).collect();
        assert_eq!(
            all,
            ["*", "†", "‡", "§", "¶", "#", "♠", "♥", "♦", "♣", "**", "††"]
        );
        assert_eq!(symbol(10 * 9), "*×10");
    }

    #[test]
    fn citations_match_case_insensitively() {
        let doc = read("See [cit2002]_.\n\n.. [CIT2002] Book.\n");
        assert_eq!(ids(&doc), ["CIT2002"]);
        assert_eq!(ref_ids(&doc), ["CIT2002"]);
    }

    #[test]
    fn footnote_body_and_urls() {
        let src = "Text [#]_.\n\n.. [#] https://a.org/1\n       https://a.org/2\n\n   Second paragraph, see `the page <https://a.org/3>`_.\n\nBody https://b.org/x again.\n";
        let doc = read(src);
        let f = &doc.footnotes[0];
        let urls: Vec<_> = f.urls.iter().map(|u| (u.url.as_str(), u.line)).collect();
        assert_eq!(
            urls,
            [
                ("https://a.org/1", 3),
                ("https://a.org/2", 4),
                ("https://a.org/3", 6)
            ]
        );
        assert_eq!(
            f.text,
            "https://a.org/1 https://a.org/2 Second paragraph, see the page."
        );
        assert_eq!(links(&doc), [("https://b.org/x", 8)]);
    }

    #[test]
    fn named_and_anonymous_targets() {
        let src = "Use Python_ and `the docs`_ and `other <https://c.org/>`__.\nAgain Python_, and anon__.\n\n.. _Python: https://www.python.org/\n.. _the docs: https://docs.\n   python.org/3/\n.. _unused: https://u.org/\n.. _internal:\n.. _alias: Python_\n\n__ https://anon.org/\n\nAlias_ here.\n";
        let doc = read(src);
        assert_eq!(
            links(&doc),
            [
                ("https://www.python.org/", 1),
                ("https://docs.python.org/3/", 1),
                ("https://c.org/", 1),
                ("https://www.python.org/", 2),
                ("https://anon.org/", 2),
                ("https://u.org/", 7),
                ("https://www.python.org/", 13),
            ]
        );
    }

    #[test]
    fn reference_inside_a_footnote_belongs_to_it() {
        let src = "Cite [1]_.\n\n.. [1] See PEP8_ and *Dawn*, 2020.\n\n.. _PEP8: https://peps.python.org/pep-0008/\n";
        let doc = read(src);
        let f = &doc.footnotes[0];
        assert_eq!(f.urls.len(), 1);
        assert_eq!(f.urls[0].url, "https://peps.python.org/pep-0008/");
        assert_eq!(f.urls[0].line, 3);
        assert_eq!(f.emphasis.as_deref(), Some("Dawn"));
        assert!(doc.links.is_empty());
    }

    #[test]
    fn literals_code_and_comments_are_not_links() {
        let src = "Example::\n\n    https://literal.org/x\n\n    more\n\nText ``https://inline.org/`` and :pep:`8`.\n\n.. code-block:: python\n\n   url = \"https://code.org/\"\n\n.. a comment https://comment.org/\n   still comment https://comment.org/2\n\n>>> print(\"https://doctest.org\")\n\n- item::\n\n      https://literal2.org/\n\n  back in item https://yes.org/\n\n.. note:: An admonition https://note.org/\n";
        let doc = read(src);
        assert_eq!(
            links(&doc),
            [("https://yes.org/", 22), ("https://note.org/", 24)]
        );
    }

    #[test]
    fn inline_markup_needs_word_boundaries() {
        // `__init__`, `a[1]_b` and `snake_case` are not references.
        let src = "Call __init__ and a[1]_b and snake_case and x_.\n\n.. [1] One.\n.. _x: https://x.org/\n.. _init: https://wrong.org/\n";
        let doc = read(src);
        assert!(doc.references.is_empty(), "{:?}", doc.references);
        assert_eq!(
            links(&doc),
            [("https://x.org/", 1), ("https://wrong.org/", 5)]
        );
    }

    #[test]
    fn hostile_input_is_linear() {
        let many = "`a ``b *c [d ".repeat(50_000);
        let doc = read(&many);
        assert!(doc.footnotes.is_empty());
        let refs = "[*]_ [#]_ ".repeat(20_000);
        let doc = read(&refs);
        assert_eq!(doc.references.len(), 40_000);
    }
}
