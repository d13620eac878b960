//! Unit tests of the lab site: life cycles through both providers, recovery plans, refused
//! transitions and the violations they count, faults at their rates, lost responses.

use std::net::IpAddr;
use std::time::Duration;

use super::*;
use failback_core::estate::{Consistency, OnPremAddress};
use failback_core::provider::{
    Direction, FailoverRequest, JobId, JobState, JobStatus, OnPremProvider, PointSpec,
    RecoveryProvider, ReprotectRequest, Target, VmSpec,
};
use failback_core::state::{Operation, ProtectionState};
use failback_core::ErrorKind;

fn healthy() -> Estate {
    Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap()
}

/// Virtual time (the tests run on tokio's paused clock): hours of lab jobs in no wall time.
fn fast() -> LabSettings {
    LabSettings {
        seed: 42,
        virtual_time: true,
        ..LabSettings::default()
    }
}

fn item(id: &str) -> Target {
    Target::Item(id.to_string())
}

fn to_onprem(mt: &str, ds: &str) -> ReprotectRequest {
    ReprotectRequest {
        direction: Direction::AzureToOnPrem,
        master_target: Some(mt.to_string()),
        process_server: Some("ps-azure-01".to_string()),
        datastore: Some(ds.to_string()),
        retention_volume: None,
        policy: None,
        members: Vec::new(),
    }
}

fn to_azure() -> ReprotectRequest {
    ReprotectRequest {
        direction: Direction::OnPremToAzure,
        master_target: None,
        process_server: Some("ps-onprem-01".to_string()),
        datastore: None,
        retention_volume: None,
        policy: None,
        members: Vec::new(),
    }
}

fn latest() -> FailoverRequest {
    FailoverRequest {
        point: PointSpec::Latest,
        planned: false,
    }
}

/// Poll a job on the lab's clock until it ends.
async fn wait(lab: &LabSite, job: &JobId) -> JobStatus {
    let asr = lab.recovery();
    loop {
        let s = asr.job(job).await.unwrap();
        if s.state.is_final() {
            return s;
        }
        assert!(s.progress.is_some_and(|p| p < 100));
        lab.clock()
            .sleep(s.poll_after.unwrap_or(Duration::from_secs(30)))
            .await;
    }
}

fn kind(e: &failback_core::Error) -> Option<ErrorKind> {
    e.kind()
}

