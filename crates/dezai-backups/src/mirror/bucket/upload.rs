//! One file of a backup copied into the bucket: streamed from the service's URL, hashed on the
//! way, into one upload (a file smaller than a part) or a multipart upload with a few parts in
//! flight; completed only when its MD5 equals the service's, aborted otherwise.
//!
//! When the connection breaks or the URL expires on the way, the next attempt (with a fresh URL
//! when it had expired) asks only for the rest of the file, `If-Range` the version the first
//! answer gave, and goes on with the same hash and the same multipart upload. A server that
//! gave no size or version, or answers the rest with the whole file (it changed), makes the
//! next attempt abort the upload and start again from the first byte: the parts sent cannot
//! be checked against a file that changed. A run killed on the way leaves no object (see the
//! marker, `records`).

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use dezai_runtime::download::{
    DEFAULT_ATTEMPTS, DownloadError, DownloadErrorKind, DownloadLink, DownloadStream, RateLimit,
};
use dezai_runtime::{Client, Error};
use md5::Digest;
use object_store::multipart::{MultipartStore, PartId};
use object_store::{ObjectStoreExt, PutPayload};
use tokio::task::JoinSet;

use super::Bucket;
use super::ranged::{Ranged, RangedResume};
use super::records::{Marker, UPLOADS};
use crate::mirror::layout::hex;

/// A file in the bucket.
pub(crate) struct Uploaded {
    pub(crate) bytes: u64,
    pub(crate) md5: String,
    pub(crate) verified: bool,
}

impl Uploaded {
    pub(super) fn new(bytes: u64, md5: String, verified: bool) -> Self {
        Self {
            bytes,
            md5,
            verified,
        }
    }
}

/// A part being filled: the chunks of the download, as they arrived.
#[derive(Default)]
struct Part {
    chunks: Vec<Bytes>,
    len: usize,
}

impl Part {
    fn push(&mut self, chunk: Bytes) {
        self.len += chunk.len();
        self.chunks.push(chunk);
    }

    fn payload(self) -> PutPayload {
        self.chunks.into_iter().collect()
    }
}

/// A multipart upload under way: its id, its marker, and its parts.
pub(super) struct Multipart {
    key: object_store::path::Path,
    id: String,
    marker: String,
    parts: JoinSet<(usize, object_store::Result<PartId>)>,
    /// Each part's id once uploaded, by its number from 0.
    pub(super) done: Vec<Option<PartId>>,
}

/// Where a copy in one stream stands after its connection broke or its URL expired: the bytes
/// so far hashed, held or sent as parts, so that the next attempt asks only for the rest, if
/// the file is still the same version.
pub(super) struct StreamResume {
    hasher: md5::Md5,
    buffer: Part,
    multipart: Option<Multipart>,
    /// Bytes of the file read so far: where the rest begins.
    read: u64,
    total: u64,
    version: String,
}

/// Where a copy stands after an attempt failed on the way, for the next one to go on from.
enum Resume {
    Stream(StreamResume),
    Ranged(RangedResume),
}

