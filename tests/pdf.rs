//! PDF briefs: the example brief set as a PDF by the test (lopdf, Helvetica, its six footnotes at the
//! bottom of four pages in smaller type, raised reference numbers, link annotations on most URLs) and
//! read through the real binary.

mod common;

use std::fs;
use std::path::Path;

use common::{assert_one_line_error, citecheck, json_stdout};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// Text in WinAnsiEncoding, as Helvetica's strings are.
fn win_ansi(text: &str) -> Object {
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2019}' => 0x92,
            '\u{2013}' => 0x96,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect();
    Object::String(bytes, lopdf::StringFormat::Literal)
}

/// Something drawn on a page.
enum Mark<'a> {
    /// Text at (x, y) in a size.
    Text(f64, f64, f64, &'a str),
    /// A link annotation over the band of y values.
    Link(f64, f64, &'a str),
}

fn pdf(pages: &[Vec<Mark<'_>>]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    for marks in pages {
        let mut ops = Vec::new();
        let mut annots = Vec::new();
        for mark in marks {
            match mark {
                Mark::Text(x, y, size, text) => {
                    ops.push(Operation::new("BT", vec![]));
                    ops.push(Operation::new(
                        "Tf",
                        vec!["F1".into(), Object::Real(*size as f32)],
                    ));
                    ops.push(Operation::new(
                        "Td",
                        vec![Object::Real(*x as f32), Object::Real(*y as f32)],
                    ));
                    ops.push(Operation::new("Tj", vec![win_ansi(text)]));
                    ops.push(Operation::new("ET", vec![]));
                }
                Mark::Link(low, high, url) => {
                    let rect: Vec<Object> = vec![
                        50.into(),
                        Object::Real(*low as f32),
                        545.into(),
                        Object::Real(*high as f32),
                    ];
                    annots.push(Object::Reference(doc.add_object(dictionary! {
                        "Type" => "Annot", "Subtype" => "Link", "Rect" => rect,
                        "A" => dictionary! { "S" => "URI", "URI" => Object::string_literal(*url) },
                    })));
                }
            }
        }
        let content = doc.add_object(Stream::new(
            dictionary! {},
            Content { operations: ops }.encode().unwrap(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()], "Annots" => annots,
        });
        kids.push(Object::Reference(page));
    }
    save(doc, pages_id, kids)
}

/// The PDF's bytes, with its page tree (`pages_id`, reserved before the pages) and catalog.
fn save(mut doc: Document, pages_id: lopdf::ObjectId, kids: Vec<Object>) -> Vec<u8> {
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// The links outside footnotes that `citecheck extract` reads from a PDF, in order.
fn page_links(bytes: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "links.pdf", bytes);
    let report = json_stdout(
        &citecheck()
            .arg("extract")
            .arg(&path)
            .args(["--format", "json"])
            .output()
            .unwrap(),
    );
    report["documents"][0]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap().to_owned())
        .collect()
}

const BODY: f64 = 11.0;
const NOTE: f64 = 8.0;

/// A body line ending in a raised reference number.
fn cited<'a>(y: f64, text: &'a str, marker: &'a str) -> [Mark<'a>; 2] {
    [
        Mark::Text(50.0, y, BODY, text),
        Mark::Text(50.0 + text.len() as f64 * 5.2, y + 4.0, 7.0, marker),
    ]
}

