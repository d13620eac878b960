//! The bodies of `unplannedFailover` and `plannedFailover` on a recovery plan, with an array of
//! provider-specific inputs. `failoverCommit` has no body.

use serde::{Deserialize, Serialize};

use super::{
    FailoverDirection, InMageRcmFailbackRecoveryPointType, RecoveryPointType, SourceSiteOperations,
};

/// Recovery plan unplanned failover input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanUnplannedFailoverInput {
    /// The recovery plan unplanned failover input properties. Required.
    pub properties: RecoveryPlanUnplannedFailoverInputProperties,
}

/// Recovery plan unplanned failover input properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanUnplannedFailoverInputProperties {
    /// The failover direction. Required.
    pub failover_direction: FailoverDirection,

    /// A value indicating whether source site operations are required. Required.
    pub source_site_operations: SourceSiteOperations,

    /// The provider specific properties.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub provider_specific_details: Vec<RecoveryPlanProviderSpecificFailoverInput>,
}

/// Recovery plan planned failover input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanPlannedFailoverInput {
    /// The recovery plan planned failover input properties. Required.
    pub properties: RecoveryPlanPlannedFailoverInputProperties,
}

/// Recovery plan planned failover input properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanPlannedFailoverInputProperties {
    /// The failover direction. Required.
    pub failover_direction: FailoverDirection,

    /// The provider specific properties.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub provider_specific_details: Vec<RecoveryPlanProviderSpecificFailoverInput>,
}

polymorphic! {
    /// Recovery plan provider specific failover input.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum RecoveryPlanProviderSpecificFailoverInput {
        /// `instanceType: InMage` (RecoveryPlanInMageFailoverInput).
        InMage(RecoveryPlanInMageFailoverInput) = "InMage",
        /// `instanceType: InMageAzureV2` (RecoveryPlanInMageAzureV2FailoverInput).
        InMageAzureV2(RecoveryPlanInMageAzureV2FailoverInput) = "InMageAzureV2",
        /// `instanceType: InMageRcm` (RecoveryPlanInMageRcmFailoverInput).
        InMageRcm(RecoveryPlanInMageRcmFailoverInput) = "InMageRcm",
        /// `instanceType: InMageRcmFailback` (RecoveryPlanInMageRcmFailbackFailoverInput).
        InMageRcmFailback(RecoveryPlanInMageRcmFailbackFailoverInput) = "InMageRcmFailback",
    }
}

/// Recovery plan InMage failover input.
///
/// Sent with `instanceType: InMage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanInMageFailoverInput {
    /// The recovery point type. Required.
    pub recovery_point_type: RecoveryPointType,
}

/// Recovery plan InMageAzureV2 failover input.
///
/// Sent with `instanceType: InMageAzureV2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanInMageAzureV2FailoverInput {
    /// The recovery point type. Required.
    pub recovery_point_type: InMageV2RpRecoveryPointType,

    /// A value indicating whether multi VM sync enabled VMs should use multi VM sync points for
    /// failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_multi_vm_sync_point: Option<MultiVmSyncPointOption>,
}

/// Recovery plan InMageRcm failover input.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanInMageRcmFailoverInput {
    /// The recovery point type. Required.
    pub recovery_point_type: InMageV2RpRecoveryPointType,

    /// A value indicating whether multi VM sync enabled VMs should use multi VM sync points for
    /// failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_multi_vm_sync_point: Option<MultiVmSyncPointOption>,
}

/// Recovery plan InMageRcmFailback failover input.
///
/// Sent with `instanceType: InMageRcmFailback`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanInMageRcmFailbackFailoverInput {
    /// The recovery point type. Required.
    pub recovery_point_type: InMageRcmFailbackRecoveryPointType,

    /// A value indicating whether multi VM sync enabled VMs should use multi VM sync points for
    /// failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_multi_vm_sync_point: Option<MultiVmSyncPointOption>,
}

string_enum! {
    /// The recovery point type.
    pub enum InMageV2RpRecoveryPointType {
        /// `Latest`.
        Latest = "Latest",
        /// `LatestApplicationConsistent`.
        LatestApplicationConsistent = "LatestApplicationConsistent",
        /// `LatestCrashConsistent`.
        LatestCrashConsistent = "LatestCrashConsistent",
        /// `LatestProcessed`.
        LatestProcessed = "LatestProcessed",
    }
}

/// The recovery point type.
///
/// The spec defines `RecoveryPlanPointType` with the same values as [`InMageV2RpRecoveryPointType`].
pub type RecoveryPlanPointType = InMageV2RpRecoveryPointType;

string_enum! {
    /// A value indicating whether multi VM sync enabled VMs should use multi VM sync points for
    /// failover.
    pub enum MultiVmSyncPointOption {
        /// `UseMultiVmSyncRecoveryPoint`.
        UseMultiVmSyncRecoveryPoint = "UseMultiVmSyncRecoveryPoint",
        /// `UsePerVmRecoveryPoint`.
        UsePerVmRecoveryPoint = "UsePerVmRecoveryPoint",
    }
}
