//! Citation fields read from a footnote's plain text: authors, title, publication, date.
//!
//! Footnotes in briefs and reports follow a handful of styles (Chicago notes most of all):
//! `Author, "Title," *Publication*, Month D, YYYY, <URL>`. The title is the first quoted span, the
//! authors are what precedes it, the publication is the italic span (or, in plain text, what sits
//! between the title and the date), and the date is the first date written outside a URL that is not an
//! access date.

use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{Month, NaiveDate};

use super::collapse_whitespace;
use regex::Regex;

/// The fields found in one footnote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CitationFields {
    pub title: Option<String>,
    pub publication: Option<String>,
    pub date: Option<String>,
    pub accessed: Option<String>,
    pub authors: Vec<String>,
}

/// Month names, capitalised or not ("November", "nov."): written out rather than `(?i)`, which would
/// spoil the regex's literal prefilter and cost more than everything else in a footnote.
const MONTH: &str = r"(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]une?|[Jj]uly?|[Aa]ug(?:ust)?|[Ss]ep(?:t(?:ember)?)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)";

/// Every date style we read, as one alternation so that the earliest date in the text wins. Word
/// boundaries are ASCII ones: Unicode `\b` makes the fast engines give up on text with curly quotes.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?x)
        (?-u:\b)(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})(?-u:\b)
        | (?-u:\b)(?P<mdm>{MONTH})\.?\s+(?P<mdd>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy>\d{{4}})(?-u:\b)
        | (?-u:\b)(?P<dmd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<dmm>{MONTH})\.?,?\s+(?P<dmy>\d{{4}})(?-u:\b)
        | (?-u:\b)(?P<mym>{MONTH})\.?,?\s+(?P<myy>\d{{4}})(?-u:\b)
        "
    ))
    .expect("date regex")
});

/// Words that mark a date as the day the author looked, not the day it was published.
static ACCESSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:accessed|retrieved|viewed|visited|consulted|last\s+checked)(?:\s+on)?[\s:,]*$",
    )
    .expect("accessed regex")
});

/// The first quoted span: curly, straight or guillemets.
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"“[^”]+”|"[^"]+"|«[^»]+»|„[^“”]+[“”]"#).expect("quote regex"));

static AUTHOR_SPLIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*(?:;|&|\band\b)\s*").expect("author split regex"));

/// Reads the citation fields of a footnote's `text`; `emphasis` is its first italic span, if any.
pub fn parse(text: &str, emphasis: Option<&str>) -> CitationFields {
    // Dates and quotes inside URLs (…/2020/11/19/…) are not the citation's.
    let blanked = blank_urls(text);
    let mut fields = CitationFields::default();

    let title_span = QUOTED.find(&blanked).map(|m| {
        // The match is the quoted span: drop the opening and closing quote characters.
        let mut inner = m.as_str().chars();
        inner.next();
        inner.next_back();
        (m.start(), m.end(), clean_title(inner.as_str()))
    });
    if let Some((_, _, ref title)) = title_span
        && !title.is_empty()
    {
        fields.title = Some(title.clone());
    }

    let (date, date_start) = find_dates(&blanked, &mut fields.accessed);
    fields.date = date;

    if let Some((start, end, _)) = title_span {
        fields.authors = parse_authors(&blanked[..start]);
        fields.publication = emphasis
            .map(clean_segment)
            .filter(|p| !p.is_empty())
            .or_else(|| {
                // Plain style: "Title," Publication, Month D, YYYY
                let stop = date_start.filter(|&d| d >= end).unwrap_or(blanked.len());
                plausible_publication(&blanked[end..stop])
            });
    } else {
        fields.publication = emphasis.map(clean_segment).filter(|p| !p.is_empty());
    }
    fields
}

/// The first date written in `text` (ISO 8601), access dates aside.
pub fn find_date(text: &str) -> Option<String> {
    find_dates(&blank_urls(text), &mut None).0
}

/// Finds the citation date (the first date that is not an access date) and its offset; access dates go
/// to `accessed`.
fn find_dates(text: &str, accessed: &mut Option<String>) -> (Option<String>, Option<usize>) {
    // Every date style holds a four-digit year, and no date starts more than ~30 bytes before its
    // year: start searching there rather than at the title. `find_at` keeps the text before the start
    // in view, so word boundaries are judged as in a search of the whole text. Finding is much cheaper
    // than capturing: capture groups only within each match.
    let Some(year) = text
        .as_bytes()
        .windows(4)
        .position(|w| w.iter().all(u8::is_ascii_digit))
    else {
        return (None, None);
    };
    let mut at = year.saturating_sub(32);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    while let Some(whole) = DATE.find_at(text, at) {
        at = whole.end();
        let Some(iso) = DATE.captures(whole.as_str()).as_ref().and_then(iso_date) else {
            continue;
        };
        if ACCESSED.is_match(tail(&text[..whole.start()], 40)) {
            if accessed.is_none() {
                *accessed = Some(iso);
            }
            continue;
        }
        return (Some(iso), Some(whole.start()));
    }
    (None, None)
}

fn iso_date(caps: &regex::Captures<'_>) -> Option<String> {
    // Groups by index (names cost a hash lookup each): 1-3 y-m-d, 4-6 month day year,
    // 7-9 day month year, 10-11 month year.
    let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let month = |i: usize| caps.get(i).and_then(|m| month_number(m.as_str()));
    let (year, month, day) = if let Some(y) = num(1) {
        (y, num(2)?, Some(num(3)?))
    } else if let Some(y) = num(6) {
        (y, month(4)?, Some(num(5)?))
    } else if let Some(y) = num(9) {
        (y, month(8)?, Some(num(7)?))
    } else {
        (num(11)?, month(10)?, None)
    };
    // chrono validates the calendar (no February 30); the ISO text is written directly.
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day.unwrap_or(1))?;
    Some(match day {
        Some(day) => format!("{year:04}-{month:02}-{day:02}"),
        None => format!("{year:04}-{month:02}"),
    })
}

