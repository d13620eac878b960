//! The recovery side: what Azure Site Recovery offers for failback.

use std::fmt::Debug;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{JobId, JobStatus, Target};
use crate::estate::{Estate, RecoveryPoint};
use crate::state::{Operation, ProtectionState};
use crate::Result;

/// What a recovery provider supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecoveryCapability {
    /// Classic provider: configuration server, process server, master target.
    pub classic: bool,
    /// Modernized provider: replication appliance with a reprotect agent.
    pub modernized: bool,
    /// Failover and commit of recovery plans (replication groups).
    pub recovery_plans: bool,
    /// Planned failover (the modernized provider's failback).
    pub planned_failover: bool,
    /// Cancelling a running job.
    pub cancel: bool,
    /// Cancelling a failover that succeeded but is not committed (`failoverCancel`): the
    /// item goes back to replicating to on-premises. The modernized provider's planned
    /// failover can be cancelled; the classic unplanned failover cannot.
    pub cancel_failover: bool,
    /// Resuming a job suspended on a recovery plan's manual action.
    pub resume_jobs: bool,
}

/// Direction of a reprotect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Azure to on-premises (before failback).
    AzureToOnPrem,
    /// On-premises to Azure (after commit).
    OnPremToAzure,
}

/// The inputs of a reprotect, from the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReprotectRequest {
    /// Which way.
    pub direction: Direction,
    /// Master target (classic) or reprotect agent (modernized).
    pub master_target: Option<String>,
    /// Process server.
    pub process_server: Option<String>,
    /// Datastore input (always given for Azure to on-premises).
    pub datastore: Option<String>,
    /// Retention volume (classic, Azure to on-premises).
    pub retention_volume: Option<String>,
    /// Policy id.
    pub policy: Option<String>,
    /// For a recovery-plan target: each member's own inputs (the master target, retention
    /// volume and policy above are the group's). Empty for an item target.
    #[serde(default)]
    pub members: Vec<MemberInputs>,
}

/// One member's own reprotect inputs when a recovery plan is reprotected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInputs {
    /// The item.
    pub item: String,
    /// Its process server.
    pub process_server: Option<String>,
    /// Its datastore input.
    pub datastore: Option<String>,
}

/// The recovery point of a failover.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PointSpec {
    /// The latest point (`LatestTime`).
    Latest,
    /// The latest application-consistent point (`LatestTag`).
    LatestApplicationConsistent,
    /// A given point (`Custom`), by id.
    Id(String),
}

/// The inputs of a failover to on-premises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailoverRequest {
    /// The recovery point.
    pub point: PointSpec,
    /// A planned failover (modernized provider) rather than an unplanned one.
    pub planned: bool,
}

/// The recovery side of failback: discovery of the Azure half of the estate, the
/// mutations (reprotect, failover, commit, cancel) and the reads the orchestrator needs to
/// keep its safety invariants.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait RecoveryProvider: Send + Sync + Debug + 'static {
    /// Short name for messages and the journal (`azure`, `lab`).
    fn name(&self) -> &str;

    /// What this provider supports.
    fn capability(&self) -> RecoveryCapability;

    /// The Azure half of the estate: configuration server as ASR knows it, policies,
    /// networks, process servers, master targets as registered, protected items with
    /// their state and recovery points, recovery plans. The on-premises fields are left
    /// empty; [`crate::estate::Estate`] halves are combined by the caller.
    async fn discover(&self) -> Result<Estate>;

    /// Start a reprotect of `target`. Returns the job.
    async fn reprotect(&self, target: &Target, request: &ReprotectRequest) -> Result<JobId>;

    /// Start a failover of `target` to on-premises. Returns the job. The provider shuts
    /// the Azure VMs down during it.
    async fn failover(&self, target: &Target, request: &FailoverRequest) -> Result<JobId>;

    /// Start the commit of `target` (deletes the Azure VMs). Returns the job.
    async fn commit(&self, target: &Target) -> Result<JobId>;

    /// Cancel a running job.
    async fn cancel(&self, job: &JobId) -> Result<()>;

    /// Cancel the failover of `target` that succeeded but is not committed
    /// (`failoverCancel`): the on-premises VMs are shut down, the Azure VMs start again
    /// and the items go back to replicating to on-premises. Returns the job. Needs
    /// [`RecoveryCapability::cancel_failover`].
    async fn cancel_failover(&self, target: &Target) -> Result<JobId>;

    /// Resume a job suspended on a manual action (ASR's `replicationJobs/{job}/resume`),
    /// with a comment for the job's history. Needs [`RecoveryCapability::resume_jobs`].
    async fn resume_job(&self, job: &JobId, comment: &str) -> Result<()>;

    /// The state of a job.
    async fn job(&self, job: &JobId) -> Result<JobStatus>;

    /// The jobs of `operation` on `target`, newest first: how a resumed run finds a job it
    /// started but could not record before a crash.
    async fn find_jobs(&self, target: &Target, operation: Operation) -> Result<Vec<JobStatus>>;

    /// An item's protection state now.
    async fn protection_state(&self, item: &str) -> Result<ProtectionState>;

    /// An item's recovery points of the failback replication.
    async fn recovery_points(&self, item: &str) -> Result<Vec<RecoveryPoint>>;

    /// Whether the item's Azure VM is shut down (or already deleted).
    async fn azure_vm_shut_down(&self, item: &str) -> Result<bool>;
}
