//! A drill: a whole failback against the lab site, from the estate (a file or a generated
//! spec) to the report files, and its resume from the journal.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use failback_core::bound::{cutover_lower_bounds, lower_bound, LowerBound};
use failback_core::estate::Flavor;
use failback_core::events::Event;
use failback_core::journal::{Entry, Journal, RunLock};
use failback_core::orchestrator::{
    CancellationToken, ItemOutcome, ItemStatus, Orchestrator, RunReport, RunSettings,
};
use failback_core::provider::{OnPremProvider, RecoveryProvider, Verifier};
use failback_core::runbook::CommitPolicy;
use failback_core::{Assessment, Estate, Plan, PlanOutcome, Request};
use failback_lab::generate::{self, Spec};
use failback_lab::{log_file, Faults, LabSettings, LabSite};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::http::{HttpRequests, Transport};
use crate::report::{self, Schedule, Totals, Written};
use crate::DrillError;

/// The run journal's file name in the output folder.
pub const JOURNAL_FILE: &str = "failback.journal";
/// The drill's lab description beside the journal, read by [`resume`].
pub const MANIFEST_FILE: &str = "failback.drill.json";
/// The `format` of the drill manifest.
pub const MANIFEST_FORMAT: &str = "failback-drill/1";
/// The lab's counters after a drill or a resume, in the output folder.
pub const COUNTERS_FILE: &str = "lab-counters.json";

/// The lab file of a drill's journal: `failback.journal` has `failback.lab.json` beside
/// it (and a journal set aside as `failback-RUNID.journal` has `failback-RUNID.lab.json`).
pub fn lab_file(journal: &Path) -> PathBuf {
    journal.with_extension("lab.json")
}

/// Pretty JSON of a value that serializes (the drill's own types always do).
pub fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// How much goes wrong in the lab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultLevel {
    /// A healthy site.
    #[default]
    None,
    /// A few transient errors and throttled calls, no job failure.
    Light,
    /// Transient errors, throttling, lost responses, call latency and 1% of jobs failing.
    Chaos,
}

impl FaultLevel {
    /// The faults of this level.
    pub fn faults(self) -> Faults {
        match self {
            FaultLevel::None => Faults::none(),
            FaultLevel::Light => Faults {
                transient: 0.02,
                throttle: 0.01,
                retry_after: Duration::from_secs(30),
                job_failure: 0.0,
                lost_response: 0.0,
                latency: Duration::from_millis(500),
            },
            FaultLevel::Chaos => Faults {
                transient: 0.05,
                throttle: 0.03,
                retry_after: Duration::from_secs(60),
                job_failure: 0.01,
                lost_response: 0.01,
                latency: Duration::from_secs(2),
            },
        }
    }
}

/// Where a drill's estate comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EstateSource {
    /// An estate document (JSON, `failback-estate/1`).
    File {
        /// Its path (made absolute, so that a resume from elsewhere finds it).
        path: PathBuf,
    },
    /// A generated healthy estate ([`failback_lab::generate`]).
    Generated {
        /// Its items.
        vms: usize,
        /// The generator's seed.
        seed: u64,
        /// Its ASR flavour (classic for a manifest written before it was chosen).
        #[serde(default = "classic")]
        flavor: Flavor,
    },
}

fn classic() -> Flavor {
    Flavor::Classic
}

/// What a drill's lab was built from, written beside the journal so that [`resume`] can
/// build the same lab again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// The estate.
    pub estate: EstateSource,
    /// The request.
    pub request: Request,
    /// The lab's faults.
    pub faults: FaultLevel,
    /// Simulated seconds per real second; `None`: discrete-event time.
    pub time_scale: Option<f64>,
    /// The seed of the lab's faults and job times, and of the retry jitter.
    pub seed: u64,
    /// The run went over HTTP ([`http::over_http`](crate::http::over_http)): its resume
    /// does too. Absent (false) for a drill in process.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub over_http: bool,
}

impl Manifest {
    /// The estate the drill runs.
    pub fn estate(&self) -> Result<Estate, failback_core::Error> {
        match &self.estate {
            EstateSource::File { path } => Estate::from_path(path),
            EstateSource::Generated { vms, seed, flavor } => Ok(generate::estate(
                &Spec::for_items(*vms).with_seed(*seed).with_flavor(*flavor),
            )),
        }
    }

    /// The lab site of the drill over `estate`. Call it inside the drill's runtime: a lab
    /// on discrete-event time reads the runtime's paused clock.
    pub fn lab(&self, estate: Estate) -> LabSite {
        let mut settings = LabSettings {
            seed: self.seed,
            faults: self.faults.faults(),
            ..LabSettings::default()
        };
        // Discrete-event time unless a time scale is asked for: the drill's figures then
        // depend on the model only, and it runs as fast as the CPU allows.
        match self.time_scale {
            Some(x) => settings.time_scale = x,
            None => settings.virtual_time = true,
        }
        LabSite::new(estate, settings)
    }

