//! Jobs (`replicationJobs`): the long-running operations, their tasks and errors.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Page, Resource};

/// Job details.
pub type Job = Resource<JobProperties>;

/// Collection of jobs.
pub type JobCollection = Page<Job>;

/// Job custom data details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProperties {
    /// The activity id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,

    /// The ScenarioName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_name: Option<String>,

    /// The DisplayName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The status of the Job. It is one of these values - NotStarted, InProgress, Succeeded,
    /// Failed, Cancelled, Suspended or Other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<JobState>,

    /// The description of the state of the Job. For e.g. - For Succeeded state, description can be
    /// Completed, PartiallySucceeded, CompletedWithInformation or Skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_description: Option<JobStateDescription>,

    /// The tasks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tasks: Vec<ASRTask>,

    /// The errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<JobErrorDetails>,

    /// The start time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub start_time: Option<DateTime<Utc>>,

    /// The end time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub end_time: Option<DateTime<Utc>>,

    /// The Allowed action the job.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_actions: Vec<String>,

    /// The affected Object Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_object_id: Option<String>,

    /// The name of the affected object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_object_name: Option<String>,

    /// The type of the affected object which is of
    /// `Microsoft.Azure.SiteRecovery.V2015_11_10.AffectedObjectType` class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_instance_type: Option<String>,

    /// The custom job details like test failover job details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_details: Option<JobDetails>,
}

/// Task of the Job.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ASRTask {
    /// The Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,

    /// The unique Task name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The start time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub start_time: Option<DateTime<Utc>>,

    /// The end time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub end_time: Option<DateTime<Utc>>,

    /// The state/actions applicable on this task.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_actions: Vec<String>,

    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The State. It is one of these values - NotStarted, InProgress, Succeeded, Failed, Cancelled,
    /// Suspended or Other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<JobState>,

    /// The description of the task state. For example - For Succeeded state, description can be
    /// Completed, PartiallySucceeded, CompletedWithInformation or Skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_description: Option<JobStateDescription>,

    /// The type of task. Details in CustomDetails property depend on this type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_type: Option<String>,

    /// The custom task details based on the task type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_details: Option<TaskTypeDetails>,

    /// The custom task details based on the task type, if the task type is GroupTaskDetails or one
    /// of the types derived from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_task_custom_details: Option<GroupTaskDetails>,

    /// The task error details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<JobErrorDetails>,
}

polymorphic! {
    /// Task details based on specific task type.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum TaskTypeDetails {
        /// `instanceType: JobTaskDetails` (JobTaskDetails).
        JobTaskDetails(JobTaskDetails) = "JobTaskDetails",
        /// `instanceType: ManualActionTaskDetails` (ManualActionTaskDetails).
        ManualActionTaskDetails(ManualActionTaskDetails) = "ManualActionTaskDetails",
    }
}

/// This class represents a task which is actually a workflow so that one can navigate to its
/// individual drill down.
///
/// Sent with `instanceType: JobTaskDetails`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTaskDetails {
    /// The job entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_task: Option<JobEntity>,
}

/// This class represents the manual action task details.
///
/// Sent with `instanceType: ManualActionTaskDetails`.
///
/// (Definition `ManualActionTaskDetails` is not in the excerpt; shape from the full 2026-05-01
/// spec.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManualActionTaskDetails {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The instructions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,

    /// The observation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation: Option<String>,
}

/// This class contains the minimal job details required to navigate to the desired drill down.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobEntity {
    /// The job id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,

    /// The job display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_friendly_name: Option<String>,

    /// The object id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_object_id: Option<String>,

    /// The object name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_object_name: Option<String>,

    /// The workflow affected object type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_instance_type: Option<String>,

    /// The job name. Enum type ScenarioName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_scenario_name: Option<String>,
}

/// This class represents the group task details when parent child relationship exists in the drill
/// down.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupTaskDetails {
    /// The type of task details. Required.
    pub instance_type: String,

    /// The child tasks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub child_tasks: Vec<ASRTask>,
}

