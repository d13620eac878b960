//! The lab site: an in-memory Azure Site Recovery and vSphere, the reference
//! implementation of both provider traits, built from an estate (read from a file, or made
//! by [`generate`]).
//!
//! It behaves like ASR where the orchestrator can tell: every mutation checks the item's
//! [`ProtectionState`](crate::state::ProtectionState) and refuses what the state does not
//! allow with [`ErrorKind::Conflict`](crate::ErrorKind::Conflict); jobs take simulated
//! time on a shared [`ScaledClock`], report progress while they run and apply their
//! transition when they end (or fail, leaving the item as it was); recovery points appear
//! every 5 simulated minutes while an item replicates (application-consistent every 60,
//! kept 24 hours); a recovery plan fails over and commits all its members, a replication
//! group on one common point (its reprotect runs per member, as ASR no longer reprotects
//! recovery plans; a plan reprotect is still accepted). Faults (transient errors,
//! throttling with a retry-after, failed jobs, lost responses, latency) are drawn from a
//! seed. Every mutation is counted per target and item, and every call that breaks a
//! safety invariant of a failback run is recorded in [`Counters::violations`].
//!
//! ```
//! use std::time::Duration;
//! use failback_core::clock::Clock;
//! use failback_core::lab::{LabSettings, LabSite};
//! use failback_core::provider::{Direction, RecoveryProvider, ReprotectRequest, Target};
//! use failback_core::state::ProtectionState;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let lab = LabSite::generated(20, 7, LabSettings { time_scale: 100_000.0, ..LabSettings::default() });
//! let item = lab.estate().items[0].id.clone();
//! let asr = lab.recovery();
//! let request = ReprotectRequest {
//!     direction: Direction::AzureToOnPrem,
//!     master_target: None,
//!     process_server: None,
//!     datastore: None,
//!     retention_volume: None,
//!     policy: None,
//!     members: Vec::new(),
//! };
//! let job = asr.reprotect(&Target::Item(item.clone()), &request).await.unwrap();
//! loop {
//!     let status = asr.job(&job).await.unwrap();
//!     if status.state.is_final() { break; }
//!     lab.clock().sleep(status.poll_after.unwrap_or(Duration::from_secs(30))).await;
//! }
//! assert_eq!(asr.protection_state(&item).await.unwrap(), ProtectionState::ReplicatingToOnPrem);
//! assert!(lab.counters().clean());
//! # });
//! ```

mod counters;
mod faults;
mod onprem;
mod points;
mod recovery;
mod state;
#[cfg(test)]
mod tests;

pub use counters::{Counters, OpCounts, Violation, ViolationKind};
pub use faults::{FaultCounts, Faults};
pub use onprem::LabOnPrem;
pub use recovery::LabRecovery;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, ScaledClock};
use crate::estate::{Estate, RecoveryPoint};
use crate::generate;
use crate::state::Operation;
use state::Shared;

/// The provider name the lab reports in errors.
pub(crate) const PROVIDER: &str = "lab";

/// A range of simulated durations: a job's duration is drawn in it from the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationRange {
    /// Shortest.
    pub min: Duration,
    /// Longest.
    pub max: Duration,
}

impl DurationRange {
    /// From `min` to `max` minutes.
    pub fn minutes(min: u64, max: u64) -> Self {
        DurationRange {
            min: Duration::from_secs(min * 60),
            max: Duration::from_secs(max.max(min) * 60),
        }
    }

    /// Always `d`.
    pub fn fixed(d: Duration) -> Self {
        DurationRange { min: d, max: d }
    }
}

/// How long each stage's job takes, in simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDurations {
    /// Reprotect Azure to on-premises (default 20-40 minutes).
    pub reprotect: DurationRange,
    /// Failover to on-premises (default 5-15 minutes).
    pub failover: DurationRange,
    /// Commit (default 2-5 minutes).
    pub commit: DurationRange,
    /// Reprotect on-premises to Azure (default 20-40 minutes).
    pub reprotect_to_azure: DurationRange,
}

impl Default for StageDurations {
    fn default() -> Self {
        StageDurations {
            reprotect: DurationRange::minutes(20, 40),
            failover: DurationRange::minutes(5, 15),
            commit: DurationRange::minutes(2, 5),
            reprotect_to_azure: DurationRange::minutes(20, 40),
        }
    }
}

