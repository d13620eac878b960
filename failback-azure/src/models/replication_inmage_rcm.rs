//! Replication details of a modernized item protected from VMware to Azure (`instanceType:
//! InMageRcm`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    AgentUpgradeBlockedReason, DiskReplicationProgressHealth, LicenseType, ResyncState,
    VmReplicationProgressHealth,
};

/// InMageRcm provider specific details.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmReplicationDetails {
    /// The virtual machine internal identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_identifier: Option<String>,

    /// The ARM Id of the discovered VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_discovery_machine_id: Option<String>,

    /// The multi VM group name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_group_name: Option<String>,

    /// The type of the discovered VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_type: Option<String>,

    /// The process server Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_server_id: Option<String>,

    /// The processor core count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processor_core_count: Option<i32>,

    /// The allocated memory in MB.
    #[serde(
        rename = "allocatedMemoryInMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub allocated_memory_in_mb: Option<f64>,

    /// The process server name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_server_name: Option<String>,

    /// The run-as account Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_account_id: Option<String>,

    /// The type of the OS on the VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,

    /// The firmware type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmware_type: Option<String>,

    /// The IP address of the primary network interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_nic_ip_address: Option<String>,

    /// The target generation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_generation: Option<String>,

    /// License Type of the VM to be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_type: Option<LicenseType>,

    /// The license type for Linux VM's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linux_license_type: Option<LinuxLicenseType>,

    /// The replication storage account ARM Id. This is applicable only for the blob based
    /// replication test hook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_account_id: Option<String>,

    /// Target VM name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_name: Option<String>,

    /// The target VM size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_size: Option<String>,

    /// The target resource group Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_resource_group_id: Option<String>,

    /// The target location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_location: Option<String>,

    /// The target availability set Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_availability_set_id: Option<String>,

    /// The target availability zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_availability_zone: Option<String>,

    /// The target proximity placement group Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_proximity_placement_group_id: Option<String>,

    /// The target boot diagnostics storage account ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_boot_diagnostics_storage_account_id: Option<String>,

    /// The target network Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_network_id: Option<String>,

    /// The test network Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_network_id: Option<String>,

    /// The recovery point Id to which the VM was failed over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_recovery_point_id: Option<String>,

    /// The last recovery point received time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_recovery_point_received: Option<DateTime<Utc>>,

    /// The last recovery point objective value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_rpo_in_seconds: Option<i64>,

    /// The last recovery point objective calculated time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_rpo_calculated_time: Option<DateTime<Utc>>,

    /// The last recovery point Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_recovery_point_id: Option<String>,

    /// The initial replication progress percentage. This is calculated based on total bytes
    /// processed for all disks in the source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_progress_percentage: Option<i32>,

    /// The initial replication processed bytes. This includes sum of total bytes transferred and
    /// matched bytes on all selected disks in source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_processed_bytes: Option<i64>,

    /// The initial replication transferred bytes from source VM to azure for all selected disks on
    /// source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_transferred_bytes: Option<i64>,

    /// The initial replication progress health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_progress_health: Option<VmReplicationProgressHealth>,

    /// The resync progress percentage. This is calculated based on total bytes processed for all
    /// disks in the source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_progress_percentage: Option<i32>,

    /// The resync processed bytes. This includes sum of total bytes transferred and matched bytes
    /// on all selected disks in source VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_processed_bytes: Option<i64>,

    /// The resync transferred bytes from source VM to azure for all selected disks on source VM.
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

    /// The agent auto upgrade state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_upgrade_state: Option<MobilityAgentUpgradeState>,

    /// The last agent upgrade type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_agent_upgrade_type: Option<String>,

    /// The agent upgrade job Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_upgrade_job_id: Option<String>,

    /// The agent version to which last agent upgrade was attempted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_upgrade_attempt_to_version: Option<String>,

    /// The list of protected disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub protected_disks: Vec<InMageRcmProtectedDiskDetails>,

    /// The list of unprotected disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub unprotected_disks: Vec<InMageRcmUnProtectedDiskDetails>,

    /// A value indicating whether last agent upgrade was successful or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_last_upgrade_successful: Option<String>,

    /// A value indicating whether agent registration was successful after failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_agent_registration_successful_after_failover: Option<bool>,

    /// The mobility agent information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobility_agent_details: Option<InMageRcmMobilityAgentDetails>,

    /// The last agent upgrade error information.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub last_agent_upgrade_error_details: Vec<InMageRcmLastAgentUpgradeErrorDetails>,

    /// The agent upgrade blocking error information.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub agent_upgrade_blocking_error_details: Vec<InMageRcmAgentUpgradeBlockingErrorDetails>,

    /// The network details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vm_nics: Vec<InMageRcmNicDetails>,

    /// The discovered VM details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered_vm_details: Option<InMageRcmDiscoveredProtectedVmDetails>,

    /// The target VM tags.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub target_vm_tags: Vec<UserCreatedResourceTag>,

    /// The tags for the seed managed disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub seed_managed_disk_tags: Vec<UserCreatedResourceTag>,

    /// The tags for the target managed disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub target_managed_disk_tags: Vec<UserCreatedResourceTag>,

    /// The tags for the target NICs.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub target_nic_tags: Vec<UserCreatedResourceTag>,

    /// The SQL Server license type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_server_license_type: Option<String>,

    /// A value indicating the inplace OS Upgrade version.
    #[serde(
        rename = "supportedOSVersions",
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub supported_os_versions: Vec<String>,

    /// The OS name associated with VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_name: Option<String>,

    /// The target VM security profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_security_profile: Option<SecurityProfileProperties>,

    /// The target capacity reservation group ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_capacity_reservation_group_id: Option<String>,
}

