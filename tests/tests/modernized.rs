//! The modernized flavour (`"flavor": "modernized"`): what the replication appliance's
//! failback does not need (no process server in Azure, no site-to-site VPN or ExpressRoute:
//! the NET, PS and PRE-002 rules do not apply) and how its planned failover chooses its
//! point (it makes its own point when it starts: no stale-point guard, no data loss beyond
//! it, no named point).

// The helpers below build test data from literals; a panic there is a broken test.
#![allow(clippy::unwrap_used)]

use failback_core::estate::{Estate, RecoveryPoint};
use failback_core::readiness::{Assessment, LossBasis, PointTiming};
use failback_core::rules::{RuleId, Severity};
use failback_core::state::ProtectionState;
use failback_core::{plan, PlanOutcome};
use failback_tests::*;
use serde_json::json;

const MODERNIZED: &str = include_str!("../../examples/estates/modernized.json");

fn modernized() -> Estate {
    Estate::from_json_str(MODERNIZED).unwrap()
}

fn blockers(r: &Assessment) -> Vec<String> {
    r.blockers()
        .map(|f| format!("{} {}: {}", f.rule, f.subject, f.message))
        .collect()
}

/// A recovery point at `hhmm` on the capture day (captured at 10:00 UTC).
fn point(id: &str, hhmm: &str, app_consistent: bool) -> RecoveryPoint {
    let consistency = if app_consistent {
        "application_consistent"
    } else {
        "crash_consistent"
    };
    serde_json::from_value(json!({
        "id": id, "time": format!("2026-11-20T{hhmm}:00Z"), "consistency": consistency
    }))
    .unwrap()
}

/// web-01 replicates to on-prem through its reprotect agent with these points.
fn web_replicating(e: &mut Estate, points: Vec<RecoveryPoint>) {
    let i = item(e, "web-01");
    i.state = ProtectionState::ReplicatingToOnPrem;
    i.master_target = Some("ra-win-01".into());
    i.recovery_points = points;
}

// ---------------------------------------------------------------------------------------
// No process server in Azure, no VPN or ExpressRoute

#[test]
fn a_modernized_estate_without_vpn_or_express_route_is_ready() {
    let mut e = modernized();
    e.connectivity.express_route = None;
    for n in &mut e.azure_networks {
        n.site_to_site_vpn = false;
        n.created_during_protection = Some(false);
    }
    let r = check(&e);
    assert!(r.ready(), "{:#?}", blockers(&r));
    for rule in [
        RuleId::Net001,
        RuleId::Net002,
        RuleId::Net003,
        RuleId::Pre002,
    ] {
        assert_quiet(&r, rule);
    }
    assert!(matches!(
        plan(&e, &failback_core::Request::default()),
        Ok(PlanOutcome::Ready(_))
    ));
}

#[test]
fn a_modernized_estate_gets_no_process_server_finding() {
    let mut e = modernized();
    // A process server registered minutes ago, and none in Azure: neither matters to the
    // replication appliance.
    e.process_servers[0].registered_at =
        Some(serde_json::from_value(json!("2026-11-20T09:55:00Z")).unwrap());
    let r = check(&e);
    assert!(r.ready(), "{:#?}", blockers(&r));
    for rule in [
        RuleId::Ps001,
        RuleId::Ps002,
        RuleId::Ps003,
        RuleId::Ps004,
        RuleId::Ps005,
    ] {
        assert_quiet(&r, rule);
    }
}

#[test]
fn a_classic_estate_without_vpn_or_express_route_is_still_blocked() {
    let mut e = healthy();
    e.azure_networks[0].site_to_site_vpn = false;
    let r = check(&e);
    assert_fires(
        &r,
        RuleId::Net001,
        &failback_core::rules::Subject::Network("vnet-prod".into()),
        Severity::Blocker,
    );
    assert_blocks(&r, "web-01", RuleId::Net001);
}

