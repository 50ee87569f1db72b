//! Checking a mirror: `verify` re-hashes every copy the manifest records and takes the missing,
//! truncated and corrupted ones out of it (so the next run copies them again); `status` says
//! per instance how old its newest copy is and whether the service has a newer completed
//! backup.

use std::path::Path;

use serde_json::Map;

use super::Manifest;
use super::files::hash;
use crate::backups::{kind, list_with, newest_completed};
use crate::call_options::CallOptions;
use crate::client::Client;
use crate::error::Error;

/// What `verify` found of one copy.
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

/// Re-hashes every copy of the manifest in `dir`. The damaged ones leave the manifest (their
/// files stay, to be replaced by the next run); the manifest is saved when one did.
pub fn verify(dir: &Path) -> std::io::Result<Vec<(super::Copy, Found)>> {
    let mut manifest = Manifest::load(dir)?;
    let mut checked = Vec::new();
    for copy in &manifest.copies {
        let file = copy.file(dir);
        let found = match std::fs::metadata(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Found::Missing,
            Err(e) => return Err(e),
            Ok(meta) if meta.len() != copy.size => Found::Truncated,
            Ok(_) if hash(&file)? != copy.md5 => Found::Corrupted,
            Ok(_) => Found::Intact,
        };
        checked.push((copy.clone(), found));
    }
    let before = manifest.copies.len();
    manifest.copies.retain(|c| {
        checked
            .iter()
            .any(|(k, found)| k == c && *found == Found::Intact)
    });
    if manifest.copies.len() != before {
        manifest.save(dir)?;
    }
    Ok(checked)
}

/// One instance of a mirror, as `status` sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InstanceStatus {
    /// Its newest copy.
    pub newest: super::Copy,
    /// Seconds since that copy's backup was made (since it was copied, without a time).
    pub age: i64,
    /// The service's newest completed backup when it is not that copy's; `Err` when asking
    /// failed.
    pub newer: Result<Option<crate::backups::Backup>, String>,
}

/// Every instance of the manifest in `dir`, its newest copy's age, and (asking the service,
/// in the copy's region and project) whether a newer completed backup exists.
pub async fn status(client: &Client, dir: &Path) -> std::io::Result<Vec<InstanceStatus>> {
    let manifest = Manifest::load(dir)?;
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let mut out = Vec::new();
    let now = super::now();
    for copy in &manifest.copies {
        if seen.contains(&(copy.kind.as_str(), copy.instance.as_str())) {
            continue;
        }
        seen.push((&copy.kind, &copy.instance));
        let Some(newest) = manifest
            .of_instance(&copy.kind, &copy.instance)
            .first()
            .copied()
        else {
            continue;
        };
        let age = now - newest.time.unwrap_or(newest.copied_at);
        let newer = match kind(&newest.kind) {
            None => Err(format!("unknown kind `{}`", newest.kind)),
            Some(k) => {
                let mut options = CallOptions::new().region(&newest.region);
                if let Some(project) = &newest.project {
                    options = options.project_id(project);
                }
                if let Some(zone) = &newest.zone {
                    options = options.zone(zone);
                }
                let listed = list_with(client, k, &newest.instance, Map::new(), options).await;
                listed
                    .and_then(|all| newest_completed(k, &newest.instance, all))
                    .map(|b| (b.id != newest.backup_id).then_some(b))
                    .map_err(|e: Error| e.to_string())
            }
        };
        out.push(InstanceStatus {
            newest: newest.clone(),
            age,
            newer,
        });
    }
    Ok(out)
}
