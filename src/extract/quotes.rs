//! The words a sentence quotes where it cites a footnote: "…said that “Pakistan will do everything
//! possible to reduce violence.”<sup>3</sup>". A quote is in straight or curly double quotes, in the
//! sentence that ends at the footnote's marker, and at least four words long; the checker looks for
//! it in the cited page.

use super::model::Document;

/// The fewest words a quotation has to be checked (shorter ones are phrases, names, titles).
const MIN_WORDS: usize = 4;

/// Sets each footnote's `quotes` from the sentence where it is first cited, in a Markdown document.
pub(super) fn attach(doc: &mut Document, content: &str) {
    let lines: Vec<&str> = content.lines().collect();
    for footnote in &mut doc.footnotes {
        let Some(&line) = footnote.references.first() else {
            continue;
        };
        let Some(text) = line.checked_sub(1).and_then(|i| lines.get(i)) else {
            continue;
        };
        let markers = [
            format!("[^{}]", footnote.id),
            format!("<sup>{}</sup>", footnote.id),
        ];
        let Some(at) = markers.iter().filter_map(|m| text.find(m.as_str())).min() else {
            continue;
        };
        footnote.quotes = quoted(&text[..at]);
    }
}

/// The quotations of the last sentence of `before` (the text up to a footnote marker), of at least
/// [`MIN_WORDS`] words.
fn quoted(before: &str) -> Vec<String> {
    let mut quotes: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut chars = before.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match current.as_mut() {
            Some(quote) => {
                if matches!(c, '\u{201D}' | '"') {
                    let quote = std::mem::take(quote).trim().to_owned();
                    current = None;
                    if quote.split_whitespace().count() >= MIN_WORDS {
                        quotes.push(quote);
                    }
                } else {
                    quote.push(c);
                }
            }
            None => match c {
                '\u{201C}' | '"' => current = Some(String::new()),
                // A sentence ends outside quotes: its quotations are not the next one's.
                '.' | '!' | '?' if chars.peek().is_some_and(|(_, n)| n.is_whitespace()) => {
                    quotes.clear();
                }
                // An earlier footnote's marker: what it cites is its own.
                '<' | '['
                    if before[at..].starts_with("<sup>") || before[at..].starts_with("[^") =>
                {
                    quotes.clear();
                }
                _ => {}
            },
        }
    }
    quotes
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn the_quotes_of_the_citing_sentence() {
        assert_eq!(
            quoted(
                "He said. The aim was to deepen \u{201c}fraternal bilateral relations between them,\u{201d} and promote \u{201c}regional economic development and connectivity.\u{201d}"
            ),
            [
                "fraternal bilateral relations between them,",
                "regional economic development and connectivity."
            ]
        );
        assert_eq!(
            quoted("to assure them that \"Pakistan will do everything possible to help.\""),
            ["Pakistan will do everything possible to help."]
        );
        // Short quotations are phrases; an earlier sentence's quotation is not this one's.
        assert!(quoted("a \"new phase\" in ties").is_empty());
        assert!(quoted("\"Four words in quotes\" he said. Then nothing").is_empty());
        // An earlier footnote's citation ends its own quotation.
        assert!(quoted("\"one two three four\"<sup>1</sup> and then").is_empty());
    }
}
