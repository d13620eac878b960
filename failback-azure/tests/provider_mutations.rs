//! The mutations over a fake ARM: each request's path and body as the fake received it,
//! field by field, and validated against the spec excerpt's schema; the defaults a
//! reprotect takes from the vault; inputs that cannot be found refused before anything is
//! sent; the job of each call from the 202's `Location`, the answer's body or the job
//! list; a recovery plan's reprotect member by member as one job.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;
mod provider_common;

use std::time::Duration;

use failback_core::estate::Flavor;
use failback_core::provider::{
    Direction, FailoverRequest, JobId, JobState, MemberInputs, PointSpec, RecoveryProvider,
    ReprotectRequest, Target,
};
use failback_core::{ErrorKind, ErrorStatus};
use http_common::{Reply, VAULT};
use provider_common::spec::SpecSchema;
use provider_common::{
    classic, job_id, modernized, policy_id, rpi_id, Answer, Fake, CS, LOG_ACCOUNT,
};
use serde_json::{json, Value};

fn item(id: &str) -> Target {
    Target::Item(id.to_string())
}

fn plan(name: &str) -> Target {
    Target::RecoveryPlan(name.to_string())
}

fn request(
    direction: Direction,
    mt: Option<&str>,
    ps: Option<&str>,
    ds: Option<&str>,
) -> ReprotectRequest {
    ReprotectRequest {
        direction,
        master_target: mt.map(str::to_string),
        process_server: ps.map(str::to_string),
        datastore: ds.map(str::to_string),
        retention_volume: None,
        policy: None,
        members: Vec::new(),
    }
}

fn failover(point: PointSpec) -> FailoverRequest {
    FailoverRequest {
        point,
        planned: false,
    }
}

fn details(body: &Value) -> &Value {
    &body["properties"]["providerSpecificDetails"]
}

#[tokio::test(start_paused = true)]
async fn a_classic_reprotect_to_on_premises_sends_inmage_input_with_the_vaults_defaults() {
    let spec = SpecSchema::load();
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let req = request(
        Direction::AzureToOnPrem,
        Some("mt-win-01"),
        None,
        Some("ds-02"),
    );
    let job = azure.reprotect(&item("web-01"), &req).await.unwrap();
    assert_eq!(job, JobId("job-1".into()));

    let body = fake.body("POST", &format!("{}/reProtect", rpi_id(CS, "web-01")));
    spec.assert_valid("classic reprotect", "ReverseReplicationInput", &body);
    assert_eq!(body["properties"]["failoverDirection"], "RecoveryToPrimary");
    let d = details(&body);
    assert_eq!(d["instanceType"], "InMage");
    assert_eq!(d["masterTargetId"], "mt-win-01");
    assert_eq!(
        d["processServerId"], "ps-azure-01",
        "the process server in Azure"
    );
    assert_eq!(d["retentionDrive"], "S:", "the roomiest retention volume");
    assert_eq!(
        d["datastoreName"], "datastore2",
        "the datastore's symbolic name"
    );
    assert_eq!(
        d["runAsAccountId"], "runas-vc-01",
        "the item's vCenter's account"
    );
    assert_eq!(d["profileId"], policy_id("pol-forward-failback").as_str());
    assert_eq!(d.as_object().unwrap().len(), 7, "{d}");

    // The job, polled at the 202's Retry-After.
    let s = azure.job(&job).await.unwrap();
    assert_eq!(s.state, JobState::InProgress);
    assert_eq!(s.poll_after, Some(Duration::from_secs(20)));
    assert_eq!(s.started_at, Some(provider_common::at(12, 0)));
}