/// InMageRcm protected disk details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmProtectedDiskDetails {
    /// The disk Id.
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

    /// The disk state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_state: Option<DiskState>,

    /// The log storage account ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_storage_account_id: Option<String>,

    /// The DiskEncryptionSet ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_encryption_set_id: Option<String>,

    /// The ConfidentialDiskEncryptionSet ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidential_disk_encryption_set_id: Option<String>,

    /// The ARM Id of the seed managed disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_managed_disk_id: Option<String>,

    /// The uri of the seed blob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_blob_uri: Option<String>,

    /// The ARM Id of the target managed disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_managed_disk_id: Option<String>,

    /// The disk type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_type: Option<DiskAccountType>,

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
    pub ir_details: Option<InMageRcmSyncDetails>,

    /// The resync details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_details: Option<InMageRcmSyncDetails>,

    /// The custom target Azure disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_target_disk_name: Option<String>,

    /// The logical sector size (in bytes), 512 by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector_size_in_bytes: Option<i32>,

    /// The number of IOPS allowed for Premium V2 and Ultra disks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iops: Option<i64>,

    /// The total throughput in Mbps for Premium V2 and Ultra disks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_in_mbps: Option<i64>,

    /// The target disk size in GB.
    #[serde(rename = "diskSizeInGB", skip_serializing_if = "Option::is_none")]
    pub disk_size_in_gb: Option<i64>,
}

/// InMageRcm disk level sync details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmSyncDetails {
    /// The progress health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_health: Option<DiskReplicationProgressHealth>,

    /// The transferred bytes from source VM to azure for the disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transferred_bytes: Option<i64>,

    /// The bytes transferred in last 15 minutes from source VM to azure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last15_minutes_transferred_bytes: Option<i64>,

    /// The time of the last data transfer from source VM to azure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_data_transfer_time_utc: Option<String>,

    /// The total processed bytes. This includes bytes that are transferred from source VM to azure
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

/// InMageRcm un-protected disk details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmUnProtectedDiskDetails {
    /// The disk Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,

    /// The disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_name: Option<String>,

    /// The disk capacity in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_in_bytes: Option<i64>,
}

