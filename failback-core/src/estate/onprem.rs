//! The on-premises half of the estate: configuration server, vCenters, ESX hosts,
//! datastores, master targets and the VMs that items may fail back into.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Disk, FileSystem, Os};

/// The on-premises management server of the classic provider. It keeps the database of
/// protected items and owns the failback policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigurationServer {
    /// Stable identifier, referenced by policies (`associated_with`).
    pub id: String,
    /// The address the server answers on now.
    pub ip_address: IpAddr,
    /// The address it was registered with. After a disaster the server must be restored
    /// with this same address (PRE-006). Unknown when absent.
    #[serde(default)]
    pub registered_ip_address: Option<IpAddr>,
    /// When the server was last backed up (PRE-006). Unknown when absent.
    #[serde(default)]
    pub last_backup: Option<DateTime<Utc>>,
    /// Ids of the protected items in the server's database (PRE-005). Unknown when
    /// absent, which is reported, never assumed.
    #[serde(default)]
    pub database_items: Option<Vec<String>>,
}

/// A vCenter server and the account the configuration server discovers it with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VCenter {
    /// Stable identifier, referenced by hosts.
    pub id: String,
    /// Host name or address.
    pub address: String,
    /// The discovery account.
    pub account: DiscoveryAccount,
}

/// The account a vCenter is discovered with (PRE-003, OPS-001). Holds no secret: only the
/// user name and what the account may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryAccount {
    /// The user name (never a password).
    pub user: String,
    /// The vSphere privilege ids the account holds (for example `Datastore.Browse`).
    /// Unknown when absent.
    #[serde(default)]
    pub privileges: Option<Vec<String>>,
    /// Whether the account has the read-only role. Unknown when absent.
    #[serde(default)]
    pub read_only: Option<bool>,
}

/// The licence edition of an ESX host (PRE-009, OPS-004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenceEdition {
    /// Free ESXi / vSphere Hypervisor: failover works, failback does not.
    Free,
    /// Evaluation licence.
    Evaluation,
    /// Any paid edition.
    Paid,
}

/// An ESX licence as discovered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// The edition.
    pub edition: LicenceEdition,
    /// The product name as reported (for example `VMware vSphere 6 Hypervisor`).
    #[serde(default)]
    pub product: Option<String>,
}

/// An ESX or ESXi host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EsxHost {
    /// Stable identifier, referenced by VMs and master targets.
    pub id: String,
    /// Host name.
    pub name: String,
    /// The vCenter managing the host; absent for a standalone host.
    #[serde(default)]
    pub vcenter: Option<String>,
    /// The licence. Unknown when absent.
    #[serde(default)]
    pub licence: Option<Licence>,
    /// Whether the configuration server has discovered the host (LOC-006).
    pub discovered: bool,
    /// Ids of the datastores the host can reach.
    #[serde(default)]
    pub datastores: Vec<String>,
}

/// The kind of a datastore (EXT-001, EXT-010).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatastoreKind {
    /// VMFS: supported for original and alternate location.
    Vmfs,
    /// NFS: not supported for failback.
    Nfs,
    /// vSAN: supported for alternate location.
    Vsan,
}

/// A datastore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Datastore {
    /// Stable identifier, referenced by hosts, VMs and master targets.
    pub id: String,
    /// Display name (the `symbolicName` ASR expects as reprotect input).
    pub name: String,
    /// VMFS, NFS or vSAN.
    pub kind: DatastoreKind,
    /// Capacity in bytes.
    pub capacity_bytes: u64,
    /// Free space in bytes; never more than the capacity.
    pub free_bytes: u64,
    /// When it was first discovered; one added less than 15 minutes ago may not be listed
    /// yet (EXT-014).
    #[serde(default)]
    pub discovered_at: Option<DateTime<Utc>>,
}

/// What a master target is: the classic master target, or the reprotect agent of the
/// modernized provider's replication appliance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MasterTargetRole {
    /// Classic master target (configuration server provider).
    #[default]
    MasterTarget,
    /// Reprotect agent on the modernized replication appliance.
    ReprotectAgent,
}

/// VMware Tools state in a VM (EXT-002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ToolsStatus {
    /// Tools (or open-vm-tools) running.
    Running,
    /// Installed but not running.
    NotRunning,
    /// Not installed.
    NotInstalled,
}

