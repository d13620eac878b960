//! A developer's Azure CLI login: the token `az account get-access-token` gives.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use failback_core::{Error, ErrorKind, Result};
use serde_json::Value;

use super::credential::{epoch, resource_of, seconds};
use super::error::{clip, PROVIDER};
use super::transport::config_error;
use super::{AccessToken, Credential};

/// The program run unless set otherwise (found on `PATH`).
pub const DEFAULT_AZ_PROGRAM: &str = "az";

/// How long `az` may take unless set otherwise (it starts a Python interpreter and may
/// refresh its own token first).
pub const DEFAULT_AZ_TIMEOUT: Duration = Duration::from_secs(30);

/// The most of `az`'s standard error an error repeats.
const MAX_STDERR_CHARS: usize = 400;

/// The token of the user (or service principal) logged in to the Azure CLI: runs
/// `az account get-access-token --output json --resource <resource>` (with `--tenant`
/// when one is set) and reads `accessToken` and its expiry, `expires_on` (seconds since
/// 1970, CLI 2.54 and later) or `expiresOn` (the local time, older CLIs).
///
/// For a developer's machine and for pipelines that ran `az login`. When `az` is missing,
/// not logged in or fails, the error is [`ErrorKind::Unauthenticated`] with the first
/// lines of its standard error (tokens in them replaced by `***`); a run past the
/// time-out (30 s) is [`ErrorKind::Timeout`]. Its standard output, which holds the
/// token, is never quoted. Each call runs `az` again: put a
/// [`CachingCredential`](super::CachingCredential) in front (the
/// [`AsrClient`](super::AsrClient) does).
///
/// ```
/// use failback_azure::http::AzureCliCredential;
///
/// let c = AzureCliCredential::builder()
///     .with_tenant_id("contoso.onmicrosoft.com")
///     .build()
///     .unwrap();
/// assert_eq!(c.to_string(), "Azure CLI login (az, tenant contoso.onmicrosoft.com)");
/// ```
pub struct AzureCliCredential {
    program: PathBuf,
    tenant_id: Option<String>,
    timeout: Duration,
    runs: AtomicU64,
}

impl fmt::Debug for AzureCliCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureCliCredential")
            .field("program", &self.program)
            .field("tenant_id", &self.tenant_id)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl fmt::Display for AzureCliCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Azure CLI login ({}", self.program.display())?;
        if let Some(t) = &self.tenant_id {
            write!(f, ", tenant {t}")?;
        }
        f.write_str(")")
    }
}

impl AzureCliCredential {
    /// A builder: `az` from `PATH`, the CLI's default tenant, a 30 s time-out.
    pub fn builder() -> AzureCliCredentialBuilder {
        AzureCliCredentialBuilder::new()
    }

    /// The credential of `az` on `PATH`, in the CLI's default tenant.
    pub fn new() -> AzureCliCredential {
        AzureCliCredential {
            program: PathBuf::from(DEFAULT_AZ_PROGRAM),
            tenant_id: None,
            timeout: DEFAULT_AZ_TIMEOUT,
            runs: AtomicU64::new(0),
        }
    }

    /// The program run.
    pub fn program(&self) -> &std::path::Path {
        &self.program
    }

    /// How many times the program was run.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    fn error(&self, kind: ErrorKind, why: impl fmt::Display) -> Error {
        Error::provider(
            PROVIDER,
            kind,
            format!(
                "the Azure CLI (`{}`) gave no token: {why}",
                self.program.display()
            ),
        )
    }
}

impl Default for AzureCliCredential {
    fn default() -> Self {
        AzureCliCredential::new()
    }
}

