//! One remote mutation, crash-safe: an intent in the journal, the call (retried only when
//! the error is retryable, and only after asking the provider whether the failed call took
//! effect), the job id in the journal, then polling under the stage deadline.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::ctx::Ctx;
use super::report::Failure;
use super::resume::OpPrior;
use super::retry::PollBackoff;
use crate::error::{Error, ErrorKind, JobError, Result};
use crate::events::Event;
use crate::journal::{Entry, OpKey};
use crate::provider::{FailoverRequest, JobId, JobState, ReprotectRequest, Target};
use crate::state::{Operation, ProtectionState};

/// The call an operation makes.
#[derive(Debug, Clone)]
pub(super) enum Mutation {
    /// Reprotect, either direction.
    Reprotect(ReprotectRequest),
    /// Failover to on-prem.
    Failover(FailoverRequest),
    /// Commit.
    Commit,
    /// Cancel a failover that is not committed (a rollback).
    CancelFailover,
}

/// One operation: a stage on a target, for its member items.
#[derive(Debug, Clone)]
pub(super) struct OpSpec {
    /// Stage and target.
    pub(super) key: OpKey,
    /// The items it moves (one, or a group's members).
    pub(super) members: Vec<String>,
    /// The plan says its job already runs: find it instead of starting it.
    pub(super) attach: bool,
    /// The call.
    pub(super) mutation: Mutation,
}

/// How an operation (or a check before it) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Flow {
    /// Done.
    Done,
    /// Failed, with the cause.
    Failed(Failure),
    /// Not finished: cancelled (a running job is left running).
    Pending,
    /// The job is suspended on a manual action: a person decides.
    Suspended(crate::provider::ManualActionWait),
}

/// When an operation ran and its job.
#[derive(Debug, Clone, Default)]
pub(super) struct OpRun {
    pub(super) started_at: Option<DateTime<Utc>>,
    pub(super) finished_at: Option<DateTime<Utc>>,
    pub(super) job: Option<JobId>,
}

/// The protection operation of an operation key: its stage's, or the cancel of a failover.
pub(super) fn operation_of(key: &OpKey) -> Operation {
    if key.cancel {
        Operation::CancelFailover
    } else {
        key.stage.operation()
    }
}

/// The state an item is in before an operation takes effect.
fn state_before(op: Operation) -> ProtectionState {
    match op {
        Operation::Reprotect => ProtectionState::FailedOverToAzure,
        Operation::Failover => ProtectionState::ReplicatingToOnPrem,
        Operation::Commit | Operation::CancelFailover => ProtectionState::FailedBackAwaitingCommit,
        Operation::ReprotectToAzure => ProtectionState::CommittedUnprotected,
    }
}

/// The target's name for messages: an item id, or `recovery plan X`.
pub(super) fn target_name(t: &Target) -> String {
    match t {
        Target::Item(x) => x.clone(),
        Target::RecoveryPlan(_) => t.to_string(),
    }
}

/// A failure with its context (stage and target), attached once here, typed from `e`.
pub(super) fn cause(key: &OpKey, e: &Error) -> Failure {
    Failure::of(e, format!("{} of {}: {e}", key.stage, key.target))
}

fn job_flow(key: &OpKey, job: &JobId, state: JobState, error: &Option<JobError>) -> Flow {
    let how = match state {
        JobState::Succeeded => return Flow::Done,
        JobState::Failed => "failed",
        JobState::Cancelled => "was cancelled",
        JobState::NotStarted | JobState::InProgress | JobState::Suspended => "did not end",
    };
    Flow::Failed(Failure {
        kind: ErrorKind::JobFailed,
        message: format!(
            "{} job {job} of {} {how}{}",
            key.stage,
            key.target,
            error.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
        ),
        job_error: error.clone(),
        request_id: None,
    })
}

