//! The `failback-asr-sim` binary: its flags are checked with clear errors, and a started
//! simulator prints its JSON line and serves with the settings the flags give (the page
//! size here; the job time and `Retry-After` are what the Python SDK test runs with).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_failback-asr-sim");

#[test]
fn bad_flags_are_refused_with_the_flag_named() {
    for (args, says) in [
        (&["--page-size", "0"][..], "--page-size 0: give at least 1"),
        (
            &["--retry-after", "-1"][..],
            "--retry-after -1: give a number",
        ),
        (
            &["--retry-after", "inf"][..],
            "--retry-after inf: give a number",
        ),
        (
            &["--job-seconds", "NaN"][..],
            "--job-seconds NaN: give a number",
        ),
        (
            &["--job-seconds", "1e12"][..],
            "--job-seconds 1000000000000",
        ),
        (&["--time-scale", "0.5"][..], "--time-scale 0.5"),
        (&["--vms", "0"][..], "--vms 0"),
    ] {
        let out = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
    }
}

#[tokio::test]
async fn serves_with_the_flags_until_stdin_closes() {
    let mut child = Command::new(BIN)
        .args([
            "--vms",
            "5",
            "--page-size",
            "2",
            "--retry-after",
            "0.5",
            "--job-seconds",
            "30",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(info["https"].is_null() && info["ca"].is_null(), "{info}");
    let url = format!(
        "{}/subscriptions/{}/resourceGroups/{}/providers/Microsoft.RecoveryServices/vaults/{}/replicationProtectedItems?api-version=2025-08-01",
        info["http"].as_str().unwrap(),
        info["subscription"].as_str().unwrap(),
        info["resource_group"].as_str().unwrap(),
        info["vault"].as_str().unwrap(),
    );
    let client = reqwest::Client::new();
    let mut next = Some(url);
    let mut pages = Vec::new();
    while let Some(url) = next {
        let page: serde_json::Value = client
            .get(&url)
            .bearer_auth(info["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages.push(page["value"].as_array().unwrap().len());
        next = page["nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(pages, [2, 2, 1]);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}
