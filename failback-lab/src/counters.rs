//! What the lab counts: every mutation per target and per item, the faults it injected,
//! and every call that broke (or would have broken) a safety invariant of a failback run.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::faults::FaultCounts;
use failback_core::provider::Target;
use failback_core::state::Operation;

/// How many mutations of each operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpCounts {
    /// Reprotects Azure to on-premises.
    pub reprotect: u32,
    /// Failovers to on-premises.
    pub failover: u32,
    /// Commits.
    pub commit: u32,
    /// Reprotects on-premises to Azure.
    pub reprotect_to_azure: u32,
    /// Cancels: of running jobs, and of failovers not committed.
    pub cancel: u32,
    /// Jobs resumed after a manual action (counted per target only; not an operation of
    /// the life cycle).
    #[serde(default)]
    pub resume: u32,
}

impl OpCounts {
    /// The count of one operation ([`Operation::CancelFailover`] reads `cancel`).
    pub fn get(&self, op: Operation) -> u32 {
        match op {
            Operation::Reprotect => self.reprotect,
            Operation::Failover => self.failover,
            Operation::Commit => self.commit,
            Operation::ReprotectToAzure => self.reprotect_to_azure,
            Operation::CancelFailover => self.cancel,
        }
    }

    /// Every mutation counted.
    pub fn total(&self) -> u32 {
        self.reprotect
            + self.failover
            + self.commit
            + self.reprotect_to_azure
            + self.cancel
            + self.resume
    }

    pub(crate) fn add(&mut self, op: Operation) {
        let slot = match op {
            Operation::Reprotect => &mut self.reprotect,
            Operation::Failover => &mut self.failover,
            Operation::Commit => &mut self.commit,
            Operation::ReprotectToAzure => &mut self.reprotect_to_azure,
            Operation::CancelFailover => &mut self.cancel,
        };
        *slot += 1;
    }
}

/// Which safety invariant (domain.md, "Safety invariants of a failback run"), or which
/// limit the orchestrator must respect, a call broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// Invariant 1: commit issued while the item's failover had not succeeded, or its
    /// on-premises VM was not running.
    CommitBeforeVerifiedFailover,
    /// Invariant 2: failover issued while the item was not replicating to on-premises.
    FailoverNotReplicating,
    /// Invariant 3: a mutation issued a second time for the same item and stage of its
    /// life cycle (a job that failed or was cancelled may be started again).
    IssuedTwice,
    /// Invariant 4: reprotect or failover issued for part of a replication group.
    GroupSplit,
    /// EXT-004: a reprotect (or the cancel of a failover, attaching disks again) that
    /// would take a master target past 60 attached disks. The lab refuses it.
    DiskLimit,
}

impl std::fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ViolationKind::CommitBeforeVerifiedFailover => "commit before a verified failover",
            ViolationKind::FailoverNotReplicating => "failover while not replicating",
            ViolationKind::IssuedTwice => "mutation issued twice",
            ViolationKind::GroupSplit => "replication group split",
            ViolationKind::DiskLimit => "master target past 60 disks",
        })
    }
}

/// A call that broke a safety invariant. The lab refuses most of them (the item's state
/// does not allow the operation), but records each so that a test can prove none
/// happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The item concerned.
    pub item: String,
    /// The target the call named (the item, or its recovery plan).
    pub target: Target,
    /// The operation issued.
    pub operation: Operation,
    /// Which invariant.
    pub kind: ViolationKind,
    /// When (lab time).
    pub at: DateTime<Utc>,
    /// What the lab saw.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {}: {} on {}: {}",
            self.kind, self.at, self.operation, self.target, self.detail
        )
    }
}

/// What the lab counted since it was built.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Mutation calls that reached the site, per target named in the call and operation:
    /// accepted, refused (conflict) and those whose response was lost; calls refused by an
    /// injected throttle or transient error before they had any effect are not counted.
    #[serde(serialize_with = "by_target", deserialize_with = "by_target_back")]
    pub per_target: BTreeMap<Target, OpCounts>,
    /// Mutations that took effect, per item: a recovery plan's mutation counts once for
    /// each member.
    pub per_item: BTreeMap<String, OpCounts>,
    /// Calls that broke a safety invariant, in the order they came.
    pub violations: Vec<Violation>,
    /// Faults injected.
    pub faults: FaultCounts,
}

impl Counters {
    /// Mutation calls naming `target` for `op`.
    pub fn issued(&self, target: &Target, op: Operation) -> u32 {
        self.per_target.get(target).map_or(0, |c| c.get(op))
    }

    /// Mutations of `op` that took effect on `item`.
    pub fn accepted(&self, item: &str, op: Operation) -> u32 {
        self.per_item.get(item).map_or(0, |c| c.get(op))
    }

    /// Mutations of `op` that took effect, over all items.
    pub fn total_accepted(&self, op: Operation) -> u64 {
        self.per_item.values().map(|c| u64::from(c.get(op))).sum()
    }

    /// Whether no call broke an invariant.
    pub fn clean(&self) -> bool {
        self.violations.is_empty()
    }
}

/// A map keyed by [`Target`] as a JSON list of `{target, counts}` (JSON keys are strings).
fn by_target<S: Serializer>(
    map: &BTreeMap<Target, OpCounts>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Entry<'a> {
        target: &'a Target,
        counts: &'a OpCounts,
    }
    s.collect_seq(map.iter().map(|(target, counts)| Entry { target, counts }))
}

/// The list [`by_target`] writes, read back into the map.
fn by_target_back<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeMap<Target, OpCounts>, D::Error> {
    #[derive(Deserialize)]
    struct Entry {
        target: Target,
        counts: OpCounts,
    }
    let list = Vec::<Entry>::deserialize(d)?;
    Ok(list.into_iter().map(|e| (e.target, e.counts)).collect())
}
