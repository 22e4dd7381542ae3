//! Drawing: the PDF's objects made safe to draw (budgets, included figures, form fonts named
//! apart), its glyphs with their positions and sizes, and its link annotations.

use std::collections::{BTreeMap, HashMap};

use compact_str::CompactString;
use lopdf::{Document as Pdf, Object};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::PdfError;

/// What one PDF may cost to read: the inflated size of one stream that is drawn (page content, form,
/// font), of all of them together, and the characters drawn.
pub(super) const MAX_STREAM_INFLATED: u64 = 32 * 1024 * 1024;
pub(super) const MAX_TOTAL_INFLATED: u64 = 192 * 1024 * 1024;
/// How much inflated stream content is kept rather than inflated again where it is used.
const MAX_KEPT_INFLATED: u64 = 48 * 1024 * 1024;
pub(super) const MAX_GLYPHS: usize = 2_000_000;

/// One character as drawn.
#[derive(Debug, Clone)]
pub(super) struct Glyph {
    pub(super) x: f64,
    pub(super) end: f64,
    pub(super) y: f64,
    pub(super) size: f64,
    /// Most glyphs are one character: held inline, not on the heap (a page has thousands).
    pub(super) text: CompactString,
}

#[derive(Default)]
pub(super) struct Collector {
    pub(super) pages: Vec<Vec<Glyph>>,
    /// Characters drawn so far, kept or not: past `MAX_GLYPHS` drawing stops.
    pub(super) drawn: usize,
    /// The current page's media box: text drawn outside it is not seen.
    pub(super) media: Option<(f64, f64, f64, f64)>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _: u32,
        media: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        let (x0, x1) = (media.llx.min(media.urx), media.llx.max(media.urx));
        let (y0, y1) = (media.lly.min(media.ury), media.lly.max(media.ury));
        self.media = (x1 - x0 > 1.0 && y1 - y0 > 1.0).then_some((x0, y0, x1, y1));
        self.pages.push(Vec::new());
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // Upright text only: rotated margin stamps and vertical labels are not the document's text.
        if trm.m11 <= 0.0
            || trm.m22 <= 0.0
            || trm.m12.abs() > trm.m11 * 0.01
            || trm.m21.abs() > trm.m22 * 0.01
        {
            return Ok(());
        }
        self.drawn += 1;
        if self.drawn > MAX_GLYPHS {
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        let v = trm.transform_vector(euclid::vec2(font_size, font_size));
        let size = (v.x * v.y).abs().sqrt();
        let (x, y) = (trm.m31, trm.m32);
        if !(size.is_finite() && x.is_finite() && y.is_finite()) || size <= 0.0 {
            return Ok(());
        }
        // A glyph the font gives no width (pdf-extract finds none for some codes of Google Docs'
        // fonts: `:` and digits) ends where the next one drawn on its line starts, space or not:
        // otherwise `https://` reads `https: //` and `2017` reads `2 0 1 7`.
        if let Some(last) = self.pages.last_mut().and_then(|p| p.last_mut())
            && last.end <= last.x + 1e-6
            && (last.y - y).abs() < 0.1
            && x > last.x
            && x - last.x < size * 1.2
        {
            last.end = x;
        }
        let text = decompose_ligatures(text);
        if text.trim().is_empty() {
            return Ok(());
        }
        if let Some((x0, y0, x1, y1)) = self.media
            && (x < x0 - 1.0 || x > x1 + 1.0 || y < y0 - 1.0 || y > y1 + 1.0)
        {
            return Ok(());
        }
        if let Some(page) = self.pages.last_mut() {
            page.push(Glyph {
                x,
                end: x + width * size,
                y,
                size,
                text: CompactString::from(text.as_ref()),
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Ligatures and other Latin presentation forms as the letters they stand for (`ﬁ` → `fi`): the
/// text is read, searched and checked as letters, and a URL never holds a ligature. Invisible
/// characters (zero-width space and joiners, the byte-order mark) are not text at all: Google Docs
/// sets a zero-width space before and after every link.
pub(super) fn decompose_ligatures(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| ('\u{FB00}'..='\u{FB06}').contains(&c) || is_invisible(c))
    {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c if is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out.into()
}

pub(super) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// A `/Link` annotation with a `/URI` action.
#[derive(Debug, Clone)]
pub(super) struct Annotation {
    pub(super) rect: [f64; 4],
    pub(super) uri: String,
    /// Whether it is drawn over a printed URL (or over nothing legible), rather than over words
    /// ("here", "the projects folder"): only then is it compared with the URLs printed near it.
    pub(super) over_url: bool,
    /// The words it is drawn over, when they are words and not a URL: a note's linked title.
    pub(super) words: Option<String>,
}

impl Annotation {
    pub(super) fn covers(&self, g: &Glyph) -> bool {
        let cx = (g.x + g.end) / 2.0;
        let cy = g.y + g.size * 0.3;
        let [x0, y0, x1, y1] = self.rect;
        cx >= x0 - 1.0 && cx <= x1 + 1.0 && cy >= y0 - 2.0 && cy <= y1 + 2.0
    }
}

/// Makes font programs cheaper to read again: pdf-extract forgets its fonts at every page and reads
/// each font's program anew, though all it takes from one is a Type 1 font's built-in encoding,
/// which stands in the program's clear-text part, before `eexec`. So a Type 1 program keeps only
/// that part, inflated once here; a TrueType program (`FontFile2`), which pdf-extract inflates and
/// throws away, goes. Widths, `ToUnicode` maps and compact (`FontFile3`) programs are untouched.
fn trim_font_programs(pdf: &mut Pdf) {
    let mut type1: Vec<lopdf::ObjectId> = Vec::new();
    for object in pdf.objects.values_mut() {
        let Object::Dictionary(dict) = object else {
            continue;
        };
        if !dict
            .get(b"Type")
            .is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"FontDescriptor"))
        {
            continue;
        }
        dict.remove(b"FontFile2");
        if let Ok(Object::Reference(id)) = dict.get(b"FontFile") {
            type1.push(*id);
        }
    }
    for id in type1 {
        let Ok(Object::Stream(stream)) = pdf.get_object_mut(id) else {
            continue;
        };
        let Ok(program) = stream.decompressed_content() else {
            continue;
        };
        let Some(at) = memchr::memmem::find(&program, b"eexec") else {
            continue;
        };
        let clear = program[..at + b"eexec".len()].to_vec();
        stream.dict.remove(b"Filter");
        stream.dict.remove(b"DecodeParms");
        stream.set_plain_content(clear);
    }
}

/// Drops image data (text extraction never reads it, and pdf-extract would decode an image drawn
/// with `Do` as if it were page content), then measures what every other compressed stream inflates
/// to, without keeping it, against the budget: a decompression bomb is refused before it is drawn.
pub(super) fn within_budget(pdf: &mut Pdf) -> Result<(), PdfError> {
    let profiles = colour_profiles(pdf);
    let cmaps = character_maps(pdf);
    let mut total: u64 = 0;
    let mut kept: u64 = 0;
    // Text-showing operators: each draws at least a glyph, and each costs memory to decode
    // before a single glyph is drawn, so a flood of them is refused here, before decoding.
    let mut shows: usize = 0;
    let mut cmap_bytes: u64 = 0;
    for (id, object) in pdf.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let subtype = stream
            .dict
            .get(b"Subtype")
            .ok()
            .and_then(|t| t.as_name().ok());
        // Pixels and colour profiles are never read (pdf-extract would inflate a profile again
        // every time its colour space is set).
        if subtype == Some(b"Image".as_slice()) || profiles.contains(id) {
            empty_stream(stream);
            continue;
        }
        let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter") {
            Ok(Object::Name(n)) => vec![n.clone()],
            Ok(Object::Array(filters)) => filters
                .iter()
                .filter_map(|f| f.as_name().ok().map(<[u8]>::to_vec))
                .collect(),
            _ => Vec::new(),
        };
        if filters.is_empty() {
            total += stream.content.len() as u64;
            shows += inspect(&stream.content, cmaps.contains(id))?;
            if cmaps.contains(id) {
                count_cmap(&mut cmap_bytes, stream.content.len() as u64)?;
            }
            continue;
        }
        // Every filter of the chain is applied, each under the stream's budget: a stream
        // compressed twice (or A85 then Flate, or LZW) inflates at each step.
        let early_change = lzw_early_change(&stream.dict, &filters);
        let (inflated, whole) = decode_within(&stream.content, &filters, early_change)?;
        let size = inflated.len() as u64;
        total += size;
        shows += inspect(&inflated, cmaps.contains(id))?;
        if cmaps.contains(id) {
            count_cmap(&mut cmap_bytes, size)?;
        }
        if total > MAX_TOTAL_INFLATED {
            return Err(PdfError::TooLarge(format!(
                "its streams inflate past {} MiB",
                MAX_TOTAL_INFLATED / (1024 * 1024)
            )));
        }
        // Inflated once here, kept inflated (up to a budget): pdf-extract and lopdf would inflate
        // the same content, font and CMap streams again on every page that uses them.
        let plain = filters == [b"FlateDecode".to_vec()] && !stream.dict.has(b"DecodeParms");
        if whole && plain && kept + size <= MAX_KEPT_INFLATED {
            kept += size;
            stream.dict.remove(b"Filter");
            stream.set_content(inflated);
        }
    }
    if shows > MAX_GLYPHS {
        return Err(PdfError::TooLarge(format!(
            "more than {MAX_GLYPHS} text operations"
        )));
    }
    Ok(())
}

/// A page's `/Contents` naming one stream twice draws the same marks on themselves: its text is read
/// once. (lopdf joins the streams of `/Contents` into one, so a stream named 20,000 times cost
/// 20,000 copies: 8.6 GB.)
fn draw_contents_once(pdf: &mut Pdf) {
    let once = |contents: &mut Vec<Object>| {
        let mut seen = std::collections::HashSet::new();
        contents.retain(|c| match c {
            Object::Reference(id) => seen.insert(*id),
            _ => true,
        });
    };
    // `/Contents 5 0 R` may name an array object rather than a stream: that array too.
    let mut arrays = Vec::new();
    for object in pdf.objects.values_mut() {
        let Object::Dictionary(page) = object else {
            continue;
        };
        match page.get_mut(b"Contents") {
            Ok(Object::Array(contents)) => once(contents),
            Ok(Object::Reference(id)) => arrays.push(*id),
            _ => {}
        }
    }
    for id in arrays {
        if let Some(Object::Array(contents)) = pdf.objects.get_mut(&id) {
            once(contents);
        }
    }
}

/// A stream's content decoded by its filters in order, each step held to `MAX_STREAM_INFLATED`
/// (past it the PDF is refused), and whether every step read to its end. Filters lopdf cannot
/// decode either end the chain: pdf-extract gets nothing from such a stream.
fn decode_within(
    content: &[u8],
    filters: &[Vec<u8>],
    early_change: bool,
) -> Result<(Vec<u8>, bool), PdfError> {
    use std::io::Read;
    let too_large = || {
        PdfError::TooLarge(format!(
            "a stream inflates past {} MiB (a decompression bomb?)",
            MAX_STREAM_INFLATED / (1024 * 1024)
        ))
    };
    let mut data = content.to_vec();
    let mut whole = true;
    for filter in filters {
        let mut out = Vec::new();
        match filter.as_slice() {
            b"FlateDecode" => {
                // A damaged stream ends the read: pdf-extract copes or skips it.
                let read = flate2::read::ZlibDecoder::new(data.as_slice())
                    .take(MAX_STREAM_INFLATED + 1)
                    .read_to_end(&mut out);
                // lopdf then reads it as raw deflate past its two header bytes: so is it here.
                if read.is_err() && out.is_empty() && data.len() > 2 {
                    let _ = flate2::read::DeflateDecoder::new(&data[2..])
                        .take(MAX_STREAM_INFLATED + 1)
                        .read_to_end(&mut out);
                }
                whole &= read.is_ok();
            }
            b"LZWDecode" => {
                // As lopdf decodes it: `/EarlyChange 0` switches code size late.
                let mut decoder = if early_change {
                    weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
                } else {
                    weezl::decode::Decoder::new(weezl::BitOrder::Msb, 8)
                };
                let mut sink = Capped {
                    out: &mut out,
                    room: MAX_STREAM_INFLATED as usize + 1,
                };
                whole &= decoder
                    .into_stream(&mut sink)
                    .decode_all(data.as_slice())
                    .status
                    .is_ok();
            }
            // Four bytes at most for each byte read (`z`): within the budget of the step before.
            b"ASCII85Decode" => {
                let mut dict = lopdf::Dictionary::new();
                dict.set("Filter", Object::Name(filter.clone()));
                match lopdf::Stream::new(dict, data).decompressed_content() {
                    Ok(decoded) => out = decoded,
                    Err(_) => return Ok((Vec::new(), false)),
                }
            }
            _ => return Ok((data, false)),
        }
        if out.len() as u64 > MAX_STREAM_INFLATED {
            return Err(too_large());
        }
        data = out;
    }
    Ok((data, whole))
}

/// The `/EarlyChange` of a stream's LZW filter (its `/DecodeParms`, a dictionary or one per
/// filter), true unless it says 0, as lopdf reads it.
fn lzw_early_change(dict: &lopdf::Dictionary, filters: &[Vec<u8>]) -> bool {
    let at = filters.iter().position(|f| f == b"LZWDecode");
    let params = match (dict.get(b"DecodeParms"), at) {
        (Ok(Object::Dictionary(d)), _) => Some(d),
        (Ok(Object::Array(all)), Some(i)) => match all.get(i) {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        },
        _ => None,
    };
    params
        .and_then(|p| p.get(b"EarlyChange").ok())
        .and_then(|v| v.as_i64().ok())
        .is_none_or(|v| v != 0)
}

/// A writer that takes at most `room` bytes, then fails (ending a decoder's run).
struct Capped<'a> {
    out: &'a mut Vec<u8>,
    room: usize,
}

