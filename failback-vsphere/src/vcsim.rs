//! govmomi's vCenter simulator (vcsim) for tests: builds the project's Go launcher
//! (`vcsim/src/failback-vcsim/main.go`, on Debian's `golang-github-vmware-govmomi-dev`),
//! starts it on `127.0.0.1` and stops it when the [`Vcsim`] is dropped.
//!
//! Behind the `vcsim` feature. A test that calls [`VcsimBuilder::start`] gets an error
//! naming what is missing (the `go` binary, the govmomi sources, and the `apt-get`
//! command that installs them) and must fail with it: nothing here skips.
//!
//! The launcher binary is built once per target directory and kept under
//! `<target>/vcsim/`, named by a hash of its source and of `go version`, so an edited
//! `main.go` or another Go is rebuilt and an unchanged one starts at once. Environment:
//!
//! | variable | effect |
//! | --- | --- |
//! | `FAILBACK_VCSIM` | a prebuilt launcher to run instead of building one |
//! | `FAILBACK_VCSIM_GO` | the `go` binary (default: `go` on `PATH`) |
//! | `FAILBACK_VCSIM_GOCODE` | the Debian GOPATH holding govmomi (default `/usr/share/gocode`) |
//! | `FAILBACK_VCSIM_TMPDIR` | where each launcher gets its temporary folder, its datastores (default `/dev/shm` when writable, else the system's temporary folder) |
//! | `CARGO_TARGET_DIR` | where the launcher is cached when the test binary's target directory is not known (doc tests) |

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The launcher's source, embedded so that the harness builds what it was compiled with.
const LAUNCHER_SOURCE: &str = include_str!("../vcsim/src/failback-vcsim/main.go");
/// The launcher's Go package name (its folder under `GOPATH/src`).
const LAUNCHER_PACKAGE: &str = "failback-vcsim";
/// Where Debian's golang-*-dev packages put their sources.
const DEBIAN_GOCODE: &str = "/usr/share/gocode";
/// The govmomi simulator package, relative to the GOPATH.
const GOVMOMI_SIMULATOR: &str = "src/github.com/vmware/govmomi/simulator";
/// The command that installs what the launcher needs on Debian.
pub const APT_INSTALL: &str =
    "apt-get update && apt-get install -y golang-go golang-github-vmware-govmomi-dev";
/// How much of the launcher's stderr is kept for error messages.
const STDERR_KEEP: usize = 64 * 1024;