impl Bucket {
    /// Copies the file at `link` (file `index` of the URL action's answer) to `relative` (see
    /// the [module docs](self)); `ask` asks for the answer again when the URL has expired.
    pub(crate) async fn upload<F, Fut>(
        &self,
        client: &Client,
        (index, mut link): (usize, DownloadLink),
        relative: &str,
        (limit, streams): (Option<&RateLimit>, usize),
        mut ask: F,
    ) -> Result<Uploaded, String>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Vec<DownloadLink>, Error>>,
    {
        let shown = self.show(relative);
        let mut attempt = 0;
        // Over several connections unless asked for one, or ranges cannot be used.
        let mut ranged = streams > 1;
        let mut left: Option<Resume> = None;
        loop {
            attempt += 1;
            let outcome = match left.take() {
                Some(Resume::Stream(resume)) => {
                    self.attempt(client, &link, relative, limit, Some(resume))
                        .await
                }
                resume if ranged => {
                    let resume = match resume {
                        Some(Resume::Ranged(resume)) => Some(resume),
                        _ => None,
                    };
                    let settings = (limit, streams);
                    match self
                        .ranged_attempt(client, &link, relative, settings, resume)
                        .await
                    {
                        Ok(Ranged::Done(uploaded)) => Ok(uploaded),
                        Ok(Ranged::Unranged) => {
                            ranged = false;
                            self.attempt(client, &link, relative, limit, None).await
                        }
                        Err((e, resume)) => Err((e, resume.map(Resume::Ranged))),
                    }
                }
                _ => self.attempt(client, &link, relative, limit, None).await,
            };
            let error = match outcome {
                Ok(uploaded) => return Ok(uploaded),
                Err((error, resume)) => {
                    left = resume;
                    error
                }
            };
            let again = attempt < DEFAULT_ATTEMPTS
                && (error.kind() == DownloadErrorKind::Expired || error.is_transient());
            let next = match again {
                false if attempt >= DEFAULT_ATTEMPTS => {
                    Err(format!("{error} (after {attempt} attempts)"))
                }
                false => Err(error.to_string()),
                true if error.kind() == DownloadErrorKind::Expired => {
                    fresh_link(&mut ask, index, &shown).await.map(Some)
                }
                true => {
                    let wait = Duration::from_millis(200 << (attempt - 1).min(5));
                    tracing::debug!(attempt, error = %error, "copying into the bucket again");
                    tokio::time::sleep(wait).await;
                    Ok(None)
                }
            };
            match next {
                Ok(fresh) => link = fresh.unwrap_or(link),
                Err(message) => {
                    let multipart = match left {
                        Some(Resume::Stream(resume)) => resume.multipart,
                        Some(Resume::Ranged(resume)) => Some(resume.multipart),
                        None => None,
                    };
                    if let Some(multipart) = multipart {
                        self.abandon(multipart).await;
                    }
                    return Err(message);
                }
            }
        }
    }

    /// One attempt: from the first byte, or from where `resume` stands, to a complete object.
    /// A failure gives back where the copy stands when the rest can be asked for (the server
    /// said the file's size and version); otherwise its upload is abandoned.
    async fn attempt(
        &self,
        client: &Client,
        link: &DownloadLink,
        relative: &str,
        limit: Option<&RateLimit>,
        resume: Option<StreamResume>,
    ) -> Result<Uploaded, (DownloadError, Option<Resume>)> {
        let shown = self.show(relative);
        let target = Path::new(&shown);
        let failed = |message: String| DownloadError::local(DownloadErrorKind::Io, target, message);
        let key = self.key(relative).map_err(|e| (failed(e), None))?;
        let (mut stream, mut state) = self
            .open_from(client, link, target, resume)
            .await
            .map_err(|(e, resume)| (e, resume.map(Resume::Stream)))?;
        if let Some(limit) = limit {
            stream = stream.limit_rate(limit.clone());
        }
        let outcome = async {
            while let Some(mut chunk) = stream.chunk().await? {
                state.hasher.update(&chunk);
                while !chunk.is_empty() {
                    let take = chunk.len().min(self.part_size - state.buffer.len);
                    state.buffer.push(chunk.split_to(take));
                    if state.buffer.len == self.part_size {
                        let part = std::mem::take(&mut state.buffer).payload();
                        self.send_part(&mut state.multipart, &key, relative, part)
                            .await
                            .map_err(failed)?;
                    }
                }
            }
            Ok::<_, DownloadError>(())
        }
        .await;
        state.read += stream.read();
        if let Err(e) = outcome {
            // The rest can be asked for when the server said what it is; a part that could
            // not be sent cannot be sent again from here.
            let resumable = !state.version.is_empty() && e.kind() != DownloadErrorKind::Io;
            if !resumable {
                if let Some(multipart) = state.multipart.take() {
                    self.abandon(multipart).await;
                }
                return Err((e, None));
            }
            return Err((e, Some(Resume::Stream(state))));
        }
        let md5 = hex(&state.hasher.finalize());
        if let Some(expected) = link.md5.as_ref().filter(|e| !e.eq_ignore_ascii_case(&md5)) {
            if let Some(multipart) = state.multipart {
                self.abandon(multipart).await;
            }
            let message = format!(
                "the copy's MD5 is {md5}, the service says {expected}: the upload was abandoned"
            );
            return Err((
                DownloadError::local(DownloadErrorKind::Checksum, target, message),
                None,
            ));
        }
        let verified = link.md5.is_some();
        let bytes = state.read;
        match state.multipart {
            None => {
                self.store
                    .put(&key, state.buffer.payload())
                    .await
                    .map_err(|e| (failed(format!("the upload failed: {e}")), None))?;
            }
            Some(mut multipart) => {
                if state.buffer.len > 0 {
                    self.spawn_part(&mut multipart, state.buffer.payload())
                        .await;
                }
                self.complete(multipart)
                    .await
                    .map_err(|e| (failed(e), None))?;
            }
        }
        Ok(Uploaded {
            bytes,
            md5,
            verified,
        })
    }

