//! A mirror in an S3-compatible bucket (`s3://bucket/prefix`): the folder mirror's layout under
//! the prefix, a record per instance next to its copies, and every copy streamed from the
//! service's URL into an upload, never through local disk.
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use dezai_backups::mirror::{Bucket, BucketSettings};
//! // Endpoint, region and keys from the environment (`AWS_ENDPOINT_URL`, `AWS_REGION`,
//! // `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) or the shared credentials file's profile.
//! let bucket = Bucket::open("s3://backups/nightly", &BucketSettings::default())?
//!     .part_size(16 << 20)
//!     .part_uploads(4);
//! let report = dezai_backups::mirror_bucket(&client, bucket).keep(7).run().await?;
//! assert_eq!(report.failed(), 0);
//! # Ok(()) }
//! ```
//!
//! - **Where**: endpoint, region, addressing and keys follow the AWS conventions: the
//!   [`BucketSettings`] given, else the `AWS_*` variables, else the profile (`AWS_PROFILE`,
//!   else `default`) of the shared credentials and config files. An `http://` endpoint (a
//!   store on the same host) is allowed because it was named; requests are path-style unless
//!   virtual-hosted ones are asked for.
//! - **Records**: `<kind>/<region>/<instance>/`[`MANIFEST_FILE`](super::MANIFEST_FILE) holds
//!   that instance's copies, in the folder manifest's format, written only after a copy is
//!   complete. Runs of other
//!   shards write other instances' records, so no two of them write one object; `status` and
//!   `verify` read every record under the prefix.
//! - **A copy** streams into a single upload when it is smaller than a part, else a multipart
//!   upload of parts of [`Bucket::part_size`] bytes. Memory is bounded by the part size: each
//!   file being copied fills one part, and at most [`Bucket::part_uploads`] parts are in
//!   flight in the whole run, so a run holds about part size × (part uploads + downloads at
//!   once): 8 MiB × (4 + 2) by default. Its MD5 is computed on the way; the upload is completed
//!   only when it equals the service's, and aborted otherwise.
//! - **After a kill**: an unfinished multipart upload is no object, and no record names it, so
//!   the next run copies the backup again. Each multipart upload leaves a marker under its
//!   instance's `.dezai-uploads/` until it ends; the next run of that instance aborts the
//!   uploads the markers name.
//! - **No lock**: a bucket has none to take. Two runs of the same instances at once are kept
//!   apart by the scheduler (a CronJob's `concurrencyPolicy: Forbid`, one host per shard).

mod check;
mod multipart;
mod profile;
mod ranged;
mod records;
mod upload;

use std::sync::Arc;

use object_store::aws::{AmazonS3, AmazonS3Builder};

use super::error::MirrorError;
pub(super) use records::{Listed, instance_folder};

/// Bytes per part of a multipart upload unless set otherwise.
pub const DEFAULT_PART_SIZE: usize = 8 << 20;
/// The smallest part S3 accepts (every part but the last).
pub const MIN_PART_SIZE: usize = 5 << 20;
/// Parts in flight at once, in the whole run, unless set otherwise.
pub const DEFAULT_PART_UPLOADS: usize = 4;

/// Where an S3 bucket is and how to sign for it, beyond (and before) the environment.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct BucketSettings {
    /// The endpoint (`https://s3.example.com`, `http://127.0.0.1:9000`).
    pub endpoint: Option<String>,
    /// The region (`us-east-1` unless set anywhere).
    pub region: Option<String>,
    /// `Some(false)`: virtual-hosted requests (`bucket.endpoint`); path-style otherwise.
    pub path_style: Option<bool>,
    /// The shared credentials file's profile to read keys from (else `AWS_PROFILE`, else
    /// `default`).
    pub profile: Option<String>,
    /// The access key id.
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<String>,
    /// A session token, with temporary keys.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for BucketSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("BucketSettings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .field("profile", &self.profile)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &masked(&self.secret_access_key))
            .field("session_token", &masked(&self.session_token))
            .finish()
    }
}

