//! The ecosystem's credentials: managed identity (IMDS and App Service) against a
//! loopback endpoint, the Azure CLI through a fake `az` script, the default chain's
//! order and its combined error, and no secret or token in any `Debug`, `Display` or
//! error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use failback_azure::http::{
    AsrClientBuilder, AzureCliCredential, ClientSecretCredential, Credential, DefaultCredential,
    ManagedIdentityCredential, ManagedIdentityCredentialBuilder,
};
use failback_core::clock::{Clock, VirtualClock};
use failback_core::{ErrorKind, ErrorStatus};
use http_common::{Reply, Seen, Server};
use serde_json::{json, Value};

/// A recognisable fake secret: a client secret, an `IDENTITY_HEADER`.
const SECRET: &str = "FAKE-s3cret~value/with+odd=chars";
/// A recognisable fake token.
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOi.fake-identity-token.sig";
const ARM_SCOPE: &str = "https://management.azure.com/.default";
const ARM_RESOURCE: &str = "https://management.azure.com";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn query(seen: &Seen) -> HashMap<String, String> {
    url::form_urlencoded::parse(seen.query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Clone {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

/// An IMDS stand-in: a token with the `expires_*` fields of `expiry` for a request with
/// `Metadata: true`, else IMDS's 400.
async fn imds(expiry: Value) -> Server {
    Server::start(move |_| {
        move |seen: &Seen, _| {
            if seen.header("metadata") != Some("true") {
                return Reply::json(
                    400,
                    json!({"error": "invalid_request", "error_description": "Required metadata header not specified"}),
                );
            }
            let mut body = json!({"access_token": TOKEN, "token_type": "Bearer",
                                  "resource": query(seen).get("resource")});
            for (k, v) in expiry.as_object().unwrap() {
                body[k] = v.clone();
            }
            Reply::json(200, body)
        }
    })
    .await
}

/// A loopback address where nothing listens.
async fn closed_port() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}{IMDS_PATH}")
}

// ---- managed identity ----

#[tokio::test(start_paused = true)]
async fn imds_is_asked_with_the_metadata_header_for_the_scopes_resource() {
    let server = imds(json!({"expires_in": 3599, "expires_on": 1})).await;
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let cred = ManagedIdentityCredential::imds()
        .with_endpoint(format!("{}{IMDS_PATH}", server.base))
        .with_clock(clock)
        .build()
        .unwrap();
    let token = cred.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.secret().expose(), TOKEN);
    assert_eq!(
        token.expires_on(),
        start() + chrono::Duration::seconds(3599),
        "expires_in (our clock) is preferred to expires_on"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!(s.method, "GET");
    assert_eq!(s.path, IMDS_PATH);
    assert_eq!(s.header("metadata"), Some("true"));
    assert_eq!(s.header("x-identity-header"), None);
    let q = query(s);
    assert_eq!(q["api-version"], "2018-02-01");
    assert_eq!(q["resource"], ARM_RESOURCE);
    assert!(!q.contains_key("client_id"), "{q:?}");
    assert_eq!(cred.requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn expiries_are_read_as_numbers_or_strings() {
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(start()));
    let epoch = start().timestamp() as u64 + 7200;
    for (expiry, want) in [
        (
            json!({"expires_in": "86399"}),
            start() + chrono::Duration::seconds(86399),
        ),
        (
            json!({"expires_in": 600}),
            start() + chrono::Duration::seconds(600),
        ),
        (
            json!({"expires_on": epoch.to_string()}),
            start() + chrono::Duration::hours(2),
        ),
        (
            json!({"expires_on": epoch}),
            start() + chrono::Duration::hours(2),
        ),
        // Absurd but must not panic.
        (json!({"expires_in": u64::MAX}), DateTime::<Utc>::MAX_UTC),
    ] {
        let server = imds(expiry.clone()).await;
        let cred = ManagedIdentityCredential::imds()
            .with_endpoint(format!("{}{IMDS_PATH}", server.base))
            .with_clock(clock.clone())
            .build()
            .unwrap();
        let token = cred.token(ARM_SCOPE).await.unwrap();
        assert_eq!(token.expires_on(), want, "{expiry}");
    }
    let server = imds(json!({"expires_on": "tomorrow"})).await;
    let cred = ManagedIdentityCredential::imds()
        .with_endpoint(format!("{}{IMDS_PATH}", server.base))
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(
        text.contains("neither `expires_in` nor `expires_on`"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated));
}

#[tokio::test(start_paused = true)]
async fn a_user_assigned_identity_is_asked_by_its_client_id() {
    let server = imds(json!({"expires_in": 3599})).await;
    let cred = ManagedIdentityCredentialBuilder::from_lookup(lookup(&[(
        "AZURE_CLIENT_ID",
        "11111111-2222-3333-4444-555555555555",
    )]))
    .with_endpoint(format!("{}{IMDS_PATH}", server.base))
    .build()
    .unwrap();
    cred.token(ARM_SCOPE).await.unwrap();
    let q = query(&server.seen()[0]);
    assert_eq!(q["client_id"], "11111111-2222-3333-4444-555555555555");
    assert!(
        cred.to_string()
            .contains("client id 11111111-2222-3333-4444-555555555555"),
        "{cred}"
    );
}

#[tokio::test(start_paused = true)]
async fn app_service_is_asked_with_the_identity_header() {
    let server = Server::start(|_| {
        |seen: &Seen, _| {
            if seen.header("x-identity-header") != Some(SECRET) {
                return Reply::json(
                    401,
                    json!({"statusCode": 401, "message": "Unauthorized request"}),
                );
            }
            let q = query(seen);
            if q.get("api-version").map(String::as_str) != Some("2019-08-01") {
                return Reply::status(400);
            }
            Reply::json(
                200,
                json!({"access_token": TOKEN, "expires_on": "1777629600",
                       "resource": q["resource"], "token_type": "Bearer",
                       "client_id": "system"}),
            )
        }
    })
    .await;
    let endpoint = format!("{}/msi/token", server.base);
    let cred = ManagedIdentityCredentialBuilder::from_lookup(lookup(&[
        ("IDENTITY_ENDPOINT", &endpoint),
        ("IDENTITY_HEADER", SECRET),
    ]))
    .build()
    .unwrap();
    let token = cred.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.secret().expose(), TOKEN);
    assert_eq!(token.expires_on().timestamp(), 1_777_629_600);
    let s = &server.seen()[0];
    assert_eq!(s.path, "/msi/token");
    assert_eq!(s.header("metadata"), None);
    assert_eq!(query(s)["resource"], ARM_RESOURCE);

    // The wrong header: refused, and the header's value is never repeated.
    let wrong = ManagedIdentityCredential::app_service(&endpoint, "Wr0ng-Header-Value")
        .build()
        .unwrap();
    let e = wrong.token(ARM_SCOPE).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated));
    let text = format!("{e} {e:?} {wrong} {wrong:?}");
    assert!(text.contains("Unauthorized request"), "{text}");
    assert!(!text.contains("Wr0ng-Header-Value"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_machine_without_the_identity_gets_an_authentication_error() {
    let server = Server::start(|_| {
        |_: &Seen, hits| match hits {
            0 => Reply::json(
                400,
                json!({"error": "invalid_request", "error_description": "Identity not found"}),
            ),
            _ => Reply::status(410),
        }
    })
    .await;
    let cred = ManagedIdentityCredential::imds()
        .with_endpoint(format!("{}{IMDS_PATH}", server.base))
        .with_client_id("client-7")
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Unauthenticated);
    assert_eq!(p.status, ErrorStatus::Permanent);
    assert!(
        p.message.contains("invalid_request: Identity not found"),
        "{}",
        p.message
    );
    assert!(p.message.contains("client id client-7"), "{}", p.message);
    // IMDS updating (410, 404): temporary, the client retries it.
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Unavailable));
    assert_eq!(e.status(), ErrorStatus::Temporary);
}

