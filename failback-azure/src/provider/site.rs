//! The vault's infrastructure as ASR lists it (fabrics with their servers, vCenters,
//! policies): what discovery reads and what a reprotect takes its defaults from.

use failback_core::{ErrorKind, Result};

use super::ids::{is_azure_vm_id, last_segment};
use crate::http::AsrClient;
use crate::models::{
    Fabric, FabricSpecificDetails, InMageRcmFabricSpecificDetails, MasterTargetServer, Policy,
    PolicyProviderSpecificDetails, ProcessServer, VCenter, VMwareDetails,
};

/// The vault's fabrics, vCenters and policies at one reading.
#[derive(Debug, Clone, Default)]
pub(crate) struct Site {
    /// `V/replicationFabrics`.
    pub fabrics: Vec<Fabric>,
    /// `V/replicationvCenters` (empty when the vault does not serve the listing).
    pub vcenters: Vec<VCenter>,
    /// `V/replicationPolicies`.
    pub policies: Vec<Policy>,
    /// The modernized appliance's log storage account, when a protected item showed one.
    pub log_storage_account: Option<String>,
}

/// The instance types of the policies, as the provider reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PolicyKind {
    /// `InMage`: classic failback.
    InMage,
    /// `InMageAzureV2`: classic forward.
    InMageAzureV2,
    /// `InMageRcm`: modernized forward.
    InMageRcm,
    /// `InMageRcmFailback`: modernized failback.
    InMageRcmFailback,
}

impl PolicyKind {
    pub(crate) fn of(p: &Policy) -> Option<PolicyKind> {
        Some(match p.properties.provider_specific_details.as_ref()? {
            PolicyProviderSpecificDetails::InMage(_) => PolicyKind::InMage,
            PolicyProviderSpecificDetails::InMageAzureV2(_) => PolicyKind::InMageAzureV2,
            PolicyProviderSpecificDetails::InMageRcm(_) => PolicyKind::InMageRcm,
            PolicyProviderSpecificDetails::InMageRcmFailback(_) => PolicyKind::InMageRcmFailback,
            _ => return None,
        })
    }
}

impl Site {
    /// Read the site: fabrics and policies (errors are errors), vCenters (a vault or a
    /// simulator that does not serve the listing gives none).
    pub(crate) async fn load(client: &AsrClient) -> Result<Site> {
        let fabrics = client.list(&client.vault("replicationFabrics")).await?;
        let policies = client.list(&client.vault("replicationPolicies")).await?;
        let vcenters = optional(client.list(&client.vault("replicationvCenters")).await)?;
        Ok(Site {
            fabrics,
            vcenters,
            policies,
            log_storage_account: None,
        })
    }

    /// The classic fabrics (`VMware`: configuration servers) with their details.
    pub(crate) fn classic(&self) -> impl Iterator<Item = (&Fabric, &VMwareDetails)> {
        self.fabrics
            .iter()
            .filter_map(|f| match &f.properties.custom_details {
                Some(FabricSpecificDetails::VMware(d)) => Some((f, d)),
                _ => None,
            })
    }

    /// The modernized fabrics (`InMageRcm`: replication appliances) with their details.
    pub(crate) fn modernized(
        &self,
    ) -> impl Iterator<Item = (&Fabric, &InMageRcmFabricSpecificDetails)> {
        self.fabrics
            .iter()
            .filter_map(|f| match &f.properties.custom_details {
                Some(FabricSpecificDetails::InMageRcm(d)) => Some((f, d)),
                _ => None,
            })
    }

    /// The classic master target `id`.
    pub(crate) fn master_target(&self, id: &str) -> Option<&MasterTargetServer> {
        self.classic()
            .flat_map(|(_, d)| &d.master_target_servers)
            .find(|m| m.id.as_deref() == Some(id))
    }

    /// The classic process servers, with whether each runs in Azure.
    pub(crate) fn classic_process_servers(&self) -> impl Iterator<Item = (&ProcessServer, bool)> {
        self.classic()
            .flat_map(|(_, d)| &d.process_servers)
            .map(|p| (p, p.host_id.as_deref().is_some_and(is_azure_vm_id)))
    }

    /// The first classic process server in Azure (the one a reprotect to on-premises
    /// sends through when the request names none).
    pub(crate) fn azure_process_server(&self) -> Option<&str> {
        self.classic_process_servers()
            .find(|(_, azure)| *azure)
            .and_then(|(p, _)| p.id.as_deref())
    }

    /// The first classic process server on-premises (the configuration server's own, for
    /// a reprotect back to Azure).
    pub(crate) fn onprem_process_server(&self) -> Option<&str> {
        self.classic_process_servers()
            .find(|(_, azure)| !*azure)
            .and_then(|(p, _)| p.id.as_deref())
    }

    /// The first process server of a replication appliance.
    pub(crate) fn appliance_process_server(&self) -> Option<&str> {
        self.modernized()
            .flat_map(|(_, d)| &d.process_servers)
            .find_map(|p| p.id.as_deref())
    }

    /// The one reprotect agent of the appliances, when there is exactly one.
    pub(crate) fn only_reprotect_agent(&self) -> Option<&str> {
        let mut agents = self
            .modernized()
            .flat_map(|(_, d)| &d.reprotect_agents)
            .filter_map(|a| a.id.as_deref());
        match (agents.next(), agents.next()) {
            (Some(a), None) => Some(a),
            _ => None,
        }
    }

    /// The ARM id of the first policy of `kind`.
    pub(crate) fn policy_of(&self, kind: PolicyKind) -> Option<&str> {
        self.policies
            .iter()
            .find(|p| PolicyKind::of(p) == Some(kind))
            .map(|p| p.id.as_str())
    }

    /// A policy as the request names it: an ARM id as given, a bare name as the ARM id
    /// of the vault's policy of that name (else as given).
    pub(crate) fn policy_id<'a>(&'a self, given: &'a str) -> &'a str {
        if given.starts_with('/') {
            return given;
        }
        self.policies
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(given))
            .map_or(given, |p| p.id.as_str())
    }

    /// The run-as account a classic reprotect sends: the one of the vCenter whose
    /// infrastructure id the item shows, else the one vCenter's, else the fabric's only
    /// run-as account; `None` when none of those decides.
    pub(crate) fn run_as_account(&self, vcenter_infrastructure_id: Option<&str>) -> Option<String> {
        if let Some(infra) = vcenter_infrastructure_id {
            let found = self.vcenters.iter().find(|v| {
                v.properties.infrastructure_id.as_deref() == Some(infra)
                    || v.name == infra
                    || last_segment(&v.id) == infra
            });
            if let Some(a) = found.and_then(|v| v.properties.run_as_account_id.clone()) {
                return Some(a);
            }
        }
        if let [only] = self.vcenters.as_slice() {
            if let Some(a) = &only.properties.run_as_account_id {
                return Some(a.clone());
            }
        }
        let mut accounts = self
            .classic()
            .flat_map(|(_, d)| &d.run_as_accounts)
            .filter_map(|a| a.account_id.clone());
        match (accounts.next(), accounts.next()) {
            (Some(a), None) => Some(a),
            _ => None,
        }
    }
}

/// A listing the vault may not serve: not found reads as empty.
pub(crate) fn optional<T>(r: Result<Vec<T>>) -> Result<Vec<T>> {
    match r {
        Err(e) if e.kind() == Some(ErrorKind::NotFound) => Ok(Vec::new()),
        other => other,
    }
}
