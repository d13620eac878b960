//! The one place where an HTTP failure becomes a contract error: a status and its body
//! (ARM's `{"error": {...}}` or Entra ID's token error), a transport failure, a body
//! that does not read.
//!
//! | status | kind | status |
//! | --- | --- | --- |
//! | 400, 422 | invalid input (token endpoint: unauthenticated) | permanent |
//! | 401 | unauthenticated | permanent |
//! | 403 | permission denied (token endpoint: unauthenticated) | permanent |
//! | 404, 410 | not found | permanent |
//! | 405, 501 | not supported | permanent |
//! | 408 | timed out | temporary |
//! | 409, 412 | conflict | permanent |
//! | 409 with `Retry-After` or code `AgentNotReady` | not ready yet (the agent registers) | temporary |
//! | 429 | rate limited, with `Retry-After` | temporary |
//! | other 5xx | unavailable (with `Retry-After` when given) | temporary |
//! | connect error | unavailable (a connect time-out: timed out) | temporary |
//! | TLS handshake refused (an untrusted certificate) | other | permanent |
//! | time-out, reset | timed out / unavailable | temporary |

use std::time::Duration;

use chrono::{DateTime, Utc};
use failback_core::{Error, ErrorKind};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;

/// The provider name in errors.
pub(crate) const PROVIDER: &str = "azure";

/// The longest service message an error repeats (a 5 MB message is cut to it).
pub(crate) const MAX_MESSAGE_CHARS: usize = 600;

/// The most of an unreadable body an error quotes.
pub(crate) const MAX_SNIPPET_CHARS: usize = 200;

/// Which service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// Azure Resource Manager.
    Arm,
    /// The Microsoft Entra ID token endpoint.
    Token,
}

/// Whether a failed request may have been processed by the server: what decides if a
/// non-idempotent request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// It never left: a connect error, or no token to send it with.
    NotSent,
    /// The server answered that it did not process it (429, or 401: the token refused).
    NotProcessed,
    /// It may have been processed (any other answer, a time-out, a reset).
    MaybeProcessed,
}

/// A failed attempt.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The error to return.
    pub error: Error,
    /// Whether the server may have processed the request.
    pub delivery: Delivery,
}

/// ARM's error body, `{"error": {"code", "message", "target", "details"}}` (a few
/// services put `code` and `message` at the top).
#[derive(Debug, Deserialize)]
struct ArmErrorBody {
    #[serde(default)]
    error: Option<ArmErrorDetail>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ArmErrorDetail {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default = "Vec::new")]
    details: Vec<ArmErrorDetail>,
}

/// Entra ID's token error body.
#[derive(Debug, Deserialize)]
struct TokenErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    trace_id: Option<String>,
    #[serde(default)]
    correlation_id: Option<String>,
}

/// The kind of a failed HTTP status. The one table (see the module documentation).
fn kind_of(service: Service, status: StatusCode) -> ErrorKind {
    match (service, status.as_u16()) {
        (_, 429) => ErrorKind::RateLimited,
        (_, 408) => ErrorKind::Timeout,
        (_, 501) => ErrorKind::NotSupported,
        (_, 500..=599) => ErrorKind::Unavailable,
        (Service::Token, 400..=499) => ErrorKind::Unauthenticated,
        (Service::Arm, 400 | 422) => ErrorKind::InvalidInput,
        (Service::Arm, 401) => ErrorKind::Unauthenticated,
        (Service::Arm, 403) => ErrorKind::PermissionDenied,
        (Service::Arm, 404 | 410) => ErrorKind::NotFound,
        (Service::Arm, 405) => ErrorKind::NotSupported,
        (Service::Arm, 409 | 412) => ErrorKind::Conflict,
        _ => ErrorKind::Other,
    }
}

