//! The Azure VM of an item: what its protected item records of it (the VM's id, the
//! resource group failover created it in, its network, NICs and the mobility agent's
//! heartbeat), and what Microsoft.Compute says of it now (whether it still exists there,
//! its power state), read by `docs/asr-mapping.md` ("The Azure VM").

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use failback_core::estate::{AzureVm, DeploymentModel, Nic};
use failback_core::{ErrorKind, Result};

use super::ids::{last_segment, segment_after};
use crate::http::AsrClient;
use crate::models::{
    self as m, ReplicationProtectedItem, ReplicationProviderSpecificSettings as P,
};

/// How recent the mobility agent's last heartbeat must be for the agent to count as
/// registered (EXT-008: registration can take up to 15 minutes after the VM boots).
pub(crate) const AGENT_HEARTBEAT: Duration = Duration::from_secs(15 * 60);

/// What a protected item records of its Azure VM.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recorded {
    /// The VM's ARM id, where failover created it.
    pub id: String,
    /// The resource group of that id.
    pub resource_group: String,
    /// The VM's virtual network (the last segment of its id), empty when not recorded.
    pub network: String,
    /// Its NICs.
    pub nics: Vec<Nic>,
    /// The mobility agent's last heartbeat.
    pub heartbeat: Option<DateTime<Utc>>,
}

fn address(s: Option<&str>) -> Option<IpAddr> {
    s.and_then(|a| a.trim().parse().ok())
}

/// `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Compute/virtualMachines/{name}`
/// from a resource group's id and a VM name.
fn vm_id(group_id: &str, name: &str) -> Option<String> {
    let sub = segment_after(group_id, "subscriptions")?;
    let group = segment_after(group_id, "resourceGroups")?;
    Some(format!(
        "/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}"
    ))
}

/// What `rpi` records of its Azure VM, when it names one: classic `InMageAzureV2`
/// (`targetVmId`, else `recoveryAzureResourceGroupId` + `recoveryAzureVMName`),
/// modernized `InMageRcm` (`targetResourceGroupId` + `targetVmName`), modernized
/// `InMageRcmFailback` (`azureVirtualMachineId`). A classic item reprotected toward
/// on-premises (`InMage`) names none.
pub(crate) fn recorded(rpi: &ReplicationProtectedItem) -> Option<Recorded> {
    let details = rpi.properties.provider_specific_details.as_ref()?;
    let (id, network, nics, heartbeat) = match details {
        P::InMageAzureV2(d) => {
            let id = d
                .target_vm_id
                .clone()
                .filter(|s| !s.is_empty())
                .or_else(|| {
                    vm_id(
                        d.recovery_azure_resource_group_id.as_deref()?,
                        d.recovery_azure_vm_name.as_deref()?,
                    )
                })?;
            let nics = d
                .vm_nics
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    let config = n.ip_configs.first();
                    let kind = config.and_then(|c| c.recovery_ip_address_type.as_deref());
                    Nic {
                        name: n
                            .recovery_nic_name
                            .clone()
                            .or_else(|| n.nic_id.clone())
                            .unwrap_or_else(|| format!("nic{k}")),
                        ip_address: address(
                            config.and_then(|c| c.recovery_static_ip_address.as_deref()),
                        ),
                        dhcp: !kind.is_some_and(|t| t.eq_ignore_ascii_case("Static")),
                    }
                })
                .collect();
            (
                id,
                d.selected_recovery_azure_network_id.clone(),
                nics,
                d.last_heartbeat,
            )
        }
        P::InMageRcm(d) => {
            let id = vm_id(
                d.target_resource_group_id.as_deref()?,
                d.target_vm_name.as_deref()?,
            )?;
            let nics = d
                .vm_nics
                .iter()
                .enumerate()
                .map(|(k, n)| Nic {
                    name: n
                        .target_nic_name
                        .clone()
                        .or_else(|| n.nic_id.clone())
                        .unwrap_or_else(|| format!("nic{k}")),
                    ip_address: address(n.target_ip_address.as_deref()),
                    dhcp: n.target_ip_address_type != Some(m::EthernetAddressType::Static),
                })
                .collect();
            (
                id,
                d.target_network_id.clone(),
                nics,
                d.mobility_agent_details
                    .as_ref()
                    .and_then(|a| a.last_heartbeat_utc),
            )
        }
        P::InMageRcmFailback(d) => (
            d.azure_virtual_machine_id
                .clone()
                .filter(|s| !s.is_empty())?,
            None,
            Vec::new(),
            d.mobility_agent_details
                .as_ref()
                .and_then(|a| a.last_heartbeat_utc),
        ),
        _ => return None,
    };
    Some(Recorded {
        resource_group: segment_after(&id, "resourceGroups")?.to_string(),
        network: network
            .as_deref()
            .map(|n| last_segment(n).to_string())
            .unwrap_or_default(),
        id,
        nics,
        heartbeat,
    })
}

