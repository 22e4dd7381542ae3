//! PDF documents: text with positions (pdf-extract over lopdf), link annotations, and footnotes and
//! endnotes recovered from the layout. One file per stage:
//!
//! - `drawing`: the PDF made safe to draw (budgets on streams and glyphs, figures included from
//!   other PDFs emptied, the fonts of form XObjects given names of their own so that a page's text
//!   is never measured with a form's font), glyphs with position and size (ligatures as letters,
//!   invisible characters dropped; rotated text is margin stamps, not text), and `/URI` annotations.
//! - `layout`: glyphs into lines; running headers and footers removed (page numbers in the top or
//!   bottom band, lines repeated at one height on many pages); columns at the gutters, where a line
//!   is split only if it has a gap wider than a word space over the gutter, and a short line between
//!   page-wide lines spans the page too.
//! - `notes`: the evidence for notes, combined. Anchors are raised, smaller digits in the body
//!   (digits side by side in sequence, `8182`, are two anchors). A note starts at a line beginning
//!   with a number that is raised, or smaller than the body, or at the body's size inside an endnote
//!   section (under a heading such as Notes, Endnotes, References or Sources), and only in a note
//!   zone: the lowest run of such lines in a column, with nothing larger below. The number must be
//!   cited and not yet defined, or come next in sequence: a line starting with the next number
//!   always starts a note, so adjacent notes never merge, and a numbered list or bibliography that
//!   nothing cites is never taken for notes. Numbering that restarts (per chapter) is a new
//!   sequence, matched by where it is cited.
//! - `urls`: lines joined so that a URL broken at a line end (after or before a separator, after a
//!   percent escape, at a hyphen) is one URL; the URLs printed, with or without a scheme; and the
//!   printed URLs reconciled with the annotations drawn over them: a cut-off, escaped or mangled
//!   annotation loses to the print, a true disagreement keeps the print and records the annotation
//!   as an alternative, and a link over words is a URL of its own. Everything not in a note is a
//!   link on its page: a URL is never lost.
//!
//! Locations: `line` is the page number. The structure is inferred from layout, so no error-level
//! structure finding (undefined or duplicate footnote) is made from it.

use std::collections::BTreeMap;

mod drawing;
mod layout;
mod notes;
mod urls;

use drawing::*;
use layout::*;
use notes::*;

use super::{RawDocument, RawReference};

/// Why a file could not be read as a PDF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    #[error("not a readable PDF: {0}")]
    Malformed(String),
    #[error("encrypted PDF: cannot read it without its password")]
    Encrypted,
    #[error("no text layer: a scanned PDF? (no text on any of its {0} pages)")]
    NoText(usize),
    #[error("over the reading budget: {0}")]
    TooLarge(String),
}

/// Reads a PDF.
pub(crate) fn read(bytes: &[u8]) -> Result<RawDocument, PdfError> {
    let drawn = draw(bytes)?;
    Ok(read_pages(drawn.pages, &drawn.annotations, drawn.hyphenates, None).0)
}

/// Why the reader took each line that begins with a number as the start of a note, or not, page by
/// page (`cargo run --example pdf_layout FILE --why`).
pub fn explain(bytes: &[u8]) -> Result<String, PdfError> {
    let drawn = draw(bytes)?;
    let (_, trace) = read_pages(
        drawn.pages,
        &drawn.annotations,
        drawn.hyphenates,
        Some(Vec::new()),
    );
    Ok(trace.join("\n") + "\n")
}

/// The page layout as the reader sees it, one line of text per line of the page: page, column,
/// baseline, size, extent, with raised glyphs marked `^`. For looking into a PDF that reads wrong
/// (`cargo run --example pdf_layout FILE`).
pub fn layout(bytes: &[u8]) -> Result<String, PdfError> {
    use std::fmt::Write;
    let mut pages = draw(bytes)?.pages;
    let body = body_size(&pages);
    strip_headers_and_footers(&mut pages);
    let mut out = format!("body size {body:.1}\n");
    for (i, glyphs) in pages.into_iter().enumerate() {
        for (c, column) in columns(glyphs).iter().enumerate() {
            for l in &column.lines {
                let text: String = l
                    .glyphs
                    .iter()
                    .map(|g| {
                        if l.raised(g) {
                            format!("^{}", g.text)
                        } else {
                            g.text.to_string()
                        }
                    })
                    .collect();
                let x0 = l.glyphs.first().map_or(0.0, |g| g.x);
                let _ = writeln!(
                    out,
                    "p{} c{c} y={:.1} s={:.1} x={x0:.0}-{:.0} |{text}",
                    i + 1,
                    l.y,
                    l.size,
                    l.x1()
                );
            }
        }
    }
    Ok(out)
}

