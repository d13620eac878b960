//! The HTTP layer of the ASR client, generic over JSON: the serde models of
//! [`crate::models`] (or `serde_json::Value`) go in and out.
//!
//! - Credentials: the [`Credential`] trait; [`StaticToken`] for tests and simulators;
//!   [`ClientSecretCredential`] (Microsoft Entra ID client credentials, `from_env()`);
//!   [`ManagedIdentityCredential`] (IMDS, App Service); [`AzureCliCredential`]
//!   (`az account get-access-token`); [`DefaultCredential`], the chain of those three
//!   that [`AsrClientBuilder::from_env`] uses; [`CachingCredential`], which keeps a
//!   token until shortly before it expires and shares one refresh between concurrent
//!   callers. Secrets are [`Secret`]s, printed `***`.
//! - [`AsrClient`]: the vault's client, built by [`AsrClientBuilder`] (endpoint,
//!   subscription, resource group, vault, api-version, credential, extra root
//!   certificate, time-outs, retry policy, user agent); [`AsrClient::get`],
//!   [`AsrClient::list`] (through `nextLink`), [`AsrClient::post_lro`] and
//!   [`AsrClient::put_lro`], and the [`RequestCounts`] it sent.
//! - [`Lro`]: a long-running operation (`Location`, `Azure-AsyncOperation`,
//!   `Retry-After`, the job's name), polled to its end.
//!
//! Errors are [`failback_core::Error::Provider`] values whose kind and retry status come
//! from one mapping of the HTTP status and ARM's error body; idempotent requests are
//! retried inside a call within the [`failback_core::retry::RetryPolicy`]'s budget
//! (persistent once spent), non-idempotent ones only when they cannot have been
//! processed (see [`AsrClient`]).
//!
//! ```
//! # async fn run() -> failback_core::Result<()> {
//! use std::sync::Arc;
//! use failback_azure::http::{AsrClient, StaticToken};
//!
//! let client = AsrClient::builder()
//!     .with_endpoint("http://127.0.0.1:8443") // a simulator on this machine
//!     .with_subscription_id("sub")
//!     .with_resource_group("rg")
//!     .with_vault("vault")
//!     .with_credential(Arc::new(StaticToken::new("simulator-token")))
//!     .build()?;
//! assert_eq!(
//!     client.vault("replicationFabrics"),
//!     "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/vault/replicationFabrics"
//! );
//! # Ok(())
//! # }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
//! ```

mod azure_cli;
mod cache;
mod client;
mod client_secret;
mod counter;
mod credential;
mod default_credential;
mod error;
mod lro;
mod managed_identity;
mod retry;
mod transport;

pub use azure_cli::{
    AzureCliCredential, AzureCliCredentialBuilder, DEFAULT_AZ_PROGRAM, DEFAULT_AZ_TIMEOUT,
};
pub use cache::{CachingCredential, DEFAULT_REFRESH_MARGIN};
pub use client::{
    AsrClient, AsrClientBuilder, ARM_ENDPOINT_ENV_VAR, DEFAULT_API_VERSION, DEFAULT_ENDPOINT,
    DEFAULT_POLL_INTERVAL,
};
pub use client_secret::{
    ClientSecretCredential, ClientSecretCredentialBuilder, DEFAULT_AUTHORITY_HOST, ENV_VARS,
};
pub use counter::RequestCounts;
pub use credential::{AccessToken, Credential, StaticToken};
pub use default_credential::{DefaultCredential, DefaultCredentialBuilder};
pub use failback_core::secret::Secret;
pub use lro::Lro;
pub use managed_identity::{
    ManagedIdentityCredential, ManagedIdentityCredentialBuilder, APP_SERVICE_API_VERSION,
    IMDS_API_VERSION, IMDS_CONNECT_TIMEOUT, IMDS_ENDPOINT, MANAGED_IDENTITY_ENV_VARS,
};
