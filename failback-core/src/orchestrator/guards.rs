//! The safety invariants, checked before an operation is issued and journaled as
//! `Verified` records:
//!
//! - before a failover (invariant 2): every member replicates Azure to on-prem (reprotect
//!   completed, FO-001) and its latest recovery point is within the RPO threshold, unless
//!   the request accepts a stale point; the point failed over to gives the data loss;
//! - after a failover: the on-prem VM is waited for until it runs (the recovery time) and
//!   the Azure VM is seen shut down (FO-003); the after-failback findings are made;
//! - before a commit (invariant 1, FO-004): the failover succeeded, the on-prem VM runs and
//!   the Azure VM is shut down.

use chrono::{DateTime, Utc};

use super::ctx::Ctx;
use super::op::{target_name, Flow};
use super::report::Failure;
use super::retry::PollBackoff;
use crate::error::{Error, Result};
use crate::estate::{Consistency, RecoveryPoint};
use crate::events::Event;
use crate::journal::{Check, Entry, Figure, OpKey};
use crate::provider::{PointSpec, Target, VmRuntime};
use crate::rules::Finding;
use crate::state::ProtectionState;

/// A check's outcome: go on with a value, or stop with a flow (refused, or cancelled).
pub(super) type Checked<T> = std::result::Result<T, Flow>;

/// What a run learns of one member around its failover.
#[derive(Debug, Clone, Default)]
pub(super) struct MemberFacts {
    /// Age of the point failed over to, at failover time, in seconds.
    pub(super) data_loss: Option<u64>,
    /// Failover start to the on-prem VM seen running, in seconds.
    pub(super) recovery_time: Option<u64>,
    /// After-failback findings.
    pub(super) findings: Vec<Finding>,
}

fn seconds(d: chrono::Duration) -> u64 {
    u64::try_from(d.num_seconds()).unwrap_or(0)
}

/// Whether a VM is running: powered on, and its guest not known to be down.
pub(super) fn is_running(rt: &VmRuntime) -> bool {
    rt.powered_on && rt.guest_running != Some(false)
}

fn verified(ctx: &Ctx, op: &OpKey, check: Check, ok: bool, detail: String) -> Result<()> {
    verified_figure(ctx, op, check, ok, detail, None)
}

/// A check that measured `figure` (the member and its seconds).
fn verified_figure(
    ctx: &Ctx,
    op: &OpKey,
    check: Check,
    ok: bool,
    detail: String,
    figure: Option<Figure>,
) -> Result<()> {
    ctx.append(&Entry::Verified {
        op: op.clone(),
        check,
        ok,
        detail,
        figure,
        at: ctx.now(),
    })
}

fn figure(item: &str, seconds: u64) -> Option<Figure> {
    Some(Figure {
        item: item.to_string(),
        seconds,
        findings: Vec::new(),
    })
}

fn refuse(item: &str, message: String) -> Flow {
    let e = Error::Invariant {
        item: item.to_string(),
        message,
    };
    Flow::Failed(Failure::of(&e, e.to_string()))
}

fn read_failed(op: &OpKey, what: &str, e: Error) -> Flow {
    match e {
        Error::Cancelled => Flow::Pending,
        e => Flow::Failed(Failure::of(
            &e,
            format!("{} of {}: {what}: {e}", op.stage, op.target),
        )),
    }
}

/// The point a failover to `spec` at `at` lands on among an item's points. A named point
/// of a group is any member's id at a common time (`reference`): the other members fail
/// over to their point at that time.
pub(super) fn resolve_point<'a>(
    points: &'a [RecoveryPoint],
    spec: &PointSpec,
    reference: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Option<&'a RecoveryPoint> {
    let eligible = points.iter().filter(|p| p.time <= at);
    match spec {
        PointSpec::Latest => eligible.max_by_key(|p| p.time),
        PointSpec::LatestApplicationConsistent => eligible
            .filter(|p| p.consistency == Consistency::ApplicationConsistent)
            .max_by_key(|p| p.time),
        PointSpec::Id(id) => points
            .iter()
            .find(|p| &p.id == id)
            .or_else(|| reference.and_then(|t| points.iter().find(|p| p.time == t))),
    }
}

