//! The Azure half of the estate from what the vault lists, by `docs/asr-mapping.md`
//! ("Discovery"). What ASR does not say stays unknown (`None`); a value it says that does
//! not read (an address, a negative count) is an error naming the resource and the field.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use failback_core::estate::{
    BootGroup, ConfigurationServer, Consistency, Disk, Estate, Flavor, Health, ItemKind,
    MasterTarget, MasterTargetRole, Os, OsFamily, PlanAction, PlanActionKind, PolicyDirection,
    PolicyRecord, ProcessServer, ProtectedItem, PsLocation, RecoveryPlan, RecoveryPoint,
    ReplicationAppliance, Volume, VolumeUsage,
};
use failback_core::policy::{
    APP_CONSISTENT_FREQUENCY_MINUTES, RETENTION_MINUTES, RPO_THRESHOLD_MINUTES,
};
use failback_core::{Error, ErrorKind, Result};
use serde_json::Value;

use super::bodies::log_storage_account;
use super::ids::{error, is_azure_vm_id, last_segment, same_id, segment_after};
use super::index::Index;
use super::site::Site;
use super::state::protection_state;
use crate::models::{
    self as m, FailoverDirection, PolicyProviderSpecificDetails, ProtectionHealth,
    RecoveryPlanActionDetails, RecoveryPlanGroupType, ReplicationProtectedItem,
    ReplicationProviderSpecificSettings,
};

/// Everything discovery read from the vault.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Fabrics, vCenters, policies.
    pub site: Site,
    /// `V/replicationProtectedItems`.
    pub items: Vec<ReplicationProtectedItem>,
    /// Recovery points by item id (the items replicating toward on-premises).
    pub points: HashMap<String, Vec<m::RecoveryPoint>>,
    /// The Azure VMs by item id (the items whose RPI records one, as Compute shows them).
    pub vms: HashMap<String, failback_core::estate::AzureVm>,
    /// `V/replicationRecoveryPlans`.
    pub plans: Vec<m::RecoveryPlan>,
    /// `V/replicationProtectionContainerMappings`, as JSON (no model; empty when the
    /// vault does not serve it).
    pub mappings: Vec<Value>,
}

fn bad(what: String) -> Error {
    error(ErrorKind::Other, what)
}

fn to_u64(v: i64, what: impl FnOnce() -> String) -> Result<u64> {
    u64::try_from(v).map_err(|_| bad(format!("{} is {v}, not a count", what())))
}

fn to_u32(v: i32, what: impl FnOnce() -> String) -> Result<u32> {
    u32::try_from(v).map_err(|_| bad(format!("{} is {v}, not a count", what())))
}

/// The flavour the fabrics show: modernized with an `InMageRcm` fabric only, classic with
/// a `VMware` fabric only, else `hint`.
pub(crate) fn flavor_of(site: &Site, hint: Flavor) -> Flavor {
    match (
        site.classic().next().is_some(),
        site.modernized().next().is_some(),
    ) {
        (true, false) => Flavor::Classic,
        (false, true) => Flavor::Modernized,
        _ => hint,
    }
}

/// Whether an item's provider replicates toward on-premises (it has failback points).
pub(crate) fn toward_onprem(rpi: &ReplicationProtectedItem) -> bool {
    matches!(
        rpi.properties.provider_specific_details,
        Some(ReplicationProviderSpecificSettings::InMage(_))
            | Some(ReplicationProviderSpecificSettings::InMageRcmFailback(_))
    )
}

/// Whether an item is one of VMware failback's (its provider is one of the four).
pub(crate) fn is_vmware_item(rpi: &ReplicationProtectedItem) -> bool {
    matches!(
        rpi.properties.provider_specific_details,
        Some(
            ReplicationProviderSpecificSettings::InMage(_)
                | ReplicationProviderSpecificSettings::InMageAzureV2(_)
                | ReplicationProviderSpecificSettings::InMageRcm(_)
                | ReplicationProviderSpecificSettings::InMageRcmFailback(_)
        )
    )
}

