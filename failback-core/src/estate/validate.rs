//! Semantic checks of an estate: unique ids, references that resolve, and values that
//! cannot be (free space above capacity, a physical server with an original VM).

use std::collections::{HashMap, HashSet};

use super::locate::FieldPath;
use super::{Estate, ItemKind, Problem, PsLocation, MAX_BOOT_GROUPS};

/// At most this many problems are reported; past it the list ends with a count.
const MAX_PROBLEMS: usize = 50;

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, path: FieldPath, message: String, fix: impl Into<String>) {
        self.problems.push(Problem {
            path,
            message,
            fix: fix.into(),
        });
    }

    /// Records duplicate ids of a collection and returns the set of ids.
    fn unique<'a>(
        &mut self,
        collection: &str,
        ids: impl Iterator<Item = &'a str>,
        field: &str,
    ) -> HashSet<&'a str> {
        let mut seen = HashMap::new();
        for (i, id) in ids.enumerate() {
            let path = FieldPath::root().key(collection).index(i).key(field);
            if id.trim().is_empty() {
                self.push(
                    path,
                    format!("{field} is empty"),
                    "give every entry a non-empty id",
                );
                continue;
            }
            if let Some(first) = seen.insert(id, i) {
                self.push(
                    path,
                    format!("duplicate {field} \"{id}\" (also {collection}[{first}])"),
                    "give every entry its own id",
                );
            }
        }
        seen.into_keys().collect()
    }

    fn reference(
        &mut self,
        path: FieldPath,
        id: &str,
        known: &HashSet<&str>,
        what: &str,
        collection: &str,
    ) {
        if !known.contains(id) {
            self.push(
                path,
                format!("{what} \"{id}\" does not exist"),
                format!("name an id listed in `{collection}`, or add the {what} there"),
            );
        }
    }

    /// A plan's boot groups: at most [`MAX_BOOT_GROUPS`], each item of the plan in exactly
    /// one group, no group naming an item outside the plan, action names unique.
    fn boot_groups(&mut self, path: &FieldPath, plan: &super::RecoveryPlan) {
        if plan.groups.is_empty() {
            return;
        }
        let groups = path.key("groups");
        if plan.groups.len() > MAX_BOOT_GROUPS {
            self.push(
                groups.clone(),
                format!(
                    "{} boot groups; a recovery plan holds at most {MAX_BOOT_GROUPS}",
                    plan.groups.len()
                ),
                format!("merge groups so that at most {MAX_BOOT_GROUPS} remain"),
            );
        }
        let members: HashSet<&str> = plan.items.iter().map(|s| s.as_str()).collect();
        let mut placed: HashMap<&str, usize> = HashMap::new();
        let mut actions: HashMap<&str, FieldPath> = HashMap::new();
        for (g, group) in plan.groups.iter().enumerate() {
            let gp = groups.index(g);
            for (k, it) in group.items.iter().enumerate() {
                let ip = gp.key("items").index(k);
                if !members.contains(it.as_str()) {
                    self.push(
                        ip.clone(),
                        format!("item \"{it}\" is not in the plan's `items`"),
                        "list the item in the plan's `items` too, or remove it from the group",
                    );
                }
                if let Some(first) = placed.insert(it.as_str(), g) {
                    self.push(
                        ip,
                        format!("item \"{it}\" is in boot group {} and {}", first + 1, g + 1),
                        "put every item of the plan in exactly one boot group",
                    );
                }
            }
            let all = group
                .start_actions
                .iter()
                .map(|a| ("start_actions", a))
                .chain(group.end_actions.iter().map(|a| ("end_actions", a)));
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for (field, a) in all {
                let n = counts.entry(field).or_insert(0);
                let ap = gp.key(field).index(*n).key("name");
                *n += 1;
                if actions.insert(a.name.as_str(), ap.clone()).is_some() {
                    self.push(
                        ap,
                        format!("action name \"{}\" is used twice in the plan", a.name),
                        "give every action of a plan its own name",
                    );
                }
            }
        }
        for (k, it) in plan.items.iter().enumerate() {
            if !placed.contains_key(it.as_str()) {
                self.push(
                    path.key("items").index(k),
                    format!("item \"{it}\" is in no boot group"),
                    "put every item of the plan in one of its `groups`",
                );
            }
        }
    }

    fn space(&mut self, path: FieldPath, capacity: u64, free: u64) {
        if free > capacity {
            self.push(
                path.key("free_bytes"),
                format!("free space {free} is larger than the capacity {capacity}"),
                "report free_bytes no larger than capacity_bytes",
            );
        }
    }
}

