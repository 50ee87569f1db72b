//! The transport: what carries a call's attempts and a download's requests to a server and
//! brings the answers back. The runtime knows no HTTP library; [`Transport`] is all it asks
//! of one. `dezai-http` implements it over reqwest (what `Client::from_env()` uses); a test
//! double, an instrumented company client or another TLS stack implements it the same way
//! and is handed to [`Client::with_transport`](crate::client::Client::with_transport).
//!
//! What a transport owes the runtime (`docs/architecture.md`, "The transport's contract"):
//! - [`Transport::send`]: one POST of the given body and content type to the given URL; the
//!   answer's status, body (read up to [`ApiRequest::max_response_bytes`], else
//!   [`TransportErrorKind::TooLarge`]) and the headers [`ApiReply`] keeps. It never follows a
//!   redirect: the signed body goes only to the configured host.
//! - [`Transport::fetch`]: one GET of a download URL, with `Range`/`If-Range` when asked,
//!   following redirects itself, at most [`MAX_REDIRECTS`], never from `https` to `http`.
//! - Errors as [`TransportError`]s of the kind that says what happened; the runtime's retry
//!   decision reads the kind. Neither method retries or times out: the runtime does both.
//!
//! ```
//! use dezai_runtime::transport::{ApiReply, ApiRequest, Transport, TransportError};
//!
//! /// Answers every call with the same JSON, as a server would.
//! struct Canned(&'static str);
//!
//! impl Transport for Canned {
//!     async fn send(&self, _request: ApiRequest<'_>) -> Result<ApiReply, TransportError> {
//!         Ok(ApiReply::new(200, self.0.as_bytes().to_vec()).header("X-Request-Id", "r-1"))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use dezai_runtime::{Client, Config, Credentials, Params};
//! let config = Config::builder().credentials(Credentials::new("pk", "sk")).build().unwrap();
//! let client = Client::with_transport(config, Canned(r#"{"RetCode": 0, "TotalCount": 3}"#));
//! let answer = client.invoke("DescribeThing", Params::new()).await.unwrap();
//! assert_eq!(answer["TotalCount"], 3);
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;

/// Response headers that carry the request id, lower case, in the order they are looked for
/// (`X-UCloud-Request-UUID`, `X-Dezai-Request-Id`, `X-Request-Id`).
pub const REQUEST_ID_HEADERS: [&str; 3] = [
    "x-ucloud-request-uuid",
    "x-dezai-request-id",
    "x-request-id",
];

/// Redirects one download request follows at most.
pub const MAX_REDIRECTS: u32 = 5;

/// Carries attempts and downloads: see the [module docs](self).
///
/// Implement it with `async fn`; the futures must be `Send`. A client holds its transport
/// behind one pointer and boxes each call's whole future once, so a transport's own future
/// is not boxed again.
pub trait Transport: Send + Sync + 'static {
    /// Sends one attempt of an API call and reads its answer.
    fn send(
        &self,
        request: ApiRequest<'_>,
    ) -> impl Future<Output = Result<ApiReply, TransportError>> + Send;

    /// Starts one download request: the answer's status and headers, and its body to read.
    /// The default answers that this transport does not download files.
    fn fetch(
        &self,
        request: FileRequest<'_>,
    ) -> impl Future<Output = Result<FileReply, TransportError>> + Send {
        let _ = request;
        async {
            Err(TransportError::new(
                TransportErrorKind::Unanswered,
                "this transport does not download files",
            ))
        }
    }
}

/// One attempt of an API call: a POST of `body` to `url`.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ApiRequest<'a> {
    /// The action's name (for the transport's own logs and errors).
    pub action: &'a str,
    /// Where the call goes: the configured endpoint.
    pub url: &'a str,
    /// The body's content type.
    pub content_type: &'static str,
    /// The encoded, signed parameters (the same bytes on every attempt).
    pub body: &'a Bytes,
    /// The parameters, as the body holds them (signature included), for a transport that
    /// answers from them instead of sending the body (a test double).
    pub params: &'a crate::params::Params,
    /// The longest body to read; a longer one is [`TransportErrorKind::TooLarge`].
    pub max_response_bytes: usize,
}

/// What one attempt got back, before the runtime judges it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ApiReply {
    /// The HTTP status.
    pub status: u16,
    /// The body as sent.
    pub body: Bytes,
    /// The request id the server gave (see [`REQUEST_ID_HEADERS`]).
    pub request_id: Option<String>,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<Duration>,
    /// `Location`, kept for a redirect's error message (its credentials are masked there).
    pub location: Option<String>,
    /// Where the request id's header stands in [`REQUEST_ID_HEADERS`] (earlier wins).
    request_id_rank: usize,
}

impl ApiReply {
    /// An answer with this status and body, and no headers yet.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            body: body.into(),
            ..Self::default()
        }
    }

    /// Records a response header, if it is one the runtime reads (request id, `Retry-After`,
    /// `Location`; names in any case); other headers are ignored.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let rank = REQUEST_ID_HEADERS
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name));
        if let Some(rank) = rank {
            if self.request_id.is_none() || rank < self.request_id_rank {
                self.request_id = Some(value.to_owned());
                self.request_id_rank = rank;
            }
        } else if name.eq_ignore_ascii_case("retry-after") {
            self.retry_after = parse_retry_after(value);
        } else if name.eq_ignore_ascii_case("location") {
            self.location = Some(value.to_owned());
        }
        self
    }
}

