#![doc = include_str!("../README.md")]
//!
//! # The lab site in detail
//!
//! The lab site: an in-memory Azure Site Recovery and vSphere, the reference
//! implementation of both provider traits, built from an estate (read from a file, or made
//! by [`generate`]).
//!
//! It behaves like ASR where the orchestrator can tell: every mutation checks the item's
//! [`ProtectionState`](failback_core::state::ProtectionState) and refuses what the state does not
//! allow with [`ErrorKind::Conflict`](failback_core::ErrorKind::Conflict); jobs take simulated
//! time on a shared clock (discrete-event [`VirtualClock`](failback_core::clock::VirtualClock)
//! time, or a [`ScaledClock`](failback_core::clock::ScaledClock)), report progress while they run and apply their
//! transition when they end (or fail, leaving the item as it was); recovery points appear
//! every 5 simulated minutes while an item replicates (application-consistent every 60,
//! kept 24 hours); a recovery plan fails over and commits all its members, a replication
//! group on one common point (its reprotect runs per member, as ASR no longer reprotects
//! recovery plans; a plan reprotect is still accepted). Faults (transient errors,
//! throttling with a retry-after, failed jobs, lost responses, latency) are drawn from a
//! seed. Every mutation is counted per target and item, and every call that breaks a
//! safety invariant of a failback run is recorded in [`Counters::violations`].
//!
//! A lab site lives in memory, but it can be made durable like real clouds are:
//! [`LabSite::persist_to`] writes a snapshot of its whole state (items, jobs, recovery
//! points, counters, violations, fault draw counts, the simulated time) to a file, then
//! appends a small fsync'd record of every call that changed it to a log beside it
//! ([`log_file`]) before the call returns, and [`LabSite::restore`] rebuilds the site from
//! the snapshot and the log in another process (replaying the calls; the jobs' events are
//! recomputed), with the same job ids, its clock resuming at the latest simulated time
//! written. A run interrupted with its process can so be resumed from its journal against
//! the lab it left.
//!
//! ```
//! use std::time::Duration;
//! use failback_core::clock::Clock;
//! use failback_lab::{LabSettings, LabSite};
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

pub mod generate;

mod counters;
mod faults;
pub mod faulty;
mod inspect;
mod jobs;
mod links;
mod onprem;
mod persist;
mod points;
mod recovery;
mod schedule;
mod state;
#[cfg(test)]
mod tests;
mod verify;

pub use counters::{Counters, OpCounts, Violation, ViolationKind};
pub use faults::{FaultCounts, Faults};
pub use inspect::{ItemView, JobView};
pub use onprem::LabOnPrem;
pub use persist::{log_file, Persisted, COMPACT_FACTOR, FORMAT as FILE_FORMAT};
pub use recovery::LabRecovery;
pub use verify::LabVerifier;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use failback_core::clock::Clock;
use failback_core::estate::{Estate, RecoveryPoint};
use failback_core::provider::Verifier;
use failback_core::timing::{DurationRange, ItemTimes, TimingModel};
use failback_core::Result;
use state::Shared;

/// The provider name the lab reports in errors.
pub(crate) const PROVIDER: &str = "lab";

/// How a lab site behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabSettings {
    /// How many times faster than real time the simulated clock runs (at least 1):
    /// 3,600 runs a simulated hour in a second. Not used with `virtual_time`.
    pub time_scale: f64,
    /// Discrete-event time ([`VirtualClock`](failback_core::clock::VirtualClock)) instead of the
    /// scaled clock: time passes only while every task waits, so the same estate,
    /// request and seed give the same run whatever the machine, as fast as the CPU
    /// allows. Build the lab (and run it) inside
    /// [`virtual_runtime`](failback_core::clock::virtual_runtime); a restored lab keeps it.
    pub virtual_time: bool,
    /// Seed of every random choice: job durations, job failures, faults.
    pub seed: u64,
    /// The faults to inject.
    pub faults: Faults,
    /// How long jobs take: reprotect setup and bytes over the link, failover per disk,
    /// commit, agent re-registration, reprotect to Azure, cancel of a failover.
    pub timing: TimingModel,
    /// The simulated time the clock starts at. Default 2026-11-20T10:00:00Z, the
    /// generator's capture time.
    pub start: DateTime<Utc>,
    /// Items (by id) whose verify checks fail ([`LabSite::verifier`]) even though their
    /// VMs run.
    pub failing_checks: BTreeSet<String>,
    /// Items (by id) whose guest does not answer once failed back: powered on, but
    /// `guest_running` is `Some(false)` and their checks fail.
    pub silent_guests: BTreeSet<String>,
}