#[tokio::test(start_paused = true)]
async fn given_inputs_are_sent_as_given() {
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let mut req = request(
        Direction::AzureToOnPrem,
        Some("mt-lin-01"),
        Some("ps-onprem-01"),
        Some("my-datastore"),
    );
    req.retention_volume = Some("/mnt/retention".into());
    req.policy = Some("pol-forward-failback".into());
    azure.reprotect(&item("db-01"), &req).await.unwrap();
    let body = fake.body("POST", "/db-01/reProtect");
    let d = details(&body);
    assert_eq!(d["masterTargetId"], "mt-lin-01");
    assert_eq!(d["processServerId"], "ps-onprem-01");
    assert_eq!(d["retentionDrive"], "/mnt/retention");
    assert_eq!(
        d["datastoreName"], "my-datastore",
        "not one the master target lists"
    );
    assert_eq!(
        d["profileId"],
        policy_id("pol-forward-failback").as_str(),
        "a bare name is the policy's ARM id"
    );
}

#[tokio::test(start_paused = true)]
async fn a_classic_reprotect_to_azure_sends_inmage_azure_v2_input() {
    let spec = SpecSchema::load();
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let req = request(Direction::OnPremToAzure, None, Some("ps-onprem-01"), None);
    azure.reprotect(&item("app-01"), &req).await.unwrap();
    let body = fake.body("POST", "/app-01/reProtect");
    spec.assert_valid(
        "classic reprotect to Azure",
        "ReverseReplicationInput",
        &body,
    );
    assert_eq!(body["properties"]["failoverDirection"], "RecoveryToPrimary");
    let d = details(&body);
    assert_eq!(d["instanceType"], "InMageAzureV2");
    assert_eq!(d["processServerId"], "ps-onprem-01");
    assert_eq!(
        d["masterTargetId"], "ps-onprem-01",
        "the process server's id by default"
    );
    assert_eq!(d["policyId"], policy_id("pol-forward").as_str());
    assert_eq!(
        d["runAsAccountId"], "runas-vc-01",
        "the one vCenter's account"
    );
    assert_eq!(d.as_object().unwrap().len(), 5, "{d}");
}

#[tokio::test(start_paused = true)]
async fn modernized_reprotects_send_inmage_rcm_and_inmage_rcm_failback_input() {
    let spec = SpecSchema::load();
    let fake = Fake::start(modernized()).await;
    let azure = fake.provider(Flavor::Modernized);
    let req = request(Direction::AzureToOnPrem, None, None, Some("datastore1"));
    azure.reprotect(&item("web-01"), &req).await.unwrap();
    let body = fake.body("POST", "/web-01/reProtect");
    spec.assert_valid("modernized reprotect", "ReverseReplicationInput", &body);
    assert_eq!(body["properties"]["failoverDirection"], "RecoveryToPrimary");
    let d = details(&body);
    assert_eq!(d["instanceType"], "InMageRcm");
    assert_eq!(
        d["reprotectAgentId"], "ra-win-01",
        "the appliance's only agent"
    );
    assert_eq!(d["datastoreName"], "datastore1");
    assert_eq!(d["logStorageAccountId"], LOG_ACCOUNT, "the item's disks'");
    assert_eq!(d["policyId"], policy_id("pol-rcm-failback").as_str());
    assert_eq!(d.as_object().unwrap().len(), 5, "{d}");

    let req = request(Direction::OnPremToAzure, None, None, None);
    azure.reprotect(&item("db-01"), &req).await.unwrap();
    let body = fake.body("POST", "/db-01/reProtect");
    spec.assert_valid(
        "modernized reprotect to Azure",
        "ReverseReplicationInput",
        &body,
    );
    assert_eq!(body["properties"]["failoverDirection"], "PrimaryToRecovery");
    let d = details(&body);
    assert_eq!(d["instanceType"], "InMageRcmFailback");
    assert_eq!(d["processServerId"], "appliance-01-ps");
    assert_eq!(d["policyId"], policy_id("pol-rcm").as_str());
    assert_eq!(d.as_object().unwrap().len(), 3, "{d}");
}

