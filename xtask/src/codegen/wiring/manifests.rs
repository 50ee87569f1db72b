//! The generated tables of Cargo manifests, edited with `toml_edit`: each generated table or
//! entry is replaced, and every comment, key and table written by hand is kept as it is.
//!
//! - the workspace's `members` entries under `products/`, and the product crates'
//!   `[profile.dev.package.dezai-<product>]` tables;
//! - the facade's product features (and `default`), and its optional dependencies on the
//!   product crates;
//! - each product crate's whole manifest.

use dezai_spec::ProductSpec;
use toml_edit::{Array, DocumentMut, Item, Table, Value, value};

use super::{PRODUCTS_DIR, crate_name};
use crate::writers::toml::{parse, path_dependency, table_at, workspace_inherited};

/// The comment above the first generated profile table.
const PROFILES_NOTE: &str = "\n# The product crates' profiles, written by `cargo xtask codegen`: built as a user's build\n# builds them, without incremental compilation (see xtask/src/codegen/wiring.rs).\n";

/// The comment above the first generated member.
const MEMBERS_NOTE: &str = "\n    # The product crates, listed by `cargo xtask codegen` (a glob that matches no crate\n    # makes cargo refuse the workspace).\n    ";

/// The workspace's `[workspace.package]` version: the version a new product crate starts at.
pub(super) fn workspace_version(manifest: &str, path: &str) -> Result<String, String> {
    let doc = parse(manifest, path)?;
    doc.get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(Item::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{path} has no [workspace.package] version"))
}

/// The workspace's manifest with the product crates as members (listed: a glob that matches
/// nothing, as in a project without documents yet, makes cargo refuse the workspace, and with
/// it `cargo xtask`), and their profiles. They are built without incremental compilation, as
/// cargo builds them for a user (a crate from a registry never is): they are generated, not
/// edited, and a spec edit expands the whole product again, while incremental's bookkeeping
/// made their clean build 40% slower (BENCHMARKS.md).
pub(super) fn workspace(manifest: &str, specs: &[&ProductSpec]) -> Result<String, String> {
    let path = "Cargo.toml";
    let mut doc = parse(manifest, path)?;
    let prefix = format!("{PRODUCTS_DIR}/");
    let members = table_at(&mut doc, &["workspace"], path)?
        .get_mut("members")
        .and_then(Item::as_array_mut)
        .ok_or_else(|| format!("{path} has no [workspace] members list"))?;
    // The product crates listed before, whose profiles are ours to replace too.
    let mut generated: Vec<String> = members
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|m| m.strip_prefix(&prefix))
        .map(crate_name)
        .collect();
    members.retain(|m| !m.as_str().is_some_and(|m| m.starts_with(&prefix)));
    for (i, spec) in specs.iter().enumerate() {
        let mut entry = Value::from(format!("{prefix}{}", spec.product));
        let note = if i == 0 { MEMBERS_NOTE } else { "\n    " };
        entry.decor_mut().set_prefix(note);
        members.push_formatted(entry);
    }
    members.set_trailing_comma(true);
    members.set_trailing("\n");

    let packages = table_at(&mut doc, &["profile", "dev", "package"], path)?;
    generated.extend(specs.iter().map(|s| crate_name(&s.product)));
    packages.retain(|name, _| !generated.iter().any(|g| g == name));
    for (i, spec) in specs.iter().enumerate() {
        let mut profile = Table::new();
        profile.insert("incremental", value(false));
        if i == 0 {
            profile.decor_mut().set_prefix(PROFILES_NOTE);
        }
        packages.insert(&crate_name(&spec.product), Item::Table(profile));
    }
    Ok(doc.to_string())
}

