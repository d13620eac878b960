//! Where and how to reach vCenter or ESXi: the SDK URL, the credentials, how the server's
//! certificate is trusted, the time-outs; from code or from govc's variables.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use failback_core::{Error, ErrorKind, Result};
use url::Url;

use crate::soap::{Limits, PROVIDER};
use crate::tls::{PinnedCertificate, Thumbprint};
use failback_core::secret::Secret;

/// The default connect time-out.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The default time-out of one request (connect, send, read the whole answer): a
/// property-collector page of 2,000 VMs is read well within it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The variables [`ConnectionBuilder::from_env`] reads (govc's).
pub mod govc {
    /// `https://host`, `https://host/sdk`, `host`, `user:password@host`, … (a bare host
    /// gets `https://` and `/sdk`).
    pub const URL: &str = "GOVC_URL";
    /// The user name, when the URL has none.
    pub const USERNAME: &str = "GOVC_USERNAME";
    /// The password, when the URL has none.
    pub const PASSWORD: &str = "GOVC_PASSWORD";
    /// `1` or `true`: do not verify the server's certificate (logged).
    pub const INSECURE: &str = "GOVC_INSECURE";
    /// A PEM file of CA certificates to trust (a self-signed vCenter's own).
    pub const TLS_CA_CERTS: &str = "GOVC_TLS_CA_CERTS";
    /// govc's known-hosts file: lines `host thumbprint`; the URL's host's thumbprint is
    /// pinned.
    pub const TLS_KNOWN_HOSTS: &str = "GOVC_TLS_KNOWN_HOSTS";
}

/// How the server's certificate is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trust {
    /// The built-in (Mozilla) roots, plus a CA file when one is given: the default.
    Verify,
    /// Only the certificate with this fingerprint.
    Thumbprint(Thumbprint),
    /// Any certificate (verification off, asked for explicitly).
    Insecure,
}

/// A connection's settings, checked: what [`Client::connect`](crate::Client::connect)
/// needs. Built by [`ConnectionBuilder::build`].
#[derive(Clone)]
pub struct Connection {
    pub(crate) url: Url,
    pub(crate) username: String,
    pub(crate) password: Secret,
    pub(crate) http: reqwest::Client,
    pub(crate) limits: Limits,
    pub(crate) trust: Trust,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.url.as_str())
            .field("username", &self.username)
            .field("password", &self.password)
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A builder with no URL or credentials yet, verification on.
    pub fn builder() -> ConnectionBuilder {
        ConnectionBuilder::new()
    }

    /// The SDK URL (`https://vc.example/sdk`; without credentials).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// How the server's certificate is trusted.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The limits a response must keep.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// The settings of a [`Connection`].
///
/// ```
/// use failback_vsphere::Connection;
///
/// let conn = Connection::builder()
///     .url("vc.example.com")
///     .username("administrator@vsphere.local")
///     .password("Secret!1")
///     .thumbprint("5D:41:40:2A:BC:4B:2A:76:B9:71:9D:91:10:17:C5:92:00:00:00:01")
///     .build()?;
/// assert_eq!(conn.url().as_str(), "https://vc.example.com/sdk");
/// assert!(!format!("{conn:?}").contains("Secret!1"));
/// # Ok::<(), failback_core::Error>(())
/// ```
#[derive(Clone)]
pub struct ConnectionBuilder {
    url: Option<String>,
    url_source: &'static str,
    username: Option<String>,
    password: Option<Secret>,
    ca_file: Option<PathBuf>,
    ca_source: &'static str,
    ca_pem: Vec<Vec<u8>>,
    thumbprint: Option<String>,
    known_hosts: Option<PathBuf>,
    insecure: bool,
    insecure_source: &'static str,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    limits: Limits,
}

impl fmt::Debug for ConnectionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionBuilder")
            .field("url", &self.url.as_deref().map(redact_userinfo))
            .field("username", &self.username)
            .field("password", &self.password)
            .field("ca_file", &self.ca_file)
            .field("thumbprint", &self.thumbprint)
            .field("known_hosts", &self.known_hosts)
            .field("insecure", &self.insecure)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for ConnectionBuilder {
    fn default() -> Self {
        ConnectionBuilder::new()
    }
}

impl ConnectionBuilder {
    /// No URL or credentials yet; verification on; connect time-out 5 s, request
    /// time-out 60 s; the default [`Limits`].
    pub fn new() -> ConnectionBuilder {
        ConnectionBuilder {
            url: None,
            url_source: "the URL",
            username: None,
            password: None,
            ca_file: None,
            ca_source: "the CA file",
            ca_pem: Vec::new(),
            thumbprint: None,
            known_hosts: None,
            insecure: false,
            insecure_source: "insecure(true)",
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: format!("failback/{}", env!("CARGO_PKG_VERSION")),
            limits: Limits::default(),
        }
    }

