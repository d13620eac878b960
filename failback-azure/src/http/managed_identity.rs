//! Managed identity: the token of the identity Azure gives the machine the code runs on,
//! from the VM's instance metadata service (IMDS) or from App Service's (and Functions',
//! Container Apps') local identity endpoint.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use failback_core::clock::{Clock, SystemClock};
use failback_core::{Error, ErrorKind, Result};
use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

use super::credential::{after, epoch, resource_of, seconds};
use super::error::{edit_message, status_error, transport_error, Service, PROVIDER};
use super::transport::{config_error, Transport};
use super::{AccessToken, Credential, Secret};

/// The token endpoint of the Azure instance metadata service (IMDS) on every Azure VM.
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// The api-version of the IMDS token endpoint.
pub const IMDS_API_VERSION: &str = "2018-02-01";

/// The api-version of App Service's identity endpoint (`IDENTITY_ENDPOINT`).
pub const APP_SERVICE_API_VERSION: &str = "2019-08-01";

/// The connect time-out of IMDS unless set otherwise: off Azure nothing answers at
/// 169.254.169.254, and a [`DefaultCredential`](super::DefaultCredential) must move on
/// to the next source quickly.
pub const IMDS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The environment variables [`ManagedIdentityCredentialBuilder::from_env`] reads.
pub const MANAGED_IDENTITY_ENV_VARS: [&str; 3] =
    ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_CLIENT_ID"];

/// Which endpoint gives the token.
#[derive(Clone, PartialEq, Eq)]
enum Flavour {
    /// An Azure VM's IMDS: `Metadata: true`.
    Imds,
    /// App Service, Functions, Container Apps: `X-IDENTITY-HEADER` with the value of
    /// `IDENTITY_HEADER`.
    AppService { header: Secret },
}

impl Flavour {
    fn name(&self) -> &'static str {
        match self {
            Flavour::Imds => "IMDS",
            Flavour::AppService { .. } => "App Service",
        }
    }
}

/// The token of a managed identity: the system-assigned one of the machine, or a
/// user-assigned one chosen by its client id.
///
/// - On an Azure VM or scale set: `GET {IMDS_ENDPOINT}?api-version=2018-02-01&resource=…`
///   with the header `Metadata: true`, reached without a proxy and with a 1 s connect
///   time-out, so that off Azure a chain moves on at once.
/// - On App Service, Functions or Container Apps (`IDENTITY_ENDPOINT` and
///   `IDENTITY_HEADER` set): `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…`
///   with the header `X-IDENTITY-HEADER`.
///
/// The scope `https://management.azure.com/.default` is asked for as the resource
/// `https://management.azure.com`. The expiry is read from `expires_in` (seconds from
/// now) or `expires_on` (seconds since 1970), numbers or strings.
///
/// A refusal (no identity on the machine, an unknown client id) is an
/// [`ErrorKind::Unauthenticated`] error; no answer at all is
/// [`ErrorKind::Unavailable`] or [`ErrorKind::Timeout`] (temporary), naming the endpoint.
/// Neither the `IDENTITY_HEADER` value nor a token is ever part of an error, `Debug` or
/// `Display`. Each call asks for a new token: put a
/// [`CachingCredential`](super::CachingCredential) in front (the
/// [`AsrClient`](super::AsrClient) does).
///
/// ```
/// use failback_azure::http::ManagedIdentityCredential;
///
/// let vm = ManagedIdentityCredential::imds()
///     .with_client_id("11111111-2222-3333-4444-555555555555")
///     .build()
///     .unwrap();
/// assert!(vm.to_string().contains("IMDS"));
/// let web = ManagedIdentityCredential::app_service("http://127.0.0.1:41741/msi/token", "h3ader")
///     .build()
///     .unwrap();
/// assert!(!format!("{web:?} {web}").contains("h3ader"));
/// ```
pub struct ManagedIdentityCredential {
    flavour: Flavour,
    endpoint: Url,
    client_id: Option<String>,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    requests: AtomicU64,
}

impl fmt::Debug for ManagedIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ManagedIdentityCredential");
        d.field("flavour", &self.flavour.name())
            .field("endpoint", &self.endpoint.as_str())
            .field("client_id", &self.client_id);
        if let Flavour::AppService { header } = &self.flavour {
            d.field("identity_header", header);
        }
        d.finish()
    }
}

