//! `dezai backup sync DIR`, `status DIR` and `verify DIR`: a folder (or an S3-compatible
//! bucket, [`crate::bucket`]) that mirrors every selected instance's newest completed backup,
//! run unattended from cron or Kubernetes, through `dezai_backups::mirror` (`docs/backups.md`,
//! "A nightly mirror"). `sync` and `verify` hold a folder's lock: a second run exits at once
//! with its own code, naming the holder, or waits with `--wait-lock`.

use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use dezai_backups::mirror::{self, Found, MirrorError, Outcome, Status};
use serde_json::{Value, json};

use crate::bucket::Place;
use crate::error::{CliError, exit};
use crate::global::{Global, runtime, runtime_per_core};

/// The `sync`, `status` and `verify` commands.
pub(crate) fn commands() -> [Command; 3] {
    let json = || {
        Arg::new("json")
            .long("json")
            .action(ArgAction::SetTrue)
            .help("Print the summary as JSON (as --output json)")
    };
    let wait_lock = || {
        Arg::new("wait-lock")
            .long("wait-lock")
            .value_name("DURATION")
            .value_parser(crate::wait::parse_duration)
            .help(
                "When another run holds the folder, wait this long for it (10m, 1h) instead of exiting 10 (a bucket has no lock)",
            )
    };
    let kinds: Vec<&'static str> = crate::backup_list::offered()
        .into_iter()
        .map(|(kind, _)| kind.name)
        .collect();
    let sync = Command::new("sync")
        .about("Copies every selected instance's newest completed backup into DIR or a bucket, verified, then recorded")
        .args(crate::bucket::args())
        .args(upload_args())
        .args([
            Arg::new("kind")
                .long("kind")
                .value_name("KIND")
                .action(ArgAction::Append)
                .value_delimiter(',')
                .value_parser(clap::builder::PossibleValuesParser::new(kinds))
                .help("Kinds to mirror (repeatable or comma-separated; default: all)"),
            Arg::new("regions")
                .long("regions")
                .value_name("REGION")
                .action(ArgAction::Append)
                .value_delimiter(',')
                .help("Regions to mirror (repeatable or comma-separated; default: the configured one)"),
            Arg::new("instance")
                .long("instance")
                .value_name("ID")
                .action(ArgAction::Append)
                .help("Only this instance: ID, KIND/ID or KIND/REGION/ID (repeatable; default: every instance listed)"),
            Arg::new("keep")
                .long("keep")
                .value_name("N")
                .value_parser(clap::value_parser!(u32).range(1..))
                .help("Keep the N newest copies per instance, removing older ones once the newest is verified"),
            Arg::new("concurrency")
                .long("concurrency")
                .value_name("N")
                .default_value("2")
                .value_parser(clap::value_parser!(u32).range(1..=64))
                .help("Downloads at once"),
            Arg::new("api-calls")
                .long("api-calls")
                .value_name("N")
                .default_value("4")
                .value_parser(clap::value_parser!(u32).range(1..=64))
                .help("API calls in flight at once"),
            Arg::new("limit-rate")
                .long("limit-rate")
                .value_name("BYTES")
                .value_parser(dezai_spec::units::parse_bytes)
                .help("Download at most this many bytes per second over the whole run (1048576, 10M, 1G)"),
            crate::network::arg(),
            crate::network::streams_arg(),
            wait_lock(),
            Arg::new("shard")
                .long("shard")
                .value_name("K/N")
                .value_parser(mirror::Shard::parse)
                .conflicts_with("shards")
                .help("Copy only part K of N (from 0) of the selected instances, split by a stable hash of kind, region and instance: runs of every part copy each instance once"),
            Arg::new("shards")
                .long("shards")
                .value_name("N")
                .value_parser(clap::value_parser!(u32).range(1..))
                .help("As --shard K/N, with K from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's pod index)"),
            json(),
        ])
        .args(metrics_args());
    let status = Command::new("status")
        .about("Per instance: the newest copy's age, and whether the service has a newer completed backup")
        .args(crate::bucket::args())
        .args([
            Arg::new("max-age")
                .long("max-age")
                .value_name("DURATION")
                .value_parser(crate::wait::parse_duration)
                .help("Exit 9 when any instance's newest complete copy is older than this (26h, 7d, 1h30m)"),
            json(),
        ])
        .args(metrics_args());
    let verify = Command::new("verify")
        .about("Re-hashes every copy the manifest lists; damaged ones leave it, so the next sync copies them again")
        .args(crate::bucket::args())
        .args([wait_lock(), json()]);
    [sync, status, verify]
}

