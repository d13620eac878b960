//! Waiting between attempts and between polls: decorrelated jitter for retries (seeded,
//! so a run can be replayed) and a doubling poll interval.

use std::time::Duration;

/// splitmix64: a small, fast, seedable generator; enough for jitter.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a text: mixes what a call is about into the run's seed, so each call has its
/// own jitter sequence whatever order concurrent units run in.
pub(super) fn salt(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Decorrelated jitter ("Exponential Backoff and Jitter", AWS): each wait is drawn
/// uniformly between `base` and three times the previous wait, capped at `cap`. A
/// provider's retry-after wins when it is longer.
#[derive(Debug, Clone)]
pub(super) struct Jitter {
    state: u64,
    base: Duration,
    cap: Duration,
    prev: Duration,
}

impl Jitter {
    /// A jitter sequence for one call.
    pub(super) fn new(seed: u64, salt: u64, base: Duration, cap: Duration) -> Self {
        Jitter {
            state: seed ^ salt,
            base,
            cap: cap.max(base),
            prev: base,
        }
    }

    /// The wait before the next attempt.
    pub(super) fn next(&mut self, retry_after: Option<Duration>) -> Duration {
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

/// The wait between two polls of a job: `initial`, doubling up to `max`; the provider's
/// suggestion wins when it gives one.
#[derive(Debug, Clone)]
pub(super) struct PollBackoff {
    next: Duration,
    max: Duration,
}

impl PollBackoff {
    /// Starting at `initial`.
    pub(super) fn new(initial: Duration, max: Duration) -> Self {
        PollBackoff {
            next: initial,
            max: max.max(initial),
        }
    }

    /// The wait before the next poll.
    pub(super) fn next(&mut self, suggested: Option<Duration>) -> Duration {
        let ours = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        suggested.unwrap_or(ours)
    }
}

#[cfg(test)]
mod tests {
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
    fn poll_interval_doubles_up_to_the_max_and_honours_the_provider() {
        let mut p = PollBackoff::new(Duration::from_secs(10), Duration::from_secs(30));
        assert_eq!(p.next(None), Duration::from_secs(10));
        assert_eq!(p.next(None), Duration::from_secs(20));
        assert_eq!(p.next(None), Duration::from_secs(30));
        assert_eq!(p.next(Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(p.next(None), Duration::from_secs(30));
    }
}
