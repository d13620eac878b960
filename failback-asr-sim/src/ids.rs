//! The ARM names and ids of what the simulator serves, by the rules of
//! `docs/asr-mapping.md` ("Identity" and "The simulator's names").

use failback_core::estate::{Estate, Flavor};

use crate::Vault;

/// The resource types, as ARM reports them in `type`.
pub(crate) mod types {
    /// A fabric.
    pub const FABRIC: &str = "Microsoft.RecoveryServices/vaults/replicationFabrics";
    /// A protection container.
    pub const CONTAINER: &str =
        "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers";
    /// A replication protected item.
    pub const ITEM: &str = "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems";
    /// A recovery point.
    pub const POINT: &str = "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints";
    /// A vCenter.
    pub const VCENTER: &str =
        "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationvCenters";
    /// A policy.
    pub const POLICY: &str = "Microsoft.RecoveryServices/vaults/replicationPolicies";
    /// A recovery plan.
    pub const PLAN: &str = "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans";
    /// A job.
    pub const JOB: &str = "Microsoft.RecoveryServices/vaults/replicationJobs";
}

/// The fabric a classic estate without a configuration server is served under.
const CLASSIC_FALLBACK: &str = "configuration-server";
/// The fabric a modernized estate without a replication appliance is served under.
const MODERNIZED_FALLBACK: &str = "replication-appliance";

/// The names of the one fabric and container of a vault, and the ids built on them.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// The vault's path (`/subscriptions/…/vaults/{vault}`).
    pub vault: String,
    /// The subscription, for the ARM ids of Azure VMs.
    pub subscription: String,
    /// The resource group, for the ARM ids of Azure VMs.
    pub resource_group: String,
    /// The fabric's name: the configuration server's id (classic) or the replication
    /// appliance's (modernized).
    pub fabric: String,
    /// The container's name: `{fabric}-container`.
    pub container: String,
}

impl Names {
    /// The names of `estate` served in `vault`.
    pub(crate) fn of(vault: &Vault, estate: &Estate) -> Names {
        let fabric = match estate.flavor {
            Flavor::Classic => estate
                .configuration_server
                .as_ref()
                .map_or(CLASSIC_FALLBACK.to_string(), |c| c.id.clone()),
            Flavor::Modernized => estate
                .replication_appliance
                .as_ref()
                .map_or(MODERNIZED_FALLBACK.to_string(), |a| a.id.clone()),
        };
        Names {
            vault: vault.path(),
            subscription: vault.subscription.clone(),
            resource_group: vault.resource_group.clone(),
            container: format!("{fabric}-container"),
            fabric,
        }
    }

    /// `V/replicationFabrics/{fabric}`.
    pub(crate) fn fabric_id(&self) -> String {
        format!(
            "{}/replicationFabrics/{}",
            self.vault,
            segment(&self.fabric)
        )
    }

    /// `V/replicationFabrics/{fabric}/replicationProtectionContainers/{container}`.
    pub(crate) fn container_id(&self) -> String {
        format!(
            "{}/replicationProtectionContainers/{}",
            self.fabric_id(),
            segment(&self.container)
        )
    }

    /// The RPI's id of item `item`.
    pub(crate) fn item_id(&self, item: &str) -> String {
        format!(
            "{}/replicationProtectedItems/{}",
            self.container_id(),
            segment(item)
        )
    }

    /// The id of recovery point `point` of item `item`.
    pub(crate) fn point_id(&self, item: &str, point: &str) -> String {
        format!("{}/recoveryPoints/{}", self.item_id(item), segment(point))
    }

    /// The id of vCenter `vcenter`.
    pub(crate) fn vcenter_id(&self, vcenter: &str) -> String {
        format!(
            "{}/replicationvCenters/{}",
            self.fabric_id(),
            segment(vcenter)
        )
    }

    /// The id of policy `policy` (an estate's `PolicyRecord.id`).
    pub(crate) fn policy_id(&self, policy: &str) -> String {
        format!("{}/replicationPolicies/{}", self.vault, segment(policy))
    }

    /// The id of recovery plan `plan`.
    pub(crate) fn plan_id(&self, plan: &str) -> String {
        format!("{}/replicationRecoveryPlans/{}", self.vault, segment(plan))
    }

    /// The id of job `job`.
    pub(crate) fn job_id(&self, job: &str) -> String {
        format!("{}/replicationJobs/{}", self.vault, segment(job))
    }

    /// The ARM id of Azure VM `name` in resource group `group` (an id given whole is
    /// kept).
    pub(crate) fn vm_in(&self, group: &str, name: &str) -> String {
        if name.starts_with('/') {
            return name.to_string();
        }
        format!(
            "{}/providers/Microsoft.Compute/virtualMachines/{}",
            self.group_id(group),
            segment(name)
        )
    }

    /// `/subscriptions/{s}/resourceGroups/{group}`.
    pub(crate) fn group_id(&self, group: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription,
            segment(group)
        )
    }

    /// The ARM id of virtual network `network` of resource group `group`.
    pub(crate) fn network_id(&self, group: &str, network: &str) -> String {
        if network.starts_with('/') {
            return network.to_string();
        }
        format!(
            "{}/providers/Microsoft.Network/virtualNetworks/{}",
            self.group_id(group),
            segment(network)
        )
    }

    /// The ARM id of an Azure VM named `name` (a process server's host, an item's VM
    /// given by name only).
    pub(crate) fn azure_vm_id(&self, name: &str) -> String {
        if name.starts_with('/') {
            return name.to_string();
        }
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Compute/virtualMachines/{}",
            self.subscription,
            self.resource_group,
            segment(name)
        )
    }
}

/// The last segment of an ARM id (or the value itself when it has no `/`), decoded: how
/// the simulator reads the ids a client sends back (a policy's, a recovery point's).
pub(crate) fn last_segment(id: &str) -> String {
    let tail = id.trim_end_matches('/');
    let last = tail.rsplit('/').next().unwrap_or(tail);
    decode(last)
}

/// `s` as one path segment: every byte other than the unreserved ones (`A-Z a-z 0-9 - .
/// _ ~`) percent-encoded.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decoding of a path segment (a `%` not followed by two hex digits is kept; bytes
/// that are not UTF-8 are replaced).
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut k = 0;
    while k < bytes.len() {
        if bytes[k] == b'%' && k + 2 < bytes.len() {
            let hex = |c: u8| char::from(c).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[k + 1]), hex(bytes[k + 2])) {
                out.push((h * 16 + l) as u8);
                k += 3;
                continue;
            }
        }
        out.push(bytes[k]);
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A GUID-shaped string drawn from `seed` (FNV-1a then splitmix64): the same text always
/// gives the same GUID, as ASR's ids of a resource stay.
pub(crate) fn guid(seed: &str) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    let a = splitmix(h);
    let b = splitmix(a);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0x0FFF,
        (b >> 52) & 0x0FFF,
        b & 0xFFFF_FFFF_FFFF
    )
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip() {
        for s in ["web-00001", "a b/c%d", "rp-20261120T100000Z", "é"] {
            assert_eq!(decode(&segment(s)), s);
        }
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(last_segment("/a/b/replicationPolicies/pol-x"), "pol-x");
        assert_eq!(last_segment("pol-x"), "pol-x");
    }

    #[test]
    fn guids_are_stable_and_shaped() {
        let g = guid("web-00001");
        assert_eq!(g, guid("web-00001"));
        assert_ne!(g, guid("web-00002"));
        let parts: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{g}");
    }
}
