//! Orchestrator unit tests (mockall): one per safety invariant, and retry, deadline,
//! cancellation, dry-run and resume behaviour. Time is tokio's paused test time: waits
//! pass instantly and are measured exactly.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::estate::{Consistency, Estate, Flavor, ProtectedItem, RecoveryPoint};
use crate::events::Event;
use crate::journal::{Check, Entry, Journal, OpKey};
use crate::plan::{Plan, Summary};
use crate::provider::{
    Direction, GuestNic, JobId, JobState, JobStatus, MockOnPremProvider, MockRecoveryProvider,
    PointSpec, RecoveryCapability, Target, VmRuntime,
};
use crate::readiness::{GuestFacts, Inputs, ItemReport, PlannedStage, UnitKind, UnitReport, Via};
use crate::request::{PointChoice, Request, Stage};
use crate::rules::RuleId;
use crate::state::ProtectionState as S;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// Test time: `t0` plus tokio's (paused) elapsed time.
#[derive(Debug)]
struct TestClock {
    origin: tokio::time::Instant,
}

impl TestClock {
    fn new() -> Arc<Self> {
        Arc::new(TestClock {
            origin: tokio::time::Instant::now(),
        })
    }
}

#[async_trait]
impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        t0() + chrono::Duration::from_std(self.origin.elapsed()).unwrap()
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

const ALL: &[Stage] = &[
    Stage::Reprotect,
    Stage::Failover,
    Stage::Commit,
    Stage::ReprotectToAzure,
];
const FROM_REPLICATING: &[Stage] = &[Stage::Failover, Stage::Commit, Stage::ReprotectToAzure];

fn item(id: &str, state: S, stages: &[Stage], group: bool) -> ItemReport {
    ItemReport {
        item: id.into(),
        name: id.into(),
        state,
        stages: stages
            .iter()
            .map(|&stage| PlannedStage {
                stage,
                via: if group && matches!(stage, Stage::Failover | Stage::Commit) {
                    Via::RecoveryPlan
                } else {
                    Via::Item
                },
                attach: false,
            })
            .collect(),
        inputs: Inputs {
            master_target: Some("mt-1".into()),
            process_server: Some("ps-1".into()),
            datastore: Some("ds-1".into()),
            retention_volume: Some("R:".into()),
            return_process_server: Some("cs-ps".into()),
            policy: Some("fwd".into()),
        },
        location: None,
        recovery_point: None,
        data_loss: None,
        blocked_by: Vec::new(),
        disks: 1,
        guest: None,
    }
}

fn single(id: &str, state: S, stages: &[Stage]) -> UnitReport {
    UnitReport {
        kind: UnitKind::Item,
        name: id.into(),
        recovery_plan: None,
        master_target: Some("mt-1".into()),
        wave: 1,
        items: vec![item(id, state, stages, false)],
    }
}

fn group(name: &str, rp: &str, members: &[&str], state: S, stages: &[Stage]) -> UnitReport {
    UnitReport {
        kind: UnitKind::Group,
        name: name.into(),
        recovery_plan: Some(rp.into()),
        master_target: Some("mt-1".into()),
        wave: 1,
        items: members
            .iter()
            .map(|m| item(m, state, stages, true))
            .collect(),
    }
}

fn plan_of(units: Vec<UnitReport>, request: Request) -> Plan {
    Plan {
        format: crate::plan::FORMAT.into(),
        estate: None,
        captured_at: t0(),
        flavor: Flavor::Classic,
        policy: None,
        request,
        summary: Summary::default(),
        units,
        findings: Vec::new(),
        applications: Vec::new(),
        phases: Vec::new(),
        schedule_findings: Vec::new(),
        attached_disks: Default::default(),
    }
}

fn journal_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fb-orch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("run.journal")
}

fn entries(path: &PathBuf) -> Vec<Entry> {
    Journal::open(path).unwrap().entries
}

fn status(id: &JobId, state: JobState) -> JobStatus {
    JobStatus {
        error: (state == JobState::Failed)
            .then(|| crate::JobError::message("disk write error on the master target")),
        ..JobStatus::new(id.clone(), state)
    }
}

fn point(id: &str, age_minutes: i64, consistency: Consistency) -> RecoveryPoint {
    RecoveryPoint {
        id: id.into(),
        time: t0() - chrono::Duration::minutes(age_minutes),
        consistency,
        multi_vm_sync: true,
    }
}

fn running(vm: &str) -> VmRuntime {
    VmRuntime {
        vm: format!("vm-{vm}"),
        powered_on: true,
        guest_running: Some(true),
        nics: Vec::new(),
        packages: None,
    }
}

fn err(kind: ErrorKind) -> Error {
    Error::provider("mock", kind, format!("{kind}"))
}

/// Reads that let every check pass: replicating, a 5-minute-old point, the Azure VM shut
/// down, the on-prem VM running, every job succeeded at once.
fn healthy_reads(rec: &mut MockRecoveryProvider, onprem: &mut MockOnPremProvider) {
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points().returning(|i| {
        Ok(vec![point(
            &format!("{i}-p1"),
            5,
            Consistency::CrashConsistent,
        )])
    });
    rec.expect_azure_vm_shut_down().returning(|_| Ok(true));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    onprem
        .expect_vm_runtime()
        .returning(|i| Ok(Some(running(i))));
}

/// Mutations that start a job named after the call.
fn accepting_mutations(rec: &mut MockRecoveryProvider) {
    rec.expect_reprotect()
        .returning(|t, r| Ok(JobId(format!("reprotect-{t}-{:?}", r.direction))));
    rec.expect_failover()
        .returning(|t, _| Ok(JobId(format!("failover-{t}"))));
    rec.expect_commit()
        .returning(|t| Ok(JobId(format!("commit-{t}"))));
}

