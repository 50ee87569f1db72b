//! A mirror: every selected instance's newest completed backup copied into a folder, verified,
//! recorded in a manifest, older copies kept to a number; `dezai backup sync` runs it.
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use dezai_runtime::backups;
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
//!   one) and project given; every instance of each (or the ones named), and each one's newest
//!   completed backup, picked as [`super::latest`] does.
//! - **Idempotent**: a backup the manifest records, whose file is there with its recorded size,
//!   is not asked for again: a run with nothing new makes only listing calls.
//! - **Resumable**: a download interrupted by a crash resumes from its `.part` file.
//! - **Layout**: `<kind>/<region>/<instance>/<backup time>-<backup id>.<ext>`, each part made
//!   safe by [`component`]; the manifest is [`MANIFEST_FILE`] at the top.
//! - **Retention** ([`Mirror::keep`]): an instance's older copies beyond the number are removed
//!   once the newest is verified and recorded; only copies the manifest records are removed.
//! - **Limits**: [`Mirror::concurrency`] downloads at once, [`Mirror::api_calls`] calls in
//!   flight, [`Mirror::limit_rate`] bytes per second over the whole run.
//! - **Failures** of one instance are its outcome; the others go on.

mod check;
mod files;
mod manifest;
mod names;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Map;
use tokio::sync::Semaphore;

pub use check::{Found, InstanceStatus, status, verify};
use files::{hash, layout, size_of};
pub use manifest::{Copy, MANIFEST_FILE, Manifest};
pub use names::component;

use super::{Backup, BackupKind, KINDS, list_with, newest_completed, url_request};
use crate::call_options::CallOptions;
use crate::client::Client;
use crate::download::{DownloadLink, RateLimit};

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
    limit: Option<RateLimit>,
    on_outcome: Option<OnOutcome<'a>>,
}

/// What happened to one instance (or, with no instance, to a listing of instances).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    /// The kind.
    pub kind: &'static str,
    /// The region.
    pub region: String,
    /// The instance; `None` when listing the instances failed.
    pub instance: Option<String>,
    /// What happened.
    pub status: Status,
}

/// What happened to one instance.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Status {
    /// Its newest backup was copied and verified (and older copies removed, if any).
    Copied {
        /// The new copy.
        copy: Copy,
        /// Copies removed by retention.
        removed: Vec<Copy>,
    },
    /// Its newest backup was already copied.
    UpToDate {
        /// The copy.
        copy: Copy,
        /// Copies removed by retention.
        removed: Vec<Copy>,
    },
    /// A dry run: this backup would be copied to this path.
    Planned {
        /// The backup.
        backup: Backup,
        /// Its path, relative to the folder.
        path: String,
    },
    /// It failed; the others went on.
    Failed {
        /// Why.
        error: String,
    },
}

