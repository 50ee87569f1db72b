//! `dezai backup list <kind>`: an instance's backups, every page, newest first, by the kinds
//! table (`dezai_spec::backups`, `docs/backups.md`); and the newest completed one, which
//! `dezai backup download <kind> --latest` downloads. A table on a terminal (times in local
//! time), JSON when piped or with `--json` (times in ISO 8601, UTC), or as `--output` and
//! `--query` say.

use std::io::IsTerminal;

use clap::{Arg, ArgAction, ArgMatches, Command};
use dezai_backups::{Backup, BackupKind};
use dezai_spec::Action;
use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::global::Global;
use crate::{catalog, flags};

/// The kinds whose listing and URL actions the embedded specs have, with the listing action.
pub(crate) fn offered() -> Vec<(&'static BackupKind, &'static Action)> {
    dezai_spec::backups::KINDS
        .iter()
        .filter_map(|kind| {
            let spec = catalog::product(kind.product)?;
            let listing = spec
                .actions
                .iter()
                .find(|a| a.name == kind.listing.action)?;
            spec.actions
                .iter()
                .any(|a| a.name == kind.download.action)
                .then_some((kind, listing))
        })
        .collect()
}

/// The kind whose URL action is `action`, if the embedded specs offer it.
pub(crate) fn kind_downloading(action: &str) -> Option<&'static BackupKind> {
    offered()
        .into_iter()
        .map(|(kind, _)| kind)
        .find(|kind| kind.download.action == action)
}

/// The `list` command: a subcommand per offered kind, with the listing action's own flags
/// (`Offset` and `Limit` are the pager's).
pub(crate) fn command() -> Command {
    let mut list = Command::new("list")
        .about("Lists an instance's backups, newest first: a table on a terminal, JSON when piped")
        .subcommand_required(true)
        .arg_required_else_help(true);
    for (kind, listing) in offered() {
        let namer = dezai_spec::names::Namer::for_product(kind.product);
        let args = flags::args(&namer, listing)
            .into_iter()
            .filter(|arg| !matches!(arg.get_id().as_str(), "Offset" | "Limit"))
            .map(|arg| {
                let instance = arg.get_id().as_str() == kind.listing.instance;
                let required = instance || arg.is_required_set();
                arg.required(required)
            });
        list = list.subcommand(
            Command::new(kind.name)
                .about(format!(
                    "Backups of `{}` ({})",
                    kind.listing.instance, kind.listing.action
                ))
                .args(args)
                .arg(
                    Arg::new("json")
                        .long("json")
                        .action(ArgAction::SetTrue)
                        .help("Print JSON even on a terminal"),
                ),
        );
    }
    list
}

/// Runs `backup list <kind>`: prints the backups, or says why not.
pub(crate) fn run(global: &Global, name: &str, args: &ArgMatches) -> Result<(), CliError> {
    let (kind, listing) = offered()
        .into_iter()
        .find(|(kind, _)| kind.name == name)
        .ok_or_else(|| CliError::other(format!("unknown backup kind `{name}`")))?;
    let mut filters = flags::request(listing, args);
    let instance = match filters.remove(kind.listing.instance) {
        Some(Value::String(instance)) => instance,
        _ => {
            return Err(CliError::other(format!(
                "name the instance ({})",
                kind.listing.instance
            )));
        }
    };
    // Before any request: a bad --query or --output is a usage error.
    let render = global.render()?;
    let (client, options) = global.client(flags::takes_zone(listing))?;
    let backups = crate::global::runtime()?.block_on(dezai_backups::list_with(
        &client, kind, &instance, filters, options,
    ))?;
    let rows = Value::Array(backups.iter().map(as_json).collect());
    if backups.is_empty() && std::io::stdout().is_terminal() {
        eprintln!("no backups");
    }
    // `--json` is `--output json`; piped with nothing chosen, the list is JSON too.
    let json = args.get_flag("json") || !(render.is_chosen() || std::io::stdout().is_terminal());
    let header = ["ID", "NAME", "TIME", "SIZE", "STATE"];
    render
        .print_summary(&rows, json, header, || table(&backups))
        .map_err(CliError::other)
}

/// A backup as JSON: its fields, the time in ISO 8601 (UTC) and as Unix seconds.
fn as_json(backup: &Backup) -> Value {
    json!({
        "id": backup.id,
        "name": backup.name,
        "time": backup.time.and_then(iso_utc),
        "time_unix": backup.time,
        "size": backup.size,
        "state": backup.state,
        "completed": backup.completed,
    })
}

/// The backups as a terminal shows them: times in the local time zone.
fn table(backups: &[Backup]) -> Vec<[String; 5]> {
    let row = |b: &Backup| {
        [
            b.id.clone(),
            b.name.clone().unwrap_or_default(),
            b.time.map(local_time).unwrap_or_default(),
            b.size.map(|s| s.to_string()).unwrap_or_default(),
            b.state.clone().unwrap_or_default(),
        ]
    };
    backups.iter().map(row).collect()
}

/// Unix seconds as ISO 8601 in UTC (`2015-04-24T09:19:04Z`).
pub(crate) fn iso_utc(seconds: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Unix seconds in the local time zone, as people read it (`2015-04-24 17:19:04 +08:00`).
pub(crate) fn local_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string()
        })
        .unwrap_or_else(|| seconds.to_string())
}

/// The request of `kind`'s URL action for the newest completed backup of the instance the
/// `request` names, and how many files (shards) the listing says it is: says which backup it
/// is, or why there is none.
pub(crate) async fn latest_request(
    client: &dezai_runtime::Client,
    options: &dezai_runtime::CallOptions,
    kind: &BackupKind,
    mut request: Map<String, Value>,
) -> Result<(Map<String, Value>, Option<u32>), CliError> {
    let instance_param = kind.download.instance.unwrap_or(kind.listing.instance);
    let Some(Value::String(instance)) = request.get(instance_param).cloned() else {
        let flag = flags::flag_name(kind.product, kind.download.action, instance_param);
        return Err(CliError::other(format!(
            "--latest needs the instance: pass {flag}"
        )));
    };
    let backups =
        dezai_backups::list_with(client, kind, &instance, Map::new(), options.clone()).await?;
    let latest = dezai_backups::newest_completed(kind, &instance, backups)
        .map_err(|e| CliError::other(e.message().unwrap_or("no completed backup")))?;
    let when = latest
        .time
        .map(local_time)
        .unwrap_or_else(|| "an unknown time".into());
    let name = latest
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let files = match latest.blocks {
        Some(n) if n > 1 => format!(", {n} shards"),
        _ => String::new(),
    };
    eprintln!(
        "latest completed backup: {}{name}, made {when}{files}",
        latest.id
    );
    request.extend(dezai_backups::url_request(kind, &instance, &latest));
    Ok((request, latest.blocks))
}
