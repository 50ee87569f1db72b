//! A mirror: every selected instance's newest completed backup copied into a folder, verified,
//! recorded in a manifest, older copies kept to a number; `dezai backup sync` runs it.
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use dezai_backups as backups;
//! let report = backups::mirror(&client, "/srv/backups")
//!     .kinds([backups::kind("udb").expect("a kind")])
//!     .regions(["cn-bj2", "cn-sh2"])
//!     .keep(7)
//!     .on_outcome(|outcome| eprintln!("{outcome}"))
//!     .run()
//!     .await?;
//! assert_eq!(report.failed(), 0);
//! # Ok(()) }
//! ```
//!
//! - **Selection**: the kinds (default: all of the table), regions (default: the configured
//!   one) and project given; every instance of each (or the ones named), of one part of the
//!   fleet when the run is one of several ([`Mirror::shard`]), and each one's newest completed
//!   backup, picked as [`crate::latest`] does.
//! - **Every file**: a backup of several files (one per shard) is copied whole; its copy is
//!   recorded only once every file is complete and verified, and a copy with a file missing
//!   does not count as one.
//! - **Idempotent**: a backup the manifest records, whose files are there with their recorded
//!   sizes, is not asked for again: a run with nothing new makes only listing calls.
//! - **One run at a time**: a run holds the folder's lock (`.dezai-backups.lock`, an OS lock
//!   released when its process ends, however it ends); another run is refused at once with
//!   [`MirrorError::Locked`] naming the holder, or waits ([`Mirror::wait_lock`]).
//! - **Resumable**: a download interrupted by a crash resumes from its `.part` file.
//! - **Layout**: `<kind>/<region>/<instance>/<backup time>-<backup id>.<ext>`, or a folder of
//!   that name without the extension holding `shard-<i>.<ext>` for a backup of several files;
//!   each part made safe by [`component`]; the manifest is [`MANIFEST_FILE`] at the top.
//! - **Retention** ([`Mirror::keep`]): an instance's older copies beyond the number are removed
//!   once the newest is verified and recorded; only copies the manifest records are removed.
//! - **Limits**: [`Mirror::concurrency`] downloads at once, [`Mirror::api_calls`] calls in
//!   flight, [`Mirror::limit_rate`] bytes per second over the whole run.
//! - **Failures** of one instance are its outcome, a panic in its job included; the others go
//!   on. An instance named but listed by no selected kind and region is reported under the
//!   kind and region it was looked for in ([`Mirror::instances`]).

mod check;
mod error;
mod layout;
mod lock;
mod manifest;
mod report;
mod selection;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dezai_runtime::download::{DownloadLink, Network, RateLimit};
use dezai_runtime::{CallOptions, Client};
use dezai_spec::backups::{BackupKind, KINDS};
use serde_json::Map;
use tokio::sync::Semaphore;

pub use check::{Checked, Found, InstanceStatus, status, verify};
pub use error::MirrorError;
use layout::{hash, layout};
pub use lock::LOCK_FILE;
use manifest::under;
pub use manifest::{Copy, CopyFile, MANIFEST_FILE, Manifest};
pub use report::{Outcome, Report, Status};
pub use selection::Shard;
use selection::Wanted;

use crate::files::{check_count, file_download, links, url_request};
use crate::instances::Instance;
use crate::listing::{list_with, newest_completed};
/// Safe path components of names from the service (the rule every file name here follows).
pub use crate::names::component;

type OnOutcome<'a> = Box<dyn FnMut(&Outcome) + Send + 'a>;

/// A mirror being set up: see the [module docs](self). Run it with [`Mirror::run`].
#[must_use = "a mirror does nothing until it is run"]
pub struct Mirror<'a> {
    client: &'a Client,
    dir: PathBuf,
    kinds: Vec<&'static BackupKind>,
    regions: Vec<String>,
    project: Option<String>,
    instances: Vec<String>,
    keep: Option<usize>,
    concurrency: usize,
    api_calls: usize,
    dry_run: bool,
    network: Network,
    wait_lock: Option<Duration>,
    shard: Option<Shard>,
    limit: Option<RateLimit>,
    on_outcome: Option<OnOutcome<'a>>,
}

