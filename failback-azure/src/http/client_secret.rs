//! Microsoft Entra ID's client-credentials flow with a client secret.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use failback_core::clock::{Clock, SystemClock};
use failback_core::{Error, ErrorKind, Result};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use url::Url;

use super::credential::{after, seconds};
use super::error::{edit_message, status_error, transport_error, Service, PROVIDER};
use super::transport::{config_error, secure_base_url, Transport};
use super::{AccessToken, Credential, Secret};

/// The authority host of Azure's public cloud.
pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";

/// The environment variables [`ClientSecretCredentialBuilder::from_env`] reads.
pub const ENV_VARS: [&str; 4] = [
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
];

/// A service principal's token from Microsoft Entra ID, by the client-credentials flow:
/// `POST {authority}/{tenant}/oauth2/v2.0/token` with the form `client_id`, `scope`,
/// `client_secret`, `grant_type=client_credentials`.
///
/// Each [`Credential::token`] call asks for a new token (the flow has no refresh token):
/// put a [`CachingCredential`](super::CachingCredential) in front (the
/// [`AsrClient`](super::AsrClient) does). It does not retry by itself: the client's
/// retries cover a token request that failed (it never reached ARM).
///
/// A refused secret is an [`ErrorKind::Unauthenticated`] error naming the client and
/// the tenant, with Entra ID's `error` and `error_description`; neither the secret nor
/// a token is ever part of an error, `Debug` or `Display`.
///
/// ```
/// use failback_azure::http::ClientSecretCredential;
///
/// let c = ClientSecretCredential::builder("contoso.onmicrosoft.com", "app-id", "s3cr3t")
///     .build()
///     .unwrap();
/// assert!(!format!("{c:?} {c}").contains("s3cr3t"));
/// ```
pub struct ClientSecretCredential {
    tenant_id: String,
    client_id: String,
    secret: Secret,
    token_url: Url,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    requests: AtomicU64,
}

impl fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("token_url", &self.token_url.as_str())
            .finish()
    }
}

impl fmt::Display for ClientSecretCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "client secret of client {} in tenant {}",
            self.client_id, self.tenant_id
        )
    }
}

impl ClientSecretCredential {
    /// A builder for the client `client_id` of tenant `tenant_id` with its secret.
    pub fn builder(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> ClientSecretCredentialBuilder {
        ClientSecretCredentialBuilder::new(tenant_id, client_id, client_secret)
    }

    /// The credential of `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and
    /// `AZURE_AUTHORITY_HOST` (default [`DEFAULT_AUTHORITY_HOST`]).
    pub fn from_env() -> Result<ClientSecretCredential> {
        ClientSecretCredentialBuilder::from_env().build()
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// How many token requests were sent.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The error with every occurrence of the secret replaced, as it is and as the form
    /// encodes it (an endpoint that echoes the form would otherwise put it in a message).
    fn scrub(&self, e: Error) -> Error {
        let secret = self.secret.expose();
        if secret.is_empty() {
            return e;
        }
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        edit_message(e, |m| {
            for s in [secret, encoded.as_str()] {
                if m.contains(s) {
                    *m = m.replace(s, "***");
                }
            }
        })
    }

    fn parse_token(
        &self,
        what: &str,
        body: &[u8],
        asked_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<AccessToken> {
        let bad = |why: &str| {
            Error::provider(
                PROVIDER,
                ErrorKind::Unauthenticated,
                format!(
                    "{what}: the token response of Microsoft Entra ID does not read: {why} ({} bytes; not quoted, it may hold a token)",
                    body.len()
                ),
            )
        };
        let v: Value = serde_json::from_slice(body).map_err(|_| bad("not JSON"))?;
        let token = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad("no `access_token` string"))?;
        if let Some(kind) = v.get("token_type").and_then(Value::as_str) {
            if !kind.eq_ignore_ascii_case("bearer") {
                return Err(bad("`token_type` is not `Bearer`"));
            }
        }
        // A number in Entra ID; a string in some older endpoints (ADFS, Azure Stack).
        let secs =
            seconds(v.get("expires_in")).ok_or_else(|| bad("no `expires_in` count of seconds"))?;
        // `after` saturates: an absurd `expires_in` (1e18) must not panic chrono.
        let expires_on = after(asked_at, secs);
        Ok(AccessToken::new(token, expires_on))
    }
}

#[async_trait]
impl Credential for ClientSecretCredential {
    async fn token(&self, scope: &str) -> Result<AccessToken> {
        let what = format!("POST {}", self.token_url);
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", scope)
            .append_pair("client_secret", self.secret.expose())
            .append_pair("grant_type", "client_credentials")
            .finish();
        let asked_at = self.clock.now();
        self.requests.fetch_add(1, Ordering::Relaxed);
        let answer = self
            .http
            .post(self.token_url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(form)
            .send()
            .await;
        let response = answer.map_err(|e| self.scrub(transport_error(&what, e).error))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.scrub(transport_error(&what, e).error))?;
        if !status.is_success() {
            let e = status_error(
                Service::Token,
                &what,
                status,
                &headers,
                &body,
                self.clock.now(),
            )
            .error;
            let refused = e.kind() == Some(ErrorKind::Unauthenticated);
            let (client, tenant) = (self.client_id.clone(), self.tenant_id.clone());
            let e = edit_message(e, |m| {
                if refused {
                    m.push_str(&format!(
                        "; Microsoft Entra ID refused the client credentials of client {client} in tenant {tenant}: check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (an expired secret is a common cause)"
                    ));
                }
            });
            return Err(self.scrub(e));
        }
        self.parse_token(&what, &body, asked_at)
    }
}

/// The settings of a [`ClientSecretCredential`].
pub struct ClientSecretCredentialBuilder {
    tenant_id: Option<String>,
    client_id: Option<String>,
    secret: Option<Secret>,
    authority_host: String,
    transport: Transport,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for ClientSecretCredentialBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretCredentialBuilder")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("authority_host", &self.authority_host)
            .finish()
    }
}

impl ClientSecretCredentialBuilder {
    /// A builder for the client `client_id` of tenant `tenant_id` with its secret, on
    /// the public cloud's authority host.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> ClientSecretCredentialBuilder {
        ClientSecretCredentialBuilder {
            tenant_id: Some(tenant_id.into()),
            client_id: Some(client_id.into()),
            secret: Some(client_secret.into()),
            authority_host: DEFAULT_AUTHORITY_HOST.to_string(),
            transport: Transport::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// A builder from the environment: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
    /// `AZURE_CLIENT_SECRET`, `AZURE_AUTHORITY_HOST` (the missing ones are named by
    /// [`build`](Self::build)).
    pub fn from_env() -> ClientSecretCredentialBuilder {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// A builder from the variables of [`ENV_VARS`] as `lookup` gives them (the
    /// environment, a configuration file, a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ClientSecretCredentialBuilder {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        ClientSecretCredentialBuilder {
            tenant_id: get("AZURE_TENANT_ID"),
            client_id: get("AZURE_CLIENT_ID"),
            secret: get("AZURE_CLIENT_SECRET").map(Secret::new),
            authority_host: get("AZURE_AUTHORITY_HOST")
                .unwrap_or_else(|| DEFAULT_AUTHORITY_HOST.to_string()),
            transport: Transport::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The authority host, for sovereign clouds (`https://login.microsoftonline.us`) and
    /// simulators (plain http only to a loopback address).
    pub fn with_authority_host(mut self, host: impl Into<String>) -> Self {
        self.authority_host = host.into();
        self
    }

    /// Also trust this root certificate (PEM), for a simulator's self-signed one.
    pub fn with_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.transport.root_certificates.push(pem.into());
        self
    }

    /// The time-out of one token request (30 s unless set).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = timeout;
        self
    }