/// Why vcsim could not be built or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VcsimError {
    /// No `go` binary was found.
    #[error(
        "cannot build the vcsim launcher: no `go` binary ({tried}); install Debian's Go and \
         govmomi with `{APT_INSTALL}` (or set FAILBACK_VCSIM_GO)"
    )]
    GoMissing {
        /// What was run.
        tried: String,
    },
    /// The govmomi simulator sources are not where Debian installs them.
    #[error(
        "cannot build the vcsim launcher: govmomi's simulator is not in {path} (Debian package \
         golang-github-vmware-govmomi-dev); install it with `{APT_INSTALL}` (or set \
         FAILBACK_VCSIM_GOCODE)"
    )]
    GovmomiMissing {
        /// The folder looked for.
        path: PathBuf,
    },
    /// `go build` failed.
    #[error("building the vcsim launcher failed ({status}):\n{output}")]
    Build {
        /// The exit status of `go build`.
        status: ExitStatus,
        /// What it printed.
        output: String,
    },
    /// An earlier build in this process failed (tests share one build); its error.
    #[error("{message}")]
    BuiltBefore {
        /// The first build's error, as text.
        message: String,
    },
    /// The launcher could not be spawned.
    #[error("cannot start the vcsim launcher {path}: {source}")]
    Spawn {
        /// The binary.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The launcher exited before saying it was ready.
    #[error("the vcsim launcher exited before it was ready ({status}):\n{stderr}")]
    Exited {
        /// Its exit status.
        status: String,
        /// The end of its stderr.
        stderr: String,
    },
    /// The launcher did not say it was ready in time.
    #[error("the vcsim launcher was not ready within {after:?}; its stderr:\n{stderr}")]
    Timeout {
        /// The time waited.
        after: Duration,
        /// The end of its stderr.
        stderr: String,
    },
    /// The ready line was not the JSON expected.
    #[error("the vcsim launcher's ready line is not the JSON expected ({source}): {line}")]
    ReadyLine {
        /// The line.
        line: String,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The launcher did not stop cleanly ([`Vcsim::stop`]).
    #[error("the vcsim launcher did not stop cleanly: {problem}; its stderr:\n{stderr}")]
    Stop {
        /// What was wrong.
        problem: String,
        /// The end of its stderr.
        stderr: String,
    },
    /// Another I/O error (creating the cache folder, writing the source).
    #[error("vcsim launcher: {context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

impl VcsimError {
    fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

/// What the launcher reports once it listens (its one JSON line).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct VcsimInfo {
    /// The SDK URL, `http(s)://127.0.0.1:PORT/sdk`.
    pub url: String,
    /// The user that logs in with the password given.
    pub user: String,
    /// Whether it plays a standalone ESXi host (`HostAgent`) rather than a vCenter.
    pub esx: bool,
    /// `about.apiType`: `VirtualCenter` or `HostAgent`.
    pub api_type: String,
    /// `about.apiVersion`.
    pub api_version: String,
    /// The read-only account's user name, when there is one.
    #[serde(default)]
    pub readonly_user: Option<String>,
    /// The hosts' licence edition key.
    pub license: String,
    /// Whether it serves https.
    pub tls: bool,
    /// The server certificate in PEM, with TLS.
    #[serde(default)]
    pub cert_pem: Option<String>,
    /// Where the certificate was written (`-cert-out`), with TLS.
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    /// The certificate's SHA-1 thumbprint as vSphere prints it (`AA:BB:...`), with TLS.
    #[serde(default)]
    pub thumbprint: Option<String>,
    /// The number of VMs in the inventory.
    pub vms: usize,
    /// The number of hosts.
    pub hosts: usize,
    /// The number of datastores.
    pub datastores: usize,
    /// The launcher's own start-up time (flags to listening), in milliseconds.
    pub startup_ms: u64,
    /// The launcher's process id.
    pub pid: u32,
}

/// The options of a simulator; see [`Vcsim::builder`].
#[derive(Clone)]
pub struct VcsimBuilder {
    esx: bool,
    datacenters: Option<usize>,
    clusters: Option<usize>,
    hosts: Option<usize>,
    standalone_hosts: Option<usize>,
    datastores: Option<usize>,
    vms: Option<usize>,
    power_on: bool,
    user: String,
    password: String,
    readonly: Option<(String, String)>,
    license: Option<String>,
    tls: bool,
    cert_out: Option<PathBuf>,
    timeout: Duration,
    launcher: Option<PathBuf>,
}

impl fmt::Debug for VcsimBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VcsimBuilder")
            .field("esx", &self.esx)
            .field("datacenters", &self.datacenters)
            .field("clusters", &self.clusters)
            .field("hosts", &self.hosts)
            .field("standalone_hosts", &self.standalone_hosts)
            .field("datastores", &self.datastores)
            .field("vms", &self.vms)
            .field("power_on", &self.power_on)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("readonly_user", &self.readonly.as_ref().map(|(u, _)| u))
            .field("license", &self.license)
            .field("tls", &self.tls)
            .field("cert_out", &self.cert_out)
            .field("timeout", &self.timeout)
            .field("launcher", &self.launcher)
            .finish()
    }
}

impl Default for VcsimBuilder {
    fn default() -> Self {
        Self {
            esx: false,
            datacenters: None,
            clusters: None,
            hosts: None,
            standalone_hosts: None,
            datastores: None,
            vms: None,
            power_on: true,
            user: "user".to_owned(),
            password: "pass".to_owned(),
            readonly: None,
            license: None,
            tls: false,
            cert_out: None,
            timeout: Duration::from_secs(120),
            launcher: None,
        }
    }
}

impl VcsimBuilder {
    /// A standalone ESXi host (`about.apiType` `HostAgent`, one host, no clusters)
    /// instead of a vCenter (the default: one datacenter, one cluster of three hosts and
    /// one standalone host).
    pub fn esx(mut self, esx: bool) -> Self {
        self.esx = esx;
        self
    }

    /// vCenter: the number of datacenters (default 1).
    pub fn datacenters(mut self, n: usize) -> Self {
        self.datacenters = Some(n);
        self
    }

    /// vCenter: clusters per datacenter (default 1).
    pub fn clusters(mut self, n: usize) -> Self {
        self.clusters = Some(n);
        self
    }

    /// vCenter: hosts in each cluster (default 3).
    pub fn hosts(mut self, n: usize) -> Self {
        self.hosts = Some(n);
        self
    }

    /// vCenter: standalone hosts per datacenter (default 1).
    pub fn standalone_hosts(mut self, n: usize) -> Self {
        self.standalone_hosts = Some(n);
        self
    }