#[async_trait]
impl Credential for AzureCliCredential {
    async fn token(&self, scope: &str) -> Result<AccessToken> {
        let resource = resource_of(scope);
        // A resource starting with `-` would be read as an option.
        if resource.is_empty()
            || resource.starts_with('-')
            || resource
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(self.error(
                ErrorKind::InvalidInput,
                format!("the scope `{}` is not a resource URI", clip(scope, 120)),
            ));
        }
        let mut args: Vec<OsString> = [
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            resource,
        ]
        .iter()
        .map(OsString::from)
        .collect();
        if let Some(t) = &self.tenant_id {
            args.push("--tenant".into());
            args.push(t.into());
        }
        self.runs.fetch_add(1, Ordering::Relaxed);
        let child = tokio::process::Command::new(&self.program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.error(
                    ErrorKind::Unauthenticated,
                    "the program was not found: install the Azure CLI and run `az login`, or use another credential (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET; a managed identity)",
                ))
            }
            Err(e) => {
                return Err(self.error(
                    ErrorKind::Unauthenticated,
                    format!("the program cannot be run: {e}"),
                ))
            }
        };
        let output = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Ok(Ok(o)) => o,
            Ok(Err(e)) => {
                return Err(self.error(
                    ErrorKind::Unauthenticated,
                    format!("its output cannot be read: {e}"),
                ))
            }
            Err(_) => {
                return Err(self.error(
                    ErrorKind::Timeout,
                    format!(
                        "it did not finish within {} s (it was stopped)",
                        self.timeout.as_secs_f64()
                    ),
                ))
            }
        };
        if !output.status.success() {
            let stderr = summary(&String::from_utf8_lossy(&output.stderr));
            let status = match output.status.code() {
                Some(c) => format!("it exited with status {c}"),
                None => "it was killed by a signal".to_string(),
            };
            let hint = if stderr.contains("az login") {
                ": run `az login` (the CLI is not logged in, or its login expired)"
            } else {
                ""
            };
            let said = if stderr.is_empty() {
                " and wrote nothing to its standard error".to_string()
            } else {
                format!(": {stderr}")
            };
            return Err(self.error(ErrorKind::Unauthenticated, format!("{status}{said}{hint}")));
        }
        parse_output(&output.stdout).map_err(|why| {
            self.error(
                ErrorKind::Unauthenticated,
                format!(
                    "its output does not read: {why} ({} bytes; not quoted, it may hold a token)",
                    output.stdout.len()
                ),
            )
        })
    }
}

/// The token and expiry of `az account get-access-token --output json`.
fn parse_output(stdout: &[u8]) -> std::result::Result<AccessToken, &'static str> {
    let v: Value = serde_json::from_slice(stdout).map_err(|_| "not JSON")?;
    let token = v
        .get("accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("no `accessToken` string")?;
    let expires_on = match seconds(v.get("expires_on")) {
        Some(secs) => epoch(secs).ok_or("`expires_on` is not a time")?,
        None => v
            .get("expiresOn")
            .and_then(Value::as_str)
            .and_then(local_time)
            .ok_or("neither `expires_on` (seconds since 1970) nor `expiresOn` (a local time)")?,
    };
    Ok(AccessToken::new(token, expires_on))
}

/// `2026-05-01 10:04:58.000000`, the local time older CLIs write, as an instant (the
/// earlier one when the time is ambiguous at a change of daylight saving time).
fn local_time(text: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f").ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The useful part of `az`'s standard error: its `ERROR:` lines, else its first lines,
/// with anything that looks like a token replaced by `***`, cut.
fn summary(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let errors: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("ERROR:"))
        .collect();
    let chosen = if errors.is_empty() {
        lines.into_iter().take(3).collect::<Vec<_>>()
    } else {
        errors
    };
    clip(&scrub_tokens(&chosen.join(" / ")), MAX_STDERR_CHARS)
}

