//! A failed attempt: the error the caller sees if it is the last word, and the [`Class`] the
//! retry decision ([`crate::retry`]) is made from. Made by the judge ([`crate::judge`]) from an
//! answer, by the call ([`crate::call`]) from a timeout, and here from a transport's
//! [`TransportError`].

use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::transport::{TransportError, TransportErrorKind};

/// What kind of failure an attempt ended in: the facts the retry decision is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// An HTTP status other than 2xx.
    Status(u16),
    /// A 2xx answer whose `RetCode` is not 0.
    RetCode(i64),
    /// The attempt's or the operation's time ran out, or the transport timed out.
    Timeout,
    /// No connection could be made.
    Connect,
    /// The TLS handshake failed (a bad certificate will not cure itself).
    Tls,
    /// The connection broke during the exchange.
    Dropped,
    /// The answer could not be read as the protocol's envelope.
    Decode,
    /// The answer was larger than the configured limit.
    TooLarge,
    /// The transport had no answer for the request and sent nothing (a mock without a rule).
    Unanswered,
}

/// A failed attempt: the error, its class, and what the retry decision needs besides.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) class: Class,
    /// The server's `Retry-After`, if it sent one.
    pub(crate) retry_after: Option<Duration>,
    /// Whether the request certainly never reached the server.
    pub(crate) never_sent: bool,
}

impl Failure {
    pub(crate) fn new(error: Error, class: Class) -> Self {
        Self {
            error,
            class,
            retry_after: None,
            never_sent: false,
        }
    }

    pub(crate) fn decode(
        action: &str,
        status: u16,
        request_id: Option<String>,
        body: &[u8],
        message: &str,
    ) -> Self {
        let error = Error::new(ErrorKind::Decode, action)
            .with_message(message)
            .with_status(status)
            .with_request_id(request_id)
            .with_body(body);
        Self::new(error, Class::Decode)
    }
}

impl Failure {
    /// A transport's failure during an attempt of `action`: its error and class.
    pub(crate) fn from_transport(action: &str, e: TransportError) -> Self {
        let (kind, class) = match e.kind() {
            TransportErrorKind::Connect => (ErrorKind::Connect, Class::Connect),
            TransportErrorKind::Tls => (ErrorKind::Tls, Class::Tls),
            TransportErrorKind::Timeout => (ErrorKind::Timeout, Class::Timeout),
            TransportErrorKind::TooLarge => (ErrorKind::ResponseTooLarge, Class::TooLarge),
            TransportErrorKind::Unanswered => (ErrorKind::Transport, Class::Unanswered),
            TransportErrorKind::Broken
            | TransportErrorKind::Redirect
            | TransportErrorKind::InvalidUrl => (ErrorKind::Transport, Class::Dropped),
        };
        let never_sent = matches!(
            e.kind(),
            TransportErrorKind::Connect | TransportErrorKind::Unanswered
        );
        let mut error = Error::new(kind, action);
        if let Some(status) = e.status() {
            error = error.with_status(status);
        }
        if !e.message().is_empty() {
            error = error.with_message(e.message());
        }
        let (source, request_id) = e.into_parts();
        if let Some(source) = source {
            error = error.with_boxed_source(source);
        }
        if request_id.is_some() {
            error = error.with_request_id(request_id);
        }
        let mut failure = Failure::new(error, class);
        failure.never_sent = never_sent;
        failure
    }
}
