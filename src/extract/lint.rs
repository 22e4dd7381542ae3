//! Lint: what an editor wants to know about a document's footnotes before any network check.

use std::collections::BTreeMap;

use rayon::prelude::*;
// Keyed afresh in each process: a document cannot be written to make its ids or URLs collide.
use foldhash::{HashMap, HashSet};

use super::RawReference;
use super::model::{Finding, FindingKind, Footnote, Link};
use crate::uri::{Uri, UriError};

/// What the lint reads of a footnote: the model's [`Footnote`], or a [`NoteSummary`] of one already
/// written out and freed.
pub(crate) trait Note: Sync {
    type Url: AsRef<str> + PartialEq + Sync;
    fn id(&self) -> &str;
    /// 1-based line of the definition.
    fn line(&self) -> usize;
    /// Whether the body cites it.
    fn cited(&self) -> bool;
    fn text_is_empty(&self) -> bool;
    fn urls(&self) -> &[Self::Url];
    /// Its title, unless guessed from the layout.
    fn certain_title(&self) -> Option<&str>;
}

impl Note for Footnote {
    type Url = String;
    fn id(&self) -> &str {
        &self.id
    }
    fn line(&self) -> usize {
        self.line
    }
    fn cited(&self) -> bool {
        !self.references.is_empty()
    }
    fn text_is_empty(&self) -> bool {
        self.text.is_empty()
    }
    fn urls(&self) -> &[String] {
        &self.urls
    }
    fn certain_title(&self) -> Option<&str> {
        self.title.as_deref().filter(|_| !self.title_guessed)
    }
}

/// What the lint needs of a footnote, kept once the footnote itself is written and freed (boxed
/// strings, a document's worth of them: 100,000 of these are held at once).
pub(crate) struct NoteSummary {
    id: Box<str>,
    line: usize,
    cited: bool,
    text_is_empty: bool,
    urls: Box<[Box<str>]>,
    title: Option<Box<str>>,
}

impl NoteSummary {
    pub(crate) fn of(f: &Footnote) -> Self {
        NoteSummary {
            id: f.id.as_str().into(),
            line: f.line,
            cited: f.cited(),
            text_is_empty: f.text.is_empty(),
            urls: f.urls.iter().map(|u| u.as_str().into()).collect(),
            title: f.certain_title().map(Into::into),
        }
    }
}

impl Note for NoteSummary {
    type Url = Box<str>;
    fn id(&self) -> &str {
        &self.id
    }
    fn line(&self) -> usize {
        self.line
    }
    fn cited(&self) -> bool {
        self.cited
    }
    fn text_is_empty(&self) -> bool {
        self.text_is_empty
    }
    fn urls(&self) -> &[Box<str>] {
        &self.urls
    }
    fn certain_title(&self) -> Option<&str> {
        self.title.as_deref()
    }
}

/// Lints a document: its footnotes (URLs already resolved against any base URL), the line of each of
/// their URLs, the references in the body and the links outside footnotes.
pub(crate) fn lint<N: Note>(
    footnotes: &[N],
    url_lines: &[Vec<usize>],
    references: &[RawReference],
    links: &[Link],
    empty: bool,
    structure: bool,
    printed: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if empty {
        out.push(Finding::new(
            FindingKind::EmptyDocument,
            None,
            None,
            "the document is empty".into(),
        ));
    }
    // The three passes are independent: at once, their findings then joined in this order (the
    // sort by line is stable).
    let ((structure_findings, order_findings), url_findings) = rayon::join(
        || {
            rayon::join(
                || {
                    let mut out = Vec::new();
                    footnote_structure(footnotes, references, structure, &mut out);
                    out
                },
                || {
                    let mut out = Vec::new();
                    if structure {
                        footnote_order(footnotes, references, &mut out);
                    }
                    out
                },
            )
        },
        || {
            let mut out = Vec::new();
            urls(footnotes, url_lines, links, printed, &mut out);
            out
        },
    );
    out.extend(structure_findings);
    out.extend(order_findings);
    out.extend(url_findings);
    out.sort_by_key(|f| f.line);
    cap_per_kind(&mut out);
    out
}