impl std::io::Write for Capped<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.room);
        if n == 0 && !buf.is_empty() {
            return Err(std::io::Error::other("over the budget"));
        }
        self.out.extend_from_slice(&buf[..n]);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a stream's content costs to draw: how many text operations it may hold, after a character
/// map's ranges are checked (`cmap`: fonts name it as one).
fn inspect(content: &[u8], cmap: bool) -> Result<usize, PdfError> {
    if cmap {
        check_cmap(content)?;
    }
    let shows = text_shows(content);
    if shows > MAX_STREAM_SHOWS {
        return Err(PdfError::TooLarge(format!(
            "a content stream holds more than {MAX_STREAM_SHOWS} text operations"
        )));
    }
    let depth = state_depth(content);
    if depth > MAX_STATE_DEPTH {
        return Err(PdfError::TooLarge(format!(
            "graphics states saved more than {MAX_STATE_DEPTH} deep"
        )));
    }
    Ok(shows)
}

/// The most text operations one content stream may hold. lopdf parses a stream whole into
/// operations of about 500 bytes each before the first glyph is drawn (1.9 million lines took past
/// 1 GiB); a dense page of a real document holds a few thousand.
const MAX_STREAM_SHOWS: usize = 250_000;

/// How deep a content stream saves graphics states (`q` … `Q`). PDF's implementation limits put it
/// at 28 (ISO 32000-1, annex C); pdf-extract keeps a copy of the state per level, so a stream of
/// millions of `q` cost gigabytes. Past this depth a PDF is refused.
const MAX_STATE_DEPTH: usize = 1_000;

