//! The vim25 SOAP client: one session with vCenter or ESXi over reqwest, its
//! `ServiceContent`, calls that log in again once when the session expired, and the
//! helpers discovery and the provider build on (property collection to the last page,
//! container views, task polling).

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use failback_core::{Error, ErrorKind, Result};

use crate::connection::Connection;
use crate::connection::Trust;
use crate::soap::{
    self, parse_http_response, ManagedObjectReference, MethodFault, Node, ObjectContent,
    ObjectSpec, Pages, PropertyFilterSpec, PropertySpec, Request, Response, SoapError, TaskInfo,
    TaskState, Value, PROVIDER,
};

/// The API version sent in `SOAPAction` until `RetrieveServiceContent` gives the
/// server's (`about.apiVersion`).
pub const INITIAL_API_VERSION: &str = "6.5";

/// The first wait between two polls of a task; it grows by half each time.
const FIRST_POLL: Duration = Duration::from_millis(100);
/// The longest wait between two polls of a task.
const MAX_POLL: Duration = Duration::from_secs(3);

/// What the server says it is (`AboutInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    /// `VMware vCenter Server`, `VMware ESXi`.
    pub name: String,
    /// The full name with version and build.
    pub full_name: String,
    /// The product version (`8.0.2`).
    pub version: String,
    /// The build number.
    pub build: String,
    /// `VirtualCenter` (vCenter) or `HostAgent` (a standalone ESXi host).
    pub api_type: String,
    /// The API version (`8.0.2.0`), sent in `SOAPAction`.
    pub api_version: String,
    /// vCenter's instance UUID (none on ESXi).
    pub instance_uuid: Option<String>,
}

impl About {
    /// Whether the server is a vCenter (`VirtualCenter`), not a standalone host.
    pub fn is_vcenter(&self) -> bool {
        self.api_type == "VirtualCenter"
    }
}

/// The managed objects every session starts from (`ServiceContent`); those a server
/// lacks are `None` (ESXi has no licence assignment manager, for one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceContent {
    /// What the server is.
    pub about: About,
    /// The root of the inventory.
    pub root_folder: ManagedObjectReference,
    /// The property collector.
    pub property_collector: ManagedObjectReference,
    /// The view manager (container views).
    pub view_manager: Option<ManagedObjectReference>,
    /// The session manager (login, logout).
    pub session_manager: Option<ManagedObjectReference>,
    /// The licence manager.
    pub license_manager: Option<ManagedObjectReference>,
    /// The authorization manager (privilege checks).
    pub authorization_manager: Option<ManagedObjectReference>,
    /// The event manager.
    pub event_manager: Option<ManagedObjectReference>,
    /// The search index.
    pub search_index: Option<ManagedObjectReference>,
    /// The file manager.
    pub file_manager: Option<ManagedObjectReference>,
    /// The virtual disk manager.
    pub virtual_disk_manager: Option<ManagedObjectReference>,
    /// The task manager.
    pub task_manager: Option<ManagedObjectReference>,
}

impl ServiceContent {
    /// Reads the `returnval` of `RetrieveServiceContent`.
    pub fn from_node(node: &Node<'_>) -> std::result::Result<ServiceContent, SoapError> {
        let about = node.require("about")?;
        let text = |name: &str| about.opt_string(name).unwrap_or("").trim().to_string();
        Ok(ServiceContent {
            about: About {
                name: text("name"),
                full_name: text("fullName"),
                version: text("version"),
                build: text("build"),
                api_type: about.string("apiType")?.trim().to_string(),
                api_version: about.string("apiVersion")?.trim().to_string(),
                instance_uuid: about
                    .opt_string("instanceUuid")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            },
            root_folder: node.moref("rootFolder")?,
            property_collector: node.moref("propertyCollector")?,
            view_manager: node.opt_moref("viewManager")?,
            session_manager: node.opt_moref("sessionManager")?,
            license_manager: node.opt_moref("licenseManager")?,
            authorization_manager: node.opt_moref("authorizationManager")?,
            event_manager: node.opt_moref("eventManager")?,
            search_index: node.opt_moref("searchIndex")?,
            file_manager: node.opt_moref("fileManager")?,
            virtual_disk_manager: node.opt_moref("virtualDiskManager")?,
            task_manager: node.opt_moref("taskManager")?,
        })
    }
}