#[tokio::test(start_paused = true)]
async fn full_life_cycle_through_both_providers() {
    let lab = LabSite::new(healthy(), fast());
    let asr = lab.recovery();
    let vs = lab.onprem();
    // web-01 fails back into its original VM, app-01 (physical) into a new one.
    for (id, mt, ds) in [
        ("web-01", "mt-win-01", "ds-01"),
        ("app-01", "mt-win-01", "ds-01"),
    ] {
        let t = item(id);
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::FailedOverToAzure
        );
        assert!(!asr.azure_vm_shut_down(id).await.unwrap());

        let job = asr.reprotect(&t, &to_onprem(mt, ds)).await.unwrap();
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::Reprotecting
        );
        let started = lab.now();
        let timing = lab.item_timing(id).unwrap();
        let s = wait(&lab, &job).await;
        assert_eq!(s.state, JobState::Succeeded, "{s:?}");
        assert_eq!(s.progress, Some(100));
        // Alone on its link: its setup then its bytes, as the item's timing says.
        let took = (lab.now() - started).to_std().unwrap();
        let alone = timing.reprotect_setup + links::alone(timing.bytes, timing.link_mbps);
        assert!(
            took >= alone && took < alone + Duration::from_secs(1),
            "{took:?} for {alone:?}"
        );
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::ReplicatingToOnPrem
        );
        // Replication runs: a point at completion, then one every 5 minutes.
        let first = asr.recovery_points(id).await.unwrap();
        assert_eq!(first[0].consistency, Consistency::ApplicationConsistent);
        assert!(first[1..].iter().all(|p| p.time.timestamp() % 300 == 0));
        assert!(first.last().unwrap().time <= lab.now());
        lab.clock().sleep(Duration::from_secs(16 * 60)).await;
        let points = asr.recovery_points(id).await.unwrap();
        assert!(points.len() >= 4, "{points:?}");

        let job = asr.failover(&t, &latest()).await.unwrap();
        assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::FailedBackAwaitingCommit
        );
        assert!(asr.azure_vm_shut_down(id).await.unwrap());
        let chosen = lab.failover_point(id).unwrap();
        assert!(chosen.time >= points.last().unwrap().time);
        let vm = vs.vm_runtime(id).await.unwrap().unwrap();
        assert!(vm.powered_on);
        assert_eq!(vm.guest_running, Some(true));
        assert_eq!(vm.nics.len(), 1);

        let job = asr.commit(&t).await.unwrap();
        assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::CommittedUnprotected
        );
        assert!(asr.recovery_points(id).await.unwrap().is_empty());

        // Once its mobility agent has re-registered.
        lab.clock().sleep(timing.agent_reregistration).await;
        let job = asr.reprotect(&t, &to_azure()).await.unwrap();
        assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::Protected
        );
    }
    let e = lab.estate();
    let web = e.items.iter().find(|i| i.id == "web-01").unwrap();
    assert_eq!(web.original_vm.as_deref(), Some("vm-web-01"));
    assert!(web.azure_vm.as_ref().unwrap().deleted);
    e.validate().unwrap();
    let app = e.items.iter().find(|i| i.id == "app-01").unwrap();
    assert_eq!(
        app.original_vm, None,
        "a physical server has no VM of its own"
    );
    let new_vm = lab.onprem().vm_runtime("app-01").await.unwrap().unwrap().vm;
    let vm = e.vms.iter().find(|v| v.id == new_vm).unwrap();
    assert_eq!(
        (vm.host.as_str(), vm.datastores[0].as_str()),
        ("esx-01", "ds-01")
    );
    assert_eq!(app.master_target.as_deref(), Some("mt-win-01"));

    let c = lab.counters();
    assert!(c.clean(), "{:?}", c.violations);
    for id in ["web-01", "app-01"] {
        let n = c.per_item[id];
        assert_eq!(
            (
                n.reprotect,
                n.failover,
                n.commit,
                n.reprotect_to_azure,
                n.cancel
            ),
            (1, 1, 1, 1, 0)
        );
        assert_eq!(c.issued(&item(id), Operation::Commit), 1);
    }
    assert_eq!(c.total_accepted(Operation::Failover), 2);
    // Untouched items stay where they were.
    assert_eq!(
        asr.protection_state("db-01").await.unwrap(),
        ProtectionState::FailedOverToAzure
    );
    let jobs = asr
        .find_jobs(&item("web-01"), Operation::Reprotect)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn recovery_plan_moves_the_group_on_one_point() {
    let lab = LabSite::new(healthy(), fast());
    let asr = lab.recovery();
    let plan = Target::RecoveryPlan("rp-db".to_string());
    let job = asr
        .reprotect(&plan, &to_onprem("mt-lin-01", "ds-02"))
        .await
        .unwrap();
    for id in ["db-01", "db-02"] {
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::Reprotecting
        );
    }
    assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
    lab.clock().sleep(Duration::from_secs(70 * 60)).await;
    // One snapshot: both members' points at the same instant.
    let e = lab.estate();
    let a = e
        .items
        .iter()
        .find(|i| i.id == "db-01")
        .unwrap()
        .recovery_points
        .clone();
    let b = e
        .items
        .iter()
        .find(|i| i.id == "db-02")
        .unwrap()
        .recovery_points
        .clone();
    assert_eq!(
        a.iter().map(|p| p.time).collect::<Vec<_>>(),
        b.iter().map(|p| p.time).collect::<Vec<_>>()
    );
    assert!(a.iter().all(|p| p.multi_vm_sync));

    let req = FailoverRequest {
        point: PointSpec::LatestApplicationConsistent,
        planned: false,
    };
    let job = asr.failover(&plan, &req).await.unwrap();
    assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
    let pa = lab.failover_point("db-01").unwrap();
    let pb = lab.failover_point("db-02").unwrap();
    assert_eq!((pa.time, &pa.id), (pb.time, &pb.id));
    assert_eq!(pa.consistency, Consistency::ApplicationConsistent);
    // The on-the-hour point, not the first one at reprotect completion.
    assert_eq!(pa.time.timestamp() % 3600, 0);
    for id in ["db-01", "db-02"] {
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::FailedBackAwaitingCommit
        );
    }
    let job = asr.commit(&plan).await.unwrap();
    assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);

    let c = lab.counters();
    assert!(c.clean(), "{:?}", c.violations);
    assert_eq!(c.issued(&plan, Operation::Failover), 1);
    assert_eq!(c.issued(&item("db-01"), Operation::Failover), 0);
    assert_eq!(c.accepted("db-01", Operation::Failover), 1);
    assert_eq!(c.accepted("db-02", Operation::Commit), 1);
    let jobs = asr.find_jobs(&plan, Operation::Failover).await.unwrap();
    assert_eq!(jobs.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_recovery_plan_reprotect_places_each_member_on_its_own_datastore() {
    let lab = LabSite::new(healthy(), fast());
    let asr = lab.recovery();
    let plan = Target::RecoveryPlan("rp-db".to_string());
    let mut req = to_onprem("mt-lin-01", "ds-02");
    req.members = vec![
        failback_core::provider::MemberInputs {
            item: "db-01".into(),
            process_server: Some("ps-azure-01".into()),
            datastore: Some("ds-02".into()),
        },
        failback_core::provider::MemberInputs {
            item: "db-02".into(),
            process_server: Some("ps-azure-01".into()),
            datastore: Some("ds-03".into()),
        },
    ];
    let job = asr.reprotect(&plan, &req).await.unwrap();
    assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
    let job = asr.failover(&plan, &latest()).await.unwrap();
    assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
    let e = lab.estate();
    let on = |vm: &str| {
        e.vms
            .iter()
            .find(|v| v.id == vm)
            .map(|v| v.datastores.clone())
            .unwrap_or_default()
    };
    assert_eq!(on("vm-db-01"), vec!["ds-02".to_string()]);
    assert_eq!(on("vm-db-02"), vec!["ds-03".to_string()]);
    // A member input the site does not know is refused.
    let lab = LabSite::new(healthy(), fast());
    let mut bad = to_onprem("mt-lin-01", "ds-02");
    bad.members = vec![failback_core::provider::MemberInputs {
        item: "db-01".into(),
        process_server: None,
        datastore: Some("ds-nope".into()),
    }];
    let err = lab.recovery().reprotect(&plan, &bad).await.unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::InvalidInput));
}

