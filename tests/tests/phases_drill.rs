//! Acceptance of the run model (issue 6) on the lab site, on discrete-event time: a drill
//! of 200 generated items runs in phases (every failover of a wave after every reprotect of
//! that wave has ended and inside the cutover), boot groups start in order, a recovery
//! plan's manual action pauses the run until a person continues, a failed verification
//! holds a classic item uncommitted and rolls a modernized one back, a mixed recovery plan
//! runs whole, and a run killed at journal records of every phase resumes with no
//! operation issued twice, no violation and its holds kept.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use failback_core::estate::{BootGroup, Flavor, PlanActionKind};
use failback_core::journal::{Entry, Journal};
use failback_core::orchestrator::{
    CancellationToken, ItemOutcome, ItemStatus, Orchestrator, RunReport, RunSettings,
};
use failback_core::request::Stage;
use failback_core::runbook::{ApplicationSpec, CheckSpec, Phase, Verify};
use failback_core::state::{Operation, ProtectionState};
use failback_core::{plan, Estate, Plan, PlanOutcome, Request};
use failback_lab::generate;
use failback_lab::{LabSettings, LabSite};
use failback_tests::assert_rebuilt;

const ITEMS: usize = 200;
const SEED: u64 = 1;

fn settings() -> LabSettings {
    LabSettings {
        virtual_time: true,
        seed: SEED,
        ..LabSettings::default()
    }
}

fn generated() -> Estate {
    let mut spec = generate::Spec::for_items(ITEMS).with_seed(SEED);
    spec.captured_at = settings().start;
    generate::estate(&spec)
}

/// Lone items (no replication group, no recovery plan) still in Azure.
fn lone(e: &Estate) -> Vec<String> {
    e.items
        .iter()
        .filter(|i| {
            i.replication_group.is_none()
                && i.state == ProtectionState::FailedOverToAzure
                && !e.recovery_plans.iter().any(|p| p.items.contains(&i.id))
        })
        .map(|i| i.id.clone())
        .collect()
}

/// The generated estate with a request application `shop` of three boot groups of two
/// lone items each, and a manual action before the first recovery plan's failover.
fn runbook_estate() -> (Estate, Request, String) {
    let mut e = generated();
    let plan_name = e.recovery_plans[0].name.clone();
    let members = e.recovery_plans[0].items.clone();
    e.recovery_plans[0].groups = vec![BootGroup {
        items: members,
        start_actions: vec![serde_json::from_value(serde_json::json!({
            "name": "stop-batch-jobs",
            "kind": "manual",
            "instructions": "stop the nightly batch before the database moves"
        }))
        .unwrap()],
        end_actions: Vec::new(),
    }];
    assert_eq!(
        e.recovery_plans[0].groups[0].start_actions[0].kind,
        PlanActionKind::Manual
    );
    let l = lone(&e);
    assert!(l.len() > 20, "{} lone items", l.len());
    let req = Request {
        applications: vec![ApplicationSpec {
            name: "shop".into(),
            items: Vec::new(),
            groups: vec![
                vec![l[0].clone(), l[1].clone()],
                vec![l[2].clone(), l[3].clone()],
                vec![l[4].clone(), l[5].clone()],
            ],
        }],
        ..Request::default()
    };
    (e, req, plan_name)
}

fn the_plan(e: &Estate, req: &Request) -> Plan {
    match plan(e, req) {
        Ok(PlanOutcome::Ready(p)) => {
            assert!(p.runnable(), "{:#?}", p.schedule_findings);
            p
        }
        Ok(PlanOutcome::Refused(r)) => panic!("{:#?}", r.blockers().collect::<Vec<_>>()),
        Err(e) => panic!("{e}"),
    }
}

fn orchestrator(lab: &LabSite) -> Orchestrator {
    Orchestrator::new(
        lab.recovery(),
        lab.onprem(),
        lab.clock(),
        RunSettings::default(),
    )
    .with_verifier(lab.verifier())
}

fn journal_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("failback-phases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}.journal"));
    let _ = std::fs::remove_file(&p);
    p
}

fn stage(o: &ItemOutcome, s: Stage) -> Option<&failback_core::orchestrator::StageRecord> {
    o.stages.iter().find(|r| r.stage == s)
}

