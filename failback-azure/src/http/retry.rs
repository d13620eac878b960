//! Which failed attempts are sent again, inside one call.
//!
//! The first layer of docs/decisions.md's two: the waits are
//! [`failback_core::retry::RetryPolicy`]'s (decorrelated jitter, a provider's
//! `Retry-After` when longer, within the time budget), and a call whose budget is spent
//! returns its last error as persistent ([`RetryPolicy::spent`]).

use failback_core::retry::RetryPolicy;
use failback_core::Error;

use super::error::{edit_message, Delivery, Failure};

/// Whether a request may be sent again after `failure`: a retryable temporary error
/// (throttled, timed out, unavailable), and, for a request that is not idempotent (a
/// POST or PUT starting an operation), only when it cannot have been processed: it
/// never left (a connect error, no token) or the server answered 429. After a 5xx or a
/// time-out such a request is not sent again: its temporary error goes back to the
/// orchestrator, whose lost-response check looks for the first attempt's effect.
pub(crate) fn may_retry(idempotent: bool, failure: &Failure) -> bool {
    failure.error.is_retryable() && (idempotent || failure.delivery != Delivery::MaybeProcessed)
}

/// The last error of a call whose retry budget is spent: persistent, saying so.
pub(crate) fn spent(last: Error, attempts: u32, policy: &RetryPolicy) -> Error {
    let budget = policy.budget.as_secs_f64();
    let e = edit_message(last, |m| {
        m.push_str(&format!(
            "; gave up after {attempts} attempts: the retry budget of {budget} s is spent"
        ))
    });
    RetryPolicy::spent(e)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use failback_core::{ErrorKind, ErrorStatus};

    fn failure(kind: ErrorKind, delivery: Delivery) -> Failure {
        Failure {
            error: Error::provider("azure", kind, "x"),
            delivery,
        }
    }

    #[test]
    fn idempotent_requests_retry_every_retryable_error() {
        for kind in [
            ErrorKind::RateLimited,
            ErrorKind::Unavailable,
            ErrorKind::Timeout,
        ] {
            assert!(may_retry(true, &failure(kind, Delivery::MaybeProcessed)));
        }
        for kind in [
            ErrorKind::NotFound,
            ErrorKind::Conflict,
            ErrorKind::Unauthenticated,
        ] {
            assert!(!may_retry(true, &failure(kind, Delivery::MaybeProcessed)));
        }
    }

    #[test]
    fn other_requests_retry_only_what_was_not_processed() {
        assert!(may_retry(
            false,
            &failure(ErrorKind::Unavailable, Delivery::NotSent)
        ));
        assert!(may_retry(
            false,
            &failure(ErrorKind::RateLimited, Delivery::NotProcessed)
        ));
        assert!(!may_retry(
            false,
            &failure(ErrorKind::Unavailable, Delivery::MaybeProcessed)
        ));
        assert!(!may_retry(
            false,
            &failure(ErrorKind::Timeout, Delivery::MaybeProcessed)
        ));
        assert!(!may_retry(
            false,
            &failure(ErrorKind::Unauthenticated, Delivery::NotSent)
        ));
    }

    #[test]
    fn a_spent_budget_is_persistent_and_says_so() {
        let e = spent(
            Error::provider("azure", ErrorKind::Unavailable, "GET /x: HTTP 503"),
            4,
            &RetryPolicy::default(),
        );
        assert_eq!(e.status(), ErrorStatus::Persistent);
        assert!(e.to_string().contains("gave up after 4 attempts"), "{e}");
    }
}
