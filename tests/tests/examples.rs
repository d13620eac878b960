//! The example estates and requests under `examples/`: every estate loads, the healthy and
//! modernized ones are ready, each `trips-<family>.json` trips the rules of its family
//! (and only those block), and every request example is accepted against `healthy.json`.

// Test helpers outside #[test] functions may panic on a broken fixture too.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use failback_core::estate::{Estate, Flavor, MasterTargetRole};
use failback_core::location::Location;
use failback_core::readiness::{Assessment, LossBasis};
use failback_core::request::Stage;
use failback_core::rules::{RuleId, Severity};
use failback_core::{assess, plan, PlanOutcome, Request};
use failback_tests::*;

fn examples_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("examples")
        .join(sub)
}

fn estate(name: &str) -> Estate {
    let path = examples_dir("estates").join(name);
    match Estate::from_path(&path) {
        Ok(e) => e,
        Err(e) => panic!("{} does not load: {e}", path.display()),
    }
}

fn request_file(name: &str) -> Request {
    let path = examples_dir("requests").join(name);
    match Request::from_path(&path) {
        Ok(r) => r,
        Err(e) => panic!("{} does not parse: {e}", path.display()),
    }
}

fn json_files(sub: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir(sub))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// Each trips example, its family prefix, and the rules it is written to show.
const TRIPS: &[(&str, &str, &[&str])] = &[
    (
        "trips-location.json",
        "LOC",
        &["LOC-003", "LOC-004", "LOC-006", "LOC-009"],
    ),
    (
        "trips-prerequisites.json",
        "PRE",
        &[
            "PRE-002", "PRE-003", "PRE-004", "PRE-005", "PRE-006", "PRE-007", "PRE-008",
        ],
    ),
    (
        "trips-process-server.json",
        "PS",
        &["PS-001", "PS-002", "PS-003", "PS-004", "PS-005"],
    ),
    (
        "trips-master-target.json",
        "MT",
        &["MT-001", "MT-002", "MT-003"],
    ),
    (
        "trips-retention.json",
        "RET",
        &[
            "RET-001", "RET-002", "RET-003", "RET-004", "RET-005", "RET-006",
        ],
    ),
    ("trips-policy.json", "POL", &["POL-002"]),
    ("trips-groups.json", "GRP", &["GRP-001", "GRP-002"]),
    ("trips-failover.json", "FO", &["FO-001", "FO-003", "FO-005"]),
    ("trips-network.json", "NET", &["NET-002", "NET-003"]),
    (
        "trips-operations.json",
        "OPS",
        &["OPS-001", "OPS-002", "OPS-003"],
    ),
    (
        "trips-external.json",
        "EXT",
        &[
            "EXT-002", "EXT-003", "EXT-008", "EXT-009", "EXT-011", "EXT-012", "EXT-013", "EXT-014",
        ],
    ),
];

fn of_family(rule: RuleId, prefix: &str) -> bool {
    rule.as_str()
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.starts_with('-'))
}

fn blockers(report: &Assessment) -> Vec<String> {
    report
        .blockers()
        .map(|f| format!("{} {}: {}", f.rule, f.subject, f.message))
        .collect()
}

#[test]
fn every_example_estate_loads() {
    let names = json_files("estates");
    let mut expected = vec!["healthy.json", "modernized.json"];
    expected.extend(TRIPS.iter().map(|t| t.0));
    for name in &expected {
        assert!(
            names.iter().any(|n| n == name),
            "examples/estates/{name} is missing"
        );
    }
    for name in &names {
        let e = estate(name);
        assert!(e.validate().is_ok(), "{name} does not validate");
        assert!(
            assess(&e, &Request::default()).is_ok(),
            "{name} does not assess"
        );
    }
}

#[test]
fn every_example_is_described_in_the_readme() {
    let readme = std::fs::read_to_string(examples_dir("estates").join("README.md")).unwrap();
    for name in json_files("estates")
        .into_iter()
        .chain(json_files("requests"))
    {
        assert!(
            readme.contains(&format!("`{name}`")),
            "examples/estates/README.md does not describe {name}"
        );
    }
}

#[test]
fn healthy_example_is_ready_and_plans() {
    let e = estate("healthy.json");
    let report = check(&e);
    assert!(report.ready(), "{:#?}", blockers(&report));
    assert!(matches!(
        plan(&e, &Request::default()),
        Ok(PlanOutcome::Ready(_))
    ));
}

