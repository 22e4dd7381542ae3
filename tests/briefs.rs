//! Real published briefs nobody here wrote (`tests/fixtures/briefs/`, provenance and hand-counted
//! truth in that folder's README and `truth.json`), read by the real binary and scored by
//! `benches/score_briefs.py` (the same scorer that gives the README's figures).
//!
//! Each document must keep at least the score it has reached, so a reader change that loses a note,
//! a URL or a field on any of them fails here; raise a floor when a change earns more. Every
//! document must also be read without an error-level finding (a published document has none).

use std::collections::BTreeMap;
use std::process::Command;

/// document → the lowest score (cases right) it may have.
const FLOORS: &[(&str, u32)] = &[
    ("govlab-smarterstate-novagob.pdf", 26),
    ("loftus-princeton-thesis-voice-accessibility.pdf", 72),
    ("wb-odra-burkina-faso-fr.pdf", 45),
    ("wb-odra-uganda-annexes.pdf", 43),
    ("tob-kubernetes-security-whitepaper.pdf", 58),
    ("atredis-attacking-kubernetes.pdf", 51),
    ("cncf-software-supply-chain-best-practices.pdf", 88),
    ("wb-odra-mauritania-fr.pdf", 183),
    ("cncf-software-supply-chain-best-practices-v2.pdf", 11),
    ("transparenzgesetz-hintergrundpapier-de.pdf", 17),
];

#[test]
fn every_brief_keeps_its_score() {
    let output = Command::new("python3")
        .arg("benches/score_briefs.py")
        .args(["--dir", "tests/fixtures/briefs"])
        .arg(env!("CARGO_BIN_EXE_citecheck"))
        .output()
        .expect("python3 runs benches/score_briefs.py");
    let report = String::from_utf8_lossy(&output.stdout);
    // "FILE: H/T (count c/n, no errors e/n, urls u/n, fields f/n)"
    let mut scores: BTreeMap<&str, (u32, u32, bool)> = BTreeMap::new();
    for line in report.lines().filter(|l| !l.starts_with("miss:")) {
        let Some((file, rest)) = line.split_once(": ") else {
            continue;
        };
        let Some((score, parts)) = rest.split_once(" (") else {
            continue;
        };
        let Some((hit, total)) = score.split_once('/') else {
            continue;
        };
        let (Ok(hit), Ok(total)) = (hit.parse(), total.parse()) else {
            continue;
        };
        let no_errors = parts.contains("no errors 1/1");
        scores.insert(file, (hit, total, no_errors));
    }
    let mut wrong = Vec::new();
    for (file, floor) in FLOORS {
        match scores.get(file) {
            None => wrong.push(format!("{file}: not scored")),
            Some(&(hit, total, no_errors)) => {
                if hit < *floor {
                    wrong.push(format!("{file}: {hit}/{total}, was {floor}"));
                }
                if !no_errors {
                    wrong.push(format!("{file}: an error-level finding"));
                }
            }
        }
    }
    for file in scores.keys() {
        if !FLOORS.iter().any(|(f, _)| f == file) {
            wrong.push(format!("{file}: no floor (add it to FLOORS)"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n\nmisses:\n{}",
        wrong.join("\n"),
        report
            .lines()
            .filter(|l| l.starts_with("miss:"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