/// This class contains the error details per object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobErrorDetails {
    /// The Service error details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_error_details: Option<ServiceError>,

    /// The Provider error details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_error_details: Option<ProviderError>,

    /// Error level of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_level: Option<String>,

    /// The creation time of job error.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub creation_time: Option<DateTime<Utc>>,

    /// The Id of the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
}

/// ASR error model.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceError {
    /// Error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,

    /// Error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,

    /// Possible causes of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// Recommended action to resolve error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,

    /// Activity Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
}

/// This class contains the error details per object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderError {
    /// The Error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i32>,

    /// The Error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,

    /// The Provider error Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,

    /// The possible causes for the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// The recommended action to resolve the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,
}

polymorphic! {
    /// Job details based on specific job type.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum JobDetails {
        /// `instanceType: AsrJobDetails` (AsrJobDetails).
        AsrJobDetails(AsrJobDetails) = "AsrJobDetails",
        /// `instanceType: FailoverJobDetails` (FailoverJobDetails).
        FailoverJobDetails(FailoverJobDetails) = "FailoverJobDetails",
    }
}

/// This class represents job details based on specific job type.
///
/// Sent with `instanceType: AsrJobDetails`.
///
/// (Definition `AsrJobDetails` is not in the excerpt; shape from the full 2026-05-01 spec.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AsrJobDetails {
    /// The affected object properties like source server, source cloud, target server, target cloud
    /// etc. based on the workflow object details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub affected_object_details: BTreeMap<String, String>,
}

/// This class represents the details for a failover job.
///
/// Sent with `instanceType: FailoverJobDetails`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailoverJobDetails {
    /// The affected object properties like source server, source cloud, target server, target cloud
    /// etc. based on the workflow object details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub affected_object_details: BTreeMap<String, String>,

    /// The test VM details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub protected_item_details: Vec<FailoverReplicationProtectedItemDetails>,
}

/// Failover details for a replication protected item.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailoverReplicationProtectedItemDetails {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The test Vm name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_vm_name: Option<String>,

    /// The test Vm friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_vm_friendly_name: Option<String>,

    /// The network connection status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_connection_status: Option<String>,

    /// The network friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_friendly_name: Option<String>,

    /// The network subnet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,

    /// The recovery point Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_id: Option<String>,

    /// The recovery point time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub recovery_point_time: Option<DateTime<Utc>>,
}

string_enum! {
    /// The state of a job or task: the spec lists NotStarted, InProgress, Succeeded, Failed,
    /// Cancelled, Suspended or Other (a literal `Other` is kept as `Other("Other")`).
    ///
    /// (The spec types the property as a free string and lists these values in its description.)
    pub enum JobState {
        /// `NotStarted`.
        NotStarted = "NotStarted",
        /// `InProgress`.
        InProgress = "InProgress",
        /// `Succeeded`.
        Succeeded = "Succeeded",
        /// `Failed`.
        Failed = "Failed",
        /// `Cancelled`.
        Cancelled = "Cancelled",
        /// `Suspended`.
        Suspended = "Suspended",
    }
}

string_enum! {
    /// The description of a job or task state; for `Succeeded` the spec lists Completed,
    /// PartiallySucceeded, CompletedWithInformation or Skipped.
    ///
    /// (The spec types the property as a free string and lists these values in its description.)
    pub enum JobStateDescription {
        /// `Completed`.
        Completed = "Completed",
        /// `PartiallySucceeded`.
        PartiallySucceeded = "PartiallySucceeded",
        /// `CompletedWithInformation`.
        CompletedWithInformation = "CompletedWithInformation",
        /// `Skipped`.
        Skipped = "Skipped",
    }
}

impl JobState {
    /// Whether the state is final: `Succeeded`, `Failed` or `Cancelled`. `Suspended` (a job
    /// waiting, e.g. on a manual action), `NotStarted`, `InProgress` and any other value are
    /// not.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}
