//! `dezai backup download`: asks the service for a backup's URL and downloads the file through
//! the SDK's download API (`dezai_runtime::download`): resumable, verified against the answer's
//! MD5, renamed into place only when complete, an expired URL asked for anew, on the same HTTP
//! stack as the API calls (the configured roots, client certificate, proxy and User-Agent).
//!
//! Every action of the embedded specs that the SDK's rule (`dezai_spec::download`) selects is
//! a subcommand named like its API command (`describe-udb-instance-backup-url`), with the
//! action's request fields as flags; the first version's short names (`udb`, `umem`, `uredis`,
//! `umongodb`, `upgsql`) stay as aliases. `--url URL` downloads a URL without an API call.
//! Progress, retries and errors name the URL by scheme, host and path only: its query is a
//! credential for the file.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use dezai_runtime::download::DownloadLink;
use dezai_spec::{Action, ProductSpec};
use serde_json::{Map, Value};

use crate::error::CliError;
use crate::global::{Global, runtime};
use crate::{catalog, flags};

/// The short names of the first version of this command, kept as aliases.
const SHORT_NAMES: [(&str, &str); 5] = [
    ("udb", "DescribeUDBInstanceBackupURL"),
    ("umem", "DescribeUMemBackupURL"),
    ("uredis", "DescribeURedisBackupURL"),
    ("umongodb", "DescribeUMongoDBBackupURL"),
    ("upgsql", "GetUPgSQLBackupURL"),
];

/// A backup-URL action of the embedded specs, and its subcommand's name.
struct BackupAction {
    spec: &'static ProductSpec,
    action: &'static Action,
    command: String,
}

/// Every action the SDK's rule selects, in product and action order. An action documented in
/// two products is named after its product the second time.
fn backup_actions() -> Vec<BackupAction> {
    let mut found: Vec<BackupAction> = Vec::new();
    for product in catalog::products() {
        let Some(spec) = catalog::product(product) else {
            continue;
        };
        for action in &spec.actions {
            if dezai_spec::download::download_fields(action).is_none() {
                continue;
            }
            let mut command = catalog::command_name(spec, action);
            if found.iter().any(|f| f.command == command) {
                command = format!("{product}-{command}");
            }
            found.push(BackupAction {
                spec,
                action,
                command,
            });
        }
    }
    found
}

/// The `backup` command; the actions' subcommands only when `expand` (the command line names
/// `backup`), so that other commands never parse every product's spec.
pub(crate) fn command(expand: bool) -> Command {
    let mut download = Command::new("download")
        .about("Asks for a backup's URL and downloads the file: resumable, verified, atomic")
        .long_about(
            "Asks for a backup's URL and downloads the file: resumable, verified, atomic. \
             Name the backup-URL action (or its short name) with its flags, or give --url.",
        )
        .args(download_args())
        .arg_required_else_help(true);
    if expand {
        for found in backup_actions() {
            let namer = dezai_spec::names::Namer::for_product(&found.spec.product);
            // A kind's URL action can download the instance's newest completed backup
            // (`--latest`), found by listing (`dezai_spec::backups`).
            let latest = crate::backup_list::kind_downloading(&found.action.name);
            let instance = latest.and_then(|k| k.download.instance);
            // The action's flags, required unless the URL is given (or, but for the
            // instance, the latest backup is asked for).
            let args = flags::args(&namer, found.action).into_iter().map(|arg| {
                if !arg.is_required_set() {
                    return arg;
                }
                let keeps_with_latest = instance == Some(arg.get_id().as_str());
                let arg = arg.required(false);
                if latest.is_some() && !keeps_with_latest {
                    arg.required_unless_present_any(["url", "latest"])
                } else {
                    arg.required_unless_present("url")
                }
            });
            let mut sub = Command::new(found.command.clone())
                .about(format!(
                    "The backup of `{}` ({})",
                    found.action.name, found.spec.product
                ))
                .args(args);
            if let Some(kind) = latest {
                sub = sub.arg(
                    Arg::new("latest")
                        .long("latest")
                        .action(ArgAction::SetTrue)
                        .conflicts_with("url")
                        .help(format!(
                            "Download the instance's newest completed backup (listed with `{}`)",
                            kind.listing.action
                        )),
                );
            }
            if let Some((short, _)) = SHORT_NAMES.iter().find(|(_, a)| *a == found.action.name) {
                sub = sub.visible_alias(*short);
            }
            download = download.subcommand(sub);
        }
    }
    let mut backup = Command::new("backup")
        .about(
            "Backup files: `dezai backup list|create <kind> …`, `download <action> …`, `sync|status|verify DIR`",
        )
        .subcommand_required(true);
    if expand {
        backup = backup
            .subcommand(crate::backup_list::command())
            .subcommand(crate::backup_create::command())
            .subcommands(crate::backup_sync::commands());
    } else {
        backup = backup
            .subcommand(Command::new("list").about("Lists an instance's backups"))
            .subcommand(Command::new("create").about("Makes a backup now"))
            .subcommand(Command::new("sync").about("Mirrors every instance's newest backup"))
            .subcommand(Command::new("status").about("Says how old a mirror's copies are"))
            .subcommand(Command::new("verify").about("Re-hashes a mirror's copies"));
    }
    backup.subcommand(download)
}

