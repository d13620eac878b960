//! `failback-asr-sim`: serve a generated lab site as an ASR vault until standard input
//! closes (or the process is stopped), for clients outside the process (the official
//! Python SDK's tests, a person with curl). Prints one JSON line with the endpoints, the
//! CA file, the token and the vault.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use failback_core::estate::Flavor;
use failback_lab::generate::{self, Spec};
use failback_lab::{LabSettings, LabSite};

/// Serve a generated lab site as an Azure Site Recovery vault.
#[derive(Debug, Parser)]
#[command(name = "failback-asr-sim", version)]
struct Args {
    /// Protected items to generate.
    #[arg(long, default_value_t = 4)]
    vms: usize,
    /// The generator's and the lab's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The ASR flavour of the generated estate.
    #[arg(long, value_enum, default_value_t = FlavorArg::Classic)]
    flavor: FlavorArg,
    /// Simulated seconds per real second of the lab's clock (jobs progress with it).
    #[arg(long, default_value_t = 3600.0, allow_negative_numbers = true)]
    time_scale: f64,
    /// Serve HTTPS too; the CA's certificate is written to this file.
    #[arg(long)]
    ca_out: Option<PathBuf>,
    /// Resources per page of a list (more follow by `nextLink`).
    #[arg(long, default_value_t = failback_asr_sim::Settings::default().page_size)]
    page_size: usize,
    /// The `Retry-After` (seconds, sent rounded up to whole seconds) of an accepted
    /// operation and of its status while it runs.
    #[arg(
        long,
        default_value_t = failback_asr_sim::Settings::default().retry_after.as_secs_f64(),
        allow_negative_numbers = true
    )]
    retry_after: f64,
    /// Every lab job (reprotect, failover, commit, …) takes exactly this many simulated
    /// seconds, whatever the disks and links (default: the lab's timing model).
    #[arg(long, allow_negative_numbers = true)]
    job_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FlavorArg {
    Classic,
    Modernized,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match serve(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `value` seconds as a duration: a finite number of at least 0 (at most a year).
fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    const YEAR: f64 = 365.0 * 24.0 * 3600.0;
    if !(value.is_finite() && (0.0..=YEAR).contains(&value)) {
        return Err(format!(
            "{flag} {value}: give a number of seconds from 0 to {YEAR} (a year)"
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    if !(args.time_scale.is_finite() && args.time_scale >= 1.0) {
        return Err(format!(
            "--time-scale {}: give a number of at least 1 (simulated seconds per second)",
            args.time_scale
        )
        .into());
    }
    if args.vms == 0 {
        return Err("--vms 0: give at least 1".into());
    }
    if args.page_size == 0 {
        return Err("--page-size 0: give at least 1 (resources per page of a list)".into());
    }
    let retry_after = seconds("--retry-after", args.retry_after)?;
    let job_time = args
        .job_seconds
        .map(|s| seconds("--job-seconds", s))
        .transpose()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let flavor = match args.flavor {
            FlavorArg::Classic => Flavor::Classic,
            FlavorArg::Modernized => Flavor::Modernized,
        };
        let mut settings = LabSettings {
            time_scale: args.time_scale,
            seed: args.seed,
            ..LabSettings::default()
        };
        if let Some(d) = job_time {
            settings.timing = failback_lab::fixed_timing(d);
        }
        let mut spec = Spec::for_items(args.vms)
            .with_seed(args.seed)
            .with_flavor(flavor);
        spec.captured_at = settings.start;
        let lab = LabSite::new(generate::estate(&spec), settings);
        let sim = failback_asr_sim::start(
            lab,
            failback_asr_sim::Settings {
                https: args.ca_out.is_some(),
                page_size: args.page_size,
                retry_after,
                ..failback_asr_sim::Settings::default()
            },
        )
        .await?;
        if let (Some(path), Some(pem)) = (&args.ca_out, &sim.ca_pem) {
            std::fs::write(path, pem).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let vault = failback_asr_sim::Vault::default();
        let line = serde_json::json!({
            "http": sim.http_url(),
            "https": sim.https_url(),
            "ca": args.ca_out,
            "token": failback_asr_sim::Settings::default().token,
            "subscription": vault.subscription,
            "resource_group": vault.resource_group,
            "vault": vault.name,
        });
        println!("{line}");
        // Serve until standard input closes: the parent's end of the pipe.
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await?;
        drop(sim);
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}
