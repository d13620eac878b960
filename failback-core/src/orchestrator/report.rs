//! What a run did: per item each stage's start and end, the achieved recovery time and
//! data loss, the findings after failback, and how the item ended.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, JobError};
use crate::journal::HoldKey;
use crate::provider::JobId;
use crate::request::Stage;
use crate::rules::Finding;
use crate::runbook::Phase;

/// Why an item (or an operation) failed, typed to the end: the kind (a provider's, a
/// refused invariant, a deadline), the whole cause line, and what the provider said (its
/// job error, its request id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The cause, with the stage and target it happened on.
    pub message: String,
    /// The provider's job error, for a failed job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_error: Option<JobError>,
    /// The provider's request id, when the failure was a call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Failure {
    /// A failure of `kind` with its cause line and nothing from a provider.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            job_error: None,
            request_id: None,
        }
    }

    /// The failure an error makes, under the cause line `message`: its kind (`Other` when
    /// it has none), job error and request id.
    pub fn of(e: &crate::Error, message: impl Into<String>) -> Failure {
        let p = e.provider_error();
        Failure {
            kind: e.kind().unwrap_or(ErrorKind::Other),
            message: message.into(),
            job_error: p.and_then(|p| p.job_error.clone()),
            request_id: p.and_then(|p| p.request_id.clone()),
        }
    }
}

impl ItemStatus {
    /// An item failed in `stage` with `failure`.
    pub fn failed(stage: Stage, failure: &Failure) -> ItemStatus {
        ItemStatus::Failed {
            stage,
            cause: failure.message.clone(),
            kind: Some(failure.kind),
            job_error: failure.job_error.clone(),
        }
    }
}

/// Items left pending while holds are pending wait behind them: held, after their
/// reprotect (none of their stages started) or their wait for a healthy replication. One
/// rule for the run's report and the report rebuilt from its journal.
pub(super) fn hold_waiting<'a>(
    items: impl Iterator<Item = &'a mut ItemOutcome>,
    held_applications: &[String],
) {
    if held_applications.is_empty() {
        return;
    }
    let reason = format!(
        "waits behind the held application{} {} (its disk slots or its wave)",
        if held_applications.len() == 1 {
            ""
        } else {
            "s"
        },
        held_applications.join(", ")
    );
    for o in items {
        if matches!(o.status, ItemStatus::Pending) {
            let phase = if o.stages.iter().any(|r| r.started_at.is_some()) {
                Phase::WaitHealthy
            } else {
                Phase::Reprotect
            };
            o.status = ItemStatus::Held {
                phase,
                reason: reason.clone(),
            };
        }
    }
}

/// Why an application's failovers were cancelled: the request's rehearsal policy, or the
/// items whose verification failed. One wording for the run and the rebuilt report.
pub(super) fn rollback_cause(rehearsal: bool, failed: &[&str]) -> String {
    if rehearsal {
        "rolled back by the request's commit policy (a rehearsal)".into()
    } else {
        format!("verification failed for {}", failed.join(", "))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// How an item ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemStatus {
    /// Every planned stage succeeded.
    Done,
    /// A stage failed; the item stopped there, in a state the report names.
    Failed {
        /// The stage.
        stage: Stage,
        /// The cause, in one line.
        cause: String,
        /// What kind of failure (absent in a report of an older failback).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(with = "ErrorKind")]
        kind: Option<ErrorKind>,
        /// The provider's job error, for a failed job.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(with = "JobError")]
        job_error: Option<JobError>,
    },
    /// Not finished: cancelled, or interrupted (resume the journal to go on), or waiting
    /// behind a held application (its disk slots, its wave).
    Pending,
    /// Stopped where a person decides (a phase of `hold_after`, a held commit, a manual
    /// action, a classic item whose verification failed): `failback resume --continue`
    /// goes on.
    Held {
        /// The phase it stopped after.
        phase: Phase,
        /// Why.
        reason: String,
    },
    /// Its failover was cancelled (modernized flavour): it replicates to on-premises again,
    /// its Azure VM runs.
    RolledBack {
        /// Why (the verification that failed, or the `rollback` commit policy).
        cause: String,
    },
}

/// One stage of one item in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

/// How an application ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationOutcome {
    /// Its name.
    pub name: String,
    /// Its cutover wave.
    pub wave: u32,
    /// Its items, in boot order.
    pub items: Vec<String>,
    /// When its first failover started (its first Azure VM shut down), when one did.
    pub cutover_started_at: Option<DateTime<Utc>>,
    /// When its last on-premises VM was seen running and verified.
    pub verified_at: Option<DateTime<Utc>>,
    /// Its downtime: first Azure VM shut down to last on-premises VM running and verified.
    pub downtime_seconds: Option<u64>,
    /// The cutover window its failover started in, when the request gave windows.
    pub window: Option<crate::runbook::Window>,
    /// Where it stopped for a person, if it did.
    pub held: Option<HoldKey>,
}

