//! Rule tests: LOC, PRE, PS, MT, RET, POL.
//!
//! Every case starts from the healthy example estate (every item ready) and changes one or
//! two facts, or the request. A firing test asserts the rule, its subject and severity and,
//! for a blocker, that the affected item is blocked (or the plan refused); a quiet test
//! asserts the rule stays silent once the fact is right.

use failback_core::estate::{
    AzureNetwork, AzureVm, ConfigurationServer, DeploymentModel, Estate, EsxHost, FileSystem,
    LicenceEdition, MasterTarget, OnPremVm, PolicyRecord, ProcessServer, VolumeUsage,
};
use failback_core::location::{Location, Transfer};
use failback_core::readiness::Assessment;
use failback_core::rules::{RuleId, Severity, Subject};
use failback_core::state::ProtectionState;
use failback_core::{plan, PlanOutcome, Request};
use failback_tests::*;

/// A timestamp for an estate field, like `ts!("2026-11-20T09:50:00Z")`.
macro_rules! ts {
    ($s:literal) => {
        serde_json::from_str(concat!("\"", $s, "\"")).unwrap()
    };
}

// ---------------------------------------------------------------------------------------
// Helpers: reach one fact of the estate, and assertions the shared helpers lack.

fn host<'a>(e: &'a mut Estate, id: &str) -> &'a mut EsxHost {
    e.hosts
        .iter_mut()
        .find(|h| h.id == id)
        .unwrap_or_else(|| panic!("no host {id}"))
}

fn vm<'a>(e: &'a mut Estate, id: &str) -> &'a mut OnPremVm {
    e.vms
        .iter_mut()
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no VM {id}"))
}

fn azure_vm<'a>(e: &'a mut Estate, item_id: &str) -> &'a mut AzureVm {
    item(e, item_id)
        .azure_vm
        .as_mut()
        .unwrap_or_else(|| panic!("{item_id} has no Azure VM"))
}

fn cs(e: &mut Estate) -> &mut ConfigurationServer {
    e.configuration_server
        .as_mut()
        .unwrap_or_else(|| panic!("no configuration server"))
}

fn process_server<'a>(e: &'a mut Estate, id: &str) -> &'a mut ProcessServer {
    e.process_servers
        .iter_mut()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no process server {id}"))
}

fn network<'a>(e: &'a mut Estate, id: &str) -> &'a mut AzureNetwork {
    e.azure_networks
        .iter_mut()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no network {id}"))
}

fn policy<'a>(e: &'a mut Estate, id: &str) -> &'a mut PolicyRecord {
    e.policies
        .iter_mut()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no policy {id}"))
}

fn volume<'a>(m: &'a mut MasterTarget, name: &str) -> &'a mut failback_core::estate::Volume {
    m.volumes
        .iter_mut()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no volume {name}"))
}

/// Adds an Azure network like `vnet-prod` (created during protection, with a VPN).
fn add_network(e: &mut Estate, id: &str, model: DeploymentModel) {
    let mut n = e.azure_networks[0].clone();
    n.id = id.to_string();
    n.deployment_model = model;
    e.azure_networks.push(n);
}

/// Adds a running Azure process server like `ps-azure-01` in `net`.
fn add_azure_ps(e: &mut Estate, id: &str, net: &str) {
    let mut p = process_server(e, "ps-azure-01").clone();
    p.id = id.to_string();
    p.name = id.to_string();
    p.network = Some(net.to_string());
    e.process_servers.push(p);
}

fn host_s(id: &str) -> Subject {
    Subject::Host(id.to_string())
}
fn net_s(id: &str) -> Subject {
    Subject::Network(id.to_string())
}
fn ps_s(id: &str) -> Subject {
    Subject::ProcessServer(id.to_string())
}
fn vc_s(id: &str) -> Subject {
    Subject::VCenter(id.to_string())
}
fn cs_s() -> Subject {
    Subject::ConfigurationServer("cs-01".to_string())
}
fn pol_s(id: &str) -> Subject {
    Subject::Policy(id.to_string())
}

/// Asserts `item` is not blocked by `rule`.
fn assert_not_blocked_by(report: &Assessment, item: &str, rule: RuleId) {
    let r = report
        .item(item)
        .unwrap_or_else(|| panic!("no report for {item}"));
    assert!(
        !r.blocked_by.iter().any(|b| b.rule == rule),
        "{item} is blocked by {rule}: {:#?}",
        r.blocked_by
    );
}

/// Asserts `rule` yields no finding on `subject`.
fn assert_quiet_on(report: &Assessment, rule: RuleId, subject: &Subject) {
    let on: Vec<_> = report
        .findings_of(rule)
        .filter(|f| f.subject == *subject)
        .collect();
    assert!(on.is_empty(), "{rule} fired on {subject}: {on:#?}");
}

/// Asserts `rule` fires on `subject` as an undecided finding with the rule's severity.
fn assert_unknown(report: &Assessment, rule: RuleId, subject: &Subject) {
    let f = assert_fires(report, rule, subject, rule.info().severity);
    assert!(
        f.unknown,
        "{rule} on {subject} is not marked unknown: {f:#?}"
    );
    assert!(f.message.contains("unknown"), "{f:#?}");
}

/// Asserts the planner refuses the request, naming `rule` among the blockers.
fn assert_refused(e: &Estate, req: &Request, rule: RuleId) {
    match plan(e, req) {
        Ok(PlanOutcome::Refused(a)) => assert!(
            a.blockers().any(|f| f.rule == rule),
            "refused, but not for {rule}: {:#?}",
            a.blockers().collect::<Vec<_>>()
        ),
        Ok(PlanOutcome::Ready(_)) => panic!("planned although {rule} should block"),
        Err(e) => panic!("{e}"),
    }
}

fn location(report: &Assessment, item: &str) -> failback_core::location::LocationDecision {
    match report.item(item).and_then(|r| r.location.clone()) {
        Some(l) => l,
        None => panic!("no location for {item}"),
    }
}

// ---------------------------------------------------------------------------------------
// LOC: original or alternate location

#[test]
fn loc_001_fires_when_original_vm_exists_and_mt_reaches_it() {
    let report = check(&healthy());
    let f = assert_fires(&report, RuleId::Loc001, &it("web-01"), Severity::Info);
    assert!(f.message.contains("vm-web-01"), "{f:#?}");
    let l = location(&report, "web-01");
    assert_eq!(l.location, Location::Original);
    assert_eq!(l.vm.as_deref(), Some("vm-web-01"));
    assert_eq!(l.transfer, Transfer::Delta);
    // Only the changed blocks travel, not the 80 GiB disk.
    assert_eq!(l.estimated_bytes, 4_294_967_296);
}

