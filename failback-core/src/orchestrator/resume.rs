//! What an earlier run of the same journal did: per operation its intent, job and end, and
//! the items that failed. A resumed run skips finished operations, re-attaches to jobs it
//! started, and looks for the job of an intent it could not record before it stopped.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::journal::{Entry, OpKey};
use crate::provider::{JobId, JobState};
use crate::request::Stage;

/// One operation as the journal knows it.
#[derive(Debug, Clone, Default)]
pub(super) struct OpPrior {
    /// When its intent was recorded.
    pub intent_at: Option<DateTime<Utc>>,
    /// Its job and when it was recorded.
    pub job: Option<(JobId, DateTime<Utc>)>,
    /// How its job ended, why, and when.
    pub finished: Option<(JobState, Option<String>, DateTime<Utc>)>,
}

impl OpPrior {
    /// When the operation started: its intent, or its job for an attached one.
    pub(super) fn started_at(&self) -> Option<DateTime<Utc>> {
        self.intent_at.or(self.job.as_ref().map(|(_, at)| *at))
    }
}

/// The journal of the run being resumed; empty for a fresh run.
#[derive(Debug, Default)]
pub(super) struct Prior {
    ops: HashMap<OpKey, OpPrior>,
    failed: HashMap<String, (Stage, String)>,
}

impl Prior {
    /// Rebuild from the records of a journal.
    pub(super) fn from_entries(entries: &[Entry]) -> Self {
        let mut p = Prior::default();
        for e in entries {
            match e {
                Entry::Intent { op, at } => {
                    p.ops.entry(op.clone()).or_default().intent_at = Some(*at);
                }
                Entry::JobStarted { op, job, at, .. } => {
                    p.ops.entry(op.clone()).or_default().job = Some((job.clone(), *at));
                }
                Entry::JobFinished {
                    op,
                    job,
                    state,
                    error,
                    at,
                } => {
                    let o = p.ops.entry(op.clone()).or_default();
                    if o.job.is_none() {
                        o.job = Some((job.clone(), *at));
                    }
                    o.finished = Some((*state, error.clone(), *at));
                }
                Entry::ItemFailed {
                    item, stage, cause, ..
                } => {
                    p.failed.insert(item.clone(), (*stage, cause.clone()));
                }
                Entry::RunStarted { .. } | Entry::Verified { .. } | Entry::RunFinished { .. } => {}
            }
        }
        p
    }

    /// What the journal knows of an operation.
    pub(super) fn op(&self, key: &OpKey) -> Option<&OpPrior> {
        self.ops.get(key)
    }

    /// How an item failed in the earlier run.
    pub(super) fn failed(&self, item: &str) -> Option<&(Stage, String)> {
        self.failed.get(item)
    }
}
