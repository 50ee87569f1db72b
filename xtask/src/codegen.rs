//! `cargo xtask codegen`: documents → specs, and the SDK wiring that follows from them.
//!
//! The run is planned in memory first ([`plan`]): every document is parsed and every output
//! file rendered before anything touches the disk. A run with errors writes nothing, unless
//! [`Options::keep_going`] is set: then every product whose documents all parsed is written and
//! each product with an error keeps its previous spec byte for byte. Files are replaced
//! atomically (temp file + rename), so a spec is never half written. [`Plan::check`] compares
//! the plan with the disk instead of writing, for CI and the staleness test.

pub mod api_diff;
pub mod exclude;
mod summary;
pub mod wiring;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dezai_docs::{DocError, DocErrors, Source};
use dezai_spec::ProductSpec;

pub use api_diff::{ApiChange, Impact};
pub use exclude::Exclusion;

/// The file name of the spec's JSON Schema in the output folder.
pub const SCHEMA_FILE: &str = "spec.schema.json";

/// The exclude list's file name in the output folder (see [`exclude`]).
pub const EXCLUDE_FILE: &str = "exclude.txt";

/// What a file being written is called until it is complete and renamed into place. A fixed
/// suffix, so that a run killed half way leaves something the next run recognises and removes.
pub const TEMP_SUFFIX: &str = ".dezai-codegen-tmp";

/// How a run goes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write every product that parsed even when others have errors (`--keep-going`).
    pub keep_going: bool,
    /// The SDK crate's folder, when the run also writes its wiring (see [`wiring`]).
    pub sdk: Option<PathBuf>,
}

/// Every file a codegen run produces, rendered, plus the generated files it would remove.
#[derive(Debug)]
pub struct Plan {
    /// The specs that parsed, for the summary.
    pub specs: Vec<ProductSpec>,
    /// Output files and their full contents.
    pub files: Vec<(PathBuf, String)>,
    /// Specs from an earlier run whose product no longer has documents.
    pub obsolete: Vec<PathBuf>,
    /// Symbolic links to make, as (link, target relative to the link's folder).
    pub links: Vec<(PathBuf, PathBuf)>,
    /// Product crates (folders) of products that no longer have a spec.
    pub obsolete_crates: Vec<PathBuf>,
    /// Files in the output folder that no run writes (a temp file of a killed run, a stray
    /// copy). Temp files are removed by the next write; `--check` reports all of them.
    pub stray: Vec<PathBuf>,
    /// The errors of each product that could not be built (only with `keep_going`; otherwise
    /// errors make [`plan`] fail). Their specs are left as they are.
    pub failed: BTreeMap<String, Vec<DocError>>,
    /// Documents skipped because `exclude.txt` lists them.
    pub skipped: Vec<Exclusion>,
    /// Lines of `exclude.txt` that name no document.
    pub unused_exclusions: Vec<Exclusion>,
    /// What this run changes in the public API, compared with the specs on disk.
    pub changes: Vec<ApiChange>,
    /// The documents whose action differs from the spec on disk (new ones included): the
    /// summary lists the warnings of these only.
    pub changed_sources: BTreeSet<String>,
}

/// Why a run could not produce its files.
#[derive(Debug)]
pub enum PlanError {
    /// The documents, the exclude list or the SDK manifest could not be read.
    Io(PathBuf, String),
    /// One or more documents are malformed.
    Docs(DocErrors),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Io(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            PlanError::Docs(errors) => {
                write!(
                    f,
                    "{errors}\n\n{} error(s); no spec was written (`--keep-going` writes the products without errors)",
                    errors.0.len()
                )
            }
        }
    }
}

impl std::error::Error for PlanError {}

/// Parses every document under `docs` and renders the specs that belong in `out`, all or
/// nothing, without the SDK wiring.
pub fn plan(docs: &Path, out: &Path) -> Result<Plan, PlanError> {
    plan_with(docs, out, &Options::default())
}

/// The project's own run: `specs/docs` → `specs/`, with the SDK wiring.
pub fn project_plan(root: &Path, keep_going: bool) -> Result<Plan, PlanError> {
    plan_with(
        &root.join("specs/docs"),
        &root.join("specs"),
        &Options {
            keep_going,
            sdk: Some(root.join("crates/dezai-sdk")),
        },
    )
}

