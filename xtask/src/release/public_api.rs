//! A hand-written library's public API, listed from rustdoc's JSON so that a release compares
//! it the way it compares a spec: one entry per public path (modules, types, fields, variants,
//! functions, methods, constants, trait items, trait implementations), each with a canonical
//! signature. Removed or changed entries are breaking, added ones are additions, a new
//! `#[deprecated]` is an addition too (cargo-semver-checks counts it so).
//!
//! A struct's own entry carries its field names when code outside can build it with a literal
//! (no private fields, not `#[non_exhaustive]`), an enum's its variants when it is exhaustive,
//! a trait's its items without defaults: adding to those breaks callers, and so changes the
//! entry. Rustdoc's JSON is unstable; it is produced by the same toolchain on both sides of a
//! comparison (`RUSTC_BOOTSTRAP=1`), and only the parts read here need to keep their meaning.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::version::Level;

/// One public path and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `function`, `struct`, `impl`, …
    pub kind: String,
    /// Everything a caller depends on, canonical (ids replaced by paths).
    pub signature: String,
    /// Whether it is `#[deprecated]`.
    pub deprecated: bool,
}

/// A crate's public API.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Entries by path (`dezai_runtime::Client::send`).
    pub entries: BTreeMap<String, Entry>,
    /// The crates (library names, `dezai_spec`) whose items the public API names.
    pub names_crates: BTreeSet<String>,
}

/// One difference between two listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiItemChange {
    /// The path.
    pub path: String,
    /// Its kind.
    pub kind: String,
    /// `added`, `removed`, `changed` or `deprecated`.
    pub what: &'static str,
    /// What it requires of the version.
    pub level: Level,
}

/// The changes from `old` to `new`, by path.
pub fn diff(old: &Listing, new: &Listing) -> Vec<ApiItemChange> {
    let paths: BTreeSet<&String> = old.entries.keys().chain(new.entries.keys()).collect();
    let mut out = Vec::new();
    for path in paths {
        let change = match (old.entries.get(path), new.entries.get(path)) {
            (Some(o), None) => Some((o, "removed", Level::Breaking)),
            (None, Some(n)) => Some((n, "added", Level::Additions)),
            (Some(o), Some(n)) if o.signature != n.signature || o.kind != n.kind => {
                Some((n, "changed", Level::Breaking))
            }
            (Some(o), Some(n)) if n.deprecated && !o.deprecated => {
                Some((n, "deprecated", Level::Additions))
            }
            _ => None,
        };
        if let Some((entry, what, level)) = change {
            out.push(ApiItemChange {
                path: path.clone(),
                kind: entry.kind.clone(),
                what,
                level,
            });
        }
    }
    out
}

/// Builds rustdoc's JSON of `package`'s library in the workspace at `root` (with `features`),
/// into `target`; returns the JSON file.
pub fn build(
    root: &Path,
    package: &str,
    features: &[String],
    target: &Path,
) -> Result<PathBuf, String> {
    let mut command = crate::cargo();
    command
        .args(["rustdoc", "--quiet", "--lib", "-p", package])
        .arg("--target-dir")
        .arg(target)
        .current_dir(root)
        // Rustdoc's JSON output is unstable; the toolchain's own rustdoc writes it when told to.
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTDOCFLAGS");
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    command.args(["--", "-Z", "unstable-options", "--output-format", "json"]);
    let out = command
        .output()
        .map_err(|e| format!("cargo rustdoc -p {package}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo rustdoc -p {package} in {} failed:\n{}",
            root.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(target
        .join("doc")
        .join(format!("{}.json", package.replace('-', "_"))))
}

/// Reads rustdoc's JSON into a listing.
pub fn read(path: &Path) -> Result<Listing, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    listing(&json).ok_or_else(|| format!("{}: not rustdoc JSON this reader knows", path.display()))
}

/// The listing of a parsed rustdoc JSON document.
pub fn listing(json: &Value) -> Option<Listing> {
    let index = json.get("index")?.as_object()?;
    let root = json.get("root")?;
    let root_item = index.get(&id_key(root)?)?;
    let name = root_item.get("name")?.as_str()?.to_owned();
    let mut walker = Walker {
        index,
        paths: json.get("paths")?.as_object()?,
        crates: json.get("external_crates")?.as_object()?,
        listing: Listing::default(),
        stack: Vec::new(),
    };
    walker.module(root_item, &name);
    Some(walker.listing)
}

struct Walker<'a> {
    index: &'a Map<String, Value>,
    paths: &'a Map<String, Value>,
    crates: &'a Map<String, Value>,
    listing: Listing,
    /// Modules being walked, against re-export cycles.
    stack: Vec<String>,
}