fn orchestrator(
    mut rec: MockRecoveryProvider,
    onprem: MockOnPremProvider,
    settings: RunSettings,
) -> Orchestrator {
    // Everything, unless the test said otherwise (its expectation was set first).
    rec.expect_capability().returning(|| RecoveryCapability {
        classic: true,
        modernized: true,
        recovery_plans: true,
        planned_failover: true,
        cancel: true,
        cancel_failover: true,
        resume_jobs: true,
    });
    rec.expect_name().return_const("mock".to_string());
    Orchestrator::new(Arc::new(rec), Arc::new(onprem), TestClock::new(), settings)
}

async fn run(o: &Orchestrator, plan: &Plan, name: &str) -> (RunReport, Vec<Entry>) {
    let path = journal_path(name);
    let report = o
        .run(
            plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    (report, entries(&path))
}

fn verified(entries: &[Entry], check: Check) -> Vec<(bool, String)> {
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Verified {
                check: c,
                ok,
                detail,
                ..
            } if *c == check => Some((*ok, detail.clone())),
            _ => None,
        })
        .collect()
}

fn drain(rx: &mut tokio::sync::broadcast::Receiver<Event>) -> Vec<Event> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

fn failed_in(o: &ItemOutcome) -> (Stage, String) {
    match &o.status {
        ItemStatus::Failed { stage, cause, .. } => (*stage, cause.clone()),
        other => panic!("{} is {other:?}", o.item),
    }
}

// ----- invariant 1: commit -----

#[tokio::test(start_paused = true)]
async fn commit_is_refused_when_the_onprem_vm_was_not_seen_running() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p1", 5, Consistency::CrashConsistent)]));
    rec.expect_azure_vm_shut_down().returning(|_| Ok(true));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    rec.expect_failover()
        .times(1)
        .returning(|_, _| Ok(JobId("fo-1".into())));
    rec.expect_commit().never();
    rec.expect_reprotect().never();
    // Seen running after the failover and by the verify gate, then off when the commit's
    // own check looks again: the commit is not issued.
    let reads = std::sync::atomic::AtomicUsize::new(0);
    onprem.expect_vm_runtime().returning(move |i| {
        let n = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(Some(VmRuntime {
            powered_on: n < 2,
            guest_running: Some(n < 2),
            ..running(i)
        }))
    });
    let o = orchestrator(rec, onprem, RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, FROM_REPLICATING)],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "vm-not-running").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Commit);
    assert!(cause.contains("not running"), "{cause}");
    assert_eq!(
        verified(&journal, Check::OnPremVmRunning)
            .iter()
            .map(|(ok, _)| *ok)
            .collect::<Vec<_>>(),
        vec![true, false],
        "seen running after the failover, not at the commit"
    );
}

#[tokio::test(start_paused = true)]
async fn a_classic_item_that_fails_verification_is_held_uncommitted() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p1", 5, Consistency::CrashConsistent)]));
    rec.expect_azure_vm_shut_down().returning(|_| Ok(true));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    rec.expect_failover()
        .times(1)
        .returning(|_, _| Ok(JobId("fo-1".into())));
    rec.expect_capability()
        .returning(RecoveryCapability::default);
    rec.expect_commit().never();
    rec.expect_cancel_failover().never();
    // The VM is powered on but its guest never answers.
    onprem.expect_vm_runtime().returning(|i| {
        Ok(Some(VmRuntime {
            guest_running: None,
            ..running(i)
        }))
    });
    let o = orchestrator(rec, onprem, RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, FROM_REPLICATING)],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "verify-fails-classic").await;

    match &report.items[0].status {
        ItemStatus::Held { phase, reason } => {
            assert_eq!(*phase, crate::runbook::Phase::Verify);
            assert!(reason.contains("does not answer"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(report.holds.len(), 1);
    let checks = verified(&journal, Check::ApplicationVerified);
    assert_eq!(checks.len(), 1);
    assert!(!checks[0].0, "{checks:?}");
    assert!(journal.iter().any(|e| matches!(e, Entry::Held { .. })));
    assert!(
        !journal
            .iter()
            .any(|e| matches!(e, Entry::RunFinished { .. })),
        "a held run is not finished"
    );
}

#[tokio::test(start_paused = true)]
async fn commit_is_refused_while_the_azure_vm_is_not_shut_down() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p1", 5, Consistency::CrashConsistent)]));
    rec.expect_azure_vm_shut_down().returning(|_| Ok(false));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    rec.expect_failover()
        .times(1)
        .returning(|_, _| Ok(JobId("fo-1".into())));
    rec.expect_commit().never();
    rec.expect_reprotect().never();
    onprem
        .expect_vm_runtime()
        .returning(|i| Ok(Some(running(i))));
    let o = orchestrator(rec, onprem, RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, FROM_REPLICATING)],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "azure-not-down").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Commit);
    assert!(cause.contains("FO-003"), "{cause}");
    let checks = verified(&journal, Check::AzureVmShutDown);
    assert!(!checks.is_empty() && checks.iter().all(|(ok, _)| !ok));
    // The VM was running: the recovery time is known even though the commit was refused.
    assert_eq!(report.items[0].recovery_time_seconds, Some(0));
}

#[tokio::test(start_paused = true)]
async fn commit_is_never_issued_after_a_failed_failover() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p1", 5, Consistency::CrashConsistent)]));
    rec.expect_failover()
        .times(1)
        .returning(|_, _| Ok(JobId("fo-1".into())));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Failed)));
    rec.expect_commit().never();
    rec.expect_reprotect().never();
    onprem.expect_vm_runtime().never();
    let o = orchestrator(rec, onprem, RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, FROM_REPLICATING)],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "failover-failed").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Failover);
    assert!(
        cause.contains("fo-1") && cause.contains("disk write error"),
        "{cause}"
    );
    assert!(journal.iter().any(|e| matches!(
        e,
        Entry::ItemFailed {
            stage: Stage::Failover,
            ..
        }
    )));
}

