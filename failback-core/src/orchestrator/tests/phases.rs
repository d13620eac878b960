//! The run in phases against a small fake site: jobs take time, disks attach to master
//! targets, recovery plans fail over group by group and can suspend on a manual action,
//! commits make the agent re-register. What a DR engineer would check on a run's timeline
//! is asserted on the fake's log of mutations.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use super::*;
use crate::provider::{
    FailoverRequest, ManualActionWait, OnPremCapability, OnPremProvider, RecoveryCapability,
    RecoveryProvider, ReprotectRequest,
};
use crate::runbook::{ApplicationSpec, CommitPolicy, Phase, Window};
use crate::schedule::{ApplicationKind, ApplicationPlan, BootGroupPlan};
use crate::state::Operation;
use crate::Result;

const MINUTE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
struct FakeJob {
    target: Target,
    op: Operation,
    items: Vec<String>,
    started: DateTime<Utc>,
    ends: DateTime<Utc>,
    state: JobState,
    /// For a suspended plan failover: the action.
    waiting: Option<ManualActionWait>,
    /// Boot groups still to run (plan failover).
    groups_left: Vec<Vec<String>>,
}

#[derive(Debug, Default)]
struct FakeState {
    state: HashMap<String, S>,
    disks: HashMap<String, u32>,
    mt: HashMap<String, String>,
    attached: HashMap<String, u32>,
    peak: HashMap<String, u32>,
    jobs: BTreeMap<String, FakeJob>,
    /// (time, operation, target, items) of every accepted mutation.
    log: Vec<(DateTime<Utc>, Operation, Target, Vec<String>)>,
    /// When each item's failover started and its VM came up.
    failover: HashMap<String, (DateTime<Utc>, Option<DateTime<Utc>>)>,
    plans: HashMap<String, Vec<Vec<String>>>,
    /// Plan name -> boot group index (0-based) after which the plan suspends once.
    manual_after: HashMap<String, usize>,
    suspended_once: HashSet<String>,
    agent_ready_at: HashMap<String, DateTime<Utc>>,
    not_ready_refusals: u32,
    silent: HashSet<String>,
    violations: Vec<String>,
    resumed: u32,
    /// Reprotect durations other than the fake's default.
    reprotect_of: HashMap<String, Duration>,
}

#[derive(Debug)]
struct Fake {
    clock: Arc<TestClock>,
    modernized: bool,
    reprotect: Duration,
    st: Mutex<FakeState>,
}

impl Fake {
    fn new(clock: Arc<TestClock>, modernized: bool) -> Arc<Fake> {
        Arc::new(Fake {
            clock,
            modernized,
            reprotect: 30 * MINUTE,
            st: Mutex::new(FakeState::default()),
        })
    }

