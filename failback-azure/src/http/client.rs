//! The ARM client of one Recovery Services vault: its configuration, the requests
//! (`get`, `list`, `post_lro`, `put_lro`), their retries and their count.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use failback_core::clock::{Clock, SystemClock};
use failback_core::retry::RetryPolicy;
use failback_core::{Error, ErrorKind, Result};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use super::cache::DEFAULT_REFRESH_MARGIN;
use super::counter::RequestCounter;
use super::error::{
    body_error, edit_message, status_error, transport_error, Delivery, Failure, Service, PROVIDER,
};
use super::retry::{may_retry, spent};
use super::transport::{config_error, join, secure_base_url, Transport};
use super::{CachingCredential, Credential, DefaultCredentialBuilder, Lro, RequestCounts};

/// Azure Resource Manager of Azure's public cloud.
pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com";

/// The variable [`AsrClientBuilder::from_env`] reads the ARM endpoint from: a sovereign
/// cloud's (`https://management.usgovcloudapi.net`, `https://management.chinacloudapi.cn`)
/// or a simulator's (`http://127.0.0.1:8443`); by default [`DEFAULT_ENDPOINT`].
pub const ARM_ENDPOINT_ENV_VAR: &str = "AZURE_ARM_ENDPOINT";

/// The api-version sent unless set otherwise: the newest stable of the ASR spec.
pub const DEFAULT_API_VERSION: &str = "2026-05-01";

/// How long to wait between two polls of a long-running operation when the service
/// gives no `Retry-After`.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(15);

/// The most of an error body read (a larger one is cut before it is parsed).
const MAX_ERROR_BODY: usize = 8 << 20;

/// The most pages one listing follows.
const MAX_PAGES: usize = 10_000;

/// A client of the ASR REST API of one Recovery Services vault, over ARM.
///
/// Paths start with `/` from the endpoint's root (`/subscriptions/…`), or are full URLs
/// on the endpoint (a `nextLink`, a `Location`); [`AsrClient::vault`] builds the paths
/// under the vault. `api-version` is added to every URL that lacks it. Every request
/// carries a bearer token from the credential (cached until 5 minutes before it
/// expires), every answer is checked and a failure mapped once into a
/// [`failback_core::ProviderError`] with its kind, retry status and request id.
///
/// A 401 from ARM drops the cached token and sends the request again once with a new
/// one (the request was not processed); a second 401 is the error.
///
/// Retries (the adapter's layer of docs/decisions.md): an idempotent request (a GET, a
/// page, a poll) is sent again on a retryable temporary error (429 honouring
/// `Retry-After`, 5xx, connect errors and time-outs) with the [`RetryPolicy`]'s jitter
/// until its budget is spent, then its last error comes back persistent. A POST or PUT
/// is sent again only when it cannot have been processed (a connect error, a 429);
/// after a 5xx or a time-out its temporary error comes back at once, for the
/// orchestrator's lost-response check.
///
/// Clones share the connection pool, the token cache and the request counts.
///
/// ```no_run
/// # async fn run() -> failback_core::Result<()> {
/// use std::sync::Arc;
/// use failback_azure::http::{AsrClient, ClientSecretCredential};
///
/// let client = AsrClient::builder()
///     .with_subscription_id("00000000-0000-0000-0000-000000000000")
///     .with_resource_group("rg-dr")
///     .with_vault("vault-dr")
///     .with_credential(Arc::new(ClientSecretCredential::from_env()?))
///     .build()?;
/// let fabrics: Vec<serde_json::Value> = client.list(&client.vault("replicationFabrics")).await?;
/// println!("{} fabrics in {} requests", fabrics.len(), client.request_counts().total());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AsrClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    endpoint: Url,
    vault_path: String,
    api_version: String,
    scope: String,
    credential: CachingCredential,
    retry: RetryPolicy,
    seed: u64,
    clock: Arc<dyn Clock>,
    poll_interval: Duration,
    counter: RequestCounter,
}

/// An answer with a 2xx status.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// One page of an ARM collection.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(rename = "nextLink", default)]
    next_link: Option<String>,
}

impl AsrClient {
    /// A builder, with the public cloud's endpoint and api-version `2026-05-01`.
    pub fn builder() -> AsrClientBuilder {
        AsrClientBuilder::new()
    }

