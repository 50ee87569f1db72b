//! What the command line prints and how it exits: aligned columns, errors on stderr with
//! RetCode, message and request id, and an exit code per kind of failure, so scripts can tell
//! them apart. Answers are printed by `render` (`--query`, `--output`).

use std::io::Write;
use std::process::ExitCode;

use dezai_runtime::download::{DownloadError, DownloadErrorKind};
use dezai_runtime::{Error, ErrorKind};

/// Exit codes, as documented in `docs/cli.md`.
pub(crate) mod exit {
    /// Anything else: configuration, files.
    pub(crate) const FAILURE: u8 = 1;
    /// The command line itself is wrong (clap's own code).
    pub(crate) const USAGE: u8 = 2;
    /// The service answered with an error (RetCode ≠ 0 or an HTTP error status).
    pub(crate) const API: u8 = 3;
    /// The service could not be reached or did not answer in time.
    pub(crate) const NETWORK: u8 = 4;
    /// A download did not match its checksum.
    pub(crate) const VERIFICATION: u8 = 5;
    /// A wait ended in a failure state (`--wait-fail`, or a backup's failure state).
    pub(crate) const WAIT_FAILED: u8 = 6;
    /// A wait timed out before the state was reached.
    pub(crate) const WAIT_TIMEOUT: u8 = 7;
    /// Some items of a command over many failed; the others were done (`backup sync`).
    pub(crate) const PARTIAL: u8 = 8;
    /// A mirror's newest copy is older than `--max-age` (`backup status`).
    pub(crate) const STALE: u8 = 9;
    /// Another run holds the mirror's lock (`backup sync`, `backup verify`).
    pub(crate) const LOCKED: u8 = 10;
}

/// Prints rows under a header in aligned columns on stdout.
pub(crate) fn aligned<const N: usize>(header: [&str; N], rows: Vec<[String; N]>) {
    use crate::render::{display_width, fit};
    let header = header.map(str::to_owned);
    let mut widths = header.clone().map(|h| display_width(&h));
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    let mut out = std::io::stdout().lock();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| fit(cell, width))
            .collect();
        // A closed pipe is not an error worth a message.
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
}

/// What an error line says besides the error: the region the call went to, and whether errors
/// print as JSON (`--output json`). Set once, when the client is made.
static CONTEXT: std::sync::OnceLock<(Option<String>, bool)> = std::sync::OnceLock::new();

/// Records the region calls go to and whether errors print as JSON.
pub(crate) fn error_context(region: Option<&str>, json: bool) {
    let _ = CONTEXT.set((region.map(str::to_owned), json));
}

/// Prints a call's error on stderr, in one line (or as JSON with `--output json`): the action,
/// RetCode or HTTP status, message, request id and region; and picks the exit code.
pub(crate) fn call_error(error: &Error) -> ExitCode {
    let (region, json) = CONTEXT.get().cloned().unwrap_or_default();
    if json {
        let line = serde_json::json!({"error": {
            "action": error.action(),
            "kind": format!("{:?}", error.kind()),
            "ret_code": error.ret_code(),
            "http_status": error.http_status(),
            "message": error.message(),
            "request_id": error.request_id(),
            "region": region,
            "text": error.to_string(),
        }});
        eprintln!("{line}");
    } else {
        // The error's own text names the action, RetCode or HTTP status, message and request
        // id; the region is the command line's to add.
        match &region {
            Some(region) => eprintln!("error: {error} (region {region})"),
            None => eprintln!("error: {error}"),
        }
    }
    ExitCode::from(exit_code(error))
}

/// The exit code of a call's error.
pub(crate) fn exit_code(error: &Error) -> u8 {
    match error.kind() {
        ErrorKind::Api
        | ErrorKind::HttpStatus
        | ErrorKind::Decode
        | ErrorKind::ResponseTooLarge => exit::API,
        ErrorKind::Connect | ErrorKind::Tls | ErrorKind::Timeout | ErrorKind::Transport => {
            exit::NETWORK
        }
        ErrorKind::InvalidRequest => exit::USAGE,
        _ => exit::FAILURE,
    }
}

/// Prints a download's error and picks the exit code. The error shows the URL's scheme, host
/// and path only.
pub(crate) fn download_error(error: &DownloadError) -> ExitCode {
    if let Some(api) = error.api_error() {
        return call_error(api);
    }
    let code = match error.kind() {
        DownloadErrorKind::Checksum => exit::VERIFICATION,
        DownloadErrorKind::Network | DownloadErrorKind::Tls => exit::NETWORK,
        DownloadErrorKind::HttpStatus | DownloadErrorKind::Api => exit::API,
        DownloadErrorKind::Sharded => exit::USAGE,
        _ => exit::FAILURE,
    };
    match error.kind() {
        DownloadErrorKind::Exists => {
            eprintln!(
                "error: {} exists; pass --force to replace it",
                error.file().display()
            );
        }
        _ => eprintln!("error: {error}"),
    }
    ExitCode::from(code)
}

/// Prints any other failure.
pub(crate) fn failure(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(exit::FAILURE)
}