/// The error of a request answered with a failed `status` (anything but 2xx): its kind
/// and retry status from the table, the service's code and message (cut), the request
/// id and the `Retry-After`. `what` names the request (`GET /subscriptions/…`); `now`
/// reads an HTTP-date `Retry-After`.
pub(crate) fn status_error(
    service: Service,
    what: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Failure {
    let mut kind = kind_of(service, status);
    // A conflict that says when to try again is a state that will pass (ASR refusing a
    // reprotect until the VM's agent registers), not a transition refused for good.
    if service == Service::Arm
        && status == StatusCode::CONFLICT
        && (headers.contains_key(reqwest::header::RETRY_AFTER)
            || arm_code(body).is_some_and(|c| c.eq_ignore_ascii_case("AgentNotReady")))
    {
        kind = ErrorKind::NotReady;
    }
    let (said, body_id) = match service {
        Service::Arm => (arm_message(body), None),
        Service::Token => token_message(body),
    };
    let mut message = format!("{what}: HTTP {}", status_text(status));
    match said {
        Some(s) => {
            message.push_str(": ");
            message.push_str(&s);
        }
        None if body.is_empty() => message.push_str(" (empty body)"),
        None => {
            message.push_str("; the body is not a service error, it begins: ");
            message.push_str(&snippet(body));
        }
    }
    let mut error = Error::provider(PROVIDER, kind, message);
    if let Some(id) = request_id(headers).or(body_id) {
        error = error.with_request_id(id);
    }
    if let Some(wait) = retry_after(headers, now) {
        error = error.with_retry_after(wait);
    }
    // Throttled, or the token refused: the request itself was not processed.
    let delivery = if status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::UNAUTHORIZED
        || kind == ErrorKind::NotReady
    {
        Delivery::NotProcessed
    } else {
        Delivery::MaybeProcessed
    };
    Failure { error, delivery }
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(r) => format!("{} {r}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The `error.code` of an ARM error body.
fn arm_code(body: &[u8]) -> Option<String> {
    let parsed: ArmErrorBody = serde_json::from_slice(body).ok()?;
    parsed.error.and_then(|d| d.code).or(parsed.code)
}

/// `code: message (target …; details: code: message; …)` of an ARM error body, cut.
fn arm_message(body: &[u8]) -> Option<String> {
    let parsed: ArmErrorBody = serde_json::from_slice(body).ok()?;
    let detail = match parsed.error {
        Some(d) => d,
        None if parsed.code.is_some() || parsed.message.is_some() => ArmErrorDetail {
            code: parsed.code,
            message: parsed.message,
            target: None,
            details: Vec::new(),
        },
        None => return None,
    };
    let mut out = code_and_message(detail.code.as_deref(), detail.message.as_deref());
    let mut extra = Vec::new();
    if let Some(t) = detail.target.as_deref().filter(|t| !t.is_empty()) {
        extra.push(format!("target {}", clip(t, 120)));
    }
    let details: Vec<String> = detail
        .details
        .iter()
        .take(3)
        .map(|d| {
            clip(
                &code_and_message(d.code.as_deref(), d.message.as_deref()),
                200,
            )
        })
        .collect();
    if !details.is_empty() {
        let more = detail.details.len().saturating_sub(details.len());
        let mut d = format!("details: {}", details.join("; "));
        if more > 0 {
            d.push_str(&format!("; and {more} more"));
        }
        extra.push(d);
    }
    if !extra.is_empty() {
        out.push_str(&format!(" ({})", extra.join("; ")));
    }
    // Each part is cut already; this bounds the whole (a message, a target, 3 details).
    Some(clip(&out, 2 * MAX_MESSAGE_CHARS))
}

fn code_and_message(code: Option<&str>, message: Option<&str>) -> String {
    let message = message.map(|m| clip(m, MAX_MESSAGE_CHARS));
    match (code, message) {
        (Some(c), Some(m)) => format!("{}: {m}", clip(c, 120)),
        (Some(c), None) => clip(c, 120),
        (None, Some(m)) => m,
        (None, None) => "(no code, no message)".to_string(),
    }
}

/// `error: error_description` of a token error body, and its correlation id.
fn token_message(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(parsed) = serde_json::from_slice::<TokenErrorBody>(body) else {
        return (None, None);
    };
    let id = parsed.correlation_id.or(parsed.trace_id);
    if parsed.error.is_none() && parsed.error_description.is_none() {
        return (None, id);
    }
    let text = code_and_message(parsed.error.as_deref(), parsed.error_description.as_deref());
    (Some(clip(&text, 2 * MAX_MESSAGE_CHARS)), id)
}

/// The request id ARM sent back: `x-ms-request-id`, else `x-ms-correlation-request-id`.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-ms-request-id", "x-ms-correlation-request-id"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| clip(v, 120))
        })
}