    /// The `failback drill` command that runs this drill again into `out`.
    pub fn command(&self, out: &Path) -> String {
        let mut c = String::from("failback drill");
        match &self.estate {
            EstateSource::File { path } => c.push_str(&format!(" --estate {}", path.display())),
            EstateSource::Generated { vms, flavor, .. } => {
                c.push_str(&format!(" --vms {vms}"));
                if *flavor == Flavor::Modernized {
                    c.push_str(" --flavor modernized");
                }
            }
        }
        c.push_str(&format!(" --seed {}", self.seed));
        if self.faults != FaultLevel::None {
            if let Ok(serde_json::Value::String(f)) = serde_json::to_value(self.faults) {
                c.push_str(&format!(" --faults {f}"));
            }
        }
        if let Some(x) = self.time_scale {
            c.push_str(&format!(" --time-scale {x}"));
        }
        if self.over_http {
            c.push_str(" --over-http");
        }
        c.push_str(&format!(" --out {}", out.display()));
        c
    }
}

/// The providers a drill's orchestrator talks to, over the drill's lab site.
#[derive(Debug, Clone)]
pub struct Providers {
    /// The recovery side.
    pub recovery: Arc<dyn RecoveryProvider>,
    /// The on-premises side.
    pub onprem: Arc<dyn OnPremProvider>,
    /// The verify gate's checks.
    pub verifier: Arc<dyn Verifier>,
    /// What the run goes through when it is not in process (the simulator and the
    /// adapter of [`http::over_http`](crate::http::over_http)): its requests go into the
    /// report, and it is kept serving while the run lasts. `None` in process.
    pub transport: Option<Transport>,
}

impl Providers {
    /// The lab site's own providers, called in process (the default).
    pub fn of(lab: &LabSite) -> Providers {
        Providers {
            recovery: lab.recovery(),
            onprem: lab.onprem(),
            verifier: lab.verifier(),
            transport: None,
        }
    }
}

type ConnectFn = dyn Fn(&LabSite) -> Result<Providers, DrillError> + Send + Sync;

/// How a drill reaches its lab site: given the site (built, restored or persisted by the
/// drill), the providers to run through. The default calls the lab in process; a drill
/// over HTTP serves the lab with a simulator and returns the adapters pointed at it; a
/// test wraps the lab's providers in [`failback_lab::faulty`]'s wrappers. It is called
/// inside the drill's runtime (it may spawn tasks), after the lab file is bound, before
/// the run; a resume calls it again over the restored lab.
#[derive(Clone)]
pub struct Connect(Arc<ConnectFn>);

impl Connect {
    /// Connect with `f`.
    pub fn new(
        f: impl Fn(&LabSite) -> Result<Providers, DrillError> + Send + Sync + 'static,
    ) -> Connect {
        Connect(Arc::new(f))
    }

    /// The lab site's own providers ([`Providers::of`]).
    pub fn in_process() -> Connect {
        Connect::new(|lab| Ok(Providers::of(lab)))
    }

    fn providers(&self, lab: &LabSite) -> Result<Providers, DrillError> {
        (self.0)(lab)
    }
}

impl Default for Connect {
    fn default() -> Connect {
        Connect::in_process()
    }
}

impl std::fmt::Debug for Connect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connect(..)")
    }
}

/// What planning a drill gave.
#[derive(Debug)]
pub enum Planned {
    /// A plan that can run.
    Ready(Box<Plan>),
    /// A blocker holds: the readiness report names each one.
    Refused(Box<Assessment>),
    /// The plan's shape cannot be kept (a cutover fitting no window, rollback on the
    /// classic flavour): its schedule findings say why.
    NotRunnable(Box<Plan>),
}

/// Follows a run from inside the drill's runtime: progress bars, a callback per event,
/// signals that cancel. Nothing by default.
pub trait Watch {
    /// Called when the run starts, inside the drill's runtime (so it may spawn tasks):
    /// `events` delivers the orchestrator's events, `cancel` stops the run (it lets the
    /// jobs in flight end, writes the report, and leaves the journal resumable). The task
    /// returned is awaited after the run, so that it sees every event.
    fn started(
        &mut self,
        plan: &Plan,
        events: broadcast::Receiver<Event>,
        cancel: CancellationToken,
    ) -> Option<JoinHandle<()>> {
        let _ = (plan, events, cancel);
        None
    }
}

/// A [`Watch`] that does nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unwatched;

impl Watch for Unwatched {}

/// How a run ended, for an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every item done (or, for a rehearsal with the `rollback` commit policy, rolled back).
    AllDone,
    /// Every item done or held where a person decides: `resume --continue` goes on.
    Held,
    /// Some item failed or did not finish.
    NotAllDone,
}

impl Outcome {
    /// The outcome of a run of `plan`.
    pub fn of(plan: &Plan, run: &RunReport) -> Outcome {
        let rehearsal = plan.request.commit == CommitPolicy::Rollback;
        let ended_well = |i: &ItemOutcome| match i.status {
            ItemStatus::Done => true,
            ItemStatus::RolledBack { .. } => rehearsal,
            _ => false,
        };
        if run.items.iter().all(ended_well) {
            Outcome::AllDone
        } else if run
            .items
            .iter()
            .all(|i| ended_well(i) || matches!(i.status, ItemStatus::Held { .. }))
        {
            Outcome::Held
        } else {
            Outcome::NotAllDone
        }
    }
}

