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
