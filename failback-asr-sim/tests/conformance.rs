//! The provider contract's conformance kit (`failback-testkit`) over the Azure adapter
//! (`failback_azure::AzureRecovery`) against the simulator, over loopback HTTP, for both
//! flavours: the same fixtures the in-process lab passes, now through the REST paths,
//! the 202s, the job list and the ARM error bodies. A failing and a lossy simulator serve
//! the failure checks.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use failback_asr_sim::{start, Running, Settings};
use failback_core::estate::Estate;
use failback_core::orchestrator::RunSettings;
use failback_core::provider::{Direction, OnPremProvider, RecoveryProvider, ReprotectRequest};
use failback_core::Request;
use failback_lab::{Faults, LabSettings, LabSite};
use failback_testkit::{
    drill_contract, recovery_contract, DrillFixture, ItemCase, PlanCase, RecoveryFixture,
};

/// Simulated seconds per real second: a reprotect of hours takes a second or two.
const TIME_SCALE: f64 = 20_000.0;

fn estate(name: &str) -> Estate {
    let text = match name {
        "healthy" => include_str!("../../examples/estates/healthy.json"),
        _ => include_str!("../../examples/estates/modernized.json"),
    };
    Estate::from_json_str(text).unwrap()
}

fn lab(name: &str, faults: Faults) -> LabSite {
    lab_of(estate(name), faults)
}

/// `estate(name)` whose recovery plan `rp-db` boots db-01, then waits on a manual action
/// (its job suspends over HTTP until resumed), then boots db-02.
fn with_manual_action(name: &str) -> Estate {
    use failback_core::estate::{BootGroup, PlanAction, PlanActionKind};
    let mut e = estate(name);
    let plan = e
        .recovery_plans
        .iter_mut()
        .find(|p| p.name == "rp-db")
        .unwrap();
    plan.groups = vec![
        BootGroup {
            items: vec!["db-01".into()],
            start_actions: Vec::new(),
            end_actions: vec![PlanAction {
                name: "check-replica".into(),
                kind: PlanActionKind::Manual,
                instructions: Some("Check that db-01 serves before db-02 boots".into()),
            }],
        },
        BootGroup {
            items: vec!["db-02".into()],
            start_actions: Vec::new(),
            end_actions: Vec::new(),
        },
    ];
    e
}

fn lab_of(estate: Estate, faults: Faults) -> LabSite {
    LabSite::new(
        estate,
        LabSettings {
            time_scale: TIME_SCALE,
            seed: 5,
            faults,
            ..LabSettings::default()
        },
    )
}

/// The simulator over `lab`, small pages (so discovery pages), polls every simulated
/// minute.
async fn serve(lab: LabSite) -> Running {
    start(
        lab,
        Settings {
            page_size: 3,
            retry_after: Duration::from_secs(60),
            ..Settings::default()
        },
    )
    .await
    .unwrap()
}

/// The adapter over `sim`, on the lab's clock.
async fn adapter(sim: &Running) -> Arc<dyn RecoveryProvider> {
    Arc::new(common::adapter(sim).await)
}

fn to_onprem(mt: &str, ds: &str) -> ReprotectRequest {
    ReprotectRequest {
        direction: Direction::AzureToOnPrem,
        master_target: Some(mt.into()),
        process_server: None,
        datastore: Some(ds.into()),
        retention_volume: None,
        policy: None,
        members: Vec::new(),
    }
}

fn case(id: &str, mt: &str, ds: &str, back_ps: &str) -> ItemCase {
    ItemCase {
        id: id.into(),
        to_onprem: to_onprem(mt, ds),
        to_azure: ReprotectRequest {
            direction: Direction::OnPremToAzure,
            master_target: None,
            process_server: Some(back_ps.into()),
            datastore: None,
            retention_volume: None,
            policy: None,
            members: Vec::new(),
        },
    }
}

