//! Damaged PDFs: when lopdf refuses a file because its cross-reference table, trailer or `startxref`
//! is broken (a truncated download, a bad editor), the table is rebuilt from the objects themselves,
//! as pdftotext, mutool and pypdf do: every `N G obj` at the start of a line is an object at that
//! offset. lopdf 0.42 has no such recovery (`Reader::read` fails on the first bad xref); it does read
//! the objects inside `/ObjStm` streams once the streams themselves are in the table.
//!
//! The work is bounded: one linear scan of the bytes, at most `MAX_OBJECTS` objects, and a copy of the
//! file with a fresh table appended.

use std::collections::BTreeMap;

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object};

/// More objects than this and the file is not repaired.
const MAX_OBJECTS: usize = 1 << 20;
/// How far past `obj` the catalog's `/Type /Catalog` is looked for.
const OBJECT_HEAD: usize = 1024;
/// How many bytes of object heads are searched for the catalog in all.
const CATALOG_BUDGET: usize = 64 * 1024 * 1024;

/// Loads a PDF, rebuilding its cross-reference table when lopdf cannot read the one it has. The error
/// is lopdf's on the file as it is, when the repair does not help either.
pub(crate) fn load(bytes: &[u8]) -> Result<Document, lopdf::Error> {
    match Document::load_mem(bytes) {
        // Offsets in the table that point at no object: lopdf skips those objects and loads the rest,
        // often without a page. The rebuilt table wins if it finds more.
        Ok(pdf) if lost_objects(&pdf) => Ok(repaired(bytes)
            .filter(|repaired| repaired.objects.len() > pdf.objects.len())
            .unwrap_or(pdf)),
        Ok(pdf) => Ok(pdf),
        Err(error) => repaired(bytes).ok_or(error),
    }
}

/// Whether an object the cross-reference table lists at an offset was not found there. (Not asked of
/// encrypted files, which lopdf loads another way.)
fn lost_objects(pdf: &Document) -> bool {
    pdf.trailer.get(b"Encrypt").is_err()
        && pdf.reference_table.entries.iter().any(|(&number, entry)| {
            matches!(entry, XrefEntry::Normal { .. })
                && pdf
                    .objects
                    .range((number, 0)..=(number, u16::MAX))
                    .next()
                    .is_none()
        })
}

/// The document read through a rebuilt cross-reference table, if it has objects and a catalog.
fn repaired(bytes: &[u8]) -> Option<Document> {
    let mut pdf = Document::load_mem(&rebuild(bytes)?).ok()?;
    // The trailer's /Root was lost or wrong: the catalog is the object that says it is one (it may be
    // inside an object stream, which only lopdf can open).
    let has_pages = |pdf: &Document| pdf.catalog().is_ok_and(|c| c.get(b"Pages").is_ok());
    if !has_pages(&pdf) {
        let root = pdf.objects.iter().find_map(|(id, object)| {
            let dict = object.as_dict().ok()?;
            dict.has_type(b"Catalog").then_some(*id)
        })?;
        pdf.trailer.set("Root", Object::Reference(root));
    }
    has_pages(&pdf).then_some(pdf)
}

