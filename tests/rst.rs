//! reStructuredText through the real binary, on a real document: PEP 506 (python/peps @ ba4deeb,
//! `peps/pep-0506.rst`, public domain), whose 37 footnotes are all auto-numbered `[#]_` → `.. [#]`.

mod common;

use serde_json::Value;

const PEP: &str = "tests/fixtures/realworld/pep-0506.rst";

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn pep_506_has_37_auto_numbered_footnotes_all_cited() {
    let doc = common::extract_document(PEP);
    assert_eq!(doc["format"], "rst");
    let footnotes = doc["footnotes"].as_array().unwrap();
    let ids: Vec<&str> = footnotes
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=37).map(|n| n.to_string()).collect();
    assert_eq!(ids, expected);
    // Every footnote is cited exactly once in the body, in order.
    let mut previous = 0;
    for f in footnotes {
        let refs = f["references"].as_array().unwrap();
        assert_eq!(refs.len(), 1, "footnote {}", f["id"]);
        let line = refs[0].as_u64().unwrap();
        assert!(line >= previous, "footnote {} cited out of order", f["id"]);
        previous = line;
    }
    let issues = doc["issues"].as_array().unwrap();
    assert!(
        issues.iter().all(|i| i["severity"] != "error"
            && i["kind"] != "undefined-footnote"
            && i["kind"] != "unused-footnote"),
        "{issues:#?}"
    );
    // Footnotes without a URL ("Link needed.", "Personal communication") are the only findings.
    let no_url: Vec<&str> = issues
        .iter()
        .map(|i| {
            assert_eq!(i["kind"], "no-url", "{i}");
            i["footnote"].as_str().unwrap()
        })
        .collect();
    assert_eq!(no_url, ["3", "8", "16", "17", "20", "30"]);
    // The literal blocks quoting Hanno Schlichting and Alyssa Coghlan hold no links, and there are no
    // links outside the footnotes.
    assert_eq!(doc["links"], serde_json::json!([]));
}

#[test]
fn pep_506_footnotes_against_the_source() {
    let doc = common::extract_document(PEP);
    // Checked by hand against pep-0506.rst.
    let first = common::footnote(&doc, "1");
    assert_eq!(first["line"], 371);
    assert_eq!(first["references"], serde_json::json!([47]));
    assert_eq!(
        strings(&first["urls"]),
        ["https://mail.python.org/pipermail/python-ideas/2015-September/035820.html"]
    );
    // A URL at the end of a three-line footnote of prose.
    let nine = common::footnote(&doc, "9");
    assert_eq!(
        (nine["line"].as_u64(), nine["references"][0].as_u64()),
        (Some(389), Some(132))
    );
    assert_eq!(
        strings(&nine["urls"]),
        ["http://code.activestate.com/lists/python-dev/138375/"]
    );
    assert!(
        nine["text"]
            .as_str()
            .unwrap()
            .starts_with("After considerable discussion, Guido ruled")
    );
    // Two URLs, the second on a continuation line.
    let fourteen = common::footnote(&doc, "14");
    assert_eq!(fourteen["line"], 401);
    assert_eq!(fourteen["references"], serde_json::json!([185]));
    assert_eq!(
        strings(&fourteen["urls"]),
        [
            "https://mail.python.org/pipermail/python-ideas/2015-September/036517.html",
            "https://mail.python.org/pipermail/python-ideas/2015-September/036515.html"
        ]
    );
    // Two references on one line ("state of MT [#]_ [#]_") go to consecutive footnotes.
    assert_eq!(
        common::footnote(&doc, "27")["references"],
        serde_json::json!([312])
    );
    assert_eq!(
        common::footnote(&doc, "28")["references"],
        serde_json::json!([312])
    );
    let thirty_two = common::footnote(&doc, "32");
    assert_eq!(thirty_two["line"], 441);
    assert_eq!(
        strings(&thirty_two["urls"]),
        [
            "http://www.cvedetails.com/cve/CVE-2012-5508/",
            "http://www.cvedetails.com/cve/CVE-2012-6661/"
        ]
    );
    let last = common::footnote(&doc, "37");
    assert_eq!(last["references"], serde_json::json!([363]));
    assert_eq!(
        strings(&last["urls"]),
        [
            "http://sockpuppet.org/blog/2014/02/25/safely-generate-random-numbers/",
            "http://www.2uo.de/myths-about-urandom/"
        ]
    );
    let thirty = common::footnote(&doc, "30");
    assert_eq!(thirty["text"], "Personal communication, 2016-08-24.");
}

#[test]
fn rest_extension_and_input_format_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("note.rest");
    std::fs::write(
        &path,
        "Cited [*]_ and Docs_.\n\n.. [*] https://a.example/x\n.. _Docs: https://docs.example/\n",
    )
    .unwrap();
    let doc = common::extract_document(path.to_str().unwrap());
    assert_eq!(doc["format"], "rst");
    assert_eq!(
        common::footnote(&doc, "*")["references"],
        serde_json::json!([1])
    );
    assert_eq!(doc["links"][0]["url"], "https://docs.example/");
    assert_eq!(doc["links"][0]["line"], 1);

    let output = common::citecheck()
        .args(["extract", "-", "--input-format", "rst", "--format", "json"])
        .write_stdin("See [1]_.\n\n.. [1] https://b.example/\n")
        .output()
        .unwrap();
    assert!(output.status.success());
    let report = common::json_stdout(&output);
    assert_eq!(report["documents"][0]["format"], "rst");
    assert_eq!(
        report["documents"][0]["footnotes"][0]["urls"],
        serde_json::json!(["https://b.example/"])
    );
}
