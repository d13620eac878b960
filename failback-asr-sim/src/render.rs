//! The lab's state rendered as ASR resources, by `docs/asr-mapping.md`: fabrics, vCenters,
//! containers, policies, protected items (their state by the mapping's table), recovery
//! points, recovery plans and jobs, in the serde models of `failback_azure::models` (the
//! client's own types, so the shapes are the ones it reads).

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use failback_azure::models as m;
use failback_core::estate::{
    Consistency, DatastoreKind, Estate, Flavor, Health, ItemKind, MasterTarget, MasterTargetRole,
    OsFamily, PolicyDirection, ProtectedItem, PsLocation, RecoveryPoint,
};
use failback_core::provider::{JobState, JobStatus, Target, TaskKind, TaskStatus};
use failback_core::state::{Operation, ProtectionState};
use failback_lab::{ItemView, JobView, LabSite};

use crate::ids::{guid, types, Names};
use crate::memo::{Memo, Reprotected};

/// The `startTime` ASR gives an idle item's current scenario.
const IDLE_SINCE: i64 = -6_847_801_139; // 1753-01-01T01:01:01Z

/// The recovery fabric's friendly name, as ASR shows Azure.
const AZURE: &str = "Microsoft Azure";

const GIB: f64 = (1u64 << 30) as f64;

/// The provider (`providerSpecificDetails.instanceType`) of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provider {
    /// Classic, toward Azure.
    InMageAzureV2,
    /// Classic, toward on-premises.
    InMage,
    /// Modernized, toward Azure.
    InMageRcm,
    /// Modernized, toward on-premises.
    InMageRcmFailback,
}

impl Provider {
    /// The `instanceType`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Provider::InMageAzureV2 => "InMageAzureV2",
            Provider::InMage => "InMage",
            Provider::InMageRcm => "InMageRcm",
            Provider::InMageRcmFailback => "InMageRcmFailback",
        }
    }

    /// The provider of an item of `flavor` in `state`: toward on-premises from the end of
    /// its reprotect to the end of its reprotect to Azure.
    pub(crate) fn of(flavor: Flavor, state: ProtectionState) -> Provider {
        match (flavor, toward_onprem(state)) {
            (Flavor::Classic, false) => Provider::InMageAzureV2,
            (Flavor::Classic, true) => Provider::InMage,
            (Flavor::Modernized, false) => Provider::InMageRcm,
            (Flavor::Modernized, true) => Provider::InMageRcmFailback,
        }
    }
}

/// Whether an item in `state` replicates (or last replicated) toward on-premises.
fn toward_onprem(state: ProtectionState) -> bool {
    use ProtectionState as S;
    matches!(
        state,
        S::ReplicatingToOnPrem
            | S::FailingBack
            | S::FailedBackAwaitingCommit
            | S::Committing
            | S::CommittedUnprotected
            | S::ReprotectingToAzure
    )
}

/// The `activeLocation` of an item in `state`: `Recovery` while its VM runs in Azure.
fn active_location(state: ProtectionState) -> &'static str {
    use ProtectionState as S;
    match state {
        S::FailedBackAwaitingCommit
        | S::Committing
        | S::CommittedUnprotected
        | S::ReprotectingToAzure
        | S::Protected => "Primary",
        _ => "Recovery",
    }
}

/// The `protectionState` of an item of `flavor` in `state` (the simulator's values, see
/// the mapping).
fn protection_state(flavor: Flavor, state: ProtectionState) -> &'static str {
    use ProtectionState as S;
    match (state, flavor) {
        (S::FailedOverToAzure | S::CommittedUnprotected, _) => "FailoverCommitted",
        (S::Reprotecting | S::ReprotectingToAzure, _) => "ReprotectInProgress",
        (S::ReplicatingToOnPrem | S::Protected, _) => "Protected",
        (S::FailingBack, Flavor::Classic) => "UnplannedFailoverInProgress",
        (S::FailingBack, Flavor::Modernized) => "PlannedFailoverInProgress",
        (S::FailedBackAwaitingCommit, Flavor::Classic) => {
            "UnplannedFailoverCommitPendingStatesBegin"
        }
        (S::FailedBackAwaitingCommit, Flavor::Modernized) => "PlannedFailoverCommitRequired",
        (S::Committing, _) => "FailoverCommitInProgress",
        (S::MigrationCompleted, _) => "MigrationCompleted",
        (S::ProtectionDisabled, _) => "ProtectionDisabled",
    }
}

/// The `allowedOperations` of an item of `flavor` in `state`: the operations the
/// simulator serves that the state allows.
fn allowed_operations(
    flavor: Flavor,
    state: ProtectionState,
) -> Vec<m::ReplicationProtectedItemOperation> {
    use m::ReplicationProtectedItemOperation as O;
    use ProtectionState as S;
    match state {
        S::FailedOverToAzure | S::CommittedUnprotected => vec![O::ReverseReplicate],
        S::ReplicatingToOnPrem => vec![failover_operation(flavor)],
        S::FailedBackAwaitingCommit => match flavor {
            Flavor::Classic => vec![O::Commit],
            Flavor::Modernized => vec![O::Commit, O::CancelFailover],
        },
        _ => Vec::new(),
    }
}

/// The failover back on-premises of `flavor`: unplanned (classic) or planned (modernized).
fn failover_operation(flavor: Flavor) -> m::ReplicationProtectedItemOperation {
    match flavor {
        Flavor::Classic => m::ReplicationProtectedItemOperation::UnplannedFailover,
        Flavor::Modernized => m::ReplicationProtectedItemOperation::PlannedFailover,
    }
}

/// The job `scenarioName` of `op` in `flavor` (the mapping's table).
pub(crate) fn scenario_name(op: Operation, flavor: Flavor) -> &'static str {
    match (op, flavor) {
        (Operation::Reprotect | Operation::ReprotectToAzure, _) => "ReverseReplication",
        (Operation::Failover, Flavor::Classic) => "UnplannedFailover",
        (Operation::Failover, Flavor::Modernized) => "PlannedFailover",
        (Operation::Commit, _) => "CommitFailover",
        (Operation::CancelFailover, _) => "CancelFailover",
    }
}

/// A job's `friendlyName`.
fn job_friendly_name(op: Operation, flavor: Flavor) -> &'static str {
    match (op, flavor) {
        (Operation::Reprotect | Operation::ReprotectToAzure, _) => "Reprotect",
        (Operation::Failover, Flavor::Classic) => "Unplanned failover",
        (Operation::Failover, Flavor::Modernized) => "Planned failover",
        (Operation::Commit, _) => "Commit",
        (Operation::CancelFailover, _) => "Cancel failover",
    }
}

/// A core job state as ASR's.
pub(crate) fn job_state(state: JobState) -> m::JobState {
    match state {
        JobState::NotStarted => m::JobState::NotStarted,
        JobState::InProgress => m::JobState::InProgress,
        JobState::Succeeded => m::JobState::Succeeded,
        JobState::Failed => m::JobState::Failed,
        JobState::Cancelled => m::JobState::Cancelled,
        JobState::Suspended => m::JobState::Suspended,
    }
}

