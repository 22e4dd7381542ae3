//! Markdown (CommonMark + GFM) through pulldown-cmark, including the `<sup>N</sup>` footnotes of briefs
//! converted from PDF: a paragraph that starts with `<sup>N</sup>` is the definition of footnote N, any
//! other `<sup>N</sup>` cites it (`<sup>1.</sup>` too, as PDF-to-Markdown converters write them), unless
//! it is an exponent: glued to a digit or to a one-letter variable (`10<sup>2</sup>`, `x<sup>2</sup>`).
//! In a document whose footnotes are GFM `[^label]` ones, a `<sup>N</sup>` cites only a `<sup>N</sup>`
//! definition. GFM `[^label]` footnotes are read as pulldown-cmark parses them; pandoc's inline notes
//! `^[…]`, which pulldown-cmark leaves as text, are footnotes numbered 1, 2, … in order, defined and
//! cited where they stand.

use std::sync::LazyLock;

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{BrokenLink, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;
use regex::Regex;

use super::lines::LineIndex;
use super::model::{Finding, FindingKind};
use super::{
    RawDocument, RawFootnote, RawReference, bare_urls, collapse_whitespace,
    collapse_whitespace_in_place, footnote_budget, marker_ids,
};

static HREF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#).expect("href regex")
});
static TEXT_FOOTNOTE_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[\^([^\]\s]+)\]").expect("footnote reference regex"));

/// `<sup>` or `<sup attributes…>` (any case): what `(?i)^<sup(?:\s[^>]*)?>$` matches, without a regex
/// search for each of the millions of tags a hostile document may hold.
fn is_sup_open(tag: &str) -> bool {
    let Some(inner) = tag
        .get(..4)
        .filter(|head| head.eq_ignore_ascii_case("<sup"))
        .and_then(|_| tag[4..].strip_suffix('>'))
    else {
        return false;
    };
    inner.is_empty() || (inner.starts_with(char::is_whitespace) && !inner.contains('>'))
}

/// Where a `<sup>…</sup>` marker is in its recognition.
enum Sup {
    None,
    /// Saw `<sup>`; `lead` is whether it opened its paragraph.
    Open {
        lead: bool,
        start: usize,
    },
    /// Saw `<sup>` and footnote ids.
    Ids {
        lead: bool,
        start: usize,
        ids: Vec<String>,
        text: String,
    },
}

/// The id an inline note has until the notes of the whole document are numbered: no `[^label]` can
/// hold a `]`.
const INLINE_NOTE: &str = "^[]";

struct Reader<'a> {
    src: &'a str,
    lines: LineIndex,
    /// For each of `out.references`, whether it is a `<sup>N</sup>` marker.
    sup_refs: Vec<bool>,
    /// Ids of `<sup>N</sup>` definitions.
    sup_defs: HashSet<String>,
    /// Whether any GFM `[^label]` definition was read.
    gfm_defs: bool,
    /// Depth of `[` brackets inside the inline note being read (`current` is the note).
    inline_note: Option<usize>,
    /// Offset of a `^` that ended the last text event: `^[` may be split across two events.
    caret: Option<usize>,
    out: RawDocument,
    current: Option<RawFootnote>,
    /// Inside a GFM footnote definition.
    in_gfm_def: bool,
    /// Inside a seed-style `<sup>N</sup>` definition paragraph.
    in_sup_def: bool,
    /// Start offset of the current paragraph while nothing but whitespace has been seen in it.
    fresh_paragraph: Option<usize>,
    /// Inside a code block or metadata block: no links.
    code_depth: usize,
    link_depth: usize,
    /// Capturing the first italic span of the current definition.
    emphasis: Option<(usize, String)>,
    emphasis_depth: usize,
    /// Capturing the text of the current definition's first link: its title when none is quoted.
    link_text: Option<String>,
    /// Consecutive text not yet searched for bare URLs (pulldown-cmark splits text at `_`, `[` …).
    run: String,
    run_start: usize,
    sup: Sup,
    /// References kept, at most (inline notes, which are their own definitions, always are).
    ref_budget: usize,
    /// Footnotes this part may keep: the document's footnote budget, less what earlier parts kept.
    note_budget: usize,
    dropped: usize,
}

/// Documents larger than this are parsed in parts, in parallel.
pub(crate) const PART_SIZE: usize = 512 * 1024;

pub(crate) fn read(src: &str) -> RawDocument {
    if src.len() < 2 * PART_SIZE {
        let part = read_part(src, 1, None, MAX_REFERENCES, footnote_budget(src.len()));
        let dropped = part.dropped;
        let as_text_from = part.as_text_from;
        let mut out = finish(vec![part]);
        let last_reference = out.references.last().map(|r| r.line);
        over_reference_budget(&mut out.findings, last_reference, dropped);
        past_note_budget(&mut out.findings, as_text_from);
        return out;
    }
    let mut windows = Windows::new(src);
    let mut docs: Vec<Part> = Vec::new();
    while let Some(parts) = windows.next_window() {
        docs.extend(parts);
    }
    docs.extend(windows.rest());
    let as_text_from = docs.iter().find_map(|p| p.as_text_from);
    let mut out = finish(docs);
    let last_reference = out.references.last().map(|r| r.line);
    windows.findings(&mut out.findings, last_reference, as_text_from);
    out
}

/// A large document read a window of parts at a time, in order (see [`read`]). It is cut at block
/// boundaries that no Markdown construct spans, and the parts of a window are parsed in parallel.
/// Reference-style links whose definition sits in another part are resolved from a table of every
/// definition in the document; footnote references to another part's definitions are read from their
/// text (`[^label]`), as are references to undefined footnotes anyway.
pub(crate) struct Windows<'a> {
    src: &'a str,
    definitions: Definitions<'a>,
    parts: Vec<(&'a str, usize)>,
    /// The line of the first block cut for its length, if any.
    forced: Option<usize>,
    /// The first part not read yet.
    next: usize,
    /// Parts read at once: a few, in order, so that the reference budget holds while reading.
    at_once: usize,
    /// What is left of the reference budget and of the footnote budget.
    budget: usize,
    note_budget: usize,
    /// References not kept, past the reference budget.
    dropped: usize,
    /// Notes were dropped past the footnote budget, or a part was a flood of them.
    flooded: bool,
}

