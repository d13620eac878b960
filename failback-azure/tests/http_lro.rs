//! Long-running operations over loopback: `Location`, `Azure-AsyncOperation`, both,
//! and their `Retry-After`, on tokio's paused clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;

use std::time::Duration;

use failback_core::{ErrorKind, ErrorStatus};
use http_common::{client, Reply, Seen, Server, VAULT};
use serde_json::{json, Value};

const RPI: &str =
    "replicationFabrics/f1/replicationProtectionContainers/c1/replicationProtectedItems/vm-1";

fn item() -> Value {
    json!({"name": "vm-1", "properties": {"protectionState": "FailedOverToOnPrem"}})
}

#[tokio::test(start_paused = true)]
async fn an_lro_with_location_only_is_polled_until_not_202() {
    let server = Server::start(|base| {
        let location =
            format!("{base}{VAULT}/{RPI}/operationresults/job-42?api-version=2026-05-01");
        move |seen: &Seen, hits| match (seen.method.as_str(), hits) {
            ("POST", _) => Reply::status(202)
                .header("location", &location)
                .header("retry-after", "10")
                .header("x-ms-request-id", "req-start"),
            ("GET", 0) => Reply::status(202).header("retry-after", "5"),
            ("GET", _) => Reply::json(200, item()),
            _ => Reply::status(405),
        }
    })
    .await;
    let c = client(&server);
    let body = json!({"properties": {"failoverDirection": "RecoveryToPrimary"}});
    let lro = c
        .post_lro(&c.vault(&format!("{RPI}/reProtect")), &body)
        .await
        .unwrap();
    assert_eq!(lro.initial_status(), 202);
    assert!(!lro.is_done());
    assert_eq!(lro.job_name(), Some("job-42"));
    assert_eq!(lro.retry_after(), Some(Duration::from_secs(10)));
    assert_eq!(lro.request_id(), Some("req-start"));
    assert!(lro
        .location()
        .unwrap()
        .path()
        .ends_with("/operationresults/job-42"));
    assert!(lro.azure_async_operation().is_none());
    let done = lro.wait().await.unwrap();
    assert_eq!(done, item());

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let post = &seen[0];
    assert_eq!(post.path, format!("{VAULT}/{RPI}/reProtect"));
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(serde_json::from_slice::<Value>(&post.body).unwrap(), body);
    assert!(
        seen[1].at - seen[0].at >= Duration::from_secs(10),
        "the 202's Retry-After"
    );
    assert!(
        seen[2].at - seen[1].at >= Duration::from_secs(5),
        "the poll's Retry-After"
    );
    let counts = c.request_counts();
    assert_eq!((counts.post, counts.get), (1, 2));
}

#[tokio::test(start_paused = true)]
async fn an_lro_with_azure_async_operation_only_is_polled_until_terminal() {
    let server = Server::start(|base| {
        let op = format!("{base}{VAULT}/replicationOperationStatus/op-1?api-version=2026-05-01");
        move |seen: &Seen, hits| match (seen.method.as_str(), hits) {
            ("POST", _) => Reply::status(202)
                .header("azure-asyncoperation", &op)
                .header("retry-after", "3"),
            ("GET", 0 | 1) => Reply::json(200, json!({"status": "InProgress"})),
            ("GET", _) => Reply::json(200, json!({"status": "Succeeded", "name": "op-1"})),
            _ => Reply::status(405),
        }
    })
    .await;
    let c = client(&server);
    let lro = c
        .post_lro(&c.vault(&format!("{RPI}/unplannedFailover")), &json!({}))
        .await
        .unwrap();
    assert!(lro.location().is_none());
    assert!(lro
        .azure_async_operation()
        .unwrap()
        .path()
        .ends_with("/replicationOperationStatus/op-1"));
    assert_eq!(lro.job_name(), None);
    let done = lro.wait().await.unwrap();
    assert_eq!(done["status"], "Succeeded");
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    for pair in seen.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_secs(3));
    }
}

