//! The orchestrator and the run's shared context: units run side by side up to the
//! concurrency bound, each unit's stages in plan order.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::findings::Knowledge;
use super::recorder::Recorder;
use super::resume::Prior;
use super::retry::{salt, Jitter};
use super::{CancellationToken, RunReport, RunSettings};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::estate::{Estate, Flavor};
use crate::events::Event;
use crate::journal::{self, Entry, Journal};
use crate::plan::Plan;
use crate::provider::{NetVerifier, OnPremProvider, PointSpec, RecoveryProvider, Target, Verifier};
use crate::request::{PointChoice, Stage};

/// Events buffered per subscriber. A subscriber that falls further behind loses the oldest
/// events (it sees `RecvError::Lagged`); the run never waits for it.
pub const EVENT_BUFFER: usize = 65_536;

/// The RPO threshold when the plan carries no failback policy: the policy's fixed value.
pub const DEFAULT_RPO_MINUTES: u32 = 15;

/// Runs a failback plan through a recovery provider and an on-premises provider.
///
/// Every remote mutation is preceded by an intent in the run journal and followed by its
/// job id, so [`Orchestrator::resume`] continues an interrupted run without issuing any
/// operation twice. Before a failover it verifies that reprotect completed and that the
/// latest recovery point is within the RPO threshold; before a commit that the failover
/// succeeded, the on-prem VM runs and the Azure VM is shut down. Each check is journaled.
#[derive(Debug)]
pub struct Orchestrator {
    recovery: Arc<dyn RecoveryProvider>,
    onprem: Arc<dyn OnPremProvider>,
    clock: Arc<dyn Clock>,
    settings: RunSettings,
    events: broadcast::Sender<Event>,
    knowledge: Arc<Knowledge>,
    verifier: Arc<dyn Verifier>,
}

impl Orchestrator {
    /// An orchestrator over two providers, stamping and sleeping through `clock`.
    pub fn new(
        recovery: Arc<dyn RecoveryProvider>,
        onprem: Arc<dyn OnPremProvider>,
        clock: Arc<dyn Clock>,
        settings: RunSettings,
    ) -> Orchestrator {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Orchestrator {
            recovery,
            onprem,
            clock,
            settings,
            events,
            knowledge: Arc::new(Knowledge::default()),
            verifier: Arc::new(NetVerifier),
        }
    }

    /// Run the verify gate's checks with `verifier` (default: [`NetVerifier`], real TCP
    /// connections and commands; the lab site has its own).
    pub fn with_verifier(mut self, verifier: Arc<dyn Verifier>) -> Orchestrator {
        self.verifier = verifier;
        self
    }

    /// Take the items' OS family and static on-prem addresses from the estate the plan was
    /// made from, for the after-failback findings: OPS-003 (a static address that came
    /// back as DHCP, with the address to restore) needs it, and OPS-002 (NetworkManager
    /// missing) is then limited to Linux items. Give it again when resuming.
    pub fn with_estate(mut self, estate: &Estate) -> Orchestrator {
        self.knowledge = Arc::new(Knowledge::from_estate(estate));
        self
    }

    /// The run's settings.
    pub fn settings(&self) -> &RunSettings {
        &self.settings
    }

    /// Subscribe to the run's progress events. Subscribe before `run` to see them all.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Run a plan, journaling into `journal` (a new one: [`Journal::create`]). The first
    /// record is the plan with the settings.
    ///
    /// Provider failures, refused checks and failed jobs fail the unit concerned (its
    /// items end [`Failed`](super::ItemStatus::Failed) with the cause) and the run goes on
    /// with the other units. A journal write error stops the run at once and is returned:
    /// no mutation follows a record that was not written. Cancelling stops new operations;
    /// running jobs are left to the provider and their items end
    /// [`Pending`](super::ItemStatus::Pending).
    pub async fn run(
        &self,
        plan: &Plan,
        journal: Journal,
        cancel: CancellationToken,
    ) -> Result<RunReport> {
        self.supports(plan)?;
        let started_at = self.clock.now();
        let run_id = run_id(started_at, self.settings.seed);
        let recorder = Recorder::new(journal);
        recorder.append(&Entry::RunStarted {
            format: journal::FORMAT.to_string(),
            run_id: run_id.clone(),
            at: started_at,
            plan: Box::new(plan.clone()),
            settings: Box::new(self.settings.clone()),
        })?;
        let ctx = self.context(
            Arc::new(plan.clone()),
            recorder,
            cancel,
            Prior::default(),
            false,
        );
        drive(ctx, run_id, started_at, false).await
    }

