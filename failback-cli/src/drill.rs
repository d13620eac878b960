//! `failback drill`, `failback resume` and `failback run`: a whole failback run against
//! the in-memory lab site, with progress bars, the run journal and the drill report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use failback_core::bound::{cutover_lower_bounds, lower_bound, LowerBound};
use failback_core::estate::Flavor;
use failback_core::journal::{Entry, Journal};
use failback_core::orchestrator::{
    CancellationToken, ItemStatus, Orchestrator, RunReport, RunSettings,
};
use failback_core::rules::Finding;
use failback_core::{Estate, Plan, PlanOutcome, Request};
use failback_lab::generate::{self, Spec};
use failback_lab::{log_file, Faults, LabSettings, LabSite};
use serde::{Deserialize, Serialize};

use crate::progress::{self, Progress};
use crate::report::{self, Drill, Totals, Written};
use crate::{Format, BAD_INPUT, BLOCKED, HELD, NOT_ALL_DONE, READY};

/// The run journal's file name in the output folder.
pub const JOURNAL_FILE: &str = "failback.journal";
/// The drill's lab description beside the journal, read by `failback resume`.
pub const MANIFEST_FILE: &str = "failback.drill.json";
/// The `format` of the drill manifest.
const MANIFEST_FORMAT: &str = "failback-drill/1";
/// The lab's counters after a drill or a resume, in the output folder.
pub const COUNTERS_FILE: &str = "lab-counters.json";
/// Testing aid: `FAILBACK_CRASH_AT_RECORD=k failback drill …` makes the drill die while
/// writing the k-th journal record (torn in half), as a crash would, with exit code
/// [`CRASHED`]; its journal and lab file are left for `failback resume`.
pub const CRASH_ENV: &str = "FAILBACK_CRASH_AT_RECORD";
/// Exit code of a drill killed by [`CRASH_ENV`].
pub const CRASHED: u8 = 9;

/// The lab file of a drill's journal: `failback.journal` has `failback.lab.json` beside
/// it (and a journal set aside as `failback-RUNID.journal` has `failback-RUNID.lab.json`).
pub fn lab_file(journal: &Path) -> PathBuf {
    journal.with_extension("lab.json")
}

/// The record number of [`CRASH_ENV`], when set.
fn crash_at() -> Result<Option<u64>, Box<dyn std::error::Error>> {
    match std::env::var(CRASH_ENV) {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&k| k > 0)
            .map(Some)
            .ok_or_else(|| {
                usage(format!(
                    "{CRASH_ENV}={v}: give a record number of at least 1"
                ))
            }),
        Err(_) => Ok(None),
    }
}

/// Write the lab's counters (mutations per item and target, violations, faults) and what
/// persisting the lab cost into `out`.
fn write_counters(out: &Path, lab: &LabSite) -> Result<PathBuf, Box<dyn std::error::Error>> {
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
    });
    let path = out.join(COUNTERS_FILE);
    std::fs::write(&path, crate::to_json(&v))
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

type CliResult = Result<u8, Box<dyn std::error::Error>>;

/// How much goes wrong in the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultLevel {
    /// A healthy site.
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