/// A virtual SCSI controller type (EXT-003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScsiController {
    /// LSI Logic parallel.
    LsiLogic,
    /// LSI Logic SAS.
    LsiLogicSas,
    /// VMware paravirtual.
    Pvscsi,
    /// BusLogic.
    BusLogic,
}

/// What a master target volume is used for (RET-001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolumeUsage {
    /// Nothing else: free to hold retention.
    #[default]
    None,
    /// Already a retention volume.
    Retention,
    /// A replication target.
    ReplicationTarget,
    /// Some other purpose.
    Other,
}

/// A volume of a master target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Drive letter or mount point (`R:`, `/mnt/retention`); unique within the master target.
    pub name: String,
    /// The file system.
    pub file_system: FileSystem,
    /// Capacity in bytes.
    pub capacity_bytes: u64,
    /// Free space in bytes; never more than the capacity.
    pub free_bytes: u64,
    /// Locked mode (RET-002).
    #[serde(default)]
    pub locked: bool,
    /// What else uses it (RET-001).
    #[serde(default)]
    pub usage: VolumeUsage,
    /// When it was added; one added less than 15 minutes ago may not be listed yet (EXT-014).
    #[serde(default)]
    pub added_at: Option<DateTime<Utc>>,
}

/// A master target: the on-premises VM that receives failback data. For the modernized
/// provider the same record describes a reprotect agent (`role: reprotect_agent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MasterTarget {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Classic master target or modernized reprotect agent.
    #[serde(default)]
    pub role: MasterTargetRole,
    /// OS family and version.
    pub os: Os,
    /// The ESX host the VM runs on.
    pub host: String,
    /// The datastore holding the VM.
    pub datastore: String,
    /// Whether this is the default master target installed on the configuration server
    /// (MT-001).
    #[serde(default)]
    pub on_configuration_server: bool,
    /// The VMware configuration parameters (`disk.enableUUID`, PRE-007). Unknown when absent.
    #[serde(default)]
    pub config_params: Option<BTreeMap<String, String>>,
    /// Whether the VM was ever storage-vMotioned (PRE-008). Unknown when absent.
    #[serde(default)]
    pub storage_vmotioned: Option<bool>,
    /// VMware Tools state (EXT-002). Unknown when absent.
    #[serde(default)]
    pub vmware_tools: Option<ToolsStatus>,
    /// SCSI controller type (EXT-003). Unknown when absent.
    #[serde(default)]
    pub scsi_controller: Option<ScsiController>,
    /// Number of snapshots (EXT-013). Unknown when absent.
    #[serde(default)]
    pub snapshots: Option<u32>,
    /// Disks already attached, counting toward the 60-disk limit (EXT-004).
    #[serde(default)]
    pub attached_disks: u32,
    /// Installed packages, for a Linux master target (MT-002, MT-003). Unknown when absent.
    #[serde(default)]
    pub packages: Option<Vec<String>>,
    /// Loaded kernel modules, for a Linux master target (MT-003). Unknown when absent.
    #[serde(default)]
    pub kernel_modules: Option<Vec<String>>,
    /// Whether the one-time custom changes for a Linux master target were applied (MT-002).
    #[serde(default)]
    pub custom_changes_applied: Option<bool>,
    /// The volume the master target is installed on (RET-003).
    #[serde(default)]
    pub cache_volume: Option<String>,
    /// Its volumes, candidates for retention.
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// The VM or template it was cloned from, if it was (EXT-005).
    #[serde(default)]
    pub cloned_from: Option<String>,
}

/// A VM on the on-premises site, the original VM of a failed-over item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnPremVm {
    /// Stable identifier, referenced by `items[].original_vm`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The ESX host it is registered on.
    pub host: String,
    /// The datastores holding its disks.
    pub datastores: Vec<String>,
    /// Number of snapshots (PRE-004). Unknown when absent.
    #[serde(default)]
    pub snapshots: Option<u32>,
    /// Its disks (RDM disks matter for EXT-010).
    #[serde(default)]
    pub disks: Vec<Disk>,
    /// Whether its disks were moved from an NFS datastore to VMFS since failover
    /// (EXT-011: a full copy then travels).
    #[serde(default)]
    pub moved_from_nfs: bool,
}
