//! `dezai configure`: writes a profile to `~/.dezai/config.json` and `credential.json`, in the
//! format the SDK's runtime reads, and makes it the active one. Other profiles in the files are
//! kept. The credentials file is written with mode 0600 (owner only), through a temporary file
//! and a rename, so an interrupted run never leaves half a file.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Arg, ArgMatches, Command};
use serde_json::{Map, Value, json};

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
        None => prompt("public key")?,
    };
    let private = match matches.get_one::<String>("private-key") {
        Some(key) => key.clone(),
        None => prompt("private key")?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    let mut settings = Map::new();
    settings.insert("profile".into(), json!(profile));
    for (flag, key) in [
        ("region", "region"),
        ("zone", "zone"),
        ("project-id", "project_id"),
        ("base-url", "base_url"),
    ] {
        if let Some(value) = global.get_one::<String>(flag) {
            settings.insert(key.into(), json!(value));
        }
    }
    settings.insert("active".into(), json!(true));
    let config_path = dir.join("config.json");
    let mut config = read_array(&config_path)?;
    for entry in &mut config {
        if let Some(object) = entry.as_object_mut() {
            object.insert("active".into(), json!(false));
        }
    }
    upsert(&mut config, &profile, settings);
    write(&config_path, &Value::Array(config), false)?;

    let credential_path = dir.join("credential.json");
    let mut credentials = read_array(&credential_path)?;
    let mut entry = Map::new();
    entry.insert("profile".into(), json!(profile));
    entry.insert("public_key".into(), json!(public));
    entry.insert("private_key".into(), json!(private));
    upsert(&mut credentials, &profile, entry);
    write(&credential_path, &Value::Array(credentials), true)?;
    Ok(dir)
}

fn prompt(what: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{what}: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the {what}: {e}"))?;
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err(format!(
            "no {what} given (--{} or standard input)",
            what.replace(' ', "-")
        ));
    }
    Ok(line)
}

/// The file's array of profiles; a missing file is an empty one.
fn read_array(path: &Path) -> Result<Vec<Value>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(items)) => Ok(items),
            // Never quote the file: it may hold keys.
            _ => Err(format!(
                "{} is not a JSON array of profiles; fix or remove it",
                path.display()
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Replaces the entry of `profile` (keeping keys this run does not set), or appends it.
fn upsert(items: &mut Vec<Value>, profile: &str, new: Map<String, Value>) {
    let existing = items
        .iter_mut()
        .filter_map(Value::as_object_mut)
        .find(|o| o.get("profile").and_then(Value::as_str) == Some(profile));
    match existing {
        Some(object) => object.extend(new),
        None => items.push(Value::Object(new)),
    }
}

/// Writes through a temporary file in the same folder and a rename; `secret` files are
/// created owner-only.
fn write(path: &Path, value: &Value, secret: bool) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
    let temp = path.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = secret;
    let result = options
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| restrict(&temp, secret))
        .and_then(|()| std::fs::rename(&temp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// A temporary file that existed before keeps its old mode: set it again.
#[cfg(unix)]
fn restrict(path: &Path, secret: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if secret {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _secret: bool) -> std::io::Result<()> {
    Ok(())
}
