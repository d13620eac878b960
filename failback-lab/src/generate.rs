//! A deterministic generator of realistic, healthy estates, for benchmarks, drills and
//! tests at scale.
//!
//! [`estate`] turns a [`Spec`] into an [`Estate`] that validates
//! ([`Estate::validate`]) and that [`assess`](failback_core::readiness::assess) finds ready under
//! the default [`Request`](failback_core::request::Request): every fact a rule needs is present
//! and every rule holds. The same spec (same seed) always gives the same estate, byte for
//! byte; another seed gives another estate of the same shape.
//!
//! ```
//! use failback_lab::generate::{estate, Spec};
//! use failback_core::{assess, Request};
//!
//! let spec = Spec::for_items(200).with_seed(7);
//! let e = estate(&spec);
//! assert_eq!(e.items.len(), 200);
//! e.validate().unwrap();
//! assert!(assess(&e, &Request::default()).unwrap().ready());
//! assert_eq!(e, estate(&spec), "same seed, same estate");
//! ```
//!
//! # What an estate holds
//!
//! The classic provider (configuration server, process servers, master targets):
//!
//! - **on-premises**: `vcenters` vCenters, each managing clusters of about 8 ESX hosts
//!   (about one host in 50 is a standalone host with a local datastore); every host has
//!   a paid licence and is discovered. The datastores are shared by the hosts of a
//!   cluster: mostly VMFS, a vSAN datastore in about one cluster in four, and an NFS
//!   content library in some clusters (never used by a VM or master target).
//! - **master targets**: Windows (Windows Server 2019) and Linux (CentOS 6.6) in the
//!   proportion of the items, spread evenly over the clusters; the first one is the
//!   default master target on the configuration server. Each has `disk.enableUUID=True`,
//!   running VMware Tools, an LSI Logic controller, no snapshot, its cache volume and an
//!   eligible default retention volume (`R:`, `/mnt/retention`); some Windows ones also
//!   have a volume used for something else. Every Linux one has the required packages and
//!   XFS support; every other Linux one (the first included) supports ReiserFS too.
//! - **Azure**: `networks` virtual networks (Resource Manager; the fourth, when there are
//!   four or more, is classic), each with one Azure process server per 400 items in it,
//!   created during protection, reached by a site-to-site VPN or, for one network in
//!   three, by ExpressRoute with Microsoft peering to the region. The configuration
//!   server has recent backups, its registered address and every item in its database;
//!   the failback policy derives from the forward policy with the fixed values.
//! - **items**: Windows and Linux (`linux_percent`), mostly VMware VMs and a few physical
//!   servers (`physical_percent`, Windows or Linux, never Windows Server 2008 R2 SP1),
//!   each with 1 to 4 disks, known changed bytes, a running Azure VM whose agent is
//!   registered, in one network with its static addresses. A VM's original VM survives
//!   for `surviving_vm_percent` of them, but is kept on-premises (with no snapshot) only
//!   where a master target can recover into it: in about half of the units, whose
//!   original VMs sit on the datastore of a master target of their OS family (one that
//!   supports ReiserFS when a member needs it) and on a host of its cluster, so they fail
//!   back into the original VM as a delta. ASR fails back into an original VM while it
//!   exists, never to an alternate location, so the other units' original VMs were
//!   deleted on-premises: those VMs, like the physical servers, fail back to a new VM.
//!   `grouped_percent` of the items are in
//!   replication groups of 2 to 5 members of one OS family, each group in its own
//!   recovery plan. Most units are failed over to Azure; `replicating_percent` of them
//!   are already replicating back (reprotect done, one master target per unit) with fresh
//!   recovery points every 5 minutes for the last hour and hourly application-consistent
//!   ones for a day (multi-VM sync points for a group).
//!
//! The modernized provider ([`Spec::flavor`], [`Spec::with_flavor`]) has the same
//! on-premises site, networks, items and units as the classic estate of the seed; its
//! provider side differs: one replication appliance (with its log storage account, a
//! 10 Gbit/s link from Azure shared by every reprotect, and its on-premises process
//! servers) instead of the configuration server and the Azure process servers; the
//! master targets are its reprotect agents (`ra-win-01`, `ra-lin-01`, no retention
//! volume); no site-to-site VPN or ExpressRoute (the reverse replication needs none);
//! the modernized forward and failback policies. Its failovers are planned: no data loss.
//!
//! Ids are stable and readable: `esx-0001`, `ds-0001`, `mt-win-01`, `vnet-dr-01`,
//! `web-00001`, group `db-grp-0001` in recovery plan `rp-db-grp-0001`.
//!
//! Datastores are sized so that every item fits at an alternate location. Values of a
//! hand-written [`Spec`] below the minimum a healthy estate needs (two hosts, two master
//! targets, one of each OS family, two datastores per cluster, one vCenter, one network)
//! are raised to it.

use failback_core::readiness::{LINUX_MT_PACKAGES, REQUIRED_PRIVILEGES};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Duration, Utc};

use failback_core::estate::{
    AzureNetwork, AzureVm, ConfigurationServer, Connectivity, Consistency, Datastore,
    DatastoreKind, DeploymentModel, DiscoveryAccount, Disk, Estate, EsxHost, ExpressRoute,
    FileSystem, Flavor, Health, ItemKind, Licence, LicenceEdition, MasterTarget, MasterTargetRole,
    Nic, OnPremAddress, OnPremVm, Os, OsFamily, Peering, PeeringKind, PolicyDirection,
    PolicyRecord, ProcessServer, ProtectedItem, PsLocation, RecoveryPlan, RecoveryPoint,
    ReplicationAppliance, ScsiController, ToolsStatus, VCenter, Volume, VolumeUsage,
};
use failback_core::state::ProtectionState;

const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;

