//! Replication details of a classic item protected from Azure back to VMware (`instanceType:
//! InMage`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HealthError, NumberFieldError, NumericString, VMNicDetails};

/// InMage provider specific settings.
///
/// Sent with `instanceType: InMage`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageReplicationDetails {
    /// The active location of the VM. If the VM is being protected from Azure, this field will take
    /// values from { Azure, OnPrem }. If the VM is being protected between two data-centers, this
    /// field will be OnPrem always.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_site_type: Option<ActiveSiteType>,

    /// The CPU count of the VM on the primary side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_vm_cpu_count: Option<i32>,

    /// The RAM size of the VM on the primary side.
    #[serde(
        rename = "sourceVmRamSizeInMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_vm_ram_size_in_mb: Option<i32>,

    /// The OS details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_details: Option<OSDiskDetails>,

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

    /// The resync details of the machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_details: Option<InitialReplicationDetails>,

    /// The retention window start time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub retention_window_start: Option<DateTime<Utc>>,

    /// The retention window end time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub retention_window_end: Option<DateTime<Utc>>,

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

    /// The RPO in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_in_seconds: Option<i64>,

    /// The list of protected disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub protected_disks: Vec<InMageProtectedDiskDetails>,

    /// The source IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,

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

    /// The master target Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_target_id: Option<String>,

    /// The collection of Consistency points.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "crate::models::date_time::map"
    )]
    pub consistency_points: BTreeMap<String, DateTime<Utc>>,

    /// A value indicating whether any disk is resized for this VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_resized: Option<String>,

    /// A value indicating whether the source server requires a restart after update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reboot_after_update_status: Option<String>,

    /// The multi vm group Id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_group_id: Option<String>,

    /// The multi vm group name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_group_name: Option<String>,

    /// A value indicating whether the multi vm sync is enabled or disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_sync_status: Option<String>,

    /// The agent details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_details: Option<InMageAgentDetails>,

    /// The vCenter infrastructure Id.
    #[serde(
        rename = "vCenterInfrastructureId",
        skip_serializing_if = "Option::is_none"
    )]
    pub vcenter_infrastructure_id: Option<String>,

    /// The infrastructure VM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure_vm_id: Option<String>,

    /// The PE Network details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vm_nics: Vec<VMNicDetails>,

    /// A value indicating the discovery type of the machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_type: Option<String>,

    /// A value indicating the underlying Azure storage account. If the VM is not running in Azure,
    /// this value shall be set to null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_storage_account_id: Option<String>,

    /// The datastores of the on-premise machine Value can be list of strings that contain datastore
    /// names.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub datastores: Vec<String>,

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

    /// A value indicating whether additional IR stats are available or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_additional_stats_available: Option<bool>,

    /// The total transferred data in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_data_transferred: Option<i64>,

    /// The progress health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_progress_health: Option<String>,
}

/// InMage protected disk details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageProtectedDiskDetails {
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

    /// The file system capacity in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_system_capacity_in_bytes: Option<i64>,

    /// The source data transit in MB.
    #[serde(rename = "sourceDataInMB", skip_serializing_if = "Option::is_none")]
    pub source_data_in_mb: Option<f64>,

    /// The PS data transit in MB.
    #[serde(rename = "psDataInMB", skip_serializing_if = "Option::is_none")]
    pub ps_data_in_mb: Option<f64>,

    /// The target data transit in MB.
    #[serde(rename = "targetDataInMB", skip_serializing_if = "Option::is_none")]
    pub target_data_in_mb: Option<f64>,

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
}

/// Details of the OS Disk.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OSDiskDetails {
    /// The id of the disk containing the OS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_vhd_id: Option<String>,

    /// The type of the OS on the VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,

    /// The OS disk VHD name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhd_name: Option<String>,
}

/// Initial replication details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitialReplicationDetails {
    /// Initial replication type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_type: Option<String>,

    /// The initial replication progress percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_replication_progress_percentage: Option<NumericString>,
}

impl InitialReplicationDetails {
    /// The initial replication progress in percent, parsed from
    /// `initialReplicationProgressPercentage`. `Ok(None)` when absent; an error names the field and
    /// the value.
    pub fn progress_percentage(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(
            self.initial_replication_progress_percentage.as_ref(),
            "InitialReplicationDetails.initialReplicationProgressPercentage",
        )
    }
}

/// The details of the InMage agent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAgentDetails {
    /// The agent version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,

    /// A value indicating whether installed agent needs to be updated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_update_status: Option<String>,

    /// A value indicating whether reboot is required after update is applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_update_reboot_status: Option<String>,

    /// Agent expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub agent_expiry_date: Option<DateTime<Utc>>,
}

string_enum! {
    /// The active location of an `InMage` VM: `Azure` or `OnPrem` when it is protected from Azure,
    /// always `OnPrem` between two data centres.
    ///
    /// (The spec types the property as a free string and lists these values in its description.)
    pub enum ActiveSiteType {
        /// `Azure`.
        Azure = "Azure",
        /// `OnPrem`.
        OnPrem = "OnPrem",
    }
}