/// Parses every document under `docs` and renders the files that belong in `out` (and the
/// SDK wiring, if asked).
pub fn plan_with(docs: &Path, out: &Path, options: &Options) -> Result<Plan, PlanError> {
    let sources = dezai_docs::read_docs_dir(docs)
        .map_err(|e| PlanError::Io(docs.to_owned(), e.to_string()))?;
    let exclusions = exclude::read(&out.join(EXCLUDE_FILE))
        .map_err(|e| PlanError::Io(out.join(EXCLUDE_FILE), e))?;
    let (sources, skipped, unused_exclusions) = apply_exclusions(sources, exclusions);
    let built = dezai_docs::build_products(&sources);
    if !built.failed.is_empty() && !options.keep_going {
        return Err(PlanError::Docs(DocErrors(
            built.failed.into_values().flatten().collect(),
        )));
    }
    let specs = built.specs;
    let mut files: Vec<(PathBuf, String)> = specs
        .iter()
        .map(|spec| (spec_path(out, &spec.product), spec.to_json()))
        .collect();
    files.push((out.join(SCHEMA_FILE), dezai_spec::json_schema()));

    // A product with errors keeps its spec on disk; its documents still exist, so it is not
    // obsolete, and the SDK keeps its module.
    let documented: BTreeSet<&str> = sources.iter().map(|s| s.product.as_str()).collect();
    let on_disk = generated_specs_in(out);
    let obsolete: Vec<PathBuf> = on_disk
        .iter()
        .filter(|path| !files.iter().any(|(p, _)| p == *path))
        .filter(|path| {
            !path
                .file_stem()
                .is_some_and(|stem| documented.contains(stem.to_string_lossy().as_ref()))
        })
        .cloned()
        .collect();

    let old_specs: BTreeMap<String, ProductSpec> = on_disk
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .filter_map(|text| ProductSpec::from_json(&text).ok())
        .map(|spec| (spec.product.clone(), spec))
        .collect();
    let mut changes = Vec::new();
    let mut changed_sources = BTreeSet::new();
    for spec in &specs {
        let old = old_specs.get(&spec.product);
        changes.extend(api_diff::diff_product(old, Some(spec)));
        for action in &spec.actions {
            let before = old.and_then(|o| o.actions.iter().find(|a| a.name == action.name));
            if before.map(own_content) != Some(own_content(action)) {
                changed_sources.insert(action.source.clone());
            }
        }
    }
    for path in &obsolete {
        let old = path
            .file_stem()
            .and_then(|stem| old_specs.get(stem.to_string_lossy().as_ref()));
        changes.extend(api_diff::diff_product(old, None));
    }

    let mut links = Vec::new();
    let mut obsolete_crates = Vec::new();
    if let Some(sdk) = &options.sdk {
        // The SDK wires every product that has a spec after this run.
        let mut wired: Vec<&ProductSpec> = specs.iter().collect();
        for product in built.failed.keys() {
            if let Some(old) = old_specs.get(product) {
                wired.push(old);
            }
        }
        wired.sort_by(|a, b| a.product.cmp(&b.product));
        let manifest_path = sdk.join("Cargo.toml");
        let manifest = std::fs::read_to_string(&manifest_path)
            .map_err(|e| PlanError::Io(manifest_path.clone(), e.to_string()))?;
        files.extend(
            wiring::files(sdk, &manifest, &wired).map_err(|e| PlanError::Io(manifest_path, e))?,
        );
        let root = sdk.parent().and_then(Path::parent).unwrap_or(sdk);
        links = wiring::links(root, &wired);
        let products = root.join(wiring::PRODUCTS_DIR);
        obsolete_crates = std::fs::read_dir(&products)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|dir| dir.join("Cargo.toml").is_file())
            .filter(|dir| {
                !wired
                    .iter()
                    .any(|spec| dir.file_name().is_some_and(|n| n == spec.product.as_str()))
            })
            .collect();
        obsolete_crates.sort();
    }
    let stray = stray_files(out, &files, &obsolete);
    Ok(Plan {
        specs,
        files,
        obsolete,
        links,
        obsolete_crates,
        stray,
        failed: built.failed,
        skipped,
        unused_exclusions,
        changes,
        changed_sources,
    })
}

/// What an action's own document determines: the action without the warnings that come from
/// comparing it with other documents, which change when *those* documents do.
fn own_content(action: &dezai_spec::Action) -> dezai_spec::Action {
    use dezai_spec::WarningKind::{DuplicateDocument, EndpointDiffers, TypeDiffersAcrossActions};
    let mut own = action.clone();
    own.warnings.retain(|w| {
        !matches!(
            w.kind,
            TypeDiffersAcrossActions | EndpointDiffers | DuplicateDocument
        )
    });
    own
}

/// Files of the output folder that are neither planned nor obsolete nor the exclude list, and
/// temp files of a killed run next to any planned file.
fn stray_files(out: &Path, files: &[(PathBuf, String)], obsolete: &[PathBuf]) -> Vec<PathBuf> {
    let planned: BTreeSet<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
    let mut folders: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|(p, _)| p.parent().map(Path::to_owned))
        .collect();
    folders.insert(out.to_owned());
    let mut stray = BTreeSet::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let temp = path.to_string_lossy().ends_with(TEMP_SUFFIX);
            let unexpected_in_out = folder == out
                && path.is_file()
                && !planned.contains(path.as_path())
                && !obsolete.contains(&path)
                && path.file_name().is_some_and(|n| n != EXCLUDE_FILE);
            if temp || unexpected_in_out {
                stray.insert(path);
            }
        }
    }
    stray.into_iter().collect()
}

fn spec_path(out: &Path, product: &str) -> PathBuf {
    out.join(format!("{product}.json"))
}

