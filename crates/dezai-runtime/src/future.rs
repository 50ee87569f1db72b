//! The future of a typed call. Everything but the last step is one boxed exchange shared by
//! every action ([`crate::call`]); what is compiled per action a program awaits is kept to a
//! few moves (BENCHMARKS.md, compile time).

use std::task::Poll;

use crate::call::BoxedExchange;
use crate::error::Error;
use crate::judge::Answer;
use crate::response::Response;

/// The future of a typed call ([`Client::send`](crate::client::Client::send),
/// [`Client::send_with`](crate::client::Client::send_with)): resolves to the decoded response.
/// `Send`, and `Unpin`; nothing happens until it is polled (the request is already encoded).
#[must_use = "a call does nothing until it is awaited"]
pub struct SendFuture<'a, R> {
    exchange: BoxedExchange<'a>,
    action: &'static str,
    _response: std::marker::PhantomData<fn() -> R>,
}

impl<'a, R> SendFuture<'a, R> {
    pub(crate) fn new(exchange: BoxedExchange<'a>, action: &'static str) -> Self {
        Self {
            exchange,
            action,
            _response: std::marker::PhantomData,
        }
    }
}

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
        match this.exchange.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(Answer {
                object,
                envelope,
                request_id,
            })) => Poll::Ready(R::from_parts(this.action, object, envelope, request_id)),
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
        }
    }
}
