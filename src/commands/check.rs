//! `citecheck check`: documents read, every cited URL checked, archived copies looked up, the report
//! written and archived.

use std::time::Instant;

use anyhow::Context;

use citecheck::archive::wayback::SaveKeys;
use citecheck::archive::{self, Wayback, WaybackMode};
use citecheck::check;
use citecheck::report::{self, Report};
use citecheck::sanitize;

use super::{
    Net, archive as archive_report, emit_all, exit_code, load_documents, load_report, progress_bar,
};
use crate::Exit;
use crate::cli::{InputArgs, Options};

pub(crate) fn run(args: InputArgs) -> anyhow::Result<Exit> {
    let options = args.options.with_config_file()?;
    let (mut report, trouble) = match checked_report(&args.inputs, &options)? {
        Ok(checked) => checked,
        Err(exit) => return Ok(exit),
    };
    // The report is written out even when the archive fails; the failure then decides the exit code.
    let archived = archive_report(&mut report, &options);
    emit_all(&report, &options)?;
    archived?;
    Ok(exit_code(&report, &options, trouble))
}

/// Reads `inputs` and checks every cited URL: the report, and whether an input failed; `Err(exit)`
/// when the run ends early (no document readable, interrupted).
pub(crate) fn checked_report(
    inputs: &[std::path::PathBuf],
    options: &Options,
) -> anyhow::Result<Result<(Report, bool), Exit>> {
    // Documents from the web are fetched through the checker that checks their links.
    let net = Net::new(options)?;
    let Some((mut documents, trouble)) = load_documents(inputs, options, Some(&net))? else {
        return Ok(Err(Exit::Trouble));
    };
    let Net { runtime, checker } = net;
    let config = checker.config();
    if options.git_dates {
        for path in citecheck::git::add_commit_dates(&mut documents) {
            eprintln!(
                "citecheck: --git-dates: {} is not committed in a git work tree: its undated footnotes keep no date",
                sanitize::line(&path)
            );
        }
    }
    let mut requests = check::plan(&documents, config, options.base_url.as_ref());
    if let Some(shard) = options.shard {
        // Whole sites to each shard, balanced by URL count (see `check::shard`).
        let which = check::shard::shards(&requests, shard.n as usize);
        let mut at = 0;
        requests.retain(|_| {
            at += 1;
            which[at - 1] + 1 == shard.k as usize
        });
    }
    // Recent successes from an earlier report stand in for new checks; the rest is checked.
    let mut reused = Vec::new();
    if let Some((path, max_age)) = options.cache()? {
        if path.exists() {
            let cached = report::cache::reusable(&load_report(&path)?, max_age, chrono::Utc::now());
            (requests, reused) = report::cache::split(requests, cached);
        } else {
            eprintln!(
                "citecheck: no cache yet at {}: checking everything",
                path.display()
            );
        }
    }
    let progress = progress_bar(requests.len() as u64, options.no_progress);
    let started = Instant::now();
    let bar = progress.clone();
    let spawned = checker.clone();
    let checking = runtime.spawn(async move {
        spawned
            .check_all(requests, |result| {
                bar.set_message(sanitize::line(&result.url).into_owned());
                bar.inc(1);
            })
            .await
    });
    // Ctrl-C stops the run before any report is written: the archived reports stay as they were.
    let outcome = runtime.block_on(async {
        tokio::select! {
            joined = checking => Some(joined),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    progress.finish_and_clear();
    let Some(joined) = outcome else {
        eprintln!("citecheck: interrupted: no report written");
        return Ok(Err(Exit::Interrupted));
    };
    let mut results = joined.context("the checker stopped unexpectedly")?;
    report::cache::splice(&mut results, reused);

    if checker.nothing_resolved() {
        eprintln!(
            "citecheck: no host could be resolved: is this machine offline? (`--offline` checks structure only)"
        );
    }
    runtime.block_on(checker.try_alternatives(&documents, &mut results));

    let wayback_mode = options.wayback.unwrap_or(WaybackMode::Off);
    if wayback_mode != WaybackMode::Off || options.save {
        let wayback = Wayback::new(&checker);
        runtime.block_on(async {
            if wayback_mode != WaybackMode::Off {
                let bar = progress_bar(results.len() as u64, options.no_progress);
                bar.set_message("Wayback Machine");
                archive::wayback::annotate(&wayback, &documents, &mut results, wayback_mode, |_| bar.inc(1)).await;
                bar.finish_and_clear();
            }
            if options.save {
                let keys = SaveKeys::from_env();
                if keys.is_none() {
                    eprintln!("citecheck: --save: nothing saved: IA_ACCESS_KEY and IA_SECRET_KEY are not set");
                }
                let max_age = options.save_max_age.unwrap_or(30);
                let now = chrono::Utc::now().naive_utc();
                archive::wayback::save_live(&wayback, &mut results, keys.as_ref(), max_age, now).await;
            }
        });
    }
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    let now = chrono::Utc::now();
    let mut report = Report::with_results(documents, results, elapsed_ms, now);
    // An input that could not be read has no results here: history must not take them as gone.
    report.incomplete = trouble;
    Ok(Ok((report, trouble)))
}
