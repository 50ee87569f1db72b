//! Paginators for list actions: an action whose request takes `Offset` and `Limit` and whose
//! response has `TotalCount` and one list gets `.into_paginator()`, a [`Stream`] of pages (or
//! of items, through [`Paginator::items`]).
//!
//! A paginator asks for the next page at the offset after the items it has seen, and stops by
//! the one rule of `dezai_spec::paging`: once `TotalCount` is reached while the answers say it
//! (a service that caps its pages below the size asked for is read to the end), after a page
//! shorter than the page size without it, after an empty page, and after `MAX_PAGES` pages; an
//! error is yielded and ends the stream.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;

use crate::action::Action;
use crate::call_options::CallOptions;
use crate::client::Client;
use crate::error::Error;

/// A request of a list action, as generated code implements it.
pub trait Paged: Action + Clone + 'static {
    /// An item of the list.
    type Item: Send + 'static;

    /// Sets `Offset`, and `Limit` when given.
    fn set_page(&mut self, offset: i64, limit: Option<i64>);
    /// The request's `Offset` (where the first page starts).
    fn offset(&self) -> Option<i64>;
    /// The request's `Limit` (the page size it asks for).
    fn limit(&self) -> Option<i64>;
    /// The response's `TotalCount`.
    fn total_count(response: &Self::Response) -> Option<i64>;
    /// How many items the page holds.
    fn item_count(response: &Self::Response) -> usize;
    /// Takes the page's items out of the response.
    fn take_items(response: &mut Self::Response) -> Vec<Self::Item>;
}

/// A page's call: the client's own future, already boxed inside.
type PageFuture<'a, R> = crate::future::SendFuture<'a, <R as Action>::Response>;

/// The pages of a list action, as a [`Stream`] of responses: see the [module docs](self).
///
/// ```no_run
/// # use dezai_runtime::{Client, Paged, Paginator};
/// # async fn demo<R: Paged + Unpin>(client: &Client, request: R) -> Result<(), dezai_runtime::Error> {
/// use futures_util::TryStreamExt;
///
/// let mut pages = Paginator::new(client, request).page_size(100);
/// while let Some(page) = pages.try_next().await? {
///     println!("{} items", R::item_count(&page));
/// }
/// # Ok(()) }
/// ```
#[must_use = "a paginator does nothing until it is polled"]
pub struct Paginator<'a, R: Paged> {
    client: &'a Client,
    request: R,
    options: CallOptions,
    page_size: Option<i64>,
    next_offset: i64,
    /// Pages received so far.
    pages: usize,
    done: bool,
    pending: Option<PageFuture<'a, R>>,
}

impl<R: Paged + std::fmt::Debug> std::fmt::Debug for Paginator<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("request", &self.request)
            .field("page_size", &self.page_size)
            .field("next_offset", &self.next_offset)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'a, R: Paged> Paginator<'a, R> {
    /// The pages of `request` on `client`, from the request's own `Offset` (or 0), of the
    /// request's own `Limit` (or the service's default page size).
    pub fn new(client: &'a Client, request: R) -> Self {
        Self {
            client,
            page_size: request.limit(),
            next_offset: request.offset().unwrap_or(0),
            request,
            options: CallOptions::default(),
            pages: 0,
            done: false,
            pending: None,
        }
    }

    /// Asks for pages of `size` items (`Limit`). Zero or less is ignored.
    pub fn page_size(mut self, size: i64) -> Self {
        if size > 0 {
            self.page_size = Some(size);
        }
        self
    }

    /// Settings for every page's call (see [`CallOptions`]).
    pub fn customize(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// The items of every page, one by one.
    pub fn items(self) -> Items<'a, R> {
        Items {
            pages: self,
            buffer: VecDeque::new(),
        }
    }

    fn next_call(&self) -> PageFuture<'a, R> {
        let mut request = self.request.clone();
        request.set_page(self.next_offset, self.page_size);
        let client = self.client;
        let options = self.options.clone();
        client.send_with(request, options)
    }

    /// Records a page and decides whether another follows.
    fn after(&mut self, page: &R::Response) {
        let count = R::item_count(page);
        self.next_offset += count as i64;
        self.pages += 1;
        let total = R::total_count(page);
        self.done = self.pages >= dezai_spec::paging::MAX_PAGES
            || dezai_spec::paging::list_ends(count, self.next_offset, total, self.page_size);
    }
}

impl<R: Paged + Unpin> Stream for Paginator<'_, R> {
    type Item = Result<R::Response, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let mut pending = match this.pending.take() {
            Some(pending) => pending,
            None => this.next_call(),
        };
        match Pin::new(&mut pending).poll(cx) {
            Poll::Pending => {
                this.pending = Some(pending);
                Poll::Pending
            }
            Poll::Ready(Ok(page)) => {
                this.after(&page);
                Poll::Ready(Some(Ok(page)))
            }
            Poll::Ready(Err(error)) => {
                this.done = true;
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

/// The items of a [`Paginator`]'s pages, as a [`Stream`].
#[must_use = "a paginator does nothing until it is polled"]
pub struct Items<'a, R: Paged> {
    pages: Paginator<'a, R>,
    buffer: VecDeque<R::Item>,
}

impl<R: Paged + std::fmt::Debug> std::fmt::Debug for Items<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<R: Paged + Unpin> Stream for Items<'_, R>
where
    R::Item: Unpin,
{
    type Item = Result<R::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(mut page))) => this.buffer.extend(R::take_items(&mut page)),
            }
        }
    }
}
