//! A large Markdown document's model built a window of parts at a time, its footnotes handed out in
//! order as soon as no later part can change them, so that they can be written and freed: the model
//! of 100,000 footnotes is never held whole. The footnotes, links and findings are those
//! [`super::extract`] gives, byte for byte in a report; a document where that cannot be known part by
//! part is not read this way (see [`windowed`]).

use std::collections::VecDeque;
use std::sync::LazyLock;

use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::lint::{self, NoteSummary};
use super::markdown::{self, Joiner, Windows};
use super::quotes::{self, Lines};
use super::{
    Document, ExtractOptions, Footnote, InputFormat, LinkScope, RawReference, TooLong, add_dropped,
    add_findings, build_footnote, citation, document_date, dropped_finding, footnote_budget,
    keep_link_budget, resolve_links, resolve_url, text_hash,
};

/// Where a document read a window at a time goes: its head, then its footnotes in order, a batch
/// at a time.
pub trait FootnoteSink {
    type Error;
    /// The document before its footnotes are known: its path, format, digest and date.
    fn head(&mut self, head: &Document) -> Result<(), Self::Error>;
    /// The next footnotes, after those of the batches before.
    fn footnotes(&mut self, batch: &[Footnote]) -> Result<(), Self::Error>;
}

/// The most bytes a footnote label is looked at for (a label is a word or a number).
const MAX_LABEL: usize = 1_000;

/// How far after `<sup` its `</sup>` is looked for: a marker's ids are a few bytes.
const MAX_SUP: usize = 512;

/// What one part may cite: every id written as `[^id]` or inside `<sup>…</sup>`, a superset of the
/// references the reader finds in it.
#[derive(Default)]
struct Cited {
    /// The ids, hashed (see [`id_key`]).
    ids: Vec<u64>,
    /// A `[^label]:` (a GFM definition) stands in it.
    gfm: bool,
    /// A `<sup` stands in it.
    sup: bool,
    /// Something the reader may read as a reference that the scan cannot tell the id of: an escaped
    /// caret, a character reference, a label with a space, a `<sup>` never closed.
    unsure: bool,
    /// Inline notes (`^[…]`), each a note of its own.
    inline: usize,
}

fn cited(text: &str) -> Cited {
    let bytes = text.as_bytes();
    let mut out = Cited {
        inline: memchr::memmem::find_iter(bytes, b"^[").count(),
        ..Cited::default()
    };
    for at in memchr::memmem::find_iter(bytes, b"[^") {
        let rest = &bytes[at + 2..];
        let Some(end) = rest
            .iter()
            .take(MAX_LABEL)
            .position(|&b| b == b']' || b.is_ascii_whitespace() || b == b'&' || b == b'\\')
        else {
            out.unsure |= rest.len() >= MAX_LABEL;
            continue;
        };
        if rest[end] != b']' {
            out.unsure = true;
            return out;
        }
        if end > 0 {
            out.ids.push(id_key(&text[at + 2..at + 2 + end]));
            out.gfm |= rest.get(end + 1) == Some(&b':');
        }
    }
    // An escaped `^` and character references are text the reader sees as `[^`, `]` or an id: one
    // pass for the two bytes they start from.
    const REFERENCES: [&[u8]; 6] = [b"#", b"lsqb;", b"lbrack;", b"rsqb;", b"rbrack;", b"Hat;"];
    let hidden = memchr::memchr2_iter(b'&', b'\\', bytes).any(|at| {
        let after = &bytes[at + 1..];
        if bytes[at] == b'&' {
            REFERENCES.iter().any(|r| after.starts_with(r))
        } else {
            at > 0 && bytes[at - 1] == b'[' && after.starts_with(b"^")
        }
    });
    if hidden {
        out.unsure = true;
        return out;
    }
    for at in memchr::memchr_iter(b'<', bytes) {
        if !bytes
            .get(at..at + 4)
            .is_some_and(|t| t.eq_ignore_ascii_case(b"<sup"))
        {
            continue;
        }
        out.sup = true;
        let window = &bytes[at + 4..bytes.len().min(at + 4 + MAX_SUP)];
        let close = window
            .windows(5)
            .position(|w| w.eq_ignore_ascii_case(b"</sup"));
        let Some(close) = close else {
            out.unsure = true;
            return out;
        };
        let span = &text[at + 4..at + 4 + close];
        let inner = span.find('>').map_or(span, |gt| &span[gt + 1..]);
        out.ids.extend(
            inner
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| !t.is_empty())
                .map(id_key),
        );
    }
    out
}

