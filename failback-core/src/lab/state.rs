//! The lab's shared state: the estate as it evolves, each item's protection state and
//! replication, the on-premises VMs' power, the jobs, and the counters. Jobs end lazily:
//! every call first settles the jobs whose simulated time has passed, in end order, so
//! the site looks the same whoever asks first.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::counters::{Counters, Violation, ViolationKind};
use super::faults::{self, CallFault, Key};
use super::points;
use super::{LabSettings, PROVIDER};
use crate::clock::{Clock, ScaledClock, VirtualClock};
use crate::estate::{Estate, OnPremVm, RecoveryPoint};
use crate::provider::{GuestNic, JobId, JobState, JobStatus, PointSpec, Target, VmRuntime};
use crate::state::{Operation, ProtectionState};
use crate::{Error, ErrorKind, Result};

/// The lab's clock reading `start` now: discrete-event time, or time scaled from the wall
/// clock, as the settings say.
fn lab_clock(start: DateTime<Utc>, settings: &LabSettings) -> Arc<dyn Clock> {
    if settings.virtual_time {
        Arc::new(VirtualClock::new(start))
    } else {
        Arc::new(ScaledClock::new(start, settings.time_scale))
    }
}

/// Longest poll interval the lab suggests.
const MAX_POLL: Duration = Duration::from_secs(60);

/// What both providers share.
pub(crate) struct Shared {
    pub clock: Arc<dyn Clock>,
    pub settings: LabSettings,
    state: Mutex<LabState>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The state can hold thousands of items: show what identifies the site.
        f.debug_struct("Shared")
            .field("clock", &self.clock)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(estate: Estate, settings: LabSettings) -> Shared {
        let clock = lab_clock(settings.start, &settings);
        let state = LabState::new(estate, &settings);
        Shared {
            clock,
            settings,
            state: Mutex::new(state),
        }
    }

    /// A lab read back from its file: the clock resumes at the simulated time saved, at
    /// the saved scale, and the lab goes on persisting to the same file.
    pub(crate) fn restored(path: &std::path::Path, loaded: super::persist::Loaded) -> Shared {
        let super::persist::Loaded {
            saved_at,
            settings,
            state,
        } = loaded;
        let clock = lab_clock(saved_at, &settings);
        let mut state = LabState::from_saved(state);
        let mut target = super::persist::Target::new(path.to_path_buf());
        target.saved_at = Some(saved_at);
        state.persist = Some(target);
        Shared {
            clock,
            settings,
            state: Mutex::new(state),
        }
    }

    /// The state settled to now, written first when it changed and the lab persists: what
    /// a provider call sees is durable before the call returns.
    pub(crate) fn read(&self) -> Result<(MutexGuard<'_, LabState>, DateTime<Utc>)> {
        let (mut st, now) = self.lock();
        self.save(&mut st, now)?;
        Ok((st, now))
    }

    /// Write the state when it changed and the lab persists (call with the lock held).
    pub(crate) fn save(&self, st: &mut LabState, now: DateTime<Utc>) -> Result<()> {
        if !st.dirty {
            return Ok(());
        }
        let Some(target) = st.persist.clone() else {
            st.dirty = false;
            return Ok(());
        };
        // Never earlier than a state already written: the clock only moves forward.
        let at = target.saved_at.map_or(now, |s| s.max(now));
        let bytes = super::persist::encode(&target.path, at, &self.settings, st.saved())?;
        super::persist::write_atomic(&target.path, &bytes)?;
        if let Some(t) = st.persist.as_mut() {
            t.saved_at = Some(at);
            t.writes += 1;
            t.last_bytes = bytes.len() as u64;
        }
        st.dirty = false;
        Ok(())
    }

    /// The state, settled to now. A poisoned lock is recovered: the state is always left
    /// consistent between statements that could panic.
    pub(crate) fn lock(&self) -> (MutexGuard<'_, LabState>, DateTime<Utc>) {
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let now = self.clock.now();
        guard.settle(now);
        (guard, now)
    }

    /// Enter a call: sleep the latency on the clock, then draw its fault. Throttling and
    /// transient errors are returned here (the call has no effect); for a mutation, the
    /// returned bool says its response will be lost after it takes effect.
    pub(crate) async fn enter(&self, kind: &str, subject: &str, mutation: bool) -> Result<bool> {
        let latency = self.settings.faults.latency;
        if !latency.is_zero() {
            self.clock.sleep(latency).await;
        }
        let f = &self.settings.faults;
        let (mut st, _) = self.lock();
        st.counters.faults.calls += 1;
        if !f.any() {
            return Ok(false);
        }
        let n = st.next_call(kind, subject);
        match f.draw(self.settings.seed, kind, subject, n, mutation) {
            CallFault::None => Ok(false),
            CallFault::Throttle => {
                st.counters.faults.throttled += 1;
                Err(faults::throttled(PROVIDER, f.retry_after))
            }
            CallFault::Transient { timeout } => {
                st.counters.faults.transient += 1;
                Err(faults::transient(PROVIDER, timeout))
            }
            CallFault::LostResponse => Ok(true),
        }
    }
}

