//! A backup's files: its URL action asked for every link on a network (one per file; a sharded
//! backup has a file per shard), and each file downloaded through `dezai_runtime::download`
//! (resumed, MD5-checked where the service gives one, renamed into place when complete, its
//! URL asked for anew when it expires).
//!
//! Where the files go: a backup of one file goes to the path given, or into it when it is a
//! folder (an existing one, or a path ending in `/`), under its URL's file name. A backup of
//! several files needs a folder, and gets `shard-<index>.<ext>` there; a file path is a
//! [`DownloadErrorKind::Sharded`] error that says how many shards there are. When the listing
//! says how many shards a backup has (`BlockCount`), an answer with another number of URLs is
//! an error, never a partial copy.

use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, Instant};

use dezai_runtime::download::{
    Download, DownloadError, DownloadErrorKind, DownloadLink, Downloaded, Network, Progress,
    RateLimit,
};
use dezai_runtime::{CallOptions, Client, Error, ErrorKind};
use dezai_spec::backups::BackupKind;
use serde_json::{Map, Value};

use crate::listing::{Backup, of_kind, with_zone};
use crate::names::{shard_file_name, url_file_name};

/// The parameters of the URL action for `backup` of `instance`.
pub fn url_request(kind: &BackupKind, instance: &str, backup: &Backup) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert(kind.download.id.into(), Value::String(backup.id.clone()));
    if let Some(name) = kind.download.instance {
        params.insert(name.into(), Value::String(instance.into()));
    }
    params
}

/// Every download link the kind's URL action answers for `params` on `network`, one per file,
/// in the answer's order.
/// An [`ErrorKind::Decode`] error when the answer holds none.
pub async fn links(
    client: &Client,
    kind: &BackupKind,
    params: Map<String, Value>,
    options: CallOptions,
    network: Network,
) -> Result<Vec<DownloadLink>, Error> {
    let options = of_kind(kind, options);
    ask(client, kind.download.action, &params, &options, network).await
}

/// Every file of a downloaded backup, in the URL action's order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadedBackup {
    /// One per file (shard).
    pub files: Vec<Downloaded>,
    /// How long it took, asking for URLs included.
    pub elapsed: Duration,
}

impl DownloadedBackup {
    /// The bytes of every file.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// Whether every file's MD5 was checked against the service's.
    pub fn verified(&self) -> bool {
        self.files.iter().all(|f| f.verified)
    }
}

/// Downloads every file of `backup` to `output` (a file for a backup of one file; a folder for
/// any): see the [module docs](self). Set the network, replacing and progress on the returned
/// [`BackupDownload`] with [`download_with`].
pub async fn download(
    client: &Client,
    kind: &BackupKind,
    instance: &str,
    backup: &Backup,
    output: impl Into<PathBuf>,
) -> Result<DownloadedBackup, DownloadError> {
    download_with(
        client,
        kind,
        url_request(kind, instance, backup),
        CallOptions::default(),
        output,
    )
    .blocks(backup.blocks)
    .await
}

/// The download of the backup `params` (the URL action's request) name: see [`download`].
pub fn download_with<'a>(
    client: &'a Client,
    kind: &'a BackupKind,
    params: Map<String, Value>,
    options: CallOptions,
    output: impl Into<PathBuf>,
) -> BackupDownload<'a> {
    download_by_action(
        client,
        kind.download.action,
        params,
        of_kind(kind, options),
        output,
    )
    .listed_by(kind.listing.action)
}

/// The download of every file a backup-URL action's answer to `params` points at, for an
/// action that no kind names (`dezai backup download <action>`): see [`download`].
pub fn download_by_action<'a>(
    client: &'a Client,
    action: &'a str,
    params: Map<String, Value>,
    options: CallOptions,
    output: impl Into<PathBuf>,
) -> BackupDownload<'a> {
    BackupDownload {
        client,
        action,
        listing: None,
        params,
        options,
        output: output.into(),
        network: Network::default(),
        replace: false,
        blocks: None,
        limit: None,
        streams: None,
        progress: None,
    }
}

type OnProgress<'a> = Box<dyn FnMut(&Progress<'_>) + Send + 'a>;

/// A backup's download being set up: see the [module docs](self). Await it to run it.
#[must_use = "a download does nothing until it is awaited"]
pub struct BackupDownload<'a> {
    client: &'a Client,
    /// The URL action.
    action: &'a str,
    /// The listing that counts the backup's shards, when a kind's.
    listing: Option<&'a str>,
    params: Map<String, Value>,
    options: CallOptions,
    output: PathBuf,
    network: Network,
    replace: bool,
    blocks: Option<u32>,
    limit: Option<RateLimit>,
    streams: Option<usize>,
    progress: Option<OnProgress<'a>>,
}

impl std::fmt::Debug for BackupDownload<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupDownload")
            .field("action", &self.action)
            .field("output", &self.output)
            .field("network", &self.network)
            .field("replace", &self.replace)
            .finish_non_exhaustive()
    }
}

impl<'a> BackupDownload<'a> {
    /// Which addresses to fetch (default: [`Network::Internet`]).
    pub fn network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// The listing action that said how many shards the backup has (for messages).
    fn listed_by(mut self, listing: &'a str) -> Self {
        self.listing = Some(listing);
        self
    }

    /// Replaces files that exist (without this, an existing file is an error and stays).
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// How many files the backup is, as its listing says ([`Backup::blocks`]): an answer with
    /// another number of URLs is then an error.
    pub fn blocks(mut self, blocks: Option<u32>) -> Self {
        self.blocks = blocks;
        self
    }