/// How long the server asked to wait: `retry-after-ms` / `x-ms-retry-after-ms`
/// (milliseconds), else `Retry-After` in seconds or as an HTTP-date (`now` to
/// subtract it from).
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_millis(ms));
        }
    }
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

/// A `Retry-After` value: delay-seconds or an HTTP-date (a date past gives zero).
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The error of a request that got no answer (or a broken one): connect errors never
/// reached the server; a time-out or a reset may have.
pub(crate) fn transport_error(what: &str, e: reqwest::Error) -> Failure {
    let cause = causes(&e);
    let (kind, delivery, text) = if e.is_connect() && is_tls_failure(&e) {
        // The certificate or the TLS handshake was refused: trying again will not help.
        (
            ErrorKind::Other,
            Delivery::NotSent,
            "the TLS handshake failed (for a simulator's own certificate, give its CA with with_root_certificate_pem)",
        )
    } else if e.is_connect() {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Unavailable
        };
        (kind, Delivery::NotSent, "cannot connect")
    } else if e.is_timeout() {
        (
            ErrorKind::Timeout,
            Delivery::MaybeProcessed,
            "no complete answer within the request time-out",
        )
    } else if e.is_builder() {
        (
            ErrorKind::Other,
            Delivery::NotSent,
            "cannot build the request",
        )
    } else {
        (
            ErrorKind::Unavailable,
            Delivery::MaybeProcessed,
            "the connection failed",
        )
    };
    let message = if cause.is_empty() {
        format!("{what}: {text}")
    } else {
        format!("{what}: {text}: {}", clip(&cause, MAX_MESSAGE_CHARS))
    };
    Failure {
        error: Error::provider(PROVIDER, kind, message).with_source(e),
        delivery,
    }
}

/// Whether a connect error is TLS refusing the peer (rustls reports it as an I/O error
/// of kind `InvalidData` under the connector's error), not the network failing.
fn is_tls_failure(e: &reqwest::Error) -> bool {
    let mut next = std::error::Error::source(e);
    while let Some(s) = next {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
            // An I/O error's `source` skips the error it wraps: descend into it.
            if let Some(inner) = io.get_ref() {
                next = Some(inner as &(dyn std::error::Error + 'static));
                continue;
            }
        }
        next = s.source();
    }
    false
}

/// The causes under a reqwest error (its own text names the URL; the causes say why).
fn causes(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut next = std::error::Error::source(e);
    while let Some(s) = next {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = s.source();
    }
    parts.join(": ")
}

/// The error of a response body that does not read as the type asked for: the request,
/// the field where it went wrong and the body's first bytes.
pub(crate) fn body_error(
    what: &str,
    error: &serde_path_to_error::Error<serde_json::Error>,
    body: &[u8],
) -> Error {
    let path = error.path().to_string();
    let at = if path.is_empty() || path == "." {
        String::new()
    } else {
        format!(" at `{path}`")
    };
    Error::provider(
        PROVIDER,
        ErrorKind::Other,
        format!(
            "{what}: the response body does not read as expected{at}: {}; the body ({} bytes) begins: {}",
            clip(&error.inner().to_string(), MAX_SNIPPET_CHARS),
            body.len(),
            snippet(body)
        ),
    )
}

/// The same error with its provider message changed by `f` (no effect on other errors).
pub(crate) fn edit_message(mut error: Error, f: impl FnOnce(&mut String)) -> Error {
    if let Error::Provider(p) = &mut error {
        f(&mut p.message);
    }
    error
}

/// The first characters of a body, on one line.
pub(crate) fn snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".to_string();
    }
    let head = &body[..body.len().min(MAX_SNIPPET_CHARS * 4)];
    let text: String = String::from_utf8_lossy(head)
        .chars()
        .take(MAX_SNIPPET_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.len() < body.len() {
        format!("{text}… ({} bytes in all)", body.len())
    } else {
        text
    }
}

