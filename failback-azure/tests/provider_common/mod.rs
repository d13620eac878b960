//! A fake ARM for the provider's tests: one vault of canned resources built from the
//! models (fabrics, vCenters, policies, protected items with their recovery points,
//! recovery plans, jobs), served over loopback by `http_common`'s server; it pages the
//! protected items, answers the mutations 202 with a `Location` naming a new job, and
//! records every request. A test may answer any request itself first (`on`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod spec;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use failback_azure::models as m;
use failback_azure::provider::AzureRecovery;
use failback_core::estate::Flavor;
use serde::Serialize;
use serde_json::{json, Value};

use crate::http_common::{client, Reply, Seen, Server, VAULT};

/// The classic fabric (the configuration server) and its container.
pub const CS: &str = "cs-01";
/// The modernized fabric (the replication appliance).
pub const APPLIANCE: &str = "appliance-01";

/// The ARM id of item `item` in fabric `fabric`.
pub fn rpi_id(fabric: &str, item: &str) -> String {
    format!("{VAULT}/replicationFabrics/{fabric}/replicationProtectionContainers/{fabric}-container/replicationProtectedItems/{item}")
}

/// The ARM id of policy `name`.
pub fn policy_id(name: &str) -> String {
    format!("{VAULT}/replicationPolicies/{name}")
}

/// The ARM id of job `name`.
pub fn job_id(name: &str) -> String {
    format!("{VAULT}/replicationJobs/{name}")
}

/// A time on 2026-11-20.
pub fn at(h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, min, 0).unwrap()
}

pub fn resource<P: Serialize>(id: String, properties: P) -> Value {
    let name = id.rsplit('/').next().unwrap().to_string();
    serde_json::to_value(m::Resource {
        id,
        name,
        resource_type: None,
        location: None,
        system_data: None,
        properties,
    })
    .unwrap()
}

/// How the fake answers a mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 202 with `Location: …/operationresults/{job}` and `Retry-After: 20`.
    Location,
    /// 200 with the resource, its `currentScenario.jobId` naming the job.
    Body,
    /// 202 without any header: the job is found with `find_jobs`.
    Bare,
}

type Hook = Box<dyn Fn(&Seen, &mut Vault) -> Option<Reply> + Send + Sync>;

/// The vault's resources and the fake's settings.
pub struct Vault {
    pub fabrics: Vec<Value>,
    pub vcenters: Vec<Value>,
    pub policies: Vec<Value>,
    pub items: Vec<Value>,
    /// By item ARM id.
    pub points: HashMap<String, Vec<Value>>,
    pub plans: Vec<Value>,
    pub jobs: Vec<Value>,
    /// `None`: the listing is not served (404).
    pub mappings: Option<Vec<Value>>,
    /// Protected items per page.
    pub page_size: usize,
    pub answer: Answer,
    /// The time the jobs the fake creates start at.
    pub now: DateTime<Utc>,
    next_job: usize,
    hook: Option<Hook>,
}

impl Vault {
    pub fn new() -> Vault {
        Vault {
            fabrics: Vec::new(),
            vcenters: Vec::new(),
            policies: Vec::new(),
            items: Vec::new(),
            points: HashMap::new(),
            plans: Vec::new(),
            jobs: Vec::new(),
            mappings: None,
            page_size: 2,
            answer: Answer::Location,
            now: at(12, 0),
            next_job: 1,
            hook: None,
        }
    }

    /// Answer the requests `f` answers (`Some`) before the fake does.
    pub fn on(&mut self, f: impl Fn(&Seen, &mut Vault) -> Option<Reply> + Send + Sync + 'static) {
        self.hook = Some(Box::new(f));
    }

    /// Add item `rpi` with its recovery points.
    pub fn item(&mut self, rpi: Value, points: Vec<Value>) {
        let id = rpi["id"].as_str().unwrap().to_string();
        self.points.insert(id, points);
        self.items.push(rpi);
    }
}

/// The fake server with its vault.
pub struct Fake {
    pub server: Server,
    pub vault: Arc<Mutex<Vault>>,
}

