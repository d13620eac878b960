//! The mutations: a POST on an item, a recovery plan or a job, its body parsed with the
//! client's own models, checked by `docs/asr-mapping.md` ("Operations"), then handed to
//! the lab. An accepted one is answered 202 with the job's `Location`,
//! `Azure-AsyncOperation` and `Retry-After` (an action on a job, done at once, 200 with
//! the job); a lab refusal with the lab error's status.

use axum::http::StatusCode;
use axum::response::Response;
use failback_azure::models as m;
use failback_core::estate::Flavor;
use failback_core::provider::{
    Direction, FailoverRequest, JobId, PointSpec, RecoveryProvider, ReprotectRequest, Target,
};
use serde::de::DeserializeOwned;

use crate::arm::arm_error;
use crate::ids::last_segment;
use crate::memo::Reprotected;
use crate::routes::Ctx;

/// A request the simulator refuses before the lab sees it: 400 with `error.target`.
#[derive(Debug, Clone)]
pub(crate) struct Bad {
    /// The ARM error code.
    pub code: &'static str,
    /// The field (JSON path) at fault.
    pub target: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Bad {
    fn new(code: &'static str, target: impl Into<String>, message: impl Into<String>) -> Bad {
        Bad {
            code,
            target: target.into(),
            message: message.into(),
        }
    }

    fn required(target: &str, what: &str) -> Bad {
        Bad::new(
            "InvalidInput",
            target,
            format!("{target} is required: give {what}"),
        )
    }
}

/// The body as `T`, an error naming the JSON path at fault.
fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Bad> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Bad::new(
            "InvalidRequestContent",
            "properties",
            format!("the {what} request needs a JSON body ({{\"properties\": {{…}}}})"),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let target = if path == "." {
            "properties".into()
        } else {
            path
        };
        Bad::new(
            "InvalidRequestContent",
            target.clone(),
            format!("the {what} body is not valid at {target}: {}", e.inner()),
        )
    })
}

fn flavor_name(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Classic => "classic (fabric VMware)",
        Flavor::Modernized => "modernized (fabric InMageRcm)",
    }
}

/// 400 for a provider input of the other flavour.
fn wrong_flavor(instance_type: &str, flavor: Flavor) -> Bad {
    Bad::new(
        "InvalidProviderInput",
        "properties.providerSpecificDetails.instanceType",
        format!(
            "the instanceType {instance_type} does not serve this vault, which is {}",
            flavor_name(flavor)
        ),
    )
}

fn not_empty(value: &str, target: &str, what: &str) -> Result<String, Bad> {
    if value.trim().is_empty() {
        return Err(Bad::required(target, what));
    }
    Ok(value.to_string())
}

/// 404 for an action the simulator does not serve.
fn no_action(ctx: &Ctx, action: &str, on: &str) -> Response {
    arm_error(
        &ctx.id,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("the simulator serves no POST action '{action}' on {on}"),
    )
}

/// The answer to a started job.
fn started(ctx: &Ctx, job: Result<JobId, failback_core::Error>) -> Response {
    match job {
        Ok(job) => ctx.accepted(&job.0),
        Err(e) => ctx.lab_error(&e),
    }
}

/// POST `RPI/{action}`.
pub(crate) async fn item_action(ctx: &Ctx, item: &str, action: &str, body: &[u8]) -> Response {
    let estate = ctx.shared.lab.estate_with_points_of(&[]);
    if !estate.items.iter().any(|it| it.id == item) {
        return ctx.not_found(&format!("replication protected item '{item}'"));
    }
    let target = Target::Item(item.to_string());
    let flavor = estate.flavor;
    match action.to_ascii_lowercase().as_str() {
        "reprotect" => {
            let (request, inputs) = match reprotect_request(&estate, body) {
                Ok(r) => r,
                Err(bad) => return ctx.bad(&bad),
            };
            let job = ctx.recovery().reprotect(&target, &request).await;
            if job.is_ok() {
                let to_onprem = request.direction == Direction::AzureToOnPrem;
                ctx.shared.memory.remember(item, to_onprem, inputs);
            }
            started(ctx, job)
        }
        "unplannedfailover" => {
            let request = match unplanned(flavor, body) {
                Ok(r) => r,
                Err(bad) => return ctx.bad(&bad),
            };
            started(ctx, ctx.recovery().failover(&target, &request).await)
        }
        "plannedfailover" => {
            let request = match planned(flavor, body) {
                Ok(r) => r,
                Err(bad) => return ctx.bad(&bad),
            };
            started(ctx, ctx.recovery().failover(&target, &request).await)
        }
        "failovercommit" => started(ctx, ctx.recovery().commit(&target).await),
        "failovercancel" => started(ctx, ctx.recovery().cancel_failover(&target).await),
        _ => no_action(ctx, action, &format!("replication protected item '{item}'")),
    }
}