/// The shape of a generated estate. Build one with [`Spec::for_items`], adjust fields as
/// needed, and pass it to [`estate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Protected items (VMware VMs and physical servers now running in Azure).
    pub items: usize,
    /// ESX hosts, managed by the vCenters, a few standalone (at least 2).
    pub hosts: usize,
    /// Datastores (at least two per cluster plus one per standalone host).
    pub datastores: usize,
    /// Master targets, of both OS families, one of them on the configuration server
    /// (at least 2).
    pub master_targets: usize,
    /// vCenter servers (at least 1, at most one per managed host).
    pub vcenters: usize,
    /// Azure virtual networks the items failed over to, each with its process servers
    /// (at least 1, at most 100).
    pub networks: usize,
    /// Percentage of items running Linux (the rest run Windows).
    pub linux_percent: u32,
    /// Percentage of items that are physical servers (never in a replication group).
    pub physical_percent: u32,
    /// Percentage of VMware VMs whose original VM survived; it is kept on-premises only in
    /// the units (about half) whose original VMs sit where a master target can recover
    /// into them, and was deleted in the others.
    pub surviving_vm_percent: u32,
    /// Percentage of items in replication groups (of 2 to 5 members).
    pub grouped_percent: u32,
    /// Percentage of units (items or groups) already replicating back to on-premises.
    pub replicating_percent: u32,
    /// The ASR provider: classic (configuration server, process servers, master targets)
    /// or modernized (a replication appliance with reprotect agents). A modernized estate
    /// has the same hosts, datastores, items and units as the classic one of the same
    /// seed; only the provider's side differs (see the module documentation).
    pub flavor: Flavor,
    /// Seed of the pseudo-random choices: the same spec always gives the same estate.
    pub seed: u64,
    /// When the estate is captured; every time in it (backups, boots, recovery points) is
    /// set relative to this.
    pub captured_at: DateTime<Utc>,
}

impl Spec {
    /// A spec for `items` items with proportional sizes: the number of hosts grows as
    /// `items^0.78` and of master targets as `items^0.4`, two datastores per host, a
    /// vCenter per 40 hosts (2 to 16) and about `sqrt(items) / 8` networks (2 to 32).
    /// 1,000 items give 100 hosts, 200 datastores, 24 master targets, 3 vCenters and 4
    /// networks; 10,000 items give 600 hosts, 1,200 datastores, 60 master targets, 15
    /// vCenters and 13 networks. Seed 0, captured at 2026-11-20T10:00:00Z.
    ///
    /// ```
    /// use failback_lab::generate::Spec;
    ///
    /// let s = Spec::for_items(10_000);
    /// assert_eq!((s.hosts, s.datastores, s.master_targets), (600, 1200, 60));
    /// ```
    pub fn for_items(items: usize) -> Spec {
        let scale = items.max(1) as f64 / 1000.0;
        let hosts = ((100.0 * scale.powf(0.778)).round() as usize).max(4);
        let master_targets = ((24.0 * scale.powf(0.398)).round() as usize).max(2);
        Spec {
            items,
            hosts,
            datastores: hosts * 2,
            master_targets,
            vcenters: hosts.div_ceil(40).clamp(2, 16),
            networks: ((items as f64).sqrt() / 8.0).ceil().clamp(2.0, 32.0) as usize,
            linux_percent: 40,
            physical_percent: 3,
            surviving_vm_percent: 65,
            grouped_percent: 15,
            replicating_percent: 10,
            flavor: Flavor::Classic,
            seed: 0,
            // 2026-11-20T10:00:00Z
            captured_at: DateTime::from_timestamp(1_795_168_800, 0).unwrap_or_default(),
        }
    }

    /// The same spec with another seed.
    pub fn with_seed(mut self, seed: u64) -> Spec {
        self.seed = seed;
        self
    }

    /// The same spec for another ASR flavour.
    ///
    /// ```
    /// use failback_core::estate::Flavor;
    /// use failback_lab::generate::{estate, Spec};
    /// use failback_core::{assess, Request};
    ///
    /// let e = estate(&Spec::for_items(100).with_flavor(Flavor::Modernized));
    /// assert!(e.replication_appliance.is_some() && e.configuration_server.is_none());
    /// assert!(assess(&e, &Request::default()).unwrap().ready());
    /// ```
    pub fn with_flavor(mut self, flavor: Flavor) -> Spec {
        self.flavor = flavor;
        self
    }
}

/// splitmix64: a small, fast pseudo-random generator, good enough to vary an estate and
/// stable across platforms and versions (no dependency).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below((hi - lo + 1) as usize) as u64
    }

    /// True with probability `p` percent.
    fn percent(&mut self, p: u32) -> bool {
        self.below(100) < p as usize
    }

    /// One element of a non-empty slice.
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const WINDOWS_VERSIONS: &[&str] = &[
    "Windows Server 2012 R2",
    "Windows Server 2016",
    "Windows Server 2019",
    "Windows Server 2022",
];

/// Linux versions with their root and boot file systems.
const LINUX_VERSIONS: &[(&str, FileSystem, FileSystem)] = &[
    ("CentOS 7.9", FileSystem::Xfs, FileSystem::Xfs),
    (
        "Red Hat Enterprise Linux 8.6",
        FileSystem::Xfs,
        FileSystem::Xfs,
    ),
    ("Ubuntu 20.04", FileSystem::Ext4, FileSystem::Ext4),
    (
        "SUSE Linux Enterprise Server 12 SP5",
        FileSystem::Btrfs,
        FileSystem::Ext4,
    ),
];

/// The rare Linux item on ReiserFS (MT-003).
const REISERFS_VERSION: (&str, FileSystem, FileSystem) = (
    "SUSE Linux Enterprise Server 11 SP4",
    FileSystem::Reiserfs,
    FileSystem::Ext3,
);