#[test]
fn modernized_example_is_ready_with_reprotect_agents() {
    let e = estate("modernized.json");
    assert_eq!(e.flavor, Flavor::Modernized);
    assert!(e.replication_appliance.is_some());
    assert!(e.configuration_server.is_none());
    assert!(!e.master_targets.is_empty());
    assert!(e
        .master_targets
        .iter()
        .all(|m| m.role == MasterTargetRole::ReprotectAgent));
    let report = check(&e);
    assert!(report.ready(), "{:#?}", blockers(&report));
    assert_eq!(report.item_count(), e.items.len());
    for u in &report.units {
        for it in &u.items {
            let mt = it.inputs.master_target.as_deref().unwrap_or("");
            assert!(
                e.master_targets.iter().any(|m| m.id == mt),
                "{} has no reprotect agent",
                it.item
            );
            assert_eq!(it.inputs.process_server, None, "no process server in Azure");
            assert_eq!(it.inputs.retention_volume, None, "no retention volume");
        }
    }
    match plan(&e, &Request::default()) {
        Ok(PlanOutcome::Ready(p)) => assert_eq!(p.summary.items, e.items.len()),
        Ok(PlanOutcome::Refused(r)) => panic!("refused: {:#?}", blockers(&r)),
        Err(err) => panic!("{err}"),
    }
}

#[test]
fn each_trips_example_trips_its_family_and_is_refused() {
    for (name, prefix, shows) in TRIPS {
        let e = estate(name);
        let report = check(&e);
        let family: Vec<_> = report
            .findings
            .iter()
            .filter(|f| of_family(f.rule, prefix) && f.severity >= Severity::Warning)
            .collect();
        assert!(
            !family.is_empty(),
            "{name}: no {prefix} blocker or warning; findings: {:#?}",
            report.findings
        );
        for id in *shows {
            let rule = RuleId::parse(id).unwrap();
            assert!(
                report.findings_of(rule).next().is_some(),
                "{name}: {id} does not fire"
            );
        }
        if family.iter().any(|f| f.severity == Severity::Blocker) {
            assert!(!report.ready(), "{name} is ready");
            assert!(
                matches!(plan(&e, &Request::default()), Ok(PlanOutcome::Refused(_))),
                "{name}: the plan is not refused"
            );
            // Only this family blocks: the example shows one family at a time.
            for f in report.blockers() {
                assert!(
                    of_family(f.rule, prefix),
                    "{name}: blocker of another family: {} {}: {}",
                    f.rule,
                    f.subject,
                    f.message
                );
            }
            let blocked_by_family = report
                .units
                .iter()
                .flat_map(|u| &u.items)
                .flat_map(|i| &i.blocked_by)
                .any(|b| of_family(b.rule, prefix));
            assert!(blocked_by_family, "{name}: no item is blocked by {prefix}");
        } else {
            assert!(report.ready(), "{name}: {:#?}", blockers(&report));
        }
    }
}

#[test]
fn every_request_example_is_accepted_against_healthy() {
    let e = estate("healthy.json");
    let names = json_files("requests");
    for name in [
        "db-group-app-consistent.json",
        "original-only.json",
        "stages-through-commit.json",
        "pinned-inputs.json",
        "accept-stale-point.json",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "examples/requests/{name} is missing"
        );
    }
    for name in &names {
        let r = request_file(name);
        let report = match assess(&e, &r) {
            Ok(a) => a,
            Err(err) => panic!("{name} is refused as input: {err}"),
        };
        assert!(report.ready(), "{name}: {:#?}", blockers(&report));
        assert!(report.item_count() > 0, "{name} selects no item");
    }
}

#[test]
fn db_group_app_consistent_bounds_the_loss_by_the_snapshot_interval() {
    let report = check_with(
        &estate("healthy.json"),
        &request_file("db-group-app-consistent.json"),
    );
    assert_eq!(report.units.len(), 1);
    assert_eq!(report.units[0].name, "db");
    assert_eq!(report.units[0].recovery_plan.as_deref(), Some("rp-db"));
    assert_fires(&report, RuleId::Fo002, &grp("db"), Severity::Warning);
    for it in &report.units[0].items {
        let loss = it.data_loss.unwrap();
        assert_eq!(loss.basis, LossBasis::PolicyBound);
        assert_eq!(loss.seconds, 60 * 60);
    }
}

#[test]
fn db_group_app_consistent_measures_the_loss_once_points_exist() {
    // In trips-failover the db group already replicates with points: the latest
    // application-consistent one is 55 minutes older than the latest.
    let mut e = estate("trips-failover.json");
    e.items.retain(|i| i.replication_group.is_some());
    let report = check_with(&e, &request_file("db-group-app-consistent.json"));
    assert!(report.ready(), "{:#?}", blockers(&report));
    let f = assert_fires(&report, RuleId::Fo002, &grp("db"), Severity::Warning);
    assert!(f.message.contains("55 min"), "{}", f.message);
    for it in &report.units[0].items {
        assert_eq!(it.data_loss.unwrap().basis, LossBasis::Measured);
        assert_eq!(it.data_loss.unwrap().seconds, 55 * 60);
    }
}

