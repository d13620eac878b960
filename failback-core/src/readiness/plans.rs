//! Recovery plans at readiness (GRP-001): the plan a replication group fails back
//! through, and plans that hold a replication group together with other items. ASR fails
//! over and commits every member of a recovery plan, so such a plan moves as one: a
//! request that runs only part of it, or whose members are at different stages, is
//! blocked. Plans without a replication group impose nothing here.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Cx, UnitKind, UnitSpec};
use crate::estate::RecoveryPlan;
use crate::rules::{Finding, RuleId, Subject};
use crate::state::ProtectionState;

impl<'a, 'e> Cx<'a, 'e> {
    /// The recovery plan a replication group fails back through: the smallest plan that
    /// holds every member (the first such in the estate on a tie); `None` when no plan
    /// holds them all.
    pub(super) fn group_plan(&self, group: &str) -> Option<&'e RecoveryPlan> {
        let members = self.index.group(group);
        let first = members.first()?;
        self.index
            .plans_of(&first.id)
            .iter()
            .copied()
            .filter(|p| members.iter().all(|m| p.items.contains(&m.id)))
            .min_by_key(|p| p.items.len())
    }

    /// GRP-001 for every recovery plan that a requested group fails back through and that
    /// also holds other items (a *mixed* plan), when the request runs only part of it or
    /// its members are at different stages.
    pub(super) fn mixed_plan_checks(&mut self, specs: &[UnitSpec<'e>]) {
        // Which requested unit each requested item belongs to.
        let mut unit_of: HashMap<&str, Subject> = HashMap::new();
        for u in specs {
            let subject = match u.kind {
                UnitKind::Group => Subject::Group(u.name.clone()),
                UnitKind::Item => Subject::Item(u.name.clone()),
            };
            for it in &u.items {
                unit_of
                    .entry(it.id.as_str())
                    .or_insert_with(|| subject.clone());
            }
        }
        // The plans a requested item is in that some replication group fails back through.
        let mut plans: Vec<&'e RecoveryPlan> = Vec::new();
        let mut seen = HashSet::new();
        for u in specs {
            for it in &u.items {
                for p in self.index.plans_of(&it.id) {
                    if seen.insert(p.name.as_str()) {
                        plans.push(p);
                    }
                }
            }
        }
        for p in plans {
            self.mixed_plan_check(p, &unit_of);
        }
    }

    fn mixed_plan_check(&mut self, p: &'e RecoveryPlan, unit_of: &HashMap<&str, Subject>) {
        let idx = self.index;
        // The replication groups that fail back through this plan.
        let groups: BTreeSet<&str> = p
            .items
            .iter()
            .filter_map(|i| idx.item(i).and_then(|it| it.replication_group.as_deref()))
            .filter(|g| self.group_plan(g).is_some_and(|gp| gp.name == p.name))
            .collect();
        if groups.is_empty() {
            return;
        }
        let in_groups = |id: &str| {
            idx.item(id)
                .and_then(|it| it.replication_group.as_deref())
                .is_some_and(|g| groups.contains(g))
        };
        let others: Vec<&str> = p
            .items
            .iter()
            .map(String::as_str)
            .filter(|i| !in_groups(i))
            .collect();
        let group_count = groups.iter().map(|g| idx.group(g).len()).sum::<usize>();
        if others.is_empty() && groups.len() == 1 && group_count == p.items.len() {
            return; // the group's own plan
        }
        let subjects: BTreeSet<Subject> = p
            .items
            .iter()
            .filter_map(|i| unit_of.get(i.as_str()).cloned())
            .collect();
        if subjects.is_empty() {
            return;
        }
        let names = |xs: &[&str]| xs.join(", ");
        let group_list: Vec<&str> = groups.iter().copied().collect();
        let holds = format!(
            "recovery plan {} holds replication group{} {} together with {}",
            p.name,
            if groups.len() > 1 { "s" } else { "" },
            names(&group_list),
            if others.is_empty() {
                "each other".to_string()
            } else {
                names(&others)
            }
        );
        let missing: Vec<&str> = p
            .items
            .iter()
            .map(String::as_str)
            .filter(|i| !unit_of.contains_key(i))
            .collect();
        let split = format!(
            "split the plan in ASR so that {} {} a recovery plan of {} own",
            names(&group_list),
            if groups.len() > 1 { "each have" } else { "has" },
            if groups.len() > 1 { "their" } else { "its" },
        );
        if missing.is_empty() {
            let states: BTreeSet<ProtectionState> = p
                .items
                .iter()
                .filter_map(|i| idx.item(i).map(|it| it.state))
                .collect();
            if states.len() <= 1 {
                return;
            }
            let stages = states
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            for s in subjects {
                self.push(
                    Finding::new(
                        RuleId::Grp001,
                        s,
                        format!(
                            "{holds}: ASR fails over and commits every member of a recovery plan, but its members are at different stages ({stages})"
                        ),
                    )
                    .with_remediation(format!(
                        "bring every member of {} to the same stage first, or {split}",
                        p.name
                    )),
                );
            }
            return;
        }
        // What to add to the request: the missing groups, then the missing items.
        let mut add_groups: Vec<&str> = Vec::new();
        let mut add_items: Vec<&str> = Vec::new();
        for m in &missing {
            match idx.item(m).and_then(|it| it.replication_group.as_deref()) {
                Some(g) if groups.contains(g) => {
                    if !add_groups.contains(&g) {
                        add_groups.push(g);
                    }
                }
                _ => add_items.push(m),
            }
        }
        let quoted = |xs: &[&str]| {
            xs.iter()
                .map(|x| format!("\"{x}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut add = Vec::new();
        if !add_groups.is_empty() {
            add.push(format!("\"groups\": [{}]", quoted(&add_groups)));
        }
        if !add_items.is_empty() {
            add.push(format!("\"items\": [{}]", quoted(&add_items)));
        }
        for s in subjects {
            self.push(
                Finding::new(
                    RuleId::Grp001,
                    s,
                    format!(
                        "{holds}: ASR fails over and commits every member of a recovery plan, but the request leaves out {}",
                        names(&missing)
                    ),
                )
                .with_remediation(format!(
                    "request every member of {} (add {}), or {split}",
                    p.name,
                    add.join(" and ")
                )),
            );
        }
    }
}