const ROLES: &[&str] = &[
    "web", "app", "api", "db", "sql", "file", "mq", "cache", "etl", "auth", "mail", "mon",
];

/// One cluster of hosts sharing datastores (a standalone host is a cluster of one).
struct Cluster {
    hosts: Vec<usize>,
    /// Indexes of its VMFS and vSAN datastores (never NFS).
    usable: Vec<usize>,
}

/// What every item of a unit (an item or a replication group) shares.
struct UnitPlan {
    family: OsFamily,
    network: usize,
    replicating: bool,
    role: &'static str,
    group: Option<String>,
    /// The master target whose datastore the unit's surviving original VMs sit on (so
    /// they can fail back into the original VM), if any.
    near: Option<usize>,
    /// Whether `near` can recover into the unit's original VMs (it is of the unit's OS
    /// family and supports ReiserFS when a member needs it, MT-003). When not, the
    /// unit's original VMs were deleted on-prem: ASR fails back into an original VM while
    /// it exists, never to an alternate location, so one that no master target could
    /// recover into would block its item.
    keeps_vms: bool,
    /// The master target already serving a replicating unit.
    serving: Option<usize>,
    /// Minutes between the latest recovery point and the capture.
    point_lag: i64,
}

/// Generate the estate a spec describes. Deterministic: the same spec gives the same
/// estate. See the [module documentation](self) for what it holds.
pub fn estate(spec: &Spec) -> Estate {
    let mut rng = Rng::new(spec.seed);
    let now = spec.captured_at;
    let mut e = Estate::empty(now);
    e.name = Some(format!("generated-{}-items-seed-{}", spec.items, spec.seed));
    e.flavor = Flavor::Classic;
    e.azure_region = Some("westeurope".into());

    // Sizes, raised to what a healthy estate needs.
    let hosts = spec.hosts.max(2);
    let standalone = hosts / 50;
    let managed = hosts - standalone;
    let vcenters = spec.vcenters.clamp(1, managed);
    let cluster_count = vcenters.max(managed.div_ceil(8));
    let shared = spec
        .datastores
        .saturating_sub(standalone)
        .max(2 * cluster_count);
    let networks = spec.networks.clamp(1, 100);
    let mts = spec.master_targets.max(2);
    let linux_mts = ((mts as u64 * u64::from(spec.linux_percent.min(100)) + 50) / 100)
        .clamp(1, mts as u64 - 1) as usize;

    // vCenters.
    for v in 0..vcenters {
        e.vcenters.push(VCenter {
            id: format!("vc-{:02}", v + 1),
            address: format!("vcenter-{:02}.corp.example", v + 1),
            account: DiscoveryAccount {
                user: "svc-asr@vsphere.local".into(),
                privileges: Some(
                    REQUIRED_PRIVILEGES
                        .iter()
                        .chain(["Host.Config.Storage"].iter())
                        .map(|p| p.to_string())
                        .collect(),
                ),
                read_only: Some(false),
            },
        });
    }

    // Clusters of hosts, their datastores, then the standalone hosts.
    let mut clusters = Vec::new();
    for c in 0..cluster_count {
        let first_host = e.hosts.len();
        let host_count = (c + 1) * managed / cluster_count - c * managed / cluster_count;
        let ds_count = (c + 1) * shared / cluster_count - c * shared / cluster_count;
        let first_ds = e.datastores.len();
        let vsan = rng.percent(25);
        let nfs = ds_count >= 4 && c % 4 == 1;
        let mut usable = Vec::new();
        for k in 0..ds_count {
            let n = e.datastores.len() + 1;
            let (kind, name, capacity) = if k == 0 && vsan {
                (
                    DatastoreKind::Vsan,
                    format!("vsanDatastore-C{:03}", c + 1),
                    rng.range(96, 160) * TIB,
                )
            } else if k + 1 == ds_count && nfs {
                (
                    DatastoreKind::Nfs,
                    format!("NFS-ISO-C{:03}", c + 1),
                    4 * TIB,
                )
            } else {
                (
                    DatastoreKind::Vmfs,
                    format!("VMFS-C{:03}-{:02}", c + 1, k + 1),
                    *rng.pick(&[32, 48, 64]) * TIB,
                )
            };
            if kind != DatastoreKind::Nfs {
                usable.push(e.datastores.len());
            }
            e.datastores
                .push(datastore(&mut rng, now, n, name, kind, capacity));
        }
        let ds_ids: Vec<String> = e.datastores[first_ds..]
            .iter()
            .map(|d| d.id.clone())
            .collect();
        for _ in 0..host_count {
            let n = e.hosts.len() + 1;
            e.hosts.push(EsxHost {
                id: format!("esx-{n:04}"),
                name: format!("esx-{n:04}.corp.example"),
                vcenter: Some(e.vcenters[c % vcenters].id.clone()),
                licence: Some(paid_licence(&mut rng)),
                discovered: true,
                datastores: ds_ids.clone(),
            });
        }
        clusters.push(Cluster {
            hosts: (first_host..e.hosts.len()).collect(),
            usable,
        });
    }
    let mut standalone_clusters = Vec::new();
    for _ in 0..standalone {
        let h = e.hosts.len();
        let d = e.datastores.len();
        let name = format!("local-esx-{:04}", h + 1);
        e.datastores.push(datastore(
            &mut rng,
            now,
            d + 1,
            name,
            DatastoreKind::Vmfs,
            16 * TIB,
        ));
        e.hosts.push(EsxHost {
            id: format!("esx-{:04}", h + 1),
            name: format!("esx-{:04}.branch.corp.example", h + 1),
            vcenter: None,
            licence: Some(paid_licence(&mut rng)),
            discovered: true,
            datastores: vec![e.datastores[d].id.clone()],
        });
        standalone_clusters.push(Cluster {
            hosts: vec![h],
            usable: vec![d],
        });
    }

    // Master targets, spread over the clusters; the first is on the configuration server.
    let mut by_family: BTreeMap<OsFamily, Vec<usize>> = BTreeMap::new();
    let mut reiserfs_mts = Vec::new();
    let mut mt_cluster = Vec::new();
    for j in 0..mts {
        let linux = (j + 1) * linux_mts / mts > j * linux_mts / mts;
        let family = if linux {
            OsFamily::Linux
        } else {
            OsFamily::Windows
        };
        let nth = by_family.get(&family).map_or(0, |v| v.len());
        let c = j * cluster_count / mts;
        let cluster = &clusters[c];
        let host = e.hosts[*rng.pick(&cluster.hosts)].id.clone();
        let ds = e.datastores[*rng.pick(&cluster.usable)].id.clone();
        let reiserfs = linux && nth.is_multiple_of(2);
        let mt = master_target(&mut rng, now, j, nth, family, host, ds, reiserfs);
        if reiserfs {
            reiserfs_mts.push(j);
        }
        by_family.entry(family).or_default().push(j);
        mt_cluster.push(c);
        e.master_targets.push(mt);
    }

    // Azure networks, process servers later (they depend on the items per network).
    let mut er_networks = Vec::new();
    for n in 0..networks {
        let classic = n == 3;
        let vpn = n % 3 != 2;
        let id = if classic {
            format!("vnet-classic-{:02}", n + 1)
        } else {
            format!("vnet-dr-{:02}", n + 1)
        };
        if !vpn {
            er_networks.push(id.clone());
        }
        e.azure_networks.push(AzureNetwork {
            id,
            deployment_model: if classic {
                DeploymentModel::Classic
            } else {
                DeploymentModel::ResourceManager
            },
            created_during_protection: Some(true),
            site_to_site_vpn: vpn,
        });
    }
    e.connectivity = Connectivity {
        express_route: (!er_networks.is_empty()).then(|| ExpressRoute {
            circuit: "er-corp-01".into(),
            networks: er_networks,
            peerings: vec![
                Peering {
                    kind: PeeringKind::Private,
                    regions: Vec::new(),
                },
                Peering {
                    kind: PeeringKind::Microsoft,
                    regions: vec!["westeurope".into(), "northeurope".into()],
                },
            ],
        }),
    };

    // Items, unit by unit: a lone item or a replication group of 2 to 5 members.
    let g = f64::from(spec.grouped_percent.min(100)) / 100.0;
    // Chance that a unit is a group, so that `g` of the items are grouped (mean size 3.5).
    let group_chance = (g / (3.5 - 2.5 * g) * 1000.0).round() as usize;
    let mut per_network = vec![0usize; networks];
    let mut groups = 0usize;
    while e.items.len() < spec.items {
        let left = spec.items - e.items.len();
        let size = if left >= 2 && rng.below(1000) < group_chance {
            (2 + rng.below(4)).min(left)
        } else {
            1
        };
        let family = if rng.percent(spec.linux_percent) {
            OsFamily::Linux
        } else {
            OsFamily::Windows
        };
        let role = *rng.pick(ROLES);
        let group = (size > 1).then(|| {
            groups += 1;
            format!("{role}-grp-{groups:04}")
        });
        let family_mts = by_family.get(&family).map_or(&[][..], |v| v.as_slice());
        let near = rng.percent(50).then(|| *rng.pick(family_mts));
        let replicating = rng.percent(spec.replicating_percent);
        let unit = UnitPlan {
            family,
            network: rng.below(networks),
            replicating,
            role,
            group,
            near,
            keeps_vms: near.is_some(),
            serving: replicating.then(|| near.unwrap_or_else(|| *rng.pick(family_mts))),
            point_lag: rng.range(1, 4) as i64,
        };
        // A replicating unit with a ReiserFS member is served by a master target that
        // supports it; decided per unit so that a group keeps one master target.
        let reiserfs_unit = family == OsFamily::Linux && rng.percent(2);
        let unit = UnitPlan {
            serving: match (unit.serving, reiserfs_unit) {
                (Some(_), true) => Some(*rng.pick(&reiserfs_mts)),
                (s, _) => s,
            },
            keeps_vms: unit.keeps_vms
                && (!reiserfs_unit || unit.near.is_some_and(|m| reiserfs_mts.contains(&m))),
            ..unit
        };
        let first = e.items.len();
        for m in 0..size {
            let reiserfs = reiserfs_unit && m == 0;
            let it = item(
                &mut rng,
                spec,
                &mut e,
                &unit,
                reiserfs,
                &clusters,
                &standalone_clusters,
                &mt_cluster,
            );
            e.items.push(it);
        }
        per_network[unit.network] += size;
        if let Some(g) = &unit.group {
            e.recovery_plans.push(RecoveryPlan {
                name: format!("rp-{g}"),
                items: e.items[first..].iter().map(|m| m.id.clone()).collect(),
                groups: Vec::new(),
            });
        }
    }

    // Process servers: per network one in Azure per 400 items (at least one), each on a
    // 10 Gbit/s link back to the site (an ExpressRoute circuit's share), and the
    // on-premises ones for the reprotect to Azure.
    for (n, net) in e.azure_networks.iter().enumerate() {
        for k in 0..per_network[n].div_ceil(400).max(1) {
            let id = format!("ps-az-{:02}-{:02}", n + 1, k + 1);
            e.process_servers.push(ProcessServer {
                name: id.clone(),
                id,
                location: PsLocation::Azure,
                network: Some(net.id.clone()),
                running: Some(true),
                health: Some(Health::Normal),
                registered_at: Some(now - Duration::hours(rng.range(24, 24 * 30) as i64)),
                bandwidth_mbps: Some(10_000),
            });
        }
    }
    for k in 0..(spec.items / 2500 + 1) {
        let (id, name) = if k == 0 {
            ("ps-onprem-01".to_string(), "cs-01".to_string())
        } else {
            let id = format!("ps-onprem-{:02}", k + 1);
            (id.clone(), id)
        };
        e.process_servers.push(ProcessServer {
            id,
            name,
            location: PsLocation::OnPrem,
            network: None,
            running: Some(true),
            health: Some(Health::Normal),
            registered_at: Some(now - Duration::days(400)),
            bandwidth_mbps: None,
        });
    }

    e.configuration_server = Some(ConfigurationServer {
        id: "cs-01".into(),
        ip_address: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 10)),
        registered_ip_address: Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 10))),
        last_backup: Some(now - Duration::hours(rng.range(2, 30) as i64)),
        database_items: Some(e.items.iter().map(|i| i.id.clone()).collect()),
    });
    e.policies = vec![
        PolicyRecord {
            id: "pol-forward".into(),
            direction: PolicyDirection::Forward,
            rpo_threshold_minutes: 15,
            retention_minutes: 1440,
            app_consistent_frequency_minutes: 60,
            associated_with: Some("cs-01".into()),
            derived_from: None,
        },
        PolicyRecord {
            id: "pol-forward-failback".into(),
            direction: PolicyDirection::Failback,
            rpo_threshold_minutes: 15,
            retention_minutes: 1440,
            app_consistent_frequency_minutes: 60,
            associated_with: Some("cs-01".into()),
            derived_from: Some("pol-forward".into()),
        },
    ];
    if spec.flavor == Flavor::Modernized {
        modernize(&mut e);
    }
    e
}