/// A drill or resume that ran: what it did and the files it wrote.
#[derive(Debug)]
pub struct Finished {
    /// The plan run.
    pub plan: Plan,
    /// What the run did.
    pub run: RunReport,
    /// Its totals (the report's).
    pub totals: Totals,
    /// Its makespan against its lower bound.
    pub schedule: Schedule,
    /// The report files.
    pub written: Written,
    /// The lab's counters file (`None` for a report rebuilt from a journal, which has no
    /// lab to count).
    pub counters: Option<PathBuf>,
    /// The HTTP requests the run sent, when it went over HTTP.
    pub http: Option<HttpRequests>,
    /// The run journal.
    pub journal: PathBuf,
    /// Wall time of the run.
    pub wall: Duration,
    /// How it ended.
    pub outcome: Outcome,
}

/// A drill, built step by step, then planned and run.
///
/// ```no_run
/// use failback_drill::{Drill, EstateSource, Planned, Unwatched};
///
/// let drill = Drill::new(EstateSource::Generated {
///     vms: 50,
///     seed: 1,
///     flavor: failback_core::estate::Flavor::Classic,
/// })
/// .out("drill-out");
/// let Planned::Ready(plan) = drill.plan()? else { panic!("refused") };
/// let done = drill.run(*plan, &mut Unwatched)?;
/// println!("{} done, report in {}", done.totals.done, done.written.markdown.display());
/// # Ok::<(), failback_drill::DrillError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Drill {
    manifest: Manifest,
    concurrency: usize,
    dry_run: bool,
    out: PathBuf,
    crash_at_record: Option<u64>,
    fail_lab_write_at: Option<u64>,
    connect: Connect,
}

impl Drill {
    /// A drill of `estate` with the default request, no faults, discrete-event time, seed
    /// 1, the orchestrator's default concurrency, into the current folder.
    pub fn new(estate: EstateSource) -> Drill {
        let estate = match estate {
            EstateSource::File { path } => EstateSource::File {
                path: std::path::absolute(&path).unwrap_or(path),
            },
            other => other,
        };
        Drill {
            manifest: Manifest {
                format: MANIFEST_FORMAT.to_string(),
                estate,
                request: Request::default(),
                faults: FaultLevel::None,
                time_scale: None,
                seed: 1,
                over_http: false,
            },
            concurrency: RunSettings::default().concurrency,
            dry_run: false,
            out: PathBuf::from("."),
            crash_at_record: None,
            fail_lab_write_at: None,
            connect: Connect::default(),
        }
    }

    /// How the run reaches the lab site (default: [`Connect::in_process`]): the same
    /// drill over other providers, an HTTP simulator's adapters or fault wrappers.
    pub fn connect(mut self, connect: Connect) -> Drill {
        self.connect = connect;
        self
    }

    /// Run over HTTP ([`http::over_http`](crate::http::over_http)): the lab served by the
    /// ASR simulator, the recovery side through the Azure adapter; on a scaled clock
    /// ([`http::DEFAULT_TIME_SCALE`](crate::http::DEFAULT_TIME_SCALE) unless a time scale
    /// is given). Recorded in the manifest, so the resume goes over HTTP too. The report
    /// shows the HTTP requests per item.
    pub fn over_http(mut self, yes: bool) -> Drill {
        self.manifest.over_http = yes;
        if yes {
            self.connect = crate::http::over_http();
            self.manifest
                .time_scale
                .get_or_insert(crate::http::DEFAULT_TIME_SCALE);
        }
        self
    }

    /// The request (default: every item, auto location, latest point).
    pub fn request(mut self, request: Request) -> Drill {
        self.manifest.request = request;
        self
    }

    /// The lab's faults.
    pub fn faults(mut self, faults: FaultLevel) -> Drill {
        self.manifest.faults = faults;
        self
    }

    /// Run on a clock scaled `x` times real time (at least 1) instead of discrete-event
    /// time.
    pub fn time_scale(mut self, x: Option<f64>) -> Drill {
        // Over HTTP the clock is scaled whatever is asked: discrete-event time cannot
        // wait for sockets.
        let http = self
            .manifest
            .over_http
            .then_some(crate::http::DEFAULT_TIME_SCALE);
        self.manifest.time_scale = x.or(http);
        self
    }

    /// The seed of the lab's faults and job times, and of the retry jitter.
    pub fn seed(mut self, seed: u64) -> Drill {
        self.manifest.seed = seed;
        self
    }

    /// Operations in flight at once, at most (an upper bound: the disk slots and the
    /// write rate decide the schedule below it).
    pub fn concurrency(mut self, n: usize) -> Drill {
        self.concurrency = n;
        self
    }

    /// Do everything but mutate: reads, checks, events and the report, no job started.
    pub fn dry_run(mut self, yes: bool) -> Drill {
        self.dry_run = yes;
        self
    }

