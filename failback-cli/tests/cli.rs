//! The `failback` binary end to end: exit codes (0 ready, 2 blocker, 1 bad input), JSON
//! output, the rule list, the refused plan's table and the wording of input errors.

// Test helpers outside #[test] functions may panic on a broken fixture too.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use failback_core::rules::RuleId;

const BIN: &str = env!("CARGO_BIN_EXE_failback");

fn example(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("examples")
        .join(rel)
}

fn healthy() -> PathBuf {
    example("estates/healthy.json")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn run_paths(cmd: &str, estate: &Path, extra: &[&str]) -> Output {
    let mut args = vec![cmd.to_string(), estate.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    Command::new(BIN).args(&args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    match serde_json::from_slice(&o.stdout) {
        Ok(v) => v,
        Err(e) => panic!("output is not JSON ({e}): {}", stdout(o)),
    }
}

/// A file under the target's temporary directory with `text` in it.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("failback-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn healthy_text() -> String {
    std::fs::read_to_string(healthy()).unwrap()
}

fn trips_estates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(example("estates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("trips-") && n.ends_with(".json"))
        })
        .collect();
    v.sort();
    assert!(v.len() >= 11, "expected the trips-* examples, found {v:?}");
    v
}

fn has_keys(v: &serde_json::Value, keys: &[&str]) {
    let obj = v.as_object().unwrap();
    for k in keys {
        assert!(
            obj.contains_key(*k),
            "missing top-level key {k}: {:?}",
            obj.keys()
        );
    }
}

#[test]
fn healthy_assess_and_plan_exit_0() {
    for cmd in ["assess", "plan"] {
        for format in ["table", "json"] {
            let o = run_paths(cmd, &healthy(), &["--format", format]);
            assert_eq!(code(&o), 0, "{cmd} --format {format}: {}", stderr(&o));
        }
    }
    let o = run_paths("assess", &example("estates/modernized.json"), &[]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = run_paths("plan", &example("estates/modernized.json"), &[]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // Its networks have no VPN: the modernized appliance needs none. Its planned failover
    // makes its own point: nothing is lost beyond it.
    assert!(!stdout(&o).contains("NET-001"), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 min (planned)"), "{}", stdout(&o));
}

#[test]
fn assess_table_says_ready() {
    let o = run_paths("assess", &healthy(), &[]);
    assert!(stdout(&o).contains("READY"), "{}", stdout(&o));
}

#[test]
fn assess_json_has_the_report_keys() {
    let o = run_paths("assess", &healthy(), &["--format", "json"]);
    let v = json(&o);
    has_keys(
        &v,
        &[
            "estate",
            "captured_at",
            "flavor",
            "policy",
            "findings",
            "units",
            "retention",
        ],
    );
    assert_eq!(v["units"].as_array().unwrap().len(), 3);
}

#[test]
fn plan_json_has_the_plan_keys() {
    let o = run_paths("plan", &healthy(), &["--format", "json"]);
    let v = json(&o);
    has_keys(
        &v,
        &[
            "format",
            "estate",
            "captured_at",
            "flavor",
            "policy",
            "request",
            "summary",
            "units",
            "findings",
        ],
    );
    assert_eq!(v["format"], "failback-plan/1");
    assert_eq!(v["summary"]["items"], 4);
}

#[test]
fn every_trips_example_exits_2() {
    for path in trips_estates() {
        for cmd in ["assess", "plan"] {
            let o = run_paths(cmd, &path, &[]);
            assert_eq!(
                code(&o),
                2,
                "{cmd} {}: {}{}",
                path.display(),
                stdout(&o),
                stderr(&o)
            );
        }
    }
}

#[test]
fn refused_plan_json_carries_the_assessment() {
    let o = run_paths(
        "plan",
        &example("estates/trips-policy.json"),
        &["--format", "json"],
    );
    assert_eq!(code(&o), 2);
    let v = json(&o);
    has_keys(&v, &["refused", "assessment"]);
    assert_eq!(v["refused"], true);
    has_keys(&v["assessment"], &["findings", "units"]);
    let rules: Vec<&str> = v["assessment"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "blocker")
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"POL-002"), "{rules:?}");
}

#[test]
fn refused_plan_table_names_the_blocking_rules_and_a_fix() {
    let o = run_paths("plan", &example("estates/trips-policy.json"), &[]);
    assert_eq!(code(&o), 2);
    let out = stdout(&o);
    assert!(out.contains("plan refused"), "{out}");
    assert!(out.contains("BLOCKED"), "{out}");
    assert!(out.contains("blocked items:"), "{out}");
    assert!(out.contains("web-01: POL-002"), "{out}");
    assert!(out.contains("fix"), "{out}");
    assert!(out.contains(RuleId::Pol002.info().remediation), "{out}");

    let o = run_paths("plan", &example("estates/trips-prerequisites.json"), &[]);
    let out = stdout(&o);
    for id in [
        "PRE-002", "PRE-003", "PRE-004", "PRE-005", "PRE-007", "PRE-008",
    ] {
        assert!(out.contains(id), "{id} missing: {out}");
    }
    // The original VM's snapshots block web-01 (ASR fails back into it while it exists),
    // and the fix offers both ways out.
    assert!(out.contains("web-01: PRE-002"), "{out}");
    assert!(out.contains("PRE-004 (item web-01)"), "{out}");
    assert!(out.contains("Or delete the original VM (LOC-007)"), "{out}");
    assert!(out.contains("grant Datastore.AllocateSpace"), "{out}");
}

#[test]
fn request_examples_are_accepted() {
    for name in [
        "db-group-app-consistent.json",
        "original-only.json",
        "stages-through-commit.json",
        "pinned-inputs.json",
        "accept-stale-point.json",
    ] {
        let req = example("requests").join(name);
        let req = req.display().to_string();
        let o = run_paths("plan", &healthy(), &["--request", &req]);
        assert_eq!(code(&o), 0, "{name}: {}{}", stdout(&o), stderr(&o));
    }
    // The stale point is accepted in trips-failover only with the request.
    let req = example("requests/accept-stale-point.json");
    let o = run_paths(
        "assess",
        &example("estates/trips-failover.json"),
        &["--request", &req.display().to_string()],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn rules_lists_all_63_ids() {
    let o = run(&["rules"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert_eq!(RuleId::ALL.len(), 63);
    for r in RuleId::ALL {
        assert!(
            out.contains(r.as_str()),
            "{r} missing from `failback rules`"
        );
    }
    let listed = out
        .lines()
        .filter(|l| RuleId::parse(l.split_whitespace().next().unwrap_or("")).is_some())
        .count();
    assert_eq!(listed, 63, "{out}");

    let o = run(&["rules", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v = json(&o);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let want: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(ids, want);
    for r in v.as_array().unwrap() {
        has_keys(
            r,
            &["id", "family", "severity", "scope", "text", "remediation"],
        );
    }
}

#[test]
fn schemas_are_json() {
    for kind in ["estate", "request", "plan", "report"] {
        let o = run(&["schema", kind]);
        assert_eq!(code(&o), 0, "{kind}");
        assert!(json(&o).is_object(), "{kind}");
    }
}

#[test]
fn missing_file_exits_1() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-estate.json");
    let o = run_paths("assess", &missing, &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("cannot read"), "{err}");
    assert!(err.contains("no-such-estate.json"), "{err}");
    assert!(stdout(&o).is_empty());

    let req = missing.display().to_string();
    let o = run_paths("plan", &healthy(), &["--request", &req]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
}

#[test]
fn invalid_json_exits_1_with_line() {
    let text = healthy_text();
    let cut: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let path = temp_file("truncated.json", &cut);
    let o = run_paths("assess", &path, &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("not valid JSON"), "{err}");
    assert!(err.contains("(line 20, column"), "{err}");
    assert!(err.contains("fix:"), "{err}");
}

#[test]
fn wrong_format_version_exits_1_naming_the_field_and_line() {
    let text = healthy_text().replace("failback-estate/1", "failback-estate/2");
    let path = temp_file("format-v2.json", &text);
    let o = run_paths("plan", &path, &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("field `format`"), "{err}");
    assert!(err.contains("(line 2,"), "{err}");
    assert!(err.contains("failback-estate/2"), "{err}");
    assert!(err.contains("failback-estate/1"), "{err}");
}

#[test]
fn bad_field_type_names_the_path_and_line() {
    let text = healthy_text();
    let needle = "\"capacity_bytes\": 53687091200}, {\"name\": \"sdb\"";
    let line = text
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap();
    let text = text.replacen(
        needle,
        "\"capacity_bytes\": \"big\"}, {\"name\": \"sdb\"",
        1,
    );
    let path = temp_file("bad-type.json", &text);
    let o = run_paths("assess", &path, &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("field `items[1].disks[0].capacity_bytes`"),
        "{err}"
    );
    assert!(err.contains(&format!("(line {line},")), "{err}");
}

#[test]
fn dangling_reference_names_the_path_and_line() {
    let text = healthy_text();
    let needle = "\"host\": \"esx-02\", \"datastore\": \"ds-02\"";
    let line = text
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap();
    let text = text.replacen(needle, "\"host\": \"esx-09\", \"datastore\": \"ds-02\"", 1);
    let path = temp_file("bad-ref.json", &text);
    let o = run_paths("assess", &path, &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("field `master_targets[1].host`"), "{err}");
    assert!(err.contains(&format!("(line {line},")), "{err}");
    assert!(err.contains("esx-09"), "{err}");
}

#[test]
fn request_naming_an_unknown_item_exits_1_naming_the_field_and_line() {
    let req = temp_file(
        "unknown-item.json",
        "{\n  \"format\": \"failback-request/1\",\n  \"items\": [\"web-01\", \"web-99\"]\n}\n",
    );
    for cmd in ["assess", "plan"] {
        let o = run_paths(cmd, &healthy(), &["--request", &req.display().to_string()]);
        assert_eq!(code(&o), 1, "{cmd}");
        let err = stderr(&o);
        assert!(err.contains("request field `items[1]`"), "{err}");
        assert!(err.contains("(line 3, column"), "{err}");
        assert!(err.contains("web-99"), "{err}");
        assert!(err.contains("fix:"), "{err}");
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    }
}

#[test]
fn request_pinning_an_unknown_master_target_names_the_field_and_line() {
    let req = temp_file(
        "unknown-pin.json",
        "{\n  \"format\": \"failback-request/1\",\n  \"groups\": [\"db\"],\n  \"group_pins\": {\"db\": {\"master_target\": \"mt-zzz\"}}\n}\n",
    );
    let o = run_paths(
        "plan",
        &healthy(),
        &["--request", &req.display().to_string()],
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("request field `group_pins.db.master_target`"),
        "{err}"
    );
    assert!(err.contains("(line 4, column"), "{err}");
}

#[test]
fn request_with_a_bad_value_exits_1() {
    let req = temp_file(
        "bad-location.json",
        "{\n  \"format\": \"failback-request/1\",\n  \"location\": \"elsewhere\"\n}\n",
    );
    let o = run_paths(
        "assess",
        &healthy(),
        &["--request", &req.display().to_string()],
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("request field `location`"), "{err}");
    assert!(err.contains("(line 3,"), "{err}");

    let req = temp_file("request-v2.json", "{\"format\": \"failback-request/2\"}");
    let o = run_paths(
        "assess",
        &healthy(),
        &["--request", &req.display().to_string()],
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("failback-request/1"), "{}", stderr(&o));
}

#[test]
fn an_estate_error_names_the_file_and_an_unknown_field_is_to_be_renamed() {
    let text = healthy_text().replacen("\"recovery_plans\"", "\"recovery_plan\"", 1);
    let path = temp_file("unknown-field.json", &text);
    let o = run_paths("assess", &path, &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}: estate", path.display())),
        "{err}"
    );
    assert!(err.contains("unknown field `recovery_plan`"), "{err}");
    assert!(err.contains("rename the field"), "{err}");
    assert!(!err.contains("correct the value"), "{err}");
}

#[test]
fn a_huge_bad_value_is_not_echoed_whole() {
    let huge = "y".repeat(5_000_000);
    let text = healthy_text().replacen("\"vmware_vm\"", &format!("\"{huge}\""), 1);
    let path = temp_file("huge-value.json", &text);
    let o = run_paths("assess", &path, &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
    // What matters stays: the field, the size of the value, the values expected.
    assert!(
        err.contains("items[0].kind") && err.contains("5000000 bytes"),
        "{err}"
    );
    assert!(err.contains("`vmware_vm`"), "{err}");
}
