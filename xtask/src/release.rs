//! `cargo xtask release`: the next version of every published crate, from what changed since
//! the last release, with a changelog entry per crate and the order to publish them in.
//! Nothing is published; `--write` applies the versions and writes the changelogs.
//!
//! The last release is the newest tag `dezai-sdk-v<version>` reachable from `HEAD`
//! ([`git::TAG_PREFIX`]); its manifests give each crate's released version and its specs and
//! sources the baseline. How each crate's changes are found and bumped is in [`changes`];
//! versions follow cargo's rules ([`version`]); cargo-semver-checks, run on every bumped
//! library, must agree ([`semver_tool`]). docs/releasing.md walks through a release.

mod apis;
pub mod changelog;
pub mod changes;
pub mod git;
pub mod manifests;
pub mod public_api;
pub mod semver_tool;
pub mod version;
pub mod workspace;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use changes::Entry;
use dezai_spec::ProductSpec;
use version::{Level, Version};
use workspace::{Crate, Target};

/// How a release is planned.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The release to compare with, when not the newest tag (a tag or a commit).
    pub baseline: Option<String>,
    /// Levels raised by hand, for what no comparison sees (a generator change that alters
    /// every product's code, say).
    pub raise: Vec<(String, Level)>,
    /// Run cargo-semver-checks on every bumped library.
    pub semver_checks: bool,
    /// Where rustdoc JSON and the baseline's checkout are built (default: `release-plan` in
    /// cargo's target folder, so dependencies built by tests are reused).
    pub work_dir: Option<PathBuf>,
}

/// One crate's part in a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CratePlan {
    /// The crate.
    pub name: String,
    /// Its folder, relative to the root.
    pub dir: String,
    /// Its version at the last release (`None`: new since).
    pub released: Option<Version>,
    /// Its version after this release.
    pub next: Version,
    /// What the changes require (`None`: unchanged, not released again).
    pub level: Option<Level>,
    /// The changelog's lines.
    pub entries: Vec<Entry>,
}

impl CratePlan {
    /// Whether this release publishes the crate.
    pub fn released_now(&self) -> bool {
        self.level.is_some() || self.released.is_none()
    }
}

/// A planned release.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The release compared with: its tag (or commit) and the facade's version then.
    pub baseline: Option<String>,
    /// Every published crate, in publish order.
    pub crates: Vec<CratePlan>,
    /// What cargo-semver-checks found, when it ran.
    pub semver: Option<semver_tool::Verdict>,
}

impl Plan {
    /// The crates this release publishes, in order.
    pub fn publish_order(&self) -> Vec<&CratePlan> {
        self.crates.iter().filter(|c| c.released_now()).collect()
    }

    /// A crate's plan.
    pub fn get(&self, name: &str) -> Option<&CratePlan> {
        self.crates.iter().find(|c| c.name == name)
    }

    /// Whether the semver tool disagreed (the release must not go ahead).
    pub fn disagrees(&self) -> bool {
        self.semver
            .as_ref()
            .is_some_and(|v| !v.disagreements.is_empty())
    }
}

