//! How many HTTP requests a client sent, for a report's requests per item.

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::Method;

/// The requests a client sent so far, by method: every attempt counts (a retry, a page
/// of a listing, a poll of a long-running operation), token requests do not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RequestCounts {
    /// GET requests.
    pub get: u64,
    /// PUT requests.
    pub put: u64,
    /// POST requests.
    pub post: u64,
    /// Requests of other methods.
    pub other: u64,
    /// Of all these, how many were retries of a failed attempt.
    pub retries: u64,
    /// Of all these, how many were answered 429 (throttled).
    pub throttled: u64,
}

impl RequestCounts {
    /// All requests sent.
    pub fn total(&self) -> u64 {
        self.get + self.put + self.post + self.other
    }

    /// The requests sent since `earlier` (a snapshot taken before some work).
    pub fn since(&self, earlier: &RequestCounts) -> RequestCounts {
        RequestCounts {
            get: self.get.saturating_sub(earlier.get),
            put: self.put.saturating_sub(earlier.put),
            post: self.post.saturating_sub(earlier.post),
            other: self.other.saturating_sub(earlier.other),
            retries: self.retries.saturating_sub(earlier.retries),
            throttled: self.throttled.saturating_sub(earlier.throttled),
        }
    }
}

/// The live counters behind [`RequestCounts`], shared by a client's clones.
#[derive(Debug, Default)]
pub(crate) struct RequestCounter {
    get: AtomicU64,
    put: AtomicU64,
    post: AtomicU64,
    other: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
}

impl RequestCounter {
    pub(crate) fn sent(&self, method: &Method) {
        let c = if method == Method::GET {
            &self.get
        } else if method == Method::PUT {
            &self.put
        } else if method == Method::POST {
            &self.post
        } else {
            &self.other
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> RequestCounts {
        RequestCounts {
            get: self.get.load(Ordering::Relaxed),
            put: self.put.load(Ordering::Relaxed),
            post: self.post.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
        }
    }
}
