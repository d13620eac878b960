//! How long the stages of a failback take: the model the planner's estimates, the lab's
//! jobs and the drill's lower bound share.
//!
//! - **Reprotect** (Azure to on-premises): a setup (disks created and attached on the
//!   master target), then the bytes to send (a delta for the original VM, every disk for a
//!   new one) over the link of the item's process server (classic) or appliance
//!   (modernized), whose bandwidth the reprotects running through it at once share.
//! - **Failover**: a base plus a time per disk (the master target detaches each disk and
//!   the VM boots); a recovery plan fails its boot groups over one after the other.
//! - **Commit**: a short job deleting the Azure VMs.
//! - **Agent re-registration**: after commit the mobility agent re-registers with the
//!   configuration server before a reprotect to Azure is accepted (up to 15 minutes).
//! - **Reprotect to Azure**: a job of its own range.
//!
//! ```
//! use std::time::Duration;
//! use failback_core::timing::TimingModel;
//!
//! let m = TimingModel::default();
//! // 450 GB over a 1 Gbit/s link: one hour of transfer.
//! assert_eq!(m.transfer(450_000_000_000, 1000), Duration::from_secs(3600));
//! assert!(m.failover_mean(4) > m.failover_mean(1));
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A range of durations: a job's duration is drawn in it (the lab) or taken at its middle
/// (estimates) or its minimum (lower bounds).
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

    /// The duration at `u` in `0.0..=1.0` of the range.
    pub fn at(&self, u: f64) -> Duration {
        self.min + self.max.saturating_sub(self.min).mul_f64(u.clamp(0.0, 1.0))
    }

    /// The middle of the range.
    pub fn mean(&self) -> Duration {
        self.at(0.5)
    }
}

/// The default bandwidth of a process server's (or appliance's) link, in megabits per
/// second, when the estate does not give one: 1 Gbit/s.
pub const DEFAULT_BANDWIDTH_MBPS: u64 = 1000;

/// How long each stage takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimingModel {
    /// Bandwidth of a link the estate gives none for, in megabits per second.
    pub bandwidth_mbps: u64,
    /// The fixed part of a reprotect to on-premises, before its bytes travel.
    pub reprotect_setup: DurationRange,
    /// The fixed part of a failover.
    pub failover_base: DurationRange,
    /// What each disk adds to a failover.
    pub failover_per_disk: Duration,
    /// A commit.
    pub commit: DurationRange,
    /// The mobility agent's re-registration after a commit.
    pub agent_reregistration: DurationRange,
    /// A reprotect to Azure.
    pub reprotect_to_azure: DurationRange,
    /// Cancelling a failover (back to replicating to on-premises).
    pub cancel_failover: DurationRange,
}

impl Default for TimingModel {
    fn default() -> Self {
        TimingModel {
            bandwidth_mbps: DEFAULT_BANDWIDTH_MBPS,
            reprotect_setup: DurationRange::minutes(5, 10),
            failover_base: DurationRange::minutes(3, 6),
            failover_per_disk: Duration::from_secs(60),
            commit: DurationRange::minutes(2, 5),
            agent_reregistration: DurationRange::minutes(5, 15),
            reprotect_to_azure: DurationRange::minutes(20, 40),
            cancel_failover: DurationRange::minutes(5, 10),
        }
    }
}

impl TimingModel {
    /// The time `bytes` take over a link of `mbps` megabits per second, alone on it.
    pub fn transfer(&self, bytes: u64, mbps: u64) -> Duration {
        let bits_per_second = mbps.max(1) as f64 * 1e6;
        Duration::from_secs_f64(bytes as f64 * 8.0 / bits_per_second)
    }

    /// A reprotect's expected duration: its setup's middle and its bytes alone on the link.
    pub fn reprotect_mean(&self, bytes: u64, mbps: u64) -> Duration {
        self.reprotect_setup.mean() + self.transfer(bytes, mbps)
    }

    /// A failover's range for an item of `disks` disks.
    pub fn failover(&self, disks: u32) -> DurationRange {
        let extra = self.failover_per_disk * disks;
        DurationRange {
            min: self.failover_base.min + extra,
            max: self.failover_base.max + extra,
        }
    }

    /// A failover's expected duration for `disks` disks.
    pub fn failover_mean(&self, disks: u32) -> Duration {
        self.failover(disks).mean()
    }
}

/// What one item's stages take in a given site, for lower bounds: its drawn fixed times,
/// the bytes its reprotect sends and the link they travel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemTimes {
    /// The fixed part of its reprotect.
    pub reprotect_setup: Duration,
    /// The bytes its reprotect sends.
    pub bytes: u64,
    /// The link they travel (a process server or the appliance).
    pub link: String,
    /// That link's bandwidth, megabits per second.
    pub link_mbps: u64,
    /// Its failover, alone.
    pub failover: Duration,
    /// Its commit, alone.
    pub commit: Duration,
    /// Its agent's re-registration after commit.
    pub agent_reregistration: Duration,
    /// Its reprotect to Azure.
    pub reprotect_to_azure: Duration,
}
