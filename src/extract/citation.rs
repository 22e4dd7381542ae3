//! Citation fields read from a footnote's plain text: authors, title, publication, date, accessed,
//! volume, pages and DOI.
//!
//! Footnotes and reference lists follow a handful of styles: Chicago notes and bibliography, APA,
//! Harvard, MLA, Vancouver, IEEE, Bluebook and the web citations of policy briefs
//! (`Author, "Title," *Publication*, Month D, YYYY, <URL>`). Rather than one pattern per style, the text
//! is read in the order all of them share: a citation number, the authors, (a date), the title, the
//! container (journal, site, book, publisher), volume and pages, a date.
//!
//! - A quoted title, or the text of the footnote's link (Markdown), is certain. Without one, the title
//!   is the segment after the authors (to the next full stop), and is marked `title_guessed`: drift
//!   never compares a guessed title with the live page.
//! - The date is the first full date outside URLs that is not an access date; failing that, a year: the
//!   one in parentheses (APA, Harvard), else the one just after the authors, else the last one.
//! - Fields the text does not support are left out. Developed against AnyStyle's labelled references
//!   (`benches/citations.py`), without a model file: the parser is a single left-to-right pass over at
//!   most [`MAX_LEN`] bytes, with no backtracking regex.

use std::str::FromStr;
use std::sync::LazyLock;

use rayon::prelude::*;

use chrono::{Month, NaiveDate};

use super::collapse_whitespace;
use regex::Regex;

/// The fields found in one footnote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CitationFields {
    pub title: Option<String>,
    /// The title was inferred from the text's layout, not marked by quotes, a link or the document's
    /// structure: good enough to name the work, not to warn that the page has changed.
    pub title_guessed: bool,
    pub publication: Option<String>,
    /// ISO 8601: "2020-11-19", "2020-11", or "2020" when only the year is given.
    pub date: Option<String>,
    pub accessed: Option<String>,
    pub authors: Vec<String>,
    pub volume: Option<String>,
    pub pages: Option<String>,
    pub doi: Option<String>,
}

/// Only the start of a footnote is read for citation fields: a citation is a few hundred bytes, and a
/// footnote of essay length must not cost more than a citation's worth.
pub const MAX_LEN: usize = 2048;

/// Month names, capitalised or not ("November", "nov."): written out rather than `(?i)`, which would
/// spoil the regex's literal prefilter and cost more than everything else in a footnote.
const MONTH: &str = r"(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]une?|[Jj]uly?|[Aa]ug(?:ust)?|[Ss]ep(?:t(?:ember)?)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?|Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|[Jj]anvier|[Ff]évrier|[Aa]vril|[Jj]uin|[Jj]uillet|[Aa]oût|[Ss]eptembre|[Oo]ctobre|[Nn]ovembre|[Dd]écembre|[Ee]nero|[Ff]ebrero|[Mm]arzo|[Aa]bril|[Mm]ayo|[Jj]unio|[Jj]ulio|[Aa]gosto|[Ss]eptiembre|[Oo]ctubre|[Nn]oviembre|[Dd]iciembre)";

/// Month names in German, French and Spanish, for notes in those languages ("Mai 2012",
/// "10 décembre 2021", "5 de mayo de 2019"). English names are chrono's.
const FOREIGN_MONTHS: &[(&str, u32)] = &[
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("janvier", 1),
    ("février", 2),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
];

/// Every date style we read, as one alternation so that the earliest date in the text wins. APA
/// writes the year first, in parentheses: "(2014, June 27)", "(1996, September)". A bimonthly
/// magazine dates an issue by two months: "September/October 2015", "May–June 2016". Word
/// boundaries are ASCII ones: Unicode `\b` makes the fast engines give up on text with curly quotes.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?x)
        (?-u:\b)(?P<iy>[0-9]{{4}})-(?P<im>[0-9]{{1,2}})-(?P<id>[0-9]{{1,2}})(?-u:\b)
        | (?-u:\b)(?P<mdm>{MONTH})\.?\s+(?P<mdd>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy>[0-9]{{4}})(?-u:\b)
        | (?-u:\b)(?P<dmd>[0-9]{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?P<dmm>{MONTH})\.?,?\s+(?:de\s+)?(?P<dmy>[0-9]{{4}})(?-u:\b)
        | (?-u:\b)(?P<mym>{MONTH})\.?(?:\s?[/–-]\s?{MONTH}\.?)?,?\s+(?:de\s+)?(?P<myy>[0-9]{{4}})(?-u:\b)
        | \((?P<apy>[0-9]{{4}}),\s+(?P<apm>{MONTH})\.?(?:\s+(?P<apd>[0-9]{{1,2}}))?\)
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
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"“[^”]+”|"[^"]+"|«[^»]+»|„[^“”]+[“”]|``(?:[^']|'[^'])+''|‘[^‘’]+’[.,:;]|(?:^|\s)'[^']+'[.,:;]"#)
        .expect("quote regex")
});

static AUTHOR_SPLIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*(?:;|&|\band\b|\bund\b)\s*").expect("author split regex"));

/// Reads the citation fields of a footnote's `text`; `emphasis` is its first italic span, if any.
pub fn parse(text: &str, emphasis: Option<&str>) -> CitationFields {
    parse_with_link(text, emphasis, None)
}

/// As [`parse`], with the text of the footnote's first link (`[Title](https://…)` in Markdown): the
/// title when the footnote quotes none.
pub fn parse_with_link(
    text: &str,
    emphasis: Option<&str>,
    link_text: Option<&str>,
) -> CitationFields {
    let text = super::prefix(text, MAX_LEN);
    // Dates and quotes inside URLs (…/2020/11/19/…) are not the citation's.
    let blanked = blank_urls(text);
    let mut fields = CitationFields {
        doi: find_doi(text),
        ..CitationFields::default()
    };
    let (date, date_start) = find_dates(&blanked, &mut fields.accessed);
    fields.date = date;
    let body = skip_citation_number(&blanked);
    let body = body + lead_in(&blanked[body..]);
    // "Ibid., p. 4.", "Id. at 485." (Chicago, Bluebook): the work is the previous note's; this note
    // names none.
    let opening = blanked[body..].trim_start();
    if ["Ibid", "ibid", "Id.", "Id,", "Idem"]
        .iter()
        .any(|w| opening.starts_with(w))
        || opening == "Id"
    {
        return fields;
    }
    // Bluebook italicises its signals and "Id.", and every style "et al.": such a run names no work.
    let emphasis = emphasis
        .map(clean_segment)
        .filter(|p| !p.is_empty() && !is_filler(p) && lead_in(p) == 0);

    // A title set off by quotes or a link: certain. A quoted span is the title where a title stands:
    // first, or after the authors (and date); not a phrase quoted inside an unquoted title ("Blood and
    // Soil: … Hitler’s “Green Party”.") nor a journal quoted after it.
    let linked = link_text.and_then(|text| link_title(&blanked, text));
    let marked = QUOTED
        .find_iter(&blanked)
        .next()
        // "[Programming languages — C ("C17")](…)": the link's text is the title, not the quote in it.
        .filter(|m| {
            !linked
                .as_ref()
                .is_some_and(|l| m.start() > l.0 && m.start() < l.1)
        })
        .filter(|m| m.start() >= body)
        .and_then(|m| Some((m, authors_before(&blanked[body..m.start()])?)))
        .map(|(m, authors)| {
            // The match is the quoted span: drop the opening and closing quote characters.
            let mut inner = m.as_str().trim_end_matches(['.', ',', ':', ';']).chars();
            inner.next();
            inner.next_back();
            let inner = inner
                .as_str()
                .trim_start_matches(['`', '\''])
                .trim_end_matches('\'');
            (m.start(), m.end(), clean_title(inner), Some(authors))
        })
        .filter(|(_, _, t, _)| !t.is_empty())
        .or(linked.map(|(start, end, title)| (start, end, title, None)));

    let mut apa_group = false;
    let after_title = if let Some((start, end, title, authors)) = marked {
        // “Behind the Store”: Montreal Shopkeeping …; « La « société civile » dans …: the quotes hold
        // only part of the title. Kept, but not trusted to compare with the page.
        let after = blanked[end..].trim_start();
        let partial = after.starts_with(':')
            || after.starts_with("- ")
            || after.starts_with("– ")
            || title.contains(['«', '“', '„']);
        fields.title_guessed = partial;
        fields.title = Some(title);
        fields.authors = match authors {
            Some(authors) => authors,
            None if start >= body => authors_before(&blanked[body..start]).unwrap_or_default(),
            None => Vec::new(),
        };
        // Plain style: "Title," Publication, Month D, YYYY
        let stop = date_start.filter(|&d| d >= end).unwrap_or(blanked.len());
        // An italic word inside the title ("[Hardening *Modes*](…)") is not the publication.
        let emphasis = emphasis.filter(|e| !fields.title.as_ref().is_some_and(|t| t.contains(e)));
        // Up to the date, or to the first URL (blanked: a run of spaces).
        let url = text.get(end..).and_then(|t| t.find("://")).map(|u| {
            text[end..end + u]
                .rfind(|c: char| c.is_whitespace() || c == '<')
                .map_or(end, |w| end + w)
        });
        let (after_quote, dated) = match (date_start.filter(|&d| d >= end), url) {
            (Some(d), _) => (&blanked[end..d], true),
            (None, Some(u)) => (&blanked[end..u], true),
            (None, None) => (&blanked[end..stop], false),
        };
        fields.publication = match emphasis {
            Some(e) => Some(e),
            None => match quoted_title_tail(after_quote, dated) {
                Some((author, publication)) => {
                    if fields.authors.is_empty()
                        && let Some(author) = author
                    {
                        fields.authors = vec![author];
                    }
                    publication
                }
                None => container(after_quote),
            },
        };
        end
    } else if let Some(end) = bluebook(&blanked[body..], emphasis.as_deref(), &mut fields) {
        body + end
    } else {
        'plain: {
            let rest = &blanked[body..];
            // "Understanding Kubernetes Objects, https://…": a note of one comma piece and a URL,
            // as white papers and advisories list the pages they rely on, names the page. A person
            // alone would name no work; an organisation alone ("World Bank, https://…") is its site.
            if emphasis.is_none()
                && date_start.is_none()
                && let Some(comma) = rest.find(',')
                && rest[comma + 1..].trim().trim_end_matches('.').is_empty()
                && text
                    .get(body + comma + 1..)
                    .is_some_and(|url| url.contains("://") || url.contains("www."))
                && let piece = &rest[..comma]
                && !piece.contains([';', '(', '['])
                && !is_organisation(&clean_segment(piece))
                && let title = clean_title(piece.trim())
                && title.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && title.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
            {
                fields.title = Some(title);
                fields.title_guessed = true;
                break 'plain body + comma;
            }
            // An italic run (Chicago, MLA: the title of a book, report or site; APA: the journal) is
            // never part of the author list.
            let italic_at = emphasis.as_deref().and_then(|e| find_words(rest, e));
            let (mut authors, mut after_authors, comma_style) =
                parse_authors(&rest[..italic_at.unwrap_or(rest.len())], false);
            // "Ghost Stories. Ed. Peter Washington.", "Being There. Dir, Hal Ashby.": MLA names a film's
            // or an edited book's title first, then its director or editor.
            if !rest[..after_authors].contains([',', ';'])
                && [
                    "Ed. ",
                    "Eds. ",
                    "Dir. ",
                    "Dir, ",
                    "Perf. ",
                    "Prod. ",
                    "Trans. ",
                    "Edited by ",
                    "Directed by ",
                    "Translated by ",
                ]
                .iter()
                .any(|w| rest[after_authors..].trim_start().starts_with(w))
            {
                authors.clear();
                after_authors = 0;
            }
            if authors.is_empty()
                && let Some((org, after)) = organisation(rest)
            {
                authors = vec![org];
                after_authors = after;
            }
            // "Institut für Gesetzesabschätzung und Evaluation: Evaluation des Gesetzes …": a
            // corporate author before a colon, as German (DIN 1505) and other European notes write
            // "Author: Title".
            if authors.is_empty()
                && let Some(colon) = rest.find(": ").filter(|&c| c <= 120)
                && let name = clean_segment(&rest[..colon])
                && !rest[..colon].contains([',', ';', '('])
                && is_organisation(&name)
                && rest[colon + 2..].starts_with(char::is_uppercase)
                && italic_at.is_none_or(|p| p > colon)
            {
                authors = vec![name];
                after_authors = colon + 1;
            }
            // Chicago, web citations: a corporate author opens the note, before the title in italics
            // ("Ministry of Health. *Annual Report*.") or the next comma piece ("National Bureau of
            // Statistics, Tanzania in Figures 2012, June 2013, https://…").
            if authors.is_empty()
                && let Some(end) = rest
                    .find([',', '.'])
                    .filter(|&e| rest[e + 1..].starts_with(' '))
                && let name = clean_segment(&rest[..end])
                && is_organisation(&name)
                && !name
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w != "The" && TITLE_WORDS.contains(&w))
                && italic_at.is_none_or(|p| p > end)
                && (italic_at.is_some() || rest.as_bytes()[end] == b',')
                // "Ministry of Water Resources, Works and Housing of Ghana, …": the name goes on.
                && name_list(&rest[end + 2..]).is_none()
                && !continues_a_list(&rest[end + 2..])
            {
                authors = vec![name];
                after_authors = end + 1;
            }
            // APA: a group author ("Coeliac UK. (2014, June 27).", "Wikipedia. (n.d.).") is the site
            // or publisher of the work; a person is written "Booth, S.".
            apa_group = matches!(authors.as_slice(), [a] if !a.contains(',')
            && a.split_whitespace().all(|w| match classify(w) {
                Word::Name | Word::Particle | Word::Connector => true,
                // "UK", "ODI": an acronym, not an initial.
                Word::Initial => !w.ends_with('.') && w.len() >= 2,
                _ => ["of", "for", "the", "on"].contains(&w),
            })) && rest[..after_authors].ends_with('.')
                && rest[after_authors..].trim_start().starts_with('(')
                && leading_year(&rest[after_authors..]).is_some();
            fields.authors = authors;
            let mut at = after_authors;
            if let Some(len) = leading_year(&rest[at..]) {
                if fields.date.is_none() {
                    fields.date = year_in(&rest[at..at + len]);
                }
                at += len;
            }
            // APA without an author: "History of Coeliac UK. (n.d.). Retrieved September 30, 2015, from
            // Coeliac UK: https://…": the title stands where the author would, and an access note
            // follows the date.
            if let [title] = fields.authors.as_slice()
                && at > after_authors
                && !title.contains(',')
                && [
                    "Retrieved ",
                    "Accessed ",
                    "Available ",
                    "Viewed ",
                    "Consulted ",
                ]
                .iter()
                .any(|w| rest[at..].trim_start().starts_with(w))
            {
                fields.title = Some(title.clone());
                fields.title_guessed = true;
                fields.authors.clear();
                apa_group = false;
                break 'plain body + at;
            }
            // "Ascasibar Y., Markevitch M., 2006, ApJ, 650, 102": physics and astronomy name the journal
            // and volume, and no title.
            if !fields.authors.is_empty()
                && let Some(caps) = JOURNAL_ONLY.captures(&rest[at..])
                && let Some(name) = caps.get(1)
                && (name.as_str().contains('.') || !name.as_str().contains(' '))
                // "Coeliac UK. Retrieved September 30, 2015": a month and day, not a journal and volume.
                && !name
                    .as_str()
                    .rsplit(' ')
                    .next()
                    .is_some_and(|w| w.len() >= 4 && is_month(w.trim_end_matches('.')))
            {
                fields.publication = Some(clean_keeping_abbreviation(name.as_str()));
                if fields.date.is_none() {
                    fields.date = caps.get(2).map(|y| y.as_str().to_owned());
                }
                break 'plain body + at + name.end();
            }
            let (mut title_len, mut next, mut stopped) = title_extent(&rest[at..]);
            // A full date ends the title: "Interview with an official, Islamabad, 12 October 2020."
            if let Some(d) = date_start.and_then(|d| d.checked_sub(body + at))
                && d < title_len
            {
                title_len = d;
                next = d;
                // Web citations: "Title, Publisher, January 2015, https://…": the comma piece before
                // the date of a web page names its publisher (taken below).
                stopped = rest[at..at + d].trim_end().ends_with(',')
                    && text
                        .get(body + at + d..)
                        .is_some_and(|t| t.contains("://") || t.contains("www."));
            } else if date_start
                .and_then(|d| d.checked_sub(body + at + title_len))
                .is_some_and(|d| d <= 3)
            {
                stopped = false; // stopped at the date, not at a volume
            }
            // "The authentic heart. An eightfold path to midlife love. New York: Wiley.": a subtitle after
            // the full stop, when an imprint or "In" follows it.
            if !stopped
                && next == title_len + 1
                && rest.as_bytes().get(at + title_len) == Some(&b'.')
                && let Some((len, after)) = subtitle(&rest[at + next..])
                && date_start.is_none_or(|d| d >= body + at + next + len)
            {
                title_len = next + len;
                next += after;
            }
            // Chicago, MLA: an italic run where the title stands is the title; one further on, inside
            // the guessed title, ends it (it is the journal or site).
            let mut italic_title = false;
            if let Some(e) = emphasis.as_deref()
                && let Some(p) = italic_at.and_then(|p| p.checked_sub(at))
            {
                let lead = rest[at..at + p]
                    .trim_matches(|c: char| c.is_whitespace() || ",;:.(".contains(c));
                if lead.is_empty() {
                    italic_title = true;
                    title_len = p + e.len();
                    next = title_len;
                    stopped = false;
                } else if p < title_len {
                    title_len = p;
                    next = p;
                    stopped = false;
                }
            }
            let title = rest[at..at + title_len]
                .trim_start_matches(|c: char| c.is_whitespace() || ",;:.".contains(c));
            let mut title = clean_title(title);
            let mut publication = if italic_title { None } else { emphasis };
            // "Robot Vision, MIT Press.": a comma piece naming a publisher or journal ends the title.
            if publication.is_none()
                && !italic_title
                && let Some(cut) = container_piece(&title)
            {
                publication = container(&title[cut..]);
                title = title[..cut].trim_end_matches([',', ' ']).to_owned();
            } else if (comma_style || stopped)
            && publication.is_none()
            && !italic_title
            && next == title_len
            // "Unsettling Opera: Staging Mozart, Verdi, Wagner, and Zemlinsky (University of Chicago
            // Press, 2007)": the container is in the parentheses, the title is whole.
            && !imprint_in_parentheses(rest[at + title_len..].trim_start())
            {
                // "Author, Title, Journal, v. 3": the journal is the title segment's last comma piece.
                if let Some((head, last)) = title.rsplit_once(", ")
                    // "Vassouras, a Brazilian Coffee County", "documentation and user's guide":
                    // a phrase of the title, not a journal ("openSUSE Wiki" and "man7.org" are
                    // names).
                    && !last.split_whitespace().next().is_some_and(|w| {
                        ["a", "an", "the", "and", "or", "of", "in", "on", "for", "with", "to"]
                            .contains(&w)
                    })
                    && !last.split_whitespace().all(|w| {
                        w.chars().all(|c| c.is_lowercase() || c == '\'' || c == '’')
                    })
                    && let Some(p) = container(last)
                    && head.len() >= 8
                {
                    publication = Some(p);
                    title = head.to_owned();
                }
            }
            // An italic span where the title stands is the title (a book), not the publication.
            if publication
                .as_deref()
                .is_some_and(|p| clean_segment(&title) == *p)
            {
                publication = None;
            }
            // "Vgl. zum Gesetzestext in Hamburg: transparenz.hamburg.de": a phrase that opens in
            // lower case introduces the link; every style capitalises a title's first word.
            let lower_case_phrase = !italic_title
                && title
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.chars().all(|c| c.is_lowercase()) && w.chars().count() > 1);
            if title.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && !is_filler(&title)
                && !lower_case_phrase
            {
                fields.title = Some(clean_title(&title));
                fields.title_guessed = !italic_title;
            }
            let tail = &rest[at + next..];
            // "Good chemistry. (1996, September). The Alumni Magazine": the date after an APA title
            // opens the tail rather than ending it.
            let opening_date = leading_year(tail).unwrap_or(0);
            let tail = &tail[..date_start
                .and_then(|d| d.checked_sub(body + at + next))
                .filter(|&d| d >= opening_date)
                .unwrap_or(tail.len())];
            // APA without an author: "Title. (1996, September). Magazine, 44(1)".
            let tail = &tail[leading_year(tail).unwrap_or(0)..];
            // "… im Auftrag des Innenausschusses": who commissioned the work did not publish it.
            let commissioned = COMMISSIONED
                .find(tail)
                .is_some_and(|m| tail[..m.start()].trim().is_empty());
            fields.publication = publication.or_else(|| container(tail).filter(|_| !commissioned));
            body + at + next
        }
    };
    // "(n.d.)" (APA), "n.d." (Chicago): the work is printed without a date; a year elsewhere (in the
    // title, "2014 Winners") is not its date.
    if undated(&blanked[body..]) {
        fields.date = None;
    } else if fields.date.is_none() {
        fields.date = find_year(&blanked, body);
    }
    // APA: "Retrieved September 30, 2015, from Wikipedia: https://…" names the site.
    if fields.publication.is_none() {
        let from = after_title.min(blanked.len());
        fields.publication = retrieved_from(&blanked[from..], &text[from..]);
    }
    // Chicago and web citations: a corporate author that names no other publisher is the publisher
    // ("World Bank, Ghana Statistics Development Program, https://…").
    if fields.publication.is_none()
        && fields.title.is_some()
        && let [org] = fields.authors.as_slice()
        && (apa_group || is_organisation(org))
    {
        fields.publication = Some(org.clone());
    }
    if fields.volume.is_some() {
        return fields; // Bluebook: read whole
    }
    let tail = &blanked[after_title.min(blanked.len())..];
    fields.volume = may_hold_volume(tail)
        .then(|| VOLUME.captures(tail))
        .flatten()
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_owned());
    fields.pages = may_hold_pages(tail)
        .then(|| PAGES.captures(tail))
        .flatten()
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| collapse_whitespace(m.as_str()))
        .filter(|p| !is_year_range(p));
    fields
}

