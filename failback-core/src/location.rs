//! The location decision (LOC-*): original VM or a new VM at an alternate location, with
//! the reasons, the target host and datastore, and whether a delta or a full copy
//! travels, with an estimate of the bytes.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::estate::{DatastoreKind, EstateIndex, ItemKind, MasterTarget, OnPremVm, ProtectedItem};
use crate::request::LocationPreference;
use crate::rules::RuleId;

/// Where an item lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// Its original VM.
    Original,
    /// A new VM on the master target's host.
    Alternate,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Location::Original => "original",
            Location::Alternate => "alternate",
        })
    }
}

/// What travels back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transfer {
    /// Only the changed blocks (LOC-001).
    Delta,
    /// Every disk in full (EXT-011).
    Full,
}

/// The decision for one item with one master target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocationDecision {
    /// Original or alternate.
    pub location: Location,
    /// Why, with the rule IDs that decided it.
    pub reasons: Vec<String>,
    /// The ESX host the VM lands on.
    pub host: String,
    /// The datastore input (required even for the original location, LOC-010).
    pub datastore: String,
    /// The original VM, for the original location.
    #[serde(default)]
    pub vm: Option<String>,
    /// Delta or full copy.
    pub transfer: Transfer,
    /// Estimated bytes to transfer.
    pub estimated_bytes: u64,
    /// True when the estimate is an upper bound because the changed bytes are unknown.
    #[serde(default)]
    pub estimate_is_upper_bound: bool,
}

/// A rule that stops a choice, with the words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: RuleId,
    /// What holds.
    pub message: String,
    /// True when the rule could not be decided (a fact is missing).
    pub unknown: bool,
    /// How to fix it here, when it differs from the rule's own remediation.
    pub fix: Option<String>,
}

/// Collects violations; messages are only built when asked to explain.
#[derive(Debug, Default)]
pub struct Violations {
    /// Whether to build messages.
    pub explain: bool,
    /// The violations found.
    pub list: Vec<Violation>,
}

impl Violations {
    /// A collector that builds messages when `explain` is set.
    pub fn new(explain: bool) -> Self {
        Violations {
            explain,
            list: Vec::new(),
        }
    }
    /// Record a violation.
    pub fn add(&mut self, rule: RuleId, message: impl FnOnce() -> String) {
        let message = if self.explain {
            message()
        } else {
            String::new()
        };
        self.list.push(Violation {
            rule,
            message,
            unknown: false,
            fix: None,
        });
    }
    /// Record a violation with its own fix (the rule's remediation does not fit here).
    pub fn add_with_fix(
        &mut self,
        rule: RuleId,
        message: impl FnOnce() -> String,
        fix: impl FnOnce() -> String,
    ) {
        let (message, fix) = if self.explain {
            (message(), Some(fix()))
        } else {
            (String::new(), None)
        };
        self.list.push(Violation {
            rule,
            message,
            unknown: false,
            fix,
        });
    }
    /// Record an undecidable rule.
    pub fn unknown(&mut self, rule: RuleId, fact: impl FnOnce() -> String) {
        let message = if self.explain {
            format!("unknown: fact {} missing", fact())
        } else {
            String::new()
        };
        self.list.push(Violation {
            rule,
            message,
            unknown: true,
            fix: None,
        });
    }
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Total provisioned bytes of an item's disks.
pub fn item_bytes(item: &ProtectedItem) -> u64 {
    item.disks.iter().map(|d| d.capacity_bytes).sum()
}

/// The way out of an original-location rule that every one of them shares: ASR fails back
/// into the original VM while it exists, and creates a new VM only once it is gone.
const OR_DELETE_THE_VM: &str =
    "Or delete the original VM (LOC-007): failback then creates a new VM at an alternate location.";

/// The fix of an original-location rule broken while the original VM exists: the rule's
/// own fix, or deleting the VM.
fn or_delete(fix: &str) -> String {
    format!("{fix} {OR_DELETE_THE_VM}")
}

/// The original VM an item fails back into while it exists on-prem (never for a physical
/// server).
pub fn existing_original_vm<'e>(
    index: &EstateIndex<'e>,
    item: &ProtectedItem,
) -> Option<&'e OnPremVm> {
    if item.kind == ItemKind::PhysicalServer {
        return None;
    }
    item.original_vm.as_deref().and_then(|id| index.vm(id))
}

