//! Crash test (issue 3): a lab drill of 200 items, groups included, is killed at the k-th
//! journal record for many k spread over the whole run (mid-group included) and resumed.
//! Every item must end committed and reprotected to Azure; the lab must have accepted each
//! operation exactly once per item and seen no commit before a verified failover.
//!
//! The lab runs on discrete-event time (tokio's paused clock): the figures do not depend on
//! the machine's load, and hours of simulated jobs take no wall time.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use failback_core::journal::{Entry, Journal, OpKey};
use failback_core::orchestrator::{CancellationToken, Orchestrator, RunSettings};
use failback_core::provider::Target;
use failback_core::state::{Operation, ProtectionState};
use failback_core::{plan, Plan, PlanOutcome, Request};
use failback_lab::{LabSettings, LabSite};

const ITEMS: usize = 200;
const SEED: u64 = 20;

fn lab() -> LabSite {
    LabSite::generated(
        ITEMS,
        SEED,
        LabSettings {
            virtual_time: true,
            seed: SEED,
            ..LabSettings::default()
        },
    )
}

fn the_plan(lab: &LabSite) -> Plan {
    match plan(&lab.estate(), &Request::default()) {
        Ok(PlanOutcome::Ready(p)) => p,
        Ok(PlanOutcome::Refused(r)) => panic!("{:#?}", r.blockers().collect::<Vec<_>>()),
        Err(e) => panic!("{e}"),
    }
}

fn orchestrator(lab: &LabSite) -> Orchestrator {
    Orchestrator::new(
        lab.recovery(),
        lab.onprem(),
        lab.clock(),
        RunSettings {
            concurrency: 32,
            ..RunSettings::default()
        },
    )
}

fn journal_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("failback-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}.journal"));
    let _ = std::fs::remove_file(&p);
    p
}

/// Runs to the end once, uninterrupted, and returns the number of journal records.
async fn records_of_a_full_run() -> u64 {
    let lab = lab();
    let plan = the_plan(&lab);
    let path = journal_path("full");
    let report = orchestrator(&lab)
        .run(
            &plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        report.done(),
        ITEMS,
        "an uninterrupted drill finishes every item"
    );
    assert!(lab.counters().clean(), "{:#?}", lab.counters().violations);
    Journal::open(&path).unwrap().entries.len() as u64
}

/// Whether the k-th record falls inside a group: between the intent of a recovery plan
/// operation and its end.
fn mid_group(entries: &[Entry]) -> bool {
    let mut open: Vec<&OpKey> = Vec::new();
    for e in entries {
        match e {
            Entry::Intent { op, .. } if matches!(op.target, Target::RecoveryPlan(_)) => {
                open.push(op)
            }
            Entry::JobFinished { op, .. } => open.retain(|o| *o != op),
            _ => {}
        }
    }
    !open.is_empty()
}

#[tokio::test(start_paused = true)]
async fn a_drill_of_200_items_killed_anywhere_and_resumed_ends_done_with_nothing_issued_twice() {
    let total = records_of_a_full_run().await;
    assert!(total > 800, "{total} records");
    // 24 crash points spread over the run, from the first intent to the last record.
    let ks: Vec<u64> = (0..24).map(|i| 2 + i * (total - 2) / 23).collect();
    let mut mid_group_crashes = 0;
    for k in ks {
        let lab = lab();
        let plan = the_plan(&lab);
        let path = journal_path(&format!("k{k}"));
        let mut j = Journal::create(&path).unwrap();
        j.crash_at_record(k);
        let first = orchestrator(&lab)
            .run(&plan, j, CancellationToken::new())
            .await;
        assert!(
            first.is_err(),
            "k={k}: the run must stop at the torn record"
        );
        let opened = Journal::open(&path).unwrap();
        assert_eq!(opened.entries.len() as u64, k - 1, "k={k}");
        assert!(opened.warning.is_some(), "k={k}: torn record reported");
        if mid_group(&opened.entries) {
            mid_group_crashes += 1;
        }
        // A new orchestrator (a new process) against the same lab (the same clouds).
        let report = orchestrator(&lab)
            .resume(opened, CancellationToken::new())
            .await
            .unwrap_or_else(|e| panic!("k={k}: resume failed: {e}"));
        failback_tests::assert_rebuilt(&report, &path);
        failback_tests::assert_all_done(&report, &format!("k={k}"));
        assert!(
            !report.warnings.is_empty(),
            "k={k}: the torn record is a warning"
        );
        let counters = lab.counters();
        assert!(counters.clean(), "k={k}: {:#?}", counters.violations);
        let estate = lab.estate();
        for item in &estate.items {
            assert_eq!(
                item.state,
                ProtectionState::Protected,
                "k={k}: {} ended {}",
                item.id,
                item.state
            );
        }
        for it in &plan.units {
            for item in &it.items {
                for op in [
                    Operation::Reprotect,
                    Operation::Failover,
                    Operation::Commit,
                    Operation::ReprotectToAzure,
                ] {
                    let planned = item.stages.iter().any(|s| {
                        matches!(
                            (s.stage, op),
                            (
                                failback_core::request::Stage::Reprotect,
                                Operation::Reprotect
                            ) | (failback_core::request::Stage::Failover, Operation::Failover)
                                | (failback_core::request::Stage::Commit, Operation::Commit)
                                | (
                                    failback_core::request::Stage::ReprotectToAzure,
                                    Operation::ReprotectToAzure
                                )
                        )
                    });
                    let want = u32::from(planned);
                    assert_eq!(
                        counters.accepted(&item.item, op),
                        want,
                        "k={k}: {} {op:?}",
                        item.item
                    );
                }
            }
        }
    }
    assert!(
        mid_group_crashes >= 2,
        "only {mid_group_crashes} crash points fell inside a group operation"
    );
}
