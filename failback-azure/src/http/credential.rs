//! Where bearer tokens come from: the [`Credential`] trait, the [`AccessToken`] it gives
//! and [`StaticToken`], a fixed token for tests and simulators.
//!
//! The other credentials: [`ClientSecretCredential`](super::ClientSecretCredential)
//! (Microsoft Entra ID client credentials),
//! [`ManagedIdentityCredential`](super::ManagedIdentityCredential) (an Azure VM's IMDS,
//! App Service's identity endpoint), [`AzureCliCredential`](super::AzureCliCredential)
//! (a developer's `az login`), [`DefaultCredential`](super::DefaultCredential) (the
//! chain of those three that [`AsrClientBuilder::from_env`](super::AsrClientBuilder::from_env)
//! uses) and [`CachingCredential`](super::CachingCredential), which keeps a token until
//! shortly before it expires. Workload identity (a federated token) and certificates are
//! not written; they fit behind the same trait.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use failback_core::Result;

use super::Secret;

/// A bearer token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    token: Secret,
    expires_on: DateTime<Utc>,
}

impl AccessToken {
    /// A token valid until `expires_on`.
    pub fn new(token: impl Into<Secret>, expires_on: DateTime<Utc>) -> AccessToken {
        AccessToken {
            token: token.into(),
            expires_on,
        }
    }

    /// The token, to send as `Authorization: Bearer …`.
    pub fn secret(&self) -> &Secret {
        &self.token
    }

    /// When the token expires.
    pub fn expires_on(&self) -> DateTime<Utc> {
        self.expires_on
    }
}

/// A source of bearer tokens for a scope (for ARM, `https://management.azure.com/.default`).
///
/// Implementations fetch a token at each call; wrap them in a
/// [`CachingCredential`](super::CachingCredential) to reuse it (the
/// [`AsrClient`](super::AsrClient) does).
#[async_trait]
pub trait Credential: Send + Sync + Debug {
    /// A token for `scope`.
    async fn token(&self, scope: &str) -> Result<AccessToken>;
}

/// A fixed bearer token that never expires: for tests and simulators.
#[derive(Debug, Clone)]
pub struct StaticToken {
    token: Secret,
}

impl StaticToken {
    /// A credential that always gives `token`.
    pub fn new(token: impl Into<Secret>) -> StaticToken {
        StaticToken {
            token: token.into(),
        }
    }
}

#[async_trait]
impl Credential for StaticToken {
    async fn token(&self, _scope: &str) -> Result<AccessToken> {
        Ok(AccessToken::new(
            self.token.clone(),
            DateTime::<Utc>::MAX_UTC,
        ))
    }
}

/// The resource a v1 token endpoint (managed identity, the Azure CLI) asks for, from a
/// v2 scope: `https://management.azure.com/.default` → `https://management.azure.com`.
pub(crate) fn resource_of(scope: &str) -> &str {
    let scope = scope.trim();
    scope.strip_suffix("/.default").unwrap_or(scope)
}

/// A count of seconds given as a JSON number or a string of digits (token endpoints
/// send either).
pub(crate) fn seconds(v: Option<&serde_json::Value>) -> Option<u64> {
    match v? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

/// `at` plus `secs` seconds (the end of time when that does not fit).
pub(crate) fn after(at: DateTime<Utc>, secs: u64) -> DateTime<Utc> {
    i64::try_from(secs)
        .ok()
        .and_then(chrono::Duration::try_seconds)
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The instant `secs` seconds after the Unix epoch, if it is one.
pub(crate) fn epoch(secs: u64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(i64::try_from(secs).ok()?, 0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    #[test]
    fn a_scope_becomes_its_resource() {
        assert_eq!(
            resource_of("https://management.azure.com/.default"),
            "https://management.azure.com"
        );
        assert_eq!(
            resource_of("https://management.usgovcloudapi.net"),
            "https://management.usgovcloudapi.net"
        );
    }

    #[test]
    fn seconds_are_numbers_or_strings() {
        assert_eq!(seconds(Some(&json!(3599))), Some(3599));
        assert_eq!(seconds(Some(&json!(" 600 "))), Some(600));
        assert_eq!(seconds(Some(&json!("soon"))), None);
        assert_eq!(seconds(Some(&json!(-1))), None);
        assert_eq!(seconds(None), None);
        assert_eq!(epoch(0).unwrap().timestamp(), 0);
        assert_eq!(epoch(u64::MAX), None);
        assert_eq!(after(Utc::now(), u64::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
