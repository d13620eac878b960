//! The ASR client's requests over loopback: paging, error mapping, retries and their
//! budget, on tokio's paused clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;

use std::time::Duration;

use failback_core::retry::RetryPolicy;
use failback_core::{ErrorKind, ErrorStatus};
use http_common::{builder, client, Reply, Server, VAULT};
use serde_json::{json, Value};

#[tokio::test(start_paused = true)]
async fn a_listing_follows_next_link_across_three_pages() {
    let server = Server::start(|base| {
        let base = base.to_string();
        move |seen, _| match seen.path.as_str() {
            p if p.ends_with("/replicationFabrics") => Reply::json(
                200,
                json!({"value": [{"name": "f1"}, {"name": "f2"}],
                       "nextLink": format!("{base}/page2?api-version=2026-05-01&$skiptoken=2")}),
            ),
            // A nextLink without api-version: the client adds it.
            "/page2" => Reply::json(
                200,
                json!({"value": [{"name": "f3"}], "nextLink": format!("{base}/page3?$skiptoken=3")}),
            ),
            "/page3" => Reply::json(200, json!({"value": [{"name": "f4"}, {"name": "f5"}]})),
            _ => Reply::status(404),
        }
    })
    .await;
    let c = client(&server);
    let items: Vec<Value> = c.list(&c.vault("replicationFabrics")).await.unwrap();
    let names: Vec<&str> = items.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["f1", "f2", "f3", "f4", "f5"]);

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen[0].path,
        format!("{VAULT}/replicationFabrics"),
        "the vault prefix"
    );
    assert_eq!(seen[0].query.as_deref(), Some("api-version=2026-05-01"));
    assert_eq!(
        seen[1].query.as_deref(),
        Some("api-version=2026-05-01&$skiptoken=2"),
        "a nextLink's own query is kept as it is"
    );
    assert!(seen[2].query_has("$skiptoken=3") && seen[2].query_has("api-version=2026-05-01"));
    for s in &seen {
        assert_eq!(s.header("authorization"), Some("Bearer test-token"));
        assert!(s.header("user-agent").unwrap().starts_with("failback/"));
    }
    let counts = c.request_counts();
    assert_eq!((counts.get, counts.total(), counts.retries), (3, 3, 0));
}

#[tokio::test(start_paused = true)]
async fn a_next_link_to_another_host_is_refused() {
    let elsewhere =
        Server::start(|_| |_: &http_common::Seen, _| Reply::json(200, json!({"value": []}))).await;
    let other = elsewhere.base.clone();
    let server = Server::start(move |_| {
        move |_: &http_common::Seen, _| {
            Reply::json(
                200,
                json!({"value": [{"name": "f1"}], "nextLink": format!("{other}/steal?api-version=2026-05-01")}),
            )
        }
    })
    .await;
    let c = client(&server);
    let e = c
        .list::<Value>(&c.vault("replicationFabrics"))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("refused to follow the nextLink"), "{text}");
    assert_eq!(e.status(), ErrorStatus::Permanent);
    assert_eq!(server.seen().len(), 1);
    assert!(
        elsewhere.seen().is_empty(),
        "no request, so no token, went to the other host"
    );
}

#[tokio::test(start_paused = true)]
async fn statuses_map_to_kinds_with_the_request_id() {
    let server = Server::start(|_| {
        |seen: &http_common::Seen, _| match seen.path.rsplit('/').next().unwrap() {
            "missing" => Reply::arm_error(404, "ResourceNotFound", "no such item")
                .header("x-ms-request-id", "req-404"),
            "busy" => Reply::arm_error(
                409,
                "ReplicationItemBusy",
                "another operation is in progress",
            )
            .header("x-ms-correlation-request-id", "corr-409"),
            "expired" => Reply::arm_error(401, "ExpiredAuthenticationToken", "the token expired")
                .header("x-ms-request-id", "req-401")
                .header("x-ms-correlation-request-id", "corr-401"),
            "forbidden" => Reply::arm_error(403, "AuthorizationFailed", "no write permission"),
            "bad" => Reply::arm_error(400, "InvalidParameter", "bad input"),
            _ => Reply::status(500),
        }
    })
    .await;
    let c = client(&server);
    let cases = [
        (
            "missing",
            ErrorKind::NotFound,
            Some("req-404"),
            "ResourceNotFound: no such item",
        ),
        (
            "busy",
            ErrorKind::Conflict,
            Some("corr-409"),
            "ReplicationItemBusy",
        ),
        (
            "expired",
            ErrorKind::Unauthenticated,
            Some("req-401"),
            "ExpiredAuthenticationToken",
        ),
        (
            "forbidden",
            ErrorKind::PermissionDenied,
            None,
            "AuthorizationFailed",
        ),
        (
            "bad",
            ErrorKind::InvalidInput,
            None,
            "InvalidParameter: bad input",
        ),
    ];
    for (leaf, kind, id, text) in cases {
        let e = c.get::<Value>(&c.vault(leaf)).await.unwrap_err();
        let p = e.provider_error().unwrap();
        assert_eq!(p.kind, kind, "{leaf}: {e}");
        assert_eq!(p.status, ErrorStatus::Permanent, "{leaf}");
        assert_eq!(p.request_id.as_deref(), id, "{leaf}");
        assert!(p.message.contains(text), "{leaf}: {}", p.message);
        assert!(
            p.message.contains(&format!("GET {VAULT}/{leaf}")),
            "{}",
            p.message
        );
    }
    // None of them is retried, but the 401, once with a new token.
    assert_eq!(server.count("GET", "/expired"), 2);
    assert_eq!(c.request_counts().get, 6);
    assert_eq!(c.request_counts().retries, 1);
}

