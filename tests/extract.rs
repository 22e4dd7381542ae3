//! The citation model on real fixture files, through the library API.

use std::path::Path;

use citecheck::extract::{self, Document, ExtractOptions, FindingKind, InputFormat};

fn extract_file(path: &str) -> Document {
    let content = std::fs::read_to_string(path).unwrap();
    let format = extract::detect_format(Some(Path::new(path)), &content, None);
    extract::extract(path, &content, format, &ExtractOptions::default())
}

#[test]
fn seed_brief_six_footnotes_exactly() {
    let doc = extract_file("examples/kabul-visit-brief.md");
    assert_eq!(doc.format, InputFormat::Markdown);
    let expected = [
        (
            "1",
            29,
            21,
            Some(
                "Joint press conference of Prime Minister Imran Khan and President of Afghanistan Ashraf Ghani",
            ),
            Some("YouTube"),
            "2020-11-19",
            "https://www.youtube.com/watch?v=dHtldMvk9ts",
        ),
        (
            "2",
            41,
            33,
            Some("Imran vows to help stem Afghan bloodshed"),
            Some("Express Tribune"),
            "2020-11-19",
            "https://tribune.com.pk/story/2272789/pm-imran-assures-pakistans-unflinching-support-to-end-violence-in-afghanistan",
        ),
        (
            "3",
            53,
            49,
            Some(
                "Pakistan will do everything possible to reduce violence in Afghanistan, says PM Imran on maiden Kabul visit",
            ),
            Some("Dawn"),
            "2020-11-19",
            "https://www.dawn.com/news/1591240/pakistan-will-do-everything-possible-to-reduce-violence-in-afghanistan-says-pm-imran-on-maiden-kabul-visit",
        ),
        (
            "4",
            65,
            55,
            None,
            None,
            "2020-11-22",
            "https://twitter.com/US4AfghanPeace/status/1330568973168107526",
        ),
        (
            "5",
            67,
            55,
            Some(
                "Agreement between Afghanistan and Pakistan on Establishing a Shared Vision in Support of Peace and Stability in Both Countries and the Wider Region",
            ),
            None,
            "2020-11-19",
            "https://www.mfa.gov.af/news/2296-agreement-between-afghanistan-and-pakistan-on-establishing-a-shared-vision-in-support-of-peace-and-stability-in-both-countries-and-the-wider-region.html",
        ),
        (
            "6",
            69,
            61,
            Some("US troops in Afghanistan: Allies and Republicans alarmed at withdrawal plan"),
            Some("BBC News"),
            "2020-11-18",
            "https://www.bbc.com/news/world-us-canada-54980141",
        ),
    ];
    assert_eq!(doc.footnotes.len(), expected.len());
    for (f, (id, line, reference, title, publication, date, url)) in
        doc.footnotes.iter().zip(expected)
    {
        assert_eq!(f.id, id);
        assert_eq!(f.line, line, "footnote {id}");
        assert_eq!(f.references, vec![reference], "footnote {id}");
        assert_eq!(f.title.as_deref(), title, "footnote {id}");
        assert_eq!(f.publication.as_deref(), publication, "footnote {id}");
        assert_eq!(f.date.as_deref(), Some(date), "footnote {id}");
        assert_eq!(f.urls, vec![url.to_owned()], "footnote {id}");
    }
    assert_eq!(doc.footnotes[2].authors, vec!["Naveed Siddiqui"]);
    assert!(
        doc.footnotes
            .iter()
            .filter(|f| f.id != "3")
            .all(|f| f.authors.is_empty())
    );
    // The line after footnote 1 is body text, not part of the footnote.
    assert!(!doc.footnotes[0].text.contains("Hizb-e-Wahdat"));
    assert!(doc.links.is_empty());
    assert!(doc.issues.is_empty(), "false findings: {:#?}", doc.issues);
}

#[test]
fn gfm_footnotes_and_links() {
    let doc = extract_file("tests/fixtures/gfm-footnotes.md");
    let ids: Vec<_> = doc.footnotes.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["kishanganga", "2"]);

    let k = &doc.footnotes[0];
    assert_eq!((k.line, k.references.clone()), (21, vec![8]));
    assert_eq!(
        k.title.as_deref(),
        Some("Indus Waters Kishenganga Arbitration (Pakistan v. India)")
    );
    assert_eq!(k.publication.as_deref(), Some("PCA Case Repository"));
    assert_eq!(k.date.as_deref(), Some("2013-12-20"));
    assert_eq!(k.authors, vec!["Permanent Court of Arbitration"]);
    assert_eq!(
        k.urls,
        [
            "https://pca-cpa.org/en/cases/20/",
            "https://www.un.org/waterforlifedecade/transboundary_waters.shtml"
        ]
    );

    let two = &doc.footnotes[1];
    assert_eq!(two.authors, ["Jane Doe", "John Roe"]);
    assert_eq!(two.date.as_deref(), Some("2020-09-19"));
    assert_eq!(two.urls, ["https://www.dawn.com/news/1580000"]);

    let links: Vec<_> = doc.links.iter().map(|l| (l.url.as_str(), l.line)).collect();
    assert_eq!(
        links,
        [
            ("https://www.worldbank.org/en/about", 9),
            (
                "https://www.worldbank.org/en/region/sar/brief/fact-sheet-the-indus-waters-treaty-1960-and-the-world-bank",
                9
            ),
            ("https://en.wikipedia.org/wiki/Durand_Line_(boundary)", 11),
            ("https://example.org/in-parens", 11),
        ]
    );
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
}

