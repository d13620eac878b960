//! How a run behaves: concurrency, polling, retries, deadlines, dry run.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The settings of a run. Times are in the clock's time (simulated time in the lab).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSettings {
    /// Units reprotecting and applications cutting over at once, at most: an upper bound;
    /// the schedule follows the resources (disk slots per master target, the write rate)
    /// below it. Commits and reprotects to Azure of verified applications are not counted
    /// (the write rate paces them).
    pub concurrency: usize,
    /// Do everything but mutate: reads, checks, events and the report, no job started.
    pub dry_run: bool,
    /// How long one stage may go without progress, polling included: counted from its
    /// start and again from each rise of its job's progress percentage.
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
    /// Remote mutations per minute at most, after a burst of twenty seconds' worth (0: no
    /// limit). The schedule follows this rate besides the master targets' disk slots.
    /// Default 570 (a burst of 190): 5% under ARM's documented subscription write limit
    /// (a bucket of 200 refilled at 10 a second), so that requests arriving unevenly do
    /// not meet it.
    pub writes_per_minute: u32,
    /// How long a call refused as not ready yet (the mobility agent re-registering after
    /// commit) is tried again, from the first attempt.
    pub not_ready_budget: Duration,
    /// How long a reprotected unit may take to show a recovery point inside the RPO
    /// threshold (the wait-healthy phase) before it fails.
    pub healthy_timeout: Duration,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            concurrency: 2048,
            dry_run: false,
            stage_deadline: Duration::from_secs(6 * 3600),
            poll_initial: Duration::from_secs(15),
            poll_max: Duration::from_secs(120),
            retry_attempts: 6,
            retry_base: Duration::from_secs(2),
            retry_cap: Duration::from_secs(120),
            verify_timeout: Duration::from_secs(1800),
            seed: 0,
            writes_per_minute: 570,
            not_ready_budget: Duration::from_secs(3600),
            healthy_timeout: Duration::from_secs(3600),
        }
    }
}