impl<'a> Windows<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        // Two scans of the whole text, independent: at once.
        let ((parts, forced), definitions) = rayon::join(
            || split_within(src, PART_SIZE, MAX_BLOCK),
            || reference_definitions(src),
        );
        Windows {
            src,
            definitions,
            parts,
            forced,
            next: 0,
            at_once: rayon::current_num_threads().max(1) * 2,
            budget: MAX_REFERENCES,
            note_budget: footnote_budget(src.len()),
            dropped: 0,
            flooded: false,
        }
    }

    /// The parts, each with the line it starts on.
    pub(crate) fn parts(&self) -> &[(&'a str, usize)] {
        &self.parts
    }

    /// The index of the first part of the next window.
    pub(crate) fn next_part(&self) -> usize {
        self.next
    }

    /// The next window's parts, read, with the budgets applied; `None` once every part is read, or
    /// once the rest is to be read as text (see [`Windows::rest`]).
    pub(crate) fn next_window(&mut self) -> Option<Vec<Part>> {
        // Once notes were dropped past the footnote budget, or a part was a flood of them (see
        // `read_part`), the rest of the document is read as text, for its bare URLs, as a web page
        // past its tag budget is: a flood of notes costs pulldown-cmark far more than its bytes.
        if self.flooded || self.next >= self.parts.len() {
            return None;
        }
        let chunk = &self.parts[self.next..(self.next + self.at_once).min(self.parts.len())];
        self.next += chunk.len();
        let (definitions, budget, note_budget) = (&self.definitions, self.budget, self.note_budget);
        let read: Vec<Part> = chunk
            .par_iter()
            .map(|&(text, first_line)| {
                // Parts read at once each see the whole budget left, so each is also held to what
                // its own bytes could define (a note per 32 bytes is denser than any real list).
                let room = note_budget.min(text.len() / 32 + 1_000);
                read_part(text, first_line, Some(definitions), budget, room)
            })
            .collect();
        let mut window = Vec::with_capacity(read.len());
        for mut part in read {
            // Parts read together each had the whole budget left: what one kept, the next may not.
            let keep = part.doc.footnotes.len().min(self.note_budget);
            if part.doc.keep_footnotes(keep) {
                drop_inline_references_past(&mut part);
            }
            self.note_budget -= keep;
            self.dropped += part.dropped;
            // An inline note's reference is kept with its note (the footnote budget bounds them).
            let flags: Vec<bool> = part
                .doc
                .references
                .iter()
                .map(|r| {
                    let keep = r.id == INLINE_NOTE || self.budget > 0;
                    if r.id != INLINE_NOTE && self.budget > 0 {
                        self.budget -= 1;
                    }
                    keep
                })
                .collect();
            self.dropped += flags.iter().filter(|k| !**k).count();
            retain_references(&mut part, &flags);
            self.flooded |= part.as_text_from.is_some() || part.doc.footnotes_dropped.is_some();
            window.push(part);
        }
        Some(window)
    }

    /// The rest of the document read as text, for its bare URLs, when a flood of notes stopped the
    /// reading of parts.
    pub(crate) fn rest(&self) -> Option<Part> {
        let &(first, first_line) = self.parts.get(self.next).filter(|_| self.flooded)?;
        let offset = first.as_ptr() as usize - self.src.as_ptr() as usize;
        Some(Part {
            doc: as_text(&self.src[offset..], first_line),
            sup_refs: Vec::new(),
            sup_defs: HashSet::new(),
            gfm_defs: false,
            dropped: 0,
            as_text_from: Some(first_line),
        })
    }

    /// The findings of the reading once every window is read: past the footnote budget from line
    /// `as_text_from`, blocks cut for their length, references past their budget (the line of the
    /// last reference kept given).
    pub(crate) fn findings(
        &self,
        out: &mut Vec<Finding>,
        last_reference: Option<usize>,
        as_text_from: Option<usize>,
    ) {
        past_note_budget(out, as_text_from);
        if let Some(line) = self.forced {
            out.push(Finding::new(
                FindingKind::OverBudget,
                None,
                Some(line),
                format!(
                    "a block longer than the block budget ({} MiB) was read in parts: what spans a cut is not joined",
                    MAX_BLOCK >> 20
                ),
            ));
        }
        over_reference_budget(out, last_reference, self.dropped);
    }
}

/// Footnote references read from one document, at most: a flood of them (60 MB of `<sup>1</sup>`) would
/// otherwise cost memory for each. Real documents cite a few thousand times.
pub(crate) const MAX_REFERENCES: usize = 100_000;

/// A block of a Markdown document (a paragraph, a code block) is parsed whole up to this size.
/// pulldown-cmark's tree of a block costs up to 32 times its bytes (a paragraph of `^[x]` notes: a
/// 2 MiB block took 100 MB), and a real paragraph is a few KiB. Twice the part size leaves room for a
/// part to end at a blank line.
const MAX_BLOCK: usize = 2 * PART_SIZE;

/// Text read as text, for its bare URLs (their lines counted from `first_line`): what a flood of
/// notes past the footnote budget gives.
fn as_text(text: &str, first_line: usize) -> RawDocument {
    let mut doc = super::text::read(text);
    for link in &mut doc.links {
        link.line += first_line - 1;
    }
    doc
}

/// Records that the document was read as text from `line` on, past the footnote budget.
fn past_note_budget(out: &mut Vec<Finding>, line: Option<usize>) {
    if let Some(line) = line {
        out.push(Finding::new(
            FindingKind::OverBudget,
            None,
            Some(line),
            "past the footnote budget, a flood of notes: from here on the document was read as text, for its bare URLs (those of its notes too)"
                .to_owned(),
        ));
    }
}

/// Records that `dropped` references went past the reference budget, if any did (`line`: that of
/// the last reference kept).
fn over_reference_budget(out: &mut Vec<Finding>, line: Option<usize>, dropped: usize) {
    if dropped > 0 {
        out.push(Finding::new(
            FindingKind::OverBudget,
            None,
            line,
            format!(
                "more footnote references than the reference budget ({MAX_REFERENCES}): the {dropped} after it were not read"
            ),
        ));
    }
}

/// What one part of a document gives.
pub(crate) struct Part {
    doc: RawDocument,
    sup_refs: Vec<bool>,
    sup_defs: HashSet<String>,
    gfm_defs: bool,
    /// References past the budget, not kept.
    dropped: usize,
    /// The line from which the part was read as text, past the footnote budget (see `read_part`).
    pub(crate) as_text_from: Option<usize>,
}

/// An inline note and its reference are kept together: when a part's notes were cut to the budget,
/// the references of inline notes past those kept go too.
fn drop_inline_references_past(part: &mut Part) {
    let mut inline = part
        .doc
        .footnotes
        .iter()
        .filter(|d| d.id == INLINE_NOTE)
        .count();
    let kept: Vec<bool> = part
        .doc
        .references
        .iter()
        .map(|r| {
            if r.id != INLINE_NOTE {
                return true;
            }
            let kept = inline > 0;
            inline = inline.saturating_sub(1);
            kept
        })
        .collect();
    retain_references(part, &kept);
}

