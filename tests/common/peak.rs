//! Peak memory of a child process and its own children (the reader box): VmHWM (KiB) read from /proc
//! while it runs (the helper of tests/pdf.rs,
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
    let pid = child.id();
    // `spawn` returns once the command runs: its command line is the one its readers are told from.
    let command = cmdline(pid);
    let watcher = std::thread::spawn(move || {
        let mut peak = 0;
        loop {
            let Some(own) = hwm(pid) else {
                return peak;
            };
            // Documents are read in child processes (the reader box): their memory counts too,
            // once they run their own program (forked and not yet exec'd, a child's peak is the
            // parent's, copied).
            let readers: u64 = children(pid)
                .into_iter()
                .filter(|&child| cmdline(child) != command)
                .filter_map(hwm)
                .sum();
            peak = peak.max(own + readers);
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    });
    let output = child.wait_with_output().unwrap();
    (output, watcher.join().unwrap())
}

/// A process's command line, as `/proc` gives it (empty when it is gone).
fn cmdline(pid: u32) -> Vec<u8> {
    std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default()
}

/// A process's peak resident memory (VmHWM, KiB), while it runs.
pub fn hwm(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
}

/// A process's children: as its threads list them, or, on a kernel that keeps no such list
/// (built without `CONFIG_PROC_CHILDREN`), every process whose parent it is.
fn children(pid: u32) -> Vec<u32> {
    let listed: Option<Vec<u32>> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()
        .and_then(|tasks| {
            let lists: Vec<String> = tasks
                .flatten()
                .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
                .collect();
            (!lists.is_empty()).then(|| {
                lists
                    .iter()
                    .flat_map(|list| list.split_whitespace().filter_map(|p| p.parse().ok()))
                    .collect()
            })
        });
    listed.unwrap_or_else(|| {
        let Ok(all) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        all.flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
            .filter(|&child| parent(child) == Some(pid))
            .collect()
    })
}

/// A process's parent, from `/proc/PID/stat` (its fourth field, after the name in parentheses,
/// which may hold spaces).
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
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