#[tokio::test(start_paused = true)]
async fn a_429_is_retried_after_its_retry_after() {
    let server = Server::start(|_| {
        |_: &http_common::Seen, hits| {
            if hits == 0 {
                Reply::arm_error(429, "TooManyRequests", "slow down").header("retry-after", "17")
            } else {
                Reply::json(200, json!({"name": "f1"}))
            }
        }
    })
    .await;
    let c = client(&server);
    let started = tokio::time::Instant::now();
    let v: Value = c.get(&c.vault("replicationFabrics/f1")).await.unwrap();
    assert_eq!(v["name"], "f1");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(17), "waited {gap:?}");
    assert!(
        gap < Duration::from_secs(18),
        "waited {gap:?}: Retry-After is longer than the jitter"
    );
    assert!(started.elapsed() >= Duration::from_secs(17));
    let counts = c.request_counts();
    assert_eq!((counts.get, counts.retries, counts.throttled), (2, 1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_500_on_a_get_is_retried() {
    let server = Server::start(|_| {
        |_: &http_common::Seen, hits| {
            if hits == 0 {
                Reply::arm_error(500, "InternalServerError", "oops")
            } else {
                Reply::json(200, json!({"name": "j1"}))
            }
        }
    })
    .await;
    let c = client(&server);
    let v: Value = c.get(&c.vault("replicationJobs/j1")).await.unwrap();
    assert_eq!(v["name"], "j1");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    // The jitter's first wait: between the policy's base (1 s) and three times it.
    let gap = seen[1].at - seen[0].at;
    assert!(
        gap >= Duration::from_secs(1) && gap <= Duration::from_secs(3),
        "{gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_post_answered_500_is_not_retried_and_comes_back_temporary() {
    let server = Server::start(|_| {
        |_: &http_common::Seen, _| {
            Reply::arm_error(500, "InternalServerError", "oops")
                .header("x-ms-request-id", "req-500")
        }
    })
    .await;
    let c = client(&server);
    let path = c.vault("replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i/reProtect");
    let e = c
        .post_lro(&path, &json!({"properties": {}}))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Unavailable);
    assert_eq!(
        p.status,
        ErrorStatus::Temporary,
        "for the orchestrator's lost-response check"
    );
    assert_eq!(p.request_id.as_deref(), Some("req-500"));
    assert!(e.is_retryable());
    assert_eq!(server.count("POST", "/reProtect"), 1, "sent once");
    assert_eq!(c.request_counts().retries, 0);
}

#[tokio::test(start_paused = true)]
async fn a_post_that_times_out_is_not_retried_and_comes_back_temporary() {
    let server = Server::start(|_| {
        |_: &http_common::Seen, _| Reply::status(202).delay(Duration::from_secs(3600))
    })
    .await;
    let c = builder(&server)
        .with_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let e = c
        .post_lro_empty(&c.vault("replicationJobs/j1/restart"))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Timeout, "{e}");
    assert_eq!(p.status, ErrorStatus::Temporary);
    assert_eq!(server.count("POST", "/restart"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_post_answered_429_is_sent_again_since_it_was_not_processed() {
    let server = Server::start(|base| {
        let base = base.to_string();
        move |seen: &http_common::Seen, hits| match (seen.method.as_str(), hits) {
            ("POST", 0) => {
                Reply::arm_error(429, "TooManyRequests", "wait").header("retry-after", "5")
            }
            ("POST", _) => Reply::status(202).header(
                "location",
                &format!("{base}{VAULT}/operationresults/job-9?api-version=2026-05-01"),
            ),
            _ => Reply::json(200, json!({"name": "i1"})),
        }
    })
    .await;
    let c = client(&server);
    let lro = c
        .post_lro_empty(&c.vault("replicationProtectedItems/i1/failoverCommit"))
        .await
        .unwrap();
    assert_eq!(lro.job_name(), Some("job-9"));
    let seen = server.seen();
    assert_eq!(server.count("POST", "/failoverCommit"), 2);
    assert!(seen[1].at - seen[0].at >= Duration::from_secs(5));
    // An empty POST still sends an empty body (ARM refuses a POST without a length).
    assert_eq!(seen[1].header("content-length"), Some("0"));
}

#[tokio::test(start_paused = true)]
async fn a_post_that_cannot_connect_is_retried_until_the_budget_is_spent() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = failback_azure::http::AsrClient::builder()
        .with_endpoint(format!("http://127.0.0.1:{port}"))
        .with_subscription_id("s")
        .with_resource_group("g")
        .with_vault("v")
        .with_credential(std::sync::Arc::new(failback_azure::http::StaticToken::new(
            "t",
        )))
        .with_retry_policy(RetryPolicy::new(
            Duration::from_secs(1),
            Duration::from_secs(4),
            Duration::from_secs(10),
        ))
        .with_retry_seed(1)
        .build()
        .unwrap();
    let e = c
        .post_lro_empty(&c.vault("replicationJobs/j/cancel"))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Unavailable, "{e}");
    assert_eq!(p.status, ErrorStatus::Persistent, "{e}");
    assert!(p.message.contains("cannot connect"), "{}", p.message);
    assert!(c.request_counts().post >= 3, "{:?}", c.request_counts());
}

#[tokio::test(start_paused = true)]
async fn a_spent_budget_gives_a_persistent_error() {
    let server = Server::start(|_| {
        |_: &http_common::Seen, _| Reply::arm_error(503, "ServiceUnavailable", "down")
    })
    .await;
    let budget = Duration::from_secs(60);
    let c = client(&server);
    let started = tokio::time::Instant::now();
    let e = c
        .get::<Value>(&c.vault("replicationPolicies"))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Unavailable);
    assert_eq!(p.status, ErrorStatus::Persistent);
    assert!(
        !e.is_retryable(),
        "the orchestrator does not retry it again"
    );
    assert!(p.message.contains("gave up after"), "{}", p.message);
    let n = server.seen().len();
    assert!(n >= 3, "{n} attempts");
    assert_eq!(c.request_counts().retries as usize, n - 1);
    assert!(started.elapsed() <= budget, "{:?}", started.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_past_the_budget_ends_the_retries_at_once() {
    let server = Server::start(|_| {
        |_: &http_common::Seen, _| Reply::status(429).header("retry-after", "3600")
    })
    .await;
    let c = client(&server);
    let e = c
        .get::<Value>(&c.vault("replicationFabrics"))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(
        (p.kind, p.status),
        (ErrorKind::RateLimited, ErrorStatus::Persistent)
    );
    assert_eq!(p.retry_after, Some(Duration::from_secs(3600)));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_5_mb_error_body_is_cut_in_the_message() {
    let server = Server::start(|_| {
        |seen: &http_common::Seen, _| {
            if seen.path.ends_with("/json") {
                let body = format!(
                    r#"{{"error":{{"code":"Huge","message":"{}"}}}}"#,
                    "m".repeat(5 << 20)
                );
                Reply::status(400).body(body.into_bytes())
            } else {
                Reply::status(400).body(vec![b'<'; 5 << 20])
            }
        }
    })
    .await;
    let c = client(&server);
    let e = c.get::<Value>(&c.vault("json")).await.unwrap_err();
    let m = &e.provider_error().unwrap().message;
    assert!(m.contains("Huge: mmm"), "{}", &m[..200.min(m.len())]);
    assert!(m.contains(&format!("({} bytes in all)", 5 << 20)), "{m}");
    assert!(m.len() < 1000, "{} bytes", m.len());
    let e = c.get::<Value>(&c.vault("html")).await.unwrap_err();
    let m = &e.provider_error().unwrap().message;
    assert!(
        m.contains("the body is not a service error, it begins: <<<"),
        "{m}"
    );
    assert!(m.len() < 1000, "{} bytes", m.len());
}

#[tokio::test(start_paused = true)]
async fn a_body_that_does_not_read_names_the_path_the_field_and_its_start() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Fabric {
        name: String,
        properties: Props,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Props {
        #[serde(rename = "machineCount")]
        machine_count: u32,
    }
    let server = Server::start(|_| {
        |seen: &http_common::Seen, _| {
            if seen.path.ends_with("/garbage") {
                Reply::status(200).body(b"<html>proxy error</html>".to_vec())
            } else {
                Reply::json(
                    200,
                    json!({"name": "f", "properties": {"machineCount": "three"}}),
                )
            }
        }
    })
    .await;
    let c = client(&server);
    let e = c.get::<Value>(&c.vault("garbage")).await.unwrap_err();
    let m = &e.provider_error().unwrap().message;
    assert!(m.contains(&format!("GET {VAULT}/garbage")), "{m}");
    assert!(m.contains("begins: <html>proxy error</html>"), "{m}");
    assert_eq!(e.status(), ErrorStatus::Permanent);
    let e = c.get::<Fabric>(&c.vault("typed")).await.unwrap_err();
    let m = &e.provider_error().unwrap().message;
    assert!(m.contains("at `properties.machineCount`"), "{m}");
}