#[tokio::test]
async fn off_azure_imds_fails_fast_naming_the_endpoint() {
    let endpoint = closed_port().await;
    let cred = ManagedIdentityCredential::imds()
        .with_endpoint(&endpoint)
        .build()
        .unwrap();
    let began = std::time::Instant::now();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    assert!(began.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(e.kind(), Some(ErrorKind::Unavailable));
    let text = e.to_string();
    assert!(
        text.contains("nothing answers at the instance metadata service"),
        "{text}"
    );
    assert!(text.contains(&endpoint), "{text}");
}

#[tokio::test(start_paused = true)]
async fn an_identity_endpoint_that_echoes_the_header_is_scrubbed() {
    let server = Server::start(|_| {
        |seen: &Seen, _| {
            Reply::json(
                500,
                json!({"error": "server_error",
                       "error_description": format!("bad header {}", seen.header("x-identity-header").unwrap_or(""))}),
            )
        }
    })
    .await;
    let cred = ManagedIdentityCredential::app_service(format!("{}/msi/token", server.base), SECRET)
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(text.contains("bad header ***"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert_eq!(e.status(), ErrorStatus::Temporary, "a 500 is retried");
}

// ---- Azure CLI ----

/// A fake `az` in a temporary folder: it appends its arguments to `calls.log` beside it,
/// then runs `body` (shell). Written by a child process so that no file descriptor open
/// for writing it leaks into a concurrent test's fork (which would make it busy).
fn fake_az(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("az");
    let script =
        format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$(dirname \"$0\")/calls.log\"\n{body}\n");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("cat > \"$1\" && chmod +x \"$1\"")
        .arg("sh")
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
    }
    assert!(child.wait().unwrap().success());
    path
}

fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("calls.log"))
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

fn cli_json(fields: &str) -> String {
    format!(
        "cat <<'EOF'\n{{\"accessToken\": \"{TOKEN}\", \"tokenType\": \"Bearer\", {fields}}}\nEOF"
    )
}

#[tokio::test]
async fn the_cli_is_asked_for_the_resource_and_its_new_expiry_read() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(
        dir.path(),
        &cli_json(
            r#""expiresOn": "2026-05-01 10:00:00.000000", "expires_on": 1777629600, "subscription": "s", "tenant": "t""#,
        ),
    );
    let cred = AzureCliCredential::builder()
        .with_program(&az)
        .with_tenant_id("tenant-1")
        .build()
        .unwrap();
    let token = cred.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.secret().expose(), TOKEN);
    assert_eq!(token.expires_on().timestamp(), 1_777_629_600);
    assert_eq!(
        calls(dir.path()),
        [format!(
            "account get-access-token --output json --resource {ARM_RESOURCE} --tenant tenant-1"
        )]
    );
    assert_eq!(cred.runs(), 1);
}

