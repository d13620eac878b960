//! The request bodies of the mutations, per flavour and direction, by
//! `docs/asr-mapping.md` ("Operations"), with the defaults the adapter takes from the
//! vault when the request leaves an input out.

use failback_core::estate::Flavor;
use failback_core::provider::{Direction, PointSpec};
use failback_core::{ErrorKind, Result};
use serde::Serialize;
use serde_json::Value;

use super::ids::error;
use super::site::{PolicyKind, Site};
use crate::models::{
    FailoverDirection, InMageAzureV2ReprotectInput, InMageRcmFailbackPlannedFailoverProviderInput,
    InMageRcmFailbackRecoveryPointType, InMageRcmFailbackReprotectInput, InMageRcmReprotectInput,
    InMageReprotectInput, InMageUnplannedFailoverInput, MasterTargetServer, MultiVmSyncPointOption,
    PlannedFailoverInput, PlannedFailoverInputProperties, RecoveryPlanInMageFailoverInput,
    RecoveryPlanInMageRcmFailbackFailoverInput, RecoveryPlanPlannedFailoverInput,
    RecoveryPlanPlannedFailoverInputProperties, RecoveryPlanProviderSpecificFailoverInput,
    RecoveryPlanUnplannedFailoverInput, RecoveryPlanUnplannedFailoverInputProperties,
    RecoveryPointType, ReplicationProtectedItem, ReplicationProviderSpecificSettings,
    ReverseReplicationInput, ReverseReplicationInputProperties,
    ReverseReplicationProviderSpecificInput, SourceSiteOperations, UnplannedFailoverInput,
    UnplannedFailoverInputProperties, UnplannedFailoverProviderSpecificInput,
};

/// The inputs of one item's reprotect (a recovery plan's member has its own process
/// server and datastore, the group's master target, retention volume and policy).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReprotectInputs<'a> {
    pub master_target: Option<&'a str>,
    pub process_server: Option<&'a str>,
    pub datastore: Option<&'a str>,
    pub retention_volume: Option<&'a str>,
    pub policy: Option<&'a str>,
}

fn missing(item: &str, what: &str, why: &str) -> failback_core::Error {
    error(
        ErrorKind::InvalidInput,
        format!("reprotect of {item}: {what}: {why}"),
    )
}

/// The `reProtect` body of item `rpi` in `flavor` toward `direction`.
pub(crate) fn reprotect(
    flavor: Flavor,
    direction: Direction,
    inputs: &ReprotectInputs<'_>,
    rpi: &ReplicationProtectedItem,
    site: &Site,
) -> Result<ReverseReplicationInput> {
    let item = rpi.name.as_str();
    let policy = |kind: PolicyKind| -> Option<String> {
        inputs
            .policy
            .map(|p| site.policy_id(p).to_string())
            .or_else(|| site.policy_of(kind).map(str::to_string))
    };
    let (failover_direction, details) = match (flavor, direction) {
        (Flavor::Classic, Direction::AzureToOnPrem) => {
            let mt = inputs.master_target.ok_or_else(|| {
                missing(item, "no master target", "a classic reprotect to on-premises attaches the disks to one (masterTargetId is required)")
            })?;
            let mt_record = site.master_target(mt);
            let ps = inputs
                .process_server
                .or_else(|| site.azure_process_server())
                .ok_or_else(|| {
                    missing(item, "no process server", "the request names none and the vault lists no process server in Azure (processServerId is required)")
                })?;
            let retention = match inputs.retention_volume {
                Some(r) => r.to_string(),
                None => roomiest_retention_volume(mt_record).ok_or_else(|| {
                    missing(
                        item,
                        "no retention volume",
                        &format!("the request names none and master target {mt} lists no retention volume (retentionDrive is required)"),
                    )
                })?,
            };
            let profile = policy(PolicyKind::InMage).ok_or_else(|| {
                missing(item, "no failback policy", "the request names none and the vault has no InMage policy (profileId is required)")
            })?;
            let run_as = site.run_as_account(vcenter_infrastructure_id(rpi));
            (
                FailoverDirection::RecoveryToPrimary,
                ReverseReplicationProviderSpecificInput::InMage(InMageReprotectInput {
                    master_target_id: mt.to_string(),
                    process_server_id: ps.to_string(),
                    retention_drive: retention,
                    run_as_account_id: run_as,
                    datastore_name: inputs.datastore.map(|d| datastore_name(mt_record, d)),
                    disk_exclusion_input: None,
                    profile_id: profile,
                    disks_to_include: None,
                }),
            )
        }
        (Flavor::Classic, Direction::OnPremToAzure) => {
            let ps = inputs
                .process_server
                .or_else(|| site.onprem_process_server())
                .ok_or_else(|| {
                    missing(
                        item,
                        "no process server",
                        "the request names none and the vault lists no process server on-premises",
                    )
                })?;
            (
                FailoverDirection::RecoveryToPrimary,
                ReverseReplicationProviderSpecificInput::InMageAzureV2(
                    InMageAzureV2ReprotectInput {
                        master_target_id: Some(inputs.master_target.unwrap_or(ps).to_string()),
                        process_server_id: Some(ps.to_string()),
                        storage_account_id: None,
                        run_as_account_id: site.run_as_account(vcenter_infrastructure_id(rpi)),
                        policy_id: policy(PolicyKind::InMageAzureV2),
                        log_storage_account_id: None,
                        disks_to_include: None,
                    },
                ),
            )
        }
        (Flavor::Modernized, Direction::AzureToOnPrem) => {
            let agent = inputs
                .master_target
                .or_else(|| site.only_reprotect_agent())
                .ok_or_else(|| {
                    missing(item, "no reprotect agent", "the request names none and the appliance has more than one or none (reprotectAgentId is required)")
                })?;
            let datastore = inputs.datastore.ok_or_else(|| {
                missing(
                    item,
                    "no datastore",
                    "a modernized reprotect to on-premises needs one (datastoreName is required)",
                )
            })?;
            let log = log_storage_account(rpi)
                .or_else(|| site.log_storage_account.clone())
                .ok_or_else(|| {
                    missing(item, "no log storage account", "neither the item nor the appliance shows one (logStorageAccountId is required)")
                })?;
            (
                FailoverDirection::RecoveryToPrimary,
                ReverseReplicationProviderSpecificInput::InMageRcm(InMageRcmReprotectInput {
                    reprotect_agent_id: agent.to_string(),
                    datastore_name: datastore.to_string(),
                    log_storage_account_id: log,
                    policy_id: policy(PolicyKind::InMageRcmFailback),
                }),
            )
        }
        (Flavor::Modernized, Direction::OnPremToAzure) => {
            let ps = inputs
                .process_server
                .or_else(|| site.appliance_process_server())
                .ok_or_else(|| {
                    missing(item, "no process server", "the request names none and the appliance lists none (processServerId is required)")
                })?;
            let policy = policy(PolicyKind::InMageRcm).ok_or_else(|| {
                missing(item, "no policy", "the request names none and the vault has no InMageRcm policy (policyId is required)")
            })?;
            (
                FailoverDirection::PrimaryToRecovery,
                ReverseReplicationProviderSpecificInput::InMageRcmFailback(
                    InMageRcmFailbackReprotectInput {
                        process_server_id: ps.to_string(),
                        run_as_account_id: None,
                        policy_id: policy,
                    },
                ),
            )
        }
    };
    Ok(ReverseReplicationInput {
        properties: ReverseReplicationInputProperties {
            failover_direction: Some(failover_direction),
            provider_specific_details: Some(details),
        },
    })
}

