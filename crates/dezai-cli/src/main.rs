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
mod failure;
mod flags;
mod generated;
mod input;
mod logging;
mod network;
mod output;
mod pages;
mod progress;
mod render;
mod wait;

use std::process::ExitCode;

use clap::ArgMatches;
use dezai_http::ClientExt as _;
use dezai_runtime::{CallOptions, Client, Config, ConfigBuilder, Credentials, Environment, Params};
use dezai_spec::protocol::ConfigParam;
use serde_json::Value;

use output::exit;

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
    match matches.subcommand() {
        Some(("completions", sub)) => {
            let shell = *sub
                .get_one::<clap_complete::Shell>("shell")
                .expect("clap requires the shell");
            let mut all = app::command(app::Expand::All);
            clap_complete::generate(shell, &mut all, "dezai", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Some(("backup", sub)) => {
            let outcome = match sub.subcommand() {
                Some(("list", list)) => match list.subcommand() {
                    Some((kind, args)) => backup_list::run(&matches, kind, args),
                    None => Err(failure::Failure::Other("name a backup kind".into())),
                },
                Some(("create", create)) => match create.subcommand() {
                    Some((kind, args)) => backup_create::run(&matches, kind, args),
                    None => Err(failure::Failure::Other("name a backup kind".into())),
                },
                Some(("download", download)) => backup::run(&matches, download).map(|saved| {
                    if let Some(path) = saved {
                        eprintln!("saved {}", path.display());
                    }
                }),
                Some(("sync", args)) => backup_sync::sync(&matches, args),
                Some(("status", args)) => backup_sync::status(&matches, args),
                Some(("verify", args)) => backup_sync::verify(&matches, args),
                _ => Err(failure::Failure::Other("no backup command given".into())),
            };
            match outcome {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => failure.exit(),
            }
        }
        Some(("configure", sub)) => match configure::run(sub, &matches) {
            Ok(dir) => {
                eprintln!("wrote the profile to {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(message) => output::failure(message),
        },
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
            // A documented action gets the configured zone as its typed command does.
            let takes_zone = catalog::products()
                .filter_map(catalog::product)
                .flat_map(|spec| &spec.actions)
                .find(|a| &a.name == action)
                .is_some_and(flags::takes_zone);
            call(
                &matches,
                action,
                Request::ByName(Box::new(params)),
                takes_zone,
                wait,
                None,
            )
        }
        Some((product, sub)) => {
            let Some(spec) = catalog::product(product) else {
                return output::failure(format!("unknown product `{product}`"));
            };
            let Some((name, action_matches)) = sub.subcommand() else {
                return output::failure("no action given");
            };
            let Some(action) = spec
                .actions
                .iter()
                .find(|a| catalog::command_name(spec, a) == name)
            else {
                return output::failure(format!("unknown action `{name}`"));
            };
            if action_matches.get_flag("generate-skeleton") {
                let skeleton = input::skeleton(action);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&skeleton).unwrap_or_default()
                );
                return ExitCode::SUCCESS;
            }
            let flags = flags::request(action, action_matches);
            let request = match input::request(product, action, action_matches, flags) {
                Ok(request) => request,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(output::exit::USAGE);
                }
            };
            let takes_zone = flags::takes_zone(action);
            let wait = wait::Wait::from_flags(action_matches);
            let paging = pages::Paging::of(action, action_matches);
            let request = Request::Fields(request);
            call(&matches, &action.name, request, takes_zone, wait, paging)
        }
        None => output::failure("no command given"),
    }
}