/// Run an operation to its end, or pick it up where the journal left it.
pub(super) async fn execute(
    ctx: &Ctx,
    spec: &OpSpec,
    prior: Option<&OpPrior>,
) -> Result<(Flow, OpRun)> {
    let key = &spec.key;
    let mut run = OpRun::default();
    if let Some(p) = prior {
        run.started_at = p.started_at();
        run.job = p.job.as_ref().map(|(j, _)| j.clone());
        if let Some((state, error, at)) = &p.finished {
            run.finished_at = Some(*at);
            let job = run.job.clone().unwrap_or_else(|| JobId(String::new()));
            return Ok((job_flow(key, &job, *state, error), run));
        }
        if let Some((job, _)) = &p.job {
            let job = job.clone();
            if ctx.releases(&job) {
                match resume_suspended(ctx, key, &job).await {
                    Ok(()) => {}
                    Err(Error::Cancelled) => return Ok((Flow::Pending, run)),
                    Err(e @ Error::JournalWrite { .. }) => return Err(e),
                    Err(e) => return Ok((Flow::Failed(cause(key, &e)), run)),
                }
            }
            ctx.emit(Event::JobStarted {
                target: key.target.clone(),
                stage: key.stage,
                job: job.clone(),
                reattached: true,
            });
            return poll(ctx, spec, &job, ctx.now(), run).await;
        }
        // An intent without a job: the call may or may not have reached the provider.
        match find_existing(ctx, spec, p.intent_at).await {
            Ok(Some(job)) => return attach(ctx, spec, job, ctx.now(), run).await,
            Ok(None) => {}
            Err(Error::Cancelled) => return Ok((Flow::Pending, run)),
            Err(e) => return Ok((Flow::Failed(cause(key, &e)), run)),
        }
        let since = ctx.now();
        return issue(ctx, spec, since, run).await;
    }
    let now = ctx.now();
    run.started_at = Some(now);
    if spec.attach {
        match find_existing(ctx, spec, None).await {
            Ok(Some(job)) => return attach(ctx, spec, job, now, run).await,
            Ok(None) => {}
            Err(Error::Cancelled) => return Ok((Flow::Pending, run)),
            Err(e) => return Ok((Flow::Failed(cause(key, &e)), run)),
        }
    }
    ctx.append(&Entry::Intent {
        op: key.clone(),
        at: now,
    })?;
    issue(ctx, spec, now, run).await
}

/// Record a job found again (not started by this call) and poll it.
async fn attach(
    ctx: &Ctx,
    spec: &OpSpec,
    job: JobId,
    since: DateTime<Utc>,
    mut run: OpRun,
) -> Result<(Flow, OpRun)> {
    record_job(ctx, &spec.key, &job, true)?;
    run.job = Some(job.clone());
    poll(ctx, spec, &job, since, run).await
}

fn record_job(ctx: &Ctx, key: &OpKey, job: &JobId, reattached: bool) -> Result<()> {
    ctx.append(&Entry::JobStarted {
        op: key.clone(),
        job: job.clone(),
        at: ctx.now(),
        reattached,
    })?;
    ctx.emit(Event::JobStarted {
        target: key.target.clone(),
        stage: key.stage,
        job: job.clone(),
        reattached,
    });
    Ok(())
}

async fn call(ctx: &Ctx, spec: &OpSpec) -> Result<JobId> {
    let target = &spec.key.target;
    let urgent = matches!(
        spec.mutation,
        Mutation::Failover(_) | Mutation::CancelFailover
    );
    ctx.write_slot(urgent).await;
    // The intent (and every record before it) on disk before the call: group commit.
    ctx.recorder.durable().await?;
    ctx.local_stop(match &spec.mutation {
        Mutation::Reprotect(r) => ctx.recovery.reprotect(target, r).await,
        Mutation::Failover(r) => ctx.recovery.failover(target, r).await,
        Mutation::Commit => ctx.recovery.commit(target).await,
        Mutation::CancelFailover => ctx.recovery.cancel_failover(target).await,
    })
}

