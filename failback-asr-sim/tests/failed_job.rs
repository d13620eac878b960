//! A job that fails in the vault reaches the run report with ASR's code, possible causes
//! and recommended action, through the simulator's job resource and the adapter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use failback_asr_sim::{start, Settings};
use failback_azure::http::{AsrClient, StaticToken};
use failback_azure::provider::AzureRecovery;
use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, ItemStatus, Orchestrator, RunSettings};
use failback_core::{plan, Estate, PlanOutcome, Request};
use failback_lab::{Faults, LabSettings, LabSite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_s_code_causes_and_action_reach_the_run_report() {
    let estate =
        Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap();
    let site = LabSite::new(
        estate,
        LabSettings {
            time_scale: 20_000.0,
            seed: 5,
            faults: Faults {
                job_failure: 1.0,
                ..Faults::none()
            },
            ..LabSettings::default()
        },
    );
    let sim = start(site.clone(), Settings::default()).await.unwrap();
    let vault = Settings::default().vault;
    let client = AsrClient::builder()
        .with_endpoint(sim.http_url())
        .with_subscription_id(vault.subscription)
        .with_resource_group(vault.resource_group)
        .with_vault(vault.name)
        .with_credential(Arc::new(StaticToken::new(Settings::default().token)))
        .with_clock(site.clock())
        .build()
        .unwrap();
    let recovery = AzureRecovery::connect(client).await.unwrap();
    let PlanOutcome::Ready(plan) = plan(&site.estate(), &Request::default()).unwrap() else {
        panic!("the example estate does not plan")
    };
    let journal =
        std::env::temp_dir().join(format!("fb-sim-failed-{}.journal", std::process::id()));
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
    let failed: Vec<_> = run
        .items
        .iter()
        .filter_map(|i| match &i.status {
            ItemStatus::Failed {
                cause, job_error, ..
            } => Some((i, cause, job_error)),
            _ => None,
        })
        .collect();
    assert!(!failed.is_empty(), "{:#?}", run.items);
    for (item, cause, job_error) in failed {
        let e = job_error
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no job error ({cause})", item.item));
        // The lab's injected failures carry a LAB- code, one cause and an action; each
        // came through ASR's job (serviceErrorDetails) over HTTP.
        assert!(
            e.code.as_deref().is_some_and(|c| c.starts_with("LAB-")),
            "{}: {e:?}",
            item.item
        );
        assert_eq!(e.possible_causes.len(), 1, "{}: {e:?}", item.item);
        assert!(
            e.recommended_action
                .as_deref()
                .is_some_and(|a| a.contains("retry")),
            "{}: {e:?}",
            item.item
        );
        // And the report's text names them.
        let json = serde_json::to_string(&item.status).unwrap();
        assert!(json.contains(e.code.as_deref().unwrap()), "{json}");
        assert!(json.contains(&e.possible_causes[0]), "{json}");
    }
}