/// The options of `failback drill`.
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["estate", "vms"]))]
pub struct DrillArgs {
    /// The estate document (JSON, failback-estate/1).
    #[arg(long)]
    estate: Option<PathBuf>,
    /// Generate a healthy estate of N items instead (deterministic for a seed).
    #[arg(long, value_name = "N")]
    vms: Option<usize>,
    /// Seed of the generated estate, of the lab's faults and job times, and of the retry
    /// jitter.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The ASR flavour of the generated estate (with --vms); default: classic.
    #[arg(long, value_enum)]
    flavor: Option<GenFlavor>,
    /// A request document (JSON, failback-request/1); default: every item, auto
    /// location, latest point.
    #[arg(long)]
    request: Option<PathBuf>,
    /// Folder of the report files and the run journal (created if missing).
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// How much faster than real time the lab's jobs run (simulated seconds per second);
    /// default: the lab's.
    #[arg(long, value_name = "X")]
    time_scale: Option<f64>,
    /// Operations in flight at once, at most (an upper bound: the master targets' disk
    /// slots and the write rate decide the schedule below it).
    #[arg(long, default_value_t = RunSettings::default().concurrency)]
    concurrency: usize,
    /// Faults injected by the lab.
    #[arg(long, value_enum, default_value_t = FaultLevel::None)]
    faults: FaultLevel,
    /// Do everything but mutate: reads, checks, events and the report, no job started.
    #[arg(long)]
    dry_run: bool,
    /// No progress bars (they are hidden anyway when stdout is not a terminal).
    #[arg(long, short)]
    quiet: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The options of `failback resume`.
#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The run journal of the interrupted run (`failback.journal`).
    journal: PathBuf,
    /// Release every hold the run reached (a phase of `hold_after`, a held commit, a
    /// recovery plan's manual action, a failed classic verification) and go on: the
    /// person's decision, journaled. Without it a resume stops again at every hold.
    #[arg(long = "continue")]
    proceed: bool,
    /// Folder of the report files; default: the journal's folder.
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bars (they are hidden anyway when stdout is not a terminal).
    #[arg(long, short)]
    quiet: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The options of `failback run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The estate document.
    estate: PathBuf,
    /// A request document.
    #[arg(long)]
    request: Option<PathBuf>,
    /// Folder of the report files and the run journal.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// The ASR flavour of a generated estate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenFlavor {
    /// Configuration server, process servers and master targets.
    #[default]
    Classic,
    /// A replication appliance with reprotect agents.
    Modernized,
}

impl From<GenFlavor> for Flavor {
    fn from(f: GenFlavor) -> Flavor {
        match f {
            GenFlavor::Classic => Flavor::Classic,
            GenFlavor::Modernized => Flavor::Modernized,
        }
    }
}

/// Where a drill's estate came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum EstateSource {
    /// A file.
    File { path: PathBuf },
    /// Generated.
    Generated {
        vms: usize,
        seed: u64,
        /// Classic for a manifest written before the flavour was chosen.
        #[serde(default)]
        flavor: GenFlavor,
    },
}

/// What a drill's lab was built from, written beside the journal so that `failback
/// resume` can build the same lab again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Manifest {
    format: String,
    estate: EstateSource,
    request: Request,
    faults: FaultLevel,
    time_scale: Option<f64>,
    seed: u64,
}

/// A user error of the drill's options or files.
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

fn usage(msg: impl Into<String>) -> Box<dyn std::error::Error> {
    Box::new(Usage(msg.into()))
}

/// The runtime of a drill or a resume: one thread on a paused clock for a lab on virtual
/// time (its clock must be made inside it), else the multi-threaded runtime.
fn runtime(virtual_time: bool) -> Result<tokio::runtime::Runtime, Box<dyn std::error::Error>> {
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
    rt.map_err(|e| usage(format!("cannot start the async runtime: {e}")))
}

impl Manifest {
    fn estate(&self) -> Result<Estate, failback_core::Error> {
        match &self.estate {
            EstateSource::File { path } => Estate::from_path(path),
            EstateSource::Generated { vms, seed, flavor } => Ok(generate::estate(
                &Spec::for_items(*vms)
                    .with_seed(*seed)
                    .with_flavor((*flavor).into()),
            )),
        }
    }