impl Walker<'_> {
    fn module(&mut self, module: &Value, path: &str) {
        let Some(key) = module.get("id").and_then(id_key) else {
            return;
        };
        if self.stack.contains(&key) {
            return;
        }
        self.stack.push(key);
        for child in ids(inner(module).and_then(|(_, m)| m.get("items"))) {
            self.visit(&child, path, None);
        }
        self.stack.pop();
    }

    fn visit(&mut self, id: &str, prefix: &str, rename: Option<&str>) {
        let Some(item) = self.index.get(id) else {
            return;
        };
        let Some((kind, body)) = inner(item) else {
            return;
        };
        if kind != "use" && item.get("visibility").and_then(Value::as_str) != Some("public") {
            return;
        }
        if kind == "use" {
            if item.get("visibility").and_then(Value::as_str) != Some("public") {
                return;
            }
            let target = body.get("id").and_then(id_key);
            let glob = body.get("is_glob").and_then(Value::as_bool) == Some(true);
            let name = body.get("name").and_then(Value::as_str).unwrap_or("_");
            match target.as_ref().and_then(|t| self.index.get(t)) {
                Some(module) if glob => self.module(module, prefix),
                Some(_) => self.visit(target.as_deref().unwrap_or(""), prefix, Some(name)),
                None => {
                    // A re-export of another crate's item: its path is the API.
                    let source = target
                        .as_deref()
                        .map(|t| self.path_of(t))
                        .unwrap_or_else(|| {
                            body.get("source").map(Value::to_string).unwrap_or_default()
                        });
                    self.record(format!("{prefix}::{name}"), "re-export", source, item);
                }
            }
            return;
        }
        let Some(name) = rename.or_else(|| item.get("name").and_then(Value::as_str)) else {
            return;
        };
        let path = format!("{prefix}::{name}");
        match kind {
            "module" => {
                self.record(path.clone(), kind, String::new(), item);
                self.module(item, &path);
            }
            "struct" | "union" => {
                let fields = body
                    .get("kind")
                    .and_then(|k| k.get("plain"))
                    .map(|plain| plain.get("fields"))
                    .unwrap_or_else(|| body.get("fields"));
                let stripped = body
                    .get("kind")
                    .and_then(|k| k.get("plain"))
                    .and_then(|p| p.get("has_stripped_fields"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let tuple = body.get("kind").and_then(|k| k.get("tuple"));
                let mut field_names = Vec::new();
                for field in ids(fields).into_iter().chain(ids(tuple)) {
                    if let Some(f) = self.index.get(&field) {
                        let field_name = f.get("name").and_then(Value::as_str).unwrap_or("_");
                        field_names.push(field_name.to_owned());
                        self.record_item(format!("{path}.{field_name}"), f);
                    }
                }
                // A tuple field that is private shows as `null`.
                let private_tuple = tuple
                    .and_then(Value::as_array)
                    .is_some_and(|t| t.iter().any(Value::is_null));
                let exhaustive = !stripped && !private_tuple && !non_exhaustive(item);
                let signature = format!(
                    "{} {} literal:{}",
                    self.canonical(body.get("generics")),
                    self.canonical(Some(&attrs(item))),
                    if exhaustive {
                        field_names.join(",")
                    } else {
                        "-".into()
                    }
                );
                self.record(path.clone(), kind, signature, item);
                self.impls(body, &path);
            }
            "enum" => {
                let mut variants = Vec::new();
                for variant in ids(body.get("variants")) {
                    if let Some(v) = self.index.get(&variant) {
                        let variant_name = v.get("name").and_then(Value::as_str).unwrap_or("_");
                        variants.push(variant_name.to_owned());
                        let mut signature = self.canonical(inner(v).map(|(_, b)| b));
                        // A variant's fields are their own items.
                        for field in ids(inner(v).and_then(|(_, b)| b.get("kind")).and_then(|k| {
                            k.get("struct")
                                .and_then(|s| s.get("fields"))
                                .or_else(|| k.get("tuple"))
                        })) {
                            if let Some(f) = self.index.get(&field) {
                                signature.push_str(&self.canonical(inner(f).map(|(_, b)| b)));
                            }
                        }
                        self.record(format!("{path}::{variant_name}"), "variant", signature, v);
                    }
                }
                let exhaustive = !non_exhaustive(item);
                let signature = format!(
                    "{} {} variants:{}",
                    self.canonical(body.get("generics")),
                    self.canonical(Some(&attrs(item))),
                    if exhaustive {
                        variants.join(",")
                    } else {
                        "-".into()
                    }
                );
                self.record(path.clone(), kind, signature, item);
                self.impls(body, &path);
            }
            "trait" => {
                let mut required = Vec::new();
                for member in ids(body.get("items")) {
                    if let Some(m) = self.index.get(&member) {
                        let member_name = m.get("name").and_then(Value::as_str).unwrap_or("_");
                        if !has_default(m) {
                            required.push(member_name.to_owned());
                        }
                        self.record_item(format!("{path}::{member_name}"), m);
                    }
                }
                let mut shape = body.clone();
                if let Some(shape) = shape.as_object_mut() {
                    shape.remove("items");
                    shape.remove("implementations");
                }
                let signature = format!(
                    "{} required:{}",
                    self.canonical(Some(&shape)),
                    required.join(",")
                );
                self.record(path, kind, signature, item);
            }
            _ => self.record_item(path, item),
        }
    }

    /// Methods of inherent implementations, and the traits implemented (blanket ones aside:
    /// they follow from the traits).
    fn impls(&mut self, body: &Value, path: &str) {
        for id in ids(body.get("impls")) {
            let Some(imp) = self.index.get(&id) else {
                continue;
            };
            let Some((_, imp_body)) = inner(imp) else {
                continue;
            };
            if !imp_body.get("blanket_impl").is_none_or(Value::is_null) {
                continue;
            }
            match imp_body.get("trait").filter(|t| !t.is_null()) {
                None => {
                    for member in ids(imp_body.get("items")) {
                        if let Some(m) = self.index.get(&member) {
                            if m.get("visibility").and_then(Value::as_str) != Some("public") {
                                continue;
                            }
                            let name = m.get("name").and_then(Value::as_str).unwrap_or("_");
                            self.record_item(format!("{path}::{name}"), m);
                        }
                    }
                }
                Some(tr) => {
                    let trait_path = tr
                        .get("id")
                        .and_then(id_key)
                        .map(|t| self.path_of(&t))
                        .unwrap_or_default();
                    let negative =
                        imp_body.get("is_negative").and_then(Value::as_bool) == Some(true);
                    let signature = format!(
                        "{}{} {}",
                        if negative { "!" } else { "" },
                        self.canonical(tr.get("args")),
                        self.canonical(imp_body.get("generics")),
                    );
                    // `From<String>` and `From<&str>` are two implementations: the key names
                    // the trait's arguments.
                    let args = self.canonical_value(tr.get("args").unwrap_or(&Value::Null));
                    let mut names = Vec::new();
                    type_names(&args, &mut names);
                    let label = if names.is_empty() {
                        String::new()
                    } else {
                        format!("<{}>", names.join(", "))
                    };
                    self.record(
                        format!("{path}: {trait_path}{label}"),
                        "impl",
                        signature,
                        imp,
                    );
                }
            }
        }
    }

    fn record_item(&mut self, path: String, item: &Value) {
        let Some((kind, body)) = inner(item) else {
            return;
        };
        let signature = format!(
            "{} {}",
            self.canonical(Some(body)),
            self.canonical(Some(&attrs(item)))
        );
        self.record(path, kind, signature, item);
    }

    fn record(&mut self, path: String, kind: &str, signature: String, item: &Value) {
        let deprecated = item.get("deprecation").is_some_and(|d| !d.is_null());
        self.listing.entries.insert(
            path,
            Entry {
                kind: kind.to_owned(),
                signature,
                deprecated,
            },
        );
    }

    /// The full path of an item by id (`dezai_spec::backups::BackupKind`), noting its crate.
    fn path_of(&mut self, id: &str) -> String {
        let Some(summary) = self.paths.get(id) else {
            return format!("#{id}");
        };
        if let Some(krate) = summary
            .get("crate_id")
            .and_then(|c| c.as_u64())
            .filter(|c| *c != 0)
            .and_then(|c| self.crates.get(&c.to_string()))
            .and_then(|c| c.get("name"))
            .and_then(Value::as_str)
        {
            self.listing.names_crates.insert(krate.to_owned());
        }
        summary
            .get("path")
            .and_then(Value::as_array)
            .map(|parts| {
                parts
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("::")
            })
            .unwrap_or_default()
    }

    /// A value as canonical text: ids replaced by the paths they stand for, the parts that do
    /// not make API (spans, docs, links, lists of implementations) left out.
    fn canonical(&mut self, value: Option<&Value>) -> String {
        value
            .map(|v| self.canonical_value(v).to_string())
            .unwrap_or_default()
    }

    fn canonical_value(&mut self, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, v) in map {
                    match key.as_str() {
                        "span" | "docs" | "links" | "impls" | "implementations" => {}
                        "id" => {
                            if let Some(key) = id_key(v) {
                                out.insert("id".into(), Value::String(self.path_of(&key)));
                            }
                        }
                        _ => {
                            let v = self.canonical_value(v);
                            out.insert(key.clone(), v);
                        }
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.canonical_value(v)).collect())
            }
            other => other.clone(),
        }
    }
}

