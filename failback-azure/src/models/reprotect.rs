//! The body of `reProtect` on a protected item (reverse replication), per provider.

use serde::{Deserialize, Serialize};

use super::FailoverDirection;

/// Reverse replication input.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReverseReplicationInput {
    /// Reverse replication properties.
    #[serde(default)]
    pub properties: ReverseReplicationInputProperties,
}

/// Reverse replication input properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReverseReplicationInputProperties {
    /// Failover direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_direction: Option<FailoverDirection>,

    /// Provider specific reverse replication input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_specific_details: Option<ReverseReplicationProviderSpecificInput>,
}

polymorphic! {
    /// Provider specific reverse replication input.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum ReverseReplicationProviderSpecificInput {
        /// Classic reprotect from Azure to VMware (the item becomes `InMage`).
        InMage(InMageReprotectInput) = "InMage",
        /// Classic reprotect from VMware to Azure (the item becomes `InMageAzureV2`).
        InMageAzureV2(InMageAzureV2ReprotectInput) = "InMageAzureV2",
        /// Modernized reprotect from Azure to VMware (the item becomes `InMageRcmFailback`).
        InMageRcm(InMageRcmReprotectInput) = "InMageRcm",
        /// Modernized reprotect from VMware to Azure (the item becomes `InMageRcm`).
        InMageRcmFailback(InMageRcmFailbackReprotectInput) = "InMageRcmFailback",
    }
}

/// InMage specific provider input: reprotect of a classic item from Azure back to VMware (the
/// spec's description says "InMageAzureV2 specific provider input", a copy of the
/// InMageAzureV2ReprotectInput one).
///
/// Sent with `instanceType: InMage`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageReprotectInput {
    /// The Master Target Id. Required.
    pub master_target_id: String,

    /// The Process Server Id. Required.
    pub process_server_id: String,

    /// The retention drive to use on the MT. Required.
    pub retention_drive: String,

    /// The CS account Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_account_id: Option<String>,

    /// The target datastore name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datastore_name: Option<String>,

    /// The enable disk exclusion input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_exclusion_input: Option<InMageDiskExclusionInput>,

    /// The Policy Id. Required.
    pub profile_id: String,

    /// The disks to include list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disks_to_include: Option<Vec<String>>,
}

/// InMageAzureV2 specific provider input.
///
/// Sent with `instanceType: InMageAzureV2`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2ReprotectInput {
    /// The Master target Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_target_id: Option<String>,

    /// The Process Server Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_server_id: Option<String>,

    /// The storage account id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_account_id: Option<String>,

    /// The CS account Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_account_id: Option<String>,

    /// The Policy Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,

    /// The storage account to be used for logging during replication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_storage_account_id: Option<String>,

    /// The disks to include list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disks_to_include: Option<Vec<String>>,
}

/// InMageRcm specific provider input.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmReprotectInput {
    /// The reprotect agent Id. Required.
    pub reprotect_agent_id: String,

    /// The target datastore name. Required.
    pub datastore_name: String,

    /// The log storage account ARM Id. Required.
    pub log_storage_account_id: String,

    /// The Policy Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
}

/// InMageRcmFailback specific provider input.
///
/// Sent with `instanceType: InMageRcmFailback`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackReprotectInput {
    /// The process server Id. Required.
    pub process_server_id: String,

    /// The run as account Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_account_id: Option<String>,

    /// The Policy Id. Required.
    pub policy_id: String,
}

/// DiskExclusionInput when doing enable protection of virtual machine in InMage provider.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageDiskExclusionInput {
    /// The volume label based option for disk exclusion.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub volume_options: Vec<InMageVolumeExclusionOptions>,

    /// The guest disk signature based option for disk exclusion.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub disk_signature_options: Vec<InMageDiskSignatureExclusionOptions>,
}

/// Guest disk signature based disk exclusion option when doing enable protection of virtual machine
/// in InMage provider.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageVolumeExclusionOptions {
    /// The volume label. The disk having any volume with this label will be excluded from
    /// replication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_label: Option<String>,

    /// The value indicating whether to exclude multi volume disk or not. If a disk has multiple
    /// volumes and one of the volume has label matching with VolumeLabel this disk will be excluded
    /// from replication if OnlyExcludeIfSingleVolume is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_exclude_if_single_volume: Option<String>,
}

/// Guest disk signature based disk exclusion option when doing enable protection of virtual machine
/// in InMage provider.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageDiskSignatureExclusionOptions {
    /// The guest signature of disk to be excluded from replication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_signature: Option<String>,
}
