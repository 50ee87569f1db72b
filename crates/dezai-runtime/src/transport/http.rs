//! The HTTP transport: one POST per attempt over reqwest (rustls), the answer's body read
//! within the configured size limit, and reqwest's errors sorted into the failure classes the
//! retry decision reads (a TLS failure apart from a refused connection).

use std::time::Duration;

use super::{Exchange, Payload, Transport};
use crate::error::{Error, ErrorKind};
use crate::judge::{Class, Failure};
use crate::prepare::Prepared;

/// Response headers that carry the request id, in the order they are looked for. Header
/// names are matched case-insensitively; as `HeaderName`s, a lookup does not parse the name
/// again on every call.
static REQUEST_ID_HEADERS: [reqwest::header::HeaderName; 3] = [
    reqwest::header::HeaderName::from_static("x-ucloud-request-uuid"),
    reqwest::header::HeaderName::from_static("x-dezai-request-id"),
    reqwest::header::HeaderName::from_static("x-request-id"),
];

/// Posts to one endpoint over a reqwest client.
pub(crate) struct Http {
    client: reqwest::Client,
    /// Parsed once (reqwest would parse a string per call).
    url: reqwest::Url,
    max_response_bytes: usize,
}

impl Http {
    pub(crate) fn new(
        client: reqwest::Client,
        url: reqwest::Url,
        max_response_bytes: usize,
    ) -> Self {
        Self {
            client,
            url,
            max_response_bytes,
        }
    }
}

impl Transport for Http {
    async fn exchange(&self, request: &Prepared, action: &str) -> Result<Exchange, Failure> {
        let sent = self
            .client
            .post(self.url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                reqwest::header::HeaderValue::from_static(request.content_type),
            )
            .body(request.body.clone())
            .send()
            .await;
        let response = sent.map_err(|e| transport_failure(action, e))?;
        let status = response.status().as_u16();
        let request_id = request_id(response.headers());
        let retry_after = retry_after(response.headers());
        // Only a redirect's target is worth keeping (read before the body consumes the response).
        let location = (300..400)
            .contains(&status)
            .then(|| response.headers().get(reqwest::header::LOCATION))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .map(crate::redact::redact_url);
        let body = read_bounded(response, self.max_response_bytes)
            .await
            .map_err(|e| e.into_failure(action, status, request_id.clone()))?;
        Ok(Exchange {
            status,
            request_id,
            retry_after,
            location,
            payload: Payload::Bytes(body),
        })
    }
}

/// A reqwest error as a failure: its class, and what the operating system said, in words a
/// person reads first ("connection refused"), rather than only reqwest's wrapper.
fn transport_failure(action: &str, e: reqwest::Error) -> Failure {
    let connect = e.is_connect();
    let io = io_cause(&e);
    let (kind, class) = if e.is_timeout() {
        (ErrorKind::Timeout, Class::Timeout)
    } else if connect && caused_by_tls(&e) {
        (ErrorKind::Tls, Class::Tls)
    } else if connect {
        (ErrorKind::Connect, Class::Connect)
    } else {
        (ErrorKind::Transport, Class::Dropped)
    };
    let mut error = Error::new(kind, action);
    if let (Some(io), false) = (io, kind == ErrorKind::Timeout) {
        error = error.with_message(io);
    }
    let mut failure = Failure::new(error.with_source(e), class);
    failure.never_sent = connect;
    failure
}

/// The innermost I/O error of a chain, as text (`connection refused (os error 111)`).
pub(crate) fn io_cause(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut found = None;
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            found = Some(lower_first(&io.to_string()));
        }
        source = err.source();
    }
    found
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(crate) fn caused_by_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = e.source();
    while let Some(err) = source {
        if err.is::<rustls::Error>() {
            return true;
        }
        // rustls reports handshake failures inside `io::Error`s (one wrapped in another,
        // behind hyper's), whose `source()` does not lead on to them: look inside.
        let mut inner: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(io) = inner.and_then(|e| e.downcast_ref::<std::io::Error>()) {
            inner = io
                .get_ref()
                .map(|e| e as &(dyn std::error::Error + 'static));
            if inner.is_some_and(|e| e.is::<rustls::Error>()) {
                return true;
            }
        }
        source = err.source();
    }
    false
}

fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

enum BodyError {
    TooLarge(u64),
    /// The body broke off: the error, the bytes received, and the length announced.
    Read(reqwest::Error, usize, Option<u64>),
}

impl BodyError {
    fn into_failure(self, action: &str, status: u16, request_id: Option<String>) -> Failure {
        match self {
            BodyError::TooLarge(seen) => {
                let error = Error::new(ErrorKind::ResponseTooLarge, action)
                    .with_status(status)
                    .with_request_id(request_id)
                    .with_message(format!(
                        "the response body exceeds the limit (at least {seen} bytes); raise \
                         Config max_response_bytes if this is expected"
                    ));
                Failure::new(error, Class::TooLarge)
            }
            BodyError::Read(e, got, announced) => {
                let mut failure = transport_failure(action, e);
                let message = match announced {
                    Some(length) => {
                        format!("response body truncated: got {got} of {length} bytes")
                    }
                    None => format!("response body cut off after {got} bytes"),
                };
                failure.error = failure
                    .error
                    .with_status(status)
                    .with_request_id(request_id)
                    .with_message(message);
                failure.never_sent = false;
                failure
            }
        }
    }
}

/// Reads a body up to `limit` bytes; a longer one is refused without reading the rest. A body
/// that arrives in one chunk (the usual case for API responses) is kept as it came, uncopied.
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, BodyError> {
    let limit_u64 = limit as u64;
    let announced = response.content_length();
    let broke = move |got: usize| move |e| BodyError::Read(e, got, announced);
    if let Some(length) = response.content_length().filter(|l| *l > limit_u64) {
        return Err(BodyError::TooLarge(length));
    }
    let Some(first) = response.chunk().await.map_err(broke(0))? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() > limit {
        return Err(BodyError::TooLarge(first.len() as u64));
    }
    let Some(second) = response.chunk().await.map_err(broke(first.len()))? else {
        return Ok(first);
    };
    let capacity = response.content_length().map_or(64 * 1024, |l| l as usize);
    let mut body = bytes::BytesMut::with_capacity(capacity.min(limit));
    for chunk in [first, second] {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    while let Some(chunk) = response.chunk().await.map_err(broke(body.len()))? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
