//! The command line. [`Options`] is both the flags and the schema of `citecheck.toml`: every field is
//! optional, the command line wins over the config file, and defaults come from the getters.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use ipnet::IpNet;
use regex::Regex;
use serde::Deserialize;
use url::Url;

use citecheck::archive::WaybackMode;
use citecheck::check::config::{ca_certificates, parse_header};
use citecheck::check::drift::DriftConfig;
use citecheck::check::{AcceptRanges, CheckConfig, HostConfig, Method, ResolveOverride};
use citecheck::extract::{InputFormat, Severity};
use citecheck::input::DEFAULT_MAX_FILE_SIZE;
use citecheck::report::Format;
use citecheck::report::history::HistoryConfig;

/// Upper bounds on the checker's durations: larger values are refused (they overflow timers or hang).
pub const MAX_TIMEOUT_SECS: u64 = 3600;
pub const MAX_RETRY_WAIT_MS: u64 = 10 * 60 * 1000;
pub const MAX_HOST_INTERVAL_MS: u64 = 60 * 1000;
pub const MAX_RETRY_AFTER_SECS: u64 = 24 * 3600;

/// The config file read from the current directory when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "citecheck.toml";

#[derive(Debug, Parser)]
#[command(name = "citecheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Options that mean the same to every subcommand that reads documents or writes a report.
const GENERAL: &[&str] = &[
    "format",
    "input_format",
    "base_url",
    "links",
    "max_documents",
    "document_pattern",
    "max_file_size",
    "max_reader_memory",
    "max_reader_seconds",
    "fail_on",
    "config",
    "output",
    "no_progress",
];
const HISTORY: &[&str] = &["flaky_window", "dead_after_runs", "dead_after_days"];

/// Options `fix` has no use for: it writes no report (so no output file, archive, cache, shard or
/// history), never captures pages, and its exit code does not depend on findings.
const NOT_FIX: &[&str] = &[
    "fail_on",
    "output",
    "save",
    "save_max_age",
    "report_dir",
    "keep",
    "shard",
    "cache",
    "cache_file",
    "max_cache_age",
    "flaky_window",
    "dead_after_runs",
    "dead_after_days",
];

/// The options a subcommand takes, when not all of [`Options`].
enum Applicable {
    Only(Vec<&'static str>),
    AllBut(&'static [&'static str]),
}

impl Applicable {
    fn takes(&self, id: &str) -> bool {
        match self {
            Applicable::Only(ids) => ids.contains(&id),
            Applicable::AllBut(ids) => !ids.contains(&id),
        }
    }
}

/// The options a subcommand takes, when not all of [`Options`]: the others are hidden from its help
/// and refused on its command line (the config file keeps one schema; keys a subcommand does not use
/// are ignored by it).
fn applicable(path: &[&str]) -> Option<Applicable> {
    let mut only: Vec<&'static str> = match path {
        ["extract"] => GENERAL.to_vec(),
        ["fix"] => return Some(Applicable::AllBut(NOT_FIX)),
        ["report", "show"] => vec!["format", "fail_on", "output"],
        ["report", "diff"] => [&["format", "output"][..], HISTORY].concat(),
        ["report", "merge"] => [
            &["format", "fail_on", "output", "report_dir", "keep"][..],
            HISTORY,
        ]
        .concat(),
        ["report", "html"] => [&["output"][..], HISTORY].concat(),
        _ => return None,
    };
    only.push("config");
    Some(Applicable::Only(only))
}