#[test]
fn loc_001_quiet_when_alternate_location_is_requested() {
    let report = check_with(
        &healthy(),
        &request(r#""items": ["web-01"], "location": "alternate""#),
    );
    assert_quiet(&report, RuleId::Loc001);
    // ASR fails back into the original VM while it exists: a new VM needs it deleted.
    assert_blocks(&report, "web-01", RuleId::Loc007);
    assert_eq!(report.item("web-01").unwrap().location, None);
}

#[test]
fn loc_001_quiet_for_items_without_an_original_vm() {
    let report = check_with(&healthy(), &request(r#""groups": ["db"]"#));
    assert_quiet(&report, RuleId::Loc001);
}

#[test]
fn loc_002_fires_when_original_location_is_requested_for_a_physical_server() {
    let e = healthy();
    let req = request(r#""items": ["app-01"], "location": "original""#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Loc002, &it("app-01"), Severity::Blocker);
    assert!(f.message.contains("physical server"), "{f:#?}");
    assert_blocks(&report, "app-01", RuleId::Loc002);
    assert_refused(&e, &req, RuleId::Loc002);
}

#[test]
fn loc_002_quiet_when_physical_server_fails_back_to_a_new_vm() {
    let report = check_with(&healthy(), &request(r#""items": ["app-01"]"#));
    assert_quiet(&report, RuleId::Loc002);
    assert!(report.ready());
    let l = location(&report, "app-01");
    assert_eq!(l.location, Location::Alternate);
    // The auto choice explains why the original location was not possible.
    assert!(l.reasons.iter().any(|r| r.starts_with("LOC-002")), "{l:#?}");
}

#[test]
fn loc_003_fires_when_no_master_target_runs_on_a_discovered_host() {
    let mut e = healthy();
    host(&mut e, "esx-01").discovered = false;
    host(&mut e, "esx-02").discovered = false;
    let report = check_with(&e, &request(r#""items": ["app-01"]"#));
    assert_fires(&report, RuleId::Loc003, &it("app-01"), Severity::Blocker);
    assert_blocks(&report, "app-01", RuleId::Loc003);
}

#[test]
fn loc_003_fires_when_the_estate_has_no_master_target() {
    let mut e = healthy();
    e.master_targets.clear();
    let report = check_with(&e, &request(r#""items": ["app-01"]"#));
    assert_fires(&report, RuleId::Loc003, &it("app-01"), Severity::Blocker);
    assert_blocks(&report, "app-01", RuleId::Loc003);
}

#[test]
fn loc_003_quiet_when_one_master_target_host_is_discovered() {
    let mut e = healthy();
    host(&mut e, "esx-02").discovered = false;
    let report = check_with(&e, &request(r#""items": ["app-01"]"#));
    assert_quiet(&report, RuleId::Loc003);
    assert!(report.ready(), "{:#?}", report.item("app-01"));
}

#[test]
fn loc_003_quiet_for_a_vmware_vm() {
    let mut e = healthy();
    host(&mut e, "esx-01").discovered = false;
    host(&mut e, "esx-02").discovered = false;
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert_quiet(&report, RuleId::Loc003);
}

/// The original VM's disks span ds-01 (reached by mt-win-01's host esx-01) and ds-03
/// (reached only by esx-02).
fn vm_spanning_ds_03() -> Estate {
    let mut e = healthy();
    vm(&mut e, "vm-web-01").datastores = vec!["ds-01".into(), "ds-03".into()];
    e
}

#[test]
fn loc_004_fires_when_mt_host_cannot_reach_original_datastore() {
    let e = vm_spanning_ds_03();
    let req = request(r#""items": ["web-01"], "location": "original""#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Loc004, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("ds-03"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Loc004);
    // vCenter-managed: LOC-004, not the standalone-host rule.
    assert_quiet(&report, RuleId::Loc005);
    assert_refused(&e, &req, RuleId::Loc004);
}

#[test]
fn loc_004_quiet_when_mt_host_reaches_it() {
    let mut e = vm_spanning_ds_03();
    host(&mut e, "esx-01").datastores.push("ds-03".into());
    let report = check_with(
        &e,
        &request(r#""items": ["web-01"], "location": "original""#),
    );
    assert_quiet(&report, RuleId::Loc004);
    assert!(report.ready());
    assert_eq!(location(&report, "web-01").location, Location::Original);
}

/// The remediation of an original-location rule offers deleting the original VM (LOC-007)
/// as the other way.
fn assert_offers_deleting_the_original_vm(f: &failback_core::rules::Finding) {
    assert!(
        f.remediation.contains("LOC-007")
            && f.remediation.contains("delete the original VM")
            && f.remediation.contains("alternate location"),
        "{f:#?}"
    );
}

#[test]
fn loc_004_fires_under_auto_location_while_the_original_vm_exists() {
    // ASR cannot fail back to an alternate location while the original VM exists: auto no
    // longer hides the rule behind a new VM.
    let e = vm_spanning_ds_03();
    let req = request(r#""items": ["web-01"]"#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Loc004, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("ds-03"), "{f:#?}");
    assert_offers_deleting_the_original_vm(f);
    assert_blocks(&report, "web-01", RuleId::Loc004);
    assert_eq!(report.item("web-01").unwrap().location, None);
    assert_refused(&e, &req, RuleId::Loc004);
}

#[test]
fn loc_004_quiet_under_auto_location_once_the_original_vm_is_deleted() {
    let mut e = vm_spanning_ds_03();
    item(&mut e, "web-01").original_vm = None;
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert_quiet(&report, RuleId::Loc004);
    assert!(report.ready());
    let l = location(&report, "web-01");
    assert_eq!(l.location, Location::Alternate);
    assert!(l.reasons.iter().any(|r| r.starts_with("LOC-010")), "{l:#?}");
}

#[test]
fn auto_location_picks_the_master_target_through_which_the_original_vm_works() {
    let mut e = healthy();
    // WEB01 now lives on esx-02's vSAN datastore ds-03: only a master target on esx-02
    // with its disks on ds-03 can recover into it. mt-win-02 is such a one, though it
    // runs on the configuration server and already carries disks.
    {
        let v = vm(&mut e, "vm-web-01");
        v.host = "esx-02".into();
        v.datastores = vec!["ds-03".into()];
    }
    let mut m = master_target(&mut e, "mt-win-01").clone();
    m.id = "mt-win-02".into();
    m.name = "mt-win-02".into();
    m.host = "esx-02".into();
    m.datastore = "ds-03".into();
    m.on_configuration_server = true;
    m.attached_disks = 30;
    e.master_targets.push(m);
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert!(
        report.ready(),
        "{:#?}",
        report.blockers().collect::<Vec<_>>()
    );
    let w = report.item("web-01").unwrap();
    assert_eq!(w.inputs.master_target.as_deref(), Some("mt-win-02"));
    assert_eq!(location(&report, "web-01").location, Location::Original);
}

#[test]
fn loc_005_fires_when_standalone_vm_disks_are_out_of_mt_host_reach() {
    let mut e = vm_spanning_ds_03();
    host(&mut e, "esx-01").vcenter = None;
    let report = check_with(
        &e,
        &request(r#""items": ["web-01"], "location": "original""#),
    );
    let f = assert_fires(&report, RuleId::Loc005, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("ds-03"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Loc005);
    assert_quiet(&report, RuleId::Loc004);
}

#[test]
fn loc_005_fires_under_auto_location_while_the_original_vm_exists() {
    let mut e = vm_spanning_ds_03();
    host(&mut e, "esx-01").vcenter = None;
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    let f = assert_fires(&report, RuleId::Loc005, &it("web-01"), Severity::Blocker);
    assert_offers_deleting_the_original_vm(f);
    assert_blocks(&report, "web-01", RuleId::Loc005);
}

#[test]
fn loc_005_quiet_when_standalone_host_reaches_the_disks() {
    let mut e = healthy();
    host(&mut e, "esx-01").vcenter = None;
    let report = check_with(
        &e,
        &request(r#""items": ["web-01"], "location": "original""#),
    );
    assert_quiet(&report, RuleId::Loc005);
    assert!(report.ready(), "{:#?}", report.item("web-01"));
    assert_eq!(location(&report, "web-01").location, Location::Original);
}

#[test]
fn loc_006_fires_when_physical_server_mt_host_is_not_discovered() {
    let mut e = healthy();
    host(&mut e, "esx-01").discovered = false;
    let report = check_with(&e, &request(r#""items": ["app-01"]"#));
    let f = assert_fires(&report, RuleId::Loc006, &it("app-01"), Severity::Blocker);
    assert!(f.message.contains("esx-01"), "{f:#?}");
    assert_blocks(&report, "app-01", RuleId::Loc006);
}

#[test]
fn loc_006_fires_when_standalone_vm_mt_host_is_not_discovered() {
    let mut e = healthy();
    let h = host(&mut e, "esx-01");
    h.vcenter = None;
    h.discovered = false;
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert_fires(&report, RuleId::Loc006, &it("web-01"), Severity::Blocker);
    assert_blocks(&report, "web-01", RuleId::Loc006);
}

#[test]
fn loc_006_quiet_for_vcenter_managed_vm_on_undiscovered_host() {
    let mut e = healthy();
    host(&mut e, "esx-01").discovered = false;
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert_quiet(&report, RuleId::Loc006);
    assert!(report.ready(), "{:#?}", report.item("web-01"));
}

#[test]
fn loc_006_quiet_when_mt_host_is_discovered() {
    let report = check_with(&healthy(), &request(r#""items": ["app-01"]"#));
    assert_quiet(&report, RuleId::Loc006);
}

#[test]
fn loc_007_fires_when_original_vm_still_exists() {
    let report = check(&healthy());
    let f = assert_fires(&report, RuleId::Loc007, &it("web-01"), Severity::Info);
    assert!(f.message.contains("esx-01"), "{f:#?}");
    assert!(report.ready());
}

#[test]
fn loc_007_fires_as_blocker_when_alternate_is_requested_while_the_original_vm_exists() {
    let e = healthy();
    let req = request(r#""items": ["web-01"], "location": "alternate""#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Loc007, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("vm-web-01"), "{f:#?}");
    assert!(
        f.remediation.starts_with("Delete the original VM first"),
        "{f:#?}"
    );
    assert_blocks(&report, "web-01", RuleId::Loc007);
    assert_refused(&e, &req, RuleId::Loc007);
}

#[test]
fn loc_007_quiet_when_original_vm_was_deleted() {
    let mut e = healthy();
    item(&mut e, "web-01").original_vm = None;
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert_quiet(&report, RuleId::Loc007);
    // Failback then creates a new VM on the master target's host.
    let l = location(&report, "web-01");
    assert_eq!(l.location, Location::Alternate);
    assert_eq!(l.host, "esx-01");
}

#[test]
fn loc_008_fires_for_an_alternate_location() {
    let report = check_with(&healthy(), &request(r#""items": ["app-01"]"#));
    let f = assert_fires(&report, RuleId::Loc008, &it("app-01"), Severity::Info);
    assert!(
        f.message.contains("esx-01") && f.message.contains("ds-01"),
        "{f:#?}"
    );
    let l = location(&report, "app-01");
    // The master target's host and, by preference, its own datastore.
    assert_eq!((l.host.as_str(), l.datastore.as_str()), ("esx-01", "ds-01"));
}

#[test]
fn loc_008_fires_as_blocker_when_pinned_datastore_is_unreachable() {
    let req = request(r#""items": ["app-01"], "pins": {"datastore": "ds-03"}"#);
    let report = check_with(&healthy(), &req);
    let f = assert_fires(&report, RuleId::Loc008, &it("app-01"), Severity::Blocker);
    assert!(f.message.contains("ds-03"), "{f:#?}");
    assert_blocks(&report, "app-01", RuleId::Loc008);
}

#[test]
fn loc_008_fires_as_blocker_when_no_datastore_has_room() {
    let mut e = healthy();
    // 5 TiB: more than ds-01 (2 TiB free) or ds-02 (3 TiB free) hold.
    item(&mut e, "app-01").disks[0].capacity_bytes = 5 << 40;
    let report = check_with(&e, &request(r#""items": ["app-01"]"#));
    assert_fires(&report, RuleId::Loc008, &it("app-01"), Severity::Blocker);
    assert_blocks(&report, "app-01", RuleId::Loc008);
}

#[test]
fn loc_008_quiet_when_item_returns_to_its_original_vm() {
    let report = check_with(&healthy(), &request(r#""items": ["web-01"]"#));
    assert_quiet(&report, RuleId::Loc008);
}

#[test]
fn loc_009_fires_when_original_vm_is_not_on_mt_datastore() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").datastore = "ds-02".into();
    let req = request(r#""items": ["web-01"], "location": "original""#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Loc009, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("ds-02"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Loc009);
    // The MT's host still reaches the VM's datastore: only LOC-009 holds.
    assert_quiet(&report, RuleId::Loc004);
    assert_refused(&e, &req, RuleId::Loc009);
}

#[test]
fn loc_009_fires_under_auto_location_while_the_original_vm_exists() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").datastore = "ds-02".into();
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    let f = assert_fires(&report, RuleId::Loc009, &it("web-01"), Severity::Blocker);
    assert_offers_deleting_the_original_vm(f);
    assert_blocks(&report, "web-01", RuleId::Loc009);
}

#[test]
fn loc_009_quiet_when_vm_shares_mt_datastore() {
    let report = check_with(
        &healthy(),
        &request(r#""items": ["web-01"], "location": "original""#),
    );
    assert_quiet(&report, RuleId::Loc009);
    assert!(report.ready());
}

#[test]
fn loc_010_fires_when_no_on_prem_vm_exists() {
    let report = check_with(&healthy(), &request(r#""groups": ["db"]"#));
    for id in ["db-01", "db-02"] {
        let f = assert_fires(&report, RuleId::Loc010, &it(id), Severity::Info);
        assert!(f.message.contains("ds-02"), "{f:#?}");
        // The datastore input is always given.
        assert_eq!(
            report.item(id).unwrap().inputs.datastore.as_deref(),
            Some("ds-02")
        );
    }
}

#[test]
fn loc_010_quiet_when_original_vm_exists() {
    let report = check_with(&healthy(), &request(r#""items": ["web-01"]"#));
    assert_quiet(&report, RuleId::Loc010);
    // A datastore value is required even when the original VM is used.
    assert_eq!(
        report.item("web-01").unwrap().inputs.datastore.as_deref(),
        Some("ds-01")
    );
}

// ---------------------------------------------------------------------------------------
// PRE: prerequisites

#[test]
fn pre_001_fires_when_estate_has_no_vmware_environment() {
    let mut e = healthy();
    e.hosts.clear();
    e.datastores.clear();
    e.master_targets.clear();
    e.vms.clear();
    e.vcenters.clear();
    item(&mut e, "web-01").original_vm = None;
    let report = check(&e);
    assert_fires(&report, RuleId::Pre001, &Subject::Estate, Severity::Blocker);
    for id in ["web-01", "db-01", "db-02", "app-01"] {
        assert_blocks(&report, id, RuleId::Pre001);
    }
    assert_refused(&e, &Request::default(), RuleId::Pre001);
}

#[test]
fn pre_001_quiet_with_esx_hosts_and_datastores() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pre001);
}

#[test]
fn pre_002_fires_when_network_was_not_created_during_protection() {
    let mut e = healthy();
    network(&mut e, "vnet-prod").created_during_protection = Some(false);
    let report = check(&e);
    assert_fires(
        &report,
        RuleId::Pre002,
        &net_s("vnet-prod"),
        Severity::Blocker,
    );
    assert_blocks(&report, "web-01", RuleId::Pre002);
    assert_blocks(&report, "db-01", RuleId::Pre002);
}

#[test]
fn pre_002_fires_as_unknown_when_creation_is_not_recorded() {
    let mut e = healthy();
    network(&mut e, "vnet-prod").created_during_protection = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Pre002, &net_s("vnet-prod"));
    assert_blocks(&report, "web-01", RuleId::Pre002);
}

#[test]
fn pre_002_quiet_when_network_was_created_during_protection() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pre002);
}

#[test]
fn pre_003_fires_when_discovery_account_lacks_privileges() {
    let mut e = healthy();
    let privileges = e.vcenters[0].account.privileges.as_mut().unwrap();
    privileges.retain(|p| p != "Datastore.Browse");
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Pre003, &vc_s("vc-01"), Severity::Blocker);
    assert!(f.message.contains("Datastore.Browse"), "{f:#?}");
    assert!(f.remediation.contains("Datastore.Browse"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Pre003);
}

#[test]
fn pre_003_fires_as_unknown_when_privileges_are_not_recorded() {
    let mut e = healthy();
    e.vcenters[0].account.privileges = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Pre003, &vc_s("vc-01"));
    assert_blocks(&report, "web-01", RuleId::Pre003);
}

#[test]
fn pre_003_quiet_with_every_privilege() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pre003);
}

#[test]
fn pre_004_fires_when_original_vm_has_snapshots() {
    let mut e = healthy();
    vm(&mut e, "vm-web-01").snapshots = Some(2);
    let req = request(r#""items": ["web-01"], "location": "original""#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Pre004, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("2 snapshot"), "{f:#?}");
    assert!(!f.unknown);
    assert_blocks(&report, "web-01", RuleId::Pre004);
    assert_refused(&e, &req, RuleId::Pre004);
}

#[test]
fn pre_004_fires_under_auto_location_instead_of_planning_a_new_vm() {
    let mut e = healthy();
    vm(&mut e, "vm-web-01").snapshots = Some(2);
    let req = request(r#""items": ["web-01"]"#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Pre004, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("vm-web-01"), "{f:#?}");
    // Both ways out: delete the snapshots, or delete the VM for a new one elsewhere.
    assert!(f.remediation.contains("snapshots"), "{f:#?}");
    assert_offers_deleting_the_original_vm(f);
    assert_blocks(&report, "web-01", RuleId::Pre004);
    assert_eq!(report.item("web-01").unwrap().location, None);
    assert_refused(&e, &req, RuleId::Pre004);
}

#[test]
fn pre_004_fires_as_unknown_when_snapshot_count_is_missing() {
    let mut e = healthy();
    vm(&mut e, "vm-web-01").snapshots = None;
    let report = check_with(
        &e,
        &request(r#""items": ["web-01"], "location": "original""#),
    );
    assert_unknown(&report, RuleId::Pre004, &it("web-01"));
    assert_blocks(&report, "web-01", RuleId::Pre004);
}

#[test]
fn pre_004_quiet_when_original_vm_has_no_snapshots() {
    let report = check_with(
        &healthy(),
        &request(r#""items": ["web-01"], "location": "original""#),
    );
    assert_quiet(&report, RuleId::Pre004);
}

#[test]
fn pre_005_fires_when_item_is_missing_from_cs_database() {
    let mut e = healthy();
    cs(&mut e)
        .database_items
        .as_mut()
        .unwrap()
        .retain(|i| i != "web-01");
    let report = check(&e);
    assert_fires(&report, RuleId::Pre005, &it("web-01"), Severity::Blocker);
    assert_blocks(&report, "web-01", RuleId::Pre005);
    // The other items are in the database.
    assert_quiet_on(&report, RuleId::Pre005, &it("app-01"));
    assert_not_blocked_by(&report, "app-01", RuleId::Pre005);
}

#[test]
fn pre_005_fires_as_unknown_when_database_items_are_missing() {
    let mut e = healthy();
    cs(&mut e).database_items = None;
    let report = check(&e);
    for id in ["web-01", "app-01", "db-01"] {
        assert_unknown(&report, RuleId::Pre005, &it(id));
        assert_blocks(&report, id, RuleId::Pre005);
    }
}

#[test]
fn pre_005_quiet_when_every_item_is_in_the_database() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pre005);
}

#[test]
fn pre_006_fires_when_last_backup_is_older_than_a_week() {
    let mut e = healthy();
    cs(&mut e).last_backup = Some(ts!("2026-11-10T22:00:00Z"));
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Pre006, &cs_s(), Severity::Warning);
    assert!(f.message.contains("9 days"), "{f:#?}");
    // A warning: the failback may still run.
    assert!(report.ready());
}

#[test]
fn pre_006_fires_when_cs_was_restored_with_another_address() {
    let mut e = healthy();
    cs(&mut e).ip_address = "10.0.0.99".parse().unwrap();
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Pre006, &cs_s(), Severity::Warning);
    assert!(f.message.contains("10.0.0.10"), "{f:#?}");
}

#[test]
fn pre_006_fires_as_unknown_without_a_backup_date() {
    let mut e = healthy();
    cs(&mut e).last_backup = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Pre006, &cs_s());
}

#[test]
fn pre_006_fires_as_unknown_without_the_registered_address() {
    let mut e = healthy();
    cs(&mut e).registered_ip_address = None;
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Pre006, &cs_s(), Severity::Warning);
    assert!(
        f.unknown && f.message.contains("registered_ip_address"),
        "{f:#?}"
    );
    assert!(report.ready());
}

#[test]
fn pre_006_quiet_with_recent_backup_and_same_address() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pre006);
}

fn with_enable_uuid(value: Option<&str>) -> Estate {
    let mut e = healthy();
    let params = master_target(&mut e, "mt-win-01")
        .config_params
        .get_or_insert_with(Default::default);
    match value {
        Some(v) => {
            params.insert("disk.enableUUID".into(), v.into());
        }
        None => {
            params.remove("disk.enableUUID");
        }
    }
    e
}

#[test]
fn pre_007_fires_when_disk_enable_uuid_is_lowercase() {
    let report = check(&with_enable_uuid(Some("true")));
    let f = assert_fires(&report, RuleId::Pre007, &mt("mt-win-01"), Severity::Blocker);
    assert!(f.message.contains("\"true\""), "{f:#?}");
    // Items through mt-win-01 are blocked; those through the Linux MT are not.
    assert_blocks(&report, "web-01", RuleId::Pre007);
    assert_blocks(&report, "app-01", RuleId::Pre007);
    assert_not_blocked_by(&report, "db-01", RuleId::Pre007);
}

#[test]
fn pre_007_fires_when_value_is_quoted() {
    let report = check(&with_enable_uuid(Some("\"True\"")));
    assert_fires(&report, RuleId::Pre007, &mt("mt-win-01"), Severity::Blocker);
    assert_blocks(&report, "web-01", RuleId::Pre007);
}

#[test]
fn pre_007_fires_when_parameter_is_absent() {
    let report = check(&with_enable_uuid(None));
    let f = assert_fires(&report, RuleId::Pre007, &mt("mt-win-01"), Severity::Blocker);
    assert!(!f.unknown && f.message.contains("not set"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Pre007);
}

#[test]
fn pre_007_fires_as_unknown_when_config_params_are_missing() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").config_params = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Pre007, &mt("mt-win-01"));
    assert_blocks(&report, "web-01", RuleId::Pre007);
}

#[test]
fn pre_007_quiet_when_disk_enable_uuid_is_true() {
    let report = check(&with_enable_uuid(Some("True")));
    assert_quiet(&report, RuleId::Pre007);
}

#[test]
fn pre_008_fires_when_mt_was_storage_vmotioned() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01").storage_vmotioned = Some(true);
    let report = check(&e);
    assert_fires(&report, RuleId::Pre008, &mt("mt-lin-01"), Severity::Blocker);
    assert_blocks(&report, "db-01", RuleId::Pre008);
    assert_not_blocked_by(&report, "web-01", RuleId::Pre008);
}

#[test]
fn pre_008_fires_as_unknown_when_not_recorded() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01").storage_vmotioned = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Pre008, &mt("mt-lin-01"));
    assert_blocks(&report, "db-02", RuleId::Pre008);
}

#[test]
fn pre_008_quiet_when_mt_never_moved() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pre008);
}

#[test]
fn pre_009_fires_on_a_free_licensed_host() {
    let mut e = healthy();
    let licence = host(&mut e, "esx-02").licence.as_mut().unwrap();
    licence.edition = LicenceEdition::Free;
    licence.product = Some("VMware vSphere Hypervisor 6 (free)".into());
    let report = check(&e);
    let f = assert_fires(
        &report,
        RuleId::Pre009,
        &host_s("esx-02"),
        Severity::Blocker,
    );
    assert!(f.message.contains("vSphere Hypervisor 6"), "{f:#?}");
    // db lands on esx-02 through mt-lin-01; web-01 stays on esx-01.
    assert_blocks(&report, "db-01", RuleId::Pre009);
    assert_not_blocked_by(&report, "web-01", RuleId::Pre009);
}

#[test]
fn pre_009_fires_as_unknown_without_a_licence() {
    let mut e = healthy();
    host(&mut e, "esx-02").licence = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Pre009, &host_s("esx-02"));
    assert_blocks(&report, "db-01", RuleId::Pre009);
}

#[test]
fn pre_009_quiet_with_an_evaluation_licence() {
    let mut e = healthy();
    host(&mut e, "esx-02").licence.as_mut().unwrap().edition = LicenceEdition::Evaluation;
    let report = check(&e);
    assert_quiet(&report, RuleId::Pre009);
    assert!(report.ready());
}

// ---------------------------------------------------------------------------------------
// PS: process server

#[test]
fn ps_001_fires_when_azure_process_server_is_stopped() {
    let mut e = healthy();
    process_server(&mut e, "ps-azure-01").running = Some(false);
    let report = check(&e);
    assert_fires(
        &report,
        RuleId::Ps001,
        &ps_s("ps-azure-01"),
        Severity::Blocker,
    );
    assert_blocks(&report, "web-01", RuleId::Ps001);
    assert_refused(&e, &Request::default(), RuleId::Ps001);
}

#[test]
fn ps_001_fires_when_process_server_health_is_critical() {
    let mut e = healthy();
    process_server(&mut e, "ps-azure-01").health = Some(failback_core::estate::Health::Critical);
    let report = check(&e);
    assert_fires(
        &report,
        RuleId::Ps001,
        &ps_s("ps-azure-01"),
        Severity::Blocker,
    );
    assert_blocks(&report, "app-01", RuleId::Ps001);
}

#[test]
fn ps_001_fires_when_no_process_server_runs_in_azure() {
    let mut e = healthy();
    e.process_servers.retain(|p| p.id != "ps-azure-01");
    let report = check(&e);
    for id in ["web-01", "db-01", "app-01"] {
        assert_fires(&report, RuleId::Ps001, &it(id), Severity::Blocker);
        assert_blocks(&report, id, RuleId::Ps001);
        assert_eq!(report.item(id).unwrap().inputs.process_server, None);
    }
}

#[test]
fn ps_001_fires_when_pinned_process_server_is_on_prem() {
    let req = request(r#""items": ["web-01"], "pins": {"process_server": "ps-onprem-01"}"#);
    let report = check_with(&healthy(), &req);
    let f = assert_fires(&report, RuleId::Ps001, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("ps-onprem-01"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Ps001);
}

#[test]
fn ps_001_fires_as_unknown_when_running_is_not_recorded() {
    let mut e = healthy();
    process_server(&mut e, "ps-azure-01").running = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Ps001, &ps_s("ps-azure-01"));
    assert_blocks(&report, "web-01", RuleId::Ps001);
}

#[test]
fn ps_001_quiet_when_process_server_runs() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Ps001);
    assert_eq!(
        report
            .item("web-01")
            .unwrap()
            .inputs
            .process_server
            .as_deref(),
        Some("ps-azure-01")
    );
}

#[test]
fn ps_001_quiet_when_process_server_is_deleted_after_failback() {
    let mut e = healthy();
    e.process_servers.retain(|p| p.id != "ps-azure-01");
    for it in &mut e.items {
        it.state = ProtectionState::FailedBackAwaitingCommit;
    }
    let report = check(&e);
    assert_quiet(&report, RuleId::Ps001);
    assert!(
        report.ready(),
        "{:#?}",
        report.blockers().collect::<Vec<_>>()
    );
}

/// web-01 is a classic VM in classic network vnet-asm; the only Azure process server is
/// in Resource Manager network vnet-prod.
fn classic_web() -> Estate {
    let mut e = healthy();
    add_network(&mut e, "vnet-asm", DeploymentModel::Classic);
    let v = azure_vm(&mut e, "web-01");
    v.network = "vnet-asm".into();
    v.deployment_model = DeploymentModel::Classic;
    e
}

#[test]
fn ps_002_fires_when_classic_vm_has_only_a_resource_manager_ps() {
    let report = check_with(&classic_web(), &request(r#""items": ["web-01"]"#));
    let f = assert_fires(&report, RuleId::Ps002, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("classic"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Ps002);
}

#[test]
fn ps_002_fires_when_the_ps_network_decides_another_model() {
    let mut e = healthy();
    // The only Azure process server moves to a classic network: its network makes it a
    // classic process server, while the VMs are Resource Manager VMs.
    add_network(&mut e, "vnet-asm", DeploymentModel::Classic);
    process_server(&mut e, "ps-azure-01").network = Some("vnet-asm".into());
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Ps002, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("classic"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Ps002);
    // Another network too.
    assert_fires(&report, RuleId::Ps003, &it("web-01"), Severity::Blocker);
}

#[test]
fn an_azure_vm_of_another_model_than_its_network_is_refused_on_load() {
    let mut e = healthy();
    network(&mut e, "vnet-prod").deployment_model = DeploymentModel::Classic;
    let err = e.validate().unwrap_err();
    assert!(
        err.input_errors()
            .iter()
            .any(|x| x.path == "items[0].azure_vm.deployment_model"),
        "{err}"
    );
}

#[test]
fn ps_002_quiet_when_a_classic_ps_serves_the_classic_vm() {
    let mut e = classic_web();
    add_azure_ps(&mut e, "ps-azure-asm", "vnet-asm");
    let report = check(&e);
    assert_quiet(&report, RuleId::Ps002);
    assert_quiet(&report, RuleId::Ps003);
    assert_eq!(
        report
            .item("web-01")
            .unwrap()
            .inputs
            .process_server
            .as_deref(),
        Some("ps-azure-asm")
    );
    assert_eq!(
        report
            .item("app-01")
            .unwrap()
            .inputs
            .process_server
            .as_deref(),
        Some("ps-azure-01")
    );
}

/// web-01 failed over to Resource Manager network vnet-b; the process server is in vnet-prod.
fn web_in_vnet_b() -> Estate {
    let mut e = healthy();
    add_network(&mut e, "vnet-b", DeploymentModel::ResourceManager);
    azure_vm(&mut e, "web-01").network = "vnet-b".into();
    e
}

#[test]
fn ps_003_fires_when_ps_is_in_another_network() {
    let report = check_with(&web_in_vnet_b(), &request(r#""items": ["web-01"]"#));
    let f = assert_fires(&report, RuleId::Ps003, &it("web-01"), Severity::Blocker);
    assert!(
        f.message.contains("vnet-b") && f.message.contains("vnet-prod"),
        "{f:#?}"
    );
    assert_blocks(&report, "web-01", RuleId::Ps003);
    // Same deployment model: PS-002 holds.
    assert_quiet(&report, RuleId::Ps002);
}

#[test]
fn ps_003_quiet_when_a_ps_runs_in_the_vm_network() {
    let mut e = web_in_vnet_b();
    add_azure_ps(&mut e, "ps-azure-b", "vnet-b");
    let report = check(&e);
    assert_quiet(&report, RuleId::Ps003);
    assert!(report.ready());
    assert_eq!(
        report
            .item("web-01")
            .unwrap()
            .inputs
            .process_server
            .as_deref(),
        Some("ps-azure-b")
    );
}

#[test]
fn ps_004_fires_with_resource_manager_inputs_when_no_ps_fits() {
    let mut e = healthy();
    e.process_servers.retain(|p| p.id != "ps-azure-01");
    let report = check_with(&e, &request(r#""items": ["web-01"]"#));
    let f = assert_fires(&report, RuleId::Ps004, &it("web-01"), Severity::Info);
    for word in [
        "resource group",
        "storage account",
        "subnet",
        "NIC",
        "vnet-prod",
    ] {
        assert!(f.message.contains(word), "{word}: {f:#?}");
    }
}

#[test]
fn ps_004_fires_with_the_gallery_image_for_classic_vms() {
    let report = check_with(&classic_web(), &request(r#""items": ["web-01"]"#));
    let f = assert_fires(&report, RuleId::Ps004, &it("web-01"), Severity::Info);
    assert!(
        f.message
            .contains("Microsoft Azure Site Recovery Process Server V2"),
        "{f:#?}"
    );
}

#[test]
fn ps_004_quiet_when_a_process_server_fits() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Ps004);
}

#[test]
fn ps_005_fires_for_a_process_server_registered_minutes_ago() {
    let mut e = healthy();
    process_server(&mut e, "ps-azure-01").registered_at = Some(ts!("2026-11-20T09:50:00Z"));
    let report = check(&e);
    let f = assert_fires(
        &report,
        RuleId::Ps005,
        &ps_s("ps-azure-01"),
        Severity::Warning,
    );
    assert!(f.message.contains("10 min"), "{f:#?}");
    assert!(report.ready());
}

#[test]
fn ps_005_quiet_once_fifteen_minutes_passed() {
    let mut e = healthy();
    process_server(&mut e, "ps-azure-01").registered_at = Some(ts!("2026-11-20T09:44:00Z"));
    let report = check(&e);
    assert_quiet(&report, RuleId::Ps005);
}

// ---------------------------------------------------------------------------------------
// MT: master target

/// mt-win-01 is the configuration server's default master target and app-01 is 1.5 TiB.
fn large_failback_on_cs_mt() -> Estate {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").on_configuration_server = true;
    item(&mut e, "app-01").disks[0].capacity_bytes = 3 << 39;
    e
}

#[test]
fn mt_001_fires_when_cs_default_mt_carries_a_large_failback() {
    let report = check(&large_failback_on_cs_mt());
    assert_fires(&report, RuleId::Mt001, &mt("mt-win-01"), Severity::Warning);
    assert!(report.ready());
}

#[test]
fn mt_001_fires_as_blocker_when_no_master_target_exists() {
    let mut e = healthy();
    e.master_targets.clear();
    let report = check(&e);
    assert_fires(&report, RuleId::Mt001, &it("web-01"), Severity::Blocker);
    assert_fires(&report, RuleId::Mt001, &grp("db"), Severity::Blocker);
    assert_blocks(&report, "web-01", RuleId::Mt001);
    assert_blocks(&report, "db-02", RuleId::Mt001);
}

#[test]
fn mt_001_quiet_when_cs_default_mt_carries_little() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").on_configuration_server = true;
    let report = check(&e);
    assert_quiet(&report, RuleId::Mt001);
}

#[test]
fn mt_001_quiet_when_an_additional_mt_takes_the_load() {
    let mut e = large_failback_on_cs_mt();
    let mut extra = master_target(&mut e, "mt-win-01").clone();
    extra.id = "mt-win-02".into();
    extra.name = "mt-win-02".into();
    extra.on_configuration_server = false;
    e.master_targets.push(extra);
    let report = check(&e);
    assert_quiet(&report, RuleId::Mt001);
    assert_eq!(
        report
            .item("app-01")
            .unwrap()
            .inputs
            .master_target
            .as_deref(),
        Some("mt-win-02")
    );
}

#[test]
fn mt_002_fires_when_linux_mt_runs_another_os() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01").os.version = Some("CentOS 7.9".into());
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Mt002, &mt("mt-lin-01"), Severity::Blocker);
    assert!(f.message.contains("CentOS 7.9"), "{f:#?}");
    assert_blocks(&report, "db-01", RuleId::Mt002);
    assert_not_blocked_by(&report, "web-01", RuleId::Mt002);
}

#[test]
fn mt_002_fires_when_a_package_is_missing() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01")
        .packages
        .as_mut()
        .unwrap()
        .retain(|p| p != "lsscsi");
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Mt002, &mt("mt-lin-01"), Severity::Blocker);
    assert!(f.message.contains("lsscsi"), "{f:#?}");
    assert_blocks(&report, "db-02", RuleId::Mt002);
}

#[test]
fn mt_002_fires_when_custom_changes_were_not_applied() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01").custom_changes_applied = Some(false);
    let report = check(&e);
    assert_fires(&report, RuleId::Mt002, &mt("mt-lin-01"), Severity::Blocker);
    assert_blocks(&report, "db-01", RuleId::Mt002);
}

#[test]
fn mt_002_fires_as_unknown_when_custom_changes_are_not_recorded() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01").custom_changes_applied = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Mt002, &mt("mt-lin-01"));
    assert_blocks(&report, "db-01", RuleId::Mt002);
}

#[test]
fn mt_002_fires_as_unknown_when_the_os_version_is_not_recorded() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01").os.version = None;
    let report = check(&e);
    assert_unknown(&report, RuleId::Mt002, &mt("mt-lin-01"));
    assert_blocks(&report, "db-01", RuleId::Mt002);
}

#[test]
fn mt_002_quiet_for_the_supported_linux_mt_and_any_windows_mt() {
    let report = check(&healthy());
    // mt-win-01 lists no packages at all: the Linux rule does not apply to it.
    assert_quiet(&report, RuleId::Mt002);
}

#[test]
fn mt_003_fires_when_reiserfs_source_meets_mt_without_module() {
    let mut e = healthy();
    let db = item(&mut e, "db-01");
    db.root_file_system = Some(FileSystem::Reiserfs);
    db.boot_file_system = Some(FileSystem::Reiserfs);
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Mt003, &grp("db"), Severity::Blocker);
    assert!(
        f.message.contains("db-01") && f.message.contains("reiserfs"),
        "{f:#?}"
    );
    // The group moves as one: both members are blocked.
    assert_blocks(&report, "db-01", RuleId::Mt003);
    assert_blocks(&report, "db-02", RuleId::Mt003);
}

#[test]
fn mt_003_fires_when_reiserfs_tools_are_missing_and_modules_unlisted() {
    let mut e = healthy();
    item(&mut e, "db-01").root_file_system = Some(FileSystem::Reiserfs);
    master_target(&mut e, "mt-lin-01").kernel_modules = None;
    let report = check(&e);
    // The packages are known and lack the ReiserFS tools: the rule is broken, not undecided.
    let f = assert_fires(&report, RuleId::Mt003, &grp("db"), Severity::Blocker);
    assert!(!f.unknown, "{f:#?}");
    assert_blocks(&report, "db-01", RuleId::Mt003);
}

#[test]
fn mt_003_fires_when_xfs_source_meets_pinned_mt_without_xfsprogs() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01")
        .packages
        .as_mut()
        .unwrap()
        .retain(|p| p != "xfsprogs");
    let req = request(r#""groups": ["db"], "group_pins": {"db": {"master_target": "mt-lin-01"}}"#);
    let report = check_with(&e, &req);
    let f = assert_fires(&report, RuleId::Mt003, &grp("db"), Severity::Blocker);
    assert!(f.message.contains("xfsprogs"), "{f:#?}");
    assert_blocks(&report, "db-02", RuleId::Mt003);
}

#[test]
fn mt_003_fires_as_unknown_when_source_file_system_is_unknown() {
    let mut e = healthy();
    let db = item(&mut e, "db-01");
    db.root_file_system = None;
    db.boot_file_system = None;
    let report = check_with(&e, &request(r#""groups": ["db"]"#));
    assert_unknown(&report, RuleId::Mt003, &grp("db"));
    assert_blocks(&report, "db-01", RuleId::Mt003);
}

#[test]
fn mt_003_quiet_when_mt_has_reiserfs_module_and_tools() {
    let mut e = healthy();
    item(&mut e, "db-01").root_file_system = Some(FileSystem::Reiserfs);
    let m = master_target(&mut e, "mt-lin-01");
    m.kernel_modules.as_mut().unwrap().push("reiserfs".into());
    m.packages.as_mut().unwrap().push("reiserfs-utils".into());
    let report = check(&e);
    assert_quiet(&report, RuleId::Mt003);
    assert!(report.ready());
}

#[test]
fn mt_003_quiet_for_xfs_source_with_xfsprogs() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Mt003);
}

// ---------------------------------------------------------------------------------------
// RET: retention volume

fn win_r(e: &mut Estate) -> &mut failback_core::estate::Volume {
    volume(master_target(e, "mt-win-01"), "R:")
}

/// Asserts the retention listing of mt-win-01 excludes `vol` for `rule`.
fn assert_listed_ineligible(report: &Assessment, vol: &str, rule: RuleId) {
    let r = report
        .retention
        .iter()
        .find(|r| r.master_target == "mt-win-01")
        .unwrap_or_else(|| panic!("no retention report for mt-win-01"));
    let v = r
        .volumes
        .iter()
        .find(|v| v.volume == vol)
        .unwrap_or_else(|| panic!("volume {vol} not listed"));
    assert!(
        !v.eligible && v.reasons.iter().any(|x| x.rule == rule),
        "{v:#?}"
    );
}

/// Asserts `item`, served only by mt-win-01, gets no retention volume and is blocked by
/// `rule`, the reason the master target's volume is not eligible, and that the plan is
/// refused naming it.
fn assert_no_retention_volume(e: &Estate, report: &Assessment, item: &str, rule: RuleId) {
    assert_blocks(report, item, rule);
    let r = report
        .item(item)
        .unwrap_or_else(|| panic!("no report for {item}"));
    assert_eq!(r.inputs.retention_volume, None);
    assert_refused(e, &Request::default(), rule);
}

#[test]
fn ret_001_fires_when_the_volume_is_a_replication_target() {
    let mut e = healthy();
    win_r(&mut e).usage = VolumeUsage::ReplicationTarget;
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Ret001, &mt("mt-win-01"), Severity::Blocker);
    assert!(f.message.contains("R:"), "{f:#?}");
    assert_listed_ineligible(&report, "R:", RuleId::Ret001);
    assert_no_retention_volume(&e, &report, "web-01", RuleId::Ret001);
    assert_eq!(report.item("web-01").unwrap().inputs.retention_volume, None);
}

#[test]
fn ret_001_quiet_when_the_volume_serves_retention_only() {
    let mut e = healthy();
    win_r(&mut e).usage = VolumeUsage::Retention;
    let report = check(&e);
    assert_quiet(&report, RuleId::Ret001);
    assert_eq!(
        report
            .item("web-01")
            .unwrap()
            .inputs
            .retention_volume
            .as_deref(),
        Some("R:")
    );
}

#[test]
fn ret_002_fires_when_the_volume_is_locked() {
    let mut e = healthy();
    win_r(&mut e).locked = true;
    let report = check(&e);
    assert_fires(&report, RuleId::Ret002, &mt("mt-win-01"), Severity::Blocker);
    assert_listed_ineligible(&report, "R:", RuleId::Ret002);
    assert_no_retention_volume(&e, &report, "app-01", RuleId::Ret002);
}

#[test]
fn ret_002_quiet_when_the_volume_is_unlocked() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Ret002);
}

#[test]
fn ret_003_fires_when_only_the_cache_volume_is_left() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01")
        .volumes
        .retain(|v| v.name != "R:");
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Ret003, &mt("mt-win-01"), Severity::Blocker);
    assert!(f.message.contains("C:"), "{f:#?}");
    assert_no_retention_volume(&e, &report, "web-01", RuleId::Ret003);
}

#[test]
fn ret_003_fires_when_the_cache_volume_is_pinned_for_retention() {
    let req = request(r#""items": ["web-01"], "pins": {"retention_volume": "C:"}"#);
    let report = check_with(&healthy(), &req);
    assert_fires(&report, RuleId::Ret003, &it("web-01"), Severity::Blocker);
    assert_blocks(&report, "web-01", RuleId::Ret003);
}

#[test]
fn ret_003_quiet_when_a_separate_volume_exists() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Ret003);
    // The cache volume is still listed as not eligible, and never chosen.
    assert_listed_ineligible(&report, "C:", RuleId::Ret003);
    assert_eq!(
        report
            .item("web-01")
            .unwrap()
            .inputs
            .retention_volume
            .as_deref(),
        Some("R:")
    );
}

#[test]
fn ret_004_fires_when_the_volume_is_fat32() {
    let mut e = healthy();
    win_r(&mut e).file_system = FileSystem::Fat32;
    let report = check(&e);
    assert_fires(&report, RuleId::Ret004, &mt("mt-win-01"), Severity::Blocker);
    assert_listed_ineligible(&report, "R:", RuleId::Ret004);
    assert_no_retention_volume(&e, &report, "web-01", RuleId::Ret004);
}

#[test]
fn ret_004_fires_when_the_volume_is_fat() {
    let mut e = healthy();
    win_r(&mut e).file_system = FileSystem::Fat;
    let report = check(&e);
    assert_fires(&report, RuleId::Ret004, &mt("mt-win-01"), Severity::Blocker);
}

#[test]
fn ret_004_quiet_when_the_volume_is_ntfs() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Ret004);
}

#[test]
fn ret_005_fires_when_capacity_is_zero() {
    let mut e = healthy();
    let r = win_r(&mut e);
    r.capacity_bytes = 0;
    r.free_bytes = 0;
    let report = check(&e);
    assert_fires(&report, RuleId::Ret005, &mt("mt-win-01"), Severity::Blocker);
    assert_listed_ineligible(&report, "R:", RuleId::Ret005);
    assert_no_retention_volume(&e, &report, "web-01", RuleId::Ret005);
}

#[test]
fn ret_005_quiet_when_the_volume_has_capacity() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Ret005);
}

#[test]
fn ret_006_fires_when_the_default_volume_is_missing() {
    let mut e = healthy();
    win_r(&mut e).name = "S:".into();
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Ret006, &mt("mt-win-01"), Severity::Info);
    assert!(
        f.message.contains("R:") && f.message.contains("S:"),
        "{f:#?}"
    );
    assert!(report.ready());
    assert_eq!(
        report
            .item("web-01")
            .unwrap()
            .inputs
            .retention_volume
            .as_deref(),
        Some("S:")
    );
}

#[test]
fn ret_006_fires_as_blocker_when_the_mt_lists_no_volume() {
    let mut e = healthy();
    let m = master_target(&mut e, "mt-win-01");
    m.volumes.clear();
    m.cache_volume = None;
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Ret006, &mt("mt-win-01"), Severity::Blocker);
    assert!(f.remediation.contains("R:"), "{f:#?}");
    assert_blocks(&report, "web-01", RuleId::Ret006);
}

#[test]
fn ret_006_quiet_when_the_default_volume_is_eligible() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Ret006);
    assert_eq!(
        report
            .item("db-01")
            .unwrap()
            .inputs
            .retention_volume
            .as_deref(),
        Some("/mnt/retention")
    );
}