/// Where `sync` and `status` write their Prometheus metrics ([`crate::metrics`]).
fn metrics_args() -> [Arg; 3] {
    [
        Arg::new("metrics-file")
            .long("metrics-file")
            .value_name("PATH")
            .value_parser(clap::value_parser!(std::path::PathBuf))
            .help("Write Prometheus metrics to PATH (node_exporter's textfile collector; replaced atomically)"),
        Arg::new("pushgateway")
            .long("pushgateway")
            .value_name("URL")
            .help("Push Prometheus metrics to the Pushgateway at URL, grouped by job (and shard)"),
        Arg::new("pushgateway-job")
            .long("pushgateway-job")
            .value_name("NAME")
            .default_value("dezai_backup")
            .requires("pushgateway")
            .help("The Pushgateway's job label"),
    ]
}

/// Writes and pushes the metrics the flags ask for. A failure is said after the command's
/// own (`also`), with the command's exit code; alone, it exits 1.
fn publish(
    args: &ArgMatches,
    metrics: crate::metrics::Metrics,
    also: Option<(String, u8)>,
) -> Result<(), CliError> {
    let mut failed = Vec::new();
    if let Some(gateway) = args.get_one::<String>("pushgateway") {
        let job = args.get_one::<String>("pushgateway-job").expect("default");
        if let Err(message) = runtime()?.block_on(metrics.push(gateway, job)) {
            failed.push(message);
        }
    }
    if let Some(path) = args.get_one::<std::path::PathBuf>("metrics-file") {
        if let Err(message) = metrics.write_file(path) {
            failed.push(message);
        }
    }
    match (also, failed.is_empty()) {
        (None, true) => Ok(()),
        (None, false) => Err(CliError::other(failed.join("; "))),
        (Some((message, code)), _) => {
            let said = std::iter::once(message).chain(failed);
            Err(CliError::Failed(said.collect::<Vec<_>>().join("; "), code))
        }
    }
}

/// `sync`'s upload settings, into a bucket ([`crate::bucket`] reads them).
fn upload_args() -> [Arg; 2] {
    [
        Arg::new("part-size")
            .long("part-size")
            .value_name("BYTES")
            .value_parser(dezai_spec::units::parse_bytes)
            .help("Into a bucket: bytes per part of a multipart upload (at least 5M; default 8M)"),
        Arg::new("part-uploads")
            .long("part-uploads")
            .value_name("N")
            .value_parser(clap::value_parser!(u32).range(1..=64))
            .help("Into a bucket: parts in flight at once, all files together (default 4); memory is about part size × (N + --concurrency)"),
    ]
}

/// Runs `backup sync DIR`.
pub(crate) fn sync(global: &Global, args: &ArgMatches) -> Result<(), CliError> {
    let render = global.render()?;
    let place = Place::of(args)?;
    let dry_run = global.dry_run;
    let (client, _) = global.client(false)?;
    let offered: Vec<_> = crate::backup_list::offered()
        .into_iter()
        .map(|(kind, _)| kind)
        .collect();
    let chosen: Vec<&String> = args
        .get_many::<String>("kind")
        .into_iter()
        .flatten()
        .collect();
    let kinds = offered
        .into_iter()
        .filter(|k| chosen.is_empty() || chosen.iter().any(|c| *c == k.name));
    let mirror = match &place {
        Place::Folder(dir) => mirror::mirror(&client, dir),
        Place::Bucket(bucket) => dezai_backups::mirror_bucket(&client, bucket.clone()),
    };
    let mut mirror = mirror
        .kinds(kinds)
        .concurrency(*args.get_one::<u32>("concurrency").expect("default") as usize)
        .api_calls(*args.get_one::<u32>("api-calls").expect("default") as usize)
        .dry_run(dry_run)
        // One line per instance, whatever a name or a message from the service holds.
        .on_outcome(|outcome| eprintln!("{}", crate::render::tsv_cell(&outcome.to_string())));
    let regions: Vec<&String> = args
        .get_many::<String>("regions")
        .into_iter()
        .flatten()
        .collect();
    if !regions.is_empty() {
        mirror = mirror.regions(regions);
    }
    if let Some(project) = client.config().project_id() {
        mirror = mirror.project(project);
    }
    let named: Vec<&String> = args
        .get_many::<String>("instance")
        .into_iter()
        .flatten()
        .collect();
    if !named.is_empty() {
        mirror = mirror.instances(named);
    }
    if let Some(keep) = args.get_one::<u32>("keep") {
        mirror = mirror.keep(*keep as usize);
    }
    if let Some(rate) = args.get_one::<u64>("limit-rate") {
        mirror = mirror.limit_rate(*rate);
    }
    if let Some(wait) = args.get_one::<Duration>("wait-lock") {
        mirror = mirror.wait_lock(*wait);
    }
    mirror = mirror.network(crate::network::of(args));
    if let Some(n) = crate::network::streams_of(args) {
        mirror = mirror.streams(n);
    }
    let shard = shard_of(args)?;
    if let Some(shard) = shard {
        mirror = mirror.shard(shard);
    }
    let started = std::time::Instant::now();
    let report = runtime_per_core()?
        .block_on(mirror.run())
        .map_err(|e| mirror_failure(&place, e))?;
    let metrics = crate::metrics::Metrics::of_sync(&report, started.elapsed(), shard);
    let rows: Vec<Value> = report.outcomes.iter().map(outcome_json).collect();
    let summary = json!({ "instances": rows, "failed": report.failed() });
    let header = ["KIND", "REGION", "INSTANCE", "RESULT", "BACKUP", "DETAIL"];
    render
        .print_summary(&summary, args.get_flag("json"), header, || {
            let keys = ["kind", "region", "instance", "result", "backup", "detail"];
            let text = |r: &Value| keys.map(|k| r[k].as_str().unwrap_or_default().to_owned());
            rows.iter().map(text).collect()
        })
        .map_err(CliError::other)?;
    let failed = match report.failed() {
        0 => None,
        n => Some((
            format!(
                "{n} of {} instance(s) failed; the others are done",
                report.outcomes.len()
            ),
            exit::PARTIAL,
        )),
    };
    // A dry run copies nothing: its metrics would say copies were made.
    match (dry_run, failed) {
        (true, None) => Ok(()),
        (true, Some((message, code))) => Err(CliError::Failed(message, code)),
        (false, failed) => publish(args, metrics, failed),
    }
}

