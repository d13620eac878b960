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
        Some(ErrorKind::NotReady) => (StatusCode::CONFLICT, "AgentNotReady", None),
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
