//! The one error type of every call, with kinds a caller can match and the context support
//! asks for: action, RetCode, message, HTTP status, request id. Never a secret.

use std::fmt;

/// What went wrong, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Caught before sending: a required parameter missing, no credentials, a value the wire
    /// cannot carry. No network call was made.
    InvalidRequest,
    /// The connection could not be made (refused, DNS, unreachable): the request never reached
    /// the server.
    Connect,
    /// The TLS handshake failed: the request never reached the server.
    Tls,
    /// The call timed out (connect or total).
    Timeout,
    /// Another transport failure, such as the connection dropping mid-response.
    Transport,
    /// The server answered with an HTTP status other than 2xx.
    HttpStatus,
    /// The service answered with a RetCode other than 0.
    Api,
    /// The response could not be decoded (not JSON, or not a response envelope).
    Decode,
    /// The response body was larger than the configured limit; it was not read to the end.
    ResponseTooLarge,
}

impl ErrorKind {
    /// Whether this is a transport failure (connect, TLS, timeout, other).
    pub fn is_transport(self) -> bool {
        matches!(
            self,
            Self::Connect | Self::Tls | Self::Timeout | Self::Transport
        )
    }

    fn describe(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid request",
            Self::Connect => "connection failed",
            Self::Tls => "TLS handshake failed",
            Self::Timeout => "timed out",
            Self::Transport => "transport error",
            Self::HttpStatus => "HTTP error",
            Self::Api => "API error",
            Self::Decode => "cannot decode response",
            Self::ResponseTooLarge => "response too large",
        }
    }
}

/// A failed call.
///
/// ```
/// # async fn demo(client: dezai_runtime::Client) {
/// use dezai_runtime::{Params, ret_code};
///
/// match client.invoke("DescribeThing", Params::new()).await {
///     Ok(json) => println!("{json}"),
///     Err(e) if e.ret_code() == Some(ret_code::WRONG_SIGNATURE) => eprintln!("wrong key pair: {e}"),
///     Err(e) if e.is_throttling() => eprintln!("slow down: {e}"),
///     Err(e) => eprintln!("{e} (request id {:?})", e.request_id()),
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    action: String,
    ret_code: Option<i64>,
    message: Option<String>,
    http_status: Option<u16>,
    request_id: Option<String>,
    body_excerpt: Option<String>,
    attempts: u32,
    budget_exhausted: bool,
    retryable: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// A response that does not match a hand-written response type (generated ones read
    /// every field leniently, so never fail here).
    pub(crate) fn decode_response(
        action: &str,
        e: &serde_json::Error,
        request_id: Option<String>,
    ) -> Self {
        Self::new(ErrorKind::Decode, action)
            .with_message(format!("response does not match the typed response: {e}"))
            .with_request_id(request_id)
    }

    pub(crate) fn new(kind: ErrorKind, action: &str) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                action: action.to_owned(),
                ret_code: None,
                message: None,
                http_status: None,
                request_id: None,
                body_excerpt: None,
                attempts: 0,
                budget_exhausted: false,
                retryable: false,
                source: None,
            }),
        }
    }

    /// An error found without a call, by a layer above the runtime (a request that cannot be
    /// sent, an answer that lacks what the caller needs): its kind, the action and what is
    /// wrong.
    pub fn local(kind: ErrorKind, action: &str, message: impl Into<String>) -> Self {
        Self::new(kind, action).with_message(message)
    }

    pub(crate) fn invalid(action: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, action).with_message(message)
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(message.into());
        self
    }

    pub(crate) fn with_ret_code(mut self, code: i64) -> Self {
        self.inner.ret_code = Some(code);
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        self.inner.request_id = id;
        self
    }

    pub(crate) fn with_body(mut self, body: &[u8]) -> Self {
        self.inner.body_excerpt = Some(excerpt(body));
        self
    }

    pub(crate) fn with_boxed_source(
        mut self,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Self {
        self.inner.source = Some(source);
        self
    }

    pub(crate) fn set_retryable(&mut self, retryable: bool) {
        self.inner.retryable = retryable;
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.inner.attempts = attempts;
    }

    pub(crate) fn set_budget_exhausted(&mut self) {
        self.inner.budget_exhausted = true;
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The action that failed.
    pub fn action(&self) -> &str {
        &self.inner.action
    }

    /// The service's RetCode, when it sent one other than 0.
    pub fn ret_code(&self) -> Option<i64> {
        self.inner.ret_code
    }

    /// The service's message, or the runtime's for local errors.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }

    /// The HTTP status, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// The request id the service assigned (give it to support).
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The start of a response body that could not be decoded.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.body_excerpt.as_deref()
    }

    /// How many attempts were made (0 when the call failed before sending).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether retries stopped because the client's retry budget ran out.
    pub fn retry_budget_exhausted(&self) -> bool {
        self.inner.budget_exhausted
    }

    /// Whether the failure is of a kind that retrying may cure (a throttled or unavailable
    /// service, a timeout, a dropped connection), for this action. The client has already
    /// retried as its policy allows; this tells the caller whether trying later makes sense.
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }

    /// Whether the service turned the call away for load: HTTP 429 or RetCode 153
    /// ([`dezai_spec::ret_code::THROTTLED`]). Slow down before the next calls.
    pub fn is_throttling(&self) -> bool {
        self.inner.http_status == Some(429)
            || self.inner.ret_code == Some(dezai_spec::ret_code::THROTTLED)
    }

    /// Whether the credentials or permissions are at fault: a missing or wrong signature, an
    /// unknown key, token or project, a refused zone or IP address, a failed IAM check
    /// ([`dezai_spec::ret_code::AUTH`]), or HTTP 401/403. Retrying will not help.
    pub fn is_auth(&self) -> bool {
        matches!(self.inner.http_status, Some(401 | 403))
            || self
                .inner
                .ret_code
                .is_some_and(|c| dezai_spec::ret_code::AUTH.contains(&c))
    }
}

