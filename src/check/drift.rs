//! Drift: the page is there, but is it still what the footnote cites? Warnings, never errors: print
//! and web headlines often differ, and pages are updated.

use chrono::NaiveDate;

use super::result::{PageInfo, Warning, WarningKind};
use crate::extract::collapse_whitespace;

/// What a footnote says of the page it cites.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CitedAs {
    pub footnote: String,
    pub title: Option<String>,
    /// ISO 8601: "2020-11-19" or "2020-11".
    pub date: Option<String>,
}

/// How much difference is tolerated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftConfig {
    /// Titles less similar than this (0–1, Sørensen–Dice on letter pairs after normalisation) warn.
    pub title_similarity: f64,
    /// Publication dates further than this many days from the cited date warn.
    pub date_tolerance_days: i64,
    /// A live page sharing less of its text than this (0–1, Jaccard on shingles of 5 words, see
    /// `content`) with its archived copy at the cited date warns.
    pub content_similarity: f64,
}

/// Default of [`DriftConfig::content_similarity`]: on 306 pairs of real pages, every pair of two
/// different pages of a site scores at most 0.03 and every edited page at least 0.25
/// (`benches/drift/README.md`).
pub const DEFAULT_CONTENT_SIMILARITY: f64 = 0.1;

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            title_similarity: 0.6,
            date_tolerance_days: 7,
            content_similarity: DEFAULT_CONTENT_SIMILARITY,
        }
    }
}

/// Drift warnings for one page and the footnotes citing it.
pub fn warnings(cited: &[CitedAs], page: &PageInfo, config: &DriftConfig) -> Vec<Warning> {
    let mut out = Vec::new();
    let live_titles: Vec<&str> = [&page.og_title, &page.title, &page.h1]
        .into_iter()
        .filter_map(|t| t.as_deref())
        .collect();
    for c in cited {
        if let Some(cited_title) = c.title.as_deref()
            && !live_titles.is_empty()
        {
            let (score, live) = live_titles
                .iter()
                .map(|live| (title_similarity(cited_title, live), *live))
                .fold(
                    (f64::MIN, ""),
                    |best, x| if x.0 > best.0 { x } else { best },
                );
            if score < config.title_similarity {
                out.push(Warning {
                    kind: WarningKind::TitleMismatch,
                    message: format!(
                        "footnote {} cites \u{201c}{cited_title}\u{201d}; the page's title is now \u{201c}{live}\u{201d} (similarity {score:.2})",
                        c.footnote
                    ),
                    footnote: Some(c.footnote.clone()),
                    cited: Some(cited_title.to_owned()),
                    live: Some(live.to_owned()),
                    score: Some((score * 100.0).round() / 100.0),
                });
            }
        }
        if let (Some(cited_date), Some(published)) = (c.date.as_deref(), page.published.as_deref())
            && let Some(days) = days_apart(cited_date, published)
            && days > config.date_tolerance_days
        {
            out.push(Warning {
                kind: WarningKind::DateMismatch,
                message: format!(
                    "footnote {} dates it {cited_date}; the page says it was published {published} ({days} days apart)",
                    c.footnote
                ),
                footnote: Some(c.footnote.clone()),
                cited: Some(cited_date.to_owned()),
                live: Some(published.to_owned()),
                score: None,
            });
        }
    }
    out
}

/// Similarity of a cited and a live title, 0–1, after normalisation; the live title is also tried
/// without its site's name (" - BBC News", " | The Express Tribune", "Dawn: …"), and a title that
/// contains the other whole counts as a match.
pub fn title_similarity(cited: &str, live: &str) -> f64 {
    let cited = normalise(cited);
    if cited.is_empty() {
        return 1.0;
    }
    variants(live)
        .iter()
        .map(|v| normalise(v))
        .filter(|v| !v.is_empty())
        .map(|v| {
            let contained = cited.split(' ').count() >= 3
                && (v.contains(&cited) || cited.contains(&v))
                && v.split(' ').count() >= 3;
            if contained || v == cited {
                1.0
            } else {
                strsim::sorensen_dice(&cited, &v)
            }
        })
        .fold(0.0, f64::max)
}

