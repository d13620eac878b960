//! Recovery points of a protected item (`recoveryPoints`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Page, Resource};

/// Recovery point.
pub type RecoveryPoint = Resource<RecoveryPointProperties>;

/// Collection of recovery point details.
pub type RecoveryPointCollection = Page<RecoveryPoint>;

/// Recovery point properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPointProperties {
    /// The recovery point time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub recovery_point_time: Option<DateTime<Utc>>,

    /// The recovery point type: ApplicationConsistent, CrashConsistent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_type: Option<RecoveryPointKind>,

    /// The provider specific details for the recovery point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_specific_details: Option<ProviderSpecificRecoveryPointDetails>,
}

polymorphic! {
    /// Replication provider specific recovery point details.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum ProviderSpecificRecoveryPointDetails {
        /// `instanceType: InMageAzureV2` (InMageAzureV2RecoveryPointDetails).
        InMageAzureV2(InMageAzureV2RecoveryPointDetails) = "InMageAzureV2",
        /// `instanceType: InMageRcm` (InMageRcmRecoveryPointDetails).
        InMageRcm(InMageRcmRecoveryPointDetails) = "InMageRcm",
    }
}

/// InMage Azure V2 provider specific recovery point details.
///
/// Sent with `instanceType: InMageAzureV2`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageAzureV2RecoveryPointDetails {
    /// A value indicating whether the recovery point is multi VM consistent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_multi_vm_sync_point: Option<String>,
}

/// InMageRcm provider specific recovery point details.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmRecoveryPointDetails {
    /// A value indicating whether the recovery point is multi VM consistent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_multi_vm_sync_point: Option<String>,
}

string_enum! {
    /// The consistency of a recovery point (`RecoveryPointProperties.recoveryPointType`, whose
    /// description lists ApplicationConsistent, CrashConsistent).
    ///
    /// (The spec types the property as a free string and lists these values in its description.)
    pub enum RecoveryPointKind {
        /// `ApplicationConsistent`.
        ApplicationConsistent = "ApplicationConsistent",
        /// `CrashConsistent`.
        CrashConsistent = "CrashConsistent",
    }
}