    /// The ARM endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// The vault's path, `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}`.
    pub fn vault_path(&self) -> &str {
        &self.inner.vault_path
    }

    /// The path of `suffix` under the vault: `vault("replicationFabrics")`.
    pub fn vault(&self, suffix: &str) -> String {
        format!(
            "{}/{}",
            self.inner.vault_path,
            suffix.trim_start_matches('/')
        )
    }

    /// The api-version added to the URLs.
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    /// The retry policy of the requests inside one call.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The requests sent so far by this client and its clones.
    pub fn request_counts(&self) -> RequestCounts {
        self.inner.counter.snapshot()
    }

    /// The resource at `path`, read as `T` (`serde_json::Value` for any JSON).
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let url = self.url_for(path, "path")?;
        let reply = self.send(Method::GET, &url, None, true).await?;
        parse(&what(&Method::GET, &url), &reply.body)
    }

    /// Every item of the collection at `path`: its pages followed through `nextLink`
    /// until there is none, each page retried on its own. A `nextLink` to another host
    /// than the endpoint is refused (the bearer token goes to the endpoint only).
    pub async fn list<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>> {
        let mut url = self.url_for(path, "path")?;
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let reply = self.send(Method::GET, &url, None, true).await?;
            let page: Page<T> = parse(&what(&Method::GET, &url), &reply.body)?;
            items.extend(page.value);
            let Some(link) = page.next_link.filter(|l| !l.trim().is_empty()) else {
                return Ok(items);
            };
            seen.insert(url.to_string());
            let next = self.url_for(&link, "nextLink").map_err(|e| {
                let request = what(&Method::GET, &url);
                edit_message(e, |m| *m = format!("{request}: {m}"))
            })?;
            if seen.contains(next.as_str()) {
                return Err(Error::provider(
                    PROVIDER,
                    ErrorKind::Other,
                    format!(
                        "{}: the nextLink points back to a page already read; the listing stops to avoid a loop",
                        what(&Method::GET, &url)
                    ),
                ));
            }
            url = next;
        }
        Err(Error::provider(
            PROVIDER,
            ErrorKind::Other,
            format!("GET {path}: more than {MAX_PAGES} pages; the listing stops"),
        ))
    }

    /// Start the long-running POST action at `path` with the JSON `body` (sent once;
    /// again only when it cannot have been processed, see the type's documentation).
    pub async fn post_lro<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<Lro> {
        self.start(Method::POST, path, Some(to_json(path, body)?))
            .await
    }

    /// Start the long-running POST action at `path` without a body (`failoverCommit`).
    pub async fn post_lro_empty(&self, path: &str) -> Result<Lro> {
        self.start(Method::POST, path, None).await
    }

    /// Create or replace the resource at `path` with `body`, a long-running operation.
    pub async fn put_lro<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<Lro> {
        self.start(Method::PUT, path, Some(to_json(path, body)?))
            .await
    }

    /// A long-running operation started earlier (before a restart), from the status
    /// URLs its 202 gave: its `Location` and/or `Azure-AsyncOperation`.
    pub fn resume_lro(
        &self,
        location: Option<&str>,
        azure_async_operation: Option<&str>,
    ) -> Result<Lro> {
        let location = location.map(|l| self.url_for(l, "Location")).transpose()?;
        let async_op = azure_async_operation
            .map(|l| self.url_for(l, "Azure-AsyncOperation"))
            .transpose()?;
        Lro::resumed(self.clone(), location, async_op)
    }

    async fn start(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<Lro> {
        let url = self.url_for(path, "path")?;
        let body = body.unwrap_or_default();
        let reply = self.send(method.clone(), &url, Some(&body), false).await?;
        Lro::started(self.clone(), method, url, reply)
    }

    /// `path_or_url` as a URL on the endpoint, with `api-version`. `what` names it in
    /// errors (`path`, `nextLink`, `Location`).
    pub(crate) fn url_for(&self, path_or_url: &str, what: &str) -> Result<Url> {
        let text = path_or_url.trim();
        let mut url = if text.starts_with("https://") || text.starts_with("http://") {
            let url = Url::parse(text).map_err(|e| {
                Error::provider(
                    PROVIDER,
                    ErrorKind::Other,
                    format!(
                        "the {what} `{}` is not a URL: {e}",
                        super::error::clip(text, 200)
                    ),
                )
            })?;
            if url.origin() != self.inner.endpoint.origin() {
                return Err(Error::provider(
                    PROVIDER,
                    ErrorKind::Other,
                    format!(
                        "refused to follow the {what} to {}: it is not the ARM endpoint {} (the bearer token is sent to the endpoint only)",
                        url.origin().ascii_serialization(),
                        self.inner.endpoint.origin().ascii_serialization()
                    ),
                ));
            }
            url
        } else if text.starts_with('/') {
            Url::parse(&join(&self.inner.endpoint, text)).map_err(|e| {
                Error::provider(
                    PROVIDER,
                    ErrorKind::InvalidInput,
                    format!(
                        "the {what} `{}` does not form a URL: {e}",
                        super::error::clip(text, 200)
                    ),
                )
            })?
        } else {
            return Err(Error::provider(
                PROVIDER,
                ErrorKind::InvalidInput,
                format!(
                    "the {what} `{}` is neither a path from the root (`/subscriptions/…`; see AsrClient::vault) nor a URL",
                    super::error::clip(text, 200)
                ),
            ));
        };
        if !url.query_pairs().any(|(k, _)| k == "api-version") {
            url.query_pairs_mut()
                .append_pair("api-version", &self.inner.api_version);
        }
        Ok(url)
    }

    /// The clock the client sleeps on.
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The poll interval when the service gives no `Retry-After`.
    pub(crate) fn poll_interval(&self) -> Duration {
        self.inner.poll_interval
    }

    /// Send a request with the retries it allows (see the type's documentation); a 2xx
    /// answer with its whole body, or the mapped error.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        body: Option<&[u8]>,
        idempotent: bool,
    ) -> Result<Reply> {
        let what = what(&method, url);
        let mut waits = self.inner.retry.attempts(self.inner.seed, &what);
        let mut attempt = 1u32;
        let mut token_renewed = false;
        loop {
            let failure = match self.attempt(&method, url, body, &what).await {
                Ok(reply) => return Ok(reply),
                Err(f) => f,
            };
            // ARM refused the cached token (revoked, or expired early): once per call,
            // forget it and send again at once with a new one.
            if failure.error.kind() == Some(ErrorKind::Unauthenticated)
                && failure.delivery == Delivery::NotProcessed
                && !token_renewed
            {
                token_renewed = true;
                self.inner.credential.clear().await;
                self.inner.counter.retried();
                attempt += 1;
                continue;
            }
            if failure.error.kind() == Some(ErrorKind::RateLimited)
                && failure.delivery == Delivery::NotProcessed
            {
                self.inner.counter.throttled();
            }
            if !may_retry(idempotent, &failure) {
                return Err(failure.error);
            }
            let Some(wait) = waits.next_wait(failure.error.retry_after()) else {
                return Err(spent(failure.error, attempt, &self.inner.retry));
            };
            self.inner.clock.sleep(wait).await;
            self.inner.counter.retried();
            attempt += 1;
        }
    }

    /// One attempt: a token, the request, its status checked, its body read.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        what: &str,
    ) -> std::result::Result<Reply, Failure> {
        let token = self
            .inner
            .credential
            .token(&self.inner.scope)
            .await
            .map_err(|error| Failure {
                error,
                delivery: Delivery::NotSent,
            })?;
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.secret().expose())
            .header(ACCEPT, "application/json");
        match body {
            // hyper sends no Content-Length for an empty body; ARM answers a POST
            // without one 411 Length Required.
            Some([]) => request = request.header(CONTENT_LENGTH, "0"),
            Some(b) => {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(b.to_vec())
            }
            None => {}
        }
        self.inner.counter.sent(method);
        let response = request.send().await.map_err(|e| transport_error(what, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        if status.is_success() {
            let body = response
                .bytes()
                .await
                .map_err(|e| transport_error(what, e))?;
            return Ok(Reply {
                status,
                headers,
                body: body.into(),
            });
        }
        // The status decides; an error body that breaks off is mapped as far as read.
        let body = read_capped(response, MAX_ERROR_BODY).await;
        Err(status_error(
            Service::Arm,
            what,
            status,
            &headers,
            &body,
            self.inner.clock.now(),
        ))
    }
}

