//! The ARM envelopes: a resource around its `properties`, and a page of a collection.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An ARM proxy resource (`ProxyResource` of ARM common-types v5) with the `properties` of
/// its ASR definition: `Resource<FabricProperties>` is the spec's `Fabric`.
///
/// `id` and `name` are always sent by the service; `type` is absent from some example
/// payloads (the jobs), so it is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<P> {
    /// The ARM id of the resource, e.g.
    /// `/Subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}/replicationFabrics/{fabric}`.
    pub id: String,
    /// The name of the resource (the last segment of its id).
    pub name: String,
    /// The type of the resource, e.g. `Microsoft.RecoveryServices/vaults/replicationFabrics`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The resource location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Creation and last-modification metadata (ARM `systemData`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_data: Option<SystemData>,
    /// The properties of the ASR definition (empty when the service sends none).
    #[serde(default)]
    pub properties: P,
}

/// One page of a collection: `{ "value": [...], "nextLink": "<uri>" }`.
///
/// The collection definitions of the spec (`FabricCollection`, `JobCollection`, …) all have
/// this shape; `nextLink` is absent on the last page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items on this page.
    pub value: Vec<T>,
    /// The link to the next page of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// Metadata of the creation and last modification of a resource (ARM `systemData`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemData {
    /// The identity that created the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The type of identity that created the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_type: Option<CreatedByType>,
    /// The timestamp of resource creation (UTC).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// The identity that last modified the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by: Option<String>,
    /// The type of identity that last modified the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by_type: Option<CreatedByType>,
    /// The timestamp of resource last modification (UTC).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_modified_at: Option<DateTime<Utc>>,
}

string_enum! {
    /// The type of identity that created or modified a resource (ARM common-types).
    pub enum CreatedByType {
        /// A user.
        User = "User",
        /// An application.
        Application = "Application",
        /// A managed identity.
        ManagedIdentity = "ManagedIdentity",
        /// A key.
        Key = "Key",
    }
}