fn started(o: &ItemOutcome, s: Stage) -> Option<DateTime<Utc>> {
    stage(o, s).and_then(|r| r.started_at)
}

fn finished(o: &ItemOutcome, s: Stage) -> Option<DateTime<Utc>> {
    stage(o, s).and_then(|r| r.finished_at)
}

/// Each failover of a wave starts after every reprotect of that wave has ended, and
/// commits follow their failover.
fn assert_phases(plan: &Plan, report: &RunReport) {
    let by_item: HashMap<&str, &ItemOutcome> =
        report.items.iter().map(|o| (o.item.as_str(), o)).collect();
    let waves: BTreeSet<u32> = plan.applications.iter().map(|a| a.wave).collect();
    for w in waves {
        let items: Vec<&ItemOutcome> = plan
            .applications
            .iter()
            .filter(|a| a.wave == w)
            .flat_map(|a| a.items())
            .filter_map(|i| by_item.get(i).copied())
            .collect();
        let last_reprotect = items
            .iter()
            .filter_map(|o| finished(o, Stage::Reprotect))
            .max();
        let first_failover = items
            .iter()
            .filter_map(|o| started(o, Stage::Failover))
            .min();
        if let (Some(r), Some(f)) = (last_reprotect, first_failover) {
            assert!(
                f >= r,
                "wave {w}: a failover started at {f} before the wave's last reprotect ended at {r}"
            );
        }
        for o in &items {
            if let (Some(f), Some(c)) = (finished(o, Stage::Failover), started(o, Stage::Commit)) {
                assert!(c >= f, "{}: commit before its failover ended", o.item);
            }
        }
    }
}

/// The request application's boot groups failed over in order: group n+1 starts once
/// every VM of group n is running.
fn assert_boot_order(req: &Request, report: &RunReport) {
    let by_item: HashMap<&str, &ItemOutcome> =
        report.items.iter().map(|o| (o.item.as_str(), o)).collect();
    let groups = &req.applications[0].groups;
    for pair in groups.windows(2) {
        let prev_end = pair[0]
            .iter()
            .map(|i| finished(by_item[i.as_str()], Stage::Failover).unwrap())
            .max()
            .unwrap();
        let next_start = pair[1]
            .iter()
            .map(|i| started(by_item[i.as_str()], Stage::Failover).unwrap())
            .min()
            .unwrap();
        assert!(
            next_start >= prev_end,
            "boot group {:?} started at {next_start}, before {:?} ended at {prev_end}",
            pair[1],
            pair[0]
        );
    }
}

/// Every planned operation was accepted exactly once per item by the lab, none refused.
fn assert_once(lab: &LabSite, plan: &Plan, ctx: &str) {
    let counters = lab.counters();
    assert!(counters.clean(), "{ctx}: {:#?}", counters.violations);
    for unit in &plan.units {
        for item in &unit.items {
            for (s, op) in [
                (Stage::Reprotect, Operation::Reprotect),
                (Stage::Failover, Operation::Failover),
                (Stage::Commit, Operation::Commit),
                (Stage::ReprotectToAzure, Operation::ReprotectToAzure),
            ] {
                let want = u32::from(item.stages.iter().any(|p| p.stage == s));
                assert_eq!(
                    counters.accepted(&item.item, op),
                    want,
                    "{ctx}: {} {op:?}",
                    item.item
                );
            }
        }
    }
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
    assert_rebuilt(&report, &path);
    (report, path)
}