#[tokio::test(start_paused = true)]
async fn a_group_reprotects_per_member_and_fails_over_whole() {
    let lab = LabSite::new(healthy(), fast());
    let asr = lab.recovery();
    // Reprotect per member (ASR no longer reprotects recovery plans), same master target.
    let mut jobs = Vec::new();
    for id in ["db-01", "db-02"] {
        let job = asr
            .reprotect(&item(id), &to_onprem("mt-lin-01", "ds-02"))
            .await
            .unwrap();
        jobs.push(job);
    }
    for j in &jobs {
        assert_eq!(wait(&lab, j).await.state, JobState::Succeeded);
    }
    // A member alone may not fail over: refused and counted.
    let err = asr.failover(&item("db-01"), &latest()).await.unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Conflict));
    assert!(err.to_string().contains("replication group db"), "{err}");
    let c = lab.counters();
    assert_eq!(c.violations.len(), 1);
    assert_eq!(c.violations[0].kind, ViolationKind::GroupSplit);
    // Right after the last member's reprotect the group has a common point.
    let plan = Target::RecoveryPlan("rp-db".to_string());
    let job = asr.failover(&plan, &latest()).await.unwrap();
    assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
    let (a, b) = (
        lab.failover_point("db-01").unwrap(),
        lab.failover_point("db-02").unwrap(),
    );
    assert_eq!(a.time, b.time);
    assert!(a.multi_vm_sync);
    assert_eq!(lab.counters().violations.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_group_on_two_master_targets_is_counted() {
    let lab = LabSite::new(healthy(), fast());
    let asr = lab.recovery();
    asr.reprotect(&item("db-01"), &to_onprem("mt-lin-01", "ds-02"))
        .await
        .unwrap();
    asr.reprotect(&item("db-02"), &to_onprem("mt-win-01", "ds-01"))
        .await
        .unwrap();
    let c = lab.counters();
    assert_eq!(c.violations.len(), 1);
    assert_eq!(c.violations[0].kind, ViolationKind::GroupSplit);
    assert!(c.violations[0].detail.contains("GRP-002"));
}

#[tokio::test(start_paused = true)]
async fn invalid_transitions_are_refused_and_counted_when_unsafe() {
    let lab = LabSite::new(healthy(), fast());
    let asr = lab.recovery();
    let web = item("web-01");

    // Commit and failover before reprotect: refused, and each breaks an invariant.
    let e = asr.commit(&web).await.unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::Conflict));
    let e = asr.failover(&web, &latest()).await.unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::Conflict));
    // Reprotect to Azure from the wrong state: refused, but no invariant at stake.
    let e = asr.reprotect(&web, &to_azure()).await.unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::Conflict));
    // Unknown inputs and targets.
    let e = asr
        .reprotect(&web, &to_onprem("mt-nope", "ds-01"))
        .await
        .unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::InvalidInput));
    let e = asr.commit(&item("nope")).await.unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::NotFound));

    // The same reprotect twice: the second is refused and counted.
    let job = asr
        .reprotect(&web, &to_onprem("mt-win-01", "ds-01"))
        .await
        .unwrap();
    let e = asr
        .reprotect(&web, &to_onprem("mt-win-01", "ds-01"))
        .await
        .unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::Conflict));
    // Failover while reprotect runs.
    asr.failover(&web, &latest()).await.unwrap_err();

    let kinds: Vec<_> = lab.counters().violations.iter().map(|v| v.kind).collect();
    assert_eq!(
        kinds,
        [
            ViolationKind::CommitBeforeVerifiedFailover,
            ViolationKind::FailoverNotReplicating,
            ViolationKind::IssuedTwice,
            ViolationKind::FailoverNotReplicating,
        ]
    );
    let c = lab.counters();
    assert_eq!(c.issued(&web, Operation::Reprotect), 3);
    assert_eq!(c.accepted("web-01", Operation::Reprotect), 1);

    // A failover whose on-prem VM is off at commit: accepted (ASR would) but counted.
    wait(&lab, &job).await;
    let job = asr.failover(&web, &latest()).await.unwrap();
    wait(&lab, &job).await;
    lab.onprem().set_power("vm-web-01", false).await.unwrap();
    asr.commit(&web).await.unwrap();
    let c = lab.counters();
    let last = c.violations.last().unwrap();
    assert_eq!(last.kind, ViolationKind::CommitBeforeVerifiedFailover);
    assert!(last.detail.contains("not running"), "{}", last.detail);
    assert_eq!(c.violations.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_failed_job_leaves_the_item_as_before_and_may_be_retried() {
    let mut settings = fast();
    settings.faults.job_failure = 1.0;
    let lab = LabSite::new(healthy(), settings);
    let asr = lab.recovery();
    let web = item("web-01");
    for _ in 0..2 {
        let job = asr
            .reprotect(&web, &to_onprem("mt-win-01", "ds-01"))
            .await
            .unwrap();
        let s = wait(&lab, &job).await;
        assert_eq!(s.state, JobState::Failed);
        let e = s.error.unwrap();
        assert!(e.message.contains("injected"), "{e}");
        // Like ASR's: a code, a possible cause and a recommended action.
        assert!(
            e.code.as_deref().is_some_and(|c| c.starts_with("LAB-")),
            "{e}"
        );
        assert_eq!(e.possible_causes.len(), 1, "{e}");
        assert!(e.recommended_action.is_some(), "{e}");
        assert_eq!(
            asr.protection_state("web-01").await.unwrap(),
            ProtectionState::FailedOverToAzure
        );
    }
    let c = lab.counters();
    assert!(c.clean(), "{:?}", c.violations);
    assert_eq!(c.faults.job_failures, 2);
    let jobs = asr.find_jobs(&web, Operation::Reprotect).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs[0].id > jobs[1].id, "newest first");
}

#[tokio::test(start_paused = true)]
async fn cancel_returns_the_item_and_is_counted() {
    let lab = LabSite::new(healthy(), fast());
    let asr = lab.recovery();
    let web = item("web-01");
    let job = asr
        .reprotect(&web, &to_onprem("mt-win-01", "ds-01"))
        .await
        .unwrap();
    asr.cancel(&job).await.unwrap();
    assert_eq!(asr.job(&job).await.unwrap().state, JobState::Cancelled);
    assert_eq!(
        asr.protection_state("web-01").await.unwrap(),
        ProtectionState::FailedOverToAzure
    );
    let e = asr.cancel(&job).await.unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::Conflict));
    // A new reprotect after a cancel is no duplicate.
    asr.reprotect(&web, &to_onprem("mt-win-01", "ds-01"))
        .await
        .unwrap();
    let c = lab.counters();
    assert!(c.clean());
    assert_eq!(c.issued(&web, Operation::CancelFailover), 2);
    assert_eq!(c.per_item["web-01"].cancel, 1);
    assert_eq!(c.per_item["web-01"].reprotect, 2);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["per_target"][0]["target"]["name"], "web-01");
}

