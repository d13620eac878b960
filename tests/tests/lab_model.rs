//! The lab site's model of time and resources (issue 6), through the provider traits only,
//! as an orchestrator sees it: a reprotect past a master target's 60 disks is refused and
//! counted; reprotect to Azure right after commit waits for the mobility agent to register
//! again; a recovery plan's failover runs boot group after boot group and stops on a
//! manual action until resumed; a modernized failover can be cancelled back to
//! replicating, a classic one cannot; two reprotects sharing a link take longer than one
//! alone; the lab's verifier answers from the model.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use failback_core::estate::{BootGroup, Estate};
use failback_core::provider::{
    Direction, FailoverRequest, JobId, JobState, JobStatus, OnPremProvider, PointSpec,
    RecoveryProvider, ReprotectRequest, Target, TaskKind,
};
use failback_core::runbook::CheckSpec;
use failback_core::state::ProtectionState;
use failback_core::ErrorKind;
use failback_lab::{LabSettings, LabSite, ViolationKind};

fn healthy() -> Estate {
    Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap()
}

fn modernized() -> Estate {
    Estate::from_json_str(include_str!("../../examples/estates/modernized.json")).unwrap()
}

fn settings() -> LabSettings {
    LabSettings {
        virtual_time: true,
        seed: 7,
        ..LabSettings::default()
    }
}

fn item(id: &str) -> Target {
    Target::Item(id.to_string())
}

fn to_onprem(mt: &str, ds: &str, ps: Option<&str>) -> ReprotectRequest {
    ReprotectRequest {
        direction: Direction::AzureToOnPrem,
        master_target: Some(mt.to_string()),
        process_server: ps.map(str::to_string),
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

fn failover(planned: bool) -> FailoverRequest {
    FailoverRequest {
        point: PointSpec::Latest,
        planned,
    }
}

/// Poll a job until it ends or suspends, on the lab's (virtual) time.
async fn settle(asr: &dyn RecoveryProvider, job: &JobId) -> JobStatus {
    for _ in 0..100_000 {
        let s = asr.job(job).await.unwrap();
        if s.state.is_final() || s.state == JobState::Suspended {
            return s;
        }
        tokio::time::sleep(s.poll_after.unwrap_or(Duration::from_secs(30))).await;
    }
    panic!("{job:?} never ended");
}

#[tokio::test(start_paused = true)]
async fn a_reprotect_past_60_disks_on_a_master_target_is_refused_and_counted() {
    let mut e = healthy();
    e.master_targets
        .iter_mut()
        .find(|m| m.id == "mt-win-01")
        .unwrap()
        .attached_disks = 59;
    let lab = LabSite::new(e, settings());
    let asr = lab.recovery();
    // web-01's one disk fills the last slot.
    asr.reprotect(&item("web-01"), &to_onprem("mt-win-01", "ds-01", None))
        .await
        .unwrap();
    assert_eq!(lab.attached_disks("mt-win-01"), Some(60));
    // app-01's would be the 61st.
    let err = asr
        .reprotect(&item("app-01"), &to_onprem("mt-win-01", "ds-01", None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("60"), "{err}");
    let v = lab.counters().violations;
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].kind, ViolationKind::DiskLimit);
    assert_eq!(lab.attached_disks("mt-win-01"), Some(60));
    assert_eq!(
        asr.protection_state("app-01").await.unwrap(),
        ProtectionState::FailedOverToAzure
    );
}

#[tokio::test(start_paused = true)]
async fn reprotect_to_azure_waits_for_the_agent_to_register_again_after_commit() {
    let lab = LabSite::new(healthy(), settings());
    let asr = lab.recovery();
    let t = item("web-01");
    let j = asr
        .reprotect(&t, &to_onprem("mt-win-01", "ds-01", None))
        .await
        .unwrap();
    assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    let j = asr.failover(&t, &failover(false)).await.unwrap();
    assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    let j = asr.commit(&t).await.unwrap();
    assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    let committed = lab.now();
    let wait = lab.item_timing("web-01").unwrap().agent_reregistration;
    assert!(wait >= Duration::from_secs(300), "{wait:?}");

    let err = asr.reprotect(&t, &to_azure()).await.unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::NotReady), "{err}");
    let after = err.retry_after().unwrap();
    // The hint is the time left, rounded up to a poll of at most a minute.
    assert!(
        after <= wait + Duration::from_secs(60),
        "{after:?} for {wait:?}"
    );
    assert!(lab.counters().clean(), "not ready is no violation");

    tokio::time::sleep(after).await;
    assert!((lab.now() - committed).to_std().unwrap() >= wait);
    let j = asr.reprotect(&t, &to_azure()).await.unwrap();
    assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    assert_eq!(
        asr.protection_state("web-01").await.unwrap(),
        ProtectionState::Protected
    );
}