#[tokio::test]
async fn an_older_cli_s_local_expires_on_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(
        dir.path(),
        &cli_json(r#""expiresOn": "2026-05-01 10:04:58.123456""#),
    );
    let cred = AzureCliCredential::builder()
        .with_program(&az)
        .build()
        .unwrap();
    let token = cred.token(ARM_SCOPE).await.unwrap();
    let naive = NaiveDateTime::parse_from_str("2026-05-01 10:04:58.123456", "%Y-%m-%d %H:%M:%S%.f")
        .unwrap();
    let want = Local.from_local_datetime(&naive).earliest().unwrap();
    assert_eq!(token.expires_on(), want.with_timezone(&Utc));
    assert_eq!(
        calls(dir.path()),
        [format!(
            "account get-access-token --output json --resource {ARM_RESOURCE}"
        )],
        "no --tenant unless one is set"
    );
}

#[tokio::test]
async fn a_cli_that_is_not_logged_in_is_an_authentication_error() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(
        dir.path(),
        &format!(
            "echo 'WARNING: a refresh for {TOKEN} failed' >&2\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1"
        ),
    );
    let cred = AzureCliCredential::builder()
        .with_program(&az)
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Unauthenticated);
    assert_eq!(p.status, ErrorStatus::Permanent);
    let text = format!("{e} {e:?}");
    assert!(text.contains("exited with status 1"), "{text}");
    assert!(
        text.contains("ERROR: Please run 'az login' to setup account."),
        "{text}"
    );
    assert!(text.contains("run `az login`"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");

    // Only warnings: the first lines, tokens replaced.
    let az = fake_az(
        dir.path(),
        &format!("echo 'token {TOKEN} refused' >&2\nexit 2"),
    );
    let cred = AzureCliCredential::builder()
        .with_program(&az)
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(text.contains("status 2: token *** refused"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn a_missing_cli_says_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let cred = AzureCliCredential::builder()
        .with_program(dir.path().join("no-such-az"))
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated));
    let text = e.to_string();
    assert!(
        text.contains("was not found: install the Azure CLI and run `az login`"),
        "{text}"
    );
    assert!(text.contains("no-such-az"), "{text}");
}

#[tokio::test]
async fn cli_output_that_does_not_read_is_not_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(
        dir.path(),
        &format!("echo '{{\"accessToken\": \"{TOKEN}\"'"),
    );
    let cred = AzureCliCredential::builder()
        .with_program(&az)
        .build()
        .unwrap();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(
        text.contains("its output does not read: not JSON"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn a_cli_that_hangs_is_stopped_at_its_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), "exec sleep 30");
    let cred = AzureCliCredential::builder()
        .with_program(&az)
        .with_timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let began = std::time::Instant::now();
    let e = cred.token(ARM_SCOPE).await.unwrap_err();
    assert!(began.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(e.kind(), Some(ErrorKind::Timeout));
}

// ---- the default chain ----

/// One loopback server standing in for Entra ID's token endpoint (client secret), IMDS
/// and ARM.
async fn token_imds_arm() -> Server {
    Server::start(|_| {
        |seen: &Seen, _| {
            if seen.path.ends_with("/oauth2/v2.0/token") {
                let form: HashMap<String, String> =
                    url::form_urlencoded::parse(&seen.body).into_owned().collect();
                if form.get("client_secret").map(String::as_str) != Some(SECRET) {
                    return Reply::json(
                        401,
                        json!({"error": "invalid_client",
                               "error_description": "AADSTS7000215: Invalid client secret provided."}),
                    );
                }
                return Reply::json(
                    200,
                    json!({"token_type": "Bearer", "expires_in": 3599, "access_token": format!("{TOKEN}-entra")}),
                );
            }
            if seen.path == IMDS_PATH {
                return Reply::json(
                    200,
                    json!({"token_type": "Bearer", "expires_in": "3599", "access_token": format!("{TOKEN}-imds")}),
                );
            }
            match seen.header("authorization") {
                Some(a) if a.starts_with(&format!("Bearer {TOKEN}")) => {
                    Reply::json(200, json!({"name": "f1"}))
                }
                _ => Reply::arm_error(401, "InvalidAuthenticationToken", "bad token"),
            }
        }
    })
    .await
}

fn env_secret(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AZURE_TENANT_ID", "tenant-1".to_string()),
        ("AZURE_CLIENT_ID", "client-1".to_string()),
        ("AZURE_CLIENT_SECRET", SECRET.to_string()),
        ("AZURE_AUTHORITY_HOST", base.to_string()),
    ]
}