/// Turns a generated classic estate into the modernized one of the same seed: the
/// configuration server and its process servers give way to one replication appliance
/// with a log storage account and a 10 Gbit/s link from Azure; the master targets become
/// its reprotect agents (`ra-win-01`, `ra-lin-01`, with no retention volume); the Azure
/// process servers, the site-to-site VPNs and ExpressRoute go (the reverse replication
/// needs none); the policies are the modernized ones. Done after the classic estate is
/// drawn, so that both flavours draw the same random numbers and share their units.
fn modernize(e: &mut Estate) {
    e.flavor = Flavor::Modernized;
    e.configuration_server = None;
    e.replication_appliance = Some(ReplicationAppliance {
        id: "appliance-01".into(),
        name: "asr-appliance-01".into(),
        log_storage_account: Some(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dr-01/providers/Microsoft.Storage/storageAccounts/asrlog01"
                .into(),
        ),
        bandwidth_mbps: Some(10_000),
    });
    // Agents are numbered per OS family in the master targets' order.
    let mut renamed = BTreeMap::new();
    let mut per_family: BTreeMap<OsFamily, usize> = BTreeMap::new();
    for mt in &mut e.master_targets {
        let n = per_family.entry(mt.os.family).or_default();
        *n += 1;
        let id = match mt.os.family {
            OsFamily::Windows => format!("ra-win-{n:02}"),
            OsFamily::Linux => format!("ra-lin-{n:02}"),
        };
        renamed.insert(std::mem::replace(&mut mt.id, id.clone()), id.clone());
        mt.name = id;
        mt.role = MasterTargetRole::ReprotectAgent;
        mt.on_configuration_server = false;
        mt.volumes.retain(|v| v.usage != VolumeUsage::Retention);
        mt.cloned_from = None;
    }
    for it in &mut e.items {
        if let Some(mt) = &it.master_target {
            if let Some(new) = renamed.get(mt) {
                it.master_target = Some(new.clone());
            }
        }
    }
    e.process_servers
        .retain(|p| p.location == PsLocation::OnPrem);
    for (k, ps) in e.process_servers.iter_mut().enumerate() {
        ps.id = format!("appliance-01-ps-{:02}", k + 1);
        ps.name = format!("asr-appliance-01-ps-{:02}", k + 1);
    }
    for n in &mut e.azure_networks {
        n.site_to_site_vpn = false;
    }
    e.connectivity = Connectivity::default();
    e.policies = vec![
        PolicyRecord {
            id: "pol-rcm".into(),
            direction: PolicyDirection::Forward,
            rpo_threshold_minutes: 15,
            retention_minutes: 1440,
            app_consistent_frequency_minutes: 60,
            associated_with: None,
            derived_from: None,
        },
        PolicyRecord {
            id: "pol-rcm-failback".into(),
            direction: PolicyDirection::Failback,
            rpo_threshold_minutes: 15,
            retention_minutes: 1440,
            app_consistent_frequency_minutes: 60,
            associated_with: None,
            derived_from: Some("pol-rcm".into()),
        },
    ];
}

