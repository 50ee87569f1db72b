//! `dezai backup create <kind>`: makes a backup now with the kind's create action (the kinds
//! table, `dezai_spec::backups`) and prints its id; `--wait` waits until it completes (by the
//! kind's state action where it has one, its listing otherwise), and `--download FILE` then
//! downloads it, verified, as `backup download --latest` does. A kind whose product publishes
//! no create action says so in its help and its error.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use dezai_backups::{self as backups, Backup, BackupKind};
use dezai_runtime::waiter::{Poll, WaitError};
use dezai_spec::Action;
use serde_json::Value;

use crate::error::CliError;
use crate::global::{Global, runtime};
use crate::{catalog, flags, wait};

/// The create action of `kind` in the embedded specs, if its product publishes one.
fn create_action(kind: &BackupKind) -> Option<&'static Action> {
    let create = kind.create?;
    catalog::product(kind.product)?
        .actions
        .iter()
        .find(|a| a.name == create.action)
}

/// The `create` command: a subcommand per offered kind, with its create action's flags (the
/// instance and the name required).
pub(crate) fn command() -> Command {
    let mut create = Command::new("create")
        .about(
            "Makes a backup now and prints its id; --wait waits for it, --download FILE fetches it",
        )
        .subcommand_required(true)
        .arg_required_else_help(true);
    for (kind, _) in crate::backup_list::offered() {
        let (Some(spec), Some(action)) = (kind.create, create_action(kind)) else {
            create = create.subcommand(
                Command::new(kind.name)
                    .about(format!("Not available: {}", no_create_action(kind)))
                    .arg(
                        Arg::new("rest")
                            .num_args(0..)
                            .allow_hyphen_values(true)
                            .hide(true),
                    ),
            );
            continue;
        };
        let namer = dezai_spec::names::Namer::for_product(kind.product);
        let args = flags::args(&namer, action).into_iter().map(|arg| {
            let id = arg.get_id().as_str();
            let required = id == spec.instance || id == spec.name || arg.is_required_set();
            arg.required(required)
        });
        create = create.subcommand(
            Command::new(kind.name)
                .about(format!("A backup made now ({})", spec.action))
                .args(args)
                .args(extra_args()),
        );
    }
    create
}

fn extra_args() -> [Arg; 7] {
    [
        crate::network::arg(),
        crate::network::streams_arg(),
        Arg::new("wait")
            .long("wait")
            .action(ArgAction::SetTrue)
            .help_heading("Waiting")
            .help("Wait until the backup completes (exit 6 if it fails, 7 on timeout)"),
        // With --wait or --download.
        wait::timeout_arg(None),
        wait::interval_arg(None),
        Arg::new("download")
            .long("download")
            .value_name("FILE")
            .help("Wait, then download the backup to FILE (a folder, DIR/, for a backup of several files), verified against its MD5"),
        Arg::new("force")
            .long("force")
            .action(ArgAction::SetTrue)
            .requires("download")
            .help("Replace FILE if it exists"),
    ]
}

/// Why a kind cannot make a backup: the runtime's one wording.
fn no_create_action(kind: &BackupKind) -> String {
    let error = backups::no_create_action(kind);
    error.message().unwrap_or("no create action").to_owned()
}

/// Runs `backup create <kind>`.
pub(crate) fn run(global: &Global, name: &str, args: &ArgMatches) -> Result<(), CliError> {
    let kind = crate::backup_list::offered()
        .into_iter()
        .map(|(kind, _)| kind)
        .find(|kind| kind.name == name)
        .ok_or_else(|| CliError::Usage(format!("unknown backup kind `{name}`")))?;
    let (Some(spec), Some(action)) = (kind.create, create_action(kind)) else {
        return Err(CliError::Usage(no_create_action(kind)));
    };
    let mut request = flags::request(action, args);
    let text = |value: Option<Value>| match value {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    let instance = text(request.remove(spec.instance));
    let backup_name = text(request.remove(spec.name));
    let (Some(instance), Some(backup_name)) = (instance, backup_name) else {
        return Err(CliError::Usage(format!(
            "name the instance ({}) and the backup ({})",
            spec.instance, spec.name
        )));
    };
    let download = args.get_one::<String>("download").map(PathBuf::from);
    let wait = args.get_flag("wait") || download.is_some();
    let (client, options) = global.client(flags::takes_zone(action))?;
    if global.dry_run {
        // The create request only: nothing is made, so there is nothing to wait for.
        request.insert(spec.instance.into(), Value::String(instance));
        request.insert(spec.name.into(), Value::String(backup_name));
        return Ok(crate::print_request(
            &client,
            spec.action,
            request,
            &options,
        )?);
    }
    let runtime = runtime()?;
    runtime.block_on(async {
        let id = backups::create_with(
            &client,
            kind,
            &instance,
            &backup_name,
            request,
            options.clone(),
        )
        .await?;
        println!("{id}");
        if !wait {
            return Ok(());
        }
        let (timeout, interval) = wait::timing(args);
        let waiter = backups::wait(&client, kind, &instance, &id)
            .customize(options.clone())
            .timeout(timeout)
            .on_poll(|poll: &Poll<'_, Backup>| eprintln!("{}", progress(poll)));
        let backup = wait::delays(waiter, interval)
            .await
            .map_err(|error| waited(error, &id, timeout))?;
        eprintln!("backup {id} completed");
        let Some(output) = download else {
            return Ok(());
        };
        let mut bar = crate::progress::Bar::new();
        let params = backups::url_request(kind, &instance, &backup);
        let mut download = backups::download_with(&client, kind, params, options, &output);
        if let Some(n) = crate::network::streams_of(args) {
            download = download.streams(n);
        }
        let done = download
            .network(crate::network::of(args))
            .blocks(backup.blocks)
            .replace(args.get_flag("force"))
            .on_progress(|event| bar.show(event))
            .await?;
        bar.done(done.bytes(), done.elapsed);
        eprintln!("saved {}", output.display());
        Ok(())
    })
}

/// A poll of the backup as one line.
fn progress(poll: &Poll<'_, Backup>) -> String {
    let head = format!(
        "wait: poll {} at {:.1} s:",
        poll.poll,
        poll.elapsed.as_secs_f64()
    );
    match poll.outcome {
        Ok(backup) => format!(
            "{head} backup {} {}",
            backup.id,
            backup.state.as_deref().unwrap_or("not listed yet")
        ),
        Err(error) => format!("{head} {error} (waiting through it)"),
    }
}

/// A wait that ended short of a completed backup.
fn waited(error: WaitError<Backup>, id: &str, timeout: std::time::Duration) -> CliError {
    let (message, code) = wait::ended(&error, timeout);
    match error {
        WaitError::Call(error) => CliError::Api(error),
        WaitError::Failed { response, .. } => {
            let state = response.state.as_deref().unwrap_or("a failure state");
            CliError::Failed(format!("backup {id} did not complete: {state}"), code)
        }
        _ => CliError::Failed(format!("backup {id}: {message}"), code),
    }
}
