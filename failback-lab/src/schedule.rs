//! How the lab's jobs advance: discrete events in time order (a setup that ends, a
//! transfer whose bytes have all arrived, a boot group or a fixed job that ends), each
//! computed from the state the event before it left, so the same calls give the same
//! times whoever asks and however often.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use super::jobs::{Step, StepKind, Work};
use super::links::{self, Link};
use super::state::{plus, LabState, MAX_POLL};
use super::LabSettings;
use failback_core::provider::{JobState, JobStatus, ManualActionWait, TaskKind, TaskStatus};
use failback_core::state::{Operation, ProtectionState};

/// The next event of the lab.
enum Next {
    /// A transfer ends on this link.
    Link(String),
    /// A job's event of a known time.
    Job(usize),
}

impl LabState {
    /// Process every event up to `now`, in time order (at one instant: transfers first,
    /// then jobs in the order they are due).
    pub(crate) fn settle(&mut self, now: DateTime<Utc>, settings: &LabSettings) {
        loop {
            while let Some(&Reverse((t, j))) = self.due.peek() {
                let job = &self.jobs[j];
                if job.state.is_final() || job.next_at != Some(t) {
                    self.due.pop();
                } else {
                    break;
                }
            }
            let fixed = self.due.peek().map(|r| (r.0 .0, r.0 .1));
            let link = self
                .links
                .iter()
                .filter_map(|(name, l)| l.next_done().map(|t| (t, name)))
                .min();
            let (t, next) = match (link, fixed) {
                (Some((tl, name)), Some((tf, _))) if tl <= tf => (tl, Next::Link(name.clone())),
                (_, Some((tf, j))) => (tf, Next::Job(j)),
                (Some((tl, name)), None) => (tl, Next::Link(name.clone())),
                (None, None) => break,
            };
            if t > now {
                break;
            }
            match next {
                Next::Link(name) => {
                    let done = self
                        .links
                        .get_mut(&name)
                        .map(|l| l.take_done(t))
                        .unwrap_or_default();
                    for (j, m) in done {
                        self.transfer_done(j, m, t, settings);
                    }
                }
                Next::Job(j) => {
                    self.due.pop();
                    self.job_event(j, t, settings);
                }
            }
        }
    }

    /// Set a job's next event.
    fn schedule(&mut self, j: usize, at: Option<DateTime<Utc>>) {
        self.jobs[j].next_at = at;
        if let Some(t) = at {
            self.due.push(Reverse((t, j)));
        }
    }

    /// A job was just created at `now`: its first event.
    pub(super) fn begin(&mut self, j: usize, now: DateTime<Utc>) {
        match &self.jobs[j].work {
            Work::Fixed { ends } => {
                let ends = *ends;
                self.schedule(j, Some(ends));
            }
            Work::Transfers(ts) => {
                let first = ts.iter().map(|t| t.setup_ends).min().unwrap_or(now);
                self.schedule(j, Some(first));
            }
            Work::Steps { .. } => self.enter_step(j, 0, now),
        }
    }

    /// Start step `k` of a failover at `t` (past the last: the job succeeded).
    pub(super) fn enter_step(&mut self, j: usize, k: usize, t: DateTime<Utc>) {
        self.dirty = true;
        enum Then {
            Done,
            Group(Vec<usize>, DateTime<Utc>),
            Wait,
        }
        let then = {
            let job = &mut self.jobs[j];
            let Work::Steps { steps, current, .. } = &mut job.work else {
                return;
            };
            *current = k;
            match steps.get_mut(k) {
                None => {
                    job.state = JobState::Succeeded;
                    job.ended = Some(t);
                    Then::Done
                }
                Some(step) => {
                    step.started = Some(t);
                    match &step.kind {
                        StepKind::Group { items, duration } => {
                            step.state = JobState::InProgress;
                            let then = Then::Group(items.clone(), plus(t, *duration));
                            job.state = JobState::InProgress;
                            then
                        }
                        StepKind::Manual { .. } => {
                            // Waits for someone: no event until the job is resumed.
                            step.state = JobState::Suspended;
                            job.state = JobState::Suspended;
                            Then::Wait
                        }
                    }
                }
            }
        };
        match then {
            Then::Done | Then::Wait => self.schedule(j, None),
            Then::Group(items, end) => {
                for i in items {
                    let rt = &mut self.runtime[i];
                    rt.failover_started = Some(t);
                    rt.failover_ended = None;
                }
                self.schedule(j, Some(end));
            }
        }
    }

