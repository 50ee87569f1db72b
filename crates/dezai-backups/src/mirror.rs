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

#[cfg(feature = "s3")]
pub mod bucket;
mod check;
mod copy;
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

use dezai_runtime::Client;
use dezai_runtime::download::{Network, RateLimit};
use dezai_spec::backups::{BackupKind, KINDS};
use tokio::sync::Semaphore;
use tracing::Instrument as _;

#[cfg(feature = "s3")]
pub use bucket::{
    Bucket, BucketSettings, DEFAULT_PART_SIZE, DEFAULT_PART_UPLOADS, MIN_PART_SIZE, is_bucket_url,
};
pub use check::{Checked, Found, InstanceStatus, status, verify};
use copy::{Place, Shared, copy_newest};
pub use error::MirrorError;
pub use lock::LOCK_FILE;
pub use manifest::{Copy, CopyFile, MANIFEST_FILE, Manifest};
pub use report::{Outcome, Report, Status};
pub use selection::Shard;
use selection::Wanted;

use crate::instances::Instance;
/// Safe path components of names from the service (the rule every file name here follows).
pub use crate::names::component;

type OnOutcome<'a> = Box<dyn FnMut(&Outcome) + Send + 'a>;

/// A mirror being set up: see the [module docs](self). Run it with [`Mirror::run`].
#[must_use = "a mirror does nothing until it is run"]
pub struct Mirror<'a> {
    client: &'a Client,
    target: Target,
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
    streams: Option<usize>,
    on_outcome: Option<OnOutcome<'a>>,
}

/// Where a mirror's copies go.
enum Target {
    Folder(PathBuf),
    #[cfg(feature = "s3")]
    Bucket(Bucket),
}

/// A mirror of `client`'s backups into `dir`: see the [module docs](self).
pub fn mirror(client: &Client, dir: impl Into<PathBuf>) -> Mirror<'_> {
    to(client, Target::Folder(dir.into()))
}

/// A mirror of `client`'s backups into an S3-compatible bucket: see [`Bucket`].
#[cfg(feature = "s3")]
pub fn mirror_bucket(client: &Client, bucket: Bucket) -> Mirror<'_> {
    to(client, Target::Bucket(bucket))
}

fn to(client: &Client, target: Target) -> Mirror<'_> {
    Mirror {
        client,
        target,
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
        streams: None,
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

    /// Connections per file copied (default: into a folder by the file's size, into a bucket
    /// one). Into a bucket, each part of a file's multipart upload is then a ranged download
    /// of its own; memory is about part size × (2 × streams + 1) per file being copied.
    pub fn streams(mut self, n: usize) -> Self {
        self.streams = Some(n.max(1));
        self
    }

    /// Runs the mirror. An error is what stops the whole run (the folder, its lock or its
    /// manifest cannot be used, no region); a failure of one instance is in the report.
    pub async fn run(mut self) -> Result<Report, MirrorError> {
        if self.regions.is_empty() {
            return Err(MirrorError::NoRegion);
        }
        let (place, manifest, _lock) = match &self.target {
            Target::Folder(dir) => {
                let (manifest, lock) = open_folder(dir, self.dry_run, self.wait_lock).await?;
                (Place::Folder(dir.clone()), manifest, lock)
            }
            #[cfg(feature = "s3")]
            Target::Bucket(bucket) => {
                let listed = bucket.list().await?;
                let manifest = bucket.load(&listed).await?;
                let bucket = bucket.clone();
                (Place::Bucket { bucket, listed }, manifest, None)
            }
        };
        let shared = Arc::new(Shared {
            place,
            manifest: Mutex::new(manifest),
            api: Semaphore::new(self.api_calls),
            downloads: Semaphore::new(self.concurrency),
            keep: self.keep,
            dry_run: self.dry_run,
            project: self.project.clone(),
            network: self.network,
            limit: self.limit.clone(),
            streams: self.streams,
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
                        let outcome = Outcome::of(kind.name, &region, None, status, None);
                        self.report(&mut report, outcome);
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
                // A span per instance: its calls and downloads inside, what became of it on it.
                let span = tracing::info_span!(
                    "dezai.mirror.instance",
                    otel.name = "dezai.mirror.instance",
                    kind = kind.name,
                    region = %region,
                    instance = %instance.id,
                    outcome = tracing::field::Empty,
                    bytes = tracing::field::Empty,
                );
                let handle = jobs.spawn(
                    async move {
                        let status = copy_newest(&client, &shared, kind, &region, &instance).await;
                        let span = tracing::Span::current();
                        span.record("outcome", status.word());
                        if let Status::Copied { copy, .. } = &status {
                            span.record("bytes", copy.size);
                        }
                        status
                    }
                    .instrument(span),
                );
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
                let newest = shared.newest(kind, &instance, &status);
                let outcome = Outcome::of(kind, &region, Some(instance), status, newest);
                self.report(&mut report, outcome);
            }
        }
        let selected: Vec<&str> = self.kinds.iter().map(|k| k.name).collect();
        for (kind, region, instance) in wanted.unlisted(&selected, &self.regions) {
            let error = "no selected kind and region lists this instance".to_owned();
            let status = Status::Failed { error };
            let outcome = Outcome::of(&kind, &region, Some(instance), status, None);
            self.report(&mut report, outcome);
        }
        Ok(report)
    }

    fn report(&mut self, report: &mut Report, outcome: Outcome) {
        if let Some(on_outcome) = &mut self.on_outcome {
            on_outcome(&outcome);
        }
        report.outcomes.push(outcome);
    }
}

/// A folder made ready for a run: there (made unless planning), locked (unless planning), its
/// manifest read.
async fn open_folder(
    dir: &std::path::Path,
    dry_run: bool,
    wait_lock: Option<Duration>,
) -> Result<(Manifest, Option<lock::MirrorLock>), MirrorError> {
    let io = |source: std::io::Error| MirrorError::Io {
        path: dir.to_owned(),
        source,
    };
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => return Err(MirrorError::NotAFolder(dir.to_owned())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !dry_run => {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let lock = if dry_run {
        None
    } else {
        let lock = lock::acquire(dir, wait_lock).await?;
        Manifest::remove_stale_temp_files(dir);
        Some(lock)
    };
    Ok((Manifest::load(dir).map_err(io)?, lock))
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

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