#[tokio::test(start_paused = true)]
async fn a_200_item_drill_runs_in_phases_pauses_on_a_manual_action_and_continues() {
    let (e, req, rp) = runbook_estate();
    let plan = the_plan(&e, &req);
    assert!(plan.summary.items >= ITEMS - 10, "{:?}", plan.summary);
    let lab = LabSite::new(e.clone(), settings());
    let (first, path) = run(&orchestrator(&lab), &plan, "manual").await;

    // The recovery plan's manual action stopped its application, held, with the action's
    // instructions; everything else went on.
    let members: Vec<String> = e.recovery_plans[0].items.clone();
    assert!(!first.holds.is_empty(), "no hold: {:?}", first.holds);
    let hold = &first.holds[0];
    assert_eq!(hold.hold.phase, Phase::Cutover, "{hold:?}");
    assert!(hold.reason.contains("stop the nightly batch"), "{hold:?}");
    for m in &members {
        let o = first.items.iter().find(|o| &o.item == m).unwrap();
        assert!(
            matches!(o.status, ItemStatus::Held { .. }),
            "{m} of {rp}: {:?}",
            o.status
        );
        assert_eq!(lab.counters().accepted(m, Operation::Commit), 0, "{m}");
    }
    let done_first = first.done();
    assert!(
        done_first >= plan.summary.items - members.len() - 5,
        "{done_first}"
    );

    // A person stopped the batch and continues: the suspended job resumes, the run ends.
    let opened = Journal::open(&path).unwrap();
    let report = orchestrator(&lab)
        .resume_and_continue(opened, CancellationToken::new())
        .await
        .unwrap();
    assert_rebuilt(&report, &path);
    failback_tests::assert_all_done(&report, "resumed");
    assert!(Journal::open(&path)
        .unwrap()
        .entries
        .iter()
        .any(|e| matches!(e, Entry::JobResumed { .. })));
    assert_phases(&plan, &report);
    assert_boot_order(&req, &report);
    assert_once(&lab, &plan, "manual action");
    // Each application has its downtime, from its first failover to its last VM verified.
    for a in &report.applications {
        let d = a
            .downtime_seconds
            .unwrap_or_else(|| panic!("{}: no downtime", a.name));
        assert!(d > 0 && d < 4 * 3600, "{}: {d} s", a.name);
    }
    // The whole run: 60 disks at most on every master target at every moment.
    for mt in &e.master_targets {
        let peak = lab.peak_attached_disks(&mt.id).unwrap_or(0);
        assert!(peak <= 60, "{}: {peak} disks at once", mt.id);
    }
}

#[tokio::test(start_paused = true)]
async fn a_classic_item_failing_verification_is_held_uncommitted() {
    let e = generated();
    let victim = lone(&e)[0].clone();
    let mut s = settings();
    s.failing_checks.insert(victim.clone());
    let lab = LabSite::new(e.clone(), s);
    // The request checks that SQL answers on every item; the lab makes the victim's fail.
    let req = Request {
        verify: Verify {
            timeout_seconds: 600,
            checks: vec![CheckSpec::Tcp {
                port: 1433,
                items: Vec::new(),
                applications: Vec::new(),
            }],
        },
        ..Request::default()
    };
    let plan = the_plan(&e, &req);
    let (report, _) = run(&orchestrator(&lab), &plan, "verify-classic").await;
    let o = report.items.iter().find(|o| o.item == victim).unwrap();
    match &o.status {
        ItemStatus::Held { phase, reason } => {
            assert_eq!(*phase, Phase::Verify, "{reason}");
        }
        other => panic!("{victim}: {other:?}"),
    }
    assert_eq!(lab.counters().accepted(&victim, Operation::Commit), 0);
    assert_eq!(
        lab.estate()
            .items
            .iter()
            .find(|i| i.id == victim)
            .unwrap()
            .state,
        ProtectionState::FailedBackAwaitingCommit,
        "held uncommitted: its Azure VM is kept"
    );
    // Everything else went through.
    assert_eq!(report.done(), plan.summary.items - 1);
    assert!(lab.counters().clean());
}

#[tokio::test(start_paused = true)]
async fn a_modernized_item_failing_verification_is_rolled_back() {
    let e = Estate::from_json_str(include_str!("../../examples/estates/modernized.json")).unwrap();
    let plan = the_plan(&e, &Request::default());
    let victim = plan.units[0].items[0].item.clone();
    // Its guest never answers once failed back.
    let mut s = settings();
    s.silent_guests.insert(victim.clone());
    let lab = LabSite::new(e.clone(), s);
    let (report, _) = run(&orchestrator(&lab), &plan, "verify-modernized").await;
    let o = report.items.iter().find(|o| o.item == victim).unwrap();
    assert!(
        matches!(o.status, ItemStatus::RolledBack { .. }),
        "{victim}: {:?}",
        o.status
    );
    assert_eq!(lab.counters().accepted(&victim, Operation::Commit), 0);
    assert_eq!(
        lab.counters().accepted(&victim, Operation::CancelFailover),
        1
    );
    let state = lab
        .estate()
        .items
        .iter()
        .find(|i| i.id == victim)
        .unwrap()
        .state;
    assert_eq!(
        state,
        ProtectionState::ReplicatingToOnPrem,
        "back to replicating to on-premises"
    );
    assert!(lab.counters().clean());
}

