//! Replication policies (`replicationPolicies`): the policy resource and the body that creates one.

use serde::{Deserialize, Serialize};

use super::{Page, Resource};

/// Protection profile details.
pub type Policy = Resource<PolicyProperties>;

/// Protection Profile Collection details.
pub type PolicyCollection = Page<Policy>;

/// Protection profile custom data details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyProperties {
    /// The FriendlyName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The ReplicationChannelSetting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_specific_details: Option<PolicyProviderSpecificDetails>,
}

polymorphic! {
    /// Base class for Provider specific details for policies.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum PolicyProviderSpecificDetails {
        /// `instanceType: InMage` (InMagePolicyDetails).
        InMage(InMagePolicyDetails) = "InMage",
        /// `instanceType: InMageAzureV2` (InMageAzureV2PolicyDetails).
        InMageAzureV2(InMageAzureV2PolicyDetails) = "InMageAzureV2",
        /// `instanceType: InMageRcm` (InMageRcmPolicyDetails).
        InMageRcm(InMageRcmPolicyDetails) = "InMageRcm",
        /// `instanceType: InMageRcmFailback` (InMageRcmFailbackPolicyDetails).
        InMageRcmFailback(InMageRcmFailbackPolicyDetails) = "InMageRcmFailback",
        /// `instanceType: InMageBasePolicyDetails` (InMageBasePolicyDetails).
        InMageBasePolicyDetails(InMageBasePolicyDetails) = "InMageBasePolicyDetails",
    }
}

/// InMage specific protection profile details.
///
/// Sent with `instanceType: InMage`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMagePolicyDetails {
    /// The recovery point threshold in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_threshold_in_minutes: Option<i32>,

    /// The duration in minutes until which the recovery points need to be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_history: Option<i32>,

    /// The app consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// A value indicating whether multi-VM sync has to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_sync_status: Option<String>,
}

/// Base class for the policies of providers using InMage replication.
///
/// Sent with `instanceType: InMageBasePolicyDetails`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageBasePolicyDetails {
    /// The recovery point threshold in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_threshold_in_minutes: Option<i32>,

    /// The duration in minutes until which the recovery points need to be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_history: Option<i32>,

    /// The app consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// A value indicating whether multi-VM sync has to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_sync_status: Option<String>,
}

/// InMage Azure v2 specific protection profile details.
///
/// Sent with `instanceType: InMageAzureV2`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2PolicyDetails {
    /// The crash consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash_consistent_frequency_in_minutes: Option<i32>,

    /// The recovery point threshold in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_threshold_in_minutes: Option<i32>,

    /// The duration in minutes until which the recovery points need to be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_history: Option<i32>,

    /// The app consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// A value indicating whether multi-VM sync has to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_vm_sync_status: Option<String>,
}

/// InMageRcm specific policy details.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmPolicyDetails {
    /// The duration in minutes until which the recovery points need to be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_history_in_minutes: Option<i32>,

    /// The app consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// The crash consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash_consistent_frequency_in_minutes: Option<i32>,

    /// A value indicating whether multi-VM sync has to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_multi_vm_sync: Option<String>,
}

/// InMageRcm failback specific policy details.
///
/// Sent with `instanceType: InMageRcmFailback`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackPolicyDetails {
    /// The app consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// The crash consistent snapshot frequency in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash_consistent_frequency_in_minutes: Option<i32>,
}

/// Protection Policy input.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePolicyInput {
    /// Policy creation properties.
    #[serde(default)]
    pub properties: CreatePolicyInputProperties,
}

/// Policy creation properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePolicyInputProperties {
    /// The ReplicationProviderSettings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_specific_input: Option<PolicyProviderSpecificInput>,
}

polymorphic! {
    /// Base class for provider specific input.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum PolicyProviderSpecificInput {
        /// `instanceType: InMage` (InMagePolicyInput).
        InMage(InMagePolicyInput) = "InMage",
        /// `instanceType: InMageAzureV2` (InMageAzureV2PolicyInput).
        InMageAzureV2(InMageAzureV2PolicyInput) = "InMageAzureV2",
        /// `instanceType: InMageRcm` (InMageRcmPolicyCreationInput).
        InMageRcm(InMageRcmPolicyCreationInput) = "InMageRcm",
        /// `instanceType: InMageRcmFailback` (InMageRcmFailbackPolicyCreationInput).
        InMageRcmFailback(InMageRcmFailbackPolicyCreationInput) = "InMageRcmFailback",
    }
}

/// VMWare Azure specific protection profile Input.
///
/// Sent with `instanceType: InMage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMagePolicyInput {
    /// The recovery point threshold in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_threshold_in_minutes: Option<i32>,

    /// The duration in minutes until which the recovery points need to be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_history: Option<i32>,

    /// The app consistent snapshot frequency (in minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// A value indicating whether multi-VM sync has to be enabled. Value should be 'Enabled' or
    /// 'Disabled'. Required.
    pub multi_vm_sync_status: SetMultiVmSyncStatus,
}

/// VMWare Azure specific policy Input.
///
/// Sent with `instanceType: InMageAzureV2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2PolicyInput {
    /// The recovery point threshold in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_threshold_in_minutes: Option<i32>,

    /// The duration in minutes until which the recovery points need to be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_history: Option<i32>,

    /// The crash consistent snapshot frequency (in minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash_consistent_frequency_in_minutes: Option<i32>,

    /// The app consistent snapshot frequency (in minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// A value indicating whether multi-VM sync has to be enabled. Value should be 'Enabled' or
    /// 'Disabled'. Required.
    pub multi_vm_sync_status: SetMultiVmSyncStatus,
}

/// InMageRcm policy creation input.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmPolicyCreationInput {
    /// The duration in minutes until which the recovery points need to be stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_history_in_minutes: Option<i32>,

    /// The crash consistent snapshot frequency (in minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash_consistent_frequency_in_minutes: Option<i32>,

    /// The app consistent snapshot frequency (in minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,

    /// A value indicating whether multi-VM sync has to be enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_multi_vm_sync: Option<String>,
}

/// InMageRcmFailback policy creation input.
///
/// Sent with `instanceType: InMageRcmFailback`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackPolicyCreationInput {
    /// The crash consistent snapshot frequency (in minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash_consistent_frequency_in_minutes: Option<i32>,

    /// The app consistent snapshot frequency (in minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_consistent_frequency_in_minutes: Option<i32>,
}

string_enum! {
    /// A value indicating whether multi-VM sync has to be enabled. Value should be 'Enabled' or
    /// 'Disabled'.
    pub enum SetMultiVmSyncStatus {
        /// `Enable`.
        Enable = "Enable",
        /// `Disable`.
        Disable = "Disable",
    }
}