/// The Azure half of the estate captured at `now`.
pub(crate) fn estate(
    listing: &Listing,
    index: &Index,
    hint: Flavor,
    now: DateTime<Utc>,
) -> Result<Estate> {
    let site = &listing.site;
    let mut e = Estate::empty(now);
    e.flavor = flavor_of(site, hint);
    let items: Vec<&ReplicationProtectedItem> =
        listing.items.iter().filter(|r| is_vmware_item(r)).collect();
    if let Some((f, d)) = site.classic().next() {
        e.configuration_server = configuration_server(f, d, &items)?;
    }
    if let Some((f, _)) = site.modernized().next() {
        e.replication_appliance = Some(ReplicationAppliance {
            id: f.name.clone(),
            name: f
                .properties
                .friendly_name
                .clone()
                .unwrap_or_else(|| f.name.clone()),
            log_storage_account: items.iter().find_map(|r| log_storage_account(r)),
            bandwidth_mbps: None,
        });
    }
    e.process_servers = process_servers(site)?;
    e.master_targets = master_targets(site)?;
    e.policies = policies(listing, &items, e.flavor)?;
    e.items = items
        .iter()
        .map(|r| {
            item(
                r,
                listing
                    .points
                    .get(&r.name)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
                listing.vms.get(&r.name).cloned(),
            )
        })
        .collect::<Result<_>>()?;
    e.recovery_plans = listing.plans.iter().map(|p| plan(p, index)).collect();
    Ok(e)
}

fn configuration_server(
    f: &m::Fabric,
    d: &m::VMwareDetails,
    items: &[&ReplicationProtectedItem],
) -> Result<Option<ConfigurationServer>> {
    let Some(text) = d
        .ip_address
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let ip: IpAddr = text.parse().map_err(|_| {
        bad(format!(
            "fabric {}: VMwareDetails.ipAddress {text:?} is not an IP address",
            f.name
        ))
    })?;
    let database_items = items
        .iter()
        .filter(|r| {
            segment_after(&r.id, "replicationFabrics")
                .is_some_and(|x| x.eq_ignore_ascii_case(&f.name))
        })
        .map(|r| r.name.clone())
        .collect();
    Ok(Some(ConfigurationServer {
        id: f.name.clone(),
        ip_address: ip,
        registered_ip_address: None,
        last_backup: None,
        database_items: Some(database_items),
    }))
}

fn health(h: Option<&ProtectionHealth>) -> Option<Health> {
    match h? {
        ProtectionHealth::Normal => Some(Health::Normal),
        ProtectionHealth::Warning => Some(Health::Warning),
        ProtectionHealth::Critical => Some(Health::Critical),
        _ => None,
    }
}

fn process_servers(site: &Site) -> Result<Vec<ProcessServer>> {
    let mut out = Vec::new();
    for (f, d) in site.classic() {
        for p in &d.process_servers {
            let id =
                p.id.clone()
                    .ok_or_else(|| bad(format!("fabric {}: a process server has no id", f.name)))?;
            out.push(ProcessServer {
                name: p.friendly_name.clone().unwrap_or_else(|| id.clone()),
                location: if p.host_id.as_deref().is_some_and(is_azure_vm_id) {
                    PsLocation::Azure
                } else {
                    PsLocation::OnPrem
                },
                network: None,
                running: match p.ps_service_status.as_deref() {
                    Some(s) if s.eq_ignore_ascii_case("Running") => Some(true),
                    Some(s) if s.eq_ignore_ascii_case("Stopped") => Some(false),
                    _ => None,
                },
                health: health(p.health.as_ref()),
                registered_at: None,
                bandwidth_mbps: None,
                id,
            });
        }
    }
    for (f, d) in site.modernized() {
        for p in &d.process_servers {
            let id =
                p.id.clone()
                    .ok_or_else(|| bad(format!("fabric {}: a process server has no id", f.name)))?;
            out.push(ProcessServer {
                name: p.name.clone().unwrap_or_else(|| id.clone()),
                location: PsLocation::OnPrem,
                network: None,
                running: None,
                health: health(p.health.as_ref()),
                registered_at: None,
                bandwidth_mbps: None,
                id,
            });
        }
    }
    Ok(out)
}

/// An OS family from ASR's `osType` (`Windows`, `Linux`, any case).
fn os_family(s: &str) -> Option<OsFamily> {
    let l = s.to_ascii_lowercase();
    if l.contains("windows") {
        Some(OsFamily::Windows)
    } else if l.contains("linux") {
        Some(OsFamily::Linux)
    } else {
        None
    }
}