fn vars(v: &[(&'static str, String)]) -> impl Fn(&str) -> Option<String> + Clone {
    let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
    lookup(&pairs)
}

#[tokio::test]
async fn the_environment_comes_first() {
    let server = token_imds_arm().await;
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), &cli_json(r#""expires_on": 1777629600"#));
    let chain = DefaultCredential::builder_from_lookup(vars(&env_secret(&server.base)))
        .with_managed_identity_endpoint(format!("{}{IMDS_PATH}", server.base))
        .with_cli_program(&az)
        .build()
        .unwrap();
    assert_eq!(chain.chosen(), None);
    let token = chain.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.secret().expose(), format!("{TOKEN}-entra"));
    assert_eq!(chain.chosen(), Some("environment"));
    assert_eq!(server.count("GET", IMDS_PATH), 0, "IMDS not asked");
    assert!(calls(dir.path()).is_empty(), "az not run");
}

#[tokio::test]
async fn managed_identity_comes_next_and_is_kept() {
    let server = token_imds_arm().await;
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), &cli_json(r#""expires_on": 1777629600"#));
    // AZURE_CLIENT_ID alone: not a service principal, the user-assigned identity.
    let chain = DefaultCredential::builder_from_lookup(lookup(&[("AZURE_CLIENT_ID", "mi-1")]))
        .with_managed_identity_endpoint(format!("{}{IMDS_PATH}", server.base))
        .with_cli_program(&az)
        .build()
        .unwrap();
    let token = chain.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.secret().expose(), format!("{TOKEN}-imds"));
    assert_eq!(chain.chosen(), Some("managed identity"));
    assert_eq!(query(&server.seen()[0])["client_id"], "mi-1");
    chain.token(ARM_SCOPE).await.unwrap();
    assert_eq!(server.count("GET", IMDS_PATH), 2);
    assert!(calls(dir.path()).is_empty(), "az not run");
    assert_eq!(server.count("POST", "/oauth2/v2.0/token"), 0);
    assert_eq!(
        chain.to_string(),
        "default Azure credential, using managed identity"
    );
}