fn the_brief() -> Vec<u8> {
    let youtube = "https://www.youtube.com/watch?v=dHtldMvk9ts";
    let tribune = "https://tribune.com.pk/story/2272789/pm-imran-assures-pakistans-unflinching-support-to-end-violence-in-afghanistan";
    let dawn = "https://www.dawn.com/news/1591240/pakistan-will-do-everything-possible-to-reduce-violence-in-afghanistan-says-pm-imran-on-maiden-kabul-visit";
    let mfa = "https://www.mfa.gov.af/news/2296-agreement-between-afghanistan-and-pakistan-on-establishing-a-shared-vision-in-support-of-peace-and-stability-in-both-countries-and-the-wider-region.html";
    let bbc = "https://www.bbc.com/news/world-us-canada-54980141";
    let mut p1 = vec![
        Mark::Text(
            50.0,
            790.0,
            14.0,
            "IMRAN KHAN'S VISIT TO KABUL: AN ASSESSMENT",
        ),
        Mark::Text(
            50.0,
            760.0,
            BODY,
            "By Amina Khan, Director, Centre for Middle East & Africa (CMEA), ISSI",
        ),
        Mark::Text(50.0, 745.0, BODY, "December 6, 2020"),
    ];
    p1.extend(cited(
        720.0,
        "The intent of the visit was to deepen fraternal bilateral relations.",
        "1",
    ));
    p1.extend([
        Mark::Text(50.0, 705.0, BODY, "The visit came on the heels of a number of confidence-building measures."),
        Mark::Text(50.0, 90.0, NOTE, "1 \u{201c}Joint press conference of Prime Minister Imran Khan and President of Afghanistan Ashraf Ghani,\u{201d}"),
        Mark::Text(58.0, 80.0, NOTE, "YouTube, November 19, 2020, https://www.youtube.com/watch?v=dHtldMvk9ts"),
        Mark::Link(78.0, 88.0, youtube),
    ]);
    let mut p2 = Vec::new();
    p2.extend(cited(
        790.0,
        "Pakistan will do everything possible to help reduce violence.",
        "2",
    ));
    p2.extend([
        Mark::Text(50.0, 90.0, NOTE, "2 \u{201c}Imran vows to help stem Afghan bloodshed,\u{201d} Express Tribune, November 19, 2020,"),
        Mark::Text(58.0, 80.0, NOTE, "https://tribune.com.pk/story/2272789/pm-imran-assures-pakistans-unflinching-support-to-end-"),
        Mark::Text(58.0, 70.0, NOTE, "violence-in-afghanistan"),
        Mark::Link(68.0, 88.0, tribune),
    ]);
    let mut p3 = Vec::new();
    p3.extend(cited(790.0, "The only way to help people on both sides of the border is by peace, trade and connectivity.", "3"));
    p3.extend(cited(
        775.0,
        "Connecting Pakistan and Afghanistan to the Central Asian region.",
        "4",
    ));
    p3.extend(cited(
        760.0,
        "Followed by a joint proposal for the return of Afghan refugees by January 1st, 2021.",
        "5",
    ));
    p3.extend([
        Mark::Text(50.0, 100.0, NOTE, "3 Naveed Siddiqui, \u{201c}Pakistan will do everything possible to reduce violence in Afghanistan, says PM Imran"),
        Mark::Text(58.0, 90.0, NOTE, "on maiden Kabul visit\u{201d}, Dawn, November 19, 2020, https://www.dawn.com/news/1591240/pakistan-will-do-"),
        Mark::Text(58.0, 80.0, NOTE, "everything-possible-to-reduce-violence-in-afghanistan-says-pm-imran-on-maiden-kabul-visit"),
        Mark::Link(78.0, 98.0, dawn),
    ]);
    let mut p4 = Vec::new();
    p4.extend(cited(
        790.0,
        "A day after the Pentagon announced a reduction in the number of US troops.",
        "6",
    ));
    p4.extend([
        // Footnote 4 has no link annotation: its URL, wrapped across two lines, comes from the text.
        Mark::Text(50.0, 130.0, NOTE, "4 https://twitter.com/"),
        Mark::Text(58.0, 120.0, NOTE, "US4AfghanPeace/status/1330568973168107526, November 22, 2020."),
        Mark::Text(50.0, 110.0, NOTE, "5 \u{201c}Agreement between Afghanistan and Pakistan on Establishing a Shared Vision in Support of Peace and"),
        Mark::Text(58.0, 100.0, NOTE, "Stability in Both Countries and the Wider Region,\u{201d} November 19, 2020, https://www.mfa.gov.af/news/2296-"),
        Mark::Text(58.0, 90.0, NOTE, "agreement-between-afghanistan-and-pakistan-on-establishing-a-shared-vision-in-support-of-peace-and-"),
        Mark::Text(58.0, 80.0, NOTE, "stability-in-both-countries-and-the-wider-region.html"),
        Mark::Link(78.0, 102.0, mfa),
        Mark::Text(50.0, 70.0, NOTE, "6 \u{201c}US troops in Afghanistan: Allies and Republicans alarmed at withdrawal plan,\u{201d} BBC News,"),
        Mark::Text(58.0, 60.0, NOTE, "November 18, 2020, https://www.bbc.com/news/world-us-canada-54980141"),
        Mark::Link(58.0, 68.0, bbc),
    ]);
    pdf(&[p1, p2, p3, p4])
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn the_example_brief_as_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "brief.pdf", &the_brief());
    let doc = &common::extract_document(&path.to_string_lossy());
    assert_eq!(doc["format"], "pdf");

    // The same footnotes as the Markdown version of the brief.
    let markdown = json_stdout(
        &citecheck()
            .args([
                "extract",
                "examples/kabul-visit-brief.md",
                "--format",
                "json",
            ])
            .output()
            .unwrap(),
    );
    let expected = markdown["documents"][0]["footnotes"].as_array().unwrap();
    let found = doc["footnotes"].as_array().unwrap();
    assert_eq!(found.len(), 6, "{found:#?}");
    for (f, e) in found.iter().zip(expected) {
        for field in ["id", "urls", "title", "publication", "date", "authors"] {
            assert_eq!(f[field], e[field], "footnote {} {field}", e["id"]);
        }
    }
    let pages: Vec<u64> = found.iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(pages, [1, 2, 3, 4, 4, 4], "line is the page");
    assert_eq!(
        found[4]["references"],
        serde_json::json!([3]),
        "footnote 5 is cited on page 3"
    );
    assert_eq!(doc["issues"], serde_json::json!([]));
}

