//! The Azure half of the estate: networks, connectivity, process servers, the
//! replication appliance, policies, recovery plans and the protected items.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{DeploymentModel, Disk, FileSystem, Os};
use crate::state::ProtectionState;

/// An Azure virtual network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AzureNetwork {
    /// Stable identifier (the ARM id or a short name), referenced by VMs and process servers.
    pub id: String,
    /// Classic or Resource Manager: decides the model of a process server in it (PS-002).
    pub deployment_model: DeploymentModel,
    /// Whether it was created during initial protection (PRE-002). Unknown when absent.
    #[serde(default)]
    pub created_during_protection: Option<bool>,
    /// Whether a site-to-site VPN connects it to on-premises (NET-001).
    #[serde(default)]
    pub site_to_site_vpn: bool,
}

/// Kind of an ExpressRoute peering (NET-003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeeringKind {
    /// Private peering: reaches virtual networks only.
    Private,
    /// Microsoft (public) peering: reaches storage public endpoints.
    Microsoft,
}

/// One peering of an ExpressRoute circuit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Peering {
    /// Private or Microsoft.
    pub kind: PeeringKind,
    /// Azure regions whose prefixes the peering advertises (Microsoft peering).
    #[serde(default)]
    pub regions: Vec<String>,
}

/// An ExpressRoute circuit to on-premises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpressRoute {
    /// Circuit name.
    pub circuit: String,
    /// Ids of the virtual networks it is configured on (NET-002).
    #[serde(default)]
    pub networks: Vec<String>,
    /// Its peerings (NET-003).
    #[serde(default)]
    pub peerings: Vec<Peering>,
}

/// How on-premises reaches Azure besides per-network VPNs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Connectivity {
    /// The ExpressRoute circuit, if any.
    #[serde(default)]
    pub express_route: Option<ExpressRoute>,
}

/// Where a process server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PsLocation {
    /// In Azure: what failback needs (PS-001).
    Azure,
    /// On-premises: used to reprotect back to Azure.
    OnPrem,
}

/// Health as ASR reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Healthy.
    Normal,
    /// Usable with a warning.
    Warning,
    /// Not usable.
    Critical,
}

/// A process server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessServer {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Azure or on-premises.
    pub location: PsLocation,
    /// For an Azure process server, the virtual network it is in: it decides the
    /// deployment model (PS-002) and must be the recovered VMs' network (PS-003).
    #[serde(default)]
    pub network: Option<String>,
    /// Whether it is running (PS-001). Unknown when absent.
    #[serde(default)]
    pub running: Option<bool>,
    /// Its health. Unknown when absent.
    #[serde(default)]
    pub health: Option<Health>,
    /// When it registered with the configuration server (PS-005).
    #[serde(default)]
    pub registered_at: Option<DateTime<Utc>>,
    /// For an Azure process server, the bandwidth in megabits per second that its link to
    /// on-premises gives the failback replication through it, shared by the reprotects it
    /// carries at once. Unknown when absent (the planner's and the lab's default apply).
    #[serde(default)]
    pub bandwidth_mbps: Option<u64>,
}

/// The modernized provider's replication appliance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplicationAppliance {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The log storage account reprotect needs (ARM id). Unknown when absent.
    #[serde(default)]
    pub log_storage_account: Option<String>,
    /// The bandwidth in megabits per second from Azure to the appliance, shared by the
    /// reprotects it receives at once. Unknown when absent (the default applies).
    #[serde(default)]
    pub bandwidth_mbps: Option<u64>,
}

/// Direction of a replication policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyDirection {
    /// On-premises to Azure.
    Forward,
    /// Azure to on-premises.
    Failback,
}

/// A replication policy as discovered in the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRecord {
    /// Stable identifier (ARM id or name).
    pub id: String,
    /// Forward or failback.
    pub direction: PolicyDirection,
    /// RPO threshold in minutes.
    pub rpo_threshold_minutes: u32,
    /// How long recovery points are kept, in minutes.
    pub retention_minutes: u32,
    /// Application-consistent snapshot frequency in minutes.
    pub app_consistent_frequency_minutes: u32,
    /// The configuration server it is associated with.
    #[serde(default)]
    pub associated_with: Option<String>,
    /// For a failback policy, the forward policy it was created with.
    #[serde(default)]
    pub derived_from: Option<String>,
}

/// A recovery plan: the only way to reprotect a replication group (GRP-001), and how an
/// application fails over: its items in up to [`MAX_BOOT_GROUPS`] ordered groups, each
/// group starting its failover once every machine of the group before it has failed over
/// and started. Failover and commit of a plan act on every member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPlan {
    /// Plan name.
    pub name: String,
    /// Ids of the protected items in it.
    pub items: Vec<String>,
    /// The boot groups in order (group 1 first). Absent or empty: one group holding every
    /// item. When given, every item of the plan is in exactly one group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<BootGroup>,
}

/// The most boot groups a recovery plan holds (ASR's limit).
pub const MAX_BOOT_GROUPS: usize = 7;

