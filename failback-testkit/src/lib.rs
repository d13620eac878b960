#![doc = include_str!("../README.md")]

mod drill;

pub use drill::{drill_contract, DrillFixture, Violations};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use failback_core::clock::Clock;
use failback_core::provider::{
    FailoverRequest, JobId, JobState, JobStatus, OnPremProvider, PointSpec, RecoveryCapability,
    RecoveryProvider, ReprotectRequest, Target, VmSpec,
};
use failback_core::state::{Operation, ProtectionState};
use failback_core::{Error, ErrorKind};

/// How one check of a contract ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckResult {
    /// The provider behaved.
    Passed,
    /// Not run: the provider lacks the capability named (or the fixture the case).
    Skipped(String),
    /// The provider misbehaved: what was expected and what came.
    Failed(String),
}

/// One check of a contract: its name, the capability it needs, how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What is checked.
    pub name: &'static str,
    /// The capability it needs (`always` when none).
    pub needs: &'static str,
    /// How it ended.
    pub result: CheckResult,
}

/// The outcomes of a contract run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every check, in the order run.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// The checks that passed.
    pub fn passed(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| o.result == CheckResult::Passed)
    }

    /// The checks skipped for a missing capability or case.
    pub fn skipped(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.result, CheckResult::Skipped(_)))
    }

    /// The checks that failed.
    pub fn failed(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.result, CheckResult::Failed(_)))
    }

    /// Panic, listing every failed check, unless none failed (for a test).
    pub fn assert_passed(&self) {
        let failed: Vec<String> = self.failed().map(|o| o.to_string()).collect();
        assert!(failed.is_empty(), "contract failed:\n{}", failed.join("\n"));
    }

    fn push(&mut self, name: &'static str, needs: &'static str, result: CheckResult) {
        self.outcomes.push(Outcome {
            name,
            needs,
            result,
        });
    }

    fn run(&mut self, name: &'static str, needs: &'static str, r: Result<(), String>) {
        self.push(
            name,
            needs,
            match r {
                Ok(()) => CheckResult::Passed,
                Err(e) => CheckResult::Failed(e),
            },
        );
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            CheckResult::Passed => write!(f, "passed   {} ({})", self.name, self.needs),
            CheckResult::Skipped(why) => write!(f, "skipped  {}: {why}", self.name),
            CheckResult::Failed(why) => write!(f, "FAILED   {} ({}): {why}", self.name, self.needs),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for o in &self.outcomes {
            writeln!(f, "{o}")?;
        }
        Ok(())
    }
}

/// An item the recovery contract takes through its whole life cycle: failed over to
/// Azure, with the requests of its reprotects.
#[derive(Debug, Clone)]
pub struct ItemCase {
    /// Its id; it must be failed over to Azure and alone (no replication group).
    pub id: String,
    /// The reprotect to on-premises (master target, datastore, …).
    pub to_onprem: ReprotectRequest,
    /// The reprotect back to Azure after the commit.
    pub to_azure: ReprotectRequest,
}

/// A recovery plan the contract fails over and commits whole.
#[derive(Debug, Clone)]
pub struct PlanCase {
    /// Its name.
    pub name: String,
    /// Each member (failed over to Azure) with its reprotect to on-premises.
    pub members: Vec<(String, ReprotectRequest)>,
}

/// What the recovery contract runs against.
#[derive(Debug, Clone)]
pub struct RecoveryFixture {
    /// The provider's clock: the contract waits for jobs on it.
    pub clock: Arc<dyn Clock>,
    /// The longest a job may take, on that clock.
    pub job_timeout: Duration,
    /// Whether the estate's failovers are planned (the modernized flavour).
    pub planned: bool,
    /// The item of the life cycle.
    pub item: ItemCase,
    /// An item (failed over to Azure) whose reprotect the contract starts and cancels.
    pub cancel_item: Option<ItemCase>,
    /// A recovery plan; `None` skips the recovery-plan checks.
    pub recovery_plan: Option<PlanCase>,
    /// At least this many items the discovery must return (a paging-sized estate).
    pub discovered_items: usize,
    /// The same site set to fail every job it starts, with an item failed over to Azure
    /// there; `None` skips the failed-job check.
    pub failing: Option<(Arc<dyn RecoveryProvider>, ItemCase)>,
    /// The same site set to lose the response of every mutation (the call takes effect,
    /// its answer is a retryable error), with an item failed over to Azure there; `None`
    /// skips the lost-response check.
    pub lossy: Option<(Arc<dyn RecoveryProvider>, ItemCase)>,
}

