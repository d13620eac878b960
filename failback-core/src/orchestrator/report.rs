//! What a run did: per item each stage's start and end, the achieved recovery time and
//! data loss, the findings after failback, and how the item ended.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::provider::JobId;
use crate::request::Stage;
use crate::rules::Finding;

/// How an item ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemStatus {
    /// Every planned stage succeeded.
    Done,
    /// A stage failed; the item stopped there, in a state the report names.
    Failed {
        /// The stage.
        stage: Stage,
        /// The cause.
        cause: String,
    },
    /// Not finished: cancelled, or interrupted (resume the journal to go on).
    Pending,
}

/// One stage of one item in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRecord {
    /// The stage.
    pub stage: Stage,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Its job.
    pub job: Option<JobId>,
    /// Whether it succeeded (`None` while unfinished).
    pub ok: Option<bool>,
    /// Not issued: a dry run.
    #[serde(default)]
    pub dry_run: bool,
}

/// One item's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// Item id.
    pub item: String,
    /// Its unit (item id or group name).
    pub unit: String,
    /// How it ended.
    pub status: ItemStatus,
    /// Its stages in order.
    pub stages: Vec<StageRecord>,
    /// Achieved recovery time: from failover start to the on-prem VM seen running, in
    /// seconds.
    pub recovery_time_seconds: Option<u64>,
    /// Achieved data loss: age of the recovery point failed over to, in seconds.
    pub data_loss_seconds: Option<u64>,
    /// Findings after failback (OPS-002 NetworkManager, OPS-003 static address).
    pub findings: Vec<Finding>,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Run id.
    pub run_id: String,
    /// When it started (the first start, for a resumed run).
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// A dry run: nothing was mutated.
    pub dry_run: bool,
    /// Warnings (a torn journal record dropped on resume, …).
    pub warnings: Vec<String>,
    /// Per item.
    pub items: Vec<ItemOutcome>,
}

impl RunReport {
    /// Items done.
    pub fn done(&self) -> usize {
        self.count(|s| matches!(s, ItemStatus::Done))
    }
    /// Items failed.
    pub fn failed(&self) -> usize {
        self.count(|s| matches!(s, ItemStatus::Failed { .. }))
    }
    /// Items pending.
    pub fn pending(&self) -> usize {
        self.count(|s| matches!(s, ItemStatus::Pending))
    }
    fn count(&self, f: impl Fn(&ItemStatus) -> bool) -> usize {
        self.items.iter().filter(|i| f(&i.status)).count()
    }
}
