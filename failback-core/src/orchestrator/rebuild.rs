//! The report of a run rebuilt from its journal alone: what `failback report` writes for a
//! run that finished, or one that was interrupted (killed, crashed, cancelled), with no
//! provider to ask.
//!
//! Every figure comes from a journaled record: each stage from its operation's intent,
//! job and end; each member's data loss, recovery time and findings from the first check
//! that measured them; failures, holds and releases from their records; verifications
//! from the verify gate's. An item is done when every planned stage succeeded, failed
//! when a failure was journaled, rolled back when the cancel of its failover succeeded,
//! held when its application's hold is still pending, and pending otherwise (while any
//! hold is pending, items that wait are held behind it, as the run reports them).
//!
//! The warnings are journaled too. A dry run issues nothing and journals no operation:
//! its stage records are not rebuilt.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::report::{
    ApplicationOutcome, HoldRecord, ItemOutcome, ItemStatus, RunReport, StageRecord,
};
use super::resume::Prior;
use crate::error::{Error, Result};
use crate::estate::Flavor;
use crate::journal::{Check, Entry, HoldKey, OpKey};
use crate::plan::Plan;
use crate::provider::{JobState, Target};
use crate::request::Stage;
use crate::runbook::CommitPolicy;

impl RunReport {
    /// The report of the run of `entries` (a journal's records, [`crate::journal::Journal::read`]),
    /// rebuilt with no provider: see the module documentation of what it holds. An error
    /// when the records do not start with the run.
    pub fn from_journal(entries: &[Entry]) -> Result<RunReport> {
        let Some(Entry::RunStarted {
            run_id, at, plan, ..
        }) = entries.first()
        else {
            return Err(Error::JournalCorrupt {
                path: Default::default(),
                line: 1,
                message: "the first record is not run_started: no run to report".into(),
            });
        };
        let prior = Prior::from_entries(entries);
        let finished_at = entries
            .iter()
            .rev()
            .find_map(entry_at)
            .unwrap_or(*at)
            .max(*at);
        let holds = pending_holds(entries);
        let mut items = Vec::new();
        for unit in &plan.units {
            for it in &unit.items {
                let targets = targets_of(plan, &it.item);
                let stages: Vec<StageRecord> = it
                    .stages
                    .iter()
                    .map(|p| stage_record(&prior, &targets, p.stage))
                    .collect();
                // A planned failover (modernized) makes its own point: no data loss, for
                // every member of the operation.
                let planned_loss = (plan.flavor == Flavor::Modernized
                    && stages
                        .iter()
                        .any(|r| r.stage == Stage::Failover && r.started_at.is_some()))
                .then_some(0);
                items.push(ItemOutcome {
                    item: it.item.clone(),
                    unit: unit.name.clone(),
                    status: ItemStatus::Pending,
                    stages,
                    recovery_time_seconds: prior.figure(&it.item, Check::OnPremVmRunning),
                    data_loss_seconds: prior
                        .figure(&it.item, Check::RecoveryPointFresh)
                        .or(planned_loss),
                    findings: prior.findings(&it.item).cloned().unwrap_or_default(),
                });
            }
        }
        let apps = applications(plan, &prior, &holds, &items);
        let app_of: HashMap<&str, usize> = plan
            .applications
            .iter()
            .enumerate()
            .flat_map(|(a, app)| app.items().map(move |i| (i, a)))
            .collect();
        for o in &mut items {
            o.status = status(plan, &prior, &holds, &app_of, o);
        }
        let held: Vec<String> = holds.keys().map(|h| h.application.clone()).collect();
        super::report::hold_waiting(items.iter_mut(), &held);
        Ok(RunReport {
            run_id: run_id.clone(),
            started_at: *at,
            finished_at,
            dry_run: false,
            warnings: prior.warnings().to_vec(),
            items,
            applications: apps,
            holds: {
                let mut reached: Vec<(usize, HoldRecord)> = holds
                    .into_iter()
                    .map(|(hold, (reason, n))| (n, HoldRecord { hold, reason }))
                    .collect();
                reached.sort_by_key(|(n, _)| *n);
                reached.into_iter().map(|(_, h)| h).collect()
            },
        })
    }
}

fn entry_at(e: &Entry) -> Option<DateTime<Utc>> {
    Some(match e {
        Entry::RunStarted { at, .. }
        | Entry::Intent { at, .. }
        | Entry::JobStarted { at, .. }
        | Entry::JobFinished { at, .. }
        | Entry::Verified { at, .. }
        | Entry::ItemFailed { at, .. }
        | Entry::Held { at, .. }
        | Entry::Released { at, .. }
        | Entry::JobResumed { at, .. }
        | Entry::Warning { at, .. }
        | Entry::RunFinished { at } => *at,
    })
}

/// The holds reached and not released since, in the order they were first reached, with
/// their reason and the order of their record.
fn pending_holds(entries: &[Entry]) -> BTreeMap<HoldKey, (String, usize)> {
    let mut held: BTreeMap<HoldKey, (String, usize)> = BTreeMap::new();
    for (n, e) in entries.iter().enumerate() {
        match e {
            Entry::Held { hold, reason, .. } => {
                held.entry(hold.clone()).or_insert((reason.clone(), n));
            }
            Entry::Released { hold, .. } => {
                held.remove(hold);
            }
            _ => {}
        }
    }
    held
}