/// The deepest `q` nesting of a content stream: its `q` and `Q` operators as PDF tokens (white-space
/// and delimiters end one; strings and comments hold none).
fn state_depth(content: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let delimiter = |b: u8| matches!(b, 0 | 9 | 10 | 12 | 13 | 32) || b"()<>[]{}/%".contains(&b);
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            // A string's bytes are text, not operators (`[(q)-20(u)]` kerns a letter q).
            b'(' => {
                let mut nesting = 1usize;
                i += 1;
                while i < content.len() && nesting > 0 {
                    match content[i] {
                        b'\\' => i += 1,
                        b'(' => nesting += 1,
                        b')' => nesting -= 1,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'<' if content.get(i + 1) != Some(&b'<') => {
                i += memchr::memchr(b'>', &content[i..]).map_or(content.len() - i, |n| n + 1);
            }
            b'%' => {
                i += memchr::memchr2(b'\n', b'\r', &content[i..]).unwrap_or(content.len() - i);
            }
            b if delimiter(b) => i += 1,
            _ => {
                let start = i;
                while i < content.len() && !delimiter(content[i]) {
                    i += 1;
                }
                match &content[start..i] {
                    b"q" => {
                        depth += 1;
                        deepest = deepest.max(depth);
                    }
                    b"Q" => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
    }
    deepest
}

/// How many text-showing operators (`Tj`, `TJ`, `'`, `"`) a content stream may hold: an upper
/// bound, counted by their bytes. A quote counts as an operator only after the string it shows
/// (`(text) '`, `<hex>'`), so that quotes in binary streams (fonts) and in strings rarely count.
fn text_shows(content: &[u8]) -> usize {
    let quotes = memchr::memchr2_iter(b'\'', b'"', content)
        .filter(|&at| {
            content[..at]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| matches!(b, b')' | b'>'))
        })
        .count();
    memchr::memmem::find_iter(content, b"Tj").count()
        + memchr::memmem::find_iter(content, b"TJ").count()
        + quotes
}

/// The most bytes of character maps (ToUnicode) a PDF may hold, all fonts together. pdf-extract's
/// CMap parser takes about 0.4 s a MiB; a real font's map is a few KiB to 100 KiB (a two-byte font
/// mapping all 65,536 codes one by one is about 1 MiB), and ten pages of 2 MiB maps took 8.6 s.
const MAX_CMAP_BYTES: u64 = 4 << 20;

/// Adds a character map's `size` to the document's, refusing past [`MAX_CMAP_BYTES`].
fn count_cmap(cmap_bytes: &mut u64, size: u64) -> Result<(), PdfError> {
    *cmap_bytes += size;
    if *cmap_bytes > MAX_CMAP_BYTES {
        return Err(PdfError::TooLarge(format!(
            "its character maps hold more than {} MiB",
            MAX_CMAP_BYTES >> 20
        )));
    }
    Ok(())
}

/// How many character codes a font's character maps may cover: a two-byte font has 65,536, and a
/// real CMap far fewer ranges than that. pdf-extract builds every mapping of a range one by one (a
/// `bfrange` over every four-byte code is four billion entries).
const MAX_CMAP_CODES: u64 = 1 << 20;

/// The streams fonts name as `/ToUnicode` or `/Encoding` character maps.
fn character_maps(pdf: &Pdf) -> std::collections::HashSet<lopdf::ObjectId> {
    let mut out = std::collections::HashSet::new();
    for object in pdf.objects.values() {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &stream.dict,
            _ => continue,
        };
        for key in [b"ToUnicode".as_slice(), b"Encoding"] {
            if let Ok(Object::Reference(id)) = dict.get(key) {
                out.insert(*id);
            }
        }
    }
    out
}

/// Refuses a character map whose ranges (`bfrange`, `cidrange`) cover more than [`MAX_CMAP_CODES`]
/// codes in all.
pub(super) fn check_cmap(content: &[u8]) -> Result<(), PdfError> {
    let mut covered: u64 = 0;
    // A `bfrange` is low, high and a destination (a hex string, or an array: one item here); a
    // `cidrange` is low, high and a decimal CID (not a hex string).
    for (begin, end, stride) in [
        (b"beginbfrange".as_slice(), b"endbfrange".as_slice(), 3),
        (b"begincidrange", b"endcidrange", 2),
    ] {
        let mut rest = content;
        while let Some(at) = memchr::memmem::find(rest, begin) {
            rest = &rest[at + begin.len()..];
            let stop = memchr::memmem::find(rest, end).unwrap_or(rest.len());
            let section = &rest[..stop];
            rest = &rest[stop..];
            // Each range opens with two hex codes, low and high: `<0000> <FFFF> …`.
            let codes: Vec<u64> = hex_strings(section).collect();
            for range in codes.chunks(stride) {
                if let [low, high, ..] = range {
                    covered = covered.saturating_add(high.saturating_sub(*low) + 1);
                }
            }
            if covered > MAX_CMAP_CODES {
                return Err(PdfError::TooLarge(format!(
                    "a character map covers more than {MAX_CMAP_CODES} codes"
                )));
            }
        }
    }
    Ok(())
}

/// The `<hex>` strings of a CMap section as numbers (longer than 8 bytes: saturated); an array
/// (a `bfrange` destination) is one item, 0.
fn hex_strings(section: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let mut depth = 0usize;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < section.len() {
            match section[i] {
                b'[' => depth += 1,
                b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        return Some(0);
                    }
                }
                b'<' => {
                    let end = section[i + 1..].iter().position(|&b| b == b'>')? + i + 1;
                    let digits = &section[i + 1..end];
                    i = end + 1;
                    if depth > 0 {
                        continue;
                    }
                    let value = digits
                        .iter()
                        .filter_map(|&b| (b as char).to_digit(16))
                        .fold(0u64, |v, d| {
                            v.saturating_mul(16).saturating_add(u64::from(d))
                        });
                    return Some(value);
                }
                _ => {}
            }
            i += 1;
        }
        None
    })
}

