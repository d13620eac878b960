//! Checks of items and groups: state and stages (FO-*, EXT-009), the Azure VM (EXT-008,
//! OPS-002, OPS-003), the configuration server's database (PRE-005), groups (GRP-*,
//! EXT-006), process servers (PS-*) and recovery points (EXT-007, FO-002).

use std::collections::BTreeSet;

use chrono::Duration;

use super::{
    Cx, DataLoss, GuestFacts, Inputs, ItemReport, LossBasis, PlannedStage, PointReport,
    PointTiming, UnitKind, UnitReport, UnitSpec, Via,
};
use crate::estate::{
    Consistency, DeploymentModel, Flavor, ItemKind, LicenceEdition, OsFamily, ProtectedItem,
    PsLocation, RecoveryPoint,
};
use crate::policy::{APP_CONSISTENT_FREQUENCY_MINUTES, RPO_THRESHOLD_MINUTES};
use crate::request::{PointChoice, Stage};
use crate::rules::{Finding, RuleId, Severity, Subject};
use crate::state::ProtectionState as S;

/// The stages still ahead of an item in a state, with whether the first one's job runs.
fn ahead(state: S) -> (&'static [Stage], bool) {
    use Stage::*;
    match state {
        S::FailedOverToAzure => (&[Reprotect, Failover, Commit, ReprotectToAzure], false),
        S::Reprotecting => (&[Reprotect, Failover, Commit, ReprotectToAzure], true),
        S::ReplicatingToOnPrem => (&[Failover, Commit, ReprotectToAzure], false),
        S::FailingBack => (&[Failover, Commit, ReprotectToAzure], true),
        S::FailedBackAwaitingCommit => (&[Commit, ReprotectToAzure], false),
        S::Committing => (&[Commit, ReprotectToAzure], true),
        S::CommittedUnprotected => (&[ReprotectToAzure], false),
        S::ReprotectingToAzure => (&[ReprotectToAzure], true),
        S::Protected | S::MigrationCompleted | S::ProtectionDisabled => (&[], false),
    }
}

/// The rule that guards a stage's predecessor.
fn predecessor_rule(stage: Stage) -> RuleId {
    match stage {
        Stage::Failover => RuleId::Fo001,
        Stage::Commit => RuleId::Fo004,
        _ => RuleId::Fo005,
    }
}

impl<'a, 'e> Cx<'a, 'e> {
    pub(super) fn assess_unit(&mut self, spec: &UnitSpec<'e>) -> UnitReport {
        let group = spec.kind == UnitKind::Group;
        let unit_subject = if group {
            Subject::Group(spec.name.clone())
        } else {
            Subject::Item(spec.name.clone())
        };
        let recovery_plan = if group { self.group_checks(spec) } else { None };
        let via = if group { Via::RecoveryPlan } else { Via::Item };
        let mut reports: Vec<ItemReport> = spec
            .items
            .iter()
            .map(|it| {
                let stages = self.stages(it, via);
                self.item_checks(it, &stages);
                ItemReport {
                    item: it.id.clone(),
                    name: it.name.clone(),
                    state: it.state,
                    stages,
                    inputs: Inputs {
                        master_target: it.master_target.clone(),
                        policy: self.policy.as_ref().map(|p| p.derived_from().to_string()),
                        ..Inputs::default()
                    },
                    location: None,
                    recovery_point: None,
                    data_loss: None,
                    blocked_by: Vec::new(),
                    disks: u32::try_from(it.disks.len()).unwrap_or(u32::MAX),
                    guest: Some(GuestFacts::of(it)),
                }
            })
            .collect();
        let plans = |r: &ItemReport, s: Stage| r.stages.iter().any(|p| p.stage == s);
        let needs_inputs = reports.iter().any(|r| {
            r.stages
                .iter()
                .any(|p| p.stage == Stage::Reprotect && !p.attach)
        });
        let mut master_target = spec.items.first().and_then(|i| i.master_target.clone());
        let mut wave = 0;
        if needs_inputs {
            let sel = self.select_master_target(spec, &unit_subject);
            master_target = sel.master_target.clone();
            wave = sel.wave;
            for (r, (d, it)) in reports
                .iter_mut()
                .zip(sel.decisions.into_iter().zip(&spec.items))
            {
                r.inputs.master_target = sel.master_target.clone();
                r.inputs.retention_volume = sel.retention_volume.clone();
                r.inputs.datastore = d.as_ref().map(|d| d.datastore.clone());
                r.location = d;
                if self.estate.flavor == Flavor::Classic {
                    r.inputs.process_server = self.select_process_server(spec, it);
                }
            }
        }
        for (r, it) in reports.iter_mut().zip(&spec.items) {
            if plans(r, Stage::ReprotectToAzure) {
                r.inputs.return_process_server = self.return_process_server(it);
            }
            self.licence_check(r, it);
        }
        // Only a failover still to be issued chooses a point: one already running (attach)
        // chose it when issued, and its age must not block re-attaching (FO-001, EXT-007).
        let issues_failover = |r: &ItemReport| {
            r.stages
                .iter()
                .any(|p| p.stage == Stage::Failover && !p.attach)
        };
        if reports.iter().any(issues_failover) {
            self.recovery_points(spec, &unit_subject, &mut reports);
        }
        UnitReport {
            kind: spec.kind,
            name: spec.name.clone(),
            recovery_plan,
            master_target,
            wave,
            items: reports,
        }
    }