/// The lab's reprotect request of a `reProtect` body, and the inputs to show on the item.
fn reprotect_request(
    estate: &failback_core::estate::Estate,
    body: &[u8],
) -> Result<(ReprotectRequest, Reprotected), Bad> {
    let input: m::ReverseReplicationInput = parse(body, "reProtect")?;
    let details = input.properties.provider_specific_details.ok_or_else(|| {
        Bad::required(
            "properties.providerSpecificDetails",
            "the provider's reprotect input (instanceType InMage, InMageAzureV2, InMageRcm or InMageRcmFailback)",
        )
    })?;
    let flavor = estate.flavor;
    // The estate's datastore id for a datastore given by name or id (the lab takes
    // either; the item then shows the one the request named).
    let datastore = |given: &str| -> String {
        estate
            .datastores
            .iter()
            .find(|d| d.id == given || d.name == given)
            .map_or(given.to_string(), |d| d.id.clone())
    };
    let policy = |p: &str| last_segment(p);
    const P: &str = "properties.providerSpecificDetails";
    use m::ReverseReplicationProviderSpecificInput as R;
    let (direction, shown) = match details {
        R::InMage(i) => {
            if flavor != Flavor::Classic {
                return Err(wrong_flavor("InMage", flavor));
            }
            let mt = not_empty(
                &i.master_target_id,
                &format!("{P}.masterTargetId"),
                "the master target's id",
            )?;
            let ps = not_empty(
                &i.process_server_id,
                &format!("{P}.processServerId"),
                "the process server's id",
            )?;
            let drive = not_empty(
                &i.retention_drive,
                &format!("{P}.retentionDrive"),
                "a retention volume of the master target",
            )?;
            let profile = not_empty(
                &i.profile_id,
                &format!("{P}.profileId"),
                "the InMage (failback) policy's id",
            )?;
            (
                Direction::AzureToOnPrem,
                Reprotected {
                    master_target: Some(mt),
                    process_server: Some(ps),
                    datastore: i.datastore_name.clone(),
                    retention_volume: Some(drive),
                    policy: Some(policy(&profile)),
                    run_as_account: i.run_as_account_id.clone(),
                    log_storage_account: None,
                },
            )
        }
        R::InMageAzureV2(i) => {
            if flavor != Flavor::Classic {
                return Err(wrong_flavor("InMageAzureV2", flavor));
            }
            (
                Direction::OnPremToAzure,
                Reprotected {
                    master_target: i.master_target_id.clone(),
                    process_server: i.process_server_id.clone(),
                    policy: i.policy_id.as_deref().map(policy),
                    run_as_account: i.run_as_account_id.clone(),
                    log_storage_account: i.log_storage_account_id.clone(),
                    ..Reprotected::default()
                },
            )
        }
        R::InMageRcm(i) => {
            if flavor != Flavor::Modernized {
                return Err(wrong_flavor("InMageRcm", flavor));
            }
            let agent = not_empty(
                &i.reprotect_agent_id,
                &format!("{P}.reprotectAgentId"),
                "the reprotect agent's id",
            )?;
            let ds = not_empty(
                &i.datastore_name,
                &format!("{P}.datastoreName"),
                "the datastore the VM lands on",
            )?;
            let log = not_empty(
                &i.log_storage_account_id,
                &format!("{P}.logStorageAccountId"),
                "the log storage account's ARM id",
            )?;
            (
                Direction::AzureToOnPrem,
                Reprotected {
                    master_target: Some(agent),
                    datastore: Some(ds),
                    policy: i.policy_id.as_deref().map(policy),
                    log_storage_account: Some(log),
                    ..Reprotected::default()
                },
            )
        }
        R::InMageRcmFailback(i) => {
            if flavor != Flavor::Modernized {
                return Err(wrong_flavor("InMageRcmFailback", flavor));
            }
            let ps = not_empty(
                &i.process_server_id,
                &format!("{P}.processServerId"),
                "the process server's id",
            )?;
            let profile = not_empty(
                &i.policy_id,
                &format!("{P}.policyId"),
                "the InMageRcm policy's id",
            )?;
            (
                Direction::OnPremToAzure,
                Reprotected {
                    process_server: Some(ps),
                    policy: Some(policy(&profile)),
                    run_as_account: i.run_as_account_id.clone(),
                    ..Reprotected::default()
                },
            )
        }
        R::Other(raw) => {
            let kind = raw
                .get("instanceType")
                .and_then(|v| v.as_str())
                .unwrap_or("(none)")
                .to_string();
            return Err(Bad::new(
                "InvalidProviderInput",
                format!("{P}.instanceType"),
                format!(
                    "the instanceType {kind} is not a failback provider: give InMage or InMageAzureV2 (classic), InMageRcm or InMageRcmFailback (modernized)"
                ),
            ));
        }
    };
    // The master target only toward on-premises: back to Azure the classic input names
    // the process server in its place, which the lab does not register as one.
    let master_target = match direction {
        Direction::AzureToOnPrem => shown.master_target.clone(),
        Direction::OnPremToAzure => None,
    };
    let request = ReprotectRequest {
        direction,
        master_target,
        process_server: shown.process_server.clone(),
        datastore: shown.datastore.as_deref().map(datastore),
        retention_volume: shown.retention_volume.clone(),
        policy: shown.policy.clone(),
        members: Vec::new(),
    };
    Ok((request, shown))
}