fn os(what: &str, os_type: Option<&str>, version: Option<&str>) -> Result<Os> {
    let family = match os_type {
        Some(t) => os_family(t)
            .ok_or_else(|| bad(format!("{what}: osType {t:?} is neither Windows nor Linux")))?,
        None => return Err(bad(format!("{what}: ASR gives no osType"))),
    };
    Ok(Os {
        family,
        version: version.map(str::to_string).filter(|v| !v.is_empty()),
    })
}

fn blank_master_target(id: String, name: String, role: MasterTargetRole, os: Os) -> MasterTarget {
    MasterTarget {
        id,
        name,
        role,
        os,
        host: String::new(),
        datastore: String::new(),
        on_configuration_server: false,
        config_params: None,
        storage_vmotioned: None,
        vmware_tools: None,
        scsi_controller: None,
        snapshots: None,
        attached_disks: 0,
        packages: None,
        kernel_modules: None,
        custom_changes_applied: None,
        cache_volume: None,
        volumes: Vec::new(),
        cloned_from: None,
    }
}

fn master_targets(site: &Site) -> Result<Vec<MasterTarget>> {
    let mut out = Vec::new();
    for (f, d) in site.classic() {
        for mt in &d.master_target_servers {
            let id = mt.id.clone().ok_or_else(|| {
                bad(format!(
                    "fabric {}: a master target server has no id",
                    f.name
                ))
            })?;
            let what = format!("master target {id}");
            let name = mt.name.clone().unwrap_or_else(|| id.clone());
            let mut rec = blank_master_target(
                id.clone(),
                name.clone(),
                MasterTargetRole::MasterTarget,
                os(&what, mt.os_type.as_deref(), mt.os_version.as_deref())?,
            );
            rec.on_configuration_server = d
                .host_name
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(&name))
                || (mt.ip_address.is_some() && mt.ip_address == d.ip_address);
            if let Some(n) = mt.disk_count {
                rec.attached_disks = to_u32(n, || format!("{what}: diskCount"))?;
            }
            for v in &mt.retention_volumes {
                let (Some(vol), Some(cap), Some(free)) =
                    (&v.volume_name, v.capacity_in_bytes, v.free_space_in_bytes)
                else {
                    continue;
                };
                let capacity_bytes =
                    to_u64(cap, || format!("{what}: volume {vol} capacityInBytes"))?;
                let free_bytes = to_u64(free, || format!("{what}: volume {vol} freeSpaceInBytes"))?;
                rec.volumes.push(Volume {
                    name: vol.clone(),
                    // ASR does not say; the estate's type has no "unknown".
                    file_system: failback_core::estate::FileSystem::Other,
                    capacity_bytes,
                    free_bytes: free_bytes.min(capacity_bytes),
                    locked: false,
                    usage: VolumeUsage::None,
                    added_at: None,
                });
            }
            out.push(rec);
        }
    }
    for (f, d) in site.modernized() {
        for a in &d.reprotect_agents {
            let id = a
                .id
                .clone()
                .ok_or_else(|| bad(format!("fabric {}: a reprotect agent has no id", f.name)))?;
            // ASR gives no OS for a reprotect agent: it runs on the replication
            // appliance, a Windows Server machine.
            let os = Os {
                family: OsFamily::Windows,
                version: None,
            };
            let name = a.name.clone().unwrap_or_else(|| id.clone());
            out.push(blank_master_target(
                id,
                name,
                MasterTargetRole::ReprotectAgent,
                os,
            ));
        }
    }
    Ok(out)
}