#[tokio::test(start_paused = true)]
async fn commit_of_an_item_failed_over_before_the_run_checks_its_state_first() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    // The plan thought the item failed back; the provider says it is still replicating.
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_commit().never();
    onprem.expect_vm_runtime().never();
    let o = orchestrator(rec, onprem, RunSettings::default());
    let plan = plan_of(
        vec![single(
            "web-01",
            S::FailedBackAwaitingCommit,
            &[Stage::Commit],
        )],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "commit-only").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Commit);
    assert!(cause.contains("FO-004"), "{cause}");
    assert!(!verified(&journal, Check::FailoverSucceeded)[0].0);
}

// ----- invariant 2: failover -----

#[tokio::test(start_paused = true)]
async fn failover_is_refused_until_reprotect_completed() {
    let mut rec = MockRecoveryProvider::new();
    // Replicating when the wait-healthy phase looks, reprotecting (a resync) when the
    // failover's own check looks: the guard still refuses.
    let reads = std::sync::atomic::AtomicUsize::new(0);
    rec.expect_protection_state().returning(move |_| {
        let n = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(if n == 0 {
            S::ReplicatingToOnPrem
        } else {
            S::Reprotecting
        })
    });
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p1", 5, Consistency::CrashConsistent)]));
    rec.expect_failover().never();
    rec.expect_commit().never();
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, FROM_REPLICATING)],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "not-replicating").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Failover);
    assert!(
        cause.contains("FO-001") && cause.contains("reprotecting"),
        "{cause}"
    );
    assert_eq!(
        verified(&journal, Check::ReprotectCompleted),
        vec![(false, "web-01 is reprotecting".to_string())]
    );
    assert!(!journal.iter().any(|e| matches!(e, Entry::Intent { .. })));
}

#[tokio::test(start_paused = true)]
async fn failover_is_refused_when_the_latest_point_is_older_than_the_rpo() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    // Fresh when the wait-healthy phase looks, 16 minutes old (replication fell behind)
    // when the failover's own check looks.
    let reads = std::sync::atomic::AtomicUsize::new(0);
    rec.expect_recovery_points().returning(move |_| {
        let n = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(vec![if n == 0 {
            point("p-new", 5, Consistency::CrashConsistent)
        } else {
            point("p-old", 16, Consistency::CrashConsistent)
        }])
    });
    rec.expect_failover().never();
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, &[Stage::Failover])],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "stale").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Failover);
    assert!(
        cause.contains("16 min old") && cause.contains("15 min"),
        "{cause}"
    );
    assert!(!verified(&journal, Check::RecoveryPointFresh)[0].0);
}

#[tokio::test(start_paused = true)]
async fn an_accepted_stale_point_fails_over_and_records_the_data_loss() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p-old", 60, Consistency::CrashConsistent)]));
    rec.expect_azure_vm_shut_down().returning(|_| Ok(true));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    rec.expect_failover()
        .times(1)
        .withf(|t, r| *t == Target::Item("web-01".into()) && r.point == PointSpec::Latest)
        .returning(|_, _| Ok(JobId("fo-1".into())));
    onprem
        .expect_vm_runtime()
        .returning(|i| Ok(Some(running(i))));
    let o = orchestrator(rec, onprem, RunSettings::default());
    let mut rx = o.subscribe();
    let request = Request {
        accept_stale_point: true,
        ..Request::default()
    };
    let plan = plan_of(
        vec![single("web-01", S::ReplicatingToOnPrem, &[Stage::Failover])],
        request,
    );
    let (report, journal) = run(&o, &plan, "stale-accepted").await;

    assert_eq!(report.items[0].status, ItemStatus::Done);
    assert_eq!(report.items[0].data_loss_seconds, Some(3600));
    let fresh = verified(&journal, Check::RecoveryPointFresh);
    assert!(
        fresh[0].0 && fresh[0].1.starts_with("stale point accepted"),
        "{fresh:?}"
    );
    assert!(report
        .warnings
        .iter()
        .any(|w| w.contains("stale recovery point accepted")));
    assert!(drain(&mut rx)
        .iter()
        .any(|e| matches!(e, Event::Warning { message } if message.contains("data loss 3600 s"))));
}

// ----- invariant 4: groups -----

#[tokio::test(start_paused = true)]
async fn a_group_fails_over_and_commits_once_through_its_recovery_plan_on_one_point() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    // Each member has its own id for the common multi-VM point 10 minutes ago.
    rec.expect_recovery_points().returning(|i| {
        Ok(vec![
            point(&format!("{i}-sync"), 10, Consistency::ApplicationConsistent),
            point(&format!("{i}-latest"), 1, Consistency::CrashConsistent),
        ])
    });
    rec.expect_azure_vm_shut_down().returning(|_| Ok(true));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    let plan_target = Target::RecoveryPlan("rp-app".into());
    let t = plan_target.clone();
    rec.expect_failover()
        .times(1)
        .withf(move |target, r| *target == t && r.point == PointSpec::Id("db-sync".into()))
        .returning(|_, _| Ok(JobId("fo-rp".into())));
    let t = plan_target.clone();
    rec.expect_commit()
        .times(1)
        .withf(move |target| *target == t)
        .returning(|_| Ok(JobId("commit-rp".into())));
    rec.expect_reprotect().never();
    onprem
        .expect_vm_runtime()
        .returning(|i| Ok(Some(running(i))));
    let o = orchestrator(rec, onprem, RunSettings::default());
    let request = Request {
        recovery_point: PointChoice::Point {
            id: "db-sync".into(),
        },
        ..Request::default()
    };
    let plan = plan_of(
        vec![group(
            "app",
            "rp-app",
            &["db", "web"],
            S::ReplicatingToOnPrem,
            &[Stage::Failover, Stage::Commit],
        )],
        request,
    );
    let (report, journal) = run(&o, &plan, "group").await;

    for it in &report.items {
        assert_eq!(it.status, ItemStatus::Done, "{}", it.item);
        assert_eq!(it.data_loss_seconds, Some(600), "{}", it.item);
        assert_eq!(it.stages[0].job, Some(JobId("fo-rp".into())));
    }
    let intents: Vec<&OpKey> = journal
        .iter()
        .filter_map(|e| match e {
            Entry::Intent { op, .. } => Some(op),
            _ => None,
        })
        .collect();
    assert_eq!(intents.len(), 2);
    assert!(intents.iter().all(|op| op.target == plan_target));
}

