//! Prints a PDF's layout as citecheck's PDF reader sees it (columns, baselines, sizes, raised
//! glyphs): for finding out why a PDF's footnotes read wrong. Usage: `cargo run --release --example
//! pdf_layout FILE.pdf`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pdf_layout FILE.pdf");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    match citecheck::extract::pdf_layout(&bytes) {
        Ok(layout) => print!("{layout}"),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    }
}
