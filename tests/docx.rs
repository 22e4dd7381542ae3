//! Word documents: a package written by the test (the XML Word writes), read through the real binary.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::{assert_one_line_error, citecheck, json_stdout, validate_against_schema};
use serde_json::Value;

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

fn document() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NS}><w:body>
<w:p><w:r><w:t>Imran Khan visited Kabul &amp; met Ashraf Ghani.</w:t></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="2"/></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">See the </w:t></w:r><w:hyperlink r:id="rId9"><w:r><w:t>ministry's page</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r><w:r><w:endnoteReference w:id="1"/></w:r></w:p>
<w:p><w:r><w:t>Typed: https://www.bbc.com/news/world-us-canada-54980141 and more.</w:t></w:r><w:r><w:footnoteReference w:id="3"/></w:r><w:r><w:footnoteReference w:id="7"/></w:r></w:p>
<w:p><w:hyperlink r:id="rId404"><w:r><w:t>a link with no target</w:t></w:r></w:hyperlink></w:p>
</w:body></w:document>"#
    )
}

fn footnotes() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes {NS}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Naveed Siddiqui, “Pakistan will do everything possible,” </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>Dawn</w:t></w:r><w:r><w:t xml:space="preserve">, November 19, 2020, </w:t></w:r><w:hyperlink r:id="rId1"><w:r><w:t>https://www.dawn.com/news/1591240</w:t></w:r></w:hyperlink></w:p></w:footnote>
<w:footnote w:id="3"><w:p><w:r><w:t xml:space="preserve">“Imran vows to help stem Afghan bloodshed,” </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>Express Tribune</w:t></w:r><w:r><w:t xml:space="preserve">, November 19, 2020, </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://tribune.com.pk/story/2272789" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>https://tribune.com.pk/story/2272789</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:footnote>
<w:footnote w:id="5"><w:p><w:r><w:t></w:t></w:r></w:p></w:footnote>
</w:footnotes>"#
    )
}

fn endnotes() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:endnotes {NS}>
<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>
<w:endnote w:id="1"><w:p><w:r><w:t>Interview with an official, Kabul, 12 October 2020. Notes at https://example.org/notes</w:t></w:r></w:p></w:endnote>
</w:endnotes>"#
    )
}

