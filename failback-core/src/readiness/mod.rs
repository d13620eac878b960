//! Readiness: every rule of the catalog checked against an estate for a request, with the
//! inputs chosen for each item, and for each item every rule that blocks it.
//!
//! ```
//! use failback_core::estate::Estate;
//! use failback_core::readiness::assess;
//! use failback_core::request::Request;
//!
//! let estate = Estate::from_json_str(include_str!("../../../examples/estates/healthy.json")).unwrap();
//! let report = assess(&estate, &Request::default()).unwrap();
//! assert!(report.ready(), "{:#?}", report.blockers().collect::<Vec<_>>());
//! ```

mod items;
mod plans;
mod select;
mod servers;

pub use servers::{
    same_region, supported_linux_mt, BACKUP_MAX_AGE_DAYS, LARGE_FAILBACK_BYTES, LINUX_MT_PACKAGES,
    LISTING_DELAY_MINUTES, REQUIRED_PRIVILEGES,
};

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::estate::{
    Consistency, Estate, EstateIndex, Flavor, MasterTargetRole, OnPremAddress, OsFamily,
    ProtectedItem,
};
use crate::location::LocationDecision;
use crate::policy::FailbackPolicy;
use crate::request::{PointChoice, Request, Stage};
use crate::retention::VolumeEligibility;
use crate::rules::{Finding, RuleId, Severity, Subject};
use crate::state::ProtectionState;

/// A replication group or a single item: what moves as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// One item.
    Item,
    /// A replication group, through its recovery plan.
    Group,
}

/// Whether a stage runs on the item or on its recovery plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The replication protected item itself.
    Item,
    /// The group's recovery plan.
    RecoveryPlan,
}

/// A stage in a unit's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedStage {
    /// Which stage.
    pub stage: Stage,
    /// On the item or its recovery plan.
    pub via: Via,
    /// True when its job already runs: the run attaches to it instead of starting it.
    pub attach: bool,
}

/// The inputs chosen (or pinned) for an item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Inputs {
    /// Master target (classic) or reprotect agent (modernized).
    pub master_target: Option<String>,
    /// Process server in Azure for reprotect (classic).
    pub process_server: Option<String>,
    /// Datastore input.
    pub datastore: Option<String>,
    /// Retention volume on the master target (classic).
    pub retention_volume: Option<String>,
    /// Process server for the reprotect to Azure.
    pub return_process_server: Option<String>,
    /// Failback policy (by the forward policy it derives from).
    pub policy: Option<String>,
}

/// When the recovery point is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PointTiming {
    /// Chosen now among the item's recovery points.
    Now,
    /// Chosen at failover, after reprotect has made points (classic), or made by the
    /// planned failover when it starts (modernized).
    AtFailover,
}

/// The recovery point for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PointReport {
    /// What the request asked for.
    pub choice: PointChoice,
    /// When the point is fixed.
    pub timing: PointTiming,
    /// The point's id, when chosen now.
    pub id: Option<String>,
    /// Its time, when chosen now.
    pub time: Option<DateTime<Utc>>,
    /// Its consistency, when chosen now.
    pub consistency: Option<Consistency>,
}

/// How the data loss figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LossBasis {
    /// Measured: time between the chosen point and the latest point.
    Measured,
    /// An upper bound from the failback policy (points do not exist yet).
    PolicyBound,
    /// None beyond the point the failover makes: the modernized failback is a planned
    /// failover, which makes its own point (crash- or application-consistent) when it
    /// starts, so the loss is 0.
    PlannedFailover,
}

/// Estimated data loss of the chosen point (FO-002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DataLoss {
    /// Seconds of changes lost.
    pub seconds: u64,
    /// Measured or bounded.
    pub basis: LossBasis,
    /// The user accepted a point older than the RPO threshold.
    pub stale_accepted: bool,
}

/// A rule that blocks an item, and what it holds against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct BlockerRef {
    /// The rule.
    pub rule: RuleId,
    /// The subject of the finding (the item, its group or a server it needs).
    pub subject: Subject,
}