/// The retention volume with the most free space of a classic master target.
fn roomiest_retention_volume(mt: Option<&MasterTargetServer>) -> Option<String> {
    let mut best: Option<(&str, i64)> = None;
    for v in mt.into_iter().flat_map(|m| &m.retention_volumes) {
        let Some(name) = v.volume_name.as_deref() else {
            continue;
        };
        let free = v.free_space_in_bytes.unwrap_or(0);
        if best.is_none_or(|(_, b)| free > b) {
            best = Some((name, free));
        }
    }
    best.map(|(n, _)| n.to_string())
}

/// The `datastoreName` of a classic reprotect: the symbolic name of the master target's
/// datastore whose uuid or symbolic name is `given`, else `given` as it is.
fn datastore_name(mt: Option<&MasterTargetServer>, given: &str) -> String {
    mt.into_iter()
        .flat_map(|m| &m.data_stores)
        .find(|d| d.uuid.as_deref() == Some(given) || d.symbolic_name.as_deref() == Some(given))
        .and_then(|d| d.symbolic_name.clone())
        .unwrap_or_else(|| given.to_string())
}

/// The vCenter infrastructure id a classic item shows.
fn vcenter_infrastructure_id(rpi: &ReplicationProtectedItem) -> Option<&str> {
    match &rpi.properties.provider_specific_details {
        Some(ReplicationProviderSpecificSettings::InMageAzureV2(d)) => {
            d.vcenter_infrastructure_id.as_deref()
        }
        Some(ReplicationProviderSpecificSettings::InMage(d)) => {
            d.vcenter_infrastructure_id.as_deref()
        }
        _ => None,
    }
}

/// The log storage account a modernized item shows (on a protected disk, or on its
/// failback details).
pub(crate) fn log_storage_account(rpi: &ReplicationProtectedItem) -> Option<String> {
    match &rpi.properties.provider_specific_details {
        Some(ReplicationProviderSpecificSettings::InMageRcm(d)) => d
            .protected_disks
            .iter()
            .find_map(|disk| disk.log_storage_account_id.clone())
            .filter(|s| !s.is_empty()),
        Some(ReplicationProviderSpecificSettings::InMageRcmFailback(d)) => {
            d.log_storage_account_id.clone().filter(|s| !s.is_empty())
        }
        _ => None,
    }
}

