//! A multipart upload of one file into the bucket: started with a marker beside the copy (so
//! that a run killed before it ends lets the next run abort it, see `records`), its parts sent
//! with at most [`Bucket::part_uploads`] in flight in the whole run, completed once every part
//! is in, or aborted.

use std::path::Path;

use dezai_runtime::download::{DownloadError, DownloadErrorKind, DownloadLink};
use md5::Digest;
use object_store::multipart::{MultipartStore, PartId};
use object_store::{ObjectStoreExt, PutPayload};
use tokio::task::JoinSet;

use super::Bucket;
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

/// A multipart upload under way: its id, its marker, and its parts.
pub(super) struct Multipart {
    key: object_store::path::Path,
    id: String,
    marker: String,
    parts: JoinSet<(usize, object_store::Result<PartId>)>,
    /// Each part's id once uploaded, by its number from 0.
    pub(super) done: Vec<Option<PartId>>,
}

impl Bucket {
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
    pub(super) async fn send_part(
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
    pub(super) async fn spawn_part(&self, multipart: &mut Multipart, part: PutPayload) {
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

/// The MD5 (hex) of a copy when it is the service's (or there is none to compare with): the
/// one rule that decides whether an upload is completed.
pub(super) fn checked(
    link: &DownloadLink,
    digest: &[u8],
    target: &Path,
) -> Result<String, DownloadError> {
    let md5 = hex(digest);
    match &link.md5 {
        Some(expected) if !expected.eq_ignore_ascii_case(&md5) => Err(DownloadError::local(
            DownloadErrorKind::Checksum,
            target,
            format!(
                "the copy's MD5 is {md5}, the service says {expected}: the upload was abandoned"
            ),
        )),
        _ => Ok(md5),
    }
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
