//! Waiting between attempts and between polls: decorrelated jitter for retries (seeded,
//! so a run can be replayed) and a doubling poll interval.

use std::time::Duration;

pub(super) use crate::retry::{salt, Jitter};

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
    fn poll_interval_doubles_up_to_the_max_and_honours_the_provider() {
        let mut p = PollBackoff::new(Duration::from_secs(10), Duration::from_secs(30));
        assert_eq!(p.next(None), Duration::from_secs(10));
        assert_eq!(p.next(None), Duration::from_secs(20));
        assert_eq!(p.next(None), Duration::from_secs(30));
        assert_eq!(p.next(Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(p.next(None), Duration::from_secs(30));
    }
}
