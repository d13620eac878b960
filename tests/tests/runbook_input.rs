//! Issue 6: the run's shape in the documents is checked like the rest: boot groups of a
//! recovery plan, the request's applications, windows and verify checks. Each bad value
//! names its field and the fix; a good one shapes the plan.

#![allow(clippy::unwrap_used)]

use failback_core::schedule::ApplicationKind;
use failback_core::{plan, Estate, PlanOutcome, Request};
use serde_json::{json, Value};

const HEALTHY: &str = include_str!("../../examples/estates/healthy.json");

fn estate_with(f: impl FnOnce(&mut Value)) -> Result<Estate, failback_core::Error> {
    let mut v: Value = serde_json::from_str(HEALTHY).unwrap();
    f(&mut v);
    Estate::from_json_str(&serde_json::to_string_pretty(&v).unwrap())
}

fn healthy() -> Estate {
    Estate::from_json_str(HEALTHY).unwrap()
}

fn request(extra: Value) -> Request {
    let mut v = json!({"format": "failback-request/1"});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    Request::from_json_str(&v.to_string()).unwrap()
}

/// The input errors of planning `r` against the healthy estate: (path, message, fix).
fn plan_errors(r: &Request) -> Vec<(String, String, String)> {
    match plan(&healthy(), r) {
        Err(e) => e
            .input_errors()
            .iter()
            .map(|x| (x.path.clone(), x.message.clone(), x.fix.clone()))
            .collect(),
        Ok(_) => Vec::new(),
    }
}

fn paths(errors: &[(String, String, String)]) -> Vec<&str> {
    errors.iter().map(|(p, ..)| p.as_str()).collect()
}

#[test]
fn boot_groups_of_a_plan_are_checked() {
    let err = estate_with(|v| {
        v["recovery_plans"][0]["groups"] = json!([
            {"items": ["db-01"]},
            {"items": ["db-01", "web-01"]}
        ]);
    })
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("recovery_plans[0].groups[1].items[0]")
            && text.contains("boot group 1 and 2"),
        "{text}"
    );
    assert!(
        text.contains("recovery_plans[0].groups[1].items[1]") && text.contains("not in the plan"),
        "{text}"
    );
    assert!(
        text.contains("recovery_plans[0].items[1]") && text.contains("in no boot group"),
        "{text}"
    );

    let eight: Vec<Value> = (0..8).map(|_| json!({"items": []})).collect();
    let err = estate_with(|v| v["recovery_plans"][0]["groups"] = Value::Array(eight)).unwrap_err();
    assert!(err.to_string().contains("at most 7"), "{err}");

    let err = estate_with(|v| {
        v["recovery_plans"][0]["groups"] = json!([
            {"items": ["db-01"], "end_actions": [{"name": "x", "kind": "manual"}]},
            {"items": ["db-02"], "start_actions": [{"name": "x", "kind": "manual"}]}
        ]);
    })
    .unwrap_err();
    assert!(err.to_string().contains("used twice"), "{err}");
}

#[test]
fn a_recovery_plan_moving_whole_is_one_application_in_boot_order() {
    let e = estate_with(|v| {
        v["recovery_plans"][0]["groups"] = json!([
            {"items": ["db-02"], "end_actions": [{"name": "check", "kind": "manual", "instructions": "look"}]},
            {"items": ["db-01"]}
        ]);
    })
    .unwrap();
    let PlanOutcome::Ready(p) = plan(&e, &Request::default()).unwrap() else {
        panic!("refused")
    };
    let rp = p.applications.iter().find(|a| a.name == "rp-db").unwrap();
    assert_eq!(rp.kind, ApplicationKind::RecoveryPlan);
    assert_eq!(rp.recovery_plan.as_deref(), Some("rp-db"));
    let order: Vec<&str> = rp.items().collect();
    assert_eq!(order, vec!["db-02", "db-01"]);
    assert_eq!(rp.boot_groups[0].end_actions, vec!["check".to_string()]);
    // Every other unit is an application of its own; phases come with estimates.
    assert_eq!(p.applications.len(), 3);
    assert!(p.phases.iter().any(|ph| ph.estimated_seconds > 0));
}

#[test]
fn request_applications_are_checked_against_the_plan() {
    let errs = plan_errors(&request(json!({"applications": [
        {"name": "crm", "items": ["web-01"], "groups": [["app-01"]]},
        {"name": "rp-db", "items": ["app-01"]},
        {"name": "shop", "groups": [["db-01"]]}
    ]})));
    assert_eq!(
        paths(&errs),
        vec![
            "applications[0]",
            "applications[1].name",
            "applications[2].groups[0][0]"
        ],
        "{errs:#?}"
    );
    assert!(errs[0].2.contains("not both"), "{errs:#?}");
    assert!(
        errs[2]
            .1
            .contains("already cuts over with application rp-db"),
        "{errs:#?}"
    );

    let errs = plan_errors(&request(json!({
        "items": ["web-01"],
        "applications": [{"name": "crm", "items": ["app-01"]}]
    })));
    assert_eq!(paths(&errs), vec!["applications[0].items[0]"]);
    assert!(
        errs[0].1.contains("not failed back by this request"),
        "{errs:#?}"
    );

    let PlanOutcome::Ready(p) = plan(
        &healthy(),
        &request(json!({"applications": [{"name": "crm", "groups": [["app-01"], ["web-01"]]}]})),
    )
    .unwrap() else {
        panic!("refused")
    };
    let crm = p.applications.iter().find(|a| a.name == "crm").unwrap();
    assert_eq!(crm.kind, ApplicationKind::Request);
    assert_eq!(crm.items().collect::<Vec<_>>(), vec!["app-01", "web-01"]);
}

#[test]
fn windows_and_checks_are_checked() {
    let errs = plan_errors(&request(json!({
        "cutover": {"windows": [{"start": "2026-11-21T22:00:00Z", "minutes": 0}]},
        "verify": {"timeout_seconds": 0, "checks": [
            {"kind": "tcp", "port": 0},
            {"kind": "command", "argv": []},
            {"kind": "tcp", "port": 443, "items": ["web-99"], "applications": ["nope"]}
        ]}
    })));
    assert_eq!(
        paths(&errs),
        vec![
            "cutover.windows[0].minutes",
            "verify.timeout_seconds",
            "verify.checks[0].port",
            "verify.checks[1].argv",
            "verify.checks[2].items[0]",
            "verify.checks[2].applications[0]",
        ],
        "{errs:#?}"
    );
    assert!(errs.iter().all(|(_, m, f)| !m.is_empty() && !f.is_empty()));
}

#[test]
fn a_cutover_longer_than_every_window_and_rollback_on_classic_are_schedule_blockers() {
    let PlanOutcome::Ready(p) = plan(
        &healthy(),
        &request(json!({
            "cutover": {"windows": [{"start": "2026-11-21T22:00:00Z", "minutes": 2}]},
            "commit": "rollback"
        })),
    )
    .unwrap() else {
        panic!("refused")
    };
    assert!(!p.runnable());
    let texts: Vec<&str> = p
        .schedule_findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(texts.iter().any(|t| t.contains("rollback")), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("longer than every cutover window") && t.contains("min")),
        "{texts:?}"
    );
    let PlanOutcome::Ready(ok) = plan(
        &healthy(),
        &request(
            json!({"cutover": {"windows": [{"start": "2026-11-21T22:00:00Z", "minutes": 240}]}}),
        ),
    )
    .unwrap() else {
        panic!("refused")
    };
    assert!(ok.runnable(), "{:?}", ok.schedule_findings);
}
