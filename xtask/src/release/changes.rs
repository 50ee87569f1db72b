//! What changed in each crate since the last release, and what that requires of its version.
//!
//! A product crate is compared by its spec (`codegen::api_diff`, the rules every regeneration
//! prints), a hand-written library by its public API listed from rustdoc (`public_api`): the
//! same two kinds of outcome, breaking or not, and the same bump rule. A crate that depends on
//! a bumped crate is bumped too: by the dependency's level when the dependency is part of its
//! API (its types appear in the crate's public items), else by a patch, so that its manifest
//! can require the new version.

use std::collections::BTreeMap;

use dezai_spec::ProductSpec;

use super::version::Level;
use crate::codegen::{ApiChange, Impact};

/// What a changelog section a change goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Code written against the previous release may no longer compile.
    Breaking,
    /// New API.
    Added,
    /// Newly deprecated API.
    Deprecated,
    /// Everything else: documentation, dependencies, fixes.
    Changed,
}

impl Section {
    /// The changelog's heading.
    pub fn heading(self) -> &'static str {
        match self {
            Section::Breaking => "Breaking",
            Section::Added => "Added",
            Section::Deprecated => "Deprecated",
            Section::Changed => "Changed",
        }
    }
}

/// One line of a crate's changelog, with the level it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where it goes.
    pub section: Section,
    /// The line (Markdown).
    pub text: String,
    /// What it requires of the version.
    pub level: Level,
}

impl Entry {
    /// An entry of a level, in the section that level belongs to.
    pub fn new(level: Level, text: impl Into<String>) -> Entry {
        let section = match level {
            Level::Breaking => Section::Breaking,
            Level::Additions => Section::Added,
            Level::Patch => Section::Changed,
        };
        Entry {
            section,
            text: text.into(),
            level,
        }
    }
}

/// The level of a spec change: breaking ones break, compatible ones add (a deprecation
/// included: cargo-semver-checks counts a new `#[deprecated]` as a minor change).
pub fn level_of(change: &ApiChange) -> Level {
    match change.impact {
        Impact::Breaking => Level::Breaking,
        Impact::Compatible => Level::Additions,
    }
}

/// A product's changes between two specs, as changelog entries: each API change (in the
/// documents' words where they have them), then actions whose documents changed without
/// changing the API (`Patch`).
pub fn product_entries(old: Option<&ProductSpec>, new: Option<&ProductSpec>) -> Vec<Entry> {
    let changes = crate::codegen::api_diff::diff_product(old, new);
    let mut entries: Vec<Entry> = changes
        .iter()
        .map(|change| {
            let mut entry = Entry::new(
                level_of(change),
                format!("`{}`: {}", change.action, change.what),
            );
            if change.what.contains(" deprecated (") {
                entry.section = Section::Deprecated;
            }
            if let Some(words) = &change.words {
                entry.text.push_str(&format!(" — {}", one_line(words)));
            }
            entry
        })
        .collect();
    let (Some(old), Some(new)) = (old, new) else {
        return entries;
    };
    let before: BTreeMap<&str, &dezai_spec::Action> =
        old.actions.iter().map(|a| (a.name.as_str(), a)).collect();
    for action in &new.actions {
        let Some(was) = before.get(action.name.as_str()) else {
            continue;
        };
        if changes.iter().any(|c| c.action == action.name) {
            continue;
        }
        if documentation(was) != documentation(action) {
            entries.push(Entry::new(
                Level::Patch,
                format!("`{}`: documentation updated", action.name),
            ));
        }
    }
    entries
}

/// What a document says, without where it says it: line numbers move with every edit above
/// them and are not a change of their own.
fn documentation(action: &dezai_spec::Action) -> String {
    let mut action = action.clone();
    let mut fields: Vec<&mut dezai_spec::Field> = action
        .request
        .iter_mut()
        .chain(action.response.iter_mut())
        .collect();
    for field in &mut fields {
        field.line = 0;
    }
    for model in &mut action.models {
        model.line = 0;
        for field in &mut model.fields {
            field.line = 0;
        }
    }
    action.warnings.clear();
    serde_json::to_string(&action).unwrap_or_default()
}

/// The first line of a description, for a changelog line.
fn one_line(words: &str) -> String {
    let line = words.lines().next().unwrap_or("").trim();
    line.trim_end_matches(['.', '。']).to_owned()
}