#[test]
fn urls_outside_footnotes_are_never_lost() {
    let bytes = pdf(&[vec![
        Mark::Text(
            50.0,
            790.0,
            BODY,
            "A report with no footnotes, see https://www.un.org/en/about-us and",
        ),
        Mark::Text(50.0, 775.0, BODY, "the annotated link below."),
        Mark::Link(770.0, 786.0, "https://www.worldbank.org/en/region/sar"),
    ]]);
    let links = page_links(&bytes);
    // Printed URLs first, in reading order, then links over words.
    assert_eq!(
        links,
        [
            "https://www.un.org/en/about-us",
            "https://www.worldbank.org/en/region/sar"
        ]
    );
}

#[test]
fn unreadable_pdfs_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write(
        dir.path(),
        "garbage.pdf",
        b"%PDF-1.4\nthis is not a PDF body",
    );
    let output = citecheck().arg("extract").arg(&garbage).output().unwrap();
    assert_one_line_error(&output, 2, "garbage.pdf: not a readable PDF");

    let scanned = write(dir.path(), "scanned.pdf", &pdf(&[vec![], vec![]]));
    let output = citecheck().arg("extract").arg(&scanned).output().unwrap();
    assert_one_line_error(
        &output,
        2,
        "no text layer: a scanned PDF? (no text on any of its 2 pages)",
    );
}

#[test]
fn an_encrypted_pdf_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = Document::load_mem(&pdf(&[vec![Mark::Text(
        50.0,
        790.0,
        BODY,
        "Secret https://a.example/",
    )]]))
    .unwrap();
    doc.trailer.set(
        "Encrypt",
        dictionary! { "Filter" => "Standard", "V" => 2, "R" => 3, "Length" => 128, "P" => -4,
            "O" => Object::string_literal(vec![0u8; 32]), "U" => Object::string_literal(vec![0u8; 32]) },
    );
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let path = write(dir.path(), "locked.pdf", &bytes);
    let output = citecheck().arg("extract").arg(&path).output().unwrap();
    assert_one_line_error(&output, 2, "locked.pdf: encrypted PDF");
}

/// Replaces the content stream of a one-page PDF (from `pdf`) with `content`, flate-compressed.
fn with_content(content: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut doc =
        Document::load_mem(&pdf(&[vec![Mark::Text(50.0, 790.0, BODY, "Body text.")]])).unwrap();
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content).unwrap();
    let compressed = encoder.finish().unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let stream = doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        compressed,
    ));
    doc.get_dictionary_mut(page)
        .unwrap()
        .set("Contents", Object::Reference(stream));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// Runs `extract` on a file, watching the child's peak resident memory (VmHWM, KiB).
fn extract_with_peak(path: &Path) -> (std::process::Output, u64) {
    common::peak::extract_with_peak(&[path], &[])
}