    /// The folder of the report files and the run journal (created if missing).
    pub fn out(mut self, dir: impl Into<PathBuf>) -> Drill {
        self.out = dir.into();
        self
    }

    /// Testing aid: the run dies while writing its `k`-th journal record (torn in half),
    /// as a crash would; [`Drill::run`] then returns [`DrillError::Crashed`] and writes
    /// nothing more, leaving the journal and the lab file for [`resume`].
    pub fn crash_at_record(mut self, k: Option<u64>) -> Drill {
        self.crash_at_record = k;
        self
    }

    /// Testing aid: the `k`-th write of the lab file fails as a full disk or a read-only
    /// folder would; the run then stops with [`failback_core::Error::LocalWrite`], its
    /// items as they were and its journal resumable.
    pub fn fail_lab_write_at(mut self, k: Option<u64>) -> Drill {
        self.fail_lab_write_at = k;
        self
    }

    /// What the lab is built from.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn check(&self) -> Result<(), DrillError> {
        if let Some(x) = self.manifest.time_scale {
            if !(x.is_finite() && x >= 1.0) {
                return Err(DrillError::usage(format!(
                    "time scale {x}: give a number of at least 1 (simulated seconds per second)"
                )));
            }
        }
        if self.concurrency == 0 {
            return Err(DrillError::usage("concurrency 0: give at least 1"));
        }
        if let EstateSource::Generated { vms: 0, .. } = self.manifest.estate {
            return Err(DrillError::usage("0 generated items: give at least 1"));
        }
        Ok(())
    }

    /// Load (or generate) the estate, assess and plan it.
    pub fn plan(&self) -> Result<Planned, DrillError> {
        self.check()?;
        let estate = self.manifest.estate()?;
        Ok(
            match failback_core::plan(&estate, &self.manifest.request)? {
                PlanOutcome::Ready(p) if !p.runnable() => Planned::NotRunnable(Box::new(p)),
                PlanOutcome::Ready(p) => Planned::Ready(Box::new(p)),
                PlanOutcome::Refused(r) => Planned::Refused(Box::new(r)),
            },
        )
    }

    /// Run `plan` (from [`Drill::plan`]) against a new lab site over the estate: the
    /// journal, the lab file and the manifest go into the output folder (an earlier
    /// drill's journal there is set aside first), then the report files and the lab's
    /// counters.
    pub fn run(&self, plan: Plan, watch: &mut dyn Watch) -> Result<Finished, DrillError> {
        self.check()?;
        let out = &self.out;
        std::fs::create_dir_all(out).map_err(|e| DrillError::io(out, e))?;
        let journal_path = out.join(JOURNAL_FILE);
        // The run's lock first: a drill or resume still running in this folder refuses
        // this one, before its journal could be set aside under it.
        let lock = RunLock::acquire(&journal_path)?;
        set_aside_earlier_journal(&journal_path)?;
        let mut journal = Journal::create_locked(&journal_path, lock)?;
        if let Some(k) = self.crash_at_record {
            journal.crash_at_record(k);
        }
        let manifest_path = out.join(MANIFEST_FILE);
        std::fs::write(&manifest_path, to_json(&self.manifest))
            .map_err(|e| DrillError::io(&manifest_path, e))?;
        let estate = self.manifest.estate()?;
        let settings = RunSettings {
            concurrency: self.concurrency,
            dry_run: self.dry_run,
            seed: self.manifest.seed,
            ..RunSettings::default()
        };
        let rt = runtime(self.manifest.time_scale.is_none())?;
        // The lab's clock is made inside the runtime (a virtual clock reads its paused time).
        let _inside = rt.enter();
        let lab = self.manifest.lab(estate.clone());
        // Durable like real clouds: `resume` restores the lab from this file.
        lab.persist_to(lab_file(&journal_path))
            .map_err(|e| match e {
                // No record of the run yet: nothing to resume.
                failback_core::Error::LocalWrite { path, message } => {
                    failback_core::Error::RunNotStarted {
                        path,
                        source: std::io::Error::other(message),
                    }
                }
                other => other,
            })?;
        if let Some(k) = self.fail_lab_write_at {
            lab.fail_write_at(k);
        }
        let bound = lab_bound(&plan, &lab, &settings);
        let p = self.connect.providers(&lab)?;
        let transport = p.transport;
        let orch = Orchestrator::new(p.recovery, p.onprem, lab.clock(), settings)
            .with_verifier(p.verifier);
        drop(estate);
        let wall = Instant::now();
        let run = rt.block_on(async {
            let cancel = CancellationToken::new();
            let follower = watch.started(&plan, orch.subscribe(), cancel.clone());
            let run = orch.run(&plan, journal, cancel).await;
            drop(orch);
            if let Some(f) = follower {
                let _ = f.await;
            }
            run
        });
        let run = match run {
            Err(e @ failback_core::Error::JournalWrite { .. })
                if self.crash_at_record.is_some() =>
            {
                return Err(DrillError::Crashed(e.to_string()));
            }
            other => other?,
        };
        let http = transport.map(|t| t.requests(run.items.len()));
        finish(
            plan,
            run,
            &bound,
            out,
            &lab,
            journal_path,
            wall.elapsed(),
            http.as_ref(),
        )
    }
}

