//! The README and `docs/*.md` as a reader sees them: every table renders as a table, every relative
//! link leads to a file that exists, the README stays short, and the user pages say nothing about how
//! the project itself is run (issue numbers, work sessions).

use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

/// The README is for users: past this many lines, reference belongs in `docs/`.
const README_MAX_LINES: usize = 320;

/// Pages about developing citecheck, where its own process may be named.
const CONTRIBUTOR_PAGES: &[&str] = &["docs/development.md", "docs/architecture.md"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every `docs/*.md`, as paths relative to the package root.
fn pages() -> Vec<String> {
    let mut pages = vec!["README.md".to_owned()];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| format!("docs/{}", path.file_name().unwrap().to_string_lossy()))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

/// Each problem of one page, as `page:line: what`.
fn problems(page: &str, text: &str, dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut tables: Vec<Range<usize>> = Vec::new();
    let mut code: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(_)) => tables.push(range),
            Event::Start(Tag::CodeBlock(_)) => code.push(range),
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) => {
                let url = dest_url.as_ref();
                let outside = ["http:", "https:", "mailto:", "#"]
                    .iter()
                    .any(|prefix| url.starts_with(prefix));
                if outside || link_type == LinkType::Email {
                    continue;
                }
                let file = url.split('#').next().unwrap_or(url);
                if file.is_empty() || !dir.join(file).exists() {
                    found.push(format!(
                        "{page}:{}: the link to `{url}` leads to no file",
                        line_of(text, range.start)
                    ));
                }
            }
            _ => {}
        }
    }
    // A line that starts with `|` outside every table and code block is a table row that the
    // parser did not take into its table (a blank line or a paragraph cut it off): it renders as
    // a paragraph of pipes.
    let mut start = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let inside = |ranges: &[Range<usize>]| ranges.iter().any(|r| r.contains(&start));
        if line.trim_start().starts_with('|') && !inside(&tables) && !inside(&code) {
            found.push(format!(
                "{page}:{}: this table row is not part of a table (a blank line or a paragraph cuts it from its table?)",
                number + 1
            ));
        }
        start += line.len();
    }
    found
}

/// Words about how the project is run, which users neither know nor need.
fn process_words(page: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        let issue_number = lower.match_indices("issue ").any(|(at, word)| {
            lower[at + word.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        });
        let pull_number = lower.match_indices('#').any(|(at, _)| {
            let before = lower[..at].chars().next_back();
            let after = lower[at + 1..].chars().next();
            after.is_some_and(|c| c.is_ascii_digit())
                && before.is_none_or(|c| c.is_whitespace() || c == '(')
        });
        if issue_number || pull_number {
            found.push(format!(
                "{page}:{}: an issue number; say what changed instead",
                number + 1
            ));
        }
        if lower.contains("session") {
            found.push(format!(
                "{page}:{}: `session` names the project's own work, not the program",
                number + 1
            ));
        }
    }
    found
}

#[test]
fn readme_and_docs_render_link_and_stay_for_users() {
    let mut found = Vec::new();
    for page in pages() {
        let path = root().join(&page);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{page}: {e}"));
        found.extend(problems(&page, &text, path.parent().unwrap()));
        if !CONTRIBUTOR_PAGES.contains(&page.as_str()) {
            found.extend(process_words(&page, &text));
        }
        if page == "README.md" {
            let lines = text.lines().count();
            if lines > README_MAX_LINES {
                found.push(format!(
                    "README.md:{lines}: {lines} lines, over {README_MAX_LINES}: move reference material to docs/"
                ));
            }
        }
    }
    assert!(found.is_empty(), "\n{}\n", found.join("\n"));
}

/// The checks find what they are for.
#[test]
fn the_checks_catch_a_cut_table_a_dead_link_and_process_words() {
    let dir = root();
    let cut = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n";
    assert_eq!(
        problems("t.md", cut, &dir),
        [
            "t.md:5: this table row is not part of a table (a blank line or a paragraph cuts it from its table?)"
        ]
    );
    let fine = "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n| not a table |\n```\n";
    assert!(problems("t.md", fine, &dir).is_empty());
    let links = "See [the docs](docs/no-such-page.md#part), [a section](#part), \
                 [the reference](docs/reference.md#json-report) and <https://example.org/>.\n";
    assert_eq!(
        problems("t.md", links, &dir),
        ["t.md:1: the link to `docs/no-such-page.md#part` leads to no file"]
    );
    let words = "Fixed in issue 12.\nSee #19 and `C#`.\nThe session's binary.\nuse `issue: true`\n";
    assert_eq!(
        process_words("t.md", words),
        [
            "t.md:1: an issue number; say what changed instead",
            "t.md:2: an issue number; say what changed instead",
            "t.md:3: `session` names the project's own work, not the program",
        ]
    );
}
