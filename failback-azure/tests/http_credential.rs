//! Credentials: the token cache (refresh near expiry, one refresh for concurrent
//! callers), the client-credentials flow against a loopback token endpoint, and no
//! secret in any `Debug`, `Display` or error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use failback_azure::http::{
    AccessToken, AsrClient, CachingCredential, ClientSecretCredential, Credential, Secret,
    StaticToken,
};
use failback_core::clock::{Clock, VirtualClock};
use failback_core::{ErrorKind, ErrorStatus};
use http_common::{Reply, Seen, Server};
use serde_json::{json, Value};

const SECRET: &str = "Sup3r~Secret/Value+with&odd=chars";
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOi.the-access-token";
const ARM_SCOPE: &str = "https://management.azure.com/.default";

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A credential that counts its calls, answers after 1 s with a token valid for an hour.
#[derive(Debug)]
struct Counting {
    calls: AtomicUsize,
    clock: Arc<dyn Clock>,
}

#[async_trait]
impl Credential for Counting {
    async fn token(&self, _scope: &str) -> failback_core::Result<AccessToken> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(AccessToken::new(
            format!("token-{n}"),
            self.clock.now() + chrono::Duration::hours(1),
        ))
    }
}

#[tokio::test(start_paused = true)]
async fn a_cached_token_is_reused_then_refreshed_near_its_expiry() {
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let inner = Arc::new(Counting {
        calls: AtomicUsize::new(0),
        clock: clock.clone(),
    });
    let cache = CachingCredential::new(inner.clone()).with_clock(clock.clone());
    let first = cache.token(ARM_SCOPE).await.unwrap();
    assert_eq!(first.secret().expose(), "token-0");
    // 50 minutes later the token (valid 60) is kept.
    tokio::time::sleep(Duration::from_secs(50 * 60)).await;
    assert_eq!(
        cache.token(ARM_SCOPE).await.unwrap().secret().expose(),
        "token-0"
    );
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
    // 56 minutes after it was issued it is within the 5-minute margin: replaced.
    tokio::time::sleep(Duration::from_secs(6 * 60)).await;
    assert_eq!(
        cache.token(ARM_SCOPE).await.unwrap().secret().expose(),
        "token-1"
    );
    assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
    // Another scope has its own token.
    cache.token("https://other/.default").await.unwrap();
    assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_refresh() {
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let inner = Arc::new(Counting {
        calls: AtomicUsize::new(0),
        clock: clock.clone(),
    });
    let cache = Arc::new(
        CachingCredential::new(inner.clone())
            .with_clock(clock)
            .with_margin(Duration::from_secs(60)),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let cache = cache.clone();
        tasks.spawn(async move { cache.token(ARM_SCOPE).await.unwrap() });
    }
    let mut tokens = Vec::new();
    while let Some(t) = tasks.join_next().await {
        tokens.push(t.unwrap().secret().expose().to_string());
    }
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1, "one refresh for all");
    assert!(tokens.iter().all(|t| t == "token-0"), "{tokens:?}");
}

#[tokio::test(start_paused = true)]
async fn a_token_arm_refuses_is_replaced_once() {
    let server = Server::start(|_| {
        |seen: &Seen, _| match seen.header("authorization") {
            Some("Bearer token-0") => {
                Reply::arm_error(401, "InvalidAuthenticationToken", "revoked")
            }
            _ => Reply::json(200, json!({"name": "f1"})),
        }
    })
    .await;
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let inner = Arc::new(Counting {
        calls: AtomicUsize::new(0),
        clock: clock.clone(),
    });
    let c = http_common::builder(&server)
        .with_credential(inner.clone())
        .with_clock(clock)
        .build()
        .unwrap();
    let v: Value = c.get(&c.vault("replicationFabrics/f1")).await.unwrap();
    assert_eq!(v["name"], "f1");
    assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
    // A POST too: a 401 was not processed.
    c.post_lro_empty(&c.vault("x/failoverCommit"))
        .await
        .unwrap();
    assert_eq!(server.count("POST", "/failoverCommit"), 1);
}

