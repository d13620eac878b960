//! `failback discover azure` against the ASR simulator (started here, over the lab of a
//! generated estate): the Azure half it writes, combined with the on-premises half and
//! supplemented with the facts, assesses as the lab's estate does; bad input and a
//! refused token are clear errors.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use failback_asr_sim::{start, Running, Settings};
use failback_lab::generate::{self, Spec};
use failback_lab::{LabSettings, LabSite};

const BIN: &str = env!("CARGO_BIN_EXE_failback");

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("failback-discover-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The simulator over a generated lab of `n` items, and the lab's estate as a file.
fn serve(rt: &tokio::runtime::Runtime, n: usize, d: &Path) -> (Running, PathBuf) {
    // The lab's clock starts now and runs at real time: the command reads the vault on
    // the machine's clock, as it would a real vault.
    let settings = LabSettings {
        start: chrono::Utc::now(),
        time_scale: 1.0,
        ..LabSettings::default()
    };
    let mut spec = Spec::for_items(n).with_seed(3);
    spec.captured_at = settings.start;
    let estate = generate::estate(&spec);
    let file = d.join("lab-estate.json");
    std::fs::write(&file, estate.to_json_pretty()).unwrap();
    let _inside = rt.enter();
    let lab = LabSite::new(estate, settings);
    let sim = rt.block_on(start(lab, Settings::default())).unwrap();
    (sim, file)
}

fn discover(sim: &Running, token: &str, extra: &[&str]) -> Output {
    let vault = Settings::default().vault;
    Command::new(BIN)
        .args(["discover", "azure", "--endpoint"])
        .arg(sim.http_url())
        .args(["--subscription", &vault.subscription])
        .args(["--resource-group", &vault.resource_group])
        .args(["--vault", &vault.name])
        .args(extra)
        .env("FAILBACK_AZURE_TOKEN", token)
        .env_remove("AZURE_ARM_ENDPOINT")
        .output()
        .unwrap()
}

#[test]
fn the_vault_read_over_http_assesses_as_the_lab_estate_does() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let d = dir("assess");
    let (sim, lab_file) = serve(&rt, 12, &d);
    let out = d.join("discovered.json");
    let lab = lab_file.to_str().unwrap();
    let o = discover(
        &sim,
        &Settings::default().token,
        &[
            "--onprem",
            lab,
            "--facts",
            lab,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).contains("12 items of vault lab-vault"),
        "{}",
        text(&o.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["format"], "failback-estate/1");
    assert_eq!(v["items"].as_array().unwrap().len(), 12);
    // The discovered estate passes the same rules as the lab's own.
    for estate in [&out, &lab_file] {
        let o = Command::new(BIN)
            .args(["assess", "--format", "json"])
            .arg(estate)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            estate.display(),
            text(&o.stdout)
        );
    }
    // The Azure half alone: written to standard output, an estate document too.
    let o = discover(&sim, &Settings::default().token, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let half: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(half["items"].as_array().unwrap().len(), 12);
    assert!(
        half["vcenters"].as_array().is_none_or(|v| v.is_empty()),
        "{half}"
    );
}

#[test]
fn a_refused_token_and_a_bad_file_are_clear_errors_without_the_token() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let d = dir("errors");
    let (sim, _) = serve(&rt, 3, &d);
    let o = discover(&sim, "not-the-token-4f2a", &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.to_lowercase().contains("authentic") || err.contains("401"),
        "{err}"
    );
    assert!(
        !err.contains("not-the-token-4f2a"),
        "the token was printed: {err}"
    );

    let broken = d.join("broken.json");
    std::fs::write(&broken, "{ \"format\": ").unwrap();
    let o = discover(
        &sim,
        &Settings::default().token,
        &["--facts", broken.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("broken.json"), "{err}");
    // Nothing was asked of the vault for a bad file.
    let before = sim.requests();
    let _ = discover(
        &sim,
        &Settings::default().token,
        &["--onprem", "/no/such/file.json"],
    );
    assert_eq!(sim.requests(), before);
}