    fn lab(&self, estate: Estate) -> LabSite {
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
}

/// `failback drill`.
pub fn drill(args: DrillArgs) -> CliResult {
    if let Some(x) = args.time_scale {
        if !(x.is_finite() && x >= 1.0) {
            return Err(usage(format!(
                "--time-scale {x}: give a number of at least 1 (simulated seconds per second)"
            )));
        }
    }
    if args.concurrency == 0 {
        return Err(usage("--concurrency 0: give at least 1"));
    }
    if args.vms == Some(0) {
        return Err(usage("--vms 0: give at least 1 item"));
    }
    let source = match (&args.estate, args.vms) {
        (Some(p), _) if args.flavor.is_some() => {
            return Err(usage(format!(
                "--flavor with --estate {}: the estate file says its flavour (field `flavor`); give --flavor with --vms only",
                p.display()
            )))
        }
        (Some(p), _) => EstateSource::File {
            path: std::path::absolute(p).unwrap_or_else(|_| p.clone()),
        },
        (None, Some(vms)) => EstateSource::Generated {
            vms,
            seed: args.seed,
            flavor: args.flavor.unwrap_or_default(),
        },
        (None, None) => return Err(usage("give --estate ESTATE.json or --vms N")),
    };
    let (request, text) = crate::load_request(&args.request)?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_string(),
        estate: source,
        request,
        faults: args.faults,
        time_scale: args.time_scale,
        seed: args.seed,
    };
    let estate = manifest.estate()?;
    let plan = match failback_core::plan(&estate, &manifest.request)
        .map_err(|e| e.placed_in("request", &text))?
    {
        PlanOutcome::Ready(p) if !p.runnable() => {
            match args.format {
                Format::Json => println!(
                    "{}",
                    crate::to_json(
                        &serde_json::json!({"refused": true, "schedule_findings": p.schedule_findings})
                    )
                ),
                Format::Table => {
                    println!("drill refused: the run's shape cannot be kept\n");
                    for f in p.schedule_findings.iter().filter(|f| f.blocks) {
                        println!("  blocker  {}\n      fix: {}", f.message, f.remediation);
                    }
                }
            }
            return Ok(BLOCKED);
        }
        PlanOutcome::Ready(p) => p,
        PlanOutcome::Refused(report) => {
            match args.format {
                Format::Json => println!(
                    "{}",
                    crate::to_json(&serde_json::json!({"refused": true, "assessment": report}))
                ),
                Format::Table => {
                    println!("drill refused: a blocker holds\n");
                    print!("{}", crate::report_table(&report));
                }
            }
            return Ok(BLOCKED);
        }
    };

    std::fs::create_dir_all(&args.out)
        .map_err(|e| usage(format!("cannot create {}: {e}", args.out.display())))?;
    let journal_path = args.out.join(JOURNAL_FILE);
    set_aside_earlier_journal(&journal_path)?;
    let mut journal = Journal::create(&journal_path)?;
    let crash = crash_at()?;
    if let Some(k) = crash {
        journal.crash_at_record(k);
    }
    let manifest_path = args.out.join(MANIFEST_FILE);
    std::fs::write(&manifest_path, crate::to_json(&manifest))
        .map_err(|e| usage(format!("cannot write {}: {e}", manifest_path.display())))?;

    let settings = RunSettings {
        concurrency: args.concurrency,
        dry_run: args.dry_run,
        seed: args.seed,
        ..RunSettings::default()
    };
    let rt = runtime(manifest.time_scale.is_none())?;
    // The lab's clock is made inside the runtime (a virtual clock reads its paused time).
    let _inside = rt.enter();
    let lab = manifest.lab(estate.clone());
    // Durable like real clouds: `failback resume` restores the lab from this file.
    lab.persist_to(lab_file(&journal_path))?;
    let bound = lab_bound(&plan, &lab, &settings);
    let orch = Orchestrator::new(lab.recovery(), lab.onprem(), lab.clock(), settings)
        .with_estate(&estate)
        .with_verifier(lab.verifier());
    drop(estate);
    let visible = progress::visible(args.quiet);
    let wall = Instant::now();
    let run = rt.block_on(async {
        let cancel = interrupt_cancels();
        let bars = visible.then(|| Progress::new(&plan, true).follow(orch.subscribe()));
        let run = orch.run(&plan, journal, cancel).await;
        drop(orch);
        if let Some(bars) = bars {
            let _ = bars.await;
        }
        run
    });
    let run = match run {
        Err(e @ failback_core::Error::JournalWrite { .. }) if crash.is_some() => {
            // The test hook's crash: die now, no report, as a killed process would.
            eprintln!("simulated crash ({CRASH_ENV}): {e}");
            std::process::exit(i32::from(CRASHED));
        }
        other => other?,
    };
    write_counters(&args.out, &lab)?;
    let findings = plan.findings.clone();
    finish(
        &plan,
        &run,
        &findings,
        &bound,
        &args.out,
        &journal_path,
        wall.elapsed(),
        args.format,
    )
}

/// The lower bounds of running `plan` on `lab` (the makespan's, and each wave's cutover's):
/// its items' own stage times and bytes, the lab's timing model and the run's write rate
/// (the plan carries its disk baseline).
fn lab_bound(plan: &Plan, lab: &LabSite, settings: &RunSettings) -> (LowerBound, Vec<(u32, u64)>) {
    let times = lab.plan_timing(plan);
    let model = &lab.settings().timing;
    (
        lower_bound(plan, &times, model, settings.writes_per_minute),
        cutover_lower_bounds(plan, &times, model, settings.writes_per_minute),
    )
}

