//! The run in phases, the way DR engineers fail back: every unit reprotects within its
//! master target's 60 disks (a unit holds its disks from its reprotect until its failover
//! is done and verified), waits until it replicates with a fresh point, and each
//! application cuts over once its wave is healthy (or its own units, per the request),
//! inside a cutover window when the request gives some, boot group after boot group; then
//! it is verified, committed (or held, or rolled back) and reprotected to Azure.
//!
//! One scheduler owns the resources and the applications' states; every remote step runs
//! as a task ([`super::unit::stage_op`] for each operation) and reports back. The run ends
//! when nothing runs and nothing can start: what is left is held (a person decides) or
//! pending (cancelled, or waiting behind a held application).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use super::ctx::Ctx;
use super::guards::{is_running, MemberFacts};
use super::op::{Flow, Mutation, OpSpec};
use super::retry::PollBackoff;
use super::unit::{
    apply_record, fail_items, mutation, new_outcome, run_jobs, StageJob, StageOutcome,
};
use super::{ApplicationOutcome, Failure, HoldRecord, ItemOutcome, ItemStatus};
use crate::error::Result;
use crate::estate::Flavor;
use crate::events::Event;
use crate::journal::{Check, Entry, HoldKey, OpKey};
use crate::provider::{Target, VmRuntime};
use crate::readiness::MAX_DISKS_PER_MASTER_TARGET;
use crate::request::Stage;
use crate::runbook::{CommitPolicy, CutoverStart, Phase, Window};
use crate::schedule::ApplicationPlan;

/// What a run produced, for its report.
pub(super) struct Shaped {
    pub(super) items: Vec<ItemOutcome>,
    pub(super) applications: Vec<ApplicationOutcome>,
    pub(super) holds: Vec<HoldRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitState {
    /// Its reprotect has not started (no slots yet, or a wave before it still waits).
    Waiting,
    /// Reprotecting, then waiting for a fresh point.
    Busy,
    /// Replicating healthily (or nothing to reprotect): ready to cut over.
    Ready,
    /// Failed.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum AppState {
    /// Its units reprotect.
    Reprotecting,
    /// Failing over and verifying.
    CuttingOver,
    /// Committing, or rolling back.
    Committing,
    /// Reprotecting to Azure.
    ToAzure,
    /// Finished (done, failed, rolled back: see the items).
    Ended,
    /// Stopped for a person.
    Held,
}

/// What a task reports.
enum Msg {
    Unit {
        u: usize,
        results: Vec<(Vec<usize>, StageOutcome)>,
        flow: Flow,
    },
    Cutover {
        a: usize,
        results: Vec<(Vec<usize>, StageOutcome)>,
        flow: Flow,
        /// Per item (index into the plan's flat item list): verified, and why not.
        verified: Vec<(usize, bool, String)>,
        verified_at: Option<DateTime<Utc>>,
    },
    Step {
        a: usize,
        stage: Stage,
        rollback: bool,
        results: Vec<(Vec<usize>, StageOutcome)>,
        flow: Flow,
    },
}

/// Where a plan item is: its unit and its index in the unit.
#[derive(Debug, Clone, Copy)]
struct Pos {
    unit: usize,
    index: usize,
}

struct Scheduler {
    ctx: Arc<Ctx>,
    apps: Vec<ApplicationPlan>,
    /// Per unit, its items' outcomes.
    outcomes: Vec<Vec<ItemOutcome>>,
    units: Vec<UnitState>,
    app_of_unit: Vec<usize>,
    states: Vec<AppState>,
    app_out: Vec<ApplicationOutcome>,
    holds: Vec<HoldRecord>,
    /// Free disk slots per master target.
    free: HashMap<String, i64>,
    /// Slots a unit holds now.
    holding: Vec<u32>,
    /// Units of each wave not yet ready or failed.
    wave_left: BTreeMap<u32, usize>,
    positions: HashMap<String, Pos>,
    /// The order units take slots in: wave by wave in plan order; a resumed run first takes
    /// the units it
    /// left in flight, then those it had started.
    order: Vec<usize>,
    set: JoinSet<Result<Msg>>,
    /// Whether the item's failover succeeded in this run (for the commit's check).
    failover_ok: HashMap<String, bool>,
    /// Verified in this run.
    verified: HashMap<String, bool>,
    /// Applications committing or reprotecting to Azure: their tasks hold no slot.
    tails: usize,
    /// Per unit, the applications it belongs to.
    apps_of_unit: Vec<Vec<usize>>,
    /// Applications still reprotecting that may be ready to cut over: every one whose
    /// unit settled (ready or failed) since it was last found not ready. The cutover loop
    /// looks at these only, so a pass costs what can change, not the whole plan.
    candidates: BTreeSet<usize>,
    /// Positions in `order` of the units still waiting to reprotect.
    waiting: BTreeSet<usize>,
    /// Per unit, the disk slots its reprotect takes.
    disks: Vec<u32>,
}

/// The disk slots unit `u`'s reprotect takes on its master target (an attach takes none).
fn unit_disks(plan: &crate::plan::Plan, u: usize) -> u32 {
    plan.units[u]
        .items
        .iter()
        .filter(|it| {
            it.stages
                .iter()
                .any(|p| p.stage == Stage::Reprotect && !p.attach)
        })
        .map(|it| it.disks.max(1))
        .sum()
}

fn plans(ctx: &Ctx, p: Pos, stage: Stage) -> bool {
    ctx.plan.units[p.unit].items[p.index]
        .stages
        .iter()
        .any(|s| s.stage == stage)
}

fn attach(ctx: &Ctx, p: Pos, stage: Stage) -> bool {
    ctx.plan.units[p.unit].items[p.index]
        .stages
        .iter()
        .any(|s| s.stage == stage && s.attach)
}

/// Run the plan in phases.
pub(super) async fn run(ctx: Arc<Ctx>, resumed: bool) -> Result<Shaped> {
    let plan = ctx.plan.clone();
    let apps: Vec<ApplicationPlan> = if plan.applications.is_empty() {
        // A plan from before applications: each unit alone.
        plan.units
            .iter()
            .enumerate()
            .map(|(u, unit)| ApplicationPlan {
                name: unit.name.clone(),
                kind: crate::schedule::ApplicationKind::Unit,
                recovery_plan: unit.recovery_plan.clone(),
                units: vec![u],
                boot_groups: vec![crate::schedule::BootGroupPlan {
                    items: unit.items.iter().map(|i| i.item.clone()).collect(),
                    start_actions: Vec::new(),
                    end_actions: Vec::new(),
                }],
                wave: unit.wave,
                cutover_estimate_seconds: 0,
            })
            .collect()
    } else {
        plan.applications.clone()
    };
    let mut app_of_unit = vec![0; plan.units.len()];
    for (a, app) in apps.iter().enumerate() {
        for &u in &app.units {
            if let Some(slot) = app_of_unit.get_mut(u) {
                *slot = a;
            }
        }
    }
    let mut positions = HashMap::new();
    for (u, unit) in plan.units.iter().enumerate() {
        for (i, it) in unit.items.iter().enumerate() {
            positions.insert(it.item.clone(), Pos { unit: u, index: i });
        }
    }
    let mut free: HashMap<String, i64> = HashMap::new();
    for unit in &plan.units {
        if let Some(mt) = &unit.master_target {
            free.entry(mt.clone()).or_insert_with(|| {
                let before = plan.attached_disks.get(mt).copied().unwrap_or(0);
                i64::from(MAX_DISKS_PER_MASTER_TARGET) - i64::from(before)
            });
        }
    }
    let mut wave_left = BTreeMap::new();
    for unit in &plan.units {
        *wave_left.entry(unit.wave).or_insert(0) += 1;
    }
    let app_out = apps
        .iter()
        .map(|a| ApplicationOutcome {
            name: a.name.clone(),
            wave: a.wave,
            items: a.items().map(str::to_string).collect(),
            cutover_started_at: None,
            verified_at: None,
            downtime_seconds: None,
            window: None,
            held: None,
        })
        .collect();
    let mut apps_of_unit = vec![Vec::new(); plan.units.len()];
    for (a, app) in apps.iter().enumerate() {
        for &u in &app.units {
            if let Some(of) = apps_of_unit.get_mut(u) {
                of.push(a);
            }
        }
    }
    let disks = (0..plan.units.len())
        .map(|u| unit_disks(&plan, u))
        .collect();
    let order = if resumed {
        ctx.prior.resume_order(&plan.units)
    } else {
        // Earlier waves first (plan order within a wave): a unit of wave 0 that only
        // waits until healthy must not queue behind hours-long reprotects of wave 1.
        let mut o: Vec<usize> = (0..plan.units.len()).collect();
        o.sort_by_key(|&u| plan.units[u].wave);
        o
    };
    let mut s = Scheduler {
        tails: 0,
        apps_of_unit,
        candidates: (0..apps.len()).collect(),
        waiting: (0..order.len()).collect(),
        disks,
        outcomes: plan
            .units
            .iter()
            .map(|unit| unit.items.iter().map(|it| new_outcome(unit, it)).collect())
            .collect(),
        units: vec![UnitState::Waiting; plan.units.len()],
        holding: vec![0; plan.units.len()],
        states: vec![AppState::Reprotecting; apps.len()],
        app_of_unit,
        app_out,
        holds: Vec::new(),
        free,
        wave_left,
        positions,
        order,
        set: JoinSet::new(),
        failover_ok: HashMap::new(),
        verified: HashMap::new(),
        apps,
        ctx,
    };
    s.restore_failed();
    s.release_holds()?;
    s.drive().await?;
    Ok(s.finish())
}

impl Scheduler {
    /// Units and applications that failed in an earlier run of this journal stay failed.
    fn restore_failed(&mut self) {
        for a in 0..self.apps.len() {
            let items: Vec<String> = self.apps[a].items().map(str::to_string).collect();
            let failed = items.iter().find_map(|i| self.ctx.prior.failed(i).cloned());
            let Some((stage, cause)) = failed else {
                continue;
            };
            for item in &items {
                let (st, c) = self
                    .ctx
                    .prior
                    .failed(item)
                    .cloned()
                    .unwrap_or((stage, cause.clone()));
                if let Some(o) = self.outcome_mut(item) {
                    o.status = ItemStatus::failed(st, &c);
                }
            }
            self.set_state(a, AppState::Ended);
            for &u in &self.apps[a].units.clone() {
                self.set_unit(u, UnitState::Failed);
            }
        }
    }

