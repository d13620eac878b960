//! The modernized fabrics (`instanceType: InMageRcm`, `VMwareV2`): the replication appliance with
//! its process servers, reprotect agents, replication agents, ….

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HealthError, ProtectionHealth};

/// InMageRcm fabric specific details.
///
/// Sent with `instanceType: InMageRcm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMageRcmFabricSpecificDetails {
    /// The ARM Id of the VMware site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vmware_site_id: Option<String>,

    /// The ARM Id of the physical site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_site_id: Option<String>,

    /// The service endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_endpoint: Option<String>,

    /// The service resource Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_resource_id: Option<String>,

    /// The service container Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_container_id: Option<String>,

    /// The data plane Uri.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_plane_uri: Option<String>,

    /// The control plane Uri.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_plane_uri: Option<String>,

    /// The source agent identity details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_agent_identity_details: Option<IdentityProviderDetails>,

    /// The list of process servers.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub process_servers: Vec<ProcessServerDetails>,

    /// The list of RCM proxies.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub rcm_proxies: Vec<RcmProxyDetails>,

    /// The list of push installers.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub push_installers: Vec<PushInstallerDetails>,

    /// The list of replication agents.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub replication_agents: Vec<ReplicationAgentDetails>,

    /// The list of reprotect agents.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub reprotect_agents: Vec<ReprotectAgentDetails>,

    /// The list of Mars agents.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub mars_agents: Vec<MarsAgentDetails>,

    /// The list of DRAs.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dras: Vec<DraDetails>,

    /// The list of agent details.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub agent_details: Vec<AgentDetails>,
}

/// VMwareV2 fabric specific details.
///
/// Sent with `instanceType: VMwareV2`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VMwareV2FabricSpecificDetails {
    /// The ARM Id of the VMware site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vmware_site_id: Option<String>,

    /// The ARM Id of the physical site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_site_id: Option<String>,

    /// The Migration solution ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration_solution_id: Option<String>,

    /// The service endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_endpoint: Option<String>,

    /// The service resource Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_resource_id: Option<String>,

    /// The service container Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_container_id: Option<String>,

    /// The list of process servers.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub process_servers: Vec<ProcessServerDetails>,
}

/// Process server details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessServerDetails {
    /// The process server Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The process server name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The process server Bios Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The fabric object Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_object_id: Option<String>,

    /// The process server Fqdn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,

    /// The list of IP addresses for communicating with the RCM component.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ip_addresses: Vec<String>,

    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The last heartbeat received from the process server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The total memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_memory_in_bytes: Option<i64>,

    /// The available memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_memory_in_bytes: Option<i64>,

    /// The used memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_memory_in_bytes: Option<i64>,

    /// The memory usage percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_usage_percentage: Option<f64>,

    /// The total disk space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_space_in_bytes: Option<i64>,

    /// The available disk space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_space_in_bytes: Option<i64>,

    /// The used disk space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_space_in_bytes: Option<i64>,

    /// The free disk space percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_space_percentage: Option<f64>,

    /// The uploading pending data in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_upload_pending_data_in_bytes: Option<i64>,

    /// The throughput in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_in_bytes: Option<i64>,

    /// The processor usage percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processor_usage_percentage: Option<f64>,

    /// The throughput status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_status: Option<RcmComponentStatus>,

    /// The system load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_load: Option<i64>,

    /// The system load status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_load_status: Option<RcmComponentStatus>,

    /// The disk usage status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_usage_status: Option<RcmComponentStatus>,

    /// The memory usage status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_usage_status: Option<RcmComponentStatus>,

    /// The processor usage status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processor_usage_status: Option<RcmComponentStatus>,

    /// The health of the process server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,

    /// The protected item count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_item_count: Option<i32>,

    /// The historic health of the process server based on the health in last 24 hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub historic_health: Option<ProtectionHealth>,
}

