//! `dezai configure`: writes a profile to `~/.dezai/config.json` and `credential.json` through
//! the runtime's own profile types (`dezai_runtime::profile`), and makes it the active one.
//! Other profiles in the files, and keys of other tools, are kept. The credentials file is
//! written with mode 0600 (owner only), through a temporary file and a rename, so an
//! interrupted run never leaves half a file.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Arg, ArgMatches, Command};
use dezai_runtime::Secret;
use dezai_runtime::profile::{ProfileCredential, ProfileFiles, ProfileSettings};
use dezai_spec::protocol::ConfigParam;

pub(crate) fn command() -> Command {
    Command::new("configure")
        .about("Writes a profile (keys, region, zone, project) to ~/.dezai and makes it active")
        .long_about(
            "Writes a profile to ~/.dezai/config.json and ~/.dezai/credential.json (mode 0600) \
             and makes it the active one. The profile is --profile, or `default`. Keys not given \
             as flags are read from standard input, one per line.",
        )
        .arg(Arg::new("public-key").long("public-key").value_name("KEY"))
        .arg(
            Arg::new("private-key")
                .long("private-key")
                .value_name("KEY")
                .help("Prefer standard input: a flag's value stays in the shell's history"),
        )
}

/// Runs `configure`; returns the folder written.
pub(crate) fn run(matches: &ArgMatches, global: &ArgMatches) -> Result<PathBuf, String> {
    // The folder the runtime reads profiles from.
    let home = dezai_runtime::Environment::system()
        .home()
        .map(Path::to_path_buf)
        .ok_or("no home folder (HOME) to write ~/.dezai in")?;
    let dir = home.join(".dezai");
    let profile = global
        .get_one::<String>("profile")
        .cloned()
        .unwrap_or_else(|| "default".to_owned());
    let public = match matches.get_one::<String>("public-key") {
        Some(key) => key.clone(),
        None => prompt("public key", false)?,
    };
    let private = match matches.get_one::<String>("private-key") {
        Some(key) => key.clone(),
        None => prompt("private key", true)?,
    };
    let files = ProfileFiles::in_dir(&dir);
    let mut settings = files.settings().map_err(|e| e.to_string())?;
    for entry in &mut settings {
        entry.active = false;
    }
    let entry = upsert(
        &mut settings,
        |s| s.profile == profile,
        || ProfileSettings::named(&profile),
    );
    for param in ConfigParam::ALL {
        if let Some(value) = global.get_one::<String>(param.flag()) {
            let slot = match param {
                ConfigParam::Region => &mut entry.region,
                ConfigParam::Zone => &mut entry.zone,
                ConfigParam::ProjectId => &mut entry.project_id,
            };
            *slot = Some(value.clone());
        }
    }
    if let Some(url) = global.get_one::<String>("base-url") {
        entry.base_url = Some(url.clone());
    }
    entry.active = true;
    files.write_settings(&settings).map_err(|e| e.to_string())?;

    let mut credentials = files.credentials().map_err(|e| e.to_string())?;
    let entry = upsert(
        &mut credentials,
        |c| c.profile == profile,
        || ProfileCredential::named(&profile),
    );
    entry.public_key = Some(public);
    entry.private_key = Some(Secret::new(private));
    files
        .write_credentials(&credentials)
        .map_err(|e| e.to_string())?;
    Ok(dir)
}

/// The entry `is_it` finds, or a new one appended.
fn upsert<T>(items: &mut Vec<T>, is_it: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> &mut T {
    let at = match items.iter().position(is_it) {
        Some(at) => at,
        None => {
            items.push(new());
            items.len() - 1
        }
    };
    &mut items[at]
}

/// Reads a key from standard input: on a terminal after a prompt, the private key without
/// echo (it would stay on the screen and in the scrollback); from a pipe, one line as it comes.
fn prompt(what: &str, secret: bool) -> Result<String, String> {
    let stdin = std::io::stdin();
    let failed = |e: std::io::Error| format!("cannot read the {what}: {e}");
    let line = if stdin.is_terminal() && secret {
        rpassword::prompt_password(format!("{what} (not shown): ")).map_err(failed)?
    } else {
        if stdin.is_terminal() {
            eprint!("{what}: ");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(failed)?;
        line
    };
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err(format!(
            "no {what} given (--{} or standard input)",
            what.replace(' ', "-")
        ));
    }
    Ok(line)
}