/// Every option's id and its flag: `headers` is `--header`.
fn option_ids() -> Vec<(String, String)> {
    Options::augment_args(clap::Command::new("options"))
        .get_arguments()
        .map(|a| {
            (
                a.get_id().to_string(),
                a.get_long().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Parses the command line: each subcommand shows and accepts only the options it uses.
pub fn parse() -> Cli {
    let mut command = command();
    let matches = command.clone().get_matches();
    if let Err(err) = refuse_inapplicable(&mut command, &matches, &option_ids()) {
        err.exit();
    }
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The command line as help, completions and the man page show it: each subcommand with the options
/// it uses.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    let ids = option_ids();
    for path in [
        &["extract"][..],
        &["fix"],
        &["report", "show"],
        &["report", "diff"],
        &["report", "merge"],
        &["report", "html"],
    ] {
        let Some(only) = applicable(path) else {
            continue;
        };
        let hide = |mut sub: clap::Command| {
            for (id, _) in ids.iter().filter(|(id, _)| !only.takes(id)) {
                sub = sub.mut_arg(id.as_str(), |a| a.hide(true));
            }
            sub
        };
        command = match path {
            [name] => command.mut_subcommand(*name, hide),
            [parent, name] => command.mut_subcommand(*parent, |p| p.mut_subcommand(*name, hide)),
            _ => command,
        };
    }
    command
}

/// An option given to a subcommand that does not use it is a usage error naming both.
fn refuse_inapplicable(
    command: &mut clap::Command,
    matches: &ArgMatches,
    ids: &[(String, String)],
) -> Result<(), clap::Error> {
    let mut path = Vec::new();
    let mut leaf = matches;
    while let Some((name, sub)) = leaf.subcommand() {
        path.push(name);
        leaf = sub;
    }
    let Some(only) = applicable(&path) else {
        return Ok(());
    };
    for (id, long) in ids.iter().filter(|(id, _)| !only.takes(id)) {
        if leaf.value_source(id) == Some(ValueSource::CommandLine) {
            let flag = format!("--{long}");
            return Err(command.error(
                clap::error::ErrorKind::ArgumentConflict,
                format!("{flag} does not apply to `citecheck {}`", path.join(" ")),
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every footnote, its citation fields and URLs, and lint them (no network).
    #[command(
        after_long_help = "Examples:\n  citecheck extract examples/kabul-visit-brief.md\n  citecheck extract docs/ --format json > citations.json\n  cat brief.docx | citecheck extract - --input-format docx"
    )]
    Extract(InputArgs),
    /// Check every cited URL: the lint of `extract`, plus a status for each link.
    #[command(
        after_long_help = "Examples:\n  citecheck check examples/kabul-visit-brief.md\n  citecheck check docs/ --report-dir reports --wayback --format markdown\n  citecheck check docs/ --shard 2/4 --output shard-2.json\n  citecheck check brief.md --offline   (lint only)"
    )]
    Check(InputArgs),
    /// Read, compare and join archived JSON reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Rewrite failing citations to their verified archived copies, keeping the original visible
    /// (Markdown, HTML; a table of suggestions for Word and PDF). Prints a diff unless --write.
    #[command(
        after_long_help = "Examples:\n  citecheck fix examples/kabul-visit-brief.md            (a diff on stdout)\n  citecheck fix brief.md --write\n  citecheck fix docs/ --report reports/ --write         (from the last archived report)\n  citecheck fix report.docx --report reports/ --format markdown"
    )]
    Fix(FixArgs),
    /// Print a shell completion script: `citecheck completions bash >
    /// ~/.local/share/bash-completion/completions/citecheck` (after `mkdir -p` of that folder).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or with --dir write one page per subcommand:
    /// `citecheck man --dir ~/.local/share/man/man1`, then `man citecheck-check`.
    Man {
        /// Write citecheck.1 and a page per subcommand (citecheck-check.1, citecheck-report-show.1, …)
        /// into this folder, creating it
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Internal: a reader box child (reads the paths given on stdin, answers in JSON lines).
    #[command(name = "__read", hide = true)]
    ReadBox,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Show an archived report (a file, or a report directory's latest.json) in any format.
    #[command(
        after_long_help = "Examples:\n  citecheck report show reports/\n  citecheck report show reports/latest.json --format sarif -o citations.sarif"
    )]
    Show {
        /// A report file or a --report-dir directory.
        #[arg(value_name = "FILE|DIR")]
        report: PathBuf,
        #[command(flatten)]
        options: Options,
    },
    /// What changed from OLD to NEW: newly broken, recovered, still broken, flaky, confirmed dead.
    /// Exit 1 when something is newly broken.
    #[command(
        after_long_help = "Examples:\n  citecheck report diff reports/20250101T060000Z.json reports/latest.json\n  citecheck report diff old.json new.json --format json | jq '.changes.newly_broken'"
    )]
    Diff {
        /// The earlier report (a check report file)
        #[arg(value_name = "OLD")]
        old: PathBuf,
        /// The later report (a check report file)
        #[arg(value_name = "NEW")]
        new: PathBuf,
        /// Show the whole NEW report with its changes (human and Markdown show the changes and the
        /// counts only; JSON and the other formats always have everything)
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        options: Options,
    },
    /// Join reports (the shards of a `--shard K/N` matrix) into one; with --report-dir, archive it with
    /// its history.
    #[command(
        after_long_help = "Example:\n  citecheck report merge shard-1.json shard-2.json shard-3.json --report-dir reports"
    )]
    Merge {
        /// Check reports to join (files), in any order: documents by path and results by URL, the
        /// first of each
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        #[command(flatten)]
        options: Options,
    },
    /// Write the history of a report directory as one self-contained HTML page: citation health over
    /// time, each citation's status timeline, since when it fails, its archived copy (`-o FILE`, else
    /// stdout).
    #[command(after_long_help = "Example:\n  citecheck report html reports/ -o dashboard.html")]
    Html {
        /// A --report-dir directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        #[command(flatten)]
        options: Options,
    },
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Documents, folders or URLs to read; `-` reads standard input. Folders are searched for .md
    /// .markdown .txt .html .htm .html5 .xhtml .rst .rest .docx .pdf files, respecting .gitignore. A
    /// URL is a published document (a web page, PDF, Word file…) or a sitemap, RSS or Atom feed
    /// listing them; its site's robots.txt is honoured.
    #[arg(required = true, value_name = "PATH|URL")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub options: Options,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Documents or folders to fix; documents from URLs get a table of replacements.
    #[arg(required = true, value_name = "PATH|URL")]
    pub inputs: Vec<PathBuf>,

    /// Take the results from this report (a file, or a --report-dir directory's latest.json) instead
    /// of checking now
    #[arg(long, value_name = "FILE|DIR", help_heading = "Fixing")]
    pub report: Option<PathBuf>,

    /// Rewrite the documents in place (atomically) instead of printing a unified diff
    #[arg(long, help_heading = "Fixing")]
    pub write: bool,

    /// Which failing citations get their archived copy, comma-separated [default: broken,unreachable,dead]
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "WHICH",
        help_heading = "Fixing"
    )]
    pub fix_on: Vec<citecheck::fix::FixOn>,

    /// Also replace citations of permanently moved pages by their new URL
    #[arg(long, help_heading = "Fixing")]
    pub update_moved: bool,

    /// How a Markdown rewrite shows the original URL: `code` (not a link, so the next check does not
    /// report it again) or `plain`
    #[arg(long, value_enum, default_value = "code", help_heading = "Fixing")]
    pub fix_style: citecheck::fix::FixStyle,

    #[command(flatten)]
    pub options: Options,
}