fn download_args() -> [Arg; 5] {
    [
        crate::network::arg().global(true),
        crate::network::streams_arg().global(true),
        Arg::new("url")
            .long("url")
            .value_name("URL")
            .global(true)
            .help("Download this URL; skip the API call (no MD5 check, no URL refresh)"),
        // Not `--output`: that global flag picks the format answers print in.
        Arg::new("save-to")
            .long("save-to")
            .short('o')
            .value_name("PATH")
            .global(true)
            .help("Where to save the file, or a folder (DIR/) for a backup of several files, one per shard (default: the URL's file name, or the current folder)"),
        Arg::new("force")
            .long("force")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Replace the file if it exists"),
    ]
}

/// The output file's default name: the last segment of the URL's path, percent-decoded and
/// made safe as a file name by the backups' one rule (`dezai_backups::names`: a value from
/// the service is never a path).
pub(crate) fn default_output(url: &str) -> Option<PathBuf> {
    dezai_backups::names::url_file_name(url).map(PathBuf::from)
}

/// Runs `backup download [<action>]`: the file saved, or `None` for a dry run (which prints
/// the request it would send and fetches nothing).
pub(crate) fn run(global: &Global, download: &ArgMatches) -> Result<Option<PathBuf>, CliError> {
    let sub = download.subcommand();
    let args = sub.map_or(download, |(_, args)| args);
    let force = args.get_flag("force");
    let network = crate::network::of(args);
    let streams = crate::network::streams_of(args);
    let output_flag = args.get_one::<String>("save-to").map(PathBuf::from);
    let url = args.get_one::<String>("url").cloned();
    let found = match sub {
        Some((name, _)) => Some(
            backup_actions()
                .into_iter()
                .find(|f| f.command == name)
                .ok_or_else(|| CliError::other(format!("unknown backup action `{name}`")))?,
        ),
        None if url.is_some() => None,
        None => {
            return Err(CliError::other(
                "name a backup action (`dezai backup download --help` lists them) or give --url",
            ));
        }
    };
    let takes_zone = found.as_ref().is_some_and(|f| flags::takes_zone(f.action));
    let (client, mut options) = global.client(takes_zone)?;
    if let Some(found) = &found {
        options = options.service(&found.spec.product);
    }
    if global.dry_run {
        // What would be asked for, and nothing fetched: the URL action's request, or the URL.
        // A pre-signed URL's query is a credential for the file: it is not printed.
        match (&found, &url) {
            (_, Some(url)) => println!("GET {}", url.split(['?', '#']).next().unwrap_or(url)),
            (Some(found), None) => {
                if args.try_get_one::<bool>("latest").ok().flatten() == Some(&true) {
                    eprintln!(
                        "note: --latest finds the backup's id with a listing call, which a dry run does not make"
                    );
                }
                let request = flags::request(found.action, args);
                crate::print_request(&client, &found.action.name, request, &options)?;
            }
            (None, None) => return Err(CliError::other("no backup action and no --url")),
        }
        return Ok(None);
    }
    let runtime = runtime()?;
    let mut progress = crate::progress::Bar::new();
    runtime.block_on(async {
        let Some(found) = found.filter(|_| url.is_none()) else {
            let url = url.ok_or_else(|| CliError::other("no backup action and no --url"))?;
            let output = output_flag
                .or_else(|| default_output(&url))
                .ok_or_else(|| CliError::other("the URL names no file: pass --save-to"))?;
            let link = DownloadLink { url, md5: None };
            let mut download = client.download(link, &output);
            if let Some(n) = streams {
                download = download.streams(n);
            }
            let done = download
                .replace(force)
                .on_progress(|event| progress.show(event))
                .await?;
            progress.done(done.bytes, done.elapsed);
            return Ok(Some(output));
        };
        let mut request: Map<String, Value> = flags::request(found.action, args);
        let mut blocks = None;
        if args.try_get_one::<bool>("latest").ok().flatten() == Some(&true) {
            let kind = crate::backup_list::kind_downloading(&found.action.name)
                .ok_or_else(|| CliError::other("no listing for this action"))?;
            (request, blocks) =
                crate::backup_list::latest_request(&client, &options, kind, request).await?;
            // One shard asked for (`--block-id`): its file alone, not the backup's count.
            if kind.download.shard.is_some_and(|p| request.contains_key(p)) {
                blocks = None;
            }
        }
        // Without --save-to: the URL's file name in the current folder (each shard's own
        // name, for a backup of several files).
        let output = output_flag.unwrap_or_else(|| PathBuf::from("./"));
        let action = found.action.name.as_str();
        let mut download =
            dezai_backups::download_by_action(&client, action, request, options, &output);
        if let Some(n) = streams {
            download = download.streams(n);
        }
        let done = download
            .network(network)
            .blocks(blocks)
            .replace(force)
            .on_progress(|event| progress.show(event))
            .await?;
        progress.done(done.bytes(), done.elapsed);
        let saved = match done.files.as_slice() {
            [one] => one.path.clone(),
            _ => output,
        };
        Ok(Some(saved))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_name_is_the_last_segment() {
        assert_eq!(
            default_output("http://h/backups/1/2/full.xb?sig=1"),
            Some(PathBuf::from("full.xb"))
        );
        assert_eq!(default_output("http://h/"), None);
        // A name from the service is one file name in the current folder, whatever it holds.
        for hostile in ["..", "%2E%2E", "a%2Fb", "x%00y", &"n".repeat(400)] {
            let name = default_output(&format!("http://h/backups/{hostile}")).unwrap();
            assert_eq!(name.components().count(), 1, "{hostile}");
            let text = name.to_string_lossy().into_owned();
            assert!(!text.starts_with('.') && !text.contains(['/', '\0']) && text.len() <= 200);
        }
    }
}
