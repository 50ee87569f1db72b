//! One instance's job in a run: its newest completed backup copied, every file of it, into the
//! mirror's place (a folder, or a bucket), recorded once complete, and its older copies
//! removed beyond the number kept.

use std::path::PathBuf;
use std::sync::Mutex;

use dezai_runtime::download::{DownloadLink, Network, RateLimit};
use dezai_runtime::{CallOptions, Client};
use dezai_spec::backups::BackupKind;
use serde_json::Map;
use tokio::sync::Semaphore;

use super::layout::{hash, layout};
use super::manifest::{Copy, CopyFile, Manifest, under};
use super::report::Status;
use crate::files::{check_count, file_download, links, url_request};
use crate::instances::Instance;
use crate::listing::{list_with, newest_completed};

/// Where a run's copies go, as the jobs use it.
pub(super) enum Place {
    /// A folder, its manifest at the top.
    Folder(PathBuf),
    /// A bucket, a record per instance; what it held when the run began.
    #[cfg(feature = "s3")]
    Bucket {
        bucket: super::bucket::Bucket,
        listed: super::bucket::Listed,
    },
}

impl Place {
    /// Whether every file of `copy` is there with its recorded size.
    fn present(&self, copy: &Copy) -> bool {
        match self {
            Self::Folder(dir) => copy.is_present(dir),
            #[cfg(feature = "s3")]
            Self::Bucket { listed, .. } => copy
                .files()
                .iter()
                .all(|f| listed.sizes.get(&f.path) == Some(&f.size)),
        }
    }

    /// Where a relative path is, for messages.
    fn shown(&self, relative: &str) -> PathBuf {
        match self {
            Self::Folder(dir) => under(dir, relative),
            #[cfg(feature = "s3")]
            Self::Bucket { bucket, .. } => PathBuf::from(bucket.show(relative)),
        }
    }

    /// Writes what records an instance's copies: the whole manifest of a folder; the
    /// instance's own record in a bucket.
    #[cfg_attr(not(feature = "s3"), allow(unused_variables))]
    async fn save(
        &self,
        manifest: &Mutex<Manifest>,
        kind: &str,
        region: &str,
        instance: &str,
    ) -> Result<(), String> {
        match self {
            Self::Folder(dir) => lock(manifest)
                .save(dir)
                .map_err(|e| format!("cannot write the manifest: {e}")),
            #[cfg(feature = "s3")]
            Self::Bucket { bucket, .. } => {
                let record = lock(manifest).record_of(kind, region, instance);
                bucket.save_record(&record, kind, region, instance).await
            }
        }
    }

    /// Removes every file of `copy`; whether none is left.
    async fn remove(&self, copy: &Copy) -> bool {
        match self {
            Self::Folder(dir) => {
                let gone =
                    copy.files()
                        .iter()
                        .all(|file| match std::fs::remove_file(file.file(dir)) {
                            Ok(()) => true,
                            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
                        });
                if !copy.shards.is_empty() {
                    // Only an empty folder goes: a file nobody recorded stays.
                    let _ = std::fs::remove_dir(copy.file(dir));
                }
                gone
            }
            #[cfg(feature = "s3")]
            Self::Bucket { bucket, .. } => {
                let mut gone = true;
                for file in copy.files() {
                    gone &= bucket.remove(&file.path).await.is_ok();
                }
                gone
            }
        }
    }
}

fn lock(manifest: &Mutex<Manifest>) -> std::sync::MutexGuard<'_, Manifest> {
    manifest
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the jobs of one run share.
pub(super) struct Shared {
    pub(super) place: Place,
    pub(super) manifest: Mutex<Manifest>,
    pub(super) api: Semaphore,
    pub(super) downloads: Semaphore,
    pub(super) keep: Option<usize>,
    pub(super) dry_run: bool,
    pub(super) project: Option<String>,
    pub(super) network: Network,
    pub(super) limit: Option<RateLimit>,
    /// Connections per file: into a folder by default as the file's size says, into a
    /// bucket one.
    pub(super) streams: Option<usize>,
}