    /// Datastores per datacenter, each mounted on every host (default 1).
    pub fn datastores(mut self, n: usize) -> Self {
        self.datastores = Some(n);
        self
    }

    /// The total number of VMs, spread evenly over the standalone hosts and clusters
    /// (default 2).
    pub fn vms(mut self, n: usize) -> Self {
        self.vms = Some(n);
        self
    }

    /// Whether the model's VMs are powered on (default true).
    pub fn power_on(mut self, on: bool) -> Self {
        self.power_on = on;
        self
    }

    /// The one user and password that log in (default `user` / `pass`); any other gets
    /// `InvalidLogin`.
    pub fn user(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.user = user.into();
        self.password = password.into();
        self
    }

    /// A second account holding the ReadOnly role on the root folder: its privilege
    /// checks grant only `System.Anonymous`, `System.Read` and `System.View`, and its
    /// sessions get `NoPermission` for any method that is not a read.
    pub fn readonly_user(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.readonly = Some((user.into(), password.into()));
        self
    }

    /// The hosts' licence edition key as `LicenseManager.licenses` and
    /// `LicenseAssignmentManager.QueryAssignedLicenses` report it: `eval` (the default),
    /// `esxBasic` (the free vSphere Hypervisor), `esxStandard`, `esxEnterprisePlus`, ...
    pub fn license(mut self, edition: impl Into<String>) -> Self {
        self.license = Some(edition.into());
        self
    }

    /// Serve https with a generated self-signed certificate ([`Vcsim::cert_pem`]).
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// With TLS, also write the certificate's PEM to this file.
    pub fn cert_out(mut self, path: impl Into<PathBuf>) -> Self {
        self.cert_out = Some(path.into());
        self
    }

    /// How long to wait for the launcher to be ready (default 120 s; a cold build of
    /// the launcher comes first and does not count).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Run this launcher binary instead of building one (as `FAILBACK_VCSIM` does).
    pub fn launcher(mut self, path: impl Into<PathBuf>) -> Self {
        self.launcher = Some(path.into());
        self
    }

    fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut num = |flag: &str, v: Option<usize>| {
            if let Some(n) = v {
                args.push(format!("-{flag}={n}"));
            }
        };
        num("datacenters", self.datacenters);
        num("clusters", self.clusters);
        num("hosts", self.hosts);
        num("standalone-hosts", self.standalone_hosts);
        num("datastores", self.datastores);
        num("vms", self.vms);
        if self.esx {
            args.push("-esx".to_owned());
        }
        args.push(format!("-power-on={}", self.power_on));
        args.push(format!("-user={}", self.user));
        args.push(format!("-password={}", self.password));
        if let Some((u, p)) = &self.readonly {
            args.push(format!("-readonly-user={u}:{p}"));
        }
        if let Some(l) = &self.license {
            args.push(format!("-license={l}"));
        }
        if self.tls {
            args.push("-tls".to_owned());
        }
        if let Some(path) = &self.cert_out {
            args.push(format!("-cert-out={}", path.display()));
        }
        args
    }

    /// Builds the launcher if needed, starts it and waits for its ready line.
    pub fn start(self) -> Result<Vcsim, VcsimError> {
        let binary = match &self.launcher {
            Some(path) => path.clone(),
            None => launcher()?,
        };
        // A temporary folder of its own (TMPDIR): vcsim puts its datastores there.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let tmp = make_temp_dir(&format!(
            "failback-vcsim-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))?;
        let began = Instant::now();
        let spawned = Command::new(&binary)
            .args(self.args())
            .env("TMPDIR", &tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(source) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(VcsimError::Spawn {
                    path: binary,
                    source,
                });
            }
        };
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let drain = child.stderr.take().map(|pipe| {
            let keep = Arc::clone(&stderr);
            thread::spawn(move || drain_stderr(pipe, &keep))
        });
        let (tx, rx) = mpsc::channel();
        if let Some(pipe) = child.stdout.take() {
            thread::spawn(move || {
                let mut reader = BufReader::new(pipe);
                let mut line = String::new();
                let first = reader.read_line(&mut line).map(|_| line);
                let _ = tx.send(first);
                // Nothing else is expected; keep the pipe drained anyway.
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
            });
        }
        // From here on, an early return stops the launcher (Process's Drop).
        let mut process = Process {
            stdin: child.stdin.take(),
            child,
            stderr,
            drain,
            tmp,
        };
        let line = match rx.recv_timeout(self.timeout) {
            Ok(Ok(line)) if !line.trim().is_empty() => line,
            Ok(_) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                // stdout closed without a line: the launcher is exiting.
                let status = wait_briefly(&mut process.child);
                // Its stderr is read to the end (the pipe closed with it) before it is
                // quoted: the reason is its last line.
                process.finish_stderr();
                return Err(VcsimError::Exited {
                    status,
                    stderr: process.stderr(),
                });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(VcsimError::Timeout {
                    after: self.timeout,
                    stderr: process.stderr(),
                });
            }
        };
        let startup = began.elapsed();
        let info = serde_json::from_str(line.trim()).map_err(|source| VcsimError::ReadyLine {
            line: line.trim().to_owned(),
            source,
        })?;
        Ok(Vcsim {
            process,
            info,
            password: self.password,
            readonly_password: self.readonly.map(|(_, p)| p),
            startup,
        })
    }
}