fn paid_licence(rng: &mut Rng) -> Licence {
    Licence {
        edition: LicenceEdition::Paid,
        product: Some(
            (*rng.pick(&[
                "VMware vSphere 7 Enterprise Plus",
                "VMware vSphere 8 Enterprise Plus",
                "VMware vSphere 7 Standard",
            ]))
            .to_string(),
        ),
    }
}

fn datastore(
    rng: &mut Rng,
    now: DateTime<Utc>,
    n: usize,
    name: String,
    kind: DatastoreKind,
    capacity_bytes: u64,
) -> Datastore {
    Datastore {
        id: format!("ds-{n:04}"),
        name,
        kind,
        capacity_bytes,
        // 45% to 75% free.
        free_bytes: capacity_bytes / 100 * rng.range(45, 75),
        discovered_at: Some(now - Duration::days(rng.range(30, 900) as i64)),
    }
}

#[allow(clippy::too_many_arguments)]
fn master_target(
    rng: &mut Rng,
    now: DateTime<Utc>,
    j: usize,
    nth: usize,
    family: OsFamily,
    host: String,
    datastore: String,
    reiserfs: bool,
) -> MasterTarget {
    let on_cs = j == 0;
    let added = Some(now - Duration::days(rng.range(20, 400) as i64));
    let volume = |name: &str, fs, capacity_bytes: u64, free_pct: u64, usage| Volume {
        name: name.into(),
        file_system: fs,
        capacity_bytes,
        free_bytes: capacity_bytes / 100 * free_pct,
        locked: false,
        usage,
        added_at: added,
    };
    let (id, os, cache, volumes, packages, modules, controller) = match family {
        OsFamily::Windows => {
            let mut volumes = vec![
                volume(
                    "C:",
                    FileSystem::Ntfs,
                    128 * GIB,
                    rng.range(30, 60),
                    VolumeUsage::None,
                ),
                volume(
                    "R:",
                    FileSystem::Ntfs,
                    rng.range(2, 4) * TIB,
                    rng.range(70, 95),
                    VolumeUsage::Retention,
                ),
            ];
            if rng.percent(33) {
                volumes.push(volume(
                    "P:",
                    FileSystem::Ntfs,
                    64 * GIB,
                    90,
                    VolumeUsage::Other,
                ));
            }
            (
                if on_cs {
                    "mt-cs-01".to_string()
                } else {
                    format!("mt-win-{:02}", nth + 1)
                },
                "Windows Server 2019",
                "C:",
                volumes,
                None,
                None,
                ScsiController::LsiLogicSas,
            )
        }
        OsFamily::Linux => {
            let mut packages: Vec<String> = LINUX_MT_PACKAGES
                .iter()
                .chain(["open-vm-tools"].iter())
                .map(|p| p.to_string())
                .collect();
            let mut modules: Vec<String> = vec!["ext4".into(), "xfs".into()];
            if reiserfs {
                packages.push("reiserfs-utils".into());
                modules.push("reiserfs".into());
            }
            (
                format!("mt-lin-{:02}", nth + 1),
                "CentOS 6.6",
                "/",
                vec![
                    volume(
                        "/",
                        FileSystem::Ext4,
                        64 * GIB,
                        rng.range(30, 60),
                        VolumeUsage::None,
                    ),
                    volume(
                        "/mnt/retention",
                        FileSystem::Ext4,
                        rng.range(2, 4) * TIB,
                        rng.range(70, 95),
                        VolumeUsage::Retention,
                    ),
                ],
                Some(packages),
                Some(modules),
                ScsiController::LsiLogic,
            )
        }
    };
    MasterTarget {
        name: if on_cs { "cs-01".into() } else { id.clone() },
        id,
        role: MasterTargetRole::MasterTarget,
        os: Os {
            family,
            version: Some(os.into()),
        },
        host,
        datastore,
        on_configuration_server: on_cs,
        config_params: Some(BTreeMap::from([
            ("disk.enableUUID".to_string(), "True".to_string()),
            ("ctkEnabled".to_string(), "TRUE".to_string()),
        ])),
        storage_vmotioned: Some(false),
        vmware_tools: Some(ToolsStatus::Running),
        scsi_controller: Some(controller),
        snapshots: Some(0),
        attached_disks: 1,
        packages,
        kernel_modules: modules,
        custom_changes_applied: (family == OsFamily::Linux).then_some(true),
        cache_volume: Some(cache.into()),
        volumes,
        // Deployed from the master target templates, never from a protected machine.
        cloned_from: (!on_cs).then(|| match family {
            OsFamily::Windows => "tpl-mt-windows-2019".to_string(),
            OsFamily::Linux => "tpl-mt-centos-6.6".to_string(),
        }),
    }
}

