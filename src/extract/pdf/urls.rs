//! URLs: lines joined so a wrapped URL is one again, printed URLs found, and reconciled with the
//! link annotations drawn over them.

use std::sync::LazyLock;

use regex::Regex;

use super::layout::*;
use crate::extract::bare_urls;

/// The URLs of one note: what is printed, reconciled with the link annotations drawn over it.
///
/// A link annotation is not always the URL it is drawn over. InDesign makes its automatic links from
/// the text up to the first hyphen or `%20` (`…/2014/642/connecting` over
/// `…/2014/642/connecting-open-data-…`, and `http://20Res.pdf` over the rest), and many typesetters
/// escape what they print (`%23two4` for `#two4`). So, for each annotation:
/// - the same as a printed URL but for escaping, or a cut-off start of it: the printed URL stands;
/// - a piece from inside a printed URL: dropped;
/// - longer than a printed URL that is its start (a URL that wrapped and was not rejoined): the
///   annotation stands, but not for a sentence's full stop it took in;
/// - a different URL where the note prints one no annotation matched: the printed URL stands, and the
///   annotation is recorded as its alternative, which `check` tries too;
/// - over text that prints no URL ("the report"): the annotation is the note's URL.
pub(super) fn reconcile(
    text: &str,
    printed: Vec<Printed>,
    annotated: Vec<(String, bool)>,
    alternatives: &mut Vec<(String, String)>,
) -> Vec<String> {
    // The text without spaces: where a URL that wrapped and was not rejoined can still be seen.
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != SOFT_BREAK)
        .collect();
    // What each printed URL became: itself, or the annotation that completes it.
    let mut urls: Vec<Option<String>> = printed.iter().map(|p| Some(p.url.clone())).collect();
    let mut matched = vec![false; printed.len()];
    let mut confirmed = vec![false; printed.len()];
    let mut unmatched: Vec<String> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    for (a, over_url) in annotated {
        // A sentence's full stop taken into the link is not the URL's.
        let a = a.trim_end_matches(['.', ',', ';', ':']).to_owned();
        if !over_url {
            // A link over words is a URL of its own, unless it is a piece from inside a printed URL
            // (an automatic link whose rectangle took in the words around it).
            if !printed
                .iter()
                .any(|p| relate(p, &a, &squeezed) == Relation::Piece)
            {
                words.push(a);
            }
            continue;
        }
        // The printed URL it is the same as, if any; else the first it relates to.
        let relations: Vec<Relation> = printed.iter().map(|p| relate(p, &a, &squeezed)).collect();
        let found = relations
            .iter()
            .position(|r| matches!(r, Relation::Same { .. }))
            .or_else(|| relations.iter().position(|r| *r != Relation::Unrelated))
            .map(|i| (i, relations[i]));
        match found {
            Some((i, Relation::Same { annotation_wins })) => {
                matched[i] = true;
                if annotation_wins {
                    urls[i] = Some(a);
                } else {
                    // The annotation confirms the print, line-break hyphen and all.
                    confirmed[i] = true;
                }
            }
            Some((i, Relation::Cut | Relation::Piece)) => matched[i] = true,
            Some((i, Relation::Longer)) => {
                matched[i] = true;
                urls[i] = Some(a);
            }
            Some((i, Relation::More)) => {
                // The annotation adds what is not printed (`#two4`): the print is the citation.
                matched[i] = true;
                alternatives.push((printed[i].url.clone(), a));
            }
            _ => unmatched.push(a),
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut spare = unmatched;
    for (i, (p, url)) in printed.iter().zip(urls).enumerate() {
        let Some(url) = url else { continue };
        if url == p.url {
            if let Some(alt) = &p.alternative {
                if !confirmed[i] {
                    alternatives.push((url.clone(), alt.clone()));
                }
            } else if !matched[i]
                && let Some(a) = spare.iter().position(|a| same_host(a, &url))
            {
                // Printed and annotated truly differ: the printed URL is the citation.
                alternatives.push((url.clone(), spare.remove(a)));
            }
        }
        if !out.contains(&url) {
            out.push(url);
        }
    }
    for a in spare.into_iter().chain(words) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    /// The same link; the annotation is kept only where it decides what the print leaves open (the
    /// hyphen at a line break, the slash of an empty path). A URL printed without its scheme is
    /// kept as printed.
    Same {
        annotation_wins: bool,
    },
    /// The annotation is the start of the printed URL.
    Cut,
    /// The annotation is a piece from inside the printed URL.
    Piece,
    /// The printed URL is the start of the annotation, which goes on as the text does: the URL
    /// wrapped and was not rejoined.
    Longer,
    /// The printed URL is the start of the annotation, which adds what is not printed.
    More,
    Unrelated,
}

/// How a link annotation relates to a printed URL.
pub(super) fn relate(printed: &Printed, annotated: &str, squeezed: &str) -> Relation {
    let a = link_key(annotated);
    if a.len() < 4 {
        return Relation::Unrelated;
    }
    let p = link_key(&printed.url);
    let alt = printed.alternative.as_deref().map(link_key);
    let schemeless = !printed.url.contains("://");
    if a == p {
        // The print may leave out what the annotation shows: the scheme, or the slash of an empty
        // path (the same URL).
        let slash = annotated.ends_with('/') && !printed.url.ends_with('/');
        return Relation::Same {
            annotation_wins: slash && !schemeless,
        };
    }
    if alt.as_deref() == Some(a.as_str()) {
        // The annotation says the line-break hyphen was the typesetter's.
        return Relation::Same {
            annotation_wins: true,
        };
    }
    if p.starts_with(&a) || alt.as_deref().is_some_and(|alt| alt.starts_with(&a)) {
        return Relation::Cut;
    }
    if a.starts_with(&p) && p.contains(['/', '.']) {
        // Only trailing sentence punctuation more: the print stands.
        if a[p.len()..].chars().all(|c| ".,;:".contains(c)) {
            return Relation::Same {
                annotation_wins: false,
            };
        }
        let bare = annotated
            .split_once("://")
            .map_or(annotated, |(_, rest)| rest);
        return if squeezed.contains(bare) {
            Relation::Longer
        } else {
            Relation::More
        };
    }
    // An automatic link made from a piece of the printed URL ("20Res.pdf" of "UN%20SC%20Res.pdf").
    let bare = annotated
        .split_once("://")
        .map_or(annotated, |(_, rest)| rest)
        .trim_end_matches('/');
    if bare.len() >= 4 && printed.url.contains(bare) {
        return Relation::Piece;
    }
    Relation::Unrelated
}

/// Whether two URLs name the same host (`www.` aside).
pub(super) fn same_host(a: &str, b: &str) -> bool {
    let host = |u: &str| {
        let key = link_key(u);
        key.split(['/', '?', '#']).next().unwrap_or("").to_owned()
    };
    host(a) == host(b)
}

/// A URL as compared with another: no scheme, no `www.`, escapes decoded, no trailing slash, and
/// the host in lower case.
pub(super) fn link_key(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let decoded: String = percent_encoding::percent_decode_str(rest)
        .decode_utf8_lossy()
        .replace(SOFT_BREAK, "-");
    let (host, path) = match decoded.find(['/', '?', '#']) {
        Some(i) => decoded.split_at(i),
        None => (decoded.as_str(), ""),
    };
    format!("{}{}", host.to_ascii_lowercase(), path)
        .trim_end_matches('/')
        .to_owned()
}

/// Lines of one column joined into text: a URL wrapped over lines is one URL again.
pub(super) fn join_lines(lines: &[Line]) -> String {
    let right = right_edge(lines);
    let mut text = String::new();
    let mut full = true;
    for line in lines {
        let t = line.text();
        if text.is_empty() {
            text = t;
        } else {
            text = join_wrapped(&text, &t, full);
        }
        full = line.x1() >= right - line.size * 2.5;
    }
    text
}

/// Where the lines' column ends on the right: its widest line.
pub(super) fn right_edge(lines: &[Line]) -> f64 {
    lines.iter().map(Line::x1).fold(f64::MIN, f64::max)
}

/// A URL printed in the text, with its de-hyphenated alternative when a line break fell on a hyphen.
pub(super) struct Printed {
    pub(super) url: String,
    pub(super) alternative: Option<String>,
}

/// Marks a hyphen that ended a line inside a URL.
pub(super) const SOFT_BREAK: char = '\u{00AD}';

/// URLs printed in text, split from words glued before their scheme (`syfthttps://…`): web and FTP
/// addresses, with a scheme or starting `www.` (kept as printed). Other schemes printed in a PDF
/// (`tcp://10.96.0.1:443`, `s3://bucket`) are examples of addresses, not links.
pub(super) fn printed_urls(text: &str) -> Vec<Printed> {
    let text = unglue_schemes(text);
    let mut found: Vec<(usize, &str)> = bare_urls(&text)
        .filter(|&(at, url)| {
            // An elided URL ("https://oss-fuzz.com/...") is an example, not a link; a host without a
            // dot is a URL run into the next line's words.
            let after = &text[at + url.len()..];
            let host = url.split_once("://").map_or("", |(_, rest)| {
                rest.split(['/', '?', '#']).next().unwrap_or("")
            });
            let scheme = url.split_once("://").map_or("", |(s, _)| s);
            ["http", "https", "ftp"].contains(&scheme.to_ascii_lowercase().as_str())
                && !after.starts_with("...")
                && !after.starts_with('\u{2026}')
                && host.contains('.')
        })
        .collect();
    // Addresses printed without a scheme, kept as printed: `www.` and a host; or a bare host under
    // a common top-level domain (`transparenzranking.de`, `transparenz.hamburg.de/das-hmbtg`), as
    // German and other European print often gives them (`Uri::parse_printed` reads them).
    let mut bare: Vec<(usize, &str)> = Vec::new();
    if may_hold_address(&text) {
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        finder.url_must_have_scheme(false);
        for link in finder.links(&text) {
            let url = link.as_str();
            let preceded = text[..link.start()].ends_with(['/', '.', '@', ':', '-', '_']);
            if url.contains("://") || preceded {
                continue;
            }
            if url.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("www."))
                && url[4..].contains('.')
            {
                found.push((link.start(), url));
            } else if crate::uri::is_bare_host(url) {
                bare.push((link.start(), url));
            }
        }
        found.sort_by_key(|&(at, _)| at);
    }
    found
        .into_iter()
        .map(|(_, url)| {
            if url.contains(SOFT_BREAK) {
                Printed {
                    url: url.replace(SOFT_BREAK, "-"),
                    alternative: Some(url.replace(SOFT_BREAK, "")),
                }
            } else {
                Printed {
                    url: url.to_owned(),
                    alternative: None,
                }
            }
        })
        .filter(|p| !p.url.ends_with("://"))
        .chain(bare.into_iter().map(|(_, url)| Printed {
            url: url.replace(SOFT_BREAK, "-"),
            alternative: None,
        }))
        .collect()
}

