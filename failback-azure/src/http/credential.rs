//! Where bearer tokens come from: the [`Credential`] trait, the [`AccessToken`] it gives
//! and [`StaticToken`], a fixed token for tests and simulators.
//!
//! The other credentials are [`ClientSecretCredential`](super::ClientSecretCredential)
//! (Microsoft Entra ID client credentials) and
//! [`CachingCredential`](super::CachingCredential), which keeps a token until shortly
//! before it expires. Managed identity (IMDS) and a developer's CLI login (`az account
//! get-access-token`) are not written yet; both fit behind the same trait.

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