/// Reasons the original location is not possible for `item` with master target `mt`.
/// While the original VM exists, each reason's fix also offers deleting it (LOC-007).
pub fn original_violations(
    index: &EstateIndex<'_>,
    item: &ProtectedItem,
    mt: &MasterTarget,
    v: &mut Violations,
) {
    if item.kind == ItemKind::PhysicalServer {
        v.add(RuleId::Loc002, || {
            format!(
                "{} is a physical server: it fails back to a new VM",
                item.id
            )
        });
        return;
    }
    let Some(vm) = existing_original_vm(index, item) else {
        v.add(RuleId::Loc010, || {
            format!("the original VM of {} no longer exists on-prem", item.id)
        });
        return;
    };
    let mt_host = index.host(&mt.host);
    let reaches = |ds: &str| mt_host.is_some_and(|h| h.datastores.iter().any(|d| d == ds));
    let unreachable: Vec<&str> = vm
        .datastores
        .iter()
        .map(|d| d.as_str())
        .filter(|d| !reaches(d))
        .collect();
    if !unreachable.is_empty() {
        let managed = index.host(&vm.host).is_some_and(|h| h.vcenter.is_some());
        let rule = if managed {
            RuleId::Loc004
        } else {
            RuleId::Loc005
        };
        v.add_with_fix(
            rule,
            || {
                format!(
                    "master target {}'s host {} cannot reach datastore {} of original VM {}",
                    mt.id,
                    mt.host,
                    unreachable.join(", "),
                    vm.id
                )
            },
            || or_delete(rule.info().remediation),
        );
    }
    if !vm.datastores.contains(&mt.datastore) {
        v.add_with_fix(
            RuleId::Loc009,
            || {
                format!(
                    "original VM {} is on {} but master target {} is on {}",
                    vm.id,
                    vm.datastores.join(", "),
                    mt.id,
                    mt.datastore
                )
            },
            || {
                or_delete(
                    "Place the master target on the original VM's datastore (or move the VM to the master target's).",
                )
            },
        );
    }
    match vm.snapshots {
        Some(0) => {}
        Some(n) => v.add_with_fix(
            RuleId::Pre004,
            || format!("original VM {} has {n} snapshot(s)", vm.id),
            || or_delete(RuleId::Pre004.info().remediation),
        ),
        None => v.unknown(RuleId::Pre004, || format!("vms[{}].snapshots", vm.id)),
    }
    for ds in &vm.datastores {
        if index
            .datastore(ds)
            .is_some_and(|d| d.kind == DatastoreKind::Nfs)
        {
            v.add_with_fix(
                RuleId::Ext001,
                || format!("original VM {} is on NFS datastore {ds}", vm.id),
                || {
                    or_delete(
                        "Move the original VM's disks to a VMFS datastore the master target's host reaches.",
                    )
                },
            );
        }
    }
}

/// Decide the location of `item` through `mt`. `used` holds bytes already planned onto
/// each datastore; the chosen datastore's share is added to it by the caller. On refusal,
/// `v` holds every rule that stops it.
///
/// ASR fails back into the original VM while it exists, and to an alternate location only
/// once it is gone: so while it exists, `auto` means the original VM (every rule against
/// it stops the choice, with deleting the VM, LOC-007, as the other fix) and `alternate`
/// is refused (LOC-007); without it (or for a physical server) `auto` means a new VM.
pub fn decide(
    index: &EstateIndex<'_>,
    item: &ProtectedItem,
    mt: &MasterTarget,
    preference: LocationPreference,
    pinned_datastore: Option<&str>,
    used: &HashMap<String, u64>,
    v: &mut Violations,
) -> Option<LocationDecision> {
    let full = item_bytes(item);
    let existing = existing_original_vm(index, item);
    match (preference, existing) {
        (LocationPreference::Alternate, Some(vm)) => {
            v.add_with_fix(
                RuleId::Loc007,
                || {
                    format!(
                        "original VM {} of {} still exists on-prem: ASR fails back into it while it exists, never to an alternate location",
                        vm.id, item.id
                    )
                },
                || {
                    "Delete the original VM first (LOC-007) for a new VM at an alternate location, or request location auto or original to fail back into it.".to_string()
                },
            );
            None
        }
        (LocationPreference::Alternate, None) => alternate(
            index,
            item,
            mt,
            pinned_datastore,
            used,
            full,
            if v.explain {
                vec!["alternate location requested".to_string()]
            } else {
                Vec::new()
            },
            v,
        ),
        (_, Some(vm)) => {
            let before = v.list.len();
            original_violations(index, item, mt, v);
            if v.list.len() > before {
                return None;
            }
            Some(original(item, vm, mt, pinned_datastore, full, v.explain))
        }
        (LocationPreference::Original, None) => {
            original_violations(index, item, mt, v);
            None
        }
        (LocationPreference::Auto, None) => {
            // No original VM to fail back into: a new VM, with the reason.
            let mut why = Violations::new(v.explain);
            original_violations(index, item, mt, &mut why);
            let reasons = why
                .list
                .iter()
                .map(|x| format!("{}: {}", x.rule, x.message))
                .collect();
            alternate(index, item, mt, pinned_datastore, used, full, reasons, v)
        }
    }
}

