//! Waiting for a state: a call repeated until its answer says done or failed, with backoff
//! between polls, an overall timeout, and each poll observable. What the caller's closure says
//! of an answer decides ([`Verdict`]); a call that fails with an error the runtime counts as
//! retryable (a timeout, a throttled or busy service) is waited through, any other error ends
//! the wait. Dropping the future stops it.
//!
//! The call is a typed request ([`Client::wait_for`]), an action by name with JSON parameters
//! ([`Client::wait_for_invoke`]), or any poll of the caller's ([`Waiter::polling`]; the backup
//! waits of `dezai-backups` are built so).
//!
//! ```no_run
//! # async fn demo(client: dezai_runtime::Client, request: impl dezai_runtime::Action<Response = serde_json::Value> + Clone + Send + Sync + 'static) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use dezai_runtime::waiter::Verdict;
//!
//! let done = client
//!     .wait_for(request, |answer| match answer["DataSet"][0]["State"].as_str() {
//!         Some("Success") => Verdict::Done,
//!         Some("Failed") => Verdict::Failed,
//!         _ => Verdict::Pending,
//!     })
//!     .delays(Duration::from_secs(2), Duration::from_secs(30))
//!     .timeout(Duration::from_secs(600))
//!     .on_poll(|poll| eprintln!("poll {}: {:?}", poll.poll, poll.verdict))
//!     .await?;
//! # let _ = done;
//! # Ok(()) }
//! ```

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument as _;

use serde_json::Value;

use crate::action::Action;
use crate::call_options::CallOptions;
use crate::client::Client;
use crate::error::Error;
use crate::params::IntoParams;
use crate::retry::{doubled, random_fraction_of};

/// What an answer means to a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The state waited for: the wait ends with this answer.
    Done,
    /// A state that will not become the one waited for: the wait ends in
    /// [`WaitError::Failed`].
    Failed,
    /// Not yet: poll again.
    Pending,
}

/// One poll, for a progress line or a log.
#[derive(Debug)]
#[non_exhaustive]
pub struct Poll<'r, R> {
    /// The poll's number, 1 for the first.
    pub poll: u32,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// The answer, or the retryable error that was waited through.
    pub outcome: Result<&'r R, &'r Error>,
    /// What the answer meant (`Pending` after a retryable error).
    pub verdict: Verdict,
}

/// How a wait ended, short of the state waited for.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<R> {
    /// The timeout passed; the last answer, if any came.
    TimedOut {
        /// The last answer.
        last: Option<R>,
        /// Polls made.
        polls: u32,
    },
    /// An answer the caller's closure called [`Verdict::Failed`].
    Failed {
        /// That answer.
        response: R,
        /// Polls made.
        polls: u32,
    },
    /// A call failed with an error that is not retryable.
    Call(Error),
}

impl<R> std::fmt::Display for WaitError<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitError::TimedOut { polls, .. } => {
                write!(f, "timed out waiting, after {polls} polls")
            }
            WaitError::Failed { polls, .. } => {
                write!(f, "reached a failure state at poll {polls}")
            }
            WaitError::Call(error) => write!(f, "a call failed while waiting: {error}"),
        }
    }
}

impl<R: std::fmt::Debug> std::error::Error for WaitError<R> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Call(error) => Some(error),
            _ => None,
        }
    }
}

type Classify<'a, R> = Box<dyn Fn(&R) -> Verdict + Send + Sync + 'a>;
type OnPoll<'a, R> = Box<dyn FnMut(&Poll<'_, R>) + Send + 'a>;
/// One poll's call, given the wait's call settings.
type PollCall<'a, R> = Box<dyn FnMut(CallOptions) -> PollFuture<'a, R> + Send + 'a>;
/// What one poll's call returns.
pub type PollFuture<'a, R> = Pin<Box<dyn Future<Output = Result<R, Error>> + Send + 'a>>;

/// A wait being set up: see the [module docs](self). Await it to run it.
#[must_use = "a wait does nothing until it is awaited"]
pub struct Waiter<'a, R> {
    /// What is polled, for `Debug`.
    what: String,
    call: PollCall<'a, R>,
    options: CallOptions,
    classify: Classify<'a, R>,
    min_delay: Duration,
    max_delay: Duration,
    timeout: Duration,
    first_delay: Duration,
    on_poll: Option<OnPoll<'a, R>>,
}

impl<R> std::fmt::Debug for Waiter<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waiter")
            .field("polls", &self.what)
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Sends `request` until `classify` calls an answer done or failed: see
    /// [`crate::waiter`]. Defaults: polls 5 s apart at first, backing off to 60 s, for at most
    /// 10 minutes, the first at once.
    pub fn wait_for<'a, A>(
        &'a self,
        request: A,
        classify: impl Fn(&A::Response) -> Verdict + Send + Sync + 'a,
    ) -> Waiter<'a, A::Response>
    where
        A: Action + Clone + Send + Sync + 'a,
        A::Response: 'a,
    {
        Waiter::polling(
            A::NAME,
            move |options| Box::pin(self.send_with(request.clone(), options)),
            classify,
        )
    }

    /// Calls `action` by name with `params` (as [`Client::invoke_with`] does) until `classify`
    /// calls its JSON answer done or failed: the waiter of a call whose action has no type in
    /// this build (the `dezai` command's `--wait-until`).
    pub fn wait_for_invoke<'a, P>(
        &'a self,
        action: &'a str,
        params: P,
        classify: impl Fn(&Value) -> Verdict + Send + Sync + 'a,
    ) -> Waiter<'a, Value>
    where
        P: IntoParams + Clone + Send + Sync + 'a,
    {
        Waiter::polling(
            action,
            move |options| Box::pin(self.invoke_with(action, params.clone(), options)),
            classify,
        )
    }
}

