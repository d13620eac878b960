//! Rule tests: GRP, FO, NET, OPS, EXT.
//!
//! Each case starts from the healthy example estate (every item ready) and changes one or
//! two facts, or the request, then checks that the rule fires on the right subject with
//! the right severity and that a blocker stops the item (or refuses the plan); and that
//! the rule stays quiet on the healthy estate or once the change is fixed.

// The helpers below build test data from literals; a panic there is a broken test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use failback_core::estate::{Disk, Estate, ExpressRoute, ProtectedItem, RecoveryPoint};
use failback_core::readiness::{Assessment, LossBasis, PointTiming, UnitKind, Via};
use failback_core::request::Stage;
use failback_core::rules::{RuleId, Severity, Subject};
use failback_core::state::ProtectionState;
use failback_core::{plan, PlanOutcome, Request};
use failback_tests::*;
use serde_json::json;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// A time on the capture day of the healthy estate (captured at 10:00 UTC).
fn at(hhmm: &str) -> String {
    format!("2026-11-20T{hhmm}:00Z")
}

/// A recovery point at `hhmm` on the capture day.
fn point(id: &str, hhmm: &str, app_consistent: bool, multi_vm_sync: bool) -> RecoveryPoint {
    let consistency = if app_consistent {
        "application_consistent"
    } else {
        "crash_consistent"
    };
    serde_json::from_value(json!({
        "id": id, "time": at(hhmm), "consistency": consistency, "multi_vm_sync": multi_vm_sync
    }))
    .unwrap()
}

/// Makes an item one whose reprotect completed: replicating to on-prem through `mt`, with
/// these recovery points.
fn replicating(e: &mut Estate, id: &str, mt: &str, points: Vec<RecoveryPoint>) {
    let i = item(e, id);
    i.state = ProtectionState::ReplicatingToOnPrem;
    i.master_target = Some(mt.to_string());
    i.recovery_points = points;
}

/// `n` small disks.
fn disks(n: usize) -> Vec<Disk> {
    (0..n)
        .map(|d| {
            serde_json::from_value(
                json!({"name": format!("disk{d}"), "capacity_bytes": 1u64 << 30}),
            )
            .unwrap()
        })
        .collect()
}

/// A Windows VMware VM failed over to Azure, with `n` disks and no original VM left.
fn windows_vm(id: &str, n: usize) -> ProtectedItem {
    let mut i: ProtectedItem = serde_json::from_value(json!({
        "id": id, "name": id.to_uppercase(), "kind": "vmware_vm",
        "os": {"family": "windows", "version": "Windows Server 2019"},
        "disks": [],
        "azure_vm": {"id": id, "deployment_model": "resource_manager", "network": "vnet-prod",
            "resource_group": "rg-dr", "running": true, "agent_registered": true},
        "state": "failed_over_to_azure"
    }))
    .unwrap();
    i.disks = disks(n);
    i
}

/// Adds an item to the estate and to the configuration server's database.
fn add_item(e: &mut Estate, it: ProtectedItem) {
    e.configuration_server
        .as_mut()
        .unwrap()
        .database_items
        .as_mut()
        .unwrap()
        .push(it.id.clone());
    e.items.push(it);
}

/// Adds a second Linux master target, like mt-lin-01 on the same host.
fn add_linux_mt(e: &mut Estate, id: &str) {
    let mut m = master_target(e, "mt-lin-01").clone();
    m.id = id.to_string();
    m.name = id.to_string();
    e.master_targets.push(m);
}

fn express_route(v: serde_json::Value) -> Option<ExpressRoute> {
    Some(serde_json::from_value(v).unwrap())
}

/// Whether the planner refuses to plan.
fn refused(e: &Estate, r: &Request) -> bool {
    matches!(plan(e, r).unwrap(), PlanOutcome::Refused(_))
}

/// The rules blocking an item.
fn blocking(report: &Assessment, id: &str) -> Vec<RuleId> {
    let r = report
        .item(id)
        .unwrap_or_else(|| panic!("no report for {id}"));
    r.blocked_by.iter().map(|b| b.rule).collect()
}

fn assert_not_blocked(report: &Assessment, id: &str) {
    let b = blocking(report, id);
    assert!(b.is_empty(), "{id} is blocked by {b:?}");
}

fn ds(id: &str) -> Subject {
    Subject::Datastore(id.to_string())
}

fn net(id: &str) -> Subject {
    Subject::Network(id.to_string())
}

fn vc(id: &str) -> Subject {
    Subject::VCenter(id.to_string())
}

