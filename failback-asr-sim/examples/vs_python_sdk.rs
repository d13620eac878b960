//! Side by side against the ASR simulator: the same failback (reprotect, fail over,
//! commit) of N lab items by this workspace (the orchestrator over `failback-azure`'s
//! adapter) and by a Python script on the official SDK in the sequential style of
//! Microsoft's samples (`begin_reprotect(...).result()`, then the failover, then the
//! commit, item by item). Prints wall time, HTTP requests per item and the writes ARM's
//! limit refused, for BENCHMARKS.md.
//!
//! ```text
//! cargo run --release -p failback-asr-sim --example vs_python_sdk -- [N ...]
//! ```
//!
//! Default N: 50 and 500. Each side gets its own simulator over HTTPS with the same lab
//! (seed 1, classic, no replication groups), every job taking `FAILBACK_BENCH_JOB_SECONDS` (default 2) seconds
//! of real time, `Retry-After: 1`, and ARM's documented write limit (a bucket of 200
//! writes refilled at 10 a second, 429 with `Retry-After` past it). The Python is
//! `FAILBACK_BENCH_PYTHON` (default: the virtual environment `scripts/test` makes,
//! `target/python-sdk-venv/bin/python`, with `failback-asr-sim/tests/python/requirements.txt`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use failback_asr_sim::{start, Running, Settings, WriteLimit};
use failback_azure::http::{AsrClient, StaticToken};
use failback_azure::provider::AzureRecovery;
use failback_core::estate::Flavor;
use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, Orchestrator, RunSettings};
use failback_core::request::Stage;
use failback_core::{plan, PlanOutcome, Request};
use failback_lab::generate::{self, Spec};
use failback_lab::{fixed_timing, LabSettings, LabSite};

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// One side's figures.
struct Side {
    wall: Duration,
    done: usize,
    requests: u64,
    throttled: u64,
}

fn job_seconds() -> Fallible<f64> {
    match std::env::var("FAILBACK_BENCH_JOB_SECONDS") {
        Ok(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .ok_or_else(|| {
                format!("FAILBACK_BENCH_JOB_SECONDS={v}: give a number of seconds above 0").into()
            }),
        Err(_) => Ok(2.0),
    }
}

fn lab(n: usize, job: Duration) -> LabSite {
    let settings = LabSettings {
        time_scale: 1.0,
        seed: 1,
        timing: fixed_timing(job),
        ..LabSettings::default()
    };
    let mut spec = Spec::for_items(n).with_seed(1).with_flavor(Flavor::Classic);
    spec.captured_at = settings.start;
    // No replication groups: a group fails over only as a whole (a recovery plan), which
    // the samples' item-by-item loop does not do.
    spec.grouped_percent = 0;
    LabSite::new(generate::estate(&spec), settings)
}

async fn serve(lab: LabSite) -> Fallible<Running> {
    Ok(start(
        lab,
        Settings {
            https: true,
            retry_after: Duration::from_secs(1),
            write_limit: Some(WriteLimit::ARM),
            ..Settings::default()
        },
    )
    .await?)
}

fn https(sim: &Running) -> Fallible<(String, String)> {
    match (sim.https_url(), sim.ca_pem.clone()) {
        (Some(u), Some(ca)) => Ok((u, ca)),
        _ => Err("the simulator serves no HTTPS".into()),
    }
}

/// This workspace: plan the lab's estate for reprotect, failover and commit, and run it
/// with the orchestrator over the adapter (its default write rate: 570 a minute, 5% under
/// ARM's limit).
async fn ours(n: usize, job: Duration, dir: &Path) -> Fallible<Side> {
    let site = lab(n, job);
    let sim = serve(site.clone()).await?;
    let (url, ca) = https(&sim)?;
    let vault = Settings::default().vault;
    let client = AsrClient::builder()
        .with_endpoint(url)
        .with_root_certificate_pem(ca.into_bytes())
        .with_subscription_id(vault.subscription)
        .with_resource_group(vault.resource_group)
        .with_vault(vault.name)
        .with_credential(Arc::new(StaticToken::new(Settings::default().token)))
        .with_clock(site.clock())
        .build()?;
    let started = Instant::now();
    let recovery = AzureRecovery::connect(client).await?;
    let request = Request {
        stages: Some(vec![Stage::Reprotect, Stage::Failover, Stage::Commit]),
        ..Request::default()
    };
    let plan = match plan(&site.estate(), &request)? {
        PlanOutcome::Ready(p) => p,
        PlanOutcome::Refused(r) => return Err(format!("the plan was refused: {r:?}").into()),
    };
    let journal = dir.join(format!("ours-{n}.journal"));
    let _ = std::fs::remove_file(&journal);
    let orch = Orchestrator::new(
        Arc::new(recovery),
        site.onprem(),
        site.clock(),
        RunSettings::default(),
    )
    .with_verifier(site.verifier());
    let run = orch
        .run(&plan, Journal::create(&journal)?, CancellationToken::new())
        .await?;
    Ok(Side {
        wall: started.elapsed(),
        done: run.done(),
        requests: sim.requests(),
        throttled: sim.throttled_writes(),
    })
}

fn python() -> PathBuf {
    std::env::var_os("FAILBACK_BENCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/python-sdk-venv/bin/python")
        })
}