fn policies(
    listing: &Listing,
    items: &[&ReplicationProtectedItem],
    flavor: Flavor,
) -> Result<Vec<PolicyRecord>> {
    let count = |name: &str, field: &str, v: Option<i32>, fixed: u32| -> Result<u32> {
        match v {
            Some(n) => to_u32(n, || format!("policy {name}: {field}")),
            None => Ok(fixed),
        }
    };
    let mut out = Vec::new();
    for p in &listing.site.policies {
        let n = p.name.as_str();
        let (direction, rpo, retention, app) = match &p.properties.provider_specific_details {
            Some(PolicyProviderSpecificDetails::InMage(d)) => (
                PolicyDirection::Failback,
                d.recovery_point_threshold_in_minutes,
                d.recovery_point_history,
                d.app_consistent_frequency_in_minutes,
            ),
            Some(PolicyProviderSpecificDetails::InMageAzureV2(d)) => (
                PolicyDirection::Forward,
                d.recovery_point_threshold_in_minutes,
                d.recovery_point_history,
                d.app_consistent_frequency_in_minutes,
            ),
            Some(PolicyProviderSpecificDetails::InMageRcm(d)) => (
                PolicyDirection::Forward,
                None,
                d.recovery_point_history_in_minutes,
                d.app_consistent_frequency_in_minutes,
            ),
            Some(PolicyProviderSpecificDetails::InMageRcmFailback(d)) => (
                PolicyDirection::Failback,
                None,
                None,
                d.app_consistent_frequency_in_minutes,
            ),
            _ => continue,
        };
        out.push(PolicyRecord {
            id: p.id.clone(),
            direction,
            rpo_threshold_minutes: count(
                n,
                "recoveryPointThresholdInMinutes",
                rpo,
                RPO_THRESHOLD_MINUTES,
            )?,
            retention_minutes: count(n, "recoveryPointHistory", retention, RETENTION_MINUTES)?,
            app_consistent_frequency_minutes: count(
                n,
                "appConsistentFrequencyInMinutes",
                app,
                APP_CONSISTENT_FREQUENCY_MINUTES,
            )?,
            associated_with: None,
            derived_from: None,
        });
    }
    // A failback policy ASR created with a forward one is named after it.
    let forward_by_name: HashMap<String, String> = listing
        .site
        .policies
        .iter()
        .filter(|p| {
            out.iter()
                .any(|r| r.id == p.id && r.direction == PolicyDirection::Forward)
        })
        .map(|p| (p.name.to_ascii_lowercase(), p.id.clone()))
        .collect();
    for p in &listing.site.policies {
        let lower = p.name.to_ascii_lowercase();
        let Some(forward) = lower
            .strip_suffix("-failback")
            .and_then(|f| forward_by_name.get(f))
        else {
            continue;
        };
        if let Some(r) = out
            .iter_mut()
            .find(|r| r.id == p.id && r.direction == PolicyDirection::Failback)
        {
            r.derived_from = Some(forward.clone());
        }
    }
    if flavor == Flavor::Classic {
        associate(&mut out, listing, items);
    }
    Ok(out)
}

/// The configuration server (fabric) each classic policy is associated with: its
/// protection container mappings', else the fabric of an item it protects, else (a
/// failback policy) the forward policy's it derives from.
fn associate(out: &mut [PolicyRecord], listing: &Listing, items: &[&ReplicationProtectedItem]) {
    let fabric_of = |policy: &str| -> Option<String> {
        let mapped = listing.mappings.iter().find_map(|v| {
            let pid = v.pointer("/properties/policyId")?.as_str()?;
            if !same_id(pid, policy) {
                return None;
            }
            let id = v.get("id")?.as_str()?;
            segment_after(id, "replicationFabrics").map(str::to_string)
        });
        mapped.or_else(|| {
            items.iter().find_map(|r| {
                let pid = r.properties.policy_id.as_deref()?;
                same_id(pid, policy)
                    .then(|| segment_after(&r.id, "replicationFabrics").map(str::to_string))
                    .flatten()
            })
        })
    };
    for r in out.iter_mut() {
        r.associated_with = fabric_of(&r.id);
    }
    let forward: HashMap<String, Option<String>> = out
        .iter()
        .map(|r| (r.id.clone(), r.associated_with.clone()))
        .collect();
    for r in out.iter_mut().filter(|r| r.associated_with.is_none()) {
        if let Some(f) = r.derived_from.as_ref().and_then(|f| forward.get(f)) {
            r.associated_with = f.clone();
        }
    }
}

/// What an item's provider details say, the same for every provider.
struct Facts<'a> {
    discovery_type: Option<&'a str>,
    os_type: Option<&'a str>,
    os_version: Option<&'a str>,
    /// (name, capacity) per protected disk.
    disks: Vec<(Option<&'a str>, Option<i64>)>,
    group_id: Option<&'a str>,
    group_name: Option<&'a str>,
    master_target: Option<&'a str>,
    original_vm: Option<&'a str>,
}