/// Plans the release of the workspace at `root`.
pub fn plan(root: &Path, options: &Options) -> Result<Plan, String> {
    let baseline = match &options.baseline {
        Some(rev) => Some(rev.clone()),
        None => git::last_release(root)?.map(|(tag, _)| tag),
    };
    let now = workspace::read(
        &|path| std::fs::read_to_string(root.join(path)).ok(),
        &|dir| list_dirs(&root.join(dir)),
    )?;
    let published: Vec<String> = now
        .values()
        .filter(|c| c.published)
        .map(|c| c.name.clone())
        .collect();
    let order = workspace::publish_order(&now, &published);
    let Some(rev) = baseline.clone() else {
        // The first release: every published crate at the version it has.
        let crates = order
            .iter()
            .map(|name| CratePlan {
                name: name.clone(),
                dir: now[name].dir.clone(),
                released: None,
                next: now[name].version,
                level: None,
                entries: vec![Entry::new(Level::Patch, "First release.")],
            })
            .collect();
        return Ok(Plan {
            baseline: None,
            crates,
            semver: None,
        });
    };
    let then = workspace::read(&|path| git::show(root, &rev, path).ok().flatten(), &|dir| {
        let mut dirs: Vec<String> = git::files_under(root, &rev, dir)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| {
                f.strip_prefix(&format!("{dir}/"))?
                    .split('/')
                    .next()
                    .map(str::to_owned)
            })
            .collect();
        dirs.dedup();
        dirs
    })?;
    let work = options.work_dir.clone().unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("release-plan")
    });
    let mut apis = apis::Apis::new(root, &rev, &work);

    let mut levels: BTreeMap<String, (Option<Level>, Vec<Entry>)> = BTreeMap::new();
    for name in &order {
        let krate = &now[name];
        let Some(old) = then.get(name) else {
            levels.insert(
                name.clone(),
                (None, vec![Entry::new(Level::Patch, "First release.")]),
            );
            continue;
        };
        let mut entries = own_changes(root, &rev, krate, old, &mut apis)?;
        for (_, level) in options.raise.iter().filter(|(n, _)| n == name) {
            entries.push(Entry::new(
                *level,
                format!("{level} by hand (`--bump {name}={level}`)"),
            ));
        }
        levels.insert(
            name.clone(),
            (entries.iter().map(|e| e.level).max(), entries),
        );
    }
    // Dependents after their dependencies: publish order.
    for name in &order {
        let krate = &now[name];
        if !then.contains_key(name) {
            continue;
        }
        let mut extra = Vec::new();
        for dep in &krate.depends_on {
            let Some((Some(dep_level), _)) = levels.get(dep) else {
                continue;
            };
            let dep_next = then
                .get(dep)
                .map(|d| d.version.bump(*dep_level))
                .unwrap_or(now[dep].version);
            let exposed = *dep_level == Level::Breaking && apis.exposes(krate, dep)?;
            extra.push(if exposed {
                Entry::new(
                    Level::Breaking,
                    format!("`{dep}` {dep_next}, part of this crate's API, breaks"),
                )
            } else {
                Entry::new(Level::Patch, format!("requires `{dep}` {dep_next}"))
            });
        }
        if let Some((level, entries)) = levels.get_mut(name) {
            *level = (*level).max(extra.iter().map(|e| e.level).max());
            entries.extend(extra);
        }
    }
    // Every release is tagged by the facade's version, so the facade is released whenever
    // anything is (the command line alone, say), its changelog summing the release up.
    let facade = changelog::FACADE;
    let others: Vec<String> = levels
        .iter()
        .filter(|(name, (level, _))| level.is_some() && name.as_str() != facade)
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if let Some((level @ None, entries)) = levels.get_mut(facade) {
        if !others.is_empty() && then.contains_key(facade) {
            *level = Some(Level::Patch);
            entries.push(Entry::new(
                Level::Patch,
                format!("released with {}", others.join(", ")),
            ));
        }
    }

    let crates: Vec<CratePlan> = order
        .iter()
        .map(|name| {
            let (level, entries) = levels.remove(name).unwrap_or_default();
            let released = then.get(name).map(|c| c.version);
            let next = match (released, level) {
                (Some(v), Some(level)) => v.bump(level),
                (Some(v), None) => v,
                (None, _) => now[name].version,
            };
            CratePlan {
                name: name.clone(),
                dir: now[name].dir.clone(),
                released,
                next,
                level,
                entries,
            }
        })
        .collect();
    let semver = if options.semver_checks {
        Some(semver_tool::check(&crates, &now, &mut apis)?)
    } else {
        None
    };
    Ok(Plan {
        baseline,
        crates,
        semver,
    })
}