#[tokio::test(start_paused = true)]
async fn lost_response_starts_the_job_yet_errs() {
    let mut settings = fast();
    settings.faults.lost_response = 1.0;
    let lab = LabSite::new(healthy(), settings);
    let asr = lab.recovery();
    let web = item("web-01");
    let e = asr
        .reprotect(&web, &to_onprem("mt-win-01", "ds-01"))
        .await
        .unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::Unavailable));
    assert!(e.is_retryable());
    // The job runs: a careful caller finds it and re-attaches.
    assert_eq!(
        asr.protection_state("web-01").await.unwrap(),
        ProtectionState::Reprotecting
    );
    let jobs = asr.find_jobs(&web, Operation::Reprotect).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].state, JobState::InProgress);
    assert!(lab.counters().clean());
    // A careless one retries blindly: refused and counted.
    let e = asr
        .reprotect(&web, &to_onprem("mt-win-01", "ds-01"))
        .await
        .unwrap_err();
    assert_eq!(kind(&e), Some(ErrorKind::Conflict));
    let c = lab.counters();
    assert_eq!(c.violations.len(), 1);
    assert_eq!(c.violations[0].kind, ViolationKind::IssuedTwice);
    assert_eq!(c.faults.lost_responses, 1);
    assert_eq!(wait(&lab, &jobs[0].id).await.state, JobState::Succeeded);
}

/// Fault outcomes of `n` reads on the items of a fixed lab, as a string per call.
async fn read_outcomes(seed: u64, faults: Faults, n: usize) -> (Vec<String>, Counters) {
    let settings = LabSettings {
        seed,
        faults,
        ..fast()
    };
    let lab = LabSite::generated(50, 1, settings);
    let ids: Vec<String> = lab.estate().items.iter().map(|i| i.id.clone()).collect();
    let asr = lab.recovery();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let id = &ids[k % ids.len()];
        out.push(match asr.protection_state(id).await {
            Ok(_) => "ok".to_string(),
            Err(e) => {
                if e.kind() == Some(ErrorKind::RateLimited) {
                    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
                }
                assert!(e.is_retryable());
                format!("{:?}", e.kind())
            }
        });
    }
    (out, lab.counters())
}

#[tokio::test(start_paused = true)]
async fn faults_come_at_their_rates_and_replay_with_the_seed() {
    let faults = Faults {
        transient: 0.10,
        throttle: 0.05,
        retry_after: Duration::from_secs(7),
        ..Faults::default()
    };
    let n = 20_000;
    let (a, c) = read_outcomes(3, faults.clone(), n).await;
    let rate = |x: u64| x as f64 / n as f64;
    assert_eq!(c.faults.calls, n as u64);
    assert!(
        (rate(c.faults.throttled) - 0.05).abs() < 0.01,
        "{:?}",
        c.faults
    );
    // Transient errors are drawn for calls not throttled.
    assert!(
        (rate(c.faults.transient) - 0.095).abs() < 0.012,
        "{:?}",
        c.faults
    );
    assert!(a.iter().any(|s| s.contains("Timeout")));
    assert!(a.iter().any(|s| s.contains("Unavailable")));
    let (b, _) = read_outcomes(3, faults.clone(), n).await;
    assert_eq!(a, b, "same seed, same faults");
    let (d, _) = read_outcomes(4, faults, n).await;
    assert_ne!(a, d, "another seed, other faults");
}

#[tokio::test(start_paused = true)]
async fn job_failures_come_at_their_rate() {
    let settings = LabSettings {
        faults: Faults {
            job_failure: 0.2,
            ..Faults::default()
        },
        timing: fixed_timing(Duration::ZERO),
        ..fast()
    };
    let lab = LabSite::generated(1000, 5, settings);
    let asr = lab.recovery();
    let ids: Vec<String> = lab
        .estate()
        .items
        .iter()
        .filter(|i| i.replication_group.is_none() && i.state == ProtectionState::FailedOverToAzure)
        .map(|i| i.id.clone())
        .collect();
    assert!(ids.len() > 500);
    let mut jobs = Vec::new();
    for id in &ids {
        let req = ReprotectRequest {
            master_target: None,
            datastore: None,
            process_server: None,
            ..to_azure()
        };
        let req = ReprotectRequest {
            direction: Direction::AzureToOnPrem,
            ..req
        };
        jobs.push(asr.reprotect(&item(id), &req).await.unwrap());
    }
    let mut failed = 0;
    for j in &jobs {
        let s = asr.job(j).await.unwrap();
        assert!(s.state.is_final(), "zero-length jobs end at once");
        failed += usize::from(s.state == JobState::Failed);
    }
    let rate = failed as f64 / jobs.len() as f64;
    assert!((rate - 0.2).abs() < 0.05, "{rate}");
    assert_eq!(lab.counters().faults.job_failures, failed as u64);
}

