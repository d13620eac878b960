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
