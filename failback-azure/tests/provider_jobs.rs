//! Jobs over a fake ARM: an ASR job read as failback's status (the error of a failed job,
//! the manual action of a suspended one with its boot group, the tasks), and the jobs of
//! an operation on a target found newest first (`find_jobs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;
mod provider_common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use failback_azure::models as m;
use failback_azure::provider::{AzureRecovery, REPLICATION_PROVIDER};
use failback_core::clock::VirtualClock;
use failback_core::estate::Flavor;
use failback_core::provider::{JobId, JobState, RecoveryProvider, Target, TaskKind};
use failback_core::state::Operation;
use failback_core::ErrorKind;
use http_common::VAULT;
use provider_common::{at, classic, job_id, resource, rpi_id, Fake, Vault, CS};

/// The provider over `fake` on a clock at 12:30 on the fake's day.
fn provider(fake: &Fake) -> AzureRecovery {
    let client = http_common::builder(&fake.server)
        .with_clock(Arc::new(VirtualClock::new(at(12, 30))))
        .build()
        .unwrap();
    AzureRecovery::new(client, Flavor::Classic)
}

fn job(name: &str, props: m::JobProperties) -> serde_json::Value {
    resource(job_id(name), props)
}

fn on(
    scenario: &str,
    target: &str,
    start: DateTime<Utc>,
    provider: Option<&str>,
) -> m::JobProperties {
    m::JobProperties {
        scenario_name: Some(scenario.into()),
        state: Some(m::JobState::Succeeded),
        start_time: Some(start),
        target_object_id: Some(target.into()),
        target_instance_type: Some("ProtectionEntity".into()),
        custom_details: provider.map(|p| {
            m::AsrJobDetails {
                affected_object_details: BTreeMap::from([(
                    REPLICATION_PROVIDER.to_string(),
                    p.to_string(),
                )]),
            }
            .into()
        }),
        ..Default::default()
    }
}