impl fmt::Display for ManagedIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.client_id {
            Some(id) => write!(
                f,
                "managed identity with client id {id} ({} at {})",
                self.flavour.name(),
                self.endpoint
            ),
            None => write!(
                f,
                "system-assigned managed identity ({} at {})",
                self.flavour.name(),
                self.endpoint
            ),
        }
    }
}

impl ManagedIdentityCredential {
    /// A builder for an Azure VM's IMDS.
    pub fn imds() -> ManagedIdentityCredentialBuilder {
        ManagedIdentityCredentialBuilder::new(None)
    }

    /// A builder for App Service's identity endpoint (`IDENTITY_ENDPOINT`) with its
    /// header value (`IDENTITY_HEADER`).
    pub fn app_service(
        endpoint: impl Into<String>,
        identity_header: impl Into<Secret>,
    ) -> ManagedIdentityCredentialBuilder {
        let mut b = ManagedIdentityCredentialBuilder::new(Some(identity_header.into()));
        b.endpoint = Some(endpoint.into());
        b
    }

    /// The credential the environment describes (see
    /// [`ManagedIdentityCredentialBuilder::from_env`]).
    pub fn from_env() -> Result<ManagedIdentityCredential> {
        ManagedIdentityCredentialBuilder::from_env().build()
    }

    /// The token endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The client id of the user-assigned identity asked for, if one is.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// How many token requests were sent.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The error with the identity header's value replaced (an endpoint that echoes
    /// the request would otherwise put it in a message).
    fn scrub(&self, e: Error) -> Error {
        let Flavour::AppService { header } = &self.flavour else {
            return e;
        };
        let secret = header.expose();
        if secret.is_empty() {
            return e;
        }
        edit_message(e, |m| {
            if m.contains(secret) {
                *m = m.replace(secret, "***");
            }
        })
    }

    fn url(&self, resource: &str) -> Url {
        let mut url = self.endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair(
                "api-version",
                match self.flavour {
                    Flavour::Imds => IMDS_API_VERSION,
                    Flavour::AppService { .. } => APP_SERVICE_API_VERSION,
                },
            );
            q.append_pair("resource", resource);
            if let Some(id) = &self.client_id {
                q.append_pair("client_id", id);
            }
        }
        url
    }

    /// The error of a failed answer: IMDS's 404 and 410 (it is updating) are temporary;
    /// a refusal says which identity was asked for.
    fn refused(&self, status: StatusCode, e: Error) -> Error {
        let updating = self.flavour == Flavour::Imds
            && matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE);
        let e = if updating {
            rekind(e, ErrorKind::Unavailable)
        } else {
            e
        };
        let hint = if e.kind() == Some(ErrorKind::Unauthenticated) {
            match &self.client_id {
                Some(id) => format!(
                    "; the {} endpoint refused a token for the user-assigned identity with client id {id}: check that the identity is assigned to this machine (AZURE_CLIENT_ID)",
                    self.flavour.name()
                ),
                None => format!(
                    "; the {} endpoint refused a token for the system-assigned identity: check that this machine has a managed identity and that it may use the resource",
                    self.flavour.name()
                ),
            }
        } else if updating {
            "; IMDS answers so while it updates: try again shortly".to_string()
        } else {
            String::new()
        };
        edit_message(e, |m| m.push_str(&hint))
    }

    fn parse_token(&self, what: &str, body: &[u8], asked_at: DateTime<Utc>) -> Result<AccessToken> {
        let bad = |why: &str| {
            Error::provider(
                PROVIDER,
                ErrorKind::Unauthenticated,
                format!(
                    "{what}: the token response of the managed identity endpoint does not read: {why} ({} bytes; not quoted, it may hold a token)",
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
        // `expires_in` counts from now on this clock, which a skewed system clock does
        // not spoil; `expires_on` is absolute.
        let expires_on = match seconds(v.get("expires_in")) {
            Some(secs) => after(asked_at, secs),
            None => seconds(v.get("expires_on"))
                .and_then(epoch)
                .ok_or_else(|| {
                    bad("neither `expires_in` nor `expires_on` is a count of seconds")
                })?,
        };
        Ok(AccessToken::new(token, expires_on))
    }
}

/// `e` with another kind (and that kind's retry status), its message and request id kept.
fn rekind(e: Error, kind: ErrorKind) -> Error {
    let Some(p) = e.provider_error() else {
        return e;
    };
    let mut out = Error::provider(PROVIDER, kind, p.message.clone());
    if let Some(id) = &p.request_id {
        out = out.with_request_id(id.clone());
    }
    if let Some(wait) = p.retry_after {
        out = out.with_retry_after(wait);
    }
    out
}

#[async_trait]
impl Credential for ManagedIdentityCredential {
    async fn token(&self, scope: &str) -> Result<AccessToken> {
        let resource = resource_of(scope);
        let url = self.url(resource);
        let what = format!(
            "GET {} (managed identity, {})",
            self.endpoint,
            self.flavour.name()
        );
        let mut request = self.http.get(url).header(ACCEPT, "application/json");
        request = match &self.flavour {
            Flavour::Imds => request.header("Metadata", "true"),
            Flavour::AppService { header } => request.header("X-IDENTITY-HEADER", header.expose()),
        };
        let asked_at = self.clock.now();
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().await.map_err(|e| {
            let connect = e.is_connect();
            let err = transport_error(&what, e).error;
            let hint = match (&self.flavour, connect) {
                (Flavour::Imds, true) => {
                    "; nothing answers at the instance metadata service: not an Azure VM, or IMDS is blocked"
                }
                (Flavour::AppService { .. }, true) => {
                    "; nothing answers at IDENTITY_ENDPOINT"
                }
                _ => "",
            };
            self.scrub(edit_message(err, |m| m.push_str(hint)))
        })?;
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
            return Err(self.scrub(self.refused(status, e)));
        }
        self.parse_token(&what, &body, asked_at)
    }
}

/// The settings of a [`ManagedIdentityCredential`].
pub struct ManagedIdentityCredentialBuilder {
    identity_header: Option<Secret>,
    endpoint: Option<String>,
    client_id: Option<String>,
    transport: Transport,
    connect_timeout: Option<Duration>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for ManagedIdentityCredentialBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedIdentityCredentialBuilder")
            .field("identity_header", &self.identity_header)
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .finish()
    }
}

