//! Cargo manifests through `toml_edit`: read keeping every comment and layout, tables reached
//! or created by path, values written as cargo writes them.

use toml_edit::{DocumentMut, InlineTable, Item, Table, value};

/// Parses a manifest; `path` names it in the error.
pub(crate) fn parse(text: &str, path: &str) -> Result<DocumentMut, String> {
    text.parse::<DocumentMut>()
        .map_err(|e| format!("{path} is not valid TOML: {e}"))
}

/// The table of `doc` at `keys` (created implicit when missing), or an error naming it.
pub(crate) fn table_at<'d>(
    doc: &'d mut DocumentMut,
    keys: &[&str],
    path: &str,
) -> Result<&'d mut Table, String> {
    let mut table = doc.as_table_mut();
    for key in keys {
        let item = table.entry(key).or_insert_with(|| {
            let mut new = Table::new();
            new.set_implicit(true);
            Item::Table(new)
        });
        table = item
            .as_table_mut()
            .ok_or_else(|| format!("{path}: `{}` is not a table", keys.join(".")))?;
    }
    Ok(table)
}

/// `key.workspace = true`, as cargo writes inheritance.
pub(crate) fn workspace_inherited() -> Item {
    let mut inherited = Table::new();
    inherited.set_dotted(true);
    inherited.insert("workspace", value(true));
    Item::Table(inherited)
}

/// A dependency by path: `{ path = "…" }`, with `extra` keys after it.
pub(crate) fn path_dependency(path: &str, extra: &[(&str, toml_edit::Value)]) -> Item {
    let mut dependency = InlineTable::new();
    dependency.insert("path", path.into());
    for (key, v) in extra {
        dependency.insert(*key, v.clone());
    }
    value(dependency)
}