fn month_number(name: &str) -> Option<u32> {
    // chrono reads "November" and "Nov" in any case; "Sept" is read by its first three letters.
    let name = if name.len() > 3 && Month::from_str(name).is_err() {
        &name[..3]
    } else {
        name
    };
    Month::from_str(name).ok().map(|m| m.number_from_month())
}

/// The last `max` bytes of `s` (or a little more, to keep to a character boundary).
fn tail(s: &str, max: usize) -> &str {
    let mut start = s.len().saturating_sub(max);
    while !s.is_char_boundary(start) {
        start -= 1;
    }
    &s[start..]
}

/// Replaces URLs with spaces of the same length so offsets stay valid.
/// A URL here is a scheme, `://` and everything up to the next whitespace (with a leading `<`).
fn blank_urls(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for sep in memchr::memmem::find_iter(bytes, b"://") {
        let scheme_start = bytes[..sep]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')))
            .map_or(0, |i| i + 1);
        if scheme_start == sep || !bytes[scheme_start].is_ascii_alphabetic() {
            continue;
        }
        let start = if scheme_start > 0 && bytes[scheme_start - 1] == b'<' {
            scheme_start - 1
        } else {
            scheme_start
        };
        let end = bytes[sep..]
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .map_or(bytes.len(), |i| sep + i);
        if spans.last().is_some_and(|&(_, e)| start < e) {
            continue; // inside the previous URL
        }
        spans.push((start, end));
    }
    if spans.is_empty() {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in spans {
        out.push_str(&text[last..start]);
        out.extend(std::iter::repeat_n(' ', end - start));
        last = end;
    }
    out.push_str(&text[last..]);
    out.into()
}

fn clean_title(title: &str) -> String {
    let collapsed = collapse_whitespace(title);
    collapsed
        .trim()
        .trim_end_matches([',', ';', ':', '.'])
        .trim()
        .to_owned()
}

fn clean_segment(s: &str) -> String {
    collapse_whitespace(s)
        .trim_matches(|c: char| c.is_whitespace() || ",;:.".contains(c))
        .to_owned()
}

fn plausible_publication(segment: &str) -> Option<String> {
    let cleaned = clean_segment(segment);
    let ok = !cleaned.is_empty()
        && cleaned.chars().count() <= 80
        && !cleaned.chars().any(|c| c.is_ascii_digit())
        && !cleaned.contains(['<', '>', '“', '”', '"']);
    ok.then_some(cleaned)
}

/// Authors are what precedes the title: "Naveed Siddiqui," or "Jane Doe and John Roe,".
fn parse_authors(prefix: &str) -> Vec<String> {
    let cleaned = clean_segment(prefix);
    if cleaned.is_empty()
        || cleaned.chars().count() > 200
        || cleaned.chars().any(|c| c.is_ascii_digit())
        || !cleaned.chars().next().is_some_and(char::is_alphabetic)
    {
        return Vec::new();
    }
    let mut authors: Vec<String> = Vec::new();
    for part in AUTHOR_SPLIT.split(&cleaned) {
        // "Jane Doe, John Roe" lists several names; "Doe, Jane" is one name written surname first.
        let pieces: Vec<&str> = part
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.len() > 1 && pieces.iter().all(|p| p.split_whitespace().count() >= 2) {
            authors.extend(pieces.iter().map(|p| (*p).to_owned()));
        } else if !part.trim().is_empty() {
            authors.push(clean_segment(part));
        }
    }
    authors.retain(|a| !a.is_empty() && !a.eq_ignore_ascii_case("et al"));
    authors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_footnote_with_author() {
        let f = parse(
            "Naveed Siddiqui, “Pakistan will do everything possible to reduce violence in Afghanistan, says PM Imran on maiden Kabul visit”, Dawn, November 19, 2020, https://www.dawn.com/news/1591240/x",
            Some("Dawn"),
        );
        assert_eq!(
            f.title.as_deref(),
            Some(
                "Pakistan will do everything possible to reduce violence in Afghanistan, says PM Imran on maiden Kabul visit"
            )
        );
        assert_eq!(f.authors, vec!["Naveed Siddiqui"]);
        assert_eq!(f.publication.as_deref(), Some("Dawn"));
        assert_eq!(f.date.as_deref(), Some("2020-11-19"));
    }

    #[test]
    fn comma_inside_quotes_is_dropped() {
        let f = parse(
            r#""Imran vows to help stem Afghan bloodshed," Express Tribune, November 19, 2020"#,
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Imran vows to help stem Afghan bloodshed")
        );
        assert_eq!(f.publication.as_deref(), Some("Express Tribune"));
        assert!(f.authors.is_empty());
    }

    #[test]
    fn no_title_only_date() {
        let f = parse(
            "https://twitter.com/US4AfghanPeace/status/1330568973168107526, November 22, 2020.",
            None,
        );
        assert_eq!(f.title, None);
        assert_eq!(f.publication, None);
        assert_eq!(f.date.as_deref(), Some("2020-11-22"));
    }

    #[test]
    fn date_styles() {
        let d = |s: &str| parse(s, None).date;
        assert_eq!(d("19 November 2020"), Some("2020-11-19".into()));
        assert_eq!(d("2020-11-19"), Some("2020-11-19".into()));
        assert_eq!(d("Nov. 2020"), Some("2020-11".into()));
        assert_eq!(d("Sept. 3, 2019"), Some("2019-09-03".into()));
        assert_eq!(d("March 3rd, 2021"), Some("2021-03-03".into()));
        assert_eq!(d("February 30, 2021"), None);
        assert_eq!(d("see https://example.com/2020-11-19/story"), None);
        assert_eq!(d("a book, 1998"), None);
        // A long title before the date, and a day of two digits that a search starting mid-number
        // would misread.
        let long = format!("\"{}\", 12th November 2020", "word ".repeat(20));
        assert_eq!(d(&long), Some("2020-11-12".into()));
        assert_eq!(
            d("see https://x.org/a<b>2020 and November 3, 2021"),
            Some("2021-11-03".into())
        );
    }

    #[test]
    fn access_date_is_not_the_citation_date() {
        let f = parse(
            r#""A report," Dawn, accessed March 3, 2021, https://x.org; published May 2, 2020"#,
            None,
        );
        assert_eq!(f.accessed.as_deref(), Some("2021-03-03"));
        assert_eq!(f.date.as_deref(), Some("2020-05-02"));
    }

    #[test]
    fn abbreviated_access_date_with_zero_padded_day() {
        let f = parse(
            r#"J. Doe, "Hardening," OpenSSF, 2021. [Online]. Available: https://x.org/a (accessed Apr. 06, 2022)."#,
            None,
        );
        assert_eq!(f.accessed.as_deref(), Some("2022-04-06"));
        assert_eq!(f.date, None);
    }

    #[test]
    fn iso_dates_without_padding() {
        assert_eq!(find_date("Released 2022-12-8."), Some("2022-12-08".into()));
        assert_eq!(find_date("on 2022-1-30"), Some("2022-01-30".into()));
        assert_eq!(find_date("2022-13-08"), None);
        assert_eq!(find_date("version 2022-123-8"), None);
    }

    #[test]
    fn several_authors() {
        let f = parse(
            r#"Jane Doe and John Roe, "Water wars," Foreign Affairs, May 2019"#,
            None,
        );
        assert_eq!(f.authors, vec!["Jane Doe", "John Roe"]);
        let f = parse(r#"Jane Doe, John Roe, Ann Poe, "Water wars," 2019"#, None);
        assert_eq!(f.authors, vec!["Jane Doe", "John Roe", "Ann Poe"]);
        let f = parse(r#"Doe, Jane. "Water wars." 2019"#, None);
        assert_eq!(f.authors, vec!["Doe, Jane"]);
    }

    #[test]
    fn interview_without_quotes() {
        let f = parse(
            "Interview with a senior official, Islamabad, 12 October 2020.",
            None,
        );
        assert_eq!(f.title, None);
        assert!(f.authors.is_empty());
        assert_eq!(f.date.as_deref(), Some("2020-10-12"));
    }
}