fn only_web() -> Request {
    request(r#""items": ["web-01"]"#)
}

// ---------------------------------------------------------------------------------------
// GRP: replication groups and recovery plans
// ---------------------------------------------------------------------------------------

#[test]
fn grp_001_fires_when_a_member_is_requested_without_its_group() {
    let e = healthy();
    let req = request(r#""items": ["db-01"]"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Grp001, &it("db-01"), Severity::Blocker);
    assert!(f.remediation.contains("\"groups\": [\"db\"]"), "{f:?}");
    assert_blocks(&r, "db-01", RuleId::Grp001);
    assert!(refused(&e, &req));
}

#[test]
fn grp_001_fires_when_no_recovery_plan_holds_every_member() {
    let mut e = healthy();
    e.recovery_plans[0].items = vec!["db-01".into()];
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Grp001, &grp("db"), Severity::Blocker);
    assert!(f.message.contains("db-02"), "{f:?}");
    assert_blocks(&r, "db-01", RuleId::Grp001);
    assert_blocks(&r, "db-02", RuleId::Grp001);
    // Items outside the group are not held up.
    assert_not_blocked(&r, "web-01");
    assert_eq!(
        r.units
            .iter()
            .find(|u| u.name == "db")
            .unwrap()
            .recovery_plan,
        None
    );
}

#[test]
fn grp_001_fires_when_members_are_at_different_stages() {
    let mut e = healthy();
    replicating(
        &mut e,
        "db-01",
        "mt-lin-01",
        vec![point("p1", "09:55", true, true)],
    );
    let r = check(&e);
    assert_fires(&r, RuleId::Grp001, &grp("db"), Severity::Blocker);
    assert_blocks(&r, "db-02", RuleId::Grp001);
}

#[test]
fn grp_001_quiet_when_the_whole_group_is_requested() {
    let e = healthy();
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    assert_quiet(&r, RuleId::Grp001);
    assert!(r.ready());
    let u = &r.units[0];
    assert_eq!(u.kind, UnitKind::Group);
    assert_eq!(u.recovery_plan.as_deref(), Some("rp-db"));
    // Every stage, reprotect included, runs on the recovery plan.
    for i in &u.items {
        assert_eq!(i.stages.len(), 4);
        for s in &i.stages {
            assert_eq!(s.via, Via::RecoveryPlan, "{}: {s:?}", i.item);
        }
    }
}

#[test]
fn grp_001_quiet_when_an_item_and_its_group_are_both_requested() {
    let e = healthy();
    let r = check_with(&e, &request(r#""groups": ["db"], "items": ["db-01"]"#));
    assert_quiet(&r, RuleId::Grp001);
    assert!(r.ready());
    assert_eq!(r.item_count(), 2, "db-01 moves once, with its group");
}

/// The db group's recovery plan also holds web-01: an application of three VMs.
fn mixed_plan() -> Estate {
    let mut e = healthy();
    e.recovery_plans[0].items.push("web-01".into());
    e
}

#[test]
fn grp_001_fires_when_the_request_runs_only_part_of_a_mixed_recovery_plan() {
    let e = mixed_plan();
    // ASR fails over and commits every member of a recovery plan: the group alone would
    // take web-01 along, and web-01 alone would leave its application behind.
    let req = request(r#""groups": ["db"]"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Grp001, &grp("db"), Severity::Blocker);
    assert!(
        f.message.contains("rp-db") && f.message.contains("web-01"),
        "{f:?}"
    );
    assert!(
        f.remediation.contains("\"items\": [\"web-01\"]") && f.remediation.contains("split"),
        "{f:?}"
    );
    assert_blocks(&r, "db-01", RuleId::Grp001);
    assert_blocks(&r, "db-02", RuleId::Grp001);
    assert!(refused(&e, &req));

    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Grp001, &it("web-01"), Severity::Blocker);
    assert!(
        f.message.contains("rp-db") && f.message.contains("db-01"),
        "{f:?}"
    );
    assert!(f.remediation.contains("\"groups\": [\"db\"]"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Grp001);
}

#[test]
fn grp_001_fires_when_a_mixed_recovery_plan_holds_members_at_different_stages() {
    let mut e = mixed_plan();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("w1", "09:58", true, false)],
    );
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Grp001, &it("web-01"), Severity::Blocker);
    assert!(
        f.message.contains("rp-db") && f.message.contains("stages"),
        "{f:?}"
    );
    assert_fires(&r, RuleId::Grp001, &grp("db"), Severity::Blocker);
    assert_blocks(&r, "db-01", RuleId::Grp001);
    assert_not_blocked(&r, "app-01");
}

#[test]
fn grp_001_quiet_when_every_member_of_a_mixed_recovery_plan_is_requested() {
    let e = mixed_plan();
    for req in [
        Request::default(),
        request(r#""groups": ["db"], "items": ["web-01"]"#),
    ] {
        let r = check_with(&e, &req);
        assert_quiet(&r, RuleId::Grp001);
        assert!(r.ready(), "{:#?}", r.blockers().collect::<Vec<_>>());
    }
}

#[test]
fn grp_001_quiet_for_a_recovery_plan_without_a_replication_group() {
    let mut e = healthy();
    e.recovery_plans.push(
        serde_json::from_value(json!({"name": "rp-front", "items": ["web-01", "app-01"]})).unwrap(),
    );
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Grp001);
    assert!(r.ready());
}

#[test]
fn grp_002_fires_when_members_replicate_through_different_master_targets() {
    let mut e = healthy();
    add_linux_mt(&mut e, "mt-lin-02");
    replicating(
        &mut e,
        "db-01",
        "mt-lin-01",
        vec![point("a1", "09:55", true, true)],
    );
    replicating(
        &mut e,
        "db-02",
        "mt-lin-02",
        vec![point("b1", "09:55", true, true)],
    );
    let req = request(r#""groups": ["db"]"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Grp002, &grp("db"), Severity::Blocker);
    assert!(
        f.message.contains("mt-lin-01") && f.message.contains("mt-lin-02"),
        "{f:?}"
    );
    assert_blocks(&r, "db-01", RuleId::Grp002);
    assert_blocks(&r, "db-02", RuleId::Grp002);
    assert!(refused(&e, &req));
}

#[test]
fn grp_002_fires_when_the_request_pins_different_master_targets_to_members() {
    let mut e = healthy();
    add_linux_mt(&mut e, "mt-lin-02");
    let req = request(
        r#""groups": ["db"], "item_pins": {"db-01": {"master_target": "mt-lin-01"},
            "db-02": {"master_target": "mt-lin-02"}}"#,
    );
    let r = check_with(&e, &req);
    assert_fires(&r, RuleId::Grp002, &grp("db"), Severity::Blocker);
    assert_blocks(&r, "db-02", RuleId::Grp002);
    assert!(refused(&e, &req));
}

#[test]
fn grp_002_quiet_when_every_member_uses_one_master_target() {
    let mut e = healthy();
    add_linux_mt(&mut e, "mt-lin-02");
    replicating(
        &mut e,
        "db-01",
        "mt-lin-02",
        vec![point("a1", "09:55", true, true)],
    );
    replicating(
        &mut e,
        "db-02",
        "mt-lin-02",
        vec![point("b1", "09:55", true, true)],
    );
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    assert_quiet(&r, RuleId::Grp002);
    assert!(r.ready(), "{:#?}", r.blockers().collect::<Vec<_>>());
    assert_eq!(r.units[0].master_target.as_deref(), Some("mt-lin-02"));
}

#[test]
fn grp_002_quiet_when_one_pin_covers_the_whole_group() {
    let mut e = healthy();
    add_linux_mt(&mut e, "mt-lin-02");
    let req = request(r#""groups": ["db"], "group_pins": {"db": {"master_target": "mt-lin-02"}}"#);
    let r = check_with(&e, &req);
    assert_quiet(&r, RuleId::Grp002);
    assert!(r.ready());
    for i in &r.units[0].items {
        assert_eq!(i.inputs.master_target.as_deref(), Some("mt-lin-02"));
    }
}

// Invariant 4 of domain.md: a group moves together, with one master target and one
// common recovery point.

#[test]
fn a_group_reprotects_every_member_through_one_master_target() {
    let mut e = healthy();
    // Two Linux master targets: the planner could spread the members, but must not.
    add_linux_mt(&mut e, "mt-lin-02");
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    assert!(r.ready());
    let u = &r.units[0];
    let mt = u
        .master_target
        .clone()
        .expect("a master target for the group");
    assert_eq!(u.items.len(), 2);
    for i in &u.items {
        assert_eq!(i.inputs.master_target.as_ref(), Some(&mt), "{}", i.item);
        assert_eq!(i.inputs.retention_volume.as_deref(), Some("/mnt/retention"));
    }
}

// Classic recovery points of a group: on a recovery plan, "latest" fails each VM over to
// its own latest point, and custom points are not offered for recovery plans (domain.md,
// "Facts per flavour").

#[test]
fn a_group_fails_over_each_member_to_its_own_latest_point() {
    let mut e = healthy();
    // No time common to both members: each still has a latest point of its own.
    replicating(
        &mut e,
        "db-01",
        "mt-lin-01",
        vec![
            point("a-0950", "09:50", true, true),
            point("a-0958", "09:58", false, false),
        ],
    );
    replicating(
        &mut e,
        "db-02",
        "mt-lin-01",
        vec![
            point("b-0952", "09:52", true, true),
            point("b-0956", "09:56", false, false),
        ],
    );
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    assert_quiet(&r, RuleId::Ext007);
    assert_quiet(&r, RuleId::Fo002);
    assert!(r.ready(), "{:#?}", r.blockers().collect::<Vec<_>>());
    for (id, want) in [("db-01", "a-0958"), ("db-02", "b-0956")] {
        let i = r.item(id).unwrap();
        let p = i.recovery_point.clone().unwrap();
        assert_eq!(p.timing, PointTiming::Now);
        assert_eq!(p.id.as_deref(), Some(want), "{id}");
        assert_eq!(i.data_loss.unwrap().seconds, 0, "{id} loses nothing");
    }
    assert!(r.units[0]
        .items
        .iter()
        .all(|i| i.inputs.master_target.as_deref() == Some("mt-lin-01")));
}

#[test]
fn a_group_fails_over_each_member_to_its_own_application_consistent_point() {
    let mut e = healthy();
    replicating(
        &mut e,
        "db-01",
        "mt-lin-01",
        vec![
            point("a-app", "09:30", true, false),
            point("a-0958", "09:58", false, false),
        ],
    );
    replicating(
        &mut e,
        "db-02",
        "mt-lin-01",
        vec![
            point("b-app", "09:41", true, false),
            point("b-0956", "09:56", false, false),
        ],
    );
    let r = check_with(
        &e,
        &request(
            r#""groups": ["db"], "recovery_point": {"kind": "latest_application_consistent"}"#,
        ),
    );
    assert!(r.ready(), "{:#?}", r.blockers().collect::<Vec<_>>());
    // Each member's loss is its own point against its own latest one.
    for (id, want, lost) in [("db-01", "a-app", 28), ("db-02", "b-app", 15)] {
        let i = r.item(id).unwrap();
        assert_eq!(i.recovery_point.as_ref().unwrap().id.as_deref(), Some(want));
        let loss = i.data_loss.unwrap();
        assert_eq!(
            (loss.seconds, loss.basis),
            (lost * 60, LossBasis::Measured),
            "{id}"
        );
    }
    let f = assert_fires(&r, RuleId::Fo002, &grp("db"), Severity::Warning);
    assert!(
        f.message.contains("db-01") && f.message.contains("28 min"),
        "{f:?}"
    );
    assert!(
        f.message.contains("db-02") && f.message.contains("15 min"),
        "{f:?}"
    );
}

#[test]
fn a_group_member_without_an_application_consistent_point_blocks_the_group() {
    let mut e = healthy();
    replicating(
        &mut e,
        "db-01",
        "mt-lin-01",
        vec![point("a-app", "09:50", true, false)],
    );
    replicating(
        &mut e,
        "db-02",
        "mt-lin-01",
        vec![point("b-0956", "09:56", false, false)],
    );
    let r = check_with(
        &e,
        &request(
            r#""groups": ["db"], "recovery_point": {"kind": "latest_application_consistent"}"#,
        ),
    );
    let f = assert_fires(&r, RuleId::Ext007, &grp("db"), Severity::Blocker);
    assert!(
        f.message.contains("db-02") && f.message.contains("application-consistent"),
        "{f:?}"
    );
    assert!(!f.message.contains("db-01"), "{f:?}");
    assert_blocks(&r, "db-01", RuleId::Ext007);
    assert_blocks(&r, "db-02", RuleId::Ext007);
}

#[test]
fn a_group_member_without_any_point_blocks_the_group() {
    let mut e = healthy();
    replicating(
        &mut e,
        "db-01",
        "mt-lin-01",
        vec![point("a1", "09:55", true, true)],
    );
    replicating(&mut e, "db-02", "mt-lin-01", vec![]);
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    let f = assert_fires(&r, RuleId::Ext007, &grp("db"), Severity::Blocker);
    assert!(f.message.contains("db-02 has no recovery point"), "{f:?}");
    assert_blocks(&r, "db-01", RuleId::Ext007);
}

#[test]
fn a_group_cannot_fail_over_to_a_named_point() {
    let mut replicated = healthy();
    for (id, p) in [("db-01", "a1"), ("db-02", "b1")] {
        replicating(
            &mut replicated,
            id,
            "mt-lin-01",
            vec![point(p, "09:55", true, true)],
        );
    }
    // Before reprotect and once points exist alike: custom points are not offered for
    // recovery plans.
    for e in [healthy(), replicated] {
        let req = request(r#""groups": ["db"], "recovery_point": {"kind": "point", "id": "a1"}"#);
        let r = check_with(&e, &req);
        let f = assert_fires(&r, RuleId::Ext007, &grp("db"), Severity::Blocker);
        assert!(f.message.contains("recovery plan"), "{f:?}");
        assert!(
            f.remediation.contains("latest_application_consistent"),
            "{f:?}"
        );
        assert_blocks(&r, "db-01", RuleId::Ext007);
        assert_blocks(&r, "db-02", RuleId::Ext007);
        assert!(refused(&e, &req));
    }
}

// ---------------------------------------------------------------------------------------
// FO: failover and commit
// ---------------------------------------------------------------------------------------

#[test]
fn fo_001_fires_when_failover_is_requested_without_reprotect() {
    let e = healthy();
    let req = request(r#""items": ["web-01"], "stages": ["failover"]"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Fo001, &it("web-01"), Severity::Blocker);
    assert!(f.remediation.contains("reprotect"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Fo001);
    assert!(refused(&e, &req));
}

#[test]
fn fo_001_fires_when_reprotect_is_still_running_and_not_requested() {
    let mut e = healthy();
    item(&mut e, "web-01").state = ProtectionState::Reprotecting;
    let req = request(r#""items": ["web-01"], "stages": ["failover"]"#);
    let r = check_with(&e, &req);
    assert_fires(&r, RuleId::Fo001, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Fo001);
}

#[test]
fn fo_001_fires_when_the_latest_point_is_older_than_the_rpo_threshold() {
    let mut e = healthy();
    // Latest point 16 minutes before capture: beyond the 15-minute RPO threshold.
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![
            point("p1", "09:30", true, false),
            point("p2", "09:44", false, false),
        ],
    );
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Fo001, &it("web-01"), Severity::Blocker);
    assert!(
        f.message.contains("16 min") && f.message.contains("15-min"),
        "{f:?}"
    );
    assert!(f.remediation.contains("accept_stale_point"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Fo001);
    assert!(refused(&e, &only_web()));
}

#[test]
fn fo_001_fires_for_a_group_when_one_member_is_behind() {
    let mut e = healthy();
    replicating(
        &mut e,
        "db-01",
        "mt-lin-01",
        vec![
            point("a1", "09:40", true, true),
            point("a2", "09:58", false, true),
        ],
    );
    replicating(
        &mut e,
        "db-02",
        "mt-lin-01",
        vec![point("b1", "09:40", true, true)],
    );
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    assert_fires(&r, RuleId::Fo001, &grp("db"), Severity::Blocker);
    assert_blocks(&r, "db-01", RuleId::Fo001);
    assert_blocks(&r, "db-02", RuleId::Fo001);
}

#[test]
fn fo_001_quiet_when_a_stale_point_is_accepted() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p2", "09:44", false, false)],
    );
    let req = request(r#""items": ["web-01"], "accept_stale_point": true"#);
    let r = check_with(&e, &req);
    assert_quiet(&r, RuleId::Fo001);
    assert!(r.ready());
    let loss = r.item("web-01").unwrap().data_loss.unwrap();
    assert!(
        loss.stale_accepted,
        "the plan records the accepted stale point"
    );
    assert_eq!(loss.basis, LossBasis::Measured);
    assert!(matches!(plan(&e, &req).unwrap(), PlanOutcome::Ready(_)));
}

#[test]
fn fo_001_quiet_when_replicating_with_a_fresh_point() {
    let mut e = healthy();
    // Exactly 15 minutes old: not older than the threshold.
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p1", "09:45", true, false)],
    );
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Fo001);
    assert!(r.ready());
    let i = r.item("web-01").unwrap();
    assert_eq!(
        i.stages[0].stage,
        Stage::Failover,
        "reprotect is done already"
    );
    assert!(!i.data_loss.unwrap().stale_accepted);
    assert_eq!(i.recovery_point.as_ref().unwrap().id.as_deref(), Some("p1"));
}

#[test]
fn fo_001_quiet_when_reattaching_to_a_running_failover() {
    let mut e = healthy();
    // The failover job was issued and still runs; no new point has come since (the Azure
    // VM is shutting down). A resumed run attaches to it: the old point must not block.
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p1", "09:30", true, false)],
    );
    item(&mut e, "web-01").state = ProtectionState::FailingBack;
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Fo001);
    assert!(r.ready(), "{:#?}", r.blockers().collect::<Vec<_>>());
    let i = r.item("web-01").unwrap();
    assert_eq!(i.stages[0].stage, Stage::Failover);
    assert!(
        i.stages[0].attach,
        "the run attaches to the running failover"
    );
}