#[tokio::test(start_paused = true)]
async fn an_lro_with_both_headers_polls_the_status_then_reads_location() {
    let server = Server::start(|base| {
        let op = format!("{base}{VAULT}/replicationOperationStatus/op-2?api-version=2026-05-01");
        let location = format!("{base}{VAULT}/{RPI}/operationresults/job-7?api-version=2026-05-01");
        move |seen: &Seen, hits| {
            if seen.method == "POST" {
                return Reply::status(202)
                    .header("azure-asyncoperation", &op)
                    .header("location", &location)
                    .header("retry-after", "2");
            }
            if seen.path.ends_with("/op-2") {
                return if hits == 0 {
                    Reply::json(200, json!({"status": "InProgress"}))
                } else {
                    Reply::json(200, json!({"status": "Succeeded"}))
                };
            }
            Reply::json(200, item())
        }
    })
    .await;
    let c = client(&server);
    let mut lro = c
        .post_lro_empty(&c.vault(&format!("{RPI}/failoverCommit")))
        .await
        .unwrap();
    assert_eq!(lro.job_name(), Some("job-7"));
    assert_eq!(lro.poll().await.unwrap(), None, "still in progress");
    assert_eq!(
        server.count("GET", "/job-7"),
        0,
        "Location is read only after success"
    );
    let done = lro.wait().await.unwrap();
    assert_eq!(done, item(), "the final body comes from Location");
    assert_eq!(server.count("GET", "/op-2"), 2);
    assert_eq!(server.count("GET", "/job-7"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_async_operation_is_a_job_failure_with_its_error() {
    let server = Server::start(|base| {
        let op = format!("{base}{VAULT}/replicationOperationStatus/op-3");
        move |seen: &Seen, _| match seen.method.as_str() {
            "POST" => Reply::status(202).header("azure-asyncoperation", &op),
            _ => Reply::json(
                200,
                json!({"status": "Failed", "error": {"code": "78093", "message": "The mobility agent is not installed."}}),
            )
            .header("x-ms-request-id", "req-poll"),
        }
    })
    .await;
    let c = client(&server);
    let mut lro = c
        .post_lro_empty(&c.vault(&format!("{RPI}/reProtect")))
        .await
        .unwrap();
    let e = lro.poll().await.unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::JobFailed);
    assert_eq!(p.status, ErrorStatus::Permanent);
    assert_eq!(p.request_id.as_deref(), Some("req-poll"));
    let job = p.job_error.as_ref().unwrap();
    assert_eq!(job.code.as_deref(), Some("78093"));
    assert!(job.message.contains("mobility agent"), "{job}");
    // Later polls give the same error without asking again.
    let again = lro.wait().await.unwrap_err();
    assert_eq!(again.kind(), Some(ErrorKind::JobFailed));
    assert_eq!(server.count("GET", "/op-3"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_200_answer_is_done_at_once() {
    let server = Server::start(|_| |_: &Seen, _| Reply::json(200, item())).await;
    let c = client(&server);
    let lro = c
        .post_lro_empty(&c.vault(&format!("{RPI}/failoverCommit")))
        .await
        .unwrap();
    assert!(lro.is_done());
    assert_eq!(lro.result(), Some(&item()));
    assert_eq!(lro.wait().await.unwrap(), item());
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_put_with_azure_async_operation_reads_the_resource_at_the_end() {
    let server = Server::start(|base| {
        let op = format!("{base}{VAULT}/replicationOperationStatus/op-4");
        move |seen: &Seen, _| match (seen.method.as_str(), seen.path.ends_with("/op-4")) {
            ("PUT", _) => Reply::json(201, json!({"name": "policy-1", "properties": {}}))
                .header("azure-asyncoperation", &op),
            ("GET", true) => Reply::json(200, json!({"status": "Succeeded"})),
            _ => Reply::json(
                200,
                json!({"name": "policy-1", "properties": {"ready": true}}),
            ),
        }
    })
    .await;
    let c = client(&server);
    let lro = c
        .put_lro(
            &c.vault("replicationPolicies/policy-1"),
            &json!({"properties": {}}),
        )
        .await
        .unwrap();
    assert_eq!(lro.initial_status(), 201);
    #[derive(serde::Deserialize)]
    struct Policy {
        name: String,
    }
    let p: Policy = lro.wait_as().await.unwrap();
    assert_eq!(p.name, "policy-1");
    assert_eq!(server.count("GET", "/replicationPolicies/policy-1"), 1);
    assert_eq!(server.count("PUT", "/replicationPolicies/policy-1"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_poll_answered_500_is_retried_like_any_get() {
    let server = Server::start(|base| {
        let location = format!("{base}{VAULT}/operationresults/job-5");
        move |seen: &Seen, hits| match (seen.method.as_str(), hits) {
            ("POST", _) => Reply::status(202)
                .header("location", &location)
                .header("retry-after", "1"),
            ("GET", 0) => Reply::status(500),
            ("GET", _) => Reply::json(200, item()),
            _ => Reply::status(405),
        }
    })
    .await;
    let c = client(&server);
    let lro = c
        .post_lro_empty(&c.vault("replicationJobs/job-5/restart"))
        .await
        .unwrap();
    assert_eq!(lro.job_name(), Some("job-5"));
    assert_eq!(lro.wait().await.unwrap(), item());
    assert_eq!(c.request_counts().retries, 1);
}

#[tokio::test(start_paused = true)]
async fn a_status_url_on_another_host_is_not_followed() {
    let server = Server::start(|_| {
        |_: &Seen, _| {
            Reply::status(202).header(
                "location",
                "https://elsewhere.example/x/operationresults/job-1?api-version=2026-05-01",
            )
        }
    })
    .await;
    let c = client(&server);
    let lro = c
        .post_lro_empty(&c.vault(&format!("{RPI}/reProtect")))
        .await
        .unwrap();
    assert!(lro.location().is_none());
    assert_eq!(
        lro.job_name(),
        Some("job-1"),
        "the job can still be followed by name"
    );
    let e = lro.wait().await.unwrap_err();
    assert!(e.to_string().contains("nothing to poll"), "{e}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_lro_is_resumed_from_its_location() {
    let server = Server::start(|_| |_: &Seen, _| Reply::json(200, item())).await;
    let c = client(&server);
    let location = format!(
        "{}{VAULT}/operationresults/job-3?api-version=2026-05-01",
        server.base
    );
    let lro = c.resume_lro(Some(&location), None).unwrap();
    assert_eq!(lro.job_name(), Some("job-3"));
    assert_eq!(lro.wait().await.unwrap(), item());
    assert!(c.resume_lro(None, None).is_err());
    assert!(c
        .resume_lro(Some("https://elsewhere.example/x"), None)
        .is_err());
}