/// A mirror of `client`'s backups into `dir`: see the [module docs](self).
pub fn mirror(client: &Client, dir: impl Into<PathBuf>) -> Mirror<'_> {
    Mirror {
        client,
        dir: dir.into(),
        kinds: KINDS.iter().collect(),
        regions: client
            .config()
            .region()
            .map(str::to_owned)
            .into_iter()
            .collect(),
        project: None,
        instances: Vec::new(),
        keep: None,
        concurrency: 2,
        api_calls: 4,
        dry_run: false,
        network: Network::default(),
        wait_lock: None,
        shard: None,
        limit: None,
        on_outcome: None,
    }
}

impl<'a> Mirror<'a> {
    /// The kinds to mirror (default: every kind of the table).
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = &'static BackupKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// The regions (default: the configured one).
    pub fn regions<S: Into<String>>(mut self, regions: impl IntoIterator<Item = S>) -> Self {
        self.regions = regions.into_iter().map(Into::into).collect();
        self
    }

    /// The project (default: the configured one, as every call).
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    /// Only these instances (default: every instance the listings give). Each is an id, or
    /// `<kind>/<id>` or `<kind>/<region>/<id>` (the mirror's own layout) to look for it in one
    /// kind and region only; one that no listing returns is reported under the kind and
    /// region it was looked for in.
    pub fn instances<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.instances = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Keeps at most `n` copies per instance, newest first (at least 1: the newest verified
    /// copy is never removed). Default: every copy is kept.
    pub fn keep(mut self, n: usize) -> Self {
        self.keep = Some(n.max(1));
        self
    }

    /// Downloads at once (default 2).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// API calls in flight at once (default 4).
    pub fn api_calls(mut self, n: usize) -> Self {
        self.api_calls = n.max(1);
        self
    }

    /// Which addresses to fetch (default [`Network::Internet`]; [`Network::Intranet`] from
    /// inside the cloud, where the traffic costs nothing).
    pub fn network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// Waits up to `wait` for another run to release the folder (default: refused at once).
    pub fn wait_lock(mut self, wait: Duration) -> Self {
        self.wait_lock = Some(wait);
        self
    }

    /// Copies only the instances of this part of the fleet ([`Shard`]): runs of every part
    /// together copy each selected instance once (default: the whole fleet).
    pub fn shard(mut self, shard: Shard) -> Self {
        self.shard = Some(shard);
        self
    }

    /// Downloads at most `bytes_per_second` over the whole run, all downloads together.
    pub fn limit_rate(mut self, bytes_per_second: u64) -> Self {
        self.limit = Some(RateLimit::new(bytes_per_second));
        self
    }

    /// Plans without downloading or removing anything (and without taking the lock).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Called with each instance's outcome as it finishes.
    pub fn on_outcome(mut self, on_outcome: impl FnMut(&Outcome) + Send + 'a) -> Self {
        self.on_outcome = Some(Box::new(on_outcome));
        self
    }

    /// Runs the mirror. An error is what stops the whole run (the folder, its lock or its
    /// manifest cannot be used, no region); a failure of one instance is in the report.
    pub async fn run(mut self) -> Result<Report, MirrorError> {
        if self.regions.is_empty() {
            return Err(MirrorError::NoRegion);
        }
        let io = |source: std::io::Error| MirrorError::Io {
            path: self.dir.clone(),
            source,
        };
        match std::fs::metadata(&self.dir) {
            Ok(meta) if !meta.is_dir() => return Err(MirrorError::NotAFolder(self.dir.clone())),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !self.dry_run => {
                std::fs::create_dir_all(&self.dir).map_err(io)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        let _lock = if self.dry_run {
            None
        } else {
            let lock = lock::acquire(&self.dir, self.wait_lock).await?;
            Manifest::remove_stale_temp_files(&self.dir);
            Some(lock)
        };
        let shared = Arc::new(Shared {
            dir: self.dir.clone(),
            manifest: Mutex::new(Manifest::load(&self.dir).map_err(io)?),
            api: Semaphore::new(self.api_calls),
            downloads: Semaphore::new(self.concurrency),
            keep: self.keep,
            dry_run: self.dry_run,
            project: self.project.clone(),
            network: self.network,
            limit: self.limit.clone(),
        });
        let mut report = Report::default();
        let mut wanted = Wanted::parse(&self.instances);
        // What each job needs of an instance: its listing item is not kept, so memory grows
        // with the number of instances by little more than their ids.
        let mut targets: Vec<(&'static BackupKind, String, Instance)> = Vec::new();
        for kind in self.kinds.clone() {
            for region in self.regions.clone() {
                if !wanted.looks_in(kind.name, &region) {
                    continue;
                }
                let options = shared.options(self.client, &region, None);
                let listed = {
                    let _permit = shared.api.acquire().await;
                    crate::instances::read(self.client, kind, options, false).await
                };
                let instances = match listed {
                    Ok(instances) => instances,
                    Err(e) => {
                        let status = Status::Failed {
                            error: format!("listing the instances failed: {e}"),
                        };
                        self.report(&mut report, kind.name, &region, None, status);
                        continue;
                    }
                };
                for instance in instances {
                    // A named instance of another shard is found, not missing: that shard's
                    // run copies it.
                    let mine = |s: &Shard| s.owns(kind.name, &region, &instance.id);
                    if wanted.take(kind.name, &region, &instance.id)
                        && self.shard.is_none_or(|s| mine(&s))
                    {
                        targets.push((kind, region.clone(), instance));
                    }
                }
            }
        }
        // Jobs alive at once: enough to keep the downloads and the calls busy, no more.
        let alive = self.concurrency + self.api_calls;
        let mut targets = targets.into_iter();
        let mut jobs = tokio::task::JoinSet::new();
        let mut running: HashMap<tokio::task::Id, (&'static str, String, String)> = HashMap::new();
        loop {
            while jobs.len() < alive {
                let Some((kind, region, instance)) = targets.next() else {
                    break;
                };
                let (client, shared) = (self.client.clone(), shared.clone());
                let job = (kind.name, region.clone(), instance.id.clone());
                let handle = jobs.spawn(async move {
                    copy_newest(&client, &shared, kind, &region, &instance).await
                });
                running.insert(handle.id(), job);
            }
            let Some(done) = jobs.join_next_with_id().await else {
                break;
            };
            let (id, status) = match done {
                Ok((id, status)) => (id, status),
                Err(error) => (error.id(), panicked(error)),
            };
            if let Some((kind, region, instance)) = running.remove(&id) {
                self.report(&mut report, kind, &region, Some(instance), status);
            }
        }
        let selected: Vec<&str> = self.kinds.iter().map(|k| k.name).collect();
        for (kind, region, instance) in wanted.unlisted(&selected, &self.regions) {
            let error = "no selected kind and region lists this instance".to_owned();
            let status = Status::Failed { error };
            self.report(&mut report, &kind, &region, Some(instance), status);
        }
        Ok(report)
    }

    fn report(
        &mut self,
        report: &mut Report,
        kind: &str,
        region: &str,
        instance: Option<String>,
        status: Status,
    ) {
        let outcome = Outcome {
            kind: kind.to_owned(),
            region: region.to_owned(),
            instance,
            status,
        };
        if let Some(on_outcome) = &mut self.on_outcome {
            on_outcome(&outcome);
        }
        report.outcomes.push(outcome);
    }
}

/// A job that panicked, as its instance's failure.
fn panicked(error: tokio::task::JoinError) -> Status {
    let why = match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into()),
        Err(error) => error.to_string(),
    };
    Status::Failed {
        error: format!("the job stopped unexpectedly ({why}); nothing was recorded"),
    }
}

/// What the jobs of one run share.
struct Shared {
    dir: PathBuf,
    manifest: Mutex<Manifest>,
    api: Semaphore,
    downloads: Semaphore,
    keep: Option<usize>,
    dry_run: bool,
    project: Option<String>,
    network: Network,
    limit: Option<RateLimit>,
}

impl Shared {
    /// The call settings for a region (and an instance's zone): the configured zone only in the
    /// configured region, where it belongs.
    fn options(&self, client: &Client, region: &str, zone: Option<&str>) -> CallOptions {
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Manifest> {
        self.manifest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One instance: its newest completed backup copied, every file of it, unless it already is.
async fn copy_newest(
    client: &Client,
    shared: &Shared,
    kind: &'static BackupKind,
    region: &str,
    instance: &Instance,
) -> Status {
    let failed = |error: String| Status::Failed { error };
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
        .filter(|c| c.is_present(&shared.dir))
        .cloned();
    if let Some(copy) = present {
        let removed = if shared.dry_run {
            Vec::new()
        } else {
            retain(shared, kind.name, &instance.id)
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
    if let Err(e) = check_count(
        action,
        listing,
        &found,
        newest.blocks,
        &under(&shared.dir, &path),
    ) {
        return failed(e.to_string());
    }
    let mut files = Vec::with_capacity(found.len());
    for (index, (link, relative)) in found.into_iter().zip(paths).enumerate() {
        let file = under(&shared.dir, &relative);
        let from_service = link.md5.clone();
        let downloaded = {
            let _permit = shared.downloads.acquire().await;
            match file_download(client, link, &file, index, action, ask) {
                Ok(download) => {
                    let download = download.replace(true);
                    match &shared.limit {
                        Some(limit) => download.limit_rate(limit.clone()).await,
                        None => download.await,
                    }
                }
                Err(e) => Err(e),
            }
        };
        let done = match downloaded {
            Ok(done) => done,
            Err(e) => return failed(e.to_string()),
        };
        let md5 = match from_service.filter(|_| done.verified) {
            Some(md5) => md5,
            None => match hash(&file) {
                Ok(md5) => md5,
                Err(e) => return failed(format!("cannot read {}: {e}", file.display())),
            },
        };
        files.push(CopyFile::new(relative, done.bytes, md5, done.verified));
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
        copied_at: now(),
    };
    {
        let mut manifest = shared.lock();
        manifest.record(copy.clone());
        if let Err(e) = manifest.save(&shared.dir) {
            return failed(format!("cannot write the manifest: {e}"));
        }
    }
    let removed = retain(shared, kind.name, &instance.id);
    Status::Copied { copy, removed }
}

/// Removes an instance's copies beyond the number kept, oldest first, once the manifest
/// records the newest: files the manifest records (every file of a copy, and the folder of a
/// copy of several when it is left empty), nothing else.
fn retain(shared: &Shared, kind: &str, instance: &str) -> Vec<Copy> {
    let Some(keep) = shared.keep else {
        return Vec::new();
    };
    let mut manifest = shared.lock();
    let old: Vec<Copy> = manifest
        .of_instance(kind, instance)
        .into_iter()
        .skip(keep)
        .cloned()
        .collect();
    let mut removed = Vec::new();
    for copy in old {
        let gone =
            copy.files()
                .iter()
                .all(|file| match std::fs::remove_file(file.file(&shared.dir)) {
                    Ok(()) => true,
                    Err(e) => e.kind() == std::io::ErrorKind::NotFound,
                });
        if !copy.shards.is_empty() {
            // Only an empty folder goes: a file nobody recorded stays.
            let _ = std::fs::remove_dir(copy.file(&shared.dir));
        }
        if gone {
            manifest
                .copies
                .retain(|c| !c.is_of(kind, instance, &copy.backup_id));
            removed.push(copy);
        }
    }
    if !removed.is_empty() {
        // A removal the manifest still lists is found missing by `verify`, never lost.
        let _ = manifest.save(&shared.dir);
    }
    removed
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
