//! When and how calls are retried: which failures, how many attempts, how long to wait, and a
//! client-wide budget so that a failing service is not hammered.
//!
//! The model is smithy-rs' standard retry strategy: full-jitter exponential backoff with a cap,
//! a maximum number of attempts, and a token bucket that retries draw from and successes refill.
//! The whole decision after a failed attempt is [`Retries::after_failure`]; the call path only
//! waits as it says.

use std::sync::Mutex;
use std::time::Duration;

use crate::error::ErrorKind;
use crate::failure::{Class, Failure};

/// The retry policy of a client.
///
/// Defaults: 3 attempts in all; backoff doubling from 1 s, capped at 20 s, with full jitter;
/// `Retry-After` honoured up to the cap; a budget of 500 tokens, 5 per retry and 10 per retry
/// after a timeout, refilled by successes. Retried: connection failures, timeouts, dropped
/// connections, HTTP 429/502/503/504, RetCodes 110, 130, 150, 153. Actions whose names start
/// with one of [`RetryPolicy::DEFAULT_NON_IDEMPOTENT_PREFIXES`] are retried only after a
/// connection failure, when the request certainly never reached the server.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry; it doubles for each later one.
    pub initial_backoff: Duration,
    /// The largest wait between attempts. A `Retry-After` longer than this ends the retries.
    pub max_backoff: Duration,
    /// The client-wide retry budget; `None` for no budget.
    pub budget: Option<RetryBudget>,
    /// HTTP statuses that are retried.
    pub retry_statuses: Vec<u16>,
    /// RetCodes that are retried.
    pub retry_ret_codes: Vec<i64>,
    /// Action name prefixes of actions that create or change things.
    pub non_idempotent_prefixes: Vec<String>,
}

/// The token bucket retries draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    /// Tokens when full.
    pub capacity: u32,
    /// Cost of a retry.
    pub retry_cost: u32,
    /// Cost of a retry after a timeout (timeouts suggest an overloaded service).
    pub timeout_retry_cost: u32,
    /// Tokens a call that succeeds on its first attempt gives back. A call that succeeds
    /// after retries gives back what its retries cost.
    pub success_refund: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            capacity: 500,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refund: 1,
        }
    }
}

impl RetryPolicy {
    /// Prefixes of actions that create or change things, retried only after a connect failure.
    pub const DEFAULT_NON_IDEMPOTENT_PREFIXES: [&'static str; 14] = [
        "Create", "Allocate", "Clone", "Copy", "Upload", "Buy", "Purchase", "Add", "Import",
        "Send", "Run", "Apply", "Renew", "Restore",
    ];

    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts in all.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the backoff: the first ceiling and the cap.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets (or removes) the retry budget.
    pub fn with_budget(mut self, budget: Option<RetryBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// Whether an action may be retried after its request may have reached the server.
    pub fn is_idempotent(&self, action: &str) -> bool {
        !self.non_idempotent_prefixes.iter().any(|prefix| {
            action.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                // `Add` must not match `AddressBook`: the prefix is a whole word.
                rest.is_empty()
                    || rest.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
        })
    }

    /// Whether a failure of this class is worth another attempt at all (before idempotence,
    /// attempts and budget are considered).
    pub(crate) fn retries_class(&self, class: Class) -> bool {
        match class {
            Class::Status(status) => self.retry_statuses.contains(&status),
            Class::RetCode(code) => self.retry_ret_codes.contains(&code),
            // Passing conditions: the next attempt may well get through.
            Class::Timeout | Class::Connect | Class::Dropped => true,
            // A bad certificate, an unreadable or oversized answer, or a mock without a rule
            // gives the same result again.
            Class::Tls | Class::Decode | Class::TooLarge | Class::Unanswered => false,
        }
    }

    /// The wait before retry number `retry` (1 for the first), with full jitter.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        random_fraction_of(doubled(self.initial_backoff, self.max_backoff, retry))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            budget: Some(RetryBudget::default()),
            retry_statuses: vec![429, 502, 503, 504],
            retry_ret_codes: dezai_spec::ret_code::RETRYABLE.to_vec(),
            non_idempotent_prefixes: Self::DEFAULT_NON_IDEMPOTENT_PREFIXES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Try again after this wait.
    Retry(Duration),
    /// The failure is the call's result.
    Stop,
}

/// The retries of one call: the policy, the client's budget, and what this call has drawn.
pub(crate) struct Retries<'a> {
    policy: &'a RetryPolicy,
    bucket: &'a Bucket,
    max_attempts: u32,
    /// Whether the action may be repeated after its request may have reached the server.
    idempotent: bool,
    /// Tokens this call's retries took from the budget.
    spent: u32,
}

impl<'a> Retries<'a> {
    pub(crate) fn new(
        policy: &'a RetryPolicy,
        bucket: &'a Bucket,
        max_attempts: u32,
        idempotent: bool,
    ) -> Self {
        Self {
            policy,
            bucket,
            max_attempts,
            idempotent,
            spent: 0,
        }
    }