fn json(what: &str, body: &impl Serialize) -> Result<Value> {
    serde_json::to_value(body).map_err(|e| {
        error(
            ErrorKind::Other,
            format!("the body of {what} cannot be written as JSON: {e}"),
        )
    })
}

fn classic_point(point: &PointSpec) -> (RecoveryPointType, Option<String>) {
    match point {
        PointSpec::Latest => (RecoveryPointType::LatestTime, None),
        PointSpec::LatestApplicationConsistent => (RecoveryPointType::LatestTag, None),
        PointSpec::Id(id) => (RecoveryPointType::Custom, Some(id.clone())),
    }
}

fn modernized_point(what: &str, point: &PointSpec) -> Result<InMageRcmFailbackRecoveryPointType> {
    match point {
        PointSpec::Latest => Ok(InMageRcmFailbackRecoveryPointType::CrashConsistent),
        PointSpec::LatestApplicationConsistent => {
            Ok(InMageRcmFailbackRecoveryPointType::ApplicationConsistent)
        }
        PointSpec::Id(id) => Err(error(
            ErrorKind::InvalidInput,
            format!(
                "failover of {what} refused: a planned failover makes its own recovery point when it starts; a named point ({id}) cannot be given"
            ),
        )),
    }
}

/// The action (`unplannedFailover` or `plannedFailover`) and body of item `what`'s
/// failover to on-premises.
pub(crate) fn item_failover(
    flavor: Flavor,
    what: &str,
    point: &PointSpec,
) -> Result<(&'static str, Value)> {
    match flavor {
        Flavor::Classic => {
            let (kind, id) = classic_point(point);
            let body = UnplannedFailoverInput {
                properties: UnplannedFailoverInputProperties {
                    failover_direction: Some(FailoverDirection::RecoveryToPrimary),
                    source_site_operations: Some(SourceSiteOperations::Required),
                    provider_specific_details: Some(
                        UnplannedFailoverProviderSpecificInput::InMage(
                            InMageUnplannedFailoverInput {
                                recovery_point_type: Some(kind),
                                recovery_point_id: id,
                            },
                        ),
                    ),
                },
            };
            Ok(("unplannedFailover", json(what, &body)?))
        }
        Flavor::Modernized => {
            let body = PlannedFailoverInput {
                properties: PlannedFailoverInputProperties {
                    // As Az PowerShell sends it for InMageRcmFailback: no direction.
                    failover_direction: None,
                    provider_specific_details: Some(
                        InMageRcmFailbackPlannedFailoverProviderInput {
                            recovery_point_type: modernized_point(what, point)?,
                        }
                        .into(),
                    ),
                },
            };
            Ok(("plannedFailover", json(what, &body)?))
        }
    }
}

/// The action and body of recovery plan `what`'s failover to on-premises.
pub(crate) fn plan_failover(
    flavor: Flavor,
    what: &str,
    point: &PointSpec,
) -> Result<(&'static str, Value)> {
    if let PointSpec::Id(id) = point {
        return Err(error(
            ErrorKind::InvalidInput,
            format!(
                "failover of {what} refused: custom recovery points (here {id}) are not offered for recovery plans; fail the plan over to the latest or the latest application-consistent point"
            ),
        ));
    }
    match flavor {
        Flavor::Classic => {
            let (kind, _) = classic_point(point);
            let body = RecoveryPlanUnplannedFailoverInput {
                properties: RecoveryPlanUnplannedFailoverInputProperties {
                    failover_direction: FailoverDirection::RecoveryToPrimary,
                    source_site_operations: SourceSiteOperations::Required,
                    provider_specific_details: vec![
                        RecoveryPlanProviderSpecificFailoverInput::InMage(
                            RecoveryPlanInMageFailoverInput {
                                recovery_point_type: kind,
                            },
                        ),
                    ],
                },
            };
            Ok(("unplannedFailover", json(what, &body)?))
        }
        Flavor::Modernized => {
            let body = RecoveryPlanPlannedFailoverInput {
                properties: RecoveryPlanPlannedFailoverInputProperties {
                    failover_direction: FailoverDirection::RecoveryToPrimary,
                    provider_specific_details: vec![
                        RecoveryPlanProviderSpecificFailoverInput::InMageRcmFailback(
                            RecoveryPlanInMageRcmFailbackFailoverInput {
                                recovery_point_type: modernized_point(what, point)?,
                                use_multi_vm_sync_point: Some(
                                    MultiVmSyncPointOption::UseMultiVmSyncRecoveryPoint,
                                ),
                            },
                        ),
                    ],
                },
            };
            Ok(("plannedFailover", json(what, &body)?))
        }
    }
}

/// The body of `replicationJobs/{job}/resume` (`ResumeJobParams`, not in the spec
/// excerpt the models follow): `{"properties": {"comments": …}}`.
pub(crate) fn resume(comment: &str) -> Value {
    serde_json::json!({"properties": {"comments": comment}})
}
