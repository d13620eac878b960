//! Choosing the master target, location, datastore and retention volume of a unit
//! (one master target for a whole group), and explaining every rule when none fits.

use super::{Cx, Load, UnitKind, UnitSpec, MAX_DISKS_PER_MASTER_TARGET};
use crate::estate::{FileSystem, ItemKind, MasterTarget, MasterTargetRole, OsFamily};
use crate::location::{
    decide, existing_original_vm, item_bytes, Location, LocationDecision, Transfer, Violations,
};
use crate::request::{LocationPreference, Pins};
use crate::retention::{default_volume, reasons};
use crate::rules::{Finding, RuleId, Severity, Subject};

/// The choice for a unit.
pub(super) struct Selection {
    pub master_target: Option<String>,
    pub wave: u32,
    pub retention_volume: Option<String>,
    pub decisions: Vec<Option<LocationDecision>>,
}

/// One candidate master target evaluated for a unit.
struct Eval {
    violations: Violations,
    decisions: Vec<Option<LocationDecision>>,
    retention: Option<String>,
    load: Load,
    rank: Rank,
}

/// How a candidate that breaks no rule ranks (lower is better): a blocker on itself, its
/// host or its vCenter; its wave; the configuration server's own; its disks in that wave.
type Rank = (bool, u32, bool, u32);

impl<'a, 'e> Cx<'a, 'e> {
    /// The pins of an item of a unit (a group unit's members see its group's pins).
    pub(super) fn pins_for(&self, spec: &UnitSpec<'e>, item: &str) -> Pins {
        let group = (spec.kind == UnitKind::Group).then_some(spec.name.as_str());
        self.request.pins_for(group, item)
    }

