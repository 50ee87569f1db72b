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
//! marker, `records`). The multipart upload itself is `multipart`'s; over several connections,
//! `ranged`'s.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use dezai_runtime::download::{
    DEFAULT_ATTEMPTS, DownloadError, DownloadErrorKind, DownloadLink, DownloadStream, RateLimit,
};
use dezai_runtime::{Client, Error};
use md5::Digest;
use object_store::{ObjectStoreExt, PutPayload};

use super::Bucket;
use super::multipart::{Multipart, Uploaded, checked};
use super::ranged::{Ranged, RangedResume};

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
        let md5 = match checked(link, &state.hasher.finalize(), target) {
            Ok(md5) => md5,
            Err(e) => {
                if let Some(multipart) = state.multipart {
                    self.abandon(multipart).await;
                }
                return Err((e, None));
            }
        };
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