/// The first `cap` bytes of a body (what was read when it breaks off).
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < cap {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = cap - out.len();
                out.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    out
}

/// `GET /subscriptions/…`: a request as errors name it (the path, not the query).
pub(crate) fn what(method: &Method, url: &Url) -> String {
    format!("{method} {}", url.path())
}

/// `body` read as `T`, or an error naming the request, the field and the body's start.
pub(crate) fn parse<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| body_error(what, &e, body))
}

fn to_json<B: Serialize + ?Sized>(path: &str, body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| {
        Error::provider(
            PROVIDER,
            ErrorKind::InvalidInput,
            format!("the body for {path} cannot be written as JSON: {e}"),
        )
    })
}

/// The settings of an [`AsrClient`].
#[derive(Debug)]
pub struct AsrClientBuilder {
    endpoint: String,
    subscription_id: Option<String>,
    resource_group: Option<String>,
    vault: Option<String>,
    api_version: String,
    credential: Option<CredentialSource>,
    scope: Option<String>,
    transport: Transport,
    retry: RetryPolicy,
    seed: Option<u64>,
    clock: Arc<dyn Clock>,
    poll_interval: Duration,
    refresh_margin: Duration,
}

#[derive(Debug)]
enum CredentialSource {
    Given(Arc<dyn Credential>),
    Env(Box<DefaultCredentialBuilder>),
}