impl RecoveryPlan {
    /// The boot groups in order: the plan's own, or one group of every item.
    pub fn boot_groups(&self) -> Vec<BootGroup> {
        if self.groups.is_empty() {
            vec![BootGroup {
                items: self.items.clone(),
                start_actions: Vec::new(),
                end_actions: Vec::new(),
            }]
        } else {
            self.groups.clone()
        }
    }
}

/// One boot group of a recovery plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BootGroup {
    /// Ids of the plan's items in this group.
    pub items: Vec<String>,
    /// Actions before the group's failover starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_actions: Vec<PlanAction>,
    /// Actions after every machine of the group has failed over and started.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_actions: Vec<PlanAction>,
}

/// What a recovery plan action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanActionKind {
    /// A manual action: the plan's job pauses (suspended) until someone resumes it.
    Manual,
}

/// An action of a recovery plan group (ASR's `startGroupActions` / `endGroupActions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanAction {
    /// Action name, unique within the plan.
    pub name: String,
    /// Its kind.
    pub kind: PlanActionKind,
    /// What the person must do before resuming.
    #[serde(default)]
    pub instructions: Option<String>,
}

/// A protected item's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A VMware VM: may fail back to its original VM.
    VmwareVm,
    /// A physical server: always fails back to a new VMware VM (LOC-002).
    PhysicalServer,
}

/// A NIC of the Azure VM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nic {
    /// NIC name.
    pub name: String,
    /// Address in Azure.
    #[serde(default)]
    pub ip_address: Option<IpAddr>,
    /// Whether the address comes from DHCP.
    pub dhcp: bool,
}

/// The Azure VM a protected item runs as after failover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AzureVm {
    /// ARM id or name.
    pub id: String,
    /// Classic or Resource Manager.
    pub deployment_model: DeploymentModel,
    /// Its virtual network.
    pub network: String,
    /// Its resource group now.
    pub resource_group: String,
    /// The resource group failover created it in; a move elsewhere ends failback (EXT-009).
    #[serde(default)]
    pub original_resource_group: Option<String>,
    /// Whether it was deleted (EXT-009).
    #[serde(default)]
    pub deleted: bool,
    /// Running (EXT-008). Unknown when absent.
    #[serde(default)]
    pub running: Option<bool>,
    /// Whether its ASR agent is registered (EXT-008). Unknown when absent.
    #[serde(default)]
    pub agent_registered: Option<bool>,
    /// When it last booted (EXT-008: registration can take 15 minutes after boot).
    #[serde(default)]
    pub booted_at: Option<DateTime<Utc>>,
    /// Its NICs (OPS-003).
    #[serde(default)]
    pub nics: Vec<Nic>,
    /// Installed packages, for a Linux VM (OPS-002). Unknown when absent.
    #[serde(default)]
    pub packages: Option<Vec<String>>,
}

/// Consistency of a recovery point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// Application-consistent.
    ApplicationConsistent,
    /// Crash-consistent.
    CrashConsistent,
}

/// A recovery point of the failback replication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPoint {
    /// ARM id or name; unique within the item.
    pub id: String,
    /// Point in time.
    pub time: DateTime<Utc>,
    /// Application- or crash-consistent.
    pub consistency: Consistency,
    /// A multi-VM sync point common to the item's replication group.
    #[serde(default)]
    pub multi_vm_sync: bool,
}

/// The static address a machine had on-premises (OPS-003).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnPremAddress {
    /// NIC name on-premises.
    pub nic: String,
    /// The address.
    pub address: IpAddr,
    /// Whether it was static.
    #[serde(rename = "static")]
    pub is_static: bool,
}

/// A protected item: a VMware VM or physical server now running in Azure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtectedItem {
    /// Stable identifier (the replication protected item name).
    pub id: String,
    /// Display name.
    pub name: String,
    /// VMware VM or physical server.
    pub kind: ItemKind,
    /// OS family and version.
    pub os: Os,
    /// File system of the root device, for Linux (MT-003). Unknown when absent.
    #[serde(default)]
    pub root_file_system: Option<FileSystem>,
    /// File system of the boot device, for Linux (MT-003). Unknown when absent.
    #[serde(default)]
    pub boot_file_system: Option<FileSystem>,
    /// Id of the original VM among `vms`, while it still exists on-premises.
    #[serde(default)]
    pub original_vm: Option<String>,
    /// Its disks: they count against the master target's 60 (EXT-004) and size a full copy.
    pub disks: Vec<Disk>,
    /// Bytes changed in Azure since failover: what a delta failback sends. Unknown when
    /// absent (then estimated, see docs/estate.md).
    #[serde(default)]
    pub changed_bytes: Option<u64>,
    /// The Azure VM; absent if unknown.
    #[serde(default)]
    pub azure_vm: Option<AzureVm>,
    /// Its replication group (multi-VM consistency), if any.
    #[serde(default)]
    pub replication_group: Option<String>,
    /// Where it is in the failback life cycle.
    pub state: ProtectionState,
    /// For an item already replicating back, the master target it uses.
    #[serde(default)]
    pub master_target: Option<String>,
    /// Recovery points of the failback replication (present once reprotect completed).
    #[serde(default)]
    pub recovery_points: Vec<RecoveryPoint>,
    /// Its on-premises addresses before failover (OPS-003).
    #[serde(default)]
    pub on_prem_addresses: Vec<OnPremAddress>,
}
