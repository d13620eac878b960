//! `failback-core` stays free of HTTP, TLS and XML: its normal dependency tree, on every
//! target, holds none of reqwest, hyper, rustls, native-tls, openssl or quick-xml (nor a
//! crate built around one of them, like `hyper-util` or `tokio-rustls`); and it depends on
//! no lab code, not even for its own tests: the lab is a provider like the adapters.

use std::path::Path;
use std::process::{Command, Output};

const BANNED: &[&str] = &[
    "reqwest",
    "hyper",
    "rustls",
    "native-tls",
    "openssl",
    "quick-xml",
];

/// Whether a package name is a banned crate or one built around it.
fn banned(name: &str) -> Option<&'static str> {
    BANNED.iter().copied().find(|b| {
        name == *b
            || name.starts_with(&format!("{b}-"))
            || name.ends_with(&format!("-{b}"))
            || name.contains(&format!("-{b}-"))
    })
}

fn cargo_tree(edges: &str, extra: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut cmd = Command::new(cargo);
    cmd.arg("tree")
        .arg("--manifest-path")
        .arg(&manifest)
        .args([
            "-p",
            "failback-core",
            "-e",
            edges,
            "--target",
            "all",
            "--charset",
            "ascii",
        ])
        .args(extra);
    match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run cargo tree: {e}"),
    }
}

/// The tree, from the local registry cache when it has everything, else online.
fn tree(edges: &str) -> String {
    let offline = cargo_tree(edges, &["--offline"]);
    let out = if offline.status.success() {
        offline
    } else {
        cargo_tree(edges, &[])
    };
    assert!(
        out.status.success(),
        "cargo tree failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The package name on a line of `cargo tree --charset ascii`.
fn package(line: &str) -> &str {
    line.trim_start_matches(['|', '`', '-', '\\', ' '])
        .split_whitespace()
        .next()
        .unwrap_or("")
}

#[test]
fn core_has_no_http_tls_or_xml_dependency() {
    let tree = tree("normal");
    let names: Vec<&str> = tree.lines().map(package).collect();
    // Not vacuous: the tree is the core's, and lists what it does use.
    assert_eq!(names.first().copied(), Some("failback-core"), "{tree}");
    for expected in ["serde", "serde_json", "chrono", "schemars"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from:\n{tree}"
        );
    }
    let offending: Vec<String> = tree
        .lines()
        .filter_map(|l| banned(package(l)).map(|b| format!("{b}: {}", l.trim_end())))
        .collect();
    assert!(
        offending.is_empty(),
        "failback-core must not depend on HTTP, TLS or XML crates; `cargo tree -p \
         failback-core -e normal --target all -i <crate>` shows who pulls them in:\n{}",
        offending.join("\n")
    );
}

#[test]
fn core_depends_on_no_lab_code() {
    let tree = tree("normal,dev,build");
    let names: Vec<&str> = tree.lines().map(package).collect();
    // Not vacuous: the dev-dependencies are in this tree.
    assert!(names.contains(&"proptest"), "{tree}");
    assert!(
        !names.contains(&"failback-lab"),
        "failback-core must not depend on failback-lab, not even to test: move the test \
         to the tests crate or to failback-lab:\n{tree}"
    );
}

#[test]
fn the_ban_matches_related_crates_only() {
    for name in [
        "hyper",
        "hyper-util",
        "tokio-rustls",
        "rustls-pki-types",
        "openssl-sys",
        "tokio-native-tls",
        "quick-xml",
    ] {
        assert!(banned(name).is_some(), "{name}");
    }
    for name in ["serde", "hyperloglog", "xml-rs-free", "failback-core"] {
        assert!(banned(name).is_none(), "{name}");
    }
    assert_eq!(package("|   |-- hyper-util v0.1.0"), "hyper-util");
    assert_eq!(package("`-- thiserror v2.0.21"), "thiserror");
    assert_eq!(package("failback-core v0.1.0 (/work)"), "failback-core");
}