/// Where a link's text stands in the footnote, and the title it gives: "[Hardening Modes](…)" names
/// the work; "[here](…)" or "[this page](…)" does not.
fn link_title(text: &str, link: &str) -> Option<(usize, usize, String)> {
    let link = link.trim();
    let title = clean_title(link.trim_matches(['"', '“', '”']));
    let capitalised = title
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    // "Binutils team, [strip](…), Documentation for binutils": a manual's page named for a command
    // is a title in lower case, where it stands as a whole comma piece after the author's.
    let a_piece = |&(at, _): &(usize, &str)| {
        let after = text[at + link.len()..].chars().next();
        text[..at].trim_end().ends_with(',') && after.is_none_or(|c| ",.".contains(c))
    };
    let plausible = title.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && (capitalised || text.match_indices(link).any(|m| a_piece(&m)))
        && !title.contains("://")
        && !title.starts_with("www.")
        && ![
            "here",
            "link",
            "source",
            "website",
            "online",
            "pdf",
            "this page",
            "this link",
        ]
        .contains(&title.to_lowercase().as_str())
        && !is_filler(&title);
    if !plausible || link.is_empty() {
        return None;
    }
    // "Valgrind Developers, [Valgrind](…)": the occurrence that stands alone, not inside a name.
    let alone = |&(at, _): &(usize, &str)| {
        let before = text[..at].chars().next_back();
        let after = text[at + link.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| ",.;:)".contains(c))
    };
    let start = text
        .match_indices(link)
        .find(alone)
        .or_else(|| text.match_indices(link).next())?
        .0;
    Some((start, start + link.len(), title))
}

/// A Bluebook citation: "Name v. Name, 347 U.S. 483 (1954)" or "Author, Title, 4 Harv. L. Rev. 193
/// (1890)": volume, reporter or journal, first page, (court and) year.
static BLUEBOOK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)([0-9]{1,4}) ([A-Z][A-Za-z.']*(?: (?:[A-Z][A-Za-z.']*|[0-9][a-z]{1,2}\.?)){0,5}) ([0-9]{1,5})(?:, [0-9]{1,5})? \(([^()[0-9]]{0,40})([0-9]{4})\)",
    )
    .expect("bluebook regex")
});

/// Reads a Bluebook citation into `fields`; returns the offset after it.
fn bluebook(s: &str, emphasis: Option<&str>, fields: &mut CitationFields) -> Option<usize> {
    if !s.contains(" (") {
        return None;
    }
    if s.contains('§') {
        return statute(s, fields);
    }
    let caps = BLUEBOOK.captures(s)?;
    let whole = caps.get(0)?;
    let before = s[..whole.start()].trim_end().strip_suffix(',')?;
    // A case ("Brown v. Board of Education") has no author; an article names its authors first.
    let (authors, after) = if before.contains(" v. ") {
        (Vec::new(), 0)
    } else {
        let (authors, after, _) = parse_authors(before, false);
        (authors, after)
    };
    let title = clean_title(before[after..].trim_start_matches([',', ' ']));
    if title.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        return None;
    }
    fields.authors = authors;
    fields.title = Some(
        emphasis
            .filter(|e| title.contains(e))
            .map_or(title, str::to_owned),
    );
    fields.title_guessed = true;
    fields.volume = Some(caps[1].to_owned());
    fields.publication = Some(caps[2].to_owned());
    fields.pages = Some(caps[3].to_owned());
    if fields.date.is_none() {
        fields.date = Some(caps[5].to_owned());
    }
    Some(whole.end())
}

/// A Bluebook statute: "(Name,) 42 U.S.C. § 1983 (2018)", "5 C.F.R. §§ 1.1–1.5 (2020)": title
/// number, code, section, (publisher and) year.
static STATUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)([0-9]{1,3}) ([A-Z][A-Za-z]*\.(?:\s?[A-Z][A-Za-z]*\.?){0,4}) §§? ?[0-9][\w.\-–]*(?:[, \-–]+[0-9][\w.]*)*(?: \(([^()[0-9]]{0,40})([0-9]{4})\))?",
    )
    .expect("statute regex")
});

/// Reads a Bluebook statute into `fields`: the act's name (if given) is the title, the code the
/// publication, the code's title number the volume.
fn statute(s: &str, fields: &mut CitationFields) -> Option<usize> {
    let caps = STATUTE.captures(s)?;
    let whole = caps.get(0)?;
    let before = s[..whole.start()].trim_end();
    let title = match before.strip_suffix(',') {
        Some(name) => clean_title(name),
        None if before.is_empty() => String::new(),
        // Text before the code that is not a name ("as amended by 42 U.S.C. …"): not read.
        None => return None,
    };
    if title.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
        fields.title = Some(title);
        fields.title_guessed = true;
    }
    fields.volume = Some(caps[1].to_owned());
    fields.publication = Some(caps[2].trim_end().to_owned());
    if fields.date.is_none() {
        fields.date = caps.get(4).map(|y| y.as_str().to_owned());
    }
    Some(whole.end())
}

/// A journal's abbreviated name, (its year,) and a volume: "Phys. Rev. Lett. 83, 3370 (1999)",
/// "Nano Lett. 2010, 10, 1979", "ApJ, 650, 102". Only short words are abbreviated: "Rule Induction.
/// IEEE Expert, 8" is a title and a journal.
static JOURNAL_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*((?:[A-Z][A-Za-z&]{0,5}\.\s|[A-Z][A-Za-z&]*\s){0,4}[A-Z][A-Za-z&]*\.?),?\s+(?:((?:1[89]|20)[0-9][0-9]),?\s+)?[A-Z]?[0-9]{1,5}[A-Z]?(?:[,:(]|\s\(|\s[0-9]|$)",
    )
    .expect("journal regex")
});

/// Volume: "vol. 3", "v. 441", "Vol 12", the number before an issue in parentheses, "13(2)", or
/// before "no." (Chicago: "59, no. 236").
static VOLUME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:[Vv]ol(?:ume)?s?\.?|v\.)\s*([0-9]{1,5})|(?-u:\b)([0-9]{1,5})(?:\s?\([0-9]{1,4}(?:[-–/][0-9]{1,4})?\)|,? [Nn]o\.)")
        .expect("volume regex")
});

/// Pages: "pp. 12-19", "p. 7", "pages 108-122", or a range after a colon or comma, ":508-12".
static PAGES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:pp?\.|pages?)\s*([0-9]{1,6}(?:\s*[-–—]{1,2}\s*[0-9]{1,6})?)|[:,]\s*([0-9]{1,6}\s*[-–—]{1,2}\s*[0-9]{1,6})")
        .expect("pages regex")
});

/// Whether `VOLUME` may match: each of its forms holds "ol" ("Vol", "vol"), "v.", "(" or "o."
/// ("No.", "no."). Most notes hold none, and looking is cheaper than searching.
fn may_hold_volume(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr(b'(', b).is_some()
        || [&b"ol"[..], b"v.", b"o."]
            .iter()
            .any(|w| memchr::memmem::find(b, w).is_some())
}

/// Whether `PAGES` may match: each of its forms holds "p.", "page" or a dash ('-', or the first byte
/// of '–' and '—').
fn may_hold_pages(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr2(b'-', 0xE2, b).is_some()
        || [&b"p."[..], b"page"]
            .iter()
            .any(|w| memchr::memmem::find(b, w).is_some())
}