/// A logged-in session with vCenter or ESXi.
///
/// Every request is a POST to the SDK URL with `Content-Type: text/xml;
/// charset="utf-8"` and `SOAPAction: urn:vim25/<about.apiVersion>`; the session cookie
/// (`vmware_soap_session`) is kept in the client's cookie store. A call that fails with
/// `NotAuthenticated` (the session expired, or was terminated) logs in again once and is
/// sent once more; a second `NotAuthenticated` is the error. Concurrent calls that meet
/// the same expired session log in once between them.
///
/// A response is read up to [`Limits::max_bytes`](crate::soap::Limits::max_bytes) while
/// it streams in (a longer one is refused before it is all in memory).
///
/// Clones share the session, the connection pool and the counters.
///
/// ```no_run
/// # async fn run() -> failback_core::Result<()> {
/// use failback_vsphere::{Client, Connection};
///
/// let client = Client::connect(Connection::builder()
///     .url("vc.example.com")
///     .username("administrator@vsphere.local")
///     .password("Secret!1")
///     .ca_file("/etc/failback/vcenter-ca.pem")
///     .build()?).await?;
/// println!("{} ({})", client.about().full_name, client.about().api_type);
/// let view = client.container_view("VirtualMachine", true).await?;
/// let vms = client.retrieve_view(&view, "VirtualMachine", &["name", "runtime.powerState"]).await?;
/// client.destroy_view(&view).await?;
/// println!("{} VMs in {} round trips", vms.len(), client.round_trips());
/// client.logout().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Connection,
    content: ServiceContent,
    soap_action: String,
    round_trips: AtomicU64,
    logins: AtomicU64,
    /// Bumped by every login: a call that met `NotAuthenticated` under generation `g`
    /// logs in again only if no other call did since.
    generation: AtomicU64,
    login_lock: tokio::sync::Mutex<()>,
    logged_out: AtomicBool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.conn.url.as_str())
            .field("username", &self.inner.conn.username)
            .field("api_type", &self.inner.content.about.api_type)
            .field("api_version", &self.inner.content.about.api_version)
            .field("round_trips", &self.round_trips())
            .finish_non_exhaustive()
    }
}

/// What went wrong with one request: before an answer (a core error already), or in it.
enum Failure {
    Error(Error),
    Soap(SoapError),
}

impl Client {
    /// Connects: `RetrieveServiceContent` (which gives the API version), then `Login`.
    /// Refused credentials are an [`ErrorKind::Unauthenticated`] error naming the user,
    /// never the password; an untrusted certificate an error saying how to trust it.
    pub async fn connect(conn: Connection) -> Result<Client> {
        let this = ManagedObjectReference::new("ServiceInstance", "ServiceInstance");
        let body = Request::new("RetrieveServiceContent", &this).finish();
        let initial = soap::soap_action(INITIAL_API_VERSION);
        let round_trips = AtomicU64::new(1);
        let response = post(&conn, &initial, "RetrieveServiceContent", body)
            .await
            .and_then(|(status, bytes)| {
                parse_http_response(status, &bytes, "RetrieveServiceContent", &conn.limits)
                    .map_err(Failure::Soap)
            })
            .map_err(|f| failure_error(&conn, "RetrieveServiceContent", f))?;
        let content = response
            .returnval()
            .and_then(|r| ServiceContent::from_node(&r))
            .map_err(|e| soap_error(&conn, "RetrieveServiceContent", e))?;
        let soap_action = soap::soap_action(&content.about.api_version);
        let client = Client {
            inner: Arc::new(Inner {
                conn,
                content,
                soap_action,
                round_trips,
                logins: AtomicU64::new(0),
                generation: AtomicU64::new(0),
                login_lock: tokio::sync::Mutex::new(()),
                logged_out: AtomicBool::new(false),
            }),
        };
        client.login().await?;
        Ok(client)
    }

    /// The objects the session starts from.
    pub fn service_content(&self) -> &ServiceContent {
        &self.inner.content
    }

    /// What the server is (`api_type` `VirtualCenter` or `HostAgent`).
    pub fn about(&self) -> &About {
        &self.inner.content.about
    }

    /// The connection's settings.
    pub fn connection(&self) -> &Connection {
        &self.inner.conn
    }

