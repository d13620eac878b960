//! The rule catalog: every rule of `docs/domain.md` with its stable ID.

use super::{Family, RuleInfo, Severity};

macro_rules! catalog {
    ($( $var:ident = $id:literal, $fam:ident, $sev:ident, $scope:literal, $text:literal, $fix:literal; )*) => {
        /// A stable rule ID. Its text form (`LOC-001`) is what findings, tests and docs use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $(
                #[doc = $text]
                $var,
            )*
        }

        impl RuleId {
            /// Every rule, in catalog order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$var),*];

            /// The stable text form, like `LOC-001`.
            pub fn as_str(self) -> &'static str {
                match self { $(RuleId::$var => $id),* }
            }

            /// Parse the text form.
            pub fn parse(s: &str) -> Option<RuleId> {
                match s { $($id => Some(RuleId::$var),)* _ => None }
            }

            /// The catalog entry.
            pub fn info(self) -> &'static RuleInfo {
                match self {
                    $(RuleId::$var => &RuleInfo {
                        id: RuleId::$var,
                        family: Family::$fam,
                        severity: Severity::$sev,
                        scope: $scope,
                        text: $text,
                        remediation: $fix,
                    },)*
                }
            }
        }
    };
}

catalog! {
    Loc001 = "LOC-001", Location, Info, "", "A failed-over VMware VM can fail back to its original VM while that VM still exists on-prem; then only the changed blocks (delta) travel back.", "Nothing to do: keep the original VM to fail back a delta.";
    Loc002 = "LOC-002", Location, Blocker, "original location", "A physical server always fails back to a new VMware VM (alternate location); it comes back as a virtual machine.", "Request alternate (or auto) location for physical servers.";
    Loc003 = "LOC-003", Location, Blocker, "", "Failback of a physical server needs at least one discovered master target together with the ESX/ESXi hosts to fail back to.", "Deploy a master target on a discovered ESX host and let the configuration server discover both.";
    Loc004 = "LOC-004", Location, Blocker, "original location", "Original VM managed by vCenter: the MT's ESX host must have access to the original VM's datastore.", "Give the master target's ESX host access to the original VM's datastore, or use a master target on a host that has it.";
    Loc005 = "LOC-005", Location, Blocker, "original location", "Original VM on a standalone ESX host (no vCenter): the VM's disks must be on a datastore the MT's host can reach.", "Move the VM's disks to a datastore the master target's host reaches, or use a master target on the VM's host.";
    Loc006 = "LOC-006", Location, Blocker, "", "VM on a standalone ESX host, or physical server: the MT's ESX host must be discovered before reprotect.", "Add the master target's ESX host to the configuration server and wait for discovery.";
    Loc007 = "LOC-007", Location, Info, "", "If the original VM exists, deleting it before failback makes failback create a new VM on the MT's ESX host.", "Delete the original VM only if you want a new VM on the master target's host.";
    Loc008 = "LOC-008", Location, Info, "", "Alternate location: data is recovered to the MT's datastore and the MT's ESX host.", "Check that the master target's host and datastore are where the VM should land.";
    Loc009 = "LOC-009", Location, Blocker, "original location", "To recover into the same on-prem VM, that VM must already be on the same datastore as the MT.", "Place the master target on the original VM's datastore (or move the VM), or fail back to an alternate location.";
    Loc010 = "LOC-010", Location, Info, "", "With no on-prem VM, reprotect creates a new one; the datastore input is used only then, but a value is always required.", "Nothing to do: the planner always chooses a datastore.";
    Pre001 = "PRE-001", Prerequisite, Blocker, "", "Failback needs a VMware environment; failback to a physical server is not supported.", "Provide ESX hosts (with a datastore) to fail back to.";
    Pre002 = "PRE-002", Prerequisite, Blocker, "", "An Azure network created during initial protection, with a VPN or ExpressRoute connection from it to on-prem.", "Fail back from the network created during initial protection.";
    Pre003 = "PRE-003", Prerequisite, Blocker, "", "vCenter-managed VMs: the discovery account needs the privileges to discover VMs and datastores.", "Grant the vCenter discovery account the privileges listed in the finding and refresh the configuration server.";
    Pre004 = "PRE-004", Prerequisite, Blocker, "original location", "A VM with snapshots fails reprotect; delete the snapshots (or the disks).", "Delete the original VM's snapshots before reprotect.";
    Pre005 = "PRE-005", Prerequisite, Blocker, "", "The protected item must exist in the configuration server's database, else failback fails.", "Restore the configuration server database that holds the item, or protect the item again.";
    Pre006 = "PRE-006", Prerequisite, Warning, "", "The configuration server needs regular backups; after a disaster it must be restored with the same IP address.", "Back up the configuration server regularly; restore it with the address it was registered with.";
    Pre007 = "PRE-007", Prerequisite, Blocker, "", "The MT VM needs disk.enableUUID=True (case-sensitive, no quotes) in its VMware configuration parameters. The VM must be powered off to change it.", "Power the master target off, set the configuration parameter disk.enableUUID to True, power it on.";
    Pre008 = "PRE-008", Prerequisite, Blocker, "", "The MT must not be storage-vMotioned: its disks become unavailable and failback fails.", "Use a master target that was never storage-vMotioned (deploy a new one).";
    Pre009 = "PRE-009", Prerequisite, Blocker, "", "Free ESXi 5.5 / free vSphere 6 Hypervisor: failover works, failback does not; an evaluation or paid licence is needed.", "Apply an evaluation or paid licence to the ESX host.";
    Ps001 = "PS-001", ProcessServer, Blocker, "", "A process server must run in Azure during failback (it can be deleted afterwards).", "Deploy a process server in Azure and keep it running until failback completes.";
    Ps002 = "PS-002", ProcessServer, Blocker, "", "The PS's deployment model must match the recovered VMs: classic VMs need a classic PS, Resource Manager VMs a Resource Manager PS; the PS's virtual network decides its model.", "Deploy a process server in a network of the VMs' deployment model.";
    Ps003 = "PS-003", ProcessServer, Blocker, "", "The PS must be in the same Azure network as the recovered VMs.", "Deploy a process server in the recovered VMs' network.";
    Ps004 = "PS-004", ProcessServer, Info, "", "Resource Manager PS deployment inputs: resource group, server name, user name and password, storage account, subnet and a NIC the user created. A classic PS comes from the gallery image \"Microsoft Azure Site Recovery Process Server V2\".", "Gather the deployment inputs before deploying the process server.";
    Ps005 = "PS-005", ProcessServer, Warning, "", "A newly registered PS appears only after 10-15 minutes, and only under the configuration server's servers, not under VM properties.", "Wait 15 minutes after registration before reprotect.";
    Mt001 = "MT-001", MasterTarget, Warning, "", "The default MT runs on the configuration server; large failback volumes need an additional MT.", "Deploy an additional master target for large failbacks.";
    Mt002 = "MT-002", MasterTarget, Blocker, "", "A Linux MT must run the supported minimal OS (CentOS 6.6) with xfsprogs perl lsscsi rsync wget kexec-tools and the custom changes applied once.", "Install the supported OS and packages on the Linux master target and apply the custom changes.";
    Mt003 = "MT-003", MasterTarget, Blocker, "", "If a Linux source uses ReiserFS or XFS on its boot or root device, the Linux MT needs the ReiserFS kernel module and tools and xfsprogs.", "Install the ReiserFS module and tools and xfsprogs on the Linux master target.";
    Ret001 = "RET-001", Retention, Blocker, "", "A retention volume is not used for another purpose (for example as a replication target).", "Use a volume with no other purpose for retention.";
    Ret002 = "RET-002", Retention, Blocker, "", "A retention volume is not in locked mode.", "Unlock the volume or use another.";
    Ret003 = "RET-003", Retention, Blocker, "", "A retention volume is not the MT's cache volume (the volume the MT is installed on).", "Add a separate volume for retention.";
    Ret004 = "RET-004", Retention, Blocker, "", "A retention volume's file system is not FAT or FAT32.", "Format the retention volume NTFS (Windows) or ext4/xfs (Linux).";
    Ret005 = "RET-005", Retention, Blocker, "", "A retention volume's capacity is not zero.", "Use a volume with capacity.";
    Ret006 = "RET-006", Retention, Info, "", "Defaults: Windows MT volume R:, Linux MT /mnt/retention.", "Create the default retention volume on the master target.";
    Pol001 = "POL-001", Policy, Blocker, "", "Replicating back needs the failback policy; it is created with the forward policy and associated with the configuration server.", "Create the forward replication policy and associate it with the configuration server: the failback policy comes with it.";
    Pol002 = "POL-002", Policy, Blocker, "", "The failback policy cannot be edited; its values are RPO threshold 15 min, retention 24 h, application-consistent frequency 60 min.", "Recreate the forward policy association so the failback policy has its fixed values.";
    Grp001 = "GRP-001", Group, Blocker, "", "A replication group can only be reprotected through a recovery plan, with the inputs given for every member.", "Put every member of the group in one recovery plan and request the whole group.";
    Grp002 = "GRP-002", Group, Blocker, "", "Every member of a replication group must use the same MT, else no common point in time exists.", "Use one master target for the whole group.";
    Fo001 = "FO-001", Failover, Blocker, "", "Failover to on-prem needs a completed reprotect (the item replicating Azure to on-prem).", "Reprotect the item (include the reprotect stage) before failover.";
    Fo002 = "FO-002", Failover, Warning, "", "Choosing the latest application-consistent point loses the changes made after it.", "Choose the latest point if the data loss is not acceptable.";
    Fo003 = "FO-003", Failover, Info, "", "Failover shuts the Azure VMs down; verify they are down afterwards.", "Check the Azure VMs are shut down after failover.";
    Fo004 = "FO-004", Failover, Blocker, "", "Commit only after failover completed; commit deletes the Azure VMs.", "Fail over first; commit after it completed.";
    Fo005 = "FO-005", Failover, Warning, "", "After commit the item is unprotected until it is reprotected to Azure with a process server.", "Reprotect the item to Azure right after commit.";
    Net001 = "NET-001", Connectivity, Blocker, "", "Failback runs over a site-to-site VPN or ExpressRoute.", "Connect the VMs' Azure network to on-prem with a site-to-site VPN or ExpressRoute.";
    Net002 = "NET-002", Connectivity, Blocker, "", "ExpressRoute must be configured on the Azure virtual network the machines failed over to.", "Connect the ExpressRoute circuit to the network the VMs failed over to.";
    Net003 = "NET-003", Connectivity, Blocker, "", "Replication goes to an Azure storage account's public endpoint: ExpressRoute needs Microsoft (public) peering to the target region.", "Add Microsoft peering for the target region to the ExpressRoute circuit.";
    Ops001 = "OPS-001", Operations, Blocker, "", "vCenter discovered with a read-only user: reprotect fails because no datastore can be discovered.", "Update the vCenter credential to an account with the privileges and retry the job.";
    Ops002 = "OPS-002", Operations, Warning, "", "A Linux VM failed back has lost its NetworkManager package (removed when it was recovered in Azure).", "Reinstall NetworkManager on the VM after failback.";
    Ops003 = "OPS-003", Operations, Warning, "", "A VM with a static IP got a DHCP address in Azure and keeps DHCP after failback; its static address must be set again.", "Set the static address again after failback.";
    Ops004 = "OPS-004", Operations, Blocker, "", "Free ESXi licence seen as: failover worked, failback is refused.", "Apply an evaluation or paid licence to the ESX host, then fail back.";
    Ext001 = "EXT-001", External, Blocker, "", "NFS datastores are not supported for failback; the MT's ESX host needs at least one VMFS datastore (vSAN also works for alternate location).", "Give the master target's host a VMFS datastore.";
    Ext002 = "EXT-002", External, Blocker, "", "VMware Tools (or open-vm-tools) must be running on the MT.", "Install and start VMware Tools on the master target.";
    Ext003 = "EXT-003", External, Warning, "", "The MT should use an LSI Logic SCSI controller, not PVSCSI.", "Change the master target's SCSI controller to LSI Logic.";
    Ext004 = "EXT-004", External, Blocker, "", "One MT attaches at most 60 disks: the disks of all items it serves at once must fit.", "Spread the items over more master targets, or fail back in waves.";
    Ext005 = "EXT-005", External, Blocker, "", "The MT must not be cloned from a protected VM or its template (clashing disk UUIDs).", "Deploy the master target from a clean installation.";
    Ext006 = "EXT-006", External, Blocker, "", "The MT's OS family must match the item's; a replication group is one OS family.", "Use a master target of the item's OS family.";
    Ext007 = "EXT-007", External, Blocker, "", "Failover needs at least one recovery point for the item (for every member of a group).", "Wait for a recovery point after reprotect, or choose an existing point.";
    Ext008 = "EXT-008", External, Blocker, "", "Reprotect needs the Azure VM running with its agent registered (it can take up to 15 minutes after boot).", "Start the Azure VM and wait for its agent to register.";
    Ext009 = "EXT-009", External, Blocker, "", "No failback after complete migration, after protection was disabled, or once the Azure VM was deleted or moved to another resource group.", "Protect the machine anew; failback is not possible for this item.";
    Ext010 = "EXT-010", External, Blocker, "alternate location", "Alternate location: no RDM disks; the target datastore must be VMFS or vSAN.", "Fail back to the original VM, or remove the RDM disks; choose a VMFS or vSAN datastore.";
    Ext011 = "EXT-011", External, Warning, "", "Alternate location, or an original VM moved from NFS to VMFS, means a full copy instead of a delta.", "Plan time and bandwidth for the full copy.";
    Ext012 = "EXT-012", External, Blocker, "", "A Windows Server 2008 R2 SP1 physical server cannot fail back.", "Keep the server in Azure or rebuild it on-prem.";
    Ext013 = "EXT-013", External, Blocker, "", "No snapshots on the MT either.", "Delete the master target's snapshots.";
    Ext014 = "EXT-014", External, Warning, "", "A newly added retention volume or datastore is listed only after up to 15 minutes (or a configuration server refresh).", "Wait 15 minutes or refresh the configuration server.";
}