/// The launcher's process: stopped on drop (stdin closed, so that it closes the server
/// and removes its temporary datastore folders; killed after 5 s), then its temporary
/// folder is removed.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The thread draining its stderr.
    drain: Option<thread::JoinHandle<()>>,
    tmp: PathBuf,
}

impl Process {
    /// Wait for the stderr drain to end, once the launcher has exited (its pipe is
    /// closed then, so the wait is short); a launcher still running is not waited for.
    fn finish_stderr(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            if let Some(h) = self.drain.take() {
                let _ = h.join();
            }
        }
    }

    fn stderr(&self) -> String {
        let buf = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// Stops the launcher; says what was wrong (killed, or folders left behind).
    fn stop(&mut self) -> Result<(), String> {
        if self.stdin.is_none() && self.child.try_wait().ok().flatten().is_some() {
            return Ok(());
        }
        // Closing stdin asks the launcher to stop cleanly.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut problem = None;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => break,
                Ok(Some(status)) => {
                    problem = Some(format!("it exited with {status}"));
                    break;
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
                Ok(None) => {
                    problem =
                        Some("it did not stop within 5 s of its stdin closing; killed".to_owned());
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
                Err(e) => {
                    problem = Some(format!("waiting for it: {e}"));
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
            }
        }
        let left: Vec<String> = std::fs::read_dir(&self.tmp)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let _ = std::fs::remove_dir_all(&self.tmp);
        match (problem, left.is_empty()) {
            (None, true) => Ok(()),
            (None, false) => Err(format!("it left {left:?} in {}", self.tmp.display())),
            (Some(p), _) => Err(p),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// A running simulator; dropping it stops the launcher (its stdin is closed, so it
/// closes the server and removes its temporary datastore folders; it is killed if still
/// running 5 s later).
pub struct Vcsim {
    process: Process,
    info: VcsimInfo,
    password: String,
    readonly_password: Option<String>,
    startup: Duration,
}

impl fmt::Debug for Vcsim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vcsim")
            .field("pid", &self.process.child.id())
            .field("info", &self.info)
            .field("password", &"<redacted>")
            .field("startup", &self.startup)
            .finish_non_exhaustive()
    }
}

impl Vcsim {
    /// The options, with their defaults.
    pub fn builder() -> VcsimBuilder {
        VcsimBuilder::default()
    }

    /// What the launcher reported.
    pub fn info(&self) -> &VcsimInfo {
        &self.info
    }

    /// The SDK URL, `http(s)://127.0.0.1:PORT/sdk`.
    pub fn url(&self) -> &str {
        &self.info().url
    }

    /// The user that logs in.
    pub fn user(&self) -> &str {
        &self.info().user
    }

    /// Its password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The read-only account (user, password), when one was asked for.
    pub fn readonly_user(&self) -> Option<(&str, &str)> {
        match (&self.info().readonly_user, &self.readonly_password) {
            (Some(u), Some(p)) => Some((u.as_str(), p.as_str())),
            _ => None,
        }
    }

    /// Whether it plays a standalone ESXi host.
    pub fn esx(&self) -> bool {
        self.info().esx
    }

    /// The server certificate in PEM, with TLS: trust it as a root certificate.
    pub fn cert_pem(&self) -> Option<&str> {
        self.info().cert_pem.as_deref()
    }

    /// The time from spawning the launcher to its ready line (the build excluded).
    pub fn startup(&self) -> Duration {
        self.startup
    }

    /// The temporary folder the launcher runs in (`TMPDIR`; vcsim's datastores are in it).
    pub fn temp_dir(&self) -> &Path {
        &self.process.tmp
    }

    /// Stops the launcher, as dropping it does, and says whether it stopped cleanly: on
    /// its own once its stdin closed, its temporary datastore folders removed.
    pub fn stop(mut self) -> Result<(), VcsimError> {
        self.process.stop().map_err(|problem| VcsimError::Stop {
            problem,
            stderr: self.process.stderr(),
        })
    }

    /// The end of what the launcher wrote on stderr so far (vcsim's log).
    pub fn stderr(&self) -> String {
        self.process.stderr()
    }
}

fn drain_stderr(mut pipe: impl Read, keep: &Mutex<Vec<u8>>) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut chunk) {
        if n == 0 {
            break;
        }
        if let Ok(mut buf) = keep.lock() {
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() > STDERR_KEEP {
                let cut = buf.len() - STDERR_KEEP;
                buf.drain(..cut);
            }
        }
    }
}

