//! Layout: glyphs into lines, running headers and footers removed, the page split into columns.

use foldhash::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::drawing::*;

/// A line of text in one column (or across the page), left to right.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// Baseline of most of the line.
    pub(super) y: f64,
    /// The size most of the line is set in.
    pub(super) size: f64,
    pub(super) glyphs: Vec<Glyph>,
}

impl Line {
    pub(super) fn x1(&self) -> f64 {
        self.glyphs.iter().map(|g| g.end).fold(f64::MIN, f64::max)
    }
    pub(super) fn text(&self) -> String {
        text_of(self.glyphs.iter())
    }
    /// Whether a glyph is raised above the line and set smaller: a note number.
    pub(super) fn raised(&self, g: &Glyph) -> bool {
        g.size < self.size * 0.9 && g.y > self.y + self.size * 0.12
    }
}

/// The size most of the document's text is set in, counted over the upper two thirds of each page
/// (notes, in their smaller type, fill the foot of a page).
pub(super) fn body_size(pages: &[Vec<Glyph>]) -> f64 {
    common_size(pages.iter().flat_map(|page| {
        let top = page.iter().map(|g| g.y).fold(f64::MIN, f64::max);
        let bottom = page.iter().map(|g| g.y).fold(f64::MAX, f64::min);
        let cut = bottom + (top - bottom) / 3.0;
        page.iter().filter(move |g| g.y >= cut)
    }))
}

/// The size most of these glyphs are set in (to the half point).
pub(super) fn common_size<'a>(glyphs: impl IntoIterator<Item = &'a Glyph>) -> f64 {
    let mut counts: HashMap<i64, usize> = HashMap::default();
    for g in glyphs {
        *counts.entry((g.size * 2.0).round() as i64).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(size, n)| (n, size))
        .map_or(10.0, |(size, _)| size as f64 / 2.0)
}

/// Groups glyphs into lines, top to bottom: a glyph within a little under half its size of a line's
/// baseline (a raised note number included) belongs to it.
pub(super) fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for g in glyphs {
        // Only the last few lines can hold it: glyphs come top to bottom.
        let found = lines
            .iter_mut()
            .rev()
            .take(4)
            .find(|l| (l.y - g.y).abs() <= l.size.max(g.size) * 0.45);
        match found {
            Some(line) => {
                if g.size > line.size {
                    line.size = g.size;
                    line.y = g.y;
                }
                line.glyphs.push(g)
            }
            None => lines.push(Line {
                y: g.y,
                size: g.size,
                glyphs: vec![g],
            }),
        }
    }
    merge_raised_markers(&mut lines);
    for line in &mut lines {
        line.glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
        // The line's size and baseline are those of most of its glyphs.
        let mut sizes: Vec<f64> = line.glyphs.iter().map(|g| g.size).collect();
        sizes.sort_by(f64::total_cmp);
        line.size = sizes[sizes.len() / 2];
        line.y = line
            .glyphs
            .iter()
            .filter(|g| (g.size - line.size).abs() < 0.01)
            .map(|g| g.y)
            .fold(f64::MAX, f64::min);
    }
    lines.sort_by(|a, b| b.y.total_cmp(&a.y));
    lines
}

/// A note number raised higher than the grouping tolerance (Corel Ventura raises a 6 pt number
/// half an em above 12 pt text) stands as a line of its own: it belongs to the line below it when it
/// sits within that line's height and reach.
pub(super) fn merge_raised_markers(lines: &mut Vec<Line>) {
    let is_marker = |l: &Line| {
        l.glyphs.len() <= 8
            && l.glyphs
                .iter()
                .all(|g| g.text.chars().all(|c| c.is_ascii_digit() || c == ','))
    };
    // Lines come top to bottom: the line below a marker is among the next few.
    for i in 0..lines.len() {
        if lines[i].glyphs.is_empty() || !is_marker(&lines[i]) {
            continue;
        }
        let (y, size) = (lines[i].y, lines[i].size);
        let x0 = lines[i].glyphs.iter().map(|g| g.x).fold(f64::MAX, f64::min);
        let x1 = lines[i]
            .glyphs
            .iter()
            .map(|g| g.end)
            .fold(f64::MIN, f64::max);
        // Where the line below starts: a marker standing right over its first letter begins it.
        let start = |m: &Line| m.glyphs.iter().map(|g| g.x).fold(f64::MAX, f64::min);
        let target = (i + 1..lines.len().min(i + 9)).find(|&j| {
            let m = &lines[j];
            let reach = m.size * 2.0;
            // Word for Mac through Quartz sets a note's number as high as a line above its text.
            let height = if (start(m) - x0).abs() <= 1.5 {
                m.size * 1.9
            } else {
                m.size * 0.85
            };
            m.y < y
                && y - m.y <= height
                && size < m.size * 0.85
                && m.glyphs
                    .iter()
                    .any(|g| g.x <= x1 + reach && g.end >= x0 - reach)
        });
        if let Some(j) = target {
            let mut glyphs = std::mem::take(&mut lines[i].glyphs);
            let first = start(&lines[j]);
            if (first - x0).abs() <= 1.5 {
                // Read before the letter it stands over.
                let shift = x1 - first + 0.01;
                for g in &mut glyphs {
                    g.x -= shift;
                    g.end -= shift;
                }
            }
            lines[j].glyphs.extend(glyphs);
        }
    }
    lines.retain(|l| !l.glyphs.is_empty());
}