    /// A `--continue` resume records the release of every hold reached before.
    fn release_holds(&mut self) -> Result<()> {
        if !self.ctx.release {
            return Ok(());
        }
        let pending: Vec<HoldKey> = self
            .ctx
            .prior
            .pending_holds()
            .map(|(k, _)| k.clone())
            .collect();
        for hold in pending {
            self.ctx.append(&Entry::Released {
                hold: hold.clone(),
                at: self.ctx.now(),
            })?;
            self.ctx.emit(Event::Released { hold });
        }
        Ok(())
    }

    fn outcome_mut(&mut self, item: &str) -> Option<&mut ItemOutcome> {
        let p = *self.positions.get(item)?;
        self.outcomes.get_mut(p.unit)?.get_mut(p.index)
    }

    fn set_unit(&mut self, u: usize, state: UnitState) {
        let was = self.units[u];
        self.units[u] = state;
        if was == UnitState::Waiting && state != UnitState::Waiting {
            if let Some(k) = self.order.iter().position(|&x| x == u) {
                self.waiting.remove(&k);
            }
        }
        let settled = |s: UnitState| matches!(s, UnitState::Ready | UnitState::Failed);
        if !settled(was) && settled(state) {
            let w = self.ctx.plan.units[u].wave;
            if let Some(n) = self.wave_left.get_mut(&w) {
                *n = n.saturating_sub(1);
            }
            for &a in &self.apps_of_unit[u] {
                if self.states[a] == AppState::Reprotecting {
                    self.candidates.insert(a);
                }
            }
        }
    }

    /// Set application `a`'s state, keeping the count of tails and the candidates.
    fn set_state(&mut self, a: usize, state: AppState) {
        let tail = |s: &AppState| matches!(s, AppState::Committing | AppState::ToAzure);
        match (tail(&self.states[a]), tail(&state)) {
            (false, true) => self.tails += 1,
            (true, false) => self.tails = self.tails.saturating_sub(1),
            _ => {}
        }
        if state != AppState::Reprotecting {
            self.candidates.remove(&a);
        }
        self.states[a] = state;
    }