/// A DOI: "10.1000/xyz", in a doi.org URL or alone.
static DOI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?-u:\b)10\.[0-9]{4,9}/[^\s"<>]+"#).expect("doi regex"));

fn find_doi(text: &str) -> Option<String> {
    let m = DOI.find(text)?;
    let doi = m.as_str().trim_end_matches(['.', ',', ';', ')', ']']);
    Some(doi.to_owned())
}

/// "1761–1800" is pages; "1985–2000" could be years: not trusted as pages.
fn is_year_range(p: &str) -> bool {
    let nums: Vec<u32> = p
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    nums.len() == 2 && nums.iter().all(|n| (1500..2040).contains(n)) && nums[0] >= 1900
}

/// Offset after a leading citation number: "[12] ", "12. ", "(3) ", "4) ".
fn skip_citation_number(text: &str) -> usize {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let b = trimmed.as_bytes();
    let (open, close) = match b.first() {
        Some(b'[') => (1, b']'),
        Some(b'(') => (1, b')'),
        _ => (0, b'.'),
    };
    let digits = b[open..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 4 {
        return lead;
    }
    let i = open + digits;
    let closes = b.get(i) == Some(&close) || (open == 0 && b.get(i) == Some(&b')'));
    if closes && b.get(i + 1).is_some_and(u8::is_ascii_whitespace) {
        lead + i + 1
    } else if open == 0
        && digits <= 3
        && b.get(i) == Some(&b' ')
        && b.get(i + 1).is_some_and(u8::is_ascii_uppercase)
        && b.get(i + 2).is_some_and(u8::is_ascii_lowercase)
    {
        // "3 Kim, H., …": a number and a name.
        lead + i + 1
    } else {
        lead
    }
}

/// APA names the site a page was read on: "Retrieved from Coeliac UK: https://…", "Retrieved
/// September 30, 2015, from Brandbank: https://…". `blanked` is `text` with its URLs blanked (same
/// offsets). Only a site followed by the URL is taken: "Retrieved from http://…" names none.
fn retrieved_from(blanked: &str, text: &str) -> Option<String> {
    let at = blanked
        .find("Retrieved ")
        .or_else(|| blanked.find("retrieved "))?;
    let rest = super::prefix(&blanked[at..], 200);
    // The access date, if any, then "from".
    let from = rest.find(" from ").filter(|&f| f <= 60)? + " from ".len();
    let colon = rest[from..].find(": ")? + from;
    let site = clean_segment(&rest[from..colon]);
    let url_follows = text
        .get(at + colon + 1..)
        .is_some_and(|t| t.trim_start().starts_with("http") || t.trim_start().starts_with("www."));
    let plausible = url_follows
        && site.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
        && site.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && site.chars().count() <= 80
        && !site.contains(". ");
    plausible.then_some(site)
}

/// Words that name an organisation rather than a person.
const ORGANISATION_WORDS: &[&str] = &[
    "Foundation",
    "Bank",
    "Service",
    "Services",
    "Institute",
    "Institution",
    "Organization",
    "Organisation",
    "Society",
    "Agency",
    "Ministry",
    "Department",
    "Council",
    "Commission",
    "Association",
    "University",
    "Network",
    "Centre",
    "Center",
    "Office",
    "Authority",
    "Partnership",
    "Initiative",
    "Programme",
    "Fund",
    "Forum",
    "Trust",
    "Union",
    "Committee",
    "Bureau",
    "Corporation",
    "Government",
    "Administration",
    "Nations",
    "Alliance",
    "Consortium",
    // The same in the other languages notes are read in.
    "Institut",
    "Stiftung",
    "Verband",
    "Verein",
    "Ministerium",
    "Bundesministerium",
    "Bundesamt",
    "Universität",
    "Gesellschaft",
    "Kommission",
    "Fondation",
    "Ministère",
    "Université",
    "Conseil",
    "Banque",
    "Agence",
    "Instituto",
    "Fundación",
    "Ministerio",
    "Universidad",
    "Banco",
    "Comisión",
    "Consejo",
    "Agencia",
];

/// A corporate author: "World Wide Web Foundation", "Ghana Statistical Service". An acronym alone is
/// not enough: "BESSA, Marcelo" and "FLORENNE, Yves" are family names in capitals.
fn is_organisation(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    words.len() <= 8
        && words
            .first()
            .is_some_and(|w| w.starts_with(char::is_uppercase))
        && !name.contains(',')
        && words.iter().any(|w| ORGANISATION_WORDS.contains(w))
        // "Uganda Bureau of Statistics Act", "Open Data Institute Report": a work named for one.
        && !words.last().is_some_and(|w| {
            ["Act", "Bill", "Law", "Charter", "Plan", "Strategy", "Policy", "Report", "Index", "Survey"]
                .contains(w)
        })
}

/// Words that never make a title on their own: what is left between two URLs ("http://… and
/// http://…") or a cross-reference ("See above").
fn is_filler(title: &str) -> bool {
    title.split_whitespace().all(|w| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        w.bytes().all(|b| b.is_ascii_digit())
            || [
                "",
                "and",
                "or",
                "also",
                "see",
                "at",
                "in",
                "on",
                "from",
                "via",
                "here",
                "above",
                "below",
                "supra",
                "infra",
                "ibid",
                "id",
                "note",
                "notes",
                "e.g",
                "cf",
                "et",
                "al",
                "passim",
                "sic",
                "i.e",
                "accord",
                "contra",
                "but",
                "compare",
                "with",
                "generally",
            ]
            .contains(&w.as_str())
    })
}

/// Words of a newspaper's, journal's or site's name, never of a person's.
const PUBLICATION_WORDS: &[&str] = &[
    "Times",
    "Post",
    "News",
    "Daily",
    "Herald",
    "Tribune",
    "Guardian",
    "Telegraph",
    "Observer",
    "Economist",
    "Affairs",
    "Policy",
    "Report",
    "Week",
    "Weekly",
    "Today",
    "Online",
    "Blog",
    "Wire",
    "Gazette",
    "Monitor",
    "Standard",
    "Express",
    "Mail",
    "Mirror",
    "Chronicle",
    "Insider",
    "Street",
    "Journal",
    "Review",
    "Magazine",
    "Press",
    "Media",
    "Digital",
    "Global",
    "World",
];

/// What follows a quoted title when it is not a plain container, as (author, publication):
/// - Chicago journal articles: "“Title,” Diabetes, Metabolic Syndrome and Obesity: Targets and Therapy
///   10 (August 14, 2017)": the journal is everything before the volume, commas included;
/// - title-first web citations: "“Title,” by Jane Doe, Publisher" and "“Title,” Jane Doe, Publisher,
///   Date": the author comes between the title and the publisher.
///
/// `s` runs from the closing quote to the citation's date (`dated`), a URL or the end.
fn quoted_title_tail(s: &str, dated: bool) -> Option<(Option<String>, Option<String>)> {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() || ",;:.".contains(c));
    if let Some(by) = s.strip_prefix("by ") {
        let (author, rest) = by.split_once(", ").unwrap_or((by, ""));
        let author = clean_segment(author);
        let plausible = author.split_whitespace().count() <= 6
            && author.starts_with(char::is_uppercase)
            && !author.contains(". ");
        return plausible.then(|| (Some(author), container(rest)));
    }
    // Chicago: journal, volume (and issue), then the date in parentheses.
    if let Some(head) = s.trim_end().strip_suffix('(') {
        let head = head.trim_end();
        let head = match head
            .rsplit_once(", no. ")
            .or_else(|| head.rsplit_once(", No. "))
        {
            Some((h, issue)) if issue.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => head,
        };
        if let Some((journal, volume)) = head.rsplit_once(' ')
            && (1..=4).contains(&volume.len())
            && volume.bytes().all(|b| b.is_ascii_digit())
            && journal.starts_with(char::is_uppercase)
            && !journal.contains(". ")
            && !journal.contains(|c: char| c.is_ascii_digit())
            && journal.chars().count() <= 150
        {
            return Some((None, Some(clean_keeping_abbreviation(journal))));
        }
    }
    // Title-first: a person's name, then the publisher, and nothing else before the date or URL
    // ("“Title,” Oceanic Engineering, IEEE Journal of, vol. 40" is a journal's name in pieces).
    if !dated {
        return None;
    }
    let mut pieces = s.split(", ").map(str::trim).filter(|p| !p.is_empty());
    let name = pieces.next()?;
    let publisher = pieces.next()?;
    if pieces.next().is_some() {
        return None;
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let person = (2..=3).contains(&words.len())
        && words.iter().enumerate().all(|(k, w)| {
            let class = classify(w);
            (class == Word::Name || (class == Word::Initial && k + 1 < words.len()))
                && !TITLE_WORDS.contains(w)
                && !PUBLICATION_WORDS.contains(w)
                && !CONTAINER_WORDS.contains(w)
                && !ORGANISATION_WORDS.contains(w)
        })
        && words.last().is_some_and(|w| classify(w) == Word::Name)
        && !is_month(words[0]);
    let publisher_ok = publisher.starts_with(char::is_uppercase)
        && !publisher.contains(|c: char| c.is_ascii_digit())
        && !is_month(publisher.split_whitespace().next().unwrap_or(""))
        && !NOTE_WORDS.iter().any(|w| publisher.starts_with(w));
    if person && publisher_ok {
        return Some((Some(name.to_owned()), container(publisher)));
    }
    None
}

/// The first occurrence of `needle` in `s` as whole words: "Data" in "Data, 2014", not in "Database".
fn find_words(s: &str, needle: &str) -> Option<usize> {
    s.match_indices(needle).map(|(at, _)| at).find(|&at| {
        let before = s[..at].chars().next_back();
        let after = s[at + needle.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

/// The citation says it has no date: "(n.d.)", "n.d." (APA, Chicago).
fn undated(s: &str) -> bool {
    static FINDER: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"n.d."));
    FINDER
        .find_iter(s.as_bytes())
        .any(|i| i == 0 || matches!(s.as_bytes()[i - 1], b'(' | b' ' | b',' | b'['))
        || s.contains("(n. d.)")
}

/// Signals that introduce a citation without being part of it: Bluebook's and Chicago's "See", "See
/// also", "Cf.", "See, e.g.,", and the lead-ins of policy briefs ("For example,", "Source:", "For more
/// information, see"), and their French, Spanish and German forms ("Source :", "Voir", "Véase",
/// "Vgl."). Returns the length of the lead-in at the start of `s` (0 when there is none).
fn lead_in(s: &str) -> usize {
    const SIGNALS: &[&str] = &[
        "See, e.g.,",
        "See e.g.,",
        "See, e.g.",
        "See e.g.",
        "See, for example,",
        "See for example",
        "See also:",
        "See also,",
        "See also",
        "See generally",
        "See, generally,",
        "See:",
        "See",
        "see also",
        "see",
        "Also see",
        "But see",
        "But cf.",
        "Cf.",
        "cf.",
        "Compare",
        "E.g.,",
        "E.g.",
        "e.g.,",
        "For example,",
        "For example",
        "For instance,",
        "Sources:",
        "Source:",
        // French typography sets a space before a colon; French, Spanish and German notes say so too.
        "Sources :",
        "Source :",
        "Fuentes:",
        "Fuente:",
        "Quellen:",
        "Quelle:",
        "Voir aussi",
        "Voir",
        "Véase",
        "Vgl.",
        "Quoted in",
        "Cited in",
    ];
    let mut at = 0;
    // "Source: See …": at most two signals in a row.
    for _ in 0..2 {
        let rest = &s[at..];
        let trimmed = rest.trim_start();
        let lead = rest.len() - trimmed.len();
        // Most notes start with an author or a title: no signal starts with their first letter.
        if !trimmed.starts_with(|c: char| SIGNALS.iter().any(|sig| sig.starts_with(c))) {
            break;
        }
        // A signal is a word of its own: "See http://…", not "Seeing Like a State".
        let signal = SIGNALS.iter().find(|sig| {
            trimmed.starts_with(**sig)
                && (sig.ends_with([',', ':', '.'])
                    || trimmed[sig.len()..].starts_with(char::is_whitespace))
        });
        let len = if let Some(sig) = signal {
            sig.len()
        } else if trimmed.starts_with("For ") {
            // "For more information, see …", "For a good overview of the tech scene in Kenya, see …":
            // a clause ended by "see", within a sentence.
            let head = super::prefix(trimmed, 200);
            match head.find(", see ").or_else(|| head.find(" see ")) {
                Some(i) if !head[..i].contains(". ") => i + head[i..].find("see").unwrap_or(0) + 3,
                _ => break,
            }
        } else {
            break;
        };
        let after = &trimmed[len..];
        // "See.": nothing cited after it.
        if after.trim_start().starts_with(['.', ';']) {
            break;
        }
        at += lead + len;
        at += s[at..].len() - s[at..].trim_start_matches([',', ':', ' ']).len();
    }
    at
}

/// A year standing alone: four digits not part of a longer number, a page range or a URL.
fn standalone_years(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    memchr::memchr_iter(b'1', b)
        .chain(memchr::memchr_iter(b'2', b))
        .filter_map(move |i| {
            let y = b.get(i..i + 4)?;
            let ok = y.iter().all(u8::is_ascii_digit)
                && matches!((y[0], y[1]), (b'1', b'5'..=b'9') | (b'2', b'0'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b"-/.:".contains(&b[i - 1])))
                && !b.get(i + 4).is_some_and(|c| c.is_ascii_digit())
                // "1761-1800" is a page range unless both ends are years of one span ("1985-2000").
                && !(b.get(i + 4).is_some_and(|c| *c == b'-') && b.get(i + 5).is_some_and(u8::is_ascii_digit));
            let before = tail(&text[..i], 6);
            let pages = before.contains("p.") || before.contains("pp") || before.contains("No");
            (ok && !pages && !in_span(text, i)).then(|| (i, &text[i..i + 4]))
        })
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
}

/// Whether the year at `at` is one end of a span of years set with a dash and spaces
/// ("Koalitionsvertrag 2021 – 2025", "Strategy 2020 - 2030"): a period the work is about, not the
/// day it was published.
fn in_span(text: &str, at: usize) -> bool {
    let four_digits = |s: &str| s.len() >= 4 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    let dash = ['-', '\u{2013}', '\u{2014}'];
    let before = text[..at].trim_end();
    let after = text.get(at + 4..).unwrap_or_default().trim_start();
    let ends_year =
        |s: &str| s.len() >= 4 && s.is_char_boundary(s.len() - 4) && four_digits(&s[s.len() - 4..]);
    before
        .strip_suffix(dash)
        .is_some_and(|b| ends_year(b.trim_end()))
        || after
            .strip_prefix(dash)
            .is_some_and(|a| four_digits(a.trim_start()))
}

/// The year of the citation when no full date is written: one in parentheses ("(1999)", "(2005a)"),
/// else the last.
fn find_year(text: &str, from: usize) -> Option<String> {
    let mut last = None;
    for (at, year) in standalone_years(text) {
        let before = tail(&text[..at], 30);
        if at < from
            || [
                "ccessed", "etrieved", "iewed", "isited", "onsulted", "hecked",
            ]
            .iter()
            .any(|w| before.contains(w))
        {
            continue;
        }
        let b = text.as_bytes();
        let after = b.get(at + 4..).unwrap_or_default();
        let after = after
            .strip_prefix(b"a")
            .or_else(|| after.strip_prefix(b"b"))
            .unwrap_or(after);
        if at > 0 && b[at - 1] == b'(' && after.first() == Some(&b')') {
            return Some(year.to_owned());
        }
        last = Some(year);
    }
    last.map(str::to_owned)
}

fn year_in(s: &str) -> Option<String> {
    standalone_years(s).next().map(|(_, y)| y.to_owned())
}

/// The length of a date standing between the authors and the title: "(2009). ", "1990. ",
/// "(2020, November 19). ", "(n.d.). ".
fn leading_year(s: &str) -> Option<usize> {
    let trimmed = s.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    let lead = s.len() - trimmed.len();
    let len = if let Some(inner) = trimmed.strip_prefix('(') {
        let close = inner.find(')').filter(|&c| c <= 40)?;
        let content = &inner[..close];
        // "(2009)", "(1996, September)", "(n.d.)"; not "(Cornell University Press, 2006)".
        let dated = content.get(..4).is_some_and(|y| year_in(y).is_some());
        if !(dated || content.starts_with("n.d")) {
            return None;
        }
        close + 2
    } else {
        let b = trimmed.as_bytes();
        if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) || year_in(&trimmed[..4]).is_none()
        {
            return None;
        }
        let mut n = 4;
        if b.get(n).is_some_and(u8::is_ascii_lowercase) {
            n += 1;
        }
        if !b
            .get(n)
            .is_none_or(|c| matches!(c, b'.' | b',' | b':' | b';' | b' '))
        {
            return None;
        }
        n
    };
    let rest = &trimmed[len..];
    let punct = rest.len() - rest.trim_start_matches(['.', ',', ':', ';']).len();
    Some(lead + len + punct)
}

/// Abbreviations a full stop does not end a segment after.
const ABBREVIATIONS: &[&str] = &[
    "vs", "Vol", "vol", "No", "no", "pp", "ed", "eds", "Ed", "Eds", "St", "Dr", "Mr", "Mrs", "Ms",
    "Jr", "Sr", "al", "etc", "e.g", "i.e", "Inc", "Co", "Ltd", "Proc", "Univ", "Dept", "Rev",
    "U.S", "U.K", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov",
    "Dec", "trans", "v", "n", "p", "Dir", "Perf", "Prod", "Trans",
];

/// Words that open a note on where or when a work was read, after its citation.
const NOTE_WORDS: &[&str] = &[
    "Retrieved",
    "Accessed",
    "Available",
    "Viewed",
    "Consulted",
    "Last",
    "Online",
    "URL",
    "Archived",
];

/// Where a segment ends: a full stop, "?" or "!" followed by a space, not after an initial or a
/// common abbreviation. Returns (length of the segment, offset of what follows).
fn segment_end(s: &str, short_abbreviations: bool) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    for i in memchr::memchr3_iter(b'.', b'?', b'!', b) {
        if !b.get(i + 1).is_some_and(u8::is_ascii_whitespace) && i + 1 != b.len() {
            continue;
        }
        if b[i] != b'.' {
            return Some((i + 1, i + 1));
        }
        let word_start = s[..i].rfind(char::is_whitespace).map_or(0, |w| w + 1);
        let word = s[word_start..i].trim_start_matches(['(', '[', '"', '\'']);
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        let initial = letters == 1 && word.chars().next().is_some_and(char::is_uppercase);
        // "Internet Society. Retrieved from", "The Guardian. December 29, 2014": a name, not an
        // abbreviation, before an access note or a date.
        let next_word = s[i + 1..].split_whitespace().next().unwrap_or("");
        let sentence_follows = NOTE_WORDS.contains(&next_word)
            // A month written out ("Mar." may be "Marine").
            || (next_word.len() >= 4 && is_month(next_word.trim_end_matches([',', '.'])));
        let short = short_abbreviations
            && letters <= 8
            && !sentence_follows
            && word.chars().next().is_some_and(char::is_uppercase)
            && word.chars().all(char::is_alphabetic);
        if initial || short || ABBREVIATIONS.contains(&word) {
            continue;
        }
        return Some((i, i + 1));
    }
    None
}

/// The title after the authors (and date): to the end of its sentence, or before a parenthesised
/// imprint "(New York: Dover, 1985)"; in comma-separated styles, to the volume or year.
/// Returns (title length, offset of what follows).
fn title_extent(s: &str) -> (usize, usize, bool) {
    let (mut len, mut next) = segment_end(s, false).unwrap_or((s.len(), s.len()));
    // "(New York: Dover, 1985)", "(1999).", "(2nd ed.)", "(translated by …)", "[DVD]": not the title.
    let mut from = 0;
    // A few parentheses are looked into, no more: each looks ahead for its closing one.
    let mut looked = 0;
    while let Some(p) = s[from..len].find([' ', '\u{a0}']).map(|p| from + p) {
        from = p + 1;
        let after = &s[p + 1..len];
        let Some(open) = after.chars().next().filter(|c| matches!(c, '(' | '[')) else {
            continue;
        };
        looked += 1;
        if looked > 4 {
            break;
        }
        let close = if open == '(' { ')' } else { ']' };
        let Some(end) = s[p + 1..].find(close) else {
            break;
        };
        let inside = &s[p + 2..p + 1 + end];
        let followed = s[p + 2 + end..]
            .trim_start()
            .chars()
            .next()
            .is_none_or(|c| ".,:;".contains(c));
        let lower = inside.to_lowercase();
        // "(Cambridge University Press, 2000)"
        let publisher_year = inside
            .rsplit_once(", ")
            .is_some_and(|(_, y)| y.len() == 4 && year_in(y).is_some());
        let imprint = inside.contains(':')
            || publisher_year
            || (followed && leading_year(inside).is_some_and(|l| l >= inside.trim().len()))
            || [
                "ed.",
                "edition",
                "translat",
                "trans.",
                "vol",
                // "(Unpublished doctoral dissertation)": the kind of work, after its title.
                "dissertation",
                "thesis",
                "unpublished",
            ]
            .iter()
            .any(|w| lower.contains(w));
        if open == '[' || imprint {
            len = p;
            next = p;
            break;
        }
    }
    // "Evaluation des Gesetzes … (IFG) im Auftrag des Innenausschusses": who commissioned the work
    // follows its title.
    if let Some(m) = COMMISSIONED.find(&s[..len]) {
        len = m.start();
        next = m.start();
    }
    let mut stopped = false;
    if let Some(m) = COMMA_STOP.find(&s[..len]) {
        len = m.start();
        next = m.start();
        // Stopped at a volume, pages or a year, where the container comes just before; not at an
        // editor or translator.
        stopped = !["trans", "ed.", "eds.", "edited", "translated"]
            .iter()
            .any(|w| m.as_str().contains(w));
    }
    (len, next, stopped)
}

/// A second sentence of a title, ended by a full stop and followed by an imprint ("New York: Wiley",
/// "Ross-on-Wye, UK: PCCS Books") or "In" and the book: (length of the subtitle from the start of
/// `s`, offset of what follows). Not a container, a note or a number.
fn subtitle(s: &str) -> Option<(usize, usize)> {
    let lead = s.len() - s.trim_start().len();
    let s = &s[lead..];
    if !s.starts_with(char::is_uppercase) {
        return None;
    }
    let (len, next) = segment_end(s, false)?;
    let segment = &s[..len];
    let words = segment.split_whitespace().count();
    let note = [
        "In ",
        "Edited",
        "Translated",
        "Trans",
        "Retrieved",
        "Available",
        "Reprint",
        "Ed. ",
        "Eds. ",
        "Dir. ",
        "Dir, ",
        "Perf. ",
        "Prod. ",
        "Manuscript",
    ]
    .iter()
    .any(|w| segment.starts_with(w));
    if !(2..=15).contains(&words)
        || note
        || segment.contains(|c: char| c.is_ascii_digit() || "():;[]".contains(c))
        || segment
            .split_whitespace()
            .any(|w| CONTAINER_WORDS.contains(&w.trim_end_matches([',', ';', ':'])))
    {
        return None;
    }
    let after = s[next..].trim_start();
    let imprint = super::prefix(after, 40).find(": ").is_some_and(|colon| {
        let place = &after[..colon];
        let (city, state) = place.rsplit_once(", ").unwrap_or((place, ""));
        city.split_whitespace().count() <= 2
            && city
                .split_whitespace()
                .all(|w| w.starts_with(char::is_uppercase))
            && state.len() <= 6
            && !place.contains(|c: char| c.is_ascii_digit())
    });
    (imprint || after.starts_with("In ")).then_some((lead + len, lead + next))
}

/// In a comma-separated citation, where the title and container give way to volume, pages or year,
/// or to the editor or translator ("Dom Casmurro, trans. John Gledson.").
/// A clause naming who commissioned or received a work, in the languages notes are read in.
static COMMISSIONED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r",?\s(?:commissioned by|prepared for|on behalf of|im Auftrag (?:des|der|von)|à la demande d[eu]|pour le compte d[eu]|por encargo de|a petición de)\s")
        .expect("commissioned regex")
});

static COMMA_STOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r",\s*(?:[Vv]ol(?:ume)?\.?\s|v\.\s?|pp?\.\s?|[Pp]ages?\s|[Nn]o\.\s|[0-9]|[Ii]n:?\s|(?:trans|eds?)\.\s|edited\sby\s|translated\sby\s)")
        .expect("comma stop regex")
});

/// Words that name a publisher, journal or proceedings.
const CONTAINER_WORDS: &[&str] = &[
    "Press",
    "Journal",
    "Proceedings",
    "Proc.",
    "Transactions",
    "Trans.",
    "Conference",
    "Conf.",
    "Symposium",
    "Workshop",
    "Review",
    "Letters",
    "University",
    "Verlag",
    "Springer",
    "Wiley",
    "Elsevier",
    "Publishers",
    "Publishing",
    "Books",
    "Bulletin",
    "Magazine",
    "Institute",
    "Department",
    "Dept.",
    "Addison-Wesley",
    "Prentice",
];

/// The offset of the first comma piece of a title, after its first, that names a publisher or
/// journal: "Smalltown: A Study …, Oxford University Press, Melbourne".
fn container_piece(title: &str) -> Option<usize> {
    let mut at = title.find(", ")? + 2;
    loop {
        let piece_end = title[at..].find(", ").map_or(title.len(), |e| at + e);
        let piece = &title[at..piece_end];
        if piece
            .split_whitespace()
            .any(|w| CONTAINER_WORDS.contains(&w.trim_end_matches([',', ';', ':'])))
        {
            return Some(at);
        }
        if piece_end == title.len() {
            return None;
        }
        at = piece_end + 2;
    }
}

/// Kinds of work named before their institution.
const GENRES: &[&str] = &[
    "ph.d",
    "phd",
    "technical report",
    "tech. rep",
    "tech. report",
    "tr ",
    "master's thesis",
    "masters thesis",
    "m.sc. thesis",
    "msc thesis",
    "doctoral",
    "dissertation",
    "thesis",
    "internet-draft",
    "working paper",
    "research report",
    "report",
];

/// The container after a title: journal, site, book or publisher. "In" and editors are skipped; it
/// stops at a comma, a volume, a year or the end of the sentence; "City: Publisher" gives the
/// publisher.
fn container(s: &str) -> Option<String> {
    let first = first_container(s);
    // "2nd ed. New York: Wiley", "Dir. Bill Kurtis. WGBH …": a note first, the imprint later.
    let note = first.as_deref().is_none_or(|p| {
        p.starts_with(|c: char| c.is_ascii_digit() || c.is_lowercase())
            || [
                "ed.",
                "edn",
                "Dir.",
                "Perf.",
                "Review of",
                "Trans",
                "Reprint",
                "Revised",
                "edition",
            ]
            .iter()
            .any(|w| p.contains(w))
    });
    if note && let Some(caps) = IMPRINT.captures(s) {
        return Some(clean_keeping_abbreviation(&caps[1]));
    }
    first
}

/// "City: Publisher" or "City, ST: Publisher", ended by a comma, a full stop or the end.
static IMPRINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[.,(]\s)[A-Z][A-Za-z\-]+(?: [A-Z][A-Za-z\-]+)?(?:, [A-Z][A-Za-z.]{1,6})?\s?: ([A-Z][^,;:()\[\]]{1,60}?)(?:,|\.(?:\s|$)|\)|$)")
        .expect("imprint regex")
});

