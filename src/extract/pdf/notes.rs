//! Notes: anchors in the body, note zones at the page foot and endnote sections, and the
//! numbers that start notes, matched in sequence.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::drawing::*;
use super::layout::*;
use super::urls::*;
use crate::extract::{
    RawDocument, RawFootnote, RawLink, RawReference, collapse_whitespace, quotes,
};

/// What is known of notes across pages.
#[derive(Default)]
pub(super) struct Notes {
    /// Body references, in order.
    pub(super) references: Vec<RawReference>,
    /// How often each number has been cited so far.
    pub(super) cited: HashMap<String, usize>,
    /// How often each number has been defined so far.
    pub(super) defined: HashMap<String, usize>,
    /// Where the last note is (index in `out.footnotes`) and its type size, for continuations.
    pub(super) last: Option<(usize, f64)>,
    /// The highest note number defined so far.
    pub(super) highest: u64,
    /// The last page citing each number.
    pub(super) cited_on: HashMap<String, usize>,
    /// In an endnote section.
    pub(super) endnotes: bool,
    /// Whether to collect the document's words, and the words (for telling a typesetter's hyphen
    /// in a URL from the URL's own).
    pub(super) collect_words: bool,
    pub(super) words: std::collections::HashSet<String>,
    /// The text read since the last reference, and the words the sentence of each number's first
    /// reference quotes.
    pub(super) since: String,
    pub(super) quotes: HashMap<String, Vec<String>>,
    /// Why lines were taken as note starts, or not (`pdf_layout --why`), when asked for.
    pub(super) trace: Option<Vec<String>>,
}

pub(super) static NOTES_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:end\s*notes|foot\s*notes|notes|references|sources|works\s+cited|bibliography|notas|notes\s+de\s+fin|références|referencias|fuentes|anmerkungen|endnoten|fußnoten|quellen|literatur)$",
    )
    .expect("notes heading regex")
});

/// Whether a line is the heading of an endnote section.
pub(super) fn is_notes_heading(text: &str) -> bool {
    // What is not a letter or digit around the word (`NOTES:`, `— Notes —`) is trimmed here: a
    // `\W` in the pattern costs more to compile than all the briefs' headings to match.
    text.len() <= 40
        && NOTES_HEADING.is_match(text.trim_matches(|c: char| !c.is_alphanumeric() || c == '_'))
}

impl Notes {
    /// Whether a note numbered `id` can begin on `page`: its number is cited and not yet defined as
    /// often as cited, and it either continues the numbering or (numbering that starts again, say in a
    /// new chapter) is cited on this page or the one before. A bibliography's "1" far from any
    /// citation of note 1 is not a note.
    pub(super) fn open(&self, id: &str, page: usize) -> bool {
        let pending =
            self.cited.get(id).copied().unwrap_or(0) > self.defined.get(id).copied().unwrap_or(0);
        let n: u64 = id.parse().unwrap_or(0);
        let near = self.cited_on.get(id).is_some_and(|&p| p + 1 >= page);
        pending && (n > self.highest || near)
    }
}

pub(super) static NOTE_START_PLAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{1,3})(?:[.)]\s*|\s+)\S").expect("note regex"));

/// The number a line starts with, if it can start a note, and where its text begins (glyph index).
pub(super) fn note_start(line: &Line, body_size: f64) -> Option<(String, usize)> {
    let raised: String = line
        .glyphs
        .iter()
        .take_while(|g| line.raised(g) && g.text.chars().all(|c| c.is_ascii_digit()))
        .map(|g| g.text.as_str())
        .collect();
    if !raised.is_empty() && raised.len() <= 3 {
        let n = line
            .glyphs
            .iter()
            .take_while(|g| line.raised(g) && g.text.chars().all(|c| c.is_ascii_digit()))
            .count();
        if n < line.glyphs.len() {
            return Some((raised, n));
        }
        return None;
    }
    // An unraised number only in smaller type than the body.
    if line.size >= body_size * 0.93 {
        return None;
    }
    let text = line.text();
    let caps = NOTE_START_PLAIN.captures(&text)?;
    let id = caps[1].to_owned();
    // Skip the glyphs of the number and its punctuation.
    let mut skipped = 0;
    let mut consumed = String::new();
    for g in &line.glyphs {
        if consumed.len() >= id.len() && !matches!(g.text.as_str(), "." | ")") {
            break;
        }
        consumed.push_str(&g.text);
        skipped += 1;
    }
    Some((id, skipped))
}

