//! Downloading a backup file from its pre-signed URL, through the client's own transport (over
//! HTTP: its roots, client certificate, proxy, User-Agent and timeouts): resumable, verified,
//! atomic.
//!
//! - The file streams to `<file>.part`; memory stays at one chunk whatever the size.
//! - A dropped or stalled connection is retried with backoff, and a later run continues: both
//!   send `Range: bytes=<size of the .part>-` with `If-Range` naming the version the `.part`
//!   holds (its ETag, else Last-Modified, kept in `<file>.part.json`). A server that answers
//!   200 instead (it ignores ranges, or the file changed) is followed from the start.
//! - An expired URL (403) is asked for anew through the caller's way to ask
//!   ([`Download::refresh_with`]); a typed backup-URL request does that by itself
//!   ([`Client::download_backup`]).
//! - With an MD5, the file is hashed as it arrives (the part already on disk first) and
//!   compared; on a mismatch nothing stays, neither under the final name nor as `.part`.
//! - The file gets its name by a rename after its data is flushed to disk (`sync_all`), so a
//!   crash never leaves a complete-looking file with missing bytes; an existing file is
//!   replaced only when asked ([`Download::replace`]).
//! - Redirects from object storage are followed (no API credential travels on a download), up
//!   to a bound, never from `https` to `http`. A TLS failure is not retried.
//! - Read as a stream of chunks instead ([`Client::open_download`]) for a copy that goes
//!   somewhere other than a file, such as an object store.
//! - The URL's query is a credential for the file: errors, logs and progress show scheme, host
//!   and path only (`docs/protocol.md`, "Backup download URLs").
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use dezai_runtime::download::DownloadLink;
//! let link = DownloadLink { url: "https://files.example/full.xb?Signature=…".into(), md5: None };
//! let done = client.download(link, "full.xb").replace(true).await?;
//! println!("{} bytes in {}", done.bytes, done.path.display());
//! # Ok(()) }
//! ```

mod error;
mod fetch;
mod ranged;
mod rate;
mod stream;

use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, Instant};

pub use dezai_spec::download::{DownloadLink, Network};
pub use error::{DownloadError, DownloadErrorKind};
pub use rate::RateLimit;
pub use stream::DownloadStream;

/// Redirects one attempt follows at most (the transport follows them).
pub use crate::transport::MAX_REDIRECTS;

use crate::action::Action;
use crate::call_options::CallOptions;
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use fetch::Attempt;
use tracing::Instrument as _;

/// Attempts of one download in all, the first included, unless set otherwise.
pub const DEFAULT_ATTEMPTS: u32 = 6;

/// A response that carries a backup's download URLs and, often, its MD5. Generated responses
/// of backup-URL actions implement it, by the rule of `dezai_spec::download`.
pub trait BackupUrl {
    /// Every download link of this answer on `network`, one per file: a sharded backup has a
    /// file per shard. Empty when the answer holds no URL of that network.
    fn download_links(&self, network: Network) -> Vec<DownloadLink>;

    /// The link of a backup that is one file, on the internet: `None` when the answer holds
    /// no URL, or several (a sharded backup; see [`BackupUrl::download_links`]).
    fn download_link(&self) -> Option<DownloadLink> {
        let mut links = self.download_links(Network::Internet);
        (links.len() == 1).then(|| links.remove(0))
    }
}

/// The links of a backup-URL answer's URL fields (each field's wire name and values, in the
/// spec's order) and MD5 on `network`, by the rule of `dezai_spec::download`. What generated
/// [`BackupUrl`] implementations call.
#[doc(hidden)]
pub fn links_from(
    network: Network,
    fields: &[(&str, &[String])],
    md5: Option<&str>,
) -> Vec<DownloadLink> {
    let fields = fields
        .iter()
        .map(|(name, values)| (*name, values.iter().map(String::as_str).collect()));
    dezai_spec::download::links(fields, md5, network)
}

/// What happened during a download, for a progress display. Never holds the URL.
#[derive(Debug)]
#[non_exhaustive]
pub enum Progress<'e> {
    /// An attempt's data begins at `at` bytes (more than 0 when resuming) of `total`.
    Started {
        /// Bytes already in the `.part` file.
        at: u64,
        /// The file's size, when the server says.
        total: Option<u64>,
    },
    /// The server sent the whole file instead of the rest (it ignores ranges, or the file
    /// changed): starting over.
    Restarted,
    /// Bytes written so far.
    Advanced {
        /// Bytes in the `.part` file.
        at: u64,
        /// The file's size, when the server says.
        total: Option<u64>,
    },
    /// The URL has expired: asking for a fresh one.
    Refreshing,
    /// An attempt failed and the next starts after `wait`.
    Retrying {
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// The pause before the next.
        wait: Duration,
        /// Why it failed.
        error: &'e DownloadError,
    },
}

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// The file, under its final name.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Whether its MD5 was checked against the service's.
    pub verified: bool,
    /// How long it took, asking for URLs included.
    pub elapsed: Duration,
}

