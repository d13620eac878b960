//! Discovery over a fake ARM: a classic and a modernized vault read into the Azure half
//! of an estate by `docs/asr-mapping.md` ("Discovery"), paged; the flavour found from the
//! fabrics; what does not read is an error naming it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;
mod provider_common;

use failback_azure::provider::AzureRecovery;
use failback_core::estate::{
    Consistency, Flavor, Health, ItemKind, MasterTargetRole, OsFamily, PlanActionKind,
    PolicyDirection, PsLocation,
};
use failback_core::provider::RecoveryProvider;
use failback_core::state::ProtectionState;
use failback_core::ErrorKind;
use provider_common::{
    at, classic, modernized, policy_id, rpi_id, Fake, APPLIANCE, CS, LOG_ACCOUNT,
};
use serde_json::json;

#[tokio::test]
async fn a_classic_vault_reads_as_the_azure_half_of_an_estate() {
    let fake = Fake::start(classic()).await;
    let azure = fake.provider(Flavor::Classic);
    let e = azure.discover().await.unwrap();
    assert_eq!(e.flavor, Flavor::Classic);
    assert!(e.vcenters.is_empty() && e.hosts.is_empty() && e.vms.is_empty());

    // The configuration server and the items its fabric lists.
    let cs = e.configuration_server.as_ref().unwrap();
    assert_eq!(cs.id, CS);
    assert_eq!(cs.ip_address.to_string(), "10.0.0.10");
    assert_eq!(cs.last_backup, None);
    let db_items = cs.database_items.clone().unwrap();
    assert_eq!(db_items, ["web-01", "app-02", "db-01", "db-02", "app-01"]);
    assert!(e.replication_appliance.is_none());

    // Process servers: where they run by their host.
    let ps: Vec<_> = e
        .process_servers
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                p.name.as_str(),
                p.location,
                p.running,
                p.health,
            )
        })
        .collect();
    assert_eq!(
        ps,
        [
            (
                "ps-azure-01",
                "ps-azure-01",
                PsLocation::Azure,
                Some(true),
                Some(Health::Normal)
            ),
            (
                "ps-onprem-01",
                "cs-01",
                PsLocation::OnPrem,
                Some(true),
                Some(Health::Normal)
            ),
        ]
    );

    // Master targets: ASR's facts only; VMware's are left for vSphere.
    let mt = &e.master_targets[0];
    assert_eq!((mt.id.as_str(), mt.name.as_str()), ("mt-win-01", "cs-01"));
    assert_eq!(mt.role, MasterTargetRole::MasterTarget);
    assert_eq!(mt.os.family, OsFamily::Windows);
    assert_eq!(mt.os.version.as_deref(), Some("Windows Server 2016"));
    assert!(mt.on_configuration_server);
    assert_eq!(mt.attached_disks, 4);
    assert_eq!(mt.host, "");
    assert_eq!(mt.config_params, None);
    let vols: Vec<_> = mt
        .volumes
        .iter()
        .map(|v| (v.name.as_str(), v.capacity_bytes >> 40, v.free_bytes >> 40))
        .collect();
    assert_eq!(vols, [("R:", 2, 1), ("S:", 4, 3)]);
    assert_eq!(e.master_targets[1].os.family, OsFamily::Linux);
    assert!(!e.master_targets[1].on_configuration_server);

    // Policies: direction by provider, their numbers, the failback policy derived from
    // the forward one by name and associated with the fabric its items are in.
    let forward = e
        .policies
        .iter()
        .find(|p| p.id == policy_id("pol-forward"))
        .unwrap();
    assert_eq!(forward.direction, PolicyDirection::Forward);
    assert_eq!(
        (
            forward.rpo_threshold_minutes,
            forward.retention_minutes,
            forward.app_consistent_frequency_minutes
        ),
        (30, 4320, 120)
    );
    assert_eq!(forward.associated_with.as_deref(), Some(CS));
    let back = e
        .policies
        .iter()
        .find(|p| p.id == policy_id("pol-forward-failback"))
        .unwrap();
    assert_eq!(back.direction, PolicyDirection::Failback);
    assert_eq!(
        back.derived_from.as_deref(),
        Some(policy_id("pol-forward").as_str())
    );
    assert_eq!(back.associated_with.as_deref(), Some(CS));

    // Items, in the listing's order over its pages; the Hyper-V item is not VMware
    // failback's and is left out.
    let ids: Vec<_> = e.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["web-01", "app-02", "db-01", "db-02", "app-01"]);
    let item = |id: &str| e.items.iter().find(|i| i.id == id).unwrap();
    let web = item("web-01");
    assert_eq!(web.name, "web-01.contoso.com");
    assert_eq!(web.state, ProtectionState::FailedOverToAzure);
    assert_eq!(web.kind, ItemKind::VmwareVm);
    assert_eq!(web.os.family, OsFamily::Windows);
    assert_eq!(
        web.replication_group, None,
        "alone: its group is named by its own id"
    );
    assert_eq!(web.original_vm.as_deref(), Some("vm-web-01"));
    let disks: Vec<_> = web
        .disks
        .iter()
        .map(|d| (d.name.as_str(), d.capacity_bytes >> 30))
        .collect();
    assert_eq!(disks, [("disk-0", 128), ("disk-1", 512)]);
    assert_eq!(web.master_target, None);
    assert!(web.recovery_points.is_empty());
    assert!(
        web.azure_vm.is_none(),
        "ASR does not say where or whether it runs"
    );
    assert_eq!(item("app-02").state, ProtectionState::Reprotecting);
    assert_eq!(
        item("app-01").state,
        ProtectionState::FailedBackAwaitingCommit
    );
    assert_eq!(item("app-01").replication_group, None);
    let db = item("db-01");
    assert_eq!(db.state, ProtectionState::ReplicatingToOnPrem);
    assert_eq!(db.replication_group.as_deref(), Some("db-group"));
    assert_eq!(db.master_target.as_deref(), Some("mt-lin-01"));
    assert_eq!(db.os.family, OsFamily::Linux);
    assert_eq!(db.os.version.as_deref(), Some("RHEL 8.6"));
    let points: Vec<_> = db
        .recovery_points
        .iter()
        .map(|p| (p.id.as_str(), p.time, p.consistency, p.multi_vm_sync))
        .collect();
    let rp = |n: &str| format!("{}/recoveryPoints/{n}", rpi_id(CS, "db-01"));
    assert_eq!(
        points,
        [
            (
                rp("rp-1").as_str(),
                at(10, 0),
                Consistency::ApplicationConsistent,
                true
            ),
            (
                rp("rp-2").as_str(),
                at(11, 0),
                Consistency::CrashConsistent,
                false
            ),
        ]
    );

    // Recovery plans: boot groups in order, their manual actions for a failback only.
    let plan = e.recovery_plans.iter().find(|p| p.name == "rp-db").unwrap();
    assert_eq!(plan.items, ["db-01", "db-02"]);
    assert_eq!(plan.groups.len(), 2);
    assert_eq!(plan.groups[0].items, ["db-01"]);
    let start = &plan.groups[0].start_actions;
    assert_eq!(start.len(), 1);
    assert_eq!(start[0].name, "Stop the app");
    assert_eq!(start[0].kind, PlanActionKind::Manual);
    assert_eq!(
        start[0].instructions.as_deref(),
        Some("Stop the app tier first")
    );
    assert!(
        plan.groups[0].end_actions.is_empty(),
        "a script and a forward-only action"
    );
    assert_eq!(plan.groups[1].items, ["db-02"]);
    assert_eq!(plan.groups[1].end_actions[0].name, "Check the database");
    // One group without actions is the plan without groups.
    let web_plan = e
        .recovery_plans
        .iter()
        .find(|p| p.name == "rp-web")
        .unwrap();
    assert_eq!(web_plan.items, ["web-01"]);
    assert!(web_plan.groups.is_empty());

    // The items were listed over 3 pages, points read only for those replicating back.
    assert_eq!(fake.requests("GET", "/replicationProtectedItems").len(), 3);
    assert_eq!(fake.requests("GET", "/recoveryPoints").len(), 3);
}

