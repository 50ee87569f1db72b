//! One file of a backup copied into the bucket over several connections: each part of the
//! multipart upload is a ranged download of its own (`If-Range` the file's version), up to
//! `streams` at once, each uploaded as soon as it is whole. The MD5 is computed over the parts
//! in order, on a thread of its own: a part that arrives early waits, bytes held, until those
//! before it are handed to the hash, no part further than `streams` past the last one handed
//! over is started, and at most `streams` wait for the hash, so memory stays about part size
//! × (2 × streams + 1) for the file (plus the run's parts in flight).
//!
//! The first part's answer also tells the size and the version. A server that ignores ranges,
//! gives neither, or answers a part with the whole file (it changed) is copied in one stream
//! instead ([`Ranged::Unranged`]). A part that breaks is fetched again alone (3 tries). When a
//! part's URL has expired, or it broke three times, the attempt stops and leaves a
//! [`RangedResume`]: the next one (with a fresh URL when it had expired) fetches only the parts
//! neither sent nor held, into the same upload and the same hash, so a copy that takes longer
//! than a URL is valid still ends. What else fails abandons the upload.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use dezai_runtime::Client;
use dezai_runtime::download::{
    DownloadError, DownloadErrorKind, DownloadLink, DownloadStream, RateLimit,
};
use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use md5::Digest;
use object_store::{ObjectStoreExt, PutPayload};

use super::Bucket;
use super::multipart::{Multipart, Uploaded, checked};

/// Tries of one part before the attempt fails.
const PART_TRIES: u32 = 3;

/// How a ranged copy ended, short of an error.
pub(super) enum Ranged {
    Done(Uploaded),
    /// Ranges cannot be used: copy the file in one stream.
    Unranged,
}

/// Where a ranged copy stands after a part failed (its URL expired, or it broke three times):
/// the upload and its parts, the hash of the parts before `hashed`, and the parts after it
/// already read, so that the next attempt fetches only the parts missing.
pub(super) struct RangedResume {
    pub(super) multipart: Multipart,
    hasher: md5::Md5,
    hashed: usize,
    waiting: BTreeMap<usize, Vec<Bytes>>,
    total: u64,
    version: String,
}

/// How a ranged copy begins: already ended (a file of one part, or a server without ranges),
/// or its parts to fetch, the first one's answer open.
enum Begun {
    Ended(Ranged),
    Parts(Box<(RangedResume, DownloadStream)>),
}

/// A ranged attempt's failure, with where the copy stands when the missing parts can be
/// fetched by the next one.
type Failed = (DownloadError, Option<RangedResume>);

impl Bucket {
    /// One attempt over `streams` connections (see the [module docs](self)), from where
    /// `resume` stands when given.
    pub(super) async fn ranged_attempt(
        &self,
        client: &Client,
        link: &DownloadLink,
        relative: &str,
        (limit, streams): (Option<&RateLimit>, usize),
        resume: Option<RangedResume>,
    ) -> Result<Ranged, Failed> {
        let shown = self.show(relative);
        let target = Path::new(&shown);
        let failed = |message: String| DownloadError::local(DownloadErrorKind::Io, target, message);
        let part = self.part_size as u64;
        let (state, first) = match resume {
            Some(state) => (state, None),
            None => match self.begin(client, link, (target, relative), limit).await? {
                Begun::Ended(ended) => return Ok(ended),
                Begun::Parts(begun) => {
                    let (state, first) = *begun;
                    (state, Some(first))
                }
            },
        };
        let (total, version) = (state.total, state.version.clone());
        let fetch = |index: usize, stream: Option<DownloadStream>| {
            let version = version.clone();
            async move {
                let range = (
                    index as u64 * part,
                    ((index as u64 + 1) * part).min(total) - 1,
                );
                let read = read_part(client, link, target, range, &version, stream, limit).await;
                (index, read)
            }
        };
        let RangedResume {
            mut multipart,
            hasher,
            mut hashed,
            mut waiting,
            ..
        } = state;
        let parts = multipart.done.len();
        // Hashed on a thread of its own, parts in order, the streams going on meanwhile; at most
        // `streams` parts wait for it, so a slow hash holds the downloads back, not memory.
        let (to_hasher, mut in_order) = tokio::sync::mpsc::channel::<Vec<Bytes>>(streams);
        let hashing = tokio::task::spawn_blocking(move || {
            let mut hasher = hasher;
            while let Some(chunks) = in_order.blocking_recv() {
                chunks.iter().for_each(|c| hasher.update(c));
            }
            hasher
        });
        let outcome = async {
            let mut downloads = FuturesUnordered::new();
            let mut next = hashed;
            if let Some(first) = first {
                downloads.push(fetch(0, Some(first)));
                next = 1;
            }
            loop {
                while downloads.len() < streams && next < parts && next <= hashed + streams {
                    // A part read before the last attempt failed is not asked for again.
                    if !waiting.contains_key(&next) {
                        downloads.push(fetch(next, None));
                    }
                    next += 1;
                }
                let Some((index, read)) = downloads.next().await else {
                    break;
                };
                let chunks = match read {
                    Ok(chunks) => chunks,
                    Err(e) if e.http_status() == Some(200) => return Ok(false),
                    Err(e) => return Err(e),
                };
                let payload: PutPayload = chunks.iter().cloned().collect();
                self.spawn_part_at(&mut multipart, index, payload).await;
                waiting.insert(index, chunks);
                while let Some(chunks) = waiting.remove(&hashed) {
                    let _ = to_hasher.send(chunks).await;
                    hashed += 1;
                }
            }
            Ok(true)
        }
        .await;
        drop(to_hasher);
        let hasher = hashing
            .await
            .map_err(|e| failed(format!("hashing stopped: {e}")));
        let md5 = match (outcome, hasher) {
            (Ok(false), _) => {
                self.abandon(multipart).await;
                return Ok(Ranged::Unranged);
            }
            (Ok(true), Ok(hasher)) => checked(link, &hasher.finalize(), target),
            // The parts missing can be fetched by the next attempt, from a fresh URL if this
            // one expired.
            (Err(e), Ok(hasher)) if e.is_transient() || e.kind() == DownloadErrorKind::Expired => {
                let state = RangedResume {
                    multipart,
                    hasher,
                    hashed,
                    waiting,
                    total,
                    version,
                };
                return Err((e, Some(state)));
            }
            (Err(e), _) | (Ok(true), Err(e)) => Err(e),
        };
        let md5 = match md5 {
            Ok(md5) => md5,
            Err(e) => {
                self.abandon(multipart).await;
                return Err((e, None));
            }
        };
        self.complete(multipart)
            .await
            .map_err(|e| (failed(e), None))?;
        Ok(Ranged::Done(Uploaded::new(total, md5, link.md5.is_some())))
    }

