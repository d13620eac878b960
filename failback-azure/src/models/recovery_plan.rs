//! Recovery plans (`replicationRecoveryPlans`): groups of items with their actions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    CurrentScenarioDetails, FailoverDeploymentModel, FailoverDirection, Page,
    ReplicationProtectedItemOperation, Resource,
};

/// Recovery plan details.
pub type RecoveryPlan = Resource<RecoveryPlanProperties>;

/// Recovery plan collection details.
pub type RecoveryPlanCollection = Page<RecoveryPlan>;

/// Recovery plan properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanProperties {
    /// The friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The primary fabric Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_fabric_id: Option<String>,

    /// The primary fabric friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_fabric_friendly_name: Option<String>,

    /// The recovery fabric Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_fabric_id: Option<String>,

    /// The recovery fabric friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_fabric_friendly_name: Option<String>,

    /// The failover deployment model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_deployment_model: Option<FailoverDeploymentModel>,

    /// The list of replication providers.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub replication_providers: Vec<String>,

    /// The list of allowed operations.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_operations: Vec<ReplicationProtectedItemOperation>,

    /// The start time of the last planned failover.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_planned_failover_time: Option<DateTime<Utc>>,

    /// The start time of the last unplanned failover.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_unplanned_failover_time: Option<DateTime<Utc>>,

    /// The start time of the last test failover.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_test_failover_time: Option<DateTime<Utc>>,

    /// The current scenario details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_scenario: Option<CurrentScenarioDetails>,

    /// The recovery plan status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_scenario_status: Option<String>,

    /// The recovery plan status description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_scenario_status_description: Option<String>,

    /// The recovery plan groups.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<RecoveryPlanGroup>,

    /// The provider id and provider specific details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub provider_specific_details: Vec<RecoveryPlanProviderSpecificDetails>,
}

/// Recovery plan group details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanGroup {
    /// The group type. Required.
    pub group_type: RecoveryPlanGroupType,

    /// The list of protected items.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub replication_protected_items: Vec<RecoveryPlanProtectedItem>,

    /// The start group actions.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub start_group_actions: Vec<RecoveryPlanAction>,

    /// The end group actions.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub end_group_actions: Vec<RecoveryPlanAction>,
}

string_enum! {
    /// The group type.
    pub enum RecoveryPlanGroupType {
        /// `Shutdown`.
        Shutdown = "Shutdown",
        /// `Boot`.
        Boot = "Boot",
        /// `Failover`.
        Failover = "Failover",
    }
}

/// Recovery plan protected item.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanProtectedItem {
    /// The ARM Id of the recovery plan protected item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The virtual machine Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_machine_id: Option<String>,
}

/// Recovery plan action details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanAction {
    /// The action name. Required.
    pub action_name: String,

    /// The list of failover types. Required.
    pub failover_types: Vec<ReplicationProtectedItemOperation>,

    /// The list of failover directions. Required.
    pub failover_directions: Vec<FailoverDirection>,

    /// The custom details. Required.
    pub custom_details: RecoveryPlanActionDetails,
}

polymorphic! {
    /// Recovery plan action custom details.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum RecoveryPlanActionDetails {
        /// `instanceType: AutomationRunbookActionDetails`
        /// (RecoveryPlanAutomationRunbookActionDetails).
        AutomationRunbookActionDetails(RecoveryPlanAutomationRunbookActionDetails) = "AutomationRunbookActionDetails",
        /// `instanceType: ManualActionDetails` (RecoveryPlanManualActionDetails).
        ManualActionDetails(RecoveryPlanManualActionDetails) = "ManualActionDetails",
        /// `instanceType: ScriptActionDetails` (RecoveryPlanScriptActionDetails).
        ScriptActionDetails(RecoveryPlanScriptActionDetails) = "ScriptActionDetails",
    }
}

/// Recovery plan manual action details.
///
/// Sent with `instanceType: ManualActionDetails`.
///
/// (Definition `RecoveryPlanManualActionDetails` is not in the excerpt; shape from the full
/// 2026-05-01 spec.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanManualActionDetails {
    /// The manual action description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Recovery plan script action details.
///
/// Sent with `instanceType: ScriptActionDetails`.
///
/// (Definition `RecoveryPlanScriptActionDetails` is not in the excerpt; shape from the full
/// 2026-05-01 spec.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanScriptActionDetails {
    /// The script path. Required.
    pub path: String,

    /// The script timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,

    /// The fabric location. Required.
    pub fabric_location: RecoveryPlanActionLocation,
}

/// Recovery plan Automation runbook action details.
///
/// Sent with `instanceType: AutomationRunbookActionDetails`.
///
/// (Definition `RecoveryPlanAutomationRunbookActionDetails` is not in the excerpt; shape from the
/// full 2026-05-01 spec.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlanAutomationRunbookActionDetails {
    /// The runbook ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook_id: Option<String>,

    /// The runbook timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,

    /// The fabric location. Required.
    pub fabric_location: RecoveryPlanActionLocation,
}

string_enum! {
    /// The fabric location of a recovery plan script or runbook action.
    ///
    /// (Definition `RecoveryPlanActionLocation` is not in the excerpt; shape from the full
    /// 2026-05-01 spec.)
    pub enum RecoveryPlanActionLocation {
        /// `Primary`.
        Primary = "Primary",
        /// `Recovery`.
        Recovery = "Recovery",
    }
}

polymorphic! {
    /// Recovery plan provider specific details.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum RecoveryPlanProviderSpecificDetails {
    }
}
