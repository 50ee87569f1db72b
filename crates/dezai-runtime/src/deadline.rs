//! Attempt deadlines without a timer per call.
//!
//! Every attempt has a deadline (its timeout, or the operation's). A tokio timer per attempt
//! costs more than it seems: registering a timer that is earlier than every other timer of the
//! runtime wakes the thread parked on the time driver so that it sleeps less, and a client's
//! attempt timeout is usually the earliest timer there is. With one caller that is a thread
//! wake-up (a futex and a context switch) per call: 10–15 µs measured on a 2-vCPU machine
//! against a server in another runtime, about 15 % of the round trip (BENCHMARKS.md).
//!
//! Instead, each client keeps its attempts' deadlines in one table, watched by one task that
//! sleeps until the earliest. Calls register their deadline when they first wait; since
//! deadlines are mostly "now + the same timeout", a new one is rarely the earliest, so the
//! watcher is rarely disturbed. It wakes when the earliest deadline passes (usually finding
//! that call long finished), wakes the attempts that are overdue, and sleeps again.
//!
//! The table is a slab (a vector of slots and a list of free ones): registering and leaving
//! are a few stores under the lock, with no allocation once it has grown to the number of
//! calls in flight; only the watcher, which runs rarely, scans it. (An ordered map cost 5% of
//! throughput at 64 callers: a node allocated and rebalanced under the lock on every call.)

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};

use tokio::time::Instant;

/// The deadlines of one client's attempts.
#[derive(Default)]
pub(crate) struct Deadlines {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the watcher: an earlier deadline than it sleeps for, or the client went away.
    /// The watcher holds it on its own, so that a client's end can reach it.
    notify: Arc<tokio::sync::Notify>,
}

#[derive(Default)]
struct State {
    /// Waiting attempts, by slot; `None` is a free slot.
    slots: Vec<Option<Waiting>>,
    /// Free slots, reused before the table grows.
    free: Vec<usize>,
    /// The deadline the watcher sleeps until, if it sleeps for one.
    armed: Option<Instant>,
    /// The watcher task; a new one is started when it is gone (its runtime shut down).
    watcher: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Deadlines {
    fn drop(&mut self) {
        // The watcher holds only a weak reference: woken, it finds the client gone and ends.
        self.shared.notify.notify_one();
    }
}

impl Deadlines {
    /// `future`, which fails with [`Elapsed`] if it has not finished by `deadline`.
    pub(crate) fn run<F: Future>(&self, deadline: Instant, future: F) -> WithDeadline<'_, F> {
        WithDeadline {
            deadlines: self,
            deadline,
            slot: None,
            future,
        }
    }
}

/// One waiting attempt.
struct Waiting {
    deadline: Instant,
    /// Taken when the watcher wakes the attempt: it is then left for its owner to remove.
    waker: Option<Waker>,
}

/// The deadline passed before the future finished.
#[derive(Debug)]
pub(crate) struct Elapsed;

pin_project_lite::pin_project! {
    /// A future with a deadline: see [`Deadlines::run`].
    pub(crate) struct WithDeadline<'a, F> {
        deadlines: &'a Deadlines,
        deadline: Instant,
        slot: Option<usize>,
        #[pin]
        future: F,
    }

    impl<F> PinnedDrop for WithDeadline<'_, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(slot) = this.slot.take() {
                this.deadlines.shared.remove(slot);
            }
        }
    }
}