#[tokio::test(start_paused = true)]
async fn a_modernized_item_failing_verification_in_a_200_item_drill_is_rolled_back() {
    let mut spec = generate::Spec::for_items(ITEMS)
        .with_seed(SEED)
        .with_flavor(Flavor::Modernized);
    spec.captured_at = settings().start;
    let e = generate::estate(&spec);
    let plan = the_plan(&e, &Request::default());
    assert_eq!(plan.summary.items, ITEMS);
    // A lone item, and a member of a replication group (its own recovery plan): the
    // group moves together, so its whole failover is cancelled and no member commits.
    let victim = lone(&e)[0].clone();
    let group = e.recovery_plans[0].items.clone();
    assert!(group.len() > 1);
    let mut s = settings();
    s.silent_guests.insert(victim.clone());
    s.silent_guests.insert(group[0].clone());
    let lab = LabSite::new(e.clone(), s);
    let (report, _) = run(&orchestrator(&lab), &plan, "verify-modernized-200").await;
    assert_phases(&plan, &report);
    let rolled_back: Vec<&String> = std::iter::once(&victim).chain(&group).collect();
    for id in &rolled_back {
        let o = report.items.iter().find(|o| &o.item == *id).unwrap();
        assert!(
            matches!(o.status, ItemStatus::RolledBack { .. }),
            "{id}: {:?}",
            o.status
        );
        assert_eq!(lab.counters().accepted(id, Operation::Commit), 0, "{id}");
        assert_eq!(
            lab.counters().accepted(id, Operation::CancelFailover),
            1,
            "{id}"
        );
        let state = lab
            .estate()
            .items
            .iter()
            .find(|i| &i.id == *id)
            .unwrap()
            .state;
        assert_eq!(
            state,
            ProtectionState::ReplicatingToOnPrem,
            "{id}: back to replicating"
        );
    }
    // Everything else failed back, committed and was reprotected to Azure.
    let others: Vec<_> = report
        .items
        .iter()
        .filter(|o| !rolled_back.contains(&&o.item) && !matches!(o.status, ItemStatus::Done))
        .map(|o| (&o.item, &o.status))
        .collect();
    assert!(others.is_empty(), "{others:#?}");
    assert_eq!(report.done(), ITEMS - rolled_back.len());
    assert!(lab.counters().clean());
}

#[tokio::test(start_paused = true)]
async fn a_mixed_recovery_plan_runs_whole() {
    // The db group's recovery plan also holds web-01: one application of three VMs.
    let mut e = Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap();
    e.recovery_plans[0].items.push("web-01".into());
    let rp = e.recovery_plans[0].name.clone();
    let plan = the_plan(&e, &Request::default());
    let app = plan
        .applications
        .iter()
        .find(|a| a.recovery_plan.as_deref() == Some(rp.as_str()))
        .unwrap_or_else(|| panic!("{rp} is no application: {:#?}", plan.applications));
    let members: BTreeSet<&str> = app.items().collect();
    assert!(
        members.contains("web-01") && members.len() == 3,
        "{members:?}"
    );
    let lab = LabSite::new(e.clone(), settings());
    let (report, _) = run(&orchestrator(&lab), &plan, "mixed").await;
    failback_tests::assert_all_done(&report, "mixed plan");
    // One failover of the plan, all three members at once, and one commit of the plan.
    let starts: BTreeSet<_> = report
        .items
        .iter()
        .filter(|o| members.contains(o.item.as_str()))
        .map(|o| started(o, Stage::Failover).unwrap())
        .collect();
    assert_eq!(starts.len(), 1, "the plan fails over whole: {starts:?}");
    assert!(lab.counters().clean(), "{:#?}", lab.counters().violations);
}

/// The phase a journal record belongs to.
fn phase_of(e: &Entry) -> Option<Phase> {
    match e {
        Entry::Intent { op, .. } | Entry::JobStarted { op, .. } | Entry::JobFinished { op, .. } => {
            Some(Phase::of_stage(op.stage))
        }
        _ => None,
    }
}

