//! Helpers of the backup tests: scratch folders, output, file hashes, and the flags the
//! command line gives an action's fields.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use dezai_spec::protocol::ConfigParam;
use dezai_spec::{Action, Field};
use md5::Digest;

/// `dezai backup download` of backup 7 of `udb-1`: the emulator's backup file, as the
/// download tests and benches ask for it (their own flags follow).
pub const DOWNLOAD_UDB_BACKUP: [&str; 7] = [
    "backup",
    "download",
    "udb",
    "--db-id",
    "udb-1",
    "--backup-id",
    "7",
];

/// An empty folder of its own for one test.
pub fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("dezai-{}-{name}", env!("CARGO_CRATE_NAME")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The MD5 of a file, lower-case hex.
pub fn md5_of(path: &Path) -> String {
    md5::Md5::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An action's own request fields (the configuration's aside) with their flags, named as the
/// command line names them: the SDK's field names in kebab case, the global flags taken.
pub fn flags_of<'a>(product: &str, action: &'a Action) -> Vec<(&'a Field, String)> {
    let fields: Vec<&Field> = action
        .request
        .iter()
        .filter(|f| ConfigParam::from_wire_name(&f.name).is_none())
        .collect();
    let reserved = [
        "region",
        "zone",
        "project_id",
        "profile",
        "base_url",
        "dry_run",
        "help",
    ];
    let names = dezai_spec::names::Namer::for_product(product)
        .field_names(fields.iter().map(|f| f.name.as_str()), &reserved);
    fields
        .into_iter()
        .zip(names)
        .map(|(field, name)| (field, format!("--{}", name.replace('_', "-"))))
        .collect()
}

/// The spec of `product` the command line embeds.
pub fn spec(product: &str) -> dezai_spec::ProductSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("specs/{product}.json"));
    dezai_spec::ProductSpec::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs `dezai` in `dir` against the emulator at `url`, signed with `keys`, configured for
/// cn-bj2.
pub async fn dezai(url: &str, dir: &Path, args: &[&str], keys: (&str, &str)) -> Output {
    let mut command = command(url, dir, args, keys);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The `dezai` command [`dezai`] runs, to spawn it yourself.
pub fn command(url: &str, dir: &Path, args: &[&str], keys: (&str, &str)) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dezai"));
    command
        .current_dir(dir)
        .args(args)
        .env("HOME", dir)
        .env("DEZAI_PUBLIC_KEY", keys.0)
        .env("DEZAI_PRIVATE_KEY", keys.1)
        .env("DEZAI_BASE_URL", url)
        .env("DEZAI_REGION", "cn-bj2")
        .env("DEZAI_ZONE", "cn-bj2-04")
        .env_remove("DEZAI_PROFILE")
        .stdin(Stdio::null());
    command
}

/// The flag of `field` of `action` in `product`, as the command line names it.
pub fn flag(product: &str, action: &str, field: &str) -> String {
    let spec = spec(product);
    let action = spec.actions.iter().find(|a| a.name == action).unwrap();
    flags_of(product, action)
        .into_iter()
        .find(|(f, _)| f.name == field)
        .map(|(_, flag)| flag)
        .unwrap()
}

/// Every action of the embedded specs, with its product.
pub fn spec_names() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        if let Ok(spec) = dezai_spec::ProductSpec::from_json(&text) {
            for action in spec.actions {
                names.push((spec.product.clone(), action.name));
            }
        }
    }
    names
}

/// Every file under `root`, relative to it, sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                all.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    all.sort();
    all
}

/// An emulator of the embedded specs holding `world`, signing with `keys`.
pub async fn world_emulator(
    world: dezai_emulator::World,
    keys: (&str, &str),
) -> dezai_emulator::Emulator {
    dezai_emulator::Emulator::builder()
        .specs(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .key_pair(keys.0, keys.1)
        .world(world)
        .start()
        .await
        .unwrap()
}

/// The backup kinds the embedded specs offer whole: listing, URL action and instance listing.
pub fn offered_kinds() -> Vec<&'static dezai_spec::backups::BackupKind> {
    let names = spec_names();
    let has = |a: &str| names.iter().any(|(_, n)| n == a);
    dezai_spec::backups::KINDS
        .iter()
        .filter(|k| has(k.listing.action) && has(k.download.action) && has(k.instances.action))
        .collect()
}