/// The ICC profile streams of `[/ICCBased profile]` colour spaces, wherever resources list them.
fn colour_profiles(pdf: &Pdf) -> std::collections::HashSet<lopdf::ObjectId> {
    fn visit(object: &Object, depth: usize, out: &mut std::collections::HashSet<lopdf::ObjectId>) {
        if depth > 6 {
            return;
        }
        match object {
            Object::Array(items) => {
                if let [Object::Name(name), Object::Reference(id)] = items.as_slice()
                    && name == b"ICCBased"
                {
                    out.insert(*id);
                } else {
                    for item in items {
                        visit(item, depth + 1, out);
                    }
                }
            }
            Object::Dictionary(dict) => {
                for (_, value) in dict.iter() {
                    visit(value, depth + 1, out);
                }
            }
            Object::Stream(stream) => visit(&Object::Dictionary(stream.dict.clone()), depth, out),
            _ => {}
        }
    }
    let mut out = std::collections::HashSet::new();
    for object in pdf.objects.values() {
        match object {
            Object::Stream(stream) => {
                for (_, value) in stream.dict.iter() {
                    visit(value, 1, &mut out);
                }
            }
            other => visit(other, 0, &mut out),
        }
    }
    out
}

/// How deep forms may draw forms: real documents nest a few levels (a page, a placed PDF, its
/// artwork).
const MAX_FORM_DEPTH: usize = 16;
/// How many form draws one form may cause, its own and those of the forms it draws.
const MAX_FORM_DRAWS: u64 = 100_000;