/// The options of [`resume`].
#[derive(Debug, Clone, Default)]
pub struct ResumeOptions {
    /// Release every hold the run reached and go on (the person's decision, journaled).
    /// Without it a resume stops again at every hold.
    pub proceed: bool,
    /// Folder of the report files; default: the journal's folder.
    pub out: Option<PathBuf>,
    /// How the resumed run reaches the restored lab site; default (`None`): as the drill
    /// did, over HTTP when its manifest says so, else in process.
    pub connect: Option<Connect>,
}

/// What [`resume`] did.
#[derive(Debug)]
pub enum Resumed {
    /// The journal's run had finished: nothing was run; its report was written again from
    /// the journal ([`report_journal`]), in case the process stopped before it did.
    AlreadyFinished(Box<Finished>),
    /// The run went on.
    Ran(Box<Finished>),
}

/// Continue the drill of `journal`.
///
/// A drill persists its lab site beside its journal ([`lab_file`]), as real clouds keep
/// their state: the lab is restored from that file (its items, its jobs with their ids,
/// its recovery points and counters, its clock at the simulated time saved), checked to
/// be the lab of the journal's run, and the run goes on from the journal: finished
/// operations are not touched, started jobs are polled again, an intent without a job
/// asks the lab for it. The report files and the counters are written as the drill does.
/// A journal with no lab file beside it is a real run's, which needs the provider
/// adapters: an error says so.
pub fn resume(
    journal: &Path,
    options: &ResumeOptions,
    watch: &mut dyn Watch,
) -> Result<Resumed, DrillError> {
    let dir = journal.parent().map(Path::to_path_buf).unwrap_or_default();
    let lab_path = lab_file(journal);
    if !lab_path.is_file() {
        if !journal.is_file() {
            return Err(DrillError::usage(format!(
                "{}: no such journal. Nothing was done. Give the path of a run's journal \
                 (failback.journal in the drill's --out folder)",
                journal.display()
            )));
        }
        let manifest_path = dir.join(MANIFEST_FILE);
        if manifest_path.is_file() {
            let again = std::fs::read_to_string(&manifest_path)
                .ok()
                .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
                .map(|m| format!(": {}", m.command(options.out.as_deref().unwrap_or(&dir))))
                .unwrap_or_default();
            return Err(DrillError::usage(format!(
                "{} is a drill's journal, but its lab file {} is missing (a drill of an \
                 older failback, or the file was moved): the lab cannot be restored. \
                 Nothing was done. Run the drill again{again}",
                journal.display(),
                lab_path.display()
            )));
        }
        return Err(DrillError::usage(format!(
            "{} has no lab file ({}) beside it, so it is the journal of a run against real \
             providers: resuming it needs both sides' providers, and while the Azure Site \
             Recovery one exists (failback-azure), the vSphere adapter's on-premises \
             provider (failback-vsphere) does not yet. Nothing was done.",
            journal.display(),
            lab_path.display()
        )));
    }
    // The run's lock before anything is read or restored: a second process on the run
    // is refused here, with nothing done.
    let lock = RunLock::acquire(journal)?;
    // Bytes, not text: a torn last record may end inside a multi-byte character (the
    // journal's reader drops it with a warning).
    let bytes = std::fs::read(journal).map_err(|e| DrillError::io(journal, e))?;
    let (_, finished) = journal_state(&String::from_utf8_lossy(&bytes));
    if finished {
        drop(lock);
        let done = report_journal(journal, options.out.as_deref())?;
        return Ok(Resumed::AlreadyFinished(Box::new(done)));
    }
    let out = options.out.clone().unwrap_or_else(|| dir.clone());
    std::fs::create_dir_all(&out).map_err(|e| DrillError::io(&out, e))?;
    let virtual_time = LabSite::saved_settings(&lab_path)?.virtual_time;
    let rt = runtime(virtual_time)?;
    let _inside = rt.enter();
    let lab = LabSite::restore(&lab_path)?;
    let opened = Journal::open_locked(journal, lock)?;
    let Some(Entry::RunStarted { plan, settings, .. }) = opened.entries.first() else {
        return Err(DrillError::usage(format!(
            "{} does not start with its run: nothing to resume",
            journal.display()
        )));
    };
    let plan: Plan = plan.as_ref().clone();
    same_run(journal, &opened.entries, &plan, &lab, &lab_path)?;
    let settings: RunSettings = settings.as_ref().clone();
    let bound = lab_bound(&plan, &lab, &settings);
    // The connection asked for, else the drill's own: over HTTP when its manifest says so.
    let connect = match &options.connect {
        Some(c) => c.clone(),
        None if drill_over_http(&dir) => crate::http::over_http(),
        None => Connect::in_process(),
    };
    let p = connect.providers(&lab)?;
    let transport = p.transport;
    let orch =
        Orchestrator::new(p.recovery, p.onprem, lab.clock(), settings).with_verifier(p.verifier);
    let wall = Instant::now();
    let run = rt.block_on(async {
        let cancel = CancellationToken::new();
        let follower = watch.started(&plan, orch.subscribe(), cancel.clone());
        let run = if options.proceed {
            orch.resume_and_continue(opened, cancel).await
        } else {
            orch.resume(opened, cancel).await
        };
        drop(orch);
        if let Some(f) = follower {
            let _ = f.await;
        }
        run
    })?;
    let http = transport.map(|t| t.requests(run.items.len()));
    let done = finish(
        plan,
        run,
        &bound,
        &out,
        &lab,
        journal.to_path_buf(),
        wall.elapsed(),
        http.as_ref(),
    )?;
    Ok(Resumed::Ran(Box::new(done)))
}