/// One item's readiness and chosen inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ItemReport {
    /// Item id.
    pub item: String,
    /// Item name.
    pub name: String,
    /// Its state now.
    pub state: ProtectionState,
    /// Its stages in order.
    pub stages: Vec<PlannedStage>,
    /// The inputs.
    pub inputs: Inputs,
    /// Where it lands (when reprotect is planned).
    pub location: Option<LocationDecision>,
    /// The recovery point (when failover is planned).
    pub recovery_point: Option<PointReport>,
    /// The data loss of that point.
    pub data_loss: Option<DataLoss>,
    /// Every blocker finding that stops this item.
    pub blocked_by: Vec<BlockerRef>,
    /// Its disks: what it holds of its master target's 60 from reprotect to failover.
    #[serde(default)]
    pub disks: u32,
    /// What the run checks once the item runs on-prem again (OPS-002, OPS-003), taken
    /// from the estate when the plan is made so that the run, and a resume, need the plan
    /// alone. `None` in a plan written before plans carried it: the run then reports
    /// OPS-002 for any guest listing packages without NetworkManager and cannot decide
    /// OPS-003.
    #[serde(default)]
    pub guest: Option<GuestFacts>,
}

/// An item's guest as the estate describes it: what the verify gate's after-failback
/// checks compare the failed-back VM against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GuestFacts {
    /// Windows or Linux: OPS-002 (NetworkManager) concerns Linux guests only.
    pub os_family: OsFamily,
    /// The static on-prem addresses the VM must come back with (OPS-003).
    #[serde(default)]
    pub static_addresses: Vec<OnPremAddress>,
}

impl GuestFacts {
    /// The facts of an item of the estate.
    pub fn of(item: &ProtectedItem) -> GuestFacts {
        GuestFacts {
            os_family: item.os.family,
            static_addresses: item
                .on_prem_addresses
                .iter()
                .filter(|a| a.is_static)
                .cloned()
                .collect(),
        }
    }
}

/// One unit: an item, or a replication group moving together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnitReport {
    /// Item or group.
    pub kind: UnitKind,
    /// Item id or group name.
    pub name: String,
    /// The recovery plan a group goes through.
    pub recovery_plan: Option<String>,
    /// The master target serving the whole unit.
    pub master_target: Option<String>,
    /// The wave (1-based) in which the master target has room for the unit's disks
    /// (EXT-004: 60 disks at once); 0 when no master target is needed.
    pub wave: u32,
    /// Its items.
    pub items: Vec<ItemReport>,
}

impl UnitReport {
    /// Whether any item of the unit is blocked.
    pub fn blocked(&self) -> bool {
        self.items.iter().any(|i| !i.blocked_by.is_empty())
    }
}

/// Retention volume eligibility of one master target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Master target id.
    pub master_target: String,
    /// Every volume with its reasons.
    pub volumes: Vec<VolumeEligibility>,
}

/// The readiness report.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// The estate's name.
    pub estate: Option<String>,
    /// When the estate was captured.
    pub captured_at: DateTime<Utc>,
    /// Classic or modernized.
    pub flavor: Flavor,
    /// The failback policy, when usable.
    pub policy: Option<FailbackPolicy>,
    /// Every finding, for items, groups and servers.
    pub findings: Vec<Finding>,
    /// The units requested, with their inputs and blockers.
    pub units: Vec<UnitReport>,
    /// Retention volume eligibility per master target.
    pub retention: Vec<RetentionReport>,
}

impl Assessment {
    /// Ready when no requested item is blocked and no blocker holds against the estate as
    /// a whole (the estate, its configuration server or its policy), which would stop
    /// every item, even when the request names none.
    pub fn ready(&self) -> bool {
        !self.units.iter().any(|u| u.blocked()) && !self.blockers().any(|f| f.subject.is_global())
    }

    /// The findings with blocker severity.
    pub fn blockers(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Blocker)
    }

    /// The findings of one rule.
    pub fn findings_of(&self, rule: RuleId) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    /// The report of one item.
    pub fn item(&self, id: &str) -> Option<&ItemReport> {
        self.units
            .iter()
            .flat_map(|u| u.items.iter())
            .find(|i| i.item == id)
    }

    /// Number of items requested.
    pub fn item_count(&self) -> usize {
        self.units.iter().map(|u| u.items.len()).sum()
    }

    /// Number of requested items that are blocked.
    pub fn blocked_count(&self) -> usize {
        self.units
            .iter()
            .flat_map(|u| u.items.iter())
            .filter(|i| !i.blocked_by.is_empty())
            .count()
    }
}

