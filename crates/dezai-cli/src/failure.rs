//! What the backup commands share: why one failed (for the exit code), and the one-thread
//! async runtime they run on.

use dezai_runtime::download::DownloadError;

/// Why a backup command failed, for the exit code.
pub(crate) enum Failure {
    /// The API call failed.
    Api(dezai_runtime::Error),
    /// The download failed.
    Download(DownloadError),
    /// Anything else (arguments, configuration).
    Other(String),
}

/// The command's async runtime: one thread, as a command line needs.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))
}