    /// Reads no faster than `limit` allows (shared with every download given a clone of it).
    pub fn limit_rate(mut self, limit: RateLimit) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Connections per file ([`dezai_runtime::download::Download::streams`]; default: by the
    /// file's size).
    pub fn streams(mut self, n: usize) -> Self {
        self.streams = Some(n);
        self
    }

    /// Called with each file's [`Progress`] events, one file after the other.
    pub fn on_progress(mut self, progress: impl FnMut(&Progress<'_>) + Send + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Runs the download.
    pub async fn run(mut self) -> Result<DownloadedBackup, DownloadError> {
        let started = Instant::now();
        let links = ask(
            self.client,
            self.action,
            &self.params,
            &self.options,
            self.network,
        )
        .await
        .map_err(|e| api_failure(&self.output, e))?;
        let listing = self.listing.unwrap_or("its listing");
        check_count(self.action, listing, &links, self.blocks, &self.output)?;
        let targets = targets(&self.output, &links)?;
        let mut files = Vec::with_capacity(links.len());
        for (index, (link, target)) in links.into_iter().zip(targets).enumerate() {
            let (client, action, network) = (self.client, self.action, self.network);
            let (params, options) = (&self.params, &self.options);
            let ask = move || ask(client, action, params, options, network);
            let mut download =
                file_download(client, link, &target, index, action, ask)?.replace(self.replace);
            if let Some(limit) = &self.limit {
                download = download.limit_rate(limit.clone());
            }
            if let Some(n) = self.streams {
                download = download.streams(n);
            }
            if let Some(progress) = &mut self.progress {
                download = download.on_progress(|event| progress(event));
            }
            files.push(download.await?);
        }
        Ok(DownloadedBackup {
            files,
            elapsed: started.elapsed(),
        })
    }
}

impl<'a> IntoFuture for BackupDownload<'a> {
    type Output = Result<DownloadedBackup, DownloadError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

async fn ask(
    client: &Client,
    action: &str,
    params: &Map<String, Value>,
    options: &CallOptions,
    network: Network,
) -> Result<Vec<DownloadLink>, Error> {
    let options = with_zone(client, options.clone());
    let answer = client
        .invoke_with(action, Value::Object(params.clone()), options)
        .await?;
    let found = answer.as_object().map_or_else(Vec::new, |answer| {
        dezai_spec::download::links_in_answer(answer, network)
    });
    if found.is_empty() {
        let message = format!("the answer holds no download URL for the {network}");
        return Err(Error::local(ErrorKind::Decode, action, message));
    }
    Ok(found)
}

/// The download of one file of a backup, file `index` of the URL action's answer, to
/// `target` (its folder made first). When the URL expires, `ask` gives the answer's links anew
/// and the same file of them is taken.
pub(crate) fn file_download<'a, F, Fut>(
    client: &'a Client,
    link: DownloadLink,
    target: &Path,
    index: usize,
    action: &'a str,
    ask: F,
) -> Result<Download<'a>, DownloadError>
where
    F: Fn() -> Fut + Send + 'a,
    Fut: Future<Output = Result<Vec<DownloadLink>, Error>> + Send + 'a,
{
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            let message = format!("cannot create {}: {e}", parent.display());
            DownloadError::local(DownloadErrorKind::Io, target, message)
        })?;
    }
    let refresh = move || {
        let links = ask();
        async move { nth(links.await?, index, action) }
    };
    Ok(client.download(link, target).refresh_with(refresh))
}

/// File `index` of a fresh answer: the same number of files is expected as before.
fn nth(
    mut links: Vec<DownloadLink>,
    index: usize,
    action: &str,
) -> Result<Option<DownloadLink>, Error> {
    if index >= links.len() {
        let message = format!(
            "the answer now holds {} download URLs, too few for shard {index}",
            links.len()
        );
        return Err(Error::local(ErrorKind::Decode, action, message));
    }
    Ok(Some(links.swap_remove(index)))
}

/// An error when the answer's files are not the backup's shards, as its listing counts them.
pub(crate) fn check_count(
    action: &str,
    listing: &str,
    links: &[DownloadLink],
    blocks: Option<u32>,
    output: &Path,
) -> Result<(), DownloadError> {
    match blocks {
        Some(blocks) if blocks > 0 && blocks as usize != links.len() => Err(DownloadError::local(
            DownloadErrorKind::Api,
            output,
            format!(
                "the backup has {blocks} shards ({listing}), but {action} answered {} \
                     download URL(s): a copy without every shard is not a copy",
                links.len()
            ),
        )),
        _ => Ok(()),
    }
}

/// Where each file goes: see the [module docs](self).
fn targets(output: &Path, links: &[DownloadLink]) -> Result<Vec<PathBuf>, DownloadError> {
    let folder = output.is_dir() || output.as_os_str().to_string_lossy().ends_with(['/', '\\']);
    match (links, folder) {
        ([_], false) => Ok(vec![output.to_path_buf()]),
        ([link], true) => {
            let name = url_file_name(&link.url).unwrap_or_else(|| shard_file_name(0, &link.url));
            Ok(vec![output.join(name)])
        }
        (_, true) => Ok(links
            .iter()
            .enumerate()
            .map(|(i, link)| output.join(shard_file_name(i, &link.url)))
            .collect()),
        (_, false) => Err(DownloadError::local(
            DownloadErrorKind::Sharded,
            output,
            format!(
                "the backup is {} files, one per shard, and {} is one file: pass a folder \
                 (an existing one, or a path ending in `/`)",
                links.len(),
                output.display()
            ),
        )),
    }
}

fn api_failure(output: &Path, error: Error) -> DownloadError {
    let message = format!("asking for the download URL failed: {error}");
    DownloadError::local(DownloadErrorKind::Api, output, message).with_api_error(error)
}