#[tokio::test(start_paused = true)]
async fn durations_are_jittered_within_their_range() {
    // Links without a limit: a reprotect takes its setup only, drawn in 5 to 10 minutes.
    let settings = LabSettings {
        timing: failback_core::timing::TimingModel {
            bandwidth_mbps: u64::MAX,
            ..failback_core::timing::TimingModel::default()
        },
        ..fast()
    };
    let lab = LabSite::generated(200, 9, settings);
    let asr = lab.recovery();
    let e = lab.estate();
    let start = lab.now();
    let mut jobs = Vec::new();
    for it in e
        .items
        .iter()
        .filter(|i| i.replication_group.is_none() && i.state == ProtectionState::FailedOverToAzure)
        .take(40)
    {
        let req = ReprotectRequest {
            direction: Direction::AzureToOnPrem,
            ..to_azure()
        };
        let job = asr.reprotect(&item(&it.id), &req).await.unwrap();
        let s = asr.job(&job).await.unwrap();
        assert!(s.poll_after.unwrap() <= Duration::from_secs(60));
        jobs.push(job);
    }
    // None done before 5 minutes, all by 10, not all at once.
    lab.clock().sleep(Duration::from_secs(299)).await;
    for j in &jobs {
        assert_eq!(asr.job(j).await.unwrap().state, JobState::InProgress);
    }
    // When each job was first seen done, to 20 s.
    let mut first_done = std::collections::BTreeMap::new();
    while lab.now() - start <= chrono::Duration::minutes(10) {
        for j in &jobs {
            if asr.job(j).await.unwrap().state == JobState::Succeeded {
                first_done.entry(j.clone()).or_insert(lab.now());
            }
        }
        lab.clock().sleep(Duration::from_secs(20)).await;
    }
    for j in &jobs {
        assert_eq!(asr.job(j).await.unwrap().state, JobState::Succeeded);
    }
    let mut seen = std::collections::BTreeSet::new();
    for it in e.items.iter().take(60) {
        if let Some(t) = lab.item_timing(&it.id) {
            assert!(t.reprotect_setup >= Duration::from_secs(300));
            assert!(t.reprotect_setup <= Duration::from_secs(600));
            seen.insert(t.reprotect_setup);
        }
    }
    assert!(seen.len() > 10, "jittered: {seen:?}");
    let distinct: std::collections::BTreeSet<_> = first_done.values().collect();
    assert_eq!(first_done.len(), jobs.len());
    assert!(distinct.len() > 5, "{distinct:?}");
}

#[tokio::test(start_paused = true)]
async fn failed_back_vm_shows_ops_002_and_ops_003() {
    let mut e = healthy();
    for it in e
        .items
        .iter_mut()
        .filter(|i| i.id == "db-01" || i.id == "db-02")
    {
        let vm = it.azure_vm.as_mut().unwrap();
        vm.nics[0].dhcp = true;
        if it.id == "db-01" {
            vm.packages = Some(vec!["openssh-server".to_string()]);
        }
        it.on_prem_addresses = vec![OnPremAddress {
            nic: "eth0".to_string(),
            address: "192.168.10.21".parse().unwrap(),
            is_static: true,
        }];
    }
    let lab = LabSite::new(e, fast());
    let asr = lab.recovery();
    let vs = lab.onprem();
    assert_eq!(vs.vm_runtime("db-01").await.unwrap(), None, "no VM yet");
    let plan = Target::RecoveryPlan("rp-db".to_string());
    let job = asr
        .reprotect(&plan, &to_onprem("mt-lin-01", "ds-02"))
        .await
        .unwrap();
    wait(&lab, &job).await;
    let job = asr.failover(&plan, &latest()).await.unwrap();
    wait(&lab, &job).await;
    let db1 = vs.vm_runtime("db-01").await.unwrap().unwrap();
    assert!(db1.powered_on);
    let packages = db1.packages.unwrap();
    assert!(!packages.iter().any(|p| p == "NetworkManager"));
    assert!(db1.nics[0].dhcp, "static on-prem, DHCP in Azure: DHCP now");
    let want: IpAddr = "192.168.10.21".parse().unwrap();
    assert_ne!(db1.nics[0].ip_address, Some(want));
    let db2 = vs.vm_runtime("db-02").await.unwrap().unwrap();
    assert!(db2.packages.unwrap().iter().any(|p| p == "NetworkManager"));
    // Both failed back into new VMs on the master target's host and the datastore given.
    assert_ne!(db1.vm, db2.vm);
    let e = lab.estate();
    let vm = e.vms.iter().find(|v| v.id == db1.vm).unwrap();
    assert_eq!(vm.datastores, ["ds-02"]);
    // Windows items report no packages; a static address kept static stays.
    let web = vs.vm_runtime("web-01").await.unwrap().unwrap();
    assert!(
        !web.powered_on,
        "the original VM is off while the item runs in Azure"
    );
}