/// An id's key in the table of the last part citing it. A number written as such ("1", "214") is
/// its own key, looked up where the table's notes are: a document's notes are numbered in order, so
/// a window's lookups fall side by side. Any other id is a hash with the top bit set, so that the
/// table of a document of 100,000 notes holds no string. Two ids of the same hash share the later of
/// their parts: a note may wait longer than it needs to, never less. The hash is keyed afresh in
/// each process, so that a document cannot be written to make its ids collide (every id of one key
/// would make each note's references a walk through all of theirs).
fn id_key(id: &str) -> u64 {
    use std::hash::BuildHasher;
    static KEYED: LazyLock<foldhash::fast::RandomState> = LazyLock::new(Default::default);
    let number = (1..=9).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    if number {
        id.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'))
    } else {
        KEYED.hash_one(id) | 1 << 63
    }
}

/// For each id a part may cite (by its key), the last part that may cite it.
struct LastCiting {
    /// By number, for numbers up to twice the count of marks: the part plus one, or 0 for none.
    by_number: Vec<u32>,
    /// Every other key, sorted, one entry per key.
    other: Vec<(u64, usize)>,
}

impl LastCiting {
    fn new(scans: Vec<Cited>, marks: usize) -> Self {
        let dense_limit = 2 * marks as u64 + 64;
        let mut by_number: Vec<u32> = Vec::new();
        let mut other: Vec<(u64, usize)> = Vec::new();
        for (part, scan) in scans.into_iter().enumerate() {
            for key in scan.ids {
                if key < dense_limit {
                    let at = key as usize;
                    if at >= by_number.len() {
                        by_number.resize(at + 1, 0);
                    }
                    // Parts come in order: the later part replaces the earlier.
                    by_number[at] = u32::try_from(part + 1).unwrap_or(u32::MAX);
                } else {
                    other.push((key, part));
                }
            }
        }
        // Sorted by key, then by part: the last of each key's run is its last part.
        other.par_sort_unstable();
        other.reverse();
        other.dedup_by_key(|&mut (k, _)| k);
        other.reverse();
        LastCiting { by_number, other }
    }

    fn get(&self, key: u64) -> Option<usize> {
        if let Some(&part) = usize::try_from(key)
            .ok()
            .and_then(|k| self.by_number.get(k))
        {
            return (part > 0).then(|| part as usize - 1);
        }
        let at = self.other.binary_search_by_key(&key, |&(k, _)| k).ok()?;
        Some(self.other[at].1)
    }
}

/// The references read and not yet handed out with their footnote: for each id's key, the first and
/// last of them, chained in reading order. The n-th reference read is `references[n]` of the reading.
#[derive(Default)]
struct Pending {
    ends: HashMap<u64, (u32, u32)>,
    /// For each reference read, the next of the same key.
    next: Vec<u32>,
}

impl Pending {
    const END: u32 = u32::MAX;

    /// The next reference read, of id key `key`.
    fn add(&mut self, key: u64) {
        let at = u32::try_from(self.next.len()).unwrap_or(Self::END - 1);
        self.next.push(Self::END);
        match self.ends.get_mut(&key) {
            Some((_, last)) => {
                self.next[*last as usize] = at;
                *last = at;
            }
            None => {
                self.ends.insert(key, (at, at));
            }
        }
    }

    /// The lines of the references to `id` (of key `key`) read so far, in order, no longer
    /// pending. Those of another id of the same key stay.
    fn take(&mut self, key: u64, id: &str, references: &[RawReference]) -> Vec<usize> {
        let Some((first, _)) = self.ends.remove(&key) else {
            return Vec::new();
        };
        let mut lines = Vec::new();
        let mut others: Vec<u32> = Vec::new();
        let mut at = first;
        while at != Self::END {
            let reference = &references[at as usize];
            if reference.id == id {
                lines.push(reference.line);
            } else {
                others.push(at);
            }
            at = self.next[at as usize];
        }
        if let (Some(&first), Some(&last)) = (others.first(), others.last()) {
            for pair in others.windows(2) {
                self.next[pair[0] as usize] = pair[1];
            }
            self.next[last as usize] = Self::END;
            self.ends.insert(key, (first, last));
        }
        lines
    }
}