/// A loopback token endpoint (`/{tenant}/oauth2/v2.0/token`) and ARM on one server.
async fn token_and_arm(expires_in: Value) -> Server {
    Server::start(move |_| {
        move |seen: &Seen, _| {
            if seen.path.ends_with("/oauth2/v2.0/token") {
                let form: HashMap<String, String> =
                    url::form_urlencoded::parse(&seen.body).into_owned().collect();
                if form.get("client_secret").map(String::as_str) != Some(SECRET) {
                    return Reply::json(
                        401,
                        json!({"error": "invalid_client",
                               "error_description": "AADSTS7000215: Invalid client secret provided.",
                               "error_codes": [7000215],
                               "trace_id": "trace-1", "correlation_id": "corr-1"}),
                    );
                }
                Reply::json(
                    200,
                    json!({"token_type": "Bearer", "expires_in": expires_in, "access_token": TOKEN}),
                )
            } else if seen.header("authorization") == Some(&format!("Bearer {TOKEN}")) {
                Reply::json(200, json!({"name": "f1"}))
            } else {
                Reply::arm_error(401, "InvalidAuthenticationToken", "bad token")
            }
        }
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn the_client_secret_flow_posts_the_form_and_reads_expires_in() {
    let server = token_and_arm(json!(3599)).await;
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let cred = ClientSecretCredential::builder("tenant-1", "client-1", SECRET)
        .with_authority_host(&server.base)
        .with_clock(clock)
        .build()
        .unwrap();
    let token = cred.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.secret().expose(), TOKEN);
    assert_eq!(
        token.expires_on(),
        start() + chrono::Duration::seconds(3599)
    );
    assert_eq!(cred.requests(), 1);

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!(s.method, "POST");
    assert_eq!(s.path, "/tenant-1/oauth2/v2.0/token");
    assert_eq!(
        s.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form: HashMap<String, String> = url::form_urlencoded::parse(&s.body).into_owned().collect();
    assert_eq!(form.len(), 4, "{form:?}");
    assert_eq!(form["client_id"], "client-1");
    assert_eq!(form["scope"], ARM_SCOPE);
    assert_eq!(
        form["client_secret"], SECRET,
        "url-encoded on the wire, decoded here"
    );
    assert_eq!(form["grant_type"], "client_credentials");
    let raw = String::from_utf8(s.body.clone()).unwrap();
    assert!(
        raw.contains("scope=https%3A%2F%2Fmanagement.azure.com%2F.default"),
        "{raw}"
    );

    for text in [format!("{cred:?}"), cred.to_string(), format!("{token:?}")] {
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_expires_in_string_is_read_too() {
    let server = token_and_arm(json!("600")).await;
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let cred = ClientSecretCredential::builder("tenant-1", "client-1", SECRET)
        .with_authority_host(&server.base)
        .with_clock(clock)
        .build()
        .unwrap();
    let token = cred.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.expires_on(), start() + chrono::Duration::seconds(600));
}

#[tokio::test(start_paused = true)]
async fn a_refused_secret_is_an_authentication_error_without_the_secret() {
    let server = token_and_arm(json!(3599)).await;
    let wrong = "Wr0ng-Secret-Value";
    let cred = ClientSecretCredential::builder("tenant-1", "client-1", wrong)
        .with_authority_host(&server.base)
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Unauthenticated);
    assert_eq!(p.status, ErrorStatus::Permanent);
    assert_eq!(p.request_id.as_deref(), Some("corr-1"));
    let text = e.to_string();
    assert!(text.contains("invalid_client: AADSTS7000215"), "{text}");
    assert!(
        text.contains("client client-1 in tenant tenant-1"),
        "{text}"
    );
    for t in [text, format!("{e:?}")] {
        assert!(!t.contains(wrong), "{t}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoint_that_echoes_the_secret_is_scrubbed() {
    let server = Server::start(|_| {
        |seen: &Seen, _| {
            let form: HashMap<String, String> = url::form_urlencoded::parse(&seen.body)
                .into_owned()
                .collect();
            Reply::json(
                400,
                json!({"error": "invalid_request",
                       "error_description": format!("bad secret {}", form["client_secret"])}),
            )
        }
    })
    .await;
    let cred = ClientSecretCredential::builder("t", "c", SECRET)
        .with_authority_host(&server.base)
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    for t in [e.to_string(), format!("{e:?}")] {
        assert!(!t.contains(SECRET), "{t}");
        assert!(t.contains("bad secret ***"), "{t}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_response_that_does_not_read_does_not_quote_the_token() {
    let server = Server::start(|_| {
        |_: &Seen, _| Reply::json(200, json!({"token_type": "Bearer", "access_token": TOKEN}))
    })
    .await;
    let cred = ClientSecretCredential::builder("t", "c", SECRET)
        .with_authority_host(&server.base)
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(text.contains("expires_in"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test(start_paused = true)]
async fn the_client_gets_one_token_and_refreshes_it_near_expiry() {
    // The token lives 10 minutes; the margin is 5.
    let server = token_and_arm(json!(600)).await;
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let cred = Arc::new(
        ClientSecretCredential::builder("tenant-1", "client-1", SECRET)
            .with_authority_host(&server.base)
            .with_clock(clock.clone())
            .build()
            .unwrap(),
    );
    let c = http_common::builder(&server)
        .with_credential(cred.clone())
        .with_clock(clock)
        .build()
        .unwrap();
    for _ in 0..5 {
        let v: Value = c.get(&c.vault("replicationFabrics/f1")).await.unwrap();
        assert_eq!(v["name"], "f1");
    }
    assert_eq!(cred.requests(), 1, "one token for five requests");
    // The scope of a loopback endpoint is its origin's.
    let form: HashMap<String, String> = url::form_urlencoded::parse(&server.seen()[0].body)
        .into_owned()
        .collect();
    assert_eq!(form["scope"], format!("{}/.default", server.base));

    tokio::time::sleep(Duration::from_secs(4 * 60)).await;
    c.get::<Value>(&c.vault("replicationFabrics/f1"))
        .await
        .unwrap();
    assert_eq!(cred.requests(), 1, "6 minutes left: kept");
    tokio::time::sleep(Duration::from_secs(2 * 60)).await;
    c.get::<Value>(&c.vault("replicationFabrics/f1"))
        .await
        .unwrap();
    assert_eq!(
        cred.requests(),
        2,
        "4 minutes left: within the margin, refreshed"
    );
    assert_eq!(server.count("POST", "/oauth2/v2.0/token"), 2);
    assert_eq!(
        c.request_counts().get,
        7,
        "token requests are not ARM requests"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_token_request_is_retried_by_the_client_even_for_a_post() {
    // The token endpoint answers 503 once: the POST had not left, so it may be retried.
    let server = Server::start(|base| {
        let base = base.to_string();
        move |seen: &Seen, hits| {
            if seen.path.ends_with("/oauth2/v2.0/token") {
                if hits == 0 {
                    return Reply::status(503).header("retry-after", "2");
                }
                return Reply::json(
                    200,
                    json!({"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN}),
                );
            }
            Reply::status(202).header("location", &format!("{base}/x/operationresults/j1"))
        }
    })
    .await;
    let cred = Arc::new(
        ClientSecretCredential::builder("tenant-1", "client-1", SECRET)
            .with_authority_host(&server.base)
            .build()
            .unwrap(),
    );
    let c = http_common::builder(&server)
        .with_credential(cred.clone())
        .build()
        .unwrap();
    let lro = c
        .post_lro_empty(&c.vault("replicationJobs/j1/cancel"))
        .await
        .unwrap();
    assert_eq!(lro.job_name(), Some("j1"));
    assert_eq!(cred.requests(), 2);
    assert_eq!(c.request_counts().post, 1, "the POST itself was sent once");
}

#[tokio::test]
async fn no_credential_client_or_error_prints_a_secret() {
    let secret = Secret::new(SECRET);
    let token = AccessToken::new(TOKEN, start());
    let stat = StaticToken::new(TOKEN);
    let cache = CachingCredential::new(Arc::new(StaticToken::new(TOKEN)));
    cache.token(ARM_SCOPE).await.unwrap();
    let builder = ClientSecretCredential::builder("t", "c", SECRET);
    let builder_text = format!("{builder:?}");
    let cred = builder.build().unwrap();
    let client = AsrClient::builder()
        .with_subscription_id("s")
        .with_resource_group("g")
        .with_vault("v")
        .with_credential(Arc::new(
            ClientSecretCredential::builder("t", "c", SECRET)
                .build()
                .unwrap(),
        ))
        .build()
        .unwrap();
    let bad_build = AsrClient::builder()
        .with_credential(Arc::new(StaticToken::new(TOKEN)))
        .build()
        .unwrap_err();
    let texts = [
        format!("{secret} {secret:?}"),
        format!("{token:?}"),
        format!("{stat:?}"),
        format!("{cache:?}"),
        builder_text,
        format!("{cred:?} {cred}"),
        format!("{client:?}"),
        format!("{bad_build} {bad_build:?}"),
    ];
    for t in &texts {
        assert!(!t.contains(SECRET) && !t.contains(TOKEN), "{t}");
    }
    assert!(texts[0].contains("***"));
}