/// A master target's load so far: waves of at most 60 disks.
#[derive(Debug, Clone, Copy, Default)]
struct Load {
    wave: u32,
    /// Disks in the current wave.
    disks: u32,
    /// Disks of the earlier waves: they must leave the master target (fail over) before
    /// the current wave's are attached.
    earlier: u32,
    bytes: u64,
    units: u32,
}

/// What a request asks for, resolved to units.
struct UnitSpec<'e> {
    kind: UnitKind,
    name: String,
    items: Vec<&'e ProtectedItem>,
}

/// The state of one assessment.
pub(crate) struct Cx<'a, 'e> {
    index: &'a EstateIndex<'e>,
    estate: &'e Estate,
    request: &'a Request,
    now: DateTime<Utc>,
    findings: Vec<Finding>,
    blocked: HashMap<Subject, Vec<RuleId>>,
    policy: Option<FailbackPolicy>,
    retention: Vec<RetentionReport>,
    mt_load: HashMap<String, Load>,
    /// For a unit (by its subject) that no master target can take: the closest candidate
    /// of its OS family, whose own server blockers are causes of the unit's.
    closest: HashMap<Subject, String>,
    ds_used: HashMap<String, u64>,
    vol_used: HashMap<(String, String), u64>,
    ps_load: HashMap<String, u32>,
}

/// The most disks one master target (or appliance) attaches at once (EXT-004).
pub const MAX_DISKS_PER_MASTER_TARGET: u32 = 60;

impl<'a, 'e> Cx<'a, 'e> {
    fn push(&mut self, f: Finding) {
        if f.severity == Severity::Blocker {
            self.blocked
                .entry(f.subject.clone())
                .or_default()
                .push(f.rule);
        }
        self.findings.push(f);
    }

    fn role(&self) -> MasterTargetRole {
        match self.estate.flavor {
            Flavor::Classic => MasterTargetRole::MasterTarget,
            Flavor::Modernized => MasterTargetRole::ReprotectAgent,
        }
    }

    fn is_blocked(&self, s: &Subject) -> bool {
        self.blocked.contains_key(s)
    }

