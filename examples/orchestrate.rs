//! Orchestration benchmark on the lab site; prints figures for BENCHMARKS.md.
//!
//! ```text
//! # overhead: every job takes zero simulated time, on discrete-event time (the lab's
//! # waits cost no wall time): the orchestrator's own work and the journal's fsyncs, in
//! # items per second, and peak memory
//! cargo run --release -p failback-examples --example orchestrate -- overhead 10000 [JOURNAL_DIR]
//! # latency: every stage takes a fixed simulated time; achieved vs ideal makespan
//! cargo run --release -p failback-examples --example orchestrate -- latency 1000 [JOURNAL_DIR [TIME_SCALE]]
//! ```
//!
//! The journal goes to JOURNAL_DIR (default: the system temp folder); every record is
//! fsync'd, so the disk under it is part of what is measured. Run each size in its own
//! process: peak memory is the process's high-water mark.

use std::time::{Duration, Instant};

use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, Orchestrator, RunSettings};
use failback_core::{plan, Plan, PlanOutcome, Request};
use failback_lab::{fixed_timing, LabSettings, LabSite};

const CONCURRENCY: usize = 64;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// The ideal makespan: units in plan order on `slots` slots (what the orchestrator does),
/// each holding its slot for its reprotect and failover (`stage` each), then committing
/// and reprotecting to Azure (`stage` each) without a slot, as the orchestrator's tails
/// do.
fn ideal(plan: &Plan, slots: usize, stage: Duration) -> Duration {
    use failback_core::request::Stage;
    let mut free = vec![Duration::ZERO; slots.max(1)];
    let mut end = Duration::ZERO;
    let count = |u: &failback_core::readiness::UnitReport, which: &[Stage]| {
        u.items
            .iter()
            .map(|i| i.stages.iter().filter(|s| which.contains(&s.stage)).count())
            .max()
            .unwrap_or(0) as u32
    };
    for u in &plan.units {
        let held = count(u, &[Stage::Reprotect, Stage::Failover]);
        let tail = count(u, &[Stage::Commit, Stage::ReprotectToAzure]);
        let (slot, start) = free
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|(_, t)| *t)
            .unwrap_or((0, Duration::ZERO));
        let released = start + stage * held;
        free[slot] = released;
        end = end.max(released + stage * tail);
    }
    end
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("overhead");
    // The overhead runs on discrete-event time: the waits the lab's model imposes (polls,
    // the agent's re-registration, replication becoming healthy) are simulated time and
    // cost no wall time, so the wall time is the orchestrator's own work and the
    // journal's writes. The latency runs on a scaled clock, against the ideal.
    let rt = if mode == "overhead" {
        failback_core::clock::virtual_runtime()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
    };
    rt.block_on(run(args))
}

async fn run(args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let mode = args.get(1).map(String::as_str).unwrap_or("overhead");
    let items: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let dir = args
        .get(3)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let (stage, scale) = match mode {
        "overhead" => (Duration::ZERO, 1_000.0),
        "latency" => (
            Duration::from_secs(600),
            args.get(4)
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(2_000.0),
        ),
        other => return Err(format!("unknown mode {other}: overhead or latency").into()),
    };
    let lab = LabSite::generated(
        items,
        1,
        LabSettings {
            time_scale: scale,
            virtual_time: mode == "overhead",
            seed: 1,
            timing: fixed_timing(stage),
            ..LabSettings::default()
        },
    );
    let estate = lab.estate();
    let plan = match plan(&estate, &Request::default())? {
        PlanOutcome::Ready(p) => p,
        PlanOutcome::Refused(r) => {
            return Err(format!("{} items blocked", r.blocked_count()).into())
        }
    };
    let path = dir.join(format!(
        "orchestrate-{mode}-{items}-{}.journal",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let o = Orchestrator::new(
        lab.recovery(),
        lab.onprem(),
        lab.clock(),
        RunSettings {
            concurrency: CONCURRENCY,
            poll_initial: Duration::from_secs(1),
            // The overhead is the orchestrator's and the journal's, not the write rate's
            // (600 a minute by default would bind 4,000 writes to minutes of lab time).
            writes_per_minute: if mode == "overhead" {
                0
            } else {
                RunSettings::default().writes_per_minute
            },
            ..RunSettings::default()
        },
    );
    let rss_before = peak_rss_kib().unwrap_or(0);
    let wall = Instant::now();
    let report = o
        .run(&plan, Journal::create(&path)?, CancellationToken::new())
        .await?;
    let wall = wall.elapsed();
    let records = Journal::open(&path)?.entries.len();
    let _ = std::fs::remove_file(&path);
    let n = report.items.len();
    println!(
        "{mode}: {n} items ({} units, concurrency {CONCURRENCY}): {} done, {} failed",
        plan.units.len(),
        report.done(),
        report.failed()
    );
    println!(
        "  wall {:.2} s, {:.0} items/s, {records} journal records ({:.0} records/s), journal in {}, {}",
        wall.as_secs_f64(),
        n as f64 / wall.as_secs_f64(),
        records as f64 / wall.as_secs_f64(),
        dir.display(),
        if mode == "overhead" {
            "discrete-event time".to_string()
        } else {
            format!("time scale {scale}")
        }
    );
    println!(
        "  peak RSS {} MiB (before the run {} MiB)",
        peak_rss_kib().unwrap_or(0) / 1024,
        rss_before / 1024
    );
    let mut causes: std::collections::BTreeMap<String, usize> = Default::default();
    for it in &report.items {
        if let failback_core::orchestrator::ItemStatus::Failed { stage, cause, .. } = &it.status {
            let short: String = cause.chars().take(90).collect();
            *causes.entry(format!("{stage}: {short}")).or_default() += 1;
        }
    }
    for (c, k) in causes.iter().take(5) {
        println!("  failed {k}x: {c}");
    }
    if mode == "latency" {
        let achieved = (report.finished_at - report.started_at)
            .to_std()
            .unwrap_or_default();
        let best = ideal(&plan, CONCURRENCY, stage);
        let bound = failback_core::bound::lower_bound(
            &plan,
            &lab.plan_timing(&plan),
            &lab.settings().timing,
            RunSettings::default().writes_per_minute,
        );
        println!(
            "  simulated makespan {:.1} h, ideal {:.1} h ({} s per stage, {} slots): {:+.1}% over the ideal",
            achieved.as_secs_f64() / 3600.0,
            best.as_secs_f64() / 3600.0,
            stage.as_secs(),
            CONCURRENCY,
            (achieved.as_secs_f64() / best.as_secs_f64() - 1.0) * 100.0
        );
        println!(
            "  lower bound {:.1} h (set by {}): {:+.1}% over the lower bound",
            bound.seconds as f64 / 3600.0,
            bound.binding,
            (achieved.as_secs_f64() / bound.seconds.max(1) as f64 - 1.0) * 100.0
        );
    }
    Ok(())
}
