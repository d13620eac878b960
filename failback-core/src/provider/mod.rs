//! Provider traits: what the recovery side (Azure Site Recovery) and the on-premises side
//! (vSphere) offer the orchestrator. Both are object-safe (`Arc<dyn …>`), `Send + Sync +
//! Debug + 'static`, and declare what they support in a capability value rather than
//! failing at run time; [`ErrorKind::NotSupported`](crate::ErrorKind::NotSupported)
//! remains for what slips through.
//!
//! The in-memory lab site (the `failback-lab` crate) is the reference implementation of
//! both; the conformance kit (the `failback-testkit` crate) holds the checks every
//! provider runs, chosen by these capabilities. The orchestrator reads them too: a plan
//! they cannot carry (recovery plans without `recovery_plans`, the modernized flavour
//! without `planned_failover`, the `rollback` policy without `cancel_failover`) is
//! refused before the run, and a failed verification is rolled back only where
//! `cancel_failover` is offered.

mod onprem;
mod recovery;
mod verify;

pub use onprem::*;
pub use recovery::*;
pub use verify::*;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What an operation acts on: one replication protected item, or a recovery plan (the
/// only way a replication group fails over and commits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Target {
    /// A protected item, by id.
    Item(String),
    /// A recovery plan, by name.
    RecoveryPlan(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Item(x) => write!(f, "item {x}"),
            Target::RecoveryPlan(x) => write!(f, "recovery plan {x}"),
        }
    }
}

/// A provider's job id (an ASR job name, a vSphere task id, a lab counter).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct JobId(pub String);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// State of a job, as ASR reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Accepted, not running yet.
    NotStarted,
    /// Running.
    InProgress,
    /// Finished well.
    Succeeded,
    /// Finished badly: see the error.
    Failed,
    /// Cancelled.
    Cancelled,
    /// Paused on a manual action of a recovery plan: it goes on once resumed
    /// ([`RecoveryProvider::resume_job`]); [`JobStatus::manual_action`] says which.
    Suspended,
}

impl JobState {
    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled
        )
    }
}

/// What a provider says of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobStatus {
    /// The job.
    pub id: JobId,
    /// Its state.
    pub state: JobState,
    /// Progress in percent, when the provider tells.
    pub progress: Option<u8>,
    /// Why it failed, for a failed (or cancelled) job: the provider's code, message,
    /// possible causes and recommended action.
    pub error: Option<crate::error::JobError>,
    /// How long to wait before asking again, when the provider suggests it.
    pub poll_after: Option<Duration>,
    /// When the job started (ASR's `Job.startTime`), when the provider tells: how a
    /// resumed run tells a job it started from an older one of the same operation.
    #[serde(default)]
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// For a suspended job, the manual action it waits for.
    #[serde(default)]
    pub manual_action: Option<ManualActionWait>,
    /// The job's tasks, when the provider tells: for a recovery plan's failover, one per
    /// boot group (and per manual action), with the items each concerns and when it ran.
    #[serde(default)]
    pub tasks: Vec<TaskStatus>,
}

impl JobStatus {
    /// A status with nothing but an id and a state (no progress, error, hints or tasks).
    pub fn new(id: JobId, state: JobState) -> JobStatus {
        JobStatus {
            id,
            state,
            progress: None,
            error: None,
            poll_after: None,
            started_at: None,
            manual_action: None,
            tasks: Vec::new(),
        }
    }
}

/// The manual action a suspended job waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualActionWait {
    /// The action's name in the recovery plan.
    pub name: String,
    /// What the person must do, as the plan says.
    pub instructions: Option<String>,
    /// The boot group (1-based) the action belongs to.
    pub group: u32,
}

/// What a task of a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// The failover of one boot group of a recovery plan.
    GroupFailover,
    /// A manual action.
    ManualAction,
    /// Anything else the provider reports.
    Other,
}

/// One task of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStatus {
    /// What the task is.
    pub kind: TaskKind,
    /// Its name as the provider reports it (`Group 2`, a manual action's name).
    pub name: String,
    /// The boot group (1-based) it belongs to, for a recovery plan's tasks.
    pub group: Option<u32>,
    /// The items it concerns.
    pub items: Vec<String>,
    /// Its state.
    pub state: JobState,
    /// When it started.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When it ended.
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}