/// The footnotes built and waiting to be handed out, and what handing them out takes.
#[derive(Default)]
struct Desk {
    waiting: VecDeque<Waiting>,
    sites: Sites,
    pending: Pending,
    /// Every reference read, in order.
    references: Vec<RawReference>,
    /// The lines of each handed-out footnote's URLs, in order, for the lint.
    url_lines: Vec<Vec<usize>>,
}

impl Desk {
    /// The footnotes at the front of those waiting whose every citing part is read (`read_parts`
    /// parts are; all are once `done`), and whose site, if they may have one, is known: with their
    /// references and their site.
    fn take(&mut self, read_parts: usize, done: bool) -> Vec<Footnote> {
        let sites = &self.sites;
        let ready = self
            .waiting
            .iter()
            .take_while(|w| {
                let cited_later = w.until_part >= read_parts && !done;
                let site_unknown = w
                    .site
                    .as_ref()
                    .is_some_and(|(site, _)| !sites.confirmed.contains(site.as_str()) && !done);
                !cited_later && !site_unknown
            })
            .count();
        let mut footnotes = Vec::with_capacity(ready);
        self.url_lines.reserve(ready);
        for w in self.waiting.drain(..ready) {
            let mut footnote = w.footnote;
            footnote.references = self.pending.take(w.key, &footnote.id, &self.references);
            if let Some((site, title)) = w.site
                && sites.confirmed.contains(site.as_str())
            {
                footnote.publication = Some(site);
                footnote.title = Some(title);
                footnote.title_guessed = true;
            }
            self.url_lines.push(w.url_lines);
            footnotes.push(footnote);
        }
        footnotes
    }
}

/// Footnotes handed out, written: their quotations found in the lines that cite them, their
/// summaries kept for the lint. The text read so far, `read_so_far`, is released again once the
/// quotations are found.
fn write_out<S: FootnoteSink>(
    mut footnotes: Vec<Footnote>,
    lines: &Lines,
    run: &Run<'_>,
    read_so_far: Option<(usize, usize)>,
    summaries: &mut Vec<NoteSummary>,
    sink: &mut S,
) -> Result<(), S::Error> {
    let found = quotes::find_all(&footnotes, lines, |_, f| {
        Some((f.id.as_str(), *f.references.first()?))
    });
    for (footnote, quotes) in footnotes.iter_mut().zip(found) {
        footnote.quotes = quotes;
    }
    // The lines that cite these notes were read again for their quotations.
    if let Some((from, to)) = read_so_far {
        (run.release)(from, to);
    }
    let mut summarised = Vec::with_capacity(footnotes.len());
    footnotes
        .par_iter()
        .map(NoteSummary::of)
        .collect_into_vec(&mut summarised);
    summaries.append(&mut summarised);
    sink.footnotes(&footnotes)
}

/// The table of the last part that may cite each id; `None` when the document cannot be read a
/// window at a time: where the scan is unsure, or where GFM definitions and `<sup>N</sup>` markers
/// stand together (whether such a marker is a reference depends on the definitions of every part).
fn last_citing(parts: &[(&str, usize)], len: usize) -> Option<LastCiting> {
    let scans: Vec<Cited> = parts.par_iter().map(|(text, _)| cited(text)).collect();
    if scans.iter().any(|s| s.unsure)
        || (scans.iter().any(|s| s.gfm) && scans.iter().any(|s| s.sup))
    {
        return None;
    }
    // A flood of notes (more than four marks per note the footnote budget allows; a real document
    // has two, a reference and a definition) is read whole, where the budgets cut it short.
    let marks: usize = scans.iter().map(|s| s.ids.len() + s.inline).sum();
    if marks > 4 * footnote_budget(len) {
        return None;
    }
    Some(LastCiting::new(scans, marks))
}

/// The shortest document read a window at a time: one of two parts or more.
pub fn windowed_min_len() -> usize {
    2 * markdown::PART_SIZE
}

/// Whether a document may be read a window at a time (see [`windowed`]): a large Markdown document
/// (one of several parts).
pub fn streamable(content: &str, format: InputFormat) -> bool {
    format == InputFormat::Markdown && content.len() >= windowed_min_len()
}