/// Keeps the references of a part (and their `sup` flags) whose flag is set.
fn retain_references(part: &mut Part, flags: &[bool]) {
    let mut each = flags.iter();
    part.doc
        .references
        .retain(|_| *each.next().expect("one flag per reference"));
    let mut each = flags.iter();
    part.sup_refs
        .retain(|_| *each.next().expect("one flag per reference"));
}

/// Joins the parts of a document: numbers its inline notes, and in a document of GFM footnotes keeps
/// only the `<sup>N</sup>` references that a `<sup>N</sup>` definition answers.
fn finish(mut parts: Vec<Part>) -> RawDocument {
    let gfm = parts.iter().any(|p| p.gfm_defs);
    // Only a document of GFM footnotes needs the `<sup>N</sup>` definitions of every part.
    let sup_defs: HashSet<String> = if gfm {
        parts
            .iter_mut()
            .flat_map(|p| std::mem::take(&mut p.sup_defs))
            .collect()
    } else {
        HashSet::new()
    };
    let mut out = RawDocument::default();
    out.footnotes
        .reserve(parts.iter().map(|p| p.doc.footnotes.len()).sum());
    out.references
        .reserve(parts.iter().map(|p| p.doc.references.len()).sum());
    for part in parts {
        if let Some((n, line)) = part.doc.footnotes_dropped {
            out.count_dropped(n, line);
        }
        out.footnotes.extend(part.doc.footnotes);
        out.links.extend(part.doc.links);
        out.references.extend(
            part.doc
                .references
                .into_iter()
                .zip(part.sup_refs)
                .filter(|(r, sup)| !(gfm && *sup && !sup_defs.contains(r.id.as_str())))
                .map(|(r, _)| r),
        );
    }
    // Each inline note has one reference, pushed in the same order as the notes.
    let mut number = 0usize;
    for def in out.footnotes.iter_mut().filter(|d| d.id == INLINE_NOTE) {
        number += 1;
        def.id = number.to_string();
    }
    let mut number = 0usize;
    for r in out.references.iter_mut().filter(|r| r.id == INLINE_NOTE) {
        number += 1;
        r.id = number.to_string();
    }
    out
}

/// Joins the parts of a document one at a time, in order, numbering its inline notes as [`finish`]
/// does; for a document read a window at a time, where no `<sup>N</sup>` reference needs the
/// definitions of every part (see `windowed::streamable`).
#[derive(Default)]
pub(crate) struct Joiner {
    notes: usize,
    references: usize,
}

impl Joiner {
    /// What a part read, its inline notes and their references numbered on from the parts before.
    pub(crate) fn join(&mut self, part: Part) -> RawDocument {
        let mut doc = part.doc;
        for def in doc.footnotes.iter_mut().filter(|d| d.id == INLINE_NOTE) {
            self.notes += 1;
            def.id = self.notes.to_string();
        }
        for r in doc.references.iter_mut().filter(|r| r.id == INLINE_NOTE) {
            self.references += 1;
            r.id = self.references.to_string();
        }
        doc
    }
}

/// Link reference definitions (`[label]: url`) of a whole document, by normalised label.
type Definitions<'a> = HashMap<String, &'a str>;

fn normalise_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn reference_definitions(src: &str) -> Definitions<'_> {
    static DEF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*<?([^\s<>]+)>?").expect("definition regex")
    });
    let mut map = HashMap::new();
    for caps in DEF.captures_iter(src) {
        let (Some(label), Some(url)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        // The first definition of a label wins, as in CommonMark.
        map.entry(normalise_label(label.as_str()))
            .or_insert(url.as_str());
    }
    map
}

/// Cuts `src` into parts of about `size` bytes, each with the line number of its first line. A cut is
/// made only before a line that starts in column 0 after a blank line, outside fenced code and outside
/// HTML blocks that may contain blank lines (comments, `<pre>`, `<script>`, `<style>`, `<textarea>`):
/// no block continues across such a point.
#[cfg(test)]
fn split(src: &str, size: usize) -> Vec<(&str, usize)> {
    split_within(src, size, usize::MAX).0
}

/// [`split`], and a block longer than `max` bytes (one paragraph of 60 MB: pulldown-cmark holds a node
/// for every inline construct of a block it parses) is cut anyway, at a line start, or at a space of a
/// line longer than that: the line of the first such cut comes back too.
fn split_within(src: &str, size: usize, max: usize) -> (Vec<(&str, usize)>, Option<usize>) {
    let bytes = src.as_bytes();
    let mut parts = Vec::new();
    let mut forced = None;
    let (mut part_start, mut part_line) = (0usize, 1usize);
    let mut line_no = 1usize;
    let mut fence: Option<(u8, usize)> = None;
    let mut html_end: Option<&'static str> = None;
    let mut previous_blank = false;
    let mut pos = 0usize;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line = &src[pos..end];
        let blank = line.trim().is_empty();
        if fence.is_none()
            && html_end.is_none()
            && previous_blank
            && !blank
            && pos - part_start >= size
            && !line.starts_with([' ', '\t'])
        {
            parts.push((&src[part_start..pos], part_line));
            part_start = pos;
            part_line = line_no;
        } else if pos - part_start >= max {
            forced.get_or_insert(line_no);
            parts.push((&src[part_start..pos], part_line));
            part_start = pos;
            part_line = line_no;
        }
        while end - part_start > max {
            // One line longer than the budget: cut at its last space before the budget, if any.
            let mut cut = part_start + max;
            while !src.is_char_boundary(cut) {
                cut -= 1;
            }
            if let Some(space) = memchr::memrchr(b' ', &bytes[part_start + max / 2..cut]) {
                cut = part_start + max / 2 + space + 1;
            }
            forced.get_or_insert(line_no);
            parts.push((&src[part_start..cut], part_line));
            part_start = cut;
            part_line = line_no;
        }
        let indented = line.len() - line.trim_start_matches(' ').len();
        let body = line.trim_start_matches(' ');
        if let Some(end_marker) = html_end {
            if line.to_ascii_lowercase().contains(end_marker) {
                html_end = None;
            }
        } else if indented <= 3 {
            let run = |c: u8| body.bytes().take_while(|&b| b == c).count();
            match fence {
                Some((c, n)) => {
                    if run(c) >= n && body[run(c)..].trim().is_empty() {
                        fence = None;
                    }
                }
                None => {
                    for c in [b'`', b'~'] {
                        if run(c) >= 3 {
                            fence = Some((c, run(c)));
                        }
                    }
                    if fence.is_none() {
                        html_end = html_block_end(body);
                        if html_end
                            .is_some_and(|m| line.to_ascii_lowercase()[indented + 1..].contains(m))
                        {
                            html_end = None;
                        }
                    }
                }
            }
        }
        previous_blank = blank;
        pos = end + 1;
        line_no += 1;
    }
    parts.push((&src[part_start..], part_line));
    (parts, forced)
}

