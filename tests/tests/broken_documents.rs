//! Broken estate documents are rejected, never half-loaded: malformed JSON, truncations,
//! a wrong or missing format, wrong types, unknown fields and estates that cannot be (a VM
//! on a host that does not exist, free space above capacity, ...). Every rejection names
//! the path of the bad field and, where the text has it, the right line. A property test
//! then feeds many broken variants of the healthy example: loading never panics and always
//! says what is wrong and how to fix it.

use std::sync::OnceLock;

use failback_core::estate::Estate;
use failback_core::{Error, InputError};
use failback_tests::HEALTHY;
use proptest::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The input errors of a document that must be rejected.
fn errors(text: &str) -> Vec<InputError> {
    match Estate::from_json_str(text) {
        Ok(_) => panic!("a broken document was accepted:\n{text}"),
        Err(Error::InvalidInput(v)) => {
            assert!(
                !v.is_empty(),
                "InvalidInput without any problem for:\n{text}"
            );
            for e in &v {
                assert!(!e.message.trim().is_empty(), "empty message: {e:?}");
                assert!(!e.fix.trim().is_empty(), "empty fix: {e:?}");
                assert_eq!(e.document, "estate");
            }
            v
        }
        Err(other) => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// The line of the first occurrence of `marker`.
fn line_of(text: &str, marker: &str) -> usize {
    match text.find(marker) {
        Some(off) => line_at(text, off),
        None => panic!("marker {marker:?} not in the document"),
    }
}

/// The healthy example with the `nth` (0-based) occurrence of `find` replaced.
fn edit(find: &str, nth: usize, replace: &str) -> String {
    let Some((off, _)) = HEALTHY.match_indices(find).nth(nth) else {
        panic!(
            "{find:?} occurs fewer than {} times in healthy.json",
            nth + 1
        )
    };
    format!(
        "{}{replace}{}",
        &HEALTHY[..off],
        &HEALTHY[off + find.len()..]
    )
}

/// One rejected document: the paths of all its errors, in order, and the line of the
/// first (the line of the first occurrence of a marker in the text).
struct Case {
    name: &'static str,
    text: String,
    paths: Vec<&'static str>,
    line: usize,
}

fn case(name: &'static str, text: String, paths: &[&'static str], line: usize) -> Case {
    Case {
        name,
        text,
        paths: paths.to_vec(),
        line,
    }
}

/// A case whose first error is on the line of `marker` in the broken text.
fn case_at(name: &'static str, text: String, paths: &[&'static str], marker: &str) -> Case {
    let line = line_of(&text, marker);
    case(name, text, paths, line)
}