/// `--shard K/N`: the K-th of N shards (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not K/N with 1 <= K <= N (e.g. 2/4)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl<'de> Deserialize<'de> for Shard {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
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

    /// Resolve relative links against this URL (else a web page's relative links are counted in
    /// one `links-left-out` finding, and other documents' are reported as relative).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<Url>,

    /// Which links of a web page are read besides its footnotes: `footnotes` only, the `article`'s
    /// text (not the site's navigation, header, footer or sidebars) or `all` [default: article]
    #[arg(long, value_enum, value_name = "WHICH")]
    pub links: Option<citecheck::extract::LinkScope>,

    /// With a sitemap or feed URL as input: at most this many of the documents it lists are read
    /// [default: 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_documents: Option<u64>,

    /// With a sitemap or feed URL as input: read only the listed documents whose URL matches this
    /// regex (e.g. `/briefs/`)
    #[arg(long, value_name = "REGEX")]
    pub document_pattern: Option<String>,

    /// Refuse documents larger than this many bytes [default: 67108864]
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Memory budget of one document's reader, in MiB; past it the document is refused [default: 1024]
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(64..=1_048_576))]
    pub max_reader_memory: Option<u64>,

    /// Time budget of one document's reader, in seconds; past it the document is refused [default: 20]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub max_reader_seconds: Option<u64>,

    /// Exit with 1 on findings of this severity or worse [default: error]
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Read options from this TOML file [default: ./citecheck.toml when it exists]
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Requests in flight over all hosts, at least 1 [default: 128]
    #[arg(long, value_name = "N", help_heading = "Checking")]
    pub concurrency: Option<usize>,

    /// Requests in flight to one host, at least 1 [default: 2]
    #[arg(long, value_name = "N", help_heading = "Checking")]
    pub host_concurrency: Option<usize>,

    /// Minimum milliseconds between requests to one host, at most 60000 [default: 0]
    #[arg(long, value_name = "MS", help_heading = "Checking")]
    pub host_interval: Option<u64>,

    /// Seconds to wait for an answer, per request, at most 3600 [default: 20]
    #[arg(long, value_name = "SECS", help_heading = "Checking")]
    pub timeout: Option<f64>,

    /// Retries after 429, 5xx, a reset connection (a timeout is retried once) [default: 3]
    #[arg(long, value_name = "N", help_heading = "Checking")]
    pub max_retries: Option<u32>,

    /// Milliseconds before the first retry, at most 600000; later ones double, with jitter [default: 1000]
    #[arg(long, value_name = "MS", help_heading = "Checking")]
    pub retry_wait: Option<u64>,

    /// Longest Retry-After waited for, in seconds, at most 86400; longer is reported as blocked [default: 60]
    #[arg(long, value_name = "SECS", help_heading = "Checking")]
    pub max_retry_after: Option<u64>,

    /// Redirects followed before giving up [default: 10]
    #[arg(long, value_name = "N", help_heading = "Checking")]
    pub max_redirects: Option<usize>,

    /// User-Agent header [default: citecheck/VERSION (…)]
    #[arg(long, value_name = "UA", help_heading = "Checking")]
    pub user_agent: Option<String>,

    /// Your email address, sent to Crossref with DOI metadata requests (its "polite pool")
    #[arg(long, value_name = "EMAIL", help_heading = "Checking")]
    pub mailto: Option<String>,

    /// Extra request header, NAME:VALUE (repeatable)
    #[arg(long = "header", value_name = "NAME:VALUE", help_heading = "Checking")]
    #[serde(default, rename = "headers")]
    pub headers: Vec<String>,

    /// Check only URLs matching this regex (repeatable)
    #[arg(long, value_name = "REGEX", help_heading = "Checking")]
    #[serde(default)]
    pub include: Vec<String>,

    /// Skip URLs matching this regex (repeatable)
    #[arg(long, value_name = "REGEX", help_heading = "Checking")]
    #[serde(default)]
    pub exclude: Vec<String>,

    /// HTTP status codes that count as success, e.g. 200-299,403 [default: 200-299]
    #[arg(long, value_name = "CODES", help_heading = "Checking")]
    pub accept: Option<String>,

    /// HEAD or GET [default: auto: GET for pages, HEAD for files such as PDFs]
    #[arg(long, value_enum, help_heading = "Checking")]
    pub method: Option<Method>,

    /// Check nothing: lint only, every URL `unchecked`
    #[arg(long, help_heading = "Checking")]
    #[serde(default)]
    pub offline: bool,

    /// Try every URL of a dead host: by default, after two timeouts or refused connections in a row on
    /// a host (or one failed DNS lookup), its remaining URLs get the same status without a request
    #[arg(long, help_heading = "Checking")]
    #[serde(default)]
    pub no_host_breaker: bool,

    /// Requests for HOST on PORT go to ADDR (curl's meaning; ADDR may carry its own port) (repeatable)
    #[arg(long, value_name = "HOST:PORT:ADDR", help_heading = "Network")]
    #[serde(default)]
    pub resolve: Vec<String>,

    /// Extra trusted root certificate, PEM (repeatable)
    #[arg(long, value_name = "FILE", help_heading = "Network")]
    #[serde(default)]
    pub ca_cert: Vec<PathBuf>,

    /// Accept invalid TLS certificates
    #[arg(long, help_heading = "Network")]
    #[serde(default)]
    pub insecure: bool,

    /// Send every request through this proxy (HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply otherwise)
    #[arg(long, value_name = "URL", help_heading = "Network")]
    pub proxy: Option<Url>,

    /// Refuse loopback, private and link-local targets, on the resolved address and every redirect
    #[arg(long, help_heading = "Network")]
    #[serde(default)]
    pub deny_private: bool,

    /// Exception to --deny-private: an address or network such as 10.1.0.0/16 (repeatable)
    #[arg(long, value_name = "CIDR", help_heading = "Network")]
    #[serde(default)]
    pub allow_private: Vec<String>,

    /// Warn when a live title is less similar than this to the cited one, 0–1 [default: 0.6]
    #[arg(long, value_name = "F", help_heading = "Drift")]
    pub title_similarity: Option<f64>,

    /// Warn when a page's publication date is more than this many days from the cited date [default: 7]
    #[arg(long, value_name = "DAYS", help_heading = "Drift")]
    pub date_tolerance: Option<i64>,

    /// With --wayback: warn when a live page shares less than this of its text with its archived
    /// copy at the cited date, 0–1 (shingles of 5 words) [default: 0.1]
    #[arg(long, value_name = "F", help_heading = "Drift")]
    pub content_drift: Option<f64>,

    /// Look up Wayback Machine copies: for failing links (the default), or for all
    #[arg(long, value_enum, value_name = "WHICH", num_args = 0..=1, default_missing_value = "failing", help_heading = "Archive")]
    pub wayback: Option<WaybackMode>,

    /// For footnotes without a date, look up archived copies as of the day their line was committed
    /// (`git blame`; documents in a git work tree)
    #[arg(long, help_heading = "Archive")]
    #[serde(default)]
    pub git_dates: bool,

    /// Ask the Wayback Machine to capture live citations with no recent snapshot (needs IA_ACCESS_KEY
    /// and IA_SECRET_KEY)
    #[arg(long, help_heading = "Archive")]
    #[serde(default)]
    pub save: bool,

    /// With --save: a snapshot younger than this many days is recent enough [default: 30]
    #[arg(long, value_name = "DAYS", help_heading = "Archive")]
    pub save_max_age: Option<u32>,

    /// Archive every check report here as <UTC timestamp>.json and latest.json, with changes since
    /// the previous run (the repository's reports/ by convention)
    #[arg(long, value_name = "DIR", help_heading = "Reports")]
    pub report_dir: Option<PathBuf>,

    /// With --report-dir: keep only the newest N timestamped reports
    #[arg(long, value_name = "N", help_heading = "Reports")]
    pub keep: Option<usize>,

    /// Also write the report to FILE, its format from the extension (.json .md .sarif .xml .txt) or
    /// else --format; stdout then carries nothing (repeatable; `-` is stdout)
    #[arg(short = 'o', long, value_name = "FILE", help_heading = "Reports")]
    #[serde(default)]
    pub output: Vec<PathBuf>,

    /// A URL whose state flipped twice within this many runs is flaky [default: 5]
    #[arg(long, value_name = "RUNS", help_heading = "Reports")]
    pub flaky_window: Option<usize>,

    /// Confirmed dead after failing this many runs in a row… [default: 3]
    #[arg(long, value_name = "RUNS", help_heading = "Reports")]
    pub dead_after_runs: Option<usize>,

    /// …spanning at least this many days [default: 3]
    #[arg(long, value_name = "DAYS", help_heading = "Reports")]
    pub dead_after_days: Option<i64>,

    /// Check only shard K of N: whole sites (registrable domains), balanced by URL count, so one
    /// host is asked by one job only (for a CI matrix; join the reports with `citecheck report merge`)
    #[arg(long, value_name = "K/N", help_heading = "Reports")]
    pub shard: Option<Shard>,

    /// Reuse `ok` results younger than --max-cache-age from the report directory's latest.json (or
    /// --cache-file); failures are always rechecked
    #[arg(long, help_heading = "Reports")]
    #[serde(default)]
    pub cache: bool,

    /// With --cache: the report to reuse results from [default: REPORT_DIR/latest.json]
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub cache_file: Option<PathBuf>,

    /// With --cache: how old a reused result may be, e.g. 12h, 3d [default: 1d]
    #[arg(long, value_name = "DURATION", help_heading = "Reports")]
    pub max_cache_age: Option<String>,

    /// Hide the progress bar (shown only when stderr is a terminal)
    #[arg(long)]
    #[serde(default)]
    pub no_progress: bool,

    /// Per-host settings (config file only): [hosts."www.bbc.com"] concurrency, interval-ms, headers
    #[arg(skip)]
    #[serde(default)]
    pub hosts: HashMap<String, HostConfig>,

    /// The config file these options were merged with, if any (not a key of the file).
    #[arg(skip)]
    #[serde(skip)]
    pub loaded_config: Option<PathBuf>,
}