/// The text of glyphs, with a space where they stand apart.
pub(super) fn text_of<'a>(glyphs: impl Iterator<Item = &'a Glyph>) -> String {
    let mut text = String::new();
    let mut last_end: Option<f64> = None;
    for g in glyphs {
        if let Some(end) = last_end
            && g.x > end + g.size * 0.15
            && !text.ends_with(' ')
        {
            text.push(' ');
        }
        text.push_str(&g.text);
        last_end = Some(g.end);
    }
    text
}

/// Whether a line is a page number: `7`, `Page 7`, `vii`, `7 of 40`, and a number no larger than the
/// document could have as a page (a note's last line `68691`, the end of a URL, is not one).
fn is_page_number(text: &str, page_count: usize) -> bool {
    PAGE_NUMBER.is_match(text)
        && text
            .split_whitespace()
            .filter_map(|w| w.parse::<usize>().ok())
            .all(|n| n <= page_count * 3 + 100)
}

pub(super) static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:page\s+)?(?:[0-9]{1,5}|[ivxlc]{1,7})(?:\s+(?:of|/)\s+[0-9]{1,5})?\s*$")
        .expect("page number regex")
});

/// Removes running headers and footers: a page number in the top or bottom tenth of a page's text,
/// with what lies beyond it, and lines repeated (digits aside) near the same height on several pages.
pub(super) fn strip_headers_and_footers(pages: &mut [Vec<Glyph>]) {
    let page_count = pages.len();
    let key = |l: &Line| -> String {
        l.text()
            .chars()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
            .collect()
    };
    let page_lines: Vec<Vec<Line>> = pages.iter().map(|g| lines(g.clone())).collect();
    // How many pages show each text near each height (heights in 4 pt bands).
    let mut seen: HashMap<(String, i64), usize> = HashMap::default();
    for ls in &page_lines {
        let mut on_page = HashSet::default();
        for l in edge_lines(ls) {
            let k = key(l);
            if k.chars().count() >= 3 {
                on_page.insert((k, (l.y / 4.0).round() as i64));
            }
        }
        for k in on_page {
            *seen.entry(k).or_default() += 1;
        }
    }
    // Running headers stand on most pages (alternating ones on every other page); notes that
    // happen to repeat (the same manual cited on three pages) do not.
    let repeated_on = if pages.len() >= 4 {
        (pages.len() * 35).div_ceil(100).max(3)
    } else {
        pages.len().max(2)
    };
    for (glyphs, ls) in pages.iter_mut().zip(&page_lines) {
        if ls.len() < 3 {
            continue;
        }
        let top = ls[0].y;
        let bottom = ls[ls.len() - 1].y;
        let band = (top - bottom) * 0.1;
        let mut cut_above = f64::MAX;
        let mut cut_below = f64::MIN;
        let mut drop: Vec<(f64, f64)> = Vec::new();
        for (i, l) in ls.iter().enumerate() {
            let near_top = l.y >= top - band;
            let near_bottom = l.y <= bottom + band;
            // A running header or footer stands apart from the text next to it; a note's last
            // line ("Manual, 2025-03-04.") that happens to repeat does not.
            let neighbour = if near_top {
                ls.get(i + 1)
            } else {
                i.checked_sub(1).and_then(|j| ls.get(j))
            };
            let apart = neighbour.is_none_or(|n| (n.y - l.y).abs() > l.size.max(n.size) * 1.5);
            if !(near_top || near_bottom) {
                continue;
            }
            let k = key(l);
            let repeated = k.chars().count() >= 3
                && [-1, 0, 1].iter().any(|d| {
                    seen.get(&(k.clone(), (l.y / 4.0).round() as i64 + d))
                        .is_some_and(|&n| n >= repeated_on)
                });
            if is_page_number(&l.text(), page_count) {
                if near_bottom {
                    cut_below = cut_below.max(l.y + l.size * 0.5);
                } else {
                    cut_above = cut_above.min(l.y - l.size * 0.5);
                }
            } else if repeated && apart {
                drop.push((l.y - l.size * 0.45, l.y + l.size * 0.45));
            }
        }
        glyphs.retain(|g| {
            g.y < cut_above
                && g.y > cut_below
                && !drop.iter().any(|&(lo, hi)| g.y >= lo && g.y <= hi)
        });
    }
}