/// Waits up to two seconds for an exiting child and describes its status.
fn wait_briefly(child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => return e.to_string(),
        }
    }
    let _ = child.kill();
    "still running, killed".to_owned()
}

/// The launcher binary: `FAILBACK_VCSIM`, or the cached build, built at most once per
/// process (and once per target directory while its source and Go stay the same).
fn launcher() -> Result<PathBuf, VcsimError> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    if let Some(path) = std::env::var_os("FAILBACK_VCSIM") {
        return Ok(PathBuf::from(path));
    }
    let mut first_error = None;
    let built = BUILT.get_or_init(|| match build() {
        Ok(path) => Ok(path),
        Err(e) => {
            let text = e.to_string();
            first_error = Some(e);
            Err(text)
        }
    });
    match (built, first_error) {
        (Ok(path), _) => Ok(path.clone()),
        (Err(_), Some(e)) => Err(e),
        // Another test of this process already failed to build: the same error again.
        (Err(text), None) => Err(VcsimError::BuiltBefore {
            message: text.clone(),
        }),
    }
}

fn go_binary() -> String {
    std::env::var("FAILBACK_VCSIM_GO").unwrap_or_else(|_| "go".to_owned())
}

fn gocode() -> PathBuf {
    std::env::var_os("FAILBACK_VCSIM_GOCODE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEBIAN_GOCODE))
}

/// A launcher's temporary folder, under `FAILBACK_VCSIM_TMPDIR`, else under `/dev/shm`
/// when a folder can be made there (vcsim writes five small files per VM, a few MB for
/// 2,000 VMs; in memory such a model starts several times faster than on a slow disk),
/// else under the system's temporary folder.
fn make_temp_dir(name: &str) -> Result<PathBuf, VcsimError> {
    let roots = match std::env::var_os("FAILBACK_VCSIM_TMPDIR") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => vec![PathBuf::from("/dev/shm"), std::env::temp_dir()],
    };
    let mut last = None;
    for root in roots {
        let dir = root.join(name);
        match std::fs::create_dir_all(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) => last = Some(VcsimError::io(format!("creating {}", dir.display()), e)),
        }
    }
    Err(last
        .unwrap_or_else(|| VcsimError::io("no temporary folder", std::io::Error::other("none"))))
}

/// Where built launchers are cached: `<target>/vcsim`, the target folder being the test
/// binary's (`<target>/<profile>/deps/`), else `CARGO_TARGET_DIR` (doc tests run from a
/// temporary folder), else the workspace's `target`.
fn cache_dir() -> PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        if let Some(target) = exe
            .parent()
            .filter(|d| d.ends_with("deps"))
            .and_then(Path::parent)
            .and_then(Path::parent)
        {
            return target.join("vcsim");
        }
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir).join("vcsim"),
        None => workspace.join("target").join("vcsim"),
    }
}

fn build() -> Result<PathBuf, VcsimError> {
    build_with(&go_binary(), &gocode(), &cache_dir())
}