impl Options {
    /// Fills every option not given on the command line from the config file; lists (headers,
    /// include, exclude, resolve…) are the file's followed by the command line's.
    pub fn merge(self, file: Options) -> Options {
        let join =
            |file: Vec<String>, cli: Vec<String>| file.into_iter().chain(cli).collect::<Vec<_>>();
        Options {
            format: self.format.or(file.format),
            input_format: self.input_format.or(file.input_format),
            base_url: self.base_url.or(file.base_url),
            links: self.links.or(file.links),
            max_documents: self.max_documents.or(file.max_documents),
            document_pattern: self.document_pattern.or(file.document_pattern),
            max_file_size: self.max_file_size.or(file.max_file_size),
            max_reader_memory: self.max_reader_memory.or(file.max_reader_memory),
            max_reader_seconds: self.max_reader_seconds.or(file.max_reader_seconds),
            fail_on: self.fail_on.or(file.fail_on),
            config: self.config,
            concurrency: self.concurrency.or(file.concurrency),
            host_concurrency: self.host_concurrency.or(file.host_concurrency),
            host_interval: self.host_interval.or(file.host_interval),
            timeout: self.timeout.or(file.timeout),
            max_retries: self.max_retries.or(file.max_retries),
            retry_wait: self.retry_wait.or(file.retry_wait),
            max_retry_after: self.max_retry_after.or(file.max_retry_after),
            max_redirects: self.max_redirects.or(file.max_redirects),
            user_agent: self.user_agent.or(file.user_agent),
            mailto: self.mailto.or(file.mailto),
            headers: join(file.headers, self.headers),
            include: join(file.include, self.include),
            exclude: join(file.exclude, self.exclude),
            accept: self.accept.or(file.accept),
            method: self.method.or(file.method),
            offline: self.offline || file.offline,
            no_host_breaker: self.no_host_breaker || file.no_host_breaker,
            resolve: join(file.resolve, self.resolve),
            ca_cert: file.ca_cert.into_iter().chain(self.ca_cert).collect(),
            insecure: self.insecure || file.insecure,
            proxy: self.proxy.or(file.proxy),
            deny_private: self.deny_private || file.deny_private,
            allow_private: join(file.allow_private, self.allow_private),
            no_progress: self.no_progress || file.no_progress,
            report_dir: self.report_dir.or(file.report_dir),
            shard: self.shard.or(file.shard),
            cache: self.cache || file.cache,
            cache_file: self.cache_file.or(file.cache_file),
            max_cache_age: self.max_cache_age.or(file.max_cache_age),
            keep: self.keep.or(file.keep),
            output: if self.output.is_empty() {
                file.output
            } else {
                self.output
            },
            flaky_window: self.flaky_window.or(file.flaky_window),
            dead_after_runs: self.dead_after_runs.or(file.dead_after_runs),
            dead_after_days: self.dead_after_days.or(file.dead_after_days),
            title_similarity: self.title_similarity.or(file.title_similarity),
            date_tolerance: self.date_tolerance.or(file.date_tolerance),
            content_drift: self.content_drift.or(file.content_drift),
            wayback: self.wayback.or(file.wayback),
            save: self.save || file.save,
            git_dates: self.git_dates || file.git_dates,
            save_max_age: self.save_max_age.or(file.save_max_age),
            hosts: if self.hosts.is_empty() {
                file.hosts
            } else {
                self.hosts
            },
            loaded_config: self.loaded_config.or(file.loaded_config),
        }
    }