    /// A job's event of a known time happened at `t`.
    fn job_event(&mut self, j: usize, t: DateTime<Utc>, settings: &LabSettings) {
        self.dirty = true;
        let start: Vec<usize> = match &self.jobs[j].work {
            Work::Fixed { .. } => return self.finish_job(j, t, settings),
            Work::Steps { .. } => return self.group_ended(j, t),
            Work::Transfers(ts) => ts
                .iter()
                .enumerate()
                .filter(|(_, tr)| !tr.sending && tr.done_at.is_none() && tr.setup_ends <= t)
                .map(|(m, _)| m)
                .collect(),
        };
        // Setups that ended: their bytes start to travel.
        for m in start {
            let Work::Transfers(ts) = &mut self.jobs[j].work else {
                return;
            };
            let tr = &mut ts[m];
            let bits = tr.bytes.saturating_mul(8);
            if bits == 0 || tr.mbps == u64::MAX {
                // Nothing to send, or a link without limit (fixed timings).
                tr.done_at = Some(t);
                continue;
            }
            tr.sending = true;
            let (name, mbps) = (tr.link.clone(), tr.mbps);
            self.links
                .entry(name)
                .or_insert_with(|| Link::new(mbps, t))
                .add(t, bits, (j, m));
        }
        let Work::Transfers(ts) = &self.jobs[j].work else {
            return;
        };
        let next = ts
            .iter()
            .filter(|tr| !tr.sending && tr.done_at.is_none())
            .map(|tr| tr.setup_ends)
            .min();
        if ts.iter().all(|tr| tr.done_at.is_some()) {
            self.finish_job(j, t, settings);
        } else {
            self.schedule(j, next);
        }
    }

    /// The bytes of member `m` of job `j` have all arrived at `t`.
    fn transfer_done(&mut self, j: usize, m: usize, t: DateTime<Utc>, settings: &LabSettings) {
        self.dirty = true;
        let Work::Transfers(ts) = &mut self.jobs[j].work else {
            return;
        };
        if let Some(tr) = ts.get_mut(m) {
            tr.sending = false;
            tr.done_at = Some(t);
        }
        if ts.iter().all(|tr| tr.done_at.is_some()) && !self.jobs[j].state.is_final() {
            self.finish_job(j, t, settings);
        }
    }

    /// A boot group's failover ended at `t`: its items failed back (their VMs run, their
    /// disks are released), and the job goes on; or, for a job drawn to fail, every item
    /// goes back to replicating and the job fails.
    fn group_ended(&mut self, j: usize, t: DateTime<Utc>) {
        let job = &self.jobs[j];
        let Work::Steps { steps, current, .. } = &job.work else {
            return;
        };
        let k = *current;
        let Some(Step {
            kind: StepKind::Group { items, .. },
            ..
        }) = steps.get(k)
        else {
            return;
        };
        let items = items.clone();
        if let Some(cause) = job.failure.clone() {
            for i in self.jobs[j].items.clone() {
                if self.estate.items[i].state == ProtectionState::FailingBack {
                    self.estate.items[i].state = ProtectionState::ReplicatingToOnPrem;
                    self.revert(i, Operation::Failover, t);
                }
            }
            let job = &mut self.jobs[j];
            if let Work::Steps { steps, .. } = &mut job.work {
                if let Some(s) = steps.get_mut(k) {
                    s.state = JobState::Failed;
                    s.finished = Some(t);
                }
            }
            job.state = JobState::Failed;
            job.error = Some(cause);
            job.ended = Some(t);
            self.schedule(j, None);
            self.counters.faults.job_failures += 1;
            return;
        }
        let points = match &self.jobs[j].input {
            super::jobs::JobInput::Failover { points } => points.clone(),
            _ => Vec::new(),
        };
        for i in items {
            if let Ok(next) = self.estate.items[i].state.finish(true) {
                self.estate.items[i].state = next;
            }
            let point = self.jobs[j]
                .position(i)
                .and_then(|k| points.get(k).cloned());
            self.runtime[i].failover_point = point;
            self.runtime[i].azure_running = false;
            let vm = self.failback_vm(i);
            if let Some(p) = self.power.get_mut(&vm) {
                p.powered_on = true;
            }
            self.runtime[i].vm = Some(vm);
            let released = self.release(i);
            let rt = &mut self.runtime[i];
            rt.released_from = released;
            rt.failover_ended = Some(t);
        }
        if let Work::Steps { steps, .. } = &mut self.jobs[j].work {
            if let Some(s) = steps.get_mut(k) {
                s.state = JobState::Succeeded;
                s.finished = Some(t);
            }
        }
        self.enter_step(j, k + 1, t);
    }

