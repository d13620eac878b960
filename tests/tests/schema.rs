//! The checked-in JSON Schemas under `schema/` match the ones generated from the types, and
//! the example documents satisfy them; the reports of real lab drills (done, held, rolled
//! back, pending and failed items) satisfy the report's schema, and broken ones do not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use failback_core::estate::Flavor;
use failback_core::journal::Journal;
use failback_core::orchestrator::{CancellationToken, Orchestrator, RunSettings};
use failback_core::runbook::{CommitPolicy, Phase};
use failback_core::{plan, Estate, PlanOutcome, Request};
use failback_drill::{Drill, EstateSource, Planned, Unwatched, Watch};
use failback_lab::{Faults, LabSettings, LabSite};
use failback_tests::HEALTHY;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn regenerate(kind: &str) -> String {
    format!("cargo run -q -p failback-cli -- schema {kind} > schema/{kind}.schema.json")
}

/// The checked-in schema of `kind`.
fn checked_in(kind: &str) -> Value {
    let path = workspace().join(format!("schema/{kind}.schema.json"));
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!(
            "cannot read {}: {e}; generate it with `{}`",
            path.display(),
            regenerate(kind)
        ),
    };
    match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!(
            "schema/{kind}.schema.json is not JSON ({e}); regenerate it with `{}`",
            regenerate(kind)
        ),
    }
}

fn assert_current(kind: &str, generated: Value) {
    assert!(
        checked_in(kind) == generated,
        "schema/{kind}.schema.json differs from the schema generated from the types; \
         regenerate it with `{}` and commit it",
        regenerate(kind)
    );
}

#[test]
fn estate_schema_is_current() {
    assert_current("estate", failback_core::schema::estate());
}

#[test]
fn request_schema_is_current() {
    assert_current("request", failback_core::schema::request());
}

#[test]
fn plan_schema_is_current() {
    assert_current("plan", failback_core::schema::plan());
}

#[test]
fn report_schema_is_current() {
    assert_current("report", failback_drill::report::schema());
}

/// Every schema violation of `doc`, as `path: message`.
fn violations(kind: &str, doc: &Value) -> Vec<String> {
    let schema = checked_in(kind);
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => panic!("schema/{kind}.schema.json is not a valid JSON Schema: {e}"),
    };
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn json(path: &Path) -> (String, Value) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    match serde_json::from_str(&text) {
        Ok(v) => (text, v),
        Err(e) => panic!("{} is not JSON: {e}", path.display()),
    }
}

/// The `.json` files of an examples folder, sorted.
fn examples(folder: &str) -> Vec<PathBuf> {
    let dir = workspace().join("examples").join(folder);
    let mut out: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(e) => panic!("cannot list {}: {e}", dir.display()),
    };
    out.sort();
    out
}

#[test]
fn example_estates_load_and_satisfy_the_schema() {
    let files = examples("estates");
    assert!(
        files.iter().any(|p| p.ends_with("healthy.json")),
        "{files:?}"
    );
    for path in files {
        let (text, doc) = json(&path);
        if let Err(e) = Estate::from_json_str(&text) {
            panic!("{} does not load: {e}", path.display());
        }
        let bad = violations("estate", &doc);
        assert!(bad.is_empty(), "{}:\n{}", path.display(), bad.join("\n"));
    }
}

#[test]
fn example_requests_load_and_satisfy_the_schema() {
    for path in examples("requests") {
        let (text, doc) = json(&path);
        if let Err(e) = Request::from_json_str(&text) {
            panic!("{} does not load: {e}", path.display());
        }
        let bad = violations("request", &doc);
        assert!(bad.is_empty(), "{}:\n{}", path.display(), bad.join("\n"));
    }
    let default = serde_json::to_value(Request::default()).unwrap();
    let bad = violations("request", &default);
    assert!(bad.is_empty(), "the default request:\n{}", bad.join("\n"));
}

