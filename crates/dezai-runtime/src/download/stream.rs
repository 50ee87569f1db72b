//! A download read as a stream of chunks instead of written to a file: for a copy that goes
//! somewhere else (an object store's multipart upload), with the same rules as a file's: the
//! client's transport, a stall noticed after the idle time, a body shorter than announced an
//! error, the rate shared with other downloads, and errors that never show the URL's query.
//!
//! Retrying is the reader's: an [`Expired`] error asks for a fresh link,
//! [`DownloadError::is_transient`] says whether opening the link again may help.
//!
//! [`Expired`]: crate::download::DownloadErrorKind::Expired

use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::error::{DownloadError, DownloadErrorKind as Kind};
use super::fetch::{Attempt, Stall, transport_failure};
use super::{DownloadLink, RateLimit};
use crate::client::Client;
use crate::transport::{FileReply, FileRequest};

/// An open download: see the [module docs](self). Read it with [`DownloadStream::chunk`].
pub struct DownloadStream {
    reply: FileReply,
    stall: Stall,
    idle: std::time::Duration,
    limit: Option<RateLimit>,
    read: u64,
    location: String,
    target: PathBuf,
    /// `dezai.download`, ended with the stream.
    span: tracing::Span,
}

impl std::fmt::Debug for DownloadStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadStream")
            .field("from", &self.location)
            .field("target", &self.target)
            .field("read", &self.read)
            .field("total", &self.reply.length)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Opens `link` for reading as a stream; `target` names where its bytes go, for errors
    /// (an object's name, say). An answer that is not the file is an error at once: 403 an
    /// [`Expired`] one, any other an [`HttpStatus`] one.
    ///
    /// [`Expired`]: crate::download::DownloadErrorKind::Expired
    /// [`HttpStatus`]: crate::download::DownloadErrorKind::HttpStatus
    pub async fn open_download(
        &self,
        link: &DownloadLink,
        target: &Path,
    ) -> Result<DownloadStream, DownloadError> {
        self.open(link, target, FileRequest::new(&link.url), 200)
            .await
    }

    /// Opens bytes `from` to `to` (inclusive) of `link` as a stream, if the file is still
    /// `version` when one is given: a part of a copy that goes over several connections.
    /// [`DownloadStream::total`] is then the whole file's size and
    /// [`DownloadStream::version`] its version. A server that answers with the whole file
    /// instead (it ignores ranges, or the file is no longer `version`) gives an
    /// [`HttpStatus`] error with status 200; 403 an [`Expired`] one.
    ///
    /// [`Expired`]: crate::download::DownloadErrorKind::Expired
    /// [`HttpStatus`]: crate::download::DownloadErrorKind::HttpStatus
    pub async fn open_download_range(
        &self,
        link: &DownloadLink,
        target: &Path,
        (from, to): (u64, u64),
        version: Option<&str>,
    ) -> Result<DownloadStream, DownloadError> {
        let mut request = FileRequest::new(&link.url).range(from, Some(to));
        if let Some(version) = version {
            request = request.if_range(version);
        }
        self.open(link, target, request, 206).await
    }

    /// Sends `request` and opens its answer, `wanted` the status of the file's bytes.
    async fn open(
        &self,
        link: &DownloadLink,
        target: &Path,
        request: FileRequest<'_>,
        wanted: u16,
    ) -> Result<DownloadStream, DownloadError> {
        let reply = self.fetch(request).await.map_err(|e| {
            match transport_failure(target, &link.url, e) {
                Attempt::Expired(e) | Attempt::Failed(e) => e,
            }
        })?;
        let status = reply.status;
        let location = super::error::location(&link.url);
        // The stream's span lives as long as the stream: bytes and outcome once it ends.
        let span = tracing::info_span!(
            "dezai.download",
            otel.name = "dezai.download",
            from = %location,
            streams = 1,
            http.response.status_code = status,
            bytes = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let _entered = span.enter();
        tracing::debug!(from = %location, status, length = reply.length, "streaming the file");
        let failed = |kind, message: &str| {
            DownloadError::new(kind, target, &link.url, message).with_status(status)
        };
        match status {
            _ if status == wanted => {}
            403 => {
                return Err(failed(
                    Kind::Expired,
                    "the download URL has expired (HTTP 403)",
                ));
            }
            _ => {
                let message = format!("the download answered HTTP {status}");
                return Err(failed(Kind::HttpStatus, &message));
            }
        }
        let idle = self.config().timeout();
        Ok(DownloadStream {
            reply,
            stall: Stall::new(idle),
            idle,
            limit: None,
            read: 0,
            location,
            target: target.to_owned(),
            span: span.clone(),
        })
    }
}

impl DownloadStream {
    /// Reads no faster than `limit` allows (shared with every download given a clone of it).
    pub fn limit_rate(mut self, limit: RateLimit) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The version (ETag, else Last-Modified) the server gave, for the ranges that follow.
    pub fn version(&self) -> Option<&str> {
        self.reply.version.as_deref()
    }

    /// The whole file's size, when the server says.
    pub fn total(&self) -> Option<u64> {
        // A whole file's answer (200) says its size by its length.
        self.reply.total.or(self.reply.length)
    }

    /// Bytes read so far.
    pub fn read(&self) -> u64 {
        self.read
    }

    /// The next chunk; `Ok(None)` at the end of a complete body. A broken, stalled or short
    /// body is a [`Network`](crate::download::DownloadErrorKind::Network) error.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, DownloadError> {
        let next = self.next_chunk().await;
        match &next {
            Ok(Some(_)) => {}
            Ok(None) => {
                self.span.record("outcome", "ok");
                self.span.record("bytes", self.read);
            }
            Err(_) => {
                self.span.record("outcome", "error");
                self.span.record("bytes", self.read);
            }
        }
        next
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, DownloadError> {
        let read = self.read;
        let failed = |message: String| {
            DownloadError::new(Kind::Network, &self.target, "", message)
                .with_location(&self.location)
        };
        let chunk = match self.stall.watch(self.reply.body.chunk()).await {
            Some(Ok(Some(chunk))) => chunk,
            Some(Ok(None)) => {
                return match self.reply.length.filter(|total| read < *total) {
                    Some(total) => Err(failed(format!(
                        "the download ended after {read} of {total} bytes"
                    ))),
                    None => Ok(None),
                };
            }
            Some(Err(e)) => {
                let message = format!("the download broke off after {read} bytes");
                return Err(failed(message).with_source(e));
            }
            None => {
                return Err(failed(format!(
                    "the download stalled after {read} bytes (nothing for {} s)",
                    self.idle.as_secs_f64()
                )));
            }
        };
        self.read += chunk.len() as u64;
        if let Some(limit) = &self.limit {
            limit.take(chunk.len()).await;
        }
        Ok(Some(chunk))
    }
}