async fn run(name: &str, planned: bool, win_mt: &str, lin_mt: &str, back_ps: &str) {
    // The plan's failover suspends on a manual action: resumed over HTTP.
    let sim = serve(lab_of(with_manual_action(name), Faults::none())).await;
    let failing = serve(lab(
        name,
        Faults {
            job_failure: 1.0,
            ..Faults::none()
        },
    ))
    .await;
    let lossy = serve(lab(
        name,
        Faults {
            lost_response: 1.0,
            ..Faults::none()
        },
    ))
    .await;
    let recovery = adapter(&sim).await;
    let fixture = RecoveryFixture {
        clock: sim.lab().clock(),
        job_timeout: Duration::from_secs(48 * 3600),
        planned,
        item: case("web-01", win_mt, "ds-01", back_ps),
        cancel_item: Some(case("app-01", win_mt, "ds-01", back_ps)),
        recovery_plan: Some(PlanCase {
            name: "rp-db".into(),
            members: vec![
                ("db-01".into(), to_onprem(lin_mt, "ds-02")),
                ("db-02".into(), to_onprem(lin_mt, "ds-02")),
            ],
        }),
        discovered_items: 4,
        failing: Some((
            adapter(&failing).await,
            case("web-01", win_mt, "ds-01", back_ps),
        )),
        lossy: Some((
            adapter(&lossy).await,
            case("web-01", win_mt, "ds-01", back_ps),
        )),
    };
    let report = recovery_contract(recovery.as_ref(), &fixture).await;
    println!("{name} recovery over HTTP:\n{report}");
    report.assert_passed();
    // The plan's job waited on its manual action and was resumed through the adapter.
    let plan_job = sim
        .lab()
        .jobs()
        .into_iter()
        .find(|j| {
            j.target == failback_core::provider::Target::RecoveryPlan("rp-db".into())
                && j.operation == failback_core::state::Operation::Failover
        })
        .unwrap();
    assert_eq!(
        plan_job.status.state,
        failback_core::provider::JobState::Succeeded
    );
    let resumed: Vec<String> = sim
        .lab()
        .counters()
        .per_target
        .iter()
        .filter(|(_, c)| c.resume > 0)
        .map(|(k, c)| format!("{k}: {}", c.resume))
        .collect();
    assert_eq!(
        resumed,
        ["recovery plan rp-db: 1"],
        "the plan's job was resumed once"
    );
    assert!(
        plan_job
            .status
            .tasks
            .iter()
            .any(|t| t.name == "check-replica"),
        "{:?}",
        plan_job.status.tasks
    );
    let skipped: Vec<_> = report.skipped().map(|o| o.name).collect();
    if planned {
        assert!(skipped.is_empty(), "{skipped:?}");
    } else {
        assert_eq!(skipped, ["a failover is cancelled back to replicating"]);
    }
    assert!(sim.requests() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_adapter_keeps_the_provider_contract_over_the_classic_simulator() {
    run("healthy", false, "mt-win-01", "mt-lin-01", "ps-onprem-01").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_adapter_keeps_the_provider_contract_over_the_modernized_simulator() {
    run(
        "modernized",
        true,
        "ra-win-01",
        "ra-lin-01",
        "appliance-01-ps",
    )
    .await;
}

async fn drill(name: &str) {
    let site = lab(name, Faults::none());
    let sim = serve(site.clone()).await;
    let recovery = adapter(&sim).await;
    let onprem: Arc<dyn OnPremProvider> = site.onprem();
    let dir = std::env::temp_dir().join(format!(
        "failback-asr-sim-drill-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let seen = site.clone();
    let f = DrillFixture {
        recovery,
        onprem,
        clock: site.clock(),
        verifier: Some(site.verifier()),
        request: Request::default(),
        settings: RunSettings {
            seed: 5,
            ..RunSettings::default()
        },
        dir: dir.clone(),
        violations: Some(Arc::new(move || {
            seen.counters()
                .violations
                .iter()
                .map(|v| format!("{v:?}"))
                .collect()
        })),
        // What the vault cannot say (guest file systems, the Azure networks, the process
        // server's network), from the estate the lab was built on, as an engineer's file.
        facts: Some(estate(name)),
    };
    let report = drill_contract(&f).await;
    println!("{name} drill over HTTP:\n{report}");
    report.assert_passed();
    assert_eq!(report.skipped().count(), 0, "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_adapter_keeps_the_drill_contract_over_the_classic_simulator() {
    drill("healthy").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_adapter_keeps_the_drill_contract_over_the_modernized_simulator() {
    drill("modernized").await;
}