    fn release_slots(&mut self, u: usize) {
        let held = std::mem::take(&mut self.holding[u]);
        if held == 0 {
            return;
        }
        if let Some(mt) = &self.ctx.plan.units[u].master_target {
            if let Some(f) = self.free.get_mut(mt) {
                *f += i64::from(held);
            }
        }
    }

    /// Tasks that count against the concurrency bound: units reprotecting and
    /// applications cutting over. An application's commit and reprotect to Azure follow
    /// its verification without waiting for a slot: they hold no disk slot, its downtime
    /// is over, and were they to take slots, the next cutovers would wait behind 40-minute
    /// reprotects to Azure (the write rate still paces them).
    fn running(&self) -> usize {
        self.set.len().saturating_sub(self.tails)
    }

    async fn drive(&mut self) -> Result<()> {
        loop {
            let wake = self.start_what_can()?;
            if self.set.is_empty() {
                match wake {
                    Some(at) if !self.ctx.cancel.is_cancelled() => {
                        let now = self.ctx.now();
                        let wait = (at - now).to_std().unwrap_or(Duration::ZERO);
                        if !self.ctx.sleep(wait).await {
                            return Ok(());
                        }
                        continue;
                    }
                    _ => return Ok(()),
                }
            }
            let joined = match wake {
                Some(at) => {
                    let now = self.ctx.now();
                    let wait = (at - now).to_std().unwrap_or(Duration::ZERO);
                    tokio::select! {
                        j = self.set.join_next() => j,
                        _ = self.ctx.clock.sleep(wait) => continue,
                    }
                }
                None => self.set.join_next().await,
            };
            let Some(joined) = joined else { continue };
            match joined {
                Ok(Ok(msg)) => self.apply(msg)?,
                Ok(Err(e)) => {
                    self.set.shutdown().await;
                    return Err(self.ctx.recorder.take_error().unwrap_or(e));
                }
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => {}
            }
        }
    }

    /// Start every step whose turn has come; the time to look again (a window opening).
    fn start_what_can(&mut self) -> Result<Option<DateTime<Utc>>> {
        if self.ctx.cancel.is_cancelled() {
            return Ok(None);
        }
        let limit = self.ctx.settings.concurrency.max(1);
        // Cutovers first: an application whose units are ready takes a slot before a unit
        // of a later wave starts its reprotect (downtime is announced; reprotects are not).
        let mut wake: Option<DateTime<Utc>> = None;
        let mut next = self.candidates.first().copied();
        while let Some(a) = next {
            next = self
                .candidates
                .range((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded))
                .next()
                .copied();
            if self.running() >= limit {
                break;
            }
            if self.states[a] != AppState::Reprotecting {
                self.candidates.remove(&a);
                continue;
            }
            let units = &self.apps[a].units;
            let failed = units.iter().any(|&u| self.units[u] == UnitState::Failed);
            let ready = units.iter().all(|&u| self.units[u] == UnitState::Ready);
            if !failed && !ready {
                // A unit still reprotects: looked at again when one settles.
                self.candidates.remove(&a);
                continue;
            }
            if failed {
                self.fail_app(
                    a,
                    Stage::Failover,
                    &Failure::new(
                        crate::ErrorKind::Refused,
                        "a unit of the application failed before its cutover",
                    ),
                )?;
                continue;
            }
            if self.hold_at(a, Phase::Reprotect)? {
                continue;
            }
            let wave = self.apps[a].wave;
            let gate_open = match self.ctx.plan.request.cutover.start {
                CutoverStart::PerApplication => true,
                CutoverStart::PerWave => self.wave_left.get(&wave).copied().unwrap_or(0) == 0,
            };
            if !gate_open {
                continue;
            }
            if self.hold_at(a, Phase::WaitHealthy)? {
                continue;
            }
            let fails_over = self.app_has(a, Stage::Failover);
            if fails_over {
                match self.window_for(a) {
                    WindowFit::Now(w) => self.app_out[a].window = w,
                    WindowFit::At(t) => {
                        wake = Some(wake.map_or(t, |x| x.min(t)));
                        continue;
                    }
                    WindowFit::Never(why) => {
                        self.hold(a, Phase::WaitHealthy, None, why, None)?;
                        continue;
                    }
                }
            }
            self.set_state(a, AppState::CuttingOver);
            let ctx = self.ctx.clone();
            let app = self.apps[a].clone();
            let at = self.apps[a]
                .items()
                .filter_map(|i| self.positions.get(i).map(|p| (i.to_string(), *p)))
                .collect();
            self.set.spawn(cutover(ctx, a, app, at));
        }
        // Reprotects: plan order within a wave; a unit waits while a unit of an earlier
        // wave on its master target has not started (waves stay in order on one MT).
        // Nothing starts once every slot is taken, so the pass stops there.
        let ctx = self.ctx.clone();
        let mut waiting_wave: HashMap<&str, u32> = HashMap::new();
        let mut next = self.waiting.first().copied();
        while let Some(k) = next {
            if self.running() >= limit {
                break;
            }
            next = self
                .waiting
                .range((std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded))
                .next()
                .copied();
            let u = self.order[k];
            if self.units[u] != UnitState::Waiting {
                self.waiting.remove(&k);
                continue;
            }
            let unit = &ctx.plan.units[u];
            let disks = self.disks[u];
            if let (Some(mt), true) = (unit.master_target.as_deref(), disks > 0) {
                if waiting_wave.get(mt).is_some_and(|w| *w < unit.wave) {
                    continue;
                }
                let free = self.free.get(mt).copied().unwrap_or(0);
                if free < i64::from(disks) {
                    waiting_wave.entry(mt).or_insert(unit.wave);
                    continue;
                }
                if let Some(f) = self.free.get_mut(mt) {
                    *f -= i64::from(disks);
                }
                self.holding[u] = disks;
            }
            self.units[u] = UnitState::Busy;
            self.waiting.remove(&k);
            // A failover an earlier run of this journal started is past waiting healthy.
            let plan_target = self.apps[self.app_of_unit[u]]
                .recovery_plan
                .clone()
                .map(Target::RecoveryPlan);
            let started = |item: &str| {
                let prior = &self.ctx.prior;
                prior
                    .op(&OpKey::new(Target::Item(item.to_string()), Stage::Failover))
                    .is_some()
                    || plan_target.as_ref().is_some_and(|t| {
                        prior.op(&OpKey::new(t.clone(), Stage::Failover)).is_some()
                    })
            };
            let past: Vec<String> = self.ctx.plan.units[u]
                .items
                .iter()
                .filter(|i| started(&i.item))
                .map(|i| i.item.clone())
                .collect();
            let ctx = self.ctx.clone();
            self.set.spawn(reprotect_unit(ctx, u, past));
        }
        Ok(wake)
    }

