//! The Azure VM as Microsoft.Compute shows it (`GET {vm}?$expand=instanceView`): only
//! what failback reads, its power state and agent status. Not part of the ASR spec: the
//! adapter reads the VM an item failed over to, by the id its protected item records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Resource;

/// The api-version of the Compute reads (`virtualMachines`).
pub const COMPUTE_API_VERSION: &str = "2024-07-01";

/// An Azure VM (`Microsoft.Compute/virtualMachines`).
pub type VirtualMachine = Resource<VirtualMachineProperties>;

/// The properties of an Azure VM that failback reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualMachineProperties {
    /// The VM's unique id (a GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_id: Option<String>,
    /// The provisioning state (`Succeeded`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// The instance view, when asked with `$expand=instanceView`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_view: Option<VirtualMachineInstanceView>,
}

/// The instance view of an Azure VM.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualMachineInstanceView {
    /// The statuses: `ProvisioningState/…` and `PowerState/…` (`running`, `stopped`,
    /// `deallocated`, `starting`, …).
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub statuses: Vec<InstanceViewStatus>,
    /// The Azure VM agent's view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_agent: Option<VirtualMachineAgentInstanceView>,
}

/// The Azure VM agent's instance view.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualMachineAgentInstanceView {
    /// The agent's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_agent_version: Option<String>,
    /// Its statuses (`ProvisioningState/succeeded`, display status `Ready`).
    #[serde(
        default,
        deserialize_with = "crate::models::nullable::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub statuses: Vec<InstanceViewStatus>,
}

/// One status of an instance view.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceViewStatus {
    /// The status code (`PowerState/running`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The level (`Info`, `Warning`, `Error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The short text (`VM running`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_status: Option<String>,
    /// The detailed message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the status was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<DateTime<Utc>>,
}

impl VirtualMachineInstanceView {
    /// The power state: the part after `PowerState/` of its status (`running`), if any.
    pub fn power_state(&self) -> Option<&str> {
        self.statuses.iter().find_map(|s| {
            let code = s.code.as_deref()?;
            let (kind, value) = code.split_once('/')?;
            kind.eq_ignore_ascii_case("PowerState").then_some(value)
        })
    }
}
