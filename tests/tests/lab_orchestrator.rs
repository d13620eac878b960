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
use failback_core::Plan;

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
    failback_tests::single_items_plan(&lab.estate())
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

/// The run reads the guest facts from the plan, not from any estate: an item whose
/// static on-prem address comes back as DHCP is reported (OPS-003) from the plan alone,
/// and the same plan written before plans carried guest facts still loads and runs, with
/// OPS-003 left undecided.
#[tokio::test(start_paused = true)]
async fn the_after_failback_checks_read_the_plan_not_the_estate() {
    let mut spec = failback_lab::generate::Spec::for_items(12).with_seed(5);
    spec.captured_at = lab_settings().start;
    let mut estate = failback_lab::generate::estate(&spec);
    let it = estate
        .items
        .iter_mut()
        .find(|i| {
            i.replication_group.is_none() && i.azure_vm.as_ref().is_some_and(|v| !v.nics.is_empty())
        })
        .unwrap();
    let id = it.id.clone();
    let vm = it.azure_vm.as_mut().unwrap();
    vm.nics[0].dhcp = true;
    let nic = vm.nics[0].name.clone();
    it.on_prem_addresses = vec![failback_core::estate::OnPremAddress {
        nic: nic.clone(),
        address: "10.9.8.7".parse().unwrap(),
        is_static: true,
    }];

    let lab = failback_lab::LabSite::new(estate.clone(), lab_settings());
    let plan = lab_plan(&lab);
    let guest = plan
        .units
        .iter()
        .flat_map(|u| &u.items)
        .find(|i| i.item == id)
        .and_then(|i| i.guest.clone())
        .unwrap();
    assert_eq!(guest.static_addresses.len(), 1, "{guest:?}");
    let (report, _) = run(&lab_orchestrator(&lab), &plan, "guest-facts").await;
    let item = report.items.iter().find(|i| i.item == id).unwrap();
    assert!(
        item.findings
            .iter()
            .any(|f| f.rule == failback_core::rules::RuleId::Ops003
                && f.remediation.contains("10.9.8.7")),
        "{:#?}",
        item.findings
    );

    // The same plan as an older version wrote it: no guest facts.
    let mut doc = serde_json::to_value(&plan).unwrap();
    for unit in doc["units"].as_array_mut().unwrap() {
        for it in unit["items"].as_array_mut().unwrap() {
            assert!(it.as_object_mut().unwrap().remove("guest").is_some());
        }
    }
    let old: Plan = serde_json::from_value(doc).unwrap();
    let lab = failback_lab::LabSite::new(estate, lab_settings());
    let (report, _) = run(&lab_orchestrator(&lab), &old, "no-guest-facts").await;
    let item = report.items.iter().find(|i| i.item == id).unwrap();
    assert_eq!(item.status, ItemStatus::Done);
    assert!(
        !item
            .findings
            .iter()
            .any(|f| f.rule == failback_core::rules::RuleId::Ops003),
        "{:#?}",
        item.findings
    );
}
