//! The drill contract: a whole failback through the orchestrator over a pair of providers,
//! from their discovery to a resume of the finished run.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use failback_core::clock::Clock;
use failback_core::estate::{Estate, RecoveryPoint};
use failback_core::journal::Journal;
use failback_core::orchestrator::{
    CancellationToken, ItemStatus, Orchestrator, RunReport, RunSettings,
};
use failback_core::provider::{
    FailoverRequest, JobId, JobStatus, OnPremCapability, OnPremProvider, RecoveryCapability,
    RecoveryProvider, ReprotectRequest, Target, Verifier, VmRuntime, VmSpec,
};
use failback_core::state::{Operation, ProtectionState};
use failback_core::{PlanOutcome, Request, Result};

use crate::{CheckResult, Report};

/// The site's own record of broken rules (a simulator's violations), read after the run.
pub type Violations = Arc<dyn Fn() -> Vec<String> + Send + Sync>;

/// What the drill contract runs against: a fresh site whose items are failed over to
/// Azure and healthy, behind its two providers.
#[derive(Clone)]
pub struct DrillFixture {
    /// The recovery side.
    pub recovery: Arc<dyn RecoveryProvider>,
    /// The on-premises side.
    pub onprem: Arc<dyn OnPremProvider>,
    /// The providers' clock.
    pub clock: Arc<dyn Clock>,
    /// The verify gate's checks (`None`: the orchestrator's real network checks).
    pub verifier: Option<Arc<dyn Verifier>>,
    /// What to fail back (the default request: every item, every stage).
    pub request: Request,
    /// The run's settings.
    pub settings: RunSettings,
    /// The folder of the run's journal (`drill-contract.journal`, replaced if there).
    pub dir: PathBuf,
    /// The site's record of the rules it saw broken; `None` skips that check.
    pub violations: Option<Violations>,
    /// The facts no provider discovers (a Linux guest's root file system, the Azure
    /// networks, …), supplied as an engineer supplies them ([`Estate::supplement`]);
    /// `None` plans from the discovered halves alone.
    pub facts: Option<Estate>,
}

impl fmt::Debug for DrillFixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DrillFixture")
            .field("recovery", &self.recovery.name())
            .field("onprem", &self.onprem.name())
            .field("request", &self.request)
            .field("dir", &self.dir)
            .field("violations", &self.violations.is_some())
            .field("facts", &self.facts.is_some())
            .finish_non_exhaustive()
    }
}

/// Run the drill contract: the two providers' discoveries combine into an estate that
/// plans ([`Estate::combine`]); the plan runs through the orchestrator with a journal on
/// disk and every item ends done; the site saw no rule broken; the report rebuilt from
/// the journal alone is the run's; and a resume of the finished run issues no mutation
/// and reports every item done again. Each check after the first needs the ones before
/// it and is skipped when they failed. The run changes the site (use a fresh one).
pub async fn drill_contract(f: &DrillFixture) -> Report {
    let mut r = Report::default();
    let plan = match discover_and_plan(f).await {
        Ok(p) => {
            r.push(
                "the discovered halves combine into an estate that plans",
                "always",
                CheckResult::Passed,
            );
            p
        }
        Err(e) => {
            r.push(
                "the discovered halves combine into an estate that plans",
                "always",
                CheckResult::Failed(e),
            );
            return skip_rest(r, "no plan");
        }
    };
    let journal = f.dir.join("drill-contract.journal");
    let run = match run(f, &plan, &journal).await {
        Ok(run) => {
            r.run(
                "a drill runs every item to done",
                "always",
                all_done(&run, "the run"),
            );
            run
        }
        Err(e) => {
            r.push(
                "a drill runs every item to done",
                "always",
                CheckResult::Failed(e),
            );
            return skip_rest(r, "the run did not end");
        }
    };
    match &f.violations {
        Some(v) => r.run("the site saw no rule broken", "violations", {
            let seen = v();
            if seen.is_empty() {
                Ok(())
            } else {
                Err(seen.join("; "))
            }
        }),
        None => r.push(
            "the site saw no rule broken",
            "violations",
            CheckResult::Skipped("no violations in the fixture".into()),
        ),
    }
    r.run(
        "the report rebuilt from the journal is the run's",
        "always",
        rebuilt(&run, &journal),
    );
    r.run(
        "a resume of the finished run issues nothing",
        "always",
        resume_issues_nothing(f, &run, &journal).await,
    );
    r
}

const LATER: [(&str, &str); 4] = [
    ("a drill runs every item to done", "always"),
    ("the site saw no rule broken", "violations"),
    ("the report rebuilt from the journal is the run's", "always"),
    ("a resume of the finished run issues nothing", "always"),
];

fn skip_rest(mut r: Report, why: &str) -> Report {
    for (name, needs) in LATER {
        if !r.outcomes.iter().any(|o| o.name == name) {
            r.push(name, needs, CheckResult::Skipped(format!("{why}: not run")));
        }
    }
    r
}

