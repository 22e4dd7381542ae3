//! The report archive: `DIR/<UTC timestamp>.json` for every run and `DIR/latest.json`, a copy of the
//! newest of them.
//!
//! Every file is written to a temporary file in `DIR`, flushed, then renamed over its target, so an
//! interrupted or failed run never leaves a half-written report and never spoils the last good one.
//! Runs sharing a directory take turns: [`Archive::open`] holds `DIR/.citecheck.lock` (an advisory lock
//! the system drops when the process ends, however it ends) until the [`Archive`] is dropped. Under the
//! lock a run reads the history, archives its report under a name no other report has (an exclusive
//! create), and brings `latest.json` up to date (repairing one left behind by a run killed between its
//! two renames); it also removes the temporary files of runs killed mid-write.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::{Report, history};

/// The lock file in a report directory. It stays: removing it would let two runs lock two files.
pub const LOCK_FILE: &str = ".citecheck.lock";

/// Temporary files of `--output` writes: `.citecheck-XXXXXX.tmp`.
const TEMP_PREFIX: &str = ".citecheck-";
/// Temporary files of archive writes, only ever written under the lock.
const ARCHIVE_TEMP_PREFIX: &str = ".citecheck-archive-";
const TEMP_SUFFIX: &str = ".tmp";
/// Other runs' temporary files older than this are left over from a killed run: no write takes this long.
const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);
/// A run waiting for the lock longer than this says so (shorter waits are the usual turn-taking).
const LOCK_NOTICE_AFTER: Duration = Duration::from_secs(1);
/// How often a waiting run tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(25);

/// Why the archive could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("cannot write to the report directory {}", dir.display())]
    Io {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "the report directory {} is in use by another citecheck run (waited {} s for {}); try again when it has finished",
        dir.display(),
        waited.as_secs(),
        LOCK_FILE
    )]
    Locked { dir: PathBuf, waited: Duration },
    #[error(transparent)]
    History(#[from] history::HistoryError),
}

/// A report directory held for this run (see the module documentation). Dropping it releases the lock.
#[derive(Debug)]
pub struct Archive {
    dir: PathBuf,
    _lock: File,
}

impl Archive {
    /// Opens `dir` (created if missing) for this run, waiting up to `wait` while another run holds it;
    /// `on_wait` is called once if it has waited a second. Then removes the temporary files of killed runs.
    pub fn open(dir: &Path, wait: Duration, on_wait: impl FnOnce()) -> Result<Archive, StoreError> {
        let err = |source| StoreError::Io {
            dir: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(err)?;
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(LOCK_FILE))
            .map_err(err)?;
        let started = Instant::now();
        let mut on_wait = Some(on_wait);
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                // A file system without locks (some network mounts): the exclusive creates below still
                // keep every report.
                Err(TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => break,
                Err(TryLockError::Error(e)) => return Err(err(e)),
                Err(TryLockError::WouldBlock) => {
                    if started.elapsed() >= LOCK_NOTICE_AFTER.min(wait)
                        && let Some(f) = on_wait.take()
                    {
                        f();
                    }
                    if started.elapsed() >= wait {
                        return Err(StoreError::Locked {
                            dir: dir.to_owned(),
                            waited: started.elapsed(),
                        });
                    }
                    std::thread::sleep(LOCK_POLL);
                }
            }
        }
        let archive = Archive {
            dir: dir.to_owned(),
            _lock: lock,
        };
        archive.remove_stale_temps().map_err(err)?;
        Ok(archive)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The archived runs, oldest first (see [`history::load`]).
    pub fn history(&self) -> Result<Vec<history::PastRun>, StoreError> {
        Ok(history::load(&self.dir)?)
    }

    /// Archives `report` as `<timestamp>.json` (or `<timestamp>-N.json`, the first free N, when that
    /// second has a report already), makes `latest.json` the newest archived report, then keeps only
    /// the newest `keep` archived reports. Returns the archived file and what was left alone.
    pub fn save(&self, report: &Report, keep: Option<usize>) -> Result<Saved, StoreError> {
        let dir = &self.dir;
        let err = |source| StoreError::Io {
            dir: dir.to_owned(),
            source,
        };
        let at = report.generated_time().unwrap_or_else(chrono::Utc::now);
        let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| err(e.into()))?;
        bytes.push(b'\n');