    /// Decides after attempt number `attempt` failed, and marks the error with what was
    /// decided (attempts made, retryable, budget exhausted). A failure is retried when its
    /// class is worth retrying, the action may be repeated (or the request never left),
    /// attempts remain, the server's `Retry-After` fits the policy's cap, and the budget pays.
    pub(crate) fn after_failure(&mut self, attempt: u32, failure: &mut Failure) -> Decision {
        let error = &mut failure.error;
        error.set_attempts(attempt);
        let allowed =
            self.policy.retries_class(failure.class) && (self.idempotent || failure.never_sent);
        error.set_retryable(allowed);
        if !allowed || attempt >= self.max_attempts {
            return Decision::Stop;
        }
        let wait = match failure.retry_after {
            Some(wait) if wait <= self.policy.max_backoff => wait,
            // The server asks for a longer pause than the policy allows: stop now rather than
            // hold the caller for longer than it agreed to.
            Some(_) => return Decision::Stop,
            None => self.policy.backoff(attempt),
        };
        match self.bucket.withdraw(error.kind() == ErrorKind::Timeout) {
            Some(cost) => self.spent += cost,
            None => {
                error.set_budget_exhausted();
                return Decision::Stop;
            }
        }
        Decision::Retry(wait)
    }

    /// Refills the budget after the call succeeded.
    pub(crate) fn after_success(&self) {
        self.bucket.deposit(self.spent);
    }
}

/// `initial` doubled for each step after the first (`step` 1 is `initial`), capped at `max`:
/// the ceiling of a backoff, before its jitter.
pub(crate) fn doubled(initial: Duration, max: Duration, step: u32) -> Duration {
    initial
        .saturating_mul(1u32 << step.saturating_sub(1).min(20))
        .min(max)
}

/// A uniformly random duration in `[0, max]`.
pub(crate) fn random_fraction_of(max: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded per instance from the OS and a counter: good enough for jitter,
    // and no extra crate.
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let fraction = (bits >> 11) as f64 / (1u64 << 53) as f64;
    max.mul_f64(fraction)
}

/// The client-wide token bucket.
#[derive(Debug)]
pub(crate) struct Bucket {
    budget: Option<RetryBudget>,
    tokens: Mutex<u32>,
}

impl Bucket {
    pub(crate) fn new(budget: Option<RetryBudget>) -> Self {
        Self {
            budget,
            tokens: Mutex::new(budget.map_or(0, |b| b.capacity)),
        }
    }

    /// Takes the cost of one retry; `None` when the budget cannot pay for it.
    pub(crate) fn withdraw(&self, after_timeout: bool) -> Option<u32> {
        let Some(budget) = self.budget else {
            return Some(0);
        };
        let cost = if after_timeout {
            budget.timeout_retry_cost
        } else {
            budget.retry_cost
        };
        let mut tokens = self.tokens();
        if *tokens < cost {
            return None;
        }
        *tokens -= cost;
        Some(cost)
    }

    /// Refills after a success: what the call's retries cost, or the refund of a first-attempt
    /// success.
    pub(crate) fn deposit(&self, spent_on_retries: u32) {
        let Some(budget) = self.budget else {
            return;
        };
        let refund = if spent_on_retries > 0 {
            spent_on_retries
        } else {
            budget.success_refund
        };
        let mut tokens = self.tokens();
        *tokens = (*tokens + refund).min(budget.capacity);
    }

    /// The tokens, locked. A poisoned lock only means another thread panicked while holding
    /// it; the count is still a count.
    fn tokens(&self) -> std::sync::MutexGuard<'_, u32> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tokens left, for tests.
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn available(&self) -> u32 {
        *self.tokens()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_by_whole_word_prefix() {
        let policy = RetryPolicy::default();
        assert!(!policy.is_idempotent("CreateThingInstance"));
        assert!(!policy.is_idempotent("AllocateThingAddress"));
        assert!(!policy.is_idempotent("BuyThingResource"));
        assert!(policy.is_idempotent("DescribeThingBackupURL"));
        assert!(
            policy.is_idempotent("AddressBookList"),
            "`Add` is a word prefix, not a letter prefix"
        );
        assert!(policy.is_idempotent("Creator"));
    }

    #[test]
    fn backoff_is_jittered_under_the_cap() {
        let policy = RetryPolicy::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(300));
        for retry in 1..10 {
            let wait = policy.backoff(retry);
            assert!(wait <= Duration::from_millis(300), "{wait:?}");
        }
        let waits: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.backoff(3)).collect();
        assert!(waits.len() > 1, "jitter varies the wait");
    }

    #[test]
    fn bucket_runs_out_and_refills() {
        let bucket = Bucket::new(Some(RetryBudget {
            capacity: 10,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refund: 1,
        }));
        assert_eq!(bucket.withdraw(false), Some(5));
        assert_eq!(
            bucket.withdraw(true),
            None,
            "a timeout retry costs 10, only 5 left"
        );
        assert_eq!(bucket.withdraw(false), Some(5));
        assert_eq!(bucket.withdraw(false), None);
        bucket.deposit(0);
        assert_eq!(bucket.available(), 1);
        bucket.deposit(5);
        assert_eq!(bucket.available(), 6);
    }
}
