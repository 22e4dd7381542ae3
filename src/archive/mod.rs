//! Web archives: finding the copy of a page closest to when it was cited, and asking for new captures.

pub mod wayback;

use serde::{Deserialize, Deserializer};

pub use wayback::{Wayback, WaybackError};

/// Which results get an archive lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WaybackMode {
    /// Results that are not `ok` (broken, timeout, unreachable, server_error, blocked).
    Failing,
    /// Every fetched URL.
    All,
    /// None.
    Off,
}

/// In `citecheck.toml`: `wayback = true` (failing), `false`, or `"failing"`, `"all"`, `"off"`.
impl<'de> Deserialize<'de> for WaybackMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Setting {
            Flag(bool),
            Name(String),
        }
        match Setting::deserialize(deserializer)? {
            Setting::Flag(true) => Ok(WaybackMode::Failing),
            Setting::Flag(false) => Ok(WaybackMode::Off),
            Setting::Name(name) => match name.as_str() {
                "failing" => Ok(WaybackMode::Failing),
                "all" => Ok(WaybackMode::All),
                "off" => Ok(WaybackMode::Off),
                other => Err(serde::de::Error::custom(format!(
                    "wayback = {other:?}: expected true, false, \"failing\", \"all\" or \"off\""
                ))),
            },
        }
    }
}
