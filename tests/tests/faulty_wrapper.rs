//! Faults as a wrapper over any provider: the wrappers meet the same faults on the same
//! calls as the lab injecting them itself, and a drill through them over a healthy lab
//! retries its way to the end without a violation.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, Orchestrator, RunSettings};
use failback_core::provider::{
    Direction, OnPremProvider, RecoveryProvider, ReprotectRequest, Target,
};
use failback_core::request::Stage;
use failback_lab::faulty::{FaultInjector, FaultyOnPrem, FaultyRecovery};
use failback_lab::{FaultCounts, Faults, LabSettings, LabSite};

const SEED: u64 = 9;

fn faults() -> Faults {
    Faults {
        transient: 0.08,
        throttle: 0.05,
        lost_response: 0.3,
        retry_after: Duration::from_secs(11),
        ..Faults::none()
    }
}

fn settings(faults: Faults) -> LabSettings {
    LabSettings {
        virtual_time: true,
        seed: SEED,
        faults,
        ..LabSettings::default()
    }
}

/// The outcome of every call of a fixed sequence of reads and mutations, as text.
async fn outcomes(
    rec: &dyn RecoveryProvider,
    onprem: &dyn OnPremProvider,
    work: &[(String, ReprotectRequest)],
) -> Vec<String> {
    fn show<T>(r: failback_core::Result<T>) -> String {
        match r {
            Ok(_) => "ok".into(),
            Err(e) => format!("{:?} {:?}", e.kind(), e.retry_after()),
        }
    }
    let mut out = Vec::new();
    for round in 0..40 {
        for (id, request) in work {
            out.push(show(rec.protection_state(id).await));
            out.push(show(rec.recovery_points(id).await));
            out.push(show(onprem.vm_runtime(id).await));
            if round == 0 {
                let target = Target::Item(id.clone());
                out.push(show(rec.reprotect(&target, request).await));
            }
        }
    }
    out
}

/// The lab's single items with the reprotect inputs their plan chose.
fn reprotects(lab: &LabSite) -> Vec<(String, ReprotectRequest)> {
    failback_tests::single_items_plan(&lab.estate())
        .units
        .iter()
        .flat_map(|u| &u.items)
        .map(|it| {
            let request = ReprotectRequest {
                direction: Direction::AzureToOnPrem,
                master_target: it.inputs.master_target.clone(),
                process_server: it.inputs.process_server.clone(),
                datastore: it.inputs.datastore.clone(),
                retention_volume: it.inputs.retention_volume.clone(),
                policy: it.inputs.policy.clone(),
                members: Vec::new(),
            };
            (it.item.clone(), request)
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn the_wrapper_injects_what_the_lab_injects_for_the_same_seed() {
    let inside = LabSite::generated(10, 3, settings(faults()));
    let work = reprotects(&inside);
    let ids: Vec<String> = work.iter().map(|(id, _)| id.clone()).collect();
    let a = outcomes(&*inside.recovery(), &*inside.onprem(), &work).await;

    let healthy = LabSite::generated(10, 3, settings(Faults::none()));
    let injector = Arc::new(FaultInjector::new(faults(), SEED));
    let rec = FaultyRecovery::new(healthy.recovery(), injector.clone());
    let onprem = FaultyOnPrem::new(healthy.onprem(), injector.clone());
    let b = outcomes(&rec, &onprem, &work).await;

    assert_eq!(a, b, "same seed and rates, same faults on the same calls");
    let lab = inside.counters().faults;
    let wrapped = injector.counts();
    assert_eq!(lab, wrapped);
    assert!(
        wrapped.throttled > 0 && wrapped.transient > 0 && wrapped.lost_responses > 0,
        "{wrapped:?}"
    );
    assert_eq!(healthy.counters().faults.throttled, 0);
    // A lost response took effect underneath: the same reprotects were accepted.
    for id in &ids {
        let op = failback_core::state::Operation::Reprotect;
        assert_eq!(
            inside.counters().accepted(id, op),
            healthy.counters().accepted(id, op),
            "{id}"
        );
    }
    // Another seed meets other faults.
    let other = LabSite::generated(10, 3, settings(Faults::none()));
    let injector = Arc::new(FaultInjector::new(faults(), SEED + 1));
    let c = outcomes(
        &FaultyRecovery::new(other.recovery(), injector.clone()),
        &FaultyOnPrem::new(other.onprem(), injector),
        &work,
    )
    .await;
    assert_ne!(a, c);
}

#[tokio::test(start_paused = true)]
async fn a_drill_through_the_wrappers_over_a_healthy_lab_ends_clean() {
    let lab = LabSite::generated(24, 5, settings(Faults::none()));
    let plan = failback_tests::single_items_plan(&lab.estate());
    let injector = Arc::new(
        FaultInjector::new(
            Faults {
                latency: Duration::from_millis(200),
                ..faults()
            },
            SEED,
        )
        .with_clock(lab.clock()),
    );
    let rec: Arc<dyn RecoveryProvider> =
        Arc::new(FaultyRecovery::new(lab.recovery(), injector.clone()));
    let onprem: Arc<dyn OnPremProvider> =
        Arc::new(FaultyOnPrem::new(lab.onprem(), injector.clone()));
    let o = Orchestrator::new(rec, onprem, lab.clock(), RunSettings::default())
        .with_verifier(lab.verifier());
    let dir = std::env::temp_dir().join(format!("fb-faulty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let report = o
        .run(
            &plan,
            Journal::create(dir.join("run.journal")).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    failback_tests::assert_all_done(&report, "through the wrappers");
    let c = lab.counters();
    assert!(c.clean(), "{:#?}", c.violations);
    assert_eq!(
        c.faults,
        FaultCounts {
            calls: c.faults.calls,
            ..FaultCounts::default()
        }
    );
    let injected = injector.counts();
    assert!(
        injected.throttled > 0 && injected.transient > 0 && injected.lost_responses > 0,
        "{injected:?}"
    );
    // Nothing was done twice although responses were lost: the run looked for its jobs.
    for it in &report.items {
        for op in Stage::ALL.map(Stage::operation) {
            let planned = plan
                .units
                .iter()
                .flat_map(|u| &u.items)
                .filter(|p| p.item == it.item)
                .flat_map(|p| &p.stages)
                .filter(|s| s.stage.operation() == op)
                .count();
            assert_eq!(
                c.accepted(&it.item, op) as usize,
                planned,
                "{} {op:?}",
                it.item
            );
        }
    }
    // The inspection API agrees with the counters and the report.
    let jobs = lab.jobs();
    let accepted: u64 = Stage::ALL
        .map(|s| c.total_accepted(s.operation()))
        .iter()
        .sum();
    assert_eq!(jobs.len() as u64, accepted);
    assert!(jobs.iter().all(
        |j| j.status.state == failback_core::provider::JobState::Succeeded
            && j.ended_at.is_some()
            && !j.items.is_empty()
    ));
    for it in &report.items {
        let view = lab.item(&it.item).unwrap();
        assert_eq!(
            view.state,
            failback_core::state::ProtectionState::Protected,
            "{view:?}"
        );
        assert!(
            view.azure_vm_deleted && view.on_prem_vm.is_some(),
            "{view:?}"
        );
    }
    assert_eq!(lab.items().len(), lab.estate().items.len());
    assert!(lab.item("no-such-item").is_none());
}
