//! Helpers of the backup tests: scratch folders, output, file hashes, and the flags the
//! command line gives an action's fields.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Output;

use dezai_spec::protocol::ConfigParam;
use dezai_spec::{Action, Field};
use md5::Digest;

/// An empty folder of its own for one test.
pub fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dezai-cli-{name}-{}", std::process::id()));
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