    fn add(&self, item: &str, mt: &str, disks: u32) {
        let mut st = self.st.lock().unwrap();
        st.state.insert(item.into(), S::FailedOverToAzure);
        st.mt.insert(item.into(), mt.into());
        st.disks.insert(item.into(), disks);
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Let time-driven changes happen: jobs end, plan groups advance.
    fn settle(&self, st: &mut FakeState) {
        let now = self.now();
        let ids: Vec<String> = st.jobs.keys().cloned().collect();
        for id in ids {
            loop {
                let job = st.jobs[&id].clone();
                if job.state != JobState::InProgress || job.ends > now {
                    break;
                }
                let at = job.ends;
                match job.op {
                    Operation::Reprotect => {
                        for i in &job.items {
                            st.state.insert(i.clone(), S::ReplicatingToOnPrem);
                        }
                    }
                    Operation::Failover => {
                        // The first group left is done.
                        let mut groups = job.groups_left.clone();
                        let group = if groups.is_empty() {
                            job.items.clone()
                        } else {
                            groups.remove(0)
                        };
                        for i in &group {
                            st.state.insert(i.clone(), S::FailedBackAwaitingCommit);
                            if let Some(f) = st.failover.get_mut(i) {
                                f.1 = Some(at);
                            }
                            let mt = st.mt[i].clone();
                            let d = st.disks[i];
                            *st.attached.entry(mt).or_default() -= d;
                        }
                        let j = st.jobs.get_mut(&id).unwrap();
                        j.groups_left = groups.clone();
                        let plan = match &job.target {
                            Target::RecoveryPlan(p) => Some(p.clone()),
                            _ => None,
                        };
                        let done_groups = st
                            .plans
                            .get(plan.as_deref().unwrap_or(""))
                            .map_or(0, |g| g.len())
                            - groups.len();
                        let pause = plan.as_ref().is_some_and(|p| {
                            st.manual_after.get(p) == Some(&(done_groups - 1))
                                && !st.suspended_once.contains(p)
                        });
                        if groups.is_empty() {
                            st.jobs.get_mut(&id).unwrap().state = JobState::Succeeded;
                        } else if pause {
                            let p = plan.unwrap();
                            st.suspended_once.insert(p);
                            let j = st.jobs.get_mut(&id).unwrap();
                            j.state = JobState::Suspended;
                            j.waiting = Some(ManualActionWait {
                                name: "check-db".into(),
                                instructions: Some("check the database".into()),
                                group: u32::try_from(done_groups).unwrap(),
                            });
                        } else {
                            self.start_group(st, &id, at);
                        }
                        continue;
                    }
                    Operation::Commit => {
                        for i in &job.items {
                            st.state.insert(i.clone(), S::CommittedUnprotected);
                            st.agent_ready_at
                                .insert(i.clone(), at + chrono::Duration::minutes(10));
                        }
                    }
                    Operation::ReprotectToAzure => {
                        for i in &job.items {
                            st.state.insert(i.clone(), S::Protected);
                        }
                    }
                    Operation::CancelFailover => {
                        for i in &job.items {
                            st.state.insert(i.clone(), S::ReplicatingToOnPrem);
                            let mt = st.mt[i].clone();
                            let d = st.disks[i];
                            *st.attached.entry(mt).or_default() += d;
                        }
                    }
                }
                st.jobs.get_mut(&id).unwrap().state = JobState::Succeeded;
                break;
            }
        }
    }

    /// Start the first boot group left of plan failover `id` at `at`.
    fn start_group(&self, st: &mut FakeState, id: &str, at: DateTime<Utc>) {
        let job = st.jobs.get_mut(id).unwrap();
        job.ends = at + chrono::Duration::minutes(10);
        job.state = JobState::InProgress;
        let group = job.groups_left.first().cloned().unwrap_or_default();
        for i in group {
            st.failover.insert(i, (at, None));
        }
    }

    fn start(
        &self,
        target: &Target,
        op: Operation,
        items: Vec<String>,
        d: Duration,
    ) -> Result<JobId> {
        let mut st = self.st.lock().unwrap();
        self.settle(&mut st);
        let now = self.now();
        for i in &items {
            let s = st.state[i];
            if s.start(op).is_err() {
                st.violations.push(format!("{op} of {i} while {s}"));
                return Err(err(ErrorKind::Conflict));
            }
        }
        if op == Operation::ReprotectToAzure {
            for i in &items {
                if st.agent_ready_at.get(i).is_some_and(|t| *t > now) {
                    st.not_ready_refusals += 1;
                    return Err(Error::provider(
                        "fake",
                        ErrorKind::NotReady,
                        format!("the mobility agent of {i} isn't installed yet"),
                    )
                    .with_retry_after(MINUTE));
                }
            }
        }
        if op == Operation::Reprotect {
            for i in &items {
                let mt = st.mt[i].clone();
                let d = st.disks[i];
                let a = st.attached.entry(mt.clone()).or_default();
                *a += d;
                let now_attached = *a;
                if now_attached > 60 {
                    st.violations
                        .push(format!("{mt} past 60 disks: {now_attached}"));
                }
                let p = st.peak.entry(mt).or_default();
                *p = (*p).max(now_attached);
            }
        }
        for i in &items {
            let s = st.state[i].start(op).unwrap();
            st.state.insert(i.clone(), s);
        }
        let id = format!("job-{}", st.jobs.len() + 1);
        let groups_left = match (op, target) {
            (Operation::Failover, Target::RecoveryPlan(p)) => st.plans[p].clone(),
            (Operation::Failover, Target::Item(i)) => vec![vec![i.clone()]],
            _ => Vec::new(),
        };
        st.log.push((now, op, target.clone(), items.clone()));
        st.jobs.insert(
            id.clone(),
            FakeJob {
                target: target.clone(),
                op,
                items,
                started: now,
                ends: now + chrono::Duration::from_std(d).unwrap(),
                state: JobState::InProgress,
                waiting: None,
                groups_left,
            },
        );
        if op == Operation::Failover {
            self.start_group(&mut st, &id, now);
        }
        Ok(JobId(id))
    }

    fn members(&self, target: &Target) -> Vec<String> {
        match target {
            Target::Item(i) => vec![i.clone()],
            Target::RecoveryPlan(p) => self.st.lock().unwrap().plans[p].concat(),
        }
    }

    fn log(&self) -> Vec<(DateTime<Utc>, Operation, Target, Vec<String>)> {
        self.st.lock().unwrap().log.clone()
    }
}

#[async_trait]
impl RecoveryProvider for Fake {
    fn name(&self) -> &str {
        "fake"
    }
    fn capability(&self) -> RecoveryCapability {
        RecoveryCapability {
            classic: !self.modernized,
            modernized: self.modernized,
            planned_failover: self.modernized,
            cancel_failover: self.modernized,
            resume_jobs: true,
            recovery_plans: true,
            ..RecoveryCapability::default()
        }
    }
    async fn discover(&self) -> Result<Estate> {
        Err(err(ErrorKind::NotSupported))
    }
    async fn reprotect(&self, target: &Target, request: &ReprotectRequest) -> Result<JobId> {
        let items = self.members(target);
        match request.direction {
            Direction::AzureToOnPrem => {
                let d = {
                    let st = self.st.lock().unwrap();
                    items
                        .iter()
                        .filter_map(|i| st.reprotect_of.get(i).copied())
                        .max()
                        .unwrap_or(self.reprotect)
                };
                self.start(target, Operation::Reprotect, items, d)
            }
            Direction::OnPremToAzure => {
                self.start(target, Operation::ReprotectToAzure, items, 20 * MINUTE)
            }
        }
    }
    async fn failover(&self, target: &Target, _request: &FailoverRequest) -> Result<JobId> {
        let items = self.members(target);
        self.start(target, Operation::Failover, items, 10 * MINUTE)
    }
    async fn commit(&self, target: &Target) -> Result<JobId> {
        let items = self.members(target);
        self.start(target, Operation::Commit, items, 3 * MINUTE)
    }
    async fn cancel(&self, _job: &JobId) -> Result<()> {
        Err(err(ErrorKind::NotSupported))
    }
    async fn cancel_failover(&self, target: &Target) -> Result<JobId> {
        if !self.modernized {
            return Err(err(ErrorKind::NotSupported));
        }
        let items = self.members(target);
        self.start(target, Operation::CancelFailover, items, 5 * MINUTE)
    }
    async fn resume_job(&self, job: &JobId, _comment: &str) -> Result<()> {
        let mut st = self.st.lock().unwrap();
        self.settle(&mut st);
        let now = self.now();
        let suspended = st
            .jobs
            .get(&job.0)
            .is_some_and(|j| j.state == JobState::Suspended);
        if !suspended {
            return Err(err(ErrorKind::Conflict));
        }
        st.resumed += 1;
        st.jobs.get_mut(&job.0).unwrap().waiting = None;
        self.start_group(&mut st, &job.0, now);
        Ok(())
    }
    async fn job(&self, job: &JobId) -> Result<JobStatus> {
        let mut st = self.st.lock().unwrap();
        self.settle(&mut st);
        let j = st
            .jobs
            .get(&job.0)
            .ok_or_else(|| err(ErrorKind::NotFound))?;
        let now = self.now();
        Ok(JobStatus {
            poll_after: (j.state == JobState::InProgress)
                .then(|| (j.ends - now).to_std().unwrap_or_default() + Duration::from_millis(1)),
            started_at: Some(j.started),
            manual_action: j.waiting.clone(),
            ..JobStatus::new(job.clone(), j.state)
        })
    }
    async fn find_jobs(&self, target: &Target, operation: Operation) -> Result<Vec<JobStatus>> {
        let st = self.st.lock().unwrap();
        let mut out: Vec<JobStatus> = st
            .jobs
            .iter()
            .filter(|(_, j)| &j.target == target && j.op == operation)
            .map(|(id, j)| JobStatus {
                started_at: Some(j.started),
                ..JobStatus::new(JobId(id.clone()), j.state)
            })
            .collect();
        out.reverse();
        Ok(out)
    }
    async fn protection_state(&self, item: &str) -> Result<S> {
        let mut st = self.st.lock().unwrap();
        self.settle(&mut st);
        Ok(st.state[item])
    }
    async fn recovery_points(&self, item: &str) -> Result<Vec<RecoveryPoint>> {
        let mut st = self.st.lock().unwrap();
        self.settle(&mut st);
        let now = self.now();
        Ok(match st.state[item] {
            S::ReplicatingToOnPrem | S::FailingBack | S::FailedBackAwaitingCommit => {
                vec![RecoveryPoint {
                    id: format!("{item}-latest"),
                    time: now - chrono::Duration::minutes(1),
                    consistency: Consistency::CrashConsistent,
                    multi_vm_sync: true,
                }]
            }
            _ => Vec::new(),
        })
    }
    async fn azure_vm_shut_down(&self, item: &str) -> Result<bool> {
        let mut st = self.st.lock().unwrap();
        self.settle(&mut st);
        Ok(!matches!(
            st.state[item],
            S::FailedOverToAzure | S::Reprotecting | S::ReplicatingToOnPrem | S::FailingBack
        ))
    }
}

#[async_trait]
impl OnPremProvider for Fake {
    fn name(&self) -> &str {
        "fake"
    }
    fn capability(&self) -> OnPremCapability {
        OnPremCapability::default()
    }
    async fn discover(&self) -> Result<Estate> {
        Err(err(ErrorKind::NotSupported))
    }
    async fn vm_runtime(&self, item: &str) -> Result<Option<VmRuntime>> {
        let mut st = self.st.lock().unwrap();
        self.settle(&mut st);
        let up = matches!(
            st.state[item],
            S::FailedBackAwaitingCommit
                | S::Committing
                | S::CommittedUnprotected
                | S::ReprotectingToAzure
                | S::Protected
        );
        Ok(Some(VmRuntime {
            powered_on: up,
            guest_running: Some(up && !st.silent.contains(item)),
            ..running(item)
        }))
    }
}

fn unit_on(id: &str, mt: &str, wave: u32, disks: u32) -> UnitReport {
    let mut u = single(id, S::FailedOverToAzure, ALL);
    u.master_target = Some(mt.into());
    u.wave = wave;
    u.items[0].inputs.master_target = Some(mt.into());
    u.items[0].disks = disks;
    u
}

fn lone(u: usize, unit: &UnitReport) -> ApplicationPlan {
    ApplicationPlan {
        name: unit.name.clone(),
        kind: ApplicationKind::Unit,
        recovery_plan: None,
        units: vec![u],
        boot_groups: vec![BootGroupPlan {
            items: vec![unit.items[0].item.clone()],
            start_actions: vec![],
            end_actions: vec![],
        }],
        wave: unit.wave,
        cutover_estimate_seconds: 600,
    }
}

fn with_lone_apps(mut plan: Plan) -> Plan {
    plan.applications = plan
        .units
        .iter()
        .enumerate()
        .map(|(u, unit)| lone(u, unit))
        .collect();
    plan
}

fn fake_orchestrator(fake: &Arc<Fake>, clock: Arc<TestClock>) -> Orchestrator {
    Orchestrator::new(fake.clone(), fake.clone(), clock, RunSettings::default())
}

fn first(
    log: &[(DateTime<Utc>, Operation, Target, Vec<String>)],
    op: Operation,
    item: &str,
) -> DateTime<Utc> {
    log.iter()
        .find(|(_, o, _, items)| *o == op && items.iter().any(|i| i == item))
        .map(|(t, ..)| *t)
        .unwrap_or_else(|| panic!("no {op} of {item} in {log:#?}"))
}

/// Issue 6: eight items of ten disks on one master target, planned in two waves, never
/// put more than 60 disks on it at once; the second wave reprotects once the first
/// wave's failovers released their disks, and every failover of a wave starts after
/// every reprotect of that wave completed.
#[tokio::test(start_paused = true)]
async fn waves_on_one_master_target_never_exceed_60_disks() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    let mut units = Vec::new();
    let minutes = |k: u64| 10 + 5 * k;
    for k in 0..8 {
        let id = format!("vm-{k}");
        fake.add(&id, "mt-1", 10);
        fake.st
            .lock()
            .unwrap()
            .reprotect_of
            .insert(id.clone(), MINUTE * u32::try_from(minutes(k)).unwrap());
        units.push(unit_on(&id, "mt-1", if k < 6 { 1 } else { 2 }, 10));
    }
    let plan = with_lone_apps(plan_of(units, Request::default()));
    let o = fake_orchestrator(&fake, clock.clone());
    let (report, _) = run(&o, &plan, "waves-60").await;
    assert_eq!(report.done(), 8, "{:#?}", report.items);
    let st = fake.st.lock().unwrap();
    assert!(st.violations.is_empty(), "{:?}", st.violations);
    assert_eq!(st.peak["mt-1"], 60);
    drop(st);
    let log = fake.log();
    let last_wave1_reprotect_done = (0..6u64)
        .map(|k| {
            first(&log, Operation::Reprotect, &format!("vm-{k}"))
                + chrono::Duration::minutes(i64::try_from(minutes(k)).unwrap())
        })
        .max()
        .unwrap();
    for k in 0..6 {
        assert!(first(&log, Operation::Failover, &format!("vm-{k}")) >= last_wave1_reprotect_done);
    }
    let first_failover = (0..6)
        .map(|k| first(&log, Operation::Failover, &format!("vm-{k}")))
        .min()
        .unwrap();
    for k in 6..8 {
        assert!(
            first(&log, Operation::Reprotect, &format!("vm-{k}")) > first_failover,
            "wave 2 waits for wave 1's disks"
        );
    }
}