/// Keeps pdf-extract's drawing of form XObjects within bounds. It draws a form every time `Do` names
/// it and follows forms into forms without limit: a form that draws itself, directly or through
/// others, recurses until the stack is gone, and forms that each draw the next twice double the
/// work at every level (40 levels: a trillion draws). A form that closes a cycle, stands deeper
/// than [`MAX_FORM_DEPTH`], or would cause more than [`MAX_FORM_DRAWS`] draws is emptied.
pub(super) fn bound_form_drawing(pdf: &mut Pdf) {
    use std::collections::{HashMap, HashSet};
    let forms: HashMap<lopdf::ObjectId, Vec<lopdf::ObjectId>> = pdf
        .objects
        .iter()
        .filter_map(|(&id, object)| match object {
            Object::Stream(stream) if is_form(stream) => Some((id, forms_drawn(pdf, stream))),
            _ => None,
        })
        .collect();
    if forms.values().all(Vec::is_empty) {
        return;
    }
    // Depth first from every form, without recursion (the graph is the input's): draws of each
    // form, forms on the current path, and what to empty.
    let mut draws: HashMap<lopdf::ObjectId, u64> = HashMap::new();
    let mut empty: HashSet<lopdf::ObjectId> = HashSet::new();
    let mut roots: Vec<lopdf::ObjectId> = forms.keys().copied().collect();
    roots.sort();
    for root in roots {
        if draws.contains_key(&root) {
            continue;
        }
        // (form, index of the next child to visit)
        let mut path: Vec<(lopdf::ObjectId, usize)> = vec![(root, 0)];
        let mut on_path: HashSet<lopdf::ObjectId> = HashSet::from([root]);
        while let Some(&mut (form, ref mut next)) = path.last_mut() {
            let children = forms.get(&form).map_or(&[][..], Vec::as_slice);
            if let Some(&child) = children.get(*next) {
                *next += 1;
                if draws.contains_key(&child) || !forms.contains_key(&child) {
                    continue;
                }
                if on_path.contains(&child) || path.len() >= MAX_FORM_DEPTH {
                    empty.insert(child);
                    draws.insert(child, 0);
                    continue;
                }
                path.push((child, 0));
                on_path.insert(child);
                continue;
            }
            path.pop();
            on_path.remove(&form);
            let total = if empty.contains(&form) {
                0
            } else {
                children.iter().fold(0u64, |sum, child| {
                    sum.saturating_add(1 + draws.get(child).copied().unwrap_or(0))
                })
            };
            if total > MAX_FORM_DRAWS {
                empty.insert(form);
                draws.insert(form, 0);
            } else {
                draws.insert(form, total);
            }
        }
    }
    for id in empty {
        if let Ok(Object::Stream(stream)) = pdf.get_object_mut(id) {
            empty_stream(stream);
        }
    }
}

/// Makes a stream hold nothing (pixels, colour profiles, figures and forms never drawn).
fn empty_stream(stream: &mut lopdf::Stream) {
    stream.dict.remove(b"Filter");
    stream.dict.remove(b"DecodeParms");
    stream.set_content(Vec::new());
}

fn is_form(stream: &lopdf::Stream) -> bool {
    stream
        .dict
        .get(b"Subtype")
        .is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"Form"))
}

/// The forms a form's content draws (`/Name Do`, the name looked up in its resources), once per
/// `Do`: found by their bytes, without decoding the content.
fn forms_drawn(pdf: &Pdf, form: &lopdf::Stream) -> Vec<lopdf::ObjectId> {
    let Some(xobjects) = dictionary_at(pdf, &form.dict, b"Resources")
        .and_then(|resources| dictionary_at(pdf, resources, b"XObject"))
    else {
        return Vec::new();
    };
    let content: std::borrow::Cow<'_, [u8]> = if form.dict.has(b"Filter") {
        match form.decompressed_content() {
            Ok(content) => content.into(),
            Err(_) => return Vec::new(),
        }
    } else {
        form.content.as_slice().into()
    };
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"/[]()<>{}%".contains(&b);
    let mut drawn = Vec::new();
    for at in memchr::memmem::find_iter(&content, b"Do") {
        if content.get(at + 2).is_some_and(|&b| !delimiter(b)) {
            continue;
        }
        let before = &content[..at];
        let name_end = before
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        let Some(slash) = before[..name_end].iter().rposition(|&b| b == b'/') else {
            continue;
        };
        let name = &before[slash + 1..name_end];
        if name.is_empty() || name.iter().any(|&b| delimiter(b)) {
            continue;
        }
        if let Ok(Object::Reference(id)) = xobjects.get(name) {
            drawn.push(*id);
        }
    }
    drawn
}

/// Whether a stream is a form XObject that LaTeX included from another PDF (`/PTEX.*` keys).
pub(super) fn is_included_form(stream: &lopdf::Stream) -> bool {
    is_form(stream) && (stream.dict.has(b"PTEX.FileName") || stream.dict.has(b"PTEX.PageNumber"))
}