fn item(id: &str) -> Target {
    Target::Item(id.to_string())
}

fn kind_of(r: &Result<impl fmt::Debug, Error>) -> Option<ErrorKind> {
    r.as_ref().err().and_then(Error::kind)
}

/// Poll a job until it ends or suspends, on the fixture's clock.
async fn settle(
    p: &dyn RecoveryProvider,
    clock: &dyn Clock,
    job: &JobId,
    timeout: Duration,
) -> Result<JobStatus, String> {
    let until = clock.now() + chrono::Duration::from_std(timeout).unwrap_or(chrono::TimeDelta::MAX);
    loop {
        let s = p.job(job).await.map_err(|e| format!("job({job}): {e}"))?;
        if &s.id != job {
            return Err(format!("job({job}) answered for job {}", s.id));
        }
        if s.state.is_final() || s.state == JobState::Suspended {
            return Ok(s);
        }
        if clock.now() >= until {
            return Err(format!("job {job} still {:?} after {timeout:?}", s.state));
        }
        clock
            .sleep(
                s.poll_after
                    .unwrap_or(Duration::from_secs(30))
                    .max(Duration::from_secs(1)),
            )
            .await;
    }
}

async fn succeeds(
    p: &dyn RecoveryProvider,
    f: &RecoveryFixture,
    what: &str,
    job: Result<JobId, Error>,
) -> Result<JobStatus, String> {
    let job = job.map_err(|e| format!("{what}: {e}"))?;
    let s = settle(p, f.clock.as_ref(), &job, f.job_timeout).await?;
    if s.state != JobState::Succeeded {
        return Err(format!(
            "{what}: job {job} ended {:?}: {:?}",
            s.state, s.error
        ));
    }
    Ok(s)
}

async fn state_is(
    p: &dyn RecoveryProvider,
    id: &str,
    want: ProtectionState,
    when: &str,
) -> Result<(), String> {
    let got = p
        .protection_state(id)
        .await
        .map_err(|e| format!("protection_state({id}) {when}: {e}"))?;
    if got != want {
        return Err(format!("{id} {when}: {got:?}, expected {want:?}"));
    }
    Ok(())
}

fn failover(f: &RecoveryFixture) -> FailoverRequest {
    FailoverRequest {
        point: PointSpec::Latest,
        planned: f.planned,
    }
}

