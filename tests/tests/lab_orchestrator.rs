//! The orchestrator against the lab site: a drill commits and reprotects every item with
//! no violation, and one killed at any journal record resumes with nothing issued twice.
//! (Moved out of `failback-core`, which depends on no lab code.)

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use failback_core::journal::Journal;
use failback_core::orchestrator::{
    CancellationToken, ItemStatus, Orchestrator, RunReport, RunSettings,
};
use failback_core::{Plan, Request};

fn journal_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fb-lab-orch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("run.journal")
}

async fn run(o: &Orchestrator, plan: &Plan, name: &str) -> (RunReport, PathBuf) {
    let path = journal_path(name);
    let report = o
        .run(
            plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    (report, path)
}

/// The plan of the lab's single items. (Groups: the planner reprotects members one by one,
/// via their items, and the lab refuses that for a group member; see the report.)
fn lab_plan(lab: &failback_lab::LabSite) -> Plan {
    let estate = lab.estate();
    let request = Request {
        items: estate
            .items
            .iter()
            .filter(|i| i.replication_group.is_none())
            .map(|i| i.id.clone())
            .collect(),
        ..Request::default()
    };
    match failback_core::plan(&estate, &request).unwrap() {
        failback_core::PlanOutcome::Ready(p) => p,
        failback_core::PlanOutcome::Refused(r) => panic!("{:#?}", r.blockers().collect::<Vec<_>>()),
    }
}

fn lab_settings() -> failback_lab::LabSettings {
    failback_lab::LabSettings {
        virtual_time: true,
        seed: 3,
        ..failback_lab::LabSettings::default()
    }
}

fn lab_orchestrator(lab: &failback_lab::LabSite) -> Orchestrator {
    Orchestrator::new(
        lab.recovery(),
        lab.onprem(),
        lab.clock(),
        RunSettings {
            concurrency: 64,
            ..RunSettings::default()
        },
    )
    .with_estate(&lab.estate())
}

#[tokio::test(start_paused = true)]
async fn a_lab_drill_commits_and_reprotects_every_item_without_a_violation() {
    let lab = failback_lab::LabSite::generated(40, 11, lab_settings());
    let plan = lab_plan(&lab);
    let o = lab_orchestrator(&lab);
    let (report, _) = run(&o, &plan, "lab-drill").await;
    assert_eq!(
        report.done(),
        plan.summary.items,
        "{:#?}",
        report
            .items
            .iter()
            .filter(|i| i.status != ItemStatus::Done)
            .collect::<Vec<_>>()
    );
    assert!(lab.counters().clean(), "{:#?}", lab.counters().violations);
    for it in &report.items {
        assert!(it.recovery_time_seconds.is_some(), "{}", it.item);
        assert!(it.data_loss_seconds.is_some(), "{}", it.item);
    }
}

#[tokio::test(start_paused = true)]
async fn a_lab_drill_killed_at_any_record_and_resumed_issues_nothing_twice() {
    let mut crashed = 0;
    for k in (2u64..260).step_by(9) {
        let lab = failback_lab::LabSite::generated(12, 5, lab_settings());
        let plan = lab_plan(&lab);
        let o = lab_orchestrator(&lab);
        let path = journal_path(&format!("lab-crash-{k}"));
        let mut j = Journal::create(&path).unwrap();
        j.crash_at_record(k);
        if o.run(&plan, j, CancellationToken::new()).await.is_err() {
            crashed += 1;
        }
        let report = o
            .resume(Journal::open(&path).unwrap(), CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(
            report.done(),
            plan.summary.items,
            "k={k}: {:#?}",
            report
                .items
                .iter()
                .filter(|i| i.status != ItemStatus::Done)
                .collect::<Vec<_>>()
        );
        let c = lab.counters();
        assert!(c.clean(), "k={k}: {:#?}", c.violations);
        for it in &report.items {
            for op in [
                failback_core::state::Operation::Reprotect,
                failback_core::state::Operation::Failover,
                failback_core::state::Operation::Commit,
                failback_core::state::Operation::ReprotectToAzure,
            ] {
                assert_eq!(c.accepted(&it.item, op), 1, "k={k} {} {op:?}", it.item);
            }
        }
    }
    assert!(crashed >= 10, "{crashed}");
}
