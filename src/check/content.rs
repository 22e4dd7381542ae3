//! How much of a page's text is still the text that was cited: the live page against its archived
//! capture at the cited date.
//!
//! A page's main text (see `page::text`) is normalised as quotes are (`page::normalise`) and cut into
//! shingles, every run of [`SHINGLE`] words. Two pages are as similar as their shingle sets overlap
//! (Jaccard: shared over all). A page is kept as a bottom-k sketch, the [`SKETCH`] smallest hashes
//! of its shingles, so that a result holds a kilobyte for it whatever the page's length; two
//! sketches estimate the Jaccard similarity of the whole sets (Broder 1997), exactly when a page has
//! fewer shingles than the sketch holds.

use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Words in a shingle.
pub const SHINGLE: usize = 5;
/// Hashes kept of a page.
pub const SKETCH: usize = 128;
/// The fewest words a page has for its text to be compared: a shorter one (a page a script fills
/// in, an empty capture, a video page) says too little in shingles of five words.
pub const MIN_WORDS: usize = 100;

/// The smallest shingle hashes of a page's text, ascending and distinct, and its length in words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sketch {
    hashes: Vec<u64>,
    words: usize,
}

impl Sketch {
    /// The sketch of normalised text (words separated by single spaces).
    pub fn of(text: &str) -> Sketch {
        let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            return Sketch::default();
        }
        let windows = words.len().saturating_sub(SHINGLE - 1).max(1);
        // The SKETCH smallest in a max-heap: each hash costs a comparison with the largest kept.
        let mut kept = std::collections::BinaryHeap::with_capacity(SKETCH + 1);
        let mut seen = rustc_hash::FxHashSet::default();
        for i in 0..windows {
            let shingle = &words[i..(i + SHINGLE).min(words.len())];
            let hash = hash(shingle);
            if kept.len() == SKETCH && kept.peek().is_some_and(|&max| hash >= max) {
                continue;
            }
            if seen.insert(hash) {
                kept.push(hash);
                if kept.len() > SKETCH
                    && let Some(max) = kept.pop()
                {
                    seen.remove(&max);
                }
            }
        }
        Sketch {
            hashes: kept.into_sorted_vec(),
            words: words.len(),
        }
    }

    /// Whether the page has enough words for its text to be compared (see [`MIN_WORDS`]).
    pub fn comparable(&self) -> bool {
        self.words >= MIN_WORDS
    }

    /// The estimated Jaccard similarity of the two pages' shingle sets, 0–1: among the smallest
    /// hashes of their union, the share that both pages have.
    pub fn similarity(&self, other: &Sketch) -> f64 {
        let (a, b) = (&self.hashes, &other.hashes);
        if a.is_empty() && b.is_empty() {
            return 1.0;
        }
        let (mut i, mut j, mut union, mut both) = (0, 0, 0usize, 0usize);
        while union < SKETCH && (i < a.len() || j < b.len()) {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => i += 1,
                (Some(_), None) => i += 1,
                _ => j += 1,
            }
            union += 1;
        }
        both as f64 / union as f64
    }
}

/// A shingle's hash: the words with a separator, mixed so that the low values are spread (FxHash
/// alone is fast but poorly spread for this).
fn hash(words: &[&str]) -> u64 {
    let mut hasher = FxHasher::default();
    for word in words {
        hasher.write(word.as_bytes());
        hasher.write_u8(0xFF);
    }
    // splitmix64's finaliser.
    let mut z = hasher.finish();
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize, salt: &str) -> String {
        (0..n)
            .map(|i| format!("{salt}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn identical_pages_are_one_and_different_ones_zero() {
        let page = words(500, "w");
        assert!(Sketch::of(&page).comparable() && !Sketch::of("a few words").comparable());
        assert_eq!(Sketch::of(&page).similarity(&Sketch::of(&page)), 1.0);
        assert_eq!(
            Sketch::of(&page).similarity(&Sketch::of(&words(500, "x"))),
            0.0
        );
        assert_eq!(Sketch::of("").similarity(&Sketch::of("")), 1.0);
        assert_eq!(Sketch::of("").similarity(&Sketch::of(&page)), 0.0);
    }

    #[test]
    fn small_pages_are_compared_exactly() {
        // 10 words: 6 shingles; changing the last word changes only the last shingle.
        let a = "one two three four five six seven eight nine ten";
        let b = "one two three four five six seven eight nine eleven";
        // 5 shared of 7 in the union.
        let s = Sketch::of(a).similarity(&Sketch::of(b));
        assert!((s - 5.0 / 7.0).abs() < 1e-9, "{s}");
    }

    #[test]
    fn the_estimate_of_large_pages_is_close() {
        // Half of a long page rewritten: the true similarity of the shingle sets is about 1/3.
        let a = words(20_000, "w");
        let b = format!("{} {}", words(10_000, "w"), words(10_000, "z"));
        let s = Sketch::of(&a).similarity(&Sketch::of(&b));
        assert!((s - 1.0 / 3.0).abs() < 0.12, "{s}");
        assert_eq!(Sketch::of(&a).hashes.len(), SKETCH);
    }
}