/// Run the recovery side's contract against `p`: discovery, refusals as conflicts, the
/// whole life cycle of an item, the jobs found again newest first, and, by capability,
/// cancelled jobs, cancelled failovers, recovery plans with suspended jobs, failed jobs
/// and lost responses. The checks change the provider's items (use a fresh site).
pub async fn recovery_contract(p: &dyn RecoveryProvider, f: &RecoveryFixture) -> Report {
    let cap = p.capability();
    let mut r = Report::default();
    r.run(
        "discovery returns the estate",
        "always",
        discovery(p, f).await,
    );
    r.run(
        "an unknown job is not found",
        "always",
        match p.job(&JobId("failback-testkit-no-such-job".into())).await {
            Err(e) if e.kind() == Some(ErrorKind::NotFound) => Ok(()),
            other => Err(format!("expected a NotFound error, got {other:?}")),
        },
    );
    r.run(
        "transitions the state does not allow are refused as conflicts",
        "always",
        refusals(p, f).await,
    );
    let flavour_ok = if f.planned {
        cap.modernized
    } else {
        cap.classic
    };
    if flavour_ok {
        let lc = life_cycle(p, f, &cap).await;
        r.run(
            "an item's life cycle: reprotect, failover, commit, reprotect to Azure",
            if f.planned { "modernized" } else { "classic" },
            lc.0,
        );
        match lc.1 {
            Some(res) => r.run(
                "a failover is cancelled back to replicating",
                "cancel_failover",
                res,
            ),
            None => r.push(
                "a failover is cancelled back to replicating",
                "cancel_failover",
                CheckResult::Skipped("the provider cannot cancel a failover".into()),
            ),
        }
        r.run(
            "jobs of an operation are found again, newest first",
            "always",
            jobs_newest_first(p, f).await,
        );
    } else {
        r.push(
            "an item's life cycle: reprotect, failover, commit, reprotect to Azure",
            if f.planned { "modernized" } else { "classic" },
            CheckResult::Skipped("the provider lacks the fixture's flavour".into()),
        );
    }
    match (&f.cancel_item, cap.cancel) {
        (Some(c), true) => r.run(
            "a running job is cancelled",
            "cancel",
            cancel_job(p, f, c).await,
        ),
        (None, _) => r.push(
            "a running job is cancelled",
            "cancel",
            CheckResult::Skipped("no cancel_item in the fixture".into()),
        ),
        (_, false) => r.push(
            "a running job is cancelled",
            "cancel",
            CheckResult::Skipped("the provider cannot cancel jobs".into()),
        ),
    }
    match (&f.recovery_plan, cap.recovery_plans) {
        (Some(plan), true) => r.run(
            "a recovery plan fails over and commits whole",
            "recovery_plans",
            recovery_plan(p, f, plan, &cap).await,
        ),
        (None, _) => r.push(
            "a recovery plan fails over and commits whole",
            "recovery_plans",
            CheckResult::Skipped("no recovery_plan in the fixture".into()),
        ),
        (_, false) => r.push(
            "a recovery plan fails over and commits whole",
            "recovery_plans",
            CheckResult::Skipped("the provider has no recovery plans".into()),
        ),
    }
    match &f.failing {
        Some((fp, c)) => r.run(
            "a failed job says why and changes nothing",
            "a failing site",
            failed_job(fp.as_ref(), f, c).await,
        ),
        None => r.push(
            "a failed job says why and changes nothing",
            "a failing site",
            CheckResult::Skipped("no failing site in the fixture".into()),
        ),
    }
    match &f.lossy {
        Some((lp, c)) => r.run(
            "a lost response's job is found again",
            "a lossy site",
            lost_response(lp.as_ref(), f, c).await,
        ),
        None => r.push(
            "a lost response's job is found again",
            "a lossy site",
            CheckResult::Skipped("no lossy site in the fixture".into()),
        ),
    }
    r
}

async fn discovery(p: &dyn RecoveryProvider, f: &RecoveryFixture) -> Result<(), String> {
    let e = p.discover().await.map_err(|e| format!("discover: {e}"))?;
    if e.items.len() < f.discovered_items {
        return Err(format!(
            "{} items discovered, at least {} expected (a listing cut at its first page?)",
            e.items.len(),
            f.discovered_items
        ));
    }
    if !e.items.iter().any(|i| i.id == f.item.id) {
        return Err(format!(
            "the fixture's item {} is not discovered",
            f.item.id
        ));
    }
    Ok(())
}

async fn refusals(p: &dyn RecoveryProvider, f: &RecoveryFixture) -> Result<(), String> {
    let id = &f.item.id;
    state_is(
        p,
        id,
        ProtectionState::FailedOverToAzure,
        "before the contract",
    )
    .await?;
    let commit = p.commit(&item(id)).await;
    if kind_of(&commit) != Some(ErrorKind::Conflict) {
        return Err(format!(
            "commit before failover: expected Conflict, got {commit:?}"
        ));
    }
    let fo = p.failover(&item(id), &failover(f)).await;
    if kind_of(&fo) != Some(ErrorKind::Conflict) {
        return Err(format!(
            "failover before reprotect: expected Conflict, got {fo:?}"
        ));
    }
    state_is(
        p,
        id,
        ProtectionState::FailedOverToAzure,
        "after the refusals",
    )
    .await
}

