//! A cited PDF's page count, as `#page=N` is judged by: read from real PDFs of every typesetter in the
//! fixtures (Word, InDesign, LibreOffice, pdfTeX, Quartz…), against what `pdfinfo` (poppler) says.

use std::path::Path;

/// `pdfinfo FILE | grep Pages` for each fixture.
const PAGES: &[(&str, u64)] = &[
    ("briefs/atredis-attacking-kubernetes.pdf", 46),
    (
        "briefs/cncf-software-supply-chain-best-practices-v2.pdf",
        37,
    ),
    ("briefs/cncf-software-supply-chain-best-practices.pdf", 45),
    ("briefs/govlab-smarterstate-novagob.pdf", 7),
    ("briefs/loftus-princeton-thesis-voice-accessibility.pdf", 75),
    ("briefs/tob-kubernetes-security-whitepaper.pdf", 22),
    ("briefs/transparenzgesetz-hintergrundpapier-de.pdf", 4),
    ("briefs/wb-odra-burkina-faso-fr.pdf", 57),
    ("briefs/wb-odra-mauritania-fr.pdf", 100),
    ("briefs/wb-odra-uganda-annexes.pdf", 19),
    ("generated/kabul-brief.libreoffice.pdf", 5),
    ("generated/kabul-brief.pdflatex.pdf", 4),
    ("realworld/cncf-fuzzing-handbook.pdf", 68),
    ("realworld/federal-register-2020-17221.pdf", 15),
    ("realworld/gen-ossf-annotations.libreoffice.pdf", 23),
    ("realworld/gen-ossf-annotations.pdflatex.pdf", 11),
    ("realworld/s2orc-acl2020.pdf", 15),
];

#[test]
fn page_counts_of_real_pdfs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut wrong = Vec::new();
    for (name, pages) in PAGES {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let got = citecheck::check::pdf_pages::count(&bytes);
        if got != Some(*pages) {
            wrong.push(format!("{name}: {got:?}, pdfinfo {pages}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