// ---------------------------------------------------------------------------------------
// The planned failover makes its own point

#[test]
fn a_modernized_item_with_an_old_latest_point_is_not_blocked_by_the_rpo_guard() {
    let mut e = modernized();
    // Two hours behind: a classic unplanned failover would lose them (FO-001).
    web_replicating(
        &mut e,
        vec![point("p1", "07:30", true), point("p2", "08:00", false)],
    );
    let r = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert!(r.ready(), "{:#?}", blockers(&r));
    assert_quiet(&r, RuleId::Fo001);
    assert_quiet(&r, RuleId::Fo002);
    let w = r.item("web-01").unwrap();
    let p = w.recovery_point.as_ref().unwrap();
    assert_eq!(
        p.timing,
        PointTiming::AtFailover,
        "made when the failover starts"
    );
    assert_eq!(p.id, None);
    let loss = w.data_loss.unwrap();
    assert_eq!((loss.seconds, loss.basis), (0, LossBasis::PlannedFailover));
    assert!(!loss.stale_accepted);
}

#[test]
fn a_modernized_item_replicating_without_a_point_yet_can_fail_over() {
    let mut e = modernized();
    web_replicating(&mut e, Vec::new());
    let r = check_with(&e, &request(r#""items": ["web-01"]"#));
    assert!(r.ready(), "{:#?}", blockers(&r));
    assert_quiet(&r, RuleId::Ext007);
}

#[test]
fn a_modernized_application_consistent_failover_loses_nothing() {
    let mut e = modernized();
    web_replicating(
        &mut e,
        vec![point("p1", "09:00", true), point("p2", "09:58", false)],
    );
    for e in [modernized(), e] {
        let r = check_with(
            &e,
            &request(
                r#""items": ["web-01"], "recovery_point": {"kind": "latest_application_consistent"}"#,
            ),
        );
        assert!(r.ready(), "{:#?}", blockers(&r));
        assert_quiet(&r, RuleId::Fo002);
        let loss = r.item("web-01").unwrap().data_loss.unwrap();
        assert_eq!((loss.seconds, loss.basis), (0, LossBasis::PlannedFailover));
    }
}

#[test]
fn a_modernized_request_naming_a_point_is_refused() {
    let mut replicating = modernized();
    web_replicating(&mut replicating, vec![point("p1", "09:55", true)]);
    for e in [modernized(), replicating] {
        let req =
            request(r#""items": ["web-01"], "recovery_point": {"kind": "point", "id": "p1"}"#);
        let r = check_with(&e, &req);
        let f = assert_fires(&r, RuleId::Ext007, &it("web-01"), Severity::Blocker);
        assert!(f.message.contains("planned failover"), "{f:#?}");
        assert!(
            f.remediation.contains("latest")
                && f.remediation.contains("latest_application_consistent"),
            "{f:#?}"
        );
        assert_blocks(&r, "web-01", RuleId::Ext007);
        assert!(matches!(plan(&e, &req), Ok(PlanOutcome::Refused(_))));
    }
}

#[test]
fn a_modernized_group_fails_over_on_a_point_made_at_failover() {
    let mut e = modernized();
    for (id, t) in [("db-01", "08:00"), ("db-02", "09:10")] {
        let i = item(&mut e, id);
        i.state = ProtectionState::ReplicatingToOnPrem;
        i.master_target = Some("ra-lin-01".into());
        i.recovery_points = vec![point(&format!("{id}-p"), t, true)];
    }
    let r = check_with(&e, &request(r#""groups": ["db"]"#));
    assert!(r.ready(), "{:#?}", blockers(&r));
    assert_quiet(&r, RuleId::Fo001);
    for id in ["db-01", "db-02"] {
        let loss = r.item(id).unwrap().data_loss.unwrap();
        assert_eq!((loss.seconds, loss.basis), (0, LossBasis::PlannedFailover));
    }
}
