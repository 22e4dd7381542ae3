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

// Real documents (tests/fixtures/realworld/, copied from /work/shared/realworld/ with their
// provenance): the counts and URLs below were checked by hand with `unzip -p` on the packages.

const REALWORLD: &str = "tests/fixtures/realworld";

/// The report on one real document: exit 0, the schema, no error-level finding.
fn extract_real(name: &str) -> Value {
    let doc = common::extract_document(&Path::new(REALWORLD).join(name).to_string_lossy());
    let errors: Vec<&Value> = doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    doc
}

/// Each footnote's URLs, in order.
fn footnote_urls(doc: &Value) -> Vec<Vec<String>> {
    doc["footnotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["urls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

/// Every URL reported, in footnotes and outside them.
fn all_urls(doc: &Value) -> Vec<String> {
    let mut urls: Vec<String> = footnote_urls(doc).into_iter().flatten().collect();
    urls.extend(
        doc["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["url"].as_str().unwrap().to_owned()),
    );
    urls
}

/// The targets of a relationships part, read plainly (`Target="…"` of each `<Relationship>`), with
/// whether each is external.
fn rel_targets(package: &str, part: &str) -> Vec<(String, bool)> {
    let file = fs::File::open(Path::new(REALWORLD).join(package)).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(part).unwrap(), &mut xml).unwrap();
    xml.split("<Relationship ")
        .skip(1)
        .map(|rel| {
            let target = rel.split("Target=\"").nth(1).unwrap();
            let target = target[..target.find('"').unwrap()].replace("&amp;", "&");
            (target, rel.contains("TargetMode=\"External\""))
        })
        .collect()
}

/// The same URL as the `url` crate writes it (LibreOffice adds the `/` of an empty path).
fn normalized(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_owned(), String::from)
}

#[test]
fn pandoc_and_libreoffice_docx_give_the_same_31_urls_with_their_fragments() {
    // pandoc writes every hyperlink of the document into word/_rels/footnotes.xml.rels: 32 targets,
    // 31 absolute (one is a relative link to a sibling HTML file).
    let expected: Vec<String> = rel_targets(
        "gen-ossf-annotations.pandoc.docx",
        "word/_rels/footnotes.xml.rels",
    )
    .into_iter()
    .filter(|(t, external)| *external && t.starts_with("http"))
    .map(|(t, _)| normalized(&t))
    .collect();
    assert_eq!(expected.len(), 31);
    assert_eq!(expected.iter().filter(|u| u.contains('#')).count(), 15);

    let pandoc = extract_real("gen-ossf-annotations.pandoc.docx");
    // LibreOffice keeps the fragment apart: `HYPERLINK "url" \l "fragment"` fields in the notes.
    let libreoffice = extract_real("gen-ossf-annotations.libreoffice.docx");
    for (name, doc) in [("pandoc", &pandoc), ("libreoffice", &libreoffice)] {
        assert_eq!(doc["footnotes"].as_array().unwrap().len(), 26, "{name}");
        let urls: Vec<String> = all_urls(doc).iter().map(|u| normalized(u)).collect();
        for url in &expected {
            assert!(urls.contains(url), "{name}: {url} missing from {urls:#?}");
        }
        let absolute: std::collections::BTreeSet<&String> =
            urls.iter().filter(|u| u.starts_with("http")).collect();
        assert_eq!(absolute.len(), 31, "{name}: {absolute:#?}");
        for fragment in [
            "https://gcc.gnu.org/bugzilla/show_bug.cgi?id=103533#c9",
            "https://clang.llvm.org/docs/AttributeReference.html#counted-by-counted-by-or-null-sized-by-sized-by-or-null",
            "https://releases.llvm.org/19.1.0/tools/clang/docs/ReleaseNotes.html#new-compiler-flags",
        ] {
            assert!(urls.iter().any(|u| u == fragment), "{name}: {fragment}");
        }
        // The body's `w:anchor` links to headings (`#malloc`, `#counted_by`) are internal.
        assert!(
            !urls.iter().any(|u| u.starts_with('#') || u == "malloc"),
            "{name}: {urls:?}"
        );
    }
    // Note by note, the two documents cite the same URLs.
    assert_eq!(footnote_urls(&pandoc), footnote_urls(&libreoffice));
}

#[test]
fn docx4j_manual_external_hyperlinks_with_anchors_and_no_table_of_contents() {
    let doc = extract_real("docx4j-GettingStarted.docx");
    let notes = doc["footnotes"].as_array().unwrap();
    assert_eq!(notes.len(), 4);
    let urls = all_urls(&doc);

    // Every external http(s) relationship a hyperlink uses is reported (those with a `w:anchor`
    // with it, below).
    let mut targets: Vec<String> = Vec::new();
    for part in [
        "word/_rels/document.xml.rels",
        "word/_rels/footnotes.xml.rels",
    ] {
        targets.extend(
            rel_targets("docx4j-GettingStarted.docx", part)
                .into_iter()
                .filter(|(t, external)| *external && t.starts_with("http"))
                .map(|(t, _)| t),
        );
    }
    for target in &targets {
        assert!(
            urls.iter()
                .any(|u| u.split('#').next() == Some(target.as_str())),
            "{target} missing"
        );
    }
    // Five hyperlinks keep their fragment in `w:anchor`.
    let fragments = [
        "https://github.com/plutext/docx4j/blob/master/docx4j-samples-docx4j/pom.xml#L67",
        "http://en.wikipedia.org/wiki/International_Organization_for_Standardization#ISO.2FIEC_Joint_Technical_Committee_1",
        "https://documents4j.com/#/",
        "https://github.com/plutext/docx4j/blob/master/docx4j-samples-resources/src/main/resources/docx4j.properties#L115",
        "https://github.com/plutext/docx4j/blob/VERSION_8_2_0/docx4j-documents4j-remote/src/main/java/org/docx4j/documents4j/remote/Documents4jRemoteServices.java#L61",
    ];
    for url in fragments {
        assert!(urls.iter().any(|u| u == url), "{url} missing");
    }
    assert_eq!(
        urls.iter().filter(|u| u.contains('#')).count(),
        5,
        "{urls:#?}"
    );

    // 59 distinct external hyperlinks, and one URL typed in a code sample.
    let distinct: std::collections::BTreeSet<&str> = urls
        .iter()
        .map(String::as_str)
        .filter(|u| u.starts_with("http"))
        .collect();
    let typed: Vec<&&str> = distinct
        .iter()
        .filter(|u| {
            !targets
                .iter()
                .any(|t| u.split('#').next() == Some(t.as_str()))
        })
        .collect();
    assert_eq!(
        typed,
        [&"http://schemas.openxmlformats.org/wordprocessingml/2006/main"]
    );
    assert_eq!(distinct.len(), 59 + 1);

    // The table of contents (71 `w:anchor="_Toc…"` hyperlinks and PAGEREF fields) is internal.
    assert!(
        !urls
            .iter()
            .any(|u| u.contains("_Toc") || u.starts_with('#') || !u.contains(':')),
        "{urls:#?}"
    );
    assert_eq!(
        notes[2]["urls"],
        serde_json::json!([
            "http://blogs.msdn.com/b/dmahugh/archive/2009/01/16/ecma-376-implementation-notes-for-office-2007-sp2.aspx"
        ])
    );
}
