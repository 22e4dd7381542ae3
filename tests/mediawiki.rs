//! A MediaWiki reference list read as footnotes, through the real binary, on a real page: the Wikipedia
//! article "Mozilla" (mozilla/readability @ ab4027a, `test/test-pages/wikipedia/source.html`, Wikipedia
//! text CC BY-SA), with 72 references.

mod common;

use serde_json::{Value, json};

const PAGE: &str = "tests/fixtures/realworld/wikipedia-mozilla.readability-source.html";

#[test]
fn wikipedia_mozilla_has_72_references_all_cited() {
    let doc = common::extract_document(PAGE);
    assert_eq!(doc["format"], "html");
    let footnotes = doc["footnotes"].as_array().unwrap();
    let ids: Vec<&str> = footnotes
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=72).map(|n| n.to_string()).collect();
    assert_eq!(ids, expected);
    assert!(
        footnotes
            .iter()
            .all(|f| !f["references"].as_array().unwrap().is_empty())
    );
    let issues = doc["issues"].as_array().unwrap();
    assert!(
        issues.iter().all(|i| i["severity"] == "info"),
        "{:#?}",
        issues
            .iter()
            .filter(|i| i["severity"] != "info")
            .collect::<Vec<_>>()
    );
    // The backlinks (^, a b) are neither text nor links.
    assert!(
        footnotes
            .iter()
            .all(|f| !f["text"].as_str().unwrap().starts_with('^'))
    );
    // Only absolute URLs in the references: no wiki links to authors' articles.
    assert!(footnotes.iter().all(|f| {
        f["urls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.as_str().unwrap().starts_with("http"))
    }));
}

#[test]
fn wikipedia_mozilla_citations_against_the_source() {
    let doc = common::extract_document(PAGE);
    // Checked by hand against the HTML.
    let two = common::footnote(&doc, "2");
    assert_eq!(two["line"], 505);
    assert_eq!(two["references"], json!([205]));
    assert_eq!(two["title"], "About the Mozilla Corporation");
    assert_eq!(two["publication"], "Mozilla Foundation");
    assert_eq!(
        two["urls"],
        json!(["https://www.mozilla.org/foundation/moco/"])
    );

    let three = common::footnote(&doc, "3");
    assert_eq!(three["title"], "Freeing the Source: The Story of Mozilla");
    assert_eq!(
        three["publication"],
        "Open Sources: Voices from the Open Source Revolution"
    );
    assert_eq!(three["accessed"], "2016-05-01");

    // "Archived from the original on October 4, 2002" is not the publication date.
    let six = common::footnote(&doc, "6");
    assert_eq!(six["references"], json!([275]));
    assert_eq!(six["publication"], "Netscape");
    assert_eq!(six["date"], Value::Null);
    assert_eq!(six["accessed"], "2012-08-21");

    // A date after the title, and the archive link as a second URL.
    let gecko = common::footnote(&doc, "42");
    assert_eq!(gecko["title"], "Gecko Layout Engine");
    assert_eq!(gecko["publication"], "download-firefox.org");
    assert_eq!(gecko["date"], "2008-07-17");
    assert_eq!(
        gecko["urls"],
        json!([
            "https://web.archive.org/web/20101128150117/http://download-firefox.org/spread-firefox/gecko-layout-engine-and-mozilla-firefox/",
            "http://download-firefox.org/spread-firefox/gecko-layout-engine-and-mozilla-firefox/"
        ])
    );

    // A date in parentheses after the author.
    let goodger = common::footnote(&doc, "46");
    assert_eq!(goodger["authors"], json!(["Goodger, Ben"]));
    assert_eq!(goodger["title"], "Where Did Firefox Come From?");
    assert_eq!(goodger["publication"], "Inside Firefox");
    assert_eq!(goodger["date"], "2006-02-06");

    // A book: the italic title, a protocol-relative Google Books link.
    let book = common::footnote(&doc, "5");
    assert_eq!(
        book["title"],
        "Marc Andreessen and Jim Clark: The Founders of Netscape"
    );
    assert_eq!(book["publication"], "Rosen Publishing Group");
    assert_eq!(book["authors"], json!(["Payment, S."]));
    assert_eq!(
        book["urls"],
        json!(["https://books.google.co.uk/books?id=zyIvOn7sKCsC"])
    );

    // Cited twice, from two lines ([36] a b).
    assert_eq!(
        common::footnote(&doc, "36")["references"],
        json!([286, 287])
    );
}

/// A saved web page is checked as an article: its 74 cited URLs and the links of its text, not the
/// site's navigation, header, footer and sidebars; without its address its relative links are
/// counted once, not reported one by one. All 534 links of the page with `--links all` and its
/// address.
#[test]
fn wikipedia_mozilla_as_an_article() {
    let run = |args: &[&str]| {
        let output = common::citecheck()
            .args(["extract", "--format", "json", PAGE])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let report = common::json_stdout(&output);
        report["documents"][0].clone()
    };
    let urls = |doc: &Value| -> usize {
        doc["footnotes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["urls"].as_array().unwrap().len())
            .sum()
    };
    let links = |doc: &Value| doc["links"].as_array().unwrap().len();
    let left_out = |doc: &Value| -> Vec<String> {
        doc["issues"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "links-left-out" || i["kind"] == "relative-url")
            .map(|i| i["message"].as_str().unwrap().to_owned())
            .collect()
    };

    let article = run(&[]);
    assert_eq!(urls(&article), 74);
    assert_eq!(links(&article), 8, "absolute links of the article's text");
    assert_eq!(
        left_out(&article),
        [
            "not read: 306 links in the site's navigation, header, footer or sidebars (--links all reads them); 220 links relative to a page whose address is not known (give --base-url)"
        ]
    );
    let base = ["--base-url", "https://en.wikipedia.org/wiki/Mozilla"];
    let with_base = run(&base);
    assert_eq!(links(&with_base), 228);
    assert!(
        with_base["links"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["url"].as_str().unwrap().starts_with("http"))
    );
    let all = run(&[&base[..], &["--links", "all"]].concat());
    assert_eq!(links(&all), 534);
    assert!(left_out(&all).is_empty());
    let footnotes = run(&["--links", "footnotes"]);
    assert_eq!((urls(&footnotes), links(&footnotes)), (74, 0));
}