#[tokio::test(start_paused = true)]
async fn a_recovery_plan_fails_over_group_by_group_and_stops_on_a_manual_action() {
    let mut e = healthy();
    // rp-db: group 1 the database pair, then a manual check, then web-01 in group 2.
    e.recovery_plans[0].items.push("web-01".into());
    e.recovery_plans[0].groups = vec![
        BootGroup {
            items: vec!["db-01".into(), "db-02".into()],
            start_actions: Vec::new(),
            end_actions: vec![serde_json::from_value(serde_json::json!({
                "name": "check-replicas",
                "kind": "manual",
                "instructions": "check the database replicas before the web tier starts"
            }))
            .unwrap()],
        },
        BootGroup {
            items: vec!["web-01".into()],
            start_actions: Vec::new(),
            end_actions: Vec::new(),
        },
    ];
    let lab = LabSite::new(e, settings());
    let asr = lab.recovery();
    for (id, mt, ds) in [
        ("db-01", "mt-lin-01", "ds-02"),
        ("db-02", "mt-lin-01", "ds-02"),
        ("web-01", "mt-win-01", "ds-01"),
    ] {
        let j = asr
            .reprotect(&item(id), &to_onprem(mt, ds, None))
            .await
            .unwrap();
        assert_eq!(
            settle(asr.as_ref(), &j).await.state,
            JobState::Succeeded,
            "{id}"
        );
    }
    let plan = Target::RecoveryPlan("rp-db".into());
    let job = asr.failover(&plan, &failover(false)).await.unwrap();
    let s = settle(asr.as_ref(), &job).await;
    assert_eq!(s.state, JobState::Suspended, "{s:?}");
    let wait = s.manual_action.clone().unwrap();
    assert_eq!(wait.name, "check-replicas");
    assert_eq!(wait.group, 1);
    assert!(wait.instructions.unwrap().contains("database replicas"));
    // Group 1 has run, group 2 has not started.
    let group = |n: u32| {
        s.tasks
            .iter()
            .find(|t| t.kind == TaskKind::GroupFailover && t.group == Some(n))
            .unwrap()
            .clone()
    };
    assert_eq!(group(1).state, JobState::Succeeded);
    assert_eq!(group(2).state, JobState::NotStarted);
    // It stays suspended however long nobody answers.
    tokio::time::sleep(Duration::from_secs(6 * 3600)).await;
    assert_eq!(asr.job(&job).await.unwrap().state, JobState::Suspended);

    asr.resume_job(&job, "replicas in sync").await.unwrap();
    let s = settle(asr.as_ref(), &job).await;
    assert_eq!(s.state, JobState::Succeeded, "{s:?}");
    let g1_end = group(1).finished_at.unwrap();
    let g2 = s
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::GroupFailover && t.group == Some(2))
        .unwrap();
    assert!(g2.started_at.unwrap() >= g1_end + chrono::Duration::hours(6));
    for id in ["db-01", "db-02", "web-01"] {
        assert_eq!(
            asr.protection_state(id).await.unwrap(),
            ProtectionState::FailedBackAwaitingCommit,
            "{id}"
        );
    }
    assert!(lab.counters().clean(), "{:#?}", lab.counters().violations);
}

