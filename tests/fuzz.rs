//! Mutational fuzzing that runs on the stable toolchain, as an ordinary test: each target starts from
//! the test fixtures (tests/fixtures/**) and the hostile-input generators of tests/common/bombs.rs
//! (loops, sharing, nesting, multiplication, floods, at a small scale), and feeds its reader mutants
//! of them — byte flips, insertions,
//! deletions, truncations, splices of two seeds, and runs of a format's own tokens repeated hundreds or
//! thousands of times (deep nesting, floods of references). Every input must come back without a panic
//! in citecheck's code, within a time budget and a memory budget (the peak resident memory of the
//! process while reading it, measured by resetting VmHWM through /proc/self/clear_refs).
//!
//! A panic inside a dependency (pdf-extract is known for them) is contained by the binary, which reads
//! each document under `catch_unwind` and reports one line: here it is counted, not failed.
//!
//! `cargo test --test fuzz` runs the seeds and a few hundred mutants per target. CI runs
//! `CITECHECK_FUZZ_SECONDS=20 cargo test --test fuzz -- --nocapture` (20 s per target).
//! `CITECHECK_FUZZ_SEED` changes the random seed (fixed by default, so a run is reproducible). A
//! failing input is written to `target/fuzz-findings/`.

use std::fs;
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, Location};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use citecheck::extract::{self, ExtractOptions, InputFormat};

/// The hostile-input generators (loops, sharing, nesting, multiplication, floods), shared with
/// tests/hostile.rs: small ones seed the fuzzer, which mutates them as it does the fixtures.
#[path = "common/bombs.rs"]
#[allow(dead_code)]
mod bombs;
use citecheck::report::{self, Format, Report};

/// Per-input budgets. Debug test builds are several times slower than the release binary, whose aim is
/// 2 s and 300 MB for any input: the largest HTML seed (a 1 MB Wikipedia page) mutated and written in
/// every format took 6.6 s in CI's debug build, so the debug budget leaves room for a slower machine;
/// a quadratic path takes minutes, far over it.
const TIME_BUDGET: Duration = Duration::from_secs(if cfg!(debug_assertions) { 20 } else { 2 });
/// Growth of the resident memory while one input is read.
const MEMORY_BUDGET_KIB: u64 = 300 * 1024;
/// Mutants are kept under this size.
const MAX_INPUT: usize = 4 << 20;

/// xorshift64*: a fixed seed gives the same run every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One reader under test.
struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    /// Tokens of the format, inserted and repeated by the mutator.
    tokens: &'static [&'static str],
    run: fn(&[u8]),
    /// Mutate the XML parts of a Word package rather than its (compressed) bytes.
    zip: bool,
}

fn fixtures(ext: &[&str]) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    let mut stack = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ext.contains(&e))
            {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut seeds: Vec<Vec<u8>> = paths.iter().map(|p| fs::read(p).unwrap()).collect();
    // Structure that byte mutation does not find: each generator of its format, at a small scale.
    seeds.extend(
        structured()
            .iter()
            .filter(|b| ext.iter().any(|e| b.file.ends_with(&format!(".{e}"))))
            .map(|b| b.bytes.clone()),
    );
    if ext.contains(&"md") {
        seeds.push(
            fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kabul-visit-brief.md"))
                .unwrap(),
        );
    }
    seeds
}

/// The hostile-input generators at a scale the fuzzer runs in its time and memory budgets: the
/// loops, sharing and nesting whole, the floods at a five-hundredth of the sizes that broke the
/// readers.
fn structured() -> &'static [bombs::Bomb] {
    static BOMBS: std::sync::OnceLock<Vec<bombs::Bomb>> = std::sync::OnceLock::new();
    BOMBS.get_or_init(|| bombs::all(0.002))
}

fn text_target(
    name: &'static str,
    format: InputFormat,
    ext: &[&str],
    tokens: &'static [&'static str],
) -> Target {
    let run: fn(&[u8]) = match format {
        InputFormat::Markdown => |b| read_text(b, InputFormat::Markdown),
        InputFormat::Html => |b| read_text(b, InputFormat::Html),
        InputFormat::Rst => |b| read_text(b, InputFormat::Rst),
        _ => |b| read_text(b, InputFormat::Text),
    };
    Target {
        name,
        seeds: fixtures(ext),
        tokens,
        run,
        zip: false,
    }
}

fn read_text(bytes: &[u8], format: InputFormat) {
    let text = String::from_utf8_lossy(bytes);
    let doc = extract::extract("fuzz", &text, format, &ExtractOptions::default());
    // The report of the document is written too: every format.
    write_all(&Report::new(vec![doc]));
}