    /// Opens the file from where `resume` stands (the rest, `If-Range` its version), or from the
    /// first byte: without a resume, or when the server answers the rest with the whole file
    /// (it changed, or no longer takes ranges), whose upload so far is then abandoned.
    async fn open_from(
        &self,
        client: &Client,
        link: &DownloadLink,
        target: &Path,
        resume: Option<StreamResume>,
    ) -> Result<(DownloadStream, StreamResume), (DownloadError, Option<StreamResume>)> {
        if let Some(state) = resume {
            let rest = (state.read, state.total.saturating_sub(1));
            let version = Some(state.version.as_str());
            match client
                .open_download_range(link, target, rest, version)
                .await
            {
                Ok(stream) => return Ok((stream, state)),
                Err(e) if e.http_status() == Some(200) => {
                    if let Some(multipart) = state.multipart {
                        self.abandon(multipart).await;
                    }
                }
                Err(e) => return Err((e, Some(state))),
            }
        }
        let stream = client
            .open_download(link, target)
            .await
            .map_err(|e| (e, None))?;
        // Resumable only when the server says the size and version: a version empty otherwise.
        let (total, version) = match (stream.total(), stream.version()) {
            (Some(total), Some(version)) => (total, version.to_owned()),
            _ => (0, String::new()),
        };
        let state = StreamResume {
            hasher: md5::Md5::new(),
            // A part is the chunks as they arrived, not a copy of them: no large buffer is ever
            // allocated, so memory is the bytes held and no allocator keeps freed parts around.
            buffer: Part::default(),
            multipart: None,
            read: 0,
            total,
            version,
        };
        Ok((stream, state))
    }

    /// Waits for every part, completes the upload and removes its marker; abandons it when a
    /// part failed.
    pub(super) async fn complete(&self, mut multipart: Multipart) -> Result<(), String> {
        let finished = async {
            while let Some(done) = multipart.parts.join_next().await {
                record_part(&mut multipart.done, done)?;
            }
            let parts: Option<Vec<PartId>> = multipart.done.iter().cloned().collect();
            let parts = parts.ok_or("a part is missing")?;
            let store = &self.store;
            store
                .complete_multipart(&multipart.key, &multipart.id, parts)
                .await
                .map_err(|e| format!("completing the upload failed: {e}"))
        }
        .await;
        if let Err(e) = finished {
            self.abandon(multipart).await;
            return Err(e);
        }
        let _ = self.remove(&multipart.marker).await;
        Ok(())
    }

    /// Sends a full part: starts the multipart upload (and its marker) at the first, and waits
    /// while the run has [`Bucket::part_uploads`] parts in flight.
    async fn send_part(
        &self,
        multipart: &mut Option<Multipart>,
        key: &object_store::path::Path,
        relative: &str,
        part: PutPayload,
    ) -> Result<(), String> {
        if multipart.is_none() {
            *multipart = Some(self.start(key, relative).await?);
        }
        let Some(multipart) = multipart.as_mut() else {
            unreachable!("started above");
        };
        // A part that failed stops the file at once, not at its end.
        while let Some(done) = multipart.parts.try_join_next() {
            record_part(&mut multipart.done, done)?;
        }
        self.spawn_part(multipart, part).await;
        Ok(())
    }

