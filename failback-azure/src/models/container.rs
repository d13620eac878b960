//! Protection containers (`replicationProtectionContainers`).

use serde::{Deserialize, Serialize};

use super::{Page, Resource};

/// Protection container details.
pub type ProtectionContainer = Resource<ProtectionContainerProperties>;

/// Protection Container collection.
pub type ProtectionContainerCollection = Page<ProtectionContainer>;

/// Protection profile custom data details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtectionContainerProperties {
    /// Fabric friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_friendly_name: Option<String>,

    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The fabric type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_type: Option<String>,

    /// Number of protected PEs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_item_count: Option<i32>,

    /// The pairing status of this cloud.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairing_status: Option<String>,

    /// The role of this cloud.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,

    /// Fabric specific details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_specific_details: Option<ProtectionContainerFabricSpecificDetails>,
}

/// Base class for fabric specific details of container.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtectionContainerFabricSpecificDetails {
    /// Gets the class type. Overridden in derived classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
}
