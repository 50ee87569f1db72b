//! What a bucket mirror holds: one listing of the prefix (every object's size, the records,
//! the markers of unfinished uploads), the records read into one manifest, an instance's
//! record written, objects removed, and unfinished uploads aborted.

use std::collections::HashMap;

use futures_util::StreamExt;
use object_store::multipart::MultipartStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};

use super::super::manifest::{MANIFEST_FILE, Manifest};
use super::Bucket;
use crate::mirror::MirrorError;
use crate::names::component;

/// Where a bucket keeps the markers of an instance's unfinished multipart uploads.
pub(super) const UPLOADS: &str = ".dezai-uploads";
/// Records read at once.
const READS: usize = 8;

/// One listing of the prefix.
#[derive(Debug, Default)]
pub(crate) struct Listed {
    /// Every object's size, by its path relative to the prefix.
    pub(crate) sizes: HashMap<String, u64>,
    /// The records' paths.
    records: Vec<String>,
    /// The markers' paths, by the instance folder they are in.
    markers: HashMap<String, Vec<String>>,
}

/// A marker: an unfinished multipart upload of `key`.
#[derive(Serialize, Deserialize)]
pub(super) struct Marker {
    pub(super) key: String,
    pub(super) upload_id: String,
}

/// An instance's folder (relative to the prefix), where its record and markers are.
pub(crate) fn instance_folder(kind: &str, region: &str, instance: &str) -> String {
    [kind, region, instance].map(component).join("/")
}

impl Bucket {
    /// Lists every object under the prefix once.
    pub(crate) async fn list(&self) -> Result<Listed, MirrorError> {
        let prefix = match self.prefix.as_str() {
            "" => None,
            prefix => Some(object_store::path::Path::parse(prefix).map_err(|e| self.failed(e))?),
        };
        let mut objects = self.store.list(prefix.as_ref());
        let mut listed = Listed::default();
        let cut = if self.prefix.is_empty() {
            0
        } else {
            self.prefix.len() + 1
        };
        while let Some(object) = objects.next().await {
            let object = object.map_err(|e| self.failed(format!("listing failed: {e}")))?;
            let Some(relative) = object.location.as_ref().get(cut..) else {
                continue;
            };
            let parts: Vec<&str> = relative.split('/').collect();
            match parts.as_slice() {
                [_, _, _, name] if *name == MANIFEST_FILE => listed.records.push(relative.into()),
                [kind, region, instance, folder, _] if *folder == UPLOADS => listed
                    .markers
                    .entry(format!("{kind}/{region}/{instance}"))
                    .or_default()
                    .push(relative.into()),
                _ => {}
            }
            listed.sizes.insert(relative.to_owned(), object.size);
        }
        Ok(listed)
    }

    /// Every record of the listing, read (several at once) into one manifest.
    pub(crate) async fn load(&self, listed: &Listed) -> Result<Manifest, MirrorError> {
        let mut reads =
            futures_util::stream::iter(listed.records.iter().map(|record| async move {
                let text = self.read(record).await?;
                Manifest::parse(&text, &self.show(record)).map_err(|e| self.failed(e))
            }))
            .buffer_unordered(READS);
        let mut all = Manifest::default();
        while let Some(manifest) = reads.next().await {
            all.copies.extend(manifest?.copies);
        }
        Ok(all)
    }

    /// An object's bytes.
    async fn read(&self, relative: &str) -> Result<bytes::Bytes, MirrorError> {
        let key = self.key(relative).map_err(|e| self.failed(e))?;
        let got = self.store.get(&key).await;
        let got = match got {
            Ok(got) => got.bytes().await,
            Err(e) => Err(e),
        };
        got.map_err(|e| self.failed(format!("cannot read {relative}: {e}")))
    }

    /// Writes the record of one instance, `copies` ([`Manifest::record_of`]), in one request:
    /// a reader sees the old record or the new one. A record of no copy is removed.
    pub(crate) async fn save_record(
        &self,
        copies: &Manifest,
        kind: &str,
        region: &str,
        instance: &str,
    ) -> Result<(), String> {
        let record = format!(
            "{}/{MANIFEST_FILE}",
            instance_folder(kind, region, instance)
        );
        let key = self.key(&record)?;
        if copies.copies.is_empty() {
            return match self.store.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(format!("cannot remove the record {record}: {e}")),
            };
        }
        let text = copies.to_json().map_err(|e| e.to_string())?;
        self.store
            .put(&key, PutPayload::from(text))
            .await
            .map(drop)
            .map_err(|e| format!("cannot write the record {record}: {e}"))
    }

    /// Removes an object; one already gone is removed.
    pub(crate) async fn remove(&self, relative: &str) -> Result<(), String> {
        match self.store.delete(&self.key(relative)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(format!("cannot remove {}: {e}", self.show(relative))),
        }
    }

    /// Aborts the multipart uploads an earlier run of this instance left unfinished (it was
    /// killed mid-upload), as their markers name them, and removes the markers. Returns how
    /// many were aborted.
    pub(crate) async fn abort_stale(&self, listed: &Listed, folder: &str) -> usize {
        let mut aborted = 0;
        for marker in listed.markers.get(folder).into_iter().flatten() {
            let Ok(text) = self.read(marker).await else {
                continue;
            };
            if let Ok(found) = serde_json::from_slice::<Marker>(&text) {
                if let Ok(key) = self.key(&found.key) {
                    let gone = self.store.abort_multipart(&key, &found.upload_id).await;
                    match gone {
                        Ok(()) => aborted += 1,
                        Err(e) => {
                            tracing::debug!(upload = %found.key, error = %e, "aborting a stale upload")
                        }
                    }
                }
            }
            let _ = self.remove(marker).await;
        }
        aborted
    }
}
