//! What the backup commands share: why one failed (and the exit code it gives), and the
//! one-thread async runtime they run on.

use dezai_runtime::download::DownloadError;

/// Why a backup command failed, for the exit code.
pub(crate) enum Failure {
    /// The API call failed.
    Api(dezai_runtime::Error),
    /// The download failed.
    Download(DownloadError),
    /// The command line asks for what cannot be done (exit 2).
    Usage(String),
    /// A wait ended short of its state: the message and the exit code.
    Wait(String, u8),
    /// Anything else (arguments, configuration).
    Other(String),
}

impl Failure {
    /// Says what failed on stderr and gives the exit code `docs/cli.md` lists.
    pub(crate) fn exit(self) -> std::process::ExitCode {
        match self {
            Failure::Api(e) => crate::output::call_error(&e),
            Failure::Download(e) => crate::output::download_error(&e),
            Failure::Usage(message) => {
                eprintln!("error: {message}");
                std::process::ExitCode::from(crate::output::exit::USAGE)
            }
            Failure::Wait(message, code) => {
                eprintln!("error: {message}");
                std::process::ExitCode::from(code)
            }
            Failure::Other(message) => crate::output::failure(message),
        }
    }
}

/// The command's async runtime: one thread, as a command line needs.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))
}

/// The async runtime of a command that downloads several files at once: a thread per core,
/// so that checking each file's MD5 as it arrives is not done by one core for all.
pub(crate) fn runtime_per_core() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))
}