#[tokio::test(start_paused = true)]
async fn a_group_member_refused_stops_the_whole_group() {
    let mut rec = MockRecoveryProvider::new();
    // web replicates when the wait-healthy phase looks, not when the group's failover
    // check looks.
    let reads = std::sync::atomic::AtomicUsize::new(0);
    rec.expect_protection_state().returning(move |i| {
        let first = i != "web" || reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
        Ok(if first {
            S::ReplicatingToOnPrem
        } else {
            S::FailedOverToAzure
        })
    });
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p1", 5, Consistency::CrashConsistent)]));
    rec.expect_failover().never();
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let plan = plan_of(
        vec![group(
            "app",
            "rp-app",
            &["db", "web"],
            S::ReplicatingToOnPrem,
            &[Stage::Failover],
        )],
        Request::default(),
    );
    let (report, _) = run(&o, &plan, "group-refused").await;
    for it in &report.items {
        let (stage, cause) = failed_in(it);
        assert_eq!(stage, Stage::Failover);
        assert!(cause.contains("web"), "{cause}");
    }
}

// ----- invariant 3 and retries -----

#[tokio::test(start_paused = true)]
async fn a_retryable_error_is_retried_after_a_backoff_honouring_retry_after() {
    let mut rec = MockRecoveryProvider::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    rec.expect_reprotect().times(2).returning(move |_, _| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(Error::provider("mock", ErrorKind::RateLimited, "429")
                .with_retry_after(Duration::from_secs(30)))
        } else {
            Ok(JobId("rp-1".into()))
        }
    });
    // Before retrying, the orchestrator asks whether the throttled call took effect.
    rec.expect_find_jobs()
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let mut rx = o.subscribe();
    let plan = plan_of(
        vec![single("web-01", S::FailedOverToAzure, &[Stage::Reprotect])],
        Request::default(),
    );
    let start = tokio::time::Instant::now();
    let (report, _) = run(&o, &plan, "retry").await;

    assert_eq!(report.items[0].status, ItemStatus::Done);
    assert!(start.elapsed() >= Duration::from_secs(30));
    let retries: Vec<u64> = drain(&mut rx)
        .iter()
        .filter_map(|e| match e {
            Event::Retry {
                wait_ms,
                attempt: 1,
                ..
            } => Some(*wait_ms),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 1);
    assert!(retries[0] >= 30_000, "{retries:?}");
}

#[tokio::test(start_paused = true)]
async fn a_non_retryable_error_fails_its_unit_at_once_and_other_units_go_on() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect().times(2).returning(|t, _| {
        if *t == Target::Item("bad".into()) {
            Err(err(ErrorKind::PermissionDenied))
        } else {
            Ok(JobId("rp-good".into()))
        }
    });
    rec.expect_find_jobs().never();
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let plan = plan_of(
        vec![
            single("bad", S::FailedOverToAzure, &[Stage::Reprotect]),
            single("good", S::FailedOverToAzure, &[Stage::Reprotect]),
        ],
        Request::default(),
    );
    let (report, _) = run(&o, &plan, "non-retryable").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Reprotect);
    assert!(
        cause.contains("permission denied") && cause.contains("item bad"),
        "{cause}"
    );
    assert_eq!(report.items[1].status, ItemStatus::Done);
}

#[tokio::test(start_paused = true)]
async fn a_lost_response_reattaches_to_the_job_instead_of_issuing_again() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect()
        .times(1)
        .returning(|_, _| Err(err(ErrorKind::Timeout)));
    rec.expect_find_jobs()
        .times(1)
        .returning(|_, _| Ok(vec![status(&JobId("rp-lost".into()), JobState::InProgress)]));
    rec.expect_job()
        .withf(|j| j.0 == "rp-lost")
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::FailedOverToAzure, &[Stage::Reprotect])],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "lost-response").await;

    assert_eq!(report.items[0].status, ItemStatus::Done);
    assert_eq!(report.items[0].stages[0].job, Some(JobId("rp-lost".into())));
    assert!(journal.iter().any(|e| matches!(e,
        Entry::JobStarted { job, reattached: true, .. } if job.0 == "rp-lost")));
}

// ----- deadline, cancellation, dry run -----

#[tokio::test(start_paused = true)]
async fn a_job_past_the_stage_deadline_fails_the_item() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect()
        .times(1)
        .returning(|_, _| Ok(JobId("rp-slow".into())));
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    rec.expect_job().returning(move |j| {
        p.fetch_add(1, Ordering::SeqCst);
        Ok(JobStatus {
            poll_after: Some(Duration::from_secs(60)),
            ..status(j, JobState::InProgress)
        })
    });
    rec.expect_failover().never();
    let settings = RunSettings {
        stage_deadline: Duration::from_secs(600),
        ..RunSettings::default()
    };
    let o = orchestrator(rec, MockOnPremProvider::new(), settings);
    let plan = plan_of(
        vec![single(
            "web-01",
            S::FailedOverToAzure,
            &[Stage::Reprotect, Stage::Failover],
        )],
        Request::default(),
    );
    let start = tokio::time::Instant::now();
    let (report, _) = run(&o, &plan, "deadline").await;

    let (stage, cause) = failed_in(&report.items[0]);
    assert_eq!(stage, Stage::Reprotect);
    assert!(cause.contains("did not finish within 600 s"), "{cause}");
    assert_eq!(start.elapsed(), Duration::from_secs(600));
    // The provider's 60 s poll interval was honoured.
    assert_eq!(polls.load(Ordering::SeqCst), 11);
}