/// The part of the fleet `--shard K/N`, or `--shards N` with `JOB_COMPLETION_INDEX`, names.
fn shard_of(args: &ArgMatches) -> Result<Option<mirror::Shard>, CliError> {
    if let Some(shard) = args.get_one::<mirror::Shard>("shard") {
        return Ok(Some(*shard));
    }
    let Some(count) = args.get_one::<u32>("shards") else {
        return Ok(None);
    };
    let index = std::env::var("JOB_COMPLETION_INDEX").map_err(|_| {
        CliError::Usage(
            "--shards N takes its part from JOB_COMPLETION_INDEX, which is not set (a Kubernetes Indexed Job sets it; elsewhere pass --shard K/N)"
                .into(),
        )
    })?;
    let shard = index
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|k| mirror::Shard::new(k, *count));
    shard.map(Some).ok_or_else(|| {
        CliError::Usage(format!(
            "JOB_COMPLETION_INDEX={index} is not a part of --shards {count} (0 to {})",
            count - 1
        ))
    })
}

/// A whole run that could not start: a lock held by another run has its own exit code.
fn mirror_failure(place: &Place, error: MirrorError) -> CliError {
    match error {
        MirrorError::Locked { .. } => CliError::Failed(
            format!(
                "{}: {error} (exit 10; --wait-lock DURATION waits for it)",
                place.shown()
            ),
            exit::LOCKED,
        ),
        MirrorError::NotAFolder(_) | MirrorError::Bucket { .. } => {
            CliError::other(error.to_string())
        }
        other => CliError::other(format!("{}: {other}", place.shown())),
    }
}

/// An outcome as a row of the summary.
fn outcome_json(outcome: &Outcome) -> Value {
    let (backup, detail) = match &outcome.status {
        Status::Copied { copy, removed } => (
            copy.backup_id.clone(),
            format!(
                "{} ({} bytes{}){}",
                copy.path,
                copy.size,
                match copy.shards.len() {
                    0 => String::new(),
                    n => format!(" in {n} files"),
                },
                removed_note(removed.len())
            ),
        ),
        Status::UpToDate { copy, removed } => (
            copy.backup_id.clone(),
            format!("{}{}", copy.path, removed_note(removed.len())),
        ),
        Status::Planned { backup, path } => (backup.id.clone(), path.clone()),
        Status::Failed { error } => (String::new(), error.clone()),
        _ => (String::new(), String::new()),
    };
    json!({
        "kind": outcome.kind,
        "region": outcome.region,
        "instance": outcome.instance.clone().unwrap_or_default(),
        "result": outcome.status.word(),
        "backup": backup,
        "detail": detail,
    })
}

fn removed_note(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(", {n} older removed"),
    }
}