/// The runtime of a drill or a resume: one thread on a paused clock for a lab on virtual
/// time (its clock must be made inside it), else the multi-threaded runtime.
fn runtime(virtual_time: bool) -> Result<tokio::runtime::Runtime, DrillError> {
    let rt = if virtual_time {
        failback_core::clock::virtual_runtime()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            // Timers are checked at every scheduler tick, not every 61st: with every item's
            // task runnable and each tick holding an fsync, a 61-tick round takes a couple
            // of hundred milliseconds, hours of scaled time by which a sleeping retry
            // would wake late (past its stage deadline).
            .event_interval(1)
            .build()
    };
    rt.map_err(|e| DrillError::usage(format!("cannot start the async runtime: {e}")))
}

/// A run's lower bounds: its makespan's, and each wave's cutover's `(wave, seconds)`.
type Bounds = (LowerBound, Vec<(u32, u64)>);

/// The lower bounds of running `plan` on `lab` (the makespan's, and each wave's cutover's):
/// its items' own stage times and bytes, the lab's timing model and the run's write rate
/// (the plan carries its disk baseline).
fn lab_bound(plan: &Plan, lab: &LabSite, settings: &RunSettings) -> Bounds {
    let times = lab.plan_timing(plan);
    let model = &lab.settings().timing;
    (
        lower_bound(plan, &times, model, settings.writes_per_minute),
        cutover_lower_bounds(plan, &times, model, settings.writes_per_minute),
    )
}

/// Write the lab's counters (mutations per item and target, violations, faults) and what
/// persisting the lab cost into `out`.
fn write_counters(
    out: &Path,
    lab: &LabSite,
    http: Option<&HttpRequests>,
) -> Result<PathBuf, DrillError> {
    let counters = lab.counters();
    let persisted = lab.persisted();
    let v = serde_json::json!({
        "format": "failback-lab-counters/1",
        "clean": counters.clean(),
        "counters": counters,
        "lab_file": persisted.as_ref().map(|p| &p.path),
        "lab_writes": persisted.as_ref().map(|p| p.writes),
        "lab_last_write_bytes": persisted.as_ref().map(|p| p.last_bytes),
        "lab_bytes_written": persisted.as_ref().map(|p| p.bytes),
        "lab_snapshots": persisted.as_ref().map(|p| p.snapshots),
        "http_requests": http,
    });
    let path = out.join(COUNTERS_FILE);
    std::fs::write(&path, to_json(&v)).map_err(|e| DrillError::io(&path, e))?;
    Ok(path)
}

/// Whether the drill whose manifest is in `dir` went over HTTP (no or an unreadable
/// manifest: in process, as the lab file's restore then says what is wrong).
fn drill_over_http(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
        .is_some_and(|m| m.over_http)
}

/// Write the counters and the report files of a run that returned.
#[allow(clippy::too_many_arguments)]
fn finish(
    plan: Plan,
    run: RunReport,
    bound: &Bounds,
    out: &Path,
    lab: &LabSite,
    journal: PathBuf,
    wall: Duration,
    http: Option<&HttpRequests>,
) -> Result<Finished, DrillError> {
    let counters = write_counters(out, lab, http)?;
    let mut done = written_report(plan, run, Some(bound), out, journal, wall, http)?;
    done.counters = Some(counters);
    done.http = http.cloned();
    Ok(done)
}

/// Write the report files of `run` into `out`, with the run's totals, schedule against
/// its bounds (when known) and outcome: one path for a drill, a resume and a report
/// rebuilt from a journal.
fn written_report(
    plan: Plan,
    run: RunReport,
    bound: Option<&Bounds>,
    out: &Path,
    journal: PathBuf,
    wall: Duration,
    http: Option<&HttpRequests>,
) -> Result<Finished, DrillError> {
    let findings = plan.findings.clone();
    let d = report::Drill {
        plan: &plan,
        run: &run,
        findings: &findings,
        bound: bound.map(|b| &b.0),
        cutover_bounds: bound.map(|b| b.1.as_slice()).unwrap_or(&[]),
        http,
    };
    let written = report::write(out, &d)?;
    let schedule = Schedule::of(&d, &run.phase_spans(&plan));
    let totals = Totals::of(&run);
    let outcome = Outcome::of(&plan, &run);
    Ok(Finished {
        plan,
        run,
        totals,
        schedule,
        written,
        counters: None,
        http: None,
        journal,
        wall,
        outcome,
    })
}