/// Resume a job suspended on a manual action that a person released: journaled before the
/// call. A job that is no longer suspended (resumed before a crash) is left as it is.
async fn resume_suspended(ctx: &Ctx, key: &OpKey, job: &JobId) -> Result<()> {
    let status = ctx
        .read(&key.target, key.stage, || ctx.recovery.job(job))
        .await?;
    if status.state != JobState::Suspended {
        return Ok(());
    }
    ctx.append(&Entry::JobResumed {
        op: key.clone(),
        job: job.clone(),
        at: ctx.now(),
    })?;
    ctx.write_slot(true).await;
    ctx.recorder.durable().await?;
    match ctx.local_stop(
        ctx.recovery
            .resume_job(job, "released with failback resume --continue")
            .await,
    ) {
        Ok(()) => Ok(()),
        // Resumed already (a lost response, or before a crash): it runs again.
        Err(e) if e.kind() == Some(crate::ErrorKind::Conflict) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Issue the call (its intent is in the journal), retrying retryable errors; before each
/// retry, and after the last retryable error, ask the provider whether the call took
/// effect, and re-attach to its job if it did.
async fn issue(
    ctx: &Ctx,
    spec: &OpSpec,
    since: DateTime<Utc>,
    mut run: OpRun,
) -> Result<(Flow, OpRun)> {
    let key = &spec.key;
    let mut jitter = ctx.jitter(&key.target, key.stage, "issue");
    let attempts = ctx.settings.retry_attempts.max(1);
    let mut attempt = 1;
    let not_ready_until = since
        + chrono::Duration::from_std(ctx.settings.not_ready_budget)
            .unwrap_or(chrono::TimeDelta::MAX);
    let (job, reattached) = loop {
        let e = match call(ctx, spec).await {
            Ok(job) => break (job, false),
            // The run stopped (a local write failure): whether the call took effect is
            // for the resume to find out.
            Err(Error::Cancelled) => return Ok((Flow::Pending, run)),
            // The journal could not make the intent durable: the run stops, the call was
            // not made.
            Err(e @ Error::JournalWrite { .. }) => return Err(e),
            Err(e) => e,
        };
        // Not ready yet (the agent has not re-registered after commit): refused without
        // effect, so waiting and calling again issues nothing twice. Its own budget.
        if e.kind() == Some(crate::ErrorKind::NotReady) && ctx.now() < not_ready_until {
            let wait = e
                .retry_after()
                .unwrap_or(ctx.settings.poll_initial)
                .max(Duration::from_secs(1));
            ctx.retry_event(&key.target, key.stage, attempt, &e, wait);
            if !ctx.sleep(wait).await {
                return Ok((Flow::Pending, run));
            }
            continue;
        }
        let retry = e.is_retryable() && attempt < attempts;
        if retry {
            let wait = jitter.next(e.retry_after());
            ctx.retry_event(&key.target, key.stage, attempt, &e, wait);
            if !ctx.sleep(wait).await {
                return Ok((Flow::Pending, run));
            }
        }
        if e.is_retryable() {
            // A lost response: the call may have started a job anyway. Never issue twice.
            match find_existing(ctx, spec, Some(since)).await {
                Ok(Some(job)) => break (job, true),
                Ok(None) => {}
                Err(Error::Cancelled) => return Ok((Flow::Pending, run)),
                Err(e2) => {
                    let mut f = cause(key, &e);
                    f.message = format!("{}; whether it took effect is unknown: {e2}", f.message);
                    return Ok((Flow::Failed(f), run));
                }
            }
        }
        if !retry {
            return Ok((Flow::Failed(cause(key, &e)), run));
        }
        attempt += 1;
    };
    record_job(ctx, key, &job, reattached)?;
    run.job = Some(job.clone());
    poll(ctx, spec, &job, since, run).await
}

/// How much earlier than the intent's record a job may have started and still be ours:
/// the provider's clock and ours may differ by this much.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// The job of this operation on its target, if one took effect. When the provider gives
/// the newest job's start time and the intent's time is known, the job is ours exactly when
/// it started after the intent (less [`CLOCK_SKEW`]), whatever its state: a failed job of
/// ours fails the item rather than being issued again. Without a start time: the newest
/// job when it still runs, or when it succeeded and the members are past the state the
/// operation starts from (an older job of an earlier failback leaves them there).
async fn find_existing(
    ctx: &Ctx,
    spec: &OpSpec,
    intent_at: Option<DateTime<Utc>>,
) -> Result<Option<JobId>> {
    let key = &spec.key;
    let op = operation_of(key);
    let jobs = ctx
        .read(&key.target, key.stage, || {
            ctx.recovery.find_jobs(&key.target, op)
        })
        .await?;
    let Some(newest) = jobs.first() else {
        return Ok(None);
    };
    if let (Some(started), Some(intent)) = (newest.started_at, intent_at) {
        return Ok((started >= intent - CLOCK_SKEW).then(|| newest.id.clone()));
    }
    if !newest.state.is_final() {
        return Ok(Some(newest.id.clone()));
    }
    if newest.state != JobState::Succeeded {
        return Ok(None);
    }
    let before = state_before(op);
    for m in &spec.members {
        let item = Target::Item(m.clone());
        let state = ctx
            .read(&item, key.stage, || ctx.recovery.protection_state(m))
            .await?;
        if state == before {
            return Ok(None);
        }
    }
    Ok(Some(newest.id.clone()))
}

/// Poll a job to its end under the stage deadline (counted from `since`), honouring the
/// provider's suggested interval; journal how it ended.
async fn poll(
    ctx: &Ctx,
    spec: &OpSpec,
    job: &JobId,
    since: DateTime<Utc>,
    mut run: OpRun,
) -> Result<(Flow, OpRun)> {
    let key = &spec.key;
    let limit = ctx.settings.stage_deadline;
    let span = chrono::Duration::from_std(limit).unwrap_or(chrono::TimeDelta::MAX);
    // The deadline counts from the start, and again from each rise of the job's progress:
    // a 2 TB copy that keeps moving is not stuck, one that stops moving for the whole
    // deadline is.
    let mut deadline = since + span;
    let mut backoff = PollBackoff::new(ctx.settings.poll_initial, ctx.settings.poll_max);
    let mut progress = None;
    loop {
        let status = match ctx
            .read(&key.target, key.stage, || ctx.recovery.job(job))
            .await
        {
            Ok(s) => s,
            Err(Error::Cancelled) => return Ok((Flow::Pending, run)),
            Err(e) => return Ok((Flow::Failed(cause(key, &e)), run)),
        };
        if status.progress.is_some() && status.progress != progress {
            if status.progress > progress && progress.is_some() {
                deadline = deadline.max(ctx.now() + span);
            }
            progress = status.progress;
            ctx.emit(Event::JobProgress {
                target: key.target.clone(),
                stage: key.stage,
                percent: status.progress.unwrap_or(0),
            });
        }
        if status.state == JobState::Suspended {
            if let Some(wait) = status.manual_action.clone() {
                return Ok((Flow::Suspended(wait), run));
            }
        }
        if status.state.is_final() {
            let at = ctx.now();
            ctx.append(&Entry::JobFinished {
                op: key.clone(),
                job: job.clone(),
                state: status.state,
                error: status.error.clone(),
                at,
            })?;
            run.finished_at = Some(at);
            return Ok((job_flow(key, job, status.state, &status.error), run));
        }
        let now = ctx.now();
        if now >= deadline {
            run.finished_at = Some(now);
            let e = Error::Deadline {
                item: target_name(&key.target),
                stage: key.stage.to_string(),
                seconds: limit.as_secs(),
            };
            return Ok((Flow::Failed(Failure::of(&e, e.to_string())), run));
        }
        let remaining = (deadline - now).to_std().unwrap_or(Duration::ZERO);
        let wait = backoff.next(status.poll_after).min(remaining);
        if !ctx.sleep(wait).await {
            return Ok((Flow::Pending, run));
        }
    }
}