/// The classic point type of an `InMage` failover input.
fn classic_point(
    kind: Option<&m::RecoveryPointType>,
    id: Option<&str>,
    target: &str,
) -> Result<PointSpec, Bad> {
    match kind {
        None | Some(m::RecoveryPointType::LatestTime) => Ok(PointSpec::Latest),
        Some(m::RecoveryPointType::LatestTag) => Ok(PointSpec::LatestApplicationConsistent),
        Some(m::RecoveryPointType::Custom) => match id {
            Some(id) if !id.trim().is_empty() => Ok(PointSpec::Id(last_segment(id))),
            _ => Err(Bad::required(
                &format!("{target}.recoveryPointId"),
                "the recovery point's id with recoveryPointType Custom",
            )),
        },
        Some(m::RecoveryPointType::Other(v)) => Err(Bad::new(
            "InvalidInput",
            format!("{target}.recoveryPointType"),
            format!("recoveryPointType {v:?}: give LatestTime, LatestTag or Custom"),
        )),
    }
}

fn rcm_point(kind: &m::InMageRcmFailbackRecoveryPointType, target: &str) -> Result<PointSpec, Bad> {
    match kind {
        m::InMageRcmFailbackRecoveryPointType::ApplicationConsistent => {
            Ok(PointSpec::LatestApplicationConsistent)
        }
        m::InMageRcmFailbackRecoveryPointType::CrashConsistent => Ok(PointSpec::Latest),
        m::InMageRcmFailbackRecoveryPointType::Other(v) => Err(Bad::new(
            "InvalidInput",
            format!("{target}.recoveryPointType"),
            format!("recoveryPointType {v:?}: give ApplicationConsistent or CrashConsistent"),
        )),
    }
}