/// A fresh link being asked for: `None` when the answer holds no download URL.
type Pending<'a> = Pin<Box<dyn Future<Output = Result<Option<DownloadLink>, Error>> + Send + 'a>>;
type Refresh<'a> = Box<dyn FnMut() -> Pending<'a> + Send + 'a>;
type OnProgress<'a> = Box<dyn FnMut(&Progress<'_>) + Send + 'a>;

/// A download being set up: see the [module docs](self). Await it to run it.
#[must_use = "a download does nothing until it is awaited"]
pub struct Download<'a> {
    client: &'a Client,
    /// `None` until the first link is asked for (a typed request's download).
    link: Option<DownloadLink>,
    output: PathBuf,
    replace: bool,
    attempts: u32,
    refresh: Option<Refresh<'a>>,
    progress: Option<OnProgress<'a>>,
    limit: Option<RateLimit>,
    /// Connections at once; `None`: chosen by the file's size.
    streams: Option<usize>,
}

impl std::fmt::Debug for Download<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("from", &self.link.as_ref().map(|l| error::location(&l.url)))
            .field("output", &self.output)
            .field("replace", &self.replace)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Downloads the file at `link` to `output`: see [`crate::download`].
    pub fn download(&self, link: DownloadLink, output: impl Into<PathBuf>) -> Download<'_> {
        Download::new(self, Some(link), output.into())
    }

    /// Asks for the link with `ask` (and again when the URL expires) and downloads the file to
    /// `output`: for a link that comes from an API call (`Ok(None)` when the answer holds no
    /// download URL).
    pub fn download_asking<'a, F, Fut>(&'a self, output: impl Into<PathBuf>, ask: F) -> Download<'a>
    where
        F: FnMut() -> Fut + Send + 'a,
        Fut: Future<Output = Result<Option<DownloadLink>, Error>> + Send + 'a,
    {
        Download::new(self, None, output.into()).refresh_with(ask)
    }

    /// Sends a backup-URL action's request and downloads the file its answer points at to
    /// `output`, checked against the answer's MD5; an expired URL is asked for again by
    /// sending the request again. Generated calls offer it as `.download_to(output)`.
    pub fn download_backup<A>(&self, request: A, output: impl Into<PathBuf>) -> Download<'_>
    where
        A: Action + Clone + Sync + 'static,
        A::Response: BackupUrl,
    {
        self.download_backup_with(request, CallOptions::default(), output)
    }

    /// [`Client::download_backup`] with settings for the API calls.
    pub fn download_backup_with<A>(
        &self,
        request: A,
        options: CallOptions,
        output: impl Into<PathBuf>,
    ) -> Download<'_>
    where
        A: Action + Clone + Sync + 'static,
        A::Response: BackupUrl,
    {
        self.download_asking(output, move || {
            let (request, options) = (request.clone(), options.clone());
            async move {
                let response = self.send_with(request, options).await?;
                let mut links = response.download_links(Network::Internet);
                match links.len() {
                    0 | 1 => Ok(links.pop()),
                    n => Err(Error::local(
                        ErrorKind::InvalidRequest,
                        A::NAME,
                        format!(
                            "the backup is {n} files, one per shard, and one file cannot hold \
                             them: download it into a folder (`dezai_sdk::backups`, or \
                             `dezai backup download … -o DIR/`)"
                        ),
                    )),
                }
            }
        })
    }
}

impl<'a> Download<'a> {
    fn new(client: &'a Client, link: Option<DownloadLink>, output: PathBuf) -> Self {
        Self {
            client,
            link,
            output,
            replace: false,
            attempts: DEFAULT_ATTEMPTS,
            refresh: None,
            progress: None,
            limit: None,
            streams: None,
        }
    }

    /// Fetches the file over `n` connections at once, each its own ranges (`1`: one
    /// connection, one request). Without this, a file of 16 MiB or more takes 4 and a smaller
    /// one 1. A server that ignores ranges, or whose file changes, gets one stream from the
    /// start.
    pub fn streams(mut self, n: usize) -> Self {
        self.streams = Some(n.max(1));
        self
    }