impl<F: Future> Future for WithDeadline<'_, F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            if let Some(slot) = this.slot.take() {
                this.deadlines.shared.remove(slot);
            }
            return Poll::Ready(Ok(output));
        }
        if Instant::now() >= *this.deadline {
            if let Some(slot) = this.slot.take() {
                this.deadlines.shared.remove(slot);
            }
            return Poll::Ready(Err(Elapsed));
        }
        match this.slot {
            Some(slot) => this.deadlines.shared.update(*slot, cx.waker()),
            None => *this.slot = Some(this.deadlines.shared.insert(*this.deadline, cx.waker())),
        }
        Poll::Pending
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while it was held.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(self: &Arc<Self>, deadline: Instant, waker: &Waker) -> usize {
        let waiting = Waiting {
            deadline,
            waker: Some(waker.clone()),
        };
        let mut state = self.lock();
        let slot = match state.free.pop() {
            Some(slot) => {
                state.slots[slot] = Some(waiting);
                slot
            }
            None => {
                state.slots.push(Some(waiting));
                state.slots.len() - 1
            }
        };
        let watched = state
            .watcher
            .as_ref()
            .is_some_and(|watcher| !watcher.is_finished());
        if !watched {
            state.armed = None;
            let notify = self.notify.clone();
            state.watcher = Some(tokio::spawn(watch(Arc::downgrade(self), notify)));
        } else if state.armed.is_none_or(|armed| deadline < armed) {
            self.notify.notify_one();
        }
        slot
    }

    fn update(&self, slot: usize, waker: &Waker) {
        let mut state = self.lock();
        if let Some(Some(waiting)) = state.slots.get_mut(slot) {
            match &mut waiting.waker {
                Some(stored) if stored.will_wake(waker) => {}
                stored => *stored = Some(waker.clone()),
            }
        }
    }

    fn remove(&self, slot: usize) {
        let mut state = self.lock();
        if let Some(entry) = state.slots.get_mut(slot) {
            if entry.take().is_some() {
                state.free.push(slot);
            }
        }
    }

    /// Wakes the attempts whose deadline has passed; returns the earliest deadline left.
    fn wake_overdue(&self) -> Option<Instant> {
        let mut state = self.lock();
        let now = Instant::now();
        let mut earliest: Option<Instant> = None;
        for waiting in state.slots.iter_mut().flatten() {
            if waiting.deadline <= now {
                if let Some(waker) = waiting.waker.take() {
                    waker.wake();
                }
            } else if waiting.waker.is_some() {
                earliest = Some(earliest.map_or(waiting.deadline, |e| e.min(waiting.deadline)));
            }
        }
        state.armed = earliest;
        earliest
    }
}

/// The watcher: wakes overdue attempts, then sleeps until the earliest deadline or until told
/// of an earlier one. Ends when the client is gone.
async fn watch(shared: Weak<Shared>, notify: Arc<tokio::sync::Notify>) {
    loop {
        let Some(strong) = shared.upgrade() else {
            return;
        };
        let next = strong.wake_overdue();
        // Not kept while waiting, so that a dropped client ends the task. A notification
        // sent since the state was read is stored as a permit, so none is missed.
        drop(strong);
        match next {
            Some(deadline) => {
                let mut sleep = std::pin::pin!(tokio::time::sleep_until(deadline));
                let mut notified = std::pin::pin!(notify.notified());
                std::future::poll_fn(|cx| {
                    if sleep.as_mut().poll(cx).is_ready() || notified.as_mut().poll(cx).is_ready() {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                })
                .await;
            }
            None => notify.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("runtime")
    }

    #[test]
    fn a_waiting_future_fails_at_its_deadline_and_a_quick_one_succeeds() {
        let deadlines = Deadlines::default();
        runtime().block_on(async {
            let start = Instant::now();
            let never = std::future::pending::<()>();
            let result = deadlines.run(start + Duration::from_secs(5), never).await;
            assert!(result.is_err());
            assert_eq!(start.elapsed(), Duration::from_secs(5));
            let quick = tokio::time::sleep(Duration::from_secs(1));
            let result = deadlines
                .run(Instant::now() + Duration::from_secs(5), quick)
                .await;
            assert!(result.is_ok());
            let state = deadlines.shared.lock();
            assert!(
                state.slots.iter().all(Option::is_none),
                "finished futures deregister"
            );
            assert_eq!(
                state.free.len(),
                state.slots.len(),
                "their slots are free again"
            );
        });
    }

    #[test]
    fn an_earlier_deadline_than_the_watched_one_is_kept() {
        let deadlines = Deadlines::default();
        runtime().block_on(async {
            let start = Instant::now();
            let long = deadlines.run(
                start + Duration::from_secs(60),
                std::future::pending::<()>(),
            );
            let short = deadlines.run(start + Duration::from_secs(2), std::future::pending::<()>());
            let mut long = std::pin::pin!(long);
            // The long one registers first, so the watcher sleeps for 60 s until told otherwise.
            let pending =
                std::future::poll_fn(|cx| Poll::Ready(long.as_mut().poll(cx).is_pending())).await;
            assert!(pending);
            assert!(short.await.is_err());
            assert_eq!(start.elapsed(), Duration::from_secs(2));
        });
    }

    #[test]
    fn deadlines_still_fire_after_the_first_runtime_is_gone() {
        let deadlines = Deadlines::default();
        for _ in 0..2 {
            // Each runtime ends with its watcher; the next call starts a new one.
            runtime().block_on(async {
                let start = Instant::now();
                let result = deadlines
                    .run(start + Duration::from_secs(3), std::future::pending::<()>())
                    .await;
                assert!(result.is_err());
            });
        }
    }
}