impl Default for AsrClientBuilder {
    fn default() -> Self {
        AsrClientBuilder::new()
    }
}

impl AsrClientBuilder {
    /// The defaults: the public cloud's endpoint, api-version `2026-05-01`, a 5 s
    /// connect and 30 s request time-out, [`RetryPolicy::default`], the system clock.
    pub fn new() -> AsrClientBuilder {
        AsrClientBuilder {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            subscription_id: None,
            resource_group: None,
            vault: None,
            api_version: DEFAULT_API_VERSION.to_string(),
            credential: None,
            scope: None,
            transport: Transport::default(),
            retry: RetryPolicy::default(),
            seed: None,
            clock: Arc::new(SystemClock),
            poll_interval: DEFAULT_POLL_INTERVAL,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }

    /// The defaults with the environment's settings: the subscription of
    /// `AZURE_SUBSCRIPTION_ID`, the ARM endpoint of `AZURE_ARM_ENDPOINT` (a sovereign
    /// cloud's or a simulator's; by default the public cloud's) and, unless a credential
    /// is set later, the [`DefaultCredential`](super::DefaultCredential) chain: the client
    /// secret of `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` on
    /// `AZURE_AUTHORITY_HOST`, then the machine's managed identity, then the Azure CLI's
    /// login. The resource group and the vault are set with their `with_*` methods.
    pub fn from_env() -> AsrClientBuilder {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// [`from_env`](Self::from_env) with the variables as `lookup` gives them (a test's
    /// map, a configuration file).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> AsrClientBuilder {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut b = AsrClientBuilder::new();
        b.subscription_id = get("AZURE_SUBSCRIPTION_ID");
        if let Some(endpoint) = get(ARM_ENDPOINT_ENV_VAR) {
            b.endpoint = endpoint;
        }
        b.credential = Some(CredentialSource::Env(Box::new(
            DefaultCredentialBuilder::from_lookup(get),
        )));
        b
    }

    /// The ARM endpoint: a sovereign cloud's (`https://management.usgovcloudapi.net`) or a
    /// simulator's (plain http only to a loopback address).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// The subscription of the vault.
    pub fn with_subscription_id(mut self, id: impl Into<String>) -> Self {
        self.subscription_id = Some(id.into());
        self
    }

    /// The resource group of the vault.
    pub fn with_resource_group(mut self, name: impl Into<String>) -> Self {
        self.resource_group = Some(name.into());
        self
    }

    /// The Recovery Services vault.
    pub fn with_vault(mut self, name: impl Into<String>) -> Self {
        self.vault = Some(name.into());
        self
    }

    /// The api-version added to the URLs that lack one.
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Where the bearer tokens come from (wrapped in a [`CachingCredential`]).
    pub fn with_credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.credential = Some(CredentialSource::Given(credential));
        self
    }

