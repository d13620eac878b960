//! A credential that keeps its token until shortly before it expires.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use failback_core::clock::{Clock, SystemClock};
use failback_core::Result;
use tokio::sync::Mutex;

use super::{AccessToken, Credential};

/// How long before its expiry a cached token is replaced, unless set otherwise.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A [`Credential`] that asks its inner credential for a token only when it has none
/// for the scope or the one it has expires within the margin (5 minutes unless set
/// otherwise). Concurrent callers share one refresh: the first asks, the others wait
/// for its answer.
///
/// When a refresh fails while the old token has not expired yet, the old token is
/// given (and the next call tries again).
#[derive(Debug)]
pub struct CachingCredential {
    inner: Arc<dyn Credential>,
    margin: Duration,
    clock: Arc<dyn Clock>,
    tokens: Mutex<HashMap<String, AccessToken>>,
}

impl CachingCredential {
    /// A cache in front of `inner`, on the system clock, with the default margin.
    pub fn new(inner: Arc<dyn Credential>) -> CachingCredential {
        CachingCredential {
            inner,
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// Replace a token this long before it expires.
    pub fn with_margin(mut self, margin: Duration) -> CachingCredential {
        self.margin = margin;
        self
    }

    /// Read the time from `clock` (a virtual clock in tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> CachingCredential {
        self.clock = clock;
        self
    }

    /// Forget the cached tokens (after the service refused one).
    pub async fn clear(&self) {
        self.tokens.lock().await.clear();
    }
}

#[async_trait]
impl Credential for CachingCredential {
    async fn token(&self, scope: &str) -> Result<AccessToken> {
        // The lock is held across the refresh: callers arriving meanwhile wait for it and
        // then find the fresh token.
        let mut tokens = self.tokens.lock().await;
        let now = self.clock.now();
        let margin = chrono::Duration::from_std(self.margin).unwrap_or(chrono::Duration::MAX);
        let fresh_until = now.checked_add_signed(margin).unwrap_or(now);
        if let Some(t) = tokens.get(scope) {
            if t.expires_on() > fresh_until {
                return Ok(t.clone());
            }
        }
        match self.inner.token(scope).await {
            Ok(t) => {
                tokens.insert(scope.to_string(), t.clone());
                Ok(t)
            }
            Err(e) => match tokens.get(scope) {
                Some(old) if old.expires_on() > self.clock.now() => Ok(old.clone()),
                _ => Err(e),
            },
        }
    }
}