/// The lab's view of one item besides its estate record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ItemRuntime {
    /// Mutations issued in the current stage of the life cycle (removed when their job
    /// fails or is cancelled, so a retry is not a duplicate).
    pub issued: Vec<Operation>,
    /// Points already taken (from the estate, or frozen when replication paused).
    pub base_points: Vec<RecoveryPoint>,
    /// Replicating since then: grid points after it appear as time passes.
    pub replicating_since: Option<DateTime<Utc>>,
    /// The Azure VM runs.
    pub azure_running: bool,
    /// The Azure VM was deleted.
    pub azure_deleted: bool,
    /// The on-premises VM the item failed back into.
    pub vm: Option<String>,
    /// The point the failover used.
    pub failover_point: Option<RecoveryPoint>,
    /// The datastore given at reprotect (where a new VM lands).
    pub datastore: Option<String>,
    /// The master target of the reprotect running or done (GRP-002).
    pub master_target: Option<String>,
}

/// What a job was started with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum JobInput {
    /// Reprotect Azure to on-premises.
    Reprotect {
        master_target: Option<String>,
        datastore: Option<String>,
        /// Per member of a recovery plan: its own datastore.
        member_datastores: BTreeMap<String, String>,
    },
    /// Failover: the point per member (same order as the job's items).
    Failover { points: Vec<RecoveryPoint> },
    /// Nothing to remember.
    Plain,
}

/// A job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Job {
    pub id: JobId,
    pub target: Target,
    pub op: Operation,
    pub items: Vec<usize>,
    pub started: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    /// Decided at start: the job ends failed with this cause.
    pub failure: Option<String>,
    pub state: JobState,
    pub error: Option<String>,
    pub input: JobInput,
}

impl Job {
    fn status(&self, now: DateTime<Utc>) -> JobStatus {
        let (progress, poll_after) = if self.state.is_final() {
            (
                if self.state == JobState::Succeeded {
                    Some(100)
                } else {
                    None
                },
                None,
            )
        } else {
            let total = (self.ends - self.started).num_milliseconds().max(1) as f64;
            let done = (now - self.started).num_milliseconds().max(0) as f64;
            let pct = ((done / total) * 100.0).clamp(0.0, 99.0) as u8;
            let remaining = (self.ends - now).to_std().unwrap_or(Duration::ZERO);
            // A millisecond past the end: the clock rounds to microseconds.
            let wait = (remaining + Duration::from_millis(1)).min(MAX_POLL);
            (Some(pct), Some(wait))
        };
        JobStatus {
            id: self.id.clone(),
            state: self.state,
            progress,
            error: self.error.clone(),
            poll_after,
            started_at: Some(self.started),
            manual_action: None,
            tasks: Vec::new(),
        }
    }
}

/// Power and configuration of an on-premises VM or master target.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct VmPower {
    pub powered_on: bool,
    pub config: BTreeMap<String, String>,
}

/// Everything behind the lab's mutex.
#[derive(Debug)]
pub(crate) struct LabState {
    pub estate: Estate,
    item_index: HashMap<String, usize>,
    name_index: HashMap<String, usize>,
    plans: HashMap<String, Vec<usize>>,
    groups: HashMap<String, Vec<usize>>,
    pub runtime: Vec<ItemRuntime>,
    pub vm_index: HashMap<String, usize>,
    pub mt_index: HashMap<String, usize>,
    /// Datastore ids and names, process server ids: reprotect inputs.
    known_inputs: HashSet<String>,
    pub power: HashMap<String, VmPower>,
    jobs: Vec<Job>,
    job_index: HashMap<JobId, usize>,
    jobs_by_target: HashMap<(Target, Operation), Vec<usize>>,
    due: BinaryHeap<Reverse<(DateTime<Utc>, usize)>>,
    pub counters: Counters,
    calls: HashMap<(String, String), u64>,
    vm_seq: u64,
    /// The state changed in a way a caller may see (a mutation, a job that ended): it must
    /// be written before a provider call returns, when the lab persists.
    pub dirty: bool,
    /// Where the lab persists, when it does, and the simulated time last written.
    pub persist: Option<super::persist::Target>,
}

fn not_found(what: impl std::fmt::Display) -> Error {
    Error::provider(
        PROVIDER,
        ErrorKind::NotFound,
        format!("{what} does not exist"),
    )
}