/// How many findings of one kind a document lists; the rest are counted in one `over-budget`
/// finding. A flood of notes would otherwise list hundreds of thousands of the same finding, and the
/// report would grow far past the document.
const MAX_PER_KIND: usize = 1_000;

fn cap_per_kind(findings: &mut Vec<Finding>) {
    let mut seen: std::collections::HashMap<FindingKind, usize> = std::collections::HashMap::new();
    let mut first_over: Vec<(FindingKind, Option<usize>)> = Vec::new();
    findings.retain(|f| {
        let n = seen.entry(f.kind).or_default();
        *n += 1;
        if *n == MAX_PER_KIND + 1 {
            first_over.push((f.kind, f.line));
        }
        *n <= MAX_PER_KIND
    });
    let capped = !first_over.is_empty();
    for (kind, line) in first_over {
        let over = seen[&kind] - MAX_PER_KIND;
        findings.push(Finding::new(
            FindingKind::OverBudget,
            None,
            line,
            format!(
                "{over} more {} findings past the first {MAX_PER_KIND} are not listed",
                kind.as_str()
            ),
        ));
    }
    if capped {
        findings.sort_by_key(|f| f.line);
    }
}

/// Definitions, references and empty notes; `structure` is false when the footnotes were inferred from
/// page layout, which then gets no error-level structure finding (undefined, duplicate, unused).
fn footnote_structure<N: Note>(
    footnotes: &[N],
    references: &[RawReference],
    structure: bool,
    out: &mut Vec<Finding>,
) {
    let mut first_def: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(footnotes.len(), Default::default());
    for def in footnotes {
        if let Some(&first) = first_def.get(def.id()) {
            if !structure {
                continue;
            }
            out.push(Finding::new(
                FindingKind::DuplicateFootnote,
                Some(def.id()),
                Some(def.line()),
                format!(
                    "footnote {} is defined again (first defined on line {first})",
                    def.id()
                ),
            ));
        } else {
            first_def.insert(def.id(), def.line());
        }
    }

    let mut undefined: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for r in references.iter().filter(|_| structure) {
        if !first_def.contains_key(r.id.as_str()) {
            undefined.entry(&r.id).or_default().push(r.line);
        }
    }
    for (id, lines) in undefined {
        let message = if lines.len() == 1 {
            format!("footnote {id} is cited but never defined")
        } else {
            format!(
                "footnote {id} is cited {} times (lines {}) but never defined",
                lines.len(),
                join(&lines)
            )
        };
        out.push(Finding::new(
            FindingKind::UndefinedFootnote,
            Some(id),
            Some(lines[0]),
            message,
        ));
    }

    for f in footnotes {
        if first_def.get(f.id()) != Some(&f.line()) {
            continue; // a duplicate, reported above
        }
        if structure && !f.cited() {
            out.push(Finding::new(
                FindingKind::UnusedFootnote,
                Some(f.id()),
                Some(f.line()),
                format!("footnote {} is defined but never cited in the text", f.id()),
            ));
        }
        if f.text_is_empty() && f.urls().is_empty() {
            out.push(Finding::new(
                FindingKind::EmptyFootnote,
                Some(f.id()),
                Some(f.line()),
                format!("footnote {} is empty", f.id()),
            ));
        } else if f.urls().is_empty() {
            out.push(Finding::new(
                FindingKind::NoUrl,
                Some(f.id()),
                Some(f.line()),
                format!("footnote {} cites nothing online", f.id()),
            ));
        }
    }
}

