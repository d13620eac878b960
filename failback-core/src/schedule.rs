//! The shape of a run: the applications of a plan (what cuts over together, in which boot
//! order, on which cutover wave) and its phases with their estimated durations.
//!
//! An **application** is, in this order of precedence:
//! - a recovery plan of the estate every member of which is in the plan: it fails over
//!   and commits as a whole, through the plan, its boot groups in order;
//! - an application of the request (`applications`): its items fail over one by one, boot
//!   group after boot group, and are verified and committed together;
//! - any other unit, alone.
//!
//! Its **wave** is the latest wave of its units (EXT-004): its cutover waits until every
//! unit of that wave replicates healthily (or only its own units, with `cutover.start:
//! per_application`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, InputError};
use crate::estate::{Estate, EstateIndex, Flavor};
use crate::readiness::UnitReport;
use crate::request::{Request, Stage};
use crate::runbook::{CommitPolicy, Phase};
use crate::timing::TimingModel;

/// Where an application comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    /// A recovery plan of the estate: failover and commit act on the plan.
    RecoveryPlan,
    /// An application of the request: item by item, boot group after boot group.
    Request,
    /// A unit on its own.
    Unit,
}

/// One boot group of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BootGroupPlan {
    /// Its items, in plan order.
    pub items: Vec<String>,
    /// Manual actions before it (recovery plans only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_actions: Vec<String>,
    /// Manual actions after it (recovery plans only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_actions: Vec<String>,
}

/// An application of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationPlan {
    /// Its name: the recovery plan's, the request's, or the unit's.
    pub name: String,
    /// Where it comes from.
    pub kind: ApplicationKind,
    /// The recovery plan its failover and commit go through.
    pub recovery_plan: Option<String>,
    /// Indexes of its units in the plan's `units`.
    pub units: Vec<usize>,
    /// Its boot groups in order.
    pub boot_groups: Vec<BootGroupPlan>,
    /// Its cutover wave (the latest wave of its units; 0 when none reprotects).
    pub wave: u32,
    /// Estimated seconds of its cutover: the failovers of its boot groups one after the
    /// other.
    pub cutover_estimate_seconds: u64,
}

impl ApplicationPlan {
    /// Every item, in boot order.
    pub fn items(&self) -> impl Iterator<Item = &str> {
        self.boot_groups
            .iter()
            .flat_map(|g| g.items.iter().map(|s| s.as_str()))
    }
}

/// One phase of one wave, with its estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PhasePlan {
    /// The phase.
    pub phase: Phase,
    /// The cutover wave.
    pub wave: u32,
    /// The applications in it.
    pub applications: Vec<String>,
    /// The units in it.
    pub units: usize,
    /// Estimated seconds.
    pub estimated_seconds: u64,
}

/// Something about the run's shape that the plan reports (windows too short, a commit
/// policy the flavour cannot keep).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScheduleFinding {
    /// Whether it refuses the plan.
    pub blocks: bool,
    /// The application concerned, if one.
    pub application: Option<String>,
    /// What holds, with the figures.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
}

/// The run's shape: applications, phases and findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// The applications, in plan order of their first unit.
    pub applications: Vec<ApplicationPlan>,
    /// Phases per wave with estimates.
    pub phases: Vec<PhasePlan>,
    /// Findings about windows and policies.
    pub findings: Vec<ScheduleFinding>,
}

fn secs(d: Duration) -> u64 {
    d.as_secs()
}

fn request_error(path: String, message: String, fix: &str) -> InputError {
    InputError::new("request", path, message, fix)
}