#[test]
fn a_decompression_bomb_is_refused_within_the_memory_budget() {
    let dir = tempfile::tempdir().unwrap();
    // 256 MiB of spaces inflate from about 250 KB.
    let bomb = write(
        dir.path(),
        "bomb.pdf",
        &with_content(&vec![b' '; 256 << 20]),
    );
    assert!(fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let (output, peak_kib) = extract_with_peak(&bomb);
    assert_one_line_error(
        &output,
        2,
        "bomb.pdf: over the reading budget: a stream inflates past",
    );
    assert!(peak_kib < 150 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn millions_of_drawn_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // 2.2 million one-character strings: about 13 MB of content, under the inflation budget, past the
    // text operations one stream may hold.
    let mut content = b"BT /F1 10 Tf 50 700 Td ".to_vec();
    for _ in 0..2_200_000 {
        content.extend_from_slice(b"(x)Tj ");
    }
    content.extend_from_slice(b"ET");
    let flood = write(dir.path(), "flood.pdf", &with_content(&content));
    let output = citecheck().arg("extract").arg(&flood).output().unwrap();
    assert_one_line_error(
        &output,
        2,
        "flood.pdf: over the reading budget: a content stream holds more than",
    );
}

#[test]
fn a_pdf_the_text_library_cannot_draw_is_one_line_without_panic_text() {
    let dir = tempfile::tempdir().unwrap();
    // Text shown with no font selected: pdf-extract panics on it.
    let broken = write(
        dir.path(),
        "nofont.pdf",
        &with_content(b"BT 50 700 Td (x) Tj ET"),
    );
    let output = citecheck().arg("extract").arg(&broken).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_one_line_error(&output, 2, "nofont.pdf: not a readable PDF");
}

/// A page drawing `forms` (an included PDF: `/PTEX.FileName`, an A4 bounding box, text with a URL)
/// through `cm` matrices; the page itself says `page_text`.
fn with_included_forms(page_text: &str, forms: &[(&str, [f32; 6])]) -> Vec<u8> {
    let mut doc =
        Document::load_mem(&pdf(&[vec![Mark::Text(50.0, 790.0, BODY, page_text)]])).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let mut xobjects = lopdf::Dictionary::new();
    let mut ops = String::new();
    for (i, (text, m)) in forms.iter().enumerate() {
        let content = format!("BT /F1 12 Tf 72 700 Td ({text}) Tj ET");
        let form = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "PTEX.FileName" => Object::string_literal("figure.pdf"),
                "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            },
            content.into_bytes(),
        ));
        xobjects.set(format!("Fig{i}"), form);
        ops.push_str(&format!(
            "q {} {} {} {} {} {} cm /Fig{i} Do Q\n",
            m[0], m[1], m[2], m[3], m[4], m[5]
        ));
    }
    let old = doc.get_page_content(page).unwrap();
    let mut content = old;
    content.extend_from_slice(ops.as_bytes());
    let stream = doc.add_object(Stream::new(dictionary! {}, content));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font }, "XObject" => xobjects,
    });
    let page_dict = doc.get_dictionary_mut(page).unwrap();
    page_dict.set("Contents", Object::Reference(stream));
    page_dict.set("Resources", Object::Reference(resources));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn text_of_figures_included_from_other_pdfs_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    // A figure: a whole page scaled to a third, as \includegraphics draws a clipped PDF figure.
    let figure = write(
        dir.path(),
        "figure.pdf",
        &with_included_forms(
            "Body https://body.example/page",
            &[(
                "see https://figure.example/hidden",
                [0.3, 0.0, 0.0, 0.3, 50.0, 300.0],
            )],
        ),
    );
    let output = citecheck()
        .args(["extract", "--format", "json"])
        .arg(&figure)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("https://body.example/page"), "{text}");
    assert!(!text.contains("figure.example"), "{text}");

    // A page drawn whole from another PDF (proceedings stamp each paper's pages so) is the text.
    let stamped = write(
        dir.path(),
        "stamped.pdf",
        &with_included_forms(
            "1651",
            &[(
                "see https://paper.example/page",
                [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            )],
        ),
    );
    let output = citecheck()
        .args(["extract", "--format", "json"])
        .arg(&stamped)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("https://paper.example/page"), "{text}");
}