fn run(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in &cases {
        let errs = errors(&c.text);
        let got: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        if got != c.paths {
            failures.push(format!(
                "{}: paths {got:?}, expected {:?}\n  {errs:#?}",
                c.name, c.paths
            ));
            continue;
        }
        let first = &errs[0];
        if first.line != Some(c.line) {
            failures.push(format!(
                "{}: `{}` reported at line {:?}, expected {}\n  {first:?}",
                c.name, first.path, first.line, c.line
            ));
        }
        if first.column.is_none_or(|col| col == 0) {
            failures.push(format!("{}: no 1-based column: {first:?}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Table tests
// ---------------------------------------------------------------------------------------

#[test]
fn healthy_example_loads() {
    assert!(
        HEALTHY.is_ascii(),
        "the byte-editing property assumes ASCII"
    );
    if let Err(e) = Estate::from_json_str(HEALTHY) {
        panic!("{e}");
    }
}

#[test]
fn malformed_json_says_where_it_broke() {
    let region = "\"azure_region\": \"westeurope\",";
    let cases = vec![
        case("empty", String::new(), &[""], 1),
        case("blank lines", "\n\n   ".into(), &[""], 3),
        case(
            "missing comma",
            edit(region, 0, "\"azure_region\": \"westeurope\""),
            &[""],
            line_of(HEALTHY, "\"configuration_server\""),
        ),
        case_at(
            "trailing comma in an array",
            edit("[\"db-01\", \"db-02\"]", 0, "[\"db-01\", \"db-02\",]"),
            &[""],
            "\"rp-db\"",
        ),
        case_at(
            "single quotes",
            edit("\"contoso-lab\"", 0, "'contoso-lab'"),
            &[""],
            "'contoso-lab'",
        ),
        case_at(
            "unquoted key",
            edit("\"flavor\":", 0, "flavor:"),
            &[""],
            "flavor:",
        ),
        case("comment", edit("{\n", 0, "{\n  // the lab\n"), &[""], 2),
        case_at(
            "NaN",
            edit("\"changed_bytes\": 4294967296", 0, "\"changed_bytes\": NaN"),
            &[""],
            "NaN",
        ),
        case_at(
            "raw tab in a string",
            edit("\"contoso-lab\"", 0, "\"contoso\tlab\""),
            &[""],
            "contoso\t",
        ),
        case("byte order mark", format!("\u{feff}{HEALTHY}"), &[""], 1),
        case(
            "trailing garbage",
            format!("{HEALTHY}}}"),
            &[""],
            line_at(HEALTHY, HEALTHY.len()),
        ),
        case(
            "two documents",
            format!("{HEALTHY}{HEALTHY}"),
            &[""],
            line_at(HEALTHY, HEALTHY.len()),
        ),
        case(
            "nesting deeper than the parser allows",
            edit(
                "\"contoso-lab\"",
                0,
                &format!("{}{}", "[".repeat(200), "]".repeat(200)),
            ),
            &[""],
            3,
        ),
    ];
    run(cases);
    for e in errors("{\"format\": ") {
        assert!(e.message.starts_with("not valid JSON"), "{e:?}");
    }
}

#[test]
fn a_document_that_is_not_an_object_is_rejected() {
    for text in [
        "[]",
        "null",
        "true",
        "42",
        "\"failback-estate/1\"",
        // A struct also deserializes from an array of its fields in order: not here.
        "[\"failback-estate/1\", null, \"2026-11-20T10:00:00Z\"]",
        "\n  [\"failback-estate/1\"]",
    ] {
        let errs = errors(text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].path, "", "{text}");
        assert!(errs[0].message.contains("not a JSON object"), "{errs:?}");
        assert_eq!(
            errs[0].line,
            Some(line_at(text, text.len() - text.trim_start().len())),
            "{text}"
        );
    }
}

/// Truncation at every offset: each says "not valid JSON" at the line and column where
/// the text ends.
#[test]
fn truncated_documents_point_at_their_end() {
    let whole = HEALTHY.trim_end();
    let mut failures = Vec::new();
    for n in 0..whole.len() {
        let text = &whole[..n];
        let errs = errors(text);
        let (line, column) = end_position(text);
        let e = &errs[0];
        if errs.len() != 1
            || !e.path.is_empty()
            || e.line != Some(line)
            || e.column != Some(column)
            || !e.message.starts_with("not valid JSON")
        {
            failures.push(format!(
                "cut at {n} (line {line}, column {column}): {errs:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} truncations misreported:\n{}",
        failures.len(),
        whole.len(),
        failures.join("\n")
    );
}

/// Line and column of the last character of `text` (column 1 on an empty last line).
fn end_position(text: &str) -> (usize, usize) {
    let line = line_at(text, text.len());
    let last = text.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count().max(1))
}

#[test]
fn wrong_or_missing_format_is_named() {
    let fmt = "\"format\": \"failback-estate/1\"";
    let cases = vec![
        case(
            "next version",
            edit(fmt, 0, "\"format\": \"failback-estate/2\""),
            &["format"],
            2,
        ),
        case(
            "other document",
            edit(fmt, 0, "\"format\": \"failback-request/1\""),
            &["format"],
            2,
        ),
        case(
            "case differs",
            edit(fmt, 0, "\"format\": \"Failback-Estate/1\""),
            &["format"],
            2,
        ),
        case("a number", edit(fmt, 0, "\"format\": 1"), &["format"], 2),
        case("null", edit(fmt, 0, "\"format\": null"), &["format"], 2),
        case("missing", edit(&format!("{fmt},"), 0, ""), &["format"], 1),
        case(
            "only a format",
            "{\"format\": \"failback-estate/0\"}".into(),
            &["format"],
            1,
        ),
    ];
    run(cases);
    let errs = errors(&edit(fmt, 0, "\"format\": \"failback-estate/2\""));
    assert!(errs[0].message.contains("failback-estate/1"), "{errs:?}");
    assert!(errs[0].fix.contains("failback-estate/1"), "{errs:?}");
}

#[test]
fn wrong_types_name_the_field() {
    let cases = vec![
        case_at(
            "date",
            edit("\"2026-11-20T10:00:00Z\"", 0, "\"yesterday\""),
            &["captured_at"],
            "yesterday",
        ),
        case_at(
            "date as a number",
            edit("\"2026-11-20T10:00:00Z\"", 0, "1795168800"),
            &["captured_at"],
            "1795168800",
        ),
        case_at(
            "flavor",
            edit("\"classic\"", 0, "\"hybrid\""),
            &["flavor"],
            "hybrid",
        ),
        case_at(
            "IP address",
            edit("\"10.0.0.10\"", 0, "\"10.0.0.300\""),
            &["configuration_server.ip_address"],
            "10.0.0.300",
        ),
        case_at(
            "database items as a string",
            edit(
                "[\"web-01\", \"db-01\", \"db-02\", \"app-01\"]",
                0,
                "\"web-01\"",
            ),
            &["configuration_server.database_items"],
            "\"database_items\"",
        ),
        case_at(
            "express route as a list",
            edit("\"express_route\": null", 0, "\"express_route\": []"),
            &["connectivity.express_route"],
            "\"express_route\"",
        ),
        case_at(
            "policy minutes as text",
            edit(
                "\"rpo_threshold_minutes\": 15",
                1,
                "\"rpo_threshold_minutes\": \"15\"",
            ),
            &["policies[1].rpo_threshold_minutes"],
            "\"15\"",
        ),
        case_at(
            "process server location",
            edit("\"location\": \"on_prem\"", 0, "\"location\": 3"),
            &["process_servers[1].location"],
            "\"location\": 3",
        ),
        case_at(
            "read_only as text",
            edit("\"read_only\": false", 0, "\"read_only\": \"false\""),
            &["vcenters[0].account.read_only"],
            "\"read_only\"",
        ),
        case_at(
            "privilege as a number",
            edit("\"System.Read\"", 0, "7"),
            &["vcenters[0].account.privileges[1]"],
            "\"privileges\"",
        ),
        case_at(
            "discovered as text",
            edit("\"discovered\": true", 1, "\"discovered\": \"yes\""),
            &["hosts[1].discovered"],
            "\"yes\"",
        ),
        case_at(
            "licence edition",
            edit("\"edition\": \"paid\"", 0, "\"edition\": \"pirated\""),
            &["hosts[0].licence.edition"],
            "pirated",
        ),
        case_at(
            "datastore kind",
            edit("\"kind\": \"vsan\"", 0, "\"kind\": \"ntfs\""),
            &["datastores[2].kind"],
            "\"ntfs\"",
        ),
        case_at(
            "capacity with a fraction",
            edit("8796093022208", 0, "8796093022208.5"),
            &["datastores[2].capacity_bytes"],
            "8796093022208.5",
        ),
        case_at(
            "capacity above u64",
            edit("8796093022208", 0, "18446744073709551616"),
            &["datastores[2].capacity_bytes"],
            "18446744073709551616",
        ),
        case_at(
            "os as a string",
            edit(
                "{\"family\": \"linux\", \"version\": \"CentOS 6.6\"}",
                0,
                "\"CentOS 6.6\"",
            ),
            &["master_targets[1].os"],
            "\"CentOS 6.6\"",
        ),
        case_at(
            "config parameter as a boolean",
            edit(
                "\"disk.enableUUID\": \"True\"",
                1,
                "\"disk.enableUUID\": true",
            ),
            &["master_targets[1].config_params.disk.enableUUID"],
            "\"disk.enableUUID\": true",
        ),
        case_at(
            "snapshots above u32",
            edit("\"snapshots\": 0", 1, "\"snapshots\": 4294967296"),
            &["master_targets[1].snapshots"],
            "4294967296",
        ),
        case_at(
            "volume file system",
            edit("\"file_system\": \"ntfs\"", 1, "\"file_system\": \"zfs\""),
            &["master_targets[0].volumes[1].file_system"],
            "\"zfs\"",
        ),
        case_at(
            "vm datastores as a string",
            edit(
                "\"datastores\": [\"ds-01\"]",
                0,
                "\"datastores\": \"ds-01\"",
            ),
            &["vms[0].datastores"],
            "\"datastores\": \"ds-01\"",
        ),
        case_at(
            "item kind",
            edit("\"physical_server\"", 0, "\"mainframe\""),
            &["items[3].kind"],
            "mainframe",
        ),
        case_at(
            "item state",
            edit(
                "\"state\": \"failed_over_to_azure\"",
                2,
                "\"state\": \"lost\"",
            ),
            &["items[2].state"],
            "\"lost\"",
        ),
        case_at(
            "disks as an object",
            edit(
                "\"disks\": [{\"name\": \"disk0\", \"capacity_bytes\": 128849018880}]",
                0,
                "\"disks\": {}",
            ),
            &["items[3].disks"],
            "\"disks\": {}",
        ),
        case_at(
            "nic dhcp as text",
            edit("\"dhcp\": false", 1, "\"dhcp\": \"no\""),
            &["items[1].azure_vm.nics[0].dhcp"],
            "\"no\"",
        ),
        case_at(
            "azure vm deployment model",
            edit(
                "\"id\": \"APP01\", \"deployment_model\": \"resource_manager\"",
                0,
                "\"id\": \"APP01\", \"deployment_model\": \"hybrid\"",
            ),
            &["items[3].azure_vm.deployment_model"],
            "\"hybrid\"",
        ),
        case_at(
            "plan items as a string",
            edit("[\"db-01\", \"db-02\"]", 0, "\"db-01, db-02\""),
            &["recovery_plans[0].items"],
            "\"db-01, db-02\"",
        ),
        case_at(
            "a plan as a string",
            edit(
                "{\"name\": \"rp-db\", \"items\": [\"db-01\", \"db-02\"]}",
                0,
                "\"rp-db\"",
            ),
            &["recovery_plans[0]"],
            "\"rp-db\"",
        ),
        case(
            "items as an object",
            edit("\"items\": [\n", 0, "\"items\": {\"all\": [\n").replacen(
                "\n  ],\n  \"recovery_plans\"",
                "\n  ]},\n  \"recovery_plans\"",
                1,
            ),
            &["items"],
            line_of(HEALTHY, "\"items\": [\n"),
        ),
    ];
    run(cases);
}

#[test]
fn negative_numbers_are_rejected_at_the_number() {
    let cases = vec![
        case_at(
            "datastore capacity",
            edit(
                "\"capacity_bytes\": 4398046511104",
                0,
                "\"capacity_bytes\": -1",
            ),
            &["datastores[0].capacity_bytes"],
            ": -1",
        ),
        case_at(
            "datastore free space",
            edit("\"free_bytes\": 2199023255552", 0, "\"free_bytes\": -1"),
            &["datastores[0].free_bytes"],
            ": -1",
        ),
        case_at(
            "volume capacity",
            edit(
                "\"capacity_bytes\": 107374182400",
                0,
                "\"capacity_bytes\": -1",
            ),
            &["master_targets[0].volumes[0].capacity_bytes"],
            ": -1",
        ),
        case_at(
            "disk capacity",
            edit("128849018880", 0, "-1"),
            &["items[3].disks[0].capacity_bytes"],
            ": -1",
        ),
        case_at(
            "changed bytes",
            edit("4294967296", 0, "-4294967296"),
            &["items[0].changed_bytes"],
            ": -4294967296",
        ),
        case_at(
            "attached disks",
            edit("\"attached_disks\": 1", 1, "\"attached_disks\": -1"),
            &["master_targets[1].attached_disks"],
            ": -1",
        ),
        case_at(
            "retention minutes",
            edit(
                "\"retention_minutes\": 1440",
                0,
                "\"retention_minutes\": -1440",
            ),
            &["policies[0].retention_minutes"],
            ": -1440",
        ),
    ];
    run(cases);
}

#[test]
fn unknown_fields_are_named() {
    let cases = vec![
        case_at(
            "top level",
            edit("\"name\": \"contoso-lab\"", 0, "\"nam\": \"contoso-lab\""),
            &["nam"],
            "\"nam\"",
        ),
        case_at(
            "connectivity",
            edit("\"express_route\": null", 0, "\"vpn\": true"),
            &["connectivity.vpn"],
            "\"vpn\"",
        ),
        case_at(
            "vcenter account password",
            edit("\"read_only\": false", 0, "\"password\": \"hunter2\""),
            &["vcenters[0].account.password"],
            "\"password\"",
        ),
        case_at(
            "datastore",
            edit(
                "\"free_bytes\": 3298534883328",
                0,
                "\"free\": 3298534883328",
            ),
            &["datastores[1].free"],
            "\"free\"",
        ),
        case_at(
            "master target misspelling",
            edit(
                "\"snapshots\": 0, \"attached",
                1,
                "\"snapshot\": 0, \"attached",
            ),
            &["master_targets[1].snapshot"],
            "\"snapshot\"",
        ),
        case_at(
            "volume",
            edit("\"file_system\": \"ext4\"", 1, "\"fs\": \"ext4\""),
            &["master_targets[1].volumes[1].fs"],
            "\"fs\"",
        ),
        case_at(
            "azure vm",
            edit("\"agent_registered\": true", 2, "\"agent\": true"),
            &["items[2].azure_vm.agent"],
            "\"agent\"",
        ),
        case_at(
            "recovery plan",
            edit(
                "\"name\": \"rp-db\"",
                0,
                "\"name\": \"rp-db\", \"group\": \"db\"",
            ),
            &["recovery_plans[0].group"],
            "\"group\"",
        ),
    ];
    run(cases);
    let errs = errors(&edit(
        "\"name\": \"contoso-lab\"",
        0,
        "\"nam\": \"contoso-lab\"",
    ));
    assert!(
        errs[0].message.contains("`name`"),
        "lists the known fields: {errs:?}"
    );
}

#[test]
fn missing_required_fields_are_named() {
    let cases = vec![
        case(
            "captured_at",
            edit("  \"captured_at\": \"2026-11-20T10:00:00Z\",\n", 0, ""),
            &["captured_at"],
            1,
        ),
        case_at(
            "configuration server address",
            edit("    \"ip_address\": \"10.0.0.10\",\n", 0, ""),
            &["configuration_server.ip_address"],
            "\"configuration_server\"",
        ),
        case_at(
            "host discovered",
            edit("\"discovered\": true, ", 1, ""),
            &["hosts[1].discovered"],
            "\"esx-02\"",
        ),
        case_at(
            "datastore free space",
            edit(", \"free_bytes\": 2199023255552", 0, ""),
            &["datastores[0].free_bytes"],
            "{\"id\": \"ds-01\"",
        ),
        case_at(
            "master target os family",
            edit(
                "\"family\": \"linux\", \"version\": \"CentOS 6.6\"",
                0,
                "\"version\": \"CentOS 6.6\"",
            ),
            &["master_targets[1].os.family"],
            "\"CentOS 6.6\"",
        ),
        case_at(
            "item state",
            edit(",\n     \"state\": \"failed_over_to_azure\"}", 0, "}"),
            &["items[0].state"],
            "\"web-01\", \"name\"",
        ),
        case_at(
            "item disks",
            edit(
                "\"disks\": [{\"name\": \"disk0\", \"capacity_bytes\": 128849018880}],",
                0,
                "",
            ),
            &["items[3].disks"],
            "{\"id\": \"app-01\"",
        ),
        case_at(
            "plan items",
            edit(", \"items\": [\"db-01\", \"db-02\"]", 0, ""),
            &["recovery_plans[0].items"],
            "\"rp-db\"",
        ),
    ];
    run(cases);
    let errs = errors(&edit(
        ",\n     \"state\": \"failed_over_to_azure\"}",
        0,
        "}",
    ));
    assert!(errs[0].message.contains("`state`"), "{errs:?}");
}

#[test]
fn a_repeated_member_is_named_at_the_repeat() {
    let cases = vec![
        case_at(
            "top level",
            edit(
                "  \"flavor\": \"classic\",\n",
                0,
                "  \"flavor\": \"classic\",\n  \"flavor\": \"modernized\",\n",
            ),
            &["flavor"],
            "\"modernized\"",
        ),
        case_at(
            "in a host",
            edit(
                "\"discovered\": true, ",
                1,
                "\"discovered\": true, \"discovered\": false, ",
            ),
            &["hosts[1].discovered"],
            "\"esx-02\"",
        ),
    ];
    run(cases);
}

#[test]
fn impossible_estates_name_every_bad_reference() {
    let cases = vec![
        case_at(
            "a VM on a host that does not exist",
            edit("\"name\": \"WEB01\", \"host\": \"esx-01\"", 0, "\"name\": \"WEB01\", \"host\": \"esx-09\""),
            &["vms[0].host"],
            "esx-09",
        ),
        case_at(
            "a VM on a datastore that does not exist",
            edit("\"datastores\": [\"ds-01\"]", 0, "\"datastores\": [\"ds-09\"]"),
            &["vms[0].datastores[0]"],
            "ds-09",
        ),
        case_at(
            "a VM on no datastore",
            edit("\"datastores\": [\"ds-01\"]", 0, "\"datastores\": []"),
            &["vms[0].datastores"],
            "\"datastores\": []",
        ),
        case_at(
            "a master target on a missing datastore",
            edit("\"datastore\": \"ds-02\"", 0, "\"datastore\": \"ds-09\""),
            &["master_targets[1].datastore"],
            "ds-09",
        ),
        case_at(
            "a master target on a missing host",
            edit("\"host\": \"esx-01\", \"datastore\"", 0, "\"host\": \"esx-09\", \"datastore\""),
            &["master_targets[0].host"],
            "esx-09",
        ),
        case_at(
            "a host of a vCenter that does not exist",
            edit("\"vcenter\": \"vc-01\"", 1, "\"vcenter\": \"vc-09\""),
            &["hosts[1].vcenter"],
            "vc-09",
        ),
        case_at(
            "a host reaching a datastore that does not exist",
            edit("[\"ds-02\", \"ds-03\"]", 0, "[\"ds-02\", \"ds-09\"]"),
            &["hosts[1].datastores[1]"],
            "ds-09",
        ),
        case_at(
            "datastore free space above capacity",
            edit("\"free_bytes\": 3298534883328", 0, "\"free_bytes\": 9999999999999"),
            &["datastores[1].free_bytes"],
            "9999999999999",
        ),
        case_at(
            "volume free space above capacity",
            edit("\"free_bytes\": 1073741824000", 0, "\"free_bytes\": 2000000000000"),
            &["master_targets[1].volumes[1].free_bytes"],
            "2000000000000",
        ),
        case_at(
            "a cache volume the master target does not have",
            edit("\"cache_volume\": \"C:\"", 0, "\"cache_volume\": \"D:\""),
            &["master_targets[0].cache_volume"],
            "\"D:\"",
        ),
        case_at(
            "duplicate master target ids",
            edit("\"id\": \"mt-lin-01\"", 0, "\"id\": \"mt-win-01\""),
            &["master_targets[1].id"],
            "\"mt-win-01\", \"name\": \"mt-lin-01\"",
        ),
        case_at(
            "duplicate datastore ids, and the references to the lost one",
            edit("\"id\": \"ds-02\"", 0, "\"id\": \"ds-01\""),
            &[
                "datastores[1].id",
                "hosts[0].datastores[1]",
                "hosts[1].datastores[0]",
                "master_targets[1].datastore",
            ],
            "DS-GOLD-02",
        ),
        case_at(
            "duplicate item ids",
            edit("\"id\": \"db-02\"", 0, "\"id\": \"db-01\""),
            &["items[2].id", "recovery_plans[0].items[1]"],
            "\"DB02\"",
        ),
        case_at(
            "duplicate policy ids",
            edit("\"id\": \"pol-forward-failback\"", 0, "\"id\": \"pol-forward\""),
            &["policies[1].id"],
            "\"direction\": \"failback\"",
        ),
        case_at(
            "duplicate recovery plan names",
            edit(
                "{\"name\": \"rp-db\", \"items\": [\"db-01\", \"db-02\"]}",
                0,
                "{\"name\": \"rp-db\", \"items\": [\"db-01\", \"db-02\"]},\n    {\"name\": \"rp-db\", \"items\": [\"web-01\"]}",
            ),
            &["recovery_plans[1].name"],
            "\"web-01\"]}",
        ),
        case_at(
            "an empty host id",
            edit("{\"id\": \"esx-02\"", 0, "{\"id\": \" \""),
            &["hosts[1].id", "master_targets[1].host"],
            "{\"id\": \" \"",
        ),
        case_at(
            "duplicate disk names in an item",
            edit("{\"name\": \"sdb\"", 0, "{\"name\": \"sda\""),
            &["items[1].disks[1]"],
            "{\"name\": \"sda\", \"capacity_bytes\": 214748364800}",
        ),
        case_at(
            "duplicate volume names",
            edit("{\"name\": \"R:\"", 0, "{\"name\": \"C:\""),
            &["master_targets[0].volumes[1]"],
            "\"name\": \"C:\", \"file_system\": \"ntfs\", \"capacity_bytes\": 1099511627776",
        ),
        case_at(
            "duplicate recovery point ids",
            edit(
                "\"state\": \"failed_over_to_azure\"},\n    {\"id\": \"db-01\"",
                0,
                "\"state\": \"replicating_to_on_prem\", \"master_target\": \"mt-win-01\",\n     \"recovery_points\": [{\"id\": \"p1\", \"time\": \"2026-11-20T09:00:00Z\", \"consistency\": \"crash_consistent\"},\n       {\"id\": \"p1\", \"time\": \"2026-11-20T09:05:00Z\", \"consistency\": \"crash_consistent\"}]},\n    {\"id\": \"db-01\"",
            ),
            &["items[0].recovery_points[1]"],
            "09:05:00Z",
        ),
        case_at(
            "a physical server with an original VM",
            edit("\"kind\": \"physical_server\",", 0, "\"kind\": \"physical_server\", \"original_vm\": \"vm-web-01\","),
            &["items[3].original_vm"],
            "\"physical_server\", \"original_vm\"",
        ),
        case_at(
            "an original VM that does not exist",
            edit("\"original_vm\": \"vm-web-01\"", 0, "\"original_vm\": \"vm-09\""),
            &["items[0].original_vm"],
            "vm-09",
        ),
        case_at(
            "an item on a master target that does not exist",
            edit("\"original_vm\": \"vm-web-01\"", 0, "\"original_vm\": \"vm-web-01\", \"master_target\": \"mt-09\""),
            &["items[0].master_target"],
            "mt-09",
        ),
        case_at(
            "an Azure VM in a network that does not exist",
            edit("\"network\": \"vnet-prod\", \"resource_group\"", 1, "\"network\": \"vnet-09\", \"resource_group\""),
            &["items[1].azure_vm.network"],
            "vnet-09",
        ),
        case_at(
            "an Azure process server without a network",
            edit("\"network\": \"vnet-prod\", ", 0, ""),
            &["process_servers[0].network"],
            "\"ps-azure-01\"",
        ),
        case_at(
            "a process server in a network that does not exist",
            edit("\"network\": \"vnet-prod\", ", 0, "\"network\": \"vnet-09\", "),
            &["process_servers[0].network"],
            "vnet-09",
        ),
        case_at(
            "ExpressRoute on a network that does not exist",
            edit("\"express_route\": null", 0, "\"express_route\": {\"circuit\": \"er-1\", \"networks\": [\"vnet-prod\", \"vnet-09\"]}"),
            &["connectivity.express_route.networks[1]"],
            "vnet-09",
        ),
        case_at(
            "a policy of a configuration server that does not exist",
            edit("\"associated_with\": \"cs-01\"", 1, "\"associated_with\": \"cs-09\""),
            &["policies[1].associated_with"],
            "cs-09",
        ),
        case_at(
            "a failback policy derived from a policy that does not exist",
            edit("\"derived_from\": \"pol-forward\"", 0, "\"derived_from\": \"pol-09\""),
            &["policies[1].derived_from"],
            "pol-09",
        ),
        case_at(
            "a recovery plan naming an unknown item",
            edit("[\"db-01\", \"db-02\"]", 0, "[\"db-01\", \"db-99\"]"),
            &["recovery_plans[0].items[1]"],
            "db-99",
        ),
    ];
    run(cases);
}

#[test]
fn semantic_errors_carry_what_and_how() {
    let errs = errors(&edit(
        "\"kind\": \"physical_server\",",
        0,
        "\"kind\": \"physical_server\", \"original_vm\": \"vm-web-01\",",
    ));
    assert!(errs[0].message.contains("physical server"), "{errs:?}");
    assert!(errs[0].fix.contains("original_vm"), "{errs:?}");
    let shown = Error::InvalidInput(errs).to_string();
    let line = line_of(
        &edit(
            "\"kind\": \"physical_server\",",
            0,
            "\"kind\": \"physical_server\", \"original_vm\": \"vm-web-01\",",
        ),
        "\"physical_server\", \"original_vm\"",
    );
    assert!(
        shown.contains("`items[3].original_vm`") && shown.contains(&format!("line {line},")),
        "{shown}"
    );
}

#[test]
fn problems_past_fifty_are_counted_not_listed() {
    let unknown: Vec<String> = (0..60).map(|i| format!("\"ghost-{i}\"")).collect();
    let text = edit(
        "[\"db-01\", \"db-02\"]",
        0,
        &format!("[\"db-01\", \"db-02\", {}]", unknown.join(", ")),
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 51, "{errs:#?}");
    assert_eq!(errs[0].path, "recovery_plans[0].items[2]");
    assert_eq!(errs[49].path, "recovery_plans[0].items[51]");
    assert_eq!(errs[50].path, "");
    assert!(errs[50].message.contains("10 more"), "{:?}", errs[50]);
}

#[test]
fn an_estate_built_in_code_is_checked_without_lines() {
    let mut e = failback_tests::healthy();
    e.vms[0].host = "esx-09".into();
    let Err(Error::InvalidInput(errs)) = e.validate() else {
        panic!("accepted a VM on a missing host")
    };
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].path, "vms[0].host");
    assert_eq!((errs[0].line, errs[0].column), (None, None));
}

#[test]
fn a_file_that_is_not_utf8_is_an_io_error() {
    let path = std::env::temp_dir().join(format!(
        "failback-broken-documents-{}.json",
        std::process::id()
    ));
    let mut bytes = HEALTHY.as_bytes().to_vec();
    bytes[40] = 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let result = Estate::from_path(&path);
    let _ = std::fs::remove_file(&path);
    match result {
        Err(Error::Io { .. }) => {}
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// `items[3].azure_vm.network`, the form errors use.
fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Whether one path is the other or encloses it.
fn related(a: &str, b: &str) -> bool {
    let encloses = |outer: &str, inner: &str| {
        outer.is_empty()
            || inner == outer
            || (inner.starts_with(outer)
                && matches!(inner.as_bytes().get(outer.len()), Some(b'.' | b'[')))
    };
    encloses(a, b) || encloses(b, a)
}

fn healthy_value() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| match serde_json::from_str(HEALTHY) {
        Ok(v) => v,
        Err(e) => panic!("healthy.json: {e}"),
    })
}

fn get_mut<'v>(v: &'v mut Value, path: &[Seg]) -> &'v mut Value {
    path.iter().fold(v, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

/// Every value of the healthy example (the root included), with its path.
fn all_values() -> &'static [(Vec<Seg>, Value)] {
    static V: OnceLock<Vec<(Vec<Seg>, Value)>> = OnceLock::new();
    V.get_or_init(|| {
        fn walk(v: &Value, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, Value)>) {
            out.push((path.clone(), v.clone()));
            match v {
                Value::Object(m) => {
                    for (k, child) in m {
                        path.push(Seg::Key(k.clone()));
                        walk(child, path, out);
                        path.pop();
                    }
                }
                Value::Array(a) => {
                    for (i, child) in a.iter().enumerate() {
                        path.push(Seg::Index(i));
                        walk(child, path, out);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(healthy_value(), &mut Vec::new(), &mut out);
        out
    })
}

/// An object member: the object's path and the member's name.
type Member = (Vec<Seg>, String);

/// The members of the healthy example that the estate schema marks required, and the
/// optional ones, as (object path, member).
fn members() -> &'static (Vec<Member>, Vec<Member>) {
    static M: OnceLock<(Vec<Member>, Vec<Member>)> = OnceLock::new();
    M.get_or_init(|| {
        let schema = failback_core::schema::estate();
        let defs = &schema["$defs"];
        let mut required = Vec::new();
        let mut optional = Vec::new();
        let mut stack = vec![(Vec::new(), healthy_value().clone(), schema.clone())];
        while let Some((path, v, s)) = stack.pop() {
            let s = resolve(defs, &s);
            match &v {
                Value::Object(m) => {
                    if let Some(props) = s.get("properties").and_then(Value::as_object) {
                        let req: Vec<&str> = s["required"]
                            .as_array()
                            .map(|r| r.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        for (k, child) in m {
                            let mut p = path.clone();
                            if req.contains(&k.as_str()) {
                                required.push((path.clone(), k.clone()));
                            } else {
                                optional.push((path.clone(), k.clone()));
                            }
                            p.push(Seg::Key(k.clone()));
                            let cs = props.get(k).cloned().unwrap_or(Value::Null);
                            stack.push((p, child.clone(), cs));
                        }
                    } else if let Some(add) = s.get("additionalProperties") {
                        for (k, child) in m {
                            optional.push((path.clone(), k.clone()));
                            let mut p = path.clone();
                            p.push(Seg::Key(k.clone()));
                            stack.push((p, child.clone(), add.clone()));
                        }
                    }
                }
                Value::Array(a) => {
                    for (i, child) in a.iter().enumerate() {
                        let mut p = path.clone();
                        p.push(Seg::Index(i));
                        stack.push((p, child.clone(), s["items"].clone()));
                    }
                }
                _ => {}
            }
        }
        (required, optional)
    })
}

/// Follows `$ref` and the non-null branch of an `anyOf` (an `Option`).
fn resolve<'a>(defs: &'a Value, mut s: &'a Value) -> &'a Value {
    loop {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = &defs[r.trim_start_matches("#/$defs/")];
        } else if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            match any
                .iter()
                .find(|b| b.get("type") != Some(&Value::from("null")))
            {
                Some(b) => s = b,
                None => return s,
            }
        } else {
            return s;
        }
    }
}

/// Loads `text`: never panics (proptest reports a panic as a failure); a rejection is
/// InvalidInput whose every problem says what is wrong and how to fix it, at a line and
/// column inside the text.
fn load(text: &str) -> Result<(), Vec<InputError>> {
    match Estate::from_json_str(text) {
        Ok(_) => Ok(()),
        Err(Error::InvalidInput(errs)) => {
            assert!(!errs.is_empty(), "InvalidInput without a problem");
            let lines = text.matches('\n').count() + 1;
            for e in &errs {
                assert!(!e.message.trim().is_empty(), "empty message: {e:?}");
                assert!(!e.fix.trim().is_empty(), "empty fix: {e:?}");
                if let Some(l) = e.line {
                    assert!((1..=lines).contains(&l), "line {l} of {lines}: {e:?}");
                }
                if let Some(c) = e.column {
                    assert!(c >= 1, "column 0: {e:?}");
                }
            }
            Err(errs)
        }
        Err(other) => panic!("not InvalidInput: {other:?}"),
    }
}

fn rejected(text: &str) -> Vec<InputError> {
    match load(text) {
        Ok(()) => panic!("accepted:\n{text}"),
        Err(errs) => errs,
    }
}

/// Characters that make or break JSON, plus some ordinary ones.
const NOISE: &[u8] = b"{}[]\",:\\-.0123456789eE+ \n\tanulfrtsx/";

/// A sentinel no value of the healthy example contains.
const SENTINEL_TEXT: &str = "__broken_sentinel__";
const SENTINEL_NUMBER: u64 = 987_654_321_012;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Cut anywhere: a syntax error at the line and column where the text ends.
    #[test]
    fn truncation_reports_the_end(cut in 0..HEALTHY.trim_end().len()) {
        let text = &HEALTHY[..cut];
        let errs = rejected(text);
        prop_assert_eq!(errs.len(), 1);
        prop_assert_eq!(errs[0].path.as_str(), "");
        let (line, column) = end_position(text);
        prop_assert_eq!((errs[0].line, errs[0].column), (Some(line), Some(column)));
    }

    /// Random bytes replaced, deleted or inserted: never a panic, always a usable error.
    #[test]
    fn byte_edits_never_panic(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(NOISE)),
            1..5,
        )
    ) {
        let mut bytes = HEALTHY.as_bytes().to_vec();
        for (at, op, b) in edits {
            let i = at.index(bytes.len() + 1);
            match op {
                0 if i < bytes.len() => bytes[i] = b,
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, b),
            }
        }
        let text = String::from_utf8(bytes).unwrap();
        let _ = load(&text);
    }

    /// A value replaced by one of another type: rejected at exactly that path and on the
    /// line of the new value.
    #[test]
    fn a_value_of_another_type_is_named(pick in any::<prop::sample::Index>()) {
        let (path, old) = pick.get(all_values());
        let new = match old {
            Value::String(_) => Value::from(SENTINEL_NUMBER),
            _ => Value::from(SENTINEL_TEXT),
        };
        let mut doc = healthy_value().clone();
        *get_mut(&mut doc, path) = new.clone();
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let errs = rejected(&text);
        let want = render(path);
        prop_assert!(
            errs.iter().any(|e| related(&e.path, &want)),
            "edited {}, errors {:?}", want, errs
        );
        prop_assert_eq!(&errs[0].path, &want);
        let marker = new.to_string();
        prop_assert_eq!(errs[0].line, Some(line_of(&text, &marker)), "{:?}", errs);
    }

    /// A required member deleted: rejected, naming that member.
    #[test]
    fn a_missing_required_member_is_named(pick in any::<prop::sample::Index>()) {
        let (object, key) = pick.get(&members().0);
        let mut doc = healthy_value().clone();
        if let Value::Object(m) = get_mut(&mut doc, object) {
            m.remove(key);
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let errs = rejected(&text);
        let mut full = object.clone();
        full.push(Seg::Key(key.clone()));
        let want = render(&full);
        prop_assert!(
            errs.iter().any(|e| related(&e.path, &want)),
            "deleted {}, errors {:?}", want, errs
        );
        prop_assert_eq!(&errs[0].path, &want);
        prop_assert!(errs[0].line.is_some(), "{:?}", errs);
    }

    /// An optional member deleted: loads, or is rejected with a usable error (a policy's
    /// configuration server may vanish with it).
    #[test]
    fn a_missing_optional_member_loads_or_says_why(pick in any::<prop::sample::Index>()) {
        let (object, key) = pick.get(&members().1);
        let mut doc = healthy_value().clone();
        if let Value::Object(m) = get_mut(&mut doc, object) {
            m.remove(key);
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let _ = load(&text);
    }

    /// A number negated: every number of an estate is a count or a size, so it is
    /// rejected at that number.
    #[test]
    fn a_negated_number_is_named(pick in any::<prop::sample::Index>()) {
        let numbers: Vec<&(Vec<Seg>, Value)> = all_values()
            .iter()
            .filter(|(_, v)| v.as_u64().is_some_and(|n| n > 0))
            .collect();
        let (path, old) = *pick.get(&numbers);
        let n = old.as_u64().unwrap();
        let negated = -i64::try_from(n).unwrap();
        let mut doc = healthy_value().clone();
        *get_mut(&mut doc, path) = Value::from(negated);
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let errs = rejected(&text);
        let want = render(path);
        prop_assert_eq!(errs.len(), 1, "{:?}", errs);
        prop_assert_eq!(&errs[0].path, &want);
        prop_assert_eq!(
            errs[0].line,
            Some(line_of(&text, &format!(": {negated}"))),
            "{:?}", errs
        );
    }
}
