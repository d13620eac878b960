//! `failback drill`, `failback resume` and `failback run`: the options, the calls into
//! `failback-drill`, the progress bars and signals while it runs, and what is printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use failback_core::estate::Flavor;
use failback_core::events::Event;
use failback_core::orchestrator::{CancellationToken, ItemStatus, RunReport, RunSettings};
use failback_core::Plan;
use failback_drill::report::{self, Totals, Written};
use failback_drill::{
    Drill, DrillError, EstateSource, FaultLevel as LabFaults, Finished, Planned, ResumeOptions,
    Resumed, Watch,
};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::progress::{self, Progress};
use crate::{Format, BAD_INPUT, BLOCKED, HELD, NOT_ALL_DONE, READY};

/// Testing aid: `FAILBACK_CRASH_AT_RECORD=k failback drill …` makes the drill die while
/// writing the k-th journal record (torn in half), as a crash would, with exit code
/// [`CRASHED`]; its journal and lab file are left for `failback resume`.
pub const CRASH_ENV: &str = "FAILBACK_CRASH_AT_RECORD";
/// Exit code of a drill killed by [`CRASH_ENV`].
pub const CRASHED: u8 = 9;
/// Testing aid: `FAILBACK_LAB_WRITE_FAIL_AT=k failback drill …` makes the k-th write of
/// the lab file fail, as a full disk or a read-only folder would (which root ignores):
/// the run stops, no item fails, and `failback resume` finishes it.
pub const LAB_WRITE_FAIL_ENV: &str = "FAILBACK_LAB_WRITE_FAIL_AT";

type CliResult = Result<u8, Box<dyn std::error::Error>>;

/// The number of a testing aid's variable (`name`), when set.
fn env_number(name: &str) -> Result<Option<u64>, Box<dyn std::error::Error>> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&k| k > 0)
            .map(Some)
            .ok_or_else(|| format!("{name}={v}: give a number of at least 1").into()),
        Err(_) => Ok(None),
    }
}

/// How much goes wrong in the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FaultLevel {
    /// A healthy site.
    None,
    /// A few transient errors and throttled calls, no job failure.
    Light,
    /// Transient errors, throttling, lost responses, call latency and 1% of jobs failing.
    Chaos,
}

