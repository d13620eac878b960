//! The item index: a protected item's id (its RPI's resource `name`) to its RPI's ARM id,
//! from the paged listing of `V/replicationProtectedItems`, refreshed once when an id is
//! not found (the item was added, or its RPI moved).

use std::collections::HashMap;

use crate::models::ReplicationProtectedItem;

/// Where an item's RPI is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemRef {
    /// The item's id: the RPI's resource `name`.
    pub name: String,
    /// The RPI's ARM id, the path every operation on the item goes to.
    pub arm_id: String,
    /// The RPI's `friendlyName` (a job's `targetObjectName`).
    pub friendly_name: Option<String>,
}

/// The index at one listing.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// By item id.
    items: HashMap<String, ItemRef>,
    /// Item id by ARM id, lower-cased (ARM ids are case-insensitive).
    by_arm_id: HashMap<String, String>,
    /// How many listings made it: 0 for the empty index of a provider that never listed.
    pub generation: u64,
}

impl Index {
    /// The index of `rpis`, the `generation`-th listing.
    pub(crate) fn of(rpis: &[ReplicationProtectedItem], generation: u64) -> Index {
        let items = rpis
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    ItemRef {
                        name: r.name.clone(),
                        arm_id: r.id.clone(),
                        friendly_name: r.properties.friendly_name.clone(),
                    },
                )
            })
            .collect::<HashMap<_, _>>();
        let by_arm_id = items
            .values()
            .map(|r| (arm_key(&r.arm_id), r.name.clone()))
            .collect();
        Index {
            items,
            by_arm_id,
            generation,
        }
    }

    /// The RPI of item `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&ItemRef> {
        self.items.get(id)
    }

    /// The item whose RPI has ARM id `arm_id` (compared as ARM compares ids).
    pub(crate) fn by_arm_id(&self, arm_id: &str) -> Option<&ItemRef> {
        self.by_arm_id
            .get(&arm_key(arm_id))
            .and_then(|name| self.items.get(name))
    }
}

fn arm_key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}