/// The file (from its `%PDF-` header, as lopdf reads it) with a new cross-reference table, trailer
/// and `startxref` appended; `None` when it has no header or no objects.
fn rebuild(bytes: &[u8]) -> Option<Vec<u8>> {
    let header = find(bytes, b"%PDF-", 0)?;
    let pdf = &bytes[header..];
    let objects = scan_objects(pdf);
    let max = *objects.keys().next_back()?;

    let root = match last_reference(pdf, b"/Root").or_else(|| catalog_object(pdf, &objects)) {
        Some(root) => root,
        // A placeholder: `repaired` finds the catalog among the objects of the object streams.
        None if find(pdf, b"/ObjStm", 0).is_some() => (max, 0),
        // No catalog anywhere: not worth loading.
        None => return None,
    };
    let mut trailer = format!("/Size {} /Root {} {} R", u64::from(max) + 1, root.0, root.1);
    if let Some((n, g)) = last_reference(pdf, b"/Info") {
        trailer.push_str(&format!(" /Info {n} {g} R"));
    }
    if let Some((n, g)) = last_reference(pdf, b"/Encrypt") {
        trailer.push_str(&format!(" /Encrypt {n} {g} R"));
        if let Some(id) = last_id_array(pdf) {
            trailer.push_str(" /ID ");
            trailer.push_str(&id);
        }
    }

    let mut out = Vec::with_capacity(pdf.len() + 20 * objects.len() + 256);
    out.extend_from_slice(pdf);
    out.push(b'\n');
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f \n");
    // One subsection per run of consecutive object numbers: no entries for the gaps.
    let entries: Vec<(u32, u16, usize)> = objects.iter().map(|(n, (g, o))| (*n, *g, *o)).collect();
    for run in entries.chunk_by(|a, b| b.0 == a.0 + 1) {
        out.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
        for (_, generation, offset) in run {
            out.extend_from_slice(format!("{offset:010} {generation:05} n \n").as_bytes());
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    Some(out)
}

/// Object number → (generation, offset) of every `N G obj` at the start of a line; a later definition
/// replaces an earlier one, as an incremental update does.
fn scan_objects(pdf: &[u8]) -> BTreeMap<u32, (u16, usize)> {
    let mut objects = BTreeMap::new();
    let mut line_start = true;
    for (i, &b) in pdf.iter().enumerate() {
        if line_start
            && b.is_ascii_digit()
            && let Some((number, generation)) = object_header(&pdf[i..])
            && number > 0
        {
            if objects.len() >= MAX_OBJECTS && !objects.contains_key(&number) {
                break;
            }
            objects.insert(number, (generation, i));
        }
        line_start = b == b'\n' || b == b'\r';
    }
    objects
}

/// `N G obj` at the start of `s`.
fn object_header(s: &[u8]) -> Option<(u32, u16)> {
    let (number, rest) = integer(s, 10)?;
    let rest = skip_spaces(rest, 1)?;
    let (generation, rest) = integer(rest, 5)?;
    let rest = skip_spaces(rest, 0)?;
    let rest = rest.strip_prefix(b"obj")?;
    // `obj` ends there: `12 0 object` is not an object.
    if rest.first().is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((u32::try_from(number).ok()?, u16::try_from(generation).ok()?))
}

/// A decimal integer of at most `max` digits at the start of `s`, and what follows it.
fn integer(s: &[u8], max: usize) -> Option<(u64, &[u8])> {
    let digits = s
        .iter()
        .take(max + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > max {
        return None;
    }
    let value = std::str::from_utf8(&s[..digits]).ok()?.parse().ok()?;
    Some((value, &s[digits..]))
}

/// `s` past at least `min` spaces (not line breaks: an object header is on one line).
fn skip_spaces(s: &[u8], min: usize) -> Option<&[u8]> {
    let n = s.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    (n >= min).then_some(&s[n..])
}

/// The last `key N G R` in the file (a trailer's or a cross-reference stream's `/Root`, `/Info`…).
fn last_reference(pdf: &[u8], key: &[u8]) -> Option<(u32, u16)> {
    let mut end = pdf.len();
    while let Some(at) = rfind(&pdf[..end], key) {
        end = at;
        let rest = &pdf[at + key.len()..];
        // `/Root` and not `/RootFoo`.
        if rest.first().is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let rest = skip_whitespace(rest);
        let Some((number, rest)) = integer(rest, 10) else {
            continue;
        };
        let rest = skip_whitespace(rest);
        let Some((generation, rest)) = integer(rest, 5) else {
            continue;
        };
        if skip_whitespace(rest).first() == Some(&b'R')
            && let (Ok(n), Ok(g)) = (u32::try_from(number), u16::try_from(generation))
        {
            return Some((n, g));
        }
    }
    None
}

/// The last `/ID [<…> <…>]` array, as written.
fn last_id_array(pdf: &[u8]) -> Option<String> {
    let at = rfind(pdf, b"/ID")?;
    let rest = skip_whitespace(&pdf[at + 3..]);
    let end = rest.iter().take(512).position(|&b| b == b']')?;
    let array = std::str::from_utf8(&rest[..=end]).ok()?;
    array.starts_with('[').then(|| array.to_owned())
}

/// The uncompressed object whose dictionary says `/Type /Catalog`, among the last objects (the heads
/// looked at are at most `CATALOG_BUDGET` bytes in all).
fn catalog_object(pdf: &[u8], objects: &BTreeMap<u32, (u16, usize)>) -> Option<(u32, u16)> {
    objects
        .iter()
        .rev()
        .take(CATALOG_BUDGET / OBJECT_HEAD)
        .find_map(|(number, (generation, offset))| {
            let head = &pdf[*offset..pdf.len().min(offset + OBJECT_HEAD)];
            let head = &head[..find(head, b"endobj", 0).unwrap_or(head.len())];
            let at = find(head, b"/Type", 0)?;
            skip_whitespace(&head[at + 5..])
                .starts_with(b"/Catalog")
                .then_some((*number, *generation))
        })
}

fn skip_whitespace(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF with a link annotation, written by hand; `xref` is what goes after the objects.
    fn pdf(xref: &str) -> Vec<u8> {
        let mut out = String::from("%PDF-1.4\n");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>",
            "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://a.org/x) >> >>",
        ];
        for (i, object) in objects.iter().enumerate() {
            out.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
        }
        out.push_str(xref);
        out.into_bytes()
    }

    fn uri(pdf: &Document) -> Option<String> {
        pdf.objects.values().find_map(|o| {
            let action = o.as_dict().ok()?.get(b"A").ok()?.as_dict().ok()?;
            Some(String::from_utf8_lossy(action.get(b"URI").ok()?.as_str().ok()?).into_owned())
        })
    }

    #[test]
    fn objects_are_found_at_line_starts() {
        let bytes = pdf("");
        let objects = scan_objects(&bytes);
        assert_eq!(objects.keys().copied().collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(&bytes[objects[&2].1..][..7], b"2 0 obj");
        // Not at a line start, not `obj`, a number too large for an object id.
        let noise = b"%PDF-1.4\nx 5 0 obj\n6 0 object\n99999999999 0 obj\n7 65536 obj\n 8 0 obj\n";
        assert!(scan_objects(noise).is_empty());
        // The later of two definitions wins.
        let twice = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
        assert_eq!(scan_objects(twice)[&1].1, 29);
    }

    #[test]
    fn a_garbage_startxref_is_rebuilt() {
        let broken = pdf("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n987654321\n%%EOF\n");
        assert!(Document::load_mem(&broken).is_err());
        let repaired = load(&broken).unwrap();
        assert_eq!(repaired.get_pages().len(), 1);
        assert_eq!(uri(&repaired).as_deref(), Some("https://a.org/x"));
    }

    #[test]
    fn offsets_that_point_at_nothing_are_rebuilt() {
        let table = "xref\n0 5\n0000000000 65535 f \n0000000001 00000 n \n0000000001 00000 n \n0000000001 00000 n \n0000000001 00000 n \ntrailer\n<< /Size 5 /Root 1 0 R >>\n";
        let mut broken = pdf(table);
        let xref = find(&broken, b"xref", 0).unwrap();
        broken.extend_from_slice(format!("startxref\n{xref}\n%%EOF\n").as_bytes());
        // lopdf loads it, without its objects.
        assert!(Document::load_mem(&broken).unwrap().objects.is_empty());
        let repaired = load(&broken).unwrap();
        assert_eq!(repaired.get_pages().len(), 1);
        assert_eq!(uri(&repaired).as_deref(), Some("https://a.org/x"));
    }

    #[test]
    fn no_trailer_at_all_finds_the_catalog() {
        let repaired = load(&pdf("")).unwrap();
        assert_eq!(repaired.get_pages().len(), 1);
        assert_eq!(last_reference(&pdf(""), b"/Root"), None);
        assert_eq!(
            catalog_object(&pdf(""), &scan_objects(&pdf(""))),
            Some((1, 0))
        );
    }

    #[test]
    fn references_are_read_from_the_end() {
        let text = b"<< /Root 1 0 R >> << /RootX 9 0 R /Root  12\n0 R /Info 3 0 R >> /Root (x)";
        assert_eq!(last_reference(text, b"/Root"), Some((12, 0)));
        assert_eq!(last_reference(text, b"/Info"), Some((3, 0)));
        assert_eq!(last_reference(text, b"/Encrypt"), None);
    }

    #[test]
    fn what_is_not_a_pdf_stays_an_error() {
        assert!(load(b"not a pdf").is_err());
        assert!(load(b"%PDF-1.4\nno objects here\n").is_err());
        assert!(load(b"%PDF-1.4\n1 0 obj\n<< /Type /Pages >>\n").is_err());
        assert!(load(b"").is_err());
    }
}