    /// The checker's settings; an unusable value is an error naming the option.
    pub fn check_config(&self) -> anyhow::Result<CheckConfig> {
        let defaults = CheckConfig::default();
        let regexes = |patterns: &[String], flag: &str| -> anyhow::Result<Vec<Regex>> {
            patterns
                .iter()
                .map(|p| {
                    Regex::new(p).with_context(|| format!("--{flag} {p:?} is not a valid regex"))
                })
                .collect()
        };
        let timeout = match self.timeout {
            Some(t) if t.is_finite() && t > 0.0 && t <= MAX_TIMEOUT_SECS as f64 => {
                Duration::from_secs_f64(t)
            }
            Some(t) => anyhow::bail!(
                "--timeout {t:?} must be a positive number of seconds, at most {MAX_TIMEOUT_SECS}"
            ),
            None => defaults.timeout,
        };
        let at_most = |flag: &str, value: Option<u64>, max: u64, unit: &str| match value {
            Some(v) if v > max => {
                anyhow::bail!("--{flag} {v} is too long: at most {max} {unit}")
            }
            _ => Ok(value),
        };
        let host_interval = at_most(
            "host-interval",
            self.host_interval,
            MAX_HOST_INTERVAL_MS,
            "ms",
        )?;
        let retry_wait = at_most("retry-wait", self.retry_wait, MAX_RETRY_WAIT_MS, "ms")?;
        let max_retry_after = at_most(
            "max-retry-after",
            self.max_retry_after,
            MAX_RETRY_AFTER_SECS,
            "s",
        )?;
        for (flag, value) in [
            ("concurrency", self.concurrency),
            ("host-concurrency", self.host_concurrency),
        ] {
            if value == Some(0) {
                anyhow::bail!("--{flag} 0: must be at least 1");
            }
        }
        for (host, c) in &self.hosts {
            if c.concurrency == Some(0) {
                anyhow::bail!("[hosts.{host:?}] concurrency 0: must be at least 1");
            }
            if let Some(ms) = c.interval_ms.filter(|&ms| ms > MAX_HOST_INTERVAL_MS) {
                anyhow::bail!(
                    "[hosts.{host:?}] interval-ms {ms} is too long: at most {MAX_HOST_INTERVAL_MS} ms"
                );
            }
        }
        let mut ca_certs = Vec::new();
        for path in &self.ca_cert {
            let file = std::fs::read(path)
                .with_context(|| format!("cannot read --ca-cert {}", path.display()))?;
            ca_certificates(&file).with_context(|| format!("--ca-cert {}", path.display()))?;
            ca_certs.push(file);
        }
        Ok(CheckConfig {
            concurrency: self.concurrency.unwrap_or(defaults.concurrency),
            host_concurrency: self.host_concurrency.unwrap_or(defaults.host_concurrency),
            host_interval: host_interval
                .map(Duration::from_millis)
                .unwrap_or(defaults.host_interval),
            hosts: self
                .hosts
                .iter()
                .map(|(h, c)| (h.to_ascii_lowercase(), c.clone()))
                .collect(),
            timeout,
            max_retries: self.max_retries.unwrap_or(defaults.max_retries),
            retry_wait: retry_wait
                .map(Duration::from_millis)
                .unwrap_or(defaults.retry_wait),
            max_retry_after: max_retry_after
                .map(Duration::from_secs)
                .unwrap_or(defaults.max_retry_after),
            max_redirects: self.max_redirects.unwrap_or(defaults.max_redirects),
            user_agent: self.user_agent.clone().unwrap_or(defaults.user_agent),
            mailto: self.mailto.clone(),
            headers: self
                .headers
                .iter()
                .map(|h| parse_header(h).map_err(|e| anyhow::anyhow!("--header: {e}")))
                .collect::<anyhow::Result<_>>()?,
            include: regexes(&self.include, "include")?,
            exclude: regexes(&self.exclude, "exclude")?,
            accept: match &self.accept {
                Some(a) => a
                    .parse::<AcceptRanges>()
                    .map_err(|e| anyhow::anyhow!("--accept {a:?}: {e}"))?,
                None => defaults.accept,
            },
            offline: self.offline,
            method: self.method.unwrap_or_default(),
            resolve: self
                .resolve
                .iter()
                .map(|r| {
                    r.parse::<ResolveOverride>()
                        .map_err(|e| anyhow::anyhow!("--resolve: {e}"))
                })
                .collect::<anyhow::Result<_>>()?,
            ca_certs,
            insecure: self.insecure,
            proxy: self.proxy.clone(),
            deny_private: self.deny_private,
            host_breaker: !self.no_host_breaker,
            allow_private: self
                .allow_private
                .iter()
                .map(|a| {
                    a.parse::<IpNet>()
                        .or_else(|_| a.parse::<std::net::IpAddr>().map(IpNet::from))
                        .map_err(|_| {
                            anyhow::anyhow!("--allow-private {a:?} is not an address or network")
                        })
                })
                .collect::<anyhow::Result<_>>()?,
            body_limit: defaults.body_limit,
            drift: DriftConfig {
                title_similarity: match self.title_similarity {
                    Some(t) if (0.0..=1.0).contains(&t) => t,
                    Some(t) => anyhow::bail!("--title-similarity {t} must be between 0 and 1"),
                    None => defaults.drift.title_similarity,
                },
                date_tolerance_days: self
                    .date_tolerance
                    .unwrap_or(defaults.drift.date_tolerance_days),
                content_similarity: match self.content_drift {
                    Some(t) if (0.0..=1.0).contains(&t) => t,
                    Some(t) => anyhow::bail!("--content-drift {t} must be between 0 and 1"),
                    None => defaults.drift.content_similarity,
                },
            },
            read_text: self.wayback == Some(WaybackMode::All),
        })
    }

