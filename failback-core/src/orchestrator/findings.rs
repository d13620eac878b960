//! What the run can see once an item is back on-prem: OPS-002 (a Linux VM without
//! NetworkManager) and OPS-003 (a static on-prem address that came back as DHCP, with the
//! address to restore).
//!
//! The plan does not carry the items' OS family or on-prem addresses, so they come from the
//! estate given to [`Orchestrator::with_estate`](super::Orchestrator::with_estate). Without
//! it, OPS-003 cannot be decided and is not reported, and OPS-002 is reported for any VM
//! whose guest lists its packages without NetworkManager (guests report packages for Linux).

use std::collections::HashMap;

use crate::estate::{Estate, OnPremAddress, OsFamily};
use crate::provider::VmRuntime;
use crate::rules::{Finding, RuleId, Subject};

#[derive(Debug, Clone)]
struct Facts {
    family: OsFamily,
    static_addresses: Vec<OnPremAddress>,
}

/// Per item, the facts of the estate the after-failback checks need.
#[derive(Debug, Clone, Default)]
pub(super) struct Knowledge {
    items: HashMap<String, Facts>,
    /// Disks attached to each master target before the run (EXT-004).
    attached: HashMap<String, u32>,
}

impl Knowledge {
    /// Take the items' OS family and static on-prem addresses from an estate.
    pub(super) fn from_estate(estate: &Estate) -> Self {
        Knowledge {
            items: estate
                .items
                .iter()
                .map(|it| {
                    (
                        it.id.clone(),
                        Facts {
                            family: it.os.family,
                            static_addresses: it
                                .on_prem_addresses
                                .iter()
                                .filter(|a| a.is_static)
                                .cloned()
                                .collect(),
                        },
                    )
                })
                .collect(),
            attached: estate
                .master_targets
                .iter()
                .map(|m| (m.id.clone(), m.attached_disks))
                .collect(),
        }
    }

    /// Disks attached to a master target before the run (0 when unknown).
    pub(super) fn attached(&self, mt: &str) -> u32 {
        self.attached.get(mt).copied().unwrap_or(0)
    }

    /// The findings for an item seen running on-prem.
    pub(super) fn findings(&self, item: &str, rt: &VmRuntime) -> Vec<Finding> {
        let facts = self.items.get(item);
        let subject = Subject::Item(item.to_string());
        let mut out = Vec::new();
        let linux_or_unknown = facts.is_none_or(|f| f.family == OsFamily::Linux);
        if let (true, Some(packages)) = (linux_or_unknown, &rt.packages) {
            if !packages
                .iter()
                .any(|p| p.eq_ignore_ascii_case("NetworkManager"))
            {
                out.push(Finding::new(
                    RuleId::Ops002,
                    subject.clone(),
                    format!("{item} came back without the NetworkManager package"),
                ));
            }
        }
        for addr in facts.iter().flat_map(|f| f.static_addresses.iter()) {
            let nic = rt
                .nics
                .iter()
                .find(|n| n.name == addr.nic)
                .or_else(|| rt.nics.iter().find(|n| n.dhcp));
            if let Some(nic) = nic.filter(|n| n.dhcp) {
                out.push(
                    Finding::new(
                        RuleId::Ops003,
                        subject.clone(),
                        format!(
                            "{item} had static address {} on NIC {} and came back with DHCP on NIC {}",
                            addr.address, addr.nic, nic.name
                        ),
                    )
                    .with_remediation(format!(
                        "set {} statically on NIC {} again",
                        addr.address, addr.nic
                    )),
                );
            }
        }
        out
    }
}
