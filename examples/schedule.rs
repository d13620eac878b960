//! How close a drill's schedule comes to the fastest the resources allow: for generated
//! estates of each size given, a whole run against the default lab on discrete-event time
//! (in memory, no lab file), its makespan against the lower bound
//! ([`failback_core::bound::lower_bound`]) and each cutover wave's span against its own
//! ([`failback_core::bound::cutover_lower_bounds`]), with the wall time of the run.
//!
//! ```sh
//! cargo run --release -p failback-examples --example schedule -- 200 2000
//! cargo run --release -p failback-examples --example schedule -- --modernized 200
//! ```
//!
//! `--modernized` generates the modernized estates of the same seed (a replication
//! appliance with reprotect agents) instead of the classic ones.
//!
//! Figures recorded in `BENCHMARKS.md`. With `SCHEDULE_DEBUG` set, every stage of every
//! item goes to stderr as `wave item stage start end` (seconds from the run's start).

use std::collections::HashMap;
use std::error::Error;
use std::time::Instant;

use failback_core::bound::{cutover_lower_bounds, lower_bound};
use failback_core::clock::virtual_runtime;
use failback_core::estate::Flavor;
use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, Orchestrator, RunSettings};
use failback_core::runbook::Phase;
use failback_core::{plan, PlanOutcome, Request};
use failback_lab::generate::{self, Spec};
use failback_lab::{LabSettings, LabSite};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flavor = if args.iter().any(|a| a == "--modernized") {
        Flavor::Modernized
    } else {
        Flavor::Classic
    };
    let sizes: Vec<usize> = args
        .iter()
        .filter(|a| *a != "--modernized")
        .map(|a| {
            a.parse()
                .map_err(|e| format!("{a}: not a number of items: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![200, 2000]
    } else {
        sizes
    };
    println!("| items | waves | makespan | lower bound (binding) | makespan / bound | cutover span / bound per wave | wall |");
    println!("| ---: | ---: | ---: | --- | ---: | --- | ---: |");
    for n in sizes {
        let rt = virtual_runtime()?;
        let row = rt.block_on(one(n, flavor))?;
        println!("{row}");
    }
    Ok(())
}

fn hm(secs: u64) -> String {
    format!("{}h {:02}m", secs / 3600, secs % 3600 / 60)
}

async fn one(n: usize, flavor: Flavor) -> Result<String, Box<dyn Error>> {
    let settings = LabSettings {
        virtual_time: true,
        seed: 1,
        ..LabSettings::default()
    };
    let mut spec = Spec::for_items(n).with_seed(1).with_flavor(flavor);
    spec.captured_at = settings.start;
    let lab = LabSite::new(generate::estate(&spec), settings);
    let estate = lab.estate();
    let plan = match plan(&estate, &Request::default())? {
        PlanOutcome::Ready(p) => p,
        PlanOutcome::Refused(r) => {
            return Err(format!("{} items blocked", r.blocked_count()).into())
        }
    };
    let settings = RunSettings::default();
    let times = lab.plan_timing(&plan);
    let model = lab.settings().timing;
    let bound = lower_bound(&plan, &times, &model, settings.writes_per_minute);
    let cut_bounds = cutover_lower_bounds(&plan, &times, &model, settings.writes_per_minute);

    let path = std::env::temp_dir().join(format!("schedule-{n}-{}.journal", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let o = Orchestrator::new(lab.recovery(), lab.onprem(), lab.clock(), settings)
        .with_verifier(lab.verifier());
    let wall = Instant::now();
    let report = o
        .run(&plan, Journal::create(&path)?, CancellationToken::new())
        .await?;
    let wall = wall.elapsed();
    let _ = std::fs::remove_file(&path);
    if report.done() != report.items.len() {
        return Err(format!("{} of {} items done", report.done(), report.items.len()).into());
    }
    if std::env::var_os("SCHEDULE_DEBUG").is_some() {
        let wave_of: HashMap<&str, u32> = plan
            .applications
            .iter()
            .flat_map(|a| a.items().map(move |i| (i, a.wave)))
            .collect();
        for o in &report.items {
            for r in &o.stages {
                eprintln!(
                    "{} {} {:?} {} {}",
                    wave_of.get(o.item.as_str()).copied().unwrap_or(99),
                    o.item,
                    r.stage,
                    r.started_at
                        .map_or(-1, |t| (t - report.started_at).num_seconds()),
                    r.finished_at
                        .map_or(-1, |t| (t - report.started_at).num_seconds())
                );
            }
        }
    }
    let makespan = (report.finished_at - report.started_at)
        .num_seconds()
        .max(0) as u64;
    let spans = report.phase_spans(&plan);
    let cutovers: Vec<String> = cut_bounds
        .iter()
        .filter_map(|&(wave, lb)| {
            let s = spans
                .iter()
                .find(|p| p.wave == wave && p.phase == Phase::Cutover)?;
            let secs = (s.finished_at - s.started_at).num_seconds().max(0) as u64;
            Some(format!(
                "w{wave}: {}s / {lb}s = {:.3}",
                secs,
                secs as f64 / lb.max(1) as f64
            ))
        })
        .collect();
    Ok(format!(
        "| {n} | {} | {} | {} ({}) | {:.3} | {} | {:.1} s |",
        plan.summary.waves,
        hm(makespan),
        hm(bound.seconds),
        bound.binding,
        makespan as f64 / bound.seconds.max(1) as f64,
        cutovers.join("; "),
        wall.as_secs_f64()
    ))
}
