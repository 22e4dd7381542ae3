//! GFM footnotes through the real binary, on two real documents of the OpenSSF best-practices working
//! group (ossf/wg-best-practices-os-developers @ 65be2c0, `docs/Compiler-Hardening-Guides/`, CC-BY-4.0):
//! the compiler options hardening guide (147 footnotes, citations in many styles) and the compiler
//! annotations guide (22 footnotes).

mod common;

use serde_json::{Value, json};

fn no_errors(doc: &Value) {
    let errors: Vec<&Value> = doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn hardening_guide_has_147_footnotes() {
    let doc = common::extract_document(
        "tests/fixtures/realworld/ossf-compiler-options-hardening-guide.md",
    );
    assert_eq!(doc["footnotes"].as_array().unwrap().len(), 147);
    no_errors(&doc);
    // Checked by hand against the source: a non-padded ISO date, line 181.
    let suse = common::footnote(&doc, "opensuse-hardening");
    assert_eq!(suse["line"], 181);
    assert_eq!(suse["references"], json!([173]));
    assert_eq!(suse["date"], "2022-12-08");
    assert_eq!(
        suse["urls"],
        json!(["https://en.opensuse.org/openSUSE:Security_Features"])
    );
    // "Retrieved 2024-06-27" is when the page was read, not when it was published.
    let vtv = common::footnote(&doc, "gentoo-vtv");
    assert_eq!(vtv["accessed"], "2024-06-27");
    assert_eq!(vtv["date"], Value::Null);
}

#[test]
fn annotations_guide_has_22_footnotes() {
    let doc = common::extract_document("tests/fixtures/realworld/ossf-compiler-annotations.md");
    assert_eq!(doc["footnotes"].as_array().unwrap().len(), 22);
    no_errors(&doc);
    let gcc = common::footnote(&doc, "GCCATTR");
    assert_eq!(
        (gcc["line"].as_u64(), gcc["date"].as_str()),
        (Some(52), Some("2024-01-17"))
    );
    assert_eq!(
        gcc["urls"],
        json!(["https://gcc.gnu.org/onlinedocs/gcc/Attribute-Syntax.html"])
    );
}