fn facts(d: &ReplicationProviderSpecificSettings) -> Option<Facts<'_>> {
    use ReplicationProviderSpecificSettings as P;
    Some(match d {
        P::InMage(d) => Facts {
            discovery_type: d.discovery_type.as_deref(),
            os_type: d.os_details.as_ref().and_then(|o| o.os_type.as_deref()),
            os_version: d.os_version.as_deref(),
            disks: d
                .protected_disks
                .iter()
                .map(|k| {
                    (
                        k.disk_name.as_deref().or(k.disk_id.as_deref()),
                        k.disk_capacity_in_bytes,
                    )
                })
                .collect(),
            group_id: d.multi_vm_group_id.as_deref(),
            group_name: d.multi_vm_group_name.as_deref(),
            master_target: d.master_target_id.as_deref(),
            original_vm: d.infrastructure_vm_id.as_deref(),
        },
        P::InMageAzureV2(d) => Facts {
            discovery_type: d.discovery_type.as_deref(),
            os_type: d.os_type.as_deref(),
            os_version: d.os_version.as_deref().or(d.os_name.as_deref()),
            disks: d
                .protected_disks
                .iter()
                .map(|k| {
                    (
                        k.disk_name.as_deref().or(k.disk_id.as_deref()),
                        k.disk_capacity_in_bytes,
                    )
                })
                .collect(),
            group_id: d.multi_vm_group_id.as_deref(),
            group_name: d.multi_vm_group_name.as_deref(),
            master_target: None,
            original_vm: d.infrastructure_vm_id.as_deref(),
        },
        P::InMageRcm(d) => Facts {
            discovery_type: d.discovery_type.as_deref(),
            os_type: d.os_type.as_deref(),
            os_version: d.os_name.as_deref(),
            disks: d
                .protected_disks
                .iter()
                .map(|k| {
                    (
                        k.disk_name.as_deref().or(k.disk_id.as_deref()),
                        k.capacity_in_bytes,
                    )
                })
                .collect(),
            group_id: None,
            group_name: d.multi_vm_group_name.as_deref(),
            master_target: None,
            original_vm: None,
        },
        P::InMageRcmFailback(d) => Facts {
            discovery_type: None,
            os_type: d.os_type.as_deref(),
            os_version: d
                .discovered_vm_details
                .as_ref()
                .and_then(|v| v.os_name.as_deref()),
            disks: d
                .protected_disks
                .iter()
                .map(|k| {
                    (
                        k.disk_name.as_deref().or(k.disk_id.as_deref()),
                        k.capacity_in_bytes,
                    )
                })
                .collect(),
            group_id: None,
            group_name: d.multi_vm_group_name.as_deref(),
            master_target: d.reprotect_agent_id.as_deref(),
            original_vm: None,
        },
        P::Other(_) => return None,
    })
}

/// The replication group of an item: `multiVmGroupName`, unless it is the item's own
/// group (ASR names an item alone by its `multiVmGroupId`, a GUID).
fn replication_group(f: &Facts<'_>) -> Option<String> {
    let name = f.group_name.map(str::trim).filter(|n| !n.is_empty())?;
    let alone = f
        .group_id
        .is_some_and(|id| id.trim().eq_ignore_ascii_case(name));
    (!alone).then(|| name.to_string())
}

/// Protected item `r` with its recovery points `points` and its Azure VM.
pub(crate) fn item(
    r: &ReplicationProtectedItem,
    points: &[m::RecoveryPoint],
    azure_vm: Option<failback_core::estate::AzureVm>,
) -> Result<ProtectedItem> {
    let what = format!("protected item {}", r.name);
    let details = r
        .properties
        .provider_specific_details
        .as_ref()
        .and_then(facts)
        .ok_or_else(|| {
            bad(format!(
                "{what}: its provider is not one of VMware failback's"
            ))
        })?;
    let state = protection_state(r).map_err(|e| bad(e.to_string()))?;
    let kind = match details.discovery_type {
        None => ItemKind::VmwareVm,
        Some(t) if t.eq_ignore_ascii_case("vCenter") => ItemKind::VmwareVm,
        Some(t) if t.eq_ignore_ascii_case("Physical") => ItemKind::PhysicalServer,
        Some(t) => {
            return Err(bad(format!(
                "{what}: discoveryType {t:?} is neither vCenter nor Physical"
            )))
        }
    };
    let disks = details
        .disks
        .iter()
        .enumerate()
        .map(|(k, (name, cap))| {
            let name = name.map_or_else(|| format!("disk-{k}"), str::to_string);
            let capacity_bytes = match cap {
                Some(c) => to_u64(*c, || format!("{what}: disk {name} capacity"))?,
                None => 0,
            };
            Ok(Disk {
                name,
                capacity_bytes,
                rdm: false,
            })
        })
        .collect::<Result<_>>()?;
    Ok(ProtectedItem {
        id: r.name.clone(),
        name: r
            .properties
            .friendly_name
            .clone()
            .unwrap_or_else(|| r.name.clone()),
        kind,
        os: os(&what, details.os_type, details.os_version)?,
        root_file_system: None,
        boot_file_system: None,
        original_vm: details.original_vm.map(str::to_string),
        disks,
        changed_bytes: None,
        azure_vm,
        replication_group: replication_group(&details),
        state,
        master_target: details
            .master_target
            .map(str::to_string)
            .filter(|s| !s.is_empty()),
        recovery_points: points
            .iter()
            .map(|p| point(&r.name, p))
            .collect::<Result<_>>()?,
        on_prem_addresses: Vec::new(),
    })
}