/// Whether a line starts with a raised note symbol (`∗`, `†`, `‡`, `§`, `¶`).
pub(super) fn symbol_note(line: &Line) -> bool {
    line.glyphs.first().is_some_and(|g| {
        line.raised(g)
            && matches!(
                g.text.as_str(),
                "*" | "\u{2217}" | "\u{2020}" | "\u{2021}" | "\u{a7}" | "\u{b6}"
            )
    })
}

/// Raised numbers inside a line (not at its start): references to notes.
pub(super) fn line_references(line: &Line) -> Vec<String> {
    references_in(line, None)
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// Raised numbers inside a line (not at its start), each with the words its sentence quotes:
/// `since` is the text read since the last reference (lines joined, a line-end hyphen kept), to
/// which this line's text is added.
pub(super) fn line_references_quoting(
    line: &Line,
    since: &mut String,
) -> Vec<(String, Vec<String>)> {
    references_in(line, Some(since))
}

/// The references of a line, with their quotations when the text before them is kept in `since`.
fn references_in(line: &Line, mut since: Option<&mut String>) -> Vec<(String, Vec<String>)> {
    let mut ids = Vec::new();
    let mut marker = String::new();
    let mut at_start = true;
    let mut last_end: Option<f64> = None;
    if let Some(since) = since.as_deref_mut()
        && !since.is_empty()
        && !since.ends_with(['-', ' '])
    {
        since.push(' ');
    }
    let cite = |marker: &str, since: Option<&mut String>, ids: &mut Vec<(String, Vec<String>)>| {
        let quotes = since.map(|since| {
            let quotes = quotes::of_sentence(since);
            since.clear();
            quotes
        });
        for id in anchor_run(marker) {
            ids.push((id, quotes.clone().unwrap_or_default()));
        }
    };
    for g in &line.glyphs {
        let digit = line.raised(g) && g.text.chars().all(|c| c.is_ascii_digit());
        if digit {
            marker.push_str(&g.text);
            continue;
        }
        if !marker.is_empty() {
            if !at_start {
                cite(&marker, since.as_deref_mut(), &mut ids);
            }
            marker.clear();
        }
        // A comma between raised numbers ("1,2") keeps the run going.
        if line.raised(g) && g.text == "," {
            continue;
        }
        at_start = false;
        // The text as `layout::text_of` spaces it.
        if let Some(since) = since.as_deref_mut() {
            if let Some(end) = last_end
                && g.x > end + g.size * 0.15
                && !since.ends_with(' ')
            {
                since.push(' ');
            }
            since.push_str(&g.text);
            last_end = Some(g.end);
        }
    }
    if !marker.is_empty() && !at_start {
        cite(&marker, since.as_deref_mut(), &mut ids);
    }
    // Only the sentence before a reference is read: the tail of a long run of text is kept.
    if let Some(since) = since
        && since.len() > 2 * quotes::MAX_SENTENCE
    {
        let keep = quotes::tail(since, quotes::MAX_SENTENCE).len();
        since.drain(..since.len() - keep);
    }
    ids
}

/// The note numbers in a run of raised digits: one number of up to three digits, or numbers in
/// sequence set side by side with no separator (Word prints references to notes 81 and 82 as a
/// raised `8182`). Anything else is not a note reference (an exponent, a year).
pub(super) fn anchor_run(run: &str) -> Vec<String> {
    if run.len() <= 3 {
        return vec![run.to_owned()];
    }
    for first in 1..=3 {
        let Some(Ok(mut n)) = run.get(..first).map(str::parse::<u64>) else {
            continue;
        };
        let mut ids = vec![n.to_string()];
        let mut rest = &run[first..];
        while !rest.is_empty() {
            let next = (n + 1).to_string();
            let Some(tail) = rest.strip_prefix(next.as_str()) else {
                break;
            };
            ids.push(next);
            n += 1;
            rest = tail;
        }
        if rest.is_empty() && ids.len() >= 2 && !ids[0].starts_with('0') {
            return ids;
        }
    }
    Vec::new()
}

pub(super) fn read_page(
    page: usize,
    columns: Vec<Column>,
    body_size: f64,
    annotations: &[Annotation],
    notes: &mut Notes,
    out: &mut RawDocument,
) {
    // What each annotation is drawn over: the lines near its rectangle are found by their height,
    // not by going through every glyph of the page for every annotation.
    let mut by_height: Vec<&Line> = columns.iter().flat_map(|c| &c.lines).collect();
    by_height.sort_by(|a, b| a.y.total_cmp(&b.y));
    // A glyph stands within 2.2 sizes of its line's baseline (a note number set a line above it).
    let reach = by_height.iter().map(|l| l.size).fold(0.0, f64::max) * 2.5 + 2.0;
    let annotations: Vec<Annotation> = annotations
        .iter()
        .map(|a| {
            let [_, y0, _, y1] = a.rect;
            let lo = by_height.partition_point(|l| l.y < y0 - reach);
            let hi = by_height.partition_point(|l| l.y <= y1 + reach).max(lo);
            // Line by line, top down: a link over two lines reads "Direct Dependencies vs.
            // Transitive Dependencies", not "vs.Transitive".
            let anchor = by_height[lo..hi]
                .iter()
                .rev()
                .map(|l| text_of(l.glyphs.iter().filter(|g| a.covers(g))))
                .filter(|t| !t.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let over_url = anchor_is_url(&anchor);
            Annotation {
                over_url,
                words: (!over_url).then(|| collapse_whitespace(&anchor)),
                ..a.clone()
            }
        })
        .collect();
    let annotations = annotations.as_slice();
    // References first: a note may sit in a column before the one citing it.
    let mut on_page: Vec<String> = Vec::new();
    for column in &columns {
        for line in &column.lines {
            on_page.extend(line_references(line));
        }
    }
    for id in &on_page {
        *notes.cited.entry(id.clone()).or_default() += 1;
        notes.cited_on.insert(id.clone(), page);
        notes.references.push(RawReference {
            id: id.clone(),
            line: page,
        });
    }

    // An endnote section: from a page headed "Notes", "Endnotes", "References"… up to the next
    // page that opens with a heading of its own. There, notes are set at the body's size and their
    // numbers are not raised.
    let page_heading = columns
        .iter()
        .flat_map(|c| &c.lines)
        .any(|l| l.size > body_size * 1.3);
    let notes_heading = columns
        .iter()
        .flat_map(|c| &c.lines)
        .any(|l| l.size >= body_size * 0.97 && l.glyphs.len() <= 40 && is_notes_heading(&l.text()));
    if notes_heading {
        notes.endnotes = true;
    } else if page_heading {
        notes.endnotes = false;
    }
    // Where a number may start a note at the body's size.
    let note_size = if notes.endnotes {
        f64::INFINITY
    } else {
        body_size
    };

    let mut claimed = vec![false; annotations.len()];
    let mut body_text: Vec<String> = Vec::new();
    for column in columns {
        let lines = column.lines;
        let block = footnote_block(&lines, note_size, notes, page);
        if notes.trace.is_some() {
            trace_zone(notes, page, &lines, block, note_size);
        }
        let (body, foot) = lines.split_at(block.unwrap_or(lines.len()));
        // Lines of smaller type at the top of the page's first block continue the last note.
        let mut body_end = body.len();
        if block.is_some()
            && let Some((last, size)) = notes.last
            && out.footnotes.get(last).is_some_and(|f| f.line + 1 == page)
        {
            let mut i = body.len();
            while i > 0
                && (body[i - 1].size - size).abs() < 0.3
                && body[i - 1].size < body_size * 0.93
            {
                i -= 1;
            }
            if i < body.len() {
                let annotated = claim(annotations, &body[i..], &mut claimed);
                let note = &mut out.footnotes[last];
                for line in &body[i..] {
                    note.text = join_wrapped(&note.text, &line.text(), true);
                }
                // The note's URLs again over its whole text: a URL that ran over the page break is
                // whole now, and what was read of it on the page before is its cut-off start.
                let mut known: Vec<(String, bool)> =
                    note.urls.iter().map(|u| (u.url.clone(), true)).collect();
                known.extend(annotated);
                let urls = reconcile(
                    &note.text,
                    printed_urls(&note.text),
                    known,
                    &mut out.alternatives,
                );
                note.text = note.text.replace(SOFT_BREAK, "-");
                let line = note.line;
                note.urls = urls.into_iter().map(|url| RawLink { url, line }).collect();
                body_end = i;
            }
        }
        // The words the body's sentences quote before a reference: its text runs on from line to
        // line, column to column and page to page, past the notes set between.
        for line in &body[..body_end] {
            for (id, quotes) in line_references_quoting(line, &mut notes.since) {
                notes.quotes.entry(id).or_insert(quotes);
            }
        }
        let text = join_lines(&body[..body_end]);
        if notes.collect_words {
            notes.words.extend(super::words_of(&text));
        }
        body_text.push(text);
        if body_end < body.len() {
            claim(annotations, &body[body_end..], &mut claimed);
        }
        read_notes(page, foot, note_size, annotations, &mut claimed, notes, out);
    }

    // Everything else on the page is a link outside footnotes: annotations first, then printed URLs
    // that no annotation on the page gives whole.
    // Rectangles of a URL a note on this page or the page before already has are the same link:
    // hyperref draws a URL that runs over a page break with rectangles on both pages, some over
    // body text.
    let in_recent_note = |uri: &str| {
        out.footnotes
            .iter()
            .rev()
            .take_while(|f| f.line + 1 >= page)
            .any(|f| f.urls.iter().any(|u| u.url == uri))
    };
    let unclaimed: Vec<(String, bool)> = annotations
        .iter()
        .zip(&claimed)
        .filter(|(a, done)| !**done && !in_recent_note(&a.uri))
        .map(|(a, _)| (a.uri.clone(), a.over_url))
        .collect();
    let printed: Vec<Printed> = body_text.iter().flat_map(|t| printed_urls(t)).collect();
    let page_links: Vec<RawLink> = reconcile(
        &body_text.join(" "),
        printed,
        unclaimed,
        &mut out.alternatives,
    )
    .into_iter()
    .map(|url| RawLink { url, line: page })
    .collect();
    out.links.extend(page_links);
}

/// The words every annotation to `uri` is drawn over within `lines`, in reading order: a link set
/// over two lines has a rectangle on each.
fn linked_words(annotations: &[Annotation], uri: &str, lines: &[Line]) -> Option<String> {
    let words: Vec<&str> = annotations
        .iter()
        .filter(|a| a.uri == uri && lines.iter().flat_map(|l| &l.glyphs).any(|g| a.covers(g)))
        .filter_map(|a| a.words.as_deref())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Whether the text a link is drawn over is a URL (or a piece of one), not words.
pub(super) fn anchor_is_url(anchor: &str) -> bool {
    let anchor = anchor.trim().trim_end_matches(['.', ',', ';', ':', ')']);
    anchor.is_empty()
        || anchor.contains("://")
        || anchor.contains("www.")
        || (!anchor.contains(char::is_whitespace) && anchor.contains(['/', '.', '%']))
}

/// Marks the annotations drawn over these lines as taken: (URL, drawn over a printed URL).
pub(super) fn claim(
    annotations: &[Annotation],
    lines: &[Line],
    claimed: &mut [bool],
) -> Vec<(String, bool)> {
    let mut urls: Vec<(String, bool)> = Vec::new();
    for (a, done) in annotations.iter().zip(claimed.iter_mut()) {
        if *done {
            continue;
        }
        if lines.iter().flat_map(|l| &l.glyphs).any(|g| a.covers(g)) {
            *done = true;
            if !urls.iter().any(|(u, _)| *u == a.uri) {
                urls.push((a.uri.clone(), a.over_url));
            }
        }
    }
    urls
}

/// Where a column's footnote block starts: the topmost note start, cited and not yet defined, below
/// which nothing is set larger than notes and every note start runs in increasing order.
pub(super) fn footnote_block(
    lines: &[Line],
    body_size: f64,
    notes: &Notes,
    page: usize,
) -> Option<usize> {
    if lines.is_empty() {
        return None;
    }
    let open = |id: &str| notes.open(id, page);
    // From the bottom up: the lowest line that could not be in a block bounds the search.
    let mut best = None;
    let mut next_id: Option<u64> = None;
    let mut max_size: f64 = 0.0;
    for i in (0..lines.len()).rev() {
        let line = &lines[i];
        if let Some((id, _)) = note_start(line, body_size) {
            let n: u64 = id.parse().unwrap_or(0);
            let increasing = next_id.is_none_or(|next| n < next);
            // A number the body was not seen to cite still starts a note when it comes right
            // before the note below it and after the last note defined: the sequence is the
            // evidence (an anchor set at body size, or lost in a figure).
            let in_sequence = next_id.is_some_and(|next| n + 1 == next) && n > notes.highest;
            if (open(&id) || in_sequence) && increasing && line.size >= max_size * 0.9 - 0.3 {
                best = Some(i);
                next_id = Some(n);
                max_size = max_size.max(line.size);
                continue;
            }
        }
        // A line set larger than the notes below it is body text: the block cannot start above it.
        if best.is_some() && line.size > max_size * 1.08 + 0.3 {
            break;
        }
        if best.is_none() {
            // Below any note start only small type (a footer already went) may stand.
            if line.size > body_size * 1.08 {
                break;
            }
            max_size = max_size.max(line.size);
        }
    }
    best
}

/// What a line starting with a number is, as evidence of a note.
fn start_kind(line: &Line, note_size: f64) -> &'static str {
    if line.glyphs.first().is_some_and(|g| line.raised(g)) {
        "a raised number"
    } else if note_size.is_infinite() {
        "a number at the body's size in an endnote section"
    } else {
        "a number in type smaller than the body's"
    }
}

/// The start of a line's text, for the trace.
fn excerpt(line: &Line) -> String {
    line.text().chars().take(40).collect()
}

/// Records where a column's note zone starts, or why the lines that begin with a number are not one.
fn trace_zone(
    notes: &mut Notes,
    page: usize,
    lines: &[Line],
    block: Option<usize>,
    note_size: f64,
) {
    let mut entries = Vec::new();
    match block {
        Some(i) => entries.push(format!(
            "p{page} y={:.1}: note zone starts at {:?} ({})",
            lines[i].y,
            excerpt(&lines[i]),
            start_kind(&lines[i], note_size)
        )),
        None => {
            for line in lines {
                let Some((id, _)) = note_start(line, note_size) else {
                    continue;
                };
                let why = if notes.open(&id, page) {
                    "type larger than it stands below it, so it is not at the foot of its column"
                } else {
                    "its number is not cited on this page or the one before, nor next in sequence"
                };
                entries.push(format!(
                    "p{page} y={:.1}: {:?} is no note: {why}",
                    line.y,
                    excerpt(line)
                ));
            }
        }
    }
    if let Some(trace) = notes.trace.as_mut() {
        trace.extend(entries);
    }
}

/// Reads the notes of a footnote block.
pub(super) fn read_notes(
    page: usize,
    foot: &[Line],
    body_size: f64,
    annotations: &[Annotation],
    claimed: &mut [bool],
    notes: &mut Notes,
    out: &mut RawDocument,
) {
    let right = right_edge(foot);
    let mut full = true;
    let mut current: Option<(RawFootnote, Vec<Line>)> = None;
    let mut finished: Vec<(RawFootnote, Vec<Line>)> = Vec::new();
    let mut last_y: Option<(f64, f64)> = None;
    for line in foot {
        // A wide gap ends the block: what follows is not a note.
        if let Some((y, size)) = last_y
            && y - line.y > size * 3.5
        {
            break;
        }
        last_y = Some((line.y, line.size));
        let was_full = full;
        full = line.x1() >= right - line.size * 2.5;
        let full = was_full;
        // A line starting with the next number in sequence starts a note, cited or not, where it
        // starts where the notes above started: adjacent notes never merge.
        let expected = (notes.highest + 1).to_string();
        let start = note_start(line, body_size).filter(|(id, _)| {
            notes.open(id, page)
                || (*id == expected
                    && current.as_ref().is_none_or(|(_, ls)| {
                        let x0 = |l: &Line| l.glyphs.first().map_or(0.0, |g| g.x);
                        (x0(line) - x0(&ls[0])).abs() <= line.size * 0.5
                            && (line.size - ls[0].size).abs() < 0.3
                    }))
        });
        // A note marked by a symbol (an author note: `∗ Work done during an internship`) ends the
        // note before it and is not a numbered footnote.
        if start.is_none() && symbol_note(line) {
            finished.extend(current.take());
            continue;
        }
        if notes.trace.is_some() {
            let entry = match (&start, note_start(line, body_size)) {
                (Some((id, _)), _) => Some(format!(
                    "p{page} y={:.1}: note {id} starts: {}, {}",
                    line.y,
                    start_kind(line, body_size),
                    if notes.open(id, page) {
                        "cited and not yet defined"
                    } else {
                        "next in sequence"
                    }
                )),
                (None, Some((id, _))) => Some(format!(
                    "p{page} y={:.1}: {:?} goes on with the note above: {id} is not cited here and not next in sequence ({expected})",
                    line.y,
                    excerpt(line)
                )),
                (None, None) => None,
            };
            if let (Some(entry), Some(trace)) = (entry, notes.trace.as_mut()) {
                trace.push(entry);
            }
        }
        if let Some((id, skip)) = start {
            *notes.defined.entry(id.clone()).or_default() += 1;
            notes.highest = notes.highest.max(id.parse().unwrap_or(0));
            if let Some(done) = current.take() {
                finished.push(done);
            }
            let rest = text_of(line.glyphs[skip..].iter());
            current = Some((
                RawFootnote {
                    id,
                    line: page,
                    text: rest.trim_start_matches(['.', ')']).trim().to_owned(),
                    ..RawFootnote::default()
                },
                vec![line.clone()],
            ));
        } else if let Some((note, lines)) = current.as_mut() {
            note.text = join_wrapped(&note.text, &line.text(), full);
            lines.push(line.clone());
        }
    }
    finished.extend(current);
    for (mut note, lines) in finished {
        let annotated = claim(annotations, &lines, claimed);
        // The words of the note's first link drawn over words: its title, as a web page's link
        // text is (the citation reader takes it only where it reads as one).
        note.link_text = annotated
            .iter()
            .find(|(_, over_url)| !over_url)
            .and_then(|(uri, _)| linked_words(annotations, uri, &lines));
        let urls = reconcile(
            &note.text,
            printed_urls(&note.text),
            annotated,
            &mut out.alternatives,
        );
        // The text reads as printed: a line-break hyphen inside a URL stays a hyphen.
        note.text = collapse_whitespace(&note.text.replace(SOFT_BREAK, "-"));
        note.urls = urls
            .into_iter()
            .map(|url| RawLink { url, line: page })
            .collect();
        let size = lines.first().map_or(body_size, |l| l.size);
        out.footnotes.push(note);
        notes.last = Some((out.footnotes.len() - 1, size));
    }
}