#[tokio::test(start_paused = true)]
async fn a_job_that_keeps_progressing_outlives_the_stage_deadline() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect()
        .times(1)
        .returning(|_, _| Ok(JobId("rp-long".into())));
    let start = tokio::time::Instant::now();
    // A copy of 50 minutes that gains a percent every 30 s: five times the deadline.
    rec.expect_job().returning(move |j| {
        let pct = (start.elapsed().as_secs() / 30).min(100) as u8;
        let state = if pct >= 100 {
            JobState::Succeeded
        } else {
            JobState::InProgress
        };
        Ok(JobStatus {
            progress: Some(pct),
            poll_after: Some(Duration::from_secs(60)),
            ..status(j, state)
        })
    });
    let settings = RunSettings {
        stage_deadline: Duration::from_secs(600),
        ..RunSettings::default()
    };
    let o = orchestrator(rec, MockOnPremProvider::new(), settings);
    let plan = plan_of(
        vec![single("web-01", S::FailedOverToAzure, &[Stage::Reprotect])],
        Request::default(),
    );
    let (report, _) = run(&o, &plan, "progressing").await;
    assert!(
        matches!(report.items[0].status, ItemStatus::Done),
        "{:?}",
        report.items[0].status
    );
    assert!(start.elapsed() >= Duration::from_secs(3000));
}

#[tokio::test(start_paused = true)]
async fn cancelling_stops_new_operations_and_leaves_the_running_job_alone() {
    let cancel = CancellationToken::new();
    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect()
        .times(1)
        .returning(|_, _| Ok(JobId("rp-1".into())));
    let c = cancel.clone();
    rec.expect_job().returning(move |j| {
        c.cancel();
        Ok(status(j, JobState::InProgress))
    });
    rec.expect_cancel().never();
    rec.expect_failover().never();
    // One unit at a time: web-02 has not started when the run is cancelled.
    let settings = RunSettings {
        concurrency: 1,
        ..RunSettings::default()
    };
    let o = orchestrator(rec, MockOnPremProvider::new(), settings);
    let plan = plan_of(
        vec![
            single(
                "web-01",
                S::FailedOverToAzure,
                &[Stage::Reprotect, Stage::Failover],
            ),
            single(
                "web-02",
                S::FailedOverToAzure,
                &[Stage::Reprotect, Stage::Failover],
            ),
        ],
        Request::default(),
    );
    let path = journal_path("cancel");
    let report = o
        .run(&plan, Journal::create(&path).unwrap(), cancel)
        .await
        .unwrap();

    assert_eq!(report.pending(), 2);
    assert_eq!(report.items[0].stages[0].job, Some(JobId("rp-1".into())));
    assert_eq!(report.items[0].stages[0].ok, None);
    let journal = entries(&path);
    assert!(journal
        .iter()
        .any(|e| matches!(e, Entry::JobStarted { .. })));
    assert!(!journal
        .iter()
        .any(|e| matches!(e, Entry::JobFinished { .. } | Entry::RunFinished { .. })));
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_issues_no_mutation_and_still_checks_what_it_can() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_reprotect().never();
    rec.expect_failover().never();
    rec.expect_commit().never();
    rec.expect_cancel().never();
    rec.expect_job().never();
    rec.expect_find_jobs().never();
    // Only the item already replicating can be checked for real.
    // Read by the wait-healthy phase and by the failover's check.
    rec.expect_protection_state()
        .times(2)
        .withf(|i| i == "ready")
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .times(2)
        .withf(|i| i == "ready")
        .returning(|_| Ok(vec![point("p1", 3, Consistency::CrashConsistent)]));
    onprem.expect_vm_runtime().never();
    let settings = RunSettings {
        dry_run: true,
        ..RunSettings::default()
    };
    let o = orchestrator(rec, onprem, settings);
    let plan = plan_of(
        vec![
            single("fresh", S::FailedOverToAzure, ALL),
            single("ready", S::ReplicatingToOnPrem, FROM_REPLICATING),
        ],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "dry-run").await;

    assert!(report.dry_run);
    assert_eq!(report.done(), 2);
    assert!(report
        .items
        .iter()
        .flat_map(|i| &i.stages)
        .all(|s| s.dry_run && s.job.is_none()));
    assert_eq!(report.items[1].data_loss_seconds, Some(180));
    assert!(!journal
        .iter()
        .any(|e| matches!(e, Entry::Intent { .. } | Entry::JobStarted { .. })));
}

// ----- resume and the journal -----

fn started(plan: &Plan) -> Entry {
    Entry::RunStarted {
        format: crate::journal::FORMAT.into(),
        run_id: "run-1".into(),
        at: t0(),
        plan: Box::new(plan.clone()),
        settings: Default::default(),
    }
}

fn key(item: &str, stage: Stage) -> OpKey {
    OpKey::new(Target::Item(item.into()), stage)
}