/// A request application fails over boot group after boot group: group 2 starts once
/// every VM of group 1 runs; downtime runs from the first failover to the last VM verified.
#[tokio::test(start_paused = true)]
async fn boot_groups_fail_over_in_order_and_downtime_is_reported() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    let ids = ["db", "app", "web"];
    let mut units = Vec::new();
    for id in ids {
        fake.add(id, "mt-1", 2);
        units.push(unit_on(id, "mt-1", 1, 2));
    }
    let mut plan = plan_of(units, Request::default());
    plan.applications = vec![ApplicationPlan {
        name: "crm".into(),
        kind: ApplicationKind::Request,
        recovery_plan: None,
        units: vec![0, 1, 2],
        boot_groups: vec![
            BootGroupPlan {
                items: vec!["db".into()],
                start_actions: vec![],
                end_actions: vec![],
            },
            BootGroupPlan {
                items: vec!["app".into(), "web".into()],
                start_actions: vec![],
                end_actions: vec![],
            },
        ],
        wave: 1,
        cutover_estimate_seconds: 1200,
    }];
    plan.request.applications = vec![ApplicationSpec {
        name: "crm".into(),
        items: vec![],
        groups: vec![vec!["db".into()], vec!["app".into(), "web".into()]],
    }];
    let o = fake_orchestrator(&fake, clock.clone());
    let (report, _) = run(&o, &plan, "boot-order").await;
    assert_eq!(report.done(), 3, "{:#?}", report.items);
    let st = fake.st.lock().unwrap();
    let db_up = st.failover["db"].1.unwrap();
    assert!(st.failover["app"].0 >= db_up && st.failover["web"].0 >= db_up);
    drop(st);
    let app = &report.applications[0];
    assert_eq!(app.name, "crm");
    let down = app.downtime_seconds.unwrap();
    assert!(
        (20 * 60..=25 * 60).contains(&down),
        "two groups of 10 minutes: {down}"
    );
}