// ---------------------------------------------------------------------------------------
// POL: failback policy

fn every_item_blocked_by(report: &Assessment, rule: RuleId) {
    for id in ["web-01", "db-01", "db-02", "app-01"] {
        assert_blocks(report, id, rule);
    }
}

#[test]
fn pol_001_fires_when_no_failback_policy_exists() {
    let mut e = healthy();
    e.policies.retain(|p| p.id != "pol-forward-failback");
    let report = check(&e);
    assert_fires(&report, RuleId::Pol001, &cs_s(), Severity::Blocker);
    assert!(report.policy.is_none());
    every_item_blocked_by(&report, RuleId::Pol001);
    assert_refused(&e, &Request::default(), RuleId::Pol001);
}

#[test]
fn pol_001_fires_when_failback_policy_is_not_associated_with_the_cs() {
    let mut e = healthy();
    policy(&mut e, "pol-forward-failback").associated_with = None;
    let report = check(&e);
    let f = assert_fires(&report, RuleId::Pol001, &cs_s(), Severity::Blocker);
    assert!(f.message.contains("pol-forward-failback"), "{f:#?}");
    every_item_blocked_by(&report, RuleId::Pol001);
}

#[test]
fn pol_001_fires_when_failback_policy_has_no_forward_policy() {
    let mut e = healthy();
    policy(&mut e, "pol-forward-failback").derived_from = None;
    let report = check(&e);
    assert_fires(
        &report,
        RuleId::Pol001,
        &pol_s("pol-forward-failback"),
        Severity::Blocker,
    );
    every_item_blocked_by(&report, RuleId::Pol001);
}