/// A bucket and prefix a mirror lives in: see the [module docs](self).
#[derive(Clone)]
pub struct Bucket {
    store: Arc<AmazonS3>,
    /// The prefix, without a trailing `/`; empty for the whole bucket.
    prefix: String,
    /// `s3://bucket/prefix`, for messages.
    url: String,
    part_size: usize,
    part_uploads: usize,
    /// The run's parts in flight: one permit each.
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("url", &self.url)
            .field("part_size", &self.part_size)
            .field("part_uploads", &self.part_uploads)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Display for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// Whether `target` names a bucket (`s3://…`) rather than a folder.
pub fn is_bucket_url(target: &str) -> bool {
    target.starts_with("s3://")
}

impl Bucket {
    /// The bucket and prefix `url` (`s3://bucket/prefix`) names, reached as `settings`, the
    /// environment and the profile say (in that order).
    pub fn open(url: &str, settings: &BucketSettings) -> Result<Self, MirrorError> {
        let refused = |message: String| MirrorError::Bucket {
            url: url.to_owned(),
            message,
        };
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(refused("not an s3:// URL".into()));
        };
        let (name, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if name.is_empty() {
            return Err(refused("no bucket named: s3://BUCKET/PREFIX".into()));
        }
        let prefix = prefix.trim_matches('/').to_owned();
        // Signing (object_store) and TLS (reqwest's rustls) both use ring, as the SDK does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(name);
        let profile = profile::Profile::read(settings.profile.as_deref());
        let from_env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        if from_env("AWS_ACCESS_KEY_ID").is_none() && settings.access_key_id.is_none() {
            if let (Some(id), Some(secret)) = (&profile.access_key_id, &profile.secret_access_key) {
                builder = builder
                    .with_access_key_id(id)
                    .with_secret_access_key(secret);
                if let Some(token) = &profile.session_token {
                    builder = builder.with_token(token);
                }
            }
        }
        let region = settings
            .region
            .clone()
            .or_else(|| from_env("AWS_REGION"))
            .or_else(|| from_env("AWS_DEFAULT_REGION"))
            .or(profile.region);
        if let Some(region) = region {
            builder = builder.with_region(region);
        }
        let endpoint = settings
            .endpoint
            .clone()
            .or_else(|| from_env("AWS_ENDPOINT_URL_S3"))
            .or_else(|| from_env("AWS_ENDPOINT_URL"))
            .or(profile.endpoint);
        if let Some(endpoint) = endpoint {
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        if let Some(path_style) = settings.path_style {
            builder = builder.with_virtual_hosted_style_request(!path_style);
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
            if let Some(token) = &settings.session_token {
                builder = builder.with_token(token);
            }
        }
        let store = builder.build().map_err(|e| refused(e.to_string()))?;
        let url = match prefix.as_str() {
            "" => format!("s3://{name}"),
            prefix => format!("s3://{name}/{prefix}"),
        };
        Ok(Self {
            store: Arc::new(store),
            prefix,
            url,
            part_size: DEFAULT_PART_SIZE,
            part_uploads: DEFAULT_PART_UPLOADS,
            in_flight: Arc::new(tokio::sync::Semaphore::new(DEFAULT_PART_UPLOADS)),
        })
    }

    /// Bytes per part of a multipart upload (at least [`MIN_PART_SIZE`]; default
    /// [`DEFAULT_PART_SIZE`]). A file smaller than a part is one upload.
    pub fn part_size(mut self, bytes: usize) -> Self {
        self.part_size = bytes.max(MIN_PART_SIZE);
        self
    }

    /// Parts in flight at once, every file's together (default [`DEFAULT_PART_UPLOADS`]).
    pub fn part_uploads(mut self, n: usize) -> Self {
        self.part_uploads = n.max(1);
        self.in_flight = Arc::new(tokio::sync::Semaphore::new(self.part_uploads));
        self
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The object of a path relative to the prefix.
    fn key(&self, relative: &str) -> Result<object_store::path::Path, String> {
        let full = match self.prefix.as_str() {
            "" => relative.to_owned(),
            prefix => format!("{prefix}/{relative}"),
        };
        object_store::path::Path::parse(&full).map_err(|e| format!("{full}: {e}"))
    }

    /// A path relative to the prefix, for messages: `s3://bucket/prefix/relative`.
    pub(crate) fn show(&self, relative: &str) -> String {
        format!("{}/{relative}", self.url)
    }

    fn failed(&self, message: impl std::fmt::Display) -> MirrorError {
        MirrorError::Bucket {
            url: self.url.clone(),
            message: message.to_string(),
        }
    }
}