fn describe(spec: &PointSpec) -> String {
    match spec {
        PointSpec::Latest => "the latest point".into(),
        PointSpec::LatestApplicationConsistent => "the latest application-consistent point".into(),
        PointSpec::Id(id) => format!("point {id}"),
    }
}

async fn points_of(ctx: &Ctx, op: &OpKey, members: &[String]) -> Checked<Vec<Vec<RecoveryPoint>>> {
    let mut all = Vec::with_capacity(members.len());
    for m in members {
        let t = Target::Item(m.clone());
        let pts = ctx
            .read(&t, op.stage, || ctx.recovery.recovery_points(m))
            .await
            .map_err(|e| read_failed(op, &format!("reading the recovery points of {m}"), e))?;
        all.push(pts);
    }
    Ok(all)
}

fn reference_time(points: &[Vec<RecoveryPoint>], spec: &PointSpec) -> Option<DateTime<Utc>> {
    match spec {
        PointSpec::Id(id) => points
            .iter()
            .flatten()
            .find(|p| &p.id == id)
            .map(|p| p.time),
        _ => None,
    }
}

/// Invariant 2, before a failover of `members` (one item, or a recovery plan's members,
/// each on its own point of the choice). Returns each member's data loss. The modernized
/// failback is a planned failover that makes its own point when it starts: it needs the
/// members replicating, not a fresh point, and loses nothing.
pub(super) async fn before_failover(
    ctx: &Ctx,
    op: &OpKey,
    members: &[String],
) -> Result<Checked<Vec<Option<u64>>>> {
    let now = ctx.now();
    for m in members {
        let t = Target::Item(m.clone());
        let state = match ctx
            .read(&t, op.stage, || ctx.recovery.protection_state(m))
            .await
        {
            Ok(s) => s,
            Err(e) => {
                return Ok(Err(read_failed(
                    op,
                    &format!("reading the state of {m}"),
                    e,
                )))
            }
        };
        let ok = state == ProtectionState::ReplicatingToOnPrem;
        verified(
            ctx,
            op,
            Check::ReprotectCompleted,
            ok,
            format!("{m} is {state}"),
        )?;
        if !ok {
            return Ok(Err(refuse(
                m,
                format!("FO-001: failover needs a completed reprotect (replicating to on-prem), but {m} is {state}"),
            )));
        }
    }
    if ctx.planned_failover() {
        verified(
            ctx,
            op,
            Check::RecoveryPointFresh,
            true,
            "a planned failover makes its own point when it starts: no data loss".into(),
        )?;
        return Ok(Ok(vec![Some(0); members.len()]));
    }
    let points = match points_of(ctx, op, members).await {
        Ok(p) => p,
        Err(flow) => return Ok(Err(flow)),
    };
    let spec = ctx.point();
    let reference = reference_time(&points, &spec);
    let rpo = ctx.rpo();
    let rpo_min = rpo.num_minutes();
    let mut losses = Vec::with_capacity(members.len());
    for (m, pts) in members.iter().zip(&points) {
        let Some(latest) = pts.iter().max_by_key(|p| p.time) else {
            verified(
                ctx,
                op,
                Check::RecoveryPointFresh,
                false,
                format!("{m} has no recovery point"),
            )?;
            return Ok(Err(refuse(
                m,
                format!("EXT-007: {m} has no recovery point"),
            )));
        };
        let Some(chosen) = resolve_point(pts, &spec, reference, now) else {
            let what = describe(&spec);
            verified(
                ctx,
                op,
                Check::RecoveryPointFresh,
                false,
                format!("{m}: {what} does not exist"),
            )?;
            return Ok(Err(refuse(
                m,
                format!("{m}: {what} does not exist; nothing to fail over to (EXT-007)"),
            )));
        };
        let age = (now - latest.time).max(chrono::Duration::zero());
        let loss = seconds(now - chosen.time);
        let detail = format!(
            "the latest point of {m} is {} s old (RPO threshold {rpo_min} min); {} ({}) loses {loss} s",
            age.num_seconds(),
            describe(&spec),
            chosen.id
        );
        if age <= rpo {
            verified_figure(
                ctx,
                op,
                Check::RecoveryPointFresh,
                true,
                detail,
                figure(m, loss),
            )?;
        } else if ctx.plan.request.accept_stale_point {
            verified_figure(
                ctx,
                op,
                Check::RecoveryPointFresh,
                true,
                format!("stale point accepted: {detail}"),
                figure(m, loss),
            )?;
            ctx.warn(format!(
                "{m}: stale recovery point accepted by the request: the latest point is {} min old (RPO threshold {rpo_min} min); data loss {loss} s",
                age.num_minutes()
            ));
        } else {
            verified(ctx, op, Check::RecoveryPointFresh, false, detail)?;
            return Ok(Err(refuse(
                m,
                format!(
                    "the latest recovery point of {m} is {} min old, over the RPO threshold of {rpo_min} min (the request may accept a stale point)",
                    age.num_minutes()
                ),
            )));
        }
        losses.push(Some(loss));
    }
    Ok(Ok(losses))
}

