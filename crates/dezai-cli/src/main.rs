//! `dezai`: every action of the Dezai cloud API as a command, built from the same specs as the
//! SDK and sent through the SDK's runtime (signing, retries, configuration layers).
//!
//! ```text
//! dezai udb describe-udb-instance-backup-url --db-id udb-1 --backup-id 1234 --valid-time 3600
//! dezai invoke DescribeUHostInstance Limit=10 UHostIds.0=uhost-1
//! dezai configure --profile prod --region cn-bj2 < keys.txt
//! dezai completions bash > /etc/bash_completion.d/dezai
//! ```

mod app;
mod backup;
mod backup_create;
mod backup_list;
mod backup_sync;
mod bucket;
mod catalog;
mod configure;
mod error;
mod flags;
mod generated;
mod global;
mod input;
mod logging;
mod metrics;
mod network;
mod pages;
mod progress;
mod render;
mod wait;

use std::process::ExitCode;

use clap::ArgMatches;
use dezai_runtime::{CallOptions, Client, Params};
use dezai_spec::ProductSpec;
use serde_json::Value;

use error::{CliError, exit};
use global::Global;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let mut command = app::command(app::expand_for(&args));
    let matches = match command.try_get_matches_from_mut(&args) {
        Ok(matches) => matches,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and succeed.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { 0 });
        }
    };
    logging::init(&matches);
    let global = Global::resolve(&matches);
    match run(&global, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => global.fail(error),
    }
}

/// Runs the command the arguments name.
fn run(global: &Global, matches: &ArgMatches) -> Result<(), CliError> {
    match matches.subcommand() {
        Some(("completions", sub)) => {
            let shell = *sub
                .get_one::<clap_complete::Shell>("shell")
                .expect("clap requires the shell");
            let mut all = app::command(app::Expand::All);
            clap_complete::generate(shell, &mut all, "dezai", &mut std::io::stdout());
            Ok(())
        }
        Some(("backup", sub)) => backup_command(global, sub),
        Some(("configure", sub)) => {
            let dir = configure::run(sub, matches).map_err(CliError::other)?;
            eprintln!("wrote the profile to {}", dir.display());
            Ok(())
        }
        Some(("invoke", sub)) => {
            let action = sub.get_one::<String>("action").expect("clap requires it");
            let mut params = Params::new();
            for (key, value) in sub
                .get_many::<(String, String)>("params")
                .into_iter()
                .flatten()
            {
                params.push(key, value);
            }
            let wait = wait::Wait::from_flags(sub);
            // A documented action gets the configured zone as its typed command does, and
            // its span the product's name.
            let target = match catalog::documented(action) {
                Some((spec, documented)) => Target::documented(spec, documented),
                None => Target {
                    action,
                    product: None,
                    takes_zone: false,
                },
            };
            let request = Request::ByName(Box::new(params));
            call(global, target, request, wait, None)
        }
        Some((product, sub)) => {
            let spec = catalog::product(product)
                .ok_or_else(|| CliError::other(format!("unknown product `{product}`")))?;
            let (name, action_matches) = sub
                .subcommand()
                .ok_or_else(|| CliError::other("no action given"))?;
            let action = spec
                .actions
                .iter()
                .find(|a| catalog::command_name(spec, a) == name)
                .ok_or_else(|| CliError::other(format!("unknown action `{name}`")))?;
            if action_matches.get_flag("generate-skeleton") {
                let skeleton = input::skeleton(action);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&skeleton).unwrap_or_default()
                );
                return Ok(());
            }
            let flags = flags::request(action, action_matches);
            let request =
                input::request(product, action, action_matches, flags).map_err(CliError::Usage)?;
            let wait = wait::Wait::from_flags(action_matches);
            let paging = pages::Paging::of(action, action_matches);
            let request = Request::Fields(request);
            call(
                global,
                Target::documented(spec, action),
                request,
                wait,
                paging,
            )
        }
        None => Err(CliError::other("no command given")),
    }
}

/// The kind a `backup list|create` names.
fn kind_of(command: &ArgMatches) -> Result<(&str, &ArgMatches), CliError> {
    command
        .subcommand()
        .ok_or_else(|| CliError::other("name a backup kind"))
}