fn first_container(s: &str) -> Option<String> {
    let mut s = s.trim_start_matches(|c: char| c.is_whitespace() || ",;:.".contains(c));
    // "(Unpublished doctoral dissertation). Stanford University.", "(H. J. Silverman, Trans.).
    // Evanston, IL: …": the kind of work or its translator, then where it was published.
    if let Some(inner) = s.strip_prefix('(')
        && let Some(close) = super::prefix(inner, 60).find(')')
    {
        let lower = inner[..close].to_lowercase();
        if [
            "dissertation",
            "thesis",
            "unpublished",
            "trans.",
            "tr.",
            "ed.",
            "eds.",
        ]
        .iter()
        .any(|w| lower.contains(w))
        {
            s = inner[close + 1..]
                .trim_start_matches(|c: char| c.is_whitespace() || ",;:.".contains(c));
        }
    }
    // "(Chicago: University of Chicago Press, 1962)": a note's imprint.
    s = s.trim_start_matches(|c: char| c.is_whitespace() || ",;:.(".contains(c));
    for prefix in ["In: ", "in: ", "In ", "in "] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    // "In A. Editor (Ed.), Book": the book follows the editors.
    for mark in [
        "(Eds.)",
        "(Ed.)",
        "(eds.)",
        "(ed.)",
        "(Hrsg.)",
        "(Ed)",
        "(Eds)",
        "(ed)",
        "(eds)",
        " eds.,",
        " ed.,",
        " editors,",
        " editor,",
    ] {
        if let Some(i) = super::prefix(s, 160).find(mark) {
            s = s[i + mark.len()..].trim_start_matches([',', '.', ' ']);
            break;
        }
    }
    // "Edited by …", "With a new afterword.": notes on the book, not its publisher.
    for _ in 0..2 {
        let note = [
            "Edited ",
            "Translated ",
            "Trans. ",
            "With ",
            "Reprinted ",
            "trans. ",
            "ed. ",
            "eds. ",
            "edited by ",
            "translated by ",
            "Ed. ",
            "Eds. ",
            "Dir. ",
            "Dir, ",
            "Perf. ",
            "Prod. ",
        ]
        .iter()
        .any(|w| s.starts_with(w));
        match segment_end(s, false) {
            Some((_, next)) if note => s = s[next..].trim_start(),
            _ => break,
        }
    }
    // "Cambridge, MA: MIT Press", "New York: Wiley": the publisher after the place.
    if let Some(colon) = super::prefix(s, 60).find(": ") {
        let place = &s[..colon];
        // An imprint ends the citation or comes before its year; "Numerical Recipes: The Art of …"
        // is a title.
        let after = &s[colon + 2..];
        let publisher_end = after
            .find([',', ';', '('])
            .into_iter()
            .chain(after.find(". "))
            .min()
            .unwrap_or(after.len());
        let publisher = &after[..publisher_end];
        let rest = after[publisher_end..].trim_start_matches(['.', ',', ' ']);
        let imprint = rest.is_empty()
            || leading_year(rest).is_some()
            || rest.get(..4).is_some_and(|y| year_in(y).is_some())
            || publisher
                .split_whitespace()
                .any(|w| CONTAINER_WORDS.iter().any(|c| w.starts_with(c)));
        if imprint && is_place(place) {
            s = after;
        }
    }
    // A thesis or report names its institution after the genre: "Ph.D. thesis, Rice University".
    if GENRES.iter().any(|g| starts_with_ignore_case(s, g)) {
        s = s.split_once(", ").map_or("", |(_, rest)| rest);
    }
    if [
        "retrieved",
        "accessed",
        "available",
        "[online]",
        "doi",
        "url",
        "isbn",
        "http",
        "pp",
        "p. ",
        "vol",
        "no.",
        "v. ",
        "pages",
        "chapter",
    ]
    .iter()
    .any(|w| starts_with_ignore_case(s, w))
    {
        return None;
    }
    let mut end = s.len();
    if let Some((e, _)) = segment_end(s, true) {
        end = end.min(e);
    }
    if let Some(mut i) = s.find([',', ';', '(', '[', '<', '"', '“', '”']) {
        // "National Institutes of Health (NIH), accessed …": an agency's acronym belongs to its name.
        if let Some(inner) = s[i..].strip_prefix('(')
            && let Some(close) = inner.find(')')
            && (2..=8).contains(&close)
            && inner[..close].chars().all(|c| c.is_ascii_uppercase())
            && inner[close + 1..]
                .trim_start()
                .chars()
                .next()
                .is_none_or(|c| ",.;".contains(c))
        {
            let j = i + 1 + close + 1;
            i = j + s[j..]
                .find([',', ';', '(', '[', '<', '"', '“', '”'])
                .unwrap_or(s.len() - j);
        }
        // "Department of Computer Science, University of Toronto": one institution.
        let unit = [
            "Department",
            "Dept",
            "School",
            "Division",
            "Laborator",
            "Center",
            "Centre",
            "Faculty",
        ]
        .iter()
        .any(|w| s[..i].contains(w));
        if unit && s[i..].starts_with(", ") {
            let next = &s[i + 2..];
            let next_end = next.find([',', ';', '(', '.']).unwrap_or(next.len());
            if ["University", "Univ.", "Institute", "College"]
                .iter()
                .any(|w| next[..next_end].contains(w))
            {
                i += 2 + next_end;
            }
        }
        // "Transactions on Systems, Man, and Cybernetics": a list of capitalised words in a name.
        if s[i..].starts_with(", ")
            && let Some(len) = name_list(&s[i + 2..])
        {
            i += 2 + len;
        }
        end = end.min(i);
    }
    // A volume or year: the first number that is not part of a name ("Proceedings of the 24th
    // Annual …", "Winter 1990 USENIX Conference"): a number with punctuation, or before another number
    // or a parenthesis, or last.
    let mut words = s[..end].split_ascii_whitespace().peekable();
    while let Some(word) = words.next() {
        if !word.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let digits = word.bytes().take_while(u8::is_ascii_digit).count();
        let plain = digits == word.len();
        // "24th", "21st": an ordinal in a conference's name.
        let ordinal = word[digits..].bytes().all(|b| b.is_ascii_lowercase()) && !plain;
        let next_is_name = words
            .peek()
            .is_some_and(|n| n.starts_with(char::is_uppercase));
        if !ordinal && (!plain || !next_is_name) {
            end = word.as_ptr().addr() - s.as_ptr().addr();
            break;
        }
    }
    let mut piece = s[..end].trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c));
    if let Some((city, publisher)) = piece.split_once(": ")
        && (city.split_whitespace().count() <= 2 || is_place(city))
        && !publisher.trim().is_empty()
    {
        piece = publisher;
    }
    let cleaned = clean_keeping_abbreviation(piece);
    let ok = cleaned.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && cleaned.chars().count() <= 200
        && !is_month(
            cleaned
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches('.'),
        );
    ok.then_some(cleaned)
}

/// A place of publication: "New York", "Cambridge, MA", "Rio de Janeiro", "Stuttgart and Berlin",
/// "Concord, New Hampshire", "Bourne End, Buckinghamshire, England": one or two capitalised words
/// (three with a particle or "and" between them), then up to two comma pieces (state, country) of
/// one or two.
fn is_place(place: &str) -> bool {
    let mut pieces = place.split(", ");
    let city = pieces.next().unwrap_or("");
    let word_ok = |w: &str| {
        w.starts_with(char::is_uppercase) || PARTICLES.contains(&w) || matches!(w, "and" | "&")
    };
    let piece_ok = |p: &str, max: usize| {
        let words: Vec<&str> = p.split_whitespace().collect();
        (1..=max).contains(&words.len())
            && words
                .first()
                .is_some_and(|w| w.starts_with(char::is_uppercase))
            && words
                .last()
                .is_some_and(|w| w.starts_with(char::is_uppercase))
            && words.iter().all(|w| word_ok(w))
    };
    let rest: Vec<&str> = pieces.collect();
    // Three words only with a particle or "and" in the middle, or a state after them: "Rio de
    // Janeiro", "Upper Saddle River, NJ", not "Markov Random Fields".
    let city_words: Vec<&str> = city.split_whitespace().collect();
    let city_ok = piece_ok(city, 2)
        || (piece_ok(city, 3)
            && city_words.len() == 3
            && (!city_words[1].starts_with(char::is_uppercase) || !rest.is_empty()));
    city_ok
        && rest.len() <= 2
        && rest.iter().all(|p| piece_ok(p, 2))
        && !place.contains(|c: char| c.is_ascii_digit() || "()[];:\"“”".contains(c))
}

/// The rest of a list of capitalised words ended by "and": "Man, and Cybernetics" (after "Systems, ")
/// gives the length up to "Cybernetics". At most four pieces are read.
fn name_list(s: &str) -> Option<usize> {
    let mut at = 0;
    for _ in 0..4 {
        let piece_end = s[at..]
            .find([',', ';', '(', '.'])
            .map_or(s.len(), |e| at + e);
        let piece = &s[at..piece_end];
        let words: Vec<&str> = piece.split_whitespace().collect();
        if words.is_empty() || words.len() > 3 {
            return None;
        }
        if let Some(rest) = piece.strip_prefix("and ") {
            let capitalised = rest.starts_with(char::is_uppercase);
            return capitalised.then_some(piece_end);
        }
        if !words.iter().all(|w| w.starts_with(char::is_uppercase))
            || !s[piece_end..].starts_with(", ")
        {
            return None;
        }
        at = piece_end + 2;
    }
    None
}

/// `s` starts with the ASCII `prefix`, in any case.
fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn is_month(word: &str) -> bool {
    Month::from_str(word).is_ok() || word.eq_ignore_ascii_case("sept")
}

/// How a word of an author list reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// A capitalised word: "Doe", "Pérez-Higueras", "O'Brien", "UPSA".
    Name,
    /// "J.", "JJ", "D.I.", "J.-P.", "Jr".
    Initial,
    /// "and", "&".
    Connector,
    /// "van", "de", "von der".
    Particle,
    /// "ed.", "eds.", "(Eds.)", "editors".
    Editor,
    Other,
}

/// Capitalised words that start a title rather than a name.
const TITLE_WORDS: &[&str] = &[
    "The",
    "A",
    "An",
    "On",
    "In",
    "Of",
    "From",
    "To",
    "For",
    "With",
    "Towards",
    "Toward",
    "How",
    "What",
    "Why",
    "When",
    "Where",
    "Is",
    "Are",
    "Do",
    "Does",
    "Using",
    "Some",
    "New",
    "This",
    "Beyond",
    "Between",
    "About",
    "Against",
    "After",
    "Among",
    "Under",
    "Der",
    "Die",
    "Das",
    "Les",
    "Un",
    "Une",
    "Il",
    "Los",
    "Las",
    "See",
    "Interview",
    "Report",
    "Annual",
    "Letter",
];

const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "des", "dos", "ten", "ter",
    "la", "le", "bin", "ibn", "al", "el", "zu", "vander",
];

fn classify(core: &str) -> Word {
    let bare = core
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim_end_matches('.');
    match bare {
        "and" | "&" | "und" | "et" | "y" | "e" => return Word::Connector,
        "Jr" | "Sr" | "II" | "III" | "IV" => return Word::Initial,
        _ => {}
    }
    // Compared without allocating: this runs for every word of every author list.
    if [
        "ed",
        "eds",
        "editor",
        "editors",
        "hrsg",
        "hg",
        "comp",
        "comps",
        "trans",
        "director",
        "producer",
        "producers",
    ]
    .iter()
    .any(|r| bare.eq_ignore_ascii_case(r))
    {
        return Word::Editor;
    }
    // "(Director)", "(Writer/Director)": a role.
    if core.starts_with('(')
        && core.ends_with(')')
        && !core.contains(|c: char| c.is_ascii_digit())
        && bare.starts_with(char::is_uppercase)
    {
        return Word::Editor;
    }
    if PARTICLES.contains(&bare) {
        return Word::Particle;
    }
    let Some(first) = bare.chars().next() else {
        return Word::Other;
    };
    if bare.chars().all(|c| matches!(c, '—' | '–' | '-' | '_')) && bare.len() >= 3 {
        return Word::Name; // "———": the same author(s) as the reference above
    }
    // "Patient’s Charter": a possessive is a title's word, not a name; "Data Protection Act 2012":
    // nor is a statute's.
    if bare.ends_with("’s") || bare.ends_with("'s") || bare == "Act" {
        return Word::Other;
    }
    let letters = bare.chars().filter(|c| c.is_alphabetic()).count();
    if bare
        .chars()
        .all(|c| c.is_uppercase() || c == '.' || c == '-')
        && (1..=3).contains(&letters)
    {
        return Word::Initial;
    }
    // Letters, hyphens, apostrophes, and the odd symbol a PDF's ligatures leave ("Ku↵ner").
    let name_chars = bare
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.' | '´') || !c.is_ascii());
    if first.is_uppercase() && letters >= 2 && name_chars {
        Word::Name
    } else {
        Word::Other
    }
}

/// Splits a word into its core and the punctuation after it ("Doe," → "Doe", ',').
fn split_punct(word: &str) -> (&str, Option<char>) {
    let core = word.trim_end_matches([',', ';', ':', '.']);
    let punct = word[core.len()..].chars().last();
    // An initial keeps its full stop: "J." is the core "J" and a '.'; "D.I.," → "D.I", ','.
    (core, punct)
}