/// Sends (or, with `--dry-run`, prints) one call and prints its answer; with `paging`, every
/// page of a paged list merged; with `wait`, repeats it until the answer reaches the state. `takes_zone`: the action's document lists `Zone`, so
/// the configured zone is sent as the SDK's typed call would (a call by name gets `Region` and
/// `ProjectId` only).
fn call(
    global: &ArgMatches,
    action: &str,
    params: Request,
    takes_zone: bool,
    wait: Option<wait::Wait>,
    paging: Option<pages::Paging>,
) -> ExitCode {
    let dry_run = global.get_flag("dry-run");
    // Before any request: a bad expression or format is a usage error.
    let render = match renderer(global) {
        Ok(render) => render,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(output::exit::USAGE);
        }
    };
    let (client, options) = match client(global, dry_run, takes_zone) {
        Ok(client) => client,
        Err(message) => return output::failure(message),
    };
    if dry_run {
        return match print_request(&client, action, params, &options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => output::call_error(&e),
        };
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return output::failure(format!("cannot start the async runtime: {e}")),
    };
    let Some(wait) = wait else {
        let answer = match (&paging, params) {
            (Some(paging), Request::Fields(fields)) => {
                runtime.block_on(paging.fetch(&client, action, fields, options))
            }
            (_, params) => runtime.block_on(client.invoke_with(action, params, options)),
        };
        return match answer {
            Ok(answer) => printed(&render, &answer),
            Err(e) => output::call_error(&e),
        };
    };
    let waiter = client
        .wait_for_invoke(action, params, |answer| wait.verdict(answer))
        .customize(options);
    match runtime.block_on(wait.apply(waiter).run()) {
        Ok(answer) => printed(&render, &answer),
        Err(dezai_runtime::waiter::WaitError::Call(e)) => output::call_error(&e),
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
            eprintln!("error: {action}: {message}");
            ExitCode::from(code)
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

/// Prints an answer as `--query` and `--output` say.
fn printed(render: &render::Render, answer: &Value) -> ExitCode {
    match render.print(answer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => output::failure(message),
    }
}

/// The answer's printer from the global flags and the profile's `output` key.
fn renderer(global: &ArgMatches) -> Result<render::Render, String> {
    let flag = |id: &str| global.get_one::<String>(id).map(String::as_str);
    let profile_output = profile_setting(global, "output");
    render::Render::new(flag("output"), profile_output.as_deref(), flag("query"))
}

/// A key of the chosen profile's settings that the SDK does not read itself (`output`): the
/// profile `--profile` or `DEZAI_PROFILE` names, or the active one.
fn profile_setting(global: &ArgMatches, key: &str) -> Option<String> {
    let env = Environment::system();
    let files = dezai_runtime::profile::ProfileFiles::of_home(&env)?;
    let wanted = global
        .get_one::<String>("profile")
        .cloned()
        .or_else(|| std::env::var("DEZAI_PROFILE").ok());
    let settings = files.settings().ok()?;
    let chosen = match wanted {
        Some(name) => settings.into_iter().find(|s| s.profile == name),
        None => settings.into_iter().find(|s| s.active),
    }?;
    chosen.other.get(key)?.as_str().map(str::to_owned)
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

/// A client configured from the layers and flags, and the call's options: the configured zone
/// for an action whose document lists `Zone` (a call by name gets `Region` and `ProjectId`
/// only, as the SDK's typed call would send it).
fn client(
    global: &ArgMatches,
    dry_run: bool,
    takes_zone: bool,
) -> Result<(Client, CallOptions), String> {
    let config = config(global, dry_run)?;
    let json_errors = global.get_one::<String>("output").map(String::as_str) == Some("json");
    output::error_context(config.region(), json_errors);
    let mut options = CallOptions::new();
    if let (true, Some(zone)) = (takes_zone, config.zone()) {
        options = options.zone(zone);
    }
    let client = Client::new(config).map_err(|e| e.to_string())?;
    Ok((client, options))
}

/// The SDK's configuration layers (profile files, then `DEZAI_*`), then the global flags. A
/// dry run needs no real credentials: the ones it shows are masked.
fn config(global: &ArgMatches, dry_run: bool) -> Result<Config, String> {
    let mut env = Environment::system();
    if let Some(profile) = global.get_one::<String>("profile") {
        env = env.with_var("DEZAI_PROFILE", profile);
    }
    let layers = || {
        Config::builder()
            .environment(&env)
            .map_err(|e| e.to_string())
    };
    let config = with_flags(layers()?, global)
        .build()
        .map_err(|e| e.to_string())?;
    if dry_run && config.credentials().is_none() {
        // Placeholders: the dry run masks the key and the signature anyway.
        let placeholder = Credentials::new("dry-run", "dry-run");
        return with_flags(layers()?.credentials(placeholder), global)
            .build()
            .map_err(|e| e.to_string());
    }
    Ok(config)
}

/// The global flags that set configuration; they win over files and variables.
fn with_flags(mut builder: ConfigBuilder, global: &ArgMatches) -> ConfigBuilder {
    let flag = |name: &str| global.get_one::<String>(name).cloned();
    for param in ConfigParam::ALL {
        if let Some(value) = flag(param.flag()) {
            builder = match param {
                ConfigParam::Region => builder.region(value),
                ConfigParam::Zone => builder.zone(value),
                ConfigParam::ProjectId => builder.project_id(value),
            };
        }
    }
    if let Some(url) = flag("base-url") {
        builder = builder.base_url(url);
    }
    builder
}
