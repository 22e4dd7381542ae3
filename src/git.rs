//! Dates from a document's git history (`--git-dates`): the day each line was committed, read from
//! `git blame --line-porcelain` through the `git` binary. Like InternetArchiveBot, which takes the
//! revision that added a citation as the date to look for an archived copy.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// The day (`2020-11-19`) each 1-based line of `path` was committed, for lines that are committed.
/// `None` when `path` is not in a git work tree or git is not installed.
pub fn line_dates(path: &Path) -> Option<HashMap<usize, String>> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let name = path.file_name()?;
    let output = Command::new("git")
        .current_dir(dir.unwrap_or(Path::new(".")))
        .args(["blame", "--line-porcelain", "--"])
        .arg(name)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(parse_porcelain(&String::from_utf8_lossy(&output.stdout)))
}

/// Lines of `git blame --line-porcelain`: a header `<sha> <orig line> <final line> [<count>]` for
/// each line, then its commit's fields, then the line itself after a tab.
fn parse_porcelain(text: &str) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    let mut line: Option<usize> = None;
    let mut uncommitted = false;
    for row in text.lines() {
        if row.starts_with('\t') {
            line = None;
            continue;
        }
        let mut fields = row.split(' ');
        let first = fields.next().unwrap_or_default();
        if line.is_none() && first.len() >= 40 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
            uncommitted = first.bytes().all(|b| b == b'0');
            line = fields.nth(1).and_then(|n| n.parse().ok());
            continue;
        }
        if let (Some(n), "committer-time", false) = (line, first, uncommitted)
            && let Some(day) = fields
                .next()
                .and_then(|t| t.parse::<i64>().ok())
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        {
            out.insert(n, day.format("%Y-%m-%d").to_string());
        }
    }
    out
}

/// `--git-dates`: each undated footnote gets the day its line was committed, as `committed`. Word and
/// PDF documents have no lines that git knows. Returns the documents that are not committed in a git
/// work tree.
pub fn add_commit_dates(documents: &mut [crate::extract::Document]) -> Vec<String> {
    let mut untracked = Vec::new();
    for doc in documents {
        if crate::extract::is_binary(doc.format) || doc.footnotes.iter().all(|f| f.date.is_some()) {
            continue;
        }
        let Some(dates) = line_dates(Path::new(&doc.path)) else {
            untracked.push(doc.path.clone());
            continue;
        };
        for footnote in doc.footnotes.iter_mut().filter(|f| f.date.is_none()) {
            footnote.committed = dates.get(&footnote.line).cloned();
        }
    }
    untracked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain() {
        let text = "\
3f1c5e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e 1 1 2
author A
committer-time 1605830400
committer-tz +0000
\tfirst line
3f1c5e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e 2 2
committer-time 1605830400
\tsecond line
0000000000000000000000000000000000000000 3 3 1
committer-time 1764300000
\tnot committed yet
";
        let dates = parse_porcelain(text);
        assert_eq!(dates.get(&1).map(String::as_str), Some("2020-11-20"));
        assert_eq!(dates.get(&2).map(String::as_str), Some("2020-11-20"));
        assert_eq!(dates.get(&3), None);
    }
}