/// Reads the authors at the start of `s`: a list of names (and "et al.", editors) ending at a full
/// stop after a name, a parenthesised date, a year, or (when `terminated`, as before a quoted title)
/// the end of `s`. Returns the authors, the offset of what follows, and whether the list ended at a
/// comma (the comma-separated styles, where the title also ends at a comma).
fn parse_authors(s: &str, terminated: bool) -> (Vec<String>, usize, bool) {
    let words: Vec<(usize, &str)> = s
        .split_ascii_whitespace()
        .take(80)
        .map(|w| (w.as_ptr().addr() - s.as_ptr().addr(), w))
        .collect();
    let mut group_start = 0; // offset where the current name starts
    let mut group_words = 0;
    let mut group_names = 0;
    let mut group_initials = 0;
    let mut names = 0;
    let mut last_end: Option<usize> = None; // end of the last complete name
    let mut end: Option<(usize, usize)> = None; // (end of the authors, offset of the rest)
    let mut comma_style = false;
    let mut prev_single_family = false;
    // Every name so far is written initials first ("J. D. Jackson"), and the current one began so.
    let mut initials_first = false;
    let mut group_led_by_initial = false;
    let mut i = 0;
    while i < words.len() {
        let (at, word) = words[i];
        let word_end = at + word.len();
        let complete_here = |group_words: usize| (group_words > 0).then_some(at);
        if word.starts_with(['(', '[']) && classify(split_punct(word).0) != Word::Editor {
            let date = leading_year(&s[at..]).is_some();
            // "David Archard, Sexual Consent (Boulder: Westview Press, 1998)": after a complete name,
            // words before an imprint are the title.
            if !date && group_words > 0 && last_end.is_some() && imprint_in_parentheses(&s[at..]) {
                group_words = 0;
                break;
            }
            if date || group_words > 0 {
                end = Some((at, at));
                if group_words > 0 {
                    names += group_names;
                }
            }
            break;
        }
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            if leading_year(&s[at..]).is_some() && group_words > 0 {
                names += group_names;
                end = complete_here(group_words).map(|e| (e, at));
            }
            break;
        }
        // "World Bank, Ghana Statistics Development Program,": a corporate author stands alone; the
        // comma piece after it is the title, unless it is a person's name ("NIST Mass Spec Data
        // Center, Stein, S. E.,").
        if group_words == 0
            && let Some(e) = last_end
            && s[e..at].contains(',')
            && is_organisation(&clean_segment(&s[..e]))
            && classify(split_punct(word).0) != Word::Initial
            && !words
                .get(i + 1)
                .is_some_and(|(_, w)| classify(split_punct(w).0) == Word::Initial)
        {
            break;
        }
        let (core, punct) = split_punct(word);
        let class = classify(core);
        // "…, November 2008": a date, not a name.
        if core.len() >= 3
            && is_month(core)
            && words
                .get(i + 1)
                .is_some_and(|(_, w)| w.starts_with(|c: char| c.is_ascii_digit()))
        {
            group_words = 0;
            break;
        }
        match class {
            Word::Other => break,
            Word::Connector if core == "et" => {
                let al = words.get(i + 1).map(|(_, w)| split_punct(w));
                if let Some(("al", p)) = al {
                    i += 1;
                    names += group_names;
                    group_names = 0;
                    group_words = 0;
                    let (al_at, al_word) = words[i];
                    last_end = Some(al_at + al_word.len());
                    group_start = al_at + al_word.len();
                    match p {
                        Some(',') | None => {
                            i += 1;
                            continue;
                        }
                        _ => {
                            // "et al. (Eds.)."
                            let mut stop = al_at + al_word.len();
                            if let Some(&(ed_at, ed)) = words.get(i + 1)
                                && ed.starts_with('(')
                                && classify(split_punct(ed).0) == Word::Editor
                            {
                                stop = ed_at + ed.len();
                            }
                            end = Some((al_at + al_word.len(), stop));
                            break;
                        }
                    }
                }
                // "Dupont et Durand": a connector between names.
                if group_words > 0 {
                    names += group_names;
                    last_end = Some(at);
                }
                group_words = 0;
                group_names = 0;
                group_initials = 0;
                group_start = word_end;
                i += 1;
                continue;
            }
            // "R. R. Henry, Integrating Register Allocation and …": three capitalised words without an
            // initial, after a complete name, are a title's.
            Word::Connector if group_names >= 3 && group_initials == 0 && last_end.is_some() => {
                group_words = 0;
                break;
            }
            // "Minker, W. and Bennacef, S., Speech and human-machine dialog": "and" before a lowercase
            // word joins the words of a title, not two names; so does one before capitalised words
            // and a lowercase one ("Lawrence Lessig, Code and Other Laws of Cyberspace (New York: …").
            Word::Connector
                if group_names > 0
                    && (words.get(i + 1).is_some_and(|(_, w)| {
                        w.starts_with(char::is_lowercase)
                            && classify(split_punct(w).0) == Word::Other
                    }) || (group_initials == 0
                        && last_end.is_some()
                        && title_words_follow(&words[i + 1..]))) =>
            {
                group_words = 0;
                break;
            }
            Word::Connector => {
                if group_words > 0 {
                    if last_end.is_none() {
                        initials_first = group_led_by_initial && group_names > 0;
                    } else if !group_led_by_initial {
                        initials_first = false;
                    }
                    names += group_names;
                    last_end = Some(at);
                }
                group_words = 0;
                group_names = 0;
                group_initials = 0;
                group_start = word_end;
                i += 1;
                continue;
            }
            // "Das, A.": a family name that is also a title's first word, known by the initials after it.
            Word::Name
                if group_words == 0
                    && TITLE_WORDS.contains(&core)
                    && !(punct == Some(',')
                        && words
                            .get(i + 1)
                            .is_some_and(|(_, w)| classify(split_punct(w).0) == Word::Initial)) =>
            {
                break;
            }
            Word::Name => group_names += 1,
            Word::Initial => group_initials += 1,
            Word::Particle | Word::Editor => {}
        }
        if group_words == 0 {
            group_led_by_initial = class == Word::Initial;
        }
        group_words += 1;
        if group_words > 6 {
            group_words = 0;
            break;
        }
        // "Bossy, J. (ed.) Disputes and Settlements": a role in parentheses closes the list.
        if class == Word::Editor
            && word.starts_with('(')
            && word.ends_with(')')
            && is_editor_role(word)
            && names + group_names > 0
            && group_words > 1
        {
            names += group_names;
            end = Some((word_end, word_end));
            break;
        }
        // A name then a lowercase word is a title: "Shatter cones in …".
        if punct.is_none()
            && class == Word::Name
            && words.get(i + 1).is_some_and(|(_, w)| {
                w.starts_with(char::is_lowercase) && classify(split_punct(w).0) == Word::Other
            })
        {
            group_words = 0;
            break;
        }
        match punct {
            Some(',') | Some(';') => {
                let initials_only = group_names == 0 && group_initials > 0;
                // "Meshaka, Jr.,": a suffix after any complete name.
                let suffix = group_words == 1
                    && last_end.is_some()
                    && matches!(core, "Jr" | "Sr" | "II" | "III" | "IV");
                if group_names == 0
                    && !(initials_only && (prev_single_family || suffix))
                    && class != Word::Editor
                {
                    group_words = 0;
                    break;
                }
                // "V. O. Key, Politics, Parties, …", "Y. Cui, Nano Lett. 2010": after names written
                // initials first, a piece without initials is a title or a journal, not a name.
                if initials_first
                    && group_initials == 0
                    && group_names > 0
                    && !initial_follows(&words[i + 1..])
                {
                    group_words = 0;
                    break;
                }
                if last_end.is_none() {
                    initials_first = group_led_by_initial && group_names > 0;
                } else if !(group_led_by_initial || initials_only) {
                    initials_first = false;
                }
                // "Doe," or "De Raedt," or "Peyton Jones,": a family name whose initials may follow.
                prev_single_family = (1..=2).contains(&group_names) && group_initials == 0;
                names += group_names;
                last_end = Some(word_end - 1);
                group_words = 0;
                group_names = 0;
                group_initials = 0;
                group_start = word_end;
            }
            // "Blackwell AC, Boothman RC: Documenting …", "PETERSON, L. C.: Periodontal …": initials
            // and a colon end the list.
            Some(':') if class == Word::Initial && (group_names > 0 || prev_single_family) => {
                names += group_names;
                end = Some((word_end - 1, word_end));
                break;
            }
            // "Irmtraud Schnell: 2014 …" ends a name; "Doe, J., Attribute Grammars: …" is a title.
            Some(':') if last_end.is_some() => {
                group_words = 0;
                break;
            }
            Some(':') => {
                names += group_names;
                end = Some((word_end - 1, word_end));
                break;
            }
            Some('.') => {
                let ends = match class {
                    Word::Name | Word::Editor => true,
                    // "Peters OA." (Vancouver) ends the list, unless another name of the same form
                    // follows ("Goss DL. Moore JH."); "J." does unless a name follows; "Levine,
                    // Robert S." is a complete name, and a capitalised word after it starts the title.
                    Word::Initial => {
                        let vancouver = core.chars().filter(|c| c.is_alphabetic()).count() >= 2
                            && !core.contains(['.', '-'])
                            && !matches!(core, "Jr" | "Sr" | "II" | "III" | "IV");
                        let inverted_complete = prev_single_family
                            && names == 1
                            && group_names > 0
                            && words
                                .get(i + 1)
                                .is_some_and(|(_, w)| classify(split_punct(w).0) == Word::Name);
                        if vancouver {
                            !vancouver_name_follows(&words[i + 1..])
                        } else {
                            inverted_complete || !name_follows(&words[i + 1..])
                        }
                    }
                    _ => false,
                };
                // "Y. Cui, Nano Lett. 2010, 10, 1979.": a journal after names written initials first.
                if ends
                    && class == Word::Name
                    && initials_first
                    && group_initials == 0
                    // After a comma: "F. Jahanian and Al Mok." is two names.
                    && last_end.is_some_and(|e| s[e..group_start].contains(','))
                {
                    group_words = 0;
                    break;
                }
                if ends {
                    names += group_names;
                    end = Some((word_end, word_end));
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if end.is_none() {
        if terminated && i == words.len() && group_words > 0 {
            names += group_names;
            end = Some((s.len(), s.len()));
        } else if let Some(e) = last_end {
            // Stopped inside a name that is not one: the list ended at the last comma.
            end = Some((e, group_start));
            comma_style = s[e..group_start].contains(',');
        }
    }
    match end {
        Some((e, rest)) if names > 0 => (split_authors(&s[..e]), rest, comma_style),
        _ => (Vec::new(), 0, false),
    }
}

/// `s` opens with a parenthesised imprint: "(Boulder: Westview Press, 1998)", "(Wiley, 1998)".
fn imprint_in_parentheses(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('(') else {
        return false;
    };
    let Some(close) = super::prefix(inner, 80).find(')') else {
        return false;
    };
    let inner = &inner[..close];
    let year_last = inner
        .rsplit_once(", ")
        .is_some_and(|(_, y)| year_in(y).is_some() && y.trim().len() <= 9);
    inner.contains(": ") || year_last
}

/// The authors written before a quoted or linked title, when what precedes it reads as authors (and a
/// date); `None` when it reads as anything else.
fn authors_before(prefix: &str) -> Option<Vec<String>> {
    if prefix.trim().is_empty() {
        return Some(Vec::new());
    }
    let (authors, rest, _) = parse_authors(prefix, true);
    let left = prefix[rest..].trim_matches(|c: char| c.is_whitespace() || ",;:.[]()".contains(c));
    let dated = |s: &str| {
        s.split_whitespace().count() <= 3 && (year_in(s).is_some() || find_date(s).is_some())
    };
    // "Paul Mockapetris. RFC 1034: “Domain Names …”": a document's number labels the title (IETF,
    // reports).
    let numbered = prefix[rest..].trim_end().ends_with(':')
        && left.split_whitespace().count() <= 3
        && left.starts_with(char::is_uppercase)
        && left.contains(|c: char| c.is_ascii_digit());
    // `rest` is 0 when no author list was read ("———." for "the same authors" is one, with no name).
    if rest > 0 && (left.is_empty() || dated(left) || numbered) {
        return Some(authors);
    }
    let authors = authors_before_title(prefix);
    if !authors.is_empty() {
        return Some(authors);
    }
    let bare = prefix.trim_matches(|c: char| c.is_whitespace() || ",;:.[]()".contains(c));
    dated(bare).then(Vec::new)
}

/// Whatever precedes a quoted or linked title, when it reads as a name rather than a sentence:
/// "LLVM team,", "Internet Security Research Group,".
fn authors_before_title(prefix: &str) -> Vec<String> {
    let cleaned = clean_segment(prefix);
    if cleaned.is_empty()
        || cleaned.chars().count() > 100
        || cleaned.chars().any(|c| c.is_ascii_digit())
        || !cleaned.chars().next().is_some_and(char::is_uppercase)
        || cleaned.contains(". ")
    {
        return Vec::new();
    }
    split_authors(&cleaned)
}

/// An organisation as author, known by the date that follows it: "Council of Economic Advisers.
/// 2015.", "American Psychological Association (2010)."
fn organisation(s: &str) -> Option<(String, usize)> {
    let (len, next) = segment_end(s, true)?;
    let segment = &s[..len];
    let (name, after) = match segment.find(" (") {
        Some(p) if leading_year(&s[p..]).is_some() => (&segment[..p], p),
        _ if leading_year(&s[next..]).is_some() => (segment, next),
        _ => return None,
    };
    let name = clean_segment(name);
    // A title must follow: "A Book. 1990." is a title and its year.
    let rest = &s[after + leading_year(&s[after..])?..];
    // Named in title case, unlike a sentence-case title: "Good chemistry. (1996, September)."
    let title_case = name
        .split_whitespace()
        .all(|w| w.chars().count() <= 3 || w.starts_with(char::is_uppercase));
    let plausible = rest.split_whitespace().count() >= 3
        && title_case
        && name.starts_with(char::is_uppercase)
        && name.split_whitespace().count() <= 10
        && !name.contains(|c: char| c.is_ascii_digit());
    plausible.then_some((name, after))
}

/// "(ed.)", "(Eds.)", "(Hrsg.)": an editor's role in parentheses, not "(CMU)".
fn is_editor_role(word: &str) -> bool {
    let bare = word.trim_matches(|c: char| "().,;:".contains(c));
    [
        "ed", "eds", "editor", "editors", "hrsg", "hg", "trans", "comp", "comps",
    ]
    .iter()
    .any(|r| bare.eq_ignore_ascii_case(r))
}

/// Capitalised words, then a lowercase word that is no particle, before any punctuation: "Other Laws
/// of Cyberspace" is a title's, "Roe, K." and "Ludwig van Beethoven" are names.
fn title_words_follow(words: &[(usize, &str)]) -> bool {
    for (k, (_, w)) in words.iter().take(5).enumerate() {
        let (core, punct) = split_punct(w);
        if k > 0 && core.starts_with(char::is_lowercase) && classify(core) == Word::Other {
            return true;
        }
        if punct.is_some() || w.starts_with(['(', '[']) || classify(core) != Word::Name {
            return false;
        }
    }
    false
}

/// "Works and Housing of Ghana, …": a comma piece that opens with two capitalised words joined by
/// "and" continues a list of names ("Ministry of Water Resources, Works and Housing").
fn continues_a_list(s: &str) -> bool {
    let mut words = s.split_whitespace();
    let (Some(a), Some(and), Some(b)) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    a.starts_with(char::is_uppercase)
        && !a.ends_with(',')
        && matches!(and, "and" | "&")
        && b.starts_with(char::is_uppercase)
}

/// The next word is an initial: "Doe, J." continues a name, "Politics, Parties" does not.
fn initial_follows(words: &[(usize, &str)]) -> bool {
    words
        .first()
        .is_some_and(|(_, w)| classify(split_punct(w).0) == Word::Initial)
}

/// After Vancouver initials and a full stop ("Goss DL."), another name of that form: "Moore JH." or
/// "Aldag, JM.".
fn vancouver_name_follows(words: &[(usize, &str)]) -> bool {
    let [(_, name), (_, initials), ..] = words else {
        return false;
    };
    let (name, name_punct) = split_punct(name);
    let (initials, punct) = split_punct(initials);
    classify(name) == Word::Name
        && !TITLE_WORDS.contains(&name)
        && matches!(name_punct, None | Some(','))
        && (1..=3).contains(&initials.len())
        && initials.chars().all(|c| c.is_ascii_uppercase())
        && matches!(punct, Some('.') | Some(','))
}

/// After an initial and a full stop, does the author list go on? "R. B. Kieburtz, B. Agapiev and J.
/// Hook": yes after "B."; "Arias A. Differences in …": no.
fn name_follows(words: &[(usize, &str)]) -> bool {
    let Some((_, next)) = words.first() else {
        return false;
    };
    if next.starts_with('(') {
        return true;
    }
    let (core, punct) = split_punct(next);
    match classify(core) {
        Word::Initial | Word::Connector | Word::Particle => true,
        // "J. H. Chern "Design for …"": the name before a quoted title.
        Word::Name
            if words
                .get(1)
                .is_none_or(|(_, w)| w.starts_with(['"', '“', '«', '`'])) =>
        {
            true
        }
        Word::Name if TITLE_WORDS.contains(&core) => false,
        // "… R. E. Marsh. 1990.": a family name closing the list.
        Word::Name => {
            matches!(punct, Some(',') | Some(';') | Some('.'))
                || words.get(1).is_some_and(|(_, w)| {
                    let (c, p) = split_punct(w);
                    matches!(classify(c), Word::Initial | Word::Connector | Word::Particle)
                        || w.starts_with('(')
                        // "E. J. Crossman 1973 Freshwater …": a family name and the year.
                        || leading_year(w).is_some_and(|l| l >= w.len())
                        // "W. Bruce Croft." or "L. Peyton Jones &", but not "U. W. Deriving Integrity
                        // Maintaining …"
                        || (classify(c) == Word::Name
                            && !TITLE_WORDS.contains(&c)
                            && (p.is_some()
                                || words.get(2).is_some_and(|(_, w)| {
                                    matches!(classify(split_punct(w).0), Word::Connector)
                                        || w.starts_with(['(', '['])
                                })))
                })
        }
        _ => false,
    }
}

/// Splits an author list into names: "Romero, C., Paunesku, D., & Dweck, C." → "Romero, C.",
/// "Paunesku, D.", "Dweck, C."; "Doe, Jane" is one name written surname first; "Jane Doe, John Roe"
/// are two.
fn split_authors(list: &str) -> Vec<String> {
    let cleaned = collapse_whitespace(list);
    let cleaned = cleaned.trim_end_matches([',', ';', ':', ' ']);
    let mut authors: Vec<String> = Vec::new();
    for part in AUTHOR_SPLIT.split(cleaned) {
        let pieces: Vec<&str> = part
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let first = authors.len();
        for (k, piece) in pieces.iter().enumerate() {
            let words: Vec<&str> = piece.split_whitespace().collect();
            let initials = words
                .iter()
                .all(|w| classify(split_punct(w).0) == Word::Initial);
            let given_after_family =
                k == 1 && pieces[0].split_whitespace().count() == 1 && words.len() <= 3;
            let editor = words.len() == 1 && classify(split_punct(words[0]).0) == Word::Editor;
            if editor || piece.starts_with("et al") {
                continue;
            }
            let in_part = authors.len() > first;
            match authors.last_mut() {
                Some(prev)
                    if in_part && !prev.contains(',') && (initials || given_after_family) =>
                {
                    prev.push_str(", ");
                    prev.push_str(piece);
                }
                _ => authors.push((*piece).to_owned()),
            }
        }
    }
    // "Goss DL. Moore JH.": Vancouver names a full stop apart.
    let vancouver = |p: &str| {
        let words: Vec<&str> = p.split_whitespace().collect();
        words.len() >= 2
            && words.last().is_some_and(|w| {
                let w = w.trim_end_matches('.');
                (1..=3).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase())
            })
            && words[..words.len() - 1]
                .iter()
                .all(|w| classify(w) == Word::Name)
    };
    authors = authors
        .into_iter()
        .flat_map(|a| {
            let parts: Vec<String> = a.split(". ").map(str::to_owned).collect();
            if parts.len() > 1 && parts.iter().all(|p| vancouver(p)) {
                parts
            } else {
                vec![a]
            }
        })
        .collect();
    for a in &mut authors {
        // "Bossy, J. (ed.)": the role is not part of the name.
        if let Some((name, role)) = a.rsplit_once(' ')
            && role.starts_with('(')
            && is_editor_role(role)
        {
            *a = name.to_owned();
        }
        *a = clean_keeping_abbreviation(a);
    }
    // "———" stands for the authors of the reference above: kept as written.
    authors.retain(|a| {
        !a.is_empty()
            && !a.eq_ignore_ascii_case("et al")
            && (a.chars().any(char::is_alphabetic) || classify(a) == Word::Name)
    });
    authors
}

/// [`sites_before_dash`] applied to fields parsed apart.
#[cfg(test)]
fn site_before_dash(texts: &[&str], fields: &mut [CitationFields]) {
    let open: Vec<bool> = fields
        .iter()
        .map(|f| f.publication.is_none() && (f.title.is_none() || f.title_guessed))
        .collect();
    for (i, site, title) in sites_before_dash(texts, |i| open[i]) {
        let f = &mut fields[i];
        f.publication = Some(site.to_owned());
        f.title = Some(title.to_owned());
        f.title_guessed = true;
    }
}

/// Web citations that give a page as its site, a dash and its title, the way sites title their pages
/// (`Kubernetes Official Documentation – Securing etcd Clusters: https://…`). One note alone cannot
/// tell a site before a dash from a title before a subtitle; a document can: where the same words
/// stand before a dash in two or more notes, each time with other words after it, they are the
/// site (the publication), and what follows is the page's title. Only notes whose fields name no
/// publication and no quoted title are read again this way.
///
/// For each note that `open` allows (its fields name no publication and no quoted or linked title)
/// and the rule applies to, its index, its site and its title (the texts are read in parallel).
pub(crate) fn sites_before_dash<'a>(
    texts: &[&'a str],
    open: impl Fn(usize) -> bool,
) -> Vec<(usize, &'a str, &'a str)> {
    let parts: Vec<Option<(&str, &str)>> = texts.par_iter().map(|t| site_and_title(t)).collect();
    let mut titles_by_site: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
        std::collections::HashMap::new();
    for (site, title) in parts.iter().flatten() {
        titles_by_site.entry(site).or_default().insert(title);
    }
    parts
        .iter()
        .enumerate()
        .filter_map(|(i, part)| {
            let (site, title) = (*part)?;
            (titles_by_site.get(site).is_some_and(|t| t.len() >= 2) && open(i))
                .then_some((i, site, title))
        })
        .collect()
}

/// A note's words before a dash and after it, before its URL: the site and title that
/// [`sites_before_dash`] takes them for when the same site stands before a dash in other notes.
pub(crate) fn site_and_title(text: &str) -> Option<(&str, &str)> {
    let head = match text.find("http").or_else(|| text.find("www.")) {
        Some(at) => &text[..at],
        None => return None,
    };
    let head = head
        .trim()
        .trim_end_matches([':', ',', '-', '\u{2013}'])
        .trim();
    if head.contains(['"', '\u{201c}', '\u{201d}', '(']) || head.len() > 200 {
        return None;
    }
    let (at, dash) = [" \u{2013} ", " \u{2014} ", " - "]
        .iter()
        .filter_map(|d| head.find(d).map(|at| (at, d.len())))
        .min()?;
    let (site, title) = (head[..at].trim(), head[at + dash..].trim());
    let words = site.split_whitespace().count();
    ((1..=6).contains(&words) && !site.contains(". ") && !title.is_empty()).then_some((site, title))
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
    let Some(year) = first_four_digits(text.as_bytes()) else {
        return (None, None);
    };
    let mut at = year.saturating_sub(32);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    while let Some(whole) = DATE.find_at(text, at) {
        at = whole.end();
        let Some(iso) = iso_of_match(whole.as_str()) else {
            continue;
        };
        if may_be_accessed(&text[..whole.start()])
            && ACCESSED.is_match(tail(&text[..whole.start()], 40))
        {
            if accessed.is_none() {
                *accessed = Some(iso);
            }
            continue;
        }
        return (Some(iso), Some(whole.start()));
    }
    (None, None)
}

/// Whether `ACCESSED` may match the end of `before`: each of its words ends in "d", or "on" follows
/// it, before the spaces, colons and commas it allows. Most dates follow neither, and looking is
/// cheaper than searching.
fn may_be_accessed(before: &str) -> bool {
    before
        .trim_end_matches(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .as_bytes()
        .last()
        .is_some_and(|b| b.eq_ignore_ascii_case(&b'd') || b.eq_ignore_ascii_case(&b'n'))
}

/// Where the first run of four ASCII digits starts.
fn first_four_digits(bytes: &[u8]) -> Option<usize> {
    let mut run = 0;
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            run += 1;
            if run == 4 {
                return Some(i - 3);
            }
        } else {
            run = 0;
        }
    }
    None
}

/// The ISO form of a date that `DATE` matched (the whole match), read from its words rather than
/// by capturing `DATE`'s groups again (whose backtracking over every month name costs more than
/// finding the match): a year, month and day in the order its alternative gives them.
fn iso_of_match(date: &str) -> Option<String> {
    // Words of letters or digits; "de" ("5 de mayo de 2019") is no part of the date; a day's
    // ordinal suffix ("10th", "1er") stays on its number, whose digits are read.
    let mut words = date
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "de");
    let num = |w: Option<&str>| -> Option<u32> {
        let w = w?;
        w[..w.bytes().take_while(u8::is_ascii_digit).count()]
            .parse()
            .ok()
    };
    let first = words.next()?;
    let (year, month, day) = if !first.starts_with(|c: char| c.is_ascii_digit()) {
        // Month day, year ("September 10, 2013") or month year ("Mai 2012"); a magazine's issue of
        // two months ("September/October 2015") is dated by the first.
        let month = month_number(first)?;
        let mut words = words.peekable();
        words.next_if(|w| !w.starts_with(|c: char| c.is_ascii_digit()));
        match (words.next(), words.next()) {
            (Some(day), Some(year)) => (num(Some(year))?, month, Some(num(Some(day))?)),
            (Some(year), None) => (num(Some(year))?, month, None),
            _ => return None,
        }
    } else if date.starts_with('(') {
        // (year, month day) (APA): the day may be left out.
        let year = num(Some(first))?;
        let month = month_number(words.next()?)?;
        (year, month, num(words.next()))
    } else {
        let second = words.next()?;
        if second.starts_with(|c: char| c.is_ascii_digit()) {
            // year-month-day
            (
                num(Some(first))?,
                num(Some(second))?,
                Some(num(words.next())?),
            )
        } else {
            // day month year
            let month = month_number(second)?;
            (num(words.next())?, month, Some(num(Some(first))?))
        }
    };
    iso_of(year, month, day)
}

fn iso_of(year: u32, month: u32, day: Option<u32>) -> Option<String> {
    // chrono validates the calendar (no February 30); the ISO text is written directly.
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day.unwrap_or(1))?;
    // As `format!("{year:04}-{month:02}-{day:02}")` writes it, without the formatting machinery.
    let mut iso = String::with_capacity(10);
    for (i, (n, width)) in [(Some(year), 4), (Some(month), 2), (day, 2)]
        .into_iter()
        .enumerate()
    {
        let Some(n) = n else { break };
        if i > 0 {
            iso.push('-');
        }
        let mut buffer = itoa::Buffer::new();
        let digits = buffer.format(n);
        for _ in digits.len()..width {
            iso.push('0');
        }
        iso.push_str(digits);
    }
    Some(iso)
}

fn month_number(name: &str) -> Option<u32> {
    // Compared without a lower-case copy where the name is ASCII (as most are).
    let foreign = if name.is_ascii() {
        FOREIGN_MONTHS
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(name))
    } else {
        let lower = name.to_lowercase();
        FOREIGN_MONTHS.iter().find(|(m, _)| *m == lower)
    };
    if let Some(&(_, n)) = foreign {
        return Some(n);
    }
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
/// A URL here is a scheme, `://` and everything up to the next whitespace (with a leading `<`), or
/// the same from a `www.` that no scheme comes before.
fn blank_urls(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    // Searchers built once: building one costs more than searching a note.
    static SCHEME: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"://"));
    static WWW: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"www."));
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for sep in SCHEME.find_iter(bytes) {
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
    // Web addresses printed without a scheme (`www.bundesregierung.de/…/2021-12-10-koav.pdf`).
    for at in WWW.find_iter(bytes) {
        if !bytes.get(at + 4).is_some_and(u8::is_ascii_alphanumeric)
            || at > 0
                && (bytes[at - 1].is_ascii_alphanumeric() || matches!(bytes[at - 1], b'/' | b'.'))
        {
            continue;
        }
        let end = bytes[at..]
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .map_or(bytes.len(), |i| at + i);
        spans.push((at, end));
    }
    // And bare hosts (`transparenzranking.de`, `transparenz.hamburg.de/das-hmbtg`).
    for dot in memchr::memchr_iter(b'.', bytes) {
        // A bare host's last dot is followed by its domain's first letter: a dot that ends a
        // sentence or an abbreviation leads to none (another dot of the same word may).
        if !bytes.get(dot + 1).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let start = bytes[..dot]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |i| i + 1);
        let end = bytes[dot..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |i| dot + i);
        if spans.last().is_some_and(|&(s, e)| s <= start && end <= e) {
            continue;
        }
        let word = text[start..end].trim_end_matches(['.', ',', ';', ':', ')']);
        if crate::uri::is_bare_host(word) {
            spans.push((start, start + word.len()));
        }
    }
    if spans.is_empty() {
        return text.into();
    }
    spans.sort_unstable();
    // Spans inside another go.
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let spans = merged;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    const SPACES: &str = "                                                                ";
    for (start, end) in spans {
        out.push_str(&text[last..start]);
        let mut blank = end - start;
        while blank > 0 {
            let n = blank.min(SPACES.len());
            out.push_str(&SPACES[..n]);
            blank -= n;
        }
        last = end;
    }
    out.push_str(&text[last..]);
    out.into()
}