impl ManagedIdentityCredentialBuilder {
    fn new(identity_header: Option<Secret>) -> ManagedIdentityCredentialBuilder {
        ManagedIdentityCredentialBuilder {
            identity_header,
            endpoint: None,
            client_id: None,
            transport: Transport {
                no_proxy: true,
                ..Transport::default()
            },
            connect_timeout: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// A builder from the environment: App Service's identity endpoint when
    /// `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set, else IMDS; the user-assigned
    /// identity of `AZURE_CLIENT_ID` when it is set.
    pub fn from_env() -> ManagedIdentityCredentialBuilder {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// A builder from the variables of [`MANAGED_IDENTITY_ENV_VARS`] as `lookup` gives
    /// them.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> ManagedIdentityCredentialBuilder {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut b = match (get("IDENTITY_ENDPOINT"), get("IDENTITY_HEADER")) {
            (Some(endpoint), Some(header)) => {
                ManagedIdentityCredential::app_service(endpoint, header)
            }
            _ => ManagedIdentityCredential::imds(),
        };
        b.client_id = get("AZURE_CLIENT_ID").map(|s| s.trim().to_string());
        b
    }

    /// Whether the builder is for App Service's endpoint (else IMDS).
    pub fn is_app_service(&self) -> bool {
        self.identity_header.is_some()
    }

    /// The user-assigned identity with this client id (by default the system-assigned
    /// one).
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The token endpoint's full URL, for tests and simulators (IMDS: by default
    /// [`IMDS_ENDPOINT`]). `https`, or plain `http` to a loopback or link-local address.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The connect time-out (IMDS: 1 s; App Service: 5 s).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The time-out of one token request (30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = timeout;
        self
    }