/// The data loss of a failover issued at `at` by an earlier run (resume): the age, then,
/// of the point it chose. Unknown when the points are gone.
pub(super) async fn data_loss_at(
    ctx: &Ctx,
    op: &OpKey,
    members: &[String],
    at: DateTime<Utc>,
) -> Vec<Option<u64>> {
    if ctx.planned_failover() {
        return vec![Some(0); members.len()];
    }
    let Ok(points) = points_of(ctx, op, members).await else {
        return vec![None; members.len()];
    };
    let spec = ctx.point();
    let reference = reference_time(&points, &spec);
    points
        .iter()
        .map(|pts| resolve_point(pts, &spec, reference, at).map(|p| seconds(at - p.time)))
        .collect()
}

/// After a failover succeeded: wait (up to `verify_timeout`) for each member's on-prem VM
/// to run, which gives the recovery time and the findings, and check that its Azure VM is
/// shut down (FO-003). Nothing here refuses: the commit checks again before it is issued.
pub(super) async fn after_failover(
    ctx: &Ctx,
    op: &OpKey,
    members: &[String],
    started: DateTime<Utc>,
) -> Result<Vec<MemberFacts>> {
    let mut out = Vec::with_capacity(members.len());
    for m in members {
        let t = Target::Item(m.clone());
        let mut facts = MemberFacts::default();
        let until = ctx.now()
            + chrono::Duration::from_std(ctx.settings.verify_timeout)
                .unwrap_or(chrono::TimeDelta::MAX);
        let mut backoff = PollBackoff::new(ctx.settings.poll_initial, ctx.settings.poll_max);
        let mut seen = None;
        let mut why = format!(
            "not seen running within {} s",
            ctx.settings.verify_timeout.as_secs()
        );
        loop {
            match ctx.read(&t, op.stage, || ctx.onprem.vm_runtime(m)).await {
                Ok(Some(rt)) if is_running(&rt) => {
                    seen = Some((ctx.now(), rt));
                    break;
                }
                Ok(_) => {}
                Err(Error::Cancelled) => {
                    why = "not seen running before the run was cancelled".into();
                    break;
                }
                Err(e) => {
                    why = format!("its state could not be read: {e}");
                    break;
                }
            }
            let now = ctx.now();
            if now >= until {
                break;
            }
            let left = (until - now).to_std().unwrap_or_default();
            if !ctx.sleep(backoff.next(None).min(left)).await {
                why = "not seen running before the run was cancelled".into();
                break;
            }
        }
        match seen {
            Some((at, rt)) => {
                let rto = seconds(at - started);
                facts.recovery_time = Some(rto);
                facts.findings = ctx.knowledge.findings(m, &rt);
                verified_figure(
                    ctx,
                    op,
                    Check::OnPremVmRunning,
                    true,
                    format!("the on-prem VM of {m} ({}) was seen running {rto} s after the failover started", rt.vm),
                    Some(Figure {
                        item: m.clone(),
                        seconds: rto,
                        findings: facts.findings.clone(),
                    }),
                )?;
                for f in &facts.findings {
                    ctx.emit(Event::Finding(f.clone()));
                }
            }
            None => {
                verified(
                    ctx,
                    op,
                    Check::OnPremVmRunning,
                    false,
                    format!("the on-prem VM of {m}: {why}"),
                )?;
                ctx.warn(format!(
                    "{}: failover succeeded but the on-prem VM of {m} was {why}",
                    target_name(&op.target)
                ));
            }
        }
        if !ctx.cancel.is_cancelled() {
            match ctx
                .read(&t, op.stage, || ctx.recovery.azure_vm_shut_down(m))
                .await
            {
                Ok(down) => {
                    let detail = if down { "shut down" } else { "still running" };
                    verified(
                        ctx,
                        op,
                        Check::AzureVmShutDown,
                        down,
                        format!("the Azure VM of {m} is {detail}"),
                    )?;
                    if !down {
                        ctx.warn(format!(
                            "FO-003: after the failover the Azure VM of {m} is still running"
                        ));
                    }
                }
                Err(e) => ctx.warn(format!(
                    "FO-003: cannot tell whether the Azure VM of {m} is shut down: {e}"
                )),
            }
        }
        out.push(facts);
    }
    Ok(out)
}