#[tokio::test(start_paused = true)]
async fn resume_reattaches_to_a_recorded_job_instead_of_issuing_again() {
    let plan = plan_of(
        vec![
            single("a", S::FailedOverToAzure, &[Stage::Reprotect]),
            single("b", S::FailedOverToAzure, &[Stage::Reprotect]),
            single("c", S::FailedOverToAzure, &[Stage::Reprotect]),
        ],
        Request::default(),
    );
    let path = journal_path("resume");
    let mut j = Journal::create(&path).unwrap();
    j.append(&started(&plan)).unwrap();
    for (item, job, finished) in [("a", "rp-a", true), ("b", "rp-b", false)] {
        j.append(&Entry::Intent {
            op: key(item, Stage::Reprotect),
            at: t0(),
        })
        .unwrap();
        j.append(&Entry::JobStarted {
            op: key(item, Stage::Reprotect),
            job: JobId(job.into()),
            at: t0(),
            reattached: false,
        })
        .unwrap();
        if finished {
            j.append(&Entry::JobFinished {
                op: key(item, Stage::Reprotect),
                job: JobId(job.into()),
                state: JobState::Succeeded,
                error: None,
                at: t0(),
            })
            .unwrap();
        }
    }
    // c: the intent made it to the journal, the job id did not (the crash tore it).
    j.append(&Entry::Intent {
        op: key("c", Stage::Reprotect),
        at: t0(),
    })
    .unwrap();
    j.crash_at_record(j.records() + 1);
    assert!(j
        .append(&Entry::JobStarted {
            op: key("c", Stage::Reprotect),
            job: JobId("rp-c".into()),
            at: t0(),
            reattached: false
        })
        .is_err());
    drop(j);

    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect().never();
    rec.expect_find_jobs()
        .times(1)
        .withf(|t, _| *t == Target::Item("c".into()))
        .returning(|_, _| Ok(vec![status(&JobId("rp-c".into()), JobState::InProgress)]));
    rec.expect_job()
        .times(2)
        .withf(|j| j.0 == "rp-b" || j.0 == "rp-c")
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let mut rx = o.subscribe();
    let opened = Journal::open(&path).unwrap();
    assert!(opened.warning.is_some());
    let report = o.resume(opened, CancellationToken::new()).await.unwrap();

    assert_eq!(report.run_id, "run-1");
    assert_eq!(report.done(), 3);
    let jobs: Vec<_> = report
        .items
        .iter()
        .map(|i| i.stages[0].job.clone().unwrap().0)
        .collect();
    assert_eq!(jobs, ["rp-a", "rp-b", "rp-c"]);
    assert!(
        report.warnings.iter().any(|w| w.contains("torn")),
        "{:?}",
        report.warnings
    );
    let events = drain(&mut rx);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Warning { message } if message.contains("torn"))));
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::RunStarted { resumed: true, .. })));
}

