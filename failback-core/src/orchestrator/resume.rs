//! What an earlier run of the same journal did: per operation its intent, job and end, and
//! the items that failed. A resumed run skips finished operations, re-attaches to jobs it
//! started, and looks for the job of an intent it could not record before it stopped.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::journal::{Entry, HoldKey, OpKey};
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
    pub finished: Option<(JobState, Option<crate::error::JobError>, DateTime<Utc>)>,
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
    failed: HashMap<String, (Stage, super::report::Failure)>,
    /// Holds reached, with their reason and (for a manual action) the suspended job.
    held: std::collections::BTreeMap<HoldKey, (String, Option<JobId>)>,
    /// Holds a person released.
    released: std::collections::BTreeSet<HoldKey>,
    /// Items that passed the verify gate, with the detail and when.
    verified: HashMap<String, (String, chrono::DateTime<chrono::Utc>)>,
    /// Each member's first figure per check (data loss, recovery time).
    figures: HashMap<(String, crate::journal::Check), u64>,
    /// Each member's after-failback findings, from its first recovery-time figure.
    findings: HashMap<String, Vec<crate::rules::Finding>>,
    /// Items whose latest verification failed.
    unverified: std::collections::HashSet<String>,
    /// The warnings of the earlier runs, in order.
    warnings: Vec<String>,
}

impl Prior {
    /// A member's first figure of `check`, as an earlier run measured it.
    pub(super) fn figure(&self, item: &str, check: crate::journal::Check) -> Option<u64> {
        self.figures.get(&(item.to_string(), check)).copied()
    }

    /// A member's first after-failback findings, as an earlier run found them.
    pub(super) fn findings(&self, item: &str) -> Option<&Vec<crate::rules::Finding>> {
        self.findings.get(item)
    }

    /// The warnings of the earlier runs, in order: a resumed run's report keeps them.
    pub(super) fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether an item's latest verification failed.
    pub(super) fn failed_verification(&self, item: &str) -> bool {
        self.unverified.contains(item)
    }

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
                    item,
                    stage,
                    cause,
                    kind,
                    job_error,
                    ..
                } => {
                    let failure = super::report::Failure {
                        kind: kind.unwrap_or(crate::ErrorKind::Other),
                        message: cause.clone(),
                        job_error: job_error.clone(),
                        request_id: None,
                    };
                    p.failed.insert(item.clone(), (*stage, failure));
                }
                Entry::Held {
                    hold, reason, job, ..
                } => {
                    p.held.insert(hold.clone(), (reason.clone(), job.clone()));
                }
                Entry::Released { hold, .. } => {
                    p.released.insert(hold.clone());
                }
                Entry::Verified {
                    check,
                    figure: Some(f),
                    ..
                } => {
                    if let std::collections::hash_map::Entry::Vacant(v) =
                        p.figures.entry((f.item.clone(), *check))
                    {
                        v.insert(f.seconds);
                        if *check == crate::journal::Check::OnPremVmRunning {
                            p.findings.insert(f.item.clone(), f.findings.clone());
                        }
                    }
                }
                Entry::Verified {
                    op,
                    check: crate::journal::Check::ApplicationVerified,
                    ok,
                    detail,
                    at,
                    ..
                } => {
                    if let crate::provider::Target::Item(item) = &op.target {
                        if *ok {
                            p.verified.insert(item.clone(), (detail.clone(), *at));
                            p.unverified.remove(item);
                        } else {
                            p.verified.remove(item);
                            p.unverified.insert(item.clone());
                        }
                    }
                }
                Entry::Warning { message, .. } => p.warnings.push(message.clone()),
                Entry::RunStarted { .. }
                | Entry::Verified { .. }
                | Entry::JobResumed { .. }
                | Entry::RunFinished { .. } => {}
            }
        }
        p
    }

    /// When an item passed the verify gate in an earlier run, with the detail: a resumed
    /// run does not check it again, and its application's downtime ends then.
    pub(super) fn verified(&self, item: &str) -> Option<&(String, chrono::DateTime<chrono::Utc>)> {
        self.verified.get(item)
    }

    /// Whether a hold was reached in an earlier run.
    pub(super) fn was_held(&self, hold: &HoldKey) -> bool {
        self.held.contains_key(hold)
    }

    /// Whether a person released a hold in an earlier run.
    pub(super) fn was_released(&self, hold: &HoldKey) -> bool {
        self.released.contains(hold)
    }

    /// The holds reached and not released, with their reason and suspended job.
    pub(super) fn pending_holds(
        &self,
    ) -> impl Iterator<Item = (&HoldKey, &(String, Option<JobId>))> {
        self.held
            .iter()
            .filter(|(k, _)| !self.released.contains(*k))
    }

    /// What the journal knows of an operation.
    pub(super) fn op(&self, key: &OpKey) -> Option<&OpPrior> {
        self.ops.get(key)
    }

    /// How an item failed in the earlier run.
    pub(super) fn failed(&self, item: &str) -> Option<&(Stage, super::report::Failure)> {
        self.failed.get(item)
    }

    /// The order of a resumed run's queue: the units it left in flight (an intent or a job
    /// without an end) first, then the ones it had started, then the rest, each in plan
    /// order. A failover started before the crash is so watched to its end (and its VM
    /// verified) before new units take the slots.
    pub(super) fn resume_order(&self, units: &[crate::readiness::UnitReport]) -> Vec<usize> {
        use crate::provider::Target;
        use std::collections::HashSet;
        let mut in_flight: HashSet<&Target> = HashSet::new();
        let mut touched: HashSet<&Target> = HashSet::new();
        for (k, o) in &self.ops {
            touched.insert(&k.target);
            if o.finished.is_none() {
                in_flight.insert(&k.target);
            }
        }
        let rank = |u: &crate::readiness::UnitReport| -> u8 {
            let targets = u.items.iter().map(|i| Target::Item(i.item.clone())).chain(
                u.recovery_plan
                    .iter()
                    .map(|rp| Target::RecoveryPlan(rp.clone())),
            );
            let mut r = 2;
            for t in targets {
                if in_flight.contains(&t) {
                    return 0;
                }
                if touched.contains(&t) {
                    r = 1;
                }
            }
            r
        };
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by_cached_key(|&u| rank(&units[u]));
        order
    }
}
