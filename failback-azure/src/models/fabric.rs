//! Fabrics (`replicationFabrics`): the sites, with the infrastructure that failback picks from in
//! `customDetails` (polymorphic on `instanceType`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    HealthError, InMageRcmFabricSpecificDetails, Page, Resource, VMwareDetails,
    VMwareV2FabricSpecificDetails,
};

/// Fabric definition.
pub type Fabric = Resource<FabricProperties>;

/// Collection of fabric details.
pub type FabricCollection = Page<Fabric>;

/// Fabric properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FabricProperties {
    /// Friendly name of the fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// Encryption details for the fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_details: Option<EncryptionDetails>,

    /// Rollover encryption details for the fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollover_encryption_details: Option<EncryptionDetails>,

    /// Dra Registration Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_identifier: Option<String>,

    /// BCDR state of the fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bcdr_state: Option<String>,

    /// Fabric specific settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_details: Option<FabricSpecificDetails>,

    /// Fabric health error details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_error_details: Vec<HealthError>,

    /// Health of fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
}

/// Encryption details for the fabric.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionDetails {
    /// The key encryption key state for the Vmm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kek_state: Option<String>,

    /// The key encryption key certificate thumbprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kek_cert_thumbprint: Option<String>,

    /// The key encryption key certificate expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub kek_cert_expiry_date: Option<DateTime<Utc>>,
}

polymorphic! {
    /// Fabric specific details.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum FabricSpecificDetails {
        /// The modernized replication appliance (`InMageRcmFabricSpecificDetails`).
        InMageRcm(InMageRcmFabricSpecificDetails) = "InMageRcm",
        /// The classic configuration server (`VMwareDetails`).
        VMware(VMwareDetails) = "VMware",
        /// A VMware site of Azure Migrate (`VMwareV2FabricSpecificDetails`).
        VMwareV2(VMwareV2FabricSpecificDetails) = "VMwareV2",
    }
}