/// Numbered footnotes should be defined 1, 2, 3… and first cited in that order.
fn footnote_order<N: Note>(footnotes: &[N], references: &[RawReference], out: &mut Vec<Finding>) {
    let number = |id: &str| id.parse::<u64>().ok();
    let mut reported: HashSet<u64> = HashSet::default();

    // Definitions out of order.
    let mut max_def: Option<u64> = None;
    let mut defined: HashSet<u64> =
        HashSet::with_capacity_and_hasher(footnotes.len(), Default::default());
    for def in footnotes {
        let Some(n) = number(def.id()) else { continue };
        if let Some(max) = max_def
            && n < max
            && !defined.contains(&n)
            && reported.insert(n)
        {
            out.push(Finding::new(
                FindingKind::FootnoteOrder,
                Some(def.id()),
                Some(def.line()),
                format!("footnote {n} is defined after footnote {max}"),
            ));
        }
        defined.insert(n);
        max_def = max_def.max(Some(n));
    }

    // Citations out of order: footnote n first cited after a higher number.
    let mut max_ref: Option<u64> = None;
    let mut cited: HashSet<u64> =
        HashSet::with_capacity_and_hasher(footnotes.len(), Default::default());
    for r in references {
        let Some(n) = number(&r.id) else { continue };
        if !cited.insert(n) {
            continue;
        }
        if let Some(max) = max_ref
            && n < max
            && reported.insert(n)
        {
            out.push(Finding::new(
                FindingKind::FootnoteOrder,
                Some(&r.id),
                Some(r.line),
                format!("footnote {n} is first cited after footnote {max}"),
            ));
        }
        max_ref = max_ref.max(Some(n));
    }

    // Numbers skipped: neither defined nor cited between the lowest and highest.
    let mut known: Vec<u64> = defined
        .iter()
        .copied()
        .chain(cited.iter().copied())
        .collect();
    known.sort_unstable();
    known.dedup();
    for pair in known.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b > a + 1 {
            let line = footnotes
                .iter()
                .find(|d| number(d.id()) == Some(b))
                .map(|d| d.line())
                .or_else(|| {
                    references
                        .iter()
                        .find(|r| number(&r.id) == Some(b))
                        .map(|r| r.line)
                });
            let missing = if b == a + 2 {
                format!("footnote {} is missing", a + 1)
            } else {
                format!("footnotes {} to {} are missing", a + 1, b - 1)
            };
            out.push(Finding::new(
                FindingKind::FootnoteOrder,
                Some(&b.to_string()),
                line,
                format!("numbering skips from {a} to {b}: {missing}"),
            ));
        }
    }
}