#[test]
fn original_only_lands_in_the_original_vm_or_blocks() {
    let r = request_file("original-only.json");
    let report = check_with(&estate("healthy.json"), &r);
    let web = report.item("web-01").unwrap();
    assert_eq!(web.location.as_ref().unwrap().location, Location::Original);
    // In trips-location the original VM sits where the master target's host cannot reach;
    // auto blocks it too, since ASR fails back into the original VM while it exists.
    for r in [r, Request::default()] {
        let report = check_with(&estate("trips-location.json"), &r);
        assert_blocks(&report, "web-01", RuleId::Loc004);
        assert_blocks(&report, "web-01", RuleId::Loc009);
    }
}

#[test]
fn stages_through_commit_stops_before_reprotect_to_azure() {
    let report = check_with(
        &estate("healthy.json"),
        &request_file("stages-through-commit.json"),
    );
    for u in &report.units {
        for item in &u.items {
            let stages: Vec<Stage> = item.stages.iter().map(|s| s.stage).collect();
            assert_eq!(
                stages,
                vec![Stage::Reprotect, Stage::Failover, Stage::Commit],
                "{}",
                item.item
            );
            assert_fires(&report, RuleId::Fo005, &it(&item.item), Severity::Warning);
        }
    }
}

#[test]
fn pinned_inputs_are_used() {
    let report = check_with(&estate("healthy.json"), &request_file("pinned-inputs.json"));
    let app = report.item("app-01").unwrap();
    assert_eq!(app.inputs.master_target.as_deref(), Some("mt-win-01"));
    assert_eq!(app.inputs.datastore.as_deref(), Some("ds-02"));
    assert_eq!(app.inputs.retention_volume.as_deref(), Some("R:"));
    assert_eq!(app.inputs.process_server.as_deref(), Some("ps-azure-01"));
    for id in ["db-01", "db-02"] {
        let db = report.item(id).unwrap();
        assert_eq!(db.inputs.master_target.as_deref(), Some("mt-lin-01"));
        assert_eq!(db.inputs.datastore.as_deref(), Some("ds-03"));
        assert_eq!(db.location.as_ref().unwrap().location, Location::Alternate);
    }
    assert!(report.item("web-01").is_none(), "web-01 is not requested");
    // web-01's original VM exists: ASR fails back into it, never to an alternate location.
    let mut r = request_file("pinned-inputs.json");
    r.items.push("web-01".into());
    let report = check_with(&estate("healthy.json"), &r);
    assert_blocks(&report, "web-01", RuleId::Loc007);
}

#[test]
fn accept_stale_point_lets_trips_failover_fail_over_web_01() {
    let e = estate("trips-failover.json");
    let r = request_file("accept-stale-point.json");
    let report = check_with(&e, &r);
    assert!(report.ready(), "{:#?}", blockers(&report));
    let web = report.item("web-01").unwrap();
    let loss = web.data_loss.unwrap();
    assert!(loss.stale_accepted);
    assert_eq!(
        web.recovery_point.as_ref().unwrap().id.as_deref(),
        Some("web-01-rp-2")
    );
    // Without the acceptance the same item is blocked by FO-001.
    let mut strict = r.clone();
    strict.accept_stale_point = false;
    let report = check_with(&e, &strict);
    assert_blocks(&report, "web-01", RuleId::Fo001);
}

#[test]
fn a_group_cannot_fail_over_to_a_named_point() {
    // Custom points are not offered for recovery plans: naming one of db-02's points for
    // the db group is refused, and latest fails each member over to its own latest point.
    let e = estate("trips-failover.json");
    let r = check_with(
        &e,
        &failback_tests::request(
            r#""groups": ["db"], "recovery_point": {"kind": "point", "id": "db-02-rp-2"}"#,
        ),
    );
    let f = assert_fires(&r, RuleId::Ext007, &grp("db"), Severity::Blocker);
    assert!(f.message.contains("recovery plan"), "{}", f.message);
    assert_blocks(&r, "db-01", RuleId::Ext007);

    let r = check_with(&e, &failback_tests::request(r#""groups": ["db"]"#));
    assert!(r.ready(), "{:#?}", blockers(&r));
    for id in ["db-01", "db-02"] {
        let i = r.item(id).unwrap();
        let latest = e
            .items
            .iter()
            .find(|x| x.id == id)
            .unwrap()
            .recovery_points
            .iter()
            .max_by_key(|p| p.time)
            .unwrap();
        assert_eq!(
            i.recovery_point.as_ref().unwrap().id,
            Some(latest.id.clone())
        );
        assert_eq!(i.data_loss.unwrap().seconds, 0);
    }
}