    /// The HTTP requests sent so far (every call, page, poll and login), by this client
    /// and its clones: for benchmarks.
    pub fn round_trips(&self) -> u64 {
        self.inner.round_trips.load(Ordering::Relaxed)
    }

    /// The logins so far: 1 after [`connect`](Self::connect), one more for each expired
    /// session recovered.
    pub fn logins(&self) -> u64 {
        self.inner.logins.load(Ordering::Relaxed)
    }

    fn session_manager(&self) -> Result<&ManagedObjectReference> {
        self.inner.content.session_manager.as_ref().ok_or_else(|| {
            Error::provider(
                PROVIDER,
                ErrorKind::NotSupported,
                "the server's ServiceContent has no session manager: it cannot log in",
            )
        })
    }

    /// `Login` with the connection's user name and password.
    async fn login(&self) -> Result<()> {
        let conn = &self.inner.conn;
        let mut req = Request::new("Login", self.session_manager()?);
        req.text("userName", &conn.username)
            .text("password", conn.password.expose());
        self.inner.logins.fetch_add(1, Ordering::Relaxed);
        let result = match self.post_once("Login", req.finish()).await {
            Ok(_) => Ok(()),
            Err(Failure::Soap(SoapError::Fault(f))) => Err(Error::from(*f)),
            Err(f) => Err(failure_error(conn, "Login", f)),
        };
        if result.is_ok() {
            self.inner.generation.fetch_add(1, Ordering::Relaxed);
        }
        result.map_err(|e| {
            edit_message(e, |m| {
                *m = scrub(
                    &format!("logging in to {} as {}: {m}", conn.url, conn.username),
                    conn.password.expose(),
                )
            })
        })
    }

    /// Logs in again after `NotAuthenticated` met under `seen` (unless another call
    /// already did).
    async fn relogin(&self, seen: u64) -> Result<()> {
        let _guard = self.inner.login_lock.lock().await;
        self.check_session()?;
        if self.inner.generation.load(Ordering::Relaxed) != seen {
            return Ok(());
        }
        self.login().await
    }

    fn check_session(&self) -> Result<()> {
        if self.inner.logged_out.load(Ordering::Relaxed) {
            return Err(Error::provider(
                PROVIDER,
                ErrorKind::Unauthenticated,
                "the client logged out (logout()); connect again for a new session",
            ));
        }
        Ok(())
    }

    /// Ends the session (`SessionManager.Logout`). Calls afterwards are refused (they do
    /// not log in again); calling it twice is no error.
    pub async fn logout(&self) -> Result<()> {
        if self.inner.logged_out.swap(true, Ordering::Relaxed) {
            return Ok(());
        }
        let req = Request::new("Logout", self.session_manager()?);
        match self.post_once("Logout", req.finish()).await {
            Ok(_) => Ok(()),
            // Already gone: the session is over either way.
            Err(Failure::Soap(SoapError::Fault(f))) if f.is_not_authenticated() => Ok(()),
            Err(f) => Err(failure_error(&self.inner.conn, "Logout", f)),
        }
    }