/// A journal left in the same folder by an earlier drill (finished, or interrupted) is
/// renamed to `failback-RUNID.journal`, its lab file to `failback-RUNID.lab.json` (an
/// interrupted one stays resumable there); any other unfinished journal (a real run's)
/// stops the drill.
fn set_aside_earlier_journal(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    // Bytes, not text: a torn last record may end inside a multi-byte character.
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(usage(format!("cannot read {}: {e}", path.display()))),
    };
    let (run_id, finished) = journal_state(&text);
    let drill = path.with_file_name(MANIFEST_FILE).is_file();
    if !finished && !drill {
        return Err(usage(format!(
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
        usage(format!(
            "cannot move the earlier journal {} aside: {e}",
            path.display()
        ))
    })?;
    // Its lab goes with it, so the journal set aside can still be resumed.
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
                usage(format!(
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

/// A token cancelled by Ctrl-C (SIGINT) or SIGTERM: the run stops issuing operations,
/// lets the jobs in flight end, and writes its report; the journal stays resumable.
fn interrupt_cancels() -> CancellationToken {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        let interrupted = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = interrupted => {}
            () = terminated() => {}
        }
        c.cancel();
    });
    cancel
}

/// Resolves when the process is asked to terminate (SIGTERM, as `kill` and service
/// managers send); never where there is no such signal.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            term.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await;
}

/// Write the report files, print the summary, and choose the exit code.
#[allow(clippy::too_many_arguments)]
fn finish(
    plan: &Plan,
    run: &RunReport,
    findings: &[Finding],
    bound: &(LowerBound, Vec<(u32, u64)>),
    out: &Path,
    journal: &Path,
    wall: Duration,
    format: Format,
) -> CliResult {
    let d = Drill {
        plan,
        run,
        findings,
        bound: Some(&bound.0),
        cutover_bounds: &bound.1,
    };
    let written = report::write(out, &d)?;
    let totals = Totals::of(run);
    // A rehearsal (commit policy rollback) ends well rolled back.
    let rehearsal = plan.request.commit == failback_core::runbook::CommitPolicy::Rollback;
    let ended_well = |i: &failback_core::orchestrator::ItemOutcome| match i.status {
        ItemStatus::Done => true,
        ItemStatus::RolledBack { .. } => rehearsal,
        _ => false,
    };
    let code = if run.items.iter().all(ended_well) {
        READY
    } else if run
        .items
        .iter()
        .all(|i| ended_well(i) || matches!(i.status, ItemStatus::Held { .. }))
    {
        HELD
    } else {
        NOT_ALL_DONE
    };
    match format {
        Format::Json => println!(
            "{}",
            crate::to_json(&serde_json::json!({
                "run_id": run.run_id,
                "dry_run": run.dry_run,
                "totals": totals,
                "wall_seconds": wall.as_secs_f64(),
                "files": {
                    "markdown": written.markdown,
                    "json": written.json,
                    "svg": written.svg,
                    "journal": journal,
                },
                "exit_code": code,
            }))
        ),
        Format::Table => print!(
            "{}",
            summary(
                plan,
                run,
                &totals,
                &report::Schedule::of(&d, &run.phase_spans(plan)),
                &written,
                journal,
                wall
            )
        ),
    }
    Ok(code)
}

