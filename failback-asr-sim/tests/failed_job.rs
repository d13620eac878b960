//! A job that fails in the vault reaches the run report with ASR's code, possible causes
//! and recommended action, through the simulator's job resource and the adapter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use failback_asr_sim::{start, Settings};
use failback_core::orchestrator::ItemStatus;
use failback_core::Estate;
use failback_lab::{Faults, LabSettings, LabSite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_s_code_causes_and_action_reach_the_run_report() {
    let estate =
        Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap();
    let site = LabSite::new(
        estate,
        LabSettings {
            time_scale: 20_000.0,
            seed: 5,
            faults: Faults {
                job_failure: 1.0,
                ..Faults::none()
            },
            ..LabSettings::default()
        },
    );
    let sim = start(site, Settings::default()).await.unwrap();
    let run = common::run_over(&sim, "failed-job").await;
    let failed: Vec<_> = run
        .items
        .iter()
        .filter_map(|i| match &i.status {
            ItemStatus::Failed {
                cause, job_error, ..
            } => Some((i, cause, job_error)),
            _ => None,
        })
        .collect();
    assert!(!failed.is_empty(), "{:#?}", run.items);
    for (item, cause, job_error) in failed {
        let e = job_error
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no job error ({cause})", item.item));
        // The lab's injected failures carry a LAB- code, one cause and an action; each
        // came through ASR's job (serviceErrorDetails) over HTTP.
        assert!(
            e.code.as_deref().is_some_and(|c| c.starts_with("LAB-")),
            "{}: {e:?}",
            item.item
        );
        assert_eq!(e.possible_causes.len(), 1, "{}: {e:?}", item.item);
        assert!(
            e.recommended_action
                .as_deref()
                .is_some_and(|a| a.contains("retry")),
            "{}: {e:?}",
            item.item
        );
        // And the report's text names them.
        let json = serde_json::to_string(&item.status).unwrap();
        assert!(json.contains(e.code.as_deref().unwrap()), "{json}");
        assert!(json.contains(&e.possible_causes[0]), "{json}");
    }
}