/// For a line opening an HTML block that may hold blank lines, the text that closes it.
fn html_block_end(line: &str) -> Option<&'static str> {
    // Every such block opens with `<`: most lines are looked at no further.
    if !line.starts_with('<') {
        return None;
    }
    let lower = line.get(..10).unwrap_or(line).to_ascii_lowercase();
    if lower.starts_with("<!--") {
        return Some("-->");
    }
    for (tag, end) in [
        ("<pre", "</pre>"),
        ("<script", "</script>"),
        ("<style", "</style>"),
        ("<textarea", "</textarea>"),
    ] {
        if lower.starts_with(tag) && lower[tag.len()..].starts_with([' ', '>', '\t'])
            || lower == tag
        {
            return Some(end);
        }
    }
    None
}

fn read_part(
    src: &str,
    first_line: usize,
    definitions: Option<&Definitions<'_>>,
    ref_budget: usize,
    note_budget: usize,
) -> Part {
    let options = Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut reader = Reader {
        src,
        sup_refs: Vec::new(),
        sup_defs: HashSet::new(),
        gfm_defs: false,
        inline_note: None,
        caret: None,
        lines: LineIndex::starting_at(src, first_line),
        out: RawDocument::default(),
        current: None,
        in_gfm_def: false,
        in_sup_def: false,
        fresh_paragraph: None,
        code_depth: 0,
        link_depth: 0,
        emphasis: None,
        emphasis_depth: 0,
        link_text: None,
        run: String::new(),
        run_start: 0,
        sup: Sup::None,
        ref_budget,
        dropped: 0,
        note_budget,
    };
    let resolve = |link: BrokenLink<'_>| {
        let url = definitions?.get(&normalise_label(&link.reference))?;
        Some((CowStr::from(url.to_string()), CowStr::from("")))
    };
    let parser = Parser::new_with_broken_link_callback(src, options, Some(resolve));
    let mut rest = None;
    for (event, range) in parser.into_offset_iter() {
        reader.event(event, range.start);
        // A flood of notes past the budget: none of them would be kept, and each costs
        // pulldown-cmark far more than its bytes. The rest of the part is read as text, for its
        // bare URLs, as a web page past its tag budget is.
        if reader
            .out
            .footnotes_dropped
            .is_some_and(|(n, _)| n >= FLOOD)
        {
            rest = Some(range.end);
            break;
        }
    }
    reader.flush_run();
    reader.close_inline_note();
    reader.finish_def();
    let mut as_text_from = None;
    if let Some(end) = rest {
        let first = reader.lines.line(end);
        reader
            .out
            .links
            .append(&mut as_text(&src[end..], first).links);
        as_text_from = Some(first);
    }
    Part {
        doc: reader.out,
        sup_refs: reader.sup_refs,
        sup_defs: reader.sup_defs,
        gfm_defs: reader.gfm_defs,
        dropped: reader.dropped,
        as_text_from,
    }
}

/// A footnote being read: its text has room for a note of a few hundred bytes from the start, rather
/// than growing to it through half a dozen reallocations.
fn new_note(id: String, line: usize) -> RawFootnote {
    RawFootnote {
        id,
        line,
        text: String::with_capacity(256),
        ..RawFootnote::default()
    }
}

/// Footnotes past the budget that make a flood: past this many, the rest of a part is read as text.
const FLOOD: usize = 1_000;

