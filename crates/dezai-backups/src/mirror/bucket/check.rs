//! Checking a bucket mirror: `verify` streams every object every record lists and hashes it
//! again, taking a copy with a missing, cut or changed object out of its instance's record (so
//! the next run copies it again); `status` is the folder's, over every record under the
//! prefix (every shard's).

use futures_util::StreamExt;
use md5::Digest;
use object_store::ObjectStoreExt;

use super::super::check::{Checked, Found, InstanceStatus, status_of};
use super::super::layout::hex;
use super::super::manifest::{Copy, CopyFile};
use super::Bucket;
use crate::mirror::MirrorError;
use dezai_runtime::Client;

impl Bucket {
    /// Every instance the records under the prefix name, as [`crate::mirror::status`] says of
    /// a folder's.
    pub async fn status(&self, client: &Client) -> Result<Vec<InstanceStatus>, MirrorError> {
        let listed = self.list().await?;
        let manifest = self.load(&listed).await?;
        let present = |copy: &Copy| {
            copy.files()
                .iter()
                .all(|f| listed.sizes.get(&f.path) == Some(&f.size))
        };
        Ok(status_of(client, &manifest, present).await)
    }

    /// Streams and hashes every object of every record under the prefix, as
    /// [`crate::mirror::verify`] does a folder's files; each record that lost a copy is
    /// written again. A bucket has no lock: run it when no sync writes the same instances.
    pub async fn verify(&self) -> Result<Vec<Checked>, MirrorError> {
        let listed = self.list().await?;
        let mut manifest = self.load(&listed).await?;
        let mut checked = Vec::new();
        for copy in &manifest.copies {
            for file in copy.files() {
                let found = match listed.sizes.get(&file.path) {
                    None => Found::Missing,
                    Some(size) if *size != file.size => Found::Truncated,
                    Some(_) if self.md5(&file).await? != file.md5 => Found::Corrupted,
                    Some(_) => Found::Intact,
                };
                checked.push(Checked {
                    copy: copy.clone(),
                    file,
                    found,
                });
            }
        }
        let damaged: Vec<&Copy> = checked
            .iter()
            .filter(|k| k.found != Found::Intact)
            .map(|k| &k.copy)
            .collect();
        let mut instances: Vec<(&str, &str, &str)> = damaged
            .iter()
            .map(|c| (c.kind.as_str(), c.region.as_str(), c.instance.as_str()))
            .collect();
        instances.sort_unstable();
        instances.dedup();
        manifest.copies.retain(|c| !damaged.contains(&c));
        for (kind, region, instance) in instances {
            let record = manifest.record_of(kind, region, instance);
            self.save_record(&record, kind, region, instance)
                .await
                .map_err(|e| self.failed(e))?;
        }
        Ok(checked)
    }

    /// An object's MD5, streamed.
    async fn md5(&self, file: &CopyFile) -> Result<String, MirrorError> {
        let key = self.key(&file.path).map_err(|e| self.failed(e))?;
        let read_failed = |e: object_store::Error| {
            self.failed(format!("cannot read {}: {e}", self.show(&file.path)))
        };
        let mut body = self
            .store
            .get(&key)
            .await
            .map_err(read_failed)?
            .into_stream();
        let mut hasher = md5::Md5::new();
        while let Some(chunk) = body.next().await {
            hasher.update(chunk.map_err(read_failed)?);
        }
        Ok(hex(&hasher.finalize()))
    }
}
