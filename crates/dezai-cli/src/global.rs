//! The global options, resolved once per run: the configuration (profile files and `DEZAI_*`
//! read once, then the flags), how answers print (`--output` and `--query`, else the
//! profile's `output`), whether errors print as JSON (when answers do), `--dry-run`; and the
//! async runtimes commands run on. `--debug` is [`crate::logging`]'s.

use std::process::ExitCode;

use clap::ArgMatches;
use dezai_http::ClientExt as _;
use dezai_runtime::{CallOptions, Client, Config, ConfigBuilder, Credentials, Environment};
use dezai_spec::protocol::ConfigParam;

use crate::error::CliError;
use crate::render::Render;

/// What every command reads of the global flags and the profile.
pub(crate) struct Global {
    /// `--dry-run`: print requests instead of sending them.
    pub(crate) dry_run: bool,
    /// The answers' printer; a bad `--output` or `--query` is a usage error once a command
    /// prints.
    render: Result<Render, String>,
    /// Whether errors print as JSON: the chosen output (flag, else profile) is JSON.
    json: bool,
    /// The configuration; its error is reported once a command needs it (`configure` and
    /// `completions` do not).
    config: Result<Config, String>,
}

impl Global {
    /// Reads the flags, the profile files and the environment.
    pub(crate) fn resolve(matches: &ArgMatches) -> Self {
        let dry_run = matches.get_flag("dry-run");
        let config = config(matches, dry_run);
        let flag = |id: &str| matches.get_one::<String>(id).map(String::as_str);
        let profile_output = config
            .as_ref()
            .ok()
            .and_then(|c| c.profile_key("output"))
            .and_then(serde_json::Value::as_str);
        let output = flag("output").or(profile_output);
        Self {
            dry_run,
            json: output == Some("json"),
            render: Render::new(flag("output"), profile_output, flag("query")),
            config,
        }
    }

    /// The answers' printer.
    pub(crate) fn render(&self) -> Result<&Render, CliError> {
        self.render
            .as_ref()
            .map_err(|message| CliError::Usage(message.clone()))
    }

    /// The configuration.
    pub(crate) fn config(&self) -> Result<&Config, CliError> {
        self.config
            .as_ref()
            .map_err(|message| CliError::other(message.clone()))
    }

    /// A client, and the call's options: the configured zone for an action whose document
    /// lists `Zone` (a call by name gets `Region` and `ProjectId` only, as the SDK's typed
    /// call would send it).
    pub(crate) fn client(&self, takes_zone: bool) -> Result<(Client, CallOptions), CliError> {
        let config = self.config()?.clone();
        let mut options = CallOptions::new();
        if let (true, Some(zone)) = (takes_zone, config.zone()) {
            options = options.zone(zone);
        }
        let client = Client::new(config).map_err(|e| CliError::other(e.to_string()))?;
        Ok((client, options))
    }

    /// Reports a command's error in the chosen output and gives its exit code.
    pub(crate) fn fail(&self, error: CliError) -> ExitCode {
        let region = self.config.as_ref().ok().and_then(Config::region);
        error.report(region, self.json)
    }
}

/// The SDK's configuration layers (profile files, then `DEZAI_*`), then the global flags. A
/// dry run needs no real credentials: the ones it shows are masked.
fn config(global: &ArgMatches, dry_run: bool) -> Result<Config, String> {
    let mut env = Environment::system();
    if let Some(profile) = global.get_one::<String>("profile") {
        env = env.with_var("DEZAI_PROFILE", profile);
    }
    let layers = Config::builder()
        .environment(&env)
        .map_err(|e| e.to_string())?;
    let config = with_flags(layers, global)
        .build()
        .map_err(|e| e.to_string())?;
    if dry_run && config.credentials().is_none() {
        // Placeholders: the dry run masks the key and the signature anyway.
        return Ok(config.with_credentials(Credentials::new("dry-run", "dry-run")));
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

/// The command's async runtime: one thread, as a command line needs.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("cannot start the async runtime: {e}")))
}

/// The async runtime of a command that downloads several files at once: a thread per core,
/// so that checking each file's MD5 as it arrives is not done by one core for all.
pub(crate) fn runtime_per_core() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("cannot start the async runtime: {e}")))
}
