//! Replication details of a classic item protected from VMware to Azure (`instanceType:
//! InMageAzureV2`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HealthError, LicenseType, NumberFieldError, NumericString, VMNicDetails};

/// InMageAzureV2 provider specific settings.
///
/// Sent with `instanceType: InMageAzureV2`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2ReplicationDetails {
    /// The infrastructure VM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure_vm_id: Option<String>,

    /// The vCenter infrastructure Id.
    #[serde(
        rename = "vCenterInfrastructureId",
        skip_serializing_if = "Option::is_none"
    )]
    pub vcenter_infrastructure_id: Option<String>,

    /// The protection stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection_stage: Option<String>,

    /// The virtual machine Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_id: Option<String>,

    /// The protection state for the vm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_protection_state: Option<String>,

    /// The protection state description for the vm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_protection_state_description: Option<String>,

    /// The resync progress percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_progress_percentage: Option<i32>,

    /// The RPO in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_in_seconds: Option<i64>,

    /// The compressed data change rate in MB.
    #[serde(
        rename = "compressedDataRateInMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub compressed_data_rate_in_mb: Option<f64>,

    /// The uncompressed data change rate in MB.
    #[serde(
        rename = "uncompressedDataRateInMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub uncompressed_data_rate_in_mb: Option<f64>,

    /// The source IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,

    /// The agent version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,

    /// Agent expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub agent_expiry_date: Option<DateTime<Utc>>,

    /// A value indicating whether installed agent needs to be updated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_agent_update_required: Option<String>,

    /// A value indicating whether the source server requires a restart after update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_reboot_after_update_required: Option<String>,

    /// The last heartbeat received from the source server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat: Option<DateTime<Utc>>,

    /// The process server Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_server_id: Option<String>,

    /// The process server name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_server_name: Option<String>,

    /// The multi vm group Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_group_id: Option<String>,

    /// The multi vm group name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_group_name: Option<String>,

    /// A value indicating whether multi vm sync is enabled or disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_sync_status: Option<String>,

    /// The list of protected disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub protected_disks: Vec<InMageAzureV2ProtectedDiskDetails>,

    /// A value indicating whether any disk is resized for this VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_resized: Option<String>,

    /// The master target Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_target_id: Option<String>,

    /// The CPU count of the VM on the primary side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_vm_cpu_count: Option<i32>,

    /// The RAM size of the VM on the primary side.
    #[serde(
        rename = "sourceVmRamSizeInMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_vm_ram_size_in_mb: Option<i32>,

    /// The type of the OS on the VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,

    /// The OS disk VHD name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhd_name: Option<String>,

    /// The id of the disk containing the OS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_disk_id: Option<String>,

    /// Azure VM Disk details.
    #[serde(
        rename = "azureVMDiskDetails",
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub azure_vm_disk_details: Vec<AzureVmDiskDetails>,

    /// Recovery Azure given name.
    #[serde(
        rename = "recoveryAzureVMName",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_azure_vm_name: Option<String>,

    /// The Recovery Azure VM size.
    #[serde(
        rename = "recoveryAzureVMSize",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_azure_vm_size: Option<String>,

    /// The recovery Azure storage account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_azure_storage_account: Option<String>,

    /// The ARM id of the log storage account used for replication. This will be set to null if no
    /// log storage account was provided during enable protection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_azure_log_storage_account_id: Option<String>,

    /// The PE Network details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vm_nics: Vec<VMNicDetails>,

    /// The selected recovery azure network Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_recovery_azure_network_id: Option<String>,

    /// The test failover virtual network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_tfo_azure_network_id: Option<String>,

    /// The selected source nic Id which will be used as the primary nic during failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_source_nic_id: Option<String>,

    /// A value indicating the discovery type of the machine. Value can be vCenter or physical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_type: Option<String>,

    /// The selected option to enable RDP\SSH on target vm after failover. String value of
    /// SrsDataContract.EnableRDPOnTargetOption enum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_rdp_on_target_option: Option<String>,

    /// The datastores of the on-premise machine. Value can be list of strings that contain
    /// datastore names.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub datastores: Vec<String>,

    /// The ARM Id of the target Azure VM. This value will be null until the VM is failed over. Only
    /// after failure it will be populated with the ARM Id of the Azure VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vm_id: Option<String>,

    /// The target resource group Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_azure_resource_group_id: Option<String>,

    /// The recovery availability set Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_availability_set_id: Option<String>,

    /// The target availability zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_availability_zone: Option<String>,

    /// The target proximity placement group Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_proximity_placement_group_id: Option<String>,

    /// A value indicating whether managed disks should be used during failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_managed_disks: Option<String>,

    /// License Type of the VM to be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_type: Option<LicenseType>,

    /// The SQL Server license type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_server_license_type: Option<String>,

    /// The validation errors of the on-premise machine Value can be list of validation errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub validation_errors: Vec<HealthError>,

    /// The last RPO calculated time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_rpo_calculated_time: Option<DateTime<Utc>>,

    /// The last update time received from on-prem components.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_update_received_time: Option<DateTime<Utc>>,

    /// The replica id of the protected item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_id: Option<String>,

    /// The OS Version of the protected item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,

    /// The list of protected managed disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub protected_managed_disks: Vec<InMageAzureV2ManagedDiskDetails>,

    /// The last recovery point received time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_recovery_point_received: Option<DateTime<Utc>>,

    /// The firmware type of this protected item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmware_type: Option<String>,

    /// The target generation for this protected item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_vm_generation: Option<String>,

    /// A value indicating whether additional IR stats are available or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_additional_stats_available: Option<bool>,

    /// The total transferred data in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_data_transferred: Option<i64>,

    /// The progress health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_progress_health: Option<String>,

    /// The target VM tags.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub target_vm_tags: BTreeMap<String, String>,

    /// The tags for the seed managed disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub seed_managed_disk_tags: BTreeMap<String, String>,

    /// The tags for the target managed disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub target_managed_disk_tags: BTreeMap<String, String>,

    /// The tags for the target NICs.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub target_nic_tags: BTreeMap<String, String>,

    /// The switch provider blocking error information.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub switch_provider_blocking_error_details:
        Vec<InMageAzureV2SwitchProviderBlockingErrorDetails>,

    /// The switch provider blocking error information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch_provider_details: Option<InMageAzureV2SwitchProviderDetails>,

    /// A value indicating the inplace OS Upgrade version.
    #[serde(
        rename = "supportedOSVersions",
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub supported_os_versions: Vec<String>,

    /// A value indicating all available inplace OS Upgrade configurations.
    #[serde(
        rename = "allAvailableOSUpgradeConfigurations",
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub all_available_os_upgrade_configurations: Vec<OSUpgradeSupportedVersions>,

    /// The name of the OS on the VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_name: Option<String>,
}