impl Shared {
    /// The call settings for a region (and an instance's zone): the configured zone only in the
    /// configured region, where it belongs.
    pub(super) fn options(&self, client: &Client, region: &str, zone: Option<&str>) -> CallOptions {
        let mut options = CallOptions::new().region(region);
        if let Some(project) = &self.project {
            options = options.project_id(project);
        }
        let configured = client.config();
        let zone = zone.or_else(|| {
            configured
                .zone()
                .filter(|_| configured.region() == Some(region))
        });
        if let Some(zone) = zone {
            options = options.zone(zone);
        }
        options
    }

    /// The instance's newest complete copy now: the one `status` would name. A failed
    /// instance still has the copies earlier runs made.
    pub(super) fn newest(&self, kind: &str, instance: &str, status: &Status) -> Option<Copy> {
        match status {
            Status::Copied { copy, .. } | Status::UpToDate { copy, .. } => Some(copy.clone()),
            _ => {
                let manifest = lock(&self.manifest);
                let mut copies = manifest.of_instance(kind, instance).into_iter();
                copies.find(|c| self.place.present(c)).cloned()
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Manifest> {
        lock(&self.manifest)
    }
}

/// One instance: its newest completed backup copied, every file of it, unless it already is.
pub(super) async fn copy_newest(
    client: &Client,
    shared: &Shared,
    kind: &'static BackupKind,
    region: &str,
    instance: &Instance,
) -> Status {
    let failed = |error: String| Status::Failed { error };
    #[cfg(feature = "s3")]
    if let (Place::Bucket { bucket, listed }, false) = (&shared.place, shared.dry_run) {
        let folder = super::bucket::instance_folder(kind.name, region, &instance.id);
        let aborted = bucket.abort_stale(listed, &folder).await;
        if aborted > 0 {
            tracing::info!(instance = %instance.id, aborted, "aborted unfinished uploads of an earlier run");
        }
    }
    let options = shared.options(client, region, instance.zone.as_deref());
    let listed = {
        let _permit = shared.api.acquire().await;
        list_with(client, kind, &instance.id, Map::new(), options.clone()).await
    };
    let newest = match listed.and_then(|all| newest_completed(kind, &instance.id, all)) {
        Ok(newest) => newest,
        Err(e) => return failed(e.message().map_or_else(|| e.to_string(), str::to_owned)),
    };
    let present = shared
        .lock()
        .find(kind.name, &instance.id, &newest.id)
        .filter(|c| shared.place.present(c))
        .cloned();
    if let Some(copy) = present {
        let removed = if shared.dry_run {
            Vec::new()
        } else {
            retain(shared, kind.name, region, &instance.id).await
        };
        return Status::UpToDate { copy, removed };
    }
    let params = url_request(kind, &instance.id, &newest);
    let ask = || {
        let (params, options) = (params.clone(), options.clone());
        async move {
            let _permit = shared.api.acquire().await;
            links(client, kind, params, options, shared.network).await
        }
    };
    let found: Vec<DownloadLink> = match ask().await {
        Ok(found) => found,
        Err(e) => return failed(format!("asking for the URL failed: {e}")),
    };
    let urls: Vec<&str> = found.iter().map(|l| l.url.as_str()).collect();
    let (path, paths) = layout(kind.name, region, &instance.id, &newest, &urls);
    if shared.dry_run {
        return Status::Planned {
            backup: newest,
            path,
        };
    }
    let (action, listing) = (kind.download.action, kind.listing.action);
    let shown = shared.place.shown(&path);
    if let Err(e) = check_count(action, listing, &found, newest.blocks, &shown) {
        return failed(e.to_string());
    }
    let mut files = Vec::with_capacity(found.len());
    for (index, (link, relative)) in found.into_iter().zip(paths).enumerate() {
        let copied = match &shared.place {
            Place::Folder(dir) => {
                to_folder(client, shared, dir, (index, link), relative, action, ask).await
            }
            #[cfg(feature = "s3")]
            Place::Bucket { bucket, .. } => {
                let _permit = shared.downloads.acquire().await;
                // Into a bucket, one connection per file unless asked: memory grows with the
                // streams times the part size for every file being copied.
                let fetching = (shared.limit.as_ref(), shared.streams.unwrap_or(1));
                bucket
                    .upload(client, (index, link), &relative, fetching, ask)
                    .await
                    .map(|up| CopyFile::new(relative, up.bytes, up.md5, up.verified))
            }
        };
        match copied {
            Ok(file) => files.push(file),
            Err(e) => return failed(e),
        }
    }
    // One file is recorded as a copy always was; several as the folder and each file.
    let single = (files.len() == 1).then(|| files[0].clone());
    let copy = Copy {
        kind: kind.name.to_owned(),
        region: region.to_owned(),
        zone: instance.zone.clone(),
        project: shared.project.clone(),
        instance: instance.id.clone(),
        backup_id: newest.id.clone(),
        name: newest.name.clone(),
        time: newest.time,
        size: files.iter().map(|f| f.size).sum(),
        md5: single.as_ref().map(|f| f.md5.clone()).unwrap_or_default(),
        md5_from_service: files.iter().all(|f| f.md5_from_service),
        path,
        shards: if single.is_some() { Vec::new() } else { files },
        copied_at: super::now(),
    };
    shared.lock().record(copy.clone());
    let saved = shared
        .place
        .save(&shared.manifest, kind.name, region, &instance.id)
        .await;
    if let Err(e) = saved {
        return failed(e);
    }
    let removed = retain(shared, kind.name, region, &instance.id).await;
    Status::Copied { copy, removed }
}

/// One file downloaded into the folder (resumed from its `.part`), and its MD5.
async fn to_folder<'a, F, Fut>(
    client: &'a Client,
    shared: &Shared,
    dir: &std::path::Path,
    (index, link): (usize, DownloadLink),
    relative: String,
    action: &'a str,
    ask: F,
) -> Result<CopyFile, String>
where
    F: Fn() -> Fut + Send + 'a,
    Fut: std::future::Future<Output = Result<Vec<DownloadLink>, dezai_runtime::Error>> + Send + 'a,
{
    let file = under(dir, &relative);
    let from_service = link.md5.clone();
    let done = {
        let _permit = shared.downloads.acquire().await;
        let mut download = file_download(client, link, &file, index, action, ask)
            .map_err(|e| e.to_string())?
            .replace(true);
        if let Some(n) = shared.streams {
            download = download.streams(n);
        }
        match &shared.limit {
            Some(limit) => download.limit_rate(limit.clone()).await,
            None => download.await,
        }
        .map_err(|e| e.to_string())?
    };
    let md5 = match from_service.filter(|_| done.verified) {
        Some(md5) => md5,
        None => hash(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?,
    };
    Ok(CopyFile::new(relative, done.bytes, md5, done.verified))
}

/// Removes an instance's copies beyond the number kept, oldest first, once its newest is
/// recorded: files its records list (every file of a copy, and the folder of a copy of
/// several when it is left empty), nothing else.
async fn retain(shared: &Shared, kind: &str, region: &str, instance: &str) -> Vec<Copy> {
    let Some(keep) = shared.keep else {
        return Vec::new();
    };
    let old: Vec<Copy> = shared
        .lock()
        .of_instance(kind, instance)
        .into_iter()
        .skip(keep)
        .cloned()
        .collect();
    let mut removed = Vec::new();
    for copy in old {
        if shared.place.remove(&copy).await {
            removed.push(copy);
        }
    }
    if !removed.is_empty() {
        shared.lock().copies.retain(|c| {
            !removed
                .iter()
                .any(|r| c.is_of(kind, instance, &r.backup_id))
        });
        // A removal the records still list is found missing by `verify`, never lost.
        let _ = shared
            .place
            .save(&shared.manifest, kind, region, instance)
            .await;
    }
    removed
}
