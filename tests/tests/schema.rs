//! The checked-in JSON Schemas under `schema/` match the ones generated from the types, and
//! the example documents satisfy them.

use std::path::{Path, PathBuf};

use failback_core::{plan, Estate, PlanOutcome, Request};
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
