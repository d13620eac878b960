//! The lab's shared state: the estate as it evolves, each item's protection state and
//! replication, the on-premises VMs' power, the disks attached to each master target, the
//! links reprotects send over, the jobs, and the counters. Jobs advance lazily: every call
//! first settles the events whose simulated time has passed, in time order
//! ([`LabState::settle`]), so the site looks the same whoever asks first.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, DurationRound, Utc};
use serde::{Deserialize, Serialize};

use super::counters::{Counters, Violation, ViolationKind};
use super::faults::Key;
use super::jobs::{Job, JobInput, Step, StepKind, Transfer, Work};
use super::links::Link;
use super::points;
use super::{LabSettings, PROVIDER};
use failback_core::clock::{Clock, ScaledClock, VirtualClock};
use failback_core::estate::{Consistency, Estate, Flavor, OnPremVm, PsLocation, RecoveryPoint};
use failback_core::provider::{GuestNic, JobId, JobState, JobStatus, PointSpec, Target, VmRuntime};
use failback_core::readiness::MAX_DISKS_PER_MASTER_TARGET;
use failback_core::state::{Operation, ProtectionState};
use failback_core::timing::ItemTimes;
use failback_core::{Error, ErrorKind, Result};

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
pub(super) const MAX_POLL: Duration = Duration::from_secs(60);

/// The link of a classic item whose reprotect names no process server and whose estate has
/// no Azure process server.
const DEFAULT_LINK: &str = "default-link";
/// The link of a modernized estate without a replication appliance.
const APPLIANCE_LINK: &str = "replication-appliance";

/// What both providers share.
pub(crate) struct Shared {
    pub clock: Arc<dyn Clock>,
    pub settings: LabSettings,
    /// The estate's flavor (what the recovery side can do depends on it).
    pub flavor: Flavor,
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
        let flavor = estate.flavor;
        let state = LabState::new(estate, &settings);
        Shared {
            clock,
            settings,
            flavor,
            state: Mutex::new(state),
        }
    }

    /// A lab read back from its file: its snapshot, then the calls of its log replayed at
    /// their times (the jobs' events between them settled as they came live). The clock
    /// resumes at the latest simulated time written (of the saved kind, at the saved
    /// scale), and the lab goes on persisting to the same file. A record whose call does
    /// not replay to the outcome recorded is an error naming the log.
    pub(crate) fn restored(
        path: &std::path::Path,
        loaded: super::persist::Loaded,
    ) -> Result<Shared> {
        let mut target = super::persist::Target::restored(path.to_path_buf(), &loaded);
        let super::persist::Loaded {
            saved_at,
            settings,
            state,
            records,
            ..
        } = loaded;
        let mut state = LabState::from_saved(state);
        let mut at = saved_at;
        for r in records {
            state.settle(r.at, &settings);
            for (kind, subject, n) in r.calls {
                state.calls.insert((kind, subject), n);
            }
            let ok = match &r.call {
                Some(call) => state.apply(call, r.at, &settings).is_ok(),
                None => true,
            };
            if ok != r.ok {
                return Err(super::persist::damaged(
                    &super::persist::log_file(path),
                    format!(
                        "record {} ({:?} at {}) was {} but replays {}: the log does not \
                         follow its snapshot",
                        r.seq,
                        r.call,
                        r.at,
                        if r.ok { "accepted" } else { "refused" },
                        if ok { "accepted" } else { "refused" },
                    ),
                ));
            }
            state.counters.faults = r.faults;
            at = at.max(r.at);
        }
        state.dirty = false;
        state.calls_touched.clear();
        target.saved_at = Some(at);
        let clock = lab_clock(at, &settings);
        let flavor = state.estate.flavor;
        state.persist = Some(target);
        Ok(Shared {
            clock,
            settings,
            flavor,
            state: Mutex::new(state),
        })
    }

    /// The state settled to now; when the lab persists and jobs advanced, their time is
    /// written first: what a provider call sees is durable before the call returns.
    pub(crate) fn read(&self) -> Result<(MutexGuard<'_, LabState>, DateTime<Utc>)> {
        let (mut st, now) = self.lock();
        self.save(&mut st, now)?;
        Ok((st, now))
    }

    /// When the state changed (jobs advanced) and the lab persists, append a record of the
    /// time (call with the lock held).
    pub(crate) fn save(&self, st: &mut LabState, now: DateTime<Utc>) -> Result<()> {
        if !st.dirty {
            return Ok(());
        }
        let written = st.persist.as_ref().and_then(|t| t.saved_at);
        if written.is_some_and(|w| now <= w) {
            // A restore settles to the time written anyway: the same changes, recomputed.
            st.dirty = false;
            return Ok(());
        }
        self.write(st, now, None, true)
    }

    /// Append the record of a mutating call made at `now`, accepted (`ok`) or refused,
    /// when the lab persists (call with the lock held, right after the call changed the
    /// state): durable before the call returns.
    pub(crate) fn log(
        &self,
        st: &mut LabState,
        now: DateTime<Utc>,
        call: super::persist::Call,
        ok: bool,
    ) -> Result<()> {
        self.write(st, now, Some(call), ok)
    }

    fn write(
        &self,
        st: &mut LabState,
        now: DateTime<Utc>,
        call: Option<super::persist::Call>,
        ok: bool,
    ) -> Result<()> {
        let Some(mut target) = st.persist.take() else {
            st.dirty = false;
            st.calls_touched.clear();
            return Ok(());
        };
        let done = guarded(&mut target, |t| self.write_to(t, st, now, call, ok));
        st.persist = Some(target);
        done
    }

    fn write_to(
        &self,
        target: &mut super::persist::Target,
        st: &mut LabState,
        now: DateTime<Utc>,
        call: Option<super::persist::Call>,
        ok: bool,
    ) -> Result<()> {
        // Never earlier than a state already written: the clock only moves forward.
        let at = target.saved_at.map_or(now, |s| s.max(now));
        let calls = st
            .calls_touched
            .iter()
            .map(|key| {
                let n = st.calls.get(key).copied().unwrap_or(0);
                (key.0.clone(), key.1.clone(), n)
            })
            .collect();
        let mut record = super::persist::Record {
            seq: 0,
            at: now,
            call,
            ok,
            faults: st.counters.faults,
            calls,
        };
        target.append(&mut record)?;
        target.saved_at = Some(at);
        st.dirty = false;
        st.calls_touched.clear();
        if target.wants_compaction() {
            self.snapshot_to(target, st, now)?;
        }
        Ok(())
    }

    /// Write a whole snapshot of the state now (the first one, or a compaction): the log
    /// starts anew after it.
    pub(crate) fn snapshot(&self, st: &mut LabState, now: DateTime<Utc>) -> Result<()> {
        let Some(mut target) = st.persist.take() else {
            return Ok(());
        };
        let done = guarded(&mut target, |t| self.snapshot_to(t, st, now));
        st.persist = Some(target);
        done
    }

    fn snapshot_to(
        &self,
        target: &mut super::persist::Target,
        st: &mut LabState,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let at = target.saved_at.map_or(now, |s| s.max(now));
        let epoch = super::persist::next_epoch(target.epoch());
        let bytes = super::persist::encode(&target.path, epoch, at, &self.settings, st.saved())?;
        target.write_snapshot(epoch, &bytes)?;
        target.saved_at = Some(at);
        st.dirty = false;
        st.calls_touched.clear();
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
        guard.settle(now, &self.settings);
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
        let (mut guard, _) = self.lock();
        let st = &mut *guard;
        let (calls, touched) = (&mut st.calls, &mut st.calls_touched);
        self.settings.faults.meet(
            self.settings.seed,
            (kind, subject, mutation),
            PROVIDER,
            &mut st.counters.faults,
            || next_call(calls, touched, kind, subject),
        )
    }
}

