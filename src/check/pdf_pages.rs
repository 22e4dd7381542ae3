//! How many pages a cited PDF has, for its `#page=N` (PDF open parameters, RFC 8118): the `/Count`
//! of its page tree's root, found by a linear scan of the file and of its compressed object streams,
//! each inflated under a budget. No object graph is built and nothing is followed, so a hostile PDF
//! costs one pass; a file whose page tree cannot be found this way gets no verdict.

use std::io::Read;

use memchr::memmem;

/// Inflated bytes read from one object stream.
const MAX_OBJECT_STREAM: u64 = 8 * 1024 * 1024;
/// Inflated bytes written, and compressed bytes read, from all object streams of a file.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;
/// Object streams inflated in one file.
const MAX_OBJECT_STREAMS: usize = 10_000;

/// The page count: the largest `/Count` of a `/Type /Pages` dictionary (the root counts every page
/// below it). `None` when there is none to read.
pub fn count(pdf: &[u8]) -> Option<u64> {
    if !pdf.starts_with(b"%PDF-") {
        return None;
    }
    let mut best = pages_count(pdf);
    let (mut inflated, mut consumed) = (0u64, 0u64);
    let mut streams = 0usize;
    // Where the last stream read ended: a mention inside bytes already inflated is not a stream
    // of its own (and a file of overlapping starts does not inflate its tail again and again).
    let mut read_to = 0usize;
    for at in memmem::find_iter(pdf, b"/ObjStm") {
        // Every mention counts, read or not: each costs a look at the bytes after it.
        streams += 1;
        if streams > MAX_OBJECT_STREAMS || inflated >= MAX_INFLATED || consumed >= MAX_INFLATED {
            break;
        }
        if at < read_to {
            continue;
        }
        let Some((start, data)) = stream_after(pdf, at) else {
            continue;
        };
        // Flate, the filter object streams are written with; anything else inflates to nothing.
        let room = MAX_OBJECT_STREAM.min(MAX_INFLATED - inflated);
        let mut out = Vec::new();
        let mut decoder = flate2::read::ZlibDecoder::new(data);
        let read = (&mut decoder).take(room).read_to_end(&mut out);
        let used = decoder.total_in();
        consumed += used.max(1);
        read_to = start.saturating_add(usize::try_from(used).unwrap_or(usize::MAX));
        if read.is_err() && out.is_empty() {
            continue;
        }
        inflated += out.len() as u64;
        best = best.max(pages_count(&out));
    }
    best
}

/// The stream data of the object whose dictionary holds the byte at `at`, from after `stream` on
/// (the deflated data ends itself, so its end is not looked for), and where it starts.
fn stream_after(pdf: &[u8], at: usize) -> Option<(usize, &[u8])> {
    // The dictionary is short: `stream` follows within a few KiB.
    let window = &pdf[at..pdf.len().min(at + 4096)];
    let keyword = memmem::find(window, b"stream")?;
    let mut start = at + keyword + b"stream".len();
    if pdf.get(start) == Some(&b'\r') {
        start += 1;
    }
    if pdf.get(start) == Some(&b'\n') {
        start += 1;
    }
    Some((start, pdf.get(start..)?))
}

/// The largest `/Count` among the `/Type /Pages` dictionaries in `bytes`.
fn pages_count(bytes: &[u8]) -> Option<u64> {
    let mut best = None;
    for at in memmem::find_iter(bytes, b"/Pages") {
        // `/Type /Pages`, not `/Pages 3 0 R` in the catalog, nor `/Page`.
        let typed = bytes[at.saturating_sub(64)..at]
            .trim_ascii_end()
            .ends_with(b"/Type");
        let next = bytes.get(at + b"/Pages".len()).copied();
        if !typed || next.is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        // The dictionary around it: from the last `<<` before to the first `>>` after (a page tree
        // node holds no nested dictionary before its `/Count`, as writers set it down).
        let from = at.saturating_sub(4096);
        let Some(open) = memmem::rfind(&bytes[from..at], b"<<").map(|o| from + o) else {
            continue;
        };
        // `<<` of another dictionary, closed before this one opens, is not this one's.
        if memmem::find(&bytes[open..at], b">>").is_some() {
            continue;
        }
        let close = memmem::find(&bytes[at..bytes.len().min(at + 4096)], b">>")
            .map_or(bytes.len().min(at + 4096), |c| at + c);
        let dict = &bytes[open..close];
        let Some(key) = memmem::find(dict, b"/Count") else {
            continue;
        };
        let digits: Vec<u8> = dict[key + b"/Count".len()..]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        if let Some(n) = std::str::from_utf8(&digits)
            .ok()
            .and_then(|d| d.parse::<u64>().ok())
        {
            best = best.max(Some(n));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_tree_root_counts_the_pages() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 12 >> endobj\n\
3 0 obj << /Type /Pages /Parent 2 0 R /Count 5 >> endobj\n\
5 0 obj << /Type /Outlines /Count 40 >> endobj\n";
        assert_eq!(count(pdf), Some(12));
        assert_eq!(count(b"<html>"), None);
        assert_eq!(count(b"%PDF-1.7\n nothing here"), None);
    }

    #[test]
    fn object_streams_are_inflated() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(
            b"1 0 2 40 << /Type /Catalog /Pages 2 0 R >> << /Type/Pages/Kids[7 0 R]/Count 3>>",
        )
        .unwrap();
        let data = z.finish().unwrap();
        let mut pdf =
            b"%PDF-1.5\n9 0 obj << /Type /ObjStm /N 2 /First 8 /Filter /FlateDecode /Length "
                .to_vec();
        pdf.extend_from_slice(format!("{} >>\nstream\n", data.len()).as_bytes());
        pdf.extend_from_slice(&data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        assert_eq!(count(&pdf), Some(3));
    }
}