/// The layout analysis of every page, in order.
fn read_pages(
    mut pages: Vec<Vec<Glyph>>,
    annotations: &BTreeMap<u32, Vec<Annotation>>,
    hyphenates: bool,
    trace: Option<Vec<String>>,
) -> (RawDocument, Vec<String>) {
    let body_size = body_size(&pages);
    strip_headers_and_footers(&mut pages);
    let mut out = RawDocument {
        layout_inferred: true,
        ..RawDocument::default()
    };
    let mut notes = Notes {
        collect_words: hyphenates,
        trace,
        ..Notes::default()
    };
    for (i, glyphs) in pages.into_iter().enumerate() {
        let page = i + 1;
        let links = annotations
            .get(&(page as u32))
            .map_or(&[][..], Vec::as_slice);
        let columns = columns(glyphs);
        read_page(page, columns, body_size, links, &mut notes, &mut out);
    }
    // References to numbers never found defined are not reported: a raised digit may be an exponent.
    let defined: std::collections::HashSet<&str> =
        out.footnotes.iter().map(|f| f.id.as_str()).collect();
    let references: Vec<RawReference> = notes
        .references
        .into_iter()
        .filter(|r| defined.contains(r.id.as_str()))
        .collect();
    out.references = references;
    for footnote in &mut out.footnotes {
        if let Some(quotes) = notes.quotes.remove(&footnote.id) {
            footnote.quotes = quotes;
        }
    }
    if hyphenates {
        for note in &out.footnotes {
            notes.words.extend(words_of(&note.text));
        }
        typesetter_hyphens(&mut out, &notes.words);
        for note in &mut out.footnotes {
            note.text = join_hyphenated(&note.text, &notes.words);
        }
    }
    (out, notes.trace.unwrap_or_default())
}