#[test]
fn pol_001_fires_as_unknown_without_a_configuration_server() {
    let mut e = healthy();
    e.configuration_server = None;
    for p in &mut e.policies {
        p.associated_with = None;
    }
    let report = check(&e);
    assert_unknown(&report, RuleId::Pol001, &Subject::Estate);
    every_item_blocked_by(&report, RuleId::Pol001);
}

#[test]
fn pol_001_quiet_when_failback_policy_comes_with_forward_policy() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pol001);
    let p = report.policy.as_ref().unwrap();
    assert_eq!(p.derived_from(), "pol-forward");
    assert_eq!(p.associated_with(), "cs-01");
    assert_eq!(
        report.item("web-01").unwrap().inputs.policy.as_deref(),
        Some("pol-forward")
    );
}

#[test]
fn pol_002_fires_when_rpo_threshold_was_edited() {
    let mut e = healthy();
    policy(&mut e, "pol-forward-failback").rpo_threshold_minutes = 30;
    let report = check(&e);
    let f = assert_fires(
        &report,
        RuleId::Pol002,
        &pol_s("pol-forward-failback"),
        Severity::Blocker,
    );
    assert!(f.message.contains("RPO threshold is 30 min"), "{f:#?}");
    assert!(report.policy.is_none());
    every_item_blocked_by(&report, RuleId::Pol002);
}