    /// Refuse, before anything is journaled or called, a plan the providers' capabilities
    /// cannot carry: recovery plans (a replication group's failover and commit) without
    /// `recovery_plans`; the flavour's failover (planned for the modernized flavour)
    /// without it; the `rollback` commit policy without `cancel_failover`. (A failed
    /// verification is rolled back only where `cancel_failover` is offered; elsewhere it
    /// is held uncommitted.)
    fn supports(&self, plan: &Plan) -> Result<()> {
        let cap = self.recovery.capability();
        let refuse = |what: &str, why: String| {
            Err(Error::Invariant {
                item: what.to_string(),
                message: format!(
                    "{why}; provider {} cannot carry this plan, so nothing was done",
                    self.recovery.name()
                ),
            })
        };
        if !cap.recovery_plans {
            if let Some(u) = plan.units.iter().find(|u| u.recovery_plan.is_some()) {
                return refuse(
                    &u.name,
                    format!(
                        "unit {} fails over and commits through recovery plan {}, and the provider has no recovery plans",
                        u.name,
                        u.recovery_plan.as_deref().unwrap_or("")
                    ),
                );
            }
        }
        if plan.flavor == crate::estate::Flavor::Modernized && !cap.planned_failover {
            return refuse(
                "plan",
                "the modernized flavour fails back by planned failover, which the provider does not offer".into(),
            );
        }
        if plan.request.commit == crate::runbook::CommitPolicy::Rollback && !cap.cancel_failover {
            return refuse(
                "plan",
                "the rollback commit policy cancels every failover, which the provider does not offer".into(),
            );
        }
        Ok(())
    }

    /// Continue the run of a journal read back with [`Journal::open`]. Operations whose
    /// job finished are not touched again; a job that was started is polled again; an
    /// intent without a recorded job asks the provider for the job (re-attaching when one
    /// took effect) and issues the operation only when there is none. A torn last record
    /// becomes a warning of the report and an event.
    pub async fn resume(
        &self,
        opened: journal::Opened,
        cancel: CancellationToken,
    ) -> Result<RunReport> {
        self.resume_with(opened, false, cancel).await
    }

    /// Continue the run of a journal like [`Orchestrator::resume`], releasing first every
    /// hold it reached (a phase of `hold_after`, a held commit, a manual action): the
    /// person's decision to go on, recorded in the journal. A plain resume never passes a
    /// hold: it continues what was interrupted and stops again where a person decides.
    pub async fn resume_and_continue(
        &self,
        opened: journal::Opened,
        cancel: CancellationToken,
    ) -> Result<RunReport> {
        self.resume_with(opened, true, cancel).await
    }

    async fn resume_with(
        &self,
        opened: journal::Opened,
        release: bool,
        cancel: CancellationToken,
    ) -> Result<RunReport> {
        let journal::Opened {
            journal,
            entries,
            warning,
        } = opened;
        let Some(Entry::RunStarted {
            run_id, at, plan, ..
        }) = entries.first()
        else {
            return Err(Error::JournalCorrupt {
                path: journal.path().to_path_buf(),
                line: 1,
                message: "no run_started record survived: nothing to resume".into(),
            });
        };
        let (run_id, started_at) = (run_id.clone(), *at);
        let plan = Arc::new(plan.as_ref().clone());
        let prior = Prior::from_entries(&entries);
        let ctx = self.context(plan, Recorder::new(journal), cancel, prior, release);
        if let Some(w) = warning {
            ctx.warn(format!("run journal: {w}"));
        }
        drive(ctx, run_id, started_at, true).await
    }

