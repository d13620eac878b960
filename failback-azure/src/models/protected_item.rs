//! Replication protected items (`replicationProtectedItems`): state, direction, health and the
//! provider-specific details (polymorphic on `instanceType`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    HealthError, InMageAzureV2ReplicationDetails, InMageRcmFailbackReplicationDetails,
    InMageRcmReplicationDetails, InMageReplicationDetails, Page, ProtectionHealth,
    ReplicationProtectedItemOperation, Resource,
};

/// Replication protected item.
pub type ReplicationProtectedItem = Resource<ReplicationProtectedItemProperties>;

/// Replication protected item collection.
pub type ReplicationProtectedItemCollection = Page<ReplicationProtectedItem>;

/// Replication protected item custom data details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationProtectedItemProperties {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,

    /// The type of protected item type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_item_type: Option<String>,

    /// The protected item ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protectable_item_id: Option<String>,

    /// The recovery provider ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_services_provider_id: Option<String>,

    /// The friendly name of the primary fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_fabric_friendly_name: Option<String>,

    /// The fabric provider of the primary fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_fabric_provider: Option<String>,

    /// The friendly name of recovery fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_fabric_friendly_name: Option<String>,

    /// The Arm Id of recovery fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_fabric_id: Option<String>,

    /// The name of primary protection container friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_protection_container_friendly_name: Option<String>,

    /// The name of recovery container friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_protection_container_friendly_name: Option<String>,

    /// The protection status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection_state: Option<String>,

    /// The protection state description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection_state_description: Option<String>,

    /// The Current active location of the PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_location: Option<String>,

    /// The Test failover state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_failover_state: Option<String>,

    /// The Test failover state description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_failover_state_description: Option<String>,

    /// The switch provider state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch_provider_state: Option<String>,

    /// The switch provider state description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch_provider_state_description: Option<String>,

    /// The allowed operations on the Replication protected item.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_operations: Vec<ReplicationProtectedItemOperation>,

    /// The consolidated protection health for the VM taking any issues with SRS as well as all the
    /// replication units associated with the VM's replication group into account. This is a string
    /// representation of the ProtectionHealth enumeration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_health: Option<ProtectionHealth>,

    /// The consolidated failover health for the VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_health: Option<String>,

    /// List of health errors.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub health_errors: Vec<HealthError>,

    /// The ID of Policy governing this PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,

    /// The name of Policy governing this PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_friendly_name: Option<String>,

    /// The Last successful failover time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_successful_failover_time: Option<DateTime<Utc>>,

    /// The Last successful test failover time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub last_successful_test_failover_time: Option<DateTime<Utc>>,

    /// The current scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_scenario: Option<CurrentScenarioDetails>,

    /// The recovery point ARM Id to which the Vm was failed over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_recovery_point_id: Option<String>,

    /// The Replication provider custom settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_specific_details: Option<ReplicationProviderSpecificSettings>,

    /// The recovery container Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_container_id: Option<String>,

    /// The correlation Id for events associated with this protected item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_correlation_id: Option<String>,
}

/// Current scenario details of the protected entity.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentScenarioDetails {
    /// Scenario name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_name: Option<String>,

    /// ARM Id of the job being executed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,

    /// Start time of the workflow.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::models::date_time::option"
    )]
    pub start_time: Option<DateTime<Utc>>,
}

polymorphic! {
    /// Replication provider specific settings.
    ///
    /// Polymorphic on `instanceType`; unknown instance types are kept in `Other`.
    pub enum ReplicationProviderSpecificSettings {
        /// Classic, protected from Azure back to VMware.
        InMage(InMageReplicationDetails) = "InMage",
        /// Classic, protected from VMware to Azure.
        InMageAzureV2(InMageAzureV2ReplicationDetails) = "InMageAzureV2",
        /// Modernized, protected from VMware to Azure.
        InMageRcm(InMageRcmReplicationDetails) = "InMageRcm",
        /// Modernized, protected from Azure back to VMware.
        InMageRcmFailback(InMageRcmFailbackReplicationDetails) = "InMageRcmFailback",
    }
}