#[tokio::test]
async fn a_modernized_vault_reads_its_appliance_and_reprotect_agents() {
    let fake = Fake::start(modernized()).await;
    let azure = fake.provider(Flavor::Classic); // the fabrics decide
    let e = azure.discover().await.unwrap();
    assert_eq!(e.flavor, Flavor::Modernized);
    assert!(e.configuration_server.is_none());
    let a = e.replication_appliance.as_ref().unwrap();
    assert_eq!(
        (a.id.as_str(), a.name.as_str()),
        (APPLIANCE, "asr-appliance-01")
    );
    assert_eq!(a.log_storage_account.as_deref(), Some(LOG_ACCOUNT));
    let ps = &e.process_servers[0];
    assert_eq!(
        (ps.id.as_str(), ps.location, ps.running, ps.health),
        (
            "appliance-01-ps",
            PsLocation::OnPrem,
            None,
            Some(Health::Warning)
        )
    );
    let ra = &e.master_targets[0];
    assert_eq!(ra.id, "ra-win-01");
    assert_eq!(ra.role, MasterTargetRole::ReprotectAgent);
    // The failback policy lacks the RPO and retention: failback's fixed values.
    let back = e
        .policies
        .iter()
        .find(|p| p.direction == PolicyDirection::Failback)
        .unwrap();
    assert_eq!(
        (
            back.rpo_threshold_minutes,
            back.retention_minutes,
            back.app_consistent_frequency_minutes
        ),
        (15, 1440, 60)
    );
    assert_eq!(
        back.derived_from.as_deref(),
        Some(policy_id("pol-rcm").as_str())
    );
    assert_eq!(back.associated_with, None);
    let forward = e
        .policies
        .iter()
        .find(|p| p.direction == PolicyDirection::Forward)
        .unwrap();
    assert_eq!(forward.retention_minutes, 2880);
    let web = e.items.iter().find(|i| i.id == "web-01").unwrap();
    assert_eq!(web.state, ProtectionState::FailedOverToAzure);
    assert_eq!(web.os.version.as_deref(), Some("Windows Server 2022"));
    let db = e.items.iter().find(|i| i.id == "db-01").unwrap();
    assert_eq!(db.state, ProtectionState::ReplicatingToOnPrem);
    assert_eq!(db.master_target.as_deref(), Some("ra-win-01"));
    assert_eq!(db.replication_group.as_deref(), Some("db-group"));
    assert_eq!(db.disks[0].name, "disk-0");
    assert_eq!(db.recovery_points.len(), 1);
    assert!(db.recovery_points[0].multi_vm_sync);
}

