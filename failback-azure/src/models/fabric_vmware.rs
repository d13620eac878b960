//! The classic VMware fabric (`instanceType: VMware`): the configuration server with its process
//! servers, master targets (retention volumes, datastores) and run-as accounts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HealthError, NumberFieldError, NumericString, ProtectionHealth};

/// Store the fabric details specific to the VMware fabric.
///
/// Sent with `instanceType: VMware`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VMwareDetails {
    /// The list of Process Servers associated with the fabric.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub process_servers: Vec<ProcessServer>,

    /// The list of Master Target servers associated with the fabric.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub master_target_servers: Vec<MasterTargetServer>,

    /// The list of run as accounts created on the server.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub run_as_accounts: Vec<RunAsAccount>,

    /// The number of replication pairs configured in this CS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_pair_count: Option<NumericString>,

    /// The number of process servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_server_count: Option<NumericString>,

    /// The number of source and target servers configured to talk to this CS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_count: Option<NumericString>,

    /// The number of protected servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_servers: Option<NumericString>,

    /// The percentage of the system load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_load: Option<NumericString>,

    /// The system load status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_load_status: Option<String>,

    /// The percentage of the CPU load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_load: Option<NumericString>,

    /// The CPU load status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_load_status: Option<String>,

    /// The total memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_memory_in_bytes: Option<i64>,

    /// The available memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_memory_in_bytes: Option<i64>,

    /// The memory usage status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_usage_status: Option<String>,

    /// The total space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_space_in_bytes: Option<i64>,

    /// The available space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_space_in_bytes: Option<i64>,

    /// The space usage status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space_usage_status: Option<String>,

    /// The web load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_load: Option<NumericString>,

    /// The web load status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_load_status: Option<String>,

    /// The database server load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_server_load: Option<NumericString>,

    /// The database server load status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_server_load_status: Option<String>,

    /// The CS service status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cs_service_status: Option<String>,

    /// The IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,

    /// The agent Version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,

    /// The host name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,

    /// The last heartbeat received from CS server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat: Option<DateTime<Utc>>,

    /// Version status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_status: Option<String>,

    /// CS SSL cert expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub ssl_cert_expiry_date: Option<DateTime<Utc>>,

    /// CS SSL cert expiry date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_cert_expiry_remaining_days: Option<i32>,

    /// PS template version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ps_template_version: Option<String>,

    /// Agent expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub agent_expiry_date: Option<DateTime<Utc>>,

    /// The agent version details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version_details: Option<VersionDetails>,

    /// The switch provider blocking error information.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub switch_provider_blocking_error_details: Vec<InMageFabricSwitchProviderBlockingErrorDetails>,
}

impl VMwareDetails {
    /// The number of replication pairs of this configuration server, parsed from
    /// `replicationPairCount`. `Ok(None)` when absent; an error names the field and the value.
    pub fn parse_replication_pair_count(&self) -> Result<Option<u64>, NumberFieldError> {
        NumericString::parse_opt(
            self.replication_pair_count.as_ref(),
            "VMwareDetails.replicationPairCount",
        )
    }

    /// The number of process servers, parsed from `processServerCount`. `Ok(None)` when absent; an
    /// error names the field and the value.
    pub fn parse_process_server_count(&self) -> Result<Option<u64>, NumberFieldError> {
        NumericString::parse_opt(
            self.process_server_count.as_ref(),
            "VMwareDetails.processServerCount",
        )
    }

    /// The number of source and target servers talking to this configuration server, parsed from
    /// `agentCount`. `Ok(None)` when absent; an error names the field and the value.
    pub fn parse_agent_count(&self) -> Result<Option<u64>, NumberFieldError> {
        NumericString::parse_opt(self.agent_count.as_ref(), "VMwareDetails.agentCount")
    }

    /// The number of protected servers, parsed from `protectedServers`. `Ok(None)` when absent; an
    /// error names the field and the value.
    pub fn parse_protected_servers(&self) -> Result<Option<u64>, NumberFieldError> {
        NumericString::parse_opt(
            self.protected_servers.as_ref(),
            "VMwareDetails.protectedServers",
        )
    }