pub(crate) fn validate(e: &Estate) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    let root = FieldPath::root();

    let vcenters = c.unique("vcenters", e.vcenters.iter().map(|v| v.id.as_str()), "id");
    let hosts = c.unique("hosts", e.hosts.iter().map(|v| v.id.as_str()), "id");
    let datastores = c.unique(
        "datastores",
        e.datastores.iter().map(|v| v.id.as_str()),
        "id",
    );
    let mts = c.unique(
        "master_targets",
        e.master_targets.iter().map(|v| v.id.as_str()),
        "id",
    );
    let vms = c.unique("vms", e.vms.iter().map(|v| v.id.as_str()), "id");
    let items = c.unique("items", e.items.iter().map(|v| v.id.as_str()), "id");
    let networks = c.unique(
        "azure_networks",
        e.azure_networks.iter().map(|v| v.id.as_str()),
        "id",
    );
    c.unique(
        "process_servers",
        e.process_servers.iter().map(|v| v.id.as_str()),
        "id",
    );
    let policies = c.unique("policies", e.policies.iter().map(|v| v.id.as_str()), "id");
    c.unique(
        "recovery_plans",
        e.recovery_plans.iter().map(|v| v.name.as_str()),
        "name",
    );

    for (i, h) in e.hosts.iter().enumerate() {
        let p = root.key("hosts").index(i);
        if let Some(vc) = &h.vcenter {
            c.reference(p.key("vcenter"), vc, &vcenters, "vCenter", "vcenters");
        }
        for (j, ds) in h.datastores.iter().enumerate() {
            c.reference(
                p.key("datastores").index(j),
                ds,
                &datastores,
                "datastore",
                "datastores",
            );
        }
    }
    for (i, d) in e.datastores.iter().enumerate() {
        c.space(
            root.key("datastores").index(i),
            d.capacity_bytes,
            d.free_bytes,
        );
    }
    for (i, m) in e.master_targets.iter().enumerate() {
        let p = root.key("master_targets").index(i);
        c.reference(p.key("host"), &m.host, &hosts, "host", "hosts");
        c.reference(
            p.key("datastore"),
            &m.datastore,
            &datastores,
            "datastore",
            "datastores",
        );
        let volumes = c.unique_within(&p, "volumes", m.volumes.iter().map(|v| v.name.as_str()));
        if let Some(cache) = &m.cache_volume {
            if !volumes.contains(cache.as_str()) {
                c.push(
                    p.key("cache_volume"),
                    format!("cache volume \"{cache}\" is not among the master target's volumes"),
                    "name one of the entries of `volumes`, or list the cache volume there",
                );
            }
        }
        for (j, v) in m.volumes.iter().enumerate() {
            c.space(p.key("volumes").index(j), v.capacity_bytes, v.free_bytes);
        }
    }
    for (i, vm) in e.vms.iter().enumerate() {
        let p = root.key("vms").index(i);
        c.reference(p.key("host"), &vm.host, &hosts, "host", "hosts");
        if vm.datastores.is_empty() {
            c.push(
                p.key("datastores"),
                "a VM lives on at least one datastore".into(),
                "list the datastores that hold the VM's disks",
            );
        }
        for (j, ds) in vm.datastores.iter().enumerate() {
            c.reference(
                p.key("datastores").index(j),
                ds,
                &datastores,
                "datastore",
                "datastores",
            );
        }
        c.unique_within(&p, "disks", vm.disks.iter().map(|d| d.name.as_str()));
    }
    for (i, ps) in e.process_servers.iter().enumerate() {
        let p = root.key("process_servers").index(i);
        match (&ps.network, ps.location) {
            (Some(n), _) => {
                c.reference(p.key("network"), n, &networks, "network", "azure_networks")
            }
            (None, PsLocation::Azure) => c.push(
                p.key("network"),
                "an Azure process server must name its virtual network".into(),
                "set `network` to the id of its entry in `azure_networks`",
            ),
            (None, PsLocation::OnPrem) => {}
        }
    }
    if let Some(er) = &e.connectivity.express_route {
        for (j, n) in er.networks.iter().enumerate() {
            c.reference(
                root.key("connectivity")
                    .key("express_route")
                    .key("networks")
                    .index(j),
                n,
                &networks,
                "network",
                "azure_networks",
            );
        }
    }
    let network_models: HashMap<&str, (&str, super::DeploymentModel)> = e
        .azure_networks
        .iter()
        .map(|n| (n.id.as_str(), (n.id.as_str(), n.deployment_model)))
        .collect();
    let cs_id = e.configuration_server.as_ref().map(|cs| cs.id.as_str());
    for (i, pol) in e.policies.iter().enumerate() {
        let p = root.key("policies").index(i);
        if let Some(a) = &pol.associated_with {
            if Some(a.as_str()) != cs_id {
                c.push(
                    p.key("associated_with"),
                    format!("configuration server \"{a}\" does not exist"),
                    "name the id of `configuration_server`",
                );
            }
        }
        if let Some(d) = &pol.derived_from {
            c.reference(p.key("derived_from"), d, &policies, "policy", "policies");
        }
    }
    for (i, it) in e.items.iter().enumerate() {
        let p = root.key("items").index(i);
        if let Some(vm) = &it.original_vm {
            if it.kind == ItemKind::PhysicalServer {
                c.push(
                    p.key("original_vm"),
                    "a physical server has no original VM".into(),
                    "remove `original_vm`, or set `kind` to \"vmware_vm\" if it was a VM",
                );
            } else {
                c.reference(p.key("original_vm"), vm, &vms, "VM", "vms");
            }
        }
        if let Some(mt) = &it.master_target {
            c.reference(
                p.key("master_target"),
                mt,
                &mts,
                "master target",
                "master_targets",
            );
        }
        if let Some(vm) = &it.azure_vm {
            c.reference(
                p.key("azure_vm").key("network"),
                &vm.network,
                &networks,
                "network",
                "azure_networks",
            );
            let net = network_models.get(vm.network.as_str());
            if let Some((id, model)) = net.filter(|(_, m)| *m != vm.deployment_model) {
                c.push(
                    p.key("azure_vm").key("deployment_model"),
                    format!(
                        "the Azure VM is {} but its network {} is {}: a VM has its network's deployment model",
                        vm.deployment_model, id, model
                    ),
                    "correct the VM's deployment_model or its network",
                );
            }
        }
        c.unique_within(&p, "disks", it.disks.iter().map(|d| d.name.as_str()));
        c.unique_within(
            &p,
            "recovery_points",
            it.recovery_points.iter().map(|r| r.id.as_str()),
        );
    }
    for (i, plan) in e.recovery_plans.iter().enumerate() {
        for (j, it) in plan.items.iter().enumerate() {
            c.reference(
                root.key("recovery_plans").index(i).key("items").index(j),
                it,
                &items,
                "item",
                "items",
            );
        }
        c.unique_within(
            &root.key("recovery_plans").index(i),
            "items",
            plan.items.iter().map(|s| s.as_str()),
        );
        c.boot_groups(&root.key("recovery_plans").index(i), plan);
    }
    let mut problems = c.problems;
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem {
            path: FieldPath::root(),
            message: format!("{more} more problems not shown"),
            fix: "fix the ones above and load again".into(),
        });
    }
    problems
}

impl Checker {
    /// Duplicate names within a nested list (volumes of a master target, disks of an item).
    fn unique_within<'a>(
        &mut self,
        parent: &FieldPath,
        list: &str,
        names: impl Iterator<Item = &'a str>,
    ) -> HashSet<&'a str> {
        let mut seen = HashSet::new();
        for (j, n) in names.enumerate() {
            if !seen.insert(n) {
                self.push(
                    parent.key(list).index(j),
                    format!("duplicate name \"{n}\" in {list}"),
                    "give every entry its own name",
                );
            }
        }
        seen
    }
}