/// `Retry-After` in seconds (the HTTP date form is not used by the API).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// One download request: a GET of `url`, or of a range of it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FileRequest<'a> {
    /// The download URL (its query is a credential: never log it).
    pub url: &'a str,
    /// `Range: bytes=<from>-`, or `bytes=<from>-<to>` with `to` the last byte wanted.
    pub range: Option<(u64, Option<u64>)>,
    /// `If-Range: <version>`: the version (ETag or Last-Modified) the bytes already held are
    /// of; a server whose file changed answers the whole new file (200) instead of the range.
    pub if_range: Option<&'a str>,
}

impl<'a> FileRequest<'a> {
    /// A GET of the whole file.
    pub fn new(url: &'a str) -> Self {
        Self {
            url,
            range: None,
            if_range: None,
        }
    }

    /// The bytes from `from` to `to` (inclusive), or to the end.
    pub fn range(mut self, from: u64, to: Option<u64>) -> Self {
        self.range = Some((from, to));
        self
    }

    /// Only if the file is still this version.
    pub fn if_range(mut self, version: &'a str) -> Self {
        self.if_range = Some(version);
        self
    }
}

/// A download's answer: status and headers; the body is read from [`FileReply::body`].
#[non_exhaustive]
pub struct FileReply {
    /// The HTTP status after redirects (200, 206, 403, 416, …).
    pub status: u16,
    /// `ETag`, or else `Last-Modified`: the version a later `If-Range` names.
    pub version: Option<String>,
    /// `Content-Length`.
    pub length: Option<u64>,
    /// The whole file's size, from a 206's `Content-Range` (`bytes 0-99/1000`).
    pub total: Option<u64>,
    /// The body.
    pub body: Box<dyn FileBody>,
}

impl FileReply {
    /// An answer with this status and body, and no headers yet.
    pub fn new(status: u16, body: Box<dyn FileBody>) -> Self {
        Self {
            status,
            version: None,
            length: None,
            total: None,
            body,
        }
    }
}

impl std::fmt::Debug for FileReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileReply")
            .field("status", &self.status)
            .field("version", &self.version)
            .field("length", &self.length)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// The next chunk of a body, or `None` at its end.
pub type NextChunk<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Bytes>, TransportError>> + Send + 'a>>;

/// A download's body, read a chunk at a time.
pub trait FileBody: Send {
    /// The next chunk, `Ok(None)` at the end.
    fn chunk(&mut self) -> NextChunk<'_>;
}

/// A body held whole in memory (a test double's).
impl FileBody for Option<Bytes> {
    fn chunk(&mut self) -> NextChunk<'_> {
        let next = self.take();
        Box::pin(async move { Ok(next) })
    }
}

/// What went wrong in a transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made; the request was certainly not sent. Retried.
    Connect,
    /// The TLS handshake failed (a bad certificate does not cure itself). Not retried.
    Tls,
    /// The transport's own timer ran out. Retried.
    Timeout,
    /// The connection broke during the exchange, or the body was cut off. Retried when the
    /// action may be repeated.
    Broken,
    /// The body is longer than [`ApiRequest::max_response_bytes`]. Not retried.
    TooLarge,
    /// A download redirected from `https` to `http`, more than [`MAX_REDIRECTS`] times, or
    /// without a usable target. Not retried.
    Redirect,
    /// The URL is not one the transport can request.
    InvalidUrl,
    /// The transport has no answer and sent nothing (a test double without a rule, or a
    /// transport that does not download). Not retried.
    Unanswered,
}

/// A transport's failure: its kind, what happened in words, and the cause.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    status: Option<u16>,
    request_id: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A failure of this kind; `message` says what happened (`connection refused`). It must
    /// not hold a credential or a download URL's query.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            status: None,
            request_id: None,
            source: None,
        }
    }

    /// Keeps the cause (it must not print a credential or a download URL's query).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The HTTP status the answer had, when the failure came after it (a body cut off).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The request id the answer gave, when the failure came after it.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// In words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The answer's HTTP status, if one came.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The request id the answer gave, if one came.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The cause and the request id, taken out.
    pub(crate) fn into_parts(
        self,
    ) -> (
        Option<Box<dyn std::error::Error + Send + Sync>>,
        Option<String>,
    ) {
        (self.source, self.request_id)
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_keeps_the_headers_the_runtime_reads_in_any_case() {
        let reply = ApiReply::new(503, "x")
            .header("x-request-id", "r-2")
            .header("X-Dezai-Request-Id", "r-1")
            .header("Retry-After", " 3 ")
            .header("Location", "https://elsewhere.example/")
            .header("Content-Type", "text/plain");
        assert_eq!(
            reply.request_id.as_deref(),
            Some("r-1"),
            "the protocol's order"
        );
        assert_eq!(reply.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(
            reply.location.as_deref(),
            Some("https://elsewhere.example/")
        );
        assert_eq!(
            ApiReply::new(200, "")
                .header("Retry-After", "soon")
                .retry_after,
            None
        );
    }
}
