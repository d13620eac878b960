//! vCenters registered in a fabric (`replicationvCenters`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HealthError, NumberFieldError, NumericString, Page, Resource};

/// vCenter definition.
pub type VCenter = Resource<VCenterProperties>;

/// Collection of vCenter details.
pub type VCenterCollection = Page<VCenter>;

/// vCenter properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VCenterProperties {
    /// Friendly name of the vCenter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// VCenter internal ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_id: Option<String>,

    /// The time when the last heartbeat was received by vCenter.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat: Option<DateTime<Utc>>,

    /// The VCenter discovery status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_status: Option<String>,

    /// The process server Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_server_id: Option<String>,

    /// The IP address of the vCenter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,

    /// The infrastructure Id of vCenter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure_id: Option<String>,

    /// The port number for discovery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<NumericString>,

    /// The account Id which has privileges to discover the vCenter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_account_id: Option<String>,

    /// The ARM resource name of the fabric containing this VCenter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_arm_resource_name: Option<String>,

    /// The health errors for this VCenter.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,
}

impl VCenterProperties {
    /// The discovery port, parsed from `port`. `Ok(None)` when absent; an error names the field and
    /// the value.
    pub fn port_number(&self) -> Result<Option<u16>, NumberFieldError> {
        NumericString::parse_opt(self.port.as_ref(), "VCenterProperties.port")
    }
}
