//! Errors and the item index over a fake ARM: a refusal (409) is a conflict, a 5xx on a
//! mutation is not sent again, an item whose RPI moved is found again by listing the items
//! once; and the reads of an item (its state, points, Azure VM).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;
mod provider_common;

use failback_core::estate::{Consistency, Flavor};
use failback_core::provider::{RecoveryProvider, Target};
use failback_core::state::ProtectionState;
use failback_core::{ErrorKind, ErrorStatus};
use http_common::{Reply, VAULT};
use provider_common::{at, classic, rpi_id, Fake, CS};
use serde_json::json;

fn item(id: &str) -> Target {
    Target::Item(id.to_string())
}

#[tokio::test(start_paused = true)]
async fn a_refusal_is_a_conflict_and_a_5xx_is_not_sent_again() {
    let mut v = classic();
    v.on(|seen, _| {
        if seen.method != "POST" {
            return None;
        }
        if seen.path.ends_with("/web-01/failoverCommit") {
            return Some(Reply::arm_error(
                409,
                "ProtectionEntityInvalidState",
                "web-01 has not failed over",
            ));
        }
        if seen.path.ends_with("/db-01/failoverCommit") {
            return Some(Reply::arm_error(503, "ServiceUnavailable", "try later"));
        }
        None
    });
    let fake = Fake::start(v).await;
    let azure = fake.provider(Flavor::Classic);
    let e = azure.commit(&item("web-01")).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Conflict));
    assert_eq!(e.status(), ErrorStatus::Permanent);
    assert!(e.to_string().contains("has not failed over"), "{e}");
    let e = azure.commit(&item("db-01")).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Unavailable));
    assert!(
        e.is_retryable(),
        "the orchestrator's to retry, after its lost-response check"
    );
    assert_eq!(
        fake.requests("POST", "/failoverCommit").len(),
        2,
        "each sent once"
    );
}

#[tokio::test(start_paused = true)]
async fn an_item_whose_rpi_moved_is_found_again_by_listing_once() {
    let fake = Fake::start(classic()).await;
    let azure = fake.provider_on_tokio_clock(Flavor::Classic);
    assert_eq!(
        azure.protection_state("web-01").await.unwrap(),
        ProtectionState::FailedOverToAzure
    );
    assert_eq!(
        fake.requests("GET", "/replicationProtectedItems").len(),
        3,
        "one listing, 3 pages"
    );
    // The RPI moves to another container.
    let moved = format!(
        "{VAULT}/replicationFabrics/{CS}/replicationProtectionContainers/other/replicationProtectedItems/web-01"
    );
    fake.vault.lock().unwrap().items[0]["id"] = json!(moved);
    // Past the few seconds an RPI read answers the next reads of the item.
    tokio::time::advance(std::time::Duration::from_secs(6)).await;
    assert_eq!(
        azure.protection_state("web-01").await.unwrap(),
        ProtectionState::FailedOverToAzure
    );
    assert_eq!(
        fake.requests("GET", "/replicationProtectedItems").len(),
        6,
        "listed once more"
    );
    assert_eq!(
        fake.requests("GET", &rpi_id(CS, "web-01")).len(),
        2,
        "found, then not found"
    );
    assert_eq!(fake.requests("GET", &moved).len(), 1);
    // A mutation on it goes to the new id at once.
    azure.commit(&item("web-01")).await.unwrap();
    assert_eq!(
        fake.requests("POST", &format!("{moved}/failoverCommit"))
            .len(),
        1
    );

    // An item that is gone is not found, after one listing.
    fake.vault.lock().unwrap().items.remove(0);
    let e = azure.commit(&item("web-01")).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound));
    assert_eq!(fake.requests("GET", "/replicationProtectedItems").len(), 9);
    assert_eq!(
        fake.requests("POST", "/failoverCommit").len(),
        2,
        "one 404, not sent again"
    );
    let e = azure.protection_state("no-such-item").await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound));
    assert!(e.to_string().contains("no-such-item"), "{e}");
    assert_eq!(fake.requests("GET", "/replicationProtectedItems").len(), 12);
}

#[tokio::test(start_paused = true)]
async fn an_items_state_points_and_azure_vm_are_read_from_its_rpi() {
    let mut v = classic();
    // app-01 with the cancel of its failover running.
    let mut cancelling = v.items[4].clone();
    cancelling["name"] = json!("app-03");
    cancelling["id"] = json!(rpi_id(CS, "app-03"));
    cancelling["properties"]["currentScenario"]["scenarioName"] = json!("CancelFailover");
    v.item(cancelling, Vec::new());
    let fake = Fake::start(v).await;
    let azure = fake.provider(Flavor::Classic);
    let cases = [
        ("web-01", ProtectionState::FailedOverToAzure, false),
        ("app-02", ProtectionState::Reprotecting, false),
        ("db-01", ProtectionState::ReplicatingToOnPrem, false),
        ("app-01", ProtectionState::FailedBackAwaitingCommit, true),
        ("app-03", ProtectionState::FailedBackAwaitingCommit, false),
    ];
    for (id, state, down) in cases {
        assert_eq!(azure.protection_state(id).await.unwrap(), state, "{id}");
        assert_eq!(azure.azure_vm_shut_down(id).await.unwrap(), down, "{id}");
    }
    let e = azure.protection_state("hyperv-01").await.unwrap_err();
    assert!(e.to_string().contains("HyperVReplicaAzure"), "{e}");

    let points = azure.recovery_points("db-02").await.unwrap();
    let got: Vec<_> = points
        .iter()
        .map(|p| {
            (
                p.id.rsplit('/').next().unwrap().to_string(),
                p.time,
                p.consistency,
                p.multi_vm_sync,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "rp-1".to_string(),
                at(10, 0),
                Consistency::ApplicationConsistent,
                true
            ),
            (
                "rp-2".to_string(),
                at(11, 0),
                Consistency::CrashConsistent,
                false
            ),
        ]
    );
    assert!(
        points[0].id.starts_with(&rpi_id(CS, "db-02")),
        "the point's ARM id"
    );
}