    fn units(&mut self) -> Vec<UnitSpec<'e>> {
        let idx = self.index;
        let mut out = Vec::new();
        if self.request.items.is_empty() && self.request.groups.is_empty() {
            let mut seen_groups = HashSet::new();
            for it in &self.estate.items {
                match &it.replication_group {
                    Some(g) => {
                        if seen_groups.insert(g.as_str()) {
                            out.push(UnitSpec {
                                kind: UnitKind::Group,
                                name: g.clone(),
                                items: idx.group(g).to_vec(),
                            });
                        }
                    }
                    None => out.push(UnitSpec {
                        kind: UnitKind::Item,
                        name: it.id.clone(),
                        items: vec![it],
                    }),
                }
            }
            return out;
        }
        let mut taken = HashSet::new();
        for g in &self.request.groups {
            if !taken.insert(g.as_str()) {
                continue;
            }
            out.push(UnitSpec {
                kind: UnitKind::Group,
                name: g.clone(),
                items: idx.group(g).to_vec(),
            });
        }
        let mut seen_items = HashSet::new();
        for id in &self.request.items {
            let Some(it) = idx.item(id) else { continue };
            if !seen_items.insert(id.as_str()) {
                continue;
            }
            if let Some(g) = &it.replication_group {
                if taken.contains(g.as_str()) {
                    continue;
                }
                self.push(Finding::new(
                    RuleId::Grp001,
                    Subject::Item(it.id.clone()),
                    format!(
                        "{} is in replication group {g}: a group moves only as a whole through its recovery plan",
                        it.id
                    ),
                ).with_remediation(format!("request the group: \"groups\": [\"{g}\"]")));
            }
            out.push(UnitSpec {
                kind: UnitKind::Item,
                name: it.id.clone(),
                items: vec![it],
            });
        }
        out
    }

    /// Links every blocker finding to the items it stops.
    fn link(&self, units: &mut [UnitReport]) {
        // No blocker at all: every `blocked_by` stays empty.
        if self.blocked.is_empty() {
            return;
        }
        let global: Vec<BlockerRef> = self
            .blocked
            .iter()
            .filter(|(s, _)| s.is_global())
            .flat_map(|(s, rules)| {
                rules.iter().map(|r| BlockerRef {
                    rule: *r,
                    subject: s.clone(),
                })
            })
            .collect();
        for u in units.iter_mut() {
            let group = (u.kind == UnitKind::Group).then(|| Subject::Group(u.name.clone()));
            let unit = group
                .clone()
                .unwrap_or_else(|| Subject::Item(u.name.clone()));
            // A unit no master target can take is also stopped by what holds against the
            // closest candidate's own servers (its master target, host and vCenter).
            let closest = self.closest.get(&unit).map(String::as_str);
            for it in u.items.iter_mut() {
                let mut subjects = vec![Subject::Item(it.item.clone())];
                subjects.extend(group.clone());
                let mut hosts = Vec::new();
                if let Some(mt) = it
                    .inputs
                    .master_target
                    .as_deref()
                    .or(closest)
                    .and_then(|m| self.index.master_target(m))
                {
                    subjects.push(Subject::MasterTarget(mt.id.clone()));
                    hosts.push(mt.host.as_str());
                }
                if let Some(loc) = &it.location {
                    hosts.push(loc.host.as_str());
                    subjects.push(Subject::Datastore(loc.datastore.clone()));
                }
                // vCenter discovery (PRE-003, OPS-001) matters to reprotect only: failover
                // and commit work with a read-only discovery account.
                let reprotects = it
                    .stages
                    .iter()
                    .any(|p| p.stage == Stage::Reprotect && !p.attach);
                for h in hosts {
                    subjects.push(Subject::Host(h.to_string()));
                    if !reprotects {
                        continue;
                    }
                    if let Some(vc) = self.index.host(h).and_then(|h| h.vcenter.clone()) {
                        subjects.push(Subject::VCenter(vc));
                    }
                }
                if let Some(ps) = &it.inputs.process_server {
                    subjects.push(Subject::ProcessServer(ps.clone()));
                }
                if let Some(vm) = self.index.item(&it.item).and_then(|i| i.azure_vm.as_ref()) {
                    subjects.push(Subject::Network(vm.network.clone()));
                }
                let mut refs: Vec<BlockerRef> = global.clone();
                let mut seen = HashSet::new();
                for s in subjects {
                    if !seen.insert(s.clone()) {
                        continue;
                    }
                    if let Some(rules) = self.blocked.get(&s) {
                        refs.extend(rules.iter().map(|r| BlockerRef {
                            rule: *r,
                            subject: s.clone(),
                        }));
                    }
                }
                refs.sort_by(|a, b| (a.rule, &a.subject).cmp(&(b.rule, &b.subject)));
                refs.dedup();
                it.blocked_by = refs;
            }
        }
    }
}

/// Assess an estate for a request: every rule, the inputs for each item, and for each item
/// every rule that blocks it. Fails only on bad input (a request naming what the estate
/// lacks).
pub fn assess(estate: &Estate, request: &Request) -> Result<Assessment> {
    let index = EstateIndex::new(estate);
    request.check_against(&index)?;
    let mut cx = Cx {
        index: &index,
        estate,
        request,
        now: estate.captured_at,
        findings: Vec::new(),
        blocked: HashMap::new(),
        policy: None,
        retention: Vec::new(),
        mt_load: HashMap::new(),
        closest: HashMap::new(),
        ds_used: HashMap::new(),
        vol_used: HashMap::new(),
        ps_load: HashMap::new(),
    };
    let specs = cx.units();
    cx.mixed_plan_checks(&specs);
    cx.server_checks(&specs);
    let mut units: Vec<UnitReport> = specs.iter().map(|s| cx.assess_unit(s)).collect();
    cx.after_selection();
    cx.link(&mut units);
    Ok(Assessment {
        estate: estate.name.clone(),
        captured_at: estate.captured_at,
        flavor: estate.flavor,
        policy: cx.policy,
        findings: cx.findings,
        units,
        retention: cx.retention,
    })
}
