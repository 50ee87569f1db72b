//! The changelogs a release writes: `CHANGELOG.md` in each released crate's folder, newest
//! entry first, sections in a fixed order (Breaking, Added, Deprecated, Changed); the facade's
//! entry also sums up every crate of the release. Writing the same release again replaces its
//! entry rather than adding a second.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Plan;
use super::changes::Section;

/// The first line of every changelog.
const TITLE: &str = "# Changelog";

/// The crate whose entry sums up the release.
pub const FACADE: &str = "dezai-sdk";

/// Writes the entry of every crate the plan releases; returns the files written.
pub fn write(root: &Path, plan: &Plan, date: &str) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for krate in plan.publish_order() {
        let path = root.join(&krate.dir).join("CHANGELOG.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let entry = entry(plan, &krate.name, date);
        let text = insert(&old, &krate.next.to_string(), &entry);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// One crate's entry for this release (Markdown, from its `##` heading on).
pub fn entry(plan: &Plan, name: &str, date: &str) -> String {
    let Some(krate) = plan.get(name) else {
        return String::new();
    };
    let mut out = format!("## {} — {date}\n", krate.next);
    if name == FACADE {
        let others: Vec<_> = plan
            .publish_order()
            .into_iter()
            .filter(|c| c.name != FACADE)
            .collect();
        if !others.is_empty() {
            out.push_str("\nReleased with this version:\n\n");
            for other in others {
                let from = other
                    .released
                    .map(|v| format!("{v} → "))
                    .unwrap_or_default();
                let what = other
                    .level
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "first release".into());
                let _ = writeln!(
                    out,
                    "- `{}` {from}{} ({what}; {})",
                    other.name,
                    other.next,
                    counts(other),
                );
            }
        }
    }
    for section in [
        Section::Breaking,
        Section::Added,
        Section::Deprecated,
        Section::Changed,
    ] {
        let lines: Vec<&str> = krate
            .entries
            .iter()
            .filter(|e| e.section == section)
            .map(|e| e.text.as_str())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {}\n", section.heading());
        for line in lines {
            let _ = writeln!(out, "- {line}");
        }
    }
    out
}

/// `2 breaking, 1 added` for a crate's entries.
fn counts(krate: &super::CratePlan) -> String {
    let parts: Vec<String> = [
        (Section::Breaking, "breaking"),
        (Section::Added, "added"),
        (Section::Deprecated, "deprecated"),
        (Section::Changed, "changed"),
    ]
    .iter()
    .filter_map(|(section, word)| {
        let n = krate
            .entries
            .iter()
            .filter(|e| e.section == *section)
            .count();
        (n > 0).then(|| format!("{n} {word}"))
    })
    .collect();
    parts.join(", ")
}

/// The changelog with `entry` as its newest, replacing an entry of the same version.
fn insert(old: &str, version: &str, entry: &str) -> String {
    let heading = format!("## {version} ");
    let mut kept = String::new();
    let mut skipping = false;
    for line in old.lines() {
        if line.starts_with("## ") {
            skipping = line.starts_with(&heading);
        }
        if !skipping && line != TITLE {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    format!("{TITLE}\n\n{entry}\n{}", kept.trim_start())
        .trim_end()
        .to_owned()
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::insert;

    #[test]
    fn a_release_written_again_replaces_its_entry() {
        let first = insert("", "0.2.0", "## 0.2.0 — d\n\n- a\n");
        let older = insert(&first, "0.3.0", "## 0.3.0 — d\n\n- b\n");
        let again = insert(&older, "0.3.0", "## 0.3.0 — d\n\n- c\n");
        assert_eq!(
            again,
            "# Changelog\n\n## 0.3.0 — d\n\n- c\n\n## 0.2.0 — d\n\n- a\n"
        );
    }
}