/// The run's shape for `units` (the plan's, in order) of `estate` under `request`, with
/// estimates from `model`. Bad input (a request application naming an item the plan does
/// not move, or one in two applications) is an error naming the request field.
pub fn shape(
    estate: &Estate,
    units: &[UnitReport],
    request: &Request,
    model: &TimingModel,
) -> Result<Shape, Error> {
    let index = EstateIndex::new(estate);
    let mut unit_of: HashMap<&str, usize> = HashMap::new();
    for (u, unit) in units.iter().enumerate() {
        for it in &unit.items {
            unit_of.insert(it.item.as_str(), u);
        }
    }
    let mut taken: HashMap<usize, usize> = HashMap::new();
    let mut apps: Vec<ApplicationPlan> = Vec::new();
    let mut problems = Vec::new();

    // Recovery plans whose every member moves: applications through the plan.
    for rp in &estate.recovery_plans {
        if rp.items.is_empty() || !rp.items.iter().all(|i| unit_of.contains_key(i.as_str())) {
            continue;
        }
        let members: BTreeSet<usize> = rp.items.iter().map(|i| unit_of[i.as_str()]).collect();
        // A unit's items must all be in the plan (a replication group split over two plans
        // is a readiness matter).
        if members
            .iter()
            .any(|&u| units[u].items.iter().any(|it| !rp.items.contains(&it.item)))
            || members.iter().any(|u| taken.contains_key(u))
        {
            continue;
        }
        let a = apps.len();
        for &u in &members {
            taken.insert(u, a);
        }
        let boot_groups = rp
            .boot_groups()
            .into_iter()
            .map(|g| BootGroupPlan {
                items: g.items,
                start_actions: g.start_actions.into_iter().map(|x| x.name).collect(),
                end_actions: g.end_actions.into_iter().map(|x| x.name).collect(),
            })
            .collect();
        apps.push(ApplicationPlan {
            name: rp.name.clone(),
            kind: ApplicationKind::RecoveryPlan,
            recovery_plan: Some(rp.name.clone()),
            units: members.into_iter().collect(),
            boot_groups,
            wave: 0,
            cutover_estimate_seconds: 0,
        });
    }

    // The request's applications.
    let plan_names: BTreeSet<&str> = estate
        .recovery_plans
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for (k, spec) in request.applications.iter().enumerate() {
        let path = format!("applications[{k}]");
        if !names.insert(spec.name.as_str()) || plan_names.contains(spec.name.as_str()) {
            problems.push(request_error(
                format!("{path}.name"),
                format!(
                    "application name \"{}\" is used twice (recovery plans count)",
                    spec.name
                ),
                "give every application its own name, distinct from the recovery plans'",
            ));
            continue;
        }
        if !spec.items.is_empty() && !spec.groups.is_empty() {
            problems.push(request_error(
                path.clone(),
                "both `items` and `groups` are given".into(),
                "give `items` (one boot group) or `groups` (boot groups in order), not both",
            ));
            continue;
        }
        let groups = spec.boot_groups();
        if groups.len() > crate::estate::MAX_BOOT_GROUPS {
            problems.push(request_error(
                format!("{path}.groups"),
                format!("{} boot groups; at most 7", groups.len()),
                "merge boot groups so that at most 7 remain",
            ));
            continue;
        }
        let mut members = BTreeSet::new();
        let mut bad = false;
        for (g, group) in groups.iter().enumerate() {
            for (j, item) in group.iter().enumerate() {
                let field = if spec.groups.is_empty() {
                    format!("{path}.items[{j}]")
                } else {
                    format!("{path}.groups[{g}][{j}]")
                };
                match unit_of.get(item.as_str()) {
                    None => {
                        bad = true;
                        problems.push(request_error(
                            field,
                            format!("item \"{item}\" is not failed back by this request"),
                            "name items the request fails back (its `items`, `groups`, or every item when both are empty)",
                        ));
                    }
                    Some(&u) => {
                        if let Some(&other) = taken.get(&u) {
                            bad = true;
                            problems.push(request_error(
                                field,
                                format!(
                                    "item \"{item}\" already cuts over with application {}",
                                    apps[other].name
                                ),
                                "put every item in at most one application; a recovery plan's members cut over with their plan",
                            ));
                        } else if units[u].items.len() > 1 {
                            bad = true;
                            problems.push(request_error(
                                field,
                                format!(
                                    "item \"{item}\" is in replication group {}, which cuts over through its recovery plan",
                                    units[u].name
                                ),
                                "leave replication groups out of request applications",
                            ));
                        }
                        members.insert(u);
                    }
                }
            }
        }
        if bad {
            continue;
        }
        let a = apps.len();
        for &u in &members {
            taken.insert(u, a);
        }
        apps.push(ApplicationPlan {
            name: spec.name.clone(),
            kind: ApplicationKind::Request,
            recovery_plan: None,
            units: members.into_iter().collect(),
            boot_groups: groups
                .into_iter()
                .map(|items| BootGroupPlan {
                    items,
                    start_actions: Vec::new(),
                    end_actions: Vec::new(),
                })
                .collect(),
            wave: 0,
            cutover_estimate_seconds: 0,
        });
    }
    if !problems.is_empty() {
        return Err(Error::InvalidInput(problems));
    }

    // Every other unit alone.
    for (u, unit) in units.iter().enumerate() {
        if taken.contains_key(&u) {
            continue;
        }
        taken.insert(u, apps.len());
        apps.push(ApplicationPlan {
            name: unit.name.clone(),
            kind: ApplicationKind::Unit,
            recovery_plan: unit.recovery_plan.clone(),
            units: vec![u],
            boot_groups: vec![BootGroupPlan {
                items: unit.items.iter().map(|i| i.item.clone()).collect(),
                start_actions: Vec::new(),
                end_actions: Vec::new(),
            }],
            wave: 0,
            cutover_estimate_seconds: 0,
        });
    }
    // Plan order: by the first unit.
    apps.sort_by_key(|a| a.units.first().copied().unwrap_or(usize::MAX));

    // Estimates.
    let disks = |item: &str| -> u32 {
        index
            .item(item)
            .map_or(1, |i| u32::try_from(i.disks.len()).unwrap_or(u32::MAX))
    };
    for a in &mut apps {
        a.wave = a.units.iter().map(|&u| units[u].wave).max().unwrap_or(0);
        a.cutover_estimate_seconds = a
            .boot_groups
            .iter()
            .map(|g| {
                g.items
                    .iter()
                    .map(|i| secs(model.failover_mean(disks(i))))
                    .max()
                    .unwrap_or(0)
            })
            .sum();
    }
    let bandwidth = |unit: &UnitReport, item: &crate::readiness::ItemReport| -> u64 {
        let _ = unit;
        item.inputs
            .process_server
            .as_deref()
            .and_then(|p| index.process_server(p))
            .and_then(|p| p.bandwidth_mbps)
            .or_else(|| {
                (estate.flavor == Flavor::Modernized)
                    .then(|| {
                        estate
                            .replication_appliance
                            .as_ref()
                            .and_then(|a| a.bandwidth_mbps)
                    })
                    .flatten()
            })
            .unwrap_or(model.bandwidth_mbps)
    };
    let mut by_wave: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (a, app) in apps.iter().enumerate() {
        by_wave.entry(app.wave).or_default().push(a);
    }
    let mut phases = Vec::new();
    let mean = |r: crate::timing::DurationRange| secs(r.mean());
    for (wave, list) in &by_wave {
        let names: Vec<String> = list.iter().map(|&a| apps[a].name.clone()).collect();
        let unit_ids: Vec<usize> = list.iter().flat_map(|&a| apps[a].units.clone()).collect();
        let has = |s: Stage| {
            unit_ids.iter().any(|&u| {
                units[u]
                    .items
                    .iter()
                    .any(|i| i.stages.iter().any(|p| p.stage == s))
            })
        };
        let mut push = |phase: Phase, estimated_seconds: u64| {
            phases.push(PhasePlan {
                phase,
                wave: *wave,
                applications: names.clone(),
                units: unit_ids.len(),
                estimated_seconds,
            })
        };
        if has(Stage::Reprotect) {
            let longest = unit_ids
                .iter()
                .flat_map(|&u| {
                    units[u].items.iter().filter_map(move |i| {
                        let bytes = i.location.as_ref().map(|l| l.estimated_bytes)?;
                        Some((u, i, bytes))
                    })
                })
                .map(|(u, i, bytes)| secs(model.reprotect_mean(bytes, bandwidth(&units[u], i))))
                .max()
                .unwrap_or(0);
            push(Phase::Reprotect, longest);
            // The first recovery point follows a finished reprotect within a poll.
            push(Phase::WaitHealthy, 60);
        }
        if has(Stage::Failover) {
            let longest = list
                .iter()
                .map(|&a| apps[a].cutover_estimate_seconds)
                .max()
                .unwrap_or(0);
            push(Phase::Cutover, longest);
            push(Phase::Verify, 60);
        }
        if has(Stage::Commit) {
            push(Phase::Commit, mean(model.commit));
        }
        if has(Stage::ReprotectToAzure) {
            push(
                Phase::ReprotectToAzure,
                mean(model.agent_reregistration) + mean(model.reprotect_to_azure),
            );
        }
    }

    let mut findings = Vec::new();
    if request.commit == CommitPolicy::Rollback && estate.flavor == Flavor::Classic {
        findings.push(ScheduleFinding {
            blocks: true,
            application: None,
            message: "commit policy `rollback` needs a failover that can be cancelled; the classic flavour's unplanned failover cannot be".into(),
            remediation: "use `after_verification` or `hold` (a held classic item stays uncommitted for a person to decide)".into(),
        });
    }
    let windows = &request.cutover.windows;
    if !windows.is_empty() {
        let longest_window = windows
            .iter()
            .map(|w| u64::from(w.minutes) * 60)
            .max()
            .unwrap_or(0);
        for app in &apps {
            let fails_over = app.units.iter().any(|&u| {
                units[u]
                    .items
                    .iter()
                    .any(|i| i.stages.iter().any(|p| p.stage == Stage::Failover))
            });
            if fails_over && app.cutover_estimate_seconds > longest_window {
                findings.push(ScheduleFinding {
                    blocks: true,
                    application: Some(app.name.clone()),
                    message: format!(
                        "the cutover of {} is estimated at {} min, longer than every cutover window (the longest is {} min)",
                        app.name,
                        app.cutover_estimate_seconds.div_ceil(60),
                        longest_window / 60
                    ),
                    remediation: "announce a longer window, or split the application's boot groups".into(),
                });
            }
        }
    }
    Ok(Shape {
        applications: apps,
        phases,
        findings,
    })
}