impl<'a, R: Send + 'a> Waiter<'a, R> {
    /// A wait over any poll: `call` makes one poll's call with the wait's call settings (see
    /// [`Self::customize`]); `what` names it in `Debug`. The defaults are
    /// [`Client::wait_for`]'s.
    pub fn polling(
        what: impl Into<String>,
        call: impl FnMut(CallOptions) -> PollFuture<'a, R> + Send + 'a,
        classify: impl Fn(&R) -> Verdict + Send + Sync + 'a,
    ) -> Self {
        Waiter {
            what: what.into(),
            call: Box::new(call),
            options: CallOptions::default(),
            classify: Box::new(classify),
            min_delay: Self::DEFAULT_MIN_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
            timeout: Self::DEFAULT_TIMEOUT,
            first_delay: Duration::ZERO,
            on_poll: None,
        }
    }

    /// The first delay between polls, unless set otherwise.
    pub const DEFAULT_MIN_DELAY: Duration = Duration::from_secs(5);
    /// The longest delay between polls, unless set otherwise.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(60);
    /// How long a wait lasts at most, unless set otherwise.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

    /// The delay between polls: `min` at first, doubling up to `max`, each with jitter (between
    /// half and the whole of it, so that waits started together spread out).
    pub fn delays(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min;
        self.max_delay = max.max(min);
        self
    }

    /// How long the wait lasts at most; a call in flight then is abandoned.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A pause before the first poll (a state that cannot have changed yet).
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// Settings for each call (attempt timeout, attempts, region, …).
    pub fn customize(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Called after each poll with its answer (or the retryable error waited through).
    pub fn on_poll(mut self, on_poll: impl FnMut(&Poll<'_, R>) + Send + 'a) -> Self {
        self.on_poll = Some(Box::new(on_poll));
        self
    }

    /// Runs the wait.
    pub async fn run(mut self) -> Result<R, WaitError<R>> {
        let started = Instant::now();
        let deadline = started + self.timeout;
        let mut last: Option<R> = None;
        let mut delay = self.first_delay;
        let mut polls = 0;
        loop {
            if !delay.is_zero() {
                if Instant::now() + delay >= deadline {
                    tokio::time::sleep_until(deadline).await;
                    return Err(WaitError::TimedOut { last, polls });
                }
                tokio::time::sleep(delay).await;
            }
            polls += 1;
            // A span per poll: the poll's call is inside it, its verdict on it.
            let span = tracing::info_span!(
                "dezai.wait.poll",
                otel.name = "dezai.wait.poll",
                poll = polls,
                verdict = tracing::field::Empty,
            );
            let call = (self.call)(self.options.clone()).instrument(span.clone());
            let Ok(outcome) = tokio::time::timeout_at(deadline, call).await else {
                span.record("verdict", "timed out");
                return Err(WaitError::TimedOut { last, polls });
            };
            let verdict = match &outcome {
                Ok(response) => (self.classify)(response),
                Err(error) if error.is_retryable() => Verdict::Pending,
                Err(_) => Verdict::Failed,
            };
            if !span.is_disabled() {
                span.record("verdict", tracing::field::debug(verdict));
            }
            if let Some(on_poll) = &mut self.on_poll {
                on_poll(&Poll {
                    poll: polls,
                    elapsed: started.elapsed(),
                    outcome: outcome.as_ref(),
                    verdict,
                });
            }
            match (outcome, verdict) {
                (Ok(response), Verdict::Done) => return Ok(response),
                (Ok(response), Verdict::Failed) => {
                    return Err(WaitError::Failed { response, polls });
                }
                (Ok(response), Verdict::Pending) => last = Some(response),
                (Err(error), Verdict::Failed) => return Err(WaitError::Call(error)),
                (Err(_), _) => {}
            }
            delay = next_delay(self.min_delay, self.max_delay, polls);
        }
    }
}

/// The delay after poll `polls`: `min` doubled per poll, capped at `max`, between half and the
/// whole of it.
fn next_delay(min: Duration, max: Duration, polls: u32) -> Duration {
    let full = doubled(min, max, polls);
    full / 2 + random_fraction_of(full / 2)
}

impl<'a, R: Send + 'a> IntoFuture for Waiter<'a, R> {
    type Output = Result<R, WaitError<R>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_jitter_never_below_half() {
        let (min, max) = (Duration::from_secs(2), Duration::from_secs(30));
        for polls in 1..12 {
            let full = (min * (1 << (polls - 1))).min(max);
            let delay = next_delay(min, max, polls);
            assert!(
                delay >= full / 2 && delay <= full,
                "{polls}: {delay:?} of {full:?}"
            );
        }
        assert_eq!(
            next_delay(Duration::ZERO, Duration::ZERO, 3),
            Duration::ZERO
        );
    }
}