    /// The settings from govc's variables ([`govc`]): `GOVC_URL` (its `user:password@`
    /// taken out of the URL), `GOVC_USERNAME` and `GOVC_PASSWORD` for what the URL
    /// lacks, `GOVC_INSECURE`, `GOVC_TLS_CA_CERTS`, `GOVC_TLS_KNOWN_HOSTS`. An error
    /// names the variable and the fix.
    pub fn from_env() -> Result<ConnectionBuilder> {
        ConnectionBuilder::from_lookup(|k| std::env::var(k).ok())
    }

    /// [`from_env`](Self::from_env) with the variables as `lookup` gives them (a test's
    /// map); an empty value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<ConnectionBuilder> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut b = ConnectionBuilder::new();
        let Some(url) = get(govc::URL) else {
            return Err(config_error(format!(
                "{} is not set: set it to the vCenter or ESXi address (`https://vc.example.com` or `vc.example.com`; `/sdk` is added)",
                govc::URL
            )));
        };
        // Checked now, so the error names the variable.
        let parsed = parse_url(&url, govc::URL)?;
        b.url = Some(url);
        b.url_source = govc::URL;
        if parsed.username.is_none() {
            b.username = get(govc::USERNAME);
        }
        if parsed.password.is_none() {
            b.password = lookup(govc::PASSWORD)
                .filter(|p| !p.is_empty())
                .map(Secret::new);
        }
        if let Some(v) = get(govc::INSECURE) {
            b.insecure = match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                other => {
                    return Err(config_error(format!(
                        "{} is `{}`: set it to 1 or true (no certificate verification), or 0, false or unset",
                        govc::INSECURE,
                        crate::soap::clip(other, 40)
                    )))
                }
            };
            b.insecure_source = "GOVC_INSECURE=1";
        }
        if let Some(v) = get(govc::TLS_CA_CERTS) {
            b.ca_file = Some(PathBuf::from(v.trim()));
            b.ca_source = govc::TLS_CA_CERTS;
        }
        if let Some(v) = get(govc::TLS_KNOWN_HOSTS) {
            b.known_hosts = Some(PathBuf::from(v.trim()));
        }
        Ok(b)
    }

    /// The address: `https://host`, `https://host:port/sdk`, or a bare `host` (which gets
    /// `https://` and `/sdk`). A `user:password@` in it is taken out and used unless
    /// [`username`](Self::username) / [`password`](Self::password) are given. Plain
    /// `http` is accepted to this machine only (a simulator).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self.url_source = "the URL";
        self
    }

    /// The user name (`administrator@vsphere.local`, `root` on ESXi).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The password (kept as a [`Secret`]).
    pub fn password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// A PEM file of CA certificates (or of the self-signed server certificate itself)
    /// trusted besides the built-in roots; read by [`build`](Self::build).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self.ca_source = "the CA file";
        self
    }

    /// PEM CA certificates trusted besides the built-in roots, given as text.
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem.push(pem.into());
        self
    }

    /// Trust only the server certificate with this SHA-1 or SHA-256 fingerprint (hex,
    /// with or without colons): for a self-signed host (see [`Thumbprint`]).
    pub fn thumbprint(mut self, thumbprint: impl Into<String>) -> Self {
        self.thumbprint = Some(thumbprint.into());
        self
    }

    /// govc's known-hosts file (`host thumbprint` lines): the URL's host's thumbprint is
    /// pinned, when the file has it and no [`thumbprint`](Self::thumbprint) is given.
    pub fn known_hosts(mut self, path: impl Into<PathBuf>) -> Self {
        self.known_hosts = Some(path.into());
        self
    }

    /// Whether to skip certificate verification (off unless asked; a warning is written
    /// to stderr once per process). Anyone between this machine and the server could
    /// then read the password: for tests and laboratories only.
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self.insecure_source = "insecure(true)";
        self
    }

    /// The connect time-out (5 s unless set).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The time-out of one request, its answer read in full (60 s unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header (`failback/<version>` unless set).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The limits a response must keep (its size enforced while it is read).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The settings checked, the CA file read and the HTTP client built. Errors (of
    /// kind invalid input) name the setting or variable and the fix; none holds the
    /// password.
    pub fn build(self) -> Result<Connection> {
        let Some(text) = self.url.as_deref() else {
            return Err(config_error(
                "no vCenter or ESXi address: call url() or set GOVC_URL".to_string(),
            ));
        };
        let parsed = parse_url(text, self.url_source)?;
        let username = self
            .username
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or(parsed.username);
        let Some(username) = username else {
            return Err(config_error(format!(
                "no user name for {}: call username(), set {}, or put `user:password@` in {}",
                parsed.url,
                govc::USERNAME,
                govc::URL
            )));
        };
        let Some(password) = self.password.clone().or(parsed.password) else {
            return Err(config_error(format!(
                "no password for {username} at {}: call password(), set {}, or put `user:password@` in {}",
                parsed.url,
                govc::PASSWORD,
                govc::URL
            )));
        };

        let mut thumbprint = match &self.thumbprint {
            Some(t) => Some(
                t.parse::<Thumbprint>()
                    .map_err(|e| config_error(format!("{e}: fix thumbprint()")))?,
            ),
            None => None,
        };
        if thumbprint.is_none() {
            if let Some(path) = &self.known_hosts {
                thumbprint = known_host(path, &parsed.url)?;
            }
        }
        let mut roots = self.ca_pem.clone();
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                config_error(format!(
                    "cannot read {} {}: {e}; give a PEM file of the vCenter's CA (or of its own certificate)",
                    self.ca_source,
                    path.display()
                ))
            })?;
            roots.push(pem);
        }
        if self.insecure && (thumbprint.is_some() || !roots.is_empty()) {
            return Err(config_error(format!(
                "{} turns certificate verification off, yet a CA file or a thumbprint is given to verify it: choose one",
                self.insecure_source
            )));
        }

        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent.clone())
            .cookie_store(true)
            // A redirect would carry the password elsewhere; vSphere does not redirect /sdk.
            .redirect(reqwest::redirect::Policy::none());
        let trust = if self.insecure {
            warn_insecure(&parsed.url, self.insecure_source);
            http = http.danger_accept_invalid_certs(true);
            Trust::Insecure
        } else if let Some(pin) = thumbprint {
            let config = PinnedCertificate::client_config(pin.clone()).map_err(config_error)?;
            http = http.use_preconfigured_tls(config);
            Trust::Thumbprint(pin)
        } else {
            for pem in &roots {
                let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                    config_error(format!(
                        "{} is not a PEM certificate file: {e}",
                        self.ca_source
                    ))
                })?;
                if certs.is_empty() {
                    return Err(config_error(format!(
                        "{} holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)",
                        self.ca_source
                    )));
                }
                for c in certs {
                    http = http.add_root_certificate(c);
                }
            }
            Trust::Verify
        };
        let http = http
            .build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))?;
        Ok(Connection {
            url: parsed.url,
            username,
            password,
            http,
            limits: self.limits,
            trust,
        })
    }
}