    fn context(
        &self,
        plan: Arc<Plan>,
        recorder: Recorder,
        cancel: CancellationToken,
        prior: Prior,
        release: bool,
    ) -> Arc<Ctx> {
        let released_jobs = if release {
            prior
                .pending_holds()
                .filter_map(|(_, (_, job))| job.clone())
                .collect()
        } else {
            Default::default()
        };
        Arc::new(Ctx {
            release,
            released_jobs,
            next_write: Mutex::new(WriteQueue::default()),
            stopped: Mutex::new(None),
            recovery: self.recovery.clone(),
            onprem: self.onprem.clone(),
            clock: self.clock.clone(),
            settings: self.settings.clone(),
            events: self.events.clone(),
            knowledge: self.knowledge.clone(),
            verifier: self.verifier.clone(),
            plan,
            recorder,
            cancel,
            warnings: Mutex::new(prior.warnings().to_vec()),
            prior,
        })
    }
}

fn run_id(at: DateTime<Utc>, seed: u64) -> String {
    let nanos = at.timestamp_subsec_nanos() as u64;
    format!(
        "run-{}-{:06x}",
        at.format("%Y%m%dT%H%M%SZ"),
        (salt(&format!("{seed}/{nanos}")) & 0xff_ffff)
    )
}

/// Run every unit of the context's plan and assemble the report; the journal is closed
/// when it returns, whichever way.
async fn drive(
    ctx: Arc<Ctx>,
    run_id: String,
    started_at: DateTime<Utc>,
    resumed: bool,
) -> Result<RunReport> {
    let out = drive_open(ctx.clone(), run_id, started_at, resumed).await;
    ctx.recorder.close();
    // A local write failure stopped the run: it is returned rather than the report of a
    // run that did not end (its journal stays resumable).
    if let Some(e) = ctx.stopped.lock().ok().and_then(|mut s| s.take()) {
        return Err(e);
    }
    out
}

async fn drive_open(
    ctx: Arc<Ctx>,
    run_id: String,
    started_at: DateTime<Utc>,
    resumed: bool,
) -> Result<RunReport> {
    let plan = ctx.plan.clone();
    ctx.emit(Event::RunStarted {
        run_id: run_id.clone(),
        items: plan.units.iter().map(|u| u.items.len()).sum(),
        units: plan.units.len(),
        resumed,
        dry_run: ctx.settings.dry_run,
    });
    let shaped = super::phases::run(ctx.clone(), resumed).await?;
    if ctx.stopped.lock().map(|s| s.is_some()).unwrap_or(false) {
        // Not finished: no run_finished record.
        return Err(Error::Cancelled);
    }
    let report = RunReport {
        run_id,
        started_at,
        finished_at: ctx.now(),
        dry_run: ctx.settings.dry_run,
        warnings: ctx.warnings.lock().map(|w| w.clone()).unwrap_or_default(),
        items: shaped.items,
        applications: shaped.applications,
        holds: shaped.holds,
    };
    if report.pending() == 0 && report.held() == 0 {
        ctx.append(&Entry::RunFinished {
            at: report.finished_at,
        })?;
    }
    ctx.emit(Event::RunFinished {
        done: report.done(),
        failed: report.failed(),
        pending: report.pending(),
    });
    Ok(report)
}

/// The write rate's queue: when the next slot is free, and the non-urgent writes waiting
/// for one, by ticket.
#[derive(Debug, Default)]
pub(super) struct WriteQueue {
    next: Option<DateTime<Utc>>,
    issued: u64,
    waiting: std::collections::BTreeSet<u64>,
}