/// `text` cut to `max` characters, saying its length when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use failback_core::ErrorStatus;
    use reqwest::header::HeaderValue;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-05-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn map(status: u16, headers: &[(&str, &str)], body: &str) -> Failure {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        status_error(
            Service::Arm,
            "GET /v/replicationFabrics",
            StatusCode::from_u16(status).unwrap(),
            &h,
            body.as_bytes(),
            now(),
        )
    }

    const NOT_FOUND: &str = r#"{"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.RecoveryServices/vaults/v1' under resource group 'rg' was not found.","target":"v1","details":[{"code":"Inner","message":"more"}]}}"#;

    #[test]
    fn statuses_map_to_kinds_and_retry_statuses() {
        let cases = [
            (400, ErrorKind::InvalidInput, ErrorStatus::Permanent),
            (401, ErrorKind::Unauthenticated, ErrorStatus::Permanent),
            (403, ErrorKind::PermissionDenied, ErrorStatus::Permanent),
            (404, ErrorKind::NotFound, ErrorStatus::Permanent),
            (408, ErrorKind::Timeout, ErrorStatus::Temporary),
            (409, ErrorKind::Conflict, ErrorStatus::Permanent),
            (429, ErrorKind::RateLimited, ErrorStatus::Temporary),
            (500, ErrorKind::Unavailable, ErrorStatus::Temporary),
            (501, ErrorKind::NotSupported, ErrorStatus::Permanent),
            (503, ErrorKind::Unavailable, ErrorStatus::Temporary),
            (418, ErrorKind::Other, ErrorStatus::Permanent),
        ];
        for (status, kind, retry) in cases {
            let f = map(status, &[], NOT_FOUND);
            let p = f.error.provider_error().unwrap();
            assert_eq!((p.kind, p.status), (kind, retry), "HTTP {status}");
        }
    }

    #[test]
    fn the_arm_body_gives_code_message_target_and_details() {
        let f = map(404, &[("x-ms-request-id", "req-1")], NOT_FOUND);
        let p = f.error.provider_error().unwrap();
        assert_eq!(p.request_id.as_deref(), Some("req-1"));
        assert!(
            p.message.starts_with(
                "GET /v/replicationFabrics: HTTP 404 Not Found: ResourceNotFound: The Resource"
            ),
            "{}",
            p.message
        );
        assert!(p.message.contains("target v1"), "{}", p.message);
        assert!(p.message.contains("details: Inner: more"), "{}", p.message);
        assert_eq!(f.delivery, Delivery::MaybeProcessed);
    }

    #[test]
    fn a_conflict_that_says_when_to_retry_is_not_ready_yet() {
        let agent = r#"{"error":{"code":"AgentNotReady","message":"not registered yet"}}"#;
        let f = map(409, &[], agent);
        let p = f.error.provider_error().unwrap();
        assert_eq!(
            (p.kind, p.status),
            (ErrorKind::NotReady, ErrorStatus::Temporary)
        );
        assert_eq!(f.delivery, Delivery::NotProcessed);
        let f = map(409, &[("retry-after", "240")], "{}");
        assert_eq!(f.error.kind(), Some(ErrorKind::NotReady));
        assert_eq!(f.error.retry_after(), Some(Duration::from_secs(240)));
        // A plain conflict stays a refused transition.
        let f = map(409, &[], r#"{"error":{"code":"OperationNotAllowed"}}"#);
        assert_eq!(f.error.kind(), Some(ErrorKind::Conflict));
    }

    #[test]
    fn the_correlation_id_stands_in_for_a_missing_request_id() {
        let f = map(409, &[("x-ms-correlation-request-id", "corr-9")], "{}");
        assert_eq!(
            f.error.provider_error().unwrap().request_id.as_deref(),
            Some("corr-9")
        );
    }

    #[test]
    fn a_429_is_not_processed_and_carries_its_retry_after() {
        let f = map(429, &[("retry-after", "17")], "");
        assert_eq!(f.delivery, Delivery::NotProcessed);
        assert_eq!(f.error.retry_after(), Some(Duration::from_secs(17)));
        assert!(f.error.to_string().contains("(empty body)"), "{}", f.error);
        let f = map(429, &[("retry-after", "Fri, 01 May 2026 08:00:30 GMT")], "");
        assert_eq!(f.error.retry_after(), Some(Duration::from_secs(30)));
        let f = map(503, &[("retry-after-ms", "1500")], "");
        assert_eq!(f.error.retry_after(), Some(Duration::from_millis(1500)));
        assert_eq!(f.delivery, Delivery::MaybeProcessed);
        assert_eq!(map(401, &[], "").delivery, Delivery::NotProcessed);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(
            parse_retry_after(" 5 ", now()),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Fri, 01 May 2026 07:59:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn a_body_that_is_not_an_error_is_quoted_cut() {
        let html = format!("<html>{}</html>", "x".repeat(5000));
        let f = map(502, &[], &html);
        let m = &f.error.provider_error().unwrap().message;
        assert!(
            m.contains("the body is not a service error, it begins: <html>xxx"),
            "{m}"
        );
        assert!(m.contains("(5013 bytes in all)"), "{m}");
        assert!(m.len() < 400, "{}", m.len());
    }

    #[test]
    fn a_huge_message_is_cut() {
        let body = format!(
            r#"{{"error":{{"code":"Big","message":"{}"}}}}"#,
            "é".repeat(100_000)
        );
        let f = map(400, &[], &body);
        let m = &f.error.provider_error().unwrap().message;
        assert!(m.contains("Big: ééé"), "{m}");
        assert!(m.contains("(200000 bytes in all)"), "{m}");
        assert!(m.chars().count() < MAX_MESSAGE_CHARS + 200);
    }

    #[test]
    fn top_level_code_and_message_are_read_too() {
        let f = map(400, &[], r#"{"code":"BadRequest","message":"no"}"#);
        assert!(
            f.error.to_string().contains("BadRequest: no"),
            "{}",
            f.error
        );
    }

    #[test]
    fn token_endpoint_errors_are_authentication_errors() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"timestamp":"2026-05-01 08:00:00Z","trace_id":"t-1","correlation_id":"c-1"}"#;
        for status in [400, 401] {
            let f = status_error(
                Service::Token,
                "POST /tenant/oauth2/v2.0/token",
                StatusCode::from_u16(status).unwrap(),
                &HeaderMap::new(),
                body.as_bytes(),
                now(),
            );
            let p = f.error.provider_error().unwrap();
            assert_eq!(p.kind, ErrorKind::Unauthenticated);
            assert_eq!(p.status, ErrorStatus::Permanent);
            assert_eq!(p.request_id.as_deref(), Some("c-1"));
            assert!(
                p.message.contains("invalid_client: AADSTS7000215"),
                "{}",
                p.message
            );
        }
    }

    #[test]
    fn clip_cuts_on_character_boundaries() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("ééé", 2), "éé… (6 bytes in all)");
    }
}
