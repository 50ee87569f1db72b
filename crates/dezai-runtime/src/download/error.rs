//! Why a download failed: a typed kind, the file, and where from, as scheme, host and path
//! only. A pre-signed URL's query is a credential for the file (`docs/protocol.md`, "Backup
//! download URLs"), so no message, `Display` or `Debug` here ever holds it.

use std::path::{Path, PathBuf};

/// What kind of failure ended a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DownloadErrorKind {
    /// The connection failed, broke off or stalled more often than the attempts allow.
    Network,
    /// The TLS handshake failed (an unknown certificate authority, say). Not retried.
    Tls,
    /// The server answered with a status that is not the file (`http_status()` says which).
    HttpStatus,
    /// The URL has expired and could not be asked for anew.
    Expired,
    /// A redirect to plain `http://` from `https://`, or more redirects than allowed.
    Redirect,
    /// The file's MD5 is not the one the service gave; the file was removed.
    Checksum,
    /// The file could not be written, flushed or renamed.
    Io,
    /// The file exists and replacing it was not asked for.
    Exists,
    /// The backup is several files (one per shard) and the destination is one file: a folder
    /// is needed.
    Sharded,
    /// Asking the API for the URL failed (`api_error()` has the API's error), or its answer
    /// holds no download URL.
    Api,
}

/// A failed download. `Display` names the problem, the file and the URL's scheme, host and
/// path; never the URL's query.
#[derive(Debug)]
pub struct DownloadError {
    kind: DownloadErrorKind,
    file: PathBuf,
    location: String,
    message: String,
    status: Option<u16>,
    attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl DownloadError {
    pub(crate) fn new(
        kind: DownloadErrorKind,
        file: &Path,
        url: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            file: file.to_owned(),
            location: location(url),
            message: message.into(),
            status: None,
            attempts: 1,
            source: None,
        }
    }

    /// Where from, already shown without the query (a stream keeps no URL).
    pub(crate) fn with_location(mut self, location: &str) -> Self {
        self.location = location.to_owned();
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Keeps the cause (a transport's errors never hold the URL's query).
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.attempts = attempts;
    }

    /// A failure found before or beside the transfer, by a layer above the runtime (an answer
    /// with fewer files than the backup has, a file where a folder is needed): its kind, the
    /// file, and what is wrong. No URL is given, so none can be shown.
    pub fn local(kind: DownloadErrorKind, file: &Path, message: impl Into<String>) -> Self {
        Self::new(kind, file, "", message)
    }

    /// Keeps the API's error that made the download fail ([`DownloadError::api_error`]).
    pub fn with_api_error(self, error: crate::error::Error) -> Self {
        self.with_source(error)
    }

    /// What kind of failure it is.
    pub fn kind(&self) -> DownloadErrorKind {
        self.kind
    }

    /// The file being downloaded (its final name).
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Where from: the URL's scheme, host and path, without its query.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The HTTP status, for [`DownloadErrorKind::HttpStatus`] and [`DownloadErrorKind::Expired`].
    pub fn http_status(&self) -> Option<u16> {
        self.status
    }

    /// Attempts made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The API's error, when asking for the URL failed.
    pub fn api_error(&self) -> Option<&crate::error::Error> {
        self.source.as_ref()?.downcast_ref::<crate::error::Error>()
    }

    /// Whether another attempt could succeed (network failures).
    pub fn is_transient(&self) -> bool {
        self.kind == DownloadErrorKind::Network
            || (self.kind == DownloadErrorKind::HttpStatus
                && self.status.is_some_and(|s| s == 429 || s >= 500))
    }
}

impl std::fmt::Display for DownloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        match self.location.as_str() {
            "" => write!(f, " [{}]", self.file.display()),
            from => write!(f, " [{from} → {}]", self.file.display()),
        }
    }
}

impl std::error::Error for DownloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// A URL as scheme, host, port and path: what may be shown of a pre-signed URL. The query,
/// the fragment and any user and password are left out.
pub(crate) fn location(url: &str) -> String {
    let before = url.split(['?', '#']).next().unwrap_or("");
    let Some((scheme, rest)) = before.split_once("://") else {
        return crate::redact::redact_url(before);
    };
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let path = if path.is_empty() { "/" } else { path };
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_never_shown() {
        let url = "https://user:pw@files.example:8443/b/full.xb?Signature=s3cret&Expires=1";
        assert_eq!(location(url), "https://files.example:8443/b/full.xb");
        let error = DownloadError::new(
            DownloadErrorKind::Expired,
            Path::new("x.xb"),
            url,
            "expired",
        );
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("pw"),
            "{shown}"
        );
        assert!(!location("not a url?Signature=s3cret").contains("s3cret"));
    }
}
