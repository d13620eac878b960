//! The healthy example is ready and plans.

use failback_core::{plan, PlanOutcome, Request};
use failback_tests::*;

#[test]
fn healthy_estate_is_ready_and_plans() {
    let e = healthy();
    let report = check(&e);
    assert!(
        report.ready(),
        "{:#?}",
        report.blockers().collect::<Vec<_>>()
    );
    match plan(&e, &Request::default()) {
        Ok(PlanOutcome::Ready(p)) => assert_eq!(p.summary.items, 4),
        Ok(PlanOutcome::Refused(_)) => panic!("refused"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn an_estate_level_blocker_makes_even_an_empty_request_not_ready() {
    let mut e = healthy();
    e.items.clear();
    e.recovery_plans.clear();
    e.vms.clear();
    e.master_targets.clear();
    e.hosts.clear();
    e.datastores.clear();
    if let Some(cs) = e.configuration_server.as_mut() {
        cs.database_items = Some(Vec::new());
    }
    let report = check(&e);
    assert_eq!(report.item_count(), 0);
    assert!(report
        .findings_of(failback_core::rules::RuleId::Pre001)
        .next()
        .is_some());
    assert!(!report.ready(), "PRE-001 holds: no VMware environment");
}