impl Default for LabSettings {
    fn default() -> Self {
        LabSettings {
            time_scale: 3600.0,
            virtual_time: false,
            seed: 0,
            faults: Faults::default(),
            timing: TimingModel::default(),
            start: generate::Spec::for_items(0).captured_at,
            failing_checks: BTreeSet::new(),
            silent_guests: BTreeSet::new(),
        }
    }
}

/// A timing model where every stage takes exactly `d` (benchmarks: zero, or a fixed
/// latency): fixed ranges, no time per disk, and links without a bandwidth limit, so a
/// reprotect's bytes take no time. A model whose `bandwidth_mbps` is `u64::MAX` lifts the
/// limit of every link, the estate's own bandwidths included.
pub fn fixed_timing(d: Duration) -> TimingModel {
    let r = DurationRange::fixed(d);
    TimingModel {
        bandwidth_mbps: u64::MAX,
        reprotect_setup: r,
        failover_base: r,
        failover_per_disk: Duration::ZERO,
        commit: r,
        agent_reregistration: r,
        reprotect_to_azure: r,
        cancel_failover: r,
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

    /// Rebuild a lab site from the files a persisting one wrote ([`LabSite::persist_to`]):
    /// its snapshot, then the calls of its log ([`log_file`]) replayed in order. It has
    /// the items, jobs (same ids, still running where they were), recovery points,
    /// counters and violations, and the settings of the last call written. Its clock
    /// resumes at the latest simulated time written, at the saved time scale, and the
    /// site goes on persisting to the same files. A torn last record of the log (a crash
    /// while it was appended) is dropped.
    ///
    /// A file that cannot be read is [`Error::Io`](failback_core::Error::Io); a snapshot that is
    /// not a whole lab state of format [`FILE_FORMAT`], or a log damaged before its last
    /// record, is [`Error::Io`](failback_core::Error::Io) of kind
    /// [`InvalidData`](std::io::ErrorKind::InvalidData) saying what is wrong, both naming
    /// the file.
    pub fn restore(path: impl AsRef<Path>) -> Result<LabSite> {
        let path = path.as_ref();
        let loaded = persist::load(path)?;
        let shared = Arc::new(Shared::restored(path, loaded)?);
        Ok(LabSite {
            recovery: Arc::new(LabRecovery::new(shared.clone())),
            onprem: Arc::new(LabOnPrem::new(shared.clone())),
            shared,
        })
    }

    /// The settings a lab file was written with (to choose the runtime a restored lab on
    /// virtual time needs before restoring it inside that runtime). Errors as
    /// [`LabSite::restore`].
    pub fn saved_settings(path: impl AsRef<Path>) -> Result<LabSettings> {
        persist::load_settings(path.as_ref())
    }

    /// Make the site durable: write a snapshot of its state to `path` now (atomically: a
    /// temporary file beside it, fsync, rename, fsync of the folder), then, before each
    /// provider call that changed something returns (each mutation, accepted or refused,
    /// each poll that saw jobs advance), append a record of it to the log beside it
    /// ([`log_file`]) and fsync it. Once the log is [`COMPACT_FACTOR`] times the
    /// snapshot, a new snapshot replaces both. Calls that only read write nothing, except
    /// the time of the jobs they saw advance; call and fault counts of reads are written
    /// with the next record, so a crash may lose the last few of them (they decide no
    /// item's fate).
    ///
    /// A write error is [`failback_core::Error::LocalWrite`] naming the file: here, and
    /// from the provider call whose change could not be written (the change stays in
    /// memory only). From then on every call that changes something fails the same way:
    /// the file is behind the memory, so the process must stop, and a restore from the
    /// file (once it can be written again) picks up where the file is; the orchestrator
    /// stops the run, resumable, failing no item.
    pub fn persist_to(&self, path: impl AsRef<Path>) -> Result<()> {
        let (mut st, now) = self.shared.lock();
        st.persist = Some(persist::Target::new(path.as_ref().to_path_buf()));
        self.shared.snapshot(&mut st, now)
    }

    /// Testing aid: the `n`-th write of the lab file from now on (1-based) fails as a full
    /// disk or a read-only folder would ([`failback_core::Error::LocalWrite`]). No effect
    /// before [`LabSite::persist_to`].
    pub fn fail_write_at(&self, n: u64) {
        let (mut st, _) = self.shared.lock();
        if let Some(t) = st.persist.as_mut() {
            t.fail_write_at(n);
        }
    }

    /// Where the site persists and how much it wrote, when it does.
    pub fn persisted(&self) -> Option<Persisted> {
        let (st, _) = self.shared.lock();
        st.persist.as_ref().map(Persisted::from)
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
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.shared.clock.clone()
    }

    /// The lab's verifier of the verify gate's checks: a check of an item passes when its
    /// on-premises VM runs and its guest answers, unless the settings name the item among
    /// [`LabSettings::failing_checks`]. It answers from the model at once: no network, no
    /// command runs (the lab's VMs and addresses are not real).
    pub fn verifier(&self) -> Arc<dyn Verifier> {
        Arc::new(LabVerifier::new(self.shared.clone()))
    }

    /// An item's durations for the first attempt of each stage (drawn as its jobs will
    /// take them when nothing else shares its link), its bytes and its link, as the lower
    /// bound takes them ([`failback_core::bound::lower_bound`]); `None` for an unknown item. The
    /// bytes are the changed bytes to its original VM, every disk to a new VM; the link
    /// is the process server of its last reprotect or, before one, the first running
    /// Azure process server of its network; the appliance for a modernized estate.
    pub fn item_timing(&self, item: &str) -> Option<ItemTimes> {
        let (st, _) = self.shared.lock();
        let i = st.item(item).ok()?;
        Some(st.item_timing(i, &self.shared.settings))
    }

    /// Disks attached to master target (or reprotect agent) `mt` now: the estate's, plus
    /// those of the items the lab attached (from their reprotect's acceptance to their
    /// failover's success); `None` for an unknown master target.
    pub fn attached_disks(&self, mt: &str) -> Option<u32> {
        let (st, _) = self.shared.lock();
        st.mt_index.contains_key(mt).then(|| st.attached(mt))
    }

    /// The most disks attached to master target `mt` at once so far.
    pub fn peak_attached_disks(&self, mt: &str) -> Option<u32> {
        let (st, _) = self.shared.lock();
        st.mt_index
            .contains_key(mt)
            .then(|| st.peak_disks.get(mt).copied().unwrap_or(0))
    }

    /// When an item's last failover started and, once it failed back, ended (a recovery
    /// plan's items: their boot group's start and end); `None` before any.
    pub fn failover_times(&self, item: &str) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let (st, _) = self.shared.lock();
        let rt = &st.runtime[st.item(item).ok()?];
        rt.failover_started.map(|s| (s, rt.failover_ended))
    }

    /// [`item_timing`](LabSite::item_timing) of every item of `plan`: what
    /// [`failback_core::bound::lower_bound`] and [`failback_core::bound::cutover_lower_bounds`] take.
    pub fn plan_timing(
        &self,
        plan: &failback_core::Plan,
    ) -> std::collections::HashMap<String, ItemTimes> {
        plan.units
            .iter()
            .flat_map(|u| &u.items)
            .filter_map(|it| self.item_timing(&it.item).map(|t| (it.item.clone(), t)))
            .collect()
    }

    /// What job `job` was started on; `None` for a job the lab never started (a journal of
    /// another lab's run names such jobs).
    pub fn job_target(
        &self,
        job: &failback_core::provider::JobId,
    ) -> Option<failback_core::provider::Target> {
        let (st, _) = self.shared.lock();
        let j = st.job_at(job).ok()?;
        Some(st.jobs[j].target.clone())
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

    /// The estate as [`LabSite::estate`] gives it, with the recovery points of `items`
    /// only (by id; every other item's list is empty): a view of a few items (a
    /// simulator's answer about one item or one job) without making every item's points,
    /// whose cost grows with the items and their retention.
    pub fn estate_with_points_of(&self, items: &[&str]) -> Estate {
        let (st, now) = self.shared.lock();
        st.snapshot_with_points(now, |id| items.contains(&id))
    }

    /// Every job the site started, oldest first, as it is now.
    pub fn jobs(&self) -> Vec<JobView> {
        let (st, now) = self.shared.lock();
        st.job_views(now)
    }

    /// Protected item `id` (or name) as the site holds it now; `None` when it has no
    /// such item.
    pub fn item(&self, id: &str) -> Option<ItemView> {
        let (st, _) = self.shared.lock();
        st.item_by_id_or_name(id).map(|i| st.item_view(i))
    }

    /// Every protected item as the site holds it now, in the estate's order.
    pub fn items(&self) -> Vec<ItemView> {
        let (st, _) = self.shared.lock();
        (0..st.estate.items.len())
            .map(|i| st.item_view(i))
            .collect()
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
