//! What the tasks of one run share ([`Ctx`]): the providers, the clock, the settings,
//! the journal's recorder, what an earlier run did, the write rate's queue, and the
//! helpers every stage uses (reads with retries, the write slot, events, warnings, a
//! local write failure that stops the run). Its own module, so that the orchestrator's
//! other modules depend on it and not on each other in a circle.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::findings::Knowledge;
use super::recorder::Recorder;
use super::resume::Prior;
use super::retry::{salt, Jitter};
use super::run::DEFAULT_RPO_MINUTES;
use super::{CancellationToken, RunSettings};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::estate::Flavor;
use crate::events::Event;
use crate::journal::Entry;
use crate::plan::Plan;
use crate::provider::{OnPremProvider, PointSpec, RecoveryProvider, Target, Verifier};
use crate::request::{PointChoice, Stage};

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
    pub(super) knowledge: Knowledge,
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

    /// Wait for the write rate to allow one more remote mutation (a burst of 20 seconds'
    /// worth is allowed, as ARM's bucket of 200 writes refilled at 10 a second; 0 writes
    /// per minute means no limit). An urgent write (a failover,
    /// its cancel, the resume of a suspended job: what an application's downtime waits
    /// for) takes the next free slot at once; the others queue behind every urgent one, in
    /// the order they asked, so a cutover never waits behind hundreds of reprotects.
    pub(super) async fn write_slot(&self, urgent: bool) {
        let rate = self.settings.writes_per_minute;
        if rate == 0 || self.settings.dry_run {
            return;
        }
        let step = chrono::Duration::microseconds(60_000_000 / i64::from(rate));
        let burst = step * i32::try_from(rate.div_ceil(3).max(1)).unwrap_or(i32::MAX);
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