/// The count of a call of `kind` on `subject` (0 for the first), noted as changed for the
/// lab file's log.
fn next_call(
    calls: &mut BTreeMap<(String, String), u64>,
    touched: &mut BTreeSet<(String, String)>,
    kind: &str,
    subject: &str,
) -> u64 {
    let key = (kind.to_string(), subject.to_string());
    let slot = calls.entry(key.clone()).or_insert(0);
    let n = *slot;
    *slot += 1;
    touched.insert(key);
    n
}

/// The lab's view of one item besides its estate record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
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
    /// The master target the lab attached the item's disks to (from its reprotect's
    /// acceptance to its failover's success), while they are attached.
    pub disks_on: Option<String>,
    /// The master target its disks were released from when its failover succeeded: they
    /// are attached again if the failover is cancelled.
    pub released_from: Option<String>,
    /// The link its last reprotect sent over.
    pub link: Option<String>,
    /// Until then (after a commit) its mobility agent has not re-registered.
    pub agent_ready_at: Option<DateTime<Utc>>,
    /// When its last failover started.
    pub failover_started: Option<DateTime<Utc>>,
    /// When its last failover ended (it failed back).
    pub failover_ended: Option<DateTime<Utc>>,
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
    pub(super) item_index: HashMap<String, usize>,
    name_index: HashMap<String, usize>,
    plans: HashMap<String, Vec<usize>>,
    groups: HashMap<String, Vec<usize>>,
    pub runtime: Vec<ItemRuntime>,
    pub vm_index: HashMap<String, usize>,
    pub mt_index: HashMap<String, usize>,
    /// Datastore ids and names, process server ids: reprotect inputs.
    known_inputs: HashSet<String>,
    pub power: BTreeMap<String, VmPower>,
    pub(super) jobs: Vec<Job>,
    job_index: HashMap<JobId, usize>,
    jobs_by_target: HashMap<(Target, Operation), Vec<usize>>,
    /// Jobs' next events of a known time (stale entries are skipped).
    pub(super) due: BinaryHeap<Reverse<(DateTime<Utc>, usize)>>,
    /// The links reprotects send over, by name.
    pub(super) links: BTreeMap<String, Link>,
    /// Disks attached to each master target now (EXT-004).
    pub(super) disks: BTreeMap<String, u32>,
    /// The most disks attached to each master target so far.
    pub(super) peak_disks: BTreeMap<String, u32>,
    pub counters: Counters,
    calls: BTreeMap<(String, String), u64>,
    vm_seq: u64,
    /// The state changed in a way a caller may see (a mutation, a job that ended): it must
    /// be written before a provider call returns, when the lab persists.
    pub dirty: bool,
    /// Where the lab persists, when it does, and the simulated time last written.
    pub persist: Option<super::persist::Target>,
    /// Fault-draw counts changed since the last record written (written with the next).
    calls_touched: BTreeSet<(String, String)>,
}