/// A hold the run reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HoldRecord {
    /// Which.
    pub hold: HoldKey,
    /// Why.
    pub reason: String,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Per application.
    #[serde(default)]
    pub applications: Vec<ApplicationOutcome>,
    /// The holds where the run stopped for a person (`failback resume --continue`).
    #[serde(default)]
    pub holds: Vec<HoldRecord>,
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
    /// Items held where a person decides.
    pub fn held(&self) -> usize {
        self.count(|s| matches!(s, ItemStatus::Held { .. }))
    }
    /// Items rolled back.
    pub fn rolled_back(&self) -> usize {
        self.count(|s| matches!(s, ItemStatus::RolledBack { .. }))
    }
    fn count(&self, f: impl Fn(&ItemStatus) -> bool) -> usize {
        self.items.iter().filter(|i| f(&i.status)).count()
    }
}

/// When one phase of one cutover wave ran, as the run's records show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PhaseSpan {
    /// The phase.
    pub phase: Phase,
    /// The cutover wave.
    pub wave: u32,
    /// Its first step's start.
    pub started_at: DateTime<Utc>,
    /// Its last step's end.
    pub finished_at: DateTime<Utc>,
}

impl RunReport {
    /// The phases of each wave of `plan` as they ran: reprotect, from the wave's first
    /// reprotect to its last; wait-healthy, from the last reprotect's end to the first
    /// failover; cutover, first failover start to last failover end; verify, to the last
    /// application verified; commit and reprotect to Azure, first start to last end.
    pub fn phase_spans(&self, plan: &crate::plan::Plan) -> Vec<PhaseSpan> {
        use std::collections::BTreeMap;
        let wave_of: std::collections::HashMap<&str, u32> = plan
            .applications
            .iter()
            .flat_map(|a| a.items().map(move |i| (i, a.wave)))
            .collect();
        let mut spans: BTreeMap<(u32, Phase), (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
        type Spans = BTreeMap<(u32, Phase), (DateTime<Utc>, DateTime<Utc>)>;
        fn put(spans: &mut Spans, wave: u32, phase: Phase, s: DateTime<Utc>, e: DateTime<Utc>) {
            let v = spans.entry((wave, phase)).or_insert((s, e));
            v.0 = v.0.min(s);
            v.1 = v.1.max(e);
        }
        for it in &self.items {
            let wave = wave_of.get(it.item.as_str()).copied().unwrap_or(0);
            for r in &it.stages {
                let (Some(s), Some(e)) = (r.started_at, r.finished_at) else {
                    continue;
                };
                put(&mut spans, wave, Phase::of_stage(r.stage), s, e);
            }
        }
        for a in &self.applications {
            if let (Some(cut), Some(v)) = (
                spans.get(&(a.wave, Phase::Cutover)).map(|c| c.1),
                a.verified_at,
            ) {
                put(&mut spans, a.wave, Phase::Verify, cut.min(v), v);
            }
        }
        let waves: Vec<u32> = spans.keys().map(|(w, _)| *w).collect();
        for w in waves {
            if let (Some(r), Some(c)) = (
                spans.get(&(w, Phase::Reprotect)).copied(),
                spans.get(&(w, Phase::Cutover)).copied(),
            ) {
                if c.0 >= r.1 {
                    spans.insert((w, Phase::WaitHealthy), (r.1, c.0));
                }
            }
        }
        spans
            .into_iter()
            .map(|((wave, phase), (started_at, finished_at))| PhaseSpan {
                phase,
                wave,
                started_at,
                finished_at,
            })
            .collect()
    }
}