impl StageDurations {
    /// Every stage takes exactly `d` (benchmarks: zero, or a fixed latency).
    pub fn fixed(d: Duration) -> Self {
        let r = DurationRange::fixed(d);
        StageDurations {
            reprotect: r,
            failover: r,
            commit: r,
            reprotect_to_azure: r,
        }
    }

    /// The range of an operation's job (a cancel takes no time).
    pub fn of(&self, op: Operation) -> DurationRange {
        match op {
            Operation::Reprotect => self.reprotect,
            Operation::Failover => self.failover,
            Operation::Commit => self.commit,
            Operation::ReprotectToAzure => self.reprotect_to_azure,
            Operation::CancelFailover => DurationRange::fixed(Duration::ZERO),
        }
    }
}

/// How a lab site behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabSettings {
    /// How many times faster than real time the simulated clock runs (at least 1):
    /// 3,600 runs a simulated hour in a second.
    pub time_scale: f64,
    /// Seed of every random choice: job durations, job failures, faults.
    pub seed: u64,
    /// The faults to inject.
    pub faults: Faults,
    /// How long jobs take.
    pub durations: StageDurations,
    /// The simulated time the clock starts at. Default 2026-11-20T10:00:00Z, the
    /// generator's capture time.
    pub start: DateTime<Utc>,
}

impl Default for LabSettings {
    fn default() -> Self {
        LabSettings {
            time_scale: 3600.0,
            seed: 0,
            faults: Faults::default(),
            durations: StageDurations::default(),
            start: generate::Spec::for_items(0).captured_at,
        }
    }
}

/// An in-memory failback site: both providers over one estate and one simulated clock.
#[derive(Debug, Clone)]
pub struct LabSite {
    shared: Arc<Shared>,
    recovery: Arc<LabRecovery>,
    onprem: Arc<LabOnPrem>,
}

impl LabSite {
    /// A lab site over `estate`. Items the estate shows with a job running (reprotecting,
    /// failing back, committing) get that job, started at `settings.start`.
    pub fn new(estate: Estate, settings: LabSettings) -> LabSite {
        let shared = Arc::new(Shared::new(estate, settings));
        LabSite {
            recovery: Arc::new(LabRecovery::new(shared.clone())),
            onprem: Arc::new(LabOnPrem::new(shared.clone())),
            shared,
        }
    }

    /// A lab site over a generated healthy estate of `items` items
    /// ([`generate::Spec::for_items`] with `seed`, captured at `settings.start`).
    pub fn generated(items: usize, seed: u64, settings: LabSettings) -> LabSite {
        let mut spec = generate::Spec::for_items(items).with_seed(seed);
        spec.captured_at = settings.start;
        LabSite::new(generate::estate(&spec), settings)
    }

    /// The recovery side (Azure Site Recovery).
    pub fn recovery(&self) -> Arc<LabRecovery> {
        self.recovery.clone()
    }

    /// The on-premises side (vSphere).
    pub fn onprem(&self) -> Arc<LabOnPrem> {
        self.onprem.clone()
    }

    /// The shared simulated clock: both providers measure jobs on it, and the orchestrator
    /// should sleep and stamp on it too.
    pub fn clock(&self) -> Arc<ScaledClock> {
        self.shared.clock.clone()
    }

    /// The settings the site was built with.
    pub fn settings(&self) -> &LabSettings {
        &self.shared.settings
    }

    /// The estate as it is now: protection states, recovery points, Azure VMs shut down or
    /// deleted, the VMs items failed back into, captured now.
    pub fn estate(&self) -> Estate {
        let (st, now) = self.shared.lock();
        st.snapshot(now)
    }

    /// What the site counted so far.
    pub fn counters(&self) -> Counters {
        let (st, _) = self.shared.lock();
        st.counters.clone()
    }

    /// The recovery point an item's failover used, once it started.
    pub fn failover_point(&self, item: &str) -> Option<RecoveryPoint> {
        let (st, _) = self.shared.lock();
        st.item(item).ok().and_then(|i| st.failover_point(i))
    }

    /// The simulated time now.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }
}
