//! The lab's jobs and what each one does while it runs:
//!
//! - a **reprotect** to on-premises sends, per member, a setup then the member's bytes over
//!   its link, shared with the other transfers on that link ([`super::links`]); it ends
//!   when every member's bytes have arrived;
//! - a **failover** runs steps in order: for a recovery plan its boot groups, each one's
//!   manual start actions, the group's failover (every item of the group at once; the
//!   group ends with its slowest item) and its manual end actions; a manual action
//!   suspends the job until it is resumed. An item's failover is one group of one item;
//! - a **commit**, a **reprotect to Azure** and a **cancel of a failover** take one fixed
//!   duration (the slowest member's, for a recovery plan).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use failback_core::estate::RecoveryPoint;
use failback_core::provider::{JobId, JobState, Target};
use failback_core::state::Operation;

/// What a job was started with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum JobInput {
    /// Reprotect Azure to on-premises.
    Reprotect {
        master_target: Option<String>,
        datastore: Option<String>,
        /// Per member of a recovery plan: its own datastore.
        member_datastores: std::collections::BTreeMap<String, String>,
    },
    /// Failover: the point per member (same order as the job's items).
    Failover { points: Vec<RecoveryPoint> },
    /// Nothing to remember.
    Plain,
}

/// One member's transfer of a reprotect.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Transfer {
    /// The item.
    pub item: usize,
    /// When its setup ends and its bytes start to travel.
    pub setup_ends: DateTime<Utc>,
    /// The link it sends over.
    pub link: String,
    /// The link's bandwidth, in megabits per second.
    pub mbps: u64,
    /// What it sends.
    pub bytes: u64,
    /// Its bytes travel now.
    pub sending: bool,
    /// When its bytes had all arrived.
    pub done_at: Option<DateTime<Utc>>,
}

/// What a step of a failover does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum StepKind {
    /// The failover of a boot group: every item at once, the group ending with the slowest.
    Group {
        /// Its items.
        items: Vec<usize>,
        /// How long the group takes.
        duration: Duration,
    },
    /// A manual action: the job waits until it is resumed.
    Manual {
        /// Its name in the plan.
        name: String,
        /// What the person must do.
        instructions: Option<String>,
    },
}

/// One step of a failover.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Step {
    /// What it does.
    pub kind: StepKind,
    /// The boot group (1-based) it belongs to.
    pub group: u32,
    /// Its state.
    pub state: JobState,
    /// When it started.
    pub started: Option<DateTime<Utc>>,
    /// When it ended.
    pub finished: Option<DateTime<Utc>>,
    /// The comment given when a manual action was resumed.
    pub comment: Option<String>,
}

impl Step {
    pub(crate) fn new(kind: StepKind, group: u32) -> Step {
        Step {
            kind,
            group,
            state: JobState::NotStarted,
            started: None,
            finished: None,
            comment: None,
        }
    }
}

/// What a job does while it runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Work {
    /// One fixed duration.
    Fixed {
        /// When it ends.
        ends: DateTime<Utc>,
    },
    /// A reprotect: per member, its setup then its bytes.
    Transfers(Vec<Transfer>),
    /// A failover's steps, run in order.
    Steps {
        /// The steps.
        steps: Vec<Step>,
        /// The step running (or waiting), or the number of steps once all ended.
        current: usize,
        /// Report the steps as the job's tasks (a recovery plan's failover).
        tasks: bool,
    },
}

/// A job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Job {
    pub id: JobId,
    pub target: Target,
    pub op: Operation,
    pub items: Vec<usize>,
    pub started: DateTime<Utc>,
    /// When it ended, once it did.
    pub ended: Option<DateTime<Utc>>,
    /// Decided at start: the job ends failed with this cause.
    pub failure: Option<failback_core::JobError>,
    pub state: JobState,
    pub error: Option<failback_core::JobError>,
    pub input: JobInput,
    /// Its next event of a known time (a setup or a step ending), while it runs.
    pub next_at: Option<DateTime<Utc>>,
    pub work: Work,
}

impl Job {
    /// The position of item `i` among the job's items.
    pub(crate) fn position(&self, i: usize) -> Option<usize> {
        self.items.iter().position(|&x| x == i)
    }
}