#[test]
fn fo_001_quiet_when_reprotect_runs_first() {
    let r = check_with(
        &healthy(),
        &request(r#""stages": ["reprotect", "failover"]"#),
    );
    assert_quiet(&r, RuleId::Fo001);
    assert!(r.ready());
}

#[test]
fn fo_002_fires_with_the_measured_loss_of_the_latest_application_consistent_point() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![
            point("app", "09:30", true, false),
            point("crash", "09:58", false, false),
        ],
    );
    let req = request(
        r#""items": ["web-01"], "recovery_point": {"kind": "latest_application_consistent"}"#,
    );
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Fo002, &it("web-01"), Severity::Warning);
    assert!(f.message.contains("28 min"), "{f:?}");
    let i = r.item("web-01").unwrap();
    assert_eq!(
        i.recovery_point.as_ref().unwrap().id.as_deref(),
        Some("app")
    );
    let loss = i.data_loss.unwrap();
    assert_eq!(loss.seconds, 28 * 60);
    assert_eq!(loss.basis, LossBasis::Measured);
    // A warning: the item still runs.
    assert!(r.ready());
}

#[test]
fn fo_002_fires_with_a_policy_bound_before_reprotect() {
    let req = request(
        r#""items": ["web-01"], "recovery_point": {"kind": "latest_application_consistent"}"#,
    );
    let r = check_with(&healthy(), &req);
    let f = assert_fires(&r, RuleId::Fo002, &it("web-01"), Severity::Warning);
    assert!(f.message.contains("60 min"), "{f:?}");
    let i = r.item("web-01").unwrap();
    assert_eq!(
        i.recovery_point.as_ref().unwrap().timing,
        PointTiming::AtFailover
    );
    let loss = i.data_loss.unwrap();
    assert_eq!((loss.seconds, loss.basis), (3600, LossBasis::PolicyBound));
    assert!(r.ready());
}

