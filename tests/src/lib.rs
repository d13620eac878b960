#![doc = include_str!("../README.md")]

use failback_core::estate::{Estate, MasterTarget, ProtectedItem};
use failback_core::readiness::Assessment;
use failback_core::rules::{Finding, RuleId, Severity, Subject};
use failback_core::{assess, Request};

/// The text of the healthy example estate (`examples/estates/healthy.json`).
pub const HEALTHY: &str = include_str!("../../examples/estates/healthy.json");

/// The healthy example estate: every item ready, no blocker.
pub fn healthy() -> Estate {
    match Estate::from_json_str(HEALTHY) {
        Ok(e) => e,
        Err(e) => panic!("healthy.json does not load: {e}"),
    }
}

/// A request from JSON text without the `format` boilerplate: pass the members only,
/// like `r#""items": ["web-01"]"#`.
pub fn request(members: &str) -> Request {
    let text = if members.trim().is_empty() {
        "{\"format\": \"failback-request/1\"}".to_string()
    } else {
        format!("{{\"format\": \"failback-request/1\", {members}}}")
    };
    match Request::from_json_str(&text) {
        Ok(r) => r,
        Err(e) => panic!("bad test request {text}: {e}"),
    }
}

/// Assess with the default request (every item, auto location, latest point). The estate
/// is validated first, as a loaded one would be.
pub fn check(estate: &Estate) -> Assessment {
    check_with(estate, &Request::default())
}

/// Assess with a request.
pub fn check_with(estate: &Estate, request: &Request) -> Assessment {
    if let Err(e) = estate.validate() {
        panic!("test estate is invalid: {e}");
    }
    match assess(estate, request) {
        Ok(a) => a,
        Err(e) => panic!("assess failed: {e}"),
    }
}

/// The findings of one rule.
pub fn findings(report: &Assessment, rule: RuleId) -> Vec<&Finding> {
    report.findings_of(rule).collect()
}

/// Asserts `rule` fires on `subject` with `severity`, and returns the finding.
pub fn assert_fires<'a>(
    report: &'a Assessment,
    rule: RuleId,
    subject: &Subject,
    severity: Severity,
) -> &'a Finding {
    let all = findings(report, rule);
    match all
        .iter()
        .find(|f| f.subject == *subject && f.severity == severity)
    {
        Some(f) => f,
        None => panic!("{rule} did not fire as {severity} on {subject}; its findings: {all:#?}"),
    }
}

/// Asserts `rule` yields no finding at all.
pub fn assert_quiet(report: &Assessment, rule: RuleId) {
    let all = findings(report, rule);
    assert!(all.is_empty(), "{rule} fired: {all:#?}");
}

/// Asserts `item` is blocked, among others, by `rule`.
pub fn assert_blocks(report: &Assessment, item: &str, rule: RuleId) {
    let Some(r) = report.item(item) else {
        panic!("no report for item {item}");
    };
    assert!(
        r.blocked_by.iter().any(|b| b.rule == rule),
        "{item} is not blocked by {rule}; blocked_by: {:#?}",
        r.blocked_by
    );
}

/// A protected item of the estate, to change.
pub fn item<'a>(estate: &'a mut Estate, id: &str) -> &'a mut ProtectedItem {
    match estate.items.iter_mut().find(|i| i.id == id) {
        Some(i) => i,
        None => panic!("no item {id}"),
    }
}

/// A master target of the estate, to change.
pub fn master_target<'a>(estate: &'a mut Estate, id: &str) -> &'a mut MasterTarget {
    match estate.master_targets.iter_mut().find(|i| i.id == id) {
        Some(i) => i,
        None => panic!("no master target {id}"),
    }
}

/// Shorthand subjects.
pub fn it(id: &str) -> Subject {
    Subject::Item(id.to_string())
}
/// A master target subject.
pub fn mt(id: &str) -> Subject {
    Subject::MasterTarget(id.to_string())
}
/// A group subject.
pub fn grp(id: &str) -> Subject {
    Subject::Group(id.to_string())
}

/// Assert that the report rebuilt from the journal at `path` alone
/// ([`failback_core::orchestrator::RunReport::from_journal`]) is the run's own `report`,
/// but for the order of its holds (a resumed
/// run lists the holds it meets again in the order it meets them; the rebuilt report, in
/// the order they were first reached).
pub fn assert_rebuilt(report: &failback_core::orchestrator::RunReport, path: &std::path::Path) {
    use failback_core::journal::Journal;
    use failback_core::orchestrator::RunReport;
    let read = match Journal::read(path) {
        Ok(r) => r,
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let mut rebuilt = match RunReport::from_journal(&read.entries) {
        Ok(r) => r,
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let mut want = report.clone();
    let key = |h: &failback_core::orchestrator::HoldRecord| h.hold.clone();
    rebuilt.holds.sort_by_key(key);
    want.holds.sort_by_key(key);
    if rebuilt != want {
        for (a, b) in rebuilt.items.iter().zip(&want.items) {
            assert_eq!(a, b, "item {} rebuilt from {}", b.item, path.display());
        }
        assert_eq!(rebuilt.applications, want.applications, "applications");
        assert_eq!(rebuilt.holds, want.holds, "holds");
        assert_eq!(rebuilt, want);
    }
}

/// Panic, listing every item of `report` that did not end done, unless all did. `context`
/// leads the message (the case, the kill point).
pub fn assert_all_done(report: &failback_core::orchestrator::RunReport, context: &str) {
    use failback_core::orchestrator::ItemStatus;
    let not_done: Vec<_> = report
        .items
        .iter()
        .filter(|o| o.status != ItemStatus::Done)
        .map(|o| (&o.item, &o.status))
        .collect();
    assert!(not_done.is_empty(), "{context}: not done: {not_done:#?}");
}

/// The plan of every ungrouped item of `estate` (the default request otherwise); panics
/// with the blockers when it is refused.
pub fn single_items_plan(estate: &Estate) -> failback_core::Plan {
    let request = Request {
        items: estate
            .items
            .iter()
            .filter(|i| i.replication_group.is_none())
            .map(|i| i.id.clone())
            .collect(),
        ..Request::default()
    };
    match failback_core::plan(estate, &request) {
        Ok(failback_core::PlanOutcome::Ready(p)) => p,
        Ok(failback_core::PlanOutcome::Refused(r)) => {
            panic!("{:#?}", r.blockers().collect::<Vec<_>>())
        }
        Err(e) => panic!("{e}"),
    }
}