/// Hyper V VM network details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VMNicDetails {
    /// The nic Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nic_id: Option<String>,

    /// The replica nic Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_nic_id: Option<String>,

    /// The source nic ARM Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_nic_arm_id: Option<String>,

    /// VM network name.
    #[serde(rename = "vMNetworkName", skip_serializing_if = "Option::is_none")]
    pub vm_network_name: Option<String>,

    /// Recovery VM network Id.
    #[serde(
        rename = "recoveryVMNetworkId",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_vm_network_id: Option<String>,

    /// The IP configurations of the NIC.
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ip_configs: Vec<IPConfigDetails>,

    /// Selection type for failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_type: Option<String>,

    /// The id of the NSG associated with the NIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_network_security_group_id: Option<String>,

    /// A value indicating whether the NIC has accelerated networking enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_accelerated_networking_on_recovery: Option<bool>,

    /// The network to be used by NIC during test failover.
    #[serde(rename = "tfoVMNetworkId", skip_serializing_if = "Option::is_none")]
    pub tfo_vm_network_id: Option<String>,

    /// The NSG to be used by NIC during test failover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tfo_network_security_group_id: Option<String>,

    /// Whether the TFO NIC has accelerated networking enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_accelerated_networking_on_tfo: Option<bool>,

    /// The name of the NIC to be used when creating target NICs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_nic_name: Option<String>,

    /// The resource group of the NIC to be used when creating target NICs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_nic_resource_group_name: Option<String>,

    /// A value indicating whether an existing NIC is allowed to be reused during failover subject
    /// to availability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reuse_existing_nic: Option<bool>,

    /// The name of the NIC to be used when creating target NICs in TFO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tfo_recovery_nic_name: Option<String>,

    /// The resource group of the NIC to be used when creating target NICs in TFO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tfo_recovery_nic_resource_group_name: Option<String>,

    /// A value indicating whether an existing NIC is allowed to be reused during test failover
    /// subject to availability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tfo_reuse_existing_nic: Option<bool>,

    /// Target NIC name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_nic_name: Option<String>,
}

/// An IP configuration of a NIC (the spec gives no descriptions for this definition).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IPConfigDetails {
    /// The name of the IP configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// Whether this is the primary IP configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_primary: Option<bool>,

    /// The subnet name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_name: Option<String>,

    /// The static IP address.
    #[serde(rename = "staticIPAddress", skip_serializing_if = "Option::is_none")]
    pub static_ip_address: Option<String>,

    /// The IP address type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<String>,

    /// Whether the IP configuration is selected for failover (spec spelling
    /// `isSeletedForFailover`).
    #[serde(
        rename = "isSeletedForFailover",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_selected_for_failover: Option<bool>,

    /// The recovery subnet name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_subnet_name: Option<String>,

    /// The recovery static IP address.
    #[serde(
        rename = "recoveryStaticIPAddress",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_static_ip_address: Option<String>,

    /// The recovery IP address type.
    #[serde(
        rename = "recoveryIPAddressType",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_ip_address_type: Option<String>,

    /// The recovery public IP address ARM id.
    #[serde(
        rename = "recoveryPublicIPAddressId",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_public_ip_address_id: Option<String>,

    /// The recovery load balancer backend address pool ids.
    #[serde(
        rename = "recoveryLBBackendAddressPoolIds",
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub recovery_lb_backend_address_pool_ids: Vec<String>,

    /// The test failover subnet name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tfo_subnet_name: Option<String>,

    /// The test failover static IP address.
    #[serde(rename = "tfoStaticIPAddress", skip_serializing_if = "Option::is_none")]
    pub tfo_static_ip_address: Option<String>,

    /// The test failover public IP address ARM id.
    #[serde(
        rename = "tfoPublicIPAddressId",
        skip_serializing_if = "Option::is_none"
    )]
    pub tfo_public_ip_address_id: Option<String>,

    /// The test failover load balancer backend address pool ids.
    #[serde(
        rename = "tfoLBBackendAddressPoolIds",
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tfo_lb_backend_address_pool_ids: Vec<String>,
}