#[tokio::test]
async fn the_cli_comes_last_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), &cli_json(r#""expires_on": 1777629600"#));
    let chain = DefaultCredential::builder_from_lookup(lookup(&[("AZURE_TENANT_ID", "tenant-1")]))
        .with_managed_identity_endpoint(closed_port().await)
        .with_cli_program(&az)
        .build()
        .unwrap();
    let token = chain.token(ARM_SCOPE).await.unwrap();
    assert_eq!(token.secret().expose(), TOKEN);
    assert_eq!(chain.chosen(), Some("Azure CLI"));
    chain.token(ARM_SCOPE).await.unwrap();
    let calls = calls(dir.path());
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls[0].ends_with("--tenant tenant-1"),
        "AZURE_TENANT_ID: {calls:?}"
    );
}

#[tokio::test]
async fn when_every_source_fails_one_error_names_each_reason() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(
        dir.path(),
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1",
    );
    let imds = closed_port().await;
    let chain = DefaultCredential::builder_from_lookup(lookup(&[("AZURE_CLIENT_SECRET", SECRET)]))
        .with_managed_identity_endpoint(&imds)
        .with_cli_program(&az)
        .build()
        .unwrap();
    let e = chain.token(ARM_SCOPE).await.unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.kind, ErrorKind::Unauthenticated);
    assert_eq!(
        p.status,
        ErrorStatus::Permanent,
        "the client does not retry it"
    );
    let text = p.message.clone();
    let env = text
        .find("environment: AZURE_TENANT_ID and AZURE_CLIENT_ID are not set")
        .expect(&text);
    let mi = text.find("managed identity: GET ").expect(&text);
    let cli = text.find("Azure CLI: the Azure CLI").expect(&text);
    assert!(env < mi && mi < cli, "in the chain's order: {text}");
    assert!(text.contains(&imds), "{text}");
    assert!(text.contains("run `az login`"), "{text}");
    assert!(text.starts_with(&format!("no Azure credential gave a token for {ARM_SCOPE}")));
    assert_eq!(chain.chosen(), None);
    for t in [
        format!("{e}"),
        format!("{e:?}"),
        format!("{chain:?}"),
        chain.to_string(),
    ] {
        assert!(!t.contains(SECRET) && !t.contains(TOKEN), "{t}");
    }
    // Not chosen: the next call tries them all again.
    chain.token(ARM_SCOPE).await.unwrap_err();
    assert_eq!(calls(dir.path()).len(), 2);
}

#[tokio::test]
async fn the_client_from_the_environment_uses_the_chain_and_the_endpoint_variable() {
    let server = token_imds_arm().await;
    let mut env = env_secret(&server.base);
    env.push(("AZURE_ARM_ENDPOINT", server.base.clone()));
    env.push(("AZURE_SUBSCRIPTION_ID", "sub-1".to_string()));
    let client = AsrClientBuilder::from_lookup(vars(&env))
        .with_resource_group("rg-1")
        .with_vault("vault-1")
        .build()
        .unwrap();
    assert_eq!(client.endpoint().as_str(), format!("{}/", server.base));
    let v: Value = client
        .get(&client.vault("replicationFabrics/f1"))
        .await
        .unwrap();
    assert_eq!(v["name"], "f1");
    assert_eq!(server.count("POST", "/tenant-1/oauth2/v2.0/token"), 1);
    let form: HashMap<String, String> = url::form_urlencoded::parse(&server.seen()[0].body)
        .into_owned()
        .collect();
    assert_eq!(form["scope"], format!("{}/.default", server.base));
    assert!(!format!("{client:?}").contains(SECRET));
}