/// The facade's manifest with one feature per product (all default) and an optional
/// dependency on each product crate, by path (in the workspace) and version (from a
/// registry).
pub(super) fn facade(
    manifest: &str,
    specs: &[&ProductSpec],
    versions: &dyn Fn(&str) -> String,
) -> Result<String, String> {
    let path = "crates/dezai-sdk/Cargo.toml";
    let mut doc = parse(manifest, path)?;
    let dir = format!("../../{PRODUCTS_DIR}/");
    let dependencies = table_at(&mut doc, &["dependencies"], path)?;
    // Product crates of earlier runs: dependencies by path into `products/`.
    let mut old: Vec<String> = Vec::new();
    dependencies.retain(|name, item| {
        let ours = item
            .get("path")
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.starts_with(&dir));
        if ours {
            old.push(name.to_owned());
        }
        !ours
    });
    for spec in specs {
        let dependency = path_dependency(
            &format!("{dir}{}", spec.product),
            &[
                ("version", versions(&spec.product).into()),
                ("optional", true.into()),
            ],
        );
        dependencies.insert(&crate_name(&spec.product), dependency);
    }

    let features = table_at(&mut doc, &["features"], path)?;
    // The default's hand-written features (`backups`) stay in it, ahead of the products.
    let earlier_default: Vec<String> = features
        .get("default")
        .and_then(|d| d.as_array())
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    features.retain(|name, item| {
        let enables_old = item.as_array().is_some_and(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .any(|f| old.iter().any(|o| f == format!("dep:{o}")))
        });
        name != "default" && !enables_old
    });
    let mut default = Array::new();
    let hand_written = earlier_default.iter().filter(|name| {
        features.contains_key(name.as_str()) && !specs.iter().any(|s| &s.product == *name)
    });
    default.extend(hand_written.map(String::as_str));
    default.extend(specs.iter().map(|s| s.product.as_str()));
    features.insert("default", value(default));
    for spec in specs {
        let mut enables = Array::new();
        enables.push(format!("dep:{}", crate_name(&spec.product)));
        features.insert(&spec.product, value(enables));
    }
    Ok(doc.to_string())
}

/// A product crate's version as its manifest states it, if it does (releases set it:
/// `cargo xtask release`), so that regenerating keeps it.
pub(super) fn product_version(manifest: &str) -> Option<String> {
    let doc = manifest.parse::<DocumentMut>().ok()?;
    doc.get("package")?
        .get("version")?
        .as_str()
        .map(str::to_owned)
}

/// A product crate's manifest: a member of the workspace, sharing its lints, at `version`
/// (each crate is released at its own version).
pub(super) fn product(spec: &ProductSpec, version: &str) -> String {
    let product = &spec.product;
    let mut doc = DocumentMut::new();
    let mut package = Table::new();
    package.decor_mut().set_prefix(format!(
        "# Generated by `cargo xtask codegen` from specs/{product}.json; do not edit.\n"
    ));
    package.insert("name", value(crate_name(product)));
    package.insert(
        "description",
        value(format!(
            "The Dezai cloud's `{product}` API, typed: generated from its documents. Use it \
             through dezai-sdk (feature `{product}`)."
        )),
    );
    package.insert("version", value(version));
    for key in ["edition", "rust-version", "license", "repository"] {
        package.insert(key, workspace_inherited());
    }
    package.insert(
        "keywords",
        value(Array::from_iter(["dezai", "cloud", "api", "sdk"])),
    );
    package.insert("categories", value(Array::from_iter(["api-bindings"])));
    package.insert(
        "include",
        value(Array::from_iter([
            "src/**/*".to_owned(),
            format!("specs/{product}.json"),
            "Cargo.toml".to_owned(),
        ])),
    );
    doc.insert("package", Item::Table(package));
    let mut lib = Table::new();
    lib.decor_mut().set_prefix(
        "# The rustdoc examples call the product through dezai-sdk; the SDK's conformance tests\n\
         # compile every one of them (one test, not a doctest per action).\n",
    );
    lib.insert("doctest", value(false));
    doc.insert("lib", Item::Table(lib));
    let mut dependencies = Table::new();
    for dependency in ["dezai-macros", "dezai-runtime"] {
        dependencies.insert(dependency, workspace_inherited());
    }
    doc.insert("dependencies", Item::Table(dependencies));
    let mut lints = Table::new();
    lints.insert("workspace", value(true));
    doc.insert("lints", Item::Table(lints));
    doc.to_string()
}