pub(super) fn not_found(what: impl std::fmt::Display) -> Error {
    Error::provider(
        PROVIDER,
        ErrorKind::NotFound,
        format!("{what} does not exist"),
    )
}

pub(super) fn conflict(message: impl Into<String>) -> Error {
    Error::provider(PROVIDER, ErrorKind::Conflict, message)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::provider(PROVIDER, ErrorKind::InvalidInput, message)
}

pub(super) fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// `t + d`, saturating.
pub(super) fn plus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(to_chrono(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A number in `0..1` for a duration of `what` of item `item`, its `attempt`-th time:
/// keyed like a job on the item itself, so an item's durations are the same whether it
/// goes alone or in a recovery plan.
fn draw(seed: u64, item: &str, what: &str, attempt: u64) -> f64 {
    Key::new(seed)
        .str("duration")
        .str(&Target::Item(item.to_string()).to_string())
        .str(what)
        .num(attempt)
        .unit()
}

/// A reprotect to Azure refused because the item's mobility agent has not re-registered:
/// retryable after `left`, rounded up to a minute.
fn agent_not_ready(target: &Target, left: chrono::Duration) -> Error {
    let ms = u64::try_from(left.num_milliseconds()).unwrap_or(0);
    let minutes = ms.div_ceil(60_000).max(1);
    Error::provider(
        PROVIDER,
        ErrorKind::NotReady,
        format!(
            "reprotect to Azure of {target} refused: the mobility agent isn't installed or \
             registered on the VM yet (it re-registers with the configuration server after \
             the commit); try again in {minutes} min"
        ),
    )
    .with_retry_after(Duration::from_secs(minutes * 60))
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

/// What a mutation's inputs became once checked.
struct Checked {
    input: JobInput,
    /// Per member of a reprotect to on-premises: its link and the link's bandwidth.
    links: Vec<(String, u64)>,
    /// The master target a reprotect to on-premises attaches its members' disks to.
    master_target: Option<String>,
}

impl LabState {
    fn new(estate: Estate, settings: &LabSettings) -> LabState {
        let start = settings.start;
        let ix = Indexes::of(&estate);
        let mut power: BTreeMap<String, VmPower> = BTreeMap::new();
        for id in estate
            .vms
            .iter()
            .map(|v| &v.id)
            .chain(estate.master_targets.iter().map(|m| &m.id))
        {
            power.insert(
                id.clone(),
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
                base_points: if replicating || it.state == S::FailedBackAwaitingCommit {
                    it.recovery_points.clone()
                } else {
                    Vec::new()
                },
                replicating_since: since,
                azure_running,
                azure_deleted,
                vm: if in_azure { None } else { original },
                master_target: it.master_target.clone(),
                ..ItemRuntime::default()
            });
        }
        // What the estate shows attached (the disks of items it shows replicating
        // included): the lab adds and releases only what it attaches itself.
        let disks: BTreeMap<String, u32> = estate
            .master_targets
            .iter()
            .map(|m| (m.id.clone(), m.attached_disks))
            .collect();
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
            links: BTreeMap::new(),
            peak_disks: disks.clone(),
            disks,
            counters: Counters::default(),
            calls: BTreeMap::new(),
            vm_seq: 0,
            dirty: false,
            persist: None,
            calls_touched: BTreeSet::new(),
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
            links: &self.links,
            disks: &self.disks,
            peak_disks: &self.peak_disks,
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
            links,
            disks,
            peak_disks,
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
            if let (false, Some(t)) = (job.state.is_final(), job.next_at) {
                due.push(Reverse((t, j)));
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
            links,
            disks,
            peak_disks,
            counters,
            calls: calls.into_iter().map(|(k, s, n)| ((k, s), n)).collect(),
            vm_seq,
            dirty: false,
            persist: None,
            calls_touched: BTreeSet::new(),
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
            let links = vec![self.link_of(i, None, settings)];
            let work = self.plan_work(settings.start, settings, &target, op, &[i], &links);
            self.runtime[i].issued.push(op);
            self.create_job(settings.start, settings, target, op, vec![i], input, work);
        }
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

    // ----- the timing model -----

    /// How long `op` takes for item `i`, its `attempt`-th time (for a reprotect to
    /// on-premises: its setup, before its bytes travel).
    pub(super) fn duration_of(
        &self,
        settings: &LabSettings,
        i: usize,
        op: Operation,
        attempt: u64,
    ) -> Duration {
        let it = &self.estate.items[i];
        let t = &settings.timing;
        let u = draw(settings.seed, &it.id, &op.to_string(), attempt);
        match op {
            Operation::Reprotect => t.reprotect_setup.at(u),
            Operation::Failover => t
                .failover(u32::try_from(it.disks.len()).unwrap_or(u32::MAX))
                .at(u),
            Operation::Commit => t.commit.at(u),
            Operation::ReprotectToAzure => t.reprotect_to_azure.at(u),
            Operation::CancelFailover => t.cancel_failover.at(u),
        }
    }

    /// How long item `i`'s mobility agent takes to re-register after its `attempt`-th
    /// commit.
    pub(super) fn agent_delay(&self, settings: &LabSettings, i: usize, attempt: u64) -> Duration {
        let u = draw(
            settings.seed,
            &self.estate.items[i].id,
            "agent re-registration",
            attempt,
        );
        settings.timing.agent_reregistration.at(u)
    }

    /// What item `i`'s reprotect to on-premises sends: the changed bytes to its original
    /// VM while it exists (every disk if the VM moved from NFS, EXT-011, or the changes are
    /// unknown), every disk to a new VM.
    pub(super) fn bytes_of(&self, i: usize) -> u64 {
        let it = &self.estate.items[i];
        let full: u64 = it.disks.iter().map(|d| d.capacity_bytes).sum();
        match it.original_vm.as_ref().and_then(|v| self.vm_index.get(v)) {
            Some(&v) if !self.estate.vms[v].moved_from_nfs => {
                it.changed_bytes.map_or(full, |b| b.min(full))
            }
            _ => full,
        }
    }

    /// The link item `i`'s reprotect to on-premises sends over, with its bandwidth:
    /// modernized, the replication appliance's; classic, the process server given (else the
    /// one of its last reprotect, else the first Azure process server of its network, else
    /// the first Azure one).
    pub(super) fn link_of(
        &self,
        i: usize,
        process_server: Option<&str>,
        settings: &LabSettings,
    ) -> (String, u64) {
        let default = settings.timing.bandwidth_mbps;
        let unlimited = default == u64::MAX;
        if self.estate.flavor == Flavor::Modernized {
            return match &self.estate.replication_appliance {
                Some(a) => (
                    a.id.clone(),
                    a.bandwidth_mbps.filter(|_| !unlimited).unwrap_or(default),
                ),
                None => (APPLIANCE_LINK.to_string(), default),
            };
        }
        let network = self.estate.items[i]
            .azure_vm
            .as_ref()
            .map(|v| v.network.as_str());
        let in_azure = || {
            self.estate
                .process_servers
                .iter()
                .filter(|p| p.location == PsLocation::Azure && p.running != Some(false))
        };
        let chosen = process_server
            .map(str::to_string)
            .or_else(|| self.runtime[i].link.clone())
            .or_else(|| {
                in_azure()
                    .find(|p| network.is_some() && p.network.as_deref() == network)
                    .or_else(|| in_azure().next())
                    .map(|p| p.id.clone())
            });
        match chosen {
            Some(id) => {
                let mbps = self
                    .estate
                    .process_servers
                    .iter()
                    .find(|p| p.id == id)
                    .and_then(|p| p.bandwidth_mbps)
                    .filter(|_| !unlimited)
                    .unwrap_or(default);
                (id, mbps)
            }
            None => (DEFAULT_LINK.to_string(), default),
        }
    }

    /// Item `i`'s durations for its first attempt of each stage, its bytes and its link.
    pub(super) fn item_timing(&self, i: usize, settings: &LabSettings) -> ItemTimes {
        let (link, link_mbps) = self.link_of(i, None, settings);
        ItemTimes {
            reprotect_setup: self.duration_of(settings, i, Operation::Reprotect, 0),
            bytes: self.bytes_of(i),
            link,
            link_mbps,
            failover: self.duration_of(settings, i, Operation::Failover, 0),
            commit: self.duration_of(settings, i, Operation::Commit, 0),
            agent_reregistration: self.agent_delay(settings, i, 0),
            reprotect_to_azure: self.duration_of(settings, i, Operation::ReprotectToAzure, 0),
        }
    }

    // ----- disks attached to master targets (EXT-004) -----

    fn disk_count(&self, i: usize) -> u32 {
        u32::try_from(self.estate.items[i].disks.len()).unwrap_or(u32::MAX)
    }

    /// Disks attached to master target `mt` now.
    pub(super) fn attached(&self, mt: &str) -> u32 {
        self.disks.get(mt).copied().unwrap_or(0)
    }

    /// Attach item `i`'s disks to `mt`.
    fn attach(&mut self, i: usize, mt: &str) {
        let n = self.disk_count(i);
        let now = self.disks.entry(mt.to_string()).or_insert(0);
        *now = now.saturating_add(n);
        let now = *now;
        let peak = self.peak_disks.entry(mt.to_string()).or_insert(0);
        *peak = (*peak).max(now);
        self.runtime[i].disks_on = Some(mt.to_string());
    }

    /// Release item `i`'s disks from the master target the lab attached them to.
    pub(super) fn release(&mut self, i: usize) -> Option<String> {
        let mt = self.runtime[i].disks_on.take()?;
        let n = self.disk_count(i);
        if let Some(d) = self.disks.get_mut(&mt) {
            *d = d.saturating_sub(n);
        }
        Some(mt)
    }

    /// Refuse (and count) attaching `items`' disks to `mt` past its limit.
    fn check_room(
        &mut self,
        now: DateTime<Utc>,
        target: &Target,
        op: Operation,
        mt: &str,
        items: &[usize],
    ) -> Result<()> {
        let asked: u32 = items.iter().map(|&i| self.disk_count(i)).sum();
        let have = self.attached(mt);
        if have.saturating_add(asked) <= MAX_DISKS_PER_MASTER_TARGET {
            return Ok(());
        }
        let detail = format!(
            "{op} of {target} refused: master target {mt} has {have} disks attached and this \
             asks {asked} more; a master target attaches at most \
             {MAX_DISKS_PER_MASTER_TARGET} (EXT-004)"
        );
        for &i in items {
            self.violation(i, target, op, ViolationKind::DiskLimit, now, detail.clone());
        }
        Err(conflict(detail))
    }

    // ----- mutations -----

    pub(super) fn violation(
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
        let mut not_ready: Option<chrono::Duration> = None;
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
                    // While the cancel of its failover runs, the item waits for it.
                    let cancelling = self.runtime[i].issued.contains(&Operation::CancelFailover);
                    if cancelling && matches!(op, Operation::Commit | Operation::CancelFailover) {
                        let detail = format!("{id}: the cancel of its failover is still running");
                        let kind = if op == Operation::Commit {
                            ViolationKind::CommitBeforeVerifiedFailover
                        } else {
                            ViolationKind::IssuedTwice
                        };
                        self.violation(i, target, op, kind, now, detail.clone());
                        refusals.push(detail);
                        continue;
                    }
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
                    if op == Operation::ReprotectToAzure {
                        if let Some(ready) = self.runtime[i].agent_ready_at.filter(|r| *r > now) {
                            let left = ready - now;
                            not_ready = Some(not_ready.map_or(left, |l| l.max(left)));
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
        // Not a violation: ASR answers so until the agent re-registers.
        if let Some(left) = not_ready {
            return Err(agent_not_ready(target, left));
        }
        let checked = self.check_input(now, settings, target, op, &members, input)?;
        let work = self.plan_work(now, settings, target, op, &members, &checked.links);
        let own_points = match (&checked.input, self.estate.flavor) {
            (JobInput::Failover { points }, Flavor::Modernized) => Some(points.clone()),
            _ => None,
        };
        for (k, &i) in members.iter().enumerate() {
            if op != Operation::CancelFailover {
                // A cancel of a failover leaves the item failed back until its job ends.
                let it = &mut self.estate.items[i];
                if let Ok(next) = it.state.start(op) {
                    it.state = next;
                }
            }
            match op {
                Operation::Failover => {
                    // Replication stops: the points so far stay listed, with the one a
                    // planned failover makes (modernized).
                    let mut frozen = self.points_of(i, now);
                    if let Some(p) = own_points.as_ref().and_then(|p| p.get(k)) {
                        frozen.retain(|q| q.time != p.time);
                        frozen.push(p.clone());
                        frozen.sort_by_key(|q| q.time);
                    }
                    let rt = &mut self.runtime[i];
                    rt.base_points = frozen;
                    rt.replicating_since = None;
                }
                Operation::Reprotect => {
                    self.runtime[i].master_target = checked.master_target.clone();
                    self.runtime[i].link = checked.links.get(k).map(|l| l.0.clone());
                    if let Some(mt) = &checked.master_target {
                        self.attach(i, mt);
                    }
                }
                Operation::CancelFailover => {
                    if let Some(mt) = self.runtime[i].released_from.take() {
                        self.attach(i, &mt);
                    }
                }
                _ => {}
            }
            let id = self.estate.items[i].id.clone();
            self.runtime[i].issued.push(op);
            self.counters.per_item.entry(id).or_default().add(op);
        }
        Ok(self.create_job(
            now,
            settings,
            target.clone(),
            op,
            members,
            checked.input,
            work,
        ))
    }

    /// Check a mutation's inputs (known ids, room on the master target, a point to fail
    /// over to) and turn them into the job's.
    fn check_input(
        &mut self,
        now: DateTime<Utc>,
        settings: &LabSettings,
        target: &Target,
        op: Operation,
        members: &[usize],
        input: StartInput,
    ) -> Result<Checked> {
        let mut checked = Checked {
            input: JobInput::Plain,
            links: Vec::new(),
            master_target: None,
        };
        match input {
            StartInput::Reprotect {
                master_target,
                datastore,
                process_server,
                members: member_inputs,
            } => {
                let mut member_datastores = BTreeMap::new();
                let mut member_ps = BTreeMap::new();
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
                    if let Some(p) = &m.process_server {
                        member_ps.insert(m.item.clone(), p.clone());
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
                if op == Operation::Reprotect {
                    if let Some(mt) = &master_target {
                        self.check_room(now, target, op, mt, members)?;
                    }
                    checked.links = members
                        .iter()
                        .map(|&i| {
                            let own = member_ps
                                .get(&self.estate.items[i].id)
                                .or(process_server.as_ref());
                            self.link_of(i, own.map(String::as_str), settings)
                        })
                        .collect();
                    checked.master_target = master_target.clone();
                }
                checked.input = JobInput::Reprotect {
                    master_target,
                    datastore,
                    member_datastores,
                };
            }
            StartInput::Failover(spec) => {
                if let PointSpec::Id(id) = &spec {
                    if matches!(target, Target::RecoveryPlan(_)) {
                        return Err(invalid(format!(
                            "failover of {target} refused: custom recovery points (here {id}) \
                             are not offered for recovery plans; fail the plan over to the \
                             latest or the latest application-consistent point"
                        )));
                    }
                    if self.estate.flavor == Flavor::Modernized {
                        return Err(invalid(format!(
                            "failover of {target} refused: a planned failover makes its own \
                             recovery point when it starts; a named point ({id}) cannot be \
                             given"
                        )));
                    }
                }
                let points = if self.estate.flavor == Flavor::Modernized {
                    self.own_points(now, &spec, members)
                } else {
                    self.chosen_points(now, target, &spec, members)?
                };
                checked.input = JobInput::Failover { points };
            }
            StartInput::Plain => {
                if op == Operation::CancelFailover {
                    // Their disks go back to the master targets they were released from.
                    let mut by_mt: BTreeMap<String, Vec<usize>> = BTreeMap::new();
                    for &i in members {
                        if let Some(mt) = &self.runtime[i].released_from {
                            by_mt.entry(mt.clone()).or_default().push(i);
                        }
                    }
                    for (mt, items) in by_mt {
                        self.check_room(now, target, op, &mt, &items)?;
                    }
                }
            }
        }
        Ok(checked)
    }

    /// The points of a planned failover (modernized): one made now per member,
    /// crash-consistent for the latest point, application-consistent for the latest
    /// application-consistent one.
    fn own_points(
        &self,
        now: DateTime<Utc>,
        spec: &PointSpec,
        members: &[usize],
    ) -> Vec<RecoveryPoint> {
        let time = now
            .duration_trunc(chrono::Duration::seconds(1))
            .unwrap_or(now);
        let consistency = match spec {
            PointSpec::LatestApplicationConsistent => Consistency::ApplicationConsistent,
            _ => Consistency::CrashConsistent,
        };
        members
            .iter()
            .map(|&i| RecoveryPoint {
                id: points::point_id(time),
                time,
                consistency,
                multi_vm_sync: self.estate.items[i].replication_group.is_some(),
            })
            .collect()
    }

    /// The points of an unplanned failover (classic): each item its own latest (or latest
    /// application-consistent, or named) point; the members of a replication group one
    /// common point.
    fn chosen_points(
        &self,
        now: DateTime<Utc>,
        target: &Target,
        spec: &PointSpec,
        members: &[usize],
    ) -> Result<Vec<RecoveryPoint>> {
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
            let got = points::choose(spec, &lists)
                .map_err(|e| conflict(format!("failover of {target} refused: {key}: {e}")))?;
            for (&k, p) in ks.iter().zip(got) {
                chosen[k] = Some(p);
            }
        }
        Ok(chosen.into_iter().flatten().collect())
    }

    /// What the job of `op` on `members` will do, with the durations drawn for each.
    fn plan_work(
        &self,
        now: DateTime<Utc>,
        settings: &LabSettings,
        target: &Target,
        op: Operation,
        members: &[usize],
        links: &[(String, u64)],
    ) -> Work {
        let attempt = |i: usize| u64::from(self.counters.accepted(&self.estate.items[i].id, op));
        let took = |i: usize| self.duration_of(settings, i, op, attempt(i));
        match op {
            Operation::Reprotect => Work::Transfers(
                members
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| {
                        let (link, mbps) = links
                            .get(k)
                            .cloned()
                            .unwrap_or_else(|| self.link_of(i, None, settings));
                        Transfer {
                            item: i,
                            setup_ends: plus(now, took(i)),
                            link,
                            mbps,
                            bytes: self.bytes_of(i),
                            sending: false,
                            done_at: None,
                        }
                    })
                    .collect(),
            ),
            Operation::Failover => {
                let group = |items: Vec<usize>, n: u32| {
                    let duration = items.iter().map(|&i| took(i)).max().unwrap_or_default();
                    Step::new(StepKind::Group { items, duration }, n)
                };
                let Target::RecoveryPlan(name) = target else {
                    return Work::Steps {
                        steps: vec![group(members.to_vec(), 1)],
                        current: 0,
                        tasks: false,
                    };
                };
                let boot = self
                    .estate
                    .recovery_plans
                    .iter()
                    .find(|p| &p.name == name)
                    .map(|p| p.boot_groups())
                    .unwrap_or_default();
                let mut placed: BTreeSet<usize> = BTreeSet::new();
                let mut groups: Vec<(Vec<usize>, &failback_core::estate::BootGroup)> = Vec::new();
                for g in &boot {
                    let items: Vec<usize> = g
                        .items
                        .iter()
                        .filter_map(|id| self.item_index.get(id).copied())
                        .filter(|i| members.contains(i) && placed.insert(*i))
                        .collect();
                    groups.push((items, g));
                }
                // A member no group names (an estate that did not validate) goes last.
                let rest: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|i| !placed.contains(i))
                    .collect();
                let mut steps = Vec::new();
                let count = groups.len();
                for (k, (mut items, g)) in groups.into_iter().enumerate() {
                    let n = u32::try_from(k + 1).unwrap_or(u32::MAX);
                    if k + 1 == count {
                        items.extend(rest.iter().copied());
                    }
                    let manual = |a: &failback_core::estate::PlanAction| {
                        Step::new(
                            StepKind::Manual {
                                name: a.name.clone(),
                                instructions: a.instructions.clone(),
                            },
                            n,
                        )
                    };
                    steps.extend(g.start_actions.iter().map(manual));
                    steps.push(group(items, n));
                    steps.extend(g.end_actions.iter().map(manual));
                }
                if count == 0 {
                    steps.push(group(rest, 1));
                }
                Work::Steps {
                    steps,
                    current: 0,
                    tasks: true,
                }
            }
            _ => Work::Fixed {
                ends: plus(
                    now,
                    members.iter().map(|&i| took(i)).max().unwrap_or_default(),
                ),
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn create_job(
        &mut self,
        now: DateTime<Utc>,
        settings: &LabSettings,
        target: Target,
        op: Operation,
        items: Vec<usize>,
        input: JobInput,
        work: Work,
    ) -> JobId {
        let attempt = self
            .jobs_by_target
            .get(&(target.clone(), op))
            .map_or(0, |v| v.len() as u64);
        let failure = settings.faults.job_failure(
            settings.seed,
            &target.to_string(),
            &op.to_string(),
            attempt,
        );
        let j = self.jobs.len();
        let id = JobId(format!("lab-job-{:06}", j + 1));
        self.jobs.push(Job {
            id: id.clone(),
            target: target.clone(),
            op,
            items,
            started: now,
            ended: None,
            failure,
            state: JobState::InProgress,
            error: None,
            input,
            next_at: None,
            work,
        });
        self.job_index.insert(id.clone(), j);
        self.jobs_by_target.entry((target, op)).or_default().push(j);
        self.begin(j, now);
        id
    }

    /// A job's index by id.
    pub(super) fn job_at(&self, id: &JobId) -> Result<usize> {
        self.job_index
            .get(id)
            .copied()
            .ok_or_else(|| not_found(format!("job {id}")))
    }

    /// A job's status.
    pub(crate) fn job_status(&self, id: &JobId, now: DateTime<Utc>) -> Result<JobStatus> {
        Ok(self.status(self.job_at(id)?, now))
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
            .map(|v| v.iter().rev().map(|&j| self.status(j, now)).collect())
            .unwrap_or_default()
    }

    /// Cancel a running job: its items return to the state before it (a recovery plan's
    /// items already failed back stay so).
    pub(crate) fn cancel(&mut self, id: &JobId, now: DateTime<Utc>) -> Result<()> {
        self.dirty = true;
        let j = self.job_at(id)?;
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
        if let Work::Transfers(ts) = &self.jobs[j].work {
            for (m, t) in ts.iter().enumerate() {
                if t.sending {
                    if let Some(l) = self.links.get_mut(&t.link) {
                        l.remove(now, (j, m));
                    }
                }
            }
        }
        let (op, items) = (self.jobs[j].op, self.jobs[j].items.clone());
        for i in items {
            let state = self.estate.items[i].state;
            if op == Operation::Failover && state != ProtectionState::FailingBack {
                // Its boot group failed over already.
                continue;
            }
            if let Ok(prev) = state.finish(false) {
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
        if let Work::Steps { steps, .. } = &mut job.work {
            for s in steps.iter_mut().filter(|s| !s.state.is_final()) {
                if s.started.is_some() {
                    s.finished = Some(now);
                }
                s.state = JobState::Cancelled;
            }
        }
        job.state = JobState::Cancelled;
        job.error = Some(failback_core::JobError::message("cancelled by the caller"));
        job.ended = Some(now);
        job.next_at = None;
        Ok(())
    }

    /// Resume a job suspended on a manual action: the action ends now and the job goes
    /// on with its next step.
    pub(crate) fn resume_job(
        &mut self,
        id: &JobId,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.dirty = true;
        let j = self.job_at(id)?;
        let target = self.jobs[j].target.clone();
        self.counters.per_target.entry(target).or_default().resume += 1;
        let job = &mut self.jobs[j];
        let Work::Steps { steps, current, .. } = &mut job.work else {
            return Err(conflict(format!(
                "job {id} is not suspended ({:?}): it waits on no manual action",
                job.state
            )));
        };
        if job.state != JobState::Suspended {
            return Err(conflict(format!(
                "job {id} is not suspended ({:?}): it waits on no manual action",
                job.state
            )));
        }
        let k = *current;
        if let Some(s) = steps.get_mut(k) {
            s.state = JobState::Succeeded;
            s.finished = Some(now);
            s.comment = Some(comment.to_string());
        }
        job.state = JobState::InProgress;
        self.enter_step(j, k + 1, now);
        Ok(())
    }

    /// An item's job failed or was cancelled: the operation may be issued again, a
    /// failover that did not happen lets replication go on, a reprotect that did not
    /// happen releases the item's disks, and a cancel of a failover that did not happen
    /// releases them again.
    pub(super) fn revert(&mut self, i: usize, op: Operation, at: DateTime<Utc>) {
        let sync = self.estate.items[i].replication_group.is_some();
        let rt = &mut self.runtime[i];
        rt.issued.retain(|o| *o != op);
        match op {
            Operation::Failover => {
                rt.base_points = points::points(&rt.base_points, None, at, sync);
                rt.replicating_since = Some(at);
                rt.failover_started = None;
            }
            Operation::Reprotect => {
                self.release(i);
            }
            Operation::CancelFailover => {
                let mt = self.release(i);
                self.runtime[i].released_from = mt;
            }
            _ => {}
        }
    }

    /// The estate as it is now.
    pub(crate) fn snapshot(&self, now: DateTime<Utc>) -> Estate {
        self.snapshot_with_points(now, |_| true)
    }

    /// The estate as it is now, with the recovery points of the items `points_of` keeps
    /// (by id) only; every other item's list is empty.
    pub(crate) fn snapshot_with_points(
        &self,
        now: DateTime<Utc>,
        points_of: impl Fn(&str) -> bool,
    ) -> Estate {
        let mut e = self.estate.clone();
        e.captured_at = now;
        for (i, it) in e.items.iter_mut().enumerate() {
            let rt = &self.runtime[i];
            it.recovery_points = if points_of(&it.id) {
                self.points_of(i, now)
            } else {
                Vec::new()
            };
            if let Some(v) = &mut it.azure_vm {
                v.running = Some(rt.azure_running);
                v.deleted = rt.azure_deleted;
            }
        }
        for m in &mut e.master_targets {
            m.attached_disks = self.attached(&m.id);
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

    /// The runtime of the VM item `i` is (or will be) on-premises; a guest of `silent`
    /// does not answer.
    pub(crate) fn vm_runtime(&self, i: usize, silent: &BTreeSet<String>) -> Option<VmRuntime> {
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
        let packages = if failed_back && it.os.family == failback_core::estate::OsFamily::Linux {
            it.azure_vm.as_ref().and_then(|v| v.packages.clone())
        } else {
            None
        };
        Some(VmRuntime {
            vm,
            powered_on,
            guest_running: Some(powered_on && !silent.contains(&it.id)),
            nics,
            packages,
        })
    }

    /// The VMs of the items of `silent` (their guests do not answer).
    pub(crate) fn silent_vms(&self, silent: &BTreeSet<String>) -> BTreeSet<String> {
        silent
            .iter()
            .filter_map(|id| self.item_index.get(id))
            .filter_map(|&i| self.runtime[i].vm.clone())
            .collect()
    }

    /// The point item `i` failed over to.
    pub(crate) fn failover_point(&self, i: usize) -> Option<RecoveryPoint> {
        self.runtime[i].failover_point.clone()
    }

    /// The VM an item fails back into: the one it failed back into before (a cancelled
    /// failover), else its original VM while it exists, else a new VM on its master
    /// target's host and the reprotect's datastore.
    pub(super) fn failback_vm(&mut self, i: usize) -> String {
        if let Some(v) = self.runtime[i]
            .vm
            .as_ref()
            .filter(|v| self.vm_index.contains_key(*v))
        {
            return v.clone();
        }
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
        if self.estate.items[i].kind == failback_core::estate::ItemKind::VmwareVm {
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

    /// Apply a mutating call again, as the log recorded it (on restore): through the
    /// same code as the live call, at its time.
    pub(crate) fn apply(
        &mut self,
        call: &super::persist::Call,
        now: DateTime<Utc>,
        settings: &LabSettings,
    ) -> Result<()> {
        use super::persist::Call as C;
        match call {
            C::Start { target, op, input } => self
                .start(now, settings, target, *op, input.clone())
                .map(drop),
            C::Cancel { job } => self.cancel(job, now),
            C::ResumeJob { job, comment } => self.resume_job(job, comment, now),
            C::CreateVm {
                name,
                host,
                datastore,
            } => self.create_vm(name, host, datastore).map(drop),
            C::AttachDisk { vm, disk } => self.attach_disk(vm, disk),
            C::DetachDisk { vm, disk } => self.detach_disk(vm, disk),
            C::SetConfigParam { vm, key, value } => self.set_config_param(vm, key, value),
            C::SetPower { vm, on } => self.set_power(vm, *on),
        }
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

    /// Once every member of a replication group replicates, the group gets a common
    /// application-consistent point (members reprotected one by one otherwise share only
    /// the grid points to come).
    pub(super) fn sync_points(&mut self, items: &[usize], at: DateTime<Utc>) {
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
}

/// The inputs of a mutation as the providers pass them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum StartInput {
    /// Reprotect (either direction).
    Reprotect {
        master_target: Option<String>,
        datastore: Option<String>,
        process_server: Option<String>,
        /// Per member of a recovery plan: its own inputs.
        members: Vec<failback_core::provider::MemberInputs>,
    },
    /// Failover with a point.
    Failover(PointSpec),
    /// Commit, cancel of a failover.
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

/// A write of the lab file, refused once one failed (the file is behind the memory), and
/// marking the file broken when it fails.
fn guarded(
    target: &mut super::persist::Target,
    write: impl FnOnce(&mut super::persist::Target) -> Result<()>,
) -> Result<()> {
    let done = target.check_writable().and_then(|()| write(target));
    if let Err(e) = &done {
        target.mark_broken(e);
    }
    done
}
