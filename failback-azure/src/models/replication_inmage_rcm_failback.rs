//! Replication details of a modernized item protected from Azure back to VMware (`instanceType:
//! InMageRcmFailback`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    AgentUpgradeBlockedReason, DiskReplicationProgressHealth, ResyncState,
    VmReplicationProgressHealth,
};

/// InMageRcmFailback provider specific details.
///
/// Sent with `instanceType: InMageRcmFailback`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackReplicationDetails {
    /// The virtual machine internal identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_identifier: Option<String>,

    /// The ARM Id of the azure VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_virtual_machine_id: Option<String>,

    /// The multi VM group name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_group_name: Option<String>,

    /// The reprotect agent Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reprotect_agent_id: Option<String>,

    /// The reprotect agent name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reprotect_agent_name: Option<String>,

    /// The type of the OS on the VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,

    /// The log storage account ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_storage_account_id: Option<String>,

    /// The target vCenter Id.
    #[serde(rename = "targetvCenterId", skip_serializing_if = "Option::is_none")]
    pub target_vcenter_id: Option<String>,

    /// The target datastore name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_data_store_name: Option<String>,

    /// The target VM name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_name: Option<String>,

    /// The initial replication progress percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_progress_percentage: Option<i32>,

    /// The initial replication processed bytes. This includes sum of total bytes transferred and
    /// matched bytes on all selected disks in source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_processed_bytes: Option<i64>,

    /// The initial replication transferred bytes from source VM to target for all selected disks on
    /// source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_transferred_bytes: Option<i64>,

    /// The initial replication progress health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_progress_health: Option<VmReplicationProgressHealth>,

    /// The resync progress percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_progress_percentage: Option<i32>,

    /// The resync processed bytes. This includes sum of total bytes transferred and matched bytes
    /// on all selected disks in source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_processed_bytes: Option<i64>,

    /// The resync transferred bytes from source VM to target for all selected disks on source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_transferred_bytes: Option<i64>,

    /// The resync progress health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_progress_health: Option<VmReplicationProgressHealth>,

    /// A value indicating whether resync is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_required: Option<String>,

    /// The resync state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_state: Option<ResyncState>,

    /// The list of protected disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub protected_disks: Vec<InMageRcmFailbackProtectedDiskDetails>,

    /// The mobility agent information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobility_agent_details: Option<InMageRcmFailbackMobilityAgentDetails>,

    /// The network details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vm_nics: Vec<InMageRcmFailbackNicDetails>,

    /// The last planned failover start time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_planned_failover_start_time: Option<DateTime<Utc>>,

    /// The last planned failover status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_planned_failover_status: Option<PlannedFailoverStatus>,

    /// The discovered VM information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered_vm_details: Option<InMageRcmFailbackDiscoveredProtectedVmDetails>,

    /// The policy Id used by the forward replication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_policy_id: Option<String>,

    /// The policy friendly name used by the forward replication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_policy_friendly_name: Option<String>,

    /// A value indicating whether agent registration was successful after failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_agent_registration_successful_after_failover: Option<bool>,
}

/// InMageRcmFailback protected disk details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackProtectedDiskDetails {
    /// The disk Id (reported by source agent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,

    /// The disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_name: Option<String>,

    /// A value indicating whether the disk is the OS disk.
    #[serde(rename = "isOSDisk", skip_serializing_if = "Option::is_none")]
    pub is_os_disk: Option<String>,

    /// The disk capacity in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_in_bytes: Option<i64>,

    /// The disk Uuid (reported by vCenter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_uuid: Option<String>,

    /// The data pending in log data store in MB.
    #[serde(
        rename = "dataPendingInLogDataStoreInMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub data_pending_in_log_data_store_in_mb: Option<f64>,

    /// The data pending at source agent in MB.
    #[serde(
        rename = "dataPendingAtSourceAgentInMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub data_pending_at_source_agent_in_mb: Option<f64>,

    /// A value indicating whether initial replication is complete or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_initial_replication_complete: Option<String>,

    /// The initial replication details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ir_details: Option<InMageRcmFailbackSyncDetails>,

    /// The resync details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_details: Option<InMageRcmFailbackSyncDetails>,

    /// The last sync time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_sync_time: Option<DateTime<Utc>>,
}

/// InMageRcmFailback disk level sync details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackSyncDetails {
    /// The progress health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_health: Option<DiskReplicationProgressHealth>,

    /// The transferred bytes from source VM to azure for the disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transferred_bytes: Option<i64>,

    /// The bytes transferred in last 15 minutes from source VM to target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last15_minutes_transferred_bytes: Option<i64>,

    /// The time of the last data transfer from source VM to target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_data_transfer_time_utc: Option<String>,

    /// The total processed bytes. This includes bytes that are transferred from source VM to target
    /// and matched bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processed_bytes: Option<i64>,

    /// The start time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,

    /// The last refresh time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_refresh_time: Option<String>,

    /// Progress in percentage. Progress percentage is calculated based on processed bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_percentage: Option<i32>,
}

/// InMageRcmFailback mobility agent details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackMobilityAgentDetails {
    /// The agent version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The latest agent version available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,

    /// The driver version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver_version: Option<String>,

    /// The latest upgradeable version available without reboot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_upgradable_version_without_reboot: Option<String>,

    /// The agent version expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub agent_version_expiry_date: Option<DateTime<Utc>>,

    /// The driver version expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub driver_version_expiry_date: Option<DateTime<Utc>>,

    /// The time of the last heartbeat received from the agent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The whether update is possible or not.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub reasons_blocking_upgrade: Vec<AgentUpgradeBlockedReason>,

    /// A value indicating whether agent is upgradeable or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_upgradeable: Option<String>,
}

/// InMageRcmFailback NIC details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackNicDetails {
    /// The mac address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,

    /// The network name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_name: Option<String>,

    /// The adapter type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapter_type: Option<String>,

    /// The IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip_address: Option<String>,
}

/// InMageRcmFailback discovered VM details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackDiscoveredProtectedVmDetails {
    /// The VCenter Id.
    #[serde(rename = "vCenterId", skip_serializing_if = "Option::is_none")]
    pub vcenter_id: Option<String>,

    /// The VCenter fqdn.
    #[serde(rename = "vCenterFqdn", skip_serializing_if = "Option::is_none")]
    pub vcenter_fqdn: Option<String>,

    /// The list of datastores.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub datastores: Vec<String>,

    /// The list of IP addresses.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ip_addresses: Vec<String>,

    /// The VMware tools status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vmware_tools_status: Option<String>,

    /// The VM power status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power_status: Option<String>,

    /// The VM fqdn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_fqdn: Option<String>,

    /// The VM's OS name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_name: Option<String>,

    /// The SDS created timestamp.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub created_timestamp: Option<DateTime<Utc>>,

    /// The SDS updated timestamp.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub updated_timestamp: Option<DateTime<Utc>>,

    /// A value indicating whether the VM is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<bool>,

    /// The last time when SDS information discovered in SRS.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_discovery_time_in_utc: Option<DateTime<Utc>>,
}

string_enum! {
    /// The last planned failover status.
    pub enum PlannedFailoverStatus {
        /// `Succeeded`.
        Succeeded = "Succeeded",
        /// `Failed`.
        Failed = "Failed",
        /// `Cancelled`.
        Cancelled = "Cancelled",
        /// `Unknown`.
        Unknown = "Unknown",
    }
}