fn clean_title(title: &str) -> String {
    let collapsed = collapse_whitespace(title);
    let trimmed = collapsed
        .trim()
        .trim_end_matches([',', ';', ':', '.'])
        .trim();
    // "The Emergence … Tech Ecosystem”,": a closing quote whose opening one was never typed.
    let unopened = trimmed
        .strip_suffix(['”', '"'])
        .filter(|t| !t.contains(['“', '"']));
    unopened
        .map_or(trimmed, |t| t.trim_end_matches([',', ';', ':', '.', ' ']))
        .to_owned()
}

/// As [`clean_segment`], but a final full stop that ends an initial or an abbreviation stays:
/// "Shannon, C. E.", "Bell Syst. Tech. J.".
fn clean_keeping_abbreviation(s: &str) -> String {
    let cleaned = clean_segment(s);
    let rest = &s[s
        .find(cleaned.as_str())
        .map_or(s.len(), |i| i + cleaned.len())..];
    let last = cleaned.rsplit(' ').next().unwrap_or("");
    let letters = last.chars().filter(|c| c.is_alphabetic()).count();
    let abbreviation = last.chars().next().is_some_and(char::is_uppercase)
        && (letters == 1 || (letters <= 5 && cleaned.contains('.')));
    if abbreviation && rest.starts_with('.') {
        cleaned + "."
    } else {
        cleaned
    }
}