    /// The token scope (default: the endpoint's origin and `/.default`,
    /// `https://management.azure.com/.default`).
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Also trust this root certificate (PEM), for a simulator's self-signed one. It is
    /// trusted by the token requests of a credential from the environment too.
    pub fn with_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.transport.root_certificates.push(pem.into());
        self
    }

    /// The time-out of one request, from connecting to the end of the answer (30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = timeout;
        self
    }

    /// The connect time-out (5 s).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = timeout;
        self
    }

    /// The user agent (`failback/{version}`).
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.transport.user_agent = user_agent.into();
        self
    }

    /// The retries inside one call: jitter bounds and the time budget.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The seed of the retry jitter (a run's seed, to replay it); by default one drawn
    /// from the time and the process.
    pub fn with_retry_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The clock the client sleeps on and dates tokens by (a virtual clock in tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The wait between polls when the service gives no `Retry-After` (15 s).
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How long before its expiry a token is replaced (5 minutes).
    pub fn with_token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The client, or an error naming every missing or bad setting.
    pub fn build(self) -> Result<AsrClient> {
        let mut problems = Vec::new();
        let mut name = |what: &str, value: &Option<String>| -> String {
            match value.as_deref().map(str::trim) {
                None | Some("") => {
                    problems.push(format!("no {what}"));
                    String::new()
                }
                Some(v)
                    if v.chars().any(|c| {
                        matches!(c, '/' | '?' | '#' | '%') || c.is_whitespace() || c.is_control()
                    }) =>
                {
                    problems.push(format!(
                        "the {what} `{v}` holds a character that would change the URL (`/`, `?`, `#`, `%`, a space)"
                    ));
                    String::new()
                }
                Some(v) => v.to_string(),
            }
        };
        let subscription = name(
            "subscription id (AZURE_SUBSCRIPTION_ID)",
            &self.subscription_id,
        );
        let group = name("resource group", &self.resource_group);
        let vault = name("vault", &self.vault);
        let api_version = self.api_version.trim().to_string();
        if api_version.is_empty()
            || !api_version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            problems.push(format!(
                "the api-version `{api_version}` is not one (like 2026-05-01)"
            ));
        }
        let endpoint = match secure_base_url("the ARM endpoint", &self.endpoint) {
            Ok(u) => Some(u),
            Err(e) => {
                problems.push(
                    e.provider_error()
                        .map(|p| p.message.clone())
                        .unwrap_or_else(|| e.to_string()),
                );
                None
            }
        };
        let credential = match self.credential {
            None => {
                problems.push(
                    "no credential (with_credential, or from_env's AZURE_* variables)".to_string(),
                );
                None
            }
            Some(CredentialSource::Given(c)) => Some(c),
            Some(CredentialSource::Env(b)) => {
                let mut b = b.with_clock(self.clock.clone());
                for pem in &self.transport.root_certificates {
                    b = b.with_root_certificate_pem(pem.clone());
                }
                match b.build() {
                    Ok(c) => Some(Arc::new(c) as Arc<dyn Credential>),
                    Err(e) => {
                        problems.push(
                            e.provider_error()
                                .map(|p| p.message.clone())
                                .unwrap_or_else(|| e.to_string()),
                        );
                        None
                    }
                }
            }
        };
        let (Some(endpoint), Some(credential), true) = (endpoint, credential, problems.is_empty())
        else {
            return Err(config_error(format!(
                "the ASR client cannot be built: {}",
                problems.join("; ")
            )));
        };
        let scope = self
            .scope
            .unwrap_or_else(|| format!("{}/.default", endpoint.origin().ascii_serialization()));
        let vault_path = format!(
            "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.RecoveryServices/vaults/{vault}"
        );
        Ok(AsrClient {
            inner: Arc::new(Inner {
                http: self.transport.build()?,
                endpoint,
                vault_path,
                api_version,
                scope,
                credential: CachingCredential::new(credential)
                    .with_margin(self.refresh_margin)
                    .with_clock(self.clock.clone()),
                retry: self.retry,
                seed: self.seed.unwrap_or_else(default_seed),
                clock: self.clock,
                poll_interval: self.poll_interval,
                counter: RequestCounter::default(),
            }),
        })
    }
}