impl From<FaultLevel> for LabFaults {
    fn from(f: FaultLevel) -> LabFaults {
        match f {
            FaultLevel::None => LabFaults::None,
            FaultLevel::Light => LabFaults::Light,
            FaultLevel::Chaos => LabFaults::Chaos,
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
    /// Run the recovery side through the Azure Site Recovery adapter over HTTP, against
    /// the ASR simulator serving the lab on a loopback port (the real REST protocol,
    /// requests per item in the report); on a scaled clock, 2000 unless --time-scale is
    /// given. Its resume goes over HTTP too.
    #[arg(long)]
    over_http: bool,
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
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

/// Progress bars and signals: Ctrl-C (SIGINT) or SIGTERM cancels the run.
struct Terminal {
    bars: bool,
}

impl Watch for Terminal {
    fn started(
        &mut self,
        plan: &Plan,
        events: broadcast::Receiver<Event>,
        cancel: CancellationToken,
    ) -> Option<JoinHandle<()>> {
        cancel_on_signals(cancel);
        self.bars.then(|| Progress::new(plan, true).follow(events))
    }
}

/// A drill error as the command line reports it: the request's text places an error of
/// the request at its line.
fn cli_error(e: DrillError, request_text: &str) -> Box<dyn std::error::Error> {
    match e {
        DrillError::Core(e) => Box::new(e.placed_in("request", request_text)),
        other => Box::new(other),
    }
}

/// `failback drill`.
pub fn drill(args: DrillArgs) -> CliResult {
    let source = match (&args.estate, args.vms) {
        (Some(p), _) if args.flavor.is_some() => {
            return Err(format!(
                "--flavor with --estate {}: the estate file says its flavour (field `flavor`); give --flavor with --vms only",
                p.display()
            )
            .into())
        }
        (Some(p), _) => EstateSource::File { path: p.clone() },
        (None, Some(0)) => return Err("--vms 0: give at least 1 item".into()),
        (None, Some(vms)) => EstateSource::Generated {
            vms,
            seed: args.seed,
            flavor: args.flavor.unwrap_or_default().into(),
        },
        (None, None) => return Err("give --estate ESTATE.json or --vms N".into()),
    };
    if let Some(x) = args.time_scale {
        if !(x.is_finite() && x >= 1.0) {
            return Err(format!(
                "--time-scale {x}: give a number of at least 1 (simulated seconds per second)"
            )
            .into());
        }
    }
    if args.concurrency == 0 {
        return Err("--concurrency 0: give at least 1".into());
    }
    let (request, text) = crate::load_request(&args.request)?;
    let crash = env_number(CRASH_ENV)?;
    let fail_write = env_number(LAB_WRITE_FAIL_ENV)?;
    let drill = Drill::new(source)
        .request(request)
        .faults(args.faults.into())
        .time_scale(args.time_scale)
        .seed(args.seed)
        .concurrency(args.concurrency)
        .dry_run(args.dry_run)
        .over_http(args.over_http)
        .out(&args.out)
        .crash_at_record(crash)
        .fail_lab_write_at(fail_write);
    let plan = match drill.plan().map_err(|e| cli_error(e, &text))? {
        Planned::Ready(p) => *p,
        Planned::NotRunnable(p) => {
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
        Planned::Refused(report) => {
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
    let mut watch = Terminal {
        bars: progress::visible(args.quiet),
    };
    match drill.run(plan, &mut watch) {
        Ok(done) => Ok(print_finished(&done, args.format)),
        Err(DrillError::Crashed(why)) => {
            // The test hook's crash: die now, no report, as a killed process would.
            eprintln!("simulated crash ({CRASH_ENV}): {why}");
            std::process::exit(i32::from(CRASHED));
        }
        Err(e) => Err(cli_error(e, &text)),
    }
}

/// `failback resume`: continue the run of a journal ([`failback_drill::resume`]). A
/// finished journal has nothing left to do (exit 0).
pub fn resume(args: ResumeArgs) -> CliResult {
    let options = ResumeOptions {
        proceed: args.proceed,
        out: args.out.clone(),
        ..ResumeOptions::default()
    };
    let mut watch = Terminal {
        bars: progress::visible(args.quiet),
    };
    match failback_drill::resume(&args.journal, &options, &mut watch)? {
        Resumed::AlreadyFinished(done) => {
            if args.format == Format::Table {
                println!(
                    "{}: run {} finished; nothing to resume (its report was written again from the journal)",
                    args.journal.display(),
                    done.run.run_id
                );
            }
            Ok(print_finished(&done, args.format))
        }
        Resumed::Ran(done) => Ok(print_finished(&done, args.format)),
    }
}

/// The options of `failback report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The run journal (`failback.journal`) of a finished, interrupted or running run.
    journal: PathBuf,
    /// Folder of the report files; default: the journal's folder.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `failback report`: the report files of a run from its journal alone
/// ([`failback_drill::report_journal`]), with the run's exit code.
pub fn report(args: ReportArgs) -> CliResult {
    let done = failback_drill::report_journal(&args.journal, args.out.as_deref())?;
    Ok(print_finished(&done, args.format))
}

/// Print the summary of a run that returned, and choose the exit code.
fn print_finished(done: &Finished, format: Format) -> u8 {
    let code = match done.outcome {
        failback_drill::Outcome::AllDone => READY,
        failback_drill::Outcome::Held => HELD,
        failback_drill::Outcome::NotAllDone => NOT_ALL_DONE,
    };
    match format {
        Format::Json => println!(
            "{}",
            crate::to_json(&serde_json::json!({
                "run_id": done.run.run_id,
                "dry_run": done.run.dry_run,
                "totals": done.totals,
                "wall_seconds": done.wall.as_secs_f64(),
                "http_requests": done.http,
                "files": {
                    "markdown": done.written.markdown,
                    "json": done.written.json,
                    "svg": done.written.svg,
                    "journal": done.journal,
                },
                "exit_code": code,
            }))
        ),
        Format::Table => print!(
            "{}",
            summary(
                &done.plan,
                &done.run,
                &done.totals,
                &done.schedule,
                &done.written,
                &done.journal,
                done.wall
            ) + &http_line(done.http.as_ref())
        ),
    }
    code
}

/// The summary's line of the HTTP requests of a run over HTTP (empty in process).
fn http_line(h: Option<&failback_drill::http::HttpRequests>) -> String {
    h.map(|h| {
        format!(
            "over HTTP: {} requests, {:.1} per item ({} GET, {} PUT, {} POST; {} retries, {} throttled)\n",
            h.total, h.per_item, h.get, h.put, h.post, h.retries, h.throttled
        )
    })
    .unwrap_or_default()
}

/// Cancel `c` on Ctrl-C (SIGINT) or SIGTERM: the run stops issuing operations,
/// lets the jobs in flight end, and writes its report; the journal stays resumable.
fn cancel_on_signals(c: CancellationToken) {
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
    let wall = if wall.is_zero() {
        String::new()
    } else {
        format!(" ({:.1} s wall)", wall.as_secs_f64())
    };
    out.push_str(&format!(
        "{} of estate \"{}\": {} items, {} done, {} failed, {} pending{} in {} of simulated time{}\n",
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
        wall
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

/// `failback run`: the on-premises provider of the vSphere adapter is not written yet.
pub fn run_real(args: RunArgs) -> CliResult {
    let _ = (&args.request, &args.out);
    eprintln!(
        "error: `failback run` needs both sides' providers: the Azure Site Recovery one \
         exists (failback-azure; `failback discover azure` reads a vault), the vSphere \
         adapter's on-premises provider (failback-vsphere) does not yet. Nothing was done. \
         Rehearse the same failback against the in-memory lab site with \
         `failback drill --estate {}` (`--over-http` runs its recovery side through the \
         Azure adapter).",
        args.estate.display()
    );
    Ok(BAD_INPUT)
}