    /// Reads no faster than `limit` allows (shared with every download given a clone of it).
    pub fn limit_rate(mut self, limit: RateLimit) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Replaces the file if it exists (without this, an existing file is an
    /// [`DownloadErrorKind::Exists`] error and is left alone).
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// Attempts in all, the first included (at least 1). Default [`DEFAULT_ATTEMPTS`].
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// How to ask for a fresh link when the URL has expired (typically: the backup-URL
    /// action again); `Ok(None)` when the answer holds no download URL.
    pub fn refresh_with<F, Fut>(mut self, mut refresh: F) -> Self
    where
        F: FnMut() -> Fut + Send + 'a,
        Fut: Future<Output = Result<Option<DownloadLink>, Error>> + Send + 'a,
    {
        self.refresh = Some(Box::new(move || Box::pin(refresh())));
        self
    }

    /// Called with each [`Progress`] event.
    pub fn on_progress(mut self, progress: impl FnMut(&Progress<'_>) + Send + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Runs the download, in a `dezai.download` span: where from (scheme, host and path; never
    /// the query, a credential for the file), then bytes, attempts and outcome once done; an
    /// attempt's own span says where it resumed from.
    pub async fn run(self) -> Result<Downloaded, DownloadError> {
        let span = tracing::info_span!(
            "dezai.download",
            otel.name = "dezai.download",
            from = tracing::field::Empty,
            streams = tracing::field::Empty,
            bytes = tracing::field::Empty,
            attempts = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let result = self.attempts_in(&span).instrument(span.clone()).await;
        match &result {
            Ok(done) => {
                span.record("outcome", "ok");
                span.record("bytes", done.bytes);
            }
            Err(error) => {
                span.record("outcome", "error");
                span.record("attempts", error.attempts());
            }
        }
        result
    }

    async fn attempts_in(mut self, span: &tracing::Span) -> Result<Downloaded, DownloadError> {
        let started = Instant::now();
        let output = self.output.clone();
        if output.exists() && !self.replace {
            let from = self.link.as_ref().map_or("", |l| l.url.as_str());
            return Err(DownloadError::new(
                DownloadErrorKind::Exists,
                &output,
                from,
                format!(
                    "{} exists; it is replaced only when asked",
                    output.display()
                ),
            ));
        }
        let mut link = match self.link.take() {
            Some(link) => link,
            None => self.ask(&output).await?,
        };
        let files = fetch::Files::of(&output);
        let timeout = self.client.config().timeout();
        let mut attempt = 0;
        // A ranged probe's answer of the whole file, for the one stream to read.
        let mut unranged = None;
        loop {
            attempt += 1;
            if !span.is_disabled() {
                span.record("from", error::location(&link.url).as_str());
            }
            let attempt_span = tracing::debug_span!(
                "dezai.download.attempt",
                n = attempt,
                streams = tracing::field::Empty,
                resumed_from = tracing::field::Empty,
                http.response.status_code = tracing::field::Empty,
            );
            // Ranges unless asked for one stream, or an earlier single stream left a `.part`
            // to go on with.
            let single = self.streams == Some(1)
                || (files.part.exists() && files.meta.exists() && !ranged::is_ranged(&files));
            let outcome = match single {
                true => {
                    fetch::attempt(
                        self.client,
                        &link,
                        &files,
                        unranged.take(),
                        timeout,
                        self.limit.as_ref(),
                        &mut self.progress,
                    )
                    .instrument(attempt_span)
                    .await
                }
                false => match ranged::attempt(
                    self.client,
                    &link,
                    &files,
                    self.streams,
                    timeout,
                    self.limit.as_ref(),
                    &mut self.progress,
                )
                .instrument(attempt_span)
                .await
                {
                    Ok(ranged::Ranged::Done(fetched)) => Ok(fetched),
                    Ok(ranged::Ranged::Unranged(whole)) => {
                        // One stream from the start: this is not a failed attempt.
                        self.streams = Some(1);
                        unranged = whole;
                        attempt -= 1;
                        continue;
                    }
                    Err(error) => Err(error),
                },
            };
            let mut error = match outcome {
                Ok(fetched) => {
                    span.record("attempts", attempt);
                    span.record("streams", fetched.streams);
                    files.commit(&output, &link.url)?;
                    return Ok(Downloaded {
                        path: output,
                        bytes: fetched.bytes,
                        verified: fetched.verified,
                        elapsed: started.elapsed(),
                    });
                }
                Err(Attempt::Expired(error))
                    if self.refresh.is_some() && attempt < self.attempts =>
                {
                    report(&mut self.progress, &Progress::Refreshing);
                    drop(error);
                    link = self.ask(&output).await?;
                    continue;
                }
                Err(Attempt::Expired(error) | Attempt::Failed(error)) => error,
            };
            error.set_attempts(attempt);
            if !error.is_transient() || attempt >= self.attempts {
                return Err(error);
            }
            let wait = Duration::from_millis(200 << (attempt - 1).min(5));
            let event = Progress::Retrying {
                attempt,
                wait,
                error: &error,
            };
            report(&mut self.progress, &event);
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying the download");
            tokio::time::sleep(wait).await;
        }
    }

    /// A link from the caller's way to ask.
    async fn ask(&mut self, output: &Path) -> Result<DownloadLink, DownloadError> {
        let Some(refresh) = &mut self.refresh else {
            return Err(DownloadError::new(
                DownloadErrorKind::Expired,
                output,
                "",
                "the download URL has expired and there is no way to ask for a new one",
            ));
        };
        match refresh().await {
            Ok(Some(link)) => Ok(link),
            Ok(None) => Err(DownloadError::new(
                DownloadErrorKind::Api,
                output,
                "",
                "the answer holds no download URL",
            )),
            Err(e) => {
                let message = format!("asking for the download URL failed: {e}");
                Err(DownloadError::new(DownloadErrorKind::Api, output, "", message).with_source(e))
            }
        }
    }
}

impl<'a> IntoFuture for Download<'a> {
    type Output = Result<Downloaded, DownloadError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

fn report(progress: &mut Option<OnProgress<'_>>, event: &Progress<'_>) {
    if let Some(progress) = progress {
        progress(event);
    }
}