fn rels(targets: &[(&str, &str)]) -> String {
    let rows: String = targets
        .iter()
        .map(|(id, url)| {
            format!(r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="{url}" TargetMode="External"/>"#)
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rows}</Relationships>"#
    )
}

fn package(path: &Path, parts: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn brief(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("draft.docx");
    package(
        &path,
        &[
            ("[Content_Types].xml", b"<Types/>".to_vec()),
            ("word/document.xml", document().into_bytes()),
            (
                "word/_rels/document.xml.rels",
                rels(&[("rId9", "https://www.mfa.gov.af/news/2296.html")]).into_bytes(),
            ),
            ("word/footnotes.xml", footnotes().into_bytes()),
            (
                "word/_rels/footnotes.xml.rels",
                rels(&[("rId1", "https://www.dawn.com/news/1591240")]).into_bytes(),
            ),
            ("word/endnotes.xml", endnotes().into_bytes()),
        ],
    );
    path
}

#[test]
fn footnotes_endnotes_and_links_of_a_word_draft() {
    let dir = tempfile::tempdir().unwrap();
    let path = brief(dir.path());
    let output = citecheck()
        .arg("extract")
        .arg(&path)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_stdout(&output);
    validate_against_schema(&report);
    let doc = &report["documents"][0];
    assert_eq!(doc["format"], "docx");
    let notes = doc["footnotes"].as_array().unwrap();
    let ids: Vec<&str> = notes.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "e1", "x5"]);

    let first = &notes[0];
    assert_eq!(first["line"], 1);
    assert_eq!(first["references"], serde_json::json!([1]));
    assert_eq!(first["title"], "Pakistan will do everything possible");
    assert_eq!(first["publication"], "Dawn");
    assert_eq!(first["authors"], serde_json::json!(["Naveed Siddiqui"]));
    assert_eq!(first["date"], "2020-11-19");
    assert_eq!(
        first["urls"],
        serde_json::json!(["https://www.dawn.com/news/1591240"])
    );

    let second = &notes[1];
    assert_eq!(
        (second["line"].as_u64(), second["publication"].as_str()),
        (Some(3), Some("Express Tribune"))
    );
    assert_eq!(
        second["urls"],
        serde_json::json!(["https://tribune.com.pk/story/2272789"]),
        "field code, once"
    );

    let endnote = &notes[2];
    assert_eq!(endnote["references"], serde_json::json!([2]));
    assert_eq!(endnote["date"], "2020-10-12");
    assert_eq!(
        endnote["urls"],
        serde_json::json!(["https://example.org/notes"])
    );

    let links: Vec<(String, u64)> = doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["url"].as_str().unwrap().to_owned(),
                l["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            ("https://www.mfa.gov.af/news/2296.html".to_owned(), 2),
            (
                "https://www.bbc.com/news/world-us-canada-54980141".to_owned(),
                3
            )
        ]
    );
    let findings: Vec<(String, Value)> = doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["footnote"].clone(),
            )
        })
        .collect();
    for expected in [
        ("undefined-footnote", Value::from("3")),
        ("unused-footnote", Value::from("x5")),
        ("empty-footnote", Value::from("x5")),
        ("broken-hyperlink", Value::Null),
    ] {
        assert!(
            findings.contains(&(expected.0.to_owned(), expected.1.clone())),
            "{expected:?} not in {findings:?}"
        );
    }
}

#[test]
fn malformed_packages_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let not_zip = dir.path().join("not-zip.docx");
    fs::write(&not_zip, "just text").unwrap();
    let output = citecheck().arg("extract").arg(&not_zip).output().unwrap();
    assert_one_line_error(&output, 2, "not-zip.docx: not a Word document");

    let empty = dir.path().join("no-document.docx");
    package(&empty, &[("[Content_Types].xml", b"<Types/>".to_vec())]);
    let output = citecheck().arg("extract").arg(&empty).output().unwrap();
    assert_one_line_error(&output, 2, "no word/document.xml");

    // 100 MB of zeros deflate to ~100 KB: refused before it is inflated.
    let bomb = dir.path().join("bomb.docx");
    package(
        &bomb,
        &[("word/document.xml", vec![0u8; 100 * 1024 * 1024])],
    );
    assert!(fs::metadata(&bomb).unwrap().len() < 2 * 1024 * 1024);
    let output = citecheck().arg("extract").arg(&bomb).output().unwrap();
    assert_one_line_error(&output, 2, "zip bomb");

    let laughs = dir.path().join("laughs.docx");
    let dtd = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><w:document><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"#;
    package(&laughs, &[("word/document.xml", dtd.as_bytes().to_vec())]);
    let output = citecheck().arg("extract").arg(&laughs).output().unwrap();
    assert_one_line_error(
        &output,
        2,
        "laughs.docx: word/document.xml is malformed: a DTD",
    );

    let broken_xml = dir.path().join("broken.docx");
    package(
        &broken_xml,
        &[(
            "word/document.xml",
            b"<w:document><w:body><w:p></w:body>".to_vec(),
        )],
    );
    let output = citecheck()
        .arg("extract")
        .arg(&broken_xml)
        .output()
        .unwrap();
    assert_one_line_error(&output, 2, "word/document.xml is malformed");
}

#[test]
fn a_folder_includes_word_documents() {
    let dir = tempfile::tempdir().unwrap();
    brief(dir.path());
    fs::write(dir.path().join("notes.md"), "https://a.example/\n").unwrap();
    let output = citecheck()
        .arg("extract")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = json_stdout(&output);
    let formats: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["docx", "markdown"]);
}
