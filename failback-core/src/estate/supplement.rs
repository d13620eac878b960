//! The facts the providers cannot discover, from an estate the engineer keeps: Azure
//! Site Recovery does not say a Linux guest's root file system, the Azure networks'
//! models and VPNs, which network a process server in Azure is in, the Azure VM's
//! installed packages or the on-premises static addresses.

use super::Estate;

impl Estate {
    /// This (discovered) estate with the facts no provider discovers taken from `known`
    /// where this one leaves them unknown; what was discovered always stays. The facts,
    /// and only these:
    ///
    /// - `azure_region`, `connectivity` (ExpressRoute) and `azure_networks`, when none
    ///   were discovered;
    /// - each process server's `network` and `bandwidth_mbps`, and the replication
    ///   appliance's `bandwidth_mbps` (by id);
    /// - each item's `root_file_system`, `boot_file_system`, `changed_bytes` and
    ///   `on_prem_addresses`, and its Azure VM's `packages` and `booted_at` (by item id).
    ///
    /// Everything else (states, jobs, recovery points, servers, master targets) is the
    /// providers' alone: a stale file cannot override the site.
    pub fn supplement(mut self, known: &Estate) -> Estate {
        if self.azure_region.is_none() {
            self.azure_region.clone_from(&known.azure_region);
        }
        if self.connectivity.express_route.is_none() {
            self.connectivity
                .express_route
                .clone_from(&known.connectivity.express_route);
        }
        if self.azure_networks.is_empty() {
            self.azure_networks.clone_from(&known.azure_networks);
        }
        for ps in &mut self.process_servers {
            if let Some(k) = known.process_servers.iter().find(|k| k.id == ps.id) {
                if ps.network.is_none() {
                    ps.network.clone_from(&k.network);
                }
                if ps.bandwidth_mbps.is_none() {
                    ps.bandwidth_mbps = k.bandwidth_mbps;
                }
            }
        }
        if let (Some(a), Some(k)) = (
            self.replication_appliance.as_mut(),
            known.replication_appliance.as_ref(),
        ) {
            if a.id == k.id && a.bandwidth_mbps.is_none() {
                a.bandwidth_mbps = k.bandwidth_mbps;
            }
        }
        for it in &mut self.items {
            let Some(k) = known.items.iter().find(|k| k.id == it.id) else {
                continue;
            };
            if it.root_file_system.is_none() {
                it.root_file_system = k.root_file_system;
            }
            if it.boot_file_system.is_none() {
                it.boot_file_system = k.boot_file_system;
            }
            if it.changed_bytes.is_none() {
                it.changed_bytes = k.changed_bytes;
            }
            if it.on_prem_addresses.is_empty() {
                it.on_prem_addresses.clone_from(&k.on_prem_addresses);
            }
            if let (Some(vm), Some(kvm)) = (it.azure_vm.as_mut(), k.azure_vm.as_ref()) {
                if vm.packages.is_none() {
                    vm.packages.clone_from(&kvm.packages);
                }
                if vm.booted_at.is_none() {
                    vm.booted_at = kvm.booted_at;
                }
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estate::FileSystem;
    use crate::state::ProtectionState;

    fn healthy() -> Estate {
        Estate::from_json_str(include_str!("../../../examples/estates/healthy.json"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn unknown_facts_are_filled_and_discovered_ones_stay() {
        let known = healthy();
        let mut found = known.clone();
        found.azure_networks.clear();
        found.process_servers[0].network = None;
        found.items[1].root_file_system = None;
        if let Some(v) = found.items[1].azure_vm.as_mut() {
            v.packages = None;
        }
        // Discovered facts win, the state above all.
        found.items[2].root_file_system = Some(FileSystem::Ext4);
        found.items[0].state = ProtectionState::ReplicatingToOnPrem;
        let merged = found.clone().supplement(&known);
        assert_eq!(merged.azure_networks, known.azure_networks);
        assert_eq!(
            merged.process_servers[0].network,
            known.process_servers[0].network
        );
        assert_eq!(
            merged.items[1].root_file_system,
            known.items[1].root_file_system
        );
        assert_eq!(
            merged.items[1].azure_vm.as_ref().map(|v| &v.packages),
            known.items[1].azure_vm.as_ref().map(|v| &v.packages)
        );
        assert_eq!(merged.items[2].root_file_system, Some(FileSystem::Ext4));
        assert_eq!(merged.items[0].state, ProtectionState::ReplicatingToOnPrem);
        // An estate that knows nothing more changes nothing.
        assert_eq!(
            found.clone().supplement(&Estate::empty(found.captured_at)),
            found
        );
    }
}