/// A recovery point of item `item`: its ARM id, time, consistency and multi-VM sync.
pub(crate) fn point(item: &str, p: &m::RecoveryPoint) -> Result<RecoveryPoint> {
    let what = || format!("recovery point {} of {item}", p.name);
    let time = p
        .properties
        .recovery_point_time
        .ok_or_else(|| bad(format!("{}: ASR gives no recoveryPointTime", what())))?;
    let consistency = match &p.properties.recovery_point_type {
        Some(m::RecoveryPointKind::ApplicationConsistent) => Consistency::ApplicationConsistent,
        Some(m::RecoveryPointKind::CrashConsistent) => Consistency::CrashConsistent,
        Some(other) => {
            return Err(bad(format!(
                "{}: recoveryPointType {:?} is neither ApplicationConsistent nor CrashConsistent",
                what(),
                other.as_str()
            )))
        }
        None => return Err(bad(format!("{}: ASR gives no recoveryPointType", what()))),
    };
    let sync = match &p.properties.provider_specific_details {
        Some(m::ProviderSpecificRecoveryPointDetails::InMageAzureV2(d)) => {
            d.is_multi_vm_sync_point.as_deref()
        }
        Some(m::ProviderSpecificRecoveryPointDetails::InMageRcm(d)) => {
            d.is_multi_vm_sync_point.as_deref()
        }
        _ => None,
    };
    Ok(RecoveryPoint {
        id: p.id.clone(),
        time,
        consistency,
        multi_vm_sync: sync.is_some_and(|s| s.trim().eq_ignore_ascii_case("true")),
    })
}

/// Recovery plan `p`: its `Boot` groups in order, their items (by the RPI ids they list)
/// and their manual actions that run on a failover to on-premises (`RecoveryToPrimary`).
/// A plan of one group without actions is the estate's plan without groups.
pub(crate) fn plan(p: &m::RecoveryPlan, index: &Index) -> RecoveryPlan {
    let action = |a: &m::RecoveryPlanAction| -> Option<PlanAction> {
        let back = a.failover_directions.is_empty()
            || a.failover_directions
                .contains(&FailoverDirection::RecoveryToPrimary);
        match &a.custom_details {
            RecoveryPlanActionDetails::ManualActionDetails(d) if back => Some(PlanAction {
                name: a.action_name.clone(),
                kind: PlanActionKind::Manual,
                instructions: d.description.clone(),
            }),
            _ => None,
        }
    };
    let mut groups: Vec<BootGroup> = p
        .properties
        .groups
        .iter()
        .filter(|g| g.group_type == RecoveryPlanGroupType::Boot)
        .map(|g| BootGroup {
            items: g
                .replication_protected_items
                .iter()
                .filter_map(|i| i.id.as_deref())
                .map(|id| {
                    index
                        .by_arm_id(id)
                        .map_or_else(|| last_segment(id).to_string(), |r| r.name.clone())
                })
                .collect(),
            start_actions: g.start_group_actions.iter().filter_map(action).collect(),
            end_actions: g.end_group_actions.iter().filter_map(action).collect(),
        })
        .collect();
    let items = groups.iter().flat_map(|g| g.items.clone()).collect();
    if let [only] = groups.as_slice() {
        if only.start_actions.is_empty() && only.end_actions.is_empty() {
            groups.clear();
        }
    }
    RecoveryPlan {
        name: p.name.clone(),
        items,
        groups,
    }
}