/// A note's URL printed with a hyphen at the end of its line, no link annotation: the printed form is
/// broken, the form without the line-break hyphen answers, and `check` says so.
#[test]
fn check_tries_a_hyphenated_url_without_its_line_break_hyphen() {
    let server = common::Server::https(&["reports.example"], |hit, _| {
        if hit.path == "/annualreport-2020.html" {
            common::Reply::html(200, "<title>Annual report 2020</title>")
        } else {
            common::Reply::html(404, "<title>Not found</title>")
        }
    });
    let mut page: Vec<Mark<'_>> = cited(700.0, "The annual report says so.", "1").into();
    page.extend([
        Mark::Text(
            50.0,
            690.0,
            BODY,
            "More body text follows the citation here.",
        ),
        Mark::Text(
            50.0,
            90.0,
            NOTE,
            "1 Annual report 2020, https://reports.example/annual-",
        ),
        Mark::Text(58.0, 80.0, NOTE, "report-2020.html"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "report.pdf", &pdf(&[page]));
    let output = citecheck()
        .arg("check")
        .arg(&path)
        .args(["--format", "json", "--ca-cert"])
        .arg(&common::TEST_CA.pem_path)
        .args(["--resolve", &format!("reports.example:443:{}", server.addr)])
        .output()
        .unwrap();
    let report = json_stdout(&output);
    let doc = &report["documents"][0];
    assert_eq!(
        doc["footnotes"][0]["urls"][0],
        "https://reports.example/annual-report-2020.html"
    );
    assert_eq!(
        doc["alternatives"]["https://reports.example/annual-report-2020.html"],
        "https://reports.example/annualreport-2020.html"
    );
    let result = &report["results"][0];
    assert_eq!(
        result["url"],
        "https://reports.example/annual-report-2020.html"
    );
    assert_eq!(result["status"], "ok", "{result}");
    assert_eq!(
        result["answered_as"],
        "https://reports.example/annualreport-2020.html"
    );
    assert_eq!(output.status.code(), Some(0));
}

/// A form XObject's fonts are its own: InDesign names a form's font `/F1` (here one whose encoding
/// reads `A` as `B`) and the page's font `/F1` too. After the form is drawn, the page's text must
/// still be read with the page's font.
#[test]
fn a_form_font_never_stands_for_the_page_font_of_the_same_name() {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let page_font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let form_font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => dictionary! {
            "Type" => "Encoding", "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => vec![65.into(), Object::Name(b"B".to_vec()), 97.into(), Object::Name(b"b".to_vec())],
        },
    });
    let form_ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 8.into()]),
        Operation::new("Td", vec![400.into(), 20.into()]),
        Operation::new("Tj", vec![win_ansi("Logo")]),
        Operation::new("ET", vec![]),
    ];
    let form = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => form_font } },
        },
        Content {
            operations: form_ops,
        }
        .encode()
        .unwrap(),
    ));
    let page_ops = vec![
        Operation::new("Do", vec![Object::Name(b"Fm0".to_vec())]),
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), Object::Real(BODY as f32)]),
        Operation::new("Td", vec![50.into(), 790.into()]),
        Operation::new("Tj", vec![win_ansi("Ask at https://a.example/Aa today.")]),
        Operation::new("ET", vec![]),
    ];
    let content = doc.add_object(Stream::new(
        dictionary! {},
        Content {
            operations: page_ops,
        }
        .encode()
        .unwrap(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! {
            "Font" => dictionary! { "F1" => page_font },
            "XObject" => dictionary! { "Fm0" => form },
        },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    let bytes = save(doc, pages_id, vec![page.into()]);
    let links = page_links(&bytes);
    assert_eq!(links, ["https://a.example/Aa"]);
}

/// A PDF's locations are pages (issue 22: every output said "line 2" for page 2): the human and
/// Markdown outputs say "page", and the GitHub and SARIF outputs, which point at lines of a file,
/// tell the page in the message and point at no line.
#[test]
fn locations_in_a_pdf_are_pages_in_every_output() {
    let server = common::Server::https(&["reports.example"], |_, _| {
        common::Reply::html(404, "<title>Not found</title>")
    });
    let first: Vec<Mark<'_>> = vec![Mark::Text(50.0, 700.0, BODY, "A first page.")];
    let mut second: Vec<Mark<'_>> = cited(700.0, "The annual report says so.", "1").into();
    second.push(Mark::Text(
        50.0,
        90.0,
        NOTE,
        "1 Annual report 2020, https://reports.example/gone.html",
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "report.pdf", &pdf(&[first, second]));
    let run = |format: &str| {
        let output = citecheck()
            .arg("check")
            .arg(&path)
            .args(["--format", format, "--max-retries", "0", "--ca-cert"])
            .arg(&common::TEST_CA.pem_path)
            .args(["--resolve", &format!("reports.example:443:{}", server.addr)])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let human = run("human");
    assert!(human.contains("fn 1  broken"), "{human}");
    let extracted = citecheck().arg("extract").arg(&path).output().unwrap();
    let extracted = String::from_utf8(extracted.stdout).unwrap();
    assert!(extracted.contains("  fn  page  date"), "{extracted}");
    let markdown = run("markdown");
    assert!(markdown.contains("| 1 (page 2) |"), "{markdown}");
    let github = run("github");
    assert!(
        github.contains("::error file=") && !github.contains(",line="),
        "{github}"
    );
    assert!(github.contains("::page 2: footnote 1:"), "{github}");
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert!(
        result["locations"][0]["physicalLocation"]
            .get("region")
            .is_none(),
        "{result}"
    );
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with("(page 2)"),
        "{result}"
    );
}