/// A non-urgent write's place in the queue, given up when it is served or dropped.
struct Ticket<'a> {
    queue: &'a Mutex<WriteQueue>,
    ticket: u64,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if let Ok(mut q) = self.queue.lock() {
            q.waiting.remove(&self.ticket);
        }
    }
}

/// What the units of one run share.
#[derive(Debug)]
pub(super) struct Ctx {
    pub(super) recovery: Arc<dyn RecoveryProvider>,
    pub(super) onprem: Arc<dyn OnPremProvider>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) settings: RunSettings,
    pub(super) events: broadcast::Sender<Event>,
    pub(super) knowledge: Arc<Knowledge>,
    pub(super) verifier: Arc<dyn Verifier>,
    pub(super) plan: Arc<Plan>,
    pub(super) recorder: Recorder,
    pub(super) cancel: CancellationToken,
    pub(super) prior: Prior,
    pub(super) warnings: Mutex<Vec<String>>,
    /// This resume releases the holds an earlier run reached (`--continue`).
    pub(super) release: bool,
    /// The suspended jobs whose manual action this resume releases.
    pub(super) released_jobs: std::collections::HashSet<crate::provider::JobId>,
    /// When the next remote write may go (the write rate).
    pub(super) next_write: Mutex<WriteQueue>,
    /// The local write failure that stopped the run ([`Error::LocalWrite`]), returned by
    /// the run instead of its report.
    pub(super) stopped: Mutex<Option<Error>>,
}

impl Ctx {
    /// Whether resuming `job` (suspended on a manual action) was released by a person.
    pub(super) fn releases(&self, job: &crate::provider::JobId) -> bool {
        self.released_jobs.contains(job)
    }

    /// Wait for the write rate to allow one more remote mutation (a burst of 10 seconds'
    /// worth is allowed; 0 writes per minute means no limit). An urgent write (a failover,
    /// its cancel, the resume of a suspended job: what an application's downtime waits
    /// for) takes the next free slot at once; the others queue behind every urgent one, in
    /// the order they asked, so a cutover never waits behind hundreds of reprotects.
    pub(super) async fn write_slot(&self, urgent: bool) {
        let rate = self.settings.writes_per_minute;
        if rate == 0 || self.settings.dry_run {
            return;
        }
        let step = chrono::Duration::microseconds(60_000_000 / i64::from(rate));
        let burst = step * i32::try_from(rate.div_ceil(6).max(1)).unwrap_or(i32::MAX);
        if urgent {
            let now = self.now();
            let at = {
                let Ok(mut q) = self.next_write.lock() else {
                    return;
                };
                let earliest = q.next.map_or(now - burst, |n| n.max(now - burst));
                q.next = Some(earliest + step);
                earliest
            };
            if at > now {
                let _ = self.sleep((at - now).to_std().unwrap_or_default()).await;
            }
            return;
        }
        let ticket = {
            let Ok(mut q) = self.next_write.lock() else {
                return;
            };
            q.issued += 1;
            let t = q.issued;
            q.waiting.insert(t);
            t
        };
        let _leave = Ticket {
            queue: &self.next_write,
            ticket,
        };
        loop {
            let now = self.now();
            let wait_until = {
                let Ok(mut q) = self.next_write.lock() else {
                    return;
                };
                let earliest = q.next.map_or(now - burst, |n| n.max(now - burst));
                let ahead = q.waiting.range(..ticket).count();
                if ahead == 0 && earliest <= now {
                    q.next = Some(earliest + step);
                    return;
                }
                earliest + step * i32::try_from(ahead).unwrap_or(i32::MAX)
            };
            let wait = (wait_until - now).to_std().unwrap_or_default();
            if !self.sleep(wait.max(Duration::from_millis(1))).await {
                return;
            }
        }
    }