#[test]
fn pandoc_html_footnotes() {
    let doc = extract_file("tests/fixtures/pandoc.html");
    assert_eq!(doc.format, InputFormat::Html);
    assert_eq!(doc.footnotes.len(), 2);
    let one = &doc.footnotes[0];
    assert_eq!(
        (one.id.as_str(), one.line, one.references.clone()),
        ("1", 21, vec![11])
    );
    assert_eq!(one.publication.as_deref(), Some("YouTube"));
    assert_eq!(one.urls, ["https://www.youtube.com/watch?v=dHtldMvk9ts"]);
    assert!(
        !one.text.contains('↩'),
        "backlink text leaked: {}",
        one.text
    );
    let two = &doc.footnotes[1];
    assert_eq!(two.references, vec![13]);
    assert_eq!(two.authors, ["Naveed Siddiqui"]);
    assert_eq!(two.date.as_deref(), Some("2020-11-19"));
    // A page read from a file has no address: its relative link is counted once, not checked.
    let links: Vec<_> = doc.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(links, ["https://www.issi.org.pk/"]);
    let kinds: Vec<_> = doc.issues.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::LinksLeftOut]);
    assert_eq!(
        doc.issues[0].message,
        "not read: 1 link relative to a page whose address is not known (give --base-url)"
    );
}

#[test]
fn base_url_resolves_relative_links() {
    let content = std::fs::read_to_string("tests/fixtures/pandoc.html").unwrap();
    let options = ExtractOptions {
        base_url: Some("https://issi.org.pk/publications/".parse().unwrap()),
        ..ExtractOptions::default()
    };
    let doc = extract::extract("pandoc.html", &content, InputFormat::Html, &options);
    assert_eq!(
        doc.links[1].url,
        "https://issi.org.pk/publications/briefs/index.html"
    );
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
}

#[test]
fn every_lint_kind_fires_on_its_fixture() {
    let doc = extract_file("tests/fixtures/lint-all.md");
    let has = |kind: FindingKind, footnote: Option<&str>, line: usize| {
        doc.issues
            .iter()
            .any(|f| f.kind == kind && f.footnote.as_deref() == footnote && f.line == Some(line))
    };
    assert!(
        has(FindingKind::UndefinedFootnote, Some("9"), 3),
        "{:#?}",
        doc.issues
    );
    assert!(has(FindingKind::UnusedFootnote, Some("4"), 14));
    assert!(has(FindingKind::DuplicateFootnote, Some("3"), 12));
    assert!(
        has(FindingKind::FootnoteOrder, Some("2"), 3),
        "citation out of order"
    );
    assert!(
        has(FindingKind::FootnoteOrder, Some("6"), 16),
        "skipped number"
    );
    assert!(has(FindingKind::InvalidUrl, Some("2"), 8));
    assert!(has(FindingKind::InvalidUrl, None, 4));
    assert!(has(FindingKind::RelativeUrl, None, 4));
    assert!(has(FindingKind::NoUrl, Some("1"), 6));
    assert!(has(FindingKind::EmptyFootnote, Some("6"), 16));
    assert!(has(FindingKind::ConflictingTitles, Some("4"), 14));
    for f in &doc.issues {
        assert_eq!(f.severity, f.kind.severity());
    }
}

#[test]
fn clean_fixture_has_no_findings() {
    let doc = extract_file("tests/fixtures/clean.md");
    assert_eq!(doc.footnotes.len(), 2);
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
}

#[test]
fn same_url_cited_twice_keeps_both_places() {
    let src = "A<sup>1</sup> B<sup>2</sup>\n\n<sup>1</sup> \"T,\" *X*, 2020, <https://a.org/x>\n\n<sup>2</sup> \"T,\" *X*, 2020, <https://a.org/x>\n\nhttps://a.org/x\n";
    let doc = extract::extract(
        "d.md",
        src,
        InputFormat::Markdown,
        &ExtractOptions::default(),
    );
    assert_eq!(doc.footnotes[0].urls, ["https://a.org/x"]);
    assert_eq!(doc.footnotes[1].urls, ["https://a.org/x"]);
    assert_eq!(doc.links.len(), 1);
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
}