        // Both files are written before either is renamed: the moment between the two renames, when
        // latest.json is not yet the newest report, is as short as it can be.
        let mut tmp = write_temp(dir, ARCHIVE_TEMP_PREFIX, &bytes).map_err(err)?;
        let latest_tmp = write_temp(dir, ARCHIVE_TEMP_PREFIX, &bytes).map_err(err)?;
        // Only what citecheck wrote decides which report is the newest and which are removed: a file
        // planted in the folder under a report's name is neither copied nor kept count of.
        let (reports, ignored) = history::sort_out(dir).map_err(err)?;
        // After the last report of the same second, even if --keep removed earlier ones of it.
        let first = history::archive_name_n(at, 0);
        let stamp = first.trim_end_matches(".json");
        let mut n = reports
            .iter()
            .chain(ignored.iter().map(|(p, _)| p))
            .filter_map(|p| history::archive_order(p))
            .filter(|(s, _)| *s == stamp)
            .map(|(_, n)| n + 1)
            .max()
            .unwrap_or(0);
        let previous = reports.last();
        let path = loop {
            let path = dir.join(history::archive_name_n(at, n));
            // Never over another report: the rename fails if the name is taken.
            match tmp.persist_noclobber(&path) {
                Ok(_) => break path,
                Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                    tmp = e.file;
                    n += 1;
                }
                Err(e) => return Err(err(e.error)),
            }
        };
        // A report of an earlier time (a merge of old shards) is archived but does not become latest.
        let newest =
            previous.is_none_or(|p| history::archive_order(p) < history::archive_order(&path));
        if newest {
            latest_tmp
                .persist(dir.join("latest.json"))
                .map_err(|e| err(e.error))?;
        } else {
            drop(latest_tmp);
            self.repair_latest().map_err(err)?;
        }
        if let Some(keep) = keep {
            // Oldest first, only reports, never the one just written.
            let mut all: Vec<&PathBuf> = reports.iter().chain([&path]).collect();
            all.sort_by_key(|p| history::archive_order(p));
            for old in all
                .iter()
                .take(all.len().saturating_sub(keep.max(1)))
                .filter(|p| ***p != path)
            {
                std::fs::remove_file(old).map_err(err)?;
            }
        }
        sync_dir(dir);
        Ok(Saved { path, ignored })
    }

    /// Removes the temporary files of runs killed while writing: every archive temporary file (only a
    /// run holding the lock writes one), and other `.citecheck-*.tmp` files (from `--output` writes,
    /// which take no lock) once they are an hour old.
    fn remove_stale_temps(&self) -> io::Result<()> {
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
                continue;
            }
            let stale = name.starts_with(ARCHIVE_TEMP_PREFIX)
                || entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age >= STALE_TEMP_AGE);
            if stale {
                match std::fs::remove_file(entry.path()) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Makes `latest.json` a copy of the newest archived report if it is not (a run killed between
    /// archiving its report and renaming `latest.json` leaves the previous one there).
    fn repair_latest(&self) -> io::Result<()> {
        let Some(newest) = history::archived_reports(&self.dir)?
            .into_iter()
            .rev()
            .find(|p| history::is_report(p))
        else {
            return Ok(());
        };
        let latest = self.dir.join("latest.json");
        let newest_bytes = std::fs::read(&newest)?;
        let same = match std::fs::metadata(&latest) {
            Ok(meta) if meta.len() == newest_bytes.len() as u64 => {
                std::fs::read(&latest)? == newest_bytes
            }
            Ok(_) => false,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        if !same {
            write_atomic_as(&latest, &newest_bytes, ARCHIVE_TEMP_PREFIX)?;
        }
        Ok(())
    }
}

/// A report archived: its file, and the files named like reports that were left alone.
#[derive(Debug)]
pub struct Saved {
    pub path: PathBuf,
    pub ignored: Vec<history::Ignored>,
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed to disk, then renamed. The
/// file gets the permissions a new file gets (0644 under the usual umask 022).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_as(path, bytes, TEMP_PREFIX)
}

fn write_atomic_as(path: &Path, bytes: &[u8], prefix: &str) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    write_temp(dir, prefix, bytes)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file in `dir` holding `bytes`, flushed to disk.
fn write_temp(dir: &Path, prefix: &str, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(TEMP_SUFFIX);
    // tempfile creates 0600 files; a report is no secret, and the umask decides as for any new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Flushes a directory's entries (the renames) to disk, where the system allows it.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_at(secs: i64) -> Report {
        let at = chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap();
        Report::with_results(Vec::new(), Vec::new(), 0, at)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn reports_of_one_second_all_kept_and_latest_is_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), Duration::ZERO, || {}).unwrap();
        let mut saved = Vec::new();
        for _ in 0..3 {
            saved.push(archive.save(&report_at(0), None).unwrap().path);
        }
        // An older report is archived but latest.json stays the newest.
        archive.save(&report_at(5), None).unwrap();
        let old = archive.save(&report_at(-5), None).unwrap().path;
        let archived = history::archived_reports(dir.path()).unwrap();
        assert_eq!(archived.len(), 5);
        assert_eq!(archived[0], old);
        assert_eq!(archived[1..4], saved[..]);
        let latest = std::fs::read(dir.path().join("latest.json")).unwrap();
        assert_eq!(latest, std::fs::read(&archived[4]).unwrap());
    }

    #[test]
    fn a_report_after_pruned_ones_of_its_second_is_still_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), Duration::ZERO, || {}).unwrap();
        for _ in 0..3 {
            archive.save(&report_at(0), Some(2)).unwrap();
        }
        // `<stamp>.json` went; the next report must not take its name and sort first.
        let last = archive.save(&report_at(0), Some(2)).unwrap().path;
        assert!(
            last.ends_with("20270115T080000Z-3.json"),
            "{}",
            last.display()
        );
        assert_eq!(
            history::archived_reports(dir.path()).unwrap().last(),
            Some(&last)
        );
    }

    #[test]
    fn a_held_directory_makes_the_next_run_wait_then_fail() {
        let dir = tempfile::tempdir().unwrap();
        let held = Archive::open(dir.path(), Duration::ZERO, || {}).unwrap();
        let mut waited = false;
        let err =
            Archive::open(dir.path(), Duration::from_millis(100), || waited = true).unwrap_err();
        assert!(waited);
        assert!(matches!(err, StoreError::Locked { .. }), "{err}");
        assert!(err.to_string().contains("in use by another citecheck run"));
        drop(held);
        Archive::open(dir.path(), Duration::ZERO, || {}).unwrap();
    }

    #[test]
    fn stale_temps_removed_and_latest_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), Duration::ZERO, || {}).unwrap();
        archive.save(&report_at(0), None).unwrap();
        let newest = archive.save(&report_at(1), None).unwrap().path;
        drop(archive);
        // A run killed between its renames: latest.json still the one before, a temporary file left.
        std::fs::write(dir.path().join("latest.json"), b"{\"older\": true}").unwrap();
        std::fs::write(dir.path().join(".citecheck-archive-abc123.tmp"), b"{\"sch").unwrap();
        // A fresh --output write of another run is left alone.
        std::fs::write(dir.path().join(".citecheck-xyz789.tmp"), b"x").unwrap();
        let archive = Archive::open(dir.path(), Duration::ZERO, || {}).unwrap();
        // Even a report older than the newest (a merge of old shards) sets latest.json right.
        archive.save(&report_at(-1), None).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("latest.json")).unwrap(),
            std::fs::read(&newest).unwrap()
        );
        assert_eq!(
            names(dir.path()),
            [
                ".citecheck-xyz789.tmp",
                LOCK_FILE,
                "20270115T075959Z.json",
                "20270115T080000Z.json",
                "20270115T080001Z.json",
                "latest.json"
            ]
        );
    }
}