fn conflict(message: impl Into<String>) -> Error {
    Error::provider(PROVIDER, ErrorKind::Conflict, message)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::provider(PROVIDER, ErrorKind::InvalidInput, message)
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The lookups of a lab state, derived from its estate (built anew on restore).
struct Indexes {
    item_index: HashMap<String, usize>,
    name_index: HashMap<String, usize>,
    plans: HashMap<String, Vec<usize>>,
    groups: HashMap<String, Vec<usize>>,
    vm_index: HashMap<String, usize>,
    mt_index: HashMap<String, usize>,
    known_inputs: HashSet<String>,
}

impl Indexes {
    fn of(estate: &Estate) -> Indexes {
        let positions = |ids: &mut dyn Iterator<Item = &String>| -> HashMap<String, usize> {
            ids.enumerate().map(|(i, id)| (id.clone(), i)).collect()
        };
        let item_index = positions(&mut estate.items.iter().map(|it| &it.id));
        let plans = estate
            .recovery_plans
            .iter()
            .map(|p| {
                let members = p
                    .items
                    .iter()
                    .filter_map(|id| item_index.get(id).copied())
                    .collect();
                (p.name.clone(), members)
            })
            .collect();
        let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, it) in estate.items.iter().enumerate() {
            if let Some(g) = &it.replication_group {
                groups.entry(g.clone()).or_default().push(i);
            }
        }
        Indexes {
            name_index: positions(&mut estate.items.iter().map(|it| &it.name)),
            vm_index: positions(&mut estate.vms.iter().map(|v| &v.id)),
            mt_index: positions(&mut estate.master_targets.iter().map(|m| &m.id)),
            known_inputs: estate
                .datastores
                .iter()
                .flat_map(|d| [d.id.clone(), d.name.clone()])
                .chain(estate.process_servers.iter().map(|p| p.id.clone()))
                .collect(),
            item_index,
            plans,
            groups,
        }
    }
}

impl LabState {
    fn new(estate: Estate, settings: &LabSettings) -> LabState {
        let start = settings.start;
        let ix = Indexes::of(&estate);
        let mut power: HashMap<String, VmPower> = HashMap::new();
        for v in &estate.vms {
            power.insert(
                v.id.clone(),
                VmPower {
                    powered_on: true,
                    config: BTreeMap::new(),
                },
            );
        }
        for m in &estate.master_targets {
            power.insert(
                m.id.clone(),
                VmPower {
                    powered_on: true,
                    config: BTreeMap::new(),
                },
            );
        }
        let mut runtime = Vec::with_capacity(estate.items.len());
        for it in &estate.items {
            use ProtectionState as S;
            let in_azure = matches!(
                it.state,
                S::FailedOverToAzure | S::Reprotecting | S::ReplicatingToOnPrem | S::FailingBack
            );
            let committed = matches!(
                it.state,
                S::CommittedUnprotected | S::ReprotectingToAzure | S::Protected
            );
            let (azure_running, azure_deleted) = match &it.azure_vm {
                Some(v) => (
                    !v.deleted && v.running.unwrap_or(in_azure),
                    v.deleted || committed,
                ),
                None => (in_azure, committed),
            };
            let original = it
                .original_vm
                .clone()
                .filter(|v| ix.vm_index.contains_key(v));
            // The original VM is off while the item runs in Azure, on once it is back.
            if let Some(v) = &original {
                if let Some(p) = power.get_mut(v) {
                    p.powered_on = !in_azure;
                }
            }
            let replicating = matches!(it.state, S::ReplicatingToOnPrem | S::FailingBack);
            let since = if it.state == S::ReplicatingToOnPrem {
                Some(
                    it.recovery_points
                        .iter()
                        .map(|p| p.time)
                        .max()
                        .unwrap_or(start)
                        .min(start),
                )
            } else {
                None
            };
            runtime.push(ItemRuntime {
                issued: Vec::new(),
                base_points: if replicating || it.state == S::FailedBackAwaitingCommit {
                    it.recovery_points.clone()
                } else {
                    Vec::new()
                },
                replicating_since: since,
                azure_running,
                azure_deleted,
                vm: if in_azure { None } else { original },
                failover_point: None,
                datastore: None,
                master_target: it.master_target.clone(),
            });
        }
        let mut st = LabState {
            known_inputs: ix.known_inputs,
            estate,
            item_index: ix.item_index,
            name_index: ix.name_index,
            plans: ix.plans,
            groups: ix.groups,
            runtime,
            vm_index: ix.vm_index,
            mt_index: ix.mt_index,
            power,
            jobs: Vec::new(),
            job_index: HashMap::new(),
            jobs_by_target: HashMap::new(),
            due: BinaryHeap::new(),
            counters: Counters::default(),
            calls: HashMap::new(),
            vm_seq: 0,
            dirty: false,
            persist: None,
        };
        st.resume_running_jobs(settings);
        st
    }