    /// Reads the config file named by `--config`, else `./citecheck.toml` if there is one, and merges.
    pub fn with_config_file(self) -> anyhow::Result<Options> {
        let path = match &self.config {
            Some(path) => path.clone(),
            None if Path::new(DEFAULT_CONFIG).is_file() => PathBuf::from(DEFAULT_CONFIG),
            None => return Ok(self),
        };
        let mut file = load_config(&path)?;
        file.loaded_config = Some(path);
        Ok(self.merge(file))
    }

    /// [`Options::check_config`], naming the config file when a value the file gave is what is
    /// wrong (the message names the key as its flag: `--timeout` for `timeout`).
    pub fn checked_config(&self) -> anyhow::Result<CheckConfig> {
        self.check_config().map_err(|err| {
            let from_file = self
                .loaded_config
                .as_deref()
                .and_then(|path| Some((path, load_config(path).ok()?)))
                .filter(|(_, file)| file.check_config().is_err());
            match from_file {
                Some((path, _)) => err.context(format!("in config file {}", path.display())),
                None => err,
            }
        })
    }

    pub fn format(&self) -> Format {
        self.format.unwrap_or_default()
    }

    /// The report whose recent results `--cache` reuses, and how old they may be.
    pub fn cache(&self) -> anyhow::Result<Option<(PathBuf, Duration)>> {
        if !self.cache {
            return Ok(None);
        }
        let path = match (&self.cache_file, &self.report_dir) {
            (Some(file), _) => file.clone(),
            (None, Some(dir)) => dir.join("latest.json"),
            (None, None) => anyhow::bail!("--cache needs --report-dir or --cache-file"),
        };
        let age = match &self.max_cache_age {
            Some(a) => humantime::parse_duration(a)
                .map_err(|e| anyhow::anyhow!("--max-cache-age {a:?}: {e}"))?,
            None => Duration::from_secs(24 * 3600),
        };
        Ok(Some((path, age)))
    }

