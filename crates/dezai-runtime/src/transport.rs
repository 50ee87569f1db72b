//! The transport stage: one attempt's request out, its raw answer back. [`Http`] posts over
//! reqwest; a [`Mock`](crate::mock::Mock) answers from its rules. The call path
//! ([`crate::call`]) is written once over the [`Transport`] trait and knows neither.

mod http;
mod mock;

use std::future::Future;
use std::time::Duration;

pub(crate) use http::{Http, caused_by_tls, io_cause};

use crate::judge::Failure;
use crate::prepare::Prepared;

/// Where attempts go.
///
/// An attempt ends in an [`Exchange`] to judge, or in a [`Failure`] when nothing usable came
/// back (no connection, a broken body, a body over the limit).
pub(crate) trait Transport: Send + Sync + 'static {
    /// Sends one attempt of `request` (the `action`'s) and reads its answer.
    fn exchange(
        &self,
        request: &Prepared,
        action: &str,
    ) -> impl Future<Output = Result<Exchange, Failure>> + Send;
}

/// What an attempt got back, before it is judged.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    /// A redirect's target, redacted (only kept for 3xx).
    pub(crate) location: Option<String>,
    pub(crate) payload: Payload,
}

/// An answer's body.
pub(crate) enum Payload {
    /// The bytes a server sent.
    Bytes(bytes::Bytes),
    /// A response that needs no decoding: a test double's typed answer, moved into the typed
    /// call's slot as it is (see [`crate::mock::Fill`]).
    Decoded(Box<dyn crate::mock::Fill>),
}
