//! Database backups of the Dezai cloud, by kind: the engine that runs a row of
//! `dezai_spec::backups::KINDS` through `dezai_runtime`'s calls by name. It lists an
//! instance's backups (every page, read leniently, newest first), picks the newest completed
//! one, makes one on demand and waits for it ([`create`], [`wait`]), downloads every file of a
//! backup (one per shard, each verified where the service gives an MD5; [`download`]), and
//! mirrors a fleet's newest backups into a folder or a bucket ([`mirror()`]). It knows no
//! action of its own: everything about a kind is the row (`docs/backups.md`).
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let kind = dezai_backups::kind("udb").expect("a known kind");
//! let latest = dezai_backups::latest(&client, kind, "udb-1").await?;
//! println!("{} made at {:?}", latest.id, latest.time);
//! // A file for a backup of one file; a folder (here `full/`) takes a backup of any shape.
//! let done = dezai_backups::download(&client, kind, "udb-1", &latest, "full/").await?;
//! println!("{} file(s), {} bytes", done.files.len(), done.bytes());
//! # Ok(()) }
//! ```

// Library code must not panic on input a user supplies.
#![warn(clippy::unwrap_used)]

mod files;
mod fresh;
mod instances;
mod listing;
pub mod mirror;
pub mod names;
mod pages;

pub use dezai_runtime::download::Network;
pub use dezai_spec::backups::{BackupKind, KINDS, Phase, kind};
pub use files::{
    BackupDownload, DownloadedBackup, download, download_by_action, download_with, links,
    url_request,
};
pub use fresh::{create, create_with, no_create_action, wait};
pub use instances::{Instance, instances};
pub use listing::{Backup, latest, list, list_with, newest_completed};
pub use mirror::mirror;
#[cfg(feature = "s3")]
pub use mirror::mirror_bucket;