/// Write the report of the run of `journal` into `out` (default: the journal's folder)
/// from the journal alone ([`RunReport::from_journal`]): for a run that finished, one
/// that was interrupted, or one still running (the journal is read without its lock and
/// nothing in it changes). The lower bounds are the drill's when its manifest is beside
/// the journal (the lab's timing is rebuilt from it), else left out.
pub fn report_journal(journal: &Path, out: Option<&Path>) -> Result<Finished, DrillError> {
    if !journal.is_file() {
        return Err(DrillError::usage(format!(
            "{}: no such journal. Give the path of a run's journal (failback.journal in the \
             drill's --out folder)",
            journal.display()
        )));
    }
    let dir = journal.parent().map(Path::to_path_buf).unwrap_or_default();
    let out = out.map(Path::to_path_buf).unwrap_or_else(|| dir.clone());
    std::fs::create_dir_all(&out).map_err(|e| DrillError::io(&out, e))?;
    let read = Journal::read(journal)?;
    let run = RunReport::from_journal(&read.entries).map_err(|e| match e {
        failback_core::Error::JournalCorrupt { line, message, .. } => {
            failback_core::Error::JournalCorrupt {
                path: journal.to_path_buf(),
                line,
                message,
            }
        }
        other => other,
    })?;
    let Some(Entry::RunStarted { plan, settings, .. }) = read.entries.first() else {
        return Err(DrillError::usage(format!(
            "{} does not start with its run: no run to report",
            journal.display()
        )));
    };
    let plan: Plan = plan.as_ref().clone();
    let bound = drill_bound(&dir, &plan, settings)?;
    written_report(
        plan,
        run,
        bound.as_ref(),
        &out,
        journal.to_path_buf(),
        Duration::ZERO,
        // The journal does not count requests: a report rebuilt from it has none.
        None,
    )
}

/// The lower bounds of a drill's run from the manifest in `dir`: the lab the drill built
/// (its timing depends on the estate and the seed only), no lab file read. `None` with no
/// manifest (a real run's journal).
fn drill_bound(
    dir: &Path,
    plan: &Plan,
    settings: &RunSettings,
) -> Result<Option<Bounds>, DrillError> {
    let path = dir.join(MANIFEST_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        DrillError::usage(format!(
            "{}: not a drill manifest ({e}); move it away to report without the lower bounds",
            path.display()
        ))
    })?;
    let settings: &RunSettings = settings;
    let estate = manifest.estate()?;
    let rt = runtime(true)?;
    let _inside = rt.enter();
    let lab = LabSite::new(
        estate,
        LabSettings {
            seed: manifest.seed,
            virtual_time: true,
            ..LabSettings::default()
        },
    );
    Ok(Some(lab_bound(plan, &lab, settings)))
}

/// A journal left in the same folder by an earlier drill (finished, or interrupted) is
/// renamed to `failback-RUNID.journal`, its lab file to `failback-RUNID.lab.json` (an
/// interrupted one stays resumable there, and a note on stderr says where); any other
/// unfinished journal (a real run's) stops the drill.
fn set_aside_earlier_journal(path: &Path) -> Result<(), DrillError> {
    // Bytes, not text: a torn last record may end inside a multi-byte character.
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(DrillError::io(path, e)),
    };
    let (run_id, finished) = journal_state(&text);
    let drill = path.with_file_name(MANIFEST_FILE).is_file();
    if !finished && !drill {
        return Err(DrillError::usage(format!(
            "{} holds the unfinished run {run_id}, not a drill's; resume it, give another \
             --out folder, or move it away",
            path.display()
        )));
    }
    let safe: String = run_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let aside = path.with_file_name(format!("failback-{safe}.journal"));
    std::fs::rename(path, &aside).map_err(|e| {
        DrillError::usage(format!(
            "cannot move the earlier journal {} aside: {e}",
            path.display()
        ))
    })?;
    // Its lab goes with it (the snapshot and its log), so the journal set aside can
    // still be resumed.
    let lab = lab_file(path);
    let moves = [
        (lab.clone(), lab_file(&aside)),
        (log_file(&lab), log_file(&lab_file(&aside))),
    ];
    for (from, to) in moves {
        if from.is_file() {
            std::fs::rename(&from, &to).map_err(|e| {
                DrillError::usage(format!(
                    "cannot move the earlier lab file {} aside: {e}",
                    from.display()
                ))
            })?;
        }
    }
    if !finished {
        eprintln!(
            "note: the earlier drill's unfinished journal is now {} (resume it with \
             `failback resume {}`)",
            aside.display(),
            aside.display()
        );
    }
    Ok(())
}

