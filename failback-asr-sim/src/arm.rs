//! ARM error bodies, and the HTTP status of a lab error.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use failback_core::{Error, ErrorKind};

/// An ARM error response: `{"error": {"code", "message"}}` with its request id.
pub fn arm_error(request_id: &str, status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    let mut resp = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-ms-request-id", v);
    }
    resp
}

/// The HTTP status, ARM error code and `Retry-After` a lab error is answered with.
pub fn status_of(e: &Error) -> (StatusCode, &'static str, Option<Duration>) {
    let retry_after = e.retry_after();
    match e.kind() {
        Some(ErrorKind::NotFound) => (StatusCode::NOT_FOUND, "ResourceNotFound", None),
        Some(ErrorKind::Conflict) => (StatusCode::CONFLICT, "OperationNotAllowed", None),
        Some(ErrorKind::InvalidInput) => (StatusCode::BAD_REQUEST, "InvalidInput", None),
        Some(ErrorKind::NotSupported) => (StatusCode::BAD_REQUEST, "OperationNotSupported", None),
        // Refused until the agent registers: a 409 that says when to try again.
        Some(ErrorKind::NotReady) => (
            StatusCode::CONFLICT,
            "AgentNotReady",
            Some(retry_after.unwrap_or(Duration::from_secs(60))),
        ),
        Some(ErrorKind::RateLimited) => (
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            Some(retry_after.unwrap_or(Duration::from_secs(1))),
        ),
        Some(ErrorKind::Unauthenticated) => {
            (StatusCode::UNAUTHORIZED, "AuthenticationFailed", None)
        }
        Some(ErrorKind::PermissionDenied) => (StatusCode::FORBIDDEN, "AuthorizationFailed", None),
        Some(ErrorKind::Timeout) => (StatusCode::GATEWAY_TIMEOUT, "GatewayTimeout", None),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            retry_after,
        ),
    }
}

/// An ARM error response whose `error.target` names the field (or parameter) at fault.
pub(crate) fn arm_error_at(
    request_id: &str,
    status: StatusCode,
    code: &str,
    target: &str,
    message: &str,
) -> Response {
    let body = serde_json::json!({
        "error": { "code": code, "message": message, "target": target }
    });
    let mut resp = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-ms-request-id", v);
    }
    resp
}

/// A `Retry-After` header value: whole seconds, rounded up.
pub(crate) fn retry_after_value(d: Duration) -> HeaderValue {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    HeaderValue::from(secs)
}

/// The answer to a lab error: its status and ARM code by [`status_of`], the lab's message,
/// and `Retry-After` when the lab gives one (throttling).
pub(crate) fn lab_error(request_id: &str, e: &Error) -> Response {
    let (status, code, retry_after) = status_of(e);
    let mut resp = arm_error(request_id, status, code, &e.to_string());
    if let Some(d) = retry_after {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, retry_after_value(d));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_value(Duration::ZERO), "0");
        assert_eq!(retry_after_value(Duration::from_millis(1)), "1");
        assert_eq!(retry_after_value(Duration::from_secs(30)), "30");
    }
}