    fn app_has(&self, a: usize, stage: Stage) -> bool {
        self.apps[a].items().any(|i| {
            self.positions
                .get(i)
                .is_some_and(|p| plans(&self.ctx, *p, stage))
        })
    }

    /// Whether the request holds application `a` after `phase`; records the hold when it
    /// is reached (a released one is passed).
    fn hold_at(&mut self, a: usize, phase: Phase) -> Result<bool> {
        if !self.ctx.plan.request.hold_after.contains(&phase) {
            return Ok(false);
        }
        let key = HoldKey {
            application: self.apps[a].name.clone(),
            phase,
            action: None,
        };
        if self.ctx.prior.was_released(&key) || (self.ctx.release && self.ctx.prior.was_held(&key))
        {
            return Ok(false);
        }
        self.hold(
            a,
            phase,
            None,
            format!("the request holds after the {phase} phase"),
            None,
        )?;
        Ok(true)
    }

    /// Stop application `a` for a person.
    fn hold(
        &mut self,
        a: usize,
        phase: Phase,
        action: Option<String>,
        reason: String,
        job: Option<crate::provider::JobId>,
    ) -> Result<()> {
        let key = HoldKey {
            application: self.apps[a].name.clone(),
            phase,
            action,
        };
        if !self.ctx.prior.was_held(&key) || self.ctx.prior.was_released(&key) || self.ctx.release {
            self.ctx.append(&Entry::Held {
                hold: key.clone(),
                reason: reason.clone(),
                job,
                at: self.ctx.now(),
            })?;
        }
        self.ctx.emit(Event::Held {
            hold: key.clone(),
            reason: reason.clone(),
        });
        for item in self.apps[a].items().map(str::to_string).collect::<Vec<_>>() {
            if let Some(o) = self.outcome_mut(&item) {
                if matches!(o.status, ItemStatus::Pending) {
                    o.status = ItemStatus::Held {
                        phase,
                        reason: reason.clone(),
                    };
                }
            }
        }
        self.app_out[a].held = Some(key.clone());
        self.holds.push(HoldRecord { hold: key, reason });
        self.set_state(a, AppState::Held);
        Ok(())
    }

    fn window_for(&self, a: usize) -> WindowFit {
        let windows = &self.ctx.plan.request.cutover.windows;
        if windows.is_empty() {
            return WindowFit::Now(None);
        }
        let need = chrono::Duration::seconds(
            i64::try_from(self.apps[a].cutover_estimate_seconds).unwrap_or(i64::MAX),
        );
        let now = self.ctx.now();
        let mut next: Option<DateTime<Utc>> = None;
        for w in windows {
            if w.start <= now && now + need <= w.end() {
                return WindowFit::Now(Some(w.clone()));
            }
            if w.start > now && w.start + need <= w.end() {
                next = Some(next.map_or(w.start, |n| n.min(w.start)));
            }
        }
        match next {
            Some(t) => WindowFit::At(t),
            None => WindowFit::Never(format!(
                "no cutover window left that fits the cutover of {} (estimated {} min)",
                self.apps[a].name,
                need.num_minutes()
            )),
        }
    }

    fn fail_app(&mut self, a: usize, stage: Stage, cause: &Failure) -> Result<()> {
        let items: Vec<String> = self.apps[a].items().map(str::to_string).collect();
        let pending: Vec<String> = items
            .into_iter()
            .filter(|i| {
                self.positions.get(i).is_some_and(|p| {
                    matches!(self.outcomes[p.unit][p.index].status, ItemStatus::Pending)
                })
            })
            .collect();
        fail_items(&self.ctx, &pending, stage, cause)?;
        for i in &pending {
            if let Some(o) = self.outcome_mut(i) {
                o.status = ItemStatus::failed(stage, cause);
            }
        }
        self.set_state(a, AppState::Ended);
        Ok(())
    }

    fn record(&mut self, results: &[(Vec<usize>, StageOutcome)], units_of: &[usize]) {
        let _ = units_of;
        for (idx, out) in results {
            for (k, flat) in idx.iter().enumerate() {
                let Some((u, i)) = self.flat_pos(*flat) else {
                    continue;
                };
                let facts = out.members.get(k);
                apply_record(&mut self.outcomes[u][i], out, facts);
            }
        }
    }

    /// Flat item numbers (unit * 10_000 + index) used by the tasks.
    fn flat_pos(&self, flat: usize) -> Option<(usize, usize)> {
        let (u, i) = (flat / FLAT, flat % FLAT);
        (u < self.outcomes.len() && i < self.outcomes[u].len()).then_some((u, i))
    }