/// Splits the documents into those to read and those the exclude list names; also returns the
/// exclusions that name no document.
fn apply_exclusions(
    sources: Vec<Source>,
    exclusions: Vec<Exclusion>,
) -> (Vec<Source>, Vec<Exclusion>, Vec<Exclusion>) {
    let mut kept = Vec::with_capacity(sources.len());
    let mut used = BTreeSet::new();
    for source in sources {
        match exclusions.iter().position(|e| e.path == source.path) {
            Some(i) => {
                used.insert(i);
            }
            None => kept.push(source),
        }
    }
    let (mut skipped, mut unused) = (Vec::new(), Vec::new());
    for (i, exclusion) in exclusions.into_iter().enumerate() {
        if used.contains(&i) {
            skipped.push(exclusion);
        } else {
            unused.push(exclusion);
        }
    }
    (kept, skipped, unused)
}

/// The specs an earlier run wrote into `out`: JSON files carrying the generated marker. Other
/// files are never touched.
fn generated_specs_in(out: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|text| {
                text.contains("\"generated\": \"Generated by `cargo xtask codegen`")
            })
        })
        .collect();
    found.sort();
    found
}

/// One way the files on disk differ from what the documents produce.
#[derive(Debug, PartialEq, Eq)]
pub enum Drift {
    /// The file does not exist.
    Missing(PathBuf),
    /// The file's contents differ; a short unified diff (disk → expected) is attached.
    Stale(PathBuf, String),
    /// A generated spec whose product no longer has documents.
    Obsolete(PathBuf),
    /// A file no run writes, in the output folder (or a temp file of a killed run).
    Stray(PathBuf),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(p) => write!(f, "missing: {}", p.display()),
            Drift::Stale(p, diff) => write!(f, "stale: {}\n{diff}", p.display()),
            Drift::Obsolete(p) => write!(f, "obsolete: {} (its documents are gone)", p.display()),
            Drift::Stray(p) if p.to_string_lossy().ends_with(TEMP_SUFFIX) => write!(
                f,
                "stray: {} (left by an interrupted run; the next `cargo xtask codegen` removes it)",
                p.display()
            ),
            Drift::Stray(p) => write!(
                f,
                "stray: {} (no codegen run writes it; remove it or move it out of the folder)",
                p.display()
            ),
        }
    }
}

/// How many diff lines a stale file shows; enough to see what changed, short enough for CI logs.
const DIFF_LINES: usize = 40;

impl Plan {
    /// Compares the plan with the files on disk, writing nothing.
    pub fn check(&self) -> Vec<Drift> {
        let mut drift = Vec::new();
        for (path, expected) in &self.files {
            match std::fs::read_to_string(path) {
                Err(_) => drift.push(Drift::Missing(path.clone())),
                Ok(actual) if actual != *expected => {
                    drift.push(Drift::Stale(path.clone(), short_diff(&actual, expected)))
                }
                Ok(_) => {}
            }
        }
        for (link, target) in &self.links {
            if std::fs::read_link(link).ok().as_ref() != Some(target) {
                drift.push(Drift::Missing(link.clone()));
            }
        }
        drift.extend(self.obsolete.iter().cloned().map(Drift::Obsolete));
        drift.extend(self.obsolete_crates.iter().cloned().map(Drift::Obsolete));
        drift.extend(self.stray.iter().cloned().map(Drift::Stray));
        drift
    }

    /// Writes every file that changed (atomically) and removes obsolete specs. Returns the
    /// paths written or removed.
    pub fn write(&self) -> std::io::Result<Vec<PathBuf>> {
        let mut touched = Vec::new();
        for (path, contents) in &self.files {
            if std::fs::read_to_string(path).is_ok_and(|old| old == *contents) {
                continue;
            }
            write_atomically(path, contents)?;
            touched.push(path.clone());
        }
        for (link, target) in &self.links {
            if std::fs::read_link(link).ok().as_ref() == Some(target) {
                continue;
            }
            if let Some(dir) = link.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let _ = std::fs::remove_file(link);
            make_link(target, link)?;
            touched.push(link.clone());
        }
        for path in &self.obsolete {
            std::fs::remove_file(path)?;
            touched.push(path.clone());
        }
        for dir in &self.obsolete_crates {
            std::fs::remove_dir_all(dir)?;
            touched.push(dir.clone());
        }
        for path in self
            .stray
            .iter()
            .filter(|p| p.to_string_lossy().ends_with(TEMP_SUFFIX))
        {
            std::fs::remove_file(path)?;
            touched.push(path.clone());
        }
        Ok(touched)
    }
}

#[cfg(unix)]
fn make_link(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn make_link(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

fn short_diff(actual: &str, expected: &str) -> String {
    let diff = similar::TextDiff::from_lines(actual, expected);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("on disk", "from the documents")
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    let more = lines.len().saturating_sub(DIFF_LINES);
    lines.truncate(DIFF_LINES);
    let mut out = lines.join("\n");
    if more > 0 {
        let _ = write!(out, "\n… {more} more diff line(s)");
    }
    out
}

fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(TEMP_SUFFIX);
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