fn health(h: Option<Health>) -> Option<m::ProtectionHealth> {
    h.map(|h| match h {
        Health::Normal => m::ProtectionHealth::Normal,
        Health::Warning => m::ProtectionHealth::Warning,
        Health::Critical => m::ProtectionHealth::Critical,
    })
}

fn os_type(family: OsFamily) -> String {
    family.to_string()
}

fn gb(bytes: u64) -> m::NumericString {
    m::NumericString::new(format!("{:.2}", bytes as f64 / GIB))
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn int32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn count(n: usize) -> m::NumericString {
    m::NumericString::new(n.to_string())
}

fn resource<P>(id: String, name: &str, kind: &str, properties: P) -> m::Resource<P> {
    m::Resource {
        id,
        name: name.to_string(),
        resource_type: Some(kind.to_string()),
        location: None,
        system_data: None,
        properties,
    }
}

/// The lab's state at one moment, ready to render.
pub(crate) struct View<'a> {
    /// The lab (for what its estate does not hold: failover points and times).
    pub lab: &'a LabSite,
    /// The estate now (the whole of it: the on-premises half gives the datastores).
    pub estate: Estate,
    /// The names of the vault's fabric and container.
    pub names: Names,
    /// The simulated time now.
    pub now: DateTime<Utc>,
    /// Every job, oldest first.
    pub jobs: Vec<JobView>,
    /// Every item as the lab holds it, by id.
    pub items: HashMap<String, ItemView>,
    /// The inputs of the reprotects accepted over HTTP, by item.
    pub memo: Memo,
    /// The vCenter of each on-premises VM (by VM id), built on first use.
    pub vcenter_of_vm: OnceCell<HashMap<String, String>>,
}