/// InMageRcm mobility agent details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmMobilityAgentDetails {
    /// The agent version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The latest agent version available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,

    /// The latest agent version release date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_agent_release_date: Option<String>,

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

    /// The agent auto reinstall state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_reinstall_state: Option<MobilityAgentReinstallType>,

    /// The last agent reinstall type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_agent_reinstall_type: Option<String>,

    /// The agent reinstall job Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_reinstall_job_id: Option<String>,

    /// The last agent reinstall type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_reinstall_attempt_to_version: Option<String>,

    /// The OS family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_family_name: Option<String>,

    /// The distro name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro_name: Option<String>,

    /// Distro name for which agent is installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro_name_for_which_agent_is_installed: Option<String>,

    /// A value indicating whether replication agent upgradeable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_agent_upgradeable: Option<bool>,

    /// A value indicating whether replication agent reinstallation is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_agent_reinstall_required: Option<bool>,

    /// A value indicating whether replication agent reinstallation is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_last_reinstall_successful: Option<bool>,

    /// whether reinstall is possible or not.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub reasons_blocking_reinstall: Vec<AgentReinstallBlockedReason>,

    /// whether reinstall is possible or not.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub reasons_blocking_reinstall_details: Vec<InMageRcmAgentReinstallBlockingErrorDetails>,
}

/// InMageRcm NIC details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmNicDetails {
    /// The NIC Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nic_id: Option<String>,

    /// A value indicating whether this is the primary NIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_primary_nic: Option<String>,

    /// A value indicating whether this NIC is selected for failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_selected_for_failover: Option<String>,

    /// The source IP address.
    #[serde(rename = "sourceIPAddress", skip_serializing_if = "Option::is_none")]
    pub source_ip_address: Option<String>,

    /// The source IP address type.
    #[serde(
        rename = "sourceIPAddressType",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_ip_address_type: Option<EthernetAddressType>,

    /// Source network Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_network_id: Option<String>,

    /// Source subnet name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_subnet_name: Option<String>,

    /// The target IP address.
    #[serde(rename = "targetIPAddress", skip_serializing_if = "Option::is_none")]
    pub target_ip_address: Option<String>,

    /// The target IP address type.
    #[serde(
        rename = "targetIPAddressType",
        skip_serializing_if = "Option::is_none"
    )]
    pub target_ip_address_type: Option<EthernetAddressType>,

    /// Target subnet name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_subnet_name: Option<String>,

    /// Test subnet name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_subnet_name: Option<String>,

    /// The test IP address.
    #[serde(rename = "testIPAddress", skip_serializing_if = "Option::is_none")]
    pub test_ip_address: Option<String>,

    /// The test IP address type.
    #[serde(rename = "testIPAddressType", skip_serializing_if = "Option::is_none")]
    pub test_ip_address_type: Option<EthernetAddressType>,

    /// The target NIC name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_nic_name: Option<String>,
}

/// InMageRcm discovered protected VM details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmDiscoveredProtectedVmDetails {
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

/// InMageRcm last source agent upgrade error details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmLastAgentUpgradeErrorDetails {
    /// The error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,

    /// The error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,

    /// The possible causes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// The recommended action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,

    /// The error message parameters.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_message_parameters: BTreeMap<String, String>,

    /// The error tags.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_tags: BTreeMap<String, String>,
}

/// InMageRcm source agent upgrade blocking error details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmAgentUpgradeBlockingErrorDetails {
    /// The error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,

    /// The error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,

    /// The possible causes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// The recommended action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,

    /// The error message parameters.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_message_parameters: BTreeMap<String, String>,

    /// The error tags.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_tags: BTreeMap<String, String>,
}

/// InMageRcm source agent reinstall blocking error details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmAgentReinstallBlockingErrorDetails {
    /// error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,

    /// error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,

    /// possible causes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// recommended action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,

    /// error message parameters.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_message_parameters: BTreeMap<String, String>,

    /// error tags.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_tags: BTreeMap<String, String>,
}