/// Failovers start only inside a cutover window; the application waits for it.
#[tokio::test(start_paused = true)]
async fn failovers_wait_for_the_cutover_window() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    fake.add("web", "mt-1", 1);
    let mut plan = with_lone_apps(plan_of(
        vec![unit_on("web", "mt-1", 1, 1)],
        Request::default(),
    ));
    let opens = t0() + chrono::Duration::hours(5);
    plan.request.cutover.windows = vec![Window {
        start: opens,
        minutes: 120,
    }];
    let o = fake_orchestrator(&fake, clock.clone());
    let (report, _) = run(&o, &plan, "window").await;
    assert_eq!(report.done(), 1, "{:#?}", report.items);
    let fo = first(&fake.log(), Operation::Failover, "web");
    assert!(
        fo >= opens && fo < opens + chrono::Duration::minutes(2),
        "{fo}"
    );
    assert_eq!(
        report.applications[0].window.as_ref().map(|w| w.start),
        Some(opens)
    );
}

/// hold_after stops the run after a phase: a plain resume stops there again, a resume
/// that continues goes on, and each operation is issued once.
#[tokio::test(start_paused = true)]
async fn a_hold_stops_the_run_and_only_a_continue_passes_it() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    fake.add("web", "mt-1", 1);
    let mut plan = with_lone_apps(plan_of(
        vec![unit_on("web", "mt-1", 1, 1)],
        Request::default(),
    ));
    plan.request.hold_after = vec![Phase::WaitHealthy];
    let o = fake_orchestrator(&fake, clock.clone());
    let path = journal_path("hold");
    let report = o
        .run(
            &plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(report.held(), 1, "{:#?}", report.items);
    assert_eq!(report.holds[0].hold.phase, Phase::WaitHealthy);
    assert_eq!(fake.log().len(), 1, "only the reprotect ran");
    let again = o
        .resume(Journal::open(&path).unwrap(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(again.held(), 1, "a plain resume never passes a hold");
    assert_eq!(fake.log().len(), 1);
    let done = o
        .resume_and_continue(Journal::open(&path).unwrap(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(done.done(), 1, "{:#?}", done.items);
    let ops: Vec<Operation> = fake.log().iter().map(|(_, o, ..)| *o).collect();
    assert_eq!(
        ops,
        vec![
            Operation::Reprotect,
            Operation::Failover,
            Operation::Commit,
            Operation::ReprotectToAzure
        ]
    );
    let journal = entries(&path);
    assert!(journal.iter().any(|e| matches!(e, Entry::Released { .. })));
}

/// A recovery plan's manual action suspends its failover: the application is held; a
/// continue resumes the job (once) and the plan finishes.
#[tokio::test(start_paused = true)]
async fn a_manual_action_pauses_the_plan_until_continued() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    for id in ["db", "web"] {
        fake.add(id, "mt-1", 1);
    }
    {
        let mut st = fake.st.lock().unwrap();
        st.plans
            .insert("rp-crm".into(), vec![vec!["db".into()], vec!["web".into()]]);
        st.manual_after.insert("rp-crm".into(), 0);
    }
    let mut plan = plan_of(
        vec![unit_on("db", "mt-1", 1, 1), unit_on("web", "mt-1", 1, 1)],
        Request::default(),
    );
    plan.applications = vec![ApplicationPlan {
        name: "rp-crm".into(),
        kind: ApplicationKind::RecoveryPlan,
        recovery_plan: Some("rp-crm".into()),
        units: vec![0, 1],
        boot_groups: vec![
            BootGroupPlan {
                items: vec!["db".into()],
                start_actions: vec![],
                end_actions: vec!["check-db".into()],
            },
            BootGroupPlan {
                items: vec!["web".into()],
                start_actions: vec![],
                end_actions: vec![],
            },
        ],
        wave: 1,
        cutover_estimate_seconds: 1200,
    }];
    let o = fake_orchestrator(&fake, clock.clone());
    let path = journal_path("manual");
    let report = o
        .run(
            &plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(report.held(), 2, "{:#?}", report.items);
    assert_eq!(report.holds[0].hold.action.as_deref(), Some("check-db"));
    assert!(
        !fake.st.lock().unwrap().failover.contains_key("web"),
        "group 2 waits"
    );
    let done = o
        .resume_and_continue(Journal::open(&path).unwrap(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(done.done(), 2, "{:#?}", done.items);
    let st = fake.st.lock().unwrap();
    assert_eq!(st.resumed, 1);
    assert!(st.failover["web"].0 >= st.failover["db"].1.unwrap());
    let failovers = st
        .log
        .iter()
        .filter(|(_, o, ..)| *o == Operation::Failover)
        .count();
    assert_eq!(failovers, 1, "the plan's failover is issued once");
    assert!(st.violations.is_empty(), "{:?}", st.violations);
}

/// A modernized item whose verification fails is rolled back (failoverCancel), never
/// committed.
#[tokio::test(start_paused = true)]
async fn a_modernized_item_that_fails_verification_is_rolled_back() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), true);
    fake.add("web", "appliance", 1);
    fake.st.lock().unwrap().silent.insert("web".into());
    let mut plan = with_lone_apps(plan_of(
        vec![unit_on("web", "appliance", 1, 1)],
        Request::default(),
    ));
    plan.flavor = Flavor::Modernized;
    plan.request.verify.timeout_seconds = 600;
    let o = fake_orchestrator(&fake, clock.clone());
    let (report, _) = run(&o, &plan, "rollback").await;
    match &report.items[0].status {
        ItemStatus::RolledBack { cause } => assert!(cause.contains("verification"), "{cause}"),
        other => panic!("{other:?}"),
    }
    let ops: Vec<Operation> = fake.log().iter().map(|(_, o, ..)| *o).collect();
    assert_eq!(
        ops,
        vec![
            Operation::Reprotect,
            Operation::Failover,
            Operation::CancelFailover
        ]
    );
    assert_eq!(fake.st.lock().unwrap().state["web"], S::ReplicatingToOnPrem);
}

/// The commit policy `hold` stops verified applications before their commit.
#[tokio::test(start_paused = true)]
async fn the_hold_commit_policy_holds_verified_applications() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    fake.add("web", "mt-1", 1);
    let mut plan = with_lone_apps(plan_of(
        vec![unit_on("web", "mt-1", 1, 1)],
        Request::default(),
    ));
    plan.request.commit = CommitPolicy::Hold;
    let o = fake_orchestrator(&fake, clock.clone());
    let path = journal_path("hold-commit");
    let report = o
        .run(
            &plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(report.held(), 1);
    assert!(report.applications[0].downtime_seconds.is_some());
    assert!(!fake.log().iter().any(|(_, o, ..)| *o == Operation::Commit));
    let done = o
        .resume_and_continue(Journal::open(&path).unwrap(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(done.done(), 1, "{:#?}", done.items);
}

/// Right after commit the agent has not re-registered: the reprotect to Azure is refused
/// as not ready, waited for and issued again until accepted, without a failure.
#[tokio::test(start_paused = true)]
async fn reprotect_to_azure_waits_for_agent_re_registration() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    fake.add("web", "mt-1", 1);
    let plan = with_lone_apps(plan_of(
        vec![unit_on("web", "mt-1", 1, 1)],
        Request::default(),
    ));
    let o = fake_orchestrator(&fake, clock.clone());
    let (report, _) = run(&o, &plan, "agent").await;
    assert_eq!(report.done(), 1, "{:#?}", report.items);
    let st = fake.st.lock().unwrap();
    assert!(
        st.not_ready_refusals > 0,
        "the fake refused before re-registration"
    );
    let commit = st
        .log
        .iter()
        .find(|(_, o, ..)| *o == Operation::Commit)
        .unwrap()
        .0;
    let r2a = st
        .log
        .iter()
        .find(|(_, o, ..)| *o == Operation::ReprotectToAzure)
        .unwrap()
        .0;
    // Commit takes 3 minutes, the agent 10 more.
    assert!(
        r2a >= commit + chrono::Duration::minutes(13),
        "{commit} {r2a}"
    );
    assert_eq!(st.state["web"], S::Protected);
}

/// Held applications keep their disk slots: a later wave on their master target cannot
/// reprotect and waits behind them, held too (not "interrupted").
#[tokio::test(start_paused = true)]
async fn a_later_wave_waits_behind_held_applications() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    let mut units = Vec::new();
    for k in 0..8 {
        let id = format!("vm-{k}");
        fake.add(&id, "mt-1", 10);
        units.push(unit_on(&id, "mt-1", if k < 6 { 1 } else { 2 }, 10));
    }
    let mut plan = with_lone_apps(plan_of(units, Request::default()));
    plan.request.hold_after = vec![Phase::Reprotect];
    let o = fake_orchestrator(&fake, clock.clone());
    let (report, _) = run(&o, &plan, "held-waves").await;
    assert_eq!(report.held(), 8, "{:#?}", report.items);
    assert_eq!(report.holds.len(), 6, "one hold per application of wave 1");
    assert_eq!(report.pending(), 0);
    for k in 6..8 {
        match &report.items[k].status {
            ItemStatus::Held { reason, .. } => assert!(reason.contains("waits behind"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(fake.log().len(), 6, "only wave 1 reprotected");
}

/// The modernized failback is a planned failover making its own point: replication behind
/// the RPO threshold does not stop it, and it loses nothing.
#[tokio::test(start_paused = true)]
async fn a_modernized_failover_needs_no_fresh_point_and_loses_nothing() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p-old", 120, Consistency::CrashConsistent)]));
    rec.expect_azure_vm_shut_down().returning(|_| Ok(true));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    rec.expect_failover()
        .times(1)
        .withf(|_, r| r.planned)
        .returning(|_, _| Ok(JobId("fo-1".into())));
    // Planned failovers, but no cancel.
    rec.expect_capability().returning(|| RecoveryCapability {
        modernized: true,
        planned_failover: true,
        ..RecoveryCapability::default()
    });
    onprem
        .expect_vm_runtime()
        .returning(|i| Ok(Some(running(i))));
    let o = orchestrator(rec, onprem, RunSettings::default());
    let mut plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, &[Stage::Failover])],
        Request::default(),
    );
    plan.flavor = Flavor::Modernized;
    let (report, _) = run(&o, &plan, "modernized-stale").await;
    assert_eq!(report.done(), 1, "{:#?}", report.items);
    assert_eq!(report.items[0].data_loss_seconds, Some(0));
}

/// The write rate serves failovers first: an application already replicating cuts over at
/// the run's start although twenty reprotects asked for a write before it, and those
/// reprotects still go out in the order they asked.
#[tokio::test(start_paused = true)]
async fn a_failover_takes_the_next_write_before_queued_reprotects() {
    let clock = TestClock::new();
    let fake = Fake::new(clock.clone(), false);
    let mut units = Vec::new();
    for k in 0..20 {
        let id = format!("vm-{k:02}");
        let mt = format!("mt-{k:02}");
        fake.add(&id, &mt, 1);
        fake.st
            .lock()
            .unwrap()
            .reprotect_of
            .insert(id.clone(), MINUTE * 60);
        units.push(unit_on(&id, &mt, 1, 1));
    }
    fake.add("ready", "mt-r", 1);
    {
        // Already replicating back: its disk is on its master target.
        let mut st = fake.st.lock().unwrap();
        st.state.insert("ready".into(), S::ReplicatingToOnPrem);
        st.attached.insert("mt-r".into(), 1);
    }
    let mut ready = unit_on("ready", "mt-r", 0, 1);
    ready.items[0]
        .stages
        .retain(|s| s.stage != Stage::Reprotect);
    units.push(ready);
    let plan = with_lone_apps(plan_of(units, Request::default()));
    // One write every 10 seconds, a burst of one.
    let settings = RunSettings {
        writes_per_minute: 6,
        ..RunSettings::default()
    };
    let o = Orchestrator::new(fake.clone(), fake.clone(), clock.clone(), settings);
    let start = clock.now();
    let (report, _) = run(&o, &plan, "write-priority").await;
    assert_eq!(report.done(), 21, "{:#?}", report.items);
    let log = fake.log();
    let failover = first(&log, Operation::Failover, "ready");
    assert!(
        failover - start <= chrono::Duration::seconds(30),
        "the failover waited {} s behind the reprotects",
        (failover - start).num_seconds()
    );
    // The reprotects went out in plan order at the rate (after its burst), none lost.
    let reprotects: Vec<DateTime<Utc>> = (0..20)
        .map(|k| first(&log, Operation::Reprotect, &format!("vm-{k:02}")))
        .collect();
    assert!(
        reprotects.windows(2).all(|w| w[1] >= w[0]),
        "{reprotects:?}"
    );
    let span = reprotects[19] - reprotects[0];
    assert!(span >= chrono::Duration::seconds(170), "{span}");
}