fn task(name: &str, friendly: &str, state: m::JobState) -> m::ASRTask {
    m::ASRTask {
        name: Some(name.into()),
        friendly_name: Some(friendly.into()),
        state: Some(state),
        start_time: Some(at(12, 1)),
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_job_says_why_with_asrs_code_causes_and_action() {
    let mut v = Vault::new();
    v.jobs.push(job(
        "j-failed",
        m::JobProperties {
            state: Some(m::JobState::Failed),
            start_time: Some(at(9, 0)),
            end_time: Some(at(9, 20)),
            errors: vec![m::JobErrorDetails {
                service_error_details: Some(m::ServiceError {
                    code: Some("78093".into()),
                    message: Some("The master target has no free disk slot.".into()),
                    possible_causes: Some(
                        "Too many disks are attached.\nThe master target is busy.".into(),
                    ),
                    recommended_action: Some("Add a master target.".into()),
                    activity_id: None,
                }),
                ..Default::default()
            }],
            ..Default::default()
        },
    ));
    v.jobs.push(job(
        "j-provider",
        m::JobProperties {
            state: Some(m::JobState::Failed),
            errors: vec![m::JobErrorDetails {
                service_error_details: Some(m::ServiceError::default()),
                provider_error_details: Some(m::ProviderError {
                    error_code: Some(539),
                    error_message: Some("The agent did not answer.".into()),
                    recommended_action: Some("Restart the agent.".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        },
    ));
    let mut failed_task = task("t1", "Prepare", m::JobState::Failed);
    failed_task.errors = vec![m::JobErrorDetails {
        service_error_details: Some(m::ServiceError {
            message: Some("the task broke".into()),
            ..Default::default()
        }),
        ..Default::default()
    }];
    v.jobs.push(job(
        "j-task",
        m::JobProperties {
            state: Some(m::JobState::Failed),
            tasks: vec![failed_task],
            ..Default::default()
        },
    ));
    v.jobs.push(job(
        "j-silent",
        m::JobProperties {
            friendly_name: Some("Reprotect".into()),
            state: Some(m::JobState::Failed),
            ..Default::default()
        },
    ));
    v.jobs.push(job(
        "j-odd",
        m::JobProperties {
            state: Some("Paused".into()),
            ..Default::default()
        },
    ));
    let fake = Fake::start(v).await;
    let azure = provider(&fake);

    let s = azure.job(&JobId("j-failed".into())).await.unwrap();
    assert_eq!(s.id.0, "j-failed");
    assert_eq!(s.state, JobState::Failed);
    assert_eq!(s.started_at, Some(at(9, 0)));
    assert_eq!(s.poll_after, None);
    let e = s.error.unwrap();
    assert_eq!(e.code.as_deref(), Some("78093"));
    assert_eq!(e.message, "The master target has no free disk slot.");
    assert_eq!(
        e.possible_causes,
        ["Too many disks are attached.", "The master target is busy."]
    );
    assert_eq!(
        e.recommended_action.as_deref(),
        Some("Add a master target.")
    );

    let e = azure
        .job(&JobId("j-provider".into()))
        .await
        .unwrap()
        .error
        .unwrap();
    assert_eq!(e.code.as_deref(), Some("539"));
    assert_eq!(e.message, "The agent did not answer.");
    assert_eq!(e.recommended_action.as_deref(), Some("Restart the agent."));

    let e = azure
        .job(&JobId("j-task".into()))
        .await
        .unwrap()
        .error
        .unwrap();
    assert_eq!(e.message, "the task broke");

    let e = azure
        .job(&JobId("j-silent".into()))
        .await
        .unwrap()
        .error
        .unwrap();
    assert!(e.message.contains("without an error"), "{e}");

    let e = azure.job(&JobId("j-odd".into())).await.unwrap_err();
    assert!(e.to_string().contains("Paused"), "{e}");
    let e = azure.job(&JobId("no-such-job".into())).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound));
}

#[tokio::test(start_paused = true)]
async fn a_suspended_job_names_its_manual_action_and_boot_group() {
    let mut group1 = task(
        "Group 1",
        "Group 1: Unplanned failover",
        m::JobState::Succeeded,
    );
    group1.task_type = Some("GroupTaskDetails".into());
    group1.group_task_custom_details = Some(m::GroupTaskDetails {
        instance_type: "RecoveryPlanGroupTaskDetails".into(),
        child_tasks: ["db-01", "db-02"]
            .iter()
            .map(|id| m::ASRTask {
                name: Some(format!("{id}.contoso.com")),
                custom_details: Some(
                    m::JobTaskDetails {
                        job_task: Some(m::JobEntity {
                            target_object_id: Some(rpi_id(CS, id)),
                            ..Default::default()
                        }),
                    }
                    .into(),
                ),
                ..Default::default()
            })
            .collect(),
    });
    let mut manual = task(
        "Check the database",
        "Group 2: Check the database",
        m::JobState::Suspended,
    );
    manual.custom_details = Some(
        m::ManualActionTaskDetails {
            name: Some("Check the database".into()),
            instructions: Some("Run the checks, then resume".into()),
            observation: None,
        }
        .into(),
    );
    let mut group2 = task(
        "Group 2",
        "Group 2: Unplanned failover",
        m::JobState::NotStarted,
    );
    group2.start_time = None;
    let mut v = Vault::new();
    v.jobs.push(job(
        "j-plan",
        m::JobProperties {
            scenario_name: Some("UnplannedFailover".into()),
            state: Some(m::JobState::Suspended),
            start_time: Some(at(12, 0)),
            tasks: vec![group1.clone(), group2.clone(), manual.clone()],
            ..Default::default()
        },
    ));
    // The same without a `Group N` prefix on the manual action: the group task before it.
    let mut bare = manual.clone();
    bare.friendly_name = Some("Check the database".into());
    v.jobs.push(job(
        "j-bare",
        m::JobProperties {
            state: Some(m::JobState::Suspended),
            tasks: vec![group1, bare, group2],
            ..Default::default()
        },
    ));
    let fake = Fake::start(v).await;
    let azure = provider(&fake);

    let s = azure.job(&JobId("j-plan".into())).await.unwrap();
    assert_eq!(s.state, JobState::Suspended);
    assert_eq!(
        s.poll_after,
        Some(Duration::from_secs(15)),
        "the client's poll interval"
    );
    let wait = s.manual_action.unwrap();
    assert_eq!(wait.name, "Check the database");
    assert_eq!(
        wait.instructions.as_deref(),
        Some("Run the checks, then resume")
    );
    assert_eq!(wait.group, 2);
    let tasks: Vec<_> = s
        .tasks
        .iter()
        .map(|t| (t.kind, t.name.as_str(), t.group, t.state, t.items.clone()))
        .collect();
    assert_eq!(
        tasks,
        [
            (
                TaskKind::GroupFailover,
                "Group 1",
                Some(1),
                JobState::Succeeded,
                vec!["db-01".to_string(), "db-02".to_string()]
            ),
            (
                TaskKind::GroupFailover,
                "Group 2",
                Some(2),
                JobState::NotStarted,
                vec![]
            ),
            (
                TaskKind::ManualAction,
                "Check the database",
                Some(2),
                JobState::Suspended,
                vec![]
            ),
        ]
    );
    assert_eq!(s.tasks[0].started_at, Some(at(12, 1)));
    assert_eq!(s.tasks[1].started_at, None);

    let s = azure.job(&JobId("j-bare".into())).await.unwrap();
    assert_eq!(s.manual_action.unwrap().group, 1);
}

/// Jobs of web-01, db-01 and rp-db: reprotects to on-premises and to Azure (told by the
/// provider they protect with, or not told), a failover, a job named by the item's friendly
/// name only, a recovery plan's failover.
fn jobs_vault() -> Vault {
    let web = rpi_id(CS, "web-01");
    let mut v = classic();
    v.jobs = vec![
        job(
            "j-to-onprem",
            on("ReverseReplication", &web, at(10, 0), Some("InMage")),
        ),
        job(
            "j-to-azure",
            on("ReverseReplication", &web, at(11, 0), Some("InMageAzureV2")),
        ),
        job(
            "j-untold",
            on("ReverseReplication", &web.to_lowercase(), at(9, 0), None),
        ),
        job(
            "j-failover",
            on("UnplannedFailover", &web, at(11, 30), None),
        ),
        job(
            "j-other-item",
            on(
                "ReverseReplication",
                &rpi_id(CS, "db-01"),
                at(11, 45),
                Some("InMage"),
            ),
        ),
        job(
            "j-by-name",
            m::JobProperties {
                target_object_id: None,
                target_object_name: Some("web-01.contoso.com".into()),
                ..on("ReverseReplication", "", at(12, 0), Some("InMage"))
            },
        ),
        // Another item's job showing web-01's friendly name: its ARM id decides.
        job(
            "j-other-same-name",
            m::JobProperties {
                target_object_name: Some("web-01.contoso.com".into()),
                ..on(
                    "ReverseReplication",
                    &rpi_id(CS, "db-02"),
                    at(11, 55),
                    Some("InMage"),
                )
            },
        ),
        job(
            "j-no-start",
            m::JobProperties {
                start_time: None,
                state: Some(m::JobState::InProgress),
                ..on("ReverseReplication", &web, at(0, 0), None)
            },
        ),
        job(
            "j-plan",
            m::JobProperties {
                target_instance_type: Some("RecoveryPlan".into()),
                ..on(
                    "UnplannedFailover",
                    &format!("{VAULT}/replicationRecoveryPlans/rp-db"),
                    at(11, 50),
                    None,
                )
            },
        ),
        job(
            "j-old",
            on(
                "ReverseReplication",
                &web,
                at(12, 0) - chrono::Duration::days(40),
                Some("InMage"),
            ),
        ),
    ];
    v
}

fn ids(jobs: &[failback_core::provider::JobStatus]) -> Vec<&str> {
    jobs.iter().map(|j| j.id.0.as_str()).collect()
}

#[tokio::test(start_paused = true)]
async fn find_jobs_keeps_the_targets_jobs_of_the_operation_newest_first() {
    let fake = Fake::start(jobs_vault()).await;
    let azure = provider(&fake);
    let web = Target::Item("web-01".into());
    let found = azure.find_jobs(&web, Operation::Reprotect).await.unwrap();
    assert_eq!(
        ids(&found),
        ["j-by-name", "j-to-onprem", "j-untold", "j-no-start"]
    );
    let found = azure
        .find_jobs(&web, Operation::ReprotectToAzure)
        .await
        .unwrap();
    assert_eq!(ids(&found), ["j-to-azure", "j-untold", "j-no-start"]);
    let found = azure.find_jobs(&web, Operation::Failover).await.unwrap();
    assert_eq!(ids(&found), ["j-failover"]);
    assert!(azure
        .find_jobs(&web, Operation::Commit)
        .await
        .unwrap()
        .is_empty());
    let found = azure
        .find_jobs(&Target::RecoveryPlan("rp-db".into()), Operation::Failover)
        .await
        .unwrap();
    assert_eq!(ids(&found), ["j-plan"]);
    // An item the vault does not list has no job.
    let none = azure
        .find_jobs(&Target::Item("no-such-item".into()), Operation::Reprotect)
        .await
        .unwrap();
    assert!(none.is_empty());
    // The listing asks for the look-back's jobs only.
    let list = fake.requests("GET", "/replicationJobs");
    assert!(!list.is_empty());
    for s in &list {
        let q = s.query.as_deref().unwrap_or("");
        assert!(
            q.contains("$filter=startTime%20ge%20%272026-10-21T12:30:00Z%27"),
            "{q}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn without_a_look_back_every_job_is_listed() {
    let fake = Fake::start(jobs_vault()).await;
    let azure = provider(&fake).with_job_lookback(None);
    let found = azure
        .find_jobs(&Target::Item("web-01".into()), Operation::Reprotect)
        .await
        .unwrap();
    assert_eq!(
        ids(&found),
        [
            "j-by-name",
            "j-to-onprem",
            "j-untold",
            "j-old",
            "j-no-start"
        ]
    );
    assert!(fake
        .requests("GET", "/replicationJobs")
        .iter()
        .all(|s| !s.query_has("filter")));
}