/// The life cycle, and (with the capability) a cancelled failover inside it.
async fn life_cycle(
    p: &dyn RecoveryProvider,
    f: &RecoveryFixture,
    cap: &RecoveryCapability,
) -> (Result<(), String>, Option<Result<(), String>>) {
    let t = item(&f.item.id);
    let id = &f.item.id;
    let mut cancelled = None;
    let run = async {
        succeeds(
            p,
            f,
            "reprotect to on-premises",
            p.reprotect(&t, &f.item.to_onprem).await,
        )
        .await?;
        state_is(
            p,
            id,
            ProtectionState::ReplicatingToOnPrem,
            "after reprotect",
        )
        .await?;
        let points = p
            .recovery_points(id)
            .await
            .map_err(|e| format!("recovery_points: {e}"))?;
        if !f.planned && points.is_empty() {
            return Err(format!("{id} replicates but has no recovery point"));
        }
        succeeds(p, f, "failover", p.failover(&t, &failover(f)).await).await?;
        state_is(
            p,
            id,
            ProtectionState::FailedBackAwaitingCommit,
            "after failover",
        )
        .await?;
        if !p.azure_vm_shut_down(id).await.map_err(|e| e.to_string())? {
            return Err(format!("the Azure VM of {id} runs after its failover"));
        }
        if cap.cancel_failover {
            let c: Result<(), String> = async {
                succeeds(p, f, "cancel failover", p.cancel_failover(&t).await).await?;
                state_is(
                    p,
                    id,
                    ProtectionState::ReplicatingToOnPrem,
                    "after the cancel",
                )
                .await?;
                if p.azure_vm_shut_down(id).await.map_err(|e| e.to_string())? {
                    return Err(format!("the Azure VM of {id} stays down after the cancel"));
                }
                succeeds(p, f, "failover again", p.failover(&t, &failover(f)).await).await?;
                Ok(())
            }
            .await;
            let again = c.is_ok();
            cancelled = Some(c);
            if !again {
                return Err("the cancelled failover did not leave a failover possible".into());
            }
        }
        succeeds(p, f, "commit", p.commit(&t).await).await?;
        // Reprotect to Azure: NotReady (the agent re-registers) is waited out.
        let until = f.clock.now()
            + chrono::Duration::from_std(f.job_timeout).unwrap_or(chrono::TimeDelta::MAX);
        let job = loop {
            match p.reprotect(&t, &f.item.to_azure).await {
                Err(e) if e.kind() == Some(ErrorKind::NotReady) && f.clock.now() < until => {
                    f.clock
                        .sleep(e.retry_after().unwrap_or(Duration::from_secs(60)))
                        .await;
                }
                other => break other,
            }
        };
        succeeds(p, f, "reprotect to Azure", job).await?;
        state_is(
            p,
            id,
            ProtectionState::Protected,
            "after reprotect to Azure",
        )
        .await
    }
    .await;
    (run, cancelled)
}

async fn jobs_newest_first(p: &dyn RecoveryProvider, f: &RecoveryFixture) -> Result<(), String> {
    let t = item(&f.item.id);
    for op in [Operation::Reprotect, Operation::Failover, Operation::Commit] {
        let jobs = p
            .find_jobs(&t, op)
            .await
            .map_err(|e| format!("find_jobs({op:?}): {e}"))?;
        if jobs.is_empty() {
            return Err(format!(
                "find_jobs({op:?}) found none of the contract's jobs"
            ));
        }
        let starts: Vec<_> = jobs.iter().map(|j| j.started_at).collect();
        if starts.windows(2).any(|w| w[0] < w[1]) {
            return Err(format!("find_jobs({op:?}) is not newest first: {starts:?}"));
        }
    }
    Ok(())
}