/// `unplannedFailover` of a classic item back to on-premises.
fn unplanned(flavor: Flavor, body: &[u8]) -> Result<FailoverRequest, Bad> {
    let input: m::UnplannedFailoverInput = parse(body, "unplannedFailover")?;
    const P: &str = "properties.providerSpecificDetails";
    match input.properties.provider_specific_details {
        Some(m::UnplannedFailoverProviderSpecificInput::InMage(i)) if flavor == Flavor::Classic => {
            let point = classic_point(
                i.recovery_point_type.as_ref(),
                i.recovery_point_id.as_deref(),
                P,
            )?;
            Ok(FailoverRequest {
                point,
                planned: false,
            })
        }
        Some(m::UnplannedFailoverProviderSpecificInput::InMage(_)) => {
            Err(wrong_flavor("InMage", flavor))
        }
        None if flavor == Flavor::Classic => Ok(FailoverRequest {
            point: PointSpec::Latest,
            planned: false,
        }),
        _ => Err(Bad::new(
            "OperationNotSupported",
            format!("{P}.instanceType"),
            match flavor {
                Flavor::Classic => "the simulator fails over back to on-premises only: give instanceType InMage".to_string(),
                Flavor::Modernized => "a modernized item fails back with plannedFailover (InMageRcmFailback), not unplannedFailover".to_string(),
            },
        )),
    }
}

/// `plannedFailover` of a modernized item back to on-premises.
fn planned(flavor: Flavor, body: &[u8]) -> Result<FailoverRequest, Bad> {
    if flavor != Flavor::Modernized {
        return Err(Bad::new(
            "OperationNotSupported",
            "properties.providerSpecificDetails.instanceType",
            "a classic item fails back with unplannedFailover (InMage), not plannedFailover",
        ));
    }
    let input: m::PlannedFailoverInput = parse(body, "plannedFailover")?;
    const P: &str = "properties.providerSpecificDetails";
    match input.properties.provider_specific_details {
        Some(m::PlannedFailoverProviderSpecificFailoverInput::InMageRcmFailback(i)) => {
            Ok(FailoverRequest {
                point: rcm_point(&i.recovery_point_type, P)?,
                planned: true,
            })
        }
        Some(m::PlannedFailoverProviderSpecificFailoverInput::Other(_)) => Err(Bad::new(
            "InvalidProviderInput",
            format!("{P}.instanceType"),
            "give instanceType InMageRcmFailback",
        )),
        None => Err(Bad::required(
            P,
            "the InMageRcmFailback planned failover input",
        )),
    }
}

/// The recovery-plan failover: direction `RecoveryToPrimary`, the flavour's provider input.
fn plan_failover(flavor: Flavor, body: &[u8], planned: bool) -> Result<FailoverRequest, Bad> {
    use m::RecoveryPlanProviderSpecificFailoverInput as I;
    const P: &str = "properties.providerSpecificDetails";
    let (direction, details) = if planned {
        let input: m::RecoveryPlanPlannedFailoverInput = parse(body, "plannedFailover")?;
        (
            input.properties.failover_direction,
            input.properties.provider_specific_details,
        )
    } else {
        let input: m::RecoveryPlanUnplannedFailoverInput = parse(body, "unplannedFailover")?;
        (
            input.properties.failover_direction,
            input.properties.provider_specific_details,
        )
    };
    if direction != m::FailoverDirection::RecoveryToPrimary {
        return Err(Bad::new(
            "OperationNotSupported",
            "properties.failoverDirection",
            "the simulator fails recovery plans over back to on-premises only: give RecoveryToPrimary",
        ));
    }
    let point = match (flavor, planned) {
        (Flavor::Classic, false) => {
            match details.iter().find_map(|d| match d {
                I::InMage(i) => Some(i),
                _ => None,
            }) {
                Some(i) => match &i.recovery_point_type {
                    m::RecoveryPointType::LatestTag => PointSpec::LatestApplicationConsistent,
                    m::RecoveryPointType::LatestTime => PointSpec::Latest,
                    other => {
                        return Err(Bad::new(
                            "InvalidInput",
                            format!("{P}[0].recoveryPointType"),
                            format!(
                                "recoveryPointType {other:?}: a recovery plan fails over to LatestTime or LatestTag"
                            ),
                        ))
                    }
                },
                None => PointSpec::Latest,
            }
        }
        (Flavor::Modernized, true) => {
            match details.iter().find_map(|d| match d {
                I::InMageRcmFailback(i) => Some(i),
                _ => None,
            }) {
                Some(i) => rcm_point(&i.recovery_point_type, &format!("{P}[0]"))?,
                None => {
                    return Err(Bad::required(
                        P,
                        "an InMageRcmFailback input for the plan's modernized items",
                    ))
                }
            }
        }
        (Flavor::Classic, true) => {
            return Err(Bad::new(
                "OperationNotSupported",
                "properties",
                "a classic recovery plan fails back with unplannedFailover, not plannedFailover",
            ))
        }
        (Flavor::Modernized, false) => {
            return Err(Bad::new(
                "OperationNotSupported",
                "properties",
                "a modernized recovery plan fails back with plannedFailover, not unplannedFailover",
            ))
        }
    };
    Ok(FailoverRequest { point, planned })
}

