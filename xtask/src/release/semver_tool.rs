//! The independent check: cargo-semver-checks, run on every library a release bumps, against
//! the rustdoc JSON of the last release (the same files the plan's own comparison reads, so
//! both judge one pair of builds).
//!
//! The tool lists the lints that fail, each with the level it requires (`major`, `minor`, by
//! `--list`) and the items. It disagrees with the plan when its level gives a later version
//! than the plan's (the plan called a break compatible); where the plan is the stricter, the
//! difference is reported, not failed: the tool has no lints for changed field or parameter
//! types, which the spec comparison sees.

use std::collections::BTreeMap;
use std::fmt;

use super::CratePlan;
use super::apis::Apis;
use super::version::{Level, Version};
use super::workspace::{Crate, Target};

/// One failed lint in one crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The lint (`struct_pub_field_missing`).
    pub lint: String,
    /// What it requires.
    pub level: Level,
    /// The items it names (`field y of struct S, previously in file src/lib.rs:2`).
    pub items: Vec<String>,
}

/// What the tool found in one crate, beside the plan's level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateVerdict {
    /// The crate.
    pub name: String,
    /// The plan's level.
    pub planned: Level,
    /// The highest level the tool's findings require (`None`: nothing found).
    pub found: Option<Level>,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// The tool's verdict on a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Every checked crate.
    pub crates: Vec<CrateVerdict>,
    /// Checked crates whose findings require a later version than planned.
    pub disagreements: Vec<String>,
    /// The tool's version line.
    pub tool: String,
}

