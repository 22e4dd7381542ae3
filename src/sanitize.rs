//! Untrusted text made safe for each output. Page titles, document text, footnotes, URLs and servers'
//! messages may hold anything: terminal escape sequences (colours, OSC 8 links, title changes, cursor
//! moves), C0 and C1 control characters, Markdown or HTML, XML that XML 1.0 forbids even escaped.
//!
//! Every writer passes such text through one of these first:
//! * [`line`]: one line for a terminal or a one-line field. Escape sequences are removed (parsed as a
//!   terminal parses them, by `strip-ansi-escapes`), line breaks and tabs become spaces, other C0
//!   controls are dropped, and DEL, a C1 control or a character XML cannot hold (U+FFFE, U+FFFF)
//!   becomes U+FFFD.
//! * [`text`]: the same, keeping line breaks (`\n`; a `\r` is dropped).
//!
//!   Both also show bidirectional controls (U+202A–U+202E, U+2066–U+2069: they reorder what a
//!   terminal or a page shows, as in "Trojan Source") and invisible characters (U+200B, U+2060,
//!   U+FEFF) as escapes, `\u{202e}`. The joiners that scripts need (U+200C, U+200D) and the marks
//!   of direction (U+200E, U+200F) are kept.
//! * [`exact`]: for machine formats that must keep the text as it is (SARIF, JUnit): only what
//!   [`text`] drops or replaces for well-formedness; bidirectional and invisible characters kept.
//! * [`markdown`] and [`markdown_code`]: a line escaped for Markdown, so that it cannot open markup,
//!   a link, an image or raw HTML.

use std::borrow::Cow;

/// One line of untrusted text, fit for a terminal, a table cell or an attribute.
pub fn line(s: &str) -> Cow<'_, str> {
    show_invisible(clean(s, false))
}

/// Untrusted text that may run over several lines (`\n` kept).
pub fn text(s: &str) -> Cow<'_, str> {
    show_invisible(clean(s, true))
}

/// Untrusted text for a machine format: well-formed (no escape sequences or controls), otherwise as
/// it is.
pub fn exact(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

/// Characters that change what a reader sees without being seen: bidirectional embeddings,
/// overrides and isolates, and zero-width spaces.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// `s` with each invisible character written as its escape (`\u{202e}`).
fn show_invisible(s: Cow<'_, str>) -> Cow<'_, str> {
    if !s.chars().any(is_invisible) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(needs_cleaning) {
        return Cow::Borrowed(s);
    }
    // Tabs and line breaks are turned into what they should read as before the escape sequences are
    // parsed: the parser would drop them.
    let spaced: String = s
        .chars()
        .filter_map(|c| match c {
            '\n' if keep_newlines => Some('\n'),
            '\n' | '\t' => Some(' '),
            '\r' if keep_newlines => None,
            '\r' => Some(' '),
            c => Some(c),
        })
        .collect();
    let stripped = strip_ansi_escapes::strip_str(&spaced);
    // What the parser printed may still hold controls written as their UTF-8 C1 form (U+009B…).
    Cow::Owned(
        stripped
            .chars()
            .map(|c| match c {
                '\n' => '\n',
                c if needs_cleaning(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// Control characters (C0, DEL, C1) and the two non-characters XML 1.0 forbids.
fn needs_cleaning(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// One line of untrusted text as Markdown inline text: every character that could open emphasis, a
/// link, an image, code, raw HTML, an entity, a table cell or a strikethrough is backslash-escaped, and
/// so is a start that could open a block (`#`, `>`, `-`, `+`, `=`, `1.`) where the text begins a line.
pub fn markdown(s: &str) -> String {
    let s = line(s);
    let mut out = String::with_capacity(s.len() + 8);
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in s.chars().enumerate() {
        let at_start = i == 0 && matches!(c, '#' | '>' | '-' | '+' | '=');
        let list_number = digits > 0 && i == digits && matches!(c, '.' | ')');
        if at_start
            || list_number
            || matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!'
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One line of untrusted text as a Markdown code span: a fence of backticks longer than any run inside,
/// so nothing in it is markup.
pub fn markdown_code(s: &str) -> String {
    let s = line(s);
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span starting or ending with a backtick needs a space inside the fence, which is stripped.
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    // Inside a table, a pipe still ends the cell, code span or not.
    let body = s.replace('|', "\\|");
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(line("Imran vows – “quoted” ☃"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_removed() {
        // Colour, OSC 8 hyperlink, OSC 0 window title (BEL- and ST-terminated), cursor movement.
        let title = "\x1b[31mRed\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \
                     \x1b]0;pwned\x1b\\done\x1b[2J\x1b[H";
        let clean = line(title);
        assert_eq!(clean, "Red link done");
        assert!(!clean.contains('\x1b'));
    }

    #[test]
    fn controls_are_replaced_and_lines_joined() {
        assert_eq!(line("a\tb\nc\rd"), "a b c d");
        // C0 controls are dropped as a terminal would not print them; DEL is shown.
        assert_eq!(line("bell\x07 nul\0 del\x7f"), "bell nul del\u{FFFD}");
        // C1 CSI in its UTF-8 form, and the XML non-characters.
        assert!(!line("x\u{9b}31my").contains('\u{9b}'));
        assert_eq!(line("a\u{FFFE}b\u{FFFF}"), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(text("one\r\ntwo\x1b[1m"), "one\ntwo");
    }

    /// Bidirectional overrides and isolates, and zero-width spaces, are shown as escapes for people
    /// and kept for machine formats; the joiners scripts need are kept for both.
    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(
            line("evil\u{202E}fdp.exe \u{2066}x\u{2069} a\u{200B}b"),
            "evil\\u{202e}fdp.exe \\u{2066}x\\u{2069} a\\u{200b}b"
        );
        assert_eq!(text("x\u{FEFF}\ny"), "x\\u{feff}\ny");
        // Persian keeps its zero-width non-joiner; emoji their joiner.
        assert_eq!(
            line("می\u{200C}خواهم 👩\u{200D}💻"),
            "می\u{200C}خواهم 👩\u{200D}💻"
        );
        assert_eq!(exact("a\u{202E}b\x1b[1m"), "a\u{202E}b");
    }

    #[test]
    fn markdown_cannot_open_markup() {
        assert_eq!(
            markdown("<img src=x onerror=alert(1)> *b* [l](u) `c` a|b"),
            "\\<img src=x onerror=alert(1)\\> \\*b\\* \\[l\\](u) \\`c\\` a\\|b"
        );
        assert_eq!(markdown("# heading"), "\\# heading");
        assert_eq!(markdown("12. item"), "12\\. item");
        assert_eq!(
            markdown("https://x.org/a-b.html?q=1#f"),
            "https://x.org/a-b.html?q=1#f"
        );
        assert_eq!(markdown("![i](u)"), "\\!\\[i\\](u)");
    }

    #[test]
    fn code_spans_outlast_their_backticks() {
        assert_eq!(markdown_code("docs/a.md"), "`docs/a.md`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_code("a|b"), "`a\\|b`");
    }
}