/// `printed`: the document is a printed page (PDF), where an address without a scheme names a host.
fn urls<N: Note>(
    footnotes: &[N],
    url_lines: &[Vec<usize>],
    links: &[Link],
    printed: bool,
    out: &mut Vec<Finding>,
) {
    // Parsing every URL is the costly part of the lint on a large report: in parallel, in order;
    // only the problems are kept, with the place of their URL in that order.
    // (The place of a link's URL is the number of footnotes and its index.)
    let parse = |url: &str| Uri::validate(url, printed).err();
    let problems: Vec<((usize, usize), UriError)> = footnotes
        .par_iter()
        .enumerate()
        .flat_map_iter(|(n, f)| {
            let urls = f.urls().iter().enumerate();
            urls.filter_map(move |(u, url)| Some(((n, u), parse(url.as_ref())?)))
        })
        .chain(
            links
                .par_iter()
                .enumerate()
                .filter_map(|(l, link)| Some(((footnotes.len(), l), parse(&link.url)?))),
        )
        .collect();
    let mut problems = problems.into_iter().peekable();
    let mut check =
        |place: (usize, usize), line: usize, footnote: Option<&str>, out: &mut Vec<Finding>| {
            let Some((_, err)) = problems.next_if(|(at, _)| *at == place) else {
                return;
            };
            let kind = match err {
                UriError::Relative(_) => FindingKind::RelativeUrl,
                _ => FindingKind::InvalidUrl,
            };
            out.push(Finding::new(kind, footnote, Some(line), err.to_string()));
        };

    // url → the first footnote citing it with a title, to spot one URL under two titles.
    let mut titles: HashMap<&str, (&str, &str)> =
        HashMap::with_capacity_and_hasher(footnotes.len(), Default::default());
    let mut seen: HashSet<&str> = HashSet::default();
    for (n, (def, lines)) in footnotes.iter().zip(url_lines).enumerate() {
        seen.clear();
        for (i, (url_item, &line)) in def.urls().iter().zip(lines).enumerate() {
            let url: &str = url_item.as_ref();
            check((n, i), line, Some(def.id()), out);
            // A note cites a URL or two: they are compared with those before them, and only a
            // long list is hashed.
            let repeated = if def.urls().len() <= 16 {
                def.urls()[..i].contains(url_item)
            } else {
                !seen.insert(url.as_ref())
            };
            if repeated {
                out.push(Finding::new(
                    FindingKind::RepeatedUrl,
                    Some(def.id()),
                    Some(line),
                    format!("footnote {} cites {url} more than once", def.id()),
                ));
            }
            // A title guessed from the layout is no evidence of a wrong link.
            let Some(title) = def.certain_title() else {
                continue;
            };
            match titles.get(url) {
                None => {
                    titles.insert(url, (title, def.id()));
                }
                Some(&(other_title, other_id)) if normalise(other_title) != normalise(title) => {
                    out.push(Finding::new(
                        FindingKind::ConflictingTitles,
                        Some(def.id()),
                        Some(line),
                        format!("{url} is cited as \"{title}\" here but as \"{other_title}\" in footnote {other_id}"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    for (l, link) in links.iter().enumerate() {
        check((footnotes.len(), l), link.line, None, out);
    }
}

fn normalise(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines, comma-separated: the first 20 of them, and how many more there are (a message stays short
/// however many times a document cites an undefined footnote).
fn join(lines: &[usize]) -> String {
    const SHOWN: usize = 20;
    let mut out = lines[..lines.len().min(SHOWN)]
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if lines.len() > SHOWN {
        out.push_str(&format!(" and {} more", lines.len() - SHOWN));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::extract::{ExtractOptions, InputFormat, extract};

    use super::*;

    fn findings(src: &str, kind: FindingKind) -> usize {
        let doc = extract(
            "big.md",
            src,
            InputFormat::Markdown,
            &ExtractOptions::default(),
        );
        doc.issues.iter().filter(|f| f.kind == kind).count()
    }

    #[test]
    fn a_url_repeated_in_a_short_footnote() {
        let src = "Text.[^1] More.[^2]\n\n[^1]: <https://a.org/x>, <https://b.org/>, and <https://a.org/x>\n\n[^2]: <https://a.org/x>\n";
        assert_eq!(findings(src, FindingKind::RepeatedUrl), 1);
    }

    #[test]
    fn repeated_urls_in_a_huge_footnote() {
        let n = 20_000;
        let urls: Vec<String> = (0..n).map(|i| format!("https://a.example/{i}")).collect();
        let src = format!(
            "Text.[^1]\n\n[^1]: {} {}\n",
            urls.join(" "),
            urls[..n / 2].join(" ")
        );
        // 10,000 repeats: the first 1,000 listed, the rest counted.
        assert_eq!(findings(&src, FindingKind::RepeatedUrl), MAX_PER_KIND);
        assert_eq!(findings(&src, FindingKind::OverBudget), 1);
    }

    #[test]
    fn footnote_order_with_many_footnotes() {
        let n = 5_000;
        let body: String = (1..=n).map(|i| format!("x[^{i}] ")).collect();
        let defs: String = (1..=n)
            .rev()
            .map(|i| format!("[^{i}]: https://a.example/{i}\n"))
            .collect();
        let src = format!("{body}\n\n{defs}");
        // 4,999 out of order: the first 1,000 listed, the rest counted.
        assert_eq!(findings(&src, FindingKind::FootnoteOrder), MAX_PER_KIND);
        let doc = extract(
            "big.md",
            &src,
            InputFormat::Markdown,
            &ExtractOptions::default(),
        );
        assert!(doc.issues.iter().any(|f| f.kind == FindingKind::OverBudget
            && f.message.starts_with(&format!(
                "{} more footnote-order findings",
                n - 1 - MAX_PER_KIND
            ))));
    }
}