#[tokio::test(start_paused = true)]
async fn killed_at_records_of_every_phase_the_run_resumes_once_and_keeps_its_hold() {
    let e = generated();
    // A person decides before commit: the run stops after verification.
    let req = Request {
        hold_after: vec![Phase::Verify],
        ..Request::default()
    };
    let plan = the_plan(&e, &req);

    let lab = LabSite::new(e.clone(), settings());
    let (full, path) = run(&orchestrator(&lab), &plan, "full").await;
    assert!(full.held() > 0 && full.done() == 0, "held {}", full.held());
    let entries = Journal::open(&path).unwrap().entries;
    let total = entries.len() as u64;
    // Three crash points per phase of the records: first, middle and last of its records.
    let mut ks: BTreeSet<u64> = BTreeSet::new();
    for ph in [Phase::Reprotect, Phase::Cutover] {
        let at: Vec<u64> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| phase_of(e) == Some(ph))
            .map(|(k, _)| k as u64 + 1)
            .collect();
        assert!(!at.is_empty(), "{ph}: no record");
        ks.extend([at[0], at[at.len() / 2], at[at.len() - 1]]);
    }
    // And in the verify phase, the last records before the hold.
    ks.insert(total - 1);
    ks.retain(|&k| k >= 2);

    for k in ks {
        let lab = LabSite::new(e.clone(), settings());
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
        // A plain resume stops at the hold: nothing committed.
        let resumed = orchestrator(&lab)
            .resume(opened, CancellationToken::new())
            .await
            .unwrap_or_else(|err| panic!("k={k}: resume failed: {err}"));
        assert_rebuilt(&resumed, &path);
        assert_eq!(resumed.done(), 0, "k={k}: the hold was skipped");
        assert!(resumed.held() > 0, "k={k}");
        for item in &lab.estate().items {
            assert_eq!(
                lab.counters().accepted(&item.id, Operation::Commit),
                0,
                "k={k}: {} committed past the hold",
                item.id
            );
        }
        // The person continues: every item ends done, each operation accepted once.
        let report = orchestrator(&lab)
            .resume_and_continue(Journal::open(&path).unwrap(), CancellationToken::new())
            .await
            .unwrap_or_else(|err| panic!("k={k}: continue failed: {err}"));
        assert_rebuilt(&report, &path);
        failback_tests::assert_all_done(&report, &format!("k={k}"));
        assert_once(&lab, &plan, &format!("k={k}"));
        assert_phases(&plan, &report);
    }

    // Past the hold: the person continues, and the run is killed while it commits and
    // while it reprotects to Azure.
    let held_records = total;
    let (_, reference) = {
        let lab = LabSite::new(e.clone(), settings());
        let (_, path) = run(&orchestrator(&lab), &plan, "reference").await;
        let report = orchestrator(&lab)
            .resume_and_continue(Journal::open(&path).unwrap(), CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(report.done(), report.items.len());
        (report, Journal::open(&path).unwrap().entries)
    };
    let mut ks: BTreeSet<u64> = BTreeSet::new();
    for ph in [Phase::Commit, Phase::ReprotectToAzure] {
        let at: Vec<u64> = reference
            .iter()
            .enumerate()
            .filter(|(k, e)| *k as u64 >= held_records && phase_of(e) == Some(ph))
            .map(|(k, _)| k as u64 + 1)
            .collect();
        assert!(!at.is_empty(), "{ph}: no record");
        ks.extend([at[0], at[at.len() / 2], at[at.len() - 1]]);
    }
    for k in ks {
        let lab = LabSite::new(e.clone(), settings());
        let (_, path) = run(&orchestrator(&lab), &plan, &format!("c{k}")).await;
        let mut opened = Journal::open(&path).unwrap();
        opened.journal.crash_at_record(k);
        let first = orchestrator(&lab)
            .resume_and_continue(opened, CancellationToken::new())
            .await;
        assert!(
            first.is_err(),
            "k={k}: the run must stop at the torn record"
        );
        let report = orchestrator(&lab)
            .resume_and_continue(Journal::open(&path).unwrap(), CancellationToken::new())
            .await
            .unwrap_or_else(|err| panic!("k={k}: continue failed: {err}"));
        assert_rebuilt(&report, &path);
        failback_tests::assert_all_done(&report, &format!("k={k}"));
        assert_once(&lab, &plan, &format!("k={k} past the hold"));
    }
}
