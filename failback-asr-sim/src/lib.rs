#![doc = include_str!("../README.md")]

mod arm;
mod compute;
mod ids;
mod memo;
mod mutate;
mod render;
mod routes;
mod throttle;
pub mod tls;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use failback_lab::LabSite;

pub use arm::{arm_error, status_of};
pub use throttle::WriteLimit;

/// The api-versions the simulator answers: the adapter's, and the official Python SDK
/// 2.0.0's (the shapes failback uses are the same in both, per the spec notes).
pub const API_VERSIONS: [&str; 2] = ["2026-05-01", "2025-08-01"];

/// The vault the simulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vault {
    /// The subscription id.
    pub subscription: String,
    /// The resource group.
    pub resource_group: String,
    /// The vault's name.
    pub name: String,
}

impl Default for Vault {
    fn default() -> Vault {
        Vault {
            subscription: "00000000-0000-0000-0000-000000000000".into(),
            resource_group: "failback-lab".into(),
            name: "lab-vault".into(),
        }
    }
}

impl Vault {
    /// The vault's path: `/subscriptions/…/resourceGroups/…/providers/Microsoft.RecoveryServices/vaults/…`.
    pub fn path(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.RecoveryServices/vaults/{}",
            self.subscription, self.resource_group, self.name
        )
    }
}

/// How the simulator serves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The vault.
    pub vault: Vault,
    /// The bearer token every request must carry.
    pub token: String,
    /// Serve HTTPS too (a certificate generated at start).
    pub https: bool,
    /// The `Retry-After` of a 202 and of a running operation's status: how long (in the
    /// lab's simulated time, as the adapter polls with the drill's clock) a client waits
    /// between polls. Sent in whole seconds, rounded up.
    pub retry_after: Duration,
    /// Resources per page of a list (`nextLink` to the next).
    pub page_size: usize,
    /// ARM's write limit, enforced in real time with 429 and `Retry-After`
    /// ([`WriteLimit::ARM`] as documented); `None` (the default): none. For runs on a
    /// clock near real time: on a scaled clock a client's writes per simulated minute are
    /// many per real second.
    pub write_limit: Option<WriteLimit>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            vault: Vault::default(),
            token: "failback-sim-token".into(),
            https: false,
            retry_after: Duration::from_secs(1),
            page_size: 100,
            write_limit: None,
        }
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The certificate could not be made or loaded.
    #[error("cannot make the simulator's certificate: {0}")]
    Tls(String),
}

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) lab: LabSite,
    pub(crate) settings: Settings,
    pub(crate) requests: AtomicU64,
    next_request: AtomicU64,
    /// The inputs of the reprotects accepted, shown on the items.
    pub(crate) memory: memo::Memory,
    /// The names of the vault's fabric and container (the lab's configuration server or
    /// appliance does not change).
    pub(crate) names: ids::Names,
    /// The write limit's bucket, when there is one.
    writes: Option<throttle::Bucket>,
    /// Writes refused by the write limit (429).
    throttled: AtomicU64,
}

impl Shared {
    /// A request id for the `x-ms-request-id` header.
    pub(crate) fn request_id(&self) -> String {
        let n = self.next_request.fetch_add(1, Ordering::Relaxed);
        format!("00000000-0000-4000-8000-{n:012x}")
    }
}

/// A running simulator: its addresses, its CA, its request count. Dropping it stops it.
#[derive(Debug)]
pub struct Running {
    /// The HTTP address (`http://127.0.0.1:PORT`).
    pub http: SocketAddr,
    /// The HTTPS address, when served.
    pub https: Option<SocketAddr>,
    /// The PEM of the CA that signed the HTTPS certificate, when served.
    pub ca_pem: Option<String>,
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    tls: Option<axum_server::Handle>,
}

impl Running {
    /// The HTTP endpoint, `http://127.0.0.1:PORT`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// The HTTPS endpoint, `https://localhost:PORT`, when served.
    pub fn https_url(&self) -> Option<String> {
        self.https
            .map(|a| format!("https://localhost:{}", a.port()))
    }

    /// Requests served so far (every one, refused ones too).
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Writes refused by the write limit so far (answered 429).
    pub fn throttled_writes(&self) -> u64 {
        self.shared.throttled.load(Ordering::Relaxed)
    }

