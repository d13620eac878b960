//! One unit (an item, or a replication group moving together): its stages in plan order.
//! A group's failover and commit go through its recovery plan, once for all members; its
//! reprotects run per member, side by side, and the next stage starts when all ended. A
//! failure of any operation fails every item of the unit, with the cause.

use std::sync::Arc;

use tokio::task::JoinSet;

use super::guards::{after_failover, before_commit, before_failover, data_loss_at, MemberFacts};
use super::op::{execute, Flow, Mutation, OpRun, OpSpec};
use super::run::Ctx;
use super::{ItemOutcome, ItemStatus, StageRecord};
use crate::error::Result;
use crate::events::Event;
use crate::journal::{Entry, OpKey};
use crate::provider::{Direction, FailoverRequest, MemberInputs, ReprotectRequest, Target};
use crate::readiness::{ItemReport, UnitReport, Via};
use crate::request::Stage;

/// One operation of a stage with what its checks need.
#[derive(Debug, Clone)]
struct StageJob {
    spec: OpSpec,
    /// Run the checks before issuing (a dry run skips those that depend on a stage it did
    /// not really run).
    check: bool,
    /// Per member: whether its failover succeeded in this run (`None`: not in this run).
    failover_ok: Vec<Option<bool>>,
}

/// How one operation of a stage went.
#[derive(Debug)]
struct StageOutcome {
    flow: Flow,
    record: StageRecord,
    members: Vec<MemberFacts>,
}

fn target_of(unit: &UnitReport, item: &ItemReport, stage: Stage) -> Option<Target> {
    let via = item.stages.iter().find(|p| p.stage == stage)?.via;
    match (via, &unit.recovery_plan) {
        (Via::RecoveryPlan, Some(rp)) => Some(Target::RecoveryPlan(rp.clone())),
        _ => Some(Target::Item(item.item.clone())),
    }
}