impl Reader<'_> {
    fn event(&mut self, event: Event<'_>, at: usize) {
        if !matches!(event, Event::Text(_)) {
            self.flush_run();
            self.caret = None;
        }
        if !matches!(event, Event::Text(_) | Event::InlineHtml(_)) {
            self.abandon_sup();
        }
        match event {
            Event::Start(tag) => self.start(tag, at),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, at),
            Event::Code(code) => {
                self.fresh_paragraph = None;
                self.push_def_text(&code);
                if let Some(buf) = self.link_text.as_mut() {
                    buf.push_str(&code);
                }
            }
            Event::InlineHtml(html) => self.inline_html(&html, at),
            Event::Html(html) => self.html_links(&html, at),
            Event::FootnoteReference(label) => {
                let line = self.lines.line(at);
                self.push_ref(label.to_string(), line, false);
            }
            Event::SoftBreak | Event::HardBreak => self.push_def_text(" "),
            Event::Rule
            | Event::TaskListMarker(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, at: usize) {
        match tag {
            Tag::Paragraph => {
                self.fresh_paragraph = Some(at);
                self.push_def_text(" ");
            }
            Tag::FootnoteDefinition(label) => {
                self.close_inline_note();
                self.finish_def();
                self.in_gfm_def = true;
                self.gfm_defs = true;
                self.current = Some(new_note(label.to_string(), self.lines.line(at)));
            }
            Tag::CodeBlock(_) | Tag::MetadataBlock(_) => self.code_depth += 1,
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                self.fresh_paragraph = None;
                self.link_depth += 1;
                if link_type != LinkType::Email {
                    self.push_link(&dest_url, at);
                }
                // An autolink's text is its URL, not a title.
                let titled = !matches!(link_type, LinkType::Email | LinkType::Autolink);
                if titled
                    && self.link_depth == 1
                    && self.current.as_ref().is_some_and(|d| d.link_text.is_none())
                {
                    self.link_text = Some(String::new());
                }
            }
            Tag::Image { dest_url, .. } => {
                self.fresh_paragraph = None;
                self.link_depth += 1;
                if !dest_url.starts_with("data:") {
                    self.push_link(&dest_url, at);
                }
            }
            Tag::Emphasis => {
                self.fresh_paragraph = None;
                self.emphasis_depth += 1;
                let capture = self.current.as_ref().is_some_and(|d| d.emphasis.is_none());
                if capture && self.emphasis.is_none() {
                    self.emphasis = Some((self.emphasis_depth, String::new()));
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        if !matches!(
            tag,
            TagEnd::Link
                | TagEnd::Image
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
        ) {
            // An inline note does not outlive its paragraph, even unclosed.
            self.close_inline_note();
        }
        match tag {
            TagEnd::Paragraph => {
                self.fresh_paragraph = None;
                if self.in_sup_def {
                    self.in_sup_def = false;
                    self.finish_def();
                }
            }
            TagEnd::FootnoteDefinition => {
                self.in_gfm_def = false;
                self.finish_def();
            }
            TagEnd::CodeBlock | TagEnd::MetadataBlock(_) => {
                self.code_depth = self.code_depth.saturating_sub(1)
            }
            TagEnd::Link | TagEnd::Image => {
                self.link_depth = self.link_depth.saturating_sub(1);
                if self.link_depth == 0
                    && let Some(text) = self.link_text.take()
                    && let Some(def) = self.current.as_mut()
                {
                    def.link_text = Some(collapse_whitespace(&text));
                }
            }
            TagEnd::Emphasis => {
                if let Some((depth, text)) =
                    self.emphasis.take_if(|(d, _)| *d == self.emphasis_depth)
                {
                    debug_assert_eq!(depth, self.emphasis_depth);
                    if let Some(def) = self.current.as_mut() {
                        def.emphasis = Some(text);
                    }
                }
                self.emphasis_depth = self.emphasis_depth.saturating_sub(1);
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, at: usize) {
        if self.code_depth > 0 {
            return;
        }
        match std::mem::replace(&mut self.sup, Sup::None) {
            Sup::Open { lead, start } => match marker_ids(text) {
                Some(ids) => {
                    self.sup = Sup::Ids {
                        lead,
                        start,
                        ids,
                        text: text.to_owned(),
                    };
                    return;
                }
                None => self.fresh_paragraph = None,
            },
            Sup::Ids { text: seen, .. } => {
                // Not a marker after all ("<sup>1 2 3 text").
                self.fresh_paragraph = None;
                self.plain_text(&seen, at);
            }
            Sup::None => {}
        }
        self.plain_text(text, at);
    }

    /// Text, with pandoc's inline notes `^[…]` cut out of it.
    fn plain_text(&mut self, text: &str, at: usize) {
        let caret = self.caret.take();
        if self.code_depth > 0
            || (self.inline_note.is_none() && !holds_pair(text, *b"^[") && caret.is_none())
            || (self.current.is_some() && self.inline_note.is_none())
        {
            if self.current.is_none() && text.ends_with('^') {
                self.caret = Some(at + text.len() - 1);
            }
            return self.text_piece(text, at);
        }
        let bytes = text.as_bytes();
        let mut done = 0;
        let mut i = 0;
        while i < bytes.len() {
            match self.inline_note {
                None => {
                    let opens_here = if i == 0 && bytes[0] == b'[' {
                        caret
                    } else if bytes[i] == b'^' && bytes.get(i + 1) == Some(&b'[') {
                        Some(at + i)
                    } else {
                        None
                    };
                    if let Some(caret_at) = opens_here {
                        let skip = if bytes[i] == b'^' { 2 } else { 1 };
                        self.text_piece(&text[done..i], at + done);
                        self.open_inline_note(caret_at);
                        i += skip;
                        done = i;
                        continue;
                    }
                }
                Some(depth) => match bytes[i] {
                    b'[' => self.inline_note = Some(depth + 1),
                    b']' if depth <= 1 => {
                        self.text_piece(&text[done..i], at + done);
                        self.close_inline_note();
                        i += 1;
                        done = i;
                        continue;
                    }
                    b']' => self.inline_note = Some(depth - 1),
                    _ => {}
                },
            }
            i += 1;
        }
        self.text_piece(&text[done..], at + done);
        if self.inline_note.is_none() && self.current.is_none() && text.ends_with('^') {
            self.caret = Some(at + text.len() - 1);
        }
    }

    /// Opens a pandoc inline note whose `^` is at `at`: it is defined and cited on that line.
    fn open_inline_note(&mut self, at: usize) {
        self.flush_run();
        let line = self.lines.line(at);
        // Past the footnote budget the note is counted when it closes, and its reference with it.
        if self.out.footnotes.len() < self.note_budget {
            self.push_ref(INLINE_NOTE.to_owned(), line, false);
        }
        self.current = Some(new_note(INLINE_NOTE.to_owned(), line));
        self.inline_note = Some(1);
    }

    fn close_inline_note(&mut self) {
        if self.inline_note.take().is_some() {
            self.flush_run();
            self.finish_def();
        }
    }

    fn text_piece(&mut self, text: &str, at: usize) {
        if text.is_empty() {
            return;
        }
        if self.fresh_paragraph.is_some() && !text.trim().is_empty() {
            self.fresh_paragraph = None;
        }
        self.push_def_text(text);
        if let Some((_, buf)) = self.emphasis.as_mut() {
            buf.push_str(text);
        }
        if let Some(buf) = self.link_text.as_mut() {
            buf.push_str(text);
        }
        if self.link_depth == 0 {
            if self.run.is_empty() {
                self.run_start = at;
            }
            self.run.push_str(text);
        }
    }

    fn inline_html(&mut self, html: &str, at: usize) {
        let tag = html.trim();
        if is_sup_open(tag) {
            self.abandon_sup();
            self.sup = Sup::Open {
                lead: self.fresh_paragraph.is_some(),
                start: at,
            };
            return;
        }
        if tag.eq_ignore_ascii_case("</sup>")
            && let Sup::Ids {
                lead, start, ids, ..
            } = std::mem::replace(&mut self.sup, Sup::None)
        {
            self.marker(lead, start, ids);
            return;
        }
        self.abandon_sup();
        self.fresh_paragraph = None;
        self.html_links(html, at);
    }

    /// A complete `<sup>ids</sup>`: a definition when it opens a paragraph, else a reference.
    fn marker(&mut self, lead: bool, start: usize, ids: Vec<String>) {
        let line = self.lines.line(start);
        if lead && !self.in_gfm_def && self.code_depth == 0 && self.inline_note.is_none() {
            self.finish_def();
            self.in_sup_def = true;
            self.fresh_paragraph = None;
            let id = ids.into_iter().next().unwrap_or_default();
            self.sup_defs.insert(id.clone());
            self.current = Some(new_note(id, line));
        } else {
            self.fresh_paragraph = None;
            if self.is_exponent(start) {
                self.text_piece(&ids.join(","), start);
                return;
            }
            for id in ids {
                self.push_ref(id, line, true);
            }
        }
    }

    /// A `<sup>` glued to a digit (`10<sup>2</sup>`) or to a one-letter lowercase word, a variable
    /// (`x<sup>2</sup>`, `n<sup>n</sup>`), raises an exponent, not a footnote marker. A capital letter
    /// alone is a word ("A<sup>1</sup>", "I<sup>2</sup>") and may well cite a footnote.
    fn is_exponent(&self, start: usize) -> bool {
        let mut before = self.src[..start.min(self.src.len())].chars().rev();
        match before.next() {
            Some(c) if c.is_ascii_digit() => true,
            Some(c) if c.is_lowercase() => before.next().is_none_or(|p| !p.is_alphanumeric()),
            _ => false,
        }
    }

    fn push_ref(&mut self, id: String, line: usize, sup: bool) {
        if self.out.references.len() >= self.ref_budget && id != INLINE_NOTE {
            self.dropped += 1;
            return;
        }
        self.out.references.push(RawReference { id, line });
        self.sup_refs.push(sup);
    }

    /// A `<sup>` that turned out not to be a marker: its text is ordinary text.
    fn abandon_sup(&mut self) {
        if let Sup::Ids { start, text, .. } = std::mem::replace(&mut self.sup, Sup::None) {
            self.fresh_paragraph = None;
            self.plain_text(&text, start);
            self.flush_run();
        }
    }

    fn html_links(&mut self, html: &str, at: usize) {
        if self.code_depth > 0 {
            return;
        }
        // Lines counted on from one link to the next: an HTML block of thousands of links costs one pass.
        let mut lines = LineCounter::new(html, self.lines.line(at));
        for caps in HREF.captures_iter(html) {
            let value = caps
                .get(1)
                .or(caps.get(2))
                .or(caps.get(3))
                .expect("one href group");
            let line = lines.at(value.start());
            self.push_link_at_line(value.as_str(), line);
        }
    }

    fn push_link(&mut self, url: &str, at: usize) {
        let line = self.lines.line(at);
        self.push_link_at_line(url, line);
    }

    fn push_link_at_line(&mut self, url: &str, line: usize) {
        let url = url.trim();
        // In-page anchors are document structure, not citations.
        if url.is_empty() || url.starts_with('#') {
            return;
        }
        self.out.add_link(self.current.as_mut(), url, line);
    }

    fn push_def_text(&mut self, text: &str) {
        if let Some(def) = self.current.as_mut() {
            def.text.push_str(text);
        }
    }

    /// Searches the pending run of text for bare URLs.
    fn flush_run(&mut self) {
        if self.run.is_empty() {
            return;
        }
        // A bare URL has a scheme (`https:`): most runs of text have neither one nor a `[^`, and a
        // hostile document may hold millions of runs.
        if memchr::memchr(b':', self.run.as_bytes()).is_none() && !holds_pair(&self.run, *b"[^") {
            self.run.clear();
            return;
        }
        let run = std::mem::take(&mut self.run);
        let line = self.lines.line(self.run_start);
        let mut lines = LineCounter::new(&run, line);
        for (offset, url) in bare_urls(&run) {
            let line = lines.at(offset);
            self.push_link_at_line(url, line);
        }
        // `[^label]` left as text: a footnote reference pulldown-cmark could not match to a definition
        // (undefined, or defined in another part of a large document).
        if holds_pair(&run, *b"[^") {
            let mut lines = LineCounter::new(&run, line);
            for caps in TEXT_FOOTNOTE_REF.captures_iter(&run) {
                let at = caps.get(0).expect("group 0").start();
                let line = lines.at(at);
                self.push_ref(caps[1].to_owned(), line, false);
            }
        }
        self.run = run;
        self.run.clear();
    }

    fn finish_def(&mut self) {
        self.flush_run();
        if let Some(mut def) = self.current.take() {
            if self.out.footnotes.len() >= self.note_budget {
                // Past the footnote budget: counted, not kept (the emphasis and link text of
                // the note are forgotten below all the same).
                self.out.count_dropped(1, def.line);
            } else {
                collapse_whitespace_in_place(&mut def.text);
                if let Some(emphasis) = &mut def.emphasis {
                    collapse_whitespace_in_place(emphasis);
                }
                self.out.footnotes.push(def);
            }
        }
        self.emphasis = None;
        self.link_text = None;
    }
}

/// Whether `text` holds the two bytes of `pair` in a row: a search for its first, rare byte (the
/// generic substring search costs more to set up than the text takes).
fn holds_pair(text: &str, pair: [u8; 2]) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(pair[0], bytes).any(|at| bytes.get(at + 1) == Some(&pair[1]))
}

/// The line of an offset in a run of text, counted on from the previous offset asked for, so that
/// offsets asked in increasing order cost one pass over the run in all (not one pass each).
struct LineCounter<'a> {
    text: &'a str,
    first_line: usize,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str, first_line: usize) -> Self {
        LineCounter {
            text,
            first_line,
            offset: 0,
            line: first_line,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        if offset < self.offset {
            self.offset = 0;
            self.line = self.first_line;
        }
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::{
        MAX_REFERENCES, RawDocument, RawReference, is_sup_open, read, read_part,
        reference_definitions, split,
    };

    #[test]
    fn sup_open_tags() {
        for tag in ["<sup>", "<SUP>", "<sup class=\"x\">", "<sup\tid=a>"] {
            assert!(is_sup_open(tag), "{tag}");
        }
        for tag in [
            "<sup",
            "<supper>",
            "<sup>>",
            "<sub>",
            "<sup a>b>",
            "<s>",
            "<sup/ >",
        ] {
            assert!(!is_sup_open(tag), "{tag}");
        }
    }

    #[test]
    fn references_past_the_budget_are_counted_not_kept() {
        // 120,000 references in one paragraph of 1.9 MB; another 5 MB paragraph is cut (four times).
        let mut src = "A<sup>1</sup>".repeat(120_000);
        src.push_str("\n\n<sup>1</sup> Note https://a.example/\n\n");
        src.push_str(&"word ".repeat(1_000_000));
        src.push_str("https://end.example/\n");
        let doc = read(&src);
        assert_eq!(doc.references.len(), MAX_REFERENCES);
        let messages: Vec<&str> = doc.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        // The paragraph of references is cut at the block budget too: the one reference the cut
        // runs through is not read.
        assert!(
            messages
                .iter()
                .any(|m| m.contains("the 19999 after it were not read")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("block budget (1 MiB)")));
        assert_eq!(doc.footnotes.len(), 1);
        assert!(doc.links.iter().any(|l| l.url == "https://end.example/"));
    }

    fn urls(doc: &super::RawDocument) -> Vec<&str> {
        doc.links.iter().map(|l| l.url.as_str()).collect()
    }

    #[test]
    fn sup_definitions_and_references() {
        let src = "Body cites<sup>1</sup> here.\n\n<sup>1</sup> “A title,” *Dawn*, May 2, 2020, <https://dawn.com/a>\n\nBody again https://x.org/b.\n";
        let doc = read(src);
        assert_eq!(doc.references.len(), 1);
        assert_eq!(doc.references[0].line, 1);
        assert_eq!(doc.footnotes.len(), 1);
        let def = &doc.footnotes[0];
        assert_eq!(def.id, "1");
        assert_eq!(def.line, 3);
        assert_eq!(def.emphasis.as_deref(), Some("Dawn"));
        assert_eq!(def.text, "“A title,” Dawn, May 2, 2020, https://dawn.com/a");
        assert_eq!(def.urls[0].url, "https://dawn.com/a");
        // The paragraph after the definition is body text.
        assert_eq!(urls(&doc), vec!["https://x.org/b"]);
        assert_eq!(doc.links[0].line, 5);
    }

    #[test]
    fn gfm_footnotes_with_several_paragraphs() {
        let src = "Text[^kishanganga] and[^2].\n\n[^kishanganga]: First para\n    with [a link](https://a.org/x).\n\n    Second para https://b.org/y\n\n[^2]: Two.\n";
        let doc = read(src);
        let ids: Vec<_> = doc.footnotes.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, vec!["kishanganga", "2"]);
        let f = &doc.footnotes[0];
        assert_eq!(f.line, 3);
        let f_urls: Vec<_> = f.urls.iter().map(|u| (u.url.as_str(), u.line)).collect();
        assert_eq!(f_urls, vec![("https://a.org/x", 4), ("https://b.org/y", 6)]);
        assert!(f.text.contains("Second para"));
        assert_eq!(doc.references.len(), 2);
    }

    #[test]
    fn bare_urls_keep_balanced_parentheses_and_drop_trailing_dot() {
        let doc = read(
            "See https://en.wikipedia.org/wiki/Durand_Line_(boundary). And (https://a.org/x).",
        );
        assert_eq!(
            urls(&doc),
            vec![
                "https://en.wikipedia.org/wiki/Durand_Line_(boundary)",
                "https://a.org/x"
            ]
        );
    }

    #[test]
    fn code_is_not_a_citation() {
        let doc = read(
            "`https://a.org/in-code`\n\n```\nhttps://b.org/in-block\n```\n\n    https://c.org/indented\n",
        );
        assert!(doc.links.is_empty(), "{:?}", doc.links);
    }

    #[test]
    fn link_kinds() {
        let src = "[inline](https://a.org/1) [ref][r] <https://c.org/3> [anchor](#top) <me@x.org> ![img](https://d.org/i.png)\n\n[r]: https://b.org/2\n";
        assert_eq!(
            urls(&read(src)),
            vec![
                "https://a.org/1",
                "https://b.org/2",
                "https://c.org/3",
                "https://d.org/i.png"
            ]
        );
    }

    #[test]
    fn link_text_is_not_searched_twice() {
        let doc = read("[https://a.org/x](https://a.org/x)");
        assert_eq!(urls(&doc), vec!["https://a.org/x"]);
    }

    #[test]
    fn html_links_in_markdown() {
        let doc = read(
            "Para <a href=\"https://a.org/h\">x</a>.\n\n<div>\n<a href='https://b.org/h'>y</a>\n</div>\n",
        );
        let found: Vec<_> = doc.links.iter().map(|l| (l.url.as_str(), l.line)).collect();
        assert_eq!(found, vec![("https://a.org/h", 1), ("https://b.org/h", 4)]);
    }

    #[test]
    fn undefined_gfm_reference_is_still_a_reference() {
        let doc = read("Cited[^1] and[^missing].\n\n[^1]: Defined.\n");
        let ids: Vec<_> = doc.references.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1", "missing"]);
    }

    #[test]
    fn large_documents_are_read_in_parts_with_the_same_result() {
        // Parts of a few hundred bytes, so the cut points fall everywhere.
        let mut src = String::from("[early]: https://ref.example/early\n\n");
        for i in 1..=60 {
            src.push_str(&format!("Para {i} cites<sup>{i}</sup> and [a ref][late] and [^g{i}] https://b.example/{i}.\n\n"));
            src.push_str("```\nhttps://in-fence.example/x\n\nNot a paragraph\n```\n\n<!-- a comment\n\nhttps://in-comment.example/\n-->\n\n");
            src.push_str(&format!(
                "<sup>{i}</sup> \"Title {i},\" *Pub*, May {}, 2020, <https://a.example/{i}>\n\n",
                i % 28 + 1
            ));
            src.push_str(&format!(
                "[^g{i}]: Note {i} [early ref][early].\n\n    continued https://c.example/{i}\n\n"
            ));
        }
        src.push_str("[late]: https://ref.example/late\n");
        let whole = read_part(&src, 1, None, MAX_REFERENCES, usize::MAX).doc;
        let parts = split(&src, 300);
        assert!(parts.len() > 20, "{} parts", parts.len());
        let lines_ok = parts
            .iter()
            .all(|(text, line)| src[..src.len() - text.len()].matches('\n').count() + 1 >= *line);
        assert!(lines_ok);
        let definitions = reference_definitions(&src);
        let mut merged = RawDocument::default();
        for (text, line) in parts {
            let doc = read_part(text, line, Some(&definitions), MAX_REFERENCES, usize::MAX).doc;
            merged.footnotes.extend(doc.footnotes);
            merged.references.extend(doc.references);
            merged.links.extend(doc.links);
        }
        assert_eq!(merged.footnotes, whole.footnotes);
        assert_eq!(merged.links, whole.links);
        let sorted = |refs: &[RawReference]| {
            let mut v: Vec<_> = refs.iter().map(|r| (r.line, r.id.clone())).collect();
            v.sort();
            v
        };
        assert_eq!(sorted(&merged.references), sorted(&whole.references));
        assert!(
            whole
                .links
                .iter()
                .all(|l| !l.url.contains("in-fence") && !l.url.contains("in-comment"))
        );
        assert_eq!(whole.footnotes.len(), 120);
    }

    /// A flood of notes past the footnote budget: the rest of the document is read as text, for its
    /// bare URLs, not parsed note by note.
    #[test]
    fn past_the_footnote_budget_the_rest_is_text() {
        // More parts of notes than are read at once: the first parts read spend the budget.
        let parts = rayon::current_num_threads().max(1) * 2 + 2;
        let src = format!(
            "Intro https://a.example/first\n\n{}\n\nEnd https://a.example/last\n",
            "^[x] ".repeat(parts * super::MAX_BLOCK / 5)
        );
        let doc = read(&src);
        assert_eq!(
            doc.footnotes.len(),
            crate::extract::footnote_budget(src.len())
        );
        let urls: Vec<&str> = doc.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["https://a.example/first", "https://a.example/last"]);
        assert_eq!(doc.links[1].line, 5);
        assert!(
            doc.findings.iter().any(|f| f
                .message
                .starts_with("past the footnote budget, a flood of notes")),
            "{:?}",
            doc.findings
        );
    }

    /// The same in a document read in one part: past its flood of notes, its bare URLs still count.
    #[test]
    fn a_small_flood_of_notes() {
        let src = format!("{}\n\nEnd https://a.example/last\n", "^[x] ".repeat(30_000));
        assert!(src.len() < super::PART_SIZE);
        let doc = read(&src);
        assert_eq!(
            doc.footnotes.len(),
            crate::extract::footnote_budget(src.len())
        );
        assert_eq!(doc.links.len(), 1);
        assert_eq!(doc.links[0].line, 3);
        assert!(
            doc.findings.iter().any(|f| f
                .message
                .starts_with("past the footnote budget, a flood of notes")),
            "{:?}",
            doc.findings
        );
    }

    #[test]
    fn pandoc_inline_notes() {
        let src = "Body^[A note with [brackets] and [a link](https://a.org/x), *Dawn*, 2020.] goes on https://b.org/y.\n\nSecond ^[Two https://c.org/z] and a caret ^ alone.\n\nA [^g] note.\n\n[^g]: GFM.\n";
        let doc = read(src);
        let ids: Vec<_> = doc
            .footnotes
            .iter()
            .map(|f| (f.id.as_str(), f.line))
            .collect();
        assert_eq!(ids, [("1", 1), ("2", 3), ("g", 7)]);
        let refs: Vec<_> = doc
            .references
            .iter()
            .map(|r| (r.id.as_str(), r.line))
            .collect();
        assert_eq!(refs, [("1", 1), ("2", 3), ("g", 5)]);
        let one = &doc.footnotes[0];
        assert_eq!(one.text, "A note with [brackets] and a link, Dawn, 2020.");
        assert_eq!(one.emphasis.as_deref(), Some("Dawn"));
        assert_eq!(one.urls[0].url, "https://a.org/x");
        assert_eq!(doc.footnotes[1].urls[0].url, "https://c.org/z");
        // The text after a note is body text again.
        assert_eq!(urls(&doc), ["https://b.org/y"]);
    }

    /// Issue 13: a link's text in a footnote is its title when none is quoted.
    #[test]
    fn first_link_text_of_a_footnote_is_kept() {
        let src = "A[^a] B[^b] C[^c]\n\n[^a]: LLVM team, [Hardening Modes: Assertion `categories`](https://libcxx.llvm.org/Hardening.html#assertion-categories), libc++ documentation, 2026-02-24.\n\n[^b]: See <https://x.org/a> and [the *second*](https://x.org/b).\n\n[^c]: No link.\n";
        let doc = read(src);
        let texts: Vec<_> = doc
            .footnotes
            .iter()
            .map(|f| f.link_text.as_deref())
            .collect();
        // An autolink's text is its URL: the first titled link is the second one.
        assert_eq!(
            texts,
            [
                Some("Hardening Modes: Assertion categories"),
                Some("the second"),
                None
            ]
        );
        let doc = crate::extract::extract(
            "a.md",
            src,
            crate::extract::InputFormat::Markdown,
            &crate::extract::ExtractOptions::default(),
        );
        let a = &doc.footnotes[0];
        assert_eq!(
            a.title.as_deref(),
            Some("Hardening Modes: Assertion categories")
        );
        assert!(!a.title_guessed);
        assert_eq!(a.authors, ["LLVM team"]);
        assert_eq!(a.publication.as_deref(), Some("libc++ documentation"));
    }

    #[test]
    fn unclosed_inline_note_ends_with_its_paragraph() {
        let doc = read("Text ^[never closed\n\nBody https://b.org/y\n");
        assert_eq!(doc.footnotes.len(), 1);
        assert_eq!(doc.footnotes[0].text, "never closed");
        assert_eq!(urls(&doc), ["https://b.org/y"]);
    }

    #[test]
    fn exponents_are_not_references() {
        let doc = read(
            "About 10<sup>2</sup> cases, n<sup>n</sup> ways, x<sup>2</sup> terms; cited.<sup>1</sup> and word<sup>2</sup>, I<sup>1</sup>\n\n<sup>1</sup> One.\n\n<sup>2</sup> Two.\n",
        );
        let refs: Vec<_> = doc.references.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(refs, ["1", "2", "1"]);
        assert_eq!(doc.footnotes.len(), 2);
    }

    #[test]
    fn sup_numbers_in_a_gfm_document_cite_only_sup_definitions() {
        let doc = read(
            "Cited[^1] and an area of 5 m<sup>2</sup> or O(n<sup>3</sup>) or item<sup>3</sup>.\n\n[^1]: Note.\n",
        );
        let refs: Vec<_> = doc.references.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(refs, ["1"]);
        // Without GFM definitions the same marker is a reference (to an undefined footnote).
        let doc = read("An item<sup>3</sup>.\n");
        assert_eq!(doc.references.len(), 1);
    }

    #[test]
    fn sup_with_a_dot_as_pdf_converters_write() {
        let doc = read(
            "Body text.<sup>1.</sup>\n\n<sup>1.</sup> “A title,” *Dawn*, 2020, https://dawn.com/a\n",
        );
        assert_eq!(doc.references.len(), 1);
        assert_eq!(doc.references[0].id, "1");
        assert_eq!(doc.footnotes.len(), 1);
        assert_eq!(doc.footnotes[0].id, "1");
        assert_eq!(doc.footnotes[0].urls[0].url, "https://dawn.com/a");
    }

    #[test]
    fn exponents_and_bold_references() {
        let doc = read(
            "**Intro.<sup>1</sup>** E = mc<sup>2n</sup> and the 19<sup>th</sup>.<sup>2, 3</sup>\n",
        );
        let ids: Vec<_> = doc.references.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, vec!["1", "2", "3"]);
        assert!(doc.footnotes.is_empty());
    }

    #[test]
    fn many_bare_urls_in_one_paragraph_keep_their_lines() {
        let n = 50_000;
        let src: String = (0..n)
            .map(|i| {
                let sep = if i % 10 == 9 { "\n" } else { " " };
                format!("https://a.example/{i}{sep}")
            })
            .collect();
        let doc = read(&src);
        assert_eq!(doc.links.len(), n);
        for (i, link) in doc.links.iter().enumerate() {
            assert_eq!(link.url, format!("https://a.example/{i}"));
            assert_eq!(link.line, i / 10 + 1, "{}", link.url);
        }
        let refs: String = (0..n).map(|i| format!("[^x{i}]\n")).collect();
        let doc = read(&refs);
        assert_eq!(doc.references.len(), n);
        assert_eq!(doc.references[n - 1].line, n);
    }
}
