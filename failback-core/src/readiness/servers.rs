//! Checks of the estate as a whole and of its servers: configuration server, policy,
//! vCenters, hosts, datastores, networks, process servers and master targets.

use std::collections::{BTreeSet, HashSet};

use chrono::Duration;

use super::{Cx, RetentionReport, UnitSpec};
use crate::estate::{
    DatastoreKind, Flavor, Health, LicenceEdition, MasterTarget, MasterTargetRole, OsFamily,
    PeeringKind, PolicyDirection, PsLocation, ScsiController, ToolsStatus,
};
use crate::retention::{default_volume, eligibility};
use crate::rules::{Finding, RuleId, Severity, Subject};

/// How old the configuration server's last backup may be before PRE-006 warns.
pub const BACKUP_MAX_AGE_DAYS: i64 = 7;
/// How long a new process server, volume or datastore takes to be listed (PS-005, EXT-014).
pub const LISTING_DELAY_MINUTES: i64 = 15;
/// Bytes through the configuration server's own master target above which MT-001 warns.
pub const LARGE_FAILBACK_BYTES: u64 = 1 << 40;

/// The vCenter privileges the discovery account needs to discover VMs and datastores
/// (PRE-003).
pub const REQUIRED_PRIVILEGES: &[&str] = &[
    "System.View",
    "System.Read",
    "Datastore.Browse",
    "Datastore.FileManagement",
    "Datastore.AllocateSpace",
    "VirtualMachine.Inventory.Create",
    "VirtualMachine.Config.AddExistingDisk",
    "Resource.AssignVMToPool",
];

/// Packages a Linux master target needs (MT-002).
pub const LINUX_MT_PACKAGES: &[&str] =
    &["xfsprogs", "perl", "lsscsi", "rsync", "wget", "kexec-tools"];

/// Whether two Azure region names are the same (`West Europe` is `westeurope`).
pub fn same_region(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    norm(a) == norm(b)
}

/// Whether a Linux master target's OS is the supported minimal OS (MT-002).
pub fn supported_linux_mt(version: &str) -> bool {
    let v = version.to_ascii_lowercase();
    v.contains("centos") && v.contains("6.6")
}