/// Whether a text may hold an address without a scheme: `www.`, or a dot before one of
/// [`crate::uri::BARE_TLDS`] that ends its word. A cheap look before the finder reads the whole text again.
fn may_hold_address(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'.', bytes).any(|at| {
        let rest = &bytes[at + 1..];
        let word = rest
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(rest, |end| &rest[..end]);
        at >= 3 && bytes[at - 3..at].eq_ignore_ascii_case(b"www")
            || crate::uri::BARE_TLDS
                .iter()
                .any(|tld| tld.as_bytes() == word)
    })
}

pub(super) static GLUED_SCHEME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z0-9])(https?://|ftp://)").expect("glued scheme regex"));

pub(super) fn unglue_schemes(text: &str) -> std::borrow::Cow<'_, str> {
    GLUED_SCHEME.replace_all(text, "$1 $2")
}

/// Whether a word ends with a percent escape (`…Protection%20`): a URL broken after an escaped space.
pub(super) fn ends_with_escape(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 3 && b[b.len() - 3] == b'%' && b[b.len() - 2..].iter().all(u8::is_ascii_hexdigit)
}

/// Joins a continuation line; a URL broken at the end of a line goes on without a space. `full` says
/// whether the line before ran to the margin. A break at a hyphen inside a URL leaves `SOFT_BREAK`
/// in the hyphen's place, for `printed_urls` to read both ways.
pub(super) fn join_wrapped(text: &str, next: &str, full: bool) -> String {
    let last = text.split_whitespace().next_back().unwrap_or("");
    let first = next.split_whitespace().next().unwrap_or("");
    // A URL cut after a separator goes on whatever follows; one cut elsewhere, if the next line does
    // not start a sentence.
    let cut_at_separator = last.ends_with(['/', '_', '=', '?', '&', '#', '%', '+', '~'])
        || ends_with_escape(last)
        // A URL breaks before a separator as well as after one (`…/2023/05` then `-11/…`).
        || first.starts_with(['-', '/', '%', '_', '?', '&', '=', '#', '~']);
    let cut_at_hyphen = last.ends_with('-');
    // Cut mid-word only where the line ran to the margin: a short line ended with its URL.
    let cut_mid_word = full
        && !last.ends_with([',', ';', ')', '>', '"', '\u{201d}'])
        && first
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || c == '/');
    let is_url = last.contains("://")
        || last
            .get(..4)
            .is_some_and(|w| w.eq_ignore_ascii_case("www."));
    // A host broken after a dot (`http://blog.okfn.` then `org/2012/…`).
    let cut_in_host = last.ends_with('.')
        && !last
            .split_once("://")
            .map_or(last, |(_, rest)| rest)
            .contains('/')
        && first.split_once('/').is_some_and(|(tld, _)| {
            (2..=6).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_lowercase())
        });
    let url_continues = is_url
        && !last.ends_with("...")
        && !last.ends_with('\u{2026}')
        && !first.is_empty()
        && !first.contains("://")
        && !first.starts_with(['(', '[', '\u{201c}', '"'])
        && (cut_at_separator || cut_at_hyphen || cut_mid_word || cut_in_host);
    if !url_continues {
        // A number broken at a hyphen ("2024-" then "08-01.") is one word again.
        let digit_hyphen = last.len() >= 2
            && last.ends_with('-')
            && last[..last.len() - 1].ends_with(|c: char| c.is_ascii_digit())
            && first.starts_with(|c: char| c.is_ascii_digit());
        if digit_hyphen {
            return format!("{}{}", text.trim_end(), next.trim_start());
        }
        return format!("{} {}", text.trim_end(), next.trim_start());
    }
    if last.ends_with('.') && !cut_mid_word && !cut_in_host {
        // "…/x." then "Next sentence": the dot ended the sentence.
        return format!("{} {}", text.trim_end(), next.trim_start());
    }
    if cut_at_hyphen {
        let head = text.trim_end().strip_suffix('-').unwrap_or(text.trim_end());
        return format!("{head}{SOFT_BREAK}{}", next.trim_start());
    }
    format!("{}{}", text.trim_end(), next.trim_start())
}