    fn apply(&mut self, msg: Msg) -> Result<()> {
        match msg {
            Msg::Unit { u, results, flow } => {
                self.record(&results, &[u]);
                match flow {
                    Flow::Done => self.set_unit(u, UnitState::Ready),
                    Flow::Failed(cause) => {
                        self.release_slots(u);
                        self.set_unit(u, UnitState::Failed);
                        // A unit that reprotected fails in its reprotect phase (its
                        // replication never became healthy); one that only waited, before
                        // its failover.
                        let stage = if (0..self.ctx.plan.units[u].items.len())
                            .any(|i| plans(&self.ctx, Pos { unit: u, index: i }, Stage::Reprotect))
                        {
                            Stage::Reprotect
                        } else {
                            Stage::Failover
                        };
                        let a = self.app_of_unit[u];
                        let items: Vec<String> = self.ctx.plan.units[u]
                            .items
                            .iter()
                            .map(|i| i.item.clone())
                            .collect();
                        fail_items(&self.ctx, &items, stage, &cause)?;
                        for i in &items {
                            if let Some(o) = self.outcome_mut(i) {
                                o.status = ItemStatus::failed(stage, &cause);
                            }
                        }
                        if self.states[a] == AppState::Reprotecting {
                            self.fail_app(
                                a,
                                Stage::Failover,
                                &Failure {
                                    message: format!(
                                        "not cut over: its application's unit {} failed: {cause}",
                                        self.ctx.plan.units[u].name
                                    ),
                                    ..cause.clone()
                                },
                            )?;
                        }
                    }
                    // Cancelled, or suspended (a reprotect never suspends): stays pending.
                    Flow::Pending | Flow::Suspended(_) => {}
                }
            }
            Msg::Cutover {
                a,
                results,
                flow,
                verified,
                verified_at,
            } => self.after_cutover(a, results, flow, verified, verified_at)?,
            Msg::Step {
                a,
                stage,
                rollback,
                results,
                flow,
            } => {
                let units = self.apps[a].units.clone();
                self.record(&results, &units);
                match flow {
                    Flow::Done if rollback => {
                        let cause = self.rollback_cause(a);
                        for i in self.apps[a].items().map(str::to_string).collect::<Vec<_>>() {
                            if let Some(o) = self.outcome_mut(&i) {
                                o.status = ItemStatus::RolledBack {
                                    cause: cause.clone(),
                                };
                            }
                        }
                        self.set_state(a, AppState::Ended);
                    }
                    Flow::Done if stage == Stage::Commit => {
                        if self.hold_at(a, Phase::Commit)? {
                            return Ok(());
                        }
                        self.start_to_azure(a);
                    }
                    Flow::Done => {
                        for i in self.apps[a].items().map(str::to_string).collect::<Vec<_>>() {
                            if let Some(o) = self.outcome_mut(&i) {
                                if matches!(o.status, ItemStatus::Pending) {
                                    o.status = ItemStatus::Done;
                                }
                            }
                        }
                        self.set_state(a, AppState::Ended);
                    }
                    Flow::Failed(cause) => self.fail_app(a, stage, &cause)?,
                    Flow::Pending | Flow::Suspended(_) => self.set_state(a, AppState::Ended),
                }
            }
        }
        Ok(())
    }

    fn rollback_cause(&self, a: usize) -> String {
        let failed: Vec<&str> = self.apps[a]
            .items()
            .filter(|i| self.verified.get(*i) == Some(&false))
            .collect();
        super::report::rollback_cause(
            self.ctx.plan.request.commit == CommitPolicy::Rollback,
            &failed,
        )
    }

    fn after_cutover(
        &mut self,
        a: usize,
        results: Vec<(Vec<usize>, StageOutcome)>,
        flow: Flow,
        verified: Vec<(usize, bool, String)>,
        verified_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let units = self.apps[a].units.clone();
        self.record(&results, &units);
        let first = results
            .iter()
            .filter_map(|(_, o)| o.record.started_at)
            .min();
        self.app_out[a].cutover_started_at = first;
        for (idx, out) in &results {
            for flat in idx {
                if let Some((u, i)) = self.flat_pos(*flat) {
                    let item = self.ctx.plan.units[u].items[i].item.clone();
                    self.failover_ok.insert(item, out.flow == Flow::Done);
                }
            }
        }
        match flow {
            Flow::Done => {}
            Flow::Suspended(wait) => {
                let job = results.iter().find_map(|(_, o)| o.record.job.clone());
                let reason = format!(
                    "manual action {} of boot group {}: {}",
                    wait.name,
                    wait.group,
                    wait.instructions
                        .as_deref()
                        .unwrap_or("see the recovery plan")
                );
                return self.hold(a, Phase::Cutover, Some(wait.name.clone()), reason, job);
            }
            Flow::Failed(cause) => return self.fail_app(a, Stage::Failover, &cause),
            Flow::Pending => {
                self.set_state(a, AppState::Ended);
                return Ok(());
            }
        }
        let mut all_ok = true;
        for (flat, ok, _) in &verified {
            if let Some((u, i)) = self.flat_pos(*flat) {
                let item = self.ctx.plan.units[u].items[i].item.clone();
                self.verified.insert(item, *ok);
            }
            all_ok &= *ok;
        }
        if all_ok {
            self.app_out[a].verified_at = verified_at;
            if let (Some(s), Some(e)) = (first, verified_at) {
                self.app_out[a].downtime_seconds =
                    Some(u64::try_from((e - s).num_seconds()).unwrap_or(0));
            }
        }
        let can_cancel = self.ctx.plan.flavor == Flavor::Modernized
            && self.ctx.recovery.capability().cancel_failover;
        if !all_ok {
            let why: Vec<String> = verified
                .iter()
                .filter(|(_, ok, _)| !ok)
                .map(|(_, _, d)| d.clone())
                .collect();
            if can_cancel {
                self.start_rollback(a);
                return Ok(());
            }
            // The classic failover cannot be cancelled: held uncommitted, disks released
            // (the failover detached them).
            for &u in &units {
                self.release_slots(u);
            }
            return self.hold(
                a,
                Phase::Verify,
                None,
                format!(
                    "verification failed, held uncommitted (a classic failover cannot be cancelled): {}",
                    why.join("; ")
                ),
                None,
            );
        }
        for &u in &units {
            self.release_slots(u);
        }
        if self.hold_at(a, Phase::Cutover)? || self.hold_at(a, Phase::Verify)? {
            return Ok(());
        }
        if !self.app_has(a, Stage::Commit) {
            self.set_state(a, AppState::Ended);
            for i in self.apps[a].items().map(str::to_string).collect::<Vec<_>>() {
                if let Some(o) = self.outcome_mut(&i) {
                    if matches!(o.status, ItemStatus::Pending) {
                        o.status = ItemStatus::Done;
                    }
                }
            }
            return Ok(());
        }
        match self.ctx.plan.request.commit {
            CommitPolicy::AfterVerification => self.start_commit(a),
            CommitPolicy::Hold => {
                let key = HoldKey {
                    application: self.apps[a].name.clone(),
                    phase: Phase::Verify,
                    action: Some("commit".into()),
                };
                if self.ctx.prior.was_released(&key)
                    || (self.ctx.release && self.ctx.prior.was_held(&key))
                {
                    self.start_commit(a);
                } else {
                    self.hold(
                        a,
                        Phase::Verify,
                        Some("commit".into()),
                        "verified; the request holds every commit for a person to decide".into(),
                        None,
                    )?;
                }
            }
            CommitPolicy::Rollback => {
                if can_cancel {
                    self.start_rollback(a);
                } else {
                    self.hold(
                        a,
                        Phase::Verify,
                        None,
                        "the rollback policy needs a failover that can be cancelled".into(),
                        None,
                    )?;
                }
            }
        }
        Ok(())
    }