fn build_with(go: &str, gocode: &Path, dir: &Path) -> Result<PathBuf, VcsimError> {
    let version = Command::new(go)
        .arg("version")
        .output()
        .map_err(|e| VcsimError::GoMissing {
            tried: format!("`{go} version`: {e}"),
        })?;
    if !version.status.success() {
        return Err(VcsimError::GoMissing {
            tried: format!("`{go} version` exited with {}", version.status),
        });
    }
    let simulator = gocode.join(GOVMOMI_SIMULATOR);
    if !simulator.is_dir() {
        return Err(VcsimError::GovmomiMissing { path: simulator });
    }

    let mut hasher = DefaultHasher::new();
    LAUNCHER_SOURCE.hash(&mut hasher);
    version.stdout.hash(&mut hasher);
    gocode.hash(&mut hasher);
    let key = format!("{:016x}", hasher.finish());

    let binary = dir.join(format!("failback-vcsim-{key}"));
    if binary.is_file() {
        return Ok(binary);
    }
    // The embedded source in a GOPATH of its own, next to the binaries.
    let src = dir.join("gopath").join("src").join(LAUNCHER_PACKAGE);
    std::fs::create_dir_all(&src)
        .map_err(|e| VcsimError::io(format!("creating {}", src.display()), e))?;
    let main = src.join("main.go");
    let current = std::fs::read_to_string(&main).unwrap_or_default();
    if current != LAUNCHER_SOURCE {
        std::fs::write(&main, LAUNCHER_SOURCE)
            .map_err(|e| VcsimError::io(format!("writing {}", main.display()), e))?;
    }
    let gopath = std::env::join_paths([dir.join("gopath"), gocode.to_path_buf()])
        .map_err(|e| VcsimError::io("GOPATH", std::io::Error::other(e)))?;
    // Built under a name of its own, then renamed: parallel test binaries may race.
    let partial = dir.join(format!(
        "failback-vcsim-{key}.{}.partial",
        std::process::id()
    ));
    let mut cmd = Command::new(go);
    cmd.args(["build", "-o"])
        .arg(&partial)
        .arg(LAUNCHER_PACKAGE)
        .current_dir(dir)
        .env("GO111MODULE", "off")
        .env("GOPATH", gopath)
        .env("GOFLAGS", "")
        .env("CGO_ENABLED", "0");
    if std::env::var_os("GOCACHE").is_none() {
        cmd.env("GOCACHE", dir.join("go-cache"));
    }
    let out = cmd.output().map_err(|e| VcsimError::GoMissing {
        tried: format!("`{go} build`: {e}"),
    })?;
    if !out.status.success() {
        let _ = std::fs::remove_file(&partial);
        let mut output = String::from_utf8_lossy(&out.stderr).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stdout));
        return Err(VcsimError::Build {
            status: out.status,
            output,
        });
    }
    std::fs::rename(&partial, &binary)
        .map_err(|e| VcsimError::io(format!("renaming to {}", binary.display()), e))?;
    // Builds of earlier sources are of no more use.
    if let Ok(entries) = std::fs::read_dir(dir) {
        let current = binary.file_name();
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            let text = name.to_string_lossy();
            let old = text
                .strip_prefix("failback-vcsim-")
                .is_some_and(|k| k.len() == 16 && k.chars().all(|c| c.is_ascii_hexdigit()));
            if old && Some(name.as_os_str()) != current {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(binary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug() {
        let b = Vcsim::builder()
            .user("admin", "s3cret-main")
            .readonly_user("ro", "s3cret-ro");
        let text = format!("{b:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("admin") && text.contains("ro"), "{text}");
    }

    #[test]
    fn flags_name_what_was_asked() {
        let args = Vcsim::builder()
            .esx(true)
            .vms(5)
            .datastores(2)
            .license("esxBasic")
            .tls(true)
            .args();
        for want in [
            "-esx",
            "-vms=5",
            "-datastores=2",
            "-license=esxBasic",
            "-tls",
        ] {
            assert!(
                args.iter().any(|a| a == want),
                "{want} missing from {args:?}"
            );
        }
        assert!(!args.iter().any(|a| a.starts_with("-clusters")));
    }

    #[test]
    fn a_missing_go_names_the_packages_to_install() {
        let dir = std::env::temp_dir().join(format!("failback-vcsim-test-{}", std::process::id()));
        let err = build_with("/nonexistent/go", Path::new(DEBIAN_GOCODE), &dir)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no `go` binary"), "{err}");
        assert!(err.contains(APT_INSTALL), "{err}");
    }

    #[test]
    fn missing_govmomi_names_the_package_to_install() {
        let dir = std::env::temp_dir().join(format!("failback-vcsim-test-{}", std::process::id()));
        let err = build_with(&go_binary(), Path::new("/nonexistent/gocode"), &dir).err();
        assert!(
            matches!(err, Some(VcsimError::GovmomiMissing { .. })),
            "{err:?}"
        );
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.contains("/nonexistent/gocode/src/github.com/vmware/govmomi/simulator"),
            "{text}"
        );
        assert!(text.contains(APT_INSTALL), "{text}");
    }
}