    /// The system load in percent, parsed from `systemLoad`. `Ok(None)` when absent; an error names
    /// the field and the value.
    pub fn system_load_percent(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(self.system_load.as_ref(), "VMwareDetails.systemLoad")
    }

    /// The CPU load in percent, parsed from `cpuLoad`. `Ok(None)` when absent; an error names the
    /// field and the value.
    pub fn cpu_load_percent(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(self.cpu_load.as_ref(), "VMwareDetails.cpuLoad")
    }

    /// The web load, parsed from `webLoad`. `Ok(None)` when absent; an error names the field and
    /// the value.
    pub fn parse_web_load(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(self.web_load.as_ref(), "VMwareDetails.webLoad")
    }

    /// The database server load, parsed from `databaseServerLoad`. `Ok(None)` when absent; an error
    /// names the field and the value.
    pub fn parse_database_server_load(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(
            self.database_server_load.as_ref(),
            "VMwareDetails.databaseServerLoad",
        )
    }
}

/// Details of the Process Server.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessServer {
    /// The Process Server's friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The Process Server Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The IP address of the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,

    /// The OS type of the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,

    /// The version of the scout component on the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,

    /// The last heartbeat received from the server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat: Option<DateTime<Utc>>,

    /// Version status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_status: Option<String>,

    /// The list of the mobility service updates available on the Process Server.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub mobility_service_updates: Vec<MobilityServiceUpdate>,

    /// The agent generated Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_id: Option<String>,

    /// The servers configured with this PS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_count: Option<NumericString>,

    /// The number of replication pairs configured in this PS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_pair_count: Option<NumericString>,

    /// The percentage of the system load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_load: Option<NumericString>,

    /// The system load status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_load_status: Option<String>,

    /// The percentage of the CPU load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_load: Option<NumericString>,

    /// The CPU load status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_load_status: Option<String>,

    /// The total memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_memory_in_bytes: Option<i64>,

    /// The available memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_memory_in_bytes: Option<i64>,

    /// The memory usage status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_usage_status: Option<String>,

    /// The total space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_space_in_bytes: Option<i64>,

    /// The available space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_space_in_bytes: Option<i64>,

    /// The space usage status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space_usage_status: Option<String>,

    /// The PS service status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ps_service_status: Option<String>,

    /// The PS SSL cert expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub ssl_cert_expiry_date: Option<DateTime<Utc>>,

    /// CS SSL cert expiry date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_cert_expiry_remaining_days: Option<i32>,

    /// OS Version of the process server. Note: This will get populated if user has CS version
    /// greater than 9.12.0.0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,

    /// Health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,

    /// Agent expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub agent_expiry_date: Option<DateTime<Utc>>,

    /// The agent version details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version_details: Option<VersionDetails>,

    /// The health of Process Server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The process server stats refresh time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub ps_stats_refresh_time: Option<DateTime<Utc>>,

    /// The uploading pending data in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_upload_pending_data_in_bytes: Option<i64>,

    /// The throughput in MBps.
    #[serde(rename = "throughputInMBps", skip_serializing_if = "Option::is_none")]
    pub throughput_in_mbps: Option<i64>,

    /// The throughput in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_in_bytes: Option<i64>,

    /// The throughput status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_status: Option<String>,

    /// The MARS communication status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mars_communication_status: Option<String>,

    /// The MARS registration status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mars_registration_status: Option<String>,
}

impl ProcessServer {
    /// The number of servers configured with this process server, parsed from `machineCount`.
    /// `Ok(None)` when absent; an error names the field and the value.
    pub fn parse_machine_count(&self) -> Result<Option<u64>, NumberFieldError> {
        NumericString::parse_opt(self.machine_count.as_ref(), "ProcessServer.machineCount")
    }

    /// The number of replication pairs of this process server, parsed from `replicationPairCount`.
    /// `Ok(None)` when absent; an error names the field and the value.
    pub fn parse_replication_pair_count(&self) -> Result<Option<u64>, NumberFieldError> {
        NumericString::parse_opt(
            self.replication_pair_count.as_ref(),
            "ProcessServer.replicationPairCount",
        )
    }

