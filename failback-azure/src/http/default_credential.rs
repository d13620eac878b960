//! The default chain of credentials: the environment's service principal, then the
//! machine's managed identity, then a developer's Azure CLI login.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use failback_core::clock::{Clock, SystemClock};
use failback_core::{Error, ErrorKind, Result};

use super::error::{clip, MAX_MESSAGE_CHARS, PROVIDER};
use super::{
    AccessToken, AzureCliCredentialBuilder, ClientSecretCredentialBuilder, Credential,
    ManagedIdentityCredentialBuilder,
};

/// The variables of the environment source: all three make a client secret credential.
const SECRET_VARS: [&str; 3] = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"];

/// One link of the chain.
struct Source {
    name: &'static str,
    /// The credential, or why the source is not configured.
    credential: std::result::Result<Arc<dyn Credential>, String>,
}

/// The credential to use when none is named: the first source of the chain that gives a
/// token, in the order of the Azure SDKs' default chains (without their interactive
/// ones):
///
/// 1. **environment**: a service principal's client secret from `AZURE_TENANT_ID`,
///    `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`, on `AZURE_AUTHORITY_HOST` (a sovereign
///    cloud's, like `https://login.microsoftonline.us`; by default the public cloud's);
/// 2. **managed identity**: App Service's endpoint when `IDENTITY_ENDPOINT` and
///    `IDENTITY_HEADER` are set, else the VM's IMDS (a 1 s connect time-out, so off Azure
///    the chain moves on at once); the user-assigned identity of `AZURE_CLIENT_ID` when
///    it is set;
/// 3. **Azure CLI**: `az account get-access-token`, in the tenant of `AZURE_TENANT_ID`
///    when it is set.
///
/// The first source that gives a token is used from then on (its later errors come back
/// as they are). Until one has, each call tries them all in order; when all fail, the
/// error is one [`ErrorKind::Unauthenticated`] error (permanent) naming each source and
/// why it gave none. No secret or token is part of it, of `Debug` or of `Display`.
///
/// ```
/// use failback_azure::http::DefaultCredential;
///
/// let env = |k: &str| match k {
///     "AZURE_TENANT_ID" => Some("contoso.onmicrosoft.com".to_string()),
///     "AZURE_CLIENT_ID" => Some("app-id".to_string()),
///     "AZURE_CLIENT_SECRET" => Some("s3cr3t".to_string()),
///     _ => None,
/// };
/// let c = DefaultCredential::builder_from_lookup(env).build().unwrap();
/// assert_eq!(c.sources(), ["environment", "managed identity", "Azure CLI"]);
/// assert!(!format!("{c:?} {c}").contains("s3cr3t"));
/// ```
pub struct DefaultCredential {
    sources: Vec<Source>,
    chosen: OnceLock<usize>,
}

impl fmt::Debug for DefaultCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Link<'a>(&'a Source);
        impl fmt::Debug for Link<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match &self.0.credential {
                    Ok(c) => write!(f, "{}: {c:?}", self.0.name),
                    Err(why) => write!(f, "{}: not configured ({why})", self.0.name),
                }
            }
        }
        f.debug_struct("DefaultCredential")
            .field(
                "sources",
                &self.sources.iter().map(Link).collect::<Vec<_>>(),
            )
            .field("chosen", &self.chosen())
            .finish()
    }
}

impl fmt::Display for DefaultCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.chosen() {
            Some(name) => write!(f, "default Azure credential, using {name}"),
            None => write!(
                f,
                "default Azure credential ({})",
                self.sources().join(", then ")
            ),
        }
    }
}

impl DefaultCredential {
    /// A builder from the environment.
    pub fn builder() -> DefaultCredentialBuilder {
        DefaultCredentialBuilder::from_env()
    }

    /// A builder from the variables as `lookup` gives them (a test's map, a
    /// configuration file).
    pub fn builder_from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> DefaultCredentialBuilder {
        DefaultCredentialBuilder::from_lookup(lookup)
    }

    /// The chain the environment describes.
    pub fn from_env() -> Result<DefaultCredential> {
        DefaultCredentialBuilder::from_env().build()
    }

    /// The names of the sources, in the order they are tried.
    pub fn sources(&self) -> Vec<&'static str> {
        self.sources.iter().map(|s| s.name).collect()
    }

    /// The source in use, once one gave a token.
    pub fn chosen(&self) -> Option<&'static str> {
        self.chosen
            .get()
            .and_then(|&i| self.sources.get(i))
            .map(|s| s.name)
    }
}

#[async_trait]
impl Credential for DefaultCredential {
    async fn token(&self, scope: &str) -> Result<AccessToken> {
        if let Some(Source {
            credential: Ok(c), ..
        }) = self.chosen.get().and_then(|&i| self.sources.get(i))
        {
            return c.token(scope).await;
        }
        let mut reasons = Vec::new();
        for (i, source) in self.sources.iter().enumerate() {
            let why = match &source.credential {
                Err(why) => why.clone(),
                Ok(c) => match c.token(scope).await {
                    Ok(token) => {
                        // Two first calls at once may both get here; either choice is good.
                        let _ = self.chosen.set(i);
                        return Ok(token);
                    }
                    Err(e) => e
                        .provider_error()
                        .map(|p| p.message.clone())
                        .unwrap_or_else(|| e.to_string()),
                },
            };
            reasons.push(format!(
                "{}: {}",
                source.name,
                clip(&why, MAX_MESSAGE_CHARS)
            ));
        }
        if reasons.is_empty() {
            reasons.push("every source is excluded".to_string());
        }
        Err(Error::provider(
            PROVIDER,
            ErrorKind::Unauthenticated,
            format!(
                "no Azure credential gave a token for {scope}: {}. Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (a service principal), run on Azure with a managed identity, or run `az login`",
                reasons.join("; ")
            ),
        ))
    }
}