/// `dezai backup …`.
fn backup_command(global: &Global, sub: &ArgMatches) -> Result<(), CliError> {
    match sub.subcommand() {
        Some(("list", list)) => {
            let (kind, args) = kind_of(list)?;
            backup_list::run(global, kind, args)
        }
        Some(("create", create)) => {
            let (kind, args) = kind_of(create)?;
            backup_create::run(global, kind, args)
        }
        Some(("download", download)) => {
            if let Some(path) = backup::run(global, download)? {
                eprintln!("saved {}", path.display());
            }
            Ok(())
        }
        Some(("sync", args)) => backup_sync::sync(global, args),
        Some(("status", args)) => backup_sync::status(global, args),
        Some(("verify", args)) => backup_sync::verify(global, args),
        _ => Err(CliError::other("no backup command given")),
    }
}

/// The action a command calls, and what its document says about the call.
struct Target<'a> {
    action: &'a str,
    /// The product that documents it: the call's span is named `<product>.<Action>`.
    product: Option<&'a str>,
    /// The document lists `Zone`, so the configured zone is sent as the SDK's typed call
    /// would (a call by name gets `Region` and `ProjectId` only).
    takes_zone: bool,
}

impl<'a> Target<'a> {
    fn documented(spec: &'a ProductSpec, action: &'a dezai_spec::Action) -> Self {
        Target {
            action: &action.name,
            product: Some(&spec.product),
            takes_zone: flags::takes_zone(action),
        }
    }
}

/// Sends (or, with `--dry-run`, prints) one call and prints its answer; with `paging`, every
/// page of a paged list merged; with `wait`, repeats it until the answer reaches the state.
fn call(
    global: &Global,
    target: Target<'_>,
    params: Request,
    wait: Option<wait::Wait>,
    paging: Option<pages::Paging>,
) -> Result<(), CliError> {
    // Before any request: a bad expression or format is a usage error.
    let render = global.render()?;
    let action = target.action;
    let (client, mut options) = global.client(target.takes_zone)?;
    if let Some(product) = target.product {
        options = options.service(product);
    }
    if global.dry_run {
        return Ok(print_request(&client, action, params, &options)?);
    }
    let runtime = global::runtime()?;
    let Some(wait) = wait else {
        let answer = match (&paging, params) {
            (Some(paging), Request::Fields(fields)) => {
                runtime.block_on(paging.fetch(&client, action, fields, options))
            }
            (_, params) => runtime.block_on(client.invoke_with(action, params, options)),
        };
        return render.print(&answer?).map_err(CliError::other);
    };
    let waiter = client
        .wait_for_invoke(action, params, |answer| wait.verdict(answer))
        .customize(options);
    match runtime.block_on(wait.apply(waiter).run()) {
        Ok(answer) => render.print(&answer).map_err(CliError::other),
        Err(dezai_runtime::waiter::WaitError::Call(e)) => Err(e.into()),
        Err(error) => {
            // The last answer still goes to stdout: a script may want to read the state.
            if let dezai_runtime::waiter::WaitError::TimedOut {
                last: Some(answer), ..
            }
            | dezai_runtime::waiter::WaitError::Failed {
                response: answer, ..
            } = &error
            {
                let _ = render.print(answer);
            }
            let (message, code) = wait::ended(&error, wait.timeout);
            Err(CliError::Failed(format!("{action}: {message}"), code))
        }
    }
}

/// A call's parameters: as `invoke` takes them (names and values), or as an action's flags
/// give them (its fields, which a paged list's pages are asked for with).
#[derive(Clone)]
enum Request {
    ByName(Box<Params>),
    Fields(serde_json::Map<String, Value>),
}

impl dezai_runtime::IntoParams for Request {
    fn into_params(self) -> Result<Params, String> {
        match self {
            Request::ByName(params) => (*params).into_params(),
            Request::Fields(fields) => fields.into_params(),
        }
    }
}

/// Prints the request a call would send: URL, content type and body, secrets masked.
fn print_request(
    client: &Client,
    action: &str,
    params: impl dezai_runtime::IntoParams,
    options: &CallOptions,
) -> Result<(), dezai_runtime::Error> {
    let encoded = client.encode_invoke(action, params, options)?;
    println!("POST {}", encoded.url());
    println!("Content-Type: {}", encoded.content_type());
    println!();
    println!("{}", encoded.redacted_body());
    Ok(())
}