#[tokio::test]
async fn a_client_with_no_usable_credential_fails_at_once_without_calling_arm() {
    let server = token_imds_arm().await;
    let dir = tempfile::tempdir().unwrap();
    let chain = DefaultCredential::builder_from_lookup(|_| None)
        .with_managed_identity_endpoint(closed_port().await)
        .with_cli_program(dir.path().join("az"))
        .build()
        .unwrap();
    let client = http_common::builder(&server)
        .with_credential(Arc::new(chain))
        .build()
        .unwrap();
    let began = std::time::Instant::now();
    let e = client
        .get::<Value>(&client.vault("replicationFabrics"))
        .await
        .unwrap_err();
    assert!(
        began.elapsed() < std::time::Duration::from_secs(10),
        "not retried"
    );
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated));
    assert!(e.to_string().contains("was not found"), "{e}");
    assert!(server.seen().is_empty(), "ARM not called");
}

// ---- no secret anywhere ----

#[tokio::test]
async fn no_new_credential_builder_or_error_prints_a_secret_or_a_token() {
    let server = Server::start(|_| {
        |seen: &Seen, _| {
            // Echo whatever secret came: the header, the form.
            let echoed = format!(
                "{} {}",
                seen.header("x-identity-header").unwrap_or(""),
                String::from_utf8_lossy(&seen.body)
            );
            Reply::json(
                400,
                json!({"error": "invalid_request", "error_description": echoed}),
            )
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(
        dir.path(),
        &format!("echo 'cannot refresh {TOKEN}' >&2\nexit 1"),
    );
    let endpoint = format!("{}/msi/token", server.base);
    let mi_builder = ManagedIdentityCredentialBuilder::from_lookup(lookup(&[
        ("IDENTITY_ENDPOINT", &endpoint),
        ("IDENTITY_HEADER", SECRET),
    ]));
    let mut texts = vec![format!("{mi_builder:?}")];
    let mi = mi_builder.build().unwrap();
    let mi_error = mi.token(ARM_SCOPE).await.unwrap_err();
    let cli_builder = AzureCliCredential::builder().with_program(&az);
    texts.push(format!("{cli_builder:?}"));
    let cli = cli_builder.build().unwrap();
    let cli_error = cli.token(ARM_SCOPE).await.unwrap_err();
    let mut env = env_secret(&server.base);
    env.push(("IDENTITY_ENDPOINT", endpoint.clone()));
    env.push(("IDENTITY_HEADER", SECRET.to_string()));
    let chain_builder = DefaultCredential::builder_from_lookup(vars(&env)).with_cli_program(&az);
    texts.push(format!("{chain_builder:?}"));
    let chain = chain_builder.build().unwrap();
    let chain_error = chain.token(ARM_SCOPE).await.unwrap_err();
    let secret_flow = ClientSecretCredential::builder("t", "c", SECRET)
        .with_authority_host(&server.base)
        .build()
        .unwrap();
    let secret_error = secret_flow.token(ARM_SCOPE).await.unwrap_err();
    let client_error = AsrClientBuilder::from_lookup(vars(&env))
        .build()
        .unwrap_err();
    for e in [
        &mi_error,
        &cli_error,
        &chain_error,
        &secret_error,
        &client_error,
    ] {
        texts.push(format!("{e}"));
        texts.push(format!("{e:?}"));
        // What a journal or a report keeps of it.
        if let Some(p) = e.provider_error() {
            texts.push(p.message.clone());
        }
    }
    texts.push(format!("{mi:?} {mi}"));
    texts.push(format!("{cli:?} {cli}"));
    texts.push(format!("{chain:?} {chain}"));
    // The echoing endpoint did get the secrets: the test would be void otherwise.
    assert!(server
        .seen()
        .iter()
        .any(|s| s.header("x-identity-header") == Some(SECRET)));
    assert!(texts.iter().any(|t| t.contains("***")));
    for t in &texts {
        assert!(!t.contains(SECRET), "a secret leaked: {t}");
        assert!(!t.contains(TOKEN), "a token leaked: {t}");
        // Nor url-encoded, as the form sends it.
        let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        assert!(!t.contains(&encoded), "an encoded secret leaked: {t}");
    }
}