    /// How history is judged.
    pub fn history(&self) -> HistoryConfig {
        let d = HistoryConfig::default();
        HistoryConfig {
            flaky_window: self.flaky_window.unwrap_or(d.flaky_window).max(2),
            dead_runs: self.dead_after_runs.unwrap_or(d.dead_runs).max(1),
            dead_days: self.dead_after_days.unwrap_or(d.dead_days),
        }
    }

    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    /// How URL inputs are read; a bad `--document-pattern` is an error naming it.
    pub fn web_options(&self) -> anyhow::Result<citecheck::web::WebOptions> {
        let pattern = self
            .document_pattern
            .as_deref()
            .map(|p| Regex::new(p).with_context(|| format!("invalid --document-pattern {p:?}")))
            .transpose()?;
        Ok(citecheck::web::WebOptions {
            max_documents: self
                .max_documents
                .map_or(citecheck::web::DEFAULT_MAX_DOCUMENTS, |n| {
                    usize::try_from(n.clamp(1, 100_000)).unwrap_or(usize::MAX)
                }),
            pattern,
            max_file_size: self.max_file_size(),
        })
    }

    /// The reader box's memory budget per child, in bytes.
    pub fn max_reader_memory(&self) -> u64 {
        // The config file is held to the command line's range too.
        self.max_reader_memory
            .map_or(citecheck::reader_box::DEFAULT_MEMORY, |mib| {
                mib.clamp(64, 1_048_576) * 1024 * 1024
            })
    }