    /// Also trust this root certificate (PEM), for an https test endpoint.
    pub fn with_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.transport.root_certificates.push(pem.into());
        self
    }

    /// The clock that dates the tokens' expiry.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The credential, or an error naming the bad setting.
    pub fn build(self) -> Result<ManagedIdentityCredential> {
        let flavour = match self.identity_header {
            Some(header) if header.is_empty() => {
                return Err(config_error(
                    "the managed identity's IDENTITY_HEADER is empty".to_string(),
                ))
            }
            Some(header) => Flavour::AppService { header },
            None => Flavour::Imds,
        };
        let text = match (&self.endpoint, &flavour) {
            (Some(e), _) => e.clone(),
            (None, Flavour::Imds) => IMDS_ENDPOINT.to_string(),
            (None, Flavour::AppService { .. }) => {
                return Err(config_error(
                    "the App Service managed identity has no endpoint (IDENTITY_ENDPOINT)"
                        .to_string(),
                ))
            }
        };
        let endpoint = identity_url(&text)?;
        let client_id = match self.client_id.map(|c| c.trim().to_string()) {
            Some(c) if c.is_empty() => None,
            Some(c)
                if !c
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.' | '_')) =>
            {
                return Err(config_error(format!(
                    "the managed identity client id `{}` is not a client id (letters, digits, `-`)",
                    super::error::clip(&c, 60)
                )))
            }
            other => other,
        };
        let mut transport = self.transport;
        transport.connect_timeout = self.connect_timeout.unwrap_or(match flavour {
            Flavour::Imds => IMDS_CONNECT_TIMEOUT,
            Flavour::AppService { .. } => super::transport::CONNECT_TIMEOUT,
        });
        Ok(ManagedIdentityCredential {
            flavour,
            endpoint,
            client_id,
            http: transport.build()?,
            clock: self.clock,
            requests: AtomicU64::new(0),
        })
    }
}

/// `text` as a managed identity endpoint: `https`, or plain `http` to this machine or a
/// link-local address (IMDS is plain http at 169.254.169.254 by design).
fn identity_url(text: &str) -> Result<Url> {
    let what = "the managed identity endpoint";
    let url = Url::parse(text.trim())
        .map_err(|e| config_error(format!("{what} `{text}` is not a URL: {e}")))?;
    let near = match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback() || a.is_link_local(),
        Some(url::Host::Ipv6(a)) => a.is_loopback() || (a.segments()[0] & 0xffc0) == 0xfe80,
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if near => Ok(url),
        "http" => Err(config_error(format!(
            "{what} `{text}` is plain http to a host other than this machine or a link-local address"
        ))),
        _ => Err(config_error(format!(
            "{what} `{text}` is not an http(s) URL with a host"
        ))),
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
    fn the_environment_chooses_the_endpoint() {
        let b = ManagedIdentityCredentialBuilder::from_lookup(lookup(&[]));
        assert!(!b.is_app_service());
        let c = b.build().unwrap();
        assert_eq!(c.endpoint().as_str(), IMDS_ENDPOINT);
        assert_eq!(c.client_id(), None);

        let b = ManagedIdentityCredentialBuilder::from_lookup(lookup(&[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token"),
            ("IDENTITY_HEADER", "hdr-value-1"),
            ("AZURE_CLIENT_ID", "client-9"),
        ]));
        assert!(b.is_app_service());
        let c = b.build().unwrap();
        assert_eq!(c.endpoint().as_str(), "http://127.0.0.1:41741/msi/token");
        assert_eq!(c.client_id(), Some("client-9"));
        let url = c.url("https://management.azure.com");
        assert_eq!(
            url.query(),
            Some("api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com&client_id=client-9")
        );
        for text in [format!("{c:?}"), c.to_string()] {
            assert!(!text.contains("hdr-value-1"), "{text}");
        }

        // A header without an endpoint is not App Service.
        let b = ManagedIdentityCredentialBuilder::from_lookup(lookup(&[("IDENTITY_HEADER", "x")]));
        assert!(!b.is_app_service());
    }

    #[test]
    fn only_near_plain_http_endpoints_are_accepted() {
        for ok in [
            IMDS_ENDPOINT,
            "http://localhost:8081/msi/token",
            "http://[::1]:1/x",
            "https://identity.example/token",
        ] {
            assert!(identity_url(ok).is_ok(), "{ok}");
        }
        for bad in ["http://10.0.0.4/token", "ftp://x/y", "not a url"] {
            assert!(identity_url(bad).is_err(), "{bad}");
        }
        let e = ManagedIdentityCredential::imds()
            .with_client_id("a b&c=d")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
    }
}
