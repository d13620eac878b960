//! One unit (an item, or a replication group moving together): its stages in plan order.
//! A group's failover and commit go through its recovery plan, once for all members; its
//! reprotects run per member, side by side, and the next stage starts when all ended. A
//! failure of any operation fails every item of the unit, with the cause.

use std::sync::Arc;

use tokio::task::JoinSet;

use super::ctx::Ctx;
use super::guards::{after_failover, before_commit, before_failover, data_loss_at, MemberFacts};
use super::op::{execute, Flow, Mutation, OpRun, OpSpec};
use super::{Failure, ItemOutcome, ItemStatus, StageRecord};
use crate::error::Result;
use crate::events::Event;
use crate::journal::{Check, Entry};
use crate::provider::{Direction, FailoverRequest, ReprotectRequest, Target};
use crate::readiness::{ItemReport, UnitReport, Via};
use crate::request::Stage;

/// One operation of a stage with what its checks need.
#[derive(Debug, Clone)]
pub(super) struct StageJob {
    pub(super) spec: OpSpec,
    /// Run the checks before issuing (a dry run skips those that depend on a stage it did
    /// not really run).
    pub(super) check: bool,
    /// Per member: whether its failover succeeded in this run (`None`: not in this run).
    pub(super) failover_ok: Vec<Option<bool>>,
}

/// How one operation of a stage went.
#[derive(Debug)]
pub(super) struct StageOutcome {
    pub(super) flow: Flow,
    pub(super) record: StageRecord,
    pub(super) members: Vec<MemberFacts>,
}

#[allow(dead_code)]
fn target_of(unit: &UnitReport, item: &ItemReport, stage: Stage) -> Option<Target> {
    let via = item.stages.iter().find(|p| p.stage == stage)?.via;
    match (via, &unit.recovery_plan) {
        (Via::RecoveryPlan, Some(rp)) => Some(Target::RecoveryPlan(rp.clone())),
        _ => Some(Target::Item(item.item.clone())),
    }
}

pub(super) fn mutation(ctx: &Ctx, stage: Stage, item: &ItemReport) -> Mutation {
    let i = &item.inputs;
    match stage {
        Stage::Reprotect => Mutation::Reprotect(ReprotectRequest {
            direction: Direction::AzureToOnPrem,
            master_target: i.master_target.clone(),
            process_server: i.process_server.clone(),
            datastore: i.datastore.clone(),
            retention_volume: i.retention_volume.clone(),
            policy: i.policy.clone(),
            members: Vec::new(),
        }),
        Stage::Failover => Mutation::Failover(FailoverRequest {
            point: ctx.point(),
            planned: ctx.planned_failover(),
        }),
        Stage::Commit => Mutation::Commit,
        Stage::ReprotectToAzure => Mutation::Reprotect(ReprotectRequest {
            direction: Direction::OnPremToAzure,
            master_target: None,
            process_server: i.return_process_server.clone(),
            datastore: None,
            retention_volume: None,
            policy: i.policy.clone(),
            members: Vec::new(),
        }),
    }
}

pub(super) fn new_outcome(unit: &UnitReport, item: &ItemReport) -> ItemOutcome {
    ItemOutcome {
        item: item.item.clone(),
        unit: unit.name.clone(),
        status: ItemStatus::Pending,
        stages: item
            .stages
            .iter()
            .map(|p| StageRecord {
                stage: p.stage,
                started_at: None,
                finished_at: None,
                job: None,
                ok: None,
                dry_run: false,
            })
            .collect(),
        recovery_time_seconds: None,
        data_loss_seconds: None,
        findings: Vec::new(),
    }
}

/// Put what an operation did into an item's outcome: its stage record, and for a
/// failover the member's data loss, recovery time and findings.
pub(super) fn apply_record(o: &mut ItemOutcome, out: &StageOutcome, facts: Option<&MemberFacts>) {
    if let Some(r) = o.stages.iter_mut().find(|r| r.stage == out.record.stage) {
        *r = out.record.clone();
    }
    if let Some(f) = facts {
        o.data_loss_seconds = f.data_loss.or(o.data_loss_seconds);
        o.recovery_time_seconds = f.recovery_time.or(o.recovery_time_seconds);
        o.findings.extend(f.findings.iter().cloned());
    }
}

/// Record `items` failed in `stage` with `cause`, in the journal and the event stream.
pub(super) fn fail_items(ctx: &Ctx, items: &[String], stage: Stage, cause: &Failure) -> Result<()> {
    for it in items {
        ctx.append(&Entry::ItemFailed {
            item: it.clone(),
            stage,
            cause: cause.message.clone(),
            kind: Some(cause.kind),
            job_error: cause.job_error.clone(),
            at: ctx.now(),
        })?;
        ctx.emit(Event::ItemFailed {
            item: it.clone(),
            stage,
            cause: cause.message.clone(),
            kind: cause.kind,
            job_error: cause.job_error.clone(),
        });
    }
    Ok(())
}