#[test]
fn fo_002_quiet_for_the_latest_point() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![
            point("app", "09:30", true, false),
            point("crash", "09:58", false, false),
        ],
    );
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Fo002);
    let i = r.item("web-01").unwrap();
    assert_eq!(
        i.recovery_point.as_ref().unwrap().id.as_deref(),
        Some("crash")
    );
    assert_eq!(i.data_loss.unwrap().seconds, 0);
    assert_quiet(&check(&healthy()), RuleId::Fo002);
}

#[test]
fn fo_002_quiet_when_the_latest_point_is_application_consistent() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![
            point("crash", "09:50", false, false),
            point("app", "09:58", true, false),
        ],
    );
    let req = request(
        r#""items": ["web-01"], "recovery_point": {"kind": "latest_application_consistent"}"#,
    );
    let r = check_with(&e, &req);
    // Nothing is lost: the latest point is the application-consistent one.
    assert_quiet(&r, RuleId::Fo002);
    let i = r.item("web-01").unwrap();
    assert_eq!(
        i.recovery_point.as_ref().unwrap().id.as_deref(),
        Some("app")
    );
    assert_eq!(i.data_loss.unwrap().seconds, 0);
}

#[test]
fn fo_003_fires_when_failover_is_planned() {
    let r = check(&healthy());
    let f = assert_fires(&r, RuleId::Fo003, &it("web-01"), Severity::Info);
    assert!(f.message.contains("shut down"), "{f:?}");
    assert_not_blocked(&r, "web-01");
}