/// RCM proxy details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RcmProxyDetails {
    /// The RCM proxy Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The RCM proxy name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The RCM proxy Bios Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The fabric object Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_object_id: Option<String>,

    /// The RCM proxy Fqdn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,

    /// The client authentication type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_authentication_type: Option<String>,

    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The last heartbeat received from the RCM proxy.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The health of the RCM proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,
}

/// Push installer details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushInstallerDetails {
    /// The push installer Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The push installer name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The push installer Bios Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The fabric object Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_object_id: Option<String>,

    /// The push installer Fqdn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,

    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The last heartbeat received from the push installer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The health of the push installer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,
}

/// Replication agent details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationAgentDetails {
    /// The replication agent Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The replication agent name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The replication agent Bios Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The fabric object Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_object_id: Option<String>,

    /// The replication agent Fqdn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,

    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The last heartbeat received from the replication agent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The health of the replication agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,
}

/// Reprotect agent details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReprotectAgentDetails {
    /// The reprotect agent Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The reprotect agent name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The reprotect agent Bios Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The fabric object Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_object_id: Option<String>,

    /// The reprotect agent Fqdn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,

    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The last heartbeat received from the reprotect agent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The health of the reprotect agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,

    /// The protected item count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_item_count: Option<i32>,

    /// The list of accessible datastores fetched from discovery.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub accessible_datastores: Vec<String>,

    /// The Vcenter Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcenter_id: Option<String>,

    /// The last time when SDS information discovered in SRS.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_discovery_in_utc: Option<DateTime<Utc>>,
}

/// Mars agent details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarsAgentDetails {
    /// The Mars agent Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The Mars agent name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The Mars agent Bios Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The fabric object Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fabric_object_id: Option<String>,

    /// The Mars agent Fqdn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,

    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The last heartbeat received from the Mars agent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The health of the Mars agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,
}

/// DRA details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraDetails {
    /// The DRA Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,

    /// The DRA name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// The DRA Bios Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The last heartbeat received from the DRA.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_heartbeat_utc: Option<DateTime<Utc>>,

    /// The health.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<ProtectionHealth>,

    /// The health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,

    /// The count of protected items which are protected in forward direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_protected_item_count: Option<i32>,

    /// The count of protected items which are protected in reverse direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_protected_item_count: Option<i32>,
}

/// Agent details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentDetails {
    /// The Id of the agent running on the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,

    /// The Id of the machine to which the agent is registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,

    /// The machine BIOS Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bios_id: Option<String>,

    /// The machine FQDN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,

    /// The disks.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub disks: Vec<AgentDiskDetails>,
}

/// Agent disk details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentDiskDetails {
    /// The disk Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,

    /// The disk name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_name: Option<String>,

    /// A value indicating whether the disk is the OS disk.
    #[serde(rename = "isOSDisk", skip_serializing_if = "Option::is_none")]
    pub is_os_disk: Option<String>,

    /// The disk capacity in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_in_bytes: Option<i64>,

    /// The lun of disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lun_id: Option<i32>,
}

/// Identity provider details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityProviderDetails {
    /// The tenant Id for the service principal with which the on-premise management/data plane
    /// components would communicate with our Azure services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,

    /// The application/client Id for the service principal with which the on-premise
    /// management/data plane components would communicate with our Azure services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,

    /// The object Id of the service principal with which the on-premise management/data plane
    /// components would communicate with our Azure services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,

    /// The intended Audience of the service principal with which the on-premise management/data
    /// plane components would communicate with our Azure services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,

    /// The base authority for Azure Active Directory authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aad_authority: Option<String>,
}

string_enum! {
    /// The throughput status.
    pub enum RcmComponentStatus {
        /// `Healthy`.
        Healthy = "Healthy",
        /// `Warning`.
        Warning = "Warning",
        /// `Critical`.
        Critical = "Critical",
        /// `Unknown`.
        Unknown = "Unknown",
    }
}
