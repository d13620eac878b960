//! Progress events of a run: a typed stream the CLI and the Python bindings subscribe to
//! (`Orchestrator::subscribe`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::journal::HoldKey;
use crate::provider::{JobId, Target};
use crate::request::Stage;
use crate::rules::Finding;

/// One thing that happened in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run started (or resumed).
    RunStarted {
        /// Run id.
        run_id: String,
        /// Items in the plan.
        items: usize,
        /// Units in the plan.
        units: usize,
        /// A resumed run.
        resumed: bool,
        /// Nothing is mutated.
        dry_run: bool,
    },
    /// A stage started on a target (an item or a recovery plan).
    StageStarted {
        /// Target.
        target: Target,
        /// Items it concerns.
        items: Vec<String>,
        /// Stage.
        stage: Stage,
        /// When.
        at: DateTime<Utc>,
    },
    /// The job of a stage was started, or found again after a resume.
    JobStarted {
        /// Target.
        target: Target,
        /// Stage.
        stage: Stage,
        /// The job.
        job: JobId,
        /// Re-attached to a job started before a crash, not started again.
        reattached: bool,
    },
    /// A job reported progress.
    JobProgress {
        /// Target.
        target: Target,
        /// Stage.
        stage: Stage,
        /// Percent done.
        percent: u8,
    },
    /// A stage finished.
    StageFinished {
        /// Target.
        target: Target,
        /// Items it concerns.
        items: Vec<String>,
        /// Stage.
        stage: Stage,
        /// Succeeded.
        ok: bool,
        /// Why not, when it failed: typed ([`Failure`](crate::orchestrator::Failure)).
        error: Option<crate::orchestrator::Failure>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A call failed and will be tried again.
    Retry {
        /// Target.
        target: Target,
        /// Stage.
        stage: Stage,
        /// Attempt number that failed (1-based).
        attempt: u32,
        /// The error.
        error: String,
        /// Wait before the next attempt, in milliseconds.
        wait_ms: u64,
    },
    /// A rule finding seen during the run (after failback: OPS-002, OPS-003).
    Finding(Finding),
    /// Something the user should know that is not a rule finding.
    Warning {
        /// What.
        message: String,
    },
    /// An item ended in a failed state.
    ItemFailed {
        /// Item.
        item: String,
        /// Stage it failed in.
        stage: Stage,
        /// Cause.
        cause: String,
        /// What kind of failure.
        kind: crate::error::ErrorKind,
        /// The provider's job error, for a failed job.
        job_error: Option<crate::error::JobError>,
    },
    /// An application stopped where a person decides (a phase of `hold_after`, a held
    /// commit, a manual action of its recovery plan, a verification that failed).
    Held {
        /// Which stop.
        hold: HoldKey,
        /// Why.
        reason: String,
    },
    /// A person released a hold (`failback resume --continue`).
    Released {
        /// Which stop.
        hold: HoldKey,
    },
    /// The run ended.
    RunFinished {
        /// Items done.
        done: usize,
        /// Items failed.
        failed: usize,
        /// Items not finished (cancelled or interrupted).
        pending: usize,
    },
}
