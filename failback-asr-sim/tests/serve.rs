//! The simulator serves over HTTP and HTTPS (a client trusting its CA, no insecure mode),
//! refuses requests without its bearer token, and answers with ARM error bodies.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use failback_asr_sim::{start, Settings};
use failback_lab::{LabSettings, LabSite};

fn lab() -> LabSite {
    LabSite::generated(
        4,
        1,
        LabSettings {
            time_scale: 3600.0,
            ..LabSettings::default()
        },
    )
}

#[tokio::test]
async fn https_with_the_ca_and_the_bearer_token() {
    let sim = start(
        lab(),
        Settings {
            https: true,
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    let ca = reqwest::Certificate::from_pem(sim.ca_pem.as_ref().unwrap().as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let url = format!(
        "{}/subscriptions/x/nothing?api-version=2026-05-01",
        sim.https_url().unwrap()
    );

    let anonymous = client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("x-ms-request-id"));
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthenticationFailed");

    let wrong = client
        .get(&url)
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    let known = client
        .get(&url)
        .bearer_auth(&Settings::default().token)
        .send()
        .await
        .unwrap();
    assert_eq!(known.status(), 404);
    let body: serde_json::Value = known.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ResourceNotFound");
    assert_eq!(sim.requests(), 3);

    // A client that does not trust the CA is refused by TLS itself.
    let stranger = reqwest::Client::new().get(&url).send().await;
    assert!(stranger.is_err(), "{stranger:?}");
}

#[tokio::test]
async fn plain_http_too() {
    let sim = start(lab(), Settings::default()).await.unwrap();
    assert!(sim.https.is_none() && sim.ca_pem.is_none());
    let r = reqwest::Client::new()
        .get(format!(
            "{}/anything?api-version=2025-08-01",
            sim.http_url()
        ))
        .bearer_auth(&Settings::default().token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    for (query, code) in [
        ("", "MissingApiVersionParameter"),
        ("?api-version=2019-01-01", "InvalidApiVersionParameter"),
    ] {
        let r = reqwest::Client::new()
            .get(format!("{}/anything{query}", sim.http_url()))
            .bearer_auth(&Settings::default().token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
    }
}