    /// GRP-001, GRP-002, EXT-006 for a group; returns its recovery plan.
    fn group_checks(&mut self, spec: &UnitSpec<'e>) -> Option<String> {
        let s = Subject::Group(spec.name.clone());
        let members: BTreeSet<&str> = spec.items.iter().map(|i| i.id.as_str()).collect();
        let plan = self.group_plan(&spec.name).map(|p| p.name.clone());
        if plan.is_none() {
            self.push(Finding::new(
                RuleId::Grp001,
                s.clone(),
                format!(
                    "no recovery plan holds every member of group {} ({})",
                    spec.name,
                    members.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let states: BTreeSet<S> = spec.items.iter().map(|i| i.state).collect();
        if states.len() > 1 {
            self.push(Finding::new(
                RuleId::Grp001,
                s.clone(),
                format!(
                    "members of group {} are at different stages ({}): a group moves together",
                    spec.name,
                    states
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let families: BTreeSet<OsFamily> = spec.items.iter().map(|i| i.os.family).collect();
        if families.len() > 1 {
            self.push(Finding::new(
                RuleId::Ext006,
                s.clone(),
                format!("group {} mixes Windows and Linux members", spec.name),
            ));
        }
        let existing: BTreeSet<&str> = spec
            .items
            .iter()
            .filter_map(|i| i.master_target.as_deref())
            .collect();
        if existing.len() > 1 {
            self.push(Finding::new(
                RuleId::Grp002,
                s.clone(),
                format!(
                    "members of group {} replicate through different master targets ({})",
                    spec.name,
                    existing.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let pinned: BTreeSet<String> = spec
            .items
            .iter()
            .filter_map(|i| self.pins_for(spec, &i.id).master_target)
            .collect();
        if pinned.len() > 1 {
            self.push(Finding::new(
                RuleId::Grp002,
                s,
                format!(
                    "the request pins different master targets for members of group {} ({})",
                    spec.name,
                    pinned.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        plan
    }

    /// The stages the request runs for an item; FO-001/004/005, FO-003, EXT-009.
    fn stages(&mut self, it: &ProtectedItem, via: Via) -> Vec<PlannedStage> {
        let s = Subject::Item(it.id.clone());
        if matches!(it.state, S::MigrationCompleted | S::ProtectionDisabled) {
            self.push(Finding::new(
                RuleId::Ext009,
                s,
                format!(
                    "{} is in state {}: failback is not possible",
                    it.id, it.state
                ),
            ));
            return Vec::new();
        }
        let (ahead, running) = ahead(it.state);
        let mut out = Vec::new();
        for (i, stage) in ahead.iter().copied().enumerate() {
            if !self.request.wants(stage) {
                continue;
            }
            if i > 0 && !self.request.wants(ahead[i - 1]) {
                let prev = ahead[i - 1];
                self.push(
                    Finding::new(
                        predecessor_rule(stage),
                        s.clone(),
                        format!(
                            "the request runs {stage} for {} but not {prev}, which has not completed (state: {})",
                            it.id, it.state
                        ),
                    )
                    .with_severity(Severity::Blocker)
                    .with_remediation(format!("include the {prev} stage")),
                );
            }
            // Every stage of a group runs on its recovery plan (GRP-001: a group is
            // reprotected only through its recovery plan, with the inputs of every member).
            out.push(PlannedStage {
                stage,
                via,
                attach: i == 0 && running,
            });
        }
        let has = |st: Stage| out.iter().any(|p| p.stage == st);
        if has(Stage::Failover) {
            self.push(Finding::new(
                RuleId::Fo003,
                s.clone(),
                format!(
                    "failover will shut down Azure VM of {}; verify it is down",
                    it.id
                ),
            ));
        }
        if (has(Stage::Commit) || it.state == S::CommittedUnprotected)
            && !has(Stage::ReprotectToAzure)
        {
            self.push(Finding::new(
                RuleId::Fo005,
                s,
                format!(
                    "{} will be unprotected after commit: the request does not reprotect it to Azure",
                    it.id
                ),
            ));
        }
        out
    }

    /// Checks of one item that need no chosen input.
    fn item_checks(&mut self, it: &ProtectedItem, stages: &[PlannedStage]) {
        let s = Subject::Item(it.id.clone());
        let reprotect = stages
            .iter()
            .any(|p| p.stage == Stage::Reprotect && !p.attach);
        let before_commit = matches!(
            it.state,
            S::FailedOverToAzure
                | S::Reprotecting
                | S::ReplicatingToOnPrem
                | S::FailingBack
                | S::FailedBackAwaitingCommit
        );
        if self.estate.flavor == Flavor::Classic && before_commit {
            match self.index.in_database(&it.id) {
                Some(true) => {}
                Some(false) => self.push(Finding::new(
                    RuleId::Pre005,
                    s.clone(),
                    format!("{} is not in the configuration server's database", it.id),
                )),
                None => self.push(Finding::unknown(
                    RuleId::Pre005,
                    s.clone(),
                    "configuration_server.database_items",
                )),
            }
        }
        if it.kind == ItemKind::PhysicalServer && it.os.family == OsFamily::Windows {
            let v = it.os.version.as_deref().unwrap_or("").to_ascii_lowercase();
            if v.contains("2008 r2") && (v.contains("sp1") || v.contains("service pack 1")) {
                self.push(Finding::new(
                    RuleId::Ext012,
                    s.clone(),
                    format!("{} is a Windows Server 2008 R2 SP1 physical server", it.id),
                ));
            }
        }
        if it.kind == ItemKind::PhysicalServer
            && reprotect
            && !self.estate.master_targets.iter().any(|m| {
                m.role == self.role() && self.index.host(&m.host).is_some_and(|h| h.discovered)
            })
        {
            self.push(Finding::new(
                RuleId::Loc003,
                s.clone(),
                format!(
                    "{} is a physical server and no master target runs on a discovered ESX host",
                    it.id
                ),
            ));
        }
        match &it.azure_vm {
            None if before_commit => {
                self.push(Finding::unknown(
                    RuleId::Ext009,
                    s.clone(),
                    &format!("items[{}].azure_vm", it.id),
                ));
            }
            None => {}
            Some(vm) => {
                if before_commit && vm.deleted {
                    self.push(Finding::new(
                        RuleId::Ext009,
                        s.clone(),
                        format!("Azure VM {} of {} was deleted", vm.id, it.id),
                    ));
                }
                if let Some(orig) = &vm.original_resource_group {
                    if before_commit && *orig != vm.resource_group {
                        self.push(Finding::new(
                            RuleId::Ext009,
                            s.clone(),
                            format!(
                                "Azure VM {} was moved from resource group {orig} to {}",
                                vm.id, vm.resource_group
                            ),
                        ));
                    }
                }
                if reprotect && !vm.deleted {
                    self.agent_check(it, vm, &s);
                }
                self.after_failback_checks(it, vm, &s);
            }
        }
    }

    fn agent_check(&mut self, it: &ProtectedItem, vm: &crate::estate::AzureVm, s: &Subject) {
        match (vm.running, vm.agent_registered) {
            (Some(false), _) => self.push(Finding::new(
                RuleId::Ext008,
                s.clone(),
                format!("Azure VM {} of {} is not running", vm.id, it.id),
            )),
            (_, Some(false)) => {
                let recent = vm
                    .booted_at
                    .map(|b| self.now - b < Duration::minutes(15))
                    .unwrap_or(false);
                self.push(Finding::new(
                    RuleId::Ext008,
                    s.clone(),
                    format!(
                        "the ASR agent of Azure VM {} is not registered{}",
                        vm.id,
                        if recent {
                            " yet (booted less than 15 minutes ago)"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            (None, _) => self.push(Finding::unknown(
                RuleId::Ext008,
                s.clone(),
                &format!("items[{}].azure_vm.running", it.id),
            )),
            (_, None) => self.push(Finding::unknown(
                RuleId::Ext008,
                s.clone(),
                &format!("items[{}].azure_vm.agent_registered", it.id),
            )),
            _ => {}
        }
    }

    /// OPS-002 and OPS-003: what to fix once the item is back on-prem.
    fn after_failback_checks(
        &mut self,
        it: &ProtectedItem,
        vm: &crate::estate::AzureVm,
        s: &Subject,
    ) {
        if it.os.family == OsFamily::Linux {
            match &vm.packages {
                None => self.push(
                    Finding::unknown(
                        RuleId::Ops002,
                        s.clone(),
                        &format!("items[{}].azure_vm.packages", it.id),
                    )
                    .with_severity(Severity::Warning),
                ),
                Some(p) if !p.iter().any(|x| x.eq_ignore_ascii_case("NetworkManager")) => self
                    .push(Finding::new(
                        RuleId::Ops002,
                        s.clone(),
                        format!(
                            "{} has no NetworkManager package: reinstall it after failback",
                            it.id
                        ),
                    )),
                Some(_) => {}
            }
        }
        for addr in it.on_prem_addresses.iter().filter(|a| a.is_static) {
            let dhcp = vm.nics.iter().any(|n| n.dhcp);
            if dhcp {
                self.push(
                    Finding::new(
                        RuleId::Ops003,
                        s.clone(),
                        format!(
                            "{} had static address {} on NIC {} and uses DHCP in Azure: it keeps DHCP after failback",
                            it.id, addr.address, addr.nic
                        ),
                    )
                    .with_remediation(format!(
                        "after failback set {} statically on NIC {} again",
                        addr.address, addr.nic
                    )),
                );
            }
        }
    }

    /// OPS-004: the host the item lands on has a free licence.
    fn licence_check(&mut self, r: &ItemReport, it: &ProtectedItem) {
        if !matches!(
            it.state,
            S::FailedOverToAzure | S::Reprotecting | S::ReplicatingToOnPrem
        ) {
            return;
        }
        let host = r.location.as_ref().map(|l| l.host.clone()).or_else(|| {
            r.inputs
                .master_target
                .as_deref()
                .and_then(|m| self.index.master_target(m))
                .map(|m| m.host.clone())
        });
        let Some(h) = host.as_deref().and_then(|h| self.index.host(h)) else {
            return;
        };
        if h.licence
            .as_ref()
            .is_some_and(|l| l.edition == LicenceEdition::Free)
        {
            self.push(Finding::new(
                RuleId::Ops004,
                Subject::Item(it.id.clone()),
                format!(
                    "{} failed over to Azure, but failback to free-licensed host {} will be refused",
                    it.id, h.id
                ),
            ));
        }
    }

    /// Chooses the Azure process server for an item's reprotect (PS-001..004).
    fn select_process_server(&mut self, spec: &UnitSpec<'e>, it: &ProtectedItem) -> Option<String> {
        let s = Subject::Item(it.id.clone());
        let vm = it.azure_vm.as_ref()?;
        let pin = self.pins_for(spec, &it.id).process_server;
        let candidates: Vec<&crate::estate::ProcessServer> = self
            .estate
            .process_servers
            .iter()
            .filter(|p| match &pin {
                Some(id) => p.id == *id,
                None => p.location == PsLocation::Azure,
            })
            .collect();
        let deploy_hint = |model: DeploymentModel| {
            match model {
            DeploymentModel::ResourceManager => format!(
                "deploy a Resource Manager process server in network {}: have the resource group, server name, user name and password, storage account, subnet and a NIC you created",
                vm.network
            ),
            DeploymentModel::Classic => format!(
                "deploy a classic process server in network {} from the gallery image \"Microsoft Azure Site Recovery Process Server V2\"",
                vm.network
            ),
        }
        };
        if candidates.is_empty() {
            self.push(Finding::new(
                RuleId::Ps001,
                s.clone(),
                format!("no process server runs in Azure for {}", it.id),
            ));
            self.push(Finding::new(
                RuleId::Ps004,
                s,
                deploy_hint(vm.deployment_model),
            ));
            return None;
        }
        let mut best: Option<(&crate::estate::ProcessServer, (bool, u32))> = None;
        let mut closest: Option<(&crate::estate::ProcessServer, usize)> = None;
        // Cheap tests first (place, then network, then the model lookup); the closest
        // misfit is looked for only when nothing fits.
        for ps in candidates.iter().copied() {
            if ps.location != PsLocation::Azure
                || ps.network.as_deref() != Some(vm.network.as_str())
                || self.index.ps_model(ps) != Some(vm.deployment_model)
            {
                continue;
            }
            let rank = (
                !self.blocked.is_empty() && self.is_blocked(&Subject::ProcessServer(ps.id.clone())),
                self.ps_load.get(&ps.id).copied().unwrap_or(0),
            );
            if best.as_ref().is_none_or(|(_, r)| rank < *r) {
                best = Some((ps, rank));
            }
        }
        if best.is_none() {
            for ps in candidates {
                let model_ok = self.index.ps_model(ps) == Some(vm.deployment_model);
                let net_ok = ps.network.as_deref() == Some(vm.network.as_str());
                let wrong_place = ps.location != PsLocation::Azure;
                let bad = usize::from(!model_ok) + usize::from(!net_ok) + usize::from(wrong_place);
                if closest.as_ref().is_none_or(|(_, b)| bad < *b) {
                    closest = Some((ps, bad));
                }
            }
        }
        if let Some((ps, _)) = best {
            *self.ps_load.entry(ps.id.clone()).or_default() += 1;
            return Some(ps.id.clone());
        }
        if let Some((ps, _)) = closest {
            if ps.location != PsLocation::Azure {
                self.push(Finding::new(
                    RuleId::Ps001,
                    s.clone(),
                    format!("pinned process server {} is not in Azure", ps.id),
                ));
            }
            let model = self.index.ps_model(ps);
            if model != Some(vm.deployment_model) {
                self.push(Finding::new(
                    RuleId::Ps002,
                    s.clone(),
                    format!(
                        "{} is a {} VM but process server {} is {}",
                        it.id,
                        vm.deployment_model,
                        ps.id,
                        model.map_or("of unknown model".to_string(), |m| m.to_string())
                    ),
                ));
            }
            if ps.network.as_deref() != Some(vm.network.as_str()) {
                self.push(Finding::new(
                    RuleId::Ps003,
                    s.clone(),
                    format!(
                        "{} is in network {} but process server {} is in {}",
                        it.id,
                        vm.network,
                        ps.id,
                        ps.network.as_deref().unwrap_or("no network")
                    ),
                ));
            }
            self.push(Finding::new(
                RuleId::Ps004,
                s,
                deploy_hint(vm.deployment_model),
            ));
        }
        None
    }

    /// The on-prem process server for the reprotect to Azure (FO-005 when none).
    fn return_process_server(&mut self, it: &ProtectedItem) -> Option<String> {
        let on_prem = self
            .estate
            .process_servers
            .iter()
            .filter(|p| p.location == PsLocation::OnPrem)
            .min_by_key(|p| (p.running != Some(true), p.id.as_str()));
        match on_prem {
            Some(p) => Some(p.id.clone()),
            None => {
                self.push(Finding::new(
                    RuleId::Fo005,
                    Subject::Item(it.id.clone()),
                    format!(
                        "no on-prem process server to reprotect {} to Azure with: it stays unprotected after commit",
                        it.id
                    ),
                ));
                None
            }
        }
    }

    /// The modernized failback is a planned failover: it makes its own point (crash- or
    /// application-consistent) when it starts, so no existing point is needed, none can be
    /// stale (FO-001's RPO guard is the classic flavour's), nothing beyond it is lost (no
    /// FO-002), and a named point cannot be chosen (EXT-007).
    fn planned_failover_point(
        &mut self,
        choice: &PointChoice,
        unit: &Subject,
        reports: &mut [ItemReport],
    ) {
        if let PointChoice::Point { id } = choice {
            self.push(
                Finding::new(
                    RuleId::Ext007,
                    unit.clone(),
                    format!(
                        "recovery point {id} cannot be chosen: the modernized failback is a planned failover, which makes its own point when it starts"
                    ),
                )
                .with_remediation(
                    "choose latest (a crash-consistent point made at failover) or latest_application_consistent (an application-consistent point made at failover)",
                ),
            );
            return;
        }
        for r in reports.iter_mut() {
            r.recovery_point = Some(PointReport {
                choice: choice.clone(),
                timing: PointTiming::AtFailover,
                id: None,
                time: None,
                consistency: None,
            });
            r.data_loss = Some(DataLoss {
                seconds: 0,
                basis: LossBasis::PlannedFailover,
                stale_accepted: false,
            });
        }
    }

    /// Chooses each member's recovery point and its data loss. Classic: an item fails over
    /// to the point the request names; a group fails over through its recovery plan, each
    /// member to its own latest (or latest application-consistent) point, and a named
    /// point is not offered for recovery plans (EXT-007).
    fn recovery_points(&mut self, spec: &UnitSpec<'e>, unit: &Subject, reports: &mut [ItemReport]) {
        let choice = self.request.recovery_point.clone();
        if self.estate.flavor == Flavor::Modernized {
            self.planned_failover_point(&choice, unit, reports);
            return;
        }
        let group = spec.kind == UnitKind::Group;
        if let (true, PointChoice::Point { id }) = (group, &choice) {
            self.push(
                Finding::new(
                    RuleId::Ext007,
                    unit.clone(),
                    format!(
                        "recovery point {id} cannot be chosen for group {}: it fails over through its recovery plan, and custom points are not offered for recovery plans",
                        spec.name
                    ),
                )
                .with_remediation(
                    "choose latest or latest_application_consistent: each member then fails over to its own point (a custom point is offered only to an item failed over on its own, which a member of a replication group cannot be)",
                ),
            );
            return;
        }
        let rpo = self
            .policy
            .as_ref()
            .map_or(RPO_THRESHOLD_MINUTES, |p| p.rpo_threshold_minutes());
        let app = self
            .policy
            .as_ref()
            .map_or(APP_CONSISTENT_FREQUENCY_MINUTES, |p| {
                p.app_consistent_frequency_minutes()
            });
        let reprotect_first = reports
            .iter()
            .any(|r| r.stages.iter().any(|p| p.stage == Stage::Reprotect));
        if reprotect_first {
            // Points come from the reprotect: bound the loss by the policy.
            if let PointChoice::Point { id } = &choice {
                self.push(
                    Finding::new(
                        RuleId::Ext007,
                        unit.clone(),
                        format!(
                            "recovery point {id} cannot be chosen before reprotect has made points"
                        ),
                    )
                    .with_remediation(
                        "choose latest or latest_application_consistent, or reprotect first",
                    ),
                );
            }
            let bound = match choice {
                PointChoice::LatestApplicationConsistent => {
                    self.push(Finding::new(
                        RuleId::Fo002,
                        unit.clone(),
                        format!("the latest application-consistent point loses up to {app} min of changes (one snapshot interval)"),
                    ));
                    u64::from(app) * 60
                }
                _ => 0,
            };
            for r in reports.iter_mut() {
                r.recovery_point = Some(PointReport {
                    choice: choice.clone(),
                    timing: PointTiming::AtFailover,
                    id: None,
                    time: None,
                    consistency: None,
                });
                r.data_loss = Some(DataLoss {
                    seconds: bound,
                    basis: LossBasis::PolicyBound,
                    stale_accepted: false,
                });
            }
            return;
        }
        // Each member's own point, and its own latest point.
        let mut picks: Vec<(&RecoveryPoint, chrono::DateTime<chrono::Utc>)> = Vec::new();
        let mut without_any = Vec::new();
        let mut without_match = Vec::new();
        for it in &spec.items {
            let pts = &it.recovery_points;
            let Some(latest) = pts.iter().map(|p| p.time).max() else {
                without_any.push(it.id.as_str());
                continue;
            };
            let pick = match &choice {
                PointChoice::Latest => pts.iter().max_by_key(|p| p.time),
                PointChoice::LatestApplicationConsistent => pts
                    .iter()
                    .filter(|p| p.consistency == Consistency::ApplicationConsistent)
                    .max_by_key(|p| p.time),
                PointChoice::Point { id } => pts.iter().find(|p| p.id == *id),
            };
            match pick {
                Some(p) => picks.push((p, latest)),
                None => without_match.push(it.id.as_str()),
            }
        }
        for id in &without_any {
            self.push(Finding::new(
                RuleId::Ext007,
                unit.clone(),
                format!("{id} has no recovery point"),
            ));
        }
        if !without_match.is_empty() {
            let message = match &choice {
                PointChoice::Point { id } => {
                    format!("the requested recovery point {id} does not exist")
                }
                _ if group => format!(
                    "no application-consistent recovery point exists for {} (each member of group {} fails over to its own)",
                    without_match.join(", "),
                    spec.name
                ),
                _ => format!(
                    "no application-consistent recovery point exists for {}",
                    without_match.join(", ")
                ),
            };
            self.push(Finding::new(RuleId::Ext007, unit.clone(), message));
        }
        if !without_any.is_empty() || !without_match.is_empty() {
            return;
        }
        // Replication is as far behind as the member whose latest point is oldest.
        let oldest_latest = picks.iter().map(|(_, l)| *l).min();
        let age = oldest_latest.map_or(Duration::zero(), |l| self.now - l);
        let stale = age > Duration::minutes(i64::from(rpo));
        if stale && !self.request.accept_stale_point {
            self.push(
                Finding::new(
                    RuleId::Fo001,
                    unit.clone(),
                    format!(
                        "replication to on-prem is behind: the latest point is {} min old, beyond the {rpo}-min RPO threshold",
                        age.num_minutes()
                    ),
                )
                .with_remediation("wait for replication to catch up, or set accept_stale_point to accept the data loss"),
            );
        }
        // Each member loses what it wrote after its own point.
        let loss_of = |(p, latest): &(&RecoveryPoint, chrono::DateTime<chrono::Utc>)| {
            (*latest - p.time).num_seconds().max(0) as u64
        };
        let minutes = |l: u64| format!("{} min {} s", l / 60, l % 60);
        let losing: Vec<String> = spec
            .items
            .iter()
            .zip(&picks)
            .filter(|(_, pick)| loss_of(pick) > 0)
            .map(|(it, pick @ (p, _))| {
                let what = format!(
                    "recovery point {} at {} loses {} of changes made after it",
                    p.id,
                    p.time.to_rfc3339(),
                    minutes(loss_of(pick))
                );
                if group {
                    format!("{}: {what}", it.id)
                } else {
                    what
                }
            })
            .collect();
        if !losing.is_empty() {
            self.push(Finding::new(
                RuleId::Fo002,
                unit.clone(),
                if group {
                    format!(
                        "each member of group {} fails over to its own point; {}",
                        spec.name,
                        losing.join("; ")
                    )
                } else {
                    losing.join("; ")
                },
            ));
        }
        for (r, pick @ (p, _)) in reports.iter_mut().zip(&picks) {
            r.recovery_point = Some(PointReport {
                choice: choice.clone(),
                timing: PointTiming::Now,
                id: Some(p.id.clone()),
                time: Some(p.time),
                consistency: Some(p.consistency),
            });
            r.data_loss = Some(DataLoss {
                seconds: loss_of(pick),
                basis: LossBasis::Measured,
                stale_accepted: stale && self.request.accept_stale_point,
            });
        }
    }
}