    /// The state as written to a lab file (the indexes are rebuilt on restore).
    pub(crate) fn saved(&self) -> super::persist::SavedRef<'_> {
        super::persist::SavedRef {
            estate: &self.estate,
            runtime: &self.runtime,
            power: &self.power,
            jobs: &self.jobs,
            counters: &self.counters,
            calls: self
                .calls
                .iter()
                .map(|((k, s), n)| (k.as_str(), s.as_str(), *n))
                .collect(),
            vm_seq: self.vm_seq,
        }
    }

    /// A state read back from a lab file: the indexes rebuilt from its estate and jobs.
    /// The caller has checked that `runtime` has one entry per item and that every job's
    /// items exist.
    pub(crate) fn from_saved(saved: super::persist::Saved) -> LabState {
        let super::persist::Saved {
            estate,
            runtime,
            power,
            jobs,
            counters,
            calls,
            vm_seq,
        } = saved;
        let ix = Indexes::of(&estate);
        let mut job_index = HashMap::new();
        let mut jobs_by_target: HashMap<(Target, Operation), Vec<usize>> = HashMap::new();
        let mut due = BinaryHeap::new();
        for (j, job) in jobs.iter().enumerate() {
            job_index.insert(job.id.clone(), j);
            jobs_by_target
                .entry((job.target.clone(), job.op))
                .or_default()
                .push(j);
            if !job.state.is_final() {
                due.push(Reverse((job.ends, j)));
            }
        }
        LabState {
            estate,
            item_index: ix.item_index,
            name_index: ix.name_index,
            plans: ix.plans,
            groups: ix.groups,
            runtime,
            vm_index: ix.vm_index,
            mt_index: ix.mt_index,
            known_inputs: ix.known_inputs,
            power,
            jobs,
            job_index,
            jobs_by_target,
            due,
            counters,
            calls: calls.into_iter().map(|(k, s, n)| ((k, s), n)).collect(),
            vm_seq,
            dirty: false,
            persist: None,
        }
    }

    /// Items the estate shows with a job running get a job started at the lab's start.
    fn resume_running_jobs(&mut self, settings: &LabSettings) {
        for i in 0..self.estate.items.len() {
            let op = match self.estate.items[i].state {
                ProtectionState::Reprotecting => Operation::Reprotect,
                ProtectionState::FailingBack => Operation::Failover,
                ProtectionState::Committing => Operation::Commit,
                ProtectionState::ReprotectingToAzure => Operation::ReprotectToAzure,
                _ => continue,
            };
            let input = match op {
                Operation::Failover => JobInput::Failover {
                    points: self.runtime[i]
                        .base_points
                        .iter()
                        .max_by_key(|p| p.time)
                        .cloned()
                        .into_iter()
                        .collect(),
                },
                _ => JobInput::Plain,
            };
            let target = Target::Item(self.estate.items[i].id.clone());
            self.runtime[i].issued.push(op);
            self.create_job(settings.start, settings, target, op, vec![i], input);
        }
    }

    /// The count of a call of `kind` on `subject` (0 for the first).
    fn next_call(&mut self, kind: &str, subject: &str) -> u64 {
        let slot = self
            .calls
            .entry((kind.to_string(), subject.to_string()))
            .or_insert(0);
        let n = *slot;
        *slot += 1;
        n
    }

    /// An item's index by id.
    pub(crate) fn item(&self, id: &str) -> Result<usize> {
        self.item_index
            .get(id)
            .copied()
            .ok_or_else(|| not_found(format!("protected item {id}")))
    }

    /// An item's index by id or name.
    pub(crate) fn item_by_id_or_name(&self, key: &str) -> Option<usize> {
        self.item_index
            .get(key)
            .or_else(|| self.name_index.get(key))
            .copied()
    }

    fn members(&self, target: &Target) -> Result<Vec<usize>> {
        match target {
            Target::Item(id) => Ok(vec![self.item(id)?]),
            Target::RecoveryPlan(name) => match self.plans.get(name) {
                Some(m) if !m.is_empty() => Ok(m.clone()),
                Some(_) => Err(invalid(format!("recovery plan {name} has no item"))),
                None => Err(not_found(format!("recovery plan {name}"))),
            },
        }
    }

    /// Finish every job whose time has passed, in end order.
    pub(crate) fn settle(&mut self, now: DateTime<Utc>) {
        while let Some(Reverse((ends, j))) = self.due.peek().copied() {
            if ends > now {
                break;
            }
            self.due.pop();
            if self.jobs[j].state.is_final() {
                continue;
            }
            self.finish_job(j, ends);
        }
    }

    fn finish_job(&mut self, j: usize, at: DateTime<Utc>) {
        self.dirty = true;
        let job = self.jobs[j].clone();
        let ok = job.failure.is_none();
        for (k, &i) in job.items.iter().enumerate() {
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
                    JobInput::Reprotect {
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
                    rt.base_points = vec![points::initial(at, sync)];
                    rt.replicating_since = Some(at);
                    rt.datastore = own;
                    if master_target.is_some() {
                        self.estate.items[i].master_target = master_target.clone();
                    }
                }
                (Operation::Reprotect, _) => {
                    let rt = &mut self.runtime[i];
                    rt.base_points = vec![points::initial(at, sync)];
                    rt.replicating_since = Some(at);
                }
                (Operation::Failover, input) => {
                    if let JobInput::Failover { points } = input {
                        self.runtime[i].failover_point = points.get(k).cloned();
                    }
                    self.runtime[i].azure_running = false;
                    let vm = self.failback_vm(i);
                    if let Some(p) = self.power.get_mut(&vm) {
                        p.powered_on = true;
                    }
                    self.runtime[i].vm = Some(vm);
                }
                (Operation::Commit, _) => {
                    let rt = &mut self.runtime[i];
                    rt.azure_running = false;
                    rt.azure_deleted = true;
                    rt.base_points.clear();
                    rt.replicating_since = None;
                }
                _ => {}
            }
        }
        if ok && job.op == Operation::Reprotect {
            self.sync_points(&job.items, at);
        }
        let job = &mut self.jobs[j];
        if ok {
            job.state = JobState::Succeeded;
        } else {
            job.state = JobState::Failed;
            job.error = job.failure.clone();
            self.counters.faults.job_failures += 1;
        }
    }

    /// Once every member of a replication group replicates, the group gets a common
    /// application-consistent point (members reprotected one by one otherwise share only
    /// the grid points to come).
    fn sync_points(&mut self, items: &[usize], at: DateTime<Utc>) {
        let mut done: Vec<&str> = Vec::new();
        let mut add = Vec::new();
        for &i in items {
            let Some(g) = self.estate.items[i].replication_group.as_deref() else {
                continue;
            };
            if done.contains(&g) {
                continue;
            }
            done.push(g);
            let members = self.groups.get(g).map_or(&[][..], Vec::as_slice);
            if members
                .iter()
                .all(|&m| self.estate.items[m].state == ProtectionState::ReplicatingToOnPrem)
            {
                add.extend_from_slice(members);
            }
        }
        let point = points::initial(at, true);
        for m in add {
            let base = &mut self.runtime[m].base_points;
            if !base.iter().any(|p| p.time == point.time) {
                base.push(point.clone());
            }
        }
    }

    /// An item's job failed or was cancelled: the operation may be issued again, and a
    /// failover that did not happen lets replication go on.
    fn revert(&mut self, i: usize, op: Operation, at: DateTime<Utc>) {
        let sync = self.estate.items[i].replication_group.is_some();
        let rt = &mut self.runtime[i];
        rt.issued.retain(|o| *o != op);
        if op == Operation::Failover {
            rt.base_points = points::points(&rt.base_points, None, at, sync);
            rt.replicating_since = Some(at);
        }
    }

    /// The VM an item fails back into: its original VM while it exists, else a new VM on
    /// its master target's host and the reprotect's datastore.
    fn failback_vm(&mut self, i: usize) -> String {
        let it = &self.estate.items[i];
        if let Some(v) = it
            .original_vm
            .as_ref()
            .filter(|v| self.vm_index.contains_key(*v))
        {
            return v.clone();
        }
        let mt = it
            .master_target
            .as_ref()
            .and_then(|m| self.mt_index.get(m))
            .map(|&m| &self.estate.master_targets[m]);
        let host = mt
            .map(|m| m.host.clone())
            .or_else(|| self.estate.hosts.first().map(|h| h.id.clone()))
            .unwrap_or_default();
        let datastore = self.runtime[i]
            .datastore
            .clone()
            .or_else(|| mt.map(|m| m.datastore.clone()))
            .unwrap_or_default();
        let mut id = format!("vm-{}", it.id);
        while self.vm_index.contains_key(&id) {
            self.vm_seq += 1;
            id = format!("vm-{}-{}", it.id, self.vm_seq);
        }
        let vm = OnPremVm {
            id: id.clone(),
            name: it.name.clone(),
            host,
            datastores: vec![datastore],
            snapshots: Some(0),
            disks: it.disks.clone(),
            moved_from_nfs: false,
        };
        // A VMware VM's on-premises VM is this one now; a physical server has none in the
        // model (LOC-002), the lab keeps the link itself.
        if self.estate.items[i].kind == crate::estate::ItemKind::VmwareVm {
            self.estate.items[i].original_vm = Some(id.clone());
        }
        self.add_vm(vm, false);
        id
    }

    /// Add an on-premises VM.
    pub(crate) fn add_vm(&mut self, vm: OnPremVm, powered_on: bool) {
        self.dirty = true;
        self.vm_index.insert(vm.id.clone(), self.estate.vms.len());
        self.power.insert(
            vm.id.clone(),
            VmPower {
                powered_on,
                config: BTreeMap::new(),
            },
        );
        self.estate.vms.push(vm);
    }

    /// An id for a VM the on-premises provider creates.
    pub(crate) fn new_vm_id(&mut self) -> String {
        loop {
            self.vm_seq += 1;
            let id = format!("vm-lab-{:04}", self.vm_seq);
            if !self.vm_index.contains_key(&id) {
                return id;
            }
        }
    }

    fn violation(
        &mut self,
        i: usize,
        target: &Target,
        op: Operation,
        kind: ViolationKind,
        at: DateTime<Utc>,
        detail: String,
    ) {
        self.counters.violations.push(Violation {
            item: self.estate.items[i].id.clone(),
            target: target.clone(),
            operation: op,
            kind,
            at,
            detail,
        });
    }

    /// The points of item `i` now.
    pub(crate) fn points_of(&self, i: usize, now: DateTime<Utc>) -> Vec<RecoveryPoint> {
        let rt = &self.runtime[i];
        let sync = self.estate.items[i].replication_group.is_some();
        points::points(&rt.base_points, rt.replicating_since, now, sync)
    }

    /// Start `op` on `target`: every member must allow it (all or nothing). Counts the
    /// call, records the invariants it breaks, and returns the job.
    pub(crate) fn start(
        &mut self,
        now: DateTime<Utc>,
        settings: &LabSettings,
        target: &Target,
        op: Operation,
        input: StartInput,
    ) -> Result<JobId> {
        // Counted (and perhaps a violation) even when refused: written either way.
        self.dirty = true;
        let members = self.members(target)?;
        self.counters
            .per_target
            .entry(target.clone())
            .or_default()
            .add(op);
        let mut refusals = Vec::new();
        for &i in &members {
            let it = &self.estate.items[i];
            let state = it.state;
            let id = it.id.clone();
            // A group fails over as a whole, through its recovery plan, on one point.
            // (Its reprotect runs per member: ASR no longer reprotects recovery plans.)
            let group_size = |g: &String| self.groups.get(g).map_or(0, Vec::len);
            let split = match &it.replication_group {
                Some(g) if op == Operation::Failover => {
                    let inside = members
                        .iter()
                        .filter(|&&m| self.estate.items[m].replication_group.as_ref() == Some(g))
                        .count();
                    (inside < group_size(g)).then(|| g.clone())
                }
                _ => None,
            };
            if let Some(g) = split {
                let detail = format!(
                    "{op} of {id} without the rest of replication group {g}: a group fails \
                     over only as a whole, through a recovery plan, on one point"
                );
                if group_size(&g) > 1 {
                    self.violation(
                        i,
                        target,
                        op,
                        ViolationKind::GroupSplit,
                        now,
                        detail.clone(),
                    );
                }
                refusals.push(detail);
                continue;
            }
            match state.start(op) {
                Ok(_) => {
                    if let (Some(g), StartInput::Reprotect { master_target, .. }) =
                        (it.replication_group.clone(), &input)
                    {
                        let other = self.groups.get(&g).into_iter().flatten().find_map(|&m| {
                            let busy = matches!(
                                self.estate.items[m].state,
                                ProtectionState::Reprotecting
                                    | ProtectionState::ReplicatingToOnPrem
                                    | ProtectionState::FailingBack
                            );
                            let mt = self.runtime[m].master_target.as_ref();
                            (m != i && busy && mt != master_target.as_ref())
                                .then(|| (self.estate.items[m].id.clone(), mt.cloned()))
                        });
                        if let Some((peer, mt)) = other {
                            let detail = format!(
                                "reprotect of {id} through master target {} while {peer} of \
                                 group {g} replicates through {} (GRP-002)",
                                master_target.as_deref().unwrap_or("none"),
                                mt.as_deref().unwrap_or("none")
                            );
                            self.violation(i, target, op, ViolationKind::GroupSplit, now, detail);
                        }
                    }
                    if op == Operation::Commit {
                        let running = self.runtime[i]
                            .vm
                            .as_ref()
                            .and_then(|v| self.power.get(v))
                            .is_some_and(|p| p.powered_on);
                        if !running {
                            let detail =
                                format!("commit of {id} while its on-premises VM is not running");
                            self.violation(
                                i,
                                target,
                                op,
                                ViolationKind::CommitBeforeVerifiedFailover,
                                now,
                                detail,
                            );
                        }
                    }
                }
                Err(e) => {
                    let detail = format!("{id}: {e}");
                    let kind = if self.runtime[i].issued.contains(&op) {
                        Some(ViolationKind::IssuedTwice)
                    } else if op == Operation::Failover {
                        Some(ViolationKind::FailoverNotReplicating)
                    } else if op == Operation::Commit {
                        Some(ViolationKind::CommitBeforeVerifiedFailover)
                    } else {
                        None
                    };
                    if let Some(kind) = kind {
                        self.violation(i, target, op, kind, now, detail.clone());
                    }
                    refusals.push(detail);
                }
            }
        }
        if !refusals.is_empty() {
            return Err(conflict(format!(
                "{op} of {target} refused: {}",
                refusals.join("; ")
            )));
        }
        let input = match input {
            StartInput::Reprotect {
                master_target,
                datastore,
                process_server,
                members: member_inputs,
            } => {
                let mut member_datastores = BTreeMap::new();
                for m in &member_inputs {
                    for x in [&m.datastore, &m.process_server].into_iter().flatten() {
                        if !self.known_inputs.contains(x) {
                            return Err(invalid(format!(
                                "input {x} of member {} is not known",
                                m.item
                            )));
                        }
                    }
                    if let Some(d) = &m.datastore {
                        member_datastores.insert(m.item.clone(), d.clone());
                    }
                }
                if let Some(m) = &master_target {
                    if !self.mt_index.contains_key(m) {
                        return Err(invalid(format!("master target {m} is not registered")));
                    }
                }
                if let Some(d) = &datastore {
                    if !self.known_inputs.contains(d) {
                        return Err(invalid(format!("datastore {d} is not known")));
                    }
                }
                if let Some(p) = &process_server {
                    if !self.known_inputs.contains(p) {
                        return Err(invalid(format!("process server {p} is not registered")));
                    }
                }
                JobInput::Reprotect {
                    master_target,
                    datastore,
                    member_datastores,
                }
            }
            StartInput::Failover(spec) => {
                // One common point per replication group; an item alone picks its own.
                let mut sets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
                for (k, &i) in members.iter().enumerate() {
                    let it = &self.estate.items[i];
                    let key = match &it.replication_group {
                        Some(g) => format!("group {g}"),
                        None => format!("item {}", it.id),
                    };
                    sets.entry(key).or_default().push(k);
                }
                let mut chosen: Vec<Option<RecoveryPoint>> = vec![None; members.len()];
                for (key, ks) in &sets {
                    let lists: Vec<_> = ks
                        .iter()
                        .map(|&k| self.points_of(members[k], now))
                        .collect();
                    let got = points::choose(&spec, &lists).map_err(|e| {
                        conflict(format!("failover of {target} refused: {key}: {e}"))
                    })?;
                    for (&k, p) in ks.iter().zip(got) {
                        chosen[k] = Some(p);
                    }
                }
                JobInput::Failover {
                    points: chosen.into_iter().flatten().collect(),
                }
            }
            StartInput::Plain => JobInput::Plain,
        };
        for &i in &members {
            let it = &mut self.estate.items[i];
            if let Ok(next) = it.state.start(op) {
                it.state = next;
            }
            let id = it.id.clone();
            if op == Operation::Failover {
                // Replication stops: the points so far stay listed.
                let frozen = self.points_of(i, now);
                let rt = &mut self.runtime[i];
                rt.base_points = frozen;
                rt.replicating_since = None;
            }
            if let JobInput::Reprotect { master_target, .. } = &input {
                self.runtime[i].master_target = master_target.clone();
            }
            self.runtime[i].issued.push(op);
            self.counters.per_item.entry(id).or_default().add(op);
        }
        Ok(self.create_job(now, settings, target.clone(), op, members, input))
    }

    fn create_job(
        &mut self,
        now: DateTime<Utc>,
        settings: &LabSettings,
        target: Target,
        op: Operation,
        items: Vec<usize>,
        input: JobInput,
    ) -> JobId {
        let attempt = self
            .jobs_by_target
            .get(&(target.clone(), op))
            .map_or(0, |v| v.len() as u64);
        let subject = target.to_string();
        let op_name = op.to_string();
        let range = settings.durations.of(op);
        let u = Key::new(settings.seed)
            .str("duration")
            .str(&subject)
            .str(&op_name)
            .num(attempt)
            .unit();
        let duration = range.min + (range.max.saturating_sub(range.min)).mul_f64(u);
        let failure = settings
            .faults
            .job_failure(settings.seed, &subject, &op_name, attempt);
        let j = self.jobs.len();
        let id = JobId(format!("lab-job-{:06}", j + 1));
        let ends = now + to_chrono(duration);
        self.jobs.push(Job {
            id: id.clone(),
            target: target.clone(),
            op,
            items,
            started: now,
            ends,
            failure,
            state: JobState::InProgress,
            error: None,
            input,
        });
        self.job_index.insert(id.clone(), j);
        self.jobs_by_target.entry((target, op)).or_default().push(j);
        self.due.push(Reverse((ends, j)));
        id
    }

    /// A job's status.
    pub(crate) fn job_status(&self, id: &JobId, now: DateTime<Utc>) -> Result<JobStatus> {
        let j = self
            .job_index
            .get(id)
            .ok_or_else(|| not_found(format!("job {id}")))?;
        Ok(self.jobs[*j].status(now))
    }

    /// The jobs of `op` on `target`, newest first.
    pub(crate) fn find_jobs(
        &self,
        target: &Target,
        op: Operation,
        now: DateTime<Utc>,
    ) -> Vec<JobStatus> {
        self.jobs_by_target
            .get(&(target.clone(), op))
            .map(|v| v.iter().rev().map(|&j| self.jobs[j].status(now)).collect())
            .unwrap_or_default()
    }

    /// Cancel a running job: its items return to the state before it.
    pub(crate) fn cancel(&mut self, id: &JobId, now: DateTime<Utc>) -> Result<()> {
        self.dirty = true;
        let j = *self
            .job_index
            .get(id)
            .ok_or_else(|| not_found(format!("job {id}")))?;
        let target = self.jobs[j].target.clone();
        self.counters
            .per_target
            .entry(target)
            .or_default()
            .add(Operation::CancelFailover);
        if self.jobs[j].state.is_final() {
            return Err(conflict(format!(
                "job {id} has already ended ({:?})",
                self.jobs[j].state
            )));
        }
        let (op, items) = (self.jobs[j].op, self.jobs[j].items.clone());
        for i in items {
            if let Ok(prev) = self.estate.items[i].state.finish(false) {
                self.estate.items[i].state = prev;
            }
            self.revert(i, op, now);
            let item = self.estate.items[i].id.clone();
            self.counters
                .per_item
                .entry(item)
                .or_default()
                .add(Operation::CancelFailover);
        }
        let job = &mut self.jobs[j];
        job.state = JobState::Cancelled;
        job.error = Some("cancelled by the caller".to_string());
        Ok(())
    }

    /// The estate as it is now.
    pub(crate) fn snapshot(&self, now: DateTime<Utc>) -> Estate {
        let mut e = self.estate.clone();
        e.captured_at = now;
        for (i, it) in e.items.iter_mut().enumerate() {
            let rt = &self.runtime[i];
            it.recovery_points = self.points_of(i, now);
            if let Some(v) = &mut it.azure_vm {
                v.running = Some(rt.azure_running);
                v.deleted = rt.azure_deleted;
            }
        }
        for m in &mut e.master_targets {
            if let Some(p) = self.power.get(&m.id) {
                if !p.config.is_empty() {
                    let params = m.config_params.get_or_insert_with(BTreeMap::new);
                    for (k, v) in &p.config {
                        params.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        e
    }

    /// The runtime of the VM item `i` is (or will be) on-premises.
    pub(crate) fn vm_runtime(&self, i: usize) -> Option<VmRuntime> {
        let it = &self.estate.items[i];
        let rt = &self.runtime[i];
        let failed_back = rt.vm.is_some();
        let vm = rt.vm.clone().or_else(|| {
            it.original_vm
                .clone()
                .filter(|v| self.vm_index.contains_key(v))
        })?;
        let powered_on = self.power.get(&vm).is_some_and(|p| p.powered_on);
        let mut nics = Vec::new();
        let azure_nics = it
            .azure_vm
            .as_ref()
            .map(|v| v.nics.as_slice())
            .unwrap_or(&[]);
        if failed_back && !azure_nics.is_empty() {
            for (k, n) in azure_nics.iter().enumerate() {
                let before = it.on_prem_addresses.iter().find(|a| a.nic == n.name);
                let nic = match before {
                    // OPS-003: static on-premises, DHCP in Azure: DHCP after failback.
                    Some(a) if a.is_static && n.dhcp => GuestNic {
                        name: n.name.clone(),
                        ip_address: Some(dhcp_address(&it.id, k)),
                        dhcp: true,
                    },
                    Some(a) => GuestNic {
                        name: n.name.clone(),
                        ip_address: Some(a.address),
                        dhcp: !a.is_static,
                    },
                    None => GuestNic {
                        name: n.name.clone(),
                        ip_address: n.ip_address,
                        dhcp: n.dhcp,
                    },
                };
                nics.push(nic);
            }
            for a in &it.on_prem_addresses {
                if !azure_nics.iter().any(|n| n.name == a.nic) {
                    nics.push(GuestNic {
                        name: a.nic.clone(),
                        ip_address: Some(a.address),
                        dhcp: !a.is_static,
                    });
                }
            }
        } else {
            nics = it
                .on_prem_addresses
                .iter()
                .map(|a| GuestNic {
                    name: a.nic.clone(),
                    ip_address: Some(a.address),
                    dhcp: !a.is_static,
                })
                .collect();
        }
        // OPS-002: a Linux machine comes back with the packages it had in Azure.
        let packages = if failed_back && it.os.family == crate::estate::OsFamily::Linux {
            it.azure_vm.as_ref().and_then(|v| v.packages.clone())
        } else {
            None
        };
        Some(VmRuntime {
            vm,
            powered_on,
            guest_running: Some(powered_on),
            nics,
            packages,
        })
    }

    /// The point item `i` failed over to.
    pub(crate) fn failover_point(&self, i: usize) -> Option<RecoveryPoint> {
        self.runtime[i].failover_point.clone()
    }
}

/// The inputs of a mutation as the providers pass them.
#[derive(Debug, Clone)]
pub(crate) enum StartInput {
    /// Reprotect Azure to on-premises.
    Reprotect {
        master_target: Option<String>,
        datastore: Option<String>,
        process_server: Option<String>,
        /// Per member of a recovery plan: its own inputs.
        members: Vec<crate::provider::MemberInputs>,
    },
    /// Failover with a point.
    Failover(PointSpec),
    /// Commit, reprotect to Azure.
    Plain,
}

/// The DHCP address a NIC gets on-premises after failback (a lab scope, 10.254.0.0/16).
fn dhcp_address(item: &str, nic: usize) -> IpAddr {
    let h = Key::new(0).str(item).num(nic as u64).bits();
    IpAddr::V4(Ipv4Addr::new(
        10,
        254,
        (h % 256) as u8,
        ((h >> 8) % 250 + 2) as u8,
    ))
}
