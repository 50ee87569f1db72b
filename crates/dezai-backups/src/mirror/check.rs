//! Checking a mirror: `verify` re-hashes every file of every copy the manifest records and takes
//! the copies with a missing, truncated or corrupted file out of it (so the next run copies
//! them again); `status` says per instance how old its newest complete copy is and whether the
//! service has a newer completed backup.

use std::collections::HashMap;
use std::path::Path;

use dezai_runtime::{CallOptions, Client, Error};
use serde_json::Map;

use super::error::MirrorError;
use super::layout::hash;
use super::lock;
use super::manifest::{Copy, CopyFile, Manifest, newest_first};
use crate::listing::{Backup, list_with, newest_completed};

/// What `verify` found of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// The file is there with its size and MD5.
    Intact,
    /// No file.
    Missing,
    /// Fewer (or more) bytes than recorded.
    Truncated,
    /// The recorded size, another MD5.
    Corrupted,
}

/// One file as `verify` found it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Checked {
    /// The copy it belongs to.
    pub copy: Copy,
    /// The file.
    pub file: CopyFile,
    /// What was found.
    pub found: Found,
}

/// Re-hashes every file of the manifest in `dir`, holding the mirror's lock (waiting up to
/// `wait_lock` for a run that holds it). A copy with a damaged file leaves the manifest (its
/// files stay, to be replaced by the next run); the manifest is saved when one did.
pub async fn verify(
    dir: &Path,
    wait_lock: Option<std::time::Duration>,
) -> Result<Vec<Checked>, MirrorError> {
    let io = |source: std::io::Error| MirrorError::Io {
        path: dir.to_path_buf(),
        source,
    };
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => return Err(MirrorError::NotAFolder(dir.to_path_buf())),
        Err(e) => return Err(io(e)),
        Ok(_) => {}
    }
    let _lock = lock::acquire(dir, wait_lock).await?;
    let mut manifest = Manifest::load(dir).map_err(io)?;
    let mut checked = Vec::new();
    for copy in &manifest.copies {
        for file in copy.files() {
            let path = file.file(dir);
            let found = match std::fs::metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Found::Missing,
                Err(e) => return Err(io(e)),
                Ok(meta) if meta.len() != file.size => Found::Truncated,
                Ok(_) if hash(&path).map_err(io)? != file.md5 => Found::Corrupted,
                Ok(_) => Found::Intact,
            };
            checked.push(Checked {
                copy: copy.clone(),
                file,
                found,
            });
        }
    }
    let before = manifest.copies.len();
    manifest.copies.retain(|c| {
        checked
            .iter()
            .filter(|k| &k.copy == c)
            .all(|k| k.found == Found::Intact)
    });
    if manifest.copies.len() != before {
        manifest.save(dir).map_err(io)?;
    }
    Ok(checked)
}

/// Service lookups of `status` in flight at once.
const LOOKUPS: usize = 8;

/// The service's newest completed backup of `record`'s instance when it is not `have`, asked
/// in the record's region, project and zone.
async fn newer(
    client: &Client,
    record: &Copy,
    have: Option<&str>,
) -> Result<Option<Backup>, String> {
    let Some(kind) = dezai_spec::backups::kind(&record.kind) else {
        return Err(format!("unknown kind `{}`", record.kind));
    };
    let mut options = CallOptions::new().region(&record.region);
    if let Some(project) = &record.project {
        options = options.project_id(project);
    }
    if let Some(zone) = &record.zone {
        options = options.zone(zone);
    }
    let listed = list_with(client, kind, &record.instance, Map::new(), options).await;
    listed
        .and_then(|all| newest_completed(kind, &record.instance, all))
        .map(|b| (Some(b.id.as_str()) != have).then_some(b))
        .map_err(|e: Error| e.to_string())
}

/// One instance of a mirror, as `status` sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InstanceStatus {
    /// The kind.
    pub kind: String,
    /// The region.
    pub region: String,
    /// The instance.
    pub instance: String,
    /// Its newest complete copy (every file there with its size); `None` when no copy is.
    pub newest: Option<Copy>,
    /// Seconds since that copy's backup was made (since it was copied, without a time).
    pub age: Option<i64>,
    /// The service's newest completed backup when it is not that copy's; `Err` when asking
    /// failed.
    pub newer: Result<Option<Backup>, String>,
}

/// Every instance of the manifest in `dir`, in the manifest's order, its newest complete copy's
/// age, and (asking the service, in the copy's region and project, several instances at once)
/// whether a newer completed backup exists. A copy with a file missing or cut short does not
/// count.
pub async fn status(client: &Client, dir: &Path) -> Result<Vec<InstanceStatus>, MirrorError> {
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return Err(MirrorError::NotAFolder(dir.to_path_buf()));
    }
    let manifest = Manifest::load(dir).map_err(|source| MirrorError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(status_of(client, &manifest, |copy| copy.is_present(dir)).await)
}

/// `status` of the copies `manifest` records, `present` saying which are complete.
pub(super) async fn status_of(
    client: &Client,
    manifest: &Manifest,
    present: impl Fn(&Copy) -> bool,
) -> Vec<InstanceStatus> {
    // Each instance once, in the manifest's order, with its copies newest first.
    let mut order: Vec<(&str, &str)> = Vec::new();
    let mut copies: HashMap<(&str, &str), Vec<&Copy>> = HashMap::new();
    for copy in &manifest.copies {
        let key = (copy.kind.as_str(), copy.instance.as_str());
        let of_instance = copies.entry(key).or_default();
        if of_instance.is_empty() {
            order.push(key);
        }
        of_instance.push(copy);
    }
    let now = super::now();
    let mut out: Vec<InstanceStatus> = order
        .iter()
        .map(|key| {
            let mut of_instance = copies[key].clone();
            newest_first(&mut of_instance);
            let newest = of_instance.into_iter().find(|c| present(c));
            // Where to ask: the newest complete record's region, project and zone, else the
            // first record's.
            let asked = newest.unwrap_or(copies[key][0]);
            InstanceStatus {
                kind: asked.kind.clone(),
                region: asked.region.clone(),
                instance: asked.instance.clone(),
                age: newest.map(|c| now - c.time.unwrap_or(c.copied_at)),
                newest: newest.cloned(),
                newer: Ok(None),
            }
        })
        .collect();
    // The service is asked about several instances at once: a fleet's status in seconds, not
    // an instance at a time.
    let asked: Vec<(Copy, Option<String>)> = out
        .iter()
        .zip(&order)
        .map(|(status, key)| {
            let have = status.newest.as_ref().map(|c| c.backup_id.clone());
            let record = status
                .newest
                .clone()
                .unwrap_or_else(|| copies[key][0].clone());
            (record, have)
        })
        .collect();
    let mut jobs = tokio::task::JoinSet::new();
    let mut running: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut next = asked.into_iter().enumerate();
    loop {
        while jobs.len() < LOOKUPS {
            let Some((index, (record, have))) = next.next() else {
                break;
            };
            let client = client.clone();
            let job = jobs.spawn(async move { newer(&client, &record, have.as_deref()).await });
            running.insert(job.id(), index);
        }
        let Some(done) = jobs.join_next_with_id().await else {
            break;
        };
        let (id, newer) = match done {
            Ok((id, newer)) => (id, newer),
            Err(error) => (
                error.id(),
                Err(format!("the lookup stopped unexpectedly: {error}")),
            ),
        };
        if let Some(index) = running.remove(&id) {
            out[index].newer = newer;
        }
    }
    out
}