fn summary(
    plan: &Plan,
    run: &RunReport,
    t: &Totals,
    sched: &report::Schedule,
    w: &Written,
    journal: &Path,
    wall: Duration,
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} of estate \"{}\": {} items, {} done, {} failed, {} pending{} in {} of simulated time ({:.1} s wall)\n",
        if run.dry_run { "dry-run drill" } else { "drill" },
        plan.estate.as_deref().unwrap_or("(unnamed)"),
        t.items,
        t.done,
        t.failed,
        t.pending,
        [(run.held(), "held"), (run.rolled_back(), "rolled back")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!(", {n} {w}"))
            .collect::<String>(),
        report::human_duration(t.elapsed_seconds),
        wall.as_secs_f64()
    ));
    let spread = |s: &report::Spread| match (s.median_seconds, s.worst_seconds) {
        (Some(m), Some(w)) => format!(
            "median {}, worst {}",
            report::human_duration(m),
            report::human_duration(w)
        ),
        _ => "not measured".to_string(),
    };
    out.push_str(&format!(
        "recovery time: {}; data loss: {}\n",
        spread(&t.recovery_time),
        spread(&t.data_loss)
    ));
    if let (Some(lb), Some(r)) = (sched.lower_bound_seconds, sched.makespan_over_lower_bound) {
        out.push_str(&format!(
            "makespan {} against a lower bound of {} ({r:.3}×, set by {})\n",
            report::human_duration(sched.makespan_seconds),
            report::human_duration(lb),
            sched.lower_bound_binding.as_deref().unwrap_or("-")
        ));
    }
    let not_done: Vec<_> = run
        .items
        .iter()
        .filter(|i| !matches!(i.status, ItemStatus::Done))
        .collect();
    if !not_done.is_empty() {
        out.push_str("not done:\n");
        for i in not_done.iter().take(20) {
            out.push_str(&format!("  {}: {}\n", i.item, report::cause(i)));
        }
        if not_done.len() > 20 {
            out.push_str(&format!(
                "  … and {} more in the report\n",
                not_done.len() - 20
            ));
        }
    }
    let after = run.items.iter().map(|i| i.findings.len()).sum::<usize>();
    if after > 0 {
        out.push_str(&format!(
            "{after} findings after failback (OPS-002, OPS-003): fixes in the report\n"
        ));
    }
    for warning in &run.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    out.push_str(&format!("report:   {}\n", w.markdown.display()));
    out.push_str(&format!("          {}\n", w.json.display()));
    out.push_str(&format!("timeline: {}\n", w.svg.display()));
    out.push_str(&format!("journal:  {}\n", journal.display()));
    if !run.holds.is_empty() {
        out.push_str("held for a person to decide:\n");
        for h in run.holds.iter().take(20) {
            out.push_str(&format!("  {}: {}\n", h.hold, h.reason));
        }
        if run.holds.len() > 20 {
            out.push_str(&format!(
                "  … and {} more in the report\n",
                run.holds.len() - 20
            ));
        }
        out.push_str(&format!(
            "go on with `failback resume --continue {}`\n",
            journal.display()
        ));
    }
    if t.pending > 0 {
        out.push_str(&format!(
            "interrupted: continue with `failback resume {}`\n",
            journal.display()
        ));
    }
    out
}

/// `failback run`: the real providers' adapters do not exist yet.
pub fn run_real(args: RunArgs) -> CliResult {
    let _ = (&args.estate, &args.request, &args.out);
    eprintln!(
        "error: `failback run` needs the Azure Site Recovery adapter (failback-azure) and the \
         vSphere adapter (failback-vsphere), and neither exists yet. Nothing was done. \
         Rehearse the same failback against the in-memory lab site with \
         `failback drill --estate {}`.",
        args.estate.display()
    );
    Ok(BAD_INPUT)
}