impl View<'_> {
    /// The fabric's friendly name.
    fn fabric_friendly(&self) -> String {
        match self.estate.flavor {
            Flavor::Classic => self.names.fabric.clone(),
            Flavor::Modernized => self
                .estate
                .replication_appliance
                .as_ref()
                .map_or(self.names.fabric.clone(), |a| a.name.clone()),
        }
    }

    /// The fabric's `instanceType`.
    fn fabric_type(&self) -> &'static str {
        match self.estate.flavor {
            Flavor::Classic => "VMware",
            Flavor::Modernized => "InMageRcm",
        }
    }

    /// A heartbeat: now for a server running (or of unknown state, as the lab runs it),
    /// an hour ago for one that is not.
    fn heartbeat(&self, running: Option<bool>) -> DateTime<Utc> {
        match running {
            Some(false) => self.now - Duration::hours(1),
            _ => self.now,
        }
    }

    /// The run-as account id of vCenter `vc`.
    fn run_as_account(vc: &str) -> String {
        format!("runas-{vc}")
    }

    /// The datastores of the host of master target `mt`.
    fn datastores_of(&self, mt: &MasterTarget) -> Vec<&failback_core::estate::Datastore> {
        let mounted: BTreeSet<&str> = self
            .estate
            .hosts
            .iter()
            .filter(|h| h.id == mt.host || h.name == mt.host)
            .flat_map(|h| h.datastores.iter().map(String::as_str))
            .chain(std::iter::once(mt.datastore.as_str()))
            .collect();
        self.estate
            .datastores
            .iter()
            .filter(|d| mounted.contains(d.id.as_str()) || mounted.contains(d.name.as_str()))
            .collect()
    }

    /// The vCenter of the host of master target `mt`.
    fn vcenter_of(&self, mt: &MasterTarget) -> Option<String> {
        self.estate
            .hosts
            .iter()
            .find(|h| h.id == mt.host || h.name == mt.host)
            .and_then(|h| h.vcenter.clone())
    }

    /// The vCenter an item was protected from (its `vCenterInfrastructureId`, the
    /// vCenter's `infrastructureId`): its original VM's host's; unknown when the VM is
    /// gone from vSphere (the lab keeps no record of where it ran).
    fn vcenter_of_item(&self, it: &ProtectedItem) -> Option<String> {
        let vm = it.original_vm.as_deref()?;
        self.vcenter_of_vm
            .get_or_init(|| {
                let hosts: HashMap<&str, &str> = self
                    .estate
                    .hosts
                    .iter()
                    .filter_map(|h| {
                        let vc = h.vcenter.as_deref()?;
                        Some([(h.id.as_str(), vc), (h.name.as_str(), vc)])
                    })
                    .flatten()
                    .collect();
                self.estate
                    .vms
                    .iter()
                    .filter_map(|v| Some((v.id.clone(), hosts.get(v.host.as_str())?.to_string())))
                    .collect()
            })
            .get(vm)
            .cloned()
    }

    // -----------------------------------------------------------------------------------
    // Fabric, vCenters, container, policies
    // -----------------------------------------------------------------------------------

    /// The vault's one fabric.
    pub(crate) fn fabric(&self) -> m::Fabric {
        let details = match self.estate.flavor {
            Flavor::Classic => m::FabricSpecificDetails::VMware(self.vmware_details()),
            Flavor::Modernized => m::FabricSpecificDetails::InMageRcm(self.rcm_details()),
        };
        resource(
            self.names.fabric_id(),
            &self.names.fabric,
            types::FABRIC,
            m::FabricProperties {
                friendly_name: Some(self.fabric_friendly()),
                internal_identifier: Some(guid(&format!("fabric:{}", self.names.fabric))),
                custom_details: Some(details),
                health: Some("Normal".into()),
                ..m::FabricProperties::default()
            },
        )
    }

    fn vmware_details(&self) -> m::VMwareDetails {
        let e = &self.estate;
        let cs = e.configuration_server.as_ref();
        let process_servers = e
            .process_servers
            .iter()
            .map(|ps| m::ProcessServer {
                friendly_name: Some(ps.name.clone()),
                id: Some(ps.id.clone()),
                os_type: Some("Windows".into()),
                last_heartbeat: Some(self.heartbeat(ps.running)),
                host_id: Some(match ps.location {
                    PsLocation::Azure => self.names.azure_vm_id(&ps.name),
                    PsLocation::OnPrem => guid(&format!("host:{}", ps.id)),
                }),
                ps_service_status: ps
                    .running
                    .map(|r| if r { "Running" } else { "Stopped" }.to_string()),
                health: health(ps.health),
                ..m::ProcessServer::default()
            })
            .collect();
        let master_target_servers = e
            .master_targets
            .iter()
            .filter(|mt| mt.role == MasterTargetRole::MasterTarget)
            .map(|mt| m::MasterTargetServer {
                id: Some(mt.id.clone()),
                name: Some(mt.name.clone()),
                os_type: Some(os_type(mt.os.family)),
                os_version: mt.os.version.clone(),
                last_heartbeat: Some(self.now),
                retention_volumes: mt
                    .volumes
                    .iter()
                    .filter(|v| v.free_bytes > 0)
                    .map(|v| m::RetentionVolume {
                        volume_name: Some(v.name.clone()),
                        capacity_in_bytes: Some(int(v.capacity_bytes)),
                        free_space_in_bytes: Some(int(v.free_bytes)),
                        threshold_percentage: Some(80),
                    })
                    .collect(),
                data_stores: self
                    .datastores_of(mt)
                    .into_iter()
                    .map(|d| m::DataStore {
                        symbolic_name: Some(d.name.clone()),
                        uuid: Some(d.id.clone()),
                        capacity: Some(gb(d.capacity_bytes)),
                        free_space: Some(gb(d.free_bytes)),
                        store_type: Some(
                            match d.kind {
                                DatastoreKind::Vmfs => "VMFS",
                                DatastoreKind::Nfs => "NFS",
                                DatastoreKind::Vsan => "vSAN",
                            }
                            .into(),
                        ),
                    })
                    .collect(),
                disk_count: Some(int32(mt.attached_disks)),
                ..m::MasterTargetServer::default()
            })
            .collect();
        let run_as_accounts = e
            .vcenters
            .iter()
            .map(|vc| m::RunAsAccount {
                account_id: Some(Self::run_as_account(&vc.id)),
                account_name: Some(vc.account.user.clone()),
            })
            .collect();
        let protected = cs
            .and_then(|c| c.database_items.as_ref())
            .map_or(e.items.len(), Vec::len);
        m::VMwareDetails {
            process_servers,
            master_target_servers,
            run_as_accounts,
            replication_pair_count: Some(count(e.items.len())),
            process_server_count: Some(count(e.process_servers.len())),
            agent_count: Some(count(e.items.len())),
            protected_servers: Some(count(protected)),
            ip_address: cs.map(|c| c.ip_address.to_string()),
            host_name: Some(self.names.fabric.clone()),
            last_heartbeat: Some(self.now),
            cs_service_status: Some("Running".into()),
            ..m::VMwareDetails::default()
        }
    }

    fn rcm_details(&self) -> m::InMageRcmFabricSpecificDetails {
        let e = &self.estate;
        let per_agent: BTreeMap<String, i32> =
            e.items.iter().fold(BTreeMap::new(), |mut acc, it| {
                if let Some(mt) = self.master_target_of(it) {
                    *acc.entry(mt).or_default() += 1;
                }
                acc
            });
        m::InMageRcmFabricSpecificDetails {
            process_servers: e
                .process_servers
                .iter()
                .map(|ps| m::ProcessServerDetails {
                    id: Some(ps.id.clone()),
                    name: Some(ps.name.clone()),
                    fqdn: Some(ps.name.clone()),
                    last_heartbeat_utc: Some(self.heartbeat(ps.running)),
                    health: health(ps.health),
                    historic_health: health(ps.health),
                    protected_item_count: Some(i32::try_from(e.items.len()).unwrap_or(i32::MAX)),
                    ..m::ProcessServerDetails::default()
                })
                .collect(),
            reprotect_agents: e
                .master_targets
                .iter()
                .filter(|mt| mt.role == MasterTargetRole::ReprotectAgent)
                .map(|mt| m::ReprotectAgentDetails {
                    id: Some(mt.id.clone()),
                    name: Some(mt.name.clone()),
                    fqdn: Some(mt.name.clone()),
                    last_heartbeat_utc: Some(self.now),
                    health: Some(m::ProtectionHealth::Normal),
                    protected_item_count: Some(per_agent.get(&mt.id).copied().unwrap_or(0)),
                    accessible_datastores: self
                        .datastores_of(mt)
                        .into_iter()
                        .map(|d| d.name.clone())
                        .collect(),
                    vcenter_id: self.vcenter_of(mt),
                    last_discovery_in_utc: Some(self.now),
                    ..m::ReprotectAgentDetails::default()
                })
                .collect(),
            ..m::InMageRcmFabricSpecificDetails::default()
        }
    }

    /// The vCenters of the fabric.
    pub(crate) fn vcenters(&self) -> Vec<m::VCenter> {
        let ps = self
            .estate
            .process_servers
            .iter()
            .find(|p| p.location == PsLocation::OnPrem)
            .map(|p| p.id.clone());
        self.estate
            .vcenters
            .iter()
            .map(|vc| {
                resource(
                    self.names.vcenter_id(&vc.id),
                    &vc.id,
                    types::VCENTER,
                    m::VCenterProperties {
                        friendly_name: Some(vc.id.clone()),
                        internal_id: Some(guid(&format!("vcenter:{}", vc.id))),
                        last_heartbeat: Some(self.now),
                        discovery_status: Some("Completed".into()),
                        process_server_id: ps.clone(),
                        ip_address: Some(vc.address.clone()),
                        infrastructure_id: Some(vc.id.clone()),
                        port: Some(m::NumericString::new("443")),
                        run_as_account_id: Some(Self::run_as_account(&vc.id)),
                        fabric_arm_resource_name: Some(self.names.fabric.clone()),
                        health_errors: Vec::new(),
                    },
                )
            })
            .collect()
    }

    /// The fabric's one protection container.
    pub(crate) fn container(&self) -> m::ProtectionContainer {
        resource(
            self.names.container_id(),
            &self.names.container,
            types::CONTAINER,
            m::ProtectionContainerProperties {
                fabric_friendly_name: Some(self.fabric_friendly()),
                friendly_name: Some(self.names.container.clone()),
                fabric_type: Some(self.fabric_type().into()),
                protected_item_count: Some(
                    i32::try_from(self.estate.items.len()).unwrap_or(i32::MAX),
                ),
                pairing_status: Some("Paired".into()),
                role: Some("Primary".into()),
                fabric_specific_details: Some(m::ProtectionContainerFabricSpecificDetails {
                    instance_type: Some(self.fabric_type().into()),
                }),
            },
        )
    }

    /// The vault's policies.
    pub(crate) fn policies(&self) -> Vec<m::Policy> {
        self.estate
            .policies
            .iter()
            .map(|p| {
                let threshold = Some(int32(p.rpo_threshold_minutes));
                let history = Some(int32(p.retention_minutes));
                let app = Some(int32(p.app_consistent_frequency_minutes));
                let crash = Some(5);
                let details = match (self.estate.flavor, p.direction) {
                    (Flavor::Classic, PolicyDirection::Failback) => {
                        m::PolicyProviderSpecificDetails::InMage(m::InMagePolicyDetails {
                            recovery_point_threshold_in_minutes: threshold,
                            recovery_point_history: history,
                            app_consistent_frequency_in_minutes: app,
                            multi_vm_sync_status: Some("Enable".into()),
                        })
                    }
                    (Flavor::Classic, PolicyDirection::Forward) => {
                        m::PolicyProviderSpecificDetails::InMageAzureV2(
                            m::InMageAzureV2PolicyDetails {
                                crash_consistent_frequency_in_minutes: crash,
                                recovery_point_threshold_in_minutes: threshold,
                                recovery_point_history: history,
                                app_consistent_frequency_in_minutes: app,
                                multi_vm_sync_status: Some("Enable".into()),
                            },
                        )
                    }
                    (Flavor::Modernized, PolicyDirection::Forward) => {
                        m::PolicyProviderSpecificDetails::InMageRcm(m::InMageRcmPolicyDetails {
                            recovery_point_history_in_minutes: history,
                            app_consistent_frequency_in_minutes: app,
                            crash_consistent_frequency_in_minutes: crash,
                            enable_multi_vm_sync: Some("True".into()),
                        })
                    }
                    (Flavor::Modernized, PolicyDirection::Failback) => {
                        m::PolicyProviderSpecificDetails::InMageRcmFailback(
                            m::InMageRcmFailbackPolicyDetails {
                                app_consistent_frequency_in_minutes: app,
                                crash_consistent_frequency_in_minutes: crash,
                            },
                        )
                    }
                };
                resource(
                    self.names.policy_id(&p.id),
                    &p.id,
                    types::POLICY,
                    m::PolicyProperties {
                        friendly_name: Some(p.id.clone()),
                        provider_specific_details: Some(details),
                    },
                )
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------
    // Protected items and recovery points
    // -----------------------------------------------------------------------------------

    /// The job running on an item in `state`, when its state says one runs (a cancel of
    /// its failover included); a recovery plan's failover whose boot group already failed
    /// the item over does not run on it any more.
    pub(crate) fn running_job(&self, item: &str, state: ProtectionState) -> Option<&JobView> {
        let op = match state {
            ProtectionState::Reprotecting => Operation::Reprotect,
            ProtectionState::FailingBack => Operation::Failover,
            ProtectionState::Committing => Operation::Commit,
            ProtectionState::ReprotectingToAzure => Operation::ReprotectToAzure,
            ProtectionState::FailedBackAwaitingCommit => Operation::CancelFailover,
            _ => return None,
        };
        self.jobs.iter().rev().find(|j| {
            j.operation == op && !j.status.state.is_final() && j.items.iter().any(|i| i == item)
        })
    }

    fn scenario(&self, job: Option<&JobView>) -> m::CurrentScenarioDetails {
        match job {
            Some(j) => m::CurrentScenarioDetails {
                scenario_name: Some(scenario_name(j.operation, self.estate.flavor).into()),
                job_id: Some(self.names.job_id(&j.status.id.0)),
                start_time: Some(j.started_at),
            },
            None => m::CurrentScenarioDetails {
                scenario_name: Some("None".into()),
                job_id: Some(self.names.job_id("None")),
                start_time: DateTime::from_timestamp(IDLE_SINCE, 0),
            },
        }
    }

    /// The master target (or reprotect agent) an item replicates through: where the lab
    /// attached its disks, else the one of its last reprotect over HTTP, else the
    /// estate's.
    fn master_target_of(&self, it: &ProtectedItem) -> Option<String> {
        self.items
            .get(&it.id)
            .and_then(|v| v.disks_on.clone())
            .or_else(|| {
                self.memo
                    .get(&it.id)
                    .and_then(|r| r.to_onprem.as_ref())
                    .and_then(|r| r.master_target.clone())
            })
            .or_else(|| it.master_target.clone())
    }

    /// The policy of an item replicating toward on-premises (`failback`) or Azure.
    fn policy_of(&self, it: &ProtectedItem, failback: bool) -> Option<String> {
        let memo = self.memo.get(&it.id).and_then(|r| {
            if failback {
                r.to_onprem.as_ref()
            } else {
                r.to_azure.as_ref()
            }
        });
        let direction = if failback {
            PolicyDirection::Failback
        } else {
            PolicyDirection::Forward
        };
        memo.and_then(|r| r.policy.clone()).or_else(|| {
            self.estate
                .policies
                .iter()
                .find(|p| p.direction == direction)
                .map(|p| p.id.clone())
        })
    }

    fn reprotected(&self, item: &str, failback: bool) -> Option<&Reprotected> {
        self.memo.get(item).and_then(|r| {
            if failback {
                r.to_onprem.as_ref()
            } else {
                r.to_azure.as_ref()
            }
        })
    }

    /// `multiVmGroupId` and `multiVmGroupName` (classic): a group's GUID and name, or for
    /// an item in no group its own GUID twice, as ASR shows an item alone.
    fn multi_vm_group(it: &ProtectedItem) -> (String, String) {
        match &it.replication_group {
            Some(g) => (guid(&format!("group:{g}")), g.clone()),
            None => {
                let own = guid(&format!("group-of:{}", it.id));
                (own.clone(), own)
            }
        }
    }

    /// The item's VM id (`vmId`, a recovery plan's `virtualMachineId`).
    fn vm_id(it: &ProtectedItem) -> String {
        guid(&format!("vm:{}", it.id))
    }

    /// The ARM id ASR records of an item's Azure VM: where failover created it (its
    /// original resource group), whether or not it is still there.
    pub(crate) fn azure_vm_arm_id(&self, it: &ProtectedItem) -> Option<String> {
        it.azure_vm.as_ref().map(|v| {
            let group = v
                .original_resource_group
                .as_deref()
                .unwrap_or(&v.resource_group);
            self.names.vm_in(group, &v.id)
        })
    }

    /// The resource group ASR records of an item's Azure VM, as an id.
    fn azure_vm_group_id(&self, it: &ProtectedItem) -> Option<String> {
        it.azure_vm.as_ref().map(|v| {
            self.names.group_id(
                v.original_resource_group
                    .as_deref()
                    .unwrap_or(&v.resource_group),
            )
        })
    }

    /// The network ASR records of an item's Azure VM, as an id.
    fn azure_network_id(&self, it: &ProtectedItem) -> Option<String> {
        it.azure_vm
            .as_ref()
            .filter(|v| !v.network.is_empty())
            .map(|v| self.names.network_id(&v.resource_group, &v.network))
    }

    /// The mobility agent's last heartbeat in the Azure VM: now while it is registered, a
    /// day ago when it is not, none when the lab does not say.
    fn agent_heartbeat(&self, it: &ProtectedItem) -> Option<DateTime<Utc>> {
        match it.azure_vm.as_ref().and_then(|v| v.agent_registered) {
            Some(true) => Some(self.now),
            Some(false) => Some(self.now - Duration::days(1)),
            None => None,
        }
    }

    /// The classic NICs of an item's Azure VM.
    fn azure_v2_nics(&self, it: &ProtectedItem) -> Vec<m::VMNicDetails> {
        let network = self.azure_network_id(it);
        it.azure_vm
            .iter()
            .flat_map(|v| &v.nics)
            .map(|n| m::VMNicDetails {
                nic_id: Some(n.name.clone()),
                recovery_nic_name: Some(n.name.clone()),
                recovery_vm_network_id: network.clone(),
                ip_configs: vec![m::IPConfigDetails {
                    name: Some("ipconfig1".into()),
                    is_primary: Some(true),
                    recovery_static_ip_address: n
                        .ip_address
                        .filter(|_| !n.dhcp)
                        .map(|a| a.to_string()),
                    recovery_ip_address_type: Some(
                        if n.dhcp { "Dynamic" } else { "Static" }.into(),
                    ),
                    ..m::IPConfigDetails::default()
                }],
                ..m::VMNicDetails::default()
            })
            .collect()
    }

    /// The modernized NICs of an item's Azure VM.
    fn rcm_nics(&self, it: &ProtectedItem) -> Vec<m::InMageRcmNicDetails> {
        it.azure_vm
            .iter()
            .flat_map(|v| &v.nics)
            .map(|n| m::InMageRcmNicDetails {
                nic_id: Some(n.name.clone()),
                is_primary_nic: Some("true".into()),
                target_nic_name: Some(n.name.clone()),
                target_ip_address: n.ip_address.map(|a| a.to_string()),
                target_ip_address_type: Some(if n.dhcp {
                    m::EthernetAddressType::Dynamic
                } else {
                    m::EthernetAddressType::Static
                }),
                ..m::InMageRcmNicDetails::default()
            })
            .collect()
    }

    fn discovery_type(it: &ProtectedItem) -> String {
        match it.kind {
            ItemKind::VmwareVm => "vCenter",
            ItemKind::PhysicalServer => "Physical",
        }
        .into()
    }

    /// The protected item `it` as an RPI.
    pub(crate) fn item(&self, it: &ProtectedItem) -> m::ReplicationProtectedItem {
        let flavor = self.estate.flavor;
        let state = it.state;
        let provider = Provider::of(flavor, state);
        let failback = toward_onprem(state);
        let job = self.running_job(&it.id, state);
        let policy = self.policy_of(it, failback);
        let failover_point = self
            .lab
            .failover_point(&it.id)
            .filter(|_| failback && state != ProtectionState::ReplicatingToOnPrem);
        let replicating = matches!(
            state,
            ProtectionState::ReplicatingToOnPrem | ProtectionState::Protected
        );
        let details = match provider {
            Provider::InMageAzureV2 => m::ReplicationProviderSpecificSettings::InMageAzureV2(
                self.azure_v2_details(it, replicating),
            ),
            Provider::InMage => {
                m::ReplicationProviderSpecificSettings::InMage(self.inmage_details(it, state))
            }
            Provider::InMageRcm => {
                m::ReplicationProviderSpecificSettings::InMageRcm(self.rcm_item_details(it))
            }
            Provider::InMageRcmFailback => {
                m::ReplicationProviderSpecificSettings::InMageRcmFailback(
                    self.rcm_failback_details(it, policy.as_deref()),
                )
            }
        };
        resource(
            self.names.item_id(&it.id),
            &it.id,
            types::ITEM,
            m::ReplicationProtectedItemProperties {
                friendly_name: Some(it.name.clone()),
                primary_fabric_friendly_name: Some(self.fabric_friendly()),
                primary_fabric_provider: Some(self.fabric_type().into()),
                recovery_fabric_friendly_name: Some(AZURE.into()),
                primary_protection_container_friendly_name: Some(self.names.container.clone()),
                recovery_protection_container_friendly_name: Some(AZURE.into()),
                protection_state: Some(protection_state(flavor, state).into()),
                protection_state_description: Some(state.to_string()),
                active_location: Some(active_location(state).into()),
                test_failover_state: Some("None".into()),
                allowed_operations: allowed_operations(flavor, state),
                replication_health: Some(if replicating {
                    m::ProtectionHealth::Normal
                } else {
                    m::ProtectionHealth::None
                }),
                policy_id: policy.as_ref().map(|p| self.names.policy_id(p)),
                policy_friendly_name: policy,
                last_successful_failover_time: self
                    .lab
                    .failover_times(&it.id)
                    .and_then(|(_, end)| end),
                current_scenario: Some(self.scenario(job)),
                failover_recovery_point_id: failover_point
                    .map(|p| self.names.point_id(&it.id, &p.id)),
                provider_specific_details: Some(details),
                ..m::ReplicationProtectedItemProperties::default()
            },
        )
    }

    fn azure_v2_details(
        &self,
        it: &ProtectedItem,
        replicating: bool,
    ) -> m::InMageAzureV2ReplicationDetails {
        let (group_id, group_name) = Self::multi_vm_group(it);
        let forward = self.reprotected(&it.id, false);
        let ps = forward.and_then(|r| r.process_server.clone());
        let ps_name = ps.as_ref().and_then(|p| {
            self.estate
                .process_servers
                .iter()
                .find(|x| &x.id == p)
                .map(|x| x.name.clone())
        });
        m::InMageAzureV2ReplicationDetails {
            infrastructure_vm_id: it.original_vm.clone(),
            protection_stage: Some(if replicating { "Protected" } else { "None" }.into()),
            vm_id: Some(Self::vm_id(it)),
            vm_protection_state: Some(if replicating { "Protected" } else { "None" }.into()),
            last_heartbeat: if replicating {
                Some(self.now)
            } else {
                self.agent_heartbeat(it)
            },
            process_server_id: ps,
            process_server_name: ps_name,
            multi_vm_group_id: Some(group_id),
            multi_vm_group_name: Some(group_name),
            protected_disks: it
                .disks
                .iter()
                .map(|d| m::InMageAzureV2ProtectedDiskDetails {
                    disk_id: Some(d.name.clone()),
                    disk_name: Some(d.name.clone()),
                    disk_capacity_in_bytes: Some(int(d.capacity_bytes)),
                    ..m::InMageAzureV2ProtectedDiskDetails::default()
                })
                .collect(),
            master_target_id: forward.and_then(|r| r.master_target.clone()),
            os_type: Some(os_type(it.os.family)),
            os_version: it.os.version.clone(),
            recovery_azure_vm_name: it
                .azure_vm
                .as_ref()
                .map(|v| crate::ids::last_segment(&v.id)),
            discovery_type: Some(Self::discovery_type(it)),
            vcenter_infrastructure_id: self.vcenter_of_item(it),
            target_vm_id: self.azure_vm_arm_id(it),
            recovery_azure_resource_group_id: self.azure_vm_group_id(it),
            selected_recovery_azure_network_id: self.azure_network_id(it),
            vm_nics: self.azure_v2_nics(it),
            resync_progress_percentage: self.copy_progress(&it.id),
            ..m::InMageAzureV2ReplicationDetails::default()
        }
    }

    /// The progress in percent of item `item`'s running copy (a reprotect either way), as
    /// ASR shows a reprotect's initial replication on the item (`resyncDetails`,
    /// `resyncProgressPercentage`, `initialReplicationProgressPercentage`, on whichever
    /// provider's details the item shows while it runs); `None` when none runs.
    fn copy_progress(&self, item: &str) -> Option<i32> {
        self.jobs
            .iter()
            .rev()
            .find(|j| {
                matches!(
                    j.operation,
                    Operation::Reprotect | Operation::ReprotectToAzure
                ) && !j.status.state.is_final()
                    && j.items.iter().any(|i| i == item)
            })
            .map(|j| i32::from(j.status.progress.unwrap_or(0)))
    }

    fn inmage_details(
        &self,
        it: &ProtectedItem,
        state: ProtectionState,
    ) -> m::InMageReplicationDetails {
        let (group_id, group_name) = Self::multi_vm_group(it);
        let back = self.reprotected(&it.id, true);
        let replicating = state == ProtectionState::ReplicatingToOnPrem;
        let points = &it.recovery_points;
        m::InMageReplicationDetails {
            active_site_type: Some(if active_location(state) == "Recovery" {
                m::ActiveSiteType::Azure
            } else {
                m::ActiveSiteType::OnPrem
            }),
            os_details: Some(m::OSDiskDetails {
                os_type: Some(os_type(it.os.family)),
                ..m::OSDiskDetails::default()
            }),
            protection_stage: Some(if replicating { "Protected" } else { "None" }.into()),
            vm_id: Some(Self::vm_id(it)),
            vm_protection_state: Some(if replicating { "Protected" } else { "None" }.into()),
            retention_window_start: points.first().map(|p| p.time),
            retention_window_end: points.last().map(|p| p.time),
            protected_disks: it
                .disks
                .iter()
                .map(|d| m::InMageProtectedDiskDetails {
                    disk_id: Some(d.name.clone()),
                    disk_name: Some(d.name.clone()),
                    disk_capacity_in_bytes: Some(int(d.capacity_bytes)),
                    ..m::InMageProtectedDiskDetails::default()
                })
                .collect(),
            last_heartbeat: if replicating {
                Some(self.now)
            } else {
                self.agent_heartbeat(it)
            },
            process_server_id: back.and_then(|r| r.process_server.clone()),
            master_target_id: self.master_target_of(it),
            multi_vm_group_id: Some(group_id),
            multi_vm_group_name: Some(group_name),
            infrastructure_vm_id: it.original_vm.clone(),
            vcenter_infrastructure_id: self.vcenter_of_item(it),
            discovery_type: Some(Self::discovery_type(it)),
            datastores: back.and_then(|r| r.datastore.clone()).into_iter().collect(),
            os_version: it.os.version.clone(),
            resync_details: self
                .copy_progress(&it.id)
                .map(|p| m::InitialReplicationDetails {
                    initial_replication_type: Some("InitialReplication".into()),
                    initial_replication_progress_percentage: Some(m::NumericString::new(
                        p.to_string(),
                    )),
                }),
            ..m::InMageReplicationDetails::default()
        }
    }

    fn log_storage_account(&self, item: &str) -> Option<String> {
        self.reprotected(item, true)
            .and_then(|r| r.log_storage_account.clone())
            .or_else(|| {
                self.estate
                    .replication_appliance
                    .as_ref()
                    .and_then(|a| a.log_storage_account.clone())
            })
    }

    fn rcm_item_details(&self, it: &ProtectedItem) -> m::InMageRcmReplicationDetails {
        let forward = self.reprotected(&it.id, false);
        let ps = forward.and_then(|r| r.process_server.clone());
        let log = self.log_storage_account(&it.id);
        m::InMageRcmReplicationDetails {
            internal_identifier: Some(Self::vm_id(it)),
            multi_vm_group_name: it.replication_group.clone(),
            discovery_type: Some(Self::discovery_type(it)),
            process_server_name: ps.as_ref().and_then(|p| {
                self.estate
                    .process_servers
                    .iter()
                    .find(|x| &x.id == p)
                    .map(|x| x.name.clone())
            }),
            process_server_id: ps,
            os_type: Some(os_type(it.os.family)),
            os_name: it.os.version.clone(),
            target_vm_name: it
                .azure_vm
                .as_ref()
                .map(|v| crate::ids::last_segment(&v.id)),
            target_resource_group_id: self.azure_vm_group_id(it),
            target_network_id: self.azure_network_id(it),
            vm_nics: self.rcm_nics(it),
            mobility_agent_details: self.agent_heartbeat(it).map(|h| {
                m::InMageRcmMobilityAgentDetails {
                    last_heartbeat_utc: Some(h),
                    ..m::InMageRcmMobilityAgentDetails::default()
                }
            }),
            protected_disks: it
                .disks
                .iter()
                .enumerate()
                .map(|(k, d)| m::InMageRcmProtectedDiskDetails {
                    disk_id: Some(d.name.clone()),
                    disk_name: Some(d.name.clone()),
                    is_os_disk: Some((k == 0).to_string()),
                    capacity_in_bytes: Some(int(d.capacity_bytes)),
                    log_storage_account_id: log.clone(),
                    ..m::InMageRcmProtectedDiskDetails::default()
                })
                .collect(),
            initial_replication_progress_percentage: self.copy_progress(&it.id),
            ..m::InMageRcmReplicationDetails::default()
        }
    }

    fn rcm_failback_details(
        &self,
        it: &ProtectedItem,
        policy: Option<&str>,
    ) -> m::InMageRcmFailbackReplicationDetails {
        let back = self.reprotected(&it.id, true);
        let agent = self.master_target_of(it);
        let agent_record = agent
            .as_ref()
            .and_then(|a| self.estate.master_targets.iter().find(|x| &x.id == a));
        let last_failover =
            self.jobs.iter().rev().find(|j| {
                j.operation == Operation::Failover && j.items.iter().any(|i| i == &it.id)
            });
        m::InMageRcmFailbackReplicationDetails {
            internal_identifier: Some(Self::vm_id(it)),
            azure_virtual_machine_id: self.azure_vm_arm_id(it),
            multi_vm_group_name: it.replication_group.clone(),
            reprotect_agent_id: agent.clone(),
            reprotect_agent_name: agent_record.map(|a| a.name.clone()),
            os_type: Some(os_type(it.os.family)),
            log_storage_account_id: self.log_storage_account(&it.id),
            target_vcenter_id: agent_record.and_then(|a| self.vcenter_of(a)),
            target_data_store_name: back.and_then(|r| r.datastore.clone()),
            target_vm_name: Some(it.name.clone()),
            protected_disks: it
                .disks
                .iter()
                .enumerate()
                .map(|(k, d)| m::InMageRcmFailbackProtectedDiskDetails {
                    disk_id: Some(d.name.clone()),
                    disk_name: Some(d.name.clone()),
                    is_os_disk: Some((k == 0).to_string()),
                    capacity_in_bytes: Some(int(d.capacity_bytes)),
                    ..m::InMageRcmFailbackProtectedDiskDetails::default()
                })
                .collect(),
            last_planned_failover_start_time: last_failover.map(|j| j.started_at),
            last_planned_failover_status: last_failover.map(|j| match j.status.state {
                JobState::Succeeded => m::PlannedFailoverStatus::Succeeded,
                JobState::Failed => m::PlannedFailoverStatus::Failed,
                JobState::Cancelled => m::PlannedFailoverStatus::Cancelled,
                _ => m::PlannedFailoverStatus::Unknown,
            }),
            last_used_policy_id: policy.map(|p| self.names.policy_id(p)),
            last_used_policy_friendly_name: policy.map(str::to_string),
            initial_replication_progress_percentage: self.copy_progress(&it.id),
            ..m::InMageRcmFailbackReplicationDetails::default()
        }
    }

    /// Recovery point `p` of item `item`.
    pub(crate) fn point(&self, item: &str, p: &RecoveryPoint) -> m::RecoveryPoint {
        let sync = Some(if p.multi_vm_sync { "True" } else { "False" }.to_string());
        let details = match self.estate.flavor {
            Flavor::Classic => m::ProviderSpecificRecoveryPointDetails::InMageAzureV2(
                m::InMageAzureV2RecoveryPointDetails {
                    is_multi_vm_sync_point: sync,
                },
            ),
            Flavor::Modernized => m::ProviderSpecificRecoveryPointDetails::InMageRcm(
                m::InMageRcmRecoveryPointDetails {
                    is_multi_vm_sync_point: sync,
                },
            ),
        };
        resource(
            self.names.point_id(item, &p.id),
            &p.id,
            types::POINT,
            m::RecoveryPointProperties {
                recovery_point_time: Some(p.time),
                recovery_point_type: Some(match p.consistency {
                    Consistency::ApplicationConsistent => {
                        m::RecoveryPointKind::ApplicationConsistent
                    }
                    Consistency::CrashConsistent => m::RecoveryPointKind::CrashConsistent,
                }),
                provider_specific_details: Some(details),
            },
        )
    }

    // -----------------------------------------------------------------------------------
    // Recovery plans
    // -----------------------------------------------------------------------------------

    /// Recovery plan `name`, when the estate has it.
    pub(crate) fn plan(&self, name: &str) -> Option<m::RecoveryPlan> {
        let flavor = self.estate.flavor;
        let plan = self.estate.recovery_plans.iter().find(|p| p.name == name)?;
        let members: Vec<&ProtectedItem> = plan
            .items
            .iter()
            .filter_map(|id| self.estate.items.iter().find(|it| &it.id == id))
            .collect();
        let providers: BTreeSet<&str> = members
            .iter()
            .map(|it| Provider::of(flavor, it.state).name())
            .collect();
        let all =
            |s: ProtectionState| !members.is_empty() && members.iter().all(|it| it.state == s);
        let allowed = if all(ProtectionState::ReplicatingToOnPrem) {
            vec![failover_operation(flavor)]
        } else if all(ProtectionState::FailedBackAwaitingCommit) {
            vec![m::ReplicationProtectedItemOperation::Commit]
        } else {
            Vec::new()
        };
        let target = Target::RecoveryPlan(plan.name.clone());
        let plan_jobs: Vec<&JobView> = self.jobs.iter().filter(|j| j.target == target).collect();
        let running = plan_jobs
            .iter()
            .rev()
            .find(|j| !j.status.state.is_final())
            .copied();
        let status = running
            .or_else(|| plan_jobs.last().copied())
            .map(|j| job_state(j.status.state).to_string());
        let action = |a: &failback_core::estate::PlanAction| m::RecoveryPlanAction {
            action_name: a.name.clone(),
            failover_types: vec![failover_operation(flavor)],
            failover_directions: vec![m::FailoverDirection::RecoveryToPrimary],
            custom_details: m::RecoveryPlanActionDetails::ManualActionDetails(
                m::RecoveryPlanManualActionDetails {
                    description: a.instructions.clone(),
                },
            ),
        };
        let empty = |group_type| m::RecoveryPlanGroup {
            group_type,
            replication_protected_items: Vec::new(),
            start_group_actions: Vec::new(),
            end_group_actions: Vec::new(),
        };
        let mut groups = vec![
            empty(m::RecoveryPlanGroupType::Shutdown),
            empty(m::RecoveryPlanGroupType::Failover),
        ];
        for g in plan.boot_groups() {
            groups.push(m::RecoveryPlanGroup {
                group_type: m::RecoveryPlanGroupType::Boot,
                replication_protected_items: g
                    .items
                    .iter()
                    .map(|id| m::RecoveryPlanProtectedItem {
                        id: Some(self.names.item_id(id)),
                        virtual_machine_id: self
                            .estate
                            .items
                            .iter()
                            .find(|it| &it.id == id)
                            .map(Self::vm_id),
                    })
                    .collect(),
                start_group_actions: g.start_actions.iter().map(action).collect(),
                end_group_actions: g.end_actions.iter().map(action).collect(),
            });
        }
        let last_failover = plan_jobs
            .iter()
            .rev()
            .find(|j| j.operation == Operation::Failover)
            .map(|j| j.started_at);
        Some(resource(
            self.names.plan_id(&plan.name),
            &plan.name,
            types::PLAN,
            m::RecoveryPlanProperties {
                friendly_name: Some(plan.name.clone()),
                primary_fabric_id: Some(self.names.fabric_id()),
                primary_fabric_friendly_name: Some(self.fabric_friendly()),
                recovery_fabric_friendly_name: Some(AZURE.into()),
                failover_deployment_model: Some(m::FailoverDeploymentModel::ResourceManager),
                replication_providers: providers.into_iter().map(str::to_string).collect(),
                allowed_operations: allowed,
                last_planned_failover_time: last_failover.filter(|_| flavor == Flavor::Modernized),
                last_unplanned_failover_time: last_failover.filter(|_| flavor == Flavor::Classic),
                current_scenario: Some(self.scenario(running)),
                current_scenario_status: status,
                groups,
                ..m::RecoveryPlanProperties::default()
            },
        ))
    }

    // -----------------------------------------------------------------------------------
    // Jobs
    // -----------------------------------------------------------------------------------

    /// The ARM id and friendly name of a job's target.
    fn target_of(&self, target: &Target) -> (String, String, &'static str) {
        match target {
            Target::Item(id) => (
                self.names.item_id(id),
                self.estate
                    .items
                    .iter()
                    .find(|it| &it.id == id)
                    .map_or(id.clone(), |it| it.name.clone()),
                "ProtectionEntity",
            ),
            Target::RecoveryPlan(name) => (self.names.plan_id(name), name.clone(), "RecoveryPlan"),
        }
    }

    fn item_name(&self, id: &str) -> String {
        self.estate
            .items
            .iter()
            .find(|it| it.id == id)
            .map_or(id.to_string(), |it| it.name.clone())
    }

    /// The instructions of manual action `name` of recovery plan `target`.
    fn instructions(&self, target: &Target, name: &str) -> Option<String> {
        let Target::RecoveryPlan(plan) = target else {
            return None;
        };
        self.estate
            .recovery_plans
            .iter()
            .find(|p| &p.name == plan)?
            .boot_groups()
            .iter()
            .flat_map(|g| g.start_actions.iter().chain(&g.end_actions))
            .find(|a| a.name == name)
            .and_then(|a| a.instructions.clone())
    }

    fn task(&self, j: &JobView, k: usize, t: &TaskStatus) -> m::ASRTask {
        let state = Some(job_state(t.state));
        let state_description =
            (t.state == JobState::Succeeded).then_some(m::JobStateDescription::Completed);
        let group = t.group.map_or(String::new(), |g| format!("Group {g}: "));
        let base = m::ASRTask {
            task_id: Some(format!("{}-task-{}", j.status.id.0, k + 1)),
            name: Some(t.name.clone()),
            start_time: t.started_at,
            end_time: t.finished_at,
            state: state.clone(),
            state_description: state_description.clone(),
            ..m::ASRTask::default()
        };
        match t.kind {
            TaskKind::GroupFailover => {
                let scenario = scenario_name(j.operation, self.estate.flavor);
                m::ASRTask {
                    friendly_name: Some(format!(
                        "{group}{}",
                        job_friendly_name(j.operation, self.estate.flavor)
                    )),
                    task_type: Some("GroupTaskDetails".into()),
                    group_task_custom_details: Some(m::GroupTaskDetails {
                        instance_type: "RecoveryPlanGroupTaskDetails".into(),
                        child_tasks: t
                            .items
                            .iter()
                            .map(|id| m::ASRTask {
                                name: Some(id.clone()),
                                friendly_name: Some(self.item_name(id)),
                                start_time: t.started_at,
                                end_time: t.finished_at,
                                state: state.clone(),
                                state_description: state_description.clone(),
                                task_type: Some("JobTaskDetails".into()),
                                custom_details: Some(m::TaskTypeDetails::JobTaskDetails(
                                    m::JobTaskDetails {
                                        job_task: Some(m::JobEntity {
                                            job_id: Some(self.names.job_id(&j.status.id.0)),
                                            job_friendly_name: Some(
                                                job_friendly_name(j.operation, self.estate.flavor)
                                                    .into(),
                                            ),
                                            target_object_id: Some(self.names.item_id(id)),
                                            target_object_name: Some(self.item_name(id)),
                                            target_instance_type: Some("ProtectionEntity".into()),
                                            job_scenario_name: Some(scenario.into()),
                                        }),
                                    },
                                )),
                                ..m::ASRTask::default()
                            })
                            .collect(),
                    }),
                    ..base
                }
            }
            TaskKind::ManualAction => m::ASRTask {
                friendly_name: Some(format!("{group}{}", t.name)),
                task_type: Some("ManualActionTaskDetails".into()),
                allowed_actions: if t.state == JobState::Suspended {
                    vec!["Resume".into()]
                } else {
                    Vec::new()
                },
                custom_details: Some(m::TaskTypeDetails::ManualActionTaskDetails(
                    m::ManualActionTaskDetails {
                        name: Some(t.name.clone()),
                        instructions: self.instructions(&j.target, &t.name),
                        observation: None,
                    },
                )),
                ..base
            },
            TaskKind::Other => m::ASRTask {
                friendly_name: Some(t.name.clone()),
                ..base
            },
        }
    }

    /// The tasks of job `j`: the lab's (a recovery plan's failover: a task per boot group
    /// and per manual action), and a suspended manual-action task when the job waits on
    /// one the lab's tasks do not show. A job the lab gives no tasks (an item's, a
    /// commit's) shows one task doing the job's work, as every ASR job lists its tasks:
    /// `{scenarioName}Task`, the job's state and times, `taskType` `TaskDetails` (as
    /// the spec's example of a one-task job).
    fn tasks(&self, j: &JobView) -> Vec<m::ASRTask> {
        let status: &JobStatus = &j.status;
        if status.tasks.is_empty() && status.manual_action.is_none() {
            let flavor = self.estate.flavor;
            let state = job_state(status.state);
            return vec![m::ASRTask {
                task_id: Some(format!("{}-task-1", status.id.0)),
                name: Some(format!("{}Task", scenario_name(j.operation, flavor))),
                friendly_name: Some(job_friendly_name(j.operation, flavor).to_string()),
                start_time: Some(j.started_at),
                end_time: j.ended_at,
                state_description: (status.state == JobState::Succeeded)
                    .then_some(m::JobStateDescription::Completed),
                state: Some(state),
                task_type: Some("TaskDetails".into()),
                ..m::ASRTask::default()
            }];
        }
        let mut tasks: Vec<m::ASRTask> = status
            .tasks
            .iter()
            .enumerate()
            .map(|(k, t)| self.task(j, k, t))
            .collect();
        if let Some(wait) = &status.manual_action {
            let shown = status.tasks.iter().any(|t| {
                t.kind == TaskKind::ManualAction
                    && t.name == wait.name
                    && t.state == JobState::Suspended
            });
            if !shown {
                let t = TaskStatus {
                    kind: TaskKind::ManualAction,
                    name: wait.name.clone(),
                    group: Some(wait.group),
                    items: Vec::new(),
                    state: JobState::Suspended,
                    started_at: None,
                    finished_at: None,
                };
                let mut task = self.task(j, tasks.len(), &t);
                if let Some(m::TaskTypeDetails::ManualActionTaskDetails(d)) =
                    &mut task.custom_details
                {
                    d.instructions = wait.instructions.clone().or(d.instructions.take());
                }
                tasks.push(task);
            }
        }
        tasks
    }

    /// Job `j` as an ASR job.
    pub(crate) fn job(&self, j: &JobView) -> m::Job {
        let flavor = self.estate.flavor;
        let name = &j.status.id.0;
        let (target_id, target_name, target_type) = self.target_of(&j.target);
        let errors = j
            .status
            .error
            .iter()
            .map(|e| m::JobErrorDetails {
                service_error_details: Some(m::ServiceError {
                    code: e.code.clone(),
                    message: Some(e.message.clone()),
                    possible_causes: (!e.possible_causes.is_empty())
                        .then(|| e.possible_causes.join("\n")),
                    recommended_action: e.recommended_action.clone(),
                    activity_id: Some(guid(&format!("activity:{name}"))),
                }),
                provider_error_details: None,
                error_level: Some("Error".into()),
                creation_time: j.ended_at.or(Some(self.now)),
                task_id: None,
            })
            .collect();
        let allowed_actions = match j.status.state {
            JobState::Suspended => vec!["Cancel".to_string(), "Resume".to_string()],
            JobState::NotStarted | JobState::InProgress => vec!["Cancel".to_string()],
            _ => Vec::new(),
        };
        let custom_details = match j.operation {
            Operation::Failover => m::JobDetails::FailoverJobDetails(m::FailoverJobDetails {
                affected_object_details: BTreeMap::new(),
                protected_item_details: j
                    .items
                    .iter()
                    .map(|id| {
                        let point = self.lab.failover_point(id);
                        m::FailoverReplicationProtectedItemDetails {
                            name: Some(id.clone()),
                            friendly_name: Some(self.item_name(id)),
                            recovery_point_id: point
                                .as_ref()
                                .map(|p| self.names.point_id(id, &p.id)),
                            recovery_point_time: point.map(|p| p.time),
                            ..m::FailoverReplicationProtectedItemDetails::default()
                        }
                    })
                    .collect(),
            }),
            op => {
                let mut affected = BTreeMap::new();
                let to = match (op, flavor) {
                    (Operation::Reprotect, Flavor::Classic) => Some(Provider::InMage),
                    (Operation::Reprotect, Flavor::Modernized) => Some(Provider::InMageRcmFailback),
                    (Operation::ReprotectToAzure, Flavor::Classic) => Some(Provider::InMageAzureV2),
                    (Operation::ReprotectToAzure, Flavor::Modernized) => Some(Provider::InMageRcm),
                    _ => None,
                };
                if let Some(p) = to {
                    affected.insert("replicationProvider".to_string(), p.name().to_string());
                }
                m::JobDetails::AsrJobDetails(m::AsrJobDetails {
                    affected_object_details: affected,
                })
            }
        };
        resource(
            self.names.job_id(name),
            name,
            types::JOB,
            m::JobProperties {
                activity_id: Some(guid(&format!("activity:{name}"))),
                scenario_name: Some(scenario_name(j.operation, flavor).into()),
                friendly_name: Some(job_friendly_name(j.operation, flavor).into()),
                state: Some(job_state(j.status.state)),
                state_description: (j.status.state == JobState::Succeeded)
                    .then_some(m::JobStateDescription::Completed),
                tasks: self.tasks(j),
                errors,
                start_time: Some(j.started_at),
                end_time: j.ended_at,
                allowed_actions,
                target_object_id: Some(target_id),
                target_object_name: Some(target_name),
                target_instance_type: Some(target_type.into()),
                custom_details: Some(custom_details),
            },
        )
    }
}