/// The VM at `id` with its instance view; `None` when Compute does not know it there
/// (deleted, or moved to another resource group).
pub(crate) async fn read(client: &AsrClient, id: &str) -> Result<Option<m::VirtualMachine>> {
    let path = format!(
        "{id}?api-version={}&$expand=instanceView",
        m::COMPUTE_API_VERSION
    );
    match client.get::<m::VirtualMachine>(&path).await {
        Ok(vm) => Ok(Some(vm)),
        Err(e) if e.kind() == Some(ErrorKind::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The estate's Azure VM of an item from what its RPI records and what Compute said
/// (`None`: not found at the recorded id), at `now`.
///
/// - `deleted`: Compute does not know the VM at the id failover gave it (deleted, or
///   moved to another resource group: either ends failback, EXT-009);
/// - `running`: its power state is `running` (unknown without an instance view or a
///   power state);
/// - `agent_registered`: the mobility agent's last heartbeat is at most
///   [`AGENT_HEARTBEAT`] old (unknown when the item records none);
/// - the deployment model is Resource Manager (Compute's); packages stay unknown.
pub(crate) fn azure_vm(
    recorded: Recorded,
    found: Option<&m::VirtualMachine>,
    now: DateTime<Utc>,
) -> AzureVm {
    let running = found
        .and_then(|vm| vm.properties.instance_view.as_ref())
        .and_then(|v| v.power_state())
        .map(|p| p.eq_ignore_ascii_case("running"));
    let window = chrono::Duration::from_std(AGENT_HEARTBEAT).unwrap_or(chrono::TimeDelta::MAX);
    AzureVm {
        id: found.map_or(recorded.id.clone(), |vm| vm.id.clone()),
        deployment_model: DeploymentModel::ResourceManager,
        network: recorded.network,
        resource_group: found
            .and_then(|vm| segment_after(&vm.id, "resourceGroups"))
            .map_or(recorded.resource_group.clone(), str::to_string),
        original_resource_group: Some(recorded.resource_group),
        deleted: found.is_none(),
        running: if found.is_none() {
            Some(false)
        } else {
            running
        },
        agent_registered: recorded.heartbeat.map(|h| h + window >= now),
        booted_at: None,
        nics: recorded.nics,
        packages: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded_vm() -> Recorded {
        Recorded {
            id: "/subscriptions/s/resourceGroups/rg-dr/providers/Microsoft.Compute/virtualMachines/WEB01".into(),
            resource_group: "rg-dr".into(),
            network: "vnet-prod".into(),
            nics: Vec::new(),
            heartbeat: None,
        }
    }

    fn vm(power: &str) -> m::VirtualMachine {
        serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/rg-dr/providers/Microsoft.Compute/virtualMachines/WEB01",
            "name": "WEB01",
            "properties": {"instanceView": {"statuses": [
                {"code": "ProvisioningState/succeeded"},
                {"code": format!("PowerState/{power}")}
            ]}}
        }))
        .unwrap_or_default()
    }

    #[test]
    fn the_vm_runs_by_its_power_state_and_is_gone_when_not_found() {
        let now = Utc::now();
        let v = azure_vm(recorded_vm(), Some(&vm("running")), now);
        assert_eq!((v.running, v.deleted), (Some(true), false));
        assert_eq!(v.original_resource_group.as_deref(), Some("rg-dr"));
        let v = azure_vm(recorded_vm(), Some(&vm("deallocated")), now);
        assert_eq!(v.running, Some(false));
        let v = azure_vm(recorded_vm(), None, now);
        assert!(v.deleted);
        assert_eq!(v.agent_registered, None);
        let mut r = recorded_vm();
        r.heartbeat = Some(now - chrono::Duration::minutes(5));
        assert_eq!(azure_vm(r.clone(), None, now).agent_registered, Some(true));
        r.heartbeat = Some(now - chrono::Duration::minutes(16));
        assert_eq!(azure_vm(r, None, now).agent_registered, Some(false));
    }
}