/// Resource tag input.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCreatedResourceTag {
    /// The tag name. Please read for more information:
    /// <https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/tag-resources#limitations>.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_name: Option<String>,

    /// The tag value. Please read her for more information:
    /// <https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/tag-resources#limitations>.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_value: Option<String>,
}

/// Security profile input.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityProfileProperties {
    /// The target VM security type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_security_type: Option<SecurityType>,

    /// A value indicating whether secure boot to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_secure_boot: Option<SecurityConfiguration>,

    /// A value indicating whether trusted platform module to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_tpm: Option<SecurityConfiguration>,

    /// A value indicating whether integrity monitoring to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_monitoring: Option<SecurityConfiguration>,

    /// A value indicating whether confidential compute encryption to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_confidential_encryption: Option<SecurityConfiguration>,
}

string_enum! {
    /// The disk state.
    pub enum DiskState {
        /// `Unavailable`.
        Unavailable = "Unavailable",
        /// `InitialReplicationPending`.
        InitialReplicationPending = "InitialReplicationPending",
        /// `InitialReplicationFailed`.
        InitialReplicationFailed = "InitialReplicationFailed",
        /// `Protected`.
        Protected = "Protected",
    }
}

string_enum! {
    /// The disk type.
    pub enum DiskAccountType {
        /// `Standard_LRS`.
        StandardLrs = "Standard_LRS",
        /// `Premium_LRS`.
        PremiumLrs = "Premium_LRS",
        /// `StandardSSD_LRS`.
        StandardSsdLrs = "StandardSSD_LRS",
        /// `PremiumV2_LRS`.
        PremiumV2Lrs = "PremiumV2_LRS",
        /// `UltraSSD_LRS`.
        UltraSsdLrs = "UltraSSD_LRS",
        /// `StandardSSD_ZRS`.
        StandardSsdZrs = "StandardSSD_ZRS",
        /// `Premium_ZRS`.
        PremiumZrs = "Premium_ZRS",
    }
}

string_enum! {
    /// The source IP address type.
    pub enum EthernetAddressType {
        /// `Dynamic`.
        Dynamic = "Dynamic",
        /// `Static`.
        Static = "Static",
    }
}

string_enum! {
    /// The agent auto upgrade state.
    pub enum MobilityAgentUpgradeState {
        /// `None`.
        None = "None",
        /// `Started`.
        Started = "Started",
        /// `Completed`.
        Completed = "Completed",
        /// `Commit`.
        Commit = "Commit",
    }
}

string_enum! {
    /// How the mobility agent reinstall was triggered.
    pub enum MobilityAgentReinstallType {
        /// `UserTriggered`.
        UserTriggered = "UserTriggered",
        /// `AutoTriggered`.
        AutoTriggered = "AutoTriggered",
    }
}

string_enum! {
    /// AgentReinstallBlockedReason.
    pub enum AgentReinstallBlockedReason {
        /// `DistroNotSupported`.
        DistroNotSupported = "DistroNotSupported",
        /// `AgentNoHeartbeat`.
        AgentNoHeartbeat = "AgentNoHeartbeat",
        /// `Unknown`.
        Unknown = "Unknown",
    }
}

string_enum! {
    /// The target VM security type.
    pub enum SecurityType {
        /// `None`.
        None = "None",
        /// `TrustedLaunch`.
        TrustedLaunch = "TrustedLaunch",
        /// `ConfidentialVM`.
        ConfidentialVM = "ConfidentialVM",
    }
}

string_enum! {
    /// Security configuration state.
    pub enum SecurityConfiguration {
        /// `Disabled`.
        Disabled = "Disabled",
        /// `Enabled`.
        Enabled = "Enabled",
    }
}

string_enum! {
    /// The license type for Linux VM's.
    pub enum LinuxLicenseType {
        /// `NotSpecified`.
        NotSpecified = "NotSpecified",
        /// `NoLicenseType`.
        NoLicenseType = "NoLicenseType",
        /// `LinuxServer`.
        LinuxServer = "LinuxServer",
    }
}