async fn discover_and_plan(f: &DrillFixture) -> std::result::Result<failback_core::Plan, String> {
    let azure = f
        .recovery
        .discover()
        .await
        .map_err(|e| format!("recovery discover: {e}"))?;
    let onprem = f
        .onprem
        .discover()
        .await
        .map_err(|e| format!("on-prem discover: {e}"))?;
    let mut estate = Estate::combine(azure, onprem);
    if let Some(known) = &f.facts {
        estate = estate.supplement(known);
    }
    match failback_core::plan(&estate, &f.request) {
        Ok(PlanOutcome::Ready(p)) if p.runnable() => Ok(p),
        Ok(PlanOutcome::Ready(_)) => Err("the plan's schedule cannot be kept".into()),
        Ok(PlanOutcome::Refused(a)) => Err(format!(
            "planning refused: {} item(s) blocked: {}",
            a.blocked_count(),
            a.blockers()
                .take(5)
                .map(|x| format!("{} {}: {}", x.rule, x.subject, x.message))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Err(e) => Err(format!("planning: {e}")),
    }
}

fn orchestrator(
    f: &DrillFixture,
    recovery: Arc<dyn RecoveryProvider>,
    onprem: Arc<dyn OnPremProvider>,
) -> Orchestrator {
    let o = Orchestrator::new(recovery, onprem, f.clock.clone(), f.settings.clone());
    match &f.verifier {
        Some(v) => o.with_verifier(v.clone()),
        None => o,
    }
}

async fn run(
    f: &DrillFixture,
    plan: &failback_core::Plan,
    journal: &std::path::Path,
) -> std::result::Result<RunReport, String> {
    std::fs::create_dir_all(&f.dir).map_err(|e| format!("{}: {e}", f.dir.display()))?;
    match std::fs::remove_file(journal) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("{}: {e}", journal.display()))
        }
        _ => {}
    }
    let j = Journal::create(journal).map_err(|e| format!("journal: {e}"))?;
    orchestrator(f, f.recovery.clone(), f.onprem.clone())
        .run(plan, j, CancellationToken::new())
        .await
        .map_err(|e| format!("the run stopped: {e}"))
}

fn all_done(run: &RunReport, what: &str) -> std::result::Result<(), String> {
    let not_done: Vec<String> = run
        .items
        .iter()
        .filter(|o| o.status != ItemStatus::Done)
        .take(5)
        .map(|o| format!("{}: {:?}", o.item, o.status))
        .collect();
    if run.items.is_empty() {
        return Err(format!("{what} reported no item"));
    }
    if not_done.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: not done: {}", not_done.join("; ")))
    }
}

fn rebuilt(run: &RunReport, journal: &std::path::Path) -> std::result::Result<(), String> {
    let read = Journal::read(journal).map_err(|e| format!("{}: {e}", journal.display()))?;
    let mut again = RunReport::from_journal(&read.entries).map_err(|e| format!("rebuild: {e}"))?;
    let mut want = run.clone();
    // A rebuilt report lists holds in the order first reached; a run, in the order met.
    again.holds.sort_by(|a, b| a.hold.cmp(&b.hold));
    want.holds.sort_by(|a, b| a.hold.cmp(&b.hold));
    if again == want {
        return Ok(());
    }
    if let Some((a, b)) = again.items.iter().zip(&want.items).find(|(a, b)| a != b) {
        return Err(format!("item {}: rebuilt {a:?}, the run's {b:?}", b.item));
    }
    let (a, b) = (
        serde_json::to_value(&again).unwrap_or_default(),
        serde_json::to_value(&want).unwrap_or_default(),
    );
    Err(format!(
        "the rebuilt report differs from the run's at {}",
        first_difference(&a, &b, "")
    ))
}

/// The JSON path of the first difference between `a` and `b`, with both values.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> String {
    use serde_json::Value as V;
    match (a, b) {
        (V::Object(x), V::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return first_difference(v, w, &format!("{at}.{k}")),
                    None => return format!("{at}.{k}: only in the rebuilt report"),
                }
            }
            format!("{at}: keys only in the run's")
        }
        (V::Array(x), V::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map_or_else(
                || at.to_string(),
                |(k, (v, w))| first_difference(v, w, &format!("{at}[{k}]")),
            ),
        _ => format!("{at}: rebuilt {a}, the run's {b}"),
    }
}

async fn resume_issues_nothing(
    f: &DrillFixture,
    first: &RunReport,
    journal: &std::path::Path,
) -> std::result::Result<(), String> {
    let counter = Arc::new(Mutations::default());
    let recovery = Arc::new(Counted {
        inner: f.recovery.clone(),
        count: counter.clone(),
    });
    let onprem = Arc::new(CountedOnPrem {
        inner: f.onprem.clone(),
        count: counter.clone(),
    });
    let opened = Journal::open(journal).map_err(|e| format!("{}: {e}", journal.display()))?;
    let again = orchestrator(f, recovery, onprem)
        .resume(opened, CancellationToken::new())
        .await
        .map_err(|e| format!("the resume stopped: {e}"))?;
    let issued = counter.names();
    if !issued.is_empty() {
        return Err(format!(
            "the resume issued {} mutation(s): {}",
            issued.len(),
            issued.join(", ")
        ));
    }
    all_done(&again, "the resume")?;
    let stages = |r: &RunReport| -> Vec<_> {
        r.items
            .iter()
            .map(|o| (o.item.clone(), o.stages.clone()))
            .collect()
    };
    if stages(&again) != stages(first) {
        return Err("the resume reports other stages than the run did".into());
    }
    Ok(())
}