impl Fake {
    pub async fn start(vault: Vault) -> Fake {
        let vault = Arc::new(Mutex::new(vault));
        let shared = vault.clone();
        let server = Server::start(move |base: &str| {
            let base = base.to_string();
            move |seen: &Seen, _hits: usize| {
                let mut v = shared.lock().unwrap();
                serve(&base, &mut v, seen)
            }
        })
        .await;
        Fake { server, vault }
    }

    /// The provider of `flavor` over the fake.
    pub fn provider(&self, flavor: Flavor) -> AzureRecovery {
        AzureRecovery::new(client(&self.server), flavor)
    }

    /// The provider on tokio's clock (paused in the tests), from the machine's time now:
    /// `tokio::time::advance` moves its clock.
    #[allow(dead_code)]
    pub fn provider_on_tokio_clock(&self, flavor: Flavor) -> AzureRecovery {
        let clock = Arc::new(failback_core::clock::VirtualClock::new(Utc::now()));
        let client = crate::http_common::builder(&self.server)
            .with_clock(clock)
            .build()
            .unwrap();
        AzureRecovery::new(client, flavor)
    }

    /// The requests of `method` whose path ends with `suffix`.
    pub fn requests(&self, method: &str, suffix: &str) -> Vec<Seen> {
        self.server
            .seen()
            .into_iter()
            .filter(|s| s.method == method && s.path.ends_with(suffix))
            .collect()
    }

    /// The JSON body of the one `method` request on a path ending with `suffix`.
    pub fn body(&self, method: &str, suffix: &str) -> Value {
        let seen = self.requests(method, suffix);
        assert_eq!(seen.len(), 1, "{method} …{suffix}: {seen:?}");
        serde_json::from_slice(&seen[0].body).unwrap()
    }

    /// The number of POSTs.
    pub fn posts(&self) -> usize {
        self.server
            .seen()
            .iter()
            .filter(|s| s.method == "POST")
            .count()
    }
}

fn page(items: &[Value], next: Option<String>) -> Reply {
    let mut v = json!({"value": items});
    if let Some(n) = next {
        v["nextLink"] = Value::String(n);
    }
    Reply::json(200, v)
}

fn scenario_of(action: &str) -> &'static str {
    match action {
        "reProtect" => "ReverseReplication",
        "unplannedFailover" => "UnplannedFailover",
        "plannedFailover" => "PlannedFailover",
        "failoverCommit" => "CommitFailover",
        "failoverCancel" => "CancelFailover",
        _ => "Other",
    }
}

/// A mutation on `target` (a resource): a new running job, answered as the vault says.
fn mutate(base: &str, v: &mut Vault, target: &Value, action: &str, kind: &str) -> Reply {
    let name = format!("job-{}", v.next_job);
    v.next_job += 1;
    let job = resource(
        job_id(&name),
        m::JobProperties {
            scenario_name: Some(scenario_of(action).into()),
            state: Some(m::JobState::InProgress),
            start_time: Some(v.now),
            target_object_id: target["id"].as_str().map(str::to_string),
            target_object_name: target["properties"]["friendlyName"]
                .as_str()
                .map(str::to_string),
            target_instance_type: Some(kind.into()),
            ..Default::default()
        },
    );
    v.jobs.push(job);
    match v.answer {
        Answer::Location => Reply::status(202)
            .header(
                "location",
                &format!(
                    "{base}{}/operationresults/{name}?api-version=2026-05-01",
                    target["id"].as_str().unwrap()
                ),
            )
            .header("retry-after", "20"),
        Answer::Body => {
            let mut t = target.clone();
            t["properties"]["currentScenario"] = json!({
                "scenarioName": scenario_of(action),
                "jobId": job_id(&name),
                "startTime": v.now.to_rfc3339(),
            });
            Reply::json(200, t)
        }
        Answer::Bare => Reply::status(202),
    }
}