    fn start_commit(&mut self, a: usize) {
        self.set_state(a, AppState::Committing);
        let ctx = self.ctx.clone();
        let app = self.apps[a].clone();
        let ok: HashMap<String, bool> = app
            .items()
            .filter_map(|i| self.failover_ok.get(i).map(|v| (i.to_string(), *v)))
            .collect();
        let at = self.positions_of(a);
        self.set
            .spawn(step(ctx, a, app, Stage::Commit, false, ok, at));
    }

    /// Where application `a`'s items are in the plan, in the application's order.
    fn positions_of(&self, a: usize) -> Vec<Pos> {
        self.apps[a]
            .items()
            .filter_map(|i| self.positions.get(i).copied())
            .collect()
    }

    fn start_rollback(&mut self, a: usize) {
        self.set_state(a, AppState::Committing);
        let ctx = self.ctx.clone();
        let app = self.apps[a].clone();
        let at = self.positions_of(a);
        self.set
            .spawn(step(ctx, a, app, Stage::Failover, true, HashMap::new(), at));
    }

    fn start_to_azure(&mut self, a: usize) {
        if !self.app_has(a, Stage::ReprotectToAzure) {
            for i in self.apps[a].items().map(str::to_string).collect::<Vec<_>>() {
                if let Some(o) = self.outcome_mut(&i) {
                    if matches!(o.status, ItemStatus::Pending) {
                        o.status = ItemStatus::Done;
                    }
                }
            }
            self.set_state(a, AppState::Ended);
            return;
        }
        self.set_state(a, AppState::ToAzure);
        let ctx = self.ctx.clone();
        let app = self.apps[a].clone();
        let at = self.positions_of(a);
        self.set.spawn(step(
            ctx,
            a,
            app,
            Stage::ReprotectToAzure,
            false,
            HashMap::new(),
            at,
        ));
    }