/// An error in the settings (invalid input, permanent).
pub(crate) fn config_error(message: String) -> Error {
    Error::provider(PROVIDER, ErrorKind::InvalidInput, message)
}

static WARNED_INSECURE: AtomicBool = AtomicBool::new(false);

fn warn_insecure(url: &Url, source: &str) {
    if !WARNED_INSECURE.swap(true, Ordering::Relaxed) {
        eprintln!(
            "warning: failback-vsphere: TLS certificate verification is off for {url} ({source}): anyone on the network path can read the password; pin the certificate instead (thumbprint / GOVC_TLS_KNOWN_HOSTS, or ca_file / GOVC_TLS_CA_CERTS)"
        );
    }
}

/// A URL with its credentials taken out.
struct ParsedUrl {
    url: Url,
    username: Option<String>,
    password: Option<Secret>,
}

/// `text` with a `user:password@` shown as `***@` (for errors and `Debug`).
fn redact_userinfo(text: &str) -> String {
    let (scheme, rest) = match text.find("://") {
        Some(i) => (&text[..i + 3], &text[i + 3..]),
        None => ("", text),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => text.to_string(),
    }
}

/// Reads govc's URL forms (see [`ConnectionBuilder::url`]).
fn parse_url(text: &str, source: &str) -> Result<ParsedUrl> {
    let trimmed = text.trim();
    let shown = redact_userinfo(trimmed);
    if trimmed.is_empty() {
        return Err(config_error(format!(
            "{source} is empty: give the vCenter or ESXi address (`https://vc.example.com`)"
        )));
    }
    let full = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&full).map_err(|e| {
        config_error(format!(
            "{source} `{shown}` is not a URL ({e}): give `https://host` or `host`"
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(config_error(format!(
                "{source} `{shown}` is plain http to another machine: the password is sent only over https (or http to a simulator on this machine)"
            )))
        }
        other => {
            return Err(config_error(format!(
                "{source} `{shown}` has the scheme `{other}`: use https"
            )))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(config_error(format!("{source} `{shown}` names no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config_error(format!(
            "{source} `{shown}` has a query or a fragment: give `https://host` or `https://host/sdk`"
        )));
    }
    let decode = |s: &str| {
        percent_decode(s).map_err(|()| {
            config_error(format!(
                "{source} `{shown}` has user information that is not valid percent-encoded UTF-8"
            ))
        })
    };
    let username = match url.username() {
        "" => None,
        u => Some(decode(u)?),
    };
    let password = match url.password() {
        None | Some("") => None,
        Some(p) => Some(Secret::new(decode(p)?)),
    };
    // Cannot fail for an http(s) URL with a host.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if url.path().is_empty() || url.path() == "/" {
        url.set_path("/sdk");
    }
    Ok(ParsedUrl {
        url,
        username,
        password,
    })
}

fn percent_decode(s: &str) -> std::result::Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(())?;
            let hex = std::str::from_utf8(hex).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The thumbprint govc's known-hosts file gives the URL's host (`host` or `host:port`),
/// if any.
fn known_host(path: &std::path::Path, url: &Url) -> Result<Option<Thumbprint>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        config_error(format!(
            "cannot read {} {}: {e}; unset it or give govc's known-hosts file (`host thumbprint` lines)",
            govc::TLS_KNOWN_HOSTS,
            path.display()
        ))
    })?;
    let host = url.host_str().unwrap_or_default();
    let with_port = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let (Some(h), Some(t)) = (fields.next(), fields.next()) else {
            continue;
        };
        if h.starts_with('#') || (h != with_port && h != host) {
            continue;
        }
        return t.parse::<Thumbprint>().map(Some).map_err(|e| {
            config_error(format!(
                "{} {} line {}: {e}",
                govc::TLS_KNOWN_HOSTS,
                path.display(),
                n + 1
            ))
        });
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::HashMap;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const SHA1: &str = "AB:CD:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:02";

    #[test]
    fn a_bare_host_gets_https_and_sdk() {
        for (given, expected) in [
            ("vc.example.com", "https://vc.example.com/sdk"),
            ("https://vc.example.com", "https://vc.example.com/sdk"),
            ("https://vc.example.com/", "https://vc.example.com/sdk"),
            ("https://vc.example.com/sdk", "https://vc.example.com/sdk"),
            ("vc.example.com:8443", "https://vc.example.com:8443/sdk"),
            ("http://127.0.0.1:1234/sdk", "http://127.0.0.1:1234/sdk"),
        ] {
            let p = parse_url(given, "the URL").unwrap();
            assert_eq!(p.url.as_str(), expected, "{given}");
        }
    }

    #[test]
    fn govc_url_credentials_are_taken_out_and_never_shown() {
        let b = ConnectionBuilder::from_lookup(lookup(&[(
            "GOVC_URL",
            "https://admin%40vsphere.local:S3cr%3At@vc.example.com/sdk",
        )]))
        .unwrap();
        assert!(!format!("{b:?}").contains("S3cr"), "{b:?}");
        let c = b.build().unwrap();
        assert_eq!(c.url().as_str(), "https://vc.example.com/sdk");
        assert_eq!(c.username(), "admin@vsphere.local");
        assert_eq!(c.password.expose(), "S3cr:t");
        let shown = format!("{c:?}");
        assert!(!shown.contains("S3cr"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn govc_username_and_password_fill_what_the_url_lacks() {
        let c = ConnectionBuilder::from_lookup(lookup(&[
            ("GOVC_URL", "vc.example.com"),
            ("GOVC_USERNAME", "root"),
            ("GOVC_PASSWORD", "pw"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(c.username(), "root");
        assert_eq!(c.password.expose(), "pw");
        assert_eq!(c.trust(), &Trust::Verify);
        // The URL's own credentials win.
        let c = ConnectionBuilder::from_lookup(lookup(&[
            ("GOVC_URL", "u:p@vc.example.com"),
            ("GOVC_USERNAME", "root"),
            ("GOVC_PASSWORD", "pw"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!((c.username(), c.password.expose()), ("u", "p"));
        // An `@` in the password, unescaped: the last one ends the user information.
        let c = ConnectionBuilder::from_lookup(lookup(&[("GOVC_URL", "root:p@ss@esx01")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(c.url().as_str(), "https://esx01/sdk");
        assert_eq!((c.username(), c.password.expose()), ("root", "p@ss"));
    }

    #[test]
    fn missing_variables_are_named_with_the_fix() {
        let e = ConnectionBuilder::from_lookup(lookup(&[])).unwrap_err();
        assert!(e.to_string().contains("GOVC_URL is not set"), "{e}");
        assert_eq!(e.kind(), Some(ErrorKind::InvalidInput));
        let e = ConnectionBuilder::from_lookup(lookup(&[("GOVC_URL", "vc")]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("GOVC_USERNAME"), "{e}");
        let e = ConnectionBuilder::from_lookup(lookup(&[
            ("GOVC_URL", "vc"),
            ("GOVC_USERNAME", "root"),
        ]))
        .unwrap()
        .build()
        .unwrap_err();
        assert!(e.to_string().contains("GOVC_PASSWORD"), "{e}");
        let e = ConnectionBuilder::from_lookup(lookup(&[
            ("GOVC_URL", "vc"),
            ("GOVC_INSECURE", "maybe"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("GOVC_INSECURE is `maybe`"), "{e}");
    }

    #[test]
    fn a_bad_govc_url_is_named_without_its_password() {
        for bad in [
            "http://u:hunter2@10.0.0.1/sdk",
            "ftp://u:hunter2@vc",
            "https://u:hunter2@vc/sdk?x=1",
            "https://u:hunter2@[zz/sdk",
        ] {
            let e = ConnectionBuilder::from_lookup(lookup(&[("GOVC_URL", bad)])).unwrap_err();
            let text = format!("{e} {e:?}");
            assert!(text.contains("GOVC_URL"), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
        }
    }

    #[test]
    fn insecure_is_off_unless_asked() {
        let base = [
            ("GOVC_URL", "vc"),
            ("GOVC_USERNAME", "root"),
            ("GOVC_PASSWORD", "pw"),
        ];
        for (value, insecure) in [("1", true), ("true", true), ("TRUE", true), ("0", false)] {
            let mut vars = base.to_vec();
            vars.push(("GOVC_INSECURE", value));
            let c = ConnectionBuilder::from_lookup(lookup(&vars))
                .unwrap()
                .build()
                .unwrap();
            assert_eq!(c.trust() == &Trust::Insecure, insecure, "{value}");
        }
    }

    #[test]
    fn a_ca_file_and_known_hosts_are_read() {
        let dir =
            std::env::temp_dir().join(format!("failback-vsphere-conn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let hosts = dir.join("known_hosts");
        std::fs::write(
            &hosts,
            format!("other.example {SHA1}\nvc.example:8443 {SHA1}\n"),
        )
        .unwrap();
        let base = [
            ("GOVC_URL", "vc.example:8443"),
            ("GOVC_USERNAME", "root"),
            ("GOVC_PASSWORD", "pw"),
        ];
        let mut vars = base.to_vec();
        let hosts_text = hosts.display().to_string();
        vars.push(("GOVC_TLS_KNOWN_HOSTS", &hosts_text));
        let c = ConnectionBuilder::from_lookup(lookup(&vars))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(c.trust(), &Trust::Thumbprint(SHA1.parse().unwrap()));

        let missing = dir.join("missing.pem").display().to_string();
        let mut vars = base.to_vec();
        vars.push(("GOVC_TLS_CA_CERTS", &missing));
        let e = ConnectionBuilder::from_lookup(lookup(&vars))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("GOVC_TLS_CA_CERTS"), "{e}");
        let junk = dir.join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let junk_text = junk.display().to_string();
        let mut vars = base.to_vec();
        vars.push(("GOVC_TLS_CA_CERTS", &junk_text));
        let e = ConnectionBuilder::from_lookup(lookup(&vars))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("GOVC_TLS_CA_CERTS"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn insecure_and_a_pin_together_are_refused() {
        let e = Connection::builder()
            .url("vc")
            .username("u")
            .password("p")
            .thumbprint(SHA1)
            .insecure(true)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("choose one"), "{e}");
        let e = Connection::builder()
            .url("vc")
            .username("u")
            .password("p")
            .thumbprint("12:34")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("thumbprint"), "{e}");
    }

    #[test]
    fn redaction_keeps_the_host() {
        assert_eq!(redact_userinfo("https://u:p@h/sdk"), "https://***@h/sdk");
        assert_eq!(redact_userinfo("u:p@h"), "***@h");
        assert_eq!(redact_userinfo("https://h/a@b"), "https://h/a@b");
    }
}