#[test]
fn fo_003_quiet_without_failover() {
    let r = check_with(&healthy(), &request(r#""stages": ["reprotect"]"#));
    assert_quiet(&r, RuleId::Fo003);
    assert!(r.ready());
}

#[test]
fn fo_004_fires_when_commit_is_requested_before_failover() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p1", "09:58", true, false)],
    );
    let req = request(r#""items": ["web-01"], "stages": ["commit"]"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Fo004, &it("web-01"), Severity::Blocker);
    assert!(f.remediation.contains("failover"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Fo004);
    assert!(refused(&e, &req));
}

#[test]
fn fo_004_fires_when_a_fresh_item_skips_failover() {
    let req = request(r#""items": ["web-01"], "stages": ["reprotect", "commit"]"#);
    let r = check_with(&healthy(), &req);
    assert_fires(&r, RuleId::Fo004, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Fo004);
}

#[test]
fn fo_004_quiet_when_commit_follows_failover() {
    let mut e = healthy();
    item(&mut e, "web-01").state = ProtectionState::FailedBackAwaitingCommit;
    let r = check_with(
        &e,
        &request(r#""items": ["web-01"], "stages": ["commit", "reprotect_to_azure"]"#),
    );
    assert_quiet(&r, RuleId::Fo004);
    assert!(r.ready());
    assert_quiet(&check(&healthy()), RuleId::Fo004);
}

#[test]
fn fo_005_fires_when_commit_is_not_followed_by_reprotect_to_azure() {
    let req = request(r#""items": ["web-01"], "stages": ["reprotect", "failover", "commit"]"#);
    let r = check_with(&healthy(), &req);
    let f = assert_fires(&r, RuleId::Fo005, &it("web-01"), Severity::Warning);
    assert!(f.message.contains("unprotected"), "{f:?}");
    assert!(r.ready(), "a warning does not block");
}

#[test]
fn fo_005_fires_without_an_on_prem_process_server_to_reprotect_with() {
    let mut e = healthy();
    e.process_servers.retain(|p| p.id != "ps-onprem-01");
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Fo005, &it("web-01"), Severity::Warning);
    assert_eq!(r.item("web-01").unwrap().inputs.return_process_server, None);
}

#[test]
fn fo_005_fires_as_a_blocker_when_reprotect_to_azure_skips_commit() {
    let mut e = healthy();
    item(&mut e, "web-01").state = ProtectionState::FailedBackAwaitingCommit;
    let req = request(r#""items": ["web-01"], "stages": ["reprotect_to_azure"]"#);
    let r = check_with(&e, &req);
    assert_fires(&r, RuleId::Fo005, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Fo005);
    assert!(refused(&e, &req));
}

#[test]
fn fo_005_quiet_when_reprotected_to_azure_after_commit() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Fo005);
    assert_eq!(
        r.item("web-01")
            .unwrap()
            .inputs
            .return_process_server
            .as_deref(),
        Some("ps-onprem-01")
    );
}

// ---------------------------------------------------------------------------------------
// NET: connectivity
// ---------------------------------------------------------------------------------------

#[test]
fn net_001_fires_without_vpn_or_express_route() {
    let mut e = healthy();
    e.azure_networks[0].site_to_site_vpn = false;
    let r = check(&e);
    assert_fires(&r, RuleId::Net001, &net("vnet-prod"), Severity::Blocker);
    for id in ["web-01", "db-01", "db-02", "app-01"] {
        assert_blocks(&r, id, RuleId::Net001);
    }
    assert!(refused(&e, &Request::default()));
}

#[test]
fn net_001_quiet_with_express_route_instead_of_vpn() {
    let mut e = healthy();
    e.azure_networks[0].site_to_site_vpn = false;
    e.connectivity.express_route = express_route(json!({
        "circuit": "er-01", "networks": ["vnet-prod"],
        "peerings": [{"kind": "private"}, {"kind": "microsoft", "regions": ["WestEurope"]}]
    }));
    let r = check(&e);
    for rule in [RuleId::Net001, RuleId::Net002, RuleId::Net003] {
        assert_quiet(&r, rule);
    }
    assert!(r.ready());
}

#[test]
fn net_002_fires_when_express_route_is_not_on_the_failover_network() {
    let mut e = healthy();
    e.azure_networks[0].site_to_site_vpn = false;
    e.connectivity.express_route = express_route(json!({
        "circuit": "er-01", "networks": [],
        "peerings": [{"kind": "microsoft", "regions": ["westeurope"]}]
    }));
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Net002, &net("vnet-prod"), Severity::Blocker);
    assert!(f.message.contains("er-01"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Net002);
    assert_quiet(&r, RuleId::Net001);
}

#[test]
fn net_002_quiet_when_express_route_is_on_the_failover_network() {
    let mut e = healthy();
    e.azure_networks[0].site_to_site_vpn = false;
    e.connectivity.express_route = express_route(json!({
        "circuit": "er-01", "networks": ["vnet-prod"],
        "peerings": [{"kind": "microsoft", "regions": ["westeurope"]}]
    }));
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Net002);
    assert!(r.ready());
}

#[test]
fn net_003_fires_with_private_peering_only() {
    let mut e = healthy();
    e.azure_networks[0].site_to_site_vpn = false;
    e.connectivity.express_route = express_route(json!({
        "circuit": "er-01", "networks": ["vnet-prod"], "peerings": [{"kind": "private"}]
    }));
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Net003, &net("vnet-prod"), Severity::Blocker);
    assert!(f.message.contains("westeurope"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Net003);
}

#[test]
fn net_003_fires_with_microsoft_peering_to_another_region() {
    let mut e = healthy();
    e.azure_networks[0].site_to_site_vpn = false;
    e.connectivity.express_route = express_route(json!({
        "circuit": "er-01", "networks": ["vnet-prod"],
        "peerings": [{"kind": "microsoft", "regions": ["northeurope"]}]
    }));
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Net003, &net("vnet-prod"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Net003);
}

#[test]
fn net_003_quiet_when_a_vpn_carries_replication() {
    let mut e = healthy();
    // The VPN is there: the circuit's missing peering does not matter.
    e.connectivity.express_route = express_route(json!({
        "circuit": "er-01", "networks": ["vnet-prod"], "peerings": [{"kind": "private"}]
    }));
    let r = check(&e);
    assert_quiet(&r, RuleId::Net003);
    assert!(r.ready());
}

// ---------------------------------------------------------------------------------------
// OPS: known problems
// ---------------------------------------------------------------------------------------

#[test]
fn ops_001_fires_when_vcenter_is_discovered_with_a_read_only_user() {
    let mut e = healthy();
    e.vcenters[0].account.read_only = Some(true);
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Ops001, &vc("vc-01"), Severity::Blocker);
    assert!(f.message.contains("svc-asr@vsphere.local"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ops001);
    assert_blocks(&r, "db-01", RuleId::Ops001);
    assert!(refused(&e, &Request::default()));
}

#[test]
fn ops_001_fires_when_no_datastore_was_discovered_through_vcenter() {
    let mut e = healthy();
    for h in &mut e.hosts {
        h.datastores.clear();
    }
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Ops001, &vc("vc-01"), Severity::Blocker);
    assert!(f.message.contains("no datastore"), "{f:?}");
    assert!(refused(&e, &Request::default()));
}

#[test]
fn ops_001_blocks_the_item_no_master_target_can_take_through_a_read_only_vcenter() {
    let mut e = healthy();
    // A read-only account discovers no datastore: no master target can place app-01, and
    // the blocked item names the vCenter's account as the cause.
    e.vcenters[0].account.read_only = Some(true);
    for h in &mut e.hosts {
        h.datastores.clear();
    }
    let req = request(r#""items": ["app-01"]"#);
    let r = check_with(&e, &req);
    let b = blocked_by(&r, "app-01");
    assert!(b.contains(&(RuleId::Ops001, vc("vc-01"))), "{b:?}");
    assert!(!b.iter().any(|(rule, _)| *rule == RuleId::Loc008), "{b:?}");
    assert_eq!(r.item("app-01").unwrap().inputs.master_target, None);
    assert!(refused(&e, &req));
}

#[test]
fn pre_003_blocks_the_item_no_master_target_can_take_through_an_under_privileged_vcenter() {
    let mut e = healthy();
    e.vcenters[0]
        .account
        .privileges
        .as_mut()
        .unwrap()
        .retain(|p| p != "Datastore.Browse");
    for h in &mut e.hosts {
        h.datastores.clear();
    }
    let r = check_with(&e, &request(r#""items": ["app-01"]"#));
    let b = blocked_by(&r, "app-01");
    assert!(b.contains(&(RuleId::Pre003, vc("vc-01"))), "{b:?}");
}

#[test]
fn mt_002_blocks_the_group_whose_closest_linux_mt_is_unsupported() {
    let mut e = healthy();
    // The only Linux master target runs an unsupported OS without xfsprogs: it cannot take
    // the XFS db group (MT-003), and the members also name its MT-002 finding.
    let m = master_target(&mut e, "mt-lin-01");
    m.os.version = Some("CentOS 7.9".into());
    m.packages = Some(vec!["perl".into()]);
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    let b = blocked_by(&r, "db-01");
    assert!(b.contains(&(RuleId::Mt003, grp("db"))), "{b:?}");
    assert!(b.contains(&(RuleId::Mt002, mt("mt-lin-01"))), "{b:?}");
}

#[test]
fn ops_001_quiet_with_a_privileged_account() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ops001);
}

#[test]
fn ops_002_fires_when_a_linux_vm_lost_network_manager() {
    let mut e = healthy();
    item(&mut e, "db-01").azure_vm.as_mut().unwrap().packages = Some(vec!["openssh-server".into()]);
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Ops002, &it("db-01"), Severity::Warning);
    assert!(f.message.contains("NetworkManager"), "{f:?}");
    assert!(r.ready(), "a warning does not block");
    assert!(findings(&r, RuleId::Ops002)
        .iter()
        .all(|f| f.subject == it("db-01")));
}

#[test]
fn ops_002_quiet_when_network_manager_is_installed() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ops002);
}

#[test]
fn ops_003_fires_when_a_static_address_became_dhcp_in_azure() {
    let mut e = healthy();
    let w = item(&mut e, "web-01");
    w.on_prem_addresses = vec![serde_json::from_value(
        json!({"nic": "Ethernet0", "address": "192.168.10.21", "static": true}),
    )
    .unwrap()];
    w.azure_vm.as_mut().unwrap().nics[0].dhcp = true;
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Ops003, &it("web-01"), Severity::Warning);
    assert!(
        f.remediation.contains("192.168.10.21") && f.remediation.contains("Ethernet0"),
        "{f:?}"
    );
    assert_not_blocked(&r, "web-01");
}

#[test]
fn ops_003_quiet_when_the_azure_nic_kept_a_static_address() {
    let mut e = healthy();
    item(&mut e, "web-01").on_prem_addresses = vec![serde_json::from_value(
        json!({"nic": "Ethernet0", "address": "192.168.10.21", "static": true}),
    )
    .unwrap()];
    let r = check(&e);
    assert_quiet(&r, RuleId::Ops003);
}

#[test]
fn ops_004_fires_when_the_target_host_runs_a_free_licence() {
    let mut e = healthy();
    e.hosts[0].licence = Some(
        serde_json::from_value(
            json!({"edition": "free", "product": "VMware vSphere Hypervisor 6"}),
        )
        .unwrap(),
    );
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Ops004, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("esx-01"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ops004);
    assert!(refused(&e, &only_web()));
}