/// The types a canonical value names, in order: paths (ids already replaced), primitives and
/// generic parameters.
fn type_names(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("id" | "primitive" | "generic", Value::String(name)) => out.push(name.clone()),
                    ("borrowed_ref", v) => {
                        let mut inner = Vec::new();
                        type_names(v, &mut inner);
                        if let Some(first) = inner.first_mut() {
                            first.insert(0, '&');
                        }
                        out.extend(inner);
                    }
                    _ => type_names(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| type_names(v, out)),
        _ => {}
    }
}

/// An item's kind and body: rustdoc writes `"inner": {"<kind>": {…}}`.
fn inner(item: &Value) -> Option<(&str, &Value)> {
    let (kind, body) = item.get("inner")?.as_object()?.iter().next()?;
    Some((kind.as_str(), body))
}

/// The ids of a list (`null` entries, private tuple fields, left out).
fn ids(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(id_key).collect())
        .unwrap_or_default()
}

/// An id as the index's key.
fn id_key(id: &Value) -> Option<String> {
    match id {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The attributes that are API (`#[non_exhaustive]`, `#[repr]`, `#[must_use]`, …), without
/// the compiler's own bookkeeping.
fn attrs(item: &Value) -> Value {
    let kept: Vec<Value> = item
        .get("attrs")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|a| {
                    let text = a.to_string();
                    !text.contains("automatically_derived") && !text.contains("Inline(")
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    Value::Array(kept)
}

fn non_exhaustive(item: &Value) -> bool {
    attrs(item).to_string().contains("non_exhaustive")
}

/// Whether a trait item has a default, so that implementors need not write it.
fn has_default(item: &Value) -> bool {
    match inner(item) {
        Some(("function", body)) => body.get("has_body").and_then(Value::as_bool) == Some(true),
        Some(("assoc_type", body)) => !body.get("type").is_none_or(Value::is_null),
        Some(("assoc_const", body)) => !body.get("value").is_none_or(Value::is_null),
        _ => true,
    }
}