/// A footnote waiting to be handed out: the last part that may cite it, and the site and title its
/// text gives before a dash, if its fields name neither (see `citation::sites_before_dash`).
struct Waiting {
    footnote: Footnote,
    /// Its id's key (see [`id_key`]).
    key: u64,
    url_lines: Vec<usize>,
    until_part: usize,
    site: Option<(String, String)>,
}

/// Sites named before a dash: a site is one once two notes give it different titles.
#[derive(Default)]
struct Sites {
    first_title: HashMap<String, String>,
    confirmed: HashSet<String>,
}

impl Sites {
    fn add(&mut self, site: &str, title: &str) {
        if self.confirmed.contains(site) {
            return;
        }
        match self.first_title.get(site) {
            None => {
                self.first_title.insert(site.to_owned(), title.to_owned());
            }
            Some(first) if first != title => {
                self.first_title.remove(site);
                self.confirmed.insert(site.to_owned());
            }
            Some(_) => {}
        }
    }
}

/// A large Markdown document (see [`streamable`]) to be read a window of parts at a time.
pub struct Windowed<'a> {
    content: &'a str,
    windows: Windows<'a>,
    last: LastCiting,
}

/// `content` cut into parts and scanned for what each part may cite; `None` when it is not to be read
/// a window at a time.
pub fn windowed(content: &str, format: InputFormat) -> Option<Windowed<'_>> {
    if !streamable(content, format) {
        return None;
    }
    let windows = Windows::new(content);
    let last = last_citing(windows.parts(), content.len())?;
    Some(Windowed {
        content,
        windows,
        last,
    })
}

impl Windowed<'_> {
    /// Reads the document, handing its head and then its footnotes to `sink` as they are complete;
    /// returns the document without its footnotes (its links and findings). `release(from, to)` is
    /// told of each range of the text read and not needed again soon (a mapped file gives back its
    /// pages); what is read again later (a line that cites a note) it must still give.
    pub fn read<S: FootnoteSink>(
        mut self,
        path: &str,
        options: &ExtractOptions,
        release: &(dyn Fn(usize, usize) + Sync),
        sink: &mut S,
    ) -> Result<Document, S::Error> {
        let run = Run {
            content: self.content,
            options,
            release,
            last: &self.last,
        };
        read_windows(path, &run, sink, &mut self.windows)
    }
}

/// What a reading of windows reads with.
struct Run<'a> {
    content: &'a str,
    options: &'a ExtractOptions,
    release: &'a (dyn Fn(usize, usize) + Sync),
    last: &'a LastCiting,
}

impl Run<'_> {
    /// The byte range of the content that `parts` (consecutive parts of it) cover.
    fn span(&self, parts: &[(&str, usize)]) -> Option<(usize, usize)> {
        let (first, last) = (parts.first()?, parts.last()?);
        let base = self.content.as_ptr() as usize;
        let from = first.0.as_ptr() as usize - base;
        Some((from, last.0.as_ptr() as usize - base + last.0.len()))
    }

    /// Tells `release` of the text of `parts` (consecutive parts of the content).
    fn release_parts(&self, parts: &[(&str, usize)]) {
        if let Some((from, to)) = self.span(parts) {
            (self.release)(from, to);
        }
    }
}

/// A window read: the index of its first part, its parts, and the number of parts read in all;
/// `last` when no window is left (its parts are then the rest read as text, if any).
struct Read {
    first_part: usize,
    parts: Vec<markdown::Part>,
    read_parts: usize,
    last: bool,
}

fn read_next(windows: &mut Windows<'_>, run: &Run<'_>) -> Read {
    let first_part = windows.next_part();
    let (parts, last) = match windows.next_window() {
        Some(parts) => (parts, false),
        None => (windows.rest().into_iter().collect(), true),
    };
    run.release_parts(&windows.parts()[first_part..windows.next_part()]);
    if last {
        // The rest, read as text past a flood of notes.
        run.release_parts(&windows.parts()[first_part..]);
    }
    Read {
        first_part,
        parts,
        read_parts: windows.next_part(),
        last,
    }
}