#[test]
fn ops_004_fires_for_an_item_already_replicating_to_a_free_host() {
    let mut e = healthy();
    e.hosts[0].licence = Some(serde_json::from_value(json!({"edition": "free"})).unwrap());
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p1", "09:58", true, false)],
    );
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ops004, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Ops004);
}

#[test]
fn ops_004_quiet_with_a_paid_licence() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ops004);
}

// ---------------------------------------------------------------------------------------
// EXT: Microsoft's failback documentation
// ---------------------------------------------------------------------------------------

#[test]
fn ext_001_fires_when_the_mt_host_reaches_only_nfs() {
    let mut e = healthy();
    for d in &mut e.datastores {
        if d.id == "ds-01" || d.id == "ds-02" {
            d.kind = failback_core::estate::DatastoreKind::Nfs;
        }
    }
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext001, &mt("mt-win-01"), Severity::Blocker);
    assert!(f.message.contains("NFS"), "{f:?}");
    // No master target can take web-01: it is refused (the blocker it reports is the
    // missing VMFS datastore for the new VM, see the replicating case below).
    assert!(refused(&e, &only_web()));
}

#[test]
fn ext_001_fires_and_blocks_failover_through_an_mt_on_nfs_only() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p1", "09:58", true, false)],
    );
    for d in &mut e.datastores {
        if d.id == "ds-01" || d.id == "ds-02" {
            d.kind = failback_core::estate::DatastoreKind::Nfs;
        }
    }
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ext001, &mt("mt-win-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Ext001);
    assert!(refused(&e, &only_web()));
}

/// Asserts `rule` yields no finding on `subject`.
fn assert_quiet_on_subject(report: &Assessment, rule: RuleId, subject: &Subject) {
    let on: Vec<_> = report
        .findings_of(rule)
        .filter(|f| f.subject == *subject)
        .collect();
    assert!(on.is_empty(), "{rule} fired on {subject}: {on:#?}");
}

/// The rule IDs and subjects blocking an item.
fn blocked_by(report: &Assessment, id: &str) -> Vec<(RuleId, Subject)> {
    report
        .item(id)
        .unwrap_or_else(|| panic!("no report for {id}"))
        .blocked_by
        .iter()
        .map(|b| (b.rule, b.subject.clone()))
        .collect()
}

#[test]
fn ext_001_fires_on_the_blocked_group_whose_only_linux_mt_reaches_only_nfs() {
    let mut e = healthy();
    // mt-lin-01's host esx-02 reaches ds-02 and ds-03, both NFS now: no master target can
    // take the db group, and the blocked members name the real cause on the real server.
    for d in &mut e.datastores {
        if d.id == "ds-02" || d.id == "ds-03" {
            d.kind = failback_core::estate::DatastoreKind::Nfs;
        }
    }
    let req = request(r#""groups": ["db"]"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Ext001, &grp("db"), Severity::Blocker);
    assert!(
        f.message.contains("esx-02") && f.message.contains("NFS"),
        "{f:?}"
    );
    for id in ["db-01", "db-02"] {
        let b = blocked_by(&r, id);
        assert!(
            b.contains(&(RuleId::Ext001, mt("mt-lin-01"))),
            "{id}: {b:?}"
        );
        assert!(
            !b.iter().any(|(rule, _)| *rule == RuleId::Loc008),
            "{id}: a missing VMFS datastore is not a datastore without room: {b:?}"
        );
    }
    assert!(refused(&e, &req));
}

#[test]
fn ext_001_fires_under_auto_location_when_the_original_vm_is_on_nfs() {
    let mut e = healthy();
    // WEB01's datastore ds-01 turns NFS; esx-01 still reaches VMFS ds-02, where a new VM
    // could go, but not while the original VM exists.
    for d in &mut e.datastores {
        if d.id == "ds-01" {
            d.kind = failback_core::estate::DatastoreKind::Nfs;
        }
    }
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext001, &it("web-01"), Severity::Blocker);
    assert!(
        f.message.contains("vm-web-01") && f.message.contains("ds-01"),
        "{f:?}"
    );
    assert!(f.remediation.contains("LOC-007"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext001);
    assert!(r.item("web-01").unwrap().location.is_none());
}

#[test]
fn ext_001_quiet_when_the_mt_host_reaches_vsan() {
    let mut e = healthy();
    // esx-02 keeps its vSAN datastore ds-03 when ds-02 turns NFS.
    for d in &mut e.datastores {
        if d.id == "ds-02" {
            d.kind = failback_core::estate::DatastoreKind::Nfs;
        }
    }
    let r = check(&e);
    assert_quiet(&r, RuleId::Ext001);
    assert_quiet(&check(&healthy()), RuleId::Ext001);
}

#[test]
fn ext_002_fires_when_vmware_tools_do_not_run_on_the_mt() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").vmware_tools =
        Some(failback_core::estate::ToolsStatus::NotRunning);
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext002, &mt("mt-win-01"), Severity::Blocker);
    assert!(f.message.contains("not running"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext002);
    assert!(refused(&e, &only_web()));
}

#[test]
fn ext_002_quiet_when_vmware_tools_run() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ext002);
}

#[test]
fn ext_003_fires_when_the_mt_uses_pvscsi() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").scsi_controller =
        Some(failback_core::estate::ScsiController::Pvscsi);
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ext003, &mt("mt-win-01"), Severity::Warning);
    assert!(r.ready(), "a warning does not block");
}

#[test]
fn ext_003_quiet_with_lsi_logic() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ext003);
}

#[test]
fn ext_004_fires_when_one_item_needs_more_than_60_disks() {
    let mut e = healthy();
    item(&mut e, "web-01").disks = disks(61);
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext004, &it("web-01"), Severity::Blocker);
    assert!(
        f.message.contains("61 disks") && f.message.contains("60"),
        "{f:?}"
    );
    assert_blocks(&r, "web-01", RuleId::Ext004);
    assert!(refused(&e, &only_web()));
}

#[test]
fn ext_004_fires_when_a_group_needs_more_than_60_disks_on_its_one_mt() {
    let mut e = healthy();
    // 31 + 31 disks: each member would fit alone, the group cannot be split.
    item(&mut e, "db-01").disks = disks(31);
    item(&mut e, "db-02").disks = disks(31);
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    let f = assert_fires(&r, RuleId::Ext004, &grp("db"), Severity::Blocker);
    assert!(f.message.contains("62 disks"), "{f:?}");
    assert_blocks(&r, "db-01", RuleId::Ext004);
    assert_blocks(&r, "db-02", RuleId::Ext004);
}

#[test]
fn ext_004_fires_when_disks_already_attached_leave_too_little_room() {
    let mut e = healthy();
    item(&mut e, "web-01").disks = disks(50);
    master_target(&mut e, "mt-win-01").attached_disks = 11;
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ext004, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Ext004);
}

#[test]
fn ext_004_quiet_when_the_unit_fits_with_the_attached_disks() {
    let mut e = healthy();
    // 59 disks plus the one already attached: exactly 60.
    item(&mut e, "web-01").disks = disks(59);
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Ext004);
    assert!(r.ready());
    assert_eq!(r.units[0].wave, 1);
}

