//! Peak memory of a child process: VmHWM (KiB) read from /proc while it runs (the helper of tests/pdf.rs,
//! shared). VmHWM only grows, so the last reading is the peak up to a few milliseconds before exit.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `command`, capturing its output and watching its peak resident memory (KiB).
pub fn output_with_peak(command: &mut Command) -> (Output, u64) {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let watcher = std::thread::spawn(move || {
        let mut peak = 0;
        loop {
            match std::fs::read_to_string(&status_file) {
                Ok(status) => {
                    if let Some(kib) = status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmHWM:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                    {
                        peak = peak.max(kib);
                    }
                }
                Err(_) => return peak,
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    });
    let output = child.wait_with_output().unwrap();
    (output, watcher.join().unwrap())
}

/// `citecheck extract` on files, with more arguments.
pub fn extract_with_peak(paths: &[&Path], args: &[&str]) -> (Output, u64) {
    output_with_peak(
        Command::new(env!("CARGO_BIN_EXE_citecheck"))
            .arg("extract")
            .args(paths)
            .args(args),
    )
}