/// The title and the title without a leading or trailing segment set off by a separator.
fn variants(title: &str) -> Vec<String> {
    let mut out = vec![title.to_owned()];
    for sep in [" | ", " - ", " – ", " — ", " :: ", " · ", ": "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            out.push(head.to_owned());
            if sep != ": " {
                out.push(tail.to_owned());
            }
        }
        if let Some((head, tail)) = title.split_once(sep)
            && head.split_whitespace().count() <= 4
        {
            out.push(tail.to_owned());
        }
    }
    out
}

/// Lower case, letters and digits only, single spaces; "&" as "and".
fn normalise(title: &str) -> String {
    let mapped: String = title
        .replace('&', " and ")
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() {
                Some(c.to_lowercase().next().unwrap_or(c))
            } else if c.is_whitespace() || matches!(c, '-' | '–' | '—' | '/' | ':' | ',' | '.')
            {
                Some(' ')
            } else {
                None // quotes, apostrophes: "Pakistan's" and "Pakistans" are the same headline
            }
        })
        .collect();
    collapse_whitespace(&mapped)
}

/// Days between a cited date (a day or a month) and a publication day; 0 inside a cited month.
fn days_apart(cited: &str, published: &str) -> Option<i64> {
    let published = NaiveDate::parse_from_str(published, "%Y-%m-%d").ok()?;
    if let Ok(day) = NaiveDate::parse_from_str(cited, "%Y-%m-%d") {
        return Some((published - day).num_days().abs());
    }
    let first = NaiveDate::parse_from_str(&format!("{cited}-01"), "%Y-%m-%d").ok()?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let last = next.pred_opt()?;
    Some(if published < first {
        (first - published).num_days()
    } else if published > last {
        (published - last).num_days()
    } else {
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_suffixes_and_small_differences_match() {
        for (cited, live) in [
            (
                "US troops in Afghanistan: Allies and Republicans alarmed at withdrawal plan",
                "US troops in Afghanistan: Allies and Republicans alarmed at withdrawal plan - BBC News",
            ),
            (
                "Imran vows to help stem Afghan bloodshed",
                "Imran vows to help stem Afghan bloodshed | The Express Tribune",
            ),
            (
                "Pakistan’s “unflinching” support",
                "Pakistan's \"unflinching\" support",
            ),
            ("Peace & trade", "DAWN.COM - Peace and trade"),
            (
                "Imran vows to help stem Afghan bloodshed",
                "Imran vows to help stem the Afghan bloodshed",
            ),
        ] {
            let score = title_similarity(cited, live);
            assert!(score >= 0.9, "{cited:?} vs {live:?}: {score}");
        }
    }

    #[test]
    fn a_different_article_does_not_match() {
        let score = title_similarity(
            "Imran vows to help stem Afghan bloodshed",
            "PM Imran assures Pakistan's unflinching support to end violence in Afghanistan",
        );
        assert!(score < 0.6, "{score}");
        assert!(title_similarity("Water wars", "Cricket scores - BBC Sport") < 0.3);
    }

    #[test]
    fn warnings_for_title_and_date() {
        let cited = [CitedAs {
            footnote: "2".into(),
            title: Some("Imran vows to help stem Afghan bloodshed".into()),
            date: Some("2020-11-19".into()),
        }];
        let page = PageInfo {
            title: Some("Cabinet reshuffle announced | The Express Tribune".into()),
            published: Some("2021-03-02".into()),
            ..PageInfo::default()
        };
        let w = warnings(&cited, &page, &DriftConfig::default());
        let kinds: Vec<&str> = w.iter().map(|w| w.kind.as_str()).collect();
        assert_eq!(kinds, ["title-mismatch", "date-mismatch"]);
        assert_eq!(w[0].footnote.as_deref(), Some("2"));
        assert!(w[0].score.unwrap() < 0.6);
        assert!(w[1].message.contains("103 days apart"), "{}", w[1].message);

        let same = PageInfo {
            title: Some("Imran vows to help stem Afghan bloodshed | The Express Tribune".into()),
            published: Some("2020-11-20".into()),
            ..PageInfo::default()
        };
        assert!(warnings(&cited, &same, &DriftConfig::default()).is_empty());
    }

    #[test]
    fn month_precision_dates() {
        assert_eq!(days_apart("2020-11", "2020-11-30"), Some(0));
        assert_eq!(days_apart("2020-11", "2020-12-05"), Some(5));
        assert_eq!(days_apart("2020-11", "2020-10-20"), Some(12));
        assert_eq!(days_apart("nonsense", "2020-10-20"), None);
    }
}