fn read_windows<S: FootnoteSink>(
    path: &str,
    run: &Run<'_>,
    sink: &mut S,
    windows: &mut Windows<'_>,
) -> Result<Document, S::Error> {
    let (content, options, last) = (run.content, run.options, run.last);
    // The first window is read while the whole text is hashed and its lines indexed (the date is
    // looked for in the first 16 KiB).
    let date = document_date(content);
    let (mut current, (sha256, lines)) = rayon::join(
        || read_next(windows, run),
        || {
            rayon::join(
                || (!options.no_digest).then(|| text_hash(content)),
                || Lines::new(content),
            )
        },
    );
    let empty = content.trim().is_empty();
    // Every byte was read once (cut into parts, scanned, hashed): what a window needs is read again.
    (run.release)(0, content.len());
    let mut doc = Document {
        path: path.to_owned(),
        format: InputFormat::Markdown,
        sha256,
        date,
        footnotes: Vec::new(),
        links: Vec::new(),
        issues: Vec::new(),
        alternatives: Default::default(),
    };
    sink.head(&doc)?;

    let base = options.base_url.as_ref();
    let resolve = |raw: String| resolve_url(raw, InputFormat::Markdown, base);
    let mut joiner = Joiner::default();
    let mut desk = Desk::default();
    let mut raw_links = Vec::new();
    let mut dropped: Option<(usize, usize)> = None;
    let mut too_long = TooLong::default();
    let mut summaries: Vec<NoteSummary> = Vec::new();
    let mut as_text_from = None;
    loop {
        let Read {
            first_part,
            parts: read,
            read_parts,
            last: windows_done,
        } = current;
        // The text read so far.
        let read_so_far = run.span(&windows.parts()[..read_parts]);
        // What writing out returns, and this window's notes as built, with the sites they name.
        let mut step = Ok(());
        let mut handed: Vec<Waiting> = Vec::new();
        let mut candidates: Vec<Option<(String, String)>> = Vec::new();
        // The next window is read while this one's notes are built and those handed out are
        // written.
        let mut next = None;
        rayon::in_place_scope(|scope| {
            if !windows_done {
                scope.spawn(|_| next = Some(read_next(windows, run)));
            }
            let mut notes = Vec::new();
            for (i, part) in read.into_iter().enumerate() {
                as_text_from = as_text_from.or(part.as_text_from);
                let raw = joiner.join(part);
                if let Some((n, line)) = raw.footnotes_dropped {
                    add_dropped(&mut dropped, n, line);
                }
                for r in &raw.references {
                    desk.pending.add(id_key(&r.id));
                }
                desk.references.extend(raw.references);
                raw_links.extend(raw.links);
                notes.extend(raw.footnotes.into_iter().map(|f| (f, first_part + i)));
            }
            for (note, _) in &mut notes {
                note.urls.retain(|l| too_long.fits(l));
            }
            // The footnotes of the windows before that can be handed out now.
            let footnotes = desk.take(read_parts, false);
            // Fields, in parallel; references come when the footnote is handed out. Every note's site
            // before a dash counts; only a note whose fields name neither publication nor certain title
            // takes it.
            let (handed, candidates) = (&mut handed, &mut candidates);
            scope.spawn(move |_| {
                (*handed, *candidates) = notes
                    .into_par_iter()
                    .map(|(raw, part)| {
                        let key = id_key(&raw.id);
                        let until_part = last.get(key).map_or(part, |l| l.max(part));
                        let (footnote, url_lines) = build_footnote(raw, Vec::new(), &resolve);
                        let open = footnote.publication.is_none()
                            && (footnote.title.is_none() || footnote.title_guessed);
                        let site = citation::site_and_title(&footnote.text)
                            .map(|(s, t)| (s.to_owned(), t.to_owned()));
                        let waiting = Waiting {
                            footnote,
                            key,
                            url_lines,
                            until_part,
                            site: site.clone().filter(|_| open),
                        };
                        (waiting, site)
                    })
                    .unzip();
            });
            // The sink stays on this thread.
            step = write_out(footnotes, &lines, run, read_so_far, &mut summaries, sink);
        });
        for (site, title) in candidates.iter().flatten() {
            desk.sites.add(site, title);
        }
        step?;
        desk.waiting.extend(handed);
        if windows_done {
            break;
        }
        current = next.expect("the next window is read");
    }
    // The last footnotes, once every part is read.
    let footnotes = desk.take(windows.parts().len(), true);
    let read_so_far = run.span(windows.parts());
    write_out(footnotes, &lines, run, read_so_far, &mut summaries, sink)?;
    debug_assert!(desk.waiting.is_empty());

    // The rest, as `assemble` does it for a document read whole.
    let mut findings = Vec::new();
    windows.findings(
        &mut findings,
        desk.references.last().map(|r| r.line),
        as_text_from,
    );
    let input_len = content.len();
    if options.links == LinkScope::All {
        raw_links.sort_by_key(|l| l.line);
    }
    raw_links.retain(|l| too_long.fits(l));
    findings.extend(too_long.finding());
    findings.extend(dropped_finding(dropped, input_len));
    findings.extend(keep_link_budget(&mut raw_links, input_len));
    doc.links = resolve_links(raw_links, &resolve);
    let mut issues = lint::lint(
        &summaries,
        &desk.url_lines,
        &desk.references,
        &doc.links,
        empty,
        true,
        false,
    );
    add_findings(&mut issues, findings);
    doc.issues = issues;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::extract::extract;
    use crate::report::Format;
    use crate::report::stream::{JsonWindows, counts, render};

    /// The report of `src` read whole, and read a window at a time (`None` if it is not read so).
    fn both(src: &str, options: &ExtractOptions) -> (Vec<u8>, Option<Vec<u8>>) {
        let mut doc = extract("big.md", src, InputFormat::Markdown, options);
        let whole_counts = counts(&doc);
        let mut whole = Vec::new();
        render(&mut doc, Format::Json, &mut whole).unwrap();
        let mut text = Vec::new();
        let mut sink = JsonWindows::new(&mut text);
        let shell = windowed(src, InputFormat::Markdown)
            .map(|w| w.read("big.md", options, &|_, _| {}, &mut sink).unwrap());
        let Some(shell) = shell else {
            assert!(text.is_empty(), "nothing written before it is known");
            return (whole, None);
        };
        let (summary, worst) = sink.finish(&shell).unwrap();
        assert_eq!(summary, whole_counts.0);
        assert_eq!(worst, whole_counts.1);
        (whole, Some(text))
    }

    /// The report, the same both ways.
    fn assert_same(src: &str, options: &ExtractOptions) -> String {
        let (whole, windowed) = both(src, options);
        let windowed = windowed.expect("read a window at a time");
        if whole != windowed {
            let at = whole
                .iter()
                .zip(&windowed)
                .position(|(a, b)| a != b)
                .unwrap_or(whole.len().min(windowed.len()));
            let show = |t: &[u8]| {
                String::from_utf8_lossy(&t[at.saturating_sub(300)..(at + 300).min(t.len())])
                    .into_owned()
            };
            panic!(
                "differ at byte {at}:\n--- whole\n{}\n--- windowed\n{}",
                show(&whole),
                show(&windowed)
            );
        }
        String::from_utf8(whole).unwrap()
    }

    /// A brief of `notes` `<sup>N</sup>` notes at the foot of each page (about 1.5 MB for 4,000), with
    /// notes cited again pages later, quoted words before markers, sites named before a dash, a
    /// duplicate and an undefined note, relative links and a note whose URL is too long.
    fn brief(notes: usize) -> String {
        let mut s = String::from("# Brief\n\nDecember 6, 2020\n\n");
        let mut page = Vec::new();
        for n in 1..=notes {
            let quote = if n % 7 == 0 {
                " said that \"the talks will resume in the spring of next year\""
            } else {
                ""
            };
            let again = if n > 500 && n % 50 == 0 {
                format!(" as noted before<sup>{}</sup>", n - 400)
            } else {
                String::new()
            };
            writeln!(
                s,
                "The minister{quote} visited the border region and met elders from both sides of it, a visit reported at length.<sup>{n}</sup>{again} See also [the plan](plans/{n}.html).\n"
            )
            .unwrap();
            let note = match n % 5 {
                0 => format!(
                    "Kabul Times – Visit number {n} to the border: https://kabul.example/{n}"
                ),
                1 => format!(
                    "\"Talks resume, part {n},\" *Dawn*, March {}, 2019, <https://www.dawn.example/news/{n}>",
                    n % 28 + 1
                ),
                2 => format!(
                    "Ministry of Foreign Affairs, press release {n}, https://mfa.example/{n}"
                ),
                3 => format!("Reuters - Markets {n}: https://reuters.example/{n}"),
                _ => format!("Author {n}, *Book {n}* (Press, 2001), 12."),
            };
            page.push(format!("<sup>{n}</sup> {note}\n"));
            if page.len() == 5 {
                s.push_str(&page.join("\n"));
                s.push('\n');
                page.clear();
            }
        }
        s.push_str(&page.join("\n"));
        s.push_str("\n<sup>3</sup> A second definition of note 3, https://dup.example/3\n\n");
        s.push_str(&format!(
            "Cited but not defined.<sup>{}</sup>\n\n",
            notes + 7
        ));
        s.push_str(&format!(
            "<sup>{}</sup> Too long: https://long.example/{}\n",
            notes + 1,
            "x".repeat(9000)
        ));
        s
    }

    #[test]
    fn a_brief_read_a_window_at_a_time_is_the_same_report() {
        let src = brief(5_000);
        assert!(streamable(&src, InputFormat::Markdown), "{}", src.len());
        let report = assert_same(&src, &ExtractOptions::default());
        // What waits for later parts: notes cited again, sites named before a dash.
        assert!(report.contains("\"publication\": \"Kabul Times\""));
        assert!(report.contains("the talks will resume in the spring of next year"));
        let options = ExtractOptions {
            base_url: Some(url::Url::parse("https://think.example/briefs/").unwrap()),
            ..ExtractOptions::default()
        };
        assert_same(&src, &options);
        let options = ExtractOptions {
            no_digest: true,
            ..ExtractOptions::default()
        };
        assert_same(&src, &options);
    }

    #[test]
    fn gfm_notes_and_inline_notes_read_a_window_at_a_time() {
        let mut s = String::new();
        for n in 1..=6_000 {
            writeln!(s, "A paragraph citing a report at some length, and then some.[^{n}] And an inline note.^[Inline {n}, https://inline.example/{n}]\n").unwrap();
            if n % 10 == 0 {
                for m in n - 9..=n {
                    writeln!(
                        s,
                        "[^{m}]: \"Report {m},\" *Reuters*, May 2, 2020, <https://r.example/{m}>\n"
                    )
                    .unwrap();
                }
            }
        }
        s.push_str("Cited again at the end.[^5]\n");
        assert_same(&s, &ExtractOptions::default());
    }

    #[test]
    fn real_documents_repeated_read_a_window_at_a_time() {
        // Published Markdown (see tests/fixtures/realworld/README.md), repeated to be read in parts:
        // every id is defined again in each copy and cited from every copy.
        for doc in [
            include_str!("../../tests/fixtures/realworld/ossf-compiler-options-hardening-guide.md"),
            include_str!("../../tests/fixtures/realworld/ossf-compiler-annotations.md"),
            include_str!("../../examples/kabul-visit-brief.md"),
        ] {
            let src = doc.repeat((2 * markdown::PART_SIZE).div_ceil(doc.len()) + 1);
            let (whole, windowed) = both(&src, &ExtractOptions::default());
            assert!(
                whole == windowed.expect("read a window at a time"),
                "differ"
            );
        }
    }

    #[test]
    fn notes_and_references_past_the_budgets_read_a_window_at_a_time() {
        // 20,000 notes in 1.2 MB, past the footnote budget (10,000 here): the rest is read as text.
        let s: String = (1..=20_000)
            .map(|n| format!("<sup>{n}</sup> https://f.example/{n}/a-page-of-the-site\n\n"))
            .collect();
        let report = assert_same(&s, &ExtractOptions::default());
        assert!(
            report.contains("than the footnote budget"),
            "{}",
            &report[report.len() - 2000..]
        );
        // References past the reference budget, and a block longer than the block budget.
        let mut s = "Cited.<sup>1</sup> ".repeat(110_000);
        s.push_str("\n\n<sup>1</sup> https://a.example/1\n\n");
        s.push_str(&"word ".repeat(300_000));
        s.push_str(&"\n\nA paragraph of words, one of many.\n".repeat(200_000));
        let report = assert_same(&s, &ExtractOptions::default());
        assert!(report.contains("than the reference budget"));
        assert!(report.contains("longer than the block budget"));
    }

    #[test]
    fn numbers_are_their_own_keys_and_other_ids_are_hashed_apart() {
        assert_eq!(id_key("1"), 1);
        assert_eq!(id_key("214"), 214);
        assert_eq!(id_key("0"), 0);
        // Not the same id as "1" or "214": hashed.
        for id in ["01", "0214", "a", "note-1", "1a", "", "1234567890"] {
            assert!(id_key(id) >= 1 << 63, "{id}");
        }
        assert_ne!(id_key("01"), id_key("1"));
    }

    #[test]
    fn the_last_citing_part_by_number_and_by_hash() {
        // Part 0 cites 1, 2 and "x"; part 1 cites 2 and "x"; part 2 cites 5,000, past the numbers
        // kept side by side for 5 marks.
        let scan = |ids: &[&str]| Cited {
            ids: ids.iter().map(|id| id_key(id)).collect(),
            ..Cited::default()
        };
        let scans = vec![scan(&["1", "2", "x"]), scan(&["2", "x"]), scan(&["5000"])];
        let last = LastCiting::new(scans, 6);
        assert_eq!(last.get(id_key("1")), Some(0));
        assert_eq!(last.get(id_key("2")), Some(1));
        assert_eq!(last.get(id_key("x")), Some(1));
        assert_eq!(last.get(id_key("5000")), Some(2));
        assert_eq!(last.get(id_key("3")), None);
        assert_eq!(last.get(id_key("y")), None);
    }

    #[test]
    fn pending_references_of_two_ids_of_one_key_stay_apart() {
        let reference = |id: &str, line| RawReference {
            id: id.to_owned(),
            line,
        };
        let references = [
            reference("a", 1),
            reference("b", 2),
            reference("a", 3),
            reference("c", 4),
            reference("b", 5),
        ];
        // "a" and "b" as if their hashes were one.
        let key = |id: &str| if id == "c" { 3 } else { 7 };
        let mut pending = Pending::default();
        for r in &references {
            pending.add(key(&r.id));
        }
        assert_eq!(pending.take(7, "a", &references), vec![1, 3]);
        assert_eq!(pending.take(3, "c", &references), vec![4]);
        assert_eq!(pending.take(3, "c", &references), Vec::<usize>::new());
        // "b"'s references stayed, chained in order, and a later one joins them.
        pending.add(7);
        let references = [&references[..], &[reference("b", 6)]].concat();
        assert_eq!(pending.take(7, "b", &references), vec![2, 5, 6]);
        assert!(pending.ends.is_empty());
    }

    #[test]
    fn a_flood_of_notes_is_read_whole() {
        // One note per 30 bytes, and a million inline notes: more marks than four per note of the
        // footnote budget.
        let s: String = (1..=60_000)
            .map(|n| format!("x<sup>{n}</sup> y\n\n<sup>{n}</sup> https://f.example/{n}\n\n"))
            .collect();
        assert!(both(&s, &ExtractOptions::default()).1.is_none());
        let s = "^[x] ".repeat(1_000_000);
        assert!(both(&s, &ExtractOptions::default()).1.is_none());
    }

    #[test]
    fn escaped_carets_and_character_references_make_the_scan_unsure() {
        for odd in [
            "a [\\^1] b",
            "&#94;",
            "&#x5E;",
            "x &lsqb;^1&rsqb;",
            "&lbrack;",
            "&rbrack;",
            "[&Hat;1]",
        ] {
            assert!(cited(odd).unsure, "{odd}");
        }
        for plain in ["a \\ b & c [^1] [\\x]", "&amp; & ^ \\^", "\\", "&"] {
            assert!(!cited(plain).unsure, "{plain}");
        }
    }

    #[test]
    fn what_the_scan_cannot_tell_is_read_whole() {
        let base = brief(5_000);
        for odd in [
            "x[^a b] y",
            "&#49;",
            "[\\^1]",
            "<sup>1",
            "[^1]: a GFM note beside <sup> markers",
        ] {
            let src = format!("{base}\n{odd}\n");
            let (_, windowed) = both(&src, &ExtractOptions::default());
            assert!(windowed.is_none(), "{odd}");
        }
        assert!(!streamable("short", InputFormat::Markdown));
    }
}
