//! The workspace's crates as a release sees them: name, folder, version, whether it is
//! published, what it builds (a library, a proc macro, only binaries), and which of the other
//! crates it depends on. Read from the manifests of the working tree or of a past commit, so
//! that both sides of a release are read by one rule.

use std::collections::BTreeMap;

use toml_edit::{DocumentMut, Item};

use super::version::Version;
use crate::codegen::wiring::PRODUCTS_DIR;

/// What a crate builds, which decides whether it has an API of its own to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A library: its public items are its API.
    Library,
    /// A procedural macro: its API is the macros, not Rust items a user names.
    ProcMacro,
    /// Binaries only: no Rust API.
    Binary,
}

/// One crate of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    /// The package name (`dezai-runtime`).
    pub name: String,
    /// Its folder, relative to the root, with `/` (`crates/dezai-runtime`).
    pub dir: String,
    /// Its version in this tree.
    pub version: Version,
    /// Whether it is published (`publish = false` crates are tools, never released).
    pub published: bool,
    /// What it builds.
    pub target: Target,
    /// The product whose spec generates it, for crates under `products/`.
    pub product: Option<String>,
    /// The workspace crates it depends on to build (normal and build dependencies; dev
    /// dependencies are path-only and never published).
    pub depends_on: Vec<String>,
    /// The features its documentation is built with (`[package.metadata.docs.rs]`): what
    /// docs.rs shows is the API users see.
    pub doc_features: Vec<String>,
}

/// Reads the workspace whose files `read` returns (paths relative to the root, `None` when
/// missing); `list` gives the folders under a folder, for the members' globs.
pub fn read(
    read: &dyn Fn(&str) -> Option<String>,
    list: &dyn Fn(&str) -> Vec<String>,
) -> Result<BTreeMap<String, Crate>, String> {
    let root_text = read("Cargo.toml").ok_or("Cargo.toml is missing")?;
    let root = parse(&root_text, "Cargo.toml")?;
    let workspace_version = root
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(Item::as_str)
        .and_then(Version::parse);
    let members = root
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(Item::as_array)
        .ok_or("Cargo.toml has no [workspace] members")?;
    let mut dirs = Vec::new();
    for member in members.iter().filter_map(|m| m.as_str()) {
        match member.strip_suffix("/*") {
            Some(parent) => dirs.extend(list(parent).into_iter().map(|d| format!("{parent}/{d}"))),
            None => dirs.push(member.to_owned()),
        }
    }
    let mut crates = BTreeMap::new();
    let mut dependencies = Vec::new();
    for dir in dirs {
        let path = format!("{dir}/Cargo.toml");
        let Some(text) = read(&path) else { continue };
        let manifest = parse(&text, &path)?;
        let package = manifest
            .get("package")
            .ok_or_else(|| format!("{path} has no [package]"))?;
        let name = package
            .get("name")
            .and_then(Item::as_str)
            .ok_or_else(|| format!("{path} has no package name"))?
            .to_owned();
        let version = match package.get("version") {
            Some(item) if item.as_str().is_some() => item.as_str().and_then(Version::parse),
            Some(_) => workspace_version,
            None => None,
        }
        .ok_or_else(|| format!("{path}: the version is not a plain x.y.z"))?;
        let published = package.get("publish").and_then(Item::as_bool) != Some(false);
        let target = if manifest
            .get("lib")
            .and_then(|l| l.get("proc-macro"))
            .and_then(Item::as_bool)
            == Some(true)
        {
            Target::ProcMacro
        } else if read(&format!("{dir}/src/lib.rs")).is_some() || manifest.get("lib").is_some() {
            Target::Library
        } else {
            Target::Binary
        };
        let product = dir
            .strip_prefix(&format!("{PRODUCTS_DIR}/"))
            .map(str::to_owned);
        let names: Vec<String> = ["dependencies", "build-dependencies"]
            .iter()
            .filter_map(|table| manifest.get(table).and_then(Item::as_table_like))
            .flat_map(|table| table.iter().map(|(key, item)| package_name(key, item)))
            .collect();
        dependencies.push((name.clone(), names));
        let doc_features = package
            .get("metadata")
            .and_then(|m| m.get("docs"))
            .and_then(|d| d.get("rs"))
            .and_then(|r| r.get("features"))
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        crates.insert(
            name.clone(),
            Crate {
                name,
                dir,
                version,
                published,
                target,
                product,
                depends_on: Vec::new(),
                doc_features,
            },
        );
    }
    for (name, names) in dependencies {
        let mut ours: Vec<String> = names
            .into_iter()
            .filter(|d| crates.contains_key(d) && *d != name)
            .collect();
        ours.sort();
        ours.dedup();
        if let Some(krate) = crates.get_mut(&name) {
            krate.depends_on = ours;
        }
    }
    Ok(crates)
}

/// The published crates in an order cargo can publish them: each after what it depends on.
pub fn publish_order(crates: &BTreeMap<String, Crate>, names: &[String]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut left: Vec<&String> = names.iter().collect();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|name| {
            let ready = crates[*name]
                .depends_on
                .iter()
                .all(|d| order.contains(d) || !names.contains(d));
            if ready {
                order.push((*name).clone());
            }
            !ready
        });
        if left.len() == before {
            // A cycle among normal dependencies: cargo itself refuses it; keep them in name
            // order rather than loop.
            order.extend(left.drain(..).cloned());
        }
    }
    order
}

/// The package a dependency entry names: its `package` key when renamed, else the key.
fn package_name(key: &str, item: &Item) -> String {
    item.get("package")
        .and_then(Item::as_str)
        .unwrap_or(key)
        .to_owned()
}

fn parse(text: &str, path: &str) -> Result<DocumentMut, String> {
    crate::writers::toml::parse(text, path)
}
