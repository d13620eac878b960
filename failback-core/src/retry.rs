//! A retry policy for adapters: decorrelated jitter within a time budget.
//!
//! The retry layering (docs/decisions.md): an adapter retries the requests inside one
//! logical call (a page of a listing, polling a long-running operation, a 429 or 5xx of
//! an idempotent request) with a [`RetryPolicy`], and when the budget is spent returns
//! the last error as [`ErrorStatus::Persistent`] (see
//! [`RetryPolicy::spent`]); the orchestrator retries whole operations only on temporary
//! errors. The orchestrator's own retries use the same jitter.
//!
//! ```
//! use std::time::Duration;
//! use failback_core::retry::RetryPolicy;
//!
//! let policy = RetryPolicy::new(Duration::from_millis(200), Duration::from_secs(5), Duration::from_secs(20));
//! let mut attempts = policy.attempts(42, "GET replicationJobs");
//! let mut waited = Duration::ZERO;
//! while let Some(wait) = attempts.next_wait(None) {
//!     assert!(wait <= Duration::from_secs(5));
//!     waited += wait;
//! }
//! assert!(waited <= Duration::from_secs(20));
//! ```

use std::time::Duration;

use crate::error::{Error, ErrorStatus};

/// splitmix64: a small, fast, seedable generator; enough for jitter.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a text: mixes what a call is about into a seed, so each call has its own
/// jitter sequence whatever order concurrent calls run in.
pub fn salt(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Decorrelated jitter ("Exponential Backoff and Jitter", AWS): each wait is drawn
/// uniformly between `base` and three times the previous wait, capped at `cap`. A
/// provider's retry-after wins when it is longer.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
    base: Duration,
    cap: Duration,
    prev: Duration,
}

impl Jitter {
    /// A jitter sequence for one call: the same `seed` and `salt` give the same waits.
    pub fn new(seed: u64, salt: u64, base: Duration, cap: Duration) -> Self {
        Jitter {
            state: seed ^ salt,
            base,
            cap: cap.max(base),
            prev: base,
        }
    }

    /// The wait before the next attempt.
    pub fn next(&mut self, retry_after: Option<Duration>) -> Duration {
        let hi = self.prev.saturating_mul(3).max(self.base);
        let span = hi.saturating_sub(self.base);
        let r = (splitmix64(&mut self.state) >> 11) as f64 / (1u64 << 53) as f64;
        let wait = (self.base + span.mul_f64(r)).min(self.cap);
        self.prev = wait;
        match retry_after {
            Some(ra) => wait.max(ra),
            None => wait,
        }
    }
}

/// How an adapter retries the requests of one logical call: decorrelated jitter from
/// `base` up to `cap` per wait, within `budget` of waiting in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The shortest wait.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// The most waiting in all, for one call.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    /// 500 ms to 30 s per wait, 2 minutes in all.
    fn default() -> Self {
        RetryPolicy::new(
            Duration::from_millis(500),
            Duration::from_secs(30),
            Duration::from_secs(120),
        )
    }
}

impl RetryPolicy {
    /// A policy.
    pub fn new(base: Duration, cap: Duration, budget: Duration) -> Self {
        RetryPolicy { base, cap, budget }
    }

    /// The attempts of one call (`what`, such as the request's method and path), seeded
    /// so that a run can be replayed.
    pub fn attempts(&self, seed: u64, what: &str) -> Attempts {
        Attempts {
            jitter: Jitter::new(seed, salt(what), self.base, self.cap),
            left: self.budget,
        }
    }

    /// The error a call returns when its budget is spent: its last error, persistent.
    pub fn spent(last: Error) -> Error {
        last.with_status(ErrorStatus::Persistent)
    }
}

/// The waits of one call under a [`RetryPolicy`].
#[derive(Debug, Clone)]
pub struct Attempts {
    jitter: Jitter,
    left: Duration,
}

impl Attempts {
    /// The wait before the next attempt (the provider's `retry_after` when longer), or
    /// `None` when it would go past the budget: give up with [`RetryPolicy::spent`].
    pub fn next_wait(&mut self, retry_after: Option<Duration>) -> Option<Duration> {
        let wait = self.jitter.next(retry_after);
        if wait > self.left {
            return None;
        }
        self.left -= wait;
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn jitter_stays_between_base_and_cap_and_replays_from_its_seed() {
        let base = Duration::from_secs(2);
        let cap = Duration::from_secs(60);
        let mut a = Jitter::new(7, salt("x"), base, cap);
        let mut b = Jitter::new(7, salt("x"), base, cap);
        for _ in 0..50 {
            let w = a.next(None);
            assert!(w >= base && w <= cap, "{w:?}");
            assert_eq!(w, b.next(None));
        }
    }

    #[test]
    fn retry_after_wins_when_longer() {
        let mut j = Jitter::new(1, 2, Duration::from_secs(1), Duration::from_secs(5));
        assert!(j.next(Some(Duration::from_secs(90))) >= Duration::from_secs(90));
    }

    #[test]
    fn a_spent_budget_stops_the_attempts_and_the_error_is_persistent() {
        let p = RetryPolicy::new(
            Duration::from_secs(1),
            Duration::from_secs(4),
            Duration::from_secs(10),
        );
        let mut a = p.attempts(3, "GET /jobs");
        let mut total = Duration::ZERO;
        let mut n = 0;
        while let Some(w) = a.next_wait(None) {
            total += w;
            n += 1;
        }
        assert!(
            n >= 2 && total <= Duration::from_secs(10),
            "{n} waits, {total:?}"
        );
        // A retry-after longer than the budget left ends it at once.
        let mut a = p.attempts(3, "GET /jobs");
        assert_eq!(a.next_wait(Some(Duration::from_secs(60))), None);
        let e = RetryPolicy::spent(Error::provider(
            "azure",
            crate::ErrorKind::Unavailable,
            "503",
        ));
        assert_eq!(e.status(), ErrorStatus::Persistent);
        assert!(!e.is_retryable());
    }
}