    /// Asks for the first part, which tells the file's size and version: a file of one part
    /// is then copied whole, one whose server takes no ranges is left to one stream, and for
    /// the others the multipart upload is started.
    async fn begin(
        &self,
        client: &Client,
        link: &DownloadLink,
        (target, relative): (&Path, &str),
        limit: Option<&RateLimit>,
    ) -> Result<Begun, Failed> {
        let failed = |message: String| DownloadError::local(DownloadErrorKind::Io, target, message);
        let key = self.key(relative).map_err(|e| (failed(e), None))?;
        let part = self.part_size as u64;
        let first = match client
            .open_download_range(link, target, (0, part - 1), None)
            .await
        {
            Ok(stream) => stream,
            Err(e) if e.http_status() == Some(200) => return Ok(Begun::Ended(Ranged::Unranged)),
            Err(e) => return Err((e, None)),
        };
        let (Some(total), Some(version)) = (first.total(), first.version().map(str::to_owned))
        else {
            return Ok(Begun::Ended(Ranged::Unranged));
        };
        if total <= part {
            // The first answer is the whole file: one upload.
            let range = (0, total.saturating_sub(1));
            let read = read_part(client, link, target, range, &version, Some(first), limit);
            let chunks = match read.await {
                Ok(chunks) => chunks,
                Err(e) if e.http_status() == Some(200) => {
                    return Ok(Begun::Ended(Ranged::Unranged));
                }
                Err(e) => return Err((e, None)),
            };
            let mut hasher = md5::Md5::new();
            chunks.iter().for_each(|c| hasher.update(c));
            let md5 = checked(link, &hasher.finalize(), target).map_err(|e| (e, None))?;
            let payload: PutPayload = chunks.into_iter().collect();
            self.store
                .put(&key, payload)
                .await
                .map_err(|e| (failed(format!("the upload failed: {e}")), None))?;
            return Ok(Begun::Ended(Ranged::Done(Uploaded::new(
                total,
                md5,
                link.md5.is_some(),
            ))));
        }
        let mut multipart = self
            .start(&key, relative)
            .await
            .map_err(|e| (failed(e), None))?;
        multipart.done.resize(total.div_ceil(part) as usize, None);
        let state = RangedResume {
            multipart,
            hasher: md5::Md5::new(),
            hashed: 0,
            waiting: BTreeMap::new(),
            total,
            version,
        };
        Ok(Begun::Parts(Box::new((state, first))))
    }
}

/// One part's bytes, as they arrived: from `stream` when given (the first answer), else a
/// ranged request, fetched again on a transient failure.
async fn read_part(
    client: &Client,
    link: &DownloadLink,
    target: &Path,
    range: (u64, u64),
    version: &str,
    mut stream: Option<DownloadStream>,
    limit: Option<&RateLimit>,
) -> Result<Vec<Bytes>, DownloadError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let opened = match stream.take() {
            Some(stream) => Ok(stream),
            None => {
                let version = Some(version);
                client
                    .open_download_range(link, target, range, version)
                    .await
            }
        };
        let read = async {
            let mut stream = opened?;
            if let Some(limit) = limit {
                stream = stream.limit_rate(limit.clone());
            }
            let mut chunks = Vec::new();
            while let Some(chunk) = stream.chunk().await? {
                chunks.push(chunk);
            }
            Ok::<_, DownloadError>(chunks)
        }
        .await;
        match read {
            Err(e) if e.is_transient() && tries < PART_TRIES => {
                tracing::debug!(tries, error = %e, "fetching the part again");
                tokio::time::sleep(Duration::from_millis(200 << (tries - 1))).await;
            }
            read => return read,
        }
    }
}