/// A note's words broken at a line end by a typesetter that hyphenates ("Informationsfreiheits-"
/// then "gesetz"), joined where the document prints the word whole elsewhere. A hyphen that joins
/// words the document never prints as one ("Informations- und", "well- known") stays.
fn join_hyphenated(text: &str, words: &std::collections::HashSet<String>) -> String {
    if !text.contains("- ") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("- ") {
        let (head, tail) = (&rest[..at], &rest[at + 2..]);
        let before = head
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        let after = tail
            .split(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        let joined = format!("{before}{after}").to_lowercase();
        out.push_str(head);
        if !before.is_empty() && after.starts_with(char::is_lowercase) && words.contains(&joined) {
            rest = tail;
        } else {
            out.push_str("- ");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// The words of a text, in lower case, for telling a typesetter's hyphen from a URL's own.
fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
}

/// Where a typesetter that hyphenates broke a word inside a URL at a line end (`…Response%20Cen-` /
/// `tre%20…`, `compromis-` / `es-with-…`), and the word is printed whole elsewhere in the document,
/// the hyphen is the typesetter's: the URL is the one without it, and the hyphenated reading stays
/// as its alternative. A URL's own hyphens (`secure-supply-chain-` / `assessment.md`) join words
/// that the document does not print as one.
fn typesetter_hyphens(out: &mut RawDocument, words: &std::collections::HashSet<String>) {
    let mut swaps: Vec<(String, String)> = Vec::new();
    for (printed, alternative) in &mut out.alternatives {
        let Some(word) = split_word(printed, alternative) else {
            continue;
        };
        if words.contains(&word.to_lowercase()) {
            swaps.push((printed.clone(), alternative.clone()));
            std::mem::swap(printed, alternative);
        }
    }
    for (from, to) in swaps {
        for url in out
            .footnotes
            .iter_mut()
            .flat_map(|f| f.urls.iter_mut())
            .chain(out.links.iter_mut())
        {
            if url.url == from {
                url.url = to.clone();
            }
        }
    }
}

/// The word split by the one hyphen `hyphenated` has and `joined` has not, when letters stand on
/// both sides of it.
fn split_word(hyphenated: &str, joined: &str) -> Option<String> {
    if hyphenated.len() != joined.len() + 1 {
        return None;
    }
    let at = hyphenated
        .bytes()
        .zip(joined.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(joined.len());
    if hyphenated.as_bytes().get(at) != Some(&b'-') || hyphenated[at + 1..] != joined[at..] {
        return None;
    }
    let before: String = hyphenated[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = hyphenated[at + 1..]
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    (before.chars().count() >= 2 && after.chars().count() >= 2).then(|| before + &after)
}

#[cfg(test)]
mod tests {
    use super::drawing::*;
    use super::urls::*;
    use super::*;

    #[test]
    fn wrapped_urls_are_joined() {
        let joined = join_wrapped(
            "Dawn, November 19, 2020, https://www.dawn.com/news/1591240/pakistan-will-",
            "do-everything-possible",
            false,
        );
        let urls = printed_urls(&joined);
        assert_eq!(
            urls[0].url,
            "https://www.dawn.com/news/1591240/pakistan-will-do-everything-possible"
        );
        assert_eq!(
            urls[0].alternative.as_deref(),
            Some("https://www.dawn.com/news/1591240/pakistan-willdo-everything-possible")
        );
        assert_eq!(
            join_wrapped("see https://a.org/x.", "Next sentence", true),
            "see https://a.org/x. Next sentence"
        );
        assert_eq!(join_wrapped("a title,", "Dawn", true), "a title, Dawn");
        assert_eq!(
            join_wrapped(
                "4 https://twitter.com/",
                "US4AfghanPeace/status/1330568973168107526, November 22, 2020.",
                false
            ),
            "4 https://twitter.com/US4AfghanPeace/status/1330568973168107526, November 22, 2020."
        );
    }

    fn glyph(x: f64, y: f64, size: f64, text: &str) -> Glyph {
        Glyph {
            x,
            end: x + size * 0.5,
            y,
            size,
            text: text.into(),
        }
    }

    #[test]
    fn a_number_raised_half_an_em_joins_its_line() {
        // As the SSI report (Corel Ventura) sets it: 12 pt text, a 6.2 pt note number 6.5 pt up.
        let mut glyphs: Vec<Glyph> = "law."
            .chars()
            .enumerate()
            .map(|(i, c)| glyph(144.0 + i as f64 * 6.0, 597.6, 12.0, &c.to_string()))
            .collect();
        glyphs.push(glyph(168.5, 604.1, 6.2, "2"));
        glyphs.push(glyph(144.0, 583.9, 12.0, "N"));
        let lines = lines(glyphs);
        assert_eq!(lines.len(), 2);
        assert_eq!(line_references(&lines[0]), vec!["2".to_owned()]);
    }

    #[test]
    fn character_maps_past_a_million_codes_are_refused() {
        use super::drawing::check_cmap;
        // A real map: ranges with hex and array destinations, and a cidrange.
        let real =
            b"2 beginbfrange <0020> <007E> <0020> <00A0> <00A2> [<00A0> <00A1> <00A2>] endbfrange \
            1 begincidrange <0000> <FFFF> 0 endcidrange";
        assert!(check_cmap(real).is_ok());
        let bomb = b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange";
        assert!(check_cmap(bomb).is_err());
        // Many small ranges add up.
        let many: Vec<u8> = std::iter::once(b"beginbfrange ".to_vec())
            .chain((0..20u64).map(|i| {
                format!("<{:08X}> <{:08X}> <0041> ", i << 16, (i << 16) | 0xFFFF).into_bytes()
            }))
            .chain(std::iter::once(b"endbfrange".to_vec()))
            .flatten()
            .collect();
        assert!(check_cmap(&many).is_err());
    }

    #[test]
    fn a_word_hyphenated_at_a_line_end_is_joined_where_printed_whole_elsewhere() {
        // The transparenzgesetz.de paper (InDesign): "Informationsfreiheits-" / "gesetz".
        let words: std::collections::HashSet<String> = ["informationsfreiheitsgesetz", "bundes"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            join_hyphenated(
                "Bundes – Informationsfreiheits- gesetz des Bundes, Informations- und Transparenz",
                &words
            ),
            "Bundes – Informationsfreiheitsgesetz des Bundes, Informations- und Transparenz"
        );
        assert_eq!(join_hyphenated("well- known", &words), "well- known");
    }

    #[test]
    fn a_date_broken_at_its_hyphen_is_one_word() {
        // From the LibreOffice PDF of the OSSF guide: "GCC Manual, 2024-" then "08-01.".
        assert_eq!(
            join_wrapped("Suppress Warnings, GCC Manual, 2024-", "08-01.", false),
            "Suppress Warnings, GCC Manual, 2024-08-01."
        );
    }

    #[test]
    fn a_short_line_ends_its_url() {
        // From the CNCF fuzzing handbook: a code listing's URL, then the next line of the listing.
        assert_eq!(
            join_wrapped(
                "git clone https://github.com/AdaLogics/oss-fuzz-example",
                "oss-fuzz-example",
                false
            ),
            "git clone https://github.com/AdaLogics/oss-fuzz-example oss-fuzz-example"
        );
        // A URL cut at a slash goes on even when the line stopped short of the margin.
        assert_eq!(
            join_wrapped(
                "at https://www.mfa.gov.af/news/",
                "2296-agreement.html",
                false
            ),
            "at https://www.mfa.gov.af/news/2296-agreement.html"
        );
    }

    #[test]
    fn elided_and_dotless_urls_are_not_links() {
        // From the CNCF fuzzing handbook.
        assert!(printed_urls("one for https://oss-fuzz.com/... has the most").is_empty());
        assert!(printed_urls("developed by Google https://githubtheris. This").is_empty());
    }

    #[test]
    fn words_glued_to_a_url_are_split_at_the_scheme() {
        let urls = printed_urls("tools such as syfthttps://github.com/anchore/syft and");
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].url, "https://github.com/anchore/syft");
    }

    fn reconciled(text: &str, annotations: &[&str]) -> (Vec<String>, Vec<(String, String)>) {
        let mut alternatives = Vec::new();
        let urls = reconcile(
            text,
            printed_urls(text),
            annotations.iter().map(|a| (a.to_string(), true)).collect(),
            &mut alternatives,
        );
        (urls, alternatives)
    }

    #[test]
    fn printed_urls_win_over_cut_and_escaped_annotations() {
        // InDesign's automatic links stop at the first hyphen or `%20`, and make a link of the rest.
        let text = "Abdulai. http://www.opendataresearch.org/content/2014/642/connecting-open-data";
        let (urls, _) = reconciled(
            text,
            &["http://www.opendataresearch.org/content/2014/642/connecting"],
        );
        assert_eq!(
            urls,
            ["http://www.opendataresearch.org/content/2014/642/connecting-open-data"]
        );
        let text = "http://www.ifrc.org/docs/IDRL/UN%20SC%20Res.pdf";
        let (urls, _) = reconciled(
            text,
            &["http://www.ifrc.org/docs/IDRL/UN", "http://20Res.pdf"],
        );
        assert_eq!(urls, [text]);
        // Escaping and a sentence's full stop taken into the link.
        let (urls, _) = reconciled(
            "Retrieved from https://www.arin.net/policy/nrpm.html#two4.",
            &["https://www.arin.net/policy/nrpm.html%23two4."],
        );
        assert_eq!(urls, ["https://www.arin.net/policy/nrpm.html#two4"]);
    }

    #[test]
    fn annotations_complete_what_the_print_leaves_open() {
        // A URL that wrapped and was not rejoined: the annotation holds it whole.
        let (urls, _) = reconciled(
            "See https://a.org/reports/ 2023/annual.pdf for more.",
            &["https://a.org/reports/2023/annual.pdf"],
        );
        assert_eq!(urls, ["https://a.org/reports/2023/annual.pdf"]);
        // A line-break hyphen the annotation says was the typesetter's.
        let (urls, _) = reconciled(
            "https://a.org/net\u{AD}work/x",
            &["https://a.org/network/x"],
        );
        assert_eq!(urls, ["https://a.org/network/x"]);
        // More than is printed: the print stands, the annotation is its alternative.
        let (urls, alternatives) = reconciled(
            "Retrieved from https://www.arin.net/policy/nrpm.html.",
            &["https://www.arin.net/policy/nrpm.html%23two4"],
        );
        assert_eq!(urls, ["https://www.arin.net/policy/nrpm.html"]);
        assert_eq!(alternatives.len(), 1);
        // A link over words is the note's URL; a different one on the same host is an alternative.
        let (urls, _) = reconciled("See the report.", &["https://a.org/report"]);
        assert_eq!(urls, ["https://a.org/report"]);
        let (urls, alternatives) = reconciled("At https://a.org/x today.", &["https://a.org/y"]);
        assert_eq!(urls, ["https://a.org/x"]);
        assert_eq!(
            alternatives,
            [("https://a.org/x".to_owned(), "https://a.org/y".to_owned())]
        );
        let (urls, _) = reconciled("At https://a.org/x today.", &["https://b.org/y"]);
        assert_eq!(urls, ["https://a.org/x", "https://b.org/y"]);
        // An annotation goes with the printed URL it equals, not with a shorter one before it.
        let (urls, _) = reconciled(
            "See https://a.org/x and https://a.org/xy here.",
            &["https://a.org/xy"],
        );
        assert_eq!(urls, ["https://a.org/x", "https://a.org/xy"]);
    }

    #[test]
    fn raised_numbers_side_by_side_are_notes_in_sequence() {
        assert_eq!(anchor_run("12"), ["12"]);
        assert_eq!(anchor_run("8182"), ["81", "82"]);
        assert_eq!(anchor_run("109110"), ["109", "110"]);
        assert_eq!(anchor_run("910"), ["910"]);
        assert!(anchor_run("2023").is_empty());
    }

    #[test]
    fn a_word_split_by_a_line_break_hyphen_is_found() {
        assert_eq!(
            split_word("https://a.org/Cen-tre%20x", "https://a.org/Centre%20x").as_deref(),
            Some("Centre")
        );
        assert_eq!(split_word("https://a.org/x-y", "https://a.org/xy"), None);
        assert_eq!(split_word("https://a.org/ab", "https://a.org/ab"), None);
    }

    #[test]
    fn bare_hosts_under_common_domains_are_web_addresses_kept_as_printed() {
        let urls: Vec<String> = printed_urls(
            "Siehe transparenzranking.de und zum Gesetz: transparenz.hamburg.de/das-hmbtg. Node.js, notes.md, e.g. U.S.",
        )
        .into_iter()
        .map(|p| p.url)
        .collect();
        assert_eq!(
            urls,
            ["transparenzranking.de", "transparenz.hamburg.de/das-hmbtg"]
        );
    }

    #[test]
    fn ligatures_are_letters() {
        assert_eq!(
            decompose_ligatures("pro\u{FB01}les stu\u{FB00}"),
            "profiles stuff"
        );
        assert_eq!(decompose_ligatures("plain"), "plain");
    }

    #[test]
    fn a_host_broken_after_a_dot_is_joined() {
        let joined = join_wrapped("Blog. http://blog.okfn.", "org/2012/10/25/x/", false);
        assert_eq!(joined, "Blog. http://blog.okfn.org/2012/10/25/x/");
        let joined = join_wrapped("see http://a.org/x.", "and/or more", false);
        assert_eq!(joined, "see http://a.org/x. and/or more");
    }

    #[test]
    fn urls_broken_before_a_separator_or_after_an_escape_are_joined() {
        let joined = join_wrapped("https://e.eu/DV/2023/05", "-11/Consolidated.pdf", true);
        assert_eq!(joined, "https://e.eu/DV/2023/05-11/Consolidated.pdf");
        let joined = join_wrapped(
            "https://a.in/files/Data%20Protection%20",
            "Act%202023.pdf",
            false,
        );
        assert_eq!(
            joined,
            "https://a.in/files/Data%20Protection%20Act%202023.pdf"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            read(b"%PDF-1.4 garbage"),
            Err(PdfError::Malformed(_))
        ));
        assert!(matches!(read(b"not a pdf"), Err(PdfError::Malformed(_))));
    }
}