fn read_binary(bytes: &[u8], format: InputFormat) {
    if let Ok(doc) = extract::extract_bytes("fuzz", bytes, format, &ExtractOptions::default()) {
        write_all(&Report::new(vec![doc]));
    }
}

fn write_all(report: &Report) {
    for format in [
        Format::Json,
        Format::Human,
        Format::Markdown,
        Format::Github,
        Format::Junit,
        Format::Sarif,
    ] {
        report::write(report, format, std::io::sink()).unwrap();
    }
}

fn targets() -> Vec<Target> {
    let citation_seeds = {
        // The footnote texts of the Markdown fixtures: citations as written.
        let mut seeds = Vec::new();
        for doc in fixtures(&["md"]) {
            let text = String::from_utf8_lossy(&doc);
            let doc = extract::extract(
                "seed",
                &text,
                InputFormat::Markdown,
                &ExtractOptions::default(),
            );
            seeds.extend(doc.footnotes.into_iter().map(|f| f.text.into_bytes()));
        }
        // The floods repeat one text thousands of times: each text once.
        let mut seen = std::collections::HashSet::new();
        seeds.retain(|s| seen.insert(s.clone()));
        seeds
    };
    let report_seeds = {
        let mut seeds = Vec::new();
        for (ext, format) in [
            ("md", InputFormat::Markdown),
            ("html", InputFormat::Html),
            ("rst", InputFormat::Rst),
        ] {
            let docs: Vec<_> = fixtures(&[ext])
                .iter()
                .map(|b| {
                    extract::extract(
                        "seed",
                        &String::from_utf8_lossy(b),
                        format,
                        &ExtractOptions::default(),
                    )
                })
                .collect();
            for doc in docs {
                let mut json = Vec::new();
                report::write_json(&Report::new(vec![doc]), &mut json).unwrap();
                seeds.push(json);
            }
        }
        seeds
    };
    vec![
        text_target(
            "markdown",
            InputFormat::Markdown,
            &["md"],
            &[
                ">",
                "> ",
                "- ",
                "1. ",
                "  ",
                "[",
                "]",
                "](",
                ")",
                "[^1]",
                "[^1]: ",
                "^[",
                "*",
                "_",
                "**",
                "`",
                "```\n",
                "<sup>1</sup>",
                "<sup>",
                "</sup>",
                "<div>",
                "<!--",
                "\n\n",
                "\n",
                "https://a.example/x",
                "<https://b.example/>",
                "|",
                "---\n",
                "[a]: https://c.example/\n",
            ],
        ),
        text_target(
            "html",
            InputFormat::Html,
            &["html"],
            &[
                "<div>",
                "</div>",
                "<b>",
                "<i>",
                "<a href=\"#fn1\">",
                "<a href=\"https://a.example/\">",
                "</a>",
                "<li id=\"fn1\">",
                "<ol class=\"footnotes\">",
                "<table>",
                "<tr><td>",
                "<sup>",
                "<cite class=\"citation\">",
                "<script>",
                "<!--",
                "-->",
                "<svg>",
                "<math>",
                "<p>",
                "&amp;",
                "\"",
                "'",
                ">",
                "<",
                "<font>",
                "<span style=\"display:none\">",
            ],
        ),
        text_target(
            "rst",
            InputFormat::Rst,
            &["rst"],
            &[
                ".. [1] ",
                ".. [#] ",
                ".. [#a] ",
                ".. [*] ",
                "[1]_",
                "[#]_",
                "`a <https://a.example/>`_",
                ".. _a: https://b.example/\n",
                "a_",
                "__ ",
                "::\n\n",
                "   ",
                "\n\n",
                "- ",
                "> ",
                "``",
                ".. code:: python\n\n",
                "|a|",
                "\n",
            ],
        ),
        Target {
            name: "docx",
            seeds: fixtures(&["docx"]),
            tokens: &[
                "<w:p>",
                "</w:p>",
                "<w:r>",
                "<w:t>",
                "</w:t>",
                "<w:footnoteReference w:id=\"1\"/>",
                "<w:hyperlink r:id=\"rId1\">",
                "</w:hyperlink>",
                "<w:fldChar w:fldCharType=\"begin\"/>",
                "<w:instrText> HYPERLINK \"https://a.example/\" </w:instrText>",
                "<w:fldChar w:fldCharType=\"end\"/>",
                "<!DOCTYPE x [<!ENTITY a \"b\">]>",
                "&amp;",
                "<",
            ],
            run: |b| read_binary(b, InputFormat::Docx),
            zip: true,
        },
        Target {
            name: "pdf",
            seeds: fixtures(&["pdf"]),
            tokens: &[
                "BT ",
                "ET ",
                "(x) Tj ",
                "/F1 12 Tf ",
                "0 0 Td ",
                "[(a) 10 (b)] TJ ",
                "<< ",
                ">> ",
                "obj ",
                "endobj ",
                "stream\n",
                "endstream ",
                "/Annots ",
                "/URI (https://a.example/) ",
                "/Subtype /Form ",
                "/Resources << /Font << /T1_0 1 0 R >> >> ",
                "/T1_0 1 Tf ",
                "/Fm0 Do ",
                "(Endnotes) Tj ",
                "(12 www.a.example/x-) Tj ",
                "1 0 R ",
                "[",
                "]",
                "q ",
                "Q ",
            ],
            run: |b| read_binary(b, InputFormat::Pdf),
            zip: false,
        },
        Target {
            name: "citation",
            seeds: citation_seeds,
            tokens: &[
                ", ",
                ". ",
                "\"",
                "“",
                "”",
                "(2020)",
                "2020",
                "et al.",
                "In ",
                "Eds.",
                "and ",
                "Vol. 3",
                "pp. 1-2",
                "doi:10.1/x",
                "https://a.example/",
                "Accessed ",
                "'",
                "*",
                " ",
            ],
            run: |b| {
                let text = String::from_utf8_lossy(b);
                let _ = extract::parse_citation(&text, None);
                let _ = extract::parse_citation(&text, text.split('.').next());
            },
            zip: false,
        },
        Target {
            name: "report",
            seeds: report_seeds,
            tokens: &[
                "{",
                "}",
                "[",
                "]",
                "\"",
                ":",
                ",",
                "null",
                "0",
                "-1",
                "1e400",
                "\"schema_version\": 3",
                "\"\\u0000\"",
                "\"\\ud800\"",
                "\"line\": 18446744073709551616",
                "\u{1b}[31m",
            ],
            run: |b| {
                if let Ok(report) = serde_json::from_slice::<Report>(b) {
                    write_all(&report);
                }
            },
            zip: false,
        },
    ]
}

