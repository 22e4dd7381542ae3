//! The command line. [`Options`] is both the flags and the schema of `citecheck.toml`: every field is
//! optional, the command line wins over the config file, and defaults come from the getters.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use url::Url;

use citecheck::extract::{InputFormat, Severity};
use citecheck::input::DEFAULT_MAX_FILE_SIZE;
use citecheck::report::Format;

/// The config file read from the current directory when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "citecheck.toml";

#[derive(Debug, Parser)]
#[command(name = "citecheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every footnote, its citation fields and URLs, and lint them (no network).
    Extract(ExtractArgs),
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Documents or folders to read; `-` reads standard input. Folders are searched for .md .markdown
    /// .txt .html .htm files, respecting .gitignore.
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub options: Options,
}

/// When the exit code says the run failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Fail on error-severity findings (the default).
    Error,
    /// Fail on warnings too.
    Warning,
}

impl FailOn {
    pub fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        }
    }
}

/// Options shared by the command line and `citecheck.toml` (keys are the flag names).
#[derive(Debug, Default, Args, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Output format [default: human]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Read every input as this format instead of choosing by extension and content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    /// Resolve relative links against this URL (else they are reported as relative).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<Url>,

    /// Refuse documents larger than this many bytes [default: 67108864]
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Exit with 1 on findings of this severity or worse [default: error]
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Read options from this TOML file [default: ./citecheck.toml when it exists]
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
}

impl Options {
    /// Fills every option not given on the command line from the config file.
    pub fn merge(self, file: Options) -> Options {
        Options {
            format: self.format.or(file.format),
            input_format: self.input_format.or(file.input_format),
            base_url: self.base_url.or(file.base_url),
            max_file_size: self.max_file_size.or(file.max_file_size),
            fail_on: self.fail_on.or(file.fail_on),
            config: self.config,
        }
    }

    /// Reads the config file named by `--config`, else `./citecheck.toml` if there is one, and merges.
    pub fn with_config_file(self) -> anyhow::Result<Options> {
        let path = match &self.config {
            Some(path) => path.clone(),
            None if Path::new(DEFAULT_CONFIG).is_file() => PathBuf::from(DEFAULT_CONFIG),
            None => return Ok(self),
        };
        let file = load_config(&path)?;
        Ok(self.merge(file))
    }

    pub fn format(&self) -> Format {
        self.format.unwrap_or_default()
    }

    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    pub fn fail_on(&self) -> FailOn {
        self.fail_on.unwrap_or(FailOn::Error)
    }
}

pub fn load_config(path: &Path) -> anyhow::Result<Options> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        // toml's message spans several lines with a caret diagram; keep the first, one-line part.
        let msg = e.message().trim().to_owned();
        let at = e
            .span()
            .map(|s| format!(" (line {})", text[..s.start].matches('\n').count() + 1))
            .unwrap_or_default();
        anyhow::anyhow!("invalid config file {}{at}: {msg}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_wins_over_config_file() {
        let cli =
            Cli::try_parse_from(["citecheck", "extract", "a.md", "--format", "json"]).unwrap();
        let Command::Extract(args) = cli.command;
        let file: Options = toml::from_str("format = \"human\"\nfail-on = \"warning\"\n").unwrap();
        let merged = args.options.merge(file);
        assert_eq!(merged.format(), Format::Json);
        assert_eq!(merged.fail_on(), FailOn::Warning);
        assert_eq!(merged.max_file_size(), DEFAULT_MAX_FILE_SIZE);
    }

    #[test]
    fn unknown_config_keys_are_refused() {
        assert!(toml::from_str::<Options>("formt = \"json\"").is_err());
    }

    #[test]
    fn inputs_are_required() {
        assert!(Cli::try_parse_from(["citecheck", "extract"]).is_err());
    }
}