#[test]
fn pol_002_fires_when_retention_or_frequency_was_edited() {
    let mut e = healthy();
    let p = policy(&mut e, "pol-forward-failback");
    p.retention_minutes = 720;
    p.app_consistent_frequency_minutes = 30;
    let report = check(&e);
    let f = assert_fires(
        &report,
        RuleId::Pol002,
        &pol_s("pol-forward-failback"),
        Severity::Blocker,
    );
    assert!(f.message.contains("retention is 720 min"), "{f:#?}");
    assert!(f.message.contains("frequency is 30 min"), "{f:#?}");
    every_item_blocked_by(&report, RuleId::Pol002);
}

#[test]
fn pol_002_quiet_with_the_fixed_values() {
    let report = check(&healthy());
    assert_quiet(&report, RuleId::Pol002);
    let p = report.policy.as_ref().unwrap();
    assert_eq!(
        (
            p.rpo_threshold_minutes(),
            p.retention_minutes(),
            p.app_consistent_frequency_minutes()
        ),
        (15, 24 * 60, 60)
    );
}

#[test]
fn pol_002_quiet_when_only_the_forward_policy_differs() {
    let mut e = healthy();
    policy(&mut e, "pol-forward").rpo_threshold_minutes = 30;
    let report = check(&e);
    assert_quiet(&report, RuleId::Pol002);
    assert!(report.ready());
}