/// One mutant of a seed: one to four stacked mutations.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8], tokens: &[&str]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let token = tokens[rng.below(tokens.len())];
                data.splice(i..i, token.bytes());
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64.min(len - start))).min(len);
                data.drain(start..end);
            }
            4 if len > 0 => data.truncate(rng.below(len)),
            5 if !other.is_empty() => {
                // Splice: the head of one seed, the tail of another.
                let cut = rng.below(data.len() + 1);
                let from = rng.below(other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            6 => {
                // A token repeated: deep nesting, floods.
                let i = rng.below(len + 1);
                let token = tokens[rng.below(tokens.len())];
                let times = [10, 100, 1000, 10_000, 50_000][rng.below(5)];
                let times = times.min(MAX_INPUT / token.len().max(1) / 2);
                let run = token.repeat(times);
                data.splice(i..i, run.bytes());
            }
            7 if len > 1 => {
                // A slice of the input repeated.
                let start = rng.below(len);
                let end = (start + 1 + rng.below(256.min(len - start))).min(len);
                let chunk = data[start..end].to_vec();
                let times = 1 + rng.below(200);
                let at = rng.below(len + 1);
                data.splice(at..at, chunk.repeat(times));
            }
            _ => {
                let i = rng.below(len + 1);
                let byte = [
                    0u8, b'\n', b'\r', b' ', b'<', b'>', b'[', b']', b'(', b')', 0xff, 0xc3,
                ][rng.below(12)];
                data.insert(i, byte);
            }
        }
        data.truncate(MAX_INPUT);
    }
    data
}

/// The files of a zip package, read whole.
fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        let mut data = Vec::new();
        file.read_to_end(&mut data).ok()?;
        files.push((file.name().ok()?.into_owned(), data));
    }
    Some(files)
}

fn rezip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for (name, data) in files {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Set while a reader runs: its panics are recorded, not printed.
static READING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Where the last panic happened (file), set by the hook.
static PANIC_AT: Mutex<Option<(String, String)>> = Mutex::new(None);

fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(String::new, |l: &Location| {
            format!("{}:{}", l.file(), l.line())
        });
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if !READING.load(std::sync::atomic::Ordering::SeqCst) {
            eprintln!("panicked at {at}: {message}");
        }
        *PANIC_AT.lock().unwrap_or_else(|e| e.into_inner()) = Some((at, message));
    }));
}