/// Runs the tool on every bumped library (hand-written or generated) of the plan.
pub(super) fn check(
    plan: &[CratePlan],
    crates: &BTreeMap<String, Crate>,
    apis: &mut Apis,
) -> Result<Verdict, String> {
    let tool = run(&["--version"])
        .map_err(|e| format!("cargo-semver-checks is needed for --semver-checks ({e}); `bash .ci/semver-tools` installs it"))?
        .trim()
        .to_owned();
    let levels = lint_levels()?;
    let mut verdict = Verdict {
        tool,
        ..Verdict::default()
    };
    for krate in plan {
        let (Some(planned), Some(released)) = (krate.level, krate.released) else {
            continue;
        };
        let Some(info) = crates.get(&krate.name) else {
            continue;
        };
        if info.target != Target::Library {
            continue;
        }
        let baseline = apis.json(info, true)?;
        let current = apis.json(info, false)?;
        let out = crate::cargo()
            .args(["semver-checks", "check-release", "--color", "never"])
            .arg("--baseline-rustdoc")
            .arg(&baseline)
            .arg("--current-rustdoc")
            .arg(&current)
            // Every lint of a minor or major level fails a patch release: all are reported.
            .args(["--release-type", "patch"])
            .output()
            .map_err(|e| format!("cargo semver-checks: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let findings = parse(&text, &levels);
        if !out.status.success() && findings.is_empty() {
            return Err(format!(
                "cargo semver-checks failed on {}:\n{}",
                krate.name,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let found = findings.iter().map(|f| f.level).max();
        if disagrees(released, planned, found) {
            verdict.disagreements.push(krate.name.clone());
        }
        verdict.crates.push(CrateVerdict {
            name: krate.name.clone(),
            planned,
            found,
            findings,
        });
    }
    Ok(verdict)
}

/// Whether the tool's findings call for a later version than the plan gives: then a user of
/// the last release could be handed a version that breaks them.
pub fn disagrees(released: Version, planned: Level, found: Option<Level>) -> bool {
    found.is_some_and(|found| released.bump(found) > released.bump(planned))
}

/// Each lint's level, from the tool's own list.
fn lint_levels() -> Result<BTreeMap<String, Level>, String> {
    let list = run(&["check-release", "--list"])?;
    Ok(list
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let lint = words.next()?;
            let level = match words.next()? {
                "major" => Level::Breaking,
                "minor" => Level::Additions,
                _ => return None,
            };
            Some((lint.to_owned(), level))
        })
        .collect())
}

/// The failed lints of a report: `--- failure <lint>: … ---`, then the items under
/// `Failed in:`.
pub fn parse(report: &str, levels: &BTreeMap<String, Level>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut in_items = false;
    for line in report.lines() {
        if let Some(rest) = line.strip_prefix("--- failure ") {
            let lint = rest.split(':').next().unwrap_or(rest).trim().to_owned();
            // A lint the list does not know is taken at its worst.
            let level = levels.get(&lint).copied().unwrap_or(Level::Breaking);
            findings.push(Finding {
                lint,
                level,
                items: Vec::new(),
            });
            in_items = false;
        } else if line.trim() == "Failed in:" {
            in_items = true;
        } else if line.trim().is_empty() {
            in_items = false;
        } else if in_items {
            // The tool names an item once per path it is reachable by.
            if let Some(finding) = findings.last_mut() {
                let item = line.trim().to_owned();
                if !finding.items.contains(&item) {
                    finding.items.push(item);
                }
            }
        }
    }
    findings
}

fn run(args: &[&str]) -> Result<String, String> {
    let out = crate::cargo()
        .arg("semver-checks")
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} on {} crates:", self.tool, self.crates.len())?;
        for krate in &self.crates {
            let found = krate
                .found
                .map(|l| l.to_string())
                .unwrap_or_else(|| "nothing".into());
            // Nothing found is what a patch expects.
            let found_level = krate.found.unwrap_or(Level::Patch);
            let mark = if self.disagreements.contains(&krate.name) {
                "DISAGREES"
            } else if found_level == krate.planned {
                "agrees"
            } else if found_level < krate.planned {
                // No lint for additions, changed field or parameter types, or a re-exported
                // crate's changes.
                "agrees (the plan is stricter: the tool has no lint for these changes)"
            } else {
                "agrees (same version)"
            };
            writeln!(
                f,
                "  {}: planned {}, found {found}: {mark}",
                krate.name, krate.planned
            )?;
            for finding in &krate.findings {
                for item in &finding.items {
                    writeln!(f, "    [{}] {}: {item}", finding.level, finding.lint)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\n--- failure function_missing: pub fn removed or renamed ---\n\n\
        Description:\nA publicly-visible function cannot be imported by its prior path.\n\n\
        Failed in:\n  function svt::a, previously in file src/lib.rs:1\n  function svt::a, previously in file src/lib.rs:1\n\n\
        --- failure enum_must_use_added: enum #[must_use] added ---\n\nFailed in:\n  enum svt::E in src/lib.rs:3\n";

    #[test]
    fn a_report_names_each_lint_its_level_and_its_items_once() {
        let levels = BTreeMap::from([
            ("function_missing".to_owned(), Level::Breaking),
            ("enum_must_use_added".to_owned(), Level::Additions),
        ]);
        let findings = parse(REPORT, &levels);
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].lint, "function_missing");
        assert_eq!(findings[0].level, Level::Breaking);
        assert_eq!(
            findings[0].items,
            ["function svt::a, previously in file src/lib.rs:1"]
        );
        assert_eq!(findings[1].level, Level::Additions);
    }

    #[test]
    fn the_tool_disagrees_only_when_it_needs_a_later_version() {
        let v = |t| Version::parse(t).unwrap();
        // A break the plan called compatible.
        assert!(disagrees(
            v("0.3.1"),
            Level::Additions,
            Some(Level::Breaking)
        ));
        assert!(disagrees(v("1.3.1"), Level::Patch, Some(Level::Additions)));
        // Before 1.0 an addition and a patch are the same version.
        assert!(!disagrees(v("0.3.1"), Level::Patch, Some(Level::Additions)));
        // The plan may be stricter than the tool.
        assert!(!disagrees(v("1.3.1"), Level::Breaking, None));
        assert!(!disagrees(
            v("1.3.1"),
            Level::Breaking,
            Some(Level::Breaking)
        ));
    }
}