impl<'a, 'e> Cx<'a, 'e> {
    pub(super) fn server_checks(&mut self, specs: &[UnitSpec<'e>]) {
        let e = self.estate;
        if e.hosts.is_empty() || e.datastores.is_empty() {
            self.push(Finding::new(
                RuleId::Pre001,
                Subject::Estate,
                "the estate has no ESX host or no datastore: failback needs a VMware environment",
            ));
        }
        self.policy_checks();
        self.configuration_server_checks();
        self.vcenter_checks();
        for h in &e.hosts {
            let s = Subject::Host(h.id.clone());
            match &h.licence {
                None => self.push(Finding::unknown(
                    RuleId::Pre009,
                    s,
                    &format!("hosts[{}].licence", h.id),
                )),
                Some(l) if l.edition == LicenceEdition::Free => self.push(Finding::new(
                    RuleId::Pre009,
                    s,
                    format!(
                        "host {} runs a free licence ({}): failover worked, failback will not",
                        h.id,
                        l.product.as_deref().unwrap_or("free ESXi")
                    ),
                )),
                Some(_) => {}
            }
        }
        for d in &e.datastores {
            if let Some(at) = d.discovered_at {
                if self.now - at < Duration::minutes(LISTING_DELAY_MINUTES) {
                    self.push(Finding::new(
                        RuleId::Ext014,
                        Subject::Datastore(d.id.clone()),
                        format!(
                            "datastore {} was added {} min ago and may not be listed yet",
                            d.id,
                            (self.now - at).num_minutes().max(0)
                        ),
                    ));
                }
            }
        }
        let role = self.role();
        let protected = self.protected_names();
        for mt in e.master_targets.iter().filter(|m| m.role == role) {
            self.master_target_checks(mt, &protected);
        }
        // The modernized replication appliance needs no process server in Azure and no
        // site-to-site VPN or ExpressRoute for the reverse replication: the PS, NET and
        // PRE-002 rules are the classic flavour's.
        if e.flavor == Flavor::Classic {
            for ps in &e.process_servers {
                self.process_server_checks(ps);
            }
            self.network_checks(specs);
        }
    }

    fn policy_checks(&mut self) {
        let e = self.estate;
        match e.flavor {
            Flavor::Classic => {
                let (policy, findings) = crate::policy::check(e);
                for f in findings {
                    self.push(f);
                }
                self.policy = policy;
            }
            Flavor::Modernized => {
                if !e
                    .policies
                    .iter()
                    .any(|p| p.direction == PolicyDirection::Failback)
                {
                    self.push(Finding::new(
                        RuleId::Pol001,
                        Subject::Estate,
                        "no failback policy exists in the vault",
                    ));
                }
            }
        }
    }

    fn configuration_server_checks(&mut self) {
        let e = self.estate;
        if e.flavor != Flavor::Classic {
            return;
        }
        let Some(cs) = &e.configuration_server else {
            return;
        };
        let s = Subject::ConfigurationServer(cs.id.clone());
        match cs.last_backup {
            None => self.push(
                Finding::unknown(RuleId::Pre006, s.clone(), "configuration_server.last_backup")
                    .with_severity(Severity::Warning),
            ),
            Some(at) if self.now - at > Duration::days(BACKUP_MAX_AGE_DAYS) => {
                self.push(Finding::new(
                    RuleId::Pre006,
                    s.clone(),
                    format!(
                        "the configuration server was last backed up {} days ago (more than {BACKUP_MAX_AGE_DAYS})",
                        (self.now - at).num_days()
                    ),
                ))
            }
            Some(_) => {}
        }
        match cs.registered_ip_address {
            None => self.push(
                Finding::unknown(
                    RuleId::Pre006,
                    s,
                    "configuration_server.registered_ip_address",
                )
                .with_severity(Severity::Warning),
            ),
            Some(reg) if reg != cs.ip_address => {
                self.push(Finding::new(
                    RuleId::Pre006,
                    s,
                    format!(
                        "the configuration server answers on {} but was registered with {reg}: restore it with the same address",
                        cs.ip_address
                    ),
                ));
            }
            Some(_) => {}
        }
    }

    fn vcenter_checks(&mut self) {
        let e = self.estate;
        for vc in &e.vcenters {
            let s = Subject::VCenter(vc.id.clone());
            match &vc.account.privileges {
                None => self.push(Finding::unknown(
                    RuleId::Pre003,
                    s.clone(),
                    &format!("vcenters[{}].account.privileges", vc.id),
                )),
                Some(have) => {
                    let missing: Vec<&str> = REQUIRED_PRIVILEGES
                        .iter()
                        .copied()
                        .filter(|p| !have.iter().any(|h| h == p))
                        .collect();
                    if !missing.is_empty() {
                        self.push(
                            Finding::new(
                                RuleId::Pre003,
                                s.clone(),
                                format!(
                                    "discovery account {} of vCenter {} lacks {}",
                                    vc.account.user,
                                    vc.id,
                                    missing.join(", ")
                                ),
                            )
                            .with_remediation(format!(
                                "grant {} to {} and refresh the configuration server",
                                missing.join(", "),
                                vc.account.user
                            )),
                        );
                    }
                }
            }
            let datastores: usize = e
                .hosts
                .iter()
                .filter(|h| h.vcenter.as_deref() == Some(vc.id.as_str()))
                .map(|h| h.datastores.len())
                .sum();
            match vc.account.read_only {
                Some(true) => self.push(Finding::new(
                    RuleId::Ops001,
                    s,
                    format!(
                        "vCenter {} is discovered with read-only user {}: reprotect will find no datastore",
                        vc.id, vc.account.user
                    ),
                )),
                _ if datastores == 0 => self.push(Finding::new(
                    RuleId::Ops001,
                    s,
                    format!(
                        "no datastore was discovered through vCenter {} (user {}): reprotect will fail",
                        vc.id, vc.account.user
                    ),
                )),
                None => self.push(Finding::unknown(
                    RuleId::Ops001,
                    s,
                    &format!("vcenters[{}].account.read_only", vc.id),
                )),
                Some(false) => {}
            }
        }
    }

    /// PS-001 and PS-005 on one process server (classic flavour).
    fn process_server_checks(&mut self, ps: &crate::estate::ProcessServer) {
        let s = Subject::ProcessServer(ps.id.clone());
        if ps.location == PsLocation::Azure {
            match (ps.running, ps.health) {
                (Some(false), _) => self.push(Finding::new(
                    RuleId::Ps001,
                    s.clone(),
                    format!("process server {} in Azure is not running", ps.id),
                )),
                (_, Some(Health::Critical)) => self.push(Finding::new(
                    RuleId::Ps001,
                    s.clone(),
                    format!("process server {} in Azure is in critical health", ps.id),
                )),
                (None, _) => self.push(Finding::unknown(
                    RuleId::Ps001,
                    s.clone(),
                    &format!("process_servers[{}].running", ps.id),
                )),
                _ => {}
            }
        }
        if let Some(at) = ps.registered_at {
            if self.now - at < Duration::minutes(LISTING_DELAY_MINUTES) {
                self.push(Finding::new(
                    RuleId::Ps005,
                    s,
                    format!(
                        "process server {} registered {} min ago: it appears only after 10-15 minutes, under the configuration server's servers",
                        ps.id,
                        (self.now - at).num_minutes().max(0)
                    ),
                ));
            }
        }
    }

    /// The ids and names of the protected items and of their original VMs: a master target
    /// cloned from one of them clashes (EXT-005). Gathered once, and only when a master
    /// target says what it was cloned from.
    fn protected_names(&self) -> HashSet<&'e str> {
        let e = self.estate;
        if !e.master_targets.iter().any(|m| m.cloned_from.is_some()) {
            return HashSet::new();
        }
        let mut names = HashSet::new();
        for it in &e.items {
            names.insert(it.id.as_str());
            names.insert(it.name.as_str());
            if let Some(vm) = it.original_vm.as_deref() {
                names.insert(vm);
                if let Some(v) = self.index.vm(vm) {
                    names.insert(v.name.as_str());
                }
            }
        }
        names
    }