    /// Calls `method` on `this`, its arguments written by `build_args` (in WSDL order).
    /// On `NotAuthenticated` it logs in again once and sends the call once more.
    ///
    /// ```no_run
    /// # async fn run(client: failback_vsphere::Client, vm: failback_vsphere::soap::ManagedObjectReference) -> failback_core::Result<()> {
    /// let task = client.call("PowerOnVM_Task", &vm, |_| {}).await?.returnval()
    ///     .and_then(|r| r.as_moref()).map_err(failback_core::Error::from)?;
    /// client.wait_task(&task, std::time::Duration::from_secs(300)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        build_args: impl FnOnce(&mut Request),
    ) -> Result<Response> {
        let mut req = Request::new(method, this);
        build_args(&mut req);
        self.send(req).await
    }

    /// Sends a request built beforehand (as [`call`](Self::call) does).
    pub async fn send(&self, request: Request) -> Result<Response> {
        self.check_session()?;
        let method = request.method().to_string();
        let body = request.finish();
        let seen = self.inner.generation.load(Ordering::Relaxed);
        match self.post_once(&method, body.clone()).await {
            Ok(r) => return Ok(r),
            Err(Failure::Soap(SoapError::Fault(f))) if f.is_not_authenticated() => {}
            Err(f) => return Err(self.error(&method, f)),
        }
        self.relogin(seen).await?;
        self.post_once(&method, body)
            .await
            .map_err(|f| self.error(&method, f))
    }

    /// One POST, its answer read.
    async fn post_once(
        &self,
        method: &str,
        body: String,
    ) -> std::result::Result<Response, Failure> {
        let (status, bytes) = self.post_raw(method, body).await?;
        parse_http_response(status, &bytes, method, &self.inner.conn.limits).map_err(Failure::Soap)
    }

    /// One POST: the status and the body.
    async fn post_raw(
        &self,
        method: &str,
        body: String,
    ) -> std::result::Result<(u16, Vec<u8>), Failure> {
        self.inner.round_trips.fetch_add(1, Ordering::Relaxed);
        post(&self.inner.conn, &self.inner.soap_action, method, body).await
    }

    fn error(&self, method: &str, failure: Failure) -> Error {
        failure_error(&self.inner.conn, method, failure)
    }

    /// Every object `spec` selects, with its properties: `RetrievePropertiesEx`, then
    /// `ContinueRetrievePropertiesEx` while a token comes back (the server's page size).
    pub async fn retrieve(&self, spec: PropertyFilterSpec) -> Result<Vec<ObjectContent>> {
        self.retrieve_paged(vec![spec], None).await
    }

    /// [`retrieve`](Self::retrieve) of several specs, at most `max_objects` objects a
    /// page when given. A token belongs to its session: when the session expires during
    /// the walk (a `NotAuthenticated` fault, or the `NotAuthenticated` missing properties
    /// vcsim answers with), the client logs in again once and starts the walk over.
    pub async fn retrieve_paged(
        &self,
        specs: Vec<PropertyFilterSpec>,
        max_objects: Option<u32>,
    ) -> Result<Vec<ObjectContent>> {
        let collector = self.inner.content.property_collector.clone();
        let limits = self.inner.conn.limits;
        let mut relogged = false;
        'walk: loop {
            self.check_session()?;
            let seen = self.inner.generation.load(Ordering::Relaxed);
            let mut pages = Pages::new(collector.clone(), specs.clone(), max_objects);
            let mut objects = Vec::new();
            while let Some(request) = pages.next_request() {
                let method = request.method().to_string();
                let (status, body) = self
                    .post_raw(&method, request.finish())
                    .await
                    .map_err(|f| self.error(&method, f))?;
                match pages.read(status, &body, &limits) {
                    Ok(page) => objects.extend(page),
                    Err(SoapError::Fault(f)) if f.is_not_authenticated() && !relogged => {
                        relogged = true;
                        self.relogin(seen).await?;
                        continue 'walk;
                    }
                    Err(e) => return Err(self.error(&method, Failure::Soap(e))),
                }
            }
            let unauthenticated = objects
                .iter()
                .flat_map(|o| o.missing.iter())
                .find(|m| m.fault.is_not_authenticated())
                .map(|m| m.fault.clone());
            match unauthenticated {
                Some(_) if !relogged => {
                    relogged = true;
                    self.relogin(seen).await?;
                    continue 'walk;
                }
                Some(f) => {
                    return Err(self.error(
                        "RetrievePropertiesEx",
                        Failure::Soap(SoapError::Fault(Box::new(f))),
                    ))
                }
                None => return Ok(objects),
            }
        }
    }

    /// A container view of the objects of type `mo_type` in the root folder (all the
    /// inventory below it when `recursive`): `ViewManager.CreateContainerView`. Destroy
    /// it with [`destroy_view`](Self::destroy_view) when done (a session holds a limited
    /// number). A view belongs to its session: after a re-login (an expired session) it
    /// is gone, and a collection through it fails with a not-found error; create it
    /// again.
    pub async fn container_view(
        &self,
        mo_type: &str,
        recursive: bool,
    ) -> Result<ManagedObjectReference> {
        let root = self.inner.content.root_folder.clone();
        self.container_view_of(&root, &[mo_type], recursive).await
    }

    /// A container view of the objects of the types `mo_types` in `container`.
    pub async fn container_view_of(
        &self,
        container: &ManagedObjectReference,
        mo_types: &[&str],
        recursive: bool,
    ) -> Result<ManagedObjectReference> {
        let Some(manager) = self.inner.content.view_manager.clone() else {
            return Err(Error::provider(
                PROVIDER,
                ErrorKind::NotSupported,
                "the server's ServiceContent has no view manager",
            ));
        };
        let response = self
            .call("CreateContainerView", &manager, |w| {
                w.moref("container", container);
                for t in mo_types {
                    w.text("type", t);
                }
                w.bool("recursive", recursive);
            })
            .await?;
        Ok(response.returnval().and_then(|r| r.as_moref())?)
    }

    /// `DestroyView` of a view.
    pub async fn destroy_view(&self, view: &ManagedObjectReference) -> Result<()> {
        self.call("DestroyView", view, |_| {}).await.map(|_| ())
    }

    /// The properties `paths` of every object of type `mo_type` a container view holds,
    /// to the last page.
    pub async fn retrieve_view(
        &self,
        view: &ManagedObjectReference,
        mo_type: &str,
        paths: &[&str],
    ) -> Result<Vec<ObjectContent>> {
        self.retrieve(PropertyFilterSpec::new(
            vec![PropertySpec::new(mo_type, paths.iter().copied())],
            vec![ObjectSpec::container_view(view.clone())],
        ))
        .await
    }

    /// A task's `info`, read once.
    pub async fn task_info(&self, task: &ManagedObjectReference) -> Result<TaskInfo> {
        let objects = self
            .retrieve(PropertyFilterSpec::new(
                vec![PropertySpec::new(task.mo_type.clone(), ["info"])],
                vec![ObjectSpec::object(task.clone())],
            ))
            .await?;
        let Some(object) = objects.into_iter().next() else {
            return Err(Error::provider(
                PROVIDER,
                ErrorKind::NotFound,
                format!("the task {task} is not there (any more)"),
            ));
        };
        if let Some(f) = object.missing("info") {
            return Err(Error::from(f.clone()));
        }
        match object.get("info") {
            Some(Value::Object(info)) => Ok(TaskInfo::from_node(&info.node())?),
            _ => Err(Error::from(SoapError::Unexpected {
                path: format!("{task}.info"),
                expected: "a TaskInfo".to_string(),
                found: "none".to_string(),
            })),
        }
    }

    /// Polls `task`'s `info` until it succeeds (its info returned) or fails (its fault
    /// as the error, kind by fault type, with a [`JobError`](failback_core::JobError)
    /// holding the fault type and message), waiting 0.1 s, then half as long again each
    /// time up to 3 s; after `deadline` without an end, an
    /// [`Error::Deadline`](failback_core::Error::Deadline) (the task may still run).
    pub async fn wait_task(
        &self,
        task: &ManagedObjectReference,
        deadline: Duration,
    ) -> Result<TaskInfo> {
        let start = Instant::now();
        let mut wait = FIRST_POLL;
        loop {
            let info = self.task_info(task).await?;
            match info.state {
                TaskState::Success => return Ok(info),
                TaskState::Error => {
                    let fault = info.error.unwrap_or_else(|| {
                        MethodFault::new(
                            "MethodFault",
                            "the task failed without saying why",
                            None,
                            soap::FaultOrigin::Task,
                        )
                    });
                    return Err(Error::from(fault));
                }
                _ => {}
            }
            let elapsed = start.elapsed();
            if elapsed >= deadline {
                return Err(Error::Deadline {
                    item: task.to_string(),
                    stage: format!(
                        "the task {}",
                        info.name.as_deref().unwrap_or(task.value.as_str())
                    ),
                    seconds: deadline.as_secs(),
                });
            }
            tokio::time::sleep(wait.min(deadline - elapsed)).await;
            wait = (wait + wait / 2).min(MAX_POLL);
        }
    }
}