#[tokio::test(start_paused = true)]
async fn resume_issues_an_intent_that_never_reached_the_provider_exactly_once() {
    let plan = plan_of(
        vec![single("a", S::FailedOverToAzure, &[Stage::Reprotect])],
        Request::default(),
    );
    let path = journal_path("resume-issue");
    let mut j = Journal::create(&path).unwrap();
    j.append(&started(&plan)).unwrap();
    j.append(&Entry::Intent {
        op: key("a", Stage::Reprotect),
        at: t0(),
    })
    .unwrap();
    drop(j);

    let mut rec = MockRecoveryProvider::new();
    // No job: the call never reached the provider, so it is issued now, once.
    rec.expect_find_jobs()
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    rec.expect_reprotect()
        .times(1)
        .returning(|_, _| Ok(JobId("rp-a".into())));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let report = o
        .resume(Journal::open(&path).unwrap(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(report.done(), 1);
    let intents = entries(&path)
        .iter()
        .filter(|e| matches!(e, Entry::Intent { .. }))
        .count();
    assert_eq!(intents, 1);
}

/// A resume whose intent has no job record, with the provider telling job start times.
async fn resume_with_found_job(found: JobStatus) -> (RunReport, usize) {
    let plan = plan_of(
        vec![single("a", S::FailedOverToAzure, &[Stage::Reprotect])],
        Request::default(),
    );
    let path = journal_path(&format!("resume-start-{}", found.id.0));
    let mut j = Journal::create(&path).unwrap();
    j.append(&started(&plan)).unwrap();
    j.append(&Entry::Intent {
        op: key("a", Stage::Reprotect),
        at: t0(),
    })
    .unwrap();
    drop(j);
    let mut rec = MockRecoveryProvider::new();
    let f = found.clone();
    rec.expect_find_jobs()
        .times(1)
        .returning(move |_, _| Ok(vec![f.clone()]));
    let issued = Arc::new(AtomicUsize::new(0));
    let n = issued.clone();
    rec.expect_reprotect().returning(move |_, _| {
        n.fetch_add(1, Ordering::SeqCst);
        Ok(JobId("rp-new".into()))
    });
    rec.expect_job().returning(move |j| {
        if *j == found.id {
            Ok(found.clone())
        } else {
            Ok(status(j, JobState::Succeeded))
        }
    });
    // The reprotect to on-prem leaves the item in the state it starts from only when an
    // older job is found; these tests decide by start time, never by state.
    rec.expect_protection_state().never();
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let report = o
        .resume(Journal::open(&path).unwrap(), CancellationToken::new())
        .await
        .unwrap();
    (report, issued.load(Ordering::SeqCst))
}

#[tokio::test(start_paused = true)]
async fn resume_takes_a_failed_job_started_after_the_intent_as_its_own_and_does_not_issue_again() {
    let found = JobStatus {
        started_at: Some(t0() + chrono::Duration::seconds(3)),
        ..status(&JobId("rp-ours".into()), JobState::Failed)
    };
    let (report, issued) = resume_with_found_job(found).await;
    assert_eq!(issued, 0, "the operation took effect once already");
    assert_eq!(report.failed(), 1);
    match &report.items[0].status {
        ItemStatus::Failed { cause, .. } => assert!(cause.contains("disk write error"), "{cause}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn resume_issues_again_when_the_only_job_found_started_before_the_intent() {
    let found = JobStatus {
        started_at: Some(t0() - chrono::Duration::hours(3)),
        ..status(&JobId("rp-old".into()), JobState::Succeeded)
    };
    let (report, issued) = resume_with_found_job(found).await;
    assert_eq!(issued, 1, "an older failback's job is not this run's");
    assert_eq!(report.done(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_journal_write_failure_stops_the_run_before_the_next_mutation() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    healthy_reads(&mut rec, &mut onprem);
    rec.expect_reprotect()
        .times(1)
        .returning(|_, _| Ok(JobId("rp-1".into())));
    rec.expect_failover().never();
    let o = orchestrator(rec, onprem, RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::FailedOverToAzure, ALL)],
        Request::default(),
    );
    let path = journal_path("journal-fails");
    let mut j = Journal::create(&path).unwrap();
    // 1 run started, 2 intent, 3 job started, 4 job finished, 5-6 checks, 7 failover intent.
    j.crash_at_record(7);
    let result = o.run(&plan, j, CancellationToken::new()).await;

    assert!(
        matches!(result, Err(Error::JournalWrite { .. })),
        "{result:?}"
    );
    let opened = Journal::open(&path).unwrap();
    assert_eq!(opened.entries.len(), 6);
    assert!(opened.warning.is_some());
}

// ----- after failback -----

fn linux_item_with_static_address() -> ProtectedItem {
    serde_json::from_value(serde_json::json!({
        "id": "web-01",
        "name": "web-01",
        "kind": "vmware_vm",
        "os": {"family": "linux", "version": "RHEL 8"},
        "disks": [{"name": "d0", "capacity_bytes": 1024}],
        "state": "replicating_to_on_prem",
        "on_prem_addresses": [{"nic": "eth0", "address": "10.0.0.5", "static": true}]
    }))
    .unwrap()
}

#[tokio::test(start_paused = true)]
async fn failback_reports_missing_network_manager_and_the_static_address_to_restore() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    rec.expect_protection_state()
        .returning(|_| Ok(S::ReplicatingToOnPrem));
    rec.expect_recovery_points()
        .returning(|_| Ok(vec![point("p1", 5, Consistency::CrashConsistent)]));
    rec.expect_azure_vm_shut_down().returning(|_| Ok(true));
    rec.expect_job()
        .returning(|j| Ok(status(j, JobState::Succeeded)));
    accepting_mutations(&mut rec);
    // The VM comes up 90 s after the failover job ended.
    let origin = tokio::time::Instant::now();
    onprem.expect_vm_runtime().returning(move |i| {
        let up = origin.elapsed() >= Duration::from_secs(90);
        Ok(Some(VmRuntime {
            powered_on: up,
            nics: vec![GuestNic {
                name: "eth0".into(),
                ip_address: Some("10.0.0.77".parse().unwrap()),
                dhcp: true,
            }],
            packages: Some(vec!["openssh-server".into(), "kernel".into()]),
            ..running(i)
        }))
    });
    let o = orchestrator(rec, onprem, RunSettings::default());
    let mut rx = o.subscribe();
    // The plan carries the guest facts: the run reads no estate.
    let mut unit = single("web-01", S::ReplicatingToOnPrem, FROM_REPLICATING);
    unit.items[0].guest = Some(GuestFacts::of(&linux_item_with_static_address()));
    let plan = plan_of(vec![unit], Request::default());
    let (report, _) = run(&o, &plan, "findings").await;

    let it = &report.items[0];
    assert_eq!(it.status, ItemStatus::Done);
    let rules: Vec<RuleId> = it.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, [RuleId::Ops002, RuleId::Ops003]);
    assert!(
        it.findings[1].remediation.contains("10.0.0.5")
            && it.findings[1].remediation.contains("eth0")
    );
    // Polls at 0, 15, 45, 105 s: first seen running at 105 s.
    assert_eq!(it.recovery_time_seconds, Some(105));
    assert_eq!(it.data_loss_seconds, Some(300));
    let events = drain(&mut rx);
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::Finding(_)))
            .count(),
        2
    );
    // Reprotect to Azure went the other way, with the return process server.
    assert!(it.stages[2]
        .job
        .as_ref()
        .unwrap()
        .0
        .contains(&format!("{:?}", Direction::OnPremToAzure)));
}

#[tokio::test(start_paused = true)]
async fn a_whole_failback_journals_every_intent_before_its_job_and_ends_done() {
    let mut rec = MockRecoveryProvider::new();
    let mut onprem = MockOnPremProvider::new();
    healthy_reads(&mut rec, &mut onprem);
    accepting_mutations(&mut rec);
    let o = orchestrator(rec, onprem, RunSettings::default());
    let plan = plan_of(
        (0..5)
            .map(|i| single(&format!("vm-{i}"), S::FailedOverToAzure, ALL))
            .collect(),
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "whole").await;
    assert_eq!(report.done(), 5);
    let mut intents = std::collections::HashSet::new();
    for e in &journal {
        match e {
            Entry::Intent { op, .. } => assert!(intents.insert(op.clone()), "{op:?} twice"),
            Entry::JobStarted { op, .. } => assert!(intents.contains(op)),
            _ => {}
        }
    }
    assert_eq!(intents.len(), 20);
    assert!(matches!(journal.last(), Some(Entry::RunFinished { .. })));
}

mod phases;

// ----- the error contract: typed to the end -----