    /// A job of a fixed duration, or a reprotect whose bytes have all arrived, ended at
    /// `at`: its items move on (or, when it was drawn to fail, back).
    fn finish_job(&mut self, j: usize, at: DateTime<Utc>, settings: &LabSettings) {
        self.dirty = true;
        let job = self.jobs[j].clone();
        let ok = job.failure.is_none();
        for &i in &job.items {
            if job.op == Operation::CancelFailover {
                self.cancel_failover_ended(i, ok, at);
                continue;
            }
            let state = self.estate.items[i].state;
            let Ok(next) = state.finish(ok) else {
                continue;
            };
            self.estate.items[i].state = next;
            if !ok {
                self.revert(i, job.op, at);
                continue;
            }
            let sync = self.estate.items[i].replication_group.is_some();
            match (job.op, &job.input) {
                (
                    Operation::Reprotect,
                    super::jobs::JobInput::Reprotect {
                        master_target,
                        datastore,
                        member_datastores,
                    },
                ) => {
                    let own = member_datastores
                        .get(&self.estate.items[i].id)
                        .cloned()
                        .or_else(|| datastore.clone());
                    let rt = &mut self.runtime[i];
                    rt.base_points = vec![super::points::initial(at, sync)];
                    rt.replicating_since = Some(at);
                    rt.datastore = own;
                    if master_target.is_some() {
                        self.estate.items[i].master_target = master_target.clone();
                    }
                }
                (Operation::Reprotect, _) => {
                    let rt = &mut self.runtime[i];
                    rt.base_points = vec![super::points::initial(at, sync)];
                    rt.replicating_since = Some(at);
                }
                (Operation::Commit, _) => {
                    let commits = self
                        .counters
                        .accepted(&self.estate.items[i].id, Operation::Commit);
                    let delay = self.agent_delay(settings, i, u64::from(commits.max(1) - 1));
                    let rt = &mut self.runtime[i];
                    rt.azure_running = false;
                    rt.azure_deleted = true;
                    rt.base_points.clear();
                    rt.replicating_since = None;
                    rt.agent_ready_at = Some(plus(at, delay));
                }
                _ => {}
            }
        }
        if ok && job.op == Operation::Reprotect {
            self.sync_points(&job.items, at);
        }
        let job = &mut self.jobs[j];
        job.ended = Some(at);
        if ok {
            job.state = JobState::Succeeded;
        } else {
            job.state = JobState::Failed;
            job.error = job.failure.clone();
            self.counters.faults.job_failures += 1;
        }
        self.schedule(j, None);
    }

    /// The cancel of item `i`'s failover ended at `at`: done, its on-premises VM is off,
    /// its Azure VM runs again and it replicates to on-premises again; failed, it stays
    /// failed back and its disks are released again.
    fn cancel_failover_ended(&mut self, i: usize, ok: bool, at: DateTime<Utc>) {
        if !ok {
            self.revert(i, Operation::CancelFailover, at);
            return;
        }
        if let Ok(next) = self.estate.items[i].state.start(Operation::CancelFailover) {
            self.estate.items[i].state = next;
        }
        if let Some(vm) = self.runtime[i].vm.clone() {
            if let Some(p) = self.power.get_mut(&vm) {
                p.powered_on = false;
            }
        }
        let sync = self.estate.items[i].replication_group.is_some();
        let rt = &mut self.runtime[i];
        rt.azure_running = true;
        rt.base_points = super::points::points(&rt.base_points, None, at, sync);
        rt.replicating_since = Some(at);
        // A new failover is a new stage of the life cycle.
        rt.issued
            .retain(|o| !matches!(o, Operation::Failover | Operation::CancelFailover));
    }