/// Empties figures that LaTeX included from other PDFs. Their text is a figure's, and often that of a
/// whole page clipped to a small part of it: pdf-extract applies neither clipping nor a form's
/// bounding box, so it would scatter all of it over the columns. A form drawn over most of its page
/// is not a figure but the page itself (proceedings stamp each paper's pages in this way): it is
/// kept, and the figures inside it are looked for in turn.
pub(super) fn blank_included_figures(pdf: &mut Pdf) {
    let any = pdf
        .objects
        .values()
        .any(|o| matches!(o, Object::Stream(s) if is_included_form(s)));
    if !any {
        return;
    }
    let mut figures: std::collections::HashSet<lopdf::ObjectId> = std::collections::HashSet::new();
    for (_, page_id) in pdf.get_pages() {
        let Ok(content) = pdf.get_page_content(page_id) else {
            continue;
        };
        let area = page_area(pdf, page_id);
        let resources = pdf
            .get_page_resources(page_id)
            .ok()
            .and_then(|(dict, ids)| {
                dict.cloned().or_else(|| {
                    ids.first()
                        .and_then(|id| pdf.get_dictionary(*id).ok().cloned())
                })
            })
            .unwrap_or_default();
        find_figures(pdf, &content, &resources, IDENTITY, area, 0, &mut figures);
    }
    for id in figures {
        if let Ok(Object::Stream(stream)) = pdf.get_object_mut(id) {
            empty_stream(stream);
        }
    }
}

/// A form with fonts of its own: the form, its font dictionary's object if it is shared, and each
/// font's old name → new name.
/// A form's fonts: old resource name → new.
type FontRenames = HashMap<Vec<u8>, Vec<u8>>;

/// Where a form's font dictionary is listed, so that it is renamed once, where it stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum FontsAt {
    /// A font dictionary object of its own, which forms may share.
    Shared(lopdf::ObjectId),
    /// Inside a resource dictionary object, which forms may share.
    InResources(lopdf::ObjectId),
    /// Inside the form's own resource dictionary.
    InForm(lopdf::ObjectId),
}

/// Gives the fonts of form XObjects names of their own. A font's resource name (`/T1_0`) only means
/// something in the resource dictionary it is listed in, and a form drawn on a page has its own:
/// InDesign names the form's semibold `/T1_0` and the page's light face `/T1_0` too. pdf-extract
/// keeps one font per name for the whole page, so after a form is drawn the page's text would be
/// measured and decoded with the form's font: glyphs land out of order ("oW rld") and ligatures
/// decode to nothing. Each form font is renamed after its object (`/ccF12_0`), in the form's
/// resources and in the `Tf` operators of every form that lists them.
pub(super) fn unique_form_fonts(pdf: &mut Pdf) {
    // Forms with fonts of their own: the form, where its fonts are listed, and old → new name.
    let mut plans: Vec<(lopdf::ObjectId, FontsAt, FontRenames)> = Vec::new();
    // Resource and font dictionaries that pages list too: their names are the page's own, so they
    // are left as they are.
    let mut of_pages = std::collections::HashSet::new();
    for (_, page) in pdf.get_pages() {
        let Ok(page) = pdf.get_dictionary(page) else {
            continue;
        };
        if let Ok(Object::Reference(r)) = page.get(b"Resources") {
            of_pages.insert(*r);
        }
        if let Some(Ok(Object::Reference(r))) =
            dictionary_at(pdf, page, b"Resources").map(|r| r.get(b"Font"))
        {
            of_pages.insert(*r);
        }
    }
    for (&id, object) in &pdf.objects {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !is_form(stream) {
            continue;
        }
        let Some(resources) = dictionary_at(pdf, &stream.dict, b"Resources") else {
            continue;
        };
        if let Ok(Object::Reference(r)) = stream.dict.get(b"Resources")
            && of_pages.contains(r)
        {
            continue;
        }
        let Ok(fonts) = resources.get(b"Font") else {
            continue;
        };
        let shared = fonts.as_reference().ok();
        if shared.is_some_and(|r| of_pages.contains(&r)) {
            continue;
        }
        let Some(fonts) = pdf
            .dereference(fonts)
            .ok()
            .and_then(|(_, o)| o.as_dict().ok())
        else {
            continue;
        };
        let at = match (shared, stream.dict.get(b"Resources")) {
            (Some(fonts), _) => FontsAt::Shared(fonts),
            (None, Ok(Object::Reference(resources))) => FontsAt::InResources(*resources),
            _ => FontsAt::InForm(id),
        };
        // A font held directly in a dictionary is named after the object that holds it, so that every
        // form sharing that dictionary reads the same new name.
        let holder = match at {
            FontsAt::Shared(o) | FontsAt::InResources(o) | FontsAt::InForm(o) => o.0,
        };
        let renames: FontRenames = fonts
            .iter()
            .map(|(name, font)| {
                let new = match font.as_reference() {
                    Ok((n, g)) => format!("ccF{n}_{g}").into_bytes(),
                    Err(_) => [
                        b"ccFd".as_slice(),
                        &holder.to_string().into_bytes(),
                        b"_",
                        name,
                    ]
                    .concat(),
                };
                (name.clone(), new)
            })
            .collect();
        if !renames.is_empty() {
            plans.push((id, at, renames));
        }
    }
    let mut renamed: std::collections::HashSet<FontsAt> = std::collections::HashSet::new();
    for (form, at, renames) in plans {
        let Ok(Object::Stream(stream)) = pdf.get_object(form) else {
            continue;
        };
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let Ok(mut ops) = lopdf::content::Content::decode(&content) else {
            continue;
        };
        for op in &mut ops.operations {
            if op.operator == "Tf"
                && let Some(Object::Name(name)) = op.operands.first_mut()
                && let Some(new) = renames.get(name.as_slice())
            {
                *name = new.clone();
            }
        }
        let Ok(encoded) = ops.encode() else {
            continue;
        };
        // The fonts are renamed where they are listed.
        let rename = |fonts: &mut lopdf::Dictionary| {
            let old: Vec<(Vec<u8>, Object)> =
                fonts.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            for (name, font) in old {
                if let Some(new) = renames.get(&name) {
                    fonts.remove(&name);
                    fonts.set(new.clone(), font);
                }
            }
        };
        // Each listing is renamed once, however many forms share it.
        if renamed.insert(at) {
            let fonts = match at {
                FontsAt::Shared(id) => pdf.get_object_mut(id).ok(),
                FontsAt::InResources(id) => match pdf.get_object_mut(id) {
                    Ok(Object::Dictionary(resources)) => resources.get_mut(b"Font").ok(),
                    _ => None,
                },
                FontsAt::InForm(id) => match pdf.get_object_mut(id) {
                    Ok(Object::Stream(s)) => s
                        .dict
                        .get_mut(b"Resources")
                        .ok()
                        .and_then(|r| r.as_dict_mut().ok())
                        .and_then(|r| r.get_mut(b"Font").ok()),
                    _ => None,
                },
            };
            if let Some(Object::Dictionary(fonts)) = fonts {
                rename(fonts);
            }
        }
        if let Ok(Object::Stream(stream)) = pdf.get_object_mut(form) {
            stream.dict.remove(b"Filter");
            stream.dict.remove(b"DecodeParms");
            stream.set_plain_content(encoded);
        }
    }
}

