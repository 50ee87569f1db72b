//! Why a command failed, and the exit code each reason gives (`docs/cli.md` lists them), so
//! scripts can tell them apart. Every command returns `Result<(), CliError>`; `main` reports
//! the error once, on stderr, in one line (or as JSON when the answers are JSON: `--output
//! json` or the profile's `output = json`).

use std::process::ExitCode;

use dezai_runtime::download::{DownloadError, DownloadErrorKind};
use dezai_runtime::{Error, ErrorKind};
use serde_json::json;

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

/// Why a command failed.
#[derive(Debug)]
pub(crate) enum CliError {
    /// A call failed: the service's error, or the network's.
    Api(Error),
    /// A download failed.
    Download(DownloadError),
    /// The command line asks for what cannot be done (exit 2).
    Usage(String),
    /// Any other failure, with its exit code.
    Failed(String, u8),
}

impl CliError {
    /// A failure with the general exit code (configuration, files).
    pub(crate) fn other(message: impl Into<String>) -> Self {
        Self::Failed(message.into(), exit::FAILURE)
    }

    /// The exit code.
    pub(crate) fn code(&self) -> u8 {
        match self {
            Self::Api(error) => call_code(error),
            Self::Download(error) => match error.api_error() {
                Some(api) => call_code(api),
                None => match error.kind() {
                    DownloadErrorKind::Checksum => exit::VERIFICATION,
                    DownloadErrorKind::Network | DownloadErrorKind::Tls => exit::NETWORK,
                    DownloadErrorKind::HttpStatus | DownloadErrorKind::Api => exit::API,
                    DownloadErrorKind::Sharded => exit::USAGE,
                    _ => exit::FAILURE,
                },
            },
            Self::Usage(_) => exit::USAGE,
            Self::Failed(_, code) => *code,
        }
    }

    /// Says what failed on stderr, as JSON when `json`; `region` is where calls went.
    pub(crate) fn report(&self, region: Option<&str>, json: bool) -> ExitCode {
        let code = self.code();
        let api = match self {
            Self::Api(error) => Some(error),
            Self::Download(error) => error.api_error(),
            _ => None,
        };
        let text = match (self, api) {
            // The error's own text names the action, RetCode or HTTP status, message and
            // request id; the region is the command line's to add.
            (_, Some(error)) => match region {
                Some(region) => format!("{error} (region {region})"),
                None => error.to_string(),
            },
            (Self::Download(error), None) if matches!(error.kind(), DownloadErrorKind::Exists) => {
                format!(
                    "{} exists; pass --force to replace it",
                    error.file().display()
                )
            }
            (Self::Download(error), None) => error.to_string(),
            (Self::Usage(message) | Self::Failed(message, _), None) => message.clone(),
            (Self::Api(error), None) => error.to_string(),
        };
        if json {
            let mut fields = json!({ "message": text, "exit_code": code });
            if let Some(error) = api {
                fields = json!({
                    "action": error.action(),
                    "kind": format!("{:?}", error.kind()),
                    "ret_code": error.ret_code(),
                    "http_status": error.http_status(),
                    "message": error.message(),
                    "request_id": error.request_id(),
                    "region": region,
                    "text": text,
                    "exit_code": code,
                });
            }
            eprintln!("{}", json!({ "error": fields }));
        } else {
            eprintln!("error: {text}");
        }
        ExitCode::from(code)
    }
}

/// The exit code of a call's error.
pub(crate) fn call_code(error: &Error) -> u8 {
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

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        Self::Api(error)
    }
}

impl From<DownloadError> for CliError {
    fn from(error: DownloadError) -> Self {
        Self::Download(error)
    }
}