fn mutation(ctx: &Ctx, stage: Stage, item: &ItemReport) -> Mutation {
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

/// The mutation of a recovery-plan stage: the group's inputs, and for a reprotect each
/// member's own process server and datastore.
fn plan_mutation(
    ctx: &Ctx,
    stage: Stage,
    unit: &UnitReport,
    lead: &ItemReport,
    members: &[usize],
) -> Mutation {
    let mut m = mutation(ctx, stage, lead);
    if let Mutation::Reprotect(req) = &mut m {
        req.members = members
            .iter()
            .map(|&i| {
                let it = &unit.items[i];
                let (ps, ds) = match req.direction {
                    Direction::AzureToOnPrem => (
                        it.inputs.process_server.clone(),
                        it.inputs.datastore.clone(),
                    ),
                    Direction::OnPremToAzure => (it.inputs.return_process_server.clone(), None),
                };
                MemberInputs {
                    item: it.item.clone(),
                    process_server: ps,
                    datastore: ds,
                }
            })
            .collect();
    }
    m
}

fn new_outcome(unit: &UnitReport, item: &ItemReport) -> ItemOutcome {
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

/// Run one unit; returns its index and its items' outcomes. An error is a journal write
/// failure: the run stops.
pub(super) async fn run_unit(ctx: Arc<Ctx>, u: usize) -> Result<(usize, Vec<ItemOutcome>)> {
    let plan = ctx.plan.clone();
    let unit = &plan.units[u];
    let mut outcomes: Vec<ItemOutcome> =
        unit.items.iter().map(|it| new_outcome(unit, it)).collect();

    // A unit that failed in an earlier run of this journal stays failed.
    if let Some(first) = unit.items.iter().find_map(|it| ctx.prior.failed(&it.item)) {
        let first = first.clone();
        for (o, it) in outcomes.iter_mut().zip(&unit.items) {
            let (stage, cause) = ctx.prior.failed(&it.item).cloned().unwrap_or(first.clone());
            o.status = ItemStatus::Failed { stage, cause };
            for r in o.stages.iter_mut() {
                if let Some(p) = target_of(unit, it, r.stage).and_then(|target| {
                    ctx.prior.op(&OpKey {
                        target,
                        stage: r.stage,
                    })
                }) {
                    r.started_at = p.started_at();
                    r.job = p.job.as_ref().map(|(j, _)| j.clone());
                    if let Some((state, _, at)) = &p.finished {
                        r.finished_at = Some(*at);
                        r.ok = Some(*state == crate::provider::JobState::Succeeded);
                    }
                }
            }
        }
        return Ok((u, outcomes));
    }

    let dry = ctx.settings.dry_run;
    let mut failover_ok: Vec<Option<bool>> = vec![None; unit.items.len()];
    let plans = |i: usize, s: Stage| unit.items[i].stages.iter().find(|p| p.stage == s);
    let stages: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|s| (0..unit.items.len()).any(|i| plans(i, *s).is_some()))
        .collect();
    for stage in stages {
        let members: Vec<usize> = (0..unit.items.len())
            .filter(|&i| plans(i, stage).is_some())
            .collect();
        let before = match stage {
            Stage::Failover => Some(Stage::Reprotect),
            Stage::Commit => Some(Stage::Failover),
            _ => None,
        };
        // In a dry run a check is meaningful only when the stage before it really
        // happened (before this run).
        let check = !dry || before.is_none_or(|b| !members.iter().any(|&i| plans(i, b).is_some()));
        let via_plan = members
            .iter()
            .any(|&i| plans(i, stage).is_some_and(|p| p.via == Via::RecoveryPlan));
        let attach = |idx: &[usize]| {
            idx.iter()
                .any(|&i| plans(i, stage).is_some_and(|p| p.attach))
        };
        let mut jobs: Vec<(Vec<usize>, StageJob)> = Vec::new();
        if via_plan {
            let Some(rp) = &unit.recovery_plan else {
                let cause = format!(
                    "{stage} of group {} needs its recovery plan, and the plan names none",
                    unit.name
                );
                fail_unit(&ctx, unit, &mut outcomes, stage, &cause)?;
                return Ok((u, outcomes));
            };
            jobs.push((
                members.clone(),
                StageJob {
                    spec: OpSpec {
                        key: OpKey {
                            target: Target::RecoveryPlan(rp.clone()),
                            stage,
                        },
                        members: members
                            .iter()
                            .map(|&i| unit.items[i].item.clone())
                            .collect(),
                        attach: attach(&members),
                        mutation: plan_mutation(
                            &ctx,
                            stage,
                            unit,
                            &unit.items[members[0]],
                            &members,
                        ),
                    },
                    check,
                    failover_ok: members.iter().map(|&i| failover_ok[i]).collect(),
                },
            ));
        } else {
            for &i in &members {
                let item = &unit.items[i];
                jobs.push((
                    vec![i],
                    StageJob {
                        spec: OpSpec {
                            key: OpKey {
                                target: Target::Item(item.item.clone()),
                                stage,
                            },
                            members: vec![item.item.clone()],
                            attach: attach(&[i]),
                            mutation: mutation(&ctx, stage, item),
                        },
                        check,
                        failover_ok: vec![failover_ok[i]],
                    },
                ));
            }
        }
        let results = run_jobs(&ctx, jobs).await?;
        let mut flow = Flow::Done;
        for (idx, out) in results {
            for (k, &i) in idx.iter().enumerate() {
                let o = &mut outcomes[i];
                if let Some(r) = o.stages.iter_mut().find(|r| r.stage == stage) {
                    *r = out.record.clone();
                }
                if let Some(f) = out.members.get(k) {
                    o.data_loss_seconds = f.data_loss.or(o.data_loss_seconds);
                    o.recovery_time_seconds = f.recovery_time.or(o.recovery_time_seconds);
                    o.findings.extend(f.findings.iter().cloned());
                }
                if stage == Stage::Failover && !dry {
                    failover_ok[i] = Some(out.flow == Flow::Done);
                }
            }
            flow = match (flow, out.flow) {
                (Flow::Failed(c), _) => Flow::Failed(c),
                (_, Flow::Failed(c)) => Flow::Failed(c),
                (Flow::Pending, _) | (_, Flow::Pending) => Flow::Pending,
                (Flow::Done, Flow::Done) => Flow::Done,
            };
        }
        match flow {
            Flow::Done => {}
            Flow::Pending => return Ok((u, outcomes)),
            Flow::Failed(cause) => {
                fail_unit(&ctx, unit, &mut outcomes, stage, &cause)?;
                return Ok((u, outcomes));
            }
        }
    }
    for o in &mut outcomes {
        o.status = ItemStatus::Done;
    }
    Ok((u, outcomes))
}

/// Run the operations of one stage side by side (a group's per-member reprotects).
async fn run_jobs(
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

/// Mark every item of the unit failed in `stage` with `cause`, in the journal too.
fn fail_unit(
    ctx: &Ctx,
    unit: &UnitReport,
    outcomes: &mut [ItemOutcome],
    stage: Stage,
    cause: &str,
) -> Result<()> {
    for (o, it) in outcomes.iter_mut().zip(&unit.items) {
        ctx.append(&Entry::ItemFailed {
            item: it.item.clone(),
            stage,
            cause: cause.to_string(),
            at: ctx.now(),
        })?;
        ctx.emit(Event::ItemFailed {
            item: it.item.clone(),
            stage,
            cause: cause.to_string(),
        });
        o.status = ItemStatus::Failed {
            stage,
            cause: cause.to_string(),
        };
    }
    Ok(())
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
            if stage == Stage::Failover {
                if let Some(at) = p.started_at() {
                    let losses = data_loss_at(&ctx, key, members, at).await;
                    for (f, l) in facts.iter_mut().zip(losses) {
                        f.data_loss = l;
                    }
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
        Flow::Pending => None,
    };
    if stage == Stage::Failover && flow == Flow::Done && !dry {
        let since = record.started_at.unwrap_or(now);
        let after = after_failover(&ctx, key, members, since).await?;
        for (f, a) in facts.iter_mut().zip(after) {
            f.recovery_time = a.recovery_time;
            f.findings = a.findings;
        }
    }
    if flow != Flow::Pending {
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
