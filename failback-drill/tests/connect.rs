//! A drill reaches its lab through the providers its `Connect` gives: here the lab's own
//! behind the seeded fault wrappers, for the run and for its resume after a crash, as a
//! drill over HTTP will reach the lab through the adapters and a simulator.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use failback_core::estate::Flavor;
use failback_drill::{
    resume, Connect, Drill, DrillError, EstateSource, Outcome, Planned, Providers, ResumeOptions,
    Resumed, Unwatched, COUNTERS_FILE,
};
use failback_lab::faulty::{FaultInjector, FaultyOnPrem, FaultyRecovery};
use failback_lab::Faults;

fn through(injector: &Arc<FaultInjector>) -> Connect {
    let injector = injector.clone();
    Connect::new(move |lab| {
        let own = Providers::of(lab);
        Ok(Providers {
            recovery: Arc::new(FaultyRecovery::new(own.recovery, injector.clone())),
            onprem: Arc::new(FaultyOnPrem::new(own.onprem, injector.clone())),
            verifier: own.verifier,
            transport: None,
        })
    })
}

fn faults() -> Faults {
    Faults {
        transient: 0.05,
        throttle: 0.03,
        lost_response: 0.05,
        retry_after: Duration::from_secs(15),
        ..Faults::none()
    }
}

#[test]
fn a_drill_and_its_resume_run_through_the_providers_connected() {
    let out = std::env::temp_dir().join(format!("fb-drill-connect-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let first = Arc::new(FaultInjector::new(faults(), 4));
    let drill = Drill::new(EstateSource::Generated {
        vms: 40,
        seed: 2,
        flavor: Flavor::Classic,
    })
    .out(&out)
    .connect(through(&first))
    .crash_at_record(Some(300));
    let Planned::Ready(plan) = drill.plan().unwrap() else {
        panic!("refused")
    };
    match drill.run(*plan, &mut Unwatched) {
        Err(DrillError::Crashed(_)) => {}
        other => panic!("expected the simulated crash, got {other:?}"),
    }
    let before = first.counts();
    assert!(
        before.calls > 0 && before.transient + before.throttled > 0,
        "{before:?}"
    );

    let second = Arc::new(FaultInjector::new(faults(), 5));
    let options = ResumeOptions {
        connect: Some(through(&second)),
        ..ResumeOptions::default()
    };
    let Resumed::Ran(done) =
        resume(&out.join("failback.journal"), &options, &mut Unwatched).unwrap()
    else {
        panic!("the crashed run was taken as finished")
    };
    assert_eq!(done.outcome, Outcome::AllDone, "{:?}", done.totals);
    let after = second.counts();
    assert!(
        after.calls > 0,
        "the resume did not go through its providers"
    );
    // The lab underneath saw every lost response's job found again: no rule broken.
    let counters: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join(COUNTERS_FILE)).unwrap()).unwrap();
    assert_eq!(counters["clean"], true, "{counters}");
    assert_eq!(
        counters["counters"]["violations"],
        serde_json::json!([]),
        "{counters}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
