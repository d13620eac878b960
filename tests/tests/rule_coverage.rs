//! Every rule of the catalog has at least one test where it fires and one where it does
//! not, named after its ID: `loc_001_fires_…` and `loc_001_quiet_…` in a
//! `tests/tests/rules_*.rs` file.

use failback_core::rules::RuleId;

const SOURCES: &[&str] = &[include_str!("rules_a.rs"), include_str!("rules_b.rs")];

#[test]
fn every_rule_has_a_firing_and_a_quiet_test() {
    let mut missing = Vec::new();
    for rule in RuleId::ALL {
        let stem = rule.as_str().to_ascii_lowercase().replace('-', "_");
        for kind in ["fires", "quiet"] {
            let name = format!("fn {stem}_{kind}");
            if !SOURCES.iter().any(|s| s.contains(&name)) {
                missing.push(format!("{stem}_{kind}"));
            }
        }
    }
    assert!(missing.is_empty(), "rules without tests: {missing:?}");
}

#[test]
fn the_catalog_has_every_family_of_the_domain() {
    for prefix in [
        "LOC", "PRE", "PS", "MT", "RET", "POL", "GRP", "FO", "NET", "OPS", "EXT",
    ] {
        assert!(
            RuleId::ALL
                .iter()
                .any(|r| r.as_str().starts_with(&format!("{prefix}-"))),
            "{prefix}"
        );
    }
    assert_eq!(RuleId::ALL.len(), 63);
}