#[tokio::test]
async fn the_flavour_is_read_from_the_fabrics() {
    let fake = Fake::start(modernized()).await;
    let azure = AzureRecovery::connect(http_common::client(&fake.server))
        .await
        .unwrap();
    assert_eq!(azure.flavor(), Flavor::Modernized);
    let cap = azure.capability();
    assert!(cap.modernized && cap.planned_failover && cap.cancel_failover && !cap.classic);
    let fake = Fake::start(classic()).await;
    let azure = AzureRecovery::connect(http_common::client(&fake.server))
        .await
        .unwrap();
    let cap = azure.capability();
    assert!(cap.classic && !cap.planned_failover && !cap.cancel_failover);
    assert!(cap.recovery_plans && cap.resume_jobs && cap.cancel);
    let mut empty = classic();
    empty.fabrics.clear();
    let fake = Fake::start(empty).await;
    let e = AzureRecovery::connect(http_common::client(&fake.server))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
    assert!(e.to_string().contains("neither"), "{e}");
}

#[tokio::test]
async fn container_mappings_associate_the_policies_when_served() {
    let mut v = classic();
    v.mappings = Some(vec![json!({
        "id": format!("{}/replicationFabrics/cs-02/replicationProtectionContainers/c/replicationProtectionContainerMappings/m1", http_common::VAULT),
        "name": "m1",
        "properties": {"policyId": policy_id("pol-forward")}
    })]);
    let fake = Fake::start(v).await;
    let e = fake.provider(Flavor::Classic).discover().await.unwrap();
    let forward = e
        .policies
        .iter()
        .find(|p| p.id == policy_id("pol-forward"))
        .unwrap();
    assert_eq!(forward.associated_with.as_deref(), Some("cs-02"));
}

#[tokio::test]
async fn values_that_do_not_read_are_errors_naming_them() {
    let mut v = classic();
    v.fabrics[0]["properties"]["customDetails"]["masterTargetServers"][0]["diskCount"] = json!(-3);
    let fake = Fake::start(v).await;
    let e = fake.provider(Flavor::Classic).discover().await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("mt-win-01") && text.contains("diskCount") && text.contains("-3"),
        "{text}"
    );

    let mut v = classic();
    v.fabrics[0]["properties"]["customDetails"]["ipAddress"] = json!("10.0.0.999");
    let fake = Fake::start(v).await;
    let e = fake.provider(Flavor::Classic).discover().await.unwrap_err();
    assert!(e.to_string().contains("10.0.0.999"), "{e}");

    let mut v = classic();
    v.items[0]["properties"]["activeLocation"] = json!("Elsewhere");
    let fake = Fake::start(v).await;
    let e = fake.provider(Flavor::Classic).discover().await.unwrap_err();
    assert!(
        e.to_string().contains("web-01") && e.to_string().contains("Elsewhere"),
        "{e}"
    );

    let mut v = classic();
    let id = rpi_id(CS, "db-01");
    v.points.get_mut(&id).unwrap()[0]["properties"]["recoveryPointType"] = json!("Fuzzy");
    let fake = Fake::start(v).await;
    let e = fake.provider(Flavor::Classic).discover().await.unwrap_err();
    assert!(
        e.to_string().contains("rp-1") && e.to_string().contains("Fuzzy"),
        "{e}"
    );
}