/// One POST to the SDK URL: the status and the body, read up to the size limit.
async fn post(
    conn: &Connection,
    soap_action: &str,
    method: &str,
    body: String,
) -> std::result::Result<(u16, Vec<u8>), Failure> {
    let response = conn
        .http
        .post(conn.url.clone())
        .header(reqwest::header::CONTENT_TYPE, soap::CONTENT_TYPE)
        .header("SOAPAction", soap_action)
        .body(body)
        .send()
        .await
        .map_err(|e| Failure::Error(transport_error(conn, method, e)))?;
    let status = response.status().as_u16();
    let bytes = read_limited(response, conn.limits.max_bytes())
        .await
        .map_err(|e| match e {
            Ok(too_large) => Failure::Soap(too_large),
            Err(e) => Failure::Error(transport_error(conn, method, e)),
        })?;
    Ok((status, bytes))
}

/// The body, refused once it passes `max` bytes (its announced length, or what came in
/// so far) before the rest is read.
async fn read_limited(
    mut response: reqwest::Response,
    max: usize,
) -> std::result::Result<Vec<u8>, std::result::Result<SoapError, reqwest::Error>> {
    if let Some(len) = response.content_length() {
        if len > max as u64 {
            return Err(Ok(SoapError::TooLarge {
                size: usize::try_from(len).unwrap_or(usize::MAX),
                max,
            }));
        }
    }
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Err)? {
        if out.len() + chunk.len() > max {
            return Err(Ok(SoapError::TooLarge {
                size: out.len() + chunk.len(),
                max,
            }));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn failure_error(conn: &Connection, method: &str, failure: Failure) -> Error {
    match failure {
        Failure::Error(e) => e,
        Failure::Soap(e) => soap_error(conn, method, e),
    }
}

/// A SOAP error as the core error, the method named, the password never repeated.
fn soap_error(conn: &Connection, method: &str, e: SoapError) -> Error {
    edit_message(Error::from(e), |m| {
        *m = scrub(&format!("{method}: {m}"), conn.password.expose())
    })
}

/// A request that got no answer: timed out, refused, or its TLS handshake failed.
fn transport_error(conn: &Connection, method: &str, e: reqwest::Error) -> Error {
    let chain = scrub(&error_chain(&e), conn.password.expose());
    let url = &conn.url;
    let (kind, message) = if is_certificate_error(&chain) {
        let fix = match conn.trust {
            Trust::Thumbprint(_) => "check the pinned thumbprint (thumbprint() / GOVC_TLS_KNOWN_HOSTS; `govc about.cert -k -thumbprint` shows the server's)".to_string(),
            _ => "trust it: give its CA (or its own certificate) with ca_file() / GOVC_TLS_CA_CERTS, or pin its thumbprint with thumbprint() / GOVC_TLS_KNOWN_HOSTS (`govc about.cert -k -thumbprint` shows it); insecure(true) / GOVC_INSECURE=1 turns verification off, for tests only".to_string(),
        };
        (
            ErrorKind::Other,
            format!(
                "{method} to {url}: the server's TLS certificate is not trusted ({chain}); {fix}"
            ),
        )
    } else if e.is_timeout() {
        (
            ErrorKind::Timeout,
            format!("{method} to {url} timed out ({chain})"),
        )
    } else if e.is_connect() {
        (
            ErrorKind::Unavailable,
            format!("{method} to {url}: cannot connect ({chain})"),
        )
    } else {
        (
            ErrorKind::Unavailable,
            format!("{method} to {url}: the request broke off ({chain})"),
        )
    };
    Error::provider(PROVIDER, kind, message).with_source(e)
}

fn is_certificate_error(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    lower.contains("certificate") || lower.contains("thumbprint")
}

/// An error and its sources, `: `-separated.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// The shortest password [`scrub`] takes out of a message: a shorter one would match
/// ordinary words ("pass" in "password").
const MIN_SCRUBBED: usize = 6;

/// `message` with `password` shown as `***`: no message repeats it, even when a server
/// echoes it.
fn scrub(message: &str, password: &str) -> String {
    if password.chars().count() >= MIN_SCRUBBED {
        message.replace(password, "***")
    } else {
        message.to_string()
    }
}

fn edit_message(mut e: Error, f: impl FnOnce(&mut String)) -> Error {
    if let Error::Provider(p) = &mut e {
        f(&mut p.message);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_takes_out_long_passwords_only() {
        assert_eq!(scrub("bad Secret!1 here", "Secret!1"), "bad *** here");
        assert_eq!(scrub("incorrect password", "pass"), "incorrect password");
    }

    #[test]
    fn certificate_errors_are_recognised() {
        assert!(is_certificate_error(
            "error sending request: invalid peer certificate: UnknownIssuer"
        ));
        assert!(!is_certificate_error("connection refused"));
    }
}
