//! What stops a whole mirror run (or a `verify`) before any instance: a failure of one
//! instance is its outcome instead.

use std::path::PathBuf;

/// Why a mirror could not be run or checked at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    /// Another run holds the folder's lock.
    #[error("another run is using this mirror ({holder}); it runs one at a time")]
    Locked {
        /// The folder.
        dir: PathBuf,
        /// Who holds it, as it wrote itself: pid, host, start time.
        holder: String,
    },
    /// The path is there and is not a folder.
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    /// No region is configured and none was named.
    #[error("no region: configure one or name the regions")]
    NoRegion,
    /// The bucket could not be reached, listed or read (its records included).
    #[error("{url}: {message}")]
    Bucket {
        /// `s3://bucket/prefix`.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The folder, its manifest or its lock could not be used.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}