#[test]
fn ext_004_fires_as_a_warning_for_units_waiting_for_a_later_wave() {
    let mut e = healthy();
    let ids: Vec<String> = (1..=6).map(|n| format!("win-{n:02}")).collect();
    for id in &ids {
        add_item(&mut e, windows_vm(id, 20));
    }
    let list = ids
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let req = request(&format!(r#""items": [{list}]"#));
    let r = check_with(&e, &req);
    assert!(r.ready(), "{:#?}", r.blockers().collect::<Vec<_>>());
    // 120 disks through one Windows master target with 59 free slots: two units of 20
    // disks per wave, three waves.
    let waves: Vec<u32> = r.units.iter().map(|u| u.wave).collect();
    assert_eq!(waves, vec![1, 1, 2, 2, 3, 3]);
    // The units of later waves are told they wait, behind how many disks.
    for (id, wave, ahead) in [("win-03", 2, 40), ("win-04", 2, 40), ("win-06", 3, 80)] {
        let f = assert_fires(&r, RuleId::Ext004, &it(id), Severity::Warning);
        assert!(
            f.message.contains("mt-win-01")
                && f.message.contains(&format!("wave {wave}"))
                && f.message.contains(&format!("{ahead} disks")),
            "{f:?}"
        );
    }
    for id in ["win-01", "win-02"] {
        assert_quiet_on_subject(&r, RuleId::Ext004, &it(id));
    }
    assert!(r
        .units
        .iter()
        .all(|u| u.master_target.as_deref() == Some("mt-win-01")));
    match plan(&e, &req).unwrap() {
        PlanOutcome::Ready(p) => assert_eq!(p.summary.waves, 3),
        PlanOutcome::Refused(a) => panic!("refused: {:#?}", a.blockers().collect::<Vec<_>>()),
    }
}

#[test]
fn ext_004_warns_fewer_units_when_a_second_mt_shares_the_disks() {
    let mut e = healthy();
    let mut m = master_target(&mut e, "mt-win-01").clone();
    m.id = "mt-win-02".into();
    m.name = "mt-win-02".into();
    e.master_targets.push(m);
    let ids: Vec<String> = (1..=6).map(|n| format!("win-{n:02}")).collect();
    for id in &ids {
        add_item(&mut e, windows_vm(id, 20));
    }
    let list = ids
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let r = check_with(&e, &request(&format!(r#""items": [{list}]"#)));
    assert!(r.ready());
    let max_wave = r.units.iter().map(|u| u.wave).max().unwrap();
    assert_eq!(max_wave, 2, "two master targets need fewer waves than one");
    // Only the two units of the second wave wait (one per master target).
    let waiting = findings(&r, RuleId::Ext004);
    assert_eq!(waiting.len(), 2, "{waiting:#?}");
    assert!(waiting.iter().all(|f| f.severity == Severity::Warning));
    for m in ["mt-win-01", "mt-win-02"] {
        let units = r
            .units
            .iter()
            .filter(|u| u.master_target.as_deref() == Some(m))
            .count();
        assert_eq!(units, 3, "{m} serves three units");
    }
}

#[test]
fn ext_005_fires_when_the_mt_was_cloned_from_a_protected_vm() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").cloned_from = Some("WEB01".into());
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext005, &mt("mt-win-01"), Severity::Blocker);
    assert!(f.message.contains("WEB01"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext005);
    assert!(refused(&e, &only_web()));
}

#[test]
fn ext_005_fires_when_the_mt_was_cloned_from_the_original_vm_id() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").cloned_from = Some("vm-web-01".into());
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ext005, &mt("mt-win-01"), Severity::Blocker);
}

#[test]
fn ext_005_quiet_when_the_mt_was_cloned_from_a_clean_template() {
    let mut e = healthy();
    master_target(&mut e, "mt-win-01").cloned_from = Some("tpl-win2019-clean".into());
    let r = check(&e);
    assert_quiet(&r, RuleId::Ext005);
    assert!(r.ready());
}

#[test]
fn ext_006_fires_when_a_windows_item_is_pinned_to_a_linux_mt() {
    let e = healthy();
    let req = request(r#""items": ["web-01"], "pins": {"master_target": "mt-lin-01"}"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Ext006, &it("web-01"), Severity::Blocker);
    assert!(
        f.message.contains("Windows") && f.message.contains("mt-lin-01"),
        "{f:?}"
    );
    assert_blocks(&r, "web-01", RuleId::Ext006);
    assert!(refused(&e, &req));
}

#[test]
fn ext_006_fires_when_a_group_mixes_os_families() {
    let mut e = healthy();
    item(&mut e, "db-02").os =
        serde_json::from_value(json!({"family": "windows", "version": "Windows Server 2019"}))
            .unwrap();
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    assert_fires(&r, RuleId::Ext006, &grp("db"), Severity::Blocker);
    assert_blocks(&r, "db-01", RuleId::Ext006);
    assert_blocks(&r, "db-02", RuleId::Ext006);
}

#[test]
fn ext_006_quiet_when_each_item_gets_an_mt_of_its_family() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ext006);
    assert_eq!(
        r.item("web-01").unwrap().inputs.master_target.as_deref(),
        Some("mt-win-01")
    );
    assert_eq!(
        r.item("db-01").unwrap().inputs.master_target.as_deref(),
        Some("mt-lin-01")
    );
}

#[test]
fn ext_007_fires_when_a_replicating_item_has_no_recovery_point() {
    let mut e = healthy();
    replicating(&mut e, "web-01", "mt-win-01", vec![]);
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext007, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("no recovery point"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext007);
    assert!(refused(&e, &only_web()));
}

#[test]
fn ext_007_fires_when_a_point_is_chosen_before_reprotect_made_any() {
    let req = request(r#""items": ["web-01"], "recovery_point": {"kind": "point", "id": "rp-1"}"#);
    let r = check_with(&healthy(), &req);
    assert_fires(&r, RuleId::Ext007, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Ext007);
}

#[test]
fn ext_007_fires_when_the_requested_point_does_not_exist() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p1", "09:58", true, false)],
    );
    let req = request(r#""items": ["web-01"], "recovery_point": {"kind": "point", "id": "p9"}"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Ext007, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("p9"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext007);
}

#[test]
fn ext_007_quiet_when_a_requested_point_exists() {
    let mut e = healthy();
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![
            point("p1", "09:50", true, false),
            point("p2", "09:58", false, false),
        ],
    );
    let req = request(r#""items": ["web-01"], "recovery_point": {"kind": "point", "id": "p1"}"#);
    let r = check_with(&e, &req);
    assert_quiet(&r, RuleId::Ext007);
    assert!(r.ready());
    let i = r.item("web-01").unwrap();
    assert_eq!(i.recovery_point.as_ref().unwrap().id.as_deref(), Some("p1"));
    // An older point than the latest loses the changes after it.
    assert_eq!(i.data_loss.unwrap().seconds, 8 * 60);
    assert_fires(&r, RuleId::Fo002, &it("web-01"), Severity::Warning);
}

#[test]
fn ext_008_fires_when_the_azure_vm_is_not_running() {
    let mut e = healthy();
    item(&mut e, "web-01").azure_vm.as_mut().unwrap().running = Some(false);
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext008, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("not running"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext008);
    assert!(refused(&e, &only_web()));
}

#[test]
fn ext_008_fires_when_the_agent_is_not_registered_yet_after_boot() {
    let mut e = healthy();
    let now = e.captured_at;
    let vm = item(&mut e, "web-01").azure_vm.as_mut().unwrap();
    vm.agent_registered = Some(false);
    vm.booted_at = Some(now - Duration::from_secs(5 * 60));
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext008, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("less than 15 minutes"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext008);
}

#[test]
fn ext_008_quiet_when_reprotect_is_already_done() {
    let mut e = healthy();
    // A stopped Azure VM does not matter once the item replicates to on-prem.
    replicating(
        &mut e,
        "web-01",
        "mt-win-01",
        vec![point("p1", "09:58", true, false)],
    );
    item(&mut e, "web-01").azure_vm.as_mut().unwrap().running = Some(false);
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Ext008);
    assert_quiet(&check(&healthy()), RuleId::Ext008);
}