    /// The clock that dates the tokens' expiry.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The credential, or an error naming every missing or bad setting.
    pub fn build(self) -> Result<ClientSecretCredential> {
        let mut missing = Vec::new();
        if self.tenant_id.is_none() {
            missing.push("AZURE_TENANT_ID (the tenant id)");
        }
        if self.client_id.is_none() {
            missing.push("AZURE_CLIENT_ID (the application's client id)");
        }
        if self.secret.as_ref().is_none_or(Secret::is_empty) {
            missing.push("AZURE_CLIENT_SECRET (the client secret)");
        }
        let (Some(tenant_id), Some(client_id), Some(secret), true) = (
            self.tenant_id,
            self.client_id,
            self.secret,
            missing.is_empty(),
        ) else {
            return Err(config_error(format!(
                "the Azure client secret credential lacks {}",
                missing.join(", ")
            )));
        };
        let tenant_id = tenant_id.trim().to_string();
        if !tenant_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(config_error(format!(
                "the tenant id `{tenant_id}` is not a tenant id or domain (letters, digits, `-`, `.`, `_`)"
            )));
        }
        let authority = secure_base_url("the authority host", &self.authority_host)?;
        let token_url = Url::parse(&super::transport::join(
            &authority,
            &format!("/{tenant_id}/oauth2/v2.0/token"),
        ))
        .map_err(|e| config_error(format!("cannot form the token URL: {e}")))?;
        Ok(ClientSecretCredential {
            tenant_id,
            client_id: client_id.trim().to_string(),
            secret,
            token_url,
            http: self.transport.build()?,
            clock: self.clock,
            requests: AtomicU64::new(0),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn from_env_reads_the_azure_variables() {
        let c = ClientSecretCredentialBuilder::from_lookup(lookup(&[
            ("AZURE_TENANT_ID", "tenant-1"),
            ("AZURE_CLIENT_ID", "client-1"),
            ("AZURE_CLIENT_SECRET", "shh-secret"),
        ]))
        .build()
        .unwrap();
        assert_eq!(
            c.token_url().as_str(),
            "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
        );
        let c = ClientSecretCredentialBuilder::from_lookup(lookup(&[
            ("AZURE_TENANT_ID", "tenant-1"),
            ("AZURE_CLIENT_ID", "client-1"),
            ("AZURE_CLIENT_SECRET", "shh-secret"),
            ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"),
        ]))
        .build()
        .unwrap();
        assert_eq!(
            c.token_url().as_str(),
            "https://login.microsoftonline.us/tenant-1/oauth2/v2.0/token"
        );
        for text in [format!("{c:?}"), c.to_string()] {
            assert!(!text.contains("shh-secret"), "{text}");
        }
    }

    #[test]
    fn missing_variables_are_all_named() {
        let e = ClientSecretCredentialBuilder::from_lookup(lookup(&[(
            "AZURE_CLIENT_SECRET",
            "shh-secret",
        )]))
        .build()
        .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("AZURE_TENANT_ID"), "{text}");
        assert!(text.contains("AZURE_CLIENT_ID"), "{text}");
        assert!(!text.contains("AZURE_CLIENT_SECRET"), "{text}");
        assert!(!text.contains("shh-secret"), "{text}");
        assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
    }

    #[test]
    fn a_tenant_that_would_change_the_url_is_refused() {
        let e = ClientSecretCredential::builder("t/../x?", "c", "s")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("not a tenant id"), "{e}");
        let e = ClientSecretCredential::builder("t", "c", "s")
            .with_authority_host("http://login.example")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("plain http"), "{e}");
    }
}