/// The settings of a [`DefaultCredential`].
pub struct DefaultCredentialBuilder {
    secret: ClientSecretCredentialBuilder,
    /// The variables of [`SECRET_VARS`] that are not set.
    secret_missing: Vec<&'static str>,
    managed: Option<ManagedIdentityCredentialBuilder>,
    cli: Option<AzureCliCredentialBuilder>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for DefaultCredentialBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultCredentialBuilder")
            .field("secret", &self.secret)
            .field("secret_missing", &self.secret_missing)
            .field("managed", &self.managed)
            .field("cli", &self.cli)
            .finish()
    }
}

impl DefaultCredentialBuilder {
    /// A builder from the environment: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
    /// `AZURE_CLIENT_SECRET`, `AZURE_AUTHORITY_HOST`, `IDENTITY_ENDPOINT`,
    /// `IDENTITY_HEADER`.
    pub fn from_env() -> DefaultCredentialBuilder {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// A builder from the variables as `lookup` gives them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> DefaultCredentialBuilder {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let secret_missing = SECRET_VARS
            .iter()
            .copied()
            .filter(|k| get(k).is_none())
            .collect();
        let mut cli = AzureCliCredentialBuilder::new();
        if let Some(t) = get("AZURE_TENANT_ID") {
            cli = cli.with_tenant_id(t);
        }
        DefaultCredentialBuilder {
            secret: ClientSecretCredentialBuilder::from_lookup(get),
            secret_missing,
            managed: Some(ManagedIdentityCredentialBuilder::from_lookup(get)),
            cli: Some(cli),
            clock: Arc::new(SystemClock),
        }
    }

    /// The managed identity's token endpoint (IMDS's, or App Service's), for tests.
    pub fn with_managed_identity_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.managed = self.managed.map(|m| m.with_endpoint(endpoint));
        self
    }

    /// The connect time-out of the managed identity endpoint (IMDS: 1 s).
    pub fn with_managed_identity_connect_timeout(mut self, timeout: Duration) -> Self {
        self.managed = self.managed.map(|m| m.with_connect_timeout(timeout));
        self
    }

    /// The program run for the Azure CLI source instead of `az` from `PATH`.
    pub fn with_cli_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.cli = self.cli.map(|c| c.with_program(program));
        self
    }

    /// How long `az` may take (30 s).
    pub fn with_cli_timeout(mut self, timeout: Duration) -> Self {
        self.cli = self.cli.map(|c| c.with_timeout(timeout));
        self
    }

    /// Leave the managed identity out of the chain.
    pub fn without_managed_identity(mut self) -> Self {
        self.managed = None;
        self
    }

    /// Leave the Azure CLI out of the chain.
    pub fn without_azure_cli(mut self) -> Self {
        self.cli = None;
        self
    }

    /// Also trust this root certificate (PEM) for the token requests, for a simulator's
    /// self-signed one.
    pub fn with_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        let pem = pem.into();
        self.secret = self.secret.with_root_certificate_pem(pem.clone());
        self.managed = self.managed.map(|m| m.with_root_certificate_pem(pem));
        self
    }

    /// The clock that dates the tokens' expiry.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The chain. A source whose variables are not all set is left unconfigured (the
    /// error names them when no source gives a token); a source that is configured but
    /// wrong (a tenant id that is not one, a plain-http authority host) is an error here.
    pub fn build(self) -> Result<DefaultCredential> {
        let mut sources = Vec::new();
        let environment = if self.secret_missing.len() == SECRET_VARS.len() {
            Err(format!("{} are not set", join_and(&SECRET_VARS)))
        } else if !self.secret_missing.is_empty() {
            let verb = if self.secret_missing.len() == 1 {
                "is"
            } else {
                "are"
            };
            Err(format!(
                "{} {verb} not set (a client secret credential needs all of {})",
                join_and(&self.secret_missing),
                join_and(&SECRET_VARS)
            ))
        } else {
            let c = self.secret.with_clock(self.clock.clone()).build()?;
            Ok(Arc::new(c) as Arc<dyn Credential>)
        };
        sources.push(Source {
            name: "environment",
            credential: environment,
        });
        if let Some(m) = self.managed {
            let c = m.with_clock(self.clock.clone()).build()?;
            sources.push(Source {
                name: "managed identity",
                credential: Ok(Arc::new(c)),
            });
        }
        if let Some(cli) = self.cli {
            sources.push(Source {
                name: "Azure CLI",
                credential: Ok(Arc::new(cli.build()?)),
            });
        }
        Ok(DefaultCredential {
            sources,
            chosen: OnceLock::new(),
        })
    }
}

/// `A, B and C`.
fn join_and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn names_are_joined() {
        assert_eq!(join_and(&["A"]), "A");
        assert_eq!(join_and(&["A", "B", "C"]), "A, B and C");
    }

    #[test]
    fn a_wrong_but_complete_environment_is_a_build_error() {
        let env = |k: &str| match k {
            "AZURE_TENANT_ID" => Some("t".to_string()),
            "AZURE_CLIENT_ID" => Some("c".to_string()),
            "AZURE_CLIENT_SECRET" => Some("very-secret-1".to_string()),
            "AZURE_AUTHORITY_HOST" => Some("http://login.example".to_string()),
            _ => None,
        };
        let e = DefaultCredential::builder_from_lookup(env)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("plain http"), "{e}");
        assert!(!format!("{e} {e:?}").contains("very-secret-1"));
    }
}
