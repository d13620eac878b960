//! What the simulator's tests share: the adapter over a running simulator on its lab's
//! clock, and a whole run of a plan through it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use failback_asr_sim::{Running, Settings};
use failback_azure::http::{AsrClient, StaticToken};
use failback_azure::provider::AzureRecovery;
use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, Orchestrator, RunReport, RunSettings};
use failback_core::{plan, PlanOutcome, Request};

/// The adapter over `sim` (plain HTTP), on the clock of the lab it serves.
pub async fn adapter(sim: &Running) -> AzureRecovery {
    let vault = Settings::default().vault;
    let client = AsrClient::builder()
        .with_endpoint(sim.http_url())
        .with_subscription_id(vault.subscription)
        .with_resource_group(vault.resource_group)
        .with_vault(vault.name)
        .with_credential(Arc::new(StaticToken::new(Settings::default().token)))
        .with_clock(sim.lab().clock())
        .build()
        .unwrap();
    AzureRecovery::connect(client).await.unwrap()
}

/// Plan the lab's estate with the default request and run it with the orchestrator, the
/// recovery side through the adapter over `sim`, the on-premises side the lab's (a
/// journal in the temp folder named after `name`).
pub async fn run_over(sim: &Running, name: &str) -> RunReport {
    let site = sim.lab().clone();
    let recovery = adapter(sim).await;
    let PlanOutcome::Ready(plan) = plan(&site.estate(), &Request::default()).unwrap() else {
        panic!("the lab's estate does not plan")
    };
    let journal =
        std::env::temp_dir().join(format!("fb-sim-{name}-{}.journal", std::process::id()));
    let _ = std::fs::remove_file(&journal);
    let run = Orchestrator::new(
        Arc::new(recovery),
        site.onprem(),
        site.clock(),
        RunSettings::default(),
    )
    .with_verifier(site.verifier())
    .run(
        &plan,
        Journal::create(&journal).unwrap(),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let _ = std::fs::remove_file(&journal);
    run
}