/// Run the operations of one stage side by side (a group's per-member reprotects).
pub(super) async fn run_jobs(
    ctx: &Arc<Ctx>,
    jobs: Vec<(Vec<usize>, StageJob)>,
) -> Result<Vec<(Vec<usize>, StageOutcome)>> {
    if jobs.len() == 1 {
        let mut out = Vec::with_capacity(1);
        for (idx, job) in jobs {
            out.push((idx, stage_op(ctx.clone(), job).await?));
        }
        return Ok(out);
    }
    let mut set = JoinSet::new();
    let n = jobs.len();
    let mut slots: Vec<Option<(Vec<usize>, StageOutcome)>> = (0..n).map(|_| None).collect();
    for (k, (idx, job)) in jobs.into_iter().enumerate() {
        let ctx = ctx.clone();
        set.spawn(async move { (k, idx, stage_op(ctx, job).await) });
    }
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((k, idx, r)) => slots[k] = Some((idx, r?)),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

/// One operation of a stage: its checks, the operation (or, in a dry run, nothing), and
/// after a failover the wait for the on-prem VM.
async fn stage_op(ctx: Arc<Ctx>, job: StageJob) -> Result<StageOutcome> {
    let key = &job.spec.key;
    let stage = key.stage;
    let members = &job.spec.members;
    let dry = ctx.settings.dry_run;
    let mut facts = vec![MemberFacts::default(); members.len()];
    let prior = ctx.prior.op(key).cloned();
    let finished_before = prior.as_ref().is_some_and(|p| p.finished.is_some());
    let mut record = StageRecord {
        stage,
        started_at: None,
        finished_at: None,
        job: None,
        ok: None,
        dry_run: false,
    };
    if ctx.cancel.is_cancelled() && !finished_before {
        if let Some(p) = &prior {
            record.started_at = p.started_at();
            record.job = p.job.as_ref().map(|(j, _)| j.clone());
        }
        return Ok(StageOutcome {
            flow: Flow::Pending,
            record,
            members: facts,
        });
    }
    let now = ctx.now();
    if !finished_before {
        ctx.emit(Event::StageStarted {
            target: key.target.clone(),
            items: members.clone(),
            stage,
            at: now,
        });
    }
    let (flow, run) = match &prior {
        Some(p) => {
            if stage == Stage::Failover && !key.cancel {
                // The data loss measured when the failover was checked; recomputed from
                // the points only for a journal without figures.
                let known: Vec<Option<u64>> = members
                    .iter()
                    .map(|m| ctx.prior.figure(m, Check::RecoveryPointFresh))
                    .collect();
                let losses = match p.started_at() {
                    Some(at) if known.iter().any(Option::is_none) => {
                        data_loss_at(&ctx, key, members, at).await
                    }
                    _ => vec![None; members.len()],
                };
                for ((f, k), l) in facts.iter_mut().zip(known).zip(losses) {
                    f.data_loss = k.or(l);
                }
            }
            execute(&ctx, &job.spec, Some(p)).await?
        }
        None => {
            let checked = if !job.check {
                Ok(())
            } else {
                match stage {
                    Stage::Failover => match before_failover(&ctx, key, members).await? {
                        Ok(losses) => {
                            for (f, l) in facts.iter_mut().zip(losses) {
                                f.data_loss = l;
                            }
                            Ok(())
                        }
                        Err(flow) => Err(flow),
                    },
                    Stage::Commit => before_commit(&ctx, key, members, &job.failover_ok).await?,
                    Stage::Reprotect | Stage::ReprotectToAzure => Ok(()),
                }
            };
            match checked {
                Err(flow) => (
                    flow,
                    OpRun {
                        started_at: Some(now),
                        finished_at: Some(ctx.now()),
                        job: None,
                    },
                ),
                Ok(()) if dry => {
                    record.dry_run = true;
                    (
                        Flow::Done,
                        OpRun {
                            started_at: Some(now),
                            finished_at: Some(ctx.now()),
                            job: None,
                        },
                    )
                }
                Ok(()) => execute(&ctx, &job.spec, None).await?,
            }
        }
    };
    record.started_at = run.started_at;
    record.finished_at = run.finished_at;
    record.job = run.job;
    record.ok = match &flow {
        Flow::Done => Some(true),
        Flow::Failed(_) => Some(false),
        Flow::Pending | Flow::Suspended(_) => None,
    };
    if stage == Stage::Failover && !key.cancel && flow == Flow::Done && !dry {
        let since = record.started_at.unwrap_or(now);
        let after = after_failover(&ctx, key, members, since).await?;
        for ((f, a), m) in facts.iter_mut().zip(after).zip(members) {
            // The first time the VM was seen running, not a resumed run's re-check.
            f.recovery_time = ctx
                .prior
                .figure(m, Check::OnPremVmRunning)
                .or(a.recovery_time);
            f.findings = ctx.prior.findings(m).cloned().unwrap_or(a.findings);
        }
    }
    if flow != Flow::Pending && !matches!(flow, Flow::Suspended(_)) {
        ctx.emit(Event::StageFinished {
            target: key.target.clone(),
            items: members.clone(),
            stage,
            ok: flow == Flow::Done,
            error: match &flow {
                Flow::Failed(c) => Some(c.clone()),
                _ => None,
            },
            at: record.finished_at.unwrap_or_else(|| ctx.now()),
        });
    }
    Ok(StageOutcome {
        flow,
        record,
        members: facts,
    })
}