    /// The lab the simulator serves.
    pub fn lab(&self) -> &LabSite {
        &self.shared.lab
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(h) = &self.tls {
            h.shutdown();
        }
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Serve `lab` on loopback: HTTP, and HTTPS when asked. Call inside a tokio runtime.
pub async fn start(lab: LabSite, settings: Settings) -> Result<Running, StartError> {
    let names = ids::Names::of(&settings.vault, &lab.estate_with_points_of(&[]));
    let writes = settings.write_limit.map(throttle::Bucket::new);
    let shared = Arc::new(Shared {
        writes,
        throttled: AtomicU64::new(0),
        names,
        lab,
        settings,
        requests: AtomicU64::new(0),
        next_request: AtomicU64::new(1),
        memory: memo::Memory::default(),
    });
    let app = router(shared.clone());
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let listener = tokio::net::TcpListener::bind(loopback)
        .await
        .map_err(|source| StartError::Bind {
            addr: loopback,
            source,
        })?;
    let http = listener.local_addr().map_err(|source| StartError::Bind {
        addr: loopback,
        source,
    })?;
    let plain = app.clone().layer(axum::Extension(routes::Scheme("http")));
    let app = app.layer(axum::Extension(routes::Scheme("https")));
    let mut tasks = vec![tokio::spawn(async move {
        let _ = axum::serve(listener, plain).await;
    })];
    let (mut https, mut ca_pem, mut tls) = (None, None, None);
    if shared.settings.https {
        let certs = tls::Certificates::generate().map_err(StartError::Tls)?;
        let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(
            certs.server_config().map_err(StartError::Tls)?,
        ));
        let std_listener =
            std::net::TcpListener::bind(loopback).map_err(|source| StartError::Bind {
                addr: loopback,
                source,
            })?;
        let addr = std_listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: loopback,
                source,
            })?;
        let handle = axum_server::Handle::new();
        let server = axum_server::from_tcp_rustls(std_listener, config).handle(handle.clone());
        tasks.push(tokio::spawn(async move {
            let _ = server.serve(app.into_make_service()).await;
        }));
        https = Some(addr);
        ca_pem = Some(certs.ca_pem());
        tls = Some(handle);
    }
    Ok(Running {
        http,
        https,
        ca_pem,
        shared,
        tasks,
        tls,
    })
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(routes::serve)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            authorize,
        ))
        .with_state(shared)
}

/// Count the request; refuse it without the simulator's bearer token.
async fn authorize(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let ok = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == shared.settings.token);
    if !ok {
        return arm_error(
            &shared.request_id(),
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "the request carries no valid bearer token (Authorization: Bearer <token>)",
        );
    }
    let id = shared.request_id();
    let write = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if let (true, Some(bucket)) = (write, &shared.writes) {
        if let Err(wait) = bucket.take() {
            shared.throttled.fetch_add(1, Ordering::Relaxed);
            let mut resp = arm_error(
                &id,
                StatusCode::TOO_MANY_REQUESTS,
                "SubscriptionRequestsThrottled",
                "the subscription's write limit is reached: try again after the Retry-After",
            );
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            if let Ok(v) = secs.to_string().parse() {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return resp;
        }
    }
    let version = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("api-version="))
            .map(str::to_string)
    });
    let compute = req
        .uri()
        .path()
        .to_ascii_lowercase()
        .contains("/providers/microsoft.compute/");
    let served: &[&str] = if compute {
        &compute::API_VERSIONS
    } else {
        &API_VERSIONS
    };
    match version.as_deref() {
        Some(v) if served.contains(&v) => {}
        Some(v) => {
            return arm_error(
                &id,
                StatusCode::BAD_REQUEST,
                "InvalidApiVersionParameter",
                &format!(
                    "the api-version '{v}' is invalid: the supported versions are '{}'",
                    served.join("', '")
                ),
            )
        }
        None => {
            return arm_error(
                &id,
                StatusCode::BAD_REQUEST,
                "MissingApiVersionParameter",
                "the api-version query parameter (?api-version=) is required for all requests",
            )
        }
    }
    let mut resp = next.run(req).await.into_response();
    if !resp.headers().contains_key("x-ms-request-id") {
        if let Ok(v) = id.parse() {
            resp.headers_mut().insert("x-ms-request-id", v);
        }
    }
    resp
}
