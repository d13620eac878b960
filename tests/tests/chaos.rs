//! Chaos test (issue 3): a lab drill of 1,000 items with injected transient errors,
//! throttling with a retry-after, lost responses and 1% job failures. Every item ends
//! either done or failed with its cause, and the lab saw no invariant broken.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, ItemStatus, Orchestrator, RunSettings};
use failback_core::{plan, PlanOutcome, Request};
use failback_lab::{Faults, LabSettings, LabSite};

// Discrete-event time: the figures cannot depend on the machine's load.
#[tokio::test(start_paused = true)]
async fn a_drill_of_1000_items_under_faults_ends_every_item_done_or_failed_with_a_cause() {
    let lab = LabSite::generated(
        1000,
        99,
        LabSettings {
            virtual_time: true,
            seed: 99,
            faults: Faults {
                transient: 0.03,
                throttle: 0.03,
                retry_after: Duration::from_secs(30),
                job_failure: 0.01,
                lost_response: 0.01,
                latency: Duration::from_millis(200),
            },
            ..LabSettings::default()
        },
    );
    let plan = match plan(&lab.estate(), &Request::default()) {
        Ok(PlanOutcome::Ready(p)) => p,
        Ok(PlanOutcome::Refused(r)) => panic!("{:#?}", r.blockers().collect::<Vec<_>>()),
        Err(e) => panic!("{e}"),
    };
    let dir = std::env::temp_dir().join(format!("failback-chaos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("chaos.journal");
    let _ = std::fs::remove_file(&path);
    let o = Orchestrator::new(
        lab.recovery(),
        lab.onprem(),
        lab.clock(),
        RunSettings {
            concurrency: 64,
            seed: 99,
            ..RunSettings::default()
        },
    );
    let report = o
        .run(
            &plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    failback_tests::assert_rebuilt(&report, &path);
    assert_eq!(report.items.len(), plan.summary.items);
    assert_eq!(report.pending(), 0, "no item left unfinished");
    for it in &report.items {
        match &it.status {
            ItemStatus::Done => {}
            ItemStatus::Failed { cause, .. } => {
                assert!(
                    !cause.trim().is_empty(),
                    "{} failed without a cause",
                    it.item
                )
            }
            other => panic!(
                "{} ended {other:?}: no hold or rollback is asked for",
                it.item
            ),
        }
    }
    let counters = lab.counters();
    assert!(counters.clean(), "{:#?}", counters.violations);
    // The faults really happened, and most items still made it.
    assert!(counters.faults.transient > 0, "{:?}", counters.faults);
    assert!(counters.faults.throttled > 0, "{:?}", counters.faults);
    assert!(counters.faults.job_failures > 0, "{:?}", counters.faults);
    assert!(counters.faults.lost_responses > 0, "{:?}", counters.faults);
    assert!(report.failed() > 0, "1% job failures must show");
    let causes: Vec<&str> = report
        .items
        .iter()
        .filter_map(|i| match &i.status {
            ItemStatus::Failed { cause, .. } => Some(cause.as_str()),
            _ => None,
        })
        .take(10)
        .collect();
    assert!(
        report.done() > report.items.len() * 8 / 10,
        "done {} of {}; first causes: {causes:#?}",
        report.done(),
        report.items.len()
    );
}