    /// When a running job is expected to end, as things stand.
    fn projected_end(&self, j: usize, now: DateTime<Utc>) -> DateTime<Utc> {
        let job = &self.jobs[j];
        match &job.work {
            Work::Fixed { ends } => *ends,
            Work::Transfers(ts) => ts
                .iter()
                .enumerate()
                .map(|(m, tr)| {
                    if let Some(d) = tr.done_at {
                        return d;
                    }
                    let link = self.links.get(&tr.link);
                    if tr.sending {
                        return link
                            .and_then(|l| l.projected_end(now, (j, m)))
                            .unwrap_or(now);
                    }
                    let share = link.map_or(1, |l| l.load() + 1) as u64;
                    plus(
                        tr.setup_ends,
                        links::alone(tr.bytes, (tr.mbps / share).max(1)),
                    )
                })
                .max()
                .unwrap_or(now),
            Work::Steps { steps, current, .. } => {
                let mut end = now;
                for (k, s) in steps.iter().enumerate().skip(*current) {
                    if let StepKind::Group { duration, .. } = &s.kind {
                        end = match (k == *current, s.started) {
                            (true, Some(st)) => plus(st, *duration).max(end),
                            _ => plus(end, *duration),
                        };
                    }
                }
                end
            }
        }
    }

    /// A job's status.
    pub(super) fn status(&self, j: usize, now: DateTime<Utc>) -> JobStatus {
        let job = &self.jobs[j];
        let (progress, poll_after) = if job.state.is_final() {
            ((job.state == JobState::Succeeded).then_some(100), None)
        } else {
            let end = self.projected_end(j, now).max(now);
            let total = (end - job.started).num_milliseconds().max(1) as f64;
            let done = (now - job.started).num_milliseconds().max(0) as f64;
            let pct = ((done / total) * 100.0).clamp(0.0, 99.0) as u8;
            let remaining = (end - now).to_std().unwrap_or_default();
            let wait = if job.state == JobState::Suspended {
                MAX_POLL
            } else {
                // A millisecond past the end: the clock rounds to microseconds.
                (remaining + std::time::Duration::from_millis(1)).min(MAX_POLL)
            };
            (Some(pct), Some(wait))
        };
        let (tasks, manual_action) = match &job.work {
            Work::Steps {
                steps,
                current,
                tasks,
            } => {
                let wait = match steps.get(*current) {
                    Some(Step {
                        kind: StepKind::Manual { name, instructions },
                        group,
                        ..
                    }) if job.state == JobState::Suspended => Some(ManualActionWait {
                        name: name.clone(),
                        instructions: instructions.clone(),
                        group: *group,
                    }),
                    _ => None,
                };
                let list = if *tasks {
                    steps.iter().map(|s| self.task(s)).collect()
                } else {
                    Vec::new()
                };
                (list, wait)
            }
            _ => (Vec::new(), None),
        };
        JobStatus {
            id: job.id.clone(),
            state: job.state,
            progress,
            error: job.error.clone(),
            poll_after,
            started_at: Some(job.started),
            manual_action,
            tasks,
        }
    }

    fn task(&self, s: &Step) -> TaskStatus {
        let (kind, name, items) = match &s.kind {
            StepKind::Group { items, .. } => (
                TaskKind::GroupFailover,
                format!("Group {}", s.group),
                items
                    .iter()
                    .map(|&i| self.estate.items[i].id.clone())
                    .collect(),
            ),
            StepKind::Manual { name, .. } => (TaskKind::ManualAction, name.clone(), Vec::new()),
        };
        TaskStatus {
            kind,
            name,
            group: Some(s.group),
            items,
            state: s.state,
            started_at: s.started,
            finished_at: s.finished,
        }
    }
}
