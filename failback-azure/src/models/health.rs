//! Health errors, used by every resource.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Health Error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthError {
    /// The inner health errors. HealthError having a list of HealthError as child errors is
    /// problematic. InnerHealthError is used because this will prevent an infinite loop of
    /// structures when Hydra tries to auto-generate the contract. We are exposing the related
    /// health errors as inner health errors and all API consumers can utilize this in the same
    /// fashion as Exception -&gt; InnerException.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub inner_health_errors: Vec<InnerHealthError>,

    /// Source of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_source: Option<String>,

    /// Type of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,

    /// Level of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_level: Option<String>,

    /// Category of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_category: Option<String>,

    /// Error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,

    /// Summary message of the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_message: Option<String>,

    /// Error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,

    /// Possible causes of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// Recommended action to resolve error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,

    /// Error creation time (UTC).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub creation_time_utc: Option<DateTime<Utc>>,

    /// DRA error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_provider_error_message: Option<String>,

    /// ID of the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,

    /// The health error unique id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,

    /// Value indicating whether the health error is customer resolvable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_resolvability: Option<HealthErrorCustomerResolvability>,
}

/// Implements InnerHealthError class. HealthError object has a list of InnerHealthErrors as child
/// errors. InnerHealthError is used because this will prevent an infinite loop of structures when
/// Hydra tries to auto-generate the contract. We are exposing the related health errors as inner
/// health errors and all API consumers can utilize this in the same fashion as Exception -&gt;
/// InnerException.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InnerHealthError {
    /// Source of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_source: Option<String>,

    /// Type of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,

    /// Level of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_level: Option<String>,

    /// Category of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_category: Option<String>,

    /// Error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,

    /// Summary message of the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_message: Option<String>,

    /// Error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,

    /// Possible causes of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// Recommended action to resolve error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,

    /// Error creation time (UTC).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub creation_time_utc: Option<DateTime<Utc>>,

    /// DRA error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_provider_error_message: Option<String>,

    /// ID of the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,

    /// The health error unique id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,

    /// Value indicating whether the health error is customer resolvable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_resolvability: Option<HealthErrorCustomerResolvability>,
}

string_enum! {
    /// Value indicating whether the health error is customer resolvable.
    pub enum HealthErrorCustomerResolvability {
        /// `Allowed`.
        Allowed = "Allowed",
        /// `NotAllowed`.
        NotAllowed = "NotAllowed",
    }
}
