//! Lookups by id over a validated estate, built once so that checks and the planner run
//! in time linear in the estate's size.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::*;

/// Id lookups over an [`Estate`]. Build it from a validated estate: ids are unique there.
#[derive(Debug)]
pub struct EstateIndex<'e> {
    /// The estate indexed.
    pub estate: &'e Estate,
    hosts: HashMap<&'e str, &'e EsxHost>,
    datastores: HashMap<&'e str, &'e Datastore>,
    vcenters: HashMap<&'e str, &'e VCenter>,
    vms: HashMap<&'e str, &'e OnPremVm>,
    items: HashMap<&'e str, &'e ProtectedItem>,
    networks: HashMap<&'e str, &'e AzureNetwork>,
    master_targets: HashMap<&'e str, &'e MasterTarget>,
    process_servers: HashMap<&'e str, &'e ProcessServer>,
    groups: BTreeMap<&'e str, Vec<&'e ProtectedItem>>,
    plans_by_item: HashMap<&'e str, Vec<&'e RecoveryPlan>>,
    database: Option<HashSet<&'e str>>,
    /// The datastores each host reaches, resolved once: the planner asks for every
    /// candidate master target of every unit.
    host_datastores: HashMap<&'e str, Vec<&'e Datastore>>,
}

impl<'e> EstateIndex<'e> {
    /// Index an estate.
    pub fn new(estate: &'e Estate) -> Self {
        fn by_id<'a, T>(v: &'a [T], id: impl Fn(&'a T) -> &'a str) -> HashMap<&'a str, &'a T> {
            v.iter().map(|x| (id(x), x)).collect()
        }
        let mut groups: BTreeMap<&str, Vec<&ProtectedItem>> = BTreeMap::new();
        for it in &estate.items {
            if let Some(g) = &it.replication_group {
                groups.entry(g.as_str()).or_default().push(it);
            }
        }
        let mut plans_by_item: HashMap<&str, Vec<&RecoveryPlan>> = HashMap::new();
        for plan in &estate.recovery_plans {
            for it in &plan.items {
                plans_by_item.entry(it.as_str()).or_default().push(plan);
            }
        }
        let hosts = by_id(&estate.hosts, |x| &x.id);
        let datastores = by_id(&estate.datastores, |x| &x.id);
        let host_datastores = hosts
            .iter()
            .map(|(id, h)| {
                let reached = h
                    .datastores
                    .iter()
                    .filter_map(|d| datastores.get(d.as_str()).copied())
                    .collect();
                (*id, reached)
            })
            .collect();
        EstateIndex {
            estate,
            hosts,
            datastores,
            vcenters: by_id(&estate.vcenters, |x| &x.id),
            vms: by_id(&estate.vms, |x| &x.id),
            items: by_id(&estate.items, |x| &x.id),
            networks: by_id(&estate.azure_networks, |x| &x.id),
            master_targets: by_id(&estate.master_targets, |x| &x.id),
            process_servers: by_id(&estate.process_servers, |x| &x.id),
            groups,
            plans_by_item,
            database: estate
                .configuration_server
                .as_ref()
                .and_then(|cs| cs.database_items.as_ref())
                .map(|v| v.iter().map(|s| s.as_str()).collect()),
            host_datastores,
        }
    }

    /// An ESX host by id.
    pub fn host(&self, id: &str) -> Option<&'e EsxHost> {
        self.hosts.get(id).copied()
    }
    /// A datastore by id.
    pub fn datastore(&self, id: &str) -> Option<&'e Datastore> {
        self.datastores.get(id).copied()
    }
    /// A vCenter by id.
    pub fn vcenter(&self, id: &str) -> Option<&'e VCenter> {
        self.vcenters.get(id).copied()
    }
    /// An on-premises VM by id.
    pub fn vm(&self, id: &str) -> Option<&'e OnPremVm> {
        self.vms.get(id).copied()
    }
    /// A protected item by id.
    pub fn item(&self, id: &str) -> Option<&'e ProtectedItem> {
        self.items.get(id).copied()
    }
    /// An Azure network by id.
    pub fn network(&self, id: &str) -> Option<&'e AzureNetwork> {
        self.networks.get(id).copied()
    }
    /// A master target by id.
    pub fn master_target(&self, id: &str) -> Option<&'e MasterTarget> {
        self.master_targets.get(id).copied()
    }
    /// A process server by id.
    pub fn process_server(&self, id: &str) -> Option<&'e ProcessServer> {
        self.process_servers.get(id).copied()
    }
    /// Members of a replication group, in estate order.
    pub fn group(&self, name: &str) -> &[&'e ProtectedItem] {
        self.groups.get(name).map_or(&[], |v| v.as_slice())
    }
    /// Every replication group with its members, by name.
    pub fn groups(&self) -> impl Iterator<Item = (&'e str, &[&'e ProtectedItem])> + '_ {
        self.groups.iter().map(|(k, v)| (*k, v.as_slice()))
    }
    /// The recovery plans an item is in.
    pub fn plans_of(&self, item: &str) -> &[&'e RecoveryPlan] {
        self.plans_by_item.get(item).map_or(&[], |v| v.as_slice())
    }
    /// Whether the configuration server's database holds the item; `None` when the
    /// database contents are unknown.
    pub fn in_database(&self, item: &str) -> Option<bool> {
        self.database.as_ref().map(|d| d.contains(item))
    }
    /// The deployment model of a process server: its network's (PS-002).
    pub fn ps_model(&self, ps: &ProcessServer) -> Option<DeploymentModel> {
        ps.network
            .as_deref()
            .and_then(|n| self.network(n))
            .map(|n| n.deployment_model)
    }
    /// The datastores a host reaches.
    pub fn host_datastores(&self, host: &str) -> impl Iterator<Item = &'e Datastore> + '_ {
        self.host_datastores
            .get(host)
            .into_iter()
            .flat_map(|v| v.iter().copied())
    }
}
