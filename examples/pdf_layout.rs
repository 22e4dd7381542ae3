//! Prints a PDF's layout as citecheck's PDF reader sees it (columns, baselines, sizes, raised
//! glyphs): for finding out why a PDF's footnotes read wrong. With `--why`, prints instead why each
//! line that begins with a number was taken as the start of a note, or not (note zones, raised or
//! smaller numbers, endnote sections, citations and sequence).
//!
//! Usage: `cargo run --release --example pdf_layout FILE.pdf [--why]`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let why = args.iter().any(|a| a == "--why");
    let Some(path) = args.iter().find(|a| *a != "--why") else {
        eprintln!("usage: pdf_layout FILE.pdf [--why]");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let result = if why {
        citecheck::extract::pdf_explain(&bytes)
    } else {
        citecheck::extract::pdf_layout(&bytes)
    };
    match result {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    }
}
