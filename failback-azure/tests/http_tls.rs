//! The extra root certificate: a simulator's TLS certificate, issued by its own CA,
//! is trusted with the CA's PEM and refused without it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_common;

use std::time::Duration;

use failback_core::retry::RetryPolicy;
use failback_core::{ErrorKind, ErrorStatus};
use http_common::{builder, Reply, Seen, Server};
use serde_json::{json, Value};

// Made for these tests with openssl (valid until 2126): a CA, and a server certificate
// it issued for 127.0.0.1 and localhost. Test material only; it guards nothing.
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBsjCCAVegAwIBAgIUPMqINsTHg1ovZLUAfChPu0wGNKEwCgYIKoZIzj0EAwIw\nJTEjMCEGA1UEAwwaZmFpbGJhY2sgdGVzdCBzaW11bGF0b3IgQ0EwIBcNMjYxMjAz\nMDgzODQyWhgPMjEyNjExMDkwODM4NDJaMCUxIzAhBgNVBAMMGmZhaWxiYWNrIHRl\nc3Qgc2ltdWxhdG9yIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEBXRLOL/x\neSTt2lP28x9J1c9byblObjdGPQC80gjikWrd1vIeY2OHtjJsed+MrgPCR06ptSVH\nPBvbrQy1WL73/aNjMGEwHQYDVR0OBBYEFFml8g2yTL3s068Hvlb2HATybK9vMB8G\nA1UdIwQYMBaAFFml8g2yTL3s068Hvlb2HATybK9vMA8GA1UdEwEB/wQFMAMBAf8w\nDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49BAMCA0kAMEYCIQCOFjwSP3VitfJKUlJG\n5MxYWe+0YjHN+pLhQPHICzG/mgIhAKfUzsdkiy0byo8+myVbzO3B7m8OrBX6Aq18\nefyEb44a\n-----END CERTIFICATE-----\n";
const SERVER_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB0TCCAXagAwIBAgIUXKdQt2GFqrsgA/uHNoSP8A95q3UwCgYIKoZIzj0EAwIw\nJTEjMCEGA1UEAwwaZmFpbGJhY2sgdGVzdCBzaW11bGF0b3IgQ0EwIBcNMjYxMjAz\nMDgzODQyWhgPMjEyNjExMDkwODM4NDJaMBQxEjAQBgNVBAMMCTEyNy4wLjAuMTBZ\nMBMGByqGSM49AgEGCCqGSM49AwEHA0IABO9JNKggL0aLzu7rXoGRbzUUzlLcnyD2\nd4JuERBeOVBuHj3yaDIYaWntwAgNiS7MTOcNLTGfj4FC7oFlO0KdidijgZIwgY8w\nDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUH\nAwEwGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0MB0GA1UdDgQWBBR2zh3CGt0K\nthYICy+wewQoeBYHFDAfBgNVHSMEGDAWgBRZpfINsky97NOvB75W9hwE8myvbzAK\nBggqhkjOPQQDAgNJADBGAiEA94IbENH8ZTWonQo9bR+6JBjQbNRtW0XVrj/vqGut\n8kkCIQCX/YDcxmpX86CbCt0sajvVFIKkNOHX0o9SB1Wy7/QL3g==\n-----END CERTIFICATE-----\n";
const SERVER_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+6i2nxQiScPSD63F\nYl+NhNXT4Hjcn2InHQeQWNKPUsehRANCAATvSTSoIC9Gi87u616BkW81FM5S3J8g\n9neCbhEQXjlQbh498mgyGGlp7cAIDYkuzEznDS0xn4+BQu6BZTtCnYnY\n-----END PRIVATE KEY-----\n";

async fn simulator() -> Server {
    Server::start_tls(SERVER_PEM, SERVER_KEY, |_| {
        |_: &Seen, _| Reply::json(200, json!({"name": "f1"}))
    })
    .await
}

#[tokio::test]
async fn a_simulator_certificate_is_trusted_with_its_ca() {
    let server = simulator().await;
    assert!(server.base.starts_with("https://127.0.0.1:"));
    let c = builder(&server)
        .with_root_certificate_pem(CA_PEM)
        .build()
        .unwrap();
    let v: Value = c.get(&c.vault("replicationFabrics/f1")).await.unwrap();
    assert_eq!(v["name"], "f1");
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some("Bearer test-token")
    );
}

#[tokio::test(start_paused = true)]
async fn without_the_ca_the_certificate_is_refused_at_once() {
    let server = simulator().await;
    let c = builder(&server)
        .with_retry_policy(RetryPolicy::new(
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(10),
        ))
        .build()
        .unwrap();
    let e = c
        .get::<Value>(&c.vault("replicationFabrics/f1"))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert!(p.message.contains("certificate"), "{}", p.message);
    assert_eq!(p.status, ErrorStatus::Permanent, "{e}");
    assert_eq!(p.kind, ErrorKind::Other, "{e}");
    assert_eq!(
        c.request_counts().get,
        1,
        "a certificate refused is not retried"
    );
    assert!(
        server.seen().is_empty(),
        "no request, so no token, went out"
    );
}