/// `failback resume`: continue the run of a journal.
///
/// A lab drill persists its lab site beside its journal ([`lab_file`]), as real clouds
/// keep their state: the lab is restored from that file (its items, its jobs with their
/// ids, its recovery points and counters, its clock at the simulated time saved), an
/// orchestrator is made on the restored lab's providers and clock, and
/// [`Orchestrator::resume`] continues the run from the journal: finished operations are
/// not touched, started jobs are polled again, an intent without a job asks the lab for
/// it. The drill report, the counters and the summary are written as the drill does. A
/// finished journal has nothing left to do (exit 0). A journal with no lab file beside it
/// is a real run's, which needs the provider adapters, which do not exist yet (exit 1).
pub fn resume(args: ResumeArgs) -> CliResult {
    let dir = args
        .journal
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let lab_path = lab_file(&args.journal);
    if !lab_path.is_file() {
        let manifest_path = dir.join(MANIFEST_FILE);
        if manifest_path.is_file() {
            let again = std::fs::read_to_string(&manifest_path)
                .ok()
                .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
                .map(|m| format!(": {}", m.command(args.out.as_deref().unwrap_or(&dir))))
                .unwrap_or_default();
            return Err(usage(format!(
                "{} is a drill's journal, but its lab file {} is missing (a drill of an \
                 older failback, or the file was moved): the lab cannot be restored. \
                 Nothing was done. Run the drill again{again}",
                args.journal.display(),
                lab_path.display()
            )));
        }
        return Err(usage(format!(
            "{} has no lab file ({}) beside it, so it is the journal of a run against real \
             providers: resuming it needs the Azure Site Recovery adapter (failback-azure) \
             and the vSphere adapter (failback-vsphere), and neither exists yet. Nothing \
             was done.",
            args.journal.display(),
            lab_path.display()
        )));
    }
    // Bytes, not text: a torn last record may end inside a multi-byte character (the
    // journal's reader drops it with a warning).
    let bytes = std::fs::read(&args.journal)
        .map_err(|e| usage(format!("cannot read {}: {e}", args.journal.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    let (run_id, finished) = journal_state(&text);
    if finished {
        println!(
            "{}: run {run_id} finished; nothing to resume (its report is beside the journal)",
            args.journal.display()
        );
        return Ok(READY);
    }
    let out = args.out.clone().unwrap_or_else(|| dir.clone());
    std::fs::create_dir_all(&out)
        .map_err(|e| usage(format!("cannot create {}: {e}", out.display())))?;
    let virtual_time = LabSite::saved_settings(&lab_path)?.virtual_time;
    let rt = runtime(virtual_time)?;
    let _inside = rt.enter();
    let lab = LabSite::restore(&lab_path)?;
    let opened = Journal::open(&args.journal)?;
    let Some(Entry::RunStarted { plan, settings, .. }) = opened.entries.first() else {
        return Err(usage(format!(
            "{} does not start with its run: nothing to resume",
            args.journal.display()
        )));
    };
    let plan: Plan = plan.as_ref().clone();
    same_run(&args.journal, &opened.entries, &plan, &lab, &lab_path)?;
    let settings: RunSettings = serde_json::from_value(settings.clone()).map_err(|e| {
        usage(format!(
            "{}: the run's settings cannot be read: {e}",
            args.journal.display()
        ))
    })?;
    let bound = lab_bound(&plan, &lab, &settings);
    let orch = Orchestrator::new(lab.recovery(), lab.onprem(), lab.clock(), settings)
        .with_estate(&lab.estate())
        .with_verifier(lab.verifier());
    let visible = progress::visible(args.quiet);
    let wall = Instant::now();
    let run = rt.block_on(async {
        let cancel = interrupt_cancels();
        let bars = visible.then(|| Progress::new(&plan, true).follow(orch.subscribe()));
        let run = if args.proceed {
            orch.resume_and_continue(opened, cancel).await
        } else {
            orch.resume(opened, cancel).await
        };
        drop(orch);
        if let Some(bars) = bars {
            let _ = bars.await;
        }
        run
    })?;
    write_counters(&out, &lab)?;
    let findings = plan.findings.clone();
    finish(
        &plan,
        &run,
        &findings,
        &bound,
        &out,
        &args.journal,
        wall.elapsed(),
        args.format,
    )
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
) -> Result<(), Box<dyn std::error::Error>> {
    let refuse = |why: String| {
        usage(format!(
            "{} is not the lab of the run in {}: {why}; resume with the lab file that drill              wrote beside this journal. Nothing was done.",
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
fn journal_state(text: &str) -> (String, bool) {
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

impl Manifest {
    /// The `failback drill` command that runs this drill again into `out`.
    fn command(&self, out: &Path) -> String {
        let mut c = String::from("failback drill");
        match &self.estate {
            EstateSource::File { path } => c.push_str(&format!(" --estate {}", path.display())),
            EstateSource::Generated { vms, flavor, .. } => {
                c.push_str(&format!(" --vms {vms}"));
                if *flavor == GenFlavor::Modernized {
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
        c.push_str(&format!(" --out {}", out.display()));
        c
    }
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
                flavor: GenFlavor::Modernized,
            },
            request: Request::default(),
            faults: FaultLevel::Chaos,
            time_scale: Some(1e6),
            seed: 3,
        };
        let back: Manifest = serde_json::from_str(&crate::to_json(&m)).unwrap();
        assert_eq!(back, m);
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