/// How much of an undecodable body an error keeps.
const EXCERPT_CHARS: usize = 200;

/// The start of a body, secrets masked (`redact::redact_body`).
fn excerpt(body: &[u8]) -> String {
    let text = crate::redact::redact_body(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "{} failed: {}", i.action, i.kind.describe())?;
        if let Some(code) = i.ret_code {
            write!(f, " (RetCode {code})")?;
        }
        if let Some(message) = &i.message {
            write!(f, ": {message}")?;
        }
        let mut extra = Vec::new();
        if let Some(status) = i.http_status {
            extra.push(format!("HTTP {status}"));
        }
        if let Some(id) = &i.request_id {
            extra.push(format!("request id {id}"));
        }
        if i.attempts > 1 {
            extra.push(format!("{} attempts", i.attempts));
        }
        if i.budget_exhausted {
            extra.push("retry budget exhausted".to_owned());
        }
        if !extra.is_empty() {
            write!(f, " [{}]", extra.join(", "))?;
        }
        if let Some(body) = &i.body_excerpt {
            write!(f, "; body starts: {body}")?;
        }
        if let Some(source) = &i.source {
            write!(f, "; caused by: {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("action", &i.action)
            .field("ret_code", &i.ret_code)
            .field("message", &i.message)
            .field("http_status", &i.http_status)
            .field("request_id", &i.request_id)
            .field("attempts", &i.attempts)
            .field("retryable", &i.retryable)
            .field("budget_exhausted", &i.budget_exhausted)
            .field("body_excerpt", &i.body_excerpt)
            .field("source", &i.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A configuration that cannot be loaded or used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file or variable at fault, if any.
    pub source_name: Option<String>,
    /// What is wrong. Never quotes a secret.
    pub message: String,
}

impl ConfigError {
    /// An error about `source_name` (a file or variable, if any).
    pub fn new(source_name: Option<String>, message: impl Into<String>) -> Self {
        Self {
            source_name,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source_name {
            Some(name) => write!(f, "{name}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}