#[test]
fn a_plan_satisfies_the_plan_schema() {
    let estate = failback_tests::healthy();
    let plan = match plan(&estate, &Request::default()) {
        Ok(PlanOutcome::Ready(p)) => p,
        Ok(PlanOutcome::Refused(r)) => panic!("refused: {r:?}"),
        Err(e) => panic!("{e}"),
    };
    let doc = serde_json::to_value(&plan).unwrap();
    let bad = violations("plan", &doc);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The schema refuses what the loader refuses for type reasons, at the same place.
#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let cases = [
        (
            "\"capacity_bytes\": 4398046511104",
            "\"capacity_bytes\": -1",
            "/datastores/0/capacity_bytes",
        ),
        ("\"name\": \"contoso-lab\"", "\"nam\": \"contoso-lab\"", ""),
        (
            "\"kind\": \"vsan\"",
            "\"kind\": \"ntfs\"",
            "/datastores/2/kind",
        ),
        (", \"free_bytes\": 2199023255552", "", "/datastores/0"),
        (
            "\"discovered\": true",
            "\"discovered\": \"yes\"",
            "/hosts/0/discovered",
        ),
    ];
    for (find, replace, pointer) in cases {
        let text = HEALTHY.replacen(find, replace, 1);
        assert!(
            Estate::from_json_str(&text).is_err(),
            "loader took {replace}"
        );
        let doc: Value = serde_json::from_str(&text).unwrap();
        let bad = violations("estate", &doc);
        assert!(
            bad.iter().any(|v| v.starts_with(&format!("{pointer}: "))),
            "schema on {replace:?}: {bad:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The drill report (`drill-report.json`)

/// A fresh output folder for the drill `name`.
fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("failback-schema-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Follows nothing and cancels the run as soon as it starts: its items stay pending.
struct CancelAtOnce;

impl Watch for CancelAtOnce {
    fn started(
        &mut self,
        _: &failback_core::Plan,
        _: tokio::sync::broadcast::Receiver<failback_core::events::Event>,
        cancel: CancellationToken,
    ) -> Option<tokio::task::JoinHandle<()>> {
        cancel.cancel();
        None
    }
}

/// Plan and run `drill` into the folder `name`, and read the JSON report it wrote.
fn drill_report(drill: Drill, name: &str, watch: &mut dyn Watch) -> Value {
    let dir = out_dir(name);
    let drill = drill.out(&dir);
    let plan = match drill.plan() {
        Ok(Planned::Ready(p)) => p,
        Ok(Planned::Refused(r)) => {
            panic!("{name}: refused: {:#?}", r.blockers().collect::<Vec<_>>())
        }
        Ok(Planned::NotRunnable(p)) => panic!("{name}: not runnable: {:#?}", p.schedule_findings),
        Err(e) => panic!("{name}: {e}"),
    };
    let done = match drill.run(*plan, watch) {
        Ok(d) => d,
        Err(e) => panic!("{name}: {e}"),
    };
    let doc = json(&done.written.json).1;
    let _ = std::fs::remove_dir_all(&dir);
    doc
}

fn generated(vms: usize, flavor: Flavor) -> Drill {
    Drill::new(EstateSource::Generated {
        vms,
        seed: 1,
        flavor,
    })
}

/// The statuses of the items of a report's run.
fn statuses(doc: &Value) -> BTreeSet<String> {
    doc["run"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no run.items in {doc}"))
        .iter()
        .map(|i| i["status"]["status"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// Assert that `doc`, the report of the drill `name`, satisfies the report schema.
fn assert_valid_report(name: &str, doc: &Value) {
    assert_eq!(doc["format"], failback_drill::report::FORMAT, "{name}");
    let bad = violations("report", doc);
    assert!(
        bad.is_empty(),
        "{name}: drill-report.json:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_reports_of_lab_drills_satisfy_the_report_schema() {
    let hold = Request {
        hold_after: vec![Phase::Verify],
        ..Request::default()
    };
    let rehearsal = Request {
        commit: CommitPolicy::Rollback,
        ..Request::default()
    };
    let drills = [
        (
            "classic",
            generated(24, Flavor::Classic),
            &mut Unwatched as &mut dyn Watch,
        ),
        (
            "held",
            generated(12, Flavor::Classic).request(hold),
            &mut Unwatched,
        ),
        (
            "rehearsal",
            generated(12, Flavor::Modernized).request(rehearsal),
            &mut Unwatched,
        ),
        (
            "cancelled",
            generated(6, Flavor::Classic),
            &mut CancelAtOnce,
        ),
    ];
    let mut seen = BTreeSet::new();
    for (name, drill, watch) in drills {
        let doc = drill_report(drill, name, watch);
        assert_valid_report(name, &doc);
        let st = statuses(&doc);
        match name {
            "classic" => {
                assert_eq!(st, BTreeSet::from(["done".to_string()]), "{name}");
                // Not vacuous: the run's phases, applications and lower bound are there.
                for key in ["phases", "applications", "cutovers"] {
                    assert!(
                        doc[key].as_array().is_some_and(|a| !a.is_empty()),
                        "{name}: {key}"
                    );
                }
                assert!(doc["lower_bound_seconds"].is_u64(), "{name}");
            }
            "held" => {
                assert!(st.contains("held"), "{name}: {st:?}");
                assert!(
                    doc["holds"].as_array().is_some_and(|a| !a.is_empty()),
                    "{name}"
                );
            }
            "rehearsal" => assert!(st.contains("rolled_back"), "{name}: {st:?}"),
            _ => assert!(st.contains("pending"), "{name}: {st:?}"),
        }
        seen.extend(st);
    }
    assert_eq!(
        seen,
        BTreeSet::from(["done", "held", "rolled_back", "pending"].map(String::from))
    );
}

/// A lab run where a quarter of the jobs fail, written by the report writer.
async fn failed_run_report() -> Value {
    let lab = LabSite::generated(
        30,
        7,
        LabSettings {
            virtual_time: true,
            seed: 7,
            faults: Faults {
                job_failure: 0.25,
                ..Faults::none()
            },
            ..LabSettings::default()
        },
    );
    let plan = failback_tests::single_items_plan(&lab.estate());
    let dir = out_dir("failed");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    let journal = match Journal::create(dir.join("run.journal")) {
        Ok(j) => j,
        Err(e) => panic!("{e}"),
    };
    let o = Orchestrator::new(
        lab.recovery(),
        lab.onprem(),
        lab.clock(),
        RunSettings::default(),
    )
    .with_verifier(lab.verifier());
    let run = match o.run(&plan, journal, CancellationToken::new()).await {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert!(
        run.failed() > 0,
        "no item failed: {:?}",
        lab.counters().faults
    );
    let written = failback_drill::report::write(
        &dir,
        &failback_drill::report::Drill {
            plan: &plan,
            run: &run,
            findings: &plan.findings,
            bound: None,
            cutover_bounds: &[],
            http: None,
        },
    );
    let doc = match written {
        Ok(w) => json(&w.json).1,
        Err(e) => panic!("{e}"),
    };
    let _ = std::fs::remove_dir_all(&dir);
    doc
}

#[tokio::test(start_paused = true)]
async fn a_report_with_failed_items_satisfies_the_report_schema() {
    let doc = failed_run_report().await;
    assert_valid_report("failed", &doc);
    // Not vacuous: items failed on a job, with its kind and the provider's job error.
    let failed: Vec<&Value> = doc["run"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| &i["status"])
        .filter(|s| s["status"] == "failed")
        .collect();
    assert!(!failed.is_empty(), "{doc}");
    assert!(
        failed
            .iter()
            .any(|s| s["kind"] == "job_failed" && s["job_error"]["code"].is_string()),
        "{failed:#?}"
    );
    assert!(doc["lower_bound_seconds"].is_null());
}

/// The schema refuses a report with a member missing or of the wrong type, at its place.
#[test]
fn the_report_schema_rejects_a_broken_report() {
    let good = drill_report(generated(4, Flavor::Classic), "broken", &mut Unwatched);
    assert_valid_report("broken", &good);
    type Break = fn(&mut Value);
    let cases: [(&str, Break, &str); 8] = [
        ("no totals", |d| drop(remove(d, "", "totals")), ""),
        ("no run id", |d| drop(remove(d, "/run", "run_id")), "/run"),
        (
            "no stage start",
            |d| drop(remove(d, "/run/items/0/stages/0", "started_at")),
            "/run/items/0/stages/0",
        ),
        (
            "an older format",
            |d| d["format"] = "failback-drill-report/1".into(),
            "/format",
        ),
        (
            "done as text",
            |d| d["totals"]["done"] = "4".into(),
            "/totals/done",
        ),
        (
            "a negative makespan",
            |d| d["makespan_seconds"] = (-1).into(),
            "/makespan_seconds",
        ),
        (
            "an unknown status",
            |d| d["run"]["items"][0]["status"]["status"] = "finished".into(),
            "/run/items/0/status",
        ),
        (
            "a phase that is no phase",
            |d| d["phases"][0]["phase"] = "lunch".into(),
            "/phases/0/phase",
        ),
    ];
    for (what, break_it, pointer) in cases {
        let mut doc = good.clone();
        break_it(&mut doc);
        let bad = violations("report", &doc);
        assert!(
            bad.iter().any(|v| v.starts_with(&format!("{pointer}: "))),
            "{what}: the schema took it or complained elsewhere: {bad:?}"
        );
    }
}

/// Remove `key` from the object at `pointer` of `doc`, which must have it.
fn remove(doc: &mut Value, pointer: &str, key: &str) -> Value {
    match doc
        .pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .and_then(|o| o.remove(key))
    {
        Some(v) => v,
        None => panic!("no {key} at {pointer:?}"),
    }
}