fn serve(base: &str, v: &mut Vault, seen: &Seen) -> Reply {
    if let Some(hook) = v.hook.take() {
        let answer = hook(seen, v);
        v.hook = Some(hook);
        if let Some(r) = answer {
            return r;
        }
    }
    let Some(rest) = seen.path.strip_prefix(VAULT) else {
        return Reply::arm_error(404, "NotFound", "not this vault");
    };
    let method = seen.method.as_str();
    let not_found = || Reply::arm_error(404, "NotFound", &format!("no {}", seen.path));
    match (method, rest) {
        ("GET", "/replicationFabrics") => page(&v.fabrics, None),
        ("GET", "/replicationvCenters") => page(&v.vcenters, None),
        ("GET", "/replicationPolicies") => page(&v.policies, None),
        ("GET", "/replicationRecoveryPlans") => page(&v.plans, None),
        ("GET", "/replicationJobs") => page(&v.jobs, None),
        ("GET", "/replicationProtectionContainerMappings") => match &v.mappings {
            Some(list) => page(list, None),
            None => not_found(),
        },
        ("GET", "/replicationProtectedItems") => {
            let n: usize = seen
                .query
                .as_deref()
                .unwrap_or("")
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            let size = v.page_size.max(1);
            let from = (n * size).min(v.items.len());
            let to = (from + size).min(v.items.len());
            let next = (to < v.items.len()).then(|| {
                format!(
                    "{base}{VAULT}/replicationProtectedItems?page={}&api-version=2026-05-01",
                    n + 1
                )
            });
            page(&v.items[from..to], next)
        }
        _ => {
            if let Some(job) = rest.strip_prefix("/replicationJobs/") {
                let (name, action) = match job.split_once('/') {
                    Some((n, a)) => (n, Some(a)),
                    None => (job, None),
                };
                let Some(j) = v.jobs.iter().find(|j| j["name"] == name).cloned() else {
                    return not_found();
                };
                return match (method, action) {
                    ("GET", None) => Reply::json(200, j),
                    ("POST", Some("cancel" | "resume")) => Reply::json(200, j),
                    ("POST", Some("restart")) => {
                        // ASR runs the job again: the same job, in progress.
                        let mut j = j;
                        j["properties"]["state"] = json!("InProgress");
                        j["properties"]["errors"] = json!([]);
                        if let Some(stored) = v.jobs.iter_mut().find(|x| x["name"] == name) {
                            *stored = j.clone();
                        }
                        Reply::json(200, j)
                    }
                    _ => Reply::status(405),
                };
            }
            if let Some(plan) = rest.strip_prefix("/replicationRecoveryPlans/") {
                let (name, action) = match plan.split_once('/') {
                    Some((n, a)) => (n, Some(a)),
                    None => (plan, None),
                };
                let Some(p) = v.plans.iter().find(|p| p["name"] == name).cloned() else {
                    return not_found();
                };
                return match (method, action) {
                    ("GET", None) => Reply::json(200, p),
                    ("POST", Some(a)) => mutate(base, v, &p, a, "RecoveryPlan"),
                    _ => Reply::status(405),
                };
            }
            let found = v.items.iter().find_map(|it| {
                let id = it["id"].as_str()?;
                if seen.path == id {
                    Some((it.clone(), None))
                } else {
                    seen.path
                        .strip_prefix(id)
                        .and_then(|r| r.strip_prefix('/'))
                        .map(|a| (it.clone(), Some(a.to_string())))
                }
            });
            match (method, found) {
                ("GET", Some((it, None))) => Reply::json(200, it),
                ("GET", Some((it, Some(a)))) if a == "recoveryPoints" => {
                    let id = it["id"].as_str().unwrap();
                    page(v.points.get(id).map(Vec::as_slice).unwrap_or(&[]), None)
                }
                ("POST", Some((it, Some(a)))) => mutate(base, v, &it, &a, "ProtectionEntity"),
                _ => not_found(),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Canned resources
// ---------------------------------------------------------------------------------------

pub fn azure_vm(name: &str) -> String {
    format!("/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/{name}")
}

pub const LOG_ACCOUNT: &str =
    "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Storage/storageAccounts/asrlog";

fn classic_fabric() -> Value {
    let ps = |id: &str, name: &str, host: String| m::ProcessServer {
        id: Some(id.into()),
        friendly_name: Some(name.into()),
        host_id: Some(host),
        health: Some(m::ProtectionHealth::Normal),
        ps_service_status: Some("Running".into()),
        ..Default::default()
    };
    let volume = |name: &str, cap: i64, free: i64| m::RetentionVolume {
        volume_name: Some(name.into()),
        capacity_in_bytes: Some(cap),
        free_space_in_bytes: Some(free),
        threshold_percentage: Some(80),
    };
    let ds = |uuid: &str, name: &str| m::DataStore {
        symbolic_name: Some(name.into()),
        uuid: Some(uuid.into()),
        capacity: Some(m::NumericString::new("1024.00")),
        free_space: Some(m::NumericString::new("512.50")),
        store_type: Some("VMFS".into()),
    };
    const TB: i64 = 1 << 40;
    resource(
        format!("{VAULT}/replicationFabrics/{CS}"),
        m::FabricProperties {
            friendly_name: Some(CS.into()),
            custom_details: Some(m::FabricSpecificDetails::VMware(m::VMwareDetails {
                process_servers: vec![
                    ps("ps-azure-01", "ps-azure-01", azure_vm("ps-azure-01")),
                    ps(
                        "ps-onprem-01",
                        "cs-01",
                        "4d2c0e3a-5b6f-4c1d-8e9f-0a1b2c3d4e5f".into(),
                    ),
                ],
                master_target_servers: vec![
                    m::MasterTargetServer {
                        id: Some("mt-win-01".into()),
                        name: Some("cs-01".into()),
                        ip_address: Some("10.0.0.10".into()),
                        os_type: Some("Windows".into()),
                        os_version: Some("Windows Server 2016".into()),
                        retention_volumes: vec![
                            volume("R:", 2 * TB, TB),
                            volume("S:", 4 * TB, 3 * TB),
                        ],
                        data_stores: vec![ds("ds-01", "datastore1"), ds("ds-02", "datastore2")],
                        disk_count: Some(4),
                        ..Default::default()
                    },
                    m::MasterTargetServer {
                        id: Some("mt-lin-01".into()),
                        name: Some("mt-lin-01".into()),
                        os_type: Some("Linux".into()),
                        retention_volumes: vec![volume("/mnt/retention", TB, TB / 2)],
                        data_stores: vec![ds("ds-01", "datastore1"), ds("ds-02", "datastore2")],
                        disk_count: Some(0),
                        ..Default::default()
                    },
                ],
                run_as_accounts: vec![m::RunAsAccount {
                    account_id: Some("runas-vc-01".into()),
                    account_name: Some("discovery".into()),
                }],
                ip_address: Some("10.0.0.10".into()),
                host_name: Some(CS.into()),
                last_heartbeat: Some(at(11, 59)),
                ..Default::default()
            })),
            ..Default::default()
        },
    )
}

fn scenario(name: &str, job: Option<&str>) -> m::CurrentScenarioDetails {
    m::CurrentScenarioDetails {
        scenario_name: Some(name.into()),
        job_id: Some(job_id(job.unwrap_or("None"))),
        start_time: Some(Utc.with_ymd_and_hms(1753, 1, 1, 1, 1, 1).unwrap()),
    }
}

pub fn rpi(
    fabric: &str,
    item: &str,
    location: &str,
    allowed: Vec<m::ReplicationProtectedItemOperation>,
    current: m::CurrentScenarioDetails,
    policy: &str,
    details: m::ReplicationProviderSpecificSettings,
) -> Value {
    resource(
        rpi_id(fabric, item),
        m::ReplicationProtectedItemProperties {
            friendly_name: Some(format!("{item}.contoso.com")),
            protection_state: Some("Protected".into()),
            active_location: Some(location.into()),
            allowed_operations: allowed,
            current_scenario: Some(current),
            policy_id: Some(policy_id(policy)),
            provider_specific_details: Some(details),
            ..Default::default()
        },
    )
}

pub fn point(item_id: &str, name: &str, t: DateTime<Utc>, kind: &str, sync: &str) -> Value {
    resource(
        format!("{item_id}/recoveryPoints/{name}"),
        m::RecoveryPointProperties {
            recovery_point_time: Some(t),
            recovery_point_type: Some(kind.into()),
            provider_specific_details: Some(
                m::InMageAzureV2RecoveryPointDetails {
                    is_multi_vm_sync_point: Some(sync.into()),
                }
                .into(),
            ),
        },
    )
}

fn manual(name: &str, text: &str, directions: Vec<m::FailoverDirection>) -> m::RecoveryPlanAction {
    m::RecoveryPlanAction {
        action_name: name.into(),
        failover_types: vec![m::ReplicationProtectedItemOperation::UnplannedFailover],
        failover_directions: directions,
        custom_details: m::RecoveryPlanManualActionDetails {
            description: Some(text.into()),
        }
        .into(),
    }
}

fn group(kind: m::RecoveryPlanGroupType, items: &[String]) -> m::RecoveryPlanGroup {
    m::RecoveryPlanGroup {
        group_type: kind,
        replication_protected_items: items
            .iter()
            .map(|id| m::RecoveryPlanProtectedItem {
                id: Some(id.clone()),
                virtual_machine_id: None,
            })
            .collect(),
        start_group_actions: Vec::new(),
        end_group_actions: Vec::new(),
    }
}

/// A classic vault: a configuration server with a process server in Azure and one
/// on-premises, two master targets, a vCenter, the forward and failback policies, and
/// items web-01 (failed over to Azure), app-02 (reprotecting), db-01 and db-02 (a
/// replication group replicating to on-premises, with points), app-01 (failed back,
/// awaiting commit), a Hyper-V item (not VMware failback's), and recovery plan rp-db
/// (two boot groups with manual actions).
pub fn classic() -> Vault {
    use m::ReplicationProtectedItemOperation as O;
    use m::ReplicationProviderSpecificSettings as P;
    let mut v = Vault::new();
    v.fabrics.push(classic_fabric());
    v.vcenters.push(resource(
        format!("{VAULT}/replicationFabrics/{CS}/replicationvCenters/vc-01"),
        m::VCenterProperties {
            friendly_name: Some("vc-01".into()),
            infrastructure_id: Some("vc-01".into()),
            run_as_account_id: Some("runas-vc-01".into()),
            port: Some(m::NumericString::new("443")),
            ..Default::default()
        },
    ));
    v.policies.push(resource(
        policy_id("pol-forward"),
        m::PolicyProperties {
            friendly_name: Some("pol-forward".into()),
            provider_specific_details: Some(
                m::InMageAzureV2PolicyDetails {
                    recovery_point_threshold_in_minutes: Some(30),
                    recovery_point_history: Some(4320),
                    app_consistent_frequency_in_minutes: Some(120),
                    crash_consistent_frequency_in_minutes: Some(5),
                    multi_vm_sync_status: Some("Enable".into()),
                }
                .into(),
            ),
        },
    ));
    v.policies.push(resource(
        policy_id("pol-forward-failback"),
        m::PolicyProperties {
            friendly_name: Some("pol-forward-failback".into()),
            provider_specific_details: Some(
                m::InMagePolicyDetails {
                    recovery_point_threshold_in_minutes: Some(15),
                    recovery_point_history: Some(1440),
                    app_consistent_frequency_in_minutes: Some(60),
                    multi_vm_sync_status: Some("Enable".into()),
                }
                .into(),
            ),
        },
    ));
    let disk = |name: &str, gib: i64| m::InMageAzureV2ProtectedDiskDetails {
        disk_id: Some(name.into()),
        disk_name: Some(name.into()),
        disk_capacity_in_bytes: Some(gib << 30),
        ..Default::default()
    };
    let own = "5e1a2b3c-0000-4aaa-8bbb-0123456789ab";
    let forward = |ps_group: Option<&str>| m::InMageAzureV2ReplicationDetails {
        vcenter_infrastructure_id: Some("vc-01".into()),
        infrastructure_vm_id: Some("vm-web-01".into()),
        os_type: Some("Windows".into()),
        os_version: Some("Windows Server 2019".into()),
        discovery_type: Some("vCenter".into()),
        multi_vm_group_id: Some(own.into()),
        multi_vm_group_name: Some(ps_group.unwrap_or(own).into()),
        protected_disks: vec![disk("disk-0", 128), disk("disk-1", 512)],
        ..Default::default()
    };
    v.item(
        rpi(
            CS,
            "web-01",
            "Recovery",
            vec![O::ReverseReplicate],
            scenario("None", None),
            "pol-forward",
            P::InMageAzureV2(forward(None)),
        ),
        Vec::new(),
    );
    v.item(
        rpi(
            CS,
            "app-02",
            "Recovery",
            vec![],
            scenario("ReverseReplication", Some("job-old")),
            "pol-forward",
            P::InMageAzureV2(forward(None)),
        ),
        Vec::new(),
    );
    let back = |mt: &str| m::InMageReplicationDetails {
        os_details: Some(m::OSDiskDetails {
            os_type: Some("Linux".into()),
            ..Default::default()
        }),
        os_version: Some("RHEL 8.6".into()),
        discovery_type: Some("vCenter".into()),
        master_target_id: Some(mt.into()),
        process_server_id: Some("ps-azure-01".into()),
        multi_vm_group_id: Some("9d8e7f6a-0000-4aaa-8bbb-0123456789ab".into()),
        multi_vm_group_name: Some("db-group".into()),
        protected_disks: vec![m::InMageProtectedDiskDetails {
            disk_id: Some("disk-0".into()),
            disk_name: Some("disk-0".into()),
            disk_capacity_in_bytes: Some(64 << 30),
            ..Default::default()
        }],
        ..Default::default()
    };
    for db in ["db-01", "db-02"] {
        let id = rpi_id(CS, db);
        v.item(
            rpi(
                CS,
                db,
                "Recovery",
                vec![O::UnplannedFailover],
                scenario("None", None),
                "pol-forward-failback",
                P::InMage(back("mt-lin-01")),
            ),
            vec![
                point(&id, "rp-1", at(10, 0), "ApplicationConsistent", "True"),
                point(&id, "rp-2", at(11, 0), "CrashConsistent", "False"),
            ],
        );
    }
    let mut alone = back("mt-win-01");
    alone.multi_vm_group_name = alone.multi_vm_group_id.clone();
    v.item(
        rpi(
            CS,
            "app-01",
            "Primary",
            vec![O::Commit, O::ChangePit],
            scenario("None", None),
            "pol-forward-failback",
            P::InMage(alone),
        ),
        Vec::new(),
    );
    v.item(
        resource(
            rpi_id(CS, "hyperv-01"),
            m::ReplicationProtectedItemProperties {
                friendly_name: Some("hyperv-01".into()),
                active_location: Some("Primary".into()),
                provider_specific_details: Some(P::Other(
                    json!({"instanceType": "HyperVReplicaAzure"})
                        .as_object()
                        .unwrap()
                        .clone(),
                )),
                ..Default::default()
            },
        ),
        Vec::new(),
    );
    let mut g1 = group(m::RecoveryPlanGroupType::Boot, &[rpi_id(CS, "db-01")]);
    g1.start_group_actions = vec![manual(
        "Stop the app",
        "Stop the app tier first",
        vec![m::FailoverDirection::RecoveryToPrimary],
    )];
    g1.end_group_actions = vec![
        m::RecoveryPlanAction {
            action_name: "script".into(),
            failover_types: vec![],
            failover_directions: vec![],
            custom_details: m::RecoveryPlanScriptActionDetails {
                path: "c:/x.ps1".into(),
                timeout: None,
                fabric_location: m::RecoveryPlanActionLocation::Primary,
            }
            .into(),
        },
        manual(
            "Only forward",
            "not on failback",
            vec![m::FailoverDirection::PrimaryToRecovery],
        ),
    ];
    let mut g2 = group(m::RecoveryPlanGroupType::Boot, &[rpi_id(CS, "db-02")]);
    g2.end_group_actions = vec![manual("Check the database", "Run the checks", vec![])];
    v.plans.push(resource(
        format!("{VAULT}/replicationRecoveryPlans/rp-db"),
        m::RecoveryPlanProperties {
            friendly_name: Some("rp-db".into()),
            groups: vec![
                group(m::RecoveryPlanGroupType::Shutdown, &[]),
                group(m::RecoveryPlanGroupType::Failover, &[]),
                g1,
                g2,
            ],
            ..Default::default()
        },
    ));
    v.plans.push(resource(
        format!("{VAULT}/replicationRecoveryPlans/rp-web"),
        m::RecoveryPlanProperties {
            groups: vec![group(
                m::RecoveryPlanGroupType::Boot,
                &[rpi_id(CS, "web-01")],
            )],
            ..Default::default()
        },
    ));
    v
}

/// A modernized vault: a replication appliance with its process server and one
/// reprotect agent, the forward and failback policies, items web-01 (failed over to
/// Azure, its disks logging to the appliance's storage account) and db-01 (replicating
/// to on-premises through the agent, with points), and recovery plan rp-web.
pub fn modernized() -> Vault {
    use m::ReplicationProtectedItemOperation as O;
    use m::ReplicationProviderSpecificSettings as P;
    let mut v = Vault::new();
    v.fabrics.push(resource(
        format!("{VAULT}/replicationFabrics/{APPLIANCE}"),
        m::FabricProperties {
            friendly_name: Some("asr-appliance-01".into()),
            custom_details: Some(
                m::InMageRcmFabricSpecificDetails {
                    process_servers: vec![m::ProcessServerDetails {
                        id: Some("appliance-01-ps".into()),
                        name: Some("asr-appliance-01".into()),
                        health: Some(m::ProtectionHealth::Warning),
                        ..Default::default()
                    }],
                    reprotect_agents: vec![m::ReprotectAgentDetails {
                        id: Some("ra-win-01".into()),
                        name: Some("ra-win-01".into()),
                        accessible_datastores: vec!["datastore1".into()],
                        ..Default::default()
                    }],
                    ..Default::default()
                }
                .into(),
            ),
            ..Default::default()
        },
    ));
    v.policies.push(resource(
        policy_id("pol-rcm"),
        m::PolicyProperties {
            friendly_name: Some("pol-rcm".into()),
            provider_specific_details: Some(
                m::InMageRcmPolicyDetails {
                    recovery_point_history_in_minutes: Some(2880),
                    app_consistent_frequency_in_minutes: Some(240),
                    crash_consistent_frequency_in_minutes: Some(5),
                    enable_multi_vm_sync: Some("True".into()),
                }
                .into(),
            ),
        },
    ));
    v.policies.push(resource(
        policy_id("pol-rcm-failback"),
        m::PolicyProperties {
            friendly_name: Some("pol-rcm-failback".into()),
            provider_specific_details: Some(
                m::InMageRcmFailbackPolicyDetails {
                    app_consistent_frequency_in_minutes: Some(60),
                    crash_consistent_frequency_in_minutes: Some(5),
                }
                .into(),
            ),
        },
    ));
    v.item(
        rpi(
            APPLIANCE,
            "web-01",
            "Recovery",
            vec![O::ReverseReplicate],
            scenario("None", None),
            "pol-rcm",
            P::InMageRcm(m::InMageRcmReplicationDetails {
                os_type: Some("Windows".into()),
                os_name: Some("Windows Server 2022".into()),
                discovery_type: Some("vCenter".into()),
                protected_disks: vec![m::InMageRcmProtectedDiskDetails {
                    disk_id: Some("disk-0".into()),
                    disk_name: Some("disk-0".into()),
                    capacity_in_bytes: Some(128 << 30),
                    log_storage_account_id: Some(LOG_ACCOUNT.into()),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        ),
        Vec::new(),
    );
    let id = rpi_id(APPLIANCE, "db-01");
    v.item(
        rpi(
            APPLIANCE,
            "db-01",
            "Recovery",
            vec![O::PlannedFailover],
            scenario("None", None),
            "pol-rcm-failback",
            P::InMageRcmFailback(m::InMageRcmFailbackReplicationDetails {
                os_type: Some("Linux".into()),
                reprotect_agent_id: Some("ra-win-01".into()),
                multi_vm_group_name: Some("db-group".into()),
                log_storage_account_id: Some(LOG_ACCOUNT.into()),
                protected_disks: vec![m::InMageRcmFailbackProtectedDiskDetails {
                    disk_id: Some("disk-0".into()),
                    capacity_in_bytes: Some(32 << 30),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        ),
        vec![resource(
            format!("{id}/recoveryPoints/rp-9"),
            m::RecoveryPointProperties {
                recovery_point_time: Some(at(11, 30)),
                recovery_point_type: Some(m::RecoveryPointKind::CrashConsistent),
                provider_specific_details: Some(
                    m::InMageRcmRecoveryPointDetails {
                        is_multi_vm_sync_point: Some("True".into()),
                    }
                    .into(),
                ),
            },
        )],
    );
    v.plans.push(resource(
        format!("{VAULT}/replicationRecoveryPlans/rp-web"),
        m::RecoveryPlanProperties {
            groups: vec![group(
                m::RecoveryPlanGroupType::Boot,
                &[rpi_id(APPLIANCE, "web-01")],
            )],
            ..Default::default()
        },
    ));
    v
}
