//! A limit on download speed shared by any number of downloads: each chunk that arrives is
//! given its share of time at the limit, one after the other, and the download reading it
//! waits until that time has come. Over any stretch the bytes read stay within the rate (plus
//! one chunk); downloads sharing the limit share the rate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Bytes per second over all the downloads that share it (clones share one limit).
#[derive(Debug, Clone)]
pub struct RateLimit {
    bytes_per_second: u64,
    /// When the bytes read so far will have had their time at the limit.
    next: Arc<Mutex<Option<Instant>>>,
}

impl RateLimit {
    /// A limit of `bytes_per_second` (at least 1).
    pub fn new(bytes_per_second: u64) -> Self {
        Self {
            bytes_per_second: bytes_per_second.max(1),
            next: Arc::new(Mutex::new(None)),
        }
    }

    /// The limit, in bytes per second.
    pub fn bytes_per_second(&self) -> u64 {
        self.bytes_per_second
    }

    /// Waits until `bytes` more are within the limit.
    pub(crate) async fn take(&self, bytes: usize) {
        let share = Duration::from_secs_f64(bytes as f64 / self.bytes_per_second as f64);
        let until = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let until = next.map_or(now, |n| n.max(now)) + share;
            *next = Some(until);
            until
        };
        tokio::time::sleep_until(until).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn two_readers_share_one_rate() {
        let limit = RateLimit::new(1000);
        let started = Instant::now();
        let (a, b) = (limit.clone(), limit.clone());
        let one = async move {
            for _ in 0..5 {
                a.take(100).await;
            }
        };
        let two = async move {
            for _ in 0..5 {
                b.take(100).await;
            }
        };
        tokio::join!(one, two);
        // 1,000 bytes at 1,000 bytes a second, whoever read them.
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }
}