    /// Send an event; nobody listening is fine.
    pub(super) fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// A warning for the report and the event stream.
    /// Warn: into the report, the journal (so that a report rebuilt from it has the
    /// warning too) and the events. A journal that cannot take it has stopped the run
    /// already; the warning still reaches the report.
    pub(super) fn warn(&self, message: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(message.clone());
        }
        let _ = self.append(&Entry::Warning {
            message: message.clone(),
            at: self.now(),
        });
        self.emit(Event::Warning { message });
    }

    /// Append to the journal; an error stops the run.
    pub(super) fn append(&self, entry: &Entry) -> Result<()> {
        self.recorder.append(entry)
    }

    /// The clock's time.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The RPO threshold: the plan's failback policy, or 15 minutes.
    pub(super) fn rpo(&self) -> chrono::Duration {
        let minutes = self
            .plan
            .policy
            .as_ref()
            .map_or(DEFAULT_RPO_MINUTES, |p| p.rpo_threshold_minutes);
        chrono::Duration::minutes(i64::from(minutes))
    }

    /// The recovery point the request asks for.
    pub(super) fn point(&self) -> PointSpec {
        match &self.plan.request.recovery_point {
            PointChoice::Latest => PointSpec::Latest,
            PointChoice::LatestApplicationConsistent => PointSpec::LatestApplicationConsistent,
            PointChoice::Point { id } => PointSpec::Id(id.clone()),
        }
    }

    /// A planned failover (the modernized provider's failback) rather than an unplanned one.
    pub(super) fn planned_failover(&self) -> bool {
        self.plan.flavor == Flavor::Modernized
    }

    /// Sleep `d` of the clock's time; false when the run was cancelled meanwhile.
    pub(super) async fn sleep(&self, d: Duration) -> bool {
        if d.is_zero() {
            tokio::task::yield_now().await;
            return !self.cancel.is_cancelled();
        }
        tokio::select! {
            _ = self.clock.sleep(d) => !self.cancel.is_cancelled(),
            _ = self.cancel.cancelled() => false,
        }
    }

    /// A read (idempotent) with retries of retryable errors; [`Error::Cancelled`] when the
    /// run was cancelled while waiting to retry.
    pub(super) async fn read<T, F, Fut>(
        &self,
        target: &Target,
        stage: Stage,
        mut call: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut jitter = self.jitter(target, stage, "read");
        let attempts = self.settings.retry_attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.local_stop(call().await) {
                Ok(v) => return Ok(v),
                Err(e) if e.is_retryable() && attempt < attempts => {
                    let wait = jitter.next(e.retry_after());
                    self.retry_event(target, stage, attempt, &e, wait);
                    if !self.sleep(wait).await {
                        return Err(Error::Cancelled);
                    }
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A local write failure of a provider (its own state file) stops the run: it is kept
    /// for the run to return, the run is cancelled (no new operation is issued, running
    /// jobs are left to the provider, items stay as they are), and the caller sees
    /// [`Error::Cancelled`]. Other results pass through.
    pub(super) fn local_stop<T>(&self, r: Result<T>) -> Result<T> {
        match r {
            Err(e @ Error::LocalWrite { .. }) => {
                if let Ok(mut s) = self.stopped.lock() {
                    s.get_or_insert(e);
                }
                self.cancel.cancel();
                Err(Error::Cancelled)
            }
            other => other,
        }
    }

    /// The jitter sequence of one call.
    pub(super) fn jitter(&self, target: &Target, stage: Stage, what: &str) -> Jitter {
        Jitter::new(
            self.settings.seed,
            salt(&format!("{target}/{stage}/{what}")),
            self.settings.retry_base,
            self.settings.retry_cap,
        )
    }

    /// Tell subscribers a call will be tried again.
    pub(super) fn retry_event(
        &self,
        target: &Target,
        stage: Stage,
        attempt: u32,
        error: &Error,
        wait: Duration,
    ) {
        self.emit(Event::Retry {
            target: target.clone(),
            stage,
            attempt,
            error: error.to_string(),
            wait_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        });
    }
}