#[tokio::test(start_paused = true)]
async fn a_modernized_failover_is_cancelled_back_to_replicating_and_a_classic_one_is_not() {
    let lab = LabSite::new(modernized(), settings());
    let asr = lab.recovery();
    let t = item("web-01");
    let j = asr
        .reprotect(&t, &to_onprem("ra-win-01", "ds-01", None))
        .await
        .unwrap();
    assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    let j = asr.failover(&t, &failover(true)).await.unwrap();
    assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    let j = asr.cancel_failover(&t).await.unwrap();
    assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    assert_eq!(
        asr.protection_state("web-01").await.unwrap(),
        ProtectionState::ReplicatingToOnPrem
    );
    assert!(!asr.azure_vm_shut_down("web-01").await.unwrap());
    assert!(lab.counters().clean(), "{:#?}", lab.counters().violations);

    let lab = LabSite::new(healthy(), settings());
    let asr = lab.recovery();
    let j = asr
        .reprotect(&t, &to_onprem("mt-win-01", "ds-01", None))
        .await
        .unwrap();
    settle(asr.as_ref(), &j).await;
    let j = asr.failover(&t, &failover(false)).await.unwrap();
    settle(asr.as_ref(), &j).await;
    let err = asr.cancel_failover(&t).await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            Some(ErrorKind::NotSupported | ErrorKind::Conflict)
        ),
        "{err}"
    );
    assert_eq!(
        asr.protection_state("web-01").await.unwrap(),
        ProtectionState::FailedBackAwaitingCommit
    );
}

#[tokio::test(start_paused = true)]
async fn reprotects_sharing_a_link_take_longer_than_one_alone() {
    // A full copy of a new VM's every disk (app-01) against a link of 100 Mbit/s.
    let mut e = healthy();
    for p in &mut e.process_servers {
        p.bandwidth_mbps = Some(100);
    }
    let ps = e
        .process_servers
        .iter()
        .find(|p| p.location == failback_core::estate::PsLocation::Azure)
        .unwrap()
        .id
        .clone();
    let alone = {
        let lab = LabSite::new(e.clone(), settings());
        let asr = lab.recovery();
        let start = lab.now();
        let j = asr
            .reprotect(&item("app-01"), &to_onprem("mt-win-01", "ds-01", Some(&ps)))
            .await
            .unwrap();
        assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
        let t = lab.item_timing("app-01").unwrap();
        let took = (lab.now() - start).to_std().unwrap();
        let expect = t.reprotect_setup + Duration::from_secs_f64(t.bytes as f64 * 8.0 / 100e6);
        assert!(
            took >= expect && took <= expect + Duration::from_secs(61),
            "{took:?} for {expect:?}"
        );
        took
    };
    let lab = LabSite::new(e, settings());
    let asr = lab.recovery();
    let start = lab.now();
    let a = asr
        .reprotect(&item("app-01"), &to_onprem("mt-win-01", "ds-01", Some(&ps)))
        .await
        .unwrap();
    let w = asr
        .reprotect(&item("web-01"), &to_onprem("mt-win-01", "ds-01", Some(&ps)))
        .await
        .unwrap();
    settle(asr.as_ref(), &w).await;
    assert_eq!(settle(asr.as_ref(), &a).await.state, JobState::Succeeded);
    let shared = (lab.now() - start).to_std().unwrap();
    assert!(shared > alone, "shared {shared:?}, alone {alone:?}");
}

#[tokio::test(start_paused = true)]
async fn the_lab_verifier_answers_from_the_model() {
    let mut s = settings();
    s.failing_checks.insert("web-01".into());
    s.silent_guests.insert("app-01".into());
    let lab = LabSite::new(healthy(), s);
    let asr = lab.recovery();
    let vs = lab.onprem();
    for (id, mt, ds) in [
        ("web-01", "mt-win-01", "ds-01"),
        ("app-01", "mt-win-01", "ds-01"),
    ] {
        let t = item(id);
        let j = asr.reprotect(&t, &to_onprem(mt, ds, None)).await.unwrap();
        settle(asr.as_ref(), &j).await;
        let j = asr.failover(&t, &failover(false)).await.unwrap();
        assert_eq!(settle(asr.as_ref(), &j).await.state, JobState::Succeeded);
    }
    let check = CheckSpec::Tcp {
        port: 443,
        items: Vec::new(),
        applications: Vec::new(),
    };
    let verifier = lab.verifier();
    let web = vs.vm_runtime("web-01").await.unwrap().unwrap();
    assert_eq!(web.guest_running, Some(true));
    let out = verifier
        .check("web-01", &web, &check, Duration::from_secs(5))
        .await;
    assert!(!out.ok && out.detail.contains("443"), "{out:?}");
    let app = vs.vm_runtime("app-01").await.unwrap().unwrap();
    assert_eq!(app.guest_running, Some(false), "a silent guest");
    let out = verifier
        .check("app-01", &app, &check, Duration::from_secs(5))
        .await;
    assert!(!out.ok && out.detail.contains("does not answer"), "{out:?}");
}
