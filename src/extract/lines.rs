//! Byte offset → 1-based line number.

/// Start offsets of every line in a text, for binary search.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    /// The line number of the text's first line (1 unless the text is a part of a larger one).
    first: usize,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        Self::starting_at(text, 1)
    }

    /// For a part of a larger text whose first line is line `first` of the whole.
    pub(crate) fn starting_at(text: &str, first: usize) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts, first }
    }

    /// Where line `n` (numbered as this index numbers them) starts, if the text has it.
    pub(crate) fn start(&self, n: usize) -> Option<usize> {
        self.starts.get(n.checked_sub(self.first)?).copied()
    }

    /// The line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        let i = match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        i + self.first - 1
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn lines_are_one_based() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(1), 1); // the newline itself
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
        assert_eq!(idx.line(60), 4);
        assert_eq!(LineIndex::starting_at("a\nb", 10).line(2), 11);
        assert_eq!(idx.start(2), Some(2));
        assert_eq!(idx.start(5), None);
        assert_eq!(idx.start(0), None);
    }
}
