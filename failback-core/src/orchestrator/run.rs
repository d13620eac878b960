//! The orchestrator and the run's shared context: units run side by side up to the
//! concurrency bound, each unit's stages in plan order.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::ctx::{Ctx, WriteQueue};
use super::findings::Knowledge;
use super::recorder::Recorder;
use super::resume::Prior;
use super::retry::salt;
use super::{CancellationToken, RunReport, RunSettings};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::journal::{self, Entry, Journal};
use crate::plan::Plan;
use crate::provider::{NetVerifier, OnPremProvider, RecoveryProvider, Verifier};

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
            verifier: Arc::new(NetVerifier),
        }
    }

    /// Run the verify gate's checks with `verifier` (default: [`NetVerifier`], real TCP
    /// connections and commands; the lab site has its own).
    pub fn with_verifier(mut self, verifier: Arc<dyn Verifier>) -> Orchestrator {
        self.verifier = verifier;
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
        let first = recorder.append(&Entry::RunStarted {
            format: journal::FORMAT.to_string(),
            run_id: run_id.clone(),
            at: started_at,
            plan: Box::new(plan.clone()),
            settings: Box::new(self.settings.clone()),
        });
        if let Err(e) = first {
            recorder.close();
            // Without its first record the journal holds no run: nothing to resume.
            return Err(match recorder.take_error().unwrap_or(e) {
                Error::JournalWrite { path, source } => Error::RunNotStarted { path, source },
                other => other,
            });
        }
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
            knowledge: Knowledge::from_plan(&plan),
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
