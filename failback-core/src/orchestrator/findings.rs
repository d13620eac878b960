//! What the run can see once an item is back on-prem: OPS-002 (a Linux VM without
//! NetworkManager) and OPS-003 (a static on-prem address that came back as DHCP, with the
//! address to restore).
//!
//! The facts come from the plan ([`ItemReport::guest`](crate::readiness::ItemReport::guest)),
//! taken from the estate when the plan was made: the run, and a resume, read nothing else.
//! For a plan without them (written before plans carried them), OPS-003 cannot be decided
//! and is not reported, and OPS-002 is reported for any VM whose guest lists its packages
//! without NetworkManager (guests report packages for Linux).

use std::collections::HashMap;

use crate::estate::OsFamily;
use crate::plan::Plan;
use crate::provider::VmRuntime;
use crate::readiness::GuestFacts;
use crate::rules::{Finding, RuleId, Subject};

/// Per item of the plan, the guest facts the after-failback checks need.
#[derive(Debug, Clone, Default)]
pub(super) struct Knowledge {
    items: HashMap<String, GuestFacts>,
}

impl Knowledge {
    /// The guest facts the plan carries.
    pub(super) fn from_plan(plan: &Plan) -> Self {
        Knowledge {
            items: plan
                .units
                .iter()
                .flat_map(|u| u.items.iter())
                .filter_map(|it| Some((it.item.clone(), it.guest.clone()?)))
                .collect(),
        }
    }

    /// The findings for an item seen running on-prem.
    pub(super) fn findings(&self, item: &str, rt: &VmRuntime) -> Vec<Finding> {
        let facts = self.items.get(item);
        let subject = Subject::Item(item.to_string());
        let mut out = Vec::new();
        let linux_or_unknown = facts.is_none_or(|f| f.os_family == OsFamily::Linux);
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