/// The official SDK, item by item, as Microsoft's samples script it.
async fn sdk(n: usize, job: Duration, dir: &Path) -> Fallible<Side> {
    let sim = serve(lab(n, job)).await?;
    let (url, ca) = https(&sim)?;
    let ca_file = dir.join(format!("ca-{n}.pem"));
    std::fs::write(&ca_file, ca)?;
    let vault = Settings::default().vault;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/bench_sdk.py");
    let config = serde_json::json!({
        "url": url,
        "ca": ca_file,
        "token": Settings::default().token,
        "subscription": vault.subscription,
        "resource_group": vault.resource_group,
        "vault": vault.name,
    });
    let py = python();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(&py)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{}: {e} (set FAILBACK_BENCH_PYTHON)", py.display()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(config.to_string().as_bytes())
                .map_err(|e| e.to_string())?;
        }
        child.wait_with_output().map_err(|e| e.to_string())
    })
    .await??;
    let wall = started.elapsed();
    if !out.status.success() {
        return Err(format!("the SDK script failed ({})", out.status).into());
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    if let Some(failed) = v["failed"].as_array().filter(|f| !f.is_empty()) {
        eprintln!(
            "the SDK script failed {} items, first: {}",
            failed.len(),
            failed[0]
        );
    }
    Ok(Side {
        wall,
        done: v["done"].as_u64().unwrap_or(0) as usize,
        requests: sim.requests(),
        throttled: sim.throttled_writes(),
    })
}

fn row(who: &str, n: usize, s: &Side) -> String {
    format!(
        "| {n} | {who} | {:.1} s | {} / {n} | {} | {:.1} | {} |",
        s.wall.as_secs_f64(),
        s.done,
        s.requests,
        s.requests as f64 / n as f64,
        s.throttled
    )
}

fn main() -> Fallible<()> {
    let sizes: Vec<usize> = {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.is_empty() {
            vec![50, 500]
        } else {
            args.iter()
                .map(|a| {
                    a.parse()
                        .map_err(|_| format!("{a}: give item counts (N ...)"))
                })
                .collect::<Result<_, _>>()?
        }
    };
    let job = Duration::from_secs_f64(job_seconds()?);
    let dir = std::env::temp_dir().join(format!("failback-vs-sdk-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "jobs take {:.1} s, Retry-After 1 s, ARM write limit 200 then 10/s\n",
        job.as_secs_f64()
    );
    println!("| N | client | wall | done | requests | per item | writes refused (429) |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for n in sizes {
        let a = rt.block_on(ours(n, job, &dir))?;
        println!("{}", row("failback (orchestrator + failback-azure)", n, &a));
        let b = rt.block_on(sdk(n, job, &dir))?;
        println!("{}", row("Python SDK 2.0.0, sequential", n, &b));
        println!(
            "| {n} | ratio | {:.1}x faster | | | {:.2}x the requests | |",
            b.wall.as_secs_f64() / a.wall.as_secs_f64().max(1e-9),
            a.requests as f64 / (b.requests as f64).max(1.0)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