/// The first and last three lines of a page: where headers and footers are.
pub(super) fn edge_lines(ls: &[Line]) -> impl Iterator<Item = &Line> {
    let n = ls.len();
    ls.iter()
        .enumerate()
        .filter(move |(i, _)| *i < 3 || *i + 3 >= n)
        .map(|(_, l)| l)
}

/// One column of a page (or the lines spanning it), top to bottom.
pub(super) struct Column {
    pub(super) lines: Vec<Line>,
}

/// Splits a page into columns at its gutters, left to right; lines crossing a gutter form a last,
/// page-wide column.
pub(super) fn columns(glyphs: Vec<Glyph>) -> Vec<Column> {
    if glyphs.is_empty() {
        return Vec::new();
    }
    // A wide table or figure at the top of a two-column page hides the gutter in the page as a
    // whole: then look at its lower half, where the notes are, and then at its upper half.
    let all: Vec<&Glyph> = glyphs.iter().collect();
    let mut gutters = gutters(&all);
    if gutters.is_empty() {
        let top = glyphs.iter().map(|g| g.y).fold(f64::MIN, f64::max);
        let bottom = glyphs.iter().map(|g| g.y).fold(f64::MAX, f64::min);
        let middle = (top + bottom) / 2.0;
        let (lower, upper): (Vec<&Glyph>, Vec<&Glyph>) = all.iter().partition(|g| g.y < middle);
        gutters = self::gutters(&lower);
        if gutters.is_empty() {
            gutters = self::gutters(&upper);
        }
    }
    if gutters.is_empty() {
        return vec![Column {
            lines: lines(glyphs),
        }];
    }
    let all = lines(glyphs);
    let middles: Vec<f64> = gutters.iter().map(|(lo, hi)| (lo + hi) / 2.0).collect();
    let kinds: Vec<Across> = all.iter().map(|l| across(l, &middles)).collect();
    // Columns hold most lines; where most lines cross the "gutter", it was the gap between a
    // table's columns, or a word space that lined up by chance, and the page has one column.
    if kinds.iter().filter(|&&k| k == Across::Spans).count() * 10 > all.len() * 3 {
        return vec![Column { lines: all }];
    }
    // A short line on one side of a gutter is in a column only where the text around it is set in
    // columns: between lines that span the page (a one-column part of the page, with a note such
    // as "9 http://index.rsf.org/" that ends before the gutter), it spans the page too.
    let spans: Vec<bool> = (0..all.len())
        .map(|i| match kinds[i] {
            Across::Spans => true,
            Across::Split => false,
            Across::OneSide => {
                let above = kinds[..i].iter().rev().find(|&&k| k != Across::OneSide);
                let below = kinds[i + 1..].iter().find(|&&k| k != Across::OneSide);
                match (above, below) {
                    (None, None) => false,
                    (a, b) => {
                        a.is_none_or(|&k| k == Across::Spans)
                            && b.is_none_or(|&k| k == Across::Spans)
                    }
                }
            }
        })
        .collect();
    let mut per_column: Vec<Vec<Glyph>> = vec![Vec::new(); gutters.len() + 1];
    let mut spanning: Vec<Glyph> = Vec::new();
    for (line, spans) in all.into_iter().zip(spans) {
        if spans {
            spanning.extend(line.glyphs);
            continue;
        }
        // Each glyph goes to the side of the middle its centre is on (glyph boxes may reach into a
        // gutter).
        for g in line.glyphs {
            let centre = (g.x + g.end) / 2.0;
            let col = middles.iter().take_while(|&&m| centre > m).count();
            per_column[col].push(g);
        }
    }
    let mut out: Vec<Column> = per_column
        .into_iter()
        .map(|g| Column { lines: lines(g) })
        .collect();
    if !spanning.is_empty() {
        out.push(Column {
            lines: lines(spanning),
        });
    }
    out
}

