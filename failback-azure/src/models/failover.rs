//! The bodies of `unplannedFailover` and `plannedFailover` on a protected item, per provider.
//! `failoverCommit` has no body.

use serde::{Deserialize, Serialize};

use super::{FailoverDirection, SourceSiteOperations};

/// Input definition for unplanned failover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnplannedFailoverInput {
    /// Unplanned failover input properties. Required.
    pub properties: UnplannedFailoverInputProperties,
}

/// Input definition for unplanned failover input properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnplannedFailoverInputProperties {
    /// Failover direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_direction: Option<FailoverDirection>,

    /// Source site operations status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_site_operations: Option<SourceSiteOperations>,

    /// Provider specific settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_specific_details: Option<UnplannedFailoverProviderSpecificInput>,
}

polymorphic! {
    /// Provider specific unplanned failover input.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum UnplannedFailoverProviderSpecificInput {
        /// `instanceType: InMage` (InMageUnplannedFailoverInput).
        InMage(InMageUnplannedFailoverInput) = "InMage",
        /// `instanceType: InMageAzureV2` (InMageAzureV2UnplannedFailoverInput).
        InMageAzureV2(InMageAzureV2UnplannedFailoverInput) = "InMageAzureV2",
        /// `instanceType: InMageRcm` (InMageRcmUnplannedFailoverInput).
        InMageRcm(InMageRcmUnplannedFailoverInput) = "InMageRcm",
    }
}

/// Provider specific input for InMage unplanned failover.
///
/// Sent with `instanceType: InMage`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageUnplannedFailoverInput {
    /// The recovery point type. Values from LatestTime, LatestTag or Custom. In the case of custom,
    /// the recovery point provided by RecoveryPointId will be used. In the other two cases,
    /// recovery point id will be ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_type: Option<RecoveryPointType>,

    /// The recovery point id to be passed to failover to a particular recovery point. In case of
    /// latest recovery point, null should be passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_id: Option<String>,
}

/// InMageAzureV2 provider specific input for unplanned failover.
///
/// Sent with `instanceType: InMageAzureV2`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2UnplannedFailoverInput {
    /// The recovery point id to be passed to failover to a particular recovery point. In case of
    /// latest recovery point, null should be passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_id: Option<String>,

    /// A value indicating the inplace OS Upgrade version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_upgrade_version: Option<String>,
}

/// InMageRcm provider specific input for unplanned failover.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmUnplannedFailoverInput {
    /// A value indicating whether VM is to be shutdown. Required.
    pub perform_shutdown: String,

    /// The recovery point id to be passed to failover to a particular recovery point. In case of
    /// latest recovery point, null should be passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_id: Option<String>,

    /// A value indicating the inplace OS Upgrade version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_upgrade_version: Option<String>,

    /// The target capacity reservation group ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_capacity_reservation_group_id: Option<String>,
}

/// Input definition for planned failover.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedFailoverInput {
    /// Planned failover input properties.
    #[serde(default)]
    pub properties: PlannedFailoverInputProperties,
}

/// Input definition for planned failover input properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedFailoverInputProperties {
    /// Failover direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_direction: Option<FailoverDirection>,

    /// Provider specific settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_specific_details: Option<PlannedFailoverProviderSpecificFailoverInput>,
}

polymorphic! {
    /// Provider specific failover input.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum PlannedFailoverProviderSpecificFailoverInput {
        /// `instanceType: InMageRcmFailback` (InMageRcmFailbackPlannedFailoverProviderInput).
        InMageRcmFailback(InMageRcmFailbackPlannedFailoverProviderInput) = "InMageRcmFailback",
    }
}

/// Provider specific input for InMageRcmFailback failover.
///
/// Sent with `instanceType: InMageRcmFailback`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFailbackPlannedFailoverProviderInput {
    /// The recovery point type. Required.
    pub recovery_point_type: InMageRcmFailbackRecoveryPointType,
}

string_enum! {
    /// The recovery point type. Values from LatestTime, LatestTag or Custom. In the case of custom,
    /// the recovery point provided by RecoveryPointId will be used. In the other two cases,
    /// recovery point id will be ignored.
    pub enum RecoveryPointType {
        /// `LatestTime`.
        LatestTime = "LatestTime",
        /// `LatestTag`.
        LatestTag = "LatestTag",
        /// `Custom`.
        Custom = "Custom",
    }
}

/// The recovery point type.
///
/// The spec defines `RpInMageRecoveryPointType` with the same values as [`RecoveryPointType`].
pub type RpInMageRecoveryPointType = RecoveryPointType;

string_enum! {
    /// The recovery point type.
    pub enum InMageRcmFailbackRecoveryPointType {
        /// `ApplicationConsistent`.
        ApplicationConsistent = "ApplicationConsistent",
        /// `CrashConsistent`.
        CrashConsistent = "CrashConsistent",
    }
}