    pub(super) fn select_master_target(
        &mut self,
        spec: &UnitSpec<'e>,
        unit: &Subject,
    ) -> Selection {
        let pins: Vec<Pins> = spec
            .items
            .iter()
            .map(|i| self.pins_for(spec, &i.id))
            .collect();
        let pinned_mt = pins.iter().find_map(|p| p.master_target.clone());
        let role = self.role();
        let candidates: Vec<&'e MasterTarget> = match &pinned_mt {
            Some(id) => self.index.master_target(id).into_iter().collect(),
            None => self
                .estate
                .master_targets
                .iter()
                .filter(|m| m.role == role)
                .collect(),
        };
        let none = Selection {
            master_target: None,
            wave: 0,
            retention_volume: None,
            decisions: vec![None; spec.items.len()],
        };
        if candidates.is_empty() {
            self.push(
                Finding::new(
                    RuleId::Mt001,
                    unit.clone(),
                    "no master target exists: the default one runs on the configuration server",
                )
                .with_severity(Severity::Blocker)
                .with_remediation("deploy a master target (or let the configuration server's default one be discovered)"),
            );
            return none;
        }
        let mut best: Option<(usize, Eval)> = None;
        // Only candidates that may pass every rule are evaluated, and only when their rank
        // floor beats the best so far: a later candidate wins only with a strictly lower
        // rank, so one whose floor is not lower cannot win. Same choice, far fewer
        // evaluations than trying every master target for every unit.
        let originals = self.existing_originals(spec);
        for (i, mt) in candidates.iter().enumerate() {
            let Some(floor) = self.rank_floor(spec, &originals, mt) else {
                continue;
            };
            if best.as_ref().is_some_and(|(_, b)| floor >= b.rank) {
                continue;
            }
            let e = self.evaluate(spec, &pins, mt, false);
            if e.violations.is_empty() && best.as_ref().is_none_or(|(_, b)| e.rank < b.rank) {
                best = Some((i, e));
            }
        }
        if let Some((i, _)) = best {
            let mt = candidates[i];
            let e = self.evaluate(spec, &pins, mt, true);
            return self.commit(spec, mt, e);
        }
        // The closest candidate is one of the unit's OS family if any (another family can
        // never serve it), then the one breaking the fewest distinct rules: its findings
        // name the rules that really stand in the way.
        let mut closest: Option<(usize, (usize, usize, usize))> = None;
        for (i, mt) in candidates.iter().enumerate() {
            let e = self.evaluate(spec, &pins, mt, false);
            if !e.violations.is_empty() {
                let family = e
                    .violations
                    .list
                    .iter()
                    .filter(|v| v.rule == RuleId::Ext006)
                    .count();
                let mut rules: Vec<RuleId> = e.violations.list.iter().map(|v| v.rule).collect();
                rules.sort();
                rules.dedup();
                let key = (family, rules.len(), e.violations.list.len());
                if closest.is_none_or(|(_, k)| key < k) {
                    closest = Some((i, key));
                }
            }
        }
        let Some((i, (family, _, _))) = closest else {
            return none;
        };
        let mt = candidates[i];
        if family == 0 {
            self.closest.insert(unit.clone(), mt.id.clone());
        }
        let e = self.evaluate(spec, &pins, mt, true);
        // The other candidates that could have served the unit: those of its OS family
        // (when the closest one is of it; else every other one).
        let family = spec.items.first().map(|i| i.os.family);
        let others = if family == Some(mt.os.family) {
            candidates
                .iter()
                .filter(|m| Some(m.os.family) == family)
                .count()
                - 1
        } else {
            candidates.len() - 1
        };
        let mut grouped: Vec<(RuleId, bool, Vec<String>, Vec<String>)> = Vec::new();
        for v in e.violations.list {
            let entry = match grouped
                .iter_mut()
                .position(|(r, u, _, _)| *r == v.rule && *u == v.unknown)
            {
                Some(k) => &mut grouped[k],
                None => {
                    grouped.push((v.rule, v.unknown, Vec::new(), Vec::new()));
                    let last = grouped.len() - 1;
                    &mut grouped[last]
                }
            };
            entry.2.push(v.message);
            if let Some(fix) = v.fix {
                if !entry.3.contains(&fix) {
                    entry.3.push(fix);
                }
            }
        }
        for (rule, unknown, msgs, fixes) in grouped {
            let tail = if others > 0 {
                format!(
                    " (closest of {} master targets; the others fail more rules)",
                    others + 1
                )
            } else {
                String::new()
            };
            let mut f = Finding::new(rule, unit.clone(), format!("{}{tail}", msgs.join("; ")))
                .with_severity(Severity::Blocker);
            if !fixes.is_empty() {
                f.remediation = fixes.join(" ");
            }
            f.unknown = unknown;
            self.push(f);
        }
        none
    }

    /// Checks one candidate against the unit. With `explain`, messages are built.
    fn evaluate(
        &self,
        spec: &UnitSpec<'e>,
        pins: &[Pins],
        mt: &MasterTarget,
        explain: bool,
    ) -> Eval {
        let mut v = Violations::new(explain);
        let host = self.index.host(&mt.host);
        let mut decisions = Vec::with_capacity(spec.items.len());
        for (it, pin) in spec.items.iter().zip(pins) {
            if it.os.family != mt.os.family {
                v.add(RuleId::Ext006, || {
                    format!(
                        "{} is {} but master target {} is {}",
                        it.id, it.os.family, mt.id, mt.os.family
                    )
                });
            }
            if it.os.family == OsFamily::Linux && mt.os.family == OsFamily::Linux {
                self.linux_fs_support(it, mt, &mut v);
            }
            let standalone = it
                .original_vm
                .as_deref()
                .and_then(|vm| self.index.vm(vm))
                .and_then(|vm| self.index.host(&vm.host))
                .is_some_and(|h| h.vcenter.is_none());
            if (it.kind == ItemKind::PhysicalServer || standalone)
                && !host.is_some_and(|h| h.discovered)
            {
                v.add(RuleId::Loc006, || {
                    format!(
                        "host {} of master target {} is not discovered",
                        mt.host, mt.id
                    )
                });
            }
            let pref = self.request.location;
            let d = decide(
                self.index,
                it,
                mt,
                pref,
                pin.datastore.as_deref(),
                &self.ds_used,
                &mut v,
            );
            decisions.push(d);
        }
        let (load, disks, fits) = self.next_load(spec, mt);
        if !fits {
            v.add(RuleId::Ext004, || {
                format!(
                    "{} needs {disks} disks but master target {} attaches at most {MAX_DISKS_PER_MASTER_TARGET} ({} already attached)",
                    spec.name, mt.id, mt.attached_disks
                )
            });
        }
        let retention = if mt.role == MasterTargetRole::MasterTarget {
            self.retention_volume(
                mt,
                pins.iter().find_map(|p| p.retention_volume.as_deref()),
                &mut v,
            )
        } else {
            None
        };
        Eval {
            rank: (
                self.server_blocked(mt),
                load.wave,
                mt.on_configuration_server,
                load.disks,
            ),
            violations: v,
            decisions,
            retention,
            load,
        }
    }

    /// The master target's load with the unit added: waves of at most 60 disks (EXT-004);
    /// with the unit's disk count, and whether they fit on the master target at all.
    fn next_load(&self, spec: &UnitSpec<'e>, mt: &MasterTarget) -> (Load, u32, bool) {
        let disks: u32 = spec.items.iter().map(|i| i.disks.len() as u32).sum();
        let cap = MAX_DISKS_PER_MASTER_TARGET.saturating_sub(mt.attached_disks);
        let mut load = self.mt_load.get(&mt.id).copied().unwrap_or_default();
        let fits = disks <= cap;
        if fits && (load.wave == 0 || load.disks + disks > cap) {
            load.wave += 1;
            load.earlier += load.disks;
            load.disks = disks;
        } else if fits {
            load.disks += disks;
        }
        load.units += 1;
        load.bytes += spec.items.iter().map(|i| item_bytes(i)).sum::<u64>();
        (load, disks, fits)
    }

    /// Whether a blocker holds against the master target, its host or its vCenter.
    fn server_blocked(&self, mt: &MasterTarget) -> bool {
        // Nothing blocked at all (a healthy estate): no lookup, no allocation.
        if self.blocked.is_empty() {
            return false;
        }
        self.is_blocked(&Subject::MasterTarget(mt.id.clone()))
            || self.is_blocked(&Subject::Host(mt.host.clone()))
            || self
                .index
                .host(&mt.host)
                .and_then(|h| h.vcenter.as_ref())
                .is_some_and(|vc| self.is_blocked(&Subject::VCenter(vc.clone())))
    }

    /// Per item of the unit, the datastores of the original VM it must fail back into while
    /// that VM exists (ASR recovers into it, never to an alternate location then); `None`
    /// for an item without one (a physical server, or its VM is gone).
    fn existing_originals(&self, spec: &UnitSpec<'e>) -> Vec<Option<&'e [String]>> {
        spec.items
            .iter()
            .map(|it| existing_original_vm(self.index, it).map(|vm| vm.datastores.as_slice()))
            .collect()
    }

    /// A floor of the rank [`Self::evaluate`] gives a candidate that passes every rule,
    /// computed without deciding locations; `None` when the candidate surely fails a rule
    /// (EXT-006: another OS family; EXT-004: the unit's disks never fit; LOC-007: an
    /// alternate location is requested while an original VM exists; LOC-009: an existing
    /// original VM is not on the master target's datastore). Every part is exact.
    fn rank_floor(
        &self,
        spec: &UnitSpec<'e>,
        originals: &[Option<&'e [String]>],
        mt: &MasterTarget,
    ) -> Option<Rank> {
        if spec.items.iter().any(|it| it.os.family != mt.os.family) {
            return None;
        }
        let alternate = self.request.location == LocationPreference::Alternate;
        if originals
            .iter()
            .flatten()
            .any(|ds| alternate || !ds.contains(&mt.datastore))
        {
            return None;
        }
        let (load, _, fits) = self.next_load(spec, mt);
        if !fits {
            return None;
        }
        Some((
            self.server_blocked(mt),
            load.wave,
            mt.on_configuration_server,
            load.disks,
        ))
    }

    /// MT-003: a Linux source on XFS or ReiserFS needs the tools on the Linux master target.
    fn linux_fs_support(
        &self,
        it: &crate::estate::ProtectedItem,
        mt: &MasterTarget,
        v: &mut Violations,
    ) {
        let fs = [it.root_file_system, it.boot_file_system];
        if fs.iter().all(|f| f.is_none()) {
            v.unknown(RuleId::Mt003, || {
                format!("items[{}].root_file_system", it.id)
            });
            return;
        }
        let has =
            |list: &Option<Vec<String>>, x: &str| list.as_ref().map(|l| l.iter().any(|p| p == x));
        if fs.contains(&Some(FileSystem::Xfs)) {
            match has(&mt.packages, "xfsprogs") {
                Some(true) => {}
                Some(false) => v.add(RuleId::Mt003, || {
                    format!(
                        "{} boots from XFS but master target {} lacks xfsprogs",
                        it.id, mt.id
                    )
                }),
                None => v.unknown(RuleId::Mt003, || {
                    format!("master_targets[{}].packages", mt.id)
                }),
            }
        }
        if fs.contains(&Some(FileSystem::Reiserfs)) {
            let module = has(&mt.kernel_modules, "reiserfs");
            let tools = mt.packages.as_ref().map(|l| {
                l.iter()
                    .any(|p| p == "reiserfs-utils" || p == "reiserfsprogs")
            });
            match (module, tools) {
                (Some(true), Some(true)) => {}
                // Both are needed: one known to be missing breaks the rule, whatever the other.
                (None, None) | (None, Some(true)) | (Some(true), None) => v
                    .unknown(RuleId::Mt003, || {
                        format!("master_targets[{}].kernel_modules and packages", mt.id)
                    }),
                _ => v.add(RuleId::Mt003, || {
                    format!(
                        "{} uses ReiserFS but master target {} lacks the reiserfs module or tools",
                        it.id, mt.id
                    )
                }),
            }
        }
    }

    /// The retention volume: the pinned one if eligible, else the default, else the
    /// eligible one with the most room.
    fn retention_volume(
        &self,
        mt: &MasterTarget,
        pinned: Option<&str>,
        v: &mut Violations,
    ) -> Option<String> {
        let used = |name: &str| {
            self.vol_used
                .get(&(mt.id.clone(), name.to_string()))
                .copied()
                .unwrap_or(0)
        };
        if let Some(p) = pinned {
            let Some(vol) = mt.volumes.iter().find(|x| x.name == p) else {
                v.add(RuleId::Ret006, || {
                    format!(
                        "pinned retention volume {p} is not on master target {}",
                        mt.id
                    )
                });
                return None;
            };
            let rs = reasons(mt, vol);
            if rs.is_empty() {
                return Some(vol.name.clone());
            }
            for r in rs {
                v.add(r.rule, || format!("pinned retention volume: {}", r.message));
            }
            return None;
        }
        let default = default_volume(mt.os.family);
        let eligible = mt.volumes.iter().filter(|x| reasons(mt, x).is_empty());
        let best = eligible.max_by_key(|x| {
            (
                x.name == default,
                x.free_bytes.saturating_sub(used(&x.name)),
            )
        });
        match best {
            Some(x) => Some(x.name.clone()),
            None if mt.volumes.is_empty() => {
                v.add(RuleId::Ret006, || {
                    format!("master target {} lists no volume for retention", mt.id)
                });
                None
            }
            None => {
                // Name every rule that excludes each volume, so the unit's findings say why.
                for vol in &mt.volumes {
                    for r in reasons(mt, vol) {
                        v.add(r.rule, || format!("master target {}: {}", mt.id, r.message));
                    }
                }
                None
            }
        }
    }

    /// Records the chosen candidate's load and the informational findings of its decisions,
    /// with an EXT-004 warning when the unit waits for a later wave on its master target.
    fn commit(&mut self, spec: &UnitSpec<'e>, mt: &MasterTarget, e: Eval) -> Selection {
        self.mt_load.insert(mt.id.clone(), e.load);
        if e.load.wave > 1 {
            let unit = match spec.kind {
                UnitKind::Group => Subject::Group(spec.name.clone()),
                UnitKind::Item => Subject::Item(spec.name.clone()),
            };
            self.push(
                Finding::new(
                    RuleId::Ext004,
                    unit,
                    format!(
                        "{} waits for wave {} on master target {}: {} disks of earlier waves are ahead of it (at most {MAX_DISKS_PER_MASTER_TARGET} attached at once, {} already attached), so its reprotect starts only after they have failed over",
                        spec.name, e.load.wave, mt.id, e.load.earlier, mt.attached_disks
                    ),
                )
                .with_severity(Severity::Warning)
                .with_remediation(
                    "nothing blocks: to start it sooner, add a master target of its OS family (or free disks on this one)",
                ),
            );
        }
        for (it, d) in spec.items.iter().zip(&e.decisions) {
            let Some(d) = d else { continue };
            let s = Subject::Item(it.id.clone());
            if d.location == Location::Alternate {
                *self.ds_used.entry(d.datastore.clone()).or_default() += d.estimated_bytes;
            }
            if let Some(vol) = &e.retention {
                *self
                    .vol_used
                    .entry((mt.id.clone(), vol.clone()))
                    .or_default() += it.changed_bytes.unwrap_or(d.estimated_bytes / 10);
            }
            self.decision_findings(it, d, &mt.host, s);
        }
        Selection {
            master_target: Some(mt.id.clone()),
            wave: e.load.wave,
            retention_volume: e.retention,
            decisions: e.decisions,
        }
    }

    fn decision_findings(
        &mut self,
        it: &crate::estate::ProtectedItem,
        d: &LocationDecision,
        mt_host: &str,
        s: Subject,
    ) {
        let original_exists = it
            .original_vm
            .as_deref()
            .and_then(|v| self.index.vm(v))
            .is_some();
        match d.location {
            Location::Original => self.push(Finding::new(
                RuleId::Loc001,
                s.clone(),
                format!(
                    "{} fails back into its original VM {}: {} travels ({} bytes{})",
                    it.id,
                    d.vm.as_deref().unwrap_or("?"),
                    if d.transfer == Transfer::Delta {
                        "a delta"
                    } else {
                        "a full copy"
                    },
                    d.estimated_bytes,
                    if d.estimate_is_upper_bound {
                        ", upper bound: changed bytes unknown"
                    } else {
                        ""
                    }
                ),
            )),
            Location::Alternate => self.push(Finding::new(
                RuleId::Loc008,
                s.clone(),
                format!(
                    "{} is recovered to a new VM on host {} and datastore {}",
                    it.id, d.host, d.datastore
                ),
            )),
        }
        if original_exists {
            self.push(Finding::new(
                RuleId::Loc007,
                s.clone(),
                format!(
                    "the original VM of {} exists; deleting it before failback would make failback create a new VM on host {}",
                    it.id,
                    mt_host
                ),
            ));
        } else {
            self.push(Finding::new(
                RuleId::Loc010,
                s.clone(),
                format!(
                    "no on-prem VM exists for {}: reprotect creates one on datastore {}",
                    it.id, d.datastore
                ),
            ));
        }
        if d.transfer == Transfer::Full {
            self.push(Finding::new(
                RuleId::Ext011,
                s,
                format!(
                    "{} needs a full copy of {} bytes ({:.1} GiB)",
                    it.id,
                    d.estimated_bytes,
                    d.estimated_bytes as f64 / (1u64 << 30) as f64
                ),
            ));
        }
    }
}