async fn cancel_job(
    p: &dyn RecoveryProvider,
    f: &RecoveryFixture,
    c: &ItemCase,
) -> Result<(), String> {
    let job = p
        .reprotect(&item(&c.id), &c.to_onprem)
        .await
        .map_err(|e| format!("reprotect: {e}"))?;
    p.cancel(&job).await.map_err(|e| format!("cancel: {e}"))?;
    let s = settle(p, f.clock.as_ref(), &job, f.job_timeout).await?;
    if s.state != JobState::Cancelled {
        return Err(format!("a cancelled job ended {:?}", s.state));
    }
    let st = p.protection_state(&c.id).await.map_err(|e| e.to_string())?;
    if st == ProtectionState::ReplicatingToOnPrem {
        return Err(format!(
            "{} replicates after its reprotect was cancelled",
            c.id
        ));
    }
    Ok(())
}

async fn recovery_plan(
    p: &dyn RecoveryProvider,
    f: &RecoveryFixture,
    plan: &PlanCase,
    cap: &RecoveryCapability,
) -> Result<(), String> {
    for (m, req) in &plan.members {
        succeeds(p, f, "member reprotect", p.reprotect(&item(m), req).await).await?;
    }
    let t = Target::RecoveryPlan(plan.name.clone());
    let job = p
        .failover(&t, &failover(f))
        .await
        .map_err(|e| format!("plan failover: {e}"))?;
    let mut s = settle(p, f.clock.as_ref(), &job, f.job_timeout).await?;
    while s.state == JobState::Suspended {
        if !cap.resume_jobs {
            return Err("the job suspended but the provider cannot resume jobs".into());
        }
        if s.manual_action.is_none() {
            return Err("a suspended job names no manual action".into());
        }
        p.resume_job(&job, "failback-testkit")
            .await
            .map_err(|e| format!("resume_job: {e}"))?;
        s = settle(p, f.clock.as_ref(), &job, f.job_timeout).await?;
    }
    if s.state != JobState::Succeeded {
        return Err(format!("plan failover ended {:?}: {:?}", s.state, s.error));
    }
    for (m, _) in &plan.members {
        state_is(
            p,
            m,
            ProtectionState::FailedBackAwaitingCommit,
            "after the plan's failover",
        )
        .await?;
    }
    succeeds(p, f, "plan commit", p.commit(&t).await).await?;
    for (m, _) in &plan.members {
        let st = p.protection_state(m).await.map_err(|e| e.to_string())?;
        if st == ProtectionState::FailedBackAwaitingCommit {
            return Err(format!("{m} is not committed by its plan's commit"));
        }
    }
    Ok(())
}

async fn failed_job(
    p: &dyn RecoveryProvider,
    f: &RecoveryFixture,
    c: &ItemCase,
) -> Result<(), String> {
    let job = p
        .reprotect(&item(&c.id), &c.to_onprem)
        .await
        .map_err(|e| format!("reprotect: {e}"))?;
    let s = settle(p, f.clock.as_ref(), &job, f.job_timeout).await?;
    if s.state != JobState::Failed {
        return Err(format!("the failing site's job ended {:?}", s.state));
    }
    match &s.error {
        Some(e) if !e.message.trim().is_empty() => {}
        other => return Err(format!("a failed job must say why: {other:?}")),
    }
    state_is(
        p,
        &c.id,
        ProtectionState::FailedOverToAzure,
        "after its failed reprotect",
    )
    .await
}

async fn lost_response(
    p: &dyn RecoveryProvider,
    f: &RecoveryFixture,
    c: &ItemCase,
) -> Result<(), String> {
    let t = item(&c.id);
    let first = p.reprotect(&t, &c.to_onprem).await;
    let Err(e) = first else {
        return Err("the lossy site answered a mutation".into());
    };
    if !e.is_retryable() {
        return Err(format!(
            "a lost response must be a retryable error, got {e}"
        ));
    }
    let jobs = p
        .find_jobs(&t, Operation::Reprotect)
        .await
        .map_err(|e| format!("find_jobs: {e}"))?;
    let Some(newest) = jobs.first() else {
        return Err("the job of the lost response is not found".into());
    };
    let s = settle(p, f.clock.as_ref(), &newest.id, f.job_timeout).await?;
    if s.state != JobState::Succeeded {
        return Err(format!("the found job ended {:?}", s.state));
    }
    state_is(
        p,
        &c.id,
        ProtectionState::ReplicatingToOnPrem,
        "after the found job",
    )
    .await
}