/// One item of a unit, with its original VM (pushed to `e.vms`) when it survives.
#[allow(clippy::too_many_arguments)]
fn item(
    rng: &mut Rng,
    spec: &Spec,
    e: &mut Estate,
    unit: &UnitPlan,
    reiserfs: bool,
    clusters: &[Cluster],
    standalone: &[Cluster],
    mt_cluster: &[usize],
) -> ProtectedItem {
    let now = spec.captured_at;
    let n = e.items.len() + 1;
    let physical = unit.group.is_none() && rng.percent(spec.physical_percent);
    let id = if physical {
        format!("phy-{}-{n:05}", unit.role)
    } else {
        format!("{}-{n:05}", unit.role)
    };
    let name = id.to_ascii_uppercase();
    let (os, root_fs, boot_fs) = match unit.family {
        OsFamily::Windows => (*rng.pick(WINDOWS_VERSIONS), None, None),
        OsFamily::Linux => {
            let (v, root, boot) = if reiserfs {
                REISERFS_VERSION
            } else {
                *rng.pick(LINUX_VERSIONS)
            };
            (v, Some(root), Some(boot))
        }
    };
    let os_disk = match unit.family {
        OsFamily::Windows => 128 * GIB,
        OsFamily::Linux => 64 * GIB,
    };
    let disk_count = 1 + rng.below(4);
    let disks: Vec<Disk> = (0..disk_count)
        .map(|d| Disk {
            name: format!("disk{d}"),
            capacity_bytes: if d == 0 {
                os_disk
            } else {
                *rng.pick(&[100, 100, 200, 200, 256, 500, 1024]) * GIB
            },
            rdm: false,
        })
        .collect();
    let total: u64 = disks.iter().map(|d| d.capacity_bytes).sum();
    let changed_bytes = Some(total / 1000 * rng.range(5, 80));

    // The original VM, when it survives: near the unit's master target (same datastore,
    // on a host of its cluster, whose hosts share its datastores: so it fails back into
    // it), else anywhere on-premises. Only the first kind is kept: one anywhere else was
    // deleted on-prem (see `UnitPlan::keeps_vms`). Its place is drawn all the same, so
    // that a seed keeps giving the same units, disks and states (a drill's seed replays
    // its estate).
    let survivor = (!physical && rng.percent(spec.surviving_vm_percent)).then(|| {
        let (cluster, first) = match unit.near {
            Some(mt) => {
                let c = &clusters[mt_cluster[mt]];
                let ds = e.master_targets[mt].datastore.clone();
                (c, Some(ds))
            }
            None if !standalone.is_empty() && rng.percent(2) => (rng.pick(standalone), None),
            None => (rng.pick(clusters), None),
        };
        let mut datastores = vec![match first {
            Some(ds) => ds,
            None => e.datastores[*rng.pick(&cluster.usable)].id.clone(),
        }];
        if rng.percent(25) {
            let extra = e.datastores[*rng.pick(&cluster.usable)].id.clone();
            if !datastores.contains(&extra) {
                datastores.push(extra);
            }
        }
        let vm = OnPremVm {
            id: format!("vm-{id}"),
            name: name.clone(),
            host: e.hosts[*rng.pick(&cluster.hosts)].id.clone(),
            datastores,
            snapshots: Some(0),
            disks: disks.clone(),
            moved_from_nfs: false,
        };
        vm
    });
    let original_vm = survivor.filter(|_| unit.keeps_vms).map(|vm| {
        let vm_id = vm.id.clone();
        e.vms.push(vm);
        vm_id
    });

    let net = &e.azure_networks[unit.network];
    let nic_count = if rng.percent(80) { 1 } else { 2 };
    let nic_name = |k: usize| match unit.family {
        OsFamily::Windows => format!("nic{k}"),
        OsFamily::Linux => format!("eth{k}"),
    };
    let nics: Vec<Nic> = (0..nic_count)
        .map(|k| Nic {
            name: nic_name(k),
            ip_address: Some(address(100 + unit.network, n, k)),
            dhcp: false,
        })
        .collect();
    let on_prem_addresses: Vec<OnPremAddress> = (0..nic_count)
        .map(|k| OnPremAddress {
            nic: nic_name(k),
            address: address(20, n, k),
            is_static: true,
        })
        .collect();
    let azure_vm = AzureVm {
        id: name.clone(),
        deployment_model: net.deployment_model,
        network: net.id.clone(),
        resource_group: format!("rg-dr-{:02}", unit.network + 1),
        original_resource_group: Some(format!("rg-dr-{:02}", unit.network + 1)),
        deleted: false,
        running: Some(true),
        agent_registered: Some(true),
        booted_at: Some(now - Duration::minutes(rng.range(60, 72 * 60) as i64)),
        nics,
        packages: (unit.family == OsFamily::Linux).then(|| {
            ["NetworkManager", "openssh-server", "WALinuxAgent"]
                .iter()
                .map(|p| p.to_string())
                .collect()
        }),
    };

    let (state, master_target, recovery_points) = match unit.serving {
        Some(mt) if unit.replicating => (
            ProtectionState::ReplicatingToOnPrem,
            Some(e.master_targets[mt].id.clone()),
            recovery_points(now, unit.point_lag, unit.group.is_some()),
        ),
        _ => (ProtectionState::FailedOverToAzure, None, Vec::new()),
    };
    ProtectedItem {
        id,
        name,
        kind: if physical {
            ItemKind::PhysicalServer
        } else {
            ItemKind::VmwareVm
        },
        os: Os {
            family: unit.family,
            version: Some(os.into()),
        },
        root_file_system: root_fs,
        boot_file_system: boot_fs,
        original_vm,
        disks,
        changed_bytes,
        azure_vm: Some(azure_vm),
        replication_group: unit.group.clone(),
        state,
        master_target,
        recovery_points,
        on_prem_addresses,
    }
}