/// A seed from the time and the process, so that two processes do not retry in step.
fn default_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ (u64::from(std::process::id()) << 32)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::http::StaticToken;

    fn client(endpoint: &str) -> AsrClient {
        AsrClient::builder()
            .with_endpoint(endpoint)
            .with_subscription_id("sub-1")
            .with_resource_group("rg-1")
            .with_vault("vault-1")
            .with_credential(Arc::new(StaticToken::new("t")))
            .build()
            .unwrap()
    }

    #[test]
    fn the_vault_prefix_and_api_version_are_added() {
        let c = client("https://management.azure.com");
        assert_eq!(
            c.vault("replicationFabrics"),
            "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.RecoveryServices/vaults/vault-1/replicationFabrics"
        );
        let u = c
            .url_for(&c.vault("replicationJobs?$filter=x"), "path")
            .unwrap();
        assert_eq!(u.host_str(), Some("management.azure.com"));
        assert!(
            u.as_str()
                .ends_with("replicationJobs?$filter=x&api-version=2026-05-01"),
            "{u}"
        );
        // A nextLink keeps its own query, api-version included.
        let next =
            "https://management.azure.com/subscriptions/s/x?api-version=2025-08-01&$skiptoken=abc";
        assert_eq!(c.url_for(next, "nextLink").unwrap().as_str(), next);
        assert_eq!(c.inner.scope, "https://management.azure.com/.default");
    }

    #[test]
    fn a_base_path_of_the_endpoint_is_kept() {
        let c = client("http://127.0.0.1:9/arm/");
        let u = c.url_for(&c.vault("replicationFabrics"), "path").unwrap();
        assert!(
            u.as_str()
                .starts_with("http://127.0.0.1:9/arm/subscriptions/sub-1/"),
            "{u}"
        );
    }

    #[test]
    fn urls_on_other_hosts_and_relative_paths_are_refused() {
        let c = client("https://management.azure.com");
        let e = c.url_for("https://evil.example/x", "nextLink").unwrap_err();
        assert!(
            e.to_string()
                .contains("refused to follow the nextLink to https://evil.example"),
            "{e}"
        );
        assert!(c
            .url_for("http://management.azure.com/x", "nextLink")
            .is_err());
        assert!(c.url_for("replicationFabrics", "path").is_err());
    }

    #[test]
    fn from_env_reads_the_endpoint_and_the_subscription() {
        let vars = |k: &str| match k {
            "AZURE_SUBSCRIPTION_ID" => Some("sub-9".to_string()),
            "AZURE_ARM_ENDPOINT" => Some("https://management.usgovcloudapi.net".to_string()),
            _ => None,
        };
        let c = AsrClientBuilder::from_lookup(vars)
            .with_resource_group("rg")
            .with_vault("v")
            .build()
            .unwrap();
        assert_eq!(
            c.endpoint().as_str(),
            "https://management.usgovcloudapi.net/"
        );
        assert_eq!(
            c.inner.scope,
            "https://management.usgovcloudapi.net/.default"
        );
        assert!(c.vault_path().starts_with("/subscriptions/sub-9/"));
        // No variable: the public cloud, and a chain that is built (it fails at the first
        // token, naming each source).
        let c = AsrClientBuilder::from_lookup(|_| None)
            .with_subscription_id("s")
            .with_resource_group("rg")
            .with_vault("v")
            .build()
            .unwrap();
        assert_eq!(c.endpoint().as_str(), "https://management.azure.com/");
        let e = AsrClientBuilder::from_lookup(|k| {
            (k == "AZURE_ARM_ENDPOINT").then(|| "http://10.1.2.3".to_string())
        })
        .build()
        .unwrap_err();
        assert!(e.to_string().contains("plain http"), "{e}");
    }

    #[test]
    fn build_names_every_missing_setting() {
        let e = AsrClient::builder().with_vault("a/b").build().unwrap_err();
        let text = e.to_string();
        for needle in [
            "no subscription id",
            "no resource group",
            "the vault `a/b`",
            "no credential",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
    }
}