/// How a line stands to a page's gutters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Across {
    /// It runs across a gutter: text stands over its middle, or only a word space does.
    Spans,
    /// It has a gap at least a word space wider than usual at every gutter it reaches over.
    Split,
    /// It stands in one column, not reaching any gutter.
    OneSide,
}

pub(super) fn across(line: &Line, middles: &[f64]) -> Across {
    let mut split = false;
    for &m in middles {
        let left = line.glyphs.iter().any(|g| (g.x + g.end) / 2.0 <= m);
        let right = line.glyphs.iter().any(|g| (g.x + g.end) / 2.0 > m);
        if !(left && right) {
            continue;
        }
        if line.glyphs.iter().any(|g| g.x < m - 1.0 && g.end > m + 1.0) {
            return Across::Spans;
        }
        // The gap over the gutter's middle: between the last glyph left of it and the first right.
        let before = line
            .glyphs
            .iter()
            .filter(|g| (g.x + g.end) / 2.0 <= m)
            .map(|g| g.end)
            .fold(f64::MIN, f64::max);
        let after = line
            .glyphs
            .iter()
            .filter(|g| (g.x + g.end) / 2.0 > m)
            .map(|g| g.x)
            .fold(f64::MAX, f64::min);
        if after - before < line.size {
            return Across::Spans;
        }
        split = true;
    }
    if split {
        Across::Split
    } else {
        Across::OneSide
    }
}

/// The x ranges that hold (almost) no text over the page while text stands on both sides.
pub(super) fn gutters(glyphs: &[&Glyph]) -> Vec<(f64, f64)> {
    let left = glyphs.iter().map(|g| g.x).fold(f64::MAX, f64::min);
    let right = glyphs.iter().map(|g| g.end).fold(f64::MIN, f64::max);
    let width = right - left;
    if !(width > 50.0 && width < 5000.0) {
        return Vec::new();
    }
    let bins = width.ceil() as usize + 1;
    let mut coverage = vec![0.0f64; bins];
    for g in glyphs {
        let a = ((g.x - left).max(0.0) as usize).min(bins - 1);
        let b = ((g.end - left).max(0.0).ceil() as usize).min(bins - 1);
        for c in &mut coverage[a..=b.max(a)] {
            *c += g.size;
        }
    }
    let total: f64 = coverage.iter().sum();
    // The coverage left of each bin, summed once (a page has many narrow gaps to weigh).
    let mut before_bin = Vec::with_capacity(bins + 1);
    let mut running = 0.0;
    before_bin.push(0.0);
    for c in &coverage {
        running += c;
        before_bin.push(running);
    }
    let mut sorted: Vec<f64> = coverage.iter().copied().filter(|&c| c > 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let typical = sorted.get(sorted.len() * 3 / 4).copied().unwrap_or(0.0);
    let threshold = typical * 0.2;
    let size = common_size(glyphs.iter().copied());
    let mut out = Vec::new();
    let mut i = 0;
    while i < bins {
        if coverage[i] > threshold {
            i += 1;
            continue;
        }
        let start = i;
        while i < bins && coverage[i] <= threshold {
            i += 1;
        }
        let (lo, hi) = (left + start as f64, left + i as f64);
        let before = before_bin[start];
        let after = total - before_bin[i.min(bins)];
        if hi - lo >= size * 0.8
            && before >= total * 0.15
            && after >= total * 0.15
            && rows_beside(glyphs, lo, hi) >= (6, 6)
        {
            out.push((lo, hi));
        }
    }
    out
}

/// How many lines of text stand left and right of an x range: a column has a good many; the word
/// spaces of a short page line up by chance.
pub(super) fn rows_beside(glyphs: &[&Glyph], lo: f64, hi: f64) -> (usize, usize) {
    let mut left = HashSet::default();
    let mut right = HashSet::default();
    for g in glyphs {
        let row = (g.y / 2.0).round() as i64;
        if g.end <= lo + 1.0 {
            left.insert(row);
        } else if g.x >= hi - 1.0 {
            right.insert(row);
        }
    }
    (left.len(), right.len())
}