#[tokio::test(start_paused = true)]
async fn onprem_operations_in_memory() {
    let lab = LabSite::new(healthy(), fast());
    let vs = lab.onprem();
    assert!(vs.capability().create_vm && vs.capability().power);
    let spec = VmSpec {
        name: "scratch".to_string(),
        host: "esx-01".to_string(),
        datastore: "ds-01".to_string(),
        cpus: 2,
        memory_mib: 4096,
    };
    let vm = vs.create_vm(&spec).await.unwrap();
    let e = vs.create_vm(&spec).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Conflict));
    let bad = VmSpec {
        host: "esx-99".to_string(),
        name: "other".to_string(),
        ..spec
    };
    assert_eq!(
        vs.create_vm(&bad).await.unwrap_err().kind(),
        Some(ErrorKind::InvalidInput)
    );
    vs.attach_disk(&vm, "[ds-01] scratch/disk0.vmdk")
        .await
        .unwrap();
    assert_eq!(
        vs.attach_disk(&vm, "[ds-01] scratch/disk0.vmdk")
            .await
            .unwrap_err()
            .kind(),
        Some(ErrorKind::Conflict)
    );
    vs.detach_disk(&vm, "[ds-01] scratch/disk0.vmdk")
        .await
        .unwrap();
    assert_eq!(
        vs.detach_disk(&vm, "[ds-01] scratch/disk0.vmdk")
            .await
            .unwrap_err()
            .kind(),
        Some(ErrorKind::NotFound)
    );
    // PRE-007: disk.enableUUID on the master target needs it powered off.
    let e = vs
        .set_config_param("mt-win-01", "disk.enableUUID", "True")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Conflict));
    vs.set_power("mt-win-01", false).await.unwrap();
    vs.set_config_param("mt-win-01", "disk.enableUUID", "True")
        .await
        .unwrap();
    vs.set_power(&vm, true).await.unwrap();
    let rt = vs.vm_runtime(&vm).await.unwrap().unwrap();
    assert!(rt.powered_on);
    let half = vs.discover().await.unwrap();
    assert!(half.items.is_empty());
    assert!(half.vms.iter().any(|v| v.id == vm));
    let mt = half
        .master_targets
        .iter()
        .find(|m| m.id == "mt-win-01")
        .unwrap();
    assert_eq!(
        mt.config_params
            .as_ref()
            .unwrap()
            .get("disk.enableUUID")
            .map(String::as_str),
        Some("True")
    );
    let azure = lab.recovery().discover().await.unwrap();
    assert_eq!(azure.items.len(), 4);
    assert!(azure.hosts.is_empty() && azure.vms.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_job_in_flight_in_the_estate_runs_on() {
    let mut e = healthy();
    e.items[0].state = ProtectionState::Reprotecting;
    let id = e.items[0].id.clone();
    let lab = LabSite::new(e, fast());
    let asr = lab.recovery();
    let jobs = asr
        .find_jobs(&item(&id), Operation::Reprotect)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    let s = wait(&lab, &jobs[0].id).await;
    assert_eq!(s.state, JobState::Succeeded);
    assert_eq!(
        asr.protection_state(&id).await.unwrap(),
        ProtectionState::ReplicatingToOnPrem
    );
}

#[tokio::test(start_paused = true)]
async fn generated_replicating_items_fail_over_on_their_points() {
    let lab = LabSite::generated(300, 11, fast());
    let asr = lab.recovery();
    let e = lab.estate();
    let it = e
        .items
        .iter()
        .find(|i| i.state == ProtectionState::ReplicatingToOnPrem && i.replication_group.is_none())
        .unwrap();
    let before = it.recovery_points.len();
    assert!(before > 20);
    lab.clock().sleep(Duration::from_secs(11 * 60)).await;
    let now_points = asr.recovery_points(&it.id).await.unwrap();
    assert!(now_points.len() >= before + 2, "new points appear");
    let job = asr.failover(&item(&it.id), &latest()).await.unwrap();
    assert_eq!(wait(&lab, &job).await.state, JobState::Succeeded);
    let chosen = lab.failover_point(&it.id).unwrap();
    assert!(chosen.time >= now_points.last().unwrap().time);
    assert!(lab.counters().clean());
}

fn lab_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("failback-lab-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("failback.lab.json")
}

#[tokio::test(start_paused = true)]
async fn a_persisted_lab_restores_with_its_jobs_points_and_counters() {
    let path = lab_file("restore");
    let lab = LabSite::generated(20, 3, fast());
    lab.persist_to(&path).unwrap();
    assert_eq!(lab.persisted().unwrap().writes, 1);
    lab.clock().sleep(Duration::from_secs(600)).await;
    let asr = lab.recovery();
    let e = lab.estate();
    let mut alone = e
        .items
        .iter()
        .filter(|i| i.replication_group.is_none() && i.state == ProtectionState::FailedOverToAzure)
        .map(|i| i.id.clone());
    let (a, b) = (alone.next().unwrap(), alone.next().unwrap());
    let req = ReprotectRequest {
        direction: Direction::AzureToOnPrem,
        ..to_azure()
    };
    let job = asr.reprotect(&item(&a), &req).await.unwrap();
    // Refused, a violation: written too.
    assert!(asr.failover(&item(&b), &latest()).await.is_err());
    let before = lab.counters();
    assert_eq!(before.violations.len(), 1);
    let saved = lab.persisted().unwrap();
    assert!(saved.writes >= 3 && saved.last_bytes > 0);
    let saved_at = saved.saved_at.unwrap();
    assert!(saved_at >= lab.settings().start + chrono::Duration::minutes(10));

    // Another "process": the same state, the same job, the clock at the time saved.
    let back = LabSite::restore(&path).unwrap();
    assert_eq!(back.counters(), before);
    assert_eq!(back.settings(), lab.settings());
    assert!(back.now() >= saved_at && back.now() < saved_at + chrono::Duration::minutes(5));
    let s = back.recovery().job(&job).await.unwrap();
    assert_eq!((s.id.clone(), s.state), (job.clone(), JobState::InProgress));
    assert_eq!(
        back.recovery().protection_state(&a).await.unwrap(),
        ProtectionState::Reprotecting
    );
    assert_eq!(wait(&back, &job).await.state, JobState::Succeeded);
    let found = back
        .recovery()
        .find_jobs(&item(&a), Operation::Reprotect)
        .await
        .unwrap();
    assert_eq!(found[0].id, job);
    // Recovery points appear on the restored clock; the failover goes on.
    back.clock().sleep(Duration::from_secs(11 * 60)).await;
    assert!(!back
        .recovery()
        .recovery_points(&a)
        .await
        .unwrap()
        .is_empty());
    let fo = back
        .recovery()
        .failover(&item(&a), &latest())
        .await
        .unwrap();
    assert_ne!(fo, job, "job ids go on after the restored ones");
    assert_eq!(wait(&back, &fo).await.state, JobState::Succeeded);
    assert!(back.failover_point(&a).is_some());

    // Restored again: the settled failover and the counters survive.
    let again = LabSite::restore(&path).unwrap();
    let c = again.counters();
    assert_eq!(c.accepted(&a, Operation::Reprotect), 1);
    assert_eq!(c.accepted(&a, Operation::Failover), 1);
    assert_eq!(c.violations.len(), 1);
    assert_eq!(
        again.recovery().protection_state(&a).await.unwrap(),
        ProtectionState::FailedBackAwaitingCommit
    );
    assert_eq!(again.estate().items.len(), 20);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_damaged_lab_file_is_a_clear_error_naming_it() {
    let path = lab_file("damaged");
    let missing = LabSite::restore(&path).unwrap_err();
    assert!(
        matches!(missing, failback_core::Error::Io { .. }),
        "{missing}"
    );
    let lab = LabSite::generated(5, 1, fast());
    lab.persist_to(&path).unwrap();
    let whole = std::fs::read_to_string(&path).unwrap();
    assert!(whole.contains(FILE_FORMAT));
    // A write never leaves its temporary file behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    for (text, says) in [
        (whole[..whole.len() / 2].to_string(), "bad JSON"),
        ("not json".to_string(), "bad JSON"),
        (
            whole.replace(FILE_FORMAT, "failback-lab/9"),
            "unsupported format",
        ),
        (format!(r#"{{"format":"{FILE_FORMAT}"}}"#), "missing field"),
        // A file of the time model before issue 6.
        (
            whole.replace(FILE_FORMAT, "failback-lab/1"),
            "unsupported format",
        ),
        // A whole-file lab of before the log.
        (
            whole.replace(FILE_FORMAT, "failback-lab/2"),
            "unsupported format",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let e = LabSite::restore(&path).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("failback.lab.json"), "{msg}");
        assert!(msg.contains(says), "{msg}");
        match e {
            failback_core::Error::Io { source, .. } => {
                assert_eq!(source.kind(), std::io::ErrorKind::InvalidData)
            }
            other => panic!("{other}"),
        }
    }
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// The whole state of a lab as a snapshot writes it, settled to its clock's now.
fn state_of(lab: &LabSite) -> serde_json::Value {
    let (st, _) = lab.shared.lock();
    serde_json::to_value(st.saved()).unwrap()
}

/// Where two states differ first (a JSON path), if they do.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value as V;
    match (a, b) {
        (V::Object(x), V::Object(y)) => {
            for (k, v) in x {
                let here = format!("{at}.{k}");
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &here) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{here}: missing on the right")),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{at}.{k}: missing on the left"))
        }
        (V::Array(x), V::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} != {b}")),
    }
}

/// The states of two labs are the same.
fn assert_same(back: &LabSite, live: &LabSite, what: &str) {
    let (a, b) = (state_of(back), state_of(live));
    if let Some(d) = first_difference(&a, &b, "state") {
        panic!("{what}: the restored lab differs from the live one at {d}");
    }
}

/// One more step of each item's life cycle (errors, refusals and violations included),
/// and some on-premises calls: many changes of every kind.
async fn churn(lab: &LabSite, round: usize) {
    let asr = lab.recovery();
    let vs = lab.onprem();
    let back = ReprotectRequest {
        direction: Direction::AzureToOnPrem,
        ..to_azure()
    };
    for it in lab.estate().items {
        let t = item(&it.id);
        let _ = match it.state {
            ProtectionState::FailedOverToAzure => asr.reprotect(&t, &back).await.map(drop),
            ProtectionState::ReplicatingToOnPrem => asr.failover(&t, &latest()).await.map(drop),
            ProtectionState::FailedBackAwaitingCommit => asr.commit(&t).await.map(drop),
            ProtectionState::CommittedUnprotected => asr.reprotect(&t, &to_azure()).await.map(drop),
            // Refused: counted as a violation (and written).
            _ => asr.commit(&t).await.map(drop),
        };
    }
    let name = format!("scratch-{round}");
    let host = lab.estate().hosts[0].id.clone();
    let ds = lab.estate().datastores[0].id.clone();
    if let Ok(vm) = vs
        .create_vm(&VmSpec {
            name,
            host,
            datastore: ds,
            cpus: 1,
            memory_mib: 1024,
        })
        .await
    {
        let _ = vs.attach_disk(&vm, "[ds] disk0.vmdk").await;
        let _ = vs.set_config_param(&vm, "note", "ünïcödé ✓").await;
        let _ = vs.set_power(&vm, round.is_multiple_of(2)).await;
    }
}

/// A call retried until it is accepted: its record carries the fault-draw counts of the
/// calls before it (a call refused by a drawn fault writes nothing itself).
async fn written(lab: &LabSite, vm: &str) {
    while lab.onprem().set_power(vm, false).await.is_err() {}
}

#[tokio::test(start_paused = true)]
async fn a_lab_restored_after_many_changes_equals_the_live_one() {
    let path = lab_file("many");
    let settings = LabSettings {
        faults: Faults {
            transient: 0.05,
            throttle: 0.05,
            job_failure: 0.1,
            lost_response: 0.05,
            ..Faults::default()
        },
        ..fast()
    };
    let lab = LabSite::generated(30, 5, settings);
    lab.persist_to(&path).unwrap();
    let e = lab.estate();
    let spec = VmSpec {
        name: "anchor".to_string(),
        host: e.hosts[0].id.clone(),
        datastore: e.datastores[0].id.clone(),
        cpus: 1,
        memory_mib: 1024,
    };
    let anchor = loop {
        if let Ok(vm) = lab.onprem().create_vm(&spec).await {
            break vm;
        }
    };
    for round in 0..12 {
        churn(&lab, round).await;
        written(&lab, &anchor).await;
        // A restore at any point equals the live lab then.
        if round % 4 == 3 {
            let back = LabSite::restore(&path).unwrap();
            assert_eq!(back.now(), lab.now());
            assert_same(&back, &lab, &format!("round {round}"));
        }
        lab.clock().sleep(Duration::from_secs(20 * 60)).await;
    }
    churn(&lab, 99).await;
    written(&lab, &anchor).await;
    let written = lab.persisted().unwrap();
    assert_eq!(written.snapshots, 1, "{written:?}");
    assert!(written.writes > 100, "{written:?}");
    assert!(written.bytes < 20 * std::fs::metadata(&path).unwrap().len());
    let c = lab.counters();
    assert!(!c.violations.is_empty() && c.faults.calls > 0, "{c:?}");
    assert!(c.faults.job_failures + c.faults.lost_responses > 0, "{c:?}");

    let back = LabSite::restore(&path).unwrap();
    assert_eq!(back.now(), lab.now());
    assert_same(&back, &lab, "at the end");
    assert_eq!(back.counters(), c);
    for mt in &lab.estate().master_targets {
        assert_eq!(back.attached_disks(&mt.id), lab.attached_disks(&mt.id));
        assert_eq!(
            back.peak_attached_disks(&mt.id),
            lab.peak_attached_disks(&mt.id)
        );
    }
    let asr = lab.recovery();
    for it in lab.estate().items {
        for op in [Operation::Reprotect, Operation::Failover, Operation::Commit] {
            // The same draws on both (the same counts): the same throttling.
            let (live, again) = loop {
                let live = asr.find_jobs(&item(&it.id), op).await;
                let again = back.recovery().find_jobs(&item(&it.id), op).await;
                assert_eq!(live.is_ok(), again.is_ok());
                if let (Ok(l), Ok(a)) = (live, again) {
                    break (l, a);
                }
            };
            let key =
                |v: &[JobStatus]| -> Vec<_> { v.iter().map(|s| (s.id.clone(), s.state)).collect() };
            assert_eq!(key(&again), key(&live));
        }
    }
    // Both go on alike: the jobs' later events are recomputed the same.
    lab.clock().sleep(Duration::from_secs(3 * 3600)).await;
    back.clock().sleep(Duration::from_secs(3 * 3600)).await;
    assert_same(&back, &lab, "3 hours later");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// A log's bytes without the zeros it was made longer with ahead of its records.
fn records_of(log: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(log).unwrap();
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    bytes
}

#[tokio::test(start_paused = true)]
async fn a_torn_last_record_restores_to_the_record_before() {
    let path = lab_file("torn");
    let lab = LabSite::new(healthy(), fast());
    lab.persist_to(&path).unwrap();
    churn(&lab, 0).await;
    let vs = lab.onprem();
    vs.set_power("mt-win-01", false).await.unwrap();
    let before = state_of(&lab);
    let log = log_file(&path);
    let whole_before = records_of(&log);
    // The last record holds multi-byte characters.
    vs.set_config_param("mt-win-01", "annotation", "Größe ✓ 日本")
        .await
        .unwrap();
    let after = state_of(&lab);
    assert_ne!(before, after);
    let whole = records_of(&log);
    // The file is made longer ahead, with zeros: a reader stops at them.
    assert!(std::fs::metadata(&log).unwrap().len() > whole.len() as u64);
    let last = &whole[whole_before.len()..];
    let text = std::str::from_utf8(last).unwrap();
    let inside_char = whole_before.len() + text.find('✓').unwrap() + 1;
    let mut cuts = vec![
        whole_before.len() + 1,
        whole_before.len() + 9,
        whole_before.len() + last.len() / 2,
        inside_char,
        inside_char + 1,
        whole.len() - 1,
    ];
    cuts.sort_unstable();
    for cut in cuts {
        std::fs::write(&log, &whole[..cut]).unwrap();
        let back = LabSite::restore(&path).unwrap();
        assert_eq!(state_of(&back), before, "cut at {cut} of {}", whole.len());
        // The torn tail is cut off before the next record: the log reads back whole.
        back.onprem().set_power("mt-lin-01", false).await.unwrap();
        let again = LabSite::restore(&path).unwrap();
        assert_eq!(state_of(&again), state_of(&back), "cut at {cut}");
    }
    // Whole again, it restores to the last call.
    std::fs::write(&log, &whole).unwrap();
    assert_eq!(state_of(&LabSite::restore(&path).unwrap()), after);
    // Damage before the last record is an error naming the log.
    let mut bad = whole.clone();
    let mid = whole_before.len() / 2;
    bad[mid] = if bad[mid] == b'0' { b'1' } else { b'0' };
    std::fs::write(&log, &bad).unwrap();
    let e = LabSite::restore(&path).unwrap_err().to_string();
    assert!(e.contains("failback.lab.json.log"), "{e}");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[tokio::test(start_paused = true)]
async fn compaction_keeps_the_state() {
    let path = lab_file("compaction");
    let lab = LabSite::new(healthy(), fast());
    lab.persist_to(&path).unwrap();
    let snapshot = std::fs::metadata(&path).unwrap().len();
    let vs = lab.onprem();
    let log = log_file(&path);
    let mut snapshots = 1;
    for k in 0..5000u32 {
        vs.set_power("vm-web-01", k % 2 == 0).await.unwrap();
        if k % 50 == 0 {
            lab.clock().sleep(Duration::from_secs(60)).await;
        }
        let written = lab.persisted().unwrap();
        if written.snapshots > snapshots {
            snapshots = written.snapshots;
            // Right after a compaction the log on disk is still the one before it (the
            // next record starts it anew): its epoch is the old one, so it is ignored,
            // as after a crash between the snapshot and the log's new start.
            assert!(std::fs::metadata(&log).unwrap().len() > 0);
            let back = LabSite::restore(&path).unwrap();
            assert_eq!(
                state_of(&back),
                state_of(&lab),
                "after snapshot {snapshots}"
            );
        }
        if snapshots >= 3 {
            break;
        }
    }
    assert!(snapshots >= 3, "{:?}", lab.persisted());
    vs.set_power("vm-web-01", true).await.unwrap();
    // The log stays within a few times the snapshot.
    let len = records_of(&log).len() as u64;
    assert!(
        len <= (COMPACT_FACTOR + 1) * snapshot.max(4096),
        "{len} vs {snapshot}"
    );
    let back = LabSite::restore(&path).unwrap();
    assert_eq!(state_of(&back), state_of(&lab));
    assert_eq!(back.counters(), lab.counters());
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
