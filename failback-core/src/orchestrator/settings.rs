//! How a run behaves: concurrency, polling, retries, deadlines, dry run.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The settings of a run. Times are in the clock's time (simulated time in the lab).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSettings {
    /// Units running at once.
    pub concurrency: usize,
    /// Do everything but mutate: reads, checks, events and the report, no job started.
    pub dry_run: bool,
    /// How long one stage may take, polling included.
    pub stage_deadline: Duration,
    /// First wait between job polls (the provider's suggestion wins when it gives one).
    pub poll_initial: Duration,
    /// Longest wait between job polls.
    pub poll_max: Duration,
    /// Attempts of one call at most, the first included (retryable errors only).
    pub retry_attempts: u32,
    /// Base of the decorrelated-jitter backoff between attempts.
    pub retry_base: Duration,
    /// Longest wait between attempts (a provider's retry-after may be longer).
    pub retry_cap: Duration,
    /// How long the orchestrator waits for the on-prem VM to be seen running after a
    /// failover before it gives up on that item (no commit then).
    pub verify_timeout: Duration,
    /// Seed of the retry jitter, so a run can be replayed.
    pub seed: u64,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            concurrency: 16,
            dry_run: false,
            stage_deadline: Duration::from_secs(6 * 3600),
            poll_initial: Duration::from_secs(15),
            poll_max: Duration::from_secs(120),
            retry_attempts: 6,
            retry_base: Duration::from_secs(2),
            retry_cap: Duration::from_secs(120),
            verify_timeout: Duration::from_secs(1800),
            seed: 0,
        }
    }
}