/// The decision to fail back into the existing original VM `vm`.
fn original(
    item: &ProtectedItem,
    vm: &OnPremVm,
    mt: &MasterTarget,
    pinned_datastore: Option<&str>,
    full: u64,
    explain: bool,
) -> LocationDecision {
    let moved = vm.moved_from_nfs;
    let (transfer, bytes, upper) = if moved {
        (Transfer::Full, full, false)
    } else {
        match item.changed_bytes {
            Some(b) => (Transfer::Delta, b.min(full), false),
            None => (Transfer::Delta, full, true),
        }
    };
    // Reasons are words for the report: built only when explaining (the planner scores
    // candidates without them, then explains the one it chose).
    let mut reasons = Vec::new();
    if explain {
        reasons.push(format!(
            "LOC-001: original VM {} exists and master target {} reaches its datastores",
            vm.id, mt.id
        ));
        if moved {
            reasons.push(format!(
                "EXT-011: {} was moved from NFS to VMFS: a full copy travels",
                vm.id
            ));
        }
    }
    LocationDecision {
        location: Location::Original,
        reasons,
        host: vm.host.clone(),
        datastore: pinned_datastore
            .map(str::to_string)
            .or_else(|| vm.datastores.first().cloned())
            .unwrap_or_default(),
        vm: Some(vm.id.clone()),
        transfer,
        estimated_bytes: bytes,
        estimate_is_upper_bound: upper,
    }
}

#[allow(clippy::too_many_arguments)]
fn alternate(
    index: &EstateIndex<'_>,
    item: &ProtectedItem,
    mt: &MasterTarget,
    pinned: Option<&str>,
    used: &HashMap<String, u64>,
    full: u64,
    mut reasons: Vec<String>,
    v: &mut Violations,
) -> Option<LocationDecision> {
    let before = v.list.len();
    let rdm: Vec<&str> = item
        .disks
        .iter()
        .filter(|d| d.rdm)
        .map(|d| d.name.as_str())
        .collect();
    if !rdm.is_empty() {
        v.add(RuleId::Ext010, || {
            format!(
                "{} has RDM disk(s) {}: not allowed at an alternate location",
                item.id,
                rdm.join(", ")
            )
        });
    }
    let room = |id: &str, capacity_free: u64| {
        capacity_free.saturating_sub(used.get(id).copied().unwrap_or(0)) >= full
    };
    let host_reaches = |ds: &str| {
        index
            .host(&mt.host)
            .is_some_and(|h| h.datastores.iter().any(|d| d == ds))
    };
    let datastore = if let Some(p) = pinned {
        match index.datastore(p) {
            Some(d) if !host_reaches(p) => {
                v.add(RuleId::Loc008, || {
                    format!(
                        "pinned datastore {} is not reachable from master target {}'s host {}",
                        d.id, mt.id, mt.host
                    )
                });
                None
            }
            Some(d) if d.kind == DatastoreKind::Nfs => {
                v.add(RuleId::Ext010, || {
                    format!("pinned datastore {} is NFS; it must be VMFS or vSAN", d.id)
                });
                None
            }
            Some(d) if !room(&d.id, d.free_bytes) => {
                v.add(RuleId::Loc008, || {
                    format!(
                        "pinned datastore {} lacks room for {full} bytes of {}",
                        d.id, item.id
                    )
                });
                None
            }
            Some(d) => Some(d.id.clone()),
            None => None,
        }
    } else if !index
        .host_datastores(&mt.host)
        .any(|d| d.kind != DatastoreKind::Nfs)
    {
        // Not a matter of room: the host lists no datastore a new VM may use at all.
        v.add(RuleId::Ext001, || {
            let nfs = index
                .host_datastores(&mt.host)
                .any(|d| d.kind == DatastoreKind::Nfs);
            format!(
                "master target {}'s host {} lists no VMFS or vSAN datastore for a new VM of {} ({})",
                mt.id,
                mt.host,
                item.id,
                if nfs {
                    "only NFS, which failback does not support"
                } else {
                    "none was discovered"
                }
            )
        });
        None
    } else {
        // Free room after what is already planned, looked up once per datastore.
        let fits = index
            .host_datastores(&mt.host)
            .filter(|d| d.kind != DatastoreKind::Nfs)
            .map(|d| {
                let free = d
                    .free_bytes
                    .saturating_sub(used.get(&d.id).copied().unwrap_or(0));
                (d, free)
            })
            .filter(|(_, free)| *free >= full);
        let best = fits.max_by_key(|(d, free)| {
            (
                d.id == mt.datastore,
                *free,
                std::cmp::Reverse(d.id.as_str()),
            )
        });
        match best {
            Some((d, _)) => Some(d.id.clone()),
            None => {
                v.add(RuleId::Loc008, || {
                    format!(
                        "no VMFS or vSAN datastore reachable from master target {}'s host {} has room for {full} bytes of {}",
                        mt.id, mt.host, item.id
                    )
                });
                None
            }
        }
    };
    if v.list.len() > before {
        return None;
    }
    let datastore = datastore?;
    if v.explain {
        reasons.push(format!(
            "LOC-008: a new VM on host {} and datastore {}",
            mt.host, datastore
        ));
    }
    Some(LocationDecision {
        location: Location::Alternate,
        reasons,
        host: mt.host.clone(),
        datastore,
        vm: None,
        transfer: Transfer::Full,
        estimated_bytes: full,
        estimate_is_upper_bound: false,
    })
}
