//! The lab runs the conformance kit of the provider contract (`failback-testkit`) as
//! `Arc<dyn RecoveryProvider>` and `Arc<dyn OnPremProvider>`, for both ASR flavours, with
//! a failing and a lossy site for the failure checks: what the Azure adapter over its
//! simulator and the vSphere adapter over vcsim will run too.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use failback_core::estate::Estate;
use failback_core::orchestrator::RunSettings;
use failback_core::provider::{Direction, OnPremProvider, RecoveryProvider, ReprotectRequest};
use failback_core::Request;
use failback_lab::faulty::{FaultInjector, FaultyOnPrem, FaultyRecovery};
use failback_lab::{Faults, LabSettings, LabSite, ViolationKind};
use failback_testkit::{
    drill_contract, onprem_contract, recovery_contract, CheckResult, DrillFixture, ItemCase,
    OnPremFixture, PlanCase, RecoveryFixture,
};

fn estate(name: &str) -> Estate {
    let text = match name {
        "healthy" => include_str!("../../examples/estates/healthy.json"),
        _ => include_str!("../../examples/estates/modernized.json"),
    };
    Estate::from_json_str(text).unwrap()
}

fn settings(faults: Faults) -> LabSettings {
    LabSettings {
        virtual_time: true,
        seed: 5,
        faults,
        ..LabSettings::default()
    }
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

/// A site of `name` whose every job fails, or whose every mutation's answer is lost.
fn faulty(name: &str, faults: Faults) -> Arc<dyn RecoveryProvider> {
    LabSite::new(estate(name), settings(faults)).recovery()
}

async fn run(name: &str, planned: bool, win_mt: &str, lin_mt: &str, back_ps: &str) {
    let lab = LabSite::new(estate(name), settings(Faults::none()));
    let recovery: Arc<dyn RecoveryProvider> = lab.recovery();
    let onprem: Arc<dyn OnPremProvider> = lab.onprem();
    let fixture = RecoveryFixture {
        clock: lab.clock(),
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
            faulty(
                name,
                Faults {
                    job_failure: 1.0,
                    ..Faults::none()
                },
            ),
            case("web-01", win_mt, "ds-01", back_ps),
        )),
        lossy: Some((
            faulty(
                name,
                Faults {
                    lost_response: 1.0,
                    ..Faults::none()
                },
            ),
            case("web-01", win_mt, "ds-01", back_ps),
        )),
    };
    let report = recovery_contract(recovery.as_ref(), &fixture).await;
    println!("{name} recovery:\n{report}");
    report.assert_passed();
    // Every check ran but the ones a capability of the lab's flavour rules out.
    let skipped: Vec<_> = report.skipped().map(|o| o.name).collect();
    if planned {
        assert!(skipped.is_empty(), "{skipped:?}");
    } else {
        assert_eq!(skipped, ["a failover is cancelled back to replicating"]);
        assert!(report.skipped().all(|o| o.needs == "cancel_failover"));
    }
    // The lab records the contract's two deliberate refusals as the violations they
    // would be, and nothing else.
    let kinds: Vec<_> = lab.counters().violations.iter().map(|v| v.kind).collect();
    assert_eq!(
        kinds,
        [
            ViolationKind::CommitBeforeVerifiedFailover,
            ViolationKind::FailoverNotReplicating
        ],
        "{:#?}",
        lab.counters().violations
    );

    let report = onprem_contract(
        onprem.as_ref(),
        &OnPremFixture {
            running_item: Some("web-01".into()),
            place: Some(("esx-01".into(), "ds-01".into())),
        },
    )
    .await;
    println!("{name} on-prem:\n{report}");
    report.assert_passed();
    assert_eq!(report.skipped().count(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_classic_lab_keeps_the_provider_contract() {
    run("healthy", false, "mt-win-01", "mt-lin-01", "ps-onprem-01").await;
}

#[tokio::test(start_paused = true)]
async fn the_modernized_lab_keeps_the_provider_contract() {
    run(
        "modernized",
        true,
        "ra-win-01",
        "ra-lin-01",
        "appliance-01-ps",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_check_fails_when_the_provider_misbehaves() {
    // The kit is not vacuous: a fixture whose item does not exist fails its checks.
    let lab = LabSite::new(estate("healthy"), settings(Faults::none()));
    let fixture = RecoveryFixture {
        clock: lab.clock(),
        job_timeout: Duration::from_secs(3600),
        planned: false,
        item: case("no-such-item", "mt-win-01", "ds-01", "ps-onprem-01"),
        cancel_item: None,
        recovery_plan: None,
        discovered_items: 1000,
        failing: None,
        lossy: None,
    };
    let report = recovery_contract(lab.recovery().as_ref(), &fixture).await;
    let failed: Vec<_> = report.failed().map(|o| o.name).collect();
    assert!(failed.contains(&"discovery returns the estate"), "{report}");
    assert!(failed.len() >= 3, "{report}");
    assert!(report
        .skipped()
        .any(|o| matches!(&o.result, CheckResult::Skipped(why) if why.contains("fixture"))));
}

/// The drill contract's fixture over `lab`'s providers (or `recovery` and `onprem` in
/// their place), journal in a fresh folder named `case`.
fn drill_fixture(
    lab: &LabSite,
    recovery: Arc<dyn RecoveryProvider>,
    onprem: Arc<dyn OnPremProvider>,
    case: &str,
) -> DrillFixture {
    let dir = std::env::temp_dir().join(format!(
        "failback-drill-contract-{case}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let seen = lab.clone();
    DrillFixture {
        recovery,
        onprem,
        clock: lab.clock(),
        verifier: Some(lab.verifier()),
        request: Request::default(),
        settings: RunSettings {
            seed: 5,
            ..RunSettings::default()
        },
        dir,
        violations: Some(Arc::new(move || {
            seen.counters()
                .violations
                .iter()
                .map(|v| format!("{v:?}"))
                .collect()
        })),
        facts: None,
    }
}

async fn drill(lab: LabSite, case: &str) {
    let f = drill_fixture(&lab, lab.recovery(), lab.onprem(), case);
    let report = drill_contract(&f).await;
    println!("{case} drill:\n{report}");
    report.assert_passed();
    assert_eq!(report.skipped().count(), 0, "{report}");
    assert_eq!(report.passed().count(), 5, "{report}");
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[tokio::test(start_paused = true)]
async fn the_classic_lab_keeps_the_drill_contract() {
    drill(
        LabSite::new(estate("healthy"), settings(Faults::none())),
        "classic",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn the_modernized_lab_keeps_the_drill_contract() {
    drill(
        LabSite::new(estate("modernized"), settings(Faults::none())),
        "modernized",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_generated_lab_behind_the_fault_wrappers_keeps_the_drill_contract() {
    // 150 items (discovery past a page of 100), every call through the seeded fault
    // wrappers, as the adapters' tests will run them.
    let lab = LabSite::generated(150, 3, settings(Faults::none()));
    let injector = Arc::new(FaultInjector::new(
        Faults {
            transient: 0.03,
            throttle: 0.02,
            lost_response: 0.05,
            retry_after: Duration::from_secs(20),
            ..Faults::none()
        },
        5,
    ));
    let f = drill_fixture(
        &lab,
        Arc::new(FaultyRecovery::new(lab.recovery(), injector.clone())),
        Arc::new(FaultyOnPrem::new(lab.onprem(), injector.clone())),
        "faulty",
    );
    let report = drill_contract(&f).await;
    println!("faulty drill:\n{report}");
    report.assert_passed();
    assert_eq!(report.passed().count(), 5, "{report}");
    let counts = injector.counts();
    assert!(
        counts.lost_responses > 0 && counts.transient > 0,
        "{counts:?}"
    );
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[tokio::test(start_paused = true)]
async fn the_drill_contract_fails_a_site_whose_jobs_fail() {
    // Not vacuous: every job failing fails the run's check, and what needs a done run is
    // still checked (the rebuilt report, the resume) rather than passed by default.
    let lab = LabSite::new(
        estate("healthy"),
        settings(Faults {
            job_failure: 1.0,
            ..Faults::none()
        }),
    );
    let f = drill_fixture(&lab, lab.recovery(), lab.onprem(), "failing");
    let report = drill_contract(&f).await;
    println!("failing drill:\n{report}");
    let failed: Vec<_> = report.failed().map(|o| o.name).collect();
    assert!(
        failed.contains(&"a drill runs every item to done"),
        "{report}"
    );
    assert!(
        failed.contains(&"a resume of the finished run issues nothing"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&f.dir);
}
