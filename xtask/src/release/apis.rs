//! The rustdoc listings a plan needs, each built once: the current tree's, and the
//! baseline's from one checkout of it (a git worktree, removed when the plan is done).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::workspace::{Crate, Target};
use super::{git, public_api};

/// The workspace crates a generated product crate's API names: the generator writes
/// `dezai_runtime` types (the client, errors, pagers, waiters) into every product.
const PRODUCT_API_CRATES: [&str; 1] = ["dezai-runtime"];

/// The listings, by crate and side.
pub(crate) struct Apis {
    root: PathBuf,
    rev: String,
    work: PathBuf,
    worktree: Option<git::Worktree>,
    /// (crate, is baseline) → rustdoc JSON file.
    json: BTreeMap<(String, bool), PathBuf>,
}

impl Apis {
    pub(crate) fn new(root: &Path, rev: &str, work: &Path) -> Apis {
        Apis {
            root: root.to_owned(),
            rev: rev.to_owned(),
            work: work.to_owned(),
            worktree: None,
            json: BTreeMap::new(),
        }
    }

    /// The rustdoc JSON of a crate, now or at the baseline, built on first use.
    pub(crate) fn json(&mut self, krate: &Crate, baseline: bool) -> Result<PathBuf, String> {
        let key = (krate.name.clone(), baseline);
        if let Some(path) = self.json.get(&key) {
            return Ok(path.clone());
        }
        let root = if baseline {
            if self.worktree.is_none() {
                self.worktree = Some(git::Worktree::add(&self.root, &self.rev, &self.work)?);
            }
            self.worktree
                .as_ref()
                .map(|w| w.dir.clone())
                .unwrap_or_default()
        } else {
            self.root.clone()
        };
        // A target folder per side: both write `doc/<crate>.json`, and cargo leaves a file it
        // deems fresh as it is, so one folder could hand one side the other's file.
        let side = if baseline { "baseline" } else { "current" };
        let kept = public_api::build(
            &root,
            &krate.name,
            &krate.doc_features,
            &self.work.join(format!("target-{side}")),
        )?;
        self.json.insert(key, kept.clone());
        Ok(kept)
    }

    /// The public API changes of a hand-written library.
    pub(crate) fn diff(&mut self, krate: &Crate) -> Result<Vec<public_api::ApiItemChange>, String> {
        let old = public_api::read(&self.json(krate, true)?)?;
        let new = public_api::read(&self.json(krate, false)?)?;
        Ok(public_api::diff(&old, &new))
    }

    /// Whether `dep`'s items appear in `krate`'s public API.
    pub(crate) fn exposes(&mut self, krate: &Crate, dep: &str) -> Result<bool, String> {
        Ok(match krate.target {
            Target::Binary | Target::ProcMacro => false,
            Target::Library if krate.product.is_some() => PRODUCT_API_CRATES.contains(&dep),
            Target::Library => public_api::read(&self.json(krate, false)?)?
                .names_crates
                .contains(&dep.replace('-', "_")),
        })
    }
}