    /// The system load in percent, parsed from `systemLoad`. `Ok(None)` when absent; an error names
    /// the field and the value.
    pub fn system_load_percent(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(self.system_load.as_ref(), "ProcessServer.systemLoad")
    }

    /// The CPU load in percent, parsed from `cpuLoad`. `Ok(None)` when absent; an error names the
    /// field and the value.
    pub fn cpu_load_percent(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(self.cpu_load.as_ref(), "ProcessServer.cpuLoad")
    }
}

/// Details of a Master Target Server.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MasterTargetServer {
    /// The server Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The IP address of the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,

    /// The server name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The OS type of the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,

    /// The version of the scout component on the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,

    /// The last heartbeat received from the server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat: Option<DateTime<Utc>>,

    /// Version status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_status: Option<String>,

    /// The retention volumes of Master target Server.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub retention_volumes: Vec<RetentionVolume>,

    /// The list of data stores in the fabric.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub data_stores: Vec<DataStore>,

    /// Validation errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub validation_errors: Vec<HealthError>,

    /// Health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,

    /// Disk count of the master target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_count: Option<i32>,

    /// OS Version of the master target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,

    /// Agent expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub agent_expiry_date: Option<DateTime<Utc>>,

    /// MARS agent version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mars_agent_version: Option<String>,

    /// MARS agent expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub mars_agent_expiry_date: Option<DateTime<Utc>>,

    /// Agent version details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version_details: Option<VersionDetails>,

    /// Mars agent version details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mars_agent_version_details: Option<VersionDetails>,
}

/// The retention details of the MT.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionVolume {
    /// The volume name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,

    /// The volume capacity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_in_bytes: Option<i64>,

    /// The free space available in this volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_space_in_bytes: Option<i64>,

    /// The threshold percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_percentage: Option<i32>,
}

/// The datastore details of the MT.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataStore {
    /// The symbolic name of data store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbolic_name: Option<String>,

    /// The uuid of data store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,

    /// The capacity of data store in GBs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<NumericString>,

    /// The free space of data store in GBs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_space: Option<NumericString>,

    /// The type of data store.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub store_type: Option<String>,
}

impl DataStore {
    /// The capacity of the data store in GB, parsed from `capacity`. `Ok(None)` when absent; an
    /// error names the field and the value.
    pub fn capacity_gb(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(self.capacity.as_ref(), "DataStore.capacity")
    }

    /// The free space of the data store in GB, parsed from `freeSpace`. `Ok(None)` when absent; an
    /// error names the field and the value.
    pub fn free_space_gb(&self) -> Result<Option<f64>, NumberFieldError> {
        NumericString::parse_opt(self.free_space.as_ref(), "DataStore.freeSpace")
    }
}

/// CS Accounts Details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunAsAccount {
    /// The CS RunAs account Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,

    /// The CS RunAs account name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
}

/// The Mobility Service update details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MobilityServiceUpdate {
    /// The version of the latest update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The reboot status of the update - whether it is required or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reboot_status: Option<String>,

    /// The OS type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
}

/// Version related details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionDetails {
    /// The agent version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// Version expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub expiry_date: Option<DateTime<Utc>>,

    /// A value indicating whether security update required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentVersionStatus>,
}

string_enum! {
    /// A value indicating whether security update required.
    pub enum AgentVersionStatus {
        /// `Supported`.
        Supported = "Supported",
        /// `NotSupported`.
        NotSupported = "NotSupported",
        /// `Deprecated`.
        Deprecated = "Deprecated",
        /// `UpdateRequired`.
        UpdateRequired = "UpdateRequired",
        /// `SecurityUpdateRequired`.
        SecurityUpdateRequired = "SecurityUpdateRequired",
    }
}

/// InMageFabric switch provider blocking error details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageFabricSwitchProviderBlockingErrorDetails {
    /// The error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,

    /// The error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,

    /// The possible causes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_causes: Option<String>,

    /// The recommended action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,

    /// The error message parameters.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_message_parameters: BTreeMap<String, String>,

    /// The error tags.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_tags: BTreeMap<String, String>,
}