/// A crate's own changes since `rev`: its spec's for a product, its public API's for a
/// hand-written library; a patch for any other change to its files.
fn own_changes(
    root: &Path,
    rev: &str,
    krate: &Crate,
    old: &Crate,
    apis: &mut apis::Apis,
) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut files_changed = git::changed_since(root, rev, &krate.dir)? || krate.dir != old.dir;
    if let Some(product) = &krate.product {
        let spec_path = format!("specs/{product}.json");
        let then = git::show(root, rev, &spec_path)?;
        let now = std::fs::read_to_string(root.join(&spec_path)).ok();
        let parse = |text: &Option<String>| -> Result<Option<ProductSpec>, String> {
            text.as_deref()
                .map(|t| ProductSpec::from_json(t).map_err(|e| format!("{spec_path}: {e}")))
                .transpose()
        };
        let (old_spec, new_spec) = (parse(&then)?, parse(&now)?);
        entries.extend(changes::product_entries(
            old_spec.as_ref(),
            new_spec.as_ref(),
        ));
        files_changed |= then != now;
        if files_changed && entries.is_empty() {
            entries.push(Entry::new(
                Level::Patch,
                "regenerated; its API and documents are unchanged",
            ));
        }
        return Ok(entries);
    }
    if !files_changed {
        return Ok(entries);
    }
    if krate.target == Target::Library {
        for change in apis.diff(krate)? {
            entries.push(Entry::new(
                change.level,
                format!("`{}` ({}) {}", change.path, change.kind, change.what),
            ));
        }
    }
    if entries.is_empty() {
        entries.push(Entry::new(
            Level::Patch,
            "internal changes; the public API is unchanged",
        ));
    }
    Ok(entries)
}

/// Applies a plan: versions in the manifests, a changelog entry per released crate. `date` is
/// the release's date (`YYYY-MM-DD`).
pub fn write(root: &Path, plan: &Plan, date: &str) -> Result<Vec<PathBuf>, String> {
    let mut written = manifests::apply(root, plan)?;
    written.extend(changelog::write(root, plan, date)?);
    Ok(written)
}

/// The plan as the command prints it.
pub fn report(plan: &Plan) -> String {
    let mut out = String::new();
    match &plan.baseline {
        Some(rev) => {
            let _ = writeln!(out, "Release plan against {rev}:");
        }
        None => {
            let _ = writeln!(
                out,
                "No release yet (no tag {}*): the first release.",
                git::TAG_PREFIX
            );
        }
    }
    let width = plan.crates.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for krate in &plan.crates {
        let line = match (krate.released, krate.level) {
            (Some(from), Some(level)) => format!("{from} → {} ({level})", krate.next),
            (Some(from), None) => format!("{from} unchanged"),
            (None, _) => format!("{} (first release)", krate.next),
        };
        let _ = writeln!(out, "  {:width$}  {line}", krate.name);
    }
    let changed: BTreeSet<&str> = plan
        .crates
        .iter()
        .filter(|c| c.level.is_some())
        .map(|c| c.name.as_str())
        .collect();
    for krate in plan
        .crates
        .iter()
        .filter(|c| changed.contains(c.name.as_str()))
    {
        let _ = writeln!(out, "\n{} {}:", krate.name, krate.next);
        for entry in &krate.entries {
            let _ = writeln!(out, "  [{}] {}", entry.level, entry.text);
        }
    }
    let order: Vec<String> = plan
        .publish_order()
        .iter()
        .map(|c| format!("{} {}", c.name, c.next))
        .collect();
    if order.is_empty() {
        let _ = writeln!(out, "\nNothing to release.");
    } else {
        let _ = writeln!(
            out,
            "\nPublish order (nothing is published by this command):"
        );
        for (i, line) in order.iter().enumerate() {
            let _ = writeln!(out, "  {}. {line}", i + 1);
        }
    }
    if let Some(verdict) = &plan.semver {
        out.push('\n');
        out.push_str(&verdict.to_string());
    }
    out
}

/// Today's date in UTC, `YYYY-MM-DD` (the civil calendar from the days since 1970).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn list_dirs(dir: &Path) -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}