/// Refuse a lab file that is not the lab of the journal's run (another drill's, copied or
/// renamed beside it): its estate must be the plan's, hold every planned item, and know
/// every job the journal started, on the same target. Checked before any call, so the
/// lab is left as it was.
fn same_run(
    journal: &Path,
    entries: &[Entry],
    plan: &Plan,
    lab: &LabSite,
    lab_path: &Path,
) -> Result<(), DrillError> {
    let refuse = |why: String| {
        DrillError::usage(format!(
            "{} is not the lab of the run in {}: {why}; resume with the lab file that drill \
             wrote beside this journal. Nothing was done.",
            lab_path.display(),
            journal.display()
        ))
    };
    let estate = lab.estate();
    if let Some(name) = &plan.estate {
        if estate.name.as_deref() != Some(name.as_str()) {
            return Err(refuse(format!(
                "the run's estate is \"{name}\", the lab's is \"{}\"",
                estate.name.as_deref().unwrap_or("(unnamed)")
            )));
        }
    }
    let known: std::collections::HashSet<&str> =
        estate.items.iter().map(|i| i.id.as_str()).collect();
    if let Some(missing) = plan
        .units
        .iter()
        .flat_map(|u| &u.items)
        .find(|i| !known.contains(i.item.as_str()))
    {
        return Err(refuse(format!("the lab has no item {}", missing.item)));
    }
    for e in entries {
        if let Entry::JobStarted { op, job, .. } = e {
            match lab.job_target(job) {
                Some(t) if t == op.target => {}
                Some(t) => {
                    return Err(refuse(format!(
                        "the journal's job {} is on {:?} there, not on {:?}",
                        job.0, t, op.target
                    )))
                }
                None => {
                    return Err(refuse(format!(
                        "the journal's job {} (on {:?}) is unknown to it",
                        job.0, op.target
                    )))
                }
            }
        }
    }
    Ok(())
}

/// The run id of a journal's text and whether its run finished (its last record is
/// `run_finished`). Damaged lines count as not finished.
pub fn journal_state(text: &str) -> (String, bool) {
    let record = |line: &str| -> Option<Entry> { failback_core::journal::parse_record(line).ok() };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let finished = lines
        .last()
        .and_then(|l| record(l))
        .is_some_and(|e| matches!(e, Entry::RunFinished { .. }));
    let run_id = lines
        .first()
        .and_then(|l| record(l))
        .and_then(|e| match e {
            Entry::RunStarted { run_id, .. } => Some(run_id),
            _ => None,
        })
        .unwrap_or_else(|| "(unknown)".to_string());
    (run_id, finished)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn fault_levels_grow() {
        assert!(!FaultLevel::None.faults().any());
        let (l, c) = (FaultLevel::Light.faults(), FaultLevel::Chaos.faults());
        assert!(l.any() && c.any());
        assert_eq!(l.job_failure, 0.0);
        assert!(c.job_failure > 0.0 && c.transient > l.transient);
    }

    #[test]
    fn manifest_round_trips() {
        let m = Manifest {
            format: MANIFEST_FORMAT.into(),
            estate: EstateSource::Generated {
                vms: 5,
                seed: 3,
                flavor: Flavor::Modernized,
            },
            request: Request::default(),
            faults: FaultLevel::Chaos,
            time_scale: Some(1e6),
            seed: 3,
            over_http: true,
        };
        let back: Manifest = serde_json::from_str(&to_json(&m)).unwrap();
        assert_eq!(back, m);
        // A manifest written before the flavour was chosen is classic.
        let mut old = serde_json::to_value(&m).unwrap();
        old["estate"].as_object_mut().unwrap().remove("flavor");
        let back: Manifest = serde_json::from_value(old).unwrap();
        assert!(matches!(
            back.estate,
            EstateSource::Generated {
                flavor: Flavor::Classic,
                ..
            }
        ));
    }

    #[test]
    fn a_finished_journal_is_set_aside_and_an_unfinished_one_refused() {
        let dir = std::env::temp_dir().join(format!("failback-aside-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(JOURNAL_FILE);
        let _ = std::fs::remove_file(&path);
        set_aside_earlier_journal(&path).unwrap();
        let mut j = Journal::create(&path).unwrap();
        j.append(&Entry::Intent {
            op: failback_core::journal::OpKey::new(
                failback_core::provider::Target::Item("a".into()),
                failback_core::request::Stage::Reprotect,
            ),
            at: chrono::Utc::now(),
        })
        .unwrap();
        let err = set_aside_earlier_journal(&path).unwrap_err().to_string();
        assert!(err.contains("unfinished"), "{err}");
        j.append(&Entry::RunFinished {
            at: chrono::Utc::now(),
        })
        .unwrap();
        drop(j);
        set_aside_earlier_journal(&path).unwrap();
        assert!(!path.exists());
        assert!(dir.join("failback-_unknown_.journal").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unfinished_drill_journal_is_set_aside() {
        let dir = std::env::temp_dir().join(format!("failback-aside2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(JOURNAL_FILE);
        std::fs::write(dir.join(MANIFEST_FILE), "{}").unwrap();
        let mut j = Journal::create(&path).unwrap();
        j.append(&Entry::RunFinished {
            at: chrono::Utc::now(),
        })
        .unwrap();
        j.append(&Entry::Intent {
            op: failback_core::journal::OpKey::new(
                failback_core::provider::Target::Item("a".into()),
                failback_core::request::Stage::Reprotect,
            ),
            at: chrono::Utc::now(),
        })
        .unwrap();
        drop(j);
        set_aside_earlier_journal(&path).unwrap();
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