    fn master_target_checks(&mut self, mt: &'e MasterTarget, protected: &HashSet<&str>) {
        let s = Subject::MasterTarget(mt.id.clone());
        let field = |f: &str| format!("master_targets[{}].{f}", mt.id);
        match &mt.config_params {
            None => self.push(Finding::unknown(RuleId::Pre007, s.clone(), &field("config_params"))),
            Some(p) => match p.get("disk.enableUUID").map(|v| v.as_str()) {
                Some("True") => {}
                Some(other) => self.push(Finding::new(
                    RuleId::Pre007,
                    s.clone(),
                    format!(
                        "{}: disk.enableUUID is {other:?}; it must be exactly True (case-sensitive, no quotes)",
                        mt.id
                    ),
                )),
                None => self.push(Finding::new(
                    RuleId::Pre007,
                    s.clone(),
                    format!("{}: disk.enableUUID is not set", mt.id),
                )),
            },
        }
        match mt.storage_vmotioned {
            Some(true) => self.push(Finding::new(
                RuleId::Pre008,
                s.clone(),
                format!(
                    "{} was storage-vMotioned: its disks become unavailable",
                    mt.id
                ),
            )),
            Some(false) => {}
            None => self.push(Finding::unknown(
                RuleId::Pre008,
                s.clone(),
                &field("storage_vmotioned"),
            )),
        }
        match mt.vmware_tools {
            Some(ToolsStatus::Running) => {}
            Some(t) => self.push(Finding::new(
                RuleId::Ext002,
                s.clone(),
                format!(
                    "VMware Tools on {} are {}",
                    mt.id,
                    if t == ToolsStatus::NotRunning {
                        "not running"
                    } else {
                        "not installed"
                    }
                ),
            )),
            None => self.push(Finding::unknown(
                RuleId::Ext002,
                s.clone(),
                &field("vmware_tools"),
            )),
        }
        match mt.scsi_controller {
            Some(ScsiController::Pvscsi) => self.push(Finding::new(
                RuleId::Ext003,
                s.clone(),
                format!("{} uses a PVSCSI controller", mt.id),
            )),
            Some(_) => {}
            None => self.push(
                Finding::unknown(RuleId::Ext003, s.clone(), &field("scsi_controller"))
                    .with_severity(Severity::Warning),
            ),
        }
        if let Some(src) = &mt.cloned_from {
            if protected.contains(src.as_str()) {
                self.push(Finding::new(
                    RuleId::Ext005,
                    s.clone(),
                    format!(
                        "{} was cloned from protected machine {src}: disk UUIDs clash",
                        mt.id
                    ),
                ));
            }
        }
        match mt.snapshots {
            Some(0) => {}
            Some(n) => self.push(Finding::new(
                RuleId::Ext013,
                s.clone(),
                format!("{} has {n} snapshot(s)", mt.id),
            )),
            None => self.push(Finding::unknown(
                RuleId::Ext013,
                s.clone(),
                &field("snapshots"),
            )),
        }
        if mt.os.family == OsFamily::Linux && mt.role == MasterTargetRole::MasterTarget {
            self.linux_mt_checks(mt, &s);
        }
        let kinds: std::collections::HashSet<DatastoreKind> = self
            .index
            .host_datastores(&mt.host)
            .map(|d| d.kind)
            .collect();
        if !kinds.contains(&DatastoreKind::Vmfs) && !kinds.contains(&DatastoreKind::Vsan) {
            self.push(Finding::new(
                RuleId::Ext001,
                s.clone(),
                format!(
                    "host {} of {} reaches no VMFS datastore{}",
                    mt.host,
                    mt.id,
                    if kinds.contains(&DatastoreKind::Nfs) {
                        " (only NFS, which failback does not support)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if mt.role == MasterTargetRole::MasterTarget {
            self.retention_checks(mt, &s);
        }
    }

    fn linux_mt_checks(&mut self, mt: &MasterTarget, s: &Subject) {
        match mt.os.version.as_deref() {
            None => self.push(Finding::unknown(
                RuleId::Mt002,
                s.clone(),
                &format!("master_targets[{}].os.version", mt.id),
            )),
            Some(version) if !supported_linux_mt(version) => self.push(Finding::new(
                RuleId::Mt002,
                s.clone(),
                format!(
                    "Linux master target {} runs {version:?}, not the supported CentOS 6.6",
                    mt.id
                ),
            )),
            Some(_) => {}
        }
        match &mt.packages {
            None => self.push(Finding::unknown(
                RuleId::Mt002,
                s.clone(),
                &format!("master_targets[{}].packages", mt.id),
            )),
            Some(have) => {
                let missing: Vec<&str> = LINUX_MT_PACKAGES
                    .iter()
                    .copied()
                    .filter(|p| !have.iter().any(|h| h == p))
                    .collect();
                if !missing.is_empty() {
                    self.push(Finding::new(
                        RuleId::Mt002,
                        s.clone(),
                        format!(
                            "Linux master target {} lacks packages {}",
                            mt.id,
                            missing.join(" ")
                        ),
                    ));
                }
            }
        }
        match mt.custom_changes_applied {
            Some(true) => {}
            Some(false) => self.push(Finding::new(
                RuleId::Mt002,
                s.clone(),
                format!(
                    "the custom changes were not applied on Linux master target {}",
                    mt.id
                ),
            )),
            None => self.push(Finding::unknown(
                RuleId::Mt002,
                s.clone(),
                &format!("master_targets[{}].custom_changes_applied", mt.id),
            )),
        }
    }

    fn retention_checks(&mut self, mt: &MasterTarget, s: &Subject) {
        let vols = eligibility(mt);
        let default = default_volume(mt.os.family);
        if vols.is_empty() {
            self.push(
                Finding::new(
                    RuleId::Ret006,
                    s.clone(),
                    format!("{} lists no volume: no retention volume", mt.id),
                )
                .with_severity(Severity::Blocker)
                .with_remediation(format!("add the retention volume {default} to {}", mt.id)),
            );
        } else if !vols.iter().any(|v| v.eligible) {
            let mut by_rule: Vec<(RuleId, Vec<String>)> = Vec::new();
            for v in &vols {
                for r in &v.reasons {
                    match by_rule.iter_mut().find(|(k, _)| *k == r.rule) {
                        Some((_, m)) => m.push(r.message.clone()),
                        None => by_rule.push((r.rule, vec![r.message.clone()])),
                    }
                }
            }
            for (rule, msgs) in by_rule {
                self.push(Finding::new(
                    rule,
                    s.clone(),
                    format!(
                        "{} has no eligible retention volume: {}",
                        mt.id,
                        msgs.join("; ")
                    ),
                ));
            }
        } else if !vols.iter().any(|v| v.is_default && v.eligible) {
            let used: Vec<&str> = vols
                .iter()
                .filter(|v| v.eligible)
                .map(|v| v.volume.as_str())
                .collect();
            self.push(Finding::new(
                RuleId::Ret006,
                s.clone(),
                format!(
                    "{} has no eligible default retention volume {default}; eligible: {}",
                    mt.id,
                    used.join(", ")
                ),
            ));
        }
        for v in &mt.volumes {
            if let Some(at) = v.added_at {
                if self.now - at < Duration::minutes(LISTING_DELAY_MINUTES) {
                    self.push(Finding::new(
                        RuleId::Ext014,
                        s.clone(),
                        format!(
                            "volume {} of {} was added {} min ago and may not be listed yet",
                            v.name,
                            mt.id,
                            (self.now - at).num_minutes().max(0)
                        ),
                    ));
                }
            }
        }
        self.retention.push(RetentionReport {
            master_target: mt.id.clone(),
            volumes: vols,
        });
    }

    /// Connectivity of the networks the requested items failed over to (PRE-002, NET-*;
    /// classic flavour).
    fn network_checks(&mut self, specs: &[UnitSpec<'e>]) {
        let e = self.estate;
        let used: BTreeSet<&str> = specs
            .iter()
            .flat_map(|u| u.items.iter())
            .filter_map(|it| it.azure_vm.as_ref().map(|v| v.network.as_str()))
            .collect();
        let er = e.connectivity.express_route.as_ref();
        for id in used {
            let Some(net) = self.index.network(id) else {
                continue;
            };
            let s = Subject::Network(id.to_string());
            match net.created_during_protection {
                Some(true) => {}
                Some(false) => self.push(Finding::new(
                    RuleId::Pre002,
                    s.clone(),
                    format!("network {id} was not created during initial protection"),
                )),
                None => self.push(Finding::unknown(
                    RuleId::Pre002,
                    s.clone(),
                    &format!("azure_networks[{id}].created_during_protection"),
                )),
            }
            if net.site_to_site_vpn {
                continue;
            }
            let Some(er) = er else {
                self.push(Finding::new(
                    RuleId::Net001,
                    s,
                    format!(
                        "network {id} has neither a site-to-site VPN nor ExpressRoute to on-prem"
                    ),
                ));
                continue;
            };
            if !er.networks.iter().any(|n| n == id) {
                self.push(Finding::new(
                    RuleId::Net002,
                    s,
                    format!(
                        "ExpressRoute circuit {} is not configured on network {id}, and the network has no VPN",
                        er.circuit
                    ),
                ));
                continue;
            }
            match &e.azure_region {
                None => self.push(Finding::unknown(RuleId::Net003, s, "azure_region")),
                Some(region) => {
                    let ok = er.peerings.iter().any(|p| {
                        p.kind == PeeringKind::Microsoft
                            && p.regions.iter().any(|r| same_region(r, region))
                    });
                    if !ok {
                        self.push(Finding::new(
                            RuleId::Net003,
                            s,
                            format!(
                                "ExpressRoute circuit {} has no Microsoft peering to {region}: replication to the storage public endpoint cannot use it",
                                er.circuit
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// Rules that depend on every unit's choice (MT-001).
    pub(super) fn after_selection(&mut self) {
        let e = self.estate;
        for mt in e
            .master_targets
            .iter()
            .filter(|m| m.on_configuration_server)
        {
            let Some(load) = self.mt_load.get(&mt.id).copied() else {
                continue;
            };
            if load.bytes > LARGE_FAILBACK_BYTES || load.wave > 1 {
                self.push(Finding::new(
                    RuleId::Mt001,
                    Subject::MasterTarget(mt.id.clone()),
                    format!(
                        "{} is the default master target on the configuration server and would carry {} units, {} bytes in {} wave(s)",
                        mt.id, load.units, load.bytes, load.wave
                    ),
                ));
            }
        }
    }
}