/// `text` with every word that looks like a JWT (`eyJ…`, the base64 of `{"`) or a long
/// opaque run of token characters replaced by `***`.
pub(crate) fn scrub_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let tokenish = word.len() >= 20
            && (word.starts_with("eyJ")
                || (word.len() >= 40
                    && word
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    && word.chars().any(|c| c.is_ascii_digit())
                    && word.chars().any(|c| c.is_ascii_alphabetic())
                    && word.contains('.')));
        if tokenish {
            out.push_str("***");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/' | '=') {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The settings of an [`AzureCliCredential`].
#[derive(Debug, Clone)]
pub struct AzureCliCredentialBuilder {
    program: PathBuf,
    tenant_id: Option<String>,
    timeout: Duration,
}

impl Default for AzureCliCredentialBuilder {
    fn default() -> Self {
        AzureCliCredentialBuilder::new()
    }
}

impl AzureCliCredentialBuilder {
    /// `az` from `PATH`, the CLI's default tenant, a 30 s time-out.
    pub fn new() -> AzureCliCredentialBuilder {
        AzureCliCredentialBuilder {
            program: PathBuf::from(DEFAULT_AZ_PROGRAM),
            tenant_id: None,
            timeout: DEFAULT_AZ_TIMEOUT,
        }
    }

    /// The program to run instead of `az` from `PATH` (a full path; a fake in tests).
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// Ask for a token of this tenant (`--tenant`).
    pub fn with_tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// How long `az` may take (30 s); it is stopped after that.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The credential, or an error naming the bad setting.
    pub fn build(self) -> Result<AzureCliCredential> {
        let tenant_id = match self.tenant_id.map(|t| t.trim().to_string()) {
            Some(t) if t.is_empty() => None,
            Some(t)
                if t.starts_with('-')
                    || !t
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')) =>
            {
                return Err(config_error(format!(
                    "the tenant id `{}` of the Azure CLI credential is not a tenant id or domain (letters, digits, `-`, `.`, `_`)",
                    clip(&t, 60)
                )))
            }
            other => other,
        };
        if self.program.as_os_str().is_empty() {
            return Err(config_error(
                "the Azure CLI credential's program is empty".to_string(),
            ));
        }
        Ok(AzureCliCredential {
            program: self.program,
            tenant_id,
            timeout: self.timeout,
            runs: AtomicU64::new(0),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn both_expiry_formats_are_read() {
        let t = parse_output(
            br#"{"accessToken": "tok", "expires_on": 1777629600, "expiresOn": "nonsense"}"#,
        )
        .unwrap();
        assert_eq!(t.expires_on().timestamp(), 1_777_629_600);
        let t = parse_output(br#"{"accessToken": "tok", "expires_on": "1777629600"}"#).unwrap();
        assert_eq!(t.expires_on().timestamp(), 1_777_629_600);
        let t =
            parse_output(br#"{"accessToken": "tok", "expiresOn": "2026-05-01 10:04:58.123456"}"#)
                .unwrap();
        let naive =
            NaiveDateTime::parse_from_str("2026-05-01 10:04:58.123456", "%Y-%m-%d %H:%M:%S%.f")
                .unwrap();
        let local = Local.from_local_datetime(&naive).earliest().unwrap();
        assert_eq!(t.expires_on(), local.with_timezone(&Utc));
        assert_eq!(
            parse_output(br#"{"accessToken": "tok"}"#).unwrap_err(),
            "neither `expires_on` (seconds since 1970) nor `expiresOn` (a local time)"
        );
        assert_eq!(parse_output(b"{").unwrap_err(), "not JSON");
        assert_eq!(
            parse_output(br#"{"accessToken": "", "expires_on": 1}"#).unwrap_err(),
            "no `accessToken` string"
        );
    }

    #[test]
    fn stderr_is_summarised_without_tokens() {
        let s = summary(
            "WARNING: something\n\nERROR: Please run 'az login' to setup account.\nTraceback: x\n",
        );
        assert_eq!(s, "ERROR: Please run 'az login' to setup account.");
        let s = summary("refresh failed for eyJ0eXAiOiJKV1QiLCJhbGciOi.payload.sig now\n");
        assert_eq!(s, "refresh failed for *** now");
        let long = format!("ERROR: {}", "x".repeat(2000));
        assert!(summary(&long).len() < 600);
        assert_eq!(scrub_tokens("AADSTS70043: expired"), "AADSTS70043: expired");
    }

    #[test]
    fn a_tenant_that_would_be_an_option_is_refused() {
        assert!(AzureCliCredential::builder()
            .with_tenant_id("--query")
            .build()
            .is_err());
        assert!(AzureCliCredential::builder()
            .with_tenant_id("a b")
            .build()
            .is_err());
        let c = AzureCliCredential::builder()
            .with_tenant_id(" t1 ")
            .build()
            .unwrap();
        assert_eq!(c.to_string(), "Azure CLI login (az, tenant t1)");
    }
}