/// Runs `backup status DIR`.
pub(crate) fn status(global: &Global, args: &ArgMatches) -> Result<(), CliError> {
    let render = global.render()?;
    let place = Place::of(args)?;
    let (client, _) = global.client(false)?;
    let found = match &place {
        Place::Folder(dir) => runtime()?.block_on(mirror::status(&client, dir)),
        Place::Bucket(bucket) => runtime()?.block_on(bucket.status(&client)),
    }
    .map_err(|e| mirror_failure(&place, e))?;
    let max_age = args.get_one::<Duration>("max-age").copied();
    // An instance without a complete copy is as stale as it gets.
    let stale = |age: Option<i64>| {
        max_age.is_some_and(|max| age.is_none_or(|age| age > max.as_secs() as i64))
    };
    let rows: Vec<Value> = found
        .iter()
        .map(|s| {
            let newer = match &s.newer {
                Ok(None) => json!(null),
                Ok(Some(backup)) => json!(backup.id),
                Err(error) => json!({ "error": error }),
            };
            json!({
                "kind": s.kind,
                "region": s.region,
                "instance": s.instance,
                "backup": s.newest.as_ref().map(|c| c.backup_id.clone()),
                "age_seconds": s.age,
                "stale": stale(s.age),
                "newer_on_service": newer,
            })
        })
        .collect();
    let header = [
        "KIND",
        "REGION",
        "INSTANCE",
        "BACKUP",
        "AGE",
        "NEWER ON SERVICE",
    ];
    let answer = Value::Array(rows);
    let printed = render.print_summary(&answer, args.get_flag("json"), header, || {
        answer
            .as_array()
            .into_iter()
            .flatten()
            .map(status_row)
            .collect()
    });
    printed.map_err(CliError::other)?;
    let stale_count = found.iter().filter(|s| stale(s.age)).count();
    let incomplete = found.iter().filter(|s| s.newest.is_none()).count();
    if incomplete > 0 {
        eprintln!(
            "{incomplete} instance(s) have no complete copy (a file is missing): the next sync copies them again"
        );
    }
    if found.is_empty() {
        eprintln!("no copies in {}", place.shown());
    }
    let stale = (stale_count > 0).then(|| {
        let message = format!("{stale_count} instance(s) have no copy newer than --max-age");
        (message, exit::STALE)
    });
    publish(args, crate::metrics::Metrics::of_status(&found), stale)
}

/// `3d 4h`, `5h 12m`, `40m`, `12s`.
fn human_age(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// Runs `backup verify DIR`.
pub(crate) fn verify(global: &Global, args: &ArgMatches) -> Result<(), CliError> {
    let render = global.render()?;
    let place = Place::of(args)?;
    let wait = args.get_one::<Duration>("wait-lock").copied();
    let checked = match &place {
        Place::Folder(dir) => runtime()?.block_on(mirror::verify(dir, wait)),
        Place::Bucket(bucket) => runtime()?.block_on(bucket.verify()),
    }
    .map_err(|e| mirror_failure(&place, e))?;
    let word = |found: Found| match found {
        Found::Intact => "intact",
        Found::Missing => "missing",
        Found::Truncated => "truncated",
        Found::Corrupted => "corrupted",
    };
    let damaged = checked.iter().filter(|c| c.found != Found::Intact).count();
    let rows: Vec<Value> = checked
        .iter()
        .map(|c| {
            json!({"kind": c.copy.kind, "instance": c.copy.instance, "backup": c.copy.backup_id,
                   "path": c.file.path, "found": word(c.found)})
        })
        .collect();
    let summary = json!({ "copies": rows, "damaged": damaged });
    let header = ["KIND", "INSTANCE", "BACKUP", "PATH", "FOUND"];
    render
        .print_summary(&summary, args.get_flag("json"), header, || {
            let keys = ["kind", "instance", "backup", "path", "found"];
            let text = |r: &Value| keys.map(|k| r[k].as_str().unwrap_or_default().to_owned());
            rows.iter().map(text).collect()
        })
        .map_err(CliError::other)?;
    if damaged > 0 {
        return Err(CliError::Failed(
            format!(
                "{damaged} of {} files are damaged; the next sync copies their backups again",
                checked.len()
            ),
            exit::VERIFICATION,
        ));
    }
    Ok(())
}

/// A row of `status`'s table: the age as people read it, and what the service has.
fn status_row(r: &Value) -> [String; 6] {
    let newer = match &r["newer_on_service"] {
        Value::Null => "no".to_owned(),
        Value::String(id) => format!("yes: {id}"),
        other => format!("unknown ({})", other["error"].as_str().unwrap_or_default()),
    };
    let age = match r["age_seconds"].as_i64() {
        Some(age) => human_age(age),
        None => "no complete copy".to_owned(),
    };
    let stale = if r["stale"] == true { " (stale)" } else { "" };
    let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
    [
        text("kind"),
        text("region"),
        text("instance"),
        text("backup"),
        format!("{age}{stale}"),
        newer,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_print_as_people_read_them() {
        assert_eq!(human_age(90_000), "1d 1h");
        assert_eq!(human_age(3_720), "1h 2m");
        assert_eq!(human_age(59), "59s");
    }
}