#[test]
fn ext_009_fires_after_complete_migration() {
    let mut e = healthy();
    item(&mut e, "web-01").state = ProtectionState::MigrationCompleted;
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ext009, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Ext009);
    assert!(r.item("web-01").unwrap().stages.is_empty());
    assert!(refused(&e, &only_web()));
}

#[test]
fn ext_009_fires_after_protection_was_disabled() {
    let mut e = healthy();
    item(&mut e, "web-01").state = ProtectionState::ProtectionDisabled;
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ext009, &it("web-01"), Severity::Blocker);
    assert_blocks(&r, "web-01", RuleId::Ext009);
}

#[test]
fn ext_009_fires_when_the_azure_vm_was_deleted() {
    let mut e = healthy();
    item(&mut e, "web-01").azure_vm.as_mut().unwrap().deleted = true;
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext009, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("deleted"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext009);
}

#[test]
fn ext_009_fires_when_the_azure_vm_moved_resource_group() {
    let mut e = healthy();
    item(&mut e, "web-01")
        .azure_vm
        .as_mut()
        .unwrap()
        .resource_group = "rg-other".into();
    let r = check_with(&e, &only_web());
    let f = assert_fires(&r, RuleId::Ext009, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("rg-other"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext009);
}

#[test]
fn ext_009_quiet_for_a_failed_over_item() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ext009);
}

#[test]
fn ext_010_fires_for_rdm_disks_at_an_alternate_location() {
    let mut e = healthy();
    // The original VM was deleted: web-01 goes to a new VM, which cannot take RDM disks.
    let w = item(&mut e, "web-01");
    w.disks[0].rdm = true;
    w.original_vm = None;
    let req = request(r#""items": ["web-01"], "location": "alternate""#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Ext010, &it("web-01"), Severity::Blocker);
    assert!(f.message.contains("disk0"), "{f:?}");
    assert_blocks(&r, "web-01", RuleId::Ext010);
    assert!(refused(&e, &req));
}

#[test]
fn ext_010_fires_for_a_pinned_nfs_datastore() {
    let mut e = healthy();
    for d in &mut e.datastores {
        if d.id == "ds-02" {
            d.kind = failback_core::estate::DatastoreKind::Nfs;
        }
    }
    let req = request(r#""items": ["app-01"], "pins": {"datastore": "ds-02"}"#);
    let r = check_with(&e, &req);
    assert_fires(&r, RuleId::Ext010, &it("app-01"), Severity::Blocker);
    assert_blocks(&r, "app-01", RuleId::Ext010);
}

#[test]
fn ext_010_quiet_for_rdm_disks_back_to_the_original_vm() {
    let mut e = healthy();
    item(&mut e, "web-01").disks[0].rdm = true;
    let r = check_with(&e, &only_web());
    assert_quiet(&r, RuleId::Ext010);
    assert!(r.ready());
    assert_eq!(
        r.item("web-01")
            .unwrap()
            .location
            .as_ref()
            .unwrap()
            .location,
        failback_core::location::Location::Original
    );
}

#[test]
fn ext_011_fires_for_an_alternate_location() {
    let mut e = healthy();
    // The original VM was deleted: web-01 goes to a new VM.
    item(&mut e, "web-01").original_vm = None;
    let req = request(r#""items": ["web-01"], "location": "alternate""#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Ext011, &it("web-01"), Severity::Warning);
    // The whole 80 GiB disk travels instead of the 4 GiB delta.
    assert!(
        f.message.contains("85899345920") && f.message.contains("80.0 GiB"),
        "{f:?}"
    );
    assert!(r.ready());
}

#[test]
fn ext_011_fires_when_the_original_vm_moved_from_nfs_to_vmfs() {
    let mut e = healthy();
    e.vms[0].moved_from_nfs = true;
    let r = check_with(&e, &only_web());
    assert_fires(&r, RuleId::Ext011, &it("web-01"), Severity::Warning);
    let l = r.item("web-01").unwrap().location.clone().unwrap();
    assert_eq!(l.location, failback_core::location::Location::Original);
    assert_eq!(l.transfer, failback_core::location::Transfer::Full);
    assert_eq!(l.estimated_bytes, 85_899_345_920);
}

#[test]
fn ext_011_quiet_for_a_delta_to_the_original_vm() {
    let r = check_with(&healthy(), &only_web());
    assert_quiet(&r, RuleId::Ext011);
    let l = r.item("web-01").unwrap().location.clone().unwrap();
    assert_eq!(l.transfer, failback_core::location::Transfer::Delta);
    assert_eq!(l.estimated_bytes, 4_294_967_296);
}

#[test]
fn ext_012_fires_for_a_windows_2008_r2_sp1_physical_server() {
    let mut e = healthy();
    item(&mut e, "app-01").os.version = Some("Windows Server 2008 R2 SP1".into());
    let req = request(r#""items": ["app-01"]"#);
    let r = check_with(&e, &req);
    assert_fires(&r, RuleId::Ext012, &it("app-01"), Severity::Blocker);
    assert_blocks(&r, "app-01", RuleId::Ext012);
    assert!(refused(&e, &req));
}

#[test]
fn ext_012_quiet_for_a_windows_2008_r2_sp1_vmware_vm() {
    let mut e = healthy();
    item(&mut e, "web-01").os.version = Some("Windows Server 2008 R2 SP1".into());
    let r = check(&e);
    assert_quiet(&r, RuleId::Ext012);
    assert!(r.ready());
}

#[test]
fn ext_013_fires_when_the_mt_has_snapshots() {
    let mut e = healthy();
    master_target(&mut e, "mt-lin-01").snapshots = Some(2);
    let req = request(r#""groups": ["db"]"#);
    let r = check_with(&e, &req);
    let f = assert_fires(&r, RuleId::Ext013, &mt("mt-lin-01"), Severity::Blocker);
    assert!(f.message.contains("2 snapshot"), "{f:?}");
    assert_blocks(&r, "db-01", RuleId::Ext013);
    assert_blocks(&r, "db-02", RuleId::Ext013);
    assert!(refused(&e, &req));
}

#[test]
fn ext_013_quiet_without_snapshots() {
    let r = check(&healthy());
    assert_quiet(&r, RuleId::Ext013);
}

#[test]
fn ext_014_fires_for_a_datastore_discovered_minutes_ago() {
    let mut e = healthy();
    let now = e.captured_at;
    e.datastores[2].discovered_at = Some(now - Duration::from_secs(5 * 60));
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Ext014, &ds("ds-03"), Severity::Warning);
    assert!(f.message.contains("5 min"), "{f:?}");
    assert!(r.ready(), "a warning does not block");
}

#[test]
fn ext_014_fires_for_a_retention_volume_added_minutes_ago() {
    let mut e = healthy();
    let now = e.captured_at;
    master_target(&mut e, "mt-win-01").volumes[1].added_at = Some(now - Duration::from_secs(600));
    let r = check(&e);
    let f = assert_fires(&r, RuleId::Ext014, &mt("mt-win-01"), Severity::Warning);
    assert!(f.message.contains("R:"), "{f:?}");
}

#[test]
fn ext_014_quiet_once_the_listing_delay_has_passed() {
    let mut e = healthy();
    let now = e.captured_at;
    e.datastores[2].discovered_at = Some(now - Duration::from_secs(20 * 60));
    master_target(&mut e, "mt-win-01").volumes[1].added_at = Some(now - Duration::from_secs(3600));
    let r = check(&e);
    assert_quiet(&r, RuleId::Ext014);
    assert_quiet(&check(&healthy()), RuleId::Ext014);
}
