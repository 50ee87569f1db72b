//! The runtime is the protocol core: no action of any published document and no kinds table
//! appear in its source (the backup engine that knows them is `dezai-backups`, above it).

use std::path::Path;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path.display().to_string(), text));
        }
    }
    found
}

/// Whether `word` stands in `text` as a word of its own (not inside a longer name).
fn has_word(text: &str, word: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

#[test]
fn the_runtime_names_no_action_and_no_kinds_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut actions = Vec::new();
    for entry in std::fs::read_dir(root.join("../../specs")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        if let Ok(spec) = dezai_spec::ProductSpec::from_json(&text) {
            actions.extend(spec.actions.into_iter().map(|a| a.name));
        }
    }
    assert!(!actions.is_empty(), "the specs hold actions");
    let mut named = Vec::new();
    for (file, text) in sources(&root.join("src")) {
        for action in &actions {
            if has_word(&text, action) {
                named.push(format!("{file}: {action}"));
            }
        }
        for table in ["KINDS", "backups::kind", "BackupKind"] {
            if text.contains(table) {
                named.push(format!("{file}: {table}"));
            }
        }
    }
    assert!(named.is_empty(), "{named:#?}");
}