/// Every outcome of a run.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Report {
    /// One per instance (and per failed listing), in the order they finished.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// How many failed.
    pub fn failed(&self) -> usize {
        let failed = self.outcomes.iter();
        failed
            .filter(|o| matches!(o.status, Status::Failed { .. }))
            .count()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let instance = self.instance.as_deref().unwrap_or("(instance listing)");
        write!(f, "{} {} {instance}: ", self.kind, self.region)?;
        let removed = |removed: &[Copy]| match removed.len() {
            0 => String::new(),
            n => format!(", {n} older removed"),
        };
        match &self.status {
            Status::Copied { copy, removed: r } => write!(
                f,
                "copied backup {} ({} bytes) to {}{}",
                copy.backup_id,
                copy.size,
                copy.path,
                removed(r)
            ),
            Status::UpToDate { copy, removed: r } => {
                write!(f, "up to date (backup {}){}", copy.backup_id, removed(r))
            }
            Status::Planned { backup, path } => {
                write!(f, "would copy backup {} to {path}", backup.id)
            }
            Status::Failed { error } => write!(f, "failed: {error}"),
        }
    }
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

    /// Only these instances (default: every instance the listings give).
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

    /// Downloads at most `bytes_per_second` over the whole run, all downloads together.
    pub fn limit_rate(mut self, bytes_per_second: u64) -> Self {
        self.limit = Some(RateLimit::new(bytes_per_second));
        self
    }

    /// Plans without downloading or removing anything.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Called with each instance's outcome as it finishes.
    pub fn on_outcome(mut self, on_outcome: impl FnMut(&Outcome) + Send + 'a) -> Self {
        self.on_outcome = Some(Box::new(on_outcome));
        self
    }

    /// Runs the mirror. An error is what stops the whole run (the folder or its manifest
    /// cannot be used, no region); a failure of one instance is in the report.
    pub async fn run(mut self) -> Result<Report, std::io::Error> {
        if self.regions.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "no region: configure one or name the regions",
            ));
        }
        if !self.dry_run {
            std::fs::create_dir_all(&self.dir)?;
        }
        let shared = Arc::new(Shared {
            dir: self.dir.clone(),
            manifest: Mutex::new(Manifest::load(&self.dir)?),
            api: Semaphore::new(self.api_calls),
            downloads: Semaphore::new(self.concurrency),
            keep: self.keep,
            dry_run: self.dry_run,
            project: self.project.clone(),
            limit: self.limit.clone(),
        });
        let mut report = Report::default();
        // What each job needs of an instance: its listing item is not kept, so memory grows
        // with the number of instances by little more than their ids.
        let mut targets: Vec<(&'static BackupKind, String, super::Instance)> = Vec::new();
        let mut named: Vec<String> = self.instances.clone();
        for kind in self.kinds.clone() {
            for region in self.regions.clone() {
                let options = shared.options(self.client, &region, None);
                let listed = {
                    let _permit = shared.api.acquire().await;
                    super::instances::read(self.client, kind, options, false).await
                };
                let instances = match listed {
                    Ok(instances) => instances,
                    Err(e) => {
                        let status = Status::Failed {
                            error: format!("listing the instances failed: {e}"),
                        };
                        self.report(&mut report, kind, &region, None, status);
                        continue;
                    }
                };
                for instance in instances {
                    if !self.instances.is_empty() && !self.instances.contains(&instance.id) {
                        continue;
                    }
                    named.retain(|n| *n != instance.id);
                    targets.push((kind, region.clone(), instance));
                }
            }
        }
        // Jobs alive at once: enough to keep the downloads and the calls busy, no more.
        let alive = self.concurrency + self.api_calls;
        let mut targets = targets.into_iter();
        let mut jobs = tokio::task::JoinSet::new();
        loop {
            while jobs.len() < alive {
                let Some((kind, region, instance)) = targets.next() else {
                    break;
                };
                let (client, shared) = (self.client.clone(), shared.clone());
                jobs.spawn(async move {
                    let status = copy_newest(&client, &shared, kind, &region, &instance).await;
                    (kind, region, instance.id, status)
                });
            }
            let Some(done) = jobs.join_next().await else {
                break;
            };
            let (kind, region, instance, status) = done.map_err(std::io::Error::other)?;
            self.report(&mut report, kind, &region, Some(instance), status);
        }
        for missing in named {
            let error = "no selected kind and region lists this instance".to_owned();
            let kind = self.kinds.first().map_or("", |k| k.name);
            let region = self.regions[0].clone();
            let outcome = Outcome {
                kind,
                region,
                instance: Some(missing),
                status: Status::Failed { error },
            };
            if let Some(on_outcome) = &mut self.on_outcome {
                on_outcome(&outcome);
            }
            report.outcomes.push(outcome);
        }
        Ok(report)
    }

    fn report(
        &mut self,
        report: &mut Report,
        kind: &'static BackupKind,
        region: &str,
        instance: Option<String>,
        status: Status,
    ) {
        let outcome = Outcome {
            kind: kind.name,
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

/// What the jobs of one run share.
struct Shared {
    dir: PathBuf,
    manifest: Mutex<Manifest>,
    api: Semaphore,
    downloads: Semaphore,
    keep: Option<usize>,
    dry_run: bool,
    project: Option<String>,
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

/// One instance: its newest completed backup copied, unless it already is.
async fn copy_newest(
    client: &Client,
    shared: &Shared,
    kind: &'static BackupKind,
    region: &str,
    instance: &super::Instance,
) -> Status {
    let options = shared.options(client, region, instance.zone.as_deref());
    let listed = {
        let _permit = shared.api.acquire().await;
        list_with(client, kind, &instance.id, Map::new(), options.clone()).await
    };
    let newest = match listed.and_then(|all| newest_completed(kind, &instance.id, all)) {
        Ok(newest) => newest,
        Err(e) => {
            let error = e.message().map_or_else(|| e.to_string(), str::to_owned);
            return Status::Failed { error };
        }
    };
    let present = shared
        .lock()
        .find(kind.name, &instance.id, &newest.id)
        .filter(|c| size_of(&c.file(&shared.dir)) == Some(c.size))
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
            super::ask_link(client, kind, params, options).await
        }
    };
    let link: DownloadLink = match ask().await {
        Ok(Some(link)) => link,
        Ok(None) => {
            let error = format!(
                "the answer of {} holds no download URL",
                kind.download.action
            );
            return Status::Failed { error };
        }
        Err(e) => {
            let error = format!("asking for the URL failed: {e}");
            return Status::Failed { error };
        }
    };
    let path = layout(kind.name, region, &instance.id, &newest, &link.url);
    if shared.dry_run {
        return Status::Planned {
            backup: newest,
            path,
        };
    }
    let file = path.split('/').fold(shared.dir.clone(), |p, c| p.join(c));
    if let Some(parent) = file.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            let error = format!("cannot create {}: {e}", parent.display());
            return Status::Failed { error };
        }
    }
    let from_service = link.md5.clone();
    let downloaded = {
        let _permit = shared.downloads.acquire().await;
        let mut download = client.download(link, &file).replace(true).refresh_with(ask);
        if let Some(limit) = &shared.limit {
            download = download.limit_rate(limit.clone());
        }
        download.await
    };
    let done = match downloaded {
        Ok(done) => done,
        Err(e) => {
            return Status::Failed {
                error: e.to_string(),
            };
        }
    };
    let md5 = match from_service.filter(|_| done.verified) {
        Some(md5) => md5,
        None => match hash(&file) {
            Ok(md5) => md5,
            Err(e) => {
                let error = format!("cannot read {}: {e}", file.display());
                return Status::Failed { error };
            }
        },
    };
    let copy = Copy {
        kind: kind.name.to_owned(),
        region: region.to_owned(),
        zone: instance.zone.clone(),
        project: shared.project.clone(),
        instance: instance.id.clone(),
        backup_id: newest.id.clone(),
        name: newest.name.clone(),
        time: newest.time,
        size: done.bytes,
        md5,
        md5_from_service: done.verified,
        path,
        copied_at: now(),
    };
    {
        let mut manifest = shared.lock();
        manifest.record(copy.clone());
        if let Err(e) = manifest.save(&shared.dir) {
            return Status::Failed {
                error: format!("cannot write the manifest: {e}"),
            };
        }
    }
    let removed = retain(shared, kind.name, &instance.id);
    Status::Copied { copy, removed }
}

/// Removes an instance's copies beyond the number kept, oldest first, once the manifest
/// records the newest: files the manifest records, nothing else.
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
        let gone = match std::fs::remove_file(copy.file(&shared.dir)) {
            Ok(()) => true,
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
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

pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