/// POST `V/replicationRecoveryPlans/{plan}/{action}`.
pub(crate) async fn plan_action(ctx: &Ctx, plan: &str, action: &str, body: &[u8]) -> Response {
    let estate = ctx.shared.lab.estate_with_points_of(&[]);
    if !estate.recovery_plans.iter().any(|p| p.name == plan) {
        return ctx.not_found(&format!("recovery plan '{plan}'"));
    }
    let target = Target::RecoveryPlan(plan.to_string());
    let flavor = estate.flavor;
    match action.to_ascii_lowercase().as_str() {
        a @ ("unplannedfailover" | "plannedfailover") => {
            match plan_failover(flavor, body, a == "plannedfailover") {
                Ok(request) => started(ctx, ctx.recovery().failover(&target, &request).await),
                Err(bad) => ctx.bad(&bad),
            }
        }
        "failovercommit" => started(ctx, ctx.recovery().commit(&target).await),
        "failovercancel" => started(ctx, ctx.recovery().cancel_failover(&target).await),
        "reprotect" => ctx.bad(&Bad::new(
            "OperationNotSupported",
            "properties",
            "recovery-plan reprotect is deprecated: reprotect the plan's items one by one (RPI/reProtect)",
        )),
        _ => no_action(ctx, action, &format!("recovery plan '{plan}'")),
    }
}

/// 200 with job `job` as it is now: the answer to an action on a job, which the lab
/// carries out at once (the spec's 200 of `cancel` and `resume`, a `Job`). Not a 202 with
/// the job's own operation URLs: their status is the job's (a cancelled job's is
/// `Canceled`, which a client's poller reads as the cancel failing) and their final GET
/// gives the job's target, not the `Job` the spec's `final-state-schema` names.
fn job_now(ctx: &Ctx, job: &str) -> Response {
    let view = ctx.full_view();
    match view.jobs.iter().find(|j| j.status.id.0 == job) {
        Some(j) => ctx.ok(&view.job(j)),
        None => ctx.not_found(&format!("job '{job}'")),
    }
}

/// POST `V/replicationJobs/{job}/{action}`: `cancel`, `resume` (with
/// `{"properties": {"comments": …}}`), answered 200 with the job.
pub(crate) async fn job_action(ctx: &Ctx, job: &str, action: &str, body: &[u8]) -> Response {
    let id = JobId(job.to_string());
    match action.to_ascii_lowercase().as_str() {
        "cancel" => match ctx.recovery().cancel(&id).await {
            Ok(()) => job_now(ctx, job),
            Err(e) => ctx.lab_error(&e),
        },
        "resume" => {
            let comment = if body.iter().all(u8::is_ascii_whitespace) {
                String::new()
            } else {
                match parse::<serde_json::Value>(body, "resume") {
                    Ok(v) => match v.pointer("/properties/comments") {
                        None | Some(serde_json::Value::Null) => String::new(),
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(_) => {
                            return ctx.bad(&Bad::new(
                                "InvalidRequestContent",
                                "properties.comments",
                                "properties.comments must be a string",
                            ))
                        }
                    },
                    Err(bad) => return ctx.bad(&bad),
                }
            };
            match ctx.recovery().resume_job(&id, &comment).await {
                Ok(()) => job_now(ctx, job),
                Err(e) => ctx.lab_error(&e),
            }
        }
        _ => no_action(ctx, action, &format!("job '{job}'")),
    }
}
