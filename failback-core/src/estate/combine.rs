//! One estate from the two halves the providers discover: the recovery side's (Azure Site
//! Recovery: the vault, its servers, items and plans) and the on-premises side's (vSphere:
//! vCenters, hosts, datastores, VMs and the master targets' VMware facts).

use super::{Estate, MasterTarget};

impl Estate {
    /// The estate of both halves: everything Azure Site Recovery knows from `azure`
    /// ([`crate::provider::RecoveryProvider::discover`]), the vCenters, hosts, datastores
    /// and VMs from `onprem` ([`crate::provider::OnPremProvider::discover`]).
    ///
    /// A master target both halves list is one record: its VMware facts (host, datastore,
    /// configuration parameters, storage vMotion evidence, tools, controller, snapshots,
    /// attached disks, clone source, and a reprotect agent's OS) from vSphere, its agent
    /// facts (role, on the configuration server, a master target's OS, volumes, installed
    /// volume, packages, kernel modules, custom changes) from ASR, each taken from the
    /// other half when its own half does not
    /// know it. One only a half lists is kept as that half has it. The capture time is
    /// the later of the two, so that rules about elapsed time measure from the newest
    /// fact (the conservative reading); the name is the Azure half's, else the on-prem
    /// half's.
    pub fn combine(azure: Estate, onprem: Estate) -> Estate {
        let Estate {
            format: _,
            name: onprem_name,
            captured_at: onprem_at,
            flavor: _,
            azure_region: _,
            configuration_server: _,
            replication_appliance: _,
            connectivity: _,
            policies: _,
            azure_networks: _,
            process_servers: _,
            vcenters,
            hosts,
            datastores,
            master_targets: onprem_mts,
            vms,
            items: _,
            recovery_plans: _,
        } = onprem;
        let mut master_targets = Vec::with_capacity(azure.master_targets.len());
        let mut vmware: Vec<Option<MasterTarget>> = onprem_mts.into_iter().map(Some).collect();
        for asr in azure.master_targets {
            let seen = vmware
                .iter_mut()
                .find(|m| m.as_ref().is_some_and(|m| m.id == asr.id))
                .and_then(Option::take);
            master_targets.push(match seen {
                Some(vs) => merge_master_target(asr, vs),
                None => asr,
            });
        }
        master_targets.extend(vmware.into_iter().flatten());
        Estate {
            name: azure.name.or(onprem_name),
            captured_at: azure.captured_at.max(onprem_at),
            vcenters,
            hosts,
            datastores,
            master_targets,
            vms,
            ..azure
        }
    }
}

/// One master target from ASR's record and vSphere's.
fn merge_master_target(asr: MasterTarget, vs: MasterTarget) -> MasterTarget {
    fn text(first: String, second: String) -> String {
        if first.is_empty() {
            second
        } else {
            first
        }
    }
    MasterTarget {
        id: asr.id,
        name: text(asr.name, vs.name),
        // A reprotect agent's OS is vSphere's: ASR gives none for it (the adapter reads
        // the appliance's Windows), while the guest OS of a VM is known to vSphere.
        os: if asr.role == super::MasterTargetRole::ReprotectAgent {
            vs.os
        } else {
            asr.os
        },
        role: asr.role,
        host: text(vs.host, asr.host),
        datastore: text(vs.datastore, asr.datastore),
        on_configuration_server: asr.on_configuration_server || vs.on_configuration_server,
        config_params: vs.config_params.or(asr.config_params),
        storage_vmotioned: vs.storage_vmotioned.or(asr.storage_vmotioned),
        vmware_tools: vs.vmware_tools.or(asr.vmware_tools),
        scsi_controller: vs.scsi_controller.or(asr.scsi_controller),
        snapshots: vs.snapshots.or(asr.snapshots),
        attached_disks: vs.attached_disks.max(asr.attached_disks),
        packages: asr.packages.or(vs.packages),
        kernel_modules: asr.kernel_modules.or(vs.kernel_modules),
        custom_changes_applied: asr.custom_changes_applied.or(vs.custom_changes_applied),
        cache_volume: asr.cache_volume.or(vs.cache_volume),
        volumes: if asr.volumes.is_empty() {
            vs.volumes
        } else {
            asr.volumes
        },
        cloned_from: vs.cloned_from.or(asr.cloned_from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> Estate {
        Estate::from_json_str(include_str!("../../../examples/estates/healthy.json"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The halves as the lab's providers cut them.
    fn halves(e: &Estate) -> (Estate, Estate) {
        let mut azure = e.clone();
        azure.vcenters.clear();
        azure.hosts.clear();
        azure.datastores.clear();
        azure.vms.clear();
        let mut onprem = e.clone();
        onprem.configuration_server = None;
        onprem.replication_appliance = None;
        onprem.connectivity = Default::default();
        onprem.policies.clear();
        onprem.azure_networks.clear();
        onprem.process_servers.clear();
        onprem.items.clear();
        onprem.recovery_plans.clear();
        (azure, onprem)
    }

    #[test]
    fn the_halves_of_an_estate_combine_into_it() {
        let e = healthy();
        let (azure, onprem) = halves(&e);
        assert_eq!(Estate::combine(azure, onprem), e);
    }

    #[test]
    fn a_master_target_takes_its_vmware_facts_from_vsphere_and_its_agent_from_asr() {
        let e = healthy();
        let (mut azure, mut onprem) = halves(&e);
        // ASR does not know the VMware settings; vSphere does not know the agent.
        let id = azure.master_targets[0].id.clone();
        azure.master_targets[0].config_params = None;
        azure.master_targets[0].snapshots = None;
        azure.master_targets[0].attached_disks = 0;
        onprem.master_targets[0].volumes.clear();
        onprem.master_targets[0].cache_volume = None;
        // A master target only vSphere lists stays.
        let mut extra = onprem.master_targets[0].clone();
        extra.id = "mt-vsphere-only".into();
        onprem.master_targets.push(extra);
        let combined = Estate::combine(azure, onprem);
        let mt = combined
            .master_targets
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("{id} lost"));
        assert_eq!(mt, &e.master_targets[0]);
        assert_eq!(combined.master_targets.len(), e.master_targets.len() + 1);
        assert!(combined
            .master_targets
            .iter()
            .any(|m| m.id == "mt-vsphere-only"));
    }

    #[test]
    fn the_later_capture_counts() {
        let e = healthy();
        let (azure, mut onprem) = halves(&e);
        onprem.captured_at += chrono::Duration::minutes(5);
        let later = onprem.captured_at;
        assert_eq!(Estate::combine(azure, onprem).captured_at, later);
    }
}