    fn finish(mut self) -> Shaped {
        // Left waiting when the run could not go on: behind held applications (their disk
        // slots, their wave), unless the run was cancelled (then they are pending).
        if !self.holds.is_empty() && !self.ctx.cancel.is_cancelled() {
            let held: Vec<String> = self
                .holds
                .iter()
                .map(|h| h.hold.application.clone())
                .collect();
            super::report::hold_waiting(self.outcomes.iter_mut().flatten(), &held);
        }
        Shaped {
            items: self.outcomes.into_iter().flatten().collect(),
            applications: self.app_out,
            holds: self.holds,
        }
    }
}

enum WindowFit {
    Now(Option<Window>),
    At(DateTime<Utc>),
    Never(String),
}

/// Items are numbered unit * FLAT + index in the tasks' results.
const FLAT: usize = 100_000;

fn flat(p: Pos) -> usize {
    p.unit * FLAT + p.index
}

fn item_job(ctx: &Ctx, p: Pos, stage: Stage, check: bool, failover_ok: Option<bool>) -> StageJob {
    let item = &ctx.plan.units[p.unit].items[p.index];
    StageJob {
        spec: OpSpec {
            key: OpKey::new(Target::Item(item.item.clone()), stage),
            members: vec![item.item.clone()],
            attach: attach(ctx, p, stage),
            mutation: mutation(ctx, stage, item),
        },
        check,
        failover_ok: vec![failover_ok],
    }
}

/// Whether a check before `stage` means something in a dry run: only when the stage
/// before it really happened before this run.
fn check_of(ctx: &Ctx, p: Pos, stage: Stage) -> bool {
    let before = match stage {
        Stage::Failover => Some(Stage::Reprotect),
        Stage::Commit => Some(Stage::Failover),
        _ => None,
    };
    !ctx.settings.dry_run || before.is_none_or(|b| !plans(ctx, p, b))
}

fn combine(results: &[(Vec<usize>, StageOutcome)]) -> Flow {
    let mut flow = Flow::Done;
    for (_, out) in results {
        flow = match (flow, &out.flow) {
            (Flow::Failed(c), _) => Flow::Failed(c),
            (_, Flow::Failed(c)) => Flow::Failed(c.clone()),
            (Flow::Suspended(w), _) => Flow::Suspended(w),
            (_, Flow::Suspended(w)) => Flow::Suspended(w.clone()),
            (Flow::Pending, _) | (_, Flow::Pending) => Flow::Pending,
            (Flow::Done, Flow::Done) => Flow::Done,
        };
    }
    flow
}

/// Reprotect a unit (each item, with the unit's master target) and wait until every item
/// replicates with a point inside the RPO threshold.
async fn reprotect_unit(ctx: Arc<Ctx>, u: usize, past: Vec<String>) -> Result<Msg> {
    let unit = &ctx.plan.units[u];
    let mut jobs = Vec::new();
    let mut wait = Vec::new();
    for (i, it) in unit.items.iter().enumerate() {
        let p = Pos { unit: u, index: i };
        if plans(&ctx, p, Stage::Reprotect) {
            jobs.push((
                vec![flat(p)],
                item_job(&ctx, p, Stage::Reprotect, true, None),
            ));
        }
        if plans(&ctx, p, Stage::Failover)
            && !attach(&ctx, p, Stage::Failover)
            && !past.contains(&it.item)
        {
            wait.push(it.item.clone());
        }
    }
    let results = if jobs.is_empty() {
        Vec::new()
    } else {
        run_jobs(&ctx, jobs).await?
    };
    let mut flow = combine(&results);
    let reprotected = !results.is_empty();
    if flow == Flow::Done && !(ctx.settings.dry_run && reprotected) {
        for item in &wait {
            match wait_healthy(&ctx, item).await? {
                Flow::Done => {}
                other => {
                    flow = other;
                    break;
                }
            }
        }
    }
    Ok(Msg::Unit { u, results, flow })
}

/// Wait until `item` replicates to on-premises with its latest point inside the RPO
/// threshold (or the request accepts a stale point), polling its points.
async fn wait_healthy(ctx: &Ctx, item: &str) -> Result<Flow> {
    let target = Target::Item(item.to_string());
    let key = OpKey::new(target.clone(), Stage::Failover);
    let until = ctx.now()
        + chrono::Duration::from_std(ctx.settings.healthy_timeout)
            .unwrap_or(chrono::TimeDelta::MAX);
    let mut backoff = PollBackoff::new(ctx.settings.poll_initial, ctx.settings.poll_max);
    let rpo = ctx.rpo();
    loop {
        let now = ctx.now();
        let state = match ctx
            .read(&target, Stage::Failover, || {
                ctx.recovery.protection_state(item)
            })
            .await
        {
            Ok(s) => s,
            Err(crate::Error::Cancelled) => return Ok(Flow::Pending),
            Err(e) => {
                return Ok(Flow::Failed(Failure::of(
                    &e,
                    format!("waiting for {item} to replicate healthily: {e}"),
                )))
            }
        };
        let points = match ctx
            .read(&target, Stage::Failover, || {
                ctx.recovery.recovery_points(item)
            })
            .await
        {
            Ok(p) => p,
            Err(crate::Error::Cancelled) => return Ok(Flow::Pending),
            Err(e) => {
                return Ok(Flow::Failed(Failure::of(
                    &e,
                    format!("waiting for {item} to replicate healthily: {e}"),
                )))
            }
        };
        let latest = points.iter().map(|p| p.time).max();
        let replicating = state == crate::state::ProtectionState::ReplicatingToOnPrem;
        // The modernized planned failover makes its own point: replicating is enough.
        let fresh = latest.is_some_and(|t| now - t <= rpo)
            || (ctx.plan.request.accept_stale_point && latest.is_some())
            || ctx.plan.flavor == Flavor::Modernized;
        if replicating && fresh {
            return Ok(Flow::Done);
        }
        if now >= until {
            let seen = match latest {
                Some(t) => format!("its latest point is {} min old", (now - t).num_minutes()),
                None => "it has no recovery point".to_string(),
            };
            let detail = format!(
                "{item} is {state} and {seen}: not replicating with a point inside the RPO threshold ({} min) after {} s",
                rpo.num_minutes(),
                ctx.settings.healthy_timeout.as_secs()
            );
            ctx.append(&Entry::Verified {
                op: key,
                check: Check::RecoveryPointFresh,
                ok: false,
                detail: detail.clone(),
                figure: None,
                at: now,
            })?;
            return Ok(Flow::Failed(Failure::new(
                crate::ErrorKind::Deadline,
                format!("wait-healthy: {detail}"),
            )));
        }
        let left = (until - now).to_std().unwrap_or_default();
        if !ctx.sleep(backoff.next(None).min(left)).await {
            return Ok(Flow::Pending);
        }
    }
}

/// Fail an application over (through its recovery plan, or boot group after boot group
/// item by item), then verify every item.
async fn cutover(
    ctx: Arc<Ctx>,
    a: usize,
    app: ApplicationPlan,
    at: HashMap<String, Pos>,
) -> Result<Msg> {
    let pos = |item: &str| -> Option<Pos> { at.get(item).copied() };
    let mut results = Vec::new();
    let members: Vec<Pos> = app
        .items()
        .filter_map(pos)
        .filter(|p| plans(&ctx, *p, Stage::Failover))
        .collect();
    if !members.is_empty() {
        match &app.recovery_plan {
            Some(rp) => {
                let first = members[0];
                let lead = &ctx.plan.units[first.unit].items[first.index];
                let job = StageJob {
                    spec: OpSpec {
                        key: OpKey::new(Target::RecoveryPlan(rp.clone()), Stage::Failover),
                        members: members
                            .iter()
                            .map(|p| ctx.plan.units[p.unit].items[p.index].item.clone())
                            .collect(),
                        attach: members.iter().any(|p| attach(&ctx, *p, Stage::Failover)),
                        mutation: mutation(&ctx, Stage::Failover, lead),
                    },
                    check: members.iter().all(|p| check_of(&ctx, *p, Stage::Failover)),
                    failover_ok: vec![None; members.len()],
                };
                results = run_jobs(
                    &ctx,
                    vec![(members.iter().map(|p| flat(*p)).collect(), job)],
                )
                .await?;
            }
            None => {
                for group in &app.boot_groups {
                    let jobs: Vec<_> = group
                        .items
                        .iter()
                        .filter_map(|i| pos(i))
                        .filter(|p| plans(&ctx, *p, Stage::Failover))
                        .map(|p| {
                            (
                                vec![flat(p)],
                                item_job(
                                    &ctx,
                                    p,
                                    Stage::Failover,
                                    check_of(&ctx, p, Stage::Failover),
                                    None,
                                ),
                            )
                        })
                        .collect();
                    if jobs.is_empty() {
                        continue;
                    }
                    let got = run_jobs(&ctx, jobs).await?;
                    let stop = combine(&got) != Flow::Done;
                    results.extend(got);
                    if stop {
                        break;
                    }
                }
            }
        }
    }
    let flow = combine(&results);
    let mut verified = Vec::new();
    let mut verified_at = None;
    if flow == Flow::Done && !ctx.settings.dry_run {
        for p in &members {
            let item = ctx.plan.units[p.unit].items[p.index].item.clone();
            let (ok, detail, at) = match ctx.prior.verified(&item) {
                Some((detail, at)) => (true, detail.clone(), *at),
                // The time the journal holds, so a report rebuilt from it is the run's.
                None => verify_item(&ctx, &item, &app.name).await?,
            };
            verified.push((flat(*p), ok, detail));
            verified_at = verified_at.max(Some(at));
        }
    } else if flow == Flow::Done {
        for p in &members {
            verified.push((flat(*p), true, "dry run: not verified".into()));
        }
    }
    Ok(Msg::Cutover {
        a,
        results,
        flow,
        verified,
        verified_at,
    })
}

/// The verify gate for one item: its on-premises VM runs, its guest answers, and every
/// check of the request that applies passes, within the request's timeout. Journaled;
/// the time returned is the journal entry's.
async fn verify_item(ctx: &Ctx, item: &str, app: &str) -> Result<(bool, String, DateTime<Utc>)> {
    let target = Target::Item(item.to_string());
    let key = OpKey::new(target.clone(), Stage::Commit);
    let timeout = Duration::from_secs(ctx.plan.request.verify.timeout_seconds);
    let until = ctx.now() + chrono::Duration::from_std(timeout).unwrap_or(chrono::TimeDelta::MAX);
    let checks: Vec<_> = ctx
        .plan
        .request
        .verify
        .checks
        .iter()
        .filter(|c| c.applies_to(item, app))
        .cloned()
        .collect();
    let mut backoff = PollBackoff::new(ctx.settings.poll_initial, ctx.settings.poll_max);
    loop {
        let read: std::result::Result<Option<VmRuntime>, String> = match ctx
            .read(&target, Stage::Commit, || ctx.onprem.vm_runtime(item))
            .await
        {
            Ok(rt) => Ok(rt),
            Err(crate::Error::Cancelled) => {
                return Ok((false, format!("{item}: cancelled"), ctx.now()))
            }
            Err(e) => Err(format!("{item}: its VM could not be read: {e}")),
        };
        let why = match &read {
            Err(e) => e.clone(),
            Ok(None) => format!("{item}: no on-premises VM found"),
            Ok(Some(rt)) if !is_running(rt) => format!("{item}: its VM {} is not running", rt.vm),
            Ok(Some(rt)) if rt.guest_running != Some(true) => {
                format!("{item}: the guest of {} does not answer", rt.vm)
            }
            Ok(Some(rt)) => {
                let mut failed = None;
                for c in &checks {
                    let left = (until - ctx.now())
                        .to_std()
                        .unwrap_or(Duration::from_secs(1));
                    let out = ctx
                        .verifier
                        .check(item, rt, c, left.max(Duration::from_secs(1)))
                        .await;
                    if !out.ok {
                        failed = Some(format!("{c}: {}", out.detail));
                        break;
                    }
                }
                match failed {
                    None => {
                        let detail = format!(
                            "{item}: VM {} runs, its guest answers{}",
                            rt.vm,
                            if checks.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    ", {} passed",
                                    checks
                                        .iter()
                                        .map(|c| c.to_string())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }
                        );
                        let at = ctx.now();
                        ctx.append(&Entry::Verified {
                            op: key,
                            check: Check::ApplicationVerified,
                            ok: true,
                            detail: detail.clone(),
                            figure: None,
                            at,
                        })?;
                        return Ok((true, detail, at));
                    }
                    Some(f) => f,
                }
            }
        };
        let now = ctx.now();
        if now >= until {
            let detail = format!("{why} (gave up after {} s)", timeout.as_secs());
            ctx.append(&Entry::Verified {
                op: key,
                check: Check::ApplicationVerified,
                ok: false,
                detail: detail.clone(),
                figure: None,
                at: now,
            })?;
            ctx.warn(format!("verification failed: {detail}"));
            return Ok((false, detail, now));
        }
        let left = (until - now).to_std().unwrap_or_default();
        if !ctx.sleep(backoff.next(None).min(left)).await {
            return Ok((false, format!("{why} (cancelled)"), ctx.now()));
        }
    }
}