fn asr_job_error() -> crate::JobError {
    crate::JobError {
        code: Some("78093".into()),
        message: "the VM is not running".into(),
        possible_causes: vec!["the Azure VM was shut down".into()],
        recommended_action: Some("start the VM and retry".into()),
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_jobs_error_is_typed_in_the_report_the_events_and_the_journal() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect()
        .returning(|_, _| Ok(JobId("rp-9".into())));
    rec.expect_job().returning(|j| {
        Ok(JobStatus {
            error: Some(asr_job_error()),
            ..JobStatus::new(j.clone(), JobState::Failed)
        })
    });
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let mut events = o.subscribe();
    let plan = plan_of(
        vec![single("web-01", S::FailedOverToAzure, &[Stage::Reprotect])],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "typed-job-error").await;
    match &report.items[0].status {
        ItemStatus::Failed {
            stage,
            cause,
            kind,
            job_error,
        } => {
            assert_eq!(*stage, Stage::Reprotect);
            assert_eq!(*kind, Some(ErrorKind::JobFailed));
            assert_eq!(job_error.as_ref(), Some(&asr_job_error()));
            // The cause line says it all for people: code, cause and action.
            for part in ["78093", "shut down", "start the VM", "rp-9"] {
                assert!(cause.contains(part), "{part}: {cause}");
            }
        }
        other => panic!("{other:?}"),
    }
    // A JSON round trip of the run report keeps the code, causes and action.
    let back: RunReport = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(back, report);
    // The journal keeps it on the job's end and on the item's failure.
    assert!(journal.iter().any(|e| matches!(e,
        Entry::JobFinished { error: Some(j), .. } if *j == asr_job_error())));
    assert!(journal.iter().any(|e| matches!(e,
        Entry::ItemFailed { kind: Some(ErrorKind::JobFailed), job_error: Some(j), .. }
            if *j == asr_job_error())));
    // And so do the events.
    let mut failed = None;
    let mut finished = None;
    while let Ok(e) = events.try_recv() {
        match e {
            Event::ItemFailed {
                kind, job_error, ..
            } => failed = Some((kind, job_error)),
            Event::StageFinished { error: Some(f), .. } => finished = Some(f),
            _ => {}
        }
    }
    assert_eq!(failed, Some((ErrorKind::JobFailed, Some(asr_job_error()))));
    let f = finished.unwrap();
    assert_eq!(
        (f.kind, f.job_error),
        (ErrorKind::JobFailed, Some(asr_job_error()))
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_calls_kind_request_id_and_source_reach_the_report() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_reprotect().returning(|_, _| {
        Err(
            Error::provider("azure", ErrorKind::PermissionDenied, "AuthorizationFailed")
                .with_request_id("req-42")
                .with_source(std::io::Error::other("403 Forbidden")),
        )
    });
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let plan = plan_of(
        vec![single("web-01", S::FailedOverToAzure, &[Stage::Reprotect])],
        Request::default(),
    );
    let (report, journal) = run(&o, &plan, "typed-call-error").await;
    match &report.items[0].status {
        ItemStatus::Failed { kind, cause, .. } => {
            assert_eq!(*kind, Some(ErrorKind::PermissionDenied));
            assert!(
                cause.contains("req-42") && cause.contains("reprotect"),
                "{cause}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(journal.iter().any(|e| matches!(
        e,
        Entry::ItemFailed {
            kind: Some(ErrorKind::PermissionDenied),
            ..
        }
    )));
}

#[test]
fn every_kind_has_a_status_and_context_and_source_survive() {
    use std::error::Error as _;
    for kind in ErrorKind::ALL {
        let e = Error::provider("lab", kind, "x");
        assert_eq!(e.status(), kind.status(), "{kind}");
        assert_eq!(e.kind(), Some(kind));
        // Only temporary kinds are retried at once (NotReady waits on its own budget).
        assert!(!e.is_retryable() || kind.status() == crate::ErrorStatus::Temporary);
        assert!(!kind.to_string().is_empty());
    }
    let e = Error::provider("azure", ErrorKind::Unavailable, "503")
        .with_operation("reprotect", "item web-01")
        .with_request_id("req-1")
        .with_retry_after(Duration::from_secs(5))
        .with_job_error(asr_job_error())
        .with_source(std::io::Error::other("connection reset"));
    assert!(e.is_retryable());
    let text = e.to_string();
    for part in [
        "azure",
        "unavailable",
        "reprotect of item web-01",
        "503",
        "78093",
        "req-1",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let source = e.source().unwrap();
    assert_eq!(source.to_string(), "connection reset");
    // An adapter that spent its own retry budget says so: not retried again.
    let spent = e.with_status(crate::ErrorStatus::Persistent);
    assert!(!spent.is_retryable());
    assert_eq!(spent.status(), crate::ErrorStatus::Persistent);
    // The kinds of the run's own refusals.
    let inv = Error::Invariant {
        item: "a".into(),
        message: "no".into(),
    };
    assert_eq!(inv.kind(), Some(ErrorKind::Refused));
}

#[tokio::test(start_paused = true)]
async fn a_provider_without_recovery_plans_refuses_a_group_plan_before_the_run() {
    let mut rec = MockRecoveryProvider::new();
    rec.expect_capability().returning(|| RecoveryCapability {
        classic: true,
        cancel: true,
        ..RecoveryCapability::default()
    });
    rec.expect_failover().never();
    rec.expect_reprotect().never();
    rec.expect_protection_state().never();
    let o = orchestrator(rec, MockOnPremProvider::new(), RunSettings::default());
    let plan = plan_of(
        vec![group(
            "app",
            "rp-app",
            &["db", "web"],
            S::ReplicatingToOnPrem,
            &[Stage::Failover, Stage::Commit],
        )],
        Request::default(),
    );
    let path = journal_path("no-recovery-plans");
    let err = o
        .run(
            &plan,
            Journal::create(&path).unwrap(),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::Refused));
    let text = err.to_string();
    assert!(
        text.contains("rp-app") && text.contains("no recovery plans"),
        "{text}"
    );
    assert!(
        std::fs::read(&path).unwrap().is_empty(),
        "nothing journaled"
    );
}
