//! The future of a typed call. Everything but the last step is one boxed exchange shared by
//! every action ([`crate::call`]); what is compiled per action a program awaits is kept to a
//! few moves (BENCHMARKS.md, compile time).

use std::task::Poll;

use serde_json::Value;

use crate::call::BoxedExchange;
use crate::error::{Error, ErrorKind};
use crate::judge::{Answer, Body};
use crate::response::Response;

/// The future of a typed call ([`Client::send`](crate::Client::send),
/// [`Client::send_with`](crate::Client::send_with)): resolves to the decoded response. `Send`,
/// and `Unpin`; nothing happens until it is polled (the request is already encoded).
#[must_use = "a call does nothing until it is awaited"]
pub struct SendFuture<'a, R> {
    exchange: BoxedExchange<'a>,
    action: &'static str,
    /// Where a response handed over decoded (a mock's) is moved; a server's answer is read,
    /// not stored here.
    decoded: Option<R>,
}

impl<'a, R> SendFuture<'a, R> {
    pub(crate) fn new(exchange: BoxedExchange<'a>, action: &'static str) -> Self {
        Self {
            exchange,
            action,
            decoded: None,
        }
    }
}

// Never pinned through: the response is only moved in and out of its slot.
impl<R> Unpin for SendFuture<'_, R> {}

impl<R> std::fmt::Debug for SendFuture<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendFuture")
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

impl<R: Response> std::future::Future for SendFuture<'_, R> {
    type Output = Result<R, Error>;

    /// The only code compiled per action a program awaits, kept to a few moves: the exchange
    /// and the envelope are one function's for every action, and reading the object is the
    /// response's own [`Response::from_parts`].
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let name = std::any::type_name::<R>;
        match poll_answer(&mut this.exchange, this.action, cx, &mut this.decoded, name) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Opened::Object(object, envelope, request_id)) => {
                Poll::Ready(R::from_parts(this.action, object, envelope, request_id))
            }
            Poll::Ready(Opened::Decoded) => match this.decoded.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => Poll::Ready(Err(wrong_type(this.action, name()))),
            },
            Poll::Ready(Opened::Failed(error)) => Poll::Ready(Err(error)),
        }
    }
}

/// A typed call's answer, before its type comes in.
enum Opened {
    /// The object a server sent, and the request id it gave.
    Object(
        serde_json::Map<String, Value>,
        crate::response::AnswerEnvelope,
        Option<String>,
    ),
    /// A decoded response, moved into the future's slot.
    Decoded,
    Failed(Error),
}

/// Polls a typed call's exchange and opens its answer, compiled once for every action. A
/// response handed over decoded is moved into `slot` (an `Option` of the response type).
fn poll_answer(
    exchange: &mut BoxedExchange<'_>,
    action: &str,
    cx: &mut std::task::Context<'_>,
    slot: &mut dyn std::any::Any,
    type_name: fn() -> &'static str,
) -> Poll<Opened> {
    let answer = match exchange.as_mut().poll(cx) {
        Poll::Ready(answer) => answer,
        Poll::Pending => return Poll::Pending,
    };
    Poll::Ready(match answer {
        Ok(Answer {
            body: Body::Object(object, envelope),
            request_id,
        }) => Opened::Object(object, envelope, request_id),
        // A response of another type leaves the slot empty.
        Ok(Answer {
            body: Body::Decoded(decoded),
            ..
        }) => {
            if decoded.fill(slot) {
                Opened::Decoded
            } else {
                Opened::Failed(wrong_type(action, type_name()))
            }
        }
        Err(error) => Opened::Failed(error),
    })
}

/// A decoded response of another type than the call's.
pub(crate) fn wrong_type(action: &str, expected: &str) -> Error {
    Error::new(ErrorKind::Decode, action).with_message(format!(
        "the mock answered with another type than {expected}"
    ))
}