/// Invariant 1 and FO-004, before a commit: the failover succeeded (`failover_ok`, or the
/// item's state when the failover happened before this run), the on-prem VM runs, the
/// Azure VM is shut down.
pub(super) async fn before_commit(
    ctx: &Ctx,
    op: &OpKey,
    members: &[String],
    failover_ok: &[Option<bool>],
) -> Result<Checked<()>> {
    for (i, m) in members.iter().enumerate() {
        let t = Target::Item(m.clone());
        let (ok, detail) = match failover_ok.get(i).copied().flatten() {
            Some(true) => (true, format!("the failover of {m} succeeded in this run")),
            Some(false) => (false, format!("the failover of {m} did not succeed")),
            None => match ctx
                .read(&t, op.stage, || ctx.recovery.protection_state(m))
                .await
            {
                Ok(s) => (
                    s == ProtectionState::FailedBackAwaitingCommit,
                    format!("{m} is {s}"),
                ),
                Err(e) => {
                    return Ok(Err(read_failed(
                        op,
                        &format!("reading the state of {m}"),
                        e,
                    )))
                }
            },
        };
        verified(ctx, op, Check::FailoverSucceeded, ok, detail.clone())?;
        if !ok {
            return Ok(Err(refuse(
                m,
                format!("FO-004: commit needs a succeeded failover; {detail}"),
            )));
        }
        let rt = match ctx.read(&t, op.stage, || ctx.onprem.vm_runtime(m)).await {
            Ok(rt) => rt,
            Err(e) => {
                return Ok(Err(read_failed(
                    op,
                    &format!("reading the on-prem VM of {m}"),
                    e,
                )))
            }
        };
        let running = rt.as_ref().is_some_and(is_running);
        let detail = match &rt {
            None => format!("no on-prem VM found for {m}"),
            Some(rt) => format!(
                "the on-prem VM of {m} ({}) is {}",
                rt.vm,
                if running { "running" } else { "not running" }
            ),
        };
        verified(ctx, op, Check::OnPremVmRunning, running, detail.clone())?;
        if !running {
            return Ok(Err(refuse(
                m,
                format!("invariant 1: commit needs the on-prem VM seen running; {detail}"),
            )));
        }
        let down = match ctx
            .read(&t, op.stage, || ctx.recovery.azure_vm_shut_down(m))
            .await
        {
            Ok(d) => d,
            Err(e) => {
                return Ok(Err(read_failed(
                    op,
                    &format!("reading the Azure VM of {m}"),
                    e,
                )))
            }
        };
        verified(
            ctx,
            op,
            Check::AzureVmShutDown,
            down,
            format!(
                "the Azure VM of {m} is {}",
                if down { "shut down" } else { "still running" }
            ),
        )?;
        if !down {
            return Ok(Err(refuse(
                m,
                format!("FO-003: commit deletes the Azure VM, which must be shut down first; the Azure VM of {m} is still running"),
            )));
        }
    }
    Ok(Ok(()))
}