/// The targets an item's operations can be on: itself, then its application's recovery
/// plan (a plan's failover and commit act on every member).
fn targets_of(plan: &Plan, item: &str) -> Vec<Target> {
    let mut out = vec![Target::Item(item.to_string())];
    let rps = plan
        .applications
        .iter()
        .filter(|a| a.items().any(|i| i == item))
        .filter_map(|a| a.recovery_plan.clone())
        .chain(
            plan.units
                .iter()
                .filter(|u| u.items.iter().any(|i| i.item == item))
                .filter_map(|u| u.recovery_plan.clone()),
        );
    for rp in rps {
        let t = Target::RecoveryPlan(rp);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The operation of `stage` for an item with these targets, as the journal knows it.
fn op_of<'p>(
    prior: &'p Prior,
    targets: &[Target],
    stage: Stage,
    cancel: bool,
) -> Option<&'p super::resume::OpPrior> {
    targets.iter().find_map(|t| {
        let key = if cancel {
            OpKey::cancel_of(t.clone(), stage)
        } else {
            OpKey::new(t.clone(), stage)
        };
        prior.op(&key)
    })
}

fn stage_record(prior: &Prior, targets: &[Target], stage: Stage) -> StageRecord {
    let op = op_of(prior, targets, stage, false);
    StageRecord {
        stage,
        started_at: op.and_then(|o| o.started_at()),
        finished_at: op.and_then(|o| o.finished.as_ref().map(|(_, _, at)| *at)),
        job: op.and_then(|o| o.job.as_ref().map(|(j, _)| j.clone())),
        ok: op.and_then(|o| {
            o.finished
                .as_ref()
                .map(|(state, _, _)| *state == JobState::Succeeded)
        }),
        dry_run: false,
    }
}

fn status(
    plan: &Plan,
    prior: &Prior,
    holds: &BTreeMap<HoldKey, (String, usize)>,
    app_of: &HashMap<&str, usize>,
    o: &ItemOutcome,
) -> ItemStatus {
    if let Some((stage, cause)) = prior.failed(&o.item) {
        return ItemStatus::failed(*stage, cause);
    }
    let targets = targets_of(plan, &o.item);
    let app = app_of.get(o.item.as_str()).map(|&a| &plan.applications[a]);
    let cancelled = op_of(prior, &targets, Stage::Failover, true)
        .and_then(|c| c.finished.as_ref())
        .is_some_and(|(state, _, _)| *state == JobState::Succeeded);
    if cancelled {
        let failed: Vec<&str> = app
            .map(|a| a.items().filter(|i| prior.failed_verification(i)).collect())
            .unwrap_or_default();
        let cause =
            super::report::rollback_cause(plan.request.commit == CommitPolicy::Rollback, &failed);
        return ItemStatus::RolledBack { cause };
    }
    if !o.stages.is_empty() && o.stages.iter().all(|r| r.ok == Some(true)) {
        return ItemStatus::Done;
    }
    if let Some(app) = app {
        if let Some((hold, (reason, _))) = holds.iter().find(|(h, _)| h.application == app.name) {
            return ItemStatus::Held {
                phase: hold.phase,
                reason: reason.clone(),
            };
        }
    }
    ItemStatus::Pending
}

fn applications(
    plan: &Plan,
    prior: &Prior,
    holds: &BTreeMap<HoldKey, (String, usize)>,
    items: &[ItemOutcome],
) -> Vec<ApplicationOutcome> {
    let by_item: HashMap<&str, &ItemOutcome> = items.iter().map(|o| (o.item.as_str(), o)).collect();
    plan.applications
        .iter()
        .map(|a| {
            let members: Vec<&str> = a.items().collect();
            let cutover_started_at = members
                .iter()
                .filter_map(|i| by_item.get(i))
                .filter_map(|o| {
                    o.stages
                        .iter()
                        .find(|r| r.stage == Stage::Failover)
                        .and_then(|r| r.started_at)
                })
                .min();
            let verified: Vec<Option<DateTime<Utc>>> = members
                .iter()
                .map(|i| prior.verified(i).map(|(_, at)| *at))
                .collect();
            let verified_at = if !verified.is_empty() && verified.iter().all(Option::is_some) {
                verified.into_iter().flatten().max()
            } else {
                None
            };
            let downtime_seconds = match (cutover_started_at, verified_at) {
                (Some(s), Some(e)) => Some(u64::try_from((e - s).num_seconds()).unwrap_or(0)),
                _ => None,
            };
            let window = cutover_started_at.and_then(|s| {
                plan.request
                    .cutover
                    .windows
                    .iter()
                    .find(|w| w.start <= s && s < w.end())
                    .cloned()
            });
            ApplicationOutcome {
                name: a.name.clone(),
                wave: a.wave,
                items: members.iter().map(|s| s.to_string()).collect(),
                cutover_started_at,
                verified_at,
                downtime_seconds,
                window,
                held: holds.keys().find(|h| h.application == a.name).cloned(),
            }
        })
        .collect()
}
