//! A tiny scripted HTTP server on 127.0.0.1:0 for the HTTP layer's tests: it records
//! every request and answers what the test's closure says.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Router;
use failback_azure::http::{AsrClient, AsrClientBuilder, StaticToken};
use failback_core::retry::RetryPolicy;

/// A request the server got.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// When it arrived, on tokio's (paused) clock.
    pub at: tokio::time::Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn query_has(&self, needle: &str) -> bool {
        self.query.as_deref().unwrap_or("").contains(needle)
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn json(status: u16, v: serde_json::Value) -> Reply {
        Reply::status(status)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&v).unwrap())
    }

    /// ARM's error body.
    pub fn arm_error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            serde_json::json!({"error": {"code": code, "message": message}}),
        )
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Reply {
        self.body = body;
        self
    }

    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

type Script = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

struct St {
    script: Box<Script>,
    log: Mutex<Vec<Seen>>,
}

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    st: Arc<St>,
}

impl Server {
    /// A server answering with `make(base)`, called with each request and how many
    /// earlier requests had the same method and path.
    pub async fn start<F>(make: impl FnOnce(&str) -> F) -> Server
    where
        F: Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let st = Arc::new(St {
            script: Box::new(make(&base)),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(handle).with_state(st.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { base, st }
    }

    /// The same over TLS (`https://127.0.0.1:PORT`), presenting `chain_pem` (the
    /// server's certificate, then its issuers) with `key_pem` (PKCS#8).
    pub async fn start_tls<F>(
        chain_pem: &str,
        key_pem: &str,
        make: impl FnOnce(&str) -> F,
    ) -> Server
    where
        F: Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
    {
        use tokio_rustls::rustls;
        use tokio_rustls::rustls::pki_types::pem::PemObject;
        use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(chain_pem.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("https://{}", tcp.local_addr().unwrap());
        let st = Arc::new(St {
            script: Box::new(make(&base)),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(handle).with_state(st.clone());
        let listener = TlsListener {
            tcp,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        };
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { base, st }
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.st.log.lock().unwrap().clone()
    }

    /// How many requests had this method and a path ending with `suffix`.
    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path.ends_with(suffix))
            .count()
    }
}

/// TLS over a TCP listener; a failed handshake (a client that does not trust the
/// certificate) drops that connection only.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

async fn handle(State(st): State<Arc<St>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
        at: tokio::time::Instant::now(),
    };
    let reply = {
        let mut log = st.log.lock().unwrap();
        let hits = log
            .iter()
            .filter(|s| s.method == seen.method && s.path == seen.path)
            .count();
        log.push(seen.clone());
        (st.script)(&seen, hits)
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut b = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        b = b.header(k, v);
    }
    b.body(Body::from(reply.body)).unwrap()
}

/// The vault path the test clients use.
pub const VAULT: &str =
    "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.RecoveryServices/vaults/vault-1";

/// A builder on the server with a static token and a fixed retry seed: 1 s to 8 s per
/// wait, 60 s in all.
pub fn builder(server: &Server) -> AsrClientBuilder {
    AsrClient::builder()
        .with_endpoint(&server.base)
        .with_subscription_id("sub-1")
        .with_resource_group("rg-1")
        .with_vault("vault-1")
        .with_credential(Arc::new(StaticToken::new("test-token")))
        .with_retry_policy(RetryPolicy::new(
            Duration::from_secs(1),
            Duration::from_secs(8),
            Duration::from_secs(60),
        ))
        .with_retry_seed(7)
}

/// The client of [`builder`].
pub fn client(server: &Server) -> AsrClient {
    builder(server).build().unwrap()
}