/// What the on-premises contract runs against.
#[derive(Debug, Clone)]
pub struct OnPremFixture {
    /// An item whose VM failed back and runs (after the recovery contract, say); `None`
    /// skips the guest check.
    pub running_item: Option<String>,
    /// Where to make a VM, for the capabilities that change VMs: a host and a datastore.
    pub place: Option<(String, String)>,
}

/// Run the on-premises side's contract against `p`, by capability: discovery, an unknown
/// item's VM is absent (not an error), a failed-back VM's guest information, and VM
/// creation, power and configuration parameters.
pub async fn onprem_contract(p: &dyn OnPremProvider, f: &OnPremFixture) -> Report {
    let cap = p.capability();
    let mut r = Report::default();
    if cap.discover {
        r.run(
            "discovery returns the site",
            "discover",
            async {
                let e = p.discover().await.map_err(|e| format!("discover: {e}"))?;
                if e.hosts.is_empty() || e.datastores.is_empty() {
                    return Err("no host or datastore discovered".into());
                }
                Ok(())
            }
            .await,
        );
    } else {
        r.push(
            "discovery returns the site",
            "discover",
            CheckResult::Skipped("no discovery".into()),
        );
    }
    r.run(
        "an unknown item has no VM, which is not an error",
        "always",
        match p.vm_runtime("failback-testkit-no-such-item").await {
            Ok(None) => Ok(()),
            other => Err(format!("expected Ok(None), got {other:?}")),
        },
    );
    match (&f.running_item, cap.guest_info) {
        (Some(id), true) => r.run(
            "a failed-back VM runs and its guest answers",
            "guest_info",
            async {
                match p.vm_runtime(id).await {
                    Ok(Some(rt)) if rt.powered_on && rt.guest_running == Some(true) => Ok(()),
                    other => Err(format!(
                        "{id}: expected a running VM with its guest, got {other:?}"
                    )),
                }
            }
            .await,
        ),
        (None, _) => r.push(
            "a failed-back VM runs and its guest answers",
            "guest_info",
            CheckResult::Skipped("no running_item in the fixture".into()),
        ),
        (_, false) => r.push(
            "a failed-back VM runs and its guest answers",
            "guest_info",
            CheckResult::Skipped("no guest information".into()),
        ),
    }
    match (&f.place, cap.create_vm) {
        (Some((host, ds)), true) => r.run(
            "a VM is created, powered and configured",
            "create_vm",
            async {
                let vm = p
                    .create_vm(&VmSpec {
                        name: "failback-testkit-vm".into(),
                        host: host.clone(),
                        datastore: ds.clone(),
                        cpus: 2,
                        memory_mib: 4096,
                    })
                    .await
                    .map_err(|e| format!("create_vm: {e}"))?;
                if cap.power {
                    p.set_power(&vm, true)
                        .await
                        .map_err(|e| format!("set_power on: {e}"))?;
                    p.set_power(&vm, false)
                        .await
                        .map_err(|e| format!("set_power off: {e}"))?;
                }
                if cap.config_params {
                    p.set_config_param(&vm, "disk.enableUUID", "TRUE")
                        .await
                        .map_err(|e| format!("set_config_param: {e}"))?;
                }
                Ok(())
            }
            .await,
        ),
        (None, _) => r.push(
            "a VM is created, powered and configured",
            "create_vm",
            CheckResult::Skipped("no place in the fixture".into()),
        ),
        (_, false) => r.push(
            "a VM is created, powered and configured",
            "create_vm",
            CheckResult::Skipped("the provider cannot create VMs".into()),
        ),
    }
    if !cap.create_vm {
        r.run(
            "an unsupported change says so",
            "always",
            match p
                .create_vm(&VmSpec {
                    name: "x".into(),
                    host: "x".into(),
                    datastore: "x".into(),
                    cpus: 1,
                    memory_mib: 1,
                })
                .await
            {
                Err(e) if e.kind() == Some(ErrorKind::NotSupported) => Ok(()),
                other => Err(format!("expected NotSupported, got {other:?}")),
            },
        );
    }
    r
}
