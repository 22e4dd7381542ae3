//! Generates the documents of `benches/documents.sh`: a 300-page PDF report (a body in 11 pt Helvetica
//! with raised reference numbers, three footnotes in 8 pt at the bottom of each page, a link annotation
//! on each footnote's URL) and a Word draft with 300 footnotes linked through relationships.
//!
//! Usage: gen_documents OUT_DIR

use std::io::Write;

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

fn text(ops: &mut Vec<Operation>, x: f32, y: f32, size: f32, s: &str) {
    ops.push(Operation::new("BT", vec![]));
    ops.push(Operation::new("Tf", vec!["F1".into(), Object::Real(size)]));
    ops.push(Operation::new("Td", vec![Object::Real(x), Object::Real(y)]));
    ops.push(Operation::new("Tj", vec![Object::string_literal(s)]));
    ops.push(Operation::new("ET", vec![]));
}

fn pdf(pages: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    let mut n = 0;
    for page in 0..pages {
        let mut ops = Vec::new();
        let mut annots = Vec::new();
        for line in 0..40 {
            let y = 790.0 - line as f32 * 15.0;
            text(
                &mut ops,
                50.0,
                y,
                11.0,
                &format!(
                    "Page {page} line {line}: the bilateral relationship and the peace process in the region."
                ),
            );
            if line % 13 == 12 {
                n += 1;
                text(&mut ops, 480.0, y + 4.0, 7.0, &n.to_string());
            }
        }
        for k in 0..3 {
            let id = n - 2 + k;
            let y = 120.0 - k as f32 * 20.0;
            let url = format!(
                "https://www.example-news.org/{page}/story-{id}-on-the-peace-process-and-regional-connectivity"
            );
            text(
                &mut ops,
                50.0,
                y,
                8.0,
                &format!("{id} \"Story {id} on the peace process,\" Dawn, November 19, 2020,"),
            );
            text(&mut ops, 58.0, y - 9.0, 8.0, &url);
            annots.push(Object::Reference(doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Link",
                "Rect" => vec![50.into(), Object::Real(y - 11.0), 545.into(), Object::Real(y - 2.0)],
                "A" => dictionary! { "S" => "URI", "URI" => Object::string_literal(url) },
            })));
        }
        let content = doc.add_object(Stream::new(
            dictionary! {},
            Content { operations: ops }.encode().expect("content"),
        ));
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()], "Annots" => annots,
        })));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    bytes
}

fn docx(notes: usize) -> Vec<u8> {
    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
    let mut body = format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>"#);
    let mut notes_xml = format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes {NS}>"#);
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=notes {
        body.push_str(&format!(r#"<w:p><w:r><w:t>Paragraph {i} on the bilateral relationship and the peace process.</w:t></w:r><w:r><w:footnoteReference w:id="{i}"/></w:r></w:p>"#));
        notes_xml.push_str(&format!(r#"<w:footnote w:id="{i}"><w:p><w:r><w:t xml:space="preserve">"Story {i} on the peace process," </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>Dawn</w:t></w:r><w:r><w:t xml:space="preserve">, November 19, 2020, </w:t></w:r><w:hyperlink r:id="rId{i}"><w:r><w:t>link</w:t></w:r></w:hyperlink></w:p></w:footnote>"#));
        rels.push_str(&format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.dawn.com/news/{i}" TargetMode="External"/>"#));
    }
    body.push_str("</w:body></w:document>");
    notes_xml.push_str("</w:footnotes>");
    rels.push_str("</Relationships>");
    let mut out = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, xml) in [
            ("word/document.xml", &body),
            ("word/footnotes.xml", &notes_xml),
            ("word/_rels/footnotes.xml.rels", &rels),
        ] {
            zip.start_file(name, options).expect("zip entry");
            zip.write_all(xml.as_bytes()).expect("zip write");
        }
        zip.finish().expect("zip finish");
    }
    out
}

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: gen_documents OUT_DIR"),
    );
    std::fs::create_dir_all(&dir).expect("out dir");
    std::fs::write(dir.join("report-300-pages.pdf"), pdf(300)).expect("write pdf");
    std::fs::write(dir.join("draft-300-footnotes.docx"), docx(300)).expect("write docx");
}