#[tokio::test(start_paused = true)]
async fn inputs_that_cannot_be_found_are_refused_before_anything_is_sent() {
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let e = azure
        .reprotect(
            &item("web-01"),
            &request(Direction::AzureToOnPrem, None, None, Some("ds-01")),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
    assert!(e.to_string().contains("master target"), "{e}");
    let mut v = classic();
    v.policies.retain(|p| p["name"] != "pol-forward-failback");
    let fake2 = Fake::start(v).await;
    let e = fake2
        .provider(Flavor::Classic)
        .reprotect(
            &item("web-01"),
            &request(Direction::AzureToOnPrem, Some("mt-win-01"), None, None),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
    assert!(e.to_string().contains("profileId"), "{e}");

    let fake3 = Fake::start(modernized()).await;
    let e = fake3
        .provider(Flavor::Modernized)
        .reprotect(
            &item("web-01"),
            &request(Direction::AzureToOnPrem, None, None, None),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
    assert!(e.to_string().contains("datastore"), "{e}");
    assert_eq!(fake.posts() + fake2.posts() + fake3.posts(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_classic_failover_is_unplanned_with_the_point_asked_for() {
    let spec = SpecSchema::load();
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let point = format!("{}/recoveryPoints/rp-1", rpi_id(CS, "db-01"));
    let cases = [
        (PointSpec::Latest, "LatestTime", None),
        (PointSpec::LatestApplicationConsistent, "LatestTag", None),
        (PointSpec::Id(point.clone()), "Custom", Some(point.as_str())),
    ];
    for (k, (spec_point, kind, id)) in cases.into_iter().enumerate() {
        let job = azure
            .failover(&item("app-02"), &failover(spec_point))
            .await
            .unwrap();
        assert_eq!(job.0, format!("job-{}", k + 1));
        let seen = fake.requests("POST", "/app-02/unplannedFailover");
        let body: Value = serde_json::from_slice(&seen[k].body).unwrap();
        spec.assert_valid(kind, "UnplannedFailoverInput", &body);
        assert_eq!(body["properties"]["failoverDirection"], "RecoveryToPrimary");
        assert_eq!(body["properties"]["sourceSiteOperations"], "Required");
        let d = details(&body);
        assert_eq!(d["instanceType"], "InMage");
        assert_eq!(d["recoveryPointType"], kind);
        assert_eq!(d.get("recoveryPointId").and_then(Value::as_str), id);
    }
}

#[tokio::test(start_paused = true)]
async fn a_modernized_failover_is_planned_and_makes_its_own_point() {
    let spec = SpecSchema::load();
    let fake = Fake::start(modernized()).await;
    let azure = fake.provider(Flavor::Modernized);
    azure
        .failover(&item("db-01"), &failover(PointSpec::Latest))
        .await
        .unwrap();
    azure
        .failover(
            &item("db-01"),
            &failover(PointSpec::LatestApplicationConsistent),
        )
        .await
        .unwrap();
    let seen = fake.requests("POST", "/db-01/plannedFailover");
    for (s, kind) in seen
        .iter()
        .zip(["CrashConsistent", "ApplicationConsistent"])
    {
        let body: Value = serde_json::from_slice(&s.body).unwrap();
        spec.assert_valid(kind, "PlannedFailoverInput", &body);
        assert_eq!(
            body,
            json!({"properties": {"providerSpecificDetails": {
            "instanceType": "InMageRcmFailback", "recoveryPointType": kind}}})
        );
    }
    let e = azure
        .failover(&item("db-01"), &failover(PointSpec::Id("rp-9".into())))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
    assert_eq!(fake.posts(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_recovery_plan_fails_over_through_the_plan_endpoints() {
    let spec = SpecSchema::load();
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let job = azure
        .failover(
            &plan("rp-db"),
            &failover(PointSpec::LatestApplicationConsistent),
        )
        .await
        .unwrap();
    assert_eq!(job.0, "job-1");
    let body = fake.body("POST", "/replicationRecoveryPlans/rp-db/unplannedFailover");
    spec.assert_valid("plan failover", "RecoveryPlanUnplannedFailoverInput", &body);
    assert_eq!(
        body,
        json!({"properties": {"failoverDirection": "RecoveryToPrimary", "sourceSiteOperations": "Required",
            "providerSpecificDetails": [{"instanceType": "InMage", "recoveryPointType": "LatestTag"}]}})
    );
    let e = azure
        .failover(&plan("rp-db"), &failover(PointSpec::Id("x".into())))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));

    let fake = Fake::start(modernized()).await;
    let azure = fake.provider(Flavor::Modernized);
    azure
        .failover(&plan("rp-web"), &failover(PointSpec::Latest))
        .await
        .unwrap();
    let body = fake.body("POST", "/replicationRecoveryPlans/rp-web/plannedFailover");
    spec.assert_valid(
        "plan planned failover",
        "RecoveryPlanPlannedFailoverInput",
        &body,
    );
    assert_eq!(
        body,
        json!({"properties": {"failoverDirection": "RecoveryToPrimary",
            "providerSpecificDetails": [{"instanceType": "InMageRcmFailback",
                "recoveryPointType": "CrashConsistent", "useMultiVmSyncPoint": "UseMultiVmSyncRecoveryPoint"}]}})
    );
}

#[tokio::test(start_paused = true)]
async fn commit_cancel_failover_cancel_and_resume_go_to_their_endpoints() {
    let fake = Fake::start(modernized()).await;
    let azure = fake.provider(Flavor::Modernized);
    assert_eq!(azure.commit(&item("db-01")).await.unwrap().0, "job-1");
    assert_eq!(azure.commit(&plan("rp-web")).await.unwrap().0, "job-2");
    assert_eq!(
        azure.cancel_failover(&item("db-01")).await.unwrap().0,
        "job-3"
    );
    assert_eq!(
        azure.cancel_failover(&plan("rp-web")).await.unwrap().0,
        "job-4"
    );
    for (suffix, n) in [
        ("/db-01/failoverCommit", 1),
        ("/replicationRecoveryPlans/rp-web/failoverCommit", 1),
        ("/db-01/failoverCancel", 1),
        ("/replicationRecoveryPlans/rp-web/failoverCancel", 1),
    ] {
        let seen = fake.requests("POST", suffix);
        assert_eq!(seen.len(), n, "{suffix}");
        assert!(seen[0].body.is_empty(), "{suffix} has no body");
        assert_eq!(seen[0].header("content-length"), Some("0"));
    }
    azure.cancel(&JobId("job-1".into())).await.unwrap();
    assert_eq!(
        fake.requests("POST", "/replicationJobs/job-1/cancel").len(),
        1
    );
    azure
        .resume_job(&JobId("job-2".into()), "checked by the DBA")
        .await
        .unwrap();
    assert_eq!(
        fake.body("POST", "/replicationJobs/job-2/resume"),
        json!({"properties": {"comments": "checked by the DBA"}})
    );

    // The classic flavour cannot cancel a failover: nothing is sent.
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let e = azure.cancel_failover(&item("app-01")).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotSupported));
    assert_eq!(fake.posts(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_job_comes_from_the_answer_s_body_or_the_job_list_without_a_location() {
    let mut v = classic();
    v.answer = Answer::Body;
    let fake = Fake::start(v).await;
    let azure = fake.provider(Flavor::Classic);
    assert_eq!(azure.commit(&item("app-01")).await.unwrap().0, "job-1");

    let mut v = classic();
    v.answer = Answer::Bare;
    // The job list has an older commit of the same item too.
    v.jobs.push(provider_common::resource(
        job_id("job-older"),
        failback_azure::models::JobProperties {
            scenario_name: Some("CommitFailover".into()),
            state: Some(failback_azure::models::JobState::Succeeded),
            start_time: Some(chrono::Utc::now() - chrono::Duration::hours(1)),
            target_object_id: Some(rpi_id(CS, "app-01")),
            ..Default::default()
        },
    ));
    let fake = Fake::start(v).await;
    let azure = fake.provider(Flavor::Classic);
    // The fake's jobs start at its "now"; the client's clock must be near it.
    fake.vault.lock().unwrap().now = chrono::Utc::now();
    assert_eq!(azure.commit(&item("app-01")).await.unwrap().0, "job-1");
    assert_eq!(fake.posts(), 1, "never sent twice");
}

#[tokio::test(start_paused = true)]
async fn a_recovery_plan_reprotects_member_by_member_as_one_job() {
    let fake = Fake::start(classic()).await;
    let azure = fake.provider_on_tokio_clock(Flavor::Classic);
    let mut req = request(
        Direction::AzureToOnPrem,
        Some("mt-lin-01"),
        None,
        Some("ds-02"),
    );
    req.members = vec![MemberInputs {
        item: "db-01".into(),
        process_server: Some("ps-onprem-01".into()),
        datastore: Some("ds-01".into()),
    }];
    // Without members the plan's own items are reprotected, in its order.
    let mut all = req.clone();
    all.members.clear();
    let job = azure.reprotect(&plan("rp-db"), &all).await.unwrap();
    assert_eq!(job.0, "job-1+job-2");
    let one = fake.body("POST", "/db-01/reProtect");
    let two = fake.body("POST", "/db-02/reProtect");
    for b in [&one, &two] {
        assert_eq!(
            details(b)["masterTargetId"],
            "mt-lin-01",
            "one master target"
        );
        assert_eq!(details(b)["datastoreName"], "datastore2");
    }

    // With members: each member's own inputs, the group's master target.
    let fake = Fake::start(classic()).await;
    let azure = fake.provider_on_tokio_clock(Flavor::Classic);
    req.members.push(MemberInputs {
        item: "db-02".into(),
        process_server: None,
        datastore: None,
    });
    let job = azure.reprotect(&plan("rp-db"), &req).await.unwrap();
    assert_eq!(job.0, "job-1+job-2");
    let one = fake.body("POST", "/db-01/reProtect");
    assert_eq!(details(&one)["processServerId"], "ps-onprem-01");
    assert_eq!(details(&one)["datastoreName"], "datastore1");
    let two = fake.body("POST", "/db-02/reProtect");
    assert_eq!(details(&two)["processServerId"], "ps-azure-01");
    assert_eq!(details(&two)["datastoreName"], "datastore2");
    assert_eq!(
        fake.requests("GET", "/replicationRecoveryPlans/rp-db")
            .len(),
        0
    );

    // The composite job runs while a member does, and fails when one failed.
    let s = azure.job(&job).await.unwrap();
    assert_eq!(s.id, job);
    assert_eq!(s.state, JobState::InProgress);
    {
        let mut v = fake.vault.lock().unwrap();
        v.jobs[0]["properties"]["state"] = json!("Succeeded");
        v.jobs[1]["properties"]["state"] = json!("Failed");
        v.jobs[1]["properties"]["errors"] = json!([{"serviceErrorDetails": {"code": "78093", "message": "the master target is full"}}]);
    }
    // The next poll past the job listing's freshness (one listing answers every poll
    // within it) sees the members end.
    tokio::time::advance(failback_azure::provider::JOB_LIST_FRESH).await;
    let s = azure.job(&job).await.unwrap();
    assert_eq!(s.state, JobState::Failed);
    let err = s.error.unwrap();
    assert_eq!(err.code.as_deref(), Some("78093"));
    assert!(
        err.message
            .starts_with("member job job-2: the master target is full"),
        "{err}"
    );
    assert_eq!(s.poll_after, None);
    // Cancelling it: nothing runs any more.
    let e = azure.cancel(&job).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Conflict));
}

#[tokio::test(start_paused = true)]
async fn a_member_refused_after_others_started_is_a_permanent_error_naming_their_jobs() {
    let mut v = classic();
    v.on(|seen, _| {
        (seen.method == "POST" && seen.path.ends_with("/db-02/reProtect"))
            .then(|| Reply::arm_error(409, "OperationNotAllowed", "db-02 is busy"))
    });
    let fake = Fake::start(v).await;
    let azure = fake.provider(Flavor::Classic);
    let req = request(
        Direction::AzureToOnPrem,
        Some("mt-lin-01"),
        None,
        Some("ds-02"),
    );
    let e = azure.reprotect(&plan("rp-db"), &req).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Conflict));
    assert_eq!(e.status(), ErrorStatus::Permanent);
    let text = e.to_string();
    assert!(text.contains("db-02") && text.contains("job-1"), "{text}");
    assert_eq!(fake.posts(), 2);
    let _ = VAULT;
}

#[tokio::test(start_paused = true)]
async fn polls_of_many_jobs_share_one_listing_and_a_long_copy_reports_its_progress() {
    let fake = Fake::start(classic()).await;
    let now = fake.vault.lock().unwrap().now;
    let client = http_common::builder(&fake.server)
        .with_clock(std::sync::Arc::new(
            failback_core::clock::VirtualClock::new(now),
        ))
        .build()
        .unwrap();
    let azure = failback_azure::provider::AzureRecovery::new(client, Flavor::Classic);
    let req = request(
        Direction::AzureToOnPrem,
        Some("mt-win-01"),
        None,
        Some("ds-02"),
    );
    let copy = azure.reprotect(&item("web-01"), &req).await.unwrap();
    let commit = azure.commit(&item("db-01")).await.unwrap();
    let lists = || fake.requests("GET", "/replicationJobs").len();
    let gets = |job: &JobId| {
        fake.requests("GET", &format!("/replicationJobs/{}", job.0))
            .len()
    };
    // Every poll within the listing's freshness is answered by one listing.
    for _ in 0..3 {
        for job in [&copy, &commit] {
            assert_eq!(azure.job(job).await.unwrap().state, JobState::InProgress);
        }
    }
    assert_eq!((lists(), gets(&copy), gets(&commit)), (1, 0, 0));
    // Later polls list again, once.
    tokio::time::advance(failback_azure::provider::JOB_LIST_FRESH).await;
    for job in [&copy, &commit] {
        azure.job(job).await.unwrap();
    }
    assert_eq!(lists(), 2);

    // A copy running for an hour shows its item's initial replication progress, read
    // from the RPI at most once an hour; the commit has none.
    let rpi_reads = || fake.requests("GET", &rpi_id(CS, "web-01")).len();
    fake.vault.lock().unwrap().items[0]["properties"]["providerSpecificDetails"]
        ["resyncProgressPercentage"] = json!(40);
    let before = rpi_reads();
    assert_eq!(
        azure.job(&copy).await.unwrap().progress,
        None,
        "not an hour yet"
    );
    tokio::time::advance(failback_azure::provider::COPY_PROGRESS_EVERY).await;
    assert_eq!(azure.job(&copy).await.unwrap().progress, Some(40));
    assert_eq!(azure.job(&commit).await.unwrap().progress, None);
    fake.vault.lock().unwrap().items[0]["properties"]["providerSpecificDetails"]
        ["resyncProgressPercentage"] = json!(70);
    tokio::time::advance(Duration::from_secs(600)).await;
    assert_eq!(
        azure.job(&copy).await.unwrap().progress,
        Some(40),
        "read hourly"
    );
    assert_eq!(rpi_reads() - before, 1);
    tokio::time::advance(failback_azure::provider::COPY_PROGRESS_EVERY).await;
    assert_eq!(azure.job(&copy).await.unwrap().progress, Some(70));
    assert_eq!(rpi_reads() - before, 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_job_is_restarted_and_runs_again() {
    let fake = Fake::start(classic()).await;
    let azure = fake.provider_on_tokio_clock(Flavor::Classic);
    let job = azure.commit(&item("db-01")).await.unwrap();
    {
        let mut v = fake.vault.lock().unwrap();
        v.jobs[0]["properties"]["state"] = json!("Failed");
    }
    tokio::time::advance(failback_azure::provider::JOB_LIST_FRESH).await;
    assert_eq!(azure.job(&job).await.unwrap().state, JobState::Failed);
    let again = azure.restart_job(&job).await.unwrap();
    assert_eq!(again, job);
    assert_eq!(
        fake.requests("POST", &format!("/replicationJobs/{}/restart", job.0))
            .len(),
        1
    );
    tokio::time::advance(failback_azure::provider::JOB_LIST_FRESH).await;
    assert_eq!(azure.job(&again).await.unwrap().state, JobState::InProgress);
}