/// Commit, roll back (cancel the failover) or reprotect to Azure an application: through
/// its recovery plan for commit and rollback, item by item for the reprotect.
async fn step(
    ctx: Arc<Ctx>,
    a: usize,
    app: ApplicationPlan,
    stage: Stage,
    rollback: bool,
    failover_ok: HashMap<String, bool>,
    at: Vec<Pos>,
) -> Result<Msg> {
    let members: Vec<Pos> = at
        .into_iter()
        .filter(|&p| {
            if rollback {
                plans(&ctx, p, Stage::Failover)
            } else {
                plans(&ctx, p, stage)
            }
        })
        .collect();
    let name = |p: &Pos| ctx.plan.units[p.unit].items[p.index].item.clone();
    let mut jobs = Vec::new();
    let via_plan = (stage == Stage::Commit || rollback) && app.recovery_plan.is_some();
    if members.is_empty() {
    } else if via_plan {
        let rp = app.recovery_plan.clone().unwrap_or_default();
        let target = Target::RecoveryPlan(rp);
        let key = if rollback {
            OpKey::cancel_of(target, Stage::Failover)
        } else {
            OpKey::new(target, stage)
        };
        jobs.push((
            members.iter().map(|p| flat(*p)).collect(),
            StageJob {
                spec: OpSpec {
                    key,
                    members: members.iter().map(name).collect(),
                    attach: !rollback && members.iter().any(|p| attach(&ctx, *p, stage)),
                    mutation: if rollback {
                        Mutation::CancelFailover
                    } else {
                        mutation(
                            &ctx,
                            stage,
                            &ctx.plan.units[members[0].unit].items[members[0].index],
                        )
                    },
                },
                check: !rollback && members.iter().all(|p| check_of(&ctx, *p, stage)),
                failover_ok: members
                    .iter()
                    .map(|p| failover_ok.get(&name(p)).copied())
                    .collect(),
            },
        ));
    } else {
        for p in &members {
            let mut job = item_job(
                &ctx,
                *p,
                stage,
                !rollback && check_of(&ctx, *p, stage),
                failover_ok.get(&name(p)).copied(),
            );
            if rollback {
                job.spec.key = OpKey::cancel_of(job.spec.key.target.clone(), Stage::Failover);
                job.spec.mutation = Mutation::CancelFailover;
                job.spec.attach = false;
            }
            jobs.push((vec![flat(*p)], job));
        }
    }
    let results = if jobs.is_empty() {
        Vec::new()
    } else {
        run_jobs(&ctx, jobs).await?
    };
    let flow = combine(&results);
    let _: Option<&MemberFacts> = None;
    Ok(Msg::Step {
        a,
        stage,
        rollback,
        results: if rollback { Vec::new() } else { results },
        flow,
    })
}
