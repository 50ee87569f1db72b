//! A release's versions written into the manifests, through `toml_edit` so every comment and
//! layout stays: each released crate's own `version`, and every requirement on it (the root's
//! `[workspace.dependencies]` and any member's dependency that names a version), so that
//! published manifests require the versions released with them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{Item, value};

use super::Plan;
use crate::writers::toml::parse;

/// Writes the plan's versions; returns the manifests changed.
pub fn apply(root: &Path, plan: &Plan) -> Result<Vec<PathBuf>, String> {
    let next: BTreeMap<&str, String> = plan
        .crates
        .iter()
        .filter(|c| c.level.is_some())
        .map(|c| (c.name.as_str(), c.next.to_string()))
        .collect();
    let mut manifests: Vec<PathBuf> = vec![root.join("Cargo.toml")];
    manifests.extend(
        plan.crates
            .iter()
            .map(|c| root.join(&c.dir).join("Cargo.toml")),
    );
    let mut written = Vec::new();
    for path in manifests {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let updated = set_versions(&text, &path.display().to_string(), &next)?;
        if updated != text {
            std::fs::write(&path, &updated).map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// A manifest with its package's version and its requirements on the crates of `next` set.
pub fn set_versions(
    text: &str,
    path: &str,
    next: &BTreeMap<&str, String>,
) -> Result<String, String> {
    let mut doc = parse(text, path)?;
    if let Some(package) = doc.get_mut("package").and_then(Item::as_table_mut) {
        let name = package
            .get("name")
            .and_then(Item::as_str)
            .map(str::to_owned);
        if let Some(version) = name.as_deref().and_then(|n| next.get(n)) {
            // A crate's own version replaces `version.workspace = true`: crates are released
            // one by one.
            package.insert("version", value(version.as_str()));
        }
    }
    let mut tables: Vec<&mut toml_edit::Table> = Vec::new();
    let (workspace, rest): (Vec<_>, Vec<_>) = doc
        .as_table_mut()
        .iter_mut()
        .partition(|(key, _)| key == "workspace");
    for (_, item) in workspace {
        if let Some(deps) = item
            .as_table_mut()
            .and_then(|w| w.get_mut("dependencies"))
            .and_then(Item::as_table_mut)
        {
            tables.push(deps);
        }
    }
    for (key, item) in rest {
        if ["dependencies", "build-dependencies"].contains(&key.get()) {
            if let Some(deps) = item.as_table_mut() {
                tables.push(deps);
            }
        }
    }
    for deps in tables {
        for (key, item) in deps.iter_mut() {
            let name = item
                .get("package")
                .and_then(Item::as_str)
                .unwrap_or(key.get())
                .to_owned();
            let Some(version) = next.get(name.as_str()) else {
                continue;
            };
            if let Some(table) = item.as_table_like_mut() {
                if table.contains_key("version") {
                    table.insert("version", value(version.as_str()));
                }
            }
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_requirements_change_and_nothing_else() {
        let manifest = "[package]\nname = \"dezai-a\"\nversion.workspace = true # shared\n\n\
                        [dependencies]\n# the core\ndezai-b = { path = \"../b\", version = \"0.1.0\" }\n\
                        dezai-c.workspace = true\nserde = \"1\"\n";
        let next = BTreeMap::from([
            ("dezai-a", "0.2.0".to_owned()),
            ("dezai-b", "0.1.1".to_owned()),
        ]);
        let out = set_versions(manifest, "Cargo.toml", &next).unwrap();
        assert!(out.contains("version = \"0.2.0\""), "{out}");
        assert!(
            out.contains("dezai-b = { path = \"../b\", version = \"0.1.1\" }"),
            "{out}"
        );
        assert!(
            out.contains("# the core") && out.contains("dezai-c.workspace = true"),
            "{out}"
        );
        assert!(out.contains("serde = \"1\""), "{out}");
    }
}