    /// The reader box's time budget per document, in seconds.
    pub fn max_reader_seconds(&self) -> u64 {
        self.max_reader_seconds
            .map_or(citecheck::reader_box::DEFAULT_SECONDS, |s| s.clamp(1, 3600))
    }

    pub fn fail_on(&self) -> FailOn {
        self.fail_on.unwrap_or(FailOn::Error)
    }
}

/// toml's message for an unknown key lists every key there is; say the nearest one instead.
fn near_key(message: &str) -> String {
    let Some(unknown) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    else {
        return message.to_owned();
    };
    let keys: Vec<String> = option_ids()
        .into_iter()
        .map(|(_, long)| long)
        .filter(|l| !l.is_empty())
        .chain(["hosts".to_owned()])
        .collect();
    let nearest = keys
        .iter()
        .map(|k| (strsim::damerau_levenshtein(unknown, k), k))
        .min()
        .filter(|(d, k)| *d <= 2.max(k.len() / 3));
    match nearest {
        Some((_, key)) => format!("unknown key `{unknown}`: did you mean `{key}`?"),
        None => format!(
            "unknown key `{unknown}` (the keys are the long flags of `citecheck check --help`)"
        ),
    }
}

pub fn load_config(path: &Path) -> anyhow::Result<Options> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        // toml's message spans several lines with a caret diagram; keep the first, one-line part.
        let msg = near_key(e.message().trim());
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
        let Command::Extract(args) = cli.command else {
            panic!("extract expected")
        };
        let file: Options = toml::from_str("format = \"human\"\nfail-on = \"warning\"\n").unwrap();
        let merged = args.options.merge(file);
        assert_eq!(merged.format(), Format::Json);
        assert_eq!(merged.fail_on(), FailOn::Warning);
        assert_eq!(merged.max_file_size(), DEFAULT_MAX_FILE_SIZE);
    }

    #[test]
    fn check_options_from_both_sources() {
        let cli = Cli::try_parse_from([
            "citecheck",
            "check",
            "a.md",
            "--timeout",
            "2.5",
            "--header",
            "X-A: 1",
            "--resolve",
            "a.org:443:127.0.0.1",
        ])
        .unwrap();
        let Command::Check(args) = cli.command else {
            panic!("check expected")
        };
        let file: Options = toml::from_str(
            "timeout = 9.0\nheaders = [\"X-B: 2\"]\nhost-concurrency = 4\naccept = \"200-299,403\"\n[hosts.\"www.bbc.com\"]\nconcurrency = 1\ninterval-ms = 500\n",
        )
        .unwrap();
        let config = args.options.merge(file).check_config().unwrap();
        assert_eq!(config.timeout, Duration::from_millis(2500));
        assert_eq!(
            config.headers,
            [("X-B".into(), "2".into()), ("X-A".into(), "1".into())]
        );
        assert_eq!(config.host_limit("www.bbc.com"), 1);
        assert_eq!(config.host_limit("dawn.com"), 4);
        assert_eq!(
            config.host_interval("www.bbc.com"),
            Duration::from_millis(500)
        );
        assert!(config.accept.contains(403));
        assert_eq!(config.resolve.len(), 1);
    }

    #[test]
    fn bad_check_values_are_errors() {
        for args in [
            ["--accept", "2xx"],
            ["--resolve", "nope"],
            ["--exclude", "("],
            ["--timeout=-1", ""],
            ["--allow-private", "x"],
        ] {
            let argv = ["citecheck", "check", "a.md", args[0], args[1]];
            let cli = Cli::try_parse_from(argv.iter().filter(|a| !a.is_empty())).unwrap();
            let Command::Check(a) = cli.command else {
                panic!("check expected")
            };
            assert!(a.options.check_config().is_err(), "{args:?}");
        }
    }

    #[test]
    fn shards_are_k_of_n() {
        assert!(
            "0/2".parse::<Shard>().is_err()
                && "3/2".parse::<Shard>().is_err()
                && "x".parse::<Shard>().is_err()
        );
        let shard: Shard = "2/3".parse().unwrap();
        assert_eq!((shard.k, shard.n), (2, 3));
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