/// Peak resident memory since the last reset (`VmHWM`), or resident memory now (`VmRSS`), in KiB;
/// `None` where /proc is not there.
fn memory_kib(field: &str) -> Option<u64> {
    fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[derive(Default)]
struct Tally {
    executions: u64,
    contained: u64,
    slowest: Duration,
    peak_kib: u64,
    findings: Vec<String>,
}

fn save(target: &str, input: &[u8], what: &str, tally: &mut Tally) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings");
    fs::create_dir_all(&dir).unwrap();
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let path = dir.join(format!("{target}-{hash:016x}"));
    fs::write(&path, input).unwrap();
    tally
        .findings
        .push(format!("{target}: {what} ({})", path.display()));
}

fn run_one(target: &Target, input: &[u8], tally: &mut Tally) {
    // The allocator keeps some of what earlier inputs freed: the budget is on the growth over that.
    let measured = reset_peak();
    let before = memory_kib("VmRSS:").unwrap_or(0);
    let started = Instant::now();
    READING.store(true, std::sync::atomic::Ordering::SeqCst);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    READING.store(false, std::sync::atomic::Ordering::SeqCst);
    let took = started.elapsed();
    tally.executions += 1;
    tally.slowest = tally.slowest.max(took);
    if outcome.is_err() {
        let (at, message) = PANIC_AT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default();
        // A panic in a dependency is contained by the binary; one in citecheck's code is a bug.
        if at.contains("/.cargo/registry/") {
            tally.contained += 1;
        } else {
            save(
                target.name,
                input,
                &format!("panic at {at}: {message}"),
                tally,
            );
        }
    }
    if took > TIME_BUDGET {
        save(
            target.name,
            input,
            &format!("{took:?}, over the time budget"),
            tally,
        );
    }
    if measured && let Some(peak) = memory_kib("VmHWM:") {
        let kib = peak.saturating_sub(before);
        tally.peak_kib = tally.peak_kib.max(kib);
        if kib > MEMORY_BUDGET_KIB {
            save(
                target.name,
                input,
                &format!("{kib} KiB peak, over the memory budget"),
                tally,
            );
        }
    }
}

fn fuzz(target: &Target, budget: Duration, rng: &mut Rng, minimum: u64) -> Tally {
    let mut tally = Tally::default();
    let started = Instant::now();
    for seed in &target.seeds {
        run_one(target, seed, &mut tally);
    }
    let unzipped: Vec<Vec<(String, Vec<u8>)>> = if target.zip {
        target.seeds.iter().filter_map(|s| unzip(s)).collect()
    } else {
        Vec::new()
    };
    let mut mutants = 0;
    while (started.elapsed() < budget || mutants < minimum) && tally.findings.len() < 10 {
        mutants += 1;
        let input = if target.zip && !unzipped.is_empty() {
            // A Word package with one of its XML parts mutated.
            let mut files = unzipped[rng.below(unzipped.len())].clone();
            let i = rng.below(files.len());
            let j = rng.below(files.len());
            let other = files[j].1.clone();
            files[i].1 = mutate(rng, &files[i].1, &other, target.tokens);
            rezip(&files)
        } else {
            let seed = &target.seeds[rng.below(target.seeds.len())];
            let other = &target.seeds[rng.below(target.seeds.len())];
            mutate(rng, seed, other, target.tokens)
        };
        run_one(target, &input, &mut tally);
    }
    tally
}

#[test]
fn fuzz_readers() {
    let seconds: f64 = std::env::var("CITECHECK_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    let seed: u64 = std::env::var("CITECHECK_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c17e_c4ec);
    let only = std::env::var("CITECHECK_FUZZ_TARGET").ok();
    // Without a time budget (an ordinary `cargo test`), a few mutants per target.
    let minimum = if seconds > 0.0 { 0 } else { 10 };
    install_hook();
    let mut failures = Vec::new();
    let mut total = 0;
    for target in targets() {
        if only.as_deref().is_some_and(|o| o != target.name) {
            continue;
        }
        assert!(!target.seeds.is_empty(), "{}: no seeds", target.name);
        let mut rng =
            Rng((seed ^ (target.name.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1);
        let tally = fuzz(&target, Duration::from_secs_f64(seconds), &mut rng, minimum);
        eprintln!(
            "fuzz {}: {} executions from {} seeds, {} contained dependency panics, slowest {:?}, peak growth {} MiB, {} findings",
            target.name,
            tally.executions,
            target.seeds.len(),
            tally.contained,
            tally.slowest,
            tally.peak_kib / 1024,
            tally.findings.len()
        );
        total += tally.executions;
        failures.extend(tally.findings);
    }
    let _ = std::panic::take_hook();
    eprintln!("fuzz: {total} executions in all");
    assert!(
        failures.is_empty(),
        "fuzzing found:\n{}",
        failures.join("\n")
    );
}