pub(super) type Matrix = [f64; 6];
pub(super) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b`, as PDF composes matrices (`cm` makes the new CTM `m × CTM`).
pub(super) fn compose(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

pub(super) fn numbers(objects: &[Object]) -> Option<Matrix> {
    let v: Vec<f64> = objects
        .iter()
        .filter_map(|o| o.as_float().ok().map(f64::from))
        .collect();
    (v.len() == 6).then(|| [v[0], v[1], v[2], v[3], v[4], v[5]])
}

pub(super) fn page_area(pdf: &Pdf, page_id: lopdf::ObjectId) -> f64 {
    let media = pdf
        .get_dictionary(page_id)
        .ok()
        .and_then(|p| p.get(b"MediaBox").ok())
        .and_then(|m| pdf.dereference(m).ok().map(|(_, o)| o.clone()));
    match media {
        Some(Object::Array(a)) => {
            let v: Vec<f64> = a
                .iter()
                .filter_map(|o| o.as_float().ok().map(f64::from))
                .collect();
            match v.as_slice() {
                [x0, y0, x1, y1] => ((x1 - x0) * (y1 - y0)).abs(),
                _ => 612.0 * 792.0,
            }
        }
        _ => 612.0 * 792.0,
    }
}

/// Walks a content stream's `q`/`Q`/`cm`/`Do`, collecting the included forms drawn over less than
/// 60% of the page; forms drawn larger are walked into (to a depth of four).
pub(super) fn find_figures(
    pdf: &Pdf,
    content: &[u8],
    resources: &lopdf::Dictionary,
    ctm: Matrix,
    page_area: f64,
    depth: usize,
    figures: &mut std::collections::HashSet<lopdf::ObjectId>,
) {
    let Ok(ops) = lopdf::content::Content::decode(content) else {
        return;
    };
    let xobjects = resources
        .get(b"XObject")
        .ok()
        .and_then(|x| pdf.dereference(x).ok().map(|(_, o)| o.clone()))
        .and_then(|o| o.as_dict().ok().cloned());
    let mut stack: Vec<Matrix> = Vec::new();
    let mut ctm = ctm;
    for op in ops.operations {
        match op.operator.as_str() {
            "q" if stack.len() < 64 => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(ctm),
            "cm" => {
                if let Some(m) = numbers(&op.operands) {
                    ctm = compose(&m, &ctm);
                }
            }
            "Do" => {
                let Some(name) = op.operands.first().and_then(|n| n.as_name().ok()) else {
                    continue;
                };
                let Some(Ok(id)) = xobjects
                    .as_ref()
                    .and_then(|x| x.get(name).ok())
                    .map(Object::as_reference)
                else {
                    continue;
                };
                let Ok(Object::Stream(form)) = pdf.get_object(id) else {
                    continue;
                };
                if !is_included_form(form) {
                    continue;
                }
                let matrix = form
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| m.as_array().ok())
                    .and_then(|a| numbers(a))
                    .unwrap_or(IDENTITY);
                let placed = compose(&matrix, &ctm);
                let bbox: Vec<f64> = form
                    .dict
                    .get(b"BBox")
                    .ok()
                    .and_then(|b| b.as_array().ok())
                    .map(|a| {
                        a.iter()
                            .filter_map(|o| o.as_float().ok().map(f64::from))
                            .collect()
                    })
                    .unwrap_or_default();
                let area = match bbox.as_slice() {
                    [x0, y0, x1, y1] => {
                        let det = (placed[0] * placed[3] - placed[1] * placed[2]).abs();
                        ((x1 - x0) * (y1 - y0)).abs() * det
                    }
                    _ => page_area,
                };
                if area < page_area * 0.6 {
                    figures.insert(id);
                } else if depth < 4 {
                    let inner = form
                        .decompressed_content()
                        .unwrap_or_else(|_| form.content.clone());
                    let inner_resources = form
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|r| pdf.dereference(r).ok().map(|(_, o)| o.clone()))
                        .and_then(|o| o.as_dict().ok().cloned())
                        .unwrap_or_default();
                    find_figures(
                        pdf,
                        &inner,
                        &inner_resources,
                        placed,
                        page_area,
                        depth + 1,
                        figures,
                    );
                }
            }
            _ => {}
        }
    }
}

/// A PDF as drawn: the glyphs of each page, the link annotations of each page, and whether its
/// typesetter may hyphenate words inside URLs.
pub(super) struct Drawn {
    pub(super) pages: Vec<Vec<Glyph>>,
    pub(super) annotations: BTreeMap<u32, Vec<Annotation>>,
    pub(super) hyphenates: bool,
}

/// The dictionary under `key`, directly or through a reference.
fn dictionary_at<'a>(
    pdf: &'a Pdf,
    dict: &'a lopdf::Dictionary,
    key: &[u8],
) -> Option<&'a lopdf::Dictionary> {
    dict.get(key)
        .ok()
        .and_then(|o| pdf.dereference(o).ok().map(|(_, o)| o))
        .and_then(|o| o.as_dict().ok())
}

/// Whether Microsoft Word made the PDF (its Creator or Producer says so). Word never hyphenates a
/// URL, so a hyphen at a line break inside a URL of a Word document is the URL's own; InDesign,
/// Pages and TeX hyphenate words wherever they fall, URLs included.
fn made_by_word(pdf: &Pdf) -> bool {
    let Some(info) = dictionary_at(pdf, &pdf.trailer, b"Info") else {
        return false;
    };
    [b"Creator".as_slice(), b"Producer"].iter().any(|key| {
        info.get(key)
            .ok()
            .and_then(|v| pdf.dereference(v).ok().map(|(_, o)| o))
            .and_then(|v| v.as_str().ok())
            .is_some_and(|v| {
                let v = String::from_utf8_lossy(v);
                v.contains("Word") || v.contains("PScript5")
            })
    })
}

/// Loads a PDF and draws its glyphs, page by page, with its link annotations.
#[allow(clippy::type_complexity)]
pub(super) fn draw(bytes: &[u8]) -> Result<Drawn, PdfError> {
    let mut pdf =
        crate::extract::pdf_repair::load(bytes).map_err(|e| PdfError::Malformed(e.to_string()))?;
    if pdf.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let annotations = link_annotations(&pdf);
    let hyphenates = !made_by_word(&pdf);
    draw_contents_once(&mut pdf);
    within_budget(&mut pdf)?;
    bound_form_drawing(&mut pdf);
    trim_font_programs(&mut pdf);
    blank_included_figures(&mut pdf);
    unique_form_fonts(&mut pdf);
    let mut collector = Collector::default();
    // pdf-extract may panic on PDFs it does not understand: that is a malformed input, not a crash,
    // and its panic message is not for the user (see `crate::panics`).
    let drawn = crate::panics::quietly(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pdf_extract::output_doc(&pdf, &mut collector)
        }))
    });
    if collector.drawn > MAX_GLYPHS {
        return Err(PdfError::TooLarge(format!(
            "more than {MAX_GLYPHS} characters drawn"
        )));
    }
    match drawn {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(PdfError::Malformed(format!("{e:?}"))),
        Err(_) => {
            return Err(PdfError::Malformed(
                "its content could not be interpreted".into(),
            ));
        }
    }
    if collector.pages.iter().all(Vec::is_empty) {
        // lopdf may have tried the empty password and left nothing legible: say what it is.
        if memchr::memmem::find(bytes, b"/Encrypt").is_some() {
            return Err(PdfError::Encrypted);
        }
        return Err(PdfError::NoText(pdf.get_pages().len()));
    }
    Ok(Drawn {
        pages: collector.pages,
        annotations,
        hyphenates,
    })
}

/// `(page number) → annotations` of the `/Link` annotations with a `/URI` action.
/// The most link annotations read on one page.
const MAX_PAGE_ANNOTATIONS: usize = 10_000;

pub(super) fn link_annotations(pdf: &Pdf) -> BTreeMap<u32, Vec<Annotation>> {
    let mut out: BTreeMap<u32, Vec<Annotation>> = BTreeMap::new();
    let resolve = |o: &Object| pdf.dereference(o).map(|(_, o)| o.clone()).ok();
    for (number, id) in pdf.get_pages() {
        let Ok(page) = pdf.get_dictionary(id) else {
            continue;
        };
        // The array is read where it is, not copied (a page naming one annotation two million
        // times is 12 MB of file and a gigabyte of copies).
        let Some(Ok((_, Object::Array(annots)))) =
            page.get(b"Annots").ok().map(|o| pdf.dereference(o))
        else {
            continue;
        };
        // An annotation named twice on a page is one link; past MAX_PAGE_ANNOTATIONS distinct
        // ones (a dense real page has a few hundred), the rest of the page's are not read.
        let mut seen = std::collections::HashSet::new();
        for annot in annots {
            if let Object::Reference(id) = annot
                && !seen.insert(*id)
            {
                continue;
            }
            if seen.len() > MAX_PAGE_ANNOTATIONS {
                break;
            }
            let Some(Object::Dictionary(annot)) = resolve(annot) else {
                continue;
            };
            let Some(Object::Dictionary(action)) = annot.get(b"A").ok().and_then(resolve) else {
                continue;
            };
            let Some(Object::String(uri, _)) = action.get(b"URI").ok().and_then(resolve) else {
                continue;
            };
            let rect: Vec<f64> = match annot.get(b"Rect").ok().and_then(resolve) {
                Some(Object::Array(r)) => r
                    .iter()
                    .filter_map(|v| v.as_float().ok().map(f64::from))
                    .collect(),
                _ => Vec::new(),
            };
            let rect = match rect.as_slice() {
                [x1, y1, x2, y2] => [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)],
                _ => [f64::MIN, f64::MIN, f64::MAX, f64::MAX],
            };
            let uri = String::from_utf8_lossy(&uri).trim().to_owned();
            if uri.is_empty() {
                continue;
            }
            out.entry(number).or_default().push(Annotation {
                rect,
                uri,
                over_url: true,
                words: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// `q` and `Q` are counted as operators: not inside strings (a kerned letter q), and ended by
    /// delimiters and comments as PDF tokens are.
    #[test]
    fn graphics_state_depth_counts_operators_only() {
        assert_eq!(super::state_depth(b"q q [(q)-20(u)] Tj (a (q) b) Tj Q"), 2);
        // The comment runs to the end of its line, the q in it with it.
        assert_eq!(super::state_depth(b"q/a q%comment q\nq<71>Tj"), 3);
        assert_eq!(super::state_depth(b"q Q q Q"), 1);
    }
}