/// The mutations a resume issued, by call.
#[derive(Debug, Default)]
struct Mutations {
    calls: std::sync::Mutex<Vec<String>>,
    n: AtomicU64,
}

impl Mutations {
    fn note(&self, call: &str, on: &str) {
        self.n.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut c) = self.calls.lock() {
            if c.len() < 10 {
                c.push(format!("{call}({on})"));
            }
        }
    }
    fn names(&self) -> Vec<String> {
        let mut v = self.calls.lock().map(|c| c.clone()).unwrap_or_default();
        let n = self.n.load(Ordering::Relaxed) as usize;
        if n > v.len() {
            v.push(format!("… {} more", n - v.len()));
        }
        v
    }
}

/// A recovery provider that notes every mutation before passing it on.
#[derive(Debug)]
struct Counted {
    inner: Arc<dyn RecoveryProvider>,
    count: Arc<Mutations>,
}

#[async_trait]
impl RecoveryProvider for Counted {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn capability(&self) -> RecoveryCapability {
        self.inner.capability()
    }
    async fn discover(&self) -> Result<Estate> {
        self.inner.discover().await
    }
    async fn reprotect(&self, target: &Target, request: &ReprotectRequest) -> Result<JobId> {
        self.count.note("reprotect", &target.to_string());
        self.inner.reprotect(target, request).await
    }
    async fn failover(&self, target: &Target, request: &FailoverRequest) -> Result<JobId> {
        self.count.note("failover", &target.to_string());
        self.inner.failover(target, request).await
    }
    async fn commit(&self, target: &Target) -> Result<JobId> {
        self.count.note("commit", &target.to_string());
        self.inner.commit(target).await
    }
    async fn cancel(&self, job: &JobId) -> Result<()> {
        self.count.note("cancel", &job.to_string());
        self.inner.cancel(job).await
    }
    async fn cancel_failover(&self, target: &Target) -> Result<JobId> {
        self.count.note("cancel_failover", &target.to_string());
        self.inner.cancel_failover(target).await
    }
    async fn resume_job(&self, job: &JobId, comment: &str) -> Result<()> {
        self.count.note("resume_job", &job.to_string());
        self.inner.resume_job(job, comment).await
    }
    async fn job(&self, job: &JobId) -> Result<JobStatus> {
        self.inner.job(job).await
    }
    async fn find_jobs(&self, target: &Target, operation: Operation) -> Result<Vec<JobStatus>> {
        self.inner.find_jobs(target, operation).await
    }
    async fn protection_state(&self, item: &str) -> Result<ProtectionState> {
        self.inner.protection_state(item).await
    }
    async fn recovery_points(&self, item: &str) -> Result<Vec<RecoveryPoint>> {
        self.inner.recovery_points(item).await
    }
    async fn azure_vm_shut_down(&self, item: &str) -> Result<bool> {
        self.inner.azure_vm_shut_down(item).await
    }
}

/// An on-premises provider that notes every mutation before passing it on.
#[derive(Debug)]
struct CountedOnPrem {
    inner: Arc<dyn OnPremProvider>,
    count: Arc<Mutations>,
}

#[async_trait]
impl OnPremProvider for CountedOnPrem {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn capability(&self) -> OnPremCapability {
        self.inner.capability()
    }
    async fn discover(&self) -> Result<Estate> {
        self.inner.discover().await
    }
    async fn vm_runtime(&self, item: &str) -> Result<Option<VmRuntime>> {
        self.inner.vm_runtime(item).await
    }
    async fn create_vm(&self, spec: &VmSpec) -> Result<String> {
        self.count.note("create_vm", &spec.name);
        self.inner.create_vm(spec).await
    }
    async fn attach_disk(&self, vm: &str, disk_path: &str) -> Result<()> {
        self.count.note("attach_disk", vm);
        self.inner.attach_disk(vm, disk_path).await
    }
    async fn detach_disk(&self, vm: &str, disk_path: &str) -> Result<()> {
        self.count.note("detach_disk", vm);
        self.inner.detach_disk(vm, disk_path).await
    }
    async fn set_config_param(&self, vm: &str, key: &str, value: &str) -> Result<()> {
        self.count.note("set_config_param", vm);
        self.inner.set_config_param(vm, key, value).await
    }
    async fn set_power(&self, vm: &str, on: bool) -> Result<()> {
        self.count.note("set_power", vm);
        self.inner.set_power(vm, on).await
    }
}