/// A private IPv4 address `10.<net>.x.y` unique per item `n` and NIC `k`.
fn address(net: usize, n: usize, k: usize) -> IpAddr {
    let host = n * 2 + k;
    IpAddr::V4(Ipv4Addr::new(
        10,
        (net + host / 65_024) as u8,
        (host / 254 % 256) as u8,
        (host % 254 + 1) as u8,
    ))
}

/// Recovery points of an item replicating back: crash-consistent every 5 minutes for the
/// last hour and application-consistent every hour for a day, the latest `lag` minutes
/// before `now`. Times are on a common grid so that a group's members share them.
fn recovery_points(now: DateTime<Utc>, lag: i64, sync: bool) -> Vec<RecoveryPoint> {
    let latest = now - Duration::minutes(lag);
    let mut points = Vec::new();
    for h in (1..24).rev() {
        points.push((
            latest - Duration::hours(h),
            Consistency::ApplicationConsistent,
        ));
    }
    for m in (0..12).rev() {
        let consistency = if m == 0 {
            Consistency::ApplicationConsistent
        } else {
            Consistency::CrashConsistent
        };
        points.push((latest - Duration::minutes(5 * m), consistency));
    }
    points
        .into_iter()
        .enumerate()
        .map(|(i, (time, consistency))| RecoveryPoint {
            id: format!("rp-{:03}", i + 1),
            time,
            consistency,
            multi_vm_sync: sync,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use failback_core::readiness::assess;
    use failback_core::request::Request;
    use failback_core::rules::Severity;

    fn check_ready(spec: &Spec) {
        let e = estate(spec);
        assert_eq!(e.items.len(), spec.items);
        if let Err(err) = e.validate() {
            panic!("seed {}: {err}", spec.seed);
        }
        let report = assess(&e, &Request::default()).unwrap();
        let blockers: Vec<_> = report.blockers().collect();
        assert!(
            blockers.is_empty() && report.ready(),
            "{} items, seed {}: {blockers:#?}",
            spec.items,
            spec.seed
        );
        assert_eq!(report.item_count(), spec.items);
    }

    #[test]
    fn same_seed_same_estate() {
        let spec = Spec::for_items(300).with_seed(42);
        let a = estate(&spec);
        assert_eq!(a, estate(&spec));
        assert_eq!(a.to_json_pretty(), estate(&spec).to_json_pretty());
        assert_ne!(a, estate(&spec.clone().with_seed(43)));
    }

    #[test]
    fn small_estates_are_valid_and_ready() {
        for seed in [0, 1, 2, 3, 0xDEAD_BEEF] {
            check_ready(&Spec::for_items(50).with_seed(seed));
        }
    }

    #[test]
    fn medium_estates_are_valid_and_ready() {
        for seed in [0, 7, 2026] {
            check_ready(&Spec::for_items(500).with_seed(seed));
        }
    }

    #[test]
    fn tiny_and_hand_written_specs_are_raised_to_a_healthy_minimum() {
        for items in [0, 1, 2, 5] {
            check_ready(&Spec::for_items(items));
        }
        let spec = Spec {
            hosts: 0,
            datastores: 0,
            master_targets: 0,
            vcenters: 0,
            networks: 0,
            ..Spec::for_items(40)
        };
        check_ready(&spec);
    }

    #[test]
    fn modernized_estates_are_valid_and_ready() {
        for (items, seed) in [(50, 0), (200, 1), (500, 7)] {
            let spec = Spec::for_items(items)
                .with_seed(seed)
                .with_flavor(Flavor::Modernized);
            check_ready(&spec);
            let e = estate(&spec);
            let classic = estate(&spec.clone().with_flavor(Flavor::Classic));
            // The same units and items as the classic estate of the seed.
            assert_eq!(e.recovery_plans, classic.recovery_plans);
            assert_eq!(e.items.len(), classic.items.len());
            assert!(e
                .master_targets
                .iter()
                .all(|m| m.role == MasterTargetRole::ReprotectAgent
                    && m.id.starts_with("ra-")
                    && !m.on_configuration_server));
            let ids: std::collections::BTreeSet<_> =
                e.master_targets.iter().map(|m| &m.id).collect();
            assert_eq!(ids.len(), e.master_targets.len(), "agent ids unique");
            assert!(e
                .process_servers
                .iter()
                .all(|p| p.location == PsLocation::OnPrem));
            assert!(e.azure_networks.iter().all(|n| !n.site_to_site_vpn));
            assert!(e.connectivity.express_route.is_none());
            assert!(e
                .items
                .iter()
                .filter_map(|i| i.master_target.as_ref())
                .all(|m| ids.contains(m)));
        }
    }

    #[test]
    fn sizes_are_proportional() {
        let s = Spec::for_items(1000);
        assert_eq!((s.hosts, s.datastores, s.master_targets), (100, 200, 24));
        let e = estate(&s);
        assert_eq!(e.hosts.len(), 100);
        assert_eq!(e.datastores.len(), 200);
        assert_eq!(e.master_targets.len(), 24);
        assert!(e.vcenters.len() >= 2 && e.azure_networks.len() >= 2);
    }

    #[test]
    fn estates_mix_what_failback_meets() {
        let e = estate(&Spec::for_items(1000).with_seed(5));
        let count = |f: &dyn Fn(&ProtectedItem) -> bool| e.items.iter().filter(|i| f(i)).count();
        assert!(count(&|i| i.os.family == OsFamily::Linux) > 250);
        assert!(count(&|i| i.os.family == OsFamily::Windows) > 450);
        assert!(count(&|i| i.kind == ItemKind::PhysicalServer) > 5);
        assert!(count(&|i| i.original_vm.is_some()) > 250);
        assert!(count(&|i| i.original_vm.is_none() && i.kind == ItemKind::VmwareVm) > 200);
        assert!(count(&|i| i.state == ProtectionState::ReplicatingToOnPrem) > 30);
        assert!(e.recovery_plans.len() > 20);
        assert!(e
            .recovery_plans
            .iter()
            .all(|p| (2..=5).contains(&p.items.len())));
        assert!(e.items.iter().all(|i| (1..=4).contains(&i.disks.len())));
        for fam in [OsFamily::Windows, OsFamily::Linux] {
            assert!(e.master_targets.iter().any(|m| m.os.family == fam));
        }
        let mt_hosts: std::collections::BTreeSet<_> =
            e.master_targets.iter().map(|m| &m.host).collect();
        assert!(mt_hosts.len() > 12, "master targets spread over hosts");
        assert!(e
            .process_servers
            .iter()
            .filter(|p| p.location == PsLocation::Azure)
            .all(|p| p.network.is_some()));
        for n in &e.azure_networks {
            assert!(e
                .process_servers
                .iter()
                .any(|p| p.network.as_deref() == Some(n.id.as_str())));
        }
        // Both locations and the advice findings come out of it.
        let report = assess(&e, &Request::default()).unwrap();
        let loc = |r| report.findings_of(r).count();
        assert!(
            loc(failback_core::rules::RuleId::Loc001) > 50,
            "original VMs used"
        );
        assert!(
            loc(failback_core::rules::RuleId::Loc008) > 50,
            "alternate used"
        );
        // Every original VM kept is where its master target recovers into it: ASR fails
        // back into it while it exists; every other item goes to a new VM.
        for it in report.units.iter().flat_map(|u| &u.items) {
            let Some(l) = &it.location else { continue };
            let kept = e
                .items
                .iter()
                .any(|i| i.id == it.item && i.original_vm.is_some());
            let want = if kept {
                failback_core::location::Location::Original
            } else {
                failback_core::location::Location::Alternate
            };
            assert_eq!(l.location, want, "{}", it.item);
        }
        assert!(report
            .findings
            .iter()
            .all(|f| f.severity != Severity::Blocker));
    }
}