    /// Sends the next part once the run has room for it in flight.
    async fn spawn_part(&self, multipart: &mut Multipart, part: PutPayload) {
        let index = multipart.done.len();
        multipart.done.push(None);
        self.spawn_part_at(multipart, index, part).await;
    }

    /// Sends part `index` (from 0) once the run has room for it in flight.
    pub(super) async fn spawn_part_at(
        &self,
        multipart: &mut Multipart,
        index: usize,
        part: PutPayload,
    ) {
        let permit = self.in_flight.clone().acquire_owned().await;
        let (store, key, id) = (
            self.store.clone(),
            multipart.key.clone(),
            multipart.id.clone(),
        );
        multipart.parts.spawn(async move {
            let sent = store.put_part(&key, &id, index, part).await;
            drop(permit);
            (index, sent)
        });
    }

    /// Starts a multipart upload and leaves its marker, so that a run killed before it ends
    /// lets the next run abort it.
    pub(super) async fn start(
        &self,
        key: &object_store::path::Path,
        relative: &str,
    ) -> Result<Multipart, String> {
        let id = self
            .store
            .create_multipart(key)
            .await
            .map_err(|e| format!("starting the upload failed: {e}"))?;
        let folder = relative
            .splitn(4, '/')
            .take(3)
            .collect::<Vec<_>>()
            .join("/");
        let marker = format!("{folder}/{UPLOADS}/{}.json", hex(&md5::Md5::digest(&id)));
        let text = serde_json::to_vec(&Marker {
            key: relative.to_owned(),
            upload_id: id.clone(),
        })
        .map_err(|e| e.to_string())?;
        let multipart = Multipart {
            key: key.clone(),
            id,
            marker,
            parts: JoinSet::new(),
            done: Vec::new(),
        };
        let written = match self.key(&multipart.marker) {
            Ok(marker) => self
                .store
                .put(&marker, PutPayload::from(text))
                .await
                .map_err(|e| format!("cannot write the upload's marker: {e}")),
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            self.abandon(multipart).await;
            return Err(e);
        }
        Ok(multipart)
    }

    /// Aborts an upload (nothing of it stays) and removes its marker.
    pub(super) async fn abandon(&self, mut multipart: Multipart) {
        multipart.parts.abort_all();
        while multipart.parts.join_next().await.is_some() {}
        let store = &self.store;
        match store.abort_multipart(&multipart.key, &multipart.id).await {
            Ok(()) => {
                let _ = self.remove(&multipart.marker).await;
            }
            // The marker stays: the next run aborts it.
            Err(e) => tracing::debug!(error = %e, "aborting an upload failed"),
        }
    }
}

/// The same file's URL in a fresh answer of the URL action: the one at the same place in it.
async fn fresh_link<F, Fut>(ask: &mut F, index: usize, shown: &str) -> Result<DownloadLink, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<DownloadLink>, Error>>,
{
    let fresh = ask()
        .await
        .map_err(|e| format!("asking for a fresh URL of {shown} failed: {e}"))?;
    fresh
        .into_iter()
        .nth(index)
        .ok_or_else(|| format!("the fresh answer has no URL of {shown}"))
}

fn record_part(
    done: &mut [Option<PartId>],
    joined: Result<(usize, object_store::Result<PartId>), tokio::task::JoinError>,
) -> Result<(), String> {
    match joined {
        Ok((index, Ok(part))) => {
            done[index] = Some(part);
            Ok(())
        }
        Ok((index, Err(e))) => Err(format!("uploading part {} failed: {e}", index + 1)),
        Err(e) => Err(format!("a part's upload stopped: {e}")),
    }
}
