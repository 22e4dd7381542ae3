//! The report archive: `DIR/<UTC timestamp>.json` for every run and `DIR/latest.json`, each written to a
//! temporary file in `DIR` and renamed over its target, so an interrupted or failed run never leaves a
//! half-written report and never spoils the last good one.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Report, history};

/// Why the archive could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to the report directory {}: {source}", dir.display())]
pub struct StoreError {
    pub dir: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed to disk, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".citecheck-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Archives `report` in `dir` (created if missing) as `<timestamp>.json` and `latest.json`, then keeps
/// only the newest `keep` timestamped reports. Returns the timestamped file.
pub fn save(dir: &Path, report: &Report, keep: Option<usize>) -> Result<PathBuf, StoreError> {
    let err = |source| StoreError {
        dir: dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let at = report.generated_time().unwrap_or_else(chrono::Utc::now);
    let base = history::archive_name(at);
    let mut path = dir.join(&base);
    let mut n = 1;
    while path.exists() {
        path = dir.join(base.replace(".json", &format!("-{n}.json")));
        n += 1;
    }
    let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| err(e.into()))?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes).map_err(err)?;
    write_atomic(&dir.join("latest.json"), &bytes).map_err(err)?;
    if let Some(keep) = keep {
        let archived = history::archived_reports(dir).map_err(err)?;
        for old in archived
            .iter()
            .take(archived.len().saturating_sub(keep.max(1)))
        {
            std::fs::remove_file(old).map_err(err)?;
        }
    }
    Ok(path)
}