/// InMageAzureV2 protected disk details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2ProtectedDiskDetails {
    /// The disk id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,

    /// The disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_name: Option<String>,

    /// The protection stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection_stage: Option<String>,

    /// The health error code for the disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_error_code: Option<String>,

    /// The RPO in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_in_seconds: Option<i64>,

    /// A value indicating whether resync is required for this disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_required: Option<String>,

    /// The resync progress percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_progress_percentage: Option<i32>,

    /// The resync duration in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_duration_in_seconds: Option<i64>,

    /// The disk capacity in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_capacity_in_bytes: Option<i64>,

    /// The disk file system capacity in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_system_capacity_in_bytes: Option<i64>,

    /// The source data transit in MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_data_in_mega_bytes: Option<f64>,

    /// The PS data transit in MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ps_data_in_mega_bytes: Option<f64>,

    /// The target data transit in MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_data_in_mega_bytes: Option<f64>,

    /// A value indicating whether disk is resized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_resized: Option<String>,

    /// The last RPO calculated time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_rpo_calculated_time: Option<DateTime<Utc>>,

    /// The resync processed bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_processed_bytes: Option<i64>,

    /// The resync total transferred bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_total_transferred_bytes: Option<i64>,

    /// The resync last 15 minutes transferred bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_last15_minutes_transferred_bytes: Option<i64>,

    /// The last data transfer time in UTC.
    #[serde(
        rename = "resyncLastDataTransferTimeUTC",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub resync_last_data_transfer_time_utc: Option<DateTime<Utc>>,

    /// The resync start time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub resync_start_time: Option<DateTime<Utc>>,

    /// The Progress Health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_health: Option<String>,

    /// The Progress Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_status: Option<String>,

    /// The seconds to take for switch provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_to_take_switch_provider: Option<i64>,
}

/// Disk details for E2A provider.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureVmDiskDetails {
    /// VHD type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhd_type: Option<String>,

    /// The VHD id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhd_id: Option<String>,

    /// The disk resource id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,

    /// VHD name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhd_name: Option<String>,

    /// Max side in MB.
    #[serde(rename = "maxSizeMB", skip_serializing_if = "Option::is_none")]
    pub max_size_mb: Option<NumericString>,

    /// Blob uri of the Azure disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_disk_location: Option<String>,

    /// The target Azure disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_disk_name: Option<String>,

    /// Ordinal\LunId of the disk for the Azure VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lun_id: Option<NumericString>,

    /// The DiskEncryptionSet ARM ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_encryption_set_id: Option<String>,

    /// The custom target Azure disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_target_disk_name: Option<String>,
}

impl AzureVmDiskDetails {
    /// The maximum size of the disk in MB, parsed from `maxSizeMB`. `Ok(None)` when absent; an
    /// error names the field and the value.
    pub fn parse_max_size_mb(&self) -> Result<Option<u64>, NumberFieldError> {
        NumericString::parse_opt(self.max_size_mb.as_ref(), "AzureVmDiskDetails.maxSizeMB")
    }

    /// The LUN of the disk on the Azure VM, parsed from `lunId`. `Ok(None)` when absent; an error
    /// names the field and the value.
    pub fn parse_lun_id(&self) -> Result<Option<u32>, NumberFieldError> {
        NumericString::parse_opt(self.lun_id.as_ref(), "AzureVmDiskDetails.lunId")
    }
}

/// InMageAzureV2 Managed disk details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2ManagedDiskDetails {
    /// The disk id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,

    /// Seed managed disk Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_managed_disk_id: Option<String>,

    /// The replica disk type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_disk_type: Option<String>,

    /// The DiskEncryptionSet ARM ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_encryption_set_id: Option<String>,

    /// The target disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_disk_name: Option<String>,
}

/// InMageAzureV2 switch provider blocking error details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2SwitchProviderBlockingErrorDetails {
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

/// InMageAzureV2 switch provider details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2SwitchProviderDetails {
    /// The target vault Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_vault_id: Option<String>,

    /// The target resource Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_resource_id: Option<String>,

    /// The target fabric Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_fabric_id: Option<String>,

    /// The target appliance Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_appliance_id: Option<String>,
}

/// Supported OS upgrade versions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OSUpgradeSupportedVersions {
    /// The source OS version name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_source_os_version: Option<String>,

    /// The target OS version names.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub supported_target_os_versions: Vec<String>,
}