fn clean_segment(s: &str) -> String {
    collapse_whitespace(s)
        .trim_matches(|c: char| c.is_whitespace() || ",;:.".contains(c))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_lead_ins_are_no_titles() {
        let f = parse("Sources : http://www.ons.mr/", None);
        assert_eq!(f.title, None);
        let f = parse("Source : http://www.ons.mr/", None);
        assert_eq!(f.title, None);
    }

    #[test]
    fn dates_in_german_french_and_spanish() {
        assert_eq!(
            find_date("Evaluation des IFG. Mai 2012.").as_deref(),
            Some("2012-05")
        );
        assert_eq!(
            find_date("Rapport, 10 décembre 2021").as_deref(),
            Some("2021-12-10")
        );
        assert_eq!(
            find_date("Informe, 5 de mayo de 2019").as_deref(),
            Some("2019-05-05")
        );
        assert_eq!(
            find_date("Vertrag, 10. Dezember 2021").as_deref(),
            Some("2021-12-10")
        );
        // A date inside a web address printed without its scheme is the address's.
        assert_eq!(
            find_date("Koalitionsvertrag: www.bund.de/blob/2021-12-10-koav.pdf").as_deref(),
            None
        );
    }

    #[test]
    fn a_site_repeated_before_a_dash_is_the_publication() {
        let texts = [
            "Kubernetes Official Documentation \u{2013} Securing etcd Clusters https://kubernetes.io/a",
            "Kubernetes Official Documentation - Secrets: https://kubernetes.io/b",
            "Official Docker documentation: https://docs.docker.com/",
            "Politics \u{2013} a short history: https://a.org/",
        ];
        let mut fields: Vec<CitationFields> = texts.iter().map(|t| parse(t, None)).collect();
        site_before_dash(&texts, &mut fields);
        assert_eq!(
            fields[0].publication.as_deref(),
            Some("Kubernetes Official Documentation")
        );
        assert_eq!(fields[0].title.as_deref(), Some("Securing etcd Clusters"));
        assert_eq!(fields[1].title.as_deref(), Some("Secrets"));
        // Once only: a title and its subtitle, as far as one note can tell.
        assert_ne!(fields[3].publication.as_deref(), Some("Politics"));
    }

    /// The example brief keeps every field it had before the parser learnt other styles.
    #[test]
    fn example_brief_keeps_its_fields() {
        let text = include_str!("../../examples/kabul-visit-brief.md");
        let doc = crate::extract::extract(
            "kabul-visit-brief.md",
            text,
            crate::extract::InputFormat::Markdown,
            &crate::extract::ExtractOptions::default(),
        );
        let got: Vec<_> = doc
            .footnotes
            .iter()
            .map(|f| {
                (
                    f.id.as_str(),
                    f.title.as_deref(),
                    f.publication.as_deref(),
                    f.date.as_deref(),
                    f.authors.clone(),
                )
            })
            .collect();
        let none: Vec<String> = Vec::new();
        assert_eq!(
            got,
            vec![
                (
                    "1",
                    Some(
                        "Joint press conference of Prime Minister Imran Khan and President of Afghanistan Ashraf Ghani"
                    ),
                    Some("YouTube"),
                    Some("2020-11-19"),
                    none.clone()
                ),
                (
                    "2",
                    Some("Imran vows to help stem Afghan bloodshed"),
                    Some("Express Tribune"),
                    Some("2020-11-19"),
                    none.clone()
                ),
                (
                    "3",
                    Some(
                        "Pakistan will do everything possible to reduce violence in Afghanistan, says PM Imran on maiden Kabul visit"
                    ),
                    Some("Dawn"),
                    Some("2020-11-19"),
                    vec!["Naveed Siddiqui".to_owned()]
                ),
                ("4", None, None, Some("2020-11-22"), none.clone()),
                (
                    "5",
                    Some(
                        "Agreement between Afghanistan and Pakistan on Establishing a Shared Vision in Support of Peace and Stability in Both Countries and the Wider Region"
                    ),
                    None,
                    Some("2020-11-19"),
                    none.clone()
                ),
                (
                    "6",
                    Some(
                        "US troops in Afghanistan: Allies and Republicans alarmed at withdrawal plan"
                    ),
                    Some("BBC News"),
                    Some("2020-11-18"),
                    none
                ),
            ]
        );
    }

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
        // No such day: the year is still the citation's.
        assert_eq!(d("February 30, 2021"), Some("2021".into()));
        assert_eq!(d("see https://example.com/2020-11-19/story"), None);
        // A year alone is a date.
        assert_eq!(d("a book, 1998"), Some("1998".into()));
        assert_eq!(d("pages 1761-1800"), None);
        // A long title before the date, and a day of two digits that a search starting mid-number
        // would misread.
        let long = format!("\"{}\", 12th November 2020", "word ".repeat(20));
        assert_eq!(d(&long), Some("2020-11-12".into()));
        assert_eq!(
            d("see https://x.org/a<b>2020 and November 3, 2021"),
            Some("2021-11-03".into())
        );
        // A bimonthly magazine's issue: dated by its first month.
        assert_eq!(d("September/October 2015"), Some("2015-09".into()));
        assert_eq!(d("Jan./Feb. 2014"), Some("2014-01".into()));
        assert_eq!(d("May–June 2016"), Some("2016-05".into()));
        assert_eq!(d("July-August, 2012"), Some("2012-07".into()));
    }

    #[test]
    fn a_note_of_a_title_and_a_url_names_the_page() {
        // Trail of Bits' Kubernetes white paper and the World Bank's Nairobi energy report list
        // their sources so.
        for (text, title) in [
            (
                "Understanding Kubernetes Objects, https://kubernetes.io/docs/concepts/overview/working-with-objects/kubernetes-objects/",
                "Understanding Kubernetes Objects",
            ),
            (
                "Liveness and Readiness checks in Kubernetes, https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-probes/",
                "Liveness and Readiness checks in Kubernetes",
            ),
            (
                "Back To The Future: Unix Wildcards Gone Wild, https://www.defensecode.com/public/DefenseCode_Unix_WildCards_Gone_Wild.txt",
                "Back To The Future: Unix Wildcards Gone Wild",
            ),
            (
                "Kubespray, https://github.com/kubernetes-sigs/kubespray",
                "Kubespray",
            ),
        ] {
            let f = parse(text, None);
            assert_eq!(f.title.as_deref(), Some(title), "{text}");
            assert!(f.title_guessed, "{text}");
            assert!(f.authors.is_empty(), "{text}: {:?}", f.authors);
        }
        // An organisation alone is not the page's title.
        let f = parse(
            "World Bank, https://www.worldbank.org/en/country/kenya",
            None,
        );
        assert_eq!(f.title, None);
        // Nor is a piece with a date, or one before more than the URL.
        let f = parse(
            "Kubernetes Static Pods, 2019, https://kubernetes.io/docs/",
            None,
        );
        assert_ne!(f.title.as_deref(), Some("Kubernetes Static Pods, 2019"));
        let f = parse("Smith, John, https://example.org/a", None);
        assert_ne!(f.title.as_deref(), Some("Smith"));
    }

    #[test]
    fn volume_and_pages_are_only_searched_for_where_they_may_stand() {
        // Every tail of these notes that the expressions match, the looks let through.
        let notes = [
            "Smith, J. (2001). Title. Journal, 12(3), 45–67.",
            "Doe, “A Title,” Law Review 59, no. 236 (2004): 508-12.",
            "A. Author, Title, vol. 3, pp. 12-19, 2010.",
            "Title, Vol 12, p. 7.",
            "B. Author, Title, v. 441, pages 108—122.",
            "Title, volumes 2, page 9; Nature 13(2).",
            "Title. Journal 7 (1999), No. 4: 1 – 9.",
            "“Ebola’s Lessons,” Foreign Affairs, June 17, 2012, https://example.org/a",
        ];
        for note in notes {
            for (at, _) in note.char_indices() {
                let tail = &note[at..];
                if VOLUME.is_match(tail) {
                    assert!(may_hold_volume(tail), "volume in {tail:?}");
                }
                if PAGES.is_match(tail) {
                    assert!(may_hold_pages(tail), "pages in {tail:?}");
                }
            }
        }
        assert!(!may_hold_volume("*Reuters*, June 17, 2012,   "));
        assert!(!may_hold_pages("*Reuters*, June 17, 2012,   "));
    }

    #[test]
    fn access_words_are_only_searched_for_where_they_may_stand() {
        for before in [
            "Accessed ",
            "accessed on ",
            "Retrieved: ",
            "(last checked, ",
            "viewed\n",
            "VISITED ON:",
            "consulted ",
            "Page, Site. Accessed",
        ] {
            assert!(ACCESSED.is_match(tail(before, 40)), "{before:?}");
            assert!(may_be_accessed(before), "{before:?}");
        }
        for before in ["*Reuters*, ", "“Title,” The Hindu, ", "(", ""] {
            assert!(!may_be_accessed(before), "{before:?}");
        }
    }

    #[test]
    fn a_bimonthly_issue_is_no_part_of_the_publication() {
        let f = parse(
            "Garrett, Laurie. “Ebola’s Lessons: How the WHO Mishandled the Crisis.” Foreign Affairs. \
             September/October 2015. https://www.foreignaffairs.com/articles/west-africa/2015-08-18/ebolas-lessons",
            None,
        );
        assert_eq!(f.publication.as_deref(), Some("Foreign Affairs"));
        assert_eq!(f.date.as_deref(), Some("2015-09"));
        assert_eq!(
            f.title.as_deref(),
            Some("Ebola’s Lessons: How the WHO Mishandled the Crisis")
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
        assert_eq!(f.date.as_deref(), Some("2021"));
    }

    /// The date as `DATE`'s groups give it (how it was read before `iso_of_match`).
    fn iso_date_by_groups(caps: &regex::Captures<'_>) -> Option<String> {
        // Groups by index (names cost a hash lookup each): 1-3 y-m-d, 4-6 month day year,
        // 7-9 day month year, 10-11 month year, 12-14 (year, month day) (APA).
        let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let month = |i: usize| caps.get(i).and_then(|m| month_number(m.as_str()));
        let (year, month, day) = if let Some(y) = num(1) {
            (y, num(2)?, Some(num(3)?))
        } else if let Some(y) = num(6) {
            (y, month(4)?, Some(num(5)?))
        } else if let Some(y) = num(9) {
            (y, month(8)?, Some(num(7)?))
        } else if let Some(y) = num(11) {
            (y, month(10)?, None)
        } else {
            (
                num(12)?,
                month(13)?,
                caps.get(14).and_then(|m| m.as_str().parse().ok()),
            )
        };
        iso_of(year, month, day)
    }

    /// The ISO text is written as `format!` pads it, for every width of year.
    #[test]
    fn iso_dates_are_padded_as_format_pads_them() {
        for year in [1, 9, 10, 99, 100, 999, 1000, 2020, 9999, 10_000, 200_000] {
            for month in 1..=12 {
                for day in [None, Some(1), Some(9), Some(10), Some(28)] {
                    let expected = match day {
                        Some(day) => format!("{year:04}-{month:02}-{day:02}"),
                        None => format!("{year:04}-{month:02}"),
                    };
                    assert_eq!(iso_of(year, month, day), Some(expected));
                }
            }
        }
        assert_eq!(iso_of(2021, 2, Some(29)), None);
        assert_eq!(iso_of(2021, 13, None), None);
    }

    /// The first run of four digits is found where a window of four finds it.
    #[test]
    fn first_four_digits_as_windows_find_them() {
        for text in [
            "",
            "123",
            "1234",
            "a1234",
            "12a3456",
            "123 4567",
            "x12345",
            "9 99 999 9999",
            "é2020",
        ] {
            let windows = text
                .as_bytes()
                .windows(4)
                .position(|w| w.iter().all(u8::is_ascii_digit));
            assert_eq!(first_four_digits(text.as_bytes()), windows, "{text}");
        }
    }

    /// Every kind of date `DATE` finds is read the same from its words as from its groups.
    #[test]
    fn dates_read_from_words_as_from_groups() {
        let months = [
            "Jan",
            "January",
            "feb",
            "February",
            "Mar",
            "march",
            "Apr",
            "April",
            "May",
            "June",
            "Jun",
            "July",
            "Jul",
            "Aug",
            "August",
            "Sep",
            "Sept",
            "September",
            "oct",
            "October",
            "Nov",
            "November",
            "Dec",
            "December",
            "Januar",
            "Februar",
            "März",
            "Mai",
            "Juni",
            "Juli",
            "Oktober",
            "Dezember",
            "janvier",
            "Février",
            "avril",
            "juin",
            "Juillet",
            "août",
            "septembre",
            "Octobre",
            "novembre",
            "décembre",
            "enero",
            "Febrero",
            "marzo",
            "abril",
            "mayo",
            "Junio",
            "julio",
            "agosto",
            "Septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ];
        let mut texts = vec![
            "2022-12-8".to_owned(),
            "2022-1-30".to_owned(),
            "2022-13-08".to_owned(),
            "2021-02-29".to_owned(),
            "2024-02-29".to_owned(),
            "0000-01-01".to_owned(),
        ];
        for m in months {
            for day in [
                "1", "09", "10th", "1st", "22nd", "3rd", "31", "30", "1er", "5.",
            ] {
                for year in ["2013", "1999", "2024"] {
                    texts.push(format!("{m} {day}, {year}"));
                    texts.push(format!("{m}. {day} {year}"));
                    texts.push(format!("{day} {m} {year}"));
                    texts.push(format!("{day} de {m} de {year}"));
                    texts.push(format!("{day} {m}., {year}"));
                    texts.push(format!("{m}, {year}"));
                    texts.push(format!("{m} de {year}"));
                    texts.push(format!("({year}, {m} {day})"));
                    texts.push(format!("({year}, {m}.)"));
                    texts.push(format!("({year},\u{a0}{m}\u{2009}{day})"));
                    texts.push(format!("{day}\u{a0}{m}\n{year}"));
                }
            }
        }
        let mut read = 0;
        for text in &texts {
            let mut at = 0;
            while let Some(whole) = DATE.find_at(text, at) {
                at = whole.end();
                let by_groups = DATE
                    .captures(whole.as_str())
                    .as_ref()
                    .and_then(iso_date_by_groups);
                assert_eq!(
                    iso_of_match(whole.as_str()),
                    by_groups,
                    "{text:?}: {:?}",
                    whole.as_str()
                );
                read += usize::from(by_groups.is_some());
            }
        }
        assert!(read > texts.len() / 2, "{read} of {}", texts.len());
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
        // Without quotes the first segment is taken for the title, marked as a guess.
        assert_eq!(
            f.title.as_deref(),
            Some("Interview with a senior official, Islamabad")
        );
        assert!(f.title_guessed);
        assert!(f.authors.is_empty());
        assert_eq!(f.date.as_deref(), Some("2020-10-12"));
    }

    /// The fields of one citation, for compact assertions.
    fn fields(
        text: &str,
    ) -> (
        Option<String>,
        bool,
        Vec<String>,
        Option<String>,
        Option<String>,
    ) {
        let f = parse(text, None);
        (f.title, f.title_guessed, f.authors, f.publication, f.date)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn apa() {
        let (title, guessed, authors, publication, date) = fields(
            "Shannon, C. E., & Weaver, W. (1949). The mathematical theory of communication. University of Illinois Press.",
        );
        assert_eq!(title, some("The mathematical theory of communication"));
        assert!(guessed);
        assert_eq!(authors, ["Shannon, C. E.", "Weaver, W."]);
        assert_eq!(publication, some("University of Illinois Press"));
        assert_eq!(date, some("1949"));
        let f = parse(
            "Lamport, L. (1978). Time, clocks, and the ordering of events in a distributed system. Communications of the ACM, 21(7), 558–565. https://doi.org/10.1145/359545.359563",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Time, clocks, and the ordering of events in a distributed system")
        );
        assert_eq!(f.publication.as_deref(), Some("Communications of the ACM"));
        assert_eq!(f.volume.as_deref(), Some("21"));
        assert_eq!(f.pages.as_deref(), Some("558–565"));
        assert_eq!(f.doi.as_deref(), Some("10.1145/359545.359563"));
        assert_eq!(f.date.as_deref(), Some("1978"));
    }

    #[test]
    fn subtitle_after_a_full_stop() {
        let f = parse(
            "Marlow, P. (2011). The quiet garden. Notes on growing herbs indoors. Leeds: Hedgerow Books.",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("The quiet garden. Notes on growing herbs indoors")
        );
        assert_eq!(f.publication.as_deref(), Some("Hedgerow Books"));
        let f = parse(
            "Okafor, N. (2008). Reading rivers. A field method. In T. Lund (Ed.), Water and place (pp. 3-20).",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Reading rivers. A field method"));
    }

    #[test]
    fn container_named_with_a_list() {
        let f = parse(
            "Varga, T. (2015). Ranking ponds by depth. Journal of Lakes, Rivers, and Estuaries, 12(4), 40-52.",
            None,
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("Journal of Lakes, Rivers, and Estuaries")
        );
    }

    #[test]
    fn comma_title_with_and() {
        let f = parse(
            "P. Lind and K. Ostrom, Tracking Shared Buffers and Stream Queues in Routers, Proc. Fifth Workshop on Networks, 1999.",
            None,
        );
        assert_eq!(f.authors, ["P. Lind", "K. Ostrom"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Tracking Shared Buffers and Stream Queues in Routers")
        );
    }

    #[test]
    fn title_in_single_straight_quotes() {
        let f = parse(
            "Brandt, O. (2012). 'Counting birds at dawn', Field Notes Quarterly 9: 14-21.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Counting birds at dawn"));
        assert_eq!(f.authors, ["Brandt, O."]);
    }

    #[test]
    fn organisation_as_author() {
        let f = parse(
            "World Health Organization. (2019). Global tuberculosis report. Geneva: WHO.",
            None,
        );
        assert_eq!(f.authors, ["World Health Organization"]);
        assert_eq!(f.title.as_deref(), Some("Global tuberculosis report"));
        assert_eq!(f.publication.as_deref(), Some("WHO"));
        assert_eq!(f.date.as_deref(), Some("2019"));
        // Without an author, APA puts the title first: a sentence-case title is not an organisation.
        let f = parse(
            "Good chemistry. (1996, September). The Alumni Magazine, 44(1), p. 8",
            None,
        );
        assert!(f.authors.is_empty());
        assert_eq!(f.title.as_deref(), Some("Good chemistry"));
        assert_eq!(f.publication.as_deref(), Some("The Alumni Magazine"));
    }

    #[test]
    fn harvard() {
        let (title, _, authors, publication, date) = fields(
            "Lamport, L. 1978. Time, clocks, and the ordering of events in a distributed system. Communications of the ACM, 21(7), pp. 558-565.",
        );
        assert_eq!(
            title,
            some("Time, clocks, and the ordering of events in a distributed system")
        );
        assert_eq!(authors, ["Lamport, L."]);
        assert_eq!(publication, some("Communications of the ACM"));
        assert_eq!(date, some("1978"));
    }

    #[test]
    fn chicago_bibliography_and_notes() {
        let (title, guessed, authors, publication, date) = fields(
            "Kuhn, Thomas S. The Structure of Scientific Revolutions. Chicago: University of Chicago Press, 1962.",
        );
        assert_eq!(title, some("The Structure of Scientific Revolutions"));
        assert!(guessed);
        assert_eq!(authors, ["Kuhn, Thomas S."]);
        assert_eq!(publication, some("University of Chicago Press"));
        assert_eq!(date, some("1962"));
        let (title, _, authors, publication, date) = fields(
            "Thomas S. Kuhn, The Structure of Scientific Revolutions (Chicago: University of Chicago Press, 1962), 52.",
        );
        assert_eq!(title, some("The Structure of Scientific Revolutions"));
        assert_eq!(authors, ["Thomas S. Kuhn"]);
        assert_eq!(publication, some("University of Chicago Press"));
        assert_eq!(date, some("1962"));
        // A journal article, quoted: the title is certain.
        let f = parse(
            r#"Turing, Alan M. "Computing Machinery and Intelligence." Mind 59, no. 236 (1950): 433–60."#,
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Computing Machinery and Intelligence")
        );
        assert!(!f.title_guessed);
        assert_eq!(f.authors, ["Turing, Alan M."]);
        assert_eq!(f.publication.as_deref(), Some("Mind"));
        assert_eq!(f.date.as_deref(), Some("1950"));
        assert_eq!(f.volume.as_deref(), Some("59"));
        assert_eq!(f.pages.as_deref(), Some("433–60"));
    }

    #[test]
    fn mla() {
        let f = parse(
            r#"Turing, Alan M. "Computing Machinery and Intelligence." Mind, vol. 59, no. 236, 1950, pp. 433-460."#,
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Computing Machinery and Intelligence")
        );
        assert_eq!(f.authors, ["Turing, Alan M."]);
        assert_eq!(f.publication.as_deref(), Some("Mind"));
        assert_eq!(f.date.as_deref(), Some("1950"));
        assert_eq!(f.volume.as_deref(), Some("59"));
        assert_eq!(f.pages.as_deref(), Some("433-460"));
    }

    #[test]
    fn vancouver() {
        let f = parse(
            "Watson JD, Crick FH. Molecular structure of nucleic acids. Nature. 1953;171(4356):737-8.",
            None,
        );
        assert_eq!(f.authors, ["Watson JD", "Crick FH"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Molecular structure of nucleic acids")
        );
        assert_eq!(f.publication.as_deref(), Some("Nature"));
        assert_eq!(f.date.as_deref(), Some("1953"));
        assert_eq!(f.volume.as_deref(), Some("171"));
        assert_eq!(f.pages.as_deref(), Some("737-8"));
    }

    #[test]
    fn ieee() {
        let f = parse(
            r#"[1] C. E. Shannon, "A mathematical theory of communication," Bell Syst. Tech. J., vol. 27, no. 3, pp. 379–423, 1948."#,
            None,
        );
        assert_eq!(f.authors, ["C. E. Shannon"]);
        assert_eq!(
            f.title.as_deref(),
            Some("A mathematical theory of communication")
        );
        assert!(!f.title_guessed);
        assert_eq!(f.publication.as_deref(), Some("Bell Syst. Tech. J."));
        assert_eq!(f.volume.as_deref(), Some("27"));
        assert_eq!(f.pages.as_deref(), Some("379–423"));
        assert_eq!(f.date.as_deref(), Some("1948"));
    }

    #[test]
    fn bluebook() {
        let f = parse("Brown v. Board of Education, 347 U.S. 483 (1954).", None);
        assert_eq!(f.title.as_deref(), Some("Brown v. Board of Education"));
        assert!(f.title_guessed);
        assert!(f.authors.is_empty());
        assert_eq!(f.publication.as_deref(), Some("U.S."));
        assert_eq!(f.volume.as_deref(), Some("347"));
        assert_eq!(f.pages.as_deref(), Some("483"));
        assert_eq!(f.date.as_deref(), Some("1954"));
        let f = parse(
            "Samuel D. Warren & Louis D. Brandeis, The Right to Privacy, 4 Harv. L. Rev. 193 (1890).",
            None,
        );
        assert_eq!(f.authors, ["Samuel D. Warren", "Louis D. Brandeis"]);
        assert_eq!(f.title.as_deref(), Some("The Right to Privacy"));
        assert_eq!(f.publication.as_deref(), Some("Harv. L. Rev."));
        assert_eq!(f.date.as_deref(), Some("1890"));
    }

    /// Policy-brief web citations, from the OSSF compiler hardening guide.
    #[test]
    fn web_citations() {
        let f = parse(
            r#"Wang, Xi, Haogang Chen, Alvin Cheung, Zhihao Jia, Nickolai Zeldovich, and M. Frans Kaashoek, 2012, "Undefined Behavior:What Happened to My Code?", APSys ‘12, ACM, https://pdos.csail.mit.edu/papers/ub:apsys12.pdf"#,
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Undefined Behavior:What Happened to My Code?")
        );
        assert_eq!(f.authors.first().map(String::as_str), Some("Wang, Xi"));
        assert_eq!(f.authors.len(), 6);
        assert_eq!(f.date.as_deref(), Some("2012"));
        // A Markdown link's text is the title.
        let f = parse_with_link(
            "LLVM team, Hardening Modes: Assertion categories, libc++ documentation, 2026-02-24.",
            None,
            Some("Hardening Modes: Assertion categories"),
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Hardening Modes: Assertion categories")
        );
        assert!(!f.title_guessed);
        assert_eq!(f.authors, ["LLVM team"]);
        assert_eq!(f.publication.as_deref(), Some("libc++ documentation"));
        assert_eq!(f.date.as_deref(), Some("2026-02-24"));
        let f = parse_with_link(
            "Cimpanu, Catalin, Microsoft: 70 percent of all security bugs are memory safety issues, ZDNet, 2019-02-11",
            None,
            Some("Microsoft: 70 percent of all security bugs are memory safety issues"),
        );
        assert_eq!(f.authors, ["Cimpanu, Catalin"]);
        assert_eq!(f.publication.as_deref(), Some("ZDNet"));
        // "[here](…)" is not a title.
        let f = parse_with_link("See here, 2020.", None, Some("here"));
        assert_eq!(f.title_guessed, f.title.is_some());
        // A manual's page named for a command, in lower case, where a title stands (the OpenSSF
        // hardening guide's notes).
        for (text, link, author, publication) in [
            (
                "Binutils team, strip, Documentation for binutils, 2023-07-30.",
                "strip",
                "Binutils team",
                "Documentation for binutils",
            ),
            (
                "LLVM team, clang-tidy - misc-misleading-identifier, Extra Clang Tools Documentation, 2024-03-28.",
                "clang-tidy - misc-misleading-identifier",
                "LLVM team",
                "Extra Clang Tools Documentation",
            ),
        ] {
            let f = parse_with_link(text, None, Some(link));
            assert_eq!(f.title.as_deref(), Some(link), "{text}");
            assert!(!f.title_guessed, "{text}");
            assert_eq!(f.authors, [author], "{text}");
            assert_eq!(f.publication.as_deref(), Some(publication), "{text}");
        }
        // In lower case inside a sentence, or a word that names no work, a link is no title.
        for (text, link) in [
            ("The strip tool removes symbols, 2023.", "strip"),
            ("GCC team, here, GCC Manual, 2023.", "here"),
            ("GCC team, this page, GCC Manual, 2023.", "this page"),
        ] {
            let f = parse_with_link(text, None, Some(link));
            assert_ne!(
                (f.title.as_deref(), f.title_guessed),
                (Some(link), false),
                "{text}"
            );
        }
    }

    /// Real references from AnyStyle's core.xml (BSD-2, github.com/inukshuk/anystyle), development split.
    #[test]
    fn chicago_note_with_imprint_in_parentheses() {
        let f = parse(
            "David Archard, Sexual Consent (Boulder: Westview Press, 1998), p. 20;",
            None,
        );
        assert_eq!(f.authors, ["David Archard"]);
        assert_eq!(f.title.as_deref(), Some("Sexual Consent"));
        assert_eq!(f.publication.as_deref(), Some("Westview Press"));
        assert_eq!(f.date.as_deref(), Some("1998"));
        // The title's last comma piece is not a journal: the container is in the parentheses.
        let f = parse(
            "Levin, David, Unsettling Opera: Staging Mozart, Verdi, Wagner, and Zemlinsky (University of Chicago Press, 2007).",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Unsettling Opera: Staging Mozart, Verdi, Wagner, and Zemlinsky")
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("University of Chicago Press")
        );
        // After a name written initials first, a piece without initials is the title.
        let f = parse(
            "V. O. Key, Politics, Parties, and Pressure Groups (New York: Crowell, 1964).",
            None,
        );
        assert_eq!(f.authors, ["V. O. Key"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Politics, Parties, and Pressure Groups")
        );
        assert_eq!(f.publication.as_deref(), Some("Crowell"));
    }

    /// AnyStyle core.xml (BSD-2), development split.
    #[test]
    fn author_lists_that_end_before_a_title() {
        // "Das" is a German article and a family name.
        let f = parse(
            "16. Knödler, A., Feng, S., Zhang, J., Zhang, X., Das, A., Peränen, J., and Guo, W. (2010). Coordination of Rab8 and Rab11 in primary ciliogenesis. Proceedings of the national academy of Sciences 107, 6346–6351.",
            None,
        );
        assert_eq!(f.authors.len(), 7);
        assert_eq!(
            f.title.as_deref(),
            Some("Coordination of Rab8 and Rab11 in primary ciliogenesis")
        );
        // "and" before a lowercase word joins a title's words.
        let f = parse(
            "[85] Minker, W. and Bennacef, S., Speech and human-machine dialog, Vol. 770, Springer, 2004.",
            None,
        );
        assert_eq!(f.authors, ["Minker, W.", "Bennacef, S."]);
        assert_eq!(f.title.as_deref(), Some("Speech and human-machine dialog"));
        // Vancouver: initials and a colon, or names a full stop apart.
        let f = parse(
            "51. Blackwell AC, Boothman RC: Documenting Informed Consent for Chemotherapy. Journal of Oncology Practice 3: 194-195, 2007",
            None,
        );
        assert_eq!(f.authors, ["Blackwell AC", "Boothman RC"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Documenting Informed Consent for Chemotherapy")
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("Journal of Oncology Practice")
        );
        let f = parse(
            "Goss DL. Moore JH. Compliance with Heel Lift Use During Eight Weeks of Cadet Basic Training. J Orthop Sports Phys Ther. 2004 34 3 126-131.",
            None,
        );
        assert_eq!(f.authors, ["Goss DL", "Moore JH"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Compliance with Heel Lift Use During Eight Weeks of Cadet Basic Training")
        );
        // An inverted name is complete after its given names; the title follows.
        let f = parse(
            "Levine, Robert S. Conspiracy and Romance: Studies in Brockden Brown, Cooper, Hawthorne, and Melville. Cambridge: Cambridge University Press, 1989.",
            None,
        );
        assert_eq!(f.authors, ["Levine, Robert S."]);
        assert_eq!(
            f.title.as_deref(),
            Some(
                "Conspiracy and Romance: Studies in Brockden Brown, Cooper, Hawthorne, and Melville"
            )
        );
        // "Jr." after a name written initials first; a year straight after the last name.
        let f = parse(
            "Dorcas, M. E., J. D. Willson, R. N. Reed, R. W. Snow, M. R. Rochford, M. A. Miller, W. E. Meshaka, Jr., P. T. Andreadis, F. J. Mazzotti, C. M. Romagosa, and K. M. Hart. 2012. Severe mammal declines coincide with proliferation of invasive Burmese pythons in Everglades National Park. Proceedings of the National Academy of Sciences 109: 2418–2422.",
            None,
        );
        assert_eq!(f.authors.len(), 11);
        assert!(
            f.title
                .as_deref()
                .is_some_and(|t| t.starts_with("Severe mammal"))
        );
        let f = parse(
            "Scott, W. B. and E. J. Crossman 1973 Freshwater Fishes of Canada. Bulletin 184. Fisheries Research Board of Canada, Ottawa.",
            None,
        );
        assert_eq!(f.authors, ["Scott, W. B.", "E. J. Crossman"]);
        assert_eq!(f.title.as_deref(), Some("Freshwater Fishes of Canada"));
        assert_eq!(f.date.as_deref(), Some("1973"));
        // A role in parentheses closes the list.
        let f = parse(
            "Bossy, J. (ed.) Disputes and Settlements: Law and Human Relations in the West. Cambridge, 1983.",
            None,
        );
        assert_eq!(f.authors, ["Bossy, J."]);
        assert_eq!(
            f.title.as_deref(),
            Some("Disputes and Settlements: Law and Human Relations in the West")
        );
        // "editor." is a role, not a journal after names written initials first.
        let f = parse(
            "A. Elmagarmid, editor. Transaction Models for Advanced Database Applications. Morgan-Kaufmann, 1992.",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Transaction Models for Advanced Database Applications")
        );
    }

    /// AnyStyle core.xml (BSD-2), development split.
    #[test]
    fn notes_after_a_title_are_not_the_title() {
        let f = parse(
            "———. Dom Casmurro, trans. John Gledson. New York: Oxford University Press, 1997.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Dom Casmurro"));
        assert_eq!(f.publication.as_deref(), Some("Oxford University Press"));
        let f = parse(
            "Tamminga, M. (2014). The dynamic production of variation (Unpublished doctoral dissertation). University of Pennsylvania.",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("The dynamic production of variation")
        );
        assert_eq!(f.publication.as_deref(), Some("University of Pennsylvania"));
        let f = parse(
            "Merleau-Ponty, M (1973). Consciousness and the acquisition of language, (H. J. Silverman, Trans.). Evanston, IL: Northwestern University Press. (Original work published 1949)",
            None,
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("Northwestern University Press")
        );
        // MLA: a film's or an edited book's title first, then its director or editor.
        let f = parse(
            "Ghost Stories. Ed. Peter Washington. New York: Alfred A. Knopf, 2008.",
            None,
        );
        assert!(f.authors.is_empty());
        assert_eq!(f.title.as_deref(), Some("Ghost Stories"));
        assert_eq!(f.publication.as_deref(), Some("Alfred A. Knopf"));
    }

    /// AnyStyle core.xml (BSD-2), development split.
    #[test]
    fn places_of_publication() {
        let f = parse(
            "BESSA, Marcelo Secron. Os perigosos: autobiografia & AIDS. Rio de Janeiro: Aeroplano, 2002.",
            None,
        );
        assert_eq!(f.publication.as_deref(), Some("Aeroplano"));
        let f = parse(
            "Childs, Francis Lane (1961). Hanover, New Hampshire: A Bicentennial Book. Hanover, New Hampshire: The Vermont Printing Company.",
            None,
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("The Vermont Printing Company")
        );
        // Three capitalised words and a colon are a title, not a place.
        let f = parse(
            "Berry, Wendell. “The Regional Motive.” In A Continuous Harmony: Essays Cultural and Agricultural. New York: Harcourt Brace Jovanovich, 1972, 63–70.",
            None,
        );
        assert_ne!(
            f.publication.as_deref(),
            Some("Essays Cultural and Agricultural")
        );
    }

    /// AnyStyle core.xml (BSD-2), development split; the OSSF guide's footnotes.
    #[test]
    fn last_comma_piece_of_a_title() {
        // A lowercase phrase is the title's, not a journal.
        let f = parse(
            "Leroy, X. The Objective Caml system, documentation and user's guide, 1997.",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("The Objective Caml system, documentation and user's guide")
        );
        assert_eq!(f.publication, None);
        // A name written in lowercase is still a site; an acronym in parentheses is not a role.
        let f = parse(
            "SUSE, openSUSE Security Features, openSUSE Wiki, 2023.",
            None,
        );
        assert_eq!(f.publication.as_deref(), Some("openSUSE Wiki"));
        let f = parse(
            "Carnegie Mellon University (CMU), Top 10 Secure Coding Practices, 2018.",
            None,
        );
        assert_eq!(f.authors, ["Carnegie Mellon University (CMU)"]);
    }

    /// Physics and astronomy: the journal and volume, no title. AnyStyle core.xml (BSD-2).
    #[test]
    fn journal_without_a_title() {
        let f = parse("Ascasibar Y., Markevitch M., 2006, ApJ, 650, 102", None);
        assert_eq!(f.title, None);
        assert_eq!(f.publication.as_deref(), Some("ApJ"));
        assert_eq!(f.date.as_deref(), Some("2006"));
        let f = parse(
            "I. Schropp, H. A. Atwater, A. Polman, Opt. Express 2010, 18, A237.",
            None,
        );
        assert_eq!(f.authors.len(), 3);
        assert_eq!(f.title, None);
        assert_eq!(f.publication.as_deref(), Some("Opt. Express"));
        assert_eq!(f.date.as_deref(), Some("2010"));
        let f = parse(
            "[16] L. Randall and R. Sundrum, Phys. Rev. Lett. 83, 3370 (1999) [arXiv:hepph/9905221].",
            None,
        );
        assert_eq!(f.publication.as_deref(), Some("Phys. Rev. Lett."));
        assert_eq!(f.date.as_deref(), Some("1999"));
        // A title of long words ended by a full stop, then the journal.
        let f = parse(
            "Weiss, S., & Indurkhya, N. (1993a). Optimized Rule Induction. IEEE Expert, 8 (6), 61-69.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Optimized Rule Induction"));
        assert_eq!(f.publication.as_deref(), Some("IEEE Expert"));
    }

    #[test]
    fn hostile_input_is_bounded() {
        let long = "A. ".repeat(50_000) + &"and, ".repeat(50_000);
        let f = parse(&long, Some("x"));
        assert!(f.title.as_ref().is_none_or(|t| t.len() <= MAX_LEN));
        let quotes = "\"".repeat(100_000);
        let _ = parse(&quotes, None);
        let digits = "1999-".repeat(100_000);
        let _ = parse(&digits, None);
        let parens = "Doe, J. Title ( x".repeat(20_000) + ")";
        let _ = parse(&parens, None);
        let _ = parse(&". ".repeat(100_000), None);
        let _ = parse(&"Doe, ".repeat(100_000), None);
        let _ = parse(&"(1999) ".repeat(100_000), None);
        // No slice may fall inside a character, whatever the text around it.
        let text = "Müller, J.–P. (2001). “Ça—va” – Über. In É. Ö (Eds.), Äb – 12–13. Zürich: Ü, 1999–2000.";
        for (i, _) in text.char_indices() {
            let _ = parse(&text[i..], Some("Ü"));
            let _ = parse(&text[..i], None);
            let _ = parse_with_link(&text[i..], None, Some("Über"));
        }
    }

    /// Bluebook and Chicago signals, and the lead-ins of policy briefs, are not titles. Notes from the
    /// World Bank's Open Energy Data Assessments (Accra, Nairobi).
    #[test]
    fn lead_in_signals_are_not_titles() {
        for text in [
            "See http://www.opengovpartnership.org/country/ghana/action-plan",
            "See also http://www.opencounty.org/",
            "Cf. https://opendata.go.ke/browse",
            "Source: http://budget.opendata.go.ke/",
            "See, e.g., http://who.is/whois/icann.org",
        ] {
            let f = parse(text, None);
            assert_eq!(f.title, None, "{text}");
            assert_eq!(f.publication, None, "{text}");
        }
        let f = parse(
            "For a good overview of the tech scene in Kenya, see Julia Manske, The Emergence, Challenges and Potential of the Kenyan Tech Ecosystem”, Vodafone Institute, May 2014, http://whiteafrican.com/wp-content/uploads/2014/05/1404_VFI_Report_Innovations_out_of_Africa.pdf",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("The Emergence, Challenges and Potential of the Kenyan Tech Ecosystem")
        );
        assert_eq!(f.authors, ["Julia Manske"]);
        assert_eq!(f.publication.as_deref(), Some("Vodafone Institute"));
        assert_eq!(f.date.as_deref(), Some("2014-05"));
        let f = parse(
            "See “Understanding the ccTLD Delegation and Redelegation Procedure.” IANA. Retrieved from http://www.iana.org/domains/root/delegation-guide.",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Understanding the ccTLD Delegation and Redelegation Procedure")
        );
        assert_eq!(f.publication.as_deref(), Some("IANA"));
        // "Seeing Like a State" is a title, not a signal.
        let f = parse(
            "Seeing Like a State. New Haven: Yale University Press, 1998.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Seeing Like a State"));
        // What is left between two URLs is no title.
        let f = parse("http://a.example/x and http://b.example/y", None);
        assert_eq!(f.title, None);
    }

    /// APA web references: "(Year, Month D)", "Retrieved [date,] from Site: URL", "(n.d.)". Notes from
    /// GovLab's Coeliac UK case study.
    #[test]
    fn apa_web_references() {
        let f = parse(
            "Coeliac UK. (2014, June 27). Coeliac UK’s smartphone app available on iPhone and Android devices now. Retrieved from Coeliac UK: https://www.coeliac.org.uk/about-us/news/coeliac-uks-smartphone-app-available-on-iphone-and-android/",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Coeliac UK’s smartphone app available on iPhone and Android devices now")
        );
        assert_eq!(f.publication.as_deref(), Some("Coeliac UK"));
        assert_eq!(f.date.as_deref(), Some("2014-06-27"));
        let f = parse(
            "Booth, S. (2014, May 14). The growth of gluten-free food: 10 of the best products . Retrieved from The Guardian: http://www.theguardian.com/lifeandstyle/2014/may/14/growth-gluten-free-10-best-products",
            None,
        );
        assert_eq!(f.authors, ["Booth, S."]);
        assert_eq!(f.publication.as_deref(), Some("The Guardian"));
        assert_eq!(f.date.as_deref(), Some("2014-05-14"));
        let f = parse(
            "Wikipedia. (n.d.). Coeliac UK. Retrieved September 30, 2015, from Wikipedia: https://en.wikipedia.org/wiki/Coeliac_UK",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Coeliac UK"));
        assert_eq!(f.publication.as_deref(), Some("Wikipedia"));
        assert_eq!(f.date, None);
        assert_eq!(f.accessed.as_deref(), Some("2015-09-30"));
        // "(n.d.)": a year in the title is not the date.
        let f = parse(
            "TalkTalk Digital Heroes. (n.d.). 2014 Winners. Retrieved September 30, 2015, from TalkTalk: http://digitalheroes.talktalk.co.uk/past-winners/2014-winners/",
            None,
        );
        assert_eq!(f.date, None);
        assert_eq!(f.publication.as_deref(), Some("TalkTalk"));
        // "Retrieved from http://…" names no site; the publication before it ends at the full stop.
        let f = parse(
            "“Brief History of the Internet.” Internet Society. Retrieved from http://www.internetsociety.org/internet/what-internet/history-internet/brief-history-internet.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Brief History of the Internet"));
        assert_eq!(f.publication.as_deref(), Some("Internet Society"));
        // Without an author, the title stands first.
        let f = parse(
            "History of Coeliac UK. (n.d.). Retrieved September 30, 2015, from Coeliac UK: https://www.coeliac.org.uk/x",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("History of Coeliac UK"));
        assert!(f.authors.is_empty());
        assert_eq!(f.publication.as_deref(), Some("Coeliac UK"));
        assert_eq!(f.date, None);
        // A person's name then "Online …" is an author and a title (AnyStyle core.xml, BSD-2).
        let f = parse(
            "Auray, N. (2012), Online communities and governance mechanisms, in E. Brousseau (ed.), Governance, Regulation and Powers on the Internet. Cambridge: Cambridge University Press, pp. 211-231.",
            None,
        );
        assert_eq!(f.authors, ["Auray, N."]);
        // A group author is the site.
        let f = parse(
            "Coeliac UK. (2014, June 27). Smartphone app now available. Retrieved from https://www.coeliac.org.uk/x",
            None,
        );
        assert_eq!(f.publication.as_deref(), Some("Coeliac UK"));
        // A document's number before the quoted title (ICANN technical backgrounder).
        let f = parse(
            "Paul Mockapetris. RFC 1034: “Domain Names - Concepts and Facilities.” The Internet Society. (November 1987). Retrieved from http://tools.ietf.org/html/rfc1034.",
            None,
        );
        assert_eq!(f.authors, ["Paul Mockapetris"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Domain Names - Concepts and Facilities")
        );
        assert_eq!(f.publication.as_deref(), Some("The Internet Society"));
        assert_eq!(f.date.as_deref(), Some("1987-11"));
        // "(1996, September)": the month too.
        let f = parse(
            "Good chemistry. (1996, September). Consumer Reports, 44(1), 12.",
            None,
        );
        assert_eq!(f.date.as_deref(), Some("1996-09"));
    }

    /// Dates keep the precision printed, and access dates are never the citation's date.
    #[test]
    fn dates_keep_their_precision() {
        let date = |t: &str| parse(t, None).date;
        assert_eq!(
            date(
                "Griliopoulos, Dan. “Data exchange helps humanitarians act fast and effectively”. The Guardian. December 29, 2014."
            ),
            some("2014-12-29")
        );
        assert_eq!(
            date("“Title,” The Guardian, 29 December 2014."),
            some("2014-12-29")
        );
        assert_eq!(
            date("“Title,” Vodafone Institute, December 2014."),
            some("2014-12")
        );
        for note in [
            "“Title,” Site, http://a.example/, Accessed 3 May 2020.",
            "“Title,” Site, http://a.example/ (last visited Jan. 3, 2020).",
            "“Title,” Site, http://a.example/, viewed 3 May 2020.",
            "“Title,” Site, http://a.example/, consulted on 3 May 2020.",
            "“Title,” Site. Retrieved May 3, 2020, from http://a.example/",
        ] {
            let f = parse(note, None);
            assert_eq!(f.date, None, "{note}");
            assert!(f.accessed.is_some(), "{note}");
        }
        let f = parse("The Guardian. The Guardian. December 29, 2014.", None);
        assert_eq!(f.date.as_deref(), Some("2014-12-29"));
    }

    /// Web citations of policy briefs: "Org, Title, Date, URL" (the corporate author publishes) and
    /// "Title, Publisher, Date, URL". Notes from the World Bank's Open Data Readiness Assessments.
    #[test]
    fn corporate_authors_and_title_first_web_citations() {
        let f = parse(
            "Ghana Statistical Service, Statistics Development Plan, November 2008, http://www.paris21.org/sites/default/files/GHANA-NSDS-2009-13.pdf",
            None,
        );
        assert_eq!(f.authors, ["Ghana Statistical Service"]);
        assert_eq!(f.title.as_deref(), Some("Statistics Development Plan"));
        assert_eq!(f.publication.as_deref(), Some("Ghana Statistical Service"));
        assert_eq!(f.date.as_deref(), Some("2008-11"));
        let f = parse(
            "World Bank, Ghana Statistics Development Program, http://www.worldbank.org/projects/P118858/ghana-statistics-development-program?lang=en&tab=overview",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Ghana Statistics Development Program")
        );
        assert_eq!(f.publication.as_deref(), Some("World Bank"));
        let f = parse(
            "Ugandan Public Officials’ Perceptions of Using ICT to Advance the Right to Information, CIPESA, January 2015, http://www.cipesa.org/?wpfb_dl=103",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some(
                "Ugandan Public Officials’ Perceptions of Using ICT to Advance the Right to Information"
            )
        );
        assert_eq!(f.publication.as_deref(), Some("CIPESA"));
        assert_eq!(f.date.as_deref(), Some("2015-01"));
        let f = parse(
            "Patient’s Charter, http://www.health.go.ug/Patient.pdf, August 2009.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Patient’s Charter"));
        assert!(f.authors.is_empty());
        assert_eq!(f.date.as_deref(), Some("2009-08"));
        // An organisation followed by a person: both authors (AnyStyle core.xml, BSD-2).
        let f = parse(
            "NIST Mass Spec Data Center, Stein, S. E., \"Infrared Spectra\" in NIST Chemistry WebBook, NIST Standard Reference Database Number 69.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Infrared Spectra"));
        // A family name in capitals is no organisation.
        let f = parse("FLORENNE, Yves - Le Monde, 30 juillet 1952", None);
        assert_ne!(f.publication.as_deref(), Some("FLORENNE"));
        // An organisation whose name has "of" in it.
        let f = parse(
            "National Bureau of Statistics, Tanzania in Figures 2012, June 2013, http://www.nbs.go.tz/x.pdf",
            None,
        );
        assert_eq!(f.authors, ["National Bureau of Statistics"]);
        assert_eq!(f.title.as_deref(), Some("Tanzania in Figures 2012"));
        assert_eq!(
            f.publication.as_deref(),
            Some("National Bureau of Statistics")
        );
        assert_eq!(f.date.as_deref(), Some("2013-06"));
        // A name with commas in it is not cut at the first.
        let f = parse(
            "Ministry of Water Resources, Works and Housing, National Housing Policy, 2015",
            None,
        );
        assert_ne!(f.authors, ["Ministry of Water Resources"]);
        // An act is named for the agency it sets up: a title.
        let f = parse(
            "Uganda Bureau of Statistics Act, http://unstats.un.org/unsd/dnss/docViewer.aspx?docID=364#start, June 11, 1998.",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Uganda Bureau of Statistics Act"));
        assert!(f.authors.is_empty());
        // A person is not a publisher.
        let f = parse(
            "Julia Manske, Innovations out of Africa, May 2014, http://a.example/report.pdf",
            None,
        );
        assert_eq!(f.publication, None);
        // Not a web page: a place before the date is no publisher.
        let f = parse(
            "Interview with an official, Islamabad, 12 October 2020.",
            None,
        );
        assert_eq!(f.publication, None);
    }

    /// A quoted title followed by its author, then the publisher; a Chicago journal with commas in
    /// its name; an agency's acronym.
    #[test]
    fn after_a_quoted_title() {
        let f = parse(
            "“Open Data in Kenya,” Jane Doe, Vodafone Institute, May 2014, http://a.example/",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Open Data in Kenya"));
        assert_eq!(f.authors, ["Jane Doe"]);
        assert_eq!(f.publication.as_deref(), Some("Vodafone Institute"));
        let f = parse(
            "“Open Data in Kenya,” by Jane Doe, The Guardian, May 3, 2014.",
            None,
        );
        assert_eq!(f.authors, ["Jane Doe"]);
        assert_eq!(f.publication.as_deref(), Some("The Guardian"));
        // A journal's name in comma pieces, with volume and pages after it: no author (AnyStyle
        // core.xml, BSD-2).
        let f = parse(
            "P. W. Kimball and S. M. Rock, “Mapping of translating, rotating icebergs with an autonomous underwater vehicle,” Oceanic Engineering, IEEE Journal of, vol. 40, no. 1, pp. 196–208, Jan 2015.",
            None,
        );
        assert_eq!(f.authors, ["P. W. Kimball", "S. M. Rock"]);
        assert_ne!(f.publication.as_deref(), Some("IEEE Journal of"));
        // A newspaper and its section: no author.
        let f = parse(
            "“Open Data in Kenya,” New York Times, Opinion, May 3, 2014.",
            None,
        );
        assert!(f.authors.is_empty());
        assert_eq!(f.publication.as_deref(), Some("New York Times"));
        let f = parse(
            "Brenda Dorcely et al., “Novel Biomarkers for Prediabetes, Diabetes, and Associated Complications,” Diabetes, Metabolic Syndrome and Obesity: Targets and Therapy 10 (August 14, 2017): 345–61, https://doi.org/10.2147/DMSO.S100074.",
            None,
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("Diabetes, Metabolic Syndrome and Obesity: Targets and Therapy")
        );
        assert_eq!(f.date.as_deref(), Some("2017-08-14"));
        let f = parse(
            "“Accelerating Medicines Partnership (AMP),” National Institutes of Health (NIH), accessed September 9, 2019, https://www.nih.gov/research-training/accelerating-medicines-partnership-amp.",
            None,
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("National Institutes of Health (NIH)")
        );
        assert_eq!(f.date, None);
        assert_eq!(f.accessed.as_deref(), Some("2019-09-09"));
    }

    /// Chicago: "and" between capitalised words of a title is not between two names.
    #[test]
    fn and_inside_a_title() {
        let f = parse(
            "See generally Lawrence Lessig, Code and Other Laws of Cyberspace (New York: Basic Books, 1999).",
            None,
        );
        assert_eq!(f.authors, ["Lawrence Lessig"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Code and Other Laws of Cyberspace")
        );
        assert_eq!(f.publication.as_deref(), Some("Basic Books"));
        let f = parse(
            "Jane Doe, John Roe and Ludwig van Beethoven, Title of the Work (New York: Basic Books, 1999).",
            None,
        );
        assert_eq!(f.authors.len(), 3);
    }

    /// Legal citations: cases, statutes and cross-references give no wrong fields.
    #[test]
    fn legal_citations() {
        let f = parse(
            "See Brown v. Board of Education, 347 U.S. 483 (1954).",
            None,
        );
        assert_eq!(f.title.as_deref(), Some("Brown v. Board of Education"));
        assert_eq!(f.date.as_deref(), Some("1954"));
        // Statutes: the act's name, the code and its title number, the year.
        let f = parse("42 U.S.C. § 1983 (2018).", None);
        assert_eq!(f.title, None);
        assert_eq!(f.publication.as_deref(), Some("U.S.C."));
        assert_eq!(f.volume.as_deref(), Some("42"));
        assert_eq!(f.date.as_deref(), Some("2018"));
        assert!(f.authors.is_empty());
        let f = parse("Freedom of Information Act, 5 U.S.C. § 552 (2018).", None);
        assert_eq!(f.title.as_deref(), Some("Freedom of Information Act"));
        assert_eq!(f.publication.as_deref(), Some("U.S.C."));
        assert!(f.authors.is_empty());
        // An act is not an author.
        let f = parse(
            "Data Protection Act 2012 (Act 843), Republic of Ghana, http://www.dataprotection.org.gh/",
            None,
        );
        assert!(f.authors.is_empty());
        assert!(
            f.title
                .is_some_and(|t| t.starts_with("Data Protection Act 2012"))
        );
        for note in [
            "Id.",
            "Ibid.",
            "Id. at 485.",
            "See supra note 3.",
            "Ibid., p. 4.",
        ] {
            let f = parse(note, None);
            assert!(f.authors.is_empty(), "{note}");
            assert_eq!(f.title, None, "{note}");
            assert_eq!(f.publication, None, "{note}");
            assert_eq!(f.date, None, "{note}");
        }
    }

    /// An italic run (DOCX `w:i`, Markdown `*x*`) where the title stands is the title (Chicago, MLA);
    /// after a quoted title it is the publication.
    #[test]
    fn italic_runs() {
        let f = parse(
            "James C. Scott, Seeing Like a State, Yale University Press, 1998.",
            Some("Seeing Like a State"),
        );
        assert_eq!(f.title.as_deref(), Some("Seeing Like a State"));
        assert!(!f.title_guessed);
        assert_eq!(f.authors, ["James C. Scott"]);
        assert_eq!(f.publication.as_deref(), Some("Yale University Press"));
        let f = parse(
            "World Bank, Open Data Readiness Assessment, Uganda, 2015, http://a.example/",
            Some("Open Data Readiness Assessment"),
        );
        assert_eq!(f.title.as_deref(), Some("Open Data Readiness Assessment"));
        assert!(!f.title_guessed);
        let f = parse(
            "Jane Doe, “Open Data in Kenya,” Daily Nation, May 3, 2014.",
            Some("Daily Nation"),
        );
        assert_eq!(f.title.as_deref(), Some("Open Data in Kenya"));
        assert_eq!(f.publication.as_deref(), Some("Daily Nation"));
        // A corporate author before the italic title.
        let f = parse(
            "Ministry of Health. Annual Health Sector Performance Report. Kampala, 2014.",
            Some("Annual Health Sector Performance Report"),
        );
        assert_eq!(f.authors, ["Ministry of Health"]);
        assert_eq!(
            f.title.as_deref(),
            Some("Annual Health Sector Performance Report")
        );
        // An italic signal or "et al." names no work.
        let f = parse(
            "See Jane Doe, Seeing Like a State (New Haven: Yale University Press, 1998).",
            Some("See"),
        );
        assert_eq!(f.title.as_deref(), Some("Seeing Like a State"));
        assert_eq!(f.authors, ["Jane Doe"]);
        // APA: the italic run after the title is the journal.
        let f = parse(
            "Lamport, L. (1978). Time, clocks, and the ordering of events. Communications of the ACM, 21(7), 558–565.",
            Some("Communications of the ACM"),
        );
        assert_eq!(
            f.title.as_deref(),
            Some("Time, clocks, and the ordering of events")
        );
        assert_eq!(f.publication.as_deref(), Some("Communications of the ACM"));
    }

    #[test]
    fn german_notes_as_din_1505_writes_them() {
        // From the transparenzgesetz.de background paper (InDesign, 2022).
        let f = parse(
            "Vgl. Institut für Gesetzesabschätzung und Evaluation: Evaluation des Gesetzes zur \
             Regelung des Zugangs zu Informationen des Bundes – Informationsfreiheitsgesetz des \
             Bundes (IFG) im Auftrag des Innenausschusses des Deutschen Bundestages, Mai 2012, \
             dokumentiert unter: www.dgif.de/fileadmin/x.pdf",
            None,
        );
        assert_eq!(
            f.title.as_deref(),
            Some(
                "Evaluation des Gesetzes zur Regelung des Zugangs zu Informationen des Bundes – \
                 Informationsfreiheitsgesetz des Bundes (IFG)"
            )
        );
        assert_eq!(
            f.publication.as_deref(),
            Some("Institut für Gesetzesabschätzung und Evaluation")
        );
        assert_eq!(f.date.as_deref(), Some("2012-05"));
        // A span of years names a period, not the day of publication.
        let f = parse(
            "Vgl. Mehr Fortschritt wagen. Koalitionsvertrag 2021 – 2025 zwischen der SPD, S. 10f.",
            None,
        );
        assert_eq!(f.date, None);
        // A phrase in lower case that introduces a bare host is no title.
        let f = parse(
            "Vgl. zum Gesetzestext in Hamburg: transparenz.hamburg.de/das-hmbtg",
            None,
        );
        assert_eq!(f.title, None);
    }
}
